"""Linear probes: can a quantity be read out of a network's hidden states by a linear map?

A probe is a linear model fitted on one part of the states and scored on held-out states. A held-out
score well above chance means the quantity is linearly decodable from the states. Regression targets use
``sklearn.linear_model.RidgeCV`` (scored by R^2, chance 0); class targets use a ``StandardScaler`` +
``LogisticRegression`` pipeline (scored by accuracy, chance the majority-class rate).
"""

from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.model_selection import GroupKFold, GroupShuffleSplit, StratifiedShuffleSplit, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

KINDS = ("auto", "regression", "classification")

#: Folds (of training sequences) in which a regression probe on 3-D states chooses its ridge penalty.
INNER_FOLDS = 5


@dataclass
class ProbeResult:
    """The held-out score of a linear probe.

    Attributes:
        score: R^2 (regression) or accuracy (classification) on the held-out states.
        metric: ``"r2"`` or ``"accuracy"``.
        chance: the score of a probe that ignores the states: 0 for R^2 (predicting the mean); for accuracy,
            the test-set rate of the training set's majority class.
        n_train: number of training samples (states, i.e. sequence-steps for 3-D ``states``).
        n_test: number of held-out samples.
        estimator: the fitted scikit-learn estimator (``RidgeCV`` or a scaler + logistic-regression pipeline).
    """

    score: float
    metric: str
    chance: float
    n_train: int
    n_test: int
    estimator: BaseEstimator


def linear_probe(states, target, kind="auto", test_size=0.25, seed=0, alphas=(1e-3, 1e-2, 1e-1, 1, 10, 100), C=1.0):
    """Fits a linear probe from hidden states to a target and scores it on held-out data.

    Args:
        states: ``(n, d)`` one state per sample, or ``(n, t, d)`` states of ``n`` sequences over ``t`` steps.
        target: ``(n,)`` for 2-D ``states``; ``(n,)`` (one value per sequence, repeated over its steps) or
            ``(n, t)`` (one per step) for 3-D ``states``.
        kind: ``"regression"``, ``"classification"`` or ``"auto"`` (classification when the target is
            boolean, integer, or a string/object label; regression otherwise).
        test_size: fraction of the samples (of the *sequences* for 3-D ``states``) held out.
        seed: seed of the split and of the logistic regression.
        alphas: ridge penalties ``RidgeCV`` chooses from (regression): by efficient leave-one-out CV for 2-D
            ``states``; for 3-D ``states`` by :data:`INNER_FOLDS`-fold CV over the training *sequences*
            (``GroupKFold``), since leaving out one step of a sequence whose other steps stay in would pick a
            penalty that memorises sequences.
        C: inverse L2 penalty of the logistic regression (classification).

    Returns:
        :class:`ProbeResult`.

    With 3-D ``states`` the steps are flattened into ``n * t`` samples but the split is by sequence
    (``GroupShuffleSplit``): every step of a sequence lands on the same side, so near-identical states of
    consecutive steps cannot leak from the training set into the test set. With 2-D ``states`` a
    classification split is stratified by class.

    Raises:
        ValueError: mismatched shapes, an unknown ``kind``, no ``alphas`` or one that is not a finite number > 0,
            a classification target with one class (or a training part with one) or with fractional values, or a
            split with fewer than 2 training or 2 held-out samples.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> states = rng.normal(size=(400, 8))
    >>> result = linear_probe(states, states[:, 0] > 0)
    >>> result.metric, result.score > 0.9, result.chance < 0.7
    ('accuracy', True, True)
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    penalties = np.asarray(alphas, dtype=float).ravel()
    if penalties.size == 0 or not np.all(np.isfinite(penalties) & (penalties > 0)):
        raise ValueError(f"alphas must be one or more finite ridge penalties > 0; got {alphas!r}")
    states, target = np.asarray(states), np.asarray(target)
    X, y, groups = _flatten(states, target)
    if kind == "auto":
        kind = "classification" if y.dtype.kind in "biuUSO" else "regression"
    if kind == "classification" and y.dtype.kind == "f" and not np.all(y == np.round(y)):
        example = y[np.flatnonzero(y != np.round(y))[0]]
        raise ValueError(f"kind='classification' needs class labels, but the target holds fractional values (e.g. "
                         f"{example:g}); use kind='regression' or pass labels")
    n = len(y)
    if kind == "classification" and len(np.unique(y)) < 2:
        raise ValueError("a classification probe needs at least two classes in the target")
    if groups is not None:
        splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
        train, test = next(splitter.split(X, y, groups))
    elif kind == "classification":
        splitter = StratifiedShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
        train, test = next(splitter.split(X, y))
    else:
        train, test = train_test_split(np.arange(n), test_size=test_size, random_state=seed)
    _check_split(y, groups, train, test, kind, test_size)
    if kind == "regression":
        estimator = RidgeCV(alphas=penalties, cv=_inner_splits(X[train], groups, train))
        estimator.fit(X[train], y[train].astype(np.float64))
        score, metric, chance = float(estimator.score(X[test], y[test].astype(np.float64))), "r2", 0.0
    else:
        estimator = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000, random_state=seed))
        estimator.fit(X[train], y[train])
        score, metric = float(estimator.score(X[test], y[test])), "accuracy"
        classes, counts = np.unique(y[train], return_counts=True)
        chance = float(np.mean(y[test] == classes[np.argmax(counts)]))
    return ProbeResult(
        score=score, metric=metric, chance=chance, n_train=len(train), n_test=len(test), estimator=estimator
    )


def _check_split(y, groups, train, test, kind, test_size):
    """Raises ``ValueError`` naming the sizes if the training or held-out part has fewer than 2 samples (one sample
    cannot be scored: its R^2 is undefined; nor can ridge's leave-one-out choose a penalty from one), or if the
    training part of a classification target holds one class only (possible when whole sequences are held out)."""
    if len(train) < 2 or len(test) < 2:
        unit = "samples" if groups is None else f"samples (steps of {len(np.unique(groups))} sequences)"
        raise ValueError(
            f"{len(y)} {unit} split into {len(train)} training and {len(test)} held-out ones (test_size={test_size}); "
            "a probe needs at least 2 of each: give more samples or change test_size"
        )
    if kind == "classification" and len(np.unique(y[train])) < 2:
        only = y[train][:1].tolist()[0]
        raise ValueError(
            f"the {len(train)} training samples hold one class only ({only!r}); give more sequences of each class "
            "or change seed or test_size"
        )


def _inner_splits(X_train, groups, train):
    """``RidgeCV``'s ``cv``: ``None`` (leave one sample out) for 2-D states or one-step sequences (where leaving out
    a sample is leaving out a sequence), else the (train, test) index pairs of ``GroupKFold`` over the training
    sequences (at most :data:`INNER_FOLDS` folds; ``None`` with one sequence)."""
    if groups is None or len(np.unique(groups[train])) == len(train):
        return None
    folds = min(INNER_FOLDS, len(np.unique(groups[train])))
    if folds < 2:
        return None
    return list(GroupKFold(n_splits=folds).split(X_train, groups=groups[train]))


def _flatten(states, target):
    """``(X (samples, d), y (samples,), groups (samples,) or None)`` from 2-D or 3-D states."""
    if states.ndim == 2:
        if target.shape != (states.shape[0],):
            raise ValueError(
                f"2-D states {states.shape} need a target of shape ({states.shape[0]},); got {target.shape}"
            )
        return states, target, None
    if states.ndim != 3:
        raise ValueError(f"states must be (n, d) or (n, t, d); got shape {states.shape}")
    n, t, d = states.shape
    if target.shape == (n,):
        target = np.repeat(target[:, None], t, axis=1)
    if target.shape != (n, t):
        raise ValueError(f"3-D states {states.shape} need a target of shape ({n},) or ({n}, {t}); got {target.shape}")
    return states.reshape(n * t, d), target.reshape(n * t), np.repeat(np.arange(n), t)
