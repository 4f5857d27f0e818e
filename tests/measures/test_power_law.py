"""Power-law fits recover a known exponent; the frontier keeps only improvements."""

import numpy as np
import pytest

from lessons_lib.measures.power_law import compute_frontier, fit_power_law


def test_an_exact_power_law_is_recovered():
    x = np.array([1e3, 1e4, 1e5, 1e6])
    fit = fit_power_law(x, 7.0 * x**-0.076)
    assert fit.exponent == pytest.approx(0.076)
    assert fit.prefactor == pytest.approx(7.0)
    assert fit.r_squared == pytest.approx(1.0)
    assert fit(1e7) == pytest.approx(7.0 * 1e7**-0.076)


def test_noise_lowers_r_squared_but_keeps_the_exponent_close():
    rng = np.random.default_rng(0)
    x = np.logspace(3, 7, 30)
    y = 5.0 * x**-0.3 * np.exp(rng.normal(0, 0.05, x.size))
    fit = fit_power_law(x, y)
    assert abs(fit.exponent - 0.3) < 0.03 and 0.9 < fit.r_squared < 1.0


@pytest.mark.parametrize(("x", "y", "match"), [
    ([1.0], [2.0], "at least two"),
    ([1.0, 0.0], [2.0, 1.0], "positive x and y"),
])  # fmt: skip
def test_bad_points_are_named(x, y, match):
    with pytest.raises(ValueError, match=match):
        fit_power_law(x, y)


def test_the_frontier_is_sorted_and_falling():
    points = [(5, 2.0), (1, 4.0), (2, 4.5), (3, 3.0), (4, 3.5)]
    assert compute_frontier(points) == [(1, 4.0), (3, 3.0), (5, 2.0)]


def test_text_equal_x_and_odd_points_are_named():
    with pytest.raises(TypeError, match="x must be a list of numbers, got str"):
        fit_power_law("abc", [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"but y holds 0.0: drop"):
        fit_power_law([1.0, 2.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="every x is .*3.0.*: a line through them needs two"):
        fit_power_law([3.0, 3.0], [1.0, 2.0])  # the slope would be anything
    with pytest.raises(
        ValueError, match=r"points must be \(compute, loss\) pairs, got \(1, 2, 3\)"
    ):
        compute_frontier([(1, 2, 3)])
