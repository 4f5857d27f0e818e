"""Grouped-query attention with rotary positions: the attention of Llama-style models
(chapter 11).

Chapter 05's multi-head attention gives every head its own queries, keys and values.
**Grouped-query attention** (GQA, Ainslie et al. 2023) keeps a query per head but shares each
key/value head between a group of query heads: SmolLM2 has 9 query heads and 3 key/value
heads, each serving 3. The KV cache then holds 3 heads instead of 9, a third of the memory,
while the model keeps 9 ways of looking::

    x (B, T, C) -> q (B, 9, T, 64)      k, v (B, 3, T, 64) -> repeated to (B, 9, T, 64)

Positions enter as chapter 05's RoPE, applied to queries and keys (never to values), with
this model's base (100,000) over all 64 channels of a head. There are no biases.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .._checks import positive_int
from .positions import apply_rope, rope_angles


def repeat_kv(x: torch.Tensor, groups: int) -> torch.Tensor:
    """Each key/value head repeated ``groups`` times, next to itself:
    (B, n_kv_head, T, hs) -> (B, n_kv_head * groups, T, hs). Query head h reads kv head
    h // groups."""
    return x.repeat_interleave(groups, dim=1)


class GroupedQueryAttention(nn.Module):
    """Causal self-attention with ``n_head`` query heads sharing ``n_kv_head`` key/value
    heads, RoPE on queries and keys: (B, T, C) -> (B, T, C).

    ``forward(x, cache=None)``: with a :class:`~lessons_lib.models.kv_cache.LayerCache` the
    new positions continue after the cached ones (their RoPE angles too), and their keys and
    values join the cache.
    """

    def __init__(self, n_embd: int, n_head: int, n_kv_head: int, rope_base: float = 10_000.0):
        super().__init__()
        for value, name in ((n_embd, "n_embd"), (n_head, "n_head"), (n_kv_head, "n_kv_head")):
            positive_int(value, name)
        if n_embd % n_head or n_head % n_kv_head:
            raise ValueError(
                f"n_embd ({n_embd}) must split into n_head ({n_head}) heads, and n_head into "
                f"groups of n_kv_head ({n_kv_head}) key/value heads."
            )
        self.n_head, self.n_kv_head, self.head_size = n_head, n_kv_head, n_embd // n_head
        self.rope_base = rope_base
        kv_size = n_kv_head * self.head_size
        self.query = nn.Linear(n_embd, n_embd, bias=False)
        self.key = nn.Linear(n_embd, kv_size, bias=False)  # (C -> n_kv_head * hs)
        self.value = nn.Linear(n_embd, kv_size, bias=False)
        self.proj = nn.Linear(n_embd, n_embd, bias=False)

    def forward(self, x: torch.Tensor, cache=None) -> torch.Tensor:
        B, T, C = x.shape
        past = 0 if cache is None else cache.length
        q = self.query(x).view(B, T, self.n_head, self.head_size).transpose(1, 2)  # (B,H,T,hs)
        k = self.key(x).view(B, T, self.n_kv_head, self.head_size).transpose(1, 2)  # (B,Hkv,..)
        v = self.value(x).view(B, T, self.n_kv_head, self.head_size).transpose(1, 2)
        angles = rope_angles(past + T, self.head_size, self.rope_base)[past:]  # (T, hs/2)
        q, k = apply_rope(q, angles), apply_rope(k, angles)
        if cache is not None:
            k, v = cache.extend(k, v)  # (B, Hkv, past + T, hs): the cache keeps the few heads
        groups = self.n_head // self.n_kv_head
        k, v = repeat_kv(k, groups), repeat_kv(v, groups)  # (B, H, past + T, hs)
        # causal: query i (at position past + i) sees keys 0 .. past + i
        mask = torch.ones(T, past + T, dtype=torch.bool, device=x.device).tril(diagonal=past)
        context = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # (B, H, T, hs)
        return self.proj(context.transpose(1, 2).reshape(B, T, C))
