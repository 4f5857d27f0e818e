"""Tests of viz.networks: every picture is a pyplot-free Figure of the right data."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from lessons_lib.data.toy_data import two_moons
from lessons_lib.models.toy_nets import train_classifier
from lessons_lib.parts.activations import ACTIVATIONS, sigmoid
from lessons_lib.viz import networks
from lessons_lib.viz.figures import new_figure


def _line_data(ax) -> dict[str, np.ndarray]:
    return {line.get_label(): np.asarray(line.get_ydata()) for line in ax.get_lines()}


def test_plot_activations_draws_each_function_and_derivative():
    fig = networks.plot_activations(limit=4.0)
    assert isinstance(fig, Figure)
    left, right = fig.axes
    x = torch.linspace(-4.0, 4.0, 401)
    for name, (function, derivative) in ACTIVATIONS.items():
        np.testing.assert_allclose(_line_data(left)[name], function(x).numpy(), rtol=1e-6)
        np.testing.assert_allclose(_line_data(right)[name], derivative(x).numpy(), rtol=1e-6)


def test_plot_activations_rejects_unknown_names():
    with pytest.raises(ValueError, match="Unknown activation 'elu'"):
        networks.plot_activations(["relu", "elu"])


def test_binary_losses_gradients_match_autograd():
    z = torch.linspace(-6, 6, 101, dtype=torch.float64, requires_grad=True)
    p = sigmoid(z)
    ours = networks.binary_losses(p.detach())
    mse = (1 - p) ** 2
    ce = torch.nn.functional.binary_cross_entropy(p, torch.ones_like(p), reduction="none")
    for name, reference in (("squared error (MSE)", mse), ("cross-entropy", ce)):
        loss, grad = ours[name]
        torch.testing.assert_close(loss, reference.detach())
        (auto,) = torch.autograd.grad(reference.sum(), z, retain_graph=True)
        torch.testing.assert_close(grad, auto)


def test_binary_losses_show_why_mse_stalls_on_confident_mistakes():
    losses = networks.binary_losses(torch.tensor([0.001]))
    assert abs(losses["squared error (MSE)"][1].item()) < 0.002
    assert abs(losses["cross-entropy"][1].item()) > 0.99


def test_binary_losses_reject_non_probabilities():
    with pytest.raises(ValueError, match=r"probabilities in \(0, 1\]"):
        networks.binary_losses(torch.tensor([0.5, 0.0]))


def test_plot_loss_vs_probability_has_both_losses_on_both_panels():
    fig = networks.plot_loss_vs_probability()
    for ax in fig.axes:
        assert set(_line_data(ax)) == {"squared error (MSE)", "cross-entropy"}
    ce = _line_data(fig.axes[0])["cross-entropy"]
    assert ce[0] > 6 and ce[-1] == pytest.approx(0.0)


def test_plot_decision_boundary_colours_the_grid_by_the_net():
    x, y = two_moons(60, seed=0)
    net, _ = train_classifier(x, y, hidden_units=4, steps=100)
    fig = networks.plot_decision_boundary(net, x, y)
    ax = fig.axes[0]
    assert ax.get_title().startswith("accuracy ")
    assert len(ax.collections) >= 3  # filled contours, the 0.5 line, the points
    offsets = ax.collections[-1].get_offsets()
    np.testing.assert_allclose(np.asarray(offsets), x.numpy(), rtol=1e-6)
    assert ax.get_xlabel() == "dots: 60 training points"  # which points are drawn


def test_plot_decision_boundary_says_what_the_colours_mean():
    x, y = two_moons(40, seed=0)
    net, _ = train_classifier(x, y, hidden_units=2, steps=20)
    ax, bar = networks.plot_decision_boundary(net, x, y).axes
    assert bar.get_ylabel() == "network's P(class 1)"
    assert [t.get_text() for t in bar.get_yticklabels()] == ["0: class 0", "0.5", "1: class 1"]
    assert bar.get_ylim() == (0.0, 1.0)
    # the dots use the colour bar's ends: class 0 its bottom, class 1 its top
    dots = ax.collections[-1]
    assert dots.get_cmap().name == networks.PROBABILITY_CMAP and dots.get_clim() == (0, 1)
    fig = networks.plot_decision_boundary(net, x, y, points="new points", colorbar=False)
    assert len(fig.axes) == 1 and fig.axes[0].get_xlabel() == "dots: 40 new points"
    fig = networks.plot_decision_boundary(net, x, y, points=None)
    assert fig.axes[0].get_xlabel() == ""


def test_plot_decision_boundary_one_colour_bar_shared_by_a_row():
    x, y = two_moons(40, seed=0)
    net, _ = train_classifier(x, y, hidden_units=2, steps=20)
    fig, axes = new_figure(1, 3)
    for ax in axes:
        networks.plot_decision_boundary(
            net, x, y, ax=ax, colorbar=axes if ax is axes[-1] else False
        )
    assert len(fig.axes) == 4 and fig.axes[-1].get_ylabel() == "network's P(class 1)"


def test_plot_decision_boundary_rejects_bad_points():
    x, y = two_moons(10)
    with pytest.raises(ValueError, match=r"x must be \(n, 2\) points and y \(n,\) classes"):
        networks.plot_decision_boundary(torch.nn.Linear(2, 2), x, y[:5])
    with pytest.raises(TypeError, match=r"x must be a torch.Tensor, got list; wrap it"):
        networks.plot_decision_boundary(torch.nn.Linear(2, 2), x.tolist(), y)


def test_plot_gradient_norms_is_relative_to_the_last_layer():
    fig = networks.plot_gradient_norms({"a": [1.0, 10.0, 100.0]})
    np.testing.assert_allclose(_line_data(fig.axes[0])["a"], [0.01, 0.1, 1.0])
    assert fig.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="norms is empty"):
        networks.plot_gradient_norms({})


def test_plot_gradient_norms_gives_each_line_its_own_marker():
    fig = networks.plot_gradient_norms({name: [1.0, 2.0] for name in ACTIVATIONS})
    markers = [line.get_marker() for line in fig.axes[0].get_lines()]
    assert len(markers) == len(ACTIVATIONS) == len(set(markers))


@pytest.mark.slow
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_draw_activation_three_panels(activation):
    fig = networks.draw_activation(activation, hidden_units=4)
    f_ax, d_ax, fit_ax = fig.axes
    assert f_ax.get_title() == f"{activation}(x)"
    assert d_ax.get_title().startswith("its derivative (max ")
    low, high = d_ax.get_ylim()
    derivative = ACTIVATIONS[activation][1](torch.linspace(-5.0, 5.0, 401))
    assert low <= float(derivative.min()) - 0.05 and float(derivative.max()) + 0.05 <= high
    assert fit_ax.get_title().startswith(f"4 {activation} units: MSE ")


def test_draw_activation_rejects_unknown_activation():
    with pytest.raises(ValueError, match="Unknown activation"):
        networks.draw_activation("linear")


def test_draw_boundary_as_it_learns_one_panel_per_step():
    fig = networks.draw_boundary_as_it_learns(hidden_units=1, steps=(50, 0))
    *panels, bar = fig.axes
    titles = [ax.get_title() for ax in panels]
    assert [t.split(":")[0] for t in titles] == ["step 0", "step 50"]
    assert fig._suptitle.get_text() == "1 hidden tanh unit learning the two moons"
    assert bar.get_ylabel() == "network's P(class 1)"  # one colour bar for the row
    assert fig.get_supxlabel().startswith("dots: the 200 training points")
    with pytest.raises(ValueError, match="steps must list training steps >= 0"):
        networks.draw_boundary_as_it_learns(steps=(-1, 5))
    for steps in (100, (0, 2.5), "30"):
        with pytest.raises(
            TypeError, match="steps must be a list of ints.*got " + re.escape(repr(steps))
        ):
            networks.draw_boundary_as_it_learns(steps=steps)
