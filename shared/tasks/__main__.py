"""Command line for the long-term-dependency suite: ``python -m shared.tasks --help``.

Single run::

    python -m shared.tasks --task adding --T 200 --layer gated_lstm --seed 0 [--units 32] [--steps 1000]
        [--batch 64] [--lr 0.01] [--json]

prints Keras' progress, then one line with the test metric, the baseline and the verdict; with ``--json`` the last
stdout line is the :func:`shared.tasks.runner.run_task` result as one JSON object.

Sweep::

    python -m shared.tasks --sweep --task adding --layers gated_lstm simple_rnn [--Ts 50 100 200 400] --out DIR

writes ``DIR/sweep_<task>.csv`` and ``DIR/sweep_<task>.png``. Bad arguments exit with status 2 and one line on
stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from shared.tasks.generators import TASKS
from shared.tasks.models import LAYERS, RunConfig

#: Sequence lengths of a sweep unless ``--Ts`` says otherwise.
DEFAULT_TS = (50, 100, 200, 400)
#: Longest task the command line runs (a batch of sequences this long is a few hundred MB).
MAX_T = 100_000


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose :meth:`error` writes a single ``prog: error: message`` line and exits 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())}\n")


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def nonnegative_int(text: str) -> int:
    """argparse type: an integer >= 0 (numpy seed sequences take no negative entropy)."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def positive_float(text: str) -> float:
    """argparse type: a finite float > 0."""
    value = float(text)
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {value}")
    return value


def forget_bias_arg(text: str) -> float | str:
    """argparse type: ``chrono`` or a float."""
    return text if text == "chrono" else float(text)


def make_parser() -> OneLineParser:
    defaults = RunConfig()
    parser = OneLineParser(
        prog="python -m shared.tasks",
        description="Train a one-layer recurrent model on a long-term-dependency task and score it.",
        epilog="tasks: " + "; ".join(f"{name}: {task.summary}" for name, task in sorted(TASKS.items())),
    )
    parser.add_argument("--task", required=True, choices=sorted(TASKS), help="task name")
    parser.add_argument("--T", type=positive_int, help="task length in steps (single run)")
    parser.add_argument("--layer", choices=LAYERS, help="recurrent layer (single run)")
    parser.add_argument("--sweep", action="store_true", help="run every --layers at every --Ts")
    parser.add_argument("--layers", nargs="+", choices=LAYERS, metavar="LAYER", help=f"sweep layers: {LAYERS}")
    parser.add_argument("--Ts", nargs="+", type=positive_int, default=list(DEFAULT_TS), help="sweep lengths")
    parser.add_argument("--out", help="sweep output folder")
    parser.add_argument("--force", action="store_true", help="replace the sweep's CSV and PNG if they exist")
    parser.add_argument("--seed", type=nonnegative_int, default=0)
    parser.add_argument("--units", type=positive_int, default=defaults.units)
    parser.add_argument("--steps", type=positive_int, default=defaults.steps, help="optimiser steps")
    parser.add_argument("--batch", type=positive_int, default=defaults.batch)
    parser.add_argument("--lr", type=positive_float, default=defaults.learning_rate, help="Adam learning rate")
    parser.add_argument("--clipnorm", type=positive_float, default=defaults.clipnorm)
    parser.add_argument("--test-size", type=positive_int, default=defaults.test_size)
    parser.add_argument("--order", type=positive_int, default=defaults.order, help="dense_temporal order")
    parser.add_argument(
        "--forget-bias", type=forget_bias_arg, default=None, help="gated layers: 'chrono' (default) or a float"
    )
    parser.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1, help="Keras fit verbosity")
    parser.add_argument("--json", action="store_true", help="end stdout with the result as one JSON line")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    task = TASKS[args.task]
    if args.sweep:
        if not args.layers or not args.out:
            parser.error("--sweep needs --layers and --out")
        lengths = args.Ts
    else:
        if args.T is None or args.layer is None:
            parser.error("a single run needs --T and --layer (or use --sweep)")
        lengths = [args.T]
    for T in lengths:
        try:
            task.check_T(T)
        except ValueError as err:
            parser.error(str(err))
        if T > MAX_T:
            parser.error(f"T={T} is longer than this command line runs (at most {MAX_T})")
    if args.sweep and os.path.exists(args.out) and not os.path.isdir(args.out):
        parser.error(f"{args.out}: exists and is not a folder (--out names the sweep's output folder)")
    if args.sweep and not args.force:
        for name in (f"sweep_{task.name}.csv", f"sweep_{task.name}.png"):
            if os.path.exists(os.path.join(args.out, name)):
                parser.error(f"{os.path.join(args.out, name)}: already exists; pass --force to overwrite it")
    layers = args.layers if args.sweep else [args.layer]
    if args.forget_bias is not None and not set(layers) <= {"gated_lstm", "gated_gru"}:
        parser.error("--forget-bias applies to gated_lstm and gated_gru only")
    # Imported only now: loading TensorFlow writes log lines to stderr, which bad arguments must not see.
    from shared.tasks.runner import describe, run_task
    from shared.tasks.sweep import run_sweep

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
    if args.sweep:
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
        if args.json:
            print(json.dumps({"task": task.name, "out": args.out, "runs": json.loads(table.to_json(orient="records"))}))
        return 0
    result = run_task(task, args.T, args.layer, seed=args.seed, config=config, verbose=args.verbose)
    print(describe(result))
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
