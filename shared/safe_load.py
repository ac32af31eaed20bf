"""Loading a model file a user gives: ``.keras`` archives only, always with ``safe_mode=True``.

A model file may come from anywhere, so loading one must never run code from it:

- only Keras' ``.keras`` zip format is read (a legacy ``.h5``/SavedModel, a pickle or anything else is
  refused before Keras sees it);
- ``keras.saving.load_model`` runs with ``safe_mode=True``, which refuses ``Lambda`` layers and other
  serialised Python functions; that refusal, like any other reason the file cannot be loaded (garbage, a
  truncated archive, a layer class this project does not know), becomes one :class:`~shared.cli.InputError`
  line naming the file, so every command line exits 2 instead of printing a traceback.

Every domain command that takes ``--model`` loads it through :func:`load_model`.
"""

import os
import zipfile

from shared.cli import InputError


def load_model(path, compile=False, custom_objects=None):
    """A Keras model from a user's ``.keras`` file, loaded with ``safe_mode=True``.

    Args:
        path: the ``.keras`` file.
        compile: restore the training configuration too (default False: for inference).
        custom_objects: passed to ``keras.saving.load_model`` (registered classes need none).

    Returns:
        The ``keras.Model``.

    Raises:
        FileNotFoundError / IsADirectoryError: the path is missing or a folder (the command lines turn both
            into an exit-2 line).
        InputError: the file is not a ``.keras`` archive, holds a ``Lambda`` layer or other serialised
            Python code, or cannot be rebuilt (an unknown layer class, damaged contents).
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(21, "is a directory, not a .keras model file", path)
    if not os.path.exists(path):
        raise FileNotFoundError(2, "no such model file", path)
    if not path.endswith(".keras") or not zipfile.is_zipfile(path):
        raise InputError(f"{path}: not a Keras model (a .keras file written by this project's `train` expected)")
    import keras  # only now: importing TensorFlow prints log lines, which a refused file should not get

    import shared.layers  # noqa: F401  (registers the project's layers for deserialisation)
    try:
        return keras.saving.load_model(path, custom_objects=custom_objects, compile=compile, safe_mode=True)
    except Exception as error:  # Keras raises ValueError, TypeError, KeyError ... for files it cannot rebuild
        message = " ".join(str(error).split())
        if "Lambda" in message or "safe_mode" in message:
            raise InputError(f"{path}: refused: the model contains a Lambda layer or other Python code, which "
                             "is never loaded from a file (safe_mode=True); rebuild it without one") from None
        raise InputError(f"{path}: cannot be loaded as a Keras model ({type(error).__name__}: {message[:200]})") from None
