"""shared.probes.gradient_flow: the step-by-step re-run matches Keras; known gradients; vanishing gradients."""

import keras
import matplotlib
import numpy as np
import pytest

from shared.layers import GatedGRU, GatedLSTM
from shared.probes import gradient_flow, plot_gradient_flow, unroll

T_LONG = 200


def adding_problem(n, steps, rng):
    """Adding-problem inputs ``(n, steps, 2)`` (value, marker; two markers per sequence) and targets ``(n, 1)``."""
    values = rng.uniform(size=(n, steps))
    markers = np.zeros((n, steps))
    for row in markers:
        row[rng.choice(steps, size=2, replace=False)] = 1.0
    x = np.stack([values, markers], axis=-1).astype("float32")
    return x, (values * markers).sum(axis=1, keepdims=True).astype("float32")


def decay(profile):
    """``(||dL/dh_0|| / ||dL/dh_{T-1}||, slope of log ||dL/dh_t|| against t)``."""
    slope = np.polyfit(np.arange(len(profile)), np.log(profile), 1)[0]
    return profile[0] / profile[-1], slope


def chrono_lstm(units, steps, rng):
    """A stock keras.layers.LSTM whose forget/input biases are set by hand to chrono initialisation."""
    layer = keras.layers.LSTM(units)
    layer.build((None, steps, 2))
    kernel, recurrent, bias = layer.get_weights()
    b_f = np.log(rng.uniform(1.0, steps - 1.0, size=units))
    bias[:units], bias[units : 2 * units] = -b_f, b_f  # Keras' gate order: i, f, c, o
    layer.set_weights([kernel, recurrent, bias])
    return layer


RECURRENT = {
    "SimpleRNN": keras.layers.SimpleRNN,
    "LSTM": keras.layers.LSTM,
    "GRU": keras.layers.GRU,
    "GatedLSTM": GatedLSTM,
    "GatedGRU": GatedGRU,
}


@pytest.mark.parametrize("name", sorted(RECURRENT))
@pytest.mark.parametrize("return_sequences,go_backwards", [(False, False), (True, True)])
def test_unroll_reproduces_model_output_with_masking(name, return_sequences, go_backwards, rng):
    x = rng.normal(size=(3, 7, 2)).astype("float32")
    x[0, 5:] = 0.0  # masked tail
    x[1, :2] = 0.0  # masked head
    inputs = keras.Input((7, 2))
    h = keras.layers.Masking()(inputs)
    h = keras.layers.Dense(4)(h)
    h = RECURRENT[name](5, return_sequences=return_sequences, go_backwards=go_backwards)(h)
    model = keras.Model(inputs, keras.layers.Dense(2)(h))
    output, states = unroll(model, x)
    np.testing.assert_allclose(output, keras.ops.convert_to_numpy(model(x)), rtol=1e-5, atol=1e-6)
    assert states.shape == (3, 7, 5)
    # Masked steps carry the state. In processing order one sequence's masked steps come last (they repeat
    # the state of step 4) and the other's come first (they keep the zero initial state).
    late, early = (1, 0) if go_backwards else (0, 1)
    np.testing.assert_array_equal(states[late, 5:], np.repeat(states[late, 4:5], 2, axis=0))
    np.testing.assert_array_equal(states[early, :2], np.zeros((2, 5), "float32"))


def test_states_are_the_return_sequences_output(rng):
    x = rng.normal(size=(2, 9, 3)).astype("float32")
    last = keras.Sequential([keras.Input((9, 3)), keras.layers.GRU(4)])
    every = keras.Sequential([keras.Input((9, 3)), keras.layers.GRU(4, return_sequences=True)])
    every.set_weights(last.get_weights())
    output, states = unroll(last, x)
    np.testing.assert_allclose(states, keras.ops.convert_to_numpy(every(x)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(output, states[:, -1], rtol=1e-6)


def test_embedding_mask_and_compiled_loss(rng):
    tokens = rng.integers(1, 10, size=(3, 8))
    tokens[0, 5:] = 0
    model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Embedding(10, 4, mask_zero=True), keras.layers.LSTM(3), keras.layers.Dense(1)]
    )
    model.compile(loss="mse")
    y = rng.normal(size=(3, 1)).astype("float32")
    compiled = gradient_flow(model, tokens, y)
    explicit = gradient_flow(model, tokens, y, loss="mse")
    assert compiled.shape == (8,)
    np.testing.assert_allclose(compiled, explicit, rtol=1e-5)
    assert np.all(compiled > 0)


@pytest.mark.parametrize("loss", [None, "mse", keras.losses.MeanSquaredError()])
def test_masked_outputs_of_a_sequence_model_are_left_out_of_the_loss(loss):
    """As Keras' fit and evaluate leave them out. Found in audit: the padded steps' outputs (the last real one,
    carried) entered the loss, doubling that step's gradient. The padded row's profile over its real steps must
    then be the profile of the same network on those steps alone, and zero after them."""
    keras.utils.set_random_seed(0)
    tokens, y = np.array([[3, 5, 2, 0, 0, 0]]), np.ones((1, 6, 1), "float32")
    embed, rnn, dense = (keras.layers.Embedding(10, 4, mask_zero=True),
                         keras.layers.SimpleRNN(3, return_sequences=True), keras.layers.Dense(1))
    padded = keras.Sequential([keras.Input((6,)), embed, rnn, dense])
    real = keras.Sequential([keras.Input((3,)), embed, rnn, dense])
    for model in (padded, real):
        model.compile(loss="mse")
    profile = gradient_flow(padded, tokens, y, loss=loss)
    np.testing.assert_allclose(profile[:3], gradient_flow(real, tokens[:, :3], y[:, :3], loss=loss), rtol=1e-5)
    np.testing.assert_array_equal(profile[3:], 0.0)


@pytest.mark.parametrize("w", [0.5, 0.9, 1.2])
def test_linear_rnn_known_answer(w, rng):
    """h_t = w h_{t-1} + x_t U with a loss on h_{T-1}: dL/dh_t = w^(T-1-t) dL/dh_{T-1}."""
    steps, units = 12, 4
    layer = keras.layers.SimpleRNN(units, activation=None, use_bias=False)
    model = keras.Sequential([keras.Input((steps, 3)), layer])
    layer.set_weights([layer.get_weights()[0], w * np.eye(units, dtype="float32")])
    x = rng.normal(size=(5, steps, 3)).astype("float32")
    profile = gradient_flow(model, x, np.zeros((5, units), "float32"), loss="mse")
    expected = w ** (steps - 1 - np.arange(steps))
    np.testing.assert_allclose(profile / profile[-1], expected, rtol=1e-4)


def test_select_layer_by_name(rng):
    x = rng.normal(size=(2, 6, 2)).astype("float32")
    model = keras.Sequential(
        [
            keras.Input((6, 2)),
            keras.layers.SimpleRNN(3, return_sequences=True, name="first"),
            keras.layers.GRU(4, name="second"),
            keras.layers.Dense(1),
        ]
    )
    y = np.zeros((2, 1), "float32")
    assert unroll(model, x, layer="second")[1].shape == (2, 6, 4)
    assert unroll(model, x)[1].shape == (2, 6, 3)
    by_instance = gradient_flow(model, x, y, layer=model.get_layer("second"), loss="mse")
    np.testing.assert_allclose(by_instance, gradient_flow(model, x, y, layer="second", loss="mse"))


def test_simple_rnn_profile_decays_faster_than_gated_lstm(rng):
    x, y = adding_problem(16, T_LONG, rng)
    profiles = {}
    for name, recurrent in [
        ("SimpleRNN", keras.layers.SimpleRNN(32)),
        ("GatedLSTM chrono", GatedLSTM(32, forget_bias="chrono", chrono_max_steps=T_LONG)),
        ("LSTM chrono by hand", chrono_lstm(32, T_LONG, rng)),
    ]:
        model = keras.Sequential([keras.Input((T_LONG, 2)), recurrent, keras.layers.Dense(1)])
        profiles[name] = gradient_flow(model, x, y, loss="mse")
    ratio_rnn, slope_rnn = decay(profiles["SimpleRNN"])
    for name in ("GatedLSTM chrono", "LSTM chrono by hand"):
        ratio_lstm, slope_lstm = decay(profiles[name])
        assert ratio_rnn < ratio_lstm, (name, ratio_rnn, ratio_lstm)
        assert slope_rnn > 2 * slope_lstm, (name, slope_rnn, slope_lstm)
    ax = plot_gradient_flow(profiles)
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 3
    matplotlib.pyplot.close(ax.figure)


def test_rejects_unsupported_models():
    x = np.zeros((2, 5, 3), "float32")
    y = np.zeros((2, 1), "float32")
    bidirectional = keras.Sequential(
        [keras.Input((5, 3)), keras.layers.Bidirectional(keras.layers.LSTM(2)), keras.layers.Dense(1)]
    )
    with pytest.raises(ValueError, match="Bidirectional"):
        gradient_flow(bidirectional, x, y, loss="mse")
    inputs = keras.Input((5, 3))
    branch = keras.layers.GRU(2)(inputs)
    two_branches = keras.Model(inputs, keras.layers.Concatenate()([branch, keras.layers.Flatten()(inputs)]))
    with pytest.raises(ValueError, match="chain"):
        gradient_flow(two_branches, x, y, loss="mse")
    plain = keras.Sequential([keras.Input((5, 3)), keras.layers.GRU(2), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="loss"):
        gradient_flow(plain, x, y)
    gates = keras.Sequential([keras.Input((5, 3)), GatedLSTM(2, return_gates=True)])
    with pytest.raises(ValueError, match="return_gates"):
        unroll(gates, x)
    with pytest.raises(ValueError, match="not a top-level"):
        unroll(plain, x, layer="nope")


def test_bad_inputs_are_named_before_tensorflow_sees_them(rng):
    """Wrong shapes, NaN inputs and non-models get a ValueError/TypeError naming the argument, not a MatMul
    error from inside the cell or a claim that the model is not a chain."""
    model = keras.Sequential([keras.Input((5, 3)), keras.layers.GRU(2), keras.layers.Dense(1)])
    x = rng.normal(size=(4, 5, 3)).astype("float32")
    y = np.zeros((4, 1), "float32")
    with pytest.raises(ValueError, match=r"x has shape \(4, 5\), but model .* takes inputs of shape \(None, 5, 3\)"):
        gradient_flow(model, x[..., 0], y, loss="mse")
    with pytest.raises(ValueError, match="x has shape"):
        unroll(model, np.zeros((4, 5, 7), "float32"))
    with pytest.raises(ValueError, match="y has shape"):
        gradient_flow(model, x, np.zeros((3, 1)), loss="mse")
    x[1, 2, 0] = np.nan
    with pytest.raises(ValueError, match="x holds NaN"):
        gradient_flow(model, x, y, loss="mse")
    with pytest.raises(ValueError, match="x holds NaN"):
        unroll(model, x)
    with pytest.raises(TypeError, match="keras.Model"):
        unroll(model.layers[0], x)
    with pytest.raises(ValueError, match="profile 'flat'"):
        plot_gradient_flow({"flat": np.array([1.0, 0.0])})  # dividing by its last value would give inf


def test_targets_the_loss_would_broadcast_and_non_numeric_ones_are_refused(rng):
    """Found in review: y of shape (4, 5) against an output (4, 1) gave a profile without an error (Keras
    broadcasts the output), string targets failed inside TensorFlow, and ``layer=3`` with an AttributeError."""
    model = keras.Sequential([keras.Input((5, 3)), keras.layers.GRU(2), keras.layers.Dense(1)])
    x = rng.normal(size=(4, 5, 3)).astype("float32")
    with pytest.raises(ValueError, match=r"y has shape \(4, 5\), but the model's output has shape \(4, 1\)"):
        gradient_flow(model, x, np.zeros((4, 5)), loss="mse")
    with pytest.raises(ValueError, match="y must hold numbers"):
        gradient_flow(model, x, np.array([["a"]] * 4), loss="mse")
    with pytest.raises(TypeError, match="layer must be a layer's name or a keras.layers.Layer, got int 3"):
        gradient_flow(model, x, np.zeros((4, 1)), layer=3, loss="mse")
    classifier = keras.Sequential([keras.Input((5, 3)), keras.layers.GRU(2), keras.layers.Dense(3)])
    for sparse in (np.array([0, 2, 1, 1]), np.array([[0], [2], [1], [1]])):  # sparse targets still pass
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        profile = gradient_flow(classifier, x, sparse, loss=loss)
        assert profile.shape == (5,) and np.all(np.isfinite(profile))


@pytest.mark.parametrize("activation", [None, "tanh"])
def test_a_cell_whose_recurrence_does_not_read_its_output_state_is_refused(activation):
    """LeakyIntegrator's step reads its pre-activation (the second state), so a perturbation of its output state
    would reach no later step and every earlier gradient would read 0: refused rather than plotted as vanishing."""
    from shared.layers import LeakyIntegrator

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((20, 2)), LeakyIntegrator(8, activation=activation), keras.layers.Dense(1)])
    x = np.random.default_rng(0).normal(size=(4, 20, 2)).astype("float32")
    with pytest.raises(ValueError, match="does not read its state's first element"):
        gradient_flow(model, x, np.zeros((4, 1), "float32"), loss="mse")
    with pytest.raises(ValueError, match="does not read its state's first element"):
        unroll(model, x)


def test_empty_inputs_are_named_not_blamed_on_the_cell():
    """With no samples the cell check compared two empty outputs, found them equal, and blamed a working SimpleRNN
    for not reading its state."""
    model = keras.Sequential([keras.Input((12, 2)), keras.layers.SimpleRNN(3, name="r"), keras.layers.Dense(1)])
    empty = np.zeros((0, 12, 2), "float32")
    with pytest.raises(ValueError, match=r"x has no samples \(shape \(0, 12, 2\)\)"):
        unroll(model, empty)
    with pytest.raises(ValueError, match="x has no samples"):
        gradient_flow(model, empty, np.zeros((0, 1), "float32"), loss="mse")
    any_length = keras.Sequential([keras.Input((None, 2)), keras.layers.SimpleRNN(3), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"x is empty \(shape \(2, 0, 2\)\)"):
        unroll(any_length, np.zeros((2, 0, 2), "float32"))
    _, states = unroll(model, np.ones((1, 12, 2), "float32"))  # one sample is enough
    assert states.shape == (1, 12, 3)


@pytest.mark.parametrize("name", ["SimpleRNN", "GatedLSTM"])
@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_model_is_probed_in_float32_and_left_as_it_was(name, policy, rng):
    """In float16 the early-step gradients fell below its normal range: SimpleRNN's step 0 read 8x too large.
    The probe runs the float32 weights in float32, and the model keeps its mixed policy afterwards."""
    x = rng.random((8, 100, 2)).astype("float32")

    def model(dtype):
        return keras.Sequential(
            [keras.Input((100, 2)), RECURRENT[name](16, dtype=dtype), keras.layers.Dense(1, dtype=dtype)]
        )

    reference, mixed = model("float32"), model(policy)
    weights = [rng.normal(scale=0.2, size=w.shape).astype("float32") for w in reference.get_weights()]
    reference.set_weights(weights)
    mixed.set_weights(weights)
    expected = gradient_flow(reference, x, np.zeros((8, 1)), loss="mse")
    assert expected[0] < 1e-5 * expected[-1]  # deep in float16's subnormal range per element
    np.testing.assert_allclose(gradient_flow(mixed, x, np.zeros((8, 1)), loss="mse"), expected, rtol=1e-4)
    recurrent, dense = mixed.layers
    for layer in (recurrent, recurrent.cell, dense):
        assert layer.dtype_policy.name == policy, layer.name
    assert keras.backend.standardize_dtype(mixed(x).dtype) == policy.removeprefix("mixed_")
