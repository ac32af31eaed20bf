"""Turning a recurrent layer's per-step gate activations into outputs a user can look at.

A Keras RNN cell must emit one tensor per step. A cell built with ``return_gates=True`` therefore emits
``concat([h, gate_1, ..., gate_G])`` of width ``(1 + G) * units``; :class:`GateOutputsMixin` runs such a cell
through the stock ``keras.layers.RNN`` loop (keeping masking, ``go_backwards``, dropout and statefulness as
they are) and splits the stacked sequence back into the layer's usual outputs plus a dict of gates.

:func:`gate_activations` gives the gates of a layer that was built without ``return_gates`` (for example one
inside a trained model, or both directions of a ``keras.layers.Bidirectional``) by running a twin layer with
the same weights.
"""

import keras
from keras import ops

from shared.layers.cell_rnn import sequence_input_spec

_CUDNN_GATES = ("use_cudnn=True cannot return gates: cuDNN only returns the hidden states. "
                "Use use_cudnn='auto' (the default) or return_gates=False.")


class GateOutputsMixin:
    """Adds ``return_gates`` and a keep-gate bias to a subclass of ``keras.layers.LSTM`` or ``GRU``.

    The subclass's cell has ``gate_names``, ``forget_bias`` and ``chrono_max_steps``. With
    ``return_gates=True`` the RNN loop always runs with ``return_sequences=True`` and ``return_state=True``;
    the user's own ``return_sequences``/``return_state`` choices are applied when the stacked output is
    split, and the layer's attributes and ``get_config`` show them outside ``call``, not the internal ones
    (so ``keras.layers.Bidirectional``, which copies them, fails on the gates instead of misreading the
    output; ``gate_activations`` gives a Bidirectional's gates). An ``activity_regularizer`` applies to the
    outputs the layer would give without gates (the output, and the states with ``return_state``), not to the
    gates: asking to see the gates does not change the training objective.
    """

    #: Keys of the Keras parent's config that the subclass fixes and so leaves out of its own config.
    _fixed_config_keys = ()

    def _init_gated_rnn(self, cell, return_gates, return_sequences, return_state, use_cudnn, **rnn_kwargs):
        """Does what the Keras parent's ``__init__`` does, around this subclass's own cell.

        The parent's ``__init__`` would build a stock cell, so ``keras.layers.RNN.__init__`` takes ours; with
        ``return_gates`` the loop itself always returns sequences and states (see the class docstring).
        """
        keras.layers.RNN.__init__(
            self, cell, return_sequences=bool(return_sequences), return_state=bool(return_state), **rnn_kwargs
        )
        self.return_gates = bool(return_gates)
        self._user_return_sequences = bool(return_sequences)
        self._user_return_state = bool(return_state)
        # Keras would regularise every output leaf, gates included; call() applies it to the plain outputs
        self._output_regularizer = self.activity_regularizer if self.return_gates else None
        if self.return_gates:
            self.activity_regularizer = None
        self.input_spec = keras.layers.InputSpec(ndim=3)
        if use_cudnn not in ("auto", True, False):
            raise ValueError(f"use_cudnn must be 'auto', True or False; got {use_cudnn!r}")
        if use_cudnn is True and return_gates:
            raise ValueError(_CUDNN_GATES)
        self.use_cudnn = use_cudnn
        if keras.backend.backend() == "tensorflow" and (return_gates or (use_cudnn and _cudnn_may_run(self))):
            # Not XLA-compiled (jit_compile="auto" or True leaves the model uncompiled, with Keras' warning):
            # - where cuDNN may run, as keras.layers.LSTM / GRU decide it (cuDNN kernels are not XLA ops);
            # - with return_gates, whose masked path carries outputs with a scan that XLA cannot compile on
            #   TensorFlow ("XLA compilation requires a fixed tensor list size").
            self.supports_jit = False

    def build(self, sequences_shape, initial_state_shape=None):
        super().build(sequences_shape, initial_state_shape)
        # Once built, a sequence with another number of features is named by Keras' input check, not by a
        # matrix-product error from inside the cell (keras.layers.LSTM/GRU give that one).
        self.input_spec = sequence_input_spec(sequences_shape)

    @property
    def forget_bias(self):
        return self.cell.forget_bias

    @property
    def chrono_max_steps(self):
        return self.cell.chrono_max_steps

    def _split_gate_outputs(self, result):
        outputs, *states = result
        pieces = ops.split(outputs, 1 + len(self.cell.gate_names), axis=-1)
        gates = dict(zip(self.cell.gate_names, pieces[1:]))
        # the last step's output, as the plain loop returns it (zero after right padding with
        # zero_output_for_mask; not the state, which a fully masked row keeps at its initial value)
        output = pieces[0] if self._user_return_sequences else pieces[0][:, -1]
        if self._user_return_state:
            return (output, *states, gates)
        return output, gates

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if not self.return_gates:
            return super().call(sequences, initial_state=initial_state, mask=mask, training=training)
        # Only the loop sees the forced flags: wrappers such as Bidirectional read the public ones, and with the
        # forced ones Bidirectional took the (batch, units) backward output for a sequence and flipped its units.
        self.return_sequences, self.return_state = True, True
        try:
            result = super().call(sequences, initial_state=initial_state, mask=mask, training=training)
        finally:
            self.return_sequences, self.return_state = self._user_return_sequences, self._user_return_state
        *plain, gates = self._split_gate_outputs(result)
        if self._output_regularizer is not None:
            for output in plain:  # as keras.layers.Layer does for each output, normalised by the batch size
                loss = self._output_regularizer(output)
                self.add_loss(ops.divide_no_nan(loss, ops.cast(ops.shape(output)[0], loss.dtype)))
        return (*plain, gates)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if not self.return_gates:
            return super().inner_loop(sequences, initial_state, mask=mask, training=training)
        if self.use_cudnn is True:
            raise ValueError(_CUDNN_GATES)
        if keras.tree.is_nested(mask):
            mask = mask[0]
        zero, backwards = self.zero_output_for_mask, self.go_backwards
        if mask is None or (zero and not backwards):
            return keras.layers.RNN.inner_loop(self, sequences, initial_state, mask=mask, training=training)
        # go_backwards runs the reversed sequence forwards (the same steps, outputs in the same processing order):
        # Keras' unrolled TensorFlow loop zeroes the masked outputs of a backward run at unreversed steps (an
        # upstream bug that the plain layer, return_gates=False, keeps: Bidirectional(GatedLSTM(...,
        # return_sequences=True, unroll=True)) zeroes valid backward steps there, as keras.layers.LSTM does).
        # Without zero_output_for_mask a masked step repeats the previous output; the JAX loop takes that from the
        # first state, which is h, not the stacked [h, gates]: run with zeros at masked steps and carry the
        # outputs here.
        if backwards:
            sequences, mask = ops.flip(sequences, axis=1), ops.flip(mask, axis=1)
        self.zero_output_for_mask, self.go_backwards = True, False
        try:
            _, outputs, states = keras.layers.RNN.inner_loop(self, sequences, initial_state, mask=mask,
                                                             training=training)
        finally:
            self.zero_output_for_mask, self.go_backwards = zero, backwards
        if not zero:
            initial = ops.zeros_like(outputs[:, 0])
            if keras.backend.backend() == "jax" and not self.unroll:
                # the JAX scan repeats the initial h before the first unmasked step; TensorFlow's and PyTorch's
                # loops give zeros there
                h0 = ops.cast(keras.tree.flatten(initial_state)[0], outputs.dtype)
                initial = ops.concatenate([h0, initial[:, ops.shape(h0)[-1]:]], axis=-1)
            outputs = _carry_forward(outputs, mask, initial)
        return outputs[:, -1], outputs, states

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        if not self.return_gates:
            return super().compute_output_shape(sequences_shape, initial_state_shape)
        batch, length = sequences_shape[0], sequences_shape[1]
        units = self.cell.units
        output = (batch, length, units) if self._user_return_sequences else (batch, units)
        gates = {name: (batch, length, units) for name in self.cell.gate_names}
        if self._user_return_state:
            return (output, *[(batch, size) for size in self.state_size], gates)
        return output, gates

    def compute_mask(self, inputs, mask):
        if not self.return_gates:
            return super().compute_mask(inputs, mask)
        mask = keras.tree.flatten(mask)[0] if mask is not None else None
        output_mask = mask if self._user_return_sequences else None
        gate_masks = {name: mask for name in self.cell.gate_names}
        if self._user_return_state:
            return [output_mask, *[None for _ in self.state_size], gate_masks]
        return [output_mask, gate_masks]

    def get_config(self):
        config = super().get_config()
        for key in self._fixed_config_keys:
            config.pop(key, None)
        if self.return_gates:
            config["activity_regularizer"] = keras.regularizers.serialize(self._output_regularizer)
        config.update(
            forget_bias=self.forget_bias,
            chrono_max_steps=self.chrono_max_steps,
            return_gates=self.return_gates,
            use_cudnn=self.use_cudnn,
            return_sequences=self._user_return_sequences,
            return_state=self._user_return_state,
        )
        return config


def _cudnn_may_run(layer):
    """Whether TensorFlow may run ``layer`` with cuDNN: a GPU is visible and the arguments are those cuDNN
    takes (tanh and sigmoid, a bias, no ``unroll``; the GRU's ``reset_after=True`` always holds here), the
    test ``keras.layers.LSTM`` and ``GRU`` opt out of XLA by."""
    import tensorflow as tf

    cell = layer.cell
    arguments = (cell.activation in (keras.activations.tanh, tf.tanh, ops.tanh)
                 and cell.recurrent_activation in (keras.activations.sigmoid, tf.sigmoid, ops.sigmoid)
                 and cell.use_bias and not layer.unroll)
    return bool(arguments and tf.config.list_physical_devices("GPU"))


def _carry_forward(outputs, mask, initial):
    """``outputs`` ``(batch, time, width)`` with each masked step (``mask`` ``(batch, time)``, False) replaced by
    the step before it, ``initial`` ``(batch, width)`` before the first unmasked step: what the plain loop gives
    (zeros on TensorFlow, the initial state's h and zero gates where the loop repeats the first state).

    The mask travels as a last column of the one scanned sequence: Keras' TensorFlow ``scan`` fails on two
    sequences whose length is unknown when traced (``keras.Input((None, ...))``, ``padded_batch``, ``export``)."""
    def step(carry, current):
        carry = ops.where(current[:, -1:] > 0, current[:, :-1], carry)
        return carry, carry

    keep = ops.cast(mask, outputs.dtype)[:, :, None]
    _, carried = ops.scan(step, initial, ops.transpose(ops.concatenate([outputs, keep], axis=-1), (1, 0, 2)))
    return ops.transpose(carried, (1, 0, 2))


def gate_activations(layer, inputs, mask=None, training=False):
    """Per-step gate activations of a built GatedLSTM / GatedGRU, or of both directions of a Bidirectional.

    The layer itself is not changed: a twin with ``return_gates=True`` and the same weights is run on
    ``inputs``. Use it to inspect a trained model, e.g. ``gate_activations(model.get_layer("bilstm"), x)``.

    Args:
        layer: a built ``GatedLSTM`` or ``GatedGRU``, or a ``keras.layers.Bidirectional`` wrapping one.
        inputs: the layer's input, shape ``(batch, time, features)`` (for a layer inside a model, the
            output of the layers before it), with the layer's number of features.
        mask: optional boolean mask ``(batch, time)``; pass the same mask the model gives the layer (e.g.
            from an ``Embedding(mask_zero=True)``), since it changes the gates of the steps after padding.
        training: run in training mode (dropout on).

    A stateful layer's twin starts from the layer's current states (which it does not advance), so the gates
    are those the layer would produce on ``inputs`` as its next batch.

    Returns:
        For a single layer, a dict gate name -> array ``(batch, time, units)`` in the order the layer
        processed the steps (reversed when ``go_backwards=True``, like ``return_sequences`` output).
        For a Bidirectional, ``{"forward": {...}, "backward": {...}}``, with the backward gates flipped back
        so that index ``t`` refers to input step ``t`` in both, as Bidirectional does with its outputs.

    Raises:
        TypeError: ``layer`` is not one of those.
        ValueError: ``layer`` is not built, or ``inputs`` is not ``(batch, time, features)`` with the
            layer's number of features.
    """
    if isinstance(layer, keras.layers.Bidirectional):
        backward = gate_activations(layer.backward_layer, inputs, mask, training)
        return {
            "forward": gate_activations(layer.forward_layer, inputs, mask, training),
            "backward": {name: ops.flip(value, axis=1) for name, value in backward.items()},
        }
    if not isinstance(layer, GateOutputsMixin):
        raise TypeError("gate_activations needs a GatedLSTM, GatedGRU or Bidirectional of one; "
                        f"got {type(layer).__name__}")
    if not layer.built:
        raise ValueError(f"layer {layer.name!r} is not built: call it (or the model holding it) once first")
    inputs = ops.convert_to_tensor(inputs)
    features = layer.cell.kernel.shape[0]
    if len(inputs.shape) != 3 or inputs.shape[-1] != features:
        raise ValueError(f"layer {layer.name!r} takes inputs of shape (batch, time, {features}); "
                         f"got shape {tuple(inputs.shape)}")
    config = layer.get_config()
    config.update(return_gates=True, return_sequences=True, return_state=False, stateful=False,
                  name=f"{layer.name}_gates")
    twin = type(layer).from_config(config)
    twin.build(tuple(inputs.shape))
    twin.set_weights(layer.get_weights())
    initial_state = [ops.convert_to_tensor(state) for state in layer.states] if layer.stateful else None
    _, gates = twin(inputs, mask=mask, training=training, initial_state=initial_state)
    return gates
