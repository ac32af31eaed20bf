"""domains.genomics.evaluate and baselines: known-answer scoring, and Prodigal (pyrodigal) in the same run."""

import math

import pytest

from domains.genomics.baselines import prodigal_genes
from domains.genomics.data import Contig, Gene, read_genome
from domains.genomics.evaluate import (
    five_prime_end,
    score_bases,
    score_genes,
    three_prime_end,
)
from shared.data_paths import bundled


def test_ends_on_both_strands():
    forward, reverse = Gene("c", ((10, 40),), 1), Gene("c", ((10, 40),), -1)
    assert (five_prime_end(forward), three_prime_end(forward)) == (10, 39)
    assert (five_prime_end(reverse), three_prime_end(reverse)) == (39, 10)


def test_gene_scores_known_answer():
    reference = [
        Gene("c", ((0, 300),), 1, id="r1"),
        Gene("c", ((400, 700),), -1, id="r2"),
        Gene("c", ((800, 1001),), 1, id="r3"),  # short: 201 nt
    ]
    predicted = [
        Gene("c", ((0, 300),), 1),  # exact
        Gene("c", ((400, 640),), -1),  # same stop (400), other start
        Gene("c", ((803, 1004),), 1),  # other stop: no match
        Gene("c", ((1200, 1500),), 1),  # extra
    ]
    scores = score_genes(predicted, reference, verified=[reference[1]])
    assert scores["n_matched"] == 2 and scores["n_predicted"] == 4
    assert scores["sensitivity"] == pytest.approx(2 / 3) and scores["precision"] == pytest.approx(0.5)
    assert scores["f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert scores["start_accuracy"] == 0.5
    assert scores["n_short"] == 1 and scores["short_sensitivity"] == 0.0
    assert scores["verified_found"] == 1 and scores["verified_start_accuracy"] == 0.0


def test_base_scores_are_frame_and_strand_aware():
    contig = Contig("c", "A" * 120, genes=[Gene("c", ((0, 60),), 1)])
    assert score_bases([Gene("c", ((0, 60),), 1)], [contig])["base_f1"] == 1.0
    assert score_bases([Gene("c", ((1, 61),), 1)], [contig])["base_f1"] == 0.0  # same bases, other frame
    assert score_bases([Gene("c", ((0, 60),), -1)], [contig])["base_f1"] == 0.0  # other strand
    half = score_bases([Gene("c", ((0, 30),), 1)], [contig])
    assert half["base_precision"] == 1.0 and half["base_recall"] == 0.5


def test_prodigal_on_the_bundled_genome(stop_share):
    (contig,) = read_genome(bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz"))
    genes = prodigal_genes([contig])
    called = Contig(contig.id, contig.sequence, contig.circular, 11, genes)
    assert len(genes) > 1500 and stop_share(called) == 1.0  # every complete call ends in a stop codon
    # This annotation was itself mostly called by Prodigal (see PROVENANCE.md): a sanity check, not a score.
    assert score_genes(genes, contig.genes)["f1"] > 0.9


def test_short_genome_uses_metagenomic_mode():
    (contig,) = read_genome(bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz"))
    piece = Contig("piece", contig.sequence[:15_000])
    genes = prodigal_genes([piece])
    assert genes and all(g.contig == "piece" for g in genes)
    assert not math.isnan(score_genes(genes, genes)["f1"])
