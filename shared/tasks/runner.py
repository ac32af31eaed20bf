"""Train one recurrent model on one task with a fixed seed and step budget, and score it on held-out data.

Training data are fresh: every training step draws a new batch from the task generator, seeded by
``(seed, epoch, step)`` (:class:`FreshBatches`), so no example is seen twice, the mean training loss of an epoch
is an unbiased estimate of the loss on unseen data, and a run is reproducible from its seed alone. The test set
(``test_size`` sequences) comes from a separate seed stream, ``(seed, TEST_STREAM)``, disjoint from training.
"""

from __future__ import annotations

import math
import numbers
import time

import keras
import numpy as np

from shared.tasks.generators import Task, get_task
from shared.tasks.models import RunConfig, build_task_model, initial_forget_bias

TRAIN_STREAM, TEST_STREAM = 1, 2
#: Steps per Keras epoch; a budget of ``steps`` runs ``ceil(steps / STEPS_PER_EPOCH)`` equal epochs.
STEPS_PER_EPOCH = 100


class FreshBatches(keras.utils.PyDataset):
    """``steps_per_epoch`` fresh batches per epoch for ``task`` at length ``T``.

    Batch ``i`` is ``task.generate(batch, T, numpy.random.default_rng([seed, TRAIN_STREAM, e, i]))``, where ``e``
    (the ``epoch`` attribute) counts the calls of :meth:`on_epoch_end` so far: ``x`` is
    ``(batch, task.sequence_length(T), task.input_dim)`` and ``y`` as the task documents. Keras calls
    :meth:`on_epoch_end` after every epoch (and, with the TensorFlow backend, once more after peeking at the first
    batches to infer their signature), so each epoch of ``fit`` draws batches no earlier epoch drew, in an order
    fixed by the seed.
    """

    def __init__(self, task: Task, T: int, batch: int, steps_per_epoch: int, seed: int):
        super().__init__(workers=1, use_multiprocessing=False)
        self.task, self.T, self.batch, self.steps_per_epoch, self.seed = task, T, batch, steps_per_epoch, seed
        self.epoch = 0

    def __len__(self) -> int:
        return self.steps_per_epoch

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng([self.seed, TRAIN_STREAM, self.epoch, index])
        return self.task.generate(self.batch, self.T, rng)

    def on_epoch_end(self) -> None:
        self.epoch += 1


def epoch_plan(steps: int) -> tuple[int, int]:
    """``(epochs, steps_per_epoch)`` for a budget of ``steps``: at most :data:`STEPS_PER_EPOCH` steps per epoch,
    equal epochs, ``epochs * steps_per_epoch >= steps`` and less than ``steps + epochs``."""
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    epochs = math.ceil(steps / STEPS_PER_EPOCH)
    return epochs, math.ceil(steps / epochs)


def held_out_set(task: Task, T: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The held-out ``(x, y)`` for ``seed``: ``n`` sequences drawn with ``default_rng([seed, TEST_STREAM])``."""
    return task.generate(n, T, np.random.default_rng([seed, TEST_STREAM]))


def run_task(task: Task | str, T: int, layer: str, seed: int = 0, config: RunConfig = RunConfig(), verbose=1) -> dict:
    """Trains a fresh ``layer`` model on ``task`` at length ``T`` and scores it on the held-out test set.

    Seeds Keras (weights, dropout) with ``keras.utils.set_random_seed(seed)`` (a whole number from 0 to
    ``2**32 - 1``, else ``ValueError``), trains with
    ``Model.fit`` on :class:`FreshBatches` for the budget in ``config`` (``verbose`` is passed to ``fit``), then
    computes the task metric on :func:`held_out_set`. Returns a JSON-ready dict: ``task``, ``T``, ``layer``,
    ``metric_name``, ``metric``, ``baseline`` (the input-blind value at this ``T``), ``threshold``, ``solved``,
    ``criterion``, ``seed``, ``steps`` (run, after rounding to equal epochs), ``batch``, ``units``,
    ``learning_rate``, ``clipnorm``, ``test_size``, ``order`` (``dense_temporal``'s; ``None`` for the other layers,
    which have none), ``forget_bias`` (the forget-gate bias the layer started from, see
    :func:`~shared.tasks.models.initial_forget_bias`: ``"chrono"`` or a float for the gated layers, 1.0 for the
    stock ``lstm``, ``None`` for layers without a forget gate), ``params`` (trainable parameter count),
    ``loss_curve`` (mean training loss per epoch, on fresh data), ``train_seconds`` and ``seconds`` (wall time of
    the whole run, model building and scoring included). A diverged run's ``metric`` is NaN and never solved.
    """
    started = time.perf_counter()
    task = get_task(task) if isinstance(task, str) else task
    task.check_T(T)
    if not isinstance(config, RunConfig):
        raise TypeError(f"config must be a shared.tasks.RunConfig, got {type(config).__name__}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be a whole number from 0 to 2**32 - 1, got {seed!r}")
    epochs, per_epoch = epoch_plan(config.steps)
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = build_task_model(
        task,
        layer,
        config.units,
        T,
        learning_rate=config.learning_rate,
        clipnorm=config.clipnorm,
        forget_bias=config.forget_bias,
        order=config.order,
    )
    train_started = time.perf_counter()
    history = model.fit(FreshBatches(task, T, config.batch, per_epoch, seed), epochs=epochs, verbose=verbose)
    train_seconds = time.perf_counter() - train_started
    x_test, y_test = held_out_set(task, T, config.test_size, seed)
    value = task.metric(y_test, model.predict(x_test, batch_size=256, verbose=0))
    return {
        "task": task.name,
        "T": T,
        "layer": layer,
        "metric_name": task.metric_name,
        "metric": value,
        "baseline": float(task.baseline(T)),
        "threshold": float(task.threshold(T)),
        "solved": task.is_solved(value, T),
        "criterion": task.criterion,
        "seed": seed,
        "steps": epochs * per_epoch,
        "batch": config.batch,
        "units": config.units,
        "learning_rate": config.learning_rate,
        "clipnorm": config.clipnorm,
        "test_size": config.test_size,
        "order": config.order if layer == "dense_temporal" else None,
        "forget_bias": initial_forget_bias(layer, config.forget_bias),
        "params": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
        "loss_curve": [float(v) for v in history.history["loss"]],
        "train_seconds": round(train_seconds, 2),
        "seconds": round(time.perf_counter() - started, 2),
    }


def describe(result: dict) -> str:
    """One human-readable line for a :func:`run_task` result."""
    verdict = "SOLVED" if result["solved"] else "not solved"
    return (
        f"{result['task']} T={result['T']} {result['layer']}: test {result['metric_name']} = {result['metric']:.4g} "
        f"(baseline {result['baseline']:.4g}) -> {verdict} [criterion: {result['criterion']}] "
        f"in {result['steps']} steps, {result['seconds']:.1f} s"
    )
