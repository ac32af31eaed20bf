"""Beyond one machine, on one machine: ``train --distribute mirrored`` builds and trains inside
``tf.distribute.MirroredStrategy`` and gives the same model as one device.

The CPU is split into two logical devices (as Keras' own distribute tests do; that must happen before
TensorFlow starts, so the runs happen in a fresh interpreter), the ecology command line trains a global model
on a four-series panel with and without ``--distribute mirrored``, and the weights are compared.

Stated tolerance: after 5 epochs the largest weight difference is below 1e-3 (the weights are of order 1; the
replicas' float32 gradient all-reduce sums in another order than one device does), while a different seed
moves the weights by more than 100 times that.
"""

import json
import textwrap

import pytest

from product_kit import call, ecology_csv, script

TOLERANCE = 1e-3

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import numpy as np
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    import domains.ecology.__main__ as cli
    import domains.ecology.model  # noqa: F401  (registers the network's layers for loading)
    from domains.ecology.forecaster import GatedForecaster

    folder, *argv = sys.argv[1:]
    replicas = []
    fit_many = GatedForecaster.fit_many

    def spy(self, series, backup_dir=None, strategy=None):
        replicas.append(strategy.num_replicas_in_sync if strategy is not None else 1)
        return fit_many(self, series, backup_dir=backup_dir, strategy=strategy)

    GatedForecaster.fit_many = spy
    weights = {}
    for name, extra in [("one", []), ("mirrored", ["--distribute", "mirrored"]), ("seed1", ["--seed", "1"])]:
        out = os.path.join(folder, name + ".keras")
        cli.main([*argv, "--out", out, *extra])
        weights[name] = keras.saving.load_model(out, safe_mode=True, compile=False).get_weights()

    def diff(a, b):
        return max(float(np.abs(x - y).max()) for x, y in zip(weights[a], weights[b]))

    print(json.dumps({"replicas": replicas, "mirrored": diff("one", "mirrored"), "seed": diff("one", "seed1")}))
    """
)


def test_mirrored_training_on_two_logical_cpus_matches_one_device(tmp_path):
    rows = ecology_csv(30).splitlines()
    panel = tmp_path / "panel.csv"
    panel.write_text(rows[0] + "\n" + "".join(row.replace("lynx", name) + "\n" for name in "abcd" for row in rows[1:]))
    result = script(SCRIPT, tmp_path, "train", panel, "--global", "--units", 4, "--epochs", 5, "--ensemble", 1,
                    "--validation", 0, env={"KERAS_BACKEND": "tensorflow"}, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["replicas"] == [1, 2, 1]  # the mirrored run really ran on two replicas
    assert report["mirrored"] < TOLERANCE
    assert report["seed"] > 100 * TOLERANCE


@pytest.mark.parametrize("domain", ["genomics", "sentiment", "ecology", "churn"])
def test_every_train_command_takes_the_same_distribute_choices(capsys, domain):
    code, out, _ = call(capsys, domain, "train", "--help")
    assert code == 0
    assert "--distribute {none,mirrored}" in " ".join(out.split())
