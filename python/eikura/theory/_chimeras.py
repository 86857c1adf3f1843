"""Chimera states of two populations with phase lags (Abrams, Mirollo, Strogatz & Wiley).

Two identical populations of Kuramoto–Sakaguchi oscillators, intra coupling μ, inter
coupling ν (μ + ν = 1, ``A = μ − ν``) and lag ``α = π/2 − β``, have chimera states: one
population locks (``r = 1``) while the other does not (``r < 1``), either steadily
(stationary chimera) or with an oscillating order parameter (breathing chimera).

The EI-Kuramoto model holds that network exactly: an inhibitory block with lag ``α + π``
is an excitatory block with lag α (``−K sin(x − α − π) = K sin(x − α)``), so
``K_EE = K_II = μ``, ``K_EI = K_IE = ν``, lags ``ee = ie = α``, ``ei = ii = α + π``.
Identical oscillators (width 0) make the reduced equations degenerate here; a small
Lorentzian width (default ``1e-4``) keeps them regular and moves the states by about the
width (the locked population has ``r = 1 − O(Δ/ sin β)``).

The boundaries in the (A, β) plane (the published Fig. 4):

* **saddle-node**: below it no chimera exists; the stable and the saddle chimera are
  born together. Found by continuation in A of a chimera state (Newton's method in the
  co-rotating frame, ``_lagged.rotating_state``) from a known one, down to where Newton
  from the previous state stops converging, refined by bisection;
* **Hopf**: the stationary chimera loses stability to a breathing one where its leading
  complex pair of eigenvalues crosses zero (bisection on the continued branch);
* **homoclinic**: the breathing chimera collides with the saddle chimera and disappears;
  beyond it a start next to the unstable chimera ends on full synchrony. All A values of
  a grid above the Hopf point are integrated together; the curve lies between the last
  A that stays a chimera and the first that escapes (grid spacing ``homoclinic_step``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import check_finite, check_finite_array, check_positive
from ._families import GridParameters
from ._flow import rk4_step
from ._lagged import rotating_eigenvalues, rotating_state, signed_couplings
from ._params import check_point

__all__ = ["ChimeraBoundaries", "chimera_boundaries", "chimera_parameters"]

Complex = NDArray[np.complex128]

DEFAULT_WIDTH = 1e-4
_RESIDUAL = 1e-10
# the locked population of a chimera has r above this, the other one below
_LOCKED = 0.99


def chimera_parameters(a: float, beta: float, width: float = DEFAULT_WIDTH) -> dict[str, Any]:
    """Keyword arguments of the theory functions for the two-population network.

    Parameters
    ----------
    a
        ``A = μ − ν`` with ``μ + ν = 1`` (``0 < A < 1``).
    beta
        ``β = π/2 − α`` (radians).
    width
        Lorentzian half-width Δ of both populations (> 0).

    Returns
    -------
    dict
        ``k_ee = k_ii = μ``, ``k_ei = k_ie = ν``, ``width_e = width_i = Δ`` and
        ``phase_lag = {"ee": α, "ie": α, "ei": α + π, "ii": α + π}``.

    Examples
    --------
    >>> import eikura as ek
    >>> p = ek.theory.chimera_parameters(0.2, 0.1)
    >>> p["k_ee"], p["k_ei"], round(p["phase_lag"]["ei"] - p["phase_lag"]["ee"], 6)
    (0.6, 0.4, 3.141593)
    """
    a = float(a)
    if not 0.0 < a < 1.0:
        raise ValueError(f"a: must be in (0, 1) (A = μ − ν with μ + ν = 1), got {a}")
    beta = check_finite("beta", beta)
    width = check_positive("width", width)
    mu, nu = 0.5 * (1.0 + a), 0.5 * (1.0 - a)
    alpha = 0.5 * np.pi - beta
    return {
        "k_ee": mu, "k_ei": nu, "k_ie": nu, "k_ii": mu, "width_e": width, "width_i": width,
        "phase_lag": {"ee": alpha, "ei": alpha + np.pi, "ie": alpha, "ii": alpha + np.pi},
    }


def _system(a: float, beta: float, width: float) -> tuple[Complex, tuple[float, float]]:
    p = chimera_parameters(a, beta, width)
    point = check_point(p["k_ee"], p["k_ei"], p["k_ie"], p["k_ii"], width, width)
    lags = p["phase_lag"]
    sigma = signed_couplings(point, (lags["ee"], lags["ei"], lags["ie"], lags["ii"]))
    return sigma, (width, width)


def _chimera_near(z: Complex, a: float, beta: float, width: float) -> Complex | None:
    """The chimera state that Newton's method reaches from ``z`` (E locked), or None."""
    sigma, widths = _system(a, beta, width)
    found, _, residual = rotating_state(z, sigma, widths, reference=0)
    r_e, r_i = abs(found[0]), abs(found[1])
    if residual > _RESIDUAL or not (r_e > _LOCKED and 0.05 < r_i < _LOCKED):
        return None
    return found


def _growth(z: Complex, a: float, beta: float, width: float) -> float:
    sigma, widths = _system(a, beta, width)
    _, omega, _ = rotating_state(z, sigma, widths, reference=0)
    return float(rotating_eigenvalues(z, omega, sigma, widths)[0].real)


def _seed(beta: float, width: float, previous: tuple[float, Complex] | None
          ) -> tuple[float, Complex] | None:
    """A stable chimera (E locked) at some A: continued from the previous β's, else from
    the full steady-state search on a grid of A; None where there is none."""
    from .states import steady_states

    if previous is not None:
        found = _chimera_near(previous[1], previous[0], beta, width)
        if found is not None and _growth(found, previous[0], beta, width) < 0:
            return previous[0], found
    for a in np.arange(0.02, 0.96, 0.02):
        for state in steady_states(**chimera_parameters(float(a), beta, width)):
            if state.stable and state.r_e > _LOCKED and state.r_i < _LOCKED:
                return float(a), np.array([state.z_e, state.z_i])
    return None


def _saddle_node(a: float, z: Complex, beta: float, width: float) -> float:
    """Smallest A to which the chimera continues from ``(a, z)`` (step halving)."""
    step = 0.02
    while step > 1e-6:
        found = _chimera_near(z, a - step, beta, width) if a - step > 0 else None
        if found is None:
            step *= 0.5
        else:
            a, z = a - step, found
    return a


def _hopf(a: float, z: Complex, beta: float, width: float) -> tuple[float, Complex]:
    """A where the stable chimera's leading eigenvalue crosses zero, continuing upward;
    and the (unstable) chimera just above it."""
    step = 0.01
    low, z_low = a, z
    while True:
        found = _chimera_near(z_low, low + step, beta, width)
        if found is None or low + step >= 1.0:
            return float("nan"), z_low
        if _growth(found, low + step, beta, width) > 0:
            high, z_high = low + step, found
            break
        low, z_low = low + step, found
    while high - low > 1e-6:
        middle = 0.5 * (low + high)
        found = _chimera_near(z_low, middle, beta, width)
        if found is None:
            break
        if _growth(found, middle, beta, width) > 0:
            high, z_high = middle, found
        else:
            low, z_low = middle, found
    return 0.5 * (low + high), z_high


def _homoclinic(a_hopf: float, z: Complex, beta: float, width: float, step: float,
                t_max: float) -> float:
    """First A above the Hopf point at which a start next to the chimera escapes to
    synchrony (the breathing chimera is gone): all A values integrated together."""
    a_values = np.arange(a_hopf + step, 1.0, step)
    states, kept = [], []
    for a in a_values:
        found = _chimera_near(z, float(a), beta, width)
        if found is None:
            break
        states.append(found)
        kept.append(float(a))
        z = found
    if not kept:
        return float("nan")
    a_kept = np.array(kept)
    params = [chimera_parameters(a, beta, width) for a in a_kept]
    lags = np.array([[p["phase_lag"][b] for b in ("ee", "ei", "ie", "ii")] for p in params])
    grid = GridParameters(0.5 * (1 + a_kept), 0.5 * (1 - a_kept), 0.5 * (1 - a_kept),
                          0.5 * (1 + a_kept), width, width, lags)
    start = np.array(states)
    z_e, z_i = start[:, 0].copy(), start[:, 1] * (1 - 0.02 / np.abs(start[:, 1]))
    escaped = np.zeros(a_kept.size, dtype=bool)
    dt = 0.05
    for _ in range(int(t_max / dt)):
        z_e, z_i = rk4_step(z_e, z_i, grid, dt)
        escaped |= np.abs(z_i) > _LOCKED
    if not escaped.any():
        return float("nan")
    return float(a_kept[np.argmax(escaped)] - 0.5 * step)


@dataclass(frozen=True)
class ChimeraBoundaries:
    """Boundaries of the chimera states in the (A, β) plane.

    Attributes
    ----------
    beta
        The values of β.
    saddle_node
        A at the saddle-node curve (chimeras exist above it); NaN (with the other two)
        where no stable chimera was found at that β.
    hopf
        A at the Hopf curve (stationary chimeras between the saddle-node and this,
        breathing ones above it).
    homoclinic
        A at the homoclinic curve (breathing chimeras below it; NaN where not found up to
        A = 1), to within ``homoclinic_step / 2``.
    width
        The Lorentzian half-width used.
    homoclinic_step
        Spacing of the A grid on which the homoclinic curve is located.
    """

    beta: NDArray[np.float64]
    saddle_node: NDArray[np.float64]
    hopf: NDArray[np.float64]
    homoclinic: NDArray[np.float64]
    width: float
    homoclinic_step: float

    def state_at(self, a: float, beta: float) -> str:
        """``"none"``, ``"stationary"`` or ``"breathing"`` from the curves (linear
        interpolation in β)."""
        sn, hopf, hom = (float(np.interp(beta, self.beta, c))
                         for c in (self.saddle_node, self.hopf, self.homoclinic))
        if np.isnan(sn) or a < sn or a > hom:  # a NaN homoclinic: breathing up to A = 1
            return "none"
        return "stationary" if a < hopf else "breathing"


def chimera_boundaries(beta_values: ArrayLike, width: float = DEFAULT_WIDTH, *,
                       homoclinic_step: float = 0.0025, t_max: float = 1500.0
                       ) -> ChimeraBoundaries:
    """Saddle-node, Hopf and homoclinic curves of the chimera states.

    See the module docstring of ``eikura.theory._chimeras`` for the network and the
    method. Cost: about a second per β plus one batched integration per β.

    Parameters
    ----------
    beta_values
        Values of ``β = π/2 − α`` (1-D, each in (0, π/2)).
    width
        Lorentzian half-width of both populations (> 0; small for the published,
        identical-oscillator diagram).
    homoclinic_step
        Spacing in A of the grid on which the homoclinic curve is located.
    t_max
        Integration time of each start for the homoclinic curve.

    Returns
    -------
    ChimeraBoundaries

    References
    ----------
    D. M. Abrams, R. Mirollo, S. H. Strogatz and D. A. Wiley, "Solvable model for chimera
    states of coupled oscillators", Phys. Rev. Lett. 101, 084103 (2008).

    Examples
    --------
    >>> import eikura as ek
    >>> curves = ek.theory.chimera_boundaries([0.1], homoclinic_step=0.01)  # doctest: +SKIP
    >>> curves.state_at(0.2, 0.1), curves.state_at(0.3, 0.1)  # doctest: +SKIP
    ('stationary', 'breathing')
    """
    beta_values = check_finite_array("beta_values", beta_values, ndim=1)
    if np.any(beta_values <= 0) or np.any(beta_values >= 0.5 * np.pi):
        raise ValueError("beta_values: each β must be in (0, π/2)")
    width = check_positive("width", width)
    homoclinic_step = check_positive("homoclinic_step", homoclinic_step)
    t_max = check_positive("t_max", t_max)
    curves: list[tuple[float, float, float]] = []
    previous: tuple[float, Complex] | None = None
    for beta in beta_values:
        seed = _seed(float(beta), width, previous)
        if seed is None:  # no stable chimera at this β (beyond where the curves meet)
            curves.append((float("nan"), float("nan"), float("nan")))
            previous = None
            continue
        a, z = seed
        a_sn = _saddle_node(a, z, float(beta), width)
        a_hopf, z_hopf = _hopf(a, z, float(beta), width)
        middle = 0.5 * (a_sn + a_hopf) if not np.isnan(a_hopf) else a
        continued = _chimera_near(z, middle, float(beta), width)
        previous = (middle, z if continued is None else continued)
        a_hom = (float("nan") if np.isnan(a_hopf) else
                 _homoclinic(a_hopf, z_hopf, float(beta), width, homoclinic_step, t_max))
        curves.append((a_sn, a_hopf, a_hom))
    table = np.array(curves)
    return ChimeraBoundaries(beta_values, table[:, 0], table[:, 1], table[:, 2], width,
                             homoclinic_step)
