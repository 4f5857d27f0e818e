"""Chapter 05's exercises: attention scores, a causal mask, reading an attention map."""

from __future__ import annotations

import math

import torch

from . import exercise, returned


def attention_scores(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """Scaled dot-product scores (T_q, T_k) of queries q (T_q, d) against keys k (T_k, d)."""
    d = q.shape[-1]
    return q @ k.T / math.sqrt(d)


def apply_causal_mask(scores: torch.Tensor) -> torch.Tensor:
    """A copy of the (T, T) ``scores`` with -inf wherever the key comes after the query."""
    T = scores.shape[0]
    future = torch.ones(T, T, dtype=torch.bool).triu(diagonal=1)  # True above the diagonal
    return scores.masked_fill(future, float("-inf"))


def reversal_source(p: int, n: int) -> int:
    """The position that query ``p`` (n <= p < 2n) attends to when reversing n letters."""
    return 2 * n - 1 - p


def _as_tensor(got) -> torch.Tensor:
    got = returned(got)
    assert isinstance(got, torch.Tensor), f"return a torch tensor, got {type(got).__name__}"
    return got


@exercise("attention_scores", solution=attention_scores)
def check_attention_scores(answer) -> str:
    g = torch.Generator().manual_seed(5)
    for T_q, T_k, d in ((3, 3, 2), (4, 6, 16), (1, 5, 8)):
        q, k = torch.randn(T_q, d, generator=g), torch.randn(T_k, d, generator=g)
        want = attention_scores(q, k)
        got = _as_tensor(answer(q.clone(), k.clone())).float()
        if tuple(got.shape) == (T_k, T_q) and torch.allclose(got.T, want, atol=1e-5):
            raise AssertionError(
                f"got shape {tuple(got.shape)}, but rows are queries: use q @ k.T, not k @ q.T"
            )
        assert tuple(got.shape) == (T_q, T_k), (
            f"for q of shape {(T_q, d)} and k of shape {(T_k, d)} the scores have shape "
            f"{(T_q, T_k)} (one per query and key), got {tuple(got.shape)}"
        )
        if torch.allclose(got, q @ k.T, atol=1e-5) and d > 1:
            raise AssertionError(f"got q @ k.T unscaled: divide by sqrt(d) = sqrt({d})")
        if torch.allclose(got, q @ k.T / d, atol=1e-5) and d > 1:
            raise AssertionError(f"you divided by d = {d}: divide by sqrt(d) instead")
        if torch.allclose(got, torch.softmax(want, dim=-1), atol=1e-5):
            raise AssertionError("these are the weights (after softmax): return the scores")
        assert torch.allclose(got, want, atol=1e-5), (
            f"for q of shape {(T_q, d)} and k of shape {(T_k, d)}, entry [i, j] should be "
            f"q[i] · k[j] / sqrt({d}); the largest difference is {(got - want).abs().max():.3g}"
        )
    return "correct: score[i, j] = q[i] · k[j] / sqrt(d), one row per query"


@exercise("apply_causal_mask", solution=apply_causal_mask)
def check_apply_causal_mask(answer) -> str:
    g = torch.Generator().manual_seed(6)
    for T in (3, 6, 1):
        scores = torch.randn(T, T, generator=g)
        before = scores.clone()
        got = _as_tensor(answer(scores))
        want = apply_causal_mask(before)
        assert torch.equal(scores, before), (
            "your function changed its input: return a masked copy (masked_fill, not "
            "masked_fill_; or clone first)"
        )
        assert tuple(got.shape) == (T, T), f"expected shape {(T, T)}, got {tuple(got.shape)}"
        future = torch.ones(T, T, dtype=torch.bool).triu(diagonal=1)
        if T > 1 and torch.equal(got[future], torch.zeros(int(future.sum()))):
            raise AssertionError(
                "the future holds 0, but softmax gives a score of 0 the weight e^0 > 0: "
                "masked scores must be float('-inf')"
            )
        if (
            T > 1
            and not bool(torch.isneginf(got[future]).any())
            and bool(torch.isneginf(got[future.T]).all())
        ):
            raise AssertionError(
                "you masked the past (below the diagonal) and kept the future: the future is "
                "above the diagonal, where the key's column j is greater than the query's row i "
                "(torch.triu(..., diagonal=1), not tril)"
            )
        if T > 1 and bool(torch.isneginf(got.diagonal()).all()):
            raise AssertionError("you masked the diagonal: a query may attend to itself")
        if T > 1 and bool((got[future] < -1e4).all()) and not torch.isneginf(got[future]).all():
            raise AssertionError(
                f"the future holds {got[future].max().item():.3g}, a large negative number. "
                "That often works (its exp underflows to 0), but the exercise, like the masks "
                "in this chapter, asks for exactly float('-inf'), whose weight is 0 by definition"
            )
        assert torch.equal(got, want), (
            f"for a {T}x{T} score matrix, entries with column > row must be -inf and the "
            f"others unchanged; expected\n{want}\ngot\n{got}"
        )
    return "correct: row i keeps its scores for keys 0..i and -inf after them"


@exercise("reversal_source", solution=reversal_source)
def check_reversal_source(answer) -> str:
    for n in (8, 3, 5, 1):
        queries = range(n, 2 * n)
        want = [reversal_source(p, n) for p in queries]
        got = [returned(answer(p, n)) for p in queries]
        got = [int(g) for g in got]
        if got == want:
            continue
        if got == [p - n for p in queries]:
            raise AssertionError(
                f"for n={n} you map queries {n}..{2 * n - 1} to {got}: that would copy the "
                "letters in order; the map runs the other way (an anti-diagonal)"
            )
        if all(abs(g - w) == 1 for g, w in zip(got, want, strict=True)):
            raise AssertionError(
                f"for n={n} every answer is one position off: the separator (at position "
                f"n = {n}) predicts the last letter, which sits at position n - 1 = {n - 1}"
            )
        p = next(p for p, g, w in zip(queries, got, want, strict=True) if g != w)
        raise AssertionError(
            f"for n={n}, the query at position {p} attends to position "
            f"{reversal_source(p, n)}, got {answer(p, n)}. Read the anti-diagonal: as the "
            "query moves right by one, the key moves left by one"
        )
    return "correct: query p attends to position 2n - 1 - p (the anti-diagonal)"
