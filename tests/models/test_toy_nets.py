"""Tests of models.toy_nets: tiny networks on the toy data, vanishing gradients."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

from lessons_lib.data.toy_data import curve_data, target_curve, two_moons
from lessons_lib.models.toy_nets import (
    INITS,
    accuracy,
    fit_curve,
    gradient_norms_by_layer,
    layer_statistics,
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
    with pytest.raises(ValueError, match="depth must be a positive int, got 0"):
        gradient_norms_by_layer("relu", depth=0)


# --- initialisation -----------------------------------------------------------------------------


def test_each_init_rule_gives_its_std_for_a_square_layer():
    assert INITS["Kaiming/He"](256, 256) == pytest.approx((2 / 256) ** 0.5)
    assert INITS["Xavier/Glorot"](256, 256) == pytest.approx((1 / 256) ** 0.5)  # gain 1
    assert INITS["Xavier/Glorot"](100, 300) == pytest.approx((2 / 400) ** 0.5)


def test_the_first_layer_sees_the_drawn_std_within_sampling_error():
    stats = layer_statistics("relu", "Kaiming/He", depth=1, width=512, batch_size=4096)
    # ReLU of N(0, 2): its std is sqrt(2) * sqrt((1 - 1/pi) / 2) = 0.826
    assert stats["activations"][0] == pytest.approx(0.826, rel=0.05)


def test_kaiming_keeps_relu_activations_alive_and_xavier_lets_them_fade():
    kaiming = layer_statistics("relu", "Kaiming/He")["activations"]
    xavier = layer_statistics("relu", "Xavier/Glorot")["activations"]
    assert 0.5 < kaiming[-1] / kaiming[0] < 2
    assert xavier[-1] / xavier[0] < 0.2


def test_too_small_vanishes_and_too_large_saturates_tanh():
    small = layer_statistics("tanh", "too small, std 0.01")
    large = layer_statistics("tanh", "too large, std 1")
    assert small["activations"][-1] < 1e-3 * small["activations"][0]
    assert min(large["activations"]) > 0.9  # nearly every unit at -1 or +1
    assert len(small["gradients"]) == 8 and len(small["activations"]) == 8


def test_an_unknown_init_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown init 'zeros'; choose one of: 'too small"):
        layer_statistics("tanh", "zeros")


# --- bad input ----------------------------------------------------------------------------------


def test_accuracy_names_predictions_and_labels_of_different_lengths():
    net = make_mlp([2, 4, 2])
    message = (
        r"net\(x\) \(the predictions\) and y \(the labels\) must be the same length, got 5 and 4"
    )
    with pytest.raises(ValueError, match=message):
        accuracy(net, torch.zeros(5, 2), torch.zeros(4, dtype=torch.long))
    with pytest.raises(TypeError, match="y must be a torch.Tensor, got list"):
        accuracy(net, torch.zeros(2, 2), [0, 1])


def test_sizes_and_rates_in_quotes_are_named():
    x, y = curve_data(20, seed=0)
    with pytest.raises(ValueError, match="hidden_units must be a positive int, got '16'"):
        fit_curve(x, y, hidden_units="16")
    with pytest.raises(TypeError, match=r"lr .* must be a number, got '0.03' \(a str\)"):
        fit_curve(x, y, lr="0.03")
    with pytest.raises(ValueError, match="steps must be an int >= 0, got 2.5"):
        fit_curve(x, y, steps=2.5)
    with pytest.raises(TypeError, match="y must be a torch.Tensor, got list"):
        fit_curve(x, y.tolist())
    with pytest.raises(ValueError, match=r"batch_size \(a spread needs two\) must be an int >= 2"):
        layer_statistics("tanh", "Kaiming/He", batch_size=1)


def test_fractional_class_labels_are_refused():
    x, y = two_moons(20, seed=0)
    with pytest.raises(ValueError, match=r"y must hold class ids \(0 and 1\), got fractions"):
        train_classifier(x, y * 0.5, steps=1)
