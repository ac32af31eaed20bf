"""Text normalisation and tokenisation shared by the negation marker, the baselines and the model.

One tokeniser everywhere, so that a per-token negation flag lines up with the token the model sees. It follows
the Penn Treebank conventions SST already uses, so raw text ("didn't", "it's") and SST's pre-tokenised text
("did n't", "it 's") give the same tokens:

- Unicode NFKC, curly apostrophes to ``'``, as are a backtick, an acute accent, a prime or a modifier-letter
  apostrophe between two letters (``wasn`t``, ``wasn´t``: typed in place of an apostrophe), lower case;
- clitics split off: ``n't`` (``"don't"`` -> ``do n't``, ``"can't"`` -> ``ca n't``) and ``'s 're 've 'll 'd 'm``;
- a token is a run of letters/digits (with inner ``-`` or ``'``, e.g. ``"well-made"``, ``"o'clock"``), a run
  of two or more dashes or dots (``--``, ``...``), or any other single non-space character (punctuation, each
  emoji code point); a hyphenated word that starts with *not-* is split into its words (``"not-so-good"`` ->
  ``not so good``), as is *no-one* (``no one``), so the negation it holds is seen
  (:mod:`domains.sentiment.negation`);
- non-English text is tokenised by the same rule (Unicode letters count as letters); it is mostly out of the
  model's vocabulary, so its predictions carry little meaning, but it never fails.

Bad and extreme input has defined behaviour: :func:`check_text` raises :class:`shared.cli.InputError` for a
value that is not a string, and :func:`check_texts` for a single string where a collection of texts is expected
(as scikit-learn's vectorisers do: a string is not read as a list of characters); an empty or whitespace-only
string gives no tokens; a text longer than ``MAX_CHARS`` characters is cut to its first ``MAX_CHARS``
characters before tokenising, and the token list to its first ``MAX_TOKENS`` tokens (a sentence-level
classifier; SST's longest sentence has 56 tokens).
"""

import collections
import re
import unicodedata

from shared.cli import InputError

MAX_CHARS = 5_000
MAX_TOKENS = 200

_APOSTROPHE = re.compile(r"(?<=[^\W\d_])[`\u00b4\u02bc\u2032\u201b](?=[^\W\d_])")
_CLITIC_NT = re.compile(r"(?<=[^\W\d_])n't\b")
_CLITIC_OTHER = re.compile(r"(?<=\w)'(s|re|ve|ll|d|m)\b")
_TOKEN = re.compile(r"n't\b|'(?:s|re|ve|ll|d|m)\b|[^\W_]+(?:[-'][^\W_]+)*|-{2,}|\.{2,}|\S")


def check_text(value, where="text"):
    """Returns ``value`` if it is a string, else raises :class:`InputError` naming ``where`` and the type.

    >>> check_text("fine")
    'fine'
    """
    if not isinstance(value, str):
        raise InputError(f"{where}: expected a string, got {type(value).__name__} {value!r:.40}")
    return value


def check_texts(values, where="texts"):
    """``values`` (an iterable of strings) as a list, every element checked with :func:`check_text`.

    Raises:
        InputError: ``values`` is a single string (one text goes in a list: ``["a wonderful film"]``), a
            DataFrame (iterating one gives its column names: pass its column of texts, ``df["text"]``), or an
            element is not a string (named by its position).

    >>> check_texts(("good", "bad"))
    ['good', 'bad']
    """
    if isinstance(values, str):
        raise InputError(f"{where}: iterable over raw text documents expected, string object received "
                         f"(put one text in a list)")
    if hasattr(values, "columns"):  # a pandas (or polars) DataFrame: iterating it gives its column names
        columns = list(values.columns)
        column = "text" if "text" in columns else (columns[0] if columns else "text")
        raise InputError(f"{where}: a DataFrame received (iterating one gives its column names, {columns[:5]}); "
                         f"pass its column of texts, e.g. df[{column!r}]")
    texts = list(values)
    for index, text in enumerate(texts):
        check_text(text, f"{where}[{index}]")
    return texts


def straighten(text):
    """``text`` with curly single quotes and apostrophe stand-ins (a backquote, acute accent or prime between
    letters) made straight, case and everything else kept: "don’t" reads as "don't".

    >>> straighten("I DON’T like it´s ending")
    "I DON'T like it's ending"
    """
    return _APOSTROPHE.sub("'", text).replace("\u2019", "'").replace("\u2018", "'")


def normalise(text):
    """NFKC, curly quotes and apostrophe stand-ins straightened (:func:`straighten`), lower-cased, whitespace
    collapsed, cut to ``MAX_CHARS`` characters.

    >>> normalise("  It’s   GOOD ")
    "it's good"
    >>> normalise("wasn`t ``good''")
    "wasn't ``good''"
    """
    text = unicodedata.normalize("NFKC", straighten(text[: 2 * MAX_CHARS])).lower()  # NFKC makes no curly quote
    return " ".join(text.split())[:MAX_CHARS]


def tokenize(text):
    """The list of tokens of one text (see the module docstring), at most ``MAX_TOKENS`` long.

    >>> tokenize("I didn't like it's ending... 😀")
    ['i', 'did', "n't", 'like', 'it', "'s", 'ending', '...', '😀']
    >>> tokenize("did n't") == tokenize("didn't")
    True
    >>> tokenize("   ")
    []
    """
    text = normalise(check_text(text))
    text = _CLITIC_NT.sub(" n't", text)
    text = _CLITIC_OTHER.sub(r" '\1", text)
    tokens = [part for token in _TOKEN.findall(text)
              for part in (token.split("-") if token.startswith("not-") or token == "no-one" else [token])]
    return tokens[:MAX_TOKENS]


def tokenized(text):
    """The tokens joined by single spaces: the form the model's whitespace-splitting vectoriser reads.

    >>> tokenized("Don't!")
    "do n't !"
    """
    return " ".join(tokenize(text))


def token_counts(texts):
    """dict token -> number of occurrences over ``texts`` (:func:`tokenize`), in order of first appearance.

    >>> token_counts(["not bad", "Bad film"])
    {'not': 1, 'bad': 2, 'film': 1}
    """
    return dict(collections.Counter(token for text in texts for token in tokenize(text)))
