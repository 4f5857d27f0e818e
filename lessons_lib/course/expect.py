"""Outcome claims that never halt Run All (every chapter).

A notebook states two kinds of claim. A fact that holds whatever the learner does (a shape, a
difference from PyTorch) is an ``assert``. An outcome the learner can change (the loss after a
training run they may stop early, an accuracy after they change a number) goes through
:func:`expect`: under the test run and the notebook refresh (no browser attached) a missed
outcome raises, so the tests check it; in a live notebook it prints a ⚠ line that says what was
expected and what probably changed, and the notebook goes on.

>>> expect(2 + 2 == 4, "arithmetic still works")  # holds: nothing happens
"""

from __future__ import annotations

from .session import is_headless


class ExpectationFailed(AssertionError):
    """An outcome the chapter expects did not happen (raised only when no browser is attached)."""


def expect(condition: object, message: str) -> None:
    """Check an outcome: nothing happens if it holds; else raise (tests) or print a ⚠ line (live).

    It returns nothing, so that a cell ending with it shows no ``True``.

    ``message`` says what was expected and what probably changed it, e.g.
    ``"validation loss below 1.85 after 600 steps (did training stop early?)"``.
    """
    if not isinstance(message, str) or not message:
        raise TypeError("expect needs a message that says what was expected, as a str.")
    if condition:
        return
    if is_headless():
        raise ExpectationFailed(message)
    print(
        f"⚠ not as expected: {message}. If you changed a number or stopped a cell, that is "
        "why; run the chapter as it was to see the expected result."
    )
