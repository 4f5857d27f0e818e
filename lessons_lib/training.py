"""One training loop for every language model of the course (chapter 01 onwards).

The loop knows nothing about the model beyond the contract
``forward(idx, targets) -> (logits, loss)``: bigram, MLP and GPT all train with :func:`train`.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field

import torch
import torch.nn as nn
from matplotlib.figure import Figure
from tqdm.auto import tqdm

from .env import get_device
from .plots import new_figure


@dataclass
class History:
    """What :func:`train` measured: one entry per evaluation."""

    steps: list[int] = field(default_factory=list)  # optimisation steps done so far
    train_loss: list[float] = field(default_factory=list)  # mean loss on fixed train windows
    val_loss: list[float] = field(default_factory=list)  # mean loss on fixed validation windows
    seconds: list[float] = field(default_factory=list)  # wall-clock time since training began
    interrupted: bool = False  # True when training was stopped early with Ctrl-C / stop button

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


def train(
    model: nn.Module,
    train_data,
    val_data,
    *,
    steps: int | None = 1000,
    batch_size: int = 32,
    block_size: int | None = None,
    lr: float = 1e-3,
    weight_decay: float = 0.0,
    schedule: str = "constant",
    warmup: int = 0,
    grad_clip: float | None = 1.0,
    eval_every: int | None = None,
    eval_batches: int = 10,
    max_seconds: float | None = None,
    seed: int = 0,
    device: str | torch.device | None = None,
    mixed_precision: bool | None = None,
    progress: bool = True,
) -> History:
    """Train ``model`` with AdamW on random windows of ``train_data``; return the History.

    * ``train_data`` / ``val_data``: 1-D sequences of token ids (lists or tensors).
    * ``block_size``: window length; defaults to ``model.block_size`` or 32.
    * ``schedule``: ``"constant"`` or ``"cosine"`` (decays to lr/10 by the last step), after
      ``warmup`` steps of linear warm-up.
    * Evaluates every ``eval_every`` steps (default: 10 times in all) on fixed windows of both
      splits; ``max_seconds`` ends training early when the time is up.
    * ``steps=None`` with ``max_seconds``: train for that much wall-clock time, with the
      cosine schedule fitted to the time budget (evaluations every ``eval_every`` steps,
      default 250).
    * ``mixed_precision``: bfloat16 autocast; by default on for CUDA and off elsewhere.
    * Ctrl-C (the notebook's stop button) ends training cleanly: the model keeps what it has
      learned and the history so far is returned, with ``interrupted=True``.
    """
    if steps is None and max_seconds is None:
        raise ValueError("Give steps, max_seconds, or both (steps=None trains for max_seconds).")
    if (steps is not None and steps < 1) or batch_size < 1:
        raise ValueError(f"steps and batch_size must be >= 1, got {steps} and {batch_size}.")
    if schedule not in ("constant", "cosine"):
        raise ValueError(f"schedule must be 'constant' or 'cosine', got {schedule!r}.")
    train_data = as_token_tensor(train_data, "train_data")
    val_data = as_token_tensor(val_data, "val_data")
    block_size = block_size or getattr(model, "block_size", None) or 32
    eval_every = eval_every or (max(1, steps // 10) if steps else 250)
    device = torch.device(device) if device is not None else get_device()
    if mixed_precision is None:
        mixed_precision = device.type == "cuda"
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=mixed_precision)
    model.to(device)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    generator = torch.Generator().manual_seed(seed)
    history = History()
    start = time.perf_counter()

    def record(step: int) -> None:
        # measure first, then append all four: an interrupted evaluation leaves no half entry
        train_loss = estimate_loss(model, train_data, block_size, batch_size, eval_batches)
        val_loss = estimate_loss(model, val_data, block_size, batch_size, eval_batches)
        history.steps.append(step)
        history.train_loss.append(train_loss)
        history.val_loss.append(val_loss)
        history.seconds.append(time.perf_counter() - start)

    # tqdm's notebook bar ignores TQDM_DISABLE, which the test run sets: honour it here
    quiet = not progress or os.environ.get("TQDM_DISABLE", "") not in ("", "0")
    bar = tqdm(total=steps, desc="training", disable=quiet)
    step = 0
    try:
        record(0)
        bar.set_postfix(val_loss=f"{history.val_loss[-1]:.3f}")
        while steps is None or step < steps:
            time_used = None if steps else (time.perf_counter() - start) / max_seconds
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, steps, lr, schedule, warmup, time_used)
            x, y = get_batch(train_data, block_size, batch_size, generator)
            with autocast:
                _, loss = model(x.to(device), y.to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if grad_clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
            optimizer.step()
            step += 1
            bar.update(1)
            out_of_time = max_seconds is not None and time.perf_counter() - start > max_seconds
            if step % eval_every == 0 or step == steps or out_of_time:
                record(step)
                bar.set_postfix(val_loss=f"{history.val_loss[-1]:.3f}")
            if out_of_time:
                break
    except KeyboardInterrupt:
        history.interrupted = True
        if not history.steps or history.steps[-1] != step:
            try:
                record(step)
            except KeyboardInterrupt:
                pass
        print(
            f"Training stopped at step {step} of {steps or 'a time budget'}. The model keeps "
            "what it learned; "
            f"the history holds {len(history)} evaluations."
        )
    finally:
        bar.close()
        model.eval()
    return history


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
