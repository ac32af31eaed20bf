"""The GatedForecaster's network, its inputs and its loss.

Per time step ``t`` of a series the network reads (all scaled by the series' own history, so one network
serves many series)::

    x_t = [1, (z_t - mu_t) / s, (z_t - z_{t-1}) / s, (covariates_t - m) / d]      z = log abundance

(the constant 1 marks a real step: padded steps are all zeros and masked). ``mu_t`` is the *expanding*
mean of ``z_0..z_t``: a level measured against the mean of the whole training series would tell the network,
at every step, where the series will go on average (the future is in that mean), and it learnt exactly
that: mean reversion that is not there at forecast time, where the mean holds only the past (on GPDD the
intervals held 58 % instead of 80 % on the test origins and the point forecasts lost to naive).
The network runs a GatedLSTM over the steps, feeds its state and ``x_t`` through a dense ``tanh`` layer,
and from that layer emits at every step a Gaussian for each horizon ``h = 1..H``: the mean of
``(z_{t+h} - z_t) / s`` and a standard deviation. This is the
direct multi-horizon strategy with "forking sequences" (MQ-RNN, Wen et al. 2017): every step of every
training series is an origin with up to ``H`` targets, which matters for ecological series of 30-120 points;
a recursive strategy would compound its own one-step errors and need Monte Carlo sampling for intervals,
while the direct head learns each horizon's spread by likelihood.

Two optional parts make the network a residual model on top of the classical ones:

- ``ar_order = p > 0``: a :class:`CentredLags` hands the last ``p`` scaled levels (measured from the series'
  mean) to a linear layer ``"ar"``
  whose weights are a direct AR(p) fitted by least squares (one regression of ``(z_{t+h} - z_t)/s`` per
  horizon, :func:`domains.ecology.bases.fit_direct_ar`) and then frozen; the LSTM's mean is added to it, so the gated memory
  models what the linear autoregression misses (Zhang's 2003 ARIMA + ANN hybrid, trained jointly). With
  ``threshold_delay = d > 0`` the frozen base is a two-regime threshold AR(p) instead (SETAR,
  :class:`domains.ecology.bases.ThresholdAR`). With ``p = 0`` the base is persistence (a change of 0): the
  network predicts a correction to the last value.
- a :class:`Calibration` layer at the end of the (ensemble) model, with non-trainable per-horizon factors:
  ``alpha_h`` shrinks the mean change towards persistence (or, with a base, the network's residual towards
  the base) and ``k_h`` multiplies the standard deviation.
  Both are 1 during training and are set afterwards on held-out targets
  (:mod:`domains.ecology.train`, :func:`calibration_factors`).
"""

import keras
import numpy as np
from keras import ops
from scipy.stats import norm

from domains.ecology.bases import CentredLags, ThresholdAR
from shared.layers import GatedLSTM

#: Softplus floor of the predicted standard deviation (in units of the series' scale ``s``).
MIN_SCALE = 1e-3
#: Calibration factors are kept in these bounds: the mean shrink ``alpha`` and the spread factor ``k``.
ALPHA_RANGE, K_RANGE = (0.0, 1.0), (0.5, 5.0)


def scaling(z, covariates):
    """Scaling statistics of a history: ``(mu, s, cov_mean (k,), cov_std (k,))``."""
    z = np.asarray(z, dtype=float)
    s = max(float(z.std()), 1e-3)
    covariates = np.asarray(covariates, dtype=float).reshape(len(z), -1)
    std = covariates.std(axis=0) if len(z) else np.ones(covariates.shape[1])
    return float(z.mean()), s, covariates.mean(axis=0), np.where(std > 0, std, 1.0)


def features(z, covariates, stats):
    """The network's input for one series: ``(n, 3 + k)`` float32 (see the module docstring); causal in
    ``z``: row ``t`` depends on ``z_0..z_t`` and the scale ``s`` of ``stats`` only.

    >>> features(np.array([1.0, 3.0]), np.zeros((2, 0)), (2.0, 1.0, np.zeros(0), np.ones(0))).tolist()
    [[1.0, 0.0, 0.0], [1.0, 1.0, 2.0]]
    """
    z = np.asarray(z, dtype=float)
    _, s, cov_mean, cov_std = stats
    level = (z - np.cumsum(z) / np.arange(1, len(z) + 1)) / s
    change = np.concatenate([[0.0], np.diff(z) / s])
    covariates = (np.asarray(covariates, dtype=float).reshape(len(z), -1) - cov_mean) / cov_std
    return np.column_stack([np.ones(len(z)), level, change, covariates]).astype("float32")


def targets(z, s, horizon):
    """Training targets for one series: ``(n, H, 2)``: ``(z_{t+h} - z_t) / s`` and 1 where it exists."""
    z = np.asarray(z, dtype=float)
    n = len(z)
    out = np.zeros((n, horizon, 2), dtype="float32")
    for h in range(1, min(horizon, n - 1) + 1):
        out[:n - h, h - 1, 0] = (z[h:] - z[:-h]) / s
        out[:n - h, h - 1, 1] = 1.0
    return out


@keras.saving.register_keras_serializable(package="ecology")
def gaussian_nll(y_true, y_pred):
    """Gaussian negative log likelihood, masked: ``y_true`` ``(..., H, 2)`` = (target, valid), ``y_pred``
    ``(..., 2H)`` = (mean, standard deviation) per horizon, interleaved; returns ``(...)`` averaged over the
    valid horizons."""
    target, valid = y_true[..., 0], y_true[..., 1]
    y_pred = ops.reshape(y_pred, ops.shape(y_true))
    mean, scale = y_pred[..., 0], y_pred[..., 1]
    nll = 0.5 * ops.square((target - mean) / scale) + ops.log(scale)
    return ops.sum(nll * valid, axis=-1) / ops.maximum(ops.sum(valid, axis=-1), 1.0)


@keras.saving.register_keras_serializable(package="ecology")
class GaussianHead(keras.layers.Layer):
    """``[raw (..., 2H), base (..., H)] -> (..., 2H)``: mean ``base + raw_mean`` and standard deviation
    ``softplus(raw_scale) + MIN_SCALE`` per horizon, interleaved."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        raw, base = inputs
        pairs = ops.reshape(raw, (*ops.shape(raw)[:-1], -1, 2))
        mean = pairs[..., 0] + base
        std = ops.softplus(pairs[..., 1]) + MIN_SCALE
        return ops.reshape(ops.stack([mean, std], axis=-1), ops.shape(raw))


@keras.saving.register_keras_serializable(package="ecology")
class Mixture(keras.layers.Layer):
    """The equal-weight mixture of the members' Gaussians, moment-matched to one Gaussian per horizon."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None if mask is None else mask[0]

    def call(self, inputs):
        stacked = ops.stack([ops.reshape(x, (*ops.shape(x)[:-1], -1, 2)) for x in inputs], axis=0)
        mean = ops.mean(stacked[..., 0], axis=0)
        second = ops.mean(ops.square(stacked[..., 1]) + ops.square(stacked[..., 0]), axis=0)
        std = ops.sqrt(ops.maximum(second - ops.square(mean), 1e-12))
        return ops.reshape(ops.stack([mean, std], axis=-1), ops.shape(inputs[0]))


@keras.saving.register_keras_serializable(package="ecology")
class Calibration(keras.layers.Layer):
    """Per-horizon post-hoc calibration (non-trainable): the mean shrunk by ``alpha_h``, the standard
    deviation multiplied by ``k_h``.

    Called on ``pairs`` ``(..., 2H)`` it shrinks the mean change towards persistence: ``alpha_h * mean``.
    Called on ``[pairs, base]`` with the frozen base's mean change ``base`` ``(..., H)`` it shrinks the
    network's residual towards the base instead: ``base + alpha_h * (mean - base)`` (``alpha = 0`` is the
    base alone).

    Args:
        horizon: ``H``. Starts as the identity (``alpha = k = 1``); :meth:`set_factors` changes it.
    """

    def __init__(self, horizon, **kwargs):
        super().__init__(**kwargs)
        self.horizon = int(horizon)
        self.supports_masking = True
        self.alpha = self.add_weight(shape=(self.horizon,), initializer="ones", trainable=False, name="alpha")
        self.k = self.add_weight(shape=(self.horizon,), initializer="ones", trainable=False, name="k")

    def compute_mask(self, inputs, mask=None):
        return mask[0] if isinstance(mask, (list, tuple)) else mask

    def call(self, inputs):
        inputs, base = inputs if isinstance(inputs, (list, tuple)) else (inputs, None)
        pairs = ops.reshape(inputs, (*ops.shape(inputs)[:-1], self.horizon, 2))
        mean = pairs[..., 0] * self.alpha if base is None else base + (pairs[..., 0] - base) * self.alpha
        out = ops.stack([mean, pairs[..., 1] * self.k], axis=-1)
        return ops.reshape(out, ops.shape(inputs))

    def set_factors(self, alpha, k):
        self.alpha.assign(np.asarray(alpha, dtype="float32"))
        self.k.assign(np.asarray(k, dtype="float32"))

    def get_config(self):
        return {**super().get_config(), "horizon": self.horizon}


def calibration_factors(mean, std, target, valid, groups=None, coverage=0.8):
    """Per-horizon ``(alpha, k)`` from held-out targets, all ``(m, H)`` (``valid`` 0/1).

    ``alpha_h`` shrinks the predicted change towards persistence. Without ``groups`` it is the least-squares
    shrink ``argmin sum (y - a m)^2``; with ``groups`` (``(m,)`` series index of each row) it is the ``a`` on a
    grid of 0.05 steps that minimises the geometric mean over series of ``sum |y - a m| / sum |y|``, the
    held-out analogue of the geometric-mean MASE relative to naive (a least-squares shrink is ruled by the most
    volatile series). Both are kept in ``ALPHA_RANGE``. ``k_h``: the factor that makes the central
    ``coverage`` interval of ``N(alpha m, (k s)^2)`` hold that share of the held-out targets (the ``coverage``
    quantile of ``|y - alpha m| / s`` over ``z_{(1 + coverage) / 2}``; split-conformal), clipped to
    ``K_RANGE``. Horizons with fewer than 10 held-out targets borrow the factors of the nearest horizon that
    has them (1, 1 if none has).

    >>> rng = np.random.default_rng(0)
    >>> y = 2.0 * rng.standard_normal((4000, 1))
    >>> a, k = calibration_factors(np.zeros_like(y), np.ones_like(y), y, np.ones_like(y))
    >>> round(float(k[0]), 1)
    2.0
    """
    mean, std, target, valid = (np.asarray(a, dtype=float) for a in (mean, std, target, valid))
    horizon = mean.shape[-1]
    alpha, k, enough = np.ones(horizon), np.ones(horizon), np.zeros(horizon, bool)
    for h in range(horizon):
        use = valid[:, h] > 0
        if use.sum() < 10:
            continue
        m, s, y = mean[use, h], std[use, h], target[use, h]
        if groups is None:
            alpha[h] = np.clip(np.sum(y * m) / max(np.sum(m * m), 1e-12), *ALPHA_RANGE)
        else:
            alpha[h] = _relative_shrink(m, y, np.asarray(groups)[use])
        k[h] = np.clip(np.quantile(np.abs(y - alpha[h] * m) / s, coverage) / norm.ppf(0.5 + coverage / 2), *K_RANGE)
        enough[h] = True
    if enough.any() and not enough.all():
        have = np.flatnonzero(enough)
        nearest = have[np.argmin(np.abs(np.arange(horizon)[:, None] - have[None]), axis=1)]
        alpha, k = alpha[nearest], k[nearest]
    return alpha, k


def relative_error(mean, target, groups, shrinks=(1.0,)):
    """Geometric mean over groups of ``sum |y - a m| / sum |y|`` for each shrink ``a``, ``(len(shrinks),)``:
    the held-out analogue of the geometric-mean MASE relative to naive (a change of 0), on flat ``(m,)`` mean
    changes ``m``, targets ``y`` and group (series) indices. Groups whose targets are all 0 are left out;
    ``nan`` if all are.

    >>> relative_error(np.array([1.0, 0.0]), np.array([2.0, 2.0]), np.array([0, 1])).round(3).tolist()
    [0.707]
    """
    order = np.argsort(groups, kind="stable")
    mean, target, groups = mean[order], target[order], np.asarray(groups)[order]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    naive = np.add.reduceat(np.abs(target), starts)
    keep = naive > 0
    if not keep.any():
        return np.full(len(shrinks), np.nan)
    with np.errstate(divide="ignore"):  # a series forecast exactly makes the geometric mean 0
        return np.exp([np.mean(np.log(np.add.reduceat(np.abs(target - a * mean), starts)[keep] / naive[keep]))
                       for a in shrinks])


def _relative_shrink(mean, target, groups):
    """The shrink ``a`` in ``ALPHA_RANGE`` (0.05 steps) minimising :func:`relative_error` (no shrink if every
    group's targets are all 0)."""
    grid = np.arange(ALPHA_RANGE[0], ALPHA_RANGE[1] + 1e-9, 0.05)
    scores = relative_error(mean, target, groups, grid)
    return ALPHA_RANGE[1] if np.isnan(scores).all() else float(grid[int(np.argmin(scores))])


def build_network(n_features, horizon=10, units=32, head_units=32, forget_bias=1.0, dropout=0.0, seed=0,
                  name="gated_forecaster", ar_order=0, l2=0.0, threshold_delay=0):
    """The forecasting network (one ensemble member).

    Args:
        n_features: inputs per step (3 + number of covariates).
        horizon: ``H``, the largest horizon.
        units: GatedLSTM units. head_units: width of the dense layer of the head.
        forget_bias: the GatedLSTM's initial forget-gate bias (``"chrono"`` allowed).
        dropout: input dropout of the LSTM. seed: initialisation seed. name: the model's name.
        ar_order: ``p`` of the frozen linear AR base (0: persistence base, no ``"ar"`` layer).
        l2: L2 penalty on the dense head's kernels (0: none).
        threshold_delay: ``d > 0`` makes the frozen base a two-regime threshold AR(p) whose regime is picked
            by the level ``d - 1`` steps back (:class:`domains.ecology.bases.ThresholdAR`); 0: a linear AR(p).

    Returns:
        A ``keras.Model`` from ``(batch, time, n_features)`` to ``(batch, time, 2H)``: for each horizon ``h``
        the mean (index ``2h``) and the standard deviation (``2h + 1``) of the scaled change.

    >>> build_network(3, horizon=4, units=8, ar_order=2).output_shape
    (None, None, 8)
    """
    init = lambda k: keras.initializers.GlorotUniform(seed=seed + k)  # noqa: E731
    penalty = keras.regularizers.L2(l2) if l2 else None
    inputs = keras.Input((None, n_features), name="features")
    masked = keras.layers.Masking(0.0, name="mask")(inputs)
    states = GatedLSTM(units, forget_bias=forget_bias, return_sequences=True, dropout=dropout,
                       kernel_initializer=init(1), recurrent_initializer=keras.initializers.Orthogonal(seed=seed + 2),
                       seed=seed, name="lstm")(masked)
    joined = keras.layers.Concatenate(name="skip")([states, masked])
    hidden = keras.layers.Dense(head_units, activation="tanh", kernel_initializer=init(3), kernel_regularizer=penalty,
                                name="head")(joined)
    raw = keras.layers.Dense(2 * horizon, kernel_regularizer=penalty, name="gaussian",
                             kernel_initializer=keras.initializers.RandomNormal(stddev=0.01, seed=seed + 4))(hidden)
    if ar_order:
        lags = CentredLags(ar_order, name="lags")(inputs)
        if threshold_delay:
            base = ThresholdAR(horizon, threshold_delay, name="ar")(lags)
        else:
            ar = keras.layers.Dense(horizon, kernel_initializer="zeros", name="ar")
            base = ar(lags)
            ar.trainable = False
    else:
        base = _Zeros(horizon, name="persistence")(raw)
    outputs = GaussianHead(name="head_gaussian")([raw, base])
    return keras.Model(inputs, outputs, name=name)


@keras.saving.register_keras_serializable(package="ecology")
class LeadingFeatures(keras.layers.Layer):
    """``(..., F) -> (..., n)``: the first ``n`` features of every step. A global model that chose not to read
    its covariates (:class:`domains.ecology.forecaster.GatedForecaster`, ``select_covariates``) passes its
    members the first 3 (constant, level, change) and still takes the covariate columns it was trained with.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = int(n)
        self.supports_masking = True

    def call(self, inputs):
        return inputs[..., :self.n]

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.n)

    def get_config(self):
        return {**super().get_config(), "n": self.n}


@keras.saving.register_keras_serializable(package="ecology")
class _Zeros(keras.layers.Layer):
    """Zeros ``(..., H)`` shaped like the input's leading axes: the persistence base (a change of 0)."""

    def __init__(self, horizon, **kwargs):
        super().__init__(**kwargs)
        self.horizon = int(horizon)
        self.supports_masking = True

    def call(self, inputs):
        return ops.zeros((*ops.shape(inputs)[:-1], self.horizon), dtype=inputs.dtype)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.horizon)

    def get_config(self):
        return {**super().get_config(), "horizon": self.horizon}
