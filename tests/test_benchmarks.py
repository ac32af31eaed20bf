"""The benchmark scripts (``benchmarks/*.py``) as command lines: each one's ``--help`` works and names the options
its docstring shows, the commands its docstring gives parse, it skips with a clear line (exit 0) where the shared
data are absent, it refuses bad values (argparse's exit 2) before any work, and it writes its files atomically.

Nothing here runs a benchmark: the functions that do the work are replaced by tripwires that fail the test if
they are reached, so a refusal that came too late fails instead of training for an hour.
"""

import argparse
import gzip
import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import textwrap
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


@pytest.mark.parametrize("name, argv, domain", [
    ("genomics_vs_prodigal", [], "genomics"),
    ("sentiment_negation", ["--part", "speed"], "sentiment"),
    ("sentiment_negation", ["--part", "mr"], "sentiment"),
    ("sentiment_scorecard", [], "sentiment"),
])
def test_skips_with_a_line_without_the_shared_data(name, argv, domain, monkeypatch, capsys, tripwires, tmp_path):
    """The line names the folder searched: ``$GATED_SHARED_DATA/<domain>`` here, not ``../shared/data``."""
    monkeypatch.setenv("GATED_SHARED_DATA", str(tmp_path / "absent"))
    assert load(name).main(argv) is None  # returns: exit 0
    assert f"skipped: {tmp_path / 'absent' / domain} is absent" in capsys.readouterr().out


def test_ecology_gpdd_case_skips_without_the_shared_data(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("GATED_SHARED_DATA", str(tmp_path / "absent"))
    assert load("ecology_backtest").main(["--case", "gpdd", "--json", str(tmp_path / "report.json")]) is None
    assert f"gpdd: skipped, {tmp_path / 'absent' / 'ecology'} is absent" in capsys.readouterr().out
    assert json.loads((tmp_path / "report.json").read_text()) == {"gpdd": None}


#: ``(script, argv, the file named)``: each part's run with the domain's shared folder there but empty.
MISSING_DATA = [
    ("sentiment_scorecard", "--baseline vader", "sst/trees/train.txt[.gz]"),
    ("sentiment_scorecard", "--baseline tfidf", "sst/trees/train.txt[.gz]"),
    ("sentiment_negation", "--part speed", "sst/trees/test.txt[.gz]"),
    ("sentiment_negation", "--part seeds --train-only", "sst/trees/train.txt[.gz]"),
    ("sentiment_negation", "--part seeds", "sst/trees/train.txt[.gz]"),
    ("sentiment_negation", "--part mr", "rt-polarity/rt-polarity.pos[.gz]"),
    ("ecology_backtest", "--case gpdd", "gpdd/gpdd_benchmark_ids.csv"),
    ("ecology_backtest", "--case timing", "gpdd/gpdd_benchmark_ids.csv"),
    ("genomics_vs_prodigal", "--genomes malvi", "Mycoplasmoides_alvi_ATCC29626_NZ_JNJU01.gbk.gz"),
]


@pytest.mark.parametrize("name, argv, missing", MISSING_DATA, ids=[f"{n}: {a}" for n, a, _ in MISSING_DATA])
def test_a_file_missing_from_the_shared_data_is_named_before_any_work(name, argv, missing, monkeypatch, capsys,
                                                                       tripwires, tmp_path):
    domain = {"ecology_backtest": "ecology", "genomics_vs_prodigal": "genomics"}.get(name, "sentiment")
    (tmp_path / domain).mkdir()
    monkeypatch.setenv("GATED_SHARED_DATA", str(tmp_path))
    with pytest.raises(SystemExit) as exit_:
        load(name).main(argv.split())
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"error: {tmp_path / domain / missing}: not found in the shared data folder {tmp_path / domain}" in err


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
    ("ecology_backtest", '--case gpdd --gated {"seed":5}', "seed: set by the script"),
    ("ecology_backtest", '--case gpdd --gated {"horizon":3}', "horizon: set by the script"),
    ("ecology_backtest", '--case gpdd --gated {"ensemble":0}', "ensemble must be a whole number >= 1, got 0"),
    ("ecology_backtest", '--case gpdd --gated {"units":0}', "units must be a whole number >= 1, got 0"),
    ("ecology_backtest", '--case gpdd --gated {"epochs":0}', "epochs must be a whole number >= 1, got 0"),
    ("ecology_backtest", '--case gpdd --gated {"epochs":-3}', "epochs must be a whole number >= 1, got -3"),
    ("ecology_backtest", '--case gpdd --gated {"epochs":2.5}', "epochs must be a whole number >= 1, got 2.5"),
    ("ecology_backtest", '--case gpdd --gated {"patience":true}', "patience must be a whole number >= 0, got True"),
    ("ecology_backtest", "--case lynx-inner --candidates B Z", "no candidate's name starts with Z; the names start "
                                                              "with A, B, C, D, E, F"),
    ("ecology_backtest", "--case lynx --candidates B", "--candidates: only --case lynx-inner reads it"),
    ("ecology_backtest", '--case lynx --case sim --gated {"epochs":3}', "--gated: only --case gpdd reads it"),
    ("ecology_backtest", "--case timing --baselines ar2", "--baselines: only --case gpdd reads it"),
    ("ecology_backtest", "--case sim --limit 3", "--limit: only --case gpdd or timing reads it"),
    ("ecology_backtest", "--case timing --save-weights FOLDER", "--save-weights: only --case lynx or gpdd reads it"),
    ("ecology_backtest", "--case lynx --json FOLDER", "is a directory"),
    ("ecology_backtest", "--case lynx --save-weights UNDER_A_FILE", "--save-weights"),
    ("genomics_vs_prodigal", "--genomes malvi,mars", "mars"),
    ("genomics_vs_prodigal", "--genomes ,", "--genomes"),
    ("genomics_vs_prodigal", "--genomes malvi --model MISSING", "--model"),
    ("genomics_vs_prodigal", "--genomes malvi --card MISSING", "--card"),
    ("genomics_vs_prodigal", "--genomes malvi --out FOLDER", "is a directory"),
    ("genomics_vs_prodigal", "--genomes malvi --card LIST", "not a model card (its JSON is not an object)"),
    ("genomics_vs_prodigal", "--genomes malvi,ecoli --card CARD", "has figures for ddeserti,hsalinarum, which "
                                                                  "--genomes leaves out"),
    ("layers_speed", "--rounds 0", "--rounds"),
    ("layers_speed", "--units x", "--units"),
    ("layers_speed", "--out FOLDER", "is a directory"),
    ("sentiment_negation", "--part mr --folds 1", "--folds"),
    ("sentiment_negation", "--part speed --folds 3", "--folds: only --part mr reads it, and this run does not "
                                                     "include it"),
    ("sentiment_negation", "--part speed --fold-cache FOLDER", "--fold-cache: only --part mr reads it"),
    ("sentiment_negation", "--part seeds --reverse", "--reverse: only --part mr reads it"),
    ("sentiment_negation", "--part mr --seeds 4", "--seeds: only --part seeds reads it, and this run does not "
                                                  "include it"),
    ("sentiment_negation", "--part speed --train-only", "--train-only: only --part seeds reads it"),
    ("churn_survival", "--part telco --lifetimes A_FILE", "--lifetimes: only --part population reads it, and this "
                                                          "run does not include it"),
    ("churn_survival", "--part simulator --seed 3", "--seed: only --part cdnow or population or telco reads it"),
    ("churn_survival", "--part telco --bootstrap 50", "--bootstrap: only --part cdnow or population reads it"),
    ("churn_survival", "--part cdnow --sim-seeds 1", "--sim-seeds: only --part simulator reads it"),
    ("sentiment_negation", "--part seeds --seeds 0 -1", "--seeds"),
    ("sentiment_negation", "--part speed --update-card MISSING", "--update-card"),
    ("sentiment_negation", "--part speed --out UNDER_A_FILE", "is a file, not a folder"),
    ("sentiment_negation", "--part speed --update-card LIST", "not a model card (its JSON is not an object)"),
    ("sentiment_negation", "--part seeds --runs UNDER_A_FILE", "--runs: "),
    ("sentiment_negation", "--part mr --fold-cache UNDER_A_FILE", "--fold-cache: "),
    ("sentiment_negation", "--part speed --out CARD --update-card CARD", "named by both --out and --update-card"),
    ("genomics_vs_prodigal", "--genomes malvi --out CARD --card CARD", "named by both --out and --card"),
    ("churn_survival", "--part population --lifetimes A_FILE --out A_FILE", "--out names a file the command reads"),
    ("ecology_backtest", "--case lynx --save-weights FOLDER --json LYNX_CARD",
     "named by both --json and --save-weights (lynx)"),
    ("sentiment_scorecard", "--model MISSING", "--model"),
    ("sentiment_scorecard", "--update-card", "--update-card needs --model"),
    ("sentiment_scorecard", "--model FOLDER --update-card", "has no card"),
    ("sentiment_scorecard", "--model A_FILE", "not a run folder or .keras file"),
    ("sentiment_scorecard", "--model FOLDER", "not a run folder or .keras file"),
]


@pytest.mark.parametrize("name, argv, words", BAD_VALUES, ids=[f"{n}: {a}" for n, a, _ in BAD_VALUES])
def test_bad_values_are_refused_before_any_work(name, argv, words, tmp_path, capsys, tripwires):
    (tmp_path / "a_file").write_text("")
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "genomes.json").write_text(json.dumps({"metrics": {
        "validation_never_trained_on": {"ddeserti": {}, "hsalinarum": {}, "malvi": {}}, "trained_on": {"ecoli": {}}}}))
    places = {"FOLDER": tmp_path, "MISSING": tmp_path / "missing.json", "UNDER_A_FILE": tmp_path / "a_file" / "x.json",
              "A_FILE": tmp_path / "a_file", "LIST": tmp_path / "list.json", "CARD": tmp_path / "genomes.json",
              "LYNX_CARD": tmp_path / "lynx_1821_1920.json"}
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
    bench = load("churn_survival")
    parser = bench.build_parser()
    for argv, seeds in (([], [0, 1, 2]), (["--sim-seeds", "3,4"], [3, 4])):
        args = parser.parse_args(argv)
        bench.check_args(parser, args)  # fills in the defaults
        assert args.sim_seeds == seeds


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


def test_run_as_a_script_a_bad_value_is_one_line():
    """Run as a script (through ``shared.cli.run``), a refused option is one line on stderr, without the usage."""
    result = subprocess.run([sys.executable, "benchmarks/genomics_vs_prodigal.py", "--genomes", "mars"],
                            capture_output=True, text=True, cwd=ROOT, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["genomics_vs_prodigal.py: error: --genomes: unknown ['mars']; choose from "
                                          "['ddeserti', 'ecoli', 'hsalinarum', 'malvi'] (see --help)"]


def test_mr_fold_cache_reuses_only_folds_made_the_same_way(monkeypatch, capsys, tripwires, tmp_path):
    """A cached fold records what made it; one made otherwise (or hand-made) is refused before any fold runs."""
    rt = tmp_path / "data" / "sentiment" / "rt-polarity"
    rt.mkdir(parents=True)
    for name, text in (("pos", b"good\nfine\n"), ("neg", b"bad\nawful\n")):
        (rt / f"rt-polarity.{name}.gz").write_bytes(gzip.compress(text))
    monkeypatch.setenv("GATED_SHARED_DATA", str(tmp_path / "data"))
    bench, cache, fold = load("sentiment_negation"), tmp_path / "cache", tmp_path / "cache" / "fold0.json"
    cache.mkdir()
    figures = {"fold": 0, "bigatedlstm": 0.99, "bigatedlstm_one": 0.99, "tfidf": 0.5, "nbsvm": 0.5}

    def refused(folds, seed, differ):
        with pytest.raises(SystemExit) as exit_:
            bench.main(["--part", "mr", "--folds", str(folds), "--seed", str(seed), "--fold-cache", str(cache)])
        assert exit_.value.code == 2
        assert f"--fold-cache: {fold} was made by another run (differs in: {differ});" in capsys.readouterr().err

    fold.write_text(json.dumps(figures))  # hand-made, or by a version that recorded nothing
    refused(2, 7, "not recorded")
    made_by = bench.mr_made_by(2, 7)
    assert made_by["seed"] == 7 and made_by["folds"] == 2 and made_by["members"] == bench.MR_MEMBERS
    fold.write_text(json.dumps({**figures, "made_by": made_by}))
    assert bench.cached_fold(fold, made_by) == figures
    assert bench.cached_fold(cache / "fold1.json", made_by) is None
    refused(2, 8, "['seed']")
    refused(3, 7, "['folds']")
    with pytest.raises(AssertionError, match="part_mr ran"):  # the same run: the check lets it through
        bench.main(["--part", "mr", "--folds", "2", "--seed", "7", "--fold-cache", str(cache)])
    fold.write_text(json.dumps({**figures, "made_by": {**made_by, "settings": {**made_by["settings"], "epochs": 9}}}))
    refused(2, 7, "['settings']")
    fold.write_text(json.dumps({**figures, "made_by": made_by}))
    (rt / "rt-polarity.neg.gz").write_bytes(gzip.compress(b"bad\n"))  # other data
    refused(2, 7, "['data_sha256']")
    fold.write_text("[1]")
    refused(2, 7, "not recorded")


def test_scorecard_refuses_a_run_card_that_is_not_an_object(tmp_path, capsys, tripwires):
    (tmp_path / "model.keras").write_text("")
    (tmp_path / "card.json").write_text("[1, 2]")
    with pytest.raises(SystemExit) as exit_:
        load("sentiment_scorecard").main(["--model", str(tmp_path), "--update-card"])
    assert exit_.value.code == 2
    assert f"--update-card: {tmp_path / 'card.json'}: not a model card" in capsys.readouterr().err


def test_mr_from_cached_folds_writes_only_its_own_lines(monkeypatch, tmp_path):
    """Run as a script, the MR part (here every fold cached: nothing trains) leaves stderr empty: TensorFlow's
    start-up notices are held back (they used to be four lines there), and stdout holds the summary."""
    bench = load("sentiment_negation")
    rt, cache = tmp_path / "data" / "sentiment" / "rt-polarity", tmp_path / "cache"
    rt.mkdir(parents=True)
    cache.mkdir()
    for name, text in (("pos", b"good\nfine\n"), ("neg", b"bad\nawful\n")):
        (rt / f"rt-polarity.{name}.gz").write_bytes(gzip.compress(text))
    monkeypatch.setenv("GATED_SHARED_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)  # as a user runs it
    made_by = bench.mr_made_by(2, 7)
    for fold in range(2):
        figures = {"fold": fold, "bigatedlstm": 0.75, "bigatedlstm_one": 0.5, "tfidf": 0.5, "nbsvm": 0.5}
        (cache / f"fold{fold}.json").write_text(json.dumps({**figures, "made_by": made_by}))
    result = subprocess.run([sys.executable, "benchmarks/sentiment_negation.py", "--part", "mr", "--folds", "2",
                             "--seed", "7", "--fold-cache", str(cache)], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "MR 2-fold bigatedlstm      mean 0.7500 sd 0.0000" in result.stdout


def test_genomics_timed_process_passes_on_a_refused_input_as_one_line():
    """A predict command that refused its input (exit 2, ``error: ...``) is bad input here too, not an internal
    error with the child's traceback."""
    from shared.cli import InputError

    genomics = load("genomics_vs_prodigal")
    refuse = "import sys; sys.stderr.write('notice\\nerror: m.keras: not a gene finder\\n'); sys.exit(2)"
    with pytest.raises(InputError, match="^m.keras: not a gene finder$"):
        genomics.timed_process([sys.executable, "-c", refuse])
    with pytest.raises(RuntimeError, match="failed"):
        genomics.timed_process([sys.executable, "-c", "import sys; sys.exit(1)"])


def test_genomics_timed_process_reads_a_long_stderr(tmp_path):
    """A child writing more than a pipe holds to stderr used to block for ever; the peak memory is in GB, and
    the CPU time is the child's own (one busy thread: at most its wall time; a sleep: none)."""
    runner = tmp_path / "runner.py"
    runner.write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT / "benchmarks")!r})
        from genomics_vs_prodigal import timed_process
        used = timed_process([sys.executable, "-c", "import sys; sys.stderr.write('w' * 100000); "
                              "x = b'x' * 200_000_000"])
        print(used["peak_gb"])
        busy = timed_process([sys.executable, "-c", "import time; end = time.process_time() + 0.5; "
                              "all(iter(lambda: time.process_time() < end, False))"])
        idle = timed_process([sys.executable, "-c", "import time; time.sleep(1)"])
        print(0.5 <= busy["cpu_seconds"] <= busy["seconds"], idle["seconds"] - idle["cpu_seconds"] > 0.9)
        try:
            timed_process([sys.executable, "-c", "import sys; sys.stderr.write('w' * 100000 + 'END'); sys.exit(3)"])
        except RuntimeError as error:
            print(str(error)[-10:])
    """))
    result = subprocess.run([sys.executable, str(runner)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    gb, cpu, tail = result.stdout.splitlines()
    assert 0.2 <= float(gb) < 1.0
    assert cpu == "True True"
    assert tail == "wwwwwwwEND"


def test_ecology_timing_marks_a_quick_run(monkeypatch, capsys, tmp_path):
    bench = load("ecology_backtest")

    class Instant:  # stands in for GatedForecaster: the lines, not a fit, are under test
        def __init__(self, **settings):
            pass

        def fit(self, z):
            return self

        def predict(self, steps):
            return None

    monkeypatch.setattr(bench, "GatedForecaster", Instant)
    monkeypatch.setenv("GATED_SHARED_DATA", str(tmp_path / "absent"))
    bench.timing_case(0, True, 0)
    out = capsys.readouterr().out
    assert "  one series (lynx, 100 values, QUICK epochs): fit + 10-step forecast" in out
    assert f"  global: skipped, {tmp_path / 'absent' / 'ecology'} is absent" in out
    bench.timing_case(0, False, 0)
    assert "  one series (lynx, 100 values): fit" in capsys.readouterr().out


def test_churn_population_verdict_needs_50_resamples(monkeypatch, capsys, tmp_path):
    """A verdict from 1 resample used to be printed as if it meant something."""
    from domains.churn import cdnow_master

    bench = load("churn_survival")
    model = {"c_index": 0.74, "c_td": 0.73, "ibs": 0.12}
    scores = {"gated": model, "coxph": model, "km": model}
    interval = {f"{key}_{end}": 0.001 for key in ("dc", "dibs") for end in ("mean", "low", "high")}

    def evaluate(argv):
        argv = [str(word) for word in argv]
        if "--out" in argv:
            Path(argv[argv.index("--out") + 1]).write_text(json.dumps({"bootstrap": {"gated": interval},
                                                                       "calibration": {}}))
        return scores

    monkeypatch.setattr(bench, "_cli_json", evaluate)
    monkeypatch.setattr(cdnow_master, "write_population", lambda lifetimes, ids, log: (10, 5))
    (tmp_path / "lifetimes.whl").write_text("")
    for resamples, said, met in (("1", "n/a (fewer than 50 bootstrap resamples)", None), ("50", "True", True)):
        bench.main(["--part", "population", "--lifetimes", str(tmp_path / "lifetimes.whl"), "--bootstrap", resamples,
                    "--out", str(tmp_path / "churn.json")])
        assert f"C above CoxPH outside the noise: {said};" in capsys.readouterr().out
        assert json.loads((tmp_path / "churn.json").read_text())["population"]["target_met"] is met


def test_layers_speed_prints_the_target_verdict(monkeypatch, capsys, tmp_path):
    bench, out = load("layers_speed"), tmp_path / "speed.json"

    def rows(ratio):
        return [{"layer": name, "anchor": anchor or name, "train_samples_per_s": 100.0, "infer_samples_per_s": 100.0,
                 "train_ratio": ratio if name == "GatedLSTM" else 1.0, "infer_ratio": 1.0}
                for name, anchor, _, _ in bench.CASES]

    for ratio, said in ((0.95, "met"), (0.85, "NOT met")):
        monkeypatch.setattr(bench, "run", lambda *args: rows(ratio))
        bench.main(["--out", str(out)])
        assert (f"target (issue 2): GatedLSTM trains at >= 0.9x keras.LSTM: ratio {ratio:.3f} in this run: {said}\n"
                in capsys.readouterr().out)
        assert json.loads(out.read_text())["target_met"] is (ratio >= 0.9)
