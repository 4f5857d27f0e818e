"""Chapter 00's warm-up exercise: it only shows how exercises work."""

from __future__ import annotations

from . import exercise, returned


def vocabulary(text: str) -> list[str]:
    """The distinct characters of ``text``, sorted."""
    return sorted(set(text))


@exercise("vocabulary", solution=vocabulary)
def check_vocabulary(answer) -> str:
    for text in ["hello", "To be, or not to be", "", "aaa\nbbb"]:
        got = returned(answer(text))
        assert isinstance(got, list), f"return a list (sorted gives one), not {type(got).__name__}"
        assert got == vocabulary(text), (
            f"vocabulary({text!r}) should be {vocabulary(text)}, got {got!r}"
        )
    return 'correct: vocabulary("hello") == ' + repr(vocabulary("hello"))
