"""domains.genomics.gff3: spec-shaped GFF3 that reads back to the same genes; proteins as annotated."""

import numpy as np
import pytest
from Bio import SeqIO

from domains.genomics.data import Contig, Gene, open_text, read_genome
from domains.genomics.gff3 import gff3_lines, protein, write_gff3, write_proteins
from shared.cli import InputError
from shared.data_paths import bundled

GENOME = "Streptococcus_pyogenes_M1_GAS.gb.gz"


@pytest.fixture(scope="module")
def streptococcus():
    return read_genome(bundled("genomics", GENOME))


def test_gff3_round_trip_of_the_bundled_annotation(tmp_path, streptococcus):
    path = tmp_path / "genes.gff3"
    write_gff3(path, streptococcus, streptococcus[0].genes)
    text = path.read_text().splitlines()
    assert text[0] == "##gff-version 3" and text[1] == "##sequence-region NC_002737 1 1852441"
    fresh = read_genome(bundled("genomics", GENOME), annotation=path)
    original = [(g.parts, g.strand, g.partial_start, g.partial_end) for g in streptococcus[0].genes]
    assert [(g.parts, g.strand, g.partial_start, g.partial_end) for g in fresh[0].genes] == original
    with pytest.raises(InputError, match="already exists; pass --force"):
        write_gff3(path, streptococcus, streptococcus[0].genes)


def test_circular_partial_and_frameshift_genes_in_gff3(tmp_path):
    contig = Contig("c1", "ATGAAACCCGGGTTTTAA" + "A" * 82, circular=True)
    genes = [
        Gene("c1", ((95, 100), (0, 4)), 1, id="wrap"),
        Gene("c1", ((10, 40),), 1, partial_start=True, codon_start=3, id="open5"),
        Gene("c1", ((60, 70), (50, 61)), -1, id="shift"),
    ]
    lines = [line.split("\t") for line in gff3_lines([contig], genes) if not line.startswith("#")]
    region, wrap, open5, shift_low, shift_high = lines
    assert region[2] == "region" and region[8] == "ID=c1:1..100;Is_circular=true"  # NCBI's region ID, unlike a gene's
    assert (wrap[3], wrap[4], wrap[7]) == ("96", "104", "0")  # one line, end past the contig length
    assert open5[7] == "2" and "partial=true" in open5[8] and "start_range=.,11" in open5[8]
    # reverse-strand frameshift: the right-most part is transcribed first (10 bases), so the left part's
    # phase is (0 - 10) mod 3 = 2
    assert (shift_high[3], shift_high[7]) == ("61", "0") and (shift_low[3], shift_low[7]) == ("51", "2")
    path = tmp_path / "c.gff3"
    write_gff3(path, [contig], genes)
    fasta = tmp_path / "c.fa"
    fasta.write_text(">c1\n" + contig.sequence + "\n")
    back = read_genome(fasta, annotation=path)[0].genes
    assert [g.parts for g in back] == [g.parts for g in genes]
    assert back[1].partial_start and back[1].codon_start == 3


def test_reserved_characters_in_record_ids_are_escaped_and_read_back(tmp_path):
    contig = Contig("ctg;1=a,b%#", "ATGAAACCCGGGTTTTAA" + "A" * 82, circular=True)
    genes = [Gene(contig.id, ((0, 18),), 1, id=f"{contig.id}_1")]
    lines = gff3_lines([contig], genes)
    assert lines[1] == "##sequence-region ctg%3B1%3Da%2Cb%25%23 1 100"
    cds = lines[-1].split("\t")
    assert len(cds) == 9 and cds[0] == "ctg%3B1%3Da%2Cb%25%23" and cds[8].split(";")[0] == "ID=ctg%3B1%3Da%2Cb%25%23_1"
    path, fasta = tmp_path / "c.gff3", tmp_path / "c.fa"
    write_gff3(path, [contig], genes)
    fasta.write_text(f">{contig.id}\n{contig.sequence}\n")
    (back,) = read_genome(fasta, annotation=path)[0].genes
    assert (back.id, back.parts) == (genes[0].id, genes[0].parts)


def test_tilde_in_a_record_id_is_escaped_as_gff3_requires_and_read_back(tmp_path):
    # found in review: urllib's quote keeps '~', which a GFF3 seqid may not hold
    contig = Contig("ctg~1", "ATGAAACCCGGGTTTTAA" + "A" * 82)
    genes = [Gene(contig.id, ((0, 18),), 1, id="ctg~1_1")]
    lines = gff3_lines([contig], genes)
    assert lines[1] == "##sequence-region ctg%7E1 1 100" and lines[2].split("\t")[0] == "ctg%7E1"
    assert lines[2].split("\t")[8] == "ID=ctg%7E1_1"
    path = tmp_path / "tilde.gff3"
    write_gff3(path, [contig], genes)
    fasta = tmp_path / "tilde.fa"
    fasta.write_text(f">{contig.id}\n{contig.sequence}\n")
    (back,) = read_genome(fasta, annotation=path)
    assert [(g.id, g.parts) for g in back.genes] == [("ctg~1_1", ((0, 18),))]


def test_proteins_equal_the_annotated_translations(tmp_path, streptococcus):
    (contig,) = streptococcus
    handle = open_text(bundled("genomics", GENOME))
    record = next(SeqIO.parse(handle, "genbank"))
    translations = [f.qualifiers["translation"][0] for f in record.features if f.type == "CDS"][:200]
    proteins = [protein(gene, contig) for gene in contig.genes[:200]]
    assert proteins == translations
    path = tmp_path / "genes.faa"
    write_proteins(path, [contig], contig.genes[:5])
    records = list(SeqIO.parse(path, "fasta"))
    assert [str(r.seq) for r in records] == translations[:5]
    assert np.all([r.id == g.id for r, g in zip(records, contig.genes)])


def test_outputs_named_gz_are_gzip_compressed(tmp_path, streptococcus):
    # found in audit: predict --out x.gff3.gz --proteins x.faa.gz wrote plain text under the .gz names
    import gzip

    genes = streptococcus[0].genes[:20]
    write_gff3(tmp_path / "genes.gff3.gz", streptococcus, genes)
    write_proteins(tmp_path / "genes.faa.gz", streptococcus, genes)
    write_gff3(tmp_path / "genes.gff3", streptococcus, genes)
    write_proteins(tmp_path / "genes.faa", streptococcus, genes)
    for name in ("genes.gff3", "genes.faa"):
        with gzip.open(tmp_path / f"{name}.gz", "rb") as handle:
            assert handle.read() == (tmp_path / name).read_bytes()
    fresh = read_genome(bundled("genomics", GENOME), annotation=tmp_path / "genes.gff3.gz")
    assert [g.parts for g in fresh[0].genes] == [g.parts for g in genes]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["genes.faa", "genes.faa.gz", "genes.gff3", "genes.gff3.gz"]
