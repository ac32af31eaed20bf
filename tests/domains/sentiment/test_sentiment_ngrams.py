"""The wide part (NgramLogit): golden numbers, padding, the layer harness, the wide-and-deep model, and its
naive Bayes and logistic-regression starts."""

import keras
import numpy as np
import pandas as pd
import pytest

from domains.sentiment.model import Featurizer, SentimentClassifier, build_model
from domains.sentiment.ngrams import NgramLogit, logistic_init, naive_bayes_init, ngram_counts
from shared.cli import InputError
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


@pytest.mark.parametrize("buckets", [1, 8, 1000, 2**18, 1_000_003, 2**29])
def test_bigram_buckets_are_the_exact_big_integer_hash(buckets):
    # ids up to 2 ** 31 - 1 make a * 2654435761 far beyond 32 bits (and beyond int64 at the top): Python's
    # integers give the exact answer the layer's int32 arithmetic must match
    ids = np.concatenate([np.random.default_rng(buckets).integers(0, 2**31, (40, 5)),
                          [[2**31 - 1, 2**31 - 1, 0, 1, 2**30]]])
    expected = [[(int(a) * 2654435761 + int(c)) % buckets for a, c in zip(row[:-1], row[1:])] for row in ids]
    got = NgramLogit(4, bigram_buckets=buckets).bigram_ids(ids)
    assert keras.backend.standardize_dtype(got.dtype) == "int32"
    assert np.asarray(got).tolist() == expected


@pytest.mark.parametrize("buckets", [0, 2**29 + 1])
def test_bigram_buckets_out_of_range_are_refused(buckets):
    with pytest.raises(ValueError, match=f"bigram_buckets must be between 1 and {2**29}, got {buckets}"):
        NgramLogit(4, bigram_buckets=buckets)


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


def _reference_counts(tokens, vocabulary_size, buckets):
    """Dense n-gram counts written out loop by loop, independent of ``ngram_counts``."""
    counts = np.zeros((len(tokens), vocabulary_size + buckets))
    for row, text in enumerate(tokens):
        for token in text:
            counts[row, token] += token != 0
        for a, c in zip(text, text[1:]):                         # neighbours, both not padding
            if a and c:
                counts[row, vocabulary_size + (int(a) * 2654435761 + int(c)) % buckets] += 1
    return counts


@pytest.mark.parametrize("naive_bayes", [False, True])
def test_logistic_init_reproduces_the_regression(naive_bayes):
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    tokens = rng.integers(1, 12, size=(40, 6))
    tokens[rng.random(tokens.shape) < 0.3] = 0                      # padding, also inside texts
    labels = (tokens == 2).sum(axis=1) + rng.normal(0, 0.5, 40) > 0.5
    layer = NgramLogit(12, bigram_buckets=16, scale=3.0)
    layer.build((None, None))
    unigram, bigram, intercept = logistic_init(layer, tokens, labels, C=2.0, naive_bayes=naive_bayes)
    counts = _reference_counts(tokens, 12, 16)
    features = counts / np.sqrt(np.maximum(counts.sum(axis=1, keepdims=True), 1))
    ratios = np.ones(28)
    if naive_bayes:
        present = counts > 0
        for block in (slice(0, 12), slice(12, 28)):
            p, q = present[labels, block].sum(axis=0) + 1.0, present[~labels, block].sum(axis=0) + 1.0
            ratios[block] = np.log(p / p.sum()) - np.log(q / q.sum())
    regression = LogisticRegression(C=2.0, max_iter=5000).fit(features * ratios, labels)
    assert intercept == pytest.approx(regression.intercept_[0], abs=1e-4)
    unseen = rng.integers(0, 12, size=(5, 6))                      # texts outside the training set as well
    for texts in (tokens, unseen):
        reference = _reference_counts(texts, 12, 16)
        reference = reference / np.sqrt(np.maximum(reference.sum(axis=1, keepdims=True), 1))
        expected = regression.decision_function(reference * ratios) - regression.intercept_[0]
        assert np.asarray(layer(texts))[:, 0] == pytest.approx(expected, abs=1e-4)
    assert np.asarray(layer.unigram) == pytest.approx(unigram) and np.asarray(layer.bigram) == pytest.approx(bigram)


def test_ngram_counts_match_the_layer_logit():
    layer = _layer()
    tokens = np.array([[2, 3, 0], [2, 3, 4], [0, 0, 0]])
    counts = ngram_counts(layer, tokens)
    assert counts.toarray() == pytest.approx(_reference_counts(tokens, 6, 8))
    weights = np.concatenate([np.asarray(layer.unigram), np.asarray(layer.bigram)])
    expected = counts @ weights / np.sqrt(np.maximum(np.asarray(counts.sum(axis=1)).ravel(), 1))
    assert np.asarray(layer(tokens))[:, 0] == pytest.approx(expected, rel=1e-6)


def test_training_starts_the_wide_part_at_the_regression(tmp_path):
    from domains.sentiment.text import tokenized
    from domains.sentiment.train import train

    words = {"good": 1, "great": 1, "fun": 1, "bad": 0, "dull": 0, "awful": 0}
    data = pd.DataFrame([(f"a {w} film", y) for w, y in words.items()] * 3 + [("a good dull film", 1)],
                        columns=["text", "label"])
    options = {"embed_dim": 4, "units": 3, "attention_units": 3, "wide_l2": 1e-6, "wide_scale": 2.0}
    classifier, _ = train(data, data, tmp_path / "run", epochs=1, batch_size=8, learning_rate=0.0,  # weights stay put
                          model_options=options, wide_init="logistic", verbose=0)
    expected = NgramLogit(len(classifier.featurizer.vocabulary) + 2, scale=2.0)
    expected.build((None, None))
    token_ids = np.asarray(classifier.featurizer.vectorizer([tokenized(text) for text in data["text"]]))
    *weights, intercept = logistic_init(expected, token_ids, data["label"])
    wide = classifier.model.get_layer("wide_logit").get_weights()
    assert wide[0] == pytest.approx(weights[0], abs=1e-6) and wide[1] == pytest.approx(weights[1], abs=1e-6)
    assert classifier.model.get_layer("deep_logit").get_weights()[1] == pytest.approx([intercept], abs=1e-5)
    with pytest.raises(InputError, match="needs a wide part"):
        train(data, data, tmp_path / "deep", epochs=1, model_options={"embed_dim": 4, "units": 3}, wide_init="logistic")
