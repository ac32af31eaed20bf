"""domains.genomics.windows: tiling covers every base, the tf.data windows carry the right labels, and
stitching puts per-window outputs back onto the genome."""

import numpy as np
import pytest

from domains.genomics.data import Contig, Gene, label_contig, one_hot
from domains.genomics.windows import stitch, tile, window_dataset


def _contigs(rng):
    bases = np.array(list("ACGT"))
    linear = Contig("lin", "".join(rng.choice(bases, 250)) + "NNNN" + "".join(rng.choice(bases, 91)))
    linear.genes = [Gene("lin", ((20, 50),), 1), Gene("lin", ((100, 160),), -1)]
    circular = Contig("circ", "".join(rng.choice(bases, 120)), circular=True)
    circular.genes = [Gene("circ", ((110, 120), (0, 8)), 1)]
    short = Contig("short", "ACGTACG")  # shorter than a window
    return [linear, circular, short]


@pytest.mark.parametrize("window,stride", [(64, 32), (50, 50), (40, 13)])
def test_windows_cover_every_base_and_never_cross_contigs(rng, window, stride):
    contigs = _contigs(rng)
    codes, targets, tilings = tile(contigs, window, stride)
    assert targets["coding"].shape == (len(codes), 2)
    flank, block_end = window // 2, 0
    for contig, tiling in zip(contigs, tilings):
        assert (tiling.contig, tiling.length) == (contig.id, len(contig.sequence))
        bases = codes[tiling.offset:tiling.offset + tiling.length]
        np.testing.assert_array_equal(bases, ["ACGTN".index(base) for base in contig.sequence])
        # the blocks (a contig and its two flanks) follow one another without overlap, and every window lies
        # inside its own contig's block
        assert tiling.offset - flank == block_end
        block_end = tiling.offset + tiling.length + flank
        assert tiling.starts.min() >= tiling.offset - flank
        assert tiling.starts.max() + window <= block_end
        covered = np.zeros(len(codes), bool)
        for start in tiling.starts:
            covered[start:start + window] = True
        assert covered[tiling.offset:tiling.offset + tiling.length].all()
        assert np.diff(tiling.starts).max(initial=0) <= stride
    assert block_end == len(codes)


def test_stitching_window_outputs_restores_each_contig(rng):
    contigs = _contigs(rng)
    dataset, tilings = window_dataset(contigs, window=48, stride=20, batch_size=5, labels=False)
    windows = np.concatenate([np.asarray(batch) for batch in dataset])
    stitched = stitch(windows, tilings, 48)
    for contig in contigs:
        np.testing.assert_array_equal(stitched[contig.id], one_hot(contig.sequence))


def test_dataset_labels_match_label_contig_and_mask_n(rng):
    contigs = _contigs(rng)
    dataset, tilings = window_dataset(contigs, window=48, stride=24, batch_size=100)
    x, y = next(iter(dataset))
    assert x.shape[1:] == (48, 4) and y["coding"].shape[1:] == (48, 2) and y["valid"].shape[1:] == (48,)
    coding = stitch(np.asarray(y["coding"], np.float64), tilings, 48)
    valid = stitch(np.asarray(y["valid"])[..., None], tilings, 48)
    for contig in contigs:
        expected = label_contig(contig)["coding"].T
        np.testing.assert_array_equal(coding[contig.id], expected)
        np.testing.assert_array_equal(valid[contig.id][:, 0], [base != "N" for base in contig.sequence])


def test_circular_windows_read_across_the_origin(rng):
    (circular,) = [c for c in _contigs(rng) if c.circular]
    codes, targets, tilings = tile([circular], window=40, stride=40)
    left_flank = codes[:tilings[0].offset]
    assert "".join("ACGTN"[c] for c in left_flank) == circular.sequence[-len(left_flank):]
    # the wrapped gene's labels continue into the flank
    np.testing.assert_array_equal(targets["coding"][:tilings[0].offset, 0][-10:], label_contig(circular)["coding"][0, -10:])


def test_stride_larger_than_window_is_refused(rng):
    with pytest.raises(ValueError, match="stride"):
        tile(_contigs(rng), window=10, stride=11)
