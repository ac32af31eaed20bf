"""What an experiment is, what it returns, and how its outputs are written.

An :class:`Experiment` reproduces one claim about memory in recurrent networks. It states its success
criterion before it runs; :meth:`Experiment.run` (``run(quick, seed)``) returns a :class:`Result`: a table, a
figure, whether the claim held by that criterion, and one honest sentence with the figures. :func:`write`
puts ``<name>.csv``, ``<name>.png`` and ``<name>.json`` into a folder, atomically, refusing to overwrite
without ``force``.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from typing import Any, Callable

from shared.atomic import atomic_open, atomic_path, check_writable
from shared.cli import SEED_LIMIT


@dataclass
class Result:
    """The outcome of one run of an experiment.

    Attributes:
        table: a ``pandas.DataFrame`` of the measured figures (written as CSV).
        figure: a matplotlib ``Figure`` (written as PNG).
        held: whether the claim held by the experiment's criterion.
        summary: one sentence with the deciding figures, true whichever way the verdict went.
    """

    table: Any
    figure: Any
    held: bool
    summary: str


@dataclass(frozen=True)
class Experiment:
    """One reproducible claim.

    Attributes:
        name: the command-line name, also the stem of the output files.
        claim: one paragraph stating the claim, with its citation.
        criterion: the success criterion, fixed before running.
        run: ``run(quick, seed) -> Result``; ``quick`` selects the small settings (at most ~40 s on two
            cores), ``seed`` the random stream.
        full_runtime: the measured wall time of the full settings, e.g. ``"about 12 min on 2 CPU cores"``.
    """

    name: str
    claim: str
    criterion: str
    run: Callable[[bool, int], Result]
    full_runtime: str


def log_x_ticks(axis, values) -> None:
    """Puts matplotlib ``axis`` on a log x scale labelled at exactly ``values`` (the measured T or sizes), without
    minor ticks."""
    values = sorted(values)
    axis.set_xscale("log")
    axis.set_xticks(values, [str(value) for value in values])
    axis.minorticks_off()


def plot_mean_and_runs(axis, rows, x: str, y: str, style: str, label: str) -> None:
    """Plots the mean of column ``y`` per value of ``x`` over the DataFrame ``rows`` as a line (matplotlib
    ``style``, legend ``label``), with every run as a faint dot of the same colour."""
    mean = rows.groupby(x)[y].mean()
    line, = axis.plot(mean.index, mean.values, style, label=label)
    axis.scatter(rows[x], rows[y], color=line.get_color(), s=10, alpha=0.5)


def timed_run(experiment: Experiment, quick: bool, seed: int) -> tuple[Result, float]:
    """Runs ``experiment`` and returns its :class:`Result` and the wall time in seconds."""
    start = time.perf_counter()
    result = experiment.run(quick, seed)
    return result, time.perf_counter() - start


def run_seeds(seed: int, runs: int) -> list[int]:
    """The seeds of ``runs`` repeated runs (Keras trainings, probe splits) under the experiment seed ``seed``:
    ``seed * runs + k`` for ``k < runs`` (so seed 0 gives 0, 1, ...), folded into ``[0, SEED_LIMIT)``; different
    experiment seeds give disjoint runs (below the limit) rather than sharing all but one."""
    return [(seed * runs + k) % SEED_LIMIT for k in range(runs)]


def output_paths(name: str, out_dir: str) -> dict[str, str]:
    """The ``csv``, ``png`` and ``json`` paths of experiment ``name`` in ``out_dir``."""
    return {ext: os.path.join(out_dir, f"{name}.{ext}") for ext in ("csv", "png", "json")}


def check_outputs(name: str, out_dir: str, force: bool = False) -> None:
    """Refuses, before any work, outputs of experiment ``name`` that :func:`write` could not put in ``out_dir``.

    Raises:
        shared.cli.InputError: ``out_dir`` cannot be made or written, or an output exists and ``force`` is
            False, or names a directory (:func:`shared.atomic.check_writable`).
    """
    for path in output_paths(name, out_dir).values():
        check_writable(path, force)


def write(experiment: Experiment, result: Result, out_dir: str, force: bool = False, *, quick: bool = False,
          seed: int = 0, wall_s: float | None = None) -> tuple[str, str]:
    """Writes ``<name>.csv``, ``<name>.png`` and ``<name>.json`` into ``out_dir``.

    The JSON file holds the claim, criterion, verdict (``held``), summary, ``quick``, ``seed`` and wall seconds.
    Every file is written atomically; none is written if any of them exists and ``force`` is False.

    Returns:
        ``(csv_path, png_path)``.

    Raises:
        shared.cli.InputError: an output exists and ``force`` is False, or names a directory; or ``out_dir`` is a
            file (:func:`check_outputs`).
    """
    check_outputs(experiment.name, out_dir, force)
    paths = output_paths(experiment.name, out_dir)
    os.makedirs(out_dir, exist_ok=True)
    with atomic_path(paths["csv"], force=force) as tmp:
        result.table.to_csv(tmp, index=False)
    with atomic_path(paths["png"], force=force) as tmp:
        result.figure.savefig(tmp, dpi=120, bbox_inches="tight", format="png")
    record = {
        "name": experiment.name, "claim": experiment.claim, "criterion": experiment.criterion,
        "held": bool(result.held), "summary": result.summary, "quick": bool(quick), "seed": int(seed),
        "wall_s": None if wall_s is None else round(float(wall_s), 2), "full_runtime": experiment.full_runtime,
    }
    with atomic_open(paths["json"], force=force, encoding="utf-8") as handle:
        json.dump(record, handle, indent=2)
        handle.write("\n")
    return paths["csv"], paths["png"]
