"""Self-attention from scratch: masks, scaled dot-product attention, multiple heads (chapter 05),
and cross-attention, one sequence reading another (chapter 08).

Every position asks a question (its **query**), every position offers a description of
itself (its **key**) and a message (its **value**). The attention weights say how well each
key answers each query; each position's output, its **context vector**, is the weighted
average of the values::

    attn_scores  = q @ k.T / sqrt(d)          # (T_q, T_k): relevance of each key to each query
    attn_weights = softmax(attn_scores)       # each row sums to 1 (chapter 04's softmax)
    context      = attn_weights @ v           # (T_q, d_v): a weighted average of the values

A boolean ``mask`` says which keys each query may attend to, with **True = may attend**, the
convention of ``torch.nn.functional.scaled_dot_product_attention``. (``nn.MultiheadAttention``
uses the opposite: its ``attn_mask`` is True where attending is *forbidden*.)

**A query with no key to attend to** (a row of the mask that is all False) has nothing to
average: softmax over no scores is 0 / 0. ``torch.softmax`` gives NaN there, and so does
``nn.MultiheadAttention``. Here, as in ``F.scaled_dot_product_attention``, such a query gets
**all-zero attention weights** (its row sums to 0, not 1) and **an all-zero output**, with
finite (zero) gradients. A causal mask never produces such a row: every query may attend to
itself.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn

from .._checks import boolean, fraction, head_size, number, positive_int
from .softmax import softmax


def causal_mask(T: int, device: torch.device | str | None = None) -> torch.Tensor:
    """A boolean ``(T, T)`` mask, True on and below the diagonal: query ``t`` may attend to
    keys ``0..t`` (itself and the past), never to the future.

    >>> causal_mask(3)
    tensor([[ True, False, False],
            [ True,  True, False],
            [ True,  True,  True]])
    """
    positive_int(T, "T (the sequence length)")
    return torch.ones(T, T, dtype=torch.bool, device=device).tril()


def _check_qkv(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> None:
    """Raise a clear error unless q (..., T_q, d), k (..., T_k, d), v (..., T_k, d_v) fit."""
    for name, x in (("q", q), ("k", k), ("v", v)):
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"{name} must be a torch tensor, got {type(x).__name__}.")
        if not x.is_floating_point():
            raise TypeError(f"{name} must be floating point, got {x.dtype}. Use {name}.float().")
        if x.dim() < 2:
            raise ValueError(
                f"{name} must have shape (..., T, d) with at least 2 dims, got {tuple(x.shape)}. "
                f"For one position use {name}[None]."
            )
    shapes = f"q {tuple(q.shape)}, k {tuple(k.shape)}, v {tuple(v.shape)}"
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"q and k must have the same last dim d (a query is compared with each key by a "
            f"dot product), got {shapes}."
        )
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"k and v must have the same length T_k (one value per key), got {shapes}."
        )
    try:
        torch.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except RuntimeError:
        raise ValueError(
            f"The leading (batch, head) dims of q, k and v must match or broadcast, got {shapes}."
        ) from None


def _check_mask(mask: torch.Tensor, scores_shape: torch.Size) -> None:
    """Raise a clear error unless ``mask`` is boolean and broadcasts to (..., T_q, T_k)."""
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        got = mask.dtype if isinstance(mask, torch.Tensor) else type(mask).__name__
        raise TypeError(
            f"mask must be a boolean tensor with True where a query may attend, got {got}. "
            "Build one with causal_mask(T), or compare, e.g. ids != pad_id."
        )
    try:
        fits = torch.broadcast_shapes(mask.shape, scores_shape) == scores_shape
    except RuntimeError:
        fits = False
    if not fits:
        raise ValueError(
            f"mask of shape {tuple(mask.shape)} does not broadcast to the attention scores' "
            f"shape {tuple(scores_shape)} = (..., T_q, T_k)."
        )


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    scale: float | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Attention of queries ``q`` over keys ``k`` and values ``v``: ``(context, weights)``.

    Shapes: ``q`` (..., T_q, d), ``k`` (..., T_k, d), ``v`` (..., T_k, d_v), with any matching
    (or broadcastable) leading batch/head dims. Returns ``context`` (..., T_q, d_v) and
    ``attn_weights`` (..., T_q, T_k), whose rows sum to 1. ``mask`` is boolean, broadcastable
    to (..., T_q, T_k), True = may attend. ``scale`` defaults to ``1 / sqrt(d)``.

    Equals ``F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=scale)``, which
    returns only the context. A query whose mask row is all False gets zero weights and a
    zero output (see the module docstring), as in PyTorch.
    """
    _check_qkv(q, k, v)
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    elif not isinstance(scale, torch.Tensor):
        number(scale, "scale (None: 1 / sqrt(d))", above=0)
    # (..., T_q, d) @ (..., d, T_k) -> (..., T_q, T_k): one score per (query, key) pair
    attn_scores = (q @ k.transpose(-2, -1)) * scale
    if mask is None:
        attn_weights = softmax(attn_scores, dim=-1)
    else:
        _check_mask(mask, attn_scores.shape)
        attn_scores = attn_scores.masked_fill(~mask, float("-inf"))  # forbidden keys: weight 0
        has_key = mask.any(dim=-1, keepdim=True)  # (..., T_q, 1): may this query attend at all?
        # a query with no key: give softmax harmless scores, then zero its weights
        attn_scores = attn_scores.masked_fill(~has_key, 0.0)
        attn_weights = softmax(attn_scores, dim=-1) * has_key
    context = attn_weights @ v  # (..., T_q, T_k) @ (..., T_k, d_v) -> (..., T_q, d_v)
    return context, attn_weights


def _autocast(device_type: str) -> bool:
    """True inside ``torch.autocast`` for ``device_type``: there mixed dtypes are fine."""
    try:
        return torch.is_autocast_enabled(device_type)
    except TypeError:  # pragma: no cover - torch < 2.4 took no device type
        return torch.is_autocast_enabled()


class MultiHeadSelfAttention(nn.Module):
    """Self-attention with ``n_head`` heads, each looking at its own slice of the channels.

    ``forward(x)``: x (B, T, C) -> (B, T, C). The input is projected to queries, keys and
    values (``C -> C`` each), split into ``n_head`` heads of ``C // n_head`` channels,
    each head attends on its own, and the heads' outputs are concatenated and mixed by a last
    projection. With ``causal=True`` a position sees only itself and the past.

    After each call, ``attn_weights`` holds that call's attention weights (B, H, T, T),
    detached, for plotting. Matches ``nn.MultiheadAttention`` with the same weights (copy
    them with :meth:`from_torch`).
    """

    def __init__(
        self,
        n_embd: int,
        n_head: int,
        causal: bool = True,
        bias: bool = True,
        dropout: float = 0.0,
    ):
        super().__init__()
        self.head_size = head_size(n_embd, n_head)
        self.n_embd = n_embd
        self.n_head = n_head
        self.causal = boolean(causal, "causal")
        boolean(bias, "bias")
        fraction(dropout, "dropout", example=0.1)
        self.query = nn.Linear(n_embd, n_embd, bias=bias)  # what each position looks for
        self.key = nn.Linear(n_embd, n_embd, bias=bias)  # what each position offers
        self.value = nn.Linear(n_embd, n_embd, bias=bias)  # what it passes on if chosen
        self.out = nn.Linear(n_embd, n_embd, bias=bias)  # mixes the heads' outputs
        self.dropout = nn.Dropout(dropout)  # on the weights, in training only
        self.attn_weights: torch.Tensor | None = None  # (B, H, T, T) of the last call

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, C) -> (B, H, T, C // H): one slice of the channels per head."""
        B, T, C = x.shape
        return x.view(B, T, self.n_head, self.head_size).transpose(1, 2)  # (B, H, T, hs)

    def _check_input(self, x: object, name: str = "x") -> None:
        if not isinstance(x, torch.Tensor) or x.dim() != 3 or x.shape[-1] != self.n_embd:
            got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(
                f"{name} must have shape (B, T, C) with C = n_embd = {self.n_embd}, got {got}. "
                f"For one sequence use {name}[None]."
            )
        weight = self.query.weight
        if x.dtype != weight.dtype and not _autocast(x.device.type):
            raise TypeError(
                f"{name} is {x.dtype} but the module's weights are {weight.dtype}: convert "
                f"the input, {name}.to({weight.dtype}), or the module, module.to({x.dtype})."
            )

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """x (B, T, C) -> (B, T, C). ``mask``: optional boolean, broadcastable to
        (B, H, T, T), True = may attend; combined with the causal mask if there is one."""
        self._check_input(x)
        T = x.shape[1]
        if self.causal:
            causal = causal_mask(T, device=x.device)  # (T, T)
            mask = causal if mask is None else mask & causal
        return self._attend(self.query(x), self.key(x), self.value(x), mask)

    def _attend(self, q, k, v, mask):
        """Projected q (B, T_q, C), k and v (B, T_k, C) -> the heads' mixed output (B, T_q, C)."""
        B, T_q, C = q.shape
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)  # (B, H, T, hs)
        context, attn_weights = scaled_dot_product_attention(q, k, v, mask)  # (B, H, T_q, hs)
        self.attn_weights = attn_weights.detach()
        if self.training and self.dropout.p > 0:  # dropout needs the weights again
            context = self.dropout(attn_weights) @ v  # (B, H, T_q, hs)
        context = context.transpose(1, 2).reshape(B, T_q, C)  # (B, H, T_q, hs) -> (B, T_q, C)
        return self.out(context)

    @classmethod
    def from_torch(cls, reference: nn.MultiheadAttention, causal: bool) -> MultiHeadSelfAttention:
        """A copy of ``reference`` (an ``nn.MultiheadAttention``) with the same weights.

        PyTorch stores the three input projections stacked in one ``(3C, C)`` matrix,
        ``in_proj_weight``: rows ``0..C`` make the queries, then the keys, then the values.
        """
        if not isinstance(reference, nn.MultiheadAttention):
            raise TypeError(
                f"reference must be an nn.MultiheadAttention, got {type(reference).__name__}."
            )
        if reference.in_proj_weight is None or reference.bias_k is not None:
            raise ValueError(
                "Only a plain nn.MultiheadAttention can be copied: kdim == vdim == embed_dim, "
                "add_bias_kv=False."
            )
        bias = reference.in_proj_bias is not None
        copy = cls(reference.embed_dim, reference.num_heads, causal=causal, bias=bias)
        projections = (copy.query, copy.key, copy.value)
        with torch.no_grad():
            # rows 0..C of in_proj_weight make the queries, C..2C the keys, 2C..3C the values
            for layer, weight in zip(projections, reference.in_proj_weight.chunk(3), strict=True):
                layer.weight.copy_(weight)  # (C, C)
            copy.out.weight.copy_(reference.out_proj.weight)
            if bias:
                for layer, b in zip(projections, reference.in_proj_bias.chunk(3), strict=True):
                    layer.bias.copy_(b)  # (C,)
                copy.out.bias.copy_(reference.out_proj.bias)
        return copy.to(reference.in_proj_weight.device)


class MultiHeadCrossAttention(MultiHeadSelfAttention):
    """Attention of one sequence over another (chapter 08): the encoder–decoder's bridge.

    ``forward(x, memory, mask=None)``: the **queries** come from ``x`` (B, T_q, C), the
    decoder's positions; the **keys and values** from ``memory`` (B, T_k, C), the encoder's
    output, so each output position reads what it needs from the whole input. There is no
    causal mask (the input is all known); ``mask``, broadcastable to (B, H, T_q, T_k), hides
    padding, e.g. ``(source != pad)[:, None, None, :]``. Returns (B, T_q, C); ``attn_weights``
    holds (B, H, T_q, T_k). Matches ``nn.MultiheadAttention(x, memory, memory)``.
    """

    def __init__(self, n_embd: int, n_head: int, causal: bool = False, **kwargs):
        if causal:
            raise ValueError(
                "Cross-attention is never causal: every output position may read the whole "
                "input. Hide padding with forward(..., mask=...)."
            )
        super().__init__(n_embd, n_head, causal=False, **kwargs)

    def forward(
        self, x: torch.Tensor, memory: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        self._check_input(x)
        self._check_input(memory, "memory")
        if memory.shape[0] != x.shape[0]:
            raise ValueError(
                f"x and memory must hold the same number of sequences (B), got x "
                f"{tuple(x.shape)} and memory {tuple(memory.shape)}."
            )
        return self._attend(self.query(x), self.key(memory), self.value(memory), mask)
