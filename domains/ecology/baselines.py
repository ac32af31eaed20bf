"""The forecasters ecologists and forecasters already use, behind one fit/predict interface.

Every forecaster (these and :class:`domains.ecology.forecaster.GatedForecaster`) works on a log-abundance
series ``z`` ``(n,)`` and has

- ``fit(z, covariates=None)`` -> ``self``: estimates its parameters on ``z`` (covariates ``(n, k)`` are
  accepted and ignored by the baselines);
- ``predict(horizon, history=None, covariates=None)`` -> :class:`GaussianForecast` for ``1..horizon`` steps
  after the end of ``history`` (default: the series it was fitted on), with the parameters held fixed
  (the Zhang (2003) "fixed" set-up; the rolling-origin backtest refits the baselines at every origin).

``z`` and ``history`` are checked the same way by every forecaster (:mod:`domains.ecology.checks`): a value
that is not finite, or fewer values than the model needs (to fit; for a forecast, the lags it reads), is a
one-line ``ValueError``, as is a horizon below 1. The training series is copied.

Models (``r_t = z_{t+1} - z_t`` is the log growth rate, ``N_t = exp(z_t)``):

- ``naive``: ``z_{t+h} = z_t``, random-walk intervals ``sigma sqrt(h)``;
- ``seasonal_naive``: the value one period back, period = the lag (2..20) of the largest autocorrelation;
- ``mean``: the training mean, ``sd sqrt(1 + 1/n)``;
- ``ar2`` (``ARForecaster(p)``): ``z_t = c + sum phi_i z_{t-i} + e`` by least squares, intervals from the
  MA(infinity) weights;
- ``ricker``: ``r_t = a + b N_t + e`` by least squares (``K = -a/b``);
- ``theta_logistic``: ``r_t = r0 (1 - (N_t / K)^theta) + e`` by nonlinear least squares;
  the two density-dependent models forecast by simulating 500 paths with their residual noise. They model a
  positive abundance ``N_t`` (``needs_abundance``), so they are not fitted to a series held on its own scale
  (already centred or differenced: :attr:`domains.ecology.data.PopulationSeries.logged` False).
- :class:`SETARForecaster` (not in :data:`BASELINES`: it needs long series): the two-regime threshold AR
  SETAR(2; 7, 2) that Tong fitted to the lynx, the lynx benchmark's strongest classical anchor.
"""

import numpy as np
from scipy.optimize import least_squares
from sklearn.linear_model import LinearRegression

from domains.ecology.checks import check_horizon, check_series
from domains.ecology.distributions import GaussianForecast

N_PATHS = 500


class _Forecaster:
    """Shared plumbing: checks ``z``, ``history`` and ``horizon`` (:mod:`domains.ecology.checks`) and keeps a
    copy of the training series."""

    #: The fewest training values ``fit`` accepts.
    min_length = 3
    #: True for a model of positive abundance ``N = exp(z)``, which means nothing for a series that is not a log
    #: abundance (one already centred or differenced): the evaluation leaves it out there.
    needs_abundance = False

    def fit(self, z, covariates=None):
        z = check_series(z, self.min_length, "z", type(self).__name__)
        self.train_ = z
        self._fit(z)
        return self

    def predict(self, horizon, history=None, covariates=None):
        horizon = check_horizon(horizon)
        if history is not None:
            history = check_series(history, self._history_length(), "history", type(self).__name__)
        return self._predict(self.train_ if history is None else history, horizon)

    def _history_length(self):
        """The fewest values a forecast's history needs (the lags it reads)."""
        return 1


class NaiveForecaster(_Forecaster):
    """Persistence: ``z_{t+h} = z_t``."""

    min_length = 2

    def _fit(self, z):
        self.sigma_ = float(np.sqrt(np.mean(np.diff(z) ** 2)))

    def _predict(self, history, horizon):
        steps = np.arange(1, horizon + 1)
        return GaussianForecast(np.full(horizon, history[-1]), self.sigma_ * np.sqrt(steps))


class SeasonalNaiveForecaster(_Forecaster):
    """The value one period earlier; the period is given or the lag with the largest autocorrelation."""

    min_length = 5

    def __init__(self, period=None, max_period=20):
        self.period, self.max_period = period, max_period

    def _fit(self, z):
        self.period_ = self.period or _dominant_period(z, self.max_period)
        diffs = z[self.period_:] - z[:-self.period_]
        self.sigma_ = float(np.sqrt(np.mean(diffs ** 2)))

    def _history_length(self):
        return self.period_

    def _predict(self, history, horizon):
        m = self.period_
        steps = np.arange(horizon)
        mean = history[len(history) - m + steps % m]
        return GaussianForecast(mean, self.sigma_ * np.sqrt(steps // m + 1))


class MeanForecaster(_Forecaster):
    """The training mean."""

    def _fit(self, z):
        self.mean_, self.sd_ = float(z.mean()), float(z.std(ddof=1) * np.sqrt(1 + 1 / len(z)))

    def _predict(self, history, horizon):
        return GaussianForecast(np.full(horizon, self.mean_), np.full(horizon, self.sd_))


class ARForecaster(_Forecaster):
    """AR(p) with intercept by ordinary least squares (scikit-learn)."""

    def __init__(self, order=2):
        self.order = int(order)
        if self.order < 1:
            raise ValueError(f"ARForecaster: the order must be at least 1, not {order!r}")
        self.min_length = self.order + 3

    def _history_length(self):
        return self.order

    def _fit(self, z):
        p = self.order
        lags = np.column_stack([z[p - i - 1:len(z) - i - 1] for i in range(p)])
        regression = LinearRegression().fit(lags, z[p:])
        residuals = z[p:] - regression.predict(lags)
        self.intercept_, self.coef_ = float(regression.intercept_), regression.coef_
        self.sigma_ = float(np.sqrt(np.sum(residuals ** 2) / max(len(residuals) - p - 1, 1)))
        psi = np.zeros(64)
        psi[0] = 1.0
        for j in range(1, len(psi)):
            psi[j] = sum(self.coef_[i] * psi[j - i - 1] for i in range(min(p, j)))
        self.psi_ = psi

    def _predict(self, history, horizon):
        path = list(history[-self.order:])
        for _ in range(horizon):
            path.append(self.intercept_ + float(np.dot(self.coef_, path[::-1][:self.order])))
        psi = self.psi_[:horizon] if horizon <= len(self.psi_) else np.pad(self.psi_, (0, horizon - len(self.psi_)))
        return GaussianForecast(path[self.order:], self.sigma_ * np.sqrt(np.cumsum(psi ** 2)))


class _GrowthForecaster(_Forecaster):
    """A model of the log growth rate ``r_t = g(N_t)`` plus Gaussian noise, forecast by simulation."""

    min_length = 5
    needs_abundance = True

    def __init__(self, seed=0):
        self.seed = seed

    def _fit(self, z):
        self.scale_ = float(np.exp(np.median(z)))
        density, growth = np.exp(z[:-1]) / self.scale_, np.diff(z)
        self._fit_growth(density, growth)
        residuals = growth - self._growth(density)
        self.sigma_ = float(np.sqrt(np.mean(residuals ** 2)))

    def _predict(self, history, horizon):
        rng = np.random.default_rng(self.seed)
        paths = np.empty((N_PATHS, horizon))
        current = np.full(N_PATHS, history[-1])
        low, high = history.min() - 10, history.max() + 10
        for h in range(horizon):
            density = np.exp(np.clip(current - np.log(self.scale_), -50, 50))
            current = np.clip(current + self._growth(density) + self.sigma_ * rng.standard_normal(N_PATHS), low, high)
            paths[:, h] = current
        return GaussianForecast(paths.mean(axis=0), paths.std(axis=0))


class RickerForecaster(_GrowthForecaster):
    """Ricker: ``r_t = a + b N_t`` (``a`` the intrinsic growth rate, ``K = -a/b``)."""

    def _fit_growth(self, density, growth):
        regression = LinearRegression().fit(density[:, None], growth)
        self.a_, self.b_ = float(regression.intercept_), float(regression.coef_[0])

    def _growth(self, density):
        return self.a_ + self.b_ * density


class ThetaLogisticForecaster(_GrowthForecaster):
    """Theta-logistic: ``r_t = r0 (1 - (N_t / K)^theta)``, ``K, theta > 0``, by nonlinear least squares."""

    def _fit_growth(self, density, growth):
        ricker = LinearRegression().fit(density[:, None], growth)
        a, b = float(ricker.intercept_), float(ricker.coef_[0])
        k0 = -a / b if b < 0 and a > 0 else float(np.median(density))

        def residuals(params):
            r0, log_k, log_theta = params
            return r0 * (1 - np.exp(np.clip(np.exp(log_theta) * (np.log(density) - log_k), -50, 50))) - growth

        start = [a if a > 0 else 0.1, np.log(max(k0, 1e-6)), 0.0]
        solution = least_squares(residuals, start, bounds=([-5, -20, np.log(0.05)], [5, 20, np.log(20)]))
        self.r0_, self.log_k_, self.log_theta_ = (float(v) for v in solution.x)

    def _growth(self, density):
        ratio = np.exp(np.clip(np.exp(self.log_theta_) * (np.log(density) - self.log_k_), -50, 50))
        return self.r0_ * (1 - ratio)


class SETARForecaster(_Forecaster):
    """Two-regime self-exciting threshold AR (Tong 1978), SETAR(2; p1, p2) with delay ``d``: the low regime's
    AR(p1) when ``z_{t+1-d} <= r``, else the high regime's AR(p2); each regime by least squares, ``r`` the
    candidate (15 %..85 % quantiles of the training values, 29 of them) with the smallest total residual sum of
    squares. The default is Tong's lynx model SETAR(2; 7, 2), d = 2. Forecasts beyond one step by simulating
    500 paths with each regime's residual noise.
    """

    def __init__(self, low_order=7, high_order=2, delay=2, seed=0):
        self.orders, self.delay, self.seed = (int(low_order), int(high_order)), int(delay), seed
        self.min_length = 4 * max(*self.orders, self.delay) + 8

    def _fit(self, z):
        start = max(*self.orders, self.delay)
        steps = np.arange(start, len(z))
        best = None
        for threshold in np.unique(np.quantile(z[steps - self.delay], np.linspace(0.15, 0.85, 29))):
            low = z[steps - self.delay] <= threshold
            fits = [self._regime(z, steps[mask], order)
                    for mask, order in ((low, self.orders[0]), (~low, self.orders[1]))]
            if None not in fits and (best is None or sum(f[2] for f in fits) < best[0]):
                best = (sum(f[2] for f in fits), threshold, fits)
        if best is None:
            raise ValueError(f"SETAR: too few values in a regime ({len(z)} values)")
        _, self.threshold_, self.regimes_ = best

    def _history_length(self):
        return max(*self.orders, self.delay)

    @staticmethod
    def _regime(z, steps, order):
        """``(coefficients (1 + p,), sigma, rss)`` of one regime's AR(p), or ``None`` with too few steps."""
        if len(steps) < order + 3:
            return None
        design = np.column_stack([np.ones(len(steps))] + [z[steps - i] for i in range(1, order + 1)])
        beta, *_ = np.linalg.lstsq(design, z[steps], rcond=None)
        rss = float(np.sum((z[steps] - design @ beta) ** 2))
        return beta, np.sqrt(rss / max(len(steps) - order - 1, 1)), rss

    def _predict(self, history, horizon):
        rng = np.random.default_rng(self.seed)
        paths = np.tile(history[-max(*self.orders, self.delay):], (N_PATHS, 1))
        for h in range(horizon):
            low = paths[:, -self.delay] <= self.threshold_
            step = np.empty(N_PATHS)
            for mask, (beta, sigma, _) in ((low, self.regimes_[0]), (~low, self.regimes_[1])):
                lags = paths[mask][:, ::-1][:, :len(beta) - 1]
                noise = sigma * rng.standard_normal(mask.sum()) if h else np.zeros(mask.sum())
                step[mask] = beta[0] + lags @ beta[1:] + noise
            paths = np.column_stack([paths, step])
        future = paths[:, -horizon:]
        sigma_one = np.where(history[-self.delay] <= self.threshold_, self.regimes_[0][1], self.regimes_[1][1])
        std = future.std(axis=0)
        std[0] = sigma_one
        return GaussianForecast(future.mean(axis=0), std)


def _dominant_period(z, max_period):
    """The lag in ``2..max_period`` (at most ``len(z) // 2``) with the largest sample autocorrelation."""
    centred = z - z.mean()
    top = max(2, min(max_period, len(z) // 2))
    denominator = np.sum(centred ** 2) or 1.0
    acf = [np.sum(centred[lag:] * centred[:-lag]) / denominator for lag in range(2, top + 1)]
    return 2 + int(np.argmax(acf))


#: Name -> factory of every baseline, in the order the evaluation prints them.
BASELINES = {
    "naive": NaiveForecaster,
    "seasonal_naive": SeasonalNaiveForecaster,
    "mean": MeanForecaster,
    "ar2": lambda: ARForecaster(2),
    "ricker": RickerForecaster,
    "theta_logistic": ThetaLogisticForecaster,
}
