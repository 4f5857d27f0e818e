"""Power laws in log–log space, with and without a floor, and the compute frontier of a
sweep (chapter 09).

A power law L = a · x^(−α) is a straight line in log–log space, log L = log a − α · log x,
so a least-squares line through (log x, log L) gives the exponent α and the prefactor a.
A loss that cannot fall below a floor E (the irreducible loss) follows L = E + A · x^(−α)
instead: for each candidate α that curve is a straight line in x^(−α), so
:func:`fit_power_law_with_floor` searches α and solves for E and A exactly.

    >>> fit = fit_power_law([1, 10, 100], [4.0, 2.0, 1.0])
    >>> round(fit.exponent, 4), round(fit.prefactor, 4)
    (0.301, 4.0)
    >>> round(float(fit(1000)), 4)
    0.5
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


@dataclass(frozen=True)
class PowerLaw:
    """L(x) = prefactor · x^(−exponent), fitted by :func:`fit_power_law`."""

    prefactor: float  # a: the fitted L at x = 1
    exponent: float  # α: L falls by a factor 10^α each time x grows tenfold
    r_squared: float  # how straight the points lie in log–log space (1: exactly)

    def __call__(self, x):
        return self.prefactor * np.asarray(x, dtype=float) ** (-self.exponent)


def fit_power_law(x: Sequence[float], y: Sequence[float]) -> PowerLaw:
    """The least-squares line through (log x, log y), as a :class:`PowerLaw`."""
    x, y = _values(x, "x"), _values(y, "y")
    if x.shape != y.shape or x.size < 2:
        raise ValueError(
            f"need at least two (x, y) pairs: x and y as 1-D lists of equal length, got "
            f"shapes {x.shape} and {y.shape}"
        )
    for name, values in (("x", x), ("y", y)):
        bad = values[~(np.isfinite(values) & (values > 0))]
        if bad.size:
            raise ValueError(
                f"a power law needs positive x and y, but {name} holds {float(bad[0])}: drop the "
                "points with zeros, negative values, NaN or inf (their log is undefined)"
            )
    if np.ptp(x) == 0:
        raise ValueError(f"every x is {float(x[0])}: a line through them needs two different x")
    log_x, log_y = np.log(x), np.log(y)
    slope, intercept = np.polyfit(log_x, log_y, 1)
    residual = log_y - (intercept + slope * log_x)
    spread = ((log_y - log_y.mean()) ** 2).sum()
    r_squared = 1.0 - (residual**2).sum() / spread if spread > 0 else 1.0
    return PowerLaw(float(np.exp(intercept)), float(-slope), float(r_squared))


def _values(values: Sequence[float], name: str) -> np.ndarray:
    """``values`` as a float array, with a clear error for text or ragged lists."""
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a list of numbers, got {type(values).__name__} {values!r:.60}"
        ) from None


class FrontierPoint(NamedTuple):
    """One evaluation of one run of a sweep, as :func:`compute_frontier` reads it."""

    compute: float  # C = 6·N·D FLOPs spent so far
    loss: float  # validation loss at that point, nats per token
    parameters: int  # N, the model's size (chapter 09 counts non-embedding parameters)
    tokens: int  # D, tokens seen so far
    step: int  # the optimizer step of the evaluation, from 0


def compute_frontier(points: Sequence[tuple]) -> list[tuple]:
    """The (compute, loss, ...) points no cheaper point beats: sorted by compute, each one lower
    than every point before it. Every run's learning curve adds points; the frontier is the
    best loss each compute budget bought. A point may carry more after its loss (the model's
    size, the step): it comes back whole, so nothing has to be looked up by its compute; a
    :class:`FrontierPoint` (or any named tuple) comes back with its field names.

    >>> compute_frontier([(1, 5.0), (2, 4.0), (3, 4.5), (4, 3.0)])
    [(1, 5.0), (2, 4.0), (4, 3.0)]
    >>> compute_frontier([(1, 5.0, "small"), (2, 4.5, "large"), (3, 4.0, "small")])
    [(1, 5.0, 'small'), (2, 4.5, 'large'), (3, 4.0, 'small')]
    >>> compute_frontier([FrontierPoint(2e9, 3.1, 6592, 51200, 25)])[0].loss
    3.1
    """
    checked = []
    for point in points:
        try:
            compute, loss, *_ = point
            compute, loss = float(compute), float(loss)
        except (TypeError, ValueError):
            raise ValueError(
                f"points must be (compute, loss) pairs, optionally with more after them; got "
                f"{point!r}"
            ) from None
        checked.append((compute, loss, point if isinstance(point, tuple) else tuple(point)))
    frontier: list[tuple] = []
    for _, loss, point in sorted(checked, key=lambda c: c[:2]):
        if not frontier or loss < frontier[-1][1]:
            frontier.append(point)
    return frontier


@dataclass(frozen=True)
class PowerLawWithFloor:
    """L(x) = floor + prefactor · x^(−exponent), fitted by :func:`fit_power_law_with_floor`."""

    floor: float  # E: the loss the curve approaches as x grows (the irreducible loss)
    prefactor: float  # A: the reducible part at x = 1
    exponent: float  # α: the reducible part L − E falls by 10^α each time x grows tenfold
    rmse: float  # root-mean-square distance of the points from the curve, in units of L

    def __call__(self, x):
        return self.floor + self.prefactor * np.asarray(x, dtype=float) ** (-self.exponent)


def fit_power_law_with_floor(
    x: Sequence[float], y: Sequence[float], grid: int = 400
) -> PowerLawWithFloor:
    """Least squares for y = E + A · x^(−α), in units of y. For a fixed α the curve is a
    straight line in x^(−α) (E its intercept, A its slope), so each α on a grid of ``grid``
    values in (0, 3] gets its exact E and A; the grid is searched twice (the second time
    between the best α's neighbours). Needs three points or more.

    >>> xs = [1.0, 10.0, 100.0, 1000.0]
    >>> fit = fit_power_law_with_floor(xs, [1.5 + 2.0 * x**-0.5 for x in xs])
    >>> round(fit.floor, 3), round(fit.prefactor, 3), round(fit.exponent, 3)
    (1.5, 2.0, 0.5)
    """
    fit_power_law(x, y)  # the same checks: positive and finite, equal lengths, two x values
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.size < 3:
        raise ValueError(f"three unknowns (E, A, α) need three points or more, got {x.size}")
    if not isinstance(grid, int) or grid < 10:
        raise ValueError(f"grid must be an int of at least 10, got {grid!r}")

    def fit(exponent: float) -> tuple[float, float, float]:  # (rmse, E, A) for this α
        design = np.stack([np.ones_like(x), x ** (-exponent)], axis=1)  # (n, 2)
        (floor, prefactor), *_ = np.linalg.lstsq(design, y, rcond=None)
        rmse = float(np.sqrt(np.mean((design @ [floor, prefactor] - y) ** 2)))
        return rmse, float(floor), float(prefactor)

    low, high, best = 0.0, 3.0, (np.inf, 0.0, 0.0, 0.0)
    for _ in range(2):
        exponents = np.linspace(low, high, grid + 1)[1:]
        for exponent in exponents:
            candidate = (*fit(float(exponent)), float(exponent))
            if candidate[0] < best[0]:
                best = candidate
        step = exponents[1] - exponents[0]
        low, high = max(best[3] - step, step / grid), best[3] + step
    rmse, floor, prefactor, exponent = best
    return PowerLawWithFloor(floor, prefactor, exponent, rmse)
