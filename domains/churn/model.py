"""The recurrent discrete-time survival model: a GatedLSTM over weekly histories -> hazards of K periods.

Time after the landmark is cut into ``K`` intervals of ``width`` (7 days on CDNOW: 39 weeks for the 273-day
follow-up). The network outputs one logit per interval; ``h_k = sigmoid(logit_k)`` is the probability of the
event in interval ``k`` given none before, ``S(k) = prod_{j<=k} (1 - h_j)``.

Why the logistic-hazard (nnet-survival, Gensheimer & Narasimhan 2019) likelihood and not a Weibull head
(WTTE-RNN, Martinsson 2016): the censored likelihood of a discrete-time hazard model is a sum of binary
cross-entropies over the intervals each customer was at risk, so it is exact under censoring, numerically
tame (logits, no ``exp`` of a shape parameter) and puts no shape on the curve. CDNOW's next-purchase curve is
not Weibull-shaped (a burst of repeat buying, then a long flat tail of customers who never return), and the
simulator's hazards have renewal spikes at customer-specific weeks, which a two-parameter Weibull cannot
express but free per-interval hazards can. The cost, a fixed grid, is no cost here: the follow-up is a
fixed 273 days and the data are weekly.

Static covariates (standardised inside the model) join the head beside the last hidden state; a model with
no sequence input (a static table such as Telco) skips the recurrent part.

Built with named layers so that :func:`explain` can replay the head over every step of a history.
:func:`ensemble` joins several networks trained with different seeds into one model that averages their
survival curves (:func:`explain` replays each member and averages their curves likewise).
"""

import numpy as np
import pandas as pd
import keras
from keras import ops

from shared.cli import InputError
from shared.layers import GatedLSTM
from shared.model_copies import inference_copy

LSTM_NAME = "history_lstm"
FUTURE_UNITS = 8  # hidden units of the shared map of the known-future covariates


@keras.saving.register_keras_serializable(package="churn")
def logistic_hazard_loss(y_true, logits):
    """Censored logistic-hazard negative log-likelihood per customer.

    Args:
        y_true: ``(batch, 2K)``: ``[at_risk (K), event (K)]`` from :func:`interval_targets`.
        logits: ``(batch, K)`` hazard logits.

    Returns:
        ``(batch,)``: ``-sum_k at_risk_k [e_k log h_k + (1 - e_k) log(1 - h_k)]``.
    """
    k = ops.shape(logits)[-1]
    at_risk, event = y_true[:, :k], y_true[:, k:]
    # binary cross-entropy from logits, written out so it is stable for any logit
    bce = ops.maximum(logits, 0.0) - logits * event + ops.log1p(ops.exp(-ops.abs(logits)))
    return ops.sum(at_risk * bce, axis=-1)


def interval_targets(duration, event, width, intervals):
    """Encodes durations and events for :func:`logistic_hazard_loss`.

    A customer with an event at time ``t`` was at risk in intervals ``0 .. k`` with ``k = ceil(t / width) - 1``
    and has the event in ``k``; one censored at ``t`` counts as surviving the intervals it saw at least half of
    (nnet-survival's convention), all ``K`` when censored at the horizon.

    Args:
        duration: ``(n,)`` finite times ``>= 0`` after the landmark (same unit as ``width``; an event at 0
            counts in interval 0, as one at any time in ``(0, width]``).
        event: ``(n,)`` 0/1 (or bool). width: interval length. intervals: ``K``.

    Returns:
        float32 ``(n, 2K)``.

    Raises:
        ValueError: durations and events of different shapes or not 1-D, a non-finite or negative duration, an
            event that is not 0/1; the message names the first such customer's position and the count.
    """
    duration, event = check_outcome(duration, event)
    grid = np.arange(intervals)
    k_event = np.clip(np.ceil(duration / width).astype(int) - 1, 0, intervals - 1)
    survived = np.floor(duration / width + 0.5).astype(int)  # censored: intervals seen at least half of
    at_risk = np.where(event[:, None] == 1, grid[None, :] <= k_event[:, None], grid[None, :] < survived[:, None])
    events = (event[:, None] == 1) & (grid[None, :] == k_event[:, None])
    return np.concatenate([at_risk, events], axis=1).astype("float32")


def check_outcome(duration, event):
    """``(duration float (n,), event int (n,))`` after the checks of :func:`interval_targets` (ValueError)."""
    duration = np.asarray(duration, float)
    flags = np.asarray(event)
    if duration.ndim != 1 or flags.shape != duration.shape:
        raise ValueError(f"duration and event must both be 1-D of one length; got shapes {duration.shape} and {flags.shape}")
    for bad, what, values in ((~np.isfinite(duration) | (duration < 0), "not a finite duration >= 0", duration),
                              (~np.isin(flags, (0, 1)), "not an event flag 0/1", flags)):
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise ValueError(f"customer at position {first}: {values[first].item()!r} is {what} "
                             f"({int(bad.sum())} such customers)")
    return duration, flags.astype(int)


def build_model(intervals, weeks=None, n_features=None, n_static=0, static_mean=None, static_var=None,
                units=32, hidden=32, dropout=0.2, l2=1e-4, learning_rate=2e-3, linear_static=False, n_future=0,
                seed=0, static_columns=None):
    """A compiled survival network: ``[history (batch, weeks, n_features)] [+ future (batch, K, n_future)]
    [+ static (batch, n_static)] -> logits (batch, K)``.

    Args:
        intervals: K, the number of future periods.
        weeks, n_features: shape of the weekly history; ``None`` for a static-only model.
        n_static: number of static covariates (0: none); ``static_mean``/``static_var`` ``(n_static,)``
            standardise them inside the model.
        units: GatedLSTM units (chrono forget bias over ``weeks`` steps). hidden: units of the head.
        dropout, l2: head regularisation. learning_rate: Adam's. seed: weight initialisation.
        linear_static: also add a linear map of the standardised static covariates to the logits (a
            proportional-odds path beside the non-linear head, as CoxPH's linear predictor).
        n_future: known-future covariates per period (0: none), e.g. whether period ``k`` is a contract
            renewal as far as the history tells; a small Dense shared by all periods maps period ``k``'s
            covariates to a term added to logit ``k``, so ``logit_k = f_k(history, static) + g(future_k)``.
        static_columns: the static covariates' names (``n_static`` of them), kept in the model (its
            :class:`StaticNormalization` layer) so that a saved file keeps them (:func:`static_columns`); None:
            no names (the layer is a plain ``Normalization``, as in files written before names were kept).

    Inputs are a list ``[history, future, static]`` with the parts present, in that order (``[static]`` for a
    static table); a history week whose features are all zero is masked (weeks before the customer's first
    event).
    """
    if weeks is None and not n_static:
        raise ValueError("the model needs a history (weeks, n_features), static covariates, or both")
    initializer = keras.initializers.GlorotUniform(seed=seed)
    regularizer = keras.regularizers.L2(l2)
    inputs, parts = [], []
    if weeks is not None:
        history = keras.Input((weeks, n_features), name="history")
        masked = keras.layers.Masking(0.0, name="mask")(history)
        lstm = GatedLSTM(units, forget_bias="chrono", chrono_max_steps=max(weeks, 3), name=LSTM_NAME,
                         kernel_initializer=initializer,
                         recurrent_initializer=keras.initializers.Orthogonal(seed=seed))
        inputs.append(history)
        parts.append(lstm(masked))
    if n_future:
        future = keras.Input((intervals, n_future), name="future")
        inputs.append(future)
    if n_static:
        static = keras.Input((n_static,), name="static")
        mean = np.zeros(n_static) if static_mean is None else static_mean
        var = np.ones(n_static) if static_var is None else static_var
        inputs.append(static)
        if static_columns is None:
            norm = keras.layers.Normalization(mean=mean, variance=var, name="static_norm")
        else:
            norm = StaticNormalization(static_columns, mean=mean, variance=var, name="static_norm")
        static_norm = norm(static)
        parts.append(static_norm)
    joined = parts[0] if len(parts) == 1 else keras.layers.Concatenate(name="join")(parts)
    x = keras.layers.Dense(hidden, activation="relu", kernel_initializer=initializer,
                           kernel_regularizer=regularizer, name="head_hidden")(joined)
    x = keras.layers.Dropout(dropout, seed=seed, name="head_dropout")(x)
    logits = keras.layers.Dense(intervals, kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 1),
                                kernel_regularizer=regularizer, name="hazard_logits")(x)
    if n_static and linear_static:
        linear = keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros", kernel_regularizer=regularizer,
                                    name="static_linear")(static_norm)
        logits = keras.layers.Add(name="hazard_logits_total")([logits, linear])
    if n_future:
        logits = keras.layers.Add(name="hazard_logits_future")([logits, _future_term(future, intervals, seed)])
    model = keras.Model(inputs, logits, name="churn_survival")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=logistic_hazard_loss)
    return model


def _future_term(future, intervals, seed):
    """``(batch, K)``: the shared map ``g`` of each period's known-future covariates ``(batch, K, n_future)``."""
    x = keras.layers.Dense(FUTURE_UNITS, activation="relu", name="future_hidden",
                           kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 2))(future)
    x = keras.layers.Dense(1, kernel_initializer="zeros", name="future_logit")(x)
    return keras.layers.Reshape((intervals,), name="future_term")(x)


@keras.saving.register_keras_serializable(package="churn")
class StaticNormalization(keras.layers.Normalization):
    """``keras.layers.Normalization`` of the static covariates that also holds their names, in its config.

    A model trained on a DataFrame of covariates keeps its column names here, so that they are saved in the
    ``.keras`` file with the model and a loaded model still selects a DataFrame's columns by name
    (:func:`static_columns`, ``domains.churn.train.predict_survival``). Computes exactly what ``Normalization``
    computes; a file written before (a plain ``Normalization`` named ``static_norm``) loads as it was, without
    names.

    Args:
        static_columns: the covariates' names, in the order of the model's static input: text or whole
            numbers (what a JSON config holds).
        **kwargs: ``Normalization``'s (``mean``, ``variance``, ``name``, ...).
    """

    def __init__(self, static_columns, **kwargs):
        super().__init__(**kwargs)
        self.static_columns = tuple(static_columns)

    def get_config(self):
        return {**super().get_config(), "static_columns": list(self.static_columns)}


def static_columns(model):
    """The names of the static covariates ``model`` was trained on, as a tuple, or None: those
    ``domains.churn.train.fit_survival`` keeps on it (its ``static_columns`` attribute, even names a file cannot
    hold), else those kept by its :class:`StaticNormalization` layer (an ensemble's: its first member's), so a
    model loaded from a file has them too. None for a model without static input, one trained on an array, or one
    saved before the names were kept in the model."""
    names = getattr(model, "static_columns", None)
    if names:
        return tuple(names)
    for net in members(model):
        if any(layer.name == "static_norm" for layer in net.layers):
            names = getattr(net.get_layer("static_norm"), "static_columns", None)
            return None if names is None else tuple(names)
    return None


def select_static(frame, columns):
    """The static covariates ``columns`` (the names a model was trained on, in the order of its static input) of a
    DataFrame ``frame``, selected by name, so that its column order does not matter (other columns are ignored).

    Raises:
        InputError: a column of ``columns`` is not in ``frame``; the message names it and the trained columns.
    """
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InputError(f"static input: column(s) {', '.join(map(repr, missing))} missing; the model was trained on "
                         f"{', '.join(map(repr, columns))} (selected by name)")
    return frame[list(columns)]


def storable_columns(columns):
    """``columns`` (a DataFrame's column names) as names :class:`StaticNormalization` can save (text, whole
    numbers: numpy scalars as Python ones), or None when one is neither (a tuple of a MultiIndex, a date, ...)."""
    if columns is None:
        return None
    names = tuple(name.item() if isinstance(name, np.generic) else name for name in columns)
    if all(isinstance(name, str) or (isinstance(name, int) and not isinstance(name, bool)) for name in names):
        return names
    return None


@keras.saving.register_keras_serializable(package="churn")
class MeanSurvivalLogits(keras.layers.Layer):
    """The hazard logits of the mean survival curve of several networks' hazard logits.

    Member ``m``'s curve is ``S_m(k) = prod_{j<=k} sigmoid(-logit_mj)``; the layer averages the curves,
    ``S(k) = mean_m S_m(k)``, and returns the logits of the hazards that give ``S`` back,
    ``h_k = 1 - S(k) / S(k-1)`` (``S(0) = 1``), computed in log space. So :func:`survival_from_logits` of the
    output is the members' mean curve (averaging curves, not logits, keeps each member's probabilities).
    No weights, no arguments beyond Keras' own.

    Call arguments:
        logits: a list of ``M`` tensors ``(batch, K)``, the members' hazard logits. Returns ``(batch, K)``.

    Example:
        >>> sure, coin = np.full((1, 3), -30.0, "float32"), np.zeros((1, 3), "float32")
        >>> survival_from_logits(MeanSurvivalLogits()([sure, coin])).round(4)  # mean of 1 and 0.5 ** k
        array([[0.75  , 0.625 , 0.5625]])
    """

    def call(self, logits):
        log_survival = ops.stack([ops.cumsum(-ops.softplus(item), axis=-1) for item in logits], axis=0)
        mean = ops.logsumexp(log_survival, axis=0) - float(np.log(len(logits)))
        before = ops.concatenate([ops.zeros_like(mean[:, :1]), mean[:, :-1]], axis=-1)
        log_keep = ops.minimum(mean - before, -1e-7)  # log(1 - h_k) < 0
        return ops.log(-ops.expm1(log_keep)) - log_keep

    def compute_output_shape(self, input_shape):
        return input_shape[0]


def ensemble(members, name="churn_survival_ensemble"):
    """One model over ``members`` (models from :func:`build_model` with the same inputs): same inputs, output
    the hazard logits of the members' mean survival curve (:class:`MeanSurvivalLogits`). The members are
    kept whole inside it (``.keras``, loadable with safe_mode) as uncompiled copies
    (:func:`shared.model_copies.inference_copy`) named ``member_0``, ``member_1``, ..."""
    inputs = [keras.Input(tuple(tensor.shape[1:]), name=tensor.name) for tensor in members[0].inputs]
    outputs = []
    for index, member in enumerate(members):
        member = inference_copy(member)
        member.name = f"member_{index}"
        outputs.append(member(inputs))
    logits = MeanSurvivalLogits(name="mean_survival_logits")(outputs)
    model = keras.Model(inputs, logits, name=name)
    model.compile(loss=logistic_hazard_loss)
    return model


def members(model):
    """The networks of an :func:`ensemble` (its ``member_<i>`` layers, in order), or ``[model]`` for one network."""
    if not any(layer.name == "mean_survival_logits" for layer in model.layers):
        return [model]
    return [layer for layer in model.layers if layer.name.startswith("member_")]


def survival_from_logits(logits):
    """``S`` at the end of each interval, ``(n, K)``, from hazard logits ``(n, K)``."""
    hazards = 1.0 / (1.0 + np.exp(-np.asarray(logits, float)))
    return np.cumprod(1.0 - hazards, axis=1)


def expected_time(survival, width):
    """Restricted mean time to the event over the K intervals (trapezoid, ``S(0) = 1``), in ``width`` units."""
    padded = np.concatenate([np.ones((len(survival), 1)), survival], axis=1)
    return width * 0.5 * (padded[:, 1:] + padded[:, :-1]).sum(axis=1)


def risk_score(survival, width):
    """``1 - expected time / horizon`` in ``[0, 1]``: higher = sooner event."""
    return 1.0 - expected_time(survival, width) / (width * survival.shape[1])


def replay_head(model, inputs):
    """The model's prediction after every week of the history: logits ``(n, weeks, K)``, plus the gates.

    The GatedLSTM is rerun with ``return_sequences=True, return_gates=True`` (same weights) and the head
    applied to each step's hidden state (with the static covariates), as if the history ended there.

    Returns:
        ``(logits (n, weeks, K), gates dict of (n, weeks, units))``.
    """
    layer = model.get_layer(LSTM_NAME)
    history = np.asarray(inputs[0], "float32")
    mask = np.any(history != 0, axis=-1)
    config = layer.get_config()
    config.update(return_gates=True, return_sequences=True, name=f"{LSTM_NAME}_replay")
    twin = GatedLSTM.from_config(config)
    twin.build(history.shape)
    twin.set_weights(layer.get_weights())
    states, gates = twin(history, mask=mask)
    logits = _head(model, ops.convert_to_numpy(states), *_static_and_future(inputs))
    return logits, {name: ops.convert_to_numpy(value) for name, value in gates.items()}


def _static_and_future(inputs):
    """``(static (n, S) or None, future (n, K, G) or None)`` of an input list ``[history, future?, static?]``."""
    static = inputs[-1] if len(inputs) > 1 and np.ndim(inputs[-1]) == 2 else None
    future = inputs[1] if len(inputs) > 1 and np.ndim(inputs[1]) == 3 else None
    return static, future


def _head(model, states, static=None, future=None):
    """The model's head applied to hidden states ``(n, [time,] units)`` with the customers' static covariates
    and known-future covariates ``(n, K, G)`` (held at their landmark values for every step)."""
    parts = [states]
    added = 0.0
    if future is not None:
        term = np.asarray(future, "float32")
        for name in ("future_hidden", "future_logit", "future_term"):
            term = model.get_layer(name)(term)
        term = ops.convert_to_numpy(term)
        added = term[:, None, :] if states.ndim == 3 else term
    if static is not None:
        normalised = ops.convert_to_numpy(model.get_layer("static_norm")(np.asarray(static, "float32")))
        if states.ndim == 3:
            normalised = np.repeat(normalised[:, None, :], states.shape[1], axis=1)
        parts.append(normalised)
        if any(layer.name == "static_linear" for layer in model.layers):
            added = added + ops.convert_to_numpy(model.get_layer("static_linear")(normalised))
    joined = np.concatenate(parts, axis=-1).astype("float32")
    return ops.convert_to_numpy(model.get_layer("hazard_logits")(model.get_layer("head_hidden")(joined))) + added


def explain(model, inputs, width, week_ends=None, top=5):
    """What moved one customer's predicted risk: gate activity and the weeks that changed the hazard most.

    Args:
        model: a model from :func:`build_model` with a history input, or an :func:`ensemble` of them (its risk
            path is that of the members' mean survival curve; its gates are its first member's).
        inputs: ``[history (1, weeks, F)]``, with ``future (1, K, G)`` and/or ``static (1, S)`` after it as the
            model takes them, for one customer. A static DataFrame is read as
            ``domains.churn.train.predict_survival`` reads it: by the names of the columns the model was trained on
            (its ``static_columns``, or those saved in it: :func:`static_columns`), other columns ignored; by
            position for a model without names.
        width: interval length (for the risk score). week_ends: optional labels of the weeks.
        top: how many weeks to list.

    Returns:
        dict with ``gates`` (name -> ``(weeks, units)``), ``gate_means`` (name -> ``(weeks,)``, the mean over
        units), ``risk_path`` ``(weeks,)`` (the risk if the history ended after each week; ``nan`` before the
        first event), ``risk_change`` ``(weeks,)`` (its week-on-week change) and ``top_weeks`` (the ``top``
        weeks with the largest absolute change, as ``(week index or label, change)``).

    Raises:
        ValueError: the inputs hold more (or fewer) than one customer. InputError: a static DataFrame lacks a
            column the model was trained on (:func:`select_static`).
    """
    rows = [len(part) for part in inputs]
    if rows != [1] * len(inputs):
        raise ValueError(f"explain reads one customer; the inputs have {', '.join(map(str, rows))} rows "
                         "(pass [part[i:i + 1] for part in inputs] for customer i)")
    inputs = _static_by_name(model, inputs)
    nets = members(model)
    replays = [replay_head(net, inputs) for net in nets]
    gates = replays[0][1]
    active = np.any(np.asarray(inputs[0])[0] != 0, axis=-1)
    path = risk_score(np.mean([survival_from_logits(logits[0]) for logits, _ in replays], axis=0), width)
    path = np.where(active, path, np.nan)
    change = np.diff(np.concatenate([[np.nan], path]))
    first = int(np.argmax(active))
    empty = np.mean([survival_from_logits(_empty_logits(net, inputs)) for net in nets], axis=0)
    change[first] = path[first] - risk_score(empty, width)[0]
    order = [int(i) for i in np.argsort(-np.nan_to_num(np.abs(change), nan=-1.0))[:top]]
    labels = [week_ends[i] if week_ends is not None else i for i in order]
    return {
        "gates": {name: value[0] for name, value in gates.items()},
        "gate_means": {name: value[0].mean(axis=-1) for name, value in gates.items()},
        "risk_path": path,
        "risk_change": change,
        "top_weeks": list(zip(labels, [float(change[i]) for i in order])),
    }


def _static_by_name(model, inputs):
    """``inputs`` with a static DataFrame (the last part) narrowed to the columns ``model`` was trained on, in its
    order (:func:`select_static`, :func:`static_columns`); as it is for a model without names or a static part
    that is not a DataFrame."""
    names = static_columns(model)
    if names is None or not inputs or not isinstance(inputs[-1], pd.DataFrame):
        return list(inputs)
    return [*inputs[:-1], select_static(inputs[-1], names)]


def _empty_logits(model, inputs):
    """The head's logits for a customer with no history yet (hidden state 0): the baseline of the first week."""
    units = model.get_layer(LSTM_NAME).units
    return _head(model, np.zeros((1, units), "float32"), *_static_and_future(inputs))
