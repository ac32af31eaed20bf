"""GatedForecaster: shapes, intervals, global training with covariates, save/load, cell states; simulator."""

import numpy as np
import pytest

from domains.ecology.forecaster import GatedForecaster
from domains.ecology.model import build_network, targets
from domains.ecology.simulate import carrying_capacity, simulate_panel, simulate_ricker

SMALL = dict(horizon=4, units=4, head_units=4, epochs=3)


def test_targets_are_future_changes_with_validity():
    y = targets(np.array([0.0, 1.0, 3.0]), s=1.0, horizon=2)
    assert y[0, :, 0].tolist() == [1.0, 3.0] and y[0, :, 1].tolist() == [1.0, 1.0]
    assert y[1, :, 1].tolist() == [1.0, 0.0] and y[2, :, 1].tolist() == [0.0, 0.0]


def test_network_shapes():
    network = build_network(5, horizon=3, units=4)
    assert network(np.zeros((2, 7, 5), "float32")).shape == (2, 7, 6)


def test_per_series_forecast_and_intervals():
    z = np.log(simulate_ricker(n=40, seed=0).value.to_numpy())
    model = GatedForecaster(**SMALL, seed=1).fit(z)
    forecast = model.predict(4)
    assert forecast.mean.shape == (4,) and np.all(forecast.std > 0)
    low80, high80 = forecast.interval(0.8)
    low95, high95 = forecast.interval(0.95)
    assert np.all(low95 < low80) and np.all(high80 < high95)
    with pytest.raises(ValueError, match="up to 4 steps"):
        model.predict(5)


def test_training_is_reproducible_with_a_seed():
    z = np.log(simulate_ricker(n=30, seed=2).value.to_numpy())
    first = GatedForecaster(**SMALL, seed=7).fit(z).predict(4).mean
    second = GatedForecaster(**SMALL, seed=7).fit(z).predict(4).mean
    assert np.allclose(first, second)
    assert not np.allclose(first, GatedForecaster(**SMALL, seed=8).fit(z).predict(4).mean)  # the seed is used


def test_global_model_with_covariates_save_and_load(tmp_path):
    panel = simulate_panel(n_series=3, n=30, seed=1, covariate_effect=0.3)
    series = [(np.log(rows.value.to_numpy()), rows[["weather"]].to_numpy()) for _, rows in panel.groupby("series_id")]
    model = GatedForecaster(**SMALL, ensemble=2, seed=0).fit_many(series)
    before = model.predict_many(series, 4)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = GatedForecaster.load(path)
    after = loaded.predict_many(series, 4)
    assert loaded.horizon == 4 and loaded.ensemble == 2
    for a, b in zip(before, after):
        assert np.allclose(a.mean, b.mean, atol=1e-5) and np.allclose(a.std, b.std, atol=1e-5)
    with pytest.raises(Exception, match="already exists"):
        model.save(path)
    assert model.cell_states(*series[0]).shape == (30, 4)


def test_simulator_declining_k():
    k = carrying_capacity(5, "declining", 1000, 10)
    assert k[0] == pytest.approx(1000) and k[-1] == pytest.approx(10) and np.all(np.diff(k) < 0)
    frame = simulate_ricker(n=200, r=0.8, k_start=1000, k_end=100, sigma_process=0.02, sigma_obs=0.0, seed=0)
    # with little noise and a slow decline, N tracks K (lagging slightly above it)
    assert np.corrcoef(np.log(frame.true_n[20:]), np.log(frame.true_k[20:]))[0, 1] > 0.95
    with pytest.raises(ValueError, match="unknown scenario"):
        carrying_capacity(5, "rising")



def test_simulator_covariate_moves_the_growth_by_its_effect():
    """Without noise and with r = 0 at a constant K, log N_(t+1) - log N_t is beta x_t alone."""
    frame = simulate_ricker(n=20, r=0.0, scenario="constant", sigma_process=0.0, sigma_obs=0.0, covariate_effect=0.5)
    np.testing.assert_allclose(np.diff(np.log(frame.true_n)), 0.5 * frame.weather.to_numpy()[:-1], atol=1e-12)
    assert frame.weather.abs().max() > 0.5 and np.allclose(frame.value, frame.true_n)

def test_step_floor_repeats_few_series_within_each_epoch_and_leaves_gpdd_alone():
    from domains.ecology.forecaster import GLOBAL
    from domains.ecology.train import fit_network, repeats_for, training_arrays

    gpdd_steps = GLOBAL["epochs"] * int(np.ceil(483 / GLOBAL["batch_size"]))  # 40 epochs x 16 batches
    assert 0 < GLOBAL["min_steps"] <= gpdd_steps
    assert repeats_for(GLOBAL["epochs"], 483, GLOBAL["batch_size"], GLOBAL["min_steps"]) == 1
    series = [(np.log(simulate_ricker(n=25, seed=seed).value.to_numpy()), np.zeros((25, 0))) for seed in (0, 1)]
    x, y = training_arrays(series, 4)
    steps = []
    for min_steps in (0, 10):
        network = build_network(3, horizon=4, units=4, head_units=4)
        fit_network(network, x, y, epochs=2, min_steps=min_steps)
        steps.append(int(network.optimizer.iterations))
    assert steps == [2, 10]  # 2 epochs of one step; then 5 whole-set steps per epoch


@pytest.fixture(scope="module")
def with_covariate():
    """A tiny forecaster trained on one simulated series with one covariate; ``given`` is the array it was fitted
    on (only the copy test changes it)."""
    panel = simulate_panel(n_series=1, n=30, seed=3, covariate_effect=0.3)
    z, covariates = np.log(panel.value.to_numpy()), panel[["weather"]].to_numpy()
    given = z.copy()
    model = GatedForecaster(**dict(SMALL, epochs=1), seed=0).fit(given, covariates)
    return model, z, covariates, given


@pytest.mark.parametrize("name,value,least", [("epochs", 0, 1), ("units", 2.5, 1), ("ensemble", True, 1),
                                              ("patience", -1, 0), ("min_steps", 640.0, 0)])
def test_counts_are_refused_unless_whole_numbers_at_least_their_least(name, value, least):
    """epochs=0 used to build a forecaster that scored an untrained network; ensemble=0 failed deep in predict."""
    with pytest.raises(ValueError, match=rf"^{name} must be a whole number >= {least}, got {value!r}$"):
        GatedForecaster(**{**SMALL, name: value})
    assert GatedForecaster(**{**SMALL, name: np.int64(least)}).__dict__[name] == least


def test_fit_refuses_a_series_without_a_target_or_with_bad_values_before_training():
    z = np.log(simulate_ricker(n=30, seed=0).value.to_numpy())
    model = GatedForecaster(**SMALL)
    for short in (z[:0], z[:1]):
        with pytest.raises(ValueError, match=rf"^z: {len(short)} values?; GatedForecaster needs at least 2$"):
            model.fit(short)
    broken = z.copy()
    broken[[4, 7]] = np.nan
    with pytest.raises(ValueError, match=r"^z: 2 non-finite values \(first at index 4\)$"):
        model.fit(broken)
    with pytest.raises(ValueError, match=r"^covariates: shape \(5,\) does not fit a series of 30 values"):
        model.fit(z, covariates=np.ones(5))
    with pytest.raises(ValueError, match=r"^series\[1\] covariates: 0 columns, but series\[0\] has 1$"):
        model.fit_many([(z, np.ones((30, 1))), (z, None)])
    assert not hasattr(model, "network_")


def test_fit_many_and_predict_many_refuse_bare_arrays_with_a_type_error_naming_the_pairs():
    """``fit_many([z1, z2])`` gave "too many values to unpack (expected 2)"."""
    z = np.log(simulate_ricker(n=30, seed=0).value.to_numpy())
    model = GatedForecaster(**SMALL)
    with pytest.raises(TypeError, match=r"^series\[0\]: expected a \(z, covariates or None\) pair, got ndarray of "
                                        r"length 30: write \[\(z, None\), \.\.\.\]"):
        model.fit_many([z, z])
    with pytest.raises(TypeError, match=r"^series: expected a list of \(z, covariates or None\) pairs, got ndarray"):
        model.fit_many(np.stack([z, z]))
    with pytest.raises(TypeError, match=r"^histories\[1\]: expected a \(z, covariates or None\) pair, got list of "
                                        "length 3"):
        model.predict_many([(z, None), [1.0, 2.0, 3.0]])
    assert not hasattr(model, "network_")


def test_save_refuses_a_name_without_the_keras_suffix_before_writing(tmp_path):
    """Keras' error named a temporary file (``.lynx_model.w_gq4jcy.tm``), not the user's path."""
    model = GatedForecaster(**{**SMALL, "epochs": 1}).fit(np.log(simulate_ricker(n=30, seed=0).value.to_numpy()))
    with pytest.raises(ValueError, match=r"lynx_model: a forecaster is saved as a \.keras file; give a name ending"):
        model.save(tmp_path / "lynx_model")
    assert list(tmp_path.iterdir()) == []


def test_predict_refuses_bad_horizons_histories_and_covariates(with_covariate):
    model, z, covariates, _ = with_covariate
    assert model.predict(2, history=z[:1], covariates=covariates[:1]).mean.shape == (2,)
    for horizon in (0, -1):
        with pytest.raises(ValueError, match=f"at least 1, not {horizon}"):
            model.predict(horizon)
    with pytest.raises(ValueError, match=r"^covariates: 0 columns, but the model was trained with 1$"):
        model.predict(3, history=z)
    with pytest.raises(ValueError, match=r"^history: 0 values; GatedForecaster needs at least 1$"):
        model.predict(3, history=z[:0], covariates=covariates[:0])
    with pytest.raises(ValueError, match=r"^histories\[1\]: 1 non-finite value \(first at index 2\)$"):
        model.predict_many([(z, covariates), (np.r_[z[:2], np.inf], covariates[:3])], 3)


def test_the_training_series_is_copied(with_covariate):
    model, _, _, given = with_covariate
    before = model.predict(4)
    given[:] = 0.0
    after = model.predict(4)
    assert np.array_equal(before.mean, after.mean) and np.array_equal(before.std, after.std)


def test_a_loaded_forecaster_needs_a_history_and_save_names_the_python_argument(with_covariate, tmp_path):
    model, z, covariates, _ = with_covariate
    path = tmp_path / "model.keras"
    model.save(path)
    with pytest.raises(ValueError, match=r"already exists; pass force=True to overwrite it$"):
        model.save(path)
    model.save(path, force=True)
    loaded = GatedForecaster.load(path)
    with pytest.raises(ValueError, match="keeps no training series: pass history="):
        loaded.predict(3)
    expected = model.predict(3, history=z, covariates=covariates).mean
    assert np.allclose(loaded.predict(3, history=z, covariates=covariates).mean, expected, atol=1e-5)


def test_fit_says_that_it_seeds_the_global_random_generators_as_it_does():
    """``keras.utils.set_random_seed`` (the Keras convention, kept) resets the user's ``random`` and
    ``np.random`` draws; the docstrings say so."""
    import random

    from domains.genomics.train import train_gene_model

    z = np.log(simulate_ricker(n=30, seed=0).value.to_numpy())
    random.seed(99)
    np.random.seed(99)
    GatedForecaster(**SMALL, seed=5).fit(z)
    after = (random.random(), np.random.random())
    random.seed(5)
    np.random.seed(5)
    assert after == (random.random(), np.random.random())
    phrase = "seeds python's, numpy's and the backend's global random generators with ``seed``"
    for function in (GatedForecaster.fit, GatedForecaster.fit_many, train_gene_model):
        assert phrase in " ".join(function.__doc__.lower().split()), function
