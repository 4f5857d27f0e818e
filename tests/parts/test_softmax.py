"""Tests of parts.softmax: softmax, log_softmax and logsumexp from scratch."""

from __future__ import annotations

import doctest
import importlib
import math
import sys
import types

import pytest
import torch

import lessons_lib
from lessons_lib.parts.softmax import entropy, log_softmax, logsumexp, softmax

INF = float("inf")
OURS_AND_TORCH = [
    (softmax, torch.softmax),
    (log_softmax, torch.log_softmax),
    (logsumexp, torch.logsumexp),
]
IDS = ["softmax", "log_softmax", "logsumexp"]
softmax_module = importlib.import_module("lessons_lib.parts.softmax")


def _random(*shape: int, scale: float = 1.0, seed: int = 0, dtype=torch.float32) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g, dtype=torch.float64) * scale).to(dtype)


@pytest.mark.parametrize(("ours", "reference"), OURS_AND_TORCH, ids=IDS)
@pytest.mark.parametrize("dim", [-1, 0, 1, 2, -2])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_matches_torch_on_random_scores_for_every_dim(ours, reference, dim, dtype):
    x = _random(3, 4, 5, scale=3.0, dtype=dtype)
    torch.testing.assert_close(ours(x, dim=dim), reference(x, dim=dim))


@pytest.mark.parametrize(("ours", "reference"), OURS_AND_TORCH, ids=IDS)
@pytest.mark.parametrize("scale", [100.0, 1000.0, 1e6])
def test_matches_torch_on_huge_scores_without_overflow(ours, reference, scale):
    x = _random(6, 9, scale=scale, seed=1)
    out = ours(x, dim=-1)
    assert bool(torch.isfinite(out).all())
    torch.testing.assert_close(out, reference(x, dim=-1))


@pytest.mark.parametrize("big", [1000.0, -1000.0])
def test_scores_of_plus_minus_1000_where_the_naive_formula_breaks(big):
    x = torch.tensor([[big, big - 1.0, big - 2.0]])
    naive = x.exp() / x.exp().sum(dim=-1, keepdim=True)
    assert bool(torch.isnan(naive).all())  # exp(1000) = inf and exp(-1000) = 0: inf/inf, 0/0
    total = 1 + math.exp(-1) + math.exp(-2)  # the sum after subtracting the max
    expected = torch.tensor([[1.0, math.exp(-1), math.exp(-2)]]) / total
    torch.testing.assert_close(softmax(x), expected)
    torch.testing.assert_close(logsumexp(x), torch.tensor([big + math.log(total)]))
    torch.testing.assert_close(log_softmax(x), expected.log())


def test_hand_worked_example():
    x = torch.tensor([0.0, math.log(2.0), math.log(5.0)])  # exp: 1, 2, 5; sum 8
    torch.testing.assert_close(softmax(x), torch.tensor([1 / 8, 2 / 8, 5 / 8]))
    torch.testing.assert_close(logsumexp(x), torch.tensor(math.log(8.0)))
    torch.testing.assert_close(log_softmax(x), torch.tensor([1 / 8, 2 / 8, 5 / 8]).log())


def test_rows_sum_to_one_and_shift_does_not_matter():
    x = _random(4, 7, scale=5.0, seed=2)
    probs = softmax(x)
    torch.testing.assert_close(probs.sum(dim=-1), torch.ones(4))
    assert bool((probs >= 0).all())
    torch.testing.assert_close(softmax(x + 123.0), probs)  # shift invariance
    torch.testing.assert_close(log_softmax(x).exp(), probs)
    torch.testing.assert_close(logsumexp(x + 10.0), logsumexp(x) + 10.0)


def test_logsumexp_is_a_smooth_max():
    x = _random(5, 8, seed=3)
    lse, top = logsumexp(x), x.amax(dim=-1)
    assert bool((top <= lse).all()) and bool((lse <= top + math.log(8) + 1e-6).all())


@pytest.mark.parametrize(("ours", "reference"), OURS_AND_TORCH, ids=IDS)
@pytest.mark.parametrize("dim", [-1, 0])
def test_minus_inf_entries_match_torch(ours, reference, dim):
    x = _random(4, 5, seed=4)
    x[0, 1] = x[2, 0] = x[2, 4] = x[3, 3] = -INF  # every row and column keeps a finite score
    x[1, :4] = -INF  # row 1 has a single finite score
    out = ours(x, dim=dim)
    torch.testing.assert_close(out, reference(x, dim=dim))
    assert not bool(torch.isnan(out).any())


def test_masked_scores_get_probability_exactly_zero():
    x = torch.tensor([[2.0, -INF, 1.0, -INF], [-INF, -INF, -INF, 7.0]])
    probs = softmax(x)
    assert probs[0, 1].item() == 0.0 and probs[0, 3].item() == 0.0
    torch.testing.assert_close(probs[1], torch.tensor([0.0, 0.0, 0.0, 1.0]))
    assert log_softmax(x)[0, 1].item() == -INF
    torch.testing.assert_close(probs[0, [0, 2]], torch.softmax(torch.tensor([2.0, 1.0]), dim=0))


@pytest.mark.parametrize("fn", [softmax, log_softmax], ids=["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [-1, 0])
def test_a_row_that_is_all_minus_inf_raises_a_clear_error(fn, dim):
    x = torch.zeros(3, 3)
    if dim == -1:
        x[1, :] = -INF
    else:
        x[:, 2] = -INF
    with pytest.raises(ValueError, match=r"is all -inf.*at least one finite score"):
        fn(x, dim=dim)
    assert bool(torch.isnan(torch.softmax(x, dim=dim)).any())  # what torch does instead


def test_the_error_names_the_row():
    x = torch.zeros(2, 3, 4)
    x[1, 2, :] = -INF
    with pytest.raises(ValueError, match=r"row at index \[1, 2\] \(along dim=-1\)"):
        softmax(x)


def test_logsumexp_of_a_row_that_is_all_minus_inf_is_minus_inf_like_torch():
    x = torch.tensor([[1.0, 2.0], [-INF, -INF]])
    out = logsumexp(x)
    assert out[1].item() == -INF
    torch.testing.assert_close(out, torch.logsumexp(x, dim=-1))


@pytest.mark.parametrize(("fn", "_"), OURS_AND_TORCH, ids=IDS)
@pytest.mark.parametrize(("bad", "word"), [(float("nan"), "NaN"), (INF, r"\+inf")])
def test_nan_or_plus_inf_scores_raise(fn, _, bad, word):
    x = torch.zeros(2, 3)
    x[1, 0] = bad
    with pytest.raises(ValueError, match=rf"index \[1\].*holds {word}.*overflow"):
        fn(x)


@pytest.mark.parametrize("fn", [softmax, log_softmax, logsumexp])
@pytest.mark.parametrize("x", [torch.tensor([1, 2, 3]), torch.tensor([True, False])])
def test_non_floating_input_is_a_type_error(fn, x):
    with pytest.raises(TypeError, match=r"floating-point scores.*x\.float\(\)"):
        fn(x)


@pytest.mark.parametrize("fn", [softmax, log_softmax, logsumexp])
def test_non_tensor_input_is_a_type_error(fn):
    with pytest.raises(TypeError, match=r"torch tensor of scores, got list"):
        fn([1.0, 2.0])


@pytest.mark.parametrize("fn", [softmax, log_softmax, logsumexp])
def test_bad_dim_is_rejected(fn):
    with pytest.raises(IndexError, match=r"dim=2 is out of range.*from -2 to 1"):
        fn(torch.zeros(2, 3), dim=2)
    with pytest.raises(TypeError, match="dim must be an int"):
        fn(torch.zeros(2, 3), dim=(0, 1))


def test_an_empty_dimension_is_rejected_but_an_empty_batch_is_fine():
    with pytest.raises(ValueError, match=r"size 0"):
        softmax(torch.zeros(2, 0))
    assert softmax(torch.zeros(0, 4)).shape == (0, 4)


@pytest.mark.parametrize(("ours", "reference"), OURS_AND_TORCH, ids=IDS)
def test_a_zero_dim_tensor_matches_torch(ours, reference):
    x = torch.tensor(2.5)
    torch.testing.assert_close(ours(x, dim=-1), reference(x, dim=-1))


@pytest.mark.parametrize(("ours", "reference"), OURS_AND_TORCH, ids=IDS)
def test_gradients_match_torch(ours, reference):
    x = _random(3, 6, scale=4.0, seed=5, dtype=torch.float64)
    weights = _random(3, 6, seed=6, dtype=torch.float64)
    grads = []
    for fn in (ours, reference):
        leaf = x.clone().requires_grad_(True)
        out = fn(leaf, dim=-1)  # (3, 6), or (3,) for logsumexp
        (out * weights.reshape(-1)[: out.numel()].reshape(out.shape)).sum().backward()
        grads.append(leaf.grad)
    torch.testing.assert_close(grads[0], grads[1])


def test_does_not_call_the_torch_builtins(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("lessons_lib.parts.softmax must be written from scratch")

    for name in ("softmax", "log_softmax", "logsumexp"):
        monkeypatch.setattr(torch, name, forbidden)
        monkeypatch.setattr(torch.Tensor, name, forbidden)
        monkeypatch.setattr(torch.nn.functional, name, forbidden, raising=False)
    x = _random(2, 5, seed=7, dtype=torch.float64)
    expected = torch.tensor([1.0, 1.0], dtype=torch.float64)
    torch.testing.assert_close(softmax(x).sum(dim=-1), expected)
    torch.testing.assert_close(log_softmax(x).exp().sum(dim=-1), expected)
    torch.testing.assert_close(logsumexp(x).exp(), x.exp().sum(dim=-1))


def test_docstring_examples_hold():
    result = doctest.testmod(softmax_module, extraglobs={"torch": torch})
    assert result.attempted >= 3 and result.failed == 0


def test_top_level_names_are_the_functions_and_the_module_keeps_its_own_name():
    assert lessons_lib.softmax is softmax  # L.softmax(x): the function
    assert lessons_lib.log_softmax is log_softmax and lessons_lib.logsumexp is logsumexp
    assert {"softmax", "log_softmax", "logsumexp"} <= set(lessons_lib.__all__)
    assert lessons_lib.__all__ == sorted(lessons_lib.__all__)
    # ... and the module stays reachable by its full dotted path
    assert isinstance(softmax_module, types.ModuleType)
    assert sys.modules["lessons_lib.parts.softmax"] is softmax_module
    assert softmax_module.softmax is softmax
    assert "chapter 04" in softmax_module.__doc__
    import lessons_lib.parts.softmax as S  # the module, not shadowed by the function

    assert S is softmax_module


# --- entropy of something that is not a distribution -------------------------------------------


@pytest.mark.parametrize(
    ("probs", "match"),
    [
        (torch.tensor([0.5, -0.1, 0.6]), r"probs holds negative entries \(the smallest is -0.1"),
        (torch.tensor([float("nan"), 1.0]), "probs holds 1 NaN value"),
        (torch.tensor([0.2, 0.2]), "probs must sum to 1 along dim=-1, but a row sums to 0.4"),
        (torch.tensor([2.0, 3.0]), "probs must sum to 1 .* sums to 5: pass softmax"),
        (torch.tensor([[0.5, 0.5], [0.9, 0.9]]), "a row sums to 1.8"),
    ],
)
def test_entropy_refuses_what_is_not_a_distribution(probs, match):
    with pytest.raises(ValueError, match=match):
        entropy(probs)


def test_entropy_names_a_wrong_type_and_allows_rounding():
    with pytest.raises(TypeError, match="probs must be a floating-point tensor .* got list"):
        entropy([0.5, 0.5])
    with pytest.raises(TypeError, match="got torch.int64"):
        entropy(torch.tensor([1, 0]))
    rows = softmax(torch.randn(4, 1000) * 5)  # sums off by float32 rounding only
    assert torch.isfinite(entropy(rows)).all()
    assert float(entropy(torch.tensor([0.5, 0.5005]))) > 0  # within the 1e-3 tolerance
