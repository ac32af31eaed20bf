"""A command's stderr holds its own lines only: TensorFlow's start-up notices (which its C++ runtime writes
before it reads ``TF_CPP_MIN_LOG_LEVEL``) are held back by ``shared.cli.import_tensorflow``, in a fresh
interpreter with ``TF_CPP_MIN_LOG_LEVEL`` unset, on a success and on an error found after TensorFlow is loaded."""

import os
import re
import subprocess
import sys
import zipfile

import pytest

from product_kit import ROOT, churn_csv, fasta_text

ECOLOGY_LYNX = ROOT / "datasets" / "ecology" / "lynx.csv"


def _run(*args):
    env = {key: value for key, value in os.environ.items() if key not in ("TF_CPP_MIN_LOG_LEVEL", "GATED_DEBUG")}
    env.update(CUDA_VISIBLE_DEVICES="", TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1")
    return subprocess.run([sys.executable, "-m", *map(str, args)], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=300)


# (domain, arguments, the command's own stderr: a regular expression for the whole of it)
COMMANDS = [
    ("sentiment", ["predict", "not bad at all"], ""),
    ("ecology", ["forecast", ECOLOGY_LYNX, "--model", "lynx", "--horizon", "2"], ""),
    ("churn", ["predict", "--transactions", "{tmp}/log.csv", "--out", "{tmp}/survival.csv"],
     r"wrote \S+/survival\.csv: \d+ customers, S\(t\) at \d+ points\n"),  # a status line, on stderr as in genomics
    ("genomics", ["predict", "{tmp}/genome.fa", "--out", "{tmp}/genes.gff3"], r"\d+ genes on 1 records\n"),
    ("genomics", ["train", "--genbank", ROOT / "datasets" / "genomics" / "Streptococcus_pyogenes_M1_GAS.gb.gz",
                  "--out", "{tmp}/genes.keras", "--epochs", "1", "--window", "256", "--batch-size", "64",
                  "--filters", "4", "--kernel-sizes", "9", "--dilation-rates", "1", "--lstm-units", "4", "--seed", "0"],
     r"wrote \S+/genes\.keras \(1 epoch\)\n"),  # one pass over the genome: no Keras warning (shuffle, ran out)
]


@pytest.mark.parametrize("domain,argv,stderr", COMMANDS, ids=[f"{c[0]}-{c[1][0]}" for c in COMMANDS])
def test_a_successful_command_writes_no_tensorflow_notices(tmp_path, domain, argv, stderr):
    (tmp_path / "log.csv").write_text(churn_csv())
    (tmp_path / "genome.fa").write_text(fasta_text())
    result = _run(f"domains.{domain}", *[str(a).format(tmp=tmp_path) for a in argv])
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.fullmatch(stderr, result.stderr), result.stderr[-2000:]


def test_an_error_found_after_tensorflow_is_loaded_is_still_one_line(tmp_path):
    model = tmp_path / "model.keras"
    with zipfile.ZipFile(model, "w") as archive:  # a zip, so it passes the checks made before Keras is imported
        archive.writestr("config.json", "not json")
    result = _run("domains.sentiment", "predict", "--model", model, "fine")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"error: {model}"), result.stderr
