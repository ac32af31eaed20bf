"""Seeded numpy generators for the classic long-term-dependency tasks.

Every generator has the signature ``generate_<task>(n, T, seed, **params) -> (x, y)``:

- ``n`` is the number of sequences, ``T`` the sequence length in time steps (integers; any ``T`` at least the
  task's minimum, see :data:`MIN_T`);
- ``seed`` is an integer ``>= 0`` or a ``numpy.random.Generator`` (an integer always gives the same arrays; a
  ``Generator`` is advanced, so successive calls give fresh samples; anything else, ``None`` included, is refused:
  see :func:`as_rng`);
- ``x`` is ``float32`` with shape ``(n, time, features)`` (time is ``T`` except for ``copy``, where it is
  ``T + 20``);
- ``y`` is ``float32`` of shape ``(n, 1)`` for regression, ``int32`` of shape ``(n,)`` holding class indices
  for classification, and ``int32`` of shape ``(n, time)`` holding per-step class indices for seq2seq.

Binary classification tasks have exactly balanced labels (``n // 2`` positives, shuffled; for odd ``n`` the
odd one is either class at random, so single examples drawn one at a time are both classes), so their
majority-class rate is 0.5 (``(n + 1) / (2n)`` for odd ``n``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SeedLike = int | np.random.Generator

#: Smallest sequence length each generator accepts with its default parameters (latch and two_sequence need
#: ``T >= L + 1``, so 4 for their default ``L=3``).
MIN_T = {
    "adding": 2,
    "copy": 1,
    "recall": 2,
    "latch": 4,
    "two_sequence": 4,
    "parity": 1,
    "brackets": 2,
    "palindrome": 2,
}

COPY_LENGTH = 10
COPY_ALPHABET = 8
#: Copy-task token ids: 0 is the blank, 1..8 the symbols, 9 the delimiter ("start recalling now").
COPY_BLANK, COPY_DELIMITER = 0, COPY_ALPHABET + 1
COPY_VOCAB = COPY_ALPHABET + 2


def as_rng(seed: SeedLike) -> np.random.Generator:
    """Returns ``seed`` itself if it is a ``numpy.random.Generator``, else ``numpy.random.default_rng(seed)`` for an
    integer ``seed >= 0`` (a Python or numpy integer, not a bool).

    Anything else is refused, rather than seeded from fresh OS entropy (``None``) or passed to numpy's seeding:
    ``TypeError`` for another type (``None``, a float, a string), ``ValueError`` for a negative integer."""
    if isinstance(seed, np.random.Generator):
        return seed
    if not _is_int(seed):
        raise TypeError(f"seed must be an integer >= 0 or a numpy.random.Generator, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be an integer >= 0 or a numpy.random.Generator, got {seed}")
    return np.random.default_rng(seed)


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check(name: str, n: int, T: int, min_T: int | None = None) -> None:
    """Raises ``TypeError`` if ``n`` or ``T`` is not an integer, ``ValueError`` if ``n < 1`` or ``T < min_T``
    (default ``MIN_T[name]``)."""
    for arg, value in (("n", n), ("T", T)):
        if not _is_int(value):
            raise TypeError(f"{name}: {arg} must be an integer, got {value!r}")
    if n < 1:
        raise ValueError(f"{name}: n must be >= 1, got {n}")
    min_T = MIN_T[name] if min_T is None else min_T
    if T < min_T:
        raise ValueError(f"{name}: T must be >= {min_T}, got {T}")


def _check_prefix(name: str, n: int, T: int, L: int, s: float) -> None:
    """The checks of latch and two_sequence: ``L`` an integer >= 1, ``T >= L + 1``, noise variance ``s`` finite
    and >= 0."""
    if not _is_int(L) or L < 1:
        raise ValueError(f"{name}: L must be an integer >= 1, got {L!r}")
    _check(name, n, T, min_T=L + 1)
    if not (isinstance(s, numbers.Real) and math.isfinite(s) and s >= 0):
        raise ValueError(f"{name}: the noise variance s must be a finite number >= 0, got {s!r}")


def _check_symbols(name: str, n_symbols: int) -> None:
    if not _is_int(n_symbols) or n_symbols < 2:
        raise ValueError(f"{name}: n_symbols must be an integer >= 2, got {n_symbols!r}")


def _balanced_labels(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` binary labels, ``n // 2`` of them ones (for odd ``n``, one more with probability 1/2), in random
    order; ``int32`` of shape ``(n,)``."""
    labels = np.zeros(n, dtype=np.int32)
    ones = n // 2 + (int(rng.integers(2)) if n % 2 else 0)  # drawn only for odd n: even n's draws unchanged
    labels[:ones] = 1
    return rng.permutation(labels)


def _one_hot(tokens: np.ndarray, depth: int) -> np.ndarray:
    """One-hot encodes integer ``tokens`` of any shape into ``float32`` of shape ``tokens.shape + (depth,)``."""
    return np.eye(depth, dtype=np.float32)[tokens]


def generate_adding(n: int, T: int, seed: SeedLike) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem (Hochreiter & Schmidhuber 1997, in the form of Le et al. 2015).

    ``x[..., 0]`` holds values drawn from U[0, 1]; ``x[..., 1]`` is a marker channel with exactly two ones, one at a
    uniform position in the first half ``[0, T // 2)`` and one in the second half ``[T // 2, T)``.
    The target is the sum of the two marked values, in [0, 2], with mean 1 and variance 1/6: always predicting 1
    has an MSE of 1/6.

    Returns ``x`` float32 ``(n, T, 2)`` and ``y`` float32 ``(n, 1)``.

    >>> x, y = generate_adding(4, 10, seed=0)
    >>> x.shape, y.shape
    ((4, 10, 2), (4, 1))
    >>> bool(np.allclose(y[:, 0], (x[..., 0] * x[..., 1]).sum(axis=1)))
    True
    """
    _check("adding", n, T)
    rng = as_rng(seed)
    x = np.zeros((n, T, 2), dtype=np.float32)
    x[:, :, 0] = rng.random((n, T), dtype=np.float32)
    half = T // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, T, size=n)
    rows = np.arange(n)
    x[rows, first, 1] = 1.0
    x[rows, second, 1] = 1.0
    y = (x[rows, first, 0] + x[rows, second, 0]).astype(np.float32)
    return x, y[:, None]


def generate_copy(n: int, T: int, seed: SeedLike) -> tuple[np.ndarray, np.ndarray]:
    """The copy-memory task (Arjovsky, Shah & Bengio 2016), sequence to sequence, of length ``T + 20``.

    Input tokens: 10 symbols drawn uniformly from ``1..8``, then ``T - 1`` blanks (``0``), then the delimiter
    (``9``) at step ``T + 9``, then 10 blanks. Target tokens: ``T + 10`` blanks, then the 10 input symbols.
    A memoryless model that predicts blanks first and a uniform guess over the 8 symbols at the end has a
    cross-entropy of ``10 log 8 / (T + 20)`` nats per step.

    Returns ``x`` float32 ``(n, T + 20, 10)`` (one-hot tokens) and ``y`` int32 ``(n, T + 20)`` (target tokens).
    """
    _check("copy", n, T)
    rng = as_rng(seed)
    length = T + 2 * COPY_LENGTH
    symbols = rng.integers(1, COPY_ALPHABET + 1, size=(n, COPY_LENGTH))
    tokens = np.full((n, length), COPY_BLANK, dtype=np.int32)
    tokens[:, :COPY_LENGTH] = symbols
    tokens[:, T + COPY_LENGTH - 1] = COPY_DELIMITER
    targets = np.full((n, length), COPY_BLANK, dtype=np.int32)
    targets[:, -COPY_LENGTH:] = symbols
    return _one_hot(tokens, COPY_VOCAB), targets


def generate_recall(n: int, T: int, seed: SeedLike, n_symbols: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Recall the first symbol: step 0 holds a symbol, steps ``1..T-1`` are distractors from the same alphabet.

    All ``T`` symbols are uniform over ``n_symbols`` and the class is the first one, so nothing but memory of step 0
    beats chance (``1 / n_symbols``).

    Returns ``x`` float32 ``(n, T, n_symbols)`` (one-hot) and ``y`` int32 ``(n,)`` in ``[0, n_symbols)``.
    """
    _check("recall", n, T)
    _check_symbols("recall", n_symbols)
    rng = as_rng(seed)
    tokens = rng.integers(0, n_symbols, size=(n, T)).astype(np.int32)
    return _one_hot(tokens, n_symbols), tokens[:, 0].copy()


def generate_latch(n: int, T: int, seed: SeedLike, L: int = 3, s: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """The latch problem (Bengio, Simard & Frasconi 1994).

    The class ``c`` in {0, 1} sets the first ``L`` inputs to ``2c - 1`` (that is -1 or +1, noiseless); steps
    ``L..T-1`` are Gaussian noise with mean 0 and variance ``s``, independent of the class. The network must latch
    the sign seen at the start and hold it through ``T - L`` steps of noise. Needs ``T >= L + 1`` and ``s >= 0``.

    Returns ``x`` float32 ``(n, T, 1)`` and ``y`` int32 ``(n,)`` (balanced).
    """
    _check_prefix("latch", n, T, L, s)
    rng = as_rng(seed)
    y = _balanced_labels(n, rng)
    x = np.empty((n, T, 1), dtype=np.float32)
    x[:, :L, 0] = (2.0 * y - 1.0)[:, None]
    x[:, L:, 0] = rng.normal(0.0, np.sqrt(s), size=(n, T - L))
    return x, y


def two_sequence_prototypes(L: int, prototype_seed: int = 0) -> np.ndarray:
    """The two fixed prototypes of the two-sequence problem: float32 ``(2, L)``, entries U[-1, 1] drawn from
    ``prototype_seed``."""
    return np.random.default_rng(prototype_seed).uniform(-1.0, 1.0, size=(2, L)).astype(np.float32)


def generate_two_sequence(
    n: int, T: int, seed: SeedLike, L: int = 3, s: float = 0.2, prototype_seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The two-sequence problem (Bengio, Simard & Frasconi 1994).

    Two prototype sequences ``P_0, P_1`` of length ``L`` are fixed once by ``prototype_seed`` (entries U[-1, 1],
    see :func:`two_sequence_prototypes`; the same for every ``seed``, so training and test sets share them). A
    sequence of class ``c`` in {0, 1} is ``x_t = P_c[t] + e_t`` for ``t < L`` and ``x_t = e_t`` for ``t >= L``,
    where every ``e_t`` is independent Gaussian noise with mean 0 and variance ``s``. Only the first ``L`` steps
    carry class information. Needs ``T >= L + 1`` and ``s >= 0``.

    Returns ``x`` float32 ``(n, T, 1)`` and ``y`` int32 ``(n,)`` (balanced).
    """
    _check_prefix("two_sequence", n, T, L, s)
    rng = as_rng(seed)
    y = _balanced_labels(n, rng)
    x = rng.normal(0.0, np.sqrt(s), size=(n, T, 1)).astype(np.float32)
    x[:, :L, 0] += two_sequence_prototypes(L, prototype_seed)[y]
    return x, y


def generate_parity(n: int, T: int, seed: SeedLike, encoding: str = "signed") -> tuple[np.ndarray, np.ndarray]:
    """Parity: the class is the number of one-bits in a uniform random bit string of length ``T``, modulo 2.

    ``encoding="signed"`` feeds bit ``b`` as ``2b - 1`` (-1 / +1); ``encoding="binary"`` feeds it as 0 / 1.
    Labels are balanced exactly: the last bit of each string is chosen to give the drawn label.

    Returns ``x`` float32 ``(n, T, 1)`` and ``y`` int32 ``(n,)``.
    """
    _check("parity", n, T)
    if encoding not in ("signed", "binary"):
        raise ValueError(f"parity: encoding must be 'signed' or 'binary', got {encoding!r}")
    rng = as_rng(seed)
    y = _balanced_labels(n, rng)
    bits = rng.integers(0, 2, size=(n, T)).astype(np.int32)
    bits[:, -1] = (y - bits[:, :-1].sum(axis=1)) % 2
    values = 2.0 * bits - 1.0 if encoding == "signed" else bits
    return values.astype(np.float32)[..., None], y


def _random_dyck(half: int, rng: np.random.Generator) -> np.ndarray:
    """A uniformly random balanced bracket string with ``half`` pairs, as +1 ('(') / -1 (')'), int32 ``(2 * half,)``.

    Uses the cycle lemma: of the cyclic rotations of a random arrangement of ``half`` +1s and ``half + 1`` -1s,
    exactly one keeps every proper prefix sum >= 0 (the one starting just after the first minimum of the prefix
    sums); dropping its final -1 leaves a uniformly random Dyck word.
    """
    steps = rng.permutation(np.r_[np.ones(half, np.int32), -np.ones(half + 1, np.int32)])
    start = int(np.argmin(np.cumsum(steps))) + 1
    return np.roll(steps, -start)[:-1]


def is_balanced(steps: np.ndarray) -> bool:
    """True if the +1 ('(') / -1 (')') string ``steps`` (1-D) is balanced: no prefix dips below 0 and the sum is 0."""
    prefix = np.cumsum(steps)
    return bool(prefix.size == 0 or (prefix.min() >= 0 and prefix[-1] == 0))


def generate_brackets(n: int, T: int, seed: SeedLike, hard_fraction: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Balanced brackets: is a string of '(' and ')' of even length ``T`` well nested?

    Positives (label 1) are uniformly random balanced strings. Negatives (label 0) are of two kinds:

    - a fraction ``hard_fraction`` are *hard*: exactly ``T / 2`` of each bracket, so counting alone cannot reject
      them, but some prefix has more ')' than '(' (uniform over such strings, by rejection);
    - the rest are *near misses*: a random balanced string with one bracket flipped, so the counts differ by 2.

    Returns ``x`` float32 ``(n, T, 2)`` (one-hot, channel 0 is '(' and channel 1 is ')') and ``y`` int32 ``(n,)``
    (balanced).
    """
    _check("brackets", n, T)
    if T % 2:
        raise ValueError(f"brackets: T must be even, got {T}")
    if not isinstance(hard_fraction, numbers.Real) or isinstance(hard_fraction, bool):
        raise TypeError(f"brackets: hard_fraction must be a number in [0, 1], got {hard_fraction!r}")
    if not 0.0 <= hard_fraction <= 1.0:
        raise ValueError(f"brackets: hard_fraction must be in [0, 1], got {hard_fraction}")
    rng = as_rng(seed)
    half = T // 2
    y = _balanced_labels(n, rng)
    steps = np.empty((n, T), dtype=np.int32)
    equal_counts = np.r_[np.ones(half, np.int32), -np.ones(half, np.int32)]
    for i in range(n):
        if y[i] == 1:
            steps[i] = _random_dyck(half, rng)
        elif rng.random() < hard_fraction:
            candidate = rng.permutation(equal_counts)
            while is_balanced(candidate):
                candidate = rng.permutation(equal_counts)
            steps[i] = candidate
        else:
            candidate = _random_dyck(half, rng)
            candidate[rng.integers(T)] *= -1
            steps[i] = candidate
    return _one_hot((steps < 0).astype(np.int32), 2), y


def generate_palindrome(n: int, T: int, seed: SeedLike, n_symbols: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Palindromes: does a string of ``T`` symbols over an alphabet of ``n_symbols`` read the same backwards?

    Positives (label 1) are uniformly random palindromes. Negatives (label 0) are uniformly random palindromes
    with one symbol changed to a different one, at a position other than the middle one (for odd ``T``), so
    each negative is exactly one substitution away from a palindrome.

    Returns ``x`` float32 ``(n, T, n_symbols)`` (one-hot) and ``y`` int32 ``(n,)`` (balanced).
    """
    _check("palindrome", n, T)
    _check_symbols("palindrome", n_symbols)
    rng = as_rng(seed)
    y = _balanced_labels(n, rng)
    first = rng.integers(0, n_symbols, size=(n, (T + 1) // 2))
    tokens = np.concatenate([first, first[:, : T // 2][:, ::-1]], axis=1).astype(np.int32)
    negatives = np.flatnonzero(y == 0)
    off_middle = np.setdiff1d(np.arange(T), [T // 2] if T % 2 else [])
    positions = rng.choice(off_middle, size=negatives.size)
    shifts = rng.integers(1, n_symbols, size=negatives.size)
    tokens[negatives, positions] = (tokens[negatives, positions] + shifts) % n_symbols
    return _one_hot(tokens, n_symbols), y


def _check_shapes(metric: str, y_true: np.ndarray, y_pred: np.ndarray, expected: tuple, wanted: str) -> None:
    """Raises ``ValueError`` naming ``metric`` and both shapes if ``y_pred.shape`` is not ``expected``: numpy would
    broadcast ``(n, 1)`` against ``(n,)`` into an ``(n, n)`` comparison and report a number for it."""
    if y_pred.shape != expected:
        raise ValueError(f"{metric}: y_true has shape {y_true.shape} and the predictions {y_pred.shape}; need {wanted}")


def mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean squared error over all entries of ``y_true`` and ``y_pred``, which must have the same shape
    (``ValueError`` naming both otherwise). NaN if a prediction is NaN, infinite if one is infinite."""
    y_true, y_pred = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
    _check_shapes("mean_squared_error", y_true, y_pred, y_true.shape, "the same shape")
    return float(np.mean((y_pred - y_true) ** 2))


def accuracy(y_true: np.ndarray, probs: np.ndarray) -> float:
    """Fraction of rows where ``argmax(probs)`` equals the class index ``y_true``; ``probs`` has shape
    ``y_true.shape + (k,)`` (``ValueError`` naming both shapes otherwise).

    NaN if any probability is NaN or infinite (a diverged run), rather than the rate at which the argmax of a row
    of NaN, class 0, happens to be right."""
    y_true, probs = np.asarray(y_true), np.asarray(probs)
    k = probs.shape[-1] if probs.ndim else 0
    _check_shapes("accuracy", y_true, probs, y_true.shape + (k,), "probabilities of shape y_true.shape + (classes,)")
    if not np.all(np.isfinite(probs)):
        return math.nan
    return float(np.mean(np.argmax(probs, axis=-1) == y_true))


def cross_entropy_per_step(y_true: np.ndarray, probs: np.ndarray) -> float:
    """Mean negative log-likelihood, in nats per step, of the target tokens ``y_true`` ``(n, time)`` under the
    per-step probabilities ``probs`` ``(n, time, k)`` (``ValueError`` naming both shapes otherwise, or the first
    target that is not a whole number in ``0 .. k - 1``). NaN if any probability is NaN or infinite (a diverged
    run)."""
    y_true, probs = np.asarray(y_true), np.asarray(probs, np.float64)
    k = probs.shape[-1] if probs.ndim else 0
    _check_shapes(
        "cross_entropy_per_step", y_true, probs, y_true.shape + (k,), "probabilities of shape y_true.shape + (vocab,)"
    )
    if not np.issubdtype(y_true.dtype, np.integer):
        raise ValueError(f"cross_entropy_per_step: the targets must be token indices (integers), got {y_true.dtype}")
    outside = np.argwhere((y_true < 0) | (y_true >= k))
    if len(outside):
        at = tuple(int(i) for i in outside[0])
        raise ValueError(f"cross_entropy_per_step: target {int(y_true[at])} at {at} is not a token index in "
                         f"0 .. {k - 1}")
    if not np.all(np.isfinite(probs)):
        return math.nan
    picked = np.take_along_axis(probs, y_true[..., None], axis=-1)[..., 0]
    return float(-np.mean(np.log(np.clip(picked, 1e-12, 1.0))))


@dataclass(frozen=True)
class Task:
    """A registry entry: how to generate a task, train on it, score it and say whether it is solved.

    ``generate(n, T, seed)`` returns ``(x, y)`` as documented in this module; ``input_dim`` is ``x.shape[-1]`` and
    ``n_outputs`` the width of the model's output (1 for regression, the number of classes otherwise);
    ``loss`` is a Keras loss name for a model whose output is a softmax over ``n_outputs`` classes (or a scalar for
    regression); ``metric(y_true, y_pred)`` is the task metric on a test set, ``higher_is_better`` its direction;
    ``baseline(T)`` the task metric of the best input-blind predictor at length ``T``; ``threshold(T)`` the value
    the metric must beat to count as solved (strictly below it when lower is better, at or above it otherwise; see
    :meth:`is_solved`), stated in words as ``criterion``; ``summary`` a one-line description; ``extra_steps`` the
    time steps a sequence has beyond ``T``.
    """

    name: str
    kind: str
    generate: Callable[[int, int, SeedLike], tuple[np.ndarray, np.ndarray]]
    input_dim: int
    n_outputs: int
    loss: str
    metric_name: str
    metric: Callable[[np.ndarray, np.ndarray], float]
    higher_is_better: bool
    baseline: Callable[[int], float]
    threshold: Callable[[int], float]
    criterion: str
    summary: str
    extra_steps: int = 0

    def sequence_length(self, T: int) -> int:
        """Number of time steps in a generated sequence for task length ``T``: ``T + extra_steps`` (20 for copy)."""
        return T + self.extra_steps

    def is_solved(self, value: float, T: int) -> bool:
        """Whether a test metric ``value`` at length ``T`` meets the stated criterion; never for a NaN or infinite
        ``value`` (the metric of a diverged run)."""
        if not math.isfinite(value):
            return False
        limit = self.threshold(T)
        return bool(value >= limit) if self.higher_is_better else bool(value < limit)

    def check_T(self, T: int) -> None:
        """Raises ``TypeError`` (not an integer) or ``ValueError`` (too small; odd for brackets) with a one-line
        reason if ``T`` is not a valid length for this task with the registry's generator."""
        if not _is_int(T):
            raise TypeError(f"T must be an integer, got {T!r}")
        if T < MIN_T[self.name]:
            raise ValueError(f"T={T} is too small for task {self.name!r}: need T >= {MIN_T[self.name]}")
        if self.name == "brackets" and T % 2:
            raise ValueError(f"task 'brackets' needs an even T, got T={T}")


CLASSIFICATION_CRITERION = "test accuracy >= 0.95"


def _classification(name: str, generate, input_dim: int, n_classes: int, summary: str) -> Task:
    return Task(
        name=name,
        kind="classification",
        generate=generate,
        input_dim=input_dim,
        n_outputs=n_classes,
        loss="sparse_categorical_crossentropy",
        metric_name="accuracy",
        metric=accuracy,
        higher_is_better=True,
        baseline=lambda T: 1.0 / n_classes,
        threshold=lambda T: 0.95,
        criterion=CLASSIFICATION_CRITERION,
        summary=summary,
    )


#: Every task by name. Classification generators use their default parameters (recall: 8 symbols;
#: latch and two_sequence: L=3, s=0.2; parity: signed; brackets: hard_fraction=0.5; palindrome: 4 symbols).
TASKS: dict[str, Task] = {
    "adding": Task(
        name="adding",
        kind="regression",
        generate=generate_adding,
        input_dim=2,
        n_outputs=1,
        loss="mse",
        metric_name="mse",
        metric=mean_squared_error,
        higher_is_better=False,
        baseline=lambda T: 1.0 / 6.0,
        threshold=lambda T: 0.01,
        criterion="test MSE < 0.01 (the always-1 baseline has MSE 1/6)",
        summary="sum of the two marked values among T uniform values",
    ),
    "copy": Task(
        name="copy",
        kind="seq2seq",
        generate=generate_copy,
        input_dim=COPY_VOCAB,
        n_outputs=COPY_VOCAB,
        loss="sparse_categorical_crossentropy",
        metric_name="cross_entropy_per_step",
        metric=cross_entropy_per_step,
        higher_is_better=False,
        baseline=lambda T: COPY_LENGTH * np.log(COPY_ALPHABET) / (T + 2 * COPY_LENGTH),
        threshold=lambda T: 0.1 * COPY_LENGTH * np.log(COPY_ALPHABET) / (T + 2 * COPY_LENGTH),
        criterion="test cross-entropy per step < 0.1 x baseline (10 log 8 / (T + 20) nats)",
        summary="reproduce 10 symbols seen T + 10 steps earlier",
        extra_steps=2 * COPY_LENGTH,
    ),
    "recall": _classification("recall", generate_recall, 8, 8, "name the first of T uniform symbols (8 classes)"),
    "latch": _classification("latch", generate_latch, 1, 2, "sign of the first 3 inputs, then Gaussian noise"),
    "two_sequence": _classification(
        "two_sequence", generate_two_sequence, 1, 2, "which noisy prototype filled the first 3 steps"
    ),
    "parity": _classification("parity", generate_parity, 1, 2, "parity of T random bits"),
    "brackets": _classification("brackets", generate_brackets, 2, 2, "is the bracket string well nested"),
    "palindrome": _classification("palindrome", generate_palindrome, 4, 2, "is the 4-symbol string a palindrome"),
}


def get_task(name: str) -> Task:
    """The registry entry for ``name``; raises ``KeyError`` naming the known tasks if there is none."""
    try:
        return TASKS[name]
    except KeyError:
        raise KeyError(f"unknown task {name!r}; known tasks: {', '.join(TASKS)}") from None
