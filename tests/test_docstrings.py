"""Every ``>>>`` example in the docstrings of ``shared`` and ``domains`` runs and prints what it says."""

import doctest
import importlib
import pkgutil

import keras
import numpy as np
import pytest

import domains
import shared

MODULES = sorted(
    name
    for package in (shared, domains)
    for _, name, _ in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}.")
    if not name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    keras.utils.set_random_seed(0)
    result = doctest.testmod(
        module,
        extraglobs={"np": np, "keras": keras},
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples failed in {name}"
