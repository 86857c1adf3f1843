"""Ott–Antonsen theory with phase lags.

With a phase lag ``α_XY`` block XY couples through ``sin(θ_j − θ_i − α_XY)``; in the
mean-field equations the lag rotates that block's strength in the complex plane::

    dz_X/dt = (iω_X − Δ_X) z_X + ½ (H_X − conj(H_X) z_X²),
    H_X = K_XE e^{−iα_XE} z_E − K_XI e^{−iα_XI} z_I = Σ_Y σ_XY z_Y,

with the complex signed coupling matrix ``σ = [[K_EE e^{−iα_EE}, −K_EI e^{−iα_EI}],
[K_IE e^{−iα_IE}, −K_II e^{−iα_II}]]``. A lag breaks the reflection symmetry
``z → conj(z)`` that pins the in-phase states of the lag-free model to the centre
frequency, so states generally turn at a shifted collective frequency and the 1-D
reductions of ``_families`` (built on that symmetry) do not apply. Steady states are
found here instead by Newton's method in the co-rotating frame, started from the end
points of integrations of the reduced equations (the attractors) and from a grid of
guesses (the saddles), then deduplicated.

Exact check: one population (the other uncoupled) with lag α has
``r² = 1 − 2Δ / (K cos α)`` and turns at ``Ω = ω − (K/2) sin α (1 + r²)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validation import BLOCKS, check_blocks
from ._equations import deflate_rotation, real_block, rotation_generator
from ._params import NOISE_FOKKER_PLANCK, PointParameters

__all__ = ["check_phase_lag", "has_lag", "lag_factors", "lagged_states", "rotating_eigenvalues",
           "rotating_state", "signed_couplings"]

Complex = NDArray[np.complex128]

_NEWTON_STEPS = 60
_RESIDUAL_TOLERANCE = 1e-11
# Two states are one when their (r_E, r_I, ψ, Ω) agree to this (Newton converges to ~1e-13).
_SAME_STATE = 1e-7


def check_phase_lag(phase_lag: float | Mapping[str, float]) -> tuple[float, float, float, float]:
    """``(α_EE, α_EI, α_IE, α_II)`` from one number or a dict ``{"ee", "ei", "ie", "ii"}``."""
    lag = check_blocks("phase_lag", phase_lag)
    return lag["ee"], lag["ei"], lag["ie"], lag["ii"]


def has_lag(lags: tuple[float, ...]) -> bool:
    return any(a != 0.0 for a in lags)


def lag_factors(lags: tuple[float, ...]) -> tuple[complex, ...]:
    """``e^{−iα_XY}`` per block, ``K_post,pre`` order."""
    return tuple(complex(np.exp(-1j * a)) for a in lags)


def signed_couplings(params: PointParameters, lags: tuple[float, ...]) -> Complex:
    """σ: ``H_X = Σ_Y σ_XY z_Y`` (rows X = E, I; columns Y = E, I)."""
    f = dict(zip(BLOCKS, lag_factors(lags), strict=True))
    return np.array([[params.k_ee * f["ee"], -params.k_ei * f["ei"]],
                     [params.k_ie * f["ie"], -params.k_ii * f["ii"]]])


def _rhs(z: Complex, sigma: Complex, widths: tuple[float, float], nu: float) -> Complex:
    """``dz/dt`` in the frame turning at the centre plus ``−nu`` (``z = [z_E, z_I]``)."""
    h = sigma @ z
    a = np.array([1j * nu - widths[0], 1j * nu - widths[1]])
    out: Complex = a * z + 0.5 * (h - np.conj(h) * z * z)
    return out


def _jacobian(z: Complex, sigma: Complex, widths: tuple[float, float], nu: float) -> NDArray[np.float64]:
    """Real 4×4 Jacobian of :func:`_rhs` on ``(Re z_E, Im z_E, Re z_I, Im z_I)``.

    Wirtinger derivatives: ``A_XY = δ_XY [(iν − Δ_X) − z_X conj(H_X)] + ½ σ_XY``,
    ``B_XY = −½ z_X² conj(σ_XY)``.
    """
    h = sigma @ z
    jac = np.zeros((4, 4))
    for x in range(2):
        for y in range(2):
            a = 0.5 * sigma[x, y]
            if x == y:
                a = a + (1j * nu - widths[x]) - z[x] * np.conj(h[x])
            b = -0.5 * z[x] ** 2 * np.conj(sigma[x, y])
            jac[2 * x : 2 * x + 2, 2 * y : 2 * y + 2] = real_block(
                np.asarray(a, dtype=np.complex128), np.asarray(b, dtype=np.complex128))
    return jac


def _frequency_guess(z: Complex, sigma: Complex, reference: int) -> float:
    """Ω from ``dz_A/dt = iΩ z_A`` at the reference population A:
    ``Ω = ½ Im(H_A conj z_A) (1/r_A² + 1)`` (ω_A = 0, the frame of the centre)."""
    h = sigma @ z
    r2 = abs(z[reference]) ** 2
    return float(0.5 * (h[reference] * np.conj(z[reference])).imag * (1.0 / r2 + 1.0))


def _newton(z: Complex, omega: float, sigma: Complex, widths: tuple[float, float],
            reference: int) -> tuple[Complex, float, float]:
    """Solve ``rhs(z, ν = −Ω) = 0`` for ``(|z_A|, z_B, Ω)`` with ``arg z_A = 0``."""
    other = 1 - reference
    x = np.array([abs(z[reference]), z[other].real, z[other].imag, omega])

    def unpack(x: NDArray[np.float64]) -> Complex:
        out = np.zeros(2, dtype=np.complex128)
        out[reference], out[other] = x[0], complex(x[1], x[2])
        return out

    residual = np.inf
    for _ in range(_NEWTON_STEPS):
        z_now = unpack(x)
        f = _rhs(z_now, sigma, widths, -x[3])
        f_real = np.array([f[0].real, f[0].imag, f[1].real, f[1].imag])
        residual = float(np.max(np.abs(f_real)))
        if residual <= 1e-14:
            break
        jac4 = _jacobian(z_now, sigma, widths, -x[3])
        d_omega = np.array([z_now[0].imag, -z_now[0].real, z_now[1].imag, -z_now[1].real])
        jac = np.column_stack([jac4[:, 2 * reference], jac4[:, 2 * other],
                               jac4[:, 2 * other + 1], d_omega])
        step = np.linalg.lstsq(jac, -f_real, rcond=None)[0]
        scale = min(1.0, 0.5 / max(float(np.max(np.abs(step[:3]))), 1e-300))  # damped
        x = x + scale * step
        if not np.all(np.isfinite(x)) or abs(x[0]) > 2 or abs(complex(x[1], x[2])) > 2:
            return unpack(x), float(x[3]), np.inf
    return unpack(x), float(x[3]), residual


def rotating_state(z: Complex, sigma: Complex, widths: tuple[float, float],
                   reference: int = 0) -> tuple[Complex, float, float]:
    """Newton's method from ``z = [z_E, z_I]`` for a state turning steadily at Ω:
    ``(z, Ω, residual)`` with ``arg z_reference = 0`` and Ω relative to the centre."""
    return _newton(z, _frequency_guess(z, sigma, reference), sigma, widths, reference)


def rotating_eigenvalues(z: Complex, omega: float, sigma: Complex,
                         widths: tuple[float, float]) -> NDArray[np.complex128]:
    """Eigenvalues of a rotating state (co-rotating frame, rotation mode removed),
    largest real part first."""
    jac = _jacobian(z, sigma, widths, -omega)
    reduced = deflate_rotation(jac, rotation_generator(z[0:1], z[1:2])[0])
    eigenvalues = np.asarray(np.linalg.eigvals(reduced), dtype=np.complex128)
    out: NDArray[np.complex128] = eigenvalues[np.argsort(-eigenvalues.real, kind="stable")]
    return out


def _starts(sigma: Complex, widths: tuple[float, float]) -> list[tuple[Complex, float, int]]:
    """Initial guesses: end points of the reduced flow from several initial conditions
    (attractors), and a grid over (r_A, r_B, ψ) (saddles)."""
    starts: list[tuple[Complex, float, int]] = []
    radii = np.array([0.2, 0.6, 0.95])
    phases = np.linspace(-np.pi, np.pi, 6, endpoint=False)
    z0 = np.array([[a, b * np.exp(1j * p)] for a in radii for b in radii for p in phases]).T
    z = z0.astype(np.complex128)
    dt = 0.02
    for _ in range(5000):  # t = 100, RK4
        k1 = _batch_rhs(z, sigma, widths)
        k2 = _batch_rhs(z + 0.5 * dt * k1, sigma, widths)
        k3 = _batch_rhs(z + 0.5 * dt * k2, sigma, widths)
        k4 = _batch_rhs(z + dt * k3, sigma, widths)
        z = z + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    for column in z.T:
        reference = int(np.argmax(np.abs(column)))
        if abs(column[reference]) > 1e-3:
            starts.append((column, _frequency_guess(column, sigma, reference), reference))
    for reference in (0, 1):
        for r_a in np.linspace(0.05, 0.99, 8):
            for r_b in np.linspace(0.0, 0.99, 4):
                for psi in np.linspace(-np.pi, np.pi, 6, endpoint=False):
                    guess = np.zeros(2, dtype=np.complex128)
                    guess[reference], guess[1 - reference] = r_a, r_b * np.exp(1j * psi)
                    starts.append((guess, _frequency_guess(guess, sigma, reference), reference))
    return starts


def _batch_rhs(z: Complex, sigma: Complex, widths: tuple[float, float]) -> Complex:
    h = sigma @ z
    a = np.array([[-widths[0]], [-widths[1]]])
    out: Complex = a * z + 0.5 * (h - np.conj(h) * z * z)
    return out


def lagged_states(params: PointParameters, lags: tuple[float, ...], state_type: Any,
                  stability_tolerance: float) -> list[Any]:
    """Every steady state found with phase lags (incoherence first), as ``state_type``
    (``SteadyState``) objects; frequencies in the lab frame."""
    if params.noise_treatment == NOISE_FOKKER_PLANCK:
        raise ValueError("phase_lag: with noise, phase lags need noise_treatment='quick' "
                         "(Δ → Δ + D); the Fokker–Planck treatment does not take lags yet")
    sigma = signed_couplings(params, lags)
    widths = (params.effective_width_e, params.effective_width_i)
    incoherent_widths = (params.width_e + params.noise_e, params.width_i + params.noise_i)
    zero = np.zeros(2, dtype=np.complex128)
    eigenvalues = np.linalg.eigvals(_jacobian(zero, sigma, incoherent_widths, 0.0))
    eigenvalues = eigenvalues[np.argsort(-eigenvalues.real, kind="stable")]
    states = [state_type(0.0, 0.0, 0.0, params.center, tuple(complex(e) for e in eigenvalues),
                         bool(eigenvalues.real.max() < -stability_tolerance), "incoherent", 0.0,
                         params.noise_treatment)]
    found: list[tuple[float, float, float, float]] = []
    for guess, omega_guess, reference in _starts(sigma, widths):
        z, omega, residual = _newton(guess, omega_guess, sigma, widths, reference)
        r_e, r_i = float(abs(z[0])), float(abs(z[1]))
        if residual > _RESIDUAL_TOLERANCE or max(r_e, r_i) < 1e-6 or max(r_e, r_i) > 1 + 1e-9:
            continue
        psi = float(np.angle(z[1] / z[0])) if r_e > 1e-13 and r_i > 1e-13 else 0.0
        r_i = r_i if r_i >= 1e-13 else 0.0
        r_e = r_e if r_e >= 1e-13 else 0.0
        if abs(psi + np.pi) < _SAME_STATE:  # ψ = −π and ψ = π are one state
            psi = float(np.pi)
        key = (r_e, r_i, psi, omega)
        if any(max(abs(a - b) for a, b in zip(key, other, strict=True)) < _SAME_STATE
               for other in found):
            continue
        found.append(key)
        rotated = np.array([r_e, r_i * np.exp(1j * psi)]) if r_e > 0 else np.array([0.0, r_i + 0j])
        jac = _jacobian(rotated, sigma, widths, -omega)
        reduced = deflate_rotation(jac, rotation_generator(rotated[0:1], rotated[1:2])[0])
        eigenvalues = np.linalg.eigvals(reduced)
        eigenvalues = eigenvalues[np.argsort(-eigenvalues.real, kind="stable")]
        kind = ("in-phase" if abs(psi) < 1e-6 else
                "anti-phase" if abs(abs(psi) - np.pi) < 1e-6 else "lagged")
        states.append(state_type(r_e, r_i, psi, params.center + omega,
                                 tuple(complex(e) for e in eigenvalues),
                                 bool(eigenvalues.real.max() < -stability_tolerance), kind,
                                 residual, params.noise_treatment))
    states[1:] = sorted(states[1:], key=lambda s: (s.kind, -s.r_e, -s.r_i, s.psi))
    return states
