"""The tidy CSV loader: what it accepts, how it fills gaps and handles zeros, and what it refuses."""

import datetime
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from domains.ecology.data import (
    MAX_GAP_STEPS,
    PopulationSeries,
    SeriesError,
    load_lynx,
    load_series,
    log_offset,
)
from shared.cli import InputError


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_bundled_lynx_is_r_datasets_lynx():
    lynx = load_lynx()
    assert len(lynx) == 114 and lynx.time[0] == 1821 and lynx.time[-1] == 1934
    assert lynx.value[[0, 1, 2, -1]].tolist() == [269, 321, 585, 3396]
    assert lynx.value.max() == 6991 and lynx.time[lynx.value.argmax()] == 1904  # the 1904 peak
    assert lynx.value.min() == 39 and lynx.time[lynx.value.argmin()] == 1889
    assert lynx.offset == 0 and not lynx.filled.any()


def test_short_interior_gap_is_interpolated(tmp_path):
    rows = "\n".join(f"a,{year},{year - 1999}" for year in range(2000, 2021) if year != 2005)
    s = load_series(write(tmp_path, "series_id,time,value\n" + rows))["a"]
    assert len(s) == 21 and s.filled.sum() == 1
    assert s.value[5] == pytest.approx(6.0)  # halfway between 5 and 7
    assert np.array_equal(s.time, np.arange(2000, 2021))



def test_a_gap_of_several_steps_is_filled_on_the_line_between_its_ends(tmp_path):
    rows = "\n".join(f"a,{t},{t + 1}" for t in range(30) if t not in (1, 2, 3))  # 3 of 30 missing
    s = load_series(write(tmp_path, "series_id,time,value\n" + rows))["a"]
    assert s.value[1:4].tolist() == pytest.approx([2.0, 3.0, 4.0]) and s.filled.tolist()[:5] == [0, 1, 1, 1, 0]


def test_back_to_the_original_units_floors_at_zero():
    s = PopulationSeries("z", np.arange(4.0), np.array([0.0, 4.0, 2.0, 8.0]), np.zeros(4, bool), np.zeros((4, 0)))
    assert s.offset == 1.0  # half the smallest positive value: log(value + 1)
    # exp(z) - 1 for z below log(1) would be negative counts: 0.5 - 1 and 1 - 1 give 0, log(3) gives 2
    np.testing.assert_allclose(s.to_original(np.log([0.5, 1.0, 3.0])), [0.0, 0.0, 2.0])

def test_long_gap_is_refused_naming_it(tmp_path):
    rows = "\n".join(f"a,{year},10" for year in list(range(2000, 2010)) + list(range(2015, 2020)))
    with pytest.raises(InputError, match=r"series 'a': 5 of 20 values missing .*longest gap 5 steps after time 2009"):
        load_series(write(tmp_path, "series_id,time,value\n" + rows))


def test_empty_cells_count_as_missing_and_edges_are_dropped(tmp_path):
    rows = "a,1,\n" + "\n".join(f"a,{t},{t}" for t in range(2, 22)) + "\na,22,\n"
    s = load_series(write(tmp_path, "series_id,time,value\n" + rows))["a"]
    assert s.time[0] == 2 and s.time[-1] == 21 and not s.filled.any()


def test_zeros_get_half_the_smallest_positive_value(tmp_path):
    s = load_series(write(tmp_path, "series_id,time,value\na,1,0\na,2,4\na,3,2\na,4,8\n"))["a"]
    assert s.offset == 1.0
    assert s.log[0] == pytest.approx(0.0) and s.log[1] == pytest.approx(np.log(5))
    assert np.allclose(s.to_original(s.log), s.value)
    assert log_offset(np.array([1.0, 2.0])) == 0.0


@pytest.mark.parametrize("text, message", [
    ("series_id,time,value\na,1,3\na,2,lots\na,3,4\n", r"line 3, column 'value': 'lots' is not a number"),
    ("series_id,time,value\na,1,3\na,1,5\na,3,4\n", r"series 'a': time 1 appears twice \(lines 2 and 3\)"),
    ("series_id,time,value\na,1,3\na,3,5\na,2,4\n", r"series 'a': times are not increasing \(line 4: 2 after 3\)"),
    ("series_id,time,value\na,1,0\na,2,0\na,3,0\n", r"series 'a': every value is zero"),
    ("series_id,time,value\na,spring,3\n",
     r"line 2, column 'time': 'spring' is neither a number, a YYYY-MM month nor a YYYY-MM-DD date"),
    ("series_id,year,value\na,1,3\n", r"no column 'time'"),
    ("series_id,time,value\na,1,3\na,2,4\n", r"series 'a': 2 observed values; at least 3"),
    ("series_id,time,value\na,1,3\na,3,4\na,4,4\na,5.5,4\n", r"irregular spacing at line 5"),
    ("", r"the file is empty"),
])
def test_bad_input_is_refused_with_a_clear_message(tmp_path, text, message):
    with pytest.raises(InputError, match=message) as info:
        load_series(write(tmp_path, text))
    assert "data.csv" in str(info.value) and "\n" not in str(info.value)


def test_months_and_covariates(tmp_path):
    text = "series_id,time,value,temp,rain\n" + "\n".join(
        f"t,1932-{m:02d},{m},{'' if m == 4 else m * 2},{m}" for m in range(1, 13))
    s = load_series(write(tmp_path, text), covariates=["temp"])["t"]
    assert s.time[0] == 1932 and s.time[1] == pytest.approx(1932 + 1 / 12)
    assert s.covariates.shape == (12, 1) and s.covariates[3, 0] == 6.0  # March's value carried forward
    assert s.calendar == "month" and s.time_labels(s.time[-1] + np.arange(1, 3) / 12) == ["1933-01", "1933-02"]
    assert load_lynx().calendar is None
    with pytest.raises(InputError, match="no column 'snow'"):
        load_series(write(tmp_path, text), covariates=["snow"])


def test_dates_on_one_day_of_the_month_or_at_month_ends_make_a_month_grid(tmp_path):
    rows = [f"m,{1930 + i // 12}-{i % 12 + 1:02d}-15,{10 + i}" for i in range(30) if i != 4]
    s = load_series(write(tmp_path, "series_id,time,value\n" + "\n".join(rows)))["m"]
    assert (s.calendar, s.day, len(s), int(s.filled.sum())) == ("date", 15, 30, 1)
    assert s.time[0] == 1930 and np.allclose(np.diff(s.time), 1 / 12)
    assert s.time_labels(s.time[-1] + np.arange(1, 3) / 12) == ["1932-07-15", "1932-08-15"]
    ends = pd.date_range("1990-11-30", periods=20, freq="ME")  # February's end is the 28th or 29th
    rows = [f"e,{t.date()},{i + 1}" for i, t in enumerate(ends)]
    s = load_series(write(tmp_path, "series_id,time,value\n" + "\n".join(rows)))["e"]
    assert (s.calendar, s.day, len(s)) == ("date", 0, 20)
    assert s.time_labels(s.time[:5]) == ["1990-11-30", "1990-12-31", "1991-01-31", "1991-02-28", "1991-03-31"]
    assert s.time_labels([1992 + 1 / 12]) == ["1992-02-29"]
    rows = [f"y,{1950 + i}-07-01,{i + 1}" for i in range(12)]  # yearly: a grid of 12 months, in years
    s = load_series(write(tmp_path, "series_id,time,value\n" + "\n".join(rows)))["y"]
    assert s.time[0] == 1950.5 and np.allclose(np.diff(s.time), 1.0) and s.time_labels([1962.5]) == ["1962-07-01"]
    rows = [f"q,{2000 + i // 4}-{1 + 3 * (i % 4):02d}-30,{i + 1}" for i in range(12)]  # quarterly on the 30th
    s = load_series(write(tmp_path, "series_id,time,value\n" + "\n".join(rows)))["q"]
    assert (s.calendar, s.day) == ("date", 30) and np.allclose(np.diff(s.time), 0.25)
    assert s.time_labels(s.time[-1] + np.arange(1, 3) / 4) == ["2003-01-30", "2003-04-30"]
    assert s.time_labels([2003 + 1 / 12]) == ["2003-02-28"]  # a grid month without the day: its last day
    rows = [f"f,{year}-02-28,{year}" for year in (2001, 2002, 2003)]  # one day of the month before the month ends
    s = load_series(write(tmp_path, "series_id,time,value\n" + "\n".join(rows)))["f"]
    assert s.day == 28 and s.time_labels([2004 + 1 / 12]) == ["2004-02-28"]
    assert s.dates(s.time[:2]).tolist() == [datetime.date(2001, 2, 28), datetime.date(2002, 2, 28)]


def test_dates_and_months_outside_pandas_timestamps_are_read(tmp_path):
    rows = [f"a,{1600 + i}-07-01,{i + 1}" for i in range(5)] + [f"b,{2260 + i}-06,{i + 1}" for i in range(5)]
    series = load_series(write(tmp_path, "series_id,time,value\n" + "\n".join(rows)))
    assert series["a"].time[0] == 1600.5 and series["a"].time_labels(series["a"].time[-1:] + 1) == ["1605-07-01"]
    assert series["b"].time[-1] == 2264.4166666666665 and series["b"].time_labels([2264 + 6 / 12]) == ["2264-07"]


def test_other_dates_make_a_day_grid(tmp_path):
    weeks = pd.date_range("2001-01-03", periods=30, freq="7D")
    rows = [f"w,{t.date()},{i + 1},{i % 3}" for i, t in enumerate(weeks) if i != 7]
    s = load_series(write(tmp_path, "series_id,time,value,rain\n" + "\n".join(rows)), covariates="rain")["w"]
    assert (s.calendar, s.day, len(s), s.filled.tolist().index(True)) == ("date", None, 30, 7)
    step = s.time[1] - s.time[0]
    assert step * 365.2425 == pytest.approx(7) and np.allclose(np.diff(s.time), step)
    assert s.time_labels(s.time[:2]) == ["2001-01-03", "2001-01-10"]
    assert s.time_labels(s.time[-1] + step * np.arange(1, 3)) == ["2001-08-01", "2001-08-08"]
    assert s.value[7] == pytest.approx(8.0) and s.covariates[7, 0] == 0  # the gap: value interpolated, rain carried



def test_an_end_written_as_a_month_or_a_date_cuts_each_grid_where_its_dates_say():
    monthly = PopulationSeries("m", 2001 + np.arange(12) / 12, np.ones(12), np.zeros(12, bool), np.zeros((12, 0)),
                               calendar="month")
    on_15th = PopulationSeries("d", monthly.time, np.ones(12), np.zeros(12, bool), np.zeros((12, 0)),
                               calendar="date", day=15)
    weekly_days = np.datetime64("2001-01-03") + 7 * np.arange(12) - np.datetime64("1970-01-01")
    weekly = PopulationSeries("w", 1970 + weekly_days.astype(float) / 365.2425, np.ones(12), np.zeros(12, bool),
                              np.zeros((12, 0)), calendar="date")
    kept = {name: [int(np.sum(s.time <= s.cutoff(end))) for end in ("2001-06", "2001-06-14", "2001-06-15")]
            for name, s in (("month", monthly), ("15th", on_15th))}
    assert kept == {"month": [6, 6, 6], "15th": [6, 5, 6]}  # a month keeps all of it; a date the days up to it
    assert [int(np.sum(weekly.time <= weekly.cutoff(end))) for end in ("2001-01", "2001-01-23", "2001-01-24")] \
        == [5, 3, 4]  # Jan 3, 10, 17, 24, 31
    assert monthly.cutoff(2001.4) == 2001.4 and monthly.cutoff("2000-12") == pytest.approx(2001 - 1 / 12)
    numbers = PopulationSeries("n", 1900 + np.arange(12.0), np.ones(12), np.zeros(12, bool), np.zeros((12, 0)))
    with pytest.raises(ValueError, match="'1905-06' is a month, but series 'n' writes its times as numbers"):
        numbers.cutoff("1905-06")
    for bad in ("2001-13", "2001-02-30", "June"):
        with pytest.raises(ValueError, match=f"{bad!r} is neither a number, a YYYY-MM month nor a YYYY-MM-DD date"):
            monthly.cutoff(bad)

@pytest.mark.parametrize("times, message", [
    (["2001-01-01", "2001", "2002"], r"series 'a': line 3 writes its time as a number, line 2 as a date; one series"),
    (["2001-01", "2001-02-01", "2001-03-01"], r"line 3 writes its time as a date, line 2 as a month"),
    (["2001-01-01", "2001-01-01", "2001-03-01"], r"time 2001-01-01 appears twice \(lines 2 and 3\)"),
    (["2001-01-05", "2001-01-03", "2001-01-09"], r"times are not increasing \(line 3: 2001-01-03 after 2001-01-05\)"),
    (["2001-01-01", "2001-02-15", "2001-03-01"], r"irregular spacing at line 3 \(2001-01-01 -> 2001-02-15 is not a"
                                                 r" multiple of the step 14 days\)"),
    (["2001-02-30", "2001-03-01", "2001-03-02"], r"line 2, column 'time': '2001-02-30' is neither a number"),
    ([f"2001-{m:02d}-01" for m in range(1, 8)] + ["2001-08-02"] + [f"2001-{m:02d}-01" for m in range(9, 13)],
     r"series 'a': line 9: 2001-08-02 is not on day 1 of its month, as 11 of the series' 12 dates are"),
    ([str(d) for d in pd.date_range("2003-01-31", periods=24, freq="ME")][:13] + ["2004-02-28"]
     + [str(d) for d in pd.date_range("2004-03-31", periods=10, freq="ME")],
     r"line 15: 2004-02-28 is not on the last day of its month, as 23 of the series' 24 dates are"),
    ([str(d) for d in pd.date_range("2004-01-07", periods=5, freq="7D")] + ["2004-02-12"]
     + [str(d) for d in pd.date_range("2004-02-18", periods=5, freq="7D")],  # one sample a day late
     r"irregular spacing at line 7 \(2004-02-04 -> 2004-02-12 is not a multiple of the step 7 days\)"),
    (["0", "7", "14", "22", "28", "35"], r"irregular spacing at line 5 \(14 -> 22 is not a multiple of the step 7\)"),
])
def test_dates_that_do_not_make_a_series_are_refused(tmp_path, times, message):
    text = "series_id,time,value\n" + "".join(f"a,{str(t)[:10]},{i + 1}\n" for i, t in enumerate(times))
    with pytest.raises(InputError, match=message) as info:
        load_series(write(tmp_path, text))
    assert "\n" not in str(info.value)


def test_series_selection(tmp_path):
    text = "series_id,time,value\n" + "\n".join(f"{i},{t},{t + 1}" for i in "ab" for t in range(5))
    path = write(tmp_path, text)
    assert list(load_series(path)) == ["a", "b"] and list(load_series(path, series="b")) == ["b"]
    with pytest.raises(InputError, match="no series 'c'"):
        load_series(path, series="c")


def test_line_numbers_count_blank_lines(tmp_path):
    text = "series_id,time,value\na,1,3\n\na,2,4\n   \n\na,3,lots\n"
    with pytest.raises(InputError, match=r"line 7, column 'value': 'lots' is not a number"):
        load_series(write(tmp_path, text))
    assert len(load_series(write(tmp_path, text.replace("lots", "5")))["a"]) == 3


def test_numeric_series_ids_and_a_single_covariate_name(tmp_path):
    text = "series_id,time,value,temp\n" + "\n".join(f"{i},{t},{t + 1},{t * 2}" for i in (1, 2) for t in range(5))
    path = write(tmp_path, text)
    assert list(load_series(path, series=1)) == ["1"] and list(load_series(path, series=[2, 1])) == ["1", "2"]
    s = load_series(path, covariates="temp", series="2")["2"]
    assert s.covariate_names == ("temp",) and s.covariates[:, 0].tolist() == [0, 2, 4, 6, 8]


def test_a_series_built_by_hand_gets_its_offset_from_its_values():
    value = np.array([3.0, 0.0, 4.0, 2.0])
    s = PopulationSeries("a", np.arange(4.0), value, np.zeros(4, bool), np.zeros((4, 0)))
    assert s.offset == 1.0 and np.all(np.isfinite(s.log))
    assert PopulationSeries("b", np.arange(4.0), value + 1, np.zeros(4, bool), np.zeros((4, 0))).offset == 0.0
    assert PopulationSeries("c", np.arange(4.0), value, np.zeros(4, bool), np.zeros((4, 0)), offset=0.5).offset == 0.5


@pytest.mark.parametrize("covariates, message", [
    (["value"], r"'value' cannot be a covariate: it is one of the required columns series_id, time, value"),
    (["time"], r"'time' cannot be a covariate"),
    (["series_id"], r"'series_id' cannot be a covariate"),
    (["temp", "temp"], r"covariate 'temp' is named twice"),
])
def test_a_covariate_named_like_a_required_column_or_twice_is_refused(tmp_path, covariates, message):
    """Found by review: these ended in an internal AttributeError (a column selected twice)."""
    path = write(tmp_path, "series_id,time,value,temp\n" + "\n".join(f"a,{t},{t + 1},{t}" for t in range(5)))
    with pytest.raises(InputError, match=message) as info:
        load_series(path, covariates=covariates)
    assert "data.csv" in str(info.value)


def test_one_gap_longer_than_the_maximum_is_refused_naming_its_first_and_last_missing_time(tmp_path):
    """An 11-year gap in 120 years is only 9 % missing, under the share rule, but longer than MAX_GAP_STEPS."""
    assert MAX_GAP_STEPS == 10
    years = [year for year in range(1900, 2020) if not 1950 <= year <= 1960]
    rows = "\n".join(f"a,{year},{year % 9 + 1}" for year in years)
    with pytest.raises(SeriesError, match=r"series 'a': 11 values missing in a row, times 1950 to 1960; gaps of "
                                          r"more than 10 steps are not interpolated"):
        load_series(write(tmp_path, "series_id,time,value\n" + rows))
    rows = "\n".join(f"a,{year},{year % 9 + 1}" for year in range(1900, 2020) if not 1950 <= year <= 1959)
    s = load_series(write(tmp_path, "series_id,time,value\n" + rows))["a"]  # exactly 10 missing: interpolated
    assert s.filled.sum() == 10 and np.flatnonzero(s.filled).tolist() == list(range(50, 60))
    months = [f"m,{1930 + i // 12}-{i % 12 + 1:02d},{i % 7 + 1}" for i in range(130) if not 12 <= i < 23]
    with pytest.raises(SeriesError, match=r"series 'm': 11 values missing in a row, times 1931-01 to 1931-11"):
        load_series(write(tmp_path, "series_id,time,value\n" + "\n".join(months)))


def test_refused_series_can_be_collected_while_the_others_load(tmp_path):
    rows = ([f"ok,{t},{t % 5 + 1}" for t in range(30)] + [f"zeros,{t},0" for t in range(30)]
            + [f"gappy,{t},{t % 5 + 1}" for t in range(30) if not 10 <= t < 15])
    path = write(tmp_path, "series_id,time,value\n" + "\n".join(rows))
    refused = {}
    assert list(load_series(path, refused=refused)) == ["ok"]
    assert list(refused) == ["zeros", "gappy"] and all(isinstance(e, SeriesError) for e in refused.values())
    assert refused["zeros"].reason.startswith("every value is zero")
    assert refused["gappy"].reason.startswith("5 of 30 values missing (more than 10%; longest gap 5 steps after time 9")
    assert str(refused["gappy"]) == f"{path}: series 'gappy': {refused['gappy'].reason}"
    with pytest.raises(SeriesError, match="series 'zeros': every value is zero"):
        load_series(path)
    unordered = write(tmp_path, "series_id,time,value\na,1,3\na,3,5\na,2,4\nb,1,3\nb,2,3\nb,3,3\n", "bad.csv")
    with pytest.raises(InputError, match="times are not increasing"):  # the file's form: raised all the same
        load_series(unordered, refused={})


def test_usual_missing_markers_are_missing_values(tmp_path):
    markers = ["NA", "N/A", "NaN", "nan", "na", " NA "]
    rows = [f"a,{t},{markers[t // 10] if t % 10 == 2 else t + 1},{markers[t // 10] if t % 10 == 3 else t * 2}"
            for t in range(60)]
    s = load_series(write(tmp_path, "series_id,time,value,temp\n" + "\n".join(rows)), covariates="temp")["a"]
    assert np.flatnonzero(s.filled).tolist() == [2, 12, 22, 32, 42, 52]
    temp = 2 * np.arange(60)
    temp[3::10] = temp[2::10]  # a missing covariate cell takes the value before it
    assert np.allclose(s.value, np.arange(1, 61)) and np.array_equal(s.covariates[:, 0], temp)
    with pytest.raises(InputError, match=r"line 3, column 'value': 'NULL' is not a number"):
        load_series(write(tmp_path, "series_id,time,value\na,1,3\na,2,NULL\na,3,4\n"))
    rows = "\n".join(f"a,{t},{'NA' if 3 <= t < 9 else t + 1}" for t in range(40))  # NA rows are gaps like any other
    with pytest.raises(SeriesError, match="6 of 40 values missing"):
        load_series(write(tmp_path, "series_id,time,value\n" + rows))


def test_trailing_commas_and_extra_fields(tmp_path):
    """Found by review: a trailing comma made the reader take the first column as the index."""
    rows = "\n".join(f"a,{t},{t + 1}," for t in range(5))
    s = load_series(write(tmp_path, "series_id,time,value\n" + rows))["a"]
    assert s.value.tolist() == [1, 2, 3, 4, 5]
    s = load_series(write(tmp_path, "series_id,time,value\na,1,2,\na,2,3\na,3,4\n"))["a"]
    assert s.value.tolist() == [2, 3, 4]
    for text, line in (("series_id,time,value\na,1,2,9\na,2,3\na,3,4\n", 2),
                       ("series_id,time,value\n\na,1,2,\na,2,3,9\na,3,4\n", 4)):
        with pytest.raises(InputError, match=rf"data.csv: line {line}: 4 fields, but the header names 3 columns"):
            load_series(write(tmp_path, text))
    with pytest.raises(InputError, match=r"Expected 3 fields in line 3, saw 4"):
        load_series(write(tmp_path, "series_id,time,value\na,1,2\na,2,3,9\na,3,4\n"))


def test_a_covariate_without_values_refuses_only_its_series(tmp_path):
    """Found in audit: it refused the whole file, so a rolling evaluation scored none of its series. (A negative
    value, refused the same way then, now makes a series held on its own scale: the next test.)"""
    rows = ([f"ok,{t},{t % 5 + 1},{t}" for t in range(30)] + [f"nocov,{t},{t % 5 + 1}," for t in range(30)]
            + [f"neg,{t},{-1 if t == 7 else t % 5 + 1},{t}" for t in range(30)])
    path = write(tmp_path, "series_id,time,value,temp\n" + "\n".join(rows))
    refused = {}
    assert list(load_series(path, covariates="temp", refused=refused)) == ["ok", "neg"]
    assert {name: error.reason for name, error in refused.items()} == {"nocov": "column 'temp' has no values"}
    assert all(isinstance(error, SeriesError) for error in refused.values())
    with pytest.raises(SeriesError, match=r"data.csv: series 'nocov': column 'temp' has no values$"):
        load_series(path, covariates="temp", series="nocov")


@pytest.mark.parametrize("rows, reason", [
    (["a,1,3,1e300", "a,2,4,1", "a,3,5,1"], "line 2, column 'temp': 1e+300 is beyond the largest magnitude taken for a"
                                             " covariate (1e+15: it is scaled by its standard deviation, whose squares"
                                             " would overflow)"),
    (["a,1,3,1", "a,2,4,", "a,3,5,-2e15"], "line 4, column 'temp': -2e+15 is beyond the largest magnitude taken for a"
                                           " covariate"),
    (["a,1,-1,1", "a,2,1e300,1", "a,3,5,1"], "line 3, column 'value': 1e+300 is beyond the largest magnitude taken for"
                                             " a series with negative values (modelled without the log) (1e+15"),
])
def test_a_covariate_or_an_unlogged_value_too_large_to_scale_is_refused_naming_line_and_column(tmp_path, rows, reason):
    """Found in audit: a covariate of 1e300 overflowed its standard deviation ("overflow encountered in square" on
    stderr) and was silently scaled to 0; a series held on its own scale would overflow the same way."""
    path = write(tmp_path, "series_id,time,value,temp\n" + "\n".join(rows) + "\n")
    with pytest.raises(SeriesError, match="^" + re.escape(f"{path}: series 'a': {reason}")):
        load_series(path, covariates="temp")
    huge_abundance = write(tmp_path, "series_id,time,value\na,1,3\na,2,1e300\na,3,5\n", "counts.csv")
    assert load_series(huge_abundance)["a"].log[1] == pytest.approx(np.log(1e300))  # a log abundance: no bound


def test_a_series_with_negative_values_is_held_on_its_own_scale(tmp_path):
    """Found in audit: a negative value refused the series ("negative abundance"), so the 60 GPDD series of
    centred or differenced values (gpdd_9776: 28 values from -1.5 to 2.3) could not be scored, where PROTOCOL.md
    B says "no transform for series that are already centred or differenced"."""
    rows = ([f"centred,{t},{v}" for t, v in enumerate([1.0, -0.1, 0.0, 2.3, -1.5, 0.4])]
            + [f"counts,{t},{v}" for t, v in enumerate([3, 0, 4, 2, 8, 1])] + [f"zeros,{t},0" for t in range(6)])
    path = write(tmp_path, "series_id,time,value\n" + "\n".join(rows) + "\n")
    refused = {}
    data = load_series(path, refused=refused)
    centred, counts = data["centred"], data["counts"]
    assert not centred.logged and centred.offset == 0.0
    np.testing.assert_array_equal(centred.log, [1.0, -0.1, 0.0, 2.3, -1.5, 0.4])  # the values: no log
    np.testing.assert_array_equal(centred.to_original([-2.0, 0.5]), [-2.0, 0.5])  # and back: as they are
    assert counts.logged and counts.offset == 0.5 and counts.log[0] == pytest.approx(np.log(3.5))
    assert list(refused) == ["zeros"] and refused["zeros"].reason.startswith("every value is zero")
    gap = write(tmp_path, "series_id,time,value\na,1,-2\na,2,\na,3,4\n" + "".join(f"a,{t},1\n" for t in range(4, 12)))
    assert load_series(gap)["a"].value[:3].tolist() == [-2.0, 1.0, 4.0]  # interpolated on its own scale too
    hand = PopulationSeries("b", np.arange(3.0), np.array([0.0, -1.0, 2.0]), np.zeros(3, bool), np.zeros((3, 0)))
    assert not hand.logged and hand.offset == 0.0


@pytest.mark.parametrize("cell, line", [("inf", 16), ("-inf", 16), ("Infinity", 16), ("inf", 5)])
def test_a_time_that_is_not_finite_is_refused_naming_its_line_and_column(tmp_path, cell, line):
    """Found in audit: ``inf`` last gave "negative dimensions are not allowed" after a cast warning, and in the
    middle "times are not increasing"."""
    times = [str(t) for t in range(1, 15)]
    times.insert(line - 2, cell)
    path = write(tmp_path, "series_id,time,value\n" + "\n".join(f"a,{t},{i + 4}" for i, t in enumerate(times)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError, match=rf"data.csv: line {line}, column 'time': {cell!r} is not a finite "
                                             r"number$") as info:
            load_series(path, refused={})  # a problem of the file's form: raised, not collected
    assert not isinstance(info.value, SeriesError)


@pytest.mark.parametrize("first, last, message", [
    ("1", "1e13", r"9999999999985 of 10000000000000 values missing \(more than 10%; longest gap 9999999999985 "
                  r"steps after time 14\); too many to interpolate$"),
    ("1", "1e300", r"times 1 to 1e\+300 at steps of 1 make a grid too long to build \(1e\+300 steps\)$"),
    ("-1e308", "1e308", r"times -1e\+308 to 1e\+308 at steps of 1 make a grid too long to build \(inf steps\)$"),
])
def test_a_time_far_beyond_the_others_is_refused_before_its_grid_is_built(tmp_path, first, last, message):
    """Found in audit: a typo such as 1e13 for the last year tried to allocate 72.8 TiB (MemoryError, exit 1).
    No float overflow warning either, even where the grid's length exceeds the largest float."""
    rows = [f"a,{first},4"] + [f"a,{t},{t + 3}" for t in range(2, 15)] + [f"a,{last},5"]
    path = write(tmp_path, "series_id,time,value\n" + "\n".join(rows))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(SeriesError, match=rf"data.csv: series 'a': {message}"):
            load_series(path)


def test_covariate_names_are_stripped_as_the_header_names_are(tmp_path):
    """Found in audit: ``--covariates " Temp Max "`` copied from a header cell `` Temp Max `` was refused."""
    path = write(tmp_path, "series_id,time,value, Temp Max \n" + "\n".join(f"a,{t},{t + 1},{t}" for t in range(5)))
    for name in (" Temp Max ", "Temp Max"):
        s = load_series(path, covariates=[name])["a"]
        assert s.covariate_names == ("Temp Max",) and s.covariates[:, 0].tolist() == [0, 1, 2, 3, 4]


def test_missing_covariates_carry_the_last_value_forward_and_values_are_still_interpolated(tmp_path):
    """Found in audit: interpolating a covariate's gap read the value after it, so a rolling origin inside the gap
    saw data from after the origin. The cells before a covariate's first value take that value (the one
    exception)."""
    cov = ["", "", 5, 0, "", "", 100, 0, 3, ""]
    value = [11, 12, 10, "", 12, 10, 11, 12, 10, 11]
    rows = [f"a,{t},{v},{c}" for t, (v, c) in enumerate(zip(value, cov))]
    s = load_series(write(tmp_path, "series_id,time,value,c\n" + "\n".join(rows)), covariates="c")["a"]
    assert s.covariates[:, 0].tolist() == [5, 5, 5, 0, 0, 0, 100, 0, 3, 3]
    assert s.value[3] == pytest.approx(11.0) and s.filled.tolist() == [t == 3 for t in range(10)]


def test_covariates_named_like_the_loaders_own_bookkeeping_load_as_any_other(tmp_path):
    """Found in audit: a column ``_line`` or ``_monthly`` was overwritten by the loader's own (exit 1)."""
    text = "series_id,time,value,_line,_monthly\n" + "\n".join(f"m,1930-{m:02d},{m},{m * 3},{m * 5}"
                                                              for m in range(1, 13))
    path = write(tmp_path, text)
    s = load_series(path, covariates=["_line", "_monthly"])["m"]
    assert s.calendar == "month" and s.covariate_names == ("_line", "_monthly")
    assert s.covariates.tolist() == [[m * 3, m * 5] for m in range(1, 13)]
    with pytest.raises(InputError, match=r"line 5, column '_line': 'x' is not a number"):
        load_series(write(tmp_path, text.replace(",12,20\n", ",x,20\n")), covariates=["_line"])


def test_a_dataframe_or_a_buffer_is_read_with_the_same_checks_as_a_file(tmp_path):
    """``load_series(df)`` gave "File name too long" and a StringIO FileNotFoundError."""
    import io

    frame = pd.DataFrame({"series_id": "a", "time": np.arange(2000, 2012), "value": np.arange(1.0, 13.0)})
    frame.loc[4, "value"] = np.nan
    path = tmp_path / "a.csv"
    frame.to_csv(path, index=False)
    expected = load_series(path)["a"]
    text = path.read_text()
    for given in (frame, frame.set_index(["series_id", "time"]), io.StringIO(text), io.BytesIO(text.encode())):
        got = load_series(given)["a"]
        assert np.array_equal(got.time, expected.time) and np.array_equal(got.value, expected.value)
        assert np.array_equal(got.filled, expected.filled)
    with open(path) as handle:
        assert np.array_equal(load_series(handle)["a"].value, expected.value)
    bad = frame.astype({"value": object})
    bad.loc[6, "value"] = "many"
    with pytest.raises(InputError, match=r"^<DataFrame>: line 8, column 'value': 'many' is not a number$"):
        load_series(bad)
    with pytest.raises(InputError, match=r"^<buffer>: no column 'value' \(columns: series_id, time\)$"):
        load_series(io.StringIO(frame.drop(columns="value").to_csv(index=False)))
    with pytest.raises(InputError, match="^<DataFrame>: no data rows$"):
        load_series(frame.iloc[:0])
    with pytest.raises(TypeError, match="expected a CSV file path, an open file or buffer, or a pandas DataFrame; "
                                        "got list"):
        load_series([1.0, 2.0])
