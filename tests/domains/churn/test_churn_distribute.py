"""Training under ``tf.distribute.MirroredStrategy`` on two logical CPUs gives what one device gives.

Logical devices must be configured before TensorFlow starts, so the check runs in a fresh interpreter (as
``tests/shared/test_distribute.py`` and Keras' own distribute tests do).
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = textwrap.dedent(
    """
    import contextlib, io, json, os, sys
    import numpy as np
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    from domains.churn import train
    from domains.churn.__main__ import main

    if sys.argv[1] == "library":
        rng = np.random.default_rng(0)
        n, weeks = 64, 6
        x = rng.random((n, weeks, 3)).astype("float32")
        static = rng.normal(size=(n, 2)).astype("float32")
        duration, event = rng.integers(1, 5, n), rng.integers(0, 2, n)
        config = {"epochs": 2, "units": 4, "hidden": 4, "dropout": 0.0, "batch_size": 16, "linear_static": True}
        single = train.fit_survival([x, static], duration, event, 1.0, 4, seed=0, config=config)
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        mirrored = train.fit_survival([x, static], duration, event, 1.0, 4, seed=0, config=config, strategy=strategy)
        diff = max(float(np.abs(a - b).max()) for a, b in zip(single.get_weights(), mirrored.get_weights()))
        moved = max(float(np.abs(a - b).max()) for a, b in zip(train.fit_survival(
            [x, static], duration, event, 1.0, 4, seed=0, config={**config, "epochs": 1}).get_weights(), single.get_weights()))
        print(json.dumps({"replicas": strategy.num_replicas_in_sync, "max_weight_diff": diff, "moved": moved}))
    else:  # one strategy per process, as on the command line
        out = os.path.join(sys.argv[2], "m.keras")
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            main(["train", "--table", sys.argv[3], "--drop", "total_charges", "--epochs", "1", "--out", out,
                  "--distribute", "mirrored", "--json"])
        card = json.loads(printed.getvalue())
        keras.saving.load_model(out, safe_mode=True, compile=False)
        print(json.dumps({"distribute": card["distribute"], "c": card["metrics_on_training_data"]["gated"]["c_index"]}))
    """
)


def _run(*args):
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "CUDA_VISIBLE_DEVICES": "", "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", SCRIPT, *map(str, args)], capture_output=True, text=True, env=env,
                            cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_mirrored_training_on_two_logical_cpus_matches_one_device():
    report = _run("library")
    assert report["replicas"] == 2
    assert report["moved"] > 1e-3  # the second epoch changed the weights ...
    assert report["max_weight_diff"] < 1e-5  # ... and the training split over two replicas is the same training


def test_train_command_with_distribute_mirrored(tmp_path):
    table = tmp_path / "telco.csv"
    pd.read_csv(ROOT / "datasets" / "churn" / "telco_wa_churn.csv.gz", dtype=str,
                keep_default_na=False).iloc[:400].to_csv(table, index=False)
    report = _run("cli", tmp_path, table)
    assert report["distribute"] == "mirrored" and 0.5 < report["c"] <= 1.0
