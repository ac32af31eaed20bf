"""Simulated populations whose carrying capacity drifts: Ricker growth with process and observation noise.

    log N_{t+1} = log N_t + r (1 - N_t / K_t) + beta x_t + sigma_process e_t
    y_t         = N_t exp(sigma_obs u_t)                     e_t, u_t ~ N(0, 1)

``K_t`` follows a named scenario (``"declining"``: from ``k_start`` down to ``k_end`` linearly in log K;
``"constant"``; ``"random_walk"``: log K a Gaussian random walk with step ``k_drift``), and ``x_t`` is an
optional observed covariate (a standardised AR(1) "weather" series with coefficient 0.6) acting on growth.
A first-order model of ``log y`` reverts to one mean and so misreads a population whose K keeps moving.
"""

import numpy as np
import pandas as pd

SCENARIOS = ("declining", "constant", "random_walk")


def carrying_capacity(n, scenario="declining", k_start=1000.0, k_end=100.0, k_drift=0.05, rng=None):
    """``K_t`` for ``t = 0..n-1`` under a scenario, ``(n,)``.

    >>> carrying_capacity(3, "declining", 1000, 10).round(1)
    array([1000.,  100.,   10.])
    """
    if scenario == "declining":
        return np.exp(np.linspace(np.log(k_start), np.log(k_end), n))
    if scenario == "constant":
        return np.full(n, float(k_start))
    if scenario == "random_walk":
        rng = np.random.default_rng() if rng is None else rng
        return k_start * np.exp(np.concatenate([[0.0], np.cumsum(k_drift * rng.standard_normal(n - 1))]))
    raise ValueError(f"unknown scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}")


def simulate_ricker(n=100, r=0.8, scenario="declining", k_start=1000.0, k_end=100.0, k_drift=0.05,
                    sigma_process=0.1, sigma_obs=0.05, covariate_effect=0.0, seed=0):
    """One simulated series.

    Args:
        n: number of time steps. r: intrinsic growth rate per step.
        scenario, k_start, k_end, k_drift: the carrying capacity (see :func:`carrying_capacity`).
        sigma_process, sigma_obs: standard deviations of the process and observation noise (log scale).
        covariate_effect: ``beta``; 0 leaves the covariate without effect (it is still returned).
        seed: random seed.

    Returns:
        ``pandas.DataFrame`` with columns ``time`` (0..n-1), ``value`` (observed y), ``true_n``, ``true_k``
        and ``weather`` (the covariate x).

    >>> frame = simulate_ricker(n=50, seed=1)
    >>> frame.shape, bool((frame.value > 0).all())
    ((50, 5), True)
    """
    rng = np.random.default_rng(seed)
    k = carrying_capacity(n, scenario, k_start, k_end, k_drift, rng)
    weather = np.zeros(n)
    for t in range(1, n):
        weather[t] = 0.6 * weather[t - 1] + np.sqrt(1 - 0.36) * rng.standard_normal()
    log_n = np.empty(n)
    log_n[0] = np.log(k[0])
    for t in range(n - 1):
        growth = r * (1 - np.exp(log_n[t]) / k[t]) + covariate_effect * weather[t]
        log_n[t + 1] = log_n[t] + growth + sigma_process * rng.standard_normal()
    observed = np.exp(log_n + sigma_obs * rng.standard_normal(n))
    return pd.DataFrame({"time": np.arange(n), "value": observed, "true_n": np.exp(log_n), "true_k": k,
                         "weather": weather})


def simulate_panel(n_series=50, n=80, seed=0, **kwargs):
    """Many series in the project's tidy format (``series_id, time, value, weather``) plus ``true_k``.

    Each series draws its own ``k_start`` (log-uniform 200-5000) and a decline to 5-50 % of it; ``kwargs``
    go to :func:`simulate_ricker`.
    """
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        k_start = float(np.exp(rng.uniform(np.log(200), np.log(5000))))
        k_end = k_start * float(rng.uniform(0.05, 0.5))
        frame = simulate_ricker(n=n, k_start=k_start, k_end=k_end, seed=int(rng.integers(2 ** 31)), **kwargs)
        frames.append(frame.assign(series_id=f"sim_{i:03d}"))
    return pd.concat(frames, ignore_index=True)[["series_id", "time", "value", "weather", "true_k", "true_n"]]
