"""The command line (in subprocesses; --help in-process): exit codes, one-line errors, the --json lines the issue
specifies and the option names every command shares."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from domains.sentiment.__main__ import main

ROOT = Path(__file__).resolve().parents[3]
TRAIN = [
    "(4 (2 A) (4 (4 (3 good) (2 film)) (2 .)))", "(4 (2 A) (4 (4 great) (2 story)))", "(3 (2 It) (3 (2 is) (3 good)))",
    "(0 (2 A) (0 (0 (1 bad) (2 film)) (2 .)))", "(0 (2 An) (0 (0 awful) (2 story)))", "(1 (2 It) (1 (2 is) (1 bad)))",
]


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trees")
    (folder / "train.txt").write_text("\n".join(TRAIN) + "\n")
    return folder


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


@pytest.mark.parametrize("content, message", [
    ("text\tlabel\nfine\t1\nbad\t7\n", "bad.tsv: row 3, column 'label': label '7'"),
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
        assert result.stderr.startswith("error: --pair-consistency: ") and not (tmp_path / "run").exists()


@pytest.mark.parametrize("command", ["predict", "evaluate", "train"])
def test_every_command_shares_the_option_names_and_shows_an_example(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    help_text = capsys.readouterr().out
    assert stop.value.code == 0 and f"python -m domains.sentiment {command} " in help_text
    assert all(option in help_text for option in ("--seed", "--out", "--json", "--force"))
