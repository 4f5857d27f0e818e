"""Tests of chapter 08's exercise checkers: model answers pass, typical mistakes get hints."""

from __future__ import annotations

import pytest
import torch

from lessons_lib import exercises as ex
from lessons_lib.course.exercises import ch08

NAMES = ["beam_step", "best_span", "fuse_scores", "lcs_length"]


def sort_within_first_beam(beams, log_probs, k):
    prefix, score = beams[0]
    found = [(prefix + [t], score + log_probs[0, t].item()) for t in range(log_probs.shape[1])]
    return sorted(found, key=lambda b: -b[1])[:k]


def by_new_token_only(beams, log_probs, k):
    found = [(p + [t], log_probs[i, t].item()) for i, (p, _) in enumerate(beams) for t in range(4)]
    return sorted(found, key=lambda b: -b[1])[:k]


def rank_fusion(keyword_scores, dense_scores):
    """Reciprocal rank fusion without shared ranks: BM25's order of a row of zeros is arbitrary."""

    def inverse_rank(scores):
        return 1 / (61 + scores.argsort(1, descending=True).argsort(1))

    return inverse_rank(keyword_scores) + inverse_rank(dense_scores)


def longest_common_run(a, b):
    """The longest unbroken run shared by a and b: a substring, not a subsequence."""
    best = 0
    for i in range(len(a)):
        for j in range(len(b)):
            k = 0
            while i + k < len(a) and j + k < len(b) and a[i + k] == b[j + k]:
                k += 1
            best = max(best, k)
    return best


def _best_start_first(start, end, max_len):
    """The best start alone, then the best end within max_len of it."""
    i = int(start.argmax())
    return i, i + int(end[i : i + max_len].argmax())


WRONG = [
    ("beam_step", sort_within_first_beam, "all beams together"),
    ("beam_step", by_new_token_only, "score so far plus"),
    ("beam_step", lambda b, lp, k: ch08.beam_step(b, lp, k)[:2], "Keep beam_size = 3"),
    ("fuse_scores", lambda k, d: d, "loses what BM25 finds"),
    ("fuse_scores", lambda k, d: k, "a tie"),
    ("fuse_scores", rank_fusion, "a tie"),
    ("fuse_scores", lambda k, d: k + d, "depends on the scales"),
    ("fuse_scores", lambda k, d: k[0], "one score per question and story"),
    ("best_span", lambda s, e, m: (int(s.argmax()), int(e.argmax())), "separate argmaxes"),
    ("best_span", lambda s, e, m: ch08.best_span(s, e, 5), "at most max_len"),
    ("best_span", lambda s, e, m: _best_start_first(s, e, m), "Fixing the best start first"),
    ("lcs_length", longest_common_run, "may skip tokens"),
    ("lcs_length", lambda a, b: len(set(a) & set(b)), "same order"),
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
    # the best span by brute force over every allowed pair
    torch.manual_seed(0)
    for _ in range(20):
        s, e = torch.randn(9), torch.randn(9)
        pairs = [(i, j) for i in range(9) for j in range(i, min(9, i + 3))]
        assert ch08.best_span(s, e, 3) == max(pairs, key=lambda p: s[p[0]] + e[p[1]])
    # one step of beam search by brute force over every extension
    beams = [([1], -0.5), ([2], -0.1)]
    log_probs = torch.randn(2, 5).log_softmax(-1)
    every = [
        (p + [t], s + log_probs[k, t].item()) for k, (p, s) in enumerate(beams) for t in range(5)
    ]
    assert ch08.beam_step(beams, log_probs, 4) == sorted(every, key=lambda b: -b[1])[:4]


def test_fusion_keeps_the_best_of_both_retrievers():
    scores, right = ch08._retrieval_scores()
    for name, (bm25, cosine) in scores.items():
        assert bm25.shape == cosine.shape == (200, 100) and right.shape == (200,)
        recall = {
            method: (s.argmax(1) == right).float().mean().item()
            for method, s in (
                ("BM25", bm25),
                ("MiniLM", cosine),
                ("fused", ch08.fuse_scores(bm25, cosine)),
            )
        }
        assert recall["fused"] >= max(recall["BM25"], recall["MiniLM"]) - 0.005, (name, recall)
    # a row of BM25 zeros leaves the order to the cosines
    cosine = torch.tensor([[0.3, 0.9, 0.5]])
    assert ch08.fuse_scores(torch.zeros(1, 3), cosine).argsort().tolist() == [[0, 2, 1]]


def test_the_lcs_solution_agrees_with_brute_force():
    import itertools

    a, b = "a b c a b".split(), "b a c b a".split()
    common = [
        n
        for n in range(len(a) + 1)
        for sub in itertools.combinations(a, n)
        if any(sub == other for other in itertools.combinations(b, n))
    ]
    assert ch08.lcs_length(a, b) == max(common) == 3


def test_beam_step_runs_inside_the_library_beam_search():
    passed, message = ex.run_check("beam_step", ch08.beam_step)
    assert passed and "Inside L.beam_search" in message and "2021年3月5日" in message
    assert "finds b <eos> (probability 0.36)" in message

    def four_tokens_only(beams, log_probs, k):  # right on the check's 4 tokens, not on 16
        found = [
            (p + [t], s + log_probs[i, t].item())
            for i, (p, s) in enumerate(beams)
            for t in range(4)
        ]
        return sorted(found, key=lambda b: -b[1])[:k]

    passed, message = ex.run_check("beam_step", four_tokens_only)
    assert not passed and "inside beam search" in message


def test_best_span_answers_questions_inside_the_reader():
    passed, message = ex.run_check("best_span", ch08.best_span)
    assert passed and "Inside section 2's reader" in message
    assert float(message.split("your spans answer ")[1].split("%")[0]) >= 85
