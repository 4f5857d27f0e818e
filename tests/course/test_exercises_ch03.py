"""Tests of chapter 03's exercise checks: model answers pass, typical mistakes get their hint."""

from __future__ import annotations

import inspect

import pytest
import torch

from lessons_lib import exercises as ex
from lessons_lib.course.exercises import ch03

NAMES = ["forward_pass", "linear_backward", "relu_and_grad", "weight_shapes"]


@pytest.fixture(autouse=True)
def fresh_hint_ladders():
    """Every test starts each exercise's hint ladder on its first rung."""
    ch03.reset_hints()
    yield
    ch03.reset_hints()


def test_chapter_03_registers_its_exercises():
    assert set(NAMES) <= set(ex.names())


MISTAKES = [
    # weight_shapes
    (
        "weight_shapes",
        lambda sizes: [(b, a) for a, b in zip(sizes[:-1], sizes[1:], strict=True)],
        "that is nn.Linear's storage [output_dim, input_dim]; this course's convention",
    ),
    (
        "weight_shapes",
        lambda sizes: [(a, b) for a, b in zip(sizes, sizes[1:] + [1], strict=True)],
        "(one between each pair of neighbouring layers)",
    ),
    ("weight_shapes", lambda sizes: [(a, a) for a in sizes[:-1]], "expected [(2, 3)]"),
    # relu_and_grad
    ("relu_and_grad", lambda x: torch.relu(x), "return two tensors, (relu(x), gradient)"),
    ("relu_and_grad", lambda x: (torch.relu(x), torch.relu(x)), "your gradient is relu(x) itself"),
    (
        "relu_and_grad",
        lambda x: (torch.relu(x), (x >= 0).float()),
        "at x = 0 use gradient 0, as PyTorch does",
    ),
    ("relu_and_grad", lambda x: (x.abs(), (x > 0).float()), "negative inputs become 0"),
    (
        "relu_and_grad",
        lambda x: (torch.relu(x), torch.sign(x)),
        "slope 1 where x > 0, slope 0 where x <= 0",
    ),
    (
        "relu_and_grad",
        lambda x: (torch.relu(x).sum(), (x > 0).float()),
        "both tensors must have x's shape",
    ),
    # forward_pass
    (
        "forward_pass",
        lambda x, W1, b1, W2, b2: (x @ W1 + b1) @ W2 + b2,
        "you forgot the tanh on the hidden layer",
    ),
    ("forward_pass", lambda x, W1, b1, W2, b2: torch.tanh(x @ W1) @ W2, "you forgot the biases"),
    (
        "forward_pass",
        lambda x, W1, b1, W2, b2: torch.tanh(torch.tanh(x @ W1 + b1) @ W2 + b2),
        "the tanh belongs on the hidden layer only",
    ),
    (
        "forward_pass",
        lambda x, W1, b1, W2, b2: torch.relu(x @ W1 + b1) @ W2 + b2,
        "use tanh (the exercise's activation), not ReLU",
    ),
    (
        "forward_pass",
        lambda x, W1, b1, W2, b2: torch.tanh(x @ W1 + b1),
        "the output must be (5, 2), got (5, 4)",
    ),
    (
        "forward_pass",
        lambda x, W1, b1, W2, b2: torch.tanh(x @ W1 + b1) @ W2 + 2 * b2,
        "max difference from the expected outputs",
    ),
    # linear_backward
    (
        "linear_backward",
        lambda x, W, g: (g @ W.T, x.T @ g),
        "return three tensors: grad_x, grad_W, grad_b",
    ),
    (
        "linear_backward",
        lambda x, W, g: (g @ W.T, g.T @ x, g.sum(0)),
        "grad_W must have the shape of W, (3, 4), got (4, 3)",
    ),
    (
        "linear_backward",
        lambda x, W, g: (g @ W.T, x.T @ g, g.mean(0)),
        "grad_b is the sum of grad_out over the batch, not its mean",
    ),
    (
        "linear_backward",
        lambda x, W, g: (g @ W.T, x.T @ g / len(x), g.sum(0)),
        "grad_W differs from autograd's",
    ),
]


@pytest.mark.parametrize(("name", "answer", "hint"), MISTAKES)
def test_mistake_gets_its_hint(name, answer, hint, assert_specific_hint):
    assert_specific_hint(name, answer, hint)


def test_model_solutions_by_hand():
    assert ch03.weight_shapes([2, 16, 1]) == [(2, 16), (16, 1)]
    out, grad = ch03.relu_and_grad(torch.tensor([-1.0, 0.0, 2.0]))
    assert out.tolist() == [0.0, 0.0, 2.0] and grad.tolist() == [0.0, 0.0, 1.0]
    x, W1, b1 = torch.ones(1, 2), torch.ones(2, 3), torch.zeros(3)
    W2, b2 = torch.ones(3, 1), torch.tensor([0.5])
    expected = 3 * torch.tanh(torch.tensor(2.0)) + 0.5  # each hidden unit: tanh(1 + 1)
    torch.testing.assert_close(ch03.forward_pass(x, W1, b1, W2, b2), expected.reshape(1, 1))
    gx, gW, gb = ch03.linear_backward(
        torch.tensor([[1.0, 2.0]]), torch.eye(2), torch.tensor([[3.0, 4.0]])
    )
    assert gx.tolist() == [[3.0, 4.0]] and gW.tolist() == [[3.0, 4.0], [6.0, 8.0]]
    assert gb.tolist() == [3.0, 4.0]


# --- the hint ladder: a nudge first, then the idea, never the formula ----------------------

FORMULAS = {
    "forward_pass": ["tanh(x @ W1 + b1)", "@ W2 + b2", "hidden @ W2"],
    "linear_backward": ["grad_out @ W.T", "x.T @ grad_out", "W.T", "x.T", ".sum("],
}
LADDERS = [
    (
        "forward_pass",
        lambda x, W1, b1, W2, b2: torch.tanh(x @ W1 + b1) @ (2 * W2) + b2,  # no known slip
        ["max difference from the expected outputs", "print your hidden layer", "(5, 4)"],
        ["section 2's layer", "reads x and uses tanh", "no activation"],
    ),
    (
        "linear_backward",
        lambda x, W, g: (g @ W.T, x.T @ g / len(x), g.sum(0)),
        ["grad_W differs from autograd's", "grad_W is (in, out)", "the only size the two share"],
        ["chain rule", "slope x[n, i]", "one matrix product"],
    ),
]


@pytest.mark.parametrize(("name", "answer", "nudge", "idea"), LADDERS)
def test_fallback_hint_climbs_from_a_nudge_to_the_idea(name, answer, nudge, idea):
    messages = [ex.run_check(name, answer) for _ in range(4)]
    assert all(not passed for passed, _ in messages)
    first, second, third, fourth = (message for _, message in messages)
    assert "hint 1 of 2" in first and all(part in first for part in nudge), first
    assert not any(part in first for part in idea), first  # the idea waits for try two
    assert "hint 2 of 2" in second and all(part in second for part in idea), second
    assert third == second == fourth  # the top rung repeats
    for message in messages:
        assert message[1].endswith(f'(Hint: ex.solution("{name}") shows one answer.)')
        for formula in FORMULAS[name]:
            assert formula not in message[1], (formula, message[1])


@pytest.mark.parametrize("name", ["forward_pass", "linear_backward"])
def test_the_formula_stays_in_the_solution(name):
    source = inspect.getsource(ex.REGISTRY[name].solution)
    assert all(formula in source for formula in FORMULAS[name][:2])


def test_ladders_are_per_exercise_and_can_restart():
    wrong_forward = LADDERS[0][1]
    wrong_backward = LADDERS[1][1]
    assert "hint 1 of 2" in ex.run_check("forward_pass", wrong_forward)[1]
    assert "hint 1 of 2" in ex.run_check("linear_backward", wrong_backward)[1]  # its own count
    assert "hint 2 of 2" in ex.run_check("forward_pass", wrong_forward)[1]
    ch03.reset_hints("forward_pass")
    assert "hint 1 of 2" in ex.run_check("forward_pass", wrong_forward)[1]
    assert "hint 2 of 2" in ex.run_check("linear_backward", wrong_backward)[1]


def test_a_recognised_slip_does_not_climb_the_ladder():
    def forgot_tanh(x, W1, b1, W2, b2):
        return (x @ W1 + b1) @ W2 + b2

    assert "forgot the tanh" in ex.run_check("forward_pass", forgot_tanh)[1]
    assert "hint 1 of 2" in ex.run_check("forward_pass", LADDERS[0][1])[1]
