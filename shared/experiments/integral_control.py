"""Claim 7: a GatedLSTM trained as a controller learns integral action, keeping its integrator in high-forget units.

Plant: the first-order system ``x' = -a x + b u + d`` with a constant disturbance ``d`` the controller never
sees, discretised exactly for a zero-order hold over ``dt``: ``x_{k+1} = phi x_k + gamma (b u_k + d)``,
``phi = exp(-a dt)``, ``gamma = (1 - phi) / a``. Each episode draws a setpoint ``r`` and a disturbance ``d``
uniformly from ``[-1, 1]`` and starts at ``x_0 = 0``; controllers see only the error ``e_k = r - x_k``.

Cost of an episode of ``T`` steps: ``J = mean_k e_k^2 + rho * mean_k (u_k - u_{k-1})^2`` (``u_{-1} = 0``):
tracking plus a price on control moves, which caps the useful gain without penalising the steady control
that a disturbance requires. A proportional controller ``u = K e`` settles at ``e = (a r - d) / (a + b K)``: it
leaves a steady-state error unless ``K`` is infinite; a PI controller ``u = K_p e + K_i dt sum e`` removes it.

- P and PI: gains tuned on the training episodes' ``J`` (log grid, then Nelder-Mead, ``scipy.optimize``).
- GatedLSTM: a :class:`~shared.layers.GatedLSTMCell` (``return_gates=True``, initial forget-gate bias 1 as in
  ``keras.layers.LSTM``, so a forget gate near 1 has to be learned) reading ``e_k``, a ``Dense(1)`` head giving
  ``u_k``; the closed loop (:func:`closed_loop`, ``keras.ops``) is unrolled over the episode and trained
  by backpropagation through it (a ``keras.Model`` whose loss is ``J``, Adam) on fresh random episodes.
- Integrator units: on held-out episodes, the Pearson correlation of each unit's cell state ``c_j`` with the
  integrated error ``I_k = dt sum_{i<=k} e_i``, and each unit's mean forget gate; plus a ridge probe
  (:func:`shared.probes.linear_probe`) of ``I_k`` from all cell states.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.optimize import minimize

from shared.experiments.base import Experiment, Result

CLAIM = (
    "Integral control from a gated memory (the internal model principle, Francis & Wonham 1976: rejecting a "
    "constant disturbance needs an integrator in the loop): a GatedLSTM trained as a controller on a first-order "
    "plant with a constant unknown disturbance, by backpropagation through the closed loop, learns to remove the "
    "steady-state error, as a PI controller does and a P controller cannot, and it integrates the error in units "
    "whose forget gate stays near 1."
)
CRITERION = (
    "On held-out episodes, the GatedLSTM controller's steady-state error (mean |e| over the last 20 % of the "
    "episode) is at most 0.02 and at most a quarter of the tuned P controller's; and at least one LSTM unit has a "
    "cell state correlated with the integrated error (|Pearson r| >= 0.8) and a mean forget gate >= 0.95."
)


@dataclass(frozen=True)
class Settings:
    """Plant ``a``, ``b``, ``dt``; episodes of ``T`` steps; move penalty ``rho``; LSTM ``units``; ``steps`` Adam
    steps of ``batch`` fresh episodes at ``learning_rate``; ``tune_episodes`` for P/PI tuning; ``test_episodes``."""

    a: float = 1.0
    b: float = 1.0
    dt: float = 0.1
    T: int = 100
    rho: float = 1.0
    units: int = 16
    steps: int = 2000
    batch: int = 128
    learning_rate: float = 3e-3
    tune_episodes: int = 512
    test_episodes: int = 1000


def settings(quick: bool) -> Settings:
    """The full or the quick (CI-sized) :class:`Settings`."""
    if quick:
        return Settings(T=50, steps=200, units=8, batch=64, learning_rate=1e-2, tune_episodes=256, test_episodes=300)
    return Settings()


def episodes(n: int, rng: np.random.Generator) -> np.ndarray:
    """``(n, 2)`` float32 episodes: setpoint ``r`` and disturbance ``d``, each uniform on ``[-1, 1]``."""
    return rng.uniform(-1.0, 1.0, size=(n, 2)).astype(np.float32)


def discretise(config: Settings) -> tuple[float, float]:
    """``(phi, gamma)`` of the exact zero-order-hold discretisation of ``x' = -a x + b u + d``."""
    phi = float(np.exp(-config.a * config.dt))
    return phi, (1.0 - phi) / config.a


def simulate_pi(kp, ki, episodes_: np.ndarray, config: Settings, T: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Errors and controls ``(e, u)``, each ``(n, T)``, of ``u = kp e + ki dt sum e`` (``ki = 0``: P control).

    ``kp`` and ``ki`` may be arrays broadcasting against the ``n`` episodes (e.g. ``(g, 1)`` for ``g`` gain
    settings at once; the outputs are then ``(g, n, T)``)."""
    T = config.T if T is None else T
    phi, gamma = discretise(config)
    r, d = episodes_[:, 0].astype(np.float64), episodes_[:, 1].astype(np.float64)
    kp, ki = np.asarray(kp, np.float64), np.asarray(ki, np.float64)
    shape = np.broadcast_shapes(kp.shape, ki.shape, r.shape)
    x, integral = np.zeros(shape), np.zeros(shape)
    errors, controls = np.empty(shape + (T,)), np.empty(shape + (T,))
    for k in range(T):
        e = r - x
        integral = integral + config.dt * e
        u = kp * e + ki * integral
        errors[..., k], controls[..., k] = e, u
        x = phi * x + gamma * (config.b * u + d)
    return errors, controls


def cost(errors: np.ndarray, controls: np.ndarray, rho: float) -> np.ndarray:
    """``J`` per episode (last axis is time): ``mean e^2 + rho mean (u_k - u_{k-1})^2`` with ``u_{-1} = 0``."""
    moves = np.diff(controls, axis=-1, prepend=0.0)
    return np.mean(errors**2, axis=-1) + rho * np.mean(moves**2, axis=-1)


def steady_state_error(errors: np.ndarray) -> float:
    """Mean ``|e|`` over the last 20 % of the steps (last axis) and all episodes."""
    tail = max(1, errors.shape[-1] // 5)
    return float(np.mean(np.abs(errors[..., -tail:])))


def tune(episodes_: np.ndarray, config: Settings, integral: bool) -> tuple[float, float]:
    """``(kp, ki)`` minimising the mean ``J`` over ``episodes_``: best of a log grid, refined by Nelder-Mead on
    the log gains (``ki = 0`` for P control).

    The loop is linear in ``(r, d)``, so the mean ``J`` over any episodes is a quadratic form of their second
    moments: it is computed exactly from the two unit episodes ``(r, d) = (1, 0)`` and ``(0, 1)``.
    """
    moments = episodes_.T.astype(np.float64) @ episodes_.astype(np.float64) / len(episodes_)  # (2, 2)
    units = np.eye(2)

    def quadratic(z):  # mean over the episodes and steps of z^2, z (..., 2, T) the unit episodes' traces
        return np.einsum("...it,ij,...jt->...", z, moments, z) / z.shape[-1]

    def mean_cost(kp, ki):
        e, u = simulate_pi(kp, ki, units, config)
        return quadratic(e) + config.rho * quadratic(np.diff(u, axis=-1, prepend=0.0))

    grid = np.logspace(-2, 2, 41)
    if integral:
        kp, ki = (g.reshape(-1, 1) for g in np.meshgrid(grid, grid))
    else:
        kp, ki = grid.reshape(-1, 1), np.zeros((len(grid), 1))
    best = int(np.argmin(mean_cost(kp, ki)))
    start = np.log([kp[best, 0], ki[best, 0]]) if integral else np.log([kp[best, 0]])

    def objective(log_gains):
        gains = np.exp(log_gains)
        return float(mean_cost(gains[0], gains[1] if integral else 0.0))

    refined = np.exp(minimize(objective, start, method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-10}).x)
    return float(refined[0]), float(refined[1]) if integral else 0.0


def build_controller(config: Settings, seed: int) -> tuple:
    """``(cell, head)``: a built :class:`~shared.layers.GatedLSTMCell` (``return_gates=True``) reading the error,
    and a ``Dense(1)`` reading its ``h`` to give ``u``; weights seeded by ``seed``."""
    import keras

    from shared.layers import GatedLSTMCell

    cell = GatedLSTMCell(config.units, return_gates=True, name="controller",
                         kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
                         recurrent_initializer=keras.initializers.Orthogonal(seed=seed + 1))
    head = keras.layers.Dense(1, name="head", kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 2))
    cell.build((None, 1))
    head.build((None, config.units))
    return cell, head


def closed_loop(cell, head, episodes_, T: int, config: Settings):
    """Runs the plant under the LSTM controller for ``T`` steps from ``x_0 = 0`` (``keras.ops``, differentiable).

    Args:
        cell, head: from :func:`build_controller`.
        episodes_: ``(n, 2)`` setpoints and disturbances (the disturbance drives the plant only).

    Returns:
        ``(e, u, gates)``: errors and controls ``(n, T)``, and the LSTM's ``h, i, f, o, g, c`` per step,
        ``(n, T, 6, units)``.
    """
    from keras import ops

    phi, gamma = discretise(config)
    episodes_ = ops.convert_to_tensor(episodes_, dtype="float32")
    r, d = episodes_[:, :1], episodes_[:, 1:2]
    x = ops.zeros_like(r)
    h = c = ops.zeros((ops.shape(r)[0], config.units))
    errors, controls, gates = [], [], []
    for _ in range(T):
        e = r - x
        out, (h, c) = cell(e, [h, c])
        u = head(h)
        x = phi * x + gamma * (config.b * u + d)
        errors.append(e)
        controls.append(u)
        gates.append(ops.reshape(out, (-1, 6, config.units)))
    return ops.concatenate(errors, axis=1), ops.concatenate(controls, axis=1), ops.stack(gates, axis=1)


def train(cell, head, config: Settings, seed: int) -> list[float]:
    """Backpropagation through the unrolled closed loop (:func:`closed_loop` in a ``keras.Model`` whose loss is
    the cost ``J``; ``train_on_batch``, so the backend's own compiled training step): ``config.steps`` Adam steps on
    the mean ``J`` of ``config.batch`` fresh episodes (``numpy.random.default_rng([seed, 1, step])``). Returns the
    cost of every step."""
    import keras

    loop = _closed_loop_model(cell, head, config)
    loop.compile(optimizer=keras.optimizers.Adam(config.learning_rate, clipnorm=1.0))
    return [float(loop.train_on_batch(episodes(config.batch, np.random.default_rng([seed, 1, index])),
                                      return_dict=True)["loss"]) for index in range(config.steps)]


def _closed_loop_model(cell, head, config: Settings):
    """A ``keras.Model`` running :func:`closed_loop` on a batch of episodes ``(n, 2)`` (output: errors and controls
    stacked, ``(n, 2, T)``), its loss the mean ``J``. Defined on call, so that listing the experiments does not
    import Keras."""
    import keras
    from keras import ops

    class ClosedLoop(keras.Model):
        def __init__(self):
            super().__init__()
            self.cell, self.head = cell, head

        def call(self, batch):
            e, u, _ = closed_loop(self.cell, self.head, batch, config.T, config)
            return ops.stack([e, u], axis=1)

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            e, u = y_pred[:, 0], y_pred[:, 1]
            moves = u - ops.pad(u[:, :-1], [[0, 0], [1, 0]])
            return ops.mean(e**2) + config.rho * ops.mean(moves**2)

    return ClosedLoop()


def lstm_rollout(cell, head, episodes_: np.ndarray, T: int, config: Settings) -> dict:
    """The trained loop on ``episodes_`` for ``T`` steps as numpy: ``{"e", "u"}`` ``(n, T)`` and
    ``{"forget", "cell"}`` ``(n, T, units)``."""
    from keras import ops

    e, u, gates = (ops.convert_to_numpy(t) for t in closed_loop(cell, head, episodes_, T, config))
    return {"e": e, "u": u, "forget": gates[:, :, 2], "cell": gates[:, :, 5]}


def integrator_units(rollout: dict, dt: float) -> pd.DataFrame:
    """Per unit: ``corr_integrated_error`` (Pearson r of the cell state with ``I_k = dt sum_{i<=k} e_i`` over
    all episodes and steps), ``corr_increment_error`` (r of the increment ``c_k - c_{k-1}`` with ``e_k``: an
    integrator's increments follow the error) and ``forget_mean`` (mean forget gate), sorted by
    ``|corr_integrated_error|`` descending; also ``forget_steady``, the mean forget gate over the last 20 % of
    the steps (the steady state, where an integrator must hold its value)."""
    cells = rollout["cell"]
    increments = np.diff(cells, axis=1, prepend=0.0)
    integral = dt * np.cumsum(rollout["e"], axis=1)
    rows = []
    for unit in range(cells.shape[-1]):
        rows.append({"unit": unit, "corr_integrated_error": _pearson(cells[..., unit], integral),
                     "corr_increment_error": _pearson(increments[..., unit], rollout["e"]),
                     "forget_mean": float(rollout["forget"][..., unit].mean()),
                     "forget_steady": float(rollout["forget"][:, -max(1, cells.shape[1] // 5):, unit].mean())})
    table = pd.DataFrame(rows)
    return table.reindex(table["corr_integrated_error"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson r of two equally shaped arrays (0 when either is constant)."""
    a, b = a.ravel(), b.ravel()
    return float(np.corrcoef(a, b)[0, 1]) if np.std(a) > 0 and np.std(b) > 0 else 0.0


def measure(config: Settings, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Tunes P and PI, trains the LSTM controller, and scores all three on the same held-out episodes, over
    the training horizon ``T`` and over ``3 T`` (does the LSTM hold the error at zero beyond what it trained on?).

    Returns:
        ``(controllers, units, traces)``: one row per controller with ``cost``, ``steady_state_error`` (at ``T``),
        ``steady_state_error_3T`` and its gains (``kp``, ``ki``), plus ``integrated_error_probe_r2`` for the LSTM
        (ridge probe of ``I_k`` from all cell states, split by episode); :func:`integrator_units`; and ``traces``
        for plotting (every controller's errors on the test episodes, the LSTM's losses).
    """
    import keras

    from shared.probes import linear_probe

    tune_set = episodes(config.tune_episodes, np.random.default_rng([seed, 0]))
    test_set = episodes(config.test_episodes, np.random.default_rng([seed, 2]))
    rows, errors = [], {}
    for name, integral in (("P", False), ("PI", True)):
        kp, ki = tune(tune_set, config, integral)
        e, u = simulate_pi(kp, ki, test_set, config)
        errors[name] = e
        rows.append({"controller": name, "kp": kp, "ki": ki, "cost": float(cost(e, u, config.rho).mean()),
                     "steady_state_error": steady_state_error(e),
                     "steady_state_error_3T": steady_state_error(
                         simulate_pi(kp, ki, test_set, config, 3 * config.T)[0])})
    keras.utils.set_random_seed(seed)
    cell, head = build_controller(config, seed)
    losses = train(cell, head, config, seed)
    rollout = lstm_rollout(cell, head, test_set, config.T, config)
    errors["GatedLSTM"] = rollout["e"]
    probe = linear_probe(rollout["cell"], config.dt * np.cumsum(rollout["e"], axis=1), kind="regression", seed=seed)
    rows.append({"controller": "GatedLSTM", "kp": np.nan, "ki": np.nan,
                 "cost": float(cost(rollout["e"], rollout["u"], config.rho).mean()),
                 "steady_state_error": steady_state_error(rollout["e"]),
                 "steady_state_error_3T": steady_state_error(
                     lstm_rollout(cell, head, test_set, 3 * config.T, config)["e"]),
                 "integrated_error_probe_r2": probe.score})
    table = pd.DataFrame(rows)
    table["T"], table["units"], table["train_steps"] = config.T, config.units, config.steps
    return table, integrator_units(rollout, config.dt), {"errors": errors, "losses": losses, "test_set": test_set}


def verdict(table: pd.DataFrame, units: pd.DataFrame) -> tuple[bool, str]:
    """Applies :data:`CRITERION`: ``(held, summary)``."""
    sse = table.set_index("controller")["steady_state_error"]
    long = table.set_index("controller")["steady_state_error_3T"]
    integrators = units[(units["corr_integrated_error"].abs() >= 0.8)]
    best = units.iloc[0]
    error_ok = sse["GatedLSTM"] <= 0.02 and sse["GatedLSTM"] <= 0.25 * sse["P"]
    unit_ok = bool((integrators["forget_mean"] >= 0.95).any())
    held = bool(error_ok and unit_ok)
    others = units.iloc[1:]["forget_mean"]
    summary = (
        f"Held-out steady-state |e|: GatedLSTM {sse['GatedLSTM']:.4f}, PI {sse['PI']:.4f}, P {sse['P']:.4f} "
        f"(over 3x the training horizon: GatedLSTM {long['GatedLSTM']:.4f}, P {long['P']:.4f}); the "
        f"unit whose cell state tracks the integrated error best (r = {best['corr_integrated_error']:+.3f}) has a "
        f"mean forget gate of {best['forget_mean']:.3f} ({best['forget_steady']:.3f} at steady state; other units: "
        f"median {others.median():.3f}); {len(integrators)} unit(s) have |r| >= 0.8, the highest forget gate among "
        f"them is {integrators['forget_mean'].max() if len(integrators) else float('nan'):.3f}: the claim "
        f"{'held' if held else 'did not hold'}."
    )
    return held, summary


def plot(traces: dict, units: pd.DataFrame, dt: float):
    """Three panels: |error| over time per controller (median over test episodes), one episode's error, and
    each unit's mean forget gate against its cell state's correlation with the integrated error."""
    figure, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    for name, e in traces["errors"].items():
        time = dt * np.arange(e.shape[-1])
        axes[0].semilogy(time, np.median(np.abs(e), axis=0) + 1e-6, label=name)
        axes[1].plot(time, e[0], label=name)
    r, d = traces["test_set"][0]
    axes[0].set(xlabel="time", ylabel="median |e| (held-out episodes)", title="steady-state error")
    axes[1].axhline(0.0, color="grey", lw=0.5)
    axes[1].set(xlabel="time", ylabel="error e = r - x", title=f"one episode (r = {r:+.2f}, d = {d:+.2f})")
    axes[0].legend(fontsize=8)
    axes[2].scatter(units["corr_integrated_error"], units["forget_mean"])
    for _, row in units.iterrows():
        axes[2].annotate(str(int(row["unit"])), (row["corr_integrated_error"], row["forget_mean"]), fontsize=7)
    axes[2].set(xlabel="corr(cell state, integrated error)", ylabel="mean forget gate", xlim=(-1.05, 1.05),
                title="integrator units")
    figure.tight_layout()
    return figure


def run(quick: bool, seed: int) -> Result:
    """Tunes, trains and compares with :func:`settings` ``(quick)``; the table holds the controllers, then the
    LSTM's units (``unit`` set, controller ``"GatedLSTM unit"``)."""
    config = settings(quick)
    table, units, traces = measure(config, seed)
    held, summary = verdict(table, units)
    combined = pd.concat([table, units.assign(controller="GatedLSTM unit")], ignore_index=True)
    return Result(table=combined, figure=plot(traces, units, config.dt), held=held, summary=summary)


EXPERIMENT = Experiment(name="integral_control", claim=CLAIM, criterion=CRITERION, run=run,
                        full_runtime="about 1 CPU-minute (measured: 54 s user; 11 min wall on 2 heavily shared cores)")
