"""Tests of chapter 09's exercise checkers: model answers pass, typical mistakes get hints."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lessons_lib import exercises as ex
from lessons_lib.course.exercises import ch09
from lessons_lib.measures.power_law import fit_power_law, fit_power_law_with_floor
from lessons_lib.tools.overfitting import best_step

NAMES = [
    "early_stopping",
    "fit_with_floor",
    "forward_flops",
    "membership_scores",
    "remove_direction",
]


def direction_not_unit(vectors, direction):
    flat = vectors - (vectors @ direction)[:, None] * direction
    return torch.nn.functional.normalize(flat, dim=1)


def rows_not_rescaled(vectors, direction):
    u = direction / direction.norm()
    return vectors - (vectors @ u)[:, None] * u


def tie_is_improvement(steps, val_loss, patience):
    best, waited = 0, 0
    for i in range(1, len(val_loss)):
        if val_loss[i] <= val_loss[best]:  # the mistake: a tie resets the wait
            best, waited = i, 0
        else:
            waited += 1
            if waited == patience:
                return steps[i], steps[best]
    return steps[-1], steps[best]


def sees_the_future(steps, val_loss, patience):
    stop, _ = ch09.early_stopping(steps, val_loss, patience)
    return stop, steps[int(np.argmin(val_loss))]


def one_too_early(steps, val_loss, patience):
    return ch09.early_stopping(steps, val_loss, patience - 1) if patience > 1 else (0, 0)


def one_too_late(steps, val_loss, patience):
    return ch09.early_stopping(steps, val_loss, patience + 1)


def no_reset(steps, val_loss, patience):
    return ch09._stopping_slip(steps, val_loss, patience, "reset")


def against_previous(steps, val_loss, patience):
    return ch09._stopping_slip(steps, val_loss, patience, "previous")


def floor_by_log_miss(x, y):
    """The floor chosen by the miss of log y, not of y."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    best = None
    for floor in np.linspace(0, y.min(), 200, endpoint=False):
        law = fit_power_law(x, y - floor)
        miss = ((np.log(y - floor) - np.log(law(x))) ** 2).sum()
        if best is None or miss < best[0]:
            best = (miss, float(floor), law.prefactor, law.exponent)
    return best[1:]


def _flops_without(part):
    """forward_flops with one part left out (or counted wrongly)."""

    def wrong(config, T):
        C, L, V = config.n_embd, config.n_layer, config.vocab_size
        weights, attention, head = 2 * T * L * 12 * C * C, 4 * L * T * T * C, 2 * T * C * V
        return {"attention": weights + head, "causal half": weights + attention // 2 + head,
                "head": weights + attention, "training": 3 * (weights + attention + head),
                "multiply-adds": (weights + attention + head) // 2}[part]  # fmt: skip

    return wrong


def no_floor(x, y):
    law = fit_power_law(x, y)
    return 0.0, law.prefactor, law.exponent


WRONG = [
    ("remove_direction", direction_not_unit, "unit length first"),
    ("remove_direction", rows_not_rescaled, "back to length 1"),
    ("remove_direction", lambda v, d: v[:, :2], "expected shape (3, 3)"),
    ("fit_with_floor", no_floor, "E = 0 is the pure power law"),
    ("fit_with_floor", lambda x, y: (1.5, 4.0, -0.5), "minus the slope"),
    ("fit_with_floor", lambda x, y: (1.5, 4.0), "three numbers"),
    ("membership_scores", lambda m, t, p: ch09.membership_scores(m, t, p) * 32, "not sum"),
    ("membership_scores", lambda m, t, p: -ch09.membership_scores(m, t, p), "minus the log"),
    ("membership_scores", lambda m, t, p: ch09.membership_scores(m, t, p)[:2], "one score per"),
    ("early_stopping", sees_the_future, "cannot see the future"),
    ("early_stopping", tie_is_improvement, "A tie is no improvement"),
    ("early_stopping", one_too_early, "not one earlier"),
    ("early_stopping", one_too_late, "One evaluation too late"),
    ("early_stopping", no_reset, "Reset the count to 0"),
    ("early_stopping", against_previous, "with the lowest so far"),
    ("fit_with_floor", floor_by_log_miss, "in units of the loss"),
    ("forward_flops", _flops_without("attention"), "Add attention's own two products"),
    ("forward_flops", _flops_without("causal half"), "no halving for the causal mask"),
    ("forward_flops", _flops_without("head"), "Add the head"),
    ("forward_flops", _flops_without("training"), "Forward only"),
    ("forward_flops", _flops_without("multiply-adds"), "A multiply-add is 2 FLOPs"),
]


def test_chapter_09_registers_its_exercises():
    assert set(NAMES) <= set(ex.names())
    assert {name for name, _, _ in WRONG} == set(NAMES)


# The model solutions passing and a forgotten `return` are tested for every chapter at once in
# test_exercises.py; here, each typical mistake gets its own hint.
@pytest.mark.parametrize(("name", "answer", "hint"), WRONG)
def test_a_typical_mistake_fails_with_a_hint(name, answer, hint, assert_specific_hint):
    assert_specific_hint(name, answer, hint)


def test_early_stopping_by_hand():
    steps = [0, 50, 100, 150, 200, 250]
    assert ch09.early_stopping(steps, [3, 2.25, 2.5, 2.25, 2.6, 2.7], 2) == (150, 50)  # a tie
    assert ch09.early_stopping(steps, [3, 2.5, 2.4, 2.3, 2.2, 2.1], 2) == (250, 250)  # never
    lowest = [3, 2.5, 2.6, 2.7, 2.0, 2.1]  # the lowest comes after the stop
    assert ch09.early_stopping(steps, lowest, 2) == (150, 50)
    assert best_step({"steps": steps, "val_loss": lowest, "train_loss": [0] * 6})["step"] == 200


def test_removing_a_direction_leaves_unit_rows_orthogonal_to_it():
    rng = np.random.default_rng(0)
    vectors, direction = torch.tensor(rng.normal(size=(5, 8))), torch.tensor(rng.normal(size=8))
    out = ch09.remove_direction(vectors, direction)
    torch.testing.assert_close(out @ direction, torch.zeros(5, dtype=torch.float64))
    torch.testing.assert_close(out.norm(dim=1), torch.ones(5, dtype=torch.float64))
    # what is left is the original row's part orthogonal to the direction, only rescaled
    u = direction / direction.norm()
    rest = vectors - (vectors @ u)[:, None] * u  # (5, 8)
    torch.testing.assert_close(out * rest.norm(dim=1, keepdim=True), rest)


def test_the_floor_solution_agrees_with_the_library_on_noisy_points():
    x = np.logspace(3, 6, 8)
    y = 1.2 + 3.0 * x**-0.4 * np.exp(np.random.default_rng(0).normal(0, 0.003, x.size))
    floor, prefactor, exponent = ch09.fit_with_floor(x, y)
    reference = fit_power_law_with_floor(x, y)
    assert floor == pytest.approx(reference.floor, abs=0.02)
    assert exponent == pytest.approx(reference.exponent, abs=0.03)
    assert prefactor > 0


def test_membership_scores_agree_with_the_library_on_a_tiny_gpt():
    from lessons_lib import GPT, CharTokenizer, GPTConfig, passage_losses

    chars = CharTokenizer("abcdef ")
    gpt = GPT(GPTConfig(vocab_size=chars.vocab_size, block_size=8, n_layer=1, n_head=2, n_embd=8))
    passages = ["abc def a", "fed cba b", "aaaaaaaaa"]
    torch.testing.assert_close(ch09.membership_scores(gpt.eval(), chars, passages),
                               passage_losses(gpt, chars, passages))  # fmt: skip


def test_early_stopping_is_run_on_the_shipped_overfitting_runs():
    passed, message = ex.run_check("early_stopping", ex.REGISTRY["early_stopping"].solution)
    assert passed and "six runs" in message
    assert "baseline (50k characters): stops at 750 (38% of the steps saved), keeps 600" in message
