"""domains.genomics.decode: from posteriors to genes. With posteriors that are the labels themselves the
decoder must give the annotation back; noise must not break it; edges and the origin are handled."""

from dataclasses import replace

import numpy as np
import pytest
from Bio import SeqIO

from domains.genomics.data import Contig, Gene, complement, label_contig, read_genome, sub_contig
from domains.genomics.decode import (Candidates, DecodeConfig, choose_genes, decode_contig, find_candidates,
                                     score_candidates)
from domains.genomics.evaluate import score_genes
from domains.genomics.gff3 import gff3_lines, protein, write_gff3, write_proteins
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


def test_min_length_counts_the_stop_codon_and_is_inclusive():
    """With label posteriors, a gene of ATG + k codons + TAA (3k + 6 bases: 87 for k = 27, 90 for k = 28) is
    called with ``min_length`` equal to its length and not with ``min_length`` 3 more. The flanks are all C
    (GGG on the other strand: no start, no stop); the other candidates (edge ORFs, reverse-strand ORFs) are
    non-coding in the posteriors and are not called."""
    for codons in (27, 28):
        gene = "ATG" + "GCA" * codons + "TAA"
        size = len(gene)
        assert size == 3 * codons + 6
        contig = Contig("lin", "C" * 150 + gene + "C" * 150)
        contig.genes = [Gene("lin", ((150, 150 + size),), 1)]
        posteriors = _posteriors(contig)
        at_length = decode_contig(contig, *posteriors, DecodeConfig(min_length=size))
        assert [(g.parts, g.strand) for g in at_length] == [(((150, 150 + size),), 1)], codons
        assert decode_contig(contig, *posteriors, DecodeConfig(min_length=size + 3)) == [], codons
    # the default (Prodigal's 90) keeps the 90-base gene: checked above with k = 28, min_length = 90
    assert DecodeConfig().min_length == 90


def _rotated(contig, shift):
    """``contig`` as a circular contig that begins at its base ``shift``, its genes moved along (a gene across
    the new origin gets two parts, in transcription order)."""
    length = len(contig)
    genes = []
    for gene in contig.genes:
        positions = (gene.positions() - shift) % length  # in transcription order
        runs = np.split(positions, np.flatnonzero(np.abs(np.diff(positions)) != 1) + 1)
        genes.append(replace(gene, parts=tuple((int(run.min()), int(run.max()) + 1) for run in runs)))
    sequence = contig.sequence[shift:] + contig.sequence[:shift]
    return Contig(contig.id, sequence, True, contig.translation_table, genes)


def _called_with_stop(genes, stop, strand):
    return [gene for gene in genes if gene.strand == strand and gene.positions()[-1] == stop]


STRETCH = (122_200, 127_900)  # 5.7 kb of the bundled genome holding 7 whole genes, on both strands


@pytest.mark.parametrize("gene_id", ["NC_002737_CDS_124468_125223", "NC_002737_CDS_125417_126082"])
def test_real_gene_across_the_origin_is_called_once(streptococcus, tmp_path, gene_id):
    # a forward and a reverse gene of the bundled genome, rotated so that the origin falls 150 bases after
    # its start codon, past which the gene has alternative starts in frame: those starts share the wrapped
    # gene's stop, so they compete with it, and only the wrapped gene is called
    linear = sub_contig(streptococcus, *STRETCH)
    planted = next(gene for gene in linear.genes if gene.id == gene_id)
    bases = "".join(linear.sequence[p] for p in planted.positions())
    bases = complement(bases) if planted.strand == -1 else bases
    assert any(bases[i:i + 3] in ("ATG", "GTG", "TTG") for i in range(150, len(bases) - 90, 3))
    ring = _rotated(linear, int(planted.positions()[150]) + (planted.strand == -1))  # origin before base 150
    wrapped = next(gene for gene in ring.genes if gene.id == gene_id)
    assert len(wrapped.parts) == 2
    called = decode_contig(ring, *_posteriors(ring))
    assert sorted((g.parts, g.strand) for g in called) == sorted((g.parts, g.strand) for g in ring.genes)
    (call,) = _called_with_stop(called, wrapped.positions()[-1], wrapped.strand)
    (linear_call,) = _called_with_stop(decode_contig(linear, *_posteriors(linear)), planted.positions()[-1],
                                       planted.strand)
    assert protein(call, ring) == protein(linear_call, linear)
    # GFF3: one line whose end runs past the contig length; the protein FASTA gives the same coordinates
    length, size, sign = len(ring), planted.length, "+-"[planted.strand == -1]
    start, end = (length - 150 + 1, length + size - 150) if sign == "+" else (length - size + 151, length + 150)
    (line,) = [line.split("\t") for line in gff3_lines([ring], called) if f"ID={call.id};" in line]
    assert (line[3], line[4], line[6], line[7]) == (str(start), str(end), sign, "0")
    write_gff3(tmp_path / "ring.gff3", [ring], called)
    write_proteins(tmp_path / "ring.faa", [ring], [call])
    (record,) = SeqIO.parse(tmp_path / "ring.faa", "fasta")
    assert record.description == f"{call.id} {ring.id}:{start}-{end}({sign})"
    (tmp_path / "ring.fa").write_text(f">{ring.id}\n{ring.sequence}\n")
    back = read_genome(tmp_path / "ring.fa", annotation=tmp_path / "ring.gff3")[0]
    assert back.circular and [g.parts for g in back.genes] == [g.parts for g in called]


def test_circular_calls_do_not_depend_on_where_the_origin_is(streptococcus, rng):
    # one circular stretch with noisy posteriors, its origin moved into genes and between them: the same genes
    # come back (each named by strand, first and last base, in the unrotated coordinates)
    linear = sub_contig(streptococcus, 120_000, 140_000)
    ring = _rotated(linear, 0)
    coding, start = _posteriors(ring, confidence=0.7)
    coding = coding * rng.uniform(0.3, 1.7, coding.shape)
    coding /= coding.sum(axis=-1, keepdims=True)

    def calls(shift):
        genes = decode_contig(_rotated(linear, shift), np.roll(coding, -shift, axis=0), np.roll(start, -shift, axis=0))
        return sorted((g.strand, (int(g.positions()[0]) + shift) % len(ring), (int(g.positions()[-1]) + shift)
                       % len(ring)) for g in genes)

    expected = calls(0)
    assert len(expected) > 15
    shifts = [int(gene.positions()[k]) for gene in ring.genes[::3] for k in (30, 200)] + [9_999]
    for shift in shifts:
        assert calls(shift) == expected, shift


def test_gene_running_off_a_linear_edge_is_partial(rng):
    gene = _orf(rng, 80)
    sequence = gene[120:] + "C" * 200
    contig = Contig("lin", sequence)
    contig.genes = [Gene("lin", ((0, len(gene) - 120),), 1, partial_start=True, codon_start=1)]
    (called,) = decode_contig(contig, *_posteriors(contig))
    assert called.partial_start and not called.partial_end and called.parts == ((0, len(gene) - 120),)


@pytest.mark.parametrize("sequence", ["A", "AC", "ATG"])
@pytest.mark.parametrize("circular", [False, True])
def test_contigs_shorter_than_a_codon_or_two_hold_no_candidate(sequence, circular):
    # found in review: a 1-base record was an IndexError (exit 1) that lost the whole genome's calls
    contig = Contig("tiny", sequence, circular=circular)
    coding = np.full((len(sequence), 2, 4), 0.25)
    candidates = find_candidates(contig, coding, np.full((len(sequence), 2), 0.5))
    assert len(candidates.first) == 0
    assert decode_contig(contig, coding, np.full((len(sequence), 2), 0.5)) == []


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


def _gapped(streptococcus, gap):
    """A 30 kb stretch whose two longest genes (one per strand, if any) have ``gap`` N in their middle, its
    label posteriors (taken before the Ns went in, so the network "sees" the genes through the gap) and the
    gaps' spans."""
    linear = sub_contig(streptococcus, 100_000, 130_000)
    spans = []
    for strand in (1, -1):
        gene = max((g for g in linear.genes if g.strand == strand), key=lambda g: g.parts[0][1] - g.parts[0][0])
        first, end = gene.parts[0]
        middle = (first + end) // 2 // 3 * 3
        spans.append((middle, middle + gap))
    posteriors = _posteriors(linear)
    sequence = list(linear.sequence)
    for first, end in spans:
        sequence[first:end] = "N" * (end - first)
    return replace(linear, sequence="".join(sequence)), posteriors, spans


def _crossing(spans, gaps):
    """The ``(first, end)`` spans that share a base with a gap."""
    return [(a, b) for a, b in spans if any(a < gap_end and gap_first < b for gap_first, gap_end in gaps)]


def test_masking_keeps_every_gene_off_runs_of_n_as_prodigal_m(streptococcus):
    contig, (coding, start), gaps = _gapped(streptococcus, 60)

    def genomic(candidates):  # candidate spans in forward coordinates
        n = len(contig)
        return [(f, e) if s == 1 else (n - e, n - f) for s, f, e in zip(candidates.strand, candidates.first, candidates.end)]

    plain, masked = (find_candidates(contig, coding, start, mask=mask) for mask in (False, True))
    assert _crossing(genomic(plain), gaps)  # without masking the two genes' ORFs run through their gaps
    assert not _crossing(genomic(masked), gaps)
    assert set(genomic(masked)) == {span for span in genomic(plain) if not _crossing([span], gaps)}
    called = decode_contig(contig, coding, start)
    assert len(_crossing([gene.parts[0] for gene in called], gaps)) == 2
    masked_calls = choose_genes(contig, masked, DecodeConfig())
    assert not _crossing([gene.parts[0] for gene in masked_calls], gaps)
    assert len(masked_calls) >= len(called) - 2  # the rest of the stretch is called as before


def test_a_run_shorter_than_the_mask_size_is_not_a_gap(streptococcus):
    contig, (coding, start), gaps = _gapped(streptococcus, 48)
    plain, masked = (find_candidates(contig, coding, start, mask=mask) for mask in (False, True))
    assert np.array_equal(plain.first, masked.first) and np.array_equal(plain.strand, masked.strand)
