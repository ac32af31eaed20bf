"""Word dropout in training batches: uniform (``length_buckets(word_dropout=p)``) and by frequency
(``train.rare_word_dropout``), and the run's card recording it."""

import json

import numpy as np
import pandas as pd
import pytest

from domains.sentiment.model import Featurizer
from domains.sentiment.train import length_buckets, rare_word_dropout, train
from shared.cli import InputError


def test_rare_word_dropout_known_answers():
    texts = ["a good film", "a bad film", "a film", "zany"]       # counts: a 3, film 3, good 1, bad 1, zany 1
    featurizer = Featurizer(["a", "film", "good", "bad", "zany", "unseen"])
    drop = rare_word_dropout(featurizer, texts, 1.0)
    np.testing.assert_allclose(drop, [0, 0, 1 / 4, 1 / 4, 1 / 2, 1 / 2, 1 / 2, 1.0])   # padding, OOV first
    either = rare_word_dropout(featurizer, texts, 3.0, word_dropout=0.2)
    np.testing.assert_allclose(either[2:], 0.2 + 0.8 * 3 / (3 + np.array([3, 3, 1, 1, 1, 0])))
    assert not either[:2].any()
    np.testing.assert_array_equal(rare_word_dropout(featurizer, texts, 0.0), np.zeros(8))
    with pytest.raises(InputError, match="rare_word_dropout -1: needs alpha >= 0"):
        rare_word_dropout(featurizer, texts, -1)


def test_per_id_dropout_replaces_each_id_at_its_own_rate_and_never_padding():
    featurizer = Featurizer(["common", "rare", "not"])               # ids 2, 3, 4
    texts = ["common rare common", "not rare", "common common"] * 400
    drop = np.array([0.0, 0.0, 0.0, 0.5, 0.0])                       # only 'rare' is ever dropped
    features, _ = next(iter(length_buckets(featurizer, texts, np.zeros(len(texts)), batch_size=len(texts),
                                           seed=3, word_dropout=drop)))
    tokens = np.asarray(features["tokens"])
    clean_features = featurizer(texts)
    clean = np.asarray(clean_features["tokens"])
    # the batch holds the same texts reordered: compare the counts of each id over the whole batch
    assert (tokens == 0).sum() == (clean == 0).sum()                 # padding stays padding
    assert (tokens == 2).sum() == (clean == 2).sum() == 1600         # probability 0: never dropped
    n_rare = (clean == 3).sum()
    assert n_rare == 800 and (tokens == 3).sum() + (tokens == 1).sum() == n_rare
    assert abs((tokens == 1).sum() - 400) < 5 * np.sqrt(800 * 0.25)  # about half, within 5 sd
    # a dropped token keeps its negation features ('not' opens a scope over 'rare')
    assert np.asarray(features["negation"]).sum() == np.asarray(clean_features["negation"]).sum() > 0


def test_a_per_id_dropout_of_another_length_is_refused():
    featurizer = Featurizer(["good", "bad"])
    with pytest.raises(InputError, match=r"word_dropout: 3 probabilities, expected one per id \(4\)"):
        length_buckets(featurizer, ["good"], [1.0], word_dropout=np.zeros(3))


def test_train_records_the_rare_word_dropout_in_its_card(tmp_path):
    data = pd.DataFrame({"text": ["good film", "bad film", "not good", "not bad"] * 8,
                         "label": [1.0, 0.0, 0.0, 1.0] * 8})
    train(data, data.iloc[:4], tmp_path / "run", epochs=1, batch_size=8, verbose=0, rare_word_dropout_alpha=0.5,
          model_options={"embed_dim": 4, "units": 4})
    settings = json.loads((tmp_path / "run" / "card.json").read_text())["settings"]
    assert settings["rare_word_dropout_alpha"] == 0.5 and settings["word_dropout"] == 0.0
