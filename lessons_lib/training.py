"""What the training loop needs (chapter 01 onwards): random batches, loss estimates, the
learning-rate schedule, the history of a run and its plot. The loop itself, :func:`train` and
:class:`~lessons_lib.trainer.Trainer`, is in :mod:`lessons_lib.trainer`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn as nn
from matplotlib.figure import Figure

from .plots import new_figure


@dataclass
class History:
    """What :func:`train` measured: one entry per evaluation."""

    steps: list[int] = field(default_factory=list)  # optimisation steps done so far
    train_loss: list[float] = field(default_factory=list)  # mean loss on fixed train windows
    val_loss: list[float] = field(default_factory=list)  # mean loss on fixed validation windows
    seconds: list[float] = field(default_factory=list)  # wall-clock time since training began
    interrupted: bool = False  # True when the last run was stopped with Ctrl-C / stop button

    def __len__(self) -> int:
        return len(self.steps)


def as_token_tensor(data, name: str) -> torch.Tensor:
    """A 1-D long tensor from a list or tensor of token ids, with a clear error otherwise."""
    data = torch.as_tensor(data)
    if data.dim() != 1 or data.dtype.is_floating_point or data.dtype == torch.bool:
        raise ValueError(
            f"{name} must be a 1-D sequence of integer token ids (e.g. "
            f"torch.tensor(tokenizer.encode(text))), got dtype {data.dtype} and shape "
            f"{tuple(data.shape)}."
        )
    return data.long()


def get_batch(
    data: torch.Tensor,
    block_size: int,
    batch_size: int,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch_size`` random windows of ``block_size`` tokens and the same windows shifted by one.

    x[b, t] is a token and y[b, t] the token that follows it: the text labels itself.
    """
    if len(data) < block_size + 1:
        raise ValueError(
            f"The data has {len(data)} tokens, too few for windows of block_size={block_size} "
            "(need block_size + 1). Use more data or a smaller block_size."
        )
    starts = torch.randint(len(data) - block_size, (batch_size,), generator=generator)  # (B,)
    offsets = torch.arange(block_size)  # (T,)
    x = data[starts[:, None] + offsets]  # (B, T)
    y = data[starts[:, None] + offsets + 1]  # (B, T)
    return x, y


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
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    was_training = model.training
    model.eval()
    total = 0.0
    try:
        for _ in range(batches):
            x, y = get_batch(data, block_size, batch_size, generator)
            _, loss = model(x.to(device), y.to(device))
            total += loss.item()
    finally:
        model.train(was_training)
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
    device = next(model.parameters()).device
    x_all = data[: n_windows * block_size].view(n_windows, block_size)  # (N, T)
    y_all = data[1 : n_windows * block_size + 1].view(n_windows, block_size)  # (N, T)
    was_training = model.training
    model.eval()
    total = 0.0
    try:
        for i in range(0, n_windows, batch_size):
            x, y = x_all[i : i + batch_size].to(device), y_all[i : i + batch_size].to(device)
            _, loss = model(x, y)
            total += loss.item() * x.numel()
    finally:
        model.train(was_training)
    return total / (n_windows * block_size)


def learning_rate(
    step: int,
    steps: int | None,
    lr: float,
    schedule: str,
    warmup: int,
    progress: float | None = None,
) -> float:
    """The learning rate at ``step``: constant, or linear warm-up then cosine decay to lr/10.

    The cosine follows ``progress`` (0 to 1) when given, e.g. the share of a time budget
    used so far; otherwise the share of ``steps`` done after the warm-up.
    """
    if step < warmup:
        return lr * (step + 1) / warmup
    if schedule == "constant":
        return lr
    if progress is None:
        progress = (step - warmup) / max(1, steps - warmup)
    return lr * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0))))


def plot_history(
    history: History,
    floors: dict[str, float] | None = None,
    title: str = "Training",
    ax=None,
) -> Figure:
    """Train and validation loss against steps; ``floors`` draws labelled horizontal lines."""
    if len(history) == 0:
        raise ValueError("The history is empty: train for at least one evaluation first.")
    if ax is None:
        fig, ax = new_figure()
    else:
        fig = ax.figure
    ax.plot(history.steps, history.train_loss, label="train loss", marker=".")
    ax.plot(history.steps, history.val_loss, label="validation loss", marker=".")
    for i, (name, value) in enumerate((floors or {}).items()):
        ax.axhline(value, linestyle="--", color=f"C{i + 2}", label=f"{name} = {value:.3f}")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (nats per token)")
    ax.set_title(title)
    ax.legend()
    return fig
