"""The frozen bases of the GatedForecaster: the lag window and direct autoregressions fitted by least squares.

- :class:`LagWindow` (:class:`CentredLags`: the last ``p`` scaled levels measured from the series' mean, the
  bases' inputs) and :func:`fit_direct_ar`: a linear direct AR(p) of the scaled change
  ``(z_{t+h} - z_t) / s`` on the last ``p`` scaled levels, one regression per horizon.
- :class:`ThresholdAR` and :func:`fit_threshold_ar`: a two-regime threshold autoregression (SETAR, Tong
  1978). Cycles such as the lynx' rise slowly and crash fast, which one linear autoregression averages away
  and a self-exciting threshold model captures: the regime is chosen by a lagged level (the *delay* ``d``)
  against a threshold ``r``, and each regime has its own direct AR, of its own order if asked (Tong's
  SETAR(2; p1, p2)); :func:`select_threshold_ar` chooses the two orders and the delay by AIC.

Both are fitted on the training targets and then frozen in the network, so the LSTM learns what they miss.
"""

import keras
import numpy as np
from keras import ops

#: Candidate thresholds: these quantiles of the delay column over the training steps (each regime keeps at
#: least 15 % of them, as in Tong's and Hansen's trimming).
THRESHOLD_QUANTILES = np.linspace(0.15, 0.85, 29)


@keras.saving.register_keras_serializable(package="ecology")
class LagWindow(keras.layers.Layer):
    """The last ``p`` values of one input column, ``(batch, time, features) -> (batch, time, p)``.

    Column ``j`` of the output at step ``t`` is the input column at ``t - j``; before the first step the first
    value is repeated (series are right-padded, so every series starts at step 0).

    >>> np.asarray(LagWindow(3, column=0)(np.arange(4, dtype="float32").reshape(1, 4, 1)))[0].tolist()
    [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [2.0, 1.0, 0.0], [3.0, 2.0, 1.0]]
    """

    def __init__(self, order, column=1, **kwargs):
        super().__init__(**kwargs)
        self.order, self.column = int(order), int(column)

    def call(self, inputs):
        values = self._values(inputs)
        first = ops.repeat(values[:, :1], self.order - 1, axis=1)
        padded = ops.concatenate([first, values], axis=1)
        length = ops.shape(values)[1]
        lags = [padded[:, self.order - 1 - j:self.order - 1 - j + length] for j in range(self.order)]
        return ops.stack(lags, axis=-1)

    def _values(self, inputs):
        return inputs[..., self.column]

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.order)

    def get_config(self):
        return {**super().get_config(), "order": self.order, "column": self.column}


@keras.saving.register_keras_serializable(package="ecology")
class CentredLags(LagWindow):
    """The last ``p`` scaled log levels of a series measured from the mean of its real steps:
    ``(z_{t-j} - mean(z)) / s``, ``(batch, time, features) -> (batch, time, p)``, from the real-step marker
    (column 0) and the scaled change (column 2) of :func:`domains.ecology.model.features`.

    The frame of the frozen bases. A classical AR or SETAR measures every lag from one reference (its
    intercept holds the series' mean); the features' expanding mean moves under the early steps, so a
    threshold on it puts early years in the wrong regime (inner rolling origin on lynx 1821-1920, mean
    one-step MSE of 14 years after 1878 / 1892 / 1906: threshold-AR(2) 0.051 centred, 0.056 on the
    expanding-mean level). At forecast time the mean is the history's, so no forecast reads a later value;
    in training it is the training series' (as a least-squares AR's intercept is).

    >>> x = np.array([[[1, 0, 0.0], [1, 0, 2.0], [1, 0, -1.0]]], "float32")  # z / s = 0, 2, 1: mean 1
    >>> np.asarray(CentredLags(2)(x))[0].tolist()
    [[-1.0, -1.0], [1.0, -1.0], [0.0, 1.0]]
    """

    def __init__(self, order, **kwargs):
        kwargs.pop("column", None)
        super().__init__(order, column=2, **kwargs)

    def _values(self, inputs):
        real = inputs[..., 0]
        level = ops.cumsum(inputs[..., 2] * real, axis=1) * real
        mean = ops.sum(level, axis=1, keepdims=True) / ops.maximum(ops.sum(real, axis=1, keepdims=True), 1.0)
        return (level - mean) * real


@keras.saving.register_keras_serializable(package="ecology")
class ThresholdAR(keras.layers.Layer):
    """``lags (batch, time, p) -> (batch, time, H)``: the low regime's direct AR where
    ``lags[..., delay - 1] <= threshold``, the high regime's elsewhere (non-trainable weights).

    Args:
        horizon: ``H``. delay: ``d`` (1 = the current level, which :class:`LagWindow` puts in column 0).

    >>> layer = ThresholdAR(horizon=1, delay=1)
    >>> layer.build((None, None, 2))
    >>> layer.set_parameters(0.0, np.array([[[1.0], [0.0]], [[0.0], [1.0]]]), np.array([[0.0], [10.0]]))
    >>> np.asarray(layer(np.array([[[-1.0, 5.0], [1.0, 5.0]]], "float32")))[0, :, 0].tolist()
    [-1.0, 15.0]
    """

    def __init__(self, horizon, delay=1, **kwargs):
        super().__init__(**kwargs)
        self.horizon, self.delay = int(horizon), int(delay)
        self.trainable = False

    def build(self, input_shape):
        order = int(input_shape[-1])
        self.threshold = self.add_weight(shape=(), initializer="zeros", trainable=False, name="threshold")
        self.kernel = self.add_weight(shape=(2, order, self.horizon), initializer="zeros", trainable=False,
                                      name="kernel")
        self.bias = self.add_weight(shape=(2, self.horizon), initializer="zeros", trainable=False, name="bias")

    def call(self, lags):
        low = ops.cast(lags[..., self.delay - 1:self.delay] <= self.threshold, lags.dtype)
        low_part = ops.matmul(lags, self.kernel[0]) + self.bias[0]
        high_part = ops.matmul(lags, self.kernel[1]) + self.bias[1]
        return low * low_part + (1.0 - low) * high_part

    def set_parameters(self, threshold, kernel, bias):
        """Sets ``threshold`` (float), ``kernel`` ``(2, p, H)`` and ``bias`` ``(2, H)`` (low regime first)."""
        self.threshold.assign(float(threshold))
        self.kernel.assign(np.asarray(kernel, dtype="float32"))
        self.bias.assign(np.asarray(bias, dtype="float32"))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.horizon)

    def get_config(self):
        return {**super().get_config(), "horizon": self.horizon, "delay": self.delay}


def fit_threshold_ar(lags, y, delay=1, ridge=1e-3, orders=None):
    """Least-squares two-regime direct threshold AR over the candidate thresholds.

    Args:
        lags: ``(m, T, p)`` lag windows of the scaled level. y: ``(m, T, H, 2)`` targets and validity.
        delay: ``d``, the lag (1..p) whose value picks the regime. ridge: as in :func:`fit_direct_ar`.
        orders: ``(p1, p2)``, each at most ``p``: the low regime reads the first ``p1`` lags, the high one the
            first ``p2`` (Tong's SETAR(2; p1, p2)); the other kernel rows are 0. Default: ``p`` in both.

    Returns:
        ``(threshold, kernel (2, p, H), bias (2, H), sse)``: the threshold with the smallest one-step
        residual sum of squares (``sse``) over the training targets, and both regimes' parameters.
    """
    lags = np.asarray(lags, dtype=float)
    y = np.asarray(y, dtype=float)
    flat_lags, flat_y = lags.reshape(-1, lags.shape[-1]), y.reshape(-1, *y.shape[-2:])
    orders = (lags.shape[-1],) * 2 if orders is None else tuple(int(p) for p in orders)
    valid = flat_y[:, 0, 1] > 0
    column = flat_lags[valid, delay - 1]
    best = None
    for threshold in np.unique(np.quantile(column, THRESHOLD_QUANTILES)):
        low = flat_lags[:, delay - 1] <= threshold
        kernels, biases, sse = [], [], 0.0
        for regime, order in zip((low, ~low), orders):
            own = flat_lags[regime][:, :order]
            kernel, bias = fit_direct_ar(own[None], flat_y[regime][None], ridge)
            use = regime & valid
            residual = flat_y[use, 0, 0] - (flat_lags[use, :order] @ kernel[:, 0] + bias[0])
            kernel = np.pad(kernel, ((0, lags.shape[-1] - order), (0, 0)))
            kernels.append(kernel)
            biases.append(bias)
            sse += float(residual @ residual)
        if best is None or sse < best[3]:
            best = (float(threshold), np.stack(kernels), np.stack(biases), sse)
    return best


def select_threshold_ar(lags, y, max_delay=1, ridge=1e-3):
    """Tong's AIC choice of a threshold AR's orders and delay: ``(p1, p2, d)``.

    Every ``p1, p2`` in ``1..p`` and ``d`` in ``1..max_delay`` (at most ``p``) is fitted to the one-step
    targets on the same steps (those whose ``p`` lags are all real: step ``p - 1`` on), its threshold the
    candidate (:data:`THRESHOLD_QUANTILES` of the delay column) with the smallest total residual sum of
    squares; the choice minimises ``sum_j n_j log(RSS_j / n_j) + 2 (p_j + 1)`` over the two regimes
    (Tong 1990, who chose SETAR(2; 7, 2) for the lynx this way). A regime needs at least two steps per
    parameter, ``n_j >= 2 (p_j + 1)``.

    Args:
        lags: ``(m, T, p)`` lag windows (:class:`CentredLags`). y: ``(m, T, H, 2)`` targets and validity.
        max_delay: the largest delay tried. ridge: as in :func:`fit_direct_ar`.

    Returns:
        ``(p1, p2, d)`` for :func:`fit_threshold_ar` (``orders=(p1, p2)``, ``delay=d``).
    """
    lags, y = np.asarray(lags, dtype=float), np.asarray(y, dtype=float)
    order = lags.shape[-1]
    use = (y[..., 0, 1] > 0) & (np.arange(lags.shape[1]) >= order - 1)[None]
    x, target = lags[use], y[use][:, 0, 0]
    best = (np.inf, (order, order, 1))
    for delay in range(1, min(max_delay, order) + 1):
        rss = np.full((len(THRESHOLD_QUANTILES), 2, order), np.inf)
        counts = np.zeros((len(THRESHOLD_QUANTILES), 2))
        for i, threshold in enumerate(np.unique(np.quantile(x[:, delay - 1], THRESHOLD_QUANTILES))):
            low = x[:, delay - 1] <= threshold
            for j, regime in enumerate((low, ~low)):
                counts[i, j] = regime.sum()
                for p in range(1, order + 1):
                    if counts[i, j] >= 2 * (p + 1):
                        rss[i, j, p - 1] = _residual_sum(x[regime, :p], target[regime], ridge)
        total = rss[:, 0, :, None] + rss[:, 1, None, :]  # (threshold, p1, p2)
        for p1 in range(1, order + 1):
            for p2 in range(1, order + 1):
                i = int(np.argmin(total[:, p1 - 1, p2 - 1]))
                if not np.isfinite(total[i, p1 - 1, p2 - 1]):
                    continue
                regimes = zip(counts[i], (rss[i, 0, p1 - 1], rss[i, 1, p2 - 1]), (p1, p2))
                aic = sum(n * np.log(max(r, 1e-300) / n) + 2 * (p + 1) for n, r, p in regimes)
                if aic < best[0]:
                    best = (aic, (p1, p2, delay))
    return best[1]


def _residual_sum(lags, target, ridge):
    """Residual sum of squares of ``target ~ c + lags @ phi`` by ridge least squares (``ridge`` on ``phi``)."""
    design = np.column_stack([np.ones(len(target)), lags])
    penalty = ridge * len(target) * np.diag([0.0] + [1.0] * lags.shape[1])
    beta = np.linalg.solve(design.T @ design + penalty, design.T @ target)
    residual = target - design @ beta
    return float(residual @ residual)


def fit_direct_ar(lags, y, ridge=1e-3):
    """Least-squares direct AR: per horizon, ``(z_{t+h} - z_t)/s ~ c_h + lags @ phi_h`` over valid targets.

    Args:
        lags: ``(m, T, p)`` lag windows (:class:`LagWindow` of the scaled level). y: ``(m, T, H, 2)`` targets
            and validity (:func:`targets`). ridge: a small ridge penalty on ``phi`` for stability.

    Returns:
        ``(kernel (p, H), bias (H,))`` for the ``"ar"`` layer.
    """
    lags = np.asarray(lags, dtype=float).reshape(-1, lags.shape[-1])
    y = np.asarray(y, dtype=float).reshape(-1, *y.shape[-2:])
    p, horizon = lags.shape[1], y.shape[1]
    kernel, bias = np.zeros((p, horizon)), np.zeros(horizon)
    for h in range(horizon):
        use = y[:, h, 1] > 0
        if use.sum() <= p + 1:
            continue
        design = np.column_stack([np.ones(use.sum()), lags[use]])
        penalty = ridge * use.sum() * np.diag([0.0] + [1.0] * p)
        beta = np.linalg.solve(design.T @ design + penalty, design.T @ y[use, h, 0])
        bias[h], kernel[:, h] = beta[0], beta[1:]
    return kernel.astype("float32"), bias.astype("float32")
