"""Pictures of one next-token distribution under temperature, top-k and top-p (chapter 04).

Pure functions ``draw_...(...) -> Figure`` that the chapter's widgets redraw as a slider moves
(``L.interactive_figure``) and that the tests call directly::

    draw = functools.partial(draw_temperature, logits, labels)
    L.interactive_figure(draw, temperature=widgets.FloatLogSlider(...))
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from matplotlib.figure import Figure

from .._checks import positive_int
from ..parts.sampling import apply_temperature, top_k_filter, top_p_filter
from ..parts.softmax import entropy, softmax
from .figures import new_figure
from .text import token_label

TEMPERATURE_RANGE = (0.02, 50.0)  # the x-axis of the entropy curve
KEPT, CUT = "C0", "lightgray"  # bar colours: tokens a filter keeps / removes


def _check_distribution(logits: torch.Tensor, labels: Sequence[str]) -> torch.Tensor:
    logits = torch.as_tensor(logits).detach().float().cpu()
    if logits.dim() != 1 or len(logits) < 2:
        raise ValueError(
            f"logits must be one row of scores, shape (V,) with V >= 2, got "
            f"{tuple(logits.shape)}. For a model's prediction use logits[0, -1]."
        )
    if not isinstance(labels, Sequence) or any(not isinstance(t, str) for t in labels):
        raise TypeError(
            f"labels must be one string per token, e.g. tokenizer.chars; got {labels!r:.40}."
        )
    if len(labels) != len(logits):
        raise ValueError(
            f"Got {len(labels)} labels for {len(logits)} logits: pass one label per token, "
            "e.g. tokenizer.chars."
        )
    return logits


def _top_tokens(logits: torch.Tensor, max_bars: int) -> torch.Tensor:
    """The ids of the ``max_bars`` highest scores, highest first (temperature keeps this order)."""
    positive_int(max_bars, "max_bars")
    return logits.argsort(descending=True)[:max_bars]


def _bars(ax, probs, shown, labels, colours) -> None:
    ax.bar(range(len(shown)), probs[shown].numpy(), color=colours)
    ax.set_xticks(range(len(shown)), [token_label(labels[i]) for i in shown.tolist()])
    ax.set_ylabel("probability")


def draw_temperature(
    logits: torch.Tensor,
    labels: Sequence[str],
    temperature: float = 1.0,
    max_bars: int = 15,
) -> Figure:
    """Left: the distribution ``softmax(logits / T)`` as bars (the ``max_bars`` likeliest
    tokens). Right: its entropy as T goes from 0.02 to 50, with a dot at ``temperature``.
    """
    logits = _check_distribution(logits, labels)
    probs = softmax(apply_temperature(logits, temperature))  # (V,)
    shown = _top_tokens(logits, max_bars)
    rest = 1 - probs[shown].sum().item()
    h = entropy(probs).item()
    fig, (left, right) = new_figure(1, 2, figsize=(10, 3.4))
    _bars(left, probs, shown, labels, KEPT)
    left.set_ylim(0, 1)
    left.set_title(
        f"T = {temperature:.3g}: entropy {h:.2f} nats"
        + (
            f" ({len(logits) - len(shown)} tokens not shown: {rest:.0%})"
            if len(shown) < len(logits)
            else ""
        )
    )
    left.set_xlabel("next token")

    grid = torch.logspace(math.log10(TEMPERATURE_RANGE[0]), math.log10(TEMPERATURE_RANGE[1]), 200)
    curve = entropy(softmax(logits[None, :] / grid[:, None]))  # (200, V) -> (200,)
    right.semilogx(grid.numpy(), curve.numpy(), color=KEPT)
    right.plot([temperature], [h], "o", color="C3", markersize=8, label=f"T = {temperature:.3g}")
    right.axhline(math.log(len(logits)), color="gray", linestyle="--", linewidth=1)
    right.text(
        TEMPERATURE_RANGE[0],
        math.log(len(logits)),
        f"uniform: ln {len(logits)}",
        va="bottom",
        fontsize=9,
        color="gray",
    )
    right.axvline(1.0, color="gray", linestyle=":", linewidth=1)
    right.set_ylim(0, math.log(len(logits)) * 1.1)
    right.set_xlabel("temperature T (log scale)")
    right.set_ylabel("entropy (nats)")
    right.set_title("T → 0: greedy (entropy 0)   T → ∞: uniform")
    right.legend(loc="center right")
    return fig


def draw_filters(
    logits: torch.Tensor,
    labels: Sequence[str],
    top_k: int = 5,
    top_p: float = 0.9,
    temperature: float = 1.0,
    max_bars: int = 20,
) -> Figure:
    """The distribution after ``temperature``, twice: the tokens top-k keeps (left) and those
    top-p keeps (right) in colour, the ones they cut in grey (the ``max_bars`` likeliest)."""
    logits = _check_distribution(logits, labels)
    scores = apply_temperature(logits, temperature)  # (V,)
    probs = softmax(scores)
    shown = _top_tokens(logits, max_bars)
    fig, axes = new_figure(1, 2, figsize=(10, 3.6))
    axes[1].sharey(axes[0])
    for ax, name, filtered in [
        (axes[0], f"top-k = {top_k}", top_k_filter(scores, top_k)),
        (axes[1], f"top-p = {top_p:.2f}", top_p_filter(scores, top_p)),
    ]:
        kept = torch.isfinite(filtered)  # (V,) True for the tokens the filter keeps
        _bars(ax, probs, shown, labels, [KEPT if kept[i] else CUT for i in shown.tolist()])
        renormalised = softmax(filtered)  # (V,) what sampling draws from: 0 outside the set
        ax.bar(
            range(len(shown)),
            renormalised[shown].numpy(),
            fill=False,
            edgecolor="black",
            linewidth=1,
            label="after the cut (renormalised)",
        )
        ax.set_title(
            f"T = {temperature:.3g}, {name}\nkeeps {int(kept.sum())} of {len(logits)} tokens, "
            f"{probs[kept].sum().item():.0%} of the probability"
        )
        ax.set_xlabel("next token (colour: kept, grey: cut)")
        ax.legend(loc="upper right")
    axes[0].set_ylim(
        0,
        min(
            1.0,
            1.15
            * max(
                softmax(top_k_filter(scores, top_k)).max().item(),
                softmax(top_p_filter(scores, top_p)).max().item(),
            ),
        ),
    )
    return fig
