"""The wide part (NgramLogit): golden numbers, padding, the layer harness, and the wide-and-deep model."""

import keras
import numpy as np
import pytest

from domains.sentiment.model import Featurizer, SentimentClassifier, build_model
from domains.sentiment.ngrams import NgramLogit, naive_bayes_init
from shared.testing import check_layer


def _layer(vocabulary_size=6, buckets=8, scale=1.0):
    layer = NgramLogit(vocabulary_size, bigram_buckets=buckets, scale=scale)
    layer.build((None, None))
    layer.set_weights([np.arange(vocabulary_size, dtype="float32"), 10 * np.arange(buckets, dtype="float32")])
    return layer


def test_golden_logit():
    # 2654435761 = 1 (mod 8), so the bigram (2, 3) lands in bucket 2 * 1 + 3 = 5 and (3, 4) in 3 + 4 = 7;
    # unigrams 2 + 3 (+ 4), bigram weights 50 (+ 70); 3 (5) n-grams
    logits = np.asarray(_layer()(np.array([[2, 3, 0], [2, 3, 4]])))[:, 0]
    assert logits == pytest.approx([55 / np.sqrt(3), 129 / np.sqrt(5)], rel=1e-6)
    assert np.asarray(_layer(scale=3.0)(np.array([[2, 3, 0]])))[0, 0] == pytest.approx(3 * 55 / np.sqrt(3), rel=1e-6)


def test_padding_skipped_tokens_and_empty_texts():
    layer = _layer()
    padded = np.asarray(layer(np.array([[5, 1, 0, 0, 0], [0] * 5])))[:, 0]
    alone = np.asarray(layer(np.array([[5, 1]])))[0, 0]
    assert alone != 0 and padded[0] == pytest.approx(alone)
    assert padded[1] == 0
    skipped = np.asarray(layer(np.array([[5, 1, 2]]), keep=np.array([[1.0, 1.0, 0.0]])))[0, 0]
    assert skipped == pytest.approx(alone)                   # the skipped token and its bigram (1, 2) are gone


def test_naive_bayes_init_gives_log_count_ratios():
    layer = NgramLogit(6, bigram_buckets=8, scale=2.0)
    layer.build((None, None))
    tokens = np.array([[2, 3, 0], [2, 4, 0], [5, 3, 4], [5, 5, 0]])
    unigram, bigram = naive_bayes_init(layer, tokens, [1, 1, 0, 0.5])          # the 0.5 row is not counted
    # texts holding each id, + 1: positive [1, 1, 3, 2, 2, 1] (sum 10), negative [1, 1, 1, 2, 2, 2] (sum 9);
    # n-grams per text 3, 3, 5, 3: median 3, so r * sqrt(3) / scale
    expected = np.log(np.array([1, 1, 3, 2, 2, 1]) / 10) - np.log(np.array([1, 1, 1, 2, 2, 2]) / 9)
    assert unigram == pytest.approx(expected * np.sqrt(3) / 2, rel=1e-5)
    assert np.asarray(layer.unigram) == pytest.approx(unigram)
    # buckets (a + c) mod 8: positive (2, 3) -> 5, (2, 4) -> 6; negative (5, 3) -> 0, (3, 4) -> 7; both sums 8 + 2
    expected = np.log(2) * np.array([-1, 0, 0, 0, 0, 1, 1, -1])
    assert bigram == pytest.approx(expected * np.sqrt(3) / 2, abs=1e-6)


def test_layer_harness():
    tokens = np.random.default_rng(0).integers(0, 12, size=(6, 5))
    check_layer(NgramLogit, {"vocabulary_size": 12, "bigram_buckets": 32, "l2": 1e-4, "scale": 2.0}, tokens,
                expected_output_shape=(6, 1))


def test_wide_part_at_zero_leaves_the_deep_prediction():
    featurizer = Featurizer(["good", "not", "film"], lexicon=True)
    deep = build_model(5, embed_dim=4, units=3, attention_units=3, use_lexicon=True)
    both = build_model(5, embed_dim=4, units=3, attention_units=3, use_lexicon=True, wide_l2=1e-6)
    for layer in deep.layers:
        if layer.weights:
            both.get_layer("deep_logit" if layer.name == "positive" else layer.name).set_weights(layer.get_weights())
    texts = ["not good", "a good film", ""]
    expected = SentimentClassifier(featurizer, deep).predict_proba(texts)
    assert SentimentClassifier(featurizer, both).predict_proba(texts) == pytest.approx(expected, abs=1e-6)
    both.get_layer("wide_logit").set_weights([np.array([0, 0, 3, 0, 0], "float32"), np.zeros(2**18, "float32")])
    assert (SentimentClassifier(featurizer, both).predict_proba(texts)[:2] > expected[:2]).all()  # "good" pushed up
    assert keras.saving.get_registered_name(NgramLogit) == "shared>NgramLogit"


def test_wide_part_outside_scope_skips_negated_words():
    featurizer = Featurizer(["bad", "not", "film"])
    model = build_model(5, embed_dim=4, units=3, attention_units=3, wide_l2=1e-6, wide_outside_scope=True)
    model.get_layer("wide_logit").set_weights([np.array([0, 0, -9, 0, 0], "float32"), np.zeros(2**18, "float32")])
    wide = keras.Model(model.inputs, model.get_layer("wide_logit").output)
    logits = np.asarray(wide(featurizer(["bad film", "not bad film"])))[:, 0]
    assert logits[0] == pytest.approx(-9 / np.sqrt(3)) and logits[1] == 0   # "bad" is in the scope of "not"
