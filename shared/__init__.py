"""gated-domains' library: reusable gated-recurrent Keras layers and the tools around them.

- :mod:`shared.layers`: serialisable Keras 3 layers (GatedLSTM, GatedGRU, LeakyIntegrator, AttentionPooling,
  ConvFrontEnd, DenseTemporalRNN).
- :mod:`shared.testing`: a public harness that checks any layer (shapes, config and ``.keras`` round trips,
  masking, a training step).
- :mod:`shared.tasks`: the classic long-term-dependency tasks and their runner (``python -m shared.tasks``).
- :mod:`shared.probes`: what a recurrent network remembers (gradient flow, linear probes, gate statistics,
  hidden-state novelty).

``shared`` never imports ``domains``.
"""

__version__ = "0.1.0"
