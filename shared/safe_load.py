"""Loading a model file a user gives: ``.keras`` archives only, always with ``safe_mode=True``.

A model file may come from anywhere, so loading one must never run code from it:

- only Keras' ``.keras`` zip format is read (a legacy ``.h5``/SavedModel, a pickle or anything else is
  refused before Keras sees it);
- ``keras.saving.load_model`` runs with ``safe_mode=True``, which refuses ``Lambda`` layers and other
  serialised Python functions; that refusal, like any other reason the file cannot be loaded (garbage, a
  truncated archive, a layer class this project does not know), becomes one :class:`~shared.cli.InputError`
  line naming the file, so every command line exits 2 instead of printing a traceback.

Keras rebuilds a custom class only once the module that registers it (``register_keras_serializable``) has
been imported. :func:`load_model` reads the registered names (``"package>Class"``) in the file's
``config.json`` and imports the project's module for each one it knows (:data:`PROJECT_MODULES`, a fixed list:
a file never chooses what is imported), so the shipped churn, ecology, genomics and sentiment models load in a
fresh kernel. A class still unknown is named in the error with the module to import.

Every domain command that takes ``--model`` loads it through :func:`load_model`.
"""

import importlib
import json
import os
import re
import zipfile

from shared.cli import InputError

# The project's modules that register Keras classes, by the registered name's package (``"churn"`` for
# ``"churn>MeanSurvivalLogits"``) or, where a class is registered under another module's package, by the whole
# name. Only these modules are imported because of what a file names; tests/shared/test_safe_load.py
# checks that every class the project registers is covered.
PROJECT_MODULES = {
    "shared": "shared.layers",
    "shared>NgramLogit": "domains.sentiment.ngrams",
    "churn": "domains.churn.model",
    "ecology": "domains.ecology.model",  # imports domains.ecology.bases too
}


def load_model(path, compile=False, custom_objects=None):
    """A Keras model from a user's ``.keras`` file, loaded with ``safe_mode=True``.

    Args:
        path: the ``.keras`` file.
        compile: restore the training configuration too (default False: for inference).
        custom_objects: passed to ``keras.saving.load_model`` (registered classes need none).

    The project's classes the file names are registered first, by importing their modules
    (:data:`PROJECT_MODULES`), so no domain module needs importing beforehand.

    Returns:
        The ``keras.Model``.

    Raises:
        FileNotFoundError / IsADirectoryError: the path is missing or a folder (the command lines turn both
            into an exit-2 line).
        InputError: the file is not a ``.keras`` archive, holds a ``Lambda`` layer or other serialised
            Python code, names a registered class that is not known in this kernel (the message names the class
            and the module to import, as the file records it), or cannot be rebuilt for another reason (damaged
            contents: the message gives Keras' innermost cause).
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(21, "is a directory, not a .keras model file", path)
    if not os.path.exists(path):
        raise FileNotFoundError(2, "no such model file", path)
    if not path.endswith(".keras") or not zipfile.is_zipfile(path):
        raise InputError(f"{path}: not a Keras model (a .keras file written by this project's `train` expected)")
    import keras  # only now: importing TensorFlow prints log lines, which a refused file should not get

    _register_classes(path, compile, custom_objects or {})
    try:
        return keras.saving.load_model(path, custom_objects=custom_objects, compile=compile, safe_mode=True)
    except Exception as error:  # Keras raises ValueError, TypeError, KeyError ... for files it cannot rebuild
        message = " ".join(str(error).split())
        if "Lambda" in message or "safe_mode" in message:
            raise InputError(f"{path}: refused: the model contains a Lambda layer or other Python code, which "
                             "is never loaded from a file (safe_mode=True); rebuild it without one") from None
        cause = f"{type(error).__name__}: {_cause(message)}"
        raise InputError(f"{path}: cannot be loaded as a Keras model ({cause})") from None


def _registered_classes(path, compile):
    """``{registered name: module}`` of the registered classes (``"package>Class"``) ``path``'s config names
    (the training configuration's too when ``compile``); ``{}`` when the config cannot be read (Keras then
    says why)."""
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except Exception:  # a damaged archive: keras.saving.load_model gives the reason
        return {}
    if isinstance(config, dict) and not compile:
        config = {key: value for key, value in config.items() if key != "compile_config"}
    found, stack = {}, [config]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            name = item.get("registered_name")
            if isinstance(name, str) and ">" in name:
                found.setdefault(name, item.get("module"))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _register_classes(path, compile, custom_objects):
    """Imports the project's modules that register the classes ``path`` names (only those of
    :data:`PROJECT_MODULES`); a registered class still unknown is an :class:`InputError` naming it and the module
    the file says defines it."""
    import keras

    import shared.layers  # noqa: F401  (the project's shared layers, registered under "shared")

    for name, module in sorted(_registered_classes(path, compile).items()):
        known = PROJECT_MODULES.get(name) or PROJECT_MODULES.get(name.split(">", 1)[0])
        if known:
            importlib.import_module(known)
        short = name.split(">", 1)[1]
        if (keras.saving.get_registered_object(name) is None and name not in custom_objects
                and short not in custom_objects):
            if known:  # imported, and still not there: a model from another version of the project
                advice = f"this project's {known} does not define it (a model written by another version?)"
            elif isinstance(module, str) and re.fullmatch(r"[A-Za-z_][\w.]*", module):
                advice = f"import {module} first (the module the file says defines it), or pass it in custom_objects"
            else:
                advice = "import the module that defines it first, or pass it in custom_objects"
            raise InputError(f"{path}: cannot be loaded as a Keras model: it uses the Keras class {name!r}, which "
                             f"is not registered in this Python session: {advice}")


def _cause(message):
    """Keras' innermost reason in ``message``, without the configs it quotes (they can run to thousands of
    characters and would hide the reason)."""
    cause = message.rsplit("Exception encountered:", 1)[-1].strip()
    cause = re.split(r"\s*(?:Full object config:|config=\{)", cause, maxsplit=1)[0].strip()
    return cause if len(cause) <= 400 else cause[:400] + " ..."
