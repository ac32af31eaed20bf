"""A base for recurrent layers made of one cell whose constructor arguments are the layer's own."""

import keras


def sequence_input_spec(sequences_shape):
    """``InputSpec(ndim=3)`` for a recurrent layer built on ``sequences_shape`` ``(batch, time, features)``, with
    the number of features where it is known."""
    features = sequences_shape[-1]
    return keras.layers.InputSpec(ndim=3, axes=None if features is None else {-1: features})


class CellRNN(keras.layers.RNN):
    """``keras.layers.RNN`` around one cell, configured like Keras' LSTM and GRU layers: the layer's config is
    the RNN flags plus the cell's arguments named in ``cell_arguments`` (no nested ``cell`` entry), so
    ``cls(**layer.get_config())`` rebuilds it. Subclasses build their cell in ``__init__`` and pass it here.
    """

    #: The cell constructor arguments that the layer's config carries.
    cell_arguments = ()

    def __init__(self, cell, **kwargs):
        super().__init__(cell, **kwargs)
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def build(self, sequences_shape, initial_state_shape=None):
        super().build(sequences_shape, initial_state_shape)
        # Once built, another number of features is named by Keras' input check, not by a matmul in the cell.
        self.input_spec = sequence_input_spec(sequences_shape)

    @property
    def units(self):
        return self.cell.units

    def get_config(self):
        cell_config = self.cell.get_config()
        config = super().get_config()
        del config["cell"]
        return {**config, **{key: cell_config[key] for key in self.cell_arguments}}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
