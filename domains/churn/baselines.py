"""Baselines beside the recurrent model: Kaplan-Meier (no skill) and lifelines' CoxPH on aggregates.

- :func:`rfm_features`: the CDNOW protocol's 17 recency / frequency / monetary aggregates per customer, from
  the purchases on or before the landmark (``shared/data/churn/PROTOCOL.md``).
- :func:`sequence_aggregates`: totals and recent-window sums of a weekly ``(n, T, F)`` history (the
  aggregate baseline for simulated customers).
- :class:`CoxBaseline`: standardised features -> ``lifelines.CoxPHFitter(penalizer=0.01)`` (refitted with
  shorter Newton steps when lifelines' full steps fail to converge).
- :class:`KaplanMeierBaseline`: one curve for everyone.

Both baselines are fitted with ``fit(...)`` (returns self) and give the two predictions
:func:`domains.churn.evaluate.score` judges every model by, a survival curve ``(n, len(times))`` and a risk
``(n,)`` (higher = sooner event): ``CoxBaseline.survival(covariates, times)`` and ``CoxBaseline.risk(covariates)``
per customer; ``KaplanMeierBaseline.survival(n, times)`` and ``KaplanMeierBaseline.risk(n)``, the same curve and
a risk of 0 for ``n`` customers.
"""

import warnings

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from domains.churn import data

RFM_FEATURES = [
    "log_repeat_days", "recency", "age", "span", "log_spend", "log_quantity", "avg_spend", "avg_quantity",
    "first_spend", "first_quantity", "days_last_30", "days_last_90", "days_last_180", "spend_last_90",
    "mean_gap", "max_gap", "repeat_buyer",
]


def rfm_features(log, landmark, customers, quantity="number_of_cds", spend="dollar_value", checked=False):
    """The protocol's aggregate features, one row per customer, from the events on or before ``landmark``.

    Purchases are counted in purchase days (same-day rows summed). Recency, age and span are in days from
    the landmark / between first and last purchase day; averages are per purchase day; gaps are between
    consecutive purchase days (0 for a single purchase day, where ``repeat_buyer`` is 0).

    Args:
        log: a table from :func:`domains.churn.data.read_event_log`, or a DataFrame of the same columns (read as
            :func:`domains.churn.data.check_log` returns it).
        landmark: L. customers: the ids, in the order of the rows returned.
        quantity, spend: the numeric columns holding the number of items and the amount.
        checked: ``log`` is what :func:`domains.churn.data.check_log` returned for those two columns, so it is not
            checked again (``domains.churn.train.cdnow_inputs`` checks its log once, for the histories and these).

    Returns:
        float DataFrame indexed by customer with the columns :data:`RFM_FEATURES`.

    Raises:
        InputError: a log :func:`domains.churn.data.read_event_log` would refuse
            (:func:`domains.churn.data.check_log`: a NaN, infinite or negative amount, ...), a customer id is not in
            the log, or has no event on or before the landmark (:func:`domains.churn.data.check_customers`,
            :func:`domains.churn.data.check_histories`), or a landmark that is not a date
            (:func:`domains.churn.data.landmark_date`).
    """
    if not checked:
        log = data.check_log(log, [quantity, spend])  # categorical ids as plain values, object amounts as floats
    landmark = data.landmark_date(landmark)
    before, _ = data.check_histories(log, landmark, data.check_customers(log, customers))
    days = before.groupby(["customer_id", "date"])[[quantity, spend]].sum().reset_index()
    days = days.sort_values(["customer_id", "date"])
    days["back"] = (landmark - days["date"]).dt.days
    days["gap"] = days.groupby("customer_id")["date"].diff().dt.days
    grouped = days.groupby("customer_id")
    n_days = grouped.size()
    first = grouped.first()
    table = pd.DataFrame({
        "log_repeat_days": np.log1p(n_days - 1),
        "recency": grouped["back"].min(),
        "age": grouped["back"].max(),
        "span": grouped["back"].max() - grouped["back"].min(),
        "log_spend": np.log1p(grouped[spend].sum()),
        "log_quantity": np.log1p(grouped[quantity].sum()),
        "avg_spend": grouped[spend].mean(),
        "avg_quantity": grouped[quantity].mean(),
        "first_spend": first[spend],
        "first_quantity": first[quantity],
        "days_last_30": grouped["back"].apply(lambda b: (b < 30).sum()),
        "days_last_90": grouped["back"].apply(lambda b: (b < 90).sum()),
        "days_last_180": grouped["back"].apply(lambda b: (b < 180).sum()),
        "spend_last_90": days[days["back"] < 90].groupby("customer_id")[spend].sum(),
        "mean_gap": grouped["gap"].mean(),
        "max_gap": grouped["gap"].max(),
        "repeat_buyer": (n_days > 1).astype(float),
    })
    return table.reindex(pd.Index(customers)).fillna(0.0).astype(float)[RFM_FEATURES]


def sequence_aggregates(x, features, windows=(4, 13)):
    """Aggregates of a weekly history ``x`` ``(n, T, F)`` (as :func:`domains.churn.data.weekly_sequences`).

    Per feature other than ``active`` and ``days_since_last``: the total over the history and the totals over
    the last ``windows`` weeks; plus ``tenure`` (active weeks) and ``recency`` (days since the last event at
    the landmark, in quarters). Timing inside a window is lost, as in any RFM summary.

    Returns:
        float DataFrame ``(n, columns)``.
    """
    columns = {"tenure": x[:, :, 0].sum(axis=1)}
    if "days_since_last" in features:
        columns["recency"] = x[:, -1, features.index("days_since_last")]
    for j, name in enumerate(features):
        if name in ("active", "days_since_last"):
            continue
        columns[f"{name}_total"] = x[:, :, j].sum(axis=1)
        for window in windows:
            columns[f"{name}_last{window}"] = x[:, -window:, j].sum(axis=1)
    return pd.DataFrame(columns).astype(float)


class CoxBaseline:
    """lifelines CoxPH on standardised covariates (penalizer 0.01, as the protocol).

    When lifelines' Newton-Raphson fails to converge (a ``ConvergenceWarning``: on 1 of the 10 folds of a
    5-fold x 2 cross-validation of the CDNOW sample its full steps stop at a log-likelihood of -5879 instead
    of -3688, C 0.61 instead of 0.72), the fit is redone with the shorter steps of :attr:`RETRY_STEPS` in turn
    until one converges (on the sample with a 7-day follow-up, half steps still stop at -533 with C 0.24 on its
    own customers; quarter steps reach -327, C 0.82); a fit that converges is left as it is. When none does, the
    shortest steps' fit is kept with a ``UserWarning`` saying its scores are not to be trusted.

    A covariate that is constant in the training data is left out, with a warning naming it: lifelines
    divides each covariate by its standard deviation and stops with a ``ConvergenceError`` on a constant one,
    whose coefficient would be 0 anyway (it moves no hazard; the penalizer pulls it to 0).

    Args:
        penalizer: lifelines' penalizer (L2 by default).
    """

    #: lifelines' Newton step sizes for the refits after a convergence failure, in turn (its default: 0.95)
    RETRY_STEPS = (0.5, 0.25, 0.1)

    def __init__(self, penalizer=0.01):
        self.penalizer = penalizer

    def fit(self, covariates, duration, event):
        """Fits on ``covariates`` (DataFrame ``(n, p)``), durations and 0/1 events; returns self.

        Raises:
            ValueError: no customers (0 rows), or every covariate is constant.
        """
        if len(covariates) == 0:
            raise ValueError("CoxBaseline: no customers (the covariates have 0 rows): nothing to fit")
        values = covariates.to_numpy(dtype=float)
        constant = np.ptp(values, axis=0) == 0
        names = ", ".join(repr(name) for name in covariates.columns[constant])
        if constant.all():
            raise ValueError(f"CoxBaseline: every covariate is constant in the training data ({names}): nothing to fit")
        if constant.any():
            warnings.warn(f"CoxBaseline: covariate(s) {names} constant in the training data, left out", UserWarning,
                          stacklevel=2)
        self.columns_ = list(covariates.columns[~constant])
        self.scaler_ = StandardScaler().fit(values[:, ~constant])
        frame = self._scaled(covariates)
        frame["duration"] = np.asarray(duration, dtype=float)
        frame["event"] = np.asarray(event, dtype=int)
        for step in (None, *self.RETRY_STEPS):
            options = {} if step is None else {"fit_options": {"step_size": step}}
            with warnings.catch_warnings():
                warnings.simplefilter("error", ConvergenceWarning)
                try:
                    self.fitter_ = CoxPHFitter(penalizer=self.penalizer).fit(frame, "duration", "event", **options)
                    return self
                except ConvergenceWarning:
                    pass
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # said once, below
            self.fitter_ = CoxPHFitter(penalizer=self.penalizer).fit(frame, "duration", "event", **options)
        steps = ", ".join(f"{step:g}" for step in self.RETRY_STEPS)
        warnings.warn(f"CoxBaseline: lifelines' CoxPH fit converged neither with its default Newton step size nor "
                      f"with {steps}: the CoxPH baseline's scores are not to be trusted", UserWarning, stacklevel=2)
        return self

    def _scaled(self, covariates):
        values = self.scaler_.transform(covariates[self.columns_].to_numpy(dtype=float))
        return pd.DataFrame(values, columns=self.columns_)

    def risk(self, covariates):
        """Log partial hazard ``(n,)``: higher = sooner event."""
        return np.asarray(self.fitter_.predict_log_partial_hazard(self._scaled(covariates)), dtype=float)

    def survival(self, covariates, times):
        """S(t) at ``times`` for each row: ``(n, len(times))``."""
        curves = self.fitter_.predict_survival_function(self._scaled(covariates), times=np.asarray(times, float))
        return curves.to_numpy().T


class KaplanMeierBaseline:
    """The Kaplan-Meier curve of the training set, the same for every customer (C = 0.5 by construction)."""

    def fit(self, duration, event):
        """Fits on durations and 0/1 events; returns self."""
        self.fitter_ = KaplanMeierFitter().fit(np.asarray(duration, float), np.asarray(event, int))
        return self

    def survival(self, n, times):
        """``(n, len(times))``: the KM curve at ``times``, repeated for ``n`` customers."""
        curve = self.fitter_.survival_function_at_times(np.asarray(times, float)).to_numpy()
        return np.tile(curve, (n, 1))

    def risk(self, n):
        """Zeros ``(n,)``: no ranking."""
        return np.zeros(n)
