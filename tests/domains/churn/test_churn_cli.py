"""``python -m domains.churn``: exit codes, one-line errors, outputs, both data paths, and the shipped weights
against their card.

Most commands run in-process through ``shared.cli.run`` (the same exit codes and stderr as the command line,
without a TensorFlow start per call); killing a training run needs a real process.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest
from lifelines.utils import concordance_index

from shared.cli import run
from shared.data_paths import bundled

from domains.churn import data
from domains.churn.__main__ import main

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = bundled("churn", "cdnow_sample_transactions.csv.gz")
TELCO = bundled("churn", "telco_wa_churn.csv.gz")
CARD = ROOT / "domains" / "churn" / "weights" / "cdnow_gated.json"


def cli(capsys, *args):
    """Runs the command line in-process: ``(exit code, stdout, stderr)``."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        run(main, [str(a) for a in args])
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


@pytest.fixture(scope="module")
def small_log(tmp_path_factory):
    """The first 300 customers of the bundled sample, as a plain CSV."""
    log = pd.read_csv(SAMPLE)
    keep = log["customer_id"].drop_duplicates().iloc[:300]
    path = tmp_path_factory.mktemp("churn") / "small.csv"
    log[log["customer_id"].isin(keep)].to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def telco_split(tmp_path_factory):
    """Two disjoint pieces of the bundled Telco table (1,500 and 400 customers) as CSV files."""
    table = pd.read_csv(TELCO, dtype=str, keep_default_na=False).sample(frac=1.0, random_state=0)
    folder = tmp_path_factory.mktemp("telco")
    table.iloc[:1500].to_csv(folder / "train.csv", index=False)
    table.iloc[1500:1900].to_csv(folder / "test.csv", index=False)
    return folder / "train.csv", folder / "test.csv"


@pytest.mark.parametrize("command", ["train", "evaluate", "predict"])
def test_help_shows_an_example_and_the_shared_options(capsys, command):
    code, out, _ = cli(capsys, command, "--help")
    assert code == 0 and "example" in out and f"domains.churn {command}" in out
    assert all(option in out for option in ("--out", "--json", "--force"))
    assert "--seed" in out or command == "predict"  # prediction draws nothing at random


def test_shipped_weights_reproduce_their_card(capsys):
    card = json.loads(CARD.read_text())
    code, out, err = cli(capsys, "evaluate", "--transactions", SAMPLE, "--json")
    assert code == 0, err
    scores = json.loads(out)
    assert set(scores) == {"gated", "coxph", "km"}
    for name, expected in card["metrics_on_training_data"].items():
        assert set(scores[name]) == {"c_index", "c_td", "ibs", "n"} and scores[name]["n"] == 2357
        for key in ("c_index", "c_td", "ibs"):
            assert scores[name][key] == pytest.approx(expected[key], abs=1e-4), (name, key)
    assert card["data"]["sha256"] == card["data"]["sha256"].lower() and len(card["data"]["sha256"]) == 64


def test_evaluate_prints_calibration_bootstrap_plot_and_report(capsys, small_log, tmp_path):
    code, out, err = cli(capsys, "evaluate", "--transactions", small_log, "--bootstrap", 20, "--plot",
                         tmp_path / "cal.png", "--out", tmp_path / "report.json")
    assert code == 0, err
    assert "calibration" in out and "paired bootstrap" in out and "dctd_low" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines()[:4]}
    assert rows["c_index"][-1] == "n" and rows["gated"][-1] == "300"  # a count, not 300.0000
    assert (tmp_path / "cal.png").stat().st_size > 1000
    report = json.loads((tmp_path / "report.json").read_text())
    assert set(report["bootstrap"]) == {"gated", "km"}
    assert report["bootstrap"]["gated"]["dc_low"] <= report["bootstrap"]["gated"]["dc_high"]
    assert [int(t) for t in report["calibration"]["kaplan_meier"]] == [91, 182, 273]  # 13, 26, 39 weeks
    code, _, err = cli(capsys, "evaluate", "--transactions", small_log, "--out", tmp_path / "report.json")
    assert code == 2 and "already exists" in err


def test_predict_writes_curves_and_refuses_to_overwrite(capsys, small_log, tmp_path):
    out = tmp_path / "survival.csv"
    assert cli(capsys, "predict", "--transactions", small_log, "--out", out)[0] == 0
    table = pd.read_csv(out)
    assert len(table) == 300 and table.columns[0] == "customer_id" and table.columns[-2:].tolist() == ["expected_days", "risk"]
    assert table["customer_id"].is_monotonic_increasing and table["customer_id"].iloc[-1] > 1000  # numeric order
    curves = table.filter(like="S_").to_numpy()
    assert curves.shape[1] == 39 and (np.diff(curves, axis=1) <= 1e-9).all() and ((curves >= 0) & (curves <= 1)).all()
    # expected_days and risk come from each row's own curve (trapezoid from S(0) = 1 over 39 weeks of 7 days)
    padded = np.hstack([np.ones((len(curves), 1)), curves])
    expected = 7 * 0.5 * (padded[:, 1:] + padded[:, :-1]).sum(axis=1)
    np.testing.assert_allclose(table["expected_days"], expected, atol=1e-3)
    np.testing.assert_allclose(table["risk"], 1 - expected / (7 * 39), atol=1e-4)
    # and each row is its customer's: the risk joined by id to the nextbuy targets gives evaluate's C-index
    target = data.survival_targets(data.read_event_log(small_log, numeric=data.CDNOW_NUMERIC), "1997-09-30", 273)
    joined = target.join(table.set_index(table["customer_id"].astype(str))["risk"])
    scored = json.loads(cli(capsys, "evaluate", "--transactions", small_log, "--json")[1])
    c_index = concordance_index(joined["duration"], -joined["risk"], joined["event"])
    assert c_index == pytest.approx(scored["gated"]["c_index"], abs=1e-3) and scored["gated"]["c_index"] > 0.6
    code, _, err = cli(capsys, "predict", "--transactions", small_log, "--out", out)
    assert code == 2 and "already exists" in err
    assert cli(capsys, "predict", "--transactions", small_log, "--out", out, "--force")[0] == 0


def test_train_writes_model_and_card(capsys, small_log, tmp_path):
    out = tmp_path / "m.keras"
    code, stdout, err = cli(capsys, "train", "--transactions", small_log, "--landmark", "1997-09-30",
                            "--horizon-days", 273, "--seed", 0, "--epochs", 1, "--out", out, "--json")
    assert code == 0, err
    card = json.loads(stdout)
    assert out.exists() and json.loads(out.with_suffix(".json").read_text()) == card
    assert card["seed"] == 0 and card["data"]["customers"] == 300 and card["intervals"] == 39
    assert card["history"]["epochs_run"] == [1] and not card["history"]["resumed"]
    assert not Path(f"{out}.backup").exists()
    scored = json.loads(cli(capsys, "evaluate", "--transactions", small_log, "--model", out, "--json")[1])
    assert scored["gated"]["c_index"] == pytest.approx(card["metrics_on_training_data"]["gated"]["c_index"], abs=1e-6)



def test_no_static_trains_on_the_history_alone(capsys, small_log, tmp_path):
    out = tmp_path / "history_only.keras"
    code, stdout, err = cli(capsys, "train", "--transactions", small_log, "--no-static", "--seed", 0, "--epochs", 1,
                            "--out", out, "--json")
    assert code == 0, err
    card = json.loads(stdout)
    assert card["static"] is False and "RFM" not in card["model"]
    model = keras.saving.load_model(out, safe_mode=True, compile=False)
    assert len(model.inputs) == 1  # the weekly history; the shipped model also reads the RFM aggregates
    assert len(keras.saving.load_model(ROOT / "domains" / "churn" / "weights" / "cdnow_gated.keras", safe_mode=True,
                                       compile=False).inputs) == 2
    scored = json.loads(cli(capsys, "evaluate", "--transactions", small_log, "--model", out, "--json")[1])
    assert scored["gated"]["n"] == 300
    assert scored["gated"]["c_index"] == pytest.approx(card["metrics_on_training_data"]["gated"]["c_index"], abs=1e-6)
    assert cli(capsys, "predict", "--transactions", small_log, "--model", out, "--out", tmp_path / "s.csv")[0] == 0

def test_event_types_are_the_card_s_channels_and_an_unknown_type_is_refused(capsys, small_log, tmp_path):
    """Found by hand: a log with an event_type column gave the shipped model a sixth input channel and an
    internal Keras shape error; a model trained on typed logs failed the same way on a log missing a type."""
    log = pd.read_csv(small_log)
    log["event_type"] = np.where(np.arange(len(log)) % 3 == 0, "gift", "purchase")
    typed, purchases_only, unknown = (tmp_path / f"{name}.csv" for name in ("typed", "purchases", "unknown"))
    log.to_csv(typed, index=False)
    log.assign(event_type="purchase").to_csv(purchases_only, index=False)
    complaint = np.where(np.arange(len(log)) == 4, "complaint", log["event_type"])
    log.assign(event_type=complaint).to_csv(unknown, index=False)

    code, _, err = cli(capsys, "evaluate", "--transactions", purchases_only, "--json")  # the shipped model
    assert (code, err.strip()) == (2, f"error: {purchases_only}: line 2: event_type 'purchase' is not one the model "
                                      "was trained on (a log without an event_type column; "
                                      f"{len(log)} of {len(log)} rows)")
    out = tmp_path / "typed.keras"
    code, stdout, err = cli(capsys, "train", "--transactions", typed, "--seed", 0, "--epochs", 1, "--out", out,
                            "--json")
    assert code == 0, err
    assert json.loads(stdout)["event_types"] == ["gift", "purchase"]
    assert keras.saving.load_model(out).inputs[0].shape[-1] == 7  # 5 CDNOW channels + one per type
    code, _, err = cli(capsys, "predict", "--transactions", purchases_only, "--model", out, "--out", tmp_path / "s.csv")
    assert code == 0, err
    assert len(pd.read_csv(tmp_path / "s.csv")) == 300
    code, _, err = cli(capsys, "evaluate", "--transactions", unknown, "--model", out)
    assert (code, err.strip()) == (2, f"error: {unknown}: line 6: event_type 'complaint' is not one the model was "
                                      f"trained on (types 'gift', 'purchase'; 1 of {len(log)} rows)")
    # found in audit: a log without the column gave the typed model all-zero type channels, without a word
    for command in (["evaluate"], ["predict", "--out", tmp_path / "s.csv", "--force"]):
        code, _, err = cli(capsys, *command, "--transactions", small_log, "--model", out)
        assert (code, err.strip()) == (2, f"error: {small_log}: no event_type column, but the model was trained on "
                                          "the types 'gift', 'purchase': give each row its type")


def test_log_baselines_are_fitted_on_the_model_s_training_log(capsys, small_log, tmp_path):
    """Found in audit: CoxPH and Kaplan-Meier were always fitted on the bundled sample, whatever the model's
    training log, so on a log of other years they were degenerate (C 0.5) in evaluate and in the card; and at an
    early landmark, where some of the sample's customers have no history, train wrote the model, then failed on
    the sample (naming none of the user's files) and left it without its card."""
    log = pd.read_csv(small_log, parse_dates=["date"])
    later = tmp_path / "later.csv"
    log.assign(date=log["date"] + pd.DateOffset(years=20)).to_csv(later, index=False)
    out = tmp_path / "later.keras"
    code, stdout, err = cli(capsys, "train", "--transactions", later, "--landmark", "2017-09-30", "--epochs", 1,
                            "--out", out, "--json")
    assert code == 0, err
    card = json.loads(stdout)
    assert card["data"]["path"] == str(later.resolve())
    assert card["metrics_on_training_data"]["coxph"]["c_index"] > 0.6
    code, stdout, err = cli(capsys, "evaluate", "--transactions", later, "--model", out, "--json")
    assert code == 0, err
    assert json.loads(stdout) == card["metrics_on_training_data"]
    # the training log moved: named, and taken from --baseline-transactions
    moved = tmp_path / "moved.csv"
    later.rename(moved)
    code, _, err = cli(capsys, "evaluate", "--transactions", moved, "--model", out, "--json")
    assert (code, err.strip()) == (2, f"error: {later.resolve()}: the model's training log, on which CoxPH and "
                                      "Kaplan-Meier are fitted, is not there; pass it with --baseline-transactions")
    code, stdout, err = cli(capsys, "evaluate", "--transactions", moved, "--model", out, "--baseline-transactions",
                            moved, "--json")
    assert code == 0 and json.loads(stdout) == card["metrics_on_training_data"], err
    # found in review: a training log changed in place was trusted
    changed = log.iloc[:-1].assign(date=log["date"].iloc[:-1] + pd.DateOffset(years=20))
    changed.to_csv(later, index=False)
    code, _, err = cli(capsys, "evaluate", "--transactions", moved, "--model", out, "--json")
    assert (code, err.strip()) == (2, f"error: {later.resolve()}: the model's training log, on which CoxPH and "
                                      "Kaplan-Meier are fitted, has changed since training (its sha256 is not the "
                                      "card's); pass the log the model was trained on with --baseline-transactions")
    later.unlink()
    # the shipped model's baselines come from the bundled sample, which has no customer buying after 2017
    code, _, err = cli(capsys, "evaluate", "--transactions", moved, "--landmark", "2017-09-30", "--json")
    assert code == 2 and err.startswith(f"error: {SAMPLE} (the log CoxPH and Kaplan-Meier are fitted on): no "
                                        "purchase within the 273 days after the landmark 2017-09-30 for all 2357")
    code, _, err = cli(capsys, "evaluate", "--transactions", moved, "--model", out, "--baseline-table", moved)
    assert (code, err.strip()) == (2, "error: --baseline-table: fits the baselines beside a --table input; give "
                                      "--table, or leave --baseline-table out")
    # an early landmark: the model and its card, the baselines fitted on the user's log
    early = tmp_path / "early.csv"
    first = log.groupby("customer_id")["date"].transform("min")
    log[first <= "1997-02-15"].to_csv(early, index=False)
    out = tmp_path / "early.keras"
    code, stdout, err = cli(capsys, "train", "--transactions", early, "--landmark", "1997-02-15", "--horizon-days",
                            100, "--data-end", "1998-06-30", "--epochs", 1, "--out", out, "--json")
    assert code == 0, err
    assert out.exists() and out.with_suffix(".json").exists()
    customers = log[first <= "1997-02-15"]["customer_id"].nunique()
    assert json.loads(stdout)["metrics_on_training_data"]["coxph"]["n"] == customers


def test_train_ensemble_writes_one_model_and_its_members_in_the_card(capsys, small_log, tmp_path):
    out = tmp_path / "e.keras"
    code, stdout, err = cli(capsys, "train", "--transactions", small_log, "--seed", 5, "--ensemble", 2, "--epochs", 1,
                            "--out", out, "--json")
    assert code == 0, err
    card = json.loads(stdout)
    assert card["ensemble"] == 2 and [m["seed"] for m in card["history"]["members"]] == [5, 6]
    assert all(m["epochs_run"] == [1] for m in card["history"]["members"]) and not Path(f"{out}.backup").exists()
    model = keras.saving.load_model(out, safe_mode=True, compile=False)
    assert [layer.name for layer in model.layers if layer.name.startswith("member_")] == ["member_0", "member_1"]


def test_ensemble_seeds_past_what_keras_takes_are_refused_before_training(capsys, small_log, tmp_path):
    out = tmp_path / "e.keras"
    code, _, err = cli(capsys, "train", "--transactions", small_log, "--seed", 2**32 - 1, "--ensemble", 2, "--out", out)
    assert code == 2 and len(err.splitlines()) == 1 and "--ensemble 2" in err, err
    assert not out.exists() and not Path(f"{out}.backup").exists()


def test_static_table_train_evaluate_predict(capsys, telco_split, tmp_path):
    train_csv, test_csv = telco_split
    out = tmp_path / "telco.keras"
    code, stdout, err = cli(capsys, "train", "--table", train_csv, "--drop", "total_charges", "--epochs", 3,
                            "--out", out, "--json")
    assert code == 0, err
    card = json.loads(stdout)
    assert card["kind"] == "table" and card["intervals"] == 24 and card["table"]["width"] == 3.0
    assert "total_charges" not in card["table"]["schema"] and card["table"]["schema"]["contract"][0] == "Month-to-month"
    assert not any(layer.name.startswith("history") for layer in keras.saving.load_model(out, safe_mode=True,
                                                                                            compile=False).layers)
    code, stdout, err = cli(capsys, "evaluate", "--table", test_csv, "--model", out, "--json")
    assert code == 0, err
    scores = json.loads(stdout)
    assert set(scores) == {"gated", "coxph", "km"} and scores["gated"]["n"] == 400
    assert scores["gated"]["c_index"] > 0.75 and scores["km"]["c_index"] == 0.5
    survival = tmp_path / "s.csv"
    no_outcome = tmp_path / "covariates.csv"
    pd.read_csv(test_csv).drop(columns=["tenure", "churn"]).to_csv(no_outcome, index=False)
    code, stdout, err = cli(capsys, "predict", "--table", no_outcome, "--model", out, "--out", survival, "--json")
    assert code == 0, err
    assert json.loads(stdout)["customers"] == 400
    table = pd.read_csv(survival)
    assert table.columns[1] == "S_3" and table.columns[-1] == "risk" and len(table) == 400
    outcome = table.set_index("customer_id")[["risk"]].join(pd.read_csv(test_csv).set_index("customer_id"))
    c_index = concordance_index(outcome["tenure"], -outcome["risk"], outcome["churn"] == "Yes")
    assert c_index == pytest.approx(scores["gated"]["c_index"], abs=1e-3)  # each row is its customer's
    # a table from the same source scores as it is: predict ignores the outcome columns, and neither command
    # needs the column the model dropped (both were refused before: "not covariates", "missing column")
    code, _, err = cli(capsys, "predict", "--table", test_csv, "--model", out, "--out", survival, "--force")
    assert code == 0, err
    pd.testing.assert_frame_equal(pd.read_csv(survival), table)
    no_dropped = tmp_path / "no_total_charges.csv"
    pd.read_csv(test_csv).drop(columns=["total_charges"]).to_csv(no_dropped, index=False)
    code, stdout, err = cli(capsys, "evaluate", "--table", no_dropped, "--model", out, "--json")
    assert code == 0, err
    assert json.loads(stdout) == scores
    # the baselines are fitted on the model's training table, or on --baseline-table (the network is the same)
    code, stdout, err = cli(capsys, "evaluate", "--table", test_csv, "--model", out, "--baseline-table", test_csv,
                            "--json")
    assert code == 0, err
    on_test = json.loads(stdout)
    assert on_test["gated"] == scores["gated"] and on_test["coxph"]["c_index"] != scores["coxph"]["c_index"]
    moved = tmp_path / "moved.csv"
    train_csv.rename(moved)
    try:
        code, _, err = cli(capsys, "evaluate", "--table", test_csv, "--model", out, "--json")
        assert code == 2 and "pass it with --baseline-table" in err
        code, stdout, err = cli(capsys, "evaluate", "--table", test_csv, "--model", out, "--baseline-table", moved,
                                "--json")
        assert code == 0 and json.loads(stdout) == scores, err
    finally:
        moved.rename(train_csv)
    # a table model refuses a transaction log, and the other way round
    code, _, err = cli(capsys, "evaluate", "--transactions", SAMPLE, "--model", out)
    assert code == 2 and "trained on a static table; pass --table" in err
    code, _, err = cli(capsys, "evaluate", "--table", test_csv)
    assert code == 2 and "trained on transaction logs; pass --transactions" in err


def test_killed_training_resumes_from_its_checkpoint(telco_split, tmp_path):
    """SIGKILL mid-run, then the same command: it resumes after the last saved epoch and finishes all epochs."""
    train_csv, _ = telco_split
    out = tmp_path / "m.keras"
    command = [sys.executable, "-m", "domains.churn", "train", "--table", str(train_csv), "--drop", "total_charges",
               "--epochs", "25", "--out", str(out), "--json"]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    metadata = Path(f"{out}.backup") / "training_metadata.json"
    deadline = time.monotonic() + 300
    while not metadata.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert metadata.exists() and not out.exists()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    history = json.loads(result.stdout)["history"]
    assert history["resumed"] and history["epochs_run"][0] > 1 and history["epochs_run"][-1] == 25
    assert not Path(f"{out}.backup").exists()
    keras.saving.load_model(out, safe_mode=True, compile=False)


@pytest.mark.parametrize("text, message", [
    ("customer_id,date,number_of_cds\n1,1997-01-01,1\n", "missing column(s) 'dollar_value'"),
    ("customer_id,date,number_of_cds,dollar_value\n1,1997-02-30,1,1\n", "line 2: column 'date' has '1997-02-30'"),
    ("customer_id,date,number_of_cds,dollar_value\n1,1997-01-01,1,1\n1,1998-07-01,1,1\n", "after the data end 1998-06-30"),
    ("customer_id,date,number_of_cds,dollar_value\n1,1997-01-01,-1,1\n", "line 2: column 'number_of_cds' is negative"),
    ("customer_id,date,number_of_cds,dollar_value\n", "empty history"),
    ("customer_id,date,number_of_cds,dollar_value\n1,1997-01-01,1,1\n2,1997-11-01,1,1\n", "customer '2' (first at line 3): empty history"),
    ("customer_id,date,number_of_cds,dollar_value\n1,1997-01-01,1,1,x\n", "line 2: 5 fields, but the header has 4"),
    ("1 19970101 1\n", "the first line ('1 19970101 1') is data, not a header"),
])
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    code, out, err = cli(capsys, "evaluate", "--transactions", path, "--json")
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and str(path) in err


def test_headerless_cdnow_master_and_sample_files_score_as_their_csv(capsys, small_log, tmp_path):
    """Found by audit: Hardie's own CDNOW_master.txt and CDNOW_sample.txt, which have no header, exited 2 with
    'missing column(s)'. The sample's second field, its own id, is left out (never a numeric column)."""
    code, out, err = cli(capsys, "evaluate", "--transactions", small_log, "--json")
    assert code == 0, err
    expected = json.loads(out)
    log = pd.read_csv(small_log)
    dates = log["date"].str.replace("-", "")
    master, sample = tmp_path / "CDNOW_master.txt", tmp_path / "CDNOW_sample.txt"
    master.write_text("".join(f" {c:05d} {d}  {q}  {v:7.2f}\n" for c, d, q, v in
                              zip(log["customer_id"], dates, log["number_of_cds"], log["dollar_value"])))
    sample_ids = log["customer_id"].rank(method="dense").astype(int)
    sample.write_text("".join(f"{c:6d} {s:4d} {d} {q:2d} {v:7.2f}\n" for c, s, d, q, v in
                              zip(log["customer_id"], sample_ids, dates, log["number_of_cds"], log["dollar_value"])))
    for path in (master, sample):
        code, out, err = cli(capsys, "evaluate", "--transactions", path, "--json")
        assert code == 0 and err == "", err
        scores = json.loads(out)
        for name in expected:
            assert scores[name] == pytest.approx(expected[name], abs=1e-12), (path.name, name)


def test_bootstrap_on_a_small_file_leaves_out_resamples_without_a_pair(capsys, tmp_path):
    """Found by audit: a resample with no event (or no comparable pair) made lifelines raise ZeroDivisionError
    after the scores were printed (exit 1, no report). Such resamples are left out, counted and warned about
    once; the report is strict JSON."""
    path = tmp_path / "five.csv"
    path.write_text("customer_id,date,number_of_cds,dollar_value\n4,1997-01-01,2,29.33\n4,1997-12-12,2,26.48\n"
                    "18,1997-01-04,1,14.96\n21,1997-01-01,3,63.34\n111,1997-01-01,1,35.99\n111,1997-10-25,3,78.47\n"
                    "111,1998-06-20,3,55.47\n113,1997-01-01,3,32.91\n113,1998-03-04,1,15.27\n")
    report = tmp_path / "report.json"
    code, out, err = cli(capsys, "evaluate", "--transactions", path, "--bootstrap", 400, "--out", report)
    assert code == 0, err
    used = json.loads(report.read_text(), parse_constant=lambda token: pytest.fail(f"{token} in the report"))
    used = used["bootstrap_resamples_used"]
    assert 300 < used < 400
    assert err == (f"warning: --bootstrap 400: {400 - used} of the 400 resamples cannot be scored (no comparable "
                   f"pair of customers drawn, so no C-index) and are left out; the intervals are over the other "
                   f"{used}\n")
    assert f"paired bootstrap ({used} of 400 resamples, seed 0)" in out


def test_follow_ups_of_one_and_two_weeks_are_scored_and_shorter_ones_refused(capsys, small_log, tmp_path):
    """Found by audit: --horizon-days 1 crashed the IBS (an empty grid), --horizon-days 7 or 14 repeated a
    calibration time and crashed the report (exit 1 both), and at 7 days the CoxPH baseline was kept unconverged
    (C 0.24 on its own training customers)."""
    for command in ("evaluate", "train"):
        code, out, err = cli(capsys, command, "--transactions", small_log, "--horizon-days", 6, "--data-end",
                             "1998-06-30", "--out", tmp_path / "m.keras")
        assert (code, out, err) == (2, "", "error: --horizon-days 6: shorter than one week, the model's interval; "
                                           "the follow-up must be at least 7 days\n")
    for days, times in ((7, ["7"]), (14, ["7", "14"])):
        report = tmp_path / f"report{days}.json"
        code, out, err = cli(capsys, "evaluate", "--transactions", small_log, "--horizon-days", days, "--data-end",
                             "1998-06-30", "--out", report, "--json")
        assert code == 0 and err == "", err  # no warning: CoxPH converged
        written = json.loads(report.read_text())
        assert list(written["calibration"]["kaplan_meier"]) == times
        assert written["scores"] == json.loads(out) and written["scores"]["coxph"]["c_index"] > 0.75


def test_no_purchase_after_the_landmark_exits_2_naming_the_file(capsys, tmp_path):
    """Harrell's C is undefined without an event (lifelines: no admissible pairs): refused before any scoring."""
    path = tmp_path / "first_purchases.csv"
    path.write_text("customer_id,date,number_of_cds,dollar_value\n4,1997-01-01,2,29.33\n18,1997-01-04,1,14.96\n")
    for command in (["evaluate", "--json"], ["train", "--out", tmp_path / "m.keras"]):
        code, out, err = cli(capsys, command[0], "--transactions", path, *command[1:])
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
        assert f"{path}: no purchase within the 273 days after the landmark 1997-09-30 for all 2 customers" in err
        assert "C-index is undefined" in err
    assert not (tmp_path / "m.keras").exists()
    table = tmp_path / "no_churn.csv"
    table.write_text("customer_id,tenure,churn,plan\n1,5,No,a\n2,3,No,b\n")
    code, _, err = cli(capsys, "train", "--table", table, "--out", tmp_path / "t.keras")
    assert code == 2 and f"{table}: column 'churn' has no event for all 2 customers" in err


@pytest.mark.parametrize("command", [
    ["evaluate", "--transactions", "{bad}", "--json"],
    ["predict", "--transactions", "{bad}", "--out", "{tmp}/s.csv"],
    ["train", "--transactions", "{bad}", "--out", "{tmp}/m.keras"],
    ["evaluate", "--transactions", "{good}", "--out", "{existing}"],
], ids=["evaluate-bad-file", "predict-bad-file", "train-bad-file", "evaluate-existing-out"])
def test_bad_input_is_one_stderr_line_from_a_real_process(tmp_path, command):
    """Checked before TensorFlow is imported, whose start-up log lines would come first otherwise."""
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,date,number_of_cds,dollar_value\n4,1997-01-01,2,-29.33\n")
    existing = tmp_path / "report.json"
    existing.write_text("{}")
    args = [a.format(bad=bad, tmp=tmp_path, good=SAMPLE, existing=existing) for a in command]
    result = subprocess.run([sys.executable, "-m", "domains.churn", *args], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: ") and ("is negative" in result.stderr or "already exists" in result.stderr)


@pytest.mark.parametrize("text, message", [
    ("customer_id,tenure,churn,plan\n1,5,Yes,a\n1,3,No,b\n", "line 3: duplicate customer '1'"),
    ("customer_id,tenure,churn,plan\n1,-5,Yes,a\n", "line 2: column 'tenure' is a negative duration"),
    ("customer_id,months,churn,plan\n1,5,Yes,a\n", "missing column(s) 'tenure'"),
])
def test_bad_static_table_exits_2_with_one_line(capsys, tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    code, out, err = cli(capsys, "train", "--table", path, "--out", tmp_path / "m.keras")
    assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "m.keras").exists()


def test_missing_file_and_bad_arguments_exit_2(capsys, tmp_path):
    assert cli(capsys, "evaluate", "--transactions", tmp_path / "none.csv")[0] == 2
    assert cli(capsys, "evaluate", "--transactions", SAMPLE, "--horizon-days", "-3")[0] == 2
    assert cli(capsys, "evaluate", "--transactions", SAMPLE, "--table", TELCO)[0] == 2
    code, _, err = cli(capsys, "evaluate", "--transactions", SAMPLE, "--horizon-days", 400)
    assert code == 2 and "273 days at most" in err


@pytest.mark.parametrize("command, message", [
    (["evaluate", "--transactions", SAMPLE, "--bootstrap", -3], "argument --bootstrap: must be a whole number >= 0"),
    (["evaluate", "--transactions", SAMPLE, "--bootstrap", 3, "--json"], "add --out REPORT.json"),
    (["evaluate", "--transactions", SAMPLE, "--plot", "{tmp}/calibration.txt"],
     "calibration plot's file name must end"),
    (["train", "--table", TELCO, "--drop", "total_charges", "--out", "{tmp}/model.h5"], "must end in .keras"),
], ids=["negative-bootstrap", "bootstrap-json-without-out", "plot-format", "model-suffix"])
def test_options_that_cannot_be_honoured_are_refused_before_any_work(capsys, tmp_path, command, message):
    """Refused up front (exit 2, one line), not after the scores are printed or the model is trained."""
    code, out, err = cli(capsys, *[str(a).format(tmp=tmp_path) for a in command])
    assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1, err
    assert list(tmp_path.iterdir()) == []


def test_data_end_lets_a_shorter_follow_up_be_scored_and_a_short_log_is_warned_about(capsys, small_log, tmp_path):
    code, _, err = cli(capsys, "evaluate", "--transactions", small_log, "--horizon-days", 91, "--json")
    assert code == 2 and "after the data end 1997-12-30" in err and "unless --data-end gives it" in err
    code, out, err = cli(capsys, "evaluate", "--transactions", small_log, "--horizon-days", 91,
                         "--data-end", "1998-06-30", "--json")
    assert code == 0 and err == "" and json.loads(out)["gated"]["n"] == 300
    short = tmp_path / "short.csv"
    log = pd.read_csv(small_log)
    log[log["date"] <= "1998-03-31"].to_csv(short, index=False)
    code, out, err = cli(capsys, "evaluate", "--transactions", short, "--json")
    assert code == 0 and set(json.loads(out)) == {"gated", "coxph", "km"}
    assert err.startswith(f"warning: {short}: the last purchase is on 1998-03-") and len(err.splitlines()) == 1


def test_another_run_s_checkpoints_are_cleared_not_resumed(capsys, telco_split, tmp_path):
    """A backup left by a run with other arguments (here one whose checkpoint would not even load) is cleared:
    the new run starts afresh instead of loading another run's weights."""
    train_csv, _ = telco_split
    out = tmp_path / "m.keras"
    backup = Path(f"{out}.backup")
    backup.mkdir()
    (backup / "owner.json").write_text(json.dumps({"argv": ["train", "--epochs", "7"], "data_sha256": "0"}))
    (backup / "training_metadata.json").write_text("{not json")
    code, out_text, err = cli(capsys, "train", "--table", train_csv, "--drop", "total_charges", "--epochs", 2,
                              "--out", out, "--json")
    assert code == 0, err
    history = json.loads(out_text)["history"]
    assert not history["resumed"] and history["epochs_run"] == [1, 2] and not backup.exists()


def test_module_entry_point_exit_code():
    result = subprocess.run([sys.executable, "-m", "domains.churn", "evaluate", "--transactions", "/nonexistent.csv"],
                            capture_output=True, text=True, cwd=ROOT, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 2 and result.stderr.splitlines()[-1].startswith("error: /nonexistent.csv")


def test_a_model_file_that_is_not_a_model_exits_2(capsys, small_log, tmp_path):
    model = tmp_path / "m.keras"
    model.write_bytes(b"not a zip archive")
    model.with_suffix(".json").write_text(CARD.read_text())
    code, out, err = cli(capsys, "predict", "--transactions", small_log, "--model", model, "--out", tmp_path / "s.csv")
    assert code == 2 and out == "" and str(model) in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("card, why", [
    ({"name": "gene_finder", "settings": {}}, "no 'intervals', 'static', 'weeks'"),   # another domain's card
    ({"kind": "table", "intervals": 10, "table": {"width": 1}}, "no 'table.duration', 'table.event', 'table.drop', "
                                                                 "'table.schema'"),
    ({"kind": "survival"}, "kind 'survival'"),
    ([1, 2], None),
])
def test_a_card_that_is_not_a_churn_models_is_named_in_one_line(capsys, tmp_path, card, why):
    """Found in audit: another model's card, or a damaged one, was 'internal error: KeyError: ...' (exit 1)."""
    model = tmp_path / "m.keras"
    model.write_bytes(b"")  # never loaded: the card is refused first
    (tmp_path / "m.json").write_text(json.dumps(card))
    code, out, err = cli(capsys, "predict", "--transactions", bundled("churn", data.CDNOW_FILE), "--model", model,
                         "--out", tmp_path / "s.csv")
    assert (code, out) == (2, "")
    expected = (f"not a churn model's card ({why}); give a model written by `python -m domains.churn train`"
                if why else "not a model card (its JSON is not an object)")
    assert err == f"error: {tmp_path / 'm.json'}: {expected}\n" and not (tmp_path / "s.csv").exists()


def test_a_date_pandas_cannot_hold_is_refused_as_the_options_are_read(capsys, tmp_path):
    """Found in audit: predict --landmark 9999-12-31 was 'internal error: OutOfBoundsDatetime' after the work."""
    code, out, err = cli(capsys, "predict", "--transactions", bundled("churn", data.CDNOW_FILE), "--landmark",
                         "9999-12-31", "--out", tmp_path / "s.csv")
    assert (code, out) == (2, "") and len(err.splitlines()) == 1
    assert "argument --landmark: '9999-12-31': outside the dates pandas holds (1677-09-22 .. 2262-04-11)" in err


@pytest.mark.parametrize("command", ["evaluate", "predict"])
def test_a_card_whose_landmark_is_not_a_date_is_named_in_one_line(capsys, tmp_path, command):
    """Review finding: the landmark --landmark defaults to (the card's) was not checked: a card holding
    'notadate' gave 'internal error: DateParseError' (exit 1) after the log was read."""
    model = tmp_path / "m.keras"
    model.write_bytes(b"")  # never loaded: the card is refused first
    (tmp_path / "m.json").write_text(json.dumps({**json.loads(CARD.read_text()), "landmark": "notadate"}))
    code, out, err = cli(capsys, command, "--transactions", SAMPLE, "--model", model, "--out", tmp_path / "s.csv")
    assert (code, out) == (2, "")
    assert err == (f"error: {tmp_path / 'm.json'}: landmark 'notadate': not a date (give YYYY-MM-DD, e.g. "
                   "'1997-09-30')\n")
