"""Ott–Antonsen theory with transmission delays.

With a delay ``τ_XY`` block XY sees the source phases at ``t − τ_XY``:
``K_XY sin(θ_j(t − τ_XY) − θ_i(t) − α_XY)``. The Ott–Antonsen reduction holds for any
field, so the mean-field equations become delay-differential equations::

    dz_X/dt = (iω − Δ_X) z_X + ½ (H_X − conj(H_X) z_X²),
    H_X(t) = Σ_Y σ_XY z_Y(t − τ_XY),   σ = [[K_EE e^{−iα_EE}, −K_EI e^{−iα_EI}],
                                          [K_IE e^{−iα_IE}, −K_II e^{−iα_II}]].

**Incoherence** ``z = 0``: the linearisation ``dz_X/dt = (iω − Δ_X) z_X + ½ Σ_Y σ_XY
z_Y(t − τ_XY)`` is complex-linear; its characteristic equation
``det(λI − A − ½ σ ∘ e^{−λτ}) = 0`` is transcendental, with infinitely many roots.

**Rotating states** ``z_X = r_X e^{i(Ωt + φ_X)}``: the delayed field carries the factor
``e^{−iΩτ_XY}``, so in the frame turning at Ω a state solves the lag equations with the
effective coupling ``σ ∘ e^{−iΩτ}`` — which depends on the unknown Ω. One population:
``r² = 1 − 2Δ / (K cos β)``, ``Ω = ω − (K/2) sin β (1 + r²)``, ``β = α + Ωτ``; the
equation for Ω has several roots when Kτ is large enough (coexisting branches, as for the
delayed Kuramoto model, Yeung & Strogatz, PRL 82, 648, 1999). Every rotating state has
``|Ω − ω| ≤ max_X Σ_Y K_XY`` (take X the population with the largest ``r``:
``Ω − ω = ½ Im(H_X conj z_X)(1/r_X² + 1)`` and ``|H_X| ≤ r_X Σ_Y K_XY``), so a search
over that window finds all of them: Newton's method on ``(r_A, z_B, Ω)`` (``arg z_A = 0``)
from a grid of starts dense in Ω (spacing a small fraction of ``π / τ_max``).

**Roots of characteristic equations** of linear systems ``x' = A x(t) + Σ_k B_k x(t − τ_k)``:
pseudospectral collocation of the solution operator's generator on Chebyshev points of
``[−τ_max, 0]`` (Breda, Maset & Vermiglio, SIAM J. Sci. Comput. 27, 482, 2005), whose
rightmost eigenvalues converge spectrally to the rightmost characteristic roots; each is
then refined by Newton's method on ``det M(λ) = 0`` (step ``1 / tr(M⁻¹ M')``) and kept
only if Newton converges, to a residual ``σ_min(M(λ))`` (relative to the size of the
terms of M) near rounding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validation import check_blocks
from ._equations import real_block

__all__ = [
    "check_delay",
    "has_delay",
    "refuse_delay",
    "RootSet",
    "characteristic_roots",
    "incoherence_system",
    "rotating_system",
    "RotatingState",
    "frequency_window",
    "rotating_states",
    "incoherence_frame_roots",
    "rotating_roots",
    "delayed_states",
]

Complex = NDArray[np.complex128]
Real = NDArray[np.float64]

_NEWTON_STEPS = 40
_ROOT_TOLERANCE = 1e-13  # relative Newton step at which a root counts as converged
_SAME_ROOT = 1e-8
_STATE_RESIDUAL = 1e-11
_SAME_STATE = 1e-7
# A neutral (rotation) root: |λ| below this after Newton.
_NEUTRAL = 1e-7


def check_delay(delay: float | Mapping[str, float]) -> tuple[float, float, float, float]:
    """``(τ_EE, τ_EI, τ_IE, τ_II)`` (>= 0) from one number or a dict ``{"ee", "ei", "ie", "ii"}``."""
    values = check_blocks("delay", delay)
    for block, value in values.items():
        if value < 0:
            where = f"delay[{block!r}]" if isinstance(delay, Mapping) else "delay"
            raise ValueError(f"{where}: must be >= 0 (a time), got {value}")
    return values["ee"], values["ei"], values["ie"], values["ii"]


def has_delay(delays: tuple[float, ...]) -> bool:
    return any(tau != 0.0 for tau in delays)


def refuse_delay(delay: float | Mapping[str, float], what: str) -> None:
    """Raise unless every delay is 0: for the parts of the theory that do not take delays."""
    if has_delay(check_delay(delay)):
        raise ValueError(
            f"delay: {what} does not take delays yet (limit cycles of the delay equations "
            "are not searched); use steady_states(..., delay=...) for the states and their "
            "stability, and integrate_reduced(..., delay=...) for the dynamics")


# --------------------------------------------------------------------------------------
# Roots of a linear delay system
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RootSet:
    """Leading roots of one characteristic equation, largest real part first."""

    roots: Complex
    residuals: Real
    n_nodes: int
    neutral: complex | None  # the rotation root removed (rotating states), else None


def _chebyshev(n: int) -> tuple[Real, Real]:
    """Chebyshev points ``cos(πj/n)`` on [−1, 1] and the differentiation matrix
    (Trefethen, Spectral Methods in MATLAB, ``cheb``)."""
    points = np.cos(np.pi * np.arange(n + 1) / n)
    c = np.ones(n + 1)
    c[0] = c[-1] = 2.0
    c *= (-1.0) ** np.arange(n + 1)
    difference = points[:, None] - points[None, :]
    matrix = np.outer(c, 1.0 / c) / (difference + np.eye(n + 1))
    matrix -= np.diag(matrix.sum(axis=1))
    return points, matrix


def _lagrange_row(points: Real, x: float) -> Real:
    """Values at ``x`` of the Lagrange basis on Chebyshev points (barycentric form)."""
    weights = (-1.0) ** np.arange(points.size)
    weights[0] *= 0.5
    weights[-1] *= 0.5
    gap = x - points
    exact = np.flatnonzero(np.abs(gap) < 1e-15)
    if exact.size:
        row = np.zeros(points.size)
        row[exact[0]] = 1.0
        return row
    terms = weights / gap
    out: Real = terms / terms.sum()
    return out


def _characteristic(a0: Any, delayed: Sequence[tuple[float, Any]], lam: complex
                    ) -> tuple[Complex, Complex]:
    """``M(λ) = λI − A − Σ_k B_k e^{−λτ_k}`` and its derivative ``I + Σ_k τ_k B_k e^{−λτ_k}``."""
    size = a0.shape[0]
    matrix = lam * np.eye(size) - a0
    derivative = np.eye(size, dtype=complex)
    for tau, b in delayed:
        factor = np.exp(-lam * tau)
        matrix = matrix - b * factor
        derivative = derivative + tau * b * factor
    return matrix, derivative


def _newton_root(a0: Any, delayed: Sequence[tuple[float, Any]], lam: complex
                 ) -> tuple[complex, float, bool]:
    """Refine one root: Newton on ``det M(λ)``, ``Δλ = −1 / tr(M⁻¹ M')``."""
    converged = False
    for _ in range(_NEWTON_STEPS):
        matrix, derivative = _characteristic(a0, delayed, lam)
        try:
            trace = np.trace(np.linalg.solve(matrix, derivative))
        except np.linalg.LinAlgError:
            converged = True  # M(λ) exactly singular: λ is a root
            break
        if not np.isfinite(trace) or trace == 0:
            break
        step = -1.0 / trace
        lam = lam + step
        if abs(step) <= _ROOT_TOLERANCE * (1.0 + abs(lam)):
            converged = True
            break
    matrix, _ = _characteristic(a0, delayed, lam)
    scale = abs(lam) + np.linalg.norm(a0, 2) + sum(
        np.linalg.norm(b, 2) * abs(np.exp(-lam * tau)) for tau, b in delayed)
    residual = float(np.linalg.svd(matrix, compute_uv=False)[-1] / max(scale, 1e-300))
    return complex(lam), residual, converged


def _node_count(a0: Any, delayed: Sequence[tuple[float, Any]], tau_max: float) -> int:
    """Collocation degree. A root with ``Re λ >= 0`` has ``|λ| <= ‖A‖ + Σ ‖B_k‖``; the
    polynomial must resolve ``e^{λθ}`` on [−τ_max, 0] for such λ (and for the leading
    stable roots, a little larger), with a margin."""
    bound = np.linalg.norm(a0, 2) + sum(np.linalg.norm(b, 2) for _, b in delayed)
    return int(np.clip(np.ceil(1.5 * tau_max * bound) + 24, 32, 160))


def characteristic_roots(a0: Any, delayed: Sequence[tuple[float, Any]], n_roots: int,
                         neutral: bool = False, n_nodes: int | None = None) -> RootSet:
    """The ``n_roots`` rightmost roots of ``det(λI − A − Σ_k B_k e^{−λτ_k}) = 0``.

    ``a0`` and every ``B_k`` are square (real or complex); ``delayed`` lists ``(τ_k, B_k)``
    with ``τ_k >= 0``. With ``neutral`` one root at 0 (a symmetry's) is removed and
    returned separately.
    """
    a0 = np.asarray(a0, dtype=complex)
    instantaneous = [b for tau, b in delayed if tau == 0.0]
    a0 = a0 + sum(instantaneous, np.zeros_like(a0))
    delayed = [(float(tau), np.asarray(b, dtype=complex)) for tau, b in delayed if tau > 0.0]
    size = a0.shape[0]
    if not delayed:
        candidates = np.linalg.eigvals(a0)
        nodes = 0
    else:
        tau_max = max(tau for tau, _ in delayed)
        nodes = n_nodes if n_nodes is not None else _node_count(a0, delayed, tau_max)
        points, derivative = _chebyshev(nodes)
        # nodes θ_j = τ_max (t_j − 1) / 2: θ_0 = 0, θ_n = −τ_max
        generator = np.zeros((size * (nodes + 1), size * (nodes + 1)), dtype=complex)
        generator[:size, :size] = a0  # φ'(0) = A φ(0) + Σ B_k φ(−τ_k)
        for tau, b in delayed:
            generator[:size, :] += np.kron(_lagrange_row(points, -2.0 * tau / tau_max + 1.0), b)
        # φ' at the other nodes: the scaled Chebyshev derivative, for every component
        generator[size:, :] = np.kron((2.0 / tau_max) * derivative[1:, :], np.eye(size))
        candidates = np.linalg.eigvals(generator)
    order = np.argsort(-candidates.real, kind="stable")
    roots: list[complex] = []
    residuals: list[float] = []
    # a few more than asked for: a spurious eigenvalue may refine to a root further left,
    # and the final sort must still see every root to the right of it
    wanted = n_roots + (1 if neutral else 0) + 4
    for lam in candidates[order]:
        if len(roots) >= wanted:
            break
        if delayed:
            refined, residual, converged = _newton_root(a0, delayed, complex(lam))
            if not converged or residual > 1e-8 or abs(refined - lam) > 1e-3 * (1 + abs(lam)):
                continue  # a spurious eigenvalue of the discretisation
        else:
            refined, residual = complex(lam), 0.0
        duplicate = any(abs(refined - other) <= _SAME_ROOT * (1 + abs(other)) for other in roots)
        if duplicate and delayed:  # two eigenvalues refined to one root (repeated eigenvalues stay)
            continue
        roots.append(refined)
        residuals.append(residual)
    neutral_root = None
    if neutral and roots:
        nearest = int(np.argmin(np.abs(roots)))
        if abs(roots[nearest]) < _NEUTRAL:
            neutral_root = roots.pop(nearest)
            residuals.pop(nearest)
    roots_array = np.array(roots, dtype=complex)
    order = np.argsort(-roots_array.real, kind="stable")[:n_roots]
    return RootSet(roots_array[order], np.array(residuals)[order], nodes, neutral_root)


# --------------------------------------------------------------------------------------
# The linear systems of incoherence and of a rotating state
# --------------------------------------------------------------------------------------


def _grouped(blocks: dict[float, Any]) -> list[tuple[float, Any]]:
    return sorted(blocks.items())


def incoherence_system(sigma: Complex, widths: tuple[float, float], center: float,
                       delays: tuple[float, ...]) -> tuple[Complex, list[tuple[float, Complex]]]:
    """Complex 2×2 delay system of the linearisation about ``z = 0`` (lab frame)."""
    a0 = np.diag([1j * center - widths[0], 1j * center - widths[1]])
    blocks: dict[float, Complex] = {}
    for index, tau in enumerate(delays):
        x, y = divmod(index, 2)
        b = blocks.setdefault(tau, np.zeros((2, 2), dtype=complex))
        b[x, y] += 0.5 * sigma[x, y]
    return a0, _grouped(blocks)


def _effective(sigma: Complex, delays: tuple[float, ...], omega: Any) -> Any:
    """``σ_XY e^{−iΩτ_XY}`` (broadcast over a leading axis of Ω)."""
    tau = np.asarray(delays, dtype=float).reshape(2, 2)
    return sigma * np.exp(-1j * np.asarray(omega)[..., None, None] * tau)


def rotating_system(w: Complex, omega: float, sigma: Complex, widths: tuple[float, float],
                    center: float, delays: tuple[float, ...]
                    ) -> tuple[Real, list[tuple[float, Real]]]:
    """Real 4×4 delay system of the linearisation about a state turning at Ω, in the
    co-rotating frame (coordinates ``(Re w_E, Im w_E, Re w_I, Im w_I)``).

    With ``G = σ̃ w``, ``σ̃ = σ ∘ e^{−iΩτ}``: ``δw_X' = [(iν − Δ_X) − w_X conj(G_X)] δw_X
    + ½ Σ_Y σ̃_XY δw_Y(t − τ_XY) − ½ w_X² Σ_Y conj(σ̃_XY) conj(δw_Y(t − τ_XY))``.
    """
    effective = _effective(sigma, delays, omega)
    field = effective @ w
    nu = center - omega
    a0 = np.zeros((4, 4))
    for x in range(2):
        a = (1j * nu - widths[x]) - w[x] * np.conj(field[x])
        a0[2 * x:2 * x + 2, 2 * x:2 * x + 2] = real_block(np.asarray(a), np.asarray(0j))
    blocks: dict[float, Real] = {}
    for index, tau in enumerate(delays):
        x, y = divmod(index, 2)
        b = blocks.setdefault(tau, np.zeros((4, 4)))
        b[2 * x:2 * x + 2, 2 * y:2 * y + 2] += real_block(
            np.asarray(0.5 * effective[x, y]),
            np.asarray(-0.5 * w[x] ** 2 * np.conj(effective[x, y])))
    return a0, _grouped(blocks)


# --------------------------------------------------------------------------------------
# Rotating states: self-consistency with the unknown frequency
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RotatingState:
    """A state ``z_X = w_X e^{iΩt}`` with ``w_E = r_E`` real (or ``w_I`` real if r_E = 0)."""

    w: Complex
    omega: float
    residual: float


def _residuals(x: Real, reference: int, sigma: Complex, widths: tuple[float, float],
               center: float, delays: tuple[float, ...]) -> tuple[Real, Real]:
    """Residual ``f`` (n, 4) and its Jacobian (n, 4, 4) in the unknowns
    ``(r_A, Re w_B, Im w_B, Ω)``, batched over starts."""
    other = 1 - reference
    n = x.shape[0]
    w = np.zeros((n, 2), dtype=complex)
    w[:, reference] = x[:, 0]
    w[:, other] = x[:, 1] + 1j * x[:, 2]
    omega = x[:, 3]
    effective = _effective(sigma, delays, omega)  # (n, 2, 2)
    d_effective = effective * (-1j * np.asarray(delays).reshape(2, 2))
    field = np.einsum("nxy,ny->nx", effective, w)
    d_field = np.einsum("nxy,ny->nx", d_effective, w)
    a = 1j * (center - omega)[:, None] - np.asarray(widths)[None, :]
    f = a * w + 0.5 * (field - np.conj(field) * w * w)
    d_omega = -1j * w + 0.5 * (d_field - np.conj(d_field) * w * w)
    # Wirtinger derivatives with respect to w_Y: A_XY = δ_XY[a_X − w_X conj(G_X)] + ½ σ̃_XY,
    # B_XY = −½ w_X² conj(σ̃_XY); real columns ∂/∂Re w_Y = A + B, ∂/∂Im w_Y = i(A − B).
    big_a = 0.5 * effective + np.einsum("nx,xy->nxy", a - w * np.conj(field), np.eye(2))
    big_b = -0.5 * (w * w)[:, :, None] * np.conj(effective)
    d_real = big_a + big_b
    d_imag = 1j * (big_a - big_b)
    columns = [d_real[:, :, reference], d_real[:, :, other], d_imag[:, :, other], d_omega]
    jac = np.stack([np.concatenate([c.real, c.imag], axis=1) for c in columns], axis=2)
    # rows: (Re f_E, Re f_I, Im f_E, Im f_I)
    return np.concatenate([f.real, f.imag], axis=1), jac


def _newton_states(x: Real, reference: int, sigma: Complex, widths: tuple[float, float],
                   center: float, delays: tuple[float, ...]) -> tuple[Real, Real]:
    """Damped (Levenberg–Marquardt with a tiny shift) Newton, batched over starts."""
    for _ in range(60):
        f, jac = _residuals(x, reference, sigma, widths, center, delays)
        normal = np.swapaxes(jac, 1, 2) @ jac + 1e-14 * np.eye(4)
        step = -np.linalg.solve(normal, np.einsum("nji,nj->ni", jac, f)[..., None])[..., 0]
        size = np.max(np.abs(step[:, :3]), axis=1)
        step *= np.minimum(1.0, 0.3 / np.maximum(size, 1e-300))[:, None]
        x = x + step
        x[~np.isfinite(x)] = 10.0  # diverged: pushed out of the disc, dropped below
        x[:, :3] = np.clip(x[:, :3], -10.0, 10.0)
    f, _ = _residuals(x, reference, sigma, widths, center, delays)
    return x, np.max(np.abs(f), axis=1)


def frequency_window(sigma: Complex) -> float:
    """Bound on ``|Ω − ω|`` for any rotating state (module docstring)."""
    return float(np.max(np.abs(sigma).sum(axis=1)))


def rotating_states(sigma: Complex, widths: tuple[float, float], center: float,
                    delays: tuple[float, ...]) -> list[RotatingState]:
    """Every rotating state (``max r > 0``), frequencies in the lab frame."""
    window = frequency_window(sigma)
    if window == 0:
        return []
    tau_max = max(delays)
    n_omega = int(np.clip(np.ceil(2 * window * tau_max * 6 / np.pi) + 1, 25, 1500))
    omegas = center + np.linspace(-window, window, n_omega)
    radii_a = np.array([0.3, 0.7, 0.97])
    radii_b = np.array([0.1, 0.5, 0.9])
    phases = np.linspace(-np.pi, np.pi, 4, endpoint=False) + 0.3
    grid = np.array(np.meshgrid(radii_a, radii_b, phases, omegas, indexing="ij")).reshape(4, -1).T
    found: list[RotatingState] = []
    keys: list[Real] = []
    for reference in (0, 1):
        starts = np.column_stack([grid[:, 0], grid[:, 1] * np.cos(grid[:, 2]),
                                  grid[:, 1] * np.sin(grid[:, 2]), grid[:, 3]])
        x, residual = _newton_states(starts, reference, sigma, widths, center, delays)
        radius_b = np.hypot(x[:, 1], x[:, 2])
        good = ((residual < _STATE_RESIDUAL) & (x[:, 0] > 1e-6) & (x[:, 0] <= 1 + 1e-9)
                & (radius_b <= 1 + 1e-9))
        for row, res in zip(x[good], residual[good], strict=True):
            w = np.zeros(2, dtype=complex)
            w[reference], w[1 - reference] = row[0], complex(row[1], row[2])
            w[np.abs(w) < 1e-13] = 0.0  # a population the state leaves incoherent
            if reference == 1 and abs(w[0]) > 0:  # gauge: z_E real when it is not 0
                w = w * np.exp(-1j * np.angle(w[0]))
                w[0] = abs(w[0])
            key = np.array([w[0].real, w[1].real, w[1].imag, row[3]])
            if any(np.max(np.abs(key - other)) < _SAME_STATE for other in keys):
                continue
            keys.append(key)
            found.append(RotatingState(w, float(row[3]), float(res)))
    return found

# --------------------------------------------------------------------------------------
# Steady states with delays, as the theory's SteadyState objects
# --------------------------------------------------------------------------------------

_ROOTS_KEPT = 8


def incoherence_frame_roots(sigma: Complex, widths: tuple[float, float], center: float,
                            delays: tuple[float, ...], n_roots: int = _ROOTS_KEPT) -> Complex:
    """Leading roots of the real 4-D linearisation about incoherence in the frame turning
    at ``center``: every complex root λ gives ``λ − iω`` and its conjugate (τ = 0: the
    eigenvalues of M twice, as without delays)."""
    a0, delayed = incoherence_system(sigma, widths, center, delays)
    roots = characteristic_roots(a0, delayed, n_roots).roots - 1j * center
    both = np.concatenate([roots, np.conj(roots)])
    out: Complex = both[np.argsort(-both.real, kind="stable")][:n_roots]
    return out


def rotating_roots(state: RotatingState, sigma: Complex, widths: tuple[float, float],
                   center: float, delays: tuple[float, ...], n_roots: int = _ROOTS_KEPT
                   ) -> RootSet:
    """Leading roots about a rotating state, the neutral rotation root removed."""
    a0, delayed = rotating_system(state.w, state.omega, sigma, widths, center, delays)
    return characteristic_roots(a0, delayed, n_roots, neutral=True)


def delayed_states(sigma: Complex, widths: tuple[float, float], incoherent_widths:
                   tuple[float, float], center: float, delays: tuple[float, ...],
                   state_type: Any, stability_tolerance: float, treatment: str) -> list[Any]:
    """Incoherence and every rotating state, as ``state_type`` (``SteadyState``) objects
    with the leading characteristic roots as ``eigenvalues``."""
    roots = incoherence_frame_roots(sigma, incoherent_widths, center, delays)
    states = [state_type(0.0, 0.0, 0.0, center, tuple(complex(e) for e in roots),
                         bool(roots.real.max() < -stability_tolerance), "incoherent", 0.0,
                         treatment)]
    rotating = []
    for state in rotating_states(sigma, widths, center, delays):
        r_e, r_i = (float(abs(v)) if abs(v) >= 1e-13 else 0.0 for v in state.w)
        psi = float(np.angle(state.w[1] * np.conj(state.w[0]))) if r_e > 0 and r_i > 0 else 0.0
        found = rotating_roots(state, sigma, widths, center, delays).roots
        kind = ("in-phase" if abs(psi) < 1e-6 else
                "anti-phase" if abs(abs(psi) - np.pi) < 1e-6 else "lagged")
        rotating.append(state_type(r_e, r_i, psi, state.omega, tuple(complex(e) for e in found),
                                   bool(found.real.max() < -stability_tolerance), kind,
                                   state.residual, treatment))
    rotating.sort(key=lambda s: (-s.r_e, -s.r_i, s.omega))
    return states + rotating
