"""Command line: ``python -m domains.sentiment {train,evaluate,predict} ...`` (exit 0 ok, 2 bad input, 1 internal).

``predict`` and ``evaluate`` use the shipped model (``weights/sst_negation.keras``, see its card
``weights/sst_negation.json``) unless ``--model`` (a run written by ``train``) or ``--baseline`` is given.

``predict --json`` prints one object per text, in input order: ``{"text", "label": "positive"|"negative",
"probability": P(positive)}``; ``evaluate --json`` one object (``n``, ``accuracy``, ``accuracy_with_negation``,
``accuracy_without_negation``, ``negation_gap`` in points, with ``--pairs`` also ``n_pairs``,
``pairs_both_right``); ``train --json`` one object with the SST-2 dev/test accuracies and negation gaps.

Every command shares ``--seed``, ``--out`` (``predict``/``evaluate``: write the output to this file instead of
standard output, ``-`` being standard output; ``train``: the run), ``--json`` and ``--force`` (replace an
existing ``--out``); outputs are written atomically. Numeric ``train`` options out of range (a batch size of 0,
a word dropout of 1, a negative learning rate ...) are refused before any work, naming the option.

Every text gets a label, also one with no word the predictor knows (:data:`UNKNOWN_TEXTS`, in ``predict --help``).
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path

from domains.sentiment.baselines import TfidfLogistic, Vader
from domains.sentiment.data import argument_text, data_format_of, load_data, load_sst, read_lines, sst_split_path
from domains.sentiment.evaluate import accuracy_report, bundled_check, pairs_both_right
from domains.sentiment.text import check_text
from shared.atomic import atomic_open, check_outputs, check_writable
from shared.cli import (COUNT, NON_NEGATIVE, POSITIVE, POSITIVE_INT, InputError, command_line, import_tensorflow,
                        number_type, out_dash_is_stdout, run, seed)
from shared.data_paths import shared_data

SHIPPED = Path(__file__).resolve().parent / "weights" / "sst_negation.keras"
EXAMPLES = {  # per command, under one "examples:" heading (the top-level help lists them all)
    "predict": """\
  python -m domains.sentiment predict "not bad at all" "I did not enjoy it" --json
  python -m domains.sentiment predict --input lines.txt --json --out predictions.jsonl
  python -m domains.sentiment predict --baseline tfidf --input lines.txt
  cut -f1 pairs.tsv | python -m domains.sentiment predict --input - --json
  python -m domains.sentiment predict --baseline vader "never fails to impress"
""",
    "evaluate": """\
  python -m domains.sentiment evaluate --data ../shared/data/sentiment/sst/trees/test.txt.gz --json
  python -m domains.sentiment evaluate --baseline tfidf --data pairs.tsv --format tsv --pairs
""",
    "train": """\
  python -m domains.sentiment train --out runs/sentiment --batch-size 128 --augment 12000 --neutral 20000 \\
      --seed 0   # the same command again after a kill resumes (other settings or data start afresh)
  python -m domains.sentiment train --out runs/lexicon --lexicon --batch-size 128 --augment 12000 \\
      --neutral 20000 --seed 0
  python -m domains.sentiment train --out runs/wide --epochs 2 --batch-size 128 --augment 12000 --neutral 20000 \\
      --lexicon --wide-l2 1e-5 --wide-scale 10 --wide-outside-scope --pair-neutral-share 0.4 --three-way \\
      --neutral-spread 0.1 --adversarial 0.2 --seed 1   # the shipped model's recipe and seed
  python -m domains.sentiment train --out runs/two --distribute mirrored --epochs 1 --seed 0
""",
}

UNKNOWN_TEXTS = """\
A text with no token (empty or whitespace-only) or with only tokens outside the model's vocabulary (made-up
words, most emoji, another language: each reads as the out-of-vocabulary id) still gets a probability and a
label: the model's answer for an empty or an all-unknown token sequence of that length, which says nothing
about the text. For the shipped model that is 0.51 for an empty text, 0.51-0.52 for one to three unknown
tokens and less for longer ones (0.498 for four, so labelled negative; 0.43 for 8; 0.25-0.34 from 15 on).
--baseline tfidf gives such a text its intercept's probability (0.56 trained on the shared SST trees);
--baseline vader gives a text with no VADER word (emoji are VADER words) 0.500001, positive (compound 0).
"""


DROPOUT = number_type(float, lambda value: 0 <= value < 1, "a number in [0, 1)")
SHARE = number_type(float, lambda value: 0 <= value <= 1, "a number in [0, 1]")
SPREAD = number_type(float, lambda value: 0 <= value < 0.5, "a number in [0, 0.5)")


def _parser():
    parser = argparse.ArgumentParser(prog="python -m domains.sentiment", description="Negation-aware sentiment.",
                                     epilog="examples:\n" + "".join(EXAMPLES.values()),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    def common(sub, out_help, required=False):
        sub.add_argument("--sst-trees", type=Path, default=None,
                         help="folder with the SST tree files {train,dev,test}.txt[.gz] (default: the shared data's "
                              "sst/trees); read by train (train and dev, and test for the card when present) and by "
                              "--baseline tfidf (train), unused otherwise")
        sub.add_argument("--seed", type=seed, default=0,
                         help="random seed (default 0): train's initialisation, data and order; the solver of "
                              "--baseline tfidf (predict and evaluate); a model and --baseline vader predict "
                              "deterministically")
        sub.add_argument("--out", default=None, required=required, help=out_help)  # as typed: "dir/" is no file
        sub.add_argument("--json", action="store_true", help="machine-readable output (see the examples)")
        sub.add_argument("--force", action="store_true", help="replace an existing --out")

    def predictor_options(sub, out_help):
        which = sub.add_mutually_exclusive_group()
        which.add_argument("--model", type=Path,
                           help="a run written by `train`: its folder or its .keras file (default: the shipped model "
                                f"{SHIPPED.name})")
        which.add_argument("--baseline", choices=["tfidf", "vader"],
                           help="tfidf: TF-IDF + logistic regression trained on every labelled SST train phrase "
                                "(about 20 s on 2 cores); vader: VADER, compound >= 0 -> positive (nothing trained)")
        common(sub, out_help)

    def sub_parser(name, help_text, description=None):
        return commands.add_parser(name, help=help_text, description=description, epilog="examples:\n" + EXAMPLES[name],
                                   formatter_class=argparse.RawDescriptionHelpFormatter)

    predict = sub_parser("predict", "label and P(positive) per text",
                         "Label (positive when P(positive) > 0.5) and P(positive) per text.\n\n" + UNKNOWN_TEXTS)
    predict.add_argument("texts", nargs="*", help="texts to classify")
    predict.add_argument("--input", type=Path, help="a UTF-8 file with one text per line (an empty line is an empty text); - reads standard input")
    predictor_options(predict, "write the output to this file (default, or -: standard output)")

    evaluate = sub_parser("evaluate", "accuracy, with/without negation, minimal pairs")
    evaluate.add_argument("--data", type=Path, required=True, help="labelled data file")
    evaluate.add_argument("--format", choices=["sst", "tsv", "rt"], default=None,
                          help="sst: PTB tree file (root sentences, SST-2); rt: rt-polarity .pos/.neg; tsv: a table "
                               "(.tsv tab without quoting, .csv comma) with text and label columns, or two columns "
                               "text, label without a header (default: from the name)")
    evaluate.add_argument("--text-column", default="text",
                          help="tsv: the text column (default text; matched without case when no column is that)")
    evaluate.add_argument("--label-column", default="label",
                          help="tsv: the label column (default label, matched likewise; values 0/1, neg/pos)")
    evaluate.add_argument("--pairs", action="store_true",
                          help="consecutive rows of a TSV/CSV table (--format tsv) are minimal pairs: report the "
                               "share of pairs with both right")
    predictor_options(evaluate, "also write the report here as JSON, as the other domains' evaluate do (-: "
                                "standard output, the same as no --out)")

    train_command = sub_parser("train", "train the BiGatedLSTM on every labelled SST train phrase (checkpoints, resume)")
    train_command.add_argument("--epochs", type=POSITIVE_INT, default=1, help="epochs (default 1)")
    train_command.add_argument("--batch-size", type=POSITIVE_INT, default=64, help="batch size (default 64)")
    train_command.add_argument("--learning-rate", type=POSITIVE, default=2e-3,
                               help="Adam learning rate, > 0 (default 0.002)")
    train_command.add_argument("--steps-per-epoch", type=POSITIVE_INT, default=None,
                               help="batches per epoch, the data repeating (default: one pass over the data)")
    train_command.add_argument("--units", type=POSITIVE_INT, default=64,
                               help="GatedLSTM units per direction (default 64)")
    train_command.add_argument("--embed-dim", type=POSITIVE_INT, default=64, help="token embedding size (default 64)")
    train_command.add_argument("--lexicon", action="store_true",
                               help="add VADER prior-polarity features per token (domains.sentiment.lexicon)")
    train_command.add_argument("--word-dropout", type=DROPOUT, default=0.0,
                               help="probability of reading a training token as unknown, in [0, 1) (default 0)")
    train_command.add_argument("--rare-word-dropout", type=NON_NEGATIVE, default=0.0, metavar="ALPHA",
                               help="also read a training token of type w as unknown with probability "
                                    "ALPHA / (ALPHA + count(w)), count(w) its count in the training texts "
                                    "(default 0: none)")
    train_command.add_argument("--wide-l2", type=NON_NEGATIVE, default=None, metavar="L2",
                               help="add a wide part: a linear logit over uni- and bigrams (domains.sentiment.ngrams) "
                                    "with this L2 penalty, summed with the recurrent part's (default: none)")
    train_command.add_argument("--wide-scale", type=POSITIVE, default=1.0,
                               help="the wide part's learning-rate multiplier (domains.sentiment.ngrams; default 1)")
    train_command.add_argument("--wide-outside-scope", action="store_true",
                               help="the wide part skips the words inside a negation scope (left to the recurrent part)")
    train_command.add_argument("--wide-init", choices=["zero", "nb", "logistic"], default="zero",
                               help="the wide part's starting weights: zero, naive Bayes log-count ratios as in "
                                    "NBSVM, or a logistic regression on NB-scaled n-grams (default zero)")
    train_command.add_argument("--three-way", action="store_true",
                               help="a softmax over negative, neutral, positive (P(positive) = p_pos + p_neu / 2)")
    train_command.add_argument("--neutral-spread", type=SPREAD, default=0.0, metavar="S",
                               help="--three-way: a neutral text's target is (S, 1 - 2 S, S), S in [0, 0.5) "
                                    "(default 0)")
    train_command.add_argument("--no-negation-features", action="store_true", help="plain BiLSTM: ignore the scope features")
    train_command.add_argument("--augment", type=COUNT, default=0, metavar="PAIRS",
                               help="add this many generated minimal pairs (domains.sentiment.augment; default 0)")
    train_command.add_argument("--double-negation", type=COUNT, default=0, metavar="PAIRS",
                               help="add this many generated double-negation pairs, a once-negated sentence and its "
                                    "twice-negated twin (domains.sentiment.augment.generate_double; default 0)")
    train_command.add_argument("--neutral", type=COUNT, default=0, metavar="N",
                               help="add N neutral SST train phrases with target 0.5 (default 0)")
    train_command.add_argument("--negated-neutral", type=COUNT, default=0, metavar="N",
                               help="add up to N neutral SST train statements negated after their first auxiliary "
                                    "(\"the film is set in paris\" -> \"... is n't set ...\"), target 0.5 "
                                    "(domains.sentiment.augment.negated_neutral; default 0; the shipped card's "
                                    "selection has its measured effect)")
    train_command.add_argument("--descriptive-negated", action="store_true",
                               help="--negated-neutral takes only phrases without a word VADER rates (SST labels "
                                    "some evaluative phrases neutral)")
    train_command.add_argument("--pair-neutral-share", type=SHARE, default=0.25, metavar="SHARE",
                               help="share of the generated pairs built on a neutral word, target 0.5 on both "
                                    "halves (default 0.25)")
    train_command.add_argument("--descriptive-neutral", action="store_true",
                               help="build the neutral generated pairs only on words VADER gives no valence, leaving "
                                    "out the evaluative words SST labels neutral ('awful', 'scary')")
    train_command.add_argument("--pair-consistency", type=NON_NEGATIVE, default=0.0, metavar="STRENGTH",
                               help="keep each generated pair in one batch and add STRENGTH x (sum of the two "
                                    "logits)^2 for a pair whose negation flips the label, x (their difference)^2 "
                                    "for a neutral pair (default 0: off)")
    train_command.add_argument("--adversarial", type=NON_NEGATIVE, default=0.0, metavar="EPS",
                               help="adversarial training on the token embeddings with this radius "
                                    "(domains.sentiment.adversarial; its loss term includes the --wide-l2 "
                                    "penalty as well, so that penalty counts twice; default 0: off)")
    train_command.add_argument("--distribute", choices=["none", "mirrored"], default="none",
                               help="mirrored: data-parallel over the visible devices (tf.distribute.MirroredStrategy) "
                                    "(default none)")
    common(train_command, "the run: a folder, or NAME.keras with NAME.vocabulary.json and NAME.json beside it; "
                          "an interrupted run started again with the same --out resumes", required=True)
    return parser


def _trees(args):
    if args.sst_trees is not None:
        return args.sst_trees
    root = shared_data("sentiment")
    if root is None:
        raise InputError("no SST trees found: pass --sst-trees FOLDER")
    return root / "sst" / "trees"


def _predictor(args):
    if args.baseline == "vader":
        return Vader().fit()
    if args.baseline == "tfidf":
        phrases = load_sst(sst_split_path(_trees(args), "train"), view="phrases", classes=2)
        return TfidfLogistic(seed=args.seed).fit(phrases["text"], phrases["label"])
    import_tensorflow()  # only when a model is needed; its start-up notices held back
    from domains.sentiment.train import load_classifier

    return load_classifier(args.model if args.model is not None else SHIPPED)


def _emit(args, lines):
    """Writes ``lines`` to ``--out`` (atomically) or to standard output."""
    if args.out is None:
        for line in lines:
            print(line)
        return
    with atomic_open(str(args.out), force=args.force) as handle:
        handle.writelines(line + "\n" for line in lines)


def _train(args):
    if str(args.out) == "-":
        raise InputError("train: --out -: a run is files (model, vocabulary, card), not standard output")
    import_tensorflow()  # its start-up notices held back
    from domains.sentiment.augment import training_table
    from domains.sentiment.train import run_files, train

    for name in ("model", "vocabulary", "card"):  # before reading the trees, in the command line's words
        check_writable(run_files(args.out)[name], args.force)
    trees = _trees(args)
    if args.descriptive_negated and not args.negated_neutral:
        raise InputError("--descriptive-negated: needs negated neutral phrases (--negated-neutral N)")
    if args.pair_consistency and not args.augment:
        raise InputError(f"--pair-consistency: {args.pair_consistency} needs generated pairs (--augment)")
    train_data = training_table(sst_split_path(trees, "train"), args.augment, args.neutral, args.seed,
                                pair_neutral_share=args.pair_neutral_share, negated=args.negated_neutral,
                                descriptive_neutral=args.descriptive_neutral,
                                descriptive_negated=args.descriptive_negated, double=args.double_negation)
    dev = load_sst(sst_split_path(trees, "dev"))
    kind = "negated neutral ones without a VADER-rated word" if args.descriptive_negated else "negated neutral ones"
    negated = f"up to {args.negated_neutral} {kind} at 0.5, " if args.negated_neutral else ""
    descriptive = ", on words without a VADER valence" if args.descriptive_neutral else ""
    double = f", {args.double_negation} generated double-negation pairs" if args.double_negation else ""
    card = {"data": f"SST train phrases ({len(train_data)} rows: polar phrases, {args.neutral} neutral ones at 0.5, "
                    f"{negated}{args.augment} generated minimal pairs, a share {args.pair_neutral_share} of them "
                    f"neutral{descriptive}{double}) from {trees}; validation: SST-2 dev sentences",
            "command": command_line("-m domains.sentiment", args.argv)}
    options = {"embed_dim": args.embed_dim, "units": args.units, "use_negation": not args.no_negation_features,
               "use_lexicon": args.lexicon, "wide_l2": args.wide_l2,
               "wide_scale": args.wide_scale, "wide_outside_scope": args.wide_outside_scope,
               "three_way": args.three_way}
    classifier, _ = train(train_data, dev, args.out, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed,
                          learning_rate=args.learning_rate, model_options=options, card=card, force=args.force,
                          steps_per_epoch=args.steps_per_epoch, verbose=0 if args.json else 2,
                          word_dropout=args.word_dropout, rare_word_dropout_alpha=args.rare_word_dropout,
                          wide_init=args.wide_init,
                          distribute=args.distribute,
                          pair_consistency=args.pair_consistency, neutral_spread=args.neutral_spread,
                          adversarial=args.adversarial)
    metrics, files = {}, {}
    for split in ("train", "dev", "test"):
        try:
            path = sst_split_path(trees, split)
        except FileNotFoundError:
            continue
        files[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
        if split != "train":
            data = load_sst(path)
            metrics[f"sst2_{split}"] = accuracy_report(data["text"], data["label"], classifier.predict_proba(data["text"]))
    card_path = run_files(args.out)["card"]
    card = json.loads(card_path.read_text())
    card.update(data_files_sha256=files, metrics=metrics, reproduce=bundled_check(classifier))
    with atomic_open(str(card_path), force=True) as handle:
        json.dump(card, handle, indent=2)
    summary = {"out": str(args.out), **{f"{k}_accuracy": v["accuracy"] for k, v in metrics.items()},
               **{f"{k}_negation_gap": v["negation_gap"] for k, v in metrics.items()}}
    print(json.dumps(summary) if args.json else "\n".join(f"{k:28s}{_shown(k, v)}" for k, v in summary.items()))


def _shown(key, value):
    """A report's value as the plain-text output shows it: a fraction to 4 decimals, a negation gap (points) to 2,
    ``n/a`` where a side has no texts."""
    if value is None:
        return "n/a (a side has no texts)" if key.endswith("negation_gap") else "n/a (no texts)"
    if key.endswith("negation_gap"):
        return f"{value:.2f} points"
    return f"{value:.4f}" if isinstance(value, float) else str(value)


# plain ``predict`` output is one line per text: characters that break a line are shown as their escapes
_LINE_BREAKS_SHOWN = {ord(c): c.encode("unicode_escape").decode("ascii")
                      for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}


def _json_line(record):
    """``record`` as one line of JSON: non-ASCII text kept as written, except the characters that line readers
    such as Python's ``str.splitlines`` also take as line breaks (U+0085, U+2028, U+2029), which are escaped."""
    text = json.dumps(record, ensure_ascii=False)
    return text.replace("\u0085", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _predict(args):
    if args.input is not None and args.texts:
        raise InputError("give texts as arguments or --input FILE, not both")
    if args.input is None and not args.texts:
        raise InputError("nothing to predict: give texts as arguments or --input FILE")
    check_outputs({"--out": args.out}, [args.input], args.force)
    texts = read_lines(args.input) if args.input is not None else [argument_text(text) for text in args.texts]
    if not texts:
        raise InputError(f"{args.input}: the file is empty; nothing to predict")
    for number, text in enumerate(texts, 1):
        check_text(text, f"{args.input or 'argument'}: text {number}")
    probabilities = _predictor(args).predict_proba(texts)
    lines = []
    for text, p in zip(texts, probabilities):
        label = "positive" if p > 0.5 else "negative"
        if args.json:  # the probability unrounded, so that no reader sees 0.5 beside "positive"
            lines.append(_json_line({"text": text, "label": label, "probability": float(p)}))
        else:
            lines.append(f"{label}\t{p:.3f}\t{text.translate(_LINE_BREAKS_SHOWN)}")
    _emit(args, lines)


def _evaluate(args):
    check_outputs({"--out": args.out}, [args.data], args.force)
    data_format = data_format_of(args.data, args.format)
    if args.pairs and data_format != "tsv":
        raise InputError(f"--pairs: pairs are consecutive rows of a TSV/CSV table (--format tsv), but {args.data} "
                         f"is read as --format {data_format}")
    data = load_data(args.data, data_format, args.text_column, args.label_column)
    if not len(data):
        raise InputError(f"{args.data}: no labelled rows")
    probabilities = _predictor(args).predict_proba(data["text"])
    model = f"baseline:{args.baseline}" if args.baseline else str(args.model if args.model is not None else SHIPPED)
    report = {"data": str(args.data), "model": model}
    report.update(accuracy_report(data["text"], data["label"], probabilities))
    if args.pairs:
        report.update(pairs_both_right(data["label"], probabilities, str(args.data)))
    if args.out is not None:
        with atomic_open(str(args.out), force=args.force) as handle:
            handle.write(json.dumps(report, indent=2) + "\n")
    if args.json:
        print(json.dumps(report))
    else:
        print("\n".join(f"{key:28s}{_shown(key, value)}" for key, value in report.items()))


def main(argv):
    """Parses ``argv`` and runs one subcommand."""
    args = _parser().parse_args(argv)
    args.argv = list(argv)
    out_dash_is_stdout(args)
    {"predict": _predict, "evaluate": _evaluate, "train": _train}[args.command](args)


if __name__ == "__main__":
    run(main, sys.argv[1:])
