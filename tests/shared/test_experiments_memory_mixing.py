"""Claim 6: exact chaotic and quasi-periodic drives, the autocorrelation and spectrum measures, a tiny run."""

import numpy as np
import pandas as pd
import pytest

from shared.experiments import EXPERIMENTS
from shared.experiments import memory_mixing as mm


def test_doubling_orbits_are_exact_and_never_collapse(rng):
    x = mm.doubling(3, 400, rng)
    assert x.shape == (3, 400) and x.min() >= 0.0 and x.max() < 1.0
    # doubling is a shift of the bits: only the freshly appended 53rd bit differs
    assert np.abs(x[:, 1:] - (2.0 * x[:, :-1]) % 1.0).max() <= 2.0**-53
    assert x[:, -100:].std() > 0.2  # float iteration would have collapsed to 0 after ~53 steps


def test_rotation_steps_by_the_golden_ratio_conjugate(rng):
    x = mm.rotation(2, 300, rng)
    step = (x[:, 1:] - x[:, :-1]) % 1.0
    np.testing.assert_allclose(step, mm.GOLDEN, atol=1e-9)


def test_autocorrelation_of_a_sinusoid_and_of_noise(rng):
    t = np.arange(4096)
    sine = np.cos(2 * np.pi * 0.05 * t)[None, :, None]
    acf = mm.autocorrelation(sine, 40)
    assert acf[0] == pytest.approx(1.0)
    np.testing.assert_allclose(acf[20], (4096 - 20) / 4096, atol=1e-3)  # a full period later; biased estimator
    assert acf[10] < -0.99  # half a period
    noise = mm.autocorrelation(rng.standard_normal((4, 4096, 3)), 40)
    assert np.abs(noise[1:]).max() < 0.05


def test_line_share_tells_a_line_from_a_flat_spectrum():
    flat = np.ones(1000)
    line = np.full(1000, 1e-6)
    line[37] = 1.0
    assert mm.line_share(flat) == pytest.approx(0.01)
    assert mm.line_share(line) > 0.99


def test_envelope_is_the_largest_magnitude_per_block():
    acf = np.concatenate([[1.0], np.tile([0.5, -0.9, 0.1], 10)])  # 30 lags after lag 0
    lags, values = mm.envelope(acf, width=3)
    np.testing.assert_array_equal(lags, 1 + 3 * np.arange(10))
    np.testing.assert_allclose(values, 0.9)


def test_small_run_separates_the_two_drives():
    config = {"n": 2, "T": 1024, "burn": 100, "units": 8, "forget_biases": (1.0,), "late": 60, "max_lag": 200,
              "nperseg": 256}
    table, curves = mm.measure(config, seed=3)
    rot = table[table["drive"] == "rotation"].iloc[0]
    dbl = table[table["drive"] == "doubling"].iloc[0]
    assert rot["late_max"] > 0.9 and dbl["late_max_abs"] < 0.15
    assert rot["line_share"] > dbl["line_share"] + 0.3
    assert rot["decorrelation_lag"] > 180 and dbl["decorrelation_lag"] < 60  # (almost) never / within tens of steps
    acf, frequencies, power = curves[("doubling", 1.0)]
    assert len(acf) == 201 and frequencies.shape == power.shape


def test_verdict_fails_when_the_chaotic_drive_keeps_its_correlations():
    rows = [{"drive": "rotation", "forget_bias": 1.0, "late_max": 0.99, "late_max_abs": 0.99, "line_share": 0.95,
             "decorrelation_lag": 401, "late_lags": "100-400"},
            {"drive": "doubling", "forget_bias": 1.0, "late_max": 0.02, "late_max_abs": 0.03, "line_share": 0.1,
             "decorrelation_lag": 9, "late_lags": "100-400"}]
    held, summary = mm.verdict(pd.DataFrame(rows))
    assert held and "held" in summary
    rows[1]["late_max_abs"] = 0.4
    held, summary = mm.verdict(pd.DataFrame(rows))
    assert not held and "did not hold" in summary


def test_registered_under_its_name():
    assert EXPERIMENTS["memory_mixing"] is mm.EXPERIMENT
