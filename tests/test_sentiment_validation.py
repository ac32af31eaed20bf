"""The hand-written validation sets of ``benchmarks/sentiment_validation`` (issue 4): their form, what the
scorecard reads from them, checked with VADER (nothing trained) for known answers, and the shipped model's figures on
them as its card gives them."""

import importlib.util
import json
from functools import cache
from pathlib import Path

import pytest

from domains.sentiment.__main__ import SHIPPED
from domains.sentiment.baselines import Vader
from domains.sentiment.data import load_table, read_lines
from domains.sentiment.negation import mark
from domains.sentiment.train import load_classifier, run_files
from shared.data_paths import shared_data

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "benchmarks" / "sentiment_validation"
#: negations the cue detector does not mark ("the ride was anything but smooth"): counted as one cue here
IDIOMS = ("anything but",)
SHARED = shared_data("sentiment")


@cache
def scorecard():
    """``benchmarks/sentiment_scorecard.py`` as a module (the benchmarks are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("sentiment_scorecard", ROOT / "benchmarks" / "sentiment_scorecard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cues(text):
    """The explicit negation cues of ``text``, an idiom of ``IDIOMS`` counted as one."""
    return sum(mark(text).explicit) + sum(text.count(idiom) for idiom in IDIOMS)


def test_pairs_differ_by_a_negation_and_have_opposite_labels():
    pairs = load_table(FOLDER / "handwritten_pairs.tsv")
    assert len(pairs) == 172
    for first, second in zip(pairs.iloc[0::2].itertuples(), pairs.iloc[1::2].itertuples()):
        assert {first.label, second.label} == {0, 1}, (first.text, second.text)
        assert cues(first.text) != cues(second.text), (first.text, second.text)
        a, b = set(mark(first.text).tokens), set(mark(second.text).tokens)
        assert len(a & b) / len(a | b) >= 0.4, (first.text, second.text)  # the same sentence, not two
    assert pairs["text"].is_unique


def test_negated_neutral_statements_each_hold_one_cue():
    lines = read_lines(FOLDER / "handwritten_negated_neutral.txt")
    assert len(lines) == 96 and all(line.strip() == line and line for line in lines)
    assert len(set(lines)) == len(lines)
    assert [line for line in lines if sum(mark(line).explicit) != 1] == []


def test_audit_pairs_are_minimal_pairs_in_eight_phenomena_and_ten_domains():
    pairs = load_table(FOLDER / "audit_pairs.tsv")
    assert len(pairs) == 320 and pairs["text"].is_unique
    assert pairs.iloc[0::2]["phenomenon"].value_counts().tolist() == [20] * 8
    assert pairs.iloc[0::2]["domain"].value_counts().tolist() == [16] * 10
    for first, second in zip(pairs.iloc[0::2].itertuples(), pairs.iloc[1::2].itertuples()):
        assert {first.label, second.label} == {0, 1}, (first.text, second.text)
        assert (first.phenomenon, first.domain) == (second.phenomenon, second.domain)
        a, b = set(mark(first.text).tokens), set(mark(second.text).tokens)
        assert len(a & b) / len(a | b) >= 0.4, (first.text, second.text)  # the same sentence, not two


def test_handwritten_scores_vader_as_measured():
    """VADER rates 56 of the 86 pairs both right and reads 95 of the 96 statements neutral (compound 0: P 0.5); of
    the audit's 160 pairs it rates 71 both right, 18 of the 20 with a plain "not" and 2 of those at a distance."""
    result = scorecard().handwritten(Vader().fit())
    assert result["n_pairs"] == 86 and result["pairs_both_right"] == pytest.approx(56 / 86)
    audit = result["audit"]
    assert audit["n_pairs"] == 160 and audit["pairs_both_right"] == pytest.approx(71 / 160)
    assert audit["by_phenomenon"]["plain_not"] == pytest.approx(18 / 20)
    assert audit["by_phenomenon"]["distance"] == pytest.approx(2 / 20)
    assert result["n_negated_neutral"] == 96 and result["negated_neutral_in_band"] == pytest.approx(95 / 96)
    assert result["negated_neutral_median_probability"] == pytest.approx(0.5, abs=1e-5)


@pytest.mark.skipif(SHARED is None, reason="needs ../shared/data/sentiment (set GATED_SHARED_DATA)")
def test_negated_neutral_probe_reads_the_negatable_dev_phrases():
    """527 neutral SST dev phrases can be negated; VADER, blind to negation on words it does not rate, leaves 314
    of them in the band."""
    result = scorecard().negated_neutral_probe(Vader().fit(), SHARED / "sst" / "trees")
    assert result["n"] == 527 and result["neutral_in_band"] == pytest.approx(314 / 527)


def test_shipped_weights_reproduce_the_cards_handwritten_figures():
    """The sets ship with the project, so this runs without the shared data."""
    expected = json.loads(run_files(SHIPPED)["card"].read_text())["scorecard"]["handwritten"]
    result = scorecard().handwritten(load_classifier(SHIPPED))
    assert result["n_pairs"] == expected["n_pairs"] == 86
    assert result["pairs_both_right"] == pytest.approx(expected["pairs_both_right"], abs=1 / 86)
    assert result["negated_neutral_in_band"] == pytest.approx(expected["negated_neutral_in_band"], abs=1 / 96)
    assert result["negated_neutral_median_probability"] == pytest.approx(expected["negated_neutral_median_probability"],
                                                                          abs=1e-3)
    assert result["audit"]["n_pairs"] == expected["audit"]["n_pairs"] == 160
    assert result["audit"]["pairs_both_right"] == pytest.approx(expected["audit"]["pairs_both_right"], abs=1 / 160)
