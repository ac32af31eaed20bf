"""Command line: ``python -m shared.experiments NAME [--quick] [--out DIR] [--seed 0] [--force] [--json]``.

Runs one experiment (or ``all`` of them) and writes ``NAME.csv``, ``NAME.png`` and ``NAME.json`` into ``--out``
(default: the current directory), then prints the verdict and the summary; with ``--json`` the last stdout line
per experiment is one JSON object. ``--list`` names every experiment with its claim. Exit status 0 / 2 (bad
input) / 1 (internal error), as :func:`shared.cli.run`.
"""

from __future__ import annotations

import argparse
import json
import sys

from shared import cli
from shared.experiments import EXPERIMENTS, MODULES, get
from shared.experiments.base import output_paths, timed_run, write
from shared.atomic import check_writable

EPILOG = """examples:
  python -m shared.experiments --list
  python -m shared.experiments latching_noise --quick --out runs/claims --seed 0
  python -m shared.experiments all --out runs/claims --force --json"""


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m shared.experiments",
        description="Reproduce one long-term-dependency claim: run it, write NAME.csv/.png/.json, print the verdict.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", nargs="?", metavar="NAME", help=f"one of: {', '.join(MODULES)}, or all")
    parser.add_argument("--list", action="store_true", help="name every experiment with its claim, then exit")
    parser.add_argument("--quick", action="store_true", help="small settings (each at most ~40 s on 2 cores)")
    parser.add_argument("--out", default=".", help="output folder (default: the current directory)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--force", action="store_true", help="overwrite existing outputs")
    parser.add_argument("--json", action="store_true", help="print each result as one JSON line")
    return parser


def main(argv) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.list:
        for name in MODULES:
            experiment = EXPERIMENTS[name]
            print(f"{name}: {' '.join(experiment.claim.split())}")
        return 0
    if args.name is None:
        parser.error("give an experiment NAME, all, or --list")
    if args.seed < 0:
        raise cli.InputError(f"--seed must be >= 0, got {args.seed}")
    names = list(MODULES) if args.name == "all" else [args.name]
    experiments = [get(name) for name in names]
    for experiment in experiments:  # refuse before hours of work, not after
        for path in output_paths(experiment.name, args.out).values():
            check_writable(path, args.force)
    for experiment in experiments:
        result, wall = timed_run(experiment, args.quick, args.seed)
        csv_path, png_path = write(experiment, result, args.out, args.force, quick=args.quick, seed=args.seed,
                                   wall_s=wall)
        verdict = "held" if result.held else "did not hold"
        print(f"{experiment.name}: claim {verdict} ({wall:.0f} s): {result.summary} -> {csv_path}, {png_path}")
        if args.json:
            print(json.dumps({"name": experiment.name, "held": bool(result.held), "summary": result.summary,
                              "csv": csv_path, "png": png_path, "wall_s": round(wall, 2), "quick": args.quick,
                              "seed": args.seed}))
    return 0


if __name__ == "__main__":
    cli.run(main, sys.argv[1:])
