"""Survival metrics, applied alike to the recurrent model and the baselines.

Every model is judged from two predictions per customer: a risk score ``(n,)`` (higher = sooner event) and its
survival curve ``(n, m)`` on a time grid ``times`` ``(m,)`` (days or weeks, increasing; a week-end grid for
the weekly models). Metrics:

- :func:`harrell_c`: Harrell's C with ``lifelines.utils.concordance_index``;
- :func:`td_concordance`: Antolini's time-dependent C, which ranks pairs by each curve at the earlier event
  time (so crossing curves are judged as curves, not by one score);
- :func:`integrated_brier`: Graf's Brier score with inverse-probability-of-censoring weights (censoring
  Kaplan-Meier of the scored data), integrated over the follow-up grid (:func:`follow_up_grid`: every whole
  time unit before the last follow-up time; days 1 .. 272 on CDNOW's 273-day follow-up, the grid closest to issue
  6's anchors: CoxPH 0.1208 and Kaplan-Meier 0.1544 there against the issue's 0.1205 and 0.1537; no grid tried
  gives both exactly), each curve read between its own grid points by linear
  interpolation from ``S(0) = 1``;
- :func:`calibration`: mean predicted S(t) against the Kaplan-Meier estimate at chosen times (13, 26, 39
  weeks on CDNOW) and :func:`calibration_plot`;
- :func:`paired_bootstrap`: customers resampled, the difference of each model's C, time-dependent C and IBS
  to a reference (over the resamples where they are defined).
"""

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.utils import concordance_index

from domains.churn.inputs import has_comparable_pair


def harrell_c(duration, event, risk):
    """Harrell's C: the share of comparable pairs whose higher risk has the earlier event (ties count 1/2)."""
    return float(concordance_index(np.asarray(duration, float), -np.asarray(risk, float), np.asarray(event, int)))


def _grid_index(times, at):
    """Index of the first grid point >= each ``at`` (clipped to the grid): where a step curve is read."""
    return np.clip(np.searchsorted(times, at, side="left"), 0, len(times) - 1)


def td_concordance(duration, event, survival, times, chunk=512):
    """Antolini's time-dependent concordance.

    For every customer ``i`` with an event at ``t_i`` and every ``j`` still event-free after ``t_i``
    (``t_j > t_i``, or censored at ``t_i``), the pair is concordant when ``S_i(t_i) < S_j(t_i)`` (ties 1/2),
    with the curves read at the first grid point >= ``t_i``.

    Args:
        duration, event: ``(n,)``. survival: ``(n, m)`` on ``times`` ``(m,)``.
    """
    duration = np.asarray(duration, float)
    event = np.asarray(event, int)
    survival = np.asarray(survival, float)
    index = _grid_index(np.asarray(times, float), duration)
    concordant, pairs = 0.0, 0.0
    cases = np.flatnonzero(event == 1)
    for start in range(0, len(cases), chunk):
        block = cases[start:start + chunk]
        s_case = survival[block, index[block]][:, None]
        s_others = survival[:, index[block]].T  # (block, n): everyone's curve at each case's time
        t_case = duration[block][:, None]
        comparable = (duration[None, :] > t_case) | ((duration[None, :] == t_case) & (event[None, :] == 0))
        concordant += np.sum(comparable * ((s_case < s_others) + 0.5 * (s_case == s_others)))
        pairs += comparable.sum()
    return float(concordant / pairs) if pairs else float("nan")


def _censoring_survival(duration, event):
    fitter = KaplanMeierFitter().fit(np.asarray(duration, float), 1 - np.asarray(event, int))
    # G(t) = 1 before time 0 (lifelines gives nan there: reached by G(T-) of a duration of 0)
    return lambda t: fitter.survival_function_at_times(np.maximum(np.asarray(t, float), 0.0)).to_numpy()


def brier_scores(duration, event, survival, times, censoring=None):
    """IPCW Brier score at each grid time (Graf et al. 1999).

    ``BS(t) = mean_i [ S_i(t)^2 1(T_i <= t, d_i = 1) / G(T_i-) + (1 - S_i(t))^2 1(T_i > t) / G(t) ]`` with
    ``G`` the Kaplan-Meier curve of the censoring times (all 1 under administrative censoring only).

    Returns:
        ``(m,)`` scores (``nan`` where ``G(t) = 0``).
    """
    duration = np.asarray(duration, float)
    event = np.asarray(event, int)
    survival = np.asarray(survival, float)
    times = np.asarray(times, float)
    g = censoring or _censoring_survival(duration, event)
    g_event = np.maximum(g(duration - 1e-6), 1e-12)
    g_times = g(times)
    died = (duration[:, None] <= times[None, :]) & (event[:, None] == 1)
    alive = duration[:, None] > times[None, :]
    terms = died * survival ** 2 / g_event[:, None] + alive * (1 - survival) ** 2 / np.maximum(g_times, 1e-12)[None, :]
    scores = terms.mean(axis=0)
    return np.where(g_times > 0, scores, np.nan)


def follow_up_grid(duration, step=1.0):
    """The grid the integrated Brier score runs over: ``step, 2 step, ...`` below the last observed time.

    With ``step = 1`` in the unit of the durations that is every day of CDNOW's follow-up before its
    administrative end (days 1 .. 272 of 273: CoxPH IBS 0.1208 there, issue 6's anchor 0.1205), every week of the
    simulator's (weeks 1 .. 25 of 26, the model's own grid) and every month of Telco's tenure (1 .. 71 of 72).

    Args:
        duration: ``(n,)`` observed times (> 0 somewhere). step: grid spacing, in the unit of ``duration``.

    Returns:
        ``(m,)`` float grid.
    """
    return step * np.arange(1, int(np.ceil(np.max(duration) / step)), dtype=float)


def survival_at(survival, times, at):
    """Curves ``(n, m)`` given at ``times`` ``(m,)`` read at ``at`` ``(p,)``: linear between grid points from
    ``S(0) = 1`` (a constant event density within each interval), held at the last value after ``times[-1]``.

    Returns:
        ``(n, p)``.
    """
    survival = np.asarray(survival, float)
    knots = np.concatenate([[0.0], np.asarray(times, float)])
    curves = np.concatenate([np.ones((len(survival), 1)), survival], axis=1)
    at = np.clip(np.asarray(at, float), 0.0, knots[-1])
    right = np.clip(np.searchsorted(knots, at, side="left"), 1, len(knots) - 1)
    weight = (at - knots[right - 1]) / (knots[right] - knots[right - 1])
    return curves[:, right - 1] * (1 - weight) + curves[:, right] * weight


def integrated_brier(duration, event, survival, times, censoring=None, grid=None):
    """The IPCW Brier score integrated (trapezoid rule) over a grid and divided by its length.

    Args:
        duration, event: ``(n,)``. survival: ``(n, m)`` on ``times`` ``(m,)``.
        censoring: the censoring survival ``G`` (default: Kaplan-Meier of the censoring times).
        grid: the times to integrate over (default: ``times``, the curves' own grid); each curve is read there
            with :func:`survival_at`. Grid points at or after the last observed time, or past the curves' last
            time ``times[-1]`` (nothing predicted there), are dropped.

    Returns:
        The score; ``nan`` when no grid point is left (e.g. the whole-unit :func:`follow_up_grid` of durations
        that all are 1 or less), one grid point's Brier score when one is.

    :func:`score` passes :func:`follow_up_grid`: on CDNOW (weekly curves, everyone censored at 273 days) days
    1 .. 272.
    """
    times = np.asarray(times, float)
    grid = times if grid is None else np.asarray(grid, float)
    survival = np.asarray(survival, float) if grid is times else survival_at(survival, times, grid)
    keep = (grid < np.max(duration)) & (grid <= times[-1])
    scores = brier_scores(duration, event, survival[:, keep], grid[keep], censoring)
    ok = np.isfinite(scores)
    t, s = grid[keep][ok], scores[ok]
    if len(t) == 0:
        return float("nan")
    if len(t) == 1:
        return float(s[0])
    return float(np.trapezoid(s, t) / (t[-1] - t[0]))


def score(duration, event, risk, survival, times):
    """``{"c_index", "c_td", "ibs", "n"}`` of one model's predictions; the IBS over :func:`follow_up_grid`
    (whole time units of ``duration``: days on CDNOW, weeks on the simulator, months on Telco).

    Raises:
        ValueError: no comparable pair of customers (none at all, no event, or every event at the latest time):
            Harrell's C is undefined there (lifelines would raise ZeroDivisionError).
    """
    if not has_comparable_pair(duration, event):
        events = int(np.sum(np.asarray(event, int)))
        raise ValueError(f"score: no comparable pair of customers among {len(duration)} ({events} with an event): "
                         "the C-index is undefined, so there is nothing to score")
    return {
        "c_index": harrell_c(duration, event, risk),
        "c_td": td_concordance(duration, event, survival, times),
        "ibs": integrated_brier(duration, event, survival, times, grid=follow_up_grid(duration)),
        "n": int(len(duration)),
    }


def calibration(duration, event, curves, times, at):
    """Mean predicted S(t) of each model beside the Kaplan-Meier estimate at the times ``at``.

    Args:
        curves: dict model name -> ``(n, m)`` survival on ``times``. at: the times to compare, in
            ``[0, times[-1]]``; each curve is read there with :func:`survival_at` (its own value at a grid
            point, linear between grid points, as the integrated Brier score reads it).

    Returns:
        DataFrame indexed by ``at`` with a ``kaplan_meier`` column and one column per model.

    Raises:
        ValueError: a time in ``at`` outside ``[0, times[-1]]`` (the curves say nothing after their grid).
    """
    times = np.asarray(times, float)
    outside = [t for t in np.asarray(at, float) if not 0 <= t <= times[-1]]
    if outside:
        raise ValueError(f"calibration at {outside[0]:g}: outside the curves' grid [0, {times[-1]:g}]")
    km = KaplanMeierFitter().fit(np.asarray(duration, float), np.asarray(event, int))
    table = pd.DataFrame({"kaplan_meier": km.survival_function_at_times(np.asarray(at, float)).to_numpy()},
                         index=pd.Index(at, name="time"))
    for name, survival in curves.items():
        table[name] = survival_at(survival, times, at).mean(axis=0)
    return table


def calibration_plot(table, path=None, unit="days", ax=None):
    """Plots :func:`calibration`'s table (predicted mean S(t) vs Kaplan-Meier, one line per model, the diagonal
    dashed) on ``ax`` (a new 4.5 x 4.5 inch figure if ``None``) and returns the ``Axes``. With ``path`` (a file
    name, PNG/PDF/SVG by its suffix, or a binary file object) the figure is also saved there; a figure made here
    is then closed."""
    import matplotlib.pyplot as plt

    made = ax is None
    figure, axis = plt.subplots(figsize=(4.5, 4.5)) if made else (ax.figure, ax)
    km = table["kaplan_meier"].to_numpy()
    for name in table.columns.drop("kaplan_meier"):
        axis.plot(km, table[name].to_numpy(), "o-", label=name)
        for t, x, y in zip(table.index, km, table[name]):
            axis.annotate(f"{t}", (x, y), textcoords="offset points", xytext=(4, -10), fontsize=7)
    low = min(km.min(), table.to_numpy().min()) - 0.02
    axis.plot([low, 1], [low, 1], "k--", lw=0.8, label="ideal")
    axis.set_xlabel("Kaplan-Meier S(t)")
    axis.set_ylabel("mean predicted S(t)")
    axis.set_title(f"calibration at t ({unit})")
    axis.legend(fontsize=8)
    if path is not None:
        figure.tight_layout()
        figure.savefig(path)
        if made:
            plt.close(figure)
    return axis


def paired_bootstrap(duration, event, predictions, times, reference="coxph", n_boot=200, seed=0):
    """Bootstrap intervals of each model's difference in C, time-dependent C and IBS to ``reference``.

    The customers are resampled with replacement, and every model is scored on the same resample (the IBS
    over the :func:`follow_up_grid` of all customers, as :func:`score`). A resample on which a metric is
    undefined (no comparable pair of customers, as a small file often gives: no event drawn; or no grid point for
    the IBS) is left out for every model, so each difference stays paired.

    Args:
        duration, event: ``(n,)``.
        predictions: dict name -> ``(risk (n,), survival (n, m))``; must hold ``reference``. Every input is read
            by position, as :func:`score` reads it: arrays, lists and pandas objects alike (a Series' index,
            e.g. lifelines' ``predict_log_partial_hazard`` after a shuffle or a split, is not used to align rows).
        n_boot: resamples. seed: for the resampling.

    Returns:
        DataFrame, one row per other model: for ``c`` (Harrell's C), ``ctd`` (Antolini's) and ``ibs``, the
        mean difference to the reference (``d<metric>_mean``) and its 95 % percentile interval
        (``d<metric>_low``, ``d<metric>_high``); a C gain is positive, an IBS gain negative. ``attrs["resamples"]``
        is the number of resamples they are over (``n_boot`` less those left out); all ``nan`` when it is 0.

    Raises:
        ValueError: ``reference`` is not in ``predictions``, or a model's risk or survival does not have one row
            per customer.
    """
    duration = np.asarray(duration, float)
    event = np.asarray(event, int)
    if reference not in predictions:
        raise ValueError(f"paired_bootstrap: the reference {reference!r} is not among the predictions "
                         f"({', '.join(map(repr, predictions))})")
    predictions = {name: (np.asarray(risk, float), np.asarray(surv, float))
                   for name, (risk, surv) in predictions.items()}  # positional, as score reads them
    for name, (risk, surv) in predictions.items():
        if len(risk) != len(duration) or len(surv) != len(duration):
            raise ValueError(f"paired_bootstrap: {name!r} has {len(risk)} risks and {len(surv)} survival curves "
                             f"for {len(duration)} customers: one of each per customer, in the durations' order")
    censoring = _censoring_survival(duration, event)
    grid = follow_up_grid(duration)
    rng = np.random.default_rng(seed)

    def metrics(d, e, risk, surv):
        return (harrell_c(d, e, risk), td_concordance(d, e, surv, times),
                integrated_brier(d, e, surv, times, censoring, grid))

    names = [name for name in predictions if name != reference]
    diffs = {name: [] for name in names}
    used = 0
    for _ in range(n_boot):
        sample = rng.integers(0, len(duration), len(duration))
        d, e = duration[sample], event[sample]
        if not has_comparable_pair(d, e):  # lifelines' C would raise ZeroDivisionError
            continue
        ref_risk, ref_surv = predictions[reference]
        ref = np.array(metrics(d, e, ref_risk[sample], ref_surv[sample]))
        drawn = {}
        for name in names:
            risk, surv = predictions[name]
            drawn[name] = np.array(metrics(d, e, risk[sample], surv[sample])) - ref
        if all(np.isfinite(values).all() for values in drawn.values()):
            used += 1
            for name, values in drawn.items():
                diffs[name].append(values)
    rows = {}
    for name, values in diffs.items():
        values = np.asarray(values).reshape(-1, 3)
        rows[name] = {}
        for j, metric in enumerate(("c", "ctd", "ibs")):
            column = values[:, j]
            mean, low, high = (column.mean(), *np.percentile(column, [2.5, 97.5])) if used else [np.nan] * 3
            rows[name].update({f"d{metric}_mean": mean, f"d{metric}_low": low, f"d{metric}_high": high})
    table = pd.DataFrame(rows).T
    table.attrs["resamples"] = used
    return table
