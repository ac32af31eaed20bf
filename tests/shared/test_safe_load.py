"""``shared.safe_load.load_model`` in a notebook: a shipped model loads in a fresh kernel with no domain module
imported, and a class still unknown is named in one line with the module to import."""

import ast
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import keras
import pytest

from shared.cli import InputError
from shared.safe_load import PROJECT_MODULES, load_model

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("domains/*/weights/*.keras"))

FRESH_KERNEL = """
import sys, warnings
warnings.simplefilter("error")  # no warning either (churn's saved optimizer is not restored: compile=False)
from shared.safe_load import load_model
for path in sys.argv[1:]:
    print(path, load_model(path).name)
"""


@pytest.mark.slow
def test_every_shipped_model_loads_in_a_fresh_kernel_with_no_domain_module_imported():
    assert len(SHIPPED) == 5
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", FRESH_KERNEL, *SHIPPED], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [line.split()[0] for line in result.stdout.splitlines()] == SHIPPED


def _registrations():
    """``(registered name, defining module)`` of every ``register_keras_serializable(package=...)`` in the code."""
    found = []
    for path in sorted([*(ROOT / "shared").rglob("*.py"), *(ROOT / "domains").rglob("*.py")]):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text())):
            for decorator in getattr(node, "decorator_list", []):
                if (isinstance(decorator, ast.Call) and getattr(decorator.func, "attr", "")
                        == "register_keras_serializable"):
                    package = {k.arg: k.value.value for k in decorator.keywords}.get("package", "Custom")
                    found.append((f"{package}>{node.name}", module))
    return found


def _imports(module):
    """The modules ``module`` (a package: its ``__init__``) imports directly."""
    path = ROOT / Path(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    tree = ast.parse(path.read_text())
    return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}


def test_every_class_the_project_registers_has_its_module_in_the_loaders_list():
    registrations = _registrations()
    assert len(registrations) > 15
    for name, module in registrations:
        known = PROJECT_MODULES.get(name) or PROJECT_MODULES.get(name.split(">")[0])
        assert known, f"{name} ({module}) is missing from shared.safe_load.PROJECT_MODULES"
        reached = {known} | _imports(known)
        reached |= {inner for outer in list(reached) if outer.startswith(("shared", "domains"))
                    for inner in _imports(outer)}
        assert module in reached or module.startswith(known + "."), (name, module, known)


def _small_model(path):
    from shared.layers import GatedLSTM

    inputs = keras.Input((5, 3))
    keras.Model(inputs, keras.layers.Dense(1)(GatedLSTM(4, name="lstm")(inputs))).save(path)


def _rename_class(path, registered_name, module, class_name=None):
    """``path`` rewritten so that its GatedLSTM layer names another class."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    for layer in config["config"]["layers"]:
        if layer["name"] == "lstm":
            layer.update(registered_name=registered_name, module=module, class_name=class_name or layer["class_name"])
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_a_class_from_elsewhere_is_named_with_the_module_to_import_and_never_imported(tmp_path):
    path = tmp_path / "m.keras"
    _small_model(path)
    _rename_class(path, "elsewhere>Cell", "elsewhere_layers.cells")
    with pytest.raises(InputError) as caught:
        load_model(path)
    message = str(caught.value)
    assert "\n" not in message and "'elsewhere>Cell'" in message and "import elsewhere_layers.cells first" in message
    assert "elsewhere_layers" not in sys.modules


def test_a_project_class_this_version_lacks_says_so(tmp_path):
    path = tmp_path / "m.keras"
    _small_model(path)
    _rename_class(path, "churn>NoSuchLayer", "domains.churn.model")
    with pytest.raises(InputError, match=r"'churn>NoSuchLayer'.*domains\.churn\.model does not define it"):
        load_model(path)


def test_another_failure_gives_keras_innermost_cause_not_its_opening_lines(tmp_path):
    path = tmp_path / "m.keras"
    _small_model(path)
    _rename_class(path, "NoSuchClass", "nowhere", class_name="NoSuchClass")
    with pytest.raises(InputError) as caught:
        load_model(path)
    message = str(caught.value)
    assert "\n" not in message and "Could not locate class 'NoSuchClass'" in message
    assert "config=" not in message and "Full object config" not in message
