"""Claim 5: a GatedLSTM trained only to predict the next base of a genome learns where the genes and their frames are.

Data: the bundled *Streptococcus pyogenes* M1 GAS genome (``datasets/genomics``, 1.85 Mb), read and labelled
with :mod:`domains.genomics.data` (Biopython). Its CDS are RASTtk's calls made by Prodigal and Glimmer3, not
experimentally verified genes: good enough as probe labels (a probe asks what the states encode, not whether
the annotation is right), but the probe scores inherit the gene finders' errors, start codons most of all.

- Language model: one-hot bases -> :class:`~shared.layers.GatedLSTM` -> ``Dense(4)`` logits of the next base,
  trained with cross-entropy on random windows from the first ``train_fraction`` of the genome, each read on
  a random strand (no labels are ever used). The *untrained* network is the same model with its initial weights.
- Probes (:func:`shared.probes.linear_probe`, scaled logistic regression) read the hidden state ``h_t`` after
  base ``t`` of the held-out rest of the genome, which the model never saw, read along both strands (a
  :func:`strand_view` turns the reverse strand into a forward one, labels included, so "same strand" below
  means the strand being read); states come from tiles of ``tile`` bases run from a zero state, the first
  ``burn`` steps of each discarded.

  - ``frame``: 7 classes per base: non-coding, codon position 1/2/3 of a gene on the strand being read, or
    1/2/3 of a gene on the opposite strand (positions every ``stride`` bases; split by tile, so neighbouring
    bases never straddle the split). Chance: the majority class.
  - ``gene_end``: at every stop triplet (TAA, TAG, TGA ending at ``t``): is it an annotated gene's stop codon,
    or just a stop triplet out of frame or between genes? Balanced by sampling as many non-ends as ends:
    chance 0.5.
  - ``gene_start_opposite``: at every CAT, CAC or CAA ending at ``t`` (a start codon of the opposite strand):
    is it the start of an annotated opposite-strand gene, whose whole body the network has just read? Balanced.

- Baselines with the same probe: the majority class (``chance``) and the one-hot of the last ``kmer`` bases
  (``4 * kmer`` features: what a linear model can get from local sequence alone).

Claim 5 puts this experiment in ``shared`` but its data and labels are the genomics domain's; the one import of
:mod:`domains.genomics.data` is inside :func:`load_genome`, so ``import shared`` never loads ``domains``.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from shared.experiments.base import Experiment, Result, run_seeds

GENOME = "Streptococcus_pyogenes_M1_GAS.gb.gz"
TASKS = ("frame", "gene_end", "gene_start_opposite")
STOPS = ("TAA", "TAG", "TGA")
OPPOSITE_STARTS = ("CAT", "CAC", "CAA")  # ATG, GTG, TTG on the opposite strand, read on this one

CLAIM = (
    "A genome language model (in the spirit of character-level LSTM language models whose units turn out to "
    "track interpretable structure, Karpathy, Johnson & Fei-Fei 2015, 'Visualizing and understanding recurrent "
    "networks'; and of unsupervised genomic language models such as Benegas et al. 2023, GPN): a GatedLSTM "
    "trained only to predict the next base of a bacterial genome, with no labels, develops hidden states from "
    "which a linear probe recovers the coding frame and the gene boundaries far above chance, on a part of the "
    "genome it never saw, while the same probe on the untrained network recovers much less."
)
CRITERION = (
    "On the held-out part of the genome, the probe on the trained model's hidden states reaches (a) on the "
    "7-class frame task an accuracy at least twice the majority-class rate and at least 0.05 above the same "
    "probe on the untrained network, and (b) on the balanced gene-end task (is this stop triplet, read on either "
    "strand, an annotated gene's stop codon?) an accuracy of at least 0.70 and at least 0.05 above the untrained "
    "network. "
    "The last-k-bases baseline is reported beside them and is not part of the criterion."
)


@dataclass(frozen=True)
class Settings:
    """``units``: LSTM width; ``window``, ``batch``, ``steps``, ``learning_rate``: Adam on random windows of the
    training part (first ``train_fraction`` of the genome); ``tile``, ``burn``: state extraction on the held-out
    part (``held_out_bases`` of it, from its start; ``None`` for all); ``stride``: frame positions sampled per
    tile; ``kmer``: bases in the local baseline; ``probe_seeds``: probe splits averaged (seeded by
    :func:`~shared.experiments.base.run_seeds`, so the splits change with the experiment's seed)."""

    units: int = 96
    window: int = 128
    batch: int = 32
    steps: int = 4000
    learning_rate: float = 3e-3
    train_fraction: float = 0.6
    tile: int = 800
    burn: int = 200
    held_out_bases: int | None = None
    stride: int = 17
    kmer: int = 12
    probe_seeds: int = 2


def settings(quick: bool) -> Settings:
    """The full or the quick (CI-sized) :class:`Settings`."""
    if quick:
        return Settings(units=32, window=80, steps=150, learning_rate=1e-2, tile=400, burn=100,
                        held_out_bases=120_000, stride=7, probe_seeds=1)
    return Settings()


def load_genome() -> tuple[np.ndarray, dict]:
    """``(codes (L,) uint8 A=0 C=1 G=2 T=3 N=4, labels)`` of the bundled genome; ``labels`` as
    :func:`domains.genomics.data.label_contig` (``coding``, ``start``, ``stop``, each ``(2, L)``)."""
    from domains.genomics.data import encode, label_contig, read_genome

    from shared.data_paths import bundled

    contig = read_genome(bundled("genomics", GENOME))[0]
    return encode(contig.sequence), label_contig(contig)


def strand_view(codes: np.ndarray, labels: dict, strand: int) -> tuple[np.ndarray, dict]:
    """The genome read along ``strand``: ``(codes, labels)`` as from :func:`load_genome` for ``strand=1``; for
    ``strand=-1`` the reverse complement, with the labels' strand axis swapped and positions reversed, so that
    index 0 of every label is the strand being read. Position ``i`` of the reverse view is base ``L - 1 - i``."""
    if strand == 1:
        return codes, labels
    complement = np.array([3, 2, 1, 0, 4], np.uint8)[codes[::-1]]
    return complement, {name: values[::-1, ::-1] for name, values in labels.items()}


def frame_classes(labels: dict) -> np.ndarray:
    """``(L,)`` int8: 0 non-coding, 1-3 codon position of a gene on the strand being read (label index 0),
    4-6 of a gene on the opposite strand (the strand being read wins where genes on both overlap)."""
    same, opposite = labels["coding"][0], labels["coding"][1]
    return np.where(same > 0, same, np.where(opposite > 0, opposite + 3, 0)).astype(np.int8)


def triplet_ends(codes: np.ndarray, triplets, begin: int, end: int) -> np.ndarray:
    """Positions ``t`` in ``[begin + 2, end)`` where ``codes[t - 2 : t + 1]`` spells one of ``triplets``."""
    lookup = {"A": 0, "C": 1, "G": 2, "T": 3}
    wanted = [16 * lookup[a] + 4 * lookup[b] + lookup[c] for a, b, c in triplets]
    window = codes[begin:end].astype(np.int64)
    value = 16 * window[:-2] + 4 * window[1:-1] + window[2:]
    valid = (window[:-2] < 4) & (window[1:-1] < 4) & (window[2:] < 4)
    return np.flatnonzero(np.isin(value, wanted) & valid) + begin + 2


def boundary_sites(codes: np.ndarray, labels: dict, task: str, begin: int, end: int,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Balanced ``(positions, is_boundary)`` for ``"gene_end"`` or ``"gene_start_opposite"`` in ``[begin, end)``.

    All candidate triplets that are annotated boundaries, and as many others drawn at random without
    replacement; positions ascending. ``gene_end``: the stop triplet is the stop codon of a gene on the strand
    being read (its last base has codon position 3 and a stop label). ``gene_start_opposite``: the CAT/CAC/CAA
    is the start codon of a gene on the opposite strand (its last base, the codon's first on that strand, has
    codon position 1 and a start label).
    """
    if task == "gene_end":
        sites = triplet_ends(codes, STOPS, begin, end)
        positive = labels["stop"][0, sites] & (labels["coding"][0, sites] == 3)
    elif task == "gene_start_opposite":
        sites = triplet_ends(codes, OPPOSITE_STARTS, begin, end)
        positive = labels["start"][1, sites] & (labels["coding"][1, sites] == 1)
    else:
        raise ValueError(f"unknown boundary task {task!r}")
    ends, others = sites[positive], sites[~positive]
    others = rng.choice(others, size=min(len(ends), len(others)), replace=False)
    positions = np.concatenate([ends, others])
    order = np.argsort(positions)
    return positions[order], np.concatenate([np.ones(len(ends), bool), np.zeros(len(others), bool)])[order]


def build_language_model(units: int, learning_rate: float, seed: int):
    """A compiled next-base model: ``(batch, time, 4)`` one-hot -> ``GatedLSTM`` (layer ``"lstm"``) ->
    ``(batch, time, 4)`` logits, sparse categorical cross-entropy from logits; weights seeded by ``seed``."""
    import keras

    from shared.layers import GatedLSTM

    bases = keras.Input((None, 4), name="bases")
    hidden = GatedLSTM(units, return_sequences=True, name="lstm",
                       kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
                       recurrent_initializer=keras.initializers.Orthogonal(seed=seed + 1))(bases)
    logits = keras.layers.Dense(4, name="next_base",
                                kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 2))(hidden)
    model = keras.Model(bases, logits, name="genome_lm")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def one_hot(codes: np.ndarray) -> np.ndarray:
    """``codes`` ``(...)`` uint8 -> ``(..., 4)`` float32 one-hot; ``N`` (4) is all zeros."""
    return np.eye(5, 4, dtype=np.float32)[codes]


def random_windows(views: list, regions: list, window: int, count: int, rng: np.random.Generator):
    """``(x (count, window, 4) one-hot, y (count, window) next-base codes)``: each window from a random one of
    ``views`` (code arrays), at a random place inside that view's ``(begin, end)`` region."""
    view = rng.integers(0, len(views), size=count)
    begins, ends = np.array([r[0] for r in regions]), np.array([r[1] for r in regions])
    starts = rng.integers(begins[view], ends[view] - window - 1)
    stacked = np.stack(views)
    chunk = stacked[view[:, None], starts[:, None] + np.arange(window + 1)]
    return one_hot(chunk[:, :-1]), chunk[:, 1:].astype(np.int32)


def block_rng(seed: int, block: int) -> np.random.Generator:
    """The generator of training block ``block``'s windows: seed ``[seed, block]``."""
    return np.random.default_rng([seed, block])


def sites_rng(seed: int) -> np.random.Generator:
    """The generator of the held-out sites sampled for the probes: seed ``[seed, 0, 1]``, which no training block's
    ``[seed, block]`` (numpy: the same as ``[seed, block, 0]``) can equal."""
    return np.random.default_rng([seed, 0, 1])


def train_language_model(model, views: list, regions: list, config: Settings, seed: int) -> list[float]:
    """Trains ``model`` on fresh random windows (:func:`random_windows`) of the training ``regions`` of both
    strand ``views``, ``config.steps`` Adam steps; each block of 100 steps draws new windows from
    :func:`block_rng` ``(seed, block)``. Returns the mean training loss (nats) of every block."""
    losses = []
    for block, first in enumerate(range(0, config.steps, 100)):
        steps = min(100, config.steps - first)
        rng = block_rng(seed, block)
        x, y = random_windows(views, regions, config.window, steps * config.batch, rng)
        history = model.fit(x, y, batch_size=config.batch, epochs=1, shuffle=False, verbose=0)
        losses.append(float(history.history["loss"][0]))
    return losses


def tile_starts(begin: int, end: int, tile: int, burn: int) -> np.ndarray:
    """Starts of tiles of ``tile`` bases over ``[begin, end)`` whose kept parts (after ``burn``) abut."""
    return np.arange(begin, end - tile + 1, tile - burn)


def hidden_states(model, codes: np.ndarray, starts: np.ndarray, tile: int, batch: int = 64) -> np.ndarray:
    """``(len(starts), tile, units)`` hidden states of ``model``'s ``"lstm"`` layer over ``codes[s : s + tile]``
    for each start ``s``, from a zero state."""
    import keras

    encoder = keras.Model(model.inputs, model.get_layer("lstm").output)
    x = one_hot(codes[starts[:, None] + np.arange(tile)])
    return encoder.predict(x, batch_size=batch, verbose=0)


def next_base_loss(model, states: np.ndarray, following: np.ndarray) -> float:
    """Mean cross-entropy (nats) of ``model``'s next-base head on ``states`` ``(..., units)`` against the
    bases that follow them, ``following`` ``(...)`` codes (``N`` excluded)."""
    kernel, bias = model.get_layer("next_base").get_weights()
    logits = states.astype(np.float64) @ kernel + bias
    logits -= logits.max(axis=-1, keepdims=True)
    log_p = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    known = following < 4
    return float(-np.take_along_axis(log_p, np.minimum(following, 3)[..., None], axis=-1)[..., 0][known].mean())


def states_at(states: np.ndarray, starts: np.ndarray, burn: int, tile: int, positions: np.ndarray) -> np.ndarray:
    """Rows of ``states`` ``(tiles, tile, d)`` for genome ``positions``: each from the tile whose kept part
    (steps ``burn..tile-1``) holds it; ``(len(positions), d)``."""
    index = np.searchsorted(starts + burn, positions, side="right") - 1
    offset = positions - starts[index]
    if np.any(index < 0) or np.any(offset >= tile):
        raise ValueError("a position lies outside the kept parts of the tiles")
    return states[index, offset]


def local_features(codes: np.ndarray, positions: np.ndarray, k: int) -> np.ndarray:
    """One-hot of the ``k`` bases ending at each position: ``positions.shape + (4 k,)`` float32."""
    return one_hot(codes[positions[..., None] - np.arange(k)]).reshape(positions.shape + (4 * k,))


def probe_scores(features: dict, targets: dict, seeds: list[int]) -> pd.DataFrame:
    """Mean held-out probe accuracy over the probe splits seeded by ``seeds`` for every representation and task.

    Args:
        features: ``{representation: {task: states}}``, states ``(n, t, d)`` (split by row) or ``(n, d)``.
        targets: ``{task: target}`` matching the states' leading shape.

    Returns:
        One row per representation and task: ``accuracy``, ``accuracy_sd`` (over seeds), ``chance``,
        ``n_train``, ``n_test``.
    """
    from shared.probes import linear_probe

    rows = []
    for representation, by_task in features.items():
        for task, states in by_task.items():
            results = [linear_probe(states, targets[task], kind="classification", seed=s) for s in seeds]
            scores = [r.score for r in results]
            rows.append({"representation": representation, "task": task, "accuracy": float(np.mean(scores)),
                         "accuracy_sd": float(np.std(scores)), "chance": float(np.mean([r.chance for r in results])),
                         "n_train": results[0].n_train, "n_test": results[0].n_test})
    return pd.DataFrame(rows)


def measure(config: Settings, seed: int) -> tuple[pd.DataFrame, list[float]]:
    """Trains the language model and probes it, its untrained twin and the local baseline, on both strands.

    Returns:
        ``(table, losses)``: :func:`probe_scores`' table plus ``heldout_loss_nats``, each network's next-base
        loss on the held-out tiles; ``losses`` the training-loss curve (one value per 100 steps).
    """
    import keras

    codes, labels = load_genome()
    length = len(codes)
    split = int(config.train_fraction * length)
    end = length if config.held_out_bases is None else min(length, split + config.held_out_bases)
    views = [strand_view(codes, labels, strand) for strand in (1, -1)]
    # forward coordinates [0, split) are the training part; in the reverse view they are [length - split, length)
    train_regions = [(0, split), (length - split, length)]
    held_out_regions = [(split, end), (length - end, length - split)]

    keras.utils.set_random_seed(seed)
    model = build_language_model(config.units, config.learning_rate, seed)
    untrained = build_language_model(config.units, config.learning_rate, seed)
    untrained.set_weights(model.get_weights())
    losses = train_language_model(model, [view[0] for view in views], train_regions, config, seed)

    kept = np.arange(config.burn, config.tile, config.stride)
    rng = sites_rng(seed)
    parts = {name: {task: [] for task in TASKS} for name in ("trained", "untrained", f"last_{config.kmer}_bases")}
    targets = {task: [] for task in TASKS}
    losses_by_view = {"trained": [], "untrained": []}
    for (view_codes, view_labels), (begin, stop) in zip(views, held_out_regions):
        starts = tile_starts(begin, stop, config.tile, config.burn)
        frame_positions = starts[:, None] + kept
        covered = (starts[0] + config.burn, starts[-1] + config.tile)  # the tiles' kept parts
        sites = {task: boundary_sites(view_codes, view_labels, task, *covered, rng) for task in TASKS[1:]}
        targets["frame"].append(frame_classes(view_labels)[frame_positions])
        for task in TASKS[1:]:
            targets[task].append(sites[task][1])
        for name, network in (("trained", model), ("untrained", untrained)):
            states = hidden_states(network, view_codes, starts, config.tile)
            parts[name]["frame"].append(states[:, kept])
            for task in TASKS[1:]:
                parts[name][task].append(states_at(states, starts, config.burn, config.tile, sites[task][0]))
            following = view_codes[starts[:, None] + np.arange(config.burn + 1, config.tile + 1)]
            losses_by_view[name].append(next_base_loss(network, states[:, config.burn:], following))
        local = parts[f"last_{config.kmer}_bases"]
        local["frame"].append(local_features(view_codes, frame_positions, config.kmer))
        for task in TASKS[1:]:
            local[task].append(local_features(view_codes, sites[task][0], config.kmer))
    features = {name: {task: np.concatenate(arrays) for task, arrays in by_task.items()}
                for name, by_task in parts.items()}
    table = probe_scores(features, {task: np.concatenate(arrays) for task, arrays in targets.items()},
                         run_seeds(seed, config.probe_seeds))
    table["heldout_loss_nats"] = table["representation"].map({k: float(np.mean(v)) for k, v in losses_by_view.items()})
    table["train_steps"] = config.steps
    table["units"] = config.units
    return table, losses


def verdict(table: pd.DataFrame) -> tuple[bool, str]:
    """Applies :data:`CRITERION` to a :func:`measure` table: ``(held, summary)``."""
    score = table.set_index(["representation", "task"])["accuracy"]
    chance = table.set_index(["representation", "task"])["chance"]
    local = next(r for r in table["representation"].unique() if r.startswith("last_"))
    frame_ok = (score["trained", "frame"] >= 2 * chance["trained", "frame"]
                and score["trained", "frame"] >= score["untrained", "frame"] + 0.05)
    end_ok = (score["trained", "gene_end"] >= 0.70
              and score["trained", "gene_end"] >= score["untrained", "gene_end"] + 0.05)
    held = bool(frame_ok and end_ok)
    summary = (
        f"On the held-out genome the probe read the 7-class coding frame from the trained language model at "
        f"{score['trained', 'frame']:.3f} accuracy (majority class {chance['trained', 'frame']:.3f}, untrained "
        f"network {score['untrained', 'frame']:.3f}, last {local.split('_')[1]} bases {score[local, 'frame']:.3f}), "
        f"annotated gene ends among stop triplets at {score['trained', 'gene_end']:.3f} (chance "
        f"{chance['trained', 'gene_end']:.3f}, untrained "
        f"{score['untrained', 'gene_end']:.3f}, local {score[local, 'gene_end']:.3f}) and opposite-strand gene "
        f"starts at {score['trained', 'gene_start_opposite']:.3f} (untrained "
        f"{score['untrained', 'gene_start_opposite']:.3f}, local {score[local, 'gene_start_opposite']:.3f}): the "
        f"claim {'held' if held else 'did not hold'}."
    )
    return held, summary


def plot(table: pd.DataFrame, losses: list[float]):
    """Two panels: probe accuracy per task and representation (chance marked), and the training-loss curve."""
    figure, axes = plt.subplots(1, 2, figsize=(12, 3.8), gridspec_kw={"width_ratios": [2, 1]})
    representations = list(table["representation"].unique())
    width = 0.8 / len(representations)
    for index, representation in enumerate(representations):
        rows = table[table["representation"] == representation].set_index("task").loc[list(TASKS)]
        axes[0].bar(np.arange(len(TASKS)) + index * width, rows["accuracy"], width, yerr=rows["accuracy_sd"],
                    label=representation)
    chance = table[table["representation"] == "trained"].set_index("task").loc[list(TASKS), "chance"]
    for index, value in enumerate(chance):
        axes[0].hlines(value, index - 0.1, index + 0.8, colors="k", linestyles=":",
                       label="chance" if index == 0 else None)
    axes[0].set_xticks(np.arange(len(TASKS)) + 0.4 - width / 2, TASKS)
    axes[0].set(ylabel="held-out probe accuracy", ylim=(0, 1.15), title="linear probes on the held-out genome")
    axes[0].legend(fontsize=8, loc="upper center", ncol=len(representations) + 1)
    axes[1].plot(100 * np.arange(1, len(losses) + 1), losses, "o-")
    axes[1].axhline(np.log(4), color="grey", ls=":", label="uniform (ln 4)")
    axes[1].set(xlabel="training step", ylabel="next-base loss (nats)", title="language model training")
    axes[1].legend(fontsize=8)
    figure.tight_layout()
    return figure


def run(quick: bool, seed: int) -> Result:
    """Trains and probes with :func:`settings` ``(quick)``."""
    table, losses = measure(settings(quick), seed)
    held, summary = verdict(table)
    return Result(table=table, figure=plot(table, losses), held=held, summary=summary)


EXPERIMENT = Experiment(
    name="genome_lm", claim=CLAIM, criterion=CRITERION, run=run,
    full_runtime=("about 3.5 CPU-minutes (measured: 3 min 12 s user + 10 s system; 30 min wall on 2 heavily shared "
                  "cores)"),
)
