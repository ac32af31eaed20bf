"""Where the project's data live: bundled datasets and the larger shared data beside the project.

- Bundled data: ``datasets/<domain>/<file>`` in the project (each folder has a ``PROVENANCE.md``). The domain
  loaders reach them through :func:`bundled`, which works from a checkout or an editable install (the set-up
  the README gives). Each folder's ``make_<domain>_data.py`` rebuilds them from pinned PyPI artefacts, each
  checked by :func:`pinned`.
- Shared data: ``../shared/data/<domain>/`` beside the project (larger public data for training shipped
  weights and for benchmarks; never copied into the project). ``GATED_SHARED_DATA`` overrides the location.
  :func:`shared_data` returns ``None`` where it is absent, so tests can skip with a clear reason.
"""

import hashlib
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def bundled(domain, filename=None):
    """Path of a bundled dataset folder, or of one file in it.

    Raises:
        FileNotFoundError: the folder or file is not there (e.g. a non-editable install without the data).
    """
    path = PROJECT_ROOT / "datasets" / domain
    if filename is not None:
        path = path / filename
    if not path.exists():
        raise FileNotFoundError(2, "bundled dataset not found (install the project with `pip install -e .`)", str(path))
    return path


def pinned(path, sha256, download):
    """``path`` (a downloaded artefact a bundled dataset is rebuilt from) as a ``Path``, after checking that it
    is there and has the SHA-256 its ``PROVENANCE.md`` pins.

    Raises:
        shared.cli.InputError: it is missing (the message ends with ``download``, the command that fetches it)
            or its SHA-256 differs.
    """
    from shared.cli import InputError

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: not found ({download})")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        raise InputError(f"{path}: sha256 {digest} is not the pinned {sha256}")
    return path


def shared_data(domain=None):
    """The shared data folder (``$GATED_SHARED_DATA`` or ``../shared/data`` beside the project), or one
    domain's subfolder of it; ``None`` when it is absent."""
    path = shared_data_folder(domain)
    return path if path.is_dir() else None


def shared_data_folder(domain=None):
    """Where :func:`shared_data` looks (whether or not it is there), for a message naming the folder searched. An
    empty ``GATED_SHARED_DATA`` counts as unset (``Path("")`` would be the current folder)."""
    root = Path(os.environ.get("GATED_SHARED_DATA") or PROJECT_ROOT.parent / "shared" / "data")
    return root / domain if domain else root
