"""Initial values for the bias of a gate that decides how much of the past to keep.

Two schemes, shared by :class:`~shared.layers.GatedLSTM` (the forget gate ``f``) and
:class:`~shared.layers.GatedGRU` (the update gate ``z`` in ``h = z * h_prev + (1 - z) * hh``, which is a
*keep* gate in Keras' convention):

- a constant: every unit's keep-gate bias starts at ``forget_bias`` (Gers et al. 2000; Jozefowicz et al.
  2015 recommend 1.0 for the LSTM);
- ``"chrono"`` (Tallec & Ollivier 2018, "Can recurrent neural networks warp time?"): the keep-gate bias of
  each unit is ``log(u)`` with ``u ~ U[1, T - 1]``, so that unit's memory decays over a characteristic time
  of about ``u`` steps, spreading the units' time scales over ``1 .. T - 1`` for inputs of up to ``T`` steps.
  For the LSTM the input-gate bias is set to ``-b_f`` as in the paper.
"""

import math
import numbers

import keras
from keras import ops

from shared.layers.arguments import dropout_rate, positive_int

CHRONO = "chrono"


def validate_keep_bias(forget_bias, chrono_max_steps):
    """Checks a ``(forget_bias, chrono_max_steps)`` pair and returns it normalised.

    Raises:
        ValueError: ``forget_bias`` is neither a finite number nor ``"chrono"``; ``"chrono"`` without an integer
            ``chrono_max_steps >= 3`` (``U[1, T-1]`` needs ``T - 1 > 1``); or ``chrono_max_steps`` given with
            a constant bias, where it would be silently ignored.
    """
    if isinstance(forget_bias, str):
        if forget_bias != CHRONO:
            raise ValueError(f"forget_bias must be a finite number or 'chrono'; got {forget_bias!r}")
        if isinstance(chrono_max_steps, bool) or not isinstance(chrono_max_steps, numbers.Integral):
            raise ValueError(
                "forget_bias='chrono' needs chrono_max_steps=T, the longest dependency (in steps) the layer "
                f"should hold; got chrono_max_steps={chrono_max_steps!r}"
            )
        if chrono_max_steps < 3:
            raise ValueError(f"chrono_max_steps must be >= 3 (b_f = log U[1, T-1]); got {chrono_max_steps}")
        return forget_bias, int(chrono_max_steps)
    if isinstance(forget_bias, bool) or not isinstance(forget_bias, numbers.Real) or not math.isfinite(forget_bias):
        raise ValueError(f"forget_bias must be a finite number or 'chrono'; got {forget_bias!r}")
    if chrono_max_steps is not None:
        raise ValueError("chrono_max_steps is only used with forget_bias='chrono'")
    return float(forget_bias), None


def check_cell_arguments(units, forget_bias, kwargs, default_forget_bias):
    """Checks what ``keras.layers.LSTMCell`` / ``GRUCell`` would take silently: ``units`` a whole number >= 1,
    ``dropout`` and ``recurrent_dropout`` (in ``kwargs``) in ``[0, 1)``, and chrono initialisation or a
    ``forget_bias`` other than the cell's default (``default_forget_bias``) only with a bias to initialise
    (``use_bias``, default True).

    Returns:
        ``units`` as an ``int`` (a NumPy integer is taken, as Keras' cells would not take it).

    Raises:
        ValueError: naming the argument.
    """
    units = positive_int("units", units)
    for name in ("dropout", "recurrent_dropout"):
        dropout_rate(name, kwargs.get(name, 0.0))
    if not kwargs.get("use_bias", True):
        if forget_bias == CHRONO:
            raise ValueError("forget_bias='chrono' initialises the gate bias, but use_bias=False leaves no bias")
        constant = isinstance(forget_bias, numbers.Real) and not isinstance(forget_bias, bool)
        if constant and forget_bias != default_forget_bias:
            raise ValueError(
                f"forget_bias={forget_bias!r} initialises the gate bias, but use_bias=False leaves no bias"
            )
    return units


def keep_gate_bias(units, forget_bias, chrono_max_steps, seed, dtype=None):
    """The keep-gate bias vector, shape ``(units,)``.

    Args:
        units: number of units.
        forget_bias: a float (every unit gets it) or ``"chrono"``.
        chrono_max_steps: ``T`` for chrono initialisation: ``log(U[1, T - 1])`` per unit.
        seed: a ``keras.random.SeedGenerator`` or int for the chrono draw.
        dtype: the variable's dtype.
    """
    if forget_bias == CHRONO:
        u = keras.random.uniform((units,), minval=1.0, maxval=float(chrono_max_steps - 1), dtype=dtype, seed=seed)
        return ops.log(u)
    return ops.full((units,), forget_bias, dtype=dtype)
