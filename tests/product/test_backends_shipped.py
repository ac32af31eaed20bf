"""The shipped models predict under JAX and PyTorch as under TensorFlow, through each domain's command line, and
explain themselves there alike (sentiment and churn ``explain``).

Every run is a fresh interpreter with ``KERAS_BACKEND`` set; a backend that is not installed skips (JAX is part
of ``dev``, PyTorch is not). What must agree: the labels, gene calls, customer counts and the lines on stderr
(no backend may add a warning) exactly, and every probability, forecast and score to 1e-4 (the backends'
float32 kernels differ in the last bits).
"""

import csv
import gzip
import importlib.util
import io
import json

import numpy as np
import pytest
from Bio import SeqIO

from product_kit import ROOT, cli, script

BACKENDS = {"jax": {"KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}, "torch": {"KERAS_BACKEND": "torch"}}
TEXTS = ["not bad at all", "a disaster", "I did not, despite the hype and the queues, enjoy it",
         "never fails to impress"]


def _sentiment(stdout):
    rows = [json.loads(line) for line in stdout.splitlines()]
    return [row["label"] for row in rows], [row["probability"] for row in rows]


def _ecology(stdout):
    rows = list(csv.DictReader(io.StringIO(stdout)))
    return [(row["series_id"], row["time"]) for row in rows], [[float(row[k]) for k in ("log_mean", "log_sd")]
                                                               for row in rows]


def _churn(stdout):
    report = json.loads(stdout)
    return [report[m]["n"] for m in ("gated", "coxph", "km")], [report["gated"][k] for k in ("c_index", "c_td", "ibs")]


def _genomics(stdout):
    return [line for line in stdout.splitlines() if not line.startswith("#")], []


def _commands(genome):
    return {
        "sentiment": (["domains.sentiment", "predict", *TEXTS, "--json"], _sentiment),
        "ecology": (["domains.ecology", "forecast", ROOT / "datasets/ecology/lynx.csv", "--series", "lynx",
                     "--horizon", "5", "--model", "lynx"], _ecology),
        "churn": (["domains.churn", "evaluate", "--json", "--transactions",
                   ROOT / "datasets/churn/cdnow_sample_transactions.csv.gz"], _churn),
        "genomics": (["domains.genomics", "predict", genome, "--out", "-"], _genomics),
    }


@pytest.fixture(scope="module")
def genome(tmp_path_factory):
    """The first 20 kb of the bundled S. pyogenes genome as FASTA."""
    with gzip.open(ROOT / "datasets/genomics/Streptococcus_pyogenes_M1_GAS.gb.gz", "rt") as handle:
        record = next(SeqIO.parse(handle, "genbank"))
    path = tmp_path_factory.mktemp("genome") / "head.fa"
    path.write_text(f">head first 20 kb of {record.id}\n{record.seq[:20000]}\n")
    return path


@pytest.fixture(scope="module")
def on_tensorflow(genome):
    """Each domain's command run once under TensorFlow: ``(stderr, parsed stdout)``, computed when first asked."""
    runs = {}

    def run(domain):
        if domain not in runs:
            argv, read = _commands(genome)[domain]
            result = cli(*argv, env={"KERAS_BACKEND": "tensorflow"}, timeout=600)
            assert result.returncode == 0, result.stderr[-3000:]
            runs[domain] = result.stderr, read(result.stdout)
        return runs[domain]

    return run


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("domain", ["sentiment", "ecology", "churn", "genomics"])
def test_shipped_model_predicts_as_on_tensorflow(genome, on_tensorflow, domain, backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    argv, read = _commands(genome)[domain]
    result = cli(*argv, env=BACKENDS[backend], timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    stderr, (expected_exact, expected_numbers) = on_tensorflow(domain)
    assert result.stderr == stderr
    exact, numbers = read(result.stdout)
    assert exact == expected_exact and len(exact) > 0
    np.testing.assert_allclose(numbers, expected_numbers, atol=1e-4)


EXPLAIN = """
import json
import numpy as np
from domains.churn.model import explain as explain_churn
from domains.sentiment.explain import explain as explain_text
from domains.sentiment.train import load_classifier
from shared.safe_load import load_model

table = explain_text(load_classifier("domains/sentiment/weights/sst_negation.keras"), "I did not enjoy it at all")
churn = load_model("domains/churn/weights/cdnow_gated.keras")
rng = np.random.default_rng(0)
inputs = [rng.random((1, *[n or 20 for n in tensor.shape[1:]])).astype("float32") for tensor in churn.inputs]
report = explain_churn(churn, inputs, width=7.0)
numbers = [*table["attention"], *table["forward_forget"], *table["backward_cell_change"], table.attrs["probability"],
           *np.ravel(report["risk_path"]), *np.ravel(report["gates"]["forget"])]
print(json.dumps({"tokens": table["token"].tolist(), "numbers": [float(n) for n in numbers]}))
"""


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_explanations_agree_with_tensorflow(backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    runs = {name: script(EXPLAIN, env=env, timeout=600)
            for name, env in (("tensorflow", {"KERAS_BACKEND": "tensorflow"}), (backend, BACKENDS[backend]))}
    for name, result in runs.items():
        assert result.returncode == 0, f"{name}: {result.stderr[-3000:]}"
    here, there = (json.loads(runs[name].stdout.strip().splitlines()[-1]) for name in ("tensorflow", backend))
    assert there["tokens"] == here["tokens"] == ["i", "did", "not", "enjoy", "it", "at", "all"]
    np.testing.assert_allclose(there["numbers"], here["numbers"], atol=1e-4)
