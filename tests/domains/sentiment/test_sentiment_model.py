"""The BiGatedLSTM classifier: featurizer alignment, masking, a tiny model that learns negation, save/load."""

import json

import keras
import numpy as np
import pandas as pd
import pytest

from domains.sentiment.model import Featurizer, SentimentClassifier, build_model
from domains.sentiment.train import load_classifier, train
from shared.cli import InputError


def test_featurizer_aligns_ids_and_negation_features():
    featurizer = Featurizer(["good", "film", "not", "a"])
    features = featurizer(["not a good film", "zzz 😀", ""])
    assert features["tokens"].tolist() == [[4, 5, 2, 3], [1, 1, 0, 0], [0, 0, 0, 0]]
    assert features["negation"][0].tolist() == [[1, 0, 0], [0, 1, 1], [0, 1, 1], [0, 1, 1]]
    assert not features["negation"][1:].any()
    assert featurizer([])["tokens"].shape == (0, 1)


def test_padding_does_not_change_a_prediction():
    model = build_model(10, embed_dim=4, units=3, attention_units=3)
    classifier = SentimentClassifier(Featurizer(["good", "not"]), model)
    alone = classifier.predict_proba(["not good"])
    padded = classifier.predict_proba(["not good", "good good good not good good"])
    assert alone[0] == pytest.approx(padded[0], abs=1e-6)


@pytest.mark.slow
def test_tiny_model_learns_negation_and_round_trips(tmp_path):
    words = {"good": 1, "great": 1, "fun": 1, "bad": 0, "dull": 0, "awful": 0}
    rows = [(f"it is {w}", y) for w, y in words.items()] + [(f"it is not {w}", 1 - y) for w, y in words.items()]
    data = pd.DataFrame(rows * 8, columns=["text", "label"])
    classifier, history = train(data, data.iloc[:12], tmp_path / "run", epochs=25, batch_size=16, seed=0,
                                learning_rate=1e-2, model_options={"embed_dim": 8, "units": 8, "attention_units": 8},
                                verbose=0)
    texts = [text for text, _ in rows]
    predicted = classifier.predict_proba(texts) > 0.5
    assert (predicted == np.array([y for _, y in rows], dtype=bool)).all(), history
    assert not (tmp_path / "run" / "backup").exists()              # BackupAndRestore cleans up after success
    card = json.loads((tmp_path / "run" / "card.json").read_text())
    assert card["settings"]["seed"] == 0 and len(card["history"]["loss"]) == 25
    reloaded = load_classifier(tmp_path / "run")
    assert np.allclose(reloaded.predict_proba(texts), classifier.predict_proba(texts), atol=1e-6)
    with pytest.raises(InputError, match="already exists; pass --force"):
        train(data, data, tmp_path / "run", epochs=1)


class Interrupt(keras.callbacks.Callback):
    """Stops training with an exception at the end of epoch ``after`` (0-based), like a killed job."""

    def __init__(self, after):
        super().__init__()
        self.after = after

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.after:
            raise KeyboardInterrupt


@pytest.mark.slow
def test_interrupted_training_resumes_after_the_last_finished_epoch(tmp_path):
    words = {"good": 1, "great": 1, "bad": 0, "dull": 0}
    data = pd.DataFrame([(f"it is {w}", y) for w, y in words.items()] * 8, columns=["text", "label"])
    options = {"embed_dim": 4, "units": 4, "attention_units": 4}
    settings = dict(epochs=4, batch_size=8, seed=0, learning_rate=1e-2, model_options=options, verbose=0)
    with pytest.raises(KeyboardInterrupt):
        train(data, data, tmp_path / "run", callbacks=[Interrupt(after=1)], **settings)
    assert (tmp_path / "run" / "backup").is_dir() and not (tmp_path / "run" / "model.keras").exists()
    _, resumed = train(data, data, tmp_path / "run", **settings)
    assert len(resumed["loss"]) == 2                                   # epochs 3-4 only
    _, fresh = train(data, data, tmp_path / "fresh", **settings)
    assert resumed["loss"][0] < fresh["loss"][0]                       # it starts from the trained weights
    assert (tmp_path / "run" / "model.keras").exists() and not (tmp_path / "run" / "backup").exists()
