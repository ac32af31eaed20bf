"""Prokaryotic gene finding: a convolutional front-end and a bidirectional GatedLSTM over both strands.

``data`` reads genomes (FASTA, GenBank) and annotation (GenBank CDS, GFF3) with Biopython and turns them into
per-position labels for both strands.
"""
