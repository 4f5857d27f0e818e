"""Tests of parts.activations: formulas against PyTorch, derivatives against autograd."""

from __future__ import annotations

import pytest
import torch

from lessons_lib.parts.activations import (
    ACTIVATIONS,
    TORCH_FUNCTIONS,
    TORCH_MODULES,
    activation_module,
    check_activation,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    tanh_grad,
)

NAMES = list(ACTIVATIONS)
X = torch.linspace(-8.0, 8.0, 1601, dtype=torch.float64)


def test_the_four_activations():
    assert NAMES == ["sigmoid", "tanh", "relu", "gelu"]
    assert set(TORCH_FUNCTIONS) == set(TORCH_MODULES) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_function_matches_pytorch(name):
    function, _ = ACTIVATIONS[name]
    torch.testing.assert_close(function(X), TORCH_FUNCTIONS[name](X), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(function(X), activation_module(name)(X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_autograd(name):
    function, derivative = ACTIVATIONS[name]
    x = X.clone().requires_grad_(True)
    TORCH_FUNCTIONS[name](x).sum().backward()
    torch.testing.assert_close(derivative(X), x.grad, rtol=1e-10, atol=1e-12)


def test_hand_values():
    x = torch.tensor([-2.0, 0.0, 3.0])
    assert relu(x).tolist() == [0.0, 0.0, 3.0]
    assert relu_grad(x).tolist() == [0.0, 0.0, 1.0]
    assert sigmoid(torch.tensor(0.0)).item() == 0.5
    assert sigmoid_grad(torch.tensor(0.0)).item() == 0.25  # the largest it ever gets
    assert tanh_grad(torch.tensor(0.0)).item() == 1.0


def test_sigmoid_does_not_overflow_for_large_inputs():
    x = torch.tensor([-1000.0, 1000.0])
    torch.testing.assert_close(sigmoid(x), torch.tensor([0.0, 1.0]))
    assert torch.isfinite(sigmoid_grad(x)).all()


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_saturating_activations_have_vanishing_derivatives(name):
    _, derivative = ACTIVATIONS[name]
    assert derivative(torch.tensor(10.0)).item() < 1e-3
    assert derivative(torch.tensor(-10.0)).item() < 1e-3


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown activation 'softplus'; choose one of: 'sigmoid'"):
        check_activation("softplus")
    with pytest.raises(ValueError, match="Unknown activation"):
        activation_module(None)
