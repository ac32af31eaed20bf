"""Loaders: the SST tree parser and views, rt-polarity, TSV/CSV tables, and their error messages."""

import codecs
import gzip
import io
import os
import re
import sys

import pytest

from domains.sentiment.data import (argument_text, load_bundled, load_checklist, load_data, load_flips, load_rt,
                                    load_sst, load_table, parse_tree, read_lines, read_table, read_text,
                                    sst_split_path)
from shared.cli import InputError
from shared.data_paths import shared_data

TREES = [
    "(3 (2 It) (3 (3 (2 is) (3 good)) (2 .)))",
    "(1 (2 It) (1 (1 (2 is) (1 (1 not) (3 good))) (2 .)))",
    "(2 (2 -LRB-) (2 (2 8 1\\/2) (2 -RRB-)))",
]
SHARED = shared_data("sentiment")
needs_shared = pytest.mark.skipif(SHARED is None, reason="needs ../shared/data/sentiment (set GATED_SHARED_DATA)")


def test_parse_tree_gives_every_node_with_its_span_and_label():
    tree = parse_tree(TREES[1])
    nodes = [(node.text, node.label) for node in tree.nodes()]
    assert nodes[0] == ("It is not good .", 1)
    assert ("not good", 1) in nodes and ("good", 3) in nodes and ("not", 1) in nodes
    assert len(nodes) == 2 * len(tree.words()) - 1          # a binary tree
    assert parse_tree(TREES[2]).text == "( 8 1/2 )"          # PTB escapes, a leaf of two atoms


@pytest.mark.parametrize("line, problem", [
    ("(3 (2 It) (3 good)", "expected ')'"),
    ("(7 good)", "expected a label 0-4"),
    ("(3 (2 It)) extra", "text after the tree"),
    ("(3 )", "a node with neither a word nor children"),
])
def test_malformed_trees_name_the_line(tmp_path, line, problem):
    path = tmp_path / "train.txt"
    path.write_text(TREES[0] + "\n" + line + "\n")
    with pytest.raises(InputError, match=re.escape(f"train.txt: line 2: malformed tree ({problem}")):
        load_sst(path)


def test_sst_views(tmp_path):
    path = tmp_path / "dev.txt.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("\n".join(TREES + [TREES[0]]) + "\n")
    assert sst_split_path(tmp_path, "dev") == path
    sentences = load_sst(path)                                  # SST-2: the neutral root dropped
    assert sentences[["text", "label", "label5", "sid"]].values.tolist() == [
        ["It is good .", 1, 3, 0], ["It is not good .", 0, 1, 1], ["It is good .", 1, 3, 3]]
    assert load_sst(path, classes=5)["label"].tolist() == [3, 1, 2, 3]
    phrases = load_sst(path, view="phrases", classes=5)
    assert phrases["text"].is_unique and "not good" in set(phrases["text"])
    binary = load_sst(path, view="phrases")
    assert 2 not in set(binary["label5"]) and set(binary["label"]) == {0, 1}
    assert dict(zip(binary["text"], binary["label"]))["not good"] == 0


def test_read_lines_breaks_at_newlines_only_and_decodes_each_line(tmp_path):
    path = tmp_path / "lines.txt"
    # a BOM, CRLF, Unicode separators inside texts (U+0085, U+2028, form feed), an empty line, a final newline
    path.write_bytes("\ufeffone\r\ntwo\u0085halves\r\nthree\u2028four\x0cfive\r\n\r\nlast\r\n".encode("utf-8"))
    assert read_lines(path) == ["one", "two\u0085halves", "three\u2028four\x0cfive", "", "last"]
    assert read_text(path).startswith("one")  # the BOM is dropped
    # Windows-1252 (curly apostrophe, ellipsis) beside a UTF-8 line: each line reads as written
    path.write_bytes("it isn\u2019t bad\u2026\n".encode("cp1252") + "caf\u00e9\n".encode("utf-8"))
    assert read_lines(path) == ["it isn\u2019t bad\u2026", "caf\u00e9"]
    path.write_bytes(b"old\rmac\r")  # no \n at all: \r breaks lines
    assert read_lines(path) == ["old", "mac"]
    path.write_bytes(b"no final newline")
    assert read_lines(path) == ["no final newline"]
    path.write_bytes(b"")
    assert read_lines(path) == []


def test_a_byte_order_mark_is_dropped_whatever_the_encoding_of_the_rest(tmp_path):
    """Found in review: a BOM before a Windows-1252 line came out as "ï»¿" at the start of its text."""
    path = tmp_path / "lines.txt"
    path.write_bytes(codecs.BOM_UTF8 + "caf\u00e9 good\n".encode("cp1252") + b"second\n")
    assert read_lines(path) == ["caf\u00e9 good", "second"]
    assert read_text(path) == "caf\u00e9 good\nsecond\n"


def test_a_table_decodes_each_line_on_its_own_and_keeps_a_mark_inside_a_text(tmp_path):
    """Found in audit: one Windows-1252 line made load_table read the whole file as Windows-1252, so every
    UTF-8 "don’t" became "donâ€™t" and lost its negation; a U+FEFF starting a later line was dropped too."""
    path = tmp_path / "mixed.tsv"
    path.write_bytes("text\tlabel\nI don\u2019t like it.\t0\n".encode("utf-8") + "The caf\u00e9 is great.\t1\n".encode(
        "cp1252") + "\ufeffzero width first\t1\n".encode("utf-8"))
    assert load_table(path)["text"].tolist() == ["I don\u2019t like it.", "The caf\u00e9 is great.",
                                                 "\ufeffzero width first"]
    assert read_lines(path)[3] == "\ufeffzero width first\t1"


def test_blank_lines_before_the_header_are_skipped(tmp_path):
    """Found in audit: a table starting with an empty line was read with an empty header ("no column 'text'")."""
    for name, separator in (("lead.tsv", "\t"), ("lead.csv", ",")):
        path = tmp_path / name
        path.write_text(f"\n\r\ntext{separator}label\ngood{separator}1\nbad{separator}maybe\n")
        with pytest.raises(InputError, match=rf"{name}: line 5, column 'label': label 'maybe'"):
            load_table(path)


def test_a_txt_table_whose_first_text_opens_a_bracket_is_not_taken_for_trees(tmp_path):
    """Found in audit: "(Honestly) a great film<TAB>1" in a .txt file was guessed to be SST trees."""
    path = tmp_path / "pairs.txt"
    path.write_text("(Honestly) a great film\t1\n(Honestly) not a great film\t0\n")
    assert load_data(path)["label"].tolist() == [1, 0]
    path.write_text(TREES[0] + "\n")
    assert load_data(path)["label"].tolist() == [1]


def test_a_command_line_text_is_decoded_as_a_line_of_a_file_is():
    """Found in review: a Latin-1 argument reached the JSON output as a lone undecodable byte."""
    typed = os.fsdecode("caf\u00e9 good".encode("latin-1"))  # what Python makes of those bytes in sys.argv
    assert argument_text(typed) == "caf\u00e9 good"
    assert argument_text("d\u00e9j\u00e0 vu \U0001F600") == "d\u00e9j\u00e0 vu \U0001F600"


def test_rt_polarity_plain_gzip_prefix_and_latin1(tmp_path):
    (tmp_path / "rt.pos").write_bytes("a charming film\nna\xefve fun\n".encode("latin-1"))
    with gzip.open(tmp_path / "rt.neg.gz", "wt") as handle:
        handle.write("a dull film\n")
    for path in ("rt", "rt.pos", "rt.neg.gz"):
        table = load_rt(tmp_path / path)
        assert table.values.tolist() == [["a charming film", 1], ["naïve fun", 1], ["a dull film", 0]]
    (tmp_path / "only.pos").write_text("x\n")
    with pytest.raises(FileNotFoundError, match="both .pos and .neg"):
        load_rt(tmp_path / "only.pos")
    (tmp_path / "gap.pos").write_text("fine\n\nok\n")
    (tmp_path / "gap.neg").write_text("bad\n")
    with pytest.raises(InputError, match=r"gap.pos: line 2: empty text"):
        load_rt(tmp_path / "gap")


def test_rt_polarity_ignores_blank_lines_at_the_end_only_and_strips_texts(tmp_path):
    (tmp_path / "end.pos").write_text(" a charming film \n\n  \n")   # blank lines after the last text
    (tmp_path / "end.neg").write_text("a dull film\n\n")
    assert load_rt(tmp_path / "end").values.tolist() == [["a charming film", 1], ["a dull film", 0]]
    (tmp_path / "inner.pos").write_text("fine\n \nok\n\n")             # a blank line between texts
    (tmp_path / "inner.neg").write_text("bad\n")
    with pytest.raises(InputError, match=r"inner.pos: line 2: empty text"):
        load_rt(tmp_path / "inner")


def test_tables_round_trip_with_configurable_columns(tmp_path):
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text('text\tlabel\tnote\nnot bad "at" all\tpositive\tx\nbad 😀\tNEG\ty\n')
    table = load_table(tsv)
    assert table.values.tolist() == [['not bad "at" all', 1, "x"], ["bad 😀", 0, "y"]]
    csv_path = tmp_path / "imdb.csv"
    csv_path.write_text('Sentiment,Text\nPositive,"Great, really"\nNegative,Bad\n')
    assert load_table(csv_path, "Text", "Sentiment")[["text", "label"]].values.tolist() == [["Great, really", 1], ["Bad", 0]]
    assert load_data(tsv)["label"].tolist() == [1, 0]


def test_column_names_are_matched_without_case_when_only_one_column_fits(tmp_path):
    upper = tmp_path / "pairs.tsv"
    upper.write_text("Text\tLABEL\nit was not a disaster\tpositive\nit was a disaster\tnegative\n")
    assert load_table(upper).values.tolist() == [["it was not a disaster", 1], ["it was a disaster", 0]]
    imdb = tmp_path / "imdb.csv"
    imdb.write_text('Sentiment,Text,text\nPositive,"Great, really",x\nNegative,Bad,y\n')
    assert load_table(imdb, label_column="sentiment").values.tolist() == [["x", 1, "Great, really"], ["y", 0, "Bad"]]
    glue = tmp_path / "dev.tsv"  # GLUE's SST-2: no guessing that 'sentence' holds the text
    glue.write_text("sentence\tlabel\nnot a disaster\t1\n")
    with pytest.raises(InputError, match=r"dev.tsv: no column 'text' \(columns: 'sentence', 'label'; --text-column "
                                         r"names another\)"):
        load_table(glue)
    assert load_table(glue, text_column="sentence").values.tolist() == [["not a disaster", 1]]
    headerless = tmp_path / "headerless.tsv"
    headerless.write_text("text\t1\nno text\t0\n")  # a first text that is also the column's name
    assert load_table(headerless).values.tolist() == [["text", 1], ["no text", 0]]


def test_a_two_column_table_without_header_is_read_from_its_first_line(tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("the plot was a disaster\tnegative\nthe plot was not a disaster\tpositive\nfine\t1\nbad\t0\n")
    assert load_data(pairs).values.tolist() == [["the plot was a disaster", 0], ["the plot was not a disaster", 1],
                                                ["fine", 1], ["bad", 0]]
    csv_path = tmp_path / "pairs.csv"
    csv_path.write_text('"good, really",1\nbad,0\n')
    assert load_table(csv_path).values.tolist() == [["good, really", 1], ["bad", 0]]
    pairs.write_text("fine\t1\nbad\tmaybe\n")  # rows are numbered as file lines
    with pytest.raises(InputError, match=r"pairs.tsv: line 2, column 'label': label 'maybe' is not one of"):
        load_table(pairs)


def test_table_rows_are_numbered_as_file_lines_across_blank_lines(tmp_path):
    """Found in review: pandas skips blank lines, so an error after one named the line above it."""
    path = tmp_path / "pairs.tsv"
    path.write_text("text\tlabel\na good film\t1\nnot a good film\t0\n\nbad\t0\nnot bad\tmaybe\n")
    with pytest.raises(InputError, match=r"pairs.tsv: line 6, column 'label': label 'maybe'"):
        load_table(path)
    path.write_text("a good film\t1\n\nnot a good film\t0\n\n")  # blank lines between pairs are skipped
    assert load_table(path).values.tolist() == [["a good film", 1], ["not a good film", 0]]
    assert read_table(path, header=None).index.tolist() == [1, 3]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_rows_after_a_cell_spanning_lines_are_named_by_the_line_they_start_on(tmp_path, ending):
    """Review finding: in a CSV whose quoted cell spans lines, rows were numbered by pandas' record, so an error
    after that cell named a line above the bad row (line 4 for line 6 here), and so did pandas' own message for a
    row with a cell too many. Rows are named by the line they start on, as the churn logs name theirs."""
    path = tmp_path / "reviews.csv"

    def write(text):
        path.write_bytes(text.replace("\n", ending).encode())

    write('text,label\n"a good\nfilm, really\nfine",1\n\nbad film,maybe\n')
    with pytest.raises(InputError, match=r"reviews.csv: line 6, column 'label': label 'maybe' is not one of"):
        load_table(path)
    assert read_table(path).index.tolist() == [2, 6]
    write('"a good\nfilm",1\n\nbad film,maybe\n')  # no header
    with pytest.raises(InputError, match=r"reviews.csv: line 4, column 'label': label 'maybe' is not one of"):
        load_table(path)
    write('text,label\n"a good\nfilm",1\nbad,film,0\n')  # a cell too many, after the cell over two lines
    with pytest.raises(InputError, match=r"reviews.csv: line 4: more cells than the header's 2 \(a separator"):
        load_table(path)


@pytest.mark.parametrize("name, content", [
    ("quoted.tsv", 'text\tlabel\n"a good\tfilm"\t1\n"not a good\tfilm"\t0\n'),  # TSV cells are not quoted
    ("commas.csv", "text,label\nGreat, really good,1\nBad, really bad,0\n"),      # unquoted commas in a CSV
])
def test_a_table_whose_rows_all_have_a_cell_too_many_is_refused_naming_the_line(tmp_path, name, content):
    """Found in review: pandas took the first cell of every row as an index and dropped it, so ``evaluate``
    scored 'film"' for '"a good<TAB>film"' and exited 0."""
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError, match=rf"{name}: line 2: more cells than the header's 2"):
        load_table(path)


def test_a_table_on_standard_input_is_read_once_with_or_without_a_header(monkeypatch):
    """Found in review: a headerless table on standard input was read a second time, by then empty."""
    for text in ("good film\t1\nbad film\t0\n", "text\tlabel\ngood film\t1\nbad film\t0\n"):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
        assert load_table("-").values.tolist() == [["good film", 1], ["bad film", 0]]


@pytest.mark.parametrize("content, message", [
    ("words\tlabel\nfine\t1\n", r"no column 'text' \(columns: 'words', 'label'; --text-column names another\)"),
    ("sentence\tscore\nfine\t1\n", r"no column 'text' \(columns: 'sentence', 'score'; --text-column names another\)"),
    ("text\tlabel\nfine\t1\nbad\tmaybe\n", r"line 3, column 'label': label 'maybe' is not one of"),
    ("text\tlabel\nfine\t1\n  \t0\n", r"line 3, column 'text': empty text"),
])
def test_table_errors_name_file_line_and_column(tmp_path, content, message):
    path = tmp_path / "bad.tsv"
    path.write_text(content)
    with pytest.raises(InputError, match=rf"bad.tsv: {message}"):
        load_table(path)


def test_checklist_and_flip_loaders(tmp_path):
    checklist = tmp_path / "cl.tsv"
    checklist.write_text("test\tcapability\ttext\texpected\nt\tNegation\tnot good\tneg\nt\tNegation\tok\tmaybe\n")
    with pytest.raises(InputError, match=r"line 3, column 'expected'"):
        load_checklist(checklist)
    checklist.write_text("test\ttext\texpected\nt\tnot good\tneg\n")  # evaluate_all splits by capability
    with pytest.raises(InputError, match=r"cl.tsv: missing column\(s\) \['capability'\]"):
        load_checklist(checklist)
    flips = tmp_path / "flips.tsv"
    flips.write_text("split\tnode_text\tnode_label5\toperator\ttest\nt\tnot good\t1\tnot\t\ntest\tnever dull\t4\tnever\t\n")
    assert load_flips(flips, "test")[["text", "label", "operator"]].values.tolist() == [["never dull", 1, "never"]]


@needs_shared
def test_shared_sst_counts_match_the_provenance():
    trees = SHARED / "sst" / "trees"
    assert [len(load_sst(sst_split_path(trees, s))) for s in ("dev", "test")] == [872, 1821]
    assert [len(load_sst(sst_split_path(trees, s), classes=5)) for s in ("dev", "test")] == [1101, 2210]
    assert len(load_flips(SHARED / "sst" / "sst_negation_flips.tsv", "test")) == 80
    rt = load_rt(SHARED / "rt-polarity" / "rt-polarity.pos.gz")
    assert len(rt) == 10_662 and rt["label"].sum() == 5_331


def test_bundled_rt_polarity_sentences():
    table = load_bundled()
    assert table.columns.tolist() == ["text", "label"] and len(table) == 10_496
    assert table["label"].value_counts().to_dict() == {0: 5_260, 1: 5_236}
    assert table["text"].str.strip().str.len().gt(0).all()
    assert table["text"].str.lower().str.replace(r"[^a-z0-9]", "", regex=True).nunique() == 10_451                                  # rt-polarity's own repeats, nothing else
    assert not table["text"].str.contains("\t").any()


@needs_shared
def test_bundled_labels_agree_with_rt_polarity():
    rt = load_rt(SHARED / "rt-polarity" / "rt-polarity.pos.gz")
    def key(texts):
        return texts.str.lower().str.replace(r"[^a-z0-9]", "", regex=True)

    rt_label = dict(zip(key(rt["text"]), rt["label"]))
    bundled = load_bundled()
    matched = key(bundled["text"]).map(rt_label)
    assert matched.notna().sum() == 10_471
    assert (matched.dropna().astype(int) == bundled["label"][matched.notna()]).all()
