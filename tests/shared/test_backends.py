"""shared.layers beyond TensorFlow: a model saved under TensorFlow reloads under JAX and PyTorch
(safe_mode=True), computes the same outputs and trains there, and shared.probes.gradient_flow gives the same
profile there. Each backend runs in its own interpreter."""

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import keras

from shared.layers import AttentionPooling, ConvFrontEnd, DenseTemporalRNN, GatedGRU, GatedLSTM, LeakyIntegrator
from shared.probes import gradient_flow

BACKEND_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import keras
    import shared.layers  # registers the layers
    model = keras.saving.load_model(sys.argv[1], safe_mode=True)
    x, y = np.load(sys.argv[2]), np.load(sys.argv[3])
    outputs = keras.ops.convert_to_numpy(model(x))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, epochs=15, batch_size=len(x), verbose=0).history["loss"]
    np.save(sys.argv[4], outputs)
    print(json.dumps({"backend": keras.backend.backend(), "loss_first": history[0], "loss_last": history[-1]}))
    """
)


def _model():
    inputs = keras.Input((16, 4))
    h = ConvFrontEnd(filters=[8, 8], kernel_sizes=[3, 3], dilation_rates=[1, 2])(inputs)
    h = keras.layers.Bidirectional(GatedLSTM(6, forget_bias="chrono", chrono_max_steps=16, return_sequences=True))(h)
    h = GatedGRU(6, return_sequences=True)(h)
    h = LeakyIntegrator(6, return_sequences=True)(h)
    h = DenseTemporalRNN(6, order=2, return_sequences=True)(h)
    context = AttentionPooling(8)(h)
    return keras.Model(inputs, keras.layers.Dense(1)(context))


#: Each other backend, skipped where its package is not installed.
BACKENDS = [
    pytest.param("jax", marks=pytest.mark.skipif(importlib.util.find_spec("jax") is None,
                                                 reason="JAX is not installed (pip install -e '.[jax]')")),
    pytest.param("torch", marks=pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                                   reason="PyTorch is not installed (pip install torch)")),
]
#: Run the other backend on the CPU, as TensorFlow runs here.
CPU_ONLY = {"jax": {"JAX_PLATFORMS": "cpu"}, "torch": {"CUDA_VISIBLE_DEVICES": ""}}


@pytest.mark.parametrize("backend", BACKENDS)
def test_model_saved_under_tensorflow_runs_and_trains_under_another_backend(tmp_path, rng, backend):
    x = rng.normal(size=(8, 16, 4)).astype("float32")
    y = rng.normal(size=(8, 1)).astype("float32")
    model = _model()
    expected = keras.ops.convert_to_numpy(model(x))
    model.save(tmp_path / "model.keras")
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    env = {**os.environ, "KERAS_BACKEND": backend, **CPU_ONLY[backend]}
    args = [str(tmp_path / name) for name in ("model.keras", "x.npy", "y.npy", "out.npy")]
    result = subprocess.run([sys.executable, "-c", BACKEND_SCRIPT, *args], capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["backend"] == backend
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), expected, atol=1e-5)
    assert report["loss_last"] < 0.9 * report["loss_first"]


GATES_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import keras
    import shared.layers  # registers the layers
    model = keras.saving.load_model(sys.argv[1], safe_mode=True)
    sequence, gates = model(np.load(sys.argv[2]))
    arrays = {"sequence": sequence, **{f"gate_{name}": value for name, value in gates.items()}}
    np.savez(sys.argv[3], **{key: keras.ops.convert_to_numpy(value) for key, value in arrays.items()})
    print(keras.backend.backend())
    """
)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("cls", [GatedLSTM, GatedGRU])
def test_gates_with_padding_mask_run_under_another_backend_as_under_tensorflow(tmp_path, rng, cls, backend):
    # JAX's loop takes a masked step's output from the first state, which the stacked [h, gates] output is not
    ids = rng.integers(1, 20, size=(3, 7))
    ids[0, 4:] = 0
    ids[2, 1:] = 0
    inputs = keras.Input((7,), dtype="int32")
    embedded = keras.layers.Embedding(20, 4, mask_zero=True)(inputs)
    model = keras.Model(inputs, cls(5, return_sequences=True, return_gates=True)(embedded))
    sequence, gates = model(ids)
    model.save(tmp_path / "gates.keras")
    np.save(tmp_path / "ids.npy", ids)
    env = {**os.environ, "KERAS_BACKEND": backend, **CPU_ONLY[backend]}
    args = [str(tmp_path / name) for name in ("gates.keras", "ids.npy", "out.npz")]
    result = subprocess.run([sys.executable, "-c", GATES_SCRIPT, *args], capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == backend
    there = np.load(tmp_path / "out.npz")
    np.testing.assert_allclose(there["sequence"], sequence, atol=1e-5)
    for name, value in gates.items():
        np.testing.assert_allclose(there[f"gate_{name}"], value, atol=1e-5)


INITIAL_STATE_SCRIPT = textwrap.dedent(
    """
    import json
    import numpy as np
    import keras
    from shared.layers import GatedGRU, GatedLSTM
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 2)).astype("float32")
    mask = np.array([[1, 1, 1, 1, 1], [0, 0, 1, 1, 1], [0, 0, 0, 0, 0]], bool)  # leading padding, empty row
    diffs = {}
    for cls, stock_cls in ((GatedLSTM, keras.layers.LSTM), (GatedGRU, keras.layers.GRU)):
        for sequences in (False, True):
            options = dict(return_sequences=sequences, return_state=True)
            stock, plain, gated = stock_cls(3, **options), cls(3, **options), cls(3, return_gates=True, **options)
            for layer in (stock, plain, gated):
                layer.build(x.shape)
                layer.set_weights(stock.get_weights())
            start = [np.full((3, 3), 0.5, "float32")] * len(keras.tree.flatten(stock.cell.state_size))
            want = stock(x, mask=mask, initial_state=start)
            *got, _ = gated(x, mask=mask, initial_state=start)
            for name, expected in (("stock", want), ("plain", plain(x, mask=mask, initial_state=start))):
                diffs[f"{cls.__name__} {sequences} {name}"] = max(
                    float(np.abs(keras.ops.convert_to_numpy(a) - keras.ops.convert_to_numpy(b)).max())
                    for a, b in zip(got, expected))  # (PyTorch's outputs require grad: no np.asarray)
    print(json.dumps({"backend": keras.backend.backend(), "diffs": diffs}))
    """
)


@pytest.mark.parametrize("backend", BACKENDS)
def test_gates_leave_a_masked_run_from_an_initial_state_as_the_plain_layer_gives_it(backend):
    # JAX's loop repeats the initial h at leading masked steps (TensorFlow's gives zeros): the gated path must too
    env = {**os.environ, "KERAS_BACKEND": backend, **CPU_ONLY[backend]}
    result = subprocess.run([sys.executable, "-c", INITIAL_STATE_SCRIPT], capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["backend"] == backend
    assert len(report["diffs"]) == 8
    assert max(report["diffs"].values()) < 1e-6, report["diffs"]


GRADIENT_FLOW_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import keras
    import shared.layers  # registers the layers
    from shared.probes import gradient_flow
    model = keras.saving.load_model(sys.argv[1], safe_mode=True)
    ids, y = np.load(sys.argv[2]), np.load(sys.argv[3])
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    profiles = {"compiled": gradient_flow(model, ids, y, layer="lstm"),
                "given": gradient_flow(model, ids, y, layer="gru", loss=loss)}
    np.savez(sys.argv[4], **profiles)
    print(keras.backend.backend())
    """
)


@pytest.mark.parametrize("backend", BACKENDS)
def test_gradient_flow_under_another_backend_gives_tensorflow_profile(tmp_path, rng, backend):
    # padding at both ends, a backward layer, a compiled loss with an L2 term: the profiles of TensorFlow's tape
    ids = rng.integers(1, 30, size=(4, 9))
    ids[0, 6:] = 0
    ids[2, :3] = 0
    y = rng.integers(0, 2, size=(4, 1))
    inputs = keras.Input((9,), dtype="int32")
    h = keras.layers.Embedding(30, 4, mask_zero=True)(inputs)
    h = GatedLSTM(5, return_sequences=True, go_backwards=True, name="lstm")(h)
    h = GatedGRU(3, name="gru")(h)
    model = keras.Model(inputs, keras.layers.Dense(2, kernel_regularizer="l2")(h))
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(loss=loss)
    expected = {"compiled": gradient_flow(model, ids, y, layer="lstm"),
                "given": gradient_flow(model, ids, y, layer="gru", loss=loss)}
    model.save(tmp_path / "model.keras")
    np.save(tmp_path / "ids.npy", ids)
    np.save(tmp_path / "y.npy", y)
    env = {**os.environ, "KERAS_BACKEND": backend, **CPU_ONLY[backend]}
    args = [str(tmp_path / name) for name in ("model.keras", "ids.npy", "y.npy", "out.npz")]
    result = subprocess.run([sys.executable, "-c", GRADIENT_FLOW_SCRIPT, *args], capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == backend
    there = np.load(tmp_path / "out.npz")
    for name, profile in expected.items():
        assert profile.shape == (9,) and np.all(profile > 0)
        np.testing.assert_allclose(there[name], profile, rtol=1e-5)


def test_gradient_flow_refuses_a_backend_without_automatic_differentiation():
    source = textwrap.dedent(
        """
        import keras, numpy as np
        from shared.probes import gradient_flow
        model = keras.Sequential([keras.Input((6, 2)), keras.layers.SimpleRNN(3), keras.layers.Dense(1)])
        try:
            gradient_flow(model, np.zeros((2, 6, 2), "float32"), np.zeros((2, 1)), loss="mse")
        except NotImplementedError as error:
            print(error)
        """
    )
    result = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                            env={**os.environ, "KERAS_BACKEND": "numpy"}, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == (
        "gradient_flow differentiates with TensorFlow, JAX or PyTorch; Keras runs on 'numpy', which has no automatic "
        "differentiation (set KERAS_BACKEND)")
