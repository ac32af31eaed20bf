"""Report section: the shipped gene finder beside Prodigal (pyrodigal) on the bundled *S. pyogenes* genome.

The bundled GenBank annotation is a RASTtk re-annotation whose CDS were called by Prodigal (1,744) and
Glimmer3 (109): it is a gene finder's output, not a verified truth set, so the scores here measure agreement
with it (Prodigal's agreement is inflated by construction) and the section says so.
"""

import hashlib
import json
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pyrodigal

from domains.genomics.__main__ import SHIPPED
from domains.genomics.baselines import prodigal_genes
from domains.genomics.data import Contig, read_genome
from domains.genomics.evaluate import score_bases, score_genes, three_prime_end
from domains.report.document import Figure, Section, Table, figure_png
from shared.data_paths import bundled
from shared.safe_load import load_model

GENOME = "Streptococcus_pyogenes_M1_GAS.gb.gz"
BIN = 50_000  # bases per bin of the genome-wide agreement track
ZOOM = 25_000  # bases shown gene by gene
COLUMNS = {"n_predicted": "genes called", "n_matched": "annotated genes found", "sensitivity": "sensitivity",
           "precision": "precision", "f1": "F1", "start_accuracy": "same start",
           "short_sensitivity": "short-gene sensitivity",
           "base_f1": "base F1 (strand, frame)", "seconds": "seconds"}


def _truncate(contig, bases):
    """The first ``bases`` of a contig (linear) with the genes lying wholly inside them."""
    if bases is None or bases >= len(contig):
        return contig
    genes = [g for g in contig.genes if all(end <= bases for _, end in g.parts)]
    return Contig(contig.id, contig.sequence[:bases], False, contig.translation_table, genes)


def _finders(blank, shipped):
    """Gene calls and wall seconds of Prodigal and, given the shipped model's path (or None), the gated model."""
    calls = {}
    started = time.perf_counter()
    calls["Prodigal (pyrodigal)"] = prodigal_genes(blank), time.perf_counter() - started
    if shipped is not None:
        from domains.genomics.predict import predict_genes

        started = time.perf_counter()
        genes = predict_genes(load_model(shipped), blank)
        calls["gated (shipped)"] = genes, time.perf_counter() - started
    return calls


def _training_note(card_path, genome_path):
    """What the shipped model's card says it was trained on, and whether the bundled genome was among it."""
    if not card_path.is_file():
        return f"The shipped model has no card ({card_path.name}): its training data are unknown."
    genomes = json.loads(card_path.read_text()).get("training_genomes", [])
    digest = hashlib.sha256(genome_path.read_bytes()).hexdigest()
    names = ", ".join(g.get("path", g["file"]) for g in genomes) or "not recorded"
    if any(g.get("sha256") == digest for g in genomes):
        return f"The shipped model was trained on this very genome (card: {names}): its scores here are in-sample."
    return f"The shipped model's card lists its training genomes ({names}); the bundled file is not among them."


def _agreement_by_bin(reference, predicted, length):
    """Share of the annotated genes in each ``BIN`` whose stop codon ``predicted`` also calls."""
    stops = {(g.strand, three_prime_end(g)) for g in predicted}
    bins = np.arange(0, length, BIN)
    found, total = np.zeros(len(bins)), np.zeros(len(bins))
    for gene in reference:
        index = three_prime_end(gene) // BIN
        total[index] += 1
        found[index] += (gene.strand, three_prime_end(gene)) in stops
    return bins, np.where(total > 0, found / np.maximum(total, 1), np.nan)


def busiest_window(reference, calls, length, step=5_000):
    """First base of the ``ZOOM``-long window (starting on a multiple of ``step``) holding the most
    disagreements: annotated genes a finder misses, and calls that are not in the annotation (by stop codon)."""
    annotated = {(g.strand, three_prime_end(g)) for g in reference}
    points = []
    for genes in calls.values():
        called = {(g.strand, three_prime_end(g)) for g in genes}
        points += [stop for strand, stop in annotated ^ called]
    starts = np.arange(0, max(1, length - ZOOM + 1), step)
    counts = [np.sum((np.asarray(points) >= s) & (np.asarray(points) < s + ZOOM)) for s in starts]
    return int(starts[int(np.argmax(counts))]) if points else 0


def genome_track(reference_contig, calls, zoom_start=0):
    """Two panels: agreement with the annotation along the genome (per 50 kb bin), and a 25 kb window of
    gene arrows per track (forward strand above each track's line, reverse below).

    Args:
        reference_contig: the annotated contig. calls: name -> list of genes.
        zoom_start: the window's first base.
    """
    length = len(reference_contig)
    tracks = {"annotation (Prodigal/Glimmer3 calls)": reference_contig.genes, **calls}
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(10, 2.2 + 0.9 * len(tracks)),
                                         gridspec_kw={"height_ratios": [1, 0.35 * len(tracks)]})
    for name, genes in calls.items():
        bins, share = _agreement_by_bin(reference_contig.genes, genes, length)
        top.step(np.append(bins, length) / 1e6, np.append(share, share[-1]), where="post", label=name)
    top.set_ylim(0, 1.05)
    top.set_xlabel("position (Mb)")
    top.set_ylabel("annotated genes found")
    top.set_title(f"agreement with the bundled annotation, per {BIN // 1000} kb")
    top.legend(fontsize=8, loc="lower left")
    end = min(length, zoom_start + ZOOM)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for row, (name, genes) in enumerate(tracks.items()):
        y = -row
        bottom.axhline(y, color="#999", lw=0.6)
        for gene in genes:
            for start, stop in gene.parts:
                if stop <= zoom_start or start >= end:
                    continue
                left, right = max(start, zoom_start), min(stop, end)
                bottom.add_patch(plt.Rectangle((left / 1e3, y + (0.05 if gene.strand == 1 else -0.35)),
                                               (right - left) / 1e3, 0.3, color=colours[row % len(colours)]))
    bottom.set_xlim(zoom_start / 1e3, end / 1e3)
    bottom.set_ylim(-len(tracks) + 0.4, 0.6)
    bottom.set_yticks([-row for row in range(len(tracks))], list(tracks))
    bottom.set_xlabel(f"position (kb) on {reference_contig.id}; forward-strand genes above each line, reverse below")
    figure.tight_layout()
    return figure_png(figure)


def section(settings):
    """The genomics :class:`~domains.report.document.Section`.

    Args:
        settings: dict with ``genome_bases`` (None: the whole genome; else its first so many bases).
    """
    path = bundled("genomics", GENOME)
    reference = [_truncate(c, settings["genome_bases"]) for c in read_genome(path)]
    blank = [Contig(c.id, c.sequence, c.circular, c.translation_table, []) for c in reference]
    truth = [gene for contig in reference for gene in contig.genes]
    shipped = SHIPPED.is_file()
    calls = _finders(blank, SHIPPED if shipped else None)
    rows = {name: {**score_genes(genes, truth), **score_bases(genes, reference), "seconds": seconds}
            for name, (genes, seconds) in calls.items()}
    scores = pd.DataFrame(rows).T[list(COLUMNS)].rename(columns=COLUMNS)
    scores.index.name = "gene finder"
    for column in ("genes called", "annotated genes found"):
        scores[column] = scores[column].astype(int)
    bases = sum(len(c) for c in reference)
    result = Section(
        key="genomics", title="Gene finding: S. pyogenes M1 GAS", shipped=shipped,
        model=(f"Shipped gene finder `{SHIPPED.name}` (ConvFrontEnd + BiGatedLSTM, decoded by dynamic programming)"
               if shipped else f"No shipped model (`domains/genomics/weights/{SHIPPED.name}` is absent): "
                               "Prodigal only. Train one with `python -m domains.genomics train`."),
        paragraphs=[
            f"Bundled genome `{GENOME}` ({bases:,} bases"
            f"{'' if settings['genome_bases'] is None else ': its first part only, a quick run'}; "
            f"{len(truth):,} annotated CDS). Genes match when they share strand and stop codon; 'same start' is the "
            f"share of matched genes whose start agrees too; short genes are under 300 nt. Prodigal is "
            f"pyrodigal {pyrodigal.__version__} in single mode, trained on this genome in the same run.",
        ],
        tables=[Table("Agreement with the bundled annotation", scores)],
        notes=["The bundled annotation is not a truth set: RASTtk called its CDS with Prodigal (1,744) and "
               "Glimmer3 (109). Prodigal's high agreement is largely agreement with itself; read the scores as "
               "agreement with a Prodigal/Glimmer consensus, not as accuracy."],
    )
    if shipped:
        result.notes.append(_training_note(SHIPPED.with_suffix(".json"), path))
        names = list(calls)
        versus = score_genes(calls[names[1]][0], calls[names[0]][0])
        table = pd.DataFrame({"share of Prodigal's genes the gated model calls": [versus["sensitivity"]],
                              "share of gated calls Prodigal makes": [versus["precision"]],
                              "same start (matched pairs)": [versus["start_accuracy"]]})
        result.tables.append(Table("Gated model against Prodigal directly (same stop codon and strand)", table))
    genes = {name: found for name, (found, _) in calls.items()}
    start = busiest_window(reference[0].genes, genes, len(reference[0]))
    result.figures.append(Figure("genome_track", "Genome track: per-bin agreement with the annotation (top) and, "
                                 f"gene by gene, the {ZOOM // 1000} kb window with the most disagreements (bottom)",
                                 genome_track(reference[0], genes, start)))
    return result
