"""The bigram language model: the next token depends only on the current one (chapter 01).

The same model can be *counted* (:func:`count_bigrams`, :meth:`BigramLM.from_counts`) or
*trained* by gradient descent; both end up as one table of next-token scores.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from .._checks import number, positive_int, tensor
from .lm import check_token_ids, language_model_loss


class BigramLM(nn.Module):
    """A table of scores: row ``i`` holds the logits of the token that follows token ``i``.

    ``forward(idx, targets=None) -> (logits, loss)``: idx (B, T) → logits (B, T, V), the
    contract every language model of the course keeps. Each position looks only at its own
    token. The table starts at zero, so the first prediction is uniform and the first loss is
    exactly ln(vocab_size).
    """

    def __init__(self, vocab_size: int):
        super().__init__()
        self.vocab_size = positive_int(vocab_size, "vocab_size")
        self.logits_table = nn.Embedding(vocab_size, vocab_size)
        nn.init.zeros_(self.logits_table.weight)

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        check_token_ids(idx, self.vocab_size)
        logits = self.logits_table(idx)  # (B, T) -> (B, T, V)
        return logits, language_model_loss(logits, targets)

    @classmethod
    def from_counts(cls, counts: torch.Tensor, smoothing: float = 1.0) -> BigramLM:
        """The counting model as a BigramLM: its table holds log-probabilities from counts."""
        probs = bigram_probs(counts, smoothing)  # (V, V), after checking the counts
        model = cls(probs.shape[0])
        with torch.no_grad():
            model.logits_table.weight.copy_(probs.log())
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
    number(smoothing, "smoothing (a pretend count per pair, e.g. 1.0)", minimum=0)
    if tensor(counts, "counts").dim() != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(
            f"counts must be a square (V, V) table, as count_bigrams(ids, V) gives, got "
            f"{tuple(counts.shape)}."
        )
    counts = counts.double() + smoothing
    totals = counts.sum(dim=1, keepdim=True)
    if bool((totals == 0).any()):
        raise ValueError(
            "A row of counts is all zero, so its probabilities are undefined: use smoothing > 0."
        )
    return (counts / totals).float()
