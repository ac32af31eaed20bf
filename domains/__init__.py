"""Applied gated-recurrent models, one subpackage per domain.

Each domain package has the same layout: ``data.py`` (loaders and validation), ``model.py`` (Keras model
builders), ``train.py``, ``evaluate.py`` (metrics beside baselines) and ``__main__.py`` (the command line
``python -m domains.<name> {train,evaluate,predict}``; ecology's is ``{forecast,train,evaluate}``). Domains
import :mod:`shared`, never each other; :mod:`domains.report` (``python -m domains report``) is the one package
that imports all four.
"""
