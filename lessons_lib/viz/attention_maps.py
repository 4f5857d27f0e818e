"""Pictures of attention: maps, heads side by side, and an explorer (chapter 05 onwards).

* :func:`plot_attention` draws one ``(T_q, T_k)`` map: a row per query, a column per key,
  darker = more weight, with a labelled colour bar. ``positions=True`` numbers the tick
  labels ("0 c", "1 d"); ``outline_offset=-1`` outlines the cells (t, t - 1), so a
  "one token back" pattern stands out even in a large map.
* :func:`plot_attention_heads` draws ``(H, T_q, T_k)`` maps as a grid on one colour scale.
* :func:`attention_explorer` lets you pick a layer, a head and a query token and see what
  the token attends to, twice: shaded over the text itself and as the row of the matrix.

Every function takes plain tensors and token strings and returns a ``Figure`` (or, for the
live explorer, a widget): nothing is shown twice, no global setting changes, no file is
written. Token lists must match the weights' shape; a mismatch names both sizes.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import matplotlib as mpl
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .._checks import is_int, positive_int
from ..course.session import is_headless
from .figures import new_figure
from .text import token_labels

CMAP = "Blues"  # white = no attention, dark blue = the strongest weight
HIGHLIGHT = "#e6550d"  # orange: the query being explored, an outlined diagonal
EXPLORER_MAP_INCHES = 7.0  # the explorer's map is at most this wide and tall


def _as_weights(weights, dims: tuple[int, ...], what: str) -> torch.Tensor:
    """A float CPU tensor of attention weights with one of ``dims`` dims, checked."""
    weights = torch.as_tensor(weights).detach().float().cpu()
    if weights.dim() not in dims or 0 in weights.shape:
        raise ValueError(f"weights must have shape {what}, got {tuple(weights.shape)}.")
    if not bool(torch.isfinite(weights).all()) or bool((weights < 0).any()):
        raise ValueError(
            "weights must be finite and >= 0 (attention weights are probabilities); "
            "these hold NaN, inf or negative values."
        )
    return weights


def _axis_labels(query_tokens, key_tokens, shape: tuple[int, ...], positions: bool):
    """Row and column labels (keys default to queries), numbered ("0 c") if ``positions``."""
    key_tokens = query_tokens if key_tokens is None else key_tokens
    rows = token_labels(query_tokens, shape[-2], "query_tokens", shape, "queries (rows)")
    cols = token_labels(key_tokens, shape[-1], "key_tokens", shape, "keys (columns)")
    if positions:
        rows, cols = ([f"{i} {label}" for i, label in enumerate(ls)] for ls in (rows, cols))
    return rows, cols


def _index(value, count: int, name: str) -> int:
    """``value`` if it is an int from 0 to ``count - 1``; else an error that gives the range."""
    if not is_int(value) or not 0 <= value < count:
        raise ValueError(f"{name} must be an int from 0 to {count - 1}, got {value!r}.")
    return value


def _outline_diagonal(ax, T_q: int, T_k: int, offset: int) -> None:
    """Outline every cell (t, t + offset) of a (T_q, T_k) map: offset 0 is the main diagonal,
    -1 the cells one key back (query t, key t - 1)."""
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise TypeError(f"outline_offset must be an int (e.g. -1), got {offset!r}.")
    if not -T_q < offset < T_k:
        raise ValueError(
            f"outline_offset={offset} has no cells in a {T_q} x {T_k} map: use an offset "
            f"from {-(T_q - 1)} to {T_k - 1} (0 = main diagonal, -1 = one key back)."
        )
    style = dict(fill=False, edgecolor=HIGHLIGHT, linewidth=1.2, label="_diagonal")
    for t in range(max(0, -offset), min(T_q, T_k - offset)):
        ax.add_patch(Rectangle((t + offset - 0.5, t - 0.5), 1.0, 1.0, **style))


def _draw_map(ax, weights, q_labels, k_labels, vmax, annotate, highlight=None, aspect="equal"):
    """Draw one (T_q, T_k) map on ``ax``; returns the image (for a colour bar). ``highlight``
    outlines one query's row; ``aspect`` "equal" keeps the cells square (a grid of panels
    sized for its maps passes "auto")."""
    T_q, T_k = weights.shape
    image = ax.imshow(weights.numpy(), cmap=CMAP, vmin=0.0, vmax=vmax, aspect=aspect)
    ax.grid(False)
    size = 10 if max(T_q, T_k) <= 16 else 8
    long = max(len(k) for k in k_labels) > 2
    ax.set_xticks(range(T_k), k_labels, fontsize=size, rotation=90 if long else 0)
    ax.set_yticks(range(T_q), q_labels, fontsize=size)
    ax.set(xlabel="key (attended to)", ylabel="query (attending)")
    if annotate:
        for i in range(T_q):
            for j in range(T_k):
                value = float(weights[i, j])
                ink = "white" if value > 0.6 * vmax else "black"
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8, color=ink)
    if highlight is not None:
        outline = dict(fill=False, edgecolor=HIGHLIGHT, linewidth=2.5)
        ax.add_patch(Rectangle((-0.5, highlight - 0.5), T_k, 1.0, **outline))
    return image


def _vmax(weights: torch.Tensor) -> float:
    return max(float(weights.max()), 1e-6)


def plot_attention(
    weights,
    query_tokens,
    key_tokens=None,
    *,
    title: str = "Attention weights",
    annotate: bool | None = None,
    highlight_query: int | None = None,
    positions: bool = False,
    outline_offset: int | None = None,
) -> Figure:
    """One attention map: ``weights`` (T_q, T_k), row ``i`` = what query ``i`` attends to.

    ``key_tokens`` defaults to ``query_tokens`` (self-attention). ``annotate`` writes each
    weight in its cell (default: when the map is at most 10 x 10). ``highlight_query``
    outlines one row. ``positions=True`` starts each tick label with its position ("0 c",
    "1 d"), for reading positions off the map. ``outline_offset`` outlines one diagonal
    thinly: the cells (t, t + offset), e.g. -1 for "one token back". The colour scale runs
    from 0 (white) to the largest weight; cells are square.
    """
    weights = _as_weights(weights, (2,), "(T_q, T_k)")
    shape = tuple(weights.shape)
    T_q, T_k = shape
    q_labels, k_labels = _axis_labels(query_tokens, key_tokens, shape, positions)
    if highlight_query is not None:
        _index(highlight_query, T_q, "highlight_query")
    annotate = max(T_q, T_k) <= 10 if annotate is None else annotate
    cell = 0.45 if annotate else 0.32
    cell = min(cell, 8.1 / T_k, 6.7 / T_q)  # big maps: smaller cells, still square
    margin = 0.25 if positions else 0.0  # numbered labels are longer
    fig, ax = new_figure(figsize=(1.9 + margin + cell * T_k, 1.3 + margin + cell * T_q))
    image = _draw_map(ax, weights, q_labels, k_labels, _vmax(weights), annotate, highlight_query)
    if outline_offset is not None:
        _outline_diagonal(ax, T_q, T_k, outline_offset)
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="attention weight", shrink=0.9)
    return fig


def plot_attention_heads(
    weights,
    query_tokens,
    key_tokens=None,
    *,
    titles: Sequence[str] | None = None,
    ncols: int | None = None,
    title: str | None = None,
    positions: bool = False,
    outline_offset: int | None = None,
) -> Figure:
    """Every head's map, ``weights`` (H, T_q, T_k), as a grid on one shared colour scale;
    ``positions`` and ``outline_offset`` work as in :func:`plot_attention`."""
    weights = _as_weights(weights, (3,), "(heads, T_q, T_k)")
    shape = tuple(weights.shape)
    H, T_q, T_k = shape
    q_labels, k_labels = _axis_labels(query_tokens, key_tokens, shape, positions)
    titles = [f"head {h}" for h in range(H)] if titles is None else list(titles)
    if len(titles) != H:
        raise ValueError(f"Got {len(titles)} titles for {H} heads.")
    ncols = min(H, 4) if ncols is None else positive_int(ncols, "ncols")
    nrows = -(-H // ncols)  # ceiling division
    panel = min(0.75 + 0.2 * max(T_q, T_k), 5.0)  # inches; long texts get smaller cells
    panel += 0.3 if positions else 0.0  # numbered labels are longer
    fig, axes = new_figure(nrows, ncols, figsize=(panel * ncols + 1.0, panel * nrows + 0.4))
    axes = [axes] if H == 1 and ncols == 1 else list(getattr(axes, "flat", axes))
    vmax = _vmax(weights)
    for h, ax in enumerate(axes):
        if h >= H:
            ax.set_visible(False)
            continue
        # the panels are sized for their maps; aspect "equal" would crowd the titles
        image = _draw_map(ax, weights[h], q_labels, k_labels, vmax, False, aspect="auto")
        if outline_offset is not None:
            _outline_diagonal(ax, T_q, T_k, outline_offset)
        ax.set_title(titles[h])
        if h % ncols:
            ax.set_ylabel("")
        if h < H - ncols:
            ax.set_xlabel("")
    fig.colorbar(image, ax=axes, label="attention weight", shrink=0.8)
    if title:
        fig.suptitle(title)
    return fig


# --- the explorer ------------------------------------------------------------------------


def _layers(weights) -> torch.Tensor:
    """Weights of every layer as one (L, H, T, T) tensor, from a tensor or a list of layers."""
    if isinstance(weights, (list, tuple)):
        per_layer = [torch.as_tensor(w).detach().float().cpu() for w in weights]
        per_layer = [w[0] if w.dim() == 4 and w.shape[0] == 1 else w for w in per_layer]
        shapes = {tuple(w.shape) for w in per_layer}
        if len(shapes) != 1 or len(next(iter(shapes))) != 3:
            raise ValueError(
                "A list of weights needs one (H, T, T) tensor per layer (or (1, H, T, T): one "
                f"example), all the same shape; got shapes {sorted(shapes)}."
            )
        weights = torch.stack(per_layer)  # (L, H, T, T)
    weights = _as_weights(weights, (3, 4), "(L, H, T, T), (H, T, T) or a list of (H, T, T)")
    if weights.dim() == 3:
        weights = weights[None]  # one layer: (1, H, T, T)
    if weights.shape[-1] != weights.shape[-2]:
        raise ValueError(f"The explorer shows self-attention: (..., T, T), got {weights.shape}.")
    return weights


def _view(weights, labels, layer, head, query) -> torch.Tensor:
    """``weights[layer, head]`` (T, T), checked, once ``labels`` and the indices are checked."""
    if not isinstance(weights, torch.Tensor) or weights.dim() != 4:
        weights = _layers(weights)  # a list of layers, or one layer: checked and stacked
    L_, H, T, _ = weights.shape
    token_labels(labels, T, "labels", tuple(weights.shape), "positions")
    for name, value, count in (("layer", layer, L_), ("head", head, H), ("query", query, T)):
        _index(value, count, name)
    return _layers(weights[layer, head][None])[0, 0]  # one map checked: cheap for every update


def _hex_colours(values: torch.Tensor, vmax: float) -> list[str]:
    rgba = mpl.colormaps[CMAP]((values / vmax).clamp(0, 1).numpy())
    return [mpl.colors.to_hex(c) for c in rgba.reshape(-1, 4)]


def explorer_html(
    weights: torch.Tensor, labels: list[str], layer: int, head: int, query: int
) -> str:
    """The explorer's view as HTML: the text shaded by what ``query`` attends to, then the
    head's whole (T, T) matrix with that row outlined. ``weights`` is (L, H, T, T)."""
    matrix = _view(weights, labels, layer, head, query)  # (T, T)
    T, vmax = len(matrix), _vmax(matrix)
    colours = _hex_colours(matrix, vmax)  # T * T colours, row by row
    ink = ["white" if v > 0.6 * vmax else "black" for v in matrix.flatten().tolist()]
    text = []
    for j, label in enumerate(labels):
        w = float(matrix[query, j])
        style = f"background:{colours[query * T + j]};color:{ink[query * T + j]};"
        style += "padding:2px 5px;margin:2px;border-radius:4px;"
        if j == query:
            style += f"outline:3px solid {HIGHLIGHT};"
        elif w == 0 and j > query:
            style += "color:#aaa;"  # masked: the future
        text.append(f'<span style="{style}" title="weight {w:.3f}">{html.escape(label)}</span>')
    cell = "width:22px;height:22px;text-align:center;padding:0;font-size:12px;"
    head_row = "".join(f'<th style="{cell}">{html.escape(k)}</th>' for k in labels)
    rows = [f'<tr><th style="{cell}"></th>{head_row}</tr>']
    for i, q_label in enumerate(labels):
        edge = f"border-top:3px solid {HIGHLIGHT};border-bottom:3px solid {HIGHLIGHT};"
        mark = edge if i == query else ""
        cells = "".join(
            f'<td style="{cell}{mark}background:{colours[i * T + j]}" '
            f'title="{html.escape(q_label)} → {html.escape(labels[j])}: '
            f'{float(matrix[i, j]):.3f}"></td>'
            for j in range(T)
        )
        rows.append(f'<tr><th style="{cell}{mark}">{html.escape(q_label)}</th>{cells}</tr>')
    bar = ", ".join(_hex_colours(torch.linspace(0, vmax, 6), vmax))
    legend = (
        f'<div style="font-size:12px;margin-top:4px">attention weight: 0 '
        f'<span style="display:inline-block;width:120px;height:10px;'
        f'background:linear-gradient(to right, {bar})"></span> {vmax:.2f}</div>'
    )
    return (
        f'<div style="font-family:monospace;font-size:15px;line-height:2.1">'
        f"<b>layer {layer} · head {head}</b>: what query {query} "
        f"<b>{html.escape(labels[query])}</b> attends to<br>{''.join(text)}</div>"
        f'<table style="border-collapse:collapse;font-family:monospace;margin-top:6px">'
        f'{"".join(rows)}</table><div style="font-size:12px">rows: queries · columns: keys · '
        f"hover a cell for its weight</div>{legend}"
    )


def plot_explorer_view(
    weights: torch.Tensor, labels: list[str], layer: int, head: int, query: int
) -> Figure:
    """The explorer's view as a Figure (what a notebook stores when no browser is attached):
    the shaded text on top, the head's matrix with the query's row outlined below.

    Its size follows the number of tokens: square cells of 0.32 inches, smaller once the map
    would pass ``EXPLORER_MAP_INCHES`` on a side (51 tokens: 9.4 x 9.6 inches)."""
    matrix = _view(weights, labels, layer, head, query)  # (T, T)
    T, vmax = len(matrix), _vmax(matrix)
    cell = min(0.32, EXPLORER_MAP_INCHES / T)  # inches per (square) cell of the map
    width = max(cell * T + 2.4, 5.0)  # the map, its tick labels and the colour bar
    per_line = max(1, int((width - 0.4) / (0.13 * (max(len(s) for s in labels) + 2))))
    lines = -(-T // per_line)
    text_height = 0.35 * lines + 0.45  # the shaded text and its title
    map_height = cell * T + 1.1  # the map, its x tick labels and axis label
    fig = Figure(figsize=(width, text_height + map_height), layout="constrained")
    text_ax, map_ax = fig.subplots(2, 1, height_ratios=[text_height, map_height])
    text_ax.set_axis_off()
    text_ax.set(xlim=(0, per_line), ylim=(lines, -0.4))
    colours = _hex_colours(matrix[query], vmax)
    font = dict(ha="center", va="center", family="monospace", fontsize=12)
    for j, label in enumerate(labels):
        w = float(matrix[query, j])
        edge = HIGHLIGHT if j == query else "none"
        box = dict(boxstyle="round,pad=0.3", facecolor=colours[j], edgecolor=edge, linewidth=2.5)
        ink = "white" if w > 0.6 * vmax else "#aaaaaa" if w == 0 and j > query else "black"
        x, y = j % per_line + 0.5, j // per_line + 0.5  # grey ink: masked, the future
        text_ax.text(x, y, label, bbox=box, color=ink, **font)
    title = f"layer {layer} · head {head}: what query {query} '{labels[query]}' attends to"
    text_ax.set_title(title + " (text shaded by weight)", fontsize=10)
    image = _draw_map(map_ax, matrix, labels, labels, vmax, annotate=False, highlight=query)
    fig.colorbar(image, ax=[text_ax, map_ax], label="attention weight", shrink=0.6)
    return fig


def attention_explorer(weights, tokens, *, layer: int = 0, head: int = 0, query: int | None = None):
    """Pick a layer, a head and a query token; see what it attends to, over the text and
    in the matrix.

    ``weights``: (L, H, T, T), (H, T, T) for one layer, or a list of (H, T, T) per layer
    (e.g. ``[w[0] for w in model.attention_weights()]``); ``tokens``: the T tokens. Live, it
    returns a widget (three dropdowns over HTML, redrawn in a few milliseconds); with no
    browser attached it returns the Figure of the starting choice (``query`` defaults to
    the last token).
    """
    weights = _layers(weights)  # (L, H, T, T)
    L_, H, T, _ = weights.shape
    labels = token_labels(tokens, T, "tokens", tuple(weights.shape), "positions")
    query = T - 1 if query is None else query
    _view(weights, labels, layer, head, query)
    if is_headless():
        return plot_explorer_view(weights, labels, layer, head, query)
    import ipywidgets as widgets

    pick_layer = widgets.Dropdown(options=list(range(L_)), value=layer, description="layer")
    pick_head = widgets.Dropdown(options=list(range(H)), value=head, description="head")
    pick_query = widgets.Dropdown(
        options=[(f"{i}: {s}", i) for i, s in enumerate(labels)], value=query, description="query"
    )
    view = widgets.HTML(explorer_html(weights, labels, layer, head, query))

    def update(_change=None) -> None:
        choice = pick_layer.value, pick_head.value, pick_query.value
        view.value = explorer_html(weights, labels, *choice)

    for control in (pick_layer, pick_head, pick_query):
        control.observe(update, names="value")
    return widgets.VBox([widgets.HBox([pick_layer, pick_head, pick_query]), view])
