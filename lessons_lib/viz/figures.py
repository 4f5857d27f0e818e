"""The course's figures: made without pyplot, shared by every chapter (chapter 01 onwards).

Every function returns a matplotlib ``Figure`` made without pyplot: nothing is shown twice,
no global state changes, no files are written. A notebook shows a figure by ending a cell
with it.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from matplotlib.figure import Figure

from .text import token_label


def new_figure(nrows: int = 1, ncols: int = 1, figsize: tuple[float, float] | None = None):
    """A pyplot-free figure and its axes (like ``plt.subplots`` without showing anything)."""
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True)
    return fig, axes


def plot_probability_table(
    probs: torch.Tensor,
    tokens: Sequence[str],
    title: str = "P(next token | current token)",
    max_tokens: int = 40,
) -> Figure:
    """A heatmap of a (V, V) next-token probability table, rows = current token.

    Shows the ``max_tokens`` most probable tokens (by column mass) so labels stay readable.
    """
    probs = torch.as_tensor(probs, dtype=torch.float32)
    if probs.dim() != 2 or probs.shape[0] != probs.shape[1]:
        raise ValueError(f"probs must be a square (V, V) table, got {tuple(probs.shape)}.")
    if len(tokens) != probs.shape[0]:
        raise ValueError(f"Got {len(tokens)} token labels for a {probs.shape[0]}-token table.")
    keep = probs.sum(dim=0).argsort(descending=True)[:max_tokens].sort().values
    table = probs[keep][:, keep]
    labels = [token_label(tokens[i]) for i in keep.tolist()]
    fig, ax = new_figure(figsize=(7.5, 7.0))
    image = ax.imshow(table.numpy(), cmap="Blues", vmin=0.0)
    ax.grid(False)
    ax.set_xticks(range(len(labels)), labels, fontsize=9)
    ax.set_yticks(range(len(labels)), labels, fontsize=9)
    ax.set_xlabel("next token")
    ax.set_ylabel("current token")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, shrink=0.75, label="probability")
    return fig
