"""Overlapping windows over whole genomes, as a ``tf.data`` pipeline, and stitching predictions back.

All contigs of a genome are encoded once into one ``uint8`` array (A=0, C=1, G=2, T=3, N=4), each contig
padded with ``flank`` bases on both sides: for a circular contig the flanks are its other end, so windows
read across the origin; for a linear contig they are ``N`` (masked). Windows of ``window`` bases start every
``stride`` bases and never cross from one contig into the next; the last window of a contig is aligned to its
end, so every base is covered. The ``tf.data`` pipeline slices windows from that array on the fly (the genome
is held once, not once per window) and one-hot encodes them, ``N`` as all zeros.

Stitching averages the overlapping windows' outputs with tent weights (``min(i + 1, window - i)`` at offset
``i``), so a base's prediction leans on the windows where it sits near the middle, with context on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from domains.genomics.data import encode, label_contig

@dataclass(frozen=True)
class Tiling:
    """Where one contig sits in the concatenated array and which windows cover it.

    Attributes:
        contig: record id. length: contig length. offset: index of the contig's first base (after its left
        flank) in the concatenated array. starts: window starts, ``(n_windows,)`` int64, in concatenated
        coordinates.
    """

    contig: str
    length: int
    offset: int
    starts: np.ndarray


def tile(contigs, window, stride, flank=None, labels=True):
    """Concatenates the contigs with flanks and lays windows over them.

    Args:
        contigs: :class:`~domains.genomics.data.Contig` list.
        window: window length in bases. stride: distance between window starts (``stride <= window``).
        flank: bases added on each side of a contig (default ``window // 2``).
        labels: also build the label arrays (``label_contig``) in the same layout.

    Returns:
        ``(codes, targets, tilings)``: ``codes`` ``(N,)`` uint8; ``targets`` a dict of ``(N, 2)`` arrays
        (``coding`` int8, ``start``/``stop`` bool; strand on the last axis) or ``None``; ``tilings`` one
        :class:`Tiling` per contig.
    """
    if not 0 < stride <= window:
        raise ValueError(f"stride must be in 1..window ({window}); got {stride}")
    flank = window // 2 if flank is None else flank
    pieces, label_pieces, tilings = [], [], []
    position = 0
    for contig in contigs:
        codes = encode(contig.sequence)
        length = len(codes)
        left = _flank(codes, flank, contig.circular, "left", fill=4)
        right = _flank(codes, flank, contig.circular, "right", fill=4)
        padded = np.concatenate([left, codes, right])
        pieces.append(padded)
        if labels:
            contig_labels = label_contig(contig)
            label_pieces.append({
                name: np.concatenate([
                    _flank(values.T, len(left), contig.circular, "left", fill=0),
                    values.T,
                    _flank(values.T, len(right), contig.circular, "right", fill=0),
                ])
                for name, values in contig_labels.items()
            })
        last = max(len(padded) - window, 0)
        starts = np.unique(np.append(np.arange(0, last + 1, stride), last)) + position
        tilings.append(Tiling(contig.id, length, position + len(left), starts.astype(np.int64)))
        position += len(padded)
    codes = np.concatenate(pieces)
    targets = None
    if labels:
        targets = {name: np.concatenate([piece[name] for piece in label_pieces]) for name in label_pieces[0]}
    return codes, targets, tilings


def window_dataset(contigs, window=2048, stride=1024, batch_size=16, shuffle=False, seed=0, labels=True):
    """A ``tf.data.Dataset`` of windows over ``contigs``.

    Elements are ``x`` ``(batch, window, 4)`` float32 one-hot (``N`` rows zero) and, with ``labels``, a dict
    ``{"coding": (batch, window, 2) int32, "start": ..., "stop": ... float32 (batch, window, 2),
    "valid": (batch, window) float32}`` where ``valid`` is 0 on ``N`` and padding. Windows that are shorter
    than ``window`` (a contig shorter than a window) are padded with ``N``.

    Returns:
        ``(dataset, tilings)``; the dataset is in tiling order unless ``shuffle``.
    """
    import tensorflow as tf

    codes, targets, tilings = tile(contigs, window, stride, labels=labels)
    tail = np.full(window, 4, np.uint8)
    codes = tf.constant(np.concatenate([codes, tail]))
    starts = np.concatenate([tiling.starts for tiling in tilings])
    dataset = tf.data.Dataset.from_tensor_slices(starts)
    if shuffle:
        dataset = dataset.shuffle(len(starts), seed=seed, reshuffle_each_iteration=True)
    if labels:
        coding = tf.constant(np.concatenate([targets["coding"], np.zeros((window, 2), np.int8)]))
        start = tf.constant(np.concatenate([targets["start"], np.zeros((window, 2), bool)]))
        stop = tf.constant(np.concatenate([targets["stop"], np.zeros((window, 2), bool)]))

    def element(first):
        window_codes = codes[first:first + window]
        x = tf.one_hot(window_codes, 4, dtype=tf.float32)  # code 4 (N) -> all zeros
        if not labels:
            return x
        return x, {
            "coding": tf.cast(coding[first:first + window], tf.int32),
            "start": tf.cast(start[first:first + window], tf.float32),
            "stop": tf.cast(stop[first:first + window], tf.float32),
            "valid": tf.cast(window_codes < 4, tf.float32),
        }

    dataset = dataset.map(element, num_parallel_calls=tf.data.AUTOTUNE).batch(batch_size)
    return dataset.prefetch(tf.data.AUTOTUNE), tilings


def stitch(outputs, tilings, window):
    """Per-contig predictions from per-window outputs.

    Args:
        outputs: ``(n_windows, window, ...)`` array, windows in tiling order (as an unshuffled
            :func:`window_dataset` yields them).
        tilings: the :class:`Tiling` list of that dataset.
        window: the window length.

    Returns:
        A dict contig id -> ``(length, ...)`` float32 array, the tent-weighted mean over the windows covering
        each base.
    """
    outputs = np.asarray(outputs)
    weights = np.minimum(np.arange(window) + 1, window - np.arange(window)).astype(np.float64)
    weights = weights.reshape((window,) + (1,) * (outputs.ndim - 2))
    stitched = {}
    index = 0
    for tiling in tilings:
        first, count = int(tiling.starts[0]), len(tiling.starts)
        span = int(tiling.starts[-1]) - first + window
        total = np.zeros((span,) + outputs.shape[2:])
        norm = np.zeros((span,) + (1,) * (outputs.ndim - 2))
        for start, out in zip(tiling.starts, outputs[index:index + count]):
            at = int(start) - first
            total[at:at + window] += weights * out
            norm[at:at + window] += weights
        index += count
        begin = tiling.offset - first
        stitched[tiling.contig] = (total[begin:begin + tiling.length] / norm[begin:begin + tiling.length]).astype(np.float32)
    if index != len(outputs):
        raise ValueError(f"{len(outputs)} window outputs for {index} windows")
    return stitched


def _flank(values, size, circular, side, fill):
    """``size`` rows to put on one ``side`` of a contig's ``values``: its other end if circular, else ``fill``."""
    if not circular:
        return np.full((size,) + values.shape[1:], fill, values.dtype)
    tiled = np.concatenate([values] * -(-size // len(values)))
    return tiled[len(tiled) - size:] if side == "left" else tiled[:size]
