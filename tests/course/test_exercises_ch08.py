"""Tests of chapter 08's exercise checkers: model answers pass, typical mistakes get hints."""

from __future__ import annotations

import math

import pytest
import sacrebleu
import torch

from lessons_lib import exercises as ex
from lessons_lib.apps.rouge import rouge
from lessons_lib.course.exercises import ch08

NAMES = ["beam_step", "best_span", "brevity_penalty", "rouge1_f"]


def sort_within_first_beam(beams, log_probs, k):
    prefix, score = beams[0]
    found = [(prefix + [t], score + log_probs[0, t].item()) for t in range(log_probs.shape[1])]
    return sorted(found, key=lambda b: -b[1])[:k]


def by_new_token_only(beams, log_probs, k):
    found = [(p + [t], log_probs[i, t].item()) for i, (p, _) in enumerate(beams) for t in range(4)]
    return sorted(found, key=lambda b: -b[1])[:k]


def unclipped_rouge1(reference, prediction):
    ref, pred = reference.lower().split(), prediction.lower().split()
    overlap = sum(word in ref for word in pred)
    return 0.0 if not overlap else 2 * overlap / (len(ref) + len(pred))


WRONG = [
    ("brevity_penalty", lambda c, r: math.exp(1 - c / r) if c < r else 1.0, "r / c, not c / r"),
    ("brevity_penalty", lambda c, r: min(1.0, c / r), "exponential"),
    ("brevity_penalty", lambda c, r: math.exp(min(0, 1 - r / max(c, 1))) * (c <= r), "expected"),
    ("beam_step", sort_within_first_beam, "all beams together"),
    ("beam_step", by_new_token_only, "score so far plus"),
    ("beam_step", lambda b, lp, k: ch08.beam_step(b, lp, k)[:2], "Keep beam_size = 3"),
    ("rouge1_f", unclipped_rouge1, "Clip each word's count"),
    ("best_span", lambda s, e, m: (int(s.argmax()), int(e.argmax())), "separate argmaxes"),
    ("best_span", lambda s, e, m: ch08.best_span(s, e, 5), "at most max_len"),
]


def test_chapter_08_registers_its_exercises():
    assert set(NAMES) <= set(ex.names())
    assert {name for name, _, _ in WRONG} == set(NAMES)


# The model solutions passing and a forgotten `return` are tested for every chapter at once in
# test_exercises.py; here, each typical mistake gets its own hint.
@pytest.mark.parametrize(("name", "answer", "hint"), WRONG)
def test_a_typical_mistake_fails_with_a_hint(name, answer, hint, assert_specific_hint):
    assert_specific_hint(name, answer, hint)


def test_the_solutions_agree_with_the_references():
    # BLEU's brevity penalty as sacrebleu computes it, on c words against r words
    for c, r in ((9, 10), (5, 10), (12, 10)):
        bleu = sacrebleu.corpus_bleu([" ".join("a" * c)], [[" ".join("a" * r)]])
        assert ch08.brevity_penalty(c, r) == pytest.approx(bleu.bp)
    # ROUGE-1 as rouge-score (through the course's rouge, equal to it) computes it
    for reference, prediction in (("the cat sat on the mat", "the the the the"), ("A b.", "a c")):
        assert ch08.rouge1_f(reference, prediction) == pytest.approx(
            rouge(reference, prediction)["rouge1"]
        )
    # the best span by brute force over every allowed pair
    torch.manual_seed(0)
    for _ in range(20):
        s, e = torch.randn(9), torch.randn(9)
        pairs = [(i, j) for i in range(9) for j in range(i, min(9, i + 3))]
        assert ch08.best_span(s, e, 3) == max(pairs, key=lambda p: s[p[0]] + e[p[1]])
