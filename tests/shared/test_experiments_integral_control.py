"""Claim 7: the plant and the P/PI controllers against closed forms, tuning, the Keras closed loop, integrator
units, and a few steps of backpropagation through the loop."""

import numpy as np
import pandas as pd
import pytest

from shared.experiments import EXPERIMENTS
from shared.experiments import integral_control as ic

CONFIG = ic.Settings(T=40, units=4, steps=40, batch=32, learning_rate=1e-2, tune_episodes=64, test_episodes=50)


def test_p_control_settles_at_the_closed_form_error_and_pi_removes_it():
    episodes = np.array([[0.8, -0.5], [-0.3, 0.9], [0.5, 0.5]], np.float32)
    r, d = episodes[:, 0].astype(float), episodes[:, 1].astype(float)
    K = 2.5
    e, u = ic.simulate_pi(K, 0.0, episodes, CONFIG, T=400)
    np.testing.assert_allclose(e[:, -1], (CONFIG.a * r - d) / (CONFIG.a + CONFIG.b * K), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(u[:, 0], K * r)  # x_0 = 0
    e, _ = ic.simulate_pi(1.0, 3.0, episodes, CONFIG, T=400)
    assert np.abs(e[:, -1]).max() < 1e-6


def test_tuned_gains_beat_their_neighbours_on_the_direct_cost(rng):
    episodes = ic.episodes(200, rng)

    def mean_cost(kp, ki):
        return ic.cost(*ic.simulate_pi(kp, ki, episodes, CONFIG), CONFIG.rho).mean()

    kp, ki = ic.tune(episodes, CONFIG, integral=False)
    assert ki == 0.0
    assert mean_cost(kp, 0.0) <= min(mean_cost(kp * 1.1, 0.0), mean_cost(kp / 1.1, 0.0))
    kp, ki = ic.tune(episodes, CONFIG, integral=True)
    best = mean_cost(kp, ki)
    for factor in ((1.1, 1), (1 / 1.1, 1), (1, 1.1), (1, 1 / 1.1)):
        assert best <= mean_cost(kp * factor[0], ki * factor[1]) + 1e-12
    assert best < mean_cost(*ic.tune(episodes, CONFIG, integral=False))  # PI beats P


def test_keras_closed_loop_with_a_silent_head_is_the_open_loop_plant():
    cell, head = ic.build_controller(CONFIG, seed=0)
    head.set_weights([np.zeros((CONFIG.units, 1)), np.zeros(1)])
    episodes = np.array([[0.5, 1.0], [-1.0, -0.4]], np.float32)
    rollout = ic.lstm_rollout(cell, head, episodes, 30, CONFIG)
    phi, gamma = ic.discretise(CONFIG)
    x = episodes[:, 1:2] * gamma * (1 - phi ** np.arange(30)) / (1 - phi)  # open loop from x_0 = 0 with u = 0
    np.testing.assert_allclose(rollout["e"], episodes[:, :1] - x, atol=1e-5)
    assert rollout["forget"].shape == (2, 30, CONFIG.units)
    assert np.all((rollout["forget"] > 0) & (rollout["forget"] < 1))


def test_backpropagation_through_the_loop_lowers_the_cost():
    import keras

    keras.utils.set_random_seed(0)
    cell, head = ic.build_controller(CONFIG, seed=0)
    losses = ic.train(cell, head, CONFIG, seed=0)
    assert len(losses) == CONFIG.steps
    assert np.mean(losses[-5:]) < 0.7 * np.mean(losses[:5])


def test_integrator_units_finds_the_unit_that_sums_the_error(rng):
    e = rng.normal(size=(20, 50))
    cell = np.stack([0.1 * np.cumsum(e, axis=1), rng.normal(size=(20, 50))], axis=-1)
    forget = np.stack([np.full((20, 50), 0.99), np.full((20, 50), 0.5)], axis=-1)
    units = ic.integrator_units({"e": e, "cell": cell, "forget": forget}, dt=0.1)
    first = units.iloc[0]
    assert first["unit"] == 0 and first["corr_integrated_error"] == pytest.approx(1.0)
    assert first["corr_increment_error"] == pytest.approx(1.0) and first["forget_mean"] == pytest.approx(0.99)
    assert abs(units.iloc[1]["corr_integrated_error"]) < 0.2


def test_verdict_requires_small_error_and_a_high_forget_integrator():
    table = pd.DataFrame({"controller": ["P", "PI", "GatedLSTM"], "steady_state_error": [0.17, 0.0001, 0.005],
                          "steady_state_error_3T": [0.17, 0.0, 0.006]})
    units = pd.DataFrame({"unit": [3, 0], "corr_integrated_error": [0.95, 0.3], "forget_mean": [0.97, 0.6],
                          "forget_steady": [0.98, 0.6]})
    assert ic.verdict(table, units)[0]
    assert not ic.verdict(table, units.assign(forget_mean=[0.8, 0.6]))[0]
    assert not ic.verdict(table.assign(steady_state_error=[0.17, 0.0001, 0.08]), units)[0]


def test_registered_under_its_name():
    assert EXPERIMENTS["integral_control"] is ic.EXPERIMENT
