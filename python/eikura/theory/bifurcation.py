"""Bifurcation curves in a parameter plane and one-parameter bifurcation diagrams.

:func:`boundaries` gives the curves where incoherence turns and where the in-phase
branch folds. The states born and lost elsewhere need more:

* **Hopf lines of synchronized states** — a complex pair of eigenvalues of an in-phase
  or a lagged state crosses the imaginary axis (a limit cycle is born or dies around it);
* **pitchfork** — lagged states branch off the in-phase state where its transverse
  eigenvalue (the ψ direction, which decouples at ψ = 0) vanishes:
  ``λ_ψ = −[(1 + r_I²)/(2 r_I) K_IE r_E − (1 + r_E²)/(2 r_E) K_EI r_I] = 0``;
* **lagged folds** — two lagged pairs meet and vanish (saddle-node);
* **homoclinic curves** — a limit cycle ends on a finite amplitude with its period
  growing without bound (it runs into a saddle), located numerically.

The first two are zero contours of test functions (the real part of a state's complex
pair; ``λ_ψ``) over a grid, one contour per branch (states of one kind ranked by
``r_E`` where their number does not change), refined by bisection along the grid edges
to ~1e-9. Lagged folds are where the number of lagged pairs changes, refined the same
way and told apart from the pitchfork and from the Hopf line of incoherence by what
vanishes there (two lagged states meet, ψ → 0, or r → 0). Homoclinic curves are edges
of the region where integrations oscillate (``_grid_cycles``), refined by bisection,
where the cycle keeps a finite size and its period grows towards the edge.

:func:`bifurcation_diagram` gives, along one parameter, every steady state (stable or
not) and every stable limit cycle (its range of ``r``);
:func:`plot_bifurcation_diagram` draws it (matplotlib, imported when called).

Examples
--------
>>> import numpy as np, eikura as ek
>>> diagram = ek.theory.bifurcation_diagram("k_ee", np.linspace(4.4, 5.2, 9), k_ei=1.0,
...                                         k_ie=12.0, k_ii=0.3)
>>> [round(float(v), 2) for v in diagram.cycle_value]
[4.4, 4.5, 4.6, 4.7, 4.8, 4.9, 5.0]
>>> [round(float(p), 2) for p in diagram.cycle_period]
[2.56, 2.72, 2.92, 3.17, 3.53, 4.12, 5.66]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import check_bool, check_choice, check_finite_array, check_int
from ._contours import join_pieces, zero_contours
from ._cycles import PointFlow, estimate_period
from ._families import IN_PHASE as IN_PHASE_CODE
from ._families import LAGGED, FoundStates, GridParameters, find_states
from ._flow import OSCILLATING, screen, take, time_step
from ._grid_cycles import find_oscillating
from ._labels import LABELS, MARGINAL_TOLERANCE, label_codes
from ._params import NOISE_NONE, resolve_noise_treatment
from .diagram import AXES, Boundaries, boundaries, check_axis, grid_arrays
from .states import STABILITY_TOLERANCE

__all__ = [
    "BifurcationCurves",
    "bifurcation_curves",
    "BifurcationDiagram",
    "bifurcation_diagram",
    "plot_bifurcation_diagram",
]

Array = NDArray[np.float64]
PointTest = Callable[[Array, Array], Array]

BISECTIONS = 32
# Edges of the oscillating region are refined to 2^-12 of a grid step (each step
# integrates every edge point).
HOMOCLINIC_BISECTIONS = 12
# At a Hopf bifurcation a standing oscillation of r starts with the period π/ω (ω the
# Hopf frequency); towards a homoclinic end the period grows without bound. Edge points
# whose period exceeds this multiple of π/ω (or is too long to measure in the 60 time
# units recorded) count as homoclinic.
PERIOD_GROWTH = 3.0
# States closer than this to incoherence (in r) are left out of the Hopf test.
BIRTH = 1e-3


@dataclass(frozen=True)
class BifurcationCurves:
    """Bifurcation curves in an (x, y) plane, each an ``(n, 2)`` polyline of (x, y).

    Attributes
    ----------
    x, y
        Axis names.
    boundaries
        The curves of :func:`boundaries`: incoherence (``det M = 0``, ``tr M = 0``) and
        the folds of the in-phase branch.
    hopf_in_phase, hopf_lagged
        Hopf lines of in-phase and lagged states.
    pitchfork
        Where lagged states branch off an in-phase state (``λ_ψ = 0``).
    lagged_folds
        Saddle-nodes of lagged states.
    homoclinic
        Where a limit cycle ends on a finite amplitude with a growing period.
    homoclinic_period
        For each homoclinic polyline, the period of the cycle at its points (on the
        oscillating side of the refined edge; large near a homoclinic end).
    notes
        Remarks (approximations, resolution).
    """

    x: str
    y: str
    boundaries: Boundaries
    hopf_in_phase: tuple[Array, ...]
    hopf_lagged: tuple[Array, ...]
    pitchfork: tuple[Array, ...]
    lagged_folds: tuple[Array, ...]
    homoclinic: tuple[Array, ...]
    homoclinic_period: tuple[Array, ...] = ()
    notes: tuple[str, ...] = ()

    def curves(self) -> dict[str, Array]:
        """Every curve by name, NaN rows between the pieces (ready to plot)."""
        out = dict(self.boundaries.curves())
        for name in ("hopf_in_phase", "hopf_lagged", "pitchfork", "lagged_folds", "homoclinic"):
            pieces: tuple[Array, ...] = getattr(self, name)
            if pieces:
                gap = np.full((1, 2), np.nan)
                out[name] = np.vstack([row for piece in pieces for row in (piece, gap)])[:-1]
        return out


# ------------------------------------------------------------------- points of a plane


class _Plane:
    """Maps (x, y) points to Ott–Antonsen parameters, the other parameters fixed."""

    def __init__(self, x: str, y: str, fixed: dict[str, float], quick: bool) -> None:
        self.x, self.y, self.fixed, self.quick = x, y, fixed, quick

    def params(self, px: Array, py: Array) -> GridParameters:
        values = {name: np.full(px.shape, self.fixed[name]) for name in self.fixed}
        values[self.x], values[self.y] = px, py
        noise_e = values["noise_e"] if self.quick else 0.0
        noise_i = values["noise_i"] if self.quick else 0.0
        return GridParameters(
            values["k_ee"],
            values["k_ei"],
            values["k_ie"],
            values["k_ii"],
            values["width_e"] + noise_e,
            values["width_i"] + noise_i,
        )


def _branch_table(found: FoundStates, size: int, kind: int) -> tuple[NDArray[np.intp], Any]:
    """Count of states of ``kind`` per point (lagged: one of each mirror pair) and, per
    state, its rank by ``r_E`` within its point."""
    keep = found.kind == kind
    if kind == LAGGED:
        keep &= found.psi > 0
    rows = np.flatnonzero(keep)
    count = np.bincount(found.point[rows], minlength=size)
    # found is sorted by (point, r_e): the rank is the position within the point's run
    first = np.searchsorted(found.point[rows], found.point[rows], side="left")
    rank = np.arange(rows.size) - first
    return count, (rows, rank)


def _transverse_eigenvalue(found: FoundStates, params: GridParameters, rows: Any) -> Array:
    """``λ_ψ`` of in-phase states (exact: ψ decouples at ψ = 0)."""
    r_e, r_i = found.r_e[rows], found.r_i[rows]
    point = found.point[rows]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = -(
            (1 + r_i**2) / (2 * r_i) * params.k_ie[point] * r_e
            - (1 + r_e**2) / (2 * r_e) * params.k_ei[point] * r_i
        )
    return np.asarray(value, dtype=np.float64)


def _hopf_value(found: FoundStates, rows: Any) -> Array:
    """Real part of a state's complex pair (NaN when its eigenvalues are all real, and
    for states within ``BIRTH`` of incoherence: a lagged state born at the Hopf line of
    incoherence inherits its pair there, which is that line, not a new one)."""
    eigenvalues = found.eigenvalues[rows]
    pick = np.argmax(np.abs(eigenvalues.imag), axis=-1)
    chosen = np.take_along_axis(eigenvalues, pick[:, None], axis=-1)[:, 0]
    born = np.maximum(found.r_e[rows], found.r_i[rows]) < BIRTH
    return np.where((np.abs(chosen.imag) > 1e-9) & ~born, chosen.real, np.nan)


def _branch_test(plane: _Plane, kind: int, count: int, rank: int, what: str) -> PointTest:
    """Test function of branch ``rank`` of ``kind`` where there are ``count`` such states
    (NaN elsewhere): ``what`` is ``"hopf"`` or ``"pitchfork"``."""

    def test(px: Array, py: Array) -> Array:
        params = plane.params(px, py)
        found = find_states(params)
        counts, (rows, ranks) = _branch_table(found, params.size, kind)
        out = np.full(params.size, np.nan)
        mine = rows[(ranks == rank) & (counts[found.point[rows]] == count)]
        values = _hopf_value(found, mine) if what == "hopf" else _transverse_eigenvalue(found, params, mine)
        out[found.point[mine]] = values
        return out

    return test


def _count_test(plane: _Plane, kind: int, level: int) -> PointTest:
    def test(px: Array, py: Array) -> Array:
        params = plane.params(px, py)
        found = find_states(params)
        counts, _ = _branch_table(found, params.size, kind)
        return np.asarray(counts - level - 0.5, dtype=np.float64)

    return test


def _bisect_edges(test: PointTest, start: Array, end: Array, iterations: int) -> Array:
    """Fraction along each segment start→end where ``test`` changes sign (the end of
    the final bracket on the positive side)."""
    low, high = np.zeros(len(start)), np.ones(len(start))
    positive_at_start = test(start[:, 0], start[:, 1]) > 0
    for _ in range(iterations):
        middle = 0.5 * (low + high)
        point = start + middle[:, None] * (end - start)
        same = (test(point[:, 0], point[:, 1]) > 0) == positive_at_start
        low = np.where(same, middle, low)
        high = np.where(same, high, middle)
    return np.where(positive_at_start, low, high)


def _refined_contours(
    test: PointTest, values: Array, xs: Array, ys: Array, iterations: int = BISECTIONS
) -> list[Array]:
    """Zero contours of the grid values, each crossing refined by bisection of ``test``."""
    curves = zero_contours(values, xs, ys)
    if not curves:
        return []
    # a crossing lies on a grid edge: refine along that edge (horizontal or vertical)
    points = np.vstack(curves)
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    on_row = np.isclose((points[:, 1] - ys[0]) / dy, np.round((points[:, 1] - ys[0]) / dy))
    i = np.clip(np.floor((points[:, 0] - xs[0]) / dx), 0, xs.size - 2).astype(int)
    j = np.clip(np.floor((points[:, 1] - ys[0]) / dy), 0, ys.size - 2).astype(int)
    row = np.clip(np.round((points[:, 1] - ys[0]) / dy), 0, ys.size - 1).astype(int)
    column = np.clip(np.round((points[:, 0] - xs[0]) / dx), 0, xs.size - 1).astype(int)
    horizontal = on_row[:, None]
    start = np.where(
        horizontal, np.column_stack([xs[i], ys[row]]), np.column_stack([xs[column], ys[j]])
    )
    end = np.where(
        horizontal, np.column_stack([xs[i + 1], ys[row]]), np.column_stack([xs[column], ys[j + 1]])
    )
    t = _bisect_edges(test, start, end, iterations)
    refined = start + t[:, None] * (end - start)
    out, offset = [], 0
    for curve in curves:
        out.append(refined[offset : offset + len(curve)])
        offset += len(curve)
    return out


def _split(curve: Array, keep: NDArray[np.bool_]) -> list[Array]:
    """Runs of consecutive kept points (at least two)."""
    pieces: list[Array] = []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], keep.astype(int), [0]])))
    for begin, stop in zip(edges[::2], edges[1::2], strict=True):
        if stop - begin >= 2:
            pieces.append(curve[begin:stop])
    return pieces


def _lagged_count_curves(
    plane: _Plane, counts: NDArray[np.intp], xs: Array, ys: Array
) -> tuple[list[Array], list[Array]]:
    """Curves where the number of lagged pairs changes: (folds, pitchforks)."""
    folds: list[Array] = []
    pitchforks: list[Array] = []
    grid = counts.reshape(ys.size, xs.size)
    for level in range(int(grid.max())):
        test = _count_test(plane, LAGGED, level)
        shifted = np.asarray(grid - level - 0.5, dtype=np.float64)
        for curve in _refined_contours(test, shifted, xs, ys):
            # what vanishes on the side with more states, right next to the curve?
            params = plane.params(curve[:, 0], curve[:, 1])
            found = find_states(params)
            lagged = (found.kind == LAGGED) & (found.psi > 0)
            kind = np.zeros(len(curve), dtype=int)  # 0 fold, 1 pitchfork, 2 incoherence
            for k in range(len(curve)):
                mine = lagged & (found.point == k)
                if not np.any(mine):
                    kind[k] = -1
                    continue
                r_e, psi = found.r_e[mine], found.psi[mine]
                gap = float(np.min(np.diff(np.sort(r_e)))) if r_e.size > 1 else np.inf
                indicators = [gap, float(psi.min()), float(r_e.min())]
                kind[k] = int(np.argmin(indicators)) if min(indicators) < 1e-2 else -1
            folds += _split(curve, kind == 0)
            pitchforks += _split(curve, kind == 1)
    return folds, pitchforks


def _homoclinic(
    plane: _Plane, xs: Array, ys: Array
) -> tuple[list[Array], list[Array]]:
    """Edges of the oscillating region where the cycle keeps a finite size."""
    px, py = np.meshgrid(xs, ys)
    params = plane.params(px.ravel(), py.ravel())
    growth = _incoherence_growth(params)
    every = np.ones(params.size, dtype=bool)
    oscillating, _ = find_oscillating(params, every, growth)

    def test(qx: Array, qy: Array) -> Array:
        sub = plane.params(qx, qy)
        found, _ = find_oscillating(sub, np.ones(sub.size, dtype=bool), _incoherence_growth(sub))
        return found.astype(float) - 0.5

    curves: list[Array] = []
    periods: list[Array] = []
    values = oscillating.reshape(ys.size, xs.size).astype(float) - 0.5
    for curve in _refined_contours(test, values, xs, ys, HOMOCLINIC_BISECTIONS):
        swing, period = _cycle_at(plane, curve)
        at = plane.params(curve[:, 0], curve[:, 1])
        from ._families import incoherence_eigenvalues_grid

        frequency = np.abs(incoherence_eigenvalues_grid(at)[:, 0].imag)
        with np.errstate(divide="ignore"):
            onset_period = np.where(frequency > 0, np.pi / frequency, np.inf)
        long = np.where(np.isnan(period), True, period > PERIOD_GROWTH * onset_period)
        keep = (swing > 0) & long
        for piece in _split(np.column_stack([curve, period]), keep):
            curves.append(piece[:, :2])
            periods.append(piece[:, 2])
    return curves, periods


def _incoherence_growth(params: GridParameters) -> Array:
    from ._families import incoherence_eigenvalues_grid

    return np.asarray(incoherence_eigenvalues_grid(params).real[:, 0], dtype=np.float64)


def _cycle_at(plane: _Plane, points: Array) -> tuple[Array, Array]:
    """Swing of r and period of the oscillation at each point (0 and NaN if none)."""
    params = plane.params(points[:, 0], points[:, 1])
    starts = 4
    owner = np.repeat(np.arange(params.size), starts)
    rng = np.random.default_rng(0)
    radius = 0.95 * np.sqrt(rng.random((2, starts)))
    random = radius * np.exp(2j * np.pi * rng.random((2, starts)))
    z_e = np.tile(random[0], params.size)
    z_i = np.tile(random[1], params.size)
    z_e[::starts], z_i[::starts] = 0.01, 0.01 * np.exp(1j)
    result = screen(take(params, owner), z_e, z_i)
    swing = np.zeros(params.size)
    period = np.full(params.size, np.nan)
    for k in range(params.size):
        mine = np.flatnonzero((owner == k) & (result.outcome == OSCILLATING))
        if mine.size == 0:
            continue
        best = mine[np.argmax(result.r_e_max[mine] - result.r_e_min[mine])]
        swing[k] = max(
            result.r_e_max[best] - result.r_e_min[best], result.r_i_max[best] - result.r_i_min[best]
        )
        flow = PointFlow(take(params, np.array([k])))
        x0 = np.array(
            [
                result.z_e[best].real,
                result.z_e[best].imag,
                result.z_i[best].real,
                result.z_i[best].imag,
            ]
        )
        t, rec_e, rec_i = flow.record(x0, 60.0, time_step(flow.params))
        estimate = estimate_period(t, rec_e, rec_i)
        if estimate is not None:
            period[k] = estimate[1]
    return swing, period


def bifurcation_curves(
    x: str = "k_ee",
    x_values: ArrayLike | None = None,
    y: str = "k_ii",
    y_values: ArrayLike | None = None,
    *,
    n_grid: int = 101,
    homoclinic: bool = True,
    noise_treatment: str = "auto",
    **fixed: float,
) -> BifurcationCurves:
    """Every bifurcation curve of the mean-field equations in an (x, y) plane.

    See the module docstring for the curves and the method. The plane spans the ranges
    of ``x_values`` and ``y_values`` on an ``n_grid × n_grid`` grid; each crossing of a
    grid edge is refined by bisection, so the points lie on the curves to ~1e-9 (the
    homoclinic curves to the resolution of the integrations, ~1e-3), while the grid
    decides which pieces are found. Cost: a few seconds, plus 10–60 s for the
    homoclinic curves (``homoclinic=False`` skips them).

    Parameters
    ----------
    x, y
        Axis parameters (any two of ``k_ee, k_ei, k_ie, k_ii, width_e, width_i,
        noise_e, noise_i``).
    x_values, y_values
        Values whose ranges the plane spans.
    n_grid
        Grid points per axis.
    homoclinic
        Locate the homoclinic curves (integrations over the whole plane).
    noise_treatment
        With noise, the curves are those of the Ott–Antonsen equations with
        Δ → Δ + D (the quick treatment; noted); ``boundaries`` follows its own rules.
    **fixed
        The other parameters, as for :func:`phase_diagram`.

    Returns
    -------
    BifurcationCurves

    Examples
    --------
    >>> import numpy as np, eikura as ek
    >>> curves = ek.theory.bifurcation_curves(
    ...     "k_ee", np.linspace(3, 7, 2), "k_ii", np.linspace(0, 4, 2), k_ei=1.0, k_ie=12.0,
    ...     n_grid=41, homoclinic=False)
    >>> (piece,) = curves.pitchfork  # lagged states branch off the in-phase state
    >>> bottom = piece[np.argmin(piece[:, 1])]
    >>> round(float(bottom[0]), 3), round(float(bottom[1]), 3)
    (6.01, 0.0)
    """
    x = check_axis("x", x)
    y = check_axis("y", y)
    if x == y:
        raise ValueError(f"y: must differ from x ({x!r})")
    if x_values is None or y_values is None:
        raise TypeError("x_values: required, and y_values (the ranges of the plane)")
    x_values = check_finite_array("x_values", x_values, ndim=1)
    y_values = check_finite_array("y_values", y_values, ndim=1)
    if x_values.size == 0 or y_values.size == 0:
        raise ValueError("x_values: the axes must not be empty")
    n_grid = check_int("n_grid", n_grid, minimum=8, maximum=2000)
    homoclinic = check_bool("homoclinic", homoclinic)
    xs = np.linspace(float(x_values.min()), float(x_values.max()), n_grid)
    ys = np.linspace(float(y_values.min()), float(y_values.max()), n_grid)
    arrays = grid_arrays(x, xs, y, ys, dict(fixed))
    any_noise = bool(np.any(arrays["noise_e"] > 0) or np.any(arrays["noise_i"] > 0))
    treatment = resolve_noise_treatment(float(any_noise), 0.0, noise_treatment)
    check_choice("noise_treatment", noise_treatment, ("auto", "quick", "fokker-planck"))
    constants = {name: float(arrays[name].flat[0]) for name in AXES if name not in (x, y)}
    plane = _Plane(x, y, constants, quick=treatment != NOISE_NONE)
    notes: list[str] = []
    if treatment != NOISE_NONE:
        notes.append(
            "with noise: curves of the Ott–Antonsen equations with Δ → Δ + D (approximate)"
        )

    px, py = np.meshgrid(xs, ys)
    params = plane.params(px.ravel(), py.ravel())
    found = find_states(params)
    hopf: dict[int, list[Array]] = {IN_PHASE_CODE: [], LAGGED: []}
    pitchfork: list[Array] = []
    for kind in (IN_PHASE_CODE, LAGGED):
        counts, (rows, ranks) = _branch_table(found, params.size, kind)
        for count in np.unique(counts[counts > 0]):
            for rank in range(int(count)):
                mine = rows[(ranks == rank) & (counts[found.point[rows]] == count)]
                for what in ("hopf", "pitchfork") if kind == IN_PHASE_CODE else ("hopf",):
                    grid = np.full(params.size, np.nan)
                    if what == "hopf":
                        grid[found.point[mine]] = _hopf_value(found, mine)
                    else:
                        grid[found.point[mine]] = _transverse_eigenvalue(found, params, mine)
                    test = _branch_test(plane, kind, int(count), rank, what)
                    pieces = _refined_contours(test, grid.reshape(ys.size, xs.size), xs, ys)
                    (hopf[kind] if what == "hopf" else pitchfork).extend(pieces)
    lagged_counts, _ = _branch_table(found, params.size, LAGGED)
    lagged_folds, lagged_births = _lagged_count_curves(plane, lagged_counts, xs, ys)
    # the pitchfork is found twice (λ_ψ = 0, and lagged states appearing): keep λ_ψ's
    del lagged_births
    homoclinic_curves: list[Array] = []
    homoclinic_periods: list[Array] = []
    if homoclinic:
        homoclinic_curves, homoclinic_periods = _homoclinic(plane, xs, ys)
    # pieces of one curve cut where its branch's count changes within a cell: join them
    # when their ends are within two grid steps (in units of each axis)
    scale = np.array([xs[1] - xs[0], ys[1] - ys[0]])

    def joined(pieces: list[Array]) -> tuple[Array, ...]:
        scaled = join_pieces([p / scale for p in pieces], 2.0)
        # a piece of no length is a grid point exactly on the curve, not a curve
        return tuple(p * scale for p in scaled if np.ptp(p, axis=0).max() > 1e-6)

    return BifurcationCurves(
        x,
        y,
        boundaries(x, xs, y, noise_treatment=noise_treatment, **cast(dict[str, Any], fixed)),
        joined(hopf[IN_PHASE_CODE]),
        joined(hopf[LAGGED]),
        joined(pitchfork),
        joined(lagged_folds),
        tuple(homoclinic_curves),
        tuple(homoclinic_periods),
        tuple(notes),
    )


# ---------------------------------------------------------- one-parameter diagrams


@dataclass(frozen=True)
class BifurcationDiagram:
    """Every steady state and every stable limit cycle along one parameter.

    Steady states are rows of the ``state_*`` arrays (one row per state and value;
    of a lagged mirror pair only the ψ > 0 member), cycles rows of the ``cycle_*`` arrays.

    Attributes
    ----------
    parameter
        The parameter varied.
    values
        Its values.
    labels
        The label at each value (from every attractor, as :func:`classify`).
    state_value, state_kind, state_r_e, state_r_i, state_stable
        Steady states: value, kind (``"incoherent"``, ``"in-phase"``, ``"lagged"``),
        order parameters, stability.
    cycle_value, cycle_r_e_min, cycle_r_e_max, cycle_r_i_min, cycle_r_i_max, cycle_period
        Stable limit cycles: value, range of r_E and r_I, period (from the integration).
    fixed
        The other parameters.
    """

    parameter: str
    values: Array
    labels: tuple[str, ...]
    state_value: Array
    state_kind: tuple[str, ...]
    state_r_e: Array
    state_r_i: Array
    state_stable: NDArray[np.bool_]
    cycle_value: Array
    cycle_r_e_min: Array
    cycle_r_e_max: Array
    cycle_r_i_min: Array
    cycle_r_i_max: Array
    cycle_period: Array
    fixed: dict[str, float] = field(default_factory=dict)


def _diagram_cycles(
    params: GridParameters, found: FoundStates, growth: Array, n_random: int
) -> list[tuple[int, float, float, float, float, float]]:
    """(index, r_e_min, r_e_max, r_i_min, r_i_max, period) of every distinct stable
    oscillation, from starts next to unstable states and random starts."""
    rng = np.random.default_rng(0)
    owners, starts_e, starts_i = [], [], []
    unstable = np.flatnonzero(found.max_growth > MARGINAL_TOLERANCE)
    for row in unstable:
        for _ in range(2):
            kick = 0.01 * rng.normal(size=4)
            owners.append(found.point[row])
            starts_e.append(found.r_e[row] + complex(kick[0], kick[1]))
            centre_i = found.r_i[row] * np.exp(1j * found.psi[row])
            starts_i.append(centre_i + complex(kick[2], kick[3]))
    for k in np.flatnonzero(growth > MARGINAL_TOLERANCE):
        owners.append(k)
        starts_e.append(0.01 + 0j)
        starts_i.append(0.01 * np.exp(1j))
    radius = 0.95 * np.sqrt(rng.random((2, n_random)))
    random = radius * np.exp(2j * np.pi * rng.random((2, n_random)))
    owner = np.concatenate(
        [np.array(owners, dtype=np.intp), np.repeat(np.arange(params.size), n_random)]
    )
    z_e = np.concatenate([np.array(starts_e, dtype=complex), np.tile(random[0], params.size)])
    z_i = np.concatenate([np.array(starts_i, dtype=complex), np.tile(random[1], params.size)])
    for values in (z_e, z_i):
        outside = np.abs(values) > 0.999
        values[outside] *= 0.999 / np.abs(values[outside])
    result = screen(take(params, owner), z_e, z_i)
    extremes = np.stack(
        [result.r_e_min, result.r_e_max, result.r_i_min, result.r_i_max], axis=-1
    )
    out: list[tuple[int, float, float, float, float, float]] = []
    for k in np.unique(owner[result.outcome == OSCILLATING]):
        mine = np.flatnonzero((owner == k) & (result.outcome == OSCILLATING))
        distinct: list[int] = []
        for m in mine:  # oscillations whose extremes differ by more than 0.01 are distinct
            if all(np.max(np.abs(extremes[m] - extremes[d])) > 0.01 for d in distinct):
                distinct.append(int(m))
        flow = PointFlow(take(params, np.array([k])))
        for d in distinct:
            x0 = np.array(
                [result.z_e[d].real, result.z_e[d].imag, result.z_i[d].real, result.z_i[d].imag]
            )
            t, rec_e, rec_i = flow.record(x0, 60.0, time_step(flow.params))
            estimate = estimate_period(t, rec_e, rec_i)
            period = estimate[1] if estimate is not None else np.nan
            low_e, high_e, low_i, high_i = (float(v) for v in extremes[d])
            out.append((int(k), low_e, high_e, low_i, high_i, float(period)))
    return out


def bifurcation_diagram(
    parameter: str,
    values: ArrayLike,
    *,
    n_random: int = 8,
    **fixed: float,
) -> BifurcationDiagram:
    """Steady states and stable limit cycles along one parameter (Ott–Antonsen).

    Steady states: all values at once, exactly (as :func:`phase_diagram`). Cycles: the
    trajectories of every value, started next to each unstable state and from
    ``n_random`` random points, integrated in one batch; every distinct oscillation
    gives a row with its range of ``r_E``, ``r_I`` and its period. Unstable cycles are
    not found (integration only reaches attractors).

    Parameters
    ----------
    parameter
        The parameter varied (one of ``k_ee, k_ei, k_ie, k_ii, width_e, width_i``;
        noise axes with the quick treatment Δ → Δ + D).
    values
        Its values (1-D, finite).
    n_random
        Random starts per value.
    **fixed
        The other parameters (every coupling not varied is required; widths default to
        1, noise to 0 and enters as Δ → Δ + D).

    Returns
    -------
    BifurcationDiagram
    """
    parameter = check_axis("parameter", parameter)
    values = check_finite_array("values", values, ndim=1)
    if values.size == 0:
        raise ValueError("values: must not be empty")
    n_random = check_int("n_random", n_random, minimum=0, maximum=10_000)
    # grid_arrays checks a plane: use a noise axis held at its value as the second axis
    other = "noise_i" if parameter != "noise_i" else "noise_e"
    rest = dict(fixed)
    level = float(rest.pop(other, 0.0))
    arrays = grid_arrays(parameter, values, other, np.array([level]), rest)
    arrays = {name: a[0] for name, a in arrays.items()}
    params = GridParameters(
        arrays["k_ee"],
        arrays["k_ei"],
        arrays["k_ie"],
        arrays["k_ii"],
        arrays["width_e"] + arrays["noise_e"],
        arrays["width_i"] + arrays["noise_i"],
    )
    found = find_states(params)
    growth = _incoherence_growth(params)
    keep = ~((found.kind == LAGGED) & (found.psi < 0))
    rows = np.flatnonzero(keep)
    kinds = {IN_PHASE_CODE: "in-phase", LAGGED: "lagged"}
    state_value = np.concatenate([values, values[found.point[rows]]])
    state_kind = ("incoherent",) * values.size + tuple(
        kinds.get(int(k), "anti-phase") for k in found.kind[rows]
    )
    state_r_e = np.concatenate([np.zeros(values.size), found.r_e[rows]])
    state_r_i = np.concatenate([np.zeros(values.size), found.r_i[rows]])
    state_stable = np.concatenate(
        [growth < -STABILITY_TOLERANCE, found.max_growth[rows] < -STABILITY_TOLERANCE]
    )
    cycles = _diagram_cycles(params, found, growth, n_random)
    synchronized_stable = np.zeros(values.size, dtype=bool)
    synchronized_stable[found.point[found.max_growth < -STABILITY_TOLERANCE]] = True
    oscillating = np.zeros(values.size, dtype=bool)
    for cycle in cycles:
        oscillating[cycle[0]] = True
    codes = label_codes(growth, synchronized_stable, oscillating)
    table = np.array(cycles, dtype=float).reshape(-1, 6)
    return BifurcationDiagram(
        parameter,
        values,
        tuple(LABELS[int(c)] for c in codes),
        state_value,
        state_kind,
        state_r_e,
        state_r_i,
        np.asarray(state_stable, dtype=bool),
        values[table[:, 0].astype(int)],
        table[:, 1],
        table[:, 2],
        table[:, 3],
        table[:, 4],
        table[:, 5],
        {name: float(arrays[name][0]) for name in AXES if name != parameter},
    )


def plot_bifurcation_diagram(
    diagram: BifurcationDiagram, population: str = "e", ax: Any = None
) -> Any:
    """Draw a :class:`BifurcationDiagram`: ``r`` of every attractor against the parameter.

    Stable steady states as solid dots, unstable ones as open dots (colours by kind),
    stable limit cycles as the band between their lowest and highest ``r`` (bars at
    each value, with the extremes marked). ``population``: ``"e"`` or ``"i"``.
    Returns the matplotlib axes.
    """
    population = check_choice("population", population, ("e", "i"))
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 4.5))
    r = diagram.state_r_e if population == "e" else diagram.state_r_i
    colours = {
        "incoherent": "#1f77b4",
        "in-phase": "#d62728",
        "lagged": "#2ca02c",
        "anti-phase": "#8c564b",
    }
    for kind, colour in colours.items():
        mine = np.array([k == kind for k in diagram.state_kind], dtype=bool)
        if not np.any(mine):
            continue
        stable = mine & diagram.state_stable
        unstable = mine & ~diagram.state_stable
        if np.any(stable):
            ax.plot(
                diagram.state_value[stable], r[stable], "o", ms=2.5, color=colour,
                label=f"{kind} (stable)",
            )
        if np.any(unstable):
            ax.plot(
                diagram.state_value[unstable], r[unstable], "o", ms=2.5, mfc="none", mew=0.6,
                color=colour, alpha=0.6, label=f"{kind} (unstable)",
            )
    if diagram.cycle_value.size:
        low = diagram.cycle_r_e_min if population == "e" else diagram.cycle_r_i_min
        high = diagram.cycle_r_e_max if population == "e" else diagram.cycle_r_i_max
        ax.vlines(diagram.cycle_value, low, high, color="#ff7f0e", alpha=0.35, lw=2)
        ax.plot(
            diagram.cycle_value, high, "v", ms=3, color="#ff7f0e", label="limit cycle (max, min)"
        )
        ax.plot(diagram.cycle_value, low, "^", ms=3, color="#ff7f0e")
    symbol = {"k_ee": "K_{EE}", "k_ei": "K_{EI}", "k_ie": "K_{IE}", "k_ii": "K_{II}"}.get(
        diagram.parameter, diagram.parameter.replace("_", r"\_")
    )
    ax.set_xlabel(f"${symbol}$")
    ax.set_ylabel(f"$r_{population.upper()}$")
    ax.set_ylim(-0.02, 1.02)
    fixed = ", ".join(f"{k}={v:g}" for k, v in diagram.fixed.items() if k.startswith("k_"))
    ax.set_title(f"attractors of the mean-field equations ({fixed})", fontsize=9)
    ax.legend(fontsize=7, loc="best")
    return ax
