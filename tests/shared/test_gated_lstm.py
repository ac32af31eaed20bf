"""GatedLSTM: equivalence with keras.layers.LSTM, golden numbers, forget-gate bias, gates, harness."""

import numpy as np
import pytest

import keras

from shared.layers import GatedGRU, GatedGRUCell, GatedLSTM, GatedLSTMCell
from shared.testing import check_layer

ATOL = 1e-5


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def numpy_lstm(x, kernel, recurrent_kernel, bias, mask=None, go_backwards=False):
    """Reference LSTM in numpy (Keras' gate order i, f, c, o): returns the h sequence in processing order."""
    batch, steps, _ = x.shape
    units = recurrent_kernel.shape[0]
    h = np.zeros((batch, units))
    c = np.zeros((batch, units))
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    outputs = []
    for t in order:
        z = x[:, t] @ kernel + h @ recurrent_kernel + bias
        i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))
        c_new = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h_new = _sigmoid(o) * np.tanh(c_new)
        keep = mask[:, t:t + 1] if mask is not None else np.ones((batch, 1), bool)
        c = np.where(keep, c_new, c)
        h = np.where(keep, h_new, h)
        outputs.append(h)
    return np.stack(outputs, axis=1)


@pytest.fixture
def data(rng):
    x = rng.normal(size=(5, 12, 3)).astype("float32")
    mask = np.ones((5, 12), bool)
    mask[1, 8:] = False
    mask[3, 2:] = False
    return x, mask


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("use_mask", [False, True])
def test_same_function_as_keras_lstm_both_ways(data, return_sequences, go_backwards, use_mask):
    x, mask = data
    mask = mask if use_mask else None
    kwargs = dict(return_sequences=return_sequences, go_backwards=go_backwards)
    ours, stock = GatedLSTM(7, **kwargs), keras.layers.LSTM(7, **kwargs)
    ours(x), stock(x)
    ours.set_weights(stock.get_weights())
    np.testing.assert_allclose(ours(x, mask=mask), stock(x, mask=mask), atol=ATOL)

    ours, stock = GatedLSTM(7, forget_bias="chrono", chrono_max_steps=12, **kwargs), keras.layers.LSTM(7, **kwargs)
    ours(x), stock(x)
    stock.set_weights(ours.get_weights())
    np.testing.assert_allclose(stock(x, mask=mask), ours(x, mask=mask), atol=ATOL)


def test_weight_layout_matches_keras(data):
    x, _ = data
    ours, stock = GatedLSTM(4), keras.layers.LSTM(4)
    ours(x), stock(x)
    assert [w.path.split("/")[-1] for w in ours.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert [w.shape for w in ours.weights] == [w.shape for w in stock.weights]


@pytest.mark.parametrize("go_backwards", [False, True])
def test_golden_numbers_against_numpy_reference(data, go_backwards):
    x, mask = data
    layer = GatedLSTM(
        3,
        kernel_initializer=keras.initializers.Constant(0.1),
        recurrent_initializer=keras.initializers.Constant(-0.2),
        bias_initializer=keras.initializers.Constant(0.05),
        forget_bias=0.7,
        return_sequences=True,
        go_backwards=go_backwards,
    )
    out = np.asarray(layer(x, mask=mask))
    bias = np.array([0.05] * 3 + [0.7] * 3 + [0.05] * 6)
    expected = numpy_lstm(x.astype("float64"), np.full((3, 12), 0.1), np.full((3, 12), -0.2), bias, mask, go_backwards)
    np.testing.assert_allclose(out, expected, atol=ATOL)
    # One hand-checked number: the first step from zero state with x = 1s, kernel 0.1, biases as above.
    cell = GatedLSTMCell(1, kernel_initializer="ones", recurrent_initializer="zeros", forget_bias=0.0)
    h, (h_state, c) = cell(np.ones((1, 2), "float32"), [np.zeros((1, 1), "float32"), np.zeros((1, 1), "float32")])
    c_expected = _sigmoid(2.0) * np.tanh(2.0)
    np.testing.assert_allclose(np.asarray(c), [[c_expected]], atol=1e-6)
    np.testing.assert_allclose(np.asarray(h), [[_sigmoid(2.0) * np.tanh(c_expected)]], atol=1e-6)


def test_constant_forget_bias_only_touches_the_forget_slice():
    layer = GatedLSTM(5, forget_bias=2.5, bias_initializer=keras.initializers.Constant(0.3))
    layer.build((None, 4, 2))
    b_i, b_f, b_c, b_o = np.split(np.asarray(layer.cell.bias), 4)
    np.testing.assert_allclose(b_f, 2.5)
    for other in (b_i, b_c, b_o):
        np.testing.assert_allclose(other, 0.3)
    # Keras' unit_forget_bias, by contrast, gives 1.0 on f and bias_initializer on the rest:
    stock = keras.layers.LSTM(5, bias_initializer=keras.initializers.Constant(0.3))
    stock.build((None, 4, 2))
    np.testing.assert_allclose(np.split(np.asarray(stock.cell.bias), 4)[1], 1.0)
    default = GatedLSTM(5)
    default.build((None, 4, 2))
    np.testing.assert_allclose(np.asarray(default.cell.bias), np.concatenate([np.zeros(5), np.ones(5), np.zeros(10)]))


def test_chrono_initialisation():
    steps, units = 200, 400
    layer = GatedLSTM(units, forget_bias="chrono", chrono_max_steps=steps, bias_initializer=keras.initializers.Constant(0.3))
    layer.build((None, None, 3))
    b_i, b_f, b_c, b_o = np.split(np.asarray(layer.cell.bias), 4)
    np.testing.assert_allclose(b_i, -b_f)
    np.testing.assert_allclose(b_c, 0.3)
    np.testing.assert_allclose(b_o, 0.3)
    assert b_f.min() >= 0.0 and b_f.max() <= np.log(steps - 1) + 1e-6
    # exp(b_f) ~ U[1, T-1]: its mean is T/2 and its quartiles T/4 and 3T/4, up to sampling noise.
    u = np.exp(b_f)
    assert abs(u.mean() - steps / 2) < 0.1 * steps
    np.testing.assert_allclose(np.quantile(u, [0.25, 0.75]), [1 + 0.25 * (steps - 2), 1 + 0.75 * (steps - 2)], rtol=0.2)
    # The memory time scale 1 / (1 - f) at zero input is then spread up to ~T steps.
    f = _sigmoid(b_f)
    assert (1 / (1 - f)).max() > 0.5 * steps


def test_chrono_draw_is_seeded():
    def bias(seed):
        layer = GatedLSTM(6, forget_bias="chrono", chrono_max_steps=50, seed=seed)
        layer.build((None, None, 2))
        return np.asarray(layer.cell.bias)

    np.testing.assert_array_equal(bias(3), bias(3))
    assert not np.allclose(bias(3), bias(4))


def test_gates_are_the_cell_equations(data):
    x, mask = data
    plain = GatedLSTM(6, return_sequences=True)
    gated = GatedLSTM(6, return_sequences=True, return_gates=True)
    plain(x), gated(x)
    gated.set_weights(plain.get_weights())
    h, gates = gated(x)
    np.testing.assert_allclose(h, plain(x), atol=1e-6)
    assert set(gates) == {"input", "forget", "output", "candidate", "cell"}
    g = {k: np.asarray(v) for k, v in gates.items()}
    for name in ("input", "forget", "output"):
        assert g[name].min() > 0 and g[name].max() < 1
    assert np.abs(g["candidate"]).max() < 1
    c_prev = np.concatenate([np.zeros_like(g["cell"][:, :1]), g["cell"][:, :-1]], axis=1)
    np.testing.assert_allclose(g["cell"], g["forget"] * c_prev + g["input"] * g["candidate"], atol=1e-5)
    np.testing.assert_allclose(np.asarray(h), g["output"] * np.tanh(g["cell"]), atol=1e-5)


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_gates_with_state_and_mask_match_the_fast_path(data, return_sequences, go_backwards):
    x, mask = data
    kwargs = dict(return_sequences=return_sequences, return_state=True, go_backwards=go_backwards)
    plain, gated = GatedLSTM(6, **kwargs), GatedLSTM(6, return_gates=True, **kwargs)
    plain(x), gated(x)
    gated.set_weights(plain.get_weights())
    out, h, c, gates = gated(x, mask=mask)
    ref_out, ref_h, ref_c = plain(x, mask=mask)
    for a, b in ((out, ref_out), (h, ref_h), (c, ref_c)):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert gates["forget"].shape == (5, 12, 6)
    np.testing.assert_allclose(gates["cell"][:, -1], c, atol=1e-6)  # masked steps repeat the last valid one


def test_layer_harness_plain_and_with_gates(data):
    x, mask = data
    check_layer(GatedLSTM, {"units": 4, "forget_bias": "chrono", "chrono_max_steps": 12}, x,
                expected_output_shape=(5, 4))
    report = check_layer(
        GatedLSTM,
        {"units": 4, "return_gates": True, "return_sequences": True, "return_state": True},
        x,
        input_mask=mask,
        expected_output_shape=[(5, 12, 4), (5, 4), (5, 4)] + [(5, 12, 4)] * 5,
    )
    assert report["loss_after"] < report["loss_before"]


def test_bad_arguments_give_clear_errors():
    with pytest.raises(ValueError, match="chrono_max_steps"):
        GatedLSTM(4, forget_bias="chrono")
    with pytest.raises(ValueError, match="only used with forget_bias='chrono'"):
        GatedLSTM(4, forget_bias=1.0, chrono_max_steps=10)
    with pytest.raises(ValueError, match=">= 3"):
        GatedLSTM(4, forget_bias="chrono", chrono_max_steps=2)
    with pytest.raises(ValueError, match="forget_bias must be"):
        GatedLSTM(4, forget_bias="large")
    for bias in (float("nan"), float("inf")):  # would build NaN / inf gate biases
        with pytest.raises(ValueError, match="finite number"):
            GatedLSTM(4, forget_bias=bias)
    with pytest.raises(ValueError, match="unit_forget_bias"):
        GatedLSTM(4, unit_forget_bias=True)
    with pytest.raises(ValueError, match="cannot return gates"):
        GatedLSTM(4, return_gates=True, use_cudnn=True)(np.zeros((1, 3, 2), "float32"))


@pytest.mark.parametrize("recurrent_dropout", [0.0, 0.4])
def test_dropout_in_training_matches_keras_with_the_same_seed(data, recurrent_dropout):
    x, _ = data
    kwargs = dict(dropout=0.3, recurrent_dropout=recurrent_dropout, seed=7, return_sequences=True)
    ours, stock = GatedLSTM(8, **kwargs), keras.layers.LSTM(8, **kwargs)
    ours(x), stock(x)
    ours.set_weights(stock.get_weights())
    # Every call draws fresh masks from the layer's seed generator, so both layers make the same calls.
    inference = np.asarray(ours(x))
    np.testing.assert_allclose(stock(x), inference, atol=ATOL)
    trained = np.asarray(ours(x, training=True))
    assert np.abs(trained - inference).max() > 1e-3
    np.testing.assert_allclose(trained, stock(x, training=True), atol=ATOL)


@pytest.mark.parametrize("cls", [GatedLSTM, GatedGRU])
@pytest.mark.parametrize("arguments, message", [
    (dict(units=2.5), "units must be a positive integer; got 2.5"),
    (dict(units=None), "units must be a positive integer; got None"),
    (dict(units=4, dropout=-0.1), r"dropout must lie in \[0, 1\); got -0.1"),
    (dict(units=4, recurrent_dropout=1.0), r"recurrent_dropout must lie in \[0, 1\); got 1.0"),
    (dict(units=4, forget_bias="chrono", chrono_max_steps=30, use_bias=False), "use_bias=False leaves no bias"),
    (dict(units=4, forget_bias=5.0, use_bias=False),
     "^forget_bias=5.0 initialises the gate bias, but use_bias=False leaves no bias$"),
])
def test_arguments_keras_cells_would_clamp_or_ignore_are_refused(cls, arguments, message):
    """keras.layers.LSTMCell / GRUCell clamp a dropout rate (and apply none at 1.0), fail at build on 2.5 units
    and would skip chrono initialisation without a bias, all without a word."""
    with pytest.raises(ValueError, match=message):
        cls(**arguments)


@pytest.mark.parametrize("cls, cell_cls, default", [(GatedLSTM, GatedLSTMCell, 1.0), (GatedGRU, GatedGRUCell, 0.0)])
def test_forget_bias_without_a_bias_is_refused_unless_left_at_its_default(cls, cell_cls, default):
    """use_bias=False built no bias and kept forget_bias=5.0 in the config without a word, as chrono would."""
    message = "^forget_bias=5.0 initialises the gate bias, but use_bias=False leaves no bias$"
    for constructor in (cls, cell_cls):
        with pytest.raises(ValueError, match=message):
            constructor(4, forget_bias=5.0, use_bias=False)
    layer = cls(4, use_bias=False)
    assert layer.forget_bias == default and cls(4, forget_bias=default, use_bias=False).forget_bias == default
    assert cls.from_config(layer.get_config()).get_config() == layer.get_config()
    layer(np.ones((1, 3, 2), "float32"))
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel"]


@pytest.mark.parametrize("cls", [GatedLSTM, GatedGRU])
def test_a_built_layer_names_another_feature_count(rng, cls):
    """keras.layers.LSTM/GRU fail inside the cell's matmul ("Matrix size-incompatible: In[0]: [2,3], In[1]: [8,16]");
    once built, the layer's input spec holds its number of features and Keras names the mismatch."""
    layer = cls(4)
    layer(rng.normal(size=(2, 5, 8)).astype("float32"))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 8, but received input with "
                                         r"shape \(2, 5, 3\)"):
        layer(np.zeros((2, 5, 3), "float32"))
    inputs = keras.Input((None, 8))
    model = keras.Model(inputs, cls(4, return_sequences=True)(inputs))  # an unknown length is still taken
    assert model(np.zeros((2, 9, 8), "float32")).shape == (2, 9, 4)
