"""The position-wise feed-forward network of a transformer block (chapters 06, 07 and 11).

Chapter 03's two-layer network, applied to every position on its own: widen the vector
(usually 4x), bend it with an activation, project it back::

    x (B, T, C) -> up (B, T, hidden) -> activation -> down (B, T, C)

Attention moves information between positions; this network is where each position computes
on what it gathered. GPT-2 uses the tanh approximation of GELU, BERT the exact (erf) one.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .._checks import fraction, one_of, positive_int

FFN_ACTIVATIONS = ("gelu", "gelu_tanh")
"""``"gelu"``: exact, x·Φ(x) (BERT, the course's GPT); ``"gelu_tanh"``: the approximation
GPT-2 was trained with (Hugging Face calls it ``"gelu_new"``)."""


class FeedForward(nn.Module):
    """``down(activation(up(x)))`` at every position: (B, T, n_embd) -> (B, T, n_embd).

    ``hidden`` defaults to ``4 * n_embd``, the width of GPT-2 and BERT alike.
    """

    def __init__(
        self,
        n_embd: int,
        hidden: int | None = None,
        activation: str = "gelu",
        bias: bool = True,
        dropout: float = 0.0,
    ):
        super().__init__()
        positive_int(n_embd, "n_embd")
        hidden = 4 * n_embd if hidden is None else hidden
        positive_int(hidden, "hidden (the feed-forward width)")
        self.activation = one_of(activation, FFN_ACTIVATIONS, "activation")
        self.dropout = fraction(dropout, "dropout")
        self.up = nn.Linear(n_embd, hidden, bias=bias)  # widen: C -> hidden
        self.down = nn.Linear(hidden, n_embd, bias=bias)  # back: hidden -> C

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        approximate = "tanh" if self.activation == "gelu_tanh" else "none"
        h = F.gelu(self.up(x), approximate=approximate)  # (B, T, hidden)
        return F.dropout(self.down(h), self.dropout, self.training)  # (B, T, C)


class SwiGLU(nn.Module):
    """Llama's feed-forward network: ``down(silu(gate(x)) * up(x))``, no biases (chapter 11).

    Two matrices widen the vector: ``gate`` passes through SiLU (x·sigmoid(x)) and decides,
    number by number, how much of ``up`` gets through (a *gated linear unit*, Shazeer 2020).
    Three matrices instead of two, so ``hidden`` is usually about 8/3 · n_embd rather than 4 ·
    n_embd, for about the same parameters: (B, T, C) -> (B, T, hidden) x 2 -> (B, T, C).
    """

    def __init__(self, n_embd: int, hidden: int):
        super().__init__()
        positive_int(n_embd, "n_embd")
        positive_int(hidden, "hidden (the feed-forward width)")
        self.gate = nn.Linear(n_embd, hidden, bias=False)
        self.up = nn.Linear(n_embd, hidden, bias=False)
        self.down = nn.Linear(hidden, n_embd, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(F.silu(self.gate(x)) * self.up(x))  # (B, T, hidden) -> (B, T, C)
