"""Limit cycles of the reduced equations: period estimate, shooting, Floquet multipliers.

The reduced system (r_E, r_I, ψ) is the Ott–Antonsen system modulo the common rotation
``z → e^{iα} z``. A limit cycle of the reduced system of period ``T`` is therefore a
*relative* periodic orbit of the 4-D system: after ``T`` the state comes back turned by
some angle ``α``,

    e^{−iα} Φ_T(x₀) = x₀,

(``α = π`` for the standing oscillations in which z_E and z_I pass through 0 and change
sign). Working in 4-D real coordinates ``x = (Re z_E, Im z_E, Re z_I, Im z_I)`` avoids
the coordinate singularity of (r, ψ) at r = 0. Newton's method ("shooting") solves the
four equations above together with two phase conditions that pin the point on the orbit
(``⟨f(x_ref), x₀ − x_ref⟩ = 0``, position along the flow) and the rotation gauge
(``⟨g(x_ref), x₀ − x_ref⟩ = 0``, ``g = i z`` the rotation generator), for the six
unknowns ``(x₀, T, α)``. Its Jacobian comes from the variational equation integrated
with the orbit.

Floquet multipliers: the monodromy ``M = R(−α) DΦ_T(x₀)`` maps the flow direction
``f(x₀)`` and the rotation direction ``g(x₀)`` to themselves (multipliers exactly 1);
the map it induces on the quotient by those two directions has the two nontrivial
multipliers, which are those of the reduced 3-D system's cycle (see
``_equations.deflate_rotation`` for the same construction at fixed points).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._families import GridParameters
from ._flow import rk4_step, time_step

Array = NDArray[np.float64]
Complex = NDArray[np.complex128]

SHOOTING_TOLERANCE = 1e-10
# RK4 step for the shooting integrations: small enough that the orbit and monodromy
# are accurate to ~1e-9 (error ∝ h⁴) for the rates met with couplings up to ~50.
SHOOTING_STEP = 0.004


def _real(z_e: complex, z_i: complex) -> Array:
    return np.array([z_e.real, z_e.imag, z_i.real, z_i.imag])


def _complex(x: Array) -> tuple[complex, complex]:
    return complex(x[0], x[1]), complex(x[2], x[3])


class PointFlow:
    """The Ott–Antonsen flow at one parameter point, in real 4-D coordinates."""

    def __init__(self, params: GridParameters) -> None:
        if params.size != 1:
            raise ValueError("params: one parameter point expected")
        self.params = params
        self.k_ee = float(params.k_ee[0])
        self.k_ei = float(params.k_ei[0])
        self.k_ie = float(params.k_ie[0])
        self.k_ii = float(params.k_ii[0])
        self.width_e = float(params.width_e[0])
        self.width_i = float(params.width_i[0])
        # σ: H_X = Σ_Y σ_XY z_Y; complex with phase lags (K_XY e^{−iα_XY})
        k_ee, k_ei, k_ie, k_ii = (complex(k[0]) for k in params.couplings())
        self.sigma = np.array([[k_ee, -k_ei], [k_ie, -k_ii]])
        self.lagged = params.phase_lags is not None
        # spacing of the samples taken along a refined cycle
        self.sample_step = min(0.01, time_step(params) / 4)

    def field(self, x: Array) -> Array:
        z_e, z_i = _complex(x)
        if self.lagged:
            h_e, h_i = self.sigma @ np.array([z_e, z_i])
        else:
            h_e = self.k_ee * z_e - self.k_ei * z_i
            h_i = self.k_ie * z_e - self.k_ii * z_i
        dz_e = -self.width_e * z_e + 0.5 * (h_e - h_e.conjugate() * z_e * z_e)
        dz_i = -self.width_i * z_i + 0.5 * (h_i - h_i.conjugate() * z_i * z_i)
        return _real(dz_e, dz_i)

    def jacobian(self, x: Array) -> Array:
        """Real 4×4 Jacobian from the Wirtinger derivatives (see ``oa_jacobian``)."""
        z = np.array([complex(x[0], x[1]), complex(x[2], x[3])])
        h = self.sigma @ z
        a = 0.5 * self.sigma + np.diag(
            -np.array([self.width_e, self.width_i]) - z * np.conj(h)
        )
        b = -0.5 * (z * z)[:, None] * np.conj(self.sigma)
        plus, minus = a + b, a - b
        jac = np.empty((4, 4))
        jac[0::2, 0::2] = plus.real
        jac[0::2, 1::2] = -minus.imag
        jac[1::2, 0::2] = plus.imag
        jac[1::2, 1::2] = minus.real
        return jac

    def flow(self, x: Array, t: float, with_matrix: bool = True) -> tuple[Array, Array]:
        """``Φ_t(x)`` and ``DΦ_t(x)`` by RK4 on the orbit and its variational equation.

        RK4 applied to the pair is the derivative of RK4 applied to the orbit, so the
        matrix is the exact Jacobian of the numerical flow map.
        """
        steps = max(1, int(np.ceil(t / SHOOTING_STEP)))
        h = t / steps
        y = np.eye(4)
        f, jac = self.field, self.jacobian
        for _ in range(steps):
            k1 = f(x)
            x2 = x + 0.5 * h * k1
            k2 = f(x2)
            x3 = x + 0.5 * h * k2
            k3 = f(x3)
            x4 = x + h * k3
            k4 = f(x4)
            if with_matrix:
                m1 = jac(x) @ y
                m2 = jac(x2) @ (y + 0.5 * h * m1)
                m3 = jac(x3) @ (y + 0.5 * h * m2)
                m4 = jac(x4) @ (y + h * m3)
                y = y + (h / 6.0) * (m1 + 2 * m2 + 2 * m3 + m4)
            x = x + (h / 6.0) * (k1 + 2 * k2 + 2 * k3 + k4)
        return x, y

    def record(self, x: Array, t: float, dt: float) -> tuple[Array, Complex, Complex]:
        """Times and complex mean fields along a trajectory (batched RK4, step ``dt``)."""
        steps = max(1, int(np.ceil(t / dt)))
        dt = t / steps
        z_e = np.array([complex(x[0], x[1])])
        z_i = np.array([complex(x[2], x[3])])
        out_e = np.empty(steps + 1, dtype=complex)
        out_i = np.empty(steps + 1, dtype=complex)
        out_e[0], out_i[0] = z_e[0], z_i[0]
        for k in range(steps):
            z_e, z_i = rk4_step(z_e, z_i, self.params, dt)
            out_e[k + 1], out_i[k + 1] = z_e[0], z_i[0]
        return np.arange(steps + 1, dtype=np.float64) * dt, out_e, out_i


def rotation(alpha: float) -> Array:
    """The real 4×4 matrix of ``z → e^{iα} z`` on both populations."""
    c, s = np.cos(alpha), np.sin(alpha)
    block = np.array([[c, -s], [s, c]])
    out = np.zeros((4, 4))
    out[:2, :2] = block
    out[2:, 2:] = block
    return out


def generator(x: Array) -> Array:
    """``i z`` in real coordinates: the direction of the common rotation at ``x``."""
    return np.array([-x[1], x[0], -x[3], x[2]])


def invariants(z_e: Complex, z_i: Complex) -> Array:
    """Rotation invariants ``(r_E², r_I², Re c, Im c)``, ``c = z_I conj(z_E)``, last axis."""
    c = z_i * np.conj(z_e)
    return np.stack([np.abs(z_e) ** 2, np.abs(z_i) ** 2, c.real, c.imag], axis=-1)


def estimate_period(t: Array, z_e: Complex, z_i: Complex) -> tuple[int, float, float] | None:
    """A start index, period and rotation angle from a recorded stretch of a cycle.

    The invariants at the last recorded point define a Poincaré section through it
    (the hyperplane normal to their velocity); the earliest earlier crossing of that
    section in the same direction, close to the point, is one period back. Returns
    ``None`` when no such return is seen.
    """
    v = invariants(z_e, z_i)
    end = v.shape[0] - 1
    velocity = v[end] - v[end - 1]
    if not np.any(velocity):
        return None
    side = (v - v[end]) @ velocity
    swing = float(np.max(np.ptp(v, axis=0)))
    crossings = np.flatnonzero((side[:-1] < 0) & (side[1:] >= 0))
    crossings = crossings[crossings < end - 2]
    for k in crossings[::-1]:
        frac = side[k] / (side[k] - side[k + 1])
        where = v[k] + frac * (v[k + 1] - v[k])
        if np.linalg.norm(where - v[end]) <= 0.05 * swing:
            start = int(k)
            break
    else:
        return None
    t_cross = t[start] + frac * (t[start + 1] - t[start])
    period = float(t[end] - t_cross)
    # rotation over one period, from the recorded start to the end
    overlap = np.conj(z_e[start]) * z_e[end] + np.conj(z_i[start]) * z_i[end]
    return start, period, float(np.angle(overlap))


@dataclass
class ShootingResult:
    x0: Array
    period: float
    alpha: float
    monodromy: Array
    residual: float
    converged: bool


def shoot(flow: PointFlow, x0: Array, period: float, alpha: float) -> ShootingResult:
    """Newton's method for ``e^{−iα} Φ_T(x₀) = x₀`` with the two phase conditions."""
    x_ref = x0.copy()
    f_ref = flow.field(x_ref)
    g_ref = generator(x_ref)
    f_ref = f_ref / np.linalg.norm(f_ref)
    g_ref = g_ref / np.linalg.norm(g_ref)
    x, t, a = x0.copy(), period, alpha
    best: ShootingResult | None = None
    for _ in range(15):
        end, matrix = flow.flow(x, t)
        back = rotation(-a)
        turned = back @ end
        residual_vector = np.concatenate(
            [turned - x, [f_ref @ (x - x_ref), g_ref @ (x - x_ref)]]
        )
        residual = float(np.max(np.abs(residual_vector)))
        monodromy = back @ matrix
        if best is None or residual < best.residual:
            best = ShootingResult(x.copy(), t, a, monodromy, residual, False)
        if residual <= SHOOTING_TOLERANCE:
            best.converged = True
            break
        jac = np.zeros((6, 6))
        jac[:4, :4] = monodromy - np.eye(4)
        jac[:4, 4] = back @ flow.field(end)
        jac[:4, 5] = -generator(turned)
        jac[4, :4] = f_ref
        jac[5, :4] = g_ref
        try:
            delta = np.linalg.solve(jac, -residual_vector)
        except np.linalg.LinAlgError:
            break
        # damp steps that would jump far along the orbit or shrink the period to nothing
        scale = min(
            1.0,
            0.5 * t / max(abs(delta[4]), 1e-300),
            0.2 / max(np.abs(delta[:4]).max(), 1e-300),
        )
        x = x + scale * delta[:4]
        t = t + scale * delta[4]
        a = a + scale * delta[5]
        if not (np.all(np.isfinite(x)) and np.isfinite(t)) or t <= 0:
            break
    assert best is not None
    return best


def nontrivial_multipliers(monodromy: Array, x0: Array, flow: PointFlow) -> NDArray[np.complex128]:
    """The two Floquet multipliers left after removing the flow and rotation directions."""
    trivial = np.column_stack([flow.field(x0), generator(x0)])
    q, _ = np.linalg.qr(trivial, mode="complete")
    complement = q[:, 2:]
    induced = complement.T @ monodromy @ complement
    multipliers = np.linalg.eigvals(induced)
    return multipliers[np.argsort(-np.abs(multipliers), kind="stable")]


def cycle_extremes(flow: PointFlow, x0: Array, period: float) -> tuple[Array, Complex, Complex]:
    """Times and fields along one period, sampled every ``flow.sample_step`` or finer."""
    return flow.record(x0, period, flow.sample_step)


__all__ = [
    "PointFlow",
    "ShootingResult",
    "shoot",
    "estimate_period",
    "nontrivial_multipliers",
    "cycle_extremes",
    "invariants",
    "rotation",
    "generator",
]
