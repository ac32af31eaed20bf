"""Claim 4: attention gives the output a direct line of sight to the first input.

Task: ``recall`` from :mod:`shared.tasks` (name the first of ``T`` uniform symbols, 8 classes, chance 0.125).
Three models of the same recurrent width, trained alike on fresh batches
(:class:`shared.tasks.runner.FreshBatches`) and scored on the held-out set (:func:`shared.tasks.runner.held_out_set`):

- ``gated_lstm``: a :class:`shared.layers.GatedLSTM` (forget bias 1, as ``keras.layers.LSTM``) whose last state
  feeds the softmax: the first symbol must travel ``T`` steps;
- ``bidirectional``: ``keras.layers.Bidirectional`` of the same layer, last states of both directions
  concatenated: the backward pass reads step 0 last, a path of length 1;
- ``attention``: the same layer returning every state, pooled by :class:`shared.layers.AttentionPooling`: the
  softmax can read the state after step 0 directly, whatever ``T``.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd

from shared.experiments.base import Experiment, Result, log_x_ticks, plot_mean_and_runs, run_seeds

MODELS = ("gated_lstm", "bidirectional", "attention")

CLAIM = (
    "Attention as a direct line of sight (Bahdanau, Cho & Bengio 2015, 'Neural machine translation by jointly "
    "learning to align and translate'; the path-length argument of Vaswani et al. 2017): on the "
    "recall-the-first-symbol task, a unidirectional GatedLSTM must carry the symbol through T steps and loses it "
    "as T grows, while a Bidirectional GatedLSTM (path length 1 from the backward pass) and attention pooling "
    "over the GatedLSTM's states (path length 1 from the attended state) keep their accuracy."
)
CRITERION = (
    "At the longest T, attention pooling and the Bidirectional GatedLSTM each reach a held-out accuracy >= 0.9 "
    "(mean over seeds) and beat the unidirectional GatedLSTM by at least 0.2; the unidirectional GatedLSTM's "
    "accuracy at the longest T is below its accuracy at the shortest T."
)


@dataclass(frozen=True)
class Settings:
    """``Ts``: sequence lengths; ``seeds``: runs per model and T; ``units``: recurrent units (each direction);
    ``steps``, ``batch``, ``learning_rate``: Adam on fresh batches; ``test_size``: held-out sequences."""

    Ts: tuple = (10, 50, 100)
    seeds: int = 2
    units: int = 32
    steps: int = 400
    batch: int = 64
    learning_rate: float = 0.01
    test_size: int = 1000


def settings(quick: bool) -> Settings:
    """The full or the quick (CI-sized) :class:`Settings`."""
    if quick:
        return Settings(Ts=(5, 30), seeds=1, units=16, steps=60, test_size=300)
    return Settings()


def build_model(kind: str, T: int, units: int, learning_rate: float):
    """A compiled recall model: ``(batch, T, 8)`` one-hot symbols -> ``(batch, 8)`` probabilities."""
    import keras

    from shared.layers import AttentionPooling, GatedLSTM

    inputs = keras.Input((T, 8))
    if kind == "gated_lstm":
        hidden = GatedLSTM(units)(inputs)
    elif kind == "bidirectional":
        hidden = keras.layers.Bidirectional(GatedLSTM(units))(inputs)
    elif kind == "attention":
        hidden = AttentionPooling(units)(GatedLSTM(units, return_sequences=True)(inputs))
    else:
        raise ValueError(f"unknown model {kind!r}; known: {', '.join(MODELS)}")
    outputs = keras.layers.Dense(8, activation="softmax")(hidden)
    model = keras.Model(inputs, outputs, name=f"recall_{kind}")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
                  loss="sparse_categorical_crossentropy")
    return model


def train_and_score(kind: str, T: int, config: Settings, seed: int) -> dict:
    """Trains one ``kind`` model on recall at length ``T`` and returns its held-out accuracy and size."""
    import keras

    from shared.tasks import get_task
    from shared.tasks.runner import FreshBatches, epoch_plan, held_out_set

    task = get_task("recall")
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = build_model(kind, T, config.units, config.learning_rate)
    epochs, per_epoch = epoch_plan(config.steps)
    model.fit(FreshBatches(task, T, config.batch, per_epoch, seed), epochs=epochs, verbose=0)
    x_test, y_test = held_out_set(task, T, config.test_size, seed)
    probabilities = model.predict(x_test, batch_size=256, verbose=0)
    return {"T": T, "model": kind, "seed": seed, "accuracy": task.metric(y_test, probabilities),
            "chance": task.baseline(T), "params": int(model.count_params()), "steps": epochs * per_epoch}


def measure(config: Settings, seed: int) -> pd.DataFrame:
    """One row per T, model and run seed (:func:`run_seeds`: ``seed * config.seeds + k``)."""
    rows = [train_and_score(kind, T, config, run_seed)
            for T in config.Ts for kind in MODELS for run_seed in run_seeds(seed, config.seeds)]
    return pd.DataFrame(rows)


def verdict(runs: pd.DataFrame) -> tuple[bool, str]:
    """Applies :data:`CRITERION` to the :func:`measure` rows: ``(held, summary)``."""
    mean = runs.groupby(["T", "model"])["accuracy"].mean()
    short, long = runs["T"].min(), runs["T"].max()
    lstm_long = mean[(long, "gated_lstm")]
    held = bool(
        all(mean[(long, m)] >= 0.9 and mean[(long, m)] - lstm_long >= 0.2 for m in ("attention", "bidirectional"))
        and lstm_long < mean[(short, "gated_lstm")]
    )
    summary = (
        f"Held-out recall accuracy at T = {short} -> {long} (chance 0.125): GatedLSTM "
        f"{mean[(short, 'gated_lstm')]:.2f} -> {lstm_long:.2f}, Bidirectional {mean[(short, 'bidirectional')]:.2f}"
        f" -> {mean[(long, 'bidirectional')]:.2f}, attention pooling {mean[(short, 'attention')]:.2f} -> "
        f"{mean[(long, 'attention')]:.2f}; the claim {'held' if held else 'did not hold'} by the criterion."
    )
    return held, summary


def plot(runs: pd.DataFrame):
    """Held-out accuracy vs T per model (mean over seeds, seeds as dots), with chance."""
    figure, axis = plt.subplots(figsize=(6, 4))
    for kind, style in zip(MODELS, ("o-", "s--", "^:")):  # distinct styles: curves at 1.0 overlap
        plot_mean_and_runs(axis, runs[runs["model"] == kind], "T", "accuracy", style, kind)
    axis.axhline(0.125, color="grey", ls=":", label="chance")
    axis.set(xlabel="T (steps between the symbol and the answer)", ylabel="held-out accuracy",
             ylim=(0, 1.05), title="recall the first symbol")
    log_x_ticks(axis, runs["T"].unique())
    axis.legend(fontsize=8)
    figure.tight_layout()
    return figure


def run(quick: bool, seed: int) -> Result:
    """The three models at every T with :func:`settings` ``(quick)``; the table has one row per run."""
    runs = measure(settings(quick), seed)
    held, summary = verdict(runs)
    return Result(table=runs, figure=plot(runs), held=held, summary=summary)


EXPERIMENT = Experiment(name="line_of_sight", claim=CLAIM, criterion=CRITERION, run=run,
                        full_runtime="about 3.5 CPU minutes (198 s, single-threaded)")
