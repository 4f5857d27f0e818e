"""Tests of viz.attention_maps: attention maps, head grids and the explorer."""

from __future__ import annotations

import time

import ipywidgets
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lessons_lib import attention_explorer, causal_mask, plot_attention, plot_attention_heads
from lessons_lib.course.session import HEADLESS_VARIABLE
from lessons_lib.viz.attention_maps import HIGHLIGHT, explorer_html, plot_explorer_view


def _weights(*shape: int, seed: int = 0, causal: bool = True) -> torch.Tensor:
    scores = torch.randn(*shape, generator=torch.Generator().manual_seed(seed))
    if causal:
        scores = scores.masked_fill(~causal_mask(shape[-1]), float("-inf"))
    return torch.softmax(scores, dim=-1)


def _image(ax) -> np.ndarray:
    return np.asarray(ax.get_images()[0].get_array())


def _ticks(labels) -> list[str]:
    return [t.get_text() for t in labels]


def test_plot_attention_draws_the_map_with_labels_and_a_colour_bar():
    rc_before = dict(mpl.rcParams)
    before = plt.get_fignums()
    weights = _weights(4, 4)
    fig = plot_attention(weights, ["a", " ", "c", "\n"], title="one head")
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == before and dict(mpl.rcParams) == rc_before
    ax, bar = fig.axes
    np.testing.assert_allclose(_image(ax), weights.numpy(), rtol=1e-6)
    assert _ticks(ax.get_yticklabels()) == ["a", "␣", "c", "⏎"]
    assert _ticks(ax.get_xticklabels()) == ["a", "␣", "c", "⏎"]  # keys default to queries
    assert ax.get_title() == "one head" and ax.get_xlabel() == "key (attended to)"
    assert bar.get_ylabel() == "attention weight"
    assert len(ax.texts) == 16  # small maps are annotated with their weights
    assert ax.texts[0].get_text() == "1.00"


def test_plot_attention_rectangular_map_with_its_own_key_tokens_and_a_highlight():
    weights = _weights(2, 5, causal=False)
    fig = plot_attention(
        weights, ["x", "y"], ["a", "b", "c", "d", "e"], annotate=False, highlight_query=1
    )
    ax = fig.axes[0]
    assert _image(ax).shape == (2, 5) and not ax.texts
    assert _ticks(ax.get_xticklabels()) == list("abcde")
    outline = ax.patches[-1]
    assert outline.get_y() == pytest.approx(0.5)  # around row 1
    assert mpl.colors.to_hex(outline.get_edgecolor()) == HIGHLIGHT


def test_plot_attention_accepts_a_string_of_characters_and_a_big_map_is_not_annotated():
    fig = plot_attention(_weights(12, 12), "hello world!")
    assert _ticks(fig.axes[0].get_yticklabels())[5] == "␣"
    assert not fig.axes[0].texts


@pytest.mark.parametrize(
    ("q_tokens", "k_tokens", "message"),
    [
        (["a", "b"], None, r"query_tokens has 2 tokens but the weights have 3 queries .*\(3, 4\)"),
        (list("abc"), list("abc"), r"key_tokens has 3 tokens but the weights have 4 keys"),
    ],
)
def test_plot_attention_token_count_mismatch_names_both_sizes(q_tokens, k_tokens, message):
    with pytest.raises(ValueError, match=message):
        plot_attention(_weights(3, 4, causal=False), q_tokens, k_tokens)


def test_plot_attention_bad_weights_are_clear_errors():
    with pytest.raises(ValueError, match=r"shape \(T_q, T_k\), got \(2, 2, 2\)"):
        plot_attention(torch.ones(2, 2, 2), ["a", "b"])
    with pytest.raises(ValueError, match="finite and >= 0"):
        plot_attention(torch.tensor([[float("nan")]]), ["a"])
    with pytest.raises(TypeError, match="list of token strings"):
        plot_attention(torch.ones(2, 2), [1, 2])


def test_plot_attention_heads_grid_shares_one_colour_scale():
    weights = _weights(3, 5, 5)
    fig = plot_attention_heads(weights, list("abcde"), title="layer 0")
    maps = [ax for ax in fig.axes if ax.get_visible() and ax.get_images()]
    assert [ax.get_title() for ax in maps] == ["head 0", "head 1", "head 2"]
    for h, ax in enumerate(maps):
        np.testing.assert_allclose(_image(ax), weights[h].numpy(), rtol=1e-6)
        assert ax.get_images()[0].get_clim() == (0.0, pytest.approx(float(weights.max())))
    assert fig.axes[-1].get_ylabel() == "attention weight"
    assert fig.get_suptitle() == "layer 0"


def test_plot_attention_heads_wraps_rows_and_hides_spare_panels():
    fig = plot_attention_heads(_weights(5, 3, 3), list("abc"), ncols=2)
    hidden = [ax for ax in fig.axes if not ax.get_visible()]
    assert len(hidden) == 1  # 5 heads on a 3 x 2 grid


def test_plot_attention_heads_errors():
    with pytest.raises(ValueError, match=r"\(heads, T_q, T_k\), got \(3, 3\)"):
        plot_attention_heads(_weights(3, 3), list("abc"))
    with pytest.raises(ValueError, match="query_tokens has 2 tokens but the weights have 3"):
        plot_attention_heads(_weights(2, 3, 3), list("ab"))
    with pytest.raises(ValueError, match="Got 1 titles for 2 heads"):
        plot_attention_heads(_weights(2, 3, 3), list("abc"), titles=["only one"])
    for ncols in (0, "2"):
        with pytest.raises(ValueError, match=f"ncols must be a positive int, got {ncols!r}"):
            plot_attention_heads(_weights(2, 3, 3), list("abc"), ncols=ncols)


def test_plot_attention_highlight_and_tokens_out_of_range_are_clear_errors():
    for row in (4, -1, "1"):
        with pytest.raises(
            ValueError, match=f"highlight_query must be an int from 0 to 3, got {row!r}"
        ):
            plot_attention(_weights(4, 4), list("abcd"), highlight_query=row)
    with pytest.raises(TypeError, match=r"list of token strings, got 7 at query_tokens\[1\]"):
        plot_attention(_weights(2, 2), ["a", 7])


# --- the explorer ------------------------------------------------------------------------

TOKENS = list("abcd|dcba")


def _layers() -> list[torch.Tensor]:
    return [_weights(1, 2, 9, 9, seed=s) for s in (1, 2)]  # (1, H, T, T) per layer


def test_explorer_headless_draws_the_default_choice_once(monkeypatch):
    monkeypatch.setenv(HEADLESS_VARIABLE, "1")
    fig = attention_explorer(_layers(), TOKENS, layer=1, head=0)
    assert isinstance(fig, Figure)
    text_ax, map_ax = fig.axes[:2]
    assert [t.get_text() for t in text_ax.texts] == TOKENS  # the text, shaded
    assert "query 8 'a'" in text_ax.get_title()  # the last token by default
    np.testing.assert_allclose(_image(map_ax), _layers()[1][0, 0].numpy(), rtol=1e-6)
    assert fig.axes[-1].get_ylabel() == "attention weight"


def test_explorer_view_shades_the_text_by_the_query_row():
    weights = torch.stack([w[0] for w in _layers()])  # (L, H, T, T)
    fig = plot_explorer_view(weights, TOKENS, layer=0, head=1, query=4)
    text_ax = fig.axes[0]
    row = weights[0, 1, 4]
    strongest = int(row.argmax())
    colours = [t.get_bbox_patch().get_facecolor() for t in text_ax.texts]
    darkest = min(range(len(colours)), key=lambda j: sum(colours[j][:3]))
    assert darkest == strongest
    assert mpl.colors.to_hex(text_ax.texts[4].get_bbox_patch().get_edgecolor()) == HIGHLIGHT
    inks = [mpl.colors.to_hex(t.get_color()) for t in text_ax.texts]
    assert inks[5:] == ["#aaaaaa"] * 4  # the future is masked: greyed out


def test_explorer_html_shows_text_matrix_and_legend():
    weights = torch.stack([w[0] for w in _layers()])
    page = explorer_html(weights, TOKENS, layer=1, head=1, query=2)
    assert "layer 1 · head 1" in page and "what query 2 <b>c</b> attends to" in page
    assert page.count("<span") == len(TOKENS) + 1  # a span per token, and the legend bar
    assert page.count("<td") == 81 and "attention weight: 0" in page
    assert f"outline:3px solid {HIGHLIGHT}" in page
    assert page.count("color:#aaa") == 6  # keys 3..8 are in query 2's future
    w = float(weights[1, 1, 2, 1])
    assert f'title="weight {w:.3f}">b</span>' in page
    # a list of (1, H, T, T) layers works as in attention_explorer
    assert explorer_html(_layers(), TOKENS, layer=1, head=1, query=2) == page


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        ({"layer": 2}, "layer must be an int from 0 to 1, got 2"),
        ({"head": -1}, "head must be an int from 0 to 1, got -1"),
        ({"query": 9}, "query must be an int from 0 to 8, got 9"),
        ({"query": "3"}, "query must be an int from 0 to 8, got '3'"),
        ({"labels": list("abc")}, "labels has 3 tokens but the weights have 9 positions"),
    ],
)
@pytest.mark.parametrize("view", [explorer_html, plot_explorer_view])
def test_explorer_views_say_the_valid_range(view, choice, message):
    weights = torch.stack([w[0] for w in _layers()])  # (2, 2, 9, 9)
    arguments = {"labels": TOKENS, "layer": 0, "head": 0, "query": 0} | choice
    with pytest.raises(ValueError, match=message):
        view(weights, **arguments)


def test_explorer_views_say_what_weights_they_need():
    with pytest.raises(ValueError, match=r"weights must have shape \(L, H, T, T\).*got \(9, 9\)"):
        explorer_html(_weights(9, 9), TOKENS, 0, 0, 0)
    with pytest.raises(ValueError, match=r"shows self-attention: \(\.\.\., T, T\)"):
        explorer_html(_weights(2, 2, 9, 4, causal=False), TOKENS, 0, 0, 0)  # cross-attention


def test_explorer_live_is_a_core_widget_that_updates_fast(monkeypatch):
    monkeypatch.setenv(HEADLESS_VARIABLE, "0")
    widget = attention_explorer(_layers(), TOKENS)
    assert isinstance(widget, ipywidgets.VBox)
    controls, view = widget.children
    pick_layer, pick_head, pick_query = controls.children
    assert all(isinstance(c, ipywidgets.Dropdown) for c in controls.children)
    assert "what query 8" in view.value
    timings = []
    for layer, head, query in [(1, 0, 3), (0, 1, 5), (1, 1, 0), (0, 0, 7)] * 5:
        start = time.perf_counter()
        pick_layer.value, pick_head.value, pick_query.value = layer, head, query
        timings.append(time.perf_counter() - start)
        assert f"layer {layer} · head {head}</b>: what query {query} " in view.value
    # three changes redraw three times; the course asks for < 100 ms per update
    assert np.median(timings) / 3 < 0.1


def test_explorer_accepts_a_tensor_of_layers_or_one_layer(monkeypatch):
    monkeypatch.setenv(HEADLESS_VARIABLE, "1")
    layers = _weights(2, 2, 9, 9)  # (L, H, T, T)
    fig = attention_explorer(layers, TOKENS, layer=1, head=0)
    np.testing.assert_allclose(_image(fig.axes[1]), layers[1, 0].numpy(), rtol=1e-6)
    one_layer = _weights(2, 9, 9)  # (H, T, T)
    fig = attention_explorer(one_layer, TOKENS, head=1, query=0)
    np.testing.assert_allclose(_image(fig.axes[1]), one_layer[1].numpy(), rtol=1e-6)
    assert "layer 0 · head 1: what query 0 'a'" in fig.axes[0].get_title()


@pytest.mark.parametrize(
    ("weights", "tokens", "kwargs", "error", "message"),
    [
        (
            _weights(2, 9, 9),
            list("abc"),
            {},
            ValueError,
            r"tokens has 3 tokens but the weights have 9 positions",
        ),
        (_weights(2, 9, 9), TOKENS, {"head": 2}, ValueError, "head must be an int from 0 to 1"),
        (_weights(2, 9, 9), TOKENS, {"layer": 1}, ValueError, "layer must be an int from 0 to 0"),
        (_weights(2, 9, 9), TOKENS, {"query": 9}, ValueError, "query must be an int from 0 to 8"),
        ([_weights(2, 9, 9), _weights(3, 9, 9)], TOKENS, {}, ValueError, "all the same shape"),
        (_weights(9, 9), TOKENS, {}, ValueError, r"\(L, H, T, T\)"),
        (_weights(2, 4, 9, causal=False), TOKENS, {}, ValueError, "self-attention"),
    ],
)
def test_explorer_errors(monkeypatch, weights, tokens, kwargs, error, message):
    monkeypatch.setenv(HEADLESS_VARIABLE, "1")
    with pytest.raises(error, match=message):
        attention_explorer(weights, tokens, **kwargs)


# --- positions on the ticks, an outlined diagonal, the explorer's size ---------------------


def test_plot_attention_positions_number_the_tick_labels():
    fig = plot_attention(_weights(4, 4), ["c", "d", "|", " "], positions=True)
    ax = fig.axes[0]
    assert _ticks(ax.get_yticklabels()) == ["0 c", "1 d", "2 |", "3 ␣"]
    assert _ticks(ax.get_xticklabels()) == ["0 c", "1 d", "2 |", "3 ␣"]
    plain = plot_attention(_weights(4, 4), ["c", "d", "|", " "]).axes[0]
    assert _ticks(plain.get_yticklabels()) == ["c", "d", "|", "␣"]  # off by default


def test_plot_attention_heads_positions_number_every_panel():
    fig = plot_attention_heads(_weights(2, 3, 3), list("abc"), positions=True)
    for ax in fig.axes[:2]:
        assert _ticks(ax.get_yticklabels()) == ["0 a", "1 b", "2 c"]
        assert _ticks(ax.get_xticklabels()) == ["0 a", "1 b", "2 c"]


def _outlined_cells(ax) -> list[tuple[int, int]]:
    """(query, key) of every cell outlined by outline_offset, from the patches' corners."""
    return sorted(
        (round(p.get_y() + 0.5), round(p.get_x() + 0.5))
        for p in ax.patches
        if p.get_label() == "_diagonal"
    )


@pytest.mark.parametrize(
    ("shape", "offset", "cells"),
    [
        ((5, 5), -1, [(1, 0), (2, 1), (3, 2), (4, 3)]),  # one token back
        ((4, 4), 0, [(0, 0), (1, 1), (2, 2), (3, 3)]),
        ((3, 5), 2, [(0, 2), (1, 3), (2, 4)]),  # rectangular: as many as fit
        ((4, 4), -3, [(3, 0)]),
    ],
)
def test_plot_attention_outlines_the_diagonal_at_an_offset(shape, offset, cells):
    fig = plot_attention(
        _weights(*shape, causal=False),
        list("abcde"[: shape[0]]),
        list("vwxyz"[: shape[1]]),
        outline_offset=offset,
    )
    ax = fig.axes[0]
    assert _outlined_cells(ax) == cells
    for patch in ax.patches:
        assert not patch.get_fill() and mpl.colors.to_hex(patch.get_edgecolor()) == HIGHLIGHT
        assert patch.get_width() == patch.get_height() == 1.0  # one cell each
    assert not _outlined_cells(
        plot_attention(
            _weights(*shape, causal=False), list("abcde"[: shape[0]]), list("vwxyz"[: shape[1]])
        ).axes[0]
    )  # none by default


def test_outline_offset_in_a_51_token_map_and_in_the_heads_grid():
    text = "First Citizen:\nBefore we proceed any further, hear"[:51]
    fig = plot_attention(_weights(len(text), len(text)), text, outline_offset=-1)
    assert _outlined_cells(fig.axes[0]) == [(t, t - 1) for t in range(1, len(text))]
    grid = plot_attention_heads(_weights(2, 6, 6), list("abcdef"), outline_offset=-1)
    for ax in grid.axes[:2]:
        assert _outlined_cells(ax) == [(t, t - 1) for t in range(1, 6)]


def test_outline_offset_errors_say_what_fits():
    with pytest.raises(
        ValueError,
        match=r"outline_offset=4 has no cells in a 4 x 4 map: use an "
        r"offset from -3 to 3",
    ):
        plot_attention(_weights(4, 4), list("abcd"), outline_offset=4)
    with pytest.raises(TypeError, match="outline_offset must be an int"):
        plot_attention(_weights(4, 4), list("abcd"), outline_offset=-1.0)


def _pixels(fig) -> tuple[float, float]:
    width, height = fig.get_size_inches() * fig.dpi
    return float(width), float(height)


def _cell_pixels(fig, ax, T_q: int, T_k: int) -> tuple[float, float]:
    """The drawn width and height of one map cell, in pixels (after the layout is done)."""
    FigureCanvasAgg(fig).draw()
    box = ax.get_window_extent()
    return box.width / T_k, box.height / T_q


@pytest.mark.parametrize("T", [9, 16, 51])
def test_explorer_view_has_square_cells_and_fits_on_a_screen(T):
    tokens = list(("First Citizen:\nBefore we proceed any further, hear me " * 2)[:T])
    weights = _weights(1, 2, T, T)
    fig = plot_explorer_view(weights, tokens, layer=0, head=1, query=T - 1)
    width, height = _pixels(fig)
    assert height <= 1000 and width <= 1000  # 51 tokens was 1008 x 1908
    map_ax = fig.axes[1]
    cell_w, cell_h = _cell_pixels(fig, map_ax, T, T)
    assert cell_w == pytest.approx(cell_h, rel=0.02)  # square cells, not a stretched map
    assert cell_w >= 9  # still big enough to see at 51 tokens


def test_explorer_view_grows_with_the_number_of_tokens():
    sizes = []
    for T in (4, 9, 16, 30, 51):
        tokens = list("abcdefghijklmnopqrstuvwxyz" * 2)[:T]
        sizes.append(_pixels(plot_explorer_view(_weights(1, 1, T, T), tokens, 0, 0, 0)))
    heights = [h for _, h in sizes]
    assert heights == sorted(heights) and heights[-1] > 1.8 * heights[0]
    assert max(heights) <= 1000


@pytest.mark.parametrize("T", [6, 16, 51])
def test_plot_attention_cells_are_square(T):
    tokens = list("First Citizen:\nBefore we proceed any further, hear me")[:T]
    fig = plot_attention(_weights(T, T), tokens, positions=T <= 16)
    cell_w, cell_h = _cell_pixels(fig, fig.axes[0], T, T)
    assert cell_w == pytest.approx(cell_h, rel=0.02)
    assert max(_pixels(fig)) <= 1000
