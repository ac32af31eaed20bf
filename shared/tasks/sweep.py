"""Sweep a task over sequence lengths and layers: one :func:`~shared.tasks.runner.run_task` per (layer, T).

Writes (atomically, refusing to replace existing files unless ``force``) ``sweep_<task>.csv`` (one row per run, the
:func:`run_task` fields except the loss curve) and ``sweep_<task>.png`` (the test metric against T, one line per
layer, with the input-blind baseline dashed and the "solved" threshold dotted) into the output folder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from shared.atomic import atomic_path, check_writable
from shared.cli import InputError
from shared.tasks.generators import get_task
from shared.tasks.models import LAYERS, RunConfig


def sweep_paths(task_name: str, out: str | Path, force: bool = False) -> tuple[Path, Path]:
    """The ``(csv, png)`` paths of a sweep of ``task_name`` in the folder ``out``, which is created now.

    Raises:
        shared.cli.InputError: ``out`` is an existing file, or an output exists and ``force`` is False.
        OSError: the folder cannot be made (a file above it, no permission).
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder (the sweep's output folder)")
    out.mkdir(parents=True, exist_ok=True)
    paths = out / f"sweep_{task_name}.csv", out / f"sweep_{task_name}.png"
    for path in paths:
        check_writable(path, force)
    return paths


def run_sweep(
    task_name: str,
    layers: Sequence[str],
    Ts: Sequence[int],
    out: str | Path,
    seed: int = 0,
    config: RunConfig = RunConfig(),
    verbose=1,
    on_result: Callable[[dict], None] | None = None,
    force: bool = False,
) -> pd.DataFrame:
    """Runs every ``layer`` at every ``T`` (each once, in the order given) with the same ``seed`` and ``config``,
    writes the CSV and PNG into ``out`` (created if missing) and returns the table. ``on_result`` is called with
    each run's result as it finishes.

    Everything that can be checked is checked before the first run: the lengths, the layer names (``ValueError``),
    the output folder (created now; ``InputError``, a ``ValueError``, if ``out`` is a file; ``OSError`` if it
    cannot be created) and existing outputs, refused unless ``force``."""
    task = get_task(task_name)
    layers, Ts = list(dict.fromkeys(layers)), list(dict.fromkeys(Ts))  # a value given twice runs once
    if not layers or not Ts:
        raise ValueError(f"a sweep needs at least one layer and one T; got layers={layers}, Ts={Ts}")
    for T in Ts:
        task.check_T(T)
    unknown = [layer for layer in layers if layer not in LAYERS]
    if unknown:
        raise ValueError(f"unknown layer {unknown[0]!r}; known layers: {', '.join(LAYERS)}")
    csv_path, png_path = sweep_paths(task.name, out, force)
    from shared.tasks.runner import run_task  # TensorFlow: only once the arguments are known to be good

    rows = []
    for layer in layers:
        for T in Ts:
            result = run_task(task, T, layer, seed=seed, config=config, verbose=verbose)
            if on_result is not None:
                on_result(result)
            rows.append({key: value for key, value in result.items() if key != "loss_curve"})
    table = pd.DataFrame(rows)
    with atomic_path(csv_path, force=force) as tmp:
        table.to_csv(tmp, index=False)
    with atomic_path(png_path, force=force) as tmp:
        plot_sweep(table, tmp)
    return table


def plot_sweep(table: pd.DataFrame, path: str | Path) -> None:
    """Saves a PNG of ``metric`` against ``T`` for each ``layer`` in ``table`` (one task), with baseline and
    threshold; a log y-axis for metrics where lower is better. The figure is drawn without pyplot, so the
    caller's matplotlib backend (a notebook's inline one) is neither switched nor given a figure to show."""
    from matplotlib.figure import Figure

    task = get_task(table["task"].iloc[0])
    Ts = sorted(table["T"].unique())
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    for layer, runs in table.groupby("layer", sort=False):
        runs = runs.sort_values("T")
        ax.plot(runs["T"], runs["metric"], marker="o", label=layer)
    ax.plot(Ts, [task.baseline(T) for T in Ts], "k--", label="baseline (input-blind)")
    ax.plot(Ts, [task.threshold(T) for T in Ts], "k:", label="solved threshold")
    ax.set_xscale("log")
    ax.set_xticks(Ts, [str(T) for T in Ts])
    ax.minorticks_off()
    if not task.higher_is_better:
        ax.set_yscale("log")
    ax.set_xlabel("T (sequence length, steps)")
    ax.set_ylabel(f"test {task.metric_name}")
    ax.set_title(f"{task.name}: {task.criterion}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
