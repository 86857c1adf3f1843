"""Theory labels on a whole grid of parameter points with phase lags.

The vectorised steady-state search of ``_families`` rests on the reflection symmetry
``z → conj(z)`` that phase lags break, so with lags every grid point is integrated
instead, all points together in one batch (``_flow.screen``, RK4 in the frame turning at
the common centre; a state that turns at a shifted collective frequency is steady there
because the screening judges only rotation invariants). Per point:

* **incoherence**: its stability is exact, from the complex 2×2 linearisation
  ``dz_X/dt = −Δ_X z_X + ½ Σ_Y σ_XY z_Y`` (``σ_XY = ±K_XY e^{−iα_XY}``);
* **starts**: next to incoherence where it is unstable, near the in-phase and the
  anti-phase configurations ``(0.9, ±0.9)``, near the two one-sided configurations
  ``(0.9, 0.1)`` and ``(0.1, 0.9)`` (where one population locks and the other does not:
  chimeras), and ``N_RANDOM`` fixed random points in the disc;
* a start that settles with ``max(r_E, r_I) > SYNCHRONIZED_LEVEL`` has found a stable
  synchronized steady state (in-phase, lagged or rotating), one that repeats an
  oscillation a limit cycle.

The labels then follow ``_labels.label_codes``. A stable synchronized state or cycle
that none of the starts reaches is missed (the census, ``eikura.theory.attractors``,
starts more trajectories at one point); the tests compare grid and census point by point.

A 2-D grid is integrated coarse first (every ``STRIDE``-th point), then only where the
coarse labels around a point disagree or incoherence's stability differs from theirs:
the labels are piecewise constant, so this integrates the boundaries and not the
interiors of the regions (a region smaller than the coarse spacing can be missed).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._families import GridParameters
from ._flow import OSCILLATING, STEADY, UNDECIDED, screen, take
from ._labels import MARGINAL_TOLERANCE, label_codes
from ._params import NOISE_FOKKER_PLANCK, NOISE_QUICK

__all__ = ["lagged_incoherence_growth", "lagged_grid_labels", "lagged_labels_grid", "N_RANDOM"]

N_RANDOM = 2
SEED = 0
NEAR_INCOHERENCE = 0.01
# A settled start with an order parameter above this is on a synchronized state
# (the onset branch has r ~ sqrt(distance to threshold): 1e-3 is 1e-6 from it).
SYNCHRONIZED_LEVEL = 1e-3
FIXED_STARTS = ((0.9, 0.9), (0.9, -0.9), (0.9, 0.1), (0.1, 0.9))
# Spacing of the coarse grid integrated first (see ``lagged_grid_labels``).
STRIDE = 4


def lagged_incoherence_growth(params: GridParameters) -> NDArray[np.float64]:
    """Largest real part of incoherence's eigenvalues, per point (closed form).

    ``params.width_e``, ``width_i`` are the widths seen by incoherence (Δ + D).
    """
    k_ee, k_ei, k_ie, k_ii = params.couplings()
    a = -params.width_e + 0.5 * k_ee
    d = -params.width_i - 0.5 * k_ii
    b, c = -0.5 * k_ei, 0.5 * k_ie
    half_trace = 0.5 * (a + d)
    root = np.sqrt(0.25 * (a - d) ** 2 + b * c + 0j)
    growth: NDArray[np.float64] = np.maximum((half_trace + root).real, (half_trace - root).real)
    return growth


def _starts(points: NDArray[np.intp], unstable: NDArray[np.intp]
            ) -> tuple[NDArray[np.intp], NDArray[np.complex128], NDArray[np.complex128]]:
    """Owner point and ``(z_E, z_I)`` of every start (see the module docstring)."""
    rng = np.random.default_rng(SEED)
    radius = 0.95 * np.sqrt(rng.random((2, N_RANDOM)))
    random = radius * np.exp(2j * np.pi * rng.random((2, N_RANDOM)))
    fixed = np.array(FIXED_STARTS, dtype=complex).T
    # a small common twist keeps starts off the invariant lines of special cases
    fixed[1] *= np.exp(0.1j)
    per_point = np.concatenate([fixed, random], axis=1)
    owners = [np.repeat(points, per_point.shape[1]), unstable]
    starts_e = [np.tile(per_point[0], points.size),
                np.full(unstable.size, NEAR_INCOHERENCE, dtype=complex)]
    starts_i = [np.tile(per_point[1], points.size),
                np.full(unstable.size, NEAR_INCOHERENCE * np.exp(1j), dtype=complex)]
    return np.concatenate(owners), np.concatenate(starts_e), np.concatenate(starts_i)


def _coarse_points(shape: tuple[int, ...]) -> tuple[NDArray[np.intp], list[NDArray[np.intp]]]:
    """Flat indices of the coarse grid (every ``STRIDE``-th row and column, and the last)
    and, per axis, the coarse rows/columns below and above every fine one."""
    axes = [np.unique(np.r_[np.arange(0, n, STRIDE), n - 1]) for n in shape]
    mesh = np.meshgrid(*axes, indexing="ij")
    coarse = np.ravel_multi_index(tuple(m.ravel() for m in mesh), shape)
    brackets = []
    for n, axis in zip(shape, axes, strict=True):
        upper = np.searchsorted(axis, np.arange(n))
        lower = np.where(axis[np.minimum(upper, axis.size - 1)] == np.arange(n), upper, upper - 1)
        brackets += [axis[lower], axis[np.minimum(upper, axis.size - 1)]]
    return np.asarray(coarse, dtype=np.intp), brackets


def lagged_grid_labels(
    params: GridParameters, incoherence_growth: NDArray[np.float64], cycles: bool,
    shape: tuple[int, ...], t_max: float = 300.0,
) -> tuple[NDArray[np.int8], dict[str, Any]]:
    """Label codes per point (flattened) and a record of the integration.

    ``params`` carries the lags and the widths of the flow; ``cycles=False`` ignores the
    oscillations found (labels of the steady states alone). On a 2-D grid the points of a
    coarse grid (every ``STRIDE``-th) are integrated first; a fine point is integrated
    too unless the four coarse corners around it agree on the label and on the
    stability of incoherence with it (then it takes their label).
    """
    size = params.size
    if len(shape) != 2 or min(shape) <= 2 * STRIDE:
        codes, record = _integrated_labels(params, np.arange(size), incoherence_growth,
                                           cycles, t_max)
        return codes, {**record, "points_integrated": size}
    coarse, (row_low, row_high, col_low, col_high) = _coarse_points(shape)
    codes = np.full(size, -1, dtype=np.int8)
    coarse_codes, record = _integrated_labels(params, coarse, incoherence_growth, cycles, t_max)
    codes[coarse] = coarse_codes
    grid = codes.reshape(shape)
    corners = np.stack([grid[np.ix_(row_low, col_low)], grid[np.ix_(row_low, col_high)],
                        grid[np.ix_(row_high, col_low)], grid[np.ix_(row_high, col_high)]])
    stable = (incoherence_growth > MARGINAL_TOLERANCE).reshape(shape)
    stable_corners = np.stack([stable[np.ix_(row_low, col_low)], stable[np.ix_(row_low, col_high)],
                               stable[np.ix_(row_high, col_low)],
                               stable[np.ix_(row_high, col_high)]])
    uniform = (np.all(corners == corners[0], axis=0)
               & np.all(stable_corners == stable[None], axis=0)).ravel()
    uniform[coarse] = True
    codes[uniform & (codes < 0)] = corners[0].ravel()[uniform & (codes < 0)]
    rest = np.flatnonzero(~uniform)
    if rest.size:
        rest_codes, rest_record = _integrated_labels(params, rest, incoherence_growth, cycles,
                                                     t_max)
        codes[rest] = rest_codes
        for key in ("starts_integrated", "oscillating_points", "undecided_points"):
            record[key] += rest_record[key]
    return codes, {**record, "points_integrated": int(coarse.size + rest.size)}


def _integrated_labels(
    params: GridParameters, points: NDArray[np.intp], incoherence_growth: NDArray[np.float64],
    cycles: bool, t_max: float,
) -> tuple[NDArray[np.int8], dict[str, Any]]:
    """Label codes of ``points`` (flat indices) from their integrated starts."""
    size = points.size
    params = take(params, points)
    incoherence_growth = incoherence_growth[points]
    local = np.arange(size)
    unstable = local[incoherence_growth > MARGINAL_TOLERANCE]
    owner, z_e, z_i = _starts(local, unstable)
    result = screen(take(params, owner), z_e, z_i, t_max=t_max)
    level = np.maximum(np.abs(result.z_e), np.abs(result.z_i))
    settled_high = (result.outcome == STEADY) & (level > SYNCHRONIZED_LEVEL)
    synchronized_stable = np.zeros(size, dtype=bool)
    synchronized_stable[owner[settled_high]] = True
    oscillating = np.zeros(size, dtype=bool)
    oscillating[owner[result.outcome == OSCILLATING]] = True
    undecided = np.zeros(size, dtype=bool)
    undecided[owner[result.outcome == UNDECIDED]] = True
    codes = label_codes(incoherence_growth, synchronized_stable, oscillating & cycles)
    record: dict[str, Any] = {
        "cycle_search": "on" if cycles else "off",
        "starts_integrated": int(owner.size),
        "oscillating_points": int(oscillating.sum()),
        "undecided_points": int((undecided & ~oscillating).sum()),
    }
    return codes, record


def lagged_labels_grid(
    arrays: dict[str, NDArray[np.float64]], treatment: str, cycles: bool,
    lags: tuple[float, ...],
) -> tuple[NDArray[np.int8], dict[str, Any]]:
    """Label codes on a grid with phase lags, from integrations (``_lagged_grid``)."""
    if treatment == NOISE_FOKKER_PLANCK:
        raise ValueError("phase_lag: with noise, phase lags need noise_treatment='quick' "
                         "(Δ → Δ + D); the Fokker–Planck treatment does not take lags yet")
    shape = arrays["k_ee"].shape
    quick = treatment == NOISE_QUICK
    k_ee, k_ei, k_ie, k_ii = (arrays[name] for name in ("k_ee", "k_ei", "k_ie", "k_ii"))
    params = GridParameters(
        k_ee, k_ei, k_ie, k_ii,
        arrays["width_e"] + (arrays["noise_e"] if quick else 0.0),
        arrays["width_i"] + (arrays["noise_i"] if quick else 0.0),
        lags,
    )
    incoherence = GridParameters(
        k_ee, k_ei, k_ie, k_ii,
        arrays["width_e"] + arrays["noise_e"],
        arrays["width_i"] + arrays["noise_i"],
        lags,
    )
    codes, record = lagged_grid_labels(params, lagged_incoherence_growth(incoherence), cycles,
                                       shape)
    return codes.reshape(shape), record
