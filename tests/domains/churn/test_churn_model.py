"""The logistic-hazard network: target encoding, the likelihood by hand, S(t), static path, explain, saving."""

import keras
import numpy as np
import pytest

from domains.churn import model as churn_model
from domains.churn import train
from shared.testing import check_layer


def test_interval_targets_encoding():
    y = churn_model.interval_targets([3, 8, 273, 10, 11], [1, 1, 0, 0, 0], width=7, intervals=39)
    at_risk, event = y[:, :39], y[:, 39:]
    assert at_risk[0].sum() == 1 and event[0, 0] == 1 and event[0].sum() == 1   # day 3: week 0
    assert at_risk[1].sum() == 2 and event[1, 1] == 1                           # day 8: week 1
    assert at_risk[2].sum() == 39 and event[2].sum() == 0                       # censored at the horizon
    assert at_risk[3].sum() == 1 and at_risk[4].sum() == 2                      # censored in week 1: half rule


def test_interval_targets_event_at_zero_and_bool_events():
    y = churn_model.interval_targets([0, 3], [True, False], width=7, intervals=4)
    np.testing.assert_array_equal(y, churn_model.interval_targets([0, 3], [1, 0], width=7, intervals=4))
    assert y[0, :4].tolist() == [1, 0, 0, 0] and y[0, 4:].tolist() == [1, 0, 0, 0]  # an event at 0: interval 0


@pytest.mark.parametrize("duration, event, message", [
    ([1, np.nan, np.nan], [1, 1, 0], r"position 1: nan is not a finite duration >= 0 \(2 such customers\)"),
    ([1, -2, 3], [1, 0, 0], "position 1: -2.0 is not a finite duration >= 0"),
    ([1, np.inf, 3], [1, 0, 0], "position 1: inf is not a finite duration"),
    ([1, 2, 3], [0, 2, 1], r"position 1: 2 is not an event flag 0/1 \(1 such customers\)"),
    ([1, 2, 3], [1, np.nan, 0], "position 1: nan is not an event flag"),
    ([1, 2, 3], ["1", "0", "1"], "position 0: '1' is not an event flag"),
    ([1, 2, 3], [1, 0], r"one length; got shapes \(3,\) and \(2,\)"),
])
def test_interval_targets_refuses_bad_durations_and_events(duration, event, message):
    with pytest.raises(ValueError, match=message):
        churn_model.interval_targets(duration, event, width=1.0, intervals=4)


def test_fit_survival_refuses_a_bare_array_and_bad_events_before_training(rng):
    x = rng.normal(size=(20, 3)).astype("float32")
    duration, event = rng.integers(1, 5, 20), rng.integers(0, 2, 20)
    with pytest.raises(TypeError, match=r"got ndarray of shape \(20, 3\): wrap it in a list"):
        train.fit_survival(x, duration, event, 1.0, 4)
    with pytest.raises(ValueError, match="position 0: 2 is not an event flag"):
        train.fit_survival([x], duration, np.r_[2, event[1:]], 1.0, 4)
    with pytest.raises(ValueError, match="inputs have 19 rows but there are 20 durations"):
        train.fit_survival([x[:19]], duration, event, 1.0, 4)


def test_an_unknown_config_key_is_refused_naming_it_before_training(rng):
    """Found by audit: ``config={"epochz": 1}`` was merged over the defaults and ignored (20 epochs ran)."""
    x = rng.normal(size=(20, 3)).astype("float32")
    duration, event = rng.integers(1, 5, 20), rng.integers(0, 2, 20)
    message = r"config: unknown key\(s\) 'epochz'; the known keys are batch_size, dropout, epochs, hidden"
    with pytest.raises(TypeError, match=message):
        train.fit_survival([x], duration, event, 1.0, 4, config={"epochz": 1, "hidden": 4})
    with pytest.raises(TypeError, match=message):
        train.fit_ensemble([x], duration, event, 1.0, 4, members=2, config={"epochz": 1})
    with pytest.raises(TypeError, match=message):
        train.cross_validate_cdnow(None, config={"epochz": 1})  # refused before the log is read
    assert train.fit_survival([x], duration, event, 1.0, 4, config={**train.STATIC_DEFAULTS, "epochs": 1}) is not None


def test_static_dataframe_is_standardised_as_its_array(rng):
    """A DataFrame of static covariates gives the model its array gives (population variance, ddof=0)."""
    import pandas as pd

    x = rng.normal(size=(40, 2)) * [1.0, 3.0]
    duration, event = rng.integers(1, 5, 40), rng.integers(0, 2, 40)
    config = {"epochs": 1, "hidden": 4}
    frame = train.fit_survival([pd.DataFrame(x, columns=["a", "b"])], duration, event, 1.0, 4, config=config)
    array = train.fit_survival([x], duration, event, 1.0, 4, config=config)
    np.testing.assert_allclose(frame.get_layer("static_norm").variance.numpy().ravel(), x.var(axis=0), rtol=1e-6)
    np.testing.assert_allclose(array.get_layer("static_norm").variance.numpy().ravel(), x.var(axis=0), rtol=1e-6)
    np.testing.assert_allclose(frame.predict(x, verbose=0), array.predict(x, verbose=0), atol=1e-6)


def test_nan_inf_or_huge_inputs_are_refused_naming_the_part_customer_and_column(rng):
    """Found by audit: one NaN in a history or static covariate made weights NaN (or the static path dead) and
    every prediction a plausible constant, with no error. Fitting and predicting refuse it, naming where."""
    import pandas as pd

    x = rng.random((30, 6, 3)).astype("float32")
    static = pd.DataFrame(rng.normal(size=(30, 2)), columns=["age", "spend"])
    duration, event = rng.integers(1, 5, 30), rng.integers(0, 2, 30)
    history = x.copy()
    history[4, 2, 1] = np.nan
    with pytest.raises(ValueError, match=r"^history input: customer at position 4, step 2, feature 1: nan is not a "
                                         r"finite number \(1 such customers\)$"):
        train.fit_survival([history, static], duration, event, 1.0, 4)
    spend = static["spend"].to_numpy().copy()
    spend[[7, 9]] = [np.inf, -np.inf]
    with pytest.raises(ValueError, match=r"^static input: customer at position 7, column 'spend': inf is not a finite "
                                         r"number \(2 such customers\)$"):
        train.fit_survival([x, static.assign(spend=spend)], duration, event, 1.0, 4)
    with pytest.raises(ValueError, match=r"static input: customer at position 0, column 'age': 1e\+20 is beyond the "
                                         r"largest magnitude taken \(1e\+15"):
        train.fit_survival([x, static.assign(age=1e20)], duration, event, 1.0, 4)
    with pytest.raises(ValueError, match=r"^static input: column 'plan' is object, not numbers"):
        train.fit_survival([x, static.assign(plan="gold")], duration, event, 1.0, 4)
    with pytest.raises(ValueError, match=r"^inputs\[1\]: 1-D of shape \(30,\)"):
        train.fit_survival([x, static["age"]], duration, event, 1.0, 4)
    net = train.fit_survival([x, static], duration, event, 1.0, 4, config={"epochs": 1, "hidden": 4, "units": 4})
    with pytest.raises(ValueError, match=r"^history input: customer at position 4, step 2, feature 1: nan"):
        train.predict_survival(net, [history, static], 1.0)
    with pytest.raises(ValueError, match=r"^static input: customer at position 7, column 1: inf is not a finite"):
        train.predict_survival(net, [x, static.assign(spend=spend).to_numpy()], 1.0)
    with pytest.raises(ValueError, match=r"^history input: \(6, 2\) per customer, but the model takes \(6, 3\)$"):
        train.predict_survival(net, [x[..., :2], static], 1.0)
    with pytest.raises(ValueError, match=r"^the model takes 2 input part\(s\) \(history, static\); got 1 \(history\)$"):
        train.predict_survival(net, [x], 1.0)


def test_static_dataframe_columns_are_read_by_name_at_prediction(rng):
    """Found by audit: a static DataFrame was read by position: reordered columns silently changed the risks, and
    a missing column failed with a TensorFlow graph error. The names trained on are kept and selected by."""
    import pandas as pd

    frame = pd.DataFrame(rng.normal(size=(40, 3)) * [1.0, 5.0, 20.0], columns=["a", "b", "c"])
    duration, event = rng.integers(1, 5, 40), rng.integers(0, 2, 40)
    config = {"epochs": 2, "hidden": 4}
    net = train.fit_survival([frame], duration, event, 1.0, 4, config=config)
    assert net.static_columns == ("a", "b", "c")
    expected = train.predict_survival(net, [frame], 1.0)["risk"]
    shuffled = frame[["c", "a", "b"]].assign(unused=1.0)  # other columns are ignored, as CoxBaseline ignores them
    np.testing.assert_array_equal(train.predict_survival(net, [shuffled], 1.0)["risk"], expected)
    with pytest.raises(ValueError, match=r"^static input: column\(s\) 'b' missing; the model was trained on 'a', 'b', "
                                         r"'c' \(selected by name\)$"):
        train.predict_survival(net, [frame[["a", "c"]]], 1.0)
    with pytest.raises(ValueError, match=r"^static input: \(2,\) per customer, but the model takes \(3,\)$"):
        train.predict_survival(net, [frame[["a", "c"]].to_numpy()], 1.0)
    joined, _ = train.fit_ensemble([frame], duration, event, 1.0, 4, members=2, config={**config, "epochs": 1})
    assert joined.static_columns == ("a", "b", "c")
    np.testing.assert_array_equal(train.predict_survival(joined, [shuffled], 1.0)["risk"],
                                  train.predict_survival(joined, [frame], 1.0)["risk"])
    assert train.fit_survival([frame.to_numpy()], duration, event, 1.0, 4, config=config).static_columns is None


def test_no_customers_is_refused_for_training_and_gives_empty_predictions(rng):
    """Found by audit: fitting 0 customers failed deep in Keras (UnboundLocalError 'batch_outputs'), and so did
    predicting for 0 customers."""
    x = rng.normal(size=(20, 3)).astype("float32")
    with pytest.raises(ValueError, match=r"^fit_survival: no customers \(every input and the durations have 0 rows\)"):
        train.fit_survival([x[:0]], [], [], 1.0, 4)
    net = churn_model.build_model(4, n_static=3)
    empty = train.predict_survival(net, [x[:0]], 1.0)
    assert empty["survival"].shape == (0, 4) and empty["risk"].shape == empty["expected_time"].shape == (0,)
    assert empty["times"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_explain_refuses_more_than_one_customer(rng):
    net = churn_model.build_model(4, weeks=6, n_features=3, n_static=2, units=4, hidden=4)
    x, static = rng.random((2, 6, 3)).astype("float32"), rng.normal(size=(2, 2)).astype("float32")
    with pytest.raises(ValueError, match="explain reads one customer; the inputs have 2, 2 rows"):
        churn_model.explain(net, [x, static], width=1.0)
    assert churn_model.explain(net, [x[:1], static[:1]], width=1.0)["risk_path"].shape == (6,)


def test_loss_is_the_censored_likelihood_by_hand():
    logits = np.array([[0.3, -1.0, 2.0]], "float32")
    h = 1 / (1 + np.exp(-logits[0]))
    event_in_1 = churn_model.interval_targets([2], [1], 1, 3)
    censored_after_2 = churn_model.interval_targets([2], [0], 1, 3)
    loss_event = float(churn_model.logistic_hazard_loss(event_in_1, logits)[0])
    loss_censored = float(churn_model.logistic_hazard_loss(censored_after_2, logits)[0])
    assert loss_event == pytest.approx(-np.log(1 - h[0]) - np.log(h[1]), rel=1e-5)
    assert loss_censored == pytest.approx(-np.log(1 - h[0]) - np.log(1 - h[1]), rel=1e-5)


def test_survival_expected_time_and_risk():
    hazards = np.array([[0.1, 0.5, 1 - 1e-9], [1e-9, 1e-9, 1e-9]])
    logits = np.log(hazards / (1 - hazards))
    s = churn_model.survival_from_logits(logits)
    np.testing.assert_allclose(s[0], [0.9, 0.45, 0.0], atol=1e-5)
    np.testing.assert_allclose(s[1], [1, 1, 1], atol=1e-5)
    np.testing.assert_allclose(churn_model.expected_time(s, 7.0), [7 * (0.95 + 0.675 + 0.225), 21], atol=1e-4)
    risk = churn_model.risk_score(s, 7.0)
    assert 0 <= risk[1] < risk[0] <= 1


def test_learns_a_known_constant_hazard(rng):
    """Static-only path: two groups with weekly hazards 0.05 and 0.3 are told apart and their S(t) recovered."""
    n, k = 4000, 10
    group = rng.integers(0, 2, n)
    hazard = np.where(group == 1, 0.3, 0.05)
    time = rng.geometric(hazard)
    duration, event = np.minimum(time, k), (time <= k).astype(int)
    x = np.stack([group, rng.normal(size=n)], axis=1).astype("float32")
    net = train.fit_survival([x], duration, event, 1.0, k, seed=0, config={"epochs": 15, "dropout": 0.0})
    assert len([layer for layer in net.layers if "lstm" in layer.name]) == 0
    pred = train.predict_survival(net, [np.array([[0, 0], [1, 0]], "float32")], 1.0)
    np.testing.assert_allclose(pred["survival"][:, 4], [0.95 ** 5, 0.7 ** 5], atol=0.05)
    assert pred["risk"][1] > pred["risk"][0]


def test_sequence_model_with_static_explain_and_reload(tmp_path, rng):
    n, weeks, features = 64, 12, 5
    x = rng.random((n, weeks, features)).astype("float32")
    x[:, :3] = 0  # masked weeks before the first event
    static = rng.normal(size=(n, 3)).astype("float32")
    net = train.fit_survival([x, static], rng.integers(1, 8, n), rng.integers(0, 2, n), 1.0, 8, seed=1,
                             config={"epochs": 1, "units": 6, "hidden": 5, "linear_static": True})
    assert net.get_layer(churn_model.LSTM_NAME).units == 6
    report = churn_model.explain(net, [x[:1], static[:1]], width=1.0)
    assert report["gates"]["input"].shape == (weeks, 6) and report["gate_means"]["forget"].shape == (weeks,)
    assert np.isnan(report["risk_path"][:3]).all() and np.isfinite(report["risk_path"][3:]).all()
    assert len(report["top_weeks"]) == 5 and all(week >= 3 for week, _ in report["top_weeks"])
    # the replayed head at the last step is the model's own prediction
    logits, _ = churn_model.replay_head(net, [x[:2], static[:2]])
    np.testing.assert_allclose(logits[:, -1], net.predict([x[:2], static[:2]], verbose=0), atol=1e-5)
    net.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True, compile=False)
    np.testing.assert_allclose(again.predict([x, static], verbose=0), net.predict([x, static], verbose=0), atol=1e-6)


def test_known_future_covariate_moves_its_period_and_survives_reload(tmp_path, rng):
    """A flag on a customer-specific future period (a renewal week) that raises the hazard there is learnt by
    the shared future map; explain replays the head with it; the model reloads with safe_mode."""
    n, weeks, k = 3000, 6, 6
    x = rng.random((n, weeks, 2)).astype("float32")
    renewal = rng.integers(0, k, n)
    future = (np.arange(k)[None, :] == renewal[:, None]).astype("float32")[:, :, None]
    hazard = np.where(future[:, :, 0] == 1, 0.5, 0.05)
    churned = rng.random((n, k)) < hazard
    duration = np.where(churned.any(axis=1), churned.argmax(axis=1) + 1, k)
    config = {"epochs": 10, "units": 4, "hidden": 4, "dropout": 0.0, "learning_rate": 5e-3}
    net = train.fit_survival([x, future], duration, churned.any(axis=1).astype(int), 1.0, k, seed=0, config=config)
    flagged = 1 / (1 + np.exp(-net.predict([x[:200], future[:200]], verbose=0)))
    at_flag = flagged[future[:200, :, 0] == 1]
    assert at_flag.mean() > 0.4 and flagged[future[:200, :, 0] == 0].mean() < 0.07  # true: 0.5 and 0.05
    logits, _ = churn_model.replay_head(net, [x[:2], future[:2]])
    np.testing.assert_allclose(logits[:, -1], net.predict([x[:2], future[:2]], verbose=0), atol=1e-5)
    assert len(churn_model.explain(net, [x[:1], future[:1]], width=1.0)["top_weeks"]) == 5
    net.save(tmp_path / "f.keras")
    again = keras.saving.load_model(tmp_path / "f.keras", safe_mode=True, compile=False)
    np.testing.assert_allclose(again.predict([x, future], verbose=0), net.predict([x, future], verbose=0), atol=1e-6)


def test_training_is_reproducible_for_a_seed(rng):
    x = rng.random((48, 6, 3)).astype("float32")
    duration, event = rng.integers(1, 5, 48), rng.integers(0, 2, 48)
    a = train.fit_survival([x], duration, event, 1.0, 4, seed=3, config={"epochs": 2, "units": 4, "hidden": 4})
    b = train.fit_survival([x], duration, event, 1.0, 4, seed=3, config={"epochs": 2, "units": 4, "hidden": 4})
    np.testing.assert_allclose(a.predict(x, verbose=0), b.predict(x, verbose=0), atol=1e-5)


def test_offset_refit_solves_the_score_equation_without_dropout(rng):
    """After training with heavy dropout, the deterministic network's expected events equal the observed."""
    n, k = 600, 6
    x = rng.normal(size=(n, 3)).astype("float32")
    time = rng.geometric(0.1 / (1 + np.exp(-x[:, 0])))
    duration, event = np.minimum(time, k), (time <= k).astype(int)
    net = train.fit_survival([x], duration, event, 1.0, k, seed=0, config={"epochs": 3, "dropout": 0.5, "hidden": 8})
    y = churn_model.interval_targets(duration, event, 1.0, k)
    hazard = 1 / (1 + np.exp(-net.predict(x, verbose=0)))
    assert np.sum(y[:, :k] * hazard) == pytest.approx(event.sum(), rel=1e-4)
    assert train.refit_offset(net, [x], y) == pytest.approx(0.0, abs=1e-6)  # already at the optimum


def test_ensemble_is_the_mean_survival_curve_of_its_members_and_resumes_by_member(tmp_path, rng):
    """fit_ensemble with seeds 3, 4 gives the mean of the two networks' curves, reloads a member a killed run
    had finished (member_0.keras in the backup folder), cleans the folder and saves/loads with safe_mode."""
    n, k = 60, 5
    x, static = rng.random((n, 6, 3)).astype("float32"), rng.random((n, 2)).astype("float32")
    duration, event = rng.integers(1, 6, n), rng.integers(0, 2, n)
    config = {"epochs": 1, "units": 4, "hidden": 4}
    first = train.fit_survival([x, static], duration, event, 1.0, k, seed=3, config=config)
    backup = tmp_path / "backup"
    backup.mkdir()
    first.save(backup / "member_0.keras")
    net, histories = train.fit_ensemble([x, static], duration, event, 1.0, k, seed=3, members=2, config=config,
                                        backup_dir=backup)
    assert [(h["seed"], h["reloaded"], h["epochs_run"]) for h in histories] == [(3, True, []), (4, False, [1])]
    assert not backup.exists()
    assert not any(member.compiled for member in churn_model.members(net))  # nested uncompiled: no compile config
    curves = [train.predict_survival(m, [x, static], 1.0)["survival"] for m in (first, net.get_layer("member_1"))]
    mean = train.predict_survival(net, [x, static], 1.0)["survival"]
    np.testing.assert_allclose(mean, np.mean(curves, axis=0), atol=1e-5)
    assert np.abs(curves[0] - curves[1]).max() > 1e-3  # the members differ: the mean is not one of them
    net.save(tmp_path / "e.keras")
    again = keras.saving.load_model(tmp_path / "e.keras", safe_mode=True, compile=False)
    np.testing.assert_allclose(again.predict([x, static], verbose=0), net.predict([x, static], verbose=0), atol=1e-6)
    assert [m.name for m in churn_model.members(again)] == ["member_0", "member_1"]
    report = churn_model.explain(again, [x[:1], static[:1]], width=1.0)  # after the last week: the model's risk
    np.testing.assert_allclose(report["risk_path"][-1], train.predict_survival(net, [x[:1], static[:1]], 1.0)["risk"][0],
                               rtol=1e-4)
    single = churn_model.explain(again.get_layer("member_0"), [x[:1], static[:1]], width=1.0)
    np.testing.assert_allclose(report["gates"]["forget"], single["gates"]["forget"])


def test_mean_survival_logits_golden_numbers_and_layer_checks(rng):
    """A member that never has the event (S = 1) and one with hazard 1/2 per period (S = 2^-k) average to
    (1 + 2^-k) / 2; the layer passes the shared layer checks (config, .keras round trip)."""
    sure, coin = np.full((2, 4), -30.0, "float32"), np.zeros((2, 4), "float32")
    mean = churn_model.survival_from_logits(churn_model.MeanSurvivalLogits()([sure, coin]))
    np.testing.assert_allclose(mean, np.tile((1 + 0.5 ** np.arange(1, 5)) / 2, (2, 1)), atol=1e-6)
    logits = [rng.normal(-2, 1, (3, 5)).astype("float32") for _ in range(3)]
    expected = np.mean([churn_model.survival_from_logits(item) for item in logits], axis=0)
    np.testing.assert_allclose(churn_model.survival_from_logits(churn_model.MeanSurvivalLogits()(logits)), expected,
                               atol=1e-6)
    check_layer(churn_model.MeanSurvivalLogits, {}, logits, expected_output_shape=(3, 5), trains=False)


def test_a_saved_model_keeps_its_static_column_names(rng, tmp_path):
    """Review finding: static_columns lived only on the model in memory, so after model.save and
    shared.safe_load.load_model a reordered static DataFrame was silently read by position (risks off by up to
    0.63). The names are saved in the model (its StaticNormalization layer) and a loaded model selects by them."""
    import pandas as pd

    from shared.safe_load import load_model

    frame = pd.DataFrame(rng.normal(size=(40, 3)) * [1.0, 5.0, 20.0], columns=["a", "b", "c"])
    duration, event = rng.integers(1, 5, 40), rng.integers(0, 2, 40)
    x = rng.random((40, 5, 2)).astype("float32")
    config = {"epochs": 1, "hidden": 4, "units": 4}
    net = train.fit_survival([x, frame], duration, event, 1.0, 4, config=config)
    joined, _ = train.fit_ensemble([x, frame], duration, event, 1.0, 4, members=2, config=config)
    shuffled = frame[["c", "a", "b"]].assign(unused=1.0)
    for name, model in (("net", net), ("joined", joined)):
        expected = train.predict_survival(model, [x, frame], 1.0)["risk"]
        model.save(tmp_path / f"{name}.keras")
        loaded = load_model(tmp_path / f"{name}.keras")
        np.testing.assert_allclose(train.predict_survival(loaded, [x, frame], 1.0)["risk"], expected, atol=1e-6)
        reordered = train.predict_survival(loaded, [x, frame[["c", "a", "b"]]], 1.0)["risk"]
        np.testing.assert_allclose(reordered, expected, atol=1e-6)
        np.testing.assert_allclose(train.predict_survival(loaded, [x, shuffled], 1.0)["risk"], expected, atol=1e-6)
        assert not hasattr(loaded, "static_columns") and churn_model.static_columns(loaded) == ("a", "b", "c")
        with pytest.raises(ValueError, match=r"^static input: column\(s\) 'b' missing; the model was trained on 'a', "
                                             r"'b', 'c' \(selected by name\)$"):
            train.predict_survival(loaded, [x, frame[["a", "c"]]], 1.0)
        explained = churn_model.explain(loaded, [x[:1], frame.to_numpy("float32")[:1]], width=1.0)
        assert np.isfinite(explained["risk_path"]).all()
    numbered = frame.set_axis(np.arange(3), axis=1)  # whole-number names (numpy's) are kept as Python ints
    numbered_net = train.fit_survival([numbered], duration, event, 1.0, 4, config=config)
    assert churn_model.static_columns(numbered_net) == (0, 1, 2)


def test_explain_reads_a_static_dataframe_by_the_trained_column_names(rng, tmp_path):
    """Review finding: explain read a static DataFrame by position, so one whose columns came in another order
    than in training got the explanation of another customer, silently. It selects them by the names the model
    was trained on (in memory and after loading), ignores others, and refuses a missing one by name."""
    import pandas as pd

    from shared.cli import InputError
    from shared.safe_load import load_model

    frame = pd.DataFrame(rng.normal(size=(40, 3)) * [1.0, 5.0, 20.0], columns=["a", "b", "c"])
    x = rng.random((40, 5, 2)).astype("float32")
    net = train.fit_survival([x, frame], rng.integers(1, 5, 40), rng.integers(0, 2, 40), 1.0, 4,
                             config={"epochs": 1, "hidden": 4, "units": 4})
    net.save(tmp_path / "net.keras")
    for model in (net, load_model(tmp_path / "net.keras")):
        expected = churn_model.explain(model, [x[:1], frame.to_numpy("float32")[:1]], width=1.0)["risk_path"]
        for static in (frame[:1], frame[["c", "a", "b"]][:1], frame[["b", "c", "a"]].assign(unused=9.0)[:1]):
            got = churn_model.explain(model, [x[:1], static], width=1.0)["risk_path"]
            np.testing.assert_allclose(got, expected, atol=1e-6)
        with pytest.raises(InputError, match=r"^static input: column\(s\) 'b' missing; the model was trained on "
                                             r"'a', 'b', 'c' \(selected by name\)$"):
            churn_model.explain(model, [x[:1], frame[["c", "a"]].assign(d=0.0)[:1]], width=1.0)


def test_a_model_without_names_reads_a_dataframe_by_position(rng, tmp_path):
    """A model trained on an array, a file saved before the names were kept (a plain Normalization layer, as the
    shipped CDNOW model) and names a file cannot hold read a DataFrame by position, as before."""
    import pandas as pd

    from pathlib import Path

    from shared.safe_load import load_model

    shipped = load_model(Path(churn_model.__file__).parent / "weights" / "cdnow_gated.keras")
    assert churn_model.static_columns(shipped) is None
    assert type(churn_model.members(shipped)[0].get_layer("static_norm")) is keras.layers.Normalization
    frame = pd.DataFrame(rng.normal(size=(30, 2)), columns=[("x", 1), ("y", 2)])
    duration, event = rng.integers(1, 5, 30), rng.integers(0, 2, 30)
    with pytest.warns(UserWarning, match=r"a saved model cannot keep them: once loaded from a file, it reads"):
        net = train.fit_survival([frame], duration, event, 1.0, 4, config={"epochs": 1, "hidden": 4})
    net.save(tmp_path / "net.keras")
    loaded = load_model(tmp_path / "net.keras")
    assert churn_model.static_columns(loaded) is None
    np.testing.assert_allclose(train.predict_survival(loaded, [frame], 1.0)["risk"],
                               train.predict_survival(net, [frame], 1.0)["risk"], atol=1e-6)
