"""Negation cues and their scopes, per token: a model feature and a way to split any test set.

**Cues.** A token (from :func:`domains.sentiment.text.tokenize`) is a cue if it is one of ``CUES`` (*not no
never nothing nobody none neither nor nowhere without hardly barely scarcely cannot* and the clitic *n't*)
or an apostrophe-less contraction in ``CONTRACTIONS`` (*dont, isnt, cant, ...*): the list behind the shared
data's ``negation`` column, which however has no ``PSEUDO`` exception. Two-word fixed phrases in ``PSEUDO`` (*not only, not just, no doubt, no wonder,
nothing but*) do not negate and are not cues. Lexical negation (*lacks, fails, refuses*) and affixes (*un-*)
are not cues: "never fails to impress" has one cue (*never*) whose scope is "fails to impress".

**Scope.** A cue's scope is the run of tokens after it, up to (not including) the first

- scope-ending punctuation ``STOP_PUNCTUATION``: ``. , ; : ! ? ( ) [ ] - — – …`` and runs of dashes or dots
  (``--``, ``...``); quotes, emoji and other symbols do not end a scope; or
- clause-boundary word in ``CLAUSE_BOUNDARIES``: *but yet however although though whereas while because unless
  except nevertheless nonetheless instead*. Coordinators *and*/*or* do not end a scope ("not funny or clever"
  negates both), nor does a relative *that*/*which*.

One exception, for negation at a distance: when the token right after a cue opens a parenthetical (a comma,
a dash or ``(``), the parenthetical up to its matching closer (the next comma, the next dash, ``)``) is
skipped and the scope starts after it, provided the closer comes before any ``. ! ? ;`` (else the scope is
empty). So in "I did not, despite the hype and the queues, enjoy it" the scope of *not* is "enjoy it" and the
parenthetical is outside it. A cue followed directly by the end or a stop ("... but it was not.") has an empty scope.

Scopes nest: a cue inside another cue's scope opens its own, and a token's ``depth`` counts the scopes it
lies in. "not without merit": *without* has depth 1, *merit* depth 2 (double negation: even depth).
"""

from dataclasses import dataclass

import numpy as np

from domains.sentiment.text import tokenize

CUES = frozenset("not no never nothing nobody none neither nor nowhere without hardly barely scarcely cannot n't".split())
CONTRACTIONS = frozenset(
    "dont doesnt didnt isnt wasnt arent werent cant couldnt wouldnt shouldnt wont hasnt havent hadnt aint mustnt "
    "neednt".split()
)
PSEUDO = frozenset({("not", "only"), ("not", "just"), ("no", "doubt"), ("no", "wonder"), ("nothing", "but")})
STOP_PUNCTUATION = frozenset(". , ; : ! ? ( ) [ ] - — – …".split())  # and any run of dashes or dots
CLAUSE_BOUNDARIES = frozenset(
    "but yet however although though whereas while because unless except nevertheless nonetheless instead".split()
)
_SENTENCE_END = frozenset(". ! ? ;".split())
_DASHES = frozenset("- — –".split())
FEATURES = ("cue", "in_scope", "odd_depth")


@dataclass(frozen=True)
class NegationMarks:
    """Per-token negation marks of one text.

    Attributes:
        tokens: the tokens, length ``T``.
        cue: bool ``(T,)``, True at cue tokens.
        depth: int ``(T,)``, how many cue scopes each token lies in (0 = not negated).
    """

    tokens: list
    cue: np.ndarray
    depth: np.ndarray

    @property
    def in_scope(self):
        """bool ``(T,)``: the token lies in at least one scope."""
        return self.depth > 0

    @property
    def negated(self):
        """True if the text has at least one cue."""
        return bool(self.cue.any())

    def features(self):
        """float32 ``(T, 3)``: ``FEATURES`` = cue, in a scope, in an odd number of scopes."""
        return np.stack([self.cue, self.in_scope, self.depth % 2 == 1], axis=1).astype("float32")

    def scope_indices(self, index):
        """The token indices (a ``range``) of the scope of the cue at ``index`` (recomputed for that cue alone)."""
        return _scope(self.tokens, index)

    def scope_of(self, index):
        """The tokens in the scope of the cue at ``index`` (recomputed for that cue alone)."""
        return [self.tokens[i] for i in self.scope_indices(index)]


def is_cue(tokens, index):
    """True if ``tokens[index]`` is a negation cue in its context (``PSEUDO`` phrases excluded)."""
    token = tokens[index]
    if token not in CUES and token not in CONTRACTIONS:
        return False
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return (token, following) not in PSEUDO


def _is_dash(token):
    return token in _DASHES or (len(token) > 1 and set(token) == {"-"})


def _is_stop(token):
    return token in STOP_PUNCTUATION or token in CLAUSE_BOUNDARIES or _is_dash(token) or set(token) == {"."}


def _closes(opener, token):
    if opener == "(":
        return token == ")"
    return _is_dash(token) if _is_dash(opener) else token == opener


def _scope(tokens, cue_index):
    """Indices of the scope of the cue at ``cue_index`` (the rule in the module docstring)."""
    start = cue_index + 1
    if start < len(tokens) and (tokens[start] in (",", "(") or _is_dash(tokens[start])):
        opener = tokens[start]
        for k in range(start + 1, len(tokens)):
            if _closes(opener, tokens[k]):
                start = k + 1
                break
            if tokens[k] in _SENTENCE_END or set(tokens[k]) == {"."}:
                return range(0)
        else:
            return range(0)
    end = start
    while end < len(tokens) and not _is_stop(tokens[end]):
        end += 1
    return range(start, end)


def mark_tokens(tokens):
    """:class:`NegationMarks` for an already tokenised text (a list of lower-case tokens)."""
    tokens = list(tokens)
    cue = np.array([is_cue(tokens, i) for i in range(len(tokens))], dtype=bool)
    depth = np.zeros(len(tokens), dtype=np.int32)
    for index in np.flatnonzero(cue):
        for j in _scope(tokens, index):
            depth[j] += 1
    return NegationMarks(tokens, cue, depth)


def mark(text):
    """:class:`NegationMarks` for a raw text (tokenised with :func:`domains.sentiment.text.tokenize`).

    >>> m = mark("The film was not a disaster.")
    >>> [t for t, s in zip(m.tokens, m.in_scope) if s]
    ['a', 'disaster']
    >>> m.features().shape
    (7, 3)
    """
    return mark_tokens(tokenize(text))


def has_negation(texts):
    """bool array ``(n,)``: which of ``texts`` (strings) contain a negation cue.

    >>> has_negation(["I don't hate it", "I love it", "not only good"]).tolist()
    [True, False, False]
    """
    return np.array([mark(text).negated for text in texts], dtype=bool)


def split_by_negation(frame, text_column="text"):
    """Splits a table into the rows whose text has a negation cue and the rest.

    Returns:
        ``(with_negation, without_negation)``, two DataFrames keeping the original index.
    """
    mask = has_negation(frame[text_column].tolist()) if len(frame) else np.zeros(0, dtype=bool)
    return frame[mask], frame[~mask]


def cue_words(text):
    """The cue tokens of a text, joined by spaces (``""`` if none), as in the shared data's ``cues`` column."""
    marks = mark(text)
    return " ".join(t for t, c in zip(marks.tokens, marks.cue) if c)

