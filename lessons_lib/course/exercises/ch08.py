"""Chapter 08's exercises: BLEU's brevity penalty, one step of beam search, ROUGE-1 by hand,
and the answer span from a reader's start and end logits."""

from __future__ import annotations

import math
import re
from collections import Counter

import torch

from . import exercise, returned


def brevity_penalty(translation_length: int, reference_length: int) -> float:
    """BLEU's penalty for a translation shorter than its reference: exp(1 - r / c) if c < r."""
    if translation_length >= reference_length:
        return 1.0
    if translation_length == 0:
        return 0.0
    return math.exp(1 - reference_length / translation_length)


def beam_step(beams: list[tuple[list[int], float]], log_probs: torch.Tensor, beam_size: int):
    """Extend every beam (prefix, score) by every token of its row of ``log_probs`` (K, V) and
    keep the ``beam_size`` best extensions, best first."""
    extended = [
        (prefix + [token], score + log_probs[k, token].item())
        for k, (prefix, score) in enumerate(beams)
        for token in range(log_probs.shape[1])
    ]
    return sorted(extended, key=lambda beam: -beam[1])[:beam_size]


def rouge1_f(reference: str, prediction: str) -> float:
    """ROUGE-1 F: unigram overlap (each word counted at most as often as in the other text)."""
    ref, pred = (Counter(re.findall(r"[a-z0-9]+", t.lower())) for t in (reference, prediction))
    overlap = sum((ref & pred).values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / sum(pred.values()), overlap / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def best_span(start_logits: torch.Tensor, end_logits: torch.Tensor, max_len: int = 3):
    """(start, end) maximising start_logits[start] + end_logits[end], start <= end < start +
    max_len: the answer span a reader picks."""
    scores = start_logits[:, None] + end_logits[None, :]  # (T, T): row = start, column = end
    i = torch.arange(len(start_logits))[:, None]  # (T, 1): the start of each row
    j = torch.arange(len(end_logits))[None, :]  # (1, T): the end of each column
    scores = scores.masked_fill((j < i) | (j >= i + max_len), float("-inf"))
    start, end = divmod(scores.argmax().item(), len(end_logits))
    return start, end


@exercise("brevity_penalty", solution=brevity_penalty)
def check_brevity_penalty(answer) -> str:
    for c, r in ((10, 10), (12, 10), (9, 10), (5, 10), (1, 4), (0, 3)):
        got, want = float(returned(answer(c, r))), brevity_penalty(c, r)
        if abs(got - want) > 1e-9:
            hint = ""
            if c > r and got < 1:
                hint = " A longer translation is not penalised here: precision already pays."
            elif c < r and abs(got - math.exp(1 - c / r)) < 1e-9:
                hint = " The ratio is reference / translation: r / c, not c / r."
            elif c < r and abs(got - c / r) < 1e-9:
                hint = " BLEU's penalty is exponential: exp(1 - r / c)."
            raise AssertionError(
                f"translation {c}, reference {r} characters: expected {want:.4f}, got "
                f"{got!r}.{hint}"
            )
    return "correct: 9 characters for 10 cost 11%, half the length costs 63%"


@exercise("beam_step", solution=beam_step)
def check_beam_step(answer) -> str:
    beams = [([1, 4], -0.5), ([1, 2], -1.0)]
    log_probs = torch.tensor([[-3.0, -0.2, -2.0, -4.0], [-0.1, -2.0, -3.0, -0.3]])  # (K=2, V=4)
    want = beam_step(beams, log_probs, 3)
    got = returned(answer([(list(p), s) for p, s in beams], log_probs.clone(), 3))
    got = [(list(prefix), float(score)) for prefix, score in got]
    if [p for p, _ in got] == [p for p, _ in want] and all(
        abs(a - b) < 1e-6 for (_, a), (_, b) in zip(got, want, strict=True)
    ):
        return "correct: the second beam's best extension beat the first beam's second"
    hint = ""
    prefixes = [p for p, _ in got]
    if len(got) != 3:
        hint = f" Keep beam_size = 3 extensions, you returned {len(got)}."
    elif prefixes == [[1, 4, 1], [1, 4, 2], [1, 4, 0]]:
        hint = " Compare the extensions of all beams together, not only the first beam's."
    elif prefixes == [[1, 2, 0], [1, 4, 1], [1, 2, 3]]:
        hint = " A score is the beam's score so far plus the new token's log-probability."
    raise AssertionError(f"expected {want}, got {got}.{hint}")


@exercise("rouge1_f", solution=rouge1_f)
def check_rouge1_f(answer) -> str:
    cases = [
        ("the cat sat on the mat", "the cat sat"),
        ("the cat sat on the mat", "the the the the"),
        ("A big dog.", "a BIG dog"),
        ("words in common", "none here"),
    ]
    for reference, prediction in cases:
        got, want = float(returned(answer(reference, prediction))), rouge1_f(reference, prediction)
        if abs(got - want) > 1e-9:
            hint = ""
            if prediction == "the the the the":
                hint = (
                    " Clip each word's count: 'the' occurs twice in the reference, so at most "
                    "2 of the 4 count."
                )
            raise AssertionError(
                f"reference {reference!r}, prediction {prediction!r}: expected {want:.4f}, "
                f"got {got!r}.{hint}"
            )
    return "correct: precision, recall and their harmonic mean, with clipped counts"


@exercise("best_span", solution=best_span)
def check_best_span(answer) -> str:
    start = torch.tensor([0.0, 3.0, 0.5, 4.0, 0.0])
    end = torch.tensor([1.0, 0.0, 2.0, 0.0, 1.5])
    far_start = torch.tensor([0.0, 4.0, 0.0, 0.0, 0.0])
    far_end = torch.tensor([0.0, 0.0, 1.0, 0.0, 3.0])
    cases = [
        (start, end, 3, (3, 4)),  # the separate argmaxes (3, 2) end before they start
        (start, end, 1, (3, 3)),  # one-word answers only
        (far_start, far_end, 5, (1, 4)),
        (far_start, far_end, 3, (1, 2)),  # (1, 4) would be 4 words long
    ]
    for s, e, max_len, want in cases:
        got = tuple(int(v) for v in returned(answer(s.clone(), e.clone(), max_len)))
        if got != want:
            hint = ""
            if got == (int(s.argmax()), int(e.argmax())):
                hint = " The two separate argmaxes can give an end before the start."
            elif got[1] - got[0] + 1 > max_len:
                hint = f" The span has {got[1] - got[0] + 1} words: at most max_len = {max_len}."
            raise AssertionError(
                f"start {s.tolist()}, end {e.tolist()}, max_len {max_len}: expected {want}, "
                f"got {got}.{hint}"
            )
    return "correct: the best pair with start <= end, not the two best positions"
