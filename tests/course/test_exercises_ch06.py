"""Tests of chapter 06's exercise checkers: model answers pass, typical mistakes get hints."""

from __future__ import annotations

import math

import pytest

from lessons_lib import exercises as ex
from lessons_lib.course.exercises import ch06

NAMES = ["attention_shapes", "count_parameters", "repeat_loss"]


def _count_plus(extra):
    """The right count, changed by ``extra(V, T, n_layer, C)``."""

    def answer(V, T, n_layer, C):
        return ch06.count_parameters(V, T, n_layer, C) + extra(V, T, n_layer, C)

    return answer


WRONG = [
    ("count_parameters", _count_plus(lambda V, T, n, C: V * C), "weight tying"),
    ("count_parameters", _count_plus(lambda V, T, n, C: V), "the head has no bias"),
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
    ("repeat_loss", lambda z, V: z, "for a large z only"),
    ("repeat_loss", lambda z, V: math.log(math.exp(z) + V), "how many have logit 0"),
    ("repeat_loss", lambda z, V: 1.0, "uniform guess"),
    ("repeat_loss", lambda z, V: -math.log(math.exp(z) + V - 1), "positive here"),
    ("repeat_loss", lambda z, V: math.log(V) + z / V, "write softmax's probability"),
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
    assert ch06.repeat_loss(0.0, 76) == pytest.approx(math.log(76))
    assert ch06.repeat_loss(25.0, 76) == pytest.approx(25.0, abs=1e-8)  # ln(e^25 + 75)
    assert ch06.repeat_loss(1.0, 2) == pytest.approx(math.log(math.e + 1))


def test_the_repeat_loss_predicts_a_loud_gpt():
    z, measured = ch06._loud_gpt_loss()
    assert z > 10  # the scaled table makes the logit of the character read large
    assert ch06.repeat_loss(z, 76) == pytest.approx(measured, rel=0.1)
