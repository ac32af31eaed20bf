"""Prior polarity per token from the VADER lexicon: a model feature for words rare or absent in the training data.

A randomly initialised embedding knows nothing about a word SST train never shows it ("exhilarating",
"tedious"); VADER's hand-rated lexicon (Hutto & Gilbert 2014; PyPI ``vaderSentiment`` 3.3.2, MIT licence, file
``vaderSentiment/vader_lexicon.txt`` read through ``SentimentIntensityAnalyzer().lexicon``: 7,506 entries, mean
rating of ten raters from -4 to +4) gives such words a prior polarity.

Per token (:func:`lexicon_features`, ``FEATURES``):

- ``valence``: the token's VADER rating divided by 4 (so in [-1, 1]; 0 for a token not in the lexicon, for a
  multi-word entry, which one token never matches, and for a negation cue: *no* is rated -1.2 in VADER, but
  here a cue's job is done by the negation features of :mod:`domains.sentiment.negation`; a lexical cue such
  as *fails* keeps its rating, since "the plot fails" is negative without anything in its scope);
- ``valence_negated``: ``valence * (-1) ** depth``, with ``depth`` the number of negation scopes the token lies
  in, so the network sees the flip directly: "not good" gives *good* +0.48 and -0.48, "not without merit"
  gives *merit* (depth 2) its own sign.

VADER's own rules (boosters, "but", capitals) are not used: only the word ratings.
"""

import functools

import numpy as np

FEATURES = ("valence", "valence_negated")


@functools.lru_cache(maxsize=1)
def vader_valence():
    """dict token -> VADER rating / 4 (in [-1, 1]) for the lexicon's single-token entries, lower-cased (a few
    entries are emoticons with capitals; the lower-cased form of a duplicate keeps the first rating)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    valence = {}
    for entry, rating in SentimentIntensityAnalyzer().lexicon.items():
        if " " not in entry:
            valence.setdefault(entry.lower(), float(rating) / 4.0)
    return valence


def lexicon_features(marks):
    """float32 ``(T, 2)``: ``FEATURES`` for the tokens of a :class:`domains.sentiment.negation.NegationMarks`.

    >>> from domains.sentiment.negation import mark
    >>> lexicon_features(mark("not good")).astype(float).round(3).tolist()
    [[0.0, 0.0], [0.475, -0.475]]
    """
    table = vader_valence()
    valence = np.array([0.0 if cue else table.get(token, 0.0) for token, cue in zip(marks.tokens, marks.explicit)],
                       dtype="float32")
    sign = np.where(marks.depth % 2 == 1, -1.0, 1.0).astype("float32")
    return np.stack([valence, valence * sign], axis=1).astype("float32").reshape(len(marks.tokens), len(FEATURES))
