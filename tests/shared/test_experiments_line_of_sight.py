"""Claim 4: the three recall models and the verdict."""

import pandas as pd

from shared.experiments import attention_line_of_sight as los


def test_models_map_sequences_to_class_probabilities():
    for kind in los.MODELS:
        model = los.build_model(kind, 7, 4, 0.01)
        assert tuple(model.output_shape) == (None, 8)


def test_bidirectional_model_recalls_a_short_sequence_far_above_chance():
    config = los.Settings(units=8, steps=40, test_size=200)
    result = los.train_and_score("bidirectional", 4, config, seed=0)
    assert result["accuracy"] > 0.5 > result["chance"]


def _runs(lstm_long, others_long):
    rows = []
    for T, lstm, others in ((10, 0.99, 1.0), (200, lstm_long, others_long)):
        rows += [{"T": T, "model": "gated_lstm", "accuracy": lstm}]
        rows += [{"T": T, "model": kind, "accuracy": others} for kind in ("bidirectional", "attention")]
    return pd.DataFrame(rows)


def test_verdict_reads_the_criterion():
    assert los.verdict(_runs(0.2, 0.97))[0]
    assert not los.verdict(_runs(0.2, 0.85))[0]  # attention / bidirectional below 0.9
    assert not los.verdict(_runs(0.9, 0.97))[0]  # unidirectional did not fall behind by 0.2


def test_different_seeds_train_disjoint_runs_within_keras_seed_range(monkeypatch):
    def record(kind, T, config, seed):
        return {"T": T, "model": kind, "seed": seed, "accuracy": 1.0}

    monkeypatch.setattr(los, "train_and_score", record)  # only the seeds measure() hands out are checked here
    config = los.Settings(Ts=(5,), seeds=2)
    seeds = {seed: set(los.measure(config, seed)["seed"]) for seed in (0, 1, 2**32 - 1)}
    assert seeds[0] == {0, 1} and len(seeds[1]) == 2 and not seeds[0] & seeds[1]
    assert all(0 <= s < 2**32 for s in seeds[2**32 - 1])
