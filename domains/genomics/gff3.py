"""Writing gene calls as GFF3 and their proteins as FASTA.

GFF3 (https://github.com/The-Sequence-Ontology/Specifications/blob/master/gff3.md) as written here:

- ``##gff-version 3``, then one ``##sequence-region <id> 1 <length>`` pragma per contig, and for a circular
  contig a ``region`` line with ``Is_circular=true`` and, as NCBI writes it, ``ID=<id>:1..<length>`` (a gene's
  ``ID`` is ``<id>_<n>``, so the two cannot collide even when one record is named like another's gene);
- one ``CDS`` line per gene (one per part for a programmed frameshift, all parts sharing the ``ID``), 1-based
  inclusive coordinates; a gene across the origin of a circular contig is one line whose end exceeds the
  contig length, as the specification prescribes;
- ``phase``: the bases to skip from the line's first base (in the gene's direction) to the next codon start:
  0 for a complete gene, ``codon_start - 1`` on a partial 5' end, and running on across frameshift parts;
- a record id with characters outside ``[a-zA-Z0-9.:^*$@!+_?-|]`` is percent-encoded (``;`` as ``%3B``, ``~`` as
  ``%7E``) in the seqid column, the pragmas and the ``ID``s, as the specification requires;
- the score column (6) is always ``.``; attributes: ``ID``, ``partial=true`` with ``start_range``/``end_range``
  on open ends, and ``transl_table`` when the gene carries one (nothing else: no scores, no start codon type).

Files are written atomically and never over an existing file without ``force``; a file whose name ends in
``.gz`` is gzip-compressed.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
from urllib.parse import quote

from Bio import SeqIO
from Bio.Seq import Seq
from Bio.SeqRecord import SeqRecord

from domains.genomics.data import complement
from shared.atomic import atomic_open


def gff3_lines(contigs, genes, source="gated-domains"):
    """The GFF3 text of ``genes`` on ``contigs``, as a list of lines (no newlines)."""
    lengths = {contig.id: len(contig) for contig in contigs}
    lines = ["##gff-version 3"]
    lines += [f"##sequence-region {_escaped(contig.id)} 1 {len(contig)}" for contig in contigs]
    lines += [
        f"{_escaped(contig.id)}\t{source}\tregion\t1\t{len(contig)}\t.\t+\t.\t"
        f"ID={_escaped(contig.id)}:1..{len(contig)};Is_circular=true"
        for contig in contigs if contig.circular
    ]
    for gene in genes:
        length = lengths[gene.contig]
        skip = (gene.codon_start - 1) if gene.partial_start else 0
        for start, end, phase in _parts_with_phase(gene, length, skip):
            attributes = [f"ID={_escaped(gene.id)}"]
            if gene.partial_start or gene.partial_end:
                attributes.append("partial=true")
                low_open = gene.partial_start if gene.strand == 1 else gene.partial_end
                high_open = gene.partial_end if gene.strand == 1 else gene.partial_start
                if low_open:
                    attributes.append(f"start_range=.,{start + 1}")
                if high_open:
                    attributes.append(f"end_range={end},.")
            if gene.table is not None:
                attributes.append(f"transl_table={gene.table}")
            strand = "+" if gene.strand == 1 else "-"
            columns = [_escaped(gene.contig), source, "CDS", start + 1, end, ".", strand, phase, ";".join(attributes)]
            lines.append("\t".join(map(str, columns)))
    return lines


def _escaped(text):
    """``text`` percent-encoded but for the characters a GFF3 seqid may hold as they are (``quote`` keeps ``~``
    as it is, which the specification does not allow)."""
    return quote(text, safe=".:^*$@!+_?-|").replace("~", "%7E")


def write_gff3(path, contigs, genes, force=False, source="gated-domains"):
    """Writes ``genes`` (on ``contigs``) to ``path`` as GFF3; see the module docstring."""
    with _output(path, force) as handle:
        handle.write("\n".join(gff3_lines(contigs, genes, source)) + "\n")


def protein(gene, contig):
    """The protein of ``gene`` on ``contig`` (a string, no trailing ``*``); a complete gene starts with M,
    whatever its start codon (GTG and TTG code for methionine at initiation)."""
    nucleotides = "".join(contig.sequence[p] for p in gene.positions())
    if gene.strand == -1:
        nucleotides = complement(nucleotides)  # positions() already runs in transcription order
    if gene.partial_start:
        nucleotides = nucleotides[gene.codon_start - 1:]
    nucleotides = nucleotides[: len(nucleotides) - len(nucleotides) % 3]
    amino_acids = str(Seq(nucleotides).translate(table=gene.table or contig.translation_table))
    if amino_acids.endswith("*") and not gene.partial_end:
        amino_acids = amino_acids[:-1]
    if not gene.partial_start and amino_acids:
        amino_acids = "M" + amino_acids[1:]
    return amino_acids


def protein_records(contigs, genes):
    """The proteins of ``genes`` as Biopython ``SeqRecord``s, one per gene named by its ``ID``, described as
    ``contig:start-end(strand)`` in the GFF3 file's 1-based coordinates (a gene across the origin of a
    circular contig ends past the contig length, as on its GFF3 line)."""
    by_id = {contig.id: contig for contig in contigs}
    records = []
    for gene in genes:
        spans = _parts_with_phase(gene, len(by_id[gene.contig]), 0)
        start, end = spans[0][0] + 1, spans[-1][1]
        strand = "+" if gene.strand == 1 else "-"
        records.append(SeqRecord(Seq(protein(gene, by_id[gene.contig])), id=gene.id,
                                 description=f"{gene.contig}:{start}-{end}({strand})"))
    return records


def write_proteins(path, contigs, genes, force=False):
    """Writes the proteins of ``genes`` to ``path`` as FASTA (:func:`protein_records`)."""
    with _output(path, force) as handle:
        SeqIO.write(protein_records(contigs, genes), handle, "fasta")


@contextlib.contextmanager
def _output(path, force):
    """A text handle (UTF-8, ``\\n`` line ends) writing ``path`` atomically (``shared.atomic``),
    gzip-compressed when the name ends in ``.gz`` (the gzip header names the file less ``.gz``, time 0)."""
    if not os.fspath(path).endswith(".gz"):
        with atomic_open(path, "w", force=force, encoding="utf-8", newline="\n") as handle:
            yield handle
        return
    with (atomic_open(path, "wb", force=force) as raw,
          gzip.GzipFile(os.path.basename(path), "wb", fileobj=raw, mtime=0) as packed,
          io.TextIOWrapper(packed, encoding="utf-8", newline="\n") as handle):
        yield handle


def _parts_with_phase(gene, length, skip):
    """``(start, end, phase)`` per GFF3 line in coordinate order; phases counted in transcription order.
    A gene across the origin becomes one span with ``end > length``."""
    ordered = sorted(gene.parts)
    if len(ordered) == 2 and ordered[0][0] == 0 and ordered[1][1] == length:
        (_, wrap_end), (start, _) = ordered
        return [(start, length + wrap_end, skip % 3)]
    phases, done = {}, 0
    for start, end in gene.parts:  # transcription order
        phases[(start, end)] = (skip - done) % 3
        done += end - start
    return [(start, end, phases[(start, end)]) for start, end in ordered]
