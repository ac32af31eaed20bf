"""``python -m domains.ecology``: exit codes and one-line errors in a subprocess; outputs, --json keys and
the train -> forecast round trip in-process through ``shared.cli.run`` (the same exit-code path)."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from domains.ecology.__main__ import main
from domains.ecology.data import load_series
from domains.ecology.distributions import GaussianForecast
from shared.backups import STAMP
from shared.cli import run
from shared.data_paths import bundled

ROOT = Path(__file__).resolve().parents[3]
TINY = ["--units", "4", "--epochs", "2"]


def cli(*args):
    """Runs the command in a fresh interpreter: ``(returncode, stdout, stderr)``."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, "-m", "domains.ecology", *map(str, args)], capture_output=True,
                            text=True, cwd=ROOT, env=env, timeout=300)
    return result.returncode, result.stdout, result.stderr


def call(capsys, *args):
    """Runs the command in-process: ``(exit code, stdout, stderr)``."""
    with pytest.raises(SystemExit) as exited:
        run(main, [str(a) for a in args])
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def test_subprocess_exit_codes(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("series_id,time,value\na,1,3\na,2,x\n")
    code, _, err = cli("evaluate", bad)
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1] == f"error: {bad}: line 3, column 'value': 'x' is not a number"
    code, out, _ = cli("evaluate", bundled("ecology", "lynx.csv"), "--protocol", "zhang2003", "--json", *TINY)
    assert code == 0 and list(json.loads(out))[0] == "gated"


def test_help_shows_examples(capsys):
    for command in ("forecast", "train", "evaluate"):
        code, out, _ = call(capsys, command, "--help")
        assert code == 0 and "example" in out and "python -m domains.ecology" in out


def test_bad_input_is_one_line_exit_2(capsys, tmp_path):
    code, _, err = call(capsys, "forecast", tmp_path / "none.csv")
    assert code == 2 and "none.csv" in err and len(err.strip().splitlines()) == 1
    for command in ("forecast", "train"):  # found in audit: train took --horizon 50, which nothing could use
        code, _, err = call(capsys, command, bundled("ecology", "lynx.csv"), "--horizon", "11", "--out", "m.keras")
        assert code == 2 and err == "error: --horizon must be between 1 and 10, not 11\n"
    code, _, err = call(capsys, "evaluate", bundled("ecology", "lynx.csv"), "--protocol", "zhang2003",
                        "--train-end", "1960", *TINY)
    assert code == 2 and "after it" in err
    code, _, err = call(capsys, "evaluate", bundled("ecology", "lynx.csv"), "--ar-order", "-1", *TINY)
    assert code == 2 and "--ar-order" in err and len(err.strip().splitlines()) == 1


def test_zhang_json_is_keyed_by_model_with_gated_first(capsys):
    code, out, err = call(capsys, "evaluate", bundled("ecology", "lynx.csv"), "--protocol", "zhang2003",
                          "--train-end", "1920", "--json", *TINY)
    assert code == 0, err
    payload = json.loads(out)
    assert list(payload)[0] == "gated" and {"naive", "ar2", "ricker", "theta_logistic"} <= set(payload)
    assert set(payload["gated"]) == {"mse", "mae", "mase", "crps", "coverage80", "coverage95"}
    assert payload["ar2"]["mse"] == pytest.approx(0.0176, abs=1e-4)


def test_forecast_writes_table_and_fan_chart_and_refuses_overwrite(capsys, tmp_path):
    out, png = tmp_path / "f.csv", tmp_path / "fan.png"
    args = ["forecast", bundled("ecology", "lynx.csv"), "--series", "lynx", "--horizon", "5", "--out", out,
            "--plot", png, *TINY]
    code, _, err = call(capsys, *args)
    assert code == 0, err
    table = pd.read_csv(out)
    assert len(table) == 5 and table.time.tolist() == [1935, 1936, 1937, 1938, 1939]
    bounds = table[["lower95", "lower80", "median", "upper80", "upper95"]].to_numpy()
    assert (np.diff(bounds, axis=1) > 0).all() and png.read_bytes()[:4] == b"\x89PNG"
    # the bounds are the Gaussian's on the log scale (its mean and sd are written too), in lynx counts
    lynx = load_series(bundled("ecology", "lynx.csv"))["lynx"]
    gaussian = GaussianForecast(table["log_mean"].to_numpy(), table["log_sd"].to_numpy())
    (low95, high95), (low80, high80) = gaussian.interval(0.95), gaussian.interval(0.8)
    expected = np.stack([low95, low80, gaussian.mean, high80, high95], axis=1)
    np.testing.assert_allclose(bounds, lynx.to_original(expected), rtol=1e-4)
    code, _, err = call(capsys, *args)
    assert code == 2 and "already exists" in err


def test_fan_chart_draws_on_a_given_axis_and_leaves_the_backend_to_the_caller(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    from domains.ecology.plot import fan_chart

    table = pd.DataFrame({"time": [5, 6], "median": [3.0, 4.0], "lower95": [1.0, 1.5], "lower80": [2.0, 2.5],
                          "upper80": [4.0, 6.0], "upper95": [5.0, 8.0]})
    monkeypatch.chdir(tmp_path)
    figure, axis = plt.subplots()
    assert fan_chart([1, 2, 3, 4], [2.0, 3.0, 2.5, 3.5], table, ax=axis, title="t") is axis
    assert len(axis.lines) == 2 and len(axis.collections) == 2 and axis.get_title() == "t"
    assert plt.fignum_exists(figure.number) and list(tmp_path.iterdir()) == []  # no path: nothing written
    assert axis.get_yscale() == "log"
    plt.close(figure)
    # found in review: a series held on its own scale (negative values) lost them on the log axis
    figure, axis = plt.subplots()
    fan_chart([1, 2, 3, 4], [-2.0, 3.0, -2.5, 0.5], table - [0, 4, 4, 4, 4, 4], ax=axis, log_axis=False)
    assert axis.get_yscale() == "linear" and axis.get_ylabel() == "value" and axis.get_ylim()[0] < -2.5
    plt.close(figure)
    # importing the module must not switch a notebook's backend (the command line picks Agg itself)
    code = "import matplotlib; matplotlib.use('svg'); import domains.ecology.plot; print(matplotlib.get_backend())"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "svg"


def test_forecast_of_a_monthly_series_writes_months(capsys, tmp_path):
    data = tmp_path / "monthly.csv"
    rows = [f"m,{1930 + i // 12}-{i % 12 + 1:02d},{10 + (i % 12)}" for i in range(40)]
    data.write_text("series_id,time,value\n" + "\n".join(rows) + "\n")
    code, out, err = call(capsys, "forecast", data, "--series", "m", "--horizon", "3", "--json", *TINY)
    assert code == 0, err
    assert [row["time"] for row in json.loads(out)["forecast"]] == ["1933-05", "1933-06", "1933-07"]



def test_train_end_may_be_written_as_a_month_or_date_for_a_series_written_so(capsys, tmp_path):
    data = tmp_path / "monthly.csv"
    rows = [f"m,{1930 + i // 12}-{i % 12 + 1:02d},{10 + (i % 12)}" for i in range(40)]
    data.write_text("series_id,time,value\n" + "\n".join(rows) + "\n")
    scores = {}
    for end in ("1932-12", "1932-12-31", str(1932 + 11 / 12)):  # the same 36 months: the same fit and scores
        code, out, err = call(capsys, "evaluate", data, "--protocol", "zhang2003", "--train-end", end, "--json",
                              "--seed", "0", *TINY)
        assert code == 0, err
        scores[end] = json.loads(out)
    assert scores["1932-12"] == scores["1932-12-31"] == scores[str(1932 + 11 / 12)]
    code, _, err = call(capsys, "evaluate", data, "--protocol", "zhang2003", "--train-end", "1930-06", *TINY)
    assert code == 2 and "need at least 10 values up to 1930-06 and at least one after it (found 6 and 34)" in err
    # found in review: a flat training part gave "internal error: KeyError: 'mase'" (exit 1)
    flat = tmp_path / "flat.csv"
    flat.write_text("series_id,time,value\n" + "\n".join(f"f,{1900 + i},{5 if i < 15 else 5 + i}" for i in range(20)))
    code, _, err = call(capsys, "evaluate", flat, "--protocol", "zhang2003", "--train-end", "1914", "--model", "gpdd",
                        "--baselines", "naive")
    assert (code, err.strip()) == (2, f"error: {flat}: series 'f': its values up to 1914 do not change, so MASE, "
                                      "scaled by their mean absolute step, is undefined")
    model = tmp_path / "m.keras"
    code, _, err = call(capsys, "train", data, "--train-end", "1932-06", "--out", model, "--seed", "0", *TINY)
    assert code == 0, err
    assert json.loads(model.with_suffix(".json").read_text())["train_end"] == "1932-06"
    code, _, err = call(capsys, "train", bundled("ecology", "lynx.csv"), "--train-end", "1920-06", "--out",
                        tmp_path / "l.keras", *TINY)
    assert code == 2 and len(err.splitlines()) == 1
    assert "--train-end '1920-06' is a month, but series 'lynx' writes its times as numbers" in err
    code, _, err = call(capsys, "train", data, "--train-end", "1932-13", "--out", tmp_path / "x.keras", *TINY)
    assert code == 2 and "'1932-13' is neither a number, a YYYY-MM month nor a YYYY-MM-DD date" in err

def test_a_weekly_series_with_a_covariate_is_forecast_and_evaluated_in_dates(capsys, tmp_path):
    data = tmp_path / "weekly.csv"
    weeks = pd.date_range("2003-03-05", periods=60, freq="7D")
    rows = [f"w,{t.date()},{10 + (i % 9) * 3},{i % 9}" for i, t in enumerate(weeks)]
    data.write_text("series_id,time,value,temp\n" + "\n".join(rows) + "\n")
    code, out, err = call(capsys, "forecast", data, "--series", "w", "--horizon", "2", "--covariates", "temp",
                          "--json", "--plot", tmp_path / "fan.png", *TINY)
    assert code == 0, err
    assert [row["time"] for row in json.loads(out)["forecast"]] == ["2004-04-28", "2004-05-05"]
    assert (tmp_path / "fan.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # drawn on a date axis
    code, out, err = call(capsys, "evaluate", data, "--covariates", "temp", "--horizon", "2", "--json", *TINY)
    assert code == 0, err
    assert 0 < json.loads(out)["gated"]["mase"] < float("inf")


def test_train_then_forecast_with_the_saved_model(capsys, tmp_path):
    panel = tmp_path / "panel.csv"
    rows = [f"{s},{t},{(t % 7 + 1) * (10 if s == 'a' else 3)},{t % 3}" for s in "ab" for t in range(30)]
    panel.write_text("series_id,time,value,temp\n" + "\n".join(rows) + "\n")
    model = tmp_path / "m.keras"
    code, _, err = call(capsys, "train", panel, "--out", model, *TINY)
    assert code == 2 and "--global" in err
    code, _, err = call(capsys, "train", panel, "--global", "--covariates", "temp", "--out", model, "--seed", "0", *TINY)
    assert code == 0, err
    card = json.loads(model.with_suffix(".json").read_text())
    assert card["seed"] == 0 and card["series"] == 2 and card["covariates"] == ["temp"]
    with_them, without = card["covariate_errors"]  # trained both ways, scored on the held-out steps
    assert card["reads_covariates"] == (with_them <= without) and ("leaves the covariates temp out" in err) == (
        without < with_them)
    assert not model.with_suffix(".backup").exists()  # both candidates' checkpoints cleared
    code, out, err = call(capsys, "forecast", panel, "--series", "b", "--model", model, "--covariates", "temp",
                          "--horizon", "3")
    assert code == 0, err
    assert len(pd.read_csv(io.StringIO(out))) == 3
    code, _, err = call(capsys, "forecast", panel, "--series", "b", "--model", model)
    assert code == 2 and "covariate" in err


def test_rolling_json_with_covariates(capsys, tmp_path):
    panel = tmp_path / "panel.csv"
    rows = [f"{s},{t},{(t % 9 + 2) * (5 if s == 'a' else 2)},{(t * 7) % 5}" for s in "ab" for t in range(40)]
    panel.write_text("series_id,time,value,rain\n" + "\n".join(rows) + "\n")
    code, out, err = call(capsys, "evaluate", panel, "--protocol", "rolling", "--covariates", "rain", "--json", *TINY)
    assert code == 0, err
    payload = json.loads(out)
    assert payload["naive"]["relative_mase"] == 1
    assert {"mase", "smape", "crps", "coverage80", "coverage95"} <= set(payload["gated"])


def test_shared_options_json_out_and_force(capsys, tmp_path):
    panel = tmp_path / "panel.csv"
    rows = [f"{s},{t},{(t % 9 + 2) * (5 if s == 'a' else 2)}" for s in "ab" for t in range(40)]
    panel.write_text("series_id,time,value\n" + "\n".join(rows) + "\n")
    model = tmp_path / "m.keras"
    code, out, err = call(capsys, "train", panel, "--global", "--out", model, "--seed", "3", "--json",
                          "--ensemble", "1", *TINY)
    assert code == 0, err
    assert json.loads(out)["seed"] == 3 and not model.with_suffix(".backup").exists()
    code, out, err = call(capsys, "forecast", panel, "--series", "a", "--model", model, "--horizon", "2", "--json")
    assert code == 0, err
    assert [row["time"] for row in json.loads(out)["forecast"]] == [40, 41]
    scores = tmp_path / "scores.json"
    args = ["evaluate", panel, "--model", model, "--out", scores, "--json"]
    code, out, err = call(capsys, *args)
    assert code == 0, err
    assert json.loads(scores.read_text()) == json.loads(out) and list(json.loads(out))[0] == "gated"
    code, _, err = call(capsys, *args)
    assert code == 2 and "already exists" in err
    assert call(capsys, *args, "--force")[0] == 0


def test_evaluate_out_dash_prints_the_json_object_out_writes(capsys, tmp_path, monkeypatch):
    """Found in audit: ``evaluate --out -`` without ``--json`` printed the text table, where ``--out`` is "also write
    the JSON object to this file" (``forecast --out -`` prints the CSV its ``--out`` writes)."""
    monkeypatch.chdir(tmp_path)
    panel = tmp_path / "panel.csv"
    rows = [f"{s},{t},{(t % 9 + 2) * (5 if s == 'a' else 2)}" for s in "ab" for t in range(40)]
    panel.write_text("series_id,time,value\n" + "\n".join(rows) + "\n")
    args = ["evaluate", panel, "--model", "gpdd", "--baselines", "naive"]
    code, out, err = call(capsys, *args, "--out", "scores.json")
    assert code == 0, err
    written = json.loads((tmp_path / "scores.json").read_text())
    for extra in ([], ["--json"]):
        code, out, err = call(capsys, *args, "--out", "-", *extra)
        assert code == 0 and err == "", err
        assert json.loads(out) == written
    assert sorted(path.name for path in tmp_path.iterdir()) == ["panel.csv", "scores.json"]  # no file named "-"


def test_residual_option_overrides_the_per_series_default():
    from domains.ecology.__main__ import _forecaster, _parser

    default = _forecaster(_parser().parse_args(["forecast", "lynx.csv"]), 10, global_model=False)
    weighted = _forecaster(_parser().parse_args(["forecast", "lynx.csv", "--residual", "weighted"]), 10,
                           global_model=False)
    assert (default.residual, weighted.residual) == ("none", "weighted")
    assert _forecaster(_parser().parse_args(["train", "panel.csv", "--global", "--out", "m.keras"]), 10, global_model=True).residual \
        == "weighted"



def test_threshold_delay_option_overrides_both_defaults():
    from domains.ecology.__main__ import _forecaster, _parser

    one, linear = (_forecaster(_parser().parse_args(["forecast", "lynx.csv", *extra]), 10, global_model=False)
                   for extra in ([], ["--threshold-delay", "0"]))
    assert (one.threshold_delay, linear.threshold_delay) == (1, 0)
    args = ["train", "panel.csv", "--global", "--out", "m.keras"]
    default, two = (_forecaster(_parser().parse_args([*args, *extra]), 10, global_model=True)
                    for extra in ([], ["--threshold-delay", "2"]))
    assert (default.threshold_delay, two.threshold_delay) == (0, 2)


def test_backup_dir_holds_the_checkpoints_and_keeps_what_else_is_there(capsys, tmp_path):
    """A named checkpoint folder may hold the user's files: another run's checkpoints there are cleared before
    training, and the run's own when it ends; the user's file stays, and no OUT.backup is made."""
    panel = tmp_path / "panel.csv"
    rows = [f"{s},{t},{(t % 7 + 1) * (10 if s == 'a' else 3)}" for s in "ab" for t in range(30)]
    panel.write_text("series_id,time,value\n" + "\n".join(rows) + "\n")
    folder = tmp_path / "checkpoints"
    (folder / "member0").mkdir(parents=True)
    (folder / "member0" / "training_metadata.json").write_text("{not json")  # another run's, broken
    (folder / STAMP).write_text(json.dumps({"argv": ["another", "run"], "data_sha256": "0" * 64}))
    (folder / "notes.txt").write_text("mine")
    (folder / "members.csv").write_text("mine too")  # found in audit: the pattern member* removed it
    model = tmp_path / "m.keras"
    code, _, err = call(capsys, "train", panel, "--global", "--out", model, "--backup-dir", folder, "--seed", "0",
                        *TINY)
    assert code == 0, err
    assert sorted(path.name for path in folder.iterdir()) == ["members.csv", "notes.txt"]
    assert not model.with_suffix(".backup").exists()

def test_keep_covariates_switches_the_global_selection_off():
    from domains.ecology.__main__ import _forecaster, _parser

    default = _forecaster(_parser().parse_args(["evaluate", "panel.csv"]), 10, global_model=True)
    kept = _forecaster(_parser().parse_args(["evaluate", "panel.csv", "--keep-covariates"]), 10, global_model=True)
    assert default.select_covariates and not kept.select_covariates


def test_covariate_names_are_stripped_as_the_header_names_are():
    """Found in audit: ``--covariates " Temp Max "``, copied from the header cell, was refused (no column)."""
    from domains.ecology.__main__ import _parser

    assert _parser().parse_args(["evaluate", "p.csv", "--covariates", " Temp Max ", "rain"]).covariates == [
        "Temp Max", "rain"]


def test_explicit_epochs_switch_the_step_floor_off():
    from domains.ecology.__main__ import _forecaster, _parser

    default = _forecaster(_parser().parse_args(["evaluate", "panel.csv"]), 10, global_model=True)
    explicit = _forecaster(_parser().parse_args(["evaluate", "panel.csv", "--epochs", "2"]), 10, global_model=True)
    assert default.min_steps > 0 and (explicit.epochs, explicit.min_steps) == (2, 0)


def test_bad_input_is_exactly_one_stderr_line_before_tensorflow(tmp_path):
    """Without TF_CPP_MIN_LOG_LEVEL: the data and options are checked before TensorFlow (whose import logs
    lines of its own) is imported, so the error is the only line."""
    dup = tmp_path / "dup.csv"
    dup.write_text("series_id,time,value,temp\na,1,3,0\na,1,4,1\na,2,5,0\n")
    env = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    cases = [["evaluate", dup], ["evaluate", dup, "--protocol", "zhang2003"], ["evaluate", tmp_path / "none.csv"],
             ["forecast", bundled("ecology", "lynx.csv"), "--model", "gpdd", "--covariates", "temp"],
             ["evaluate", bundled("ecology", "lynx.csv"), "--horizon", "0"]]
    for args in cases:
        result = subprocess.run([sys.executable, "-m", "domains.ecology", *map(str, args)], capture_output=True,
                                text=True, cwd=ROOT, env=env, timeout=300)
        assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, (args, result.stderr)
        assert result.stderr.startswith("error: ")


def test_evaluate_horizon_range_and_internal_errors_are_not_blamed_on_the_file(capsys, monkeypatch):
    lynx = bundled("ecology", "lynx.csv")
    for horizon in ("0", "-2", "11"):
        code, _, err = call(capsys, "evaluate", lynx, "--horizon", horizon, *TINY)
        assert code == 2 and err.strip() == f"error: --horizon must be between 1 and 10, not {horizon}"
    from domains.ecology.forecaster import GatedForecaster

    def broken(self, series, **kwargs):
        raise ValueError("negative dimensions are not allowed")

    monkeypatch.setattr(GatedForecaster, "fit_many", broken)
    code, _, err = call(capsys, "evaluate", lynx, *TINY)
    assert code == 1 and err.startswith("internal error: ValueError") and str(lynx) not in err


def test_forecast_plot_format_follows_the_suffix_and_out_must_be_a_file(capsys, tmp_path):
    lynx = bundled("ecology", "lynx.csv")
    for name, magic in (("fan.pdf", b"%PDF"), ("fan.svg", b"<?xml")):
        code, _, err = call(capsys, "forecast", lynx, "--model", "lynx", "--horizon", "3", "--plot", tmp_path / name,
                            "--out", tmp_path / f"{name}.csv")
        assert code == 0, err
        assert (tmp_path / name).read_bytes()[:len(magic)] == magic
    code, _, err = call(capsys, "forecast", lynx, "--plot", tmp_path / "fan.docx", *TINY)
    assert code == 2 and "fan.docx" in err and ".png" in err and not (tmp_path / "fan.docx").exists()
    folder = f"{tmp_path / 'outdir'}/"
    code, _, err = call(capsys, "forecast", lynx, "--out", folder, *TINY)
    assert code == 2 and err.strip() == f"error: {folder}: names a folder (it ends in /); give a file name to write"
    code, _, err = call(capsys, "forecast", lynx, "--out", tmp_path, *TINY)
    assert code == 2 and str(tmp_path) in err and "directory" in err


@pytest.mark.parametrize("left_out, rows, why", [
    ("short", [f"short,{t},{t % 5 + 2}" for t in range(15)], "fewer than 20 values, too short for the rolling origin"),
    ("flat", [f"flat,{t},{3 if t < 50 else 3 + t % 4}" for t in range(60)],
     "flat before every origin, so MASE is undefined"),
])
def test_rolling_leaves_out_and_names_a_series_it_cannot_score(capsys, tmp_path, left_out, rows, why):
    panel = tmp_path / "panel.csv"
    rows = [f"moving,{t},{t % 9 + 2}" for t in range(60)] + rows
    panel.write_text("series_id,time,value\n" + "\n".join(rows) + "\n")
    code, out, err = call(capsys, "evaluate", panel, "--model", "gpdd", "--json")
    assert code == 0, err
    assert json.loads(out)["gated"]["series"] == 1
    assert err.strip() == f"warning: {panel}: 1 of 2 series not scored ({why}): '{left_out}'"


def test_rolling_refuses_a_file_with_no_series_long_enough(capsys, tmp_path):
    panel = tmp_path / "panel.csv"
    panel.write_text("series_id,time,value\n" + "\n".join(f"short,{t},{t % 5 + 2}" for t in range(15)) + "\n")
    code, _, err = call(capsys, "evaluate", panel, "--model", "gpdd", "--json")
    assert code == 2 and err.strip() == f"error: {panel}: series 'short' has 15 values; the rolling origin needs " \
                                        "at least 20"


def test_rolling_refuses_a_file_whose_long_series_are_all_flat(capsys, tmp_path):
    """Found by hand: a constant series alone went through training and then failed with an internal KeyError."""
    panel = tmp_path / "panel.csv"
    rows = [f"flat,{t},{3 if t < 50 else 3 + t % 4}" for t in range(60)] + [f"short,{t},{t % 5 + 2}" for t in range(15)]
    panel.write_text("series_id,time,value\n" + "\n".join(rows) + "\n")
    for model in (("--model", "gpdd"), TINY):
        code, out, err = call(capsys, "evaluate", panel, *model, "--json")
        assert (code, out) == (2, "")
        assert err.strip() == (f"error: {panel}: series 'flat' is flat before every rolling origin (its values do not "
                               "change), so MASE, scaled by the naive error, is undefined; no series can be scored")


@pytest.mark.parametrize("covariates", [["value"], ["time"], ["series_id"], ["temp", "temp"]])
def test_a_covariate_named_like_a_required_column_or_twice_is_one_line_exit_2(capsys, tmp_path, covariates):
    """Found by review: these ended in exit 1, "internal error: AttributeError: Can only use .str accessor"."""
    panel = tmp_path / "panel.csv"
    panel.write_text("series_id,time,value,temp\n" + "\n".join(f"a,{t},{t % 9 + 2},{t % 4}" for t in range(40)) + "\n")
    code, out, err = call(capsys, "evaluate", panel, "--covariates", *covariates, *TINY)
    assert (code, out) == (2, "") and len(err.strip().splitlines()) == 1
    assert err.startswith(f"error: {panel}: ") and repr(covariates[0]) in err


def test_rolling_leaves_out_a_series_the_loader_refuses_and_still_refuses_it_alone(capsys, tmp_path):
    panel = tmp_path / "panel.csv"
    rows = ([f"moving,{t},{t % 9 + 2}" for t in range(60)] + [f"zeros,{t},0" for t in range(60)]
            + [f"gappy,{t},{t % 7 + 2}" for t in range(120) if not 50 <= t <= 60])
    panel.write_text("series_id,time,value\n" + "\n".join(rows) + "\n")
    code, out, err = call(capsys, "evaluate", panel, "--model", "gpdd", "--json")
    assert code == 0, err
    assert json.loads(out)["gated"]["series"] == 1
    assert err.strip() == (
        f"warning: {panel}: 2 of 3 series not scored (refused by the loader): 'zeros': every value is zero; a log "
        "abundance needs at least one positive value; 'gappy': 11 values missing in a row, times 50 to 60; gaps of "
        "more than 10 steps are not interpolated")
    code, out, err = call(capsys, "evaluate", panel, "--model", "gpdd", "--series", "gappy")
    assert (code, out) == (2, "") and err.strip() == (
        f"error: {panel}: series 'gappy': 11 values missing in a row, times 50 to 60; gaps of more than 10 steps "
        "are not interpolated")
    for command in (["forecast", panel, "--model", "gpdd"], ["train", panel, "--out", tmp_path / "m.keras", *TINY]):
        code, _, err = call(capsys, *command, "--series", "gappy")
        assert code == 2 and "series 'gappy': 11 values missing in a row" in err
    panel.write_text("series_id,time,value\n" + "\n".join(rows[60:]) + "\n")
    code, out, err = call(capsys, "evaluate", panel, "--model", "gpdd")
    assert (code, out) == (2, "") and err.strip() == f"error: {panel}: series 'zeros': every value is zero; a log " \
                                                      "abundance needs at least one positive value"


def test_json_writes_null_for_an_undefined_score_and_the_table_counts_series_as_integers(capsys, tmp_path):
    """Found by review: a series ending in zeros (naive MASE 0) printed ``"relative_mase": NaN``."""
    panel = tmp_path / "extinct.csv"
    panel.write_text("series_id,time,value\n" + "\n".join(f"x,{t},{t % 5 + 10 if t < 30 else 0}" for t in range(50))
                     + "\n")
    scores = tmp_path / "scores.json"
    code, out, err = call(capsys, "evaluate", panel, "--model", "gpdd", "--json", "--out", scores)
    assert code == 0, err

    def refuse(constant):
        raise AssertionError(f"not JSON: {constant}")

    for text in (out, scores.read_text()):
        payload = json.loads(text, parse_constant=refuse)
        assert payload["gated"]["relative_mase"] is None and payload["naive"]["mase"] == 0
    code, out, err = call(capsys, "evaluate", panel, "--model", "gpdd")
    assert code == 0, err
    header, *rows = out.splitlines()
    assert header.split()[-1] == "series" and {row.split()[-1] for row in rows} == {"1"}


def test_evaluate_baselines_default_subset_and_names(capsys, tmp_path, monkeypatch):
    import domains.ecology.__main__ as cli_module
    from domains.ecology.baselines import BASELINES, ARForecaster

    lynx = bundled("ecology", "lynx.csv")
    monkeypatch.setattr(cli_module, "available", lambda: False)
    code, out, err = call(capsys, "evaluate", lynx, "--protocol", "zhang2003", "--model", "lynx", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert list(payload) == ["gated", *BASELINES, "setar"]
    assert payload["setar"]["mse"] == pytest.approx(0.0083, abs=1e-4)  # Tong's SETAR(2; 7, 2), as the benchmark
    code, out, err = call(capsys, "evaluate", lynx, "--protocol", "zhang2003", "--model", "lynx", "--json",
                          "--baselines", "setar", "ar2")
    assert code == 0, err
    assert list(json.loads(out)) == ["gated", "naive", "ar2", "setar"]
    code, out, err = call(capsys, "evaluate", lynx, "--protocol", "zhang2003", "--model", "lynx", "--json",
                          "--train-end", "1850")  # 30 training years: too few for SETAR(2; 7, 2)
    assert code == 0 and "setar" not in json.loads(out)
    assert err.strip() == f"warning: {lynx}: baselines not scored (too few training values for them on every " \
                          "series): setar"
    code, out, err = call(capsys, "evaluate", lynx, "--model", "gpdd", "--baselines", "auto_arima", "theta")
    assert (code, out) == (2, "") and err.strip() == "error: --baselines auto_arima theta: statsforecast is not " \
                                                     "installed; install the optional extra: pip install -e .[forecast]"
    code, _, err = call(capsys, "evaluate", lynx, "--baselines", "arima", *TINY)
    assert code == 2 and "invalid choice: 'arima'" in err and len(err.strip().splitlines()) == 1
    # with statsforecast installed, the classical models join the defaults (stand-ins here: it is an optional extra)
    monkeypatch.setattr(cli_module, "available", lambda: True)
    monkeypatch.setattr(cli_module, "CLASSICAL", {"auto_arima": lambda: ARForecaster(1)})
    code, out, err = call(capsys, "evaluate", lynx, "--model", "gpdd", "--horizon", "3", "--json")
    assert code == 0, err
    assert list(json.loads(out)) == ["gated", *BASELINES, "auto_arima"]
    code, out, err = call(capsys, "evaluate", lynx, "--protocol", "zhang2003", "--model", "lynx", "--json",
                          "--baselines", "auto_arima")
    assert code == 0, err
    assert list(json.loads(out)) == ["gated", "naive", "auto_arima"]


def test_main_help_has_one_examples_block_with_every_command(capsys):
    code, out, _ = call(capsys, "--help")
    assert code == 0 and out.count("examples:") == 1
    assert all(f"python -m domains.ecology {command} " in out for command in ("forecast", "train", "evaluate"))
    code, out, _ = call(capsys, "evaluate", "--help")
    text = " ".join(out.split())
    assert code == 0 and "zhang2003: one series" in text and "(default: rolling)" in text
    assert all(name in text for name in ("ricker", "setar", "auto_arima", "theta_logistic"))


@pytest.mark.parametrize("option, value, wanted", [("--units", "0", "a whole number >= 1"),
                                                   ("--epochs", "abc", "a whole number >= 1"),
                                                   ("--validation", "-1", "a whole number >= 0")])
def test_model_options_name_the_option_and_the_value_as_the_other_domains_do(capsys, option, value, wanted):
    """Found in review: ``--units 0`` said only "--units, --epochs and --ensemble must be at least 1" and
    ``--epochs abc`` "invalid int value"; every other domain names the option, the rule and the value given."""
    code, _, err = call(capsys, "train", bundled("ecology", "lynx.csv"), "--out", "m.keras", option, value)
    assert code == 2 and f"argument {option}: must be {wanted}, got '{value}'" in err


def test_rolling_leaves_out_a_series_without_covariate_values_and_scores_one_with_a_negative_value(capsys, tmp_path):
    """Found in audit: a series without covariate values, or with a negative value, stopped the whole evaluation
    with exit 2 and no scores; alone, the first is still the error, with the same message as the warning's. The
    second, already centred or differenced (PROTOCOL.md B), is scored on its own scale, named in a note (found
    in a later audit: it was left out, "negative abundance")."""
    panel = tmp_path / "panel.csv"
    rows = ([f"{s},{t},{(t % 9 + 2) * (5 if s == 'a' else 2)},{(t * 7) % 5}" for s in "ab" for t in range(40)]
            + [f"nocov,{t},{t % 7 + 2}," for t in range(40)] + [f"neg,{t},{-3 if t == 5 else t % 7 + 2},{t % 3}"
                                                                   for t in range(40)])
    panel.write_text("series_id,time,value,rain\n" + "\n".join(rows) + "\n")
    code, out, err = call(capsys, "evaluate", panel, "--covariates", "rain", "--keep-covariates", "--ensemble", "1",
                          "--baselines", "naive", "ricker", "--json", *TINY)
    assert code == 0, err
    scores = json.loads(out)
    assert scores["gated"]["series"] == 3 and scores["ricker"]["series"] == 2
    assert err.strip().splitlines() == [
        f"warning: {panel}: 1 of 4 series not scored (refused by the loader): 'nocov': column 'rain' has no values",
        f"note: {panel}: 1 series with negative values, taken as already centred or differenced (PROTOCOL.md B) and "
        "modelled on their own scale, without the log: 'neg'; not scored on them: sMAPE, ricker"]
    for command in (["evaluate", panel, "--covariates", "rain", *TINY], ["forecast", panel, "--covariates", "rain",
                                                                          *TINY]):
        code, out, err = call(capsys, *command, "--series", "nocov")
        assert (code, out) == (2, "") and err.strip() == f"error: {panel}: series 'nocov': column 'rain' has no values"


def test_a_covariate_too_large_to_scale_is_one_line_exit_2(capsys, tmp_path):
    """Found in audit: a covariate ``temp * 1e300`` overflowed its standard deviation: numpy's bare "overflow
    encountered in square" on stderr, the covariate silently scaled to 0, and exit 0."""
    from domains.ecology.simulate import simulate_panel

    frame = simulate_panel(n_series=3, n=40, seed=0).rename(columns={"weather": "temp"})
    frame["big"] = frame["temp"] * 1e300
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    code, out, err = call(capsys, "evaluate", path, "--covariates", "big", "--keep-covariates", "--ensemble", "1",
                          "--baselines", "naive", "--json", *TINY)
    first = frame.index[frame["big"].abs() > 1e15][0] + 2  # its file line
    assert (code, out) == (2, "") and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"error: {path}: series {frame['series_id'][0]!r}: line {first}, column 'big': ")
    assert "beyond the largest magnitude taken for a covariate (1e+15" in err


def test_a_series_with_negative_values_is_forecast_and_evaluated_on_its_own_scale(capsys, tmp_path):
    """Found in audit: gpdd_9776 (28 values, -1.5 to 2.3: already centred) was refused, "negative abundance";
    PROTOCOL.md B scores such a series without the log. Forecast: medians and bounds on the values' own scale
    (no exp, no floor at 0)."""
    path = tmp_path / "centred.csv"
    values = np.round(np.sin(np.arange(28) / 1.7) + 0.1, 2)
    path.write_text("series_id,time,value\n" + "".join(f"c,{1948 + t},{v}\n" for t, v in enumerate(values)))
    note = (f"note: {path}: 1 series with negative values, taken as already centred or differenced (PROTOCOL.md B) "
            "and modelled on their own scale, without the log: 'c'")
    code, out, err = call(capsys, "evaluate", path, "--ensemble", "1", "--json", *TINY)
    assert code == 0, err
    scores = json.loads(out)
    assert scores["gated"]["series"] == 1 and "smape" not in scores["naive"] and "ricker" not in scores
    assert err.strip() == note + "; not scored on them: sMAPE, ricker, theta_logistic"
    code, out, err = call(capsys, "forecast", path, "--horizon", "3", *TINY)
    assert code == 0 and err.strip() == note
    table = pd.read_csv(io.StringIO(out))
    np.testing.assert_allclose(table["median"], table["log_mean"], rtol=1e-5, atol=1e-6)
    assert (table["lower95"] < 0).any()


def test_a_time_that_is_not_finite_or_far_too_large_is_one_line_exit_2(capsys, tmp_path):
    """Found in audit: ``inf`` as the last time gave a cast warning and "negative dimensions are not allowed"
    (exit 1 from forecast), ``1e13`` a MemoryError (exit 1)."""
    data = tmp_path / "data.csv"
    rows = [f"a,{t},{t + 3}" for t in range(1, 15)]
    for last, message in (("inf", "line 16, column 'time': 'inf' is not a finite number"),
                          ("1e13", "series 'a': 9999999999985 of 10000000000000 values missing (more than 10%; "
                                   "longest gap 9999999999985 steps after time 14); too many to interpolate")):
        data.write_text("series_id,time,value\n" + "\n".join([*rows, f"a,{last},5"]) + "\n")
        for command in ("forecast", "evaluate"):
            code, out, err = call(capsys, command, data, "--horizon", "2", *TINY)
            assert (code, out, err) == (2, "", f"error: {data}: {message}\n")


def test_forecast_refuses_out_and_plot_naming_the_same_file_before_any_work(capsys, tmp_path, monkeypatch):
    """Found in audit: the CSV was written, then the plot refused the file it had just written (or, with --force,
    replaced it)."""
    monkeypatch.chdir(tmp_path)
    same = tmp_path / "same.png"
    for out, plot, force in ((same, same, []), ("same.png", tmp_path / "sub" / ".." / "same.png", []),
                             (same, "./same.png", ["--force"])):
        code, stdout, err = call(capsys, "forecast", bundled("ecology", "lynx.csv"), "--horizon", "3", "--out", out,
                                 "--plot", plot, *force, *TINY)
        assert (code, stdout) == (2, "")
        assert err == f"error: {plot}: named by both --out and --plot; give them different files\n"
        assert not same.exists()


def test_a_model_of_another_kind_is_named_in_one_line(capsys, tmp_path):
    """Found in audit: a gene finder or churn model as --model was 'internal error: ValueError: ensemble must be a
    whole number >= 1, got 0'."""
    import keras

    inputs = keras.Input((None, 4))
    other = tmp_path / "other.keras"
    keras.Model(inputs, keras.layers.Dense(2)(inputs)).save(other)
    for command in ("forecast", "evaluate"):
        code, stdout, err = call(capsys, command, bundled("ecology", "lynx.csv"), "--model", other)
        assert (code, stdout) == (2, "")
        assert err == (f"error: {other}: not a forecaster (no ensemble members and calibration); give a model "
                       "written by `python -m domains.ecology train`\n")


@pytest.mark.parametrize("first, step, expected", [(1234500, 1, ["1234540", "1234541"]),   # not 1.23454e+06
                                                   (1821, 0.1, ["1825", "1825.1"])])        # not 1825.0999999
def test_forecast_times_are_written_with_every_digit_and_no_float_noise(capsys, tmp_path, first, step, expected):
    """Found in audit: the CSV wrote times with %.6g (1.23461e+06) and JSON showed 1832.3999999999896."""
    data = tmp_path / "series.csv"
    data.write_text("series_id,time,value\n" + "".join(f"a,{round(first + step * i, 1)},{100 + 37 * i % 50}\n"
                                                       for i in range(40)))
    out = tmp_path / "forecast.csv"
    code, _, err = call(capsys, "forecast", data, "--model", "lynx", "--horizon", "2", "--out", out)
    assert code == 0, err
    assert [line.split(",")[1] for line in out.read_text().splitlines()[1:]] == expected
    code, stdout, err = call(capsys, "forecast", data, "--model", "lynx", "--horizon", "2", "--json")
    assert [json.dumps(row["time"]) for row in json.loads(stdout)["forecast"]] == expected


def test_the_card_records_a_command_a_shell_can_run_again(capsys, tmp_path):
    """Found in audit: the card joined the arguments with spaces, so an --out with a space could not be re-run."""
    import shlex

    panel = tmp_path / "my data.csv"
    panel.write_text("series_id,time,value\n" + "".join(f"a,{t},{t % 7 + 3}\n" for t in range(30)))
    model = tmp_path / "my model.keras"
    args = ["train", str(panel), "--out", str(model), "--seed", "0", *TINY]
    code, _, err = call(capsys, *args)
    assert code == 0, err
    command = json.loads(model.with_suffix(".json").read_text())["command"]
    assert shlex.split(command) == ["python", "-m", "domains.ecology", *args]
