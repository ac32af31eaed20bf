"""Command line for the long-term-dependency suite: ``python -m shared.tasks --help``.

Single run::

    python -m shared.tasks --task adding --T 200 --layer gated_lstm --seed 0 [--units 32] [--steps 1000]
        [--batch 64] [--lr 0.01] [--json]

prints Keras' progress, then one line with the test metric, the baseline and the verdict; with ``--json`` stdout
holds only the :func:`shared.tasks.runner.run_task` result as one JSON object (the progress and the line go to
stderr; a diverged run's NaN metric is written as ``null``).

Sweep::

    python -m shared.tasks --sweep --task adding --layers gated_lstm simple_rnn [--Ts 50 100 200 400] --out DIR

writes ``DIR/sweep_<task>.csv`` and ``DIR/sweep_<task>.png`` (atomically; existing ones only with ``--force``);
with ``--json`` stdout holds only one JSON object with every run. Exit status 0 / 2 (bad arguments: one line on
stderr naming the option) / 1 (internal error), as :func:`shared.cli.run`.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys

from shared import cli
from shared.tasks.generators import TASKS
from shared.tasks.models import GATED_LAYERS, LAYERS, RunConfig
from shared.tasks.sweep import sweep_paths

#: Sequence lengths of a sweep unless ``--Ts`` says otherwise.
DEFAULT_TS = (50, 100, 200, 400)
#: Longest task the command line runs (a batch of sequences this long is a few hundred MB).
MAX_T = 100_000
#: Most input values (sequences x time steps x input features) in the test set or in one training batch:
#: 2**28, 1 GiB as float32 (a seq2seq model's predictions are as large again). With the default --test-size of
#: 1000, adding (2 inputs) runs up to T = 100_000; copy (10 inputs) up to T of about 26_800.
MAX_VALUES = 2**28


def forget_bias_arg(text: str) -> float | str:
    """argparse type: ``chrono`` or a finite float."""
    if text == "chrono":
        return text
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be 'chrono' or a finite number, got {text}")
    return value


def check_size(option: str, sequences: int, task, T: int) -> None:
    """Raises :class:`shared.cli.InputError` naming ``option`` if ``sequences`` sequences of ``task`` at length
    ``T`` hold more than :data:`MAX_VALUES` input values (before any training, rather than a ``MemoryError`` at
    the end of it)."""
    steps = task.sequence_length(T)
    values = sequences * steps * task.input_dim
    if values > MAX_VALUES:
        raise cli.InputError(
            f"{option}: {sequences} sequences of {steps} steps x {task.input_dim} inputs are {values:,} values; "
            f"a test set or batch holds at most {MAX_VALUES:,} (2**28, 1 GiB as float32)"
        )


EXAMPLES = """examples:
  python -m shared.tasks --task adding --T 200 --layer gated_lstm --seed 0 --json
  python -m shared.tasks --sweep --task adding --layers gated_lstm simple_rnn --Ts 50 100 --out runs/adding --force"""


def make_parser() -> argparse.ArgumentParser:
    defaults = RunConfig()
    tasks = "\n".join(f"  {name}: {task.summary}" for name, task in sorted(TASKS.items()))
    parser = argparse.ArgumentParser(
        prog="python -m shared.tasks",
        description="Train a one-layer recurrent model on a long-term-dependency task and score it.",
        epilog=f"{EXAMPLES}\n\ntasks:\n{tasks}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--task", required=True, choices=sorted(TASKS), help="task name")
    parser.add_argument("--T", type=cli.POSITIVE_INT, help="task length in steps (single run)")
    parser.add_argument("--layer", choices=LAYERS, help="recurrent layer (single run)")
    parser.add_argument("--sweep", action="store_true", help="run every --layers at every --Ts")
    parser.add_argument("--layers", nargs="+", choices=LAYERS, metavar="LAYER",
                        help=f"sweep layers: {', '.join(LAYERS)}")
    parser.add_argument("--Ts", nargs="+", type=cli.POSITIVE_INT, default=None,
                        help=f"sweep lengths (default {' '.join(map(str, DEFAULT_TS))})")
    parser.add_argument("--out", help="sweep output folder")
    parser.add_argument("--force", action="store_true", help="replace the sweep's CSV and PNG if they exist")
    parser.add_argument("--seed", type=cli.seed, default=0, help="random seed (default 0)")
    parser.add_argument("--units", type=cli.POSITIVE_INT, default=defaults.units)
    parser.add_argument("--steps", type=cli.POSITIVE_INT, default=defaults.steps, help="optimiser steps")
    limit = "at most 2**28 input values in all"
    parser.add_argument("--batch", type=cli.POSITIVE_INT, default=defaults.batch, help=f"sequences per step ({limit})")
    parser.add_argument("--lr", type=cli.POSITIVE, default=defaults.learning_rate, help="Adam learning rate")
    parser.add_argument("--clipnorm", type=cli.POSITIVE, default=defaults.clipnorm)
    parser.add_argument("--test-size", type=cli.POSITIVE_INT, default=defaults.test_size,
                        help=f"held-out sequences ({limit})")
    parser.add_argument("--order", type=cli.POSITIVE_INT, default=defaults.order, help="dense_temporal order")
    parser.add_argument(
        "--forget-bias", type=forget_bias_arg, default=None, help="gated layers: 'chrono' (default) or a float"
    )
    parser.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1, help="Keras fit verbosity")
    parser.add_argument(
        "--json", action="store_true", help="print only the result, as one JSON object, on stdout (the rest: stderr)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    task = TASKS[args.task]
    if args.sweep:
        if not args.layers or not args.out:
            parser.error("--sweep needs --layers and --out")
        if args.T is not None or args.layer is not None:
            parser.error("--sweep runs every --layers at every --Ts; --T and --layer are for a single run")
        lengths, option = args.Ts or list(DEFAULT_TS), "--Ts"
    else:
        if args.T is None or args.layer is None:
            parser.error("a single run needs --T and --layer (or use --sweep)")
        if args.layers or args.Ts or args.out:
            parser.error("--layers, --Ts and --out are for a sweep (add --sweep); a single run takes --T and --layer")
        lengths, option = [args.T], "--T"
    for T in lengths:
        try:
            task.check_T(T)
        except ValueError as err:
            raise cli.InputError(f"{option}: {err}") from None
        if T > MAX_T:
            raise cli.InputError(f"{option}: T={T} is longer than this command line runs (at most {MAX_T})")
    check_size("--test-size", args.test_size, task, max(lengths))
    check_size("--batch", args.batch, task, max(lengths))
    layers = args.layers if args.sweep else [args.layer]
    if args.forget_bias is not None and not set(layers) <= set(GATED_LAYERS):
        raise cli.InputError("--forget-bias applies to gated_lstm and gated_gru only")
    if args.sweep:  # refuse before any training, not after
        sweep_paths(task.name, args.out, args.force)
    config = RunConfig(
        units=args.units,
        steps=args.steps,
        batch=args.batch,
        learning_rate=args.lr,
        clipnorm=args.clipnorm,
        test_size=args.test_size,
        order=args.order,
        forget_bias=args.forget_bias,
    )
    # With --json, stdout carries the JSON object alone: Keras' progress and the human lines go to stderr.
    stdout = sys.stdout
    with contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext():
        payload = _run(args, task, layers, lengths, config)
    if args.json:
        print(cli.strict_json(payload), file=stdout)
    return 0


def _run(args, task, layers, lengths, config) -> dict:
    """Runs the single run or the sweep, printing Keras' progress and the human-readable lines; returns the
    JSON payload."""
    cli.import_tensorflow()  # only now, the arguments checked; its start-up notices held back
    from shared.tasks.runner import describe, run_task
    from shared.tasks.sweep import run_sweep

    if not args.sweep:
        result = run_task(task, args.T, args.layer, seed=args.seed, config=config, verbose=args.verbose)
        print(describe(result))
        return result
    table = run_sweep(
        task.name,
        layers,
        lengths,
        args.out,
        seed=args.seed,
        config=config,
        verbose=args.verbose,
        on_result=lambda result: print(describe(result), flush=True),
        force=args.force,
    )
    print(table[["layer", "T", "metric", "baseline", "solved", "seconds"]].to_string(index=False))
    print(f"wrote {os.path.join(args.out, f'sweep_{task.name}.csv')} and sweep_{task.name}.png")
    return {"task": task.name, "out": args.out, "runs": table.to_dict(orient="records")}  # full precision


if __name__ == "__main__":
    cli.run(main, sys.argv[1:])
