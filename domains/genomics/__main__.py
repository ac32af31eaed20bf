"""Command line: ``python -m domains.genomics {predict,train,evaluate}``.

Examples::

    python -m domains.genomics predict genome.fna.gz --out genes.gff3 --proteins genes.faa
    python -m domains.genomics predict genomes/ --out annotations/ --jobs 4
    python -m domains.genomics predict draft_scaffolds.fna --mask --out genes.gff3
    python -m domains.genomics train --genbank A.gbff.gz --fasta-gff B.fna.gz B.gff.gz --out model.keras --seed 0
    python -m domains.genomics evaluate --genbank reference.gbff.gz --json
    python -m domains.genomics evaluate --genbank reference.gbff.gz --pred genes.gff3

Without ``--translation-table``, ``predict`` takes the genetic code a GenBank's CDS state (``/transl_table``, one
code across the records), else detects code 4 (Mycoplasma: TGA = Trp) from the genes themselves
(:func:`domains.genomics.predict.predict_genes`), and says so on stderr; code 11 otherwise.
``evaluate`` runs both callers on one code: ``--translation-table``, else the one the reference's CDS state
(``/transl_table``, on any record; records stating two codes are refused), else detected (the gene finder's rule;
with ``--pred``, the same rule on Prodigal's genes); its output names the code and where it came from.
As in Prodigal, a gene may run through a run of N (an assembly gap in a draft); ``--mask`` stops that at runs of
50 or more, as Prodigal's ``-m`` (on M. alvi's draft, two gaps: gene F1 0.9767 -> 0.9775).

Exit codes: 0 success, 2 bad input (one line on stderr naming the file and the problem), 1 internal error.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from shared.cli import (POSITIVE_INT, InputError, command_line, import_tensorflow, out_dash_is_stdout, run, seed,
                        strict_json)

SHIPPED = Path(__file__).resolve().parent / "weights" / "gene_finder.keras"
MASK_HELP = ("no gene across a run of 50 or more N (an assembly gap), as Prodigal -m; by default genes may cross, "
             "as in Prodigal")
CODE_SOURCES = {"given": "--translation-table", "stated": "stated by the reference's CDS, /transl_table",
                "detected": "detected: none stated by the reference's CDS"}
LONG_GENOME = 1_000_000  # bases: above this, predict shows a progress bar on stderr


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m domains.genomics",
        description="Prokaryotic gene finding with a CNN + BiGatedLSTM, beside Prodigal.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n" + "\n".join(f"  {line.strip()}" for line in __doc__.splitlines()
                                        if line.startswith("    python -m domains.genomics")),
    )
    verbs = parser.add_subparsers(dest="command", required=True)

    predict = verbs.add_parser(
        "predict", help="call genes in a genome (or a directory of genomes) and write GFF3",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  python -m domains.genomics predict genome.fna.gz --out genes.gff3 --proteins genes.faa\n"
               "  python -m domains.genomics predict genomes/ --out annotations/ --jobs 4\n"
               "  python -m domains.genomics predict draft_scaffolds.fna --mask --out genes.gff3")
    predict.add_argument("genome", help="FASTA or GenBank, plain or gzip (a GenBank's own annotation is ignored, "
                                        "but for the genetic code its CDS state in /transl_table); or a directory "
                                        "of them, annotated in parallel into --out")
    predict.add_argument("--out", help="GFF3 file to write (default: standard output; gzip-compressed when the name "
                                       "ends in .gz); for a directory of genomes, the output directory (one "
                                       "NAME.gff3 and NAME.faa per genome)")
    predict.add_argument("--proteins", help="also write the proteins as FASTA to this file (gzip-compressed when "
                                            "the name ends in .gz); '-' is standard output, when the GFF3 goes to "
                                            "an --out file and there is no --json")
    predict.add_argument("--translation-table", type=int, choices=(4, 11),
                         help="genetic code (default: the one a GenBank's CDS state in /transl_table, else "
                              "detected: 4 when the genes called with code 4 cover over 5 points more of the genome "
                              "than with code 11, else 11)")
    predict.add_argument("--model", default=str(SHIPPED), help="a .keras gene finder (default: the shipped one)")
    predict.add_argument("--mask", action="store_true", help=MASK_HELP)
    predict.add_argument("--jobs", type=int, default=1, help="worker processes for a directory of genomes")
    predict.add_argument("--json", action="store_true",
                         help="print a JSON summary on stdout instead of a line on stderr (needs --out)")
    predict.add_argument("--seed", type=seed, default=0,
                         help="accepted by every command for one shared command line; gene calling is deterministic, "
                              "so it changes nothing")
    predict.add_argument("--force", action="store_true", help="overwrite existing output files (a directory: redo all)")

    train = verbs.add_parser(
        "train", help="train a gene finder on annotated genomes", formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  python -m domains.genomics train --genbank A.gbff.gz --fasta-gff B.fasta.gz B.gff.gz "
               "--out model.keras --seed 0 --windows-per-epoch 2000")
    train.add_argument("--genbank", nargs="+", default=[], help="annotated GenBank files (plain or gzip)")
    train.add_argument("--fasta-gff", nargs=2, action="append", default=[], metavar=("FASTA", "GFF3"),
                       help="a genome as FASTA with its CDS in GFF3 (repeat the option for more genomes)")
    train.add_argument("--validation", nargs="*", default=[], help="annotated GenBank files for validation loss")
    train.add_argument("--out", required=True, help=".keras file to write (with a .json card beside it)")
    train.add_argument("--epochs", type=POSITIVE_INT, default=10,
                       help="passes over --windows-per-epoch windows (default 10)")
    train.add_argument("--windows-per-epoch", type=POSITIVE_INT,
                       help="windows per epoch, drawn at random, at least --batch-size (default: one pass over all "
                            "windows)")
    train.add_argument("--window", type=POSITIVE_INT, default=3072,
                       help="window length in bases (rounded up to a multiple of --lstm-stride)")
    train.add_argument("--batch-size", type=POSITIVE_INT, default=16, help="windows per optimiser step (default 16)")
    train.add_argument("--filters", type=POSITIVE_INT, nargs="+", default=[32, 32, 32],
                       help="ConvFrontEnd channels per block (one block per entry; as many entries as "
                            "--kernel-sizes and --dilation-rates)")
    train.add_argument("--kernel-sizes", type=POSITIVE_INT, nargs="+", default=[9, 9, 9],
                       help="ConvFrontEnd kernel width in bases per block (default 9 9 9)")
    train.add_argument("--dilation-rates", type=POSITIVE_INT, nargs="+", default=[1, 2, 4],
                       help="ConvFrontEnd dilation per block (default 1 2 4)")
    train.add_argument("--lstm-units", type=POSITIVE_INT, nargs="+", default=[64], help="one BiLSTM layer per entry")
    train.add_argument("--lstm-stride", type=POSITIVE_INT, default=6,
                       help="bases per BiLSTM step (any; predict rounds its 3072-base windows up to a multiple)")
    train.add_argument("--distribute", choices=("none", "mirrored"), default="none",
                       help="mirrored: train under tf.distribute.MirroredStrategy over the GPUs (or CPUs) "
                            "(default none)")
    train.add_argument("--seed", type=seed, default=0,
                       help="initial weights, window order, strand flips and dropout (default 0)")
    train.add_argument("--json", action="store_true", help="print the model card as JSON when done")
    train.add_argument("--force", action="store_true", help="overwrite an existing model")

    evaluate = verbs.add_parser("evaluate", help="score gene calls against a reference annotation, beside Prodigal",
                                epilog="example: python -m domains.genomics evaluate --genbank ref.gbff.gz --json")
    evaluate.add_argument("--genbank", required=True, help="reference GenBank with CDS annotation")
    evaluate.add_argument("--pred", help="GFF3 of gene calls to score (default: predict with --model); its seconds "
                                         "are not known: NaN in the table, null in JSON")
    evaluate.add_argument("--model", default=str(SHIPPED), help="a .keras gene finder (default: the shipped one)")
    evaluate.add_argument("--mask", action="store_true", help=MASK_HELP + " (Prodigal beside it too)")
    evaluate.add_argument("--translation-table", type=int, choices=(4, 11),
                          help="genetic code for both callers (default: the one the reference's CDS state in "
                               "/transl_table, all records together; else detected: by predict's rule on the gene "
                               "finder's calls, or with --pred on Prodigal's); the output names the code and "
                               "where it came from")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    evaluate.add_argument("--seed", type=seed, default=0,
                          help="accepted by every command for one shared command line; scoring is deterministic, so "
                               "it changes nothing")
    evaluate.add_argument("--out", help="also write the scores as JSON to this file")
    evaluate.add_argument("--force", action="store_true", help="overwrite an existing --out")
    return parser


def _predict(args):
    from Bio import SeqIO

    from domains.genomics.data import apply_code, read_genome
    from domains.genomics.gff3 import gff3_lines, protein_records, write_gff3, write_proteins
    from domains.genomics.predict import predict_genes
    from shared.atomic import check_outputs

    if Path(args.genome).is_dir():
        return _predict_directory(args)
    if args.json and not args.out:
        raise InputError("--json: the summary goes to stdout, where the GFF3 goes without --out; give --out FILE")
    proteins_to_stdout = args.proteins == "-"
    if proteins_to_stdout and (args.json or not args.out):
        taken = "the --json summary" if args.json else "the GFF3 (no --out FILE)"
        raise InputError(f"--proteins -: standard output already carries {taken}; give --proteins FILE")
    check_outputs({"--out": args.out, "--proteins": args.proteins}, [args.genome], args.force)
    contigs = read_genome(args.genome, translation_table=args.translation_table, use_annotation=False)
    code = apply_code(contigs, args.genome, args.translation_table)  # given, else a GenBank's /transl_table
    stated = None if args.translation_table else code
    import_tensorflow()  # its start-up notices held back
    from domains.genomics.model import load_gene_model  # Keras: after import_tensorflow()

    model = load_gene_model(args.model)
    verbose = 1 if sum(len(c) for c in contigs) > LONG_GENOME and sys.stderr.isatty() else 0
    detect = code is None
    genes = predict_genes(model, contigs, verbose=verbose, detect_code=detect, mask=args.mask)
    if stated:
        print(f"{args.genome}: genetic code {stated}, as the file's CDS state (/transl_table); pass "
              "--translation-table to override", file=sys.stderr)
    elif detect and contigs[0].translation_table == 4:
        print(f"{args.genome}: genetic code 4 detected (TGA read as Trp); pass --translation-table 11 to override",
              file=sys.stderr)
    if args.out:
        write_gff3(args.out, contigs, genes, force=args.force)
    else:
        sys.stdout.write("\n".join(gff3_lines(contigs, genes)) + "\n")
    if proteins_to_stdout:
        SeqIO.write(protein_records(contigs, genes), sys.stdout, "fasta")
    elif args.proteins:
        write_proteins(args.proteins, contigs, genes, force=args.force)
    summary = {"genes": len(genes), "records": len(contigs), "bases": sum(len(c) for c in contigs)}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{len(genes)} genes on {len(contigs)} records", file=sys.stderr)


def _predict_directory(args):
    from dataclasses import asdict

    from domains.genomics.batch import annotate_directory, summary_line

    if not args.out:
        raise InputError(f"{args.genome}: a directory of genomes needs --out OUTDIR")
    if args.proteins:
        raise InputError("--proteins: with a directory of genomes the proteins go to OUTDIR/NAME.faa")
    if args.jobs < 1:
        raise InputError(f"--jobs: must be at least 1; got {args.jobs}")
    import_tensorflow()  # its start-up notices held back
    from domains.genomics.model import load_gene_model  # Keras: after import_tensorflow()

    load_gene_model(args.model)  # a bad model is one error up front, not one per genome

    # On a terminal each genome's line is shown as it finishes. Otherwise (a log, a pipe) the lines come at the
    # end, and only on success: a run with bad genomes (the others are still annotated) ends in one error line.
    live, held = sys.stderr.isatty(), []

    def report(outcome):
        detail = {"done": f"{outcome.genes} genes, {outcome.seconds:.1f} s", "skipped": "already annotated",
                  "failed": outcome.error}[outcome.status]
        line = f"{outcome.status:8s} {outcome.genome}: {detail}"
        if live:
            print(line, file=sys.stderr, flush=True)
        else:
            held.append(line)

    started = time.perf_counter()
    outcomes = annotate_directory(args.genome, args.out, args.model, jobs=args.jobs, force=args.force,
                                  translation_table=args.translation_table, mask=args.mask, report=report)
    line = summary_line(outcomes, time.perf_counter() - started)
    if args.json:
        print(strict_json({"summary": line, "genomes": [asdict(o) for o in outcomes]}))
    failed = sorted((o for o in outcomes if o.status == "failed"), key=lambda o: o.genome)
    if failed:
        others = len(failed) - 1
        others = f" (and {others} other genome{'s' * (others > 1)} failed)" if others else ""
        raise InputError(f"{failed[0].genome}: {failed[0].error}{others}; {line}")
    for held_line in held:
        print(held_line, file=sys.stderr)
    print(line, file=sys.stderr)


def _train(args):
    if Path(args.out).suffix != ".keras":
        raise InputError(f"{args.out}: the model file must end in .keras")
    genomes = [*args.genbank, *map(tuple, args.fasta_gff)]
    if not genomes:
        raise InputError("train: give annotated genomes with --genbank and/or --fasta-gff")
    blocks = {"--filters": args.filters, "--kernel-sizes": args.kernel_sizes, "--dilation-rates": args.dilation_rates}
    if len({len(values) for values in blocks.values()}) > 1:
        counts = ", ".join(f"{name} {len(values)}" for name, values in blocks.items())
        raise InputError(f"--filters, --kernel-sizes and --dilation-rates need one entry per ConvFrontEnd block "
                         f"each; got {counts}")
    if args.windows_per_epoch is not None and args.windows_per_epoch < args.batch_size:
        raise InputError(f"--windows-per-epoch {args.windows_per_epoch} is less than --batch-size "
                         f"{args.batch_size}: an epoch would still take a whole batch; give at least {args.batch_size}")
    window = -(-args.window // args.lstm_stride) * args.lstm_stride  # the BiLSTM reads whole blocks
    model_options = {
        "filters": args.filters, "kernel_sizes": args.kernel_sizes, "dilation_rates": args.dilation_rates,
        "lstm_units": args.lstm_units, "lstm_stride": args.lstm_stride,
    }
    import_tensorflow()  # its start-up notices held back
    from domains.genomics.train import train_gene_model

    card = train_gene_model(
        genomes, args.out, epochs=args.epochs, window=window, stride=max(1, window // 2),
        batch_size=args.batch_size, seed=args.seed, validation=args.validation or None, force=args.force,
        model_options=model_options, windows_per_epoch=args.windows_per_epoch,
        distribute=args.distribute,
        verbose=0 if args.json else 2, command=command_line("-m domains.genomics", args.argv),
    )
    if args.json:
        print(strict_json(card))
    print(f"wrote {args.out} ({card['epochs']} epoch{'s' if card['epochs'] != 1 else ''})", file=sys.stderr)


def _evaluate(args):
    from domains.genomics.baselines import prodigal_code, prodigal_genes
    from domains.genomics.data import add_gff3_annotation, read_genome, stated_code
    from domains.genomics.evaluate import score_bases, score_genes
    from domains.genomics.predict import predict_genes
    from shared.atomic import atomic_open, check_outputs

    check_outputs({"--out": args.out}, [args.genbank, args.pred], args.force)
    reference = read_genome(args.genbank)
    truth = [gene for contig in reference for gene in contig.genes]
    if not truth:
        raise InputError(f"{args.genbank}: no CDS annotation to score against")
    # one genetic code (4 for Mycoplasma) for every caller: given, else the reference's, else detected below
    table = args.translation_table or stated_code(reference, args.genbank)
    source = "given" if args.translation_table else "stated" if table else "detected"
    seconds = float("nan")  # the gene calls' run time: known only when they are made here
    if args.pred:
        predicted_contigs = read_genome(args.genbank, use_annotation=False, translation_table=table)
        add_gff3_annotation(predicted_contigs, args.pred, require_cds=True)
        predicted = [gene for contig in predicted_contigs for gene in contig.genes]
        name = "pred"
        table = table or prodigal_code(predicted_contigs, mask=args.mask)
    else:
        started = time.perf_counter()
        blank = read_genome(args.genbank, use_annotation=False, translation_table=table)
        import_tensorflow()  # its start-up notices held back
        from domains.genomics.model import load_gene_model  # Keras: after import_tensorflow()

        predicted = predict_genes(load_gene_model(args.model), blank, mask=args.mask, detect_code=table is None)
        name = "gated"
        table = blank[0].translation_table  # detection set it on every contig
        seconds = time.perf_counter() - started
    started = time.perf_counter()
    prodigal = prodigal_genes(read_genome(args.genbank, use_annotation=False, translation_table=table), mask=args.mask)
    prodigal_seconds = time.perf_counter() - started
    code = {"translation_table": table, "translation_table_source": source}
    results = {
        name: {**score_genes(predicted, truth), **score_bases(predicted, reference), "seconds": seconds, **code},
        "prodigal": {**score_genes(prodigal, truth), **score_bases(prodigal, reference), "seconds": prodigal_seconds,
                     **code},
    }
    if args.out:
        with atomic_open(args.out, "w", force=args.force) as handle:
            handle.write(strict_json(results, indent=2))
    if args.json:
        print(strict_json(results))
        return
    metrics = ["f1", "sensitivity", "precision", "start_accuracy", "short_sensitivity", "base_f1", "seconds"]
    print(f"{'metric':20s}" + "".join(f"{model:>12s}" for model in results))
    for metric in metrics:
        print(f"{metric:20s}" + "".join(f"{results[model][metric]:12.4f}" for model in results))
    print(f"genetic code {table} for both callers ({CODE_SOURCES[source]})")


def main(argv):
    args = _parser().parse_args(argv)
    args.argv = list(argv)
    out_dash_is_stdout(args)
    {"predict": _predict, "train": _train, "evaluate": _evaluate}[args.command](args)


if __name__ == "__main__":
    run(main)
