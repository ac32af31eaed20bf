"""What the trained classifier looks at and what its gates do, per token; and its "negation bit" units.

:func:`explain` runs one text through a :class:`domains.sentiment.model.SentimentClassifier` and returns one
row per token: the token's negation marks, its attention weight (``AttentionPooling``'s softmax, summing to 1
over the text) and, for both directions of the ``bilstm`` layer, the mean over units of the input, forget and
output gates (``shared.layers.gate_activations``) and how far the cell state moved at that token.

:func:`negation_units` ranks the forward direction's units by how well they act as a *negation bit*. For a
text with a cue at token ``k`` whose scope (:mod:`domains.sentiment.negation`) ends at token ``e > k``, let
``c_t`` be the forward cell state (``c_{-1} = 0``) and ``c'`` the same on the text with the cue token deleted
(its counterfactual without negation, "was not a disaster" -> "was a disaster"), and

- ``jump = c_k - c_{k-1}``: the change the cue makes, and
- ``carried = c_e - c'_{e-1}``: the difference the cue still makes at the end of the scope (where the sentiment
  word of "was not a disaster" sits), against the same words read without it.

A unit's score on that cue is ``min(|jump|, |carried|)`` if ``jump`` and ``carried`` have the same sign, else
0: large only when the state moves at the cue *and* the move is still there at the sentiment word. Units are
ranked by the mean score over all cues with a non-empty scope, with the mean signed jump beside it.
"""

import keras
import numpy as np
import pandas as pd

from domains.sentiment.negation import mark_tokens
from domains.sentiment.text import check_texts, tokenize
from shared.layers import AttentionPooling, gate_activations

GATES = ("input", "forget", "output")


def _twin_attention(layer, input_shape):
    """A copy of a built ``AttentionPooling`` layer that also returns its weights."""
    twin = AttentionPooling.from_config({**layer.get_config(), "return_attention": True, "name": f"{layer.name}_weights"})
    twin.build(input_shape)
    twin.set_weights(layer.get_weights())
    return twin


def internals(classifier, text):
    """Tokens, gates and attention of one text (a string, or a token list: the tokens the model will see).

    Returns:
        ``(tokens, gates, attention)``: the token list (length ``T``), ``gate_activations`` of the ``bilstm``
        layer (``{"forward"|"backward": {gate: float32 (T, units)}}``, both indexed by input step) and the
        attention weights, float32 ``(T,)``. ``T = 0`` for a text without tokens (then gates and weights are
        empty arrays).
    """
    model = classifier.model
    tokens = list(text) if isinstance(text, list) else tokenize(text)
    text = " ".join(tokens)
    bilstm = model.get_layer("bilstm")
    units = bilstm.forward_layer.units
    if not tokens:
        empty = {name: np.zeros((0, units), "float32") for name in (*GATES, "cell")}
        return tokens, {"forward": dict(empty), "backward": dict(empty)}, np.zeros(0, "float32")
    features = classifier.featurizer([text])
    mask = features["tokens"] != 0
    source = "with_negation" if any(layer.name == "with_negation" for layer in model.layers) else "embedding"
    before = keras.Model(model.inputs, model.get_layer(source).output)(features, training=False)
    gates = gate_activations(bilstm, before, mask=mask)
    states = bilstm(before, mask=mask, training=False)
    _, weights = _twin_attention(model.get_layer("attention"), states.shape)(states, mask=mask)
    gates = {side: {name: keras.ops.convert_to_numpy(value)[0] for name, value in values.items()}
             for side, values in gates.items()}
    return tokens, gates, keras.ops.convert_to_numpy(weights)[0]


def _cell_change(cell, backward=False):
    """``||c_t - c_prev||`` per step (Euclidean over units), ``c_prev`` the state before step t in the
    direction the layer ran (the zero state before its first step)."""
    if backward:
        return _cell_change(cell[::-1])[::-1]
    previous = np.vstack([np.zeros((1, cell.shape[1]), cell.dtype), cell[:-1]])
    return np.linalg.norm(cell - previous, axis=1)


def explain(classifier, text):
    """Per-token attention and gate activity of one text.

    Args:
        classifier: a :class:`domains.sentiment.model.SentimentClassifier` (its model from ``build_model``).
        text: a string (tokenised as the model sees it; an empty text gives an empty table).

    Returns:
        DataFrame, one row per token in order: ``token``, ``cue`` (bool), ``depth`` (scopes the token lies
        in), ``attention`` (weight in [0, 1], summing to 1), then for ``side`` in ``forward, backward``:
        ``{side}_input``, ``{side}_forget``, ``{side}_output`` (gate activations in [0, 1], mean over units)
        and ``{side}_cell_change`` (Euclidean norm of the cell state's change at the token, in the direction
        the side reads). ``DataFrame.attrs["probability"]`` holds P(positive).
    """
    tokens, gates, attention = internals(classifier, text)
    marks = mark_tokens(tokens)
    table = pd.DataFrame({"token": tokens, "cue": marks.cue, "depth": marks.depth, "attention": attention})
    for side in ("forward", "backward"):
        for name in GATES:
            table[f"{side}_{name}"] = gates[side][name].mean(axis=1) if tokens else []
        table[f"{side}_cell_change"] = _cell_change(gates[side]["cell"], side == "backward") if tokens else []
    table.attrs["probability"] = float(classifier.predict_proba([text])[0])
    return table


def negation_units(classifier, texts, top=5):
    """The forward units that best act as a negation bit over ``texts`` (the score in the module docstring).

    Args:
        classifier: a :class:`domains.sentiment.model.SentimentClassifier`.
        texts: a collection of strings (a list, a Series such as ``df["text"]``); those without a cue that has a
            non-empty scope contribute nothing.
        top: how many units to return.

    Returns:
        DataFrame ``unit, score, mean_jump, n_cues`` sorted by ``score`` (descending), ``top`` rows; empty if
        no text has a cue with a scope.

    Raises:
        InputError: ``texts`` is a single string (put it in a list), a DataFrame (pass its column), or holds
            something other than a string (:func:`domains.sentiment.text.check_texts`).
    """
    scores, jumps = [], []
    for text in check_texts(texts):
        tokens, gates, _ = internals(classifier, text)
        marks = mark_tokens(tokens)
        cell = gates["forward"]["cell"]
        for k in np.flatnonzero(marks.cue):
            scope = marks.scope_indices(k)
            if not len(scope):
                continue
            without = internals(classifier, tokens[:k] + tokens[k + 1 :])[1]["forward"]["cell"]
            start = cell[k - 1] if k > 0 else np.zeros_like(cell[k])
            jump, carried = cell[k] - start, cell[scope[-1]] - without[scope[-1] - 1]
            scores.append(np.where(np.sign(jump) == np.sign(carried), np.minimum(abs(jump), abs(carried)), 0.0))
            jumps.append(jump)
    if not scores:
        return pd.DataFrame(columns=["unit", "score", "mean_jump", "n_cues"])
    score, jump = np.mean(scores, axis=0), np.mean(jumps, axis=0)
    order = np.argsort(-score, kind="stable")[:top]
    return pd.DataFrame({"unit": order, "score": score[order], "mean_jump": jump[order], "n_cues": len(scores)})
