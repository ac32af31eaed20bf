"""Baselines to beat: TF-IDF + logistic regression and NBSVM (scikit-learn) on the project's tokens, and VADER.

A baseline is anything with ``predict_proba(texts) -> float array (n,)`` of P(positive), the same interface
the neural model's predictor has, so :mod:`domains.sentiment.evaluate` scores both the same way.
"""

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from domains.sentiment.text import check_texts, straighten, tokenize


class TfidfLogistic:
    """TF-IDF over word uni- and bigrams (sublinear tf) + L2 logistic regression.

    Tokens come from :func:`domains.sentiment.text.tokenize`, so "don't" and SST's "do n't" are the same
    bigram. Trained on every labelled SST phrase it is the issue's "TF-IDF + LR on phrases" baseline.

    Args:
        ngram_range: word n-gram range. Defaults to ``(1, 2)``.
        min_df: ignore n-grams seen in fewer texts. Defaults to 2.
        C: inverse regularisation strength. Defaults to 4.0.
        seed: the solver's random state. Defaults to 0.

    Example:

    >>> model = TfidfLogistic(min_df=1).fit(["good film", "bad film", "great", "awful"], [1, 0, 1, 0])
    >>> (model.predict_proba(["good", "awful film"]) > 0.5).tolist()
    [True, False]
    """

    def __init__(self, ngram_range=(1, 2), min_df=2, C=4.0, seed=0):
        self.ngram_range, self.min_df, self.C, self.seed = ngram_range, min_df, C, seed

    def fit(self, texts, labels):
        """Fits on ``texts`` (an iterable of strings) and binary ``labels``; returns ``self`` with ``pipeline_`` set."""
        texts = check_texts(texts)
        self.pipeline_ = make_pipeline(
            TfidfVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None, ngram_range=self.ngram_range,
                            min_df=self.min_df, sublinear_tf=True),
            LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed),
        )
        self.pipeline_.fit(texts, np.asarray(labels, dtype=int))
        return self

    def predict_proba(self, texts):
        """float64 ``(n,)``: P(positive) of each text (an iterable of strings, not one string)."""
        return self.pipeline_.predict_proba(check_texts(texts))[:, 1]


def log_count_ratios(counts, labels, alpha=1.0):
    """Naive Bayes log-count ratios ``r = log((p / |p|_1) / (q / |q|_1))`` per column of ``counts``.

    Args:
        counts: ``(n, d)`` n-gram counts (e.g. :func:`domains.sentiment.ngrams.ngram_counts`, or a binary
            ``CountVectorizer``'s); only whether a count is positive matters.
        labels: ``(n,)`` in [0, 1]; rows above 0.5 count as positive, below 0.5 as negative, 0.5 not at all.
        alpha: smoothing count added to every column of both classes.

    Returns:
        float64 ``(d,)``: ``p`` (``q``) is ``alpha`` plus the number of positive (negative) rows holding the column.
    """
    present = sparse.csr_matrix(counts) > 0
    labels = np.asarray(labels, dtype="float64")
    p = np.asarray(present[labels > 0.5].sum(axis=0)).ravel() + alpha
    q = np.asarray(present[labels < 0.5].sum(axis=0)).ravel() + alpha
    return np.log(p / p.sum()) - np.log(q / q.sum())


class NBSVM:
    """NBSVM (Wang & Manning 2012): a linear SVM over binarized word uni- and bigrams scaled by naive Bayes
    log-count ratios, with the weights interpolated towards their mean magnitude.

    Features are ``x = r * f`` with ``f`` the 0/1 presence of each n-gram (CountVectorizer, ``binary``, tokens
    of :func:`domains.sentiment.text.tokenize`) and ``r`` the n-grams' :func:`log_count_ratios`. An
    L2-regularised squared-hinge SVM (scikit-learn's ``LinearSVC``, liblinear as in the paper) gives ``w, b``;
    the classifier uses ``w' = (1 - beta) * mean(|w|) + beta * w``. The defaults are the paper's (``C = 1``,
    ``beta = 0.25``, ``alpha = 1``), with which it reports 79.4 % on MR (10-fold).

    Args:
        ngram_range: word n-gram range. Defaults to ``(1, 2)``.
        C: the SVM's inverse regularisation strength. Defaults to 1.
        beta: interpolation weight (1: the plain SVM). Defaults to 0.25.
        alpha: smoothing count of ``r``. Defaults to 1.
        seed: the solver's random state. Defaults to 0.

    Example:

    >>> model = NBSVM().fit(["good film", "bad film", "great", "awful"], [1, 0, 1, 0])
    >>> (model.predict_proba(["good", "awful film"]) > 0.5).tolist()
    [True, False]
    """

    def __init__(self, ngram_range=(1, 2), C=1.0, beta=0.25, alpha=1.0, seed=0):
        self.ngram_range, self.C, self.beta, self.alpha, self.seed = ngram_range, C, beta, alpha, seed

    def fit(self, texts, labels):
        """Fits on ``texts`` (an iterable of strings) and binary ``labels``; returns ``self`` with ``vectorizer_``,
        ``ratios_`` (``r``, one per n-gram), ``coef_`` (``w'``) and ``intercept_`` (``b``) set."""
        self.vectorizer_ = CountVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None,
                                           ngram_range=self.ngram_range, binary=True)
        present = self.vectorizer_.fit_transform(check_texts(texts))
        labels = np.asarray(labels, dtype=int)
        self.ratios_ = log_count_ratios(present, labels, self.alpha)
        svm = LinearSVC(C=self.C, max_iter=10_000, random_state=self.seed)
        svm.fit(present.multiply(self.ratios_).tocsr(), labels)
        weights = svm.coef_[0]
        self.coef_ = (1 - self.beta) * np.abs(weights).mean() + self.beta * weights
        self.intercept_ = float(svm.intercept_[0])
        return self

    def decision_function(self, texts):
        """float64 ``(n,)``: ``w' . (r * f) + b`` of each text (an iterable of strings; > 0: positive)."""
        present = self.vectorizer_.transform(check_texts(texts))
        return np.asarray(present.multiply(self.ratios_) @ self.coef_).ravel() + self.intercept_

    def predict_proba(self, texts):
        """float64 ``(n,)``: the logistic sigmoid of :meth:`decision_function` (right side of 0.5, not
        calibrated: an SVM's margin is no log-odds)."""
        return 1.0 / (1.0 + np.exp(-self.decision_function(texts)))


class Vader:
    """VADER (Hutto & Gilbert 2014; PyPI ``vaderSentiment``, MIT): a rule-based lexicon scorer with its own
    negation, booster and "but" rules. Nothing is trained: :meth:`fit` exists so it can stand where a trained
    baseline stands.

    A text is positive when VADER's compound score (in [-1, 1]) is >= 0, VADER's own binary rule. As a
    probability, ``P(positive) = (1 + compound) / 2`` moved up by ``1e-6`` where ``compound == 0`` exactly (no
    sentiment word), so that the project's ``P > 0.5`` rule gives the same labels; ``compound`` in
    [-1/3, 1/3] falls in the CheckList neutral band. Texts are scored raw (VADER reads capitals, "!" and emoji).

    Measured by ``benchmarks/sentiment_scorecard.py --baseline vader`` (TF-IDF + LR on SST train phrases, from
    the same script's default run, in brackets): SST-2 test accuracy 65.7 % [83.6 %]; with a negation cue
    60.5 % [79.5 %], without 67.0 % [84.6 %] (negation gap 6.4 [5.2] points); SST negation flips 51.2 %
    [72.5 %]; CheckList negation tests mean 66.4 % [29.7 %], lowest 0.0 % [0.0 %] (VADER fails "I thought x
    was positive, but it was not" and the negated-positive "hard" test outright); IMDb contrast pairs both
    right 44.9 % [44.9 %].

    Example:

    >>> vader = Vader().fit([], [])
    >>> (vader.predict_proba(["a wonderful film", "not a wonderful film", ""]) > 0.5).tolist()
    [True, False, True]
    """

    def fit(self, texts=None, labels=None):
        """Returns ``self`` with ``analyzer_`` (a ``SentimentIntensityAnalyzer``); ``texts``/``labels`` unused."""
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self.analyzer_ = SentimentIntensityAnalyzer()
        return self

    def compound(self, texts):
        """float64 ``(n,)``: VADER's compound score of each text (an iterable of strings; 0 for an empty text),
        read with straight apostrophes (:func:`~domains.sentiment.text.straighten`): VADER's negations are
        spelled with them, so "don’t" would not negate."""
        return np.array([self.analyzer_.polarity_scores(straighten(text))["compound"] for text in check_texts(texts)],
                        dtype=float)

    def predict_proba(self, texts):
        """float64 ``(n,)``: P(positive) of each text (see the class docstring)."""
        compound = self.compound(texts)
        return np.where(compound == 0, 0.5 + 1e-6, (1 + compound) / 2)
