"""The weekly simulator: shapes, the hazard it states, the oracle's curve, and order-dependence of complaints."""

import numpy as np

from domains.churn import evaluate, simulate


def test_shapes_and_ranges():
    sim = simulate.simulate(500, seed=0, history_weeks=30, follow_weeks=10)
    assert sim.x.shape == (500, 30, len(simulate.FEATURES)) and sim.hazard.shape == (500, 10)
    assert sim.duration.min() >= 1 and sim.duration.max() <= 10 and set(np.unique(sim.event)) <= {0, 1}
    assert ((sim.hazard > 0) & (sim.hazard < 1)).all()
    np.testing.assert_allclose(sim.oracle_survival, np.cumprod(1 - sim.hazard, axis=1))
    # before joining every feature is 0 (masked); from joining on 'active' is 1
    first = sim.x[:, :, 0].argmax(axis=1)
    assert all(sim.x[i, :first[i]].sum() == 0 for i in range(50))


def test_same_seed_same_population():
    a, b = simulate.simulate(200, seed=3), simulate.simulate(200, seed=3)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.duration, b.duration)


def test_oracle_survival_is_calibrated():
    sim = simulate.simulate(20000, seed=1, random_censoring=0.0)
    table = evaluate.calibration(sim.duration, sim.event, {"oracle": sim.oracle_survival}, sim.times, [6, 13, 26])
    np.testing.assert_allclose(table["oracle"], table["kaplan_meier"], atol=0.01)


def test_recent_complaints_raise_the_hazard_more_than_old_ones():
    sim = simulate.simulate(20000, seed=2)
    complaints = sim.complaints
    one = complaints.sum(axis=1) == 1
    week = complaints.argmax(axis=1)
    recent, old = one & (week >= 48), one & (week < 30)
    assert sim.hazard[recent, 0].mean() > 1.5 * sim.hazard[old, 0].mean()


def test_oracle_beats_kaplan_meier():
    sim = simulate.simulate(3000, seed=4)
    oracle = evaluate.score(sim.duration, sim.event, sim.oracle_risk, sim.oracle_survival, sim.times)
    km = np.tile(sim.oracle_survival.mean(axis=0), (3000, 1))
    assert oracle["c_index"] > 0.65
    assert oracle["ibs"] < evaluate.integrated_brier(sim.duration, sim.event, km, sim.times)


def test_renewal_outlook_is_the_renewal_week_as_the_history_shows_it():
    """With only the renewal term in the hazard, its spikes are the renewal weeks: the outlook (from the
    observed history) is exact once a billing has shown the cycle, and its share is right for the others."""
    params = simulate.HazardParams(b=0.0, c=0.0, d=0.0, e=3.0, frailty_sd=0.0)
    sim = simulate.simulate(3000, seed=5, params=params)
    renewal = sim.hazard > 2 / (1 + np.exp(-params.a))
    outlook = simulate.renewal_outlook(sim.x, sim.hazard.shape[1])[:, :, 0]
    assert outlook.shape == sim.hazard.shape
    assert not (renewal & (outlook == 0)).any()       # no renewal the history rules out
    known = np.isin(outlook, [0.0, 1.0]).all(axis=1)
    assert 0.5 < known.mean() < 1.0                   # some customers are too new to have been billed
    np.testing.assert_array_equal(outlook[known] == 1, renewal[known])
    unsure = (outlook > 0) & (outlook < 1)
    assert abs(renewal[unsure].mean() - outlook[unsure].mean()) < 0.05


def test_usage_trend_by_hand():
    # one customer joining at week 2 with log usage 2, 2, 1 (a drop), one steady customer from week 0
    x = np.zeros((2, 5, len(simulate.FEATURES)), "float32")
    x[0, 2:, 0], x[0, 2:, 1] = 1.0, [2.0, 2.0, 1.0]
    x[1, :, 0], x[1, :, 1] = 1.0, 3.0
    trend = simulate.usage_trend(x, half_life=1.0)  # moving-average weight 1/2
    assert trend.shape == (2, 5, 1)
    np.testing.assert_allclose(trend[0, :, 0], [0, 0, 0, 0, 1.5 - 5 / 3], atol=1e-6)
    np.testing.assert_allclose(trend[1, :, 0], 0, atol=1e-6)


def test_usage_trend_falls_for_declining_customers():
    sim = simulate.simulate(3000, seed=2)
    history, outlook = simulate.model_inputs(sim)
    assert history.shape == sim.x.shape[:2] + (len(simulate.FEATURES) + 1,) and outlook.shape == (3000, 26, 1)
    np.testing.assert_array_equal(history[:, :, :-1], sim.x)
    # lower trend at the landmark, more churn: the channel carries the usage decline of the true hazard
    low = history[:, -1, -1] < np.quantile(history[:, -1, -1], 0.2)
    assert sim.hazard[low].mean() > 1.3 * sim.hazard[~low].mean()
