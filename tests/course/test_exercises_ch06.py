"""Tests of chapter 06's exercise checkers: model answers pass, typical mistakes get hints."""

from __future__ import annotations

import math

import pytest

from lessons_lib import exercises as ex
from lessons_lib.course.exercises import ch06

NAMES = ["attention_shapes", "count_parameters", "expected_initial_loss"]


def _count_plus(extra):
    """The right count, changed by ``extra(V, T, n_layer, C)``."""

    def answer(V, T, n_layer, C):
        return ch06.count_parameters(V, T, n_layer, C) + extra(V, T, n_layer, C)

    return answer


WRONG = [
    ("count_parameters", _count_plus(lambda V, T, n, C: V * C), "weight tying"),
    ("count_parameters", _count_plus(lambda V, T, n, C: -T * C), "position embedding"),
    ("count_parameters", _count_plus(lambda V, T, n, C: -2 * C), "final layer norm"),
    ("count_parameters", _count_plus(lambda V, T, n, C: -n * 4 * C), "two layer norms"),
    ("count_parameters", _count_plus(lambda V, T, n, C: -n * 13 * C), "count the biases"),
    ("count_parameters", _count_plus(lambda V, T, n, C: -n * 9 * C), "every nn.Linear"),
    ("count_parameters", lambda V, T, n, C: n * 12 * C * C, "off by"),
    ("attention_shapes", lambda B, T, C, H: ((B, T, H, C // H), (B, H, T, T)), "transpose"),
    ("attention_shapes", lambda B, T, C, H: ((B, H, T, C), (B, H, T, T)), "n_embd // n_head"),
    ("attention_shapes", lambda B, T, C, H: ((B, H, T, C // H), (T, T)), "4 dimensions"),
    ("attention_shapes", lambda B, T, C, H: ((B, H, T, C // H), (B, T, T)), "4 dimensions"),
    ("attention_shapes", lambda B, T, C, H: ((B, H, T, C // H), (B, H, T, C)), "(batch, heads"),
    ("attention_shapes", lambda B, T, C, H: (B, H, T, C // H), "as a tuple"),
    ("attention_shapes", lambda B, T, C, H: ((B, H, T, T), (B, H, T, C // H)), "swapped"),
    ("attention_shapes", lambda B, T, C, H: ((H, B, T, C // H), (B, H, T, T)), "the queries"),
    ("expected_initial_loss", lambda V: math.log2(V), "in bits"),
    ("expected_initial_loss", lambda V: 1 / V, "1/V is the probability"),
    ("expected_initial_loss", lambda V: -math.log(V), "the loss is positive"),
    ("expected_initial_loss", lambda V: math.log(V) / 2, "about the same probability"),
]


def test_chapter_06_registers_its_exercises():
    assert set(NAMES) <= set(ex.names())
    assert {name for name, _, _ in WRONG} == set(NAMES)


@pytest.mark.parametrize(("name", "answer", "hint"), WRONG)
def test_typical_mistakes_get_a_specific_hint(name, answer, hint, assert_specific_hint):
    assert_specific_hint(name, answer, hint)


def test_model_solutions_by_hand():
    # C = 128, 3 layers, V = 76, block 128: 3 * (12 * 128^2 + 13 * 128) + (76 + 128) * 128 + 256
    assert ch06.count_parameters(76, 128, 3, 128) == 621_184
    assert ch06.attention_shapes(32, 128, 128, 4) == ((32, 4, 128, 32), (32, 4, 128, 128))
    assert ch06.expected_initial_loss(76) == pytest.approx(4.3307, abs=1e-4)
