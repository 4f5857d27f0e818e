"""The bigram language model: the next token depends only on the current one (chapter 01).

The same model can be *counted* (:func:`count_bigrams`, :meth:`BigramLM.from_counts`) or
*trained* by gradient descent; both end up as one table of next-token scores.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def check_token_ids(idx: torch.Tensor, vocab_size: int, name: str = "idx") -> None:
    """Raise a clear error unless ``idx`` is a (B, T) integer tensor of ids below ``vocab_size``."""
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
    logits: torch.Tensor, targets: torch.Tensor | None, vocab_size: int
) -> torch.Tensor | None:
    """Mean cross-entropy of (B, T, V) logits against (B, T) targets; None without targets."""
    if targets is None:
        return None
    check_token_ids(targets, vocab_size, name="targets")
    if targets.shape != logits.shape[:2]:
        raise ValueError(
            f"targets must have the input's shape {tuple(logits.shape[:2])}, "
            f"got {tuple(targets.shape)}."
        )
    B, T, V = logits.shape
    return F.cross_entropy(logits.reshape(B * T, V), targets.reshape(B * T).long())


class BigramLM(nn.Module):
    """A table of scores: row ``i`` holds the logits of the token that follows token ``i``.

    ``forward(idx, targets=None) -> (logits, loss)``: idx (B, T) → logits (B, T, V), the
    contract every language model of the course keeps. Each position looks only at its own
    token. The table starts at zero, so the first prediction is uniform and the first loss is
    exactly ln(vocab_size).
    """

    def __init__(self, vocab_size: int):
        super().__init__()
        if not isinstance(vocab_size, int) or vocab_size < 1:
            raise ValueError(f"vocab_size must be a positive int, got {vocab_size!r}.")
        self.vocab_size = vocab_size
        self.logits_table = nn.Embedding(vocab_size, vocab_size)
        nn.init.zeros_(self.logits_table.weight)

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        check_token_ids(idx, self.vocab_size)
        logits = self.logits_table(idx)  # (B, T) -> (B, T, V)
        return logits, language_model_loss(logits, targets, self.vocab_size)

    @classmethod
    def from_counts(cls, counts: torch.Tensor, smoothing: float = 1.0) -> BigramLM:
        """The counting model as a BigramLM: its table holds log-probabilities from counts."""
        model = cls(counts.shape[0])
        with torch.no_grad():
            model.logits_table.weight.copy_(bigram_probs(counts, smoothing).log())
        return model


def count_bigrams(ids: torch.Tensor, vocab_size: int) -> torch.Tensor:
    """``counts[i, j]``: how often token ``j`` follows token ``i`` in the 1-D sequence ``ids``."""
    ids = torch.as_tensor(ids, dtype=torch.long)
    if ids.dim() != 1:
        raise ValueError(f"ids must be a 1-D sequence of token ids, got shape {tuple(ids.shape)}.")
    check_token_ids(ids[None], vocab_size, name="ids")
    pair_codes = ids[:-1] * vocab_size + ids[1:]  # one integer per (current, next) pair
    return torch.bincount(pair_codes, minlength=vocab_size * vocab_size).view(
        vocab_size, vocab_size
    )


def bigram_probs(counts: torch.Tensor, smoothing: float = 1.0) -> torch.Tensor:
    """Row-normalised probabilities ``P(next = j | current = i)`` with add-``smoothing`` counts.

    Smoothing adds a pretend count to every cell, so no pair is impossible (an unseen pair
    would otherwise cost an infinite loss). Rows sum to 1.
    """
    if smoothing < 0:
        raise ValueError(f"smoothing must be >= 0, got {smoothing}.")
    counts = counts.double() + smoothing
    totals = counts.sum(dim=1, keepdim=True)
    if bool((totals == 0).any()):
        raise ValueError(
            "A row of counts is all zero, so its probabilities are undefined: use smoothing > 0."
        )
    return (counts / totals).float()
