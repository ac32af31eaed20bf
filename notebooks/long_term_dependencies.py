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
# # The long-term-dependency claims, reproduced
#
# The project grew out of a body of claims about memory in recurrent networks. Each claim is a seeded experiment
# in `shared.experiments` with its success criterion fixed before it runs, a table, a figure and an honest
# one-sentence verdict. The same runs are on the command line:
#
# ```bash
# python -m shared.experiments --list
# python -m shared.experiments NAME --out runs/claims            # full settings
# python -m shared.experiments NAME --quick --out runs/claims    # the small settings this notebook uses in CI
# ```
#
# `GATED_QUICK=1` (as in the tests) runs every section with the quick settings; those are too small to decide
# most claims, so each section closes with the outcome of the full-settings run, measured once (seed 0) and
# recorded here.

# %%
import os

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from shared.experiments import get
from shared.experiments.base import timed_run

QUICK = os.environ.get("GATED_QUICK") == "1"
SEED = 0
outcomes = {}


def section(name):
    """Runs experiment ``name`` (quick or full, seed 0), shows its figure and table, prints its verdict."""
    experiment = get(name)
    print("Criterion:", experiment.criterion)
    result, wall = timed_run(experiment, QUICK, SEED)
    display(result.figure)
    plt.close(result.figure)
    display(result.table)
    verdict = "held" if result.held else "did not hold"
    print(f"[{'quick' if QUICK else 'full'} settings, {wall:.0f} s] claim {verdict}: {result.summary}")
    outcomes[name] = {"settings": "quick" if QUICK else "full", "held": result.held, "seconds": round(wall)}
    return result


# %% [markdown]
# ## 1. BPTT against the alternatives (Bengio, Simard & Frasconi 1994)
#
# **Claim.** On the latch, two-sequence and parity problems, gradient descent through time (BPTT) on a small
# recurrent network fails more often as the sequence length T grows, while the alternatives the paper proposed
# succeed more often at a higher cost in function evaluations. Here: BPTT (exact numpy gradient, Adam), simulated
# annealing and multi-grid random search on the *same* tiny tanh networks (5 or 11 weights), and a GatedLSTM of 4
# units for reference.
#
# **Criterion.** A trial succeeds when its held-out accuracy is >= 0.9. The claim holds if, summed over the three
# tasks, BPTT's successes at the longest T are fewer than at the shortest, and at the longest T both searches
# succeed more often than BPTT while spending more evaluations per trial.

# %%
bptt = section("bptt_alternatives")

# %% [markdown]
# **Full settings** (`python -m shared.experiments bptt_alternatives`; T = 5, 10, 20, 40; 8 trials per method,
# task and T on 200 training sequences; budgets 400 BPTT steps, 2000 evaluations per search; 2 GatedLSTM runs of
# 300 steps):
# **held**. Successes summed over the three tasks at T = 5 -> 40: BPTT 14/24 -> 2/24, simulated annealing
# 14/24 -> 9/24, multi-grid random search 17/24 -> 16/24, GatedLSTM 4/6 -> 3/6. On latch BPTT went 8/8 at
# T = 10 to 1/8 at T = 20 and 40, while multi-grid search stayed 8/8 (136 evaluations per trial at T = 40) and
# annealing fell to 5/8 (787); on two-sequence BPTT went 7/8 -> 4/8 -> 2/8 -> 1/8 from T = 5 to 40 against 8/8
# for multi-grid search at T = 40 (401) and 4/8 for annealing (1055). Mean evaluations per trial at T = 40: BPTT
# 371 (most trials use the whole budget of 400; each is a forward *and* backward pass), annealing 1281,
# multi-grid 839, GatedLSTM 300 (steps on 32-sequence batches). Parity was not learnt by anything beyond chance
# within these budgets (one success each for BPTT and annealing at T = 5, for multi-grid at T = 5, 10 and 20):
# the paper's parity results are *not* reproduced. (Measured again after the methods' random streams were
# separated from the data's, session 10, and after each task got its own data streams, session 38; before, the
# three tasks at one T shared their label vectors, so the summed successes were not independent trials.)
# Runtime: 198 s wall, single-threaded, on the shared 2-core machine.

# %% [markdown]
# ## 2. Latching against noise, and the gradient it costs
#
# **Claim.** A single tanh unit with self-weight w > 1 has two attractors and can latch a bit. The larger w, the
# more input noise it tolerates before the bit flips, and the smaller the gradient d h_T / d u_1 (a product of
# w (1 - h_t^2) terms) that reaches the input that wrote the bit: robust memory and learnable memory pull apart.
#
# **Criterion.** Over the grid of w, the tolerated noise (largest sd with <= 5 % flips after T steps) rises with
# w (Spearman >= 0.9), the gradient falls (Spearman <= -0.9), and the largest w passes at least 100 times less
# gradient than the smallest.

# %%
latch = section("latching_noise")

# %% [markdown]
# **Full settings** (`python -m shared.experiments latching_noise`; 12 values of w from 1.02 to 6, T = 100,
# 4000 noise sequences): **held**. The tolerated noise sd rose monotonically from 0.022 (w = 1.02) through
# 0.26 (w = 1.5), 0.46 (w = 2) and 0.83 (w = 3) to 1.79 (w = 6), Spearman +1.00, while log10 |d h_T / d u_1|
# fell from -3.6 through -40, -77 and -150 to -378 (Spearman -1.00); the per-step factor w (1 - h*^2) at the
# attractor falls from 0.96 to 0.00015. No w gives both: a unit that keeps its bit against noise of sd 0.1
# (w >= 1.2) passes less than 1e-17 of the gradient back 100 steps. Runtime: 6 CPU seconds.

# %% [markdown]
# ## 3. GRU against LSTM on small data
#
# **Claim.** At the same width a GRU has about 75 % of an LSTM's parameters and generalises better on small data.
# Learning curves by training-set size, several seeds, on the adding task and on the bundled rt-polarity
# sentences.
#
# **Criterion.** On both datasets, the GRU's mean held-out score is better than the LSTM's at the smallest
# training-set size and at a majority of sizes.

# %%
gru = section("gru_vs_lstm")

# %% [markdown]
# **Full settings** (`python -m shared.experiments gru_vs_lstm`; 32 units; adding T = 30 with 100, 300 and 1000
# sequences; 250, 1000 and 4000 sentences; 3 seeds; at most 15 epochs, early stopping on 20 % of each training
# set): **did not hold**. The GRU has 77 % of the LSTM's recurrent parameters (3456 vs 4480 on adding, 6336 vs
# 8320 on the sentences). Held-out MSE on adding (baseline 0.167) at n = 100 / 300 / 1000: GRU 0.204 / 0.168 /
# 0.057, LSTM 0.168 / 0.167 / 0.156: at the two smallest sizes neither learns (the GRU is worse at n = 100,
# one seed at 0.259), at n = 1000 the GRU learns the task (one seed reaches 0.0096) and the LSTM does not. Held-out
# accuracy on the sentences at n = 250 / 1000 / 4000: GRU 0.509 / 0.565 / 0.668, LSTM 0.522 / 0.607 / 0.688:
# the LSTM is ahead at every size. What the data support is a faster-training GRU on adding, not better small-data
# generalisation. Runtime: 195 CPU seconds (33 min wall on the loaded machine).

# %% [markdown]
# ## 4. Attention as a direct line of sight
#
# **Claim.** To recall the first of T symbols, a unidirectional GatedLSTM must carry it T steps; a Bidirectional
# GatedLSTM (backward path of length 1) and attention pooling over the GatedLSTM's states (a direct read of the
# first state) do not, so they keep their accuracy as T grows.
#
# **Criterion.** At the longest T, attention and the Bidirectional GatedLSTM each reach >= 0.9 held-out accuracy
# and beat the unidirectional GatedLSTM by >= 0.2, whose accuracy has fallen from the shortest T.

# %%
sight = section("line_of_sight")

# %% [markdown]
# **Full settings** (`python -m shared.experiments line_of_sight`; T = 10, 50, 100; 32 units; 400 Adam steps of
# 64 fresh sequences; 2 seeds): **held**. Held-out accuracy (chance 0.125), both seeds: GatedLSTM 1.00 at
# T = 10, 0.12 at T = 50 and 0.13 at T = 100 (chance: the symbol never reaches the output within 400 steps);
# Bidirectional GatedLSTM and attention pooling 1.00 at every T. Runtime: 198 CPU seconds (36 min wall on the
# loaded machine).

# %% [markdown]
# ## 5. A genome language model learns the gene structure
#
# **Claim.** A GatedLSTM trained only to predict the next base of a genome (no labels) develops hidden states from
# which a linear probe recovers the coding frame and exon/gene boundaries far above chance, unlike the same probe
# on an untrained network. The experiment states its exact criterion when it runs (printed below).

# %%
genome = section("genome_lm")

# %% [markdown]
# **Full settings** (`python -m shared.experiments genome_lm`; a 96-unit GatedLSTM, 4,000 Adam steps on the first
# 60 % of the bundled genome read on both strands, probes on the last 40 %): **held**. The probe read the 7-class
# coding frame at 0.882 accuracy (majority class 0.143, untrained network 0.275, the last 12 bases 0.367),
# annotated gene ends among stop triplets at 0.931 (chance 0.499, untrained 0.655, local 0.697) and
# opposite-strand gene starts at 0.897 (untrained 0.823, local 0.809). Held-out next-base loss 1.292 nats vs
# 1.404 untrained. The labels are the bundled genome's Prodigal/Glimmer3 calls, not verified genes, so the
# probe inherits their errors (mostly at starts). Runtime: 192 CPU seconds.

# %% [markdown]
# ## 6. Memory and mixing
#
# **Claim.** The hidden-state autocorrelation of a network driven by a quasi-periodic signal (an irrational
# rotation) persists, while under a chaotic drive (the doubling map x -> 2x mod 1) it decays; the spectra show
# why. The exact criterion is printed when it runs.

# %%
mixing = section("memory_mixing")

# %% [markdown]
# **Full settings** (`python -m shared.experiments memory_mixing`; forget biases 1 and 2): **did not hold, narrowly**.
# At lags 100-2000 the hidden-state autocorrelation peaked at >= 0.991 under the rotation but stayed within
# +-0.110 under the doubling map; it stayed below 0.1 from lag 177 on under the doubling map and never did under
# the rotation; the strongest 1 % of frequency bins held 100 % of the power for the rotation and 52.9 % for the
# doubling map. Both misses (0.110 against the 0.1 bar, 52.9 % against 50 %) come from the network with forget
# bias 2, whose slow but continuous spectrum lingers; with forget bias 1 the criterion is met easily (0.009 and
# 7 %). The thresholds were not moved after the run. Runtime: 30 CPU seconds.

# %% [markdown]
# ## 7. Integral control
#
# **Claim.** A GatedLSTM trained as a controller on a first-order plant with a constant disturbance learns to
# remove the steady-state error, with a forget gate near 1 on the units that integrate the error, as a PI
# controller does. The exact criterion is printed when it runs.

# %%
control = section("integral_control")

# %% [markdown]
# **Full settings** (`python -m shared.experiments integral_control`): **did not hold (half of it held)**. Held-out
# steady-state |e|: GatedLSTM 0.0066, PI 0.0001, P 0.1644 (the same over 3x the training horizon): the LSTM cuts
# the P controller's error 25-fold and its cost (0.0171) is below the tuned PI's (0.0197), and a ridge probe reads
# the integrated error from the cell states with R^2 0.91. But a residual error remains where PI goes to zero, and
# no integrating unit has a forget gate near 1: the unit that tracks the integrated error best (r = +0.933) has a
# mean forget gate of 0.553, and the highest among the 13 units with |r| >= 0.8 is 0.866. The network holds its
# integral through recurrent feedback rather than a near-1 forget gate. Runtime: 54 CPU seconds.

# %% [markdown]
# ## Closing note: each claim and its measured outcome
#
# Verdicts of this notebook's run (quick settings in CI decide little; see each section's full-settings note):

# %%
pd.DataFrame(outcomes).T

# %% [markdown]
# Full-settings outcomes (seed 0, measured once):
#
# | claim | experiment | verdict (full settings) | deciding figures |
# |---|---|---|---|
# | 1. BPTT vs alternatives (Bengio et al. 1994) | `bptt_alternatives` | held (latch, two-sequence); parity not reproduced | BPTT 14/24 -> 2/24 successes from T = 5 to 40; annealing 14 -> 9, multi-grid 17 -> 16, at 1281 and 839 evaluations per trial vs 371 |
# | 2. Latching vs noise | `latching_noise` | held | tolerated noise sd 0.022 -> 1.79 for w = 1.02 -> 6; gradient 1e-3.6 -> 1e-378 |
# | 3. GRU vs LSTM on small data | `gru_vs_lstm` | did not hold | sentences: LSTM ahead at all sizes (0.522/0.607/0.688 vs 0.509/0.565/0.668); adding: GRU ahead only at n = 1000 |
# | 4. Attention as a line of sight | `line_of_sight` | held | at T = 100: GatedLSTM 0.13, Bidirectional 1.00, attention 1.00 |
# | 5. Genome language model | `genome_lm` | held | frame probe 0.882 (untrained 0.275, majority 0.143); gene ends 0.931 (untrained 0.655) |
# | 6. Memory and mixing | `memory_mixing` | did not hold (narrowly) | doubling map |acf| <= 0.110 at lags 100-2000 (bar 0.1), top-1 % bins 52.9 % (bar 50 %); rotation >= 0.991 |
# | 7. Integral control | `integral_control` | did not hold (half) | steady-state error 0.0066 vs P 0.1644 and PI 0.0001; integrating unit's forget gate 0.553 (max 0.866) |
