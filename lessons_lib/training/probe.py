"""Linear probes: what a frozen representation knows, measured (chapter 07).

A **linear probe** is the simplest classifier there is, one ``nn.Linear`` layer (logistic
regression), trained on top of features that stay frozen. If it classifies well, the
information was already in the features in a form a straight line can read; the probe adds
almost nothing of its own. Compare it with the same probe on a cheap baseline feature
(:func:`bag_of_characters`) to see what the representation adds.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from .._checks import positive_int


def bag_of_characters(texts: Sequence[str], alphabet: str | None = None) -> torch.Tensor:
    """How often each character occurs in each text, as a share of its length: (N, |alphabet|).

    ``alphabet`` defaults to every character of ``texts`` (sorted), which is what a baseline
    that knows only spelling habits, not meaning, can use.

    >>> bag_of_characters(["aab", "b"], alphabet="ab")
    tensor([[0.6667, 0.3333],
            [0.0000, 1.0000]])
    """
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings; for one text use [text].")
    alphabet = "".join(sorted(set("".join(texts)))) if alphabet is None else alphabet
    column = {c: i for i, c in enumerate(alphabet)}
    features = torch.zeros(len(texts), len(alphabet))
    for row, text in enumerate(texts):
        for char in text:
            if char in column:
                features[row, column[char]] += 1
        features[row] /= max(len(text), 1)
    return features


def fit_linear_probe(
    features: torch.Tensor,
    labels: torch.Tensor,
    steps: int = 300,
    lr: float = 0.05,
    weight_decay: float = 1e-4,
    seed: int = 0,
) -> nn.Linear:
    """Logistic regression on frozen ``features`` (N, D) for integer ``labels`` (N,).

    Full-batch AdamW on the cross-entropy for ``steps`` steps; the features are standardised
    first (zero mean, unit variance per column, from the training data), which the returned
    layer folds in, so ``probe(x).argmax(1)`` classifies raw features.
    """
    positive_int(steps, "steps")
    if features.dim() != 2 or labels.dim() != 1 or len(features) != len(labels):
        raise ValueError(
            f"features must be (N, D) and labels (N,), got {tuple(features.shape)} and "
            f"{tuple(labels.shape)}."
        )
    with torch.random.fork_rng():  # a seeded start that leaves the caller's generator alone
        torch.manual_seed(seed)
        probe = nn.Linear(features.shape[1], int(labels.max()) + 1)
    mean, std = features.mean(0), features.std(0).clamp(min=1e-6)
    x = (features - mean) / std  # (N, D), standardised
    optimizer = torch.optim.AdamW(probe.parameters(), lr=lr, weight_decay=weight_decay)
    for _ in range(steps):
        loss = F.cross_entropy(probe(x), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    with torch.no_grad():  # fold the standardisation into the layer: W (x - m) / s + b
        probe.weight.div_(std)
        probe.bias.sub_(probe.weight @ mean)
    return probe


@torch.no_grad()
def probe_accuracy(probe: nn.Module, features: torch.Tensor, labels: torch.Tensor) -> float:
    """The share of ``features`` whose predicted class is the label."""
    return (probe(features).argmax(1) == labels).float().mean().item()
