"""Minimal pairs kept together in training batches, and the pair-consistency loss (``train.pair_consistency``)."""

import json

import keras
import numpy as np
import pandas as pd
import pytest

from domains.sentiment.model import Featurizer
from domains.sentiment.train import length_buckets, pair_consistency_loss, train
from shared.cli import InputError


def _pass(dataset):
    """One pass of a ``length_buckets`` dataset as ``[(token ids, labels), ...]`` numpy arrays."""
    return [(np.asarray(features["tokens"]), np.asarray(labels)) for features, labels in dataset]


def test_a_pair_travels_as_one_unit_on_two_adjacent_rows():
    rng = np.random.default_rng(0)
    n_single, n_pair = 60, 20
    n = n_single + 2 * n_pair
    pairs = np.r_[np.full(n_single, -1), np.repeat(np.arange(n_pair), 2)]
    labels = np.r_[rng.integers(0, 2, n_single), np.tile([1.0, 0.0], n_pair // 2), np.full(n_pair, 0.5)]
    order = rng.permutation(n)                                       # pairs scattered, as after a shuffle
    pairs, labels = pairs[order], labels[order]
    # text i starts with its own word w<i>, so a batch's first token column names its texts
    texts = [f"w{i} " + " ".join(["x"] * int(rng.integers(0, 12))) for i in range(n)]
    featurizer = Featurizer([f"w{i}" for i in range(n)] + ["x"])
    dataset = length_buckets(featurizer, texts, labels, batch_size=16, seed=1, pairs=pairs)
    batches = _pass(dataset)
    assert len(batches) == len(_pass(dataset)) == 7                 # ceil(100 / 16), on every pass
    seen = np.concatenate([tokens[:, 0] - 2 for tokens, _ in batches])  # ids 0, 1: padding, OOV
    assert sorted(seen.tolist()) == list(range(n))                 # every text once per pass
    for tokens, batch_labels in batches:
        assert batch_labels.shape == (len(tokens), 2) and abs(len(tokens) - n / 7) <= 2
        rows = tokens[:, 0] - 2
        in_pair = pairs[rows] >= 0
        k = int(in_pair.sum())
        assert in_pair[:k].all() and k % 2 == 0                     # pairs first, whole
        assert (pairs[rows[:k:2]] == pairs[rows[1:k:2]]).all()      # a pair on rows 2j, 2j + 1
        flips = labels[rows[:k:2]] != labels[rows[1:k:2]]
        assert (batch_labels[:k:2, 1] == np.where(flips, 1.0, -1.0)).all()
        assert not batch_labels[1:k:2, 1].any() and not batch_labels[k:, 1].any()
        assert (batch_labels[:, 0] == labels[rows]).all()


def test_without_pairs_the_labels_stay_one_column_and_a_bad_pair_is_refused():
    featurizer = Featurizer(["good", "not"])
    (tokens, labels), = _pass(length_buckets(featurizer, ["good", "not good"], [1, 0], batch_size=4))
    assert labels.shape == (2,)
    with pytest.raises(InputError, match="pair 0 has 3 texts, expected 2"):
        length_buckets(featurizer, ["good", "not good", "good"], [1, 0, 1], pairs=[0, 0, 0])
    with pytest.raises(InputError, match="batches of at least 4 texts"):
        length_buckets(featurizer, ["good", "not good"], [1, 0], batch_size=2, pairs=[0, 0])


def test_pair_consistency_loss_known_answers():
    z = np.array([2.0, -1.0, 0.5, -0.5, 3.0, 1.0])
    y_true = np.array([[1, 1], [0, 0],          # a flip pair: + 0.3 * (2 - 1)^2
                       [0.5, -1], [0.5, 0],     # a neutral pair: + 0.3 * (0.5 + 0.5)^2
                       [1, 0], [1, 1]],         # a single; the last row opens no pair
                      dtype="float32")
    p = 1 / (1 + np.exp(-z))
    cross_entropy = -(y_true[:, 0] * np.log(p) + (1 - y_true[:, 0]) * np.log(1 - p))
    loss = np.asarray(pair_consistency_loss(0.3)(keras.ops.convert_to_tensor(y_true),
                                                 keras.ops.convert_to_tensor(p[:, None].astype("float32"))))
    assert loss == pytest.approx(cross_entropy + 0.3 * np.array([1, 0, 1, 0, 0, 0]), abs=1e-5)


@pytest.mark.slow
def test_the_consistency_term_turns_a_negation_offset_into_a_sign_flip(tmp_path):
    # singles teach that "not" goes with negative texts; the pairs are symmetric. Trained on the cross-entropy
    # alone the model reads "not" as a negative offset, so a negated neutral word drops below its plain twin
    words = {"good": 1.0, "great": 1.0, "bad": 0.0, "dull": 0.0, "plain": 0.5, "blue": 0.5}
    singles = [("not what i hoped", 0.0), ("not worth it", 0.0), ("it is fine", 1.0), ("what i hoped", 1.0)] * 6
    rows, pair = [], []
    for copy in range(4):
        for number, (word, label) in enumerate(words.items()):
            rows += [(f"it is {word}", label), (f"it is not {word}", label if label == 0.5 else 1 - label)]
            pair += [copy * len(words) + number] * 2
    data = pd.DataFrame(rows + singles, columns=["text", "label"])
    data["pair"] = pair + [-1] * len(singles)
    settings = dict(epochs=30, batch_size=16, seed=0, learning_rate=1e-2, verbose=0,
                    model_options={"embed_dim": 8, "units": 8, "attention_units": 8})
    offsets = {}
    for strength in (0.0, 1.0):
        classifier, _ = train(data, data[data["label"] != 0.5], tmp_path / str(strength),
                              pair_consistency=strength, **settings)
        p = classifier.predict_proba(["it is plain", "it is not plain", "it is blue", "it is not blue"])
        z = np.log(p / (1 - p))
        offsets[strength] = float(np.mean(np.abs(z[0::2] - z[1::2])))
    card = json.loads((tmp_path / "1.0" / "card.json").read_text())
    assert card["settings"]["pair_consistency"] == 1.0
    assert offsets[1.0] < 0.25 * offsets[0.0], offsets             # measured 0.05 against 0.94


def test_train_refuses_a_consistency_strength_without_pairs(tmp_path):
    data = pd.DataFrame({"text": ["good", "not good"], "label": [1, 0]})
    with pytest.raises(InputError, match="'pair' column"):
        train(data, data, tmp_path / "run", pair_consistency=1.0)
    with pytest.raises(InputError, match="strength >= 0"):
        train(data.assign(pair=[0, 0]), data, tmp_path / "run", pair_consistency=-1.0)
