"""The CDNOW evaluation population: the master file read out of a wheel, an sdist or the text, the sample's
customers left out, and the written log scored by ``evaluate`` (on a small master-format file made here)."""

import io
import json
import tarfile
import zipfile

import pandas as pd
import pytest

from shared.cli import InputError, run

from domains.churn import cdnow_master, data
from domains.churn.__main__ import main

# the layout of Lifetimes' CDNOW_master.txt (a header line, leading blanks, zero-padded ids, YYYYMMDD dates);
# the rows are made up: customers 1-3 of the real file belong to the evaluation population
MASTER = """ customer_id  date number_of_cds  dollar_value
 00001 19970103  1   12.49
 00002 19970114  1   13.99
 00002 19970114  5   69.95
 00002 19971020  2   25.10
 00003 19970105  2   24.98
 00003 19970402  2   21.50
 00003 19980130  1   11.00
 00004 19970101  2   29.33
 00004 19970815  1   14.96
 00005 19970301  3   39.00
 00005 19970920  1    9.99
 00005 19971001  1   13.97
 00006 19970215  1   14.00
"""


def archives(tmp_path):
    """The same master text as a wheel-like zip, an sdist-like tar.gz and the plain file."""
    member = "lifetimes/datasets/CDNOW_master.txt"
    wheel = tmp_path / "Lifetimes-0.11.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("lifetimes/__init__.py", "")
        archive.writestr(member, MASTER)
    sdist = tmp_path / "Lifetimes-0.11.3.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        blob = MASTER.encode()
        info = tarfile.TarInfo(f"Lifetimes-0.11.3/{member}")
        info.size = len(blob)
        archive.addfile(info, io.BytesIO(blob))
    text = tmp_path / "CDNOW_master.txt"
    text.write_text(MASTER)
    return wheel, sdist, text


def test_master_reads_alike_from_wheel_sdist_and_text(tmp_path):
    tables = [cdnow_master.read_master(path) for path in archives(tmp_path)]
    for table in tables[1:]:
        pd.testing.assert_frame_equal(tables[0], table)
    table = tables[0]
    assert list(table.columns) == cdnow_master.COLUMNS and len(table) == 13
    assert table["customer_id"].tolist()[:4] == [1, 2, 2, 2]
    assert table.loc[3].tolist() == [2, "1997-10-20", 2, 25.10]


def test_population_leaves_out_the_sample_and_evaluate_scores_it(tmp_path, capsys):
    wheel, _, _ = archives(tmp_path)
    log = tmp_path / "population.csv.gz"
    rows, customers = cdnow_master.write_population(wheel, ["1", "4"], log)
    assert (rows, customers) == (10, 4)
    written = data.read_event_log(log, numeric=data.CDNOW_NUMERIC)
    assert sorted(written["customer_id"].unique()) == ["2", "3", "5", "6"]
    assert written["date"].max() == pd.Timestamp("1998-01-30")
    with pytest.raises(SystemExit) as exit_:
        run(main, ["evaluate", "--transactions", str(log), "--json"])
    out = capsys.readouterr()
    assert exit_.value.code == 0, out.err
    scores = json.loads(out.out)
    assert {name: scores[name]["n"] for name in scores} == {"gated": 4, "coxph": 4, "km": 4}
    assert 0.0 <= scores["gated"]["c_index"] <= 1.0


def test_bad_archives_and_rows_are_named(tmp_path):
    empty = tmp_path / "other.whl"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("other/__init__.py", "")
    with pytest.raises(InputError, match="no lifetimes/datasets/CDNOW_master.txt"):
        cdnow_master.read_master(empty)
    bad = tmp_path / "bad.txt"
    bad.write_text(MASTER.replace("19970114  5", "1997-1-14  5"))
    with pytest.raises(InputError, match="CDNOW_master.txt line 4: does not parse"):
        cdnow_master.read_master(bad)
