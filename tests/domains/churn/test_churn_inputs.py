"""Inputs checked before TensorFlow is imported: the scorable-outcome check against lifelines' own rule."""

import numpy as np
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


def test_check_scorable_says_why():
    with pytest.raises(InputError, match=r"log.csv: no purchase .* for all 3 customers \(every one censored\)"):
        inputs.check_scorable("log.csv", [273, 273, 273], [0, 0, 0], "no purchase within 273 days")
    with pytest.raises(InputError, match="no comparable pair of customers"):
        inputs.check_scorable("log.csv", [5, 5, 2], [1, 1, 0], "no purchase")
    inputs.check_scorable("log.csv", [5, 5], [1, 0], "no purchase")  # censored at the event's time: comparable
