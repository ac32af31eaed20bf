"""Sentence-level sentiment that gets negation right (issue 4).

Modules: ``text`` (normalisation, tokeniser), ``negation`` (cue detector and scope marker), ``data`` (loaders for
SST trees, rt-polarity, TSV/CSV, CheckList and the SST negation flips), ``baselines`` (TF-IDF + logistic
regression), ``evaluate`` (accuracy, negation gap, minimal pairs, flips, CheckList pass rates) and the command
line ``python -m domains.sentiment``.
"""
