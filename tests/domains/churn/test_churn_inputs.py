"""Inputs checked before TensorFlow is imported: the scorable-outcome check against lifelines' own rule."""

import numpy as np
import pandas as pd
import pytest
from lifelines.utils import concordance_index

from shared.cli import InputError

from domains.churn import inputs


def lifelines_has_pairs(duration, event):
    try:
        concordance_index(duration, np.zeros(len(duration)), event)
    except ZeroDivisionError:
        return False
    return True


def test_check_scorable_refuses_exactly_the_outcomes_lifelines_cannot_score():
    rng = np.random.default_rng(0)
    refused = 0
    for _ in range(400):
        n = int(rng.integers(1, 5))
        duration = rng.integers(1, 4, n).astype(float)
        event = (rng.random(n) < 0.6).astype(int)
        try:
            inputs.check_scorable("x.csv", duration, event, "no event")
            scorable = True
        except InputError as error:
            scorable = False
            assert str(error).startswith("x.csv: ") and "C-index is undefined" in str(error)
        refused += not scorable
        assert scorable == lifelines_has_pairs(duration, event), (duration, event)
    assert 50 < refused < 350  # both outcomes were exercised


def test_has_comparable_pair_is_lifelines_rule():
    rng = np.random.default_rng(1)
    answers = []
    for _ in range(400):
        n = int(rng.integers(1, 5))
        duration, event = rng.integers(1, 4, n).astype(float), (rng.random(n) < 0.6).astype(int)
        answers.append(inputs.has_comparable_pair(duration, event))
        assert answers[-1] == lifelines_has_pairs(duration, event), (duration, event)
    assert 50 < sum(answers) < 350


def test_a_follow_up_shorter_than_one_interval_is_refused():
    """Found by audit: --horizon-days 1 crashed the IBS (an empty grid; exit 1); the weekly model's first point
    is day 7, so a shorter follow-up is refused up front."""
    inputs.check_follow_up(inputs.WIDTH_DAYS)
    with pytest.raises(InputError, match=r"^--horizon-days 6: shorter than one week, the model's interval; the "
                                         r"follow-up must be at least 7 days$"):
        inputs.check_follow_up(6)


def test_check_scorable_says_why():
    with pytest.raises(InputError, match=r"log.csv: no purchase .* for all 3 customers \(every one censored\)"):
        inputs.check_scorable("log.csv", [273, 273, 273], [0, 0, 0], "no purchase within 273 days")
    with pytest.raises(InputError, match="no comparable pair of customers"):
        inputs.check_scorable("log.csv", [5, 5, 2], [1, 1, 0], "no purchase")
    inputs.check_scorable("log.csv", [5, 5], [1, 0], "no purchase")  # censored at the event's time: comparable


def test_data_end_defaults_to_the_end_of_follow_up_and_may_not_come_before_it():
    assert inputs.data_end("1997-09-30", 273) == pd.Timestamp("1998-06-30")
    assert inputs.data_end("1997-09-30", 91, "1998-06-30") == pd.Timestamp("1998-06-30")
    with pytest.raises(InputError, match=r"--data-end 1997-12-01: before the end of the follow-up, 1997-12-30"):
        inputs.data_end("1997-09-30", 91, "1997-12-01")
    with pytest.raises(InputError, match="after the last date pandas can hold"):
        inputs.data_end("2262-04-01", 273)
    with pytest.raises(InputError, match="after the last date pandas can hold"):
        inputs.data_end("1997-09-30", 10**8)


def test_a_log_that_stops_well_before_its_data_end_gets_one_warning_line(capsys):
    log = pd.DataFrame({"date": pd.to_datetime(["1997-01-01", "1998-06-02"])})
    inputs.warn_if_short("log.csv", log, pd.Timestamp("1998-06-30"))  # 28 days: within the margin
    assert capsys.readouterr().err == ""
    inputs.warn_if_short("log.csv", log, pd.Timestamp("1998-07-01"))
    err = capsys.readouterr().err
    assert err.startswith("warning: log.csv: the last purchase is on 1998-06-02, 29 days before the data end "
                          "1998-07-01") and len(err.splitlines()) == 1


def test_a_covariate_that_follows_the_duration_is_named_in_one_note(capsys):
    rng = np.random.default_rng(0)
    duration = pd.Series(rng.integers(1, 72, 300).astype(float))
    covariates = pd.DataFrame({"monthly": rng.uniform(60, 100, 300)})
    covariates["total"] = duration * covariates["monthly"]  # Telco's total_charges: tenure x monthly charges
    covariates["plan_b"] = (rng.random(300) < 0.5).astype(float)
    schema = {"monthly": None, "total": None, "plan": ["a", "b"]}
    frame = pd.DataFrame({"duration": duration})
    inputs.note_duration_proxies("t.csv", frame, covariates, schema)
    err = capsys.readouterr().err
    assert err.startswith("note: t.csv: covariate(s) 'total' (+0.") and "--drop total" in err
    assert "monthly" not in err and len(err.splitlines()) == 1
    inputs.note_duration_proxies("t.csv", frame, covariates.drop(columns="total"),
                                 {"monthly": None, "plan": ["a", "b"]})
    assert capsys.readouterr().err == ""
