"""A coding-potential model learned from the genome being annotated, in the manner of Prodigal's and GeneMark's
self-training.

How coding sequence reads differs from genome to genome (codon usage, amino-acid composition, GC skew at the
third codon position), and a network trained on a few genomes carries only their average. So, as Prodigal
does, the genes of a first decoding pass teach the genome's own coding statistics: the frequency of each
in-frame dicodon (hexamer starting at a codon boundary, stop codon excluded) in those genes, against the
background frequency of every hexamer of the genome, both strands, at every position (coding in the other
five frames and non-coding alike: "anything but this frame"). A gene is read as a first-order Markov chain
over its codons (each codon given the one before it: a three-periodic chain of order 3 to 5 over bases, as
GeneMark's), so the score of a hexamer ``h = c1 c2`` is the log-likelihood ratio of its second codon given
its first,

    log_ratio[h] = log(P_coding(c2 | c1) / P_background(c2 | c1))        (nats, clipped to +-CLIP),

with ``P(c2 | c1) = count(c1 c2) / sum_c count(c1 c)`` and ``PSEUDOCOUNT`` added to every hexamer's count in
both tables. A gene's coding score, the sum over its in-frame hexamers from its start codon up to the codon
before its stop (:meth:`CodingModel.scores` gives the per-position terms, summed by
:mod:`domains.genomics.decode`), is then the log-likelihood ratio of its codons after the first, each codon
counted once. (Summing the hexamers' joint log-ratios instead, as Prodigal does, counts every codon twice:
on the six training genomes the chain at weight 0.6 raised mean gene F1 by 0.3 point over the joint ratios
at 0.5, in precision; see :data:`domains.genomics.predict.SELF_TRAINED`.) The first pass's genes are partly
wrong, but right ones dominate them, so the statistics are those of the genome's genes; each later pass adds
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
    """In-frame hexamer log-likelihood ratios ``log_ratio`` ``(4 ** K,)`` (nats) of the second codon given the
    first; hexamer id = bases read as a base-4 number, A=0, C=1, G=2, T=3, first base most significant."""

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
        log_ratio = _log_conditional(coding + PSEUDOCOUNT) - _log_conditional(background + PSEUDOCOUNT)
        return cls(np.clip(log_ratio, -CLIP, CLIP))

    def scores(self, sequence):
        """``(len(sequence),)`` log-ratio of the hexamer starting at each position of one strand's sequence
        (0 where it holds ``N`` or runs past the end)."""
        ids = hexamer_ids(sequence)
        return np.where(ids >= 0, self.log_ratio[np.maximum(ids, 0)], 0.0)


def _log_conditional(counts):
    """``(4 ** K,)`` log-probability of each hexamer's second codon given its first, from hexamer ``counts``
    ``(4 ** K,)`` (the first codon is the id's high six bits)."""
    table = counts.reshape(64, 64)  # first codon x second codon
    return (np.log(table) - np.log(table.sum(axis=1, keepdims=True))).ravel()


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
