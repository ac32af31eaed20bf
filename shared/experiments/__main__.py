"""Command line: ``python -m shared.experiments NAME [--quick] [--out DIR] [--seed 0] [--force] [--json]``.

Runs one experiment (or ``all`` of them) and writes ``NAME.csv``, ``NAME.png`` and ``NAME.json`` into ``--out``
(default: the current directory), then prints the verdict and the summary; with ``--json`` stdout holds only
one JSON object per line, one per experiment (the verdict lines and any progress go to stderr). ``--list`` names
every experiment with its claim (``--list --json``: one JSON object, name -> claim). Every output is checked
before the first experiment runs. Exit status 0 / 2 (bad input) / 1 (internal error), as :func:`shared.cli.run`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys

from shared import cli
from shared.experiments import EXPERIMENTS, MODULES, get
from shared.experiments.base import check_outputs, timed_run, write

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
    parser.add_argument("--seed", type=cli.seed, default=0, help="random seed in [0, 2**32) (default 0)")
    parser.add_argument("--force", action="store_true", help="overwrite existing outputs")
    parser.add_argument("--json", action="store_true",
                        help="stdout: one JSON line per result (with --list, one object name -> claim)")
    return parser


def main(argv) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.list:
        claims = {name: " ".join(EXPERIMENTS[name].claim.split()) for name in MODULES}
        print(json.dumps(claims) if args.json else "\n".join(f"{name}: {claim}" for name, claim in claims.items()))
        return 0
    if args.name is None:
        parser.error("give an experiment NAME, all, or --list")
    names = list(MODULES) if args.name == "all" else [args.name]
    experiments = [get(name) for name in names]
    for experiment in experiments:  # refuse before hours of work, not after
        check_outputs(experiment.name, args.out, args.force)
    cli.import_tensorflow()  # its start-up notices held back
    # With --json, stdout carries the JSON lines alone: the verdict lines and any progress go to stderr.
    stdout = sys.stdout
    with contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext():
        for experiment in experiments:
            result, wall = timed_run(experiment, args.quick, args.seed)
            csv_path, png_path = write(experiment, result, args.out, args.force, quick=args.quick, seed=args.seed,
                                       wall_s=wall)
            verdict = "held" if result.held else "did not hold"
            print(f"{experiment.name}: claim {verdict} ({wall:.0f} s): {result.summary} -> {csv_path}, {png_path}")
            if args.json:
                print(json.dumps({"name": experiment.name, "held": bool(result.held), "summary": result.summary,
                                  "csv": csv_path, "png": png_path, "wall_s": round(wall, 2),
                                  "quick": args.quick, "seed": args.seed}), file=stdout, flush=True)
    return 0


if __name__ == "__main__":
    cli.run(main, sys.argv[1:])
