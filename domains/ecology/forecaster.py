"""GatedForecaster: a GatedLSTM on log abundance with a Gaussian head, behind the baselines' interface.

``fit(z, covariates)`` trains on one series, ``fit_many([(z, covariates), ...])`` trains one global network
on many; ``predict(horizon, history, covariates)`` gives a :class:`GaussianForecast` for ``1..horizon`` after
the end of ``history`` with the parameters fixed. See :mod:`domains.ecology.model` for the inputs, the direct
multi-horizon head, the optional frozen AR(p) base and the calibration layer.

Fitting, in order:

1. ``validation = v > 0`` holds out the targets in the last ``v`` steps of every training series
   (:func:`domains.ecology.train.split_targets`);
2. with ``ar_order = p > 0`` a direct AR(p) on the levels measured from the series' mean
   (:class:`domains.ecology.bases.CentredLags`) is fitted by least squares on the targets before the held-out
   steps and frozen in each member's ``"ar"`` layer, so the LSTM learns the residual (Zhang's hybrid,
   jointly); with ``threshold_delay = d > 0`` it is a two-regime threshold AR(p) (SETAR) whose threshold
   minimises the one-step residual sum of squares (:mod:`domains.ecology.bases`); each regime reads the first
   ``p`` lags, or its own number of them (``regime_orders``), fixed or, with ``"aic"``, chosen with the delay
   by AIC on these same targets in every fit;
3. ``ensemble`` members are trained from different seeds (AdamW with ``weight_decay``, L2 ``l2`` on the
   head), each stopped early on the held-out targets; their Gaussians are mixed (moment-matched);
4. the mixture is calibrated on the held-out targets: per horizon, the mean change is shrunk (by least
   squares, or with ``shrink="relative"`` by the geometric mean over series of the absolute error relative to
   the shrink target) towards persistence, or with a base towards the base: ``base + alpha (mean - base)``,
   a residual weight, so an LSTM whose correction does not help out of sample falls back to the base
   (``alpha = 0``; ``residual="none"`` fixes it at 0); then the spread is rescaled so that the central
   ``coverage`` interval holds that share of them (:func:`domains.ecology.model.calibration_factors`; a
   split-conformal scale). The held-out targets are never trained on, neither by the network nor by the
   base, so the calibration sees honest out-of-sample errors;
5. with ``select_covariates`` (the global settings) and covariates, steps 3 and 4 are done twice, with the
   covariates and without them (the members read the constant, level and change only), and the one with the
   lower calibrated held-out error relative to persistence is kept: on one short series a network can fit
   its covariates' noise (Isle Royale moose alone, two winter-climate covariates: rolling-origin relative MASE
   1.072 with them, 0.770 without), while where they carry signal the held-out steps say so;
6. with a base, it is then fitted again on all the training targets (as the AR baseline is: on lynx
   1821-1900, losing the last 15 years cost AR(12) a quarter more one-step error), in the members and in the
   calibration's copy alike; the LSTM residual and the calibration factors stay.
"""

import contextlib
from pathlib import Path

import keras
import numpy as np

from domains.ecology.distributions import GaussianForecast
from domains.ecology.bases import CentredLags, ThresholdAR, fit_direct_ar, fit_threshold_ar, select_threshold_ar
from domains.ecology.checks import check_covariates, check_horizon, check_series, check_whole
from domains.ecology.model import (Calibration, LeadingFeatures, Mixture, build_network, calibration_factors, features,
                                   relative_error, scaling)
from domains.ecology.train import fit_network, split_targets, training_arrays
from shared.atomic import atomic_path
from shared.cli import InputError
from shared.layers import gate_activations
from shared.model_copies import inference_copy
from shared.safe_load import load_model

#: Settings for one series (``forecast``, ``train --series``, the Zhang 2003 protocol), chosen by rolling
#: origin inside lynx 1821-1920 only. First selection (fit to 1878 / 1892 / 1906, one-step forecasts of the
#: next 14 years each, log10, mean MSE): bases alone, every AR(p), p = 1..12, and threshold AR(p) with delay
#: d = 1..min(p, 4): threshold-AR(2), d = 1, 0.051 (next: d = 2 0.057, linear AR(11) 0.063, AR(2) 0.069); on
#: the features' expanding-mean level instead 0.056, hence :class:`~domains.ecology.bases.CentredLags`; with the
#: LSTM residual weighted by the held-out years 0.052. Scored on 1921-1934 with that residual: MSE 0.0160.
#: Second selection (``benchmarks/ecology_backtest.py --case lynx-inner``; protocol and candidates fixed before
#: any was scored): refit at 1890, 1895, ..., 1915, one-step forecasts of the next 5 years each (1891-1920),
#: MSE (network candidates: mean over seeds 0-2): threshold-AR(2,2) d = 1 with the residual weight 0 0.0588,
#: with the LSTM residual weighted by the held-out years (the first selection's model) 0.0609, threshold-AR(7,2)
#: d = 2 (Tong's lynx structure) 0.0821 / with the residual 0.0839, orders and delay by AIC in every fit 0.1026 /
#: 0.1029. Hence ``residual="none"``: the base gives the mean, the network (8 units, stopped early on the last
#: 15 years) the spread. One member.
PER_SERIES = dict(units=8, ar_order=2, threshold_delay=1, validation=15, l2=1e-3, weight_decay=1e-3, epochs=300,
                  patience=30, ensemble=1, residual="none")
#: Settings for a global model over many series (``train --global``, the rolling-origin protocol): three
#: members, a fixed 40 epochs, the last 10 steps of each series only calibrate (no early stopping, so the
#: calibration errors are not also the ones that picked the model). Compared on the GPDD benchmark itself
#: (three settings, so not independent of its figures; relative MASE, 80 % coverage): one member stopped
#: early (patience 8) 0.991, 0.73; one member, 40 epochs 0.976, 0.76; three members 0.956, 0.75. The shrink
#: towards persistence is fitted on the held-out steps by the relative criterion the benchmark scores
#: (``shrink="relative"``) rather than by least squares (decided before any run of it, not on the benchmark;
#: its one run: relative MASE 0.948, 80 % coverage 0.752). ``min_steps``: at least 640 optimizer steps per
#: member, what 40 epochs give the 483 GPDD series (16 batches of 32 an epoch; there the floor never acts);
#: on a few series each epoch goes through them several times instead of being one step
#: (:func:`domains.ecology.train.repeats_for`). Chosen among 0, 160, 320 and 640 by a rule fixed before
#: scoring (rolling origin, seed 0; lowest geometric mean of the relative MASE over three development sets
#: with covariates: a simulated covariate-driven panel of 6 series, Isle Royale wolves and moose with snow
#: depth, thrips with temperature and rain; none of them GPDD): 0.870, 0.741, 0.679, 0.658 (per set at 640:
#: 0.787, 0.854, 0.424; at 0: 0.846, 0.936, 0.833). ``select_covariates``: a file's covariates are read only
#: when the members trained with them beat those trained without on the held-out steps. Adopted by a rule fixed
#: before scoring (rolling origin, seeds 0 and 1, 13 development cases, none GPDD: Isle Royale wolves and moose
#: with climate covariates, alone and together; thrips with weather; each Veilleux species with the other as
#: covariate; a simulated covariate-driven series; three series with a pure-noise column): geometric mean of
#: the relative MASE 0.706 -> 0.663; Isle Royale moose alone with January-February temperature and the NAO
#: 1.009 -> 0.748, thrips with weather 0.420 either way (kept), the worst case (Veilleux paramecium with noise)
#: 0.634 -> 0.681. With covariates it trains twice (one-series rolling evaluate 51 s -> 100 s); without, nothing
#: changes.
GLOBAL = dict(units=32, epochs=40, batch_size=32, validation=10, patience=0, weight_decay=1e-4, ensemble=3,
              shrink="relative", min_steps=640, select_covariates=True)



#: The settings of :class:`GatedForecaster` that are counts, and the least each may be (a ``ValueError`` otherwise).
WHOLE_SETTINGS = {"units": 1, "head_units": 1, "epochs": 1, "batch_size": 1, "ensemble": 1, "patience": 0,
                  "validation": 0, "ar_order": 0, "threshold_delay": 0, "min_steps": 0, "verbose": 0}


class GatedForecaster:
    """Probabilistic forecaster of log abundance with gated memory.

    Args:
        horizon: the largest horizon ``H`` the head predicts (default 10).
        units: GatedLSTM units. head_units: dense head width. forget_bias: initial forget-gate bias.
        epochs, batch_size, learning_rate: training (see :func:`domains.ecology.train.fit_network`).
        min_steps: the fewest optimizer steps per member: on a set of few series each epoch goes through
            them several times to reach them (:func:`domains.ecology.train.repeats_for`; 0: once).
        dropout: LSTM input dropout. ensemble: networks mixed. seed: reproducibility seed (:meth:`fit` seeds
            the global random generators with it).
        verbose: Keras progress bar (1) or silence (0).
        ar_order: ``p`` of the frozen direct AR(p) base (0: persistence base); at most one eighth of the
            longest training series (so a 30-value series gets at most an AR(3)).
        validation: steps held out at the end of each training series for early stopping and calibration
            (0: neither; train all epochs, no calibration).
        weight_decay: AdamW's decoupled weight decay. l2: L2 penalty on the head's kernels.
        patience: early-stopping patience in epochs (0: train all ``epochs``; the held-out targets then
            only calibrate, free of the selection of the stopping epoch).
        threshold_delay: ``d > 0``: the frozen base is a two-regime threshold AR(p) (SETAR) with the regime
            picked by the level ``d - 1`` steps back, threshold by least squares (capped at ``p``); 0: linear.
        shrink: how the calibration shrinks the mean change towards persistence (with a base: the LSTM's
            residual towards the base) on the held-out targets:
            ``"squared"`` (least squares) or ``"relative"`` (the geometric mean over series of the absolute
            error relative to persistence, as the rolling-origin relative MASE scores it).
        coverage: the central interval that the calibrated spread makes hold this share of the held-out
            targets (split-conformal; intervals of other levels follow from the Gaussian).
        regime_orders: with a threshold base, the lags each regime reads: ``None`` (``p`` in both),
            ``(p1, p2)`` (each capped at ``p``; Tong's SETAR(2; p1, p2)), or ``"aic"``: ``p1, p2 <= p`` and the
            delay ``<= threshold_delay`` chosen by AIC on the fitted targets in every fit
            (:func:`domains.ecology.bases.select_threshold_ar`).
        residual: ``"weighted"``: the LSTM's residual on the base's mean change is weighted per horizon by the
            held-out errors (the calibration's ``alpha``); ``"none"``: the weight is 0, the mean is the base's
            and the network gives the spread only.
        select_covariates: with covariates and held-out targets, also train the members without the covariates
            and keep them out (the network still takes the columns, and drops them) when that gives the lower
            held-out error (:func:`domains.ecology.model.relative_error` of the calibrated mean change); the
            errors with and without are in ``covariate_errors_`` and the choice in ``reads_covariates_``.

    Raises:
        ValueError: a count of :data:`WHOLE_SETTINGS` that is not an integer at least its least (``epochs=0``
            would score an untrained network), an unknown ``shrink`` or ``residual``.
    """

    def __init__(self, horizon=10, units=32, head_units=32, forget_bias=1.0, epochs=300, batch_size=32,
                 learning_rate=3e-3, dropout=0.0, ensemble=1, seed=0, verbose=0, ar_order=0, validation=0,
                 weight_decay=0.0, l2=0.0, patience=30, threshold_delay=0, shrink="squared", coverage=0.8,
                 regime_orders=None, residual="weighted", min_steps=0, select_covariates=False):
        self.horizon, self.units, self.head_units, self.forget_bias = horizon, units, head_units, forget_bias
        self.epochs, self.batch_size, self.learning_rate = epochs, batch_size, learning_rate
        self.dropout, self.ensemble, self.seed, self.verbose = dropout, ensemble, seed, verbose
        self.ar_order, self.validation, self.weight_decay, self.l2 = ar_order, validation, weight_decay, l2
        self.patience, self.threshold_delay = patience, threshold_delay
        if shrink not in ("squared", "relative"):
            raise ValueError(f"shrink must be 'squared' or 'relative', not {shrink!r}")
        self.shrink, self.coverage = shrink, float(coverage)
        if residual not in ("weighted", "none"):
            raise ValueError(f"residual must be 'weighted' or 'none', not {residual!r}")
        self.regime_orders, self.residual, self.min_steps = regime_orders, residual, min_steps
        self.select_covariates = bool(select_covariates)
        for name, least in WHOLE_SETTINGS.items():
            check_whole(name, getattr(self, name), least)

    def fit(self, z, covariates=None, backup_dir=None, strategy=None):
        """Trains on one series ``z`` ``(n,)`` (log abundance, ``n >= 2``: at least one target) with optional
        ``covariates`` ``(n, k)``; both are checked (:mod:`domains.ecology.checks`) and copied. As
        :meth:`fit_many`, seeds Python's, NumPy's and the backend's global random generators with ``seed``, as
        ``keras.utils.set_random_seed`` does."""
        return self.fit_many([(z, covariates)], backup_dir=backup_dir, strategy=strategy)

    def fit_many(self, series, backup_dir=None, strategy=None):
        """Trains one network (per ensemble member) on ``[(z, covariates or None), ...]``; returns ``self``.

        Seeds Python's, NumPy's and the backend's global random generators with ``seed`` (member ``i``:
        ``seed + 1000 i``, the last member's left in place), as ``keras.utils.set_random_seed`` does.

        Args:
            series: the training series. backup_dir: a folder to resume an interrupted run from: each member
                trains with ``keras.callbacks.BackupAndRestore`` in ``member<i>/`` and leaves its finished
                weights in ``member<i>.weights.h5``, which a resumed run loads instead of training again.
            strategy: a ``tf.distribute`` strategy (e.g. ``MirroredStrategy``) to build and train the members in.

        Raises:
            ValueError: a series with fewer than 2 values or a non-finite value, covariates that do not fit their
                series, or series with different numbers of covariates.
            TypeError: ``series`` is not a list of ``(z, covariates or None)`` pairs (e.g. a list of bare
                arrays).

        Sets ``network_``, ``train_`` (the first series), ``reads_covariates_``, ``covariate_errors_`` and, when
        it calibrates (``validation > 0``), ``calibration_`` (``(alpha, k)``); a fit that does not calibrate
        removes a ``calibration_`` left by an earlier fit.
        """
        series = _pairs(series, 2, "series", "z")
        widths = [c.shape[1] for _, c in series]
        if len(set(widths)) > 1:
            i = next(i for i, k in enumerate(widths) if k != widths[0])
            raise ValueError(f"series[{i}] covariates: {widths[i]} columns, but series[0] has {widths[0]}")
        x, y = training_arrays(series, self.horizon)
        lengths = np.array([len(z) for z, _ in series])
        y_fit, y_held = split_targets(y, lengths, self.validation) if self.validation else (y, None)
        if y_held is not None and not y_held[..., 1].any():
            y_fit, y_held = y, None
        order = min(self.ar_order, max(1, int(lengths.max()) // 8))
        delay = min(self.threshold_delay, order)
        lags = keras.ops.convert_to_numpy(CentredLags(order)(x)) if order else None
        regimes = (order, order)
        if delay and self.regime_orders == "aic":
            *regimes, delay = select_threshold_ar(lags, y_fit, delay)
            order = max(*regimes, delay)
            lags = keras.ops.convert_to_numpy(CentredLags(order)(x))
        elif delay and self.regime_orders is not None:
            regimes = tuple(min(int(p), order) for p in self.regime_orders)
        self.base_structure_ = (*regimes, delay) if delay else (order,)

        def fit_base(targets):
            return fit_threshold_ar(lags, targets, delay, orders=regimes)[:3] if delay else fit_direct_ar(lags, targets)

        base = fit_base(y_fit) if order else None
        width = x.shape[-1]
        candidates = [width, 3] if self.select_covariates and y_held is not None and width > 3 else [width]
        fits = [self._ensemble(x, y, y_fit, y_held, n, order, delay, base, lags,
                               backup_dir if n == width or backup_dir is None else Path(backup_dir, "no_covariates"),
                               strategy)
                for n in candidates]
        self.covariate_errors_ = tuple(fit[-1] for fit in fits) if len(fits) > 1 else None
        best = 1 if len(fits) > 1 and fits[1][-1] < fits[0][-1] else 0
        self.network_, members, base_layer, factors, _ = fits[best]
        if factors is not None:
            self.calibration_ = factors
        else:
            vars(self).pop("calibration_", None)  # an earlier fit's factors do not describe this network
        self.reads_covariates_ = width > 3 and candidates[best] == width
        if order and y_held is not None:
            base = fit_base(y)
            for layer in [member.get_layer("ar") for member in members] + [base_layer]:
                _set_base(layer, base)
        self.train_ = series[0]
        return self

    def _ensemble(self, x, y, y_fit, y_held, n_features, order, delay, base, lags, backup_dir, strategy):
        """Trains the members on the first ``n_features`` features of ``x`` (all of them, or without the
        covariates) and calibrates their mixture on ``y_held``; returns ``(network, members, base layer or None,
        calibration factors or None, held-out relative error or None)``, the error being
        :func:`domains.ecology.model.relative_error` of the calibrated mean change."""
        members = []
        for member in range(self.ensemble):
            seed = self.seed + 1000 * member
            with strategy.scope() if strategy is not None else contextlib.nullcontext():
                network = build_network(n_features, self.horizon, self.units, self.head_units, self.forget_bias,
                                        self.dropout, seed=seed, name=f"member{member}", ar_order=order,
                                        l2=self.l2, threshold_delay=delay)
                if order:
                    _set_base(network.get_layer("ar"), base)
                finished = Path(backup_dir, f"member{member}.weights.h5") if backup_dir else None
                if finished is not None and finished.exists():
                    network.load_weights(finished)
                else:
                    inputs = x[..., :n_features]
                    fit_network(network, inputs, y_fit, self.epochs, self.batch_size, self.learning_rate, seed,
                                Path(backup_dir, f"member{member}") if backup_dir else None, self.verbose,
                                weight_decay=self.weight_decay,
                                validation=None if y_held is None else (inputs, y_held), patience=self.patience,
                                min_steps=self.min_steps)
                    if finished is not None:
                        network.save_weights(finished)
                members.append(inference_copy(network))  # nested uncompiled: see shared.model_copies
        inputs = keras.Input((None, x.shape[-1]), name="features")
        read = inputs if n_features == x.shape[-1] else LeadingFeatures(n_features, name="no_covariates")(inputs)
        outputs = [member(read) for member in members]
        mixed = Mixture(name="mixture")(outputs) if len(outputs) > 1 else outputs[0]
        calibration = Calibration(self.horizon, name="calibration")
        base_layer = None
        if order:
            base_layer = _base_layer(self.horizon, delay, order)
            base_layer.build((None, None, order))
            _set_base(base_layer, base)
            output = calibration([mixed, base_layer(CentredLags(order, name="lags")(inputs))])
        else:
            output = calibration(mixed)
        network = keras.Model(inputs, output, name="gated_ensemble")
        factors = error = None
        if y_held is not None:
            flat = lambda a: a.reshape(-1, self.horizon)  # noqa: E731
            pairs = keras.ops.convert_to_numpy(network(x, training=False)).reshape(*y.shape)
            offset = (keras.ops.convert_to_numpy(base_layer(lags)).reshape(*y.shape[:-1]) if order
                      else np.zeros(y.shape[:-1]))
            row_series = np.repeat(np.arange(len(x)), y.shape[1])
            groups = row_series if self.shrink == "relative" else None
            weight = 1.0 if self.residual == "weighted" else 0.0
            factors = calibration_factors(weight * flat(pairs[..., 0] - offset), flat(pairs[..., 1]),
                                          flat(y_held[..., 0] - offset), flat(y_held[..., 1]), groups, self.coverage)
            calibration.set_factors(*factors)
            mean = flat(keras.ops.convert_to_numpy(network(x, training=False)).reshape(*y.shape)[..., 0])
            held = flat(y_held[..., 1]) > 0
            series_of = np.broadcast_to(row_series[:, None], held.shape)
            error = float(relative_error(mean[held], flat(y_held[..., 0])[held], series_of[held])[0])
        elif self.residual == "none":
            calibration.set_factors(np.zeros(self.horizon), np.ones(self.horizon))
        return network, members, base_layer, factors, error

    def predict(self, horizon, history=None, covariates=None):
        """Forecast for ``1..horizon`` (at most ``H``) after the end of ``history`` ``(n,)`` with its
        ``covariates`` ``(n, k)`` (default: the training series; a forecaster from :meth:`load` has none, so it
        needs a ``history``)."""
        if history is None:
            if self.train_ is None:
                raise ValueError("no history given, and a forecaster loaded from a file keeps no training series:"
                                 " pass history= (and covariates= if it was trained with them)")
            history, covariates = self.train_
        return self.predict_many([(history, covariates)], horizon)[0]

    def predict_many(self, histories, horizon=None):
        """Forecasts after the end of each of ``[(z, covariates or None), ...]``, in one batched pass.

        Raises:
            ValueError: a horizon below 1 or above ``H``; an empty history or one with a non-finite value;
                covariates that do not fit their history or whose number of columns is not the trained one.
        """
        horizon = self.horizon if horizon is None else check_horizon(horizon)
        if horizon > self.horizon:
            raise ValueError(f"the network forecasts up to {self.horizon} steps ahead, not {horizon}")
        histories = _pairs(histories, 1, "histories", "history")
        expected = int(self.network_.inputs[0].shape[-1]) - 3
        for i, (_, c) in enumerate(histories):
            if c.shape[1] != expected:
                where = f"histories[{i}] " if len(histories) > 1 else ""
                raise ValueError(f"{where}covariates: {c.shape[1]} columns, but the model was trained with {expected}")
        stats = [scaling(z, c) for z, c in histories]
        inputs = [features(z, c, st) for (z, c), st in zip(histories, stats)]
        x = np.zeros((len(inputs), max(len(i) for i in inputs), inputs[0].shape[1]), dtype="float32")
        for i, rows in enumerate(inputs):
            x[i, :len(rows)] = rows
        out = keras.ops.convert_to_numpy(self.network_(x, training=False)).reshape(*x.shape[:2], -1, 2)
        forecasts = []
        for i, ((z, _), (_, s, _, _)) in enumerate(zip(histories, stats)):
            last = len(z) - 1
            forecasts.append(GaussianForecast(z[-1] + s * out[i, last, :horizon, 0], s * out[i, last, :horizon, 1]))
        return forecasts

    def cell_states(self, z, covariates=None, member=0):
        """The LSTM cell state ``c_t`` of one ensemble member over a series: ``(n, units)``."""
        ((z, covariates),) = _pairs([(z, covariates)], 1, "z", "z")
        x = features(z, covariates, scaling(z, covariates))[None]
        network = self.network_.get_layer(f"member{member}")
        x = x[..., :network.inputs[0].shape[-1]]  # a model that left its covariates out reads the first 3
        return keras.ops.convert_to_numpy(gate_activations(network.get_layer("lstm"), x)["cell"])[0]

    def save(self, path, force=False):
        """Writes the network(s) to a ``.keras`` file, atomically (refuses to overwrite without ``force``).

        The file holds the networks only, not the training series: a loaded forecaster predicts from a history.

        Raises:
            InputError: ``path`` does not end in ``.keras`` (the only format Keras saves a whole model in), or
                exists and ``force`` is False.
        """
        if not str(path).endswith(".keras"):
            raise InputError(f"{path}: a forecaster is saved as a .keras file; give a name ending in .keras")
        with atomic_path(str(path), force=force, override="force=True") as tmp:
            self.network_.save(tmp)

    @classmethod
    def load(cls, path):
        """A forecaster from a ``.keras`` file written by :meth:`save` (loaded with ``safe_mode=True``); it has
        no training series, so :meth:`predict` needs a ``history``.

        Raises:
            InputError: the file cannot be loaded, or holds another kind of model (no ensemble members and
                :class:`~domains.ecology.model.Calibration` layer, e.g. a churn or gene model).
        """
        network = load_model(path)
        members = [layer for layer in network.layers if layer.name.startswith("member")]
        if not members or not any(isinstance(layer, Calibration) for layer in network.layers):
            raise InputError(f"{path}: not a forecaster (no ensemble members and calibration); give a model "
                             "written by `python -m domains.ecology train`")
        forecaster = cls(horizon=int(network.outputs[0].shape[-1]) // 2, ensemble=len(members))
        forecaster.network_ = network
        forecaster.train_ = None
        forecaster.reads_covariates_ = network.inputs[0].shape[-1] > 3 and not any(
            layer.name == "no_covariates" for layer in network.layers)
        return forecaster


def _base_layer(horizon, delay, order):
    """The outer model's copy of the members' frozen base (its mean change is what the calibration shrinks
    the members' residual towards)."""
    if delay:
        return ThresholdAR(horizon, delay, name="base")
    layer = keras.layers.Dense(horizon, name="base")
    layer.trainable = False
    return layer


def _set_base(layer, parameters):
    """Puts a fitted base (``(threshold, kernel, bias)`` of a threshold AR or ``(kernel, bias)``) in ``layer``."""
    if isinstance(layer, ThresholdAR):
        layer.set_parameters(*parameters)
    else:
        layer.set_weights(list(parameters))


def _pairs(series, min_length, argument, name):
    """Checked copies of ``[(z, covariates or None), ...]`` as ``[(z (n,), covariates (n, k)), ...]``; the
    messages call one series ``name`` (``"z"``, ``"history"``) and one of several ``argument[i]``."""
    if not isinstance(series, (list, tuple)):
        raise TypeError(f"{argument}: expected a list of (z, covariates or None) pairs, got "
                        f"{type(series).__name__}")
    several = len(series) > 1
    checked = []
    for i, pair in enumerate(series):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise TypeError(f"{argument}[{i}]: expected a (z, covariates or None) pair, got {type(pair).__name__}"
                            + (f" of length {len(pair)}" if hasattr(pair, "__len__") else "")
                            + ": write [(z, None), ...] for series without covariates")
        z, covariates = pair
        label = f"{argument}[{i}]" if several else name
        z = check_series(z, min_length, label, "GatedForecaster")
        checked.append((z, check_covariates(covariates, len(z), f"{label} covariates" if several else "covariates")))
    return checked
