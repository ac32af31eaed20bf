"""Metrics on hand-computed cases, and the TF-IDF baseline on a tiny corpus."""

import numpy as np
import pytest

from domains.sentiment.baselines import TfidfLogistic
from domains.sentiment.evaluate import accuracy_report, checklist_pass_rates, pairs_both_right, three_way
from shared.cli import InputError


def test_accuracy_report_splits_by_negation():
    texts = ["good", "bad", "not good", "never bad", "fine"]
    labels = [1, 0, 0, 1, 1]
    probabilities = [0.9, 0.2, 0.8, 0.7, 0.1]          # right, right, wrong, right, wrong
    report = accuracy_report(texts, labels, probabilities)
    assert report["accuracy"] == pytest.approx(0.6)
    assert (report["n_with_negation"], report["accuracy_with_negation"]) == (2, 0.5)
    assert report["accuracy_without_negation"] == pytest.approx(2 / 3)
    assert report["negation_gap"] == pytest.approx(16.67)
    assert accuracy_report(["good"], [1], [0.9])["negation_gap"] is None


def test_pairs_both_right():
    labels = [0, 1, 1, 0, 0, 1]
    assert pairs_both_right(labels, [0.1, 0.9, 0.9, 0.9, 0.1, 0.2]) == {"n_pairs": 3, "pairs_both_right": pytest.approx(1 / 3)}
    with pytest.raises(InputError, match="pairs.tsv: 3 rows cannot form pairs"):
        pairs_both_right([0, 1, 1], [0.1, 0.2, 0.3], "pairs.tsv")


def test_checklist_scoring_uses_a_neutral_band():
    assert three_way([0.1, 1 / 3, 0.5, 2 / 3, 0.9]).tolist() == ["neg", "neu", "neu", "neu", "pos"]
    rates = checklist_pass_rates(["a", "a", "b", "b", "c"], ["neg", "neg", "not_neg", "not_neg", "neu"],
                                 [0.1, 0.6, 0.5, 0.2, 0.5])
    assert rates[["test", "n", "pass_rate"]].values.tolist() == [["a", 2, 0.5], ["b", 2, 0.5], ["c", 1, 1.0]]


def test_tfidf_baseline_learns_a_tiny_corpus():
    texts = ["good film", "great film", "a good story", "bad film", "awful film", "a bad story"] * 3
    labels = [1, 1, 1, 0, 0, 0] * 3
    model = TfidfLogistic(seed=0).fit(texts, labels)
    p = model.predict_proba(["a great story", "an awful story", ""])
    assert p.shape == (3,) and p[0] > 0.5 > p[1] and np.isfinite(p).all()
