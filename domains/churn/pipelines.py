"""The two pipelines behind the command line: CDNOW-format transaction logs and static survival tables.

- Transaction logs (``customer_id,date,number_of_cds,dollar_value``): 39 weekly bins up to the landmark L
  plus the protocol's RFM aggregates in, the ``nextbuy`` target after L out (weekly intervals, days).
- Static tables (one row per customer: duration, event, covariates; Telco-style): the covariates in, the
  duration and event out, ``K`` intervals of ``width`` duration units; no recurrent part.

Both score a trained network beside lifelines' CoxPH and Kaplan-Meier fitted on the model's training data
(the bundled 2,357-customer CDNOW sample; the training table recorded in a table model's card), on the same
customers and the same time grid, as a :class:`Scored`.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from shared.cli import InputError

from domains.churn import baselines, data, evaluate, train
from domains.churn.model import expected_time, risk_score

WIDTH_DAYS = 7  # days per interval of the transaction-log model


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
        """Mean predicted S(t) vs Kaplan-Meier at a third, two thirds and all of the grid (13/26/39 weeks on CDNOW)."""
        at = [self.times[len(self.times) * k // 3 - 1] for k in (1, 2, 3)]
        curves = {name: survival for name, (_, survival) in self.predictions.items()}
        return evaluate.calibration(self.duration, self.event, curves, self.times, at)


def read_log(path, landmark, horizon_days=None):
    """A validated transaction log whose customers all have a purchase on or before ``landmark``.

    With ``horizon_days`` a purchase after ``landmark + horizon_days`` (the data end) is an error.
    """
    end = None if horizon_days is None else pd.Timestamp(landmark) + pd.Timedelta(days=horizon_days)
    log = data.read_event_log(path, numeric=data.CDNOW_NUMERIC, data_end=end)
    data.check_histories(log, landmark)
    return log


def log_data(log, landmark, horizon_days, static=True, weeks=train.CDNOW_WEEKS):
    """``(inputs, customers, rfm, target)`` of a log; ``target`` (duration, event by customer) is None
    without ``horizon_days``."""
    inputs, sequences, rfm = train.cdnow_inputs(log, landmark, static, weeks)
    target = None if horizon_days is None else data.survival_targets(log, landmark, horizon_days, sequences.customers)
    return inputs, sequences.customers, rfm, target


def score_log(model, card, log, landmark, horizon_days):
    """The network, and CoxPH / Kaplan-Meier fitted on the bundled CDNOW sample, on one log: a :class:`Scored`."""
    intervals = int(np.ceil(horizon_days / WIDTH_DAYS))
    if intervals > card["intervals"]:
        raise InputError(f"--horizon-days {horizon_days}: the model predicts {card['intervals'] * WIDTH_DAYS} days at most")
    times = WIDTH_DAYS * np.arange(1, intervals + 1)
    inputs, _, rfm, target = log_data(log, landmark, horizon_days, card["static"], card["weeks"])
    survival = train.predict_survival(model, inputs, WIDTH_DAYS)["survival"][:, :intervals]

    sample = data.load_cdnow_sample()
    _, _, sample_rfm, sample_target = log_data(sample, landmark, horizon_days, True, card["weeks"])
    predictions = _beside_baselines(survival, WIDTH_DAYS, rfm, times, sample_rfm, sample_target)
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


def read_table(path, card=None, outcome=True, **columns):
    """``(frame, covariates, schema)`` of a static table, as :func:`domains.churn.data.read_static_table`.

    Args:
        card: a table model's card: its columns and covariate schema are used (the table must match them).
        outcome: read the duration and event columns (False for prediction).
        **columns: ``duration``, ``event``, ``id_column``, ``drop`` when there is no card.
    """
    if card is not None:
        columns = {key: card["table"][key] for key in ("duration", "event", "id_column", "drop")}
    if not outcome:
        columns.update(duration=None, event=None)
    return data.read_static_table(path, schema=None if card is None else card["table"]["schema"], **columns)


def table_grid(card):
    """The interval grid of a table model: ``width * (1 .. K)`` in the table's duration unit."""
    return card["table"]["width"] * np.arange(1, card["intervals"] + 1)


def score_table(model, card, path, baseline_path=None):
    """The network, and CoxPH / Kaplan-Meier fitted on its training table, on a table: a :class:`Scored`.

    Args:
        baseline_path: the table the baselines are fitted on (default: the training table in the card).
    """
    baseline_path = Path(baseline_path or card["data"]["path"])
    if not baseline_path.exists():
        raise InputError(f"{baseline_path}: the model's training table, on which CoxPH and Kaplan-Meier are "
                         "fitted, is not there; pass it with --baseline-table")
    frame, covariates, _ = read_table(path, card)
    base_frame, base_covariates, _ = read_table(baseline_path, card)
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
