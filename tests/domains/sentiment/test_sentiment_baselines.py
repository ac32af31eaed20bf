"""NBSVM: hand-counted log-count ratios, the paper's interpolation, and the SVM it wraps."""

import numpy as np
import pytest
from sklearn.svm import LinearSVC

from domains.sentiment.baselines import NBSVM, TfidfLogistic, Vader
from shared.cli import InputError

TEXTS = ["good film", "bad film", "good", "a good story", "awful story", "bad"]
LABELS = [1, 0, 1, 1, 0, 0]


def test_ratios_are_smoothed_log_count_ratios():
    model = NBSVM(alpha=1.0).fit(TEXTS, LABELS)
    ratio = dict(zip(model.vectorizer_.get_feature_names_out(), model.ratios_))
    # 11 n-grams, each + 1; positive texts hold 3 + 1 + 5 of them, negative ones 3 + 3 + 1
    pos_total, neg_total = 11 + 9, 11 + 7
    assert ratio["good"] == pytest.approx(np.log(4 / pos_total) - np.log(1 / neg_total))
    assert ratio["film"] == pytest.approx(np.log(2 / pos_total) - np.log(2 / neg_total))
    assert ratio["bad film"] == pytest.approx(np.log(1 / pos_total) - np.log(2 / neg_total))


def test_decision_is_the_interpolated_svm_on_scaled_presence():
    model = NBSVM(beta=0.25).fit(TEXTS, LABELS)
    present = model.vectorizer_.transform(TEXTS).toarray()
    features = present * model.ratios_
    svm = LinearSVC(C=1.0, max_iter=10_000, random_state=0).fit(features, LABELS)
    weights = svm.coef_[0]
    expected = features @ (0.75 * np.abs(weights).mean() + 0.25 * weights) + svm.intercept_[0]
    assert model.decision_function(TEXTS) == pytest.approx(expected, abs=1e-4)
    assert ((model.predict_proba(TEXTS) > 0.5) == (expected > 0)).all()
    plain = NBSVM(beta=1.0).fit(TEXTS, LABELS)                   # beta 1: the SVM itself, right on its training texts
    assert ((plain.decision_function(TEXTS) > 0) == np.array(LABELS, bool)).all()


@pytest.mark.parametrize("baseline", [NBSVM(), TfidfLogistic(min_df=1), Vader()], ids=["nbsvm", "tfidf", "vader"])
def test_baselines_refuse_one_string_and_non_strings(baseline):
    baseline.fit(TEXTS, LABELS)
    assert baseline.predict_proba(["good film"]).shape == (1,)
    with pytest.raises(InputError, match="iterable over raw text documents expected, string object received"):
        baseline.predict_proba("good film")
    with pytest.raises(InputError, match=r"texts\[1\]: expected a string, got NoneType"):
        baseline.predict_proba(["good", None])
    if not isinstance(baseline, Vader):
        with pytest.raises(InputError, match="string object received"):
            baseline.fit("good film", [1] * 9)


def test_vader_reads_curly_apostrophes_as_straight_ones():
    """Found in audit: VADER's negations are spelled with straight apostrophes, so "I don’t like it" scored
    positive and "It isn’t bad" negative, the opposite of the same texts typed with '."""
    vader = Vader().fit()
    straight = ["I don't like it.", "It isn't bad."]
    curly = [text.replace("'", "\u2019") for text in straight]
    assert vader.predict_proba(curly) == pytest.approx(vader.predict_proba(straight))
    assert (vader.predict_proba(straight) > 0.5).tolist() == [False, True]
