"""Training the gene finder on annotated genomes, with checkpoints and resumption.

The training windows (:func:`training_dataset`) come from :func:`domains.genomics.windows.window_dataset`,
shuffled, each reverse-complemented with probability 1/2 (the strands of the labels swapped and reversed), so
one network learns both strands alike. ``N`` and padding get sample weight 0.
"""

from __future__ import annotations

import tensorflow as tf

from domains.genomics.windows import window_dataset


def reverse_complement(x, labels):
    """A window and its labels read from the other strand: ``x`` ``(window, 4)`` one-hot in ACGT order
    becomes its reverse complement (reverse time, reverse the channel order: A<->T, C<->G); in the labels
    (``(window, 2)`` per strand) the strands swap and time reverses."""
    flipped = {name: tf.reverse(value, axis=[0]) for name, value in labels.items()}
    for name in ("coding", "start", "stop"):
        flipped[name] = tf.reverse(flipped[name], axis=[1])
    return tf.reverse(x, axis=[0, 1]), flipped


def training_dataset(contigs, window=2048, stride=1024, batch_size=16, seed=0, augment=True):
    """``(x, targets, sample_weights)`` batches for ``model.fit``.

    ``targets``: ``{"coding": (batch, window, 2) int32, "start": (batch, window, 2) float32}``;
    ``sample_weights``: the ``valid`` mask, ``(batch, window, 1)`` for ``coding`` and ``(batch, window)`` for
    ``start`` (Keras' binary cross-entropy averages the two strands first).
    """
    dataset, _ = window_dataset(contigs, window, stride, batch_size=1, shuffle=True, seed=seed)
    dataset = dataset.unbatch()
    if augment:
        def maybe_flip(index, element):
            x, labels = element
            flip = tf.random.stateless_uniform([], seed=tf.stack([tf.cast(seed, tf.int64), index])) < 0.5
            return tf.cond(flip, lambda: reverse_complement(x, labels), lambda: (x, labels))

        # the index is the position in this epoch's shuffled order, so a window's flip changes across epochs
        dataset = dataset.enumerate().map(maybe_flip, num_parallel_calls=tf.data.AUTOTUNE)

    def split(x, labels):
        # per-element losses: coding (window, 2) -> weight (window, 1); start (window,) after the strand mean
        weights = {"coding": labels["valid"][:, None], "start": labels["valid"]}
        return x, {"coding": labels["coding"], "start": labels["start"]}, weights

    return dataset.map(split).batch(batch_size).prefetch(tf.data.AUTOTUNE)
