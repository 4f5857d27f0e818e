"""RMSNorm: layer norm without the mean (chapter 11).

Chapter 06's LayerNorm subtracts each vector's mean, divides by its standard deviation, then
scales and shifts. RMSNorm (Zhang and Sennrich, 2019), used by Llama, Qwen and SmolLM2, only
divides by the root mean square and scales::

    LayerNorm(x) = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias
    RMSNorm(x)   =  x            / sqrt(mean(x²) + eps) * weight

one statistic instead of two, and no bias: a little less work, and it trains as well.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from .._checks import positive_int


class RMSNorm(nn.Module):
    """``x / sqrt(mean(x²) + eps) * weight`` over the last axis: (..., C) -> (..., C)."""

    def __init__(self, n_embd: int, eps: float = 1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(positive_int(n_embd, "n_embd")))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rms = torch.sqrt(x.pow(2).mean(dim=-1, keepdim=True) + self.eps)  # (..., 1)
        return x / rms * self.weight
