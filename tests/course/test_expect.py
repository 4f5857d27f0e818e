"""Tests of course.expect: outcome claims fail the tests but only warn a live learner."""

from __future__ import annotations

import pytest

import lessons_lib as L
from lessons_lib.course.expect import ExpectationFailed, expect
from lessons_lib.course.session import HEADLESS_VARIABLE


def test_a_kept_promise_is_true_and_quiet(capsys):
    assert expect(1 < 2, "one is less than two") is None
    assert capsys.readouterr().out == ""


def test_a_missed_outcome_fails_the_tests(monkeypatch):
    monkeypatch.setenv(HEADLESS_VARIABLE, "1")
    with pytest.raises(ExpectationFailed, match="loss below 1.85"):
        expect(False, "loss below 1.85")
    assert issubclass(ExpectationFailed, AssertionError)  # nbval reports it like an assert


def test_a_missed_outcome_only_warns_a_live_learner(monkeypatch, capsys):
    monkeypatch.setenv(HEADLESS_VARIABLE, "0")
    assert expect(False, "loss below 1.85 (did training stop early?)") is None  # goes on
    out = capsys.readouterr().out
    assert out.startswith("⚠ not as expected: loss below 1.85 (did training stop early?)")


def test_a_message_is_required():
    with pytest.raises(TypeError, match="needs a message"):
        expect(True, "")


def test_it_is_part_of_the_public_api():
    assert L.expect is expect
