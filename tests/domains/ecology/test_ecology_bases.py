"""The threshold-AR base (SETAR, its orders and delay by AIC) of the GatedForecaster and resuming an interrupted
fit from its backup folder."""

import numpy as np
import pytest

from domains.ecology.bases import CentredLags, LagWindow, ThresholdAR, fit_threshold_ar, select_threshold_ar
from domains.ecology.forecaster import GatedForecaster
from domains.ecology.simulate import simulate_ricker
from domains.ecology.train import training_arrays

SMALL = dict(horizon=3, units=4, head_units=4, epochs=3)


def _setar(n=4000, seed=0):
    """A two-regime SETAR(1): ``z' = 0.5 z + 0.4 + e`` up to 0.2, ``z' = -0.3 z + 0.1 + e`` above (half each)."""
    rng = np.random.default_rng(seed)
    z = np.zeros(n)
    for t in range(1, n):
        z[t] = (0.5 * z[t - 1] + 0.4 if z[t - 1] <= 0.2 else -0.3 * z[t - 1] + 0.1) + 0.1 * rng.standard_normal()
    return z


def test_threshold_ar_recovers_the_regimes_of_a_setar_process():
    z = _setar()
    x, y = training_arrays([(z, np.zeros((len(z), 0)))], horizon=1)
    s = max(z.std(), 1e-3)
    threshold, kernel, bias, _ = fit_threshold_ar(np.asarray(LagWindow(1, column=1)(x)), y, delay=1, ridge=0.0)
    # the level column is (z - expanding mean) / s; the expanding mean settles, so the threshold is found
    # in that frame: (0.2 - mean) / s; one step: change = (phi - 1) * level + c
    mean = z.mean()
    assert threshold == pytest.approx((0.2 - mean) / s, abs=0.1)
    assert kernel[0, 0, 0] == pytest.approx(0.5 - 1, abs=0.15)
    assert kernel[1, 0, 0] == pytest.approx(-0.3 - 1, abs=0.15)


def test_threshold_layer_switches_regime_at_the_threshold_and_round_trips(tmp_path):
    z = np.log(simulate_ricker(n=60, seed=5).value.to_numpy())
    model = GatedForecaster(**dict(SMALL, epochs=1), ar_order=2, threshold_delay=1, seed=0).fit(z)
    layer = model.network_.get_layer("member0").get_layer("ar")
    assert isinstance(layer, ThresholdAR) and not layer.trainable_weights
    lags = np.array([[[-5.0, 0.0], [5.0, 0.0]]], "float32")
    low, high = np.asarray(layer(lags))[0]
    kernel, bias = (np.asarray(w) for w in (layer.kernel, layer.bias))
    assert np.allclose(low, -5 * kernel[0, 0] + bias[0], atol=1e-5)
    assert np.allclose(high, 5 * kernel[1, 0] + bias[1], atol=1e-5)
    model.save(tmp_path / "m.keras")
    loaded = GatedForecaster.load(tmp_path / "m.keras")
    assert np.allclose(loaded.predict(3, history=z).mean, model.predict(3).mean, atol=1e-5)


def test_fit_resumes_finished_members_from_the_backup_folder(tmp_path):
    z = np.log(simulate_ricker(n=40, seed=6).value.to_numpy())
    first = GatedForecaster(**SMALL, ensemble=2, seed=0).fit(z, backup_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["member0.weights.h5", "member1.weights.h5"]
    trained = first.predict(3).mean
    # a resumed run loads the finished members instead of training them: alter one and it must show
    member = first.network_.get_layer("member1")
    member.set_weights([w * 0.5 for w in member.get_weights()])
    member.save_weights(tmp_path / "member1.weights.h5")
    altered = first.predict(3).mean
    assert not np.allclose(altered, trained, atol=1e-4)
    resumed = GatedForecaster(**SMALL, ensemble=2, seed=0).fit(z, backup_dir=tmp_path)
    assert np.allclose(resumed.predict(3).mean, altered, atol=1e-5)


def _setar_31(n=3000, seed=1):
    """A SETAR(2; 3, 1) with delay 2: three lags below 0, one above (the regime read from ``z_{t-2}``)."""
    rng = np.random.default_rng(seed)
    z = np.zeros(n)
    for t in range(3, n):
        if z[t - 2] <= 0.0:
            z[t] = 0.6 * z[t - 1] + 0.3 * z[t - 2] - 0.4 * z[t - 3] + 0.3
        else:
            z[t] = -0.5 * z[t - 1] - 0.1
        z[t] += 0.1 * rng.standard_normal()
    return z


def test_aic_recovers_the_orders_and_delay_and_unequal_orders_zero_the_unread_lags():
    z = _setar_31()
    x, y = training_arrays([(z, np.zeros((len(z), 0)))], horizon=2)
    lags = np.asarray(CentredLags(5)(x))
    p1, p2, delay = select_threshold_ar(lags, y, max_delay=3)
    assert delay == 2 and p1 >= 3  # AIC may add a lag (it overfits a little), never drops a needed one
    _, kernel, _, _ = fit_threshold_ar(lags, y, delay=2, orders=(3, 1))
    assert kernel.shape == (2, 5, 2) and np.all(kernel[0, 3:] == 0) and np.all(kernel[1, 1:] == 0)
    assert np.all(kernel[0, :3] != 0) and np.all(kernel[1, :1] != 0)


def test_forecaster_chooses_its_base_by_aic_and_a_zero_residual_weight_forecasts_the_base():
    z = _setar_31(n=200, seed=2)
    model = GatedForecaster(**dict(SMALL, epochs=1), ar_order=5, threshold_delay=3, regime_orders="aic",
                            residual="none", validation=20, seed=0).fit(z)
    p1, p2, delay = model.base_structure_
    assert delay == 2 and p1 >= 2 and p2 <= 2
    assert np.allclose(model.calibration_[0], 0.0)
    x, _ = training_arrays([(z, np.zeros((len(z), 0)))], horizon=3)
    base = model.network_.get_layer("base")(model.network_.get_layer("lags")(x))
    s = max(z.std(), 1e-3)
    assert np.allclose(model.predict(3).mean, z[-1] + s * np.asarray(base)[0, -1], atol=1e-5)
