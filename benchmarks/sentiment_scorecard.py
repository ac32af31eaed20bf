"""Issue 4's scorecard for one predictor: the TF-IDF + logistic regression baseline (trained here on every
labelled SST train phrase), VADER (``--baseline vader``, nothing trained) or a trained run folder (``--model``).

Scores SST-2 dev and test accuracy, the negation gap on test, SST negation-flip accuracy (the 80 test phrases),
CheckList negation pass rates, IMDb contrast pairs (test, both right) and the held-out templates of
``domains.sentiment.augment`` (frames and words never trained on; polar pairs both right, and the share of
neutral sentences kept in the neutral band): settings are chosen on SST dev and these, not on CheckList. Needs the shared data
(``../shared/data/sentiment``); about a minute on 2 CPU cores.

    python benchmarks/sentiment_scorecard.py [--model RUN_FOLDER | --baseline {tfidf,vader}] [--json]
"""

import argparse
import json
import time

import numpy as np
import pandas as pd

from domains.sentiment.baselines import TfidfLogistic, Vader
from domains.sentiment.data import load_checklist, load_flips, load_sst, load_table, sst_split_path
from domains.sentiment.augment import generate, sst_lexicon
from domains.sentiment.evaluate import evaluate_all, pairs_both_right, three_way
from shared.data_paths import shared_data


def imdb_pairs(root, split="test"):
    """The IMDb contrast pairs interleaved (original, contrast, original, ...) as one ``text, label`` table."""
    original = load_table(root / "imdb_contrast" / f"{split}_original.tsv.gz", "Text", "Sentiment")
    contrast = load_table(root / "imdb_contrast" / f"{split}_contrast.tsv.gz", "Text", "Sentiment")
    order = np.argsort(np.r_[np.arange(len(original)) * 2, np.arange(len(contrast)) * 2 + 1], kind="stable")
    return pd.concat([original[["text", "label"]], contrast[["text", "label"]]], ignore_index=True).iloc[order]


def held_out_templates(model, trees, n_pairs=1000):
    """Both-right share of the held-out polar template pairs and neutral-band share of the neutral ones."""
    pairs = generate(sst_lexicon(sst_split_path(trees, "train")), n_pairs, seed=1, held_out=True)
    p = model.predict_proba(pairs["text"])
    polar = (pairs["label"] != 0.5).to_numpy()
    return {**pairs_both_right(pairs["label"][polar], p[polar]),
            "neutral_in_band": float((three_way(p[~polar]) == "neu").mean())}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--model", help="a run folder from `python -m domains.sentiment train`")
    which.add_argument("--baseline", choices=["tfidf", "vader"], default="tfidf", help="a baseline (default tfidf)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    root = shared_data("sentiment")
    if root is None:
        raise SystemExit("needs ../shared/data/sentiment (or GATED_SHARED_DATA)")
    trees = root / "sst" / "trees"
    start = time.perf_counter()
    if args.model:
        from domains.sentiment.train import load_classifier

        model, name = load_classifier(args.model), f"run {args.model}"
    elif args.baseline == "vader":
        model, name = Vader().fit(), "vader (compound >= 0 -> positive)"
    else:
        train = load_sst(sst_split_path(trees, "train"), view="phrases", classes=2)
        model = TfidfLogistic(seed=0).fit(train["text"], train["label"])
        name = f"tfidf+lr (uni+bigrams, sublinear tf, C=4, min_df=2) on SST train phrases ({len(train)})"
    dev = load_sst(sst_split_path(trees, "dev"))
    result = {"model": name, "sst2_dev_accuracy": float(((model.predict_proba(dev["text"]) > 0.5) == dev["label"]).mean())}
    result.update(evaluate_all(model, load_sst(sst_split_path(trees, "test")),
                               flips=load_flips(root / "sst" / "sst_negation_flips.tsv", "test"),
                               checklist=load_checklist(root / "checklist" / "checklist_sentiment_negation.tsv.gz")))
    pairs = imdb_pairs(root)
    result["imdb_contrast_test"] = pairs_both_right(pairs["label"], model.predict_proba(pairs["text"]))
    result["held_out_templates"] = held_out_templates(model, trees)
    result["seconds"] = round(time.perf_counter() - start, 1)
    print(json.dumps(result, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
