"""Command line: ``python -m domains.genomics {predict,train,evaluate}``.

Examples::

    python -m domains.genomics predict genome.fna.gz --out genes.gff3 --proteins genes.faa
    python -m domains.genomics train --genbank A.gbff.gz B.gbff.gz --out model.keras --seed 0
    python -m domains.genomics evaluate --genbank reference.gbff.gz --json
    python -m domains.genomics evaluate --genbank reference.gbff.gz --pred genes.gff3

Exit codes: 0 success, 2 bad input (one line on stderr naming the file and the problem), 1 internal error.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from shared.cli import InputError, run

SHIPPED = Path(__file__).resolve().parent / "weights" / "gene_finder.keras"
LONG_GENOME = 1_000_000  # bases: above this, predict shows a progress bar on stderr


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m domains.genomics",
        description="Prokaryotic gene finding with a CNN + BiGatedLSTM, beside Prodigal.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("Examples::")[1].split("Exit codes")[0],
    )
    verbs = parser.add_subparsers(dest="verb", required=True)

    predict = verbs.add_parser("predict", help="call genes in a genome and write GFF3",
                               epilog="example: python -m domains.genomics predict genome.fna.gz --out genes.gff3")
    predict.add_argument("genome", help="FASTA or GenBank, plain or gzip (a GenBank's own annotation is ignored)")
    predict.add_argument("--out", help="GFF3 file to write (default: standard output)")
    predict.add_argument("--proteins", help="also write the proteins as FASTA")
    predict.add_argument("--translation-table", type=int, choices=(4, 11), help="genetic code (default: 11)")
    predict.add_argument("--model", default=str(SHIPPED), help="a .keras gene finder (default: the shipped one)")
    predict.add_argument("--force", action="store_true", help="overwrite existing output files")

    train = verbs.add_parser("train", help="train a gene finder on annotated genomes",
                             epilog="example: python -m domains.genomics train --genbank A.gbff --out model.keras --seed 0")
    train.add_argument("--genbank", nargs="+", required=True, help="annotated GenBank files (plain or gzip)")
    train.add_argument("--validation", nargs="*", default=[], help="annotated GenBank files for validation loss")
    train.add_argument("--out", required=True, help=".keras file to write (with a .json card beside it)")
    train.add_argument("--epochs", type=int, default=10)
    train.add_argument("--window", type=int, default=2048)
    train.add_argument("--batch-size", type=int, default=16)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--force", action="store_true", help="overwrite an existing model")

    evaluate = verbs.add_parser("evaluate", help="score gene calls against a reference annotation, beside Prodigal",
                                epilog="example: python -m domains.genomics evaluate --genbank ref.gbff.gz --json")
    evaluate.add_argument("--genbank", required=True, help="reference GenBank with CDS annotation")
    evaluate.add_argument("--pred", help="GFF3 of gene calls to score (default: predict with --model)")
    evaluate.add_argument("--model", default=str(SHIPPED), help="a .keras gene finder (default: the shipped one)")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    return parser


def _load_model(path):
    import keras

    import shared.layers  # noqa: F401  (registers the custom layers the model is made of)

    if not Path(path).is_file():
        raise InputError(f"{path}: no such gene-finder model (train one with `python -m domains.genomics train`)")
    return keras.saving.load_model(path, safe_mode=True, compile=False)


def _predict(args):
    from domains.genomics.data import read_genome
    from domains.genomics.gff3 import write_gff3, write_proteins, gff3_lines
    from domains.genomics.predict import predict_genes
    from shared.atomic import check_writable

    for path in (args.out, args.proteins):
        if path:
            check_writable(path, args.force)
    contigs = read_genome(args.genome, translation_table=args.translation_table, use_annotation=False)
    model = _load_model(args.model)
    verbose = 1 if sum(len(c) for c in contigs) > LONG_GENOME and sys.stderr.isatty() else 0
    genes = predict_genes(model, contigs, verbose=verbose)
    if args.out:
        write_gff3(args.out, contigs, genes, force=args.force)
    else:
        sys.stdout.write("\n".join(gff3_lines(contigs, genes)) + "\n")
    if args.proteins:
        write_proteins(args.proteins, contigs, genes, force=args.force)
    print(f"{len(genes)} genes on {len(contigs)} records", file=sys.stderr)


def _train(args):
    from domains.genomics.train import train_gene_model

    card = train_gene_model(
        args.genbank, args.out, epochs=args.epochs, window=args.window, stride=args.window // 2,
        batch_size=args.batch_size, seed=args.seed, validation=args.validation or None, force=args.force,
        command=" ".join(["python -m domains.genomics train", *sys.argv[2:]]),
    )
    print(f"wrote {args.out} ({card['epochs']} epochs)", file=sys.stderr)


def _evaluate(args):
    from domains.genomics.baselines import prodigal_genes
    from domains.genomics.data import add_gff3_annotation, read_genome
    from domains.genomics.evaluate import score_bases, score_genes
    from domains.genomics.predict import predict_genes

    reference = read_genome(args.genbank)
    truth = [gene for contig in reference for gene in contig.genes]
    if not truth:
        raise InputError(f"{args.genbank}: no CDS annotation to score against")
    started = time.perf_counter()
    if args.pred:
        predicted_contigs = read_genome(args.genbank, use_annotation=False)
        add_gff3_annotation(predicted_contigs, args.pred)
        predicted = [gene for contig in predicted_contigs for gene in contig.genes]
        name = "pred"
    else:
        blank = read_genome(args.genbank, use_annotation=False)
        predicted = predict_genes(_load_model(args.model), blank)
        name = "gated"
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    prodigal = prodigal_genes(read_genome(args.genbank, use_annotation=False))
    prodigal_seconds = time.perf_counter() - started
    results = {
        name: {**score_genes(predicted, truth), **score_bases(predicted, reference), "seconds": seconds},
        "prodigal": {**score_genes(prodigal, truth), **score_bases(prodigal, reference), "seconds": prodigal_seconds},
    }
    if args.json:
        print(json.dumps(results))
        return
    metrics = ["f1", "sensitivity", "precision", "start_accuracy", "short_sensitivity", "base_f1", "seconds"]
    print(f"{'metric':20s}" + "".join(f"{model:>12s}" for model in results))
    for metric in metrics:
        print(f"{metric:20s}" + "".join(f"{results[model][metric]:12.4f}" for model in results))


def main(argv):
    args = _parser().parse_args(argv)
    {"predict": _predict, "train": _train, "evaluate": _evaluate}[args.verb](args)


if __name__ == "__main__":
    run(main)
