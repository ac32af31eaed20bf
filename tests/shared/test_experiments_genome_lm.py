"""Claim 5: strand views and labels, boundary sites, tiling, the next-base loss, and a tiny end-to-end run."""

import numpy as np
import pandas as pd
import pytest

from domains.genomics.data import Contig, Gene, encode, label_contig
from shared.experiments import EXPERIMENTS
from shared.experiments import genome_language_model as glm


def _contig_with_reverse_gene():
    # a reverse-strand gene on forward positions 10..27: read on its own strand it is ATG AAA CCC GGG TTT TAA
    gene_on_its_strand = "ATGAAACCCGGGTTTTAA"
    forward = "".join({"A": "T", "C": "G", "G": "C", "T": "A"}[b] for b in reversed(gene_on_its_strand))
    sequence = "C" * 10 + forward + "G" * 12
    return Contig("toy", sequence, genes=[Gene("toy", ((10, 28),), -1, id="g1")])


def test_strand_view_reads_a_reverse_gene_forwards():
    contig = _contig_with_reverse_gene()
    codes, labels = encode(contig.sequence), label_contig(contig)
    view_codes, view_labels = glm.strand_view(codes, labels, -1)
    start = len(contig) - 28  # the gene's first base in the reverse view
    assert "".join("ACGT"[c] for c in view_codes[start:start + 18]) == "ATGAAACCCGGGTTTTAA"
    np.testing.assert_array_equal(glm.frame_classes(view_labels)[start:start + 6], [1, 2, 3, 1, 2, 3])
    np.testing.assert_array_equal(glm.frame_classes(labels)[10:16], [6, 5, 4, 6, 5, 4])  # opposite strand
    assert view_labels["stop"][0, start + 15:start + 18].all() and view_labels["start"][0, start:start + 3].all()
    back_codes, back_labels = glm.strand_view(view_codes, view_labels, -1)
    np.testing.assert_array_equal(back_codes, codes)
    np.testing.assert_array_equal(back_labels["coding"], labels["coding"])


def test_gene_end_sites_are_stop_triplets_and_balanced():
    contig = _contig_with_reverse_gene()
    codes, labels = glm.strand_view(encode(contig.sequence), label_contig(contig), -1)
    ends = glm.triplet_ends(codes, glm.STOPS, 0, len(codes))
    for t in ends:
        assert "".join("ACGT"[c] for c in codes[t - 2:t + 1]) in glm.STOPS
    positions, is_end = glm.boundary_sites(codes, labels, "gene_end", 0, len(codes), np.random.default_rng(0))
    gene_stop = len(contig) - 28 + 17
    assert gene_stop in positions[is_end] and is_end.sum() == 1 and len(positions) == 2


def test_states_at_reads_the_kept_part_of_the_right_tile():
    starts = glm.tile_starts(100, 1000, tile=200, burn=50)
    states = (starts[:, None] + np.arange(200))[..., None].astype(float)  # each state holds its own position
    positions = np.array([150, 349, 350, 351, 899])
    np.testing.assert_array_equal(glm.states_at(states, starts, 50, 200, positions)[:, 0], positions)
    with pytest.raises(ValueError):
        glm.states_at(states, starts, 50, 200, np.array([120]))  # inside the first tile's burn-in


def test_next_base_loss_of_a_silent_head_is_log_4():
    import keras

    model = glm.build_language_model(4, 1e-3, seed=0)
    model.get_layer("next_base").set_weights([np.zeros((4, 4)), np.zeros(4)])
    states = np.random.default_rng(0).normal(size=(3, 7, 4))
    following = np.random.default_rng(1).integers(0, 4, size=(3, 7))
    assert glm.next_base_loss(model, states, following) == pytest.approx(np.log(4))
    assert isinstance(model, keras.Model)


def test_tiny_run_learns_the_genome_and_probes_above_chance():
    config = glm.Settings(units=8, window=40, steps=60, learning_rate=1e-2, tile=200, burn=50,
                          held_out_bases=40_000, stride=5, probe_seeds=1)
    table, losses = glm.measure(config, seed=0)
    assert len(table) == 9 and set(table["task"]) == set(glm.TASKS)
    loss = table.groupby("representation")["heldout_loss_nats"].first()
    assert loss["trained"] < loss["untrained"] and loss["trained"] < np.log(4)  # it learned something
    scores = table.set_index(["representation", "task"])
    assert scores.loc[("trained", "gene_end"), "chance"] == pytest.approx(0.5, abs=0.15)
    # local sequence carries coding-frame information: a real signal, well above the majority class
    assert scores.loc[("last_12_bases", "frame"), "accuracy"] > scores.loc[("last_12_bases", "frame"), "chance"] + 0.1
    held, summary = glm.verdict(table)
    assert isinstance(held, bool) and "frame" in summary


def test_verdict_needs_the_trained_model_to_beat_the_untrained_one():
    def table(trained_frame):
        rows = []
        for rep, frame, end, start in (("trained", trained_frame, 0.8, 0.8), ("untrained", 0.30, 0.6, 0.7),
                                       ("last_12_bases", 0.4, 0.7, 0.8)):
            tasks = (("frame", frame, 0.14), ("gene_end", end, 0.5), ("gene_start_opposite", start, 0.5))
            for task, acc, chance in tasks:
                rows.append({"representation": rep, "task": task, "accuracy": acc, "chance": chance})
        return pd.DataFrame(rows)

    assert glm.verdict(table(0.45))[0]
    assert not glm.verdict(table(0.32))[0]  # above twice chance, but not 0.05 above the untrained network


def test_registered_under_its_name():
    assert EXPERIMENTS["genome_lm"] is glm.EXPERIMENT


def test_summary_reports_the_measured_gene_end_chance():
    rows = [{"representation": rep, "task": task, "accuracy": 0.8, "chance": 0.53 if task == "gene_end" else 0.2}
            for rep in ("trained", "untrained", "last_12_bases") for task in glm.TASKS]
    _, summary = glm.verdict(pd.DataFrame(rows))
    assert "chance 0.530" in summary


def test_probe_splits_follow_the_seeds_given():
    rng = np.random.default_rng(0)
    states = rng.normal(size=(300, 4))
    target = (states[:, 0] + rng.normal(size=300) > 0).astype(int)
    args = {"trained": {"gene_end": states}}, {"gene_end": target}
    one, other, both = (glm.probe_scores(*args, seeds)["accuracy"].iloc[0] for seeds in ([0], [1], [0, 1]))
    assert one != other and both == pytest.approx((one + other) / 2)


def test_sites_stream_is_not_a_training_block_stream():
    # numpy seeds [seed, 7] and [seed, 7, 0] alike: sites drawn from [seed, 7] repeated training block 7's windows
    sites = glm.sites_rng(0).random(4)
    assert all(not np.array_equal(glm.block_rng(0, block).random(4), sites) for block in range(200))
