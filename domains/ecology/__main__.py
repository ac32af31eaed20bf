"""Command line: ``python -m domains.ecology {forecast,train,evaluate}`` (see each command's ``--help``)."""

import argparse
import contextlib
import json
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from domains.ecology.baselines import BASELINES, SETARForecaster
from domains.ecology.classical import CLASSICAL, INSTALL_HINT, available
from domains.ecology.data import end_limit
from shared.atomic import atomic_open, atomic_path, check_outputs
from shared.backups import claim_backup, clear_backup, file_sha256
from shared.cli import (COUNT, POSITIVE_INT, InputError, command_line, image_format, import_tensorflow,
                        out_dash_is_stdout, run, seed, strict_json)
from shared.distribute import mirrored_strategy

FORECAST_EXAMPLES = """\
  python -m domains.ecology forecast datasets/ecology/lynx.csv --series lynx --horizon 10 \\
      --out forecast.csv --plot fan.png --seed 0
  python -m domains.ecology forecast panel.csv --series gpdd_1 --model gpdd --json"""
TRAIN_EXAMPLES = """\
  python -m domains.ecology train datasets/ecology/lynx.csv --series lynx --train-end 1920 --out lynx.keras --seed 0
  python -m domains.ecology train panel.csv --global --covariates temp --out global.keras --seed 0 \\
      --distribute mirrored --json"""
RESUME_NOTE = "(a killed run started again with the same command resumes from its checkpoints in OUT's .backup folder)"
EVALUATE_EXAMPLES = """\
  python -m domains.ecology evaluate datasets/ecology/lynx.csv --protocol zhang2003 --train-end 1920 --json
  python -m domains.ecology evaluate panel.csv --protocol rolling --horizon 10 --covariates temp --json \\
      --out scores.json --seed 0
  python -m domains.ecology evaluate panel.csv --baselines ar2 ricker --model gpdd
--json: one object keyed by model name, "gated" first, each holding lower-case metrics. zhang2003: mse, mae, mase,
crps (CRPS on the log10 scale), coverage80, coverage95. rolling: mase, smape, crps (PROTOCOL.md B's sCRPS: CRPS
over the MASE scale), coverage80, coverage95, relative_mase (geometric mean vs naive), share_beating_naive, series."""


#: Names ``--model`` accepts for the shipped weights (``domains/ecology/weights/``), besides a file path.
SHIPPED = {"gpdd": "gpdd_global.keras", "lynx": "lynx_1821_1920.keras"}
#: What training leaves in its checkpoint folder (members' checkpoints ``member<i>/`` and weights
#: ``member<i>.weights.h5``, the candidate trained without the covariates): only these are cleared, as
#: ``--backup-dir`` may name a folder holding other files (one of these names there before any run is refused).
BACKUP_LEFTOVERS = ("member[0-9]*", "no_covariates")
#: The data argument's help: the tidy CSV's columns and the forms of its times (domains.ecology.data).
DATA_HELP = ("tidy CSV: series_id,time,value[,covariates]; time a number (a year), a YYYY-MM month or a YYYY-MM-DD "
             "date; a series with a negative value is taken as centred or differenced and modelled without the log")


def _time_end(text):
    """``--train-end``: a finite number, or a ``YYYY-MM`` month or ``YYYY-MM-DD`` date kept as text (each series
    reads it: :meth:`domains.ecology.data.PopulationSeries.cutoff`)."""
    try:
        number = float(text)
    except ValueError:
        try:
            end_limit(text.strip())
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        return text.strip()
    if not np.isfinite(number):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return number


def _cutoff(args, s):
    """Series ``s``'s last time up to ``--train-end`` (:meth:`domains.ecology.data.PopulationSeries.cutoff`); a
    month or date for a series written in numbers is one :class:`InputError` line."""
    try:
        return s.cutoff(args.train_end)
    except ValueError as error:
        raise InputError(f"{args.data}: --train-end {error}") from None


def _shown_end(end):
    """``--train-end`` as the user wrote it: a number without trailing zeros, a month or date as given."""
    return end if isinstance(end, str) else f"{end:g}"


def _model_options(parser):
    parser.add_argument("--covariates", nargs="+", type=str.strip, default=[], metavar="COL", help="covariate columns "
                        "the model reads, stripped of spaces as the header's names are (a global model, as `evaluate "
                        "--protocol rolling` trains, also trains without them and leaves them out if that gives the "
                        "lower error on its held-out steps; a note on stderr says so)")
    parser.add_argument("--keep-covariates", action="store_true", help="a global model reads the --covariates even "
                        "where its held-out steps say they do not help")
    parser.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")
    parser.add_argument("--units", type=POSITIVE_INT, help="GatedLSTM units (default: 8 for one series, 32 global)")
    parser.add_argument("--epochs", type=POSITIVE_INT, help="most training epochs (default: 300 for one series, 40 "
                        "global; the global default goes through a set of few series several times per epoch to "
                        "make at least 640 optimizer steps, an explicit --epochs trains exactly that)")
    parser.add_argument("--ensemble", type=POSITIVE_INT, help="networks mixed (default: 1 for one series, 3 global)")
    parser.add_argument("--ar-order", type=COUNT, help="order of the frozen AR base, 0 for none (default: 2 for one "
                        "series, capped at n/8; 0 global)")
    parser.add_argument("--threshold-delay", type=COUNT, help="d > 0: the AR base is a two-regime threshold AR whose "
                        "regime is picked by the level d-1 steps back, 0: linear (default: 1 for one series, 0 global)")
    parser.add_argument("--validation", type=COUNT, help="last steps of each series held out for early stopping and "
                        "calibration, 0 for none (default: 15 for one series, 10 global)")
    parser.add_argument("--residual", choices=["weighted", "none"], help="with an AR base: the LSTM's correction "
                        "of the base's mean weighted by the held-out errors, or none (the base gives the mean, the "
                        "network the spread; covariates then move the spread only) (default: none for one series, "
                        "weighted global)")


def _outputs(parser, out_help, required=False):
    parser.add_argument("--out", required=required, help=out_help)
    parser.add_argument("--force", action="store_true", help="overwrite existing outputs")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")


def _parser():
    parser = argparse.ArgumentParser(prog="python -m domains.ecology",
                                     description="Population forecasting with gated memory.",
                                     epilog=f"examples:\n{FORECAST_EXAMPLES}\n{TRAIN_EXAMPLES}\n{EVALUATE_EXAMPLES}",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    raw = argparse.RawDescriptionHelpFormatter

    forecast = commands.add_parser("forecast", help="point forecast and intervals for one series",
                                   epilog=f"examples:\n{FORECAST_EXAMPLES}", formatter_class=raw)
    forecast.add_argument("data", help=DATA_HELP)
    forecast.add_argument("--series", help="series id (needed when the file has several)")
    forecast.add_argument("--horizon", type=int, default=10, help="steps ahead, 1..10 (default 10)")
    forecast.add_argument("--model", help="a .keras model from `train`, or a shipped one: " + ", ".join(SHIPPED) +
                          " (default: train one on the series now)")
    _outputs(forecast, "write the forecast table here (CSV) instead of printing it")
    forecast.add_argument("--plot", help="write a fan chart of history and forecast, in the format "
                          "the suffix names (.png, .pdf, .svg, ...)")
    _model_options(forecast)

    train = commands.add_parser("train", help="train a GatedForecaster per series or globally",
                                epilog=f"examples:\n{TRAIN_EXAMPLES}\n{RESUME_NOTE}", formatter_class=raw)
    train.add_argument("data", help=DATA_HELP)
    group = train.add_mutually_exclusive_group()
    group.add_argument("--series", help="train on this series only")
    group.add_argument("--global", dest="global_", action="store_true", help="one model across all series")
    train.add_argument("--train-end", type=_time_end,
                       help="use only times up to this one: a number, or for series written in months or dates a "
                            "YYYY-MM month (all of it) or a YYYY-MM-DD date")
    train.add_argument("--horizon", type=int, default=10, help="largest horizon, 1..10 (default 10)")
    _outputs(train, "the .keras model to write (a .json card goes beside it)", required=True)
    train.add_argument("--progress", action="store_true", help="show Keras' progress bar")
    train.add_argument("--backup-dir", help="checkpoints to resume an interrupted run from (default: OUT with "
                       "the suffix .backup; removed when training ends)")
    train.add_argument("--distribute", choices=["none", "mirrored"], default="none",
                       help="mirrored: build and train inside tf.distribute.MirroredStrategy over the GPUs (or "
                       "the logical CPU devices when there is no GPU)")
    _model_options(train)

    evaluate = commands.add_parser("evaluate", help="backtest the model and the baselines side by side",
                                   epilog=f"examples:\n{EVALUATE_EXAMPLES}", formatter_class=raw)
    evaluate.add_argument("data", help=DATA_HELP)
    evaluate.add_argument("--protocol", choices=["rolling", "zhang2003"], default="rolling",
                          help="rolling: rolling origin over every series, horizons 1..--horizon, one global model "
                          "(PROTOCOL.md B); zhang2003: one series, fitted on the times up to --train-end, one-step "
                          "forecasts of every later time on the log10 scale (PROTOCOL.md A) (default: rolling)")
    evaluate.add_argument("--series", help="evaluate this series only")
    evaluate.add_argument("--train-end", type=_time_end, default=1920.0,
                          help="zhang2003: last training time, written as --train-end of train (default 1920)")
    evaluate.add_argument("--horizon", type=int, default=10, help="rolling: horizons 1..H, H in 1..10 (default 10)")
    evaluate.add_argument("--model", help="score this trained model (a .keras file or a shipped one: " +
                          ", ".join(SHIPPED) + ") with its parameters fixed instead of training one")
    evaluate.add_argument("--baselines", nargs="+", choices=list(_every_baseline()), metavar="NAME",
                          help="the baselines scored beside the model, from: " + ", ".join(_every_baseline()) +
                          " (default: " + ", ".join(BASELINES) + ", with setar, the SETAR(2; 7, 2) "
                          "threshold AR, for zhang2003, and " + ", ".join(CLASSICAL) + " when statsforecast is "
                          "installed: pip install -e .[forecast]; naive, the reference of relative_mase, is always "
                          "scored)")
    _outputs(evaluate, "also write the JSON object to this file (-: print it on standard output, in place of the "
             "table, as --json does)")
    _model_options(evaluate)
    return parser


def _forecaster(args, horizon, global_model):
    """A GatedForecaster with the defaults for one series or a global model, overridden by the options (an
    explicit ``--epochs`` is trained as given: no step floor), whose ranges argparse has checked."""
    import_tensorflow()  # its start-up notices held back
    from domains.ecology.forecaster import GLOBAL, PER_SERIES, GatedForecaster

    settings = dict(GLOBAL if global_model else PER_SERIES)
    for option in ("units", "epochs", "ensemble", "ar_order", "threshold_delay", "validation", "residual"):
        if getattr(args, option) is not None:
            settings[option] = getattr(args, option)
    if args.epochs is not None and "min_steps" in settings:
        settings["min_steps"] = 0
    if args.keep_covariates and "select_covariates" in settings:
        settings["select_covariates"] = False
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


def _trained_model(args, horizon):
    """The forecaster named by ``--model`` (a shipped name or a ``.keras`` file), checked against the options
    from the file's configuration before TensorFlow is imported to load it."""
    path = Path(args.model)
    if args.model in SHIPPED:
        path = Path(__file__).parent / "weights" / SHIPPED[args.model]
        if not path.is_file():
            raise InputError(f"--model {args.model}: the shipped weights {path} are not installed")
    model, shape = None, _saved_shape(path)
    if shape is None:  # not a forecaster by its configuration: loading it says why (safe_mode, unknown layers)
        import_tensorflow()  # its start-up notices held back
        from domains.ecology.forecaster import GatedForecaster

        model = GatedForecaster.load(path)
        shape = (model.network_.inputs[0].shape[-1] - 3, model.horizon)
    n_covariates, model_horizon = shape
    if n_covariates != len(args.covariates):
        raise InputError(f"{args.model}: the model reads {n_covariates} covariate(s); --covariates names "
                         f"{len(args.covariates)}")
    if horizon > model_horizon:
        raise InputError(f"{args.model}: the model forecasts up to {model_horizon} steps, not {horizon}")
    if model is None:
        import_tensorflow()  # its start-up notices held back
        from domains.ecology.forecaster import GatedForecaster

        model = GatedForecaster.load(path)
    return model


def _saved_shape(path):
    """``(covariates read, largest horizon)`` of a forecaster's ``.keras`` file, from its ``config.json``; None
    for a file whose configuration has no :class:`~domains.ecology.model.Calibration` layer (not a forecaster)."""
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
        layers = config["config"]["layers"]
        n_inputs = next(layer for layer in layers if layer["class_name"] == "InputLayer")["config"]["batch_shape"][-1]
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except (OSError, zipfile.BadZipFile, KeyError, TypeError, StopIteration, ValueError) as error:
        raise InputError(f"{path}: not a model file written by `train` ({' '.join(str(error).split())})") from None
    horizons = [layer["config"].get("horizon") for layer in layers if layer["class_name"] == "Calibration"]
    if not horizons or not horizons[0]:
        return None
    return int(n_inputs) - 3, int(horizons[0])


def _finish(args, payload, text):
    """Writes ``payload`` as JSON to ``--out`` when asked, then prints it as JSON (``--json``) or ``text``."""
    if args.out:
        with atomic_open(args.out, force=args.force) as handle:
            handle.write(strict_json(payload, indent=2))
    print(strict_json(payload) if args.json else text)


def _check_horizon(horizon):
    if not 1 <= horizon <= 10:
        raise InputError(f"--horizon must be between 1 and 10, not {horizon}")


def forecast(args):
    _check_horizon(args.horizon)
    check_outputs({"--out": args.out, "--plot": args.plot}, [args.data], args.force)
    if args.plot:
        image_format(args.plot, "fan chart")
    s = _one_series(args, _load(args, series=args.series, min_length=12))
    _note_own_scale(args.data, [s])
    if args.model:
        model = _trained_model(args, args.horizon)
    else:
        model = _forecaster(args, 10, global_model=False).fit(s.log, s.covariates)
    prediction = model.predict(args.horizon, history=s.log, covariates=s.covariates)
    step = s.time[1] - s.time[0]
    times = s.time[-1] + step * np.arange(1, args.horizon + 1)
    labels = pd.Series(s.time_labels(times), dtype=object)  # as written: 1935, 1832.4, "1939-02" (never %g)
    table = pd.DataFrame({"series_id": s.series_id, "time": labels, "median": s.to_original(prediction.mean)})
    for level in (0.8, 0.95):
        low, high = prediction.interval(level)
        table[f"lower{round(100 * level)}"], table[f"upper{round(100 * level)}"] = s.to_original(low), s.to_original(high)
    table["log_mean"], table["log_sd"] = prediction.mean, prediction.std
    if args.out:
        with atomic_path(args.out, force=args.force) as tmp:
            table.to_csv(tmp, index=False, float_format="%.6g")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")  # a file, never a window: the command line picks the backend, not the library
        from domains.ecology.plot import fan_chart

        fan_chart(s.dates(s.time), s.value, table.assign(time=s.dates(times)), args.plot,
                  title=f"{s.series_id}: {args.horizon}-step forecast", force=args.force, log_axis=s.logged)
    if args.json:
        print(strict_json({"series_id": s.series_id, "forecast": table.drop(columns="series_id").to_dict("records")}))
    elif not args.out:
        table.to_csv(sys.stdout, index=False, float_format="%.6g")


def train(args):
    if not args.out.endswith(".keras"):
        raise InputError(f"{args.out}: the model file must end in .keras")
    card_path = str(Path(args.out).with_suffix(".json"))
    check_outputs({"--out": args.out, "the model card": card_path}, [args.data], args.force)
    _check_horizon(args.horizon)  # forecast and evaluate take 1 .. 10: a model for more could not be used
    data = _load(args, series=args.series, min_length=12)
    if not args.global_ and args.series is None and len(data) > 1:
        raise InputError(f"{args.data}: {len(data)} series in the file; name one with --series or pass --global")
    pairs = []
    for s in data.values():
        keep = s.time <= (_cutoff(args, s) if args.train_end is not None else np.inf)
        if keep.sum() < 12:
            continue
        pairs.append((s.log[keep], s.covariates[keep]))
    if not pairs:
        raise InputError(f"{args.data}: no series has 12 or more values up to --train-end {_shown_end(args.train_end)}")
    _note_own_scale(args.data, data.values())
    import_tensorflow()  # the inputs are checked: now TensorFlow, its start-up notices held back
    from domains.ecology.model import gaussian_nll  # noqa: F401  (registers the loss for the saved file)

    model = _forecaster(args, args.horizon, global_model=args.global_)
    backup = Path(args.backup_dir or Path(args.out).with_suffix(".backup"))
    digest = file_sha256(args.data)
    # what changes the trained model: not --force, nor what is printed (--json, --progress)
    owner = [a for a in args.argv if a not in ("--force", "--json", "--progress")]
    strategy = mirrored_strategy() if args.distribute == "mirrored" else None  # refused (not TF) before any write
    claim_backup(backup, {"argv": owner, "data_sha256": digest}, BACKUP_LEFTOVERS)
    # with --json, stdout holds the card alone: Keras' progress bar (--progress) goes to stderr
    with contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext():
        model.fit_many(pairs, backup_dir=backup, strategy=strategy)
    model.save(args.out, force=args.force)
    _note_covariates(args, model)
    card = {"command": command_line("-m domains.ecology", args.argv),
            "data": str(args.data), "data_sha256": digest, "series": len(pairs), "seed": args.seed,
            "covariates": args.covariates,
            "reads_covariates": model.reads_covariates_, "covariate_errors": model.covariate_errors_,
            **args.settings, "horizon": args.horizon, "train_end": args.train_end, "distribute": args.distribute}
    with atomic_open(card_path, force=args.force) as handle:
        handle.write(strict_json(card, indent=2))
    clear_backup(backup, BACKUP_LEFTOVERS)
    if args.json:
        print(strict_json(card))
    else:
        print(f"wrote {args.out} and {card_path} ({len(pairs)} series)", file=sys.stderr)


def evaluate(args):
    """Backtests on ``args.data``; the data and options are checked before TensorFlow is imported, and only
    those checks exit 2 (an error inside the models is an internal one). Rolling origin over several series: a
    series the loader refuses for its values (too many missing, a gap too long, zeros only, a covariate column
    without values; see :mod:`domains.ecology.data`), one with fewer than ``horizon + 10``
    values, or one flat before every origin is left out of the scores and named in a ``warning:`` line on stderr
    (exit 2 only when no series is left); with ``--series`` the loader's refusal is the error. A baseline with
    too few training values for it on every series is named in a ``warning:`` line too. Series with negative
    values, held on their own scale (PROTOCOL.md B), are named in a ``note:`` line, with what is not scored on
    them (sMAPE; the baselines of positive abundance)."""
    from domains.ecology import evaluate as protocols

    check_outputs({"--out": args.out}, [args.data], args.force)
    rolling = args.protocol == "rolling"
    if rolling:
        _check_horizon(args.horizon)
    baselines = _baselines(args.baselines, rolling)
    try:
        if rolling:
            refused = {}
            data = _load(args, series=args.series, refused=refused)
            if not data:  # every series refused (or the one named by --series): the first refusal is the error
                raise next(iter(refused.values()))
            short = protocols.too_short(data, args.horizon)
            if len(short) == len(data):
                protocols.check_rolling(data, args.horizon)  # none is long enough: the error names the first
            total = len(data) + len(refused)
            data = {name: series for name, series in data.items() if name not in short}
            unscorable = protocols.flat(data, args.horizon)
            if len(unscorable) == len(data):
                raise InputError(f"{args.data}: series {unscorable[0]!r} is flat before every rolling origin (its "
                                 "values do not change), so MASE, scaled by the naive error, is undefined; no "
                                 "series can be scored")
        else:
            s = _one_series(args, _load(args, series=args.series))
            train_end = _cutoff(args, s)
            protocols.zhang_split(s, train_end)
    except InputError:
        raise
    except ValueError as error:
        raise InputError(f"{args.data}: {error}") from None
    if args.model:
        gated, fit = _trained_model(args, args.horizon if rolling else 1), False
    else:
        gated, fit = _forecaster(args, args.horizon if rolling else 10, global_model=rolling), True
    if rolling:
        results, per_series = protocols.rolling_origin(data, gated=gated, baselines=baselines, horizon=args.horizon,
                                                       fit_gated=fit)
        if fit:
            _note_covariates(args, gated)
        _warn_unscored(args.data, {name: error.reason for name, error in refused.items()}, total,
                       "refused by the loader")
        _warn_unscored(args.data, short, total, f"fewer than {args.horizon + 10} values, too short for the "
                       "rolling origin")
        _warn_unscored(args.data, [name for name, scores in per_series.items() if not scores.get("naive")], total,
                       "flat before every origin, so MASE is undefined")
        scored = list(data.values())
    else:
        results = protocols.zhang2003(s, train_end, gated=gated, baselines=baselines, fit_gated=fit)
        scored = [s]
    abundance_only = [name for name, factory in baselines.items() if factory().needs_abundance]
    _note_own_scale(args.data, scored, ["sMAPE"] * rolling + abundance_only)
    own_scale_only = not any(series.logged for series in scored)  # then those baselines are noted, not warned of
    left_out = [name for name in baselines if name not in results
                and not (own_scale_only and name in abundance_only)]
    if left_out:
        print(f"warning: {args.data}: baselines not scored (too few training values for them on every series): "
              f"{', '.join(left_out)}", file=sys.stderr)
    results = {"gated": results.pop("gated"), **results}
    _finish(args, results, pd.DataFrame.from_dict(results, orient="index").to_string(float_format=lambda v: f"{v:.4f}"))


def _baselines(names, rolling):
    """The baselines ``evaluate`` scores, name -> factory: ``names`` (``--baselines``) and naive, or by default
    every one of :data:`~domains.ecology.baselines.BASELINES`, SETAR for the Zhang (2003) protocol and
    :data:`~domains.ecology.classical.CLASSICAL` when statsforecast is installed. Raises :class:`InputError`
    for a statsforecast model named without statsforecast."""
    if names is None:
        return {**BASELINES, **({} if rolling else {"setar": SETARForecaster}), **(CLASSICAL if available() else {})}
    absent = [name for name in names if name in CLASSICAL] if not available() else []
    if absent:
        raise InputError(f"--baselines {' '.join(absent)}: {INSTALL_HINT}")
    return {name: factory for name, factory in _every_baseline().items() if name == "naive" or name in names}


def _every_baseline():
    """Every baseline ``--baselines`` can name, name -> factory, in the order ``evaluate`` reports them."""
    return {**BASELINES, "setar": SETARForecaster, **CLASSICAL}


def _note_covariates(args, model):
    """A ``note:`` line on stderr when a freshly trained global model left the ``--covariates`` out."""
    if model.covariate_errors_ is not None and not model.reads_covariates_:
        with_them, without = model.covariate_errors_
        print(f"note: {args.data}: the model leaves the covariates {', '.join(args.covariates)} out: on its held-out "
              f"steps its error relative to naive is {with_them:.3f} with them and {without:.3f} without "
              "(--keep-covariates reads them anyway)", file=sys.stderr)


def _note_own_scale(path, series, not_scored=()):
    """One ``note:`` line on stderr naming the ``series`` of ``path`` held on their own scale (they have negative
    values: already centred or differenced, PROTOCOL.md B), if any, and ``not_scored``: the metrics and
    baselines (of positive abundance) that ``evaluate`` leaves out on them."""
    names = [s.series_id for s in series if not s.logged]
    if names:
        skipped = f"; not scored on them: {', '.join(not_scored)}" if not_scored else ""
        print(f"note: {path}: {len(names)} series with negative values, taken as already centred or differenced "
              f"(PROTOCOL.md B) and modelled on their own scale, without the log: {', '.join(map(repr, names))}"
              f"{skipped}", file=sys.stderr)


def _warn_unscored(path, names, total, why):
    """One ``warning:`` line on stderr naming the series of ``path`` left out of the scores, if any: ``names``
    is a list of ids, or a dict of id -> that series' own reason (written after its id)."""
    if names:
        listed = ("; ".join(f"{name!r}: {reason}" for name, reason in names.items()) if isinstance(names, dict)
                  else ", ".join(map(repr, names)))
        print(f"warning: {path}: {len(names)} of {total} series not scored ({why}): {listed}", file=sys.stderr)


def main(argv):
    args = _parser().parse_args(argv)
    args.argv = list(argv)
    if args.command == "evaluate" and args.out == "-":
        args.json = True  # what --out writes is the JSON object: standard output gets it, not the table
    out_dash_is_stdout(args)
    {"forecast": forecast, "train": train, "evaluate": evaluate}[args.command](args)


if __name__ == "__main__":
    run(main)
