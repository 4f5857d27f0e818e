"""Does a model recite its training text? The extraction test of chapter 09.

Take a passage of the training text, give the model its first ``prefix`` characters and let
it continue greedily (always the most likely next character) for ``suffix`` characters. If
the continuation is exactly the text's own next ``suffix`` characters, the passage was
**extracted**: the model holds it in its weights, word for word. The **extraction rate** is
the share of passages extracted (Carlini et al. 2023, "Quantifying Memorization Across Neural
Language Models", ran this test on GPT-Neo and GPT-J models of several sizes). Run it on
the training split and on text the model never saw: the gap is memorisation.

Passages start at the beginning of a line, so a prompt is a natural place to recite from
(``ROMEO:\\nBut, soft! what light``) and never the middle of a word. The seed shuffles every
line start of the text once; the passages are the first ``samples`` that leave ``prefix +
suffix`` characters before the end. So a seed picks the same line starts whatever the sizes:
rates for prefixes of 8 and 64 characters are measured on the same passages.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import torch
import torch.nn as nn

from .._checks import positive_int
from ..models.generation import generate
from ..models.lm import check_model
from ..tokenization.characters import CharTokenizer

_LINE_START = re.compile(r"(?:^|\n)(?=[^\n])")  # ends where a line with characters begins


@dataclass(frozen=True)
class Extraction:
    """One passage of the test: the prompt, the text's own next characters, the model's."""

    start: int  # where the passage (and its prompt) starts in the text
    prompt: str  # the text's ``prefix`` characters the model was given
    truth: str  # the text's next ``suffix`` characters
    continuation: str  # the ``suffix`` characters greedy decoding produced

    @property
    def exact(self) -> bool:
        """True if the model reproduced the text's continuation character for character."""
        return self.continuation == self.truth

    @property
    def matched(self) -> int:
        """How many leading characters of the continuation are the text's own."""
        for i, (ours, theirs) in enumerate(zip(self.continuation, self.truth, strict=False)):
            if ours != theirs:
                return i
        return len(self.truth)


def _check_text(text: object) -> None:
    if not isinstance(text, str):  # the type only: a whole corpus in the message helps no one
        raise TypeError(f"text must be a string, got {type(text).__name__}; join a list first.")


def line_starts(text: str, length: int, samples: int, seed: int = 0) -> list[int]:
    """``samples`` positions where a line of ``text`` starts, with ``length`` characters left.

    Every line start (the first character, and each one after a newline, unless it is itself
    a newline: blank lines are skipped) is shuffled by a ``random.Random(seed)``; the first
    ``samples`` that leave ``length`` characters before the end are returned, in that order.

    >>> line_starts("ab\\ncd\\n\\nef\\n", length=2, samples=3, seed=0)
    [0, 7, 3]
    """
    _check_text(text)
    positive_int(samples, "samples")
    positive_int(length, "length")
    positive_int(seed, "seed", minimum=0)
    starts = [m.end() for m in _LINE_START.finditer(text)]
    random.Random(seed).shuffle(starts)
    chosen = [s for s in starts if s + length <= len(text)][:samples]
    if len(chosen) < samples:
        raise ValueError(
            f"The text ({len(text)} characters) has only {len(chosen)} line starts with "
            f"{length} characters (prefix + suffix) after them, but samples={samples}. "
            "Ask for fewer samples, shorter passages, or give a longer text."
        )
    return chosen


@torch.no_grad()
def extraction_examples(
    model: nn.Module,
    tokenizer: CharTokenizer,
    text: str,
    prefix: int = 32,
    suffix: int = 32,
    samples: int = 100,
    seed: int = 0,
) -> list[Extraction]:
    """Prompt ``model`` with ``samples`` passages of ``text``; one :class:`Extraction` each.

    All passages are decoded greedily in one batch (with the key-value cache when the model
    has one), so 100 passages of the chapter-06 GPT take about a second on a CPU.
    """
    check_model(model)
    _check_text(text)
    positive_int(prefix, "prefix")
    positive_int(suffix, "suffix")
    window = getattr(model, "block_size", None)
    if window is not None and prefix + suffix > window:
        raise ValueError(
            f"prefix + suffix = {prefix} + {suffix} = {prefix + suffix} characters, but the "
            f"model sees only {window} at a time. Shorten them, e.g. prefix={window - suffix} "
            f"with suffix={suffix}: greedy decoding must see the whole prompt to the end."
        )
    starts = line_starts(text, prefix + suffix, samples, seed)
    prompts = torch.tensor([tokenizer.encode(text[s : s + prefix]) for s in starts])  # (B, P)
    out = generate(
        model,
        prompts,
        suffix,
        temperature=0,
        use_cache=callable(getattr(model, "new_cache", None)),
    )  # (B, P + S)
    return [
        Extraction(
            start=s,
            prompt=text[s : s + prefix],
            truth=text[s + prefix : s + prefix + suffix],
            continuation=tokenizer.decode(row[prefix:].tolist()),
        )
        for s, row in zip(starts, out, strict=True)
    ]


def extraction_rate(
    model: nn.Module,
    tokenizer: CharTokenizer,
    text: str,
    prefix: int = 32,
    suffix: int = 32,
    samples: int = 100,
    seed: int = 0,
) -> float:
    """The share of ``samples`` passages of ``text`` whose ``suffix`` characters the model
    reproduces exactly from their first ``prefix`` characters (see :func:`extraction_examples`).
    """
    found = extraction_examples(model, tokenizer, text, prefix, suffix, samples, seed)
    return sum(e.exact for e in found) / len(found)
