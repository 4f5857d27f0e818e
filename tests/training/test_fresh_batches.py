"""The fresh-batch loop learns, schedules its learning rate, and stops cleanly on Ctrl-C."""

import pytest
import torch
import torch.nn as nn

from lessons_lib.training.fresh_batches import train_on_fresh_batches


def regression(model: nn.Module):
    """A loss on a new batch of y = 3x every step, seeded by the step."""

    def step_loss(step: int) -> torch.Tensor:
        x = torch.randn(16, 1, generator=torch.Generator().manual_seed(step))
        return ((model(x) - 3 * x) ** 2).mean()

    return step_loss


def test_it_learns_from_a_new_batch_each_step_and_ends_in_eval_mode():
    model = nn.Linear(1, 1)
    losses = train_on_fresh_batches(model, regression(model), steps=200, lr=0.1)
    assert len(losses) == 200
    assert losses[-1] < 0.01 * losses[0]
    assert model.weight.item() == pytest.approx(3.0, abs=0.05)
    assert not model.training


def test_the_same_seed_gives_the_same_run():
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(1, 8), nn.Dropout(0.5), nn.Linear(8, 1))
        runs.append(train_on_fresh_batches(model, regression(model), steps=5, lr=0.01, seed=3))
    assert runs[0] == runs[1]  # dropout draws from the seeded generator


def test_ctrl_c_keeps_what_was_learned(capsys):
    model = nn.Linear(1, 1)
    inner = regression(model)

    def interrupted(step: int) -> torch.Tensor:
        if step == 3:
            raise KeyboardInterrupt
        return inner(step)

    losses = train_on_fresh_batches(model, interrupted, steps=10, lr=0.1)
    assert len(losses) == 3 and not model.training
    assert "Stopped after 3 steps" in capsys.readouterr().out


def test_steps_must_be_positive():
    model = nn.Linear(1, 1)
    with pytest.raises(ValueError, match="steps"):
        train_on_fresh_batches(model, regression(model), steps=0, lr=0.1)


def test_bad_arguments_are_named():
    model = nn.Linear(1, 1)
    with pytest.raises(TypeError, match=r"lr .* must be a number, got '0.1' \(a str\)"):
        train_on_fresh_batches(model, regression(model), steps=2, lr="0.1")
    with pytest.raises(TypeError, match="step_loss must be a function of the step"):
        train_on_fresh_batches(model, 0.5, steps=2, lr=0.1)
    with pytest.raises(TypeError, match="model must be a model"):
        train_on_fresh_batches("model", regression(model), steps=2, lr=0.1)
