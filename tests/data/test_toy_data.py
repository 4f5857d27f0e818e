"""Tests of data.toy_data: chapter 03's curve and half-moons."""

from __future__ import annotations

import pytest
import torch

from lessons_lib.data.toy_data import curve_data, target_curve, two_moons


def test_two_moons_is_seeded_balanced_and_centred():
    x, y = two_moons(300, seed=3)
    x2, y2 = two_moons(300, seed=3)
    assert torch.equal(x, x2) and torch.equal(y, y2)
    assert x.shape == (300, 2) and y.shape == (300,)
    assert int(y.sum()) == 150
    assert x.mean(dim=0).abs().max() < 0.15
    assert not torch.equal(x, two_moons(300, seed=4)[0])


def test_two_moons_needs_two_points():
    with pytest.raises(
        ValueError, match=r"n \(two classes: at least 2 points\) must be an int >= 2"
    ):
        two_moons(1)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: two_moons(200.0),
            ValueError,
            r"n \(two classes.*\) must be an int >= 2, got 200.0",
        ),
        (lambda: two_moons("200"), ValueError, r"n \(two classes.*\) must be an int >= 2"),
        (lambda: two_moons(noise=-0.1), ValueError, r"noise \(the spread.*\) must be >= 0"),
        (lambda: two_moons(noise="0.1"), TypeError, r"noise \(the spread.*\) must be a number"),
        (lambda: curve_data(0), ValueError, "n must be a positive int, got 0"),
        (lambda: curve_data(-5), ValueError, "n must be a positive int, got -5"),
        (lambda: target_curve([0.0, 1.0]), TypeError, r"x must be a torch.Tensor, got list"),
    ],
)
def test_sizes_and_inputs_are_checked(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_curve_data_is_seeded_noise_around_the_target():
    x, y = curve_data(50, seed=3)
    assert x.shape == y.shape == (50, 1)
    torch.testing.assert_close(curve_data(50, seed=3)[1], y)
    assert 0.05 < (y - target_curve(x)).std().item() < 0.2  # noise of std 0.1
