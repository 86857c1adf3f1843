"""Steady states with noise, without the Ott–Antonsen ansatz ("fokker-planck" treatment).

With Gaussian white noise of intensity ``D_X`` and Lorentzian frequencies the population
moments obey the exact Fourier hierarchy described in ``_equations`` (stationary
Fokker–Planck equation in Fourier modes, Lorentzian average by residues). Its stationary
solution in a rotating frame is a continued fraction, so one population's response
``z = R_X(H, ν)`` to a constant field ``H`` at detuning ``ν = ω − Ω`` is cheap and exact
up to truncation. The steady states are the self-consistent solutions of
``z_E = R_E(H_E, ν)``, ``z_I = R_I(H_I, ν)``, searched for as follows (frame in which
``H_E = h_E`` is real and positive):

* given ``(h_E, ν)``: ``z_E = R_E(h_E, ν)``, then ``z_I = (K_EE z_E − h_E)/K_EI`` and
  ``H_I = K_IE z_E − K_II z_I`` are explicit, and one complex residual
  ``w = z_I − R_I(H_I, ν)`` is left;
* in-phase states (ν = 0, everything real): the zeros of ``w/h_E`` on a fine ``h_E`` grid,
  with the same sign-change-and-extremum search as the noiseless theory;
* lagged states (ν ≠ 0): by mirror symmetry ``Im w`` is odd in ν, so the zeros of
  ``(Re w, Im w/ν)/h_E`` on an ``(h_E, ν > 0)`` grid: every grid cell where both
  components change sign seeds a 2-D Newton iteration;
* every candidate is polished by Newton's method on the full complex equations and its
  stability is read from the eigenvalues of the truncated hierarchy's Jacobian
  (rotation mode removed, as for the noiseless states).

The incoherent state's linearisation is exactly ``M`` with ``Δ_X → Δ_X + D_X``
(higher modes decouple at linear order and decay as ``−n(Δ + nD)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._equations import continued_fraction, deflate_rotation, hierarchy_jacobian, modes_needed
from ._params import PointParameters
from ._roots import branch_grid, find_roots

Array = NDArray[np.float64]

MAX_STABILITY_MODES = 400


@dataclass
class NoisyState:
    kind: str
    z_e: complex
    z_i: complex
    omega: float  # relative to the common centre
    residual: float
    eigenvalues: NDArray[np.complex128]
    n_modes: int
    truncated: bool  # the hierarchy needed more than MAX_STABILITY_MODES modes


class _Point:
    """Response functions of both populations at one parameter point."""

    def __init__(self, params: PointParameters) -> None:
        self.p = params
        field_e = params.k_ee + params.k_ei
        field_i = params.k_ie + params.k_ii
        self.field_max = max(field_e, 1e-12)
        self.nu_max = max(field_e, field_i, 1e-12)
        self.modes_e = modes_needed(field_e, params.width_e, params.noise_e, self.nu_max)
        self.modes_i = modes_needed(field_i, params.width_i, params.noise_i, self.nu_max)

    def response_e(self, field: Any, nu: Any, n_modes: int | None = None) -> Any:
        return continued_fraction(
            field, self.p.width_e, self.p.noise_e, nu, n_modes or self.modes_e
        )

    def response_i(self, field: Any, nu: Any, n_modes: int | None = None) -> Any:
        return continued_fraction(
            field, self.p.width_i, self.p.noise_i, nu, n_modes or self.modes_i
        )

    # --- the (h_E, ν) parametrisation (needs K_EI > 0)
    def residual(
        self, h_e: Array, nu: Array
    ) -> tuple[NDArray[np.complex128], NDArray[np.complex128], NDArray[np.complex128]]:
        p = self.p
        z_e = self.response_e(h_e + 0j, nu)
        z_i = (p.k_ee * z_e - h_e) / p.k_ei
        field_i = p.k_ie * z_e - p.k_ii * z_i
        w = z_i - self.response_i(field_i, nu)
        w = np.where(np.abs(z_i) < 1, w, np.nan)
        return w, z_e, z_i

    # --- full equations for Newton: unknowns (r_E, Re z_I, Im z_I, Ω)
    def equations(self, x: Array, n_modes: tuple[int, int] | None = None) -> Array:
        p = self.p
        z_e = x[..., 0] + 0j
        z_i = x[..., 1] + 1j * x[..., 2]
        nu = -x[..., 3]
        field_e = p.k_ee * z_e - p.k_ei * z_i
        field_i = p.k_ie * z_e - p.k_ii * z_i
        modes_e, modes_i = n_modes or (self.modes_e, self.modes_i)
        f_e = z_e - self.response_e(field_e, nu, modes_e)
        f_i = z_i - self.response_i(field_i, nu, modes_i)
        return np.stack([f_e.real, f_e.imag, f_i.real, f_i.imag], axis=-1)


def _newton(
    point: _Point, x: Array, steps: int = 40, tolerance: float = 1e-13
) -> tuple[Array, float]:
    """Newton's method with a central-difference Jacobian, all probes in one call."""
    x = np.array(x, dtype=float)
    residual = np.inf
    for _ in range(steps):
        f = point.equations(x)
        residual = float(np.max(np.abs(f)))
        if residual <= tolerance:
            break
        step = 1e-7 * np.maximum(1.0, np.abs(x))
        probes = np.concatenate([x + np.diag(step), x - np.diag(step)])
        values = point.equations(probes)
        jac = ((values[:4] - values[4:]) / (2 * step)[:, None]).T
        delta = np.linalg.lstsq(jac, -f, rcond=None)[0]
        x = x + delta
        if np.max(np.abs(delta)) < 1e-16 * max(1.0, float(np.max(np.abs(x)))):
            break
    return x, residual


def _in_phase_candidates(point: _Point, n_samples: int) -> list[Array]:
    """Start points ``(r_E, x_I, 0, 0)`` for in-phase states."""
    p = point.p
    grid = branch_grid(n_samples)
    h_small = 1e-9 * point.field_max
    starts: list[Array] = []
    if p.k_ei > 0:

        def value(s: Array, _: NDArray[np.intp]) -> Array:
            h_e = np.maximum(s * point.field_max, h_small)
            w = point.residual(h_e, np.zeros_like(h_e))[0]
            return w.real / h_e

        _, roots = find_roots(value, 1, grid)
        for s in roots:
            h_e = max(s * point.field_max, h_small)
            _, z_e, z_i = point.residual(np.array([h_e]), np.zeros(1))
            starts.append(np.array([z_e[0].real, z_i[0].real, 0.0, 0.0]))
    else:
        # E is autonomous: r_E = R_E(K_EE r_E); then I, driven by E, has one solution.
        def value_e(s: Array, _: NDArray[np.intp]) -> Array:
            h_e = np.maximum(s * point.field_max, h_small)
            value: Array = p.k_ee * point.response_e(h_e + 0j, 0 * h_e).real / h_e - 1.0
            return value

        _, roots = find_roots(value_e, 1, grid)
        for s in roots:
            r_e = float(
                point.response_e(
                    np.array([max(s * point.field_max, h_small)]) + 0j, np.zeros(1)
                ).real[0]
            )
            # I equation u = R_I(K_IE r_E − K_II u): monotone in u, bisection on [−1, 1]
            low, high = -1.0, 1.0
            for _ in range(80):
                u = 0.5 * (low + high)
                g = u - float(
                    point.response_i(np.array([p.k_ie * r_e - p.k_ii * u + 0j]), np.zeros(1)).real[
                        0
                    ]
                )
                low, high = (u, high) if g < 0 else (low, u)
            starts.append(np.array([r_e, 0.5 * (low + high), 0.0, 0.0]))
    return starts


def _lagged_components(
    point: _Point, h_e: Array, nu: Array
) -> tuple[Array, Array, NDArray[np.complex128], NDArray[np.complex128]]:
    """Two independent real residuals of the lagged-state equations at ``(h_E, ν > 0)``.

    ``z_I`` (from the E equation) and ``R_I(H_I, ν)`` (the I population's response) must
    agree in modulus and in phase. Using these two — rather than the real and imaginary
    parts of their difference, which are both dominated by the modulus mismatch and so
    vanish along nearly the same curve — keeps the two zero curves transversal. The
    modulus mismatch is divided by ``h_E`` (removing the trivial zero at incoherence), the
    phase mismatch by ``ν`` (it is odd in ν: in-phase states have ν = 0).
    """
    p = point.p
    z_e = point.response_e(h_e + 0j, nu)
    z_i = (p.k_ee * z_e - h_e) / p.k_ei
    field_i = p.k_ie * z_e - p.k_ii * z_i
    response = point.response_i(field_i, nu)
    modulus = (np.abs(z_i) - np.abs(response)) / h_e
    phase = np.angle(z_i * np.conj(response)) / nu
    bad = ~(np.abs(z_i) < 1)
    return np.where(bad, np.nan, modulus), np.where(bad, np.nan, phase), z_e, z_i


def _levenberg_marquardt(
    point: _Point, x: Array, iterations: int = 80
) -> tuple[Array, NDArray[np.bool_]]:
    """Vectorised Levenberg–Marquardt on the two lagged-state residuals in (h_E, ν).

    Near a fold the two zero curves cross at a shallow angle and plain Newton steps
    overshoot; damping with a trust parameter per seed makes every seed slide along the
    valley to the root.
    """

    def residuals(points: Array) -> Array:
        a, b, _, _ = _lagged_components(point, points[:, 0], points[:, 1])
        return np.stack([a, b], axis=-1)

    def jacobian(points: Array, f: Array) -> Array:
        step = 1e-7 * np.maximum(1.0, np.abs(points))
        f_h = residuals(points + np.column_stack([step[:, 0], np.zeros(len(points))]))
        f_nu = residuals(points + np.column_stack([np.zeros(len(points)), step[:, 1]]))
        return np.stack([(f_h - f) / step[:, :1], (f_nu - f) / step[:, 1:]], axis=-1)

    f = residuals(x)
    cost = np.sum(f * f, axis=-1)
    damping = np.full(len(x), 1e-3)
    converged = np.zeros(len(x), dtype=bool)
    active = np.isfinite(cost)
    for _ in range(iterations):
        if not np.any(active):
            break
        index = np.nonzero(active)[0]
        xa, fa = x[index], f[index]
        jac = jacobian(xa, fa)
        jtj = np.swapaxes(jac, -1, -2) @ jac
        gradient = np.einsum("nji,nj->ni", jac, fa)
        lhs = jtj + damping[index, None, None] * (
            np.eye(2) * np.maximum(np.diagonal(jtj, axis1=-2, axis2=-1), 1e-300)[:, None, :]
        )
        det = lhs[:, 0, 0] * lhs[:, 1, 1] - lhs[:, 0, 1] * lhs[:, 1, 0]
        ok = np.isfinite(det) & (det != 0)
        safe = np.where(ok, det, 1.0)
        delta = (
            -np.stack(
                [
                    lhs[:, 1, 1] * gradient[:, 0] - lhs[:, 0, 1] * gradient[:, 1],
                    -lhs[:, 1, 0] * gradient[:, 0] + lhs[:, 0, 0] * gradient[:, 1],
                ],
                axis=-1,
            )
            / safe[:, None]
        )
        trial = xa + np.where(ok[:, None], delta, 0.0)
        trial = np.maximum(trial, 1e-9 * np.array([point.field_max, point.nu_max]))
        f_trial = residuals(trial)
        cost_trial = np.sum(f_trial * f_trial, axis=-1)
        better = ok & np.isfinite(cost_trial) & (cost_trial < cost[index])
        x[index[better]] = trial[better]
        f[index[better]] = f_trial[better]
        small_step = np.max(np.abs(delta), axis=-1) < 1e-13 * np.maximum(
            1.0, np.max(np.abs(xa), axis=-1)
        )
        cost[index[better]] = cost_trial[better]
        damping[index] = np.where(better, damping[index] / 3.0, damping[index] * 4.0)
        done = (cost[index] < 1e-26) | (better & small_step)
        converged[index[done]] = True
        active[index[done | (damping[index] > 1e12) | ~ok]] = False
    converged &= cost < 1e-20
    return x, converged


def _lagged_candidates(point: _Point, n_h: int, n_nu: int) -> list[Array]:
    """Start points for lagged states (ν > 0 half; mirrors added later).

    Every cell of an ``(h_E, ν)`` grid in which both residual components change sign
    seeds a 2-D Newton iteration (all seeds iterated together).
    """
    p = point.p
    if not (p.k_ei > 0 and p.k_ie > 0):
        return []
    h_grid = point.field_max * branch_grid(n_h)[1:]
    nu_grid = point.nu_max * branch_grid(n_nu)[1:]
    h_e, nu = np.meshgrid(h_grid, nu_grid, indexing="ij")
    a, b, _, _ = _lagged_components(point, h_e, nu)

    def changes(values: Array) -> NDArray[np.bool_]:
        corners = np.stack([values[:-1, :-1], values[1:, :-1], values[:-1, 1:], values[1:, 1:]])
        with np.errstate(invalid="ignore"):
            valid = ~np.any(np.isnan(corners), axis=0)
            found: NDArray[np.bool_] = (
                valid & (np.max(corners, axis=0) > 0) & (np.min(corners, axis=0) < 0)
            )
            return found

    cells = np.argwhere(changes(a) & changes(b))
    if cells.size == 0:
        return []
    x = np.column_stack(
        [
            0.5 * (h_grid[cells[:, 0]] + h_grid[cells[:, 0] + 1]),
            0.5 * (nu_grid[cells[:, 1]] + nu_grid[cells[:, 1] + 1]),
        ]
    )
    x, converged = _levenberg_marquardt(point, x)
    starts: list[Array] = []
    if np.any(converged):
        xs = x[converged]
        # many cells can lead to the same root where the zero curves cross at a shallow angle
        xs = xs[
            np.unique(
                np.round(xs / (1e-7 * max(1.0, float(np.max(np.abs(xs)))))),
                axis=0,
                return_index=True,
            )[1]
        ]
        _, _, z_e, z_i = _lagged_components(point, xs[:, 0], xs[:, 1])
        for k in range(len(xs)):
            if np.isfinite(z_i[k]) and abs(z_i[k]) < 1:
                # rotate to the frame in which z_E is real and positive
                turn = np.conj(z_e[k]) / abs(z_e[k])
                z_i_turned = z_i[k] * turn
                starts.append(np.array([abs(z_e[k]), z_i_turned.real, z_i_turned.imag, -xs[k, 1]]))
    return starts


def _stability(
    point: _Point, z_e: complex, z_i: complex, omega: float
) -> tuple[NDArray[np.complex128], int, bool]:
    """Leading eigenvalues of the truncated hierarchy at a state (rotation removed)."""
    p = point.p
    nu = -omega
    field_e = p.k_ee * z_e - p.k_ei * z_i
    field_i = p.k_ie * z_e - p.k_ii * z_i
    # enough modes for |Z_n| to fall below 1e-14 even without noise (|Z_n| = r^n then)
    largest = min(max(abs(z_e), abs(z_i)), 1 - 1e-6)
    geometric = int(np.ceil(np.log(1e-15) / np.log(largest))) + 8 if largest > 0 else 8
    big = min(max(2 * max(point.modes_e, point.modes_i), geometric), 4 * MAX_STABILITY_MODES)
    moments_e = continued_fraction(np.array(field_e), p.width_e, p.noise_e, nu, big, all_modes=True)
    moments_i = continued_fraction(np.array(field_i), p.width_i, p.noise_i, nu, big, all_modes=True)
    small = (np.abs(moments_e) < 1e-14) & (np.abs(moments_i) < 1e-14)
    n_modes = int(np.argmax(small)) + 1 if np.any(small) else big
    n_modes = max(n_modes, 8)
    truncated = n_modes > MAX_STABILITY_MODES
    n_modes = min(n_modes, MAX_STABILITY_MODES)
    moments_e, moments_i = moments_e[:n_modes], moments_i[:n_modes]
    jac = hierarchy_jacobian(
        moments_e,
        moments_i,
        p.k_ee,
        p.k_ei,
        p.k_ie,
        p.k_ii,
        p.width_e,
        p.width_i,
        p.noise_e,
        p.noise_i,
        nu,
        nu,
    )
    n = np.arange(1, n_modes + 1)
    rotation = np.concatenate([n * moments_e, n * moments_i])  # d/dα of Z_n e^{inα}: i n Z_n
    generator = np.concatenate([-rotation.imag, rotation.real])
    size = 2 * n_modes
    if nu == 0 and not np.any(rotation.imag):
        # In-phase state: all moments real (a density symmetric about the common phase),
        # so the real Jacobian splits into the Re δZ block and the Im δZ block; the
        # rotation mode lies in the second. Two half-size problems, ~4× cheaper.
        symmetric = np.linalg.eigvals(jac[:size, :size])
        antisymmetric = np.linalg.eigvals(deflate_rotation(jac[size:, size:], generator[size:]))
        eigenvalues = np.concatenate([symmetric, antisymmetric]).astype(complex)
    else:
        eigenvalues = np.asarray(np.linalg.eigvals(deflate_rotation(jac, generator)), dtype=complex)
    return eigenvalues[np.argsort(-eigenvalues.real)], n_modes, truncated


def noisy_states(
    params: PointParameters, n_samples: int = 801, n_grid: int = 90
) -> list[NoisyState]:
    """All partially synchronised steady states with the Fokker–Planck treatment."""
    point = _Point(params)
    starts = [(s, "in-phase") for s in _in_phase_candidates(point, n_samples)]
    starts += [(s, "lagged") for s in _lagged_candidates(point, n_grid, n_grid)]
    found: list[NoisyState] = []
    for start, kind in starts:
        x, residual = _newton(point, start)
        z_e, z_i, omega = complex(x[0]), complex(x[1], x[2]), float(x[3])
        if not (0 < x[0] < 1 and abs(z_i) < 1) or residual > 1e-10:
            continue
        if kind == "in-phase":
            z_i, omega = complex(z_i.real, 0.0), 0.0
        duplicate = any(abs(s.z_e - z_e) < 1e-8 and abs(s.z_i - z_i) < 1e-8 for s in found)
        if duplicate:
            continue
        mirrors = [(z_e, z_i, omega)]
        if kind == "lagged":
            mirrors.append((z_e, z_i.conjugate(), -omega))
        for z_e_m, z_i_m, omega_m in mirrors:
            eigenvalues, n_modes, truncated = _stability(point, z_e_m, z_i_m, omega_m)
            found.append(
                NoisyState(kind, z_e_m, z_i_m, omega_m, residual, eigenvalues, n_modes, truncated)
            )
    return found
