"""Baselines to beat: TF-IDF + logistic regression (scikit-learn) on the project's tokens.

A baseline is anything with ``predict_proba(texts) -> float array (n,)`` of P(positive), the same interface
the neural model's predictor has, so :mod:`domains.sentiment.evaluate` scores both the same way.
"""

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from domains.sentiment.text import tokenize


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
        """Fits on ``texts`` (strings) and binary ``labels``; returns ``self`` with ``pipeline_`` set."""
        self.pipeline_ = make_pipeline(
            TfidfVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None, ngram_range=self.ngram_range,
                            min_df=self.min_df, sublinear_tf=True),
            LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed),
        )
        self.pipeline_.fit(list(texts), np.asarray(labels, dtype=int))
        return self

    def predict_proba(self, texts):
        """float64 ``(n,)``: P(positive) of each text."""
        return self.pipeline_.predict_proba(list(texts))[:, 1]
