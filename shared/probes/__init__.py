"""Probes: tools that show what a recurrent network remembers.

- :func:`gradient_flow` (with :func:`unroll` and :func:`plot_gradient_flow`): the norm of dL/dh_t at every
  step t of a recurrent layer, the classic vanishing-gradient profile, from a step-by-step re-run of a Keras
  model (TensorFlow, JAX or PyTorch backend).
- :func:`linear_probe`: can a quantity be read linearly out of the hidden states? A held-out scikit-learn
  ridge or logistic probe, split by sequence, returning a :class:`ProbeResult`.
- :func:`gate_statistics`: does a gate's mean activity differ between sequences with and without an event?
  Difference, Hedges' g and a permutation p-value per gate, as a ``pandas.DataFrame``.
- :func:`novelty` and :func:`change_points`: how far the hidden state moves at each step, and the steps
  where it jumps.
"""

from shared.probes.gate_statistics import gate_statistics
from shared.probes.gradient_flow import gradient_flow, plot_gradient_flow, unroll
from shared.probes.linear_probe import ProbeResult, linear_probe
from shared.probes.novelty import change_points, novelty

__all__ = [
    "ProbeResult",
    "change_points",
    "gate_statistics",
    "gradient_flow",
    "linear_probe",
    "novelty",
    "plot_gradient_flow",
    "unroll",
]
