"""explain() and negation_units() on a tiny model trained to flip sentiment under "not"."""

import keras
import numpy as np
import pandas as pd
import pytest

from domains.sentiment.explain import explain, internals, negation_units
from domains.sentiment.model import Featurizer, SentimentClassifier, build_model

WORDS = {"good": 1, "great": 1, "fun": 1, "bad": 0, "dull": 0, "awful": 0}
ROWS = [(f"it is {w}", y) for w, y in WORDS.items()] + [(f"it is not {w}", 1 - y) for w, y in WORDS.items()]


@pytest.fixture(scope="module")
def classifier():
    keras.utils.set_random_seed(0)
    texts, labels = zip(*ROWS)
    featurizer = Featurizer.adapt(texts)
    model = build_model(len(featurizer.vocabulary) + 2, embed_dim=8, units=8, attention_units=8, dropout=0.0)
    model.compile(keras.optimizers.Adam(1e-2), "binary_crossentropy")
    model.fit(featurizer(list(texts) * 8), np.array(labels * 8, "float32"), epochs=30, batch_size=16, verbose=0)
    return SentimentClassifier(featurizer, model)


@pytest.mark.slow
def test_explain_gives_one_row_per_token(classifier):
    assert (classifier.predict_proba([t for t, _ in ROWS]) > 0.5).tolist() == [bool(y) for _, y in ROWS]
    table = explain(classifier, "It isn't dull!")
    assert table["token"].tolist() == ["it", "is", "n't", "dull", "!"]
    assert table["cue"].tolist() == [False, False, True, False, False] and table["depth"].tolist() == [0, 0, 0, 1, 0]
    assert table["attention"].sum() == pytest.approx(1.0, abs=1e-5) and (table["attention"] >= 0).all()
    gates = table[[f"{side}_{g}" for side in ("forward", "backward") for g in ("input", "forget", "output")]]
    assert ((gates >= 0) & (gates <= 1)).all().all()
    assert (table.filter(like="cell_change") >= 0).all().all()
    assert table.attrs["probability"] == pytest.approx(classifier.predict_proba(["It isn't dull!"])[0])
    assert explain(classifier, "").empty and list(explain(classifier, "").columns) == list(table.columns)


@pytest.mark.slow
def test_negation_units_move_at_the_cue_and_stay_moved(classifier):
    texts = [t for t, _ in ROWS if " not " in t]
    units = negation_units(classifier, texts, top=8)
    assert len(units) == 8 and units["n_cues"].eq(len(texts)).all()
    assert units["score"].is_monotonic_decreasing and units["score"].iloc[0] > 0
    # the best unit: "not" moves it the way its mean jump points, and at the sentiment word it still differs
    # that way from the same sentence without "not", for most words
    best, sign = int(units["unit"].iloc[0]), np.sign(units["mean_jump"].iloc[0])
    cell = {text: internals(classifier, text)[1]["forward"]["cell"][:, best] for text, _ in ROWS}
    jumps = [sign * (cell[f"it is not {w}"][2] - cell[f"it is not {w}"][1]) for w in WORDS]
    carried = [sign * (cell[f"it is not {w}"][3] - cell[f"it is {w}"][2]) for w in WORDS]
    assert min(jumps) > 0 and np.mean(np.array(carried) > 0) >= 0.5
    assert negation_units(classifier, ["it is good", "not"]).empty          # no cue with a scope
    assert isinstance(units, pd.DataFrame)


def test_negation_units_refuses_one_string_and_a_dataframe():
    from shared.cli import InputError

    untrained = SentimentClassifier(Featurizer(["good", "not"]), build_model(6, embed_dim=4, units=3,
                                                                             attention_units=3))
    with pytest.raises(InputError, match=r"string object received \(put one text in a list\)"):
        negation_units(untrained, "not a good film")        # was read character by character: an empty table
    with pytest.raises(InputError, match=r"a DataFrame received .* pass its column of texts, e.g. df\['text'\]"):
        negation_units(untrained, pd.DataFrame({"text": ["not a good film"]}))
    assert len(negation_units(untrained, pd.Series(["not a good film"]), top=2)) == 2
