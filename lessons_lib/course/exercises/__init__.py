"""Exercises with automatic checks (every chapter).

A notebook's exercise is a stub the learner fills in and a check cell::

    ex.check("next_token_pairs", next_token_pairs)   # prints ✓ ... or ✗ ..., never raises
    ex.solution("next_token_pairs")                  # shows the model answer and returns it

Each chapter registers its exercises in its own module (``ch01.py``, ...) with
:func:`exercise`: a checker that raises ``AssertionError`` with a helpful message when the
answer is wrong, and the model solution. A checker that calls the learner's function passes
what it returned through :func:`returned` first, so a forgotten ``return`` is named.
"""

from __future__ import annotations

import os
import sysconfig
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..session import show_source


@dataclass
class Exercise:
    name: str
    checker: Callable[[object], str]  # raises AssertionError (with a hint) on a wrong answer
    solution: Callable  # the model answer: a function, or a function returning the value


REGISTRY: dict[str, Exercise] = {}
# A frame from a file in one of these folders is a library's, not the learner's: lessons_lib's
# own folder, the installed packages (torch, numpy ...) and Python's standard library.
_LIBRARIES = tuple(
    os.path.normcase(os.path.abspath(folder)) + os.sep
    for folder in (
        os.path.join(os.path.dirname(__file__), "..", ".."),
        *{sysconfig.get_paths()[key] for key in ("purelib", "platlib", "stdlib")},
    )
)
FORGOT_RETURN = "your function returned None: did you forget `return`?"
_T = TypeVar("_T")


def exercise(name: str, solution: Callable) -> Callable:
    """Decorator: register ``checker`` as the check of exercise ``name`` with its solution."""

    def register(checker: Callable[[object], str]) -> Callable[[object], str]:
        REGISTRY[name] = Exercise(name, checker, solution)
        return checker

    return register


def returned(value: _T | None) -> _T:
    """``value``, what the learner's function returned, unless it is None (a forgotten return)."""
    assert value is not None, FORGOT_RETURN
    return value


def _is_library_frame(frame: traceback.FrameSummary) -> bool:
    return os.path.normcase(os.path.abspath(frame.filename)).startswith(_LIBRARIES)


def _get(name: str) -> Exercise:
    _load_chapters()
    if name not in REGISTRY:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"No exercise named {name!r}. Known exercises: {known}.")
    return REGISTRY[name]


def run_check(name: str, answer: object) -> tuple[bool, str]:
    """Check ``answer`` for exercise ``name``: (passed, message). Never raises on a bad answer."""
    ex = _get(name)
    try:
        return True, ex.checker(answer)
    except NotImplementedError:
        return False, (
            "not done yet: replace the `raise NotImplementedError` line with your code, run "
            f'that cell, then run this one again. (Stuck? ex.solution("{name}"))'
        )
    except AssertionError as err:
        innermost = err.__traceback__
        while innermost.tb_next is not None:
            innermost = innermost.tb_next
        frames = traceback.extract_tb(err.__traceback__)
        raised_by_checker = innermost.tb_frame.f_code is getattr(ex.checker, "__code__", None)
        if not raised_by_checker and not _is_library_frame(frames[-1]):  # the learner's assert
            return False, (
                f"an assert in your code failed ({err or 'no message'}; line "
                f"{frames[-1].lineno}: {frames[-1].line}). Fix it and run both cells again."
            )
        return False, f'{err} (Hint: ex.solution("{name}") shows one answer.)'
    except Exception as err:  # the learner's code crashed, or returned the wrong kind of thing
        frames = traceback.extract_tb(err.__traceback__)
        theirs = [f for f in frames if not _is_library_frame(f)]  # notebooks, other files
        if theirs:
            return False, (
                f"your code raised {type(err).__name__}: {err} (line {theirs[-1].lineno}: "
                f"{theirs[-1].line}). Fix it and run both cells again."
            )
        return False, (
            f"your answer is not the kind of value expected ({type(err).__name__}: {err}). "
            "Read the exercise's docstring for what to return."
        )


_MISSING = object()


def check(name: str, answer: object = _MISSING) -> None:
    """Print ``✓ ...`` or ``✗ ...`` for exercise ``name`` (``run_check`` returns the verdict)."""
    if answer is _MISSING:
        print(f'✗ pass your answer too: ex.check("{name}", {name})')
        return
    passed, message = run_check(name, answer)
    print(("✓ " if passed else "✗ ") + message)


class Solution:
    """A model solution: call it like your own function; its repr says what it is."""

    def __init__(self, name: str, function: Callable):
        self.name = name
        self.function = function

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<model solution of {self.name!r}: call it like your own function>"


def solution(name: str) -> Solution:
    """Show the model solution of exercise ``name`` and return it, ready to call."""
    ex = _get(name)
    shown = show_source(ex.solution)
    if shown is not None:
        from IPython.display import display

        display(shown)
    return Solution(name, ex.solution)


def names() -> list[str]:
    """Every registered exercise name."""
    _load_chapters()
    return sorted(REGISTRY)


def __getattr__(name: str):
    """``ex.ch02`` and the like: a chapter's module, imported on first use."""
    import importlib.util

    if name.startswith("ch") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _load_chapters() -> None:
    """Import every chapter's module (``ch00.py``, ``ch01.py``, ...): that registers them."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("ch"):
            importlib.import_module(f"{__name__}.{module.name}")
