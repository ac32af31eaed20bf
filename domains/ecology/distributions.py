"""Predictive distributions of every forecaster: Gaussian on the log-abundance scale, one per horizon.

Scores used by :mod:`domains.ecology.evaluate`: central prediction intervals and the closed-form CRPS of a
Gaussian (Gneiting & Raftery 2007): ``CRPS(N(mu, s^2), y) = s [w (2 Phi(w) - 1) + 2 phi(w) - 1/sqrt(pi)]`` with
``w = (y - mu) / s``.
"""

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

#: Standard deviations are floored here so that a constant history still gives a proper distribution.
MIN_STD = 1e-6


@dataclass
class GaussianForecast:
    """Forecasts for horizons ``1..H``: ``mean`` and ``std``, each ``(H,)``, on the log scale of the series."""

    mean: np.ndarray
    std: np.ndarray

    def __post_init__(self):
        self.mean = np.asarray(self.mean, dtype=float)
        self.std = np.maximum(np.asarray(self.std, dtype=float), MIN_STD)

    def interval(self, level):
        """Central ``level`` (a share in (0, 1), e.g. 0.8) prediction interval: ``(lower, upper)``, each ``(H,)``.

        >>> GaussianForecast([0.0], [1.0]).interval(0.95)[1].round(3)
        array([1.96])
        """
        if not 0 < level < 1:
            raise ValueError(f"the interval level is a share between 0 and 1 (e.g. 0.8), not {level!r}")
        z = norm.ppf(0.5 + level / 2)
        return self.mean - z * self.std, self.mean + z * self.std

    def crps(self, actual):
        """CRPS against ``actual`` ``(H,)``, per horizon, in the units of the log scale.

        >>> float(GaussianForecast([0.0], [1.0]).crps(np.array([0.0]))[0].round(4))
        0.2337
        """
        w = (np.asarray(actual, dtype=float) - self.mean) / self.std
        return self.std * (w * (2 * norm.cdf(w) - 1) + 2 * norm.pdf(w) - 1 / np.sqrt(np.pi))
