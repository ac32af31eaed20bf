"""A coding-potential model learned from the genome being annotated, in the manner of Prodigal's and GeneMark's
self-training.

How coding sequence reads differs from genome to genome (codon usage, amino-acid composition, GC skew at the
third codon position), and a network trained on a few genomes carries only their average. So, as Prodigal
does, the genes of a first decoding pass teach the genome's own coding statistics: the frequency of each
in-frame dicodon (hexamer starting at a codon boundary, stop codon excluded) in those genes, against the
background frequency of every hexamer of the genome, both strands, at every position (coding in the other
five frames and non-coding alike: "anything but this frame"). The score of a hexamer is

    log_ratio[h] = log(P_coding(h) / P_background(h))        (nats, clipped to +-CLIP),

with ``PSEUDOCOUNT`` added to every cell of both tables, and a gene's coding score is the sum over its
in-frame hexamers, from its start codon up to the codon before its stop (:meth:`CodingModel.scores` gives the
per-position terms, summed by :mod:`domains.genomics.decode`). The first pass's genes are partly wrong, but
right ones dominate them, so the statistics are those of the genome's genes; each later pass adds
``coding_weight`` times this score to every candidate's, and the model is refitted on that pass's genes
(:func:`domains.genomics.predict.self_trained_genes`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from domains.genomics.data import complement, encode

K = 6  # hexamers: two codons
PSEUDOCOUNT = 1.0  # added to every hexamer's count in both tables
CLIP = 5.0  # largest |log_ratio| of one hexamer, in nats: bounds the say of hexamers seen only a few times
MIN_GENES = 50  # fewer first-pass genes than this: no coding model (too few to estimate it)


@dataclass(frozen=True)
class CodingModel:
    """In-frame hexamer log-likelihood ratios ``log_ratio`` ``(4 ** K,)`` (nats); hexamer id = bases read as a
    base-4 number, A=0, C=1, G=2, T=3, first base most significant."""

    log_ratio: np.ndarray

    @classmethod
    def fit(cls, contigs, genes):
        """Fits the model on a decoding pass's ``genes`` (:class:`~domains.genomics.data.Gene`) of ``contigs``;
        returns ``None`` when fewer than ``MIN_GENES`` genes have both ends and one part."""
        by_contig = {}
        for gene in genes:
            if not (gene.partial_start or gene.partial_end) and len(gene.parts) == 1:
                by_contig.setdefault(gene.contig, []).append(gene)
        if sum(map(len, by_contig.values())) < MIN_GENES:
            return None
        coding = np.zeros(4 ** K)
        background = np.zeros(4 ** K)
        for contig in contigs:
            length = len(contig)
            for strand, sequence in ((1, contig.sequence), (-1, complement(contig.sequence)[::-1])):
                ids = hexamer_ids(sequence)
                background += np.bincount(ids[ids >= 0], minlength=4 ** K)
                firsts = []
                for gene in by_contig.get(contig.id, []):
                    if gene.strand != strand:
                        continue
                    (first, end), = gene.parts
                    if strand == -1:  # the strand's own coordinates
                        first, end = length - end, length - first
                    firsts.append(np.arange(first, end - 3 - K + 1, 3))
                if firsts:
                    chosen = ids[np.concatenate(firsts)]
                    coding += np.bincount(chosen[chosen >= 0], minlength=4 ** K)
        coding += PSEUDOCOUNT
        background += PSEUDOCOUNT
        log_ratio = np.log(coding / coding.sum()) - np.log(background / background.sum())
        return cls(np.clip(log_ratio, -CLIP, CLIP))

    def scores(self, sequence):
        """``(len(sequence),)`` log-ratio of the hexamer starting at each position of one strand's sequence
        (0 where it holds ``N`` or runs past the end)."""
        ids = hexamer_ids(sequence)
        return np.where(ids >= 0, self.log_ratio[np.maximum(ids, 0)], 0.0)


def hexamer_ids(sequence):
    """``(len(sequence),)`` int32 id of the hexamer starting at each position; -1 where it holds ``N`` or runs
    past the end."""
    codes = encode(sequence)
    n = len(codes)
    ids = np.full(n, -1, np.int32)
    if n < K:
        return ids
    count = n - K + 1
    window = np.minimum(codes[:count], 3).astype(np.int32)
    for k in range(1, K):  # two bits per base
        window <<= 2
        window |= np.minimum(codes[k:k + count], 3)
    unknown = codes == 4
    if unknown.any():
        before = np.concatenate([[0], np.cumsum(unknown)])  # N bases before each position
        window[before[K:] - before[:count] > 0] = -1
    ids[:count] = window
    return ids
