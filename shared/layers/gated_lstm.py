"""GatedLSTM: ``keras.layers.LSTM`` with a chosen forget-gate bias and gate activations you can see."""

import keras
from keras import ops

from shared.layers.cell_projections import gate_projections
from shared.layers.gate_bias import check_cell_arguments, keep_gate_bias, validate_keep_bias
from shared.layers.gate_outputs import GateOutputsMixin

LSTM_GATES = ("input", "forget", "output", "candidate", "cell")


@keras.saving.register_keras_serializable(package="shared")
class GatedLSTMCell(keras.layers.LSTMCell):
    """One step of :class:`GatedLSTM`: the maths and weight layout of ``keras.layers.LSTMCell``.

    With ``z = x W + h_{t-1} U + b`` split into ``(z_i, z_f, z_c, z_o)`` (Keras' gate order)::

        i = sigma(z_i)   f = sigma(z_f)   g = tanh(z_c)   o = sigma(z_o)
        c_t = f * c_{t-1} + i * g          h_t = o * tanh(c_t)

    where ``sigma`` is ``recurrent_activation`` and ``tanh`` is ``activation``. The weights are ``kernel``
    ``(input_dim, 4 * units)``, ``recurrent_kernel`` ``(units, 4 * units)`` and ``bias`` ``(4 * units,)``, as
    in Keras, so weights move between the two with ``set_weights(get_weights())``.

    Args:
        units: dimensionality of the state.
        forget_bias: initial forget-gate bias: a float (default 1.0, which is what
            ``keras.layers.LSTM(unit_forget_bias=True)`` gives), or ``"chrono"`` for chrono initialisation
            (``b_f = log U[1, T-1]``, ``b_i = -b_f``; Tallec & Ollivier 2018). The other slices of the bias
            come from ``bias_initializer``. With ``use_bias=False`` there is no bias to set: anything but the
            default is refused.
        chrono_max_steps: ``T`` for ``forget_bias="chrono"``.
        return_gates: if True each step's output is ``concat([h, i, f, o, g, c])``, shape
            ``(batch, 6 * units)``, so a ``keras.layers.RNN`` can carry the gates out (see :class:`GatedLSTM`).
            On JAX such an ``RNN`` given a mask needs ``zero_output_for_mask=True`` (or ``unroll=True``): Keras'
            JAX loop fills a masked step's output from the cell's first state, ``h`` (``units`` wide), and fails
            with "Incompatible shapes for broadcasting". ``GatedLSTM(return_gates=True)`` handles this itself.
        **kwargs: every other ``keras.layers.LSTMCell`` argument (activations, initializers, regularizers,
            constraints, ``dropout``, ``recurrent_dropout``, ``seed``) except ``unit_forget_bias`` and
            ``implementation`` (chosen as Keras does: per-gate products only with ``recurrent_dropout``).

    Dropout follows Keras (one mask per sequence, Gal & Ghahramani 2016): a single input mask without
    ``recurrent_dropout``, one mask per gate for the inputs and ``h_{t-1}`` with it.

    Call arguments:
        inputs: ``(batch, input_dim)``. states: ``[h, c]``, each ``(batch, units)``. training: bool.

    Returns:
        ``(output, [h, c])`` with output ``h`` ``(batch, units)``, or ``(batch, 6 * units)`` with gates.
    """

    gate_names = LSTM_GATES

    def __init__(self, units, forget_bias=1.0, chrono_max_steps=None, return_gates=False, **kwargs):
        if "unit_forget_bias" in kwargs:
            raise ValueError("GatedLSTMCell sets the forget-gate bias with `forget_bias`, not `unit_forget_bias`")
        kwargs.pop("implementation", None)
        units = check_cell_arguments(units, forget_bias, kwargs, default_forget_bias=1.0)
        super().__init__(units, unit_forget_bias=False, **kwargs)
        self.forget_bias, self.chrono_max_steps = validate_keep_bias(forget_bias, chrono_max_steps)
        self.return_gates = bool(return_gates)
        self.output_size = units * (1 + len(self.gate_names)) if self.return_gates else units

    def build(self, input_shape):
        keras.layers.Layer.build(self, input_shape)
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units * 4),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units * 4),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units * 4,),
                name="bias",
                initializer=self._bias_initial_value,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def _bias_initial_value(self, shape, dtype=None):
        units = self.units
        b_f = keep_gate_bias(units, self.forget_bias, self.chrono_max_steps, self.seed_generator, dtype)
        b_i = -b_f if self.forget_bias == "chrono" else self.bias_initializer((units,), dtype=dtype)
        return ops.concatenate([b_i, b_f, self.bias_initializer((units * 2,), dtype=dtype)])

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        x_proj, h_proj = gate_projections(self, inputs, h_tm1, 4, training)
        z = ops.add(x_proj, h_proj)
        if self.use_bias:
            z = ops.add(z, self.bias)
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        g = self.activation(z_c)
        o = self.recurrent_activation(z_o)
        c = f * c_tm1 + i * g
        h = o * self.activation(c)
        if self.return_gates:
            return ops.concatenate([h, i, f, o, g, c], axis=-1), [h, c]
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.pop("unit_forget_bias", None)
        config.update(
            forget_bias=self.forget_bias, chrono_max_steps=self.chrono_max_steps, return_gates=self.return_gates
        )
        return config


@keras.saving.register_keras_serializable(package="shared")
class GatedLSTM(GateOutputsMixin, keras.layers.LSTM):
    """Long Short-Term Memory layer that can show its gates and starts from a chosen forget-gate bias.

    The same function and weights as ``keras.layers.LSTM`` (``kernel``, ``recurrent_kernel``, ``bias``; gate
    order i, f, c, o): after ``layer.set_weights(keras_lstm.get_weights())`` both compute the same outputs,
    and the other way round. With ``return_gates=False`` it runs Keras' own LSTM loop, so on a GPU it takes
    the cuDNN kernel where the configuration allows (tanh/sigmoid, ``use_bias``, no ``unroll``, no
    ``recurrent_dropout``), and on a CPU this cell's fused step, which computes the same function.
    Under a mixed-precision policy the states ``h`` and ``c`` are kept in the compute dtype (float16 or
    bfloat16), as ``keras.layers.LSTM`` keeps them (unlike :class:`~shared.layers.LeakyIntegrator`, whose state
    runs in float32).

    Args:
        units: dimensionality of the output space.
        forget_bias: initial forget-gate bias, a float (default 1.0) or ``"chrono"`` (see
            :class:`GatedLSTMCell`).
        chrono_max_steps: ``T``, the longest dependency in steps, for ``forget_bias="chrono"``.
        return_gates: if True, the call also returns a dict of per-step activations
            ``{"input", "forget", "output", "candidate", "cell"}``, each ``(batch, time, units)``, as the last
            element of the returned tuple. Gates are in processing order (reversed with ``go_backwards``);
            at masked steps they follow the layer's ``zero_output_for_mask`` rule (repeated from the last
            valid step by default). Computing the gates needs this cell's loop, never cuDNN.
        return_sequences, return_state, go_backwards, stateful, unroll, dropout, recurrent_dropout, seed,
        use_cudnn, and the activations, initializers, regularizers and constraints: as in
        ``keras.layers.LSTM`` (no ``unit_forget_bias``: use ``forget_bias``).

    Call arguments:
        sequences: ``(batch, time, features)``. mask: optional boolean ``(batch, time)``.
        training: bool. initial_state: optional ``[h, c]``, each ``(batch, units)``.

    Output shape:
        ``(batch, units)``, or ``(batch, time, units)`` with ``return_sequences``; with ``return_state`` the
        tuple ``(output, h, c)``; with ``return_gates`` the gates dict appended: ``(output, gates)`` or
        ``(output, h, c, gates)``.

    Inside ``keras.layers.Bidirectional`` use ``return_gates=False`` and read both directions' gates with
    ``gate_activations(bidirectional_layer, x, mask)`` (:func:`shared.layers.gate_activations`), which flips
    the backward gates back to input order. ``Bidirectional`` does not know the gates output: wrapping a layer
    built with ``return_gates=True`` fails when it is called (with ``return_state=True`` it passes each
    direction's gates dict on after its states, the backward one in processing order).

    ``unroll=True`` with a mask and ``zero_output_for_mask=True`` (which ``Bidirectional`` sets on both copies
    when ``return_sequences=True``) inherits two defects of Keras' unrolled loops, as ``keras.layers.LSTM`` has
    them (with ``return_gates=False`` this layer gives exactly what it gives): on TensorFlow a ``go_backwards``
    run (``Bidirectional``'s backward copy) outputs 0 at every step ``t`` whose mirror step ``T - 1 - t`` is
    masked, valid steps included, so a right-padded ``Bidirectional``'s backward half reads 0 at its first
    steps; on JAX masked steps repeat the last valid output instead of 0. On PyTorch (Keras 3.15) an unrolled
    ``go_backwards`` run given any mask fails inside Keras ("'tuple' object has no attribute 'shape'"), as
    ``keras.layers.LSTM`` does. With ``return_gates=True`` neither the TensorFlow defect nor the PyTorch failure
    occurs (its outputs then differ from ``return_gates=False`` on TensorFlow). With masks, keep
    ``unroll=False``, where none of these occurs.

    Example:

    >>> x = np.random.rand(4, 30, 8).astype("float32")
    >>> layer = GatedLSTM(16, forget_bias="chrono", chrono_max_steps=30, return_gates=True)
    >>> y, gates = layer(x)
    >>> tuple(y.shape), tuple(gates["forget"].shape)
    ((4, 16), (4, 30, 16))
    """

    _fixed_config_keys = ("unit_forget_bias",)

    def __init__(
        self,
        units,
        forget_bias=1.0,
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
        if "unit_forget_bias" in kwargs:
            raise ValueError("GatedLSTM sets the forget-gate bias with `forget_bias`, not `unit_forget_bias`")
        cell = GatedLSTMCell(
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
            name="gated_lstm_cell",
        )
        kwargs.pop("implementation", None)  # accepted as keras.layers.LSTM accepts it; the cell chooses
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
