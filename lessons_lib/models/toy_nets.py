"""Small networks on toy problems, trained in a blink (chapter 03).

Chapter 03 watches feed-forward networks learn before it builds a language model: a curve
fitted by one hidden layer, two interleaved half-moons separated by a decision boundary, and
the gradients of a deep stack shrinking layer by layer. Everything here is seeded, so the
same call gives the same network and the same picture. The data sets are in
:mod:`lessons_lib.data.toy_data`.

>>> net = make_mlp([2, 8, 2])
>>> net(torch.zeros(5, 2)).shape
torch.Size([5, 2])
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from .._checks import is_int, number, one_of, positive_int, same_length, tensor
from ..parts.activations import activation_module, check_activation


def make_mlp(sizes: Sequence[int], activation: str = "tanh") -> nn.Sequential:
    """A multi-layer perceptron: Linear, activation, Linear, activation, ..., Linear.

    ``sizes`` lists the width of every layer, input first and output last:
    ``make_mlp([2, 16, 1])`` has 2 inputs, one hidden layer of 16 neurons, and 1 output.
    """
    sizes = list(sizes)
    if len(sizes) < 2 or any(not is_int(s) or s < 1 for s in sizes):
        raise ValueError(
            f"sizes must list at least two positive ints (input and output widths), got {sizes}."
        )
    check_activation(activation)
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:  # no activation after the output layer
            layers.append(activation_module(activation))
    return nn.Sequential(*layers)


def fit_curve(
    x: torch.Tensor,
    y: torch.Tensor,
    hidden_units: int = 16,
    activation: str = "tanh",
    steps: int = 500,
    lr: float = 0.03,
    seed: int = 0,
) -> tuple[nn.Sequential, list[float]]:
    """Fit a one-hidden-layer net to (x, y) with full-batch Adam on the MSE loss.

    Returns the net and its loss after every step.
    """
    positive_int(hidden_units, "hidden_units")
    if tensor(x, "x").dim() != 2 or x.shape[1] != 1 or tensor(y, "y").shape != x.shape:
        raise ValueError(
            f"x and y must both have shape (n, 1), got {tuple(x.shape)} and {tuple(y.shape)}: "
            "use x[:, None] for a 1-D tensor."
        )
    torch.manual_seed(seed)
    net = make_mlp([1, hidden_units, 1], activation)
    return net, _fit(net, x, y, F.mse_loss, steps, lr)


# --- a 2-D classification problem -------------------------------------------------------------


def train_classifier(
    x: torch.Tensor,
    y: torch.Tensor,
    hidden_units: int = 8,
    activation: str = "tanh",
    steps: int = 400,
    lr: float = 0.03,
    seed: int = 0,
    snapshot_steps: Sequence[int] = (),
) -> tuple[nn.Sequential, dict[int, nn.Sequential]]:
    """Train a [2, hidden_units, 2] MLP on points x (n, 2) with classes y (n,) (cross-entropy).

    Returns the trained net and a copy of the net at each step in ``snapshot_steps`` (0 = before
    training), so a plot can show how its decision boundary grows.
    """
    if tensor(x, "x").dim() != 2 or x.shape[1] != 2 or tensor(y, "y").shape != (x.shape[0],):
        raise ValueError(
            f"x must be (n, 2) points and y (n,) classes, got {tuple(x.shape)} and "
            f"{tuple(y.shape)}."
        )
    positive_int(hidden_units, "hidden_units")
    if y.is_floating_point() and not bool((y == y.round()).all()):
        raise ValueError("y must hold class ids (0 and 1), got fractions: use y.round().long().")
    torch.manual_seed(seed)
    net = make_mlp([2, hidden_units, 2], activation)
    snapshots: dict[int, nn.Sequential] = {}
    _fit(net, x, y.long(), F.cross_entropy, steps, lr, snapshot_steps, snapshots)
    return net, snapshots


def accuracy(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """The fraction of points whose highest-scoring class is their true class."""
    tensor(x, "x")
    if tensor(y, "y").dim() != 1:
        raise ValueError(f"y must be (n,) class ids, one per point, got {tuple(y.shape)}.")
    with torch.no_grad():
        predictions = net(x).argmax(dim=1)  # (n,)
    same_length(predictions, y, "net(x) (the predictions)", "y (the labels)")
    return (predictions == y).float().mean().item()


def _fit(
    net: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    loss_fn: Callable,
    steps: int,
    lr: float,
    snapshot_steps: Sequence[int] = (),
    snapshots: dict | None = None,
) -> list[float]:
    """Full-batch Adam for ``steps`` steps; copies the net into ``snapshots`` when asked."""
    positive_int(steps, "steps", minimum=0)
    number(lr, "lr (the learning rate, e.g. 0.03)", above=0)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    losses = []
    for step in range(steps + 1):
        if snapshots is not None and step in snapshot_steps:
            snapshots[step] = copy.deepcopy(net)
        if step == steps:
            break
        loss = loss_fn(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


# --- vanishing gradients ------------------------------------------------------------------------


def gradient_norms_by_layer(
    activation: str, depth: int = 10, width: int = 64, batch_size: int = 256, seed: int = 0
) -> list[float]:
    """The size of the loss gradient at each layer of a deep, freshly initialised MLP.

    Backpropagation multiplies by the activation's derivative once per layer, so where that
    derivative is small (sigmoid: at most 0.25) the gradient shrinks layer after layer on its
    way back to the input. Returns the norm of each Linear layer's weight gradient, first
    layer first. Weights start as N(0, 1/fan_in) and the inputs are standard normal.
    """
    for value, name in ((depth, "depth"), (width, "width"), (batch_size, "batch_size")):
        positive_int(value, name)
    g = torch.Generator().manual_seed(seed)
    net = make_mlp([width] * (depth + 1) + [1], activation)
    with torch.no_grad():
        for layer in net:
            if isinstance(layer, nn.Linear):
                fan_in = layer.weight.shape[1]
                layer.weight.copy_(torch.randn(layer.weight.shape, generator=g) / fan_in**0.5)
                layer.bias.zero_()
    x = torch.randn(batch_size, width, generator=g)  # (batch, width)
    net(x).pow(2).mean().backward()
    linears = [layer for layer in net if isinstance(layer, nn.Linear)][:-1]  # the hidden layers
    return [layer.weight.grad.norm().item() for layer in linears]


# --- initialisation -----------------------------------------------------------------------------

INITS: dict[str, Callable[[int, int], float]] = {
    "too small, std 0.01": lambda fan_in, fan_out: 0.01,
    "too large, std 1": lambda fan_in, fan_out: 1.0,
    "Xavier/Glorot": lambda fan_in, fan_out: (2.0 / (fan_in + fan_out)) ** 0.5,
    "Kaiming/He": lambda fan_in, fan_out: (2.0 / fan_in) ** 0.5,
}
"""Weight standard deviations as a function of (fan_in, fan_out). The rule behind the last
two: ``std = gain / sqrt(fan_in)``, gain 1 for tanh (Xavier averages fan_in and fan_out),
gain sqrt(2) for ReLU, which zeroes half of its inputs (Kaiming)."""


def layer_statistics(
    activation: str,
    init: str,
    depth: int = 8,
    width: int = 256,
    batch_size: int = 512,
    seed: int = 0,
) -> dict[str, list[float]]:
    """The spread of the activations and of the gradients, layer by layer, at initialisation.

    Builds a ``depth``-layer MLP of ``width`` units with ``activation``, draws every weight
    from N(0, std²) with ``std = INITS[init](fan_in, fan_out)`` (biases 0), runs one batch of
    standard-normal inputs forward and a squared loss backward. Returns ``{"activations":
    [std after each hidden layer], "gradients": [std of each hidden layer's weight
    gradient]}``, first layer first.
    """
    one_of(init, INITS, "init")
    positive_int(depth, "depth")
    positive_int(width, "width")
    positive_int(batch_size, "batch_size (a spread needs two)", minimum=2)
    g = torch.Generator().manual_seed(seed)
    net = make_mlp([width] * (depth + 1) + [1], activation)
    linears = [layer for layer in net if isinstance(layer, nn.Linear)]
    with torch.no_grad():
        for layer in linears:
            fan_out, fan_in = layer.weight.shape
            std = INITS[init](fan_in, fan_out)
            layer.weight.copy_(torch.randn(layer.weight.shape, generator=g) * std)
            layer.bias.zero_()
    outputs = []
    hooks = [
        m.register_forward_hook(lambda m, i, o: outputs.append(o))
        for m in net
        if not isinstance(m, nn.Linear)
    ]  # after each activation
    x = torch.randn(batch_size, width, generator=g)  # (batch, width)
    net(x).pow(2).mean().backward()
    for hook in hooks:
        hook.remove()
    return {
        "activations": [o.detach().std().item() for o in outputs],
        "gradients": [layer.weight.grad.std().item() for layer in linears[:-1]],
    }
