"""``shared.backups``: a checkpoint folder is resumed only by the run that stamped it."""

import hashlib
import json

import pytest

from shared.backups import STAMP, claim_backup, clear_backup, file_sha256
from shared.cli import InputError


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


def test_a_folder_no_run_stamped_is_refused_when_training_would_write_over_what_it_holds(tmp_path):
    """Found in audit: ``train --out DIR`` cleared the user's ``DIR/backup/`` and ``--backup-dir`` a user's
    ``members.csv`` (pattern ``member*``) before training, without a word."""
    owned = tmp_path / "backup"  # the default: training owns the whole folder
    owned.mkdir()
    (owned / "important.txt").write_text("the user's")
    with pytest.raises(InputError, match=r"backup: holds 'important.txt', which no training run of this program"):
        claim_backup(owned, {"argv": ["train"]})
    assert [p.name for p in owned.iterdir()] == ["important.txt"]

    named = tmp_path / "named"  # a folder the user named: only what training writes there counts
    named.mkdir()
    (named / "members.csv").write_text("the user's")
    (named / "member_photos").mkdir()
    assert claim_backup(named, {"argv": ["train"]}, leftovers=("member[0-9]*",)) is False
    clear_backup(named, leftovers=("member[0-9]*",))
    assert sorted(p.name for p in named.iterdir()) == ["member_photos", "members.csv"]
    (named / "member3").mkdir()
    with pytest.raises(InputError, match="holds 'member3'"):
        claim_backup(named, {"argv": ["train"]}, leftovers=("member[0-9]*",))
    (named / "member3").rmdir()
    (named / STAMP).write_text("the user's own notes, not JSON")
    with pytest.raises(InputError, match=f"holds '{STAMP}'"):
        claim_backup(named, {"argv": ["train"]}, leftovers=("member[0-9]*",))
    assert (named / STAMP).read_text() == "the user's own notes, not JSON"

    in_the_way = tmp_path / "m.keras.backup"
    in_the_way.write_text("a file")
    with pytest.raises(InputError, match="is a file where training keeps its checkpoint folder"):
        claim_backup(in_the_way, {"argv": ["train"]})
    assert in_the_way.read_text() == "a file"


def test_a_stamp_draft_left_by_a_kill_does_not_block_the_next_run(tmp_path):
    folder = tmp_path / "m.keras.backup"
    folder.mkdir()
    (folder / ".owner.json.tmp").write_text('{"argv": ["tr')  # killed while writing the stamp
    assert claim_backup(folder, {"argv": ["train"]}) is False
    assert [p.name for p in folder.iterdir()] == [STAMP]
    clear_backup(folder)
    assert not folder.exists()
