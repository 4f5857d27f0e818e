"""The course's figures: made without pyplot, shared by every chapter (chapter 01 onwards).

Every function returns a matplotlib ``Figure`` made without pyplot: nothing is shown twice,
no global state changes, no files are written. A notebook shows a figure by ending a cell
with it.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from matplotlib.figure import Figure
from matplotlib.transforms import ScaledTranslation

from .._checks import positive_int
from .text import VISIBLE, token_label


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
    *,
    counts: torch.Tensor | Sequence[float] | None = None,
) -> Figure:
    """A heatmap of a (V, V) next-token probability table, rows = current token.

    Shows ``max_tokens`` tokens so labels stay readable, in vocabulary order. Which ones: with
    ``counts`` (how often each token occurs, shape (V,); for a (V, V) table of bigram counts
    pass ``counts.sum(dim=1)``), the commonest; without, those whose column holds the most
    probability summed over all rows. Tick labels show whitespace as ␣ and ⏎, in monospace.
    Chapter 01 calls ``plot_probability_table(probs, chars, max_tokens=50, counts=counts.sum(1))``.
    """
    probs = torch.as_tensor(probs, dtype=torch.float32)
    if probs.dim() != 2 or probs.shape[0] != probs.shape[1]:
        raise ValueError(f"probs must be a square (V, V) table, got {tuple(probs.shape)}.")
    if not isinstance(tokens, Sequence) or any(not isinstance(t, str) for t in tokens):
        raise TypeError(
            "tokens must be the table's tokens as strings, e.g. tokenizer.chars; got "
            f"{tokens!r:.40}."
        )
    positive_int(max_tokens, "max_tokens")
    if len(tokens) != probs.shape[0]:
        raise ValueError(f"Got {len(tokens)} token labels for a {probs.shape[0]}-token table.")
    if counts is None:
        score = probs.sum(dim=0)  # (V,) probability mass of each column
    else:
        score = torch.as_tensor(counts, dtype=torch.float64)
        if score.shape != (probs.shape[0],):
            raise ValueError(
                f"counts must hold one count per token, shape ({probs.shape[0]},), got "
                f"{tuple(score.shape)}; for a (V, V) table of bigram counts pass "
                "counts.sum(dim=1)."
            )
    keep = score.argsort(descending=True, stable=True)[:max_tokens].sort().values
    table = probs[keep][:, keep]
    labels = [token_label(tokens[i]) for i in keep.tolist()]
    side = min(10.0, max(4.0, 1.8 + 0.15 * len(labels)))  # inches: ~0.15 per row
    fig, ax = new_figure(figsize=(side + 1.0, side))
    image = ax.imshow(table.numpy(), cmap="Blues", vmin=0.0)
    ax.grid(False)
    ticks = range(len(labels))
    ax.set_xticks(ticks, labels, fontsize=10, family="monospace", fontweight="bold")
    ax.set_yticks(ticks, labels, fontsize=10, family="monospace", fontweight="bold")
    ax.tick_params(length=2, pad=2)
    raise_space = ScaledTranslation(0, 3 / 72, fig.dpi_scale_trans)  # 3 points up
    for tick in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
        if tick.get_text() in VISIBLE.values():
            tick.set_fontsize(12)  # ␣ and ⏎ are small glyphs
        if tick.get_text() == VISIBLE[" "]:  # ␣ is drawn below the baseline: level it
            tick.set_transform(tick.get_transform() + raise_space)
    ax.set_xlabel("next token")
    ax.set_ylabel("current token")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, shrink=0.75, label="probability")
    return fig
