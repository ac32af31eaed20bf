"""Training and inference throughput of GatedLSTM / GatedGRU against keras.layers.LSTM / GRU.

Each candidate is timed against its Keras anchor of the same size in the same run (batch 128, T 100,
8 features, 64 units by default), in interleaved rounds so that drift in machine load hits both alike; the
median samples/s over rounds is reported with the ratio candidate / anchor (>= 1 is faster).

    python benchmarks/layers_speed.py [--rounds 5] [--batches 10] [--batch 128] [--steps 100] [--features 8]
                                      [--units 64] [--seed 0] [--out benchmarks/results/layers_speed.json]

Targets (issue 2): GatedLSTM with ``return_gates=False`` trains at >= 0.9x keras.layers.LSTM on CPU (the last
line says met or NOT met from the training ratio measured in the run; ``target_met`` in the JSON).
The ``return_gates=True`` rows show the price of carrying the gates out of the loop.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # as the command lines (shared.cli.run): fatal errors only

import numpy as np  # noqa: E402

from shared import cli  # noqa: E402
from shared.atomic import atomic_open, replaceable_file  # noqa: E402

#: The default ``--out``, in the project whatever the working directory (``benchmarks/results/`` is git-ignored).
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "layers_speed.json"

CASES = [
    # (name, anchor name, layer: a class of keras.layers, or of shared.layers when named Gated..., its options)
    ("keras.LSTM", None, "LSTM", {}),
    ("GatedLSTM", "keras.LSTM", "GatedLSTM", {}),
    ("GatedLSTM(return_gates)", "keras.LSTM", "GatedLSTM", {"return_gates": True}),
    ("keras.GRU", None, "GRU", {}),
    ("GatedGRU", "keras.GRU", "GatedGRU", {}),
    ("GatedGRU(return_gates)", "keras.GRU", "GatedGRU", {"return_gates": True}),
]
#: Issue 2's target: this case's training ratio to its anchor, measured in the run, at least ``TARGET_RATIO``.
TARGET_CASE, TARGET_RATIO = "GatedLSTM", 0.9


def build_model(layer, options, steps, features, units):
    """Input -> recurrent layer -> Dense(1); a gate-returning layer's gates are computed but not used."""
    import keras

    from shared import layers

    inputs = keras.Input((steps, features))
    outputs = getattr(layers if layer.startswith("Gated") else keras.layers, layer)(units, **options)(inputs)
    if isinstance(outputs, (tuple, list)):
        outputs = outputs[0]
    model = keras.Model(inputs, keras.layers.Dense(1)(outputs))
    model.compile(optimizer="adam", loss="mse")
    return model


def time_training(model, x, y, batch):
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    return len(x) / (time.perf_counter() - start)


def time_inference(model, x, batch):
    start = time.perf_counter()
    model.predict(x, batch_size=batch, verbose=0)
    return len(x) / (time.perf_counter() - start)


def run(rounds, batches, batch, steps, features, units, seed):
    import keras

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch * batches, steps, features)).astype("float32")
    y = rng.normal(size=(batch * batches, 1)).astype("float32")
    keras.utils.set_random_seed(seed)
    models = {name: build_model(layer, options, steps, features, units) for name, _, layer, options in CASES}
    for model in models.values():  # warm-up: tracing and first-call costs stay out of the timings
        model.fit(x[: 2 * batch], y[: 2 * batch], batch_size=batch, epochs=1, verbose=0)
        model.predict(x[: 2 * batch], batch_size=batch, verbose=0)
    train = {name: [] for name in models}
    infer = {name: [] for name in models}
    for _ in range(rounds):
        for name, model in models.items():
            train[name].append(time_training(model, x, y, batch))
            infer[name].append(time_inference(model, x, batch))
    rows = []
    for name, anchor, _, _ in CASES:
        row = {
            "layer": name,
            "anchor": anchor or name,
            "train_samples_per_s": statistics.median(train[name]),
            "infer_samples_per_s": statistics.median(infer[name]),
        }
        ref = statistics.median(train[anchor]) if anchor else row["train_samples_per_s"]
        ref_infer = statistics.median(infer[anchor]) if anchor else row["infer_samples_per_s"]
        row["train_ratio"] = row["train_samples_per_s"] / ref
        row["infer_ratio"] = row["infer_samples_per_s"] / ref_infer
        rows.append(row)
    return rows


def build_parser():
    """The command line's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=cli.POSITIVE_INT, default=5,
                        help="interleaved timing rounds (median reported)")
    parser.add_argument("--batches", type=cli.POSITIVE_INT, default=10, help="batches per timed epoch")
    parser.add_argument("--batch", type=cli.POSITIVE_INT, default=128)
    parser.add_argument("--steps", type=cli.POSITIVE_INT, default=100, help="sequence length T")
    parser.add_argument("--features", type=cli.POSITIVE_INT, default=8)
    parser.add_argument("--units", type=cli.POSITIVE_INT, default=64)
    parser.add_argument("--seed", type=cli.seed, default=0)
    parser.add_argument("--out", type=replaceable_file, default=str(DEFAULT_OUT), help="JSON file to write (replaced if there; default "
                        "benchmarks/results/layers_speed.json in the project)")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    tf = cli.import_tensorflow()  # the options are checked: now TensorFlow, its start-up notices held back
    import keras

    rows = run(args.rounds, args.batches, args.batch, args.steps, args.features, args.units, args.seed)
    devices = [d.device_type for d in tf.config.list_logical_devices()]
    print(f"batch {args.batch}, T {args.steps}, {args.features} features, {args.units} units; devices {devices}")
    print(f"{'layer':26s} {'train/s':>10s} {'ratio':>7s} {'infer/s':>10s} {'ratio':>7s}  anchor")
    for row in rows:
        print(
            f"{row['layer']:26s} {row['train_samples_per_s']:10.0f} {row['train_ratio']:7.3f} "
            f"{row['infer_samples_per_s']:10.0f} {row['infer_ratio']:7.3f}  {row['anchor']}"
        )
    target = next(row for row in rows if row["layer"] == TARGET_CASE)
    met = target["train_ratio"] >= TARGET_RATIO
    print(f"target (issue 2): {TARGET_CASE} trains at >= {TARGET_RATIO}x {target['anchor']}: ratio "
          f"{target['train_ratio']:.3f} in this run: {'met' if met else 'NOT met'}")
    result = {
        "benchmark": "layers_speed",
        "settings": vars(args),
        "devices": devices,
        "python": sys.version.split()[0],
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "rows": rows,
        "target": f"{TARGET_CASE} train_ratio >= {TARGET_RATIO}",
        "target_met": bool(met),
    }
    with atomic_open(args.out, force=True) as handle:
        json.dump(result, handle, indent=2)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    cli.run(main)
