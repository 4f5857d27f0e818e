"""Toy data sets for chapter 03: a noisy 1-D curve and two interleaved half-moons.

Everything is seeded, so the same call gives the same points.

>>> x, y = two_moons(100, seed=0)
>>> tuple(x.shape), tuple(y.shape), sorted(set(y.tolist()))
((100, 2), (100,), [0, 1])
"""

from __future__ import annotations

import math

import torch

from .._checks import number, positive_int, tensor
from .._checks import seed as check_seed


def target_curve(x: torch.Tensor) -> torch.Tensor:
    """The 1-D function the curve-fitting demo learns: a wave with a kink at 0."""
    tensor(x, "x")
    return torch.sin(2.0 * x) + 0.5 * x.abs()


def curve_data(n: int = 200, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` points x in [-3, 3] (shape (n, 1)) and noisy ``target_curve(x)`` (shape (n, 1))."""
    positive_int(n, "n")
    g = torch.Generator().manual_seed(seed)
    x = torch.linspace(-3.0, 3.0, n)[:, None]  # (n, 1)
    return x, target_curve(x) + 0.1 * torch.randn(n, 1, generator=g)


def two_moons(
    n: int = 200, noise: float = 0.15, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaved half-circles: points x (n, 2) and their class y (n,) of 0s and 1s.

    No straight line separates the classes, so a single neuron cannot, and a hidden layer can.
    """
    positive_int(n, "n (two classes: at least 2 points)", minimum=2)
    number(noise, "noise (the spread of the points)", minimum=0)
    g = torch.Generator().manual_seed(check_seed(seed))
    y = torch.arange(n) % 2  # (n,) alternating classes
    angle = torch.rand(n, generator=g) * math.pi  # (n,) along each half-circle
    upper = torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)  # (n, 2)
    lower = torch.stack([1.0 - torch.cos(angle), 0.5 - torch.sin(angle)], dim=1)  # (n, 2)
    x = torch.where(y[:, None] == 0, upper, lower)
    x = x + noise * torch.randn(n, 2, generator=g)
    return x - torch.tensor([0.5, 0.25]), y  # centred on (0, 0)
