"""A start-codon model learned from the genome being annotated, in the manner of Prodigal's self-training.

Which of the in-frame ATG/GTG/TTG codons of an open reading frame is the real start is decided mostly by what
lies just upstream (the Shine-Dalgarno / RBS motif some 5-15 bases before it in most bacteria, other signals
or none in leaderless archaeal genes) and by the start codon itself, and both differ from genome to genome.
So, as Prodigal does, the model is fitted on the genome itself: the genes of a first decoding pass are taken
as examples, each gene's chosen start as a positive and the other start codons in frame within
``DECOY_SPAN`` bases (no stop between) as negatives, and a naive-Bayes log-likelihood ratio is estimated:

    score(q) = sum_k log(P_true(base at q - UPSTREAM + k) / P_decoy(...))  +  log(P_true(codon) / P_decoy(codon))

over the ``UPSTREAM`` bases before the start codon (position-specific, ``N`` and sequence edges score 0) and
the start codon (ATG, GTG, TTG), with one pseudocount per cell. The first pass's starts are partly wrong,
but the true ones share the motif and the wrong ones do not, so the ratio still points at the motif; a
second decoding pass adds ``weight * score`` to every candidate's score (:mod:`domains.genomics.decode`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from domains.genomics.data import codon_table, complement, encode

UPSTREAM = 20  # bases before the start codon read by the model
DECOY_SPAN = 300  # alternative starts this far (in bases) either side of the chosen one are the negatives
MIN_GENES = 50  # fewer first-pass genes than this: no start model (too few to estimate it)
START_CODONS = ("ATG", "GTG", "TTG")


@dataclass(frozen=True)
class StartModel:
    """Log-likelihood-ratio weights: ``upstream`` ``(UPSTREAM, 5)`` (column 4, ``N``, is 0) and ``codon``
    ``(3,)`` for ATG, GTG, TTG."""

    upstream: np.ndarray
    codon: np.ndarray

    @classmethod
    def fit(cls, contigs, genes):
        """Fits the model on first-pass ``genes`` (:class:`~domains.genomics.data.Gene`) of ``contigs``;
        returns ``None`` when fewer than ``MIN_GENES`` genes have a complete 5' end."""
        by_id = {contig.id: contig for contig in contigs}
        counts = {True: np.ones((UPSTREAM, 4)), False: np.ones((UPSTREAM, 4))}
        codons = {True: np.ones(3), False: np.ones(3)}
        used = 0
        strands = {}
        for gene in genes:
            if gene.partial_start or len(gene.parts) != 1:
                continue
            contig = by_id[gene.contig]
            if (contig.id, gene.strand) not in strands:
                sequence = contig.sequence if gene.strand == 1 else complement(contig.sequence)[::-1]
                strands[contig.id, gene.strand] = (sequence, encode(sequence))
            sequence, codes = strands[contig.id, gene.strand]
            (first, end), = gene.parts
            start = first if gene.strand == 1 else len(sequence) - end  # in the strand's own coordinates
            _, stop_codons = codon_table(gene.table or contig.translation_table)
            used += 1
            for q, positive in _starts_around(sequence, start, gene.length, stop_codons):
                _count(codes, q, counts[positive], codons[positive], sequence[q:q + 3])
        if used < MIN_GENES:
            return None
        upstream = np.zeros((UPSTREAM, 5))
        upstream[:, :4] = np.log(counts[True] / counts[True].sum(1, keepdims=True)) - np.log(
            counts[False] / counts[False].sum(1, keepdims=True))
        codon = np.log(codons[True] / codons[True].sum()) - np.log(codons[False] / codons[False].sum())
        return cls(upstream, codon)

    def scores(self, sequence):
        """``(len(sequence),)`` scores of a start codon at each position of one strand's sequence (0 where
        there is no ATG/GTG/TTG)."""
        codes = encode(sequence)
        n = len(codes)
        padded = np.concatenate([np.full(UPSTREAM, 4, np.uint8), codes])
        total = np.zeros(n)
        for k in range(UPSTREAM):
            total += self.upstream[k][padded[k:k + n]]
        ids = np.full(n, -1, np.int64)
        ids[:n - 2] = codes[:-2].astype(np.int64) * 25 + codes[1:-1] * 5 + codes[2:]
        codon_index = np.full(n, -1)
        for index, codon in enumerate(START_CODONS):
            codon_index[ids == _codon_id(codon)] = index
        return np.where(codon_index >= 0, total + self.codon[np.maximum(codon_index, 0)], 0.0)


def _codon_id(codon):
    return sum("ACGTN".index(base) * 5 ** (2 - k) for k, base in enumerate(codon))


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


def _count(codes, q, counts, codon_counts, codon):
    """Adds the ``UPSTREAM`` bases before ``q`` (those inside the sequence, not ``N``) and the codon."""
    for k in range(UPSTREAM):
        at = q - UPSTREAM + k
        if at >= 0 and codes[at] < 4:
            counts[k, codes[at]] += 1
    if codon in START_CODONS:
        codon_counts[START_CODONS.index(codon)] += 1
