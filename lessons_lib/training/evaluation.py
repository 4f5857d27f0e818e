"""How good is a model? Its mean loss per token on held-out text (chapter 01 onwards).

:func:`estimate_loss` is quick and noisy (a few random windows, the same on every call);
:func:`evaluate` is exact (every token of the data, each predicted from a long context): use it
for the number you report.
:func:`token_losses` gives the loss of each of those predictions (chapter 06 splits them by
whether their context occurs in the training text).
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .._checks import positive_int
from ..models.lm import check_model, evaluating, model_device
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
    check_model(model)
    data = as_token_tensor(data, "data")
    positive_int(block_size, "block_size")
    positive_int(batch_size, "batch_size")
    positive_int(batches, "batches (how many windows of batch_size to average)")
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
def token_losses(
    model: nn.Module,
    data,
    block_size: int = 256,
    batch_size: int = 64,
    stride: int | None = None,
) -> torch.Tensor:
    """The loss of every prediction in ``data``: a (len(data) - 1,) tensor whose entry ``j`` is
    the loss of predicting ``data[j + 1]``, with the context :func:`evaluate` describes."""
    check_model(model)
    data = as_token_tensor(data, "data")
    block_size = positive_int(block_size, "block_size")
    positive_int(batch_size, "batch_size")
    stride = max(1, block_size // 2) if stride is None else positive_int(stride, "stride")
    if stride > block_size:
        raise ValueError(f"stride={stride} would skip tokens: use at most block_size={block_size}.")
    last_start = len(data) - 1 - block_size  # the window that ends at the last target
    if last_start < 0:
        raise ValueError(f"Need more than block_size={block_size} tokens, got {len(data)}.")
    starts = list(range(0, last_start + 1, stride))
    if starts[-1] != last_start:
        starts.append(last_start)
    starts = torch.tensor(starts)  # (N,)
    new = torch.diff(starts, prepend=starts[:1] - block_size)  # (N,) targets no window scored
    scored = torch.arange(block_size) >= block_size - new[:, None]  # (N, T)
    offsets = starts[:, None] + torch.arange(block_size)  # (N, T): positions read
    out = torch.empty(len(data) - 1)
    device = model_device(model)
    with evaluating(model):
        for i in range(0, len(starts), batch_size):
            rows, keep = offsets[i : i + batch_size], scored[i : i + batch_size]
            x, y = data[rows].to(device), data[rows + 1].to(device)  # (b, T) each
            logits, _ = model(x)  # (b, T, V)
            losses = F.cross_entropy(logits.transpose(1, 2), y, reduction="none")  # (b, T)
            out[rows[keep]] = losses[keep.to(device)].float().cpu()
    return out


def evaluate(
    model: nn.Module,
    data,
    block_size: int = 256,
    batch_size: int = 64,
    stride: int | None = None,
) -> float:
    """Mean loss per token over *all* of ``data``: every token after the first predicted once.

    A window of ``block_size`` tokens slides along the data by ``stride`` tokens and scores
    only the predictions no earlier window made, so each of them (beyond the first window) has
    at least ``block_size - stride + 1`` tokens of context. The default stride, half a window,
    gives every such prediction at least half the context the model can use, at twice the
    cost of cutting the data into windows that do not overlap (``stride=block_size``, where
    the first prediction of every window sees one token). ``stride=1`` gives every prediction
    the full window: affordable for small models with a short window.

    Slower than :func:`estimate_loss` but exact and free of sampling noise: use it for the
    number you report. :func:`token_losses` gives the loss of each prediction.
    """
    return token_losses(model, data, block_size, batch_size, stride).double().mean().item()
