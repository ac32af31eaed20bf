"""The README's Python examples run as written (in a temporary directory, one namespace, in order)."""

import re
import warnings
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_examples_run(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 2, "the README should show how to use shared.layers"
    monkeypatch.chdir(tmp_path)
    namespace = {}
    with warnings.catch_warnings(record=True) as caught:  # no warning that Python shows a user by default
        warnings.simplefilter("always")
        for hidden in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
            warnings.simplefilter("ignore", hidden)
        for block in blocks:
            exec(compile(block, str(README), "exec"), namespace)
    assert [str(warning.message) for warning in caught] == []
    assert (tmp_path / "model.keras").exists()
    assert namespace["gates"]["forward"]["forget"].shape == (2, 30, 64)
    assert namespace["report"]["output_shapes"] == [(4, 8)]
