"""Three-way models (``build_model(three_way=True)``, ``train --three-way``): a softmax over negative, neutral and
positive whose P(positive) is p_pos + p_neu / 2."""

import keras
import numpy as np
import pandas as pd
import pytest

from domains.sentiment.evaluate import three_way
from domains.sentiment.model import Featurizer, build_model
from domains.sentiment.train import load_classifier, three_way_accuracy, three_way_loss, train
from shared.cli import InputError

TEXTS = ["not a good film", "good", "a film , not bad at all", "bad"]


def _classes_and_positive(model, features):
    """The softmax layer's output ``(n, 3)`` and the model's P(positive) ``(n,)``."""
    classes = keras.Model(model.inputs, model.get_layer("three_way").output)
    return (np.asarray(classes.predict(features, verbose=0)), np.asarray(model.predict(features, verbose=0))[:, 0])


def test_positive_is_the_expected_label_of_the_three_classes():
    keras.utils.set_random_seed(0)
    model = build_model(10, embed_dim=8, units=4, attention_units=4, three_way=True)
    classes, positive = _classes_and_positive(model, Featurizer(["good", "film", "not", "bad"])(TEXTS))
    assert classes.shape == (4, 3) and np.allclose(classes.sum(axis=1), 1, atol=1e-6)
    assert np.allclose(positive, classes[:, 2] + 0.5 * classes[:, 1], atol=1e-6)
    frozen = {v.path for layer in ("positive",) for v in model.get_layer(layer).weights}
    assert frozen and not frozen & {v.path for v in model.trainable_weights}


def test_the_wide_logit_moves_the_positive_vs_negative_log_odds_by_itself():
    keras.utils.set_random_seed(0)
    featurizer = Featurizer(["good", "film", "not", "bad"])
    features = featurizer(TEXTS)
    model = build_model(6, embed_dim=8, units=4, attention_units=4, wide_l2=1e-5, three_way=True)
    before, _ = _classes_and_positive(model, features)
    wide = model.get_layer("wide_logit")
    wide.set_weights([np.linspace(-2, 2, w.size).reshape(w.shape).astype("float32") for w in wide.get_weights()])
    after, _ = _classes_and_positive(model, features)
    w = np.asarray(wide(features["tokens"]))[:, 0]
    assert np.abs(w).max() > 0.5                                    # the wide part says something
    log_odds = np.log(after[:, 2] / after[:, 0]) - np.log(before[:, 2] / before[:, 0])
    assert np.allclose(log_odds, w, atol=1e-4)
    neutral_vs_polar = np.log(after[:, 1] ** 2 / (after[:, 0] * after[:, 2]))  # unchanged: w/2 up, w/2 down
    assert np.allclose(neutral_vs_polar, np.log(before[:, 1] ** 2 / (before[:, 0] * before[:, 2])), atol=1e-4)


def test_loss_and_accuracy_read_labels_0_half_1_as_the_three_classes():
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.6, 0.1, 0.3]], "float32")
    labels = np.array([0.0, 0.5, 1.0, 1.0], "float32")
    expected = -np.log([0.7, 0.8, 0.6, 0.3])
    assert np.allclose(np.asarray(three_way_loss(labels, probabilities)), expected, atol=1e-5)
    assert np.allclose(np.asarray(three_way_loss(labels[:, None], probabilities)), expected, atol=1e-5)
    # P(positive) 0.2, 0.5, 0.7, 0.35: right, wrong (0.5 is not above 0.5 and a 0.5 label is never right), right, wrong
    assert np.allclose(np.asarray(three_way_accuracy(labels, probabilities))[:, 0], [1, 0, 1, 0])


def test_a_neutral_spread_puts_that_much_target_on_each_polar_class_of_neutral_labels_only():
    probabilities = np.array([[0.1, 0.8, 0.1], [0.3, 0.6, 0.1], [0.7, 0.2, 0.1], [0.2, 0.2, 0.6]], "float32")
    labels = np.array([0.5, 0.5, 0.0, 1.0], "float32")
    target = np.array([[0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [1, 0, 0], [0, 0, 1]])
    expected = -(target * np.log(probabilities)).sum(axis=1)
    assert np.allclose(np.asarray(three_way_loss(labels, probabilities, neutral_spread=0.1)), expected, atol=1e-5)
    # the neutral rows' loss is least where p_pos = p_neg: (0.1, 0.8, 0.1) beats (0.3, 0.6, 0.1) only with a spread
    loss = np.asarray(three_way_loss(labels, probabilities, neutral_spread=0.1))
    assert loss[0] < loss[1]


@pytest.mark.slow
def test_tiny_three_way_model_flips_polar_words_keeps_neutral_ones_and_round_trips(tmp_path):
    polar = {"good": 1, "great": 1, "fun": 1, "bad": 0, "dull": 0, "awful": 0}
    neutral = ("blue", "long", "french")
    rows = ([(f"it is {w}", y) for w, y in polar.items()] + [(f"it is not {w}", 1 - y) for w, y in polar.items()]
            + [(f"it is {w}", 0.5) for w in neutral] + [(f"it is not {w}", 0.5) for w in neutral])
    data = pd.DataFrame(rows * 8, columns=["text", "label"])
    validation = data[data["label"] != 0.5].iloc[:12]
    classifier, _ = train(data, validation, tmp_path / "run", epochs=25, batch_size=16, seed=0, learning_rate=1e-2,
                          model_options={"embed_dim": 8, "units": 8, "attention_units": 8, "three_way": True},
                          verbose=0)
    texts = [text for text, _ in rows]
    labels = np.array([y for _, y in rows])
    p = classifier.predict_proba(texts)
    assert ((p > 0.5) == (labels == 1))[labels != 0.5].all()
    assert (three_way(p[labels == 0.5]) == "neu").all(), p[labels == 0.5]
    assert np.allclose(load_classifier(tmp_path / "run").predict_proba(texts), p, atol=1e-6)  # safe_mode load


def test_three_way_refuses_the_pair_consistency_loss_and_a_spread_needs_three_way(tmp_path):
    data = pd.DataFrame({"text": ["good", "not good"], "label": [1.0, 0.0], "pair": [0, 0]})
    with pytest.raises(InputError, match="pair_consistency: not available for a three-way model"):
        train(data, data, tmp_path / "run", epochs=1, pair_consistency=0.1, model_options={"three_way": True})
    with pytest.raises(InputError, match=r"neutral_spread 0.1: needs a three-way model and a value in \[0, 0.5\)"):
        train(data, data, tmp_path / "run", epochs=1, neutral_spread=0.1)
    with pytest.raises(InputError, match="neutral_spread 0.5: needs a three-way model"):
        train(data, data, tmp_path / "run", epochs=1, neutral_spread=0.5, model_options={"three_way": True})
