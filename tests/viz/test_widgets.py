"""interactive_figure: one static picture headless, a working widget otherwise."""

import ipywidgets
import pytest
from matplotlib.figure import Figure

from lessons_lib.course.session import HEADLESS_VARIABLE
from lessons_lib.viz.figures import new_figure
from lessons_lib.viz.widgets import interactive_figure

calls = []


def draw(scale: float = 1.0, kind: str = "line") -> Figure:
    calls.append((scale, kind))
    fig, ax = new_figure()
    ax.plot([0, 1], [0, scale])
    ax.set_title(kind)
    return fig


def controls():
    return {
        "scale": ipywidgets.FloatSlider(value=2.0, min=0.0, max=5.0),
        "kind": ipywidgets.Dropdown(options=["line", "bar"], value="bar"),
    }


def test_headless_draws_once_with_the_starting_values(monkeypatch):
    monkeypatch.setenv(HEADLESS_VARIABLE, "1")
    calls.clear()
    result = interactive_figure(draw, **controls())
    assert isinstance(result, Figure)
    assert calls == [(2.0, "bar")]
    assert result.axes[0].get_title() == "bar"


def test_live_builds_a_widget_that_redraws_on_change(monkeypatch):
    monkeypatch.setenv(HEADLESS_VARIABLE, "0")
    calls.clear()
    cs = controls()
    widget = interactive_figure(draw, **cs)
    assert isinstance(widget, ipywidgets.interactive)
    if not calls:  # ipywidgets 7 (Colab's) draws when the widget is displayed, 8 when built
        assert ipywidgets.__version__.startswith("7.")
        widget._handle_displayed()
    assert calls[-1] == (2.0, "bar")
    cs["scale"].value = 3.5
    assert calls[-1] == (3.5, "bar")
    # a long description ("hidden units") is shown whole, not cut to "hidden un..."
    assert all(c.style.description_width == "initial" for c in cs.values())


def test_a_control_without_a_value_is_a_clear_error():
    with pytest.raises(TypeError, match="ipywidgets control with a .value"):
        interactive_figure(draw, scale=2.0)
