"""Training with checkpoints and resume, and loading a trained classifier back.

A run (:func:`run_files`) is the model (the weights of the best epoch on the validation set, saved without the
optimizer and loaded with ``safe_mode=True``), the featurizer's vocabulary (a JSON list of tokens), a card
(JSON: data, command, seed, settings, metrics per epoch) and, while training, a backup folder (Keras
``BackupAndRestore``: an interrupted run started again with the same settings and data resumes from its last
finished epoch; the folder is removed at the end), the best epoch's weights so far (``backup.best.weights.h5``)
and the metrics of every finished epoch (``backup.epochs.csv``, Keras ``CSVLogger``), so that a resumed run
still returns the best epoch of the whole run. The backup folder is stamped with the run's settings and data
(:func:`shared.backups.claim_backup`): a run with other settings or data clears another run's checkpoints, best
epoch and log, and starts afresh. ``out`` is either a folder (``model.keras``, ``vocabulary.json``,
``card.json``, ``backup/`` inside it) or a ``NAME.keras`` file (``NAME.vocabulary.json``, ``NAME.json`` and
``NAME.backup/`` beside it: the layout of the shipped weights in ``domains/sentiment/weights/``).
"""

import functools
import hashlib
import json
import math
import numbers
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from domains.sentiment.adversarial import AdversarialTraining
from domains.sentiment.model import POLARITY_DIRECTION, Featurizer, SentimentClassifier, build_model
from domains.sentiment.ngrams import logistic_init, naive_bayes_init
from domains.sentiment.text import token_counts, tokenized
from shared.atomic import atomic_open, atomic_path, check_writable
from shared.backup_callback import AtomicBackupAndRestore
from shared.backups import STAMP, claim_backup
from shared.cli import InputError
from shared.distribute import strategy_scope
from shared.safe_load import load_model


def length_buckets(featurizer, texts, labels, batch_size=64, seed=0, repeat=False, word_dropout=0.0, pairs=None):
    """A ``tf.data`` pipeline of batches of texts of similar length, reshuffled on every pass.

    Each pass shuffles the texts, sorts them by length in chunks of 50 batches (so padding stays short) and
    shuffles the batch order. Elements are ``(features, labels)``: ``features`` from a :class:`Featurizer`
    (time dimension left unknown: it varies per batch), ``labels`` float32 ``(b,)`` (or ``(b, k)`` for
    ``labels`` of shape ``(n, k)``). With ``word_dropout`` > 0 (for training), each token id is replaced by the
    out-of-vocabulary id 1 with that probability, anew on every pass (the negation and lexicon features are
    kept), so the model learns to read unknown words as it reads rare ones. ``word_dropout`` may also be a
    float array indexed by token id (length: the vocabulary plus padding and OOV), one probability per id, as
    :func:`rare_word_dropout` gives.

    With ``pairs`` (int ``(n,)``: the minimal pair each text belongs to, two texts per number, -1 for none:
    :func:`domains.sentiment.augment.training_table`'s ``pair``), a pair's two texts travel as one unit. Each pass
    cuts the units into ceil(n / ``batch_size``) batches of about equal size; each batch holds its pairs first,
    each on two adjacent rows starting at an even row, then its single texts. ``labels`` are then float32
    ``(b, 2)``: the label and the row's pair role, +1 on the first row of a pair whose labels differ (a negation
    that flips), -1 on the first row of a pair with equal labels (a neutral pair), 0 elsewhere (see
    :func:`pair_consistency_loss`). ``batch_size`` must be at least 4.
    """
    texts, labels = list(texts), np.asarray(labels, dtype="float32")
    lengths = np.array([len(text.split()) for text in texts])
    rng = np.random.default_rng(seed)
    units = _units(pairs, labels) if pairs is not None else None
    if units is not None and batch_size < 4:  # below 4 a pass could not always fill every batch
        raise InputError(f"batch_size {batch_size}: pairs need batches of at least 4 texts")
    n_batches = math.ceil(len(texts) / batch_size)
    n_ids = len(featurizer.vocabulary) + 2
    if np.ndim(word_dropout) and np.shape(word_dropout) != (n_ids,):
        raise InputError(f"word_dropout: {np.size(word_dropout)} probabilities, expected one per id ({n_ids})")

    def batch_features(rows):
        features = featurizer([texts[i] for i in rows])
        if np.any(word_dropout):
            tokens = features["tokens"]
            drop = word_dropout[tokens] if np.ndim(word_dropout) else word_dropout
            features["tokens"] = np.where((tokens > 0) & (rng.random(tokens.shape) < drop), 1, tokens)
        return features

    def batches():
        order = rng.permutation(len(texts))
        chunk = 50 * batch_size
        groups = []
        for start in range(0, len(order), chunk):
            part = order[start : start + chunk]
            part = part[np.argsort(lengths[part], kind="stable")]
            groups.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
        for index in rng.permutation(len(groups)):
            rows = groups[index]
            yield batch_features(rows), labels[rows]

    def pair_batches():
        members = units
        size = np.array([len(unit) for unit in members])
        longest = np.array([lengths[unit].max() for unit in members])
        order = rng.permutation(len(members))
        chunks = np.cumsum(size[order]) // (50 * batch_size)
        order = np.concatenate([order[chunks == c][np.argsort(longest[order[chunks == c]], kind="stable")]
                                for c in np.unique(chunks)])
        # every pass cuts its units into the same number of batches, by where each unit starts in the pass
        group = (np.cumsum(size[order]) - size[order]) * n_batches // len(texts)
        for index in rng.permutation(n_batches):
            part = sorted(order[group == index], key=lambda unit: -size[unit])  # pairs first, on even rows
            rows = np.concatenate([members[unit] for unit in part])
            paired = 2 * int((size[part] == 2).sum())
            role = np.zeros(len(rows), "float32")
            role[:paired:2] = np.where(labels[rows[:paired:2]] != labels[rows[1:paired:2]], 1.0, -1.0)
            yield batch_features(rows), np.stack([labels[rows], role], axis=1)

    label_spec = tf.TensorSpec((None, *labels.shape[1:]) if units is None else (None, 2), tf.float32)
    dataset = tf.data.Dataset.from_generator(batches if units is None else pair_batches,
                                             output_signature=(featurizer.signature(), label_spec))
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(n_batches))
    return (dataset.repeat() if repeat else dataset).prefetch(2)


def rare_word_dropout(featurizer, texts, alpha, word_dropout=0.0):
    """Per-id probabilities of reading a training token as out-of-vocabulary, for :func:`length_buckets`.

    A token of type w is dropped with probability ``alpha / (alpha + count(w))``, ``count`` its number of
    occurrences in ``texts`` (Kiperwasser & Goldberg 2016, TACL 4: rare words stand in for the unknown ones, so
    the out-of-vocabulary embedding is trained on the contexts unknown words come in); on top of that, every token
    with probability ``word_dropout``. Padding (id 0) and out-of-vocabulary (id 1) get 0.

    Returns:
        float64 ``(len(featurizer.vocabulary) + 2,)``, each in [0, 1] (1 only for a vocabulary token that
        ``texts`` never hold).
    """
    if alpha < 0:
        raise InputError(f"rare_word_dropout {alpha}: needs alpha >= 0")
    counts = token_counts(texts)
    count = np.array([counts.get(token, 0) for token in featurizer.vocabulary], dtype="float64")
    rare = np.divide(alpha, alpha + count, out=np.zeros_like(count), where=alpha + count > 0)
    return np.concatenate([[0.0, 0.0], word_dropout + (1 - word_dropout) * rare])


def _units(pairs, labels):
    """The row numbers of each pair (two, in an int array) and of each single text (one) for
    :func:`length_buckets`; a pair number held by other than two rows is an :class:`InputError`."""
    pairs = np.asarray(pairs)
    if pairs.shape != labels.shape:
        raise InputError(f"pairs: {pairs.shape[0] if pairs.ndim else 'no'} entries for {len(labels)} texts")
    paired = np.flatnonzero(pairs >= 0)
    numbers, counts = np.unique(pairs[paired], return_counts=True)
    if np.any(counts != 2):
        raise InputError(f"pairs: pair {numbers[counts != 2][0]} has {counts[counts != 2][0]} texts, expected 2")
    by_pair = paired[np.argsort(pairs[paired], kind="stable")].reshape(-1, 2)
    return [np.array([row]) for row in np.flatnonzero(pairs < 0)] + list(by_pair)


def pair_consistency_loss(strength):
    """The binary cross-entropy plus a minimal-pair consistency term, for labels from :func:`length_buckets`
    with ``pairs``.

    With ``z`` the logit of P(positive) (read back from the probability clipped to [1e-6, 1 - 1e-6]), the first
    row of a pair adds ``strength * (z_1 + z_2)**2`` when its negation flips the label (so a negation turns the
    logit round instead of adding an offset) and ``strength * (z_1 - z_2)**2`` when both labels are equal
    (a negated neutral text stays where its plain twin is). The last row of a batch (or of a replica's share of
    it) never opens a pair.

    Returns:
        ``loss(y_true (b, 2), y_pred (b, 1)) -> (b,)``.
    """
    def loss(y_true, y_pred):
        label, role = y_true[:, :1], y_true[:, 1]
        p = keras.ops.clip(y_pred[:, 0], 1e-6, 1.0 - 1e-6)
        z = keras.ops.log(p) - keras.ops.log1p(-p)
        partner = keras.ops.concatenate([z[1:], keras.ops.zeros_like(z[:1])])
        opens = keras.ops.concatenate([keras.ops.ones_like(z[1:]), keras.ops.zeros_like(z[:1])]) * role
        consistency = keras.ops.abs(opens) * keras.ops.square(z + opens * partner)
        return keras.losses.binary_crossentropy(label, y_pred) + strength * consistency

    return loss


def three_way_loss(y_true, y_pred, neutral_spread=0.0):
    """Categorical cross-entropy of class probabilities ``y_pred (b, 3)`` (negative, neutral, positive) against
    labels 0, 0.5, 1 (``y_true (b,)`` or ``(b, 1)``) read as those classes; a neutral label's target puts
    ``neutral_spread`` on each polar class, ``(s, 1 - 2 s, s)``, so neutral texts also teach p_pos = p_neg."""
    classes = keras.ops.cast(keras.ops.round(2.0 * keras.ops.reshape(y_true, (-1,))), "int32")
    neutral = keras.ops.cast(keras.ops.equal(classes, 1), y_pred.dtype)[:, None]
    spread = neutral * neutral_spread * keras.ops.convert_to_tensor([[1.0, -2.0, 1.0]], y_pred.dtype)
    return keras.losses.categorical_crossentropy(keras.ops.one_hot(classes, 3, dtype=y_pred.dtype) + spread, y_pred)


def three_way_accuracy(y_true, y_pred):
    """Binary accuracy of P(positive) = p_pos + p_neu / 2 from class probabilities ``y_pred (b, 3)``."""
    positive = y_pred[:, 2:] + 0.5 * y_pred[:, 1:2]
    return keras.metrics.binary_accuracy(keras.ops.reshape(y_true, (-1, 1)), positive)


def label_accuracy(y_true, y_pred):
    """Binary accuracy against the first label column (the label; the second is the pair role)."""
    return keras.metrics.binary_accuracy(y_true[:, :1], y_pred)


def check_labelled(data, name, binary):
    """Refuses (:class:`InputError`) ``data`` (``name``: ``"train_data"`` or ``"validation_data"`` of
    :func:`train`) unless it is a DataFrame with ``text`` and ``label`` columns whose labels are all numbers in
    [0, 1], or with ``binary`` all 0 or 1; the message names the first bad label's row (index and position) and
    value. Checked before anything is trained or written: a NaN label trains every weight to NaN, and labels
    such as -1/1 or 1/2 train a model that is silently wrong."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{name}: expected a DataFrame with 'text' and 'label' columns, got {type(data).__name__}")
    missing = [column for column in ("text", "label") if column not in data.columns]
    if missing:
        raise InputError(f"{name}: no {' or '.join(map(repr, missing))} column (columns: {list(data.columns)})")
    values = data["label"].to_numpy()
    if values.dtype.kind in "biuf":
        floats = values.astype(float)
    else:  # object: strings, None or pandas' NA read as not a number
        floats = np.array([float(v) if isinstance(v, numbers.Real) else np.nan for v in values], float)
    good = np.isin(floats, (0.0, 1.0)) if binary else (floats >= 0.0) & (floats <= 1.0)
    if not good.all():
        position = int(np.flatnonzero(~good)[0])
        value, row = (item.item() if isinstance(item, np.generic) else item
                      for item in (values[position], data.index[position]))
        rule = ("0 or 1 (validation labels are binary: 1 positive, 0 negative)" if binary
                else "a number in [0, 1] (1 positive, 0 negative; training labels may be soft, in between)")
        raise InputError(f"{name}: label {value!r} at row {row!r} (position {position}) is not "
                         f"{rule}; {int((~good).sum())} of {len(good)} labels are not")


def run_files(out):
    """``{"model", "vocabulary", "card", "backup"}`` paths of the run ``out`` (a folder or a ``.keras`` file;
    a folder run's ``model.keras`` names its folder's run)."""
    out = Path(out)
    folder_run = out.name == "model.keras" and (out.parent / "vocabulary.json").is_file()
    if folder_run and not out.with_suffix(".vocabulary.json").exists():
        return run_files(out.parent)
    if out.suffix == ".keras":
        stem = out.with_suffix("")
        return {"model": out, "vocabulary": Path(f"{stem}.vocabulary.json"), "card": Path(f"{stem}.json"),
                "backup": Path(f"{stem}.backup")}
    return {"model": out / "model.keras", "vocabulary": out / "vocabulary.json", "card": out / "card.json",
            "backup": out / "backup"}


def train(train_data, validation_data, out, epochs=3, batch_size=64, seed=0, learning_rate=2e-3, max_tokens=20_000,
          model_options=None, card=None, force=False, steps_per_epoch=None, verbose=2, callbacks=(), word_dropout=0.0,
          distribute=None, wide_init="zero", pair_consistency=0.0, neutral_spread=0.0, adversarial=0.0,
          rare_word_dropout_alpha=0.0):
    """Trains a classifier and writes the run ``out``.

    Args:
        train_data, validation_data: DataFrames with ``text`` and ``label`` (training labels may be soft, in
            [0, 1]; validation labels binary, 0 or 1: 1 positive). Other labels (NaN, -1/1, 1/2, 'pos') are
            refused: map them to 0 and 1 first. ``validation_data`` must not be empty (the best epoch is chosen
            on it).
        out: the run folder (created) or ``.keras`` file (see :func:`run_files`). An existing model, vocabulary
            or card there is refused, before any training, unless ``force`` (the command line's ``--force``).
        epochs, batch_size, seed, learning_rate: training settings.
        max_tokens: vocabulary size (including padding and OOV), built from ``train_data``.
        model_options: keyword arguments of :func:`build_model`.
        card: extra entries for ``card.json`` (e.g. the data and the command).
        steps_per_epoch: batches per epoch (None: one pass over ``train_data``; else the data repeat).
        callbacks: extra Keras callbacks, run after the backup and checkpoint ones (e.g. early stopping).
        word_dropout: probability of reading a training token as out-of-vocabulary (see :func:`length_buckets`).
        rare_word_dropout_alpha: with alpha > 0, a token of type w is also read as out-of-vocabulary with
            probability alpha / (alpha + its count in ``train_data``) (:func:`rare_word_dropout`); 0: none.
        distribute: ``None`` or ``"none"`` (one device), or ``"mirrored"``: the model is built and compiled inside a
            ``tf.distribute.MirroredStrategy`` scope (data parallel over the visible devices; each batch is
            split between them, so the result matches one device up to floating-point summation order).
        wide_init: a wide-and-deep model's (``model_options["wide_l2"]`` set) starting wide weights: ``"zero"``,
            ``"nb"``, naive Bayes log-count ratios of ``train_data``'s n-grams
            (:func:`domains.sentiment.ngrams.naive_bayes_init`), or ``"logistic"``, the weights of a logistic
            regression on the NB-scaled n-gram features of ``train_data`` (its intercept goes to the deep
            part's bias; :func:`domains.sentiment.ngrams.logistic_init`).
        pair_consistency: with a strength > 0, ``train_data``'s ``pair`` column (generated minimal pairs, -1
            for none: :func:`domains.sentiment.augment.training_table`) keeps each pair's halves in one batch
            and the loss adds :func:`pair_consistency_loss` of that strength; 0 trains on the cross-entropy
            alone, texts shuffled one by one. On the shipped recipe, strengths 0.1 and 1 kept more negated
            neutral texts neutral but widened the SST negation gap (``selection`` in
            ``domains/sentiment/weights/sst_negation.json``), so the shipped model does not use it.
            Not available for a three-way model.
        adversarial: with a radius epsilon > 0, adversarial training on the token embeddings
            (:mod:`domains.sentiment.adversarial`): each step adds the loss of the batch with every text's
            embeddings moved by epsilon in the direction that raises its loss most (that loss includes the wide
            part's L2 penalty too, so the penalty counts twice). 0 trains without it. TensorFlow backend only
            (its training step differentiates with ``tf.GradientTape``).

    A three-way model (``model_options["three_way"]``, :func:`domains.sentiment.model.build_model`) is trained on
    its class probabilities with :func:`three_way_loss` (labels 0, 0.5, 1 are the negative, neutral and positive
    classes; ``neutral_spread`` s makes a neutral label's target (s, 1 - 2 s, s)) and checkpointed on
    :func:`three_way_accuracy`; the saved model outputs P(positive) as any other.

    An interrupted call started again with the same ``out``, settings (those the card lists) and data resumes
    after the last finished epoch and returns the best epoch of the whole run (the returned history and the card
    cover the epochs of the resumed call only). The weights and optimizer state come from the backup, but the
    shuffling and dropout draws do not, so the resumed epochs are not bit-for-bit those of an uninterrupted call.
    A backup left by a call with other settings or data is cleared first, with its best weights and epoch log,
    and training starts afresh.

    Returns:
        ``(SentimentClassifier, history dict)``.

    Raises:
        InputError: ``out`` holds a run and ``force`` is not set; ``train_data`` or ``validation_data`` is not a
            DataFrame with ``text`` and ``label`` columns, or has a label that is NaN, not a number, or outside
            [0, 1] (validation: not 0 or 1; the message names the row and the value, see :func:`check_labelled`);
            ``validation_data`` is empty; an option out of range. All are checked before anything is trained or written.
    """
    files = run_files(out)
    for name in ("model", "vocabulary", "card"):
        check_writable(files[name], force, override="--force (force=True in Python)")
    check_labelled(train_data, "train_data", binary=False)
    check_labelled(validation_data, "validation_data", binary=True)
    if not len(validation_data):  # Keras would only warn ("ran out of data", no val_accuracy to checkpoint on)
        raise InputError("validation_data: empty; the checkpoint keeps the epoch of best validation accuracy, so "
                         "at least one labelled text is needed")
    keras.utils.set_random_seed(seed)
    featurizer = Featurizer.adapt(train_data["text"], max_tokens=max_tokens,
                                  lexicon=(model_options or {}).get("use_lexicon", False))
    if pair_consistency < 0 or (pair_consistency and "pair" not in train_data):
        raise InputError(f"pair_consistency {pair_consistency}: needs a strength >= 0 and, above 0, a 'pair' "
                         "column in the training data")
    three_way = (model_options or {}).get("three_way", False)
    if three_way and pair_consistency:
        raise InputError("pair_consistency: not available for a three-way model (model_options three_way, "
                         "--three-way)")
    if neutral_spread and not (three_way and 0 < neutral_spread < 0.5):
        raise InputError(f"neutral_spread {neutral_spread}: needs a three-way model and a value in [0, 0.5)")
    if adversarial < 0:
        raise InputError(f"adversarial {adversarial}: needs a radius >= 0")
    if adversarial and keras.backend.backend() != "tensorflow":
        raise InputError(f"adversarial {adversarial}: adversarial training differentiates with tf.GradientTape, which "
                         f"needs the TensorFlow backend; Keras runs on {keras.backend.backend()!r} (set "
                         "KERAS_BACKEND=tensorflow)")
    with strategy_scope(distribute):
        model = build_model(len(featurizer.vocabulary) + 2, **(model_options or {}), perturbation=adversarial > 0)
        if three_way:  # trained on its class probabilities; the saved model outputs P(positive)
            fitted = keras.Model(model.inputs, model.get_layer("three_way").output)
            loss = functools.partial(three_way_loss, neutral_spread=neutral_spread)
            metric = keras.metrics.MeanMetricWrapper(three_way_accuracy, name="accuracy")
        else:
            fitted = model
            if pair_consistency:
                loss = pair_consistency_loss(pair_consistency)
                metric = keras.metrics.MeanMetricWrapper(label_accuracy, name="accuracy")
            else:
                loss, metric = "binary_crossentropy", "accuracy"
        if adversarial:
            fitted = AdversarialTraining(fitted, adversarial)
        fitted.compile(keras.optimizers.Adam(learning_rate), loss, metrics=[metric])
    if wide_init in ("nb", "logistic"):
        if (model_options or {}).get("wide_l2") is None:
            raise InputError(f"wide_init {wide_init!r} needs a wide part (model_options wide_l2, --wide-l2)")
        token_ids = np.asarray(featurizer.vectorizer([tokenized(text) for text in train_data["text"]]))
        if wide_init == "nb":
            naive_bayes_init(model.get_layer("wide_logit"), token_ids, train_data["label"])
        else:
            *_, intercept = logistic_init(model.get_layer("wide_logit"), token_ids, train_data["label"])
            kernel, bias = model.get_layer("deep_logit").get_weights()
            shift = intercept * np.ravel(POLARITY_DIRECTION) if three_way else intercept
            model.get_layer("deep_logit").set_weights([kernel, bias + shift])
    elif wide_init != "zero":
        raise InputError(f"wide_init: {wide_init!r} is not 'zero', 'nb' or 'logistic'")
    paired = pair_consistency > 0
    drop = (rare_word_dropout(featurizer, train_data["text"], rare_word_dropout_alpha, word_dropout)
            if rare_word_dropout_alpha else word_dropout)
    batches = length_buckets(featurizer, train_data["text"], train_data["label"], batch_size, seed,
                             repeat=steps_per_epoch is not None, word_dropout=drop,
                             pairs=train_data["pair"].to_numpy() if paired else None)
    validation_labels = validation_data["label"].to_numpy(dtype="float32")
    if paired:  # the loss's label layout, with no pairs
        validation_labels = np.stack([validation_labels, np.zeros_like(validation_labels)], axis=1)
    validation = length_buckets(featurizer, validation_data["text"], validation_labels, 256, seed)
    settings = {"epochs": epochs, "batch_size": batch_size, "seed": seed, "learning_rate": learning_rate,
                "max_tokens": max_tokens, "model_options": model_options or {}, "steps_per_epoch": steps_per_epoch,
                "word_dropout": word_dropout, "rare_word_dropout_alpha": rare_word_dropout_alpha,
                "distribute": distribute, "wide_init": wide_init,
                "pair_consistency": pair_consistency, "neutral_spread": neutral_spread, "adversarial": adversarial,
                "n_train": int(len(train_data)), "n_validation": int(len(validation_data))}
    owner = {"settings": settings, "train_data": data_digest(train_data, ("text", "label", "pair")),
             "validation_data": data_digest(validation_data, ("text", "label"))}
    files["model"].parent.mkdir(parents=True, exist_ok=True)
    best, log = (files["backup"].with_name(files["backup"].name + end) for end in (".best.weights.h5", ".epochs.csv"))
    if not claim_backup(files["backup"], json.loads(json.dumps(owner))):  # as read back from the stamp
        best.unlink(missing_ok=True)  # another run's best epoch and log, not to be beaten or continued
        log.unlink(missing_ok=True)
    callbacks = [  # the checkpoint and the log see every epoch before BackupAndRestore records it as done
        keras.callbacks.ModelCheckpoint(str(best), monitor="val_accuracy", mode="max", save_best_only=True,
                                        save_weights_only=True,
                                        initial_value_threshold=_best_so_far(files["backup"], best, log)),
        keras.callbacks.CSVLogger(str(log), append=True),
        AtomicBackupAndRestore(str(files["backup"]), double_checkpoint=True),
        *callbacks,
    ]
    history = fitted.fit(batches, validation_data=validation, epochs=epochs, callbacks=callbacks,
                        steps_per_epoch=steps_per_epoch, shuffle=False, verbose=verbose).history
    fitted.load_weights(str(best))
    best.unlink()
    log.unlink()
    plain = build_model(len(featurizer.vocabulary) + 2, **(model_options or {}))  # no optimizer state in the file
    plain.set_weights(model.get_weights())
    with atomic_path(str(files["model"]), force=force) as tmp:
        plain.save(tmp)
    with atomic_open(str(files["vocabulary"]), force=force) as handle:
        json.dump(featurizer.vocabulary, handle, ensure_ascii=False)
    history = {key: [round(float(v), 5) for v in values] for key, values in history.items()}
    with atomic_open(str(files["card"]), force=force) as handle:
        json.dump({**(card or {}), "settings": settings, "history": history}, handle, indent=2)
    return SentimentClassifier(featurizer, plain), history


def data_digest(table, columns):
    """SHA-256 hex digest of ``table``'s ``columns`` (those it has), row by row in order
    (``pandas.util.hash_pandas_object``, index left out): a training or validation set's identity in a backup's
    owner."""
    present = [column for column in columns if column in table]
    rows = pd.util.hash_pandas_object(table[present], index=False).to_numpy()
    return hashlib.sha256(",".join(present).encode() + rows.tobytes()).hexdigest()


def _best_so_far(backup, best, log):
    """The best validation accuracy of the epochs an interrupted run finished (read from its ``log``, a Keras
    ``CSVLogger`` file), for a resumed run's checkpoint to beat; None for a fresh run, whose stale ``best`` and
    ``log`` (left by a run killed before it backed up an epoch: its ``backup`` holds no checkpoint beside the
    owner's stamp) are removed."""
    if best.is_file() and log.is_file() and any(path.name != STAMP for path in backup.iterdir()):
        epochs = pd.read_csv(log)
        if "val_accuracy" in epochs and epochs["val_accuracy"].notna().any():
            return float(epochs["val_accuracy"].max())
    best.unlink(missing_ok=True)
    log.unlink(missing_ok=True)
    return None


def load_classifier(out):
    """The :class:`SentimentClassifier` of a run written by :func:`train` (a folder or a ``.keras`` file).

    Raises:
        InputError: ``out`` is a file but no ``.keras`` one; the model is not a sentiment classifier (no
            ``embedding`` layer); the vocabulary file is missing, is not a JSON list of tokens, or its size does
            not match the model's embedding.
    """
    if Path(out).is_file() and Path(out).suffix != ".keras":
        raise InputError(f"{out}: not a model: give a run folder or its .keras file")
    files = run_files(out)
    if not files["vocabulary"].is_file():  # checked first: another domain's model may not even load here
        raise InputError(f"{files['model']}: its vocabulary {files['vocabulary']} is missing (not a sentiment "
                         "classifier, or its files were separated)")
    model = load_model(files["model"], compile=True)
    not_vocabulary = f"{files['vocabulary']}: not a vocabulary (a JSON list of tokens)"
    try:
        vocabulary = json.loads(files["vocabulary"].read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{not_vocabulary}: {' '.join(str(error).split())}") from None
    if not isinstance(vocabulary, list) or not all(isinstance(token, str) for token in vocabulary):
        raise InputError(not_vocabulary)
    names = {layer.name for layer in model.layers}
    if "embedding" not in names:
        raise InputError(f"{files['model']}: not a sentiment classifier (no 'embedding' layer); give a run written "
                         "by `python -m domains.sentiment train`")
    expected = model.get_layer("embedding").input_dim  # build_model's vocabulary_size: the tokens, padding and OOV
    if len(vocabulary) + 2 != expected:
        raise InputError(f"{files['vocabulary']}: {len(vocabulary)} tokens, but {files['model']} embeds "
                         f"{expected} ids ({expected - 2} tokens plus padding and out-of-vocabulary): not its "
                         "vocabulary")
    lexicon = any(tensor.name == "lexicon" for tensor in model.inputs)  # a model built with use_lexicon
    return SentimentClassifier(Featurizer(vocabulary, lexicon=lexicon), model)
