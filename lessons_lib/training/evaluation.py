"""How good is a model? Its mean loss per token on held-out text (chapter 01 onwards).

:func:`estimate_loss` is quick and noisy (a few random windows, the same on every call);
:func:`evaluate` is exact (every window of the data): use it for the number you report.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from ..models.lm import evaluating, model_device
from .batches import as_token_tensor, get_batch


@torch.no_grad()
def estimate_loss(
    model: nn.Module,
    data,
    block_size: int,
    batch_size: int = 32,
    batches: int = 10,
    seed: int = 1234,
) -> float:
    """Mean loss over ``batches`` random windows that are the same on every call (fixed seed)."""
    data = as_token_tensor(data, "data")
    device = model_device(model)
    generator = torch.Generator().manual_seed(seed)
    total = 0.0
    with evaluating(model):
        for _ in range(batches):
            x, y = get_batch(data, block_size, batch_size, generator)
            _, loss = model(x.to(device), y.to(device))
            total += loss.item()
    return total / batches


@torch.no_grad()
def evaluate(model: nn.Module, data, block_size: int = 256, batch_size: int = 64) -> float:
    """Mean loss per token over *all* of ``data``, in consecutive windows of ``block_size``.

    Slower than :func:`estimate_loss` but exact and free of sampling noise: use it for the
    number you report.
    """
    data = as_token_tensor(data, "data")
    n_windows = (len(data) - 1) // block_size
    if n_windows < 1:
        raise ValueError(f"Need more than block_size={block_size} tokens, got {len(data)}.")
    device = model_device(model)
    x_all = data[: n_windows * block_size].view(n_windows, block_size)  # (N, T)
    y_all = data[1 : n_windows * block_size + 1].view(n_windows, block_size)  # (N, T)
    total = 0.0
    with evaluating(model):
        for i in range(0, n_windows, batch_size):
            x, y = x_all[i : i + batch_size].to(device), y_all[i : i + batch_size].to(device)
            _, loss = model(x, y)
            total += loss.item() * x.numel()
    return total / (n_windows * block_size)
