"""Report section: time to the next purchase on the bundled CDNOW sample, the shipped gated survival model
beside CoxPH on RFM aggregates and Kaplan-Meier.

The scores are those of ``python -m domains.churn evaluate --transactions <the bundled sample>``: landmark
1997-09-30, follow-up 273 days, weekly grid; every model is fitted on (or, for the shipped model, was trained
on) the same 2,357 customers it is scored on, so they are in-sample. The cross-validated figures from the
model card are shown beside them.
"""

import io
import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter

from domains.churn import baselines, data, evaluate, pipelines
from domains.churn.__main__ import SHIPPED
from domains.report.document import Figure, Section, Table, figure_png
from shared.safe_load import load_model

GROUPS = 4


def _load_shipped():
    """The shipped model and its card, or ``(None, None)`` when the weights are absent."""
    card_path = SHIPPED.with_suffix(".json")
    if not (SHIPPED.is_file() and card_path.is_file()):
        return None, None
    import domains.churn.model  # noqa: F401  (registers the layers and the loss)

    return load_model(SHIPPED), json.loads(card_path.read_text())


def survival_curves(duration, event, curves, times, risk, risk_name):
    """Two panels: the observed Kaplan-Meier curve with each model's mean predicted S(t); and, for quartiles
    of ``risk``, the observed curve of each group (solid) beside the mean prediction of ``risk_name`` (dashed).

    Args:
        duration, event: ``(n,)`` days and 0/1. curves: model name -> ``(n, m)`` S(t) on ``times`` (days).
        risk: ``(n,)`` scores that define the groups (higher = sooner event).
    """
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    grid = np.concatenate([[0], times])
    KaplanMeierFitter().fit(duration, event, label="observed (Kaplan-Meier)").plot_survival_function(
        ax=left, color="black", ci_show=True)
    for name, survival in curves.items():
        left.plot(grid, np.concatenate([[1], survival.mean(axis=0)]), drawstyle="steps-post", label=f"{name}: mean S(t)")
    left.set_title("all customers")
    groups = pd.qcut(pd.Series(risk).rank(method="first"), GROUPS, labels=False).to_numpy()
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for group in range(GROUPS):
        members = groups == group
        colour = colours[group % len(colours)]
        fitter = KaplanMeierFitter().fit(duration[members], event[members])
        right.step(fitter.timeline, fitter.survival_function_.iloc[:, 0], where="post", color=colour,
                   label=f"risk quartile {group + 1} observed")
        right.plot(grid, np.concatenate([[1], curves[risk_name][members].mean(axis=0)]), "--", color=colour,
                   drawstyle="steps-post")
    right.set_title(f"by quartile of {risk_name} risk (dashed: {risk_name}'s mean prediction)")
    for axis in (left, right):
        axis.set_xlabel("days after the landmark")
        axis.legend(fontsize=7, loc="lower left")
    left.set_ylabel("S(t): share with no purchase yet")
    figure.tight_layout()
    return figure_png(figure)


def _baselines_only(log, landmark, horizon):
    """CoxPH and Kaplan-Meier fitted and scored on ``log`` as :func:`domains.churn.pipelines.score_log`
    scores them beside a model, for when no model is shipped: a :class:`~domains.churn.pipelines.Scored`."""
    times = pipelines.WIDTH_DAYS * np.arange(1, int(np.ceil(horizon / pipelines.WIDTH_DAYS)) + 1)
    _, _, rfm, target = pipelines.log_data(log, landmark, horizon)
    duration, event = target["duration"].to_numpy(), target["event"].to_numpy()
    cox = baselines.CoxBaseline().fit(rfm, duration, event)
    km = baselines.KaplanMeierBaseline().fit(duration, event)
    predictions = {"coxph": (cox.risk(rfm), cox.survival(rfm, times)),
                   "km": (km.risk(len(duration)), km.survival(len(duration), times))}
    return pipelines.Scored(predictions, duration, event, times, "days")


def section(settings):
    """The churn :class:`~domains.report.document.Section` (``settings`` is accepted for a uniform interface;
    the whole sample is scored in every run, which takes seconds)."""
    landmark, horizon = data.CDNOW_LANDMARK, data.CDNOW_HORIZON_DAYS
    log = data.load_cdnow_sample()
    model, card = _load_shipped()
    scored = (pipelines.score_log(model, card, log, landmark, horizon, log) if model is not None
              else _baselines_only(log, landmark, horizon))
    predictions, times = scored.predictions, scored.times
    duration, event = np.asarray(scored.duration, float), np.asarray(scored.event, int)
    scores = pd.DataFrame(scored.scores()).T
    scores = scores.rename(columns={"c_index": "Harrell C", "c_td": "time-dependent C", "ibs": "integrated Brier",
                                    "n": "customers"})
    scores["customers"] = scores["customers"].astype(int)
    scores.index.name = "model"
    curves = {name: s for name, (_, s) in predictions.items()}
    calibration = scored.calibration()
    calibration.index.name = "day"
    buffer = io.BytesIO()
    evaluate.calibration_plot(calibration, buffer)
    risk_name = "gated" if model is not None else "coxph"
    result = Section(
        key="churn", title="Churn as survival: CDNOW customers' next purchase", shipped=model is not None,
        model=(f"Shipped model `{SHIPPED.name}`: {card['model']} (seed {card['seed']})" if card else
               f"No shipped model (`domains/churn/weights/{SHIPPED.name}` is absent): baselines only."),
        paragraphs=[f"Bundled CDNOW sample: {len(duration):,} customers, landmark {landmark}; the target is the number "
                    f"of days to the next purchase after it, censored at {horizon} days ({int(event.sum()):,} "
                    "purchases seen). Harrell's C ranks customers by one risk score, the time-dependent C "
                    "(Antolini) by their curves; the integrated Brier score (IPCW, every day of the follow-up) judges the "
                    "curves themselves (lower is better; Kaplan-Meier is the no-covariate reference)."],
        tables=[Table("Scores on the bundled sample (in-sample: see the notes)", scores),
                Table("Calibration: mean predicted S(t) beside the Kaplan-Meier estimate", calibration)],
        figures=[Figure("churn_survival", "Survival curves: observed against mean predicted, overall and by risk "
                        "quartile", survival_curves(duration, event, curves, times, predictions[risk_name][0], risk_name)),
                 Figure("churn_calibration", f"Calibration at {', '.join(f'{t:g}' for t in calibration.index)} days "
                        "(on the diagonal: calibrated)",
                        buffer.getvalue())],
        notes=["The shipped model was trained on this very sample and CoxPH is fitted on it here: both scores are "
               "in-sample, so small differences between them say little." if model is not None else
               "CoxPH and Kaplan-Meier are fitted on this very sample here: their scores are in-sample."],
    )
    cv = (card or {}).get("cross_validation_on_sample")
    if cv:
        rows = {name: {key: cv[name].get(key) for key in ("c_index", "c_td", "ibs")} for name in ("gated", "coxph", "km")
                if name in cv}
        frame = pd.DataFrame(rows).T.rename(columns={"c_index": "Harrell C", "c_td": "time-dependent C",
                                                     "ibs": "integrated Brier"})
        frame.index.name = "model"
        result.tables.append(Table(f"Cross-validated on the sample, from the model card (not recomputed): {cv['protocol']}",
                                   frame))
        if cv.get("note"):
            result.notes.append(f"Model card: {cv['note'].rstrip('.')}.")
    return result
