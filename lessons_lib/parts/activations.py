"""Activation functions and their derivatives, written from scratch (chapter 03).

A layer without an activation is a matrix product, and a stack of matrix products is just one
matrix product. The activation bends each hidden value, and that bend is what lets a network
fit curves. Each function here comes with its derivative, written out by hand, because the
derivative is what backpropagation multiplies by (see chapter 03's section on vanishing
gradients). The tests check every formula against PyTorch's built-in and against autograd.

>>> x = torch.tensor([-2.0, 0.0, 3.0])
>>> relu(x), relu_grad(x)
(tensor([0., 0., 3.]), tensor([0., 0., 1.]))
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F

from .._checks import one_of, tensor


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """σ(x) = 1 / (1 + e^(-x)): squashes any number into (0, 1).

    Computed in two halves that never overflow: 1 / (1 + e^(-x)) for x >= 0 and
    e^x / (1 + e^x) for x < 0. Each half reads x with the other side replaced by 0, so even the
    half that ``torch.where`` throws away stays finite; an inf there would still turn autograd's
    gradient into nan (0 · inf). The halves are cut with ``torch.where``, whose gradient is
    defined by the mask alone: at x = 0 the x >= 0 half gets the whole slope, 0.25. Neither
    ``|x|`` nor ``clamp`` would do: what autograd takes as their slope exactly at the boundary
    is a convention (|x|: 0; ``clamp``: 1 up to torch 2.13, 0 from 2.14), and with slope 0
    there the sigmoid's slope at 0 comes out 0.
    """
    tensor(x, "x")  # a list or a float: torch.tensor([1.0]) or torch.tensor(1.0)
    zero = torch.zeros_like(x)
    positive = torch.exp(-torch.where(x >= 0, x, zero))  # e^(-x) for x >= 0, in (0, 1]
    negative = torch.exp(torch.where(x < 0, x, zero))  # e^x for x < 0, in (0, 1]
    return torch.where(x >= 0, 1.0 / (1.0 + positive), negative / (1.0 + negative))


def sigmoid_grad(x: torch.Tensor) -> torch.Tensor:
    """σ'(x) = σ(x)(1 - σ(x)): at most 0.25 (at x = 0), near 0 for large |x|."""
    tensor(x, "x")
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x: torch.Tensor) -> torch.Tensor:
    """tanh(x) = (e^x - e^(-x)) / (e^x + e^(-x)) = 2σ(2x) - 1: squashes into (-1, 1).

    Built on :func:`sigmoid`, so it never overflows and autograd's slope is right everywhere
    (1 at x = 0).
    """
    tensor(x, "x")
    return 2.0 * sigmoid(2.0 * x) - 1.0


def tanh_grad(x: torch.Tensor) -> torch.Tensor:
    """tanh'(x) = 1 - tanh(x)²: 1 at x = 0, near 0 for large |x|."""
    tensor(x, "x")
    return 1.0 - tanh(x) ** 2


def relu(x: torch.Tensor) -> torch.Tensor:
    """ReLU(x) = max(0, x): negative inputs become 0, positive ones pass unchanged."""
    tensor(x, "x")
    return torch.where(x > 0, x, torch.zeros_like(x))


def relu_grad(x: torch.Tensor) -> torch.Tensor:
    """ReLU'(x) = 1 for x > 0, else 0 (at x = 0 we use 0, as PyTorch does)."""
    tensor(x, "x")
    return (x > 0).to(x.dtype)


def gelu(x: torch.Tensor) -> torch.Tensor:
    """GELU(x) = x Φ(x), with Φ the standard normal CDF: a smooth ReLU (used in GPT-2)."""
    tensor(x, "x")
    return x * normal_cdf(x)


def gelu_grad(x: torch.Tensor) -> torch.Tensor:
    """GELU'(x) = Φ(x) + x φ(x), with φ the standard normal density."""
    tensor(x, "x")
    return normal_cdf(x) + x * torch.exp(-0.5 * x**2) / math.sqrt(2.0 * math.pi)


def normal_cdf(x: torch.Tensor) -> torch.Tensor:
    """Φ(x) = P(Z <= x) for a standard normal Z, through the error function."""
    tensor(x, "x")
    return 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))


ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "gelu": (gelu, gelu_grad),
}
"""Each activation's name → (function, derivative), both from scratch."""

TORCH_MODULES: dict[str, type[nn.Module]] = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "gelu": nn.GELU,
}
"""The same activations as PyTorch layers: what the course's networks use."""

TORCH_FUNCTIONS: dict[str, Callable] = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "gelu": F.gelu,
}
"""The same activations as PyTorch functions: the references the tests compare with."""


def check_activation(name: object) -> str:
    """Return ``name`` if it names an activation, else raise an error that lists them."""
    return one_of(name, ACTIVATIONS, "activation")


def activation_module(name: str) -> nn.Module:
    """A PyTorch layer for the activation ``name`` (``"relu"`` → ``nn.ReLU()``)."""
    return TORCH_MODULES[check_activation(name)]()
