# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Population forecasting with gated memory
#
# A population whose carrying capacity K(t) shrinks keeps being pulled towards a target that moves. A
# first-order model, AR(1) on log abundance, reverts to one fixed mean and so misreads the decline; a gated
# recurrent network can carry the drifting K in its cell state. This notebook
#
# 1. simulates Ricker populations with a declining K (`domains.ecology.simulate`),
# 2. backtests a global `GatedForecaster` against AR(1) and naive by rolling origin, and shows one forecast
#    of each against the true K,
# 3. plots the LSTM's cell state against the true K, and
# 4. forecasts the Canadian lynx with a fan chart.
#
# With `GATED_QUICK=1` (as the tests run it) every setting shrinks so the notebook runs in under two minutes.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from domains.ecology.baselines import ARForecaster, NaiveForecaster
from domains.ecology.data import PopulationSeries, load_lynx
from domains.ecology.evaluate import origins, rolling_origin
from domains.ecology.forecaster import PER_SERIES, GatedForecaster
from domains.ecology.simulate import simulate_panel

QUICK = os.environ.get("GATED_QUICK") == "1"
N_SERIES, EPOCHS = (6, 10) if QUICK else (40, 150)

# %% [markdown]
# ## A shrinking carrying capacity

# %%
panel = simulate_panel(n_series=N_SERIES, n=80, seed=0, sigma_process=0.1, sigma_obs=0.05)
series = {
    name: PopulationSeries(name, rows.time.to_numpy(float), rows.value.to_numpy(), np.zeros(len(rows), bool),
                           np.zeros((len(rows), 0)))
    for name, rows in panel.groupby("series_id")
}
example = panel[panel.series_id == "sim_000"]
plt.figure(figsize=(7, 3))
plt.semilogy(example.time, example.value, label="observed N")
plt.semilogy(example.time, example.true_k, label="true K(t)")
plt.xlabel("time step")
plt.ylabel("abundance (log axis)")
plt.legend()
plt.title("one simulated population")
plt.show()

# %% [markdown]
# ## Rolling-origin backtest: gated memory against AR(1)
# The network is trained once, globally, on every series' data before its first forecast origin; the
# baselines are refitted at every origin (protocol B of `../shared/data/ecology/PROTOCOL.md`, as
# `domains.ecology.evaluate.rolling_origin` documents it). MASE is averaged over series, origins and horizons
# 1-10; "relative to naive" is the geometric mean over series of the model's MASE over naive's.

# %%
gated = GatedForecaster(units=16, epochs=EPOCHS, seed=0)
summary, _ = rolling_origin(series, gated=gated, baselines={"naive": NaiveForecaster, "ar1": lambda: ARForecaster(1)})
for name, entry in summary.items():
    print(f"{name:6s} MASE {entry['mase']:.3f}  relative to naive {entry['relative_mase']:.3f}  "
          f"80% coverage {entry['coverage80']:.2f}")

# %% [markdown]
# One of those forecasts, from the first origin of one series: AR(1), fitted on the data up to the origin,
# heads back towards the mean of that past while K keeps falling.

# %%
sim = series["sim_000"]
origin = origins(len(sim))[0]
ahead = sim.time[origin:origin + 10]
plt.figure(figsize=(7, 3))
plt.semilogy(sim.time, sim.value, color="black", lw=1, label="observed N")
plt.semilogy(example.time, example.true_k, color="0.6", ls="--", label="true K(t)")
for name, forecaster in (("ar1", ARForecaster(1).fit(sim.log[:origin])), ("gated", gated)):
    forecast = forecaster.predict(10, history=sim.log[:origin], covariates=sim.covariates[:origin])
    plt.semilogy(ahead, sim.to_original(forecast.mean), marker=".", label=f"{name} forecast (median)")
plt.axvline(sim.time[origin] - 0.5, color="k", ls=":", lw=0.8)
plt.xlabel("time step")
plt.ylabel("abundance (log axis)")
plt.legend(fontsize=8)
plt.title("ten steps ahead from the first forecast origin")
plt.show()

# %% [markdown]
# ## What the cell state holds
# The unit whose cell state correlates best (averaged over series) with the true log K(t). In this scenario
# every series' K falls steadily and N follows it, so anything that trends with the population correlates
# with log K; the printed correlation of the observed log N with log K is the yardstick.

# %%
states = {name: gated.cell_states(s.log) for name, s in series.items()}
log_k = {name: np.log(rows.true_k.to_numpy()) for name, rows in panel.groupby("series_id")}
corr = np.nanmean([[np.corrcoef(states[n][:, u], log_k[n])[0, 1] for u in range(states[n].shape[1])]
                   for n in series], axis=0)
unit = int(np.nanargmax(np.abs(corr)))
print(f"unit {unit}: mean correlation with log K {corr[unit]:+.3f}; observed log N with log K: "
      f"{np.mean([np.corrcoef(series[n].log, log_k[n])[0, 1] for n in series]):+.3f}")
fig, axis = plt.subplots(figsize=(7, 3))
axis.plot(log_k["sim_000"], color="black", label="true log K")
twin = axis.twinx()
twin.plot(states["sim_000"][:, unit], color="tab:red", label=f"cell state, unit {unit}")
axis.set_xlabel("time step")
axis.set_ylabel("log K")
twin.set_ylabel("cell state")
fig.legend(loc="lower left", bbox_to_anchor=(0.12, 0.15), fontsize=8)
axis.set_title("cell state against the true carrying capacity (sim_000)")
plt.show()

# %% [markdown]
# ## The Canadian lynx: a ten-year forecast with its fan chart
# One series, so the per-series settings: a frozen threshold-AR(2) base (SETAR: the regime follows the current
# level, so rise and crash get their own dynamics) gives the mean; the LSTM gives the spread (its residual on
# the mean did not help in the rolling origin inside 1821-1920, so its weight is 0: see the card
# `domains/ecology/weights/lynx_1821_1920.json`), stopped early on the last 15 years, whose errors also
# calibrate the interval widths. Here the LSTM trains for at most 150 epochs (the shipped model's recipe allows
# 300, with the same early stopping), and with `GATED_QUICK=1` for 10 only.

# %%
lynx = load_lynx()
model = GatedForecaster(**dict(PER_SERIES, epochs=EPOCHS), seed=0).fit(lynx.log)
forecast = model.predict(10)
years = lynx.time[-1] + np.arange(1, 11)
plt.figure(figsize=(8, 3.5))
plt.semilogy(lynx.time, lynx.value, color="black", lw=1, label="lynx trapped")
for level, alpha in ((0.95, 0.2), (0.8, 0.4)):
    low, high = forecast.interval(level)
    plt.fill_between(years, lynx.to_original(low), lynx.to_original(high), color="tab:blue", alpha=alpha,
                     label=f"{level:.0%} interval")
plt.semilogy(years, lynx.to_original(forecast.mean), color="tab:blue", label="median forecast")
plt.xlabel("year")
plt.ylabel("lynx trapped (log axis)")
plt.legend(fontsize=8, loc="upper left")
plt.show()
