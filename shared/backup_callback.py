"""``keras.callbacks.BackupAndRestore`` with checkpoint files that are replaced whole, never rewritten in place.

Keras writes ``training_metadata.json`` and ``latest.weights.h5`` in place. A run killed while it saves leaves
one of them cut short, and the same command started again cannot resume. An empty metadata file gives
``JSONDecodeError``, which Keras' own recovery (for a weights file it cannot read) does not catch. Here each file
is written beside its destination and renamed over it (:func:`shared.atomic.atomic_path`), so a kill leaves the
last complete checkpoint. A kill between the weights and the metadata leaves the new weights with the previous
epoch's count, and the resumed run repeats that one epoch.
"""

import json
import os
import shutil

import keras

from shared.atomic import atomic_path


class AtomicBackupAndRestore(keras.callbacks.BackupAndRestore):
    """``keras.callbacks.BackupAndRestore`` (same arguments and files, in a local folder) whose checkpoint files
    are replaced atomically."""

    def _save_model(self):
        if self.double_checkpoint:  # Keras' previous checkpoint, for a weights file that cannot be read
            for path, previous in ((self._weights_path, self._prev_weights_path),
                                   (self._training_metadata_path, self._prev_training_metadata_path)):
                if os.path.exists(path):
                    with atomic_path(previous, force=True, suffix=".bkp") as tmp:
                        shutil.copyfile(path, tmp)
        with atomic_path(self._weights_path, force=True, suffix=".weights.h5") as tmp:
            self.model.save_weights(tmp, overwrite=True)
        metadata = {"epoch": self._current_epoch, "batch": self._last_batch_seen}
        with atomic_path(self._training_metadata_path, force=True) as tmp, open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps(metadata))
