"""Models, runner and command line of shared.tasks, on tiny budgets (T ~ 10, a few steps, 8 units)."""

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from shared.tasks import LAYERS, TASKS, RunConfig, build_task_model, run_task
from shared.tasks.runner import FreshBatches, epoch_plan

TINY = ["--units", "8", "--steps", "3", "--batch", "8", "--test-size", "16", "--verbose", "0"]
ENV = {**os.environ, "KERAS_BACKEND": "tensorflow", "MPLBACKEND": "Agg"}


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "shared.tasks", *args], capture_output=True, text=True, env=ENV, timeout=240
    )


@pytest.mark.parametrize(
    ("name", "output_shape"), [("adding", (3, 1)), ("copy", (3, 30, 10)), ("recall", (3, 8)), ("parity", (3, 2))]
)
def test_model_output_shapes(name, output_shape):
    task = TASKS[name]
    model = build_task_model(task, "lstm", 4, 10)
    x, _ = task.generate(3, 10, 0)
    assert tuple(model(x).shape) == output_shape
    if task.kind != "regression":
        np.testing.assert_allclose(np.asarray(model(x)).sum(-1), 1.0, rtol=1e-5)  # softmax


@pytest.mark.parametrize("layer", LAYERS)
def test_every_layer_builds_for_seq2seq_and_classification(layer):
    copy_model = build_task_model("copy", layer, 4, 5, order=3)
    assert tuple(copy_model(TASKS["copy"].generate(2, 5, 0)[0]).shape) == (2, 25, 10)
    assert copy_model.get_layer(layer).return_sequences
    if layer == "dense_temporal":
        assert copy_model.get_layer(layer).get_config()["order"] == 3
    parity_model = build_task_model("parity", layer, 4, 6)
    assert tuple(parity_model(TASKS["parity"].generate(2, 6, 0)[0]).shape) == (2, 2)


def test_gated_lstm_starts_from_chrono_time_scales():
    model = build_task_model("adding", "gated_lstm", 16, 50)
    bias = model.get_layer("gated_lstm").get_weights()[-1]
    b_input, b_forget = bias[:16], bias[16:32]
    assert np.all(b_forget >= 0.0) and np.all(b_forget <= np.log(49) + 1e-6)
    np.testing.assert_allclose(b_input, -b_forget)


def test_unknown_layer_is_rejected():
    with pytest.raises(ValueError, match="unknown layer"):
        build_task_model("adding", "transformer", 4, 10)


def test_fresh_batches_are_seeded_per_epoch_and_step():
    batches = FreshBatches(TASKS["adding"], 10, 4, 2, seed=3)
    first = batches[0][0]
    np.testing.assert_array_equal(first, FreshBatches(TASKS["adding"], 10, 4, 2, seed=3)[0][0])
    assert not np.array_equal(first, batches[1][0])
    batches.on_epoch_end()
    assert not np.array_equal(first, batches[0][0])
    assert epoch_plan(1000) == (10, 100) and epoch_plan(30) == (1, 30) and epoch_plan(250) == (3, 84)


def test_fit_never_draws_the_same_batch_twice():
    drawn = []

    class Recording(FreshBatches):
        def __getitem__(self, index):
            drawn.append((self.epoch, index))
            return super().__getitem__(index)

    model = build_task_model("adding", "simple_rnn", 4, 10)
    model.fit(Recording(TASKS["adding"], 10, 4, 3, seed=0), epochs=3, verbose=0)
    assert len(drawn) >= 9 and len(set(drawn)) == len(drawn)


def test_run_task_is_deterministic_for_a_seed():
    config = RunConfig(units=4, steps=2, batch=4, test_size=8)
    first = run_task("latch", 8, "simple_rnn", seed=7, config=config, verbose=0)
    again = run_task("latch", 8, "simple_rnn", seed=7, config=config, verbose=0)
    assert first["metric"] == again["metric"] and first["loss_curve"] == again["loss_curve"]
    assert first["baseline"] == 0.5 and first["steps"] == 2 and first["params"] == 4 * 4 + 4 * 1 + 4 + 4 * 2 + 2


KEYS = {"task", "T", "layer", "metric", "metric_name", "baseline", "solved", "seed", "steps", "units", "seconds"}


@pytest.mark.parametrize(
    ("task", "T", "layer"), [("adding", "12", "gated_lstm"), ("copy", "10", "lstm"), ("brackets", "10", "simple_rnn")]
)
def test_cli_json_last_line(task, T, layer):
    done = cli("--task", task, "--T", T, "--layer", layer, "--seed", "1", "--json", *TINY)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert KEYS <= result.keys()
    assert (result["task"], result["T"], result["layer"], result["units"]) == (task, int(T), layer, 8)
    assert result["baseline"] == pytest.approx(TASKS[task].baseline(int(T)))
    assert isinstance(result["solved"], bool) and np.isfinite(result["metric"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--task", "nope", "--T", "10", "--layer", "lstm"], "invalid choice"),
        (["--task", "adding", "--T", "10", "--layer", "transformer"], "invalid choice"),
        (["--task", "adding", "--T", "1", "--layer", "lstm"], "too small"),
        (["--task", "brackets", "--T", "9", "--layer", "lstm"], "even"),
        (["--task", "adding", "--sweep", "--layers", "lstm"], "--out"),
    ],
)
def test_cli_bad_arguments_exit_2_with_one_line(args, message):
    done = cli(*args)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and message in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_sweep_writes_csv_and_png(tmp_path):
    done = cli("--sweep", "--task", "parity", "--layers", "simple_rnn", "--Ts", "4", "6", "--out", str(tmp_path), *TINY)
    assert done.returncode == 0, done.stderr[-2000:]
    table = pd.read_csv(tmp_path / "sweep_parity.csv")
    assert table[["layer", "T"]].values.tolist() == [["simple_rnn", 4], ["simple_rnn", 6]]
    assert {"metric", "baseline", "solved"} <= set(table.columns)
    assert (tmp_path / "sweep_parity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
