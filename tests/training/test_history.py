"""Tests of training.history: what a run measured, one entry per evaluation."""

from __future__ import annotations

from lessons_lib import History


def test_a_new_history_is_empty_and_not_interrupted():
    history = History()
    assert len(history) == 0
    assert history.steps == history.train_loss == history.val_loss == history.seconds == []
    assert history.interrupted is False


def test_histories_do_not_share_their_lists():
    a, b = History(), History()
    a.steps.append(0)
    assert b.steps == []


def test_len_counts_the_evaluations():
    history = History(
        steps=[0, 10, 20],
        train_loss=[1.6, 1.2, 1.0],
        val_loss=[1.6, 1.3, 1.1],
        seconds=[0.0, 0.1, 0.2],
    )
    assert len(history) == 3
