"""Minimal-pair augmentation: pairs differ by a negation, labels flip for polar words, held-out parts stay out."""

import numpy as np
import pandas as pd
import pytest

from domains.sentiment.augment import (DOUBLE_FRAMES, FRAMES, HELD_OUT_DOUBLE_FRAMES, HELD_OUT_FRAMES, VERBS,
                                      _third_person, generate, generate_double, negate_statement, negated_neutral,
                                      overlap_with, sst_lexicon, training_table)
from domains.sentiment.lexicon import vader_valence
from domains.sentiment.negation import has_negation, mark
from shared.cli import InputError
from shared.data_paths import shared_data

SHARED = shared_data("sentiment")
needs_shared = pytest.mark.skipif(SHARED is None, reason="needs ../shared/data/sentiment (set GATED_SHARED_DATA)")
WORDS = {  # kind -> (training words, held-out words), negative / positive / neutral
    "adj": (["dull", "clever", "british"], ["awful", "lovely", "private"]),
    "noun": (["mess", "gem", "experience"], ["flop", "joy", "idea"]),
    "verb": (["hate", "love", "watch"], ["loathe", "enjoy", "read"]),
    "verb_me": (["bore", "impress", "remind"], ["disappoint", "touch", "interest"]),
}
LEXICON = pd.DataFrame(
    [(word, {0: 0, 1: 4, 2: 2}[i], [0, 1, 0.5][i], kind, held)
     for held in (False, True) for kind, groups in WORDS.items() for i, word in enumerate(groups[held])],
    columns=["word", "label5", "polarity", "kind", "held_out"])
HELD_OUT_WORDS = {word for _, held in WORDS.values() for word in held}


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


@pytest.mark.parametrize("held_out", [False, True])
def test_labels_follow_the_scope_marker(held_out):
    """The generated labels agree with domains.sentiment.negation's reading of each sentence: a polar word keeps its
    polarity at an even negation depth (outside every scope) and is reversed at an odd one, so the scope features a
    model sees are consistent with its targets, parentheticals and neg-raising included."""
    pairs = generate(LEXICON, 400, seed=3, held_out=held_out)
    polarity = dict(zip(LEXICON["word"], LEXICON["polarity"]))
    for text, label, word in pairs[pairs["label"] != 0.5][["text", "label", "word"]].itertuples(index=False):
        marks = mark(text)
        depth = [d for token, d in zip(marks.tokens, marks.depth) if token in (word, _third_person(word))]
        assert len(depth) == 1 and label == (polarity[word] if depth[0] % 2 == 0 else 1 - polarity[word]), text


def test_held_out_pairs_use_only_held_out_frames_and_words():
    held = generate(LEXICON, 200, seed=1, held_out=True)
    assert set(held["frame"]) == set(HELD_OUT_FRAMES) and set(held["word"]) <= HELD_OUT_WORDS
    assert overlap_with(held["text"], generate(LEXICON, 200, seed=1)["text"], n=5) < 0.2
    assert overlap_with(["a b c d"], ["x a b c d y"]) == 1.0 and overlap_with(["a b"], ["a b"]) == 0.0


def test_verb_frames_conjugate_and_negate_the_verb():
    pairs = generate(LEXICON, 400, seed=2)
    me = pairs[pairs["frame"] == "verb_me"]
    assert me["text"].iloc[0].endswith(("bores me", "impresses me", "reminds me"))
    assert me["text"].iloc[1].endswith(("does n't bore me", "does n't impress me", "does n't remind me"))
    assert {"i do n't hate", "you will never love"} & {" ".join(t.split()[:4]) for t in pairs["text"]}
    assert [_third_person(v) for v in ("bore", "touch", "satisfy", "impress", "play")] == [
        "bores", "touches", "satisfies", "impresses", "plays"]


@pytest.mark.parametrize("held_out", [False, True])
def test_double_negation_pairs_restore_the_polarity_at_depth_two(held_out):
    """Each double pair is a once-negated sentence (the word at depth 1, label reversed) and its twice-negated twin
    (depth 2, the word's own polarity), polar words only, from the training or the held-out frames and words."""
    pairs = generate_double(LEXICON, 300, seed=4, held_out=held_out)
    assert len(pairs) == 600 and pairs["negated"].tolist() == [False, True] * 300
    frames = set(HELD_OUT_DOUBLE_FRAMES) if held_out else set(DOUBLE_FRAMES) - set(HELD_OUT_DOUBLE_FRAMES)
    assert set(pairs["frame"]) == frames
    assert set(pairs["word"]) <= set(LEXICON.loc[LEXICON["held_out"] == held_out, "word"])
    polarity = dict(zip(LEXICON["word"], LEXICON["polarity"]))
    assert all(polarity[word] != 0.5 for word in pairs["word"])
    for text, label, word, twice in pairs[["text", "label", "word", "negated"]].itertuples(index=False):
        marks = mark(text)
        depth = [d for token, d in zip(marks.tokens, marks.depth) if token in (word, _third_person(word))]
        assert depth == [2 if twice else 1], text
        assert label == (polarity[word] if twice else 1 - polarity[word]), text
    assert generate_double(LEXICON, 300, seed=4, held_out=held_out).equals(pairs)


def test_double_negation_pairs_draw_apart_from_the_minimal_pairs_of_the_same_seed():
    """The double pairs have their own random stream, so a seed's double pairs do not repeat the word draws of
    its minimal pairs."""
    single = generate(LEXICON, 50, seed=0, neutral_share=0)
    assert not generate_double(LEXICON, 50, seed=0)["word"].equals(single["word"])


def test_frames_of_a_kind_the_lexicon_lacks_are_skipped():
    pairs = generate(LEXICON[LEXICON["kind"].isin(["adj", "noun"])], 200, seed=0)
    assert set(pairs["frame"]) == {name for name, (kind, *_) in FRAMES.items()
                                   if kind in ("adj", "noun") and name not in HELD_OUT_FRAMES}


@needs_shared
def test_sst_lexicon_and_training_table():
    train_trees = SHARED / "sst" / "trees" / "train.txt.gz"
    lexicon = sst_lexicon(train_trees)
    words = dict(zip(lexicon["word"], zip(lexicon["polarity"], lexicon["kind"])))
    assert words["boring"] == (0.0, "adj") and words["masterpiece"] == (1.0, "noun") and words["disaster"] == (0.0, "noun")
    assert lexicon["word"].str.fullmatch(r"[a-z]{3,}").all() and 0.15 < lexicon["held_out"].mean() < 0.25
    assert words["hate"] == (0.0, "verb") and words["enjoy"] == (1.0, "verb") and words["bore"] == (0.0, "verb_me")
    verbs = lexicon[lexicon["kind"].str.startswith("verb")]
    assert set(verbs["word"]) <= {word for group in VERBS.values() for word in group}
    assert (verbs.groupby(["kind", "polarity"])["held_out"].agg(["any", "all"]) == [True, False]).all().all()
    table = training_table(train_trees, pairs=100, neutral=500, seed=0)
    assert (table["label"] == 0.5).sum() >= 500 and set(table["label"]) == {0.0, 0.5, 1.0}
    assert len(table) == 77_616 + 500 + 200
    generated = table[table["pair"] >= 0]
    assert len(generated) == 200 and (generated["pair"].value_counts() == 2).all()  # both halves of 100 pairs
    assert (table.loc[table["pair"] < 0, "label"] != 0.5).sum() == 77_616          # the SST rows have no pair
    both = training_table(train_trees, pairs=100, neutral=500, seed=0, double=50)
    assert len(both) == len(table) + 100 and sorted(set(both["pair"])) == [-1, *range(150)]
    assert (both["pair"].value_counts().drop(-1) == 2).all()
    added = set(generate_double(lexicon, 50, seed=0)["text"])
    assert set(both["text"]) - set(table["text"]) == added - set(table["text"])
    shares = [(training_table(train_trees, pairs=400, seed=0, pair_neutral_share=share)["label"] == 0.5).sum() / 800
              for share in (0.0, 0.5)]
    assert shares[0] == 0 and 0.4 < shares[1] < 0.6


@pytest.mark.parametrize("text, forms", [
    ("the film is set in paris", {"the film is not set in paris", "the film is n't set in paris"}),
    ("you can see where it goes", {"you can not see where it goes", "you ca n't see where it goes"}),
    ("audiences will find it long", {"audiences will not find it long", "audiences wo n't find it long"}),
    ("The cast was mostly local , and", {"The cast was not mostly local , and", "The cast was n't mostly local , and"}),
])
def test_negate_statement_puts_both_forms_after_the_first_auxiliary(text, forms):
    rng = np.random.default_rng(0)
    made = {negate_statement(text, rng) for _ in range(40)}
    assert made == forms and has_negation(sorted(made)).all()


@pytest.mark.parametrize("text", [
    "is set in paris today",          # no subject before the auxiliary
    "the film is n't set in paris",   # a cue already
    "nobody is set in paris",
    "Not everyone will like it",      # a cue in capitals, as SST writes a phrase's first word
    "the film is",                    # fewer than four tokens
    "a film about two sisters",       # no auxiliary
])
def test_negate_statement_leaves_what_it_cannot_negate(text):
    assert negate_statement(text, np.random.default_rng(0)) is None


def test_negated_neutral_uses_neutral_phrases_only():
    phrases = pd.DataFrame({"text": ["the film is set in paris", "the film is a total mess", "the cast was local too",
                                     "is set in paris today", "the sequel will open in may"],
                            "label5": [2, 0, 2, 2, 2]})
    negated = negated_neutral(phrases, 10, seed=0)
    assert negated["source"].tolist() == ["the film is set in paris", "the cast was local too",
                                          "the sequel will open in may"]
    assert has_negation(negated["text"]).all()
    two = negated_neutral(phrases, 2, seed=1)
    assert len(two) == 2 and set(two["source"]) <= set(negated["source"])
    assert two.equals(negated_neutral(phrases, 2, seed=1))
    rated = pd.DataFrame({"text": ["the film is set in paris", "I thought the ending was wonderful",
                                   "the cast was local too", "The plot is Funny enough"], "label5": [2, 2, 2, 2]})
    descriptive = negated_neutral(rated, 10, seed=0, descriptive=True)             # 'wonderful', 'Funny' are rated
    assert descriptive["source"].tolist() == ["the film is set in paris", "the cast was local too"]
    assert len(negated_neutral(rated, 10, seed=0)) == 4


def test_descriptive_neutral_pairs_leave_out_neutral_words_with_a_valence():
    scary = pd.DataFrame([("scary", 2, 0.5, "adj", False, -0.55), ("comic", 2, 0.5, "adj", False, 0.2)],
                         columns=[*LEXICON.columns, "valence"])
    lexicon = pd.concat([LEXICON.assign(valence=0.0), scary], ignore_index=True)
    every = generate(lexicon, 400, seed=0, neutral_share=0.5)
    assert {"scary", "comic"} <= set(every.loc[every["label"] == 0.5, "word"])
    descriptive = generate(lexicon, 400, seed=0, neutral_share=0.5, descriptive_neutral=True)
    neutral = descriptive.loc[descriptive["label"] == 0.5, "word"]
    assert set(neutral) == {"british", "experience", "watch", "remind"}            # the valence-0 neutral words
    assert 0.4 < len(neutral) / len(descriptive) < 0.6
    polar = descriptive.loc[descriptive["label"] != 0.5, "word"]
    assert set(polar) == set(every.loc[every["label"] != 0.5, "word"])              # polar words untouched
    evaluative = lexicon.assign(valence=np.where(lexicon["word"] == "british", 0.1, lexicon["valence"]))
    with pytest.raises(InputError, match="lexicon: no descriptive neutral adj word for frame '[a-z_]+'"):
        generate(evaluative, 400, seed=0, neutral_share=0.5, descriptive_neutral=True)
    with pytest.raises(InputError, match="lexicon: no negative adj word held out for frame"):
        generate(LEXICON[LEXICON["word"] != "awful"], 400, seed=0, held_out=True)
    with pytest.raises(InputError, match=r"^lexicon: no word of a kind the frames take \(adj, noun, verb, verb_me\)$"):
        generate(LEXICON.iloc[:0], 4, seed=0)  # a tree file whose single words are no adjective, noun or verb


@needs_shared
def test_sst_lexicon_gives_each_word_its_vader_valence():
    lexicon = sst_lexicon(SHARED / "sst" / "trees" / "train.txt.gz").set_index("word")
    assert lexicon.loc["awful", "polarity"] == 0.5 and lexicon.loc["awful", "valence"] == pytest.approx(-2.0 / 4)
    assert lexicon.loc["accent", "polarity"] == 0.5 and lexicon.loc["accent", "valence"] == 0
    assert lexicon.loc["boring", "valence"] < 0 < lexicon.loc["masterpiece", "valence"]
    assert lexicon["valence"].between(-1, 1).all()


@needs_shared
def test_training_table_adds_negated_neutral_phrases():
    train_trees = SHARED / "sst" / "trees" / "train.txt.gz"
    table = training_table(train_trees, neutral=500, seed=0, negated=300)
    assert len(table) == 77_616 + 500 + 300 and (table["label"] == 0.5).sum() == 800
    assert has_negation(table.loc[table["label"] == 0.5, "text"]).sum() >= 300
    descriptive = training_table(train_trees, seed=0, negated=5000, descriptive_negated=True)
    negated = descriptive.loc[descriptive["label"] == 0.5, "text"]
    valence = vader_valence()
    assert 1000 < len(negated) < 4726                      # fewer than all 4,726 negatable neutral phrases
    assert has_negation(negated).all()
    assert not any(valence.get(token.lower(), 0) for text in negated for token in text.split())


def test_training_table_from_trees_with_nothing_to_train_on_is_refused(tmp_path):
    trees = tmp_path / "train.txt"
    trees.write_text("(2 (2 A) (2 film))\n(2 (2 The) (2 movie))\n")  # every phrase neutral
    assert len(training_table(trees, neutral=1)) == 1
    for options in ({}, {"negated": 5}):  # no auxiliary to negate either
        with pytest.raises(InputError, match=f"^{trees}: nothing to train on: no polar phrase"):
            training_table(trees, **options)
