"""Fold (saddle-node) curves of the in-phase branch in a two-parameter plane.

The in-phase states solve (see ``_families``; ``u = r_I``, ``h_X(r) = 2Δ_X r/(1 − r²)``)::

    E:  K_EE r − K_EI u − h_E(r) = 0
    I:  K_IE r − K_II u − h_I(u) = 0

Each parameter enters one equation, affinely (the widths through ``h``). A fold in any
parameter is where the 2×2 Jacobian of (E, I) in (r, u) is singular::

    det J = (K_EE − h_E'(r))(−K_II − h_I'(u)) + K_EI K_IE = 0

* x and y on **different sides** (one in E, one in I): at every (r, u) each equation
  gives its parameter explicitly, so the folds are the zero contour of ``det J`` over
  the unit square, traced by marching squares and mapped to the (x, y) plane;
* x and y on the **same side** (both in E, say): the other equation gives r as a
  function of u, and E together with ``det J = 0`` are affine in (x, y): one 2×2 linear
  solve per u gives the fold curve directly.

Curves come out as ordered polylines. Ott–Antonsen (or quick noise treatment) only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from ._contours import chains

Array = NDArray[np.float64]

E_SIDE = ("k_ee", "k_ei", "width_e", "noise_e")
I_SIDE = ("k_ie", "k_ii", "width_i", "noise_i")


def _h(r: Array, width: Array) -> Array:
    return 2 * width * r / (1 - r * r)


def _dh(r: Array, width: Array) -> Array:
    return 2 * width * (1 + r * r) / (1 - r * r) ** 2


def _equations(p: dict[str, Array], r: Array, u: Array) -> tuple[Array, Array, Array]:
    width_e = p["width_e"] + p["noise_e"]
    width_i = p["width_i"] + p["noise_i"]
    e = p["k_ee"] * r - p["k_ei"] * u - _h(r, width_e)
    i = p["k_ie"] * r - p["k_ii"] * u - _h(u, width_i)
    det = (p["k_ee"] - _dh(r, width_e)) * (-p["k_ii"] - _dh(u, width_i)) + p["k_ei"] * p["k_ie"]
    return e, i, det


def _with(p: dict[str, Array], **values: Array) -> dict[str, Array]:
    out = dict(p)
    out.update(values)
    return out


def _solve_affine(p: dict[str, Array], name: str, r: Array, u: Array, which: int) -> Array:
    """Value of parameter ``name`` zeroing equation ``which`` (0: E, 1: I) at (r, u)."""
    zero = _equations(_with(p, **{name: np.zeros_like(r)}), r, u)[which]
    one = _equations(_with(p, **{name: np.ones_like(r)}), r, u)[which]
    slope = one - zero
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(slope != 0, -zero / slope, np.nan)


def _bisect_edges(func: Callable[[Array, Array], Array], a: Array, b: Array) -> Array:
    """Zeros of ``func`` on segments from points ``a`` to ``b`` (shape (n, 2))."""
    low, high = np.zeros(len(a)), np.ones(len(a))
    f_low = func(*a.T)
    for _ in range(52):
        middle = 0.5 * (low + high)
        point = a + middle[:, None] * (b - a)
        f_middle = func(*point.T)
        same = np.sign(f_middle) == np.sign(f_low)
        low = np.where(same, middle, low)
        f_low = np.where(same, f_middle, f_low)
        high = np.where(same, high, middle)
    t = 0.5 * (low + high)
    return a + t[:, None] * (b - a)


def _zero_contours(
    func: Callable[[Array, Array], Array],
    valid_at: Callable[[Array, Array], NDArray[np.bool_]],
    grid: Array,
) -> list[Array]:
    """Marching squares on ``func`` over ``grid × grid``: ordered (r, u) polylines."""
    r, u = np.meshgrid(grid, grid, indexing="ij")
    values = func(r, u)
    valid = valid_at(r, u) & np.isfinite(values)
    sign = values > 0
    # crossings on edges along r (i,j)-(i+1,j) and along u (i,j)-(i,j+1)
    cross_r = valid[:-1, :] & valid[1:, :] & (sign[:-1, :] != sign[1:, :])
    cross_u = valid[:, :-1] & valid[:, 1:] & (sign[:, :-1] != sign[:, 1:])
    points: dict[tuple[int, int, int], Array] = {}
    for axis, cross in ((0, cross_r), (1, cross_u)):
        i, j = np.nonzero(cross)
        if i.size == 0:
            continue
        first = np.column_stack([grid[i], grid[j]])
        last = np.column_stack([grid[i + (axis == 0)], grid[j + (axis == 1)]])
        found = _bisect_edges(func, first, last)
        # a sign change through a pole (where a solved parameter blows up) is no zero
        scale = np.maximum(np.abs(func(*first.T)), np.abs(func(*last.T)))
        genuine = np.abs(func(*found.T)) <= 1e-6 * np.maximum(scale, 1.0)
        for k in np.flatnonzero(genuine):
            points[(axis, int(i[k]), int(j[k]))] = found[k]
    # cells: bottom (0,i,j), top (0,i,j+1), left (1,i,j), right (1,i+1,j)
    cell_valid = valid[:-1, :-1] & valid[1:, :-1] & valid[:-1, 1:] & valid[1:, 1:]
    count = (
        cross_r[:, :-1].astype(int) + cross_r[:, 1:] + cross_u[:-1, :] + cross_u[1:, :]
    ) * cell_valid
    neighbours: dict[tuple[int, int, int], list[tuple[int, int, int]]] = {}

    def link(a: tuple[int, int, int], b: tuple[int, int, int]) -> None:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)

    for i, j in zip(*np.nonzero(count >= 2), strict=True):
        edges = [(0, i, j), (0, i, j + 1), (1, i, j), (1, i + 1, j)]
        crossing = [e for e in edges if e in points]
        if len(crossing) == 2:
            link(crossing[0], crossing[1])
        elif len(crossing) == 4:  # saddle cell: pair bottom-left and top-right
            link(edges[0], edges[2])
            link(edges[1], edges[3])
    # chain the segments into polylines (open ones first, then closed loops)
    return [np.array([points[node] for node in chain]) for chain in chains(neighbours)]


def _merge(curves: list[Array]) -> list[Array]:
    """Join polylines whose ends nearly meet (pieces of one curve cut by the tracing)."""
    curves = [c for c in curves if np.all(np.isfinite(c))]
    if len(curves) < 2:
        return curves
    steps = np.concatenate([np.linalg.norm(np.diff(c, axis=0), axis=1) for c in curves])
    tolerance = 4.0 * float(np.median(steps)) if steps.size else 0.0
    merged = True
    while merged and len(curves) > 1:
        merged = False
        for a in range(len(curves)):
            for b in range(a + 1, len(curves)):
                first, second = curves[a], curves[b]
                # the four ways of joining two polylines end to end
                options: list[tuple[float, Array]] = [
                    (float(np.linalg.norm(first[-1] - second[0])), np.vstack([first, second])),
                    (
                        float(np.linalg.norm(first[-1] - second[-1])),
                        np.vstack([first, second[::-1]]),
                    ),
                    (float(np.linalg.norm(first[0] - second[-1])), np.vstack([second, first])),
                    (
                        float(np.linalg.norm(first[0] - second[0])),
                        np.vstack([second[::-1], first]),
                    ),
                ]
                distance, joined = min(options, key=lambda o: o[0])
                if distance <= tolerance:
                    curves[a] = joined
                    del curves[b]
                    merged = True
                    break
            if merged:
                break
    return curves


def fold_curves(
    params: dict[str, float], x: str, y: str, x_range: tuple[float, float], n_grid: int = 400
) -> list[Array]:
    """Fold curves of the in-phase branch as (x, y) polylines, x within ``x_range``."""
    p = {name: np.asarray(value, dtype=float) for name, value in params.items()}
    p.setdefault(x, np.asarray(0.0))  # placeholders: each is solved for where it matters
    p.setdefault(y, np.asarray(0.0))
    low, high = x_range
    margin = 0.02 * max(high - low, 1e-12)
    grid = 0.5 * (1 - np.cos(np.pi * (np.arange(n_grid) + 0.5) / n_grid))  # interior of (0, 1)
    curves: list[Array] = []
    with np.errstate(all="ignore"):
        if (x in E_SIDE) != (y in E_SIDE):

            def xy(r: Array, u: Array) -> tuple[Array, Array]:
                x_value = _solve_affine(p, x, r, u, 0 if x in E_SIDE else 1)
                y_value = _solve_affine(p, y, r, u, 0 if y in E_SIDE else 1)
                return x_value, y_value

            def det(r: Array, u: Array) -> Array:
                x_value, y_value = xy(r, u)
                return _equations(_with(p, **{x: x_value, y: y_value}), r, u)[2]

            def valid(r: Array, u: Array) -> NDArray[np.bool_]:
                x_value, y_value = xy(r, u)
                return (
                    np.isfinite(x_value)
                    & np.isfinite(y_value)
                    & (x_value >= low - margin)
                    & (x_value <= high + margin)
                    & (y_value >= 0)
                    & (x_value >= 0)
                )

            for polyline in _zero_contours(det, valid, grid):
                x_value, y_value = xy(polyline[:, 0], polyline[:, 1])
                curves.append(np.column_stack([x_value, y_value]))
            curves = _merge(curves)
        else:
            fine = 0.5 * (1 - np.cos(np.pi * (np.arange(8 * n_grid) + 0.5) / (8 * n_grid)))
            e_side = x in E_SIDE
            width_e = p["width_e"] + p["noise_e"]
            width_i = p["width_i"] + p["noise_i"]
            if e_side:  # the I equation gives r(u)
                u = fine
                r = (p["k_ii"] * u + _h(u, width_i)) / p["k_ie"]
            else:  # the E equation gives u(r)
                r = fine
                u = (p["k_ee"] * r - _h(r, width_e)) / p["k_ei"]
            inside = (r > 0) & (r < 1) & (u > 0) & (u < 1)
            which = 0 if e_side else 1

            def residuals(x_value: Array, y_value: Array) -> tuple[Array, Array]:
                eqs = _equations(_with(p, **{x: x_value, y: y_value}), r, u)
                return eqs[which], eqs[2]

            zero = np.zeros_like(r)
            base = residuals(zero, zero)
            dx = [a - b for a, b in zip(residuals(zero + 1, zero), base, strict=True)]
            dy = [a - b for a, b in zip(residuals(zero, zero + 1), base, strict=True)]
            determinant = dx[0] * dy[1] - dx[1] * dy[0]
            x_value = (-base[0] * dy[1] + base[1] * dy[0]) / determinant
            y_value = (-dx[0] * base[1] + dx[1] * base[0]) / determinant
            ok = (
                inside
                & np.isfinite(x_value)
                & np.isfinite(y_value)
                & (x_value >= max(low - margin, 0))
                & (x_value <= high + margin)
                & (y_value >= 0)
            )
            # split into runs of consecutive valid points
            edges = np.flatnonzero(np.diff(np.concatenate([[0], ok.astype(int), [0]])))
            for begin, end in zip(edges[::2], edges[1::2], strict=True):
                if end - begin >= 2:
                    curves.append(np.column_stack([x_value[begin:end], y_value[begin:end]]))
    return curves
