"""The negation-aware classifier: tokens + negation-scope features -> BiGatedLSTM -> attention -> P(positive).

Architecture (:func:`build_model`)::

    tokens (batch, T) int  -> Embedding(vocab, embed_dim, mask_zero) ------------------+
    negation (batch, T, 3) float (cue, in scope, odd depth) -> Dense(embed_dim, no bias) -+-> Add "with_negation"
    lexicon (batch, T, 2) float (valence, negated valence; optional) -> Dense(embed_dim, no bias) -+
        -> Bidirectional(GatedLSTM(units, forget_bias=1, return_sequences)) "bilstm"
        -> AttentionPooling(attention_units) "attention" -> Dropout -> Dense(1, sigmoid)

or, with ``wide_l2`` set (wide and deep), ``sigmoid(Dense(1) of the attention output + NgramLogit(tokens))``:
a linear model over the text's uni- and bigrams (:mod:`domains.sentiment.ngrams`) beside the recurrent one,
with ``wide_outside_scope`` reading only the tokens outside every negation scope.

With ``three_way``, the head is a softmax over negative, neutral and positive (layer ``three_way``, trained on
labels 0, 0.5, 1 as classes by ``domains.sentiment.train``), the wide logit w moving the class logits by
(-w/2, 0, +w/2), and the output stays P(positive), read as the expected label p_pos + p_neu / 2, so a
confidently neutral text lands in the middle whatever the balance of its polar classes. The shipped model is
three-way, its neutral texts' target (0.1, 0.8, 0.1) (``train --neutral-spread 0.1``) so that they also teach
p_pos = p_neg. Chosen on validation only, six seeds against the two-way recipe's six: held-out neutral template
sentences in the neutral band 0.619 against 0.507, SST-2 dev 0.856 against 0.852, dev negation gap 4.70 against
4.61 points, held-out polar pairs both right 0.778 against 0.781 (with a one-hot neutral target: band 0.661 and
gap 4.17, but pairs 0.744, the negated negative words read as negative; ``selection`` in
``domains/sentiment/weights/sst_negation.json``).

The shipped model was also trained adversarially (``train --adversarial 0.2``, :mod:`domains.sentiment.adversarial`:
each step adds the loss at the embedding perturbation of radius 0.2 per text that raises the loss most; the
training model has the extra input ``perturbation``, the saved one does not). Chosen on validation only, on
fresh seeds 6-11 by a rule written after seeds 0-5 had shown the trade: held-out polar pairs both right 0.809
against 0.761, neutral band 0.564 against 0.537, dev negation gap 4.01 against 4.77 points, SST-2 dev 0.848
against 0.850 (twelve seeds: 0.816 / 0.774, 0.603 / 0.572, 4.19 / 4.84, 0.850 / 0.854).

Texts reach it through :class:`Featurizer`: :func:`domains.sentiment.text.tokenize` (so the negation marks of
:mod:`domains.sentiment.negation` line up with the tokens), a Keras ``TextVectorization`` over the tokens
joined by spaces (``standardize=None``, whitespace split: one id per token, 1 for out-of-vocabulary), and the
per-token negation features padded with zeros to the batch's longest text; with ``lexicon=True`` also the
per-token VADER prior polarity of :mod:`domains.sentiment.lexicon` (a model built with ``use_lexicon=True``
needs it, one without ignores it).

The negation (and lexicon) features enter as a learned vector added to each token's embedding. The padding mask
(``tokens != 0``) is given to the recurrent and attention layers explicitly, since Keras merge layers drop
(``Add``) or widen (``Concatenate``) a mask when one input has none.
"""

import keras
import numpy as np

from domains.sentiment.lexicon import FEATURES as LEXICON_FEATURES
from domains.sentiment.lexicon import lexicon_features
from domains.sentiment.negation import FEATURES, mark_tokens
from domains.sentiment.ngrams import NgramLogit
from domains.sentiment.text import check_texts, token_counts, tokenize
from shared.layers import AttentionPooling, GatedLSTM


class Featurizer:
    """Texts -> ``{"tokens": int32 (n, T), "negation": float32 (n, T, 3)}`` (and ``"lexicon": float32 (n, T, 2)``
    when ``lexicon``), T = longest text in the batch (>= 1).

    Args:
        vocabulary: the token list (ids 2..; 0 is padding, 1 out-of-vocabulary), e.g. from :meth:`adapt`.
        lexicon: also give the VADER prior-polarity features (:func:`domains.sentiment.lexicon.lexicon_features`).
    """

    def __init__(self, vocabulary=None, lexicon=False):
        self.lexicon = lexicon
        self.vectorizer = keras.layers.TextVectorization(standardize=None, split="whitespace", output_mode="int")
        if vocabulary is not None:
            self.vectorizer.set_vocabulary(list(vocabulary))

    @classmethod
    def adapt(cls, texts, max_tokens=20_000, min_count=1, lexicon=False):
        """A featurizer whose vocabulary is the ``max_tokens - 2`` most frequent tokens of ``texts`` seen at
        least ``min_count`` times (ties broken by first appearance); a ``ValueError`` when there is none."""
        counts = token_counts(texts)
        ranked = sorted((token for token, n in counts.items() if n >= min_count), key=lambda t: -counts[t])
        if not ranked:
            raise ValueError(f"no token seen at least {min_count} time(s) in the {len(texts)} training texts: "
                             "nothing to build a vocabulary from")
        return cls(ranked[: max_tokens - 2], lexicon=lexicon)

    @property
    def vocabulary(self):
        """The token list without the padding and OOV entries."""
        return [str(token) for token in self.vectorizer.get_vocabulary()[2:]]

    def __call__(self, texts):
        texts = check_texts(texts)
        token_lists = [tokenize(text) for text in texts]
        length = max([1, *map(len, token_lists)])
        ids = np.zeros((len(texts), length), dtype="int32")
        negation = np.zeros((len(texts), length, len(FEATURES)), dtype="float32")
        lexicon = np.zeros((len(texts), length, len(LEXICON_FEATURES)), dtype="float32")
        joined = [" ".join(tokens) for tokens in token_lists]
        vectors = np.asarray(self.vectorizer(joined)) if joined else np.zeros((0, 0), dtype="int32")
        for row, tokens in enumerate(token_lists):
            if tokens:
                ids[row, : len(tokens)] = vectors[row, : len(tokens)]
                marks = mark_tokens(tokens)
                negation[row, : len(tokens)] = marks.features()
                if self.lexicon:
                    lexicon[row, : len(tokens)] = lexicon_features(marks)
        features = {"tokens": ids, "negation": negation}
        if self.lexicon:
            features["lexicon"] = lexicon
        return features

    def signature(self):
        """The ``tf.TensorSpec`` of each feature, time dimension unknown (for ``tf.data`` pipelines)."""
        import tensorflow as tf

        spec = {"tokens": tf.TensorSpec((None, None), tf.int32),
                "negation": tf.TensorSpec((None, None, len(FEATURES)), tf.float32)}
        if self.lexicon:
            spec["lexicon"] = tf.TensorSpec((None, None, len(LEXICON_FEATURES)), tf.float32)
        return spec


def build_model(vocabulary_size, embed_dim=64, units=64, attention_units=32, dropout=0.3, use_negation=True,
                use_lexicon=False, wide_l2=None, wide_scale=1.0,
                wide_outside_scope=False, three_way=False, perturbation=False):
    """The Keras model (inputs ``tokens``, ``negation`` and, with ``use_lexicon``, ``lexicon``; output
    P(positive), shape ``(batch, 1)``).

    Args:
        vocabulary_size: number of ids, including padding 0 and OOV 1.
        embed_dim, units, attention_units: embedding size, GatedLSTM units per direction, attention size.
        dropout: dropout before the classifier.
        use_negation: add the projected negation features to the embeddings (False: the input is ignored,
            a plain BiLSTM for comparison).
        use_lexicon: add an input ``lexicon`` (VADER valence and negated valence per token, see
            :mod:`domains.sentiment.lexicon`), projected and added to the embeddings like the negation features.
        wide_l2: ``None`` (deep only) or the L2 penalty of a "wide" part: an :class:`NgramLogit` over the
            tokens' uni- and bigrams whose logit is added to the deep part's before the sigmoid (layers
            ``deep_logit`` + ``wide_logit`` -> ``logit`` -> ``positive``).
        wide_scale: the wide part's learning-rate multiplier (``NgramLogit``'s ``scale``).
        wide_outside_scope: the wide part skips the tokens inside a negation scope (the ``negation`` input's
            "in scope" feature), so "not bad" gives it only "not" and the recurrent part reads the negated words.
        three_way: a softmax head over negative, neutral, positive (layer ``three_way``, ``(batch, 3)``) whose
            expected label p_pos + p_neu / 2 is the output, through the frozen layer ``positive``
            (:data:`CLASS_VALUES`); a wide part adds its logit along :data:`POLARITY_DIRECTION`.
        perturbation: add an input ``perturbation`` (float, ``(batch, T, embed_dim)``) to the token embeddings,
            for adversarial training (:mod:`domains.sentiment.adversarial`); it adds no weights, so a model built
            without it takes the trained weights as they are.

    >>> model = build_model(100, embed_dim=8, units=4, attention_units=4)
    >>> features = Featurizer(["good", "film"])(["not a good film", "good"])
    >>> print(model.predict(features, verbose=0).shape)
    (2, 1)
    """
    tokens = keras.Input((None,), dtype="int32", name="tokens")
    negation = keras.Input((None, len(FEATURES)), dtype="float32", name="negation")
    inputs = {"tokens": tokens, "negation": negation}
    x = keras.layers.Embedding(vocabulary_size, embed_dim, mask_zero=True, name="embedding")(tokens)
    added = [keras.layers.Dense(embed_dim, use_bias=False, name="negation_embedding")(negation)] if use_negation else []
    if use_lexicon:
        inputs["lexicon"] = keras.Input((None, len(LEXICON_FEATURES)), dtype="float32", name="lexicon")
        added.append(keras.layers.Dense(embed_dim, use_bias=False, name="lexicon_embedding")(inputs["lexicon"]))
    if perturbation:
        inputs["perturbation"] = keras.Input((None, embed_dim), dtype="float32", name="perturbation")
        x = keras.layers.Add(name="perturbed")([x, inputs["perturbation"]])
    if added:
        x = keras.layers.Add(name="with_negation")([x, *added])
    mask = keras.ops.not_equal(tokens, 0)  # passed explicitly: Add drops a mask when one input has none
    x = keras.layers.Bidirectional(GatedLSTM(units, forget_bias=1.0, return_sequences=True), name="bilstm")(x, mask=mask)
    x = AttentionPooling(attention_units, name="attention")(x, mask=mask)
    x = keras.layers.Dropout(dropout)(x)
    if three_way:
        logits = keras.layers.Dense(3, name="deep_logit")(x)
        if wide_l2 is not None:
            keep = 1.0 - negation[..., FEATURES.index("in_scope")] if wide_outside_scope else None
            wide = NgramLogit(vocabulary_size, l2=wide_l2, scale=wide_scale, name="wide_logit")(tokens, keep=keep)
            wide = _fixed_dense(POLARITY_DIRECTION, "wide_polarity")(wide)
            logits = keras.layers.Add(name="logit")([logits, wide])
        classes = keras.layers.Softmax(name="three_way")(logits)
        output = _fixed_dense(CLASS_VALUES, "positive")(classes)
    elif wide_l2 is None:
        output = keras.layers.Dense(1, activation="sigmoid", name="positive")(x)
    else:
        deep = keras.layers.Dense(1, name="deep_logit")(x)
        keep = 1.0 - negation[..., FEATURES.index("in_scope")] if wide_outside_scope else None
        wide = NgramLogit(vocabulary_size, l2=wide_l2, scale=wide_scale, name="wide_logit")(tokens, keep=keep)
        output = keras.layers.Activation("sigmoid", name="positive")(keras.layers.Add(name="logit")([deep, wide]))
    return keras.Model(inputs, output, name="negation_sentiment")


#: three-way models: the classes' values (negative 0, neutral 0.5, positive 1), so P(positive) = p_pos + p_neu / 2
CLASS_VALUES = [[0.0], [0.5], [1.0]]
#: three-way models: the wide part's logit w moves the class logits by (-w/2, 0, +w/2), the positive-vs-negative
#: log-odds by w, as in a two-way model
POLARITY_DIRECTION = [[-0.5, 0.0, 0.5]]


def _fixed_dense(kernel, name):
    """A frozen linear map (no bias) with the given kernel."""
    return keras.layers.Dense(len(kernel[0]), use_bias=False, trainable=False, name=name,
                              kernel_initializer=keras.initializers.Constant(kernel))


class SentimentClassifier:
    """A featurizer and a model together: ``predict_proba(texts)`` like the baselines.

    Args:
        featurizer: a :class:`Featurizer`.
        model: a model from :func:`build_model` with ``featurizer``'s vocabulary size.
        batch_size: texts per forward pass (sorted by length within a call, so padding stays short). Each
            pass goes through ``model.predict_on_batch``, Keras' compiled predict function (about 7 times the
            throughput of an eager ``model(...)`` call).
    """

    def __init__(self, featurizer, model, batch_size=256):
        self.featurizer, self.model, self.batch_size = featurizer, model, batch_size

    def predict_proba(self, texts):
        """float32 ``(n,)``: P(positive) of each text (an iterable of strings, not one string), in input order.

        Raises:
            InputError: ``texts`` is one string or a DataFrame (pass its column, ``df["text"]``), or an element is
                not a string (:func:`domains.sentiment.text.check_texts`).
        """
        texts = check_texts(texts)
        order = np.argsort([len(text) for text in texts], kind="stable")
        result = np.zeros(len(texts), dtype="float32")
        for start in range(0, len(texts), self.batch_size):
            index = order[start : start + self.batch_size]
            features = self.featurizer([texts[i] for i in index])
            result[index] = np.asarray(self.model.predict_on_batch(features))[:, 0]
        return result
