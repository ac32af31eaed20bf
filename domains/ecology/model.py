"""The GatedForecaster's network, its inputs and its loss.

Per time step ``t`` of a series the network reads (all scaled by the series' own history, so one network
serves many series)::

    x_t = [1, (z_t - mu) / s, (z_t - z_{t-1}) / s, (covariates_t - m) / d]      z = log abundance

(the constant 1 marks a real step: padded steps are all zeros and masked), runs a GatedLSTM over the steps,
feeds its state and ``x_t`` through a dense ``tanh`` layer, and from that layer emits at every step a Gaussian for each horizon ``h = 1..H``: the mean of ``(z_{t+h} - z_t) / s`` and a
standard deviation. This is the direct multi-horizon strategy with "forking sequences" (MQ-RNN, Wen et al.
2017): every step of every training series is an origin with up to ``H`` targets, which matters for
ecological series of 30-120 points; a recursive strategy would compound its own one-step errors and need
Monte Carlo sampling for intervals, while the direct head learns each horizon's spread by likelihood.
"""

import keras
import numpy as np
from keras import ops

from shared.layers import GatedLSTM

#: Softplus floor of the predicted standard deviation (in units of the series' scale ``s``).
MIN_SCALE = 1e-3


def scaling(z, covariates):
    """Scaling statistics of a history: ``(mu, s, cov_mean (k,), cov_std (k,))``."""
    z = np.asarray(z, dtype=float)
    s = max(float(z.std()), 1e-3)
    covariates = np.asarray(covariates, dtype=float).reshape(len(z), -1)
    std = covariates.std(axis=0) if len(z) else np.ones(covariates.shape[1])
    return float(z.mean()), s, covariates.mean(axis=0), np.where(std > 0, std, 1.0)


def features(z, covariates, stats):
    """The network's input for one series: ``(n, 3 + k)`` float32 (see the module docstring)."""
    z = np.asarray(z, dtype=float)
    mu, s, cov_mean, cov_std = stats
    level = (z - mu) / s
    change = np.concatenate([[0.0], np.diff(z) / s])
    covariates = (np.asarray(covariates, dtype=float).reshape(len(z), -1) - cov_mean) / cov_std
    return np.column_stack([np.ones(len(z)), level, change, covariates]).astype("float32")


def targets(z, s, horizon):
    """Training targets for one series: ``(n, H, 2)``: ``(z_{t+h} - z_t) / s`` and 1 where it exists."""
    z = np.asarray(z, dtype=float)
    n = len(z)
    out = np.zeros((n, horizon, 2), dtype="float32")
    for h in range(1, horizon + 1):
        out[:n - h, h - 1, 0] = (z[h:] - z[:-h]) / s
        out[:n - h, h - 1, 1] = 1.0
    return out


@keras.saving.register_keras_serializable(package="ecology")
def gaussian_nll(y_true, y_pred):
    """Gaussian negative log likelihood, masked: ``y_true`` ``(..., H, 2)`` = (target, valid), ``y_pred``
    ``(..., 2H)`` = (mean, raw scale) per horizon, interleaved; returns ``(...)`` averaged over the valid
    horizons."""
    target, valid = y_true[..., 0], y_true[..., 1]
    y_pred = ops.reshape(y_pred, ops.shape(y_true))
    mean, scale = y_pred[..., 0], ops.softplus(y_pred[..., 1]) + MIN_SCALE
    nll = 0.5 * ops.square((target - mean) / scale) + ops.log(scale)
    return ops.sum(nll * valid, axis=-1) / ops.maximum(ops.sum(valid, axis=-1), 1.0)


def build_network(n_features, horizon=10, units=32, head_units=32, forget_bias=1.0, dropout=0.0, seed=0,
                  name="gated_forecaster"):
    """The forecasting network.

    Args:
        n_features: inputs per step (3 + number of covariates).
        horizon: ``H``, the largest horizon.
        units: GatedLSTM units. head_units: width of the dense layer of the head.
        forget_bias: the GatedLSTM's initial forget-gate bias (``"chrono"`` allowed).
        dropout: input dropout of the LSTM. seed: initialisation seed. name: the model's name.

    Returns:
        A ``keras.Model`` from ``(batch, time, n_features)`` to ``(batch, time, 2H)``: for each horizon ``h``
        the mean (index ``2h``) and the raw scale (``2h + 1``, through softplus to a standard deviation).

    >>> build_network(3, horizon=4, units=8).output_shape
    (None, None, 8)
    """
    init = lambda k: keras.initializers.GlorotUniform(seed=seed + k)  # noqa: E731
    inputs = keras.Input((None, n_features), name="features")
    masked = keras.layers.Masking(0.0, name="mask")(inputs)
    states = GatedLSTM(units, forget_bias=forget_bias, return_sequences=True, dropout=dropout,
                       kernel_initializer=init(1), recurrent_initializer=keras.initializers.Orthogonal(seed=seed + 2),
                       seed=seed, name="lstm")(masked)
    joined = keras.layers.Concatenate(name="skip")([states, masked])
    hidden = keras.layers.Dense(head_units, activation="tanh", kernel_initializer=init(3), name="head")(joined)
    raw = keras.layers.Dense(2 * horizon, kernel_initializer=keras.initializers.RandomNormal(stddev=0.01, seed=seed + 4),
                             name="gaussian")(hidden)
    return keras.Model(inputs, raw, name=name)
