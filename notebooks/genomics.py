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
# # Gene finding with a CNN + BiGatedLSTM, beside Prodigal
#
# The bundled genome is *Streptococcus pyogenes* M1 GAS (from PhiSpy's test data). Its CDS were called by
# Prodigal and Glimmer3 (RASTtk), so it is **not a truth set**: scoring against it measures agreement with
# those tools. We train a small model on the first part of the chromosome, call genes on a held-out stretch,
# score both our calls and Prodigal's against the annotation, then look inside: the per-position
# probabilities along one gene, and the BiLSTM's forget gates across a gene boundary. The shipped model
# (`domains/genomics/weights/gene_finder.keras`, trained on six other genomes for about an hour: see its card)
# is scored beside them. `GATED_QUICK=1` shrinks the training to a few seconds (12 batches), too little for the
# notebook's model to call genes; the pictures of the inside then show the shipped model instead.

# %%
import os

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from domains.genomics.__main__ import SHIPPED
from domains.genomics.baselines import prodigal_genes
from domains.genomics.data import one_hot, read_genome, sub_contig
from domains.genomics.evaluate import score_bases, score_genes
from domains.genomics.model import build_gene_model
from domains.genomics.predict import lstm_stride, posteriors, predict_genes
from domains.genomics.train import training_dataset
from shared.data_paths import bundled
from shared.layers import gate_activations
from shared.safe_load import load_model

QUICK = os.environ.get("GATED_QUICK") == "1"
TRAIN_BASES, TEST_BASES = (200_000, 60_000) if QUICK else (1_200_000, 400_000)
EPOCHS, STEPS = (1, 12) if QUICK else (6, 150)
keras.utils.set_random_seed(0)

(genome,) = read_genome(bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz"))
print(genome.id, f"{len(genome):,} bp,", len(genome.genes), "annotated CDS")
train_piece = sub_contig(genome, 0, TRAIN_BASES)
test_piece = sub_contig(genome, len(genome) - TEST_BASES, len(genome))
print(len(train_piece.genes), "training genes;", len(test_piece.genes), "held-out genes")

# %% [markdown]
# ## Train a small model
# Windows of 1,536 bases, each reverse-complemented at random; the BiLSTM steps once per codon (`lstm_stride=3`).

# %%
model = build_gene_model(filters=(32, 32), kernel_sizes=(9, 9), dilation_rates=(1, 3), lstm_units=(32,),
                         lstm_stride=3)
data = training_dataset([train_piece], window=1536, stride=768, batch_size=16, seed=0, repeat=True)
# shuffle=False: the dataset shuffles its windows itself
history = model.fit(data, epochs=EPOCHS, steps_per_epoch=STEPS, verbose=0, shuffle=False)
print("training loss per epoch:", np.round(history.history["loss"], 3))

# %% [markdown]
# ## Beside Prodigal on the held-out stretch
# Gene-level scores match genes on their stop codon; `start_accuracy` is the share of matched genes whose start
# is also the annotated one, `short_sensitivity` the sensitivity on annotated genes under 300 bases, and
# `base_f1` the strand- and frame-aware per-base F1. The annotation is Prodigal's own work, so Prodigal is
# expected to agree with it. Prodigal trains itself on the stretch it is given (it warns when that is under
# 100 kb, as with `GATED_QUICK=1`).

# %%
shipped = load_model(SHIPPED)
ours = predict_genes(model, [test_piece], window=1536, stride=1280)
theirs = prodigal_genes([test_piece])
columns = ["sensitivity", "precision", "f1", "start_accuracy", "short_sensitivity", "base_f1"]
pd.DataFrame({
    name: {**score_genes(calls, test_piece.genes), **score_bases(calls, [test_piece])}
    for name, calls in {"gated (this notebook)": ours, "gated (shipped)": predict_genes(shipped, [test_piece]),
                        "prodigal": theirs}.items()
}).T[columns].round(3)

# %% [markdown]
# ## Per-position probabilities along a gene
# For a forward-strand gene: P(coding in any frame) on each strand, the three codon positions on the forward
# strand, and the start-codon probability, with the annotated start and stop codons marked.

# %%
inspected, inspected_name = (shipped, "shipped model") if QUICK else (model, "this notebook's model")
coding, start = posteriors(inspected, [test_piece], window=1536, stride=1280)[test_piece.id]
gene = next(g for g in test_piece.genes if g.strand == 1 and 600 <= g.length <= 1500 and g.parts[0][0] >= 300)
(first, end), = gene.parts
view = slice(max(first - 300, 0), min(end + 300, len(test_piece)))
x = np.arange(view.start, view.stop)
figure, axes = plt.subplots(3, 1, figsize=(9, 7))
axes[0].plot(x, 1 - coding[view, 0, 0], label="coding, forward strand")
axes[0].plot(x, 1 - coding[view, 1, 0], label="coding, reverse strand", alpha=0.7)
axes[1].plot(x, start[view, 0], color="tab:green", label="start codon (forward)")
zoom = np.arange(first - 30, first + 60)  # the three codon positions take turns, base by base
for k in range(3):
    axes[2].plot(zoom, coding[zoom, 0, k + 1], marker=".", lw=0.6, label=f"codon position {k + 1}")
for axis in axes:
    axis.axvline(first, color="k", ls="--", lw=0.8)
    axis.axvline(end - 3, color="tab:red", ls="--", lw=0.8)
    axis.legend(fontsize=7, loc="upper right")
axes[0].set_ylabel("P(coding)")
axes[1].set_ylabel("P(start codon)")
axes[2].set_ylabel("P(codon position)")
axes[0].set_title(f"{inspected_name}, {gene.id}: start (black) and stop codon (red)")
axes[1].set_xlim(axes[0].get_xlim())
axes[2].set_xlim(zoom[0], zoom[-1])
axes[2].set_xlabel("position in the held-out stretch (bases); bottom: zoom on the start")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Forget gates across a gene boundary
# The BiLSTM reads one step per `lstm_stride` bases (this notebook's model: 3, a codon; the shipped one: 6).
# We run its inputs (the pooled front-end features) through a twin that returns its gates
# (`shared.layers.gate_activations`) and plot the mean forget gate of each direction around the end of the
# forward-strand gene (600 bases or more) followed by the longest gap before the next gene. A drop at the stop
# codon would be the memory being reset as the reading direction crosses from coding into non-coding sequence
# (or back); whether the mean over units shows one depends on the model (the shipped model's, in the quick
# run, shows no clear step there).

# %%
stride = lstm_stride(inspected)  # bases per BiLSTM step
bilstm = inspected.get_layer("bilstm_0")
features = keras.Model(inspected.input, inspected.get_layer("pool").output)
lone = [g for g in test_piece.genes if g.strand == 1 and g.length >= 600]
gaps = {g.id: min((h.parts[0][0] for h in test_piece.genes if h.parts[0][0] > g.parts[0][1]), default=0)
        - g.parts[0][1] for g in lone}
boundary_gene = max(lone, key=lambda g: gaps[g.id])
stop_end = boundary_gene.parts[0][1]
left = (stop_end - 768) // stride * stride
window = test_piece.sequence[left:left + 1536]
gates = gate_activations(bilstm, features(one_hot(window)[None]))
steps = left + stride * np.arange(1536 // stride)
figure, axis = plt.subplots(figsize=(9, 3))
for direction in ("forward", "backward"):
    axis.plot(steps, np.asarray(gates[direction]["forget"])[0].mean(axis=-1), label=f"{direction} forget gate")
axis.axvline(stop_end, color="tab:red", ls="--", label="end of the gene (stop codon)")
axis.axvspan(stop_end, min(stop_end + gaps[boundary_gene.id], steps[-1]), color="0.9", label="non-coding")
axis.set_xlabel("position in the held-out stretch (bases)")
axis.set_ylabel("forget gate, mean over units")
axis.set_title(f"{inspected_name}, {boundary_gene.id}")
axis.legend(fontsize=7)
plt.show()
