"""Claim 1: Bengio, Simard & Frasconi (1994): BPTT against simulated annealing and multi-grid random search.

Every method trains the same tiny network, a tanh RNN with ``n`` units on a scalar input,
``h_t = tanh(W h_{t-1} + U x_t + b)`` from ``h_0 = 0`` and ``P(class 1) = sigmoid(v . h_T + c)``, written in numpy
with a leading *population* axis so that many parameter vectors (independent trials, or the candidates of one
search step) run in one pass. The objective is the mean cross-entropy on a fixed training set of ``n_train``
sequences from :mod:`shared.tasks.generators` (latch, two_sequence, parity).

- ``bptt``: exact gradient by back-propagation through time (checked against finite differences in the tests),
  Adam steps; one evaluation = one forward and backward pass.
- ``annealing``: simulated annealing, Gaussian proposals on all weights with a per-chain step size adapted
  towards 30 % acceptance, Metropolis acceptance at a temperature falling geometrically; one evaluation = one
  forward pass.
- ``multigrid``: multi-grid random search: ``candidates`` uniform points in a box around the best point so far,
  move to the best if it improves, halve the box; restart from the full box when it gets small.
- ``gated_lstm``: a :class:`shared.layers.GatedLSTM` (chrono initialisation) of ``lstm_units`` units trained with
  :func:`shared.tasks.run_task` on fresh batches; one evaluation = one Adam step on a batch.

A run stops as soon as its training accuracy reaches :data:`STOP_ACCURACY` (0.95) or its budget is spent; it
counts as a success when its accuracy on ``n_test`` held-out sequences reaches :data:`SUCCESS_ACCURACY` (0.9; the
Bayes rate is 1 for latch and parity and 0.996 for two_sequence with the default prototypes). A pilot showed
runs that stop at 95 % training accuracy on 200 sequences landing at 93-96 % held out, hence the margin.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from shared.experiments.base import Experiment, Result, log_x_ticks, run_seeds
from shared.tasks.generators import get_task

TASK_NAMES = ("latch", "two_sequence", "parity")
NUMPY_METHODS = ("bptt", "annealing", "multigrid")
METHODS = NUMPY_METHODS + ("gated_lstm",)
#: Training accuracy at which a run stops, and held-out accuracy at which it counts as a success.
STOP_ACCURACY, SUCCESS_ACCURACY = 0.95, 0.9

CLAIM = (
    "Bengio, Simard & Frasconi (1994, 'Learning long-term dependencies with gradient descent is difficult', IEEE "
    "Trans. Neural Networks 5(2):157-166): on the latch, two-sequence and parity problems, gradient descent "
    "through time (BPTT) on a small recurrent network succeeds less and less often as the sequence length T "
    "grows, while the alternatives they proposed (here simulated annealing and multi-grid random search on the "
    "same tiny networks) keep succeeding at a higher cost in function evaluations; a gated memory (GatedLSTM) "
    "is shown alongside."
)
CRITERION = (
    "A trial (stopped once its training accuracy reaches 0.95, or at its budget) succeeds when its held-out "
    "accuracy is >= 0.9. The claim holds if, summed over the three tasks, "
    "BPTT's successes at the longest T are fewer than at the shortest T, and at the longest T both simulated "
    "annealing and multi-grid random search succeed more often than BPTT while spending more function "
    "evaluations per trial on average."
)


@dataclass(frozen=True)
class Settings:
    """Sizes and budgets. ``Ts``: sequence lengths; ``trials``: independent trials per method, task and T;
    ``units``: RNN units per task; ``n_train``/``n_test``: fixed training set and held-out set sizes;
    ``bptt_steps``, ``sa_evals``, ``mg_evals``: budgets; ``candidates`` and ``mg_radius``: multi-grid points per
    level and half-width of the first box; ``lstm_trials``, ``lstm_units``, ``lstm_steps``: the GatedLSTM runs."""

    Ts: tuple = (5, 10, 20, 40)
    trials: int = 8
    units: tuple = (("latch", 1), ("two_sequence", 2), ("parity", 2))
    n_train: int = 200
    n_test: int = 1000
    bptt_steps: int = 400
    sa_evals: int = 2000
    mg_evals: int = 2000
    candidates: int = 20
    mg_radius: float = 6.0
    lstm_trials: int = 2
    lstm_units: int = 4
    lstm_steps: int = 300


def settings(quick: bool) -> Settings:
    """The full or the quick (CI-sized) :class:`Settings`."""
    if quick:
        return Settings(Ts=(5, 15), trials=4, n_train=64, n_test=300, bptt_steps=100, sa_evals=200, mg_evals=200,
                        candidates=10, lstm_trials=1, lstm_steps=20)
    return Settings()


# --- the tiny RNN, batched over a population of parameter vectors ---------------------------------------------


def n_params(units: int) -> int:
    """Number of weights of the tiny RNN with ``units`` units: ``W`` (n x n), ``U``, ``b``, ``v`` (n each), ``c``."""
    return units * units + 3 * units + 1


def unpack(theta: np.ndarray, units: int):
    """Splits ``theta`` ``(P, n_params)`` into ``W (P, n, n)``, ``U (P, n)``, ``b (P, n)``, ``v (P, n)``, ``c (P,)``."""
    n = units
    W = theta[:, : n * n].reshape(-1, n, n)
    U, b, v = (theta[:, n * n + k * n: n * n + (k + 1) * n] for k in range(3))
    return W, U, b, v, theta[:, -1]


def forward(theta: np.ndarray, x: np.ndarray, units: int, keep_states: bool = False):
    """Logits ``(P, N)`` of every parameter vector in ``theta`` ``(P, n_params)`` on inputs ``x`` ``(N, T)``;
    with ``keep_states`` also the states ``(T + 1, P, N, units)`` (``h_0 = 0`` first)."""
    W, U, b, v, c = unpack(theta, units)
    h = np.zeros((theta.shape[0], x.shape[0], units))
    states = [h] if keep_states else None
    for t in range(x.shape[1]):
        h = np.tanh(np.einsum("pij,pnj->pni", W, h) + U[:, None, :] * x[None, :, t, None] + b[:, None, :])
        if keep_states:
            states.append(h)
    logits = np.einsum("pni,pi->pn", h, v) + c[:, None]
    return (logits, np.stack(states)) if keep_states else logits


def loss_and_accuracy(logits: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean cross-entropy (nats) and accuracy per population member, each ``(P,)``, for labels ``y`` ``(N,)``."""
    signed = np.where(y == 1, 1.0, -1.0)
    loss = np.mean(np.logaddexp(0.0, -signed * logits), axis=1)
    return loss, np.mean((logits > 0) == (y == 1), axis=1)


def gradient(theta: np.ndarray, x: np.ndarray, y: np.ndarray, units: int):
    """Back-propagation through time: ``(loss (P,), accuracy (P,), dloss/dtheta (P, n_params))``."""
    W, U, b, v, c = unpack(theta, units)
    logits, states = forward(theta, x, units, keep_states=True)
    loss, accuracy = loss_and_accuracy(logits, y)
    dz = (1.0 / (1.0 + np.exp(-logits)) - (y == 1)) / x.shape[0]
    dv = np.einsum("pn,pni->pi", dz, states[-1])
    dc = dz.sum(axis=1)
    dh = dz[:, :, None] * v[:, None, :]
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    for t in range(x.shape[1], 0, -1):
        da = dh * (1.0 - states[t] ** 2)
        dW += np.einsum("pni,pnj->pij", da, states[t - 1])
        dU += np.einsum("pni,n->pi", da, x[:, t - 1])
        db += da.sum(axis=1)
        dh = np.einsum("pni,pij->pnj", da, W)
    grad = np.concatenate([dW.reshape(len(theta), -1), dU, db, dv, dc[:, None]], axis=1)
    return loss, accuracy, grad


def initial_weights(rng: np.random.Generator, trials: int, units: int, scale: float = 1.0) -> np.ndarray:
    """Starting points ``(trials, n_params)``, uniform in ``[-scale, scale]``."""
    return rng.uniform(-scale, scale, size=(trials, n_params(units)))


# --- the training methods: each returns (final weights (trials, D), evaluations used (trials,)) ---------------


def train_bptt(x, y, units, trials, budget, threshold, rng, learning_rate=0.05):
    """Adam on the exact BPTT gradient; a trial stops once its training accuracy reaches ``threshold``."""
    theta = initial_weights(rng, trials, units)
    m, s = np.zeros_like(theta), np.zeros_like(theta)
    evals = np.zeros(trials, dtype=int)
    active = np.ones(trials, dtype=bool)
    for step in range(1, budget + 1):
        _, accuracy, grad = gradient(theta, x, y, units)
        evals += active
        active &= accuracy < threshold
        if not active.any():
            break
        m = 0.9 * m + 0.1 * grad
        s = 0.999 * s + 0.001 * grad**2
        update = learning_rate * (m / (1 - 0.9**step)) / (np.sqrt(s / (1 - 0.999**step)) + 1e-8)
        theta -= update * active[:, None]
    return theta, evals


def train_annealing(x, y, units, trials, budget, threshold, rng, t_start=0.1, t_end=1e-4):
    """Simulated annealing, one chain per trial, returning each chain's best point."""
    theta = initial_weights(rng, trials, units)
    energy, accuracy = loss_and_accuracy(forward(theta, x, units), y)
    best, best_energy, best_accuracy = theta.copy(), energy.copy(), accuracy.copy()
    step_size = np.full(trials, 0.5)
    evals = np.ones(trials, dtype=int)
    active = best_accuracy < threshold
    cooling = (t_end / t_start) ** (1.0 / max(budget - 1, 1))
    temperature = t_start
    for _ in range(budget - 1):
        if not active.any():
            break
        proposal = theta + step_size[:, None] * rng.standard_normal(theta.shape)
        new_energy, new_accuracy = loss_and_accuracy(forward(proposal, x, units), y)
        evals += active
        accept = active & (rng.random(trials) < np.exp(np.minimum(0.0, (energy - new_energy) / temperature)))
        theta[accept], energy[accept] = proposal[accept], new_energy[accept]
        step_size = np.where(accept, step_size * 1.1, step_size * 0.96)
        improved = active & (new_energy < best_energy)
        best[improved], best_energy[improved] = proposal[improved], new_energy[improved]
        best_accuracy[improved] = new_accuracy[improved]
        reached = active & (new_accuracy >= threshold)
        best[reached] = proposal[reached]
        active &= ~reached
        temperature *= cooling
    return best, evals


def train_multigrid(x, y, units, trials, budget, threshold, rng, candidates=20, radius=4.0, shrink=0.5,
                    min_radius=0.05):
    """Multi-grid random search: ``candidates`` uniform points per level in a shrinking box around the best."""
    dim = n_params(units)
    center = np.zeros((trials, dim))
    center_energy, _ = loss_and_accuracy(forward(center, x, units), y)
    best, best_energy = center.copy(), center_energy.copy()
    size = np.full(trials, radius)
    evals = np.ones(trials, dtype=int)
    active = np.ones(trials, dtype=bool)
    while active.any() and evals[active].max() + candidates <= budget:
        points = center[:, None, :] + size[:, None, None] * rng.uniform(-1, 1, size=(trials, candidates, dim))
        energy, accuracy = loss_and_accuracy(forward(points.reshape(-1, dim), x, units), y)
        energy, accuracy = energy.reshape(trials, candidates), accuracy.reshape(trials, candidates)
        evals += candidates * active
        pick = np.argmin(energy, axis=1)
        rows = np.arange(trials)
        winner, winner_energy = points[rows, pick], energy[rows, pick]
        move = active & (winner_energy < center_energy)
        center[move], center_energy[move] = winner[move], winner_energy[move]
        better = active & (winner_energy < best_energy)
        best[better], best_energy[better] = winner[better], winner_energy[better]
        hit = accuracy.max(axis=1) >= threshold
        reached = active & hit
        best[reached] = points[rows, np.argmax(accuracy, axis=1)][reached]
        active &= ~reached
        size = np.where(active, size * shrink, size)
        restart = active & (size < min_radius)
        center[restart], size[restart] = 0.0, radius
        center_energy[restart] = np.inf
    return best, evals


TRAINERS = {"bptt": train_bptt, "annealing": train_annealing, "multigrid": train_multigrid}


def trial_streams(seed: int, T: int, task_name: str, method: str) -> tuple[np.random.Generator, ...]:
    """Independent generators ``(method, training set, test set)`` for ``method`` on ``task_name`` at length ``T``:
    seeds ``[seed, T, 3, task, method]``, ``[seed, T, 1, task]`` and ``[seed, T, 2, task]`` (the data are the same
    for every method, and differ between the tasks, whose successes the claim sums as independent trials). numpy
    seeds ``[a, b, c]`` and ``[a, b, c, 0]`` alike, so the method's seed starts with its own tag 3, not with the task
    index, which would hand the first method the training set's stream."""
    task = TASK_NAMES.index(task_name)
    method_seed = [seed, T, 3, task, METHODS.index(method)]
    return tuple(np.random.default_rng(entropy) for entropy in (method_seed, [seed, T, 1, task], [seed, T, 2, task]))


def run_numpy_method(method: str, task_name: str, T: int, config: Settings, seed: int) -> pd.DataFrame:
    """``config.trials`` trials of ``method`` on ``task_name`` at length ``T``: one row per trial with
    ``train_accuracy``, ``test_accuracy``, ``evaluations`` and ``success``."""
    task = get_task(task_name)
    units = dict(config.units)[task_name]
    rng, train_rng, test_rng = trial_streams(seed, T, task_name, method)
    x, y = task.generate(config.n_train, T, train_rng)
    x_test, y_test = task.generate(config.n_test, T, test_rng)
    budget = {"bptt": config.bptt_steps, "annealing": config.sa_evals, "multigrid": config.mg_evals}[method]
    extra = {"candidates": config.candidates, "radius": config.mg_radius} if method == "multigrid" else {}
    theta, evals = TRAINERS[method](x[..., 0], y, units, config.trials, budget, STOP_ACCURACY, rng, **extra)
    _, train_accuracy = loss_and_accuracy(forward(theta, x[..., 0], units), y)
    _, test_accuracy = loss_and_accuracy(forward(theta, x_test[..., 0], units), y_test)
    return pd.DataFrame({"task": task_name, "T": T, "method": method, "trial": np.arange(config.trials),
                         "params": n_params(units), "train_accuracy": train_accuracy,
                         "test_accuracy": test_accuracy, "evaluations": evals,
                         "success": test_accuracy >= SUCCESS_ACCURACY})


def run_gated_lstm(task_name: str, T: int, config: Settings, seed: int) -> pd.DataFrame:
    """``config.lstm_trials`` GatedLSTM runs (:func:`shared.tasks.run_task`, Keras seeds :func:`run_seeds`), in the
    same row format."""
    from shared.tasks import RunConfig, run_task

    task = get_task(task_name)
    rows = []
    for trial, run_seed in enumerate(run_seeds(seed, config.lstm_trials)):
        run_config = RunConfig(units=config.lstm_units, steps=config.lstm_steps, batch=32, test_size=config.n_test)
        result = run_task(task, T, "gated_lstm", seed=run_seed, config=run_config, verbose=0)
        rows.append({"task": task_name, "T": T, "method": "gated_lstm", "trial": trial, "params": result["params"],
                     "train_accuracy": np.nan, "test_accuracy": result["metric"], "evaluations": result["steps"],
                     "success": result["metric"] >= SUCCESS_ACCURACY})
    return pd.DataFrame(rows)


def measure(config: Settings, seed: int) -> pd.DataFrame:
    """Every method on every task at every T: one row per trial (see :func:`run_numpy_method`)."""
    frames = []
    for task_name in TASK_NAMES:
        for T in config.Ts:
            frames += [run_numpy_method(method, task_name, T, config, seed) for method in NUMPY_METHODS]
            frames.append(run_gated_lstm(task_name, T, config, seed))
    return pd.concat(frames, ignore_index=True)


def summarise(trials: pd.DataFrame) -> pd.DataFrame:
    """Per task, T and method: ``successes``, ``trials``, ``success_rate``, ``mean_evaluations``, ``params``."""
    grouped = trials.groupby(["task", "T", "method"], sort=False)
    return grouped.agg(successes=("success", "sum"), trials=("success", "size"),
                       success_rate=("success", "mean"), mean_evaluations=("evaluations", "mean"),
                       mean_test_accuracy=("test_accuracy", "mean"), params=("params", "first")).reset_index()


def verdict(table: pd.DataFrame) -> tuple[bool, str]:
    """Applies :data:`CRITERION` to a :func:`summarise` table: ``(held, summary)``."""
    short, long = table["T"].min(), table["T"].max()
    total = table.groupby(["T", "method"])[["successes", "trials"]].sum()
    cost = table[table["T"] == long].groupby("method")["mean_evaluations"].mean()

    def rate(T, method):
        row = total.loc[(T, method)]
        return f"{int(row['successes'])}/{int(row['trials'])}"

    bptt_short, bptt_long = total.loc[(short, "bptt"), "successes"], total.loc[(long, "bptt"), "successes"]
    beats = all(total.loc[(long, m), "successes"] > bptt_long and cost[m] > cost["bptt"]
                for m in ("annealing", "multigrid"))
    held = bool(bptt_long < bptt_short and beats)
    summary = (
        f"Successes summed over latch, two-sequence and parity at T = {short} -> {long}: BPTT {rate(short, 'bptt')} -> "
        f"{rate(long, 'bptt')}, simulated annealing {rate(short, 'annealing')} -> {rate(long, 'annealing')}, "
        f"multi-grid random search {rate(short, 'multigrid')} -> {rate(long, 'multigrid')}, GatedLSTM "
        f"{rate(short, 'gated_lstm')} -> {rate(long, 'gated_lstm')}; mean evaluations per trial at T = {long}: "
        + ", ".join(f"{m} {cost[m]:.0f}" for m in METHODS)
        + f"; the claim {'held' if held else 'did not hold'} by the criterion."
    )
    return held, summary


def plot(table: pd.DataFrame):
    """Success rate vs T (top row) and mean evaluations vs T (bottom row), one column per task."""
    figure, axes = plt.subplots(2, len(TASK_NAMES), figsize=(4 * len(TASK_NAMES), 6), sharex=True)
    for column, task_name in enumerate(TASK_NAMES):
        part = table[table["task"] == task_name]
        for method in METHODS:
            rows = part[part["method"] == method]
            axes[0, column].plot(rows["T"], rows["success_rate"], "o-", label=method)
            axes[1, column].plot(rows["T"], rows["mean_evaluations"], "o-", label=method)
        axes[0, column].set(title=task_name, ylim=(-0.05, 1.05), ylabel="success rate")
        axes[1, column].set(yscale="log", xlabel="T", ylabel="mean evaluations per trial")
        log_x_ticks(axes[1, column], part["T"].unique())
    axes[0, 0].legend(fontsize=8)
    figure.tight_layout()
    return figure


def run(quick: bool, seed: int) -> Result:
    """All methods, tasks and lengths with :func:`settings` ``(quick)``; the table has one row per task, T and
    method."""
    table = summarise(measure(settings(quick), seed))
    held, summary = verdict(table)
    return Result(table=table, figure=plot(table), held=held, summary=summary)


EXPERIMENT = Experiment(name="bptt_alternatives", claim=CLAIM, criterion=CRITERION, run=run,
                        full_runtime="about 3.5 CPU minutes (201 s, single-threaded)")
