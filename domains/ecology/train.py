"""Training the GatedForecaster's network: padded batches of whole series and the Keras fit loop.

One training example is one whole series (its training part): the features ``(n, 3 + k)`` of
:func:`domains.ecology.model.features` and the targets ``(n, H, 2)`` of :func:`domains.ecology.model.targets`,
right-padded with zeros (masked) to the longest series of the set. A per-series model trains on one example,
a global model on all of them (cross-series learning, as DeepAR and N-BEATS do).
"""

import keras
import numpy as np

from domains.ecology.model import features, gaussian_nll, scaling, targets


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


def fit_network(network, x, y, epochs, batch_size=32, learning_rate=3e-3, seed=0, backup_dir=None, verbose=0):
    """Compiles ``network`` (Adam, clipped gradients, masked Gaussian NLL) and fits it on ``x``, ``y``.

    Args:
        network: from :func:`domains.ecology.model.build_network`.
        x, y: from :func:`training_arrays`.
        epochs: passes over the series. batch_size: series per gradient step.
        learning_rate: Adam's step size, decayed by cosine to 10 % over the run.
        seed: shuffling seed (``keras.utils.set_random_seed``). backup_dir: resume an interrupted run from
            here (``keras.callbacks.BackupAndRestore``). verbose: Keras' progress bar (1) or silence (0).

    Returns:
        The Keras ``History``.
    """
    keras.utils.set_random_seed(seed)
    steps = epochs * int(np.ceil(len(x) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, max(steps, 1), alpha=0.1)
    network.compile(keras.optimizers.Adam(schedule, clipnorm=1.0), loss=gaussian_nll)
    callbacks = [keras.callbacks.BackupAndRestore(str(backup_dir))] if backup_dir else []
    return network.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=verbose, callbacks=callbacks)
