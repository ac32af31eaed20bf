"""The command line (in subprocesses; --help in-process): exit codes, one-line errors, the --json lines the issue
specifies and the option names every command shares."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from domains.sentiment.__main__ import main
from shared.backups import STAMP
from shared.cli import run

ROOT = Path(__file__).resolve().parents[3]
TRAIN = [
    "(4 (2 A) (4 (4 (3 good) (2 film)) (2 .)))", "(4 (2 A) (4 (4 great) (2 story)))", "(3 (2 It) (3 (2 is) (3 good)))",
    "(0 (2 A) (0 (0 (1 bad) (2 film)) (2 .)))", "(0 (2 An) (0 (0 awful) (2 story)))", "(1 (2 It) (1 (2 is) (1 bad)))",
]


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trees")
    (folder / "train.txt").write_text("\n".join(TRAIN) + "\n")
    (folder / "dev.txt").write_text("\n".join(TRAIN) + "\n")
    return folder


def in_process(argv, capsys):
    """Runs the command line in this process (``shared.cli.run``): ``(exit code, stdout, stderr)``."""
    with pytest.raises(SystemExit) as stop:
        run(main, [str(arg) for arg in argv])
    captured = capsys.readouterr()
    return stop.value.code, captured.out, captured.err


def cli(*args, stdin=None):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-m", "domains.sentiment", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300, input=stdin)


def test_predict_json_lines_in_input_order(trees, tmp_path):
    lines = tmp_path / "lines.txt"
    lines.write_text("a great film\nan awful story\n\n😀 très bien\n")
    result = cli("predict", "--baseline", "tfidf", "--sst-trees", trees, "--input", lines, "--json")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in records] == ["a great film", "an awful story", "", "😀 très bien"]
    assert all(set(r) == {"text", "label", "probability"} and 0 <= r["probability"] <= 1 for r in records)
    assert [r["label"] for r in records[:2]] == ["positive", "negative"]
    assert all(r["label"] == ("positive" if r["probability"] > 0.5 else "negative") for r in records)


def test_predict_input_gives_one_record_per_line_whatever_the_line_endings(trees, tmp_path):
    lines = tmp_path / "lines.txt"  # BOM, CRLF, and Unicode line separators inside two texts
    lines.write_bytes("\ufeffa great film\r\nfine\u2028but slow\r\nan awful\u0085story\r\n".encode("utf-8"))
    result = cli("predict", "--baseline", "tfidf", "--sst-trees", trees, "--input", lines, "--json")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]  # separators inside texts are escaped
    assert [r["text"] for r in records] == ["a great film", "fine\u2028but slow", "an awful\u0085story"]


def test_predict_input_dash_reads_standard_input(trees, tmp_path):
    result = cli("predict", "--baseline", "tfidf", "--sst-trees", trees, "--input", "-", "--json",
                 stdin="a great film\n\nan awful story\n")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["text"] for line in result.stdout.splitlines()] == ["a great film", "", "an awful story"]
    empty = cli("predict", "--baseline", "tfidf", "--sst-trees", trees, "--input", "-", stdin="")
    assert empty.returncode == 2 and "empty" in empty.stderr


@pytest.mark.parametrize("header", ["text\tlabel\n", ""])  # a TSV text<TAB>label, with or without a header
def test_evaluate_pairs_json(trees, tmp_path, header):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(header + "a good film\t1\nnot a good film\t0\na bad story\t0\nnot a bad story\t1\n")
    result = cli("evaluate", "--baseline", "tfidf", "--sst-trees", trees, "--data", pairs, "--format", "tsv", "--pairs",
                 "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["n"], report["n_with_negation"], report["n_pairs"]) == (4, 2, 2)
    assert 0 <= report["pairs_both_right"] <= 1 and 0 <= report["accuracy"] <= 1
    # the figure is the share of pairs whose two rows predict says right: here 2 of 3
    texts, labels = ["a great film", "an awful story", "it is good", "it is bad", "a bad film", "a good story"], \
        [1, 0, 1, 0, 1, 0]
    pairs.write_text(header + "".join(f"{text}\t{label}\n" for text, label in zip(texts, labels)))
    result = cli("evaluate", "--baseline", "tfidf", "--sst-trees", trees, "--data", pairs, "--format", "tsv", "--pairs",
                 "--json")
    assert result.returncode == 0, result.stderr
    predicted = cli("predict", "--baseline", "tfidf", "--sst-trees", trees, *texts, "--json")
    right = [json.loads(line)["label"] == ("positive" if label else "negative")
             for line, label in zip(predicted.stdout.splitlines(), labels)]
    assert right == [True, True, True, True, False, False]
    assert json.loads(result.stdout)["pairs_both_right"] == pytest.approx(2 / 3)


@pytest.mark.parametrize("content, message", [
    ("text\tlabel\nfine\t1\nbad\t7\n", "bad.tsv: line 3, column 'label': label '7'"),
    ("text\tlabel\nfine\t1\n", None),  # odd rows with --pairs
])
def test_bad_input_exits_2_with_one_line(trees, tmp_path, content, message):
    path = tmp_path / "bad.tsv"
    path.write_text(content)
    result = cli("evaluate", "--baseline", "tfidf", "--sst-trees", trees, "--data", path, "--pairs")
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: ")
    assert (message or "1 rows cannot form pairs") in result.stderr


def test_missing_file_and_help(trees, tmp_path):
    result = cli("evaluate", "--baseline", "tfidf", "--sst-trees", trees, "--data", tmp_path / "nope.tsv")
    assert result.returncode == 2 and "nope.tsv" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    result = cli("predict", "--help")
    assert result.returncode == 0 and "python -m domains.sentiment predict --baseline tfidf" in result.stdout
    assert cli("predict", "--baseline", "tfidf", "--sst-trees", trees).returncode == 2


def test_vader_baseline_needs_no_training_data(tmp_path):
    result = cli("predict", "--baseline", "vader", "--sst-trees", tmp_path / "absent", "a wonderful film",
                 "not a wonderful film", "--json")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["label"] for line in result.stdout.splitlines()] == ["positive", "negative"]


def test_predict_arguments_in_latin1_and_line_breaks_in_plain_output(tmp_path):
    """Found in review: a Latin-1 argument reached stdout as an undecodable byte (exit 1 with --out), and a line
    break inside a text split its plain output line in two."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    command = [sys.executable, "-m", "domains.sentiment", "predict", "--baseline", "vader"]
    result = subprocess.run([*command, "--json", "caf\u00e9 good".encode("latin-1")], capture_output=True, cwd=ROOT,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.decode("utf-8"))["text"] == "caf\u00e9 good"
    result = cli("predict", "--baseline", "vader", "good\nawful", "fine\u2028but slow")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0].endswith("\tgood\\nawful") and lines[1].endswith("\tfine\\u2028but slow")


def test_predict_defaults_to_the_shipped_model_and_writes_out_atomically(tmp_path):
    lines = tmp_path / "lines.txt"
    lines.write_text("the performance was a disaster\nthe performance was not a disaster\n\n")
    out = tmp_path / "predictions.jsonl"
    result = cli("predict", "--input", lines, "--json", "--out", out)
    assert result.returncode == 0 and result.stdout == "", result.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["text"] for r in records] == ["the performance was a disaster", "the performance was not a disaster", ""]
    assert all(set(r) == {"text", "label", "probability"} for r in records)
    again = cli("predict", "--input", lines, "--json", "--out", out)
    assert again.returncode == 2 and "already exists; pass --force" in again.stderr


def test_train_refuses_a_pair_consistency_without_generated_pairs(trees, tmp_path):
    for strength in ("1", "-0.5"):
        extra = ["--augment", "10"] if strength.startswith("-") else []
        result = cli("train", "--out", tmp_path / "run", "--sst-trees", trees, "--pair-consistency", strength, *extra)
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
        prefix = "python -m domains.sentiment train: error: argument " if strength.startswith("-") else "error: "
        assert result.stderr.startswith(prefix + "--pair-consistency: ") and not (tmp_path / "run").exists()


def test_train_refuses_descriptive_negated_without_negated_neutral_phrases(trees, tmp_path, capsys):
    code, out, err = in_process(["train", "--out", tmp_path / "run", "--sst-trees", trees, "--descriptive-negated"],
                                capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("error: --descriptive-negated: needs negated neutral phrases (--negated-neutral N)")
    assert not (tmp_path / "run").exists()


TINY = ["--steps-per-epoch", "2", "--units", "4", "--embed-dim", "4", "--batch-size", "4", "--json"]


@pytest.mark.parametrize("existing", ["run.json", "run.vocabulary.json"])
def test_train_refuses_an_existing_card_or_vocabulary_before_training(trees, tmp_path, existing):
    (tmp_path / existing).write_text("the user's")
    result = cli("train", "--out", tmp_path / "run.keras", "--sst-trees", trees, *TINY)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert f"{existing}: already exists; pass --force" in result.stderr
    assert [path.name for path in tmp_path.iterdir()] == [existing]
    assert (tmp_path / existing).read_text() == "the user's"


@pytest.mark.slow
def test_train_clears_another_runs_backup_and_starts_afresh(trees, tmp_path):
    backup = tmp_path / "run.backup"  # a killed run with other settings: junk checkpoints and a perfect best epoch
    backup.mkdir()
    (backup / STAMP).write_text(json.dumps({"argv": ["train", "--epochs", "9"]}))
    (backup / "latest.weights.h5").write_text("junk")
    (backup / "training_metadata.json").write_text('{"epoch": 1, "batch": 0}')
    (tmp_path / "run.backup.best.weights.h5").write_text("junk")
    (tmp_path / "run.backup.epochs.csv").write_text("epoch,accuracy,loss,val_accuracy,val_loss\n0,1,0.1,1.0,0.1\n")
    result = cli("train", "--out", tmp_path / "run.keras", "--sst-trees", trees, "--epochs", "2", "--negated-neutral",
                 "3", *TINY)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["out"] == str(tmp_path / "run.keras")
    card = json.loads((tmp_path / "run.json").read_text())
    assert "up to 3 negated neutral ones at 0.5" in card["data"]
    assert len(card["history"]["loss"]) == 2                      # both epochs: nothing resumed from the junk
    assert sorted(path.name for path in tmp_path.iterdir()) == ["run.json", "run.keras", "run.vocabulary.json"]



def test_train_options_of_the_recipe_reach_the_model_and_its_card(tmp_path):
    """--no-negation-features (no negation input to the embeddings), --wide-init nb and --wide-outside-scope (the
    wide part's start and reach) and --descriptive-neutral (the generated neutral pairs' words: here 'historical',
    which VADER does not rate)."""
    import domains.sentiment.model  # noqa: F401  (registers the model's layers)
    from domains.sentiment.__main__ import SHIPPED
    from shared.safe_load import load_model

    trees = tmp_path / "trees"
    trees.mkdir()
    for split in ("train", "dev"):
        (trees / f"{split}.txt").write_text("\n".join([*TRAIN, "(2 (2 It) (2 (2 is) (2 historical)))"]) + "\n")
    result = cli("train", "--out", tmp_path / "run.keras", "--sst-trees", trees, "--epochs", "1", "--augment", "8",
                 "--neutral", "2", "--descriptive-neutral", "--no-negation-features", "--wide-l2", "1e-5",
                 "--wide-init", "nb", "--wide-outside-scope", *TINY)
    assert result.returncode == 0, result.stderr
    card = json.loads((tmp_path / "run.json").read_text())
    settings, options = card["settings"], card["settings"]["model_options"]
    assert settings["wide_init"] == "nb" and options["use_negation"] is False and options["wide_outside_scope"] is True
    assert "8 generated minimal pairs" in card["data"] and "on words without a VADER valence" in card["data"]
    names = {path: {layer.name for layer in load_model(path).layers} for path in (tmp_path / "run.keras", SHIPPED)}
    assert "negation_embedding" in names[SHIPPED] - names[tmp_path / "run.keras"]


def test_train_augment_on_too_few_words_is_one_line_naming_the_trees(trees, tmp_path):
    result = cli("train", "--out", tmp_path / "run.keras", "--sst-trees", trees, "--augment", "8", *TINY)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert f"{trees / 'train.txt'}: too few labelled single words for 8 generated minimal pairs" in result.stderr


def test_evaluate_reads_the_text_and_label_columns_named(trees, tmp_path):
    table = tmp_path / "named.tsv"
    table.write_text("id\tsentence\tgold\n1\ta great film\t1\n2\tan awful story\t0\n3\tit is good\t0\n")
    result = cli("evaluate", "--baseline", "tfidf", "--sst-trees", trees, "--data", table, "--text-column",
                 "sentence", "--label-column", "gold", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["n"] == 3 and json.loads(result.stdout)["accuracy"] == pytest.approx(2 / 3)
    missing = cli("evaluate", "--baseline", "tfidf", "--sst-trees", trees, "--data", table, "--text-column",
                  "sentence", "--json")
    assert missing.returncode == 2 and "no column 'label'" in missing.stderr

@pytest.mark.parametrize("option, value", [
    ("--epochs", "0"), ("--batch-size", "0"), ("--batch-size", "-5"), ("--steps-per-epoch", "0"), ("--units", "0"),
    ("--embed-dim", "0"), ("--epochs", "1.5"), ("--learning-rate", "-1"), ("--learning-rate", "0"),
    ("--learning-rate", "nan"), ("--word-dropout", "1.5"), ("--word-dropout", "1"), ("--word-dropout", "-0.1"),
    ("--wide-l2", "-0.5"), ("--wide-scale", "0"), ("--neutral-spread", "0.5"), ("--augment", "-1"),
    ("--neutral", "-1"), ("--negated-neutral", "-1"), ("--pair-neutral-share", "1.5"), ("--pair-consistency", "inf"),
    ("--adversarial", "-0.2"), ("--rare-word-dropout", "-1"), ("--rare-word-dropout", "inf"),
])
def test_train_refuses_a_numeric_option_out_of_range_naming_it(tmp_path, capsys, option, value):
    code, out, err = in_process(["train", "--out", tmp_path / "run", option, value], capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert f"error: argument {option}: must be " in err and repr(value) in err and not (tmp_path / "run").exists()


@pytest.mark.parametrize("data, data_format", [
    ("x.pos", None), ("x.pos", "rt"), ("trees/train.txt", None), ("trees/train.txt", "sst"), ("pairs.tsv", "sst"),
    ("pairs.tsv", "rt"),
])
def test_evaluate_pairs_needs_a_table(tmp_path, capsys, data, data_format):
    (tmp_path / "trees").mkdir()
    (tmp_path / "trees" / "train.txt").write_text("\n".join(TRAIN[:4]) + "\n")
    (tmp_path / "x.pos").write_text("a good film\nnot a good film\n")
    (tmp_path / "x.neg").write_text("a bad film\nnot a bad film\n")
    (tmp_path / "pairs.tsv").write_text("a good film\t1\nnot a good film\t0\n")
    fmt = ["--format", data_format] if data_format else []
    code, out, err = in_process(["evaluate", "--baseline", "vader", "--data", tmp_path / data, *fmt, "--pairs"], capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("error: --pairs: pairs are consecutive rows of a TSV/CSV table")
    assert f"is read as --format {data_format or ('rt' if data.endswith('.pos') else 'sst')}" in err
    code, out, _ = in_process(["evaluate", "--baseline", "vader", "--data", tmp_path / "pairs.tsv", "--pairs"], capsys)
    assert code == 0 and "n_pairs" in out                          # a table is fine


def test_out_dash_is_standard_output(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = in_process(["predict", "--baseline", "vader", "a wonderful film", "--json", "--out", "-"], capsys)
    assert code == 0 and json.loads(out)["text"] == "a wonderful film" and err == ""
    (tmp_path / "data.tsv").write_text("a wonderful film\t1\n")
    code, out, _ = in_process(["evaluate", "--baseline", "vader", "--data", "data.tsv", "--json", "--out", "-"], capsys)
    assert code == 0 and json.loads(out)["n"] == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == ["data.tsv"]  # no file named "-"
    code, out, err = in_process(["train", "--out", "-"], capsys)
    assert code == 2 and out == "" and err.startswith("error: train: --out -: ") and len(err.splitlines()) == 1


def test_evaluate_plain_text_shows_na_for_an_empty_side_and_the_gap_in_points(tmp_path, capsys):
    plain = tmp_path / "plain.tsv"
    plain.write_text("a wonderful film\t1\na dreadful film\t0\n")  # no negation cue
    code, out, _ = in_process(["evaluate", "--baseline", "vader", "--data", plain], capsys)
    lines = dict(line.split(None, 1) for line in out.splitlines())
    assert code == 0 and lines["accuracy"] == "1.0000" and lines["n_with_negation"] == "0"
    assert lines["accuracy_with_negation"] == "n/a (no texts)" and lines["negation_gap"] == "n/a (a side has no texts)"
    mixed = tmp_path / "mixed.tsv"
    mixed.write_text("a wonderful film\t1\nnot a wonderful film\t1\nnot a dreadful film\t1\n")
    code, out, _ = in_process(["evaluate", "--baseline", "vader", "--data", mixed], capsys)
    lines = dict(line.split(None, 1) for line in out.splitlines())
    assert code == 0 and lines["accuracy_with_negation"] == "0.5000" and lines["negation_gap"] == "50.00 points"


def test_top_level_help_has_one_examples_block_and_keeps_line_continuations(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    assert help_text.count("examples:") == 1
    assert all(f"python -m domains.sentiment {command} " in help_text for command in ("predict", "evaluate", "train"))
    assert "--neutral 20000 \\\n      --lexicon --wide-l2 1e-5" in help_text   # the shipped recipe's continuation
    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    assert "only tokens outside the model's vocabulary" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("command", ["predict", "evaluate", "train"])
def test_every_command_shares_the_option_names_and_shows_an_example(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    help_text = capsys.readouterr().out
    assert stop.value.code == 0 and f"python -m domains.sentiment {command} " in help_text
    assert all(option in help_text for option in ("--seed", "--out", "--json", "--force"))


def test_evaluate_out_also_writes_the_report_as_json_as_the_other_domains_do(tmp_path, capsys):
    """Found in review: ``evaluate --out FILE`` wrote the plain-text table into FILE and printed nothing, where
    genomics, ecology and churn print their report and write it to FILE as JSON."""
    (tmp_path / "data.tsv").write_text("a wonderful film\t1\na dreadful film\t0\n")
    out = tmp_path / "scores.json"
    code, printed, err = in_process(["evaluate", "--baseline", "vader", "--data", tmp_path / "data.tsv", "--out", out],
                                    capsys)
    assert code == 0, err
    written = json.loads(out.read_text())
    assert written["n"] == 2 and printed.startswith("data ")
    assert f"accuracy{' ' * 20}{written['accuracy']:.4f}" in printed
