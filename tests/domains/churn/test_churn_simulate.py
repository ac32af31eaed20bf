"""The weekly simulator: shapes, the hazard it states, the oracle's curve, order-dependence of complaints, and the
Bayes observer (the best curve the history allows)."""

import dataclasses

import numpy as np
from scipy.stats import multivariate_normal

from domains.churn import baselines, evaluate, simulate
from domains.churn.model import risk_score


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


def test_complaint_and_support_kernels_by_hand():
    """k_t = sum_{s <= t} events_s exp(-(t - s) / decay), with the documented decays: a single complaint in week 0
    counts exp(-t / 8) in week t (1, 0.882497, 0.778801, ..., exp(-1) = 0.367879 eight weeks on), a support
    contact exp(-t / 2) (1, 0.606531, 0.367879); a second complaint adds 1 in its own week."""
    params = simulate.HazardParams()
    assert params.complaint_decay_weeks == 8.0 and params.support_decay_weeks == 2.0
    one = np.zeros((1, 9))
    one[0, 0] = 1
    complaint = simulate._kernel(one, params.complaint_decay_weeks)
    np.testing.assert_allclose(complaint[0, :3], [1.0, 0.882497, 0.778801], rtol=1e-5)
    np.testing.assert_allclose(complaint[0, 8], 0.367879, rtol=1e-5)
    np.testing.assert_allclose(complaint[0], np.exp(-np.arange(9) / 8), rtol=1e-12)
    support = simulate._kernel(one[:, :3], params.support_decay_weeks)
    np.testing.assert_allclose(support, [[1.0, 0.606531, 0.367879]], rtol=1e-5)
    np.testing.assert_allclose(simulate._kernel(np.array([[1, 0, 1]]), 8.0), [[1.0, 0.882497, 1.778801]], rtol=1e-5)


def test_hazard_after_a_single_complaint_by_hand():
    """Only the complaint term in the hazard (c = d = e = 0, no frailty), 20 history weeks: a customer whose one
    complaint came in week s has, in the first follow-up week (week 20), h = sigmoid(-4 + 2 exp(-(20 - s) / 8)):
    0.096651 for s = 19, 0.079996 for s = 18, 0.036819 for s = 12; with none, sigmoid(-4) = 0.017986."""
    params = simulate.HazardParams(c=0.0, d=0.0, e=0.0, frailty_sd=0.0)
    sim = simulate.simulate(3000, seed=6, history_weeks=20, follow_weeks=3, params=params)
    count, week = sim.complaints.sum(axis=1), sim.complaints.argmax(axis=1)
    np.testing.assert_allclose(sim.hazard[count == 0], 0.017986, rtol=1e-4)
    for s, expected in ((19, 0.096651), (18, 0.079996), (12, 0.036819)):
        one = (count == 1) & (week == s)
        assert one.sum() >= 5
        np.testing.assert_allclose(sim.hazard[one, 0], expected, rtol=1e-4)
    one = (count == 1) & (week == 19)  # two follow-up weeks on: exp(-(21 - 19) / 8) = 0.778801
    np.testing.assert_allclose(sim.hazard[one, 1], 1 / (1 + np.exp(4 - 2 * np.exp(-2 / 8))), rtol=1e-9)


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


def test_bayes_observer_is_the_oracle_when_the_history_shows_everything():
    """No usage decline and no frailty: for a customer whose billing weeks show the contract cycle, the
    posterior curve is the true one; for one too new to have been billed, the mean over the cycles left."""
    params = simulate.HazardParams(decline_share=0.0, frailty_sd=0.0)
    sim = simulate.simulate(600, seed=5, params=params)
    bayes = simulate.bayes_survival(sim, params)
    outlook = simulate.renewal_outlook(sim.x, sim.hazard.shape[1])[:, :, 0]
    known = np.isin(outlook, [0.0, 1.0]).all(axis=1)
    assert 0.5 < known.mean() < 1.0
    np.testing.assert_allclose(bayes[known], sim.oracle_survival[known], rtol=1e-9)
    unsure = ~known   # their true cycle is hidden: the curves differ, but agree on average
    assert np.abs(bayes[unsure] - sim.oracle_survival[unsure]).max() > 0.2
    np.testing.assert_allclose(bayes[unsure].mean(axis=0), sim.oracle_survival[unsure].mean(axis=0), atol=0.03)


def test_bayes_observer_is_calibrated_and_below_the_oracle():
    """Averaged over customers, the posterior mean curve is the oracle's mean curve (the law of total
    expectation holds only if its priors and likelihoods are the simulator's); its C-index is below the
    oracle's, above CoxPH's on aggregates of the same histories, and it is monotone in time."""
    train_set, sim = simulate.simulate(3000, seed=8), simulate.simulate(4000, seed=9)
    bayes = simulate.bayes_survival(sim)
    assert bayes.shape == sim.oracle_survival.shape and (np.diff(bayes, axis=1) <= 1e-12).all()
    np.testing.assert_allclose(bayes.mean(axis=0), sim.oracle_survival.mean(axis=0), atol=0.004)
    c = {name: evaluate.harrell_c(sim.duration, sim.event, risk) for name, risk in
         [("bayes", risk_score(bayes, 1.0)), ("oracle", sim.oracle_risk)]}
    cox = baselines.CoxBaseline().fit(baselines.sequence_aggregates(train_set.x, train_set.features),
                                      train_set.duration, train_set.event)
    aggregates = baselines.sequence_aggregates(sim.x, sim.features)
    c["coxph"] = evaluate.harrell_c(sim.duration, sim.event, cox.risk(aggregates))
    assert c["coxph"] + 0.01 < c["bayes"] < c["oracle"]


def test_usage_likelihood_integrates_the_level_out():
    """Against the multivariate normal it stands for: covariance noise^2 I + level_sd^2 1 1^T over the active
    weeks; the difference between two declines of one customer is exact."""
    p = simulate.HazardParams()
    rng = np.random.default_rng(0)
    active = np.zeros((2, 12), bool)
    active[:, 3:] = True
    values = np.log(p.usage_level) + rng.normal(0, 0.5, (2, 12))
    ours = simulate._usage_log_likelihood(values, active, p)
    cov = p.usage_noise_sd ** 2 * np.eye(9) + p.usage_level_sd ** 2
    exact = [multivariate_normal(np.full(9, np.log(p.usage_level)), cov).logpdf(v[3:]) for v in values]
    np.testing.assert_allclose(ours[0] - ours[1], exact[0] - exact[1], rtol=1e-10)


def test_bayes_observer_reads_complaints_as_signs_of_a_decline():
    """With complaints out of the hazard (b = d = 0) complaints still lower the posterior curve: they are
    likelier once usage has declined, so they raise the posterior weight of the declines already under way."""
    params = simulate.HazardParams(b=0.0, d=0.0, frailty_sd=0.0)
    sim = simulate.simulate(200, seed=3, params=params)
    complaint = simulate.FEATURES.index("log_complaint")
    quiet, loud = sim.x.copy(), sim.x.copy()
    quiet[:, :, complaint] = 0.0
    loud[:, -6:, complaint] = np.log(2.0) * loud[:, -6:, 0]
    curves = [simulate.bayes_survival(dataclasses.replace(sim, x=x), params) for x in (quiet, loud)]
    lower = curves[0][:, -1] - curves[1][:, -1]
    assert (lower > 0).mean() > 0.9 and lower.mean() > 0.05
