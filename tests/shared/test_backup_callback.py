"""shared.backup_callback: Keras' BackupAndRestore files, replaced whole, so a save cut short leaves the last
complete checkpoint to resume from."""

import json

import keras
import numpy as np
import pytest

from shared.backup_callback import AtomicBackupAndRestore


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(16, 3)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")


def test_a_run_resumes_from_the_files_it_leaves_as_keras_does(tmp_path):
    x, y = _data()
    backup = tmp_path / "backup"
    _model().fit(x, y, epochs=2, verbose=0, callbacks=[AtomicBackupAndRestore(str(backup), delete_checkpoint=False)])
    assert json.loads((backup / "training_metadata.json").read_text()) == {"epoch": 2, "batch": 0}
    assert sorted(path.name for path in backup.iterdir()) == ["latest.weights.h5", "training_metadata.json"]
    history = _model().fit(x, y, epochs=4, verbose=0, callbacks=[AtomicBackupAndRestore(str(backup))])
    assert history.epoch == [2, 3] and not backup.exists()  # resumed after epoch 2; cleared at the end


def test_a_save_cut_short_leaves_the_previous_checkpoint_whole(tmp_path, monkeypatch):
    """Keras' own callback writes training_metadata.json in place: a run killed between opening and writing it
    left an empty file, and the same command started again stopped with JSONDecodeError (seen in CI)."""
    x, y = _data()
    backup = tmp_path / "backup"
    model = _model()
    model.fit(x, y, epochs=1, verbose=0,
              callbacks=[AtomicBackupAndRestore(str(backup), delete_checkpoint=False, double_checkpoint=True)])
    before = {path.name: path.read_bytes() for path in backup.iterdir()}

    def killed(filepath, overwrite=True):  # a save that dies half-way through the weights file
        with open(filepath, "wb") as handle:
            handle.write(b"\x89HDF")
        raise KeyboardInterrupt

    monkeypatch.setattr(model, "save_weights", killed)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=3, verbose=0,
                  callbacks=[AtomicBackupAndRestore(str(backup), delete_checkpoint=False, double_checkpoint=True)])
    assert {path.name: path.read_bytes() for path in backup.iterdir()
            if not path.name.endswith(".bkp")} == before  # no partial file, no new metadata
    monkeypatch.undo()
    history = _model().fit(x, y, epochs=3, verbose=0, callbacks=[AtomicBackupAndRestore(str(backup))])
    assert history.epoch == [1, 2]
