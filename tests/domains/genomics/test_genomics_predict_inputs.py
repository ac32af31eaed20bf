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
