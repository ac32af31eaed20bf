"""Training the GatedForecaster's network: padded batches of whole series and the Keras fit loop.

One training example is one whole series (its training part): the features ``(n, 3 + k)`` of
:func:`domains.ecology.model.features` and the targets ``(n, H, 2)`` of :func:`domains.ecology.model.targets`,
right-padded with zeros (masked) to the longest series of the set. A per-series model trains on one example,
a global model on all of them (cross-series learning, as DeepAR and N-BEATS do). On a few series an epoch is
one or two gradient steps, so a floor on the optimizer steps (``min_steps``, :func:`repeats_for`) makes each
epoch go through them several times.

Held-out targets (:func:`split_targets`): with ``validation = v`` the targets that fall in the last ``v``
steps of each series are kept out of the loss. They play the part of the forecast origins at the end of the
series: they stop training early (the epoch with the lowest held-out loss is kept) and then calibrate the
predictive distribution (:func:`domains.ecology.model.calibration_factors`). The inputs stay whole: the
network is causal, so the output at step ``t`` never reads a step after ``t``.
"""

import keras
import numpy as np

from domains.ecology.model import features, gaussian_nll, scaling, targets
from shared.backup_callback import AtomicBackupAndRestore


def training_arrays(series, horizon):
    """Stacks ``[(z, covariates), ...]`` into ``x`` ``(m, T, 3 + k)`` and ``y`` ``(m, T, H, 2)``, zero-padded."""
    xs, ys = [], []
    for z, covariates in series:
        stats = scaling(z, covariates)
        xs.append(features(z, covariates, stats))
        ys.append(targets(z, stats[1], horizon))
    length = max(len(x) for x in xs)
    x = np.zeros((len(xs), length, xs[0].shape[1]), dtype="float32")
    y = np.zeros((len(ys), length, horizon, 2), dtype="float32")
    for i, (xi, yi) in enumerate(zip(xs, ys)):
        x[i, :len(xi)], y[i, :len(yi)] = xi, yi
    return x, y


def split_targets(y, lengths, validation):
    """``(y_fit, y_held)``: ``y`` with validity kept only for targets before / within the last ``validation``
    steps of each series (``lengths`` ``(m,)``).

    >>> y = np.ones((1, 4, 2, 2)); y[0, 3, :, 1] = 0; y[0, 2, 1, 1] = 0
    >>> fit, held = split_targets(y, [4], 1)
    >>> fit[0, :, :, 1].tolist(), held[0, :, :, 1].tolist()
    ([[1.0, 1.0], [1.0, 0.0], [0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 0.0]])
    """
    y = np.asarray(y)
    steps, horizon = y.shape[1], y.shape[2]
    target_index = np.arange(steps)[:, None] + np.arange(1, horizon + 1)[None]
    cut = (np.asarray(lengths) - int(validation))[:, None, None]
    held_out = target_index[None] >= cut
    y_fit, y_held = y.copy(), y.copy()
    y_fit[..., 1] *= ~held_out
    y_held[..., 1] *= held_out
    return y_fit, y_held


def fit_network(network, x, y, epochs, batch_size=32, learning_rate=3e-3, seed=0, backup_dir=None, verbose=0,
                weight_decay=0.0, validation=None, patience=30, min_steps=0):
    """Compiles ``network`` (AdamW, clipped gradients, masked Gaussian NLL) and fits it on ``x``, ``y``.

    Args:
        network: from :func:`domains.ecology.model.build_network`.
        x, y: from :func:`training_arrays`.
        epochs: Keras epochs. batch_size: series per gradient step.
        learning_rate: Adam's step size, decayed by cosine to 10 % over the run.
        seed: shuffling seed (``keras.utils.set_random_seed``). backup_dir: resume an interrupted run from
            here (``keras.callbacks.BackupAndRestore``). verbose: Keras' progress bar (1) or silence (0).
        weight_decay: decoupled weight decay of AdamW (0: plain Adam).
        validation: ``(x, y_held)`` (:func:`split_targets`) to stop early on, restoring the best epoch's
            weights; ``None``: train all ``epochs``. patience: epochs without improvement before stopping
            (0: no early stopping; the held-out loss is only reported).
        min_steps: the fewest optimizer steps: on few series each epoch goes through them
            :func:`repeats_for` times (0: once).

    Returns:
        The Keras ``History``.
    """
    keras.utils.set_random_seed(seed)
    repeats, shuffle = repeats_for(epochs, len(x), batch_size, min_steps), True
    if repeats > 1:
        if len(x) <= batch_size:  # each batch one whole copy of the set
            batch_size, shuffle = len(x), False
        x, y = np.concatenate([x] * repeats), np.concatenate([y] * repeats)
    steps = epochs * int(np.ceil(len(x) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, max(steps, 1), alpha=0.1)
    optimizer = keras.optimizers.AdamW(schedule, weight_decay=weight_decay, clipnorm=1.0) if weight_decay \
        else keras.optimizers.Adam(schedule, clipnorm=1.0)
    network.compile(optimizer, loss=gaussian_nll)
    callbacks = [AtomicBackupAndRestore(str(backup_dir), double_checkpoint=True)] if backup_dir else []
    if validation is not None and patience:
        callbacks.append(keras.callbacks.EarlyStopping("val_loss", patience=patience, restore_best_weights=True))
    return network.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=shuffle, verbose=verbose,
                       callbacks=callbacks, validation_data=validation)


def repeats_for(epochs, n_series, batch_size, min_steps=0):
    """How many copies of the ``n_series`` series each epoch goes through so that ``epochs`` epochs make at
    least ``min_steps`` optimizer steps; 1 when the plain ``ceil(n_series / batch_size)`` steps per epoch
    already do. A budget in epochs tuned on many series gives a small set a handful of steps (40 epochs are
    640 steps on the 483 GPDD series, 40 on six), too few to learn what the covariates add; the floor lets
    the budget follow the data. With ``n_series <= batch_size`` every step is the whole set (one copy per
    step, as more epochs would give); with more series, the copies are shuffled together into batches of
    ``batch_size``. Repeating within an epoch rather than adding epochs avoids Keras' per-epoch overhead
    (three quarters of a one-batch epoch's time) and keeps the checkpoints per epoch as they are.

    >>> repeats_for(40, 483, 32, min_steps=640), repeats_for(40, 6, 32, min_steps=640), repeats_for(40, 40, 32, 640)
    (1, 16, 13)
    """
    needed = -(-int(min_steps) // max(int(epochs), 1))
    if needed <= -(-n_series // batch_size):
        return 1
    return needed if n_series <= batch_size else -(-needed * batch_size // n_series)
