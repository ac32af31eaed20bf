"""GatedForecaster: a GatedLSTM on log abundance with a Gaussian head, behind the baselines' interface.

``fit(z, covariates)`` trains on one series, ``fit_many([(z, covariates), ...])`` trains one global network
on many; ``predict(horizon, history, covariates)`` gives a :class:`GaussianForecast` for ``1..horizon`` after
the end of ``history`` with the parameters fixed. ``ensemble > 1`` trains that many networks from different
seeds and averages their Gaussians (moment-matched mixture). See :mod:`domains.ecology.model` for the inputs
and the direct multi-horizon head.
"""

import keras
import numpy as np

from domains.ecology.distributions import GaussianForecast, mixture
from domains.ecology.model import MIN_SCALE, build_network, features, scaling
from domains.ecology.train import fit_network, training_arrays
from shared.atomic import atomic_path
from shared.layers import gate_activations


class GatedForecaster:
    """Probabilistic forecaster of log abundance with gated memory.

    Args:
        horizon: the largest horizon ``H`` the head predicts (default 10).
        units: GatedLSTM units. head_units: dense head width. forget_bias: initial forget-gate bias.
        epochs, batch_size, learning_rate: training (see :func:`domains.ecology.train.fit_network`).
        dropout: LSTM input dropout. ensemble: networks averaged. seed: reproducibility seed.
        verbose: Keras progress bar (1) or silence (0).
    """

    def __init__(self, horizon=10, units=32, head_units=32, forget_bias=1.0, epochs=300, batch_size=32,
                 learning_rate=3e-3, dropout=0.0, ensemble=1, seed=0, verbose=0):
        self.horizon, self.units, self.head_units, self.forget_bias = horizon, units, head_units, forget_bias
        self.epochs, self.batch_size, self.learning_rate = epochs, batch_size, learning_rate
        self.dropout, self.ensemble, self.seed, self.verbose = dropout, ensemble, seed, verbose

    def fit(self, z, covariates=None, backup_dir=None):
        """Trains on one series ``z`` ``(n,)`` (log abundance) with optional ``covariates`` ``(n, k)``."""
        return self.fit_many([(z, covariates)], backup_dir=backup_dir)

    def fit_many(self, series, backup_dir=None):
        """Trains one network (per ensemble member) on ``[(z, covariates or None), ...]``; returns ``self``."""
        series = [_pair(z, c) for z, c in series]
        x, y = training_arrays(series, self.horizon)
        members = []
        for member in range(self.ensemble):
            seed = self.seed + 1000 * member
            network = build_network(x.shape[-1], self.horizon, self.units, self.head_units, self.forget_bias,
                                    self.dropout, seed=seed, name=f"member{member}")
            backup = f"{backup_dir}/member{member}" if backup_dir else None
            fit_network(network, x, y, self.epochs, self.batch_size, self.learning_rate, seed, backup, self.verbose)
            members.append(network)
        inputs = keras.Input((None, x.shape[-1]), name="features")
        self.network_ = keras.Model(inputs, [member(inputs) for member in members], name="gated_ensemble")
        self.train_ = series[0]
        return self

    def predict(self, horizon, history=None, covariates=None):
        """Forecast for ``1..horizon`` (at most ``H``) after the end of ``history`` (default: the training series)."""
        history = self.train_ if history is None else _pair(history, covariates)
        return self.predict_many([history], horizon)[0]

    def predict_many(self, histories, horizon=None):
        """Forecasts after the end of each of ``[(z, covariates or None), ...]``, in one batched pass."""
        horizon = self.horizon if horizon is None else int(horizon)
        if horizon > self.horizon:
            raise ValueError(f"the network forecasts up to {self.horizon} steps ahead, not {horizon}")
        histories = [_pair(z, c) for z, c in histories]
        stats = [scaling(z, c) for z, c in histories]
        inputs = [features(z, c, st) for (z, c), st in zip(histories, stats)]
        x = np.zeros((len(inputs), max(len(i) for i in inputs), inputs[0].shape[1]), dtype="float32")
        for i, rows in enumerate(inputs):
            x[i, :len(rows)] = rows
        outputs = self.network_(x, training=False)
        outputs = [np.asarray(o).reshape(*x.shape[:2], -1, 2)
                   for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]
        forecasts = []
        for i, ((z, _), (_, s, _, _)) in enumerate(zip(histories, stats)):
            last = len(z) - 1
            members = [
                GaussianForecast(z[-1] + s * out[i, last, :horizon, 0],
                                 s * (np.logaddexp(0.0, out[i, last, :horizon, 1]) + MIN_SCALE))
                for out in outputs
            ]
            forecasts.append(members[0] if len(members) == 1 else mixture(members))
        return forecasts

    def cell_states(self, z, covariates=None, member=0):
        """The LSTM cell state ``c_t`` of one ensemble member over a series: ``(n, units)``."""
        z, covariates = _pair(z, covariates)
        x = features(z, covariates, scaling(z, covariates))[None]
        lstm = self.network_.layers[1 + member].get_layer("lstm")
        return np.asarray(gate_activations(lstm, x)["cell"])[0]

    def save(self, path, force=False):
        """Writes the network(s) to a ``.keras`` file, atomically (refuses to overwrite without ``force``)."""
        with atomic_path(str(path), force=force) as tmp:
            self.network_.save(tmp)

    @classmethod
    def load(cls, path):
        """A forecaster from a ``.keras`` file written by :meth:`save` (loaded with ``safe_mode=True``)."""
        network = keras.saving.load_model(str(path), safe_mode=True, compile=False)
        forecaster = cls(horizon=int(network.outputs[0].shape[-1]) // 2, ensemble=len(network.outputs))
        forecaster.network_ = network
        forecaster.train_ = None
        return forecaster


def _pair(z, covariates):
    z = np.asarray(z, dtype=float)
    covariates = np.zeros((len(z), 0)) if covariates is None else np.asarray(covariates, dtype=float).reshape(len(z), -1)
    return z, covariates
