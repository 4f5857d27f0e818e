"""Pictures of sentence embeddings: a cosine-similarity heatmap (chapter 07).

Sentence vectors of unit length compare by their dot product, the cosine of the angle
between them: 1 = same direction, 0 = unrelated. A heatmap of every pair shows at a glance
which sentences a model puts close together.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from matplotlib.figure import Figure

from .._checks import number, positive_int
from .figures import new_figure


def plot_similarity_matrix(
    similarity,
    labels: Sequence[str],
    title: str = "Cosine similarity of sentence embeddings",
    max_label: int = 46,
    vmax: float = 1.0,
) -> Figure:
    """A heatmap of an (N, N) similarity matrix with each cell's value written in it.

        ``labels`` names the rows and columns (long ones are cut at ``max_label`` characters;
        the columns show numbers that refer to the rows). Colours run from 0 (white) to ``vmax``
    (darkest; larger values are as dark): lower it to make moderate similarities stand out.
    """
    similarity = torch.as_tensor(similarity).detach().float().cpu()
    if similarity.dim() != 2 or similarity.shape[0] != similarity.shape[1]:
        raise ValueError(
            f"similarity must be a square (N, N) matrix, got {tuple(similarity.shape)}."
        )
    if not isinstance(labels, Sequence) or any(not isinstance(t, str) for t in labels):
        raise TypeError(f"labels must be a list of strings, one per row, got {labels!r:.60}.")
    if isinstance(labels, str) or len(labels) != similarity.shape[0]:
        raise ValueError(
            f"Pass one label per row: the matrix is {similarity.shape[0]} x "
            f"{similarity.shape[0]}, got {len(labels) if not isinstance(labels, str) else 1}."
        )
    positive_int(max_label, "max_label", minimum=2)  # room for a letter and the "…"
    number(vmax, "vmax", above=0)
    N = similarity.shape[0]
    cut = [t if len(t) <= max_label else t[: max_label - 1] + "…" for t in labels]
    side = max(4.0, 0.48 * N)
    fig, ax = new_figure(figsize=(side + 3.2, side))
    image = ax.imshow(similarity.numpy(), cmap="Purples", vmin=0.0, vmax=vmax)
    ax.grid(False)
    ax.set_yticks(range(N), [f"{i}  {t}" for i, t in enumerate(cut)], fontsize=9)
    ax.set_xticks(range(N), [str(i) for i in range(N)], fontsize=9)
    for i in range(N):
        for j in range(N):
            value = float(similarity[i, j])
            ink = "white" if value > 0.6 * vmax else "black"
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color=ink)
    ax.set_title(title)
    fig.colorbar(image, ax=ax, shrink=0.8, label="cosine similarity")
    return fig
