"""The frozen bases of the GatedForecaster: the lag window and direct autoregressions fitted by least squares.

- :class:`LagWindow` (:class:`CentredLags`: the last ``p`` scaled levels measured from the series' mean, the
  bases' inputs) and :func:`fit_direct_ar`: a linear direct AR(p) of the scaled change
  ``(z_{t+h} - z_t) / s`` on the last ``p`` scaled levels, one regression per horizon.
- :class:`ThresholdAR` and :func:`fit_threshold_ar`: a two-regime threshold autoregression (SETAR, Tong
  1978). Cycles such as the lynx' rise slowly and crash fast, which one linear autoregression averages away
  and a self-exciting threshold model captures: the regime is chosen by a lagged level (the *delay* ``d``)
  against a threshold ``r``, and each regime has its own direct AR.

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


def fit_threshold_ar(lags, y, delay=1, ridge=1e-3):
    """Least-squares two-regime direct threshold AR over the candidate thresholds.

    Args:
        lags: ``(m, T, p)`` lag windows of the scaled level. y: ``(m, T, H, 2)`` targets and validity.
        delay: ``d``, the lag (1..p) whose value picks the regime. ridge: as in :func:`fit_direct_ar`.

    Returns:
        ``(threshold, kernel (2, p, H), bias (2, H), sse)``: the threshold with the smallest one-step
        residual sum of squares (``sse``) over the training targets, and both regimes' parameters.
    """
    lags = np.asarray(lags, dtype=float)
    y = np.asarray(y, dtype=float)
    flat_lags, flat_y = lags.reshape(-1, lags.shape[-1]), y.reshape(-1, *y.shape[-2:])
    valid = flat_y[:, 0, 1] > 0
    column = flat_lags[valid, delay - 1]
    best = None
    for threshold in np.unique(np.quantile(column, THRESHOLD_QUANTILES)):
        low = flat_lags[:, delay - 1] <= threshold
        kernels, biases, sse = [], [], 0.0
        for regime in (low, ~low):
            kernel, bias = fit_direct_ar(flat_lags[regime][None], flat_y[regime][None], ridge)
            use = regime & valid
            residual = flat_y[use, 0, 0] - (flat_lags[use] @ kernel[:, 0] + bias[0])
            kernels.append(kernel)
            biases.append(bias)
            sse += float(residual @ residual)
        if best is None or sse < best[3]:
            best = (float(threshold), np.stack(kernels), np.stack(biases), sse)
    return best


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
