"""Tests of AttentionPooling."""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from shared.layers.attention import AttentionPooling
from shared.testing import check_layer


@pytest.fixture
def h(rng):
    return rng.standard_normal((4, 7, 5)).astype("float32")


@pytest.fixture
def mask():
    lengths = np.array([7, 4, 1, 3])
    return np.arange(7)[None, :] < lengths[:, None]


def to_numpy(*tensors):
    return [keras.ops.convert_to_numpy(t) for t in tensors]


def test_matches_numpy_reference(h, mask):
    layer = AttentionPooling(6, return_attention=True, bias_initializer="random_normal")
    context, weights = to_numpy(*layer(h, mask=mask))
    kernel, bias, v = layer.get_weights()
    scores = np.tanh(h @ kernel + bias) @ v
    exps = np.where(mask, np.exp(scores - scores.max(axis=1, keepdims=True)), 0.0)
    expected = exps / exps.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(weights, expected, atol=1e-6)
    np.testing.assert_allclose(context, np.einsum("bt,btf->bf", expected, h), atol=1e-5)


def test_weights_sum_to_one_and_vanish_on_masked_steps(h, mask):
    _, weights = to_numpy(*AttentionPooling(6, return_attention=True)(h, mask=mask))
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-6)
    assert np.all(weights[~mask] == 0.0)
    assert np.all(weights[mask] > 0.0)


def test_padding_does_not_change_the_context(h, mask):
    layer = AttentionPooling(6, return_attention=True)
    padded = h.copy()
    padded[~mask] = 1e3  # garbage in the padded steps
    context, weights = to_numpy(*layer(padded, mask=mask))
    for row, length in enumerate(mask.sum(axis=1)):
        short_context, short_weights = to_numpy(*layer(h[row : row + 1, :length]))
        np.testing.assert_allclose(context[row], short_context[0], atol=1e-6)
        np.testing.assert_allclose(weights[row, :length], short_weights[0], atol=1e-6)


def test_zero_score_vector_gives_the_mean_over_valid_steps(h, mask):
    context = to_numpy(AttentionPooling(6, score_initializer="zeros")(h, mask=mask))[0]
    expected = (h * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(context, expected, atol=1e-6)


def test_fully_masked_row_gives_zeros_and_finite_gradients(h, mask):
    mask = mask.copy()
    mask[2] = False
    layer = AttentionPooling(6, return_attention=True)
    inputs = tf.constant(h)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        context, weights = layer(inputs, mask=mask)
        loss = tf.reduce_sum(context**2)
    gradients = tape.gradient(loss, [inputs, *layer.trainable_weights])
    context, weights = to_numpy(context, weights)
    np.testing.assert_array_equal(context[2], 0.0)
    np.testing.assert_array_equal(weights[2], 0.0)
    assert all(np.all(np.isfinite(g.numpy())) for g in gradients)
    np.testing.assert_allclose(weights[[0, 1, 3]].sum(axis=1), 1.0, atol=1e-6)


def test_after_embedding_with_mask_zero(rng):
    tokens = rng.integers(1, 20, size=(3, 6))
    tokens[0, 4:] = 0
    tokens[1, 2:] = 0
    inputs = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(20, 4, mask_zero=True)(inputs)
    context, weights = AttentionPooling(5, return_attention=True)(embedded)
    model = keras.Model(inputs, [context, weights])
    context, weights = to_numpy(*model(tokens))
    np.testing.assert_array_equal(weights[tokens == 0], 0.0)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-6)
    # Cutting the padding off gives the same context.
    np.testing.assert_allclose(to_numpy(model(tokens[:1, :4])[0])[0][0], context[0], atol=1e-6)


def test_after_lstm_in_functional_model(rng):
    x = rng.standard_normal((3, 6, 2)).astype("float32")
    x[1, 3:] = 0.0
    inputs = keras.Input((6, 2))
    masked = keras.layers.Masking(0.0)(inputs)
    sequences = keras.layers.LSTM(4, return_sequences=True)(masked)
    context, weights = AttentionPooling(5, return_attention=True)(sequences)
    model = keras.Model(inputs, [context, keras.layers.Dense(1)(context), weights])
    context, _, weights = to_numpy(*model(x))
    np.testing.assert_array_equal(weights[1, 3:], 0.0)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-6)
    assert np.all(weights[0] > 0.0)


def test_harness_with_mask_and_attention(h, mask):
    report = check_layer(
        AttentionPooling,
        {"units": 6, "return_attention": True, "kernel_regularizer": "l2", "score_initializer": "random_normal"},
        h,
        input_mask=mask,
        expected_output_shape=((4, 5), (4, 7)),
        expected_output_mask=None,
    )
    print(report)


def test_harness_without_mask(h):
    check_layer(AttentionPooling, {"units": 3}, h, expected_output_shape=(4, 5), trains=False)


@pytest.mark.parametrize("units", [0, 2.7, "abc", True, np.float64(3.0)])
def test_rejects_bad_units(units):
    with pytest.raises(ValueError, match="units must be a positive integer"):
        AttentionPooling(units)
    assert AttentionPooling(np.int64(3)).units == 3


def test_non_finite_padding_never_reaches_the_context(rng):
    x = rng.normal(size=(2, 6, 4)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0, 0], [1] * 6], bool)
    layer = AttentionPooling(5)
    clean = np.asarray(layer(x, mask=mask))
    for bad in (np.nan, np.inf):
        dirty = x.copy()
        dirty[~mask] = bad
        np.testing.assert_array_equal(np.asarray(layer(dirty, mask=mask)), clean)


@pytest.mark.parametrize(
    "length, policy",
    [(4000, "mixed_bfloat16"), (20000, "mixed_float16"), (66000, "mixed_float16")],
)
def test_long_sequence_of_ones_pools_to_one_under_mixed_precision(length, policy):
    """The softmax total and the weighted sum run in float32: in bfloat16 the sum stopped growing (context 0.125
    at T=4000 on TensorFlow) and a float16 total overflows past 65504 steps (every weight and the context 0)."""
    layer = AttentionPooling(2, return_attention=True, dtype=policy, score_initializer="random_normal")
    context, weights = layer(np.ones((2, length, 3), "float32"), mask=np.ones((2, length), bool))
    assert keras.backend.standardize_dtype(context.dtype) == layer.compute_dtype
    assert keras.backend.standardize_dtype(weights.dtype) == layer.compute_dtype
    eps = float(np.finfo(layer.compute_dtype).eps) if policy == "mixed_float16" else 2.0**-7  # bfloat16 eps
    context, weights = to_numpy(context, weights)
    np.testing.assert_allclose(context.astype("float64"), 1.0, atol=eps)
    np.testing.assert_allclose(weights.astype("float64").sum(axis=1), 1.0, atol=eps)
    unmasked = to_numpy(layer(np.ones((1, length, 3), "float32"))[0])[0]
    np.testing.assert_allclose(unmasked.astype("float64"), 1.0, atol=eps)


@pytest.mark.parametrize("mask_shape", [(4, 6), (4, 7, 1), (3, 7)])
def test_a_mask_of_the_wrong_shape_is_named(h, mask_shape):
    """It failed inside the backend's where (TensorFlow: "SelectV2 ... must be broadcastable")."""
    message = (r"AttentionPooling needs a mask of shape \(batch, time\) = \(4, 7\) for inputs of shape \(4, 7, 5\); "
               rf"got a mask of shape {re.escape(str(mask_shape))}")
    with pytest.raises(ValueError, match=message):
        AttentionPooling(3)(h, mask=np.ones(mask_shape, bool))


def test_a_built_layer_names_another_feature_count(h):
    layer = AttentionPooling(3)
    layer(h)
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 5, but received input "
                                         r"with shape \(4, 7, 2\)"):
        layer(h[..., :2])
