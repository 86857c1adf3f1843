"""Batched time integration of the Ott–Antonsen equations, for the attractor census.

Many trajectories (several starts at each of many parameter points) are advanced
together by classical RK4 in NumPy, in the frame turning at the common centre of the
frequency distributions (``ν_E = ν_I = 0``). Nothing is reduced to (r_E, r_I, ψ): those
coordinates are singular where an order parameter passes through 0, which the standing
oscillations of this model do (``r_E`` between 0 and 0.145 at ``K = (4.6, 1, 12, 0.3)``).
Convergence is judged on quantities that the common rotation ``z → e^{iα} z`` leaves
unchanged: ``r_E``, ``r_I`` and ``c = z_I conj(z_E)`` (so ``ψ = arg c``).

Each trajectory ends in one of three outcomes, decided window by window:

* ``STEADY`` — the invariants have stopped moving: their rate of change over the last
  step, ``|Δ(r_E², r_I², c)|/dt``, is below ``STEADY_SPEED`` (a steady state of the
  reduced system, possibly rotating);
* ``OSCILLATING`` — ``r_E²`` or ``r_I²`` still swings by more than ``MIN_SWING`` and
  both revisit the same extremes: the lowest and highest values of two consecutive
  windows agree within ``REPEAT_TOLERANCE`` times the swing (extremes refined between
  samples, see ``_window``). A trajectory spiralling into a
  focus at rate σ moves its extremes by about ``σ · window`` times the swing per window,
  one that drifts slowly past the ghost of a lost state by the whole swing, one on a
  limit cycle not at all;
* ``UNDECIDED`` — neither by ``t_max``: a focus decaying slower than about
  ``REPEAT_TOLERANCE / window`` (near a Hopf bifurcation), a cycle whose period exceeds
  the window (near a homoclinic one), or a slow approach to either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._equations import oa_rhs
from ._families import GridParameters

Array = NDArray[np.float64]
Complex = NDArray[np.complex128]

STEADY, OSCILLATING, UNDECIDED = 0, 1, 2
STEADY_SPEED = 1e-7
MIN_SWING = 1e-6  # in r², i.e. swings of r above ~1e-3
REPEAT_TOLERANCE = 0.01


def time_step(params: GridParameters, largest: float = 0.05) -> float:
    """A step for RK4 that resolves the fastest rate of every point in ``params``.

    The Jacobian's entries are bounded by the couplings and widths, so its eigenvalues
    are at most ``½ ΣK + Δ_E + Δ_I`` in modulus; ``dt |λ| <= 0.8`` keeps RK4 accurate
    (its stability limit on the real axis is 2.78).
    """
    if params.size == 0:
        return largest
    scale = (
        0.5 * (params.k_ee + params.k_ei + params.k_ie + params.k_ii)
        + params.width_e
        + params.width_i
    )
    return float(min(largest, 0.8 / max(float(np.max(scale)), 1e-12)))


def rhs(z_e: Complex, z_i: Complex, params: GridParameters) -> tuple[Complex, Complex]:
    """The Ott–Antonsen right-hand side, one parameter point per element (with phase
    lags, the couplings are complex: ``K_XY e^{−iα_XY}``)."""
    k_ee, k_ei, k_ie, k_ii = params.couplings()
    return oa_rhs(
        z_e,
        z_i,
        k_ee,
        k_ei,
        k_ie,
        k_ii,
        params.width_e,
        params.width_i,
        0.0,
        0.0,
    )


def rk4_step(
    z_e: Complex, z_i: Complex, params: GridParameters, dt: float
) -> tuple[Complex, Complex]:
    """One classical Runge–Kutta step for every element."""
    a1, b1 = rhs(z_e, z_i, params)
    a2, b2 = rhs(z_e + 0.5 * dt * a1, z_i + 0.5 * dt * b1, params)
    a3, b3 = rhs(z_e + 0.5 * dt * a2, z_i + 0.5 * dt * b2, params)
    a4, b4 = rhs(z_e + dt * a3, z_i + dt * b3, params)
    sixth = dt / 6.0
    return (
        z_e + sixth * (a1 + 2 * a2 + 2 * a3 + a4),
        z_i + sixth * (b1 + 2 * b2 + 2 * b3 + b4),
    )


def step_speed(
    before_e: Complex, before_i: Complex, after_e: Complex, after_i: Complex, dt: float
) -> Array:
    """Rate of change of ``(r_E², r_I², c)``, ``c = z_I conj(z_E)``, over one step.

    Taken from the step itself rather than from the right-hand side: RK4 commutes with
    the common rotation, so a rotating steady state of the *numerical* map keeps these
    invariants exactly constant, while it misses the exact state by O(dt⁴).
    """
    d_a = np.abs(after_e) ** 2 - np.abs(before_e) ** 2
    d_b = np.abs(after_i) ** 2 - np.abs(before_i) ** 2
    d_c = after_i * np.conj(after_e) - before_i * np.conj(before_e)
    return np.asarray((np.abs(d_a) + np.abs(d_b) + np.abs(d_c)) / dt, dtype=np.float64)


def take(params: GridParameters, index: NDArray[np.intp]) -> GridParameters:
    """The parameter points ``index`` (one per trajectory)."""
    return GridParameters(
        params.k_ee[index],
        params.k_ei[index],
        params.k_ie[index],
        params.k_ii[index],
        params.width_e[index],
        params.width_i[index],
        None if params.phase_lags is None else params.phase_lags[index],
    )


def _window(
    z_e: Complex, z_i: Complex, params: GridParameters, dt: float, steps: int
) -> tuple[Array, Array, Complex, Complex, Complex, Complex]:
    """``steps`` RK4 steps; lowest and highest ``(r_E², r_I²)`` seen, the last two states.

    Extremes are refined by the parabola through three consecutive samples: the
    squared order parameters are smooth even where ``r`` passes through 0, so the
    refined values do not depend on where the samples happen to fall (the raw sampled
    minimum of a fast zero crossing would jitter by ``(dt · dr/dt)²``).
    """
    square = np.stack([np.abs(z_e) ** 2, np.abs(z_i) ** 2])
    low, high = square.copy(), square.copy()
    older, old = square, square
    before_e, before_i = z_e, z_i
    for _ in range(steps):
        before_e, before_i = z_e, z_i
        z_e, z_i = rk4_step(z_e, z_i, params, dt)
        square = np.stack([np.abs(z_e) ** 2, np.abs(z_i) ** 2])
        curvature = older - 2 * old + square
        with np.errstate(divide="ignore", invalid="ignore"):
            vertex = old - (older - square) ** 2 / (8 * curvature)
        at_min = (old <= older) & (old <= square) & (curvature > 0)
        at_max = (old >= older) & (old >= square) & (curvature < 0)
        np.minimum(low, np.where(at_min, vertex, square), out=low)
        np.maximum(high, np.where(at_max, vertex, square), out=high)
        older, old = old, square
    return low, high, before_e, before_i, z_e, z_i


@dataclass
class Screening:
    """Outcome of every trajectory of a batch (see the module docstring).

    ``r_e_min`` .. ``r_i_max`` are the extremes over the last window integrated, and
    ``z_e``, ``z_i`` the state at the end of it.
    """

    outcome: NDArray[np.int8]
    z_e: Complex
    z_i: Complex
    r_e_min: Array
    r_e_max: Array
    r_i_min: Array
    r_i_max: Array
    t_end: Array


def screen(
    params: GridParameters,
    z_e: Complex,
    z_i: Complex,
    *,
    t_max: float = 300.0,
    window: float = 20.0,
    dt: float | None = None,
) -> Screening:
    """Integrate every trajectory until it is steady, oscillating, or ``t_max``.

    ``params`` holds one parameter point per trajectory (same length as ``z_e``).
    Finished trajectories leave the batch, so the cost falls as they settle.
    """
    size = z_e.size
    if dt is None:
        dt = time_step(params)
    steps = max(1, int(round(window / dt)))
    window = steps * dt
    n_windows = max(2, int(np.ceil(t_max / window)))
    out = Screening(
        np.full(size, UNDECIDED, np.int8),
        np.array(z_e, dtype=complex),
        np.array(z_i, dtype=complex),
        np.zeros(size),
        np.zeros(size),
        np.zeros(size),
        np.zeros(size),
        np.zeros(size),
    )
    active = np.arange(size)
    now_e, now_i = out.z_e.copy(), out.z_i.copy()
    previous = np.full((2, 2, size), np.inf)  # last window's (lowest, highest) r_E², r_I²
    sub = params
    for k in range(n_windows):
        if active.size == 0:
            break
        low, high, before_e, before_i, now_e, now_i = _window(now_e, now_i, sub, dt, steps)
        out.z_e[active], out.z_i[active] = now_e, now_i
        root_low, root_high = np.sqrt(np.maximum(low, 0.0)), np.sqrt(np.maximum(high, 0.0))
        out.r_e_min[active], out.r_i_min[active] = root_low
        out.r_e_max[active], out.r_i_max[active] = root_high
        out.t_end[active] = (k + 1) * window
        swing = np.max(high - low, axis=0)
        steady = step_speed(before_e, before_i, now_e, now_i, dt) < STEADY_SPEED
        extremes = np.stack([low, high])
        moved = np.max(np.abs(extremes - previous[:, :, active]), axis=(0, 1))
        repeating = (swing > MIN_SWING) & (moved <= REPEAT_TOLERANCE * swing)
        oscillating = repeating & ~steady
        out.outcome[active[steady]] = STEADY
        out.outcome[active[oscillating]] = OSCILLATING
        previous[:, :, active] = extremes
        keep = ~(steady | oscillating)
        active = active[keep]
        now_e, now_i = now_e[keep], now_i[keep]
        sub = take(sub, np.flatnonzero(keep))
    return out
