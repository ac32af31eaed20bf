"""Prodigal, the field's yardstick, run through pyrodigal on the same genome in the same run.

Single mode (Prodigal's default): the gene finder is trained on the genome itself (all its contigs together)
and then finds genes on every contig. Prodigal needs at least 20,000 bases to train; a smaller genome runs in
metagenomic mode (pre-trained models), as the Prodigal binary advises.

Prodigal does not tell genetic code 4 from 11 by itself; :func:`prodigal_code` does, as CheckM does it with
Prodigal (the rule :func:`domains.genomics.predict.predict_genes` applies to the gene finder's calls).
"""

from __future__ import annotations

import pyrodigal

from domains.genomics.data import Gene, check_contigs

MIN_TRAINING_BASES = 20_000


def prodigal_genes(contigs, translation_table=None, closed=False, mask=False):
    """Prodigal's gene calls on ``contigs`` as :class:`~domains.genomics.data.Gene` objects.

    Args:
        contigs: :class:`~domains.genomics.data.Contig` list (one genome).
        translation_table: genetic code (default: the first contig's ``translation_table``).
        closed: don't let genes run off contig edges (Prodigal ``-c``).
        mask: don't let genes cross runs of 50 or more N (Prodigal ``-m``).

    Returns:
        A list of genes in contig order, each with ``id`` ``"prodigal_<contig>_<n>"``; genes running off an
        edge are partial at that end (``partial_start``/``partial_end`` in the gene's own direction).

    Raises:
        TypeError / ValueError: ``contigs`` is not a non-empty list of Contig
            (:func:`~domains.genomics.data.check_contigs`).
    """
    contigs = check_contigs(contigs)
    table = translation_table or contigs[0].translation_table
    total = sum(len(contig) for contig in contigs)
    if total >= MIN_TRAINING_BASES:
        finder = pyrodigal.GeneFinder(meta=False, closed=closed, mask=mask)
        finder.train(*(contig.sequence for contig in contigs), translation_table=table)
    else:
        finder = pyrodigal.GeneFinder(meta=True, closed=closed, mask=mask)
    genes = []
    for contig in contigs:
        for number, found in enumerate(finder.find_genes(contig.sequence), start=1):
            left, right = found.partial_begin, found.partial_end  # edges at the low / high coordinate
            forward = found.strand == 1
            genes.append(
                Gene(
                    contig=contig.id,
                    parts=((found.begin - 1, found.end),),
                    strand=found.strand,
                    partial_start=left if forward else right,
                    partial_end=right if forward else left,
                    id=f"prodigal_{contig.id}_{number}",
                    table=found.translation_table,
                )
            )
    return genes


def prodigal_code(contigs, mask=False):
    """The genetic code of a genome, 4 or 11, from Prodigal's genes: 4 when its genes called with code 4 cover
    more than :data:`~domains.genomics.predict.CODE4_GAIN` more of ``contigs`` than with code 11
    (:func:`~domains.genomics.predict.coding_density`), else 11. A genome under 20,000 bases (metagenomic mode,
    whose models carry their own codes) always gets 11. Runs Prodigal twice; ``mask`` as in
    :func:`prodigal_genes`."""
    from domains.genomics.predict import CODE4_GAIN, coding_density

    if sum(len(contig) for contig in contigs) < MIN_TRAINING_BASES:
        return 11
    density = {table: coding_density(contigs, prodigal_genes(contigs, table, mask=mask)) for table in (4, 11)}
    return 4 if density[4] - density[11] > CODE4_GAIN else 11
