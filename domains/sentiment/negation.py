"""Negation cues and their scopes, per token: a model feature and a way to split any test set.

**Cues.** A token (from :func:`domains.sentiment.text.tokenize`) is a cue if it is one of ``CUES`` (*not no
never nothing nobody none neither nor nowhere without hardly barely scarcely cannot* and the clitic *n't*)
or an apostrophe-less contraction in ``CONTRACTIONS`` (*dont, isnt, cant, ...*): the list behind the shared
data's ``negation`` column, which however has no ``PSEUDO`` exception. Fixed phrases in ``PSEUDO`` (*not only,
not just, no doubt, no wonder, nothing but, without doubt, without a doubt*) do not negate and are not cues; nor
do the idioms of a negated *can* or *could* that praise or intensify: *can't wait* (to, for, or at the clause's
end; not "can't wait in line"), *couldn't be happier* (*be* or *have been*, then *happier better more worse
prouder*, with no *than*: not "couldn't be more than ten minutes") and *can't ... enough* with a verb of
``CAN_IDIOM_VERBS`` (*recommend thank praise say stress emphasise express*) whose clause ends in *enough* ("I can't
recommend them highly enough"; not "can't turn it up loud enough", "can't afford enough food"), or *can't get
enough* ("of it").

**Lexical cues.** The verbs of lexical negation in ``LEXICAL_CUES`` (*fail, lack, refuse* and their inflections)
open a scope like a cue, so "never fails to impress" is a double negation: *never* scopes over "fails to
impress", *fails* over "to impress", and *impress* lies in two scopes (even depth, not negated), while "fails to
impress" alone negates *impress*. They are marked ``lexical`` and are not listed by :func:`cue_words`.
Affixes (*un-*) are not cues.

**Splitting a test set** "with and without negation" (:func:`has_negation`, :func:`split_by_negation`) follows
the shared data's definition, which is the issue's cue list read token by token: a text is negated if a token is
in ``CUES`` or ``CONTRACTIONS`` or ends in *n't*, with a hyphenated word read as its parts ("a not-great movie")
and no ``PSEUDO`` or lexical exception. On the shared SST-2 train, dev and test files this gives exactly their
``*_negation.tsv`` rows (1,512 / 201 / 380); on rt-polarity one sentence more than theirs ("nothing's at stake",
whose clitic *'s* the tokenizer splits off).

**Scope.** A cue's scope is the run of tokens after it, up to (not including) the first

- scope-ending punctuation ``STOP_PUNCTUATION``: ``. , ; : ! ? ( ) [ ] - — – …`` and runs of dashes or dots
  (``--``, ``...``); quotes, emoji and other symbols do not end a scope; or
- clause-boundary word in ``CLAUSE_BOUNDARIES``: *but yet however although though whereas while because unless
  except nevertheless nonetheless instead*; or *nor*, which opens a scope of its own ("neither boring nor bad":
  *boring* and *bad* each lie in one scope, not *bad* in two); or
- coordinator *and*/*or*/*so* that opens a clause with its own subject: a subject pronoun follows (*i he she we
  they*, or *you it there* right before a finite form: "I didn't expect much so I was pleasantly surprised"), or a
  determiner whose noun phrase of at most three words is followed by a finite auxiliary or copula ("no big stars
  and the acting is superb"). Other coordinators do not end a scope ("not funny or clever" negates both; "not the
  money and the fame"; "not make me or you happy"; "so that ..."), nor does a relative *that*/*which*; nor do
  *and*/*or* in the scope of a negated verb that takes a clause, when one follows it ("I don't think it is funny or
  it is clever", "Nobody thought the script was smart and the cast was brilliant": both clauses are negated; but
  "I didn't expect much so I was pleasantly surprised").

In the clause a negated clause-taking verb takes (see ``RAISING_FORMS`` below), a non-restrictive relative clause
(a comma, then *who whom whose which*) is left out of the scope, which goes on after its closing comma when a finite
verb of ``FINITE`` follows there, the verb of the subject the relative clause interrupts: in "I don't think the
hotel, which was cheap, was bad" the scope is "think the hotel" and "was bad". Elsewhere the comma ends the scope as
usual: "It isn't funny, which is a shame"; "Didn't like the waiter, who was rude, will never come back", whose
subjectless next clause is not the waiter's.

The interjection *No* (opening a sentence, followed by punctuation: "No, the film is great") is a cue with an empty
scope: it answers something said before it.

One exception, for negation at a distance: when the token right after a cue opens a parenthetical (a comma,
a dash or ``(``), the parenthetical up to its matching closer (the next comma, the next dash, ``)``) is
skipped and the scope starts after it, provided the closer comes before any ``. ! ? ;`` (else the scope is
empty). So in "I did not, despite the hype and the queues, enjoy it" the scope of *not* is "enjoy it" and the
parenthetical is outside it. The same holds for a parenthetical right after a negated verb that takes a clause
(neg-raising: ``RAISING_FORMS``, *think believe say suppose expect feel imagine reckon guess* and their
inflections), when the scope so far is that verb, alone or after one other word ("really think"): in "I wouldn't
say, given the hype, that it was bad" the scope of *n't* is "say" and "that it was bad", so the embedded clause
is negated as in "I wouldn't say that it was bad"; so in "I never thought, given the reviews, that it was bad".

**Ellipsis.** A cue whose forward scope is empty because the clause ends right after it (the text ends, or the
next token is scope-ending punctuation; a clause-boundary word does not count: "have not yet recovered") negates
an elided predicate when it is *auxiliary-final*: the token before it is an auxiliary, copula or do-support in
``AUXILIARIES`` (*is was do did can ca wo 's ...*: "it was not", "they didn't", "I can't"), or the cue itself
is one (*cannot* and the contractions, "it isnt"). Its scope is then the preceding clause, the one the elided
predicate comes from:

1. the elliptical clause runs back from the cue to the nearest clause boundary: scope-ending punctuation, a
   word in ``CLAUSE_BOUNDARIES`` or a coordinator in ``ELLIPSIS_CONNECTIVES`` (*and or*); the clause it
   holds before the auxiliary is its subject, of any length ("but the sequel was not");
2. the separator is the run of such boundary tokens before it (", but", ";", "and", "--"); it must hold a
   connective word, a ``;`` or ``:`` or a dash: commas alone mark a parenthetical or a list, not a new clause
   ("But the script, sadly, does not." keeps an empty scope). If it holds a sentence end (``. ! ?`` or a run
   of dots), or there is none (the text starts there), nothing precedes and the scope stays empty;
3. the scope is the clause before the separator, back to (not including) the previous scope-ending
   punctuation or clause-boundary word, as for a forward scope (*and*/*or* do not end it there).

So in "I thought the film was great, but it was not." the scope of *not* is "i thought the film was great";
in "The acting was good and the plot was not" it is "the acting was good". Unchanged: a cue with a non-empty
forward scope ("not bad at all", "I did not, despite the hype, enjoy it"), a clause-final cue without an
auxiliary before it ("No.", "Not."), and one with no clause before its own ("It was not.").

Scopes nest: a cue inside another cue's scope opens its own, and a token's ``depth`` counts the scopes it
lies in. "not without merit": *without* has depth 1, *merit* depth 2 (double negation: even depth).
"""

from dataclasses import dataclass

import numpy as np

from domains.sentiment.text import check_texts, tokenize

CUES = frozenset("not no never nothing nobody none neither nor nowhere without hardly barely scarcely cannot n't".split())
CONTRACTIONS = frozenset(
    "dont doesnt didnt isnt wasnt arent werent cant couldnt wouldnt shouldnt wont hasnt havent hadnt aint mustnt "
    "neednt".split()
)
LEXICAL_CUES = frozenset("fail fails failed failing lack lacks lacked lacking refuse refuses refused refusing".split())
RAISING_VERBS = frozenset("think believe say suppose expect feel imagine reckon guess".split())
CAN_FORMS = frozenset("ca can could".split())  # "can't" is tokenised "ca n't"
CAN_NEGATIONS = frozenset("cannot cant couldnt".split())
CAN_IDIOM_COMPARATIVES = frozenset("happier better more worse prouder".split())
CAN_IDIOM_VERBS = frozenset("recommend thank praise say stress emphasise emphasize express".split())
PSEUDO = frozenset({("not", "only"), ("not", "just"), ("no", "doubt"), ("no", "wonder"), ("nothing", "but"),
                    ("without", "doubt"), ("without", "a", "doubt")})
STOP_PUNCTUATION = frozenset(". , ; : ! ? ( ) [ ] - — – …".split())  # and any run of dashes or dots
CLAUSE_BOUNDARIES = frozenset(
    "but yet however although though whereas while because unless except nevertheless nonetheless instead".split()
)
AUXILIARIES = frozenset(
    "be is are was were am been being 's 're 'm do does did have has had 've 'd can ca could will wo would 'll "
    "shall sha should may might must need".split()
)
ELLIPSIS_CONNECTIVES = frozenset({"and", "or"})
COORDINATORS = frozenset({"and", "or", "so"})
SUBJECT_PRONOUNS = frozenset("i he she we they".split())
PRONOUNS_BEFORE_A_VERB = frozenset("you it there".split())  # subjects only before a finite form (not "me or you")
RAISING_FORMS = RAISING_VERBS | frozenset(
    "thinks thought believes believed says said supposes supposed expects expected feels felt imagines imagined "
    "reckons reckoned guesses guessed".split())
DETERMINERS = frozenset("the this that these those my his her its our their your".split())
FINITE = frozenset("is are was were am has have had do does did can ca could will wo would shall sha should may might "
                   "must 're 've 'm 'll".split())  # not 's or 'd, which may be a possessive or "had"
RELATIVES = frozenset("who whom whose which that".split())
NON_RESTRICTIVE = RELATIVES - {"that"}  # after a comma: a relative clause that adds, not one that defines
_SENTENCE_END = frozenset(". ! ? ;".split())
_FULL_STOPS = frozenset(". ! ?".split())
_DASHES = frozenset("- — –".split())
FEATURES = ("cue", "in_scope", "odd_depth")


@dataclass(frozen=True)
class NegationMarks:
    """Per-token negation marks of one text.

    Attributes:
        tokens: the tokens, length ``T``.
        cue: bool ``(T,)``, True at cue tokens, lexical cues included.
        depth: int ``(T,)``, how many cue scopes each token lies in (0 = not negated).
        lexical: bool ``(T,)``, True at lexical cues (``LEXICAL_CUES``), a subset of ``cue``.
    """

    tokens: list
    cue: np.ndarray
    depth: np.ndarray
    lexical: np.ndarray

    @property
    def in_scope(self):
        """bool ``(T,)``: the token lies in at least one scope."""
        return self.depth > 0

    @property
    def explicit(self):
        """bool ``(T,)``: the cues that are not lexical (the shared data's cue list)."""
        return self.cue & ~self.lexical

    @property
    def negated(self):
        """True if the text has at least one cue that is not lexical (pseudo-negations such as "not only" are not
        cues here; :func:`has_negation`, the test-set split, counts them as the shared data does)."""
        return bool(self.explicit.any())

    def features(self):
        """float32 ``(T, 3)``: ``FEATURES`` = cue, in a scope, in an odd number of scopes."""
        return np.stack([self.cue, self.in_scope, self.depth % 2 == 1], axis=1).astype("float32")

    def scope_indices(self, index):
        """The token indices (ascending; a parenthetical or a relative clause left out can split them into runs)
        of the scope of the cue at ``index`` (recomputed for that cue alone)."""
        return _scope(self.tokens, index)

    def scope_of(self, index):
        """The tokens in the scope of the cue at ``index`` (recomputed for that cue alone)."""
        return [self.tokens[i] for i in self.scope_indices(index)]


def is_lexical_cue(tokens, index):
    """True if ``tokens[index]`` is a lexical cue (``LEXICAL_CUES``: *fails, lacks, refuses* ...)."""
    return tokens[index] in LEXICAL_CUES


def is_cue(tokens, index):
    """True if ``tokens[index]`` is a negation cue in its context (``PSEUDO`` phrases and the idioms of
    :func:`_is_can_idiom` excluded; a lexical cue is one, see :func:`is_lexical_cue`)."""
    token = tokens[index]
    if token in LEXICAL_CUES:
        return True
    if token not in CUES and token not in CONTRACTIONS:
        return False
    if any(tuple(tokens[index:index + len(phrase)]) == phrase for phrase in PSEUDO):
        return False
    return not _is_can_idiom(tokens, index)


def _is_can_idiom(tokens, index):
    """Whether the cue at ``index`` negates *can* or *could* in an idiom that praises or intensifies rather than
    negates (the module docstring): *can't wait* to, for or at the clause's end (not *can't wait in line*);
    *couldn't be* (or *have been*) followed by a word of ``CAN_IDIOM_COMPARATIVES`` and no *than* (*couldn't be
    happier*; not *couldn't be more than ten minutes*); a verb of ``CAN_IDIOM_VERBS`` (after at most one adverb)
    whose clause ends in *enough* (*I can't recommend them highly enough*; not *can't turn it up loud enough*), or
    *get enough* at the clause's end or before *of*."""
    token = tokens[index]
    if not (token in CAN_NEGATIONS or (token in {"n't", "not"} and index > 0 and tokens[index - 1] in CAN_FORMS)):
        return False
    run = _run(tokens, index + 1)
    words = [tokens[k] for k in run]
    if words[:1] == ["wait"]:
        return len(words) == 1 or words[1] in {"to", "for"}
    after = words[1:] if words[:1] == ["have"] else words
    if len(after) >= 2 and after[0] in {"be", "been"} and after[1] in CAN_IDIOM_COMPARATIVES:
        return "than" not in after
    verb = words[1] if len(words) > 1 and words[0].endswith("ly") else words[0] if words else None
    if verb in CAN_IDIOM_VERBS and words[-1] == "enough":
        return True
    return words[:2] == ["get", "enough"] and (len(words) == 2 or words[2] == "of")


def _is_dash(token):
    return token in _DASHES or (len(token) > 1 and set(token) == {"-"})


def _is_stop(token):
    return (token in STOP_PUNCTUATION or token in CLAUSE_BOUNDARIES or token == "nor" or _is_dash(token)
            or set(token) == {"."})


def _opens_clause(tokens, index):
    """Whether the coordinator at ``index`` (*and or so*) starts a clause with a subject of its own: a subject
    pronoun follows (*and I was bored*; *you*, *it* and *there* only right before a finite form, as *and it was*,
    not *me or you happy*), or a determiner whose noun phrase of at most three words is followed by a finite
    auxiliary or copula in ``FINITE`` (*and the acting is superb*, *and this one was a delight*; not *and the
    fondness he has* or *or those who can*, whose verb belongs to a relative clause, nor *so that the story was
    clear*, a purpose clause)."""
    if tokens[index] not in COORDINATORS or index + 1 >= len(tokens):
        return False
    following = tokens[index + 1]
    if following in SUBJECT_PRONOUNS:
        return True
    if following in PRONOUNS_BEFORE_A_VERB:
        return index + 2 < len(tokens) and (tokens[index + 2] in FINITE or tokens[index + 2] == "'s")
    if following not in DETERMINERS or (tokens[index], following) == ("so", "that"):  # "so that": a purpose
        return False
    for token in tokens[index + 2:index + 5]:
        if token in FINITE:
            return True
        if _is_stop(token) or token in SUBJECT_PRONOUNS or token in COORDINATORS or token in RELATIVES:
            return False
    return False


def _closes(opener, token):
    if opener == "(":
        return token == ")"
    return _is_dash(token) if _is_dash(opener) else token == opener


def _is_sentence_end(token):
    return token in _FULL_STOPS or (len(token) > 1 and set(token) == {"."})


def _elided_scope(tokens, cue_index):
    """Indices of the clause an auxiliary-final cue at ``cue_index`` negates by ellipsis (module docstring), or an
    empty range when the cue is not clause-final, not auxiliary-final or has no clause before its own."""
    following = tokens[cue_index + 1] if cue_index + 1 < len(tokens) else None
    if following is not None and (following in CLAUSE_BOUNDARIES or not _is_stop(following)):
        return range(0)
    token = tokens[cue_index]
    if not (token in CONTRACTIONS or token == "cannot" or (cue_index > 0 and tokens[cue_index - 1] in AUXILIARIES)):
        return range(0)

    def boundary(t):
        return _is_stop(t) or t in ELLIPSIS_CONNECTIVES

    clause = cue_index
    while clause > 0 and not boundary(tokens[clause - 1]):
        clause -= 1
    end, separated = clause, False
    while end > 0 and boundary(tokens[end - 1]):
        if _is_sentence_end(tokens[end - 1]):
            return range(0)
        separated = separated or tokens[end - 1] != ","
        end -= 1
    if not separated:
        return range(0)
    start = end
    while start > 0 and not _is_stop(tokens[start - 1]):
        start -= 1
    return range(start, end)


def _scope(tokens, cue_index):
    """Indices of the scope of the cue at ``cue_index`` (the rules in the module docstring)."""
    forward = _forward_scope(tokens, cue_index)
    return forward if len(forward) else _elided_scope(tokens, cue_index)


def _after_parenthetical(tokens, start):
    """If ``tokens[start]`` opens a parenthetical (a comma, a dash or ``(``), the index after its closer, or
    ``None`` when it is not closed before the sentence ends; ``start`` itself when nothing opens there."""
    if not (start < len(tokens) and (tokens[start] in (",", "(") or _is_dash(tokens[start]))):
        return start
    opener = tokens[start]
    for k in range(start + 1, len(tokens)):
        if _closes(opener, tokens[k]):
            return k + 1
        if tokens[k] in _SENTENCE_END or set(tokens[k]) == {"."}:
            return None
    return None


def _run(tokens, start, clauses=COORDINATORS, relatives=False):
    """Indices from ``start`` up to (not including) the first scope-ending token or the first coordinator among
    ``clauses`` that opens a clause (:func:`_opens_clause`); with ``relatives`` (in the clause a negated
    clause-taking verb takes), leaving out a non-restrictive relative clause whose closing comma is followed by
    its subject's verb (:func:`_after_relative`). A list, ascending."""
    indices, end = [], start
    while end < len(tokens):
        if tokens[end] == "," and relatives:
            resume = _after_relative(tokens, end)
            if resume is None:
                break
            end = resume
            continue
        if _is_stop(tokens[end]) or (tokens[end] in clauses and _opens_clause(tokens, end)):
            break
        indices.append(end)
        end += 1
    return indices


def _after_relative(tokens, comma):
    """If the comma at ``comma`` opens a non-restrictive relative clause (*, which was cheap,*; *, who has made
    ...,*: a word of ``NON_RESTRICTIVE`` follows it) that a comma closes before the sentence ends, and a finite
    verb of ``FINITE`` follows that comma (the verb of the subject the clause interrupted: "the hotel, which was
    cheap, was bad"), the index of that verb; else ``None``."""
    if comma + 1 >= len(tokens) or tokens[comma + 1] not in NON_RESTRICTIVE:
        return None
    for k in range(comma + 2, len(tokens)):
        if tokens[k] == ",":
            return k + 1 if k + 1 < len(tokens) and tokens[k + 1] in FINITE else None
        if tokens[k] in _SENTENCE_END or _is_dash(tokens[k]) or set(tokens[k]) == {"."}:
            return None
    return None


def _takes_clauses(tokens, start):
    """Whether the scope starting at ``start`` opens with a verb that takes a clause (``RAISING_FORMS``, as first
    or second word) followed by one (*that*, a pronoun or a determiner: "think it is", "believe the story"): its
    clauses joined by *and*/*or* are all negated."""
    for k in (start, start + 1):
        if k + 1 < len(tokens) and tokens[k] in RAISING_FORMS:
            following = tokens[k + 1]
            return (following == "that" or following in SUBJECT_PRONOUNS or following in PRONOUNS_BEFORE_A_VERB
                    or following in DETERMINERS)
    return False


def _is_interjection(tokens, index):
    """Whether ``tokens[index]`` is the interjection *No* ("No, the film is great"): *no* opening a sentence,
    followed by punctuation."""
    opens = index == 0 or _is_sentence_end(tokens[index - 1]) or tokens[index - 1] in {";", ":", '"', "``", "''"}
    return tokens[index] == "no" and opens and index + 1 < len(tokens) and _is_stop(tokens[index + 1])


def _forward_scope(tokens, cue_index):
    """Indices of the tokens after the cue at ``cue_index`` that it negates (possibly none), ascending; a
    parenthetical after a neg-raising verb or a relative clause left out can split them into runs."""
    if _is_interjection(tokens, cue_index):
        return range(0)
    start = _after_parenthetical(tokens, cue_index + 1)
    if start is None:
        return range(0)
    takes_clauses = _takes_clauses(tokens, start)
    clauses = {"so"} if takes_clauses else COORDINATORS  # "so" opens a result, no complement
    scope = _run(tokens, start, clauses, relatives=takes_clauses)
    if 1 <= len(scope) <= 2 and tokens[scope[-1]] in RAISING_FORMS:
        resume = _after_parenthetical(tokens, scope[-1] + 1)
        if resume is not None and resume != scope[-1] + 1:
            return [*scope, *_run(tokens, resume, {"so"}, relatives=True)]
    return scope


def mark_tokens(tokens):
    """:class:`NegationMarks` for an already tokenised text (a list of lower-case tokens)."""
    tokens = list(tokens)
    cue = np.array([is_cue(tokens, i) for i in range(len(tokens))], dtype=bool)
    lexical = np.array([is_lexical_cue(tokens, i) for i in range(len(tokens))], dtype=bool)
    depth = np.zeros(len(tokens), dtype=np.int32)
    for index in np.flatnonzero(cue):
        for j in _scope(tokens, index):
            depth[j] += 1
    return NegationMarks(tokens, cue, depth, lexical)


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
    """bool array ``(n,)``: which of ``texts`` (an iterable of strings, not one string) contain a negation cue,
    by the shared data's definition (see the module docstring: every cue token counts, pseudo-negations and the
    parts of hyphenated words included; lexical cues do not).

    >>> has_negation(["I don't hate it", "I love it", "not only good", "a not-great movie", "it lacks wit"]).tolist()
    [True, False, True, True, False]
    """
    return np.array([any(_is_cue_token(part) for token in tokenize(text) for part in _parts(token))
                     for text in check_texts(texts)], dtype=bool)


def _parts(token):
    """A hyphenated word's parts ("not-great" -> not, great); any other token (dash runs included) as it is."""
    return token.split("-") if "-" in token.strip("-") else [token]


def _is_cue_token(token):
    return token in CUES or token in CONTRACTIONS or token.endswith("n't")


def split_by_negation(frame, text_column="text"):
    """Splits a table into the rows whose text has a negation cue and the rest.

    Returns:
        ``(with_negation, without_negation)``, two DataFrames keeping the original index.
    """
    mask = has_negation(frame[text_column].tolist()) if len(frame) else np.zeros(0, dtype=bool)
    return frame[mask], frame[~mask]


def cue_words(text):
    """The cue tokens of a text, joined by spaces (``""`` if none), as in the shared data's ``cues`` column
    (lexical cues left out)."""
    marks = mark(text)
    return " ".join(t for t, c in zip(marks.tokens, marks.explicit) if c)

