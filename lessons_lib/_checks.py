"""Argument checks shared by every room: one wording for each kind of mistake.

Each check returns the value when it is fine and raises a ``ValueError`` (or ``TypeError``)
that names the argument and says what was expected otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable


def is_int(value: object) -> bool:
    """True for a real int: ``True`` and ``False`` are bools, not sizes."""
    return isinstance(value, int) and not isinstance(value, bool)


def positive_int(value: object, name: str, minimum: int = 1) -> int:
    """``value`` if it is an int ``>= minimum`` (a bool is not an int); else a clear error."""
    if not is_int(value) or value < minimum:
        what = "a positive int" if minimum == 1 else f"an int >= {minimum}"
        raise ValueError(f"{name} must be {what}, got {value!r}.")
    return value


def fraction(value: object, name: str, example: float = 0.2) -> float:
    """``value`` if it is a number in [0, 1); else a clear error."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
        raise ValueError(f"{name} is a fraction in [0, 1), got {value!r}; try {example}.")
    return float(value)


def head_size(n_embd: object, n_head: object, prefix: str = "") -> int:
    """``n_embd // n_head``, the channels of one attention head, if both are positive ints and
    ``n_head`` divides ``n_embd``; else a clear error. ``prefix`` names the config."""
    positive_int(n_embd, f"{prefix}n_embd")
    positive_int(n_head, f"{prefix}n_head")
    if n_embd % n_head:
        raise ValueError(
            f"{prefix}n_embd={n_embd} must be divisible by n_head={n_head}: each head gets "
            f"n_embd // n_head channels. Try n_embd={n_head * max(1, round(n_embd / n_head))}."
        )
    return n_embd // n_head


def one_of(value: object, choices: Iterable, name: str) -> object:
    """``value`` if it is one of ``choices``; else the course's one "choose one of" message."""
    choices = list(choices)
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"Unknown {name} {value!r}; choose one of: {listed}.")
    return value
