"""Pictures of tokenization: a passage drawn with each token as a boxed span (chapter 02).

:func:`plot_token_spans` is a pure ``draw`` function: the notebook's slider over the number of
merges (``L.interactive_figure``) calls it with each value.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..tokenization.bpe import BPETokenizer
from .figures import new_figure
from .text import VISIBLE, token_label

SPAN_COLOURS = ["#8fcdf4", "#f8c85e"]
"""Two strong colours that neighbouring tokens alternate between; each token also gets a dark
border, so every boundary is visible even where a token wraps onto the next line."""
SPAN_EDGE = "0.15"
"""The colour of each token's border."""


def char_token_index(tokenizer: BPETokenizer, text: str) -> tuple[list[int], list[int]]:
    """The ids of ``text`` and, for each character, the index of the token holding its first
    byte (a character split over several tokens, such as a Chinese one, belongs to the first)."""
    ids = tokenizer.encode(text)
    owner_of_byte: list[int] = []  # (n_bytes,) index of the token each byte is in
    for index, token_id in enumerate(ids):
        owner_of_byte += [index] * len(tokenizer.token_bytes(token_id))
    owners, offset = [], 0
    for char in text:
        owners.append(owner_of_byte[offset])
        offset += len(char.encode("utf-8"))
    return ids, owners


def plot_token_spans(
    tokenizer: BPETokenizer,
    text: str,
    num_merges: int | None = None,
    width: int = 72,
    title: str | None = None,
) -> Figure:
    """Draw ``text`` with one bordered box per token, neighbours in alternating colours
    (␣ is a space, ⏎ a newline; a token that wraps onto the next line gets a box on each).

    ``num_merges`` uses only the tokenizer's first merges (0: every byte is a token);
    ``width`` is the line length in characters before a line wraps.
    """
    if not isinstance(tokenizer, BPETokenizer):
        raise TypeError(f"tokenizer must be a BPETokenizer, got {type(tokenizer).__name__}.")
    if not isinstance(text, str) or not text:
        raise ValueError("text must be a non-empty str to draw.")
    if not isinstance(width, int) or width < 8:
        raise ValueError(f"width must be an int of at least 8 characters, got {width!r}.")
    if num_merges is not None:
        tokenizer = tokenizer.truncated(num_merges)
    ids, owners = char_token_index(tokenizer, text)

    cells: list[tuple[int, int, str, bool, int]] = []  # (row, column, shown, grey, token)
    row = column = 0
    for char, owner in zip(text, owners, strict=True):
        if column == width:
            row, column = row + 1, 0
        cells.append((row, column, token_label(char), char in VISIBLE, owner))
        column += 1
        if char == "\n":
            row, column = row + 1, 0
    rows = cells[-1][0] + 1

    # one box per piece of a token on one row: (row, first column, last column, token)
    pieces: list[list[int]] = []
    for r, c, _, _, owner in cells:
        if pieces and pieces[-1][0] == r and pieces[-1][3] == owner:
            pieces[-1][2] = c
        else:
            pieces.append([r, c, c, owner])
    # alternate by the tokens that are drawn (a token inside a split character has no box)
    shade = {owner: i % len(SPAN_COLOURS) for i, owner in enumerate(dict.fromkeys(owners))}

    fig, ax = new_figure(figsize=(0.125 * width + 0.3, 0.3 * rows + 0.6))
    gap = 0.07  # on each side of a box, so two neighbouring borders do not touch
    for r, first, last, owner in pieces:
        ax.add_patch(
            Rectangle(
                (first + gap, r + 0.1),
                last - first + 1 - 2 * gap,
                0.8,
                linewidth=0.9,
                edgecolor=SPAN_EDGE,
                facecolor=SPAN_COLOURS[shade[owner]],
            )
        )
    for r, c, shown, grey, _ in cells:
        ax.text(
            c + 0.5,
            r + 0.5,
            shown,
            ha="center",
            va="center",
            family="monospace",
            fontsize=10,
            color="0.3" if grey else "black",
        )
    ax.set_xlim(0, width)
    ax.set_ylim(rows, 0)
    ax.axis("off")
    n_bytes = len(text.encode("utf-8"))
    merges = len(tokenizer.merges)
    ax.set_title(
        title
        or f"{merges} merges: {len(ids)} tokens for {n_bytes} bytes "
        f"({len(ids) / n_bytes:.2f} tokens per byte)",
        loc="left",
    )
    return fig
