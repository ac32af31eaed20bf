"""``predict DIR/ --out OUTDIR/ --jobs N``: parallel annotation of many genomes, restartable, with a summary."""

import os
import subprocess
import sys

import pytest

from domains.genomics.batch import annotate_directory, find_genomes, genome_name
from domains.genomics.data import read_genome
from domains.genomics.model import build_gene_model
from shared.cli import InputError
from shared.data_paths import bundled

GENOME = bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz")


def _cli(*args):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-m", "domains.genomics", *map(str, args)], capture_output=True,
                          text=True, env=env, timeout=600)


@pytest.fixture(scope="module")
def genomes(tmp_path_factory):
    """A directory with two 12 kb slices of the bundled genome (FASTA, one gzipped), a stray text file, and a
    tiny untrained model."""
    import gzip

    folder = tmp_path_factory.mktemp("batch")
    (contig,) = read_genome(GENOME)
    inputs = folder / "genomes"
    inputs.mkdir()
    (inputs / "alpha.fna").write_text(">alpha\n" + contig.sequence[:12_000] + "\n")
    with gzip.open(inputs / "beta.fasta.gz", "wt") as handle:
        handle.write(">beta_1\n" + contig.sequence[50_000:56_000] + "\n>beta_2\n" + contig.sequence[90_000:96_000] + "\n")
    (inputs / "README.txt").write_text("not a genome\n")
    model = build_gene_model(filters=(8,), kernel_sizes=(5,), dilation_rates=(1,), lstm_units=(4,), lstm_stride=3)
    model.save(folder / "tiny.keras")
    return folder


def test_genome_names_and_discovery(tmp_path):
    assert genome_name("x/E_coli.gbff.gz") == "E_coli" and genome_name("a.b.FNA") == "a.b"
    assert genome_name("notes.txt") is None and genome_name("reads.fastq.gz") is None
    with pytest.raises(InputError, match="no genome files"):
        find_genomes(tmp_path)
    (tmp_path / "a.fa").write_text(">a\nACGT\n")
    (tmp_path / "a.fna.gz").write_bytes(b"")
    with pytest.raises(InputError, match="both write a.gff3"):
        find_genomes(tmp_path)
    with pytest.raises(InputError, match="both write a.gff3"):  # found in audit: it left an empty out folder
        annotate_directory(tmp_path, tmp_path / "out", tmp_path / "model.keras")
    assert not (tmp_path / "out").exists()


def test_directory_annotated_in_parallel_then_skipped_on_restart(genomes):
    out = genomes / "out"
    out.mkdir()
    (out / "alpha.faa").write_text("left over from an interrupted run")  # no alpha.gff3: not finished
    result = _cli("predict", genomes / "genomes", "--out", out, "--jobs", "2", "--model", genomes / "tiny.keras")
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(p.name for p in out.iterdir()) == ["alpha.faa", "alpha.gff3", "beta.faa", "beta.gff3"]
    beta = (out / "beta.gff3").read_text().splitlines()
    assert beta[:3] == ["##gff-version 3", "##sequence-region beta_1 1 6000", "##sequence-region beta_2 1 6000"]
    assert (out / "alpha.faa").read_text() != "left over from an interrupted run"
    streamed = [line for line in result.stderr.splitlines() if line.startswith("done")]
    assert len(streamed) == 2 and "2 genomes annotated" in result.stderr.splitlines()[-1]
    assert "0 already done, 0 failed" in result.stderr.splitlines()[-1]

    modified = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    (genomes / "genomes" / "gamma.fa").write_text(">gamma\nMKVLAAGIVGLLLAQEPRSQWEMKVLAAGIVGLL\n")  # a protein
    again = _cli("predict", genomes / "genomes", "--out", out, "--jobs", "1", "--model", genomes / "tiny.keras")
    assert again.returncode == 2
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == modified  # finished genomes untouched
    assert "0 genomes annotated (0 genes, 0.00 Mb), 2 already done, 1 failed" in again.stderr
    errors = [line for line in again.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "gamma.fa" in errors[0] and "does not look like DNA" in errors[0]
    # bad input: one line on stderr, naming the file once
    assert again.stderr.splitlines() == errors and errors[0].count("gamma.fa") == 1


def test_directory_needs_an_output_directory(genomes):
    result = _cli("predict", genomes / "genomes", "--model", genomes / "tiny.keras")
    assert result.returncode == 2 and "needs --out OUTDIR" in result.stderr


def test_several_bad_genomes_are_one_line_naming_the_first_and_the_others_still_annotated(genomes, tmp_path):
    inputs = tmp_path / "mixed"
    inputs.mkdir()
    (inputs / "good.fa").write_text((genomes / "genomes" / "alpha.fna").read_text())
    (inputs / "b_protein.fa").write_text(">p1\nMKVLAAGIVALLLAAGCSSSKEETTQPQEEKPKEVLTPEQLKQ\n")
    (inputs / "c_empty.fa").write_text("")
    (inputs / "d_no_id.fa").write_text(">\nACGTACGT\n")  # (a record of ambiguity codes alone is read, as a gap)
    out = tmp_path / "out"
    result = _cli("predict", inputs, "--out", out, "--model", genomes / "tiny.keras")
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    first = inputs / "b_protein.fa"
    assert line.startswith(f"error: {first}: record 'p1' does not look like DNA") and line.count(str(first)) == 1
    assert "(and 2 other genomes failed)" in line and "1 genomes annotated" in line and "3 failed" in line
    assert "c_empty" not in line and "d_no_id" not in line
    assert sorted(p.name for p in out.iterdir()) == ["good.faa", "good.gff3"]


def test_a_genbank_record_without_sequence_fails_its_genome_only(genomes, tmp_path):
    # found in review: a CONTIG-only (WGS master) GenBank stopped the whole batch with exit 1
    inputs = tmp_path / "wgs"
    inputs.mkdir()
    (inputs / "good.fa").write_text((genomes / "genomes" / "alpha.fna").read_text())
    (inputs / "master.gbff").write_text(
        "LOCUS       AAAA01000000           40000 bp    DNA     linear   BCT 01-JAN-2000\nACCESSION   AAAA01000000\n"
        "VERSION     AAAA01000000.1\nCONTIG      join(AAAA01000001.1:1..40000)\n//\n")
    out = tmp_path / "out"
    result = _cli("predict", inputs, "--out", out, "--model", genomes / "tiny.keras")
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {inputs / 'master.gbff'}: record 'AAAA01000000.1' has no sequence, only its "
                           "length (40000 bp)")
    assert "1 genomes annotated" in line and "1 failed" in line
    assert sorted(p.name for p in out.iterdir()) == ["good.faa", "good.gff3"]
