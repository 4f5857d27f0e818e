"""The Word Embedding Association Test (WEAT) and its sentence form, SEAT (chapter 09).

Caliskan et al. (2017) measure bias in an embedding with two lists of target words X, Y (e.g.
flowers, insects) and two of attribute words A, B (pleasant, unpleasant). A word's
*association* is how much nearer it is to A than to B::

    s(w, A, B) = mean_{a in A} cos(w, a) − mean_{b in B} cos(w, b)

The *effect size* compares the targets, in units of the spread of their associations (ddof=1)::

    d = (mean_{x in X} s(x, A, B) − mean_{y in Y} s(y, A, B)) / std_{w in X ∪ Y} s(w, A, B)

d > 0: X leans to A and Y to B; |d| ≈ 0.2 is called small, 0.5 medium, 0.8 large. The
*p-value* asks how often an arbitrary split of X ∪ Y into two lists of the same sizes gives a
test statistic at least as large as the real split's (one-sided)::

    S(X, Y) = sum_{x in X} s(x, A, B) − sum_{y in Y} s(y, A, B)
    p = share of splits (X_i, Y_i), |X_i| = |X|, with S(X_i, Y_i) ≥ S(X, Y)

SEAT (May et al. 2019) is the same test on a sentence encoder: each word is put into bleached
templates ("This is {}.", see ``data.bias_words``) and every sentence is one item of its list.

>>> X, Y = [[1.0, 0.0], [0.8, 0.6]], [[0.0, 1.0], [0.6, 0.8]]
>>> A, B = [[1.0, 0.0]], [[0.0, 1.0]]
>>> association(X, A, B)
tensor([1.0000, 0.2000], dtype=torch.float64)
>>> round(effect_size(X, Y, A, B), 4), permutation_p_value(X, Y, A, B)
(1.4412, 0.16666666666666666)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np
import torch

from .._checks import finite, positive_int

Vectors = torch.Tensor | np.ndarray | Sequence[Sequence[float]]
Embed = Callable[[list[str]], Vectors]


def _matrix(name: str, vectors: Vectors) -> torch.Tensor:
    """``vectors`` as a float64 tensor (n, dim); an empty list is an error."""
    if isinstance(vectors, torch.Tensor):
        m = vectors.detach().to("cpu", torch.float64)
    else:
        if isinstance(vectors, str) or any(isinstance(v, str) for v in _items(vectors)):
            raise TypeError(
                f"{name} holds words, but this function takes their vectors: embed them first, "
                "or call L.weat(X, Y, A, B, embed), which does."
            )
        try:
            m = torch.as_tensor(np.asarray(vectors, dtype=np.float64))
        except (TypeError, ValueError):
            raise ValueError(
                f"{name} must be an (n, dim) array of numbers, one row per word, all rows "
                f"equally long; got {type(vectors).__name__} {vectors!r:.60}."
            ) from None
    finite(m, name)
    if m.ndim not in (1, 2) or m.numel() == 0:
        raise ValueError(
            f"{name} must hold at least one vector, as an (n, dim) array; got shape "
            f"{tuple(m.shape)}. Give every word list at least one word."
        )
    return m[None, :] if m.ndim == 1 else m  # (dim,) -> (1, dim)


def _items(vectors: object) -> list:
    """The first items of a sequence (or nothing), to spot words where vectors belong."""
    return list(vectors[:3]) if isinstance(vectors, Sequence) else []


def association(w: Vectors, A: Vectors, B: Vectors) -> torch.Tensor:
    """s(w, A, B): mean cosine to A minus mean cosine to B; ``w`` (dim,) -> a 0-d tensor,
    (n, dim) -> (n,). Vectors need not have unit length."""
    single = np.ndim(w) == 1
    W, A, B = (_matrix(n, v) for n, v in (("w", w), ("A", A), ("B", B)))
    if not W.shape[1] == A.shape[1] == B.shape[1]:
        raise ValueError(
            f"All vectors need the same length: w has {W.shape[1]}, A {A.shape[1]}, "
            f"B {B.shape[1]}. Embed every list with the same model."
        )
    W, A, B = (torch.nn.functional.normalize(m, dim=-1) for m in (W, A, B))  # unit rows
    s = (W @ A.T).mean(dim=1) - (W @ B.T).mean(dim=1)  # (n, |A|) -> (n,) minus (n,)
    return s[0] if single else s


def effect_size(X: Vectors, Y: Vectors, A: Vectors, B: Vectors) -> float:
    """Caliskan's d: the gap between the mean associations of X and Y, divided by the
    standard deviation (ddof=1) of the associations of all of X ∪ Y."""
    s_x, s_y = association(_matrix("X", X), A, B), association(_matrix("Y", Y), A, B)
    s_all = torch.cat([s_x, s_y])  # (|X| + |Y|,)
    if len(s_all) < 2:
        raise ValueError("X and Y together need at least two words for a standard deviation.")
    spread = float(s_all.std(correction=1))
    if spread <= 1e-12:
        raise ValueError(
            f"Every word of X and Y has the same association ({float(s_all[0]):.4g}), so their "
            "standard deviation is 0 and d = 0 / 0 is undefined. That happens when X and Y "
            "are the same word(s), or A and B are the same: give lists that differ."
        )
    return float((s_x.mean() - s_y.mean()) / spread)


def leave_one_out(
    X: Vectors, Y: Vectors, A: Vectors, B: Vectors
) -> tuple[list[float], list[float], list[float], list[float]]:
    """How much rests on single words: d with each row of X, Y, A and B left out in turn.
    Returns four lists, one d per row of X, of Y, of A and of B, in their order."""
    lists = [_matrix(name, m) for name, m in (("X", X), ("Y", Y), ("A", A), ("B", B))]
    for name, m in zip("XYAB", lists, strict=True):
        if len(m) < 2:
            raise ValueError(
                f"{name} has {len(m)} vector: leaving one out would leave it empty. Give every "
                "list at least two vectors (WEAT 6 has eight words in each)."
            )
    out: list[list[float]] = []
    for which, vectors in enumerate(lists):
        ds = []
        for i in range(len(vectors)):
            kept = torch.cat([vectors[:i], vectors[i + 1 :]])  # (n - 1, dim)
            ds.append(effect_size(*(kept if j == which else m for j, m in enumerate(lists))))
        out.append(ds)
    return out[0], out[1], out[2], out[3]


def permutation_p_value(
    X: Vectors, Y: Vectors, A: Vectors, B: Vectors, permutations: int = 10_000, seed: int = 0
) -> float:
    """One-sided p-value of S(X, Y) = sum_x s(x) − sum_y s(y) over re-splits of X ∪ Y.

    *Exact* when the number of splits, C(|X| + |Y|, |X|), is at most ``permutations``: every
    split is tried (the real one included) and p is the share with S ≥ the real S. Otherwise
    *sampled*: ``permutations`` random splits from ``numpy.random.default_rng(seed)`` and
    p = (1 + number with S ≥ the real S) / (1 + permutations), never 0. (WEAT 6-8 have
    C(16, 8) = 12,870 splits, so with the default 10,000 they are sampled.) S ≥ allows a
    relative 1e-12 for rounding, so a split with the same S counts, the real one too.
    """
    positive_int(permutations, "permutations (random splits to try, e.g. 10_000)")
    positive_int(seed, "seed", minimum=0)
    s_x, s_y = association(_matrix("X", X), A, B), association(_matrix("Y", Y), A, B)
    s = torch.cat([s_x, s_y]).numpy()  # (n,): X's words first
    n, k = len(s), len(s_x)
    # S(X_i, Y_i) = sum(X_i) − (total − sum(X_i)) grows with sum(X_i): compare those sums.
    observed = s[:k].sum()
    tolerance = 1e-12 * np.abs(s).sum()
    if math.comb(n, k) <= permutations:  # exact: every split, in itertools order
        splits = np.array(list(itertools.combinations(range(n), k)), dtype=np.int64)
        sums = s[splits].sum(axis=1)  # (C(n, k), k) -> (C(n, k),)
        return float(np.mean(sums >= observed - tolerance))
    rng = np.random.default_rng(seed)
    count, chunk = 0, max(1, 1_000_000 // n)  # at most ~1M indices in memory at once
    for start in range(0, permutations, chunk):
        rows = min(chunk, permutations - start)
        shuffled = rng.permuted(np.tile(np.arange(n), (rows, 1)), axis=1)  # (rows, n)
        sums = s[shuffled[:, :k]].sum(axis=1)  # (rows, k) -> (rows,)
        count += int(np.sum(sums >= observed - tolerance))
    return (1 + count) / (1 + permutations)


def _check_words(name: str, words: Sequence[str]) -> list[str]:
    if isinstance(words, str):
        raise TypeError(f"{name} must be a list of words, e.g. 'rose tulip'.split(), not a string.")
    words = list(words)
    if not words:
        raise ValueError(f"{name} is empty: every list needs at least one word (WEAT 6 has 8).")
    return words


def weat(
    X: Sequence[str],
    Y: Sequence[str],
    A: Sequence[str],
    B: Sequence[str],
    embed: Embed,
    permutations: int = 10_000,
    seed: int = 0,
) -> tuple[float, float]:
    """(effect size d, p-value) of WEAT on the texts X, Y (targets) and A, B (attributes).

    ``embed`` turns a list of texts into one vector per text, e.g.
    ``lambda texts: L.embed_sentences(texts, model, tokenizer)`` for chapter 07's MiniLM; it
    is called once, on all four lists together. Words or SEAT sentences alike: for SEAT pass
    ``seat_sentences(words)`` as each list. See :func:`permutation_p_value` for when p is exact.
    """
    X, Y, A, B = (_check_words(n, w) for n, w in (("X", X), ("Y", Y), ("A", A), ("B", B)))
    if not callable(embed):
        raise TypeError(
            f"embed must be a function from a list of texts to their vectors, got "
            f"{type(embed).__name__}; e.g. lambda texts: L.embed_sentences(texts, model, "
            "tokenizer)."
        )
    positive_int(permutations, "permutations (random splits to try, e.g. 10_000)")
    if len(X) != len(Y):
        raise ValueError(
            f"X has {len(X)} texts and Y has {len(Y)}: WEAT compares target lists of the same "
            "size. Drop texts from the longer list or add to the shorter (effect_size and "
            "permutation_p_value take vectors and accept lists of different sizes)."
        )
    vectors = _matrix("embed(texts)", embed(X + Y + A + B))  # (|X|+|Y|+|A|+|B|, dim)
    if len(vectors) != len(X) + len(Y) + len(A) + len(B):
        raise ValueError(
            f"embed gave {len(vectors)} vectors for {len(X) + len(Y) + len(A) + len(B)} texts: "
            "it must return one vector per text, in order."
        )
    ends = np.cumsum([len(X), len(Y), len(A)])
    vx, vy, va, vb = torch.tensor_split(vectors, ends.tolist())
    d = effect_size(vx, vy, va, vb)
    return d, permutation_p_value(vx, vy, va, vb, permutations=permutations, seed=seed)
