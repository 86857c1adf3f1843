"""All steady states of the Ott–Antonsen equations, vectorised over parameter points.

Write ``z_X = r_X e^{i(Ωt + φ_X)}``, ``ψ = φ_I − φ_E`` and let both Lorentzians share the
centre ω (the frame turning at ω removes it). The reduced real system is::

    dr_E/dt = −Δ_E r_E + ½(1 − r_E²)(K_EE r_E − K_EI r_I cos ψ)
    dr_I/dt = −Δ_I r_I + ½(1 − r_I²)(K_IE r_E cos ψ − K_II r_I)
    dψ/dt   = −sin ψ [ (1 + r_I²)/(2 r_I) K_IE r_E − (1 + r_E²)/(2 r_E) K_EI r_I ]

and each collective phase turns at ``Ω = ω − (1 + r_E²)/(2 r_E) K_EI r_I sin ψ``.
Writing ``χ_X(r) = 2Δ_X/(1 − r²)`` (the field a population needs, per unit order
parameter), the steady states are:

* **incoherence** ``r_E = r_I = 0`` (always);
* **collinear states** ``sin ψ = 0``: with the signed ``u = r_I cos ψ`` the I equation
  gives ``r_E = u (χ_I(u) + K_II)/K_IE`` explicitly, and the E equation leaves one
  function of ``u``::

      Q(u) = (χ_I(u) + K_II)(K_EE − χ_E(r_E)) − K_EI K_IE = 0

  For ``u ≤ 0`` the I equation has no solution when ``K_IE r_E > 0`` (both of its terms
  push the same way), so with a common centre every collinear state is **in-phase**
  (ψ = 0) and anti-phase states do not exist. ``u`` runs over ``(0, u_max)`` where
  ``r_E(u_max) = 1``. (``K_IE = 0``: then ``r_I = 0`` and ``K_EE = χ_E(r_E)``.)
* **lagged states** ``sin ψ ≠ 0``: ``dψ/dt = 0`` gives
  ``K_IE r_E²/(1 + r_E²) = K_EI r_I²/(1 + r_I²) =: τ``, an explicit curve
  ``τ ∈ (0, min(K_IE, K_EI)/2)``; the two amplitude equations each give ``cos ψ`` and
  must agree::

      G(τ) = (1 − p_I)(K_EE − χ_E(r_E)) − (1 − p_E)(χ_I(r_I) + K_II) = 0,  p_X = r_X²/(1 + r_X²)

  with ``cos ψ = (r_I/r_E)(χ_I(r_I) + K_II)/K_IE ∈ (0, 1)``; each root gives the
  mirror pair ±ψ. (``G(0) = 2 tr M`` and ``Q(0) = −4 det M / K_IE``: the branches leave
  incoherence exactly where it loses stability.)

Both functions are multiplied by positive factors ``(1 − r²)`` so that they stay
bounded as an order parameter approaches 1, and their zeros are found with
``_roots.find_roots`` on every parameter point at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._equations import deflate_rotation, oa_jacobian, rotation_generator
from ._roots import branch_grid, find_roots

Array = NDArray[np.float64]

IN_PHASE, LAGGED = 1, 3  # kind codes (0 incoherent, 2 anti-phase is never produced)


class GridParameters:
    """Parameter arrays (one entry per point, broadcast) for the Ott–Antonsen equations.

    ``width_e``, ``width_i`` are the effective half-widths (Δ + D with the quick noise
    treatment).
    """

    def __init__(
        self,
        k_ee: ArrayLike,
        k_ei: ArrayLike,
        k_ie: ArrayLike,
        k_ii: ArrayLike,
        width_e: ArrayLike,
        width_i: ArrayLike,
        phase_lags: ArrayLike | None = None,
    ) -> None:
        arrays = [
            np.ascontiguousarray(a)
            for a in np.broadcast_arrays(
                *(
                    np.asarray(v, dtype=float).ravel()
                    for v in (k_ee, k_ei, k_ie, k_ii, width_e, width_i)
                )
            )
        ]
        self.k_ee: Array = arrays[0]
        self.k_ei: Array = arrays[1]
        self.k_ie: Array = arrays[2]
        self.k_ii: Array = arrays[3]
        self.width_e: Array = arrays[4]
        self.width_i: Array = arrays[5]
        # Phase lags α_XY, shape (size, 4) in K_post,pre order, or None (no lags: the
        # couplings stay real and every lag-free computation is unchanged).
        self.phase_lags: Array | None = None
        if phase_lags is not None:
            lags = np.broadcast_to(np.asarray(phase_lags, dtype=float), (self.size, 4))
            self.phase_lags = np.ascontiguousarray(lags)

    @property
    def size(self) -> int:
        return self.k_ee.size

    def couplings(self) -> tuple[NDArray[np.float64] | NDArray[np.complex128], ...]:
        """``(K_EE, K_EI, K_IE, K_II)``, each times ``e^{−iα_XY}`` where there are lags:
        then ``H_X = K_XE e^{−iα_XE} z_E − K_XI e^{−iα_XI} z_I`` with the same formula."""
        strengths = (self.k_ee, self.k_ei, self.k_ie, self.k_ii)
        if self.phase_lags is None:
            return strengths
        factors = np.exp(-1j * self.phase_lags)
        return tuple(k * factors[:, b] for b, k in enumerate(strengths))


@dataclass
class FoundStates:
    """Non-incoherent steady states found on a grid (one row per state)."""

    point: NDArray[np.intp]
    kind: NDArray[np.int8]
    r_e: Array
    r_i: Array
    psi: Array
    omega: Array  # relative to the common centre ω
    eigenvalues: NDArray[np.complex128]  # (n, 3): the reduced system's eigenvalues
    max_growth: Array  # largest real part


# ----------------------------------------------------------------------------- in-phase


def _u_max(params: GridParameters) -> Array:
    """``u`` at which the collinear branch reaches ``r_E = 1`` (bisection, monotone)."""
    low = np.zeros(params.size)
    # 2Δ_I u − K_IE bounds the function below, so the root lies below K_IE/(2Δ_I): a
    # bracket that scales with K_IE keeps full relative precision for tiny K_IE.
    high = np.minimum(1.0, params.k_ie / (2 * params.width_i))
    # sign of u(χ_I(u) + K_II) − K_IE, multiplied by (1 − u²) > 0
    for _ in range(64):
        u = 0.5 * (low + high)
        value = 2 * params.width_i * u + params.k_ii * u * (1 - u * u) - params.k_ie * (1 - u * u)
        low = np.where(value < 0, u, low)
        high = np.where(value < 0, high, u)
    return 0.5 * (low + high)


def _in_phase_point(
    s: Array, point: NDArray[np.intp], params: GridParameters, u_max: Array
) -> tuple[Array, Array, Array]:
    """``(value, r_E, u)`` of the collinear-branch function at branch parameter ``s``."""
    k_ee, k_ei, k_ie, k_ii = (
        params.k_ee[point],
        params.k_ei[point],
        params.k_ie[point],
        params.k_ii[point],
    )
    width_e, width_i = params.width_e[point], params.width_i[point]
    coupled = k_ie > 0
    u = np.where(coupled, u_max[point] * s, 0.0)
    chi_i_plus = 2 * width_i / (1 - u * u) + k_ii
    r_e = np.where(coupled, u * chi_i_plus / np.where(coupled, k_ie, 1.0), s)
    one_minus = 1 - r_e * r_e
    value = np.where(
        coupled,
        chi_i_plus * (k_ee * one_minus - 2 * width_e) - k_ei * k_ie * one_minus,
        k_ee * one_minus - 2 * width_e,  # K_IE = 0: r_I = 0 and K_EE = χ_E(r_E)
    )
    return value, r_e, u


# ------------------------------------------------------------------------------- lagged


def _lagged_value(s: Array, point: NDArray[np.intp], params: GridParameters) -> Array:
    """The lagged-branch function, as a polynomial in τ (for the scan).

    With ``a = 1 − 2p_E``, ``b = 1 − 2p_I`` (so ``1 − r_X² = (1 − 2p_X)/(1 − p_X)``),
    ``G`` times the positive factor ``(1 − p_E)(1 − p_I)(1 − r_E²)(1 − r_I²)`` is::

        a b [K_EE (1 − p_I) − K_II (1 − p_E)] − 2 (1 − p_E)(1 − p_I)(Δ_E b + Δ_I a)
    """
    k_ei, k_ie = params.k_ei[point], params.k_ie[point]
    exists = (k_ie > 0) & (k_ei > 0)
    k_ie_safe = np.where(exists, k_ie, 1.0)
    k_ei_safe = np.where(exists, k_ei, 1.0)
    tau = s * (0.5 * np.minimum(k_ie_safe, k_ei_safe))
    p_e, p_i = tau / k_ie_safe, tau / k_ei_safe
    a, b = 1 - 2 * p_e, 1 - 2 * p_i
    value = a * b * (params.k_ee[point] * (1 - p_i) - params.k_ii[point] * (1 - p_e)) - 2 * (
        1 - p_e
    ) * (1 - p_i) * (params.width_e[point] * b + params.width_i[point] * a)
    return np.where(exists, value, np.nan)


def _lagged_point(
    s: Array, point: NDArray[np.intp], params: GridParameters
) -> tuple[Array, Array, Array]:
    """``(r_E, r_I, cos ψ)`` on the lagged branch at ``s`` (K_EI, K_IE > 0)."""
    k_ei, k_ie, k_ii = params.k_ei[point], params.k_ie[point], params.k_ii[point]
    tau = s * 0.5 * np.minimum(k_ie, k_ei)
    p_e, p_i = tau / k_ie, tau / k_ei
    one_minus_i = (1 - 2 * p_i) / (1 - p_i)  # 1 − r_I²
    r_e = np.sqrt(p_e / (1 - p_e))
    r_i = np.sqrt(p_i / (1 - p_i))
    ratio = np.sqrt(k_ie * (1 - p_e) / (k_ei * (1 - p_i)))  # r_I / r_E
    with np.errstate(divide="ignore", invalid="ignore"):
        cos_psi = ratio * (2 * params.width_i[point] / one_minus_i + k_ii) / k_ie
    return r_e, r_i, cos_psi


# ------------------------------------------------------------------------------ all of it


def reduced_eigenvalues(
    r_e: Array,
    r_i: Array,
    psi: Array,
    omega: Array,
    params: GridParameters,
    point: NDArray[np.intp],
) -> NDArray[np.complex128]:
    """Eigenvalues (n, 3) of partially synchronised states, rotation mode removed.

    The 4-D real Jacobian of the complex equations is taken in the frame rotating with
    the state (``ν = −Ω``), where the state is a fixed point; its exact zero eigenvalue
    (common rotation) is removed by ``deflate_rotation``. The remaining three are the
    eigenvalues of the reduced (r_E, r_I, ψ) system, and also the Floquet exponents of
    the rotating solution in the original frame.
    """
    z_e = r_e.astype(complex)
    z_i = r_i * np.exp(1j * psi)
    nu = -omega
    jac = oa_jacobian(
        z_e,
        z_i,
        params.k_ee[point],
        params.k_ei[point],
        params.k_ie[point],
        params.k_ii[point],
        params.width_e[point],
        params.width_i[point],
        nu,
        nu,
    )
    reduced = deflate_rotation(jac, rotation_generator(z_e, z_i))
    eigenvalues = np.linalg.eigvals(reduced) if len(point) else np.zeros((0, 3), complex)
    order = np.argsort(-eigenvalues.real, axis=-1)
    return np.take_along_axis(eigenvalues, order, axis=-1)


def find_states(params: GridParameters, n_samples: int = 257) -> FoundStates:
    """Every in-phase and lagged steady state at every parameter point."""
    # Branch functions may overflow to ±inf or NaN outside their domain (e.g. for a
    # vanishing K_IE); such samples never count as sign changes, so silence the warnings.
    with np.errstate(all="ignore"):
        return _find_states(params, n_samples)


def _find_states(params: GridParameters, n_samples: int) -> FoundStates:
    grid = branch_grid(n_samples)
    u_max = _u_max(params)

    def in_phase(s: Array, point: NDArray[np.intp]) -> Array:
        return _in_phase_point(s, point, params, u_max)[0]

    def lagged(s: Array, point: NDArray[np.intp]) -> Array:
        return _lagged_value(s, point, params)

    point_c, s_c = find_roots(in_phase, params.size, grid)
    _, r_e_c, u_c = _in_phase_point(s_c, point_c, params, u_max)
    keep = (s_c > 0) & (s_c < 1) & (r_e_c > 1e-12) & (r_e_c < 1)
    point_c, r_e_c, u_c = point_c[keep], r_e_c[keep], u_c[keep]

    point_l, s_l = find_roots(lagged, params.size, grid)
    r_e_l, r_i_l, cos_l = _lagged_point(s_l, point_l, params)
    keep = (s_l > 0) & (s_l < 1) & (cos_l < 1 - 1e-13) & (r_e_l > 1e-12) & (r_e_l < 1) & (r_i_l < 1)
    point_l, r_e_l, r_i_l, cos_l = point_l[keep], r_e_l[keep], r_i_l[keep], cos_l[keep]
    psi_l = np.arccos(np.clip(cos_l, -1.0, 1.0))
    # The lagged family comes in mirror pairs ±ψ (with opposite Ω − ω).
    point_l = np.concatenate([point_l, point_l])
    r_e_l = np.concatenate([r_e_l, r_e_l])
    r_i_l = np.concatenate([r_i_l, r_i_l])
    psi_l = np.concatenate([psi_l, -psi_l])
    omega_l = -(1 + r_e_l**2) / (2 * r_e_l) * params.k_ei[point_l] * r_i_l * np.sin(psi_l)

    point = np.concatenate([point_c, point_l])
    kind = np.concatenate(
        [np.full(point_c.size, IN_PHASE, np.int8), np.full(point_l.size, LAGGED, np.int8)]
    )
    r_e = np.concatenate([r_e_c, r_e_l])
    r_i = np.concatenate([np.abs(u_c), r_i_l])
    psi = np.concatenate([np.zeros(point_c.size), psi_l])
    omega = np.concatenate([np.zeros(point_c.size), omega_l])
    eigenvalues = reduced_eigenvalues(r_e, r_i, psi, omega, params, point)
    order = np.lexsort((psi, r_e, point))
    return FoundStates(
        point[order],
        kind[order],
        r_e[order],
        r_i[order],
        psi[order],
        omega[order],
        eigenvalues[order],
        eigenvalues[order].real[:, 0] if point.size else np.zeros(0),
    )


def incoherence_eigenvalues_grid(params: GridParameters) -> NDArray[np.complex128]:
    """Eigenvalues of ``M`` (n, 2), largest real part first."""
    trace = 0.5 * params.k_ee - params.width_e - 0.5 * params.k_ii - params.width_i
    det = (0.5 * params.k_ee - params.width_e) * (
        -0.5 * params.k_ii - params.width_i
    ) + 0.25 * params.k_ei * params.k_ie
    root = np.sqrt(0.25 * trace**2 - det + 0j)
    return np.stack([0.5 * trace + root, 0.5 * trace - root], axis=-1)
