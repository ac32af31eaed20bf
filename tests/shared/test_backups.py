"""``shared.backups``: a checkpoint folder is resumed only by the run that stamped it."""

import hashlib
import json

from shared.backups import STAMP, claim_backup, clear_backup, file_sha256


def test_the_same_owner_keeps_its_checkpoints_another_owner_clears_them(tmp_path):
    folder = tmp_path / "m.keras.backup"
    assert claim_backup(folder, {"argv": ["train", "--seed", "0"]}) is False
    (folder / "checkpoint.weights.h5").write_text("epoch 3")
    assert claim_backup(folder, {"argv": ["train", "--seed", "0"]}) is True
    assert (folder / "checkpoint.weights.h5").read_text() == "epoch 3"
    assert claim_backup(folder, {"argv": ["train", "--seed", "1"]}) is False
    assert sorted(p.name for p in folder.iterdir()) == [STAMP]
    assert json.loads((folder / STAMP).read_text()) == {"argv": ["train", "--seed", "1"]}


def test_only_the_named_leftovers_go_from_a_folder_the_user_chose(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("the user's")
    (folder / "member0").mkdir()
    (folder / "member0" / "weights.h5").write_text("x")
    (folder / STAMP).write_text(json.dumps({"argv": ["old"]}))
    assert claim_backup(folder, {"argv": ["new"]}, leftovers=("member*",)) is False
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt", STAMP]
    clear_backup(folder, leftovers=("member*",))
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    clear_backup(tmp_path / "absent")  # nothing there: nothing to do


def test_clear_backup_removes_an_emptied_folder_and_file_sha256_is_hashlib_s(tmp_path):
    folder = tmp_path / "b"
    claim_backup(folder, {"argv": []})
    clear_backup(folder)
    assert not folder.exists()
    data = tmp_path / "data.csv"
    data.write_bytes(b"a,b\n1,2\n" * 100_000)
    assert file_sha256(data) == hashlib.sha256(data.read_bytes()).hexdigest()
