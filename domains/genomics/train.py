"""Training the gene finder on annotated genomes, with checkpoints and resumption.

The training windows (:func:`training_dataset`) come from :func:`domains.genomics.windows.window_dataset`,
shuffled, each reverse-complemented with probability 1/2 (the strands of the labels swapped and reversed), so
one network learns both strands alike. ``N`` and padding get sample weight 0.
"""

from __future__ import annotations

import os

import tensorflow as tf

from domains.genomics.windows import window_dataset
from shared.distribute import strategy_scope


def reverse_complement(x, labels):
    """A window and its labels read from the other strand: ``x`` ``(window, 4)`` one-hot in ACGT order
    becomes its reverse complement (reverse time, reverse the channel order: A<->T, C<->G); in the labels
    (``(window, 2)`` per strand) the strands swap and time reverses."""
    flipped = {name: tf.reverse(value, axis=[0]) for name, value in labels.items()}
    for name in ("coding", "start", "stop"):
        flipped[name] = tf.reverse(flipped[name], axis=[1])
    return tf.reverse(x, axis=[0, 1]), flipped


def training_dataset(contigs, window=2048, stride=1024, batch_size=16, seed=0, augment=True, repeat=False):
    """``(x, targets, sample_weights)`` batches for ``model.fit``.

    With ``repeat`` the windows come round again and again (reshuffled each pass, flipped afresh), for
    ``fit(steps_per_epoch=...)`` epochs that each see a random subsample of the genomes.

    ``targets``: ``{"coding": (batch, window, 2) int32, "start": (batch, window, 2) float32}``;
    ``sample_weights``: the ``valid`` mask, ``(batch, window, 1)`` for ``coding`` and ``(batch, window)`` for
    ``start`` (Keras' binary cross-entropy averages the two strands first).
    """
    dataset, tilings = window_dataset(contigs, window, stride, batch_size=1, shuffle=True, seed=seed)
    dataset = dataset.unbatch()
    if repeat:
        dataset = dataset.repeat()
    else:  # unbatch hides the count, and Keras, not knowing it, warns at each epoch's end that the data ran out
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(sum(len(t.starts) for t in tilings)))
    if augment:
        def maybe_flip(index, element):
            x, labels = element
            flip = tf.random.stateless_uniform([], seed=tf.stack([tf.cast(seed, tf.int64), index])) < 0.5
            return tf.cond(flip, lambda: reverse_complement(x, labels), lambda: (x, labels))

        # the index is the position in this epoch's shuffled order, so a window's flip changes across epochs
        dataset = dataset.enumerate().map(maybe_flip, num_parallel_calls=tf.data.AUTOTUNE)

    def split(x, labels):
        # per-element losses: coding (window, 2) -> weight (window, 1); start (window,) after the strand mean
        weights = {"coding": labels["valid"][:, None], "start": labels["valid"]}
        return x, {"coding": labels["coding"], "start": labels["start"]}, weights

    return dataset.map(split).batch(batch_size).prefetch(tf.data.AUTOTUNE)


def train_gene_model(genomes, out, epochs=10, window=2048, stride=1024, batch_size=16, seed=0,
                     validation=None, model_options=None, force=False, verbose=1, command=None,
                     windows_per_epoch=None, distribute=None):
    """Trains a gene finder on annotated genomes and saves it with its card; resumes after an interruption.

    Seeds Python's, NumPy's and the backend's global random generators with ``seed``, as
    ``keras.utils.set_random_seed`` does.

    Args:
        genomes: a list of GenBank files (or FASTA + GFF3 pairs given as ``(fasta, gff3)`` tuples) with CDS
            annotation: paths (``str`` or ``os.PathLike``), not :class:`~domains.genomics.data.Contig` objects
            (the card records the files and their digests); one file is ``[path]``.
        out: the ``.keras`` file to write. Progress is backed up every epoch in ``<out>.backup/``
            (``keras.callbacks.BackupAndRestore``): run the same command again after a crash and training goes
            on from the last finished epoch; the backup is removed when training completes. The folder is
            stamped with the run's settings and files (:func:`shared.backups.claim_backup`): a run with other
            settings or genomes clears another run's checkpoints and starts afresh.
        epochs, window, stride, batch_size, seed: the training run.
        validation: optional genomes scored each epoch (validation loss).
        model_options: keyword arguments of :func:`domains.genomics.model.build_gene_model`.
        force: replace an existing ``out``.
        verbose: Keras progress bar.
        command: the command line, recorded in the card.
        windows_per_epoch: if given, each epoch is this many windows drawn from an endless reshuffled stream
            (a subsample of the genomes per epoch) instead of one pass over all windows.
        distribute: ``None`` or ``"none"`` (one device), or ``"mirrored"`` (see
            :func:`shared.distribute.strategy_scope`).

    Returns:
        The card (a dict), also written next to ``out`` as ``<out stem>.json``.

    Raises:
        TypeError: ``genomes`` or ``validation`` is one path rather than a list of them, or an item is neither a
            path nor a ``(fasta, gff3)`` pair of paths (e.g. a Contig).
        InputError: a genome cannot be read or holds no CDS annotation; ``out`` exists and not ``force``.
    """
    import json
    import os

    import keras

    from domains.genomics.data import read_genome
    from domains.genomics.model import build_gene_model
    from shared.atomic import atomic_open, atomic_path, check_outputs
    from shared.backup_callback import AtomicBackupAndRestore
    from shared.backups import claim_backup, file_sha256
    from shared.cli import InputError

    _check_specs(genomes, "genomes")
    _check_specs(validation or [], "validation")
    card_path = os.path.splitext(out)[0] + ".json"
    read = [path for genome in [*genomes, *(validation or [])]
            for path in (genome if isinstance(genome, tuple) else (genome,))]
    check_outputs({"--out": out, "the model card": card_path}, read, force)

    def load(specs):
        contigs = []
        for spec in specs:
            fasta, gff = spec if isinstance(spec, tuple) else (spec, None)
            loaded = read_genome(fasta, annotation=gff)
            if not any(contig.genes for contig in loaded):
                raise InputError(f"{fasta}: no CDS annotation to train on")
            contigs.extend(loaded)
        return contigs

    keras.utils.set_random_seed(seed)
    contigs = load(genomes)
    data = training_dataset(contigs, window, stride, batch_size, seed, repeat=windows_per_epoch is not None)
    steps_per_epoch = None if windows_per_epoch is None else max(1, windows_per_epoch // batch_size)
    validation_data = None
    if validation:
        validation_data = training_dataset(load(validation), window, window, batch_size, seed, augment=False)
    with strategy_scope(distribute):
        model = build_gene_model(**(model_options or {}))

    def files(specs):  # each genome's files' digests, in order
        return [[file_sha256(path) for path in (spec if isinstance(spec, tuple) else (spec,))] for spec in specs]

    settings = {"epochs": epochs, "window": window, "stride": stride, "batch_size": batch_size, "seed": seed,
                "windows_per_epoch": windows_per_epoch, "distribute": distribute, "model_options": model_options or {}}
    digests = files(genomes)  # [[genome], or [fasta, gff3]] per spec: the owner's, and the card's
    owner = {"settings": settings, "genomes": digests, "validation": files(validation or [])}
    claim_backup(f"{out}.backup", json.loads(json.dumps(owner)))  # as read back from the stamp
    backup = AtomicBackupAndRestore(f"{out}.backup", delete_checkpoint=True, double_checkpoint=True)
    history = model.fit(data, epochs=epochs, steps_per_epoch=steps_per_epoch, validation_data=validation_data,
                        callbacks=[backup], verbose=verbose, shuffle=False)  # the dataset shuffles its windows
    with atomic_path(out, force=force) as tmp:
        model.save(tmp)

    card = {
        "model": os.path.basename(out),
        "command": command,
        "seed": seed,
        "epochs": epochs,
        "window": window,
        "stride": stride,
        "batch_size": batch_size,
        "windows_per_epoch": windows_per_epoch,
        "distribute": distribute,
        "model_options": model_options or {},
        "training_genomes": [
            {"file": os.path.basename(os.fspath(spec)), "path": os.fspath(spec), "sha256": digest[0]}
            if not isinstance(spec, tuple) else
            {"file": os.path.basename(os.fspath(spec[0])), "path": os.fspath(spec[0]), "sha256": digest[0],
             "annotation": os.path.basename(os.fspath(spec[1])), "annotation_path": os.fspath(spec[1]),
             "annotation_sha256": digest[1]}
            for spec, digest in zip(genomes, digests)
        ],
        "history": {name: [float(v) for v in values] for name, values in history.history.items()},
    }
    with atomic_open(card_path, "w", force=force) as handle:
        json.dump(card, handle, indent=2)
    return card


def _check_specs(specs, argument):
    """Raises ``TypeError`` unless ``specs`` is a list of genome files: paths or ``(fasta, gff3)`` pairs of paths
    (a bare path would otherwise be read character by character)."""

    def is_path(value):
        return isinstance(value, (str, os.PathLike))

    if is_path(specs) or isinstance(specs, bytes) or not hasattr(specs, "__iter__"):
        raise TypeError(f"{argument}: expected a list of genome files, got {type(specs).__name__}"
                        + (f": pass a list, such as [{os.fspath(specs)!r}]" if is_path(specs) else ""))
    for i, spec in enumerate(specs):
        if not (is_path(spec) or (isinstance(spec, tuple) and len(spec) == 2 and all(map(is_path, spec)))):
            raise TypeError(f"{argument}[{i}]: expected a genome file (a path) or a (fasta, gff3) pair of paths, "
                            f"got {type(spec).__name__}" + (" (train from files: the card records them)"
                                                            if type(spec).__name__ == "Contig" else ""))
