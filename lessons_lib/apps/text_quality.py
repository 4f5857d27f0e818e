"""Two numbers for generated text: are its words real, and does it repeat itself (chapter 08).

A character-level model spells every word itself, so it can invent words. The **share of
real words** counts the words of a sample that occur in a reference vocabulary (the plays
the model learnt from). **distinct-n** is the share of a sample's word n-grams that are
different from each other: 1.0 never repeats, a loop of one phrase tends to 0.

Sampling temperature trades one for the other: cold sampling keeps to common words and
repeats them, hot sampling invents. Neither number says a text is *good*; together they
show the trade that chapter 04's sampling controls make.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .._checks import positive_int

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")  # letters, with inner apostrophes: o'er, 'tis -> tis


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased: runs of letters with inner apostrophes."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}.")
    return _WORD.findall(text.lower())


def vocabulary(texts: str | Iterable[str]) -> set[str]:
    """Every word that occurs in ``texts`` (one string or several)."""
    texts = [texts] if isinstance(texts, str) else texts
    if not isinstance(texts, Iterable):
        raise TypeError(f"texts must be a str or a list of strings, got {type(texts).__name__}.")
    return {word for text in texts for word in words(text)}


def real_word_share(text: str, known: set[str]) -> float:
    """The share of the words of ``text`` found in ``known`` (0.0 for a text with no words)."""
    if not isinstance(known, set | frozenset) or not known:
        raise ValueError(
            "known must be a non-empty set of words, e.g. vocabulary(L.shakespeare())."
        )
    found = words(text)
    return sum(word in known for word in found) / len(found) if found else 0.0


def distinct_n(text: str, n: int = 2) -> float:
    """Different word n-grams / all word n-grams of ``text`` (0.0 when it has none)."""
    positive_int(n, "n")
    found = words(text)
    grams = [tuple(found[i : i + n]) for i in range(len(found) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0
