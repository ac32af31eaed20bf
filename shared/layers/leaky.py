"""Leaky integrator: a linear recurrence with a learnable per-unit retention."""

import numbers

import keras
import numpy as np
from keras import ops

from shared.layers.arguments import positive_int
from shared.layers.cell_rnn import CellRNN


def _check_retention_init(retention_init):
    """Returns ``retention_init`` as a float or a ``[min, max]`` list, or raises ``ValueError``."""
    if isinstance(retention_init, (list, tuple)):
        if len(retention_init) != 2:
            raise ValueError(f"retention_init must be a float or a (min, max) pair; got {retention_init!r}")
        low, high = (_retention_float(retention_init, r) for r in retention_init)
        if not 0.0 < low <= high < 1.0:
            raise ValueError(f"retention_init pair must satisfy 0 < min <= max < 1; got {retention_init!r}")
        return [low, high]
    value = _retention_float(retention_init, retention_init)
    if not 0.0 < value < 1.0:
        raise ValueError(f"retention_init must lie in (0, 1); got {retention_init!r}")
    return value


def _retention_float(retention_init, value):
    """``value`` (``retention_init`` or one of its pair) as a float, or ``ValueError`` naming the argument."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"retention_init must be a float in (0, 1) or a (min, max) pair; got {retention_init!r}")
    return float(value)


def _state_dtype(dtype):
    """The dtype policy of the cell of a ``LeakyIntegrator`` built with ``dtype`` (a layer's ``dtype`` argument).

    Under a mixed policy (float32 variables, float16 or bfloat16 compute dtype) the cell, and so the state, runs
    in the variables' float32: with retention ``r`` near 1 the state grows to about ``1 / (1 - r)`` times the
    per-step input, and in float16/bfloat16 the increments were rounded away (unit input over 3000 steps with
    ``r = 0.9999`` froze at 2048 in float16 and 256 in bfloat16, instead of 2592). Other policies are the cell's
    own as given.
    """
    policy = keras.dtype_policies.get(dtype)
    if type(policy) is keras.dtype_policies.DTypePolicy and policy.compute_dtype != policy.variable_dtype:
        return policy.variable_dtype
    return dtype


def _initial_retentions(retention_init, units):
    """Per-unit retentions: one value, or ``1 - r`` spaced geometrically so the time constants ``1 / (1 - r)``
    spread evenly on a log scale between those of ``max`` and ``min``."""
    if isinstance(retention_init, list):
        low, high = retention_init
        return 1.0 - np.geomspace(1.0 - high, 1.0 - low, units)
    return np.full(units, retention_init)


@keras.saving.register_keras_serializable(package="shared")
class LeakyIntegratorCell(keras.layers.Layer):
    """Cell of a leaky integrator: a linear recurrence with learnable per-unit retention.

    One step computes

        r = sigmoid(rho)                       (per unit, in (0, 1))
        h_t = r * h_{t-1} + x_t @ W + b
        y_t = activation(h_t)

    The recurrence runs on the pre-activation ``h_t``; the output is ``y_t``. The cell's states are
    ``[y_t, h_t]``: Keras' RNN contract wants the first state to be the step output (backends such as JAX
    return it for masked steps), and ``h_t`` is what the next step needs. ``rho`` is initialised to ``logit(r_0)``
    so that the retention starts at ``retention_init``: a float gives every unit that retention; a
    ``(min, max)`` pair gives the units retentions whose time constants ``1 / (1 - r)`` are spaced
    geometrically from ``1 / (1 - max)`` down to ``1 / (1 - min)`` (deterministic, no sampling).

    Args:
        units: positive int, size of the state and output.
        activation: activation applied to the output; `None` (default) means identity.
        retention_init: float in (0, 1), or a `(min, max)` pair with `0 < min <= max < 1`. Defaults to 0.95.
        kernel_initializer: initializer of `W`. Defaults to `"glorot_uniform"`.
        bias_initializer: initializer of `b`. Defaults to `"zeros"`.
        kernel_regularizer: regularizer of `W`. Defaults to `None`.
        bias_regularizer: regularizer of `b`. Defaults to `None`.
        **kwargs: base layer keyword arguments (e.g. `name`, `dtype`). Under a mixed-precision model give the
            cell `dtype="float32"` (as `LeakyIntegrator` does with its own cell) so that its state accumulates in
            float32; `keras.layers.RNN` casts the outputs to its own compute dtype.

    Call arguments:
        inputs: tensor of shape `(batch, features)`, one time step.
        states: list `[y_{t-1}, h_{t-1}]` of two tensors of shape `(batch, units)`.

    Input shape:
        `(batch, features)`.

    Output shape:
        output `(batch, units)` and new states `[y_t, h_t]`, each `(batch, units)`.

    Example:

    >>> cell = LeakyIntegratorCell(4, activation="tanh")
    >>> zeros = np.zeros((2, 4), "float32")
    >>> y, [y_state, h] = cell(np.ones((2, 3), "float32"), [zeros, zeros])
    >>> print(y.shape, y_state.shape, h.shape)
    (2, 4) (2, 4) (2, 4)
    """

    def __init__(
        self,
        units,
        activation=None,
        retention_init=0.95,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = positive_int("units", units)
        self.activation = keras.activations.get(activation)
        self.retention_init = _check_retention_init(retention_init)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            name="kernel",
        )
        self.bias = self.add_weight(
            shape=(self.units,), initializer=self.bias_initializer, regularizer=self.bias_regularizer, name="bias"
        )
        retentions = _initial_retentions(self.retention_init, self.units)
        logits = np.log(retentions / (1.0 - retentions))
        self.rho = self.add_weight(
            shape=(self.units,), initializer=lambda shape, dtype=None: ops.cast(logits, dtype), name="rho"
        )

    @property
    def retention(self):
        """The per-unit retention `sigmoid(rho)`, shape `(units,)`."""
        return ops.sigmoid(self.rho)

    def call(self, inputs, states):
        h = self.retention * states[1] + ops.matmul(inputs, self.kernel) + self.bias
        y = self.activation(h)
        return y, [y, h]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "retention_init": self.retention_init,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
        }




@keras.saving.register_keras_serializable(package="shared")
class LeakyIntegrator(CellRNN):
    """Leaky-integrator recurrent layer: a linear RNN whose units forget at learnable rates.

    Runs `LeakyIntegratorCell` over time:

        h_t = sigmoid(rho) * h_{t-1} + x_t @ W + b,    y_t = activation(h_t)

    Each unit is an exponential moving sum of its input projection with time constant `1 / (1 - r)`;
    with retention near 1 the layer keeps information for many steps without gates. Masked steps carry
    the state (and the previous output) forward unchanged.

    Under a mixed-precision policy (e.g. `"mixed_float16"` or `"mixed_bfloat16"`) the cell and its state run in
    float32 and only the outputs (and the states returned with `return_state`) are cast to the compute dtype: a
    long time constant makes the state a sum of thousands of steps, which float16 or bfloat16 cannot accumulate
    (and a bfloat16 retention of 0.9999 rounds to 1). A `stateful` layer's state between batches is stored as
    Keras stores it, rounded to the compute dtype once per batch.

    Args:
        units: positive int, size of the state and output.
        activation: output activation; `None` (default) means identity.
        retention_init: float in (0, 1), or a `(min, max)` pair (geometrically spaced time constants,
            see `LeakyIntegratorCell`). Defaults to 0.95.
        kernel_initializer: initializer of `W`. Defaults to `"glorot_uniform"`.
        bias_initializer: initializer of `b`. Defaults to `"zeros"`.
        kernel_regularizer: regularizer of `W`. Defaults to `None`.
        bias_regularizer: regularizer of `b`. Defaults to `None`.
        return_sequences: return the whole output sequence, not only the last output. Defaults to `False`.
        return_state: also return the final states `y_T` and `h_T` (pre-activation). Defaults to `False`.
        go_backwards: process the sequence in reverse. Defaults to `False`.
        stateful: keep the last state of each batch sample as the initial state of the next batch.
            Defaults to `False`.
        unroll: unroll the loop (short sequences only). Defaults to `False`.
        **kwargs: `keras.layers.RNN` keyword arguments (e.g. `zero_output_for_mask`, `name`, `dtype`).

    Call arguments:
        sequences: tensor of shape `(batch, time, features)`.
        initial_state: optional list `[y_0, h_0]` of two tensors `(batch, units)`; only `h_0` enters the
            recurrence. What masked steps before a row's first valid step output depends on the Keras
            backend, as for every Keras RNN: zeros on TensorFlow and with `unroll=True`, `y_0` on JAX with
            `unroll=False` (its loop repeats the first state).
        mask: optional boolean tensor `(batch, time)`; masked steps are skipped.
        training: ignored (no dropout); accepted for API symmetry.

    Input shape:
        `(batch, time, features)`.

    Output shape:
        `(batch, time, units)` with `return_sequences=True`, else `(batch, units)`; with `return_state=True`
        a list `[output, y_T, h_T]`, the final states each of shape `(batch, units)`.

    Example:

    >>> x = np.ones((2, 5, 3), "float32")
    >>> print(LeakyIntegrator(4)(x).shape)
    (2, 4)
    >>> y, y_last, h_last = LeakyIntegrator(4, activation="tanh", return_sequences=True, return_state=True)(x)
    >>> print(y.shape, y_last.shape, h_last.shape)
    (2, 5, 4) (2, 4) (2, 4)
    """

    cell_arguments = (
        "units",
        "activation",
        "retention_init",
        "kernel_initializer",
        "bias_initializer",
        "kernel_regularizer",
        "bias_regularizer",
    )

    def __init__(
        self,
        units,
        activation=None,
        retention_init=0.95,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        **kwargs,
    ):
        cell = LeakyIntegratorCell(
            units,
            activation=activation,
            retention_init=retention_init,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            dtype=_state_dtype(kwargs.get("dtype")),
            trainable=kwargs.get("trainable", True),
            name="leaky_integrator_cell",
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            **kwargs,
        )

    @property
    def retention(self):
        """The per-unit retention `sigmoid(rho)`, shape `(units,)`."""
        return self.cell.retention
