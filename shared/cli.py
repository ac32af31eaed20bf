"""Command-line conventions shared by every ``python -m domains.<name>`` and ``python -m shared.*`` tool.

- exit code 0 on success, 2 on bad input (one line on stderr naming the file, record or column and what is
  wrong), 1 on an internal error (one line too; set ``GATED_DEBUG=1`` for the traceback);
- bad input is raised as :class:`InputError` anywhere below the command line and turned into that one line
  by :func:`run`, so no user ever sees a traceback from deep inside TensorFlow for a malformed file.
"""

import argparse
import contextlib
import os
import sys
import traceback


class InputError(ValueError):
    """Bad input from the user: a file, record, column or argument that cannot be used, and why.

    The message is shown as is, on one line, so it should name the thing and the problem, e.g.
    ``"genes.csv: column 'date' has 3 values that are not dates (first at row 17: '1997-13-01')"``.
    """


#: Random seeds run from 0 to ``SEED_LIMIT - 1``: what ``keras.utils.set_random_seed`` (numpy's global seed) takes.
SEED_LIMIT = 2**32


def seed(text):
    """argparse type of every ``--seed``: an integer in ``[0, 2**32)``, refused (exit 2, one line naming the option)
    otherwise, rather than failing inside ``keras.utils.set_random_seed`` after the data are read.

    >>> seed("7")
    7
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"must be an integer in [0, 2**32), got {value}")
    return value


def run(main, argv=None):
    """Runs ``main(argv)`` and exits with the project's exit codes.

    Args:
        main: a function taking the argument list and returning ``None`` or an int exit code.
        argv: the arguments (default: ``sys.argv[1:]``).

    ``InputError`` (and ``FileNotFoundError``, ``IsADirectoryError``, ``PermissionError`` on a user's path)
    exit 2 with ``error: <message>`` on stderr; any other exception exits 1 with ``internal error: ...``.
    ``argparse`` errors keep their exit code 2 and become one line too (``<prog>: error: <message> (see
    --help)``, without the usage block). ``KeyboardInterrupt`` exits 130.
    """
    argv = sys.argv[1:] if argv is None else argv
    try:
        with _one_line_argument_errors():
            code = main(argv)
    except InputError as error:
        _fail(2, f"error: {_one_line(error)}")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as error:
        where = f"{error.filename}: " if getattr(error, "filename", None) else ""
        _fail(2, f"error: {where}{_one_line(error.strerror or error)}")
    except KeyboardInterrupt:
        _fail(130, "interrupted")
    except Exception as error:  # the last line of defence: one line, exit 1
        if os.environ.get("GATED_DEBUG"):
            traceback.print_exc()
        _fail(1, f"internal error: {type(error).__name__}: {_one_line(error)}")
    sys.exit(code or 0)


@contextlib.contextmanager
def _one_line_argument_errors():
    """While ``main`` runs, an ``argparse`` error prints one line instead of the usage block and the message."""

    def error(parser, message):
        parser.exit(2, f"{parser.prog}: error: {_one_line(message)} (see --help)\n")

    saved = argparse.ArgumentParser.error
    argparse.ArgumentParser.error = error
    try:
        yield
    finally:
        argparse.ArgumentParser.error = saved


def _one_line(message):
    return " ".join(str(message).split())


def _fail(code, line):
    print(line, file=sys.stderr)
    sys.exit(code)
