"""shared.probes.novelty: step-to-step change of the state and the change points it peaks at."""

import numpy as np
import pytest

from shared.probes import change_points, novelty


def piecewise_constant(rng, steps=80, dim=6, jumps=(17, 40, 63), noise=0.0):
    levels = rng.normal(size=(len(jumps) + 1, dim))
    segment = np.searchsorted(np.asarray(jumps), np.arange(steps), side="right")
    return levels[segment] + noise * rng.normal(size=(steps, dim))


def test_novelty_shapes_and_alignment(rng):
    states = rng.normal(size=(3, 10, 4))
    values = novelty(states)
    assert values.shape == (3, 9)
    assert novelty(states[0]).shape == (9,)
    np.testing.assert_allclose(values[1, 4], np.linalg.norm(states[1, 5] - states[1, 4]))


def test_change_points_known_answer(rng):
    jumps = (17, 40, 63)
    exact = piecewise_constant(rng, jumps=jumps)
    np.testing.assert_array_equal(change_points(exact), jumps)
    noisy = piecewise_constant(rng, jumps=jumps, noise=0.02)
    np.testing.assert_array_equal(change_points(noisy), jumps)
    # a novelty profile gives the same steps as the states it came from
    np.testing.assert_array_equal(change_points(novelty(noisy)), jumps)


def test_change_points_batch(rng):
    batch = np.stack([piecewise_constant(rng, jumps=(10, 50)), piecewise_constant(rng, jumps=(30,))])
    found = change_points(batch)
    assert len(found) == 2
    np.testing.assert_array_equal(found[0], [10, 50])
    np.testing.assert_array_equal(found[1], [30])


def test_change_points_distance_keeps_the_higher_of_close_peaks():
    """Known answer: a profile of zeros with 2 at entry 19 and 1 at entry 22 (MAD 0, so the bar is
    0.05 * 2 = 0.1) has two peaks, steps 20 and 23. They are 3 entries apart: ``distance=3`` keeps both,
    ``distance=5`` keeps only the higher, step 20. The same holds for states whose steps change by that profile,
    one sequence or a batch."""
    profile = np.zeros(40)
    profile[19], profile[22] = 2.0, 1.0
    np.testing.assert_array_equal(change_points(profile), [20, 23])
    np.testing.assert_array_equal(change_points(profile, distance=3), [20, 23])
    np.testing.assert_array_equal(change_points(profile, distance=5), [20])
    states = np.r_[0.0, np.cumsum(profile)][:, None]  # ||h_{k+1} - h_k|| = profile[k]
    np.testing.assert_array_equal(novelty(states), profile)
    np.testing.assert_array_equal(change_points(states, distance=5), [20])
    found = change_points(np.stack([states, states]), distance=5)
    assert [f.tolist() for f in found] == [[20], [20]]


@pytest.mark.parametrize("kind", ["sine", "linear", "random_walk_smoothed"])
def test_smooth_sequences_have_no_change_points(kind, rng):
    t = np.arange(200)[:, None]
    if kind == "sine":
        states = np.hstack([np.sin(t / 15.0), np.cos(t / 23.0), 0.5 * np.sin(t / 40.0 + 1.0)])
    elif kind == "linear":
        states = (0.01 * t * np.ones((1, 5))).astype("float32")
    else:
        walk = np.cumsum(rng.normal(size=(260, 4)), axis=0)
        kernel = np.hanning(61) / np.hanning(61).sum()
        states = np.stack([np.convolve(walk[:, j], kernel, mode="valid") for j in range(4)], axis=1)
    assert change_points(states).size == 0


def test_bad_shapes():
    with pytest.raises(ValueError):
        novelty(np.zeros(5))
    with pytest.raises(ValueError):
        novelty(np.zeros((1, 3)))


def test_non_finite_input_and_bars_are_refused(rng):
    """NaN states used to give a NaN profile in which find_peaks finds nothing: "no change points", silently."""
    states = piecewise_constant(rng, jumps=(10, 30))
    states[20, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        novelty(states)
    with pytest.raises(ValueError, match="NaN"):
        change_points(states)
    with pytest.raises(ValueError, match="NaN"):
        change_points(np.r_[np.zeros(5), np.inf, np.zeros(5)])
    with pytest.raises(ValueError, match="z must be"):
        change_points(piecewise_constant(rng), z=-1.0)  # a negative bar made every wiggle a change point
    for z in ("5", None, True):  # found in review: "'<=' not supported between 'int' and 'str'"
        with pytest.raises(ValueError, match=f"z must be a finite number >= 0, got {z!r}"):
            change_points(piecewise_constant(rng), z=z)
