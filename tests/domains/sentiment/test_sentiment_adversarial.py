"""Adversarial training on the token embeddings (``domains.sentiment.adversarial``, ``train --adversarial``)."""

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from domains.sentiment.adversarial import AdversarialTraining, adversarial_perturbation
from domains.sentiment.model import Featurizer, build_model
from domains.sentiment.train import train
from shared.cli import InputError

TEXTS = ["not a good film", "good", "a film , not bad at all", "bad"]
LABELS = np.array([0.0, 1.0, 1.0, 0.0], "float32")


def test_the_perturbation_has_radius_epsilon_per_text_and_none_where_the_gradient_is_zero():
    gradient = np.random.default_rng(0).normal(size=(3, 5, 4)).astype("float32")
    gradient[2] = 0.0
    r = np.asarray(adversarial_perturbation(tf.constant(gradient), 0.3))
    assert np.allclose(np.linalg.norm(r[:2].reshape(2, -1), axis=1), 0.3, atol=1e-6)
    assert np.allclose(r[:2] / np.linalg.norm(r[:2].reshape(2, -1), axis=1)[:, None, None],
                       gradient[:2] / np.linalg.norm(gradient[:2].reshape(2, -1), axis=1)[:, None, None], atol=1e-6)
    assert not r[2].any()


def test_the_perturbation_raises_the_loss_and_a_zero_one_changes_nothing():
    keras.utils.set_random_seed(0)
    features = Featurizer(["good", "film", "not", "bad"])(TEXTS)
    model = build_model(6, embed_dim=8, units=4, attention_units=4, perturbation=True)
    trainer = AdversarialTraining(model, 0.5)
    trainer.compile("adam", "binary_crossentropy")
    plain = build_model(6, embed_dim=8, units=4, attention_units=4)
    plain.set_weights(model.get_weights())
    assert np.allclose(trainer.predict(features, verbose=0), plain.predict(features, verbose=0), atol=1e-6)
    features = {name: tf.constant(value) for name, value in features.items()}
    zero = trainer.zero_perturbation(features)
    with tf.GradientTape() as tape:
        tape.watch(zero)
        loss = keras.losses.binary_crossentropy(LABELS[:, None], model({**features, "perturbation": zero}))
        loss = tf.reduce_mean(loss)
    r = adversarial_perturbation(tape.gradient(loss, zero), 0.5)
    moved = tf.reduce_mean(keras.losses.binary_crossentropy(LABELS[:, None], model({**features, "perturbation": r})))
    assert float(moved) > float(loss)
    padded = np.asarray(features["tokens"]) == 0
    assert padded.any() and not np.asarray(r)[padded].any()          # padding is not moved


def test_a_negative_radius_is_refused(tmp_path):
    data = pd.DataFrame({"text": ["good", "not good"], "label": [1.0, 0.0]})
    with pytest.raises(InputError, match="adversarial -0.1: needs a radius >= 0"):
        train(data, data, tmp_path / "run", epochs=1, adversarial=-0.1)
    with pytest.raises(ValueError, match="epsilon 0"):
        AdversarialTraining(build_model(4, perturbation=True), 0)
