"""Checkpoint folders of interrupted training runs, resumed only by the run that left them.

A command that trains with ``keras.callbacks.BackupAndRestore`` keeps its checkpoints in a folder beside its
output (``OUT.backup``) so that the same command started again after a kill resumes from the last finished
epoch. Started with other arguments or other data, it must not load those weights (a shape mismatch would
fail deep inside Keras; matching shapes would silently continue another run): :func:`claim_backup` stamps the
folder with its owner and clears another owner's checkpoints first.
"""

import hashlib
import json
import shutil
from pathlib import Path

STAMP = "owner.json"


def claim_backup(folder, owner, leftovers=("*",)):
    """Marks ``folder`` as ``owner``'s before training; returns True when it already was (its checkpoints are
    then resumed), False when they came from another run or there were none.

    Args:
        folder: the checkpoint folder (created if absent).
        owner: a JSON-able description of the run (e.g. its arguments without ``--force`` and its data's
            SHA-256): equal owners resume each other's checkpoints.
        leftovers: glob patterns, inside ``folder``, of what training leaves there; another owner's are removed
            (default: everything; narrow it when the user names the folder, so only the run's own files go).
    """
    folder = Path(folder)
    stamp = folder / STAMP
    if stamp.is_file() and json.loads(stamp.read_text()) == owner:
        return True
    clear_backup(folder, leftovers)
    folder.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps(owner))
    return False


def clear_backup(folder, leftovers=("*",)):
    """Removes the stamp and what matches ``leftovers`` in ``folder``, then the folder itself if empty."""
    folder = Path(folder)
    for path in [folder / STAMP, *(match for pattern in leftovers for match in folder.glob(pattern))]:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def file_sha256(path):
    """The SHA-256 hex digest of a file's bytes: a training file's identity in an owner (and in a card)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
