"""shared.data_paths: bundled files are found, missing ones say where they were looked for."""

import pytest

from shared.data_paths import PROJECT_ROOT, bundled, shared_data


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
