"""The two evaluation protocols of ``../shared/data/ecology/PROTOCOL.md``, with every model side by side.

A. :func:`zhang2003`: log10 of the series (of a series held on its own scale: the values themselves),
   parameters fitted once on the years up to ``train_end``,
   one-step-ahead forecasts of every later year from the actual values before it; MSE, MAE, MASE (scale: the
   training part's mean absolute first difference), CRPS and 80 % / 95 % coverage, on the log10 scale.
B. :func:`rolling_origin`: on ``log(y + c)`` (c: :func:`domains.ecology.data.log_offset`; a series held on its
   own scale, one with negative values, already centred or differenced: on ``y`` itself), K =
   min(20, max(5, floor(0.15 n))) origins one step apart, the last leaving exactly H test points; at each
   origin forecasts for h = 1..H from the data up to the origin. Per series: MASE (|error| over the mean
   absolute first difference of the training part, per origin, averaged over origins and horizons), sCRPS
   (CRPS over the same scale), sMAPE (on the original scale, the forecast median ``exp(mean) - c`` against
   the observation, in %; not for a series held on its own scale, whose values cross zero, where the
   percentage has no meaning: its sMAPE is left out, and the mean sMAPE is over the other series), and 80 % /
   95 % interval coverage. Across series: means of those, the geometric
   mean of (model MASE / naive MASE) and the share of series where the model's MASE is below naive's. A
   series flat before every origin has no MASE scale and is left out (``evaluate`` names it in a warning).

The baselines are refitted at every origin (expanding window); a baseline that needs more training values
(its ``min_length``) than a series has (before its first origin; up to ``train_end``) is not scored on it, nor
is a model of positive abundance (``needs_abundance``: Ricker, theta-logistic) on a series held on its own
scale. The
GatedForecaster is trained once, on each series' data before its first origin (all series of the set together:
a global model), and then forecasts at every origin from the data up to it with its parameters fixed, so no
forecast sees data after its origin. Its calibration (and, for one series, its early stopping) uses held-out
steps at the end of that training part only (:mod:`domains.ecology.forecaster`).
"""

import numpy as np
from scipy.stats import gmean

from domains.ecology.baselines import BASELINES

LEVELS = (0.8, 0.95)


def origins(n, horizon=10):
    """The rolling origins of a series of length ``n``: training lengths, last one ``n - horizon``.

    >>> origins(60)
    [42, 43, 44, 45, 46, 47, 48, 49, 50]
    """
    k = min(20, max(5, int(np.floor(0.15 * n))))
    last = n - horizon
    return list(range(last - k + 1, last + 1))


def score_forecasts(forecasts, actuals, scales, original=None):
    """Scores aligned lists of forecasts, actual log values ``(H,)`` and per-origin scales.

    Args:
        forecasts: :class:`GaussianForecast` per origin. actuals: ``(H,)`` arrays. scales: floats.
        original: optional function from log values to the original units (enables sMAPE); ``None`` for a
            series held on its own scale.

    Returns:
        dict with ``mase``, ``crps`` (scaled), ``coverage80``, ``coverage95``, ``smape`` (when ``original``).
    """
    mase, crps, smape, covered = [], [], [], {level: [] for level in LEVELS}
    for forecast, actual, scale in zip(forecasts, actuals, scales):
        if not scale > 0:
            continue
        mase.append(np.abs(actual - forecast.mean) / scale)
        crps.append(forecast.crps(actual) / scale)
        for level in LEVELS:
            low, high = forecast.interval(level)
            covered[level].append((actual >= low) & (actual <= high))
        if original is not None:
            y, y_hat = original(actual), original(forecast.mean)
            total = np.abs(y) + np.abs(y_hat)
            smape.append(np.where(total > 0, 200 * np.abs(y - y_hat) / np.where(total > 0, total, 1), 0.0))
    if not mase:
        return {}
    result = {"mase": float(np.mean(mase)), "crps": float(np.mean(crps))}
    if original is not None:
        result["smape"] = float(np.mean(smape))
    result.update({f"coverage{round(100 * level)}": float(np.mean(covered[level])) for level in LEVELS})
    return result


def rolling_origin(series, gated=None, baselines=BASELINES, horizon=10, fit_gated=True):
    """Protocol B on a set of series.

    Args:
        series: ``{series_id: PopulationSeries}`` (:func:`domains.ecology.data.load_series`).
        gated: an unfitted :class:`domains.ecology.forecaster.GatedForecaster` (or ``None`` to skip it); it
            is trained here on the data before each series' first origin, covariates included.
        baselines: name -> factory of the baseline forecasters.
        horizon: H. fit_gated: False scores ``gated`` as it is (a trained model, e.g. the shipped weights).

    Returns:
        ``(summary, per_series)``: ``summary`` maps model name (``"gated"`` for the project's model) to
        averaged metrics plus ``relative_mase`` (geometric mean vs naive) and ``share_beating_naive``;
        ``per_series`` maps series id -> model name -> metrics.

    A series that is flat before every origin (MASE scale 0) is not scored: it has no metrics in
    ``per_series`` and is not counted in ``summary``'s ``"series"`` (the command line names it in a warning);
    single origins with a flat history are left out the same way. A baseline needing more training values
    than a series has before its first origin is not scored on that series (it has no entry there), nor is
    one that ``needs_abundance`` on a series held on its own scale (``logged`` False), whose scores have no
    ``smape``.

    Raises:
        ValueError: a series too short for the protocol (:func:`check_rolling`).
    """
    check_rolling(series, horizon)
    plans = {name: origins(len(s), horizon) for name, s in series.items()}
    per_series = {name: {} for name in series}
    for name, s in series.items():
        z = s.log
        actuals = [z[t:t + horizon] for t in plans[name]]
        scales = [np.mean(np.abs(np.diff(z[:t]))) for t in plans[name]]
        for model_name, factory in baselines.items():
            if not _applies(factory(), s, plans[name][0]):
                continue
            forecasts = [factory().fit(z[:t]).predict(horizon) for t in plans[name]]
            per_series[name][model_name] = score_forecasts(forecasts, actuals, scales, _original(s))
    if gated is not None:
        if fit_gated:
            gated.fit_many([(s.log[:plans[name][0]], s.covariates[:plans[name][0]]) for name, s in series.items()])
        for name, s in series.items():
            z = s.log
            forecasts = gated.predict_many([(z[:t], s.covariates[:t]) for t in plans[name]], horizon)
            actuals = [z[t:t + horizon] for t in plans[name]]
            scales = [np.mean(np.abs(np.diff(z[:t]))) for t in plans[name]]
            per_series[name]["gated"] = score_forecasts(forecasts, actuals, scales, _original(s))
    return summarize(per_series), per_series


def _applies(model, s, n_train):
    """Whether baseline ``model`` is scored on series ``s`` with ``n_train`` training values: it needs no more
    (its ``min_length``), and it is no model of positive abundance (``needs_abundance``) for a series held on
    its own scale."""
    return model.min_length <= n_train and (s.logged or not getattr(model, "needs_abundance", False))


def _original(s):
    """The map back to ``s``'s units that enables sMAPE, ``None`` for a series held on its own scale."""
    return s.to_original if s.logged else None


def too_short(series, horizon=10):
    """Ids of the series shorter than the rolling origin needs: ``horizon + 10`` values."""
    return [name for name, s in series.items() if len(s) < horizon + 10]


def flat(series, horizon=10):
    """Ids of the series (long enough for the rolling origin) that are flat before every origin: their log
    values do not change before the last origin, so no origin has a MASE scale and the series cannot be scored."""
    return [name for name, s in series.items() if len(s) >= horizon + 10
            and not np.any(np.diff(s.log[:origins(len(s), horizon)[-1]]))]


def check_rolling(series, horizon=10):
    """Raises ``ValueError`` naming the first series shorter than the rolling origin needs (:func:`too_short`)."""
    short = too_short(series, horizon)
    if short:
        raise ValueError(f"series {short[0]!r} has {len(series[short[0]])} values; the rolling origin needs at "
                         f"least {horizon + 10}")


def summarize(per_series, reference="naive"):
    """Averages per-series metrics per model and adds the relative MASE against ``reference``; a metric some
    series lack (sMAPE, for series held on their own scale) is averaged over the series that have it."""
    models = list(dict.fromkeys(model for scores in per_series.values() for model in scores))
    summary = {}
    for model in models:
        rows = [scores[model] for scores in per_series.values() if scores.get(model) and scores.get(reference)]
        if not rows:
            continue
        keys = max(rows, key=len)  # a row with every metric, in their order
        entry = {key: float(np.mean([row[key] for row in rows if key in row])) for key in keys}
        ratios = np.array([
            scores[model]["mase"] / scores[reference]["mase"] for scores in per_series.values()
            if scores.get(model) and scores.get(reference) and scores[reference]["mase"] > 0
        ])
        entry["relative_mase"] = float(gmean(ratios)) if len(ratios) else float("nan")
        entry["share_beating_naive"] = float(np.mean(ratios < 1)) if len(ratios) else float("nan")
        entry["series"] = len(rows)
        summary[model] = entry
    return summary


def zhang2003(s, train_end=1920, gated=None, baselines=BASELINES, fit_gated=True):
    """Protocol A on one series (raw counts in ``s.value``; log10 is taken here, except for a series held on its
    own scale, scored on its values; a baseline that ``needs_abundance`` is then left out).

    Args:
        s: a :class:`PopulationSeries` (e.g. lynx 1821-1934). train_end: the last training time.
        gated: an unfitted GatedForecaster (``None`` to skip it). baselines: name -> factory.
        fit_gated: False scores ``gated`` as it is (trained on the log10 series up to ``train_end``).

    Returns:
        ``{model name: {"mse", "mae", "mase", "crps", "coverage80", "coverage95"}}`` over the test years (a
        baseline needing more training values than there are is left out, as above).

    Raises:
        ValueError: no test years after ``train_end`` or fewer than 10 training years (:func:`zhang_split`).
    """
    z = np.log10(s.value + s.offset) if s.logged else s.log
    n_train = zhang_split(s, train_end)
    models = {}
    for name, factory in baselines.items():
        model = factory()
        if _applies(model, s, n_train):
            models[name] = model.fit(z[:n_train])
    covariates = s.covariates
    if gated is not None:
        models["gated"] = gated.fit(z[:n_train], covariates[:n_train]) if fit_gated else gated
    scale = float(np.mean(np.abs(np.diff(z[:n_train]))))
    test = range(n_train, len(z))
    results = {}
    for name, model in models.items():
        if name == "gated":
            forecasts = model.predict_many([(z[:t], covariates[:t]) for t in test], 1)
        else:
            forecasts = [model.predict(1, history=z[:t]) for t in test]
        errors = np.array([f.mean[0] for f in forecasts]) - z[n_train:]
        scores = score_forecasts(forecasts, [z[t:t + 1] for t in test], [scale] * len(test))
        results[name] = {"mse": float(np.mean(errors ** 2)), "mae": float(np.mean(np.abs(errors))),
                         "mase": scores["mase"], "crps": scores["crps"] * scale,
                         "coverage80": scores["coverage80"], "coverage95": scores["coverage95"]}
    return results


def zhang_split(s, train_end):
    """The number of training values (times up to ``train_end``) of series ``s``; raises ``ValueError`` when
    there are fewer than 10 or no value after them, or when they are flat (MASE's scale, their mean absolute
    step, is 0)."""
    n_train = int(np.sum(s.time <= train_end))
    shown = s.time_labels([train_end])[0]
    if n_train < 10 or n_train >= len(s):
        raise ValueError(f"need at least 10 values up to {shown} and at least one after it "
                         f"(found {n_train} and {len(s) - n_train})")
    if not np.any(np.diff(s.log[:n_train])):
        raise ValueError(f"series {s.series_id!r}: its values up to {shown} do not change, so MASE, scaled by their "
                         "mean absolute step, is undefined")
    return n_train
