"""Sentence-level sentiment that gets negation right (issue 4).

Modules: ``text`` (normalisation, tokeniser), ``negation`` (cue detector and scope marker), ``lexicon`` (VADER prior
polarity per token, flipped inside a negation scope), ``data`` (loaders for SST trees, rt-polarity, TSV/CSV,
CheckList and the SST negation flips), ``baselines`` (TF-IDF + logistic regression; NBSVM; VADER), ``evaluate``
(accuracy, negation gap, minimal pairs, flips, CheckList pass rates), ``model`` and ``train`` (the BiGatedLSTM
classifier), ``ngrams`` (the linear uni+bigram "wide" part of the wide-and-deep model), ``augment`` (minimal pairs
from templates and a lexicon of adjectives, nouns and verbs labelled by SST train, neutral phrases as soft
targets), ``adversarial`` (adversarial training on the token embeddings), ``explain`` (per-token attention and
gates, negation-bit units) and the command line ``python -m domains.sentiment``. The shipped model is
``weights/sst_negation.keras`` (its vocabulary ``weights/sst_negation.vocabulary.json``, its card with data,
command, seed and every measured figure ``weights/sst_negation.json``).
"""
