"""Tests of assistant.evaluation: the two scores worked by hand, the question set's shape, the
few-shot prompt, and (slow) SmolLM2's measured results."""

from __future__ import annotations

import pytest

from lessons_lib.assistant.evaluation import (
    ASSISTANT_QUESTIONS,
    few_shot_prompt,
    score_reply,
)


@pytest.mark.parametrize(
    ("reply", "answers", "exact", "contains"),
    [
        ("Paris.", ("Paris",), True, True),
        ("The capital of France is Paris.", ("Paris",), False, True),
        ("Parisian food", ("Paris",), False, False),  # a word, not a piece of one
        ("12 + 7 = 19", ("19",), False, True),
        ("119", ("19",), False, False),
        ("北京。", ("北京",), True, True),
        ("中国的首都是北京", ("北京",), False, True),  # Chinese has no spaces between words
        ("a, b, c", ("a, b, c", "a,b,c"), True, True),
    ],
)
def test_the_two_scores_by_hand(reply, answers, exact, contains):
    assert score_reply(reply, answers) == {"exact": exact, "contains": contains}


def test_case_counts_only_where_it_is_the_point():
    assert score_reply("cat", ("CAT",), case_sensitive=True) == {"exact": False, "contains": False}
    assert score_reply("CAT", ("CAT",), case_sensitive=True)["exact"]


def test_the_question_set_covers_five_kinds():
    kinds = {q.kind for q in ASSISTANT_QUESTIONS}
    assert kinds == {"fact", "arithmetic", "format", "Chinese", "date"}
    assert all(q.answers for q in ASSISTANT_QUESTIONS)


def test_the_few_shot_prompt_is_plain_lines():
    prompt = few_shot_prompt([("March 5, 2021", "2021年3月5日")], "1999-12-31")
    assert prompt == "March 5, 2021 = 2021年3月5日\n1999-12-31 ="


@pytest.mark.slow
def test_smollm2_measured():
    from lessons_lib.assistant.evaluation import evaluate_assistant, few_shot_dates
    from lessons_lib.pretrained.smollm2 import load_smollm2

    model, tokenizer = load_smollm2()
    rows = evaluate_assistant(model, tokenizer)
    assert sum(r["contains"] for r in rows) >= 5  # measured 7 of 15 (facts, mostly)
    assert sum(r["exact"] for r in rows) <= 3  # measured 0: it answers in sentences
    assert few_shot_dates(model, tokenizer, 8, n=10) > few_shot_dates(model, tokenizer, 0, n=10)
