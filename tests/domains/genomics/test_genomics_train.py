"""Training pipeline options: endless reshuffled windows for subsampled epochs, and MirroredStrategy."""

import json

import keras
import numpy as np
import pytest

from domains.genomics.data import read_genome, sub_contig
from domains.genomics.gff3 import write_gff3
from domains.genomics.train import train_gene_model, training_dataset
from domains.genomics.windows import tile
from shared.cli import InputError
from shared.data_paths import bundled
from shared.distribute import strategy_scope

TINY = {"filters": (8,), "kernel_sizes": (5,), "dilation_rates": (1,), "lstm_units": (4,), "lstm_stride": 3}


@pytest.fixture(scope="module")
def piece(tmp_path_factory):
    """The bundled genome's first 8 kb as FASTA + GFF3 (its annotated genes)."""
    folder = tmp_path_factory.mktemp("train")
    (genome,) = read_genome(bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz"))
    contig = sub_contig(genome, 0, 8_000)
    (folder / "piece.fa").write_text(f">{contig.id}\n{contig.sequence}\n")
    write_gff3(folder / "piece.gff3", [contig], contig.genes)
    return contig, folder


def test_repeat_gives_endless_reshuffled_windows(piece):
    contig, _ = piece
    one_pass = sum(int(x.shape[0]) for x, _, _ in training_dataset([contig], window=960, stride=960, batch_size=4))
    # 8,000 bases and 480 flanking N on each side, windows every 960 bases, the last aligned to the end
    assert one_pass == len(tile([contig], 960, 960, labels=False)[2][0].starts) == 10
    endless = training_dataset([contig], window=960, stride=960, batch_size=4, repeat=True)
    batches = [x.numpy() for x, _, _ in endless.take(8)]
    assert sum(len(b) for b in batches) == 32
    # 32 windows: three whole passes over the 10 (each window forward or reverse-complemented) and two more
    distinct = {b.tobytes() for batch in batches for b in batch}
    assert 10 <= len(distinct) <= 20


def test_mirrored_training_with_subsampled_epochs(piece, tmp_path):
    _, folder = piece
    out = tmp_path / "model.keras"
    card = train_gene_model([(folder / "piece.fa", folder / "piece.gff3")], out, epochs=2, window=384, stride=192,
                            batch_size=4, windows_per_epoch=8, distribute="mirrored", model_options=TINY, verbose=0)
    assert len(card["history"]["loss"]) == 2 and all(np.isfinite(card["history"]["loss"]))
    assert card["windows_per_epoch"] == 8 and card["distribute"] == "mirrored"
    assert card["training_genomes"][0]["annotation"] == "piece.gff3"
    assert json.loads((tmp_path / "model.json").read_text())["model_options"]["lstm_stride"] == 3
    model = keras.saving.load_model(out, safe_mode=True)
    assert model.predict(np.zeros((1, 384, 4), "float32"), verbose=0)["coding"].shape == (1, 384, 2, 4)


def test_unknown_strategy_is_bad_input_and_none_is_one_device():
    import tensorflow as tf

    with pytest.raises(InputError, match="--distribute: 'tpu' is not supported \\(use 'none' or 'mirrored'\\)"):
        strategy_scope("tpu")
    for one_device in (None, "none"):  # the library's default and the command line's
        with strategy_scope(one_device):
            assert tf.distribute.get_strategy().num_replicas_in_sync == 1


def test_genomes_must_be_a_list_of_files_not_one_path_or_contigs(tmp_path):
    """A bare path was read character by character (IsADirectoryError: '/'); Contigs failed in shared.atomic."""
    gb = str(bundled("genomics", "Streptococcus_pyogenes_M1_GAS.gb.gz"))
    out = tmp_path / "model.keras"
    with pytest.raises(TypeError, match=r"genomes: expected a list of genome files, got str: pass a list, such as \["):
        train_gene_model(gb, out, model_options=TINY, verbose=0)
    with pytest.raises(TypeError, match=r"genomes\[0\]: expected a genome file .* got Contig"):
        train_gene_model(read_genome(gb), out, model_options=TINY, verbose=0)
    with pytest.raises(TypeError, match="validation: expected a list of genome files, got PosixPath"):
        train_gene_model([gb], out, validation=tmp_path / "v.gb", model_options=TINY, verbose=0)
    assert not out.exists()
