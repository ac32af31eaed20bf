"""GatedGRU: ``keras.layers.GRU(reset_after=True)`` with a chosen update-gate bias and visible gates."""

import keras
from keras import ops

from shared.layers.cell_projections import gate_projections
from shared.layers.gate_bias import check_cell_arguments, keep_gate_bias, validate_keep_bias
from shared.layers.gate_outputs import GateOutputsMixin

GRU_GATES = ("update", "reset", "candidate")


@keras.saving.register_keras_serializable(package="shared")
class GatedGRUCell(keras.layers.GRUCell):
    """One step of :class:`GatedGRU`: the maths and weights of ``keras.layers.GRUCell(reset_after=True)``.

    With input projections ``x W + b_x`` and recurrent projections ``h_{t-1} U + b_h``, each split into
    update (z), reset (r) and candidate (h) parts (Keras' order)::

        z = sigma(x W_z + b_xz + h U_z + b_hz)     r = sigma(x W_r + b_xr + h U_r + b_hr)
        hh = tanh(x W_h + b_xh + r * (h U_h + b_hh))
        h_t = z * h_{t-1} + (1 - z) * hh

    so ``z`` is the *keep* gate. Weights: ``kernel`` ``(input_dim, 3 * units)``, ``recurrent_kernel``
    ``(units, 3 * units)``, ``bias`` ``(2, 3 * units)`` (input row, recurrent row), exactly as Keras.

    Args:
        units: dimensionality of the state.
        forget_bias: initial bias of the update (keep) gate ``z``: a float (default 0.0, which matches
            ``keras.layers.GRU``'s zero bias), or ``"chrono"``: ``b_z = log U[1, T-1]``, the chrono rule of
            Tallec & Ollivier (2018) with its sign adapted to Keras' ``h = z * h_prev + (1 - z) * hh`` (a
            large positive ``b_z`` keeps the past). The value goes on the input row; the recurrent row's
            ``z`` slice starts at 0, the other slices come from ``bias_initializer``. With ``use_bias=False``
            there is no bias to set: anything but the default is refused.
        chrono_max_steps: ``T`` for ``forget_bias="chrono"``.
        return_gates: if True each step's output is ``concat([h, z, r, hh])``, ``(batch, 4 * units)``, so a
            ``keras.layers.RNN`` can carry the gates out. On JAX such an ``RNN`` given a mask needs
            ``zero_output_for_mask=True`` (or ``unroll=True``): Keras' JAX loop fills a masked step's output from
            the cell's state, ``h`` (``units`` wide), and fails with "Incompatible shapes for broadcasting".
            ``GatedGRU(return_gates=True)`` handles this itself.
        **kwargs: every other ``keras.layers.GRUCell`` argument except ``reset_after`` (always True, the
            cuDNN-compatible variant) and ``implementation``.

    Dropout follows Keras (one mask per sequence): a single input mask without ``recurrent_dropout``, one
    mask per gate for the inputs and ``h_{t-1}`` with it.

    Call arguments:
        inputs: ``(batch, input_dim)``. states: ``[h]`` ``(batch, units)``. training: bool.
    """

    gate_names = GRU_GATES

    def __init__(self, units, forget_bias=0.0, chrono_max_steps=None, return_gates=False, **kwargs):
        if kwargs.pop("reset_after", True) is not True:
            raise ValueError("GatedGRUCell only implements reset_after=True (the cuDNN-compatible GRU)")
        kwargs.pop("implementation", None)
        units = check_cell_arguments(units, forget_bias, kwargs, default_forget_bias=0.0)
        super().__init__(units, reset_after=True, **kwargs)
        self.forget_bias, self.chrono_max_steps = validate_keep_bias(forget_bias, chrono_max_steps)
        self.return_gates = bool(return_gates)
        self.output_size = units * (1 + len(self.gate_names)) if self.return_gates else units

    def build(self, input_shape):
        keras.layers.Layer.build(self, input_shape)
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units * 3),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units * 3),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(2, self.units * 3),
                name="bias",
                initializer=self._bias_initial_value,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def _bias_initial_value(self, shape, dtype=None):
        units = self.units
        b_z = keep_gate_bias(units, self.forget_bias, self.chrono_max_steps, self.seed_generator, dtype)
        base = self.bias_initializer((2, units * 3), dtype=dtype)
        input_row = ops.concatenate([b_z, base[0, units:]])
        recurrent_row = ops.concatenate([ops.zeros((units,), dtype=dtype), base[1, units:]])
        return ops.stack([input_row, recurrent_row])

    def call(self, inputs, states, training=False):
        h_tm1 = states[0] if keras.tree.is_nested(states) else states
        x_proj, h_proj = gate_projections(self, inputs, h_tm1, 3, training)
        if self.use_bias:
            x_proj = ops.add(x_proj, self.bias[0])
            h_proj = ops.add(h_proj, self.bias[1])
        x_z, x_r, x_h = ops.split(x_proj, 3, axis=-1)
        h_z, h_r, h_h = ops.split(h_proj, 3, axis=-1)
        z = self.recurrent_activation(x_z + h_z)
        r = self.recurrent_activation(x_r + h_r)
        hh = self.activation(x_h + r * h_h)
        h = z * h_tm1 + (1 - z) * hh
        new_state = [h] if keras.tree.is_nested(states) else h
        if self.return_gates:
            return ops.concatenate([h, z, r, hh], axis=-1), new_state
        return h, new_state

    def get_config(self):
        config = super().get_config()
        config.pop("reset_after", None)
        config.update(
            forget_bias=self.forget_bias, chrono_max_steps=self.chrono_max_steps, return_gates=self.return_gates
        )
        return config


@keras.saving.register_keras_serializable(package="shared")
class GatedGRU(GateOutputsMixin, keras.layers.GRU):
    """Gated Recurrent Unit layer that can show its gates and starts from a chosen update-gate bias.

    The same function and weights as ``keras.layers.GRU(reset_after=True)`` (Keras' default): after
    ``layer.set_weights(keras_gru.get_weights())`` both compute the same outputs, and the other way round.
    With ``return_gates=False`` it runs Keras' GRU loop (cuDNN on a GPU where the configuration allows).
    Under a mixed-precision policy the state is kept in the compute dtype, as ``keras.layers.GRU`` keeps it.

    Args:
        units: dimensionality of the output space.
        forget_bias: initial update-gate (keep-gate) bias: a float (default 0.0, as Keras) or ``"chrono"``
            (see :class:`GatedGRUCell`).
        chrono_max_steps: ``T`` for ``forget_bias="chrono"``.
        return_gates: if True, the call also returns ``{"update", "reset", "candidate"}``, each
            ``(batch, time, units)``, as the last element of the returned tuple (processing order; masked
            steps follow ``zero_output_for_mask``).
        return_sequences, return_state, go_backwards, stateful, unroll, dropout, recurrent_dropout, seed,
        use_cudnn, and the activations, initializers, regularizers and constraints: as in
        ``keras.layers.GRU`` (no ``reset_after``: always True).

    Call arguments:
        sequences: ``(batch, time, features)``. mask: optional boolean ``(batch, time)``.
        training: bool. initial_state: optional ``(batch, units)``.

    Output shape:
        ``(batch, units)``, or ``(batch, time, units)`` with ``return_sequences``; with ``return_state``
        ``(output, h)``; with ``return_gates`` the gates dict appended: ``(output, gates)`` or
        ``(output, h, gates)``.

    Inside ``keras.layers.Bidirectional`` use ``return_gates=False`` and read both directions' gates with
    ``gate_activations(bidirectional_layer, x, mask)`` (see :class:`GatedLSTM`).

    ``unroll=True`` with a mask and ``zero_output_for_mask=True`` (as ``Bidirectional`` runs it with
    ``return_sequences=True``) gives what ``keras.layers.GRU`` gives, including the two defects of Keras'
    unrolled loops described in :class:`GatedLSTM` (TensorFlow: a backward run outputs 0 at valid steps whose
    mirror step is masked; JAX: masked steps repeat the last output instead of 0), and on PyTorch an unrolled
    backward run given a mask fails inside Keras, as ``keras.layers.GRU`` does. With masks, keep
    ``unroll=False``.

    Example:

    >>> x = np.random.rand(4, 30, 8).astype("float32")
    >>> y, gates = GatedGRU(16, forget_bias="chrono", chrono_max_steps=30, return_gates=True)(x)
    >>> tuple(y.shape), tuple(gates["update"].shape)
    ((4, 16), (4, 30, 16))
    """

    _fixed_config_keys = ("reset_after",)

    def __init__(
        self,
        units,
        forget_bias=0.0,
        chrono_max_steps=None,
        return_gates=False,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        use_cudnn="auto",
        **kwargs,
    ):
        if kwargs.pop("reset_after", True) is not True:
            raise ValueError("GatedGRU only implements reset_after=True (the cuDNN-compatible GRU)")
        cell = GatedGRUCell(
            units,
            forget_bias=forget_bias,
            chrono_max_steps=chrono_max_steps,
            return_gates=return_gates,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="gated_gru_cell",
        )
        kwargs.pop("implementation", None)  # accepted as keras.layers.GRU accepts it; the cell chooses
        self._init_gated_rnn(
            cell,
            return_gates,
            return_sequences,
            return_state,
            use_cudnn,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
