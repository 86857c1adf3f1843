"""The mean-field equations themselves, their Jacobians and the noisy Fourier hierarchy.

Everything here is plain NumPy and vectorised over leading axes. Conventions:

* populations E, I; ``H_X = K_XE z_E − K_XI z_I``, written with the signed
  coupling matrix ``σ = [[K_EE, −K_EI], [K_IE, −K_II]]`` as ``H_X = Σ_Y σ_XY z_Y``;
* "rotating frame" means a frame turning at the collective frequency Ω, in which each
  population sees the detuning ``ν_X = ω_X − Ω``;
* real 4-vectors are ordered ``(Re z_E, Im z_E, Re z_I, Im z_I)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

Complex = NDArray[np.complex128]
Real = NDArray[np.float64]


# --------------------------------------------------------------------------------------
# Ott–Antonsen (Lorentzian frequencies, no noise)
# --------------------------------------------------------------------------------------


def oa_rhs(
    z_e: Any,
    z_i: Any,
    k_ee: Any,
    k_ei: Any,
    k_ie: Any,
    k_ii: Any,
    width_e: Any,
    width_i: Any,
    nu_e: Any,
    nu_i: Any,
) -> tuple[Any, Any]:
    """``dz_X/dt = (iν_X − Δ_X) z_X + ½ (H_X − conj(H_X) z_X²)``.

    Works on Python complex numbers and on NumPy arrays alike.
    """
    h_e = k_ee * z_e - k_ei * z_i
    h_i = k_ie * z_e - k_ii * z_i
    dz_e = (1j * nu_e - width_e) * z_e + 0.5 * (h_e - h_e.conjugate() * z_e * z_e)
    dz_i = (1j * nu_i - width_i) * z_i + 0.5 * (h_i - h_i.conjugate() * z_i * z_i)
    return dz_e, dz_i


def real_block(a: Complex, b: Complex) -> Real:
    """Real 2×2 blocks of ``δz ↦ a δz + b conj(δz)`` acting on ``(Re δz, Im δz)``."""
    plus, minus = a + b, a - b
    return np.stack(
        [np.stack([plus.real, -minus.imag], axis=-1), np.stack([plus.imag, minus.real], axis=-1)],
        axis=-2,
    )


def oa_jacobian(z_e, z_i, k_ee, k_ei, k_ie, k_ii, width_e, width_i, nu_e, nu_i) -> Real:  # type: ignore[no-untyped-def]
    """Real 4×4 Jacobian of :func:`oa_rhs` (shape ``(..., 4, 4)``).

    With Wirtinger derivatives ``A = ∂f/∂z``, ``B = ∂f/∂conj(z)`` of
    ``f_X = (iν_X − Δ_X) z_X + ½ Σ_Y σ_XY z_Y − ½ z_X² Σ_Y σ_XY conj(z_Y)``::

        A_XY = δ_XY [(iν_X − Δ_X) − z_X conj(H_X)] + ½ σ_XY,    B_XY = −½ z_X² σ_XY
    """
    z_e, z_i = np.broadcast_arrays(np.asarray(z_e, dtype=complex), np.asarray(z_i, dtype=complex))
    shape = z_e.shape
    sigma = [[k_ee, -np.asarray(k_ei)], [k_ie, -np.asarray(k_ii)]]
    z = [z_e, z_i]
    h = [k_ee * z_e - k_ei * z_i, k_ie * z_e - k_ii * z_i]
    width = [width_e, width_i]
    nu = [nu_e, nu_i]
    jac = np.zeros((*shape, 4, 4))
    for x in range(2):
        for y in range(2):
            a = 0.5 * np.asarray(sigma[x][y]) + 0j
            if x == y:
                a = a + (1j * np.asarray(nu[x]) - np.asarray(width[x])) - z[x] * np.conj(h[x])
            b = -0.5 * z[x] ** 2 * np.asarray(sigma[x][y])
            a, b = (np.asarray(v, dtype=np.complex128) for v in np.broadcast_arrays(a, b))
            jac[..., 2 * x : 2 * x + 2, 2 * y : 2 * y + 2] = real_block(a, b)
    return jac


def deflate_rotation(jac: Real, generator: Real) -> Real:
    """Jacobian on the quotient by the rotation direction (one dimension fewer).

    The model is invariant under a common rotation ``z_X → e^{iα} z_X``, so at a
    partially synchronised steady state (a fixed point in the rotating frame) the
    Jacobian has the exact eigenvalue 0 with eigenvector ``generator = d/dα (e^{iα} z)``.
    With ``Q`` an orthonormal basis of the complement of that vector, ``Qᵀ J Q`` is the
    map induced on the quotient space, whose eigenvalues are those of ``J`` less that one
    zero — exactly the eigenvalues of the reduced (r_E, r_I, ψ) system, without having to
    guess which numerically small eigenvalue is the neutral one.
    """
    unit = generator / np.linalg.norm(generator, axis=-1, keepdims=True)
    # Householder reflection taking `unit` to ∓e_1; its other columns span the complement.
    sign = np.where(unit[..., :1] >= 0, 1.0, -1.0)
    w = unit.copy()
    w[..., 0] += sign[..., 0]
    w /= np.linalg.norm(w, axis=-1, keepdims=True)
    n = jac.shape[-1]
    householder = np.eye(n) - 2.0 * w[..., :, None] * w[..., None, :]
    basis = householder[..., :, 1:]
    reduced: Real = np.swapaxes(basis, -1, -2) @ jac @ basis
    return reduced


def rotation_generator(z_e: Complex, z_i: Complex) -> Real:
    """``i z`` in real coordinates: ``(−Im z_E, Re z_E, −Im z_I, Re z_I)``."""
    return np.stack([-z_e.imag, z_e.real, -z_i.imag, z_i.real], axis=-1)


# --------------------------------------------------------------------------------------
# Noise: Fourier hierarchy of the population moments (exact for Lorentzian frequencies)
# --------------------------------------------------------------------------------------
#
# For one oscillator of frequency ω driven by the field H, the Fourier coefficients
# a_n(ω) = <e^{inθ}> of its phase density obey the Fokker–Planck equation in modes
#
#     da_n/dt = n (iω − n D) a_n + (n/2) (H a_{n−1} − conj(H) a_{n+1}),   a_0 = 1.
#
# The coefficients are linear in ω and damp for Im ω > 0, so a_n(ω) stays analytic and
# bounded in the upper half-plane (for initial phases independent of ω); the average
# over a Lorentzian of centre ω_0 and half-width γ is then the residue at ω_0 + iγ
# (Tyulkina, Goldobin, Klimenko & Pikovsky, PRL 120, 264101, 2018). The population
# moments Z_n = <a_n>_ω therefore obey the closed hierarchy
#
#     dZ_n/dt = n (iω_0 − γ − n D) Z_n + (n/2) (H Z_{n−1} − conj(H) Z_{n+1}),
#
# exact for any D (no Ott–Antonsen ansatz). With D = 0 it has the invariant solution
# Z_n = Z_1^n (Ott–Antonsen). Truncating at n = N is the only approximation; N is chosen
# so that |Z_N| is negligible.


def continued_fraction(
    field: Any, width: float, noise: float, nu: Any, n_modes: int, all_modes: bool = False
) -> Any:
    """Stationary moments of one population in a constant field (rotating frame).

    Setting ``dZ_n/dt = 0`` and ``R_n = Z_n / Z_{n−1}`` gives the backward recursion
    ``R_n = (H/2) / (γ + nD − iν + conj(H)/2 · R_{n+1})`` (started from a tail estimate
    of ``R_{N+1}``, see below); then
    ``Z_1 = R_1`` and ``Z_n = R_1 ⋯ R_n``. Vectorised over ``field`` and ``nu``.
    Returns ``Z_1`` (or all ``Z_1..Z_N`` on the last axis with ``all_modes``).
    """
    field = np.asarray(field, dtype=complex)
    nu = np.asarray(nu, dtype=float)
    half, half_conj = 0.5 * field, 0.5 * np.conj(field)
    # Start the recursion from the fixed point of its last step with n frozen at N + 1,
    # R = H / (a + sqrt(a² + |H|²)), a = γ + (N+1)D − iν (the root with |R| < 1, written
    # without cancellation). For D = 0 this is the exact Ott–Antonsen value Z_n = Z_1^n,
    # so the recursion is exact for any N; for D > 0 it is an excellent tail estimate.
    tail = width + (n_modes + 1) * noise - 1j * nu
    ratio = field / (tail + np.sqrt(tail * tail + np.abs(field) ** 2))
    ratio = np.broadcast_to(ratio, np.broadcast(field, nu).shape).astype(complex)
    ratios: list[Complex] | None = [] if all_modes else None
    for mode in range(n_modes, 0, -1):
        ratio = half / (width + mode * noise - 1j * nu + half_conj * ratio)
        if ratios is not None:
            ratios.append(ratio)
    if ratios is None:
        return ratio
    return np.cumprod(np.stack(ratios[::-1], axis=-1), axis=-1)


def modes_needed(
    field_max: float,
    width: float,
    noise: float,
    nu_max: float = 0.0,
    tolerance: float = 1e-14,
    cap: int = 4096,
) -> int:
    """Smallest N (doubling from 16) for which the continued fraction has converged.

    Convergence is tested on the hardest case, the strongest field; the recursion
    contracts errors by ~|R_n|² per mode, faster once nD exceeds |H|/2.
    """
    fields = np.array([field_max, 0.5 * field_max, 0.25 * field_max], dtype=complex)
    nus = np.array([0.0, nu_max, 0.5 * nu_max])
    fields, nus = np.meshgrid(fields, nus)
    n_modes = 16
    previous = continued_fraction(fields, width, noise, nus, n_modes)
    while n_modes < cap:
        n_modes *= 2
        current = continued_fraction(fields, width, noise, nus, n_modes)
        if np.max(np.abs(current - previous)) <= tolerance:
            return n_modes
        previous = current
    return cap


def hierarchy_jacobian(
    moments_e: Complex,
    moments_i: Complex,
    k_ee: float,
    k_ei: float,
    k_ie: float,
    k_ii: float,
    width_e: float,
    width_i: float,
    noise_e: float,
    noise_i: float,
    nu_e: float,
    nu_i: float,
) -> Real:
    """Real Jacobian of the truncated two-population hierarchy in the rotating frame.

    Unknowns ``(Z^E_1..Z^E_N, Z^I_1..Z^I_N)``, real coordinates ordered
    ``(Re of all, Im of all)``. Linearising
    ``dZ_n/dt = a_n Z_n + (n/2)(H Z_{n−1} − conj(H) Z_{n+1})`` with ``δZ_0 = 0`` and
    ``δH_X = K_XE δZ^E_1 − K_XI δZ^I_1`` gives a complex-linear part ``A`` and an
    anti-linear part ``B`` (coefficient of ``conj(δZ)``).
    """
    n_modes = moments_e.shape[-1]
    n = np.arange(1, n_modes + 1, dtype=float)
    size = 2 * n_modes
    a = np.zeros((size, size), dtype=complex)
    b = np.zeros((size, size), dtype=complex)
    sigma = ((k_ee, -k_ei), (k_ie, -k_ii))
    populations = ((moments_e, width_e, noise_e, nu_e), (moments_i, width_i, noise_i, nu_i))
    fields = [sigma[x][0] * moments_e[0] + sigma[x][1] * moments_i[0] for x in range(2)]
    for x, (moments, width, noise, nu) in enumerate(populations):
        offset = x * n_modes
        index = np.arange(n_modes) + offset
        field = fields[x]
        a[index, index] = n * (1j * nu - width - n * noise)
        a[index[1:], index[:-1]] = 0.5 * n[1:] * field  # (n/2) H δZ_{n−1}
        a[index[:-1], index[1:]] = -0.5 * n[:-1] * np.conj(field)  # −(n/2) conj(H) δZ_{n+1}
        lower = np.concatenate([[1.0], moments[:-1]])
        upper = np.concatenate([moments[1:], [0.0]])
        for y in range(2):
            column = y * n_modes  # δZ^Y_1
            a[index, column] += 0.5 * n * sigma[x][y] * lower  # (n/2) δH Z_{n−1}
            b[index, column] += -0.5 * n * sigma[x][y] * upper  # −(n/2) conj(δH) Z_{n+1}
    plus, minus = a + b, a - b
    return np.block([[plus.real, -minus.imag], [plus.imag, minus.real]])
