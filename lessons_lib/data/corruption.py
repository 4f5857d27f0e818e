"""A deliberately noisy copy of a text, for chapter 09's question "does data quality matter?".

    >>> noisy_copy("ROMEO:\\nBut soft\\n", share=1.0, seed=0)  # every line's characters shuffled
    'MRE:OO\\nBfuto ts\\n'

Each line keeps its characters and its length, so the noisy corpus has exactly the clean one's
characters, counts and line breaks: only their order inside the chosen lines is lost.
"""

from __future__ import annotations

import random

from .._checks import seed as check_seed
from .._checks import text as check_text


def noisy_copy(text: str, share: float, seed: int = 0) -> str:
    """``text`` with the characters of a random ``share`` of its lines shuffled in place."""
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
        raise ValueError(f"share is the fraction of lines to shuffle, 0 to 1; got {share!r}.")
    rng = random.Random(check_seed(seed))
    lines = check_text(text, "text").split("\n")
    chosen = rng.sample(range(len(lines)), round(share * len(lines)))
    for i in chosen:
        chars = list(lines[i])
        rng.shuffle(chars)
        lines[i] = "".join(chars)
    return "\n".join(lines)
