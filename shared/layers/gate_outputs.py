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


class GateOutputsMixin:
    """Adds ``return_gates`` and a keep-gate bias to a subclass of ``keras.layers.LSTM`` or ``GRU``.

    The subclass's cell has ``gate_names``, ``forget_bias`` and ``chrono_max_steps``. With
    ``return_gates=True`` the RNN loop always runs with ``return_sequences=True`` and ``return_state=True``;
    the user's own ``return_sequences``/``return_state`` choices are applied when the stacked output is
    split, and ``get_config`` reports them, not the internal ones.
    """

    #: Keys of the Keras parent's config that the subclass fixes and so leaves out of its own config.
    _fixed_config_keys = ()

    def _init_gated_rnn(self, cell, return_gates, return_sequences, return_state, use_cudnn, **rnn_kwargs):
        """Does what the Keras parent's ``__init__`` does, around this subclass's own cell.

        The parent's ``__init__`` would build a stock cell, so ``keras.layers.RNN.__init__`` takes ours; with
        ``return_gates`` the loop itself always returns sequences and states (see the class docstring).
        """
        keras.layers.RNN.__init__(
            self,
            cell,
            return_sequences=bool(return_sequences or return_gates),
            return_state=bool(return_state or return_gates),
            **rnn_kwargs,
        )
        self.return_gates = bool(return_gates)
        self._user_return_sequences = bool(return_sequences)
        self._user_return_state = bool(return_state)
        self.input_spec = keras.layers.InputSpec(ndim=3)
        if use_cudnn not in ("auto", True, False):
            raise ValueError(f"use_cudnn must be 'auto', True or False; got {use_cudnn!r}")
        self.use_cudnn = use_cudnn
        if keras.backend.backend() == "tensorflow" and use_cudnn and not return_gates:
            # As the Keras parent: a model whose layer may run cuDNN is not XLA-compiled ("auto" jit).
            self.supports_jit = False

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
        output = pieces[0] if self._user_return_sequences else states[0]
        if self._user_return_state:
            return (output, *states, gates)
        return output, gates

    def call(self, sequences, initial_state=None, mask=None, training=False):
        result = super().call(sequences, initial_state=initial_state, mask=mask, training=training)
        if not self.return_gates:
            return result
        return self._split_gate_outputs(result)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if self.return_gates:
            if self.use_cudnn is True:
                raise ValueError(
                    "use_cudnn=True cannot return gates: cuDNN only returns the hidden states. "
                    "Use use_cudnn='auto' (the default) or return_gates=False."
                )
            return keras.layers.RNN.inner_loop(self, sequences, initial_state, mask=mask, training=training)
        return super().inner_loop(sequences, initial_state, mask=mask, training=training)

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
        config.update(
            forget_bias=self.forget_bias,
            chrono_max_steps=self.chrono_max_steps,
            return_gates=self.return_gates,
            use_cudnn=self.use_cudnn,
            return_sequences=self._user_return_sequences,
            return_state=self._user_return_state,
        )
        return config


def gate_activations(layer, inputs, mask=None, training=False):
    """Per-step gate activations of a built GatedLSTM / GatedGRU, or of both directions of a Bidirectional.

    The layer itself is not changed: a twin with ``return_gates=True`` and the same weights is run on
    ``inputs``. Use it to inspect a trained model, e.g. ``gate_activations(model.get_layer("bilstm"), x)``.

    Args:
        layer: a built ``GatedLSTM`` or ``GatedGRU``, or a ``keras.layers.Bidirectional`` wrapping one.
        inputs: the layer's input, shape ``(batch, time, features)`` (for a layer inside a model, the
            output of the layers before it).
        mask: optional boolean mask ``(batch, time)``; pass the same mask the model gives the layer (e.g.
            from an ``Embedding(mask_zero=True)``), since it changes the gates of the steps after padding.
        training: run in training mode (dropout on).

    Returns:
        For a single layer, a dict gate name -> array ``(batch, time, units)`` in the order the layer
        processed the steps (reversed when ``go_backwards=True``, like ``return_sequences`` output).
        For a Bidirectional, ``{"forward": {...}, "backward": {...}}``, with the backward gates flipped back
        so that index ``t`` refers to input step ``t`` in both, as Bidirectional does with its outputs.
    """
    if isinstance(layer, keras.layers.Bidirectional):
        backward = gate_activations(layer.backward_layer, inputs, mask, training)
        return {
            "forward": gate_activations(layer.forward_layer, inputs, mask, training),
            "backward": {name: ops.flip(value, axis=1) for name, value in backward.items()},
        }
    if not isinstance(layer, GateOutputsMixin):
        raise TypeError(f"gate_activations needs a GatedLSTM, GatedGRU or Bidirectional of one; got {type(layer).__name__}")
    if not layer.built:
        raise ValueError(f"layer {layer.name!r} is not built: call it (or the model holding it) once first")
    config = layer.get_config()
    config.update(return_gates=True, return_sequences=True, return_state=False, stateful=False,
                  name=f"{layer.name}_gates")
    twin = type(layer).from_config(config)
    twin.build(tuple(inputs.shape))
    twin.set_weights(layer.get_weights())
    _, gates = twin(inputs, mask=mask, training=training)
    return gates
