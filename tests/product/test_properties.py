"""Property-based tests (hypothesis): every loader keeps its documented invariants on generated valid input and
raises ``InputError``, never anything else, on generated invalid input; the ``shared.layers`` layers keep their
shape contracts for generated batch, time, feature and unit sizes and return options.

Example counts are small so that the module runs in well under a minute. The runs are derandomised (the same
examples every time, so CI is reproducible) and keep no example database; hypothesis prints any failing
example in full.
"""

import gzip
import io
import string

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shared.cli import InputError

FAST = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
LAYERS = settings(max_examples=8, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

ids = st.text(string.ascii_letters + string.digits + "_.", min_size=1, max_size=8).filter(lambda s: s[0].isalnum())
junk = st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode))


def _write(folder, name, data, compress=False):
    path = folder / (name + (".gz" if compress else ""))
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return path


def _loads_or_input_error(load, *args):
    """Calls ``load``; an ``InputError`` is fine, any other exception fails the test. Returns the result or None."""
    try:
        return load(*args)
    except InputError as error:
        assert str(error).strip() and "\n" not in str(error)
        return None


# --- genomics --------------------------------------------------------------------------------------------


@FAST
@given(records=st.lists(st.tuples(ids, st.text("ACGTUNacgtunRYKMSWBDHV", min_size=1, max_size=200)),
                        min_size=1, max_size=4, unique_by=lambda r: r[0]),
       width=st.integers(10, 80), compress=st.booleans())
def test_fasta_loads_cleaned_sequences(tmp_path_factory, records, width, compress):
    from domains.genomics.data import label_contig, read_genome

    assume(not any(set(seq.upper()) <= set("RYKMSWBDHVN") for _, seq in records))  # refused as not DNA
    text = "".join(f">{name} desc\n" + "\n".join(seq[i:i + width] for i in range(0, len(seq), width)) + "\n"
                   for name, seq in records)
    path = _write(tmp_path_factory.mktemp("fa"), "g.fa", text.encode(), compress)
    contigs = read_genome(path)
    assert [c.id for c in contigs] == [name for name, _ in records]
    for contig, (_, seq) in zip(contigs, records):
        expected = seq.upper().replace("U", "T").translate(str.maketrans("RYKMSWBDHV", "N" * 10))
        assert contig.sequence == expected and set(contig.sequence) <= set("ACGTN")
        assert contig.genes == [] and contig.translation_table == 11
        labels = label_contig(contig)
        assert labels["coding"].shape == (2, len(seq)) and not labels["coding"].any()


@FAST
@given(length=st.integers(30, 400), data=st.data())
def test_genbank_cds_become_genes_inside_the_sequence(tmp_path_factory, length, data):
    from Bio import SeqIO
    from Bio.Seq import Seq
    from Bio.SeqFeature import FeatureLocation, SeqFeature
    from Bio.SeqRecord import SeqRecord

    from domains.genomics.data import label_contig, read_genome

    sequence = data.draw(st.text("ACGT", min_size=length, max_size=length))
    spans = data.draw(st.lists(st.tuples(st.integers(0, length - 6), st.integers(6, 60), st.sampled_from([1, -1])),
                               max_size=5))
    record = SeqRecord(Seq(sequence), id="c1", annotations={"molecule_type": "DNA"})
    for k, (start, size, strand) in enumerate(spans):
        end = min(length, start + size)
        record.features.append(SeqFeature(FeatureLocation(start, end, strand), type="CDS",
                                          qualifiers={"locus_tag": [f"g{k}"]}))
    handle = io.StringIO()
    SeqIO.write(record, handle, "genbank")
    path = _write(tmp_path_factory.mktemp("gb"), "g.gb", handle.getvalue().encode())
    (contig,) = read_genome(path)
    assert contig.sequence == sequence
    assert sorted(g.parts[0] for g in contig.genes) == sorted((s, min(length, s + n)) for s, n, _ in spans)
    labels = label_contig(contig)
    assert labels["coding"].shape == (2, length) and set(np.unique(labels["coding"])) <= {0, 1, 2, 3}
    covered = {(0 if strand == 1 else 1, p) for s, n, strand in spans for p in range(s, min(length, s + n))}
    assert int((labels["coding"] > 0).sum()) == len(covered)


@FAST
@given(data=st.one_of(junk, st.text(">ACGT\n \tx0;=", max_size=200).map(str.encode)), compress=st.booleans())
def test_genome_reader_refuses_anything_else_with_input_error(tmp_path_factory, data, compress):
    from domains.genomics.data import read_genome

    contigs = _loads_or_input_error(read_genome, _write(tmp_path_factory.mktemp("junk"), "x", data, compress))
    for contig in contigs or []:
        assert len(contig) > 0 and set(contig.sequence) <= set("ACGTN")


@FAST
@given(lines=st.lists(st.lists(st.text(string.printable.replace("\n", "").replace("\r", ""), max_size=12),
                               min_size=9, max_size=10).map("\t".join), max_size=4))
def test_gff3_reader_refuses_malformed_lines_with_input_error(tmp_path_factory, lines):
    from domains.genomics.data import Contig, add_gff3_annotation

    path = _write(tmp_path_factory.mktemp("gff"), "a.gff3", ("##gff-version 3\n" + "\n".join(lines)).encode())
    contig = Contig("c1", "ACGT" * 50)
    result = _loads_or_input_error(add_gff3_annotation, [contig], path)
    for gene in (result or [contig])[0].genes:
        assert all(0 <= start < end <= len(contig) for start, end in gene.parts)


# --- sentiment -------------------------------------------------------------------------------------------

words = st.text(string.ascii_letters + "'-.,!", min_size=1, max_size=8).filter(lambda w: w not in ("(", ")"))


def _trees(depth):
    leaf = st.tuples(st.integers(0, 4), words).map(lambda t: (f"({t[0]} {t[1]})", [t[1]], [t[0]]))
    return st.recursive(leaf, lambda sub: st.tuples(st.integers(0, 4), st.lists(sub, min_size=1, max_size=3)).map(
        lambda t: (f"({t[0]} " + " ".join(c[0] for c in t[1]) + ")", [w for c in t[1] for w in c[1]],
                   [t[0]] + [label for c in t[1] for label in c[2]])), max_leaves=depth)


@FAST
@given(tree=_trees(8))
def test_sst_tree_round_trip(tree):
    from domains.sentiment.data import parse_tree

    text, leaf_words, labels = tree
    parsed = parse_tree(text)
    assert parsed.words() == leaf_words
    assert sorted(node.label for node in parsed.nodes()) == sorted(labels)


@FAST
@given(line=st.text("() 0123456789abc-", max_size=40))
def test_sst_tree_parser_refuses_malformed_trees_with_input_error(line):
    from domains.sentiment.data import parse_tree

    tree = _loads_or_input_error(parse_tree, line)
    if tree is not None:
        assert all(0 <= node.label <= 4 for node in tree.nodes())


@FAST
@given(rows=st.lists(st.tuples(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
                               .filter(str.strip),
                               st.sampled_from(["0", "1", "neg", "pos", "Negative", "POSITIVE"])), min_size=1,
                     max_size=8),
       suffix=st.sampled_from([".tsv", ".csv"]), compress=st.booleans())
def test_labelled_tables_load_texts_and_binary_labels(tmp_path_factory, rows, suffix, compress):
    from domains.sentiment.data import load_table

    if suffix == ".tsv":
        assume(all("\t" not in text for text, _ in rows))
        raw = "text\tlabel\n" + "".join(f"{text}\t{label}\n" for text, label in rows)
    else:
        raw = pd.DataFrame(rows, columns=["text", "label"]).to_csv(index=False)
    path = _write(tmp_path_factory.mktemp("table"), "t" + suffix, raw.encode(), compress)
    table = load_table(path)
    assert list(table["text"]) == [text for text, _ in rows]
    assert list(table["label"]) == [1 if label.lower() in ("1", "pos", "positive") else 0 for _, label in rows]


@FAST
@given(data=junk, compress=st.booleans(), suffix=st.sampled_from([".tsv", ".csv", ".txt"]))
def test_sentiment_loaders_refuse_junk_with_input_error(tmp_path_factory, data, compress, suffix):
    from domains.sentiment.data import load_data

    table = _loads_or_input_error(load_data, _write(tmp_path_factory.mktemp("junk"), "x" + suffix, data, compress))
    if table is not None:
        assert set(table["label"]) <= {0, 1} and all(text.strip() for text in table["text"])


# --- ecology ---------------------------------------------------------------------------------------------


@FAST
@given(n=st.integers(3, 40), step=st.sampled_from([1, 2, 0.5]), start=st.integers(1800, 2000), data=st.data())
def test_population_series_load_on_a_regular_grid(tmp_path_factory, n, step, start, data):
    from domains.ecology.data import load_series

    values = data.draw(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=n, max_size=n).filter(
        lambda v: max(v) > 0))
    dropped = data.draw(st.sets(st.integers(1, n - 2), max_size=max(0, int(0.1 * n)))) if n > 2 else set()
    kept = [i for i in range(n) if i not in dropped]
    raw = "series_id,time,value\n" + "".join(f"s1,{start + i * step},{values[i]!r}\n" for i in kept)
    series = load_series(_write(tmp_path_factory.mktemp("eco"), "s.csv", raw.encode()))["s1"]
    assert len(series) == n and np.allclose(np.diff(series.time), step)
    assert int(series.filled.sum()) == len(dropped)
    assert np.all(np.isfinite(series.value)) and np.all(series.value >= 0)
    assert np.all(np.isfinite(series.log))
    np.testing.assert_allclose(series.value[kept], np.array(values)[kept], rtol=1e-12)


@FAST
@given(data=st.one_of(junk, st.text("series_id,time,value\n0123456789.-einfa ", max_size=200).map(str.encode)),
       compress=st.booleans())
def test_series_loader_refuses_anything_else_with_input_error(tmp_path_factory, data, compress):
    from domains.ecology.data import load_series

    result = _loads_or_input_error(load_series, _write(tmp_path_factory.mktemp("junk"), "x.csv", data, compress))
    for series in (result or {}).values():
        assert np.all(np.isfinite(series.log)) and np.all(np.diff(series.time) > 0)


# --- churn -----------------------------------------------------------------------------------------------

dates = st.dates(pd.Timestamp("1990-01-01").date(), pd.Timestamp("2030-12-31").date())


@FAST
@given(rows=st.lists(st.tuples(ids, dates, st.integers(0, 50), st.floats(0, 1e9, allow_nan=False)), min_size=1,
                     max_size=20), compress=st.booleans())
def test_event_logs_load_every_row(tmp_path_factory, rows, compress):
    from domains.churn.data import read_event_log

    raw = "customer_id,date,number_of_cds,dollar_value\n" + "".join(
        f"{c},{d.isoformat()},{k},{v!r}\n" for c, d, k, v in rows)
    log = read_event_log(_write(tmp_path_factory.mktemp("log"), "t.csv", raw.encode(), compress))
    assert list(log["customer_id"]) == [c for c, *_ in rows]
    assert list(log["date"].dt.date) == [d for _, d, *_ in rows]
    assert log["dollar_value"].to_numpy() == pytest.approx([v for *_, v in rows])
    assert (log[["number_of_cds", "dollar_value"]].to_numpy() >= 0).all()


@FAST
@given(data=st.one_of(junk, st.text("customer_id,date,number_of_cds,dollar_value\n0123456789-.naif ", max_size=200)
                      .map(str.encode)), compress=st.booleans())
def test_event_log_reader_refuses_anything_else_with_input_error(tmp_path_factory, data, compress):
    from domains.churn.data import read_event_log

    log = _loads_or_input_error(read_event_log, _write(tmp_path_factory.mktemp("junk"), "x.csv", data, compress))
    if log is not None:
        numeric = log.drop(columns=["customer_id", "date", "event_type"], errors="ignore").to_numpy(float)
        assert np.isfinite(numeric).all() and (numeric >= 0).all() and log["date"].notna().all()


@FAST
@given(rows=st.lists(st.tuples(st.floats(0, 1e6, allow_nan=False), st.sampled_from(["yes", "no", "1", "0", "True", "FALSE"]),
                               st.sampled_from(["a", "b", "c"]), st.floats(-1e6, 1e6, allow_nan=False)),
                     min_size=1, max_size=15))
def test_static_tables_load_durations_events_and_covariates(tmp_path_factory, rows):
    from domains.churn.data import read_static_table

    raw = "id,tenure,churn,plan,charge\n" + "".join(f"c{i},{d!r},{e},{p},{x!r}\n" for i, (d, e, p, x) in enumerate(rows))
    frame, covariates, schema = read_static_table(
        _write(tmp_path_factory.mktemp("static"), "s.csv", raw.encode()), "tenure", "churn", "id")
    assert list(frame.index) == [f"c{i}" for i in range(len(rows))]
    assert frame["duration"].to_numpy() == pytest.approx([d for d, *_ in rows])
    assert list(frame["event"]) == [int(e.lower() in ("1", "yes", "true")) for _, e, *_ in rows]
    assert "charge" in covariates and len(covariates) == len(rows)
    assert set(covariates.columns) - {"charge"} <= {"plan_b", "plan_c"} and schema["charge"] is None


@FAST
@given(data=st.one_of(junk, st.text("id,tenure,churn\n0123456789-.naif ", max_size=200).map(str.encode)))
def test_static_table_reader_refuses_anything_else_with_input_error(tmp_path_factory, data):
    from domains.churn.data import read_static_table

    result = _loads_or_input_error(read_static_table, _write(tmp_path_factory.mktemp("junk"), "x.csv", data),
                                   "tenure", "churn", "id")
    if result is not None:
        frame = result[0]
        assert np.isfinite(frame["duration"]).all() and (frame["duration"] >= 0).all()


# --- shape contracts of shared.layers ----------------------------------------------------------------------

sizes = st.fixed_dictionaries({"batch": st.integers(1, 3), "time": st.integers(1, 6), "features": st.integers(1, 4),
                               "units": st.integers(1, 5)})


def _x(s):
    return np.random.default_rng(0).normal(size=(s["batch"], s["time"], s["features"])).astype("float32")


def _shape(tensor):
    return tuple(tensor.shape)


@LAYERS
@given(s=sizes, layer_name=st.sampled_from(["GatedLSTM", "GatedGRU"]), sequences=st.booleans(), state=st.booleans(),
       gates=st.booleans())
def test_gated_recurrent_shapes(s, layer_name, sequences, state, gates):
    import shared.layers

    layer = getattr(shared.layers, layer_name)(s["units"], return_sequences=sequences, return_state=state,
                                              return_gates=gates)
    result = layer(_x(s))
    result = list(result) if isinstance(result, (list, tuple)) else [result]
    b, t, u = s["batch"], s["time"], s["units"]
    assert _shape(result[0]) == ((b, t, u) if sequences else (b, u))
    n_states = (2 if layer_name == "GatedLSTM" else 1) if state else 0
    assert [_shape(h) for h in result[1:1 + n_states]] == [(b, u)] * n_states
    if gates:
        names = {"input", "forget", "output", "candidate", "cell"} if layer_name == "GatedLSTM" else {
            "update", "reset", "candidate"}
        assert set(result[-1]) == names and all(_shape(g) == (b, t, u) for g in result[-1].values())
    assert len(result) == 1 + n_states + int(gates)


@LAYERS
@given(s=sizes, sequences=st.booleans(), state=st.booleans())
def test_leaky_integrator_shapes(s, sequences, state):
    from shared.layers import LeakyIntegrator

    result = LeakyIntegrator(s["units"], return_sequences=sequences, return_state=state)(_x(s))
    result = list(result) if isinstance(result, (list, tuple)) else [result]
    b, t, u = s["batch"], s["time"], s["units"]
    assert _shape(result[0]) == ((b, t, u) if sequences else (b, u))
    assert [_shape(r) for r in result[1:]] == ([(b, u), (b, u)] if state else [])


@LAYERS
@given(s=sizes, order=st.integers(1, 4), sequences=st.booleans(), state=st.booleans())
def test_dense_temporal_shapes(s, order, sequences, state):
    from shared.layers import DenseTemporalRNN

    result = DenseTemporalRNN(s["units"], order=order, return_sequences=sequences, return_state=state)(_x(s))
    result = list(result) if isinstance(result, (list, tuple)) else [result]
    b, t, u = s["batch"], s["time"], s["units"]
    assert _shape(result[0]) == ((b, t, u) if sequences else (b, u))
    assert [_shape(r) for r in result[1:]] == ([(b, u)] * order if state else [])


@LAYERS
@given(s=sizes, attention=st.booleans(), masked=st.booleans())
def test_attention_pooling_shapes_and_weights(s, attention, masked):
    from shared.layers import AttentionPooling

    mask = np.arange(s["time"])[None, :] < np.arange(1, s["batch"] + 1)[:, None] if masked else None
    result = AttentionPooling(s["units"], return_attention=attention)(_x(s), mask=mask)
    context, weights = result if attention else (result, None)
    assert _shape(context) == (s["batch"], s["features"])
    if attention:
        weights = np.asarray(weights)
        assert weights.shape == (s["batch"], s["time"])
        np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-5)
        if masked:
            assert np.all(weights[~mask] == 0)


@LAYERS
@given(s=sizes, blocks=st.lists(st.tuples(st.integers(1, 6), st.integers(1, 5), st.integers(1, 3)), min_size=1,
                                max_size=3), residual=st.booleans())
def test_conv_front_end_keeps_the_time_length(s, blocks, residual):
    from shared.layers import ConvFrontEnd

    filters, kernels, dilations = (list(column) for column in zip(*blocks))
    layer = ConvFrontEnd(filters=filters, kernel_sizes=kernels, dilation_rates=dilations, residual=residual)
    assert _shape(layer(_x(s))) == (s["batch"], s["time"], filters[-1])
