"""The experiments framework: lazy registry, unknown names, atomic writes, the command line."""

import json
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from shared.cli import InputError  # noqa: E402
from shared.experiments import EXPERIMENTS, MODULES, get  # noqa: E402
from shared.experiments.base import Experiment, Result, write  # noqa: E402


def _toy_run(quick, seed):
    figure, axis = plt.subplots()
    axis.plot([0, 1], [seed, seed + 1])
    table = pd.DataFrame({"x": [0, 1], "y": [seed, seed + (1 if quick else 2)]})
    return Result(table=table, figure=figure, held=True, summary=f"toy held with seed {seed}")


TOY = Experiment(name="toy", claim="A toy claim (Nobody 2024).", criterion="always holds", run=_toy_run,
                 full_runtime="instant")


def test_registry_lists_all_seven_names_without_importing_tensorflow():
    code = ("import sys; import shared.experiments as e; "
            "print(len(e.MODULES), 'tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["7", "False", "False"]
    assert list(EXPERIMENTS) == list(MODULES) and len(EXPERIMENTS) == 7


def test_get_unknown_name_lists_the_valid_ones():
    with pytest.raises(InputError) as error:
        get("no_such_claim")
    assert "no_such_claim" in str(error.value) and "latching_noise" in str(error.value)


def test_get_returns_the_module_experiment():
    experiment = get("latching_noise")
    assert experiment.name == "latching_noise" and experiment.criterion and experiment.full_runtime


def test_write_puts_three_files_and_refuses_to_overwrite(tmp_path):
    result = TOY.run(True, 3)
    csv_path, png_path = write(TOY, result, str(tmp_path), quick=True, seed=3, wall_s=1.5)
    assert pd.read_csv(csv_path).equals(result.table)
    assert open(png_path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    record = json.loads((tmp_path / "toy.json").read_text())
    assert record["held"] is True and record["seed"] == 3 and record["quick"] is True and record["wall_s"] == 1.5
    assert record["criterion"] == "always holds"
    before = (tmp_path / "toy.csv").read_text()
    with pytest.raises(InputError, match="already exists"):
        write(TOY, TOY.run(False, 3), str(tmp_path))
    assert (tmp_path / "toy.csv").read_text() == before
    write(TOY, TOY.run(False, 3), str(tmp_path), force=True)
    assert (tmp_path / "toy.csv").read_text() != before


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "shared.experiments", *args], capture_output=True, text=True,
                          cwd=cwd)


def test_cli_unknown_name_exits_2_with_one_line():
    done = _cli("no_such_claim")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "no_such_claim" in done.stderr


def test_cli_help_shows_an_example():
    done = _cli("--help")
    assert done.returncode == 0 and "python -m shared.experiments latching_noise --quick" in done.stdout


def test_cli_runs_and_refuses_to_overwrite(tmp_path):
    done = _cli("latching_noise", "--quick", "--out", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout.strip().splitlines()[-1])
    assert record["name"] == "latching_noise" and (tmp_path / "latching_noise.png").exists()
    again = _cli("latching_noise", "--quick", "--out", str(tmp_path))
    assert again.returncode == 2 and "already exists" in again.stderr
