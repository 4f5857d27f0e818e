"""Was this passage in the training set? A loss-based membership test (chapter 09).

Exact extraction (``extraction``) asks a lot: the model must reproduce a passage character for
character. A weaker, more sensitive signal is the model's **loss** on the passage: text the
model trained on tends to surprise it less than text it never saw. Score passages of both
kinds, then ask how well "the lower loss was the training passage" separates them. The
**AUC** (area under the ROC curve) is that chance over every (training, unseen) pair: 0.5 is
no signal, 1.0 perfect separation. It equals the Mann–Whitney U statistic over the number of
pairs, and ``sklearn.metrics.roc_auc_score`` gives the same value.

>>> membership_auc([1.0, 2.0], [3.0, 1.5])   # pairs won: (1<3, 1<1.5, 2<3) of 4
0.75
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from .._checks import positive_int
from ..models.lm import check_model, evaluating, model_device
from ..tokenization.characters import CharTokenizer
from .extraction import _check_text, line_starts


def line_passages(text: str, length: int = 128, samples: int = 500, seed: int = 0) -> list[str]:
    """``samples`` passages of ``length`` characters, each from the start of a line: the same
    line starts as the extraction test picks with this seed (see ``line_starts``)."""
    _check_text(text)
    return [text[s : s + length] for s in line_starts(text, length, samples, seed)]


@torch.no_grad()
def passage_losses(
    model: nn.Module,
    tokenizer: CharTokenizer,
    texts: Sequence[str],
    batch_size: int = 100,
) -> torch.Tensor:
    """The model's mean loss (nats per character) on each text: (len(texts),). Each text is
    one window, all of the same length (a GPT takes at most its ``block_size`` + 1
    characters); its first character is context only, every later one is predicted. Any
    model with the course's ``forward(idx) -> (logits, loss)`` works, a counting n-gram too."""
    check_model(model)
    positive_int(batch_size, "batch_size")
    if isinstance(texts, str) or not texts:
        raise TypeError("texts must be a non-empty list of strings, e.g. line_passages(text)")
    lengths = {len(t) for t in texts}
    if len(lengths) != 1 or min(lengths) < 2:
        raise ValueError(
            f"every text must have the same length, at least 2 characters; got lengths "
            f"{sorted(lengths)[:5]}. Cut them with line_passages(text, length=...)."
        )
    ids = torch.tensor([tokenizer.encode(t) for t in texts])  # (N, T + 1)
    device = model_device(model)
    out = []
    with evaluating(model):
        for batch in ids.split(batch_size):
            x, y = batch[:, :-1].to(device), batch[:, 1:].to(device)  # (B, T) each
            logits, _ = model(x)  # (B, T, vocab)
            loss = F.cross_entropy(logits.transpose(1, 2), y, reduction="none")  # (B, T)
            out.append(loss.mean(dim=1).cpu())
    return torch.cat(out)


def membership_auc(member: Sequence[float], other: Sequence[float]) -> float:
    """The chance that a random ``member`` score is lower than a random ``other`` one (ties
    count half): the AUC of "lower score means it was trained on". 0.5: no signal."""
    m, o = _scores(member, "member"), _scores(other, "other")  # (M,), (O,)
    wins = (m[:, None] < o[None, :]).double().sum() + 0.5 * (m[:, None] == o[None, :]).sum()
    return float(wins / (m.numel() * o.numel()))


def _scores(values: Sequence[float], name: str) -> torch.Tensor:
    """``values`` as a flat float64 tensor with at least one finite score, or a clear error."""
    if isinstance(values, (str, bytes, bool, int, float)):
        raise TypeError(
            f"{name} must be a list or tensor of numbers (losses), got {type(values).__name__} "
            f"{values!r:.60}"
        )
    try:
        scores = torch.as_tensor(values, dtype=torch.float64).flatten()
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(
            f"{name} must be a list or tensor of numbers (losses), got "
            f"{type(values).__name__} {values!r:.60}"
        ) from None
    if scores.numel() == 0:
        raise ValueError(f"{name} is empty: membership_auc needs at least one score on each side")
    if not torch.isfinite(scores).all():
        raise ValueError(f"{name} holds NaN or inf scores: drop them first")
    return scores
