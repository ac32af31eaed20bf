"""Ecology targets, each printed as a ratio against an anchor measured in the same run.

    python benchmarks/ecology_backtest.py                      # all three cases, full size
    python benchmarks/ecology_backtest.py --case gpdd --limit 100 --seed 0
    python benchmarks/ecology_backtest.py --case lynx --case sim --quick

- ``lynx``: the Zhang (2003) protocol on the bundled lynx (train 1821-1920, one-step 1921-1934, log10): the
  GatedForecaster (``PER_SERIES`` settings: AR(12) base, LSTM residual stopped early on 1906-1920) MSE against
  AR(2) (anchor) and the target 0.0150.
- ``gpdd``: the rolling-origin backtest (PROTOCOL.md B) on the GPDD benchmark series from
  ``../shared/data/ecology`` (all 483, or the first ``--limit`` by id): geometric-mean relative MASE vs naive
  (target <= 0.95) and 80 % coverage (target 0.75-0.85), baselines beside it; the global model's training time.
  ``--gated '{"epochs": 40, "patience": 0}'`` overrides the global settings (``GLOBAL``) for an experiment.
- ``sim``: declining-K Ricker panel (:func:`domains.ecology.simulate.simulate_panel`), rolling origin:
  the GatedForecaster's MASE over AR(1)'s (anchor), and the correlation of its best cell-state unit with the
  true log K(t) (mean of per-series correlations).
"""

import argparse
import json
import sys
import time

import numpy as np
import pandas as pd

from domains.ecology.baselines import BASELINES, ARForecaster, NaiveForecaster
from domains.ecology.data import PopulationSeries, load_lynx, load_series
from domains.ecology.evaluate import rolling_origin, zhang2003
from domains.ecology.forecaster import GLOBAL, PER_SERIES, GatedForecaster
from domains.ecology.simulate import simulate_panel
from shared.data_paths import shared_data

#: The simulator case's global model.
SETTINGS = dict(units=32, epochs=300)
#: The global model's settings on GPDD: the command line's defaults for a global model (held-out last 10
#: training steps of each series for early stopping and calibration).
GPDD_SETTINGS = dict(GLOBAL)


def lynx_case(seed, quick):
    settings = dict(PER_SERIES, epochs=20) if quick else PER_SERIES
    start = time.perf_counter()
    results = zhang2003(load_lynx(), 1920, gated=GatedForecaster(horizon=10, seed=seed, **settings))
    seconds = time.perf_counter() - start
    gated, anchor = results["gated"]["mse"], results["ar2"]["mse"]
    print(f"lynx zhang2003  gated MSE {gated:.4f}  AR(2) {anchor:.4f}  ratio {gated / anchor:.3f}  "
          f"target <= 0.0150: {'met' if gated <= 0.015 else 'NOT met'}  (fit + 14 forecasts, all models: {seconds:.1f} s)")
    return {"gated_mse": gated, "ar2_mse": anchor, "seconds": seconds, "all": results}


def gpdd_case(seed, quick, limit, overrides=None):
    folder = shared_data("ecology")
    if folder is None:
        print("gpdd: skipped, ../shared/data/ecology is absent")
        return None
    ids = pd.read_csv(folder / "gpdd" / "gpdd_benchmark_ids.csv").series_id.sort_values().tolist()
    ids = ids[:limit] if limit else ids
    series = load_series(folder / "gpdd" / "gpdd_annual_long.csv", series=ids)
    settings = dict(GPDD_SETTINGS, epochs=5) if quick else dict(GPDD_SETTINGS)
    settings.update(overrides or {})
    start = time.perf_counter()
    summary, _ = rolling_origin(series, gated=GatedForecaster(seed=seed, **settings))
    seconds = time.perf_counter() - start
    print(f"gpdd rolling origin, {len(series)} series ({'all 483' if len(series) == 483 else 'SUBSET'}), "
          f"{seconds:.0f} s incl. global training")
    print(f"  {'model':16s} relMASE  beats-naive  cover80  cover95  sCRPS")
    for name, entry in summary.items():
        print(f"  {name:16s} {entry['relative_mase']:.3f}    {entry['share_beating_naive']:.2f}         "
              f"{entry['coverage80']:.2f}     {entry['coverage95']:.2f}     {entry['crps']:.3f}")
    gated = summary["gated"]
    print(f"  target relMASE <= 0.95: {'met' if gated['relative_mase'] <= 0.95 else 'NOT met'}; "
          f"coverage80 in [0.75, 0.85]: {'met' if 0.75 <= gated['coverage80'] <= 0.85 else 'NOT met'}")
    return {"series": len(series), "seconds": seconds, "summary": summary}


def sim_case(seed, quick):
    panel = simulate_panel(n_series=10 if quick else 40, n=80, seed=seed, sigma_process=0.1, sigma_obs=0.05)
    series = {
        name: PopulationSeries(name, rows.time.to_numpy(float), rows.value.to_numpy(), np.zeros(len(rows), bool),
                               np.zeros((len(rows), 0)))
        for name, rows in panel.groupby("series_id")
    }
    gated = GatedForecaster(seed=seed, **(dict(SETTINGS, epochs=20) if quick else dict(SETTINGS, epochs=100)))
    summary, _ = rolling_origin(series, gated=gated,
                                baselines={"naive": NaiveForecaster, "ar1": lambda: ARForecaster(1)})
    ratio = summary["gated"]["mase"] / summary["ar1"]["mase"]
    states = {name: gated.cell_states(s.log) for name, s in series.items()}
    log_k = {name: np.log(rows.true_k.to_numpy()) for name, rows in panel.groupby("series_id")}
    correlations = np.array([[np.corrcoef(states[name][:, unit], log_k[name])[0, 1]
                              for unit in range(states[name].shape[1])] for name in series])
    mean_corr = np.nanmean(correlations, axis=0)
    best = int(np.nanargmax(np.abs(mean_corr)))
    print(f"sim declining K, {len(series)} series: gated MASE {summary['gated']['mase']:.3f}  AR(1) "
          f"{summary['ar1']['mase']:.3f}  ratio {ratio:.3f}  (relMASE vs naive: gated "
          f"{summary['gated']['relative_mase']:.3f}, AR(1) {summary['ar1']['relative_mase']:.3f})")
    print(f"  cell state vs true log K: unit {best}, mean per-series correlation {mean_corr[best]:+.3f}")
    return {"ratio_vs_ar1": ratio, "cell_k_correlation": float(mean_corr[best]), "summary": summary}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", action="append", choices=["lynx", "gpdd", "sim"])
    parser.add_argument("--limit", type=int, default=0, help="gpdd: first N series by id (0: all 483)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="tiny settings, for a smoke run")
    parser.add_argument("--gated", help="gpdd: GatedForecaster settings overriding GPDD_SETTINGS, as JSON")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    cases = args.case or ["lynx", "sim", "gpdd"]
    report = {}
    if "lynx" in cases:
        report["lynx"] = lynx_case(args.seed, args.quick)
    if "sim" in cases:
        report["sim"] = sim_case(args.seed, args.quick)
    if "gpdd" in cases:
        report["gpdd"] = gpdd_case(args.seed, args.quick, args.limit, json.loads(args.gated) if args.gated else None)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(report, handle, indent=2, default=float)


if __name__ == "__main__":
    sys.exit(main())
