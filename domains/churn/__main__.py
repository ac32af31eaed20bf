"""Command line: ``python -m domains.churn {train,evaluate,predict}`` on CDNOW-format transaction logs.

A transaction log is a CSV (plain or gzip) ``customer_id,date,number_of_cds,dollar_value``. The target is
``nextbuy``: days after the landmark to the first purchase after it, censored at ``--horizon-days``; inputs
use the purchases on or before the landmark only.
"""

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from shared.atomic import atomic_open, atomic_path, check_writable
from shared.cli import InputError, run

from domains.churn import data

WEIGHTS = Path(__file__).resolve().parent / "weights"
SHIPPED = WEIGHTS / "cdnow_gated.keras"
WIDTH = 7  # days per interval


def _data_end(args):
    return pd.Timestamp(args.landmark) + pd.Timedelta(days=args.horizon_days)


def _common(parser, horizon=True):
    parser.add_argument("--transactions", required=True, help="CSV(.gz): customer_id,date,number_of_cds,dollar_value")
    parser.add_argument("--landmark", default=data.CDNOW_LANDMARK, type=_date, help="landmark date L (default %(default)s)")
    if horizon:
        parser.add_argument("--horizon-days", default=data.CDNOW_HORIZON_DAYS, type=_positive,
                            help="follow-up after L in days (default %(default)s)")


def _date(text):
    try:
        return pd.Timestamp(text).strftime("%Y-%m-%d")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r}") from None


def _positive(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive whole number of days: {text!r}")
    return value


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _load_model(path):
    import keras

    import domains.churn.model  # noqa: F401  (registers GatedLSTM and the loss for deserialisation)

    path = Path(path)
    card_path = path.with_suffix(".json")
    if not path.exists() or not card_path.exists():
        raise InputError(f"{path}: model or its card {card_path.name} not found")
    model = keras.saving.load_model(path, safe_mode=True, compile=False)
    return model, json.loads(card_path.read_text())


def _scores(model, card, log, landmark, horizon_days):
    """The gated model, CoxPH (fitted on the bundled sample) and Kaplan-Meier on one log."""
    from domains.churn import baselines, evaluate, train
    from domains.churn.model import risk_score

    intervals = int(np.ceil(horizon_days / WIDTH))
    if intervals > card["intervals"]:
        raise InputError(f"--horizon-days {horizon_days}: the model predicts {card['intervals'] * WIDTH} days at most")
    times = WIDTH * np.arange(1, intervals + 1)
    inputs, sequences, rfm = train.cdnow_inputs(log, landmark, card["static"], card["weeks"])
    target = data.survival_targets(log, landmark, horizon_days, sequences.customers)
    duration, event = target["duration"].to_numpy(), target["event"].to_numpy()
    pred = train.predict_survival(model, inputs, WIDTH)
    survival = pred["survival"][:, :intervals]
    risk = risk_score(survival, WIDTH)

    sample = data.load_cdnow_sample()
    sample_seq = data.weekly_sequences(sample, landmark, card["weeks"], numeric=data.CDNOW_NUMERIC)
    sample_target = data.survival_targets(sample, landmark, horizon_days, sample_seq.customers)
    sample_rfm = baselines.rfm_features(sample, landmark, sample_seq.customers)
    cox = baselines.CoxBaseline().fit(sample_rfm, sample_target["duration"], sample_target["event"])
    km = baselines.KaplanMeierBaseline().fit(sample_target["duration"], sample_target["event"])
    predictions = {
        "gated": (risk, survival),
        "coxph": (cox.risk(rfm), cox.survival(rfm, times)),
        "km": (km.risk(len(duration)), km.survival(len(duration), times)),
    }
    scores = {name: evaluate.score(duration, event, r, s, times) for name, (r, s) in predictions.items()}
    return scores, predictions, duration, event, times


def cmd_train(args):
    from domains.churn import train

    check_writable(args.out, args.force)
    card_path = str(Path(args.out).with_suffix(".json"))
    check_writable(card_path, args.force)
    log = data.read_event_log(args.transactions, numeric=data.CDNOW_NUMERIC, data_end=_data_end(args))
    data.check_histories(log, args.landmark)
    inputs, sequences, _ = train.cdnow_inputs(log, args.landmark, static=not args.no_static)
    target = data.survival_targets(log, args.landmark, args.horizon_days, sequences.customers)
    intervals = int(np.ceil(args.horizon_days / WIDTH))
    config = {"epochs": args.epochs} if args.epochs else {}
    model = train.fit_survival(inputs, target["duration"].to_numpy(), target["event"].to_numpy(), WIDTH,
                               intervals, seed=args.seed, config=config, verbose=0 if args.json else 2)
    card = {
        "model": "GatedLSTM over weekly bins" + ("" if args.no_static else " + RFM aggregates in the head")
                 + " -> logistic hazards of weekly intervals",
        "command": "python -m domains.churn " + " ".join(args.argv),
        "data": {"file": Path(args.transactions).name, "sha256": _sha256(args.transactions),
                 "customers": int(len(sequences.customers)), "events": int(target["event"].sum())},
        "seed": args.seed, "landmark": args.landmark, "horizon_days": args.horizon_days, "width_days": WIDTH,
        "intervals": intervals, "weeks": int(sequences.x.shape[1]), "features": sequences.features,
        "static": not args.no_static, "config": {**train.DEFAULTS, **config},
    }
    with atomic_path(args.out, force=args.force) as tmp:
        model.save(tmp)
    scores, *_ = _scores(model, card, log, args.landmark, args.horizon_days)
    card["metrics_on_training_data"] = scores
    with atomic_open(card_path, force=args.force) as handle:
        json.dump(card, handle, indent=2)
    print(json.dumps(card) if args.json else f"wrote {args.out} and {card_path}; on the training data: "
          + ", ".join(f"{k} C {v['c_index']:.4f} IBS {v['ibs']:.4f}" for k, v in scores.items()))


def cmd_evaluate(args):
    from domains.churn import evaluate

    log = data.read_event_log(args.transactions, numeric=data.CDNOW_NUMERIC, data_end=_data_end(args))
    data.check_histories(log, args.landmark)
    model, card = _load_model(args.model)
    scores, predictions, duration, event, times = _scores(model, card, log, args.landmark, args.horizon_days)
    if args.json:
        print(json.dumps(scores))
        return
    print(pd.DataFrame(scores).T.to_string(float_format=lambda v: f"{v:.4f}"))
    at = [t for t in (91, 182, 273) if t <= times[-1]]
    table = evaluate.calibration(duration, event, {k: v[1] for k, v in predictions.items()}, times, at)
    print("\ncalibration: mean predicted S(t) vs Kaplan-Meier (t in days)")
    print(table.to_string(float_format=lambda v: f"{v:.4f}"))
    if args.plot:
        with atomic_path(args.plot, force=args.force) as tmp:
            evaluate.calibration_plot(table, tmp)
    if args.bootstrap:
        boot = evaluate.paired_bootstrap(duration, event, predictions, times, n_boot=args.bootstrap, seed=args.seed)
        print(f"\npaired bootstrap ({args.bootstrap} resamples) of the difference to CoxPH (95 % interval)")
        print(boot.to_string(float_format=lambda v: f"{v:+.4f}"))


def cmd_predict(args):
    from domains.churn import train

    check_writable(args.out, args.force)
    log = data.read_event_log(args.transactions, numeric=data.CDNOW_NUMERIC)
    data.check_histories(log, args.landmark)
    model, card = _load_model(args.model)
    inputs, sequences, _ = train.cdnow_inputs(log, args.landmark, card["static"], card["weeks"])
    pred = train.predict_survival(model, inputs, WIDTH)
    table = pd.DataFrame(pred["survival"], columns=[f"S_{int(t)}d" for t in pred["times"]])
    table.insert(0, "customer_id", sequences.customers)
    table["expected_days"] = pred["expected_time"]
    table["risk"] = pred["risk"]
    with atomic_open(args.out, force=args.force, newline="") as handle:
        table.to_csv(handle, index=False, float_format="%.5f")
    if args.json:
        print(json.dumps({"out": args.out, "customers": len(table)}))
    else:
        print(f"wrote {args.out}: {len(table)} customers, S(t) at {len(pred['times'])} weekly points")


def build_parser():
    """The argparse parser of the three sub-commands."""
    parser = argparse.ArgumentParser(prog="python -m domains.churn", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    example = "example:\n  python -m domains.churn {}"
    fmt = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser("train", help="train the gated survival model on a transaction log", formatter_class=fmt,
                       epilog=example.format("train --transactions datasets/churn/cdnow_sample_transactions.csv.gz "
                                             "--landmark 1997-09-30 --horizon-days 273 --seed 0 --out model.keras"))
    _common(p)
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--epochs", type=_positive, default=None, help="training epochs (default: the tuned setting)")
    p.add_argument("--no-static", action="store_true", help="history only, without the RFM aggregates in the head")
    p.add_argument("--out", default="churn_gated.keras", help="model file; its card is written beside it as .json")
    p.add_argument("--force", action="store_true", help="overwrite existing outputs")
    p.add_argument("--json", action="store_true", help="print the model card as one JSON object")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="score the shipped model, CoxPH and Kaplan-Meier on a log", formatter_class=fmt,
                       epilog=example.format("evaluate --transactions other_customers.csv.gz --json"))
    _common(p)
    p.add_argument("--model", default=str(SHIPPED), help="model file (default: the shipped CDNOW model)")
    p.add_argument("--json", action="store_true", help='one JSON object {"gated"|"coxph"|"km": {c_index, c_td, ibs, n}}')
    p.add_argument("--plot", help="write the calibration plot here (PNG/PDF/SVG)")
    p.add_argument("--bootstrap", type=int, default=0, help="paired bootstrap resamples of the differences to CoxPH")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--force", action="store_true", help="overwrite an existing plot")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("predict", help="per-customer S(t), expected time and risk", formatter_class=fmt,
                       epilog=example.format("predict --transactions customers.csv --out survival.csv"))
    _common(p, horizon=False)
    p.add_argument("--model", default=str(SHIPPED), help="model file (default: the shipped CDNOW model)")
    p.add_argument("--out", required=True, help="CSV: customer_id, S_7d .. S_273d, expected_days, risk")
    p.add_argument("--force", action="store_true", help="overwrite an existing output")
    p.add_argument("--json", action="store_true", help="print a one-line JSON summary")
    p.set_defaults(func=cmd_predict)
    return parser


def main(argv):
    """Parses ``argv`` and runs the sub-command."""
    args = build_parser().parse_args(argv)
    args.argv = argv
    return args.func(args)


if __name__ == "__main__":
    run(main)
