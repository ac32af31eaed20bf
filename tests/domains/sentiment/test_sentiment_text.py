"""The tokeniser: PTB clitics, SST compatibility, emoji, non-English, truncation and non-string input."""

import pytest

from domains.sentiment.text import MAX_CHARS, MAX_TOKENS, check_text, check_texts, tokenize, tokenized
from shared.cli import InputError


def test_clitics_are_split_like_sst():
    assert tokenize("I can't, it's Bob's") == ["i", "ca", "n't", ",", "it", "'s", "bob", "'s"]
    assert tokenize("ca n't") == tokenize("can't") and tokenize("won't") == ["wo", "n't"]
    assert tokenize("It’s well-made") == ["it", "'s", "well-made"]


@pytest.mark.parametrize("typed", ["wasn`t", "wasn´t", "wasnʼt", "wasn′t", "wasn‛t", "wasn’t", "wasn‘t"])
def test_apostrophe_stand_ins_between_letters_are_apostrophes(typed):
    """Found in review: ``wasn`t`` or ``wasn´t`` (NFKC makes the acute accent a space and a combining mark) lost
    the negation, and the shipped model read "It wasn´t good" as positive."""
    assert tokenize(f"It {typed} good") == ["it", "was", "n't", "good"]
    # elsewhere they are left alone (SST's quotes ``good'' tokenise as before)
    assert tokenize("``good'' ´quoted´ 5′ tall") == ["`", "`", "good", "'", "'", "\u0301", "quoted", "\u0301", "5", "′",
                                                   "tall"]


def test_emoji_and_non_english_are_tokens():
    assert tokenize("great 😀😀") == ["great", "😀", "😀"]
    assert tokenize("Très bien, 很好") == ["très", "bien", ",", "很好"]


def test_long_texts_are_truncated_as_documented():
    assert len(tokenize("word " * 10_000)) == MAX_TOKENS
    assert tokenize("a" * (3 * MAX_CHARS)) == ["a" * MAX_CHARS]


def test_empty_and_non_string_input():
    assert tokenize("") == [] and tokenize(" \t\n") == [] and tokenized("") == ""
    with pytest.raises(InputError, match=r"row 3: expected a string, got float"):
        check_text(float("nan"), "row 3")
    with pytest.raises(InputError, match="got NoneType"):
        tokenize(None)


def test_a_collection_of_texts_is_not_one_string():
    assert check_texts(("good", "bad")) == ["good", "bad"]
    with pytest.raises(InputError, match="texts: iterable over raw text documents expected, string object received"):
        check_texts("a wonderful film")
    with pytest.raises(InputError, match=r"texts\[1\]: expected a string, got float nan"):
        check_texts(["good", float("nan")])
