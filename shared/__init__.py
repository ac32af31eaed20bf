"""gated-domains' library: reusable gated-recurrent Keras layers and the tools around them.

- :mod:`shared.layers`: serialisable Keras 3 layers (GatedLSTM, GatedGRU, LeakyIntegrator, AttentionPooling,
  ConvFrontEnd, DenseTemporalRNN).
- :mod:`shared.testing`: a public harness that checks any layer (shapes, config and ``.keras`` round trips,
  masking, a training step).
- :mod:`shared.tasks`: the classic long-term-dependency tasks and their runner (``python -m shared.tasks``).
- :mod:`shared.probes`: what a recurrent network remembers (gradient flow, linear probes, gate statistics,
  hidden-state novelty).
- :mod:`shared.experiments`: the long-term-dependency claims as runnable experiments
  (``python -m shared.experiments NAME``).
- Conventions every command line shares: :mod:`shared.cli` (exit codes 0 / 2 / 1, ``InputError``),
  :mod:`shared.atomic` (atomic writes, ``--force``), :mod:`shared.safe_load` (``.keras`` files with
  ``safe_mode=True``), :mod:`shared.model_copies` (an ensemble's members nested without their training
  set-up), :mod:`shared.data_paths` (bundled and shared data) and :mod:`shared.distribute` (data-parallel
  training: ``--distribute mirrored``'s one ``MirroredStrategy`` per process on TensorFlow, and
  across hosts on JAX, ``python -m shared.distribute MODULE ARGS``).

The library (layers, tasks, probes) never imports ``domains``. The one exception is an application, not a
building block: the ``genome_lm`` experiment reads its genome through ``domains.genomics.data``, imported inside
the function that loads it, so importing ``shared`` or ``shared.experiments`` never loads ``domains``.
"""

__version__ = "0.1.0"
