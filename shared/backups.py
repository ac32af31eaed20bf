"""Checkpoint folders of interrupted training runs, resumed only by the run that left them.

A command that trains with ``keras.callbacks.BackupAndRestore`` keeps its checkpoints in a folder beside its
output (``OUT.backup``) so that the same command started again after a kill resumes from the last finished
epoch. Started with other arguments or other data, it must not load those weights (a shape mismatch would
fail deep inside Keras; matching shapes would silently continue another run): :func:`claim_backup` stamps the
folder with its owner and clears another owner's checkpoints first. What it did not leave there it never
removes: a folder without the stamp that holds what training would write is refused, as is a file in its place.
"""

import hashlib
import json
import os
import shutil
from pathlib import Path

from shared.cli import InputError

STAMP = "owner.json"
#: Where a stamp is written before it replaces the old one: a kill mid-write leaves this, never half a stamp.
STAMP_DRAFT = ".owner.json.tmp"


def claim_backup(folder, owner, leftovers=("*",)):
    """Marks ``folder`` as ``owner``'s before training; returns True when it already was (its checkpoints are
    then resumed), False when they came from another run or there were none.

    Args:
        folder: the checkpoint folder (created if absent).
        owner: a JSON-able description of the run (e.g. its arguments without ``--force`` and its data's
            SHA-256): equal owners resume each other's checkpoints.
        leftovers: glob patterns, inside ``folder``, of what training leaves there; another owner's are removed
            (default: everything; narrow it when the user names the folder, so only the run's own files go).

    Raises:
        InputError: ``folder`` is a file; or it has no readable stamp (no run of this program made it) and holds
            a file named as the stamp or something ``leftovers`` matches, which training would write over and
            then delete.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: is a file where training keeps its checkpoint folder; move it away or choose "
                         "another output")
    stamp = folder / STAMP
    stamped = _stamp(stamp)
    if stamped == owner:
        return True
    if stamped is None:
        written = {match.name for pattern in (STAMP, *leftovers) for match in folder.glob(pattern)}
        foreign = sorted(written - {STAMP_DRAFT})
        if foreign:
            raise InputError(f"{folder}: holds {foreign[0]!r}, which no training run of this program left there "
                             f"(there is no readable {STAMP}); training would write over it and delete it: move "
                             "it away or choose another folder")
    else:
        clear_backup(folder, leftovers)
    folder.mkdir(parents=True, exist_ok=True)
    draft = folder / STAMP_DRAFT
    draft.write_text(json.dumps(owner))
    os.replace(draft, stamp)
    return False


def _stamp(path):
    """The owner a stamp file records, or None where there is none or it is not JSON (not this program's)."""
    try:
        return json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def clear_backup(folder, leftovers=("*",)):
    """Removes the stamp and what matches ``leftovers`` in ``folder``, then the folder itself if empty."""
    folder = Path(folder)
    ours = [folder / STAMP, folder / STAMP_DRAFT]
    for path in [*ours, *(match for pattern in leftovers for match in folder.glob(pattern))]:
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
