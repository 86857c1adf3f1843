"""Stability of incoherence with transmission delays: roots of the characteristic equation.

The steady states with delays come from :func:`steady_states` (``delay=``), their time
evolution from :func:`integrate_reduced` (``delay=``); the method is described in
``eikura.theory._delays``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .._validation import check_int
from ._delays import characteristic_roots, check_delay, incoherence_system
from ._lagged import check_phase_lag, signed_couplings
from ._params import check_point
from .states import STABILITY_TOLERANCE

__all__ = ["CharacteristicRoots", "incoherence_roots"]


@dataclass(frozen=True)
class CharacteristicRoots:
    """Leading roots of a characteristic equation with delays.

    Attributes
    ----------
    roots
        The rightmost roots λ found, largest real part first (complex).
    residuals
        Smallest singular value of the characteristic matrix at each root, relative to
        the size of its terms (rounding level for a converged root).
    stable
        Every root has real part ``< −STABILITY_TOLERANCE``.
    n_nodes
        Degree of the Chebyshev collocation that located the roots (0 without delays:
        then the roots are plain eigenvalues).
    delay
        The delays ``τ_XY`` used, ``K_post,pre`` order.
    """

    roots: tuple[complex, ...]
    residuals: tuple[float, ...]
    stable: bool
    n_nodes: int
    delay: dict[str, float]

    @property
    def leading(self) -> complex:
        """The root with the largest real part."""
        return self.roots[0]

    @property
    def growth_rate(self) -> float:
        """Largest real part (the growth rate of the leading mode)."""
        return float(self.roots[0].real)


def incoherence_roots(
    k_ee: float,
    k_ei: float,
    k_ie: float,
    k_ii: float,
    width_e: float = 1.0,
    width_i: float = 1.0,
    *,
    center: float = 0.0,
    phase_lag: float | Mapping[str, float] = 0.0,
    delay: float | Mapping[str, float] = 0.0,
    noise_e: float = 0.0,
    noise_i: float = 0.0,
    n_roots: int = 6,
) -> CharacteristicRoots:
    """Leading roots of the characteristic equation of incoherence, with delays.

    Linearised about ``z_E = z_I = 0``, the mean-field equations read
    ``dz_X/dt = (iω − Δ_X) z_X + ½ Σ_Y σ_XY z_Y(t − τ_XY)`` with
    ``σ = [[K_EE e^{−iα_EE}, −K_EI e^{−iα_EI}], [K_IE e^{−iα_IE}, −K_II e^{−iα_II}]]``;
    modes ``e^{λt}`` solve ``det(λI − A − ½ σ ∘ e^{−λτ}) = 0``, ``A = diag(iω − Δ_X)``.
    The roots are located by Chebyshev collocation of the delay system's generator
    (Breda, Maset & Vermiglio 2005) and refined by Newton's method to rounding level.

    The roots are those of the complex system in the laboratory frame (the real
    linearisation has their complex conjugates too). Without delays they are the
    eigenvalues of ``M`` shifted by ``iω``; with delays ``center`` (ω) matters, since
    a mode turning at ``Im λ`` meets the delayed field with the phase ``Im λ · τ``.
    One population: ``λ = −Δ + iω + W_k(½ K τ e^{−iα} e^{(Δ − iω)τ}) / τ`` (Lambert W,
    the principal branch ``k = 0`` the rightmost root).

    Parameters
    ----------
    k_ee, k_ei, k_ie, k_ii
        Coupling strengths ``K_post,pre`` (>= 0).
    width_e, width_i
        Half-widths Δ of the Lorentzian frequency distributions.
    center
        Common centre ω of the frequency distributions.
    phase_lag
        Phase lags ``α_XY`` (radians): one number or ``{"ee", "ei", "ie", "ii"}``.
    delay
        Delays ``τ_XY >= 0``: one number or ``{"ee", "ei", "ie", "ii"}``.
    noise_e, noise_i
        Noise intensities D: near incoherence the first Fourier mode is damped by
        ``Δ + D`` exactly, as without delays.
    n_roots
        How many of the rightmost roots to return.

    Returns
    -------
    CharacteristicRoots

    Examples
    --------
    >>> import eikura as ek
    >>> ek.theory.incoherence_roots(4.0, 0.0, 0.0, 0.0).leading  # no delay: K/2 − Δ
    (1+0j)
    >>> roots = ek.theory.incoherence_roots(3.0, 0.0, 0.0, 0.0, center=3.0, delay=1.0)
    >>> round(roots.growth_rate, 6), roots.stable  # the delay stabilises incoherence
    (-0.265827, True)
    """
    params = check_point(k_ee, k_ei, k_ie, k_ii, width_e, width_i, noise_e, noise_i, center)
    lags = check_phase_lag(phase_lag)
    delays = check_delay(delay)
    n_roots = check_int("n_roots", n_roots, minimum=1, maximum=1000)
    widths = (params.width_e + params.noise_e, params.width_i + params.noise_i)
    a0, delayed = incoherence_system(signed_couplings(params, lags), widths, params.center,
                                     delays)
    found = characteristic_roots(a0, delayed, n_roots)
    roots: NDArray[np.complex128] = found.roots
    return CharacteristicRoots(
        tuple(complex(r) for r in roots),
        tuple(float(r) for r in found.residuals),
        bool(roots.real.max() < -STABILITY_TOLERANCE),
        found.n_nodes,
        dict(zip(("ee", "ei", "ie", "ii"), delays, strict=True)),
    )
