"""Issue 4's scorecard for one predictor: the TF-IDF + logistic regression baseline (trained here on every
labelled SST train phrase), VADER (``--baseline vader``, nothing trained) or a trained run (``--model``: a folder or a ``.keras`` file).

Scores SST-2 dev and test accuracy, the negation gap on test, SST negation-flip accuracy (the 80 test phrases),
CheckList negation pass rates, IMDb contrast pairs (test, both right), and the validation sets settings are chosen
on (never on CheckList or a test set):

- the held-out templates of ``domains.sentiment.augment`` (frames and words never trained on): polar pairs both
  right, and the share of neutral sentences kept in the neutral band;
- the negated neutral SST *dev* phrases (``negated_neutral_probe``): the neutral dev phrases that
  ``augment.negate_statement`` can negate (527), negated after their first auxiliary; the share in the neutral band
  and the median P(positive);
- the hand-written sets of ``benchmarks/sentiment_validation`` (``handwritten``; see its README): 86 minimal pairs
  (both right), 96 negated neutral statements (share in the neutral band) and the audit's 160 minimal pairs in 8
  phenomena (``audit``: both right, overall and per phenomenon).

With them, ``bundled_check``: accuracy and mean P(positive) on the first 500 bundled rt-polarity sentences
(:func:`domains.sentiment.evaluate.bundled_check`), the cheap figure the tests hold the shipped model to.

Needs the shared data (``../shared/data/sentiment``, or ``$GATED_SHARED_DATA/sentiment``; without it the script
says so and exits 0; a file missing from it is named, exit 2, before any work). On one CPU thread (2026-11-22, load
average 4-5 on the 2 shared cores) the shipped model took 32 s (21 s of scoring), the TF-IDF baseline 12 s.

    python benchmarks/sentiment_scorecard.py [--model RUN | --baseline {tfidf,vader}] [--json] [--update-card]
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from domains.sentiment.baselines import TfidfLogistic, Vader
from domains.sentiment.data import (SST_SPLITS, load_checklist, load_flips, load_sst, load_table, read_lines,
                                   sst_split_path)
from domains.sentiment.augment import generate, negated_neutral, sst_lexicon
from domains.sentiment.evaluate import bundled_check, evaluate_all, pairs_both_right, three_way
from shared import cli
from shared.atomic import atomic_open
from shared.data_paths import shared_data, shared_data_folder

#: The hand-written validation sets (README.md there says what they hold and how they were made).
VALIDATION = Path(__file__).resolve().parent / "sentiment_validation"
#: The files :func:`score` reads under the shared sentiment folder besides the SST trees (all three splits).
SCORED_FILES = ("sst/sst_negation_flips.tsv", "checklist/checklist_sentiment_negation.tsv.gz",
                "imdb_contrast/test_original.tsv.gz", "imdb_contrast/test_contrast.tsv.gz")


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


def negated_neutral_probe(model, trees):
    """The neutral SST dev phrases :func:`domains.sentiment.augment.negated_neutral` can negate (seed 0), negated:
    their count, the share of them in the neutral band and their median P(positive)."""
    probe = negated_neutral(load_sst(sst_split_path(trees, "dev"), view="phrases", classes=5), sys.maxsize, seed=0)
    p = model.predict_proba(probe["text"])
    return {"n": int(len(probe)), "neutral_in_band": float((three_way(p) == "neu").mean()),
            "median_probability": float(np.median(p))}


def handwritten(model, folder=VALIDATION):
    """The hand-written validation sets under ``folder``: minimal pairs both right, and the share of the negated
    neutral statements in the neutral band (with their count and median P(positive)); the audit's pairs both right
    (``audit``: overall and per phenomenon)."""
    pairs = load_table(folder / "handwritten_pairs.tsv")
    statements = read_lines(folder / "handwritten_negated_neutral.txt")
    p = model.predict_proba(statements)
    return {**pairs_both_right(pairs["label"], model.predict_proba(pairs["text"]), where="handwritten_pairs.tsv"),
            "n_negated_neutral": len(statements), "negated_neutral_in_band": float((three_way(p) == "neu").mean()),
            "negated_neutral_median_probability": float(np.median(p)), "audit": audit_pairs(model, folder)}


def audit_pairs(model, folder=VALIDATION):
    """``audit_pairs.tsv`` under ``folder`` (160 minimal pairs in 8 phenomena, see its README): ``n_pairs``,
    ``pairs_both_right`` and ``by_phenomenon`` (``{phenomenon: share of its pairs both right}``)."""
    table = load_table(folder / "audit_pairs.tsv").reset_index(drop=True)
    p = model.predict_proba(table["text"])
    by_phenomenon = {name: pairs_both_right(rows["label"], p[rows.index])["pairs_both_right"]
                     for name, rows in table.groupby("phenomenon", sort=False)}
    return {**pairs_both_right(table["label"], p, where="audit_pairs.tsv"), "by_phenomenon": by_phenomenon}


def missing_data(root, splits=SST_SPLITS, files=SCORED_FILES):
    """The first file a run needs under the shared sentiment folder ``root`` that is not there (the SST tree file
    of each of ``splits``, then ``files``), or ``None``: checked before any work, so that it is named in one line
    rather than by a traceback after the training."""
    for split in splits:
        try:
            sst_split_path(root / "sst" / "trees", split)
        except FileNotFoundError as error:
            return error.filename
    return next((str(root / name) for name in files if not (root / name).is_file()), None)


def skipped_line(what):
    """The line a script prints when the shared sentiment folder is absent, naming the folder it searched."""
    return f"skipped: {shared_data_folder('sentiment')} is absent ({what} live there; or set GATED_SHARED_DATA)"


def score(model, root):
    """Every figure of the scorecard for one predictor (``predict_proba``) on the shared data under ``root``."""
    trees = root / "sst" / "trees"
    start = time.perf_counter()
    dev = load_sst(sst_split_path(trees, "dev"))
    result = {"sst2_dev_accuracy": float(((model.predict_proba(dev["text"]) > 0.5) == dev["label"]).mean())}
    result.update(evaluate_all(model, load_sst(sst_split_path(trees, "test")),
                               flips=load_flips(root / "sst" / "sst_negation_flips.tsv", "test"),
                               checklist=load_checklist(root / "checklist" / "checklist_sentiment_negation.tsv.gz")))
    pairs = imdb_pairs(root)
    result["imdb_contrast_test"] = pairs_both_right(pairs["label"], model.predict_proba(pairs["text"]))
    result["held_out_templates"] = held_out_templates(model, trees)
    result["negated_neutral_probe"] = negated_neutral_probe(model, trees)
    result["handwritten"] = handwritten(model)
    result["bundled_check"] = bundled_check(model)
    result["seconds"] = round(time.perf_counter() - start, 1)
    return result


def build_parser():
    """The command line's options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--model", help="a run from `python -m domains.sentiment train`: its folder or .keras file")
    which.add_argument("--baseline", choices=["tfidf", "vader"], default="tfidf", help="a baseline (default tfidf)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--update-card", action="store_true",
                        help="with --model: also store the result as the run card's 'scorecard' entry")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.update_card and not args.model:
        parser.error("--update-card needs --model")
    if args.model:
        cli.import_tensorflow()  # domains.sentiment.train imports it: its start-up notices held back
        from domains.sentiment.train import run_files

        files = run_files(args.model)
        if not Path(args.model).exists():
            parser.error(f"--model: {args.model}: no such run folder or .keras file")
    if args.update_card:
        card_path = files["card"]
        if not card_path.is_file():
            parser.error(f"--update-card: {args.model} has no card {card_path} to update")
        try:
            cli.read_model_card(card_path)
        except cli.InputError as error:
            parser.error(f"--update-card: {error}")
    if args.model and not files["model"].is_file():
        parser.error(f"--model: {args.model}: not a run folder or .keras file ({files['model']} is not a file)")
    root = shared_data("sentiment")
    if root is None:
        print(skipped_line("SST, CheckList and IMDb"))
        return
    missing = missing_data(root)
    if missing:
        parser.error(f"{missing}: not found in the shared data folder {root}")
    trees = root / "sst" / "trees"
    if args.model:
        from domains.sentiment.train import load_classifier

        model, name = load_classifier(args.model), f"run {args.model}"
    elif args.baseline == "vader":
        model, name = Vader().fit(), "vader (compound >= 0 -> positive)"
    else:
        train = load_sst(sst_split_path(trees, "train"), view="phrases", classes=2)
        model = TfidfLogistic(seed=0).fit(train["text"], train["label"])
        name = f"tfidf+lr (uni+bigrams, sublinear tf, C=4, min_df=2) on SST train phrases ({len(train)})"
    result = {"model": name, **score(model, root)}
    print(json.dumps(result, indent=None if args.json else 2))
    if args.update_card:
        card = json.loads(card_path.read_text())
        card["scorecard"] = {"command": f"python benchmarks/sentiment_scorecard.py --model {args.model} --update-card",
                             **result}
        with atomic_open(str(card_path), force=True) as handle:
            json.dump(card, handle, indent=2)


if __name__ == "__main__":
    cli.run(main)
