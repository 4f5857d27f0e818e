"""Tests of chapter 05's exercise checkers: model answers pass, typical mistakes get hints."""

from __future__ import annotations

import math

import pytest
import torch

from lessons_lib import exercises as ex
from lessons_lib.course.exercises import ch05

NAMES = ["apply_causal_mask", "attention_scores", "reversal_source"]


def _in_place(scores):
    T = scores.shape[0]
    return scores.masked_fill_(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))


def _mask_with(fill=float("-inf"), diagonal=1, lower=False):
    def answer(scores):
        T = scores.shape[0]
        ones = torch.ones(T, T, dtype=torch.bool)
        masked = ones.tril(-diagonal) if lower else ones.triu(diagonal)
        return scores.masked_fill(masked, fill)

    return answer


WRONG = [
    ("attention_scores", lambda q, k: q @ k.T, "unscaled: divide by sqrt(d)"),
    ("attention_scores", lambda q, k: q @ k.T / q.shape[-1], "you divided by d = 2"),
    ("attention_scores", lambda q, k: k @ q.T / math.sqrt(q.shape[-1]), "rows are queries"),
    (
        "attention_scores",
        lambda q, k: torch.softmax(ch05.attention_scores(q, k), -1),
        "these are the weights (after softmax)",
    ),
    ("attention_scores", lambda q, k: (q @ k.T).tolist(), "return a torch tensor, got list"),
    ("attention_scores", lambda q, k: q @ k.T / math.sqrt(q.shape[-1]) + 1, "entry [i, j]"),
    ("apply_causal_mask", _mask_with(fill=0.0), "masked scores must be float('-inf')"),
    ("apply_causal_mask", _mask_with(diagonal=0), "you masked the diagonal"),
    ("apply_causal_mask", _mask_with(lower=True), "you masked the past"),
    ("apply_causal_mask", _mask_with(lower=True, diagonal=0), "you masked the past"),
    ("apply_causal_mask", _mask_with(fill=-1e9), "a large negative number"),
    ("apply_causal_mask", _in_place, "your function changed its input"),
    ("apply_causal_mask", lambda s: s, "entries with column > row must be -inf"),
    ("reversal_source", lambda p, n: p - n, "would copy the letters in order"),
    ("reversal_source", lambda p, n: 2 * n - p, "one position off"),
    ("reversal_source", lambda p, n: 2 * n - 2 - p, "one position off"),
    ("reversal_source", lambda p, n: 0, "Read the anti-diagonal"),
]


def test_chapter_05_registers_its_exercises():
    assert set(NAMES) <= set(ex.names())
    assert {name for name, _, _ in WRONG} == set(NAMES)


@pytest.mark.parametrize(("name", "answer", "hint"), WRONG)
def test_typical_mistakes_get_a_specific_hint(name, answer, hint, assert_specific_hint):
    assert_specific_hint(name, answer, hint)


def test_model_solutions_by_hand():
    q = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    k = torch.tensor([[1.0, 1.0], [2.0, 0.0], [0.0, 1.0]])
    s = 1 / math.sqrt(2)
    expected = torch.tensor([[1.0, 2.0, 0.0], [2.0, 0.0, 2.0]]) * s
    torch.testing.assert_close(ch05.attention_scores(q, k), expected)
    masked = ch05.apply_causal_mask(torch.zeros(3, 3))
    assert masked[0].tolist() == [0.0, -math.inf, -math.inf]
    assert masked[2].tolist() == [0.0, 0.0, 0.0]
    # n = 8: the separator at 8 attends to the last letter at 7, the last query 15 to 0
    assert [ch05.reversal_source(p, 8) for p in (8, 9, 15)] == [7, 6, 0]
