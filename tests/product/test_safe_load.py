"""Model files are data, never code: every command that takes a model path loads it with ``safe_mode=True``
through ``shared.safe_load``, refuses a ``.keras`` file holding a ``Lambda`` layer (or anything that is not a
``.keras`` archive, such as a pickle) with one line and exit 2, and no code in the project unpickles a file."""

import ast
import json
import pickle
import shutil

import keras
import numpy as np
import pytest

from product_kit import LINES, ROOT, TABLE, call, churn_csv, ecology_csv, fasta_text, genbank_text
from shared.cli import InputError
from shared.safe_load import load_model

# (id, domain, arguments; {model} is the model file, {tmp} a folder holding valid inputs of every kind)
MODEL_COMMANDS = [
    ("genomics predict", "genomics", ["predict", "{tmp}/genome.fa", "--model", "{model}"]),
    ("genomics evaluate", "genomics", ["evaluate", "--genbank", "{tmp}/reference.gb", "--model", "{model}"]),
    ("sentiment predict", "sentiment", ["predict", "--model", "{model}", "--input", "{tmp}/texts.txt"]),
    ("sentiment evaluate", "sentiment", ["evaluate", "--model", "{model}", "--data", "{tmp}/labelled.tsv"]),
    ("ecology forecast", "ecology", ["forecast", "{tmp}/series.csv", "--model", "{model}"]),
    ("churn evaluate", "churn", ["evaluate", "--transactions", "{tmp}/transactions.csv", "--model", "{model}"]),
    ("churn predict", "churn", ["predict", "--transactions", "{tmp}/transactions.csv", "--model", "{model}",
                                "--out", "{tmp}/survival.csv"]),
]


class _Payload:
    """Unpickling this creates the file ``marker``: proof that something ran code from a model file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    for name, text in [("genome.fa", fasta_text()), ("reference.gb", genbank_text()), ("texts.txt", LINES),
                       ("labelled.tsv", TABLE), ("series.csv", ecology_csv()), ("transactions.csv", churn_csv())]:
        (folder / name).write_text(text)
    return folder


def _lambda_model(path):
    inputs = keras.Input((None, 4))
    outputs = keras.layers.Lambda(lambda x: x * 2.0)(inputs)
    keras.Model(inputs, outputs).save(path)


def _sidecars(model):
    """The files some domains keep beside a model (churn's card, a sentiment vocabulary), so that the model
    itself is what is judged."""
    shutil.copy(ROOT / "domains" / "churn" / "weights" / "cdnow_gated.json", model.with_suffix(".json"))
    model.with_name(model.stem + ".vocabulary.json").write_text(json.dumps(["good", "bad"]))


@pytest.mark.parametrize("domain,argv", [pytest.param(d, a, id=i) for i, d, a in MODEL_COMMANDS])
def test_lambda_layer_model_is_refused_by_every_command(capsys, tmp_path, inputs, domain, argv):
    model = tmp_path / "from_elsewhere.keras"
    _lambda_model(model)
    _sidecars(model)
    code, _, err = call(capsys, domain, *[part.format(model=model, tmp=inputs) for part in argv])
    lines = err.splitlines()
    assert code == 2 and len(lines) == 1, err
    assert lines[0].startswith(f"error: {model}: refused") and "Lambda" in lines[0] and "safe_mode" in lines[0]


@pytest.mark.parametrize("kind", ["pickle", "garbage", "empty", "h5", "directory", "missing", "truncated"])
@pytest.mark.parametrize("domain,argv", [pytest.param(d, a, id=i) for i, d, a in MODEL_COMMANDS])
def test_model_files_that_are_not_keras_archives_are_refused_and_never_run(capsys, tmp_path, inputs, domain, argv,
                                                                           kind):
    marker = tmp_path / "code_ran"
    model = tmp_path / ("model.h5" if kind == "h5" else "model.keras")
    if kind == "pickle":
        model.write_bytes(pickle.dumps(_Payload(marker)))
    elif kind == "garbage":
        model.write_bytes(np.random.default_rng(0).bytes(512))
    elif kind == "empty":
        model.write_bytes(b"")
    elif kind == "h5":
        model.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(64))
    elif kind == "directory":
        model.mkdir()
    elif kind == "truncated":
        _lambda_model(model)
        model.write_bytes(model.read_bytes()[:300])
    if kind not in ("directory", "missing"):
        _sidecars(model)
    code, _, err = call(capsys, domain, *[part.format(model=model, tmp=inputs) for part in argv])
    lines = err.splitlines()
    assert code == 2 and len(lines) == 1 and str(model) in lines[0], err
    assert not marker.exists()


def test_load_model_reads_a_project_model_and_refuses_a_lambda(tmp_path):
    from shared.layers import GatedLSTM

    inputs = keras.Input((5, 3))
    model = keras.Model(inputs, keras.layers.Dense(1)(GatedLSTM(4)(inputs)))
    model.save(tmp_path / "ok.keras")
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    np.testing.assert_allclose(load_model(tmp_path / "ok.keras")(x), model(x), atol=1e-6)
    _lambda_model(tmp_path / "lambda.keras")
    with pytest.raises(InputError, match="refused: the model contains a Lambda layer"):
        load_model(tmp_path / "lambda.keras")


# --- nothing in the code base unpickles or loads unsafely -------------------------------------------------

UNSAFE_MODULES = {"pickle", "cPickle", "dill", "joblib", "shelve", "marshal", "cloudpickle"}
UNSAFE_CALLS = {"read_pickle", "enable_unsafe_deserialization", "load_weights_from_hdf5_group"}
LOADERS = {"load_model"}


def _sources():
    for folder in ("shared", "domains"):
        yield from sorted((ROOT / folder).rglob("*.py"))


def _violations(text, name):
    """What ``text`` (Python source called ``name``) does that could run code from a file."""
    found = []
    for node in ast.walk(ast.parse(text, name)):
        where = f"{name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [f"{where}: imports {a.name}" for a in node.names if a.name.split(".")[0] in UNSAFE_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in UNSAFE_MODULES:
            found.append(f"{where}: imports from {node.module}")
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            keywords = {k.arg: k.value for k in node.keywords}
            if name in UNSAFE_CALLS:
                found.append(f"{where}: calls {name}")
            if name == "load" and isinstance(node.func, ast.Attribute) and getattr(node.func.value, "id", "") in ("np", "numpy"):
                flag = keywords.get("allow_pickle")
                if not (isinstance(flag, ast.Constant) and flag.value is False):
                    found.append(f"{where}: np.load without allow_pickle=False")
            if name in LOADERS and isinstance(node.func, ast.Attribute):  # keras.saving.load_model(...)
                flag = keywords.get("safe_mode")
                if not (isinstance(flag, ast.Constant) and flag.value is True):
                    found.append(f"{where}: {name} without safe_mode=True")
            if "safe_mode" in keywords and not (isinstance(keywords["safe_mode"], ast.Constant)
                                                and keywords["safe_mode"].value is True):
                found.append(f"{where}: safe_mode is not True")
    return found


def test_no_code_unpickles_or_loads_models_unsafely():
    sources = list(_sources())
    assert len(sources) > 50
    violations = [v for path in sources for v in _violations(path.read_text(), str(path.relative_to(ROOT)))]
    assert violations == []


def test_the_scan_catches_what_it_looks_for():
    text = ("import pickle\nfrom joblib import load\nimport numpy as np\nimport keras\nnp.load('x.npy')\n"
            "np.load('x.npy', allow_pickle=False)\nkeras.saving.load_model('m.keras')\n"
            "keras.saving.load_model('m.keras', safe_mode=True)\n")
    assert [line.split(": ", 1)[1] for line in _violations(text, "probe.py")] == [
        "imports pickle", "imports from joblib", "np.load without allow_pickle=False", "load_model without safe_mode=True"]
