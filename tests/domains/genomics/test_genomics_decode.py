"""domains.genomics.decode: from posteriors to genes. With posteriors that are the labels themselves the
decoder must give the annotation back; noise must not break it; edges and the origin are handled."""

import numpy as np
import pytest

from domains.genomics.data import Contig, Gene, label_contig, read_genome
from domains.genomics.decode import (Candidates, DecodeConfig, choose_genes, decode_contig, find_candidates,
                                     score_candidates)
from domains.genomics.evaluate import score_genes
from shared.data_paths import bundled


def _posteriors(contig, confidence=0.94, start_probability=0.9):
    """Probabilities that put ``confidence`` on each base's true label (both strands)."""
    labels = label_contig(contig)
    length = len(contig)
    coding = np.full((length, 2, 4), (1 - confidence) / 3)
    for strand in range(2):
        coding[np.arange(length), strand, labels["coding"][strand]] = confidence
    start = np.where(labels["start"].T, start_probability, 0.01)
    return coding, start


@pytest.fixture(scope="module")
def streptococcus():
    return read_genome(bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz"))[0]


def test_label_posteriors_decode_to_the_annotation(streptococcus):
    genes = decode_contig(streptococcus, *_posteriors(streptococcus))
    scores = score_genes(genes, streptococcus.genes)
    assert scores["f1"] == 1.0 and scores["start_accuracy"] == 1.0


def test_noisy_posteriors_still_decode(streptococcus, rng):
    coding, start = _posteriors(streptococcus)
    coding = coding * rng.uniform(0.3, 1.7, coding.shape)
    coding /= coding.sum(axis=-1, keepdims=True)
    scores = score_genes(decode_contig(streptococcus, coding, start), streptococcus.genes)
    assert scores["f1"] > 0.99 and scores["start_accuracy"] > 0.99


def test_uninformative_posteriors_call_nothing(streptococcus):
    flat = np.full((len(streptococcus), 2, 4), 0.25)
    flat[:, :, 0] = 0.7  # non-coding more likely everywhere
    flat[:, :, 1:] = 0.1
    assert decode_contig(streptococcus, flat, np.full((len(streptococcus), 2), 0.01)) == []


def _orf(rng, codons):
    middle = "".join(rng.choice(["GCA", "GAA", "CTG", "AAG", "GCC", "CAG"], codons))
    return "ATG" + middle + "TAA"


def test_gene_across_the_origin_and_on_the_reverse_strand(rng):
    gene = _orf(rng, 60)  # 186 bases
    filler = "C" * 300
    reverse = _orf(rng, 50).translate(str.maketrans("ACGT", "TGCA"))[::-1]
    sequence = gene[100:] + filler + reverse + filler + gene[:100]
    length = len(sequence)
    contig = Contig("circ", sequence, circular=True)
    contig.genes = [
        Gene("circ", ((length - 100, length), (0, 86)), 1),
        Gene("circ", ((386, 386 + 156),), -1),
    ]
    genes = decode_contig(contig, *_posteriors(contig), DecodeConfig(min_length=90))
    assert sorted((g.parts, g.strand) for g in genes) == sorted((g.parts, g.strand) for g in contig.genes)


def test_gene_running_off_a_linear_edge_is_partial(rng):
    gene = _orf(rng, 80)
    sequence = gene[120:] + "C" * 200
    contig = Contig("lin", sequence)
    contig.genes = [Gene("lin", ((0, len(gene) - 120),), 1, partial_start=True, codon_start=1)]
    (called,) = decode_contig(contig, *_posteriors(contig))
    assert called.partial_start and not called.partial_end and called.parts == ((0, len(gene) - 120),)


def test_shape_mismatch_is_refused(streptococcus):
    with pytest.raises(ValueError, match="expected coding"):
        decode_contig(streptococcus, np.zeros((10, 2, 4)), np.zeros((10, 2)))


def test_candidates_found_once_rescore_as_a_fresh_decode(streptococcus, rng):
    coding, start = _posteriors(streptococcus, confidence=0.6)
    coding = coding * rng.uniform(0.5, 1.5, coding.shape)
    coding /= coding.sum(axis=-1, keepdims=True)
    candidates = find_candidates(streptococcus, coding, start)
    for config in (DecodeConfig(), DecodeConfig(network_weight=0.5, start_weight=2.0, min_score=3.0)):
        again = choose_genes(streptococcus, candidates, config)
        assert [(g.parts, g.strand) for g in again] == [
            (g.parts, g.strand) for g in decode_contig(streptococcus, coding, start, config)]


def test_open_frame_ratio_is_codons_times_the_stop_log_odds(rng):
    sequence = "".join(rng.choice(list("ACGT"), 3000, p=[0.3, 0.2, 0.2, 0.3]))
    contig = Contig("random", sequence)
    flat = np.full((len(contig), 2, 4), 0.25)
    candidates = find_candidates(contig, flat, np.full((len(contig), 2), 0.5))
    both = [sequence, sequence[::-1].translate(str.maketrans("ACGT", "TGCA"))]
    triplets = [strand[i:i + 3] for strand in both for i in range(len(strand) - 2)]
    p = np.mean([t in ("TAA", "TAG", "TGA") for t in triplets])
    assert len(candidates.first) > 10
    np.testing.assert_allclose(candidates.open_frame, (candidates.end - candidates.first) // 3 * -np.log(1 - p))


def _hand_candidates(length, genes):
    """:class:`Candidates` of ``genes`` ``[(forward first, forward end, strand, score), ...]`` on a contig of
    ``length`` bases, scored by their ``network`` column alone."""
    strand = np.array([s for _, _, s, _ in genes], np.int8)
    low, high = np.array([g[0] for g in genes]), np.array([g[1] for g in genes])
    first, end = np.where(strand == 1, low, length - high), np.where(strand == 1, high, length - low)
    none = np.zeros(len(genes), bool)
    return Candidates(strand, first, end, none, none, np.arange(len(genes)),
                      np.array([g[3] for g in genes], float), np.zeros(len(genes)), 0.0)


def _called(contig, candidates, config):
    return sorted((gene.parts[0], gene.strand) for gene in choose_genes(contig, candidates, config))


def test_overlap_limits_depend_on_the_strands_and_containment_is_refused():
    contig = Contig("hand", "A" * 1000)
    opposite = DecodeConfig(max_divergent_overlap=0)  # Prodigal's: 60 on one strand, 200 3' to 3', 0 5' to 5'
    assert (opposite.max_overlap, opposite.max_opposite_overlap) == (60, 200)
    # 3' ends facing (forward then reverse), 100 bases shared: allowed by the opposite-strand limit only
    facing = _hand_candidates(1000, [(100, 400, 1, 5.0), (300, 700, -1, 4.0)])
    assert _called(contig, facing, opposite) == [((100, 400), 1), ((300, 700), -1)]
    assert _called(contig, facing, DecodeConfig(max_opposite_overlap=60)) == [((100, 400), 1)]
    # the same 100 bases on one strand, or with the 5' ends facing (reverse then forward): one gene
    same = _hand_candidates(1000, [(100, 400, 1, 5.0), (300, 700, 1, 4.0)])
    assert _called(contig, same, opposite) == [((100, 400), 1)]
    heads = _hand_candidates(1000, [(100, 400, -1, 5.0), (300, 700, 1, 4.0)])
    assert _called(contig, heads, opposite) == [((100, 400), -1)]
    # a forward gene inside a reverse one's 3' end, within 200 bases of it: never both
    inside = _hand_candidates(1000, [(300, 420, 1, 3.0), (250, 700, -1, 4.0)])
    assert _called(contig, inside, opposite) == [((250, 700), -1)]
    # 20 bases with the 5' ends facing pass a limit of 60, not of 0
    near = _hand_candidates(1000, [(100, 400, -1, 5.0), (380, 700, 1, 4.0)])
    assert len(_called(contig, near, DecodeConfig())) == 2
    assert len(_called(contig, near, opposite)) == 1


def _random_with_gene(rng, gc, gene_codons=200, flank=3000):
    """A contig of random bases at ``gc`` with a stop-free ORF of ``gene_codons`` codons (start and stop
    included) in its middle, and that ORF's forward ``(first, end)``."""
    weights = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]
    sense = [a + b + c for a in "ACGT" for b in "ACGT" for c in "ACGT" if a + b + c not in ("TAA", "TAG", "TGA")]
    gene = "ATG" + "".join(rng.choice(sense, gene_codons - 2)) + "TAA"
    left, right = ("".join(rng.choice(list("ACGT"), flank, p=weights)) for _ in range(2))
    return Contig("random", left + gene + right), (flank, flank + len(gene))


def test_gene_cost_drops_chance_orfs_and_keeps_the_gene(rng):
    # with no network evidence every ORF scores its open-frame ratio, > 0: chance ORFs are called too;
    # a cost of 60 codons leaves the ORFs longer than that, the planted 200-codon gene among them (matched
    # by its stop: the ORF may run on upstream of the planted start)
    contig, (_, stop) = _random_with_gene(rng, gc=0.35)
    flat = np.full((len(contig), 2, 4), 0.25)
    candidates = find_candidates(contig, flat, np.full((len(contig), 2), 0.5))
    free = DecodeConfig(network_weight=0.0, start_weight=0.0, open_frame_weight=1.0)
    called = _called(contig, candidates, free)
    assert (1, stop) in {(strand, high) for (_, high), strand in called}
    assert min(high - low for (low, high), _ in called) < 60 * 3
    charged = _called(contig, candidates, DecodeConfig(network_weight=0.0, start_weight=0.0, open_frame_weight=1.0,
                                                       gene_cost_codons=60))
    assert (1, stop) in {(strand, high) for (_, high), strand in charged} and len(charged) < len(called) / 3
    assert all(high - low > 60 * 3 for (low, high), _ in charged)


def test_gene_cost_is_lower_where_stops_are_rarer(rng):
    # the cost is counted in codons of open frame: a GC-rich genome (fewer TAA/TAG/TGA) pays less per gene
    costs = []
    for gc in (0.3, 0.65):
        contig, _ = _random_with_gene(rng, gc)
        flat = np.full((len(contig), 2, 4), 0.25)
        candidates = find_candidates(contig, flat, np.full((len(contig), 2), 0.5))
        plain = DecodeConfig(network_weight=0.0, start_weight=0.0, open_frame_weight=1.5)
        charged = DecodeConfig(network_weight=0.0, start_weight=0.0, open_frame_weight=1.5, gene_cost_codons=10)
        cost = score_candidates(contig, candidates, plain) - score_candidates(contig, candidates, charged)
        per_codon = candidates.open_frame / ((candidates.end - candidates.first) // 3)
        np.testing.assert_allclose(cost, 10 * 1.5 * per_codon)
        costs.append(cost[0])
    assert costs[1] < costs[0] / 2
