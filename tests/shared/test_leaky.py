"""Tests of LeakyIntegratorCell and LeakyIntegrator."""

import keras
import numpy as np
import pytest

from shared.layers.leaky import LeakyIntegrator, LeakyIntegratorCell
from shared.testing import assert_allclose_nested, check_layer

UNITS = 3


def numpy_leaky(x, kernel, bias, retention, activation=np.tanh):
    """Reference recurrence h_t = r h_{t-1} + x_t W + b, y_t = act(h_t); returns (outputs, final h)."""
    h = np.zeros((x.shape[0], kernel.shape[1]))
    outputs = []
    for t in range(x.shape[1]):
        h = retention * h + x[:, t] @ kernel + bias
        outputs.append(activation(h))
    return np.stack(outputs, axis=1), h


@pytest.fixture
def x(rng):
    return rng.standard_normal((4, 6, 2)).astype("float32")


@pytest.mark.parametrize("go_backwards", [False, True])
def test_golden_numbers(x, go_backwards):
    layer = LeakyIntegrator(
        UNITS,
        activation="tanh",
        retention_init=(0.6, 0.9),
        kernel_initializer=keras.initializers.Constant(0.5),
        bias_initializer=keras.initializers.Constant(0.1),
        return_sequences=True,
        return_state=True,
        go_backwards=go_backwards,
    )
    y, y_last, h = layer(x)
    # (min, max) = (0.6, 0.9): 1 - r spaced geometrically from 0.1 to 0.4.
    retention = 1.0 - np.array([0.1, 0.2, 0.4])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer.retention), retention, rtol=1e-6)
    expected_y, expected_h = numpy_leaky(
        x[:, ::-1] if go_backwards else x, np.full((2, UNITS), 0.5), np.full(UNITS, 0.1), retention
    )
    assert_allclose_nested((y, y_last, h), (expected_y, expected_y[:, -1], expected_h), atol=1e-5)


def test_states_are_output_then_pre_activation(x):
    layer = LeakyIntegrator(UNITS, activation="sigmoid", return_state=True)
    y, y_last, h = (keras.ops.convert_to_numpy(t) for t in layer(x))
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-h)), atol=1e-6)
    np.testing.assert_array_equal(y_last, y)
    assert np.any(np.abs(h) > 1.0)  # not squashed: the state is the pre-activation
    y, _, h = LeakyIntegrator(UNITS, return_state=True)(x)  # default activation: identity
    assert_allclose_nested(y, h, atol=0.0)


def test_cell_first_state_is_its_output(rng):
    """Keras' rnn contract (relied on by the JAX backend for masked steps): new_states[0] is the output."""
    cell = LeakyIntegratorCell(UNITS, activation="relu")
    states = [rng.standard_normal((2, UNITS)).astype("float32") for _ in range(2)]
    y, new_states = cell(rng.standard_normal((2, 2)).astype("float32"), states)
    assert_allclose_nested(new_states[0], y, atol=0.0)


def test_scalar_retention_init_and_validation():
    cell = LeakyIntegratorCell(UNITS, retention_init=0.95)
    cell.build((None, 2))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(cell.retention), np.full(UNITS, 0.95), rtol=1e-6)
    for bad in (0.0, 1.0, 1.5, (0.9, 0.5), (0.0, 0.5), (0.2, 0.5, 0.7)):
        with pytest.raises(ValueError, match="retention_init"):
            LeakyIntegratorCell(UNITS, retention_init=bad)


def test_retention_stays_in_open_unit_interval_under_training():
    """A target out of reach pushes the retention up at every step (y_T = k (1 - r^6) / (1 - r) for ones in): an
    unconstrained retention would pass 1 within a few Adam steps of 0.1; sigmoid(rho) approaches 1 from below."""
    layer = LeakyIntegrator(1, retention_init=0.9, kernel_initializer="ones")
    model = keras.Sequential([keras.Input((6, 1)), layer])
    model.compile(keras.optimizers.Adam(0.1), "mse")
    model.fit(np.ones((4, 6, 1), "float32"), np.full((4, 1), 100.0, "float32"), epochs=50, batch_size=4, verbose=0)
    after = float(keras.ops.convert_to_numpy(layer.retention)[0])
    assert 0.99 < after < 1.0


def test_masked_steps_carry_the_state(x):
    mask = np.ones((4, 6), dtype=bool)
    mask[1, 4:] = False
    mask[3, 2:] = False
    layer = LeakyIntegrator(UNITS, activation="tanh", return_sequences=True, return_state=True)
    y, _, h = (keras.ops.convert_to_numpy(t) for t in layer(x, mask=mask))
    # Right padding: the final state equals that of the truncated sequence.
    _, _, h_short = layer(x[1:2, :4])
    np.testing.assert_allclose(h[1], keras.ops.convert_to_numpy(h_short)[0], atol=1e-6)
    # Masked steps repeat the last valid output.
    np.testing.assert_array_equal(y[1, 4:], np.broadcast_to(y[1, 3], (2, UNITS)))
    np.testing.assert_array_equal(y[3, 2:], np.broadcast_to(y[3, 1], (4, UNITS)))
    # A masked step in the middle leaves the state untouched for that step.
    gap = np.ones((1, 6), dtype=bool)
    gap[0, 2] = False
    _, _, h_gap = layer(x[:1], mask=gap)
    _, _, h_skip = layer(np.delete(x[:1], 2, axis=1))
    assert_allclose_nested(h_gap, h_skip, atol=1e-6)


def test_harness_sequences_state_and_mask(x):
    mask = np.ones((4, 6), dtype=bool)
    mask[2, 3:] = False
    report = check_layer(
        LeakyIntegrator,
        {
            "units": UNITS,
            "activation": "tanh",
            "retention_init": [0.7, 0.99],
            "kernel_regularizer": "l2",
            "return_sequences": True,
            "return_state": True,
        },
        x,
        input_mask=mask,
        expected_output_shape=[(4, 6, UNITS), (4, UNITS), (4, UNITS)],
        expected_output_mask=[mask, None, None],
    )
    print(report)


def test_harness_backwards_stateful(x):
    check_layer(
        LeakyIntegrator,
        {"units": UNITS, "go_backwards": True, "stateful": True, "unroll": True},
        x,
        expected_output_shape=(4, UNITS),
        trains=False,
    )


def test_cell_config_round_trip():
    cell = LeakyIntegratorCell(UNITS, activation="relu", retention_init=(0.5, 0.9), bias_regularizer="l1")
    assert LeakyIntegratorCell.from_config(cell.get_config()).get_config() == cell.get_config()


def test_bidirectional(x):
    forward = LeakyIntegrator(UNITS, activation="tanh", retention_init=(0.5, 0.95), return_sequences=True)
    layer = keras.layers.Bidirectional(forward, merge_mode="concat")
    y = keras.ops.convert_to_numpy(layer(x))
    assert y.shape == (4, 6, 2 * UNITS)
    backward = LeakyIntegrator(UNITS, activation="tanh", go_backwards=True, return_sequences=True)
    backward(x)
    backward.set_weights(layer.backward_layer.get_weights())
    # Bidirectional re-reverses the backward sequence so step t lines up with the forward step t.
    np.testing.assert_allclose(y[..., UNITS:], keras.ops.convert_to_numpy(backward(x))[:, ::-1], atol=1e-6)
    check_layer(keras.layers.Bidirectional, {"layer": forward}, x, complete_config=False, trains=False)


@pytest.mark.parametrize("units", [0, 2.7, "abc"])
def test_rejects_units_that_are_not_positive_integers(units):
    with pytest.raises(ValueError, match="units must be a positive integer"):
        LeakyIntegrator(units)


@pytest.mark.parametrize("bad", [None, "a", "0.9", (0.5, None), True])
def test_retention_init_of_the_wrong_type_gives_a_one_line_error_naming_it(bad):
    message = r"retention_init must be a float in \(0, 1\) or a \(min, max\) pair; got "
    with pytest.raises(ValueError, match=message) as error:
        LeakyIntegrator(UNITS, retention_init=bad)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("unroll", [False, True])
def test_masked_steps_before_the_first_valid_one_output_as_the_docstring_says(unroll):
    """Zeros on TensorFlow and unrolled, ``y_0`` from JAX's scan (the Keras loops differ; see the call docstring)."""
    backend = keras.backend.backend()
    if backend not in ("tensorflow", "jax"):
        pytest.skip(f"not documented for {backend}")
    x = np.ones((1, 3, 2), "float32")
    y0, h0 = np.full((1, UNITS), 7.0, "float32"), np.zeros((1, UNITS), "float32")
    layer = LeakyIntegrator(UNITS, return_sequences=True, unroll=unroll)
    output = keras.ops.convert_to_numpy(layer(x, mask=np.array([[0, 1, 1]], bool), initial_state=[y0, h0]))
    np.testing.assert_array_equal(output[0, 0], 7.0 if backend == "jax" and not unroll else 0.0)


@pytest.mark.parametrize("policy, eps", [("mixed_float16", 2.0**-10), ("mixed_bfloat16", 2.0**-7)])
def test_long_time_constants_integrate_under_mixed_precision(policy, eps):
    """Unit input for 3000 steps gives h_T = (1 - r^T) / (1 - r): 2592 for r = 0.9999. A float16/bfloat16 state
    froze at 2048 / 256 (the increments rounded away); the state now runs in float32, the outputs in the policy's
    compute dtype, equal to the float32 result up to their rounding."""
    layer = LeakyIntegrator(UNITS, retention_init=[0.9, 0.9999], kernel_initializer="ones", dtype=policy,
                            return_state=True)
    y, y_last, h = layer(np.ones((1, 3000, 1), "float32"))
    r = np.array([0.9999, 1 - np.sqrt(0.1 * 0.0001), 0.9])  # time constants spaced from 1 / (1 - max) down
    exact = (1 - r**3000) / (1 - r)
    np.testing.assert_allclose(exact[0], 2592.0, atol=0.1)
    for t in (y, y_last, h):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(t).astype("float64")[0], exact, rtol=eps)
    assert {keras.backend.standardize_dtype(t.dtype) for t in (y, y_last, h)} == {layer.compute_dtype}
    assert {keras.backend.standardize_dtype(w.dtype) for w in layer.weights} == {"float32"}
    assert layer.cell.compute_dtype == "float32"


def test_mixed_policy_config_and_keras_file_round_trip(tmp_path, x):
    layer = LeakyIntegrator(UNITS, retention_init=[0.5, 0.999], dtype="mixed_bfloat16", return_sequences=True)
    inputs = keras.Input((6, 2))
    model = keras.Model(inputs, layer(inputs))
    revived = LeakyIntegrator.from_config(layer.get_config())
    assert revived.get_config() == layer.get_config()
    assert revived.dtype_policy.name == "mixed_bfloat16" and revived.cell.dtype_policy.name == "float32"
    model.save(tmp_path / "leaky.keras")
    loaded = keras.saving.load_model(tmp_path / "leaky.keras", safe_mode=True)
    loaded_layer = loaded.layers[-1]
    assert loaded_layer.cell.compute_dtype == "float32" and loaded_layer.compute_dtype == "bfloat16"
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(model(x)))
    # Policies that are not mixed leave the cell as the layer.
    assert LeakyIntegrator(UNITS, dtype="float16").cell.compute_dtype == "float16"
    assert LeakyIntegrator(UNITS).cell.dtype_policy.name == "float32"


def test_a_built_layer_names_another_feature_count(x):
    layer = LeakyIntegrator(UNITS)
    layer(x)
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 2, but received input with "
                                         r"shape \(4, 6, 3\)"):
        layer(np.zeros((4, 6, 3), "float32"))
