"""Nothing lost: no command of any domain writes over an existing output without ``--force``; it stops with
one line naming the file (exit 2) and leaves the file as it was. (The writes themselves are atomic, through
``shared.atomic``: ``tests/shared/test_cli.py``.)"""

import pytest

from product_kit import GFF3, LINES, TABLE, TREES, call, churn_csv, cli, ecology_csv, fasta_text, genbank_text

TINY_ECOLOGY = ["--epochs", "1", "--units", "2", "--ensemble", "1"]

# (id, domain, arguments, the output that exists already; {tmp} holds valid inputs of every kind)
COMMANDS = [
    ("genomics predict --out", "genomics", ["predict", "{tmp}/genome.fa", "--out", "{out}"], "genes.gff3"),
    ("genomics predict --proteins", "genomics", ["predict", "{tmp}/genome.fa", "--out", "{tmp}/new.gff3",
                                                  "--proteins", "{out}"], "genes.faa"),
    ("genomics train", "genomics", ["train", "--genbank", "{tmp}/reference.gb", "--out", "{out}", "--epochs", "1"],
     "model.keras"),
    ("genomics train card", "genomics", ["train", "--genbank", "{tmp}/reference.gb", "--out", "{tmp}/model.keras",
                                         "--epochs", "1"], "model.json"),
    ("genomics evaluate", "genomics", ["evaluate", "--genbank", "{tmp}/reference.gb", "--pred", "{tmp}/calls.gff3",
                                       "--out", "{out}"], "scores.json"),
    ("sentiment predict", "sentiment", ["predict", "--baseline", "vader", "--input", "{tmp}/texts.txt", "--out", "{out}"],
     "labels.tsv"),
    ("sentiment evaluate", "sentiment", ["evaluate", "--baseline", "vader", "--data", "{tmp}/labelled.tsv", "--out",
                                         "{out}"], "scores.json"),
    ("sentiment train", "sentiment", ["train", "--sst-trees", "{tmp}", "--out", "{tmp}/run", "--epochs", "1"],
     "run/model.keras"),
    ("ecology forecast --out", "ecology", ["forecast", "{tmp}/series.csv", "--out", "{out}", *TINY_ECOLOGY],
     "forecast.csv"),
    ("ecology forecast --plot", "ecology", ["forecast", "{tmp}/series.csv", "--plot", "{out}", *TINY_ECOLOGY],
     "fan.png"),
    ("ecology train", "ecology", ["train", "{tmp}/series.csv", "--out", "{out}", *TINY_ECOLOGY], "model.keras"),
    ("ecology train card", "ecology", ["train", "{tmp}/series.csv", "--out", "{tmp}/model.keras", *TINY_ECOLOGY],
     "model.json"),
    ("ecology evaluate", "ecology", ["evaluate", "{tmp}/series.csv", "--out", "{out}", *TINY_ECOLOGY], "scores.json"),
    ("churn train", "churn", ["train", "--transactions", "{tmp}/transactions.csv", "--out", "{out}", "--epochs", "1"],
     "model.keras"),
    ("churn train card", "churn", ["train", "--transactions", "{tmp}/transactions.csv", "--out", "{tmp}/model.keras",
                                   "--epochs", "1"], "model.json"),
    ("churn evaluate --out", "churn", ["evaluate", "--transactions", "{tmp}/transactions.csv", "--out", "{out}"],
     "scores.json"),
    ("churn evaluate --plot", "churn", ["evaluate", "--transactions", "{tmp}/transactions.csv", "--plot", "{out}"],
     "calibration.png"),
    ("churn predict", "churn", ["predict", "--transactions", "{tmp}/transactions.csv", "--out", "{out}"],
     "survival.csv"),
]


@pytest.fixture
def inputs(tmp_path):
    for name, text in [("genome.fa", fasta_text()), ("reference.gb", genbank_text()), ("calls.gff3", GFF3),
                       ("texts.txt", LINES), ("labelled.tsv", TABLE), ("train.txt", TREES), ("dev.txt", TREES),
                       ("series.csv", ecology_csv()), ("transactions.csv", churn_csv())]:
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize("domain,argv,existing", [pytest.param(d, a, e, id=i) for i, d, a, e in COMMANDS])
def test_existing_output_is_kept_without_force(capsys, inputs, domain, argv, existing):
    out = inputs / existing
    out.parent.mkdir(exist_ok=True)
    out.write_text("the user's own file")
    before = sorted(p.name for p in inputs.rglob("*"))
    code, _, err = call(capsys, domain, *[part.format(tmp=inputs, out=out) for part in argv])
    assert code == 2 and err.splitlines() == [f"error: {out}: already exists; pass --force to overwrite it"], err
    assert out.read_text() == "the user's own file"
    assert sorted(p.name for p in inputs.rglob("*")) == before  # nothing else written either


def test_force_replaces_an_output(capsys, inputs):
    out = inputs / "survival.csv"
    out.write_text("old")
    code, _, err = call(capsys, "churn", "predict", "--transactions", inputs / "transactions.csv", "--out", out,
                        "--force")
    assert code == 0, err
    assert out.read_text().startswith("customer_id,")


def test_tasks_sweep_keeps_existing_outputs_without_force(tmp_path):
    (tmp_path / "sweep_adding.csv").write_text("the user's own file")
    result = cli("shared.tasks", "--sweep", "--task", "adding", "--layers", "simple_rnn", "--Ts", 2, "--steps", 1,
                 "--out", tmp_path)
    assert result.returncode == 2 and "sweep_adding.csv: already exists; pass --force" in result.stderr
    assert (tmp_path / "sweep_adding.csv").read_text() == "the user's own file"


# (id, domain, arguments with --out -, how standard output starts)
TO_STDOUT = [
    ("genomics predict", "genomics", ["predict", "genome.fa", "--out", "-"], "##gff-version 3"),
    ("genomics evaluate", "genomics", ["evaluate", "--genbank", "reference.gb", "--pred", "calls.gff3", "--out", "-",
                                       "--json"], "{"),
    ("sentiment predict", "sentiment", ["predict", "--baseline", "vader", "--input", "texts.txt", "--out", "-"], ""),
    ("sentiment evaluate", "sentiment", ["evaluate", "--baseline", "vader", "--data", "labelled.tsv", "--out", "-",
                                         "--json"], "{"),
    ("ecology forecast", "ecology", ["forecast", "series.csv", "--out", "-", *TINY_ECOLOGY], "series_id,time,median"),
    ("ecology evaluate", "ecology", ["evaluate", "series.csv", "--out", "-", "--json", *TINY_ECOLOGY], "{"),
    ("churn evaluate", "churn", ["evaluate", "--transactions", "transactions.csv", "--out", "-", "--json"], "{"),
    ("churn predict", "churn", ["predict", "--transactions", "transactions.csv", "--out", "-"], "customer_id,"),
]


@pytest.mark.parametrize("domain,argv,starts", [pytest.param(d, a, s, id=i) for i, d, a, s in TO_STDOUT])
def test_out_dash_is_standard_output_on_every_command_but_train(capsys, inputs, monkeypatch, domain, argv, starts):
    """Found in review: ``--out -`` meant standard output in sentiment only; the other domains wrote a file
    named ``-`` (churn predict refused to run again once it existed)."""
    monkeypatch.chdir(inputs)
    before = sorted(p.name for p in inputs.iterdir())
    code, out, err = call(capsys, domain, *argv)
    assert code == 0, err
    assert out.startswith(starts) and out.strip(), out[:300]
    assert sorted(p.name for p in inputs.iterdir()) == before  # no file named "-", nothing else written


def test_churn_predict_refuses_json_beside_curves_on_standard_output(capsys, inputs, monkeypatch):
    monkeypatch.chdir(inputs)
    before = sorted(p.name for p in inputs.iterdir())
    code, out, err = call(capsys, "churn", "predict", "--transactions", "transactions.csv", "--out", "-", "--json")
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and "--out FILE" in err
    assert sorted(p.name for p in inputs.iterdir()) == before


@pytest.mark.parametrize("domain,argv", [("genomics", ["train", "--genbank", "reference.gb"]), ("sentiment", ["train"]),
                                         ("ecology", ["train", "series.csv"]),
                                         ("churn", ["train", "--transactions", "transactions.csv"])])
def test_every_train_needs_out(capsys, inputs, monkeypatch, domain, argv):
    """Found in review: churn train wrote churn_gated.keras into the current folder without ``--out``, and
    sentiment's usage showed ``--out`` as optional and refused its absence in other words."""
    monkeypatch.chdir(inputs)
    before = sorted(p.name for p in inputs.iterdir())
    code, out, err = call(capsys, domain, *argv, "--epochs", "1")
    assert code == 2 and out == ""
    assert err.splitlines() == [f"python -m domains.{domain} train: error: the following arguments are required: --out "
                                "(see --help)"]
    assert sorted(p.name for p in inputs.iterdir()) == before
