"""Does a gate behave differently in sequences with an event than in sequences without one?

Each sequence is summarised by its mean gate activity (over time and units, or over time per unit); the two
groups of sequences are then compared by their difference in means, Hedges' g, and a two-sided permutation
test. The sequence, not the step, is the unit of analysis, since the steps of one sequence are not
independent.
"""

import numbers

import numpy as np
import pandas as pd

#: Permutations whose null differences are computed at once (a float64 matrix of this many rows by the number of
#: sequences: 80 MB for 10,000 sequences); the relabellings themselves are kept as booleans.
PERMUTATION_CHUNK = 1000


def gate_statistics(gates, groups, n_permutations=10000, seed=0, mask=None, per_unit=False):
    """Compares mean gate activity between two groups of sequences.

    Args:
        gates: ``(n, t, units)`` activations of one gate, or a dict ``{name: (n, t, units) array}`` such as
            the gates of ``shared.layers.GatedLSTM(..., return_gates=True)`` (``"input"``, ``"forget"``,
            ``"output"``, ``"candidate"``, ``"cell"``). A single array is reported under the name ``"gate"``.
        groups: boolean ``(n,)``: True for the sequences with the event (group 1), False for the others
            (group 0). Both groups need at least two sequences.
        n_permutations: number of random relabellings of the groups in the permutation test.
        seed: seed of the permutations (the same permutations are used for every gate and unit).
        mask: optional boolean ``(n, t)``; only steps where it is True enter a sequence's mean (every
            sequence needs at least one). Masked-out steps may hold anything (NaN padding included); the steps
            that enter a mean must be finite.
        per_unit: if True, one row per gate and unit (a ``unit`` column is added) instead of per gate.

    Returns:
        ``pandas.DataFrame`` with one row per gate (or per gate and unit), indexed by ``gate``, with columns
        ``mean_group1`` and ``mean_group0`` (mean over the group's sequences of each sequence's mean
        activity), ``difference`` (``mean_group1 - mean_group0``), ``hedges_g`` (the difference divided by
        the pooled standard deviation of the sequence means, times the small-sample correction
        ``1 - 3 / (4 (n1 + n0) - 9)``; positive when group 1 is higher), ``p_value`` (two-sided permutation
        test of the difference: ``(1 + #{|permuted difference| >= |difference|}) / (1 + n_permutations)``,
        in ``(0, 1]``), ``n_group1`` and ``n_group0``.

    Raises:
        ValueError: shapes that do not match, no gates, NaN or infinite activations in the steps used, a group
            with fewer than two sequences, or ``n_permutations`` not an integer >= 1.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> groups = np.arange(40) < 20
    >>> forget = rng.uniform(size=(40, 30, 8)) + 0.3 * groups[:, None, None]
    >>> table = gate_statistics({"forget": forget}, groups, n_permutations=999)
    >>> bool(table.loc["forget", "hedges_g"] > 1), bool(table.loc["forget", "p_value"] < 0.01)
    (True, True)
    """
    if not isinstance(gates, dict):
        gates = {"gate": gates}
    if not gates:
        raise ValueError("gates is an empty dict; give at least one gate's activations")
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, numbers.Integral) or n_permutations < 1:
        raise ValueError(f"n_permutations must be an integer >= 1, got {n_permutations!r}")
    groups = np.asarray(groups)
    if groups.ndim != 1 or groups.dtype != bool:
        raise ValueError(f"groups must be a boolean array of shape (n,); got {groups.dtype} {groups.shape}")
    n1, n0 = int(groups.sum()), int((~groups).sum())
    if min(n1, n0) < 2:
        raise ValueError(f"each group needs at least two sequences; got {n1} with and {n0} without the event")
    rng = np.random.default_rng(seed)
    permuted = np.stack([rng.permutation(groups) for _ in range(n_permutations)])  # bool: 1 byte per cell
    rows = []
    for name, values in gates.items():
        summary = _sequence_means(name, np.asarray(values, dtype=np.float64), len(groups), mask, per_unit)
        for unit, column in enumerate(summary.T):
            row = {"gate": name, **_compare(column, groups, permuted)}
            if per_unit:
                row["unit"] = unit
            rows.append(row)
    return pd.DataFrame(rows).set_index("gate")


def _sequence_means(name, values, n, mask, per_unit):
    """Per-sequence mean activity of gate ``name``: ``(n, units)`` if ``per_unit`` else ``(n, 1)``."""
    if values.ndim != 3 or values.shape[0] != n:
        raise ValueError(f"gate {name!r}: activations must be (n={n}, t, units); got shape {values.shape}")
    if mask is None:
        weights = np.ones(values.shape[:2])
    else:
        weights = np.asarray(mask, dtype=bool).astype(np.float64)
        if weights.shape != values.shape[:2]:
            raise ValueError(f"mask must have shape {values.shape[:2]}; got {weights.shape}")
        if np.any(weights.sum(axis=1) == 0):
            raise ValueError("every sequence needs at least one unmasked step")
    used = weights > 0
    if not np.all(np.isfinite(values[used])):
        raise ValueError(f"gate {name!r}: NaN or infinite activations in the steps that enter the means")
    values = np.where(used[..., None], values, 0.0)  # masked-out steps weigh 0, whatever they hold
    per_step_unit = np.einsum("ntu,nt->nu", values, weights) / weights.sum(axis=1, keepdims=True)
    return per_step_unit if per_unit else per_step_unit.mean(axis=1, keepdims=True)


def _compare(values, groups, permuted):
    """Means, difference, Hedges' g and permutation p-value of one per-sequence summary ``(n,)``.

    ``permuted`` is ``(n_permutations, n)`` bool, True where a relabelling puts a sequence in group 1.
    """
    a, b = values[groups], values[~groups]
    n1, n0 = len(a), len(b)
    difference = a.mean() - b.mean()
    pooled_sd = np.sqrt(((n1 - 1) * a.var(ddof=1) + (n0 - 1) * b.var(ddof=1)) / (n1 + n0 - 2))
    correction = 1.0 - 3.0 / (4.0 * (n1 + n0) - 9.0)
    hedges_g = correction * difference / pooled_sd if pooled_sd > 0 else np.nan
    extreme = 0
    for start in range(0, len(permuted), PERMUTATION_CHUNK):  # as floats a chunk at a time: bounded memory
        chunk = permuted[start:start + PERMUTATION_CHUNK].astype(np.float64)
        null = chunk @ values / n1 - (1.0 - chunk) @ values / n0
        # A tolerance so that relabellings tying the observed split are counted despite rounding.
        extreme += np.count_nonzero(np.abs(null) >= np.abs(difference) * (1 - 1e-12))
    p_value = (1 + extreme) / (1 + len(permuted))
    return {
        "mean_group1": a.mean(),
        "mean_group0": b.mean(),
        "difference": difference,
        "hedges_g": hedges_g,
        "p_value": p_value,
        "n_group1": n1,
        "n_group0": n0,
    }
