"""Loss curves: a training run's history as a picture, drawn once or live (chapter 01 onwards)."""

from __future__ import annotations

from matplotlib.figure import Figure

from ..training.history import History
from .figures import new_figure


def plot_history(
    history: History,
    floors: dict[str, float] | None = None,
    title: str = "Training",
    ax=None,
    unit: str = "token",
) -> Figure:
    """Train and validation loss against steps; ``floors`` draws labelled horizontal lines.

    ``unit`` names what the loss is counted per (the y axis reads "nats per ``unit``"): for a
    model that reads characters, say "character".
    """
    if len(history) == 0:
        raise ValueError("The history is empty: train for at least one evaluation first.")
    if ax is None:
        fig, ax = new_figure()
    else:
        fig = ax.figure
    ax.plot(history.steps, history.train_loss, label="train loss", marker=".")
    ax.plot(history.steps, history.val_loss, label="validation loss", marker=".")
    for i, (name, value) in enumerate((floors or {}).items()):
        ax.axhline(value, linestyle="--", color=f"C{i + 2}", label=f"{name} = {value:.3f}")
    ax.set_xlabel("step")
    ax.set_ylabel(f"loss (nats per {unit})")
    ax.set_title(title)
    ax.legend()
    return fig


class LivePlot:
    """Loss curves shown in the notebook and redrawn in place (nothing outside IPython).

    Give it to a trainer as ``live_plot=L.LivePlot(floors={...}, unit="character")`` to draw
    reference lines (the losses of other models, say) under the curves; ``live_plot=True``
    draws the curves alone. Each run of the trainer starts a new picture in its own cell.
    """

    def __init__(
        self, floors: dict[str, float] | None = None, unit: str = "token", title: str = "Training"
    ):
        self.floors, self.unit, self.title = dict(floors or {}), unit, title
        self.handle = None

    def restart(self) -> None:
        """Draw the next update as a new picture (below the cell that is running now)."""
        self.handle = None

    def update(self, history: History) -> None:
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:
            return
        if get_ipython() is None:
            return
        title = f"{self.title}: step {history.steps[-1]}"
        fig = plot_history(history, self.floors, title=title, unit=self.unit)
        if self.handle is None:
            self.handle = display(fig, display_id=True)
        else:
            self.handle.update(fig)
