"""Tests of ConvFrontEnd."""

import itertools

import keras
import numpy as np
import pytest

from shared.layers.conv import ConvFrontEnd
from shared.testing import check_layer


@pytest.fixture
def x(rng):
    return rng.standard_normal((3, 9, 4)).astype("float32")


@pytest.fixture
def mask():
    return np.arange(9)[None, :] < np.array([9, 5, 2])[:, None]


def to_numpy(tensor):
    return keras.ops.convert_to_numpy(tensor)


@pytest.mark.parametrize("kernel_size, dilation", list(itertools.product([1, 2, 3, 4, 7], [1, 2, 3])))
def test_length_is_preserved(x, kernel_size, dilation):
    layer = ConvFrontEnd(filters=[5, 6], kernel_sizes=kernel_size, dilation_rates=[1, dilation])
    assert to_numpy(layer(x)).shape == (3, 9, 6)
    assert layer.compute_output_shape((None, None, 4)) == (None, None, 6)


def test_lists_and_broadcasting_in_config():
    layer = ConvFrontEnd(filters=8, kernel_sizes=[3, 5, 3], dilation_rates=2)
    config = layer.get_config()
    assert (config["filters"], config["kernel_sizes"], config["dilation_rates"]) == ([8] * 3, [3, 5, 3], [2] * 3)
    assert ConvFrontEnd(filters=8).get_config()["kernel_sizes"] == [3]
    with pytest.raises(ValueError, match="same length"):
        ConvFrontEnd(filters=[8, 8], kernel_sizes=[3, 3, 3])
    with pytest.raises(ValueError, match="normalization"):
        ConvFrontEnd(normalization="batch")
    with pytest.raises(ValueError, match="kernel_sizes"):
        ConvFrontEnd(kernel_sizes=[3, 0])


class MaskProbe(keras.layers.Layer):
    """Outputs the mask it receives."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        return keras.ops.cast(mask, "int32")

    def compute_output_shape(self, input_shape):
        return input_shape[:2]


def test_mask_passes_through_unchanged(x, mask):
    layer = ConvFrontEnd(filters=[5, 6], kernel_sizes=3)
    np.testing.assert_array_equal(layer.compute_mask(x, mask), mask)
    inputs = keras.Input((9, 4))
    outputs = MaskProbe()(ConvFrontEnd(filters=[5, 6])(keras.layers.Masking(0.0)(inputs)))
    received = to_numpy(keras.Model(inputs, outputs)(np.where(mask[..., None], x, 0.0)))
    np.testing.assert_array_equal(received, mask.astype("int32"))


@pytest.mark.parametrize("normalization", [None, "layer"])
def test_padding_cannot_leak_into_valid_positions(x, mask, normalization):
    layer = ConvFrontEnd(filters=[5, 6], kernel_sizes=[3, 4], dilation_rates=[1, 2], normalization=normalization)
    clean = to_numpy(layer(np.where(mask[..., None], x, 0.0), mask=mask))
    garbage = to_numpy(layer(np.where(mask[..., None], x, 1e4), mask=mask))
    np.testing.assert_allclose(clean, garbage, atol=1e-6)
    assert np.all(garbage[~mask] == 0.0)
    # A right-padded sequence gives what the sequence gives with its padding cut off.
    for row, length in enumerate(mask.sum(axis=1)):
        short = to_numpy(layer(x[row : row + 1, :length]))
        np.testing.assert_allclose(garbage[row, :length], short[0], atol=1e-5)


def same_padding_offsets(kernel_size, dilation):
    """Offsets t - p of the outputs t that an impulse at p reaches through one 'same' convolution."""
    left = dilation * (kernel_size - 1) // 2
    return {left - j * dilation for j in range(kernel_size)}


@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("kernels, dilations", [([3], [1]), ([3, 3, 3], [1, 2, 4]), ([2, 4], [1, 3]), ([5, 2], [2, 1])])
def test_impulse_reaches_exactly_the_receptive_field(kernels, dilations, residual):
    length, position = 41, 20
    impulse = np.zeros((1, length, 1), "float32")
    impulse[0, position, 0] = 1.0
    layer = ConvFrontEnd(
        filters=2, kernel_sizes=kernels, dilation_rates=dilations, residual=residual, kernel_initializer="ones"
    )
    reached = set(np.flatnonzero(to_numpy(layer(impulse))[0].sum(axis=-1)) - position)
    expected = {0}
    for kernel_size, dilation in zip(kernels, dilations):
        step = same_padding_offsets(kernel_size, dilation) | ({0} if residual else set())
        expected = {a + b for a in expected for b in step}
    assert reached == expected
    if all(d == 1 for d in dilations):
        assert max(expected) - min(expected) + 1 == sum(k - 1 for k in kernels) + 1


def test_harness_with_mask(x, mask):
    report = check_layer(
        ConvFrontEnd,
        {
            "filters": [5, 6],
            "kernel_sizes": [3, 2],
            "dilation_rates": [1, 2],
            "dropout": 0.1,
            "normalization": "layer",
            "kernel_regularizer": "l2",
        },
        x,
        input_mask=mask,
        expected_output_shape=(3, 9, 6),
        expected_output_mask=mask,
    )
    print(report)


def test_harness_plain_single_block(x):
    check_layer(
        ConvFrontEnd, {"filters": 4, "residual": False, "activation": "tanh"}, x, expected_output_shape=(3, 9, 4),
        trains=False,
    )


def test_followed_by_lstm_in_masked_model(rng):
    tokens = rng.integers(1, 10, size=(3, 8))
    lengths = np.array([8, 5, 3])
    tokens[np.arange(8)[None, :] >= lengths[:, None]] = 0
    inputs = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(10, 4, mask_zero=True)(inputs)
    features = ConvFrontEnd(filters=[6, 6], kernel_sizes=3, dilation_rates=[1, 2])(embedded)
    outputs = keras.layers.LSTM(5)(features)
    model = keras.Model(inputs, outputs)
    padded = to_numpy(model(tokens))
    # The LSTM skips the padding only if the mask reaches it: cutting the padding off changes nothing.
    for row, length in enumerate(lengths):
        np.testing.assert_allclose(padded[row], to_numpy(model(tokens[row : row + 1, :length]))[0], atol=1e-5)


@pytest.mark.parametrize("arguments, message", [
    (dict(filters=None), "filters must be a positive int or a non-empty list of them; got None"),
    (dict(filters="8"), "filters must be a positive int or a non-empty list of them; got '8'"),
    (dict(filters=4, dropout=None), r"dropout must lie in \[0, 1\); got None"),
    (dict(filters=4, dropout="0.1"), r"dropout must lie in \[0, 1\); got '0.1'"),
])
def test_arguments_of_the_wrong_type_give_one_line_errors_naming_them(arguments, message):
    with pytest.raises(ValueError, match=message) as error:
        ConvFrontEnd(**arguments)
    assert "\n" not in str(error.value)
