"""Claim 3: the GRU/LSTM pair, the sentence data split and the verdict."""

import numpy as np
import pandas as pd

from shared.experiments import gru_vs_lstm as gl


def test_gru_has_about_three_quarters_of_the_lstm_parameters():
    counts = {kind: gl.build_adding_model(kind, 10, 16).get_layer("recurrent").count_params() for kind in gl.MODELS}
    assert 0.72 <= counts["gated_gru"] / counts["gated_lstm"] <= 0.80


def test_sentence_split_is_fixed_per_seed_and_disjoint():
    sentences = gl.load_sentences()
    config = gl.Settings(test_size=60, max_length=12, vocabulary=300)
    x, y, x_test, y_test = gl.sentence_data(config, 80, 0, sentences)
    assert x.shape == (80, 12) and x_test.shape == (60, 12) and x.dtype == np.int32
    assert set(np.unique(y)) <= {0.0, 1.0}
    _, _, _, y_test_again = gl.sentence_data(config, 40, 0, sentences)
    np.testing.assert_array_equal(y_test, y_test_again)  # the test set does not depend on the training size
    order = np.random.default_rng([0, 3]).permutation(len(sentences))
    assert not set(order[:60]) & set(order[60:140])


def _runs(gru_scores, lstm_scores, dataset="sentiment"):
    rows = []
    for size, gru, lstm in zip((100, 200, 400), gru_scores, lstm_scores):
        rows += [{"dataset": dataset, "size": size, "model": "gated_gru", "seed": 0, "score": gru,
                  "recurrent_params": 75},
                 {"dataset": dataset, "size": size, "model": "gated_lstm", "seed": 0, "score": lstm,
                  "recurrent_params": 100}]
    return pd.DataFrame(rows)


def test_verdict_respects_the_score_direction():
    assert gl.verdict(_runs((0.7, 0.72, 0.8), (0.6, 0.75, 0.7)))[0]
    assert not gl.verdict(_runs((0.5, 0.72, 0.8), (0.6, 0.75, 0.7)))[0]  # worse at the smallest size
    assert not gl.verdict(_runs((0.7, 0.72, 0.8), (0.6, 0.75, 0.7), dataset="adding"))[0]  # MSE: lower wins


def test_different_seeds_train_disjoint_runs_within_keras_seed_range(monkeypatch):
    def record(kind, dataset, size, config, seed, sentences=None):
        return {"dataset": dataset, "size": size, "model": kind, "seed": seed}

    monkeypatch.setattr(gl, "train_and_score", record)  # only the seeds measure() hands out are checked here
    config = gl.Settings(sizes=(("adding", (100,)),), seeds=3)
    seeds = {seed: set(gl.measure(config, seed)["seed"]) for seed in (0, 1, 2**32 - 1)}
    assert seeds[0] == {0, 1, 2} and len(seeds[1]) == 3 and not seeds[0] & seeds[1]
    assert all(0 <= s < 2**32 for s in seeds[2**32 - 1])
