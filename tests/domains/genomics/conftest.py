"""Fixtures shared by the genomics tests."""

import pytest

from domains.genomics.data import codon_table, complement


def _stop_share(contig):
    """Share of the contig's complete genes whose last codon is a stop of the contig's genetic code (NaN
    without complete genes). 1.0 means annotation and sequence agree; a value well below 1, that they do not
    (wrong version or coordinates)."""
    _, stops = codon_table(contig.translation_table)
    complete = [gene for gene in contig.genes if not gene.partial_end]
    if not complete:
        return float("nan")
    hits = 0
    for gene in complete:
        codon = "".join(contig.sequence[p] for p in gene.positions()[-3:])
        hits += (complement(codon) if gene.strand == -1 else codon) in stops
    return hits / len(complete)


@pytest.fixture
def stop_share():
    """:func:`_stop_share`: checks that an annotation (read or called) ends its genes in stop codons."""
    return _stop_share


def _recoded_to_code4(contig, end):
    """The first ``end`` bases of ``contig`` with the Trp codon TGG of every complete annotated gene inside
    them written TGA, as a genome on genetic code 4 writes much of its Trp."""
    bases = list(contig.sequence[:end])
    complement = str.maketrans("ACGT", "TGCA")
    for gene in contig.genes:
        if gene.partial_start or gene.partial_end or max(stop for _, stop in gene.parts) > end:
            continue
        positions = gene.positions()[gene.codon_start - 1:]
        for codon in positions[:len(positions) // 3 * 3].reshape(-1, 3)[:-1]:  # every codon but the stop
            text = "".join(bases[i] for i in codon)
            if (text if gene.strand == 1 else text.translate(complement)) == "TGG":
                bases[codon[2]] = "A" if gene.strand == 1 else "T"
    return "".join(bases)


@pytest.fixture
def recoded_to_code4():
    """:func:`_recoded_to_code4`: a stretch of a code-11 genome made to read as a genome on genetic code 4."""
    return _recoded_to_code4
