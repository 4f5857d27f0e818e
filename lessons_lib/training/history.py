"""What a training run measured, one entry per evaluation (chapter 01 onwards).

:func:`lessons_lib.train` and :class:`lessons_lib.Trainer` fill a :class:`History`;
:func:`lessons_lib.plot_history` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class History:
    """What :func:`~lessons_lib.train` measured: one entry per evaluation."""

    steps: list[int] = field(default_factory=list)  # optimisation steps done so far
    train_loss: list[float] = field(default_factory=list)  # mean loss on fixed train windows
    val_loss: list[float] = field(default_factory=list)  # mean loss on fixed validation windows
    seconds: list[float] = field(default_factory=list)  # wall-clock time since training began
    interrupted: bool = False  # True when the last run was stopped with Ctrl-C / stop button

    def __len__(self) -> int:
        return len(self.steps)
