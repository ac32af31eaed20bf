"""The CDNOW evaluation population: the master file's customers outside the bundled 2,357-customer sample.

Lifetimes 0.11.3 ships the whole CDNOW master file (``lifetimes/datasets/CDNOW_master.txt``: 69,659
transactions of 23,570 customers, whitespace-separated, one header line, zero-padded customer ids, dates
``YYYYMMDD``) in its wheel and its sdist (``pip download --no-deps Lifetimes==0.11.3``). The bundled sample
(``datasets/churn/cdnow_sample_transactions.csv.gz``) holds 2,357 of those customers, under their integer
master ids; the other 21,213 are the evaluation population of issue 6, never trained on. This module reads
the master file straight out of the downloaded archive and writes the population as a CDNOW-format log
(``customer_id,date,number_of_cds,dollar_value``), the input of ``python -m domains.churn evaluate``.
"""

import io
import tarfile
import zipfile
from pathlib import Path

import pandas as pd

from shared.cli import InputError

from domains.churn.data import data_lines

MASTER_MEMBER = "lifetimes/datasets/CDNOW_master.txt"
COLUMNS = ["customer_id", "date", "number_of_cds", "dollar_value"]


def _master_bytes(path):
    """The bytes of ``CDNOW_master.txt`` in a wheel (zip), an sdist (tar) or the text file itself."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = [name for name in archive.namelist() if name.endswith(MASTER_MEMBER)]
            if not names:
                raise InputError(f"{path}: no {MASTER_MEMBER} in this archive (a Lifetimes 0.11.3 wheel has it)")
            return archive.read(names[0])
    if tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            names = [name for name in archive.getnames() if name.endswith(MASTER_MEMBER)]
            if not names:
                raise InputError(f"{path}: no {MASTER_MEMBER} in this archive (a Lifetimes 0.11.3 sdist has it)")
            return archive.extractfile(names[0]).read()
    return path.read_bytes()


def read_master(path):
    """The CDNOW master transactions, from a Lifetimes wheel / sdist or ``CDNOW_master.txt``.

    Args:
        path: ``Lifetimes-0.11.3-py3-none-any.whl``, ``Lifetimes-0.11.3.tar.gz`` or the text file.

    Returns:
        DataFrame ``(rows, 4)`` :data:`COLUMNS` in file order: ``customer_id`` (int, the master id),
        ``date`` (``YYYY-MM-DD`` str), ``number_of_cds`` (int), ``dollar_value`` (float).

    Raises:
        InputError: the archive has no master file, or a column is missing or does not parse (naming its line
            in the master file as an editor shows it: the header is line 1, blank lines count).
    """
    text = _master_bytes(path).decode()
    table = pd.read_csv(io.StringIO(text), sep=r"\s+", dtype=str)
    missing = [column for column in COLUMNS if column not in table.columns]
    if missing:
        raise InputError(f"{path}: CDNOW master file without column(s) {', '.join(missing)} "
                         f"(has {', '.join(table.columns)})")
    out = pd.DataFrame({"customer_id": pd.to_numeric(table["customer_id"], errors="coerce"),
                        "date": pd.to_datetime(table["date"], format="%Y%m%d", errors="coerce"),
                        "number_of_cds": pd.to_numeric(table["number_of_cds"], errors="coerce"),
                        "dollar_value": pd.to_numeric(table["dollar_value"], errors="coerce")})
    bad = out.isna().any(axis=1).to_numpy()
    if bad.any():
        row = int(bad.argmax())
        line = data_lines(io.StringIO(text, newline=""), True, True, len(table))[row]
        raise InputError(f"{path}: {MASTER_MEMBER} line {line}: does not parse "
                         f"({' '.join(table.iloc[row].astype(str))})")
    out["customer_id"] = out["customer_id"].astype(int)
    out["number_of_cds"] = out["number_of_cds"].astype(int)
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    return out


def population(master, exclude):
    """The master rows of the customers not in ``exclude`` (master ids, e.g. the bundled sample's), in file order."""
    keep = ~master["customer_id"].isin({int(c) for c in exclude})
    return master[keep].reset_index(drop=True)


def write_population(wheel, sample_ids, path):
    """Writes the evaluation population (master customers outside ``sample_ids``) as a CDNOW-format CSV.

    Args:
        wheel: the Lifetimes wheel / sdist / master text. sample_ids: the master ids left out (the bundled sample).
        path: the CSV (``.gz`` compresses) to write; keep it out of the project, it is never trained on.

    Returns:
        ``(rows, customers)`` written.
    """
    table = population(read_master(wheel), sample_ids)
    table.to_csv(path, index=False)
    return len(table), int(table["customer_id"].nunique())
