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
) -> Figure:
    """Train and validation loss against steps; ``floors`` draws labelled horizontal lines."""
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
    ax.set_ylabel("loss (nats per token)")
    ax.set_title(title)
    ax.legend()
    return fig


class LivePlot:
    """Loss curves shown in the notebook and redrawn in place (nothing outside IPython)."""

    def __init__(self):
        self.handle = None

    def update(self, history: History) -> None:
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:
            return
        if get_ipython() is None:
            return
        fig = plot_history(history, title=f"Training: step {history.steps[-1]}")
        if self.handle is None:
            self.handle = display(fig, display_id=True)
        else:
            self.handle.update(fig)
