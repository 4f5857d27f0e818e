"""Chapter 09's figures: scaling curves, overfitting and its remedies, bias measurements,
attention masks. Each takes the tables the project's commands and measures return."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, NullFormatter

from .._checks import positive_int
from ..measures.compute import training_flops
from ..measures.power_law import compute_frontier, fit_power_law, fit_power_law_with_floor
from .figures import new_figure

_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
# tick labels like 10⁴ are written with these, not mathtext (whose fonts a bare machine may
# lack, and then it warns)


def _runs(table: dict, sweep: str) -> list[dict]:
    return [row for row in table["rows"] if row.get("sweep") == sweep]


def _times_decade(value: float, _=None) -> str:
    """3·10⁵, 10⁶: a log axis's tick as a digit times a power of ten, without mathtext."""
    exponent = int(np.floor(np.log10(value) + 1e-9))
    digit = round(value / 10**exponent)
    decade = "10" + str(exponent).translate(_SUPERSCRIPTS)
    return decade if digit == 1 else f"{digit}·{decade}"


def _loss_ticks(ax, step: float) -> None:
    """Evenly spaced loss ticks on a log y axis, every label with the same decimals."""
    low, high = ax.get_ylim()
    ticks = np.arange(np.ceil(low / step) * step, high, step)
    decimals = max(0, -int(np.floor(np.log10(step) + 1e-9)))
    ax.set_yticks(ticks, [f"{t:.{decimals}f}" for t in ticks])
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_ylabel("validation loss (nats per character)")


def plot_scaling(table: dict) -> Figure:
    """Validation loss against parameters, tokens seen and compute, for ``bench scaling``'s
    size sweep: power laws with and without an irreducible floor fitted to the final losses,
    and the compute frontier (the best loss each budget bought) with its power law."""
    runs = sorted(_runs(table, "size"), key=lambda r: r["non_embedding"])
    fig, (by_size, by_tokens, by_compute) = new_figure(1, 3, figsize=(15, 4.8))
    n = np.array([r["non_embedding"] for r in runs], float)
    final = np.array([r["final_val_loss"] for r in runs])
    law, floored = fit_power_law(n, final), fit_power_law_with_floor(n, final)
    wide = np.logspace(np.log10(n[0]) - 0.1, np.log10(n[-1]) + 0.1, 50)
    by_size.plot(n, final, "o", color="C0", label="each width, after all steps", zorder=3)
    by_size.plot(wide, law(wide), "--", color="C3", label=f"a·N⁻ᵅ: α = {law.exponent:.3f}")
    label = f"E + A·N⁻ᵅ: α = {floored.exponent:.2f}, E = {floored.floor:.2f}"
    by_size.plot(wide, floored(wide), "-", color="C2", label=label)
    by_size.axhline(floored.floor, color="C2", linestyle=":", linewidth=1, label="its floor E")
    by_size.set_xlabel("parameters N (without embeddings)")
    by_size.set_title("loss against model size")
    points = []
    for i, run in enumerate(runs):
        tokens = np.array(run["tokens"][1:], float)  # skip step 0: no tokens seen yet
        loss = np.array(run["val_loss"][1:])
        label = f"N = {run['non_embedding']:,}"
        by_tokens.plot(tokens, loss, color=f"C{i}", label=label)
        compute = [training_flops(run["non_embedding"], t) for t in tokens]
        by_compute.plot(compute, loss, color=f"C{i}", alpha=0.6)
        points += list(zip(compute, loss, strict=True))
    frontier = np.array(compute_frontier(points))  # (F, 2): compute, loss
    c = frontier[:, 0]
    law_c, floored_c = fit_power_law(c, frontier[:, 1]), fit_power_law_with_floor(c, frontier[:, 1])
    by_compute.plot(c, frontier[:, 1], "o", color="k", markersize=2.5, zorder=3,
                    label="compute frontier (its points)")  # fmt: skip
    label = f"E + A·C⁻ᵅ: α = {floored_c.exponent:.2f}, E = {floored_c.floor:.2f}"
    by_compute.plot(c, floored_c(c), "-", color="k", linewidth=1, label=label)
    by_compute.plot(c, law_c(c), "--", color="k", label=f"a·C⁻ᵅ: α = {law_c.exponent:.3f}")
    by_tokens.set_xlabel("tokens seen D")
    by_tokens.set_title("loss against data seen")
    by_compute.set_xlabel("compute C = 6·N·D (FLOPs)")
    by_compute.set_title("loss against compute (a colour per size, as in the middle)")
    for ax, step in ((by_size, 0.05), (by_tokens, 0.2), (by_compute, 0.2)):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(_times_decade))
        ax.xaxis.set_minor_formatter(NullFormatter())
        _loss_ticks(ax, step)
    by_tokens.set_xticks([2e5, 5e5, 1e6, 2e6])  # one decade and a half: label inside it too
    by_size.legend(fontsize=9)
    by_tokens.legend(fontsize=8, title="size (no embeddings)", title_fontsize=8)
    by_compute.legend(fontsize=9)
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


def plot_effect_sizes(
    bare_words: dict[str, tuple[float, Sequence[float]]],
    pooled_sentences: dict[str, tuple[float, Sequence[float]]],
) -> Figure:
    """WEAT effect sizes, two bars per test: the bare words and the SEAT sentences pooled.
    Each maps a test's name to ``(d, spread)``: d is the bar, and a black line runs from the
    lowest to the highest d in ``spread`` (for the words: d with one word left out; for the
    sentences: d of each template on its own)."""
    tests = list(bare_words)
    fig, ax = new_figure(figsize=(9, 4.4))
    ways = (
        (bare_words, "bare words (line: d with one word left out)"),
        (pooled_sentences, "SEAT, all templates pooled (line: d of each template alone)"),
    )
    width = 0.38
    for j, (results, label) in enumerate(ways):
        x = np.arange(len(tests)) + (j - 0.5) * width
        ax.bar(x, [results[t][0] for t in tests], width, color=f"C{j}", label=label)
        for xi, test in zip(x, tests, strict=True):
            spread = list(results[test][1])
            if spread:
                ax.vlines(xi, min(spread), max(spread), color="k", linewidth=1.5)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(range(len(tests)), tests)
    ax.set_ylabel("effect size d")
    ax.set_ylim(-1, 2)
    ax.set_title(
        "WEAT and SEAT on MiniLM. Black lines: the lowest to the highest d over one\n"
        "choice (a word left out, a single template); ranges, not error bars"
    )
    ax.legend(fontsize=9, loc="upper right")
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
    key = [Patch(color=colours(1), label="may attend"), Patch(color=colours(0), label="masked out")]
    fig.legend(handles=key, loc="outside right center", fontsize=10)
    axes[2].set_xlabel("source position (encoder output)")
    axes[2].set_ylabel("target position")
    return fig


def plot_shares(
    words: Sequence[str], corpus: Sequence[float], model: Sequence[float], overall: float
) -> Figure:
    """Each word's masculine share of pronouns in the corpus and in the model, one row per
    word (sorted by the corpus's share), joined by a line: long lines are words where the
    model does not follow the corpus. Dotted: the corpus's overall share."""
    order = np.argsort(corpus)  # (W,): lowest corpus share at the bottom
    rows = np.arange(len(words))
    fig, ax = new_figure(figsize=(7, 0.32 * len(words) + 1.6))
    ax.hlines(rows, np.asarray(corpus)[order], np.asarray(model)[order], color="grey",
              linewidth=1)  # fmt: skip
    ax.plot(np.asarray(corpus)[order], rows, "o", color="C0", label="corpus")
    ax.plot(np.asarray(model)[order], rows, "s", color="C3", label="GPT after a prompt")
    ax.axvline(overall, color="C1", linestyle=":", label=f"corpus overall: {overall:.2f}")
    ax.axvline(0.5, color="grey", linewidth=0.8, label="even: 0.50")
    ax.set_yticks(rows, [words[i] for i in order])
    ax.set_xlim(0.3, 1.0)
    ax.set_ylim(-0.7, len(words) - 0.3)
    ax.set_xlabel("masculine share: he / (he + she)")
    ax.set_title("masculine share of pronouns after each word: corpus and GPT")
    ax.legend(fontsize=9, loc="upper left")
    return fig
