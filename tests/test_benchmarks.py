"""The benchmark scripts (``benchmarks/*.py``) as command lines: each one's ``--help`` works and names the options
its docstring shows, the commands its docstring gives parse, it skips with a clear line (exit 0) where the shared
data are absent, it refuses bad values (argparse's exit 2) before any work, and it writes its files atomically.

Nothing here runs a benchmark: the functions that do the work are replaced by tripwires that fail the test if
they are reached, so a refusal that came too late fails instead of training for an hour.
"""

import argparse
import importlib.util
import json
import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NAMES = sorted(path.stem for path in (ROOT / "benchmarks").glob("*.py"))
#: The functions that do each benchmark's work (training, scoring, timing): none may run in these tests.
WORK = {
    "churn_survival": ("bench_cdnow", "bench_population", "bench_simulator", "bench_telco"),
    "ecology_backtest": ("lynx_case", "lynx_inner_case", "gpdd_case", "sim_case", "timing_case"),
    "genomics_vs_prodigal": ("bench_genome", "write_card"),
    "layers_speed": ("run",),
    "sentiment_negation": ("part_seeds", "part_mr", "part_speed"),
    "sentiment_scorecard": ("score",),
}
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


@cache
def load(name):
    """The benchmark script ``benchmarks/<name>.py`` as a module (imported once per session)."""
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def options(parser):
    """The long option names of ``parser`` that its ``--help`` lists (not the hidden ones)."""
    return {option for action in parser._actions if action.help != argparse.SUPPRESS
            for option in action.option_strings if option.startswith("--")}


def usage_commands(name):
    """The command lines of the script's docstring: ``(text, runnable)``, ``runnable`` False for a synopsis (one
    with ``[optional]`` parts), whose continuation lines are joined to it."""
    commands = []
    for line in load(name).__doc__.splitlines():
        text = line.split("#")[0].strip()
        if text.startswith(f"python benchmarks/{name}.py"):
            commands.append(text)
        elif commands and text.startswith("[") and commands[-1].endswith("]"):
            commands[-1] += " " + text
    return [(text, "[" not in text) for text in commands]


@pytest.fixture
def tripwires(monkeypatch):
    """Replaces every benchmark's work functions by ones that fail the test if called."""

    def tripwire(name, function):
        def called(*args, **kwargs):
            raise AssertionError(f"{name}.{function} ran: the bad value should have been refused before any work")
        return called

    for name, functions in WORK.items():
        for function in functions:
            monkeypatch.setattr(load(name), function, tripwire(name, function))


@pytest.mark.parametrize("name", NAMES)
def test_every_benchmark_is_covered_here(name):
    assert name in WORK, f"benchmarks/{name}.py: add its work functions to WORK in this file"


@pytest.mark.parametrize("name", NAMES)
def test_help_shows_the_options_the_docstring_names(name, capsys):
    module = load(name)
    with pytest.raises(SystemExit) as exit_:
        module.main(["--help"])
    assert exit_.value.code == 0
    shown = capsys.readouterr().out
    real = options(module.build_parser())
    assert real - {"--help"} <= set(OPTION.findall(shown)), "an option missing from --help"
    assert usage_commands(name), f"benchmarks/{name}.py: its docstring shows no command line"
    named = set(OPTION.findall(" ".join(text for text, _ in usage_commands(name))))
    assert named <= real, f"the docstring's command lines name options the script does not have: {named - real}"
    undocumented = real - {"--help"} - set(OPTION.findall(module.__doc__))
    assert not undocumented, f"options the docstring never names: {sorted(undocumented)}"


@pytest.mark.parametrize("name", NAMES)
def test_the_docstring_commands_parse(name):
    parser = load(name).build_parser()
    for text, runnable in usage_commands(name):
        if runnable:
            parser.parse_args(shlex.split(text)[2:])  # exits 2 on an option the script no longer has


def test_help_runs_as_a_script():
    """Run as ``python benchmarks/X.py`` (the benchmarks folder, not the project, first on ``sys.path``); the
    genomics script also starts itself again as its Prodigal worker this way."""
    result = subprocess.run([sys.executable, "benchmarks/genomics_vs_prodigal.py", "--help"], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "--genomes" in result.stdout


@pytest.mark.parametrize("name, argv, line", [
    ("genomics_vs_prodigal", [], "skipped: ../shared/data/genomics is absent"),
    ("sentiment_negation", ["--part", "speed"], "skipped: ../shared/data/sentiment is absent"),
    ("sentiment_negation", ["--part", "mr"], "skipped: ../shared/data/sentiment is absent"),
    ("sentiment_scorecard", [], "skipped: ../shared/data/sentiment is absent"),
])
def test_skips_with_a_line_without_the_shared_data(name, argv, line, monkeypatch, capsys, tripwires, tmp_path):
    monkeypatch.setenv("GATED_SHARED_DATA", str(tmp_path / "absent"))
    assert load(name).main(argv) is None  # returns: exit 0
    assert line in capsys.readouterr().out


def test_ecology_gpdd_case_skips_without_the_shared_data(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("GATED_SHARED_DATA", str(tmp_path / "absent"))
    assert load("ecology_backtest").main(["--case", "gpdd", "--json", str(tmp_path / "report.json")]) is None
    assert "gpdd: skipped, ../shared/data/ecology is absent" in capsys.readouterr().out
    assert json.loads((tmp_path / "report.json").read_text()) == {"gpdd": None}


#: ``(script, argv, words argparse's error line must hold)``, each refused (exit 2) before any work. In argv,
#: ``FOLDER`` is an existing folder, ``MISSING`` a file that is not there, ``UNDER_A_FILE`` a path below a file.
BAD_VALUES = [
    ("churn_survival", "--part simulator --sim-seeds 0,x", "--sim-seeds"),
    ("churn_survival", "--part cdnow --repeats 0", "--repeats"),
    ("churn_survival", "--part simulator --n-train -5", "--n-train"),
    ("churn_survival", "--part telco --seed -1", "--seed"),
    ("churn_survival", "--part all --lifetimes MISSING", "--lifetimes"),
    ("churn_survival", "--part population", "needs --lifetimes"),
    ("churn_survival", "--part telco --out FOLDER", "is a directory"),
    ("churn_survival", "--part telco --out UNDER_A_FILE", "is a file, not a folder"),
    ("ecology_backtest", "--case gpdd --gated {epochs:3}", "not JSON"),
    ("ecology_backtest", "--case gpdd --gated [3]", "a JSON object"),
    ("ecology_backtest", '--case gpdd --gated {"epoch":3}', "epoch"),
    ("ecology_backtest", '--case gpdd --gated {"shrink":"cubic"}', "shrink"),
    ("ecology_backtest", "--case gpdd --limit -1", "--limit"),
    ("ecology_backtest", "--case lynx --json FOLDER", "is a directory"),
    ("ecology_backtest", "--case lynx --save-weights UNDER_A_FILE", "--save-weights"),
    ("genomics_vs_prodigal", "--genomes malvi,mars", "mars"),
    ("genomics_vs_prodigal", "--genomes ,", "--genomes"),
    ("genomics_vs_prodigal", "--genomes malvi --model MISSING", "--model"),
    ("genomics_vs_prodigal", "--genomes malvi --card MISSING", "--card"),
    ("genomics_vs_prodigal", "--genomes malvi --out FOLDER", "is a directory"),
    ("layers_speed", "--rounds 0", "--rounds"),
    ("layers_speed", "--units x", "--units"),
    ("layers_speed", "--out FOLDER", "is a directory"),
    ("sentiment_negation", "--part mr --folds 1", "--folds"),
    ("sentiment_negation", "--part seeds --seeds 0 -1", "--seeds"),
    ("sentiment_negation", "--part speed --update-card MISSING", "--update-card"),
    ("sentiment_negation", "--part speed --out UNDER_A_FILE", "is a file, not a folder"),
    ("sentiment_scorecard", "--model MISSING", "--model"),
    ("sentiment_scorecard", "--update-card", "--update-card needs --model"),
    ("sentiment_scorecard", "--model FOLDER --update-card", "has no card"),
]


@pytest.mark.parametrize("name, argv, words", BAD_VALUES, ids=[f"{n}: {a}" for n, a, _ in BAD_VALUES])
def test_bad_values_are_refused_before_any_work(name, argv, words, tmp_path, capsys, tripwires):
    (tmp_path / "a_file").write_text("")
    places = {"FOLDER": tmp_path, "MISSING": tmp_path / "missing.json", "UNDER_A_FILE": tmp_path / "a_file" / "x.json"}
    with pytest.raises(SystemExit) as exit_:
        load(name).main([str(places.get(word, word)) for word in argv.split()])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and words in err, err


def test_ecology_card_is_written_atomically(tmp_path):
    """A card whose writing fails leaves the previous card whole (it used to be truncated first)."""
    model, card = tmp_path / "lynx.keras", tmp_path / "lynx.json"
    card.write_text('{"metrics": "old"}')
    with pytest.raises(TypeError):
        load("ecology_backtest")._write_card(model, {"metrics": "new", "model": object()})  # not JSON
    assert json.loads(card.read_text()) == {"metrics": "old"}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["lynx.json"]  # no temporary file left
    load("ecology_backtest")._write_card(model, {"metrics": "new", "mse": 0.5})
    assert json.loads(card.read_text()) == {"metrics": "new", "mse": 0.5}


def test_layers_speed_default_out_is_in_the_project(monkeypatch, tmp_path):
    """Whatever the working directory, the default ``--out`` is the project's git-ignored results folder."""
    monkeypatch.chdir(tmp_path)
    out = load("layers_speed").build_parser().parse_args([]).out
    assert Path(out) == ROOT / "benchmarks" / "results" / "layers_speed.json"


def test_churn_sim_seeds_are_parsed_to_a_list():
    parser = load("churn_survival").build_parser()
    assert parser.parse_args([]).sim_seeds == [0, 1, 2]
    assert parser.parse_args(["--sim-seeds", "3,4"]).sim_seeds == [3, 4]


def test_sentiment_recipe_is_a_valid_train_command(tmp_path):
    """The seeds part trains ``RECIPE`` through ``python -m domains.sentiment train``: its options still exist."""
    from domains.sentiment.__main__ import _parser

    recipe = load("sentiment_negation").RECIPE
    args = _parser().parse_args(["train", "--out", str(tmp_path / "seed0.keras"), "--seed", "0", *recipe, "--json"])
    assert (args.epochs, args.augment, args.lexicon) == (2, 12000, True)


def test_lynx_card_keeps_the_inner_protocol_only_for_the_same_settings(tmp_path):
    """Saving lynx weights without ``--case lynx-inner`` used to drop the table that chose the settings."""
    bench = load("ecology_backtest")
    settings = dict(bench.PER_SERIES, epochs=20)  # what a quick run records
    card = tmp_path / "lynx_1821_1920.json"
    table = {"origins": [1900], "candidates": {"A": {"mse": 0.06}}}
    card.write_text(json.dumps({"settings": json.loads(json.dumps(settings, default=float)), "inner_protocol": table}))
    bench.lynx_case(0, True, save_weights=tmp_path, argv=["--case", "lynx", "--quick"])
    kept = json.loads(card.read_text())["inner_protocol"]
    assert {k: kept[k] for k in table} == table and "not run again" in kept["carried_over"]
    assert bench._kept_inner_protocol(card.with_suffix(".keras"), {**settings, "units": 99}) is None
    card.write_text("{not json")
    assert bench._kept_inner_protocol(card.with_suffix(".keras"), settings) is None
    fresh = {"A": {"mse": 0.05}}
    bench.lynx_case(0, True, save_weights=tmp_path, argv=["--case", "lynx", "--quick"], inner=fresh)
    assert json.loads(card.read_text())["inner_protocol"]["candidates"] == fresh
