"""A mask-aware stack of length-preserving Conv1D blocks for one-hot or embedded sequences."""

import numbers

import keras
from keras import ops

from shared.layers.arguments import dropout_rate

_NORMALIZATIONS = (None, "layer")


def _per_block(name, value):
    """Returns ``value`` as a list of positive ints (a scalar becomes a one-element list)."""
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if not values or any(isinstance(v, bool) or not isinstance(v, numbers.Integral) or v <= 0 for v in values):
        raise ValueError(f"{name} must be a positive int or a non-empty list of them; got {value!r}")
    return [int(v) for v in values]


@keras.saving.register_keras_serializable(package="shared")
class ConvFrontEnd(keras.layers.Layer):
    """Stacked, length-preserving, mask-aware Conv1D blocks: a front end for sequence models.

    Block `i` maps its input `x` to

        y = dropout(activation(norm(conv_i(x))))
        y = y + skip_i(x)                           (if `residual`)
        y = where(mask, y, 0)                       (if a mask is given)

    where `conv_i = Conv1D(filters[i], kernel_sizes[i], dilation_rate=dilation_rates[i], padding="same")`,
    `norm` is the identity or a `LayerNormalization`, and `skip_i` is the identity, or a 1x1 `Conv1D` when
    the channel counts differ. The first block's input is the layer input with masked positions zeroed.

    All convolutions use `padding="same"` with stride 1, so the time length never changes (also with
    dilations). The input's masked positions, and each block's output at masked positions, are set to zero,
    so whatever lies in padded positions cannot leak into valid ones: a right-padded sequence gives exactly
    the outputs of the same sequence with its padding cut off. The mask itself is passed on unchanged, so a
    following recurrent layer still skips the padding.

    The number of blocks is the length of the list arguments (`filters`, `kernel_sizes`, `dilation_rates`);
    an int is used for every block; with only ints there is one block. Lists must have equal lengths.

    Args:
        filters: int or list of ints, output channels per block. Defaults to 64.
        kernel_sizes: int or list of ints, kernel size per block. Defaults to 3.
        dilation_rates: int or list of ints, dilation per block. Defaults to 1.
        residual: add each block's input to its output (through a 1x1 projection when the channel counts
            differ). Defaults to `True`.
        activation: activation of each block. Defaults to `"relu"`.
        dropout: float in [0, 1), dropout rate after each block's activation (training only). Defaults to 0.
        normalization: `None` or `"layer"` (layer normalization over channels after each convolution).
            Defaults to `None`.
        kernel_initializer: initializer of all convolution kernels. Defaults to `"glorot_uniform"`.
        bias_initializer: initializer of all convolution biases. Defaults to `"zeros"`.
        kernel_regularizer: regularizer of all convolution kernels. Defaults to `None`.
        bias_regularizer: regularizer of all convolution biases. Defaults to `None`.
        **kwargs: base layer keyword arguments (e.g. `name`, `dtype`).

    Call arguments:
        inputs: tensor of shape `(batch, time, channels)`.
        mask: optional boolean tensor of shape `(batch, time)`; `True` marks valid steps.
        training: whether dropout is active.

    Input shape:
        `(batch, time, channels)`.

    Output shape:
        `(batch, time, filters[-1])`, with the input mask.

    Example:

    >>> x = np.random.rand(2, 10, 4).astype("float32")
    >>> front = ConvFrontEnd(filters=[8, 16], kernel_sizes=[5, 3], dilation_rates=[1, 2])
    >>> print(front(x).shape)
    (2, 10, 16)
    """

    def __init__(
        self,
        filters=64,
        kernel_sizes=3,
        dilation_rates=1,
        residual=True,
        activation="relu",
        dropout=0.0,
        normalization=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        raw = {"filters": filters, "kernel_sizes": kernel_sizes, "dilation_rates": dilation_rates}
        per_block = {name: _per_block(name, value) for name, value in raw.items()}
        list_lengths = {name: len(per_block[name]) for name, value in raw.items() if isinstance(value, (list, tuple))}
        if len(set(list_lengths.values())) > 1:
            raise ValueError(f"list arguments must have the same length (one entry per block); got {list_lengths}")
        num_blocks = max(list_lengths.values(), default=1)
        self.filters, self.kernel_sizes, self.dilation_rates = (
            values * num_blocks if len(values) == 1 else values for values in per_block.values()
        )
        dropout = dropout_rate("dropout", dropout)
        if normalization not in _NORMALIZATIONS:
            raise ValueError(f"normalization must be one of {_NORMALIZATIONS}; got {normalization!r}")
        self.residual = bool(residual)
        self.activation = keras.activations.get(activation)
        self.dropout = float(dropout)
        self.normalization = normalization
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.supports_masking = True
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def _conv(self, filters, kernel_size, dilation_rate, name):
        # Initializers go in as configs so that each convolution gets its own instance: one unseeded instance
        # called twice would give same-shaped kernels identical values.
        return keras.layers.Conv1D(
            filters,
            kernel_size,
            dilation_rate=dilation_rate,
            padding="same",
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            bias_initializer=keras.initializers.serialize(self.bias_initializer),
            kernel_regularizer=self.kernel_regularizer,
            bias_regularizer=self.bias_regularizer,
            dtype=self.dtype_policy,
            name=name,
        )

    def build(self, input_shape):
        self.convs, self.norms, self.projections = [], [], []
        channels = input_shape[-1]
        for i, (filters, kernel_size, dilation) in enumerate(
            zip(self.filters, self.kernel_sizes, self.dilation_rates)
        ):
            conv = self._conv(filters, kernel_size, dilation, f"conv_{i}")
            conv.build((None, None, channels))
            self.convs.append(conv)
            if self.normalization == "layer":
                norm = keras.layers.LayerNormalization(dtype=self.dtype_policy, name=f"layer_norm_{i}")
                norm.build((None, None, filters))
                self.norms.append(norm)
            if self.residual and channels != filters:
                projection = self._conv(filters, 1, 1, f"projection_{i}")
                projection.build((None, None, channels))
                self.projections.append(projection)
            else:
                self.projections.append(None)
            channels = filters
        self.dropout_layer = keras.layers.Dropout(self.dropout, dtype=self.dtype_policy)

    def call(self, inputs, mask=None, training=None):
        valid = None if mask is None else ops.expand_dims(ops.cast(mask, "bool"), -1)
        x = inputs if valid is None else ops.where(valid, inputs, ops.zeros_like(inputs))
        for i, (conv, projection) in enumerate(zip(self.convs, self.projections)):
            y = conv(x)
            if self.norms:
                y = self.norms[i](y)
            y = self.dropout_layer(self.activation(y), training=training)
            if self.residual:
                y = y + (x if projection is None else projection(x))
            x = y if valid is None else ops.where(valid, y, ops.zeros_like(y))
        return x

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters[-1])

    def compute_mask(self, inputs, mask=None):
        return mask

    def get_config(self):
        return {
            **super().get_config(),
            "filters": list(self.filters),
            "kernel_sizes": list(self.kernel_sizes),
            "dilation_rates": list(self.dilation_rates),
            "residual": self.residual,
            "activation": keras.activations.serialize(self.activation),
            "dropout": self.dropout,
            "normalization": self.normalization,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
        }
