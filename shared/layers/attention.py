"""Additive (Bahdanau) attention pooling over time, mask-aware."""

import keras
from keras import ops

from shared.layers.arguments import positive_int


@keras.saving.register_keras_serializable(package="shared")
class AttentionPooling(keras.layers.Layer):
    """Additive (Bahdanau) attention pooling: a learned weighted mean of a sequence over time.

    For a sequence `h_1..h_T` it computes

        score_t = v^T tanh(h_t @ W + b)
        a_t     = exp(score_t) / sum_{s unmasked} exp(score_s)   for unmasked t,   a_t = 0 for masked t
        context = sum_t a_t h_t

    The weights sum to 1 over the unmasked steps and are exactly 0 on masked steps, so padding never
    reaches the context. A fully masked row has no step to attend to: its weights are all 0 and its
    context is the zero vector (never NaN). The layer consumes the mask: `compute_mask` returns `None`.
    Under a mixed-precision policy (float16 or bfloat16 compute dtype) the softmax and the weighted sum run in
    float32 and only the results are cast to the compute dtype, so the weights still sum to 1 and the context is
    a mean up to the output dtype's rounding over any number of steps (a float16 total would overflow past
    65504 steps).

    Args:
        units: positive int, hidden size of the scoring network (`W` is `(features, units)`).
        return_attention: also return the weights `a`. Defaults to `False`.
        kernel_initializer: initializer of `W`. Defaults to `"glorot_uniform"`.
        bias_initializer: initializer of `b`. Defaults to `"zeros"`.
        score_initializer: initializer of `v`. Defaults to `"glorot_uniform"`.
        kernel_regularizer: regularizer of `W`. Defaults to `None`.
        bias_regularizer: regularizer of `b`. Defaults to `None`.
        score_regularizer: regularizer of `v`. Defaults to `None`.
        **kwargs: base layer keyword arguments (e.g. `name`, `dtype`).

    Call arguments:
        inputs: tensor of shape `(batch, time, features)`.
        mask: optional boolean tensor of shape `(batch, time)`; `True` marks valid steps.

    Input shape:
        `(batch, time, features)`.

    Output shape:
        `(batch, features)`; with `return_attention=True` a tuple `(context, weights)` with weights of shape
        `(batch, time)`.

    Example:

    >>> h = np.random.rand(2, 5, 8).astype("float32")
    >>> print(AttentionPooling(16)(h).shape)
    (2, 8)
    >>> context, weights = AttentionPooling(16, return_attention=True)(h)
    >>> print(context.shape, weights.shape)
    (2, 8) (2, 5)
    """

    def __init__(
        self,
        units,
        return_attention=False,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        score_initializer="glorot_uniform",
        kernel_regularizer=None,
        bias_regularizer=None,
        score_regularizer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = positive_int("units", units)
        self.return_attention = bool(return_attention)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.score_initializer = keras.initializers.get(score_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.score_regularizer = keras.regularizers.get(score_regularizer)
        self.supports_masking = True
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def build(self, input_shape):
        self.input_spec = keras.layers.InputSpec(ndim=3, axes={-1: input_shape[-1]})
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            name="kernel",
        )
        self.bias = self.add_weight(
            shape=(self.units,), initializer=self.bias_initializer, regularizer=self.bias_regularizer, name="bias"
        )
        self.score_vector = self.add_weight(
            shape=(self.units,),
            initializer=self.score_initializer,
            regularizer=self.score_regularizer,
            name="score_vector",
        )

    def call(self, inputs, mask=None):
        if mask is not None:  # padding never reaches the scores or the context, even a NaN or inf in it
            _check_mask_shape(inputs, mask)
            inputs = ops.where(ops.cast(mask, "bool")[..., None], inputs, ops.zeros_like(inputs))
        scores = ops.tensordot(ops.tanh(ops.matmul(inputs, self.kernel) + self.bias), self.score_vector, axes=1)
        # The softmax and the weighted sum run in float32 at least: under a float16/bfloat16 policy a total over
        # thousands of steps would overflow (float16 past 65504) or stop growing once the increments fall below
        # its spacing (bfloat16's einsum gave 0.125 for the mean of 4000 ones on TensorFlow).
        accumulate = keras.backend.result_type(self.compute_dtype, "float32")
        scores, inputs = ops.cast(scores, accumulate), ops.cast(inputs, accumulate)
        if mask is None:
            exps = ops.exp(scores - ops.max(scores, axis=-1, keepdims=True))
        else:
            mask = ops.cast(mask, "bool")
            # The row maximum over valid steps only; masked steps are replaced by the row minimum first.
            row_min = ops.min(scores, axis=-1, keepdims=True)
            row_max = ops.max(ops.where(mask, scores, row_min), axis=-1, keepdims=True)
            # Masked steps go through exp(0) and are then zeroed, so no inf or NaN appears in values or gradients.
            exps = ops.where(mask, ops.exp(ops.where(mask, scores - row_max, 0.0)), 0.0)
        total = ops.sum(exps, axis=-1, keepdims=True)
        # A fully masked row has total 0: its weights stay 0 instead of 0 / 0.
        weights = exps / ops.where(total > 0.0, total, 1.0)
        context = ops.einsum("bt,btf->bf", weights, inputs)
        context, weights = ops.cast(context, self.compute_dtype), ops.cast(weights, self.compute_dtype)
        if self.return_attention:
            return context, weights
        return context

    def compute_output_shape(self, input_shape):
        context_shape = (input_shape[0], input_shape[-1])
        if self.return_attention:
            return context_shape, (input_shape[0], input_shape[1])
        return context_shape

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "return_attention": self.return_attention,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "score_initializer": keras.initializers.serialize(self.score_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
            "score_regularizer": keras.regularizers.serialize(self.score_regularizer),
        }


def _check_mask_shape(inputs, mask):
    """Raises ``ValueError`` unless ``mask`` is ``(batch, time)`` of ``inputs`` ``(batch, time, features)`` (where
    both are known), instead of a broadcasting error from inside the backend's ``where``."""
    expected, got = tuple(inputs.shape[:2]), tuple(mask.shape)
    if len(got) != 2 or any(g is not None and e is not None and g != e for g, e in zip(got, expected)):
        raise ValueError(
            f"AttentionPooling needs a mask of shape (batch, time) = {expected} for inputs of shape "
            f"{tuple(inputs.shape)}; got a mask of shape {got}"
        )
