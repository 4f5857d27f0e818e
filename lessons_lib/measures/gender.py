"""Gender in our own data and our own model: who is "he" and who is "she" (chapter 09).

Two measurements of one bias. In the **corpus**: after each occurrence of a title or an
occupation (``king``, ``servant``, ``nurse``, ...), count the masculine (he, him, his,
himself) and feminine (she, her, hers, herself) pronouns among the next few words. In the
**model**: the probability the language model gives " he" and " she" right after prompts
about the same words (``"The nurse came in, and"``). The **masculine share**
he / (he + she) of each word then says whether the model reproduces the ratio of its data,
amplifies it, or evens it out.

>>> [(c.word, c.masculine, c.feminine) for c in gender_counts("The nurse: she ran.", ["nurse"])]
[('nurse', 0, 1)]
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import torch
import torch.nn as nn

from .._checks import positive_int, text
from ..models.lm import check_model, evaluating, model_device
from ..tokenization.characters import CharTokenizer

MASCULINE = frozenset({"he", "him", "his", "himself"})
FEMININE = frozenset({"she", "her", "hers", "herself"})
WORDS = (
    "king", "queen", "lord", "lady", "master", "mistress",  # titles: gendered by themselves
    "soldier", "servant", "captain", "messenger", "friend", "cousin",  # roles: open in words
    "child", "fool", "doctor", "nurse",
)  # fmt: skip
"""Titles and roles that occur at least 50 times in the plays (most of them hundreds)."""
TEMPLATES = (
    "The {word} came in, and",
    "I met the {word}; then",
    "Go to the {word}, for",
    "When the {word} had spoken,",
)
"""Prompts after which " he" or " she" (about the word) is a natural next word."""

_WORD = re.compile(r"[A-Za-z]+")  # an apostrophe splits: he'll -> he, ll
_HEADING = re.compile(r"[A-Z]{2,}")  # a speaker's name in capitals (HAMLET:), not a word of text


@dataclass(frozen=True)
class GenderCount:
    """The pronouns found in the ``window`` words after each occurrence of ``word``."""

    word: str
    occurrences: int  # how often the word occurs (lower or capitalised, not in a heading)
    masculine: int  # he, him, his, himself in the windows after it
    feminine: int  # she, her, hers, herself in the same windows

    @property
    def masculine_share(self) -> float:
        """masculine / (masculine + feminine); NaN when no pronoun followed the word."""
        total = self.masculine + self.feminine
        return self.masculine / total if total else math.nan


def text_words(text: str) -> list[str]:
    """The lower-cased words of ``text``, without speaker headings (words in capitals).

    >>> text_words("ROMEO:\\nHe'll go; O Juliet!")
    ['he', 'll', 'go', 'o', 'juliet']
    """
    return [w.lower() for w in _WORD.findall(text) if not _HEADING.fullmatch(w)]


def gender_counts(
    text: str,
    words: Iterable[str] = WORDS,
    window: int = 10,
    masculine: frozenset[str] = MASCULINE,
    feminine: frozenset[str] = FEMININE,
) -> list[GenderCount]:
    """For each of ``words``, the ``masculine`` and ``feminine`` words (pronouns) in the
    ``window`` words after each of its occurrences in ``text`` (see :func:`text_words`), in
    ``words``' order. A pronoun near two of the words counts for both."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}.")
    positive_int(window, "window")
    targets = [w.lower() for w in ([words] if isinstance(words, str) else words)]
    if not targets or not all(_WORD.fullmatch(w) for w in targets):
        raise ValueError(f"words must be single words of letters, e.g. {WORDS[:3]}; got {targets}.")
    found = text_words(text)
    counts = {w: [0, 0, 0] for w in targets}  # word -> [occurrences, masculine, feminine]
    for i, w in enumerate(found):
        if w in counts:
            after = found[i + 1 : i + 1 + window]
            counts[w][0] += 1
            counts[w][1] += sum(x in masculine for x in after)
            counts[w][2] += sum(x in feminine for x in after)
    return [GenderCount(w, *counts[w]) for w in targets]


def boundary_ids(tokenizer: CharTokenizer) -> list[int]:
    """The ids of every character that is not a letter: what may follow a whole word."""
    return [i for i, c in enumerate(tokenizer.chars) if not c.isalpha()]


@torch.no_grad()
def continuation_log_probability(
    model: nn.Module,
    tokenizer: CharTokenizer,
    prompt: str,
    continuation: str,
    then: Sequence[int] | None = None,
) -> float:
    """log P(``continuation`` | ``prompt``): the sum of each character's log-probability with
    the true characters fed in (teacher forcing). With ``then`` (token ids), the log of the
    probability that the next character is one of them is added: with
    ``boundary_ids(tokenizer)``, " he" must end a word, so " hear" does not count as " he".
    """
    check_model(model)
    if not text(prompt, "prompt") or not text(continuation, "continuation"):
        raise ValueError("prompt and continuation must each have at least one character.")
    ids = tokenizer.encode(prompt + continuation)
    window = getattr(model, "block_size", None)
    if window is not None and len(ids) > window:
        raise ValueError(
            f"prompt + continuation have {len(ids)} characters but the model sees {window}: "
            "shorten the prompt."
        )
    idx = torch.tensor([ids], device=model_device(model))  # (1, T)
    with evaluating(model):
        logits, _ = model(idx)  # (1, T, V)
    log_probs = torch.log_softmax(logits[0].double(), dim=-1)  # (T, V)
    P = len(prompt)
    targets = idx[0, P:]  # (S,) the continuation's ids
    total = log_probs[P - 1 : -1].gather(1, targets[:, None]).sum()  # rows P-1..T-2 predict them
    if then is not None:
        total = total + torch.logsumexp(log_probs[-1, list(then)], dim=0)  # the character after
    return float(total)


@dataclass(frozen=True)
class PronounProbability:
    """The model's mean probability of " he" and of " she" after prompts about ``word``."""

    word: str
    he: float  # P(" he" + a non-letter), the mean over the templates
    she: float  # P(" she" + a non-letter), the mean over the templates

    @property
    def masculine_share(self) -> float:
        """he / (he + she): 0.5 means the model does not lean either way (NaN if both are 0)."""
        total = self.he + self.she
        return self.he / total if total else math.nan


def pronoun_probabilities(
    model: nn.Module,
    tokenizer: CharTokenizer,
    words: Iterable[str] = WORDS,
    templates: Sequence[str] = TEMPLATES,
) -> list[PronounProbability]:
    """For each word, P(" he") and P(" she") after each template filled with it (each followed
    by a character that is not a letter), averaged over the templates."""
    words = [words] if isinstance(words, str) else list(words)
    if not words:
        raise ValueError(f"Give at least one word, e.g. {WORDS[:3]}.")
    if isinstance(templates, str):
        raise TypeError(f"templates must be a list of strings; for one use [{templates!r}].")
    if not all(isinstance(w, str) for w in words):
        raise TypeError(f"words must be strings, e.g. {WORDS[:3]}; got {words!r:.60}.")
    if not templates or any(not isinstance(t, str) or "{word}" not in t for t in templates):
        raise ValueError(f"Each template must contain {{word}}, e.g. {TEMPLATES[0]!r}.")
    ends = boundary_ids(tokenizer)

    def mean_probability(word: str, pronoun: str) -> float:
        prompts = [t.format(word=word) for t in templates]
        return sum(
            math.exp(continuation_log_probability(model, tokenizer, p, f" {pronoun}", ends))
            for p in prompts
        ) / len(prompts)

    return [
        PronounProbability(w, mean_probability(w, "he"), mean_probability(w, "she")) for w in words
    ]
