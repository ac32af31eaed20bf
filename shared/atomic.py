"""Writing outputs so that nothing the user had is overwritten or lost.

Every output (a table, a GFF3 file, a model, a report) is written to a temporary file in the destination's
folder and renamed over the destination in one step (``os.replace``), so a crash leaves either the old file or
the new one, never half of one. An existing destination is refused unless ``force=True`` (``--force``).

A destination that is a symbolic link is followed: the file it points to is replaced, the link kept. One that is
not a regular file (``/dev/null``, a named pipe, bash's ``>(...)``) or names an open file descriptor
(``/dev/stdout``, whatever the shell connected it to) cannot be renamed over: it is written into directly, after
what it already holds, without ``--force``.
"""

import argparse
import contextlib
import os
import re
import stat
import tempfile

from shared.cli import InputError

#: Paths naming an open file descriptor, written into rather than replaced (:func:`is_stream`).
_DESCRIPTOR = re.compile(r"/dev/(stdout|stderr|fd/\d+)|/proc/(self|\d+)/fd/\d+")


def check_writable(path, force=False, override="--force"):
    """Raises :class:`InputError`, before any work, if the file ``path`` cannot be written: it exists and
    ``force`` is False (the message tells the user to pass ``override``, the command line's ``--force``;
    ``force=True`` from Python), it names a directory, or its folder can be neither found nor made
    (:func:`check_folder`)."""
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory, not a file to write")
    if str(path).endswith(("/", os.sep)):
        raise InputError(f"{path}: names a folder (it ends in {str(path)[-1]}); give a file name to write")
    if os.path.exists(path) and not force and not is_stream(path):
        raise InputError(f"{path}: already exists; pass {override} to overwrite it")
    target = os.path.realpath(path) if os.path.islink(path) else path  # a link: where the file will be written
    check_folder(os.path.dirname(target) or os.curdir)


def is_stream(path):
    """Whether ``path`` exists and is not a regular file or a directory (links followed): a device such as
    ``/dev/null``, a named pipe or a socket; or names an open file descriptor (``/dev/stdout``, ``/dev/stderr``,
    ``/dev/fd/N``, ``/proc/self/fd/N``), which may lead to the file a shell redirected standard output to. An
    output is written into it directly, appended to what the stream already holds."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return bool(_DESCRIPTOR.fullmatch(os.path.abspath(path))) or not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def check_outputs(outputs, inputs=(), force=False):
    """Refuses, before any work, outputs that cannot all be written as asked: each as :func:`check_writable`,
    two of them naming one file (the second would replace the first), or one naming a file the command reads
    (it would replace the user's data, ``--force`` or not).

    Args:
        outputs: ``{what: path}``, e.g. ``{"--out": "f.csv", "--plot": "f.png"}``; a path None or ``"-"``
            (standard output) is skipped.
        inputs: paths of the files the command reads (absent ones are skipped).
        force: allow replacing existing files (``--force``).

    Raises:
        InputError: naming the path and what is wrong.
    """
    named = {what: path for what, path in outputs.items() if path is not None and str(path) != "-"}
    seen = {}
    for what, path in named.items():
        check_writable(path, force)
        same = next((other for other, known in seen.items() if _same_file(path, known) and not is_stream(path)), None)
        if same is not None:
            raise InputError(f"{path}: named by both {same} and {what}; give them different files")
        seen[what] = path
        read = next((source for source in inputs if source is not None and _same_file(path, source)), None)
        if read is not None:
            raise InputError(f"{path}: {what} names a file the command reads; write the output elsewhere")


def _same_file(a, b):
    """Whether two paths name one file: the same file on disk, or the same resolved path if not yet there."""
    a, b = os.fspath(a), os.fspath(b)
    if os.path.exists(a) and os.path.exists(b):
        return os.path.samefile(a, b)
    return os.path.realpath(a) == os.path.realpath(b)


def replaceable_file(text):
    """An ``argparse`` type for an output file that a run replaces (a benchmark's results): ``text`` if
    :func:`check_writable` passes with ``force=True``, else ``argparse.ArgumentTypeError``, so a bad ``--out``
    is refused when the options are parsed, before any work."""
    try:
        check_writable(text, force=True)
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def check_folder(folder):
    """Raises :class:`InputError`, before any work, if the output folder ``folder`` can be neither found nor made:
    the nearest of it and its parents that exists is a file, or cannot be written into."""
    path = os.path.abspath(folder)
    existing = path
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    below = "" if existing == path else f", so {folder} cannot hold the outputs"
    if not os.path.isdir(existing):
        raise InputError(f"{existing}: is a file, not a folder{below}")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"{existing}: not writable{below}")


@contextlib.contextmanager
def atomic_path(path, force=False, suffix=None, override="--force"):
    """Yields a temporary path beside ``path``; on success it is renamed to ``path``, on error removed.

    Use it with writers that take a path (``model.save``, ``DataFrame.to_csv``, ``figure.savefig``):

    >>> import pandas as pd, tempfile, os
    >>> out = os.path.join(tempfile.mkdtemp(), "table.csv")
    >>> with atomic_path(out) as tmp:
    ...     pd.DataFrame({"a": [1]}).to_csv(tmp, index=False)
    >>> open(out).read()
    'a\\n1\\n'

    A destination that is not a regular file (:func:`is_stream`) is yielded itself, to be written directly;
    a symbolic link is followed, so the file it points to is replaced and the link kept.

    Args:
        path: the destination.
        force: allow replacing an existing file.
        suffix: the temporary file's suffix (default: the destination's, as some writers check it, e.g.
            ``.keras``).
        override: how the refusal tells the user to allow replacing (:func:`check_writable`).
    """
    check_writable(path, force, override)
    if is_stream(path):
        yield path
        return
    path = os.path.realpath(path) if os.path.islink(path) else path
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    suffix = os.path.splitext(path)[1] if suffix is None else suffix
    handle, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=f".tmp{suffix}", dir=folder)
    os.close(handle)
    os.chmod(tmp, _new_file_mode(path))  # mkstemp makes 0600; the output gets what open() would give it
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _new_file_mode(path):
    """The replaced file's mode, or for a new file 0666 less the process umask, as ``open()`` creates it."""
    if os.path.exists(path):
        return os.stat(path).st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_open(path, mode="w", force=False, **kwargs):
    """``open()`` for writing, atomically: the file appears at ``path`` only when the block succeeds.

    Args:
        path: the destination. mode: ``"w"`` or ``"wb"``. force: allow replacing an existing file.
        **kwargs: passed to ``open`` (e.g. ``newline``); text is written as UTF-8 unless ``encoding`` says
        otherwise, whatever the locale, so an output holding any text can always be written and read back.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes whole files: mode must be 'w' or 'wb', not {mode!r}")
    if mode == "w":
        kwargs.setdefault("encoding", "utf-8")
    if is_stream(path):  # appended: /dev/stdout may be a file the shell opened, holding output already
        check_writable(path, force)
        with open(path, mode.replace("w", "a"), **kwargs) as handle:
            yield handle
        return
    with atomic_path(path, force=force) as tmp:
        with open(tmp, mode, **kwargs) as handle:
            yield handle
