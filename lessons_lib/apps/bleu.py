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
(``tokenizer=bleu_characters`` or ``"char"``, sacrebleu's ``tokenize="char"``).

Several references per translation are given as ``sacrebleu`` takes them, as reference
*streams*: ``bleu([refs_1, refs_2], translations)``, ``refs_k[i]`` the k-th reference of
translation ``i``. Each n-gram then counts as often as the reference that has it most
often, and the reference length is that of the reference closest in length (the shorter
of two as close), as in ``sacrebleu``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

from .._checks import positive_int
from .rouge import ngrams, pick_tokenizer, tokens_of

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


_ORDER = (
    "L.bleu takes the references first, bleu(references, translations), the other way round "
    "from sacrebleu.corpus_bleu(translations, [references]); tokens already split: join them, "
    "' '.join(tokens)."
)


def _strings(texts, name: str) -> list[str]:
    """``texts`` if it is a list (or tuple) of strings; else an error that says how to fix it."""
    wanted = "a list of strings"
    if name == "references":
        wanted += " (or sacrebleu's reference streams, a list of lists of strings)"
    if not isinstance(texts, list | tuple):
        got = "a str: wrap one text in []" if isinstance(texts, str) else type(texts).__name__
        raise TypeError(f"{name} must be {wanted}, got {got}.")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(
                f"{name} must be {wanted}, got {type(text).__name__} {text!r:.40} at "
                f"{name}[{i}]. {_ORDER}"
            )
    return list(texts)


def reference_sets(references, translations) -> list[tuple[str, ...]]:
    """The references of each translation, from one string per translation or from
    sacrebleu's reference streams (a list of lists of strings, one string per translation)."""
    n = len(_strings(translations, "translations"))
    if (
        isinstance(references, list | tuple)
        and references
        and all(isinstance(stream, list | tuple) for stream in references)
    ):  # sacrebleu's streams: references[k][i], the k-th reference of translation i
        for k, stream in enumerate(references):
            if len(_strings(stream, f"references[{k}]")) != n:
                raise ValueError(
                    f"references given as lists are sacrebleu's reference streams, "
                    f"references[k][i] the k-th reference of translation i; references[{k}] "
                    f"holds {len(stream)} strings for {n} translations: give each stream one "
                    "reference per translation."
                )
        return list(zip(*references, strict=True))
    if len(_strings(references, "references")) != n:
        raise ValueError(
            f"Give one reference per translation: got {len(references)} references and "
            f"{n} translations. Several references each: a list of streams, as sacrebleu "
            "takes them, bleu([refs_1, refs_2], translations)."
        )
    return [(reference,) for reference in references]


def bleu(
    references: list[str] | list[list[str]],
    translations: list[str],
    tokenizer: Tokenizer | str | None = None,
    max_order: int = 4,
) -> float:
    """Corpus BLEU (0-100) of ``translations`` against one reference each, or against
    several given as sacrebleu's reference streams (``[refs_1, refs_2]``, module docstring).

    ``tokenizer``: None splits on spaces (sacrebleu's ``tokenize="none"``, also ``"none"``);
    ``"char"`` or ``bleu_characters`` for Chinese; or any function text -> list of tokens.

    >>> bleu(["the cat sat on the mat"], ["the cat sat on the mat"])
    100.0
    """
    reference_lists = reference_sets(references, translations)
    tokenize = pick_tokenizer(
        tokenizer, str.split, {"char": bleu_characters, "none": str.split},
        " sacrebleu's '13a' and 'zh' are not built in: use sacrebleu.corpus_bleu for them.",
    )  # fmt: skip
    positive_int(max_order, "max_order")
    correct, total = [0] * max_order, [0] * max_order
    candidate_length = reference_length = 0
    for refs, translation in zip(reference_lists, translations, strict=True):
        hyp = tokens_of(tokenize, translation)
        refs = [tokens_of(tokenize, reference) for reference in refs]
        closest = min((len(ref) for ref in refs), key=lambda r: (abs(r - len(hyp)), r))
        candidate_length, reference_length = (
            candidate_length + len(hyp),
            reference_length + closest,
        )
        for n in range(1, max_order + 1):
            hyp_grams: Counter = ngrams(hyp, n)
            most: Counter = Counter()  # each n-gram as often as one reference has it at most
            for ref in refs:
                most |= ngrams(ref, n)
            correct[n - 1] += sum((hyp_grams & most).values())  # clipped matches
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
