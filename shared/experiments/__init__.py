"""The long-term-dependency claims, each a runnable, seeded experiment with a stated criterion.

Each module below defines ``EXPERIMENT``, an :class:`~shared.experiments.base.Experiment`; :data:`EXPERIMENTS`
maps names to them and is filled on first use, so importing this package does not load TensorFlow.
``python -m shared.experiments --list`` names them; ``python -m shared.experiments NAME [--quick]`` runs one.

- ``bptt_alternatives``: Bengio, Simard & Frasconi (1994), BPTT against simulated annealing and multi-grid random
  search (and a GatedLSTM) on latch, two-sequence and parity.
- ``latching_noise``: one tanh unit with self-weight w > 1: noise tolerated vs gradient reaching the first input.
- ``gru_vs_lstm``: a GRU with ~75 % of an LSTM's parameters against the LSTM, by training-set size.
- ``line_of_sight``: recall of the first symbol vs T for GatedLSTM, Bidirectional GatedLSTM and attention.
- ``genome_lm``: a next-base GatedLSTM's hidden states linearly encode coding frame and gene boundaries.
- ``memory_mixing``: hidden-state autocorrelation under a quasi-periodic vs a chaotic drive.
- ``integral_control``: a GatedLSTM controller learns integral action, with forget gates near 1.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from shared.cli import InputError
from shared.experiments.base import Experiment, Result, write

__all__ = ["EXPERIMENTS", "MODULES", "Experiment", "Result", "get", "write"]

#: Experiment name -> the module (under ``shared.experiments``) that defines its ``EXPERIMENT``.
MODULES = {
    "bptt_alternatives": "bptt_vs_alternatives",
    "latching_noise": "latching_noise",
    "gru_vs_lstm": "gru_vs_lstm",
    "line_of_sight": "attention_line_of_sight",
    "genome_lm": "genome_language_model",
    "memory_mixing": "memory_mixing",
    "integral_control": "integral_control",
}


class _Registry(Mapping):
    """Name -> :class:`Experiment`, importing each experiment's module on first access."""

    def __init__(self, modules: dict[str, str]):
        self._modules = modules
        self._loaded: dict[str, Experiment] = {}

    def __getitem__(self, name: str) -> Experiment:
        if name not in self._modules:
            raise KeyError(name)
        if name not in self._loaded:
            module = importlib.import_module(f"{__name__}.{self._modules[name]}")
            self._loaded[name] = module.EXPERIMENT
        return self._loaded[name]

    def __iter__(self):
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


#: Every experiment by name, loaded lazily.
EXPERIMENTS: Mapping[str, Experiment] = _Registry(MODULES)


def get(name: str) -> Experiment:
    """The experiment called ``name``.

    Raises:
        shared.cli.InputError: ``name`` is not one of :data:`MODULES`; the message lists the valid names.
    """
    if name not in MODULES:
        raise InputError(f"unknown experiment {name!r}; choose one of: {', '.join(MODULES)}")
    return EXPERIMENTS[name]
