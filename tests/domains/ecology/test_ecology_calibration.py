"""The GatedForecaster's residual and calibration parts: held-out targets, the frozen direct AR(p) base, the
lag window, the per-horizon calibration factors and their layer, and a calibrated fit end to end."""

import numpy as np
import pytest

from domains.ecology.forecaster import GatedForecaster
from domains.ecology.bases import CentredLags, LagWindow, fit_direct_ar
from domains.ecology.model import Calibration, calibration_factors, scaling
from domains.ecology.simulate import simulate_ricker
from domains.ecology.train import split_targets, training_arrays

SMALL = dict(horizon=3, units=4, head_units=4, epochs=4)


def test_split_targets_partitions_the_valid_targets_by_their_time():
    z = np.arange(12.0)
    _, y = training_arrays([(z, np.zeros((12, 0))), (z[:8], np.zeros((8, 0)))], horizon=3)
    fit, held = split_targets(y, [12, 8], 4)
    assert np.array_equal(fit[..., 1] + held[..., 1], y[..., 1])
    steps = np.arange(y.shape[1])[:, None] + np.arange(1, 4)[None]
    for i, n in enumerate([12, 8]):
        assert np.all(steps[fit[i, ..., 1] > 0] < n - 4)
        assert np.all(steps[held[i, ..., 1] > 0] >= n - 4)


def test_lag_window_matches_the_shifted_series_and_repeats_the_first_value():
    x = np.random.default_rng(0).normal(size=(2, 9, 3)).astype("float32")
    lags = np.asarray(LagWindow(4)(x))
    assert lags.shape == (2, 9, 4)
    for j in range(4):
        assert np.allclose(lags[:, j:, j], x[:, :9 - j, 1])
        assert np.allclose(lags[:, :j, j], x[:, :1, 1])


def test_centred_lags_measure_each_series_from_its_own_mean():
    rng = np.random.default_rng(2)
    series = [rng.normal(size=9).cumsum(), rng.normal(size=6).cumsum()]
    x, _ = training_arrays([(z, np.zeros((len(z), 0))) for z in series], horizon=1)
    lags = np.asarray(CentredLags(3)(x))
    for i, z in enumerate(series):
        centred = (z - z.mean()) / scaling(z, np.zeros((len(z), 0)))[1]
        padded = np.concatenate([np.full(2, centred[0]), centred])
        for j in range(3):
            assert np.allclose(lags[i, :len(z), j], padded[2 - j:2 - j + len(z)], atol=1e-5)


def test_direct_ar_recovers_an_ar2_process():
    rng = np.random.default_rng(1)
    z = np.zeros(3000)
    for t in range(2, len(z)):
        z[t] = 1.3 * z[t - 1] - 0.6 * z[t - 2] + 0.1 * rng.standard_normal()
    x, y = training_arrays([(z, np.zeros((len(z), 0)))], horizon=2)
    kernel, bias = fit_direct_ar(np.asarray(LagWindow(2)(x)), y, ridge=0.0)
    # one step: z_{t+1} - z_t = (phi1 - 1) z_t + phi2 z_{t-1} (levels and changes share the scale s)
    assert kernel[:, 0] == pytest.approx([0.3, -0.6], abs=0.05)
    assert abs(bias[0]) < 0.02


def test_calibration_factors_recover_scale_and_shrink_useless_means():
    rng = np.random.default_rng(2)
    y = 3.0 * rng.standard_normal((5000, 2))
    noise_mean = rng.standard_normal((5000, 2))  # predicted changes unrelated to the outcome
    alpha, k = calibration_factors(noise_mean, np.ones_like(y), y, np.ones_like(y))
    assert np.all(alpha < 0.1)
    assert k == pytest.approx([3.0, 3.0], rel=0.1)
    good = y + 0.1 * rng.standard_normal(y.shape)
    alpha, _ = calibration_factors(good, np.ones_like(y), y, np.ones_like(y))
    assert alpha == pytest.approx([1.0, 1.0], abs=0.02)
    # a horizon without held-out targets borrows the nearest horizon's factors
    valid = np.ones_like(y)
    valid[:, 1] = 0
    alpha, k = calibration_factors(noise_mean, np.ones_like(y), y, valid)
    assert alpha[1] == alpha[0] and k[1] == k[0]


def test_calibration_layer_is_identity_until_set():
    layer = Calibration(2)
    pairs = np.array([[[1.0, 2.0, 3.0, 4.0]]], "float32")
    assert np.allclose(np.asarray(layer(pairs)), pairs)
    layer.set_factors([0.5, 1.0], [2.0, 3.0])
    assert np.allclose(np.asarray(layer(pairs)), [[[0.5, 4.0, 3.0, 12.0]]])
    assert not layer.trainable_weights
    base = np.array([[[10.0, 20.0]]], "float32")
    assert np.allclose(np.asarray(layer([pairs, base])), [[[5.5, 4.0, 3.0, 12.0]]])
    layer.set_factors([0.0, 0.0], [1.0, 1.0])
    assert np.allclose(np.asarray(layer([pairs, base]))[..., ::2], base)


def test_calibrated_fit_with_ar_base_round_trips(tmp_path):
    z = np.log(simulate_ricker(n=60, seed=3).value.to_numpy())
    model = GatedForecaster(**SMALL, ar_order=3, validation=12, ensemble=2, seed=0).fit(z)
    alpha, k = model.calibration_
    assert np.all((0 <= alpha) & (alpha <= 1)) and np.all(k > 0)
    ar = model.network_.get_layer("member0").get_layer("ar")
    assert not ar.trainable_weights and not model.network_.get_layer("member0").compiled  # nested uncompiled
    x, y = training_arrays([(z, np.zeros((len(z), 0)))], 3)
    kernel, bias = fit_direct_ar(np.asarray(CentredLags(3)(x)), y)
    assert np.allclose(ar.get_weights()[0], kernel, atol=1e-5) and np.allclose(ar.get_weights()[1], bias, atol=1e-5)
    # the calibration shrinks the residual towards the same (refitted) base
    assert all(np.allclose(a, b) for a, b in zip(model.network_.get_layer("base").get_weights(), ar.get_weights()))
    before = model.predict(3)
    model.save(tmp_path / "m.keras")
    loaded = GatedForecaster.load(tmp_path / "m.keras")
    after = loaded.predict(3, history=z)
    assert loaded.ensemble == 2
    assert np.allclose(before.mean, after.mean, atol=1e-5) and np.allclose(before.std, after.std, atol=1e-5)


def test_no_validation_means_no_calibration():
    z = np.log(simulate_ricker(n=30, seed=4).value.to_numpy())
    model = GatedForecaster(**SMALL, seed=0).fit(z)
    assert not hasattr(model, "calibration_")
    layer = model.network_.get_layer("calibration")
    assert np.allclose(layer.alpha.numpy(), 1) and np.allclose(layer.k.numpy(), 1)


def test_a_refit_without_validation_drops_the_calibration_of_the_earlier_fit():
    """The factors of a fit with held-out steps survived a refit with ``validation=0``."""
    z = np.log(simulate_ricker(n=40, seed=4).value.to_numpy())
    model = GatedForecaster(**SMALL, validation=8, patience=0, seed=0).fit(z)
    assert hasattr(model, "calibration_")
    model.validation = 0
    model.fit(z)
    assert not hasattr(model, "calibration_")
    layer = model.network_.get_layer("calibration")
    assert np.allclose(layer.alpha.numpy(), 1) and np.allclose(layer.k.numpy(), 1)
