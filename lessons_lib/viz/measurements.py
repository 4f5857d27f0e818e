"""Chapter 09's figures: scaling curves, overfitting and its remedies, bias measurements,
attention masks. Each takes the tables the project's commands and measures return."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

from .._checks import positive_int
from ..measures.compute import training_flops
from ..measures.power_law import compute_frontier, fit_power_law
from .figures import new_figure

_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
# 10⁴ without mathtext (whose fonts a bare machine may lack, and then it warns)
_DECADES = FuncFormatter(
    lambda value, _: "10" + str(round(np.log10(value))).translate(_SUPERSCRIPTS)
)


def _runs(table: dict, sweep: str) -> list[dict]:
    return [row for row in table["rows"] if row.get("sweep") == sweep]


def plot_scaling(table: dict) -> Figure:
    """Validation loss against parameters, tokens seen and compute, for ``bench scaling``'s
    size sweep, with a power law fitted to the first and to the compute frontier."""
    runs = sorted(_runs(table, "size"), key=lambda r: r["non_embedding"])
    fig, (by_size, by_tokens, by_compute) = new_figure(1, 3, figsize=(15, 4.6))
    n = np.array([r["non_embedding"] for r in runs], float)
    final = np.array([r["final_val_loss"] for r in runs])
    law = fit_power_law(n, final)
    by_size.plot(n, final, "o", color="C0", label="each width, after all steps")
    by_size.plot(n, law(n), "--", color="C3", label=f"fit: L ∝ N^−{law.exponent:.3f}")
    by_size.set_xlabel("parameters N (without embeddings)")
    by_size.set_title("loss against model size")
    points = []
    for i, run in enumerate(runs):
        tokens = np.array(run["tokens"][1:], float)  # skip step 0: no tokens seen yet
        loss = np.array(run["val_loss"][1:])
        label = f"{run['non_embedding']:,} params"
        by_tokens.plot(tokens, loss, color=f"C{i}", label=label)
        compute = [training_flops(run["non_embedding"], t) for t in tokens]
        by_compute.plot(compute, loss, color=f"C{i}", alpha=0.8)
        points += list(zip(compute, loss, strict=True))
    frontier = np.array(compute_frontier(points))
    law_c = fit_power_law(frontier[:, 0], frontier[:, 1])
    by_compute.plot(frontier[:, 0], law_c(frontier[:, 0]), "--", color="k",
                    label=f"frontier fit: L ∝ C^−{law_c.exponent:.3f}")  # fmt: skip
    by_tokens.set_xlabel("tokens seen D")
    by_tokens.set_title("loss against data seen")
    by_compute.set_xlabel("compute C = 6·N·D (FLOPs)")
    by_compute.set_title("loss against compute")
    plain = FuncFormatter(lambda value, _: f"{value:.3g}")  # 1.8, not 1.8 × 10^0
    for ax in (by_size, by_tokens, by_compute):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(plain)
        ax.xaxis.set_major_formatter(_DECADES)
        ax.xaxis.set_minor_formatter(NullFormatter())  # decades only: no crowded labels
        ax.set_ylabel("validation loss (nats per character)")
    by_size.legend()
    by_tokens.legend(fontsize=8)
    by_compute.legend()
    return fig


def plot_data_sweeps(table: dict) -> Figure:
    """Validation curves of ``bench scaling``'s data sweep (how much text) and noise sweep
    (how clean), each beside the same model on the whole, clean training split."""
    full = next(r for r in _runs(table, "size") if r["config"]["n_embd"] == 64)
    fig, (amount, noise) = new_figure(1, 2, figsize=(12, 4.4))
    data_runs = sorted(_runs(table, "data"), key=lambda r: r["train_chars"])
    for i, run in enumerate([*data_runs, full]):
        label = f"{run['train_chars']:,} characters"
        amount.plot(run["steps"], run["val_loss"], color=f"C{i}", label=label)
    amount.set_title("the same model on less text: validation loss")
    noisy = [{**full, "noise": 0.0}, *_runs(table, "noise")]
    for i, run in enumerate(noisy):
        label = f"{run['noise']:.0%} of lines shuffled"
        noise.plot(run["steps"], run["val_loss"], color=f"C{i}", label=label)
    noise.set_title("noisy training text, clean validation text")
    for ax in (amount, noise):
        ax.set_xlabel("step")
        ax.set_ylabel("validation loss (nats per character)")
        ax.set_ylim(top=min(3.0, ax.get_ylim()[1]))
        ax.legend()
    return fig


def plot_overfitting(table: dict, live: dict | None = None) -> Figure:
    """One panel per remedy of ``bench overfitting``: train and validation loss against steps,
    the baseline's validation loss dashed for comparison and the best step marked. ``live``:
    a re-run of the baseline's first steps, drawn over the baseline's panel."""
    rows = table["rows"]
    base = rows[0]
    cols = 3
    fig, axes = new_figure((len(rows) + cols - 1) // cols, cols, figsize=(14, 7.5))
    axes = np.atleast_1d(axes).ravel()
    for ax, run in zip(axes, rows, strict=False):
        ax.plot(run["steps"], run["train_loss"], color="C0", label="train")
        ax.plot(run["steps"], run["val_loss"], color="C1", label="validation")
        if run is not base:
            ax.plot(base["steps"], base["val_loss"], "--", color="C1", alpha=0.5,
                    label="baseline validation")  # fmt: skip
        best = int(np.argmin(run["val_loss"]))
        ax.plot(run["steps"][best], run["val_loss"][best], "v", color="k", markersize=8,
                label=f"best: step {run['steps'][best]}")  # fmt: skip
        ax.set_title(run["remedy"])
        ax.set_ylim(1.2, 3.0)
        ax.set_xlabel("step")
        ax.set_ylabel("loss (nats per character)")
    if live is not None:
        axes[0].plot(live["steps"], live["val_loss"], "o", color="C3", markersize=4,
                     label="re-run live")  # fmt: skip
    for ax in axes[: len(rows)]:
        ax.legend(fontsize=8)
    for ax in axes[len(rows) :]:
        ax.set_visible(False)
    return fig


def plot_effect_sizes(results: dict[str, dict[str, Sequence[float]]]) -> Figure:
    """WEAT effect sizes: one group per test, one bar per way of embedding (words, sentences),
    the spread over templates or dropped words as a line. ``results[test][way]`` is a list of
    effect sizes: the first is the bar, the rest give the line's ends (min to max)."""
    tests = list(results)
    ways = list(next(iter(results.values())))
    fig, ax = new_figure(figsize=(9, 4.2))
    width = 0.8 / len(ways)
    for j, way in enumerate(ways):
        x = np.arange(len(tests)) + (j - (len(ways) - 1) / 2) * width
        values = [results[t][way] for t in tests]
        ax.bar(x, [v[0] for v in values], width, color=f"C{j}", label=way)
        for xi, v in zip(x, values, strict=True):
            if len(v) > 1:
                ax.vlines(xi, min(v[1:]), max(v[1:]), color="k", linewidth=1.5)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(range(len(tests)), tests)
    ax.set_ylabel("effect size d")
    ax.set_ylim(-1, 2)
    ax.set_title("WEAT / SEAT on MiniLM (black lines: spread over templates or dropped words)")
    ax.legend(fontsize=9)
    return fig


def plot_masks(length: int = 6, source_length: int = 5) -> Figure:
    """Who may attend to whom, side by side: a decoder (GPT), an encoder (BERT), and the
    cross-attention of an encoder–decoder (chapter 08's translator). Blue: allowed."""
    positive_int(length, "length")
    positive_int(source_length, "source_length")
    masks = {
        "decoder (GPT): causal": torch.tril(torch.ones(length, length)),
        "encoder (BERT): bidirectional": torch.ones(length, length),
        "cross-attention (translator)": torch.ones(length, source_length),
    }
    fig, axes = new_figure(1, 3, figsize=(12, 3.8))
    colours = ListedColormap(["#e6e6e6", "#1f77b4"])  # grey: masked out; blue: may attend
    for ax, (title, mask) in zip(axes, masks.items(), strict=True):
        rows, cols = mask.shape
        ax.pcolormesh(mask.numpy(), cmap=colours, vmin=0, vmax=1, edgecolors="white",
                      linewidth=2)  # fmt: skip
        ax.set_aspect("equal")
        ax.invert_yaxis()  # query 0 on top, as in an attention map
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("attends to (key position)")
        ax.set_ylabel("query position")
        ax.set_xticks(np.arange(cols) + 0.5, range(cols))
        ax.set_yticks(np.arange(rows) + 0.5, range(rows))
        ax.grid(False)
    fig.supxlabel("blue: may attend    grey: masked out", fontsize=10)
    axes[2].set_xlabel("source position (encoder output)")
    axes[2].set_ylabel("target position")
    return fig


def plot_shares(
    words: Sequence[str], corpus: Sequence[float], model: Sequence[float], overall: float
) -> Figure:
    """Each word's masculine share in the corpus against the model's, with the diagonal (the
    model copies the corpus word by word) and the corpus's overall share (the model copies
    only the overall ratio)."""
    fig, ax = new_figure(figsize=(6.2, 5.4))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="model = corpus, word by word")
    ax.axhline(overall, color="C1", linestyle=":", label=f"corpus overall: {overall:.2f}")
    ax.scatter(corpus, model, color="C0", zorder=3)
    order = np.argsort(corpus)  # labels on four levels, left to right, so neighbours part
    for rank, i in enumerate(order):
        up = rank % 2 == 0
        lift = 6 + 30 * (rank // 2 % 2)  # points: near or far from the dot
        ax.annotate(words[i], (corpus[i], model[i]), textcoords="offset points",
                    xytext=(0, lift if up else -lift), fontsize=9, ha="center",
                    va="bottom" if up else "top",
                    arrowprops=dict(arrowstyle="-", color="grey", linewidth=0.6))  # fmt: skip
    ax.set_xlim(0.2, 1.0)
    ax.set_ylim(0.2, 1.0)
    ax.set_xlabel("corpus: he / (he + she) in the 10 words after the word")
    ax.set_ylabel("GPT: P(he) / (P(he) + P(she)) after a prompt")
    ax.set_title("masculine share of pronouns, corpus and model")
    ax.legend(fontsize=9, loc="lower right")
    return fig
