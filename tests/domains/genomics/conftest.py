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
