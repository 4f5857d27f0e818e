"""Which head does which job: one score per layer and head, as small heatmaps (chapters 06, 07).

A "job" is a pattern that can be measured on an attention map, e.g. the average weight a
token puts on the token just before it. Scoring every head on a few jobs turns 24 or 72 maps
into a picture that can be read in one look.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from matplotlib.figure import Figure

from .figures import new_figure


def plot_head_scores(jobs: Mapping[str, torch.Tensor], title: str | None = None) -> Figure:
    """One panel per job: a (layers, heads) grid of scores in [0, 1], each written in its cell.

    ``jobs`` maps a job's name ("one token back") to a (n_layer, n_head) tensor of scores.
    """
    if not isinstance(jobs, Mapping):
        raise TypeError(
            "jobs must be a dict {'name': scores of shape (layers, heads)}, e.g. "
            f"{{'one token back': scores}}; got {type(jobs).__name__}."
        )
    if not jobs:
        raise ValueError("Pass at least one job: {'name': scores of shape (layers, heads)}.")
    grids = {name: torch.as_tensor(v).detach().float().cpu() for name, v in jobs.items()}
    shapes = {tuple(v.shape) for v in grids.values()}
    if len(shapes) != 1 or len(next(iter(shapes))) != 2:
        raise ValueError(f"Every job needs a (layers, heads) grid of one shape, got {shapes}.")
    n_layer, n_head = next(iter(shapes))
    stacked = len(grids) * n_head > 16  # many heads (BERT): one panel per row, larger digits
    rows, cols = (len(grids), 1) if stacked else (1, len(grids))
    cell, fontsize = (0.55, 8) if stacked else (0.42, 7)
    width, height = max(3.2, cell * n_head + 1.0), cell * n_layer + 1.0
    fig, axes = new_figure(rows, cols, figsize=(width * cols + 1.0, height * rows + 0.4))
    axes = [axes] if len(grids) == 1 else list(axes)
    for ax, (job, values) in zip(axes, grids.items(), strict=True):
        image = ax.imshow(values.numpy(), vmin=0, vmax=1, cmap="Blues")
        for layer_i in range(n_layer):
            for head_i in range(n_head):
                v = float(values[layer_i, head_i])
                text = f"{v:.2f}"
                text = text[1:] if text.startswith("0.") else text  # ".56"; 0.996 -> "1.00"
                ink = "white" if v > 0.6 else "black"
                ax.text(
                    head_i, layer_i, text, ha="center", va="center", fontsize=fontsize, color=ink
                )
        ax.set(
            title=f"weight on {job}",
            xlabel="head",
            ylabel="layer",
            xticks=range(n_head),
            yticks=range(n_layer),
        )
        ax.grid(False)
    fig.colorbar(image, ax=axes, shrink=0.8, pad=0.02, label="average attention weight")
    if title:
        fig.suptitle(title)
    return fig
