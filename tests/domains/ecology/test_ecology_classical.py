"""The optional statsforecast baselines (``pip install -e .[forecast]``): skipped without statsforecast."""

import sys

import numpy as np
import pytest

from domains.ecology.classical import CLASSICAL, StatsForecastForecaster, available
from domains.ecology.data import load_lynx
from domains.ecology.evaluate import zhang2003


def test_unknown_model_is_refused():
    with pytest.raises(ValueError, match="unknown statsforecast model"):
        StatsForecastForecaster("prophet")


def test_without_the_extra_fitting_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "statsforecast", None)
    monkeypatch.setitem(sys.modules, "statsforecast.models", None)
    with pytest.raises(ImportError, match=r"pip install -e \.\[forecast\]"):
        CLASSICAL["auto_arima"]().fit(np.arange(10.0))


@pytest.mark.skipif(not available(), reason="statsforecast (the optional 'forecast' extra) is not installed")
def test_auto_arima_matches_the_protocol_figure_on_lynx():
    results = zhang2003(load_lynx(), 1920, baselines={"auto_arima": CLASSICAL["auto_arima"]})
    assert results["auto_arima"]["mse"] == pytest.approx(0.0196, abs=5e-4)  # PROTOCOL.md


@pytest.mark.skipif(not available(), reason="statsforecast (the optional 'forecast' extra) is not installed")
@pytest.mark.parametrize("name", ["auto_ets", "theta"])
def test_forecasts_follow_the_history_with_fixed_parameters(name):
    z = np.log10(load_lynx().value)
    model = CLASSICAL[name]().fit(z[:60])
    forecast = model.predict(4)
    low80, high80 = forecast.interval(0.8)
    assert forecast.mean.shape == (4,) and np.all(forecast.std > 0) and np.all(np.diff(high80 - low80) >= -1e-9)
    later = model.predict(1, history=z[:61])
    assert later.mean[0] != pytest.approx(forecast.mean[0])
