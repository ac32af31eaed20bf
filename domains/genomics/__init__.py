"""Prokaryotic gene finding: a convolutional front-end and a bidirectional GatedLSTM over both strands.

Modules: ``data`` reads genomes (FASTA, GenBank) and annotation (GenBank CDS, GFF3) with Biopython and turns
them into per-position labels for both strands; ``windows`` (overlapping windows as a ``tf.data`` pipeline, and
stitching predictions back), ``model`` (ConvFrontEnd -> stacked Bidirectional(GatedLSTM) -> per-position heads),
``train`` (with checkpoints and resumption), ``decode`` (ORF candidates, likelihood-ratio scores and a
dynamic-programming tiling), ``starts`` and ``coding`` (start-codon and coding models self-trained on the genome
being annotated), ``predict`` (genome-wide calling: windows -> network -> decoder, genetic code 4 detection),
``batch`` (a directory of genomes in parallel processes), ``gff3`` (GFF3 and protein FASTA output),
``evaluate`` (gene sensitivity, precision, F1 and start accuracy against a reference) and ``baselines``
(Prodigal through pyrodigal). Command line: ``python -m domains.genomics {predict,train,evaluate}``. The shipped
model is ``weights/gene_finder.keras`` (its card, with command, training genomes and measured figures,
``weights/gene_finder.json``).
"""
