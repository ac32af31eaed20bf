"""Beyond one machine on JAX: the ``shared.layers`` layers and the ecology and churn models train under
``KERAS_BACKEND=jax``, and ``python -m shared.distribute`` trains data-parallel (``keras.distribution.
DataParallel``) on several devices and on several processes joined by ``jax.distributed.initialize`` (the
multi-host set-up of the README, here two processes on one machine), with the weights of one device; genomics
and sentiment train there from their ``tf.data`` pipelines, and what only TensorFlow does (sentiment's adversarial
step, ``--distribute mirrored``) is refused in one line; the ``integral_control`` experiment trains its
controller through the closed loop there.

Every run is a fresh interpreter with ``KERAS_BACKEND=jax`` on the CPU; ``XLA_FLAGS`` splits the CPU into
devices as TensorFlow's logical devices do in ``test_distribute.py``.
"""

import importlib.util
import json
import os
import socket
import subprocess
import sys
import textwrap
import warnings

import keras
import numpy as np
import pandas as pd
import pytest

from product_kit import ROOT, TREES, churn_csv, cli, ecology_csv, genbank_text, script, user_lines
from shared.data_paths import bundled

pytestmark = pytest.mark.skipif(importlib.util.find_spec("jax") is None,
                                reason="JAX is not installed (pip install -e '.[jax]')")
JAX = {"KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
TWO_DEVICES = {**JAX, "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}

LAYERS_SCRIPT = textwrap.dedent(
    """
    import json
    import jax
    import keras
    import numpy as np
    from shared.distribute import data_parallel
    from shared.layers import (AttentionPooling, ConvFrontEnd, DenseTemporalRNN, GatedGRU, GatedLSTM,
                               LeakyIntegrator)

    def build():
        keras.utils.set_random_seed(0)
        inputs = keras.Input((12, 3))
        h = ConvFrontEnd(filters=[6, 6], kernel_sizes=[3, 3], dilation_rates=[1, 2])(inputs)
        h = keras.layers.Bidirectional(GatedLSTM(4, forget_bias="chrono", chrono_max_steps=12,
                                                 return_sequences=True))(h)
        h, gates = GatedGRU(4, return_sequences=True, return_gates=True)(h)
        h = LeakyIntegrator(4, return_sequences=True)(h)
        h = DenseTemporalRNN(4, order=2, return_sequences=True)(h)
        model = keras.Model(inputs, keras.layers.Dense(1)(AttentionPooling(4)(h)))
        model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
        return model

    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 12, 3)).astype("float32")
    y = x[:, :3, 0].sum(axis=1, keepdims=True)
    one = build()
    losses = one.fit(x, y, batch_size=16, epochs=10, shuffle=False, verbose=0).history["loss"]
    distribution = data_parallel()
    parallel = build()
    parallel.fit(x, y, batch_size=16, epochs=10, shuffle=False, verbose=0)
    diff = max(float(np.abs(a - b).max()) for a, b in zip(one.get_weights(), parallel.get_weights()))
    print(json.dumps({"backend": keras.backend.backend(), "devices": len(distribution.device_mesh.devices.ravel()),
                      "loss_first": losses[0], "loss_last": losses[-1], "max_weight_diff": diff}))
    """
)


def _report(result):
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _weights(path, module):
    """The weights of a model file written on JAX, loaded here on TensorFlow without a warning (an ensemble's
    members nested compiled would be recompiled asking for ``jit_compile=True``, which TensorFlow refuses)."""
    __import__(module)  # registers the domain's layers and losses
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        model = keras.saving.load_model(path, safe_mode=True, compile=False)
    assert not [str(warning.message) for warning in caught if issubclass(warning.category, UserWarning)]
    return model.get_weights()


def _max_diff(a, b):
    assert len(a) == len(b)
    return max(float(np.abs(x - y).max()) for x, y in zip(a, b))


def test_layers_train_under_jax_and_data_parallel_matches_one_device():
    report = _report(script(LAYERS_SCRIPT, env=TWO_DEVICES, timeout=600))
    assert report["backend"] == "jax" and report["devices"] == 2
    assert report["loss_last"] < 0.7 * report["loss_first"]
    assert report["max_weight_diff"] < 1e-5


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_ecology_trains_on_two_jax_processes_like_on_one(tmp_path):
    rows = ecology_csv(30).splitlines()
    panel = tmp_path / "panel.csv"
    panel.write_text(rows[0] + "\n" + "".join(row.replace("lynx", name) + "\n" for name in "abcd" for row in rows[1:]))
    train = ["domains.ecology", "train", str(panel), "--global", "--units", "4", "--epochs", "3", "--ensemble", "1",
             "--validation", "0", "--seed", "0"]
    base = {**os.environ, **JAX, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1"}
    base.pop("XLA_FLAGS", None)
    job = {"JAX_COORDINATOR_ADDRESS": f"127.0.0.1:{_free_port()}", "JAX_NUM_PROCESSES": "2"}
    runs = {
        "single": ([sys.executable, "-m", *train], base),
        **{f"host{rank}": ([sys.executable, "-m", "shared.distribute", *train], {**base, **job, "JAX_PROCESS_ID": str(rank)})
           for rank in (0, 1)},
    }
    processes = {name: subprocess.Popen([*argv, "--out", str(tmp_path / f"{name}.keras")], cwd=ROOT, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for name, (argv, env) in runs.items()}
    for name, process in processes.items():
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, f"{name}: {err[-3000:]}"
    weights = {name: _weights(tmp_path / f"{name}.keras", "domains.ecology.model") for name in runs}
    assert _max_diff(weights["host0"], weights["host1"]) == 0  # replicated: the same model on every host
    assert _max_diff(weights["host0"], weights["single"]) < 1e-5


def test_churn_trains_under_jax_data_parallel(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text(churn_csv())
    out = tmp_path / "model.keras"
    result = cli("shared.distribute", "domains.churn", "train", "--transactions", log, "--epochs", 2, "--out", out,
                 env=TWO_DEVICES, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sum(weights.size for weights in _weights(out, "domains.churn.model")) > 0


def test_integral_control_trains_its_controller_under_jax(tmp_path):
    # backpropagation through the closed loop by Keras' JAX training step: the learned controller beats tuned P
    result = cli("shared.experiments", "integral_control", "--quick", "--out", tmp_path, "--json", env=JAX)
    assert result.returncode == 0, result.stderr[-3000:]
    table = pd.read_csv(json.loads(result.stdout.strip().splitlines()[-1])["csv"]).set_index("controller")
    error = table["steady_state_error"]
    assert error["GatedLSTM"] < 0.25 * error["P"]


def _training_files(folder):
    """``(trees, genbank)``: a folder of tiny SST train/dev/test tree files and a small GenBank genome."""
    trees = folder / "sst"
    trees.mkdir()
    for split in ("train", "dev", "test"):
        (trees / f"{split}.txt").write_text(TREES)
    genbank = folder / "genome.gb"
    genbank.write_text(genbank_text())
    return trees, genbank


def test_genomics_and_sentiment_train_under_jax_from_their_tf_data_pipelines(tmp_path):
    trees, genbank = _training_files(tmp_path)
    commands = {"domains.genomics": ("train", "--genbank", genbank, "--epochs", 1),
                "domains.sentiment": ("train", "--sst-trees", trees, "--neutral", 2, "--lexicon", "--three-way")}
    for module, command in commands.items():
        out = tmp_path / f"{module}.keras"
        result = cli(module, *command, "--out", out, env=JAX, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        assert sum(weights.size for weights in _weights(out, f"{module}.model")) > 0


def test_training_refuses_what_only_tensorflow_does_in_one_line(tmp_path):
    # sentiment's adversarial step differentiates with tf.GradientTape; --distribute mirrored is a tf.distribute
    # strategy, which a JAX model would train outside of, on one device
    # (found in audit: ecology and churn refused mirrored only after stamping a checkpoint folder)
    trees, genbank = _training_files(tmp_path)
    mirrored = ("--distribute mirrored is TensorFlow's MirroredStrategy, which a Keras model on 'jax' would not use; "
                "on JAX, train data-parallel with python -m shared.distribute MODULE ARGS")
    runs = [
        ("adversarial 0.2: adversarial training differentiates with tf.GradientTape, which needs the TensorFlow "
         "backend; Keras runs on 'jax' (set KERAS_BACKEND=tensorflow)",
         ("domains.sentiment", "train", "--sst-trees", trees, "--adversarial", 0.2, "--out", tmp_path / "s.keras")),
        (mirrored, ("domains.genomics", "train", "--genbank", genbank, "--distribute", "mirrored",
                    "--out", tmp_path / "g.keras")),
        (mirrored, ("domains.ecology", "train", bundled("ecology", "lynx.csv"), "--distribute", "mirrored",
                    "--out", tmp_path / "e.keras")),
        (mirrored, ("domains.churn", "train", "--transactions", bundled("churn", "cdnow_sample_transactions.csv.gz"),
                    "--distribute", "mirrored", "--out", tmp_path / "c.keras")),
    ]
    for message, command in runs:
        result = cli(*command, env=JAX)
        assert (result.returncode, user_lines(result.stderr)) == (2, [f"error: {message}"]), result.stderr[-3000:]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["genome.gb", "sst"]  # nothing written
