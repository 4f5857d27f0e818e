"""Tests of chapter 09's exercise checkers: model answers pass, typical mistakes get hints."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lessons_lib import exercises as ex
from lessons_lib.course.exercises import ch09
from lessons_lib.measures.compute import tokens_seen
from lessons_lib.measures.compute import training_flops as library_flops
from lessons_lib.tools.overfitting import best_step

NAMES = ["early_stopping", "training_flops", "weat_effect_size"]


def with_dot_products(X, Y, A, B):
    s_x, s_y = ((W @ A.T).mean(1) - (W @ B.T).mean(1) for W in (X, Y))
    return ((s_x.mean() - s_y.mean()) / torch.cat([s_x, s_y]).std()).item()


def with_population_std(X, Y, A, B):
    X, Y, A, B = (torch.nn.functional.normalize(m, dim=1) for m in (X, Y, A, B))
    s_x, s_y = ((W @ A.T).mean(1) - (W @ B.T).mean(1) for W in (X, Y))
    return ((s_x.mean() - s_y.mean()) / torch.cat([s_x, s_y]).std(correction=0)).item()


WRONG = [
    ("weat_effect_size", with_dot_products, "cosines, not dot products"),
    ("weat_effect_size", with_population_std, "ddof = 1"),
    ("weat_effect_size", lambda X, Y, A, B: -ch09.weat_effect_size(X, Y, A, B), "The sign"),
    ("training_flops", lambda n, s, b, t: 2.0 * n * s * b * t, "forward pass only"),
    ("training_flops", lambda n, s, b, t: 6.0 * n * s * b, "D = steps·batch·block"),
    ("early_stopping", lambda s, t, v: (s[int(np.argmin(t))], v[-1] - t[-1]), "*validation*"),
    ("early_stopping", lambda s, t, v: (int(np.argmin(v)), 0.45), "not the index"),
    ("early_stopping", lambda s, t, v: (300, t[3] - v[3]), "validation minus train"),
]


def test_chapter_09_registers_its_exercises():
    assert set(NAMES) <= set(ex.names())
    assert {name for name, _, _ in WRONG} == set(NAMES)


# The model solutions passing and a forgotten `return` are tested for every chapter at once in
# test_exercises.py; here, each typical mistake gets its own hint.
@pytest.mark.parametrize(("name", "answer", "hint"), WRONG)
def test_a_typical_mistake_fails_with_a_hint(name, answer, hint, assert_specific_hint):
    assert_specific_hint(name, answer, hint)


def test_the_solutions_agree_with_the_library_and_by_hand():
    # d by hand on the exercise's vectors: cosines written out, then mean, difference, std
    def cos(u, v):
        return float(np.dot(u, v) / np.linalg.norm(u) / np.linalg.norm(v))

    def s(w):
        return np.mean([cos(w, a) for a in ch09._A]) - np.mean([cos(w, b) for b in ch09._B])

    scores = [s(w) for w in ch09._X + ch09._Y]
    by_hand = (np.mean(scores[:2]) - np.mean(scores[2:])) / np.std(scores, ddof=1)
    tensors = [torch.tensor(m) for m in (ch09._X, ch09._Y, ch09._A, ch09._B)]
    assert ch09.weat_effect_size(*tensors) == pytest.approx(by_hand)
    assert library_flops(113_152, tokens_seen(800, 32, 128)) == ch09.training_flops(
        113_152, 800, 32, 128
    )
    run = {"steps": [0, 50, 100], "train_loss": [3, 2, 1], "val_loss": [3, 2.5, 2.7]}
    step, gap = ch09.early_stopping(run["steps"], run["train_loss"], run["val_loss"])
    assert (step, gap) == (best_step(run)["step"], best_step(run)["gap"]) == (50, 0.5)
