"""domains.genomics.data: reading genomes and annotation, labels on both strands, bad input."""

import gzip
import warnings

import numpy as np
import pytest
from Bio import SeqIO

from domains.genomics.data import (
    Contig,
    Gene,
    add_gff3_annotation,
    clean_sequence,
    codon_table,
    label_contig,
    one_hot,
    open_text,
    read_genome,
    stated_code,
    sub_contig,
)
from domains.genomics.gff3 import write_gff3
from shared.cli import InputError
from shared.data_paths import bundled, shared_data

# A 60-base toy genome: a forward gene ATG AAA TAA at 3..11 (0-based half-open 3:12) and a reverse gene
# whose reverse complement is ATG GGG TGA at 30..39 (forward strand TCA CCC CAT).
TOY = "CCC" + "ATGAAATAA" + "C" * 18 + "TCACCCCAT" + "G" * 21
assert len(TOY) == 60


def _genbank(sequence, features, topology="linear", name="TOY1"):
    lines = [f"LOCUS       {name:<16}{len(sequence):>12} bp    DNA     {topology:<8} BCT 01-JAN-2000",
             f"ACCESSION   {name}", f"VERSION     {name}.1", "FEATURES             Location/Qualifiers"]
    for location, qualifiers in features:
        lines.append(f"     CDS             {location}")
        lines.extend(f"                     /{q}" for q in qualifiers)
    lines.append("ORIGIN")
    for i in range(0, len(sequence), 60):
        lines.append(f"{i + 1:>9} {sequence[i:i + 60].lower()}")
    lines.append("//")
    return "\n".join(lines) + "\n"


def _write(tmp_path, name, text, compress=False):
    path = tmp_path / name
    if compress:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


def test_genbank_labels_both_strands_known_answer(tmp_path, stop_share):
    path = _write(tmp_path, "toy.gb.gz", _genbank(TOY, [
        ("4..12", ['locus_tag="g1"', "transl_table=11"]),
        ("complement(31..39)", ['locus_tag="g2"']),
        ("41..49", ['locus_tag="p1"', "pseudo"]),
    ]), compress=True)
    (contig,) = read_genome(path)
    assert [g.id for g in contig.genes] == ["g1", "g2"]  # the pseudogene is left out
    labels = label_contig(contig)
    np.testing.assert_array_equal(labels["coding"][0, 3:12], [1, 2, 3] * 3)
    assert labels["coding"][0, :3].sum() == 0 and labels["coding"][0, 12:].sum() == 0
    # reverse strand: codon positions counted from the gene's own start (position 38, leftwards)
    np.testing.assert_array_equal(labels["coding"][1, 30:39], [3, 2, 1] * 3)
    assert np.flatnonzero(labels["start"][0]).tolist() == [3, 4, 5]
    assert np.flatnonzero(labels["stop"][0]).tolist() == [9, 10, 11]
    assert np.flatnonzero(labels["start"][1]).tolist() == [36, 37, 38]
    assert np.flatnonzero(labels["stop"][1]).tolist() == [30, 31, 32]
    assert stop_share(contig) == 1.0


def test_trans_spliced_cds_on_both_strands_is_left_out(tmp_path):
    # chloroplast rps12 style: one CDS joined from parts on both strands (Biopython gives it no single strand)
    path = _write(tmp_path, "trans.gb", _genbank(TOY, [
        ("4..12", ['locus_tag="g1"']),
        ("join(complement(31..39),13..18)", ['locus_tag="rps12"']),
    ]))
    (contig,) = read_genome(path)
    assert [g.id for g in contig.genes] == ["g1"]


def test_partial_gene_with_codon_start_and_origin_spanning_join(tmp_path):
    sequence = "AAATAA" + "C" * 48 + "ATGCCC"  # a gene ATGCCC|AAATAA across the origin of a circular record
    path = _write(tmp_path, "circ.gb", _genbank(sequence, [
        ("join(55..60,1..6)", ['locus_tag="wrap"']),
        ("<11..19", ['locus_tag="part"', "codon_start=2"]),
    ], topology="circular"))
    (contig,) = read_genome(path)
    wrap, part = contig.genes
    assert contig.circular and wrap.parts == ((54, 60), (0, 6))
    labels = label_contig(contig)
    np.testing.assert_array_equal(labels["coding"][0, 54:60], [1, 2, 3, 1, 2, 3])
    np.testing.assert_array_equal(labels["coding"][0, 0:6], [1, 2, 3, 1, 2, 3])
    assert labels["stop"][0, 3:6].all() and labels["start"][0, 54:57].all()
    assert part.partial_start and not part.partial_end
    # codon_start=2: the first base is the last of a codon cut off by the partial 5' end
    np.testing.assert_array_equal(labels["coding"][0, 10:19], [3, 1, 2, 3, 1, 2, 3, 1, 2])
    assert not labels["start"][0, 10:19].any()


def test_prodigal_partial_flags_in_gff3(tmp_path):
    # found in audit: Prodigal's partial=10/01/11 (low / high end off the sequence) read as complete genes
    fasta = _write(tmp_path, "g.fa", ">chr1\n" + TOY + "\n")
    rows = [("4", "12", "+", "10"), ("31", "39", "-", "01"), ("4", "12", "-", "11"), ("31", "39", "+", "00")]
    gff = _write(tmp_path, "g.gff3", "##gff-version 3\n" + "".join(
        f"chr1\tProdigal_v2.6.3\tCDS\t{start}\t{end}\t.\t{strand}\t0\tID=g{n};partial={flags}\n"
        for n, (start, end, strand, flags) in enumerate(rows)))
    (contig,) = read_genome(fasta, annotation=gff)
    ends = {gene.id: (gene.partial_start, gene.partial_end) for gene in contig.genes}
    assert ends == {"g0": (True, False), "g1": (True, False), "g2": (True, True), "g3": (False, False)}


def test_gff3_annotation_of_a_fasta_genome_with_wrapped_line(tmp_path):
    fasta = _write(tmp_path, "g.fa", ">chr1 toy\n" + TOY[:30] + "\n" + TOY[30:].lower() + "  \n")
    gff = _write(tmp_path, "g.gff3", "##gff-version 3\n"
                 "chr1\tx\tCDS\t4\t12\t.\t+\t0\tID=a\n"
                 "chr1\tx\tCDS\t31\t39\t.\t-\t0\tID=b\n"
                 "chr1\tx\tCDS\t58\t3\t.\t+\t0\tID=wrap\n")  # PTT-style origin crossing: start > end
    (contig,) = read_genome(fasta, annotation=gff)
    assert [g.id for g in contig.genes] == ["a", "b", "wrap"]
    assert contig.genes[2].parts == ((57, 60), (0, 3)) and contig.circular
    np.testing.assert_array_equal(label_contig(contig)["coding"][0, 3:12], [1, 2, 3] * 3)


def test_sequence_cleaning_and_genetic_code_4(tmp_path):
    fasta = _write(tmp_path, "m.fa", ">m1\nacgtRYnn ACGT\nuuAG\n")
    (contig,) = read_genome(fasta, translation_table=4)
    assert contig.sequence == "ACGTNNNNACGTTTAG"
    assert contig.translation_table == 4
    x = one_hot(contig.sequence)
    assert x.shape == (16, 4) and x[4:8].sum() == 0 and (x.sum(axis=1)[[0, 1, 2, 3, 8]] == 1).all()
    assert codon_table(4)[1] == {"TAA", "TAG"}  # TGA is tryptophan in Mycoplasma
    assert codon_table(11)[1] == {"TAA", "TAG", "TGA"}


CONTIG_ONLY = """\
LOCUS       NC_1                   40000 bp    DNA     linear   BCT 01-JAN-2000
DEFINITION  a WGS master record: the sequence lies in the contigs it names.
ACCESSION   NC_1
VERSION     NC_1.1
CONTIG      join(AAAA01000001.1:1..40000)
//
"""


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.fa", "", "the file is empty"),
        ("text.txt", "hello world\n", "not FASTA, GenBank or GFF3"),
        ("protein.fa", ">p1\nMKVLAAGIVGLLLAQEPRSQWE\n", "record 'p1' does not look like DNA"),
        ("blank.fa", ">r1\nACGT\n>r2\n\n", "record 'r2' has no sequence"),
        ("binary.bin", b"\x00\xff\xfe\x10" * 50, "not a text file"),
        ("broken.fa.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"garbage", "damaged gzip"),
        ("dup.fa", ">a\nACGT\n>a\nACGT\n", "record id 'a' appears twice"),
        # found in review: GFF3 column 1 was left empty
        ("noid.fa", ">a\nACGT\n>\nACGT\n", r"record 2 has no id \(a '>' line with nothing after it\)"),
        # found in review: exit 1, UndefinedSequenceError (a WGS master or CONTIG record; an ORIGIN without lines)
        ("contig.gb", CONTIG_ONLY, r"record 'NC_1.1' has no sequence, only its length \(40000 bp\): a CONTIG"),
        ("origin.gb", CONTIG_ONLY.replace("CONTIG      join(AAAA01000001.1:1..40000)", "ORIGIN"),
         r"record 'NC_1.1' has no sequence, only its length \(40000 bp\)"),
    ],
)
def test_bad_genomes_name_the_file_and_record(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError, match=message) as raised:
        read_genome(path)
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)


def test_annotation_for_an_unknown_record_is_refused(tmp_path):
    fasta = _write(tmp_path, "g.fa", ">chr1\n" + TOY + "\n")
    gff = _write(tmp_path, "g.gff3", "##gff-version 3\nchr9\tx\tCDS\t4\t12\t.\t+\t0\tID=a\n")
    with pytest.raises(InputError, match="record 'chr9', which is not in the genome"):
        read_genome(fasta, annotation=gff)


def test_sub_contig_shifts_genes_and_refuses_a_stretch_outside_the_contig():
    contig = Contig("c", "ACGT" * 25, genes=[Gene("c", ((10, 40),), 1), Gene("c", ((50, 90),), -1)])
    piece = sub_contig(contig, 40, 100)
    assert len(piece) == 60 and piece.genes == [Gene("c", ((10, 50),), -1)]
    for first, end in [(-10, 100), (60, 50), (0, 101)]:
        with pytest.raises(ValueError, match=rf"need 0 <= first <= end <= 100 .*first={first}, end={end}"):
            sub_contig(contig, first, end)


def test_hand_made_contig_is_upper_cased_as_read_genome_does():
    contig = Contig("soft", "acgtNNacGT")
    assert contig.sequence == "ACGTNNACGT"
    np.testing.assert_array_equal(one_hot(contig.sequence).sum(axis=1), [1, 1, 1, 1, 0, 0, 1, 1, 1, 1])


@pytest.mark.parametrize("raw", ["acgtRYnn ACGT\nuuAG", "ACGU-.xX12 acgu", "AC" * 600 + "E" * 12])
def test_hand_made_contig_is_cleaned_as_read_genome_cleans_a_file(tmp_path, raw):
    """RNA's U, ambiguity codes, masks, gaps, whitespace, digits and a few stray letters read as the file reader
    reads them, from a str or a Biopython Seq (which gave AttributeError 'encode' in the prediction)."""
    from Bio.Seq import Seq

    (from_file,) = read_genome(_write(tmp_path, "r.fa", f">r\n{raw}\n"))
    assert Contig("r", raw).sequence == from_file.sequence
    assert Contig("r", Seq(raw)).sequence == from_file.sequence
    assert "U" not in from_file.sequence


def test_hand_made_contig_refuses_protein_and_what_is_no_sequence_as_read_genome_does(tmp_path):
    from Bio.Seq import Seq
    from Bio.SeqRecord import SeqRecord

    protein = "MKLPQEEFILIW" * 100
    with pytest.raises(InputError, match="record 'p' does not look like DNA") as from_file:
        read_genome(_write(tmp_path, "p.fa", f">p\n{protein}\n"))
    with pytest.raises(InputError, match="record 'p' does not look like DNA") as by_hand:
        Contig("p", protein)
    assert str(by_hand.value).split(": ", 1)[1] == str(from_file.value).split(": ", 1)[1]
    with pytest.raises(InputError, match="record 'x' has characters outside ASCII"):
        Contig("x", "ACGTé" * 100)
    with pytest.raises(TypeError, match=r"sequence must be a str or a Bio.Seq, not SeqRecord: give Contig\(record"):
        Contig("x", SeqRecord(Seq("ACGT"), id="x"))
    with pytest.raises(TypeError, match="not bytes"):
        Contig("x", b"ACGT")
    assert Contig("empty", "").sequence == Contig("empty", Seq("")).sequence == ""


def test_read_genome_refuses_what_is_not_a_path_in_one_line():
    import io

    from Bio.Seq import Seq
    from Bio.SeqRecord import SeqRecord

    with pytest.raises(TypeError, match=r"expected a file path .* got SeqRecord: build a Contig from it"):
        read_genome(SeqRecord(Seq("ACGT"), id="r"))
    with pytest.raises(TypeError, match="expected a file path .* got StringIO: write the text to a file"):
        read_genome(io.StringIO(">a\nACGT\n"))
    with pytest.raises(TypeError, match="read_genome annotation: expected a file path"):
        read_genome(bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz"), annotation=io.StringIO(""))


def test_bundled_streptococcus_genome(stop_share):
    (contig,) = read_genome(bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz"))
    assert contig.id == "NC_002737" and len(contig) == 1_852_441
    assert len(contig.genes) == 1853 and contig.translation_table == 11
    assert stop_share(contig) == 1.0
    assert len(read_genome(bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz"), use_annotation=False)[0].genes) == 0


@pytest.mark.skipif(shared_data("genomics") is None, reason="../shared/data/genomics is absent")
def test_shared_genomes_annotation_matches_sequence(stop_share):
    root = shared_data("genomics")
    (ecoli,) = read_genome(root / "GCF_000005845.2_ASM584v2_genomic.gbff.gz")
    assert len(ecoli.genes) == 4298 and ecoli.circular and stop_share(ecoli) == 1.0  # 4,315 CDS - 17 pseudo
    alvi = read_genome(root / "Mycoplasmoides_alvi_ATCC29626_NZ_JNJU01.gbk.gz")
    assert len(alvi) == 7 and {c.translation_table for c in alvi} == {4}
    assert all(stop_share(c) == 1.0 for c in alvi if c.genes)
    folder = root / "mgm2_exp" / "Synechocystis_PCC_6803_uid57659"
    contigs = read_genome(folder / "sequence.fasta.gz", annotation=folder / "ncbi.gff.gz")
    assert all(stop_share(c) == 1.0 for c in contigs)


def test_cds_past_the_end_or_across_the_origin_of_a_linear_genbank_record_is_refused(tmp_path):
    sequence = "AAATAA" + "C" * 48 + "ATGCCC"
    past_end = _write(tmp_path, "past.gb", _genbank(sequence, [("55..66", ['locus_tag="out"'])]))
    with pytest.raises(InputError) as raised:
        read_genome(past_end)
    assert str(raised.value) == (f"{past_end}: record 'TOY1.1', CDS out: location 55..66 is outside the sequence "
                                 "(length 60): the record is linear, and only a circular one (GenBank topology "
                                 "'circular', GFF3 Is_circular=true) may have a CDS across its origin")
    across = _write(tmp_path, "join.gb", _genbank(sequence, [("join(55..60,1..6)", ['locus_tag="wrap"'])]))
    with pytest.raises(InputError, match=r"join.gb: record 'TOY1.1', CDS wrap: parts 1..6,55..60 run across the "
                                         r"origin: the record is linear"):
        read_genome(across)
    # the same end on a circular record is a gene across the origin, as the join is
    (ring,) = read_genome(_write(tmp_path, "ring.gb", _genbank(sequence, [("55..66", ['locus_tag="out"'])],
                                                                topology="circular")))
    assert ring.circular and ring.genes[0].parts == ((54, 60), (0, 6))
    np.testing.assert_array_equal(label_contig(ring)["coding"][0, 0:6], [1, 2, 3, 1, 2, 3])


@pytest.mark.parametrize("circular", [False, True])
@pytest.mark.parametrize("lines", [
    ["chr1\tx\tCDS\t55\t66\t.\t+\t0\tID=wrap"],  # GFF3's one line whose end runs past the sequence
    ["chr1\tx\tCDS\t55\t60\t.\t+\t0\tID=wrap", "chr1\tx\tCDS\t1\t6\t.\t+\t0\tID=wrap"],  # two lines, one ID
])
def test_gff3_cds_across_the_origin_needs_is_circular(tmp_path, lines, circular):
    fasta = _write(tmp_path, "g.fa", ">chr1\nAAATAA" + "C" * 48 + "ATGCCC\n")
    region = ["chr1\tx\tregion\t1\t60\t.\t+\t.\tID=chr1;Is_circular=true"] if circular else []
    gff = _write(tmp_path, "g.gff3", "\n".join(["##gff-version 3", *region, *lines]) + "\n")
    if not circular:
        with pytest.raises(InputError, match=r"g.gff3: record 'chr1', CDS wrap: .*(outside the sequence \(length "
                                             r"60\)|run across the origin): the record is linear") as raised:
            read_genome(fasta, annotation=gff)
        assert "\n" not in str(raised.value)
        return
    (contig,) = read_genome(fasta, annotation=gff)
    assert contig.circular and [g.parts for g in contig.genes] == [((54, 60), (0, 6))]
    assert np.flatnonzero(label_contig(contig)["stop"][0]).tolist() == [3, 4, 5]


@pytest.mark.parametrize("records,seqid,found", [
    (["NC_000913.3"], "NC_000913.3", "NC_000913.3"),
    (["NC_000913.3", "NC_000914.1"], "NC_000913", "NC_000913.3"),  # an unversioned seqid: the one version
    (["ctg", "ctg.1"], "ctg", "ctg"),  # an exact match comes first
    (["ctg.1", "ctg"], "ctg.1", "ctg.1"),
    (["NC_000913.3"], "NC_000913.2", None),  # another version
    (["ctg.1", "ctg.2"], "ctg.7", None),  # not the same contig
    (["NC_000913"], "NC_000913.3", None),  # a versioned seqid must match exactly
    (["ctg.1", "ctg.2"], "ctg", None),  # which one?
])
def test_gff3_seqids_match_exactly_or_as_the_one_unversioned_accession(tmp_path, records, seqid, found):
    fasta = _write(tmp_path, "g.fa", "".join(f">{record}\n{TOY}\n" for record in records))
    gff = _write(tmp_path, "g.gff3", f"##gff-version 3\n{seqid}\tx\tCDS\t4\t12\t.\t+\t0\tID=a\n")
    if found is None:
        with pytest.raises(InputError) as raised:
            read_genome(fasta, annotation=gff)
        message = str(raised.value)
        assert message.startswith(f"{gff}: CDS on record {seqid!r}") and "\n" not in message
        assert all(repr(record) in message for record in records)
        return
    contigs = read_genome(fasta, annotation=gff)
    assert {contig.id: len(contig.genes) for contig in contigs} == {r: int(r == found) for r in records}
    (gene,) = [gene for contig in contigs for gene in contig.genes]
    assert gene.contig == found and gene.parts == ((3, 12),)


def test_byte_order_mark_is_dropped_and_a_sequence_of_ambiguity_codes_is_read_as_a_gap(tmp_path):
    fasta = tmp_path / "bom.fa"
    fasta.write_bytes("\ufeff>chr1\n".encode() + TOY.encode() + b"\n")
    gff = tmp_path / "bom.gff3"
    gff.write_bytes("\ufeff##gff-version 3\nchr1\tx\tCDS\t4\t12\t.\t+\t0\tID=a\n".encode())
    (contig,) = read_genome(fasta, annotation=gff)
    assert contig.id == "chr1" and contig.sequence == TOY and [g.parts for g in contig.genes] == [((3, 12),)]
    (gap,) = read_genome(_write(tmp_path, "gap.fa", ">a\nNNNNRYNN\n"))  # a gap placeholder: read, all masked
    assert gap.sequence == "NNNNNNNN"
    # found in audit: a record of ambiguity codes alone (no N) refused the whole input (exit 2), where one of N is
    # read: it is read as that one is, all masked, beside the other records
    contigs = read_genome(_write(tmp_path, "amb.fa", f">a\nRYKMSWRYKMBDHV\n>b\n{TOY}\n"))
    assert [(c.id, c.sequence) for c in contigs] == [("a", "N" * 14), ("b", TOY)]


def test_lone_carriage_returns_end_lines(tmp_path):
    # found in audit: a FASTA with classic Mac OS line ends (CR alone) was one line, "record 'chr1' has no sequence"
    fasta = tmp_path / "mac.fa"
    fasta.write_bytes(f">chr1 first\r{TOY[:6]}\r{TOY[6:]}\r>chr2\r\n{TOY}\r\n".encode())
    gff = tmp_path / "mac.gff3"
    gff.write_bytes(b"##gff-version 3\rchr2\tx\tCDS\t4\t12\t.\t+\t0\tID=a\r")
    contigs = read_genome(fasta, annotation=gff)
    assert [(c.id, c.sequence) for c in contigs] == [("chr1", TOY), ("chr2", TOY)]
    assert [g.parts for g in contigs[1].genes] == [((3, 12),)]


def test_prediction_file_without_cds_lines_is_refused_when_cds_are_required(tmp_path):
    fasta = _write(tmp_path, "g.fa", ">chr1\n" + TOY + "\n")
    gff = _write(tmp_path, "genes.gff3", "##gff-version 3\nchr1\tx\tgene\t4\t12\t.\t+\t.\tID=g\n")
    (contig,) = add_gff3_annotation(read_genome(fasta), gff)
    assert contig.genes == []  # as annotation: a record without CDS
    with pytest.raises(InputError, match=rf"^{gff}: no CDS lines"):
        add_gff3_annotation(read_genome(fasta), gff, require_cds=True)


def test_latin1_header_is_read_and_only_a_nul_byte_makes_a_binary_file(tmp_path):
    # found in review: one Latin-1 byte in a header (or a GenBank DEFINITION) refused the file as "not a text file"
    fasta = tmp_path / "latin1.fa.gz"
    with gzip.open(fasta, "wb") as handle:
        handle.write(b">ctg\xfc1 souche M\xfcller\n" + TOY.encode() + b"\n")
    (contig,) = read_genome(fasta)
    assert contig.id == "ctg\u00fc1" and contig.sequence == TOY
    genbank = tmp_path / "latin1.gb"
    text = _genbank(TOY, [("4..12", ['locus_tag="g1"'])]).encode()
    genbank.write_bytes(text.replace(b"ACCESSION", b"DEFINITION  souche M\xfcller.\nACCESSION", 1))
    (annotated,) = read_genome(genbank)
    assert annotated.sequence == TOY and [g.parts for g in annotated.genes] == [((3, 12),)]
    # the id is percent-encoded (as UTF-8) in the GFF3, which reads back to the same record
    gff = tmp_path / "genes.gff3"
    write_gff3(gff, [contig], [Gene(contig.id, ((3, 12),), 1, id=f"{contig.id}_1")])
    assert gff.read_text().splitlines()[1] == "##sequence-region ctg%C3%BC1 1 60"
    (back,) = read_genome(fasta, annotation=gff)
    assert [(g.id, g.parts) for g in back.genes] == [("ctg\u00fc1_1", ((3, 12),))]
    nul = _write(tmp_path, "nul.fa", ">a\nACGT\x00ACGT\n")
    with pytest.raises(InputError, match="not a text file"):
        read_genome(nul)


def test_hard_masked_bases_and_gaps_read_as_n(tmp_path):
    # found in review: 500 X (hard-masked repeats) in 20 kb, or one X or '-' in a 71-bp contig, refused the genome
    fasta = _write(tmp_path, "masked.fa", ">xm\n" + TOY[:20] + "XXXXX" + TOY[25:] + "\n>short\nACGTAXCGT-ACG.T\n"
                   ">hole\nxxxx----....\n>stray\n" + TOY * 2 + TOY[:59] + "E\n")
    xm, short, hole, stray = read_genome(fasta)
    assert xm.sequence == TOY[:20] + "NNNNN" + TOY[25:] and short.sequence == "ACGTANCGTNACGNT"
    assert hole.sequence == "N" * 12  # all masked: read, holds no gene
    assert stray.sequence == TOY * 2 + TOY[:59] + "N"  # one letter no nucleotide code uses, of 180: not a protein
    fasta = _write(tmp_path, "spliced.fa", ">c1\n" + TOY * 2 + "\nMKVLAAGIVGLLLAQEPRSQWE\n" + TOY * 2 + "\n")
    with pytest.raises(InputError, match=r"spliced.fa: record 'c1' does not look like DNA \(10 of 262 letters"):
        read_genome(fasta)  # a line of protein in a genome: over 1 % of the letters are no nucleotide code


def test_every_protein_of_the_bundled_genome_is_refused_as_a_protein(tmp_path):
    record = next(SeqIO.parse(open_text(bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz")), "genbank"))
    proteins = [f.qualifiers["translation"][0] for f in record.features if "translation" in f.qualifiers]
    assert len(proteins) == 1853
    for number, amino_acids in enumerate(proteins):
        with pytest.raises(InputError, match=rf"record 'p{number}' does not look like DNA .*is it a protein"):
            clean_sequence(amino_acids, f"p{number}", "proteins.faa")
    faa = _write(tmp_path, "proteins.faa", "".join(f">p{n}\n{p}\n" for n, p in enumerate(proteins[:20])))
    with pytest.raises(InputError, match=rf"^{faa}: record 'p0' does not look like DNA"):
        read_genome(faa)


def test_gff3_start_after_end_is_the_origin_notation_only_where_it_can_be(tmp_path):
    # found in review: swapped coordinates on a linear record were read as genes across the origin, unnoticed
    sequence = "AAATAA" + "C" * 48 + "ATGCCC"
    ptt = _write(tmp_path, "ptt.gff", "##gff-version 3\nTOY1.1\tx\tCDS\t55\t6\t.\t+\t0\tID=wrap\n")
    linear = _write(tmp_path, "linear.gb", _genbank(sequence, []))
    with pytest.raises(InputError) as raised:
        read_genome(linear, annotation=ptt)
    assert str(raised.value) == (f"{ptt}: line 2: start 55 > end 6 on record 'TOY1.1', which is linear (GenBank "
                                 "topology 'linear'): GFF3 needs start <= end")
    ring = _write(tmp_path, "ring.gb", _genbank(sequence, [], topology="circular"))
    fasta = _write(tmp_path, "g.fa", ">TOY1.1\n" + sequence + "\n")  # a FASTA says nothing of its topology
    for genome in (ring, fasta):
        (contig,) = read_genome(genome, annotation=ptt)
        assert contig.circular and [g.parts for g in contig.genes] == [((54, 60), (0, 6))]
    swapped = _write(tmp_path, "swapped.gff",
                     "##gff-version 3\n# pyrodigal\nTOY1.1\tx\tCDS\t30\t10\t.\t-\t0\tID=s\n")
    with pytest.raises(InputError) as raised:
        read_genome(fasta, annotation=swapped)
    assert str(raised.value) == (f"{swapped}: line 3: start 30 > end 10 on record 'TOY1.1': GFF3 needs start <= end "
                                 "(read as a gene across the origin it would cover 41 of the record's 60 bases)")
    # a record the file marks circular, even on a later line, may have a long gene across its origin
    marked = _write(tmp_path, "marked.gff",
                    swapped.read_text() + "TOY1.1\tx\tregion\t1\t60\t.\t+\t.\tIs_circular=true\n")
    (contig,) = read_genome(fasta, annotation=marked)
    assert contig.circular and [g.parts for g in contig.genes] == [((29, 60), (0, 10))]


def test_fasta_section_sequences_without_cds_are_left_out(tmp_path):
    # found in review: a Prokka-style ##FASTA holding a sequence not in the genome was "CDS on record 'other'"
    fasta = _write(tmp_path, "g.fa", ">chr1\n" + TOY + "\n")
    gff = _write(tmp_path, "prokka.gff3", "##gff-version 3\nchr1\tx\tCDS\t4\t12\t.\t+\t0\tID=a\n##FASTA\n>chr1\n"
                 + TOY + "\n>other\nACGTACGT\n")
    (contig,) = add_gff3_annotation(read_genome(fasta), gff, require_cds=True)
    assert [(g.id, g.parts) for g in contig.genes] == [("a", ((3, 12),))]
    bare = _write(tmp_path, "bare.gff3", "##gff-version 3\n##FASTA\n>chr1\n" + TOY + "\n")
    with pytest.raises(InputError, match=rf"^{bare}: no CDS lines"):
        add_gff3_annotation(read_genome(fasta), bare, require_cds=True)


@pytest.mark.parametrize("location", ["xyz", "12..4", "join(4..6,12..9)"])
def test_a_cds_location_that_cannot_be_read_is_named_in_one_line(tmp_path, location):
    """Found in audit: Biopython warns and sets the location to None, which gave 'internal error: AttributeError:
    'NoneType' object has no attribute 'start'' after the warning line. Reading the sequence alone (predict)
    does not need the annotation: no error and no warning."""
    path = _write(tmp_path, "bad.gb", _genbank(TOY, [("complement(31..39)", ['locus_tag="g2"']),
                                                    (location, ['locus_tag="g1"'])]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError, match=r"^.*bad.gb: record 'TOY1.1', CDS 2 \(g1\): a location that cannot be "
                                             r"read \(e.g. an end before its start\): fix or remove it$"):
            read_genome(path)
        (contig,) = read_genome(path, use_annotation=False)
    assert contig.sequence == TOY


@pytest.mark.parametrize("line, message", [
    ("TOY1.1 x CDS 4 12 . + 0 ID=g1", "line 3: 1 tab-separated column, not GFF3's 9 (are they separated by spaces?)"),
    ("TOY1.1\tx\tCDS\t4\t12", "line 3: 5 tab-separated columns, not GFF3's 9"),
    ("TOY1.1\tx\tCDS\tabc\t12\t.\t+\t0\tID=g1", "line 3: start 'abc' (column 4) is not a whole number >= 1"),
    ("TOY1.1\tx\tCDS\t4\t-12\t.\t+\t0\tID=g1", "line 3: end '-12' (column 5) is not a whole number >= 1"),
    ("TOY1.1\tx\tCDS\t0\t12\t.\t+\t0\tID=g1", "line 3: start '0' (column 4) is not a whole number >= 1"),
])
def test_a_gff3_line_a_parser_cannot_read_is_named_by_its_number(tmp_path, line, message):
    """Found in audit: these were 'cannot be read as GFF3 (IndexError: list index out of range)', '(AssertionError:
    ...)' and '(ValueError: invalid literal for int() ...)', naming no line."""
    fasta = _write(tmp_path, "g.fa", ">TOY1.1\n" + TOY + "\n")
    gff = _write(tmp_path, "calls.gff3", f"##gff-version 3\n\n{line}\n##FASTA\n>TOY1.1\n{TOY}\n")
    with pytest.raises(InputError) as raised:
        add_gff3_annotation(read_genome(fasta), gff)
    assert str(raised.value) == f"{gff}: {message}"


def test_blank_lines_before_the_first_fasta_record_are_skipped(tmp_path):
    """Found in audit: Biopython's "fasta" parser refused them in an 800-character message."""
    (contig,) = read_genome(_write(tmp_path, "g.fa", "\n  \n>TOY1\n" + TOY + "\n"))
    assert (contig.id, contig.sequence) == ("TOY1", TOY)


def test_stated_genetic_code_is_read_whether_or_not_the_annotation_is(tmp_path):
    # found in audit: evaluate took the first record's code alone; a record without CDS states none
    stated = _genbank(TOY, [("4..12", ['locus_tag="a"', 'transl_table=4'])])
    path = _write(tmp_path, "two.gb", _genbank("ACGT" * 10, [], name="BLANK") + stated)
    for use_annotation in (True, False):
        contigs = read_genome(path, use_annotation=use_annotation)
        assert [c.stated_tables for c in contigs] == [frozenset(), frozenset({4})]
        assert stated_code(contigs, path) == 4
    assert stated_code(read_genome(_write(tmp_path, "g.fa", ">a\n" + TOY + "\n")), "g.fa") is None
    # 'four' was a ValueError (exit 1) from int(); found in review: 0 was taken as "none stated" and 7 failed
    # later in one line naming no file
    for value in ('"four"', "0", "7"):
        bad = _write(tmp_path, "bad.gb", _genbank(TOY, [("4..12", ['locus_tag="a"', f"transl_table={value}"])]))
        with pytest.raises(InputError) as raised:
            read_genome(bad, use_annotation=False)
        assert str(raised.value) == (f"{bad}: record 'TOY1.1' has a CDS with /transl_table={value.strip(chr(34))!r}: "
                                     "not an NCBI genetic code")
