"""AutoARIMA, AutoETS and Theta from statsforecast behind the baselines' interface (an optional extra).

``pip install -e .[forecast]`` installs statsforecast (with statsmodels and pyarrow: too heavy for the core
or ``dev`` set-up). Without it :data:`CLASSICAL` is still importable; fitting one of its models raises an
``ImportError`` that says how to install it, and :func:`available` tells callers beforehand.

Each model is fitted once on the training series (order, smoothing or theta parameters by statsforecast's
own selection) and forecasts after a later history with those parameters fixed, through statsforecast's
``forward`` (the Zhang 2003 "fixed" set-up; the rolling-origin backtest refits at every origin, as it does
every baseline). The predictive distribution is the Gaussian whose central 80 % interval is
statsforecast's: ``std = (hi80 - lo80) / (2 z_0.9)``. Check against PROTOCOL.md: AutoARIMA's one-step MSE on
lynx 1921-1934 is 0.0196 there and here.
"""

import importlib.util
from functools import partial

import numpy as np
from scipy.stats import norm

from domains.ecology.baselines import _Forecaster
from domains.ecology.distributions import GaussianForecast

INSTALL_HINT = "statsforecast is not installed; install the optional extra: pip install -e .[forecast]"
#: The statsforecast model class behind each name.
MODELS = {"auto_arima": "AutoARIMA", "auto_ets": "AutoETS", "theta": "Theta"}


def available():
    """Whether statsforecast can be imported (the ``forecast`` extra is installed)."""
    return importlib.util.find_spec("statsforecast") is not None


class StatsForecastForecaster(_Forecaster):
    """One statsforecast model (``"auto_arima"``, ``"auto_ets"`` or ``"theta"``), non-seasonal, on ``z``."""

    min_length = 8

    def __init__(self, model="auto_arima"):
        if model not in MODELS:
            raise ValueError(f"unknown statsforecast model {model!r}; choose from {', '.join(MODELS)}")
        self.model = model

    def _fit(self, z):
        try:
            import statsforecast.models
        except ImportError as error:
            raise ImportError(INSTALL_HINT) from error
        self.model_ = getattr(statsforecast.models, MODELS[self.model])().fit(z)

    def _predict(self, history, horizon):
        out = self.model_.forward(y=history, h=horizon, level=[80])
        half_width = (np.asarray(out["hi-80"], dtype=float) - np.asarray(out["lo-80"], dtype=float)) / 2
        return GaussianForecast(np.asarray(out["mean"], dtype=float), half_width / norm.ppf(0.9))


#: Name -> factory, like :data:`domains.ecology.baselines.BASELINES` (fitting needs statsforecast).
CLASSICAL = {name: partial(StatsForecastForecaster, name) for name in MODELS}
