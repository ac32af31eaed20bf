"""Genome-wide gene calling with a trained model: windows -> network -> stitched posteriors -> decoder."""

from __future__ import annotations

import numpy as np

from domains.genomics.decode import DecodeConfig, decode_contig
from domains.genomics.starts import StartModel
from domains.genomics.windows import stitch, window_dataset


def posteriors(model, contigs, window=3072, stride=2560, batch_size=64, verbose=0):
    """Stitched network outputs per contig: a dict id -> ``(coding (L, 2, 4), start (L, 2))``.

    Args:
        model: a model from :func:`domains.genomics.model.build_gene_model` (or loaded from ``.keras``).
        contigs: :class:`~domains.genomics.data.Contig` list.
        window, stride: the tiling (the overlap ``window - stride`` gives each base context on both sides);
            ``window`` must be a multiple of the model's ``lstm_stride`` (3072 suits 1, 2, 3, 4, 6 and 8).
        batch_size: windows per forward pass (64 windows of 3072 bases: about 1.5 GB of activations; larger
            batches mean fewer sequential BiLSTM steps per base but more memory).
        verbose: Keras progress bar (1) or none (0).
    """
    dataset, tilings = window_dataset(contigs, window, stride, batch_size, labels=False)
    outputs = model.predict(dataset, verbose=verbose)
    coding = stitch(outputs["coding"], tilings, window)
    start = stitch(outputs["start"], tilings, window)
    return {contig.id: (coding[contig.id], start[contig.id]) for contig in contigs}


def predict_genes(model, contigs, window=3072, stride=2560, batch_size=64, config=DecodeConfig(), verbose=0):
    """Genes called on every contig, in contig order (see :mod:`domains.genomics.decode`).

    Two decoding passes: the first from the network's posteriors alone; its genes fit the genome's own start
    model (:class:`~domains.genomics.starts.StartModel`), which the second pass adds to every candidate's
    score. A genome too small for a start model keeps the first pass's genes.
    """
    stitched = posteriors(model, contigs, window, stride, batch_size, verbose)
    for contig in contigs:
        coding, start = stitched[contig.id]
        stitched[contig.id] = (coding / np.maximum(coding.sum(axis=-1, keepdims=True), 1e-9), start)
    genes = [gene for contig in contigs for gene in decode_contig(contig, *stitched[contig.id], config)]
    start_model = StartModel.fit(contigs, genes)
    if start_model is None:
        return genes
    return [gene for contig in contigs for gene in decode_contig(contig, *stitched[contig.id], config, start_model)]
