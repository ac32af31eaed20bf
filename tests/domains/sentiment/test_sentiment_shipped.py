"""The shipped weights (``domains/sentiment/weights/sst_negation.*``) load safely and give their card's figures."""

import hashlib
import json

import numpy as np
import pytest

from domains.sentiment.__main__ import SHIPPED
from domains.sentiment.data import load_sst, sst_split_path
from domains.sentiment.evaluate import accuracy_report, bundled_check
from domains.sentiment.train import load_classifier, run_files
from shared.data_paths import shared_data

CARD = json.loads(run_files(SHIPPED)["card"].read_text())


@pytest.fixture(scope="module")
def classifier():
    return load_classifier(SHIPPED)


def test_card_names_data_command_seed_and_settings():
    assert CARD["command"].startswith("python -m domains.sentiment train ") and f"--seed {CARD['settings']['seed']}" in CARD["command"]
    assert set(CARD["data_files_sha256"]) == {"train.txt.gz", "dev.txt.gz", "test.txt.gz"}
    assert all(len(digest) == 64 for digest in CARD["data_files_sha256"].values())
    for name in ("model", "vocabulary"):
        assert run_files(SHIPPED)[name].stat().st_size < 8_000_000


def test_shipped_weights_reproduce_the_cards_bundled_figures(classifier):
    """Against the scorecard (these weights with the current code; see the card's ``rescored``) and, as far as the
    negation marks changed since training left it, the training run's own figure (``reproduce``)."""
    check = bundled_check(classifier, CARD["reproduce"]["n"])
    expected = CARD["scorecard"]["bundled_check"]
    assert check["n"] == expected["n"] == CARD["reproduce"]["n"] == 500
    assert check["accuracy"] == pytest.approx(expected["accuracy"], abs=1 / 500)
    assert check["mean_probability"] == pytest.approx(expected["mean_probability"], abs=1e-4)
    assert check["accuracy"] == pytest.approx(CARD["reproduce"]["accuracy"], abs=1 / 500)
    assert check["mean_probability"] == pytest.approx(CARD["reproduce"]["mean_probability"], abs=1e-3)


@pytest.mark.skipif(shared_data("sentiment") is None, reason="needs the shared SST trees (../shared/data/sentiment)")
def test_shipped_weights_reproduce_the_cards_sst2_test_figures(classifier):
    path = sst_split_path(shared_data("sentiment") / "sst" / "trees", "test")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == CARD["data_files_sha256"][path.name]
    test = load_sst(path)
    report = accuracy_report(test["text"], test["label"], classifier.predict_proba(test["text"]))
    expected = CARD["scorecard"]["sst2_test"]
    assert report["n"] == expected["n"] == 1821
    assert report["accuracy"] == pytest.approx(expected["accuracy"], abs=2 / 1821)
    assert report["negation_gap"] == pytest.approx(expected["negation_gap"], abs=1.0)
    assert CARD["metrics"]["sst2_test"]["accuracy"] == pytest.approx(expected["accuracy"], abs=2 / 1821)


def test_texts_without_a_known_word_get_what_predict_help_says(classifier):
    """``predict --help`` (``UNKNOWN_TEXTS``) quotes these figures: no token, then 1-4, 8 and 15-200 unknown ones."""
    unknown = ["", " \t ", *(" ".join(["zzqx"] * n) for n in (1, 2, 3, 4, 8, 15, 50, 200))]
    p = np.round(classifier.predict_proba(unknown + ["😀 très"]).astype(float), 2)
    assert p[0] == p[1] == 0.51
    assert all(0.51 <= value <= 0.52 for value in p[2:5]) and p[5] == 0.5 and p[6] == 0.43
    assert classifier.predict_proba(unknown[5:6])[0] < 0.5                # four: labelled negative
    assert all(0.25 <= value <= 0.34 for value in p[7:10])
    assert 0.49 <= p[10] <= 0.53                                   # an emoji and a French word: two unknown tokens
