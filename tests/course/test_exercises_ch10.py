"""Tests of chapter 10's exercise checkers: model answers pass, typical mistakes get hints."""

from __future__ import annotations

import pytest

from lessons_lib import exercises as ex
from lessons_lib.course.exercises import FORGOT_RETURN

NAMES = ["amdahl_speedup", "micro_batch_size", "training_state_bytes"]


WRONG = [
    ("training_state_bytes", lambda n: 4 * n, "That is the weights alone"),
    ("training_state_bytes", lambda n: 8 * n, "Adam adds two moments"),
    ("training_state_bytes", lambda n: 12 * n, "Adam's *two* moments"),
    ("training_state_bytes", lambda n: 128 * n, "That is bits"),
    ("training_state_bytes", lambda n: 20 * n, "the weights are the master copy"),
    ("training_state_bytes", lambda n: 16 * n / 1e9, "Return bytes, not gigabytes"),
    ("micro_batch_size", lambda b, n, k: b // n, "Divide by the ranks *and* the micro-steps"),
    ("micro_batch_size", lambda b, n, k: b // (n * k), "raise a ValueError"),
    ("micro_batch_size", lambda b, n, k: b / (n * k), "return an int (use //)"),
    ("amdahl_speedup", lambda p, n: n * p, "The serial part runs at the old speed"),
    ("amdahl_speedup", lambda p, n: 1 / (p + (1 - p) / n), "expected"),
    ("amdahl_speedup", lambda p, n: (1 - p) + p / n, "the speed-up is its inverse"),
]


def test_chapter_10_registers_its_exercises():
    assert set(NAMES) <= set(ex.names())
    assert {name for name, _, _ in WRONG} == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_the_model_solution_passes(name):
    passed, message = ex.run_check(name, ex.REGISTRY[name].solution)
    assert passed, message
    assert message.startswith("correct:")


@pytest.mark.parametrize(("name", "answer", "hint"), WRONG)
def test_typical_mistakes_get_a_specific_hint(name, answer, hint, assert_specific_hint):
    assert_specific_hint(name, answer, hint)


@pytest.mark.parametrize("name", NAMES)
def test_a_forgotten_return_is_named(name):
    passed, message = ex.run_check(name, lambda *args: None)
    assert not passed
    assert FORGOT_RETURN in message


def test_an_assert_in_the_learners_own_code_is_named_as_theirs():
    def micro_batch_size(global_batch, world_size, accumulate):
        assert global_batch % (world_size * accumulate) == 0
        return global_batch // (world_size * accumulate)

    passed, message = ex.run_check("micro_batch_size", micro_batch_size)
    assert not passed
    assert message.startswith("an assert in your code failed (")  # pytest rewrites the text
    assert "assert global_batch % (world_size * accumulate) == 0" in message
