"""Data-parallel training on several devices and several hosts: Keras 3's distribution API on the JAX backend,
and the TensorFlow strategy behind ``--distribute mirrored`` (:func:`strategy_scope`, :func:`mirrored_strategy`).

Keras 3 has no ``MultiWorkerMirroredStrategy``; across hosts it trains with ``keras.distribution.DataParallel``
on JAX: every process joins one JAX job (``jax.distributed.initialize``), the model's weights are replicated
on every device of every host, each batch is split across the devices, and the gradients are averaged, so the
weights stay identical everywhere. On one host, ``--distribute mirrored`` (TensorFlow's
``MirroredStrategy``, :func:`strategy_scope`) is the TensorFlow counterpart.

Run any training command the same way on every host, e.g. with two hosts::

    # host 0                                      # host 1
    export KERAS_BACKEND=jax                      export KERAS_BACKEND=jax
    export JAX_COORDINATOR_ADDRESS=host0:1234     export JAX_COORDINATOR_ADDRESS=host0:1234
    export JAX_NUM_PROCESSES=2                    export JAX_NUM_PROCESSES=2
    export JAX_PROCESS_ID=0                       export JAX_PROCESS_ID=1
    python -m shared.distribute domains.ecology train panel.csv --global --out host0.keras --seed 0
                                                  python -m shared.distribute domains.ecology train \\
                                                      panel.csv --global --out host1.keras --seed 0

Without ``JAX_COORDINATOR_ADDRESS`` it is one process using all of its host's devices (GPUs, or CPU devices
made with ``XLA_FLAGS=--xla_force_host_platform_device_count=N``).
"""

import contextlib
import functools
import importlib.util
import os
import runpy
import sys

from shared.cli import InputError, run

USAGE = "usage: python -m shared.distribute MODULE [ARGUMENTS ...]  (e.g. domains.ecology train data.csv ...)"


def data_parallel(coordinator_address=None, num_processes=None, process_id=None):
    """Joins the multi-host JAX job (if one is described) and makes Keras train data-parallel on every device.

    Args:
        coordinator_address: ``host:port`` of process 0 (default ``$JAX_COORDINATOR_ADDRESS``; neither: a
            single process).
        num_processes: processes in the job (default ``$JAX_NUM_PROCESSES``).
        process_id: this process, ``0 .. num_processes - 1`` (default ``$JAX_PROCESS_ID``).

    Returns:
        The ``keras.distribution.DataParallel`` now in effect (``keras.distribution.distribution()``), over
        all devices of all processes.

    Raises:
        InputError: the Keras backend is not JAX, or a multi-host job is described incompletely.
    """
    import keras

    if keras.backend.backend() != "jax":
        raise InputError(f"multi-host training runs on JAX: set KERAS_BACKEND=jax (now {keras.backend.backend()!r})")
    import jax

    address = coordinator_address or os.environ.get("JAX_COORDINATOR_ADDRESS")
    if address:
        try:
            count = int(num_processes if num_processes is not None else os.environ["JAX_NUM_PROCESSES"])
            rank = int(process_id if process_id is not None else os.environ["JAX_PROCESS_ID"])
        except (KeyError, ValueError):
            raise InputError("a multi-host job needs JAX_NUM_PROCESSES and JAX_PROCESS_ID (whole numbers) beside "
                             "JAX_COORDINATOR_ADDRESS") from None
        if not 0 <= rank < count:
            raise InputError(f"JAX_PROCESS_ID {rank} is not between 0 and JAX_NUM_PROCESSES - 1 = {count - 1}")
        jax.distributed.initialize(address, num_processes=count, process_id=rank)
    distribution = keras.distribution.DataParallel(devices=jax.devices())
    # Every process feeds its own batches (arrays or a tf.data pipeline); the global batch is all of them.
    distribution.auto_shard_dataset = False
    keras.distribution.set_distribution(distribution)
    return distribution


@functools.cache
def mirrored_strategy():
    """This process's ``tf.distribute.MirroredStrategy`` over all visible GPUs (else the CPU, or its logical
    devices), made on first use and shared by every model trained afterwards.

    A second strategy made in the same process can reuse the first one's collective-op instance keys, and its
    first gradient all-gather then fails with "Shape mismatch in the collective instance" when its batches
    differ in shape from the first model's (tensorflow/tensorflow#62790: a loop of models, each under a new
    strategy); one strategy for all of them does not.

    Raises:
        InputError: Keras runs on another backend than TensorFlow, whose models would train outside the strategy.
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        raise InputError(f"--distribute mirrored is TensorFlow's MirroredStrategy, which a Keras model on "
                         f"{keras.backend.backend()!r} would not use; on JAX, train data-parallel with python -m "
                         "shared.distribute MODULE ARGS")
    import tensorflow as tf

    return tf.distribute.MirroredStrategy()


def strategy_scope(distribute):
    """The context to build and compile a TensorFlow model in: ``None`` or ``"none"`` (``--distribute``'s
    default) -> a no-op, ``"mirrored"`` -> :func:`mirrored_strategy`'s scope (data parallel over the visible
    devices); anything else is an :class:`InputError` naming ``--distribute``."""
    if distribute in (None, "none"):
        return contextlib.nullcontext()
    if distribute == "mirrored":
        return mirrored_strategy().scope()
    raise InputError(f"--distribute: {distribute!r} is not supported (use 'none' or 'mirrored')")


def main(argv):
    """``python -m shared.distribute MODULE ARGS``: :func:`data_parallel`, then ``python -m MODULE ARGS``.

    MODULE must exist and ``KERAS_BACKEND`` must be ``jax`` in the environment (as the examples above export it),
    both checked before anything heavy loads, so that a refusal is one line."""
    if not argv:
        raise InputError(f"no command to run; {USAGE}")
    if argv[0] in ("-h", "--help"):
        print(USAGE + "\n\n" + __doc__.split("\n\n", 1)[1])
        return 0
    if argv[0].startswith("-"):
        raise InputError(f"{argv[0]!r} is an option, but the module to run comes first; {USAGE}")
    try:
        spec = importlib.util.find_spec(argv[0])
        runnable = spec is not None and (spec.submodule_search_locations is None  # a module, or a package
                                         or importlib.util.find_spec(f"{argv[0]}.__main__") is not None)
    except (ImportError, ValueError):  # a parent package that does not exist, an empty name part
        spec, runnable = None, False
    if spec is None:
        raise InputError(f"no module {argv[0]!r} to run; {USAGE}")
    if not runnable:
        raise InputError(f"{argv[0]!r} is a package without a __main__ module: it cannot be run; {USAGE}")
    backend = os.environ.get("KERAS_BACKEND")
    if backend != "jax":  # checked before Keras loads, and with it TensorFlow's start-up notices
        raise InputError(f"multi-host training runs on JAX: set KERAS_BACKEND=jax (now "
                         f"{'unset' if backend is None else repr(backend)})")
    data_parallel()
    sys.argv = list(argv)
    runpy.run_module(argv[0], run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    run(main)
