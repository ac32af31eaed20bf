"""Metrics on hand-computed cases, and the TF-IDF baseline on a tiny corpus."""

import numpy as np
import pandas as pd
import pytest

from domains.sentiment.baselines import TfidfLogistic
from domains.sentiment.evaluate import accuracy_report, checklist_pass_rates, evaluate_all, pairs_both_right, three_way
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


def test_probabilities_may_be_a_column_and_labels_words_or_booleans():
    texts, probabilities = ["good", "not good", "great", "bad"], np.array([0.9, 0.2, 0.3, 0.1])
    flat = accuracy_report(texts, [1, 0, 1, 0], probabilities)
    assert flat["accuracy"] == 0.75
    assert accuracy_report(texts, [1, 0, 1, 0], probabilities[:, None]) == flat      # model.predict's (n, 1)
    for labels in (["1", "0", "1", "0"], ["pos", "neg", "positive", "negative"], [True, False, True, False],
                   np.array([1.0, 0.0, 1.0, 0.0])[:, None]):
        assert accuracy_report(texts, labels, probabilities) == flat
    assert pairs_both_right([1, 0, 1, 0], probabilities[:, None]) == {"n_pairs": 2, "pairs_both_right": 0.5}
    rates = checklist_pass_rates(["a", "a"], ["pos", "neg"], np.array([[0.9], [0.5]]))
    assert rates[["n", "pass_rate"]].values.tolist() == [[2, 0.5]]


@pytest.mark.parametrize("call, message", [
    (lambda: accuracy_report(["good", "bad", "ok"], [1, 0], [0.9, 0.1]), "lengths differ: 3 texts, 2 labels"),
    (lambda: accuracy_report(["good", "bad"], [1, 0, 1], [0.9, 0.1, 0.4]), "lengths differ: 2 texts, 3 labels"),
    (lambda: pairs_both_right([1, 0], [0.9, 0.1, 0.4, 0.2]), "lengths differ: 2 labels, 4 probabilities"),
    (lambda: pairs_both_right([1, 0], np.ones((2, 2))), r"probabilities: shape \(2, 2\), expected \(n,\) or \(n, 1\)"),
    (lambda: pairs_both_right([1, 0], [0.9, float("nan")]), "probabilities: 1 of 2 values are not finite \\(first at row 1\\)"),
    (lambda: pairs_both_right([1, 2], [0.9, 0.1]), "labels: row 1: label 2 is not one of 0, 1"),
    (lambda: pairs_both_right(["pos", "good"], [0.9, 0.1]), "labels: row 1: label 'good' is not one of 0, 1"),
    (lambda: accuracy_report("good", [1], [0.9]), "string object received"),
    (lambda: checklist_pass_rates(["a"], ["pos", "neg"], [0.9, 0.1]), "lengths differ: 1 tests, 2 expected"),
])
def test_bad_shapes_lengths_and_labels_are_refused(call, message):
    with pytest.raises(InputError, match=message):
        call()


class TablePredictor:
    """A fixed P(positive) per text: the smallest object with the ``predict_proba(texts)`` that evaluate_all takes."""

    def __init__(self, table):
        self.table = table

    def predict_proba(self, texts):
        return np.array([self.table[text] for text in texts])


def test_evaluate_all_scores_sst_flips_and_the_checklist_negation_tests():
    """Known answers by hand. SST: "good" right, "not good" wrong, "bad" right: accuracy 2/3, with negation 0/1,
    without 2/2, gap 100 points. Flips (labels 1 0 1 0, P 0.9 0.1 0.1 0.1): right, right, wrong, right = 3/4
    (not 1/2, so that 1 - accuracy would show). CheckList (neutral band [1/3, 2/3]): "Negation A" expects neg,
    P 0.1 0.1: 2/2; "Negation B" expects not_neg, P 0.5 0.9 0.2 0.6: neu pos neg neu, 3/4. Negation mean
    (1 + 0.75) / 2 = 0.875, min 0.75. Every other capability is a control: "Vocabulary" (listed first) expects
    pos, P 0.9 0.5: pos neu, 1/2 (below the negation minimum, so a minimum over all tests would show);
    "Taxonomy" expects neu, P 0.5: 1/1."""
    table = {"good": 0.9, "not good": 0.8, "bad": 0.2,
             "not bad": 0.9, "not great": 0.1, "not dull": 0.1, "not awful": 0.1,
             "a great film": 0.9, "a fine film": 0.5, "a film": 0.5,
             "not a good film": 0.1, "not a fun film": 0.1,
             "not a bad film": 0.5, "not an awful film": 0.9, "not a dull film": 0.2, "not a poor film": 0.6}
    sst = pd.DataFrame({"text": ["good", "not good", "bad"], "label": [1, 0, 0]})
    flips = pd.DataFrame({"text": ["not bad", "not great", "not dull", "not awful"], "label": [1, 0, 1, 0]})
    checklist = pd.DataFrame([
        ("Vocabulary", "Vocabulary", "a great film", "pos"),
        ("Negation A", "Negation", "not a good film", "neg"),
        ("Negation B", "Negation", "not a bad film", "not_neg"),
        ("Negation B", "Negation", "not an awful film", "not_neg"),
        ("Vocabulary", "Vocabulary", "a fine film", "pos"),
        ("Negation A", "Negation", "not a fun film", "neg"),
        ("Taxonomy", "Taxonomy", "a film", "neu"),
        ("Negation B", "Negation", "not a dull film", "not_neg"),
        ("Negation B", "Negation", "not a poor film", "not_neg"),
    ], columns=["test", "capability", "text", "expected"])
    result = evaluate_all(TablePredictor(table), sst, flips=flips, checklist=checklist)
    assert result["sst2_test"] == accuracy_report(sst["text"], sst["label"], [0.9, 0.8, 0.2])
    assert result["sst2_test"]["accuracy"] == pytest.approx(2 / 3)
    assert (result["sst2_test"]["accuracy_with_negation"], result["sst2_test"]["negation_gap"]) == (0.0, 100.0)
    assert (result["n_flips"], result["flip_accuracy"]) == (4, 0.75)
    assert result["checklist"] == {"negation_tests": {"Negation A": 1.0, "Negation B": 0.75},
                                   "negation_mean": 0.875, "negation_min": 0.75,
                                   "controls": {"Vocabulary": 0.5, "Taxonomy": 1.0}}
    only_sst = evaluate_all(TablePredictor(table), sst)
    assert set(only_sst) == {"sst2_test"}
