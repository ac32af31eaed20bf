"""Claim 2: the single latching unit (numpy, no TensorFlow)."""

import numpy as np
import pandas as pd

from shared.experiments import latching_noise as ln


def test_fixed_point_is_a_fixed_point_and_contractive():
    for w in (1.1, 2.0, 5.0):
        h = ln.fixed_point(w)
        assert 0 < h < 1 and abs(h - np.tanh(w * h)) < 1e-9
        assert w * (1 - h**2) < 1  # stable: the per-step gradient factor is below 1


def test_gradient_to_first_input_matches_finite_differences(rng):
    inputs = np.concatenate([np.ones((3, 1)), 0.2 * rng.standard_normal((3, 24))], axis=1)
    eps = 1e-6
    up, down = inputs.copy(), inputs.copy()
    up[:, 0] += eps
    down[:, 0] -= eps
    numeric = (ln.trajectory(1.4, up)[:, -1] - ln.trajectory(1.4, down)[:, -1]) / (2 * eps)
    # atol: the finite difference's round-off is about 1e-16 / eps
    np.testing.assert_allclose(10 ** ln.log10_gradient_to_first_input(1.4, inputs), numeric, rtol=1e-4, atol=1e-9)


def test_flip_noise_grows_with_w_while_the_gradient_shrinks(rng):
    noise = rng.standard_normal((200, 29))
    sigmas = [ln.tolerated_noise(w, noise, 0.05, steps=15) for w in (1.1, 1.5, 3.0)]
    grads = [ln.log10_gradient_to_first_input(w, ln.pulse_inputs(noise[:1], 0.0))[0] for w in (1.1, 1.5, 3.0)]
    assert sigmas[0] < sigmas[1] < sigmas[2]
    assert grads[0] > grads[1] > grads[2]
    assert ln.flip_rate(3.0, noise, sigmas[2]) <= 0.05 < ln.flip_rate(3.0, noise, 2 * sigmas[2] + 0.5)


def test_verdict_fails_when_robustness_does_not_grow():
    table = pd.DataFrame({"w": [1.1, 2.0, 3.0], "tolerated_sigma": [0.5, 0.4, 0.3],
                          "log10_gradient": [-2.0, -6.0, -9.0], "T": 50})
    held, summary = ln.verdict(table)
    assert not held and "did not hold" in summary
    held, _ = ln.verdict(table.assign(tolerated_sigma=[0.1, 0.4, 0.8]))
    assert held


def test_claim_criterion_and_summary_name_the_derivative_the_table_measures():
    table = pd.DataFrame({"w": [1.1, 2.0], "tolerated_sigma": [0.1, 0.5], "log10_gradient": [-2.0, -9.0], "T": 50})
    _, summary = ln.verdict(table)
    for text in (ln.CLAIM, ln.CRITERION, summary):
        assert "d h_T / d u_1" in text and "d h_T / d h_0" not in text
