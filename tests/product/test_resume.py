"""Nothing lost: every domain's ``train``, killed with SIGKILL after its first epoch's checkpoint (Keras
``BackupAndRestore``), resumes when the same command runs again: the second run starts at the epoch after the
last checkpoint, ends with the same number of epochs as asked for, and writes a model that loads (safe mode).
A kill in the middle of writing a checkpoint leaves a torn weights file: training keeps the previous
checkpoint beside it (``double_checkpoint``) and resumes from that one.
"""

import importlib
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from product_kit import ROOT, TREES, cli, ecology_csv, genbank_text
from shared.data_paths import bundled
from shared.safe_load import load_model

EPOCH = re.compile(r"^Epoch (\d+)/(\d+)", re.MULTILINE)


def _genomics(folder):
    (folder / "train.gb").write_text(genbank_text())
    return ["train", "--genbank", folder / "train.gb", "--out", folder / "model.keras", "--epochs", 4,
            "--window", 64, "--windows-per-epoch", 64, "--batch-size", 4, "--filters", 4, "--kernel-sizes", 3,
            "--dilation-rates", 1, "--lstm-units", 2, "--seed", 0], folder / "model.keras", 4


def _sentiment(folder):
    trees = folder / "trees"
    trees.mkdir()
    (trees / "train.txt").write_text(TREES * 20)
    (trees / "dev.txt").write_text(TREES)
    return ["train", "--sst-trees", trees, "--out", folder / "run", "--epochs", 3, "--steps-per-epoch", 20,
            "--batch-size", 4, "--units", 4, "--seed", 0], folder / "run" / "model.keras", 3


def _ecology(folder):
    (folder / "lynx.csv").write_text(ecology_csv(60))
    return ["train", folder / "lynx.csv", "--out", folder / "model.keras", "--epochs", 40, "--units", 4,
            "--ensemble", 1, "--validation", 0, "--progress", "--seed", 0], folder / "model.keras", 40


def _churn(folder):
    return ["train", "--transactions", bundled("churn", "cdnow_sample_transactions.csv.gz"), "--out",
            folder / "model.keras", "--epochs", 3, "--seed", 0], folder / "model.keras", 3


SETUPS = {"genomics": _genomics, "sentiment": _sentiment, "ecology": _ecology, "churn": _churn}


def _checkpoint(folder, name="training_metadata.json"):
    """The number of finished epochs in the newest readable BackupAndRestore metadata under ``folder``
    (``name`` ending ``.bkp``: in the previous checkpoint kept beside it)."""
    for path in folder.rglob(name):
        try:
            return json.loads(path.read_text())["epoch"]
        except (OSError, ValueError, KeyError):
            continue
    return None


def _kill_after_checkpoint(domain, argv, folder, timeout=240, epochs=1):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "", "TF_NUM_INTRAOP_THREADS": "1",
           "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": "1"}
    log = folder / "killed.log"
    with open(log, "w") as handle:
        process = subprocess.Popen([sys.executable, "-m", f"domains.{domain}", *map(str, argv)], cwd=ROOT, env=env,
                                   stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while process.poll() is None and (_checkpoint(folder) or 0) < epochs and time.monotonic() < deadline:
        time.sleep(0.02)
    running = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert running, f"train ended before it could be killed:\n{log.read_text()[-2000:]}"
    return log.read_text()


@pytest.mark.parametrize("domain", sorted(SETUPS))
def test_train_killed_mid_run_resumes_and_ends_at_the_same_epoch(tmp_path, domain):
    argv, model_path, epochs = SETUPS[domain](tmp_path)
    killed = _kill_after_checkpoint(domain, argv, tmp_path)
    finished = _checkpoint(tmp_path)
    assert finished is not None and 1 <= finished < epochs, killed[-2000:]
    assert not model_path.exists()
    started = [int(n) for n, _ in EPOCH.findall(killed)]
    assert started and started[-1] >= finished  # it was killed during or after epoch `finished`

    again = cli(f"domains.{domain}", *argv, timeout=300)
    output = again.stdout + again.stderr
    assert again.returncode == 0, output[-3000:]
    resumed = [(int(n), int(total)) for n, total in EPOCH.findall(output)]
    assert resumed == [(n, epochs) for n in range(finished + 1, epochs + 1)], output[-3000:]
    importlib.import_module(f"domains.{domain}.model")  # registers the domain's own layers and losses
    model = load_model(model_path)
    assert model.count_params() > 0
    assert _checkpoint(tmp_path) is None  # the backup is removed once training ends


@pytest.mark.parametrize("domain", sorted(SETUPS))
def test_train_resumes_from_the_previous_checkpoint_when_the_last_is_torn(tmp_path, domain):
    argv, model_path, epochs = SETUPS[domain](tmp_path)
    argv[argv.index("--epochs") + 1] = epochs = max(epochs, 4)
    killed = _kill_after_checkpoint(domain, argv, tmp_path, epochs=2)
    previous = _checkpoint(tmp_path, "training_metadata.json.bkp")
    assert previous is not None and 1 <= previous < epochs, killed[-2000:]
    (latest,) = tmp_path.rglob("latest.weights.h5")
    latest.write_bytes(latest.read_bytes()[: latest.stat().st_size // 2])  # as if killed while writing it

    again = cli(f"domains.{domain}", *argv, timeout=300)
    output = again.stdout + again.stderr
    assert again.returncode == 0, output[-3000:]
    resumed = [(int(n), int(total)) for n, total in EPOCH.findall(output)]
    assert resumed == [(n, epochs) for n in range(previous + 1, epochs + 1)], output[-3000:]
    importlib.import_module(f"domains.{domain}.model")
    assert load_model(model_path).count_params() > 0


@pytest.mark.parametrize("domain", ["churn", "ecology"])
def test_train_resumes_when_the_same_command_comes_back_with_json(tmp_path, domain):
    """Found in review: ecology's checkpoints were cleared when the killed command was run again with ``--json``
    added, which changes only what is printed; and its ``--progress`` bar then went to stdout before the card."""
    argv, model_path, epochs = SETUPS[domain](tmp_path)
    killed = _kill_after_checkpoint(domain, argv, tmp_path)
    finished = _checkpoint(tmp_path)
    assert finished is not None and 1 <= finished < epochs, killed[-2000:]

    again = cli(f"domains.{domain}", *argv, "--json", timeout=300)
    assert again.returncode == 0, (again.stdout + again.stderr)[-3000:]
    card = json.loads(again.stdout)  # stdout holds the card alone
    assert card["seed"] == 0 and model_path.exists()
    if domain == "churn":
        assert card["history"]["resumed"] and card["history"]["epochs_run"][0] == finished + 1
    else:  # --progress: Keras' bar, on stderr
        resumed = [(int(n), int(total)) for n, total in EPOCH.findall(again.stderr)]
        assert resumed == [(n, epochs) for n in range(finished + 1, epochs + 1)], again.stderr[-3000:]
