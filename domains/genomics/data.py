"""Reading genomes and their gene annotation, and turning them into per-position labels.

Formats (plain or gzip, detected from the content, not the file name): FASTA and GenBank through Biopython's
``SeqIO``, GFF3 annotation through ``BCBio.GFF`` (bcbio-gff, the Biopython project's GFF parser), joined to
the sequences by their record ids.

Sequences are cleaned as follows, per record:

- the file is read as UTF-8 (a leading byte-order mark dropped), or as Latin-1 when it is not valid UTF-8 (a
  FASTA header or a GenBank DEFINITION written in Latin-1); only a NUL byte makes it "not a text file"; lines
  may end in LF, CR LF or a lone CR (classic Mac OS);
- whitespace and digits inside the sequence are dropped, letters are upper-cased, ``U`` reads as ``T``;
- IUPAC ambiguity codes (``R Y K M S W B D H V``), ``N``, hard-masked bases (``X``) and alignment gaps
  (``-`` and ``.``, each one position, so that coordinates stay those of the file as other tools index it)
  become ``N``; ``N`` positions are masked in the model input (all-zero one-hot) and can never be part of a
  start or stop codon;
- any other character (a letter that is no nucleotide code: ``E F I J L O P Q Z``, or a symbol such as ``*``)
  reads as ``N`` too while it is at most 1 % of a record's letters; above that the record is taken for a
  protein sequence, or a genome with protein spliced into it, and refused (those nine letters make up 16 % to
  50 % of every protein of the bundled genome);
- a record with no bases, with no sequence at all in a GenBank file (a CONTIG or WGS master record, an empty
  ``ORIGIN``), or with an empty id (a FASTA ``>`` line with nothing after it) is refused with an
  :class:`~shared.cli.InputError` naming the file and the record; a record without ``A``/``C``/``G``/``T``
  (a gap placeholder: ``N``, other ambiguity codes, ``X`` or gaps, in any mix) is read, all masked, and holds
  no gene.

GFF3 seqids are joined to the genome's record ids (:func:`add_gff3_annotation`): an exact match always; else a
seqid without a version (no ``.<digits>`` suffix, ``NC_000913``) names the one record whose id less its version
is that seqid (``NC_000913.3``), when exactly one is; a versioned seqid (``NC_000913.2``, ``ctg.7``) must match
exactly. Anything else is refused, naming the seqid and the genome's records.

Annotation (the CDS features of a GenBank record or a GFF3 file) becomes :class:`Gene` objects:

- pseudogenes (a ``pseudo`` or ``pseudogene`` qualifier) are left out, and so is a CDS whose parts lie on
  both strands (trans-spliced, such as the chloroplast *rps12*); a CDS with no strand at all is refused;
- a CDS may cross the origin only on a circular record: one whose GenBank topology is ``circular``, or that
  the GFF3 annotation marks ``Is_circular=true``, or on which the GFF3 uses the PTT-derived benchmark files'
  origin notation (start > end; such files come from circular replicons) on a record whose topology the genome
  file does not state (FASTA), as long as the wrap is the shorter reading of the two coordinates (start > end on
  a GenBank record stated ``linear``, or a wrap longer than the swapped reading, is refused naming the file and
  line: it is a GFF3 line with its coordinates swapped). There a join across the origin
  (GenBank ``join(55..60,1..6)``; in GFF3 an end beyond the sequence length, or CDS lines sharing an ``ID``
  at both ends of the record) is one gene that wraps around. On a linear record such a CDS, like any
  location outside the sequence, is refused, naming the file, the record and the location. (Other non-GFF3
  dialects of benchmark files, such as space-separated attributes, are repaired before parsing: see
  ``_normalise_gff``.) Other joins (programmed frameshifts such as *prfB*) are labelled part by part, the
  codon position running on across the junction;
- partial and fuzzy ends (``<``/``>`` in GenBank, ``partial=true`` in GFF3 or Prodigal's ``partial=10``/``01``/
  ``11``) mark the gene partial at that end:
  its bases are still labelled coding (respecting ``codon_start``), but a partial 5' end gets no start-codon
  label and a partial 3' end no stop-codon label;
- the genetic code is the record's ``transl_table`` (11 by default; 4 for Mycoplasma, where TGA is Trp);
  :func:`stated_code` gives the one code all records' CDS state, for a genome read as one.

Labels (:func:`label_contig`) are arrays over the two strands, axis 0 = forward, 1 = reverse, indexed by
forward-strand position: ``coding`` (0 = non-coding, 1/2/3 = codon position, counted in the gene's own
direction), and boolean ``start``/``stop`` marking the three bases of each complete gene's start and stop
codon. Where two genes on one strand overlap, the one listed later overwrites the overlap.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import urllib.parse
import warnings
import zlib
from dataclasses import dataclass, field

import numpy as np
from Bio import BiopythonParserWarning, SeqIO
from Bio.Data import CodonTable
from Bio.Seq import MutableSeq, Seq, UndefinedSequenceError
from Bio.SeqFeature import AfterPosition, BeforePosition
from Bio.SeqRecord import SeqRecord

from shared.cli import InputError

NUCLEOTIDES = "ACGTN"
AMBIGUITY = "RYKMSWBDHV"
MASKED = "X-."  # hard-masked bases and alignment gaps, read as N
_KEEP = set("ACGTU" + AMBIGUITY + "N" + MASKED)
_CLEAN = str.maketrans({**{c: "N" for c in AMBIGUITY + MASKED}, "U": "T"})
PROTEIN_SHARE = 0.01  # a record with more characters outside _KEEP than this share is taken for a protein
_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")
_CODES = np.full(256, 4, np.uint8)
for _index, _base in enumerate("ACGT"):
    _CODES[ord(_base)] = _index
_STRAND_AXIS = {1: 0, -1: 1}
_VERSION = re.compile(r"\.\d+$")  # an accession's version suffix: NC_000913.3 -> NC_000913
_LINEAR = ("the record is linear, and only a circular one (GenBank topology 'circular', GFF3 Is_circular=true) "
           "may have a CDS across its origin")
_IS_CIRCULAR = re.compile(r"(?:^|;)\s*Is_circular\s*=\s*true\s*(?:;|$)", re.IGNORECASE)


@dataclass(frozen=True)
class Gene:
    """One annotated CDS on a contig.

    Attributes:
        contig: the record id it lies on.
        parts: ``((start, end), ...)`` 0-based half-open forward-strand intervals, in transcription order
            (for a reverse-strand gene the first part is the right-most). A gene wrapping around the origin of
            a circular contig has two parts.
        strand: ``1`` (forward) or ``-1`` (reverse).
        partial_start: the 5' end is missing or fuzzy (no start codon is labelled).
        partial_end: the 3' end is missing or fuzzy (no stop codon is labelled).
        codon_start: 1, 2 or 3: the first base of the first complete codon (GenBank ``/codon_start``).
        id: the feature's id (``locus_tag``, ``ID`` or ``protein_id``), for messages.
        table: the CDS' ``transl_table`` qualifier, if any.
    """

    contig: str
    parts: tuple
    strand: int
    partial_start: bool = False
    partial_end: bool = False
    codon_start: int = 1
    id: str = ""
    table: int | None = None

    @property
    def length(self):
        """Length in bases, stop codon included."""
        return sum(end - start for start, end in self.parts)

    def positions(self):
        """Forward-strand positions of the gene's bases, in transcription order, ``(length,)`` int64."""
        spans = [np.arange(start, end) for start, end in self.parts]
        if self.strand == -1:
            spans = [span[::-1] for span in spans]
        return np.concatenate(spans)


@dataclass
class Contig:
    """One sequence record with its annotation.

    Attributes:
        id: record id. sequence: the cleaned ``ACGTN`` string. One built by hand (a ``str`` or a Biopython
            ``Seq``) is cleaned on construction as :func:`read_genome` cleans a file's records
            (:func:`clean_sequence`: upper case, ``U`` as ``T``, ambiguity codes, masks and gaps as ``N``,
            whitespace and digits dropped), so that it reads as the file would; a sequence already in
            ``ACGTN`` only has its letters checked (a few ms for 5 Mb). A ``Bio.SeqRecord`` is taken apart by
            hand: ``Contig(record.id, record.seq)`` (its features are not read; :func:`read_genome` reads them).
        circular: topology. translation_table: NCBI genetic code id. genes: the CDS (empty when not annotated).
        linear: the genome file states the record is linear (GenBank topology ``linear``), so that a GFF3 line
            with start > end on it is refused rather than read as PTT's origin notation; ``False`` when the
            file says nothing (FASTA) or the record is circular.
        stated_tables: the genetic codes its GenBank CDS state (``/transl_table``, pseudogenes included), read
            whether or not the CDS are (``use_annotation``); empty when none states one (FASTA).
    """

    id: str
    sequence: str
    circular: bool = False
    translation_table: int = 11
    genes: list = field(default_factory=list)
    linear: bool = False
    stated_tables: frozenset = frozenset()

    def __post_init__(self):
        """Cleans ``sequence`` as :func:`read_genome` does.

        Raises:
            TypeError: ``sequence`` is neither a ``str`` nor a Biopython ``Seq``/``MutableSeq``.
            InputError: as :func:`clean_sequence` (a protein sequence, characters outside ASCII, or no bases
                among whitespace and digits), naming the contig; an empty sequence is allowed.
        """
        sequence = self.sequence
        if not isinstance(sequence, (str, Seq, MutableSeq)):
            hint = ": give Contig(record.id, record.seq)" if isinstance(sequence, SeqRecord) else ""
            raise TypeError(f"Contig {self.id!r}: sequence must be a str or a Bio.Seq, not "
                            f"{type(sequence).__name__}{hint}")
        if len(sequence) == 0:
            self.sequence = ""
            return
        if isinstance(sequence, str) and sequence.isascii():
            upper = sequence.upper()
            if not upper.encode("ascii").translate(None, NUCLEOTIDES.encode("ascii")):
                self.sequence = upper  # already clean: the common case (read_genome's, sub_contig's)
                return
        self.sequence = clean_sequence(sequence, self.id, "Contig")

    def __len__(self):
        return len(self.sequence)


def check_contigs(contigs, argument="contigs"):
    """``contigs`` as a list, checked to be a non-empty list of :class:`Contig` (what the prediction functions
    take: one genome's records).

    Raises:
        TypeError: ``contigs`` is one Contig, a string or not iterable, or an item is not a Contig (a
            Biopython ``SeqRecord``: ``Contig(record.id, record.seq)`` builds one; a file: :func:`read_genome`).
        ValueError: ``contigs`` is empty.
    """
    if isinstance(contigs, (Contig, SeqRecord, str, bytes, os.PathLike)) or not np.iterable(contigs):
        raise TypeError(f"{argument}: expected a list of Contig, got {type(contigs).__name__}: pass a list, such as "
                        "[contig] or read_genome(path)")
    contigs = list(contigs)
    if not contigs:
        raise ValueError(f"{argument} is empty: give at least one Contig")
    for i, contig in enumerate(contigs):
        if not isinstance(contig, Contig):
            hint = {SeqRecord: ": build one with Contig(record.id, record.seq)",
                    str: ": read a file with read_genome(path), or build Contig(name, sequence)"}
            raise TypeError(f"{argument}[{i}]: expected a Contig, got {type(contig).__name__}"
                            + hint.get(type(contig), ""))
    return contigs


def open_text(path):
    """Opens ``path`` for reading text, gunzipping when the file starts with the gzip magic bytes: UTF-8 (a
    leading byte-order mark dropped), or Latin-1 when the bytes are not valid UTF-8 (every byte is a Latin-1
    character, so a stray accented letter in a header does not make the file unreadable). Lines may end in
    LF, CR LF or a lone CR (classic Mac OS); the handle gives them all as LF.

    Raises:
        FileNotFoundError / IsADirectoryError: as ``open`` does.
        InputError: the file is not text (it holds a NUL byte) or its gzip stream is damaged.
    """
    with open(path, "rb") as raw:
        magic = raw.read(2)
    try:
        if magic == b"\x1f\x8b":
            with gzip.open(path, "rb") as handle:
                data = handle.read()
        else:
            with open(path, "rb") as handle:
                data = handle.read()
    except (OSError, EOFError, zlib.error) as error:
        raise InputError(f"{path}: damaged gzip file ({error})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if "\x00" in text:
        raise InputError(f"{path}: not a text file (FASTA, GenBank or GFF3 expected)")
    return io.StringIO(text, newline=None)  # universal newlines: \r\n and a lone \r (old Mac) read as \n


def sniff_format(handle, path):
    """``"fasta"``, ``"genbank"`` or ``"gff3"`` from the first non-blank line of an open text handle."""
    for line in handle:
        line = line.strip()
        if not line:
            continue
        handle.seek(0)
        if line.startswith(">"):
            return "fasta"
        if line.startswith("LOCUS"):
            return "genbank"
        if line.startswith("##gff-version") or line.count("\t") >= 8:
            return "gff3"
        raise InputError(f"{path}: not FASTA, GenBank or GFF3 (first line: {line[:40]!r})")
    raise InputError(f"{path}: the file is empty")


def clean_sequence(raw, record_id, path):
    """The cleaned ``ACGTN`` sequence of one record (see the module docstring).

    Raises:
        InputError: the record is empty or has no sequence at all (a GenBank CONTIG record: only its length),
            has characters outside ASCII, or looks like a protein sequence.
    """
    outside_ascii = f"{path}: record {record_id!r} has characters outside ASCII in its sequence"
    try:
        text = str(raw)
    except UnicodeDecodeError:  # Biopython keeps sequences as ASCII bytes
        raise InputError(outside_ascii) from None
    except UndefinedSequenceError:  # Biopython's Seq(None, length)
        raise InputError(f"{path}: record {record_id!r} has no sequence, only its length ({len(raw)} bp): a CONTIG "
                         "or WGS master record, or an empty ORIGIN; give the file with the sequence") from None
    if not text.isascii():  # a str built by hand (Contig): refused as the file reader refuses it
        raise InputError(outside_ascii)
    letters = "".join(ch for ch in text if not ch.isspace() and not ch.isdigit()).upper()
    if not letters:
        raise InputError(f"{path}: record {record_id!r} has no sequence")
    unknown = sum(1 for ch in letters if ch not in _KEEP)
    if unknown > PROTEIN_SHARE * len(letters):
        raise InputError(
            f"{path}: record {record_id!r} does not look like DNA ({unknown} of {len(letters)} letters are not "
            "nucleotide codes, such as E F I L P Q; is it a protein sequence?)"
        )
    if unknown:
        letters = "".join(ch if ch in _KEEP else "N" for ch in letters)
    return letters.translate(_CLEAN)


def read_genome(path, annotation=None, translation_table=None, use_annotation=True):
    """Reads a genome (FASTA or GenBank, plain or gzip) and, optionally, its annotation.

    Args:
        path: the genome file.
        annotation: an optional GFF3 file whose CDS annotate the genome (matched by record id).
        translation_table: overrides every record's genetic code (default: the CDS' ``transl_table``, else 11).
        use_annotation: take the CDS features of a GenBank file (``False`` ignores them, as ``predict`` does).

    Returns:
        A list of :class:`Contig`, in file order.

    Raises:
        TypeError: ``path`` or ``annotation`` is not a file path: an open file, a ``StringIO`` or a Biopython
            ``SeqRecord`` (the reader detects gzip and the text encoding from the file's bytes, and names the file
            in its messages; a SeqRecord is ``Contig(record.id, record.seq)``).
        InputError: the file is not FASTA/GenBank, holds no records, or a record is empty or protein; the
            annotation names a record that is not in the genome.
    """
    _check_path(path, "path")
    if annotation is not None:
        _check_path(annotation, "annotation")
    path = os.fspath(path)
    handle = open_text(path)
    kind = sniff_format(handle, path)
    if kind == "gff3":
        raise InputError(f"{path}: GFF3 holds annotation, not the genome: give a FASTA or GenBank file")
    try:
        with warnings.catch_warnings():  # a file that ends inside a record, or a record shorter than its LOCUS
            warnings.filterwarnings("error", "(Premature end of file|Expected sequence length)", BiopythonParserWarning)
            # a feature whose location Biopython cannot read gets location None: a CDS so is refused by
            # genes_from_features, naming it; any other feature is not read
            warnings.filterwarnings("ignore", "(Could not parse feature location|it appears that .* spans the origin)",
                                    BiopythonParserWarning)
            # sniff_format found only blank lines before the first '>', which Biopython's "fasta" refuses (since
            # 1.85) and "fasta-pearson", otherwise the same parser, skips
            records = list(SeqIO.parse(handle, "fasta-pearson" if kind == "fasta" else kind))
    except (ValueError, BiopythonParserWarning) as error:
        raise InputError(f"{path}: cannot be read as {kind} ({' '.join(str(error).split())})") from None
    if not records:
        raise InputError(f"{path}: no {kind} records found")
    contigs = []
    seen = set()
    for number, record in enumerate(records, 1):
        if not record.id:
            raise InputError(f"{path}: record {number} has no id (a '>' line with nothing after it)")
        if record.id in seen:
            raise InputError(f"{path}: record id {record.id!r} appears twice")
        seen.add(record.id)
        sequence = clean_sequence(record.seq, record.id, path)
        topology = record.annotations.get("topology")
        contig = Contig(record.id, sequence, circular=topology == "circular", linear=topology == "linear",
                        stated_tables=_stated_tables(record.features, record.id, path))
        if kind == "genbank" and use_annotation:
            contig.genes = genes_from_features(record.features, contig, path)
        contigs.append(contig)
    if annotation is not None:
        add_gff3_annotation(contigs, annotation)
    for contig in contigs:
        contig.translation_table = translation_table or _table_of(contig.genes) or 11
    return contigs


def _check_path(value, argument):
    """Raises ``TypeError`` unless ``value`` is a file path (``str`` or ``os.PathLike``)."""
    if isinstance(value, (str, os.PathLike)):
        return
    hint = ""
    if isinstance(value, SeqRecord):
        hint = ": build a Contig from it, Contig(record.id, record.seq), or write it with Bio.SeqIO.write"
    elif hasattr(value, "read"):
        hint = ": write the text to a file and give its path"
    raise TypeError(f"read_genome {argument}: expected a file path (str or os.PathLike), got "
                    f"{type(value).__name__}{hint}")


def stated_code(contigs, path):
    """The one genetic code that the CDS of ``contigs`` (read from ``path``) state, across all records, or
    ``None`` when none states one (a FASTA file, a GenBank without ``/transl_table``).

    Raises:
        InputError: the records state more than one code (one genome has one), naming the file and, per code,
            a record that states it.
    """
    where = {}
    for contig in contigs:
        for table in sorted(contig.stated_tables):
            where.setdefault(table, contig.id)
    if len(where) > 1:
        codes = ", ".join(f"{table} (record {record!r})" for table, record in sorted(where.items()))
        raise InputError(f"{path}: the CDS state more than one genetic code (/transl_table {codes}), where one "
                         "genome has one: give --translation-table, or the genomes one at a time")
    return next(iter(where), None)


def apply_code(contigs, path, given=None):
    """Sets every contig's genetic code to ``given`` (``--translation-table``), else the one its CDS state
    (:func:`stated_code`), else 11, and returns ``given`` or the stated code: ``None`` when the code is still to be
    detected from the genes (:func:`domains.genomics.predict.predict_genes`, ``detect_code=True``).

    Raises:
        InputError: as :func:`stated_code`.
    """
    code = given or stated_code(contigs, path)
    for contig in contigs:
        contig.translation_table = code or 11
    return code


def _stated_tables(features, record_id, path):
    """The distinct ``/transl_table`` values of the CDS among Biopython ``features``, as a frozenset of int.

    Raises:
        InputError: a value is not the number of an NCBI genetic code (Biopython's tables: 1-6, 9-16, 21-33, ...;
            not 0 or 7), naming the file and the record.
    """
    values = {str(value).strip() for feature in features if feature.type == "CDS"
              for value in feature.qualifiers.get("transl_table", [])}
    bad = sorted(value for value in values
                 if not (value.isdigit() and int(value) in CodonTable.unambiguous_dna_by_id))
    if bad:
        raise InputError(f"{path}: record {record_id!r} has a CDS with /transl_table={bad[0]!r}: not an NCBI genetic "
                         "code")
    return frozenset(int(value) for value in values)


def add_gff3_annotation(contigs, path, require_cds=False):
    """Adds the CDS of a GFF3 file (plain or gzip) to ``contigs``, replacing their own annotation.

    Seqids are matched to the contigs' ids as the module docstring says (:class:`_RecordMatcher`). A contig
    that the file marks ``Is_circular=true``, or on which it uses the PTT origin notation (start > end), is
    made circular before its CDS are read (only then may a CDS cross its origin). Sequences of a ``##FASTA``
    section that carry no CDS are left out (they need not be in the genome).

    Args:
        contigs: the genome's :class:`Contig` list (changed in place and returned).
        path: the GFF3 file.
        require_cds: refuse a file without a single ``CDS`` line (a prediction file to score).

    Raises:
        InputError: the file is not GFF3; a CDS lies on a seqid that names no contig (or two: an unversioned
            accession matching several versions), or outside its contig (see :func:`genes_from_features`); a
            line has start > end where that is no origin notation (see :func:`_normalise_gff`); with
            ``require_cds``, the file has no CDS line.
    """
    from BCBio import GFF

    path = os.fspath(path)
    handle = open_text(path)
    if sniff_format(handle, path) != "gff3":
        raise InputError(f"{path}: not a GFF3 file")
    matcher = _RecordMatcher(contigs, path)
    for contig in contigs:
        contig.genes = []
    text, circular = _normalise_gff(handle, matcher)
    for contig in circular:
        contig.circular = True
    try:
        records = list(GFF.parse(io.StringIO(text), limit_info={"gff_type": ["CDS"]}))
    except Exception as error:  # BCBio raises assorted errors on malformed lines
        raise InputError(f"{path}: cannot be read as GFF3 ({type(error).__name__}: {error})") from None
    features = [list(_flatten(record.features)) for record in records]
    annotated = [(record, found) for record, found in zip(records, features)
                 if any(feature.type == "CDS" for feature in found)]  # a ##FASTA sequence has none
    if require_cds and not annotated:
        raise InputError(f"{path}: no CDS lines (column 3 'CDS'): nothing to score")
    for record, features in annotated:
        contig = matcher.find(urllib.parse.unquote(record.id))  # a GFF3 seqid is percent-encoded
        contig.genes.extend(_join_parts(genes_from_features(features, contig, path), contig, path))
    return contigs


class _RecordMatcher:
    """Finds the contig a GFF3 seqid names: its exact id, else, for a seqid without a version suffix
    (``.<digits>``), the only contig whose id less its version equals the seqid."""

    def __init__(self, contigs, path):
        self.path = path
        self.contigs = contigs
        self.by_id = {contig.id: contig for contig in contigs}
        self.by_accession = {}
        for contig in contigs:
            self.by_accession.setdefault(_VERSION.sub("", contig.id), []).append(contig)

    def get(self, seqid):
        """The contig ``seqid`` names, or ``None`` (no contig, or several)."""
        if seqid in self.by_id:
            return self.by_id[seqid]
        same = [] if _VERSION.search(seqid) else self.by_accession.get(seqid, [])
        return same[0] if len(same) == 1 else None

    def find(self, seqid):
        """The contig ``seqid`` names; raises :class:`InputError` (one line, naming the seqid and the genome's
        records) when there is none or the match is ambiguous."""
        contig = self.get(seqid)
        if contig is not None:
            return contig
        same = [] if _VERSION.search(seqid) else self.by_accession.get(seqid, [])
        if len(same) > 1:
            raise InputError(f"{self.path}: CDS on record {seqid!r}, which could be any of the genome's "
                             f"{_id_list(same)}: give the version")
        rule = " (a versioned seqid must match a record id exactly)" if _VERSION.search(seqid) else ""
        raise InputError(f"{self.path}: CDS on record {seqid!r}, which is not in the genome{rule}; "
                         f"its records: {_id_list(self.contigs)}")


def _id_list(contigs, shown=5):
    """The contigs' ids for a message: ``'a', 'b'``, the first ``shown`` and the count of the rest."""
    ids = ", ".join(repr(contig.id) for contig in contigs[:shown])
    return ids + (f" and {len(contigs) - shown} more" if len(contigs) > shown else "")


def _normalise_gff(handle, matcher):
    """GFF text made readable by a GFF3 parser, for the GFF dialects genome benchmarks ship, and the contigs
    the file marks circular.

    - a line with ``Is_circular=true`` marks its contig circular (GFF3's way: on the ``region`` line);
    - PTT-derived lines crossing the origin with start > end are rewritten the GFF3 way (end + length), and
      their contig counts as circular (the notation is only used for circular replicons). That reading is
      taken on a contig that is circular (its genome file or this file says so) and, on one whose topology
      the genome file does not state (FASTA), when the wrap is shorter than the swapped reading (end..start);
      otherwise the line is refused (:func:`_check_origin_notation`);
    - attribute columns that are not GFF3 ``key=value;...`` are repaired: whitespace-separated ``key=value``
      tokens are joined with ``;``, and free text is kept, escaped, as a ``Note``.

    Returns:
        ``(text, circular)``: the repaired GFF text and a list of the :class:`Contig` found circular.

    Raises:
        InputError: naming the file and the line number: a feature line with fewer than 9 tab-separated columns,
            or a start or end that is not a whole number >= 1 (a ``##FASTA`` section's lines are sequence); a
            line with start > end that is no origin notation.
    """
    lines, circular, wraps = [], [], []
    sequence = False  # past ##FASTA
    for number, line in enumerate(handle, 1):
        columns = line.rstrip("\r\n").split("\t")
        sequence = sequence or line.startswith("##FASTA")
        if not (sequence or line.startswith("#") or not line.strip()):
            _check_feature_line(columns, f"{matcher.path}: line {number}")
        if len(columns) >= 9 and not line.startswith("#"):
            contig = matcher.get(urllib.parse.unquote(columns[0]))
            ptt_wrap = columns[3].isdigit() and columns[4].isdigit() and int(columns[3]) > int(columns[4])
            if ptt_wrap and contig is not None:
                wraps.append((len(lines), number, contig))  # read once all Is_circular marks are known
            columns[8] = _gff3_attributes(columns[8])
            if contig is not None and _IS_CIRCULAR.search(columns[8]):
                circular.append(contig)
            line = "\t".join(columns[:9]) + "\n"
        lines.append(line)
    marked = {contig.id for contig in circular}
    for index, number, contig in wraps:
        columns = lines[index].split("\t")
        if not (contig.circular or contig.id in marked):
            _check_origin_notation(int(columns[3]), int(columns[4]), contig, f"{matcher.path}: line {number}")
        columns[4] = str(int(columns[4]) + len(contig))
        lines[index] = "\t".join(columns)
        circular.append(contig)
    return "".join(lines), circular


def _check_feature_line(columns, where):
    """Refuses, naming ``where`` (the file and the line), a GFF3 feature line's tab-separated ``columns`` that a
    parser cannot read: fewer than 9, or a start or end (columns 4 and 5) that is not a whole number >= 1."""
    if len(columns) < 9:
        spaces = " (are they separated by spaces?)" if len(" ".join(columns).split()) >= 9 else ""
        raise InputError(f"{where}: {len(columns)} tab-separated column{'s' * (len(columns) != 1)}, not GFF3's "
                         f"9{spaces}")
    for name, value in (("start", columns[3]), ("end", columns[4])):
        if not (value.strip().isdigit() and int(value) >= 1):
            raise InputError(f"{where}: {name} {value!r} (column {4 if name == 'start' else 5}) is not a whole "
                             "number >= 1")


def _check_origin_notation(start, end, contig, where):
    """Refuses a GFF3 line's ``start > end`` (1-based) on a ``contig`` not known to be circular, unless the
    genome file leaves its topology open and the wrap across the origin (``start..length`` then ``1..end``)
    is shorter than the swapped reading ``end..start``, as PTT's origin notation always is.

    Raises:
        InputError: naming ``where`` (the file and the line), the coordinates and the record.
    """
    swapped, wrap = start - end + 1, len(contig) - start + 1 + end
    if contig.linear:
        raise InputError(f"{where}: start {start} > end {end} on record {contig.id!r}, which is linear (GenBank "
                         "topology 'linear'): GFF3 needs start <= end")
    if wrap >= swapped:
        raise InputError(f"{where}: start {start} > end {end} on record {contig.id!r}: GFF3 needs start <= end (read "
                         f"as a gene across the origin it would cover {wrap} of the record's {len(contig)} bases)")


def _gff3_attributes(text):
    tokens = text.split()
    if ";" not in text and tokens and all("=" in token for token in tokens):
        return ";".join(tokens)
    kept, notes = [], []
    for piece in (part.strip() for part in text.split(";")):
        key = piece.split("=", 1)[0]
        if "=" in piece and key and " " not in key:
            kept.append(piece)
        elif piece:
            notes.append(piece)
    if notes:
        kept.append("Note=" + urllib.parse.quote(" ".join(notes), safe=" "))
    return ";".join(kept) or "."


def _join_parts(genes, contig, path):
    """One gene per GFF3 ``ID``: CDS lines sharing an ID are the parts of one discontinuous feature (across
    the origin only on a circular ``contig``; see :func:`_ordered_parts`)."""
    groups = {}
    for gene in genes:
        groups.setdefault((gene.id, gene.strand), []).append(gene)
    joined = []
    for group in groups.values():
        if len(group) == 1:
            joined.append(group[0])
            continue
        spans = [part for gene in group for part in gene.parts]
        parts = _ordered_parts(spans, group[0].strand, contig, path, group[0].id)
        first = next(gene for gene in group if gene.parts[0] == parts[0])
        joined.append(
            Gene(first.contig, tuple(parts), first.strand, any(g.partial_start for g in group),
                 any(g.partial_end for g in group), first.codon_start, first.id, first.table)
        )
    return joined


def genes_from_features(features, contig, path):
    """The non-pseudo CDS among Biopython ``features`` as :class:`Gene` objects (see module docstring)."""
    genes = []
    for number, feature in enumerate((f for f in features if f.type == "CDS"), 1):
        qualifiers = feature.qualifiers
        named = _first(qualifiers, "locus_tag", "ID", "protein_id", "id")
        if feature.location is None:
            raise InputError(f"{path}: record {contig.id!r}, CDS {number}" + (f" ({named})" if named else "")
                             + ": a location that cannot be read (e.g. an end before its start): fix or remove it")
        if "pseudo" in qualifiers or "pseudogene" in qualifiers:
            continue
        gene_id = str(named or f"{contig.id}_CDS_{int(feature.location.start) + 1}_{int(feature.location.end)}")
        location = feature.location
        if {part.strand for part in location.parts} == {1, -1}:
            continue  # trans-spliced across the strands (chloroplast rps12): no one gene to label or score
        if location.strand not in (1, -1):
            raise InputError(f"{path}: record {contig.id!r}, CDS {gene_id}: no strand")
        spans = [(int(part.start), int(part.end)) for part in location.parts]
        if contig.circular:
            spans = _split_at_origin(spans, len(contig))
        if any(start < 0 or end > len(contig) or start >= end for start, end in spans):
            past_end = not contig.circular and any(end > len(contig) for _, end in spans)
            raise InputError(f"{path}: record {contig.id!r}, CDS {gene_id}: location {_location_text(location)} "
                             f"is outside the sequence (length {len(contig)})" + (f": {_LINEAR}" if past_end else ""))
        spans = _ordered_parts(spans, location.strand, contig, path, gene_id)
        low, high = _partial_ends(location, qualifiers)
        partial_start, partial_end = (low, high) if location.strand == 1 else (high, low)
        table = _first(qualifiers, "transl_table")
        genes.append(
            Gene(
                contig=contig.id,
                parts=tuple(spans),
                strand=location.strand,
                partial_start=partial_start,
                partial_end=partial_end,
                codon_start=_codon_start(qualifiers, partial_start),
                id=gene_id,
                table=int(table) if table is not None else None,
            )
        )
    return genes


def _location_text(location):
    """A Biopython location in 1-based GenBank notation: ``199500..210000``, ``complement(join(1..6,55..60))``."""
    text = ",".join(f"{int(part.start) + 1}..{int(part.end)}" for part in sorted(location.parts, key=lambda p: p.start))
    text = f"join({text})" if len(location.parts) > 1 else text
    return f"complement({text})" if location.strand == -1 else text


def _split_at_origin(spans, length):
    """Splits a span that runs past the end of a circular sequence (GFF3's ``end > length``) at the origin."""
    out = []
    for start, end in spans:
        if end > length >= start:
            out.extend([(start, length), (0, end - length)])
        else:
            out.append((start, end))
    return out


def _ordered_parts(spans, strand, contig, path, gene_id):
    """A CDS' ``(start, end)`` spans sorted in the direction of transcription (ascending on the forward strand,
    descending on the reverse). Spans at both ends of the record are a gene across the origin, taken as running
    on past it (its parts near 0 count as after the record's length): allowed on a circular ``contig`` only.

    Raises:
        InputError: such a gene on a linear contig (naming ``path``, the record, ``gene_id`` and its parts).
    """
    length = len(contig)
    wraps = len(spans) > 1 and any(end == length for _, end in spans) and any(start == 0 for start, _ in spans)
    if wraps and not contig.circular:
        parts = ",".join(f"{start + 1}..{end}" for start, end in sorted(spans))
        raise InputError(f"{path}: record {contig.id!r}, CDS {gene_id}: parts {parts} run across the origin: "
                         f"{_LINEAR}")
    return sorted(spans, key=lambda span: span[0] + (length if wraps and span[0] < length // 2 else 0),
                  reverse=strand == -1)


def _codon_start(qualifiers, partial_start):
    """GenBank's ``/codon_start``, or for a GFF3 CDS open at its 5' end, its phase + 1."""
    codon_start = _first(qualifiers, "codon_start")
    if codon_start is None and partial_start and str(_first(qualifiers, "phase") or "") in ("0", "1", "2"):
        codon_start = int(_first(qualifiers, "phase")) + 1
    return int(codon_start or 1)


def _partial_ends(location, qualifiers):
    """Whether the low and the high coordinate end of a CDS are partial: fuzzy GenBank positions
    (``<``/``>``), GFF3's ``partial=true`` with ``start_range``/``end_range`` (both ends without them), or
    Prodigal's ``partial=LH`` (``10``, ``01``, ``11``: 1 where the low / high end runs off the sequence)."""
    low = isinstance(location.start, BeforePosition)
    high = isinstance(location.end, AfterPosition)
    partial = str(_first(qualifiers, "partial") or "").lower()
    if len(partial) == 2 and set(partial) <= {"0", "1"}:
        return low or partial[0] == "1", high or partial[1] == "1"
    if partial == "true":
        ranged_low, ranged_high = "start_range" in qualifiers, "end_range" in qualifiers
        low = low or ranged_low or not (ranged_low or ranged_high)
        high = high or ranged_high or not (ranged_low or ranged_high)
    return low, high


def label_contig(contig):
    """Per-position labels of a contig's genes, both strands.

    Returns:
        A dict of arrays indexed ``[strand, position]`` (strand 0 forward, 1 reverse; positions in forward
        coordinates): ``"coding"`` int8 ``(2, L)`` with 0 non-coding and 1/2/3 the codon position in the gene's
        direction; ``"start"`` and ``"stop"`` bool ``(2, L)``, the three bases of each complete gene's start and
        stop codon.
    """
    length = len(contig)
    coding = np.zeros((2, length), np.int8)
    start = np.zeros((2, length), bool)
    stop = np.zeros((2, length), bool)
    for gene in contig.genes:
        axis = _STRAND_AXIS[gene.strand]
        positions = gene.positions()
        offset = (gene.codon_start - 1) if gene.partial_start else 0
        phase = (np.arange(len(positions)) - offset) % 3 + 1
        coding[axis, positions] = phase
        if not gene.partial_start and len(positions) >= 6:
            start[axis, positions[:3]] = True
        if not gene.partial_end and len(positions) >= 6:
            stop[axis, positions[-3:]] = True
    return {"coding": coding, "start": start, "stop": stop}


def codon_table(table_id):
    """Start and stop codons of an NCBI genetic code: ``(starts, stops)``, sets of DNA triplets.

    Starts are limited to ATG, GTG and TTG, the codons prokaryotic gene finders consider.
    """
    try:
        table = CodonTable.unambiguous_dna_by_id[int(table_id)]
    except KeyError:
        raise InputError(f"unknown genetic code (translation table) {table_id}") from None
    return {"ATG", "GTG", "TTG"} & set(table.start_codons), set(table.stop_codons)


def sub_contig(contig, first, end):
    """The stretch ``[first, end)`` of ``contig`` as a linear :class:`Contig` (same id and genetic code),
    carrying the genes that lie wholly inside it, shifted to the stretch's coordinates.

    Raises:
        ValueError: unless ``0 <= first <= end <= len(contig)``.
    """
    from dataclasses import replace

    if not 0 <= first <= end <= len(contig):
        raise ValueError(f"sub_contig of {contig.id!r}: need 0 <= first <= end <= {len(contig)} (its length); "
                         f"got first={first}, end={end}")
    inside = [gene for gene in contig.genes
              if min(s for s, _ in gene.parts) >= first and max(e for _, e in gene.parts) <= end]
    genes = [replace(gene, parts=tuple((s - first, e - first) for s, e in gene.parts)) for gene in inside]
    return Contig(contig.id, contig.sequence[first:end], False, contig.translation_table, genes)


def complement(sequence):
    """The base-by-base complement of an ``ACGTN`` string (not reversed: reverse it for the other strand)."""
    return sequence.translate(_COMPLEMENT)


def encode(sequence):
    """``(L,)`` uint8 codes of an ``ACGTN`` string: A=0, C=1, G=2, T=3, N=4."""
    return _CODES[np.frombuffer(sequence.encode("ascii"), np.uint8)]


def codon_ids(codes):
    """``(L,)`` int64 base-5 id of the codon starting at each position of ``codes`` (:func:`encode`'s output;
    ``N`` is digit 4, see :func:`codon_id`); -1 at the last two positions."""
    codes = np.asarray(codes).astype(np.int64)
    ids = np.full(len(codes), -1, np.int64)
    ids[:len(codes) - 2] = codes[:-2] * 25 + codes[1:-1] * 5 + codes[2:]
    return ids


def codon_id(codon):
    """The base-5 id of a codon string (``"ATG"`` -> 0*25 + 3*5 + 2 = 17), as :func:`codon_ids` gives it."""
    return int(sum("ACGTN".index(base) * 5 ** (2 - k) for k, base in enumerate(codon)))


def one_hot(sequence):
    """``(L, 4)`` float32 one-hot of an ``ACGTN`` string in the order A, C, G, T; ``N`` rows are all zero."""
    eye = np.vstack([np.eye(4, dtype=np.float32), np.zeros((1, 4), np.float32)])
    return eye[encode(sequence)]


def _table_of(genes):
    tables = {gene.table for gene in genes} - {None}
    return tables.pop() if len(tables) == 1 else None


def _first(qualifiers, *keys):
    for key in keys:
        value = qualifiers.get(key)
        if value:
            return value[0] if isinstance(value, list) else value
    return None


def _flatten(features):
    for feature in features:
        yield feature
        yield from _flatten(getattr(feature, "sub_features", []) or [])
