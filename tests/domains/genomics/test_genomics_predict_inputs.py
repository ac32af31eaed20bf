"""What the prediction functions take: a non-empty list of Contig, cleaned as the file reader cleans."""

import numpy as np
import pytest
from Bio.Seq import Seq
from Bio.SeqRecord import SeqRecord

from domains.genomics.baselines import prodigal_genes
from domains.genomics.data import Contig, read_genome, sub_contig
from domains.genomics.model import build_gene_model
from domains.genomics.predict import posteriors, predict_genes
from shared.data_paths import bundled

TINY = {"filters": (4,), "kernel_sizes": (3,), "dilation_rates": (1,), "lstm_units": (2,), "lstm_stride": 3}


@pytest.fixture(scope="module")
def model():
    import keras

    keras.utils.set_random_seed(0)
    return build_gene_model(**TINY)


@pytest.fixture(scope="module")
def dna():
    (genome,) = read_genome(bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz"), use_annotation=False)
    return sub_contig(genome, 100_000, 103_000).sequence


def test_rna_lower_case_and_seq_contigs_predict_as_the_dna_read_from_a_file(model, dna):
    """A hand-built RNA contig kept its U (read as N: 0 genes where the file reader's copy gave 35) and a
    Bio.Seq failed with AttributeError 'encode'."""
    (expected,) = posteriors(model, [Contig("x", dna)], window=768, stride=512).values()
    for sequence in (dna.replace("T", "U"), dna.lower().replace("t", "u"), Seq(dna), Seq(dna.replace("T", "U"))):
        (got,) = posteriors(model, [Contig("x", sequence)], window=768, stride=512).values()
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])


@pytest.mark.parametrize("call", ["predict_genes", "posteriors", "prodigal_genes"])
def test_prediction_functions_refuse_what_is_not_a_list_of_contigs_in_one_line(model, call):
    run = {"predict_genes": lambda contigs: predict_genes(model, contigs),
           "posteriors": lambda contigs: posteriors(model, contigs),
           "prodigal_genes": prodigal_genes}[call]
    with pytest.raises(ValueError, match="contigs is empty: give at least one Contig"):
        run([])
    with pytest.raises(TypeError, match=r"contigs\[0\]: expected a Contig, got SeqRecord: build one with Contig\("):
        run([SeqRecord(Seq("ACGT"), id="r")])
    with pytest.raises(TypeError, match=r"contigs: expected a list of Contig, got Contig: pass a list"):
        run(Contig("x", "ACGT"))
    with pytest.raises(TypeError, match=r"contigs\[0\]: expected a Contig, got str"):
        run(["ACGT"])


def test_a_generator_of_contigs_is_read_once_as_a_list(model, dna):
    contigs = [Contig("a", dna), Contig("b", dna[:1500])]
    assert predict_genes(model, iter(contigs)) == predict_genes(model, contigs)


def _other_model(kind):
    """A Keras model that is not a gene finder: one output array, outputs of the wrong shapes, or 5 input channels."""
    import keras

    dna = keras.Input((None, 5 if kind == "five-channels" else 4), name="dna")
    if kind == "one-output":
        return keras.Model(dna, keras.layers.Dense(3)(dna))
    coding = keras.layers.Dense(4 if kind == "flat-coding" else 8)(dna)
    if kind != "flat-coding":
        coding = keras.layers.Reshape((-1, 2, 4))(coding)
    return keras.Model(dna, {"coding": coding, "start": keras.layers.Dense(2)(dna)})


@pytest.mark.parametrize("kind, has", [
    ("one-output", r"its output: \(None, None, 3\)"),
    ("flat-coding", r"its outputs: 'coding' \(None, None, 4\), 'start' \(None, None, 2\)"),
    ("five-channels", r"its input: \(None, None, 5\)"),
])
def test_a_model_that_is_not_a_gene_finder_is_refused_naming_what_it_lacks(tmp_path, dna, kind, has):
    """Review finding: a Keras model of another kind given to predict_genes failed deep inside: IndexError ('only
    integers, slices ...') for one output array, a ValueError from the decoder or from Keras' input check after
    the network had run for the others. It is refused up front, naming what a gene finder has and what it has."""
    from shared.cli import InputError
    from domains.genomics.model import load_gene_model

    other = _other_model(kind)
    expected = (r"^not a gene finder \(one input of one-hot DNA \(batch, window, 4\) and the outputs 'coding' "
                rf"\(batch, window, 2, 4\) and 'start' \(batch, window, 2\) expected; {has}\)$")
    for call in (predict_genes, posteriors):
        with pytest.raises(ValueError, match=expected):
            call(other, [Contig("x", dna)], window=768, stride=512)
    other.save(tmp_path / "other.keras")
    with pytest.raises(InputError, match=rf"other.keras: {expected[1:-1]}; give a model written by"):
        load_gene_model(tmp_path / "other.keras")
    with pytest.raises(ValueError, match=r"not a gene finder \(.* expected; got str, not a Keras model\)$"):
        predict_genes("genes.keras", [Contig("x", dna)])
