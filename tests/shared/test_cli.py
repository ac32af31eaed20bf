"""shared.cli and shared.atomic: exit codes, one-line errors, atomic and non-clobbering writes."""

import argparse
import os
import subprocess
import sys
import textwrap

import pytest

from shared import cli
from shared.atomic import atomic_open, atomic_path, check_outputs, is_stream
from shared.cli import InputError

PROGRAM = textwrap.dedent(
    """
    import sys
    from shared.cli import InputError, run
    def main(argv):
        if argv[0] == "bad":
            raise InputError("data.csv: column 'date' is missing")
        if argv[0] == "missing":
            open("/nonexistent/file.csv")
        if argv[0] == "bug":
            raise KeyError("oops")
        if argv[0] == "many":
            for number in range(100_000):
                print(number)
        if argv[0] == "text":
            from shared.atomic import atomic_open
            with atomic_open(argv[1]) as handle:
                handle.write("caf\\u00e9 \\U0001F600")
            print("caf\\u00e9 \\U0001F600")
            return
        if argv[0] == "warn":
            import warnings
            warnings.warn("sequence should be at least 100000 characters\\n(30000 found)", UserWarning)
        print("fine")
    run(main)
    """
)


@pytest.mark.parametrize(
    "arg,code,line",
    [
        ("ok", 0, None),
        ("bad", 2, "error: data.csv: column 'date' is missing"),
        ("missing", 2, "error: /nonexistent/file.csv: No such file or directory"),
        ("bug", 1, "internal error: KeyError: 'oops'"),
    ],
)
def test_exit_codes_and_one_line_messages(arg, code, line):
    env = {k: v for k, v in os.environ.items() if k != "GATED_DEBUG"}
    result = subprocess.run([sys.executable, "-c", PROGRAM, arg], capture_output=True, text=True, env=env)
    assert result.returncode == code
    if line is None:
        assert result.stdout == "fine\n" and result.stderr == ""
    else:
        assert result.stderr.splitlines() == [line]


def test_a_library_warning_is_one_line_and_the_command_still_succeeds():
    """Found in review: pyrodigal's UserWarning on a short genome reached a command's stderr as Python's two
    lines, naming a file and source line of the project."""
    env = {k: v for k, v in os.environ.items() if k not in ("GATED_DEBUG", "PYTHONWARNINGS")}
    result = subprocess.run([sys.executable, "-c", PROGRAM, "warn"], capture_output=True, text=True, env=env)
    assert result.returncode == 0 and result.stdout == "fine\n"
    assert result.stderr == "warning: sequence should be at least 100000 characters (30000 found)\n"


def test_a_reader_that_stops_early_ends_the_command_quietly():
    """Found in review: ``... | head -1`` reported ``internal error: BrokenPipeError`` and exited 1."""
    env = {k: v for k, v in os.environ.items() if k != "GATED_DEBUG"}
    command = subprocess.Popen([sys.executable, "-c", PROGRAM, "many"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env)
    assert command.stdout.readline() == b"0\n"
    command.stdout.close()  # the reader goes, as head does after its first line
    assert command.wait(timeout=60) == 141
    assert command.stderr.read() == b""


def test_output_is_utf8_whatever_the_locale(tmp_path):
    """Found in review: under a non-UTF-8 locale a text with an accent or an emoji ended the command with exit 1
    (UnicodeEncodeError) on standard output and in ``--out`` files."""
    env = {k: v for k, v in os.environ.items() if k not in ("GATED_DEBUG", "PYTHONIOENCODING")}
    env.update(LC_ALL="C", LANG="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")  # ASCII as the locale's encoding
    out = tmp_path / "out.txt"
    result = subprocess.run([sys.executable, "-c", PROGRAM, "text", str(out)], capture_output=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8") == "caf\u00e9 \U0001F600\n"
    assert out.read_text(encoding="utf-8") == "caf\u00e9 \U0001F600"


def test_atomic_write_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "out.txt"
    with atomic_open(target) as handle:
        handle.write("first")
    with pytest.raises(InputError, match="already exists; pass --force"):
        with atomic_open(target) as handle:
            handle.write("second")
    assert target.read_text() == "first"
    with atomic_open(target, force=True) as handle:
        handle.write("second")
    assert target.read_text() == "second"


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "model.keras"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target, force=True) as tmp:
            assert tmp.endswith(".keras") and os.path.dirname(tmp) == str(tmp_path)
            with open(tmp, "w") as handle:
                handle.write("half")
            raise RuntimeError("crash while writing")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["model.keras"]


def test_directory_is_not_a_destination(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        with atomic_open(tmp_path, force=True):
            pass


def test_outputs_are_refused_before_any_work_when_they_cannot_all_be_written_as_asked(tmp_path, monkeypatch):
    """Found in audit: ``--out data.csv --force`` replaced the data it read; ``--out f --plot f`` wrote one, then
    refused or (with ``--force``) replaced it; ``--out newdir/`` wrote a file ``newdir`` or failed after the work
    naming a temporary file."""
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data.csv"
    data.write_text("kept")
    with pytest.raises(InputError, match=r"data.csv: --out names a file the command reads; write the output"):
        check_outputs({"--out": "./sub/../data.csv"}, [data], force=True)
    with pytest.raises(InputError, match=r"^b.png: named by both --out and --plot; give them different files$"):
        check_outputs({"--out": tmp_path / "b.png", "--plot": "b.png"}, [data], force=True)
    with pytest.raises(InputError, match=r"^newdir/: names a folder \(it ends in /\); give a file name to write$"):
        check_outputs({"--out": "newdir/"})
    (tmp_path / "link.csv").symlink_to(data)
    with pytest.raises(InputError, match="reads"):
        check_outputs({"--out": "link.csv"}, [data], force=True)
    check_outputs({"--out": "out.csv", "--plot": "out.png", "--proteins": "-", "--json-out": None}, [data, None])
    assert data.read_text() == "kept" and sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "link.csv"]


def test_a_named_pipe_or_device_is_written_into_not_replaced(tmp_path):
    """Found in audit: ``--out /dev/null --force`` (as root) and ``--out fifo --force`` renamed a regular file over
    the device or the pipe; ``--out >(cat)`` failed naming a temporary file in ``/dev/fd``."""
    import threading

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    with atomic_open(fifo) as handle:  # no --force: a pipe holds nothing to lose
        handle.write("through the pipe")
    reader.join(timeout=10)
    assert received == ["through the pipe"] and fifo.is_fifo()
    with atomic_open(os.devnull) as handle:
        handle.write("dropped")
    assert os.path.exists(os.devnull) and not os.path.isfile(os.devnull)
    check_outputs({"--out": os.devnull, "--plot": os.devnull})  # two outputs into one sink are no conflict
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


def test_standard_output_redirected_to_a_file_is_appended_to(tmp_path):
    """Found in review: with standard output redirected to a file, ``--out /dev/stdout`` was refused without
    --force, and with it the link was followed and the file renamed over: what the shell had written was lost.
    A dangling link into a file's place gave an internal FileExistsError."""
    script = ("from shared.atomic import atomic_open\nprint('header', flush=True)\n"
              "with atomic_open('/dev/stdout') as handle:\n    handle.write('output\\n')\n")
    target = tmp_path / "out.txt"
    with open(target, "w") as stdout:
        subprocess.run([sys.executable, "-c", script], stdout=stdout, check=True, cwd=os.getcwd())
    assert target.read_text() == "header\noutput\n"
    assert is_stream("/dev/stdout") and not is_stream(tmp_path / "out.txt")  # a file elsewhere is replaced
    (tmp_path / "a.csv").write_text("kept")
    (tmp_path / "dangling.csv").symlink_to(tmp_path / "a.csv" / "sub.csv")
    with pytest.raises(InputError, match=r"a\.csv: is a file, not a folder"):
        check_outputs({"--out": tmp_path / "dangling.csv"}, force=True)


def test_a_symbolic_link_is_followed_and_kept(tmp_path):
    target = tmp_path / "results" / "table.csv"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    with pytest.raises(InputError, match="already exists"):
        with atomic_open(link):
            pass
    with atomic_open(link, force=True) as handle:
        handle.write("new")
    assert link.is_symlink() and target.read_text() == "new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["table.csv"]


def test_written_files_get_the_usual_permissions(tmp_path):
    fresh = tmp_path / "fresh.txt"
    with atomic_open(fresh) as handle:
        handle.write("x")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
    fresh.chmod(0o640)
    with atomic_open(fresh, force=True) as handle:
        handle.write("y")
    assert fresh.stat().st_mode & 0o777 == 0o640


def test_seed_type_takes_what_keras_takes():
    import argparse

    from shared.cli import SEED_LIMIT, seed

    assert seed("0") == 0 and seed(str(SEED_LIMIT - 1)) == SEED_LIMIT - 1
    for text in ("-1", str(SEED_LIMIT), "1.5", "seven"):
        with pytest.raises(argparse.ArgumentTypeError):
            seed(text)


def test_check_folder_refuses_a_file_on_the_way_and_accepts_a_folder_yet_to_make(tmp_path):
    from shared.atomic import check_folder

    (tmp_path / "taken").write_text("a file")
    for folder in (tmp_path / "taken", tmp_path / "taken" / "sub" / "deeper"):
        with pytest.raises(InputError, match=r"taken: is a file, not a folder"):
            check_folder(folder)
    check_folder(tmp_path / "new" / "deeper")  # nothing exists there yet: fine, and nothing is made
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_check_writable_refuses_a_file_under_a_file_before_any_work(tmp_path):
    from shared.atomic import check_writable

    (tmp_path / "taken").write_text("a file")
    with pytest.raises(InputError, match=r"taken: is a file, not a folder"):
        check_writable(tmp_path / "taken" / "out.json", force=True)
    with pytest.raises(InputError, match=r"already exists; pass --force"):
        check_writable(tmp_path / "taken")
    check_writable(tmp_path / "taken", force=True)
    check_writable(tmp_path / "new" / "out.json")  # a folder yet to make is fine


def test_check_folder_names_the_file_once_when_it_is_the_folder_itself(tmp_path):
    from shared.atomic import check_folder

    (tmp_path / "taken").write_text("a file")
    with pytest.raises(InputError) as refused:
        check_folder(tmp_path / "taken")
    assert str(refused.value) == f"{tmp_path / 'taken'}: is a file, not a folder"
    with pytest.raises(InputError, match=r"taken: is a file, not a folder, so .*deeper cannot hold the outputs"):
        check_folder(tmp_path / "taken" / "deeper")


# TensorFlow 2.21's start-up lines on a CPU machine, as its runtime writes them to fd 2 (abseil's format)
NOTICES = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1795366296.510094    2929 port.cc:153] oneDNN custom operations are on.\n"
    "I0000 00:00:1795366296.582019    2929 cpu_feature_guard.cc:227] This TensorFlow binary is optimized.\n"
    "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow.\n"
    "W0000 00:00:1795366296.600000    2929 some.cc:1] a warning\n"
    "E0000 00:00:1795366302.810310    2929 cuda_platform.cc:52] failed call to cuInit\n"
)


@pytest.mark.parametrize("level,kept", [
    ("0", NOTICES),
    ("", NOTICES),
    ("1", NOTICES.splitlines(keepends=True)[4] + NOTICES.splitlines(keepends=True)[5]),
    ("2", NOTICES.splitlines(keepends=True)[5]),
    ("3", ""),
])
def test_runtime_notices_below_the_log_level_are_dropped_with_their_continuation_lines(level, kept):
    from shared.cli import drop_runtime_notices

    assert drop_runtime_notices(NOTICES, level) == kept


def test_other_lines_are_kept_among_runtime_notices():
    from shared.cli import drop_runtime_notices

    warning = "/x/site.py:3: UserWarning: something the user should see\n  warnings.warn(message)\n"
    before = "a line before any log line\n"
    assert drop_runtime_notices(before + NOTICES + warning, "3") == before + warning


def test_import_tensorflow_holds_back_the_start_up_notices():
    source = "from shared.cli import import_tensorflow\ntf = import_tensorflow()\nprint(tf.constant(2).numpy() * 3)"
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL",)}
    env.update(TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    result = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, env=env, timeout=300)
    assert (result.returncode, result.stdout, result.stderr) == (0, "6\n", "")


@pytest.mark.parametrize("level, shown, before", [("3", False, ""), ("2", False, ""), ("0", True, ""),
                                                 ("3", False, "import tensorflow\n")])
def test_tensorflow_python_warnings_follow_the_log_level(level, shown, before):
    """TensorFlow's Python logger (e.g. 'triggered tf.function retracing' when a command trains several models)
    is quiet where TF_CPP_MIN_LOG_LEVEL holds warnings back, and speaks at 0; also when TensorFlow was imported
    before (as importing Keras does)."""
    source = (before + "from shared.cli import import_tensorflow\ntf = import_tensorflow()\n"
              "tf.get_logger().warning('retracing')")
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL",)}
    env.update(TF_CPP_MIN_LOG_LEVEL=level, CUDA_VISIBLE_DEVICES="")
    result = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert ("retracing" in result.stderr) == shown, result.stderr


def test_read_model_card_takes_a_json_object_and_names_anything_else(tmp_path):
    from shared.cli import read_model_card

    card = tmp_path / "card.json"
    card.write_text('{"seed": 0}')
    assert read_model_card(card) == {"seed": 0}
    card.write_text("[1, 2]")
    with pytest.raises(InputError, match=rf"^{card}: not a model card \(its JSON is not an object\)$"):
        read_model_card(card)
    card.write_text("{not json")
    with pytest.raises(InputError, match=rf"^{card}: not a readable JSON model card \(Expecting"):
        read_model_card(card)
    with pytest.raises(InputError, match=rf"^{tmp_path / 'missing.json'}: not a readable JSON model card"):
        read_model_card(tmp_path / "missing.json")


def test_refuse_unread_options_names_the_parts_that_read_a_given_option(capsys):
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--folds", type=int)
    parser.add_argument("--reverse", action="store_true")
    parser.add_argument("--limit", type=int)
    readers = {"folds": (("mr",), 10), "reverse": (("mr",), False), "limit": (("gpdd", "timing"), 0)}
    args = parser.parse_args(["--limit", "0"])  # a flag left out (False) and a given 0 are told apart
    cli.refuse_unread_options(parser, args, readers, ["timing", "sim"], "--case")
    assert (args.folds, args.reverse, args.limit) == (10, False, 0)
    for argv in (["--limit", "0"], ["--reverse"]):
        with pytest.raises(SystemExit) as exit_:
            cli.refuse_unread_options(parser, parser.parse_args(argv), readers, ["sim"], "--case")
        assert exit_.value.code == 2
    assert "error: --limit: only --case gpdd or timing reads it, and this run does not include it" in \
        capsys.readouterr().err
