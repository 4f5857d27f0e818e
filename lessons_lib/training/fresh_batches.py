"""Training on a fresh batch every step, for models whose data never runs out (chapter 08).

Chapter 08's translator and reader learn from generated tasks: every step draws new date pairs
or new stories, so there is no dataset to loop over and nothing to overfit. Both use this one
loop: AdamW, a warm-up then cosine learning rate, gradients clipped at 1, and Ctrl-C (the
notebook's stop button) ending training with what was learned kept.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn as nn

from .._checks import number, positive_int
from ..models.lm import check_model
from .schedule import learning_rate


def train_on_fresh_batches(
    model: nn.Module,
    step_loss: Callable[[int], torch.Tensor],
    steps: int,
    lr: float,
    seed: int = 0,
) -> list[float]:
    """Train ``model`` for ``steps`` steps; ``step_loss(step)`` makes that step's batch and
    returns the model's loss on it. Returns the loss of each step done."""
    check_model(model)
    if not callable(step_loss):
        raise TypeError(
            f"step_loss must be a function of the step that returns the loss, got "
            f"{type(step_loss).__name__}."
        )
    positive_int(steps, "steps")
    number(lr, "lr (the learning rate, e.g. 1e-3)", above=0)
    torch.manual_seed(positive_int(seed, "seed", minimum=0))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    model.train()
    losses = []
    try:
        for step in range(steps):
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, steps, lr, "cosine", warmup=min(50, steps // 10))
            loss = step_loss(step)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            losses.append(loss.item())
    except KeyboardInterrupt:
        print(f"Stopped after {len(losses)} steps; the model keeps what it learned.")
    model.eval()
    return losses
