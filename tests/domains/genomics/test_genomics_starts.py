"""The genome's own start model: learns an RBS-like motif from first-pass genes, scores true starts higher."""

import numpy as np

from domains.genomics.data import Contig, Gene, complement, encode
from domains.genomics.decode import DecodeConfig, find_candidates, score_candidates, strand_sequence
from domains.genomics.starts import OFFSETS, UPSTREAM, WINDOW, StartModel, rbs_classes

SENSE = [a + b + c for a in "ACGT" for b in "ACGT" for c in "ACGT" if a + b + c not in ("TAA", "TAG", "TGA")]


def _genome(seed=0, n_genes=80):
    """Random intergenic DNA with genes ``AGGAGG`` + 6 bases + ATG + sense codons (some ATG/GTG/TTG in frame,
    the decoys) + TAA; every other gene on the reverse strand."""
    rng = np.random.default_rng(seed)
    pieces, genes, at = [], [], 0
    for index in range(n_genes):
        spacer = "".join(rng.choice(list("ACGT"), 40)) + "AGGAGG" + "".join(rng.choice(list("ACT"), 6))
        body = "ATG" + "".join(rng.choice(SENSE, 120)) + "TAA"
        gene = spacer + body
        first = at + len(spacer)
        if index % 2:  # reverse strand: the gene's body comes first in forward coordinates
            gene = complement(gene)[::-1]
            first = at
        parts = ((first, first + len(body)),)
        pieces.append(gene)
        genes.append(Gene("synthetic", parts, -1 if index % 2 else 1))
        at += len(gene)
    return Contig("synthetic", "".join(pieces), False, 11, genes)


def test_start_model_learns_the_motif_and_prefers_true_starts():
    contig = _genome()
    model = StartModel.fit([contig], contig.genes)
    assert model is not None and model.bases.shape == (WINDOW, 5, 5) and np.all(model.bases[:, :, 4] == 0)
    # AGGAGG occupies bases -12..-7 before the start: its Gs (and As) are enriched against decoy starts
    motif = model.bases[UPSTREAM - 12:UPSTREAM - 6, 4]  # zeroth-order terms
    assert np.all(motif[[1, 2, 4, 5], 2] > 0.5) and np.all(motif[[0, 3], 0] > 0.5)
    scores = model.scores(contig.sequence)
    true_starts = [g.parts[0][0] for g in contig.genes if g.strand == 1]
    decoys = [g.parts[0][0] + 3 * k for g in contig.genes if g.strand == 1 for k in range(1, 119)
              if contig.sequence[g.parts[0][0] + 3 * k:g.parts[0][0] + 3 * k + 3] in ("ATG", "GTG", "TTG")]
    assert len(decoys) > 20
    assert np.mean(scores[true_starts]) > np.mean(scores[decoys]) + 3
    non_codon = [i for i in range(len(contig) - 2) if contig.sequence[i:i + 3] not in ("ATG", "GTG", "TTG")][:500]
    assert np.all(scores[non_codon] == 0)


def test_rbs_class_is_the_longest_sd_piece_by_spacer_bin():
    """Class ``1 + 4 * bin + (6 - length)`` of the longest ``AGGAGG`` piece 3-15 bases before the start; equally
    long pieces: the earlier of the bins (5-10, 11-12, 3-4, 13-15); none, or too near the edge: 0."""
    cases = {"CCCCAGGAGGCCCCCCATG": 1,  # AGGAGG, spacer 6: bin 0, length 6
             "CCCCGGACCCCCCCCCCCCATG": 8,  # GGA, spacer 12: bin 1, length 3
             "CCCCCCGAGCCCAGGCCCATG": 4,  # GAG at spacer 9 (bin 0) and AGG at spacer 3 (bin 2): bin 0 wins
             "CCGGAGGCCCCCCCCCCCCCCATG": 14,  # GGAGG, spacer 14: bin 3, length 5
             "CCCCCCCCCCCCCCCCATG": 0,
             "AGGATG": 0}  # a piece right before the start codon is no RBS
    for sequence, expected in cases.items():
        assert rbs_classes(encode(sequence), np.array([len(sequence) - 3]))[0] == expected, sequence


def test_start_model_weights_the_rbs_class_of_true_starts():
    contig = _genome()
    model = StartModel.fit([contig], contig.genes)
    true_starts = np.array([g.parts[0][0] for g in contig.genes if g.strand == 1])
    assert np.all(rbs_classes(encode(contig.sequence), true_starts) == 1)  # AGGAGG 6 bases before each
    assert model.rbs.shape == (17,) and model.rbs[1] > 2 and model.rbs[1] == model.rbs.max()


def test_too_few_genes_give_no_model():
    contig = _genome(n_genes=10)
    assert StartModel.fit([contig], contig.genes) is None


def test_start_evidence_adds_the_start_score_itself():
    """``start_model_weight`` scores a start against its ORF's best (never above 0); ``start_evidence_weight``
    adds the start model's score itself, 0 for a partial start."""
    contig = _genome()
    model = StartModel.fit([contig], contig.genes)
    length = len(contig)
    candidates = find_candidates(contig, np.full((length, 2, 4), 0.25), np.full((length, 2), 0.5))
    relative = score_candidates(contig, candidates, DecodeConfig(start_model_weight=1.0), start_model=model)
    both = score_candidates(contig, candidates, DecodeConfig(start_model_weight=1.0, start_evidence_weight=0.5),
                            start_model=model)
    network = score_candidates(contig, candidates, DecodeConfig(start_model_weight=0.0), start_model=model)
    assert np.all(relative <= network + 1e-9) and np.any(relative < network - 1)
    per_strand = {strand: model.scores(strand_sequence(contig, strand)) for strand in (1, -1)}
    motif = np.array([per_strand[s][f] for s, f in zip(candidates.strand, candidates.first)])
    np.testing.assert_allclose(both - relative, np.where(candidates.partial_start, 0.0, 0.5 * motif), atol=1e-9)
    true_firsts = {g.parts[0][0] if g.strand == 1 else length - g.parts[0][1] for g in contig.genes}
    true = np.isin(candidates.first, list(true_firsts)) & ~candidates.partial_start
    assert true.sum() > 40 and np.mean(motif[true]) > 3


def _paired_genome(seed=0, n_genes=120):
    """Forward-strand genes whose start codon is followed by ``AAA`` (a fixed second codon) and whose base
    pair at -20..-19 is ``AC`` or ``CA`` (each base alone as common as in a random ``AA``/``CC``), in random
    DNA: decoy starts have neither."""
    rng = np.random.default_rng(seed)
    pieces, genes, at = [], [], 0
    for index in range(n_genes):
        pair = ("AC", "CA")[index % 2]
        spacer = "".join(rng.choice(list("ACGT"), 30)) + pair + "".join(rng.choice(list("ACGT"), 18))
        body = "ATGAAA" + "".join(rng.choice(SENSE, 100)) + "TAA"
        pieces.append(spacer + body)
        genes.append(Gene("paired", ((at + len(spacer), at + len(spacer) + len(body)),), 1))
        at += len(spacer) + len(body)
    return Contig("paired", "".join(pieces), False, 11, genes)


def test_start_model_reads_the_first_codons_and_base_pairs():
    """The window covers bases after the start codon (the fixed second codon ``AAA`` scores high there), and a
    base is read given the one before it: ``C`` after ``A`` at -19 scores above ``A`` after ``A``, which the
    zeroth-order term alone cannot tell apart from ``C`` after ``C``."""
    contig = _paired_genome()
    model = StartModel.fit([contig], contig.genes)
    after = np.flatnonzero(OFFSETS == 3)[0]  # the first base after the start codon
    assert np.all(model.bases[after:after + 3, 4, 0] > 0.5)  # A, A, A enriched
    at = np.flatnonzero(OFFSETS == -19)[0]
    A, C = 0, 1
    assert model.bases[at, A, C] > model.bases[at, A, A] + 1 and model.bases[at, C, A] > model.bases[at, C, C] + 1
    assert abs(model.bases[at, 4, A] - model.bases[at, 4, C]) < 0.5
    scores = model.scores(contig.sequence)
    starts = np.array([g.parts[0][0] for g in contig.genes])
    swapped = contig.sequence[:starts[0] - 20] + "AA" + contig.sequence[starts[0] - 18:]  # AC -> AA at -20..-19
    assert model.scores(swapped)[starts[0]] < scores[starts[0]] - 1
