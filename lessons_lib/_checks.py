"""Argument checks shared by every room: one wording for each kind of mistake.

Each check returns the value when it is fine and raises a ``ValueError`` (or ``TypeError``)
that names the argument and says what was expected otherwise.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable


def is_int(value: object) -> bool:
    """True for a whole number (an int, a NumPy integer): ``True`` and ``False`` are bools, not
    sizes."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def positive_int(value: object, name: str, minimum: int = 1) -> int:
    """``value`` as an int if it is a whole number ``>= minimum`` (a bool is not one); else a
    clear error."""
    if not is_int(value) or value < minimum:
        what = "a positive int" if minimum == 1 else f"an int >= {minimum}"
        raise ValueError(f"{name} must be {what}, got {value!r:.60}.")
    return int(value)


def seed(value: object, name: str = "seed") -> int:
    """``value`` if it is a whole number from 0 to 2**32 - 1 (what every generator the course
    uses accepts); else a clear error. None is not a seed here: the course's runs repeat."""
    if not is_int(value) or not 0 <= value < 2**32:
        raise (TypeError if not is_int(value) else ValueError)(
            f"{name} must be an int from 0 to 2**32 - 1 (e.g. 0), got {_kind(value)}."
        )
    return int(value)


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


def _kind(value: object) -> str:
    """``'0.1' (a str)``, ``3 (an int)``: the value and its type, for an error message."""
    kind = type(value).__name__
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    return f"{shown} ({'an' if kind[0] in 'aeiou' else 'a'} {kind})"


def number(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    below: float | None = None,
) -> float:
    """``value`` as a float if it is a finite real number (an int or a float, not a bool, a str
    or None) within the bounds given: ``minimum``/``maximum`` inclusive, ``above``/``below``
    exclusive. Else a ``TypeError`` (wrong type) or ``ValueError`` (NaN, inf, out of range)
    that names ``name``.

    >>> number(3, "lr", above=0)
    3.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        hint = " (write it without quotes)" if isinstance(value, str) else ""
        raise TypeError(f"{name} must be a number, got {_kind(value)}{hint}.")
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    bounds = [
        (minimum, lambda v, b: v >= b, ">="),
        (maximum, lambda v, b: v <= b, "<="),
        (above, lambda v, b: v > b, ">"),
        (below, lambda v, b: v < b, "<"),
    ]
    for bound, holds, sign in bounds:
        if bound is not None and not holds(value, bound):
            raise ValueError(f"{name} must be {sign} {bound}, got {value!r}.")
    return float(value)


def boolean(value: object, name: str) -> bool:
    """``value`` if it is ``True`` or ``False`` (not the string ``"False"``, not 0 or 1)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {_kind(value)}.")
    return value


def text(value: object, name: str) -> str:
    """``value`` if it is a str; else a ``TypeError`` naming ``name``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {_kind(value)}.")
    return value


def path_like(value: object, name: str):
    """``value`` as a ``pathlib.Path`` if it is a str or any path-like object; else a
    ``TypeError`` naming ``name``."""
    import os
    from pathlib import Path

    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (a str or a pathlib.Path), got {_kind(value)}.")
    return Path(os.fspath(value))


def tensor(value: object, name: str):
    """``value`` if it is a ``torch.Tensor``; else a ``TypeError`` that says how to make one."""
    import torch

    if not isinstance(value, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor, got {type(value).__name__}; "
            f"wrap it: torch.tensor({name})."
        )
    return value


def finite(values, name: str):
    """``values`` (a tensor or array) if it has no NaN or inf; else a ``ValueError``."""
    import torch

    data = values if isinstance(values, torch.Tensor) else torch.as_tensor(values)
    if data.is_floating_point() and not torch.isfinite(data).all():
        bad = int((~torch.isfinite(data)).sum())
        raise ValueError(f"{name} has {bad} NaN or infinite value(s): it must be all finite.")
    return values


def same_length(a, b, name_a: str, name_b: str) -> int:
    """``len(a)`` if ``a`` and ``b`` are equally long; else a ``ValueError`` naming both."""
    if len(a) != len(b):
        raise ValueError(
            f"{name_a} and {name_b} must be the same length, got {len(a)} and {len(b)}."
        )
    return len(a)
