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
# # Churn as survival analysis with a GatedLSTM
#
# Simulated subscription customers (`domains.churn.simulate`) have a *known* weekly churn hazard, driven by
# complaints whose effect decays over ~8 weeks, a usage decline, support contacts, a contract-renewal spike and
# an unobserved frailty. We train the recurrent logistic-hazard model on their weekly histories (with a
# usage-trend channel, `simulate.usage_trend`, and each follow-up week's renewal outlook read from the billing
# history, `simulate.renewal_outlook`), compare it with CoxPH on aggregates of the same histories and with the
# oracle (the true hazard), plot three customers' survival curves and look at the gates around a complaint.
# `GATED_QUICK=1` shrinks everything: 3,000 training customers and a 16-unit network, which ranks customers
# well short of the full settings (20,000 customers, 64 units: C about 0.95 of the oracle's in
# `benchmarks/churn_survival.py`, where the Bayes observer reaches about 0.96) and may fall behind CoxPH.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from domains.churn import baselines, evaluate, model, simulate, train

QUICK = os.environ.get("GATED_QUICK") == "1"
N_TRAIN, N_TEST = (3000, 1500) if QUICK else (20000, 5000)
CONFIG = {"epochs": 20, "batch_size": 256, "units": 16 if QUICK else 64, "hidden": 32,
          "dropout": 0.0}  # full settings: benchmarks/churn_survival.py's SIM_CONFIG

train_set = simulate.simulate(N_TRAIN, seed=0)
test_set = simulate.simulate(N_TEST, seed=1)
train_inputs, test_inputs = simulate.model_inputs(train_set), simulate.model_inputs(test_set)
print(train_inputs[0].shape, "churned in follow-up:", train_set.event.mean().round(3))

# %% [markdown]
# ## Train, then score beside CoxPH on aggregates, the Bayes observer and the oracle
# The oracle knows the frailty, the decline still to come and every renewal week; the Bayes observer
# (`simulate.bayes_survival`) is the posterior mean curve given the history alone, the most any model can get
# from these histories. `c_index`: Harrell's C of the risk score; `c_td`: time-dependent C of the survival
# curves; `ibs`: integrated Brier score (lower is better); see `domains.churn.evaluate.score`.

# %%
net = train.fit_survival(train_inputs, train_set.duration, train_set.event, 1.0, len(train_set.times),
                         seed=0, config=CONFIG)
pred = train.predict_survival(net, test_inputs, 1.0)
agg_train = baselines.sequence_aggregates(train_set.x, train_set.features)
agg_test = baselines.sequence_aggregates(test_set.x, test_set.features)
cox = baselines.CoxBaseline().fit(agg_train, train_set.duration, train_set.event)
t, d, e = test_set.times, test_set.duration, test_set.event
bayes = simulate.bayes_survival(test_set)
curves = {
    "gated": (pred["risk"], pred["survival"]),
    "coxph": (cox.risk(agg_test), cox.survival(agg_test, t)),
    "bayes": (model.risk_score(bayes, 1.0), bayes),
    "oracle": (test_set.oracle_risk, test_set.oracle_survival),
}
pd.DataFrame({name: evaluate.score(d, e, r, s, t) for name, (r, s) in curves.items()}).T

# %% [markdown]
# Calibration: the mean predicted S(t) against the Kaplan-Meier estimate of the test customers, and the
# paired bootstrap interval of each model's difference to CoxPH (customers resampled).

# %%
table = evaluate.calibration(d, e, {name: s for name, (_, s) in curves.items()}, t, at=[6, 13, 26])
evaluate.calibration_plot(table, unit="weeks")
plt.show()
print(table.round(4))
evaluate.paired_bootstrap(d, e, curves, t, n_boot=20 if QUICK else 200, seed=0).round(4)

# %% [markdown]
# ## Survival curves of three customers: predicted (solid) and true (dashed)
# A low-, a middle- and a high-risk customer by the true hazard.

# %%
picks = np.argsort(test_set.oracle_risk)[[5, N_TEST // 2, N_TEST - 5]]
figure, axis = plt.subplots(figsize=(6, 3.5))
for i, colour in zip(picks, ["tab:green", "tab:blue", "tab:red"]):
    axis.step(t, pred["survival"][i], where="post", color=colour, label=f"customer {i}")
    axis.step(t, test_set.oracle_survival[i], where="post", color=colour, ls="--")
axis.plot([], [], color="0.4", label="predicted (solid)")
axis.plot([], [], color="0.4", ls="--", label="true (dashed)")
axis.set_xlabel("weeks after the landmark")
axis.set_ylabel("S(t)")
axis.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## Gates around a complaint
# A customer with a single complaint, in the middle of the history (so that the weeks after it show): mean
# input and forget gate over the units, and the risk the model would give if the history ended after each week.

# %%
complaint_week = test_set.complaints.argmax(axis=1)
single = np.flatnonzero((test_set.complaints.sum(axis=1) == 1) & (complaint_week >= 20) & (complaint_week <= 35))
customer = int(single[np.argmax(test_set.oracle_risk[single])])
week = int(complaint_week[customer])
report = model.explain(net, [part[customer:customer + 1] for part in test_inputs], width=1.0)
figure, axes = plt.subplots(2, 1, figsize=(7, 4.5), sharex=True)
for name in ("input", "forget"):
    axes[0].plot(report["gate_means"][name], label=f"{name} gate (mean over units)")
axes[0].axvline(week, color="k", ls=":", label="complaint")
axes[0].set_ylabel("gate activation")
axes[0].legend(fontsize=8)
axes[1].plot(report["risk_path"], color="tab:red")
axes[1].axvline(week, color="k", ls=":")
axes[1].set_ylabel("risk if history ended here")
axes[1].set_xlabel("week of history")
plt.show()
print("weeks that moved the risk most:", [(w, round(c, 3)) for w, c in report["top_weeks"]])
