"""Generators of shared.tasks: shapes, dtypes, seeding, and known answers for every task."""

import numpy as np
import pytest

from shared.tasks.generators import (
    COPY_DELIMITER,
    MIN_T,
    TASKS,
    generate_adding,
    generate_brackets,
    generate_copy,
    generate_latch,
    generate_palindrome,
    generate_parity,
    generate_recall,
    generate_two_sequence,
    get_task,
    two_sequence_prototypes,
)

T = 12  # even, so every task accepts it


@pytest.mark.parametrize("name", sorted(TASKS))
def test_shapes_dtypes_and_registry(name):
    task = TASKS[name]
    x, y = task.generate(9, T, 0)
    time = task.sequence_length(T)
    assert x.dtype == np.float32 and x.shape == (9, time, task.input_dim)
    if task.kind == "regression":
        assert y.dtype == np.float32 and y.shape == (9, 1)
    elif task.kind == "classification":
        assert y.dtype == np.int32 and y.shape == (9,)
        assert 0 <= y.min() and y.max() < task.n_outputs
    else:
        assert y.dtype == np.int32 and y.shape == (9, time)
        assert 0 <= y.min() and y.max() < task.n_outputs
    baseline = task.baseline(T)
    assert not task.is_solved(baseline, T)  # the input-blind predictor never counts as solving
    assert task.criterion and task.loss and task.metric_name


@pytest.mark.parametrize("name", sorted(TASKS))
def test_seeding(name):
    generate = TASKS[name].generate
    x1, y1 = generate(16, T, 5)
    x2, y2 = generate(16, T, 5)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    x3, _ = generate(16, T, 6)
    assert not np.array_equal(x1, x3)
    rng = np.random.default_rng(5)
    xa, _ = generate(16, T, rng)
    xb, _ = generate(16, T, rng)
    np.testing.assert_array_equal(xa, x1)  # a Generator seeded 5 draws what seed 5 draws...
    assert not np.array_equal(xa, xb)  # ...and advances, so the next call is fresh


@pytest.mark.parametrize("name", sorted(TASKS))
def test_minimum_T_is_what_the_registry_generator_accepts(name):
    """check_T (what run_task and the command line use) accepts exactly the lengths the generator can make:
    latch and two_sequence need T > L = 3, so 4 is their minimum, not 2."""
    task = TASKS[name]
    task.check_T(MIN_T[name])
    x, _ = task.generate(2, MIN_T[name], 0)
    assert x.shape == (2, task.sequence_length(MIN_T[name]), task.input_dim)
    with pytest.raises(ValueError, match="too small"):
        task.check_T(MIN_T[name] - 1)
    with pytest.raises(ValueError, match=f"T must be >= {MIN_T[name]}"):
        task.generate(2, MIN_T[name] - 1, 0)


def test_bad_generator_arguments_name_the_argument():
    for generate in (generate_latch, generate_two_sequence):
        for s in (-0.1, float("nan")):
            with pytest.raises(ValueError, match="noise variance s"):
                generate(4, 10, 0, s=s)
        with pytest.raises(ValueError, match="T must be >= 6"):
            generate(4, 5, 0, L=5)
    with pytest.raises(TypeError, match="T must be an integer"):
        generate_adding(4, 2.5, 0)
    with pytest.raises(TypeError, match="n must be an integer"):
        generate_parity(4.0, 6, 0)
    with pytest.raises(TypeError, match="T must be an integer"):
        TASKS["adding"].check_T(10.0)
    with pytest.raises(ValueError, match="n_symbols"):
        generate_recall(4, 6, 0, n_symbols=2.5)
    with pytest.raises(ValueError, match="seed must be"):
        generate_copy(4, 6, -1)


def test_registry_baselines_and_lookup():
    assert TASKS["adding"].baseline(200) == pytest.approx(1 / 6)
    assert TASKS["copy"].baseline(100) == pytest.approx(10 * np.log(8) / 120)
    assert TASKS["recall"].baseline(50) == pytest.approx(1 / 8)
    assert TASKS["parity"].baseline(50) == 0.5
    assert TASKS["adding"].is_solved(0.009, 200) and not TASKS["adding"].is_solved(0.01, 200)
    assert TASKS["parity"].is_solved(0.95, 10) and not TASKS["parity"].is_solved(0.94, 10)
    with pytest.raises(KeyError, match="unknown task"):
        get_task("nope")
    with pytest.raises(ValueError, match="even"):
        TASKS["brackets"].check_T(11)


def test_adding_markers_and_target():
    x, y = generate_adding(500, 30, 0)
    markers = x[..., 1]
    assert set(np.unique(markers)) == {0.0, 1.0}
    assert np.all(markers[:, :15].sum(axis=1) == 1) and np.all(markers[:, 15:].sum(axis=1) == 1)
    np.testing.assert_allclose(y[:, 0], (x[..., 0] * markers).sum(axis=1), rtol=1e-6)
    assert x[..., 0].min() >= 0.0 and x[..., 0].max() < 1.0


def test_adding_constant_one_has_mse_one_sixth():
    _, y = generate_adding(200_000, 4, 1)
    assert np.mean((y - 1.0) ** 2) == pytest.approx(1 / 6, abs=0.003)


def test_copy_layout():
    n, T_copy = 50, 7
    x, y = generate_copy(n, T_copy, 0)
    tokens = x.argmax(-1)
    assert np.all(x.sum(-1) == 1)  # one-hot
    symbols = tokens[:, :10]
    assert symbols.min() >= 1 and symbols.max() <= 8
    np.testing.assert_array_equal(y[:, -10:], symbols)
    assert np.all(y[:, :-10] == 0)
    assert np.all(tokens[:, T_copy + 9] == COPY_DELIMITER)
    rest = np.delete(tokens[:, 10:], T_copy - 1, axis=1)
    assert np.all(rest == 0)


def test_recall_label_is_first_symbol():
    x, y = generate_recall(300, 9, 0)
    np.testing.assert_array_equal(y, x[:, 0].argmax(-1))
    assert len(np.unique(y)) == 8


@pytest.mark.parametrize("encoding", ["signed", "binary"])
def test_parity_labels(encoding):
    x, y = generate_parity(400, 11, 0, encoding=encoding)
    values = x[..., 0]
    bits = (values > 0).astype(int)
    allowed = {-1.0, 1.0} if encoding == "signed" else {0.0, 1.0}
    assert set(np.unique(values)) == allowed
    np.testing.assert_array_equal(y, bits.sum(axis=1) % 2)
    assert y.sum() == 200


def _balanced_by_stack(chars):
    """Independent check: a stack of open brackets must never underflow and must end empty."""
    depth = 0
    for c in chars:
        depth += 1 if c == "(" else -1
        if depth < 0:
            return False
    return depth == 0


def test_brackets_labels_and_hard_negatives():
    x, y = generate_brackets(400, 14, 0)
    assert np.all(x.sum(-1) == 1)
    strings = ["".join("()"[i] for i in row) for row in x.argmax(-1)]
    assert [int(_balanced_by_stack(s)) for s in strings] == y.tolist()
    assert y.sum() == 200
    negatives = [s for s, label in zip(strings, y) if label == 0]
    hard = [s for s in negatives if s.count("(") == s.count(")")]
    miscounted = [s for s in negatives if s.count("(") != s.count(")")]
    assert len(hard) > 60 and len(miscounted) > 60  # about half of the 200 negatives each
    assert all(abs(s.count("(") - s.count(")")) == 2 for s in miscounted)  # one flipped bracket
    assert not _balanced_by_stack("())(")  # the independent check itself knows a hard negative


def test_brackets_all_hard_and_odd_T():
    x, y = generate_brackets(60, 8, 1, hard_fraction=1.0)
    counts = x[y == 0].sum(axis=1)
    np.testing.assert_array_equal(counts[:, 0], counts[:, 1])
    with pytest.raises(ValueError, match="even"):
        generate_brackets(4, 9, 0)


@pytest.mark.parametrize("length", [10, 11])
def test_palindromes(length):
    x, y = generate_palindrome(300, length, 0)
    tokens = x.argmax(-1)
    is_palindrome = np.all(tokens == tokens[:, ::-1], axis=1)
    np.testing.assert_array_equal(is_palindrome.astype(int), y)
    mismatches = (tokens != tokens[:, ::-1]).sum(axis=1)
    assert np.all(mismatches[y == 0] == 2)  # one substituted symbol: one mismatched mirror pair


@pytest.mark.parametrize("length", [10, 11])
def test_palindrome_negatives_are_spread_over_every_pair_and_symbol_pair(length):
    """A negative is a uniform palindrome with one off-middle symbol changed to a uniformly chosen other symbol, so
    its one mismatched mirror pair (i, T-1-i), i < T // 2, is uniform over the T // 2 = 5 pairs, and the pair's
    symbols (left, right) are uniform over the 4 * 3 = 12 ordered pairs of different symbols. With about 2,000
    negatives each count is within 25 % of its expectation (about 400 and 167; >= 3 standard deviations).

    Which side of a pair was changed cannot be seen: a pair (f, f) with f uniform becomes (f + s, f) or (f, f + s),
    both uniform over the ordered pairs of different symbols, so changing only first-half symbols would give
    strings with the same distribution."""
    x, y = generate_palindrome(4000, length, 0)
    tokens = x.argmax(-1)[y == 0]
    half = length // 2
    left, right = tokens[:, :half], tokens[:, ::-1][:, :half]
    mismatched = left != right
    assert np.all(mismatched.sum(axis=1) == 1)
    pair = mismatched.argmax(axis=1)
    rows = np.arange(len(tokens))
    symbols = 4 * left[rows, pair] + right[rows, pair]
    pair_counts = np.bincount(pair, minlength=half)
    symbol_counts = np.bincount(symbols, minlength=16)[[4 * a + b for a in range(4) for b in range(4) if a != b]]
    assert np.all(np.abs(pair_counts / (len(tokens) / half) - 1) < 0.25), pair_counts
    assert np.all(np.abs(symbol_counts / (len(tokens) / 12) - 1) < 0.25), symbol_counts


def test_latch_information_only_in_first_L_steps():
    L, s = 4, 0.3
    x, y = generate_latch(4000, 20, 0, L=L, s=s)
    np.testing.assert_array_equal(x[:, :L, 0], np.repeat((2.0 * y - 1.0)[:, None], L, axis=1))
    for label in (0, 1):
        tail = x[y == label, L:, 0]
        assert abs(tail.mean()) < 0.02 and tail.var() == pytest.approx(s, rel=0.05)


def test_two_sequence_prototypes_plus_noise():
    L, s = 3, 0.2
    x, y = generate_two_sequence(4000, 15, 0, L=L, s=s)
    prototypes = two_sequence_prototypes(L)
    np.testing.assert_array_equal(prototypes, two_sequence_prototypes(L))  # fixed, seed-independent
    noise_head = x[:, :L, 0] - prototypes[y]
    assert abs(noise_head.mean()) < 0.02 and noise_head.var() == pytest.approx(s, rel=0.05)
    for label in (0, 1):
        tail = x[y == label, L:, 0]
        assert abs(tail.mean()) < 0.02 and tail.var() == pytest.approx(s, rel=0.05)
    nearest = np.argmin(((x[:, :L, 0][:, None, :] - prototypes[None]) ** 2).sum(-1), axis=1)
    assert np.mean(nearest == y) > 0.95  # the first L steps carry the class (Bayes rate ~0.997)


@pytest.mark.parametrize("labels", [np.zeros(4, int), np.array([0, 1, 0, 1])])
def test_diverged_predictions_score_nan_and_are_never_solved(labels):
    """A run whose softmax came out NaN used to score 0.5 (argmax of a NaN row is class 0), or 1.0 on labels that
    are all class 0, which is_solved then called solved."""
    for bad in (np.nan, np.inf):
        probs = np.full((4, 2), bad)
        assert np.isnan(TASKS["latch"].metric(labels, probs))
        assert np.isnan(TASKS["copy"].metric(np.zeros((4, 3), int), np.full((4, 3, 10), bad)))
    probs = np.array([[0.9, 0.1], [np.nan, np.nan], [0.9, 0.1], [0.1, 0.9]])  # one diverged row spoils the set
    assert np.isnan(TASKS["parity"].metric(labels, probs))
    assert np.isnan(TASKS["adding"].metric(np.ones((4, 1)), np.full((4, 1), np.nan)))
    for name, task in TASKS.items():
        for value in (np.nan, np.inf, -np.inf):
            assert not task.is_solved(value, 12), (name, value)
    assert TASKS["latch"].metric(labels, np.eye(2)[labels]) == 1.0  # finite predictions still score as before


def test_metrics_refuse_mismatched_shapes_naming_both():
    """(n, 1) against (n,) broadcast to an (n, n) comparison and gave a number (0.5 for a perfect prediction)."""
    with pytest.raises(ValueError, match=r"mean_squared_error: y_true has shape \(2, 1\) and the predictions \(2,\)"):
        TASKS["adding"].metric(np.array([[0.0], [1.0]]), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"accuracy: y_true has shape \(2, 1\) and the predictions \(2, 2\)"):
        TASKS["parity"].metric(np.array([[0], [1]]), np.array([[0.9, 0.1], [0.1, 0.9]]))
    with pytest.raises(ValueError, match=r"accuracy: y_true has shape \(3,\) and the predictions \(2, 2\)"):
        TASKS["parity"].metric(np.array([0, 1, 0]), np.array([[0.9, 0.1], [0.1, 0.9]]))
    with pytest.raises(ValueError, match=r"cross_entropy_per_step: y_true has shape \(2, 3\) and the predictions "
                                         r"\(2, 4, 10\)"):
        TASKS["copy"].metric(np.zeros((2, 3), int), np.full((2, 4, 10), 0.1))
    assert TASKS["adding"].metric(np.array([[0.0], [1.0]]), np.array([[0.0], [1.0]])) == 0.0
    # a target token outside the vocabulary (or not a whole number) used to reach numpy's own IndexError
    with pytest.raises(ValueError, match=r"cross_entropy_per_step: target 10 at \(1, 2\) is not a token index in "
                                         r"0 \.\. 9"):
        TASKS["copy"].metric(np.array([[0, 1, 2], [3, 4, 10]]), np.full((2, 3, 10), 0.1))
    with pytest.raises(ValueError, match="must be token indices .integers., got float64"):
        TASKS["copy"].metric(np.zeros((2, 3)), np.full((2, 3, 10), 0.1))
    assert np.isclose(TASKS["copy"].metric(np.zeros((2, 3), int), np.full((2, 3, 10), 0.1)), np.log(10))
    assert TASKS["parity"].metric(np.array([0, 1]), np.array([[0.9, 0.1], [0.1, 0.9]])) == 1.0


@pytest.mark.parametrize("seed", [None, 1.5, "a", True, [1, 2]])
def test_seed_of_another_type_is_refused(seed):
    """None used to draw from fresh OS entropy (a different set every call); floats and strings reached numpy's
    SeedSequence error."""
    with pytest.raises(TypeError, match="seed must be an integer >= 0 or a numpy.random.Generator"):
        generate_adding(4, 6, seed)


def test_numpy_integer_seed_is_an_integer():
    np.testing.assert_array_equal(generate_adding(4, 6, np.int64(5))[0], generate_adding(4, 6, 5)[0])
    with pytest.raises(ValueError, match="seed must be"):
        generate_adding(4, 6, np.int32(-2))


@pytest.mark.parametrize("hard_fraction", ["0.5", None, True])
def test_brackets_hard_fraction_must_be_a_number(hard_fraction):
    with pytest.raises(TypeError, match="brackets: hard_fraction must be a number in"):
        generate_brackets(4, 8, 0, hard_fraction=hard_fraction)
    with pytest.raises(ValueError, match="brackets: hard_fraction must be in"):
        generate_brackets(4, 8, 0, hard_fraction=float("nan"))


@pytest.mark.parametrize("generate", [generate_latch, generate_two_sequence, generate_parity, generate_brackets,
                                      generate_palindrome])
def test_labels_are_balanced_and_an_odd_one_is_either_class(generate):
    """Found in audit: with n = 1 every example was class 0 (n // 2 positives), so a data source drawing one
    example at a time, or --batch 1, trained on one class only."""
    singles = [int(generate(1, 8, seed=seed)[1][0]) for seed in range(40)]
    assert 10 <= sum(singles) <= 30
    for n in (2, 7, 10):
        ones = [int(generate(n, 8, seed=seed)[1].sum()) for seed in range(20)]
        assert set(ones) <= {n // 2, (n + 1) // 2} and (n % 2 == 0 or len(set(ones)) == 2)
