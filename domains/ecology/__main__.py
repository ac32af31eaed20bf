"""Command line: ``python -m domains.ecology {forecast,train,evaluate}`` (see each command's ``--help``)."""

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from shared.atomic import atomic_open, atomic_path, check_writable
from shared.cli import InputError, run

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

FORECAST_EXAMPLE = """example:
  python -m domains.ecology forecast datasets/ecology/lynx.csv --series lynx --horizon 10 \\
      --out forecast.csv --plot fan.png --seed 0"""
TRAIN_EXAMPLE = """examples:
  python -m domains.ecology train datasets/ecology/lynx.csv --series lynx --out lynx.keras --seed 0
  python -m domains.ecology train panel.csv --global --covariates temp --out global.keras --seed 0"""
EVALUATE_EXAMPLE = """examples:
  python -m domains.ecology evaluate datasets/ecology/lynx.csv --protocol zhang2003 --train-end 1920 --json
  python -m domains.ecology evaluate panel.csv --protocol rolling --horizon 10 --covariates temp --json"""


def _model_options(parser):
    parser.add_argument("--covariates", nargs="+", default=[], metavar="COL", help="covariate columns the model reads")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--units", type=int, help="GatedLSTM units (default: 8 for one series, 32 global)")
    parser.add_argument("--epochs", type=int, help="most training epochs (default: 300 for one series, 100 global)")
    parser.add_argument("--ensemble", type=int, help="networks mixed (default: 1 for one series, 3 global)")
    parser.add_argument("--ar-order", type=int, help="order of the frozen AR base, 0 for none (default: 12 for one "
                        "series, capped at n/8; 0 global)")
    parser.add_argument("--validation", type=int, help="last steps of each series held out for early stopping and "
                        "calibration, 0 for none (default: 15 for one series, 10 global)")


def _parser():
    parser = argparse.ArgumentParser(prog="python -m domains.ecology",
                                     description="Population forecasting with gated memory.",
                                     epilog=f"{FORECAST_EXAMPLE}\n{EVALUATE_EXAMPLE}",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    raw = argparse.RawDescriptionHelpFormatter

    forecast = commands.add_parser("forecast", help="point forecast and intervals for one series",
                                   epilog=FORECAST_EXAMPLE, formatter_class=raw)
    forecast.add_argument("data", help="tidy CSV: series_id,time,value[,covariates]")
    forecast.add_argument("--series", help="series id (needed when the file has several)")
    forecast.add_argument("--horizon", type=int, default=10, help="steps ahead, 1..10 (default 10)")
    forecast.add_argument("--model", help="a .keras model from `train` (default: train one on the series now)")
    forecast.add_argument("--out", help="write the forecast table here (CSV) instead of printing it")
    forecast.add_argument("--plot", help="write a fan chart (PNG) of history and forecast")
    forecast.add_argument("--force", action="store_true", help="overwrite existing outputs")
    _model_options(forecast)

    train = commands.add_parser("train", help="train a GatedForecaster per series or globally",
                                epilog=TRAIN_EXAMPLE, formatter_class=raw)
    train.add_argument("data", help="tidy CSV: series_id,time,value[,covariates]")
    group = train.add_mutually_exclusive_group()
    group.add_argument("--series", help="train on this series only")
    group.add_argument("--global", dest="global_", action="store_true", help="one model across all series")
    train.add_argument("--train-end", type=float, help="use only times up to this one")
    train.add_argument("--horizon", type=int, default=10, help="largest horizon (default 10)")
    train.add_argument("--out", required=True, help="the .keras model to write (a .json card goes beside it)")
    train.add_argument("--force", action="store_true", help="overwrite existing outputs")
    train.add_argument("--progress", action="store_true", help="show Keras' progress bar")
    train.add_argument("--backup-dir", help="resume an interrupted run from checkpoints kept here")
    _model_options(train)

    evaluate = commands.add_parser("evaluate", help="backtest the model and the baselines side by side",
                                   epilog=EVALUATE_EXAMPLE, formatter_class=raw)
    evaluate.add_argument("data", help="tidy CSV: series_id,time,value[,covariates]")
    evaluate.add_argument("--protocol", choices=["rolling", "zhang2003"], default="rolling")
    evaluate.add_argument("--series", help="evaluate this series only")
    evaluate.add_argument("--train-end", type=float, default=1920, help="zhang2003: last training time (default 1920)")
    evaluate.add_argument("--horizon", type=int, default=10, help="rolling: horizons 1..H (default 10)")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object keyed by model name")
    _model_options(evaluate)
    return parser


def _forecaster(args, horizon, global_model):
    """A GatedForecaster with the defaults for one series or a global model, overridden by the options."""
    from domains.ecology.forecaster import GLOBAL, PER_SERIES, GatedForecaster

    settings = dict(GLOBAL if global_model else PER_SERIES)
    for option in ("units", "epochs", "ensemble", "ar_order", "validation"):
        if getattr(args, option) is not None:
            settings[option] = getattr(args, option)
    if settings["units"] < 1 or settings["epochs"] < 1 or settings["ensemble"] < 1:
        raise InputError("--units, --epochs and --ensemble must be at least 1")
    if settings.get("ar_order", 0) < 0 or settings.get("validation", 0) < 0:
        raise InputError("--ar-order and --validation must be at least 0")
    args.settings = settings
    return GatedForecaster(horizon=horizon, seed=args.seed,
                           verbose=int(getattr(args, "progress", False)), **settings)


def _load(args, **kwargs):
    from domains.ecology.data import load_series

    return load_series(args.data, covariates=args.covariates, **kwargs)


def _one_series(args, data):
    if args.series is None and len(data) > 1:
        raise InputError(f"{args.data}: {len(data)} series in the file; name one with --series")
    return data[args.series] if args.series else next(iter(data.values()))


def forecast(args):
    from domains.ecology.forecaster import GatedForecaster

    if not 1 <= args.horizon <= 10:
        raise InputError(f"--horizon must be between 1 and 10, not {args.horizon}")
    for path in (args.out, args.plot):
        if path:
            check_writable(path, args.force)
    s = _one_series(args, _load(args, series=args.series, min_length=12))
    if args.model:
        model = GatedForecaster.load(args.model)
        n_inputs = model.network_.inputs[0].shape[-1]
        if n_inputs != 3 + len(args.covariates):
            raise InputError(f"{args.model}: the model reads {n_inputs - 3} covariate(s); --covariates names {len(args.covariates)}")
        if args.horizon > model.horizon:
            raise InputError(f"{args.model}: the model forecasts up to {model.horizon} steps, not {args.horizon}")
    else:
        model = _forecaster(args, 10, global_model=False).fit(s.log, s.covariates)
    prediction = model.predict(args.horizon, history=s.log, covariates=s.covariates)
    step = s.time[1] - s.time[0]
    table = pd.DataFrame({"series_id": s.series_id, "time": s.time[-1] + step * np.arange(1, args.horizon + 1),
                          "median": s.to_original(prediction.mean)})
    for level in (0.8, 0.95):
        low, high = prediction.interval(level)
        table[f"lower{round(100 * level)}"], table[f"upper{round(100 * level)}"] = s.to_original(low), s.to_original(high)
    table["log_mean"], table["log_sd"] = prediction.mean, prediction.std
    if args.out:
        with atomic_path(args.out, force=args.force) as tmp:
            table.to_csv(tmp, index=False, float_format="%.6g")
    else:
        table.to_csv(sys.stdout, index=False, float_format="%.6g")
    if args.plot:
        from domains.ecology.plot import fan_chart

        fan_chart(s.time, s.value, table, args.plot, title=f"{s.series_id}: {args.horizon}-step forecast", force=args.force)


def train(args):
    from domains.ecology.model import gaussian_nll  # noqa: F401  (registers the loss for the saved file)

    if not args.out.endswith(".keras"):
        raise InputError(f"{args.out}: the model file must end in .keras")
    card_path = str(Path(args.out).with_suffix(".json"))
    check_writable(args.out, args.force)
    check_writable(card_path, args.force)
    data = _load(args, series=args.series, min_length=12)
    if not args.global_ and args.series is None and len(data) > 1:
        raise InputError(f"{args.data}: {len(data)} series in the file; name one with --series or pass --global")
    pairs = []
    for s in data.values():
        keep = s.time <= args.train_end if args.train_end is not None else np.ones(len(s), bool)
        if keep.sum() < 12:
            continue
        pairs.append((s.log[keep], s.covariates[keep]))
    if not pairs:
        raise InputError(f"{args.data}: no series has 12 or more values up to --train-end {args.train_end:g}")
    model = _forecaster(args, args.horizon, global_model=args.global_).fit_many(pairs, backup_dir=args.backup_dir)
    model.save(args.out, force=args.force)
    card = {"command": "python -m domains.ecology " + " ".join(args.argv),
            "data": str(args.data), "series": len(pairs), "seed": args.seed, "covariates": args.covariates,
            **args.settings, "horizon": args.horizon,
            "train_end": args.train_end}
    with atomic_open(card_path, force=args.force) as handle:
        json.dump(card, handle, indent=2)
    print(f"wrote {args.out} and {card_path} ({len(pairs)} series)")


def evaluate(args):
    from domains.ecology import evaluate as protocols

    # zhang2003 scores one step ahead, but the network still learns horizons 1..10: on the inner folds of
    # 1821-1920 (AR(12) base, PER_SERIES) the extra horizons cost nothing (mean MSE 0.047, 0.048 for h = 1).
    rolling = args.protocol == "rolling"
    gated = _forecaster(args, args.horizon if rolling else 10, global_model=rolling)
    try:
        if args.protocol == "zhang2003":
            s = _one_series(args, _load(args, series=args.series))
            results = protocols.zhang2003(s, args.train_end, gated=gated)
        else:
            data = _load(args, series=args.series)
            results, _ = protocols.rolling_origin(data, gated=gated, horizon=args.horizon)
    except InputError:
        raise
    except ValueError as error:
        raise InputError(f"{args.data}: {error}") from None
    results = {"gated": results.pop("gated"), **results}
    if args.json:
        print(json.dumps(results))
        return
    frame = pd.DataFrame(results).T
    print(frame.to_string(float_format=lambda v: f"{v:.4f}"))


def main(argv):
    args = _parser().parse_args(argv)
    args.argv = list(argv)
    {"forecast": forecast, "train": train, "evaluate": evaluate}[args.command](args)


if __name__ == "__main__":
    run(main)
