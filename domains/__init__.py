"""Applied gated-recurrent models, one subpackage per domain.

Each domain package has the same layout: ``data.py`` (loaders and validation), ``model.py`` (Keras model
builders), ``train.py``, ``evaluate.py`` (metrics beside baselines) and ``__main__.py`` (the command line
``python -m domains.<name> {train,evaluate,predict}``). Domains import :mod:`shared`, never each other.
"""
