"""Minimal-pair augmentation: pairs differ by a negation, labels flip for polar words, held-out parts stay out."""

import pandas as pd
import pytest

from domains.sentiment.augment import FRAMES, HELD_OUT_FRAMES, generate, overlap_with, sst_lexicon, training_table
from domains.sentiment.negation import has_negation
from shared.data_paths import shared_data

SHARED = shared_data("sentiment")
needs_shared = pytest.mark.skipif(SHARED is None, reason="needs ../shared/data/sentiment (set GATED_SHARED_DATA)")
LEXICON = pd.DataFrame({
    "word": ["dull", "clever", "british", "mess", "gem", "experience", "awful", "lovely", "private", "flop", "joy", "idea"],
    "label5": [0, 4, 2, 0, 4, 2, 0, 4, 2, 1, 3, 2],
    "polarity": [0, 1, 0.5, 0, 1, 0.5, 0, 1, 0.5, 0, 1, 0.5],
    "kind": ["adj"] * 3 + ["noun"] * 3 + ["adj"] * 3 + ["noun"] * 3,
    "held_out": [False] * 6 + [True] * 6,
})


def test_pairs_differ_by_a_negation_and_flip_polar_labels():
    pairs = generate(LEXICON, 300, seed=0)
    assert len(pairs) == 600 and pairs["negated"].tolist() == [False, True] * 300
    plain, negated = pairs.iloc[::2].reset_index(drop=True), pairs.iloc[1::2].reset_index(drop=True)
    assert not has_negation(plain["text"]).any() and has_negation(negated["text"]).all()
    polar = plain["label"] != 0.5
    assert (negated["label"][polar] == 1 - plain["label"][polar]).all() and (negated["label"][~polar] == 0.5).all()
    assert set(pairs["frame"]) == set(FRAMES) - set(HELD_OUT_FRAMES)
    assert set(pairs["word"]) <= set(LEXICON["word"][~LEXICON["held_out"]])
    assert 0.15 < (pairs["label"] == 0.5).mean() < 0.35
    assert generate(LEXICON, 300, seed=0).equals(pairs)


def test_held_out_pairs_use_only_held_out_frames_and_words():
    held = generate(LEXICON, 200, seed=1, held_out=True)
    assert set(held["frame"]) == set(HELD_OUT_FRAMES) and set(held["word"]) <= {"awful", "lovely", "private", "flop", "joy", "idea"}
    assert overlap_with(held["text"], generate(LEXICON, 200, seed=1)["text"], n=5) < 0.2
    assert overlap_with(["a b c d"], ["x a b c d y"]) == 1.0 and overlap_with(["a b"], ["a b"]) == 0.0


@needs_shared
def test_sst_lexicon_and_training_table():
    train_trees = SHARED / "sst" / "trees" / "train.txt.gz"
    lexicon = sst_lexicon(train_trees)
    words = dict(zip(lexicon["word"], zip(lexicon["polarity"], lexicon["kind"])))
    assert words["boring"] == (0.0, "adj") and words["masterpiece"] == (1.0, "noun") and words["disaster"] == (0.0, "noun")
    assert lexicon["word"].str.fullmatch(r"[a-z]{3,}").all() and 0.15 < lexicon["held_out"].mean() < 0.25
    table = training_table(train_trees, pairs=100, neutral=500, seed=0)
    assert (table["label"] == 0.5).sum() >= 500 and set(table["label"]) == {0.0, 0.5, 1.0}
    assert len(table) == 77_616 + 500 + 200
    shares = [(training_table(train_trees, pairs=400, seed=0, pair_neutral_share=share)["label"] == 0.5).sum() / 800
              for share in (0.0, 0.5)]
    assert shares[0] == 0 and 0.4 < shares[1] < 0.6
