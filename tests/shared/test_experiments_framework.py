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


def test_run_seeds_start_at_seed_zero_and_never_overlap_between_seeds():
    from shared.experiments.base import SEED_LIMIT, run_seeds

    assert run_seeds(0, 3) == [0, 1, 2]  # the measured full runs (seed 0) keep their Keras seeds
    assert not set(run_seeds(0, 3)) & set(run_seeds(1, 3))
    assert all(0 <= s < SEED_LIMIT for s in run_seeds(SEED_LIMIT - 1, 100))


def test_json_puts_only_json_on_stdout(tmp_path, capsys):
    from shared.experiments.__main__ import main

    assert main(["latching_noise", "--quick", "--out", str(tmp_path), "--json"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["name"] == "latching_noise"
    assert "latching_noise: claim" in err  # the human verdict line goes to stderr
    assert main(["--list", "--json"]) == 0
    claims = json.loads(capsys.readouterr().out)
    assert list(claims) == list(MODULES) and "Bengio" in claims["bptt_alternatives"]


def test_out_naming_a_file_is_refused_before_running(tmp_path, capsys):
    from shared.experiments.__main__ import main

    blocker = tmp_path / "not_a_folder"
    blocker.write_text("mine\n")
    for out in (blocker, blocker / "sub"):
        with pytest.raises(InputError, match="not_a_folder.*not a folder"):
            main(["latching_noise", "--quick", "--out", str(out)])
        assert "claim" not in capsys.readouterr().out  # refused before the experiment ran
        with pytest.raises(InputError, match="not a folder"):
            write(TOY, TOY.run(True, 0), str(out))
    assert blocker.read_text() == "mine\n" and [p.name for p in tmp_path.iterdir()] == ["not_a_folder"]


def test_cli_seed_outside_what_keras_takes_exits_2_with_one_line(tmp_path):
    for seed in ("4294967296", "-1"):
        done = _cli("latching_noise", "--quick", "--seed", seed, "--out", str(tmp_path), cwd=tmp_path)
        assert done.returncode == 2 and done.stderr.strip().count("\n") == 0, done.stderr
        assert "--seed" in done.stderr and seed in done.stderr
    assert not list(tmp_path.iterdir())
