"""ROUGE, the overlap score of summaries, from scratch (chapter 08).

ROUGE compares a system's summary (the *prediction*) with a person's (the *target*) by the
words they share. With ``overlap`` the number of n-grams the two have in common (each
counted as often as it occurs in both)::

    precision = overlap / n-grams in the prediction     (how much of what we said is right)
    recall    = overlap / n-grams in the target         (how much of what we should say we said)
    F         = 2 · precision · recall / (precision + recall)

ROUGE-1 counts single words, ROUGE-2 pairs of neighbouring words, and ROUGE-L the longest
common subsequence: words in the same order, gaps allowed. The default tokenizer is that of
Google's ``rouge-score`` package without stemming (lowercase; anything but ``a-z`` and
``0-9`` splits words), so the scores equal its scores. That tokenizer drops every Chinese
character, so two identical Chinese texts score 0: ``chinese_characters`` makes each
character a token instead.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

Tokenizer = Callable[[str], list[str]]


def rouge_tokens(text: str) -> list[str]:
    """Words as ``rouge-score`` sees them (no stemming).

    >>> rouge_tokens("The cat's hat, 2 days!")
    ['the', 'cat', 's', 'hat', '2', 'days']
    """
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).split()


def chinese_characters(text: str) -> list[str]:
    """One token per letter, digit or Chinese character; spaces and punctuation dropped.

    >>> chinese_characters("今天，天气好。")
    ['今', '天', '天', '气', '好']
    """
    return [char for char in text.lower() if char.isalnum()]


def ngrams(tokens: list[str], n: int) -> Counter:
    """Each run of ``n`` neighbouring tokens and how often it occurs."""
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def f_measure(overlap: int, predicted: int, target: int) -> float:
    """The F score of ``overlap`` shared units out of ``predicted`` and ``target`` units."""
    precision = overlap / max(predicted, 1)
    recall = overlap / max(target, 1)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def lcs_length(a: list[str], b: list[str]) -> int:
    """The length of the longest common subsequence of ``a`` and ``b`` (gaps allowed).

    >>> lcs_length("the cat sat on the mat".split(), "the cat lay on a mat".split())
    4
    """
    previous = [0] * (len(b) + 1)  # previous[j]: LCS of a[:i-1] and b[:j]
    for token in a:
        current = [0]
        for j, other in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if token == other else max(previous[j], current[-1]))
        previous = current
    return previous[-1]


def rouge(target: str, prediction: str, tokenizer: Tokenizer | None = None) -> dict[str, float]:
    """ROUGE-1, ROUGE-2 and ROUGE-L F scores of ``prediction`` against ``target``.

    >>> rouge("the cat sat on the mat", "the cat lay on the mat")["rouge1"]
    0.8333333333333334
    """
    for name, text in (("target", target), ("prediction", prediction)):
        if not isinstance(text, str):
            raise TypeError(
                f"{name} must be a string, got {type(text).__name__}. Join a list of sentences "
                "with ' '.join(sentences)."
            )
    tokenize = rouge_tokens if tokenizer is None else tokenizer
    t, p = tokenize(target), tokenize(prediction)
    scores = {}
    for n in (1, 2):
        t_grams, p_grams = ngrams(t, n), ngrams(p, n)
        overlap = sum((t_grams & p_grams).values())
        scores[f"rouge{n}"] = f_measure(overlap, sum(p_grams.values()), sum(t_grams.values()))
    scores["rougeL"] = f_measure(lcs_length(t, p), len(p), len(t)) if t and p else 0.0
    return scores
