"""Churn-as-survival targets of issue 6, each measured against its anchor in the same run.

    python benchmarks/churn_survival.py [--part cdnow|simulator|telco|all] [--seed 0] [--out FILE.json]

- cdnow: repeated 5-fold cross-validation on the bundled 2,357-customer sample (the only CDNOW data one may
  train on): the gated model (GatedLSTM over 39 weekly bins + the RFM aggregates) against CoxPH on the RFM
  aggregates, same folds; target: C above CoxPH, judged on the median fold difference (the evaluation population itself is scored only
  through ``python -m domains.churn evaluate``).
- simulator: train on 20,000 simulated customers (timed; target < 5 min on 2 CPU cores), score 5,000 new
  ones; targets: C >= 0.95 x the oracle's and >= CoxPH on aggregates + 0.02.
- telco: the static-only path on the Telco table without total_charges, 5-fold CV against CoxPH on the same
  covariates; target: C >= 0.86.
"""

import argparse
import json
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
warnings.filterwarnings("ignore", module="lifelines")

import numpy as np  # noqa: E402
from sklearn.model_selection import KFold  # noqa: E402

from domains.churn import baselines, data, evaluate, simulate, train  # noqa: E402

SIM_CONFIG = {"epochs": 20, "batch_size": 256, "units": 64, "hidden": 32}
TELCO_CONFIG = {"epochs": 40, "hidden": 32, "dropout": 0.2, "learning_rate": 2e-3, "l2": 1e-3, "linear_static": True}
TELCO_WIDTH = 3  # months per interval: 24 intervals over the 72 months


def bench_cdnow(seed, repeats):
    rows = train.cross_validate_cdnow(data.load_cdnow_sample(), folds=5, repeats=repeats, seed=seed)
    out = {m: {k: float(np.mean([r[m][k] for r in rows])) for k in ("c_index", "c_td", "ibs")} for m in ("gated", "coxph", "km")}
    dc = np.array([r["gated"]["c_index"] - r["coxph"]["c_index"] for r in rows])
    out["folds"] = len(rows)
    out["dc_mean"], out["dc_median"], out["gated_wins"] = float(dc.mean()), float(np.median(dc)), int((dc > 0).sum())
    # judged on the median fold: lifelines' CoxPH can fail to converge on a fold (C ~0.1 lower there), which
    # would carry the mean
    out["target_met"] = bool(out["dc_median"] > 0)
    return out


def bench_simulator(seed, n_train, n_test):
    train_set = simulate.simulate(n_train, seed=seed)
    test_set = simulate.simulate(n_test, seed=seed + 1)
    start = time.perf_counter()
    model = train.fit_survival([train_set.x], train_set.duration, train_set.event, 1.0, len(train_set.times),
                               seed=seed, config=SIM_CONFIG)
    seconds = time.perf_counter() - start
    pred = train.predict_survival(model, [test_set.x], 1.0)
    agg_train = baselines.sequence_aggregates(train_set.x, train_set.features)
    agg_test = baselines.sequence_aggregates(test_set.x, test_set.features)
    cox = baselines.CoxBaseline().fit(agg_train, train_set.duration, train_set.event)
    t, d, e = test_set.times, test_set.duration, test_set.event
    out = {
        "gated": evaluate.score(d, e, pred["risk"], pred["survival"], t),
        "coxph": evaluate.score(d, e, cox.risk(agg_test), cox.survival(agg_test, t), t),
        "oracle": evaluate.score(d, e, test_set.oracle_risk, test_set.oracle_survival, t),
        "train_seconds": seconds, "n_train": n_train, "cpu_count": os.cpu_count(),
    }
    out["c_ratio_to_oracle"] = out["gated"]["c_index"] / out["oracle"]["c_index"]
    out["c_minus_coxph"] = out["gated"]["c_index"] - out["coxph"]["c_index"]
    out["target_met"] = bool(out["c_ratio_to_oracle"] >= 0.95 and out["c_minus_coxph"] >= 0.02)
    return out


def bench_telco(seed, folds):
    frame, covariates = data.load_telco()
    x = covariates.to_numpy("float32")
    duration, event = frame["duration"].to_numpy(), frame["event"].to_numpy()
    times = np.arange(1, 73)
    intervals = 72 // TELCO_WIDTH
    rows = []
    for fold, (tr, te) in enumerate(KFold(folds, shuffle=True, random_state=seed).split(x)):
        model = train.fit_survival([x[tr]], duration[tr], event[tr], TELCO_WIDTH, intervals, seed=seed + fold,
                                   config=TELCO_CONFIG)
        pred = train.predict_survival(model, [x[te]], TELCO_WIDTH)
        survival = pred["survival"][:, (times - 1) // TELCO_WIDTH]  # step curve on the monthly grid
        cox = baselines.CoxBaseline().fit(covariates.iloc[tr], duration[tr], event[tr])
        rows.append({
            "gated": evaluate.score(duration[te], event[te], pred["risk"], survival, times),
            "coxph": evaluate.score(duration[te], event[te], cox.risk(covariates.iloc[te]),
                                    cox.survival(covariates.iloc[te], times), times),
        })
    out = {m: {k: float(np.mean([r[m][k] for r in rows])) for k in ("c_index", "c_td", "ibs")} for m in ("gated", "coxph")}
    out["folds"] = folds
    out["target_met"] = bool(out["gated"]["c_index"] >= 0.86)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=["cdnow", "simulator", "telco", "all"], default="all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=2, help="CDNOW: repeats of 5-fold CV")
    parser.add_argument("--n-train", type=int, default=20_000, help="simulator: training customers")
    parser.add_argument("--out", help="also write the results as JSON here")
    args = parser.parse_args()
    results = {}
    if args.part in ("cdnow", "all"):
        results["cdnow"] = bench_cdnow(args.seed, args.repeats)
        r = results["cdnow"]
        print(f"cdnow ({r['folds']} folds): gated C {r['gated']['c_index']:.4f} vs CoxPH {r['coxph']['c_index']:.4f} "
              f"(mean diff {r['dc_mean']:+.4f}, median {r['dc_median']:+.4f}, gated wins {r['gated_wins']}/{r['folds']}); "
              f"IBS {r['gated']['ibs']:.4f} vs {r['coxph']['ibs']:.4f} (KM {r['km']['ibs']:.4f}); target met: {r['target_met']}", flush=True)
    if args.part in ("simulator", "all"):
        results["simulator"] = r = bench_simulator(args.seed, args.n_train, 5_000)
        print(f"simulator: gated C {r['gated']['c_index']:.4f} = {r['c_ratio_to_oracle']:.3f} x oracle "
              f"{r['oracle']['c_index']:.4f}; CoxPH(aggregates) {r['coxph']['c_index']:.4f} (gated {r['c_minus_coxph']:+.4f}); "
              f"IBS gated {r['gated']['ibs']:.4f} oracle {r['oracle']['ibs']:.4f} CoxPH {r['coxph']['ibs']:.4f}; "
              f"training on {args.n_train} customers: {r['train_seconds']:.0f} s on {r['cpu_count']} CPUs (target < 300 s); "
              f"target met: {r['target_met']}", flush=True)
    if args.part in ("telco", "all"):
        results["telco"] = r = bench_telco(args.seed, 5)
        print(f"telco (5-fold, no total_charges): gated C {r['gated']['c_index']:.4f} vs CoxPH {r['coxph']['c_index']:.4f} "
              f"(target >= 0.86, ratio to CoxPH {r['gated']['c_index'] / r['coxph']['c_index']:.3f}); "
              f"target met: {r['target_met']}", flush=True)
    if args.out:
        with open(args.out, "w") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
