"""Genome-wide gene calling with a trained model: windows -> network -> stitched posteriors -> decoder."""

from __future__ import annotations

import numpy as np

from domains.genomics.decode import DecodeConfig, decode_contig
from domains.genomics.windows import stitch, window_dataset


def posteriors(model, contigs, window=4096, stride=3072, batch_size=8, verbose=0):
    """Stitched network outputs per contig: a dict id -> ``(coding (L, 2, 4), start (L, 2))``.

    Args:
        model: a model from :func:`domains.genomics.model.build_gene_model` (or loaded from ``.keras``).
        contigs: :class:`~domains.genomics.data.Contig` list.
        window, stride: the tiling (the overlap ``window - stride`` gives each base context on both sides).
        batch_size: windows per forward pass.
        verbose: Keras progress bar (1) or none (0).
    """
    dataset, tilings = window_dataset(contigs, window, stride, batch_size, labels=False)
    outputs = model.predict(dataset, verbose=verbose)
    coding = stitch(outputs["coding"], tilings, window)
    start = stitch(outputs["start"], tilings, window)
    return {contig.id: (coding[contig.id], start[contig.id]) for contig in contigs}


def predict_genes(model, contigs, window=4096, stride=3072, batch_size=8, config=DecodeConfig(), verbose=0):
    """Genes called on every contig, in contig order (see :mod:`domains.genomics.decode`)."""
    stitched = posteriors(model, contigs, window, stride, batch_size, verbose)
    genes = []
    for contig in contigs:
        coding, start = stitched[contig.id]
        coding = coding / np.maximum(coding.sum(axis=-1, keepdims=True), 1e-9)
        genes.extend(decode_contig(contig, coding, start, config))
    return genes
