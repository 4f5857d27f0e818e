"""Tests of measures.weat: WEAT's effect size and permutation p-value, by hand and on MiniLM."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from lessons_lib.data.bias_words import WEAT_TESTS
from lessons_lib.measures import weat as W
from lessons_lib.measures.weat import association, effect_size, permutation_p_value, weat

# Six 2-D vectors, not of unit length (the cosine must normalise them):
VECTORS = {
    "x1": [2.0, 0.0],  # unit (1, 0):     cos to a = 1,   to b = 0   -> s = 1
    "x2": [3.0, 4.0],  # unit (0.6, 0.8): cos to a = 0.6, to b = 0.8 -> s = -0.2
    "y1": [0.0, 1.0],  # unit (0, 1):     cos to a = 0,   to b = 1   -> s = -1
    "y2": [4.0, 3.0],  # unit (0.8, 0.6): cos to a = 0.8, to b = 0.6 -> s = 0.2
    "a": [1.0, 0.0],
    "b": [0.0, 2.0],
}
# mean_X s = (1 - 0.2) / 2 = 0.4, mean_Y s = (-1 + 0.2) / 2 = -0.4: a gap of 0.8.
# s over X ∪ Y = 1, -0.2, -1, 0.2: mean 0, sum of squares 1 + 0.04 + 1 + 0.04 = 2.08,
# std (ddof=1) = sqrt(2.08 / 3)  ->  d = 0.8 / sqrt(2.08 / 3) = 0.9608.
HAND_D = 0.8 / math.sqrt(2.08 / 3)
# The C(4, 2) = 6 splits of {1, -0.2, -1, 0.2}, by the sum of X_i: {1, -0.2} = 0.8 (the real
# one), {1, -1} = 0, {1, 0.2} = 1.2, {-0.2, -1} = -1.2, {-0.2, 0.2} = 0, {-1, 0.2} = -0.8.
# Sums >= 0.8: two of six.
HAND_P = 2 / 6


def lookup(texts: list[str]) -> torch.Tensor:
    return torch.tensor([VECTORS[t] for t in texts])


def vectors(*names: str) -> np.ndarray:
    return np.array([VECTORS[n] for n in names])


def random_test(rng: np.random.Generator, nx: int, ny: int, dim: int = 5):
    """X, Y, A, B of random vectors, X shifted a little towards A."""
    a, b = rng.normal(size=(4, dim)), rng.normal(size=(3, dim))
    x = rng.normal(size=(nx, dim)) + 0.3 * a.mean(0)
    return x, rng.normal(size=(ny, dim)), a, b


def our_association(w: np.ndarray, A: np.ndarray, B: np.ndarray) -> np.ndarray:
    unit = lambda m: m / np.linalg.norm(m, axis=-1, keepdims=True)  # noqa: E731
    return (unit(w) @ unit(A).T).mean(1) - (unit(w) @ unit(B).T).mean(1)


def test_association_by_hand():
    s = association(vectors("x1", "x2", "y1", "y2"), vectors("a"), vectors("b"))
    torch.testing.assert_close(s, torch.tensor([1.0, -0.2, -1.0, 0.2], dtype=torch.float64))
    # one vector in, a number out; A with two words: mean cos = (1 + 0) / 2, B: cos = -1
    one = association(torch.tensor([1.0, 0.0]), [[1.0, 0.0], [0.0, 1.0]], [[-3.0, 0.0]])
    assert one.ndim == 0 and float(one) == pytest.approx(0.5 - (-1.0))


def test_effect_size_and_weat_by_hand():
    X, Y, A, B = vectors("x1", "x2"), vectors("y1", "y2"), vectors("a"), vectors("b")
    assert effect_size(X, Y, A, B) == pytest.approx(HAND_D)
    assert permutation_p_value(X, Y, A, B) == pytest.approx(HAND_P)  # 6 splits: exact
    d, p = weat(["x1", "x2"], ["y1", "y2"], ["a"], ["b"], embed=lookup)
    assert d == pytest.approx(HAND_D) and p == pytest.approx(HAND_P)


def test_swapping_x_and_y_negates_d_and_the_exact_p_values_add_up():
    rng = np.random.default_rng(1)
    X, Y, A, B = random_test(rng, 5, 5)
    Y[0] = X[0]  # a word in both lists: splits that swap the two tie with the real one
    assert effect_size(Y, X, A, B) == pytest.approx(-effect_size(X, Y, A, B))
    s = our_association(np.concatenate([X, Y]), A, B)
    sums = np.array([s[list(c)].sum() for c in itertools.combinations(range(10), 5)])
    ties = np.mean(np.isclose(sums, s[:5].sum(), rtol=0, atol=1e-12))
    assert ties == pytest.approx(2 / 252)  # the real split and the one swapping X[0], Y[0]
    p_xy, p_yx = permutation_p_value(X, Y, A, B), permutation_p_value(Y, X, A, B)
    assert p_xy + p_yx == pytest.approx(1 + ties)


@pytest.mark.parametrize("nx, ny", [(5, 5), (4, 6), (1, 3)])
def test_exact_p_value_equals_brute_force(nx, ny):
    X, Y, A, B = random_test(np.random.default_rng(nx * 10 + ny), nx, ny)
    s = our_association(np.concatenate([X, Y]), A, B)
    real = s[:nx].sum() - s[nx:].sum()
    at_least = 0
    splits = list(itertools.combinations(range(nx + ny), nx))
    for xi in splits:
        yi = [i for i in range(nx + ny) if i not in xi]
        at_least += s[list(xi)].sum() - s[yi].sum() >= real - 1e-12
    assert permutation_p_value(X, Y, A, B) == pytest.approx(at_least / len(splits))


def test_sampled_p_value_is_close_to_exact():
    X, Y, A, B = random_test(np.random.default_rng(7), 10, 10)
    n_splits = math.comb(20, 10)  # 184,756
    exact = permutation_p_value(X, Y, A, B, permutations=n_splits)  # enumerates them all
    assert 0.02 < exact < 0.98  # a p-value far from the ends: the comparison says something
    sampled = permutation_p_value(X, Y, A, B, permutations=20_000, seed=3)
    assert abs(sampled - exact) < 0.02
    assert sampled == permutation_p_value(X, Y, A, B, permutations=20_000, seed=3)  # seeded
    assert sampled * 20_001 == pytest.approx(round(sampled * 20_001))  # (1 + count) / (1 + n)


def test_sampled_p_value_is_never_zero():
    X = np.array([[1.0, 0.0]] * 10) + np.linspace(0, 0.01, 10)[:, None]
    Y = np.array([[0.0, 1.0]] * 10) + np.linspace(0, 0.01, 10)[:, None]
    p = permutation_p_value(X, Y, [[1.0, 0.0]], [[0.0, 1.0]], permutations=999)
    assert p == pytest.approx(1 / 1000)  # no random split beats the real one


def test_errors_say_how_to_fix_them():
    with pytest.raises(ValueError, match="X has 2 texts and Y has 1.*Drop texts"):
        weat(["x1", "x2"], ["y1"], ["a"], ["b"], embed=lookup)
    with pytest.raises(ValueError, match="A is empty"):
        weat(["x1"], ["y1"], [], ["b"], embed=lookup)
    with pytest.raises(TypeError, match="list of words"):
        weat("x1", ["y1"], ["a"], ["b"], embed=lookup)
    with pytest.raises(ValueError, match="one vector per text"):
        weat(["x1"], ["y1"], ["a"], ["b"], embed=lambda texts: lookup(texts)[:2])
    with pytest.raises(ValueError, match="same length"):
        association([[1.0, 0.0]], [[1.0, 0.0, 0.0]], [[0.0, 1.0]])
    with pytest.raises(ValueError, match="at least one vector"):
        effect_size(np.zeros((0, 2)), [[1.0, 0.0]], [[1.0, 0.0]], [[0.0, 1.0]])
    with pytest.raises(ValueError, match="permutations .* must be a positive int, got 0"):
        permutation_p_value([[1.0, 0.0]], [[0.0, 1.0]], [[1.0, 0]], [[0, 1.0]], permutations=0)


@pytest.fixture(scope="module")
def minilm():
    from lessons_lib.pretrained.minilm import load_minilm

    return load_minilm()


def test_minilm_finds_flowers_more_pleasant_than_insects(minilm):
    from lessons_lib.pretrained.minilm import embed_sentences

    model, tokenizer = minilm
    test = WEAT_TESTS["WEAT 1"]
    d, p = weat(
        test.x, test.y, test.a, test.b,
        embed=lambda texts: embed_sentences(texts, model, tokenizer),
        permutations=1000,
    )  # fmt: skip
    assert d > 0.5 and p < 0.05


# --- degenerate input ---------------------------------------------------------------------------


def test_targets_with_one_shared_association_are_refused_not_nan():
    A, B = [[1.0, 0.0]], [[0.0, 1.0]]
    X = [[0.8, 0.6]]
    with pytest.raises(
        ValueError, match=r"same association .* standard deviation is 0 and d = 0 / 0"
    ):
        effect_size(X, X, A, B)  # one word, twice: the spread is 0
    with pytest.raises(ValueError, match="or A and B are the same"):
        effect_size([[1.0, 0.0], [0.8, 0.6]], [[0.0, 1.0]], A, A)  # every association 0
    many = [[1.0, 0.0], [0.8, 0.6], [0.6, 0.8]]
    assert effect_size(many, many, A, B) == 0.0  # same lists of several words: d = 0, defined


def test_words_ragged_lists_and_nan_where_vectors_belong():
    A, B = [[1.0, 0.0]], [[0.0, 1.0]]
    with pytest.raises(TypeError, match=r"X holds words, but this function takes their vectors"):
        effect_size(["rose", "tulip"], [[0.0, 1.0]], A, B)
    with pytest.raises(ValueError, match=r"Y must be an \(n, dim\) array of numbers"):
        effect_size([[1.0, 0.0]], [[1.0, 0.0], [1.0]], A, B)
    with pytest.raises(ValueError, match="A has 1 NaN or infinite value"):
        association([[1.0, 0.0]], [[float("nan"), 0.0]], B)
    with pytest.raises(ValueError, match=r"X must hold at least one vector.*got shape \(0,\)"):
        permutation_p_value([], [[0.0, 1.0]], A, B)


def test_weat_names_a_missing_embed_and_bad_permutations():
    with pytest.raises(TypeError, match="embed must be a function from a list of texts"):
        weat(["x"], ["y"], ["a"], ["b"], embed=None)
    with pytest.raises(ValueError, match="permutations .* must be a positive int, got 1.5"):
        weat(["x"], ["y"], ["a"], ["b"], embed=lambda t: np.eye(4), permutations=1.5)


def test_leave_one_out_matches_dropping_each_row_by_hand():
    rng = np.random.default_rng(1)
    X, Y, A, B = (rng.normal(size=(n, 5)) for n in (3, 3, 2, 4))
    by_list = W.leave_one_out(X, Y, A, B)
    assert [len(ds) for ds in by_list] == [3, 3, 2, 4]
    lists = [X, Y, A, B]
    for which, ds in enumerate(by_list):
        for i, d in enumerate(ds):
            kept = [np.delete(m, i, axis=0) if j == which else m for j, m in enumerate(lists)]
            assert d == pytest.approx(W.effect_size(*kept))
    assert len(set(np.round(by_list[0], 9))) == 3  # each left-out word moves d differently
    with pytest.raises(ValueError, match="A has 1 vector: leaving one out would leave it empty"):
        W.leave_one_out(X, Y, A[:1], B)
