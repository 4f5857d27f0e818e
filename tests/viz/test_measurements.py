"""Chapter 09's figures draw what their tables hold: one line per run, masks as they are."""

import numpy as np
import pytest

from lessons_lib.tools.overfitting import load_overfitting
from lessons_lib.tools.scaling import load_scaling
from lessons_lib.viz.measurements import (
    plot_data_sweeps,
    plot_effect_sizes,
    plot_masks,
    plot_overfitting,
    plot_scaling,
    plot_shares,
)


def test_scaling_draws_every_size_and_both_fits():
    table = load_scaling()
    fig = plot_scaling(table)
    by_size, by_tokens, by_compute = fig.axes
    sizes = [r for r in table["rows"] if r["sweep"] == "size"]
    assert len(by_tokens.lines) == len(sizes)
    assert len(by_compute.lines) == len(sizes) + 3  # every curve, the frontier and two fits
    legend = [t.get_text() for t in by_size.get_legend().get_texts()]
    assert legend[1].startswith("a·N⁻ᵅ: α = 0.0") and legend[2].startswith("E + A·N⁻ᵅ")
    assert "^" not in " ".join(legend)  # no literal caret
    labels = [t.get_text() for t in by_tokens.get_xticklabels()]
    assert labels == ["2·10⁵", "5·10⁵", "10⁶", "2·10⁶"]
    assert by_size.get_xscale() == by_size.get_yscale() == "log"
    assert by_size.xaxis.get_major_formatter()(1e4, 0) == "10⁴"  # no mathtext


def test_data_sweeps_draw_each_amount_and_each_noise_level():
    table = load_scaling()
    amount, noise = plot_data_sweeps(table).axes
    assert len(amount.lines) == sum(r["sweep"] == "data" for r in table["rows"]) + 1
    assert len(noise.lines) == sum(r["sweep"] == "noise" for r in table["rows"]) + 1


def test_overfitting_has_a_panel_per_remedy_and_marks_the_best_step():
    table = load_overfitting()
    live = {"steps": [0, 50], "val_loss": [4.3, 2.7]}
    fig = plot_overfitting(table, live=live)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == [r["remedy"] for r in table["rows"]]
    base = table["rows"][0]
    best = int(np.argmin(base["val_loss"]))
    marker = next(line for line in visible[0].lines if line.get_marker() == "v")
    assert marker.get_xdata()[0] == base["steps"][best]
    assert any(line.get_label() == "re-run live" for line in visible[0].lines)


def test_effect_sizes_bar_and_spread():
    words = {"WEAT 1": (1.2, [1.4, 1.0, 1.3]), "WEAT 6": (0.5, [])}
    sentences = {"WEAT 1": (1.3, [1.1, 1.5]), "WEAT 6": (0.2, [-0.5, 0.9])}
    ax = plot_effect_sizes(words, sentences).axes[0]
    assert [p.get_height() for p in ax.patches] == pytest.approx([1.2, 0.5, 1.3, 0.2])
    lines = [c.get_segments() for c in ax.collections]  # one vlines call per drawn spread
    assert [seg[0][:, 1].tolist() for seg in lines] == [[1.0, 1.4], [1.1, 1.5], [-0.5, 0.9]]
    assert "one word left out" in ax.get_legend().get_texts()[0].get_text()


def test_masks_are_causal_full_and_rectangular():
    fig = plot_masks(length=4, source_length=3)
    causal, full, cross = (np.asarray(ax.collections[0].get_array()) for ax in fig.axes)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["may attend", "masked out"]
    assert np.array_equal(causal.reshape(4, 4), np.tril(np.ones((4, 4))))
    assert full.size == 16 and full.min() == 1 and cross.size == 12 and cross.min() == 1
    with pytest.raises(ValueError, match="length must be a positive int, got 0"):
        plot_masks(length=0)
    with pytest.raises(ValueError, match="source_length must be a positive int, got 2.5"):
        plot_masks(source_length=2.5)


def test_shares_put_each_word_where_its_numbers_say():
    ax = plot_shares(["king", "queen"], [0.9, 0.4], [0.7, 0.6], overall=0.75).axes[0]
    corpus, model = ax.lines[0], ax.lines[1]  # one row per word, lowest corpus share first
    assert corpus.get_xdata().tolist() == [0.4, 0.9] and model.get_xdata().tolist() == [0.6, 0.7]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["queen", "king"]
    assert ax.collections[0].get_segments()[1].tolist() == [[0.9, 1.0], [0.7, 1.0]]
