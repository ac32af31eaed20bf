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


def test_stop_match_needs_the_same_record_and_strand():
    """A prediction matches only on the same record and strand: the same 3' coordinate on another contig, or on
    the other strand, is no match."""
    reference = [Gene("c1", ((0, 300),), 1)]  # 3' end at base 299
    assert score_genes([Gene("c1", ((0, 300),), 1)], reference)["sensitivity"] == 1.0  # control: a match
    other_record = score_genes([Gene("c2", ((0, 300),), 1)], reference)
    assert other_record["n_matched"] == 0 and other_record["sensitivity"] == 0.0 and other_record["precision"] == 0.0
    # reverse strand: the 3' end is the part's start, 299, the same coordinate as the forward reference's
    reverse = Gene("c1", ((299, 600),), -1)
    assert three_prime_end(reverse) == three_prime_end(reference[0]) == 299
    other_strand = score_genes([reverse], reference)
    assert other_strand["n_matched"] == 0 and other_strand["sensitivity"] == 0.0 and other_strand["precision"] == 0.0


def test_start_accuracy_leaves_out_partial_starts():
    """Exact-start accuracy counts only stop-matched pairs where neither gene is ``partial_start``: three
    matched pairs, two with a partial start (one on each side, both with other 5' ends) and one exact, give
    1/1 = 1.0 (counting them all would give 1/3); partial pairs alone leave it undefined (NaN)."""
    reference = [
        Gene("c", ((0, 300),), 1, partial_start=True),  # the prediction starts at 30: other 5' end, partial ref
        Gene("c", ((400, 700),), 1),  # the prediction is partial and starts at 430
        Gene("c", ((800, 1100),), 1),  # exact
    ]
    predicted = [Gene("c", ((30, 300),), 1), Gene("c", ((430, 700),), 1, partial_start=True),
                 Gene("c", ((800, 1100),), 1)]
    scores = score_genes(predicted, reference)
    assert scores["n_matched"] == 3 and scores["start_accuracy"] == 1.0
    only_partial = score_genes(predicted[:1], reference[:1])
    assert only_partial["n_matched"] == 1 and math.isnan(only_partial["start_accuracy"])


def test_base_calls_in_the_wrong_frame_are_false_positives():
    """Two adjacent reference genes, bases 0-59 and 60-119; predictions 0-59 (exact) and 61-120 (the second
    gene shifted one base). Bases 0-59 agree: tp = 60. Bases 61-119 are called coding in another codon
    position and base 120 is called where the reference has nothing: fp = 59 + 1 = 60. Bases 60-119 are
    reference coding without agreement: fn = 60. So precision = recall = 60/120 = 0.5 (counting only calls on
    non-coding bases as fp would give precision 60/61)."""
    contig = Contig("c", "A" * 150, genes=[Gene("c", ((0, 60),), 1), Gene("c", ((60, 120),), 1)])
    scores = score_bases([Gene("c", ((0, 60),), 1), Gene("c", ((61, 121),), 1)], [contig])
    assert scores["base_precision"] == 0.5 and scores["base_recall"] == 0.5 and scores["base_f1"] == 0.5


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
