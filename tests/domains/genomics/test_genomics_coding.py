"""The genome's own coding model: learns in-frame hexamer statistics from genes, scores coding sequence in its
frame above other frames and random DNA, and lets the decoder find genes the network gives no evidence for."""

import numpy as np
from domains.genomics.coding import CLIP, CodingModel, hexamer_ids
from domains.genomics.data import Contig, Gene, complement
from domains.genomics.decode import DecodeConfig, decode_contig
from domains.genomics.evaluate import score_genes

# a skewed codon usage (GC at the third position, few amino acids), as coding sequence of a real genome has
PREFERRED = ["GCC", "GAG", "CTG", "AAG", "CAG", "GGC", "ACC", "GTG", "CGC", "GAC"]


def _genome(seed=0, n_genes=80):
    """Random intergenic DNA (A/T rich) between genes ATG + preferred codons + TAA; every other gene on the
    reverse strand."""
    rng = np.random.default_rng(seed)
    pieces, genes, at = [], [], 0
    for index in range(n_genes):
        spacer = "".join(rng.choice(list("AATTCG"), int(rng.integers(60, 200))))
        body = "ATG" + "".join(rng.choice(PREFERRED, int(rng.integers(60, 150)))) + "TAA"
        pieces.append(spacer + (complement(body)[::-1] if index % 2 else body))
        first = at + len(spacer)
        genes.append(Gene("synthetic", ((first, first + len(body)),), -1 if index % 2 else 1))
        at += len(spacer) + len(body)
    return Contig("synthetic", "".join(pieces), False, 11, genes)


def test_hexamer_ids_read_base_four_and_mask_n():
    ids = hexamer_ids("AAAAAACGTNAAAAAA")
    assert ids[0] == 0 and ids[1] == 1 and ids[2] == 1 * 4 + 2  # AAAAAC, AAAACG
    assert ids[3] == 1 * 16 + 2 * 4 + 3  # AAACGT
    assert np.all(ids[4:10] == -1)  # every hexamer holding the N
    assert ids[10] == 0 and np.all(ids[11:] == -1)  # the last full hexamer, then none
    assert np.all(hexamer_ids("ACG") == -1)


def test_genes_score_above_other_frames_and_intergenic_dna():
    contig = _genome()
    model = CodingModel.fit([contig], contig.genes)
    assert model is not None and model.log_ratio.shape == (4096,)
    assert np.all(np.abs(model.log_ratio) <= CLIP)
    scores = model.scores(contig.sequence)
    in_frame, shifted, intergenic = [], [], []
    for gene in contig.genes:
        if gene.strand != 1:
            continue
        (first, end), = gene.parts
        in_frame.append(scores[first:end - 6:3].mean())
        shifted.append(scores[first + 1:end - 6:3].mean())
        intergenic.append(scores[first - 50:first - 6].mean())
    # each hexamer scores one codon (the second, given the first): in frame about log(0.1 / P_background)
    assert np.mean(in_frame) > 0.5 > np.mean(shifted) + 1.0
    assert np.mean(in_frame) > np.mean(intergenic) + 0.5


def test_too_few_or_partial_genes_give_no_model():
    contig = _genome(n_genes=80)
    assert CodingModel.fit([contig], contig.genes[:10]) is None
    partial = [Gene(g.contig, g.parts, g.strand, partial_start=True) for g in contig.genes]
    assert CodingModel.fit([contig], partial) is None


def test_coding_model_finds_genes_the_network_gives_no_evidence_for():
    contig = _genome(seed=1)
    model = CodingModel.fit([contig], contig.genes)
    flat = np.full((len(contig), 2, 4), 0.25)  # the network undecided: every log-ratio 0
    undecided = np.full((len(contig), 2), 0.5)  # start log-odds 0
    assert decode_contig(contig, flat, undecided, DecodeConfig(coding_weight=0.0)) == []
    genes = decode_contig(contig, flat, undecided, DecodeConfig(coding_weight=1.0), coding_model=model)
    scores = score_genes(genes, contig.genes)
    assert scores["sensitivity"] == 1.0 and scores["precision"] > 0.95


def test_fit_reads_both_strands():
    forward_only = _genome(seed=2)
    model = CodingModel.fit([forward_only], forward_only.genes)
    reverse = Contig("rc", complement(forward_only.sequence)[::-1], False, 11, [])
    length = len(forward_only)
    reverse.genes = [Gene("rc", ((length - g.parts[0][1], length - g.parts[0][0]),), -g.strand)
                     for g in forward_only.genes]
    mirrored = CodingModel.fit([reverse], reverse.genes)
    np.testing.assert_allclose(model.log_ratio, mirrored.log_ratio)


def test_hexamer_scores_are_the_second_codon_given_the_first():
    contig = _genome(seed=3)
    model = CodingModel.fit([contig], contig.genes)
    coding, background = np.ones(4096), np.ones(4096)  # the pseudocounts
    for strand, sequence in ((1, contig.sequence), (-1, complement(contig.sequence)[::-1])):
        ids = hexamer_ids(sequence)
        np.add.at(background, ids[ids >= 0], 1)
        for gene in contig.genes:
            if gene.strand == strand:
                (first, end), = gene.parts
                if strand == -1:
                    first, end = len(contig) - end, len(contig) - first
                np.add.at(coding, ids[first:end - 3 - 5:3], 1)
    for hexamer in ("GCCGAG", "CTGAAG", "AAGTAA", "ATATAT"):
        h = int(hexamer.translate(str.maketrans("ACGT", "0123")), 4)
        row = slice(h >> 6 << 6, (h >> 6) + 1 << 6)  # the hexamers sharing its first codon
        expected = np.log(coding[h] / coding[row].sum()) - np.log(background[h] / background[row].sum())
        assert abs(expected) < CLIP and np.isclose(model.log_ratio[h], expected)
