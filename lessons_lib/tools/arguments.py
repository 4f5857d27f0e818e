"""Argument types for the commands' flags: a bad value stops a command before any work.

argparse calls each type on the text after a flag and, on ``ArgumentTypeError``, prints
``argument --held-out: must be an int >= 1, got '-3'`` with the usage and exits 2. Every
command checks all its flags this way before it loads data or trains, so a typo never costs
minutes of training::

    parser.add_argument("--steps", type=positive_int, default=800)
"""

from __future__ import annotations

import argparse
import math


def int_at_least(minimum: int):
    """An argparse type: an int >= ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be an int >= {minimum}, got {text!r}")
        return value

    parse.__name__ = f"int >= {minimum}"
    return parse


positive_int = int_at_least(1)
"""An argparse type: an int >= 1 (steps, sizes, counts of processes)."""

count = int_at_least(0)
"""An argparse type: an int >= 0 (a seed, an interval where 0 means never)."""


def positive_number(text: str) -> float:
    """An argparse type: a finite number > 0 (seconds, minutes, a learning rate)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text!r}")
    return value


def port(text: str) -> int:
    """An argparse type: a TCP port, 1024–65535 (ports below 1024 need root)."""
    value = int_at_least(1024)(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be a port in 1024-65535, got {text!r}")
    return value
