"""shared.probes.linear_probe: planted signals are recovered, noise scores at chance, the split is by sequence."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.model_selection import GridSearchCV, GroupKFold, GroupShuffleSplit
from sklearn.pipeline import Pipeline

from shared.probes import ProbeResult, linear_probe


def test_planted_linear_signal_is_recovered_by_ridge(rng):
    states = rng.normal(size=(300, 12))
    weights = rng.normal(size=12)
    result = linear_probe(states, states @ weights + 0.01 * rng.normal(size=300), seed=1)
    assert isinstance(result, ProbeResult) and isinstance(result.estimator, RidgeCV)
    assert result.metric == "r2" and result.chance == 0.0
    assert result.score > 0.99
    assert (result.n_train, result.n_test) == (225, 75)


def test_planted_class_signal_is_recovered_by_logistic_regression(rng):
    states = rng.normal(size=(400, 6))
    labels = np.where(states[:, 2] - states[:, 4] > 0, "up", "down")
    result = linear_probe(states, labels, C=100.0)
    assert result.metric == "accuracy" and isinstance(result.estimator, Pipeline)
    assert result.score > 0.95
    assert 0.4 < result.chance < 0.65


def test_noise_scores_near_chance(rng):
    states = rng.normal(size=(400, 10))
    regression = linear_probe(states, rng.normal(size=400))
    assert regression.score < 0.05  # R^2 near (usually just below) 0
    labels = rng.random(400) < 0.7
    classification = linear_probe(states, labels)
    assert classification.chance == pytest.approx(0.7, abs=0.1)
    assert abs(classification.score - classification.chance) < 0.12


def test_3d_states_are_split_by_sequence(rng):
    n, t, d = 40, 15, 5
    states = rng.normal(size=(n, t, d))
    result = linear_probe(states, states[..., 0] * 2.0, test_size=0.25, seed=3)
    assert result.score > 0.99
    assert result.n_test % t == 0 and result.n_train % t == 0
    assert result.n_test // t == 10 and result.n_train + result.n_test == n * t


def test_split_by_sequence_stops_leakage(rng):
    """Each sequence has one random label and near-constant states: only a leaky (per-step) split can fit it."""
    n, t, d = 40, 10, 64  # d > n: a linear map can memorise one label per sequence
    centres = rng.normal(size=(n, 1, d))
    states = centres + 0.01 * rng.normal(size=(n, t, d))
    labels = rng.normal(size=n)  # unrelated to the centres
    by_sequence = linear_probe(states, labels)
    assert by_sequence.score < 0.2
    leaky = linear_probe(states.reshape(n * t, d), np.repeat(labels, t))
    assert leaky.score > 0.5  # the same data split per step looks decodable: the leak the 3-D split prevents


def test_ridge_penalty_is_chosen_by_sequence_too(rng):
    """Each sequence has its own offset: leaving out one step while its neighbours stay in rewards memorising
    sequences (a tiny penalty, held-out R^2 far below 0); folds of whole sequences choose the penalty instead."""
    n, t, d = 40, 30, 30
    signal = rng.normal(size=n)
    states = rng.normal(size=(n, 1, d)) + 0.05 * rng.normal(size=(n, t, d))
    states[:, :, 0] += signal[:, None]
    alphas = (1e-2, 1e-1, 1, 10, 100, 1000)
    result = linear_probe(states, signal, kind="regression", seed=0, alphas=alphas)
    X, y, groups = states.reshape(n * t, d), np.repeat(signal, t), np.repeat(np.arange(n), t)
    train, test = next(GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=0).split(X, y, groups))
    search = GridSearchCV(Ridge(), {"alpha": alphas}, cv=GroupKFold(5))  # R^2, as RidgeCV scores
    search.fit(X[train], y[train], groups=groups[train])
    assert result.estimator.alpha_ == search.best_params_["alpha"]
    per_step = RidgeCV(alphas=alphas).fit(X[train], y[train])  # leave-one-step-out
    assert per_step.alpha_ < result.estimator.alpha_
    assert result.score > per_step.score(X[test], y[test]) + 1.0


def test_bad_arguments(rng):
    with pytest.raises(ValueError, match="kind"):
        linear_probe(rng.normal(size=(10, 2)), rng.normal(size=10), kind="ordinal")
    with pytest.raises(ValueError, match="target"):
        linear_probe(rng.normal(size=(10, 4, 2)), rng.normal(size=(10, 3)))
    with pytest.raises(ValueError, match="two classes"):
        linear_probe(rng.normal(size=(10, 2)), np.ones(10, dtype=int))
    # found in review: these reached scikit-learn ("Input contains NaN.", "The least populated class ...")
    for alphas in ((), (0.0, 1.0), (1.0, np.inf), -1):
        with pytest.raises(ValueError, match="alphas must be one or more finite ridge penalties > 0"):
            linear_probe(rng.normal(size=(20, 2)), rng.normal(size=20), alphas=alphas)
    with pytest.raises(ValueError, match=r"kind='classification' needs class labels, but the target holds fractional"):
        linear_probe(rng.normal(size=(20, 2)), rng.normal(size=20), kind="classification")
    labels = (rng.normal(size=40) > 0).astype(float)  # 0.0 / 1.0 are labels
    assert linear_probe(rng.normal(size=(40, 2)), labels, kind="classification").metric == "accuracy"
    assert linear_probe(rng.normal(size=(40, 2)), rng.normal(size=40), alphas=3.0).metric == "r2"


@pytest.mark.parametrize(
    ("n", "test_size", "message"),
    [(3, 0.25, "3 samples split into 2 training and 1 held-out"), (10, 0.9, "10 samples split into 1 training")],
)
def test_splits_too_small_to_fit_or_score_are_refused_naming_the_sizes(rng, n, test_size, message):
    """One held-out sample gave score=nan with only sklearn's UndefinedMetricWarning (R^2 needs two)."""
    states = rng.normal(size=(n, 3))
    with pytest.raises(ValueError, match=message):
        linear_probe(states, states[:, 0], test_size=test_size)
    sequences = rng.normal(size=(3, 1, 2))
    with pytest.raises(ValueError, match=r"3 samples \(steps of 3 sequences\) split into 2 training and 1 held-out"):
        linear_probe(sequences, sequences[:, 0, 0])


def test_classification_training_part_with_one_class_is_refused(rng):
    """Holding out whole sequences can leave one class in training: named, not sklearn's solver error."""
    states, labels = rng.normal(size=(4, 5, 3)), np.array(["a", "a", "a", "b"])
    outcomes = []
    for seed in range(6):
        try:
            outcomes.append(linear_probe(states, labels, seed=seed).metric)
        except ValueError as error:
            assert "the 15 training samples hold one class only ('a')" in str(error)
            outcomes.append("refused")
    assert "refused" in outcomes and "accuracy" in outcomes


@pytest.mark.filterwarnings("error")
def test_one_step_sequences_choose_the_penalty_by_leave_one_out(rng):
    """With one step per sequence every inner GroupKFold fold held one sample, whose R^2 is undefined (every
    penalty scored NaN); leaving out a step is leaving out a sequence there, so ridge's own leave-one-out is used."""
    states = rng.normal(size=(8, 1, 3))  # 6 training sequences: GroupKFold's 5 folds held one or two samples
    result = linear_probe(states, 2 * states[:, 0, 0] + 0.01 * rng.normal(size=8))
    assert result.score > 0.99 and result.n_train == 6
