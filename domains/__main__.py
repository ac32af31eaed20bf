"""Command line: ``python -m domains report`` (exit 0 ok, 2 bad input, 1 internal error).

``report`` evaluates every shipped model on the bundled datasets beside its baselines and writes a
self-contained HTML page and a Markdown version (see :mod:`domains.report`). With ``--json`` the progress bar
is off and one JSON object is printed: ``html``, ``markdown``, ``seconds``, ``quick``, ``sections``.
"""

import argparse
import json
import sys

from shared.cli import import_tensorflow, run, seed

EXAMPLES = """examples:
  python -m domains report                      # writes report/report.html and report/report.md
  python -m domains report --out runs/report --force
  python -m domains report --quick --json       # less data and training, one JSON line"""


def _parser():
    parser = argparse.ArgumentParser(prog="python -m domains", description="The four domains as one product.",
                                     epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="evaluate every shipped model beside its baselines; HTML + Markdown",
                                 epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    report.add_argument("--out", default="report", help="the report folder (default: report/)")
    report.add_argument("--force", action="store_true", help="overwrite an existing report in --out")
    report.add_argument("--quick", action="store_true",
                        help="less data and training (part of the genome, a sample of sentences, fewer epochs)")
    report.add_argument("--seed", type=seed, default=0, help="random seed for sampling and training (default 0)")
    report.add_argument("--json", action="store_true", help="no progress bar; print one JSON object")
    return parser


def main(argv):
    """Parses ``argv`` and runs the command."""
    args = _parser().parse_args(argv)
    import_tensorflow()  # its start-up notices held back
    import matplotlib

    matplotlib.use("Agg")  # files, never a window: the command line picks the backend, not the library
    from domains.report.build import build_report

    summary = build_report(args.out, force=args.force, quick=args.quick, seed=args.seed, progress=not args.json)
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"wrote {summary['html']} and {summary['markdown']} in {summary['seconds']:.0f} s")


if __name__ == "__main__":
    run(main, sys.argv[1:])
