"""Pictures of feed-forward networks: activations, losses, decision boundaries (chapter 03).

Every function returns a matplotlib ``Figure`` made without pyplot (see
:mod:`lessons_lib.viz.figures`). The ``draw_*`` functions are the pure functions under
chapter 03's widgets: they take the values of the controls and return a picture, so the tests
can call them directly.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import torch
import torch.nn as nn
from matplotlib.figure import Figure

from .._checks import tensor
from ..data.toy_data import curve_data, target_curve, two_moons
from ..models.toy_nets import accuracy, fit_curve, train_classifier
from ..parts.activations import ACTIVATIONS, check_activation
from .figures import new_figure


def plot_activations(names: Sequence[str] = tuple(ACTIVATIONS), limit: float = 5.0) -> Figure:
    """Each activation (left) and its derivative (right) on [-limit, limit]."""
    names = [check_activation(name) for name in names]
    x = torch.linspace(-limit, limit, 401)
    fig, (left, right) = new_figure(1, 2, figsize=(9.0, 3.4))
    for i, name in enumerate(names):
        function, derivative = ACTIVATIONS[name]
        left.plot(x, function(x), color=f"C{i}", label=name)
        right.plot(x, derivative(x), color=f"C{i}", label=name)
    left.set_title("activation f(x)")
    right.set_title("derivative f'(x)")
    for ax in (left, right):
        ax.axhline(0, color="gray", linewidth=0.8)
        ax.axvline(0, color="gray", linewidth=0.8)
        ax.set_xlabel("x (the neuron's weighted sum)")
        ax.legend()
    return fig


def binary_losses(p: torch.Tensor) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """For a predicted probability p = σ(z) of the true class: each loss and its dLoss/dz.

    * squared error (MSE) ``(1 - p)²``, gradient ``-2 (1 - p) · p (1 - p)``;
    * cross-entropy ``-ln p``, gradient ``p - 1``.

    The factor ``p (1 - p)`` is the sigmoid's derivative: it makes MSE's gradient vanish when
    the model is confidently wrong (p near 0), exactly when a big correction is needed.
    """
    p = torch.as_tensor(p, dtype=torch.float64)
    if bool(((p <= 0) | (p > 1)).any()):
        raise ValueError("p must hold probabilities in (0, 1].")
    return {
        "squared error (MSE)": ((1 - p) ** 2, -2 * (1 - p) * p * (1 - p)),
        "cross-entropy": (-torch.log(p), p - 1),
    }


def plot_loss_vs_probability() -> Figure:
    """Loss (left) and the size of its gradient (right) against the true class's probability."""
    p = torch.linspace(0.001, 1.0, 500, dtype=torch.float64)
    fig, (left, right) = new_figure(1, 2, figsize=(9.0, 3.4))
    for i, (name, (loss, grad)) in enumerate(binary_losses(p).items()):
        left.plot(p, loss, color=f"C{i}", label=name)
        right.plot(p, grad.abs(), color=f"C{i}", label=name)
    left.set_ylim(0, 5)
    left.set_title("loss")
    right.set_title("|gradient| with respect to the logit z")
    for ax in (left, right):
        ax.set_xlabel("predicted probability of the true class")
        ax.legend()
    arrow = dict(arrowstyle="->", color="gray")
    left.annotate("confidently wrong", xy=(0.02, 3.9), xytext=(0.25, 4.3), arrowprops=arrow)
    right.annotate(
        "MSE barely corrects\na confident mistake",
        xy=(0.02, 0.04),
        xytext=(0.03, 0.48),
        arrowprops=arrow,
    )
    return fig


PROBABILITY_CMAP = "RdBu_r"  # blue = class 0, white = undecided, red = class 1


def plot_decision_boundary(
    net: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    ax=None,
    title: str | None = None,
    *,
    points: str | None = "training points",
    colorbar: bool | Sequence = True,
) -> Figure:
    """The points x (n, 2) coloured by class y (n,) over the net's P(class 1) on a grid.

    The shading is the network's probability of class 1 (blue 0, white 0.5, red 1) and the
    black line its decision boundary, P = 0.5. ``points`` says what the dots are: the x-axis
    label reads "dots: n training points" (None: no label, e.g. when a figure's
    ``supxlabel`` says it once for every panel). ``colorbar``: True draws the probability's
    colour bar next to this panel, False none, and a sequence of axes one bar shared by them
    (pass it with the last panel of a row).
    """
    tensor(x, "x")
    tensor(y, "y")
    if x.dim() != 2 or x.shape[1] != 2 or y.shape != (x.shape[0],):
        raise ValueError(
            f"x must be (n, 2) points and y (n,) classes, got {tuple(x.shape)} and "
            f"{tuple(y.shape)}."
        )
    if ax is None:
        fig, ax = new_figure(figsize=(4.6 if colorbar is not False else 4.0, 3.6))
    else:
        fig = ax.figure
    pad = 0.4
    xs = torch.linspace(float(x[:, 0].min()) - pad, float(x[:, 0].max()) + pad, 120)
    ys = torch.linspace(float(x[:, 1].min()) - pad, float(x[:, 1].max()) + pad, 100)
    grid = torch.cartesian_prod(ys, xs).flip(1)  # (100 * 120, 2) points as (x, y) pairs
    with torch.no_grad():
        prob = torch.softmax(net(grid), dim=1)[:, 1].view(len(ys), len(xs))  # (100, 120)
    levels = torch.linspace(0, 1, 11).tolist()
    shading = ax.contourf(xs, ys, prob, levels=levels, cmap=PROBABILITY_CMAP, alpha=0.45)
    ax.contour(xs, ys, prob, levels=[0.5], colors="black", linewidths=1.5)
    ax.scatter(
        x[:, 0], x[:, 1], c=y, cmap=PROBABILITY_CMAP, s=14, edgecolors="white", linewidths=0.6
    )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    ax.set_title(title or f"accuracy {accuracy(net, x, y):.0%}")
    if points is not None:
        ax.set_xlabel(f"dots: {len(x)} {points}", fontsize=9)
    if colorbar is not False:
        shared = ax if colorbar is True else list(colorbar)
        bar = fig.colorbar(shading, ax=shared, shrink=0.9, pad=0.02)
        bar.set_label("network's P(class 1)")
        bar.set_ticks([0.0, 0.5, 1.0], labels=["0: class 0", "0.5", "1: class 1"])
    return fig


def plot_gradient_norms(norms: dict[str, Sequence[float]]) -> Figure:
    """Each activation's gradient size per layer, relative to the last layer, on a log scale."""
    if not norms:
        raise ValueError("norms is empty: pass {activation name: [norm per layer, ...]}.")
    fig, ax = new_figure(figsize=(7.0, 3.6))
    markers = "os^Dvx"  # a different marker per line, so lines that overlap stay visible
    for i, (name, values) in enumerate(norms.items()):
        values = torch.as_tensor(list(values), dtype=torch.float64)
        layers = range(1, len(values) + 1)
        ax.semilogy(
            layers,
            values / values[-1],
            marker=markers[i % len(markers)],
            fillstyle="none",
            color=f"C{i}",
            label=name,
        )
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel("gradient size / last layer's")
    ax.set_title("Gradients on their way back to the input")
    ax.legend()
    return fig


def draw_activation(activation: str = "tanh", hidden_units: int = 24) -> Figure:
    """The widget of chapter 03: an activation, its derivative, and what one hidden layer of
    ``hidden_units`` neurons with it fits (1000 steps of Adam on a noisy wave)."""
    check_activation(activation)
    function, derivative = ACTIVATIONS[activation]
    x = torch.linspace(-5.0, 5.0, 401)
    fig, (f_ax, d_ax, fit_ax) = new_figure(1, 3, figsize=(11.0, 3.3))
    f_ax.plot(x, function(x), color="C0")
    f_ax.set_title(f"{activation}(x)")
    d_ax.plot(x, derivative(x), color="C1")
    d_ax.set_title(f"its derivative (max {derivative(x).max():.2f})")
    d_ax.set_ylim(-0.2, 1.2)  # room for GELU's dip (-0.13) and peak (1.13)
    for ax in (f_ax, d_ax):
        ax.axhline(0, color="gray", linewidth=0.8)
        ax.set_xlabel("x")
    xs, ys = curve_data()
    net, losses = fit_curve(xs, ys, hidden_units, activation, steps=1000, lr=0.03)
    grid = torch.linspace(-3.0, 3.0, 300)[:, None]  # (300, 1)
    with torch.no_grad():
        fitted = net(grid)
    fit_ax.scatter(xs, ys, s=5, color="gray", alpha=0.6, label="data")
    fit_ax.plot(
        grid, target_curve(grid), color="black", linewidth=1, linestyle="--", label="true curve"
    )
    fit_ax.plot(grid, fitted, color="C3", linewidth=2, label="network")
    units = "unit" if hidden_units == 1 else "units"
    fit_ax.set_title(f"{hidden_units} {activation} {units}: MSE {losses[-1]:.3f}")
    fit_ax.legend(fontsize=8, loc="upper center")
    return fig


def draw_boundary_as_it_learns(
    hidden_units: int = 8, activation: str = "tanh", steps: Sequence[int] = (0, 30, 100, 400)
) -> Figure:
    """The widget of chapter 03: one MLP's decision boundary on the two moons after each of
    ``steps`` training steps (one panel each)."""
    try:
        steps = sorted({operator.index(s) for s in steps})  # ints, numpy ints; not 2.5, "30"
    except TypeError:
        message = f"steps must be a list of ints, e.g. (0, 30, 100, 400); got {steps!r}."
        raise TypeError(message) from None
    if not steps or steps[0] < 0:
        raise ValueError(f"steps must list training steps >= 0, got {steps}.")
    x, y = two_moons(200, seed=0)
    _, snapshots = train_classifier(
        x, y, hidden_units, activation, steps=steps[-1], snapshot_steps=steps
    )
    fig, axes = new_figure(1, len(steps), figsize=(2.75 * len(steps) + 0.9, 3.1))
    axes = [axes] if len(steps) == 1 else list(axes)
    for ax, step in zip(axes, steps, strict=True):
        net = snapshots[step]
        plot_decision_boundary(
            net,
            x,
            y,
            ax=ax,
            title=f"step {step}: {accuracy(net, x, y):.0%}",
            points=None,
            colorbar=axes if ax is axes[-1] else False,
        )
    units = "unit" if hidden_units == 1 else "units"
    fig.suptitle(f"{hidden_units} hidden {activation} {units} learning the two moons")
    fig.supxlabel(
        f"dots: the {len(x)} training points (accuracy in each title is on them)", fontsize=9
    )
    return fig
