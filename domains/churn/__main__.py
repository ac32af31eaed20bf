"""Command line: ``python -m domains.churn {train,evaluate,predict}`` on transaction logs or static tables.

A transaction log is a CSV (plain or gzip) ``customer_id,date,number_of_cds,dollar_value`` (``--transactions``),
or a file without a header in CDNOW's own layouts: ``CDNOW_master.txt``'s 4 whitespace-separated fields (id,
``YYYYMMDD``, CDs, dollars; or a comma CSV of them) or ``CDNOW_sample.txt``'s 5 (master id, sample id, date, CDs,
dollars: the master id is the customer id, the sample id is left out).
Its target is ``nextbuy``: days after the landmark to the first purchase after it, censored at
``--horizon-days``; inputs use the purchases on or before the landmark only. An optional ``event_type`` column
gives each type a weekly channel of its own; ``train`` records the types in the card (``event_types``), and
``evaluate`` and ``predict`` refuse a log with a type the model was not trained on (the shipped CDNOW model has
none, so it takes no ``event_type`` column). A static table (``--table``) has
one row per customer: an id, a duration, an event flag and covariates (Telco-style); its model has no
recurrent part.

Every command reads and checks its inputs (:mod:`domains.churn.inputs`) before it imports TensorFlow, so bad
input gives one line on stderr and exit 2; it names the file's line as an editor shows it (the header is line 1,
blank lines count; see :mod:`domains.churn.data`). ``evaluate`` refuses a file on which the C-index is undefined (no
customer with an event after the landmark, or no comparable pair): exit 2, no scores. ``predict`` writes one
row per customer, ordered by id: numerically when every id is a whole number, else as text (a table: its rows'
order).
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from shared.atomic import atomic_open, atomic_path, check_outputs
from shared.backups import claim_backup, file_sha256
from shared.cli import (COUNT, POSITIVE_INT, SEED_LIMIT, InputError, command_line, image_format, import_tensorflow,
                        out_dash_is_stdout, run, seed, strict_json)
from shared.distribute import mirrored_strategy
from shared.safe_load import load_model

from domains.churn import data, inputs

WEIGHTS = Path(__file__).resolve().parent / "weights"
SHIPPED = WEIGHTS / "cdnow_gated.keras"
SAMPLE = "datasets/churn/cdnow_sample_transactions.csv.gz"
TELCO = "datasets/churn/telco_wa_churn.csv.gz"
#: each command's --help examples (the top-level --help shows them all)
EXAMPLES = {
    "train": f"""\
  python -m domains.churn train --transactions {SAMPLE} \\
      --landmark 1997-09-30 --horizon-days 273 --seed 0 --out model.keras
  python -m domains.churn train --transactions {SAMPLE} --seed 0 --ensemble 5 --out cdnow.keras
  python -m domains.churn train --table {TELCO} --drop total_charges --seed 0 --out telco.keras
  python -m domains.churn train --table ../shared/data/churn/telco_customer_churn.csv.gz --duration tenure \\
      --event Churn --id-column customerID --drop TotalCharges --out telco.keras --distribute mirrored""",
    "evaluate": f"""\
  python -m domains.churn evaluate --transactions other_customers.csv.gz --json
  python -m domains.churn evaluate --transactions {SAMPLE} --bootstrap 200 --plot calibration.png \\
      --out report.json --seed 0
  python -m domains.churn evaluate --table telco_test.csv --model telco.keras --json""",
    "predict": """\
  python -m domains.churn predict --transactions customers.csv --out survival.csv
  python -m domains.churn predict --table telco_test.csv --model telco.keras --out survival.csv --json""",
}
RESUME_NOTE = """(a killed run started again with the same command and data resumes from its checkpoints in OUT.backup;
 with other arguments or data it clears them and starts afresh)"""


def _date(text):
    """argparse type of a date option: ``YYYY-MM-DD``, within the dates pandas holds (1677-09-22 .. 2262-04-11)."""
    try:
        day = pd.Timestamp(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r}") from None
    if not pd.Timestamp.min <= day <= pd.Timestamp.max:
        raise argparse.ArgumentTypeError(f"{text!r}: outside the dates pandas holds (1677-09-22 .. 2262-04-11)")
    return day.strftime("%Y-%m-%d")


def _load_model(path):
    """The Keras model of a ``.keras`` file (imports TensorFlow: call it once the inputs are checked)."""
    import domains.churn.model  # noqa: F401  (registers GatedLSTM and the loss for deserialisation)

    return load_model(path)  # safe_mode=True; a Lambda layer or a file that is not a .keras model: InputError


def _read_model_card(args):
    """The card of ``--model``, checked against the kind of input given (``--table`` or ``--transactions``)."""
    card = inputs.read_card(args.model)
    inputs.check_source(args.model, card, args.table)
    return card


def _card_defaults(args, card):
    """Fills ``--landmark`` and ``--horizon-days`` left unset from the model's card (a transaction model's
    landmark and follow-up; CDNOW's when the card has none)."""
    if args.landmark is None:
        args.landmark = card.get("landmark", data.CDNOW_LANDMARK)
    if getattr(args, "horizon_days", 0) is None:
        args.horizon_days = card.get("horizon_days", data.CDNOW_HORIZON_DAYS)


def _check_scorable(args, outcome, event_column=None):
    """:func:`domains.churn.inputs.check_scorable` on ``outcome`` (``duration`` and ``event`` columns) of the
    ``--table`` (whose event column is ``event_column``) or ``--transactions`` file."""
    if args.table:
        inputs.check_scorable(args.table, outcome["duration"], outcome["event"],
                              f"column {event_column!r} has no event")
    else:
        inputs.check_scorable(args.transactions, outcome["duration"], outcome["event"],
                              f"no purchase within the {args.horizon_days} days after the landmark {args.landmark}")


def _read_log(args):
    """The ``--transactions`` log, checked to have a follow-up of a week or more and an outcome the C-index is
    defined on, and its data end."""
    inputs.check_follow_up(args.horizon_days)
    end = inputs.data_end(args.landmark, args.horizon_days, args.data_end)
    log = inputs.read_log(args.transactions, args.landmark, end, end_given=args.data_end is not None)
    _check_scorable(args, data.survival_targets(log, args.landmark, args.horizon_days))
    return log, end


def cmd_train(args):
    if args.seed + args.ensemble > SEED_LIMIT:
        raise InputError(f"--seed {args.seed} with --ensemble {args.ensemble}: the members' seeds (seed .. seed + K - 1) "
                         "must stay below 2**32")
    if Path(args.out).suffix != ".keras":
        raise InputError(f"{args.out}: the model file must end in .keras")
    card_path = str(Path(args.out).with_suffix(".json"))
    source = args.table or args.transactions
    check_outputs({"--out": args.out, "the model card": card_path}, [source], args.force)
    if args.table:
        frame, covariates, schema = inputs.read_table(
            args.table, duration=args.duration, event=args.event, id_column=args.id_column, drop=tuple(args.drop))
        horizon = float(frame["duration"].max())
        if horizon <= 0:
            raise InputError(f"{args.table}: column {args.duration!r}: no positive duration to learn from")
        _check_scorable(args, frame, args.event)
        inputs.note_duration_proxies(args.table, frame, covariates, schema)
    else:
        log, end = _read_log(args)
        inputs.warn_if_short(args.transactions, log, end)
    import_tensorflow()  # the inputs are checked: now TensorFlow, its start-up notices held back
    from domains.churn import pipelines, train

    if args.table:
        intervals, width = args.intervals, horizon / args.intervals
        features, duration, event = [covariates.to_numpy("float32")], frame["duration"], frame["event"]
        config = {**train.STATIC_DEFAULTS, **({"epochs": args.epochs} if args.epochs else {})}
        card = {"kind": "table", "model": "static covariates -> dense head + linear path -> logistic hazards",
                "table": {"duration": args.duration, "event": args.event, "id_column": args.id_column,
                          "drop": list(args.drop), "width": width, "schema": schema}}
    else:
        types = inputs.event_types(log)
        features, _, _, target = pipelines.log_data(log, args.landmark, args.horizon_days, not args.no_static,
                                                    event_types=types)
        intervals, width = int(np.ceil(args.horizon_days / inputs.WIDTH_DAYS)), inputs.WIDTH_DAYS
        duration, event = target["duration"], target["event"]
        config = {**train.DEFAULTS, **({"epochs": args.epochs} if args.epochs else {})}
        card = {"kind": "transactions",
                "model": "GatedLSTM over weekly bins" + ("" if args.no_static else " + RFM aggregates in the head")
                         + " -> logistic hazards of weekly intervals",
                "landmark": args.landmark, "horizon_days": args.horizon_days, "width_days": width,
                "weeks": int(features[0].shape[1]), "static": not args.no_static, "event_types": types}
    backup = Path(f"{args.out}.backup")
    digest = file_sha256(source)
    owner = {"argv": [a for a in args.argv if a not in ("--force", "--json")], "data_sha256": digest}
    strategy = mirrored_strategy() if args.distribute == "mirrored" else None  # refused (not TF) before any write
    resumed = claim_backup(backup, owner)  # another run's checkpoints are cleared, never resumed
    model, histories = train.fit_ensemble(features, duration.to_numpy(), event.to_numpy(), width, intervals,
                                          seed=args.seed, members=args.ensemble, config=config,
                                          verbose=0 if args.json else 2, backup_dir=backup, strategy=strategy)
    if args.ensemble == 1:
        history = {"epochs_run": histories[0]["epochs_run"], "resumed": resumed, "loss": histories[0]["loss"]}
    else:
        last = args.seed + args.ensemble - 1
        card["model"] += f", mean survival curve of {args.ensemble} networks (seeds {args.seed} .. {last})"
        history = {"resumed": resumed, "members": histories}
    card.update({
        "command": command_line("-m domains.churn", args.argv),
        "data": {"file": Path(source).name, "sha256": digest, "customers": int(len(duration)),
                 "events": int(event.sum()), "path": str(Path(source).resolve())},
        "seed": args.seed, "ensemble": args.ensemble, "intervals": intervals, "config": config,
        "distribute": args.distribute, "history": history,
    })
    if args.table:
        scored = pipelines.score_table(model, card, (frame, covariates), (frame, covariates))
    else:
        scored = pipelines.score_log(model, card, log, args.landmark, args.horizon_days, log)
    card["metrics_on_training_data"] = scores = scored.scores()
    with atomic_path(args.out, force=args.force) as tmp:
        model.save(tmp)
    with atomic_open(card_path, force=args.force) as handle:
        json.dump(card, handle, indent=2)
    if args.json:
        print(json.dumps(card))
    else:
        print(f"wrote {args.out} and {card_path}; on the training data: "
              + ", ".join(f"{k} C {v['c_index']:.4f} IBS {v['ibs']:.4f}" for k, v in scores.items()), file=sys.stderr)


def cmd_evaluate(args):
    check_outputs({"--out": args.out, "--plot": args.plot},
                  [args.table or args.transactions, args.baseline_table, args.baseline_transactions], args.force)
    if args.plot:
        image_format(args.plot, "calibration plot")
    if args.bootstrap and args.json and not args.out:
        raise InputError(f"--bootstrap {args.bootstrap} with --json: the JSON line holds the scores only; "
                         "add --out REPORT.json for the bootstrap intervals")
    if args.baseline_table and not args.table or args.baseline_transactions and not args.transactions:
        option, kind = (("--baseline-table", "--table") if args.baseline_table
                        else ("--baseline-transactions", "--transactions"))
        raise InputError(f"{option}: fits the baselines beside a {kind} input; give {kind}, or leave {option} out")
    card = _read_model_card(args)
    _card_defaults(args, card)
    if args.table:
        frame, covariates, _ = inputs.read_table(args.table, card)
        _check_scorable(args, frame, card["table"]["event"])
        baseline = inputs.baseline_table(card, args.baseline_table)
    else:
        inputs.check_horizon(card, args.horizon_days)
        log, end = _read_log(args)
        inputs.check_event_types(args.transactions, log, card)
        baseline = inputs.baseline_log(card, args.landmark, args.horizon_days, args.baseline_transactions)
    import_tensorflow()  # the inputs are checked: now TensorFlow, its start-up notices held back
    from domains.churn import evaluate, pipelines

    model = _load_model(args.model)
    if not args.table:  # the last input check has passed: bad input still gets one line
        inputs.warn_if_short(args.transactions, log, end)
    if args.table:
        scored = pipelines.score_table(model, card, (frame, covariates), baseline)
    else:
        scored = pipelines.score_log(model, card, log, args.landmark, args.horizon_days, baseline)
    scores = scored.scores()
    if args.json:
        print(strict_json(scores))
    else:
        summary = pd.DataFrame(scores).T.astype({"n": int})
        print(summary.to_string(float_format=lambda v: f"{v:.4f}"))
    if args.json and not (args.out or args.plot):
        return
    table = scored.calibration()
    boot = None
    if args.bootstrap:
        boot = evaluate.paired_bootstrap(scored.duration, scored.event, scored.predictions, scored.times,
                                         n_boot=args.bootstrap, seed=args.seed)
        _warn_if_resamples_left_out(args.bootstrap, boot.attrs["resamples"])
    if not args.json:
        weeks = f" = {', '.join(f'{t / 7:g}' for t in table.index)} weeks" if scored.unit == "days" else ""
        print(f"\ncalibration: mean predicted S(t) vs Kaplan-Meier at t = "
              f"{', '.join(f'{t:g}' for t in table.index)} {scored.unit}{weeks}")
        print(table.to_string(float_format=lambda v: f"{v:.4f}"))
        if boot is not None:
            used = boot.attrs["resamples"]
            counted = f"{args.bootstrap}" if used == args.bootstrap else f"{used} of {args.bootstrap}"
            print(f"\npaired bootstrap ({counted} resamples, seed {args.seed}) of the difference to CoxPH "
                  "(mean and 95 % interval; C and c_td: higher is better, IBS: lower)")
            print(boot.to_string(float_format=lambda v: f"{v:+.4f}"))
    if args.plot:
        with atomic_path(args.plot, force=args.force) as tmp:
            evaluate.calibration_plot(table, tmp, unit=scored.unit)
    if args.out:
        report = {"scores": scores, "calibration": {"unit": scored.unit, **json.loads(table.to_json())},
                  "bootstrap": None if boot is None else json.loads(boot.to_json(orient="index")),
                  "bootstrap_resamples": args.bootstrap,
                  "bootstrap_resamples_used": None if boot is None else boot.attrs["resamples"], "seed": args.seed}
        with atomic_open(args.out, force=args.force) as handle:
            handle.write(strict_json(report, indent=2))


def _warn_if_resamples_left_out(requested, used):
    """One ``warning:`` line on stderr when :func:`domains.churn.evaluate.paired_bootstrap` left resamples out
    (``used`` of ``requested`` scored): on a small file a resample often draws no event, and the C-index is
    undefined there."""
    if used == requested:
        return
    left_out = (f"{requested - used} of the {requested} resamples cannot be scored (no comparable pair of customers "
                "drawn, so no C-index)")
    if used:
        print(f"warning: --bootstrap {requested}: {left_out} and are left out; the intervals are over the other "
              f"{used}", file=sys.stderr)
    else:
        print(f"warning: --bootstrap {requested}: {left_out}: no intervals (null in the report)", file=sys.stderr)


def cmd_predict(args):
    if args.out is None and args.json:  # --out -
        raise InputError("--json: the summary goes to stdout, where --out - sends the curves; give --out FILE")
    check_outputs({"--out": args.out}, [args.table or args.transactions], args.force)
    card = _read_model_card(args)
    _card_defaults(args, card)
    if args.table:
        frame, covariates, _ = inputs.read_table(args.table, card, outcome=False)
    else:
        log = inputs.read_log(args.transactions, args.landmark)
        inputs.check_event_types(args.transactions, log, card)
    import_tensorflow()  # the inputs are checked: now TensorFlow, its start-up notices held back
    from domains.churn import pipelines, train

    model = _load_model(args.model)
    if args.table:
        width, customers, features, suffix = card["table"]["width"], frame.index, [covariates.to_numpy("float32")], ""
    else:
        features, customers, _, _ = pipelines.log_data(log, args.landmark, None, card["static"], card["weeks"],
                                                       card.get("event_types", []))
        width, suffix = inputs.WIDTH_DAYS, "d"
    pred = train.predict_survival(model, features, width)
    table = pipelines.curves_table(customers, pred["survival"], pred["times"], width, suffix)
    if not args.table:  # by customer id, numerically when every id is a whole number
        table = table.iloc[data.id_order(table["customer_id"])]
    if args.out is None:  # --out -
        table.to_csv(sys.stdout, index=False, float_format="%.5f")
        return
    with atomic_open(args.out, force=args.force, newline="") as handle:
        table.to_csv(handle, index=False, float_format="%.5f")
    if args.json:
        print(json.dumps({"out": args.out, "customers": len(table), "times": [float(t) for t in pred["times"]]}))
    else:
        print(f"wrote {args.out}: {len(table)} customers, S(t) at {len(pred['times'])} points", file=sys.stderr)


def _source(parser, horizon=True, from_card=False):
    """The input options; ``from_card``: ``--landmark`` and ``--horizon-days`` default to the model's card."""
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--transactions",
                       help="transaction log CSV(.gz): customer_id,date,number_of_cds,dollar_value (dates YYYY-MM-DD "
                            "or YYYYMMDD; comma- or whitespace-separated); without a header, CDNOW's own layouts: "
                            "CDNOW_master.txt (id date cds dollars) or CDNOW_sample.txt (master id, sample id, date, "
                            "cds, dollars; the sample id is left out)")
    group.add_argument("--table", help="static table CSV(.gz): one row per customer (id, duration, event, covariates)")
    default = "the model's, 1997-09-30 for the shipped one" if from_card else data.CDNOW_LANDMARK
    parser.add_argument("--landmark", default=None if from_card else data.CDNOW_LANDMARK, type=_date,
                        help=f"transactions: landmark date L (default {default})")
    if horizon:
        default = "the model's, 273 for the shipped one" if from_card else data.CDNOW_HORIZON_DAYS
        parser.add_argument("--horizon-days", default=None if from_card else data.CDNOW_HORIZON_DAYS, type=POSITIVE_INT,
                            help=f"transactions: follow-up after L in days, at least {inputs.WIDTH_DAYS} (one "
                                 f"interval of the model; default {default})")
        parser.add_argument("--data-end", type=_date,
                            help="transactions: the last date the log covers (default: L + --horizon-days); a "
                                 "later event is an error, and so is a follow-up that runs past it")


def _outputs(parser, out_help, required=False):
    parser.add_argument("--out", required=required, help=out_help)
    parser.add_argument("--force", action="store_true", help="overwrite existing outputs")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")


def build_parser():
    """The argparse parser of the three sub-commands."""
    parser = argparse.ArgumentParser(prog="python -m domains.churn",
                                     description="Customer churn as survival analysis: a recurrent survival network "
                                                 "over transaction logs (days to the next purchase after a landmark "
                                                 "date) or static tables (Telco-style).",
                                     epilog="examples:\n" + "\n".join(EXAMPLES.values()),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    fmt = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser("train", help="train the survival network on a transaction log or a static table",
                       epilog=f"examples:\n{EXAMPLES['train']}\n{RESUME_NOTE}",
                       formatter_class=fmt)
    _source(p)
    p.add_argument("--no-static", action="store_true", help="transactions: history only, without the RFM aggregates")
    for option, key, what in (("--duration", "duration", "duration column"),
                              ("--event", "event", "event column: yes/no, true/false or 1/0"),
                              ("--id-column", "id_column", "customer id column")):
        p.add_argument(option, default=data.TELCO_COLUMNS[key], help=f"table: {what} (default %(default)s)")
    p.add_argument("--drop", action="append", default=[], metavar="COLUMN",
                   help="table: leave this covariate out (repeat for several), e.g. one that leaks the duration")
    p.add_argument("--intervals", type=POSITIVE_INT, default=24,
                   help="table: hazard intervals over the longest duration (default %(default)s)")
    p.add_argument("--epochs", type=POSITIVE_INT, default=None, help="training epochs (default: the tuned setting)")
    p.add_argument("--seed", type=seed, default=0,
                   help="random seed (default 0); an ensemble's members get seed, seed + 1, ...")
    p.add_argument("--ensemble", type=POSITIVE_INT, default=1, metavar="K",
                   help="train K networks (seeds seed .. seed + K - 1) and ship one model averaging their survival "
                        "curves (default %(default)s; the shipped CDNOW model: see its card)")
    p.add_argument("--distribute", choices=["none", "mirrored"], default="none",
                   help="mirrored: build and train inside tf.distribute.MirroredStrategy over the GPUs (or CPUs)")
    _outputs(p, "the .keras model to write (a .json card goes beside it)", required=True)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="score a model beside CoxPH and Kaplan-Meier (C, time-dependent C, IBS)",
                       description="Harrell's C, time-dependent C and the IPCW integrated Brier score over every "
                       "whole time unit of the follow-up (days 1 .. 272 of CDNOW's 273; a table's duration unit). "
                       "A file on which the C-index is undefined (no customer buys after the landmark, or no "
                       "comparable pair) is refused with exit 2 rather than scored in part.",
                       epilog="examples:\n" + EXAMPLES["evaluate"], formatter_class=fmt)
    _source(p, from_card=True)
    p.add_argument("--model", default=str(SHIPPED), help="model file (default: the shipped CDNOW model)")
    p.add_argument("--baseline-table",
                   help="table: fit CoxPH and Kaplan-Meier on this table (default: the model's training table)")
    p.add_argument("--baseline-transactions",
                   help="transactions: fit CoxPH and Kaplan-Meier on this log (default: the model's training log, "
                        "the bundled CDNOW sample for the shipped model)")
    p.add_argument("--plot", help="write the calibration plot here (PNG/PDF/SVG)")
    p.add_argument("--bootstrap", type=COUNT, default=0,
                   help="paired bootstrap resamples of the differences to CoxPH (default 0: none; with --json, "
                        "written to --out only)")
    p.add_argument("--seed", type=seed, default=0, help="bootstrap seed (default 0)")
    _outputs(p, "write a JSON report here: scores, calibration, bootstrap intervals")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("predict", help="per-customer S(t), expected time and risk",
                       epilog="examples:\n" + EXAMPLES["predict"],
                       formatter_class=fmt)
    _source(p, horizon=False, from_card=True)
    p.add_argument("--model", default=str(SHIPPED), help="model file (default: the shipped CDNOW model)")
    p.add_argument("--seed", type=seed, default=0, help="accepted by every command for one shared command line; prediction is deterministic, so it changes nothing")
    _outputs(p, "CSV: customer_id, S(t) per grid time (S_7d, S_14d, ...: days after L), expected_days (the "
                "restricted mean time over the model's follow-up: the expected days to the event, counting an "
                "event-free follow-up as its full length; a table: expected_time in its duration unit), risk "
                "(1 - expected / follow-up, in [0, 1]); one row per customer, by id (numerically when every id "
                "is a whole number, else as text; a table: in its own order); - for standard output",
             required=True)
    p.set_defaults(func=cmd_predict)
    return parser


def main(argv):
    """Parses ``argv`` and runs the sub-command."""
    args = build_parser().parse_args(argv)
    args.argv = list(argv)
    out_dash_is_stdout(args)
    return args.func(args)


if __name__ == "__main__":
    run(main)
