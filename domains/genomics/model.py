"""The gene finder's network: ConvFrontEnd -> stacked Bidirectional(GatedLSTM) -> per-position heads.

Input: a window of one-hot DNA, ``(batch, window, 4)`` (A, C, G, T; ``N`` all zero), forward strand only.
Outputs, for both strands at once (axis 2: 0 forward, 1 reverse):

- ``"coding"``: ``(batch, window, 2, 4)`` softmax over {non-coding, codon position 1, 2, 3};
- ``"start"``: ``(batch, window, 2)`` sigmoid, the probability that a base belongs to a true start codon.

Why both strands from one forward pass: a reverse-strand gene is the reverse complement of what the network
reads, and everything that identifies it (stop codons as TTA/CTA/TCA, start codons as CAT/CAC/CAA read
backwards, the RBS downstream) is visible on the forward sequence, to a bidirectional LSTM as easily as the
forward-strand signals; one pass costs half of running the network on both strands. The training pipeline
adds the other half of the symmetry: each window is reverse-complemented at random (strands swapped and
reversed in the labels), so the network learns one rule for both strands.

The convolutional front-end reads local signals (codons, the Shine-Dalgarno motif, 3-base periodicity) with
dilated, residual ``Conv1D`` blocks; the BiLSTM carries context along the window in both directions (a start
is more credible when an in-frame stop follows hundreds of bases later).
"""

from __future__ import annotations

import keras

from shared.layers import ConvFrontEnd, GatedLSTM


def build_gene_model(
    filters=(64, 64, 64),
    kernel_sizes=(9, 9, 9),
    dilation_rates=(1, 2, 4),
    lstm_units=(64,),
    lstm_stride=1,
    dropout=0.1,
    learning_rate=1e-3,
):
    """A compiled gene-finding model (see the module docstring).

    Args:
        filters, kernel_sizes, dilation_rates: the ConvFrontEnd blocks.
        lstm_units: one ``Bidirectional(GatedLSTM(units))`` layer per entry.
        lstm_stride: the BiLSTM runs on every ``lstm_stride``-th step: a strided ``Conv1D`` pools the front-end's
            features into blocks of that many bases, and after the BiLSTM each block is unfolded back into its
            bases (a ``Dense`` to ``lstm_stride`` times the width, reshaped: a learned 1-D pixel shuffle) and
            joined with the front-end's per-base features. With 3, one LSTM step per codon: a third of the
            recurrent work. Windows must then be a multiple of ``lstm_stride`` long.
        dropout: dropout before the heads.
        learning_rate: Adam's learning rate.

    Returns:
        A ``keras.Model`` named ``gene_finder`` with outputs ``{"coding", "start"}``, compiled with sparse
        categorical cross-entropy on ``coding`` and binary cross-entropy on ``start``; per-position sample
        weights (0 on ``N`` and padding) are expected, as :func:`domains.genomics.train.training_dataset`
        gives them. Layers to look inside by name: ``"front_end"`` (the ConvFrontEnd, per base), ``"pool"``
        (the strided ``Conv1D``, one step per ``lstm_stride`` bases; absent with ``lstm_stride=1``) and
        ``"bilstm_0"``, ``"bilstm_1"``, ... (the ``Bidirectional(GatedLSTM)`` layers: give
        :func:`shared.layers.gate_activations` one of them and its input, e.g. ``"pool"``'s output, for its gates).
    """
    inputs = keras.Input((None, 4), name="dna")
    local = ConvFrontEnd(list(filters), list(kernel_sizes), list(dilation_rates), name="front_end")(inputs)
    hidden = local
    if lstm_stride > 1:
        hidden = keras.layers.Conv1D(filters[-1], lstm_stride, strides=lstm_stride, name="pool")(hidden)
    for index, units in enumerate(lstm_units):
        hidden = keras.layers.Bidirectional(
            GatedLSTM(units, return_sequences=True), name=f"bilstm_{index}"
        )(hidden)
    if lstm_stride > 1:
        width = 2 * lstm_units[-1]
        hidden = keras.layers.Dense(lstm_stride * width, name="unfold")(hidden)
        hidden = keras.layers.Reshape((-1, width))(hidden)
        hidden = keras.layers.Concatenate()([hidden, local])
    hidden = keras.layers.Dropout(dropout)(hidden)
    coding = keras.layers.Dense(8, name="coding_logits")(hidden)
    coding = keras.layers.Reshape((-1, 2, 4))(coding)
    coding = keras.layers.Softmax(axis=-1, name="coding")(coding)
    start = keras.layers.Dense(2, activation="sigmoid", name="start")(hidden)
    model = keras.Model(inputs, {"coding": coding, "start": start}, name="gene_finder")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
        loss={"coding": "sparse_categorical_crossentropy", "start": "binary_crossentropy"},
    )
    return model


#: What a gene finder takes and gives (:func:`build_gene_model`), in the words of :func:`check_gene_model`.
GENE_FINDER = ("one input of one-hot DNA (batch, window, 4) and the outputs 'coding' (batch, window, 2, 4) and "
               "'start' (batch, window, 2)")


def check_gene_model(model):
    """``model``, checked to be a gene finder as :func:`build_gene_model` builds one (:data:`GENE_FINDER`): one
    input ``(batch, window, 4)`` and the outputs ``{"coding": (batch, window, 2, 4), "start": (batch, window, 2)}``
    (any window), which the prediction functions (:mod:`domains.genomics.predict`) read.

    Raises:
        ValueError: another model (or not a Keras model): the message says what a gene finder has and what
            ``model`` has instead, e.g. ``its output: (None, None, 3)``.
    """
    mismatch = _gene_model_mismatch(model)
    if mismatch:
        raise ValueError(f"not a gene finder ({GENE_FINDER} expected; {mismatch})")
    return model


def _gene_model_mismatch(model):
    """What ``model`` has where a gene finder has :data:`GENE_FINDER`, in words, or None when it fits."""
    if not isinstance(model, keras.Model):
        return f"got {type(model).__name__}, not a Keras model"
    try:
        inputs, outputs = model.inputs, model.output
    except AttributeError:  # a subclassed model, or a Sequential one not built yet
        return "it has no defined inputs and outputs (build it from keras.Input)"
    if len(inputs) != 1 or len(inputs[0].shape) != 3 or inputs[0].shape[-1] != 4:
        return f"its input{'s' if len(inputs) != 1 else ''}: {_shapes(inputs)}"
    if not isinstance(outputs, dict) or set(outputs) != {"coding", "start"}:
        return f"its output{'s' if isinstance(outputs, (dict, list, tuple)) else ''}: {_shapes(outputs)}"
    coding, start = tuple(outputs["coding"].shape), tuple(outputs["start"].shape)
    if len(coding) != 4 or coding[2:] != (2, 4) or len(start) != 3 or start[2] != 2:
        return f"its outputs: {_shapes(outputs)}"
    return None


def _shapes(tensors):
    """The shapes of a tensor, a list of them or a dict of them (by name), as text: ``'coding' (None, None, 4)``."""
    if isinstance(tensors, dict):
        return ", ".join(f"{name!r} {tuple(tensor.shape)}" for name, tensor in tensors.items())
    if isinstance(tensors, (list, tuple)):
        return ", ".join(str(tuple(tensor.shape)) for tensor in tensors)
    return str(tuple(tensors.shape))


def load_gene_model(path):
    """A gene finder from a ``.keras`` file (:func:`shared.safe_load.load_model`, ``safe_mode=True``), checked to
    be one (:func:`check_gene_model`): one input of one-hot DNA ``(batch, window, 4)`` and the outputs
    ``{"coding": (batch, window, 2, 4), "start": (batch, window, 2)}``.

    Raises:
        InputError: the file cannot be loaded, or holds another kind of model (e.g. a churn or ecology one).
    """
    from shared.cli import InputError
    from shared.safe_load import load_model

    model = load_model(path)
    try:
        return check_gene_model(model)
    except ValueError as error:
        raise InputError(f"{path}: {error}; give a model written by `python -m domains.genomics train`") from None
