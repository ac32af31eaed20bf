"""Recurrent layer with dense temporal connections (a higher-order, NARX-style RNN)."""

import keras
from keras import ops

from shared.layers.arguments import positive_int
from shared.layers.cell_rnn import CellRNN


@keras.saving.register_keras_serializable(package="shared")
class DenseTemporalCell(keras.layers.Layer):
    """Cell of a higher-order RNN whose state at `t` depends on its last `order` states.

    One step computes

        h_t = activation(x_t @ W + sum_{j=1..m} h_{t-j} @ U_j + b),     m = order

    A dependency `k` steps back is then reachable through `ceil(k / m)` recurrent steps instead of `k`,
    which shortens gradient paths. The state is a shift register of the last `m` hidden states,
    `[h_{t-1}, h_{t-2}, ..., h_{t-m}]` (`m` state tensors of size `units`, `m * units` in all), so the
    standard `keras.layers.RNN` machinery (masking, statefulness, reversal) applies unchanged; the first
    state is the previous output, as Keras' RNN contract asks. The recurrent kernels are stored stacked as
    one `(m * units, units)` matrix `[U_1; U_2; ...; U_m]`, applied to the concatenated register.

    Initialisation: `recurrent_initializer` (default `"orthogonal"`) is applied to the stacked matrix. An
    orthogonal `(m * units, units)` matrix has orthonormal columns, so `sum_j U_j^T U_j = I`: the map from
    the whole register to the next pre-activation preserves norm as the single orthogonal `U` of a plain RNN
    does, and each block `U_j` carries on average `1 / m` of that energy (entries scaled by about
    `1 / sqrt(m)` relative to a square orthogonal matrix). With `m = 1` this is exactly `SimpleRNNCell`'s
    initialisation.

    Args:
        units: positive int, size of each hidden state and of the output.
        order: positive int `m`, number of past states feeding each step. Defaults to 2.
        activation: activation function. Defaults to `"tanh"`.
        kernel_initializer: initializer of `W`. Defaults to `"glorot_uniform"`.
        recurrent_initializer: initializer of the stacked `[U_1; ...; U_m]`. Defaults to `"orthogonal"`.
        bias_initializer: initializer of `b`. Defaults to `"zeros"`.
        kernel_regularizer: regularizer of `W`. Defaults to `None`.
        recurrent_regularizer: regularizer of the stacked recurrent kernel. Defaults to `None`.
        bias_regularizer: regularizer of `b`. Defaults to `None`.
        **kwargs: base layer keyword arguments (e.g. `name`, `dtype`).

    Call arguments:
        inputs: tensor of shape `(batch, features)`, one time step.
        states: the register `[h_{t-1}, ..., h_{t-m}]`, `order` tensors of shape `(batch, units)`.

    Input shape:
        `(batch, features)`.

    Output shape:
        output `h_t` of shape `(batch, units)` and the new register `[h_t, ..., h_{t-m+1}]`, `order`
        tensors of shape `(batch, units)`.

    Example:

    >>> cell = DenseTemporalCell(4, order=3)
    >>> h, register = cell(np.ones((2, 5), "float32"), [np.zeros((2, 4), "float32")] * 3)
    >>> print(h.shape, [tuple(s.shape) for s in register])
    (2, 4) [(2, 4), (2, 4), (2, 4)]
    """

    def __init__(
        self,
        units,
        order=2,
        activation="tanh",
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = positive_int("units", units)
        self.order = positive_int("order", order)
        self.activation = keras.activations.get(activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = keras.regularizers.get(recurrent_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.state_size = [self.units] * self.order
        self.output_size = self.units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            name="kernel",
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.order * self.units, self.units),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            name="recurrent_kernel",
        )
        self.bias = self.add_weight(
            shape=(self.units,), initializer=self.bias_initializer, regularizer=self.bias_regularizer, name="bias"
        )

    def call(self, inputs, states):
        register = ops.concatenate(list(states), axis=-1)
        h = self.activation(
            ops.matmul(inputs, self.kernel) + ops.matmul(register, self.recurrent_kernel) + self.bias
        )
        # Shift: the newest state enters at the front, the oldest (h_{t-m}) drops out at the back.
        return h, [h, *states[:-1]]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "order": self.order,
            "activation": keras.activations.serialize(self.activation),
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": keras.regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
        }




@keras.saving.register_keras_serializable(package="shared")
class DenseTemporalRNN(CellRNN):
    """Higher-order recurrent layer: each state is computed from the last `order` states.

    Runs `DenseTemporalCell` over time:

        h_t = activation(x_t @ W + sum_{j=1..m} h_{t-j} @ U_j + b),     m = order,  h_{t<1} = 0

    With `order=1` it computes exactly what `keras.layers.SimpleRNN` computes (same weight layout:
    `kernel`, `recurrent_kernel`, `bias`). A larger order lets a gradient travel `k` steps back through
    `ceil(k / m)` recurrent Jacobians instead of `k`. Masked steps leave the whole register unchanged.

    Args:
        units: positive int, size of each hidden state and of the output.
        order: positive int `m`, number of past states feeding each step. Defaults to 2.
        activation: activation function. Defaults to `"tanh"`.
        kernel_initializer: initializer of `W`. Defaults to `"glorot_uniform"`.
        recurrent_initializer: initializer of the stacked `[U_1; ...; U_m]` (orthogonal gives orthonormal
            columns, see `DenseTemporalCell`). Defaults to `"orthogonal"`.
        bias_initializer: initializer of `b`. Defaults to `"zeros"`.
        kernel_regularizer: regularizer of `W`. Defaults to `None`.
        recurrent_regularizer: regularizer of the stacked recurrent kernel. Defaults to `None`.
        bias_regularizer: regularizer of `b`. Defaults to `None`.
        return_sequences: return the whole output sequence, not only the last output. Defaults to `False`.
        return_state: also return the final register `h_T, ..., h_{T-m+1}`. Defaults to `False`.
        go_backwards: process the sequence in reverse. Defaults to `False`.
        stateful: carry the last register of each batch sample into the next batch. Defaults to `False`.
        unroll: unroll the loop (short sequences only). Defaults to `False`.
        **kwargs: `keras.layers.RNN` keyword arguments (e.g. `zero_output_for_mask`, `name`, `dtype`).

    Call arguments:
        sequences: tensor of shape `(batch, time, features)`.
        initial_state: optional register `[h_0, h_{-1}, ..., h_{1-m}]`, `order` tensors `(batch, units)`.
        mask: optional boolean tensor `(batch, time)`; masked steps are skipped.
        training: ignored (no dropout); accepted for API symmetry.

    Input shape:
        `(batch, time, features)`.

    Output shape:
        `(batch, time, units)` with `return_sequences=True`, else `(batch, units)`; with `return_state=True`
        a list `[output, h_T, ..., h_{T-m+1}]` of `1 + order` tensors, the states of shape `(batch, units)`.

    Example:

    >>> x = np.ones((2, 7, 3), "float32")
    >>> print(DenseTemporalRNN(4, order=3)(x).shape)
    (2, 4)
    >>> y, *register = DenseTemporalRNN(4, order=3, return_sequences=True, return_state=True)(x)
    >>> print(y.shape, [tuple(s.shape) for s in register])
    (2, 7, 4) [(2, 4), (2, 4), (2, 4)]
    """

    cell_arguments = (
        "units",
        "order",
        "activation",
        "kernel_initializer",
        "recurrent_initializer",
        "bias_initializer",
        "kernel_regularizer",
        "recurrent_regularizer",
        "bias_regularizer",
    )

    def __init__(
        self,
        units,
        order=2,
        activation="tanh",
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        **kwargs,
    ):
        cell = DenseTemporalCell(
            units,
            order=order,
            activation=activation,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="dense_temporal_cell",
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
    def order(self):
        return self.cell.order
