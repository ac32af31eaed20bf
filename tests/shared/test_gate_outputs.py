"""Gate outputs of GatedLSTM / GatedGRU in models: functional graphs, .keras files, Bidirectional."""

import re

import numpy as np
import pytest

import keras

from shared.layers import GatedGRU, GatedGRUCell, GatedLSTM, GatedLSTMCell, gate_activations

LAYERS = [(GatedLSTM, "forget"), (GatedGRU, "update")]


@pytest.fixture
def padded(rng):
    """Token ids with zero padding at the end of some rows, for Embedding(mask_zero=True)."""
    ids = rng.integers(1, 20, size=(4, 10))
    ids[1, 6:] = 0
    ids[3, 3:] = 0
    return ids


@pytest.mark.parametrize("cls,keep_gate", LAYERS)
def test_functional_model_with_gates_saves_and_reloads_safely(tmp_path, padded, cls, keep_gate):
    inputs = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(20, 5, mask_zero=True)(inputs)
    sequence, gates = cls(6, return_sequences=True, return_gates=True, name="rnn")(embedded)
    score = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling1D()(sequence))
    model = keras.Model(inputs, {"score": score, "gates": gates})
    before = model(padded)
    path = tmp_path / "model.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True)
    after = reloaded(padded)
    np.testing.assert_array_equal(np.asarray(after["score"]), np.asarray(before["score"]))
    for name in cls(1).cell.gate_names:
        np.testing.assert_array_equal(np.asarray(after["gates"][name]), np.asarray(before["gates"][name]))
    assert after["gates"][keep_gate].shape == (4, 10, 6)


@pytest.mark.parametrize("cls,keep_gate", LAYERS)
def test_bidirectional_with_masking_and_both_directions_gates(padded, cls, keep_gate):
    inputs = keras.Input((None,), dtype="int32")
    embedding = keras.layers.Embedding(20, 5, mask_zero=True)
    bidi = keras.layers.Bidirectional(cls(6, return_sequences=True), name="bidi")
    output = bidi(embedding(inputs))
    model = keras.Model(inputs, keras.layers.GlobalAveragePooling1D()(output))
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(padded, np.ones((4, 12)), epochs=3, verbose=0)
    assert np.isfinite(history.history["loss"]).all()

    x = np.asarray(embedding(padded))
    mask = padded != 0
    gates = gate_activations(model.get_layer("bidi"), x, mask=mask)
    assert set(gates) == {"forward", "backward"}
    assert gates["forward"][keep_gate].shape == gates["backward"][keep_gate].shape == (4, 10, 6)

    # The forward gates are those of a gate-returning twin of the forward layer; the backward ones are the
    # backward layer's, flipped back to input order, as Bidirectional flips its backward outputs.
    forward_twin = cls.from_config({**bidi.forward_layer.get_config(), "return_gates": True, "name": "fwd"})
    backward_twin = cls.from_config({**bidi.backward_layer.get_config(), "return_gates": True, "name": "bwd"})
    forward_twin(x), backward_twin(x)
    forward_twin.set_weights(bidi.forward_layer.get_weights())
    backward_twin.set_weights(bidi.backward_layer.get_weights())
    np.testing.assert_allclose(gates["forward"][keep_gate], forward_twin(x, mask=mask)[1][keep_gate], atol=1e-6)
    np.testing.assert_allclose(
        gates["backward"][keep_gate], np.flip(np.asarray(backward_twin(x, mask=mask)[1][keep_gate]), axis=1), atol=1e-6
    )
    # Both directions' outputs recomputed from the twins agree with the Bidirectional layer's.
    bidi_out = np.asarray(bidi(x, mask=mask))
    forward_out = np.asarray(forward_twin(x, mask=mask)[0])
    np.testing.assert_allclose(bidi_out[:, :, :6][mask], forward_out[mask], atol=1e-5)


def test_gate_activations_refuses_other_layers_and_unbuilt_layers():
    with pytest.raises(TypeError, match="GatedLSTM, GatedGRU"):
        gate_activations(keras.layers.LSTM(3), np.zeros((1, 2, 3), "float32"))
    with pytest.raises(ValueError, match="not built"):
        gate_activations(GatedLSTM(3), np.zeros((1, 2, 3), "float32"))


@pytest.mark.parametrize("cls,keep_gate", LAYERS)
def test_stateful_layer_with_gates_carries_state_across_calls(rng, cls, keep_gate):
    x = rng.normal(size=(2, 8, 3)).astype("float32")
    whole = cls(4, return_sequences=True)
    whole(x)
    stateful = cls(4, return_sequences=True, return_gates=True, stateful=True)
    stateful(x[:, :4])
    stateful.reset_state()
    stateful.set_weights(whole.get_weights())
    first, _ = stateful(x[:, :4])
    second, gates = stateful(x[:, 4:])
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole(x), atol=1e-5)
    assert gates[keep_gate].shape == (2, 4, 4)


def _twins(cls, x, **options):
    """A plain layer and a gate-returning one with the same weights."""
    plain, gated = cls(3, **options), cls(3, return_gates=True, **options)
    plain(x)
    gated(x)
    gated.set_weights(plain.get_weights())
    return plain, gated


@pytest.mark.parametrize("cls", [GatedLSTM, GatedGRU])
@pytest.mark.parametrize("unroll", [False, True])
def test_gates_leave_the_last_output_as_the_plain_layer_gives_it(rng, cls, unroll):
    x = rng.normal(size=(2, 6, 3)).astype("float32")
    right_pad = np.array([[1, 1, 1, 0, 0, 0], [1] * 6], bool)
    plain, gated = _twins(cls, x, zero_output_for_mask=True, unroll=unroll)
    output, _ = gated(x, mask=right_pad)
    np.testing.assert_allclose(output, plain(x, mask=right_pad), atol=1e-6)
    np.testing.assert_array_equal(np.asarray(output)[0], 0.0)  # the last step is padding: zeros, as stock Keras
    # a fully masked row given an initial state: output zeros (stock), while the state keeps the initial one
    plain, gated = _twins(cls, x, return_state=True, unroll=unroll)
    full = np.array([[0] * 6, [1] * 6], bool)
    start = [np.full((2, 3), 0.5, "float32")] * len(keras.tree.flatten(plain.cell.state_size))
    expected = plain(x, mask=full, initial_state=start)
    *got, _ = gated(x, mask=full, initial_state=start)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(got[0])[0], 0.0)
    np.testing.assert_array_equal(np.asarray(got[1])[0], 0.5)


@pytest.mark.parametrize("cls", [GatedLSTM, GatedGRU])
def test_activity_regularizer_does_not_see_the_gates(rng, tmp_path, cls):
    x = rng.normal(size=(2, 6, 3)).astype("float32")
    for options in ({}, {"return_state": True, "return_sequences": True}):
        plain, gated = _twins(cls, x, activity_regularizer=keras.regularizers.L2(1.0), **options)
        plain(x)
        gated(x)
        states = len(keras.tree.flatten(plain.cell.state_size))
        assert len(gated.losses) == len(plain.losses) == 1 + states * options.get("return_state", 0)
        np.testing.assert_allclose(sum(map(float, gated.losses)), sum(map(float, plain.losses)), rtol=1e-6)
    config = gated.get_config()
    assert config["activity_regularizer"]["config"]["l2"] == 1.0
    assert cls.from_config(config).get_config() == config


@pytest.mark.parametrize("cls", [GatedLSTM, GatedGRU])
def test_implementation_argument_is_accepted_as_keras_accepts_it(cls):
    assert cls(3, implementation=1, name="a").get_config() == cls(3, name="a").get_config()


@pytest.mark.parametrize("cls,keep_gate", LAYERS)
def test_gate_activations_of_a_stateful_layer_start_from_its_states(rng, cls, keep_gate):
    x = rng.normal(size=(2, 8, 3)).astype("float32")
    stateful = cls(4, stateful=True, return_sequences=True)
    stateful(x[:, :5])
    gates = gate_activations(stateful, x[:, 5:])
    twin = cls.from_config({**stateful.get_config(), "stateful": False, "return_gates": True, "name": "whole"})
    twin(x)
    twin.set_weights(stateful.get_weights())
    _, whole = twin(x)
    np.testing.assert_allclose(gates[keep_gate], np.asarray(whole[keep_gate])[:, 5:], atol=1e-5)


@pytest.mark.parametrize("cls", [GatedLSTM, GatedGRU])
@pytest.mark.parametrize("unroll", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_gates_leave_every_output_and_state_of_a_masked_run_as_the_plain_layer_gives_them(rng, cls, unroll,
                                                                                          go_backwards):
    """Padding at the end, at the start and in the middle; backwards and unrolled too (Keras' unrolled TensorFlow
    loop zeroes a backward run's masked outputs at unreversed steps, which the gated path must not inherit)."""
    x = rng.normal(size=(3, 7, 4)).astype("float32")
    mask = np.ones((3, 7), bool)
    mask[0, 5:], mask[1, :2], mask[2, 3] = False, False, False
    plain, gated = _twins(cls, x, return_sequences=True, return_state=True, unroll=unroll, go_backwards=go_backwards)
    *got, gates = gated(x, mask=mask)
    for a, b in zip(got, plain(x, mask=mask)):
        np.testing.assert_array_equal(a, b)
    assert all(tuple(g.shape) == (3, 7, 3) for g in gates.values())


@pytest.mark.parametrize("cls", [GatedLSTM, GatedGRU])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_gates_of_a_masked_run_traced_with_an_unknown_length_equal_the_eager_ones(rng, cls, go_backwards):
    """A TensorFlow graph traced without the time length (``keras.Input((None, F))`` exported, ``padded_batch``
    in ``fit``) carries the masked outputs as eager code does (it raised inside Keras' scan)."""
    if keras.backend.backend() != "tensorflow":
        pytest.skip("JAX and PyTorch trace with concrete shapes")
    import tensorflow as tf

    x = rng.normal(size=(3, 6, 4)).astype("float32")
    mask = np.ones((3, 6), bool)
    mask[0, 4:], mask[1, :2] = False, False
    layer = cls(5, return_sequences=True, return_gates=True, go_backwards=go_backwards)
    eager = keras.tree.flatten(layer(x, mask=mask))
    traced = tf.function(lambda x, mask: keras.tree.flatten(layer(x, mask=mask)),
                         input_signature=[tf.TensorSpec((None, None, 4)), tf.TensorSpec((None, None), tf.bool)])
    for a, b in zip(traced(x, mask), eager):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_a_model_returning_gates_is_not_xla_compiled_on_tensorflow(rng):
    """Its masked path carries outputs with a scan XLA cannot compile: Keras falls back to no jit, with a warning."""
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the fallback concerns TensorFlow's XLA")
    inputs = keras.Input((8, 4))
    output, _ = GatedLSTM(3, return_gates=True)(keras.layers.Masking(99.0)(inputs))
    model = keras.Model(inputs, output)
    with pytest.warns(UserWarning, match="doesn't support `jit_compile=True`"):
        model.compile("adam", "mse", jit_compile=True)
    x = rng.normal(size=(6, 8, 4)).astype("float32")
    x[:2, 5:] = 99.0
    history = model.fit(x, np.zeros((6, 3), "float32"), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


@pytest.mark.parametrize("cls,stock", [(GatedLSTM, keras.layers.LSTM), (GatedGRU, keras.layers.GRU)])
def test_without_gates_the_layer_opts_out_of_xla_exactly_where_keras_own_does(rng, cls, stock):
    """Where cuDNN may run (a GPU and the arguments it takes), as keras.layers.LSTM / GRU decide it. Found in
    audit: on a CPU, jit_compile=True fell back to no XLA with a warning, while the stock layer compiled."""
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the opt-out concerns TensorFlow's XLA")
    for options in ({}, {"unroll": True}, {"activation": "relu"}):
        assert cls(3, **options).supports_jit == stock(3, **options).supports_jit
    if stock(3).supports_jit:  # no GPU: both compile with XLA and give the model's numbers
        inputs = keras.Input((6, 4))
        model = keras.Model(inputs, cls(3)(inputs))
        x = rng.normal(size=(5, 6, 4)).astype("float32")
        expected = model.predict(x, verbose=0)
        model.compile("adam", "mse", jit_compile=True)
        assert model.jit_compile
        np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-5)


@pytest.mark.parametrize("cls,keep_gate", LAYERS)
def test_gates_of_a_backward_zero_output_run_do_not_depend_on_unroll(rng, cls, keep_gate):
    """go_backwards + zero_output_for_mask + a mask, as Bidirectional runs its backward copy: Keras' unrolled
    TensorFlow loop zeroes such a run's outputs at unreversed steps; the gates and outputs must not inherit that."""
    x = rng.normal(size=(2, 5, 2)).astype("float32")
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], bool)
    options = dict(go_backwards=True, zero_output_for_mask=True, return_sequences=True, return_state=True)
    plain, rolled = _twins(cls, x, **options)
    unrolled = cls(3, return_gates=True, unroll=True, **options)
    unrolled(x)
    unrolled.set_weights(plain.get_weights())
    *expected, rolled_gates = rolled(x, mask=mask)
    *got, gates = unrolled(x, mask=mask)
    for a, b in zip(got, plain(x, mask=mask)):  # keras.layers.RNN without unroll is right here
        np.testing.assert_allclose(a, b, atol=1e-6)
    for name in gates:
        np.testing.assert_allclose(gates[name], rolled_gates[name], atol=1e-6)
    assert np.all(np.asarray(gates[keep_gate])[1, 2:] != 0)  # the valid steps, in processing order
    # the last output alone is that of the plain unrolled layer (which gets it right)
    plain_last = cls(3, go_backwards=True, zero_output_for_mask=True, unroll=True)
    gated_last = cls(3, go_backwards=True, zero_output_for_mask=True, unroll=True, return_gates=True)
    plain_last(x)
    gated_last(x)
    plain_last.set_weights(plain.get_weights())
    gated_last.set_weights(plain.get_weights())
    np.testing.assert_allclose(gated_last(x, mask=mask)[0], plain_last(x, mask=mask), atol=1e-6)
    # both directions of an unrolled Bidirectional, as gate_activations gives them
    bidis = [keras.layers.Bidirectional(cls(3, return_sequences=True, unroll=u)) for u in (False, True)]
    for bidi in bidis:
        bidi(x)
    bidis[1].set_weights(bidis[0].get_weights())
    want, have = (gate_activations(bidi, x, mask=mask) for bidi in bidis)
    for direction in ("forward", "backward"):
        np.testing.assert_allclose(have[direction][keep_gate], want[direction][keep_gate], atol=1e-6)


@pytest.mark.parametrize("cls", [GatedLSTM, GatedGRU])
def test_use_cudnn_true_with_gates_is_refused_at_construction(cls):
    with pytest.raises(ValueError, match=r"^use_cudnn=True cannot return gates: cuDNN only returns the hidden states\. "
                                         r"Use use_cudnn='auto' \(the default\) or return_gates=False\.$"):
        cls(4, return_gates=True, use_cudnn=True)


@pytest.mark.parametrize("cls", [GatedLSTM, GatedGRU])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_of_a_gates_layer_fails_or_gives_the_plain_numbers(rng, cls, return_sequences):
    """Bidirectional copies the wrapped layer's return_sequences/return_state: they must be the user's, not the
    loop's, or it takes the backward (batch, units) output for a sequence and flips its units."""
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    layer = cls(4, return_gates=True, return_sequences=return_sequences)
    assert (layer.return_sequences, layer.return_state) == (return_sequences, False)
    assert cls.from_config(layer.get_config()).return_sequences == return_sequences
    with pytest.raises((ValueError, TypeError)):
        keras.layers.Bidirectional(layer)(x)
    with pytest.raises((ValueError, TypeError)):
        keras.layers.Bidirectional(cls(4, return_gates=True, return_sequences=return_sequences))(keras.Input((5, 3)))
    # with return_state the outputs and states are those of the plain Bidirectional, each gates dict after them
    gated = keras.layers.Bidirectional(cls(4, return_gates=True, return_sequences=return_sequences, return_state=True))
    plain = keras.layers.Bidirectional(cls(4, return_sequences=return_sequences, return_state=True))
    got = gated(x)
    plain.build(x.shape)
    plain.set_weights(gated.get_weights())
    expected = plain(x)
    assert len(got) == len(expected) + 2
    numbers = [value for value in got if not isinstance(value, dict)]
    for a, b in zip(numbers, expected):
        np.testing.assert_allclose(a, b, atol=1e-6)


@pytest.mark.parametrize("cls,keep_gate", LAYERS)
def test_units_given_as_a_numpy_integer_are_taken(rng, cls, keep_gate):
    """Found in audit: the check accepted np.int64(4) but passed it on, and Keras refused it when the layer was
    called ('output_size must be an integer', 'state_size must be an integer')."""
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    layer = cls(np.int64(4), return_gates=True)
    output, gates = layer(x)
    assert tuple(output.shape) == (2, 4) and tuple(gates[keep_gate].shape) == (2, 5, 4)
    assert type(layer.get_config()["units"]) is int


@pytest.mark.parametrize("cls", [GatedLSTM, GatedGRU])
def test_gate_activations_names_inputs_of_the_wrong_shape(rng, cls):
    """A 2-D input or another feature count failed deep in set_weights ("weight shape (2, 16) is not compatible")
    and a list with AttributeError; a list of the right shape is taken like an array."""
    layer = cls(4)
    x = rng.normal(size=(2, 5, 8)).astype("float32")
    layer(x)
    for shape in ((2, 8), (2, 5, 3), (2, 5, 8, 1)):
        message = rf"^layer '{layer.name}' takes inputs of shape \(batch, time, 8\); got shape {re.escape(str(shape))}$"
        with pytest.raises(ValueError, match=message):
            gate_activations(layer, np.zeros(shape, "float32"))
    from_list = gate_activations(layer, x.tolist())
    for name, gate in gate_activations(layer, x).items():
        np.testing.assert_allclose(keras.ops.convert_to_numpy(from_list[name]), keras.ops.convert_to_numpy(gate),
                                   atol=1e-6)
    bidirectional = keras.layers.Bidirectional(cls(4))
    bidirectional(x)
    with pytest.raises(ValueError, match=r"takes inputs of shape \(batch, time, 8\); got shape \(2, 5, 3\)$"):
        gate_activations(bidirectional, x[..., :3])


@pytest.mark.parametrize("cell_cls, width", [(GatedLSTMCell, 6), (GatedGRUCell, 4)])
def test_rnn_around_a_gates_cell_with_a_mask_behaves_as_the_cell_docstring_says(rng, cell_cls, width):
    """With zero_output_for_mask=True (or unroll=True) every backend runs it; without, Keras' JAX scan fills
    masked outputs from the first state, h, and fails on the stacked output (documented, not fixable in a cell)."""
    x = rng.normal(size=(3, 6, 4)).astype("float32")
    mask = np.ones((3, 6), bool)
    mask[0, 3:] = False
    outputs = keras.layers.RNN(cell_cls(5, return_gates=True), return_sequences=True, zero_output_for_mask=True)(
        x, mask=mask)
    assert outputs.shape == (3, 6, 5 * width)
    np.testing.assert_array_equal(np.asarray(outputs)[0, 3:], 0.0)
    assert keras.layers.RNN(cell_cls(5, return_gates=True), return_sequences=True, unroll=True)(
        x, mask=mask).shape == (3, 6, 5 * width)
    repeat = keras.layers.RNN(cell_cls(5, return_gates=True), return_sequences=True)
    if keras.backend.backend() == "jax":
        with pytest.raises(ValueError, match="Incompatible shapes for broadcasting"):
            repeat(x, mask=mask)
    else:
        assert repeat(x, mask=mask).shape == (3, 6, 5 * width)


@pytest.mark.parametrize("cls, stock", [(GatedLSTM, keras.layers.LSTM), (GatedGRU, keras.layers.GRU)])
def test_unrolled_masked_bidirectional_gives_what_keras_gives_as_the_docstring_says(rng, cls, stock):
    """Keras' unrolled loops with a mask and zero_output_for_mask (Bidirectional with return_sequences): on
    TensorFlow the backward half is 0 at valid steps whose mirror step is masked; on JAX masked steps repeat the
    last output; on PyTorch the backward run fails. The plain layer keeps keras.layers.LSTM/GRU's numbers, defects
    included; with return_gates=True an unrolled backward run gives the rolled loop's numbers on PyTorch too."""
    backend = keras.backend.backend()
    x = rng.normal(size=(1, 6, 4)).astype("float32")
    mask = np.array([[1, 1, 1, 1, 0, 0]], bool)
    ours, theirs, rolled = (keras.layers.Bidirectional(layer(2, return_sequences=True, unroll=unroll))
                            for layer, unroll in ((cls, True), (stock, True), (cls, False)))
    for layer in (ours, theirs, rolled):
        layer(x)
    theirs.set_weights(ours.get_weights())
    rolled.set_weights(ours.get_weights())
    if backend == "torch":
        for layer in (ours, theirs):
            with pytest.raises(AttributeError, match="'tuple' object has no attribute 'shape'"):
                layer(x, mask=mask)
        backward = cls(2, return_sequences=True, go_backwards=True, unroll=True, return_gates=True)
        backward(x)
        backward.set_weights(rolled.backward_layer.get_weights())
        outputs, _ = backward(x, mask=mask)
        want = rolled.backward_layer(x, mask=mask)
        np.testing.assert_allclose(keras.ops.convert_to_numpy(outputs), keras.ops.convert_to_numpy(want), atol=1e-6)
        return
    got, want, right = (keras.ops.convert_to_numpy(layer(x, mask=mask))[0] for layer in (ours, theirs, rolled))
    np.testing.assert_allclose(got, want, atol=1e-6)
    if backend == "tensorflow":
        np.testing.assert_array_equal(got[:2, 2:], 0.0)  # backward half, valid steps 0 and 1
        assert np.all(right[:2, 2:] != 0.0)
        np.testing.assert_allclose(got[2:], right[2:], atol=1e-6)
    else:
        np.testing.assert_array_equal(right[4:, :2], 0.0)
        np.testing.assert_allclose(got[4:, :2], np.broadcast_to(got[3, :2], (2, 2)), atol=1e-6)  # forward repeats
        np.testing.assert_allclose(got[:4], right[:4], atol=1e-6)
