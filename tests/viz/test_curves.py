"""Tests of viz.curves: a training run's loss curves, drawn once or live."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from lessons_lib import History, plot_history
from lessons_lib.viz.curves import LivePlot
from lessons_lib.viz.figures import new_figure


def _history() -> History:
    return History(
        steps=[0, 10, 20],
        train_loss=[1.6, 1.2, 1.0],
        val_loss=[1.6, 1.3, 1.1],
        seconds=[0.0, 0.1, 0.2],
    )


def test_plot_history_returns_a_figure_with_both_curves_and_floors():
    before = plt.get_fignums()
    fig = plot_history(_history(), floors={"entropy": 0.9}, title="T")
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == before  # nothing registered with pyplot, nothing shown
    ax = fig.axes[0]
    assert ax.get_title() == "T"
    lines = ax.get_lines()
    assert len(lines) == 3
    assert list(lines[0].get_xdata()) == [0, 10, 20]
    assert list(lines[0].get_ydata()) == [1.6, 1.2, 1.0]
    assert list(lines[1].get_ydata()) == [1.6, 1.3, 1.1]
    assert list(lines[2].get_ydata()) == [0.9, 0.9]  # the floor: a horizontal line
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["train loss", "validation loss", "entropy = 0.900"]
    assert ax.get_xlabel() == "step"


def test_plot_history_draws_on_a_given_axes():
    fig, axes = new_figure(1, 2)
    assert plot_history(_history(), ax=axes[1]) is fig
    assert len(axes[1].get_lines()) == 2 and len(axes[0].get_lines()) == 0


def test_plot_history_of_empty_history():
    with pytest.raises(ValueError, match="The history is empty"):
        plot_history(History())


def test_live_plot_is_silent_outside_a_notebook(capsys):
    plot = LivePlot()
    plot.update(_history())
    assert plot.handle is None
    assert capsys.readouterr().out == ""


@pytest.fixture
def shown(monkeypatch) -> list:
    """Pretend to be inside a notebook; record each ("display" | "update", figure)."""
    import IPython
    import IPython.display

    shown = []

    class Handle:
        def update(self, fig):
            shown.append(("update", fig))

    def display(fig, display_id=False):
        assert display_id is True  # a handle to redraw in place
        shown.append(("display", fig))
        return Handle()

    monkeypatch.setattr(IPython, "get_ipython", lambda: object())  # "inside a notebook"
    monkeypatch.setattr(IPython.display, "display", display)
    return shown


def test_live_plot_shows_once_then_redraws_in_place(shown):
    plot, history = LivePlot(), _history()
    plot.update(History(steps=[0], train_loss=[1.6], val_loss=[1.6], seconds=[0.0]))
    plot.update(history)
    assert [kind for kind, _ in shown] == ["display", "update"]
    assert [fig.axes[0].get_title() for _, fig in shown] == [
        "Training: step 0",
        "Training: step 20",
    ]
    assert list(shown[1][1].axes[0].get_lines()[1].get_ydata()) == history.val_loss


def test_plot_history_names_the_unit_of_the_loss():
    assert plot_history(_history()).axes[0].get_ylabel() == "loss (nats per token)"
    fig = plot_history(_history(), unit="character")
    assert fig.axes[0].get_ylabel() == "loss (nats per character)"


def test_a_live_plot_with_reference_lines_starts_a_new_picture_on_restart(shown):
    plot = LivePlot(floors={"n-gram": 1.6}, unit="character", title="GPT")
    plot.update(_history())
    plot.update(_history())
    plot.restart()
    plot.update(_history())
    assert [kind for kind, _ in shown] == ["display", "update", "display"]
    ax = shown[-1][1].axes[0]
    assert ax.get_title() == "GPT: step 20"
    assert ax.get_ylabel() == "loss (nats per character)"
    assert list(ax.get_lines()[2].get_ydata()) == [1.6, 1.6]
