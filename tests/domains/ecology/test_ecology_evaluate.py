"""The rolling-origin protocol: origins as PROTOCOL.md fixes them and metrics with known values."""

import numpy as np
import pytest

from domains.ecology.baselines import BASELINES, NaiveForecaster
from domains.ecology.data import PopulationSeries
from domains.ecology.evaluate import flat, origins, rolling_origin, score_forecasts
from domains.ecology.simulate import simulate_panel


@pytest.mark.parametrize("n, k", [(30, 5), (46, 6), (100, 15), (157, 20), (400, 20)])
def test_origins_follow_the_protocol(n, k):
    result = origins(n, 10)
    assert len(result) == k and result[-1] == n - 10
    assert np.all(np.diff(result) == 1)


def test_perfect_forecasts_score_zero_and_cover():
    from domains.ecology.distributions import GaussianForecast

    actual = np.array([1.0, 2.0])
    scores = score_forecasts([GaussianForecast(actual, [0.1, 0.1])], [actual], [0.5], original=np.exp)
    assert scores["mase"] == 0 and scores["smape"] == 0
    assert scores["coverage80"] == 1 and scores["coverage95"] == 1
    assert scores["crps"] == pytest.approx(0.1 * (np.sqrt(2) - 1) / np.sqrt(np.pi) / 0.5)



def test_imperfect_forecasts_have_known_scores():
    """MASE: every absolute error over its origin's scale, averaged; sMAPE on exp values, where
    200 |e^a - e^b| / (e^a + e^b) = 200 tanh(|a - b| / 2); an origin with scale 0 is not scored."""
    from domains.ecology.distributions import GaussianForecast

    forecasts = [GaussianForecast([1.5, 1.5], [0.1, 0.1]), GaussianForecast([0.0, 0.0], [0.1, 2.0]),
                 GaussianForecast([9.0, 9.0], [0.1, 0.1])]
    actuals = [np.array([1.0, 2.0]), np.array([0.0, 3.0]), np.array([0.0, 0.0])]
    scores = score_forecasts(forecasts, actuals, [0.5, 1.0, 0.0], original=np.exp)
    assert scores["mase"] == pytest.approx((1 + 1 + 0 + 3) / 4)
    assert scores["smape"] == pytest.approx(200 * (2 * np.tanh(0.25) + np.tanh(1.5)) / 4)
    # 0.5 off with sd 0.1 is outside both intervals; 3 off with sd 2 (z = 1.5) is inside 95 % only
    assert scores["coverage80"] == 0.25 and scores["coverage95"] == 0.5

def _series(frame):
    return {
        name: PopulationSeries(name, rows.time.to_numpy(float), rows.value.to_numpy(), np.zeros(len(rows), bool),
                               rows[["weather"]].to_numpy())
        for name, rows in frame.groupby("series_id")
    }


def test_rolling_origin_relative_to_naive():
    series = _series(simulate_panel(n_series=4, n=40, seed=3))
    baselines = {"naive": NaiveForecaster, "ar2": BASELINES["ar2"]}
    summary, per_series = rolling_origin(series, baselines=baselines)
    assert summary["naive"]["relative_mase"] == 1 and summary["naive"]["share_beating_naive"] == 0
    assert summary["ar2"]["series"] == 4 and 0 <= summary["ar2"]["coverage80"] <= 1
    first = next(iter(per_series.values()))
    assert set(first["ar2"]) == {"mase", "crps", "smape", "coverage80", "coverage95"}


def test_rolling_origin_refuses_short_series():
    series = _series(simulate_panel(n_series=1, n=15, seed=0))
    with pytest.raises(ValueError, match="needs at least 20"):
        rolling_origin(series, baselines={"naive": NaiveForecaster})


def test_flat_names_exactly_the_series_rolling_origin_cannot_score():
    def series(name, values):
        values = np.asarray(values, float)
        return PopulationSeries(name, np.arange(len(values), dtype=float), values, np.zeros(len(values), bool),
                                np.zeros((len(values), 0)))

    t = np.arange(60)
    data = {name: series(name, values) for name, values in {
        "moving": t % 9 + 2,
        "flat_until_last_origin": np.where(t < 50, 3, 3 + t % 4),  # origins 42..50: nothing changes before 50
        "moves_before_last_origin": np.where(t < 49, 3, 3 + t % 4),  # scored at origin 50 only
        "short": (t % 5 + 2)[:15],
    }.items()}
    assert flat(data) == ["flat_until_last_origin"]
    long_enough = {name: s for name, s in data.items() if name != "short"}
    _, per_series = rolling_origin(long_enough, baselines={"naive": NaiveForecaster})
    assert [name for name, scores in per_series.items() if not scores["naive"]] == ["flat_until_last_origin"]


def test_a_baseline_needing_more_training_values_than_a_series_has_is_not_scored_on_it():
    from domains.ecology.baselines import SETARForecaster
    from domains.ecology.data import load_lynx
    from domains.ecology.evaluate import zhang2003

    assert SETARForecaster().min_length == 36
    lynx = load_lynx()
    results = zhang2003(lynx, 1850, baselines={"naive": NaiveForecaster, "setar": SETARForecaster})  # 30 years
    assert set(results) == {"naive"}
    assert set(zhang2003(lynx, 1860, baselines={"setar": SETARForecaster})) == {"setar"}  # 40 years
    series = _series(simulate_panel(n_series=2, n=40, seed=3))  # first origin: 25 values
    summary, per_series = rolling_origin(series, baselines={"naive": NaiveForecaster, "setar": SETARForecaster})
    assert set(summary) == {"naive"} and all(set(scores) == {"naive"} for scores in per_series.values())


def test_a_series_held_on_its_own_scale_is_scored_there_without_the_abundance_models_and_smape():
    """Found in audit: the loader refused a series with negative values, so it was never scored; PROTOCOL.md B
    scores a series already centred or differenced without the log. MASE, sCRPS and coverage are scale-free;
    sMAPE (a percentage of values that cross zero) and Ricker / theta-logistic (models of a positive abundance)
    are left out on it, and the summary's sMAPE is the mean over the other series."""
    from domains.ecology.evaluate import zhang2003

    rng = np.random.default_rng(0)
    t = np.arange(40, dtype=float)
    centred = np.round(np.sin(t / 2) + 0.3 * rng.standard_normal(40), 2)  # an anomaly, crossing zero
    counts = np.round(np.exp(2 + np.sin(t / 3)), 1)
    data = {name: PopulationSeries(name, t, values, np.zeros(40, bool), np.zeros((40, 0)))
            for name, values in (("centred", centred), ("counts", counts))}
    assert not data["centred"].logged and data["counts"].logged
    baselines = {name: BASELINES[name] for name in ("naive", "ar2", "ricker", "theta_logistic")}
    summary, per_series = rolling_origin(data, baselines=baselines)
    assert set(per_series["centred"]) == {"naive", "ar2"} and set(per_series["counts"]) == set(baselines)
    assert set(per_series["centred"]["naive"]) == {"mase", "crps", "coverage80", "coverage95"}
    plans = origins(40)
    expected = np.mean([np.abs(centred[o:o + 10] - centred[o - 1]) / np.mean(np.abs(np.diff(centred[:o])))
                        for o in plans])  # naive's MASE on the values themselves
    assert per_series["centred"]["naive"]["mase"] == pytest.approx(expected)
    assert summary["naive"]["series"] == 2 and summary["ricker"]["series"] == 1
    assert summary["naive"]["smape"] == pytest.approx(per_series["counts"]["naive"]["smape"])
    series = PopulationSeries("c", 1900 + t, centred, np.zeros(40, bool), np.zeros((40, 0)))
    results = zhang2003(series, 1929, baselines=baselines)
    assert set(results) == {"naive", "ar2"}
    errors = centred[29:-1] - centred[30:]  # naive one step ahead, on the values (no log10)
    assert results["naive"]["mse"] == pytest.approx(np.mean(errors ** 2))
