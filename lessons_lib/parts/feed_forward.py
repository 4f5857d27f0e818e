"""The position-wise feed-forward network of a transformer block (chapters 06 and 07).

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
