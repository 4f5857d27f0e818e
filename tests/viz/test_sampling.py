"""Tests of viz.sampling: entropy and the temperature / top-k / top-p pictures."""

from __future__ import annotations

import math

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from lessons_lib.course.session import HEADLESS_VARIABLE
from lessons_lib.parts.sampling import top_k_filter, top_p_filter
from lessons_lib.parts.softmax import softmax
from lessons_lib.viz.sampling import CUT, KEPT, draw_filters, draw_temperature, entropy
from lessons_lib.viz.widgets import interactive_figure

LABELS = list("abcdefghij")
LOGITS = torch.tensor([2.0, 0.5, 1.5, -1.0, 0.0, 1.0, -2.0, 0.2, -0.5, 3.0])  # best: j, a, c


def _bar_heights(ax, n: int) -> np.ndarray:
    return np.array([patch.get_height() for patch in ax.patches[:n]])


# -------------------------------------------------------------------------------- entropy


def test_entropy_hand_examples():
    torch.testing.assert_close(entropy(torch.full((4,), 0.25)), torch.tensor(math.log(4)))
    assert entropy(torch.tensor([0.0, 1.0, 0.0])).item() == 0.0  # certain: no NaN from 0 ln 0
    torch.testing.assert_close(entropy(torch.tensor([0.5, 0.5, 0.0])), torch.tensor(math.log(2)))


def test_entropy_matches_torch_distributions_row_by_row():
    probs = softmax(torch.randn(5, 7, generator=torch.Generator().manual_seed(0)))
    probs[0, 3] = 0.0
    probs[0] /= probs[0].sum()
    expected = torch.distributions.Categorical(probs=probs).entropy()
    torch.testing.assert_close(entropy(probs), expected)
    torch.testing.assert_close(entropy(probs.T, dim=0), expected)


@pytest.mark.parametrize("bad", [[0.5, 0.5], torch.tensor([1, 0])])
def test_entropy_needs_float_probabilities(bad):
    with pytest.raises(TypeError, match="floating-point tensor of probabilities"):
        entropy(bad)


# ----------------------------------------------------------------------------- temperature


@pytest.mark.parametrize("temperature", [0.1, 1.0, 4.0])
def test_temperature_bars_are_the_softmax_of_the_scaled_logits(temperature):
    fig = draw_temperature(LOGITS, LABELS, temperature, max_bars=4)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    bars, curve = fig.axes
    expected = softmax(LOGITS / temperature)[[9, 0, 2, 5]]  # the 4 highest scores, in order
    np.testing.assert_allclose(_bar_heights(bars, 4), expected.numpy(), rtol=1e-6)
    assert [t.get_text() for t in bars.get_xticklabels()] == ["j", "a", "c", "f"]
    h = entropy(softmax(LOGITS / temperature)).item()
    assert f"entropy {h:.2f} nats" in bars.get_title()
    dot = curve.lines[1]
    assert dot.get_xdata()[0] == temperature and dot.get_ydata()[0] == pytest.approx(h)


def test_entropy_curve_rises_from_near_zero_to_near_ln_v():
    fig = draw_temperature(LOGITS, LABELS, 1.0)
    line = fig.axes[1].lines[0]
    x, y = line.get_xdata(), line.get_ydata()
    assert x[0] == pytest.approx(0.02) and x[-1] == pytest.approx(50.0)
    assert np.all(np.diff(y) >= -1e-6), "entropy never falls as the temperature rises"
    assert y[0] < 0.01 and y[-1] == pytest.approx(math.log(10), abs=0.01)


def test_all_bars_shown_when_the_vocabulary_is_small():
    fig = draw_temperature(LOGITS[:3], LABELS[:3], 1.0)
    assert len(fig.axes[0].patches) == 3
    assert "not shown" not in fig.axes[0].get_title()
    title = draw_temperature(LOGITS, LABELS, 1.0, max_bars=3).axes[0].get_title()
    rest = 1 - softmax(LOGITS).sort(descending=True).values[:3].sum().item()
    assert f"(7 tokens not shown: {rest:.0%})" in title  # 10 tokens, 3 bars


def test_special_tokens_get_visible_labels():
    fig = draw_temperature(torch.tensor([1.0, 0.0]), [" ", "\n"], 1.0)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["␣", "⏎"]


def test_drawing_is_pure():
    logits = LOGITS.clone()
    before = plt.get_fignums()
    first = draw_temperature(logits, LABELS, 0.5)
    second = draw_temperature(logits, LABELS, 0.5)
    assert torch.equal(logits, LOGITS)  # the input is not changed
    assert plt.get_fignums() == before  # pyplot-free
    np.testing.assert_array_equal(_bar_heights(first.axes[0], 10), _bar_heights(second.axes[0], 10))


# --------------------------------------------------------------------------------- filters


@pytest.mark.parametrize(
    ("top_k", "top_p", "temperature"), [(3, 0.9, 1.0), (1, 0.5, 0.5), (10, 1.0, 2.0)]
)
def test_filter_bars_colour_the_kept_tokens_and_show_the_renormalised_probabilities(
    top_k, top_p, temperature
):
    fig = draw_filters(LOGITS, LABELS, top_k, top_p, temperature)
    order = LOGITS.argsort(descending=True)
    scores = LOGITS / temperature
    for ax, filtered in zip(
        fig.axes, [top_k_filter(scores, top_k), top_p_filter(scores, top_p)], strict=True
    ):
        kept = torch.isfinite(filtered)[order]
        colours = [patch.get_facecolor() for patch in ax.patches[:10]]
        assert colours == [to_rgba(KEPT if k else CUT) for k in kept.tolist()]
        np.testing.assert_allclose(_bar_heights(ax, 10), softmax(scores)[order].numpy(), rtol=1e-6)
        renormalised = np.array([patch.get_height() for patch in ax.patches[10:20]])
        np.testing.assert_allclose(renormalised, softmax(filtered)[order].numpy(), rtol=1e-6)
        assert renormalised.sum() == pytest.approx(1.0)
        assert f"keeps {int(kept.sum())} of 10 tokens" in ax.get_title()


def test_top_p_keeps_fewer_tokens_for_a_confident_distribution():
    spread = draw_filters(torch.zeros(10), LABELS, top_p=0.9).axes[1].get_title()
    confident = draw_filters(torch.tensor([5.0] + [0.0] * 9), LABELS, top_p=0.9).axes[1]
    assert "keeps 10 of 10" in spread  # all tied: every token is kept
    assert "keeps 1 of 10" in confident.get_title()


# ------------------------------------------------------------------------ bad input, widgets


@pytest.mark.parametrize("draw", [draw_temperature, draw_filters])
def test_bad_distributions_are_rejected(draw):
    with pytest.raises(ValueError, match=r"one row of scores, shape \(V,\).*logits\[0, -1\]"):
        draw(LOGITS[None], LABELS)
    with pytest.raises(ValueError, match=r"shape \(V,\) with V >= 2"):
        draw(LOGITS[:1], LABELS[:1])
    with pytest.raises(ValueError, match="Got 3 labels for 10 logits"):
        draw(LOGITS, LABELS[:3])
    with pytest.raises(TypeError, match="labels must be one string per token.*None"):
        draw(LOGITS, None)
    for bars in (0, "15", 2.5):
        with pytest.raises(ValueError, match=f"max_bars must be a positive int, got {bars!r}"):
            draw(LOGITS, LABELS, max_bars=bars)


def test_bad_options_are_rejected():
    with pytest.raises(ValueError, match="temperature > 0"):
        draw_temperature(LOGITS, LABELS, 0.0)
    with pytest.raises(ValueError, match="top_k must be an int >= 1"):
        draw_filters(LOGITS, LABELS, top_k=0)
    with pytest.raises(ValueError, match=r"top_p must be a number in \(0, 1\]"):
        draw_filters(LOGITS, LABELS, top_p=1.5)


def test_widgets_over_the_draw_functions(monkeypatch):
    from functools import partial

    monkeypatch.setenv(HEADLESS_VARIABLE, "1")
    slider = ipywidgets.FloatLogSlider(value=0.5, base=10, min=-1.5, max=1.5)
    fig = interactive_figure(partial(draw_temperature, LOGITS, LABELS), temperature=slider)
    assert isinstance(fig, Figure) and fig.axes[0].get_title().startswith("T = 0.5:")
    monkeypatch.setenv(HEADLESS_VARIABLE, "0")
    import IPython.display

    shown = []  # the live widget displays each drawing (and would only log a failed one)
    monkeypatch.setattr(IPython.display, "display", shown.append)
    top_k = ipywidgets.IntSlider(value=3, min=1, max=10)
    widget = interactive_figure(
        partial(draw_filters, LOGITS, LABELS),
        top_k=top_k,
        top_p=ipywidgets.FloatSlider(value=0.8, min=0.05, max=1.0),
    )
    assert isinstance(widget, ipywidgets.interactive)
    if ipywidgets.__version__.startswith("7."):
        widget.update()  # ipywidgets 7 (Colab's) draws first when the widget is displayed
    top_k.value = 2
    assert [fig.axes[0].get_title().split("\n")[0] for fig in shown] == [
        "T = 1, top-k = 3",
        "T = 1, top-k = 2",
    ]
