"""Chapter 01's exercises: next-token pairs, negative log-likelihood, perplexity."""

from __future__ import annotations

import math

import torch

from . import exercise, returned


def next_token_pairs(ids: list[int], context: int = 1) -> list[tuple[tuple[int, ...], int]]:
    """Every (previous ``context`` ids, next id) pair in ``ids``, in order."""
    return [(tuple(ids[t - context : t]), ids[t]) for t in range(context, len(ids))]


def negative_log_likelihood(probs: torch.Tensor, ids: list[int]) -> float:
    """Mean of -ln P(ids[t+1] | ids[t]) under the bigram table ``probs`` (rows = current)."""
    surprises = []
    for t in range(len(ids) - 1):
        current, following = ids[t], ids[t + 1]
        surprises.append(-math.log(float(probs[current, following])))
    return sum(surprises) / len(surprises)


def perplexity(target_probs: list[float]) -> float:
    """exp of the mean negative log of the probabilities given to the true next tokens."""
    return math.exp(-sum(math.log(p) for p in target_probs) / len(target_probs))


@exercise("next_token_pairs", solution=next_token_pairs)
def check_pairs(answer) -> str:
    cases = [
        ([5, 2, 7, 1], 1),
        ([5, 2, 7, 1], 2),
        ([3, 3, 3], 1),
        ([1, 2, 3, 4, 5, 6], 4),
        ([9], 1),
    ]
    for ids, context in cases:
        want = next_token_pairs(ids, context)
        got = returned(answer(list(ids), context))
        got = [(tuple(int(i) for i in ctx), int(y)) for ctx, y in got]
        assert len(got) == len(want), (
            f"for ids={ids} and context={context} there are {len(want)} pairs "
            f"(one for each id after the first {context}), you returned {len(got)}"
        )
        assert got == want, f"for ids={ids}, context={context} expected {want}, got {got}"
    return "correct: [5, 2, 7, 1] with context 2 gives " + str(next_token_pairs([5, 2, 7, 1], 2))


@exercise("negative_log_likelihood", solution=negative_log_likelihood)
def check_nll(answer) -> str:
    g = torch.Generator().manual_seed(0)
    probs = torch.softmax(torch.randn(5, 5, generator=g), dim=1)
    for ids in ([0, 1, 2, 3, 4], [4, 4, 0, 2], [1, 3]):
        want = negative_log_likelihood(probs, ids)
        got = returned(answer(probs, list(ids)))
        got = float(got)
        assert got > 0 or want <= 0, f"got {got:.4f}: the NLL is -ln p, a positive number"
        if math.isclose(got, want * (len(ids) - 1), rel_tol=1e-4) and len(ids) > 2:
            raise AssertionError(f"got {got:.4f}, the sum: divide by the number of pairs")
        for base, name in ((10, "log10"), (2, "log2")):
            if math.isclose(got, want / math.log(base), rel_tol=1e-4):
                raise AssertionError(
                    f"got {got:.4f}: that is {name}; use the natural log (math.log)"
                )
        transposed = negative_log_likelihood(probs.T, ids)
        if math.isclose(got, transposed, rel_tol=1e-4) and not math.isclose(got, want):
            raise AssertionError("rows are the current token: use probs[current, next]")
        assert math.isclose(got, want, rel_tol=1e-4), (
            f"for ids={ids} expected {want:.4f}, got {got:.4f} (average -ln P(next | current) "
            "over the consecutive pairs). The table was a random 5x5 one: "
            "torch.softmax(torch.randn(5, 5, generator=torch.Generator().manual_seed(0)), dim=1)"
        )
    uniform = torch.full((4, 4), 0.25)
    assert math.isclose(float(answer(uniform, [0, 1, 2])), math.log(4), rel_tol=1e-4), (
        "a uniform table over 4 tokens must give ln 4"
    )
    return "correct: a uniform table over 4 tokens gives ln 4 = 1.386 nats, as it should"


@exercise("perplexity", solution=perplexity)
def check_perplexity(answer) -> str:
    for probs in ([0.25] * 4, [0.5, 0.125], [0.9, 0.1, 0.6], [1.0]):
        want = perplexity(probs)
        got = returned(answer(list(probs)))
        got = float(got)
        assert not math.isclose(got, math.log(want), rel_tol=1e-4) or want == 1, (
            f"got {got:.4f}, the NLL: perplexity is exp of it"
        )
        assert math.isclose(got, want, rel_tol=1e-4), (
            f"for target probabilities {probs} expected {want:.4f}, got {got:.4f} "
            "(perplexity = exp(mean of -ln p))"
        )
    return "correct: always guessing 1 of 4 equally likely tokens gives perplexity 4"
