"""Scoring gene calls against a reference annotation with the field's metrics.

- **Gene level**, matching on the stop codon: a predicted gene matches a reference gene when they lie on the
  same record and strand and share the 3' end (the last base of the stop codon). Sensitivity = matched
  reference genes / reference genes, precision = matched predictions / predictions, F1 their harmonic mean.
- **Exact starts**: among stop-matched pairs, the share whose 5' ends agree too; on experimentally verified
  genes (``verified``), the same share among the verified genes whose stop was found.
- **Short genes**: sensitivity on reference genes shorter than 300 nt (stop codon included).
- **Per base, strand- and frame-aware**: every (strand, position) counts; a base is a true positive when
  prediction and reference both call it coding *in the same codon position*, a false positive when the
  prediction calls it coding otherwise, a false negative when the reference does and the prediction
  disagrees. (Per-base coding F1 that ignores strand and frame is not reported: a naive "every ORF >= 300 nt"
  rule already scores 0.94-0.98 on it.)
"""

from __future__ import annotations

import numpy as np

from domains.genomics.data import label_contig

SHORT_GENE = 300


def three_prime_end(gene):
    """The forward-strand coordinate of the gene's last base (0-based)."""
    start, end = gene.parts[-1]
    return end - 1 if gene.strand == 1 else start


def five_prime_end(gene):
    """The forward-strand coordinate of the gene's first base (0-based)."""
    start, end = gene.parts[0]
    return start if gene.strand == 1 else end - 1


def _key(gene):
    return gene.contig, gene.strand, three_prime_end(gene)


def score_genes(predicted, reference, verified=None):
    """Gene-level metrics of ``predicted`` against ``reference`` (lists of :class:`~domains.genomics.data.Gene`).

    Args:
        predicted: the gene calls. reference: the reference CDS (pseudogenes already left out).
        verified: optional genes with experimentally verified starts.

    Returns:
        A dict: ``n_reference``, ``n_predicted``, ``n_matched``, ``sensitivity``, ``precision``, ``f1``,
        ``start_accuracy`` (among stop-matched), ``short_sensitivity`` and ``n_short`` (reference < 300 nt),
        and with ``verified``: ``verified_found`` (verified genes whose stop was predicted),
        ``verified_start_accuracy``.
    """
    predicted_by_stop = {}
    for gene in predicted:
        predicted_by_stop.setdefault(_key(gene), gene)
    reference_keys = {_key(gene) for gene in reference}
    matched = [(gene, predicted_by_stop[_key(gene)]) for gene in reference if _key(gene) in predicted_by_stop]
    n_matched_predictions = sum(1 for key in predicted_by_stop if key in reference_keys)
    sensitivity = len(matched) / len(reference) if reference else float("nan")
    precision = n_matched_predictions / len(predicted_by_stop) if predicted_by_stop else float("nan")
    f1 = 2 * sensitivity * precision / (sensitivity + precision) if sensitivity + precision > 0 else 0.0
    complete = [(ref, pred) for ref, pred in matched if not ref.partial_start and not pred.partial_start]
    starts = [five_prime_end(ref) == five_prime_end(pred) for ref, pred in complete]
    short = [gene for gene in reference if gene.length < SHORT_GENE]
    result = {
        "n_reference": len(reference),
        "n_predicted": len(predicted_by_stop),
        "n_matched": len(matched),
        "sensitivity": sensitivity,
        "precision": precision,
        "f1": f1,
        "start_accuracy": float(np.mean(starts)) if starts else float("nan"),
        "n_short": len(short),
        "short_sensitivity": (
            sum(_key(gene) in predicted_by_stop for gene in short) / len(short) if short else float("nan")
        ),
    }
    if verified is not None:
        found = [(gene, predicted_by_stop[_key(gene)]) for gene in verified if _key(gene) in predicted_by_stop]
        result["n_verified"] = len(verified)
        result["verified_found"] = len(found)
        result["verified_start_accuracy"] = (
            float(np.mean([five_prime_end(g) == five_prime_end(p) for g, p in found])) if found else float("nan")
        )
    return result


def score_bases(predicted, reference_contigs):
    """Strand- and frame-aware per-base precision, recall and F1 over all contigs.

    Args:
        predicted: predicted genes (any contigs of ``reference_contigs``).
        reference_contigs: contigs carrying the reference genes.
    """
    by_contig = {}
    for gene in predicted:
        by_contig.setdefault(gene.contig, []).append(gene)
    tp = fp = fn = 0
    for contig in reference_contigs:
        truth = label_contig(contig)["coding"]
        shadow = type(contig)(contig.id, contig.sequence, contig.circular, contig.translation_table,
                              by_contig.get(contig.id, []))
        calls = label_contig(shadow)["coding"]
        agree = (calls == truth) & (truth > 0)
        tp += int(agree.sum())
        fp += int(((calls > 0) & ~agree).sum())
        fn += int(((truth > 0) & ~agree).sum())
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"base_precision": precision, "base_recall": recall, "base_f1": f1}


def bundled_agreement(model, end=None):
    """Agreement of ``model``'s calls with the bundled S. pyogenes annotation (``score_genes``), on the whole
    genome or on its first ``end`` bases (as a linear stretch, genes wholly inside it).

    The bundled annotation was made by Prodigal and Glimmer3 (RASTtk), so this measures agreement with those
    tools, not accuracy; it is a fixed, fast check that a model still calls what it called when its card was
    written.
    """
    from domains.genomics.data import read_genome, sub_contig
    from domains.genomics.predict import predict_genes
    from shared.data_paths import bundled

    (genome,) = read_genome(bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz"))
    if end is not None:
        genome = sub_contig(genome, 0, end)
    return score_genes(predict_genes(model, [genome], verbose=0), genome.genes)
