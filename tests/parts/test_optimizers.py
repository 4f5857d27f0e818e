"""The optimizers written out match torch.optim, step for step."""

import pytest
import torch
import torch.nn as nn

from lessons_lib.parts.optimizers import SGD, Adam, AdamW


def _net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 2))


def _trajectory(make_optimizer, steps: int = 20) -> list[torch.Tensor]:
    net = _net()
    optimizer = make_optimizer(net.parameters())
    x, y = torch.randn(32, 3, generator=torch.Generator().manual_seed(1)), torch.arange(32) % 2
    for _ in range(steps):
        loss = nn.functional.cross_entropy(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [p.detach().clone() for p in net.parameters()]


CASES = [
    (lambda p: SGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    (lambda p: SGD(p, lr=0.1, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    (
        lambda p: SGD(p, lr=0.05, momentum=0.8, weight_decay=0.1),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, weight_decay=0.1),
    ),
    (lambda p: Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    (
        lambda p: Adam(p, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1),
        lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1),
    ),
    (lambda p: AdamW(p, lr=0.01), lambda p: torch.optim.AdamW(p, lr=0.01)),
    (
        lambda p: AdamW(p, lr=0.02, weight_decay=0.5),
        lambda p: torch.optim.AdamW(p, lr=0.02, weight_decay=0.5),
    ),
]


@pytest.mark.parametrize(("ours", "theirs"), CASES)
def test_twenty_steps_match_torch_optim(ours, theirs):
    for a, b in zip(_trajectory(ours), _trajectory(theirs), strict=True):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-5)


def test_the_parameters_really_move():
    before = [p.detach().clone() for p in _net().parameters()]
    after = _trajectory(lambda p: Adam(p, lr=0.01))
    assert all((a - b).abs().max() > 1e-3 for a, b in zip(after, before, strict=True))


def test_one_sgd_step_by_hand():
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    (w**2).sum().backward()  # gradient 2w = (2, -4)
    SGD([w], lr=0.1).step()
    torch.testing.assert_close(w.detach(), torch.tensor([0.8, -1.6]))


def test_adams_first_step_moves_every_parameter_by_about_lr():
    w = torch.tensor([1000.0, 0.001], requires_grad=True)
    (w * torch.tensor([50.0, 0.02])).sum().backward()  # gradients of very different sizes
    Adam([w], lr=0.1).step()
    torch.testing.assert_close(w.detach(), torch.tensor([999.9, 0.001 - 0.1]), atol=1e-4, rtol=0)


def test_decoupled_decay_shrinks_weights_even_without_a_gradient_signal():
    w = torch.ones(3, requires_grad=True)
    (w * 0).sum().backward()  # gradient 0
    AdamW([w], lr=0.1, weight_decay=0.5).step()
    torch.testing.assert_close(w.detach(), torch.full((3,), 0.95))  # 1 - lr * wd


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="params is empty"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match=r"lr .* must be > 0, got 0"):
        Adam([torch.zeros(1, requires_grad=True)], lr=0)


def test_zero_grad_forgets_the_gradients():
    w = torch.ones(2, requires_grad=True)
    w.sum().backward()
    optimizer = SGD([w], lr=0.1)
    optimizer.zero_grad()
    assert w.grad is None
    optimizer.step()  # no gradient: nothing moves
    torch.testing.assert_close(w.detach(), torch.ones(2))


# --- bad input: a clear error that names the argument ------------------------------------------


def _params() -> list[torch.Tensor]:
    return [torch.zeros(2, requires_grad=True)]


@pytest.mark.parametrize("make", [SGD, Adam, AdamW])
def test_a_learning_rate_in_quotes_is_a_type_error(make):
    with pytest.raises(TypeError, match=r"lr .* must be a number, got '0.1' \(a str\)"):
        make(_params(), lr="0.1")


@pytest.mark.parametrize(
    ("options", "match"),
    [
        (dict(betas=(1.5, 0.9)), r"betas\[0\] .* must be < 1, got 1.5"),
        (dict(betas=(0.9, -0.1)), r"betas\[1\] .* must be >= 0, got -0.1"),
        (dict(eps=0), r"eps .* must be > 0, got 0"),
        (dict(weight_decay=-1), r"weight_decay .* must be >= 0, got -1"),
        (dict(lr=-0.1), r"lr .* must be > 0, got -0.1"),
    ],
)
def test_adam_refuses_what_torch_refuses(options, match):
    with pytest.raises(ValueError, match=match):
        Adam(_params(), **options)
    with pytest.raises(ValueError, match=match):
        AdamW(_params(), **options)


def test_betas_must_be_a_pair():
    with pytest.raises(TypeError, match=r"betas must be a pair of numbers such as \(0.9, 0.999\)"):
        Adam(_params(), betas=0.9)


def test_sgd_refuses_negative_momentum_and_decay():
    with pytest.raises(ValueError, match=r"momentum .* must be >= 0, got -0.5"):
        SGD(_params(), lr=0.1, momentum=-0.5)
    with pytest.raises(ValueError, match=r"weight_decay .* must be >= 0, got -1"):
        SGD(_params(), lr=0.1, weight_decay=-1)


def test_params_must_be_the_tensors_not_the_model():
    with pytest.raises(TypeError, match=r"params .* got a Linear: pass model.parameters\(\)"):
        Adam(nn.Linear(2, 2))
    with pytest.raises(TypeError, match=r"params .* got a Tensor: pass \[w\]"):
        SGD(torch.zeros(3, requires_grad=True), lr=0.1)
    with pytest.raises(TypeError, match="params must hold tensors only, got a float"):
        SGD([1.0, 2.0], lr=0.1)
