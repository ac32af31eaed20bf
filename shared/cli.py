"""Command-line conventions shared by every ``python -m domains.<name>`` and ``python -m shared.*`` tool.

- exit code 0 on success, 2 on bad input (one line on stderr naming the file, record or column and what is
  wrong), 1 on an internal error (one line too; set ``GATED_DEBUG=1`` for the traceback);
- bad input is raised as :class:`InputError` anywhere below the command line and turned into that one line
  by :func:`run`, so no user ever sees a traceback from deep inside TensorFlow for a malformed file;
- a command imports TensorFlow through :func:`import_tensorflow`, once its inputs are checked, so that stderr
  holds the command's own lines and not the runtime's start-up notices.
"""

import argparse
import contextlib
import json
import math
import os
import re
import shlex
import sys
import tempfile
import traceback
import warnings


class InputError(ValueError):
    """Bad input from the user: a file, record, column or argument that cannot be used, and why.

    The message is shown as is, on one line, so it should name the thing and the problem, e.g.
    ``"genes.csv: column 'date' has 3 values that are not dates (first at line 17: '1997-13-01')"``.
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


def number_type(convert, test, wanted):
    """An argparse type: ``convert(text)`` when it is a finite number that passes ``test``, else an error saying
    the option must be ``wanted`` (exit 2 through :func:`run`, one line naming the option).

    >>> number_type(float, lambda v: 0 <= v < 1, "a number in [0, 1)")("0.25")
    0.25
    """

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or not test(value):
            raise argparse.ArgumentTypeError(f"must be {wanted}, got {text!r}")
        return value

    return parse


#: argparse types of counts and sizes (whole numbers >= 1 or >= 0) and of rates and strengths (> 0 or >= 0).
POSITIVE_INT = number_type(int, lambda value: value >= 1, "a whole number >= 1")
COUNT = number_type(int, lambda value: value >= 0, "a whole number >= 0")
POSITIVE = number_type(float, lambda value: value > 0, "a finite number > 0")
NON_NEGATIVE = number_type(float, lambda value: value >= 0, "a finite number >= 0")


def refuse_unread_options(parser, args, readers, run, chooser):
    """Refuses (``parser.error``, exit 2) an option that no part of this run reads, instead of ignoring it; then
    gives each option that was not given its default.

    Args:
        parser: the ``argparse.ArgumentParser`` that parsed ``args``.
        args: the parsed namespace. An option counts as given when its value is neither ``None`` nor ``False``,
            so its argparse default must be ``None`` (``False`` for a flag): the default goes in ``readers``.
        readers: ``{dest: (the parts that read it, its default)}``.
        run: the parts this run includes.
        chooser: the option that chooses the parts (``"--part"``), for the message.

    >>> parser = argparse.ArgumentParser()
    >>> _ = parser.add_argument("--folds", type=int)
    >>> args = parser.parse_args([])
    >>> refuse_unread_options(parser, args, {"folds": (("mr",), 10)}, ["speed"], "--part")
    >>> args.folds
    10
    """
    for dest, (parts, default) in readers.items():
        value = getattr(args, dest)
        if value is None:
            setattr(args, dest, default)
        elif value is not False and not set(parts) & set(run):
            parser.error(f"--{dest.replace('_', '-')}: only {chooser} {' or '.join(parts)} reads it, and this run "
                         "does not include it")


def strict_json(payload, **kwargs):
    """``payload`` as strict JSON text, for ``--json`` output other tools parse: every non-finite float (NaN, an
    infinity: a metric of nothing, such as precision without predictions) inside its dicts and lists written as
    ``null``; ``kwargs`` go to :func:`json.dumps` (``indent``).

    >>> strict_json({"mse": float("nan"), "n": [1, float("inf")]})
    '{"mse": null, "n": [1, null]}'
    """

    def finite(value):
        if isinstance(value, dict):
            return {key: finite(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [finite(item) for item in value]
        return None if isinstance(value, float) and not math.isfinite(value) else value

    return json.dumps(finite(payload), allow_nan=False, **kwargs)


def read_model_card(path):
    """The JSON model card at ``path``, a dict, read before any work so that a bad one is refused at once.

    Raises:
        InputError: ``path`` cannot be read or is not JSON ("``<path>: not a readable JSON model card (...)``"),
            or its JSON is not an object ("``<path>: not a model card (its JSON is not an object)``").
    """
    try:
        with open(path, encoding="utf-8") as handle:
            card = json.load(handle)
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: not a readable JSON model card ({error})") from None
    if not isinstance(card, dict):
        raise InputError(f"{path}: not a model card (its JSON is not an object)")
    return card


def command_line(program, argv):
    """The shell command that runs ``program`` with ``argv`` again, as a model card records it: the arguments
    quoted where a shell needs it (``shlex.join``), so an ``--out`` with a space can be copied and run.

    >>> command_line("-m domains.churn", ["train", "--out", "my model.keras", "--seed", 0])
    "python -m domains.churn train --out 'my model.keras' --seed 0"
    """
    return f"python {program} {shlex.join(str(arg) for arg in argv)}".rstrip()


def out_dash_is_stdout(args):
    """``--out -`` means standard output, as ``--input -`` means standard input: on every command but ``train``
    (whose ``--out`` is a model file, and whose check of the name refuses ``-``), sets ``args.out`` to ``None``,
    the command's own "no ``--out``" (its output printed). ``args.command`` names the command."""
    if args.command != "train" and str(getattr(args, "out", None)) == "-":
        args.out = None


def image_format(path, what="figure"):
    """The image format that ``path``'s suffix names (``"png"``, ``"pdf"``, ``"svg"``, ...), for checking a
    ``--plot`` option before any work: raises :class:`InputError` (naming ``what``, e.g. "fan chart") for a suffix
    matplotlib cannot write.

    >>> image_format("fan.PNG")
    'png'
    """
    from matplotlib.backend_bases import FigureCanvasBase

    suffix = os.path.splitext(str(path))[1].lower().lstrip(".")
    supported = FigureCanvasBase.get_supported_filetypes()
    if suffix not in supported:
        raise InputError(f"{path}: the {what}'s file name must end in one of "
                         f"{', '.join('.' + name for name in sorted(supported))} (it names the image format)")
    return suffix


def run(main, argv=None):
    """Runs ``main(argv)`` and exits with the project's exit codes.

    Args:
        main: a function taking the argument list and returning ``None`` or an int exit code.
        argv: the arguments (default: ``sys.argv[1:]``).

    ``InputError`` (and ``FileNotFoundError``, ``IsADirectoryError``, ``PermissionError`` on a user's path)
    exit 2 with ``error: <message>`` on stderr; any other exception exits 1 with ``internal error: ...``.
    ``argparse`` errors keep their exit code 2 and become one line too (``<prog>: error: <message> (see
    --help)``, without the usage block). ``KeyboardInterrupt`` exits 130. ``TF_CPP_MIN_LOG_LEVEL`` defaults to 3
    (TensorFlow's runtime logs only fatal errors), so that with :func:`import_tensorflow` stderr holds the
    command's own lines; a Python warning shows as one line ``warning: <message>``. Standard output is UTF-8
    whatever the locale (``--json`` output is read by other tools, and any text a user gave can be written),
    and a reader that stops early (``| head``) ends the command quietly with the shell's code for it, 141.
    """
    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if hasattr(sys.stdout, "reconfigure"):  # a real text stream, not a test's capture
        sys.stdout.reconfigure(encoding="utf-8")
    try:
        with _one_line_argument_errors(), _one_line_warnings():
            code = main(argv)
            sys.stdout.flush()  # a closed pipe shows here, inside the handlers, not at exit
    except BrokenPipeError:
        _closed_pipe()
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


@contextlib.contextmanager
def _one_line_warnings():
    """While ``main`` runs, a Python warning that is shown (a library's, e.g. pyrodigal's on a genome too short
    to train Prodigal well) prints as one line ``warning: <message>``, like the commands' own warnings, instead of
    Python's two lines naming the library's file and source line. The filters are Python's as usual."""

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"warning: {_one_line(message)}", file=sys.stderr if file is None else file)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def _closed_pipe():
    """Standard output's reader has gone (``| head``): the rest of the output is dropped, as the Python
    documentation's recipe for SIGPIPE does, and the command exits 141 (128 + SIGPIPE, what a shell reports for
    a command killed by a closed pipe) without a message."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(141)


def _one_line(message):
    return " ".join(str(message).split())


def _fail(code, line):
    print(line, file=sys.stderr)
    sys.exit(code)


# abseil's log line: severity letter, MMDD, time (seconds since the epoch before abseil is set up), thread,
# file:line] message (TensorFlow's C++ runtime)
_ABSL_LINE = re.compile(r"^([IWEF])\d{4} [\d:.]+\s+\d+ [^\]\s]+:\d+\] ")
_PYTHON_WARNING = re.compile(r"^.+:\d+: \w+: ")  # warnings.formatwarning's first line: file:line: Category: message
_ABSL_PREAMBLE = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"


def import_tensorflow():
    """Imports TensorFlow (and returns it) with its C++ runtime's start-up notices held back.

    While TensorFlow loads, its runtime logs to file descriptor 2 before it reads ``TF_CPP_MIN_LOG_LEVEL``
    (TensorFlow 2.21: abseil's preamble and the oneDNN and CUDA-stub notices, twice), so a command's stderr
    would not be only its own lines. Here fd 2 goes to a temporary file during the import; afterwards the
    lines that ``TF_CPP_MIN_LOG_LEVEL`` (default 0) filters out are dropped (:func:`drop_runtime_notices`)
    and everything else, an import error's message included, is written back to stderr. TensorFlow's Python
    logger follows the same setting: at 2 or 3 its warnings (such as "triggered tf.function retracing" when
    several models are trained in one process) are held back too, also when TensorFlow was imported before.
    """
    level = os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0")
    if "tensorflow" not in sys.modules:
        sys.stderr.flush()
        saved = os.dup(2)
        with tempfile.TemporaryFile() as captured:
            os.dup2(captured.fileno(), 2)
            try:
                import tensorflow
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
                os.close(saved)
                captured.seek(0)
                kept = drop_runtime_notices(captured.read().decode("utf-8", "replace"), level)
                if kept:
                    sys.stderr.write(kept)
                    sys.stderr.flush()
    import tensorflow

    if level.strip() in ("2", "3"):
        tensorflow.get_logger().setLevel("ERROR")
    return tensorflow


def drop_runtime_notices(text, level):
    """``text`` (lines written to stderr) without the abseil log lines below ``TF_CPP_MIN_LOG_LEVEL``.

    Args:
        text: the captured stderr. level: ``TF_CPP_MIN_LOG_LEVEL`` as a string; ``"1"`` drops INFO lines,
            ``"2"`` also WARNING, ``"3"`` also ERROR (TensorFlow's meaning); anything else drops nothing.

    A line in neither abseil's nor Python's warning format continues the entry before it and shares its fate
    (a dropped notice's second line goes with it; text before any entry is kept); abseil's preamble line is
    dropped at any level above 0.
    """
    threshold = {"1": 1, "2": 2, "3": 3}.get(str(level).strip(), 0)
    if not threshold:
        return text
    kept, keep = [], True
    for line in text.splitlines(keepends=True):
        match = _ABSL_LINE.match(line)
        if match:
            keep = "IWEF".index(match.group(1)) >= threshold
        elif line.rstrip("\r\n") == _ABSL_PREAMBLE:
            keep = False
        elif _PYTHON_WARNING.match(line):
            keep = True
        if keep:
            kept.append(line)
    return "".join(kept)
