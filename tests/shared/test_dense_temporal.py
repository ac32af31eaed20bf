"""Tests of DenseTemporalCell and DenseTemporalRNN."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from shared.layers.dense_temporal import DenseTemporalCell, DenseTemporalRNN
from shared.testing import assert_allclose_nested, check_layer

UNITS = 3


@pytest.fixture
def x(rng):
    return rng.standard_normal((4, 7, 2)).astype("float32")


@pytest.fixture
def mask():
    return np.arange(7)[None, :] < np.array([7, 5, 2, 6])[:, None]


def to_numpy(*tensors):
    return [keras.ops.convert_to_numpy(t) for t in tensors]


@pytest.mark.parametrize("go_backwards", [False, True])
def test_order_one_equals_simple_rnn(x, mask, go_backwards):
    kwargs = {"return_sequences": True, "return_state": True, "go_backwards": go_backwards}
    layer = DenseTemporalRNN(UNITS, order=1, bias_initializer="random_normal", **kwargs)
    reference = keras.layers.SimpleRNN(UNITS, **kwargs)
    layer(x)
    reference(x)
    reference.set_weights(layer.get_weights())
    assert_allclose_nested(layer(x, mask=mask), reference(x, mask=mask), atol=1e-6)


def test_golden_numbers_order_two(x):
    layer = DenseTemporalRNN(UNITS, order=2, return_sequences=True, return_state=True)
    layer(x)
    kernel = np.full((2, UNITS), 0.3, "float32")
    u1, u2 = np.full((UNITS, UNITS), 0.1, "float32"), np.full((UNITS, UNITS), -0.2, "float32")
    bias = np.full(UNITS, 0.05, "float32")
    layer.set_weights([kernel, np.concatenate([u1, u2]), bias])
    y, h_last, h_before = to_numpy(*layer(x))

    h1 = h2 = np.zeros((4, UNITS))
    expected = []
    for t in range(7):
        h1, h2 = np.tanh(x[:, t] @ kernel + h1 @ u1 + h2 @ u2 + bias), h1
        expected.append(h1)
    np.testing.assert_allclose(y, np.stack(expected, axis=1), atol=1e-6)
    # The register holds h_T, h_{T-1}.
    assert_allclose_nested((h_last, h_before), (expected[-1], expected[-2]), atol=1e-6)


@pytest.mark.parametrize("order", [2, 3])
def test_gradient_reaches_only_multiples_of_the_order(rng, order):
    """With U_1 = ... = U_{m-1} = 0, h_T depends on x_{T-k} only through h_{T-m}, h_{T-2m}, ...:
    the gradient is exactly zero unless k is a multiple of m."""
    steps = 10
    layer = DenseTemporalRNN(UNITS, order=order)
    inputs = tf.constant(rng.standard_normal((1, steps, 2)).astype("float32"))
    layer(inputs)
    kernel, recurrent, bias = layer.get_weights()
    recurrent[: (order - 1) * UNITS] = 0.0
    layer.set_weights([kernel, recurrent, bias])
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        h_last = layer(inputs)
    gradient = tape.jacobian(h_last, inputs).numpy()  # (1, units, 1, steps, features)
    norms = np.abs(gradient).sum(axis=(0, 1, 2, 4))
    lags = steps - 1 - np.arange(steps)  # k for x_{T-k}
    assert np.all(norms[lags % order != 0] == 0.0)
    assert np.all(norms[lags % order == 0] > 0.0)


def test_default_recurrent_kernel_has_orthonormal_columns():
    cell = DenseTemporalCell(4, order=3)
    cell.build((None, 2))
    stacked = keras.ops.convert_to_numpy(cell.recurrent_kernel)
    np.testing.assert_allclose(stacked.T @ stacked, np.eye(4), atol=1e-5)


def test_cell_first_state_is_its_output(rng):
    """Keras' rnn contract (relied on by the JAX backend for masked steps): new_states[0] is the output,
    and the register shifts by one."""
    cell = DenseTemporalCell(UNITS, order=3)
    states = [rng.standard_normal((2, UNITS)).astype("float32") for _ in range(3)]
    h, new_states = cell(rng.standard_normal((2, 2)).astype("float32"), states)
    assert_allclose_nested(new_states, [h, states[0], states[1]], atol=0.0)


def test_masked_steps_leave_the_register_unchanged(x, mask):
    layer = DenseTemporalRNN(UNITS, order=3, return_sequences=True, return_state=True)
    outputs = to_numpy(*layer(x, mask=mask))
    for row, length in enumerate(mask.sum(axis=1)):
        short = to_numpy(*layer(x[row : row + 1, :length]))
        np.testing.assert_allclose(outputs[0][row, :length], short[0][0], atol=1e-6)
        # Masked steps repeat the last valid output.
        repeated = np.broadcast_to(outputs[0][row, length - 1], (7 - length, UNITS))
        np.testing.assert_array_equal(outputs[0][row, length:], repeated)
        assert_allclose_nested([s[row] for s in outputs[1:]], [s[0] for s in short[1:]], atol=1e-6)


def test_validation():
    with pytest.raises(ValueError, match="order"):
        DenseTemporalRNN(UNITS, order=0)
    with pytest.raises(ValueError, match="units"):
        DenseTemporalCell(0)


def test_harness_with_mask(x, mask):
    report = check_layer(
        DenseTemporalRNN,
        {"units": UNITS, "order": 3, "return_sequences": True, "return_state": True, "recurrent_regularizer": "l2"},
        x,
        input_mask=mask,
        expected_output_shape=[(4, 7, UNITS)] + [(4, UNITS)] * 3,
        expected_output_mask=[mask, None, None, None],
    )
    print(report)


def test_harness_backwards_stateful(x):
    check_layer(
        DenseTemporalRNN,
        {"units": UNITS, "order": 2, "go_backwards": True, "stateful": True, "activation": "relu"},
        x,
        expected_output_shape=(4, UNITS),
        trains=False,
    )


def test_cell_config_round_trip():
    cell = DenseTemporalCell(UNITS, order=4, activation="relu", kernel_regularizer="l1")
    assert DenseTemporalCell.from_config(cell.get_config()).get_config() == cell.get_config()


def test_bidirectional(x, mask):
    forward = DenseTemporalRNN(UNITS, order=2, return_sequences=True)
    layer = keras.layers.Bidirectional(forward)
    y = to_numpy(layer(x, mask=mask))[0]
    assert y.shape == (4, 7, 2 * UNITS)
    backward = DenseTemporalRNN(UNITS, order=2, go_backwards=True)
    backward(x)
    backward.set_weights(layer.backward_layer.get_weights())
    # The backward half at step 0 is the backward layer's last output, over the valid steps only.
    np.testing.assert_allclose(y[:, 0, UNITS:], to_numpy(backward(x, mask=mask))[0], atol=1e-6)
    check_layer(keras.layers.Bidirectional, {"layer": forward}, x, input_mask=mask, complete_config=False, trains=False)


@pytest.mark.parametrize("argument", [{"units": 2.7}, {"units": 3, "order": 1.5}, {"units": "abc"}])
def test_rejects_units_and_order_that_are_not_positive_integers(argument):
    with pytest.raises(ValueError, match="must be a positive integer"):
        DenseTemporalRNN(**argument)
