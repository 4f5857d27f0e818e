"""Tests of parts.attention against PyTorch's attention (chapter 05)."""

from __future__ import annotations

import doctest
import importlib
import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from lessons_lib import (
    MultiHeadCrossAttention,
    MultiHeadSelfAttention,
    causal_mask,
    scaled_dot_product_attention,
)

attention_module = importlib.import_module("lessons_lib.parts.attention")


def _randn(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def test_docstring_examples():
    assert doctest.testmod(attention_module).failed == 0


# --- causal_mask ---------------------------------------------------------------------------


def test_causal_mask_is_the_lower_triangle():
    mask = causal_mask(4)
    assert mask.dtype == torch.bool and mask.shape == (4, 4)
    for i in range(4):
        for j in range(4):
            assert bool(mask[i, j]) == (j <= i)  # a query sees itself and the past


@pytest.mark.parametrize("bad", [0, -1, 2.0, True, "3"])
def test_causal_mask_rejects_a_bad_length(bad):
    with pytest.raises(ValueError, match=r"T \(the sequence length\) must be a positive int"):
        causal_mask(bad)


# --- scaled_dot_product_attention ----------------------------------------------------------


def test_hand_worked_example():
    # two keys; the query matches the first: scores (2, 0) / sqrt(2), weights softmax of them
    q = torch.tensor([[1.0, 1.0]])
    k = torch.tensor([[1.0, 1.0], [1.0, -1.0]])
    v = torch.tensor([[10.0, 0.0], [0.0, 10.0]])
    context, weights = scaled_dot_product_attention(q, k, v)
    s = math.sqrt(2.0)  # 2 / sqrt(2)
    w0 = math.exp(s) / (math.exp(s) + 1.0)
    torch.testing.assert_close(weights, torch.tensor([[w0, 1 - w0]]))
    torch.testing.assert_close(context, torch.tensor([[10 * w0, 10 * (1 - w0)]]))


@pytest.mark.parametrize(
    ("q_shape", "k_shape", "v_dim"),
    [((5, 8), (5, 8), 8), ((2, 3, 5, 4), (2, 3, 7, 4), 6), ((2, 1, 4, 4), (2, 3, 4, 4), 4)],
    ids=["plain", "batch-heads-rectangular", "broadcast-heads"],
)
def test_matches_torch_without_a_mask(q_shape, k_shape, v_dim):
    q, k = _randn(*q_shape, seed=1), _randn(*k_shape, seed=2)
    v = _randn(*k_shape[:-1], v_dim, seed=3)
    context, weights = scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(context, F.scaled_dot_product_attention(q, k, v))
    torch.testing.assert_close(weights.sum(-1), torch.ones(weights.shape[:-1]))
    scores = q @ k.transpose(-2, -1) / math.sqrt(q_shape[-1])
    torch.testing.assert_close(weights, torch.softmax(scores, dim=-1))


def test_matches_torch_with_a_causal_mask_and_is_causal():
    q, k, v = (_randn(2, 3, 6, 4, seed=s) for s in (4, 5, 6))
    context, weights = scaled_dot_product_attention(q, k, v, causal_mask(6))
    torch.testing.assert_close(context, F.scaled_dot_product_attention(q, k, v, is_causal=True))
    assert bool((weights.triu(diagonal=1) == 0).all())  # zeros above the diagonal
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3, 6))


def test_matches_torch_with_a_padding_mask_that_broadcasts():
    q, k, v = _randn(2, 2, 3, 4, seed=7), _randn(2, 2, 5, 4, seed=8), _randn(2, 2, 5, 3, seed=9)
    keep = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)  # (B, T_k)
    mask = keep[:, None, None, :]  # (B, 1, 1, T_k): the same for every head and query
    context, weights = scaled_dot_product_attention(q, k, v, mask)
    torch.testing.assert_close(context, F.scaled_dot_product_attention(q, k, v, attn_mask=mask))
    assert bool((weights[0, :, :, 3:] == 0).all())


def test_scale_argument_matches_torch():
    q, k, v = (_randn(3, 4, seed=s) for s in (10, 11, 12))
    context, weights = scaled_dot_product_attention(q, k, v, scale=1.0)
    torch.testing.assert_close(context, F.scaled_dot_product_attention(q, k, v, scale=1.0))
    torch.testing.assert_close(weights, torch.softmax(q @ k.T, dim=-1))


def test_gradients_match_torch():
    q, k, v = (_randn(2, 5, 4, seed=s).requires_grad_() for s in (13, 14, 15))
    ours = scaled_dot_product_attention(q, k, v, causal_mask(5))[0]
    grads = torch.autograd.grad(ours.square().sum(), (q, k, v))
    theirs = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    expected = torch.autograd.grad(theirs.square().sum(), (q, k, v))
    for g, e in zip(grads, expected, strict=True):
        torch.testing.assert_close(g, e)


def test_a_query_with_no_key_gets_zero_weights_and_zero_output_not_nan():
    q, k, v = (_randn(3, 4, seed=s).requires_grad_() for s in (16, 17, 18))
    mask = torch.tensor([[True, False, False], [False, False, False], [True, True, True]])
    context, weights = scaled_dot_product_attention(q, k, v, mask)
    assert bool(torch.isfinite(context).all()) and bool(torch.isfinite(weights).all())
    assert bool((weights[1] == 0).all()) and bool((context[1] == 0).all())
    torch.testing.assert_close(weights.sum(-1), torch.tensor([1.0, 0.0, 1.0]))
    # the same as PyTorch's fused attention, while torch.softmax alone gives NaN there
    torch.testing.assert_close(context, F.scaled_dot_product_attention(q, k, v, attn_mask=mask))
    scores = (q @ k.T).masked_fill(~mask, float("-inf"))
    assert bool(torch.isnan(torch.softmax(scores, dim=-1)[1]).all())
    context.sum().backward()  # gradients stay finite too
    assert all(bool(torch.isfinite(t.grad).all()) for t in (q, k, v))


@pytest.mark.parametrize(
    ("shapes", "message"),
    [
        (((3, 4), (3, 5), (3, 4)), r"same last dim d.*q \(3, 4\), k \(3, 5\)"),
        (((3, 4), (3, 4), (2, 4)), r"same length T_k.*v \(2, 4\)"),
        (((2, 3, 4), (3, 3, 4), (3, 3, 4)), r"leading .* q \(2, 3, 4\)"),
        (((4,), (3, 4), (3, 4)), r"at least 2 dims, got \(4,\)"),
    ],
    ids=["d", "T_k", "batch", "1-d"],
)
def test_mismatched_shapes_name_the_shapes(shapes, message):
    q, k, v = (torch.ones(shape) for shape in shapes)
    with pytest.raises(ValueError, match=message):
        scaled_dot_product_attention(q, k, v)


def test_bad_inputs_get_clear_errors():
    x = torch.ones(3, 4)
    with pytest.raises(TypeError, match="q must be a torch tensor"):
        scaled_dot_product_attention([[1.0]], x, x)
    with pytest.raises(TypeError, match="k must be floating point"):
        scaled_dot_product_attention(x, torch.ones(3, 4, dtype=torch.long), x)
    with pytest.raises(TypeError, match="mask must be a boolean tensor"):
        scaled_dot_product_attention(x, x, x, mask=torch.ones(3, 3))
    with pytest.raises(ValueError, match=r"mask of shape \(4, 4\) does not broadcast .* \(3, 3\)"):
        scaled_dot_product_attention(x, x, x, mask=causal_mask(4))
    with pytest.raises(ValueError, match="holds NaN"):  # chapter 04's softmax catches it
        scaled_dot_product_attention(torch.full((3, 4), float("nan")), x, x)


# --- MultiHeadSelfAttention ------------------------------------------------------------------


@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_matches_nn_multihead_attention_with_copied_weights(causal, bias):
    torch.manual_seed(0)
    reference = nn.MultiheadAttention(16, 4, bias=bias, batch_first=True).eval()
    ours = MultiHeadSelfAttention.from_torch(reference, causal=causal).eval()
    x = _randn(2, 7, 16, seed=19)
    attn_mask = ~causal_mask(7) if causal else None  # PyTorch: True = may NOT attend
    expected, expected_weights = reference(
        x, x, x, attn_mask=attn_mask, need_weights=True, average_attn_weights=False
    )
    torch.testing.assert_close(ours(x), expected)
    assert ours.attn_weights.shape == (2, 4, 7, 7)
    torch.testing.assert_close(ours.attn_weights, expected_weights)


def test_heads_match_f_scaled_dot_product_attention():
    torch.manual_seed(1)
    mhsa = MultiHeadSelfAttention(12, 3, causal=True)
    x = _randn(2, 5, 12, seed=20)
    q, k, v = (mhsa.split_heads(layer(x)) for layer in (mhsa.query, mhsa.key, mhsa.value))
    context = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, H, T, hd)
    expected = mhsa.out(context.transpose(1, 2).reshape(2, 5, 12))
    torch.testing.assert_close(mhsa(x), expected)


def test_keeps_the_last_weights_detached_and_causal():
    mhsa = MultiHeadSelfAttention(8, 2)
    assert mhsa.attn_weights is None
    mhsa(_randn(1, 4, 8, seed=21))
    mhsa(_randn(3, 6, 8, seed=22))
    weights = mhsa.attn_weights
    assert weights.shape == (3, 2, 6, 6) and not weights.requires_grad
    assert bool((weights.triu(diagonal=1) == 0).all())
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 2, 6))


def test_extra_mask_combines_with_the_causal_mask():
    mhsa = MultiHeadSelfAttention(8, 2, causal=True)
    keep = torch.tensor([True, True, False, True])[None, None, None, :]  # (1, 1, 1, T)
    mhsa(_randn(1, 4, 8, seed=23), mask=keep)
    assert bool((mhsa.attn_weights[..., 2] == 0).all())
    assert bool((mhsa.attn_weights.triu(diagonal=1) == 0).all())


def test_dropout_only_in_training():
    mhsa = MultiHeadSelfAttention(8, 2, dropout=0.5)
    x = _randn(2, 5, 8, seed=24)
    mhsa.eval()
    torch.testing.assert_close(mhsa(x), mhsa(x))
    mhsa.train()
    assert not torch.allclose(mhsa(x), mhsa(x))


def test_non_causal_attention_is_permutation_equivariant():
    torch.manual_seed(2)
    mhsa = MultiHeadSelfAttention(8, 2, causal=False)
    x = _randn(1, 6, 8, seed=25)
    perm = torch.tensor([3, 0, 5, 1, 4, 2])
    torch.testing.assert_close(mhsa(x[:, perm]), mhsa(x)[:, perm])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((10, 3), "n_embd=10 must be divisible by n_head=3"),
        ((8, 0), "n_head must be a positive int"),
    ],
)
def test_bad_sizes_are_clear_errors(args, message):
    with pytest.raises(ValueError, match=message):
        MultiHeadSelfAttention(*args)


def test_bad_input_shape_is_a_clear_error():
    mhsa = MultiHeadSelfAttention(8, 2)
    with pytest.raises(ValueError, match=r"C = n_embd = 8, got \(5, 8\)"):
        mhsa(torch.ones(5, 8))


def test_from_torch_rejects_other_modules():
    with pytest.raises(TypeError, match="must be an nn.MultiheadAttention"):
        MultiHeadSelfAttention.from_torch(nn.Linear(4, 4), causal=True)
    with pytest.raises(ValueError, match="Only a plain nn.MultiheadAttention"):
        MultiHeadSelfAttention.from_torch(nn.MultiheadAttention(4, 2, kdim=3, vdim=3), True)


# --- MultiHeadCrossAttention ---------------------------------------------------------------


def _cross_pair(bias: bool = True) -> tuple[nn.MultiheadAttention, MultiHeadCrossAttention]:
    torch.manual_seed(0)
    reference = nn.MultiheadAttention(16, 4, bias=bias, batch_first=True).eval()
    return reference, MultiHeadCrossAttention.from_torch(reference, causal=False).eval()


@pytest.mark.parametrize("bias", [True, False])
def test_cross_attention_matches_nn_multihead_attention_with_other_lengths(bias):
    reference, ours = _cross_pair(bias)
    x, memory = _randn(2, 3, 16, seed=1), _randn(2, 7, 16, seed=2)  # T_q = 3, T_k = 7
    expected, weights = reference(x, memory, memory, average_attn_weights=False)
    torch.testing.assert_close(ours(x, memory), expected)
    assert ours.attn_weights.shape == (2, 4, 3, 7)
    torch.testing.assert_close(ours.attn_weights, weights)


def test_cross_attention_padding_mask_matches_torch_and_ignores_the_padding():
    reference, ours = _cross_pair()
    x, memory = _randn(2, 3, 16, seed=1), _randn(2, 5, 16, seed=2)
    real = torch.tensor([[True] * 5, [True, True, True, False, False]])  # (B, T_k)
    expected, _ = reference(x, memory, memory, key_padding_mask=~real)  # torch: True = hide
    got = ours(x, memory, mask=real[:, None, None, :])  # ours: True = may attend
    torch.testing.assert_close(got, expected)
    assert torch.all(ours.attn_weights[1, :, :, 3:] == 0)
    changed = memory.clone()
    changed[1, 3:] = 100.0  # what stands in the padding cannot matter
    torch.testing.assert_close(ours(x, changed, mask=real[:, None, None, :]), got)


def test_cross_attention_heads_match_f_scaled_dot_product_attention():
    _, ours = _cross_pair()
    x, memory = _randn(1, 4, 16, seed=3), _randn(1, 6, 16, seed=4)
    q, k, v = (
        ours.split_heads(p(t))
        for p, t in ((ours.query, x), (ours.key, memory), (ours.value, memory))
    )
    context = F.scaled_dot_product_attention(q, k, v)  # (1, 4, 4, 4)
    expected = ours.out(context.transpose(1, 2).reshape(1, 4, 16))
    torch.testing.assert_close(ours(x, memory), expected)


def test_cross_attention_rejects_causal_and_mismatched_inputs():
    with pytest.raises(ValueError, match="never causal"):
        MultiHeadCrossAttention(16, 4, causal=True)
    ours = MultiHeadCrossAttention(16, 4)
    with pytest.raises(ValueError, match="same number of sequences"):
        ours(_randn(2, 3, 16), _randn(3, 5, 16))
    with pytest.raises(ValueError, match=r"memory must have shape \(B, T, C\) with C = n_embd"):
        ours(_randn(2, 3, 16), _randn(2, 5, 8))


# --- dtypes and options ------------------------------------------------------------------------


def test_a_float64_input_names_both_dtypes_and_the_fix():
    attend = MultiHeadSelfAttention(8, 2)
    x = torch.randn(1, 3, 8, dtype=torch.float64)
    message = r"x is torch.float64 but the module's weights are torch.float32: .*x.to\(torch"
    with pytest.raises(TypeError, match=message):
        attend(x)
    assert attend(x.float()).dtype == torch.float32
    assert attend.double()(x).dtype == torch.float64  # or convert the module
    cross = MultiHeadCrossAttention(8, 2)
    with pytest.raises(TypeError, match="memory is torch.float64"):
        cross(torch.randn(1, 3, 8), torch.randn(1, 4, 8, dtype=torch.float64))


def test_mixed_dtypes_are_fine_under_autocast():
    attend = MultiHeadSelfAttention(8, 2)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert attend(torch.randn(1, 3, 8, dtype=torch.bfloat16)).shape == (1, 3, 8)


def test_bad_options_are_named():
    with pytest.raises(TypeError, match="causal must be True or False, got 'yes'"):
        MultiHeadSelfAttention(8, 2, causal="yes")
    with pytest.raises(ValueError, match=r"dropout is a fraction in \[0, 1\), got 1.5"):
        MultiHeadSelfAttention(8, 2, dropout=1.5)
    q = torch.randn(2, 4)
    with pytest.raises(ValueError, match=r"scale .* must be > 0, got -1"):
        scaled_dot_product_attention(q, q, q, scale=-1)
