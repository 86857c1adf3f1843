"""Time integration of the mean-field equations with transmission delays.

Method of steps with the fixed-step classical RK4: every stage needs the sources at
``t_stage − τ_XY``, which lies in the past when ``τ_XY >= dt`` (each nonzero delay must be
at least one step). Past values come from the stored solution by cubic Hermite
interpolation between grid points (values and the derivatives RK4 computes anyway, its
first stage), so delays need not be multiples of ``dt`` and the interpolation error,
``O(dt⁴)``, matches the method's. Before ``t = 0`` the sources come from the history: the
initial values held constant, or a user function.

The stage times sit at fixed offsets ``(0, ½, 1)·dt`` from the step, so for every block
and stage the grid offset and the Hermite weights are the same at every step and are
computed once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["check_history_delays", "integrate_delayed"]

Complex = NDArray[np.complex128]
History = Callable[[float], Any]
# (source time offset q in steps, grid offset, Hermite weights) for one stage and block
Lookup = tuple[float, int, tuple[float, float, float, float]]
STAGE_OFFSETS = (0.0, 0.5, 1.0)
BLOCK_SOURCES = (0, 1, 0, 1)  # K_post,pre order: ee, ei, ie, ii read z_E, z_I, z_E, z_I
BLOCK_TARGETS = (0, 0, 1, 1)


def check_history_delays(delays: tuple[float, ...], dt: float) -> None:
    """Each nonzero delay must be at least one step (the stages must lie in the past)."""
    for name, tau in zip(("ee", "ei", "ie", "ii"), delays, strict=True):
        if 0.0 < tau < dt * (1.0 - 1e-12):
            raise ValueError(
                f"delay[{name!r}]: {tau:g} is shorter than the step dt = {dt:g}; the "
                f"delayed integrator needs every nonzero delay >= dt (use a smaller dt)")


def _hermite(theta: float) -> tuple[float, float, float, float]:
    """Cubic Hermite weights of (z_n, dt·f_n, z_{n+1}, dt·f_{n+1}) at fraction θ."""
    t2, t3 = theta * theta, theta * theta * theta
    return (2 * t3 - 3 * t2 + 1, t3 - 2 * t2 + theta, -2 * t3 + 3 * t2, t3 - t2)


def _lookups(delays: tuple[float, ...], dt: float) -> list[list[Lookup]]:
    """Per stage and block: ``(q, grid offset, Hermite weights)`` with the source time
    ``(step + q)·dt``; q is nan for an instantaneous block (τ = 0)."""
    table = []
    for offset in STAGE_OFFSETS:
        row = []
        for tau in delays:
            if tau == 0.0:
                row.append((np.nan, 0, (0.0, 0.0, 0.0, 0.0)))
                continue
            # τ >= dt: never less than one step back (τ may fall short of dt by rounding only)
            q = offset - max(tau / dt, 1.0)
            base = int(np.floor(q))
            row.append((q, base, _hermite(q - base)))
        table.append(row)
    return table


def integrate_delayed(
    couplings: tuple[Any, Any],
    widths: tuple[float, float],
    centers: tuple[float, float],
    dt: float,
    n_steps: int,
    record_every: int,
    z0: tuple[Complex, Complex],
    delays: tuple[float, ...],
    history: History | None,
    forcing: Any = None,
) -> tuple[Complex, Complex]:
    """RK4 with delayed sources. ``couplings``: ``K_XY`` (>= 0; the inhibitory minus sign
    is applied here) times the lag factors, at step starts and midpoints, shapes
    ``(n_steps + 1, 4)`` and ``(n_steps, 4)``, as for the undelayed integrator;
    ``forcing`` (optional) adds the drives' two columns."""
    at_start, at_middle = couplings
    if forcing is not None:
        starts = np.arange(n_steps + 1, dtype=np.float64) * dt
        at_start = np.concatenate([at_start, forcing(starts)], axis=1)
        at_middle = np.concatenate([at_middle, forcing(starts[:-1] + 0.5 * dt)], axis=1)
    shape = np.shape(z0[0])
    size = int(np.prod(shape)) if shape else 1
    scalar = size == 1  # plain Python complex arithmetic is much faster than 1-element arrays
    at_start, at_middle = (at_start.tolist(), at_middle.tolist()) if scalar else (at_start, at_middle)
    start = [np.ravel(z0[0]).copy(), np.ravel(z0[1]).copy()]
    if scalar:
        start = [complex(start[0][0]), complex(start[1][0])]
    # values[n] = [z_E, z_I] at t = n dt; slopes[n] their time derivatives (RK4's first stage)
    values: list[list[Any]] = [start]
    slopes: list[list[Any]] = []
    a = (1j * centers[0] - widths[0], 1j * centers[1] - widths[1])
    table = _lookups(delays, dt)
    past: dict[tuple[int, int, int], Any] = _history_values(
        table, history, np.array(start).reshape(2, size), dt, size)
    if scalar:
        past = {key: [complex(v[0][0]), complex(v[1][0])] for key, v in past.items()}

    def source(stage: int, step: int, block: int, current: list[Any]) -> Any:
        q, base, weights = table[stage][block]
        y = BLOCK_SOURCES[block]
        if np.isnan(q):
            return current[y]
        if step + q <= 0.0:
            return past[(stage, block, step)][y]
        n = step + base
        if weights[2] == 0.0 and weights[3] == 0.0:  # on a grid point (n + 1 may not exist yet)
            return values[n][y]
        return weights[0] * values[n][y] + weights[2] * values[n + 1][y] + dt * (
            weights[1] * slopes[n][y] + weights[3] * slopes[n + 1][y])

    def rhs(stage: int, step: int, z: list[Any], k: Any) -> list[Any]:
        fields: list[Any] = [0j, 0j]
        for block in range(4):
            if k[block] != 0:  # inhibitory sources (y = I) enter with a minus sign
                sign = -1.0 if BLOCK_SOURCES[block] == 1 else 1.0
                fields[BLOCK_TARGETS[block]] += sign * k[block] * source(stage, step, block, z)
        if forcing is not None:  # a drive adds its forcing F e^{i(Ωt + φ)} to the field
            fields = [fields[0] + k[4], fields[1] + k[5]]
        return [a[x] * z[x] + 0.5 * (fields[x] - np.conj(fields[x]) * z[x] * z[x])
                for x in range(2)]

    half, sixth = 0.5 * dt, dt / 6.0
    for step in range(n_steps):
        z = values[step]
        k1 = rhs(0, step, z, at_start[step])
        slopes.append(k1)  # the Hermite interpolant's derivative at t_step
        k2 = rhs(1, step, [z[x] + half * k1[x] for x in range(2)], at_middle[step])
        k3 = rhs(1, step, [z[x] + half * k2[x] for x in range(2)], at_middle[step])
        k4 = rhs(2, step, [z[x] + dt * k3[x] for x in range(2)], at_start[step + 1])
        values.append([z[x] + sixth * (k1[x] + 2 * k2[x] + 2 * k3[x] + k4[x]) for x in range(2)])
    recorded = np.array(values[::record_every], dtype=complex).reshape(-1, 2, size)
    return (recorded[:, 0].reshape((-1, *shape)), recorded[:, 1].reshape((-1, *shape)))


def _history_values(table: list[list[Lookup]],
                    history: History | None, initial: Complex, dt: float, size: int
                    ) -> dict[tuple[int, int, int], Complex]:
    """Source values before t = 0, per (stage, block, step), from the history."""
    past: dict[tuple[int, int, int], Complex] = {}
    for stage, row in enumerate(table):
        for block, (q, _, _) in enumerate(row):
            if np.isnan(q):
                continue
            step = 0
            while step + q <= 0.0:
                if history is None:
                    past[(stage, block, step)] = initial
                else:
                    past[(stage, block, step)] = history_at(history, (step + q) * dt, size)
                step += 1
    return past


def history_at(history: History, t: float, size: int) -> Complex:
    """``[z_E(t), z_I(t)]`` from a user history, flattened to the batch size."""
    try:
        z_e, z_i = history(t)
    except (TypeError, ValueError) as error:
        raise ValueError(f"history: expected a function of t returning (z_E, z_I); at t = {t:g} "
                         f"it failed: {error}") from None
    out = np.empty((2, size), dtype=complex)
    try:
        out[0] = np.broadcast_to(np.asarray(z_e, dtype=complex).ravel(), (size,))
        out[1] = np.broadcast_to(np.asarray(z_i, dtype=complex).ravel(), (size,))
    except ValueError:
        raise ValueError(f"history: at t = {t:g} it returned values that do not match the "
                         f"batch of {size} initial condition(s)") from None
    if not np.all(np.isfinite(out)) or np.any(np.abs(out) > 1 + 1e-12):
        raise ValueError(f"history: at t = {t:g} it returned NaN, inf or |z| > 1")
    return out
