"""VADER prior-polarity features: values against the lexicon file, the negation flip, and a tiny model that
uses them to read words it was never trained on."""

import json

import keras
import numpy as np
import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from domains.sentiment.lexicon import lexicon_features, vader_valence
from domains.sentiment.model import Featurizer, SentimentClassifier, build_model
from domains.sentiment.negation import mark
from domains.sentiment.train import load_classifier, run_files


def test_valence_is_the_vader_rating_over_four():
    ratings = SentimentIntensityAnalyzer().lexicon
    valence = vader_valence()
    for word in ("good", "disaster", "masterpiece", "dull"):
        assert valence[word] == pytest.approx(ratings[word] / 4)
    assert all(-1 <= v <= 1 for v in valence.values())
    assert "can't stand" in ratings and "can't stand" not in valence       # multi-word entries never match a token


@pytest.mark.parametrize("text, expected", [
    ("a good film", [[0, 0], [1.9, 1.9], [0, 0]]),
    ("not a good film", [[0, 0], [0, 0], [1.9, -1.9], [0, 0]]),                    # the flip in the scope
    ("no good", [[0, 0], [1.9, -1.9]]),                                            # the cue "no" (VADER -1.2) is 0
    ("not without merit", [[0, 0], [0, 0], [1.8, 1.8]]),                           # double negation: sign kept
    ("a dull film", [[0, 0], [-1.7, -1.7], [0, 0]]),
    ("it was not good , it was bad", [[0, 0]] * 3 + [[1.9, -1.9], [0, 0]] + [[0, 0]] * 2 + [[-2.5, -2.5]]),
])
def test_features_flip_the_valence_inside_an_odd_number_of_scopes(text, expected):
    assert lexicon_features(mark(text)) == pytest.approx(np.array(expected) / 4)


def test_featurizer_adds_lexicon_features_only_when_asked():
    texts = ["not good", "wonderful 😀", ""]
    plain, with_lexicon = Featurizer(["good"])(texts), Featurizer(["good"], lexicon=True)(texts)
    assert set(plain) == {"tokens", "negation"} and set(with_lexicon) == {"tokens", "negation", "lexicon"}
    assert with_lexicon["lexicon"].shape == (3, 2, 2)
    assert with_lexicon["lexicon"][1, 0, 0] == pytest.approx(vader_valence()["wonderful"])
    assert not with_lexicon["lexicon"][1, 1].any() and not with_lexicon["lexicon"][2].any()


def test_tiny_model_reads_unseen_words_through_the_lexicon_and_round_trips(tmp_path):
    """Trained on six words, it labels six others (out of vocabulary: only their VADER valence reaches the
    model), plain and negated."""
    seen = {"good": 1, "great": 1, "fun": 1, "bad": 0, "dull": 0, "awful": 0}
    unseen = {"wonderful": 1, "brilliant": 1, "charming": 1, "terrible": 0, "boring": 0, "horrible": 0}

    def sentences(words):
        return [(f"it is {w}", y) for w, y in words.items()] + [(f"it is not {w}", 1 - y) for w, y in words.items()]

    data = pd.DataFrame(sentences(seen) * 8, columns=["text", "label"])
    keras.utils.set_random_seed(0)
    featurizer = Featurizer.adapt(data["text"], lexicon=True)
    model = build_model(len(featurizer.vocabulary) + 2, embed_dim=8, units=8, attention_units=8, use_lexicon=True)
    model.compile(keras.optimizers.Adam(2e-2), "binary_crossentropy")
    model.fit(featurizer(data["text"]), data["label"].to_numpy("float32"), epochs=30, batch_size=16, verbose=0)
    classifier = SentimentClassifier(featurizer, model)
    texts, labels = zip(*sentences(unseen))
    assert all(text.split()[-1] not in featurizer.vocabulary for text in texts)
    assert ((classifier.predict_proba(texts) > 0.5) == np.array(labels, dtype=bool)).all()
    files = run_files(tmp_path / "run")                   # the layout train() writes, read back by load_classifier
    files["model"].parent.mkdir()
    model.save(files["model"])
    files["vocabulary"].write_text(json.dumps(featurizer.vocabulary))
    reloaded = load_classifier(tmp_path / "run")
    assert reloaded.featurizer.lexicon
    assert np.allclose(reloaded.predict_proba(texts), classifier.predict_proba(texts), atol=1e-6)
