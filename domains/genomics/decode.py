"""From per-position probabilities to genes: ORF candidates, likelihood-ratio scores and a dynamic-programming
tiling, in the manner of Prodigal's gene selection.

Inputs, for one contig of length L (as the network gives them after stitching):

- ``coding``: ``(L, 2, 4)`` probabilities over {non-coding, codon position 1, 2, 3} for each strand
  (strand 0 forward, 1 reverse, positions in forward coordinates; codon positions counted in the gene's own
  direction, as :func:`domains.genomics.data.label_contig` labels them);
- ``start``: ``(L, 2)`` probability that a base belongs to a true start codon.

Steps:

1. **Candidates.** On each strand, every stop codon of the genetic code closes an open reading frame; every
   ATG, GTG or TTG in frame after the previous in-frame stop is a candidate start. On a linear contig an ORF
   that runs off an edge gives a partial candidate (5' partial from the edge, or 3' partial to the edge). A
   circular contig is read across its origin. Candidates shorter than ``min_length`` (stop included) go.
2. **Score** of a candidate = the log-likelihood ratio, summed over its bases, of "coding in this frame"
   against "non-coding" under the network's per-position posteriors (positions taken as independent), plus
   ``start_weight`` times the log-odds of the start-codon probability at its first base, plus, when a
   :class:`~domains.genomics.starts.StartModel` fitted on the genome is given, ``start_model_weight`` times
   its score of the start (upstream motif and codon; see :mod:`domains.genomics.starts`) (partial starts get
   ``0``). A gene is worth calling when its score is positive.
3. **Tiling.** Weighted interval scheduling (dynamic programming over candidates sorted by their right end)
   chooses the set of positive-scoring candidates with the largest total score such that consecutive genes
   overlap by at most ``max_overlap`` bases (either strand). Alternative starts of one stop overlap each other
   completely, so at most one start per stop is chosen.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from domains.genomics.data import Gene, codon_table, complement, encode

EPS = 1e-6


@dataclass(frozen=True)
class DecodeConfig:
    """Settings of :func:`decode_contig`.

    Attributes:
        min_length: shortest gene called, in bases with the stop codon (Prodigal's minimum is 90).
        max_overlap: most bases two called genes may share.
        start_weight: weight of the start-codon log-odds in a candidate's score.
        start_model_weight: weight of a genome's own start model's score (second pass, see ``predict``); the
            coding log-ratio sums count correlated bases as independent, so they are large and the start
            evidence needs a large weight to count (100 chosen on E. coli, a training genome).
        min_score: candidates must score above this to be called.
    """

    min_length: int = 90
    max_overlap: int = 60
    start_weight: float = 1.0
    start_model_weight: float = 100.0
    min_score: float = 0.0


def decode_contig(contig, coding, start, config=DecodeConfig(), start_model=None):
    """Genes called on one contig from its stitched probabilities (see the module docstring).

    Args:
        contig: the :class:`~domains.genomics.data.Contig` (its sequence, topology and genetic code).
        coding: ``(L, 2, 4)`` probabilities. start: ``(L, 2)`` probabilities.
        config: :class:`DecodeConfig`.
        start_model: optional :class:`~domains.genomics.starts.StartModel` adding its start scores.

    Returns:
        A list of :class:`~domains.genomics.data.Gene`, sorted by position, ids ``"<contig>_<n>"``.
    """
    length = len(contig)
    coding = np.asarray(coding, np.float64)
    start = np.asarray(start, np.float64)
    if coding.shape != (length, 2, 4) or start.shape != (length, 2):
        raise ValueError(f"expected coding {(length, 2, 4)} and start {(length, 2)}; got {coding.shape}, {start.shape}")
    candidates = []
    forward = contig.sequence
    reverse = complement(forward)[::-1]
    for strand, sequence, strand_coding, strand_start in (
        (1, forward, coding[:, 0], start[:, 0]),
        (-1, reverse, coding[::-1, 1], start[::-1, 1]),
    ):
        for first, end, score, open5, open3 in _strand_candidates(
            sequence, strand_coding, strand_start, contig.circular, contig.translation_table, config, start_model
        ):
            if first >= length:  # a gene after the origin, found in the appended copy
                first, end = first - length, end - length
            if strand == -1:  # reverse-complement coordinates back to forward ones
                first, end = length - end, length - first
            candidates.append((first, end, score, strand, open5, open3))
    chosen = _tile(candidates, config.max_overlap)
    genes = []
    for number, (first, end, _, strand, open5, open3) in enumerate(sorted(chosen), start=1):
        parts = ((first, end),) if end <= length and first >= 0 else _wrap(first, end, length, strand)
        genes.append(Gene(contig.id, parts, strand, open5, open3, id=f"{contig.id}_{number}", table=contig.translation_table))
    return genes


def _strand_candidates(sequence, coding, start, circular, table, config, start_model=None):
    """``(first, end, score, partial_start, partial_end)`` of forward-strand candidates of ``sequence``.

    ``coding`` ``(L, 4)`` and ``start`` ``(L,)`` are this strand's probabilities in its own coordinates.
    On a circular contig the beginning is appended so ORFs read across the origin; their coordinates then run
    past ``L`` and the caller wraps them. ORFs that begin in the appended copy repeat earlier ones and are
    skipped, and so is each frame's first ORF, which the copy gives whole.
    """
    length = len(sequence)
    start_codons, stop_codons = codon_table(table)
    if circular:
        extra = min(length, 30_000)
        sequence = sequence + sequence[:extra]
        coding = np.concatenate([coding, coding[:extra]])
        start = np.concatenate([start, start[:extra]])
    n = len(sequence)
    codon_ids = _codon_ids(sequence)
    is_stop = np.isin(codon_ids, [_codon_id(c) for c in stop_codons])
    is_start = np.isin(codon_ids, [_codon_id(c) for c in start_codons])
    log_ratio = np.log(coding[:, 1:] + EPS) - np.log(coding[:, :1] + EPS)  # (n, 3): codon position 1..3
    start_odds = config.start_weight * (np.log(start + EPS) - np.log(1 - start + EPS))
    motif = None if start_model is None else config.start_model_weight * start_model.scores(sequence)
    for frame in range(3):
        # summed log-ratio of bases < x, for genes whose codons start at bases with index % 3 == frame
        per_base = log_ratio[np.arange(n), (np.arange(n) - frame) % 3]
        cumulative = np.concatenate([[0.0], np.cumsum(per_base)])
        stop_ends = np.flatnonzero(is_stop[frame::3]) * 3 + frame + 3
        previous = None
        for end in stop_ends:
            if previous is None:
                if not circular:
                    yield from _orf_candidates(frame, end, True, False, cumulative, start_odds, motif, is_start, config)
            elif previous >= length:
                break
            else:
                yield from _orf_candidates(previous, end, False, False, cumulative, start_odds, motif, is_start, config)
            previous = end
        if not circular:  # the last ORF runs off the 3' edge
            first = frame if previous is None else previous
            end = first + (n - first) // 3 * 3
            yield from _orf_candidates(first, end, previous is None, True, cumulative, start_odds, motif, is_start, config)


def _orf_candidates(first, end, open5, open3, cumulative, start_odds, motif, is_start, config):
    """Candidates of one ORF ``[first, end)``: each in-frame start codon, and the 5' edge when ``open5``."""
    if end - first < config.min_length:
        return
    total = cumulative[end]
    if open5 and total - cumulative[first] > config.min_score:
        yield int(first), int(end), float(total - cumulative[first]), True, open3
    positions = np.arange(first, end - config.min_length + 1, 3)
    positions = positions[is_start[positions]]
    scores = total - cumulative[positions] + start_odds[positions]
    if motif is not None and len(positions):
        scores = scores + motif[positions] - motif[positions].max()
    for q, score in zip(positions[scores > config.min_score], scores[scores > config.min_score]):
        yield int(q), int(end), float(score), False, open3


def _codon_ids(sequence):
    """Base-5 id of the codon at every position (``N`` is digit 4), ``(len - 2,)``; padded with -1 to ``len``."""
    codes = encode(sequence).astype(np.int64)
    ids = codes[:-2] * 25 + codes[1:-1] * 5 + codes[2:]
    return np.concatenate([ids, [-1, -1]])


def _codon_id(codon):
    return int(sum("ACGTN".index(base) * 5 ** (2 - k) for k, base in enumerate(codon)))


def _tile(candidates, max_overlap):
    """The highest-scoring set of candidates overlapping each other by at most ``max_overlap`` bases."""
    if not candidates:
        return []
    ordered = sorted(candidates, key=lambda c: c[1])
    ends = [c[1] for c in ordered]
    best = [0.0] * (len(ordered) + 1)
    take = [False] * len(ordered)
    previous = []
    for i, (first, _, score, *_rest) in enumerate(ordered):
        j = bisect.bisect_right(ends, first + max_overlap, 0, i)  # candidates ending early enough
        previous.append(j)
        with_it = best[j] + score
        take[i] = with_it > best[i]
        best[i + 1] = with_it if take[i] else best[i]
    chosen, i = [], len(ordered)
    while i > 0:
        if take[i - 1]:
            chosen.append(ordered[i - 1])
            i = previous[i - 1]
        else:
            i -= 1
    return chosen


def _wrap(first, end, length, strand):
    """Parts, in transcription order, of a gene whose coordinates run past the origin."""
    first, end = first % length, end % length or length
    low, high = (first, length), (0, end)
    return (low, high) if strand == 1 else (high, low)
