"""Survival metrics against lifelines and against quantities known in closed form."""

import numpy as np
import pytest
from lifelines import KaplanMeierFitter
from lifelines.utils import concordance_index

from domains.churn import evaluate, inputs


@pytest.fixture
def exponential(rng):
    """20,000 exponential(rate 1) times, independent exponential(rate 0.3) censoring, grid 0.1 .. 2."""
    n = 20_000
    times = rng.exponential(1.0, n)
    censor = rng.exponential(1 / 0.3, n)
    duration, event = np.minimum(times, censor), (times <= censor).astype(int)
    grid = np.linspace(0.1, 2.0, 20)
    return duration, event, grid


def test_harrell_c_is_lifelines(rng):
    duration, event, risk = rng.exponential(1, 300), rng.integers(0, 2, 300), rng.normal(size=300)
    assert evaluate.harrell_c(duration, event, risk) == pytest.approx(concordance_index(duration, -risk, event))
    assert evaluate.harrell_c(duration, np.ones(300), -duration) == 1.0


def test_td_concordance_equals_harrell_for_proportional_curves(rng):
    n = 400
    risk = rng.normal(size=n)
    duration = rng.exponential(np.exp(-risk))
    event = (rng.random(n) < 0.7).astype(int)
    grid = np.sort(duration)
    survival = np.exp(-np.exp(risk)[:, None] * grid[None, :])
    assert evaluate.td_concordance(duration, event, survival, grid) == pytest.approx(
        evaluate.harrell_c(duration, event, risk), abs=1e-9)


def test_td_concordance_reads_the_curves_at_the_first_grid_point_at_or_after_the_event():
    """Crossing curves on the grid 1, 2, 3, one pair (customer 0's event, customer 1 censored later at 3).
    Event at t = 1, on a grid point: read at grid 1, S_0 = 0.5 > S_1 = 0.4, discordant, C = 0 (reading at the next
    point, 2, would give 0.1 < 0.9, C = 1). Event at t = 1.5, between points: read at grid 2, C = 1 (the point
    before, 1, would give 0)."""
    survival, grid = [[0.5, 0.1, 0.1], [0.4, 0.9, 0.9]], [1.0, 2.0, 3.0]
    assert evaluate.td_concordance([1.0, 3.0], [1, 0], survival, grid) == 0.0
    assert evaluate.td_concordance([1.5, 3.0], [1, 0], survival, grid) == 1.0


def test_td_concordance_of_identical_curves_is_one_half(rng):
    duration, event = rng.exponential(1, 200), np.ones(200, int)
    grid = np.linspace(0.1, 3, 30)
    assert evaluate.td_concordance(duration, event, np.tile(np.exp(-grid), (200, 1)), grid) == 0.5


def test_brier_without_censoring_is_the_plain_mean_square(rng):
    duration = rng.exponential(1, 500)
    event = np.ones(500, int)
    grid = np.array([0.5, 1.0])
    survival = rng.random((500, 2))
    expected = ((duration[:, None] > grid) - survival) ** 2
    np.testing.assert_allclose(evaluate.brier_scores(duration, event, survival, grid), expected.mean(axis=0))


def test_ipcw_brier_of_the_true_curve_under_censoring(exponential):
    duration, event, grid = exponential
    true = np.exp(-grid)
    scores = evaluate.brier_scores(duration, event, np.tile(true, (len(duration), 1)), grid)
    # with independent censoring, IPCW recovers the uncensored Brier score of the true curve: S (1 - S)
    np.testing.assert_allclose(scores, true * (1 - true), atol=0.01)
    ibs = evaluate.integrated_brier(duration, event, np.tile(true, (len(duration), 1)), grid)
    assert ibs == pytest.approx(np.trapezoid(true * (1 - true), grid) / (grid[-1] - grid[0]), abs=0.01)



def test_ipcw_brier_weighs_an_event_by_the_censoring_curve_just_before_it():
    """An event and a censoring at the same time (whole-month tenures tie all the time): the event's weight is
    1 / G(T-) = 1, the censoring at 2 counted after it; the survivors' is 1 / G(2) = 1 / 0.8 (one of the five at
    risk at 2 censored there). BS(2) = (0.8^2 + 0.8^2 + 3 * 0.2^2 / 0.8) / 6; 1 / G(2) on the tied event gives
    0.265."""
    duration, event = np.array([1.0, 2.0, 2.0, 3.0, 4.0, 4.0]), np.array([1, 1, 0, 1, 0, 0])
    scores = evaluate.brier_scores(duration, event, np.full((6, 1), 0.8), [2.0])
    assert scores[0] == pytest.approx((0.64 + 0.64 + 3 * 0.04 / 0.8) / 6)

def test_calibration_of_the_true_curve_matches_kaplan_meier(exponential):
    duration, event, grid = exponential
    curves = {"true": np.tile(np.exp(-grid), (len(duration), 1))}
    table = evaluate.calibration(duration, event, curves, grid, at=grid[[4, 9, 19]])
    km = KaplanMeierFitter().fit(duration, event).survival_function_at_times(grid[[4, 9, 19]]).to_numpy()
    np.testing.assert_allclose(table["kaplan_meier"], km)
    np.testing.assert_allclose(table["true"], km, atol=0.02)


def test_calibration_reads_every_curve_at_the_time_it_reports(exponential):
    """Between grid points a curve is read as Kaplan-Meier is, at that time (linearly, as survival_at), not at
    the next grid point; a time past the grid is refused."""
    duration, event, grid = exponential
    curve = np.tile(np.exp(-grid), (len(duration), 1))
    table = evaluate.calibration(duration, event, {"true": curve}, grid, at=[0.35, grid[4]])
    np.testing.assert_allclose(table["true"], evaluate.survival_at(curve[:1], grid, [0.35, grid[4]])[0])
    assert table["true"].iloc[1] == curve[:, 4].mean()  # on a grid point: the curve's own value, as before
    np.testing.assert_allclose(table["true"], table["kaplan_meier"], atol=0.02)
    with pytest.raises(ValueError, match=r"calibration at 2.5: outside the curves' grid \[0, 2\]"):
        evaluate.calibration(duration, event, {"true": curve}, grid, at=[1.0, 2.5])


def test_calibration_plot_writes_a_file(exponential, tmp_path):
    duration, event, grid = exponential
    table = evaluate.calibration(duration, event, {"m": np.tile(np.exp(-grid), (len(duration), 1))}, grid, grid[[4, 9]])
    evaluate.calibration_plot(table, tmp_path / "calibration.png")
    assert (tmp_path / "calibration.png").stat().st_size > 1000


def test_paired_bootstrap_ranks_a_better_model_above(rng):
    n = 600
    risk = rng.normal(size=n)
    duration = rng.exponential(np.exp(-risk))
    event = np.ones(n, int)
    grid = np.quantile(duration, np.linspace(0.05, 0.9, 10))
    good = (risk, np.exp(-np.exp(risk)[:, None] * grid[None, :]))
    noise = (np.zeros(n), np.tile(np.exp(-grid), (n, 1)))
    table = evaluate.paired_bootstrap(duration, event, {"coxph": noise, "good": good, "same": noise}, grid,
                                      n_boot=50, seed=0)
    assert table.loc["same"].abs().max() == 0
    assert table.loc["good", "dc_low"] > 0.1 and table.loc["good", "dctd_low"] > 0.1 and table.loc["good", "dibs_high"] < 0


def test_paired_bootstrap_leaves_out_resamples_without_a_comparable_pair(rng):
    """Found by audit: on a small file a resample often draws no event, and lifelines' C raised
    ZeroDivisionError (exit 1 after the scores were printed). Such resamples are left out and counted."""
    duration, event = np.array([5.0, 30.0, 100.0, 273.0, 273.0]), np.array([1, 1, 1, 0, 0])
    grid = np.arange(7.0, 274.0, 7.0)
    model = (-duration + rng.normal(size=5), np.tile(np.exp(-grid / 300), (5, 1)))
    km = (np.zeros(5), np.tile(np.exp(-grid / 200), (5, 1)))
    table = evaluate.paired_bootstrap(duration, event, {"coxph": km, "gated": model}, grid, n_boot=200, seed=0)
    draws = np.random.default_rng(0).integers(0, 5, (200, 5))
    usable = sum(inputs.has_comparable_pair(duration[d], event[d]) for d in draws)
    assert 100 < usable < 200 and table.attrs["resamples"] == usable
    assert np.isfinite(table.to_numpy()).all()
    assert table.loc["gated", "dc_low"] <= table.loc["gated", "dc_mean"] <= table.loc["gated", "dc_high"]
    censored = evaluate.paired_bootstrap(duration[3:], event[3:], {"coxph": (km[0][3:], km[1][3:]),
                                                                   "gated": (model[0][3:], model[1][3:])}, grid)
    assert censored.attrs["resamples"] == 0 and censored.isna().all().all()


def test_paired_bootstrap_interval_is_the_2_5_and_97_5_percentiles_of_the_resampled_differences():
    """The reported bounds are the 2.5 % and 97.5 % percentiles (and the mean the mean) of the per-resample
    differences, recomputed here from the same draws (seed 0, resamples without a comparable pair left out).
    Two imperfect risk orders make the C difference spread on both sides: its 95 % interval is
    [-0.75, 0.766], where an 80 % one would be [-0.429, 0.5]."""
    duration, event = np.array([5.0, 30.0, 100.0, 273.0, 273.0]), np.array([1, 1, 1, 0, 0])
    grid = np.arange(7.0, 274.0, 7.0)
    ref_risk, risk = np.array([2.0, 0.0, 1.0, 0.5, -1.0]), np.array([1.0, 2.0, 0.0, -1.0, 0.5])
    ref = (ref_risk, np.exp(-np.exp(ref_risk)[:, None] * grid[None, :] / 300))
    model = (risk, np.exp(-np.exp(risk)[:, None] * grid[None, :] / 300))
    table = evaluate.paired_bootstrap(duration, event, {"coxph": ref, "gated": model}, grid, n_boot=200, seed=0)
    diffs = []
    for s in np.random.default_rng(0).integers(0, 5, (200, 5)):
        d, e = duration[s], event[s]
        if inputs.has_comparable_pair(d, e):
            c = [evaluate.harrell_c(d, e, risk_[s]) for risk_ in (model[0], ref[0])]
            ctd = [evaluate.td_concordance(d, e, surv[s], grid) for surv in (model[1], ref[1])]
            diffs.append([c[0] - c[1], ctd[0] - ctd[1]])
    diffs = np.array(diffs)
    assert table.attrs["resamples"] == len(diffs)
    row = table.loc["gated"]
    for j, metric in enumerate(("c", "ctd")):
        low, high = np.percentile(diffs[:, j], [2.5, 97.5])
        assert row[f"d{metric}_low"] == pytest.approx(low) and row[f"d{metric}_high"] == pytest.approx(high)
        assert row[f"d{metric}_mean"] == pytest.approx(diffs[:, j].mean())
    assert row["dc_low"] == pytest.approx(-0.75) and row["dc_high"] == pytest.approx(0.76607143)


def test_integrated_brier_without_a_grid_point_before_the_end_is_nan():
    """Found by audit (``--horizon-days 1``): no whole time unit before the last follow-up time left the grid
    empty and the integral took ``t[-1]`` of nothing (IndexError)."""
    duration, event = np.array([1.0, 1.0]), np.array([1, 0])
    survival = np.full((2, 1), 0.9)
    assert np.isnan(evaluate.integrated_brier(duration, event, survival, [7.0], grid=evaluate.follow_up_grid(duration)))
    assert np.isnan(evaluate.score(duration, event, np.array([1.0, 0.0]), survival, [7.0])["ibs"])


def test_brier_with_a_duration_of_zero_is_finite():
    duration, event = np.array([0.0, 1.0, 2.0, 3.0]), np.array([0, 1, 0, 1])
    scores = evaluate.brier_scores(duration, event, np.full((4, 2), 0.5), np.array([1.0, 2.0]))
    assert np.isfinite(scores).all()


def test_follow_up_grid_is_every_whole_unit_before_the_end():
    days = evaluate.follow_up_grid(np.array([5.0, 273.0, 273.0]))  # CDNOW: 273 days of follow-up
    np.testing.assert_array_equal(days, np.arange(1, 273))
    np.testing.assert_array_equal(evaluate.follow_up_grid(np.array([3, 26])), np.arange(1, 26))  # simulator weeks


def test_survival_at_interpolates_from_one_at_time_zero(rng):
    times, survival = np.array([7.0, 14.0, 21.0]), np.sort(rng.random((5, 3)), axis=1)[:, ::-1]
    at = np.array([0.0, 3.5, 7.0, 10.0, 21.0, 30.0])
    expected = [np.interp(at, [0, 7, 14, 21], np.concatenate([[1.0], row])) for row in survival]
    np.testing.assert_allclose(evaluate.survival_at(survival, times, at), expected)


def test_integrated_brier_over_the_follow_up_grid_by_hand():
    # curves known at weeks-like points 2 and 4; follow-up ends at 4 (two customers censored there), so the
    # grid is 1, 2, 3 and G = 1 before 4. Read S(1) = 0.9, S(2) = 0.8, S(3) = 0.6 (linear from S(0) = 1).
    duration, event = np.array([1.0, 3.0, 4.0, 4.0]), np.array([1, 1, 0, 0])
    survival = np.tile([0.8, 0.4], (4, 1))
    # BS(1) = (0.9^2 + 3 * 0.1^2) / 4; BS(2) = (0.8^2 + 3 * 0.2^2) / 4; BS(3) = (2 * 0.6^2 + 2 * 0.4^2) / 4
    bs = np.array([0.21, 0.19, 0.26])
    by_hand = ((bs[0] + bs[1]) / 2 + (bs[1] + bs[2]) / 2) / 2
    grid = evaluate.follow_up_grid(duration)
    assert evaluate.integrated_brier(duration, event, survival, [2.0, 4.0], grid=grid) == pytest.approx(by_hand)
    risk = np.zeros(4)
    assert evaluate.score(duration, event, risk, survival, [2.0, 4.0])["ibs"] == pytest.approx(by_hand)
    # on the curves' own grid (2 only: 4 is the end) the score is BS(2)
    assert evaluate.integrated_brier(duration, event, survival, [2.0, 4.0]) == pytest.approx(bs[1])


def test_coxph_baseline_refits_when_lifelines_fails_to_converge():
    """On one cross-validation fold of the CDNOW sample lifelines' default Newton steps stop short (a
    ConvergenceWarning, log-likelihood -5879, C 0.61); the baseline refits with half steps and reaches the optimum."""
    import warnings

    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceWarning
    from sklearn.model_selection import KFold

    from domains.churn import baselines, data, train

    log = data.load_cdnow_sample()
    _, sequences, rfm = train.cdnow_inputs(log, data.CDNOW_LANDMARK)
    target = data.survival_targets(log, data.CDNOW_LANDMARK, data.CDNOW_HORIZON_DAYS, sequences.customers)
    rows = list(KFold(5, shuffle=True, random_state=0).split(rfm))[3][0]
    covariates, duration, event = rfm.iloc[rows], target["duration"].to_numpy()[rows], target["event"].to_numpy()[rows]
    cox = baselines.CoxBaseline().fit(covariates, duration, event)
    frame = cox._scaled(covariates).assign(duration=duration, event=event)
    with pytest.warns(ConvergenceWarning, match="failed to converge"):
        plain = CoxPHFitter(penalizer=0.01).fit(frame, "duration", "event")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        refit = CoxPHFitter(penalizer=0.01).fit(frame, "duration", "event", fit_options={"step_size": 0.25})
    assert cox.fitter_.log_likelihood_ == pytest.approx(refit.log_likelihood_, abs=1e-4)
    assert cox.fitter_.log_likelihood_ > plain.log_likelihood_ + 1000


def cdnow_week_outcome():
    """The bundled CDNOW sample's protocol aggregates and its ``nextbuy`` target over a 7-day follow-up."""
    from domains.churn import baselines, data

    log = data.load_cdnow_sample()
    target = data.survival_targets(log, data.CDNOW_LANDMARK, 7)
    return baselines.rfm_features(log, data.CDNOW_LANDMARK, target.index), target["duration"], target["event"]


def test_coxph_baseline_tries_shorter_steps_until_one_converges():
    """Found by audit: over a 7-day follow-up the half-step refit did not converge either (log-likelihood -533, C
    0.24 on its own training customers) and was kept silently; quarter steps reach the optimum (-327, C 0.82)."""
    import warnings

    from domains.churn import baselines

    covariates, duration, event = cdnow_week_outcome()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning, no warning of ours
        cox = baselines.CoxBaseline().fit(covariates, duration, event)
    assert cox.fitter_.log_likelihood_ == pytest.approx(-327.08, abs=0.01)
    assert evaluate.harrell_c(duration, event, cox.risk(covariates)) > 0.8


def test_coxph_baseline_that_never_converges_says_so_once(monkeypatch):
    import warnings

    from domains.churn import baselines

    covariates, duration, event = cdnow_week_outcome()
    monkeypatch.setattr(baselines.CoxBaseline, "RETRY_STEPS", (0.5,))  # half steps: not enough here
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        baselines.CoxBaseline().fit(covariates, duration, event)
    assert [str(w.message) for w in caught] == [
        "CoxBaseline: lifelines' CoxPH fit converged neither with its default Newton step size nor with 0.5: the "
        "CoxPH baseline's scores are not to be trusted"]


def test_coxph_baseline_leaves_out_a_constant_covariate(rng):
    """lifelines stops with a ConvergenceError on a constant covariate; the baseline drops it with a warning,
    which gives the fit without it, and refuses covariates that are all constant."""
    import pandas as pd

    from domains.churn import baselines

    x = pd.DataFrame({"signal": rng.normal(size=300), "flat": np.ones(300)})
    duration = np.ceil(rng.exponential(5 * np.exp(-x["signal"].to_numpy())))
    event = rng.integers(0, 2, 300)
    with pytest.warns(UserWarning, match=r"covariate\(s\) 'flat' constant in the training data, left out"):
        cox = baselines.CoxBaseline().fit(x, duration, event)
    alone = baselines.CoxBaseline().fit(x[["signal"]], duration, event)
    np.testing.assert_allclose(cox.risk(x), alone.risk(x))
    np.testing.assert_allclose(cox.survival(x, [2.0, 5.0]), alone.survival(x, [2.0, 5.0]))
    with pytest.raises(ValueError, match="every covariate is constant in the training data \\('flat'\\)"):
        baselines.CoxBaseline().fit(x[["flat"]], duration, event)


def test_calibration_plot_draws_on_a_given_axis_and_writes_nothing_without_a_path(exponential, tmp_path,
                                                                                  monkeypatch):
    import matplotlib.pyplot as plt

    duration, event, grid = exponential
    table = evaluate.calibration(duration, event, {"m": np.tile(np.exp(-grid), (len(duration), 1))}, grid, grid[[4, 9]])
    monkeypatch.chdir(tmp_path)
    figure, axis = plt.subplots()
    assert evaluate.calibration_plot(table, ax=axis) is axis
    assert len(axis.lines) == 2 and axis.get_xlabel() == "Kaplan-Meier S(t)"  # the model and the diagonal
    assert plt.fignum_exists(figure.number) and list(tmp_path.iterdir()) == []
    plt.close(figure)


def test_paired_bootstrap_reads_predictions_by_position_as_score_does(rng):
    """Found by audit: a pandas Series of risks (lifelines' ``predict_log_partial_hazard`` after a shuffle or a
    split) was indexed by label: an identical model came out significantly worse, and a split's index raised
    KeyError. Series, arrays and lists now read alike, by position."""
    import pandas as pd

    n = 200
    risk = rng.normal(size=n)
    duration, event = rng.exponential(np.exp(-risk)), rng.integers(0, 2, n)
    grid = np.quantile(duration, np.linspace(0.05, 0.9, 8))
    survival = np.exp(-np.exp(risk)[:, None] * grid[None, :])
    shuffled = rng.permutation(n)
    expected = evaluate.paired_bootstrap(duration, event, {"coxph": (risk, survival), "same": (risk, survival)},
                                         grid, n_boot=20, seed=0)
    assert expected.abs().max().max() == 0
    for index, curves in ((shuffled, survival), (shuffled + 5000, pd.DataFrame(survival, index=shuffled + 5000))):
        as_series = {"coxph": (risk, survival), "same": (pd.Series(risk, index=index), curves)}  # a shuffle, a split
        table = evaluate.paired_bootstrap(pd.Series(duration, index=index), pd.Series(event, index=index), as_series,
                                          grid, n_boot=20, seed=0)
        pd.testing.assert_frame_equal(table, expected)
    as_lists = {"coxph": (risk, survival), "same": (list(risk), survival.tolist())}
    pd.testing.assert_frame_equal(evaluate.paired_bootstrap(duration, event, as_lists, grid, n_boot=20, seed=0),
                                  expected)
    with pytest.raises(ValueError, match="'same' has 199 risks and 200 survival curves for 200 customers"):
        evaluate.paired_bootstrap(duration, event, {"coxph": (risk, survival), "same": (risk[1:], survival)}, grid)
    with pytest.raises(ValueError, match="the reference 'coxph' is not among the predictions"):
        evaluate.paired_bootstrap(duration, event, {"same": (risk, survival)}, grid)


def test_no_customers_or_no_comparable_pair_is_refused_clearly(rng):
    """Found by audit: ``score`` on no customers (or no event) raised lifelines' ZeroDivisionError, and
    ``CoxBaseline().fit`` on an empty table numpy's 'zero-size array to reduction operation maximum'."""
    import pandas as pd

    from domains.churn import baselines

    grid = np.arange(1.0, 4.0)
    with pytest.raises(ValueError, match=r"^score: no comparable pair of customers among 0 \(0 with an event\): the "
                                         r"C-index is undefined"):
        evaluate.score([], [], [], np.zeros((0, 3)), grid)
    with pytest.raises(ValueError, match=r"^score: no comparable pair of customers among 3 \(0 with an event\)"):
        evaluate.score([1, 2, 3], [0, 0, 0], [0.1, 0.2, 0.3], np.full((3, 3), 0.5), grid)
    with pytest.raises(ValueError, match=r"^CoxBaseline: no customers \(the covariates have 0 rows\): nothing to fit$"):
        baselines.CoxBaseline().fit(pd.DataFrame({"a": [], "b": []}), [], [])
