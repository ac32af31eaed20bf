"""The two pipelines behind the command line: CDNOW-format transaction logs and static survival tables.

- Transaction logs (``customer_id,date,number_of_cds,dollar_value``): 39 weekly bins up to the landmark L
  plus the protocol's RFM aggregates in, the ``nextbuy`` target after L out (weekly intervals, days).
- Static tables (one row per customer: duration, event, covariates; Telco-style): the covariates in, the
  duration and event out, ``K`` intervals of ``width`` duration units; no recurrent part.

Both score a trained network beside lifelines' CoxPH and Kaplan-Meier fitted on the model's training data
(the training log or table recorded in the model's card: the bundled 2,357-customer CDNOW sample for the
shipped model), on the same customers and the same time grid, as a :class:`Scored`. The files are read and checked by
:mod:`domains.churn.inputs` (before Keras is imported).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from domains.churn import baselines, data, evaluate, train
from domains.churn.inputs import WIDTH_DAYS, check_horizon
from domains.churn.model import expected_time, risk_score


@dataclass
class Scored:
    """Predictions of every model on one scored population.

    Attributes:
        predictions: name (``gated``, ``coxph``, ``km``) -> ``(risk (n,), survival (n, m))``.
        duration, event: ``(n,)`` the observed outcome. times: ``(m,)`` the grid of the curves.
        unit: the unit of ``duration`` and ``times`` (``days``, or the table's).
    """

    predictions: dict
    duration: np.ndarray
    event: np.ndarray
    times: np.ndarray
    unit: str

    def scores(self):
        """``{name: {"c_index", "c_td", "ibs", "n"}}``."""
        return {name: evaluate.score(self.duration, self.event, risk, survival, self.times)
                for name, (risk, survival) in self.predictions.items()}

    def calibration(self):
        """Mean predicted S(t) vs Kaplan-Meier at a third, two thirds and all of the grid (13/26/39 weeks on CDNOW):
        the grid points ending those parts, each once (a grid of 1 or 2 points gives 1 or 2 times)."""
        at = sorted({self.times[max(len(self.times) * k // 3, 1) - 1] for k in (1, 2, 3)})
        curves = {name: survival for name, (_, survival) in self.predictions.items()}
        return evaluate.calibration(self.duration, self.event, curves, self.times, at)


def log_data(log, landmark, horizon_days, static=True, weeks=train.CDNOW_WEEKS, event_types=None):
    """``(inputs, customers, rfm, target)`` of a log; ``target`` (duration, event by customer) is None
    without ``horizon_days``; ``event_types`` as :func:`domains.churn.train.cdnow_inputs`."""
    inputs, sequences, rfm = train.cdnow_inputs(log, landmark, static, weeks, event_types)
    target = None if horizon_days is None else data.survival_targets(log, landmark, horizon_days, sequences.customers)
    return inputs, sequences.customers, rfm, target


def score_log(model, card, log, landmark, horizon_days, baseline):
    """The network, and CoxPH / Kaplan-Meier fitted on the log ``baseline`` (the model's training log,
    :func:`domains.churn.inputs.baseline_log`) at the same landmark and follow-up, on ``log``: a :class:`Scored`."""
    check_horizon(card, horizon_days)
    intervals = int(np.ceil(horizon_days / WIDTH_DAYS))
    times = WIDTH_DAYS * np.arange(1, intervals + 1)
    inputs, _, rfm, target = log_data(log, landmark, horizon_days, card["static"], card["weeks"],
                                      card.get("event_types", []))
    survival = train.predict_survival(model, inputs, WIDTH_DAYS)["survival"][:, :intervals]

    _, _, base_rfm, base_target = log_data(baseline, landmark, horizon_days, True, card["weeks"])
    predictions = _beside_baselines(survival, WIDTH_DAYS, rfm, times, base_rfm, base_target)
    return Scored(predictions, target["duration"].to_numpy(), target["event"].to_numpy(), times, "days")


def _beside_baselines(survival, width, covariates, times, fit_covariates, fit_target):
    """``{"gated", "coxph", "km"}`` -> ``(risk (n,), S at times (n, len(times)))``: the network's survival
    ``(n, K)`` over intervals of ``width``, and CoxPH on ``covariates`` / Kaplan-Meier fitted on ``fit_covariates``
    with ``fit_target`` (duration, event columns)."""
    cox = baselines.CoxBaseline().fit(fit_covariates, fit_target["duration"], fit_target["event"])
    km = baselines.KaplanMeierBaseline().fit(fit_target["duration"], fit_target["event"])
    n = len(survival)
    return {
        "gated": (risk_score(survival, width), survival),
        "coxph": (cox.risk(covariates), cox.survival(covariates, times)),
        "km": (km.risk(n), km.survival(n, times)),
    }


def table_grid(card):
    """The interval grid of a table model: ``width * (1 .. K)`` in the table's duration unit."""
    return card["table"]["width"] * np.arange(1, card["intervals"] + 1)


def score_table(model, card, table, baseline):
    """The network, and CoxPH / Kaplan-Meier fitted on ``baseline``, on a table: a :class:`Scored`.

    Args:
        table, baseline: ``(frame, covariates)`` of the scored table and of the one the baselines are fitted
            on (:func:`domains.churn.inputs.read_table`, :func:`domains.churn.inputs.baseline_table`).
    """
    frame, covariates = table
    base_frame, base_covariates = baseline
    width, times = card["table"]["width"], table_grid(card)
    survival = train.predict_survival(model, [covariates.to_numpy("float32")], width)["survival"]
    predictions = _beside_baselines(survival, width, covariates, times, base_covariates, base_frame)
    return Scored(predictions, frame["duration"].to_numpy(), frame["event"].to_numpy(), times,
                  card["table"]["duration"])


def curves_table(customers, survival, times, width, suffix=""):
    """The ``predict`` output: ``customer_id``, ``S_<t><suffix>`` per grid time, ``expected_<unit>``, ``risk``."""
    table = pd.DataFrame(survival, columns=[f"S_{t:g}{suffix}" for t in times])
    table.insert(0, "customer_id", np.asarray(customers))
    table["expected_days" if suffix == "d" else "expected_time"] = expected_time(survival, width)
    table["risk"] = risk_score(survival, width)
    return table
