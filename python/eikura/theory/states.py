"""Steady states of the mean-field equations and their stability."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._delays import check_delay, delayed_states, has_delay
from ._equations import oa_jacobian, oa_rhs
from ._families import (
    GridParameters,
    find_states,
    incoherence_eigenvalues_grid,
    reduced_eigenvalues,
)
from ._lagged import check_phase_lag, has_lag, lagged_states, signed_couplings
from ._noisy import noisy_states
from ._params import NOISE_FOKKER_PLANCK, PointParameters, check_point

__all__ = [
    "SteadyState",
    "steady_states",
    "incoherence_eigenvalues",
    "incoherence_stable",
    "STABILITY_TOLERANCE",
    "states_at",
]

KINDS = ("incoherent", "in-phase", "anti-phase", "lagged")
# A state counts as stable when every eigenvalue has real part below −STABILITY_TOLERANCE.
STABILITY_TOLERANCE = 1e-10
_POLISH_TOLERANCE = 1e-13


@dataclass(frozen=True)
class SteadyState:
    """One steady state of the mean-field equations, in the frame rotating with it.

    The excitatory mean field is ``z_E = r_e`` (phase reference) and the inhibitory one
    ``z_I = r_i e^{i psi}``; both turn at the collective frequency ``omega``.

    Attributes
    ----------
    r_e, r_i
        Order parameters ``|z_E|``, ``|z_I|``.
    psi
        Phase lag ``ψ = φ_I − φ_E`` in ``(−π, π]`` (0 for in-phase states and for
        incoherence; 0 by convention when ``r_i = 0``).
    omega
        Collective frequency Ω in the lab frame (the common centre ``center`` plus the
        shift of a lagged state; equal to ``center`` for the other kinds without delays;
        with delays every synchronized state turns at its own Ω).
    eigenvalues
        Linearisation eigenvalues, largest real part first. Incoherence: the four
        eigenvalues of the 4-D real system in the frame turning at ``center`` (those of
        ``M`` twice, with their conjugates). Other states: the eigenvalues of the reduced
        (r_E, r_I, ψ) system, i.e. of the 4-D system in the co-rotating frame with the
        neutral rotation mode removed. With the Fokker–Planck noise treatment, the
        leading eight eigenvalues of the truncated Fourier hierarchy. With delays, the
        leading eight roots of the characteristic equation of the same real system
        (incoherence in the frame turning at ``center``, other states in the co-rotating
        frame with the rotation root 0 removed).
    stable
        All eigenvalues have real part ``< −STABILITY_TOLERANCE``.
    kind
        ``"incoherent"``, ``"in-phase"`` (ψ = 0), ``"anti-phase"`` (ψ = π; never
        occurs with a common frequency centre, see ``_families``) or ``"lagged"``
        (ψ ≠ 0, π and Ω ≠ ω; they come in mirror pairs ±ψ).
    residual
        Largest component of the steady-state equations' right-hand side at the
        returned values (after Newton polishing).
    noise_treatment
        ``"none"``, ``"quick (Δ→Δ+D, approximate)"`` or ``"fokker-planck"``.
    """

    r_e: float
    r_i: float
    psi: float
    omega: float
    eigenvalues: tuple[complex, ...]
    stable: bool
    kind: str
    residual: float = 0.0
    noise_treatment: str = "none"

    @property
    def z_e(self) -> complex:
        """Excitatory mean field in the co-rotating frame (real by convention)."""
        return complex(self.r_e, 0.0)

    @property
    def z_i(self) -> complex:
        """Inhibitory mean field in the co-rotating frame."""
        return complex(self.r_i * np.cos(self.psi), self.r_i * np.sin(self.psi))

    @property
    def growth_rate(self) -> float:
        """Largest real part of the eigenvalues (< 0 for a stable state)."""
        return float(max(e.real for e in self.eigenvalues))

    @property
    def synchronized(self) -> bool:
        """True for every kind except incoherence."""
        return self.kind != "incoherent"


def _grid_of(params: PointParameters) -> GridParameters:
    return GridParameters(
        params.k_ee,
        params.k_ei,
        params.k_ie,
        params.k_ii,
        params.effective_width_e,
        params.effective_width_i,
    )


def incoherence_eigenvalues(
    k_ee: float,
    k_ei: float,
    k_ie: float,
    k_ii: float,
    width_e: float = 1.0,
    width_i: float = 1.0,
    noise_e: float = 0.0,
    noise_i: float = 0.0,
) -> NDArray[np.complex128]:
    """Eigenvalues of the incoherent state's linearisation (closed form).

    ``M = [[K_EE/2 − Δ'_E, −K_EI/2], [K_IE/2, −K_II/2 − Δ'_I]]`` with
    ``Δ'_X = Δ_X + D_X``. With noise this is exact, not an approximation: near
    incoherence the first Fourier mode decouples from the others and is damped by
    ``Δ + D`` (the higher modes decay as ``−n(Δ + nD)``).

    Parameters
    ----------
    k_ee, k_ei, k_ie, k_ii
        Coupling strengths ``K_post,pre`` (>= 0).
    width_e, width_i
        Half-widths Δ of the Lorentzian frequency distributions.
    noise_e, noise_i
        Noise intensities D (>= 0).

    Returns
    -------
    numpy.ndarray
        The two eigenvalues (complex), largest real part first.

    Examples
    --------
    >>> import eikura as ek
    >>> ek.theory.incoherence_eigenvalues(k_ee=4.0, k_ei=0.0, k_ie=0.0, k_ii=0.0)
    array([ 1.+0.j, -1.+0.j])
    """
    params = check_point(k_ee, k_ei, k_ie, k_ii, width_e, width_i, noise_e, noise_i)
    grid = GridParameters(
        params.k_ee,
        params.k_ei,
        params.k_ie,
        params.k_ii,
        params.width_e + params.noise_e,
        params.width_i + params.noise_i,
    )
    eigenvalues: NDArray[np.complex128] = incoherence_eigenvalues_grid(grid)[0]
    return eigenvalues


def incoherence_stable(
    k_ee: float,
    k_ei: float,
    k_ie: float,
    k_ii: float,
    width_e: float = 1.0,
    width_i: float = 1.0,
    noise_e: float = 0.0,
    noise_i: float = 0.0,
) -> bool:
    """Whether incoherence is linearly stable: trace of ``M`` < 0 and determinant > 0.

    Parameters are those of :func:`incoherence_eigenvalues`.

    Returns
    -------
    bool

    Examples
    --------
    >>> import eikura as ek
    >>> ek.theory.incoherence_stable(k_ee=1.5, k_ei=0.0, k_ie=0.0, k_ii=0.0)  # K_c = 2Δ = 2
    True
    """
    eigenvalues = incoherence_eigenvalues(
        k_ee, k_ei, k_ie, k_ii, width_e, width_i, noise_e, noise_i
    )
    return bool(eigenvalues.real.max() < -STABILITY_TOLERANCE)


def _incoherent_state(params: PointParameters, width_e: float, width_i: float) -> SteadyState:
    jac = oa_jacobian(
        0j, 0j, params.k_ee, params.k_ei, params.k_ie, params.k_ii, width_e, width_i, 0.0, 0.0
    )
    eigenvalues = np.linalg.eigvals(jac)
    eigenvalues = eigenvalues[np.argsort(-eigenvalues.real, kind="stable")]
    return SteadyState(
        0.0,
        0.0,
        0.0,
        params.center,
        tuple(complex(e) for e in eigenvalues),
        bool(eigenvalues.real.max() < -STABILITY_TOLERANCE),
        "incoherent",
        0.0,
        params.noise_treatment,
    )


def _rotating_frame(params: PointParameters, omega: float) -> tuple[float, ...]:
    """The arguments of oa_rhs / oa_jacobian after (z_E, z_I) in the frame rotating at Ω:
    couplings, widths, and both centres shifted to ν = −Ω."""
    return (params.k_ee, params.k_ei, params.k_ie, params.k_ii, params.effective_width_e,
            params.effective_width_i, -omega, -omega)


def _oa_residual(params: PointParameters, z_e: complex, z_i: complex, omega: float) -> float:
    dz_e, dz_i = oa_rhs(z_e, z_i, *_rotating_frame(params, omega))
    return float(max(abs(dz_e), abs(dz_i)))


def _polish(
    params: PointParameters, r_e: float, z_i: complex, omega: float
) -> tuple[float, complex, float, float]:
    """Newton's method on the 4 real equations in the unknowns (r_E, Re z_I, Im z_I, Ω).

    The phase of z_E is fixed at 0 (rotation symmetry); Ω enters as ``ν = −Ω``. The
    Jacobian columns come from the analytic 4-D Jacobian plus ``∂f_X/∂Ω = −i z_X``.
    """
    x = np.array([r_e, z_i.real, z_i.imag, omega])
    best = (x.copy(), _oa_residual(params, x[0] + 0j, complex(x[1], x[2]), x[3]))
    for _ in range(30):
        z_e, z_i_now = complex(x[0], 0.0), complex(x[1], x[2])
        frame = _rotating_frame(params, x[3])
        dz_e, dz_i = oa_rhs(z_e, z_i_now, *frame)
        f = np.array([dz_e.real, dz_e.imag, dz_i.real, dz_i.imag])
        residual = float(np.max(np.abs(f)))
        if residual < best[1]:
            best = (x.copy(), residual)
        if residual <= _POLISH_TOLERANCE:
            break
        jac4 = oa_jacobian(z_e, z_i_now, *frame)
        d_omega = np.array([z_e.imag, -z_e.real, z_i_now.imag, -z_i_now.real])  # −i z
        jac = np.column_stack([jac4[:, 0], jac4[:, 2], jac4[:, 3], d_omega])
        x = x + np.linalg.lstsq(jac, -f, rcond=None)[0]
    x, residual = best
    return float(x[0]), complex(x[1], x[2]), float(x[3]), residual


def _kind_of(r_i: float, psi: float, lagged: bool) -> str:
    if lagged:
        return "lagged"
    return "anti-phase" if (r_i > 0 and abs(abs(psi) - np.pi) < 1e-6) else "in-phase"


def _oa_states(params: PointParameters, n_samples: int) -> list[SteadyState]:
    grid = _grid_of(params)
    found = find_states(grid, n_samples=n_samples)
    states: list[SteadyState] = []
    for i in range(found.point.size):
        lagged = bool(found.kind[i] == 3)
        r_e, z_i, omega, residual = _polish(
            params,
            float(found.r_e[i]),
            complex(found.r_i[i] * np.exp(1j * found.psi[i])),
            float(found.omega[i]),
        )
        if not lagged:  # exact symmetry: ψ = 0 and Ω = ω; drop rounding-level imaginary parts
            z_i, omega = complex(z_i.real, 0.0), 0.0
            residual = _oa_residual(params, r_e + 0j, z_i, omega)
        r_i = abs(z_i) if abs(z_i) >= 1e-13 else 0.0
        psi = float(np.angle(z_i)) if r_i > 0 else 0.0
        eigenvalues = _reduced_eigenvalues_point(params, r_e, r_i, psi, omega)
        states.append(
            SteadyState(
                r_e,
                r_i,
                psi,
                params.center + omega,
                tuple(complex(e) for e in eigenvalues),
                bool(eigenvalues.real.max() < -STABILITY_TOLERANCE),
                _kind_of(r_i, psi, lagged),
                residual,
                params.noise_treatment,
            )
        )
    return states


def _reduced_eigenvalues_point(
    params: PointParameters, r_e: float, r_i: float, psi: float, omega: float
) -> NDArray[np.complex128]:
    grid = _grid_of(params)
    eigenvalues: NDArray[np.complex128] = reduced_eigenvalues(
        np.array([r_e]),
        np.array([r_i]),
        np.array([psi]),
        np.array([omega]),
        grid,
        np.zeros(1, dtype=np.intp),
    )[0]
    return eigenvalues


def _fokker_planck_states(params: PointParameters) -> list[SteadyState]:
    states = []
    for state in noisy_states(params):
        r_i = abs(state.z_i)
        if r_i < 1e-13:  # I not driven (K_IE = 0): no phase to speak of
            r_i = 0.0
        psi = float(np.angle(state.z_i)) if r_i > 0 else 0.0
        eigenvalues = state.eigenvalues[:8]
        states.append(
            SteadyState(
                float(state.z_e.real),
                r_i,
                psi,
                params.center + state.omega,
                tuple(complex(e) for e in eigenvalues),
                bool(state.eigenvalues.real.max() < -STABILITY_TOLERANCE),
                _kind_of(r_i, psi, state.kind == "lagged"),
                state.residual,
                params.noise_treatment,
            )
        )
    return states


def states_at(params: PointParameters, n_samples: int = 4001,
              phase_lags: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0)) -> list[SteadyState]:
    """Every steady state at one checked parameter point (see :func:`steady_states`).

    The shared entry point of the other theory modules, which check their parameters
    once with ``_params.check_point`` (and the lags with ``_lagged.check_phase_lag``)
    and then call this.
    """
    if has_lag(phase_lags):
        lagged: list[SteadyState] = lagged_states(params, phase_lags, SteadyState,
                                                  STABILITY_TOLERANCE)
        return lagged
    width_e = params.width_e + params.noise_e  # incoherence: exact with noise
    width_i = params.width_i + params.noise_i
    incoherent = _incoherent_state(params, width_e, width_i)
    if params.noise_treatment == NOISE_FOKKER_PLANCK:
        others = _fokker_planck_states(params)
    else:
        others = _oa_states(params, n_samples)
    others.sort(key=lambda s: (s.kind, -s.r_e, s.psi))
    return [incoherent, *others]


def _delayed(params: PointParameters, lags: tuple[float, ...], delays: tuple[float, ...]
             ) -> list[SteadyState]:
    if params.noise_treatment == NOISE_FOKKER_PLANCK:
        raise ValueError("delay: with noise, delays need noise_treatment='quick' (Δ → Δ + D); "
                         "the Fokker–Planck treatment does not take delays")
    states: list[SteadyState] = delayed_states(
        signed_couplings(params, lags), (params.effective_width_e, params.effective_width_i),
        (params.width_e + params.noise_e, params.width_i + params.noise_i), params.center,
        delays, SteadyState, STABILITY_TOLERANCE, params.noise_treatment)
    return states


def steady_states(
    k_ee: float,
    k_ei: float,
    k_ie: float,
    k_ii: float,
    width_e: float = 1.0,
    width_i: float = 1.0,
    *,
    noise_e: float = 0.0,
    noise_i: float = 0.0,
    noise_treatment: str = "auto",
    center: float = 0.0,
    phase_lag: float | Mapping[str, float] = 0.0,
    delay: float | Mapping[str, float] = 0.0,
) -> list[SteadyState]:
    """Every steady state of the mean-field equations, with its stability.

    Lorentzian natural frequencies with a common centre, ``N → ∞``. Without
    noise the Ott–Antonsen equations are exact; the states are found from explicit 1-D
    reductions of the reduced (r_E, r_I, ψ) system — all zeros on a fine grid plus a
    search at every local extremum for close pairs of zeros — then polished by Newton's
    method to a residual below ~1e-13. See ``eikura.theory._families`` for the equations.

    Parameters
    ----------
    k_ee, k_ei, k_ie, k_ii
        Coupling strengths ``K_post,pre`` (floats >= 0 or ``ek.Constant``): E→E, I→E,
        E→I, I→I.
    width_e, width_i
        Half-widths Δ_E, Δ_I of the Lorentzian frequency distributions.
    noise_e, noise_i
        Noise intensities D_E, D_I (>= 0).
    noise_treatment
        ``"auto"`` (default: ``"fokker-planck"`` when there is noise), ``"quick"``
        (Ott–Antonsen with Δ → Δ + D, approximate) or ``"fokker-planck"`` (exact
        stationary Fokker–Planck equation in Fourier modes; slower).
    center
        Common centre ω of both frequency distributions; only shifts ``omega``.
    phase_lag
        Phase lags ``α_XY`` (radians): one number or ``{"ee", "ei", "ie", "ii"}``. With
        a lag, ``H_X = K_XE e^{−iα_XE} z_E − K_XI e^{−iα_XI} z_I``; states then turn at a
        shifted frequency and are found by Newton's method from the end points of the
        reduced flow and a grid of guesses (see ``eikura.theory._lagged``). Lags need
        ``noise_treatment="quick"`` with noise.
    delay
        Transmission delays ``τ_XY >= 0``: one number or ``{"ee", "ei", "ie", "ii"}``;
        block XY sees its sources at ``t − τ_XY``. States then turn at a frequency Ω
        that solves the self-consistency with the delayed field's phase ``e^{−iΩτ_XY}``
        (several branches may coexist); ``eigenvalues`` are the leading roots of the
        transcendental characteristic equation (see :func:`incoherence_roots`), and
        ``center`` matters (Ω τ enters the coupling). Delays need
        ``noise_treatment="quick"`` with noise.

    Returns
    -------
    list of SteadyState
        Incoherence first (it always exists), then in-phase states (largest ``r_e``
        first) and lagged states in mirror pairs.

    Examples
    --------
    >>> import eikura as ek
    >>> states = ek.theory.steady_states(k_ee=4.0, k_ei=0.0, k_ie=0.0, k_ii=0.0)
    >>> [(s.kind, round(s.r_e, 6), s.stable) for s in states]
    [('incoherent', 0.0, False), ('in-phase', 0.707107, True)]

    A delay in the E→E block (I uncoupled): five rotating states turning at different
    frequencies, four of them stable.

    >>> states = ek.theory.steady_states(6.0, 0.0, 0.0, 0.0, center=0.5, phase_lag=0.3,
    ...                                  delay={"ee": 3.0, "ei": 0.0, "ie": 0.0, "ii": 0.0})
    >>> [(round(s.r_e, 3), round(s.omega, 3), s.stable) for s in states[1:]]
    [(0.815, -0.062, True), (0.808, 1.899, True), (0.781, -2.012, True),
     (0.715, 3.815, True), (0.405, 3.702, False)]
    """
    params = check_point(
        k_ee, k_ei, k_ie, k_ii, width_e, width_i, noise_e, noise_i, center, noise_treatment
    )
    lags = check_phase_lag(phase_lag)
    delays = check_delay(delay)
    if has_delay(delays):
        return _delayed(params, lags, delays)
    return states_at(params, phase_lags=lags)
