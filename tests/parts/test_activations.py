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
    tanh,
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


def _autograd_slope(function, x: torch.Tensor) -> torch.Tensor:
    """Autograd's derivative of ``function`` itself (not of PyTorch's version) at each x."""
    x = x.clone().requires_grad_(True)
    (slope,) = torch.autograd.grad(function(x).sum(), x)
    return slope


@pytest.mark.parametrize(("function", "slope_at_0"), [(sigmoid, 0.25), (tanh, 1.0)])
def test_autograd_slope_of_the_library_function_is_right_at_0(function, slope_at_0):
    # built on exp(-|x|) (any torch) or on x.clamp(min=0) (torch 2.14), autograd took the slope
    # of |x| or of clamp at the boundary as 0, and the sigmoid's slope at 0 came out 0
    x = torch.tensor([0.0, -0.0], dtype=torch.float64)
    assert _autograd_slope(function, x).tolist() == [slope_at_0, slope_at_0]
    assert _autograd_slope(function, torch.tensor(0.0)).item() == slope_at_0  # float32 too


@pytest.mark.parametrize(("function", "limits"), [(sigmoid, [0.0, 1.0]), (tanh, [-1.0, 1.0])])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_library_function_and_its_autograd_slope_are_finite_far_out(function, limits, dtype):
    x = torch.tensor([-1000.0, 1000.0], dtype=dtype)  # e^1000 overflows to inf in both dtypes
    assert function(x).tolist() == limits
    assert _autograd_slope(function, x).tolist() == [0.0, 0.0]  # no nan from the dropped half
    far = torch.tensor([-1e30, -100.0, -20.0, 20.0, 100.0, 1e30], dtype=dtype)
    slopes = _autograd_slope(function, far)
    assert torch.isfinite(function(far)).all() and torch.isfinite(slopes).all()
    assert (slopes >= 0).all() and (slopes < 1e-7).all()


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_autograd_slope_of_the_library_function_matches_pytorch(name):
    function, derivative = ACTIVATIONS[name]
    grid = torch.cat([X, torch.tensor([0.0, 1e-300, -1e-300, 30.0, -30.0], dtype=X.dtype)])
    ours, reference = _autograd_slope(function, grid), _autograd_slope(TORCH_FUNCTIONS[name], grid)
    torch.testing.assert_close(ours, reference, rtol=1e-10, atol=1e-15)
    torch.testing.assert_close(ours, derivative(grid), rtol=1e-10, atol=1e-15)


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


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_a_list_is_refused_with_a_hint_to_use_a_tensor(name):
    for function in ACTIVATIONS[name]:  # the activation and its derivative
        with pytest.raises(TypeError, match=r"x must be a torch.Tensor, got list.*torch.tensor"):
            function([1.0])
