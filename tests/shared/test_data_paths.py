"""shared.data_paths: bundled files are found, missing ones say where they were looked for."""

import pytest

from shared.data_paths import PROJECT_ROOT, bundled, shared_data, shared_data_folder


def test_bundled_folder_and_missing_file(tmp_path):
    assert bundled("") == PROJECT_ROOT / "datasets"
    with pytest.raises(FileNotFoundError, match="bundled dataset not found"):
        bundled("no_such_domain", "x.csv")


def test_shared_data_override_and_absence(tmp_path, monkeypatch):
    (tmp_path / "churn").mkdir()
    monkeypatch.setenv("GATED_SHARED_DATA", str(tmp_path))
    assert shared_data("churn") == tmp_path / "churn"
    assert shared_data("ecology") is None
    monkeypatch.setenv("GATED_SHARED_DATA", str(tmp_path / "absent"))
    assert shared_data() is None
    monkeypatch.setenv("GATED_SHARED_DATA", "")  # found in audit: it meant the current folder
    assert shared_data_folder() == PROJECT_ROOT.parent / "shared" / "data"


def test_pinned_checks_presence_and_sha256(tmp_path):
    import hashlib

    from shared.cli import InputError
    from shared.data_paths import pinned

    artefact = tmp_path / "pkg-1.0.tar.gz"
    with pytest.raises(InputError, match=r"pkg-1.0.tar.gz: not found \(pip download pkg==1.0\)"):
        pinned(artefact, "0" * 64, "pip download pkg==1.0")
    artefact.write_bytes(b"release")
    with pytest.raises(InputError, match=r"sha256 [0-9a-f]{64} is not the pinned 0{64}"):
        pinned(artefact, "0" * 64, "pip download pkg==1.0")
    assert pinned(str(artefact), hashlib.sha256(b"release").hexdigest(), "-") == artefact
