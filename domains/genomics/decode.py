"""From per-position probabilities to genes: ORF candidates, likelihood-ratio scores and a dynamic-programming
tiling, in the manner of Prodigal's gene selection.

Inputs, for one contig of length L (as the network gives them after stitching):

- ``coding``: ``(L, 2, 4)`` probabilities over {non-coding, codon position 1, 2, 3} for each strand
  (strand 0 forward, 1 reverse, positions in forward coordinates; codon positions counted in the gene's own
  direction, as :func:`domains.genomics.data.label_contig` labels them);
- ``start``: ``(L, 2)`` probability that a base belongs to a true start codon.

Steps:

1. **Candidates** (:func:`find_candidates`). On each strand, every stop codon of the genetic code closes an
   open reading frame; every ATG, GTG or TTG in frame after the previous in-frame stop is a candidate start.
   On a linear contig an ORF that runs off an edge gives a partial candidate (5' partial from the edge, or 3'
   partial to the edge). A circular contig is read across its origin. Candidates shorter than ``min_length``
   (stop included) go.
2. **Score** of a candidate (:func:`score_candidates`), a sum of log-likelihood ratios (nats) of "a gene
   here" against "no gene":

   - ``network_weight`` times the network's evidence: the log-ratio of "coding in this frame" against
     "non-coding" under its per-position posteriors, summed over the candidate's bases (taken as
     independent, which they are not, hence the weight);
   - ``start_weight`` times the log-odds of the network's start-codon probability at its first base;
   - with models fitted on the genome's own first-pass genes (see :mod:`domains.genomics.predict`):
     ``coding_weight`` times the :class:`~domains.genomics.coding.CodingModel` score (the log-likelihood
     ratio of the candidate's codons, each given the one before, under the genome's genes against its
     background, from the start codon to the codon before the stop; with ``atypical_share`` ``a > 0`` that
     weighted score ``c`` becomes ``log((1 - a) e^c + a)``: the genes are a mixture of those the model
     describes and a share ``a`` of atypical ones (horizontally transferred, another replicon's composition)
     that read like the background, ratio 1, so a gene's composition can cost it at most ``-log a`` nats and
     a long open frame still makes an atypical gene, as Prodigal floors the coding score of long ORFs), and
     ``start_model_weight`` times the :class:`~domains.genomics.starts.StartModel` score of the start (the
     bases around it, RBS motif and codon) relative to the best-scoring start of the same ORF (so it picks
     among starts; partial starts get 0), plus ``start_evidence_weight`` times that score itself:
     as in Prodigal's start score, a start with a strong motif is evidence that the ORF is a gene, so short
     genes with a clear RBS are called (within one ORF the start is chosen by the two weights' sum);
   - ``open_frame_weight`` times the evidence of the open frame itself: a gene has no in-frame stop by
     definition, while non-coding DNA whose trinucleotides are stops with frequency ``p`` (the contig's, both
     strands) stays open for ``n`` codons with probability ``(1 - p) ** n``, so the log-likelihood ratio of
     an ``n``-codon candidate is ``-n log(1 - p)``: the length-dependent prior that short ORFs, which arise
     by chance far more often than long ones, are less likely genes (Prodigal's scores favour long ORFs in
     the same way; a further penalty on genes under 300 bases cost F1 on the training genomes);
   - minus a cost per gene, ``gene_cost_codons`` codons' worth of that open-frame evidence
     (``gene_cost_codons * open_frame_weight * -log(1 - p)``): the log prior odds against a gene at any one
     candidate, as a gene-finding HMM charges each gene it enters. Most ORFs are not genes, so a candidate
     whose evidence barely tips the ratio above 1 is more often a chance ORF than a gene. The cost is counted
     in codons of open frame so that it follows the genome's stop frequency: where chance ORFs run long (few
     stops, GC-rich genomes) every open codon is weaker evidence, genes score lower, and the cost is lower
     with them (a fixed bar of 2 nats, ``min_score``, cost N. pharaonis, 61 % GC, 0.3 point of gene F1 in
     real short genes; :data:`domains.genomics.predict.SELF_TRAINED` has the rows).

   A gene is worth calling when its score is above ``min_score``.
3. **Tiling** (:func:`choose_genes`). Dynamic programming over candidates sorted by their right end chooses
   the chain of candidates with the largest total score such that each gene overlaps the one before it by at
   most a limit that depends on their strands, as in Prodigal's gene connections: ``max_overlap`` bases on
   the same strand (Prodigal: 60), ``max_opposite_overlap`` when their 3' ends face each other (a forward
   gene followed by a reverse one; Prodigal: 200) and ``max_divergent_overlap`` when their 5' ends do
   (Prodigal: none), and neither lies inside the other. Alternative starts of one stop overlap each other
   completely, so at most one start per stop is chosen. A circular contig is tiled from the cut that the
   fewest candidates cross (:func:`_cut`: the origin unless a candidate crosses it, else in practice a point
   between genes that none crosses), so that a gene across the origin and an alternative start of its stop
   past the origin compete like any others.

Candidates and the network's part of their scores depend on the network alone, so they are found once per
contig and re-scored by each decoding pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from domains.genomics.data import Gene, codon_id, codon_ids, codon_table, complement, encode

EPS = 1e-6
CIRCULAR_OVERHANG = 30_000  # bases of a circular contig's beginning appended, for ORFs across the origin
MASK_RUN = 50  # a run of at least this many unknown bases is a gap no gene crosses, with masking (Prodigal -m)


@dataclass(frozen=True)
class DecodeConfig:
    """Settings of the decoder (weights multiply log-likelihood ratios in nats).

    The defaults score by the network alone (the first pass of :func:`domains.genomics.predict.
    self_trained_genes`; ``start_model_weight=100`` suits a start model added on that scale). The passes with
    the genome's own models use :data:`domains.genomics.predict.SELF_TRAINED`.

    Attributes:
        min_length: shortest gene called, in bases with the stop codon (Prodigal's minimum is 90).
        max_overlap: most bases two consecutive genes on the same strand may share.
        max_opposite_overlap: most bases a forward gene and the reverse gene after it (3' ends facing) may
            share.
        max_divergent_overlap: most bases a reverse gene and the forward gene after it (5' ends facing) may
            share (default as on one strand; Prodigal allows none, as :data:`domains.genomics.predict.
            SELF_TRAINED` does).
        network_weight: weight of the network's summed per-base coding log-ratio.
        start_weight: weight of the network's start-codon log-odds.
        start_model_weight: weight of a genome's own start model's score relative to the ORF's best start.
        start_evidence_weight: weight of that start model's score itself (evidence of a gene).
        coding_weight: weight of a genome's own coding model's score.
        atypical_share: share of genes the coding model does not describe (0: none; see the module docstring).
        open_frame_weight: weight of the open-frame log-likelihood ratio (1: the ratio itself).
        gene_cost_codons: cost of each gene, in codons of open-frame evidence (see the module docstring).
        min_score: candidates must score above this to be called.
    """

    min_length: int = 90
    max_overlap: int = 60
    max_opposite_overlap: int = 200
    max_divergent_overlap: int = 60
    network_weight: float = 1.0
    start_weight: float = 1.0
    start_model_weight: float = 100.0
    start_evidence_weight: float = 0.0
    coding_weight: float = 0.0
    atypical_share: float = 0.0
    open_frame_weight: float = 0.0
    gene_cost_codons: float = 0.0
    min_score: float = 0.0

    def overlaps(self):
        """Most bases a gene may share with the gene before it (to its left), by ``(left strand, right
        strand)``: same strand, 3' ends facing (forward then reverse), 5' ends facing (reverse then
        forward)."""
        return {(1, 1): self.max_overlap, (-1, -1): self.max_overlap, (1, -1): self.max_opposite_overlap,
                (-1, 1): self.max_divergent_overlap}


@dataclass(frozen=True)
class Candidates:
    """The candidate genes of one contig, ``m`` of them, in arrays ``(m,)``; coordinates are in each strand's
    own direction (``first < end``; on a circular contig they may run past its length, into the appended
    beginning).

    Attributes:
        strand: ``1`` or ``-1``. first, end: the gene's bases ``[first, end)`` on its strand.
        partial_start, partial_end: runs off the 5' / 3' edge of a linear contig.
        orf: an id shared by the candidates of one ORF (consecutive).
        network: the network's summed per-base coding log-ratio. start_odds: the network's start-codon
            log-odds at ``first`` (0 for a partial start).
        open_codon: the contig's log-likelihood ratio of one codon staying open (not a stop), ``-log(1 - p)``
            with ``p`` the contig's stop-codon frequency (a float, the same for every candidate).
    """

    strand: np.ndarray
    first: np.ndarray
    end: np.ndarray
    partial_start: np.ndarray
    partial_end: np.ndarray
    orf: np.ndarray
    network: np.ndarray
    start_odds: np.ndarray
    open_codon: float

    @property
    def open_frame(self):
        """``(m,)``: the log-likelihood ratio of the frame staying open (no stop) from ``first`` to the stop."""
        return (self.end - self.first) // 3 * self.open_codon


def strand_sequence(contig, strand):
    """One strand of ``contig`` in its own 5'->3' direction; a circular contig's beginning is appended
    (``CIRCULAR_OVERHANG`` bases at most) so that ORFs read across the origin."""
    sequence = contig.sequence if strand == 1 else complement(contig.sequence)[::-1]
    return sequence + sequence[:CIRCULAR_OVERHANG] if contig.circular else sequence


def decode_contig(contig, coding, start, config=DecodeConfig(), start_model=None, coding_model=None):
    """Genes called on one contig from its stitched probabilities (see the module docstring): candidates,
    scores, tiling.

    Args:
        contig: the :class:`~domains.genomics.data.Contig` (its sequence, topology and genetic code).
        coding: ``(L, 2, 4)`` probabilities. start: ``(L, 2)`` probabilities.
        config: :class:`DecodeConfig`.
        start_model: optional :class:`~domains.genomics.starts.StartModel` adding its start scores.
        coding_model: optional :class:`~domains.genomics.coding.CodingModel` adding its coding scores.

    Returns:
        A list of :class:`~domains.genomics.data.Gene`, sorted by position, ids ``"<contig>_<n>"``.
    """
    candidates = find_candidates(contig, coding, start, config.min_length)
    return choose_genes(contig, candidates, config, start_model, coding_model)


def find_candidates(contig, coding, start, min_length=90, mask=False):
    """All candidate genes of ``contig`` of at least ``min_length`` bases, with the network's evidence, as
    :class:`Candidates`. ``coding`` ``(L, 2, 4)`` and ``start`` ``(L, 2)`` are the network's probabilities.
    With ``mask``, no candidate spans a base of a gap (:func:`gap_mask`: a run of ``MASK_RUN`` or more
    unknown bases), as Prodigal's ``-m``; a gene that would run into a gap is not called."""
    length = len(contig)
    coding, start = np.asarray(coding, np.float32), np.asarray(start, np.float32)
    if coding.shape != (length, 2, 4) or start.shape != (length, 2):
        raise ValueError(f"expected coding {(length, 2, 4)} and start {(length, 2)}; got {coding.shape}, {start.shape}")
    logs = np.log(coding + EPS)
    log_ratio = logs[:, :, 1:] - logs[:, :, :1]  # (L, 2, 3): codon position 1..3 against non-coding
    start_odds = np.log(start + EPS) - np.log(1 - start + EPS)
    columns, stops, codons = [], 0, 0
    for axis, strand in enumerate((1, -1)):
        strand_ratio, strand_odds = log_ratio[:, axis], start_odds[:, axis]
        if strand == -1:
            strand_ratio, strand_odds = strand_ratio[::-1], strand_odds[::-1]
        if contig.circular:
            extra = min(length, CIRCULAR_OVERHANG)
            strand_ratio = np.concatenate([strand_ratio, strand_ratio[:extra]])
            strand_odds = np.concatenate([strand_odds, strand_odds[:extra]])
        sequence = strand_sequence(contig, strand)
        found = _strand_candidates(sequence, length, strand_ratio, strand_odds, contig.circular,
                                   contig.translation_table, min_length)
        if mask:
            gaps = gap_mask(sequence)
            gaps_before = np.concatenate([[0], np.cumsum(gaps)])
            clear = gaps_before[found[1]] == gaps_before[found[0]]  # no gap base in [first, end)
            found = tuple(column[clear] for column in found)
        columns.append((np.full(len(found[0]), strand, np.int8), *found))
        ids = codon_ids(encode(sequence[:length]))
        stops += np.isin(ids, [codon_id(c) for c in codon_table(contig.translation_table)[1]]).sum()
        codons += np.sum((ids >= 0) & (ids % 5 < 4) & (ids // 5 % 5 < 4) & (ids < 100))
    strand, first, end, open5, open3, orf, network, odds = (np.concatenate(column) for column in zip(*columns))
    orf = orf + np.where(strand == 1, 0, orf[strand == 1].max(initial=-1) + 1)  # ids unique across strands
    stop_frequency = min(max(stops / max(codons, 1), 1e-3), 0.5)  # bounded: a contig of few or odd bases
    return Candidates(strand, first, end, open5, open3, orf, network, odds, float(-np.log1p(-stop_frequency)))


def gap_mask(sequence, run=MASK_RUN):
    """``(len(sequence),)`` bool: the bases in runs of at least ``run`` unknown bases (anything but A, C, G,
    T in either case: N, IUPAC ambiguity codes).

    >>> gap_mask("AC" + "N" * 3 + "GT" + "n" * 2, run=3).astype(int).tolist()
    [0, 0, 1, 1, 1, 0, 0, 0, 0]
    """
    unknown = np.frombuffer(sequence.upper().encode("ascii", "replace"), np.uint8)
    unknown = ~np.isin(unknown, np.frombuffer(b"ACGT", np.uint8))
    edges = np.flatnonzero(np.diff(np.concatenate([[0], unknown.astype(np.int8), [0]])))
    gaps = np.zeros(len(unknown), bool)
    for first, end in zip(edges[::2], edges[1::2]):
        if end - first >= run:
            gaps[first:end] = True
    return gaps


def _strand_candidates(sequence, length, log_ratio, start_odds, circular, table, min_length):
    """Candidates of one strand, ``sequence`` (with the circular overhang), as arrays ``(first, end,
    partial_start, partial_end, orf, network, start_odds)``; ``log_ratio`` ``(n, 3)`` and ``start_odds``
    ``(n,)`` are the network's, in this strand's coordinates.

    On a circular contig ORFs that begin in the appended copy repeat earlier ones and are skipped, and so is
    each frame's first ORF, which the copy gives whole.
    """
    n = len(sequence)
    start_codons, stop_codons = codon_table(table)
    ids = codon_ids(encode(sequence))
    is_stop = np.isin(ids, [codon_id(c) for c in stop_codons])
    is_start = np.isin(ids, [codon_id(c) for c in start_codons])
    columns, orfs_before = [], 0
    for frame in range(3):
        # summed log-ratio of bases < x, for genes whose codons start at bases with index % 3 == frame
        per_base = np.empty(n)
        for position in range(3):  # bases frame + position + 3k are at codon position ``position`` + 1
            per_base[frame + position::3] = log_ratio[frame + position::3, position]
        head = np.arange(min(frame, n))  # the bases before the frame's first codon (fewer on a 1-base contig)
        per_base[head] = log_ratio[head, head - frame + 3]
        cumulative = np.concatenate([[0.0], np.cumsum(per_base)])
        stops = np.flatnonzero(is_stop[frame::3]) * 3 + frame
        # ORF k runs from begins[k] to ends[k]; the last one, past every stop, runs off the 3' edge
        ends = np.append(stops + 3, frame + (n - frame) // 3 * 3)
        begins = np.append(frame, stops + 3)
        index = np.arange(len(ends))
        keep = (index > 0) & (begins < length) & (index < len(stops)) if circular else np.ones(len(ends), bool)
        open3_orf = (index == len(stops)) & (not circular)
        firsts = np.flatnonzero(is_start[frame::3]) * 3 + frame
        orf = np.searchsorted(stops, firsts)  # a start codon is never a stop, so its ORF's stop lies after it
        chosen = keep[orf] & (ends[orf] - firsts >= min_length)
        firsts, orf = firsts[chosen], orf[chosen]
        edge = np.zeros(0, np.int64)
        if not circular and ends[0] - begins[0] >= min_length:  # the first ORF runs off the 5' edge
            edge = np.array([0])
        firsts, orf = np.concatenate([begins[edge], firsts]), np.concatenate([edge, orf])
        open5 = np.arange(len(firsts)) < len(edge)
        columns.append((firsts, ends[orf], open5, open3_orf[orf], orf + orfs_before,
                        cumulative[ends[orf]] - cumulative[firsts], np.where(open5, 0.0, start_odds[firsts])))
        orfs_before += len(ends)
    return tuple(np.concatenate(column) for column in zip(*columns))


def score_candidates(contig, candidates, config=DecodeConfig(), start_model=None, coding_model=None):
    """``(m,)`` scores of ``candidates`` (:class:`Candidates` of ``contig``), as the module docstring adds them
    up."""
    c = candidates
    score = config.network_weight * c.network + config.start_weight * c.start_odds
    score = score + config.open_frame_weight * (c.open_frame - config.gene_cost_codons * c.open_codon)
    for strand in (1, -1) if start_model is not None or coding_model is not None else ():
        here = np.flatnonzero(c.strand == strand)
        if not len(here):
            continue
        sequence = strand_sequence(contig, strand)
        first, end = c.first[here], c.end[here]
        if coding_model is not None:  # in-frame hexamers from the start to the codon before the stop (or edge)
            last = np.maximum(np.where(c.partial_end[here], end - 3, end - 6), first)
            coding = config.coding_weight * _in_frame_sums(coding_model.scores(sequence), first, last)
            if config.atypical_share > 0:  # mixture with atypical genes, read as background (ratio 1)
                coding = np.logaddexp(np.log1p(-config.atypical_share) + coding, np.log(config.atypical_share))
            score[here] += coding
        if start_model is not None:  # relative to the ORF's best start (candidates of an ORF are consecutive)
            motif = np.where(c.partial_start[here], -1e9, start_model.scores(sequence)[first])
            groups = np.flatnonzero(np.diff(c.orf[here], prepend=-1))
            best = np.repeat(np.maximum.reduceat(motif, groups), np.diff(np.append(groups, len(here))))
            score[here] += np.where(c.partial_start[here], 0.0, config.start_model_weight * (motif - best)
                                    + config.start_evidence_weight * motif)
    return score


def _in_frame_sums(values, first, last):
    """``(m,)`` sums of ``values[p]`` over ``first <= p < last``, ``p`` in ``first``'s frame (``p - first``
    divisible by 3)."""
    total = np.zeros(len(first))
    for frame in range(3):
        cumulative = np.concatenate([[0.0], np.cumsum(values[frame::3])])  # over positions frame, frame + 3, ...
        here = first % 3 == frame
        # in-frame positions before first: (first - frame) / 3; before last: ceil((last - frame) / 3)
        total[here] = cumulative[(last[here] - frame + 2) // 3] - cumulative[(first[here] - frame) // 3]
    return total


def choose_genes(contig, candidates, config=DecodeConfig(), start_model=None, coding_model=None):
    """Genes of ``contig`` chosen from ``candidates`` (:class:`Candidates`): scored by
    :func:`score_candidates`, those above ``min_score`` tiled (see the module docstring).

    Returns:
        A list of :class:`~domains.genomics.data.Gene`, sorted by position, ids ``"<contig>_<n>"``.
    """
    length = len(contig)
    score = score_candidates(contig, candidates, config, start_model, coding_model)
    span = candidates.end - candidates.first  # bases, stop included
    kept = np.flatnonzero((score > config.min_score) & (span >= config.min_length) & (span <= length))
    strand, first, end, span = candidates.strand[kept], candidates.first[kept], candidates.end[kept], span[kept]
    # forward coordinates, 0 <= first < length (the modulo brings back a gene found after the origin, in the
    # appended copy); a gene across the origin has first + span > length
    first = np.where(strand == 1, first, length - end) % length
    cut = _cut(first, first + span, length) if contig.circular else 0
    shifted = (first - cut) % length  # coordinates from the cut on: the tiling is linear from there
    tiled = np.flatnonzero(shifted + span <= length)  # those across the cut are dropped
    order = _tile(shifted[tiled], shifted[tiled] + span[tiled], strand[tiled], score[kept[tiled]],
                  config.overlaps())
    chosen = sorted(tiled[order], key=lambda i: (first[i], span[i]))
    genes = []
    for number, i in enumerate(chosen, start=1):
        low, high, direction = int(first[i]), int(first[i] + span[i]), int(strand[i])
        parts = ((low, high),) if high <= length else _wrap(low, high, length, direction)
        genes.append(Gene(contig.id, parts, direction, bool(candidates.partial_start[kept[i]]),
                          bool(candidates.partial_end[kept[i]]), id=f"{contig.id}_{number}",
                          table=contig.translation_table))
    return genes


def _tile(first, end, strand, score, overlaps):
    """Indices of the highest-scoring chain of candidates (arrays ``first``, ``end`` in forward coordinates,
    ``strand``, ``score``) in which each gene overlaps the one before it (the next to its left by ``end``) by at
    most ``overlaps[(left strand, right strand)]`` bases and neither contains the other.

    Dynamic programming over the candidates sorted by ``end``: the best chain ending with candidate ``i`` adds
    its score to the best chain ending with an allowed predecessor. Predecessors whose end lies within
    ``first[i] + min(allowed, shortest - 1)`` (``shortest`` the shortest candidate) cannot contain or be
    contained in ``i`` and come from a running maximum per strand; those overlapping ``i`` further are read one
    by one and kept when they begin before ``i`` and end before it.
    """
    if not len(first):
        return []
    order = np.argsort(end, kind="stable")
    first, end, strand, score = first[order], end[order], strand[order], score[order]
    count = len(order)
    shortest = int((end - first).min())
    # for each predecessor strand: its candidates' sorted positions, and per candidate the range of those
    # that may precede it without a check ([0, safe)) and with one ([safe, reach))
    members, safe, reach = {}, {}, {}
    for left in (1, -1):
        on_strand = np.flatnonzero(strand == left)
        members[left] = on_strand.tolist()
        ends = end[on_strand]
        before = np.searchsorted(on_strand, np.arange(count))  # this strand's candidates before each one
        allowed = np.where(strand == 1, overlaps[left, 1], overlaps[left, -1])
        safe[left] = np.minimum(np.searchsorted(ends, first + np.minimum(allowed, shortest - 1), side="right"),
                                before).tolist()
        reach[left] = np.minimum(np.searchsorted(ends, first + allowed, side="right"), before).tolist()
    firsts, ends, scores = first.tolist(), end.tolist(), score.tolist()
    chain = [0.0] * count  # best total of a chain ending with each candidate
    trace = [-1] * count  # its predecessor in that chain
    prefix = {1: [], -1: []}  # per strand: running (best chain, candidate) over its candidates so far
    for i in range(count):
        best, previous = 0.0, -1
        for left in (1, -1):
            k = safe[left][i]
            if k and prefix[left][k - 1][0] > best:
                best, previous = prefix[left][k - 1]
            for j in members[left][k:reach[left][i]]:
                if chain[j] > best and firsts[j] < firsts[i] and ends[j] < ends[i]:
                    best, previous = chain[j], j
        chain[i], trace[i] = best + scores[i], previous
        running = prefix[int(strand[i])]
        running.append((chain[i], i) if not running or chain[i] > running[-1][0] else running[-1])
    chosen, i = [], int(np.argmax(chain))
    while i >= 0 and chain[i] > 0:
        chosen.append(int(order[i]))
        i = trace[i]
    return chosen


def _cut(first, end, length):
    """Where to cut a circular contig for the tiling: the boundary (0 = the origin, ``b`` = before base ``b``)
    crossed by the fewest of the candidates ``[first, end)`` (forward coordinates, ``0 <= first < length``,
    ``end <= first + length``), the origin on a tie.

    The tiling drops the candidates across the cut; where none crosses it (a stretch that no candidate scoring
    above ``min_score`` covers, as between genes), the linear tiling from the cut is the circular one.
    """
    crossings = np.zeros(2 * length + 1, np.int64)
    np.add.at(crossings, first + 1, 1)  # a candidate crosses the boundaries first + 1 .. end - 1
    np.add.at(crossings, end, -1)
    crossings = np.cumsum(crossings)
    return int(np.argmin(crossings[:length] + crossings[length:2 * length]))


def _wrap(first, end, length, strand):
    """Parts, in transcription order, of a gene whose coordinates run past the origin."""
    first, end = first % length, end % length or length
    low, high = (first, length), (0, end)
    return (low, high) if strand == 1 else (high, low)
