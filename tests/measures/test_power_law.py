"""Power-law fits recover a known exponent; the frontier keeps only improvements."""

import numpy as np
import pytest

from lessons_lib.measures.power_law import (
    FrontierPoint,
    compute_frontier,
    fit_power_law,
    fit_power_law_with_floor,
)


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
    with pytest.raises(ValueError, match=r"points must be \(compute, loss\) pairs.*got \(1,\)"):
        compute_frontier([(1,)])
    with pytest.raises(ValueError, match=r"got \('a', 2\)"):
        compute_frontier([("a", 2)])


def test_the_frontier_keeps_what_each_point_carries():
    points = [(4, 3.0, "large", 40), (1, 5.0, "small", 10), (2, 4.0, "small", 20), (3, 4.5, "x", 0)]
    assert compute_frontier(points) == [(1, 5.0, "small", 10), (2, 4.0, "small", 20),
                                        (4, 3.0, "large", 40)]  # fmt: skip


def test_a_floor_and_its_power_law_are_recovered_like_scipy():
    curve_fit = pytest.importorskip("scipy.optimize").curve_fit
    x = np.array([6.6e3, 2.5e4, 5.7e4, 1.0e5, 2.2e5, 4.0e5])
    rng = np.random.default_rng(0)
    y = 1.6 + 12.0 * x**-0.37 + rng.normal(0, 0.005, x.size)
    fit = fit_power_law_with_floor(x, y)
    (floor, prefactor, exponent), _ = curve_fit(
        lambda x, e, a, k: e + a * x**-k, x, y, p0=[1.0, 5.0, 0.3], maxfev=20_000
    )
    assert fit.floor == pytest.approx(floor, abs=2e-3)
    assert fit.exponent == pytest.approx(exponent, abs=5e-3)
    assert fit.prefactor == pytest.approx(prefactor, rel=0.05)
    assert fit.rmse < 0.01 and fit(x) == pytest.approx(y, abs=0.02)
    pure = fit_power_law(x, y)  # no floor: a straight line misses the bend
    assert np.sqrt(np.mean((pure(x) - y) ** 2)) > 2 * fit.rmse


@pytest.mark.parametrize(("x", "y", "grid", "match"), [
    ([1.0, 2.0], [2.0, 1.0], 400, "three points"),
    ([1.0, 2.0, 3.0], [2.0, 1.0, -1.0], 400, "positive x and y"),
    ([1.0, 2.0, 3.0], [2.0, 1.0, 0.5], 3, "grid"),
])  # fmt: skip
def test_a_floor_fit_names_bad_input(x, y, grid, match):
    with pytest.raises(ValueError, match=match):
        fit_power_law_with_floor(x, y, grid=grid)


def test_frontier_points_keep_their_names():
    points = [FrontierPoint(4.0, 3.0, 400, 10, 1), FrontierPoint(2.0, 3.5, 100, 20, 2),
              FrontierPoint(3.0, 3.6, 100, 30, 3)]  # fmt: skip
    frontier = compute_frontier(points)
    assert [p.step for p in frontier] == [2, 1]
    assert frontier[0].parameters == 100 and frontier[-1].compute == 4.0
