"""The "wide" part of the wide-and-deep classifier: a linear logit over a text's word unigrams and bigrams.

:class:`NgramLogit` reads the same token ids the recurrent part reads (0 padding, 1 out-of-vocabulary) and
returns, per text,

    logit = scale * (sum_t u[x_t] + sum_t b[h(x_t, x_{t+1})]) / sqrt(n_unigrams + n_bigrams)

with one weight ``u`` per vocabulary id and one weight ``b`` per hashed bigram bucket,
``h(a, c) = (a * 2654435761 + c) mod bigram_buckets`` (Knuth's multiplicative constant, computed in int64;
distinct bigrams may share a bucket, as in Vowpal Wabbit or fastText). Dividing by the square root of the
n-gram count makes it a linear model over L2-normalised counts, as TF-IDF + logistic regression is over
L2-normalised TF-IDF vectors. Both weight vectors start at zero and carry an L2 penalty ``l2 * sum(w ** 2)``.

``scale`` is a learning-rate multiplier: Adam moves each weight by about the learning rate per step whatever
the gradient's size, so the logit moves ``scale`` times faster than with ``scale = 1``. Without it a linear
model started at zero learns far too slowly beside the recurrent part: after SST's 2 epochs at learning rate
0.002 its logit averaged 0.07 on SST-2 dev sentences (TF-IDF + logistic regression has word weights near 10).

:func:`naive_bayes_init` starts the weights at naive Bayes log-count ratios instead of zero, as NBSVM
(Wang & Manning 2012) scales its features: ``r = log((p / |p|_1) / (q / |q|_1))`` with ``p`` (``q``) the number
of positive (negative) training texts holding the n-gram, plus ``alpha``.
"""

import keras
import numpy as np
from keras import ops

HASH_MULTIPLIER = 2654435761


@keras.saving.register_keras_serializable(package="shared")
class NgramLogit(keras.layers.Layer):
    """Linear logit over uni- and hashed bigrams of token ids (see the module docstring).

    Args:
        vocabulary_size: number of token ids, including padding 0 and OOV 1.
        bigram_buckets: number of hashed bigram weights. Defaults to ``2 ** 18``.
        l2: L2 penalty on every weight. Defaults to ``1e-6``.
        scale: factor on the logit (a learning-rate multiplier, see the module docstring). Defaults to 1.

    Call arguments:
        tokens: int ``(batch, T)`` token ids, 0 for padding.
        keep: optional float ``(batch, T)``, 1 for a token the layer reads and 0 for one it skips like padding
            (with its bigrams), e.g. the tokens inside a negation scope.

    Returns:
        float ``(batch, 1)`` logits (0 for a text without tokens).

    Example:

    >>> layer = NgramLogit(10, bigram_buckets=16)
    >>> print(layer(keras.ops.convert_to_tensor([[2, 3, 0]])).shape)
    (1, 1)
    """

    def __init__(self, vocabulary_size, bigram_buckets=2**18, l2=1e-6, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.vocabulary_size, self.bigram_buckets, self.l2 = int(vocabulary_size), int(bigram_buckets), float(l2)
        self.scale = float(scale)

    def build(self, input_shape):
        regularizer = keras.regularizers.L2(self.l2) if self.l2 else None
        self.unigram = self.add_weight(shape=(self.vocabulary_size,), initializer="zeros", regularizer=regularizer,
                                       name="unigram")
        self.bigram = self.add_weight(shape=(self.bigram_buckets,), initializer="zeros", regularizer=regularizer,
                                      name="bigram")

    def bigram_ids(self, tokens):
        """int ``(batch, T - 1)``: the bucket of each pair of neighbouring tokens."""
        tokens = ops.cast(tokens, "int64")
        return ops.mod(tokens[:, :-1] * HASH_MULTIPLIER + tokens[:, 1:], self.bigram_buckets)

    def call(self, tokens, keep=None):
        present = ops.cast(ops.not_equal(tokens, 0), self.compute_dtype)
        if keep is not None:
            present = present * ops.cast(keep, self.compute_dtype)
        pairs = present[:, :-1] * present[:, 1:]
        total = ops.sum(ops.take(self.unigram, ops.cast(tokens, "int32")) * present, axis=1)
        total = total + ops.sum(ops.take(self.bigram, self.bigram_ids(tokens)) * pairs, axis=1)
        count = ops.sum(present, axis=1) + ops.sum(pairs, axis=1)
        return ops.expand_dims(self.scale * total / ops.sqrt(ops.maximum(count, 1.0)), -1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1)

    def get_config(self):
        return {**super().get_config(), "vocabulary_size": self.vocabulary_size,
                "bigram_buckets": self.bigram_buckets, "l2": self.l2, "scale": self.scale}


def naive_bayes_init(layer, token_ids, labels, alpha=1.0):
    """Sets ``layer``'s weights to naive Bayes log-count ratios of the n-grams of labelled texts.

    Args:
        layer: a built :class:`NgramLogit`.
        token_ids: int ``(n, T)`` token ids of the training texts (0 padding), e.g. a ``Featurizer``'s ``tokens``.
        labels: ``(n,)`` in [0, 1]; texts labelled above 0.5 count as positive, below 0.5 as negative, 0.5 not at all.
        alpha: smoothing count added to every n-gram of both classes. Defaults to 1.

    Each ratio ``r`` is divided by ``scale`` and multiplied by the square root of the median n-gram count per
    text, so that for a text of median length the layer's logit starts at naive Bayes' ``sum r`` over the
    text's n-grams (n-grams counted once per text in ``r``, at every occurrence in the logit).

    Returns:
        ``(unigram, bigram)`` float32 arrays: the weights set.
    """
    tokens = np.asarray(token_ids).astype("int64")
    labels = np.asarray(labels, dtype="float64")
    present = tokens != 0
    pairs = present[:, :-1] & present[:, 1:]
    bigrams = np.asarray(layer.bigram_ids(tokens)) if tokens.shape[1] > 1 else np.zeros((len(tokens), 0), "int64")
    weights = []
    for ids, keep, size in ((tokens, present, layer.vocabulary_size), (bigrams, pairs, layer.bigram_buckets)):
        counts = {}
        for side, rows in (("pos", labels > 0.5), ("neg", labels < 0.5)):
            row_index = np.repeat(np.arange(len(ids)), keep.shape[1])[(keep & rows[:, None]).ravel()]
            unique = np.unique(row_index * size + ids[keep & rows[:, None]])  # each n-gram once per text
            counts[side] = np.bincount(unique % size, minlength=size) + alpha
        weights.append(np.log(counts["pos"] / counts["pos"].sum()) - np.log(counts["neg"] / counts["neg"].sum()))
    typical = np.sqrt(max(1.0, float(np.median(present.sum(axis=1) + pairs.sum(axis=1)))))
    weights = [(w * typical / layer.scale).astype("float32") for w in weights]
    layer.set_weights(weights)
    return tuple(weights)
