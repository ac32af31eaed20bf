"""GatedGRU: equivalence with keras.layers.GRU(reset_after=True), golden numbers, update-gate bias, gates."""

import numpy as np
import pytest

import keras

from shared.layers import GatedGRU
from shared.testing import check_layer

ATOL = 1e-5


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def numpy_gru(x, kernel, recurrent_kernel, bias, mask=None, go_backwards=False):
    """Reference GRU (reset_after=True, Keras' order z, r, h) in numpy: h sequence in processing order."""
    batch, steps, _ = x.shape
    units = recurrent_kernel.shape[0]
    h = np.zeros((batch, units))
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    outputs = []
    for t in order:
        xp = x[:, t] @ kernel + bias[0]
        hp = h @ recurrent_kernel + bias[1]
        z = _sigmoid(xp[:, :units] + hp[:, :units])
        r = _sigmoid(xp[:, units:2 * units] + hp[:, units:2 * units])
        hh = np.tanh(xp[:, 2 * units:] + r * hp[:, 2 * units:])
        h_new = z * h + (1 - z) * hh
        keep = mask[:, t:t + 1] if mask is not None else np.ones((batch, 1), bool)
        h = np.where(keep, h_new, h)
        outputs.append(h)
    return np.stack(outputs, axis=1)


@pytest.fixture
def data(rng):
    x = rng.normal(size=(5, 12, 3)).astype("float32")
    mask = np.ones((5, 12), bool)
    mask[0, 9:] = False
    mask[4, 3:] = False
    return x, mask


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("use_mask", [False, True])
def test_same_function_as_keras_gru_both_ways(data, return_sequences, go_backwards, use_mask):
    x, mask = data
    mask = mask if use_mask else None
    kwargs = dict(return_sequences=return_sequences, go_backwards=go_backwards)
    ours, stock = GatedGRU(7, **kwargs), keras.layers.GRU(7, reset_after=True, **kwargs)
    ours(x), stock(x)
    ours.set_weights(stock.get_weights())
    np.testing.assert_allclose(ours(x, mask=mask), stock(x, mask=mask), atol=ATOL)

    ours = GatedGRU(7, forget_bias="chrono", chrono_max_steps=12, bias_initializer="random_normal", **kwargs)
    ours(x)
    stock.set_weights(ours.get_weights())
    np.testing.assert_allclose(stock(x, mask=mask), ours(x, mask=mask), atol=ATOL)


@pytest.mark.parametrize("go_backwards", [False, True])
def test_golden_numbers_against_numpy_reference(data, go_backwards):
    x, mask = data
    layer = GatedGRU(
        3,
        kernel_initializer=keras.initializers.Constant(0.1),
        recurrent_initializer=keras.initializers.Constant(-0.2),
        bias_initializer=keras.initializers.Constant(0.05),
        forget_bias=0.5,
        return_sequences=True,
        go_backwards=go_backwards,
    )
    out = np.asarray(layer(x, mask=mask))
    bias = np.full((2, 9), 0.05)
    bias[0, :3], bias[1, :3] = 0.5, 0.0
    expected = numpy_gru(x.astype("float64"), np.full((3, 9), 0.1), np.full((3, 9), -0.2), bias, mask, go_backwards)
    np.testing.assert_allclose(out, expected, atol=ATOL)


def test_update_gate_bias_constant_and_chrono():
    layer = GatedGRU(4, forget_bias=1.5, bias_initializer=keras.initializers.Constant(0.3))
    layer.build((None, None, 2))
    bias = np.asarray(layer.cell.bias)
    np.testing.assert_allclose(bias[0, :4], 1.5)
    np.testing.assert_allclose(bias[1, :4], 0.0)
    np.testing.assert_allclose(bias[:, 4:], 0.3)

    default = GatedGRU(4)
    default.build((None, None, 2))
    np.testing.assert_allclose(np.asarray(default.cell.bias), 0.0)  # Keras' GRU default

    steps = 100
    chrono = GatedGRU(300, forget_bias="chrono", chrono_max_steps=steps)
    chrono.build((None, None, 2))
    b_z = np.asarray(chrono.cell.bias)[0, :300]
    assert b_z.min() >= 0 and b_z.max() <= np.log(steps - 1) + 1e-6
    assert abs(np.exp(b_z).mean() - steps / 2) < 0.1 * steps
    # Keras' GRU keeps the past with z (h = z h_prev + (1 - z) hh): chrono makes z start near 1.
    assert _sigmoid(b_z).mean() > 0.9


def test_gates_are_the_cell_equations(data):
    x, _ = data
    plain = GatedGRU(6, return_sequences=True)
    gated = GatedGRU(6, return_sequences=True, return_gates=True)
    plain(x), gated(x)
    gated.set_weights(plain.get_weights())
    h, gates = gated(x)
    np.testing.assert_allclose(h, plain(x), atol=1e-6)
    assert set(gates) == {"update", "reset", "candidate"}
    g = {k: np.asarray(v) for k, v in gates.items()}
    h = np.asarray(h)
    h_prev = np.concatenate([np.zeros_like(h[:, :1]), h[:, :-1]], axis=1)
    np.testing.assert_allclose(h, g["update"] * h_prev + (1 - g["update"]) * g["candidate"], atol=1e-5)
    # each gate recomputed from the weights and the previous output (Keras' order z, r, h; reset after)
    kernel, recurrent_kernel, bias = (np.asarray(w, "float64") for w in gated.get_weights())
    xp, hp = x @ kernel + bias[0], h_prev @ recurrent_kernel + bias[1]
    z, r = (_sigmoid(xp[..., k * 6:(k + 1) * 6] + hp[..., k * 6:(k + 1) * 6]) for k in (0, 1))
    np.testing.assert_allclose(g["update"], z, atol=1e-5)
    np.testing.assert_allclose(g["reset"], r, atol=1e-5)
    np.testing.assert_allclose(g["candidate"], np.tanh(xp[..., 12:] + r * hp[..., 12:]), atol=1e-5)


def test_gates_with_state_and_mask_match_the_fast_path(data):
    x, mask = data
    plain = GatedGRU(5, return_state=True, go_backwards=True)
    gated = GatedGRU(5, return_state=True, go_backwards=True, return_gates=True)
    plain(x), gated(x)
    gated.set_weights(plain.get_weights())
    out, h, gates = gated(x, mask=mask)
    ref_out, ref_h = plain(x, mask=mask)
    np.testing.assert_allclose(out, ref_out, atol=1e-6)
    np.testing.assert_allclose(h, ref_h, atol=1e-6)
    assert gates["update"].shape == (5, 12, 5)


def test_layer_harness(data):
    x, mask = data
    check_layer(GatedGRU, {"units": 4, "forget_bias": "chrono", "chrono_max_steps": 12}, x,
                expected_output_shape=(5, 4))
    check_layer(GatedGRU, {"units": 4, "return_gates": True, "return_sequences": True}, x, input_mask=mask,
                expected_output_shape=[(5, 12, 4)] + [(5, 12, 4)] * 3)


@pytest.mark.parametrize("recurrent_dropout", [0.0, 0.4])
def test_dropout_in_training_matches_keras_with_the_same_seed(data, recurrent_dropout):
    x, _ = data
    kwargs = dict(dropout=0.3, recurrent_dropout=recurrent_dropout, seed=5, return_sequences=True)
    ours, stock = GatedGRU(6, **kwargs), keras.layers.GRU(6, **kwargs)
    ours(x), stock(x)
    ours.set_weights(stock.get_weights())
    np.testing.assert_allclose(ours(x), stock(x), atol=ATOL)
    trained = np.asarray(ours(x, training=True))
    np.testing.assert_allclose(trained, stock(x, training=True), atol=ATOL)


def test_bad_arguments_give_clear_errors():
    with pytest.raises(ValueError, match="reset_after=True"):
        GatedGRU(4, reset_after=False)
    with pytest.raises(ValueError, match="chrono_max_steps"):
        GatedGRU(4, forget_bias="chrono")
