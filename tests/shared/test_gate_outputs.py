"""Gate outputs of GatedLSTM / GatedGRU in models: functional graphs, .keras files, Bidirectional."""

import numpy as np
import pytest

import keras

from shared.layers import GatedGRU, GatedLSTM, gate_activations

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
