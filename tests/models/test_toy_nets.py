"""Tests of models.toy_nets: tiny networks on the toy data, vanishing gradients."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

from lessons_lib.data.toy_data import curve_data, target_curve, two_moons
from lessons_lib.models.toy_nets import (
    accuracy,
    fit_curve,
    gradient_norms_by_layer,
    make_mlp,
    train_classifier,
)


def test_make_mlp_layers_and_weight_shapes():
    net = make_mlp([2, 16, 8, 3], "relu")
    kinds = [type(layer).__name__ for layer in net]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    # nn.Linear stores [output_dim, input_dim]: the transpose of the [input_dim, output_dim] W
    assert [tuple(layer.weight.shape) for layer in net if isinstance(layer, nn.Linear)] == [
        (16, 2),
        (8, 16),
        (3, 8),
    ]
    assert net(torch.zeros(5, 2)).shape == (5, 3)


@pytest.mark.parametrize("sizes", [[3], [], [2, 0, 1], [2, 1.5, 1]])
def test_make_mlp_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError, match="sizes must list at least two positive ints"):
        make_mlp(sizes)


def test_make_mlp_rejects_unknown_activation():
    with pytest.raises(ValueError, match="Unknown activation 'step'"):
        make_mlp([1, 2, 1], "step")


def test_a_single_neuron_cannot_separate_the_moons_but_a_hidden_layer_can():
    x, y = two_moons(200, seed=0)
    line = nn.Linear(2, 2)  # no hidden layer: a straight boundary
    torch.manual_seed(0)
    optimizer = torch.optim.Adam(line.parameters(), lr=0.05)
    for _ in range(300):
        loss = nn.functional.cross_entropy(line(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    net, _ = train_classifier(x, y, hidden_units=8, steps=400)
    assert accuracy(line, x, y) < 0.92
    assert accuracy(net, x, y) > 0.97


def test_train_classifier_snapshots_are_copies_at_those_steps():
    x, y = two_moons(100, seed=0)
    net, snaps = train_classifier(x, y, hidden_units=4, steps=50, snapshot_steps=(0, 10, 50))
    assert sorted(snaps) == [0, 10, 50]
    assert snaps[0] is not net and snaps[50] is not net
    torch.testing.assert_close(snaps[50](x), net(x))  # the last snapshot is the trained net
    assert not torch.allclose(snaps[0](x), net(x))


def test_train_classifier_rejects_bad_input():
    x, y = two_moons(20)
    with pytest.raises(ValueError, match=r"x must be \(n, 2\) points"):
        train_classifier(x[:, :1], y)
    with pytest.raises(ValueError, match="hidden_units must be a positive int"):
        train_classifier(x, y, hidden_units=0)


@pytest.mark.slow
def test_fit_curve_fits_the_wave():
    x, y = curve_data(200, seed=0)
    assert x.shape == y.shape == (200, 1)
    net, losses = fit_curve(x, y, hidden_units=24, activation="tanh", steps=1000)
    assert len(losses) == 1000 and losses[-1] < losses[0] / 10
    with torch.no_grad():
        error = (net(x) - target_curve(x)).pow(2).mean().item()
    assert error < 0.02  # the noise alone has variance 0.01


def test_fit_curve_rejects_1d_tensors():
    x, y = curve_data(10)
    with pytest.raises(ValueError, match=r"use x\[:, None\]"):
        fit_curve(x[:, 0], y[:, 0])


def test_gradients_vanish_through_sigmoids_but_not_through_tanh():
    sig = gradient_norms_by_layer("sigmoid", depth=10)
    tanh = gradient_norms_by_layer("tanh", depth=10)
    assert len(sig) == len(tanh) == 10
    assert sig[0] / sig[-1] < 1e-4  # shrinks by >4x per layer
    assert tanh[0] / tanh[-1] > 0.05
    assert sig == sorted(sig)  # smaller at every step back towards the input


def test_gradient_norms_reject_bad_sizes():
    with pytest.raises(ValueError, match="must be positive"):
        gradient_norms_by_layer("relu", depth=0)
