"""Hidden-state novelty: how much the state moves at each step, and where it jumps.

A recurrent network that has noticed something (a segment boundary, an event) often shows it as a jump of
its hidden state. :func:`novelty` measures the step-to-step change ``||h_t - h_{t-1}||``;
:func:`change_points` returns the steps where that change peaks well above its typical level
(``scipy.signal.find_peaks`` with a robust, median/MAD-based prominence).
"""

import numbers

import numpy as np
from scipy.signal import find_peaks

MAD_TO_SD = 1.4826  # the MAD of a normal sample times this estimates its standard deviation


def novelty(states):
    """Euclidean norm of the change of the state between consecutive steps.

    Args:
        states: ``(t, d)`` states of one sequence, or ``(n, t, d)`` of ``n`` sequences.

    Returns:
        ``np.ndarray`` float64 of shape ``(t - 1,)`` or ``(n, t - 1)``, in the states' units. Entry ``k``
        is ``||h_{k+1} - h_k||``, the change *into* step ``k + 1`` (so ``novelty(states)[..., t - 1]`` is the
        change into step ``t``).

    Raises:
        ValueError: ``states`` is not 2-D or 3-D, has fewer than two steps, or holds NaN or infinite values.

    Example:

    >>> states = np.zeros((6, 3))
    >>> states[4:] = 1.0
    >>> novelty(states)
    array([0.        , 0.        , 0.        , 1.73205081, 0.        ])
    """
    states = np.asarray(states, dtype=np.float64)
    if states.ndim not in (2, 3) or states.shape[-2] < 2:
        raise ValueError(f"states must be (t, d) or (n, t, d) with t >= 2; got shape {states.shape}")
    if not np.all(np.isfinite(states)):
        raise ValueError("states hold NaN or infinite values")
    return np.linalg.norm(np.diff(states, axis=-2), axis=-1)


def change_points(states_or_novelty, z=5.0, min_relative=0.05, distance=None):
    """Steps where the hidden state jumps: peaks of the novelty profile.

    A peak of the novelty profile ``v`` (``scipy.signal.find_peaks``) is a change point when its
    prominence is at least ``max(z * 1.4826 * MAD(v), min_relative * max(v))``: ``z`` robust standard
    deviations of the profile (median absolute deviation, so the jumps themselves hardly move the bar) and a
    fraction of the largest change (so rounding-level wiggles of an otherwise steady profile never count).
    The first and last entries of a profile cannot be peaks: changes into step 1 or into the last step are
    not reported.

    Args:
        states_or_novelty: a 1-D novelty profile (as from :func:`novelty`; entry ``k`` is the change into
            step ``k + 1``), ``(t, d)`` states of one sequence, or ``(n, t, d)`` states of ``n`` sequences.
            (Pass a batch of novelty profiles one row at a time: a 2-D array is read as states.)
        z: the prominence bar in robust standard deviations.
        min_relative: the prominence bar as a fraction of the profile's maximum.
        distance: optional minimum number of steps between two change points (``find_peaks``' ``distance``).

    Returns:
        ``np.ndarray`` of int, the steps ``t`` (indices into the states) at which a new segment starts, i.e.
        where ``||h_t - h_{t-1}||`` peaks, ascending; for 3-D input a list of such arrays, one per sequence.

    Raises:
        ValueError: input of another rank, NaN or infinite values, or ``z`` or ``min_relative`` not a finite
            number >= 0.

    Example:

    >>> states = np.zeros((50, 4))
    >>> states[20:] += 1.0
    >>> states[35:] -= 2.0
    >>> change_points(states)
    array([20, 35])
    """
    for name, value in (("z", z), ("min_relative", min_relative)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < np.inf:
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    values = np.asarray(states_or_novelty, dtype=np.float64)
    if values.ndim == 3:
        return [change_points(sequence, z=z, min_relative=min_relative, distance=distance) for sequence in values]
    profile = novelty(values) if values.ndim == 2 else values
    if profile.ndim != 1:
        raise ValueError(f"expected a 1-D novelty profile or 2-D/3-D states; got shape {values.shape}")
    if not np.all(np.isfinite(profile)):
        raise ValueError("the novelty profile holds NaN or infinite values")
    if profile.size < 3:  # a peak needs a neighbour on each side
        return np.array([], dtype=int)
    mad = np.median(np.abs(profile - np.median(profile)))
    bar = max(z * MAD_TO_SD * mad, min_relative * profile.max())
    peaks, _ = find_peaks(profile, prominence=bar, distance=distance)
    return peaks + 1
