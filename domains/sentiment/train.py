"""Training with checkpoints and resume, and loading a trained classifier back.

A run folder holds ``model.keras`` (the weights of the best epoch on the validation set, loaded with
``safe_mode=True``), ``vocabulary.json`` (the featurizer's tokens), ``card.json`` (data, command, seed, settings,
metrics per epoch) and, while training, ``backup/`` (Keras ``BackupAndRestore``: an interrupted run started
again with the same arguments resumes from its last finished epoch; the folder is removed at the end).
"""

import json
import math
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from domains.sentiment.model import Featurizer, SentimentClassifier, build_model
from domains.sentiment.negation import FEATURES
from shared.atomic import atomic_open, atomic_path, check_writable


def length_buckets(featurizer, texts, labels, batch_size=64, seed=0, repeat=False):
    """A ``tf.data`` pipeline of batches of texts of similar length, reshuffled on every pass.

    Each pass shuffles the texts, sorts them by length in chunks of 50 batches (so padding stays short) and
    shuffles the batch order. Elements are ``(features, labels)``: ``features`` from a :class:`Featurizer`
    (time dimension left unknown: it varies per batch), ``labels`` float32 ``(b,)``.
    """
    texts, labels = list(texts), np.asarray(labels, dtype="float32")
    lengths = np.array([len(text.split()) for text in texts])
    rng = np.random.default_rng(seed)

    def batches():
        order = rng.permutation(len(texts))
        chunk = 50 * batch_size
        groups = []
        for start in range(0, len(order), chunk):
            part = order[start : start + chunk]
            part = part[np.argsort(lengths[part], kind="stable")]
            groups.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
        for index in rng.permutation(len(groups)):
            rows = groups[index]
            yield featurizer([texts[i] for i in rows]), labels[rows]

    signature = (
        {"tokens": tf.TensorSpec((None, None), tf.int32), "negation": tf.TensorSpec((None, None, len(FEATURES)), tf.float32)},
        tf.TensorSpec((None,), tf.float32),
    )
    dataset = tf.data.Dataset.from_generator(batches, output_signature=signature)
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(math.ceil(len(texts) / batch_size)))
    return (dataset.repeat() if repeat else dataset).prefetch(2)


def train(train_data, validation_data, out, epochs=3, batch_size=64, seed=0, learning_rate=2e-3, max_tokens=20_000,
          model_options=None, card=None, force=False, steps_per_epoch=None, verbose=2, callbacks=()):
    """Trains a classifier and writes the run folder ``out``.

    Args:
        train_data, validation_data: DataFrames with ``text`` and binary ``label``.
        out: the run folder (created). An existing ``model.keras`` there is refused unless ``force``.
        epochs, batch_size, seed, learning_rate: training settings.
        max_tokens: vocabulary size (including padding and OOV), built from ``train_data``.
        model_options: keyword arguments of :func:`build_model`.
        card: extra entries for ``card.json`` (e.g. the data and the command).
        steps_per_epoch: batches per epoch (None: one pass over ``train_data``; else the data repeat).
        callbacks: extra Keras callbacks, run after the backup and checkpoint ones (e.g. early stopping).

    An interrupted call started again with the same ``out`` resumes after the last finished epoch (the
    returned history and the card then cover the epochs of the resumed call only).

    Returns:
        ``(SentimentClassifier, history dict)``.
    """
    out = Path(out)
    check_writable(out / "model.keras", force)
    keras.utils.set_random_seed(seed)
    featurizer = Featurizer.adapt(train_data["text"], max_tokens=max_tokens)
    model = build_model(len(featurizer.vocabulary) + 2, **(model_options or {}))
    model.compile(keras.optimizers.Adam(learning_rate), "binary_crossentropy", metrics=["accuracy"])
    batches = length_buckets(featurizer, train_data["text"], train_data["label"], batch_size, seed,
                             repeat=steps_per_epoch is not None)
    validation = length_buckets(featurizer, validation_data["text"], validation_data["label"], 256, seed)
    out.mkdir(parents=True, exist_ok=True)
    best = out / ".best.weights.h5"
    callbacks = [
        keras.callbacks.BackupAndRestore(str(out / "backup")),
        keras.callbacks.ModelCheckpoint(str(best), monitor="val_accuracy", mode="max", save_best_only=True,
                                        save_weights_only=True),
        *callbacks,
    ]
    history = model.fit(batches, validation_data=validation, epochs=epochs, callbacks=callbacks,
                        steps_per_epoch=steps_per_epoch, shuffle=False, verbose=verbose).history
    model.load_weights(str(best))
    best.unlink()
    with atomic_path(str(out / "model.keras"), force=force) as tmp:
        model.save(tmp)
    with atomic_open(str(out / "vocabulary.json"), force=force) as handle:
        json.dump(featurizer.vocabulary, handle, ensure_ascii=False)
    history = {key: [round(float(v), 5) for v in values] for key, values in history.items()}
    settings = {"epochs": epochs, "batch_size": batch_size, "seed": seed, "learning_rate": learning_rate,
                "max_tokens": max_tokens, "model_options": model_options or {}, "steps_per_epoch": steps_per_epoch,
                "n_train": int(len(train_data)), "n_validation": int(len(validation_data))}
    with atomic_open(str(out / "card.json"), force=force) as handle:
        json.dump({**(card or {}), "settings": settings, "history": history}, handle, indent=2)
    return SentimentClassifier(featurizer, model), history


def load_classifier(folder):
    """The :class:`SentimentClassifier` of a run folder written by :func:`train`."""
    folder = Path(folder)
    model = keras.saving.load_model(folder / "model.keras", safe_mode=True)
    vocabulary = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
    return SentimentClassifier(Featurizer(vocabulary), model)
