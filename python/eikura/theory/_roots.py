"""Vectorised search for all roots of many 1-D functions at once.

Each steady-state family of the reduced equations comes down to the zeros of one
smooth function ``f(s)`` of a branch parameter ``s ∈ [0, 1]`` (see ``_families``). For a
whole phase diagram there is one such function per grid point; this module finds all
zeros of all of them with NumPy operations on ``(points, grid)`` arrays:

1. sample ``f`` on a fixed grid (denser near both ends) and keep every sign change;
2. at each sampled local extremum that does not change sign, locate the extremum with a
   golden-section search: if it crosses zero there are two close roots (a pair near a
   fold) that the samples stepped over — bracket both;
3. bisect every bracket to machine precision.

Two roots are missed only if four or more lie between neighbouring samples.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

Function = Callable[[NDArray[np.float64], NDArray[np.intp]], NDArray[np.float64]]

_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


def branch_grid(n_samples: int) -> NDArray[np.float64]:
    """``n_samples`` points on [0, 1], both ends included, clustered near the ends."""
    return 0.5 * (1.0 - np.cos(np.pi * np.arange(n_samples) / (n_samples - 1)))


def _bisect(
    func: Function,
    point: NDArray[np.intp],
    low: NDArray[np.float64],
    high: NDArray[np.float64],
    iterations: int = 60,
) -> NDArray[np.float64]:
    f_low = func(low, point)
    for _ in range(iterations):
        middle = 0.5 * (low + high)
        f_middle = func(middle, point)
        same = np.sign(f_middle) == np.sign(f_low)
        low = np.where(same, middle, low)
        f_low = np.where(same, f_middle, f_low)
        high = np.where(same, high, middle)
        if np.all(high - low <= 4e-16 * np.maximum(1.0, np.abs(low))):
            break
    return 0.5 * (low + high)


def _extremum(
    func: Function,
    point: NDArray[np.intp],
    low: NDArray[np.float64],
    high: NDArray[np.float64],
    direction: NDArray[np.float64],
    iterations: int = 48,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Golden-section search for the minimum of ``direction * f`` on ``[low, high]``."""
    a, b = low.copy(), high.copy()
    c = b - _GOLDEN * (b - a)
    d = a + _GOLDEN * (b - a)
    fc = direction * func(c, point)
    fd = direction * func(d, point)
    for _ in range(iterations):
        left = fc < fd
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        new_c = b - _GOLDEN * (b - a)
        new_d = a + _GOLDEN * (b - a)
        # keep the interior point that survives, evaluate the new one
        c_next = np.where(left, new_c, d)
        d_next = np.where(left, c, new_d)
        f_new = direction * func(np.where(left, new_c, new_d), point)
        fc, fd = np.where(left, f_new, fd), np.where(left, fc, f_new)
        c, d = c_next, d_next
    best = np.where(fc < fd, c, d)
    return best, direction * np.minimum(fc, fd)


def find_roots(
    func: Function, n_points: int, grid: NDArray[np.float64], chunk: int = 4096
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """All zeros of ``func(s, point)`` for ``point = 0 .. n_points−1`` on ``s ∈ grid``.

    ``func`` receives broadcastable arrays of branch parameters and point indices and
    returns the function values (NaN where undefined). Returns ``(point, s)`` arrays,
    sorted by point then ``s``.
    """
    found_points: list[NDArray[np.intp]] = []
    found_roots: list[NDArray[np.float64]] = []
    for start in range(0, n_points, chunk):
        stop = min(start + chunk, n_points)
        points = np.arange(start, stop)
        # (points, 1) against (1, samples): parameters are gathered once per point
        values = np.broadcast_to(func(grid[None, :], points[:, None]), (stop - start, grid.size))
        sign = np.sign(values)  # NaN stays NaN and never matches below
        lows: list[NDArray[np.float64]] = []
        highs: list[NDArray[np.float64]] = []
        owners: list[NDArray[np.intp]] = []
        # 1. sign changes between neighbouring samples
        row, col = np.nonzero(sign[:, :-1] * sign[:, 1:] < 0)
        owners.append(points[row])
        lows.append(grid[col])
        highs.append(grid[col + 1])
        # exact zeros at interior samples
        row0, col0 = np.nonzero(values[:, 1:-1] == 0.0)
        found_points.append(points[row0])
        found_roots.append(grid[col0 + 1])
        # 2. extrema that might dip across zero between samples
        left = values[:, 1:-1] - values[:, :-2]
        right = values[:, 2:] - values[:, 1:-1]
        middle = values[:, 1:-1]
        dips = (
            (left < 0) & (right > 0) & (middle > 0) & (values[:, :-2] > 0) & (values[:, 2:] > 0)
        ) | ((left > 0) & (right < 0) & (middle < 0) & (values[:, :-2] < 0) & (values[:, 2:] < 0))
        row, col = np.nonzero(dips)
        if row.size:
            direction = np.sign(middle[row, col])  # minimise f where f > 0, maximise where f < 0
            a, b = grid[col], grid[col + 2]
            where, extreme = _extremum(func, points[row], a, b, direction)
            crossed = np.sign(extreme) == -direction
            owners += [points[row][crossed]] * 2
            lows += [a[crossed], where[crossed]]
            highs += [where[crossed], b[crossed]]
        owner = np.concatenate(owners)
        if owner.size:
            roots = _bisect(func, owner, np.concatenate(lows), np.concatenate(highs))
            found_points.append(owner)
            found_roots.append(roots)
    point = np.concatenate(found_points) if found_points else np.zeros(0, dtype=np.intp)
    root = np.concatenate(found_roots) if found_roots else np.zeros(0)
    order = np.lexsort((root, point))
    return point[order].astype(np.intp), root[order]
