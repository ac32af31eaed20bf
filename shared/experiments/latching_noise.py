"""Claim 2: one tanh unit with self-weight w > 1 latches a bit more robustly as w grows, and passes less gradient.

The unit is ``h_t = tanh(w h_{t-1} + u_t)`` from ``h_0 = 0``. The bit is written by a pulse ``u_1 = +1``; the
inputs ``u_2..u_T`` are Gaussian noise with standard deviation ``sigma``. For ``w > 1`` the map has two stable
fixed points ``+-h*(w)`` (``h* = tanh(w h*)``); the bit is lost ("flipped") when ``h_T < 0``.

- Robustness: the tolerated noise ``sigma*(w)`` is the largest ``sigma`` whose flip rate over ``trials``
  sequences stays at or below ``flip_rate`` (bisection with common random numbers, so the flip rate is a
  function of ``sigma`` alone).
- Gradient: ``d h_T / d u_1 = (1 - h_1^2) prod_{t=2..T} w (1 - h_t^2)`` along the noiseless latched trajectory,
  exact in numpy; at the fixed point each factor is ``w (1 - h*^2) < 1`` and shrinks as ``w`` grows.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from shared.experiments.base import Experiment, Result

CLAIM = (
    "Bengio, Simard & Frasconi (1994, IEEE Trans. Neural Networks 5(2):157-166) proved that a recurrent unit can "
    "store a bit robustly against input noise only in a region of state space where its Jacobian is contractive, "
    "so the gradient reaching the input that wrote the bit vanishes with the delay: for a single tanh unit with "
    "self-weight w > 1 (two attractors), the input noise tolerated before the latched bit flips grows with w, "
    "while that gradient, d h_T / d u_1 (a product of w (1 - h_t^2) terms), shrinks."
)
CRITERION = (
    "Over the grid of w > 1, the tolerated noise sigma*(w) (largest input-noise sd with a flip rate <= 5 % after "
    "T steps) rises with w (Spearman rho >= 0.9) and the gradient |d h_T / d u_1| falls with w "
    "(Spearman rho <= -0.9), with the largest w passing at least 100 times (2 orders of magnitude) less gradient "
    "than the smallest."
)


def settings(quick: bool) -> dict:
    """Grid of self-weights ``ws``, sequence length ``T``, noise ``trials`` per sigma, target ``flip_rate``."""
    if quick:
        return {"ws": (1.05, 1.1, 1.25, 1.5, 2.0, 3.0), "T": 50, "trials": 400, "flip_rate": 0.05}
    return {"ws": (1.02, 1.05, 1.1, 1.2, 1.35, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 6.0), "T": 100, "trials": 4000,
            "flip_rate": 0.05}


def fixed_point(w: float, iterations: int = 500) -> float:
    """The positive stable fixed point ``h* = tanh(w h*)`` of the unit, for ``w > 1``."""
    h = 1.0
    for _ in range(iterations):
        h = np.tanh(w * h)
    return float(h)


def trajectory(w: float, inputs: np.ndarray) -> np.ndarray:
    """States ``h_1..h_T`` of the unit from ``h_0 = 0`` for ``inputs`` ``(..., T)``; same shape as ``inputs``."""
    h = np.zeros(inputs.shape[:-1])
    states = np.empty_like(inputs, dtype=float)
    for t in range(inputs.shape[-1]):
        h = np.tanh(w * h + inputs[..., t])
        states[..., t] = h
    return states


def log10_gradient_to_first_input(w: float, inputs: np.ndarray) -> np.ndarray:
    """``log10 (d h_T / d u_1)`` for each sequence of ``inputs`` ``(..., T)`` (the derivative
    ``(1 - h_1^2) prod_{t>=2} w (1 - h_t^2)`` is positive for ``w > 0``), summed in log space so that it does not
    underflow where the gradient itself falls below the smallest float (about 1e-308)."""
    slopes = 1.0 - trajectory(w, inputs) ** 2
    with np.errstate(divide="ignore"):
        return np.log10(slopes[..., 0]) + np.sum(np.log10(w * slopes[..., 1:]), axis=-1)


def pulse_inputs(noise: np.ndarray, sigma: float) -> np.ndarray:
    """Inputs ``(n, T)``: ``u_1 = +1`` then ``sigma * noise`` (``noise`` standard normal, ``(n, T - 1)``)."""
    return np.concatenate([np.ones((noise.shape[0], 1)), sigma * noise], axis=1)


def flip_rate(w: float, noise: np.ndarray, sigma: float) -> float:
    """Fraction of sequences whose latched bit is lost (``h_T < 0``) at noise level ``sigma``."""
    return float(np.mean(trajectory(w, pulse_inputs(noise, sigma))[:, -1] < 0))


def tolerated_noise(w: float, noise: np.ndarray, rate: float, steps: int = 30) -> float:
    """Largest ``sigma`` in ``[0, 8]`` with :func:`flip_rate` ``<= rate``, by bisection (``steps`` halvings)."""
    low, high = 0.0, 8.0
    for _ in range(steps):
        middle = 0.5 * (low + high)
        if flip_rate(w, noise, middle) <= rate:
            low = middle
        else:
            high = middle
    return low


def measure(ws, T: int, trials: int, rate: float, seed: int) -> pd.DataFrame:
    """One row per ``w``: ``w``, ``h_star``, ``contraction`` ``w (1 - h*^2)``, ``tolerated_sigma``,
    ``log10_gradient`` (noiseless ``log10 |d h_T / d u_1|``), ``log10_gradient_at_half_sigma`` (median over the
    noisy sequences at ``sigma*/2``) and ``T``."""
    noise = np.random.default_rng(seed).standard_normal((trials, T - 1))
    rows = []
    for w in ws:
        h_star = fixed_point(w)
        sigma = tolerated_noise(w, noise, rate)
        clean = float(log10_gradient_to_first_input(w, pulse_inputs(noise[:1], 0.0))[0])
        noisy = float(np.median(log10_gradient_to_first_input(w, pulse_inputs(noise, sigma / 2))))
        rows.append({"w": w, "h_star": h_star, "contraction": w * (1 - h_star**2), "tolerated_sigma": sigma,
                     "log10_gradient": clean, "log10_gradient_at_half_sigma": noisy, "T": T})
    return pd.DataFrame(rows)


def verdict(table: pd.DataFrame) -> tuple[bool, str]:
    """Applies :data:`CRITERION` to a :func:`measure` table: ``(held, summary)``."""
    rho_sigma = spearmanr(table["w"], table["tolerated_sigma"]).statistic
    rho_grad = spearmanr(table["w"], table["log10_gradient"]).statistic
    first, last = table.iloc[0], table.iloc[-1]
    orders = first["log10_gradient"] - last["log10_gradient"]
    held = bool(rho_sigma >= 0.9 and rho_grad <= -0.9 and orders >= 2)
    summary = (
        f"From w = {first['w']:g} to {last['w']:g} (T = {int(first['T'])}) the tolerated noise sd rose from "
        f"{first['tolerated_sigma']:.3f} to {last['tolerated_sigma']:.3f} (Spearman {rho_sigma:+.2f}) while "
        f"|d h_T / d u_1| fell from 1e{first['log10_gradient']:.1f} to 1e{last['log10_gradient']:.1f} (Spearman "
        f"{rho_grad:+.2f}, {orders:.0f} orders of magnitude): the trade-off {'held' if held else 'did not hold'}."
    )
    return held, summary


def plot(table: pd.DataFrame):
    """Three panels: tolerated noise vs w, gradient vs w (log), and gradient against tolerated noise."""
    figure, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    axes[0].plot(table["w"], table["tolerated_sigma"], "o-")
    axes[0].set(xlabel="self-weight w", ylabel="tolerated input noise sd", title="robustness grows with w")
    axes[1].plot(table["w"], table["log10_gradient"], "o-", label="noiseless")
    axes[1].plot(table["w"], table["log10_gradient_at_half_sigma"], "s--", label="median, noise sd sigma*/2")
    axes[1].set(xlabel="self-weight w", ylabel="log10 |d h_T / d u_1|", title="gradient to the first input shrinks")
    axes[1].legend(fontsize=8)
    axes[2].plot(table["tolerated_sigma"], table["log10_gradient"], "o-")
    for _, row in table.iterrows():
        axes[2].annotate(f"w={row['w']:g}", (row["tolerated_sigma"], row["log10_gradient"]), fontsize=7)
    axes[2].set(xscale="log", xlabel="tolerated input noise sd", ylabel="log10 |d h_T / d u_1|",
                title="the trade-off")
    figure.tight_layout()
    return figure


def run(quick: bool, seed: int) -> Result:
    """Measures the robustness/gradient trade-off with :func:`settings` ``(quick)``."""
    config = settings(quick)
    table = measure(config["ws"], config["T"], config["trials"], config["flip_rate"], seed)
    held, summary = verdict(table)
    return Result(table=table, figure=plot(table), held=held, summary=summary)


EXPERIMENT = Experiment(name="latching_noise", claim=CLAIM, criterion=CRITERION, run=run,
                        full_runtime="about 6 CPU seconds")
