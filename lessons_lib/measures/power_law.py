"""Power laws in log–log space, and the compute frontier of a sweep (chapter 09).

A power law L = a · x^(−α) is a straight line in log–log space, log L = log a − α · log x,
so a least-squares line through (log x, log L) gives the exponent α and the prefactor a.

    >>> fit = fit_power_law([1, 10, 100], [4.0, 2.0, 1.0])
    >>> round(fit.exponent, 4), round(fit.prefactor, 4)
    (0.301, 4.0)
    >>> round(float(fit(1000)), 4)
    0.5
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


def compute_frontier(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The (compute, loss) points no cheaper point beats: sorted by compute, each one lower
    than every point before it. Every run's learning curve adds points; the frontier is the
    best loss each compute budget bought.

    >>> compute_frontier([(1, 5.0), (2, 4.0), (3, 4.5), (4, 3.0)])
    [(1, 5.0), (2, 4.0), (4, 3.0)]
    """
    pairs = []
    for point in points:
        try:
            compute, loss = point
        except (TypeError, ValueError):
            raise ValueError(f"points must be (compute, loss) pairs, got {point!r}") from None
        pairs.append((compute, loss))
    frontier: list[tuple[float, float]] = []
    for compute, loss in sorted(pairs):
        if not frontier or loss < frontier[-1][1]:
            frontier.append((compute, loss))
    return frontier
