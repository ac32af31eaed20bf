"""One-recurrent-layer Keras models for the long-term-dependency tasks.

The model is ``Input -> recurrent layer -> Dense head``: for regression a linear ``Dense(1)`` on the last state;
for classification a ``Dense(n_classes, softmax)`` on the last state; for seq2seq the recurrent layer returns
every step (``return_sequences=True``) and a ``TimeDistributed(Dense(vocab, softmax))`` reads each one.

Keras is imported inside the builders, not at module level, so that the command line can check its arguments
(against :data:`LAYERS` and :class:`RunConfig`) before TensorFlow loads and writes its log lines to stderr.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.tasks.generators import Task, get_task

if TYPE_CHECKING:
    import keras

#: Recurrent layers the builder knows, by name.
LAYERS = ("gated_lstm", "gated_gru", "simple_rnn", "lstm", "leaky", "dense_temporal")


@dataclass(frozen=True)
class RunConfig:
    """Settings of one training run. ``units``: recurrent units; ``steps``: optimiser steps (the runner rounds them
    up to equal epochs); ``batch``: sequences per step; ``learning_rate`` and ``clipnorm``: Adam's step size and
    global gradient-norm clip; ``test_size``: held-out sequences; ``order``: for ``dense_temporal``;
    ``forget_bias``: overrides the gated layers' chrono default (a float or ``"chrono"``).

    The defaults are the budget of the central claim (see :mod:`shared.tasks`). A value out of range (a count
    below 1 or not an integer, a rate or clip that is not a finite number > 0, a ``forget_bias`` that is neither
    finite nor ``"chrono"``) raises ``ValueError`` naming the field.
    """

    units: int = 32
    steps: int = 1000
    batch: int = 64
    learning_rate: float = 1e-2
    clipnorm: float = 1.0
    test_size: int = 1000
    order: int = 2
    forget_bias: float | str | None = None

    def __post_init__(self) -> None:
        check_settings("RunConfig", **{name: getattr(self, name) for name in self.__dataclass_fields__})


#: Settings that count something (at least 1) and settings that are positive rates.
_COUNTS = ("units", "steps", "batch", "test_size", "order")
_RATES = ("learning_rate", "clipnorm")


def check_settings(owner: str, **settings) -> None:
    """Raises ``ValueError`` naming ``owner`` and the setting for a value :class:`RunConfig` does not allow."""
    for name, value in settings.items():
        if name in _COUNTS and (isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1):
            raise ValueError(f"{owner}: {name} must be an integer >= 1, got {value!r}")
        if name in _RATES and not (_finite_real(value) and value > 0):
            raise ValueError(f"{owner}: {name} must be a finite number > 0, got {value!r}")
        if name == "forget_bias" and not (value is None or value == "chrono" or _finite_real(value)):
            raise ValueError(f"{owner}: forget_bias must be None, 'chrono' or a finite number, got {value!r}")


def _finite_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def chrono_steps(task: Task, T: int) -> int:
    """The ``chrono_max_steps`` used for ``task`` at length ``T``: its sequence length, at least 3."""
    return max(task.sequence_length(T), 3)


#: Layers built with a forget (keep) gate whose bias ``forget_bias`` sets.
GATED_LAYERS = ("gated_lstm", "gated_gru")


def initial_forget_bias(layer_name: str, forget_bias: float | str | None = None) -> float | str | None:
    """The forget-gate bias :func:`make_recurrent_layer` gives ``layer_name`` with this ``forget_bias`` setting:
    ``"chrono"`` (the default) or the float for ``gated_lstm`` / ``gated_gru``; 1.0 for the stock ``lstm``
    (Keras' ``unit_forget_bias``); ``None`` for the layers without a forget gate (``simple_rnn``, ``leaky``,
    ``dense_temporal``). ``ValueError`` for an unknown layer or a ``forget_bias`` given to a non-gated layer."""
    if layer_name not in LAYERS:
        raise ValueError(f"unknown layer {layer_name!r}; known layers: {', '.join(LAYERS)}")
    if forget_bias is not None and layer_name not in GATED_LAYERS:
        raise ValueError(f"forget_bias applies to gated_lstm and gated_gru only, not {layer_name!r}")
    if layer_name in GATED_LAYERS:
        return "chrono" if forget_bias is None else forget_bias
    return 1.0 if layer_name == "lstm" else None


def make_recurrent_layer(
    layer_name: str,
    units: int,
    max_steps: int,
    return_sequences: bool = False,
    forget_bias: float | str | None = None,
    order: int = 2,
) -> keras.layers.Layer:
    """The recurrent layer called ``layer_name`` (one of :data:`LAYERS`) with ``units`` units.

    ``gated_lstm`` and ``gated_gru`` start from chrono initialisation (Tallec & Ollivier 2018) with
    ``chrono_max_steps=max_steps`` unless ``forget_bias`` is given (a float, or ``"chrono"``). On these tasks the
    information needed at the end sits up to ``max_steps`` steps back. A constant forget bias of 1 opens every
    unit's forget gate to ``sigmoid(1) ~ 0.73`` at initialisation, a memory time of about 3 steps, so the gradient
    from the target to inputs ``T`` steps back shrinks like ``0.73^T`` before learning can stretch it. Chrono sets
    each unit's keep-gate bias to ``log u`` with ``u ~ U[1, max_steps - 1]``, so the units' initial time scales
    already cover ``1 .. max_steps`` and some of them carry the signal across the whole sequence from the first
    step of training. This is the gated layers' intended use here, so it is the default.

    ``simple_rnn`` and ``lstm`` are the stock ``keras.layers.SimpleRNN`` / ``keras.layers.LSTM`` (Keras defaults,
    forget bias 1) for reference; ``leaky`` is :class:`shared.layers.LeakyIntegrator`; ``dense_temporal`` is
    :class:`shared.layers.DenseTemporalRNN` with ``order`` (``forget_bias`` applies to the gated layers only).
    """
    bias = initial_forget_bias(layer_name, forget_bias)
    import keras

    common = {"return_sequences": return_sequences, "name": layer_name}
    if layer_name == "simple_rnn":
        return keras.layers.SimpleRNN(units, **common)
    if layer_name == "lstm":
        return keras.layers.LSTM(units, **common)

    import shared.layers  # imported here so shared.tasks loads without the custom layers

    if layer_name in GATED_LAYERS:
        chrono = {"chrono_max_steps": max_steps} if bias == "chrono" else {}
        cls = shared.layers.GatedLSTM if layer_name == "gated_lstm" else shared.layers.GatedGRU
        return cls(units, forget_bias=bias, **chrono, **common)
    if layer_name == "leaky":
        return shared.layers.LeakyIntegrator(units, **common)
    return shared.layers.DenseTemporalRNN(units, order=order, **common)


def build_task_model(
    task: Task | str,
    layer_name: str,
    units: int,
    T: int,
    learning_rate: float = 1e-2,
    clipnorm: float = 1.0,
    forget_bias: float | str | None = None,
    order: int = 2,
) -> keras.Model:
    """A compiled ``keras.Model`` for ``task`` (a :class:`Task` or its name) at length ``T``.

    Input ``(batch, task.sequence_length(T), task.input_dim)``; output ``(batch, 1)`` for regression,
    ``(batch, n_classes)`` probabilities for classification, ``(batch, T + 20, vocab)`` per-step probabilities for
    seq2seq. The recurrent layer comes from :func:`make_recurrent_layer` (``forget_bias``, ``order``) with chrono
    time scales up to :func:`chrono_steps` ``(task, T)``. Compiled with Adam (``learning_rate``, gradients clipped
    to global norm ``clipnorm``) and the task's Keras loss. Settings out of :class:`RunConfig`'s ranges raise
    ``ValueError``.
    """
    import keras

    task = get_task(task) if isinstance(task, str) else task
    task.check_T(T)
    check_settings(
        "build_task_model",
        units=units,
        learning_rate=learning_rate,
        clipnorm=clipnorm,
        forget_bias=forget_bias,
        order=order,
    )
    seq2seq = task.kind == "seq2seq"
    inputs = keras.Input((task.sequence_length(T), task.input_dim), name="sequence")
    rnn = make_recurrent_layer(
        layer_name, units, chrono_steps(task, T), return_sequences=seq2seq, forget_bias=forget_bias, order=order
    )
    hidden = rnn(inputs)
    if task.kind == "regression":
        outputs = keras.layers.Dense(1, name="head")(hidden)
    elif seq2seq:
        outputs = keras.layers.TimeDistributed(
            keras.layers.Dense(task.n_outputs, activation="softmax"), name="head"
        )(hidden)
    else:
        outputs = keras.layers.Dense(task.n_outputs, activation="softmax", name="head")(hidden)
    model = keras.Model(inputs, outputs, name=f"{task.name}_{layer_name}")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=clipnorm), loss=task.loss)
    return model
