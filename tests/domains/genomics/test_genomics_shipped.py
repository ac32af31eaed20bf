"""The shipped gene finder (``domains/genomics/weights``): its card is complete and the weights still
reproduce the card's figures on the bundled genome; ``predict`` uses them by default."""

import json
import os
import subprocess
import sys

import pytest

from domains.genomics.__main__ import SHIPPED
from domains.genomics.data import Contig, read_genome
from domains.genomics.evaluate import bundled_agreement
from domains.genomics.gff3 import protein
from domains.genomics.predict import coding_density, predict_genes
from shared.data_paths import bundled
from shared.safe_load import load_model

CARD = SHIPPED.with_suffix(".json")
TRAINING = {"GCF_000005845.2_ASM584v2_genomic.gbff.gz", "GCF_008369605.1_ASM836960v1_genomic.gbff.gz",
            "Mycoplasma_gallisepticum_Rlow_NC_004829.gbk.gz", "sequence.fasta.gz"}
NEVER_TRAINED_ON = ("Deinococcus", "Halobacterium", "alvi")


@pytest.fixture(scope="module")
def card():
    return json.loads(CARD.read_text())


@pytest.fixture(scope="module")
def model():
    return load_model(SHIPPED)


def test_card_names_training_data_command_seed_and_metrics(card):
    genomes = card["training_genomes"]
    assert len(genomes) == 6 and {g["file"] for g in genomes} == TRAINING
    assert all(len(g["sha256"]) == 64 for g in genomes)
    assert not any(word in card["command"] for word in NEVER_TRAINED_ON)
    assert card["seed"] == 0 and "--seed 0" in card["command"]
    assert set(card["metrics"]["validation_never_trained_on"]) == {"ddeserti", "hsalinarum", "malvi"}
    for result in card["metrics"]["validation_never_trained_on"].values():
        assert {"gated", "prodigal"} <= set(result) and "short_sensitivity" in result["gated"]
    assert SHIPPED.stat().st_size < 8_000_000


def test_shipped_weights_reproduce_the_card_on_the_bundled_genome(card, model):
    figures = card["metrics"]["bundled_spyogenes"]
    scores = bundled_agreement(model, end=figures["gated_first_bases"])
    expected = figures["gated_first"]
    assert scores["n_reference"] == expected["n_reference"]
    # a gene call may flip on float round-off between CPUs; more than two means the weights changed
    assert abs(scores["n_predicted"] - expected["n_predicted"]) <= 2
    assert abs(scores["n_matched"] - expected["n_matched"]) <= 2
    for metric in ("f1", "start_accuracy", "short_sensitivity"):
        assert scores[metric] == pytest.approx(expected[metric], abs=0.01), metric


def test_predict_uses_the_shipped_weights_by_default(tmp_path):
    (contig,) = read_genome(bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz"))
    fasta = tmp_path / "piece.fa"
    fasta.write_text(">piece\n" + contig.sequence[:30_000] + "\n")
    result = subprocess.run([sys.executable, "-m", "domains.genomics", "predict", str(fasta), "--json",
                             "--out", str(tmp_path / "genes.gff3")], capture_output=True, text=True, timeout=600,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    # 15 annotated genes lie wholly inside the slice (and two run off its edges); a working model calls
    # about as many, an untrained one none or hundreds
    assert 10 <= summary["genes"] <= 30 and summary["bases"] == 30_000


def test_gene_across_the_origin_of_a_circular_genome_is_called_once(model):
    # 60 kb of the bundled genome (95,000-155,000) as a circular record whose origin falls inside the forward
    # CDS 124,468..125,223, enough genes for self-training: its stop was once called twice, wrapped and
    # from an internal start past the origin
    (contig,) = read_genome(bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz"))
    ring = Contig("ring", contig.sequence[124_845:155_000] + contig.sequence[95_000:124_845], circular=True)
    genes = predict_genes(model, [ring])
    stops = [(gene.strand, int(gene.positions()[-1])) for gene in genes]
    assert len(genes) > 50 and len(set(stops)) == len(stops)
    (wrapped,) = [gene for gene in genes if len(gene.parts) == 2]
    assert wrapped.strand == 1 and wrapped.parts[1] == (0, 125_223 - 124_845) and not wrapped.partial_end
    annotated = next(gene for gene in contig.genes if gene.parts == ((124_467, 125_223),))
    assert protein(annotated, contig).endswith(protein(wrapped, ring)[1:])  # the annotated protein, or its tail



def test_genetic_code_4_is_detected_and_code_11_kept(model, recoded_to_code4):
    (contig,) = read_genome(bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz"))
    plain = Contig("plain", contig.sequence[:300_000])
    recoded = Contig("recoded", recoded_to_code4(contig, 300_000))
    assert sum(a != b for a, b in zip(plain.sequence, recoded.sequence)) > 500  # about 2 per gene
    kept = predict_genes(model, [plain], detect_code=True)
    assert plain.translation_table == 11 and kept == predict_genes(model, [Contig("plain", plain.sequence)])
    found = predict_genes(model, [recoded], detect_code=True)
    assert recoded.translation_table == 4 and {gene.table for gene in found} == {4}
    on_code11 = predict_genes(model, [Contig("recoded", recoded.sequence)])
    assert coding_density([recoded], found) > coding_density([recoded], on_code11) + 0.05
