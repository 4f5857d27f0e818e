"""Tests of training.schedule: the learning rate, constant or warm-up then cosine."""

from __future__ import annotations

import pytest

from lessons_lib.training.schedule import learning_rate


def test_constant_schedule():
    assert all(learning_rate(s, 100, 0.1, "constant", 0) == 0.1 for s in range(0, 100, 7))


def test_linear_warmup():
    lrs = [learning_rate(s, 100, 1.0, "constant", 4) for s in range(6)]
    assert lrs == pytest.approx([0.25, 0.5, 0.75, 1.0, 1.0, 1.0])
    cosine = [learning_rate(s, 100, 1.0, "cosine", 4) for s in range(4)]
    assert cosine == pytest.approx([0.25, 0.5, 0.75, 1.0])  # the same warm-up before a cosine


def test_cosine_schedule_decays_from_lr_to_a_tenth():
    lrs = [learning_rate(s, 50, 1.0, "cosine", 10) for s in range(10, 51)]
    assert lrs[0] == pytest.approx(1.0)
    assert lrs[-1] == pytest.approx(0.1)
    assert learning_rate(30, 50, 1.0, "cosine", 10) == pytest.approx(0.55)  # halfway
    assert all(a >= b for a, b in zip(lrs, lrs[1:], strict=False))
    assert lrs[0] > lrs[-1]
    assert learning_rate(500, 50, 1.0, "cosine", 10) == pytest.approx(0.1)  # stays at the floor


def test_cosine_follows_the_given_progress_instead_of_the_steps():
    # a time budget: steps=None, progress = the share of the budget used so far
    assert learning_rate(7, None, 2.0, "cosine", 0, progress=0.0) == pytest.approx(2.0)
    assert learning_rate(7, None, 2.0, "cosine", 0, progress=0.5) == pytest.approx(1.1)
    assert learning_rate(7, None, 2.0, "cosine", 0, progress=1.0) == pytest.approx(0.2)
    assert learning_rate(7, None, 2.0, "cosine", 0, progress=3.0) == pytest.approx(0.2)
    # progress overrides the step count when both are known
    assert learning_rate(40, 50, 1.0, "cosine", 0, progress=0.5) == pytest.approx(0.55)
    assert learning_rate(1, None, 1.0, "cosine", 4, progress=0.9) == 0.5  # still warming up
    assert learning_rate(9, None, 0.3, "constant", 0, progress=0.9) == 0.3


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((0, 100, 1e-3, "cosin", 0), ValueError, "Unknown schedule 'cosin'; choose one of"),
        ((0, 100, 1e-3, "cosine", -5), ValueError, r"warmup .* must be an int >= 0, got -5"),
        ((0, None, 1e-3, "cosine", 0), ValueError, "steps=None: the cosine schedule needs"),
        ((0, 100, "1e-3", "cosine", 0), TypeError, r"lr .* must be a number, got '1e-3'"),
        ((0, 100.0, 1e-3, "cosine", 0), ValueError, "steps must be a positive int, got 100.0"),
        ((-1, 100, 1e-3, "constant", 0), ValueError, "step must be an int >= 0, got -1"),
    ],
)
def test_bad_settings_are_refused(args, error, match):
    with pytest.raises(error, match=match):
        learning_rate(*args)


def test_negative_progress_is_refused():
    with pytest.raises(ValueError, match=r"progress .* must be >= 0, got -0.5"):
        learning_rate(3, None, 1.0, "cosine", 0, progress=-0.5)
