"""Limit cycles across a whole phase diagram, all grid points integrated together.

The census (``census.py``) integrates two dozen starts per point; a 200×200 diagram
cannot afford that everywhere, and does not need it. A stable limit cycle of the
reduced equations has to go round something that pushes trajectories outwards in at
least two directions — in every plane we scanned point by point (K_EI, K_IE =
(1, 12), (2, 30), (5, 10), (3, 20), (6, 6), (10, 10), (9.5, 5.4), (13.9, 4.99),
(20, 5)) the cycles surround an incoherent state that is an unstable focus or node.
So only **candidate** points are integrated:

* some steady state repels in two or more directions (incoherence with both
  eigenvalues of ``M`` in the right half-plane, or a synchronized state with two or
  more eigenvalues there), widened by ``DILATION`` grid cells in each direction to catch
  cycles that outlive the repelling state a little (subcritical onsets, homoclinic ends);
* and the fixed-point label is not already ``"other"`` (a cycle cannot change it).

Each candidate is started next to incoherence (when incoherence is unstable) and from
``N_RANDOM`` fixed random points in the disc, and every trajectory of every candidate is
advanced in one batch (``_flow.screen``). A point is oscillating when some trajectory
repeats an oscillation. The tests compare the outcome with the full census, point by
point, on coarse grids.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ._families import FoundStates, GridParameters
from ._flow import OSCILLATING, UNDECIDED, screen, take
from ._labels import MARGINAL_TOLERANCE, OTHER
from .states import STABILITY_TOLERANCE

__all__ = ["cycle_candidates", "find_oscillating", "DILATION", "N_RANDOM"]

DILATION = 2
N_RANDOM = 3
NEAR_INCOHERENCE = 0.01
SEED = 0


def cycle_candidates(
    shape: tuple[int, ...],
    incoherence_eigenvalues: NDArray[np.complex128],
    found: FoundStates,
    codes: NDArray[np.int8],
) -> NDArray[np.bool_]:
    """Grid points (flattened) where a limit cycle is searched (see the module docstring)."""
    from scipy.ndimage import binary_dilation

    size = int(np.prod(shape))
    repelling = incoherence_eigenvalues.real[:, 1] > MARGINAL_TOLERANCE
    unstable_directions = np.sum(found.eigenvalues.real > STABILITY_TOLERANCE, axis=-1)
    repelling[found.point[unstable_directions >= 2]] = True
    grid = repelling.reshape(shape)
    if len(shape) == 2 and DILATION > 0:
        structure = np.ones((2 * DILATION + 1, 2 * DILATION + 1), dtype=bool)
        grid = binary_dilation(grid, structure=structure)
    return np.asarray(grid.reshape(size) & (codes.reshape(size) != OTHER))


def find_oscillating(
    params: GridParameters,
    candidates: NDArray[np.bool_],
    incoherence_growth: NDArray[np.float64],
    t_max: float = 300.0,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """``(oscillating, undecided)`` per grid point: some trajectory repeats an oscillation,
    or some trajectory had not decided by ``t_max`` (neither counts for the other)."""
    size = params.size
    points = np.flatnonzero(candidates)
    rng = np.random.default_rng(SEED)
    radius = 0.95 * np.sqrt(rng.random((2, N_RANDOM)))
    random = radius * np.exp(2j * np.pi * rng.random((2, N_RANDOM)))
    owners = [np.repeat(points, N_RANDOM)]
    starts_e = [np.tile(random[0], points.size)]
    starts_i = [np.tile(random[1], points.size)]
    near = points[incoherence_growth[points] > MARGINAL_TOLERANCE]
    owners.append(near)
    starts_e.append(np.full(near.size, NEAR_INCOHERENCE, dtype=complex))
    starts_i.append(np.full(near.size, NEAR_INCOHERENCE * np.exp(1j), dtype=complex))
    owner = np.concatenate(owners)
    oscillating = np.zeros(size, dtype=bool)
    undecided = np.zeros(size, dtype=bool)
    if owner.size == 0:
        return oscillating, undecided
    result = screen(
        take(params, owner), np.concatenate(starts_e), np.concatenate(starts_i), t_max=t_max
    )
    oscillating[owner[result.outcome == OSCILLATING]] = True
    undecided[owner[result.outcome == UNDECIDED]] = True
    return oscillating, undecided & ~oscillating
