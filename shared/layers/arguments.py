"""Checks of layer constructor arguments shared by the layers of :mod:`shared.layers`."""

import numbers


def dropout_rate(name, value):
    """``value`` as a ``float`` if it lies in ``[0, 1)``, else ``ValueError`` naming ``name``: Keras' recurrent
    cells clamp a rate outside it (and apply none at 1.0) without a word.

    >>> dropout_rate("dropout", 0.25)
    0.25
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must lie in [0, 1); got {value!r}")
    return float(value)


def positive_int(name, value):
    """``value`` as an ``int`` if it is a whole number >= 1 (a Python or NumPy integer), else ``ValueError``
    naming ``name``: ``2.7`` units is refused, as ``keras.layers.Dense`` refuses it, not truncated to 2.

    >>> positive_int("units", 3)
    3
    >>> positive_int("units", 2.7)
    Traceback (most recent call last):
    ...
    ValueError: units must be a positive integer; got 2.7
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)
