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
character, so two identical Chinese texts score 0: ``chinese_characters`` (or
``tokenizer="chinese"``) makes each character a token instead.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

Tokenizer = Callable[[str], list[str]]


def pick_tokenizer(tokenizer, default: Tokenizer, named: dict[str, Tokenizer], hint: str = ""):
    """The function that splits a text into tokens: ``default`` for None, ``named[tokenizer]``
    for a name, a tokenizer object's ``tokenize`` method (``rouge-score`` takes one), or the
    function itself; else an error that lists what ``tokenizer`` may be."""
    if tokenizer is None:
        return default
    if isinstance(tokenizer, str) and tokenizer in named:
        return named[tokenizer]
    tokenize = getattr(tokenizer, "tokenize", tokenizer)
    if isinstance(tokenizer, str) or not callable(tokenize):
        listed = ", ".join(repr(name) for name in named)
        raise (ValueError if isinstance(tokenizer, str) else TypeError)(
            f"tokenizer must be None (the default), one of {listed}, or a function "
            f"text -> list of tokens; got {tokenizer!r}.{hint}"
        )
    return tokenize


def tokens_of(tokenize: Tokenizer, text: str) -> list[str]:
    """``tokenize(text)``, checked to be a list (or tuple) of tokens, not a string."""
    tokens = tokenize(text)
    if not isinstance(tokens, list | tuple):
        raise TypeError(
            f"tokenizer must return a list of tokens, got {type(tokens).__name__} for "
            f"{text[:40]!r}; e.g. tokenizer=str.split."
        )
    return tokens


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

    ``tokenizer``: None (``rouge_tokens``, as ``rouge-score``), ``"chinese"``
    (``chinese_characters``), a function text -> list of tokens, or an object with a
    ``tokenize`` method (what ``rouge_scorer.RougeScorer(..., tokenizer=...)`` takes).

    >>> rouge("the cat sat on the mat", "the cat lay on the mat")["rouge1"]
    0.8333333333333334
    """
    for name, text in (("target", target), ("prediction", prediction)):
        if not isinstance(text, str):
            raise TypeError(
                f"{name} must be a string, got {type(text).__name__}. Join a list of sentences "
                "with ' '.join(sentences)."
            )
    tokenize = pick_tokenizer(tokenizer, rouge_tokens, {"chinese": chinese_characters})
    t, p = tokens_of(tokenize, target), tokens_of(tokenize, prediction)
    scores = {}
    for n in (1, 2):
        t_grams, p_grams = ngrams(t, n), ngrams(p, n)
        overlap = sum((t_grams & p_grams).values())
        scores[f"rouge{n}"] = f_measure(overlap, sum(p_grams.values()), sum(t_grams.values()))
    scores["rougeL"] = f_measure(lcs_length(t, p), len(p), len(t)) if t and p else 0.0
    return scores
