"""python -m domains.genomics: exit codes, one-line errors, GFF3 output, training with resume, evaluation."""

import json
import os
import subprocess
import sys

import pytest

from domains.genomics.data import read_genome
from domains.genomics.gff3 import write_gff3
from domains.genomics.model import build_gene_model
from shared.data_paths import bundled

GENOME = bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz")


def _cli(*args, cwd=None):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-m", "domains.genomics", *map(str, args)], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=600)


def _errors(result):
    return [line for line in result.stderr.splitlines() if line.startswith(("error:", "internal error:"))]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A 20 kb piece of the bundled genome as FASTA and as GenBank-free GFF3 reference."""
    folder = tmp_path_factory.mktemp("small")
    (contig,) = read_genome(GENOME)
    piece = contig.sequence[:20_000]
    fasta = folder / "piece.fa"
    fasta.write_text(">piece\n" + piece + "\n")
    model = build_gene_model(filters=(8,), kernel_sizes=(5,), dilation_rates=(1,), lstm_units=(4,))
    model.save(folder / "tiny.keras")
    return folder, fasta


def test_predict_writes_gff3_and_proteins_and_refuses_to_overwrite(small):
    folder, fasta = small
    out, faa = folder / "genes.gff3", folder / "genes.faa"
    result = _cli("predict", fasta, "--out", out, "--proteins", faa, "--model", folder / "tiny.keras")
    assert result.returncode == 0, result.stderr[-2000:]
    lines = out.read_text().splitlines()
    assert lines[:2] == ["##gff-version 3", "##sequence-region piece 1 20000"]
    assert faa.exists()
    again = _cli("predict", fasta, "--out", out, "--model", folder / "tiny.keras")
    assert again.returncode == 2 and _errors(again) == [f"error: {out}: already exists; pass --force to overwrite it"]


def test_predict_json_summary_goes_to_stdout_beside_an_out_file(small):
    folder, fasta = small
    out = folder / "summary.gff3"
    result = _cli("predict", fasta, "--out", out, "--json", "--model", folder / "tiny.keras")
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout)
    genes = sum(1 for line in out.read_text().splitlines() if "\tCDS\t" in line)
    assert summary == {"genes": genes, "records": 1, "bases": 20_000}
    # without --out the GFF3 itself is stdout, so a summary there would corrupt it: refused up front
    refused = _cli("predict", fasta, "--json", "--model", folder / "tiny.keras")
    assert refused.returncode == 2 and refused.stdout == ""
    assert _errors(refused) == ["error: --json: the summary goes to stdout, where the GFF3 goes without --out; "
                                "give --out FILE"]


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "the file is empty"),
        (b">p\nMKVLAAGIVGLLLAQEPRSQWE\n", "does not look like DNA"),
        (b"\x00\x01\x02binary", "not a text file"),
    ],
)
def test_predict_bad_genomes_exit_2_with_one_line(tmp_path, small, content, message):
    path = tmp_path / "bad.fa"
    path.write_bytes(content)
    result = _cli("predict", path, "--model", small[0] / "tiny.keras")
    assert result.returncode == 2
    assert len(_errors(result)) == 1 and message in _errors(result)[0] and str(path) in _errors(result)[0]


def test_missing_file_and_missing_model(tmp_path, small):
    result = _cli("predict", tmp_path / "absent.fa")
    assert result.returncode == 2 and "No such file" in _errors(result)[0]
    result = _cli("predict", small[1], "--model", tmp_path / "none.keras")
    assert result.returncode == 2 and "none.keras: no such model file" in _errors(result)[0]


def test_evaluate_given_predictions_beside_prodigal(tmp_path):
    (contig,) = read_genome(GENOME)
    pred = tmp_path / "pred.gff3"
    write_gff3(pred, [contig], contig.genes[:1000])
    result = _cli("evaluate", "--genbank", GENOME, "--pred", pred, "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    scores = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(scores) == {"pred", "prodigal"}
    assert scores["pred"]["precision"] == 1.0 and scores["pred"]["sensitivity"] == pytest.approx(1000 / 1853)
    assert scores["prodigal"]["f1"] > 0.9


def test_train_writes_model_and_card_and_resumes(tmp_path, small):
    folder, _ = small
    (contig,) = read_genome(GENOME)
    gb = tmp_path / "piece.gb"
    from Bio import SeqIO
    from Bio.Seq import Seq
    from Bio.SeqFeature import FeatureLocation, SeqFeature
    from Bio.SeqRecord import SeqRecord

    record = SeqRecord(Seq(contig.sequence[:6000]), id="piece", annotations={"molecule_type": "DNA"})
    for gene in contig.genes:
        (start, end), = gene.parts
        if end <= 6000:
            record.features.append(SeqFeature(FeatureLocation(start, end, gene.strand), type="CDS"))
    SeqIO.write(record, gb, "genbank")
    out = tmp_path / "model.keras"
    result = _cli("train", "--genbank", gb, "--out", out, "--epochs", "1", "--window", "256", "--seed", "0")
    assert result.returncode == 0, result.stderr[-2000:]
    card = json.loads((tmp_path / "model.json").read_text())
    assert card["seed"] == 0 and card["training_genomes"][0]["file"] == "piece.gb" and "loss" in card["history"]
    assert not (tmp_path / "model.keras.backup").exists()
    again = _cli("train", "--genbank", gb, "--out", out, "--epochs", "1", "--window", "256")
    assert again.returncode == 2 and "already exists" in _errors(again)[0]
    # a backup another run left (other settings; a checkpoint record Keras could not even read) is cleared,
    # not resumed: training starts afresh
    other = tmp_path / "other.keras"
    stale = tmp_path / "other.keras.backup"
    stale.mkdir()
    (stale / "owner.json").write_text(json.dumps({"settings": {"epochs": 9}}))
    (stale / "training_metadata.json").write_text("{not json")
    fresh = _cli("train", "--genbank", gb, "--out", other, "--epochs", "1", "--window", "256", "--seed", "0")
    assert fresh.returncode == 0, fresh.stderr[-2000:]
    assert other.exists() and not stale.exists()


def _gff3_spans(path):
    """``(first, end)`` (0-based, end exclusive) of every CDS in a GFF3 file."""
    rows = [line.split("\t") for line in path.read_text().splitlines() if line and not line.startswith("#")]
    return [(int(row[3]) - 1, int(row[4])) for row in rows if row[2] == "CDS"]


def test_predict_mask_keeps_genes_off_an_assembly_gap(tmp_path):
    (contig,) = read_genome(GENOME)
    first, end = 100_000, 130_000
    gene = max((g for g in contig.genes if first <= g.parts[0][0] and g.parts[0][1] <= end and g.strand == 1),
               key=lambda g: g.parts[0][1] - g.parts[0][0])
    middle = (gene.parts[0][0] + gene.parts[0][1]) // 2 - first
    gap = (middle, middle + 60)
    piece = contig.sequence[first:end]
    (tmp_path / "draft.fa").write_text(">draft\n" + piece[: gap[0]] + "N" * 60 + piece[gap[1]:] + "\n")
    for name, options in (("plain", []), ("masked", ["--mask"])):
        result = _cli("predict", tmp_path / "draft.fa", "--out", tmp_path / f"{name}.gff3", *options)
        assert result.returncode == 0, result.stderr[-2000:]
    crossing = {name: [s for s in _gff3_spans(tmp_path / f"{name}.gff3") if s[0] < gap[1] and gap[0] < s[1]]
                for name in ("plain", "masked")}
    assert crossing["plain"] and not crossing["masked"]  # called through the Ns as Prodigal does, unless --mask
