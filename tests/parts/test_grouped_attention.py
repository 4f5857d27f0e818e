"""Tests of parts.grouped_attention: grouped-query attention equals PyTorch's attention with
the key/value heads repeated, equals Hugging Face's LlamaAttention (whose RoPE rotates halves,
not pairs), and a cache gives what the whole sequence gives."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from lessons_lib.models.kv_cache import LayerCache
from lessons_lib.parts.grouped_attention import GroupedQueryAttention, repeat_kv
from lessons_lib.parts.positions import apply_rope, rope_angles
from lessons_lib.pretrained.smollm2 import to_halves_layout


@pytest.fixture
def attention():
    torch.manual_seed(0)
    return GroupedQueryAttention(48, n_head=6, n_kv_head=2, rope_base=500.0).eval()


def test_query_head_h_reads_kv_head_h_over_groups():
    kv = torch.arange(3.0).view(1, 3, 1, 1)  # three heads, numbered
    assert repeat_kv(kv, 2).flatten().tolist() == [0, 0, 1, 1, 2, 2]


def test_equals_full_multi_head_attention_with_repeated_heads(attention):
    x = torch.randn(2, 7, 48)
    B, T, H, hs = 2, 7, 6, 8
    q = attention.query(x).view(B, T, H, hs).transpose(1, 2)
    k = attention.key(x).view(B, T, 2, hs).transpose(1, 2)
    v = attention.value(x).view(B, T, 2, hs).transpose(1, 2)
    angles = rope_angles(T, hs, 500.0)
    q, k = apply_rope(q, angles), apply_rope(k, angles)
    k, v = k.repeat_interleave(3, dim=1), v.repeat_interleave(3, dim=1)  # 6 heads, as in MHA
    scores = (q @ k.transpose(-2, -1)) / hs**0.5
    scores = scores.masked_fill(torch.ones(T, T).triu(1).bool(), float("-inf"))
    want = attention.proj((scores.softmax(-1) @ v).transpose(1, 2).reshape(B, T, 48))
    torch.testing.assert_close(attention(x), want)
    if "enable_gqa" in F.scaled_dot_product_attention.__doc__:  # torch 2.5 and later
        k2 = apply_rope(attention.key(x).view(B, T, 2, hs).transpose(1, 2), angles)
        v2 = attention.value(x).view(B, T, 2, hs).transpose(1, 2)
        context = F.scaled_dot_product_attention(q, k2, v2, is_causal=True, enable_gqa=True)
        torch.testing.assert_close(attention.proj(context.transpose(1, 2).reshape(B, T, 48)), want)


def test_equals_hugging_faces_llama_attention(attention):
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaAttention, LlamaRotaryEmbedding

    config = LlamaConfig(hidden_size=48, num_attention_heads=6, num_key_value_heads=2,
                         rope_theta=500.0, attention_bias=False)  # fmt: skip
    config._attn_implementation = "eager"
    theirs = LlamaAttention(config, layer_idx=0).eval()
    theirs.q_proj.weight.data.copy_(to_halves_layout(attention.query.weight, 6))
    theirs.k_proj.weight.data.copy_(to_halves_layout(attention.key.weight, 2))
    theirs.v_proj.weight.data.copy_(attention.value.weight)
    theirs.o_proj.weight.data.copy_(attention.proj.weight)
    x = torch.randn(2, 7, 48)
    position_ids = torch.arange(7)[None]
    cos_sin = LlamaRotaryEmbedding(config=config)(x, position_ids)
    mask = torch.full((7, 7), float("-inf")).triu(1)[None, None]
    want = theirs(x, position_embeddings=cos_sin, attention_mask=mask)[0]
    torch.testing.assert_close(attention(x), want, atol=1e-5, rtol=1e-5)


def test_a_cache_gives_what_the_whole_sequence_gives(attention):
    x = torch.randn(1, 9, 48)
    cache = LayerCache()
    pieces = [attention(x[:, :5], cache), attention(x[:, 5:6], cache), attention(x[:, 6:], cache)]
    torch.testing.assert_close(torch.cat(pieces, dim=1), attention(x), atol=1e-6, rtol=1e-5)
    assert cache.keys.shape == (1, 2, 9, 8)  # the cache holds the 2 key/value heads only


def test_heads_that_do_not_group_are_refused():
    with pytest.raises(ValueError, match="groups of n_kv_head"):
        GroupedQueryAttention(48, n_head=6, n_kv_head=4)
