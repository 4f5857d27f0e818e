"""Chapter 04's exercises: a stable softmax, cross-entropy by hand, top-k filtering."""

from __future__ import annotations

import contextlib
import math

import torch
import torch.nn.functional as F

from . import exercise, returned

INF = float("inf")


def stable_softmax(x: torch.Tensor) -> torch.Tensor:
    """Softmax over the last dimension of ``x``, safe for huge scores and ``-inf`` entries."""
    shifted = x - x.max(dim=-1, keepdim=True).values  # each row's max becomes 0
    exps = shifted.exp()  # in [0, 1]: nothing overflows
    return exps / exps.sum(dim=-1, keepdim=True)


def cross_entropy_from_logits(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean over the N rows of ``-log softmax(logits[i])[targets[i]]``; logits (N, V)."""
    row_max = logits.max(dim=-1, keepdim=True).values  # (N, 1)
    log_sum_exp = row_max + (logits - row_max).exp().sum(dim=-1, keepdim=True).log()  # (N, 1)
    log_probs = logits - log_sum_exp  # (N, V) log-softmax
    return -log_probs[torch.arange(len(targets)), targets].mean()


def top_k_filter(logits: torch.Tensor, k: int) -> torch.Tensor:
    """A copy of ``logits`` (..., V) where all but the ``k`` highest scores of each row are -inf."""
    kth_highest = logits.topk(k, dim=-1).values[..., -1:]  # (..., 1)
    return logits.masked_fill(logits < kth_highest, float("-inf"))


@contextlib.contextmanager
def _forbidden(owner: object, names: list[str], hint: str):
    """Make ``owner.<name>`` raise an AssertionError with ``hint`` while the check runs."""

    def forbidden(*args, **kwargs):
        raise AssertionError(hint)

    missing = object()
    saved = {name: vars(owner).get(name, missing) for name in names}  # own, not inherited
    try:
        for name in names:
            setattr(owner, name, forbidden)
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                delattr(owner, name)  # the inherited one shows through again
            else:
                setattr(owner, name, value)


def _as_tensor_like(got: object, like: torch.Tensor, what: str) -> torch.Tensor:
    """The learner's result as a float64 tensor shaped like ``like``, or a helpful error."""
    got = returned(got)
    if like.dim() == 0 and isinstance(got, (int, float)):
        got = torch.tensor(float(got))
    assert isinstance(got, torch.Tensor), (
        f"return a torch tensor ({what}), got {type(got).__name__}"
    )
    if like.dim() == 0 and got.numel() == 1:
        got = got.reshape(())
    assert got.shape == like.shape, (
        f"expected {what} of shape {tuple(like.shape)}, got shape {tuple(got.shape)}"
    )
    assert got.is_floating_point(), f"expected {what} as floats, got {got.dtype}"
    return got.detach().double()


@exercise("stable_softmax", solution=stable_softmax)
def check_stable_softmax(answer) -> str:
    hint = (
        "write softmax yourself with exp, max and sum: torch.softmax is the reference it is "
        "compared with"
    )
    g = torch.Generator().manual_seed(0)
    with (
        _forbidden(torch, ["softmax", "log_softmax"], hint),
        _forbidden(torch.Tensor, ["softmax", "log_softmax"], hint),
        _forbidden(F, ["softmax", "log_softmax"], hint),
    ):
        x = torch.randn(6, dtype=torch.float64, generator=g)
        got = _as_tensor_like(answer(x.clone()), x, "probabilities")
        want = stable_softmax(x)
        assert abs(got.sum().item() - 1) < 1e-5, (
            f"the probabilities must sum to 1, yours sum to {got.sum().item():.4f}: divide the "
            "exponentials by their sum"
        )
        assert torch.allclose(got, want, atol=1e-6), (
            f"for x={[round(v, 3) for v in x.tolist()]} expected "
            f"{[round(v, 3) for v in want.tolist()]}, got {[round(v, 3) for v in got.tolist()]}"
        )
        rows = torch.randn(3, 5, generator=g)
        try:
            got = _as_tensor_like(answer(rows.clone()), rows, "probabilities")
        except RuntimeError as err:
            if "must match the size" not in str(err):
                raise
            raise AssertionError(
                f"for a (3, 5) tensor your code raised RuntimeError: {err}. Each row's max must "
                "stay a column you can subtract: x.max(dim=-1, keepdim=True).values has shape "
                "(3, 1); without keepdim=True it is (3,) and lines up with the wrong dimension"
            ) from None
        sums = got.sum(dim=-1)
        assert torch.allclose(sums, torch.ones(3, dtype=sums.dtype), atol=1e-5), (
            f"each row must sum to 1 (softmax over the last dimension), your rows sum to "
            f"{[round(v, 3) for v in sums.tolist()]}: use dim=-1 with keepdim=True"
        )
        assert torch.allclose(got, stable_softmax(rows.double()), atol=1e-6), (
            "for a (3, 5) tensor each row must be the softmax of that row"
        )
        big = torch.tensor([1000.0, 999.0, 998.0])
        got = _as_tensor_like(answer(big.clone()), big, "probabilities")
        assert bool(torch.isfinite(got).all()), (
            f"for scores [1000, 999, 998] you return {got.tolist()}: exp(1000) overflows to inf. "
            "Subtract the largest score first: softmax(x) = softmax(x - max(x))"
        )
        assert torch.allclose(got, stable_softmax(big.double()), atol=1e-6), (
            f"for scores [1000, 999, 998] expected {stable_softmax(big).tolist()}, got "
            f"{got.tolist()}"
        )
        tiny = torch.tensor([[-1000.0, -1001.0], [3.0, 1.0]])
        got = _as_tensor_like(answer(tiny.clone()), tiny, "probabilities")
        assert bool(torch.isfinite(got).all()), (
            f"for the rows [-1000, -1001] and [3, 1] you return {got.tolist()}: subtract each "
            "row's own max (x.max(dim=-1, keepdim=True).values), not one max for the whole "
            "tensor: exp(-1003) underflows to 0, and 0 / 0 is nan"
        )
        assert torch.allclose(got, stable_softmax(tiny.double()), atol=1e-6), (
            f"for the rows [-1000, -1001] and [3, 1] expected {stable_softmax(tiny).tolist()}"
        )
        masked = torch.tensor([2.0, -INF, 0.0, -INF])
        got = _as_tensor_like(answer(masked.clone()), masked, "probabilities")
        assert torch.allclose(got, stable_softmax(masked.double()), atol=1e-6), (
            f"for scores [2, -inf, 0, -inf] expected {stable_softmax(masked).tolist()} (a -inf "
            f"score gets probability 0), got {got.tolist()}"
        )
    return "correct: softmax([1000, 999, 998]) = [0.665, 0.245, 0.090], no overflow"


@exercise("cross_entropy_from_logits", solution=cross_entropy_from_logits)
def check_cross_entropy(answer) -> str:
    hint = (
        "compute it yourself from the logits (log-sum-exp, or your softmax): F.cross_entropy "
        "is the reference it is compared with"
    )
    g = torch.Generator().manual_seed(1)
    with _forbidden(F, ["cross_entropy", "nll_loss"], hint):
        for scale in (1.0, 3.0):
            logits = torch.randn(5, 7, dtype=torch.float64, generator=g) * scale
            targets = torch.randint(7, (5,), generator=g)
            want = cross_entropy_from_logits(logits, targets)
            got = _as_tensor_like(answer(logits.clone(), targets.clone()), want, "a single number")
            if math.isclose(got.item(), -want.item(), rel_tol=1e-5):
                raise AssertionError(
                    f"got {got.item():.4f}: the loss is the *negative* log-probability"
                )
            if math.isclose(got.item(), 5 * want.item(), rel_tol=1e-5):
                raise AssertionError(f"got {got.item():.4f}, the sum: take the mean over rows")
            assert math.isclose(got.item(), want.item(), rel_tol=1e-5), (
                f"for 5 random rows of 7 logits expected {want.item():.4f}, got "
                f"{got.item():.4f}: average -log softmax(logits[i])[targets[i]] over the rows i"
            )
        logits = torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 200.0, 0.0]])
        targets = torch.tensor([1, 0])
        want = cross_entropy_from_logits(logits, targets)  # (1000 + 200) / 2 = 600
        got = _as_tensor_like(answer(logits.clone(), targets.clone()), want, "a single number")
        if got.item() == -INF or math.isnan(got.item()):
            raise AssertionError(
                f"for the logits [[1000, 0, -1000], [0, 200, 0]] you return {got.item()}: a "
                "row's log-sum-exp came out as -inf, because every exp in that row underflowed "
                "to 0. Subtract each row's own max (logits.max(dim=-1, keepdim=True).values), "
                "not one max for the whole batch"
            )
        assert math.isfinite(got.item()), (
            f"for huge logits you return {got.item()}: softmax(...).log() rounds a tiny "
            "probability to 0 and log(0) = -inf. Use log-softmax: "
            "logits - logsumexp(logits), with the max subtracted inside the log-sum-exp"
        )
        assert math.isclose(got.item(), want.item(), rel_tol=1e-5), (
            f"for the logits [[1000, 0, -1000], [0, 200, 0]] with targets [1, 0] expected "
            f"{want.item():.1f}, got {got.item():.4f}"
        )
    return "correct: a target scored 1000 below the best costs 1000 nats, and no overflow"


@exercise("top_k_filter", solution=top_k_filter)
def check_top_k(answer) -> str:
    logits = torch.tensor([1.0, 3.0, 2.0, 0.5, 2.5])
    for k, kept in [(2, [1, 4]), (1, [1]), (3, [1, 2, 4]), (5, [0, 1, 2, 3, 4])]:
        before = logits.clone()
        got = _as_tensor_like(answer(logits, k), logits, "filtered logits")
        assert torch.equal(logits, before), (
            "your function changed its input: work on a copy (masked_fill returns one, "
            "masked_fill_ changes the tensor in place)"
        )
        finite = torch.isfinite(got).nonzero().flatten().tolist()
        assert not (bool((got >= 0).all()) and abs(got.sum().item() - 1) < 1e-5), (
            "you returned probabilities: return the filtered *logits* (the kept scores "
            "unchanged, the others -inf); sampling applies softmax afterwards"
        )
        if sorted(finite) == [0, 1, 2, 3, 4] and k < 5:
            zeros = (got == 0).nonzero().flatten().tolist()
            raise AssertionError(
                f"top_k_filter([1, 3, 2, 0.5, 2.5], {k}) cut nothing to -inf"
                + (
                    ": set the cut scores to -inf, not 0 (exp(0) = 1 is not probability 0)"
                    if zeros
                    else ""
                )
            )
        if abs(len(finite) - k) == 1:
            raise AssertionError(
                f"top_k_filter([1, 3, 2, 0.5, 2.5], {k}) kept {len(finite)} "
                f"token{'' if len(finite) == 1 else 's'}, not {k}: "
                "check for an off-by-one (topk(k).values[..., -1] is the k-th highest)"
            )
        lowest = logits.argsort()[:k].tolist()
        assert sorted(finite) != sorted(lowest) or k == 5, (
            f"top_k_filter([1, 3, 2, 0.5, 2.5], {k}) kept the {k} *lowest* scores: keep the highest"
        )
        assert sorted(finite) == kept, (
            f"top_k_filter([1, 3, 2, 0.5, 2.5], {k}) should keep the ids {kept}, yours kept "
            f"{sorted(finite)}"
        )
        assert torch.equal(got[kept], logits[kept].double()), (
            "the kept scores must stay as they were (return logits, not probabilities)"
        )
    rows = torch.randn(4, 3, 9, generator=torch.Generator().manual_seed(2))
    got = _as_tensor_like(answer(rows.clone(), 3), rows, "filtered logits")
    kept_per_row = torch.isfinite(got).sum(dim=-1)
    assert bool((kept_per_row == 3).all()), (
        f"for a (4, 3, 9) tensor each row of 9 scores must keep its own top 3; yours kept "
        f"{kept_per_row.flatten().tolist()}: work along the last dimension (dim=-1, keepdim)"
    )
    assert torch.equal(got, top_k_filter(rows, 3).double()), (
        "each row must keep its own 3 highest scores, unchanged"
    )
    return "correct: top_k_filter([1, 3, 2, 0.5, 2.5], 2) keeps 3 and 2.5"
