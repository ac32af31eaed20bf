"""The gene-finding network, its training pipeline and genome-wide prediction, with a tiny model."""

import keras
import numpy as np
import pytest

from domains.genomics.data import Contig, Gene, label_contig, one_hot
from domains.genomics.model import build_gene_model, load_gene_model
from domains.genomics.predict import (
    WINDOW,
    lstm_stride,
    posteriors,
    predict_genes,
    prediction_window,
)
from domains.genomics.train import reverse_complement, training_dataset
from domains.genomics.windows import window_dataset
from shared.cli import InputError

TINY = dict(filters=(8, 8), kernel_sizes=(5, 5), dilation_rates=(1, 2), lstm_units=(8,))


@pytest.fixture
def contigs(rng):
    bases = np.array(list("ACGT"))
    one = Contig("a", "".join(rng.choice(bases, 700)), circular=True)
    one.genes = [Gene("a", ((30, 120),), 1), Gene("a", ((300, 450),), -1)]
    two = Contig("b", "".join(rng.choice(bases, 260)))
    return [one, two]


def test_reverse_complement_of_window_and_labels(contigs):
    contig = contigs[0]
    x = one_hot(contig.sequence)
    labels = {name: np.ascontiguousarray(value.T) for name, value in label_contig(contig).items()}
    rx, rlabels = reverse_complement(x, labels)
    flipped = "".join("ACGT"[i] for i in np.argmax(np.asarray(rx), axis=1))
    assert flipped == contig.sequence.translate(str.maketrans("ACGT", "TGCA"))[::-1]
    np.testing.assert_array_equal(np.asarray(rlabels["coding"])[:, 1], labels["coding"][::-1, 0])
    np.testing.assert_array_equal(np.asarray(rlabels["start"])[:, 0], labels["start"][::-1, 1])
    # read from its own strand, the reverse-strand gene (150 bases) is a forward-strand gene: 1, 2, 3, ...
    forward = np.asarray(rlabels["coding"])[700 - 450:700 - 300, 0]
    assert forward.tolist() == [1, 2, 3] * 50


def test_tiny_model_trains_and_stitches_posteriors_for_both_strands(contigs):
    model = build_gene_model(**TINY)
    data = training_dataset(contigs, window=128, stride=64, batch_size=4, seed=0)
    history = model.fit(data, epochs=4, verbose=0, shuffle=False)  # the dataset shuffles its windows
    assert history.history["loss"][-1] < history.history["loss"][0]
    stitched = posteriors(model, contigs, window=128, stride=96, batch_size=4)
    coding, start = stitched["a"]
    assert coding.shape == (700, 2, 4) and start.shape == (700, 2)
    np.testing.assert_allclose(coding.sum(axis=-1), 1.0, atol=1e-5)
    # a model this small learns no genes (it calls none): the decoding runs on both contigs without an error;
    # calling genes on both strands is checked with the shipped weights (test_genomics_shipped.py)
    predict_genes(model, contigs, window=128, stride=96, batch_size=4)


def test_model_round_trips_through_keras_file(tmp_path, contigs):
    model = build_gene_model(**TINY)
    # one training step first, as a checkpoint is saved: its optimizer state must come back too
    model.fit(training_dataset(contigs, window=128, stride=64, batch_size=4, seed=0).take(1), verbose=0, shuffle=False)
    x = np.asarray(next(iter(window_dataset(contigs, 64, 64, 2, labels=False)[0])))
    before = model.predict(x, verbose=0)
    model.save(tmp_path / "genes.keras")
    loaded = keras.saving.load_model(tmp_path / "genes.keras", safe_mode=True)
    after = loaded.predict(x, verbose=0)
    np.testing.assert_allclose(after["coding"], before["coding"], atol=1e-6)
    np.testing.assert_allclose(after["start"], before["start"], atol=1e-6)
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 1
    assert label_contig(contigs[0])["coding"].shape == (2, 700)


def test_load_gene_model_takes_a_gene_finder_and_names_any_other_model(tmp_path):
    """Found in audit: a churn model given to predict was 'internal error: ValueError: Input 0 ... incompatible'."""
    build_gene_model(**TINY).save(tmp_path / "genes.keras")
    assert set(load_gene_model(tmp_path / "genes.keras").output) == {"coding", "start"}
    inputs = keras.Input((None, 3))
    keras.Model(inputs, keras.layers.Dense(1)(inputs)).save(tmp_path / "other.keras")
    with pytest.raises(InputError, match=r"other.keras: not a gene finder \(one input of one-hot DNA"):
        load_gene_model(tmp_path / "other.keras")


def test_augmentation_flips_about_half_of_the_windows(contigs):
    data = training_dataset(contigs * 20, window=64, stride=64, batch_size=1000, seed=3, augment=True)
    plain = training_dataset(contigs * 20, window=64, stride=64, batch_size=1000, seed=3, augment=False)
    x_aug = np.asarray(next(iter(data))[0])
    x_plain = np.asarray(next(iter(plain))[0])
    originals = {row.tobytes() for row in x_plain}
    share_flipped = np.mean([row.tobytes() not in originals for row in x_aug])
    assert 0.3 < share_flipped < 0.7


def test_strided_lstm_unfolds_back_to_every_base():
    model = build_gene_model(filters=(8,), kernel_sizes=(5,), dilation_rates=(1,), lstm_units=(4,), lstm_stride=3)
    outputs = model.predict(np.random.rand(2, 96, 4).astype("float32"), verbose=0)
    assert outputs["coding"].shape == (2, 96, 2, 4) and outputs["start"].shape == (2, 96, 2)
    np.testing.assert_allclose(outputs["coding"].sum(axis=-1), 1.0, atol=1e-5)


def test_prediction_window_must_be_a_multiple_of_the_lstm_stride(contigs):
    model = build_gene_model(filters=(8,), kernel_sizes=(5,), dilation_rates=(1,), lstm_units=(4,), lstm_stride=3)
    assert lstm_stride(model) == 3 and lstm_stride(build_gene_model(**TINY)) == 1
    with pytest.raises(ValueError, match="window 301 is not a multiple of the model's lstm_stride 3"):
        predict_genes(model, contigs, window=301, stride=256)
    coding, start = posteriors(model, contigs[:1], window=300, stride=256)["a"]
    assert coding.shape == (700, 2, 4) and start.shape == (700, 2)
    with pytest.raises(ValueError, match="contig id 'a' appears twice"):
        posteriors(model, [contigs[0], contigs[0]], window=300, stride=256)


@pytest.mark.parametrize("stride", [5, 7, 6])
def test_default_prediction_window_suits_any_lstm_stride(contigs, stride):
    # train --lstm-stride accepts any stride; predict's windows are WINDOW bases rounded up to a multiple of it
    model = build_gene_model(filters=(8,), kernel_sizes=(5,), dilation_rates=(1,), lstm_units=(4,), lstm_stride=stride)
    window = prediction_window(model)
    assert window % stride == 0 and WINDOW <= window < WINDOW + stride
    assert window == WINDOW if WINDOW % stride == 0 else window > WINDOW  # the shipped stride 6 keeps 3072
    coding, start = posteriors(model, contigs)["a"]
    assert coding.shape == (700, 2, 4) and start.shape == (700, 2)
    predict_genes(model, contigs)  # the default window decodes too, without an error
