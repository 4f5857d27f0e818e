"""The learning-rate schedule of :func:`lessons_lib.train` (chapter 01 onwards).

Constant, or a linear warm-up followed by a cosine decay to a tenth of the peak rate.
"""

from __future__ import annotations

import math

from .._checks import number, one_of, positive_int

SCHEDULES = ("constant", "cosine")


def learning_rate(
    step: int,
    steps: int | None,
    lr: float,
    schedule: str,
    warmup: int,
    progress: float | None = None,
) -> float:
    """The learning rate at ``step``: constant, or linear warm-up then cosine decay to lr/10.

    The cosine follows ``progress`` (0 to 1) when given, e.g. the share of a time budget
    used so far; otherwise the share of ``steps`` done after the warm-up.
    """
    positive_int(step, "step", minimum=0)
    number(lr, "lr (the peak learning rate, e.g. 1e-3)", minimum=0)
    one_of(schedule, SCHEDULES, "schedule")
    positive_int(warmup, "warmup (steps of linear warm-up; 0: none)", minimum=0)
    if progress is not None:
        number(progress, "progress (the share of the budget used, from 0 to 1)", minimum=0)
    if steps is not None:
        positive_int(steps, "steps")
    elif schedule == "cosine" and progress is None:
        raise ValueError(
            "steps=None: the cosine schedule needs the planned number of steps (or progress, "
            "the share of a time budget used) to know where it is."
        )
    if step < warmup:
        return lr * (step + 1) / warmup
    if schedule == "constant":
        return lr
    if progress is None:
        progress = (step - warmup) / max(1, steps - warmup)
    return lr * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0))))
