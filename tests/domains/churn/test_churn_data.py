"""Event-log, weekly-sequence, target and static-table loaders: known answers and every bad-input message."""

import gzip
import re

import numpy as np
import pandas as pd
import pytest

from shared.cli import InputError
from shared.data_paths import shared_data

from domains.churn import data

LOG = """customer_id,date,number_of_cds,dollar_value,event_type
a,1997-09-30,1,10.0,purchase
a,1997-09-30,2,5.0,purchase
a,1997-09-20,1,3.0,complaint
b,1997-08-01,4,40.0,purchase
a,1997-10-05,1,9.0,purchase
b,1998-06-30,1,9.0,purchase
"""


def write(tmp_path, text, name="log.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_bundled_cdnow_sample_matches_provenance():
    log = data.load_cdnow_sample()
    assert len(log) == 6919 and log["customer_id"].nunique() == 2357
    assert log.groupby(["customer_id", "date"]).ngroups == 6696
    assert log["date"].min() == pd.Timestamp("1997-01-01") and log["date"].max() <= pd.Timestamp("1998-06-30")


def test_bundled_sample_equals_shared_dev_data():
    folder = shared_data("churn")
    if folder is None:
        pytest.skip("shared/data/churn is absent")
    shared = pd.read_csv(folder / "cdnow_dev_transactions.csv.gz")
    mine = pd.read_csv(data.bundled("churn", data.CDNOW_FILE))
    pd.testing.assert_frame_equal(mine, shared)


def test_read_plain_and_gzip_alike(tmp_path):
    plain = data.read_event_log(write(tmp_path, LOG), numeric=data.CDNOW_NUMERIC)
    gz = tmp_path / "log.csv.gz"
    gz.write_bytes(gzip.compress(LOG.encode()))
    pd.testing.assert_frame_equal(plain, data.read_event_log(gz, numeric=data.CDNOW_NUMERIC))
    assert list(plain.columns) == ["customer_id", "date", "number_of_cds", "dollar_value", "event_type"]


def test_spaces_around_cells_and_names_and_gzip_without_its_suffix(tmp_path):
    plain = data.read_event_log(write(tmp_path, LOG), numeric=data.CDNOW_NUMERIC)
    lines = LOG.splitlines()
    spaced = ", ".join(lines[0].split(",")) + "\n" + "".join(f" {line.replace(',', ' ,')} \n" for line in lines[1:])
    pd.testing.assert_frame_equal(plain, data.read_event_log(write(tmp_path, spaced, "spaced.csv"),
                                                             numeric=data.CDNOW_NUMERIC))
    hidden = tmp_path / "log_gz.csv"
    hidden.write_bytes(gzip.compress(LOG.encode()))
    pd.testing.assert_frame_equal(plain, data.read_event_log(hidden, numeric=data.CDNOW_NUMERIC))
    plain_named_gz = write(tmp_path, LOG, "plain.csv.gz")  # the first bytes decide, not the name
    pd.testing.assert_frame_equal(plain, data.read_event_log(plain_named_gz, numeric=data.CDNOW_NUMERIC))
    with pytest.raises(InputError, match="column 'date' appears twice"):
        data.read_event_log(write(tmp_path, "customer_id,date ,date\na,1997-01-01,1\n"))


def test_cdnow_master_layout_reads_as_the_csv(tmp_path):
    # CDNOW_master.txt's layout as Lifetimes ships it (made-up rows): whitespace-separated, leading spaces, CRLF,
    # YYYYMMDD dates
    master = (" customer_id  date number_of_cds  dollar_value\r\n 00001 19970103  1   12.49\r\n"
              " 00002 19970114  2   13.99\r\n 00001 19980630  1    0.00\r\n")
    csv = "customer_id,date,number_of_cds,dollar_value\n00001,1997-01-03,1,12.49\n00002,1997-01-14,2,13.99\n" \
          "00001,1998-06-30,1,0.00\n"
    (tmp_path / "master.txt").write_bytes(master.encode())
    pd.testing.assert_frame_equal(data.read_event_log(tmp_path / "master.txt", numeric=data.CDNOW_NUMERIC),
                                  data.read_event_log(write(tmp_path, csv), numeric=data.CDNOW_NUMERIC))
    with pytest.raises(InputError, match="line 2: column 'date' has '19971301'"):
        data.read_event_log(write(tmp_path, "customer_id,date,number_of_cds,dollar_value\na,19971301,1,1\n"))


CSV_LOG = "customer_id,date,number_of_cds,dollar_value\n4,1997-01-01,2,29.33\n4,1997-01-18,2,29.73\n" \
          "18,1997-01-04,1,14.96\n4,1998-06-30,1,0.00\n"


@pytest.mark.parametrize("name, text", [
    ("CDNOW_master.txt", "    4 19970101  2   29.33\r\n    4 19970118  2   29.73\r\n   18 19970104  1   14.96\r\n"
                         "    4 19980630  1    0.00\r\n"),
    ("CDNOW_sample.txt", "    4    1 19970101  2   29.33\n    4    1 19970118  2   29.73\n"
                         "   18    2 19970104  1   14.96\n    4    1 19980630  1    0.00\n"),
    ("headerless.csv", "4,1997-01-01,2,29.33\n4,19970118,2,29.73\n18,1997-01-04,1,14.96\n4,1998-06-30,1,0\n"),
])
def test_headerless_cdnow_layouts_read_as_the_csv(tmp_path, name, text):
    """Found by audit: Hardie's original CDNOW_master.txt and CDNOW_sample.txt have no header line, so their first
    purchase was taken for one ('missing column(s) ...'). The sample's second field, its own id, is left out: the
    first, the master id, is the customer id (as in the bundled sample), and no sample id becomes a numeric column."""
    expected = data.read_event_log(write(tmp_path, CSV_LOG))
    (tmp_path / name).write_bytes(text.encode())
    log = data.read_event_log(tmp_path / name)
    assert list(log.columns) == ["customer_id", "date", "number_of_cds", "dollar_value"]
    assert list(log.index) == [1, 2, 3, 4] and list(expected.index) == [2, 3, 4, 5]  # each event's line
    expected = expected.reset_index(drop=True)
    pd.testing.assert_frame_equal(log.reset_index(drop=True), expected)
    gz = tmp_path / f"{name}.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    pd.testing.assert_frame_equal(data.read_event_log(gz, numeric=data.CDNOW_NUMERIC).reset_index(drop=True), expected)


@pytest.mark.parametrize("text, message", [
    ("4 19970101 2\n", "the first line ('4 19970101 2') is data, not a header, and a log without a header must "
                        "have the fields customer_id date number_of_cds dollar_value or customer_id sample_id date "
                        "number_of_cds dollar_value; this one has 3 fields, its date as field 2"),
    ("4,2,19970101,29.33\n", "this one has 4 fields, its date as field 3"),
    ("4 1 19970101 2 29.33 7\n", "this one has 6 fields, its date as field 3"),
    ("4 19970101 2 29.33\n4 19970118 2 29.73 x\n", "line 2: 5 fields, but the first line has 4"),
    ("id,day,cds,dollars\n4,1997-01-01,2,29.33\n", "missing column(s) 'customer_id', 'date'"),  # a header after all
    ("customer_id,19970101,number_of_cds,dollar_value\n4,1997-01-01,2,1\n", "missing column(s) 'date'"),
])
def test_a_first_line_that_is_data_must_fit_a_headerless_layout(tmp_path, text, message):
    with pytest.raises(InputError) as error:
        data.read_event_log(write(tmp_path, text), numeric=data.CDNOW_NUMERIC)
    assert str(error.value).startswith(f"{tmp_path / 'log.csv'}: ") and message in str(error.value)


@pytest.mark.parametrize("text, message", [
    (CSV_LOG.replace("\n", ",x\n").replace("dollar_value,x", "dollar_value"), "line 2: 5 fields, but the header has 4"),
    (CSV_LOG.replace("29.73\n", "29.73,7\n"), "line 3: 5 fields, but the header has 4"),
    (CSV_LOG.replace("29.73\n", "29.73\n\n").replace("14.96\n", "14.96,,9\n"),
     "line 5: 6 fields, but the header has 4"),
    (" customer_id  date number_of_cds  dollar_value\n 00004 19970101  2   29.33 extra\n",
     "line 2: 5 fields, but the header has 4"),
    # a blank line before the header, blank lines (one of spaces) between rows: each counts as the editor's line
    ("\n" + CSV_LOG.replace("29.73\n", "29.73\n  \n\n").replace("14.96\n", "14.96,,9\n"),
     "line 7: 6 fields, but the header has 4"),
    (" customer_id  date number_of_cds  dollar_value\n\n 00004 19970101  2   29.33\n\n 00004 19970118 2 1 x\n",
     "line 5: 5 fields, but the header has 4"),
    ("4 19970101 2 29.33\n\n\t\n4 19970118 2 29.73 x\n", "line 4: 5 fields, but the first line has 4"),
])
def test_a_row_with_a_field_beyond_the_header_is_refused_naming_it(tmp_path, text, message):
    """Found by audit: a field more on every row made pandas take the first column for an index and shift the
    others, so the error named the wrong column ("row 1: column 'date' has '2'") or, worse, none."""
    with pytest.raises(InputError) as error:
        data.read_event_log(write(tmp_path, text), numeric=data.CDNOW_NUMERIC)
    assert str(error.value) == f"{tmp_path / 'log.csv'}: {message}"


def test_an_empty_field_ending_every_row_is_ignored(tmp_path):
    trailing = CSV_LOG.replace("\n", ",\n").replace("dollar_value,\n", "dollar_value\n")
    pd.testing.assert_frame_equal(data.read_event_log(write(tmp_path, trailing, "trailing.csv")),
                                  data.read_event_log(write(tmp_path, CSV_LOG)))


def test_id_order_is_numeric_when_every_id_is_a_whole_number():
    ids = np.array(["1012", "4", "007", "7", "18"])
    assert ids[data.id_order(ids)].tolist() == ["4", "007", "7", "18", "1012"]
    mixed = np.array(["1012", "4", "b7", "18"])
    assert mixed[data.id_order(mixed)].tolist() == ["1012", "18", "4", "b7"]


def test_weekly_sequences_known_answer(tmp_path):
    log = data.read_event_log(write(tmp_path, LOG), numeric=data.CDNOW_NUMERIC)
    seq = data.weekly_sequences(log, "1997-09-30", weeks=10)
    assert list(seq.customers) == ["a", "b"]
    assert seq.features == ["active", "log_count", "log_number_of_cds", "log_dollar_value", "days_since_last",
                            "log_complaint", "log_purchase"]
    a, b = seq.x
    # a: the complaint on 09-20 is in week 8 (09-17..09-23); the two same-day purchases of 09-30 are one event
    assert a[:8].sum() == 0 and a[8, 0] == 1 and a[8, 5] == pytest.approx(np.log(2))
    assert a[8, 4] == pytest.approx(3 / 91)  # 09-23 - 09-20
    assert a[9, 1] == pytest.approx(np.log(2)) and a[9, 2] == pytest.approx(np.log1p(3))
    assert a[9, 3] == pytest.approx(np.log1p(15)) and a[9, 4] == 0 and a[9, 6] == pytest.approx(np.log(2))
    # b: 08-01 is 60 days before L, in week 10 - 1 - 8 = 1; days since it grow by 7 a week
    assert b[0].sum() == 0 and b[1, 0] == 1
    assert b[9, 4] == pytest.approx(60 / 91)
    assert seq.week_ends[-1] == pd.Timestamp("1997-09-30")


def test_weekly_sequences_week_boundaries(tmp_path):
    """Week w ends 7 (9 - w) days before L = 09-30, so week 9 is 09-24..09-30 and week 8 09-17..09-23: the
    events 6, 7, 13 and 14 days before L (09-24, 09-23, 09-17, 09-16) fall in weeks 9, 8, 8 and 7. The dollar
    values 1, 2, 4, 8 tell them apart: week 9 sums 1, week 8 2 + 4 = 6, week 7 8."""
    log = data.read_event_log(write(tmp_path, "customer_id,date,number_of_cds,dollar_value\n"
                                              "c,1997-09-24,1,1.0\nc,1997-09-23,1,2.0\n"
                                              "c,1997-09-17,1,4.0\nc,1997-09-16,1,8.0\n"), numeric=data.CDNOW_NUMERIC)
    seq = data.weekly_sequences(log, "1997-09-30", weeks=10)
    assert seq.features == ["active", "log_count", "log_number_of_cds", "log_dollar_value", "days_since_last"]
    c = seq.x[0]
    assert c[:7].sum() == 0 and c[7:, 0].tolist() == [1, 1, 1]
    np.testing.assert_allclose(c[7:, 1], np.log([2, 3, 2]), rtol=1e-6)  # 1, 2 and 1 event days
    np.testing.assert_allclose(c[7:, 3], np.log1p([8, 6, 1]), rtol=1e-6)
    # days from the latest event to each week's end: 09-16 - 09-16, 09-23 - 09-23, 09-30 - 09-24
    np.testing.assert_allclose(c[7:, 4], [0, 0, 6 / 91], rtol=1e-6)


def test_older_events_only_enter_through_recency(tmp_path):
    log = data.read_event_log(write(tmp_path, LOG), numeric=data.CDNOW_NUMERIC)
    seq = data.weekly_sequences(log, "1997-09-30", weeks=2)
    b = seq.x[1]
    assert b[:, 1].sum() == 0 and b[:, 0].tolist() == [1, 1]
    assert b[1, 4] == pytest.approx(60 / 91)


def test_survival_targets_nextbuy(tmp_path):
    log = data.read_event_log(write(tmp_path, LOG), numeric=data.CDNOW_NUMERIC)
    target = data.survival_targets(log, "1997-09-30", 273)
    assert target.loc["a"].tolist() == [5, 1]
    assert target.loc["b"].tolist() == [273, 1]  # 1998-06-30 is day 273, inside the follow-up
    assert data.survival_targets(log, "1997-09-30", 100).loc["b"].tolist() == [100, 0]


def test_cdnow_targets_match_provenance():
    log = data.load_cdnow_sample()
    target = data.survival_targets(log, data.CDNOW_LANDMARK, data.CDNOW_HORIZON_DAYS)
    assert len(target) == 2357 and round(target["event"].mean(), 2) == 0.29
    assert target["duration"].between(1, 273).all()


@pytest.mark.parametrize("text, message", [
    ("customer_id,when,number_of_cds,dollar_value\na,1997-01-01,1,1\n", "missing column(s) 'date'"),
    ("customer_id,date,number_of_cds\na,1997-01-01,1\n", "missing column(s) 'dollar_value'"),
    ("customer_id,date,number_of_cds,dollar_value\na,1997-01-01,1,1\nb,1997-13-01,1,1\n", "line 3: column 'date' has '1997-13-01'"),
    ("customer_id,date,number_of_cds,dollar_value\na,1997-01-01,1,1\na,1997-01-02,-2,1\n", "line 3: column 'number_of_cds' is negative"),
    ("customer_id,date,number_of_cds,dollar_value\na,1997-01-01,1,x\n", "line 2: column 'dollar_value' has 'x'"),
    ("customer_id,date,number_of_cds,dollar_value\na,1997-01-01,1,1\na,1999-01-01,1,1\n", "line 3: column 'date' has 1999-01-01, after the data end 1998-06-30"),
    ("customer_id,date,number_of_cds,dollar_value\n", "empty history"),
    # found in audit: 1e155 gave NaN scores (exit 1); beyond 1e15 is refused
    ("customer_id,date,number_of_cds,dollar_value\na,1997-01-01,1,1\na,1997-01-02,1,1e155\n",
     "line 3: column 'dollar_value' has 1e155, beyond the largest magnitude taken (1e+15"),
    ("", "the file is empty"),
])
def test_bad_event_logs(tmp_path, text, message):
    with pytest.raises(InputError) as error:
        data.read_event_log(write(tmp_path, text), numeric=data.CDNOW_NUMERIC, data_end="1998-06-30")
    assert message in str(error.value)


HEADER = "customer_id,date,number_of_cds,dollar_value\n"


@pytest.mark.parametrize("name, text, message", [
    # a header, then a blank line and one of spaces before the bad row: the editor's line 5, the 2nd data row
    ("log.csv", HEADER + "a,1997-01-01,1,1\n\n   \na,1997-13-01,1,1\n",
     "line 5: column 'date' has '1997-13-01', not a YYYY-MM-DD (or YYYYMMDD) date (1 such rows)"),
    ("log.csv", "\n" + HEADER + "a,1997-01-01,1,1\n\na,1997-01-01,1,x\n",
     "line 5: column 'dollar_value' has 'x', not a number"),
    ("log.csv", HEADER + "a,1997-01-01,1,1\r\n\r\na,1997-01-01,-1,1\r\n",
     "line 4: column 'number_of_cds' is negative (-1)"),
    # a headerless CDNOW_master.txt: its first line is line 1, a row
    ("CDNOW_master.txt", "    4 19970101  2   29.33\n\n    4 19971301  2   29.73\n",
     "line 3: column 'date' has '19971301', not a YYYY-MM-DD (or YYYYMMDD) date (1 such rows)"),
    ("CDNOW_master.txt", "    4 19970101  2   29.33\n    4 19970118  2   -1\n",
     "line 2: column 'dollar_value' is negative (-1)"),
    # a gzip file counts the lines of its decompressed text, whatever its name
    ("log.csv.gz", HEADER + "\n\na,1997-01-01,1,1\n\n ,1997-01-01,1,1\n",
     "line 6: column 'customer_id' is empty"),
    ("log_gz.csv", "    4 19970101  2   29.33\n\n    4 19970118  2   x\n",
     "line 3: column 'dollar_value' has 'x', not a number"),
    # a quoted cell spanning lines: a row is named by the line it starts on
    ("log.csv", HEADER.replace("\n", ",note\n") + 'a,1997-01-01,1,1,"two\nlines"\na,1997-01-01,1,1e20,ok\n',
     "line 4: column 'dollar_value' has 1e20, beyond the largest magnitude taken (1e+15: the network computes in "
     "float32)"),
])
def test_messages_name_the_line_as_an_editor_shows_it(tmp_path, name, text, message):
    """The churn messages named a row by its place among the data rows (header and blank lines not counted), unlike
    the other domains, so "row 2" sent the user to the editor's line 2, the first row, not line 5."""
    path = tmp_path / name
    path.write_bytes(gzip.compress(text.encode()) if "gz" in name else text.encode())
    with pytest.raises(InputError) as error:
        data.read_event_log(path, numeric=data.CDNOW_NUMERIC)
    assert str(error.value) == f"{path}: {message}"


def test_the_log_is_indexed_by_the_lines_of_its_events(tmp_path):
    log = data.read_event_log(write(tmp_path, "\n" + HEADER + "a,1997-01-01,1,1\n\n\nb,1997-01-02,1,1\n"))
    assert list(log.index) == [3, 6] and log["customer_id"].tolist() == ["a", "b"]
    with pytest.raises(InputError, match=r"^customer 'b' \(first at line 6\): empty history"):
        data.weekly_sequences(log, "1997-01-01", weeks=1)


def test_customer_without_history_before_landmark(tmp_path):
    log = data.read_event_log(write(tmp_path, LOG + "c,1997-12-01,1,1.0,purchase\n"), numeric=data.CDNOW_NUMERIC)
    with pytest.raises(InputError, match=r"customer 'c' \(first at line 8\): empty history"):
        data.weekly_sequences(log, "1997-09-30", weeks=4)


def test_customers_not_in_the_log_are_refused(tmp_path):
    """Ids of another type (ints for the log's strings) are unknown customers, not censored or zero rows."""
    from domains.churn import baselines

    log = data.read_event_log(write(tmp_path, LOG + "c,1997-12-01,1,1.0,purchase\n"), numeric=data.CDNOW_NUMERIC)
    unknown = r"customer 1 \(int\) is not in the log \(2 of the 3 customers given are not; the log's ids are like 'a' \(str\)\)"
    with pytest.raises(InputError, match=unknown):
        data.survival_targets(log, "1997-09-30", 273, ["a", 1, 2])
    with pytest.raises(InputError, match=unknown):
        baselines.rfm_features(log, "1997-09-30", ["a", 1, 2])
    with pytest.raises(InputError, match=r"customer 'c' \(first at line 8\): empty history"):
        baselines.rfm_features(log, "1997-09-30", ["a", "c"])
    assert data.survival_targets(log, "1997-09-30", 273, ["c"]).loc["c"].tolist() == [62, 1]


@pytest.mark.parametrize("landmark, why", [
    ("notadate", r"not a date \(give YYYY-MM-DD, e.g. '1997-09-30'\)"),
    (None, "not a date"),
    ("9999-12-31", r"outside the dates pandas holds \(1677-09-22 \.\. 2262-04-11\)"),
])
def test_a_landmark_that_is_not_a_date_is_refused_naming_it(tmp_path, landmark, why):
    """Review finding: a landmark that is not a date was pandas' DateParseError from deep inside every function
    that takes one ('9999-12-31': OutOfBoundsDatetime; None: every customer had an 'empty history')."""
    from domains.churn import baselines, inputs, pipelines, train

    path = write(tmp_path, LOG)
    log = data.read_event_log(path, numeric=data.CDNOW_NUMERIC)
    calls = {
        "check_histories": lambda: data.check_histories(log, landmark),
        "weekly_sequences": lambda: data.weekly_sequences(log, landmark, weeks=4),
        "survival_targets": lambda: data.survival_targets(log, landmark, 273),
        "rfm_features": lambda: baselines.rfm_features(log, landmark, ["a", "b"]),
        "cdnow_inputs": lambda: train.cdnow_inputs(log, landmark, weeks=4),
        "cross_validate_cdnow": lambda: train.cross_validate_cdnow(log, landmark=landmark),
        "log_data": lambda: pipelines.log_data(log, landmark, 273, weeks=4),
        "read_log": lambda: inputs.read_log(path, landmark),
    }
    for name, call in calls.items():
        with pytest.raises(InputError, match=rf"^landmark {re.escape(repr(landmark))}: {why}"):
            call()
    with pytest.raises(InputError, match=rf"^--landmark {re.escape(repr(landmark))}: {why}"):
        inputs.data_end(landmark, 273)


TABLE = """id,tenure,churn,plan,charges
1,5,Yes,basic,10.5
2,0,No,pro,20.0
3,12,No,basic,11.0
"""


def test_static_table(tmp_path):
    frame, covariates, schema = data.read_static_table(write(tmp_path, TABLE), "tenure", "churn", "id")
    assert frame["event"].tolist() == [1, 0, 0] and frame["duration"].tolist() == [5, 0, 12]
    assert list(covariates.columns) == ["plan_pro", "charges"] and covariates["plan_pro"].tolist() == [0, 1, 0]
    assert schema == {"plan": ["basic", "pro"], "charges": None}


def test_static_table_encoded_with_the_training_schema(tmp_path):
    _, _, schema = data.read_static_table(write(tmp_path, TABLE), "tenure", "churn", "id")
    # only the level 'pro' and no outcome columns: still the training's columns, in the training's order
    frame, covariates, again = data.read_static_table(write(tmp_path, "id,plan,charges\n9,pro,3\n", "new.csv"),
                                                      None, None, "id", schema=schema)
    assert again == schema and frame.empty and list(frame.index) == ["9"]
    assert list(covariates.columns) == ["plan_pro", "charges"] and covariates.iloc[0].tolist() == [1.0, 3.0]


@pytest.mark.parametrize("text, message", [
    ("id,plan,charges\n9,gold,3\n", "line 2: column 'plan' has 'gold', a level the training table did not have"),
    ("id,plan,charges,age\n9,pro,3,40\n", "column(s) 'age' were not covariates of the training table"),
    ("id,plan\n9,pro\n", "missing column(s) 'charges'"),
    ("id,plan,charges\n9,pro,x\n", "line 2: column 'charges' has 'x', not a finite number"),
])
def test_table_that_does_not_fit_the_training_schema(tmp_path, text, message):
    _, _, schema = data.read_static_table(write(tmp_path, TABLE), "tenure", "churn", "id")
    with pytest.raises(InputError) as error:
        data.read_static_table(write(tmp_path, text, "new.csv"), None, None, "id", schema=schema)
    assert message in str(error.value)


@pytest.mark.parametrize("text, message", [
    (TABLE + "1,3,No,pro,1.0\n", "line 5: duplicate customer '1' in column 'id'"),
    (TABLE.replace("2,0,No", "2,-1,No"), "line 3: column 'tenure' is a negative duration"),
    (TABLE.replace("3,12,No", "3,soon,No"), "line 4: column 'tenure' has 'soon'"),
    (TABLE.replace("tenure", "months"), "missing column(s) 'tenure'"),
    (TABLE.replace("2,0,No", "2,inf,No"), "line 3: column 'tenure' has 'inf', not a finite number"),
    (TABLE.replace("2,0,No", "2,0,maybe"), "line 3: column 'churn' has 'maybe', not an event flag"),
    (TABLE.replace("3,12,No,basic,11.0", "3,12,No,basic,"), "line 4: column 'charges' is empty"),
    (TABLE.replace("11.0", "nan"), "line 4: column 'charges' has 'nan', not a finite number"),
    (TABLE.replace("11.0", "-1e300"), "line 4: column 'charges' has -1e300, beyond the largest magnitude taken"),
    (TABLE.replace("2,0,No", " ,0,No"), "line 3: column 'id' is empty"),  # found by audit: was accepted
    # the line as an editor shows it: a blank line before the duplicate counts
    (TABLE + "\n1,3,No,pro,1.0\n", "line 6: duplicate customer '1' in column 'id'"),
])
def test_bad_static_tables(tmp_path, text, message):
    with pytest.raises(InputError) as error:
        data.read_static_table(write(tmp_path, text), "tenure", "churn", "id")
    assert message in str(error.value)


def test_telco_without_total_charges():
    frame, covariates = data.load_telco()
    assert covariates.shape == (7032, 28) and np.isfinite(covariates.to_numpy()).all()
    assert len(frame) == 7032 and frame["event"].sum() == 1869
    assert "total_charges" not in covariates.columns and "monthly_charges" in covariates.columns


def _memory_log():
    """The CDNOW columns of LOG as a user would build them in memory (no file, default index)."""
    frame = pd.read_csv(pd.io.common.StringIO(LOG)).drop(columns="event_type")
    return frame.assign(date=pd.to_datetime(frame["date"]))


@pytest.mark.parametrize("change, message", [
    (lambda f: f.assign(dollar_value=[10.0, np.nan, 3.0, 40.0, 9.0, 9.0]),
     r"^log: row 2: column 'dollar_value' has nan, not a number$"),
    (lambda f: f.assign(dollar_value=[10.0, 5.0, 3.0, np.inf, 9.0, 9.0]),
     r"^log: row 4: column 'dollar_value' has inf, not a finite number$"),
    (lambda f: f.assign(number_of_cds=[1, 2, -5, 4, 1, 1]), r"^log: row 3: column 'number_of_cds' is negative \(-5\)$"),
    (lambda f: f.assign(dollar_value=1e20), r"^log: row 1: column 'dollar_value' has 1e\+20, beyond the largest"),
    (lambda f: f.assign(number_of_cds=["1", "2", "1", "4", "x", "1"]),
     r"^log: row 5: column 'number_of_cds' has 'x', not a number$"),
    (lambda f: f.assign(date=f["date"].dt.day), r"^log: column 'date' is int"),
    (lambda f: f.assign(dollar_value=f["date"]), r"^log: column 'dollar_value' is datetime64\[ns\], not numbers$"),
    (lambda f: f.drop(columns="dollar_value"), r"^log: missing column\(s\) 'dollar_value' \(has customer_id, date, "),
    (lambda f: f.iloc[:0], r"^log: empty history: the log has no events$"),
    (lambda f: f.assign(customer_id=["a", None, "a", "b", "a", "b"]), r"^log: row 2: column 'customer_id' is empty$"),
    (lambda f: f.assign(date=f["date"].dt.strftime("%Y-%m-%d")), r"^log: column 'date' is object, not datetime64 .*"
     r"pd.to_datetime$"),
    (lambda f: f.assign(date=f["date"].dt.tz_localize("UTC")), r"tz_localize\(None\)$"),
    (lambda f: f.assign(date=f["date"].where(f.index != 4)), r"^log: row 5: column 'date' is missing \(1 such rows\)$"),
])
def test_a_log_built_in_memory_is_refused_as_the_file_loader_refuses_it(change, message):
    """Found by audit: a DataFrame given to ``cdnow_inputs`` (weekly_sequences, rfm_features) skipped the file
    loader's checks: a NaN amount was summed as 0 and a negative count taken as it is, with no error. Such a log is
    refused by the same rules (InputError naming the column and the row's 1-based position)."""
    from domains.churn import baselines

    log = change(_memory_log())
    with pytest.raises(InputError, match=message):
        data.weekly_sequences(log, "1997-09-30", weeks=4, numeric=data.CDNOW_NUMERIC)
    with pytest.raises(InputError, match=message):
        baselines.rfm_features(log, "1997-09-30", ["a", "b"])


def test_a_clean_log_built_in_memory_gives_the_file_loaders_sequences(tmp_path):
    from_file = data.read_event_log(write(tmp_path, LOG), numeric=data.CDNOW_NUMERIC).drop(columns="event_type")
    memory = data.weekly_sequences(_memory_log(), "1997-09-30", weeks=4, numeric=data.CDNOW_NUMERIC)
    np.testing.assert_array_equal(memory.x, data.weekly_sequences(from_file, "1997-09-30", weeks=4,
                                                                  numeric=data.CDNOW_NUMERIC).x)
    with pytest.raises(InputError, match=r"x.csv: line 3: column 'dollar_value' has 'abc', not a number$"):
        data.read_event_log(write(tmp_path, LOG.replace("2,5.0", "2,abc"), "x.csv"))  # the file loader's words


def test_cdnow_inputs_refuses_a_nan_spend_or_a_negative_count(rng):
    from domains.churn import train

    log = data.load_cdnow_sample().reset_index(drop=True)
    spend = log["dollar_value"].to_numpy().copy()
    spend[5] = np.nan
    with pytest.raises(InputError, match=r"^log: row 6: column 'dollar_value' has nan, not a number$"):
        train.cdnow_inputs(log.assign(dollar_value=spend), data.CDNOW_LANDMARK)
    count = log["number_of_cds"].to_numpy().copy()
    count[3] = -5
    with pytest.raises(InputError, match=r"^log: row 4: column 'number_of_cds' is negative \(-5.0\)$"):
        train.cdnow_inputs(log.assign(number_of_cds=count), data.CDNOW_LANDMARK)


def _typed_memory_log():
    """LOG in memory with its event types and a customer 'c' with one purchase day (two rows on it)."""
    frame = pd.read_csv(pd.io.common.StringIO(LOG + "c,1997-06-01,1,2.0,purchase\nc,1997-06-01,2,4.0,complaint\n"))
    return frame.assign(date=pd.to_datetime(frame["date"]))


def test_categorical_ids_and_event_types_give_the_plain_logs_features():
    """Review finding: pandas groups a categorical column by every category (observed=False), so a categorical
    customer_id made up (customer, date) rows that never happened: a one-day customer became a repeat buyer
    (repeat_buyer 1.0, not 0.0), and a categorical event_type added counts to every history. check_log now hands
    weekly_sequences and rfm_features the plain values."""
    from domains.churn import baselines

    plain = _typed_memory_log()
    categorical = plain.assign(
        customer_id=pd.Categorical(plain["customer_id"], categories=["c", "b", "a", "unused"]),
        event_type=pd.Categorical(plain["event_type"], categories=["purchase", "complaint", "return"]))
    expected = data.weekly_sequences(plain, "1997-09-30", weeks=20, numeric=data.CDNOW_NUMERIC)
    got = data.weekly_sequences(categorical, "1997-09-30", weeks=20, numeric=data.CDNOW_NUMERIC)
    assert list(got.customers) == ["a", "b", "c"] and got.features == expected.features
    np.testing.assert_array_equal(got.x, expected.x)
    rfm = baselines.rfm_features(categorical, "1997-09-30", ["a", "b", "c"])
    pd.testing.assert_frame_equal(rfm, baselines.rfm_features(plain, "1997-09-30", ["a", "b", "c"]))
    assert rfm.loc["c", "repeat_buyer"] == 0.0 and rfm.loc["c", "log_repeat_days"] == 0.0
    assert rfm.loc["b", "avg_spend"] == 40.0
    pd.testing.assert_frame_equal(data.survival_targets(categorical, "1997-09-30", 273, ["a", "b", "c"]),
                                  data.survival_targets(plain, "1997-09-30", 273, ["a", "b", "c"]))
    assert isinstance(categorical["customer_id"].dtype, pd.CategoricalDtype)  # the caller's log is left as it is


def test_cdnow_inputs_checks_its_log_once(monkeypatch):
    """Review finding: cdnow_inputs ran check_log twice on the same log (in weekly_sequences, then again in
    rfm_features). There is no behaviour to see but the repeated work, so the calls are counted: one, and the
    histories and aggregates are still those the two functions give on their own (here from a log the check
    converts: categorical ids, amounts of dtype object), and a bad log is still refused naming its row."""
    from domains.churn import baselines, train

    plain = _typed_memory_log()
    converted = plain.assign(customer_id=pd.Categorical(plain["customer_id"], categories=["c", "b", "a", "x"]),
                             dollar_value=plain["dollar_value"].astype(object))
    expected = data.weekly_sequences(plain, "1997-09-30", weeks=20, numeric=data.CDNOW_NUMERIC)
    expected_rfm = baselines.rfm_features(plain, "1997-09-30", expected.customers)
    calls = []
    check_log = data.check_log
    monkeypatch.setattr(data, "check_log", lambda log, *args, **kwargs: calls.append(len(log)) or check_log(
        log, *args, **kwargs))
    (history, static), sequences, rfm = train.cdnow_inputs(converted, "1997-09-30", weeks=20)
    assert calls == [len(plain)]
    np.testing.assert_array_equal(history, expected.x)
    assert list(sequences.customers) == ["a", "b", "c"] and sequences.features == expected.features
    pd.testing.assert_frame_equal(rfm, expected_rfm)
    np.testing.assert_array_equal(static, expected_rfm.to_numpy("float32"))
    spend = converted["dollar_value"].copy()
    spend[2] = "abc"
    with pytest.raises(InputError, match=r"^log: row 3: column 'dollar_value' has 'abc', not a number$"):
        train.cdnow_inputs(converted.assign(dollar_value=spend), "1997-09-30", weeks=20)


def test_object_columns_of_numbers_are_read_as_numbers():
    """Review finding: check_log refused a numeric column of dtype object holding numbers ("is object, not
    numbers"), which weekly_sequences read before it; it is read with pd.to_numeric, and only a cell that is not
    a number is refused, naming its row."""
    from domains.churn import baselines

    plain = _memory_log()
    boxed = plain.assign(dollar_value=plain["dollar_value"].astype(object),
                         number_of_cds=pd.Categorical(plain["number_of_cds"]))
    assert boxed["dollar_value"].dtype == object
    np.testing.assert_array_equal(
        data.weekly_sequences(boxed, "1997-09-30", weeks=4, numeric=data.CDNOW_NUMERIC).x,
        data.weekly_sequences(plain, "1997-09-30", weeks=4, numeric=data.CDNOW_NUMERIC).x)
    pd.testing.assert_frame_equal(baselines.rfm_features(boxed, "1997-09-30", ["a", "b"]),
                                  baselines.rfm_features(plain, "1997-09-30", ["a", "b"]))
    bad = boxed.assign(dollar_value=[10.0, 5.0, "n/a", 40.0, 9.0, 9.0])
    for call in (lambda: data.weekly_sequences(bad, "1997-09-30", weeks=4, numeric=data.CDNOW_NUMERIC),
                 lambda: baselines.rfm_features(bad, "1997-09-30", ["a", "b"])):
        with pytest.raises(InputError, match=r"^log: row 3: column 'dollar_value' has 'n/a', not a number$"):
            call()


@pytest.mark.parametrize("index", [None, ["x", "y", "z", "u", "v", "w"], [10, 10, 11, 11, 11, 12]])
def test_a_log_built_in_memory_names_rows_by_position_not_line(index):
    """Review finding: messages said "first at line {index label}" for every log, and check_log "row {label}": a
    default index gave a 0-based "line 2" for the 3rd row, a string index "line z". A log built in memory has its
    rows named by their 1-based position; only a log read from a file has lines."""
    from domains.churn import baselines

    log = _memory_log()
    log.loc[3, "date"] = pd.Timestamp("1997-12-01")  # customer b's first row, the 4th: after the landmark
    log.loc[5, "date"] = pd.Timestamp("1997-12-01")
    if index is not None:
        log.index = index
    message = r"^customer 'b' \(first at row 4\): empty history"
    with pytest.raises(InputError, match=message):
        data.weekly_sequences(log, "1997-09-30", weeks=4, numeric=data.CDNOW_NUMERIC)
    with pytest.raises(InputError, match=message):
        baselines.rfm_features(log, "1997-09-30", ["a", "b"])
    with pytest.raises(InputError, match=r"^log: row 2: column 'dollar_value' has nan, not a number$"):
        data.weekly_sequences(log.assign(dollar_value=[1.0, np.nan, 1.0, 1.0, 1.0, 1.0]), "1997-12-30", weeks=4,
                              numeric=data.CDNOW_NUMERIC)


def test_a_log_read_from_a_file_keeps_its_lines_until_its_index_is_reset(tmp_path):
    log = data.read_event_log(write(tmp_path, "\n" + HEADER + "a,1997-01-01,1,1\n\n\nb,1997-01-02,1,1\n"))
    shuffled = log.sort_values("customer_id", ascending=False)
    with pytest.raises(InputError, match=r"^customer 'b' \(first at line 6\): empty history"):
        data.weekly_sequences(shuffled, "1997-01-01", weeks=1)
    with pytest.raises(InputError, match=r"^customer 'b' \(first at row 2\): empty history"):
        data.weekly_sequences(log.reset_index(drop=True), "1997-01-01", weeks=1)
    with pytest.raises(InputError, match=r"^log: line 6: column 'dollar_value' is negative"):
        data.weekly_sequences(log.assign(dollar_value=[1.0, -1.0]), "1997-01-02", weeks=1)
