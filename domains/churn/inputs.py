"""The command line's inputs, read and checked before TensorFlow is imported.

Importing TensorFlow takes seconds, so every command reads and checks its files here first (the model's
card, the transaction log or table, the scored outcome) and imports it (through
:func:`shared.cli.import_tensorflow`, which holds back its start-up notices) only once they are usable: bad
input is refused at once with the one ``error:`` line of :func:`shared.cli.run`. Nothing in this module
imports Keras.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from shared.backups import file_sha256
from shared.cli import InputError, read_model_card
from shared.data_paths import bundled

from domains.churn import data

WIDTH_DAYS = 7  # days per interval of the transaction-log model


#: What a card must hold for the commands to read its model, by the card's ``kind``: ``train``'s cards have it all.
CARD_KEYS = {"transactions": ("intervals", "static", "weeks"),
             "table": ("intervals", "table")}
TABLE_KEYS = ("width", "duration", "event", "drop", "schema")


def read_card(model):
    """The card (``<model>.json``) of a model file, checking that both files are there and that the card is a
    churn model's (:data:`CARD_KEYS`).

    Raises:
        InputError: the model or its card is missing, the card is not JSON, it is not a churn model's card, or its
            ``landmark`` is not a date (:func:`domains.churn.data.landmark_date`).
    """
    model = Path(model)
    card_path = model.with_suffix(".json")
    if not model.exists() or not card_path.exists():
        raise InputError(f"{model}: model or its card {card_path.name} not found")
    card = read_model_card(card_path)
    kind = card.get("kind", "transactions")
    needed = CARD_KEYS.get(kind) if isinstance(kind, str) else None
    missing = [key for key in needed or () if key not in card]
    if needed and "table" in needed and "table" not in missing:
        table = card["table"]
        missing += [f"table.{key}" for key in TABLE_KEYS if not isinstance(table, dict) or key not in table]
    if needed is None or missing:
        why = f"kind {kind!r}" if needed is None else f"no {', '.join(map(repr, missing))}"
        raise InputError(f"{card_path}: not a churn model's card ({why}); give a model written by "
                         "`python -m domains.churn train`")
    if "landmark" in card:  # the default of --landmark
        data.landmark_date(card["landmark"], f"{card_path}: landmark")
    return card


def check_source(model, card, table):
    """A table model needs ``--table``, a transaction model ``--transactions`` (``table``: which was given)."""
    kind = card.get("kind", "transactions")
    given = "table" if table else "transactions"
    if kind != given:
        what = {"transactions": "transaction logs", "table": "a static table"}[kind]
        raise InputError(f"{model}: the model was trained on {what}; pass --{kind} instead of --{given}")


def check_follow_up(horizon_days):
    """A follow-up of at least one interval (:data:`WIDTH_DAYS`), which ``train`` and ``evaluate`` need.

    The model's curves are read at week ends (7, 14, ... days after L), so on a shorter follow-up their first
    point comes after it ends; under 3.5 days every censored customer would also drop out of training (one counts
    in the intervals it saw at least half of: :func:`domains.churn.model.interval_targets`), and at 1 day the
    integrated Brier score has no whole day before the end to run over.

    Raises:
        InputError: ``horizon_days`` below :data:`WIDTH_DAYS`.
    """
    if horizon_days < WIDTH_DAYS:
        raise InputError(f"--horizon-days {horizon_days}: shorter than one week, the model's interval; the "
                         f"follow-up must be at least {WIDTH_DAYS} days")


def check_horizon(card, horizon_days):
    """The follow-up a transaction model can score: ``horizon_days`` within its ``intervals`` weeks."""
    if int(np.ceil(horizon_days / WIDTH_DAYS)) > card["intervals"]:
        raise InputError(f"--horizon-days {horizon_days}: the model predicts {card['intervals'] * WIDTH_DAYS} "
                         "days at most")


def event_types(log):
    """The sorted ``event_type`` values of a log (``[]`` without the column): the per-type channels of the
    weekly histories a model trained on it reads (recorded in its card as ``event_types``)."""
    return sorted(log["event_type"].unique()) if "event_type" in log.columns else []


def check_event_types(path, log, card):
    """Every ``event_type`` of the log ``path`` is one the model's card lists; a model trained on a log without
    types (as the shipped CDNOW model) takes no ``event_type`` column, and one trained on types needs it (else its
    per-type channels would all read zero).

    Raises:
        InputError: naming the line of the first row with another type (the log's index, as
            :func:`domains.churn.data.read_event_log` gives it), or the missing column.
    """
    known = card.get("event_types", [])
    if "event_type" not in log.columns:
        if known:
            raise InputError(f"{path}: no event_type column, but the model was trained on the types "
                             f"{', '.join(map(repr, known))}: give each row its type")
        return
    unknown = np.flatnonzero(~log["event_type"].isin(known).to_numpy())
    if len(unknown):
        trained = f"types {', '.join(map(repr, known))}" if known else "a log without an event_type column"
        line, kind = log.index[unknown[0]], log["event_type"].iloc[unknown[0]]
        raise InputError(f"{path}: line {line}: event_type {kind!r} is not one the model was trained on "
                         f"({trained}; {len(unknown)} of {len(log)} rows)")


#: Days between a log's last event and its data end beyond which :func:`warn_if_short` warns that the log may end
#: before the follow-up does (CDNOW's 2,357-customer sample has a purchase on its last day).
COVERAGE_WARNING_DAYS = 28


def data_end(landmark, horizon_days, given=None):
    """The last date a transaction log must cover: ``given`` (``--data-end``), by default the end of the
    follow-up ``landmark + horizon_days``.

    Raises:
        InputError: ``landmark`` is not a date (:func:`domains.churn.data.landmark_date`), ``given`` before the
            follow-up ends, or a follow-up past the dates pandas can hold.
    """
    try:
        follow_end = data.landmark_date(landmark, "--landmark") + pd.Timedelta(days=horizon_days)
    except (OverflowError, pd.errors.OutOfBoundsDatetime, pd.errors.OutOfBoundsTimedelta):
        raise InputError(f"--landmark {landmark} with --horizon-days {horizon_days}: the follow-up would end "
                         "after the last date pandas can hold (2262-04-11)") from None
    if given is None:
        return follow_end
    if pd.Timestamp(given) < follow_end:
        raise InputError(f"--data-end {given}: before the end of the follow-up, {follow_end.date()} "
                         f"(--landmark {landmark} + --horizon-days {horizon_days})")
    return pd.Timestamp(given)


def read_log(path, landmark, end=None, end_given=True):
    """A validated transaction log whose customers all have a purchase on or before ``landmark``.

    Args:
        end: the data end (:func:`data_end`): a later purchase is an error. None for prediction.
        end_given: whether ``--data-end`` set it (else the message says how it was derived).
    """
    origin = None if end_given else "the data end is --landmark + --horizon-days unless --data-end gives it"
    log = data.read_event_log(path, numeric=data.CDNOW_NUMERIC, data_end=end, data_end_origin=origin)
    data.check_histories(log, landmark, path=path)
    return log


def warn_if_short(path, log, end):
    """One ``warning:`` line on stderr when the log's last purchase comes more than
    :data:`COVERAGE_WARNING_DAYS` days before its data end ``end``: its customers are scored as watched until
    then, which is wrong if the log stops earlier. Call it once every input check has passed, so that bad input
    still gets one line."""
    gap = (end - log["date"].max()).days
    if gap > COVERAGE_WARNING_DAYS:
        print(f"warning: {path}: the last purchase is on {log['date'].max().date()}, {gap} days before the data "
              f"end {end.date()}: customers without a purchase are scored as watched until then; if the log stops "
              "earlier, pass --data-end or a shorter --horizon-days", file=sys.stderr)


def read_table(path, card=None, outcome=True, **columns):
    """``(frame, covariates, schema)`` of a static table, as :func:`domains.churn.data.read_static_table`.

    Args:
        card: a table model's card: its columns and covariate schema are used (the table must have its
            covariates; the columns it dropped, and for prediction its outcome columns, are ignored if present).
        outcome: read the duration and event columns (False for prediction).
        **columns: ``duration``, ``event``, ``id_column``, ``drop`` when there is no card.
    """
    ignore = []
    if card is not None:
        columns = {key: card["table"][key] for key in ("duration", "event", "id_column")}
        ignore = [*card["table"]["drop"], *([] if outcome else [columns["duration"], columns["event"]])]
    if not outcome:
        columns.update(duration=None, event=None)
    return data.read_static_table(path, schema=None if card is None else card["table"]["schema"], ignore=ignore,
                                  **columns)


#: Spearman correlation with the duration above which :func:`note_duration_proxies` names a covariate.
PROXY_CORRELATION = 0.85


def note_duration_proxies(path, frame, covariates, schema):
    """One ``note:`` line on stderr naming the numeric covariates of the table ``path`` whose Spearman
    correlation with the duration exceeds :data:`PROXY_CORRELATION` in absolute value: a covariate computed from
    the duration (Telco's ``total_charges``, about tenure x monthly charges, 0.89) leaks it, and the model's C
    then measures the leak (0.93 on Telco). Only a note: a strong honest predictor looks the same.

    Args:
        frame: the table's ``duration`` column. covariates, schema: as :func:`read_table` returns them.
    """
    numeric = [name for name, levels in schema.items() if levels is None]
    if not numeric or frame["duration"].nunique() < 2:
        return
    rho = covariates[numeric].corrwith(frame["duration"], method="spearman").dropna()
    proxies = rho[rho.abs() > PROXY_CORRELATION]
    if len(proxies):
        named = ", ".join(f"{name!r} ({value:+.2f})" for name, value in proxies.items())
        print(f"note: {path}: covariate(s) {named} follow the duration closely (Spearman); one computed from it "
              f"leaks it: leave it out with --drop {proxies.index[0]}", file=sys.stderr)


def baseline_table(card, path=None):
    """``(frame, covariates)`` of the table CoxPH and Kaplan-Meier are fitted on beside a table model.

    Args:
        path: that table (default: the model's training table, recorded in its card).
    """
    path = Path(path or card["data"]["path"])
    if not path.exists():
        raise InputError(f"{path}: the model's training table, on which CoxPH and Kaplan-Meier are "
                         "fitted, is not there; pass it with --baseline-table")
    frame, covariates, _ = read_table(path, card)
    return frame, covariates


def baseline_log(card, landmark, horizon_days, path=None):
    """The transaction log CoxPH and Kaplan-Meier are fitted on beside a log model, checked to support them at
    ``landmark`` with ``horizon_days`` of follow-up (every customer has a purchase on or before the landmark;
    some buy within the follow-up, so the fit is not degenerate).

    Args:
        card: the model's card. path: that log (default: the model's training log: the bundled CDNOW sample
            when the card's data is it, byte for byte, else the path recorded in the card).

    Raises:
        InputError: naming the log and what is wrong, or that it is not there or has changed since training (its
            sha256 is not the card's; pass ``--baseline-transactions``).
    """
    if path is None:
        recorded = card.get("data", {})
        sample = bundled("churn", data.CDNOW_FILE)
        if recorded.get("sha256") == file_sha256(sample):
            path = sample
        elif recorded.get("path") and Path(recorded["path"]).exists():
            path = recorded["path"]
            if file_sha256(path) != recorded.get("sha256"):
                raise InputError(f"{path}: the model's training log, on which CoxPH and Kaplan-Meier are fitted, has "
                                 "changed since training (its sha256 is not the card's); pass the log the model was "
                                 "trained on with --baseline-transactions")
        else:
            raise InputError(f"{recorded.get('path') or recorded.get('file', '?')}: the model's training log, on "
                             "which CoxPH and Kaplan-Meier are fitted, is not there; pass it with "
                             "--baseline-transactions")
    what = f"{path} (the log CoxPH and Kaplan-Meier are fitted on)"
    log = data.read_event_log(path, numeric=data.CDNOW_NUMERIC)
    data.check_histories(log, landmark, path=what)
    target = data.survival_targets(log, landmark, horizon_days)
    check_scorable(what, target["duration"], target["event"],
                   f"no purchase within the {horizon_days} days after the landmark {landmark}")
    return log


def check_scorable(path, duration, event, censored):
    """Refuses an outcome on which Harrell's C is undefined: no comparable pair of customers.

    A pair is comparable when one customer has an event and the other is still event-free after it (or
    censored at the same time), as in ``lifelines.utils.concordance_index``; the time-dependent C has the same
    pairs. Without one, C and time-dependent C would be 0 / 0, so the file cannot be scored (nor trained on).

    Args:
        path: the file, for the message. duration, event: ``(n,)`` the outcome.
        censored: what no event means, for the message (e.g. "no purchase within 273 days after 1997-09-30").

    Raises:
        InputError: naming ``path`` and the problem.
    """
    duration = np.asarray(duration, float)
    event = np.asarray(event, int)
    if not event.any():
        raise InputError(f"{path}: {censored} for all {len(event)} customers (every one censored): "
                         "with no event the C-index is undefined, so there is nothing to score")
    if not has_comparable_pair(duration, event):
        first = duration[event == 1].min()
        raise InputError(f"{path}: no comparable pair of customers (every event is at {first:g}, the latest time, "
                         "and no customer is still event-free then): the C-index is undefined, so there is "
                         "nothing to score")


def has_comparable_pair(duration, event):
    """Whether Harrell's C is defined on an outcome ``duration``, ``event`` ``(n,)``: some customer has an event
    and another is still event-free after it, or censored at its time (lifelines' admissible pairs)."""
    duration = np.asarray(duration, float)
    event = np.asarray(event, int)
    if not event.any():
        return False
    first = duration[event == 1].min()
    return bool((duration > first).any() or ((duration == first) & (event == 0)).any())
