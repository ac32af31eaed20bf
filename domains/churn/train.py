"""Training the survival network, and the CDNOW / static-table pipelines around it.

- :func:`fit_survival`: builds (``model.build_model``) and trains a network on inputs, durations and events
  with the censored logistic-hazard loss, reproducibly for a seed (fixed epochs, no early stopping: the
  settings were chosen by repeated cross-validation on the 2,357-customer sample), then re-fits one logit
  offset with dropout off (:func:`refit_offset`: calibration in the large), optionally resuming from
  ``BackupAndRestore`` checkpoints and inside a ``tf.distribute`` strategy. :data:`DEFAULTS` are the CDNOW
  settings, :data:`STATIC_DEFAULTS` those of a static table (Telco).
- :func:`fit_ensemble`: several such networks, seeds ``seed, seed + 1, ...``, joined into one model that
  averages their survival curves (``model.ensemble``); the shipped CDNOW model is one.
- :func:`predict_survival`: S(t) on the interval grid, expected time and risk.
- :func:`cdnow_inputs`: weekly histories (39 weeks up to the landmark) and, optionally, the protocol's RFM
  aggregates as static covariates.
- :func:`cross_validate_cdnow`: repeated K-fold C / IBS of the gated model beside CoxPH on the same folds.
"""

import contextlib
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import keras
from sklearn.model_selection import KFold

from domains.churn import baselines, data, evaluate
from domains.churn.model import (build_model, ensemble, expected_time, interval_targets, risk_score, select_static,
                                 static_columns, storable_columns, survival_from_logits)
from shared.backup_callback import AtomicBackupAndRestore

# CDNOW: the shipped model is the mean curve of 5 such networks (train --ensemble 5); by 5-fold x 3 CV on the sample
# against CoxPH on the same folds, per-fold dC mean / median: 1 network -0.0002 / -0.0001, 5 networks +0.0006 /
# +0.0014 (a rank-1 hazard head, the linear static path, inter-purchase-gap features, training on 6 landmarks
# L - 4k weeks, as WTTE-RNN trains at every step, and DeepHit's pairwise ranking term beside the likelihood did no
# better; card).
# Buy-till-you-die scores as extra information, on the same 5 x 3 folds: lifetimes 0.11.3's BG/NBD and Pareto/NBD
# (fitted on each training fold) rank next purchases below CoxPH (C -0.008, -0.003) and add nothing as a CoxPH
# covariate (-0.0003): the RFM aggregates already hold what they extract, so they are not inputs.
DEFAULTS = {"units": 32, "hidden": 32, "dropout": 0.2, "l2": 1e-4, "learning_rate": 2e-3, "epochs": 20,
            "batch_size": 128, "linear_static": False}
# static tables: chosen on Telco by 5-fold CV among 6 settings (C 0.8581 .. 0.8606, this one the best)
STATIC_DEFAULTS = {**DEFAULTS, "epochs": 40, "l2": 1e-3, "linear_static": True, "hidden": 64, "dropout": 0.3}
CDNOW_WEEKS = 39  # 1997-01-01 .. 1997-09-30: the whole calibration period of the Q1-1997 cohort


def fit_survival(inputs, duration, event, width, intervals, seed=0, config=None, verbose=0, backup_dir=None,
                 strategy=None):
    """Trains a fresh network.

    Args:
        inputs: list ``[history (n, weeks, F)] [+ future (n, K, G)] [+ static (n, S)]`` or ``[static]``; a
            static-only list is recognised by its 2-D array, known-future covariates by a 3-D second array
            (a bare array is refused: wrap it, ``[static]``). Each part is numbers (arrays, lists or, for the
            static part, a DataFrame of numeric columns), finite and within ``data.LARGEST_VALUE`` in magnitude,
            the file loaders' rules (a NaN would silently make the weights NaN). Static covariates are
            standardised inside the model by their mean and population variance (``ddof=0``); a DataFrame's
            column names are kept on the model as ``static_columns`` and in the model itself (its
            ``model.StaticNormalization`` layer: a saved file keeps them, for text or whole-number names), and
            :func:`predict_survival` selects a DataFrame's columns by them.
        duration, event: ``(n,)`` targets (duration in the unit of ``width``). width: interval length.
        intervals: K. seed: weights, dropout and shuffling. config: overrides of :data:`DEFAULTS` (its keys
            only: :data:`STATIC_DEFAULTS` has the same).
        backup_dir: keep ``keras.callbacks.BackupAndRestore`` checkpoints here (deleted when training ends):
            a killed run started again with the same folder resumes from its last epoch.
        strategy: a ``tf.distribute`` strategy to build and compile the model in (e.g. ``MirroredStrategy``).

    Returns:
        the trained ``keras.Model``, its hazard logits shifted by :func:`refit_offset` after training.

    Raises:
        TypeError: ``inputs`` is not a list or tuple, or ``config`` has a key :data:`DEFAULTS` does not (a typo
            would otherwise leave its setting at the default). ValueError: bad durations or events
            (:func:`domains.churn.model.interval_targets`), no customers, parts whose row counts differ from
            theirs, or a part that is not 2-D or 3-D numbers, or holds a NaN, an infinity or a value beyond
            ``data.LARGEST_VALUE`` (the message names the part, the customer's position and the column).
    """
    inputs = _input_list(inputs)
    columns = _static_columns(inputs)
    if columns is not None and storable_columns(columns) is None:
        warnings.warn(f"fit_survival: the static columns' names ({', '.join(map(repr, columns))}) are not all text "
                      "or whole numbers, so a saved model cannot keep them: once loaded from a file, it reads a "
                      "DataFrame's columns by position (rename them to strings to keep them)", UserWarning,
                      stacklevel=2)
    inputs = _checked(inputs)
    targets = interval_targets(duration, event, width, intervals)
    rows = [len(part) for part in inputs]
    if set(rows) != {len(targets)}:
        raise ValueError(f"inputs have {', '.join(map(str, rows))} rows but there are {len(targets)} durations: "
                         "one row per customer in every part")
    if not len(targets):
        raise ValueError("fit_survival: no customers (every input and the durations have 0 rows): nothing to train on")
    config = _config(config)
    keras.utils.set_random_seed(seed)
    history = inputs[0] if inputs[0].ndim == 3 else None
    static = inputs[-1] if inputs[-1].ndim == 2 else None  # a DataFrame's values: numpy's ddof=0
    future = inputs[1] if history is not None and len(inputs) > 1 and inputs[1].ndim == 3 else None
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        model = _build(history, static, intervals, config, seed, future, storable_columns(columns))
    callbacks = []
    if backup_dir:  # two checkpoints: a kill while one is being written leaves the other
        callbacks.append(AtomicBackupAndRestore(str(backup_dir), delete_checkpoint=True, double_checkpoint=True))
    inputs = [np.asarray(a, "float32") for a in inputs]
    model.fit(inputs, targets, epochs=config["epochs"], batch_size=config["batch_size"], shuffle=True,
              verbose=verbose, callbacks=callbacks)
    refit_offset(model, inputs, targets)
    model.static_columns = columns
    return model


def _static_columns(inputs):
    """The column names of a static part given as a DataFrame (a tuple), else None."""
    return tuple(inputs[-1].columns) if inputs and isinstance(inputs[-1], pd.DataFrame) else None


def _part_names(inputs):
    """What each part of an input list is: ``"static"`` (2-D), ``"history"`` (3-D, first) or ``"future"``."""
    return ["static" if np.ndim(part) == 2 else "history" if index == 0 else "future"
            for index, part in enumerate(inputs)]


def _checked(inputs, columns=None):
    """The parts of an input list as numpy arrays (each in its own dtype: the static mean and variance are
    computed from it), checked as the file loaders check a cell.

    Args:
        columns: the static covariates a model was trained on (its ``static_columns``): a DataFrame's are
            selected by these names (others are ignored); None: a DataFrame is read by position.

    Raises:
        ValueError: a part that is not 2-D or 3-D, a static DataFrame without one of ``columns`` or with a
            column that is not numbers, a value that is not a number, NaN, infinite or beyond
            ``data.LARGEST_VALUE`` in magnitude; naming the part, the customer's position and the column.
    """
    parts = []
    for index, (name, part) in enumerate(zip(_part_names(inputs), inputs)):
        labels = None
        if isinstance(part, pd.DataFrame):
            if columns is not None:
                part = select_static(part, columns)
            text = [column for column in part.columns if not pd.api.types.is_numeric_dtype(part[column])]
            if text:
                raise ValueError(f"static input: column {text[0]!r} is {part[text[0]].dtype}, not numbers "
                                 "(encode it first, e.g. one-hot with pd.get_dummies)")
            labels = list(part.columns)
        values = np.asarray(part)
        if values.dtype.kind not in "biuf":
            try:
                values = values.astype(float)
            except (TypeError, ValueError) as error:
                raise ValueError(f"inputs[{index}] ({name}): not numbers ({error})") from None
        if values.ndim not in (2, 3):
            raise ValueError(f"inputs[{index}]: {values.ndim}-D of shape {values.shape}; each part is 3-D (customers, "
                             "steps, features) or 2-D (customers, covariates): one covariate is a (n, 1) column")
        numbers = values.astype(float)
        for bad, why in ((~np.isfinite(numbers), "not a finite number"),
                         (np.abs(numbers) > data.LARGEST_VALUE,
                          f"beyond the largest magnitude taken ({data.LARGEST_VALUE:.0e}: the network computes in "
                          "float32)")):
            if bad.any():
                first = tuple(int(i) for i in np.argwhere(bad)[0])
                where = (f"step {first[1]}, feature {first[2]}" if values.ndim == 3
                         else f"column {labels[first[1]]!r}" if labels else f"column {first[1]}")
                value, customers = float(numbers[first]), len(np.unique(np.nonzero(bad)[0]))
                raise ValueError(f"{name} input: customer at position {first[0]}, {where}: {value!r} is {why} "
                                 f"({customers} such customers)")
        parts.append(values)
    return parts


def _config(config):
    """``config`` over :data:`DEFAULTS`; TypeError naming a key that is not one of them and the known keys."""
    unknown = [key for key in config or {} if key not in DEFAULTS]
    if unknown:
        raise TypeError(f"config: unknown key(s) {', '.join(map(repr, unknown))}; the known keys are "
                        f"{', '.join(sorted(DEFAULTS))}")
    return {**DEFAULTS, **(config or {})}


def _input_list(inputs):
    """``inputs`` as a list of parts; TypeError for anything but a list or tuple (a bare array would be read
    row by row)."""
    if not isinstance(inputs, (list, tuple)):
        shape = getattr(inputs, "shape", None)
        raise TypeError(f"inputs must be a list of arrays ([history], [static], [history, static], ...); got "
                        f"{type(inputs).__name__}{'' if shape is None else f' of shape {shape}'}: wrap it in a list")
    return list(inputs)


def fit_ensemble(inputs, duration, event, width, intervals, seed=0, members=1, config=None, verbose=0,
                 backup_dir=None, strategy=None):
    """Trains ``members`` networks with :func:`fit_survival` (seeds ``seed, seed + 1, ...``) and joins them.

    Arguments as :func:`fit_survival`. With one member this is :func:`fit_survival`. With several and a
    ``backup_dir``, each finished member is kept there as ``member_<i>.keras`` and the one in training
    checkpoints in ``member_<i>/``: a killed run started again reloads the finished members and resumes the
    unfinished one from its last epoch; the folder is deleted at the end.

    Returns:
        ``(model, histories)``: the model (one network, or ``model.ensemble`` of them: inputs alike, output the
        hazard logits of the members' mean survival curve) and per member ``{"seed", "epochs_run" (1-based),
        "loss", "reloaded"}`` (a reloaded member's epochs were run before the restart and are not listed). The
        model keeps a static DataFrame's column names as ``static_columns``, as :func:`fit_survival`'s.

    Raises:
        as :func:`fit_survival`.
    """
    _config(config)  # before any member is reloaded or trained
    nets, histories = [], []
    for index in range(members):
        member_seed = seed + index
        folder = saved = None
        if backup_dir is not None:
            folder = Path(backup_dir) if members == 1 else Path(backup_dir) / f"member_{index}"
            saved = None if members == 1 else Path(backup_dir) / f"member_{index}.keras"
        if saved is not None and saved.exists():
            nets.append(keras.saving.load_model(saved, safe_mode=True, compile=False))
            histories.append({"seed": member_seed, "epochs_run": [], "loss": [], "reloaded": True})
            continue
        net = fit_survival(inputs, duration, event, width, intervals, seed=member_seed, config=config,
                           verbose=verbose, backup_dir=folder, strategy=strategy)
        histories.append({"seed": member_seed, "epochs_run": [int(e) + 1 for e in net.history.epoch],
                          "loss": [float(v) for v in net.history.history.get("loss", [])], "reloaded": False})
        if saved is not None:
            net.save(saved)
        nets.append(net)
    if members == 1:
        return nets[0], histories
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        model = ensemble(nets)
    model.static_columns = _static_columns(_input_list(inputs))
    if backup_dir is not None:
        shutil.rmtree(backup_dir, ignore_errors=True)
    return model, histories


def refit_offset(model, inputs, targets, steps=25):
    """Shifts every hazard logit by one constant, fitted by maximum likelihood with dropout off.

    Dropout before the hazard layer makes the logits noisy in training; the hazards are small, where the
    sigmoid is convex, so the noise-free network of prediction gives hazards too low on average (on CDNOW
    S(273 days) came out 0.04 above Kaplan-Meier, a logit offset of about 0.2). One shared constant, solved
    by Newton's method on the censored likelihood of the training data, removes that bias (as the Breslow
    step re-estimates CoxPH's baseline) without touching the ranking of customers.

    Args:
        model: a trained model from :func:`domains.churn.model.build_model`.
        inputs, targets: its training data (``targets`` from :func:`domains.churn.model.interval_targets`).

    Returns:
        the offset added to the bias of the ``hazard_logits`` layer (float).
    """
    logits = model.predict(inputs, batch_size=1024, verbose=0).astype(float)
    k = logits.shape[1]
    at_risk, event = targets[:, :k], targets[:, k:]
    offset = 0.0
    for _ in range(steps):
        hazard = 1.0 / (1.0 + np.exp(-(logits + offset)))
        gradient = np.sum(at_risk * (hazard - event))
        curvature = np.sum(at_risk * hazard * (1.0 - hazard))
        if curvature <= 0:
            break
        offset -= gradient / curvature
    bias = model.get_layer("hazard_logits").bias
    bias.assign(bias + offset)
    return float(offset)


def _build(history, static, intervals, config, seed, future=None, columns=None):
    return build_model(
        intervals,
        weeks=None if history is None else history.shape[1],
        n_features=None if history is None else history.shape[2],
        n_static=0 if static is None else static.shape[1],
        static_mean=None if static is None else static.mean(axis=0),
        static_var=None if static is None else np.maximum(static.var(axis=0), 1e-6),
        units=config["units"], hidden=config["hidden"], dropout=config["dropout"], l2=config["l2"],
        learning_rate=config["learning_rate"], linear_static=config["linear_static"],
        n_future=0 if future is None else future.shape[2], seed=seed, static_columns=columns,
    )


def predict_survival(model, inputs, width):
    """``{"survival" (n, K), "times" (K,), "expected_time" (n,), "risk" (n,)}`` (times in ``width`` units).

    Args:
        inputs: a list as for :func:`fit_survival`, with its checks. Static covariates in a DataFrame are selected
            by the names of the DataFrame the model was trained on (other columns are ignored): its
            ``static_columns``, or for a model loaded from a file (``shared.safe_load.load_model``) the names saved
            in it (``model.static_columns``). A model without names reads a DataFrame by position, its width
            checked: one trained on an array, or saved before the names were kept in the file (such as the
            shipped CDNOW model, trained on arrays), or trained on names a file cannot hold (not text or whole
            numbers; :func:`fit_survival` warns then). No customers (0 rows) give empty results.

    Raises:
        TypeError: ``inputs`` is not a list or tuple. ValueError: as :func:`fit_survival`'s inputs, a static
            column the model was trained on is missing (named), or the parts do not match the model's inputs
            (their number, shapes or row counts).
    """
    parts = _checked(_input_list(inputs), static_columns(model))
    expected = [(tensor.name, tuple(tensor.shape[1:])) for tensor in model.inputs]
    if len(parts) != len(expected):
        raise ValueError(f"the model takes {len(expected)} input part(s) ({', '.join(n for n, _ in expected)}); "
                         f"got {len(parts)} ({', '.join(_part_names(parts))})")
    for (name, shape), part in zip(expected, parts):
        if part.ndim != len(shape) + 1 or any(want not in (None, got) for want, got in zip(shape, part.shape[1:])):
            raise ValueError(f"{name} input: {part.shape[1:]} per customer, but the model takes {shape}")
    rows = [len(part) for part in parts]
    if len(set(rows)) > 1:
        raise ValueError(f"inputs have {', '.join(map(str, rows))} rows: one row per customer in every part")
    if not rows[0]:
        logits = np.zeros((0, model.outputs[0].shape[-1]), "float32")
    else:
        logits = model.predict([np.asarray(a, "float32") for a in parts], batch_size=1024, verbose=0)
    survival = survival_from_logits(logits)
    return {"survival": survival, "times": width * np.arange(1, survival.shape[1] + 1),
            "expected_time": expected_time(survival, width), "risk": risk_score(survival, width)}


def cdnow_inputs(log, landmark, static=True, weeks=CDNOW_WEEKS, event_types=None):
    """Model inputs of every customer of a CDNOW-format log.

    ``event_types``: the types given a channel of their own (:func:`domains.churn.data.weekly_sequences`;
    default: those in the log before ``landmark``); a trained model's are in its card.

    Args:
        log: a table from :func:`domains.churn.data.read_event_log`, or a DataFrame of the same columns
            (``customer_id``, ``date`` as datetime64, ``number_of_cds`` and ``dollar_value``), checked by the
            same rules (:func:`domains.churn.data.check_log`).

    Returns:
        ``(inputs, sequences, rfm)``: ``[history, rfm]`` (or ``[history]`` without ``static``), the
        :class:`~domains.churn.data.PeriodSequences` and the RFM aggregate table (customers in the same order).

    Raises:
        InputError: a log the file loader would refuse (a missing column, no events, a NaN, infinite or negative
            amount, ...), naming the column and row, or a customer without an event on or before ``landmark``.
    """
    landmark = data.landmark_date(landmark)
    log = data.check_log(log, data.CDNOW_NUMERIC)  # once, for the histories and the aggregates alike
    sequences = data.weekly_sequences(log, landmark, weeks, numeric=data.CDNOW_NUMERIC, event_types=event_types,
                                      checked=True)
    rfm = baselines.rfm_features(log, landmark, sequences.customers, checked=True)
    inputs = [sequences.x] + ([rfm.to_numpy("float32")] if static else [])
    return inputs, sequences, rfm


def cross_validate_cdnow(log, config=None, static=True, folds=5, repeats=2, seed=0, members=1,
                         landmark=data.CDNOW_LANDMARK, horizon_days=data.CDNOW_HORIZON_DAYS, verbose=0):
    """Repeated K-fold comparison of the gated model and CoxPH (RFM aggregates) on the same folds.

    Repeat ``r`` splits with ``KFold(folds, shuffle=True, random_state=seed + r)``; fold ``f``'s model is
    :func:`fit_ensemble` of ``members`` networks with seeds from ``seed + 100 r + 10 f`` on.

    Returns:
        list of dicts, one per fold: ``{"repeat", "fold", "gated": score, "coxph": score, "km": score,
        "test": test row indices (m,), "predictions": {name: (risk (m,), survival (m, K))}}``, plus the
        targets ``(duration (n,), event (n,), times (K,))`` of the whole log.

    Raises:
        TypeError: ``config`` has a key :data:`DEFAULTS` does not (before anything is read or trained).
    """
    _config(config)
    inputs, sequences, rfm = cdnow_inputs(log, landmark, static)
    target = data.survival_targets(log, landmark, horizon_days, sequences.customers)
    duration, event = target["duration"].to_numpy(), target["event"].to_numpy()
    width, intervals = 7, int(np.ceil(horizon_days / 7))
    times = width * np.arange(1, intervals + 1)
    rows = []
    for repeat in range(repeats):
        splits = KFold(folds, shuffle=True, random_state=seed + repeat).split(duration)
        for fold, (train, test) in enumerate(splits):
            model, _ = fit_ensemble([a[train] for a in inputs], duration[train], event[train], width, intervals,
                                    seed=seed + 100 * repeat + 10 * fold, members=members, config=config,
                                    verbose=verbose)
            pred = predict_survival(model, [a[test] for a in inputs], width)
            cox = baselines.CoxBaseline().fit(rfm.iloc[train], duration[train], event[train])
            km = baselines.KaplanMeierBaseline().fit(duration[train], event[train])
            d, e = duration[test], event[test]
            predictions = {
                "gated": (pred["risk"], pred["survival"]),
                "coxph": (cox.risk(rfm.iloc[test]), cox.survival(rfm.iloc[test], times)),
                "km": (km.risk(len(test)), km.survival(len(test), times)),
            }
            rows.append({"repeat": repeat, "fold": fold, "test": test, "predictions": predictions,
                         **{name: evaluate.score(d, e, r, s, times) for name, (r, s) in predictions.items()}})
    return rows, (duration, event, times)
