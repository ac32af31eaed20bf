"""GatedForecaster's covariate selection (``select_covariates``): a covariate whose effect holds on the held-out
steps is read, one whose effect turns round there is left out, and a model that left its covariates out ignores
their values, also after save and load."""

import numpy as np
import pytest

from domains.ecology.forecaster import GatedForecaster
from domains.ecology.model import relative_error

SELECT = dict(horizon=2, units=4, head_units=4, epochs=5, min_steps=100, learning_rate=1e-2, validation=10,
              shrink="relative", select_covariates=True)


def driven(seed, turns=False, n=40):
    """``(z (n,), covariate (n, 1))``: ``z_{t+1} - z_t = 0.4 + 0.5 c_t`` with ``c_t ~ N(0, 1)`` (plus a little
    observation noise); with ``turns`` the effect is ``-1.0`` from step ``n - 11`` on, i.e. on the 10 held-out
    steps."""
    rng = np.random.default_rng(seed)
    c = rng.standard_normal((n, 1))
    effect = np.where(np.arange(n) < n - 11, 0.5, -1.0) if turns else 0.5
    z = np.r_[0.0, np.cumsum((0.4 + effect * c[:, 0])[:-1])] + 0.01 * rng.standard_normal(n)
    return z, c


@pytest.fixture(scope="module")
def turned():
    series = [driven(seed, turns=True) for seed in (1, 2)]
    return GatedForecaster(**SELECT, seed=0).fit_many(series), series


def test_relative_error_is_the_geometric_mean_over_series_and_skips_flat_ones():
    mean, target = np.array([1.0, 1.0, 0.0, 5.0]), np.array([2.0, 2.0, 4.0, 0.0])
    groups = np.array([0, 0, 1, 2])  # series 2 has only zero targets: left out
    assert relative_error(mean, target, groups).tolist() == pytest.approx([np.sqrt(0.5 * 1.0)])
    assert relative_error(mean, target, groups, shrinks=(0.0, 0.5)).tolist() == pytest.approx([1.0, np.sqrt(0.75)])
    assert relative_error(mean, target, groups, shrinks=(2.0,)).tolist() == [0.0]  # series 0 exactly right
    assert np.isnan(relative_error(mean[3:], target[3:], groups[3:])).all()


def test_a_covariate_whose_effect_holds_is_read():
    model = GatedForecaster(**SELECT, seed=0).fit_many([driven(seed) for seed in (1, 2)])
    with_covariates, without = model.covariate_errors_
    assert model.reads_covariates_ and with_covariates < without


def test_a_covariate_whose_effect_turns_on_the_held_out_steps_is_left_out(turned):
    model, _ = turned
    with_covariates, without = model.covariate_errors_
    assert not model.reads_covariates_ and without < with_covariates
    assert model.network_.get_layer("no_covariates").n == 3


def test_a_model_that_left_its_covariates_out_ignores_their_values_also_after_loading(turned, tmp_path):
    model, series = turned
    other = [(z, np.random.default_rng(5).standard_normal(c.shape)) for z, c in series]
    before = model.predict_many(series)
    for a, b in zip(before, model.predict_many(other)):
        assert np.array_equal(a.mean, b.mean) and np.array_equal(a.std, b.std)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = GatedForecaster.load(path)
    assert not loaded.reads_covariates_
    for a, b in zip(before, loaded.predict_many(other)):
        assert np.allclose(a.mean, b.mean, atol=1e-5) and np.allclose(a.std, b.std, atol=1e-5)
    with pytest.raises(ValueError, match=r"^histories\[0\] covariates: 0 columns, but the model was trained with 1$"):
        loaded.predict_many([(z, None) for z, _ in series])
    assert model.cell_states(*series[0]).shape == (40, 4)


def test_nothing_to_select_without_covariates_or_held_out_steps():
    z, c = driven(3)
    quick = dict(SELECT, epochs=1, min_steps=0)
    assert GatedForecaster(**quick).fit(z).covariate_errors_ is None
    model = GatedForecaster(**dict(quick, validation=0)).fit(z, c)
    assert model.covariate_errors_ is None and model.reads_covariates_
