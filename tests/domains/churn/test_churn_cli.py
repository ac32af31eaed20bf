"""``python -m domains.churn``: exit codes, one-line errors, outputs, and the shipped weights against their card."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shared.data_paths import bundled

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = bundled("churn", "cdnow_sample_transactions.csv.gz")
CARD = ROOT / "domains" / "churn" / "weights" / "cdnow_gated.json"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "domains.churn", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin", "HOME": "/tmp"})


@pytest.fixture(scope="module")
def small_log(tmp_path_factory):
    """The first 300 customers of the bundled sample, as a plain CSV."""
    log = pd.read_csv(SAMPLE)
    keep = log["customer_id"].drop_duplicates().iloc[:300]
    path = tmp_path_factory.mktemp("churn") / "small.csv"
    log[log["customer_id"].isin(keep)].to_csv(path, index=False)
    return path


@pytest.mark.parametrize("command", ["train", "evaluate", "predict"])
def test_help_shows_an_example(command):
    result = cli(command, "--help")
    assert result.returncode == 0 and "example:" in result.stdout and f"domains.churn {command}" in result.stdout


def test_shipped_weights_reproduce_their_card():
    card = json.loads(CARD.read_text())
    result = cli("evaluate", "--transactions", SAMPLE, "--json")
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    assert set(scores) == {"gated", "coxph", "km"}
    for name, expected in card["metrics_on_training_data"].items():
        assert set(scores[name]) == {"c_index", "c_td", "ibs", "n"} and scores[name]["n"] == 2357
        for key in ("c_index", "c_td", "ibs"):
            assert scores[name][key] == pytest.approx(expected[key], abs=1e-4), (name, key)


def test_evaluate_prints_calibration_bootstrap_and_plot(small_log, tmp_path):
    result = cli("evaluate", "--transactions", small_log, "--bootstrap", 20, "--plot", tmp_path / "cal.png")
    assert result.returncode == 0, result.stderr
    assert "calibration" in result.stdout and "paired bootstrap" in result.stdout
    assert (tmp_path / "cal.png").exists()


def test_predict_writes_curves_and_refuses_to_overwrite(small_log, tmp_path):
    out = tmp_path / "survival.csv"
    assert cli("predict", "--transactions", small_log, "--out", out).returncode == 0
    table = pd.read_csv(out)
    assert len(table) == 300 and table.columns[0] == "customer_id" and table.columns[-2:].tolist() == ["expected_days", "risk"]
    curves = table.filter(like="S_").to_numpy()
    assert curves.shape[1] == 39 and (np.diff(curves, axis=1) <= 1e-9).all() and ((curves >= 0) & (curves <= 1)).all()
    again = cli("predict", "--transactions", small_log, "--out", out)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert cli("predict", "--transactions", small_log, "--out", out, "--force").returncode == 0


def test_train_writes_model_and_card(small_log, tmp_path):
    out = tmp_path / "m.keras"
    result = cli("train", "--transactions", small_log, "--landmark", "1997-09-30", "--horizon-days", 273,
                 "--seed", 0, "--epochs", 1, "--out", out, "--json")
    assert result.returncode == 0, result.stderr
    card = json.loads(result.stdout)
    assert out.exists() and json.loads(out.with_suffix(".json").read_text()) == card
    assert card["seed"] == 0 and card["data"]["customers"] == 300 and card["intervals"] == 39
    scored = json.loads(cli("evaluate", "--transactions", small_log, "--model", out, "--json").stdout)
    assert scored["gated"]["c_index"] == pytest.approx(card["metrics_on_training_data"]["gated"]["c_index"], abs=1e-6)


@pytest.mark.parametrize("text, message", [
    ("customer_id,date,number_of_cds\n1,1997-01-01,1\n", "missing column(s) 'dollar_value'"),
    ("customer_id,date,number_of_cds,dollar_value\n1,1997-02-30,1,1\n", "row 1: column 'date' has '1997-02-30'"),
    ("customer_id,date,number_of_cds,dollar_value\n1,1997-01-01,1,1\n1,1998-07-01,1,1\n", "after the data end 1998-06-30"),
    ("customer_id,date,number_of_cds,dollar_value\n1,1997-01-01,-1,1\n", "row 1: column 'number_of_cds' is negative"),
    ("customer_id,date,number_of_cds,dollar_value\n", "empty history"),
    ("customer_id,date,number_of_cds,dollar_value\n1,1997-01-01,1,1\n2,1997-11-01,1,1\n", "customer '2' (first at row 2): empty history"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    result = cli("evaluate", "--transactions", path, "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_missing_file_and_bad_arguments_exit_2(tmp_path):
    assert cli("evaluate", "--transactions", tmp_path / "none.csv").returncode == 2
    assert cli("evaluate", "--transactions", SAMPLE, "--horizon-days", "-3").returncode == 2
    result = cli("evaluate", "--transactions", SAMPLE, "--horizon-days", 400)
    assert result.returncode == 2 and "273 days at most" in result.stderr
