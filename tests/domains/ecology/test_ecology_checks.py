"""What every baseline refuses, with one line naming the problem, and what it copies (domains.ecology.checks)."""

import numpy as np
import pytest

from domains.ecology.baselines import BASELINES, ARForecaster, SeasonalNaiveForecaster, SETARForecaster
from domains.ecology.checks import check_covariates, check_horizon, check_series
from domains.ecology.data import load_lynx
from domains.ecology.distributions import GaussianForecast

FORECASTERS = {**BASELINES, "setar": SETARForecaster}


@pytest.fixture(scope="module")
def z():
    return load_lynx().log


@pytest.mark.parametrize("name", FORECASTERS)
def test_non_finite_values_are_refused_in_fit_and_history(name, z):
    broken = z.copy()
    broken[[5, 9]] = [np.nan, np.inf]
    with pytest.raises(ValueError, match=r"^z: 2 non-finite values \(first at index 5\)$"):
        FORECASTERS[name]().fit(broken)
    model = FORECASTERS[name]().fit(z)
    with pytest.raises(ValueError, match=r"^history: 2 non-finite values \(first at index 5\)$"):
        model.predict(1, history=broken)
    with pytest.raises(ValueError, match="horizon must be a whole number of steps, at least 1, not 0"):
        model.predict(0)


@pytest.mark.parametrize("model, needed", [(ARForecaster(12), 12), (SeasonalNaiveForecaster(), None),
                                           (SETARForecaster(), 7)])
def test_a_history_shorter_than_the_lags_read_is_refused(model, needed, z):
    model.fit(z)
    needed = needed or model.period_
    assert model.predict(2, history=z[:needed]).mean.shape == (2,)
    message = rf"^history: {needed - 1} values; {type(model).__name__} needs at least {needed}$"
    with pytest.raises(ValueError, match=message):
        model.predict(2, history=z[:needed - 1])


def test_ar_order_below_one_is_refused():
    with pytest.raises(ValueError, match="order must be at least 1, not 0"):
        ARForecaster(0)


def test_a_fitted_baseline_does_not_follow_later_changes_of_the_callers_array(z):
    series = z.copy()
    model = ARForecaster(2).fit(series)
    before = model.predict(3).mean
    series[:] = 0.0
    assert np.array_equal(model.predict(3).mean, before)


def test_interval_level_must_be_a_share():
    forecast = GaussianForecast([0.0], [1.0])
    for level in (80, 0, 1, -0.5, float("nan")):
        with pytest.raises(ValueError, match="between 0 and 1"):
            forecast.interval(level)


def test_check_helpers():
    assert check_series(np.arange(3)).dtype == float
    with pytest.raises(ValueError, match=r"^z: expected a series of shape \(n,\), got shape \(3, 1\)$"):
        check_series(np.ones((3, 1)))
    with pytest.raises(ValueError, match=r"^covariates: 1 non-finite value \(first at row 2, column 1\)$"):
        check_covariates(np.array([[0, 0], [0, 0], [0, np.nan]]), 3)
    with pytest.raises(ValueError, match="not 2.5"):
        check_horizon(2.5)
