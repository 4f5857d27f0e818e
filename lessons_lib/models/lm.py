"""The language-model contract every model of the course keeps (chapter 01 onwards).

A language model is an ``nn.Module`` whose ``forward(idx, targets=None) -> (logits, loss)``
takes token ids ``idx`` of shape (B, T) and returns next-token scores ``logits`` of shape
(B, T, V), with the mean cross-entropy against ``targets`` (B, T) when they are given and
``None`` otherwise. One trainer (:func:`lessons_lib.train`), one :func:`lessons_lib.generate`
and one :func:`lessons_lib.evaluate` then serve the bigram, the n-gram, the MLP, the
attention-only model and the GPT alike. This module holds what they share.

>>> logits = torch.zeros(2, 3, 5)  # (B, T, V): every token equally likely
>>> round(language_model_loss(logits, torch.zeros(2, 3, dtype=torch.long)).item(), 4)
1.6094
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
import torch.nn as nn
import torch.nn.functional as F

from .._checks import positive_int


def check_model(model: object, name: str = "model") -> nn.Module:
    """``model`` if it is an ``nn.Module``; else a ``TypeError`` that says what to pass."""
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"{name} must be a model (a torch.nn.Module such as L.GPT(config)), got "
            f"{type(model).__name__} {model!r:.40}."
        )
    return model


def check_token_ids(idx: torch.Tensor, vocab_size: int, name: str = "idx") -> None:
    """Raise a clear error unless ``idx`` is a (B, T) integer tensor of ids below ``vocab_size``."""
    positive_int(vocab_size, "vocab_size")
    if not isinstance(idx, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor of token ids, got {type(idx).__name__}.")
    if idx.dim() != 2:
        raise ValueError(
            f"{name} must have shape (B, T) = (batch, time), got {tuple(idx.shape)}. "
            f"For one sequence use {name}[None] (adds the batch dimension)."
        )
    if idx.dtype not in (torch.int64, torch.int32):
        raise TypeError(f"{name} must hold integer token ids (torch.long), got {idx.dtype}.")
    if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= vocab_size):
        raise ValueError(
            f"{name} holds ids from {int(idx.min())} to {int(idx.max())}, but the model's "
            f"vocabulary has ids 0..{vocab_size - 1}. Encode with the tokenizer the model was "
            "built for."
        )


def language_model_loss(
    logits: torch.Tensor, targets: torch.Tensor | None, ignore_index: int | None = None
) -> torch.Tensor | None:
    """Mean cross-entropy of (B, T, V) logits against (B, T) targets; None without targets.

    Targets equal to ``ignore_index`` (if given) do not count: the mean is over the others.
    """
    if targets is None:
        return None
    if not isinstance(logits, torch.Tensor) or logits.dim() != 3:
        got = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise ValueError(f"logits must be a (B, T, V) tensor, got {got}.")
    B, T, V = logits.shape
    if isinstance(targets, torch.Tensor) and targets.shape != (B, T):
        raise ValueError(
            f"targets must have the input's shape {(B, T)}, got {tuple(targets.shape)}."
        )
    if ignore_index is None:
        check_token_ids(targets, V, name="targets")
        return F.cross_entropy(logits.reshape(B * T, V), targets.reshape(B * T).long())
    kept = targets[targets != ignore_index]
    check_token_ids(kept[None], V, name="targets")
    return F.cross_entropy(
        logits.reshape(B * T, V), targets.reshape(B * T).long(), ignore_index=ignore_index
    )


def count_parameters(model: nn.Module) -> int:
    """How many numbers training adjusts; a tied matrix (one tensor used twice) counts once."""
    return sum(p.numel() for p in check_model(model).parameters())


def model_device(model: nn.Module) -> torch.device:
    """The device of ``model``'s parameters (or buffers); a model with neither lives on the CPU."""
    check_model(model)
    for tensor in (*model.parameters(), *model.buffers()):
        return tensor.device
    return torch.device("cpu")


@contextlib.contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """Put ``model`` in eval mode (no dropout) for the ``with`` block, then restore its mode.

    >>> net = nn.Dropout(0.5)
    >>> with evaluating(net):
    ...     net.training
    False
    >>> net.training
    True
    """
    was_training = check_model(model).training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)
