"""Models, runner and command line of shared.tasks, on tiny budgets (T ~ 10, a few steps, 8 units)."""

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from shared.tasks import LAYERS, TASKS, RunConfig, build_task_model, run_sweep, run_task
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
    other = run_task("latch", 8, "simple_rnn", seed=8, config=config, verbose=0)
    assert other["loss_curve"] != first["loss_curve"]  # the seed is used
    assert first["baseline"] == 0.5 and first["steps"] == 2 and first["params"] == 4 * 4 + 4 * 1 + 4 + 4 * 2 + 2


@pytest.mark.parametrize(
    "field,value",
    [
        ("batch", 0),
        ("test_size", 0),
        ("units", -1),
        ("steps", 2.5),
        ("learning_rate", float("nan")),
        ("learning_rate", -0.01),
        ("clipnorm", 0.0),
        ("forget_bias", float("nan")),
    ],
)
def test_run_config_refuses_bad_values_naming_the_field(field, value):
    """Found before training, not as a generator error inside fit (batch 0), after training (test_size 0), or
    never (a NaN or negative learning rate trained to a NaN or exploding loss)."""
    with pytest.raises(ValueError, match=f"RunConfig: {field} must be"):
        RunConfig(**{field: value})
    if field not in ("batch", "test_size", "steps"):  # the model builder's own settings
        with pytest.raises(ValueError, match=f"build_task_model: {field} must be"):
            build_task_model("adding", "gated_lstm", **{"units": 2, "T": 10, field: value})
    with pytest.raises(TypeError, match="RunConfig"):
        run_task("adding", 4, "lstm", config={"units": 2})


@pytest.mark.parametrize("seed", [-1, 2**40, 1.5, "0", True])
def test_run_task_refuses_a_seed_keras_cannot_take(seed):
    """Found in review: a negative seed or one past 2**32 failed inside numpy, nine frames deep."""
    with pytest.raises(ValueError, match=r"seed must be a whole number from 0 to 2\*\*32 - 1"):
        run_task("adding", 4, "lstm", seed=seed, config=RunConfig(units=2, steps=1, batch=2, test_size=2))


def test_run_sweep_checks_layers_and_folder_before_any_run(tmp_path):
    tiny = RunConfig(units=2, steps=1, batch=2, test_size=2)
    runs = []
    with pytest.raises(ValueError, match="unknown layer 'transformer'"):
        run_sweep("adding", ["lstm", "transformer"], [4], tmp_path / "a", config=tiny, verbose=0, on_result=runs.append)
    (tmp_path / "taken").write_text("a file")
    with pytest.raises(ValueError, match="not a folder"):
        run_sweep("adding", ["lstm"], [4], tmp_path / "taken", config=tiny, verbose=0, on_result=runs.append)
    with pytest.raises(ValueError, match="at least one layer"):
        run_sweep("adding", [], [4], tmp_path / "b", config=tiny, verbose=0, on_result=runs.append)
    assert runs == [] and not (tmp_path / "a" / "sweep_adding.csv").exists()


KEYS = {"task", "T", "layer", "metric", "metric_name", "baseline", "solved", "seed", "steps", "units", "seconds",
        "clipnorm", "order", "forget_bias"}
#: The forget-gate bias each layer of the JSON test starts from by default (simple_rnn has no forget gate).
DEFAULT_FORGET_BIAS = {"gated_lstm": "chrono", "lstm": 1.0, "simple_rnn": None}


@pytest.mark.parametrize(
    ("task", "T", "layer", "verbose"),
    [("adding", "12", "gated_lstm", "1"), ("copy", "10", "lstm", "0"), ("brackets", "10", "simple_rnn", "0")],
)
def test_cli_json_is_all_of_stdout(task, T, layer, verbose):
    """With --json, stdout is the JSON object alone: Keras' progress (verbose 1) and the summary go to stderr."""
    done = cli("--task", task, "--T", T, "--layer", layer, "--seed", "1", "--json", *TINY, "--verbose", verbose)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert f"{task} T={T} {layer}: test" in done.stderr
    assert KEYS <= result.keys()
    assert (result["task"], result["T"], result["layer"], result["units"]) == (task, int(T), layer, 8)
    assert result["baseline"] == pytest.approx(TASKS[task].baseline(int(T)))
    assert isinstance(result["solved"], bool) and np.isfinite(result["metric"])
    assert result["forget_bias"] == DEFAULT_FORGET_BIAS[layer] and result["clipnorm"] == 1.0
    assert result["order"] is None  # only dense_temporal has one


def test_run_records_clipnorm_order_and_forget_bias(capsys):
    """A --forget-bias 1 --clipnorm 5 run used to look like a default one in its JSON and in the sweep CSV."""
    from shared.tasks.__main__ import main

    assert main(["--task", "adding", "--T", "4", "--layer", "gated_gru", "--forget-bias", "1", "--clipnorm", "5",
                 *TINY, "--steps", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["forget_bias"], result["clipnorm"], result["order"]) == (1.0, 5.0, None)
    config = RunConfig(units=2, steps=1, batch=2, test_size=2, order=3, clipnorm=2.0)
    result = run_task("adding", 4, "dense_temporal", config=config, verbose=0)
    assert (result["forget_bias"], result["clipnorm"], result["order"]) == (None, 2.0, 3)


def test_initial_forget_bias_is_what_the_built_layer_starts_from():
    from shared.tasks.models import initial_forget_bias

    assert [initial_forget_bias(layer) for layer in LAYERS] == ["chrono", "chrono", None, 1.0, None, None]
    assert initial_forget_bias("gated_gru", -2.0) == -2.0
    lstm = build_task_model("adding", "lstm", 3, 10).get_layer("lstm")
    assert lstm.unit_forget_bias and np.all(lstm.get_weights()[-1][3:6] == 1.0)  # gate order i, f, c, o
    gated = build_task_model("adding", "gated_lstm", 3, 10, forget_bias=2.5).get_layer("gated_lstm")
    np.testing.assert_allclose(gated.get_weights()[-1][3:6], 2.5)
    with pytest.raises(ValueError, match="forget_bias applies to gated_lstm and gated_gru only"):
        initial_forget_bias("lstm", 1.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--task", "nope", "--T", "10", "--layer", "lstm"], "invalid choice"),
        (["--task", "adding", "--T", "10", "--layer", "transformer"], "invalid choice"),
        (["--task", "adding", "--T", "1", "--layer", "lstm"], "too small"),
        (["--task", "brackets", "--T", "9", "--layer", "lstm"], "even"),
        (["--task", "adding", "--sweep", "--layers", "lstm"], "--out"),
        # options of the other mode were ignored without a word (a sweep given --T 10 ran its default lengths)
        (["--task", "latch", "--sweep", "--layers", "lstm", "--out", "x", "--T", "10"], "--T and --layer are for a"),
        (["--task", "latch", "--sweep", "--layers", "lstm", "--out", "x", "--layer", "lstm"], "--T and --layer"),
        (["--task", "latch", "--T", "10", "--layer", "lstm", "--Ts", "20"], "are for a sweep (add --sweep)"),
        (["--task", "latch", "--T", "10", "--layer", "lstm", "--out", "x"], "are for a sweep (add --sweep)"),
        (["--task", "latch", "--T", "3", "--layer", "lstm", *TINY], "--T: T=3 is too small for task 'latch'"),
        (["--task", "adding", "--sweep", "--layers", "lstm", "--Ts", "8", "1", "--out", "x"], "--Ts: T=1"),
        (["--task", "adding", "--T", "8", "--layer", "gated_lstm", "--forget-bias", "nan", *TINY], "--forget-bias"),
        (["--task", "adding", "--T", "8", "--layer", "lstm", "--seed", str(2**32), *TINY], "--seed"),
        # the same words for a word as for inf, not argparse's "invalid forget_bias_arg value"
        (["--task", "adding", "--T", "8", "--layer", "gated_lstm", "--forget-bias", "abc"],
         "--forget-bias: must be 'chrono' or a finite number, got abc"),
        (["--task", "adding", "--T", "8", "--layer", "gated_lstm", "--forget-bias", "1e400"],
         "--forget-bias: must be 'chrono' or a finite number, got 1e400"),
        # a test set or batch too large to hold: refused before training, not a MemoryError after it
        (["--task", "adding", "--T", "1000", "--layer", "simple_rnn", *TINY, "--test-size", "100000000"],
         "--test-size: 100000000 sequences of 1000 steps x 2 inputs are 200,000,000,000 values"),
        (["--task", "copy", "--T", "30000", "--layer", "lstm", "--test-size", "1000"],
         "--test-size: 1000 sequences of 30020 steps x 10 inputs"),
        (["--task", "adding", "--sweep", "--layers", "lstm", "--Ts", "10", "100000", "--out", "x", "--batch", "2000"],
         "--batch: 2000 sequences of 100000 steps x 2 inputs"),
    ],
)
def test_cli_bad_arguments_exit_2_with_one_line(args, message):
    done = cli(*args)
    assert done.returncode == 2, done.stderr[-2000:]
    assert len(done.stderr.splitlines()) == 1 and message in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_json_of_a_diverged_run_is_standard_json(capsys):
    """A run whose loss overflows has a NaN metric: --json writes null, not the NaN that JSON parsers refuse."""
    from shared.tasks.__main__ import main

    assert main(["--task", "adding", "--T", "4", "--layer", "lstm", "--lr", "1e38", "--clipnorm", "1e38", *TINY,
                 "--json"]) == 0

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    result = json.loads(capsys.readouterr().out, parse_constant=refuse)
    assert result["metric"] is None and result["loss_curve"] == [None] and result["solved"] is False


def test_cli_json_of_a_diverged_classification_run_is_null_not_chance(capsys):
    """A classification run whose softmax went NaN used to report accuracy 0.5, the chance rate."""
    from shared.tasks.__main__ import main

    assert main(["--task", "palindrome", "--T", "3", "--layer", "leaky", *TINY, "--steps", "5", "--lr", "1e30",
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["loss_curve"] == [None] and result["metric"] is None and result["solved"] is False


def test_cli_sweep_folder_that_cannot_be_made_exits_2_before_training(tmp_path):
    (tmp_path / "taken").write_text("a file")
    out = tmp_path / "taken" / "sub"
    done = cli("--sweep", "--task", "adding", "--layers", "lstm", "--Ts", "4", "--out", str(out), *TINY)
    assert done.returncode == 2 and done.stderr.splitlines() == [f"error: {out}: Not a directory"]


def test_cli_internal_error_exits_1_with_one_line():
    """A failure that is not the user's (here injected into the runner) is one ``internal error`` line, exit 1."""
    inject = (
        "import runpy, sys, types; runner = types.ModuleType('shared.tasks.runner'); "
        "runner.describe = runner.run_task = lambda *a, **k: 1 / 0; sys.modules['shared.tasks.runner'] = runner; "
        "runpy.run_module('shared.tasks', run_name='__main__')"
    )
    done = subprocess.run(
        [sys.executable, "-c", inject, "--task", "adding", "--T", "4", "--layer", "lstm"],
        capture_output=True, text=True, env=ENV, timeout=240,
    )
    assert done.returncode == 1 and done.stderr.splitlines() == ["internal error: ZeroDivisionError: division by zero"]


def test_cli_help_shows_examples():
    done = cli("--help")
    assert done.returncode == 0
    assert "examples:" in done.stdout and "python -m shared.tasks --task adding --T 200" in done.stdout
    text = " ".join(done.stdout.split())  # argparse wraps the help
    assert "sweep layers: gated_lstm, gated_gru, simple_rnn, lstm, leaky, dense_temporal" in text
    assert "('gated_lstm'" not in done.stdout  # not the tuple's repr


def test_cli_sweep_writes_csv_and_png(tmp_path):
    done = cli("--sweep", "--task", "parity", "--layers", "simple_rnn", "--Ts", "4", "6", "--out", str(tmp_path), *TINY)
    assert done.returncode == 0, done.stderr[-2000:]
    table = pd.read_csv(tmp_path / "sweep_parity.csv")
    assert table[["layer", "T"]].values.tolist() == [["simple_rnn", 4], ["simple_rnn", 6]]
    assert {"metric", "baseline", "solved"} <= set(table.columns)
    assert (tmp_path / "sweep_parity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_sweep_leaves_the_callers_backend_and_figures_alone(tmp_path):
    code = (
        "import sys, matplotlib; matplotlib.use('svg'); import matplotlib.pyplot as plt, pandas as pd; "
        "from shared.tasks.sweep import plot_sweep; "
        "plot_sweep(pd.DataFrame({'task': 'adding', 'layer': 'lstm', 'T': [10, 20], 'metric': [0.1, 0.2]}), sys.argv[1]); "
        "print(matplotlib.get_backend(), plt.get_fignums())"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "s.png")], capture_output=True, text=True,
                          env=ENV, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[-2] == "svg []"  # a notebook's backend is not switched, no figure is left open
    assert (tmp_path / "s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_sweep_json_keeps_full_precision_and_a_repeated_value_runs_once(capsys, tmp_path):
    """Found in review: the sweep's --json went through pandas' ``to_json``, which keeps 10 significant digits
    (a baseline of 0.1666666667), so it differed from the CSV and the single run's --json; and ``--layers lstm
    lstm --Ts 4 4`` trained the same run four times."""
    from shared.tasks.__main__ import main

    out = tmp_path / "sweep"
    assert main(["--sweep", "--task", "adding", "--layers", "lstm", "lstm", "--Ts", "4", "4", "--out", str(out),
                 *TINY, "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert len(runs) == 1
    run = runs[0]
    row = pd.read_csv(out / "sweep_adding.csv", float_precision="round_trip").iloc[0]
    assert (run["baseline"], run["metric"], run["T"]) == (row["baseline"], row["metric"], row["T"])
