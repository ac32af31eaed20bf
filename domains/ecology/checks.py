"""Checks of what every forecaster takes: a log-abundance series, its covariates and a horizon.

Each returns the value as the forecasters use it (a float copy, so that later in-place changes of the caller's
array cannot change a fitted model's forecasts) or raises a one-line ``ValueError`` naming what is wrong.
"""

import numpy as np


def check_series(z, min_length=1, name="z", owner="the forecaster"):
    """``z`` as a new float ``(n,)`` array: one-dimensional, at least ``min_length`` values, all finite.

    Args:
        z: the series (array-like). min_length: the fewest values ``owner`` needs.
        name: what the messages call it (``"z"``, ``"history"``). owner: who needs it (a class name).

    >>> check_series([1.0, 2.0]).tolist()
    [1.0, 2.0]
    >>> check_series([1.0, np.nan, 2.0, np.inf], name="history")
    Traceback (most recent call last):
    ...
    ValueError: history: 2 non-finite values (first at index 1)
    >>> check_series([1.0], min_length=2, owner="NaiveForecaster")
    Traceback (most recent call last):
    ...
    ValueError: z: 1 value; NaiveForecaster needs at least 2
    """
    values = np.array(z, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"{name}: expected a series of shape (n,), got shape {values.shape}")
    if len(values) < min_length:
        raise ValueError(f"{name}: {_count(len(values), 'value')}; {owner} needs at least {min_length}")
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(f"{name}: {_count(bad.sum(), 'non-finite value')} (first at index {np.flatnonzero(bad)[0]})")
    return values


def check_covariates(covariates, n, name="covariates"):
    """``covariates`` as a new float ``(n, k)`` array (``None``: ``k = 0``; a ``(n,)`` array: ``k = 1``).

    >>> check_covariates(None, 3).shape, check_covariates([1.0, 2.0, 3.0], 3).shape
    ((3, 0), (3, 1))
    >>> check_covariates(np.ones(5), 114)
    Traceback (most recent call last):
    ...
    ValueError: covariates: shape (5,) does not fit a series of 114 values; expected (114, k)
    """
    if covariates is None:
        return np.zeros((n, 0))
    values = np.array(covariates, dtype=float)
    shape = values.shape
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or len(values) != n:
        raise ValueError(f"{name}: shape {shape} does not fit a series of {n} values; expected ({n}, k)")
    bad = ~np.isfinite(values)
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise ValueError(f"{name}: {_count(bad.sum(), 'non-finite value')} (first at row {row}, column {column})")
    return values


def check_whole(name, value, least):
    """``value`` if it is an integer (not a bool) no lower than ``least``, else a ``ValueError`` naming ``name``.

    >>> check_whole("epochs", 0, 1)
    Traceback (most recent call last):
    ...
    ValueError: epochs must be a whole number >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise ValueError(f"{name} must be a whole number >= {least}, got {value!r}")
    return value


def check_horizon(horizon):
    """``horizon`` as an ``int`` >= 1 (a whole number of steps).

    >>> check_horizon(3.0)
    3
    >>> check_horizon(0)
    Traceback (most recent call last):
    ...
    ValueError: horizon must be a whole number of steps, at least 1, not 0
    """
    steps = int(horizon)
    if steps < 1 or steps != horizon:
        raise ValueError(f"horizon must be a whole number of steps, at least 1, not {horizon!r}")
    return steps


def _count(n, noun):
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
