"""The learning-rate schedule of :func:`lessons_lib.train` (chapter 01 onwards).

Constant, or a linear warm-up followed by a cosine decay to a tenth of the peak rate.
"""

from __future__ import annotations

import math

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
    if step < warmup:
        return lr * (step + 1) / warmup
    if schedule == "constant":
        return lr
    if progress is None:
        progress = (step - warmup) / max(1, steps - warmup)
    return lr * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0))))
