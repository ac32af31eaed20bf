"""shared.probes.gate_statistics: planted differences are found, null ones are not; signs and p-values are right."""

import importlib

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from shared.probes import gate_statistics

GATES = ("input", "forget", "output", "candidate", "cell")


def gate_dict(rng, n=40, t=12, units=4):
    return {name: rng.uniform(size=(n, t, units)) for name in GATES}


def test_planted_difference_gives_large_effect_and_small_p(rng):
    groups = np.arange(40) < 20
    gates = gate_dict(rng)
    gates["forget"] = gates["forget"] + 0.2 * groups[:, None, None]
    table = gate_statistics(gates, groups, n_permutations=2000)
    assert isinstance(table, pd.DataFrame) and list(table.index) == list(GATES)
    forget = table.loc["forget"]
    assert forget["difference"] == pytest.approx(0.2, abs=0.05)
    assert forget["hedges_g"] > 2.0
    assert forget["p_value"] == pytest.approx(1 / 2001)  # no relabelling is as extreme
    assert (forget["n_group1"], forget["n_group0"]) == (20, 20)
    assert table.drop(index="forget")["hedges_g"].abs().max() < 1.5


def test_effect_size_sign_follows_group_order(rng):
    groups = np.arange(30) % 3 == 0
    gate = rng.normal(size=(30, 5, 2)) + 1.0 * groups[:, None, None]
    higher = gate_statistics(gate, groups, n_permutations=500)
    lower = gate_statistics(gate, ~groups, n_permutations=500)
    assert higher.loc["gate", "hedges_g"] > 0 and higher.loc["gate", "difference"] > 0
    assert lower.loc["gate", "hedges_g"] == pytest.approx(-higher.loc["gate", "hedges_g"])
    assert lower.loc["gate", "mean_group1"] == pytest.approx(higher.loc["gate", "mean_group0"])


def test_identical_distributions_give_uniform_p_values(rng):
    groups = np.arange(24) < 12
    gates = {f"g{i}": rng.normal(size=(24, 3, 2)) for i in range(100)}
    p = gate_statistics(gates, groups, n_permutations=200, seed=1)["p_value"].to_numpy()
    assert np.all((p > 0) & (p <= 1))
    assert 0.35 < p.mean() < 0.65
    assert 0.01 <= np.mean(p < 0.05) <= 0.12


def test_mask_excludes_steps(rng):
    groups = np.arange(20) < 10
    gate = rng.uniform(size=(20, 8, 3))
    gate[groups, 6:] += 50.0  # a difference only in steps the mask hides
    mask = np.ones((20, 8), dtype=bool)
    mask[:, 6:] = False
    masked = gate_statistics(gate, groups, n_permutations=500, mask=mask)
    unmasked = gate_statistics(gate, groups, n_permutations=500)
    assert masked.loc["gate", "p_value"] > 0.01 and abs(masked.loc["gate", "difference"]) < 0.2
    assert unmasked.loc["gate", "difference"] > 10


def test_masked_sequence_mean_divides_by_its_own_valid_steps():
    """Known answer: a sequence's mean is over its unmasked steps only, so padding never lowers it. Four
    sequences, T = 5; group 1 (rows 0, 1) has all 5 steps, group 0 (rows 2, 3) only 2 (the other 3 are NaN).
    Gate "flat" holds 1 in unit 0 and 3 in unit 1 at every step of rows 0 and 2, and 2 and 4 in rows 1 and 3:
    sequence means 2, 3, 2, 3 in both groups, so both group means are 2.5 and the difference is 0 (dividing by T
    instead would give group 0 means of 0.8 and 1.2). Per unit: 1.5 and 3.5 in both groups. Gate "ramp" is
    step + 1 (1 .. 5): long sequences mean 3, short ones (1 + 2) / 2 = 1.5, difference 1.5."""
    lengths = np.array([5, 5, 2, 2])
    mask = np.arange(5)[None, :] < lengths[:, None]
    groups = np.array([True, True, False, False])
    level = np.array([[1.0, 3.0], [2.0, 4.0], [1.0, 3.0], [2.0, 4.0]])
    flat = np.where(mask[..., None], level[:, None, :], np.nan)
    ramp = np.where(mask[..., None], np.arange(1.0, 6.0)[None, :, None], np.nan) * np.ones((4, 5, 1))
    table = gate_statistics({"flat": flat, "ramp": ramp}, groups, n_permutations=20, mask=mask)
    assert table.loc["flat", ["mean_group1", "mean_group0", "difference"]].tolist() == pytest.approx([2.5, 2.5, 0.0])
    assert table.loc["flat", "hedges_g"] == pytest.approx(0.0, abs=1e-12)  # sequence means 2, 3 in each group
    assert table.loc["flat", "p_value"] == 1.0  # every relabelling's |difference| >= 0
    assert table.loc["ramp", ["mean_group1", "mean_group0", "difference"]].tolist() == pytest.approx([3.0, 1.5, 1.5])
    units = gate_statistics(flat, groups, n_permutations=20, mask=mask, per_unit=True)
    assert units["mean_group1"].tolist() == pytest.approx([1.5, 3.5])
    assert units["mean_group0"].tolist() == pytest.approx([1.5, 3.5])


def test_per_unit_rows_find_the_unit(rng):
    groups = np.arange(30) < 15
    gate = rng.uniform(size=(30, 6, 4))
    gate[groups, :, 2] += 0.3
    table = gate_statistics({"input": gate}, groups, n_permutations=500, per_unit=True)
    assert list(table["unit"]) == [0, 1, 2, 3]
    assert table["hedges_g"].to_numpy().argmax() == 2
    assert table.loc[table["unit"] == 2, "p_value"].item() < 0.01


def test_permutations_are_seeded(rng):
    groups = np.arange(16) < 8
    gate = rng.normal(size=(16, 4, 2))
    first = gate_statistics(gate, groups, n_permutations=300, seed=7)
    pd.testing.assert_frame_equal(first, gate_statistics(gate, groups, n_permutations=300, seed=7))


def test_bad_arguments(rng):
    gate = rng.uniform(size=(6, 3, 2))
    with pytest.raises(ValueError, match="boolean"):
        gate_statistics(gate, np.array([1, 0, 1, 0, 1, 0]))
    with pytest.raises(ValueError, match="at least two"):
        gate_statistics(gate, np.arange(6) < 1)
    with pytest.raises(ValueError, match="mask"):
        gate_statistics(gate, np.arange(6) < 3, mask=np.ones((6, 4), dtype=bool))


def test_matches_scipy_exact_permutation_test_and_exact_hedges_g():
    """A hand-sized example: the p-value agrees with scipy's exact (all 924 splits) permutation test within
    Monte-Carlo error, and g with the exact small-sample correction J(df) = G(df/2) / (sqrt(df/2) G((df-1)/2))."""
    a = np.array([0.61, 0.72, 0.55, 0.80, 0.68, 0.75])
    b = np.array([0.52, 0.49, 0.63, 0.58, 0.45, 0.60])
    groups = np.r_[np.ones(6, bool), np.zeros(6, bool)]
    gate = np.repeat(np.r_[a, b][:, None, None], 4, axis=1)  # each sequence's mean is its value
    row = gate_statistics(gate, groups, n_permutations=20000, seed=0).loc["gate"]
    exact = stats.permutation_test(
        (a, b), lambda u, v: np.mean(u) - np.mean(v), permutation_type="independent", n_resamples=np.inf
    ).pvalue
    assert row["p_value"] == pytest.approx(exact, abs=3 * np.sqrt(exact * (1 - exact) / 20000))
    df = 10
    d = (a.mean() - b.mean()) / np.sqrt((5 * a.var(ddof=1) + 5 * b.var(ddof=1)) / df)
    j = np.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / np.sqrt(df / 2)
    assert row["hedges_g"] == pytest.approx(d * j, rel=1e-3)
    assert row["difference"] == pytest.approx(0.14)


def test_non_finite_activations_are_refused_unless_masked_out(rng):
    """A NaN used to give a NaN difference with the smallest possible p-value (every comparison with NaN is
    False, so no relabelling counted as extreme); NaN padding the mask hides is ignored."""
    groups = np.arange(10) < 5
    gate = rng.uniform(size=(10, 6, 2))
    broken = gate.copy()
    broken[3, 4, 1] = np.nan
    with pytest.raises(ValueError, match="gate 'forget': NaN or infinite"):
        gate_statistics({"forget": broken}, groups, n_permutations=99)
    mask = np.ones((10, 6), dtype=bool)
    mask[3, 4:] = False
    padded = gate_statistics(broken, groups, n_permutations=99, mask=mask)
    pd.testing.assert_frame_equal(padded, gate_statistics(gate, groups, n_permutations=99, mask=mask))
    with pytest.raises(ValueError, match="n_permutations"):
        gate_statistics(gate, groups, n_permutations=0)
    with pytest.raises(ValueError, match="empty"):
        gate_statistics({}, groups)


def test_permutations_counted_a_chunk_at_a_time_give_the_same_p_values(rng, monkeypatch):
    """The relabellings are kept as booleans and turned into null differences a chunk at a time (a float64
    matrix of every permutation took 850 MB for SST's 10,662 sentences); chunk boundaries change no count."""
    module = importlib.import_module("shared.probes.gate_statistics")  # the package exports a function of its name

    gates = {"forget": rng.random((60, 5, 3)), "input": rng.random((60, 5, 3))}
    groups = np.arange(60) % 3 == 0
    whole = gate_statistics(gates, groups, n_permutations=500, per_unit=True)
    monkeypatch.setattr(module, "PERMUTATION_CHUNK", 7)  # 71 full chunks and a partial one
    pd.testing.assert_frame_equal(gate_statistics(gates, groups, n_permutations=500, per_unit=True), whole)
