"""BLEU, the overlap score of translations, from scratch (chapter 08).

BLEU asks how many of a translation's n-grams (n = 1 .. 4) occur in the reference, counted
over the whole test set. Each n-gram counts at most as often as the reference has it
(*clipped*), so repeating a right word earns nothing. The four precisions are averaged in
log space, and a **brevity penalty** punishes output shorter than the references (precision
alone would reward saying almost nothing)::

    p_n  = clipped matching n-grams / n-grams in the translations
    BP   = 1 if c > r else exp(1 - r / c)        c, r: total tokens in translations, references
    BLEU = 100 · BP · exp((log p_1 + ... + log p_4) / 4)

An order with no match at all would make the score 0; like ``sacrebleu`` the score then uses
"exp" smoothing: the k-th such order counts as 1 / 2^k matches. Scores equal
``sacrebleu.corpus_bleu`` with the same tokens. Chinese has no spaces, so
``sacrebleu``'s default tokenizer sees a whole date as one word: score Chinese by characters
(``tokenizer=bleu_characters``, sacrebleu's ``tokenize="char"``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

from .rouge import ngrams

Tokenizer = Callable[[str], list[str]]


def bleu_characters(text: str) -> list[str]:
    """Every character but spaces is a token (sacrebleu's ``tokenize="char"``).

    >>> bleu_characters("2021年3月5日")
    ['2', '0', '2', '1', '年', '3', '月', '5', '日']
    """
    return [char for char in text if not char.isspace()]


def brevity_penalty(candidate_length: int, reference_length: int) -> float:
    """1 for output at least as long as the references, else exp(1 - r / c) (0 for c = 0).

    >>> round(brevity_penalty(8, 10), 4)   # 20% too short costs 22%
    0.7788
    """
    if candidate_length >= reference_length:
        return 1.0
    return math.exp(1 - reference_length / candidate_length) if candidate_length else 0.0


def bleu(
    references: list[str],
    translations: list[str],
    tokenizer: Tokenizer | None = None,
    max_order: int = 4,
) -> float:
    """Corpus BLEU (0-100) of ``translations`` against one reference each.

    ``tokenizer`` defaults to splitting on spaces; use ``bleu_characters`` for Chinese.

    >>> bleu(["the cat sat on the mat"], ["the cat sat on the mat"])
    100.0
    """
    if isinstance(references, str) or isinstance(translations, str):
        raise TypeError("references and translations must be lists of strings: wrap one in [].")
    if len(references) != len(translations):
        raise ValueError(
            f"Give one reference per translation: got {len(references)} references and "
            f"{len(translations)} translations."
        )
    tokenize = str.split if tokenizer is None else tokenizer
    correct, total = [0] * max_order, [0] * max_order
    candidate_length = reference_length = 0
    for reference, translation in zip(references, translations, strict=True):
        ref, hyp = tokenize(reference), tokenize(translation)
        candidate_length, reference_length = (
            candidate_length + len(hyp),
            reference_length + len(ref),
        )
        for n in range(1, max_order + 1):
            hyp_grams: Counter = ngrams(hyp, n)
            correct[n - 1] += sum((hyp_grams & ngrams(ref, n)).values())  # clipped matches
            total[n - 1] += sum(hyp_grams.values())
    if not any(correct):
        return 0.0
    log_precisions, unmatched = [], 0
    for matches, count in zip(correct, total, strict=True):
        if count == 0:  # translations too short to hold an n-gram this long: score ~0
            return 0.0
        if matches == 0:
            unmatched += 1
            log_precisions.append(math.log(1 / (2**unmatched * count)))  # "exp" smoothing
        else:
            log_precisions.append(math.log(matches / count))
    penalty = brevity_penalty(candidate_length, reference_length)
    return 100 * penalty * math.exp(sum(log_precisions) / max_order)
