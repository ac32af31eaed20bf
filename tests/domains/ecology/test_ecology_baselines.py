"""Baselines: known answers on simulated processes, the published lynx AR(2) figure, Gaussian scores."""

import numpy as np
import pytest

from domains.ecology.baselines import (BASELINES, ARForecaster, MeanForecaster, NaiveForecaster, RickerForecaster,
                                       SeasonalNaiveForecaster, SETARForecaster, ThetaLogisticForecaster)
from domains.ecology.data import load_lynx
from domains.ecology.distributions import GaussianForecast
from domains.ecology.evaluate import zhang2003


def test_naive_is_persistence_with_random_walk_intervals():
    forecast = NaiveForecaster().fit(np.array([0.0, 1.0, 0.0, 1.0])).predict(4)
    assert forecast.mean.tolist() == [1.0] * 4
    assert np.allclose(forecast.std, np.sqrt([1, 2, 3, 4]))


def test_ar2_recovers_its_coefficients(rng):
    z = np.zeros(3000)
    for t in range(2, len(z)):
        z[t] = 1.0 + 1.2 * z[t - 1] - 0.5 * z[t - 2] + 0.1 * rng.standard_normal()
    model = ARForecaster(2).fit(z)
    assert model.coef_ == pytest.approx([1.2, -0.5], abs=0.03)
    assert model.sigma_ == pytest.approx(0.1, rel=0.05)
    assert model.predict(50).mean[-1] == pytest.approx(1.0 / (1 - 1.2 + 0.5), abs=0.05)



def test_ar2_intervals_grow_with_the_ma_infinity_weights(rng):
    """For AR(2) coefficients (a, b): psi = 1, a, a^2 + b, a^3 + 2ab, and the h-step sd is sigma sqrt(psi_0^2 + ...
    + psi_(h-1)^2)."""
    z = np.zeros(3000)
    for t in range(2, len(z)):
        z[t] = 1.0 + 1.2 * z[t - 1] - 0.5 * z[t - 2] + 0.1 * rng.standard_normal()
    model = ARForecaster(2).fit(z)
    a, b = model.coef_
    psi = np.array([1.0, a, a * a + b, a ** 3 + 2 * a * b])
    np.testing.assert_allclose(model.predict(4).std, model.sigma_ * np.sqrt(np.cumsum(psi ** 2)), rtol=1e-12)
    # with (1.2, -0.5): 1, 1.56205, 1.82307, 1.89799 sigma
    np.testing.assert_allclose(model.predict(4).std / model.sigma_, [1, 1.56205, 1.82307, 1.89799], rtol=0.05)


def test_mean_and_seasonal_naive_by_hand():
    # mean 2.5; sd: the sample sd 1.290994 (ddof 1) widened for the mean's own error, x sqrt(1 + 1/4)
    mean = MeanForecaster().fit(np.array([1.0, 2.0, 3.0, 4.0])).predict(2)
    np.testing.assert_allclose(mean.mean, [2.5, 2.5])
    np.testing.assert_allclose(mean.std, [1.443376] * 2, rtol=1e-6)
    # period 2: the last period repeated; sigma from the lag-2 differences 0, 1, 0, -1 (sqrt(1/2)); the sd grows
    # with whole periods ahead: sqrt(1), sqrt(1), sqrt(2), sqrt(2), sqrt(3)
    seasonal = SeasonalNaiveForecaster(period=2).fit(np.array([0.0, 1.0, 0.0, 2.0, 0.0, 1.0]))
    assert seasonal.sigma_ == pytest.approx(np.sqrt(0.5))
    forecast = seasonal.predict(5)
    assert forecast.mean.tolist() == [0.0, 1.0, 0.0, 1.0, 0.0]
    np.testing.assert_allclose(forecast.std, np.sqrt(0.5) * np.sqrt([1, 1, 2, 2, 3]))

def test_ricker_and_theta_logistic_recover_density_dependence(rng):
    z = np.zeros(2000)
    z[0] = np.log(50)
    for t in range(len(z) - 1):
        z[t + 1] = z[t] + 0.7 * (1 - np.exp(z[t]) / 200) + 0.05 * rng.standard_normal()
    ricker = RickerForecaster().fit(z)
    assert -ricker.a_ / ricker.b_ * ricker.scale_ == pytest.approx(200, rel=0.05)
    theta = ThetaLogisticForecaster().fit(z)
    assert np.exp(theta.log_k_) * theta.scale_ == pytest.approx(200, rel=0.05)
    assert theta.r0_ * np.exp(theta.log_theta_) == pytest.approx(0.7, rel=0.2)  # slope at K
    assert ricker.predict(10).mean[-1] == pytest.approx(np.log(200), abs=0.05)


def test_setar_recovers_its_threshold_and_regimes(rng):
    z = np.zeros(3000)
    for t in range(2, len(z)):
        low = z[t - 2] <= 0.5
        z[t] = (0.4 + 0.6 * z[t - 1] if low else -0.2 - 0.5 * z[t - 1]) + 0.05 * rng.standard_normal()
    model = SETARForecaster(low_order=1, high_order=1, delay=2).fit(z)
    assert np.mean((z <= model.threshold_) == (z <= 0.5)) > 0.99  # the same regimes (the grid is coarse)
    assert model.regimes_[0][0] == pytest.approx([0.4, 0.6], abs=0.05)
    assert model.regimes_[1][0] == pytest.approx([-0.2, -0.5], abs=0.05)
    forecast = model.predict(3)
    low = z[-2] <= model.threshold_
    beta = model.regimes_[0 if low else 1][0]
    assert forecast.mean[0] == pytest.approx(beta[0] + beta[1] * z[-1], abs=1e-9)
    assert forecast.std[0] == pytest.approx(0.05, rel=0.1)


def test_seasonal_naive_finds_the_period():
    z = np.sin(2 * np.pi * np.arange(60) / 7)
    model = SeasonalNaiveForecaster().fit(z)
    assert model.period_ == 7
    assert np.allclose(model.predict(7).mean, z[-7:])


def test_zhang_lynx_ar2_matches_the_published_figure():
    results = zhang2003(load_lynx(), train_end=1920)
    assert results["ar2"]["mse"] == pytest.approx(0.0176, abs=0.00005)  # the measured AR(2)
    assert set(results) == set(BASELINES)


def test_gaussian_scores():
    forecast = GaussianForecast([0.0, 0.0], [1.0, 2.0])
    low, high = forecast.interval(0.8)
    assert high == pytest.approx([1.2816, 2.5631], abs=1e-4) and np.allclose(low, -high)
    # CRPS of N(0, s^2) at its mean is s (sqrt 2 - 1) / sqrt(pi)
    assert forecast.crps([0.0, 0.0]) == pytest.approx(np.array([1, 2]) * (np.sqrt(2) - 1) / np.sqrt(np.pi))
