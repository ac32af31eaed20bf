"""A start-codon model learned from the genome being annotated, in the manner of Prodigal's self-training.

Which of the in-frame ATG/GTG/TTG codons of an open reading frame is the real start is decided mostly by what
lies just upstream (the Shine-Dalgarno / RBS motif some 5-15 bases before it in most bacteria, other signals
or none in leaderless archaeal genes) and by the start codon itself, and both differ from genome to genome.
So, as Prodigal does, the model is fitted on the genome itself: the genes of a first decoding pass are taken
as examples, each gene's chosen start as a positive and the other start codons in frame within
``DECOY_SPAN`` bases (no stop between) as negatives, and a naive-Bayes log-likelihood ratio is estimated:

    score(q) = sum_k log(P_true(base at q + o_k | base before it) / P_decoy(...))
               + log(P_true(codon) / P_decoy(codon)) + log(P_true(RBS class) / P_decoy(RBS class))

over a window of bases around the start codon at ``q`` (offsets ``o_k``, ``OFFSETS``): the ``UPSTREAM``
bases before it and the ``DOWNSTREAM`` after it; the start codon (ATG, GTG, TTG); and, as in Prodigal's start
score, the Shine-Dalgarno motif with its spacer: the longest piece (3 to 6 bases) of ``AGGAGG`` ending 3 to
15 bases before the start codon, classed by its length and spacer bin (:func:`rbs_classes`). Every table has
one pseudocount per cell. Each window base is read given the one before it, as an interpolated Markov chain
(Glimmer's): ``FIRST_ORDER_SHARE`` of the position's first-order log-ratio (16 cells) plus the rest of its
zeroth-order one (4 cells, which alone scores a base whose predecessor is unknown; ``N`` and sequence edges
score 0). The bases after the start codon tell a real start, whose next codons begin the protein, from a
decoy a few codons off (on the six training genomes 24 of them raised mean exact-start accuracy by 0.6
point, and reading them with the first-order terms by another 0.8, both at equal or better gene F1; with
six decoding passes A. pernix, the weakest, gained 1.6 points; first-order terms alone, share 1, cost 0.1
point of mean F1).
Per-position base frequencies alone blur a motif whose distance to the start varies from gene to gene; the
RBS class sees it at any spacer (on the training genomes it raised mean exact-start accuracy by 0.5 point,
E. coli's by 2.5, V. cholerae's by 1.5). A genome with weak or no SD motifs (many archaea) learns near-zero
class weights and leans on the window's composition (which keeps the RBS region: leaving it out, as
Prodigal does, cost over 3 points of start accuracy on the training genomes). The first pass's starts are
partly wrong, but the true ones share the motif and the wrong ones do not, so the ratio still points at the
motif; each later decoding pass adds ``start_model_weight * score`` to every candidate's score, and the model
is refitted on that pass's genes (:mod:`domains.genomics.decode`, :func:`domains.genomics.predict.
self_trained_genes`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from domains.genomics.data import codon_id, codon_ids, codon_table, complement, encode

UPSTREAM = 45  # bases before the start codon read by the model (the RBS, and promoter elements of leaderless
# archaeal genes; 45 chosen on the training genomes over 20 and 30)
DOWNSTREAM = 24  # bases after the start codon read by the model (the protein's first codons; 24 chosen on the
# training genomes over 0, 6, 12, 36 and 48)
OFFSETS = np.concatenate([np.arange(-UPSTREAM, 0), 3 + np.arange(DOWNSTREAM)])  # window bases, from the start
WINDOW = len(OFFSETS)
FIRST_ORDER_SHARE = 0.5  # weight of the first-order log-ratios against the zeroth-order ones (0.5 chosen on the
# training genomes over 0, 0.3, 0.7 and 1)
DECOY_SPAN = 150  # alternative starts this far (in bases) either side of the chosen one are the negatives
# (150 chosen on the training genomes: nearer decoys are the starts the decoder must tell apart)
MIN_GENES = 50  # fewer first-pass genes than this: no start model (too few to estimate it)
START_CODONS = ("ATG", "GTG", "TTG")
SD_MOTIFS = tuple(sorted({"AGGAGG"[i:i + k] for k in range(3, 7) for i in range(7 - k)},
                         key=lambda motif: (-len(motif), motif)))  # the Shine-Dalgarno core's 3- to 6-base pieces
SPACER_BINS = ((5, 10), (11, 12), (3, 4), (13, 15))  # bases between the motif and the start codon: Prodigal's
# bins, the usual spacing first (of two equally long pieces, the one in the earlier bin sets the class)
RBS_CLASSES = 1 + 4 * len(SPACER_BINS)  # class 0: no motif; then motif length 6..3 within each spacer bin


@dataclass(frozen=True)
class StartModel:
    """Log-likelihood-ratio weights (nats): ``bases`` ``(WINDOW, 5, 5)`` of the base at each window position
    (last axis; 4, ``N``, scores 0) given the base before it (middle axis; 4, unknown: the zeroth-order
    term), ``codon`` ``(3,)`` for ATG, GTG, TTG and ``rbs`` ``(RBS_CLASSES,)`` by :func:`rbs_classes` class."""

    bases: np.ndarray
    codon: np.ndarray
    rbs: np.ndarray

    @classmethod
    def fit(cls, contigs, genes):
        """Fits the model on first-pass ``genes`` (:class:`~domains.genomics.data.Gene`) of ``contigs``;
        returns ``None`` when fewer than ``MIN_GENES`` genes have a complete 5' end."""
        by_id = {contig.id: contig for contig in contigs}
        counts = {True: np.zeros((WINDOW, 5, 4)), False: np.zeros((WINDOW, 5, 4))}
        codons = {True: np.ones(3), False: np.ones(3)}
        rbs = {True: np.ones(RBS_CLASSES), False: np.ones(RBS_CLASSES)}
        used = 0
        strands = {}
        examples = {}  # (contig id, strand) -> [(start position, is the chosen start), ...]
        for gene in genes:
            if gene.partial_start or len(gene.parts) != 1:
                continue
            contig = by_id[gene.contig]
            if (contig.id, gene.strand) not in strands:
                sequence = contig.sequence if gene.strand == 1 else complement(contig.sequence)[::-1]
                strands[contig.id, gene.strand] = (sequence, encode(sequence))
            sequence, _ = strands[contig.id, gene.strand]
            (first, end), = gene.parts
            start = first if gene.strand == 1 else len(sequence) - end  # in the strand's own coordinates
            _, stop_codons = codon_table(gene.table or contig.translation_table)
            used += 1
            examples.setdefault((contig.id, gene.strand), []).extend(
                _starts_around(sequence, start, gene.length, stop_codons))
        if used < MIN_GENES:
            return None
        for key, found in examples.items():
            starts, positive = np.array(found).T
            for label in (True, False):
                _count(strands[key][1], starts[positive == label], counts[label], codons[label])
                np.add.at(rbs[label], rbs_classes(strands[key][1], starts[positive == label]), 1)
        bases = np.zeros((WINDOW, 5, 5))
        zeroth = {label: counts[label].sum(1) + 1 for label in (True, False)}  # (WINDOW, 4)
        first = {label: counts[label][:, :4] + 1 for label in (True, False)}  # (WINDOW, 4 before, 4)
        bases[:, 4, :4] = _log_ratio(zeroth[True], zeroth[False])
        bases[:, :4, :4] = (1 - FIRST_ORDER_SHARE) * bases[:, 4:, :4] + FIRST_ORDER_SHARE * _log_ratio(
            first[True], first[False])
        codon = _log_ratio(codons[True], codons[False])
        return cls(bases, codon, _log_ratio(rbs[True], rbs[False]))

    def scores(self, sequence):
        """``(len(sequence),)`` scores of a start codon at each position of one strand's sequence (0 where
        there is no ATG/GTG/TTG)."""
        codes = encode(sequence)
        n = len(codes)
        ids = codon_ids(codes)
        codon_index = np.full(n, -1)
        for index, codon in enumerate(START_CODONS):
            codon_index[ids == codon_id(codon)] = index
        at = np.flatnonzero(codon_index >= 0)
        padded = np.concatenate([np.full(UPSTREAM + 1, 4, np.uint8), codes, np.full(DOWNSTREAM + 3, 4, np.uint8)])
        pairs = padded[:-1] * 5 + padded[1:]  # (base before, base) at each base, from padded index 1
        table = self.bases.reshape(WINDOW, 25)
        total = self.codon[codon_index[at]]
        for k, offset in enumerate(OFFSETS):  # the base at q + offset is padded[q + UPSTREAM + 1 + offset]
            total = total + table[k][pairs[at + UPSTREAM + offset]]
        scores = np.zeros(n)
        scores[at] = total + self.rbs[rbs_classes(codes, at)]
        return scores


def _starts_around(sequence, start, length, stop_codons):
    """``(q, is_chosen)`` for the chosen start and the in-frame start codons within ``DECOY_SPAN`` bases of
    it: upstream up to the first in-frame stop, downstream while at least 90 bases of the gene remain."""
    yield start, True
    q = start - 3
    while q >= 0 and start - q <= DECOY_SPAN and sequence[q:q + 3] not in stop_codons:
        if sequence[q:q + 3] in START_CODONS:
            yield q, False
        q -= 3
    q = start + 3
    while q - start <= DECOY_SPAN and q < start + length - 90:
        if sequence[q:q + 3] in START_CODONS:
            yield q, False
        q += 3


def rbs_classes(codes, starts):
    """``(m,)`` RBS class of each of ``starts`` (positions in ``codes``, a strand's encoded sequence): the
    longest piece of ``SD_MOTIFS`` ending 3-15 bases before the start codon (among equally long ones, the one
    in the first of ``SPACER_BINS``) gives ``1 + 4 * bin + (6 - its length)``; 0 when there is none."""
    ending = np.zeros(len(codes) + 1, np.int64)  # ending[i]: longest piece occupying bases [i - length, i)
    for motif in SD_MOTIFS[::-1]:  # longer motifs last: they overwrite
        size = max(len(codes) - len(motif) + 1, 0)
        found = np.ones(size, bool)  # found[i]: the piece occupies bases [i, i + its length)
        for k, base in enumerate(motif):
            found &= codes[k:k + size] == "ACGT".index(base)
        ending[len(motif):][found] = len(motif)
    longest, classes = np.zeros(len(starts), np.int64), np.zeros(len(starts), np.int64)
    for index, (low, high) in enumerate(SPACER_BINS):  # earlier bins win ties: only a longer piece replaces
        for spacer in range(low, high + 1):
            length = np.where(starts >= spacer, ending[np.maximum(starts - spacer, 0)], 0)
            better = length > longest
            longest[better], classes[better] = length[better], 1 + 4 * index + 6 - length[better]
    return classes


def _count(codes, starts, counts, codon_counts):
    """Adds the window around each of ``starts`` (positions in ``codes``, a strand's encoded sequence; bases
    outside it or ``N`` are left out) to ``counts`` ``(WINDOW, 5, 4)`` (by the base before, 4 where unknown,
    and the base) and the start codons to ``codon_counts`` ``(3,)`` (ATG, GTG, TTG)."""
    before, base = _window(codes, starts)
    rows = np.broadcast_to(np.arange(WINDOW), base.shape)
    known = base < 4
    np.add.at(counts, (rows[known], before[known], base[known]), 1)
    ids = codes[starts].astype(np.int64) * 25 + codes[starts + 1] * 5 + codes[starts + 2]
    for index, codon in enumerate(START_CODONS):
        codon_counts[index] += np.sum(ids == codon_id(codon))


def _window(codes, starts):
    """``(before, base)``, two ``(m, WINDOW)`` arrays: the base codes (4: ``N`` or outside the sequence) at
    each window position of each of ``starts`` and the bases just before them."""
    at = starts[:, None] + OFFSETS

    def read(where):
        return np.where((where >= 0) & (where < len(codes)), codes[np.clip(where, 0, len(codes) - 1)], 4)
    return read(at - 1), read(at)


def _log_ratio(true_counts, decoy_counts):
    """``log(P_true / P_decoy)`` of counts normalised along the last axis."""
    return np.log(true_counts / true_counts.sum(-1, keepdims=True)) - np.log(
        decoy_counts / decoy_counts.sum(-1, keepdims=True))
