"""Mean dwell times of finite-size switching between incoherence and synchrony.

Where incoherence and an in-phase synchronized state are both stable, a network of finite
``N`` does not stay in either for ever: the fluctuations of its mean fields, of order
``1/sqrt(N)``, carry it over the saddle (the unstable in-phase state between the two) now
and then. This module estimates the mean dwell time in each state from a stochastic
description of the first moments in the in-phase plane.

Construction (what is derived and what is assumed)
--------------------------------------------------
1. **The drift.** The real first moments ``x = (Z_E, Z_I)`` obey the first equation of
   the Fourier hierarchy of the Fokker–Planck equation (exact for Lorentzian
   frequencies), ``dx_X/dt = −(Δ+D) x_X + (H_X/2)(1 − Z_2^X)``, closed with
   ``Z_2 = x² R_2(H)/R_1(H)`` (``_Closure``). Without noise this is the Ott–Antonsen
   equation (exact); with noise the closure is exact at every steady state (the saddle,
   the states and the folds are those of the Fokker–Planck theory) and to linear order
   at incoherence.
2. **The noise.** For ``N_X`` independent oscillators with Lorentzian frequencies
   (half-width ``Δ``) and phase noise ``D``, ``Z_X`` is a Gaussian process with
   correlation ``e^{-(Δ+D)|t|}/N_X``: exactly an Ornstein–Uhlenbeck process whose white
   source has intensity ``(Δ + D)/(2 N_X)`` per component. Coupling adds the mean-field
   drift (the linear response of Lorentzian oscillators is exactly
   ``dZ/dt = −(Δ+D)Z + H/2``), which reproduces Daido's finite-size variance of the
   incoherent state, ``⟨|Z|²⟩ = 1/(N (1 − K/2(Δ+D)))`` for one population. Away from
   incoherence the phase-noise part is exact too (the noise kicks each phase
   perpendicular to the mean field: ``D (1 − Z_2)/(2 N_X)`` on the in-plane component).
   The frequency-disorder part away from incoherence is the one assumption: the time
   variance of the drifting oscillators (``|ω| > |H|``; locked oscillators are still),
   ``v(|H|)`` from ``_drifting_variance``, turned over at the rate ``Δ`` as at
   incoherence: ``Δ v / N_X``. Both parts together give ``q_X/N`` per component.
3. **The barriers.** With ``dx = f dt + sqrt(2q/N) dW`` the stationary density is
   ``~ e^{−N V}``, ``V`` the Freidlin–Wentzell quasi-potential: the minimum of the
   geometric action ``∫ (|ẋ| |f| − ⟨ẋ, f⟩)`` (norms with ``(2q)^{-1}``) over paths
   from a well to the saddle. It is found by minimising the discretised action, starting
   from the relaxation path (the saddle's unstable manifold); the incoherent focus is
   strongly non-normal for large ``K_IE``, and the minimum-action path climbs with far
   less action than the relaxation path (about 1/16 at ``K = (4.5, 1, 12, 2)``).
   ``ΔΦ_low``, ``ΔΦ_high`` are the barriers; dwell times grow as ``e^{N ΔΦ}``.
4. **The prefactor.** The two minimum-action paths joined at the saddle make one
   coordinate ``s``, with ``Φ(s) = V`` along them and the noise projected on the path,
   ``Q(s) = Σ_X t_X² q_X / N``. The common phase rotation is a symmetry: every point of
   the plane stands for a circle of states of length ``∝ J = |x|``, which shrinks to a
   point at incoherence, so the stationary density along ``s`` is
   ``∝ J e^{−NΦ} / Q``. The mean first passage time of this one-dimensional diffusion
   from one well to the other state's level is computed exactly (``_dwell_times``); for
   large ``N`` it follows the Kramers law ``T ≈ C e^{N ΔΦ}``, and ``C`` is returned as
   ``prefactor``.

Nothing is fitted. The reduction neglects the noise on the higher moments, the
fluctuations out of the in-phase plane and across the path (which change the prefactor),
and the finite-N correction to the drift. ``docs/switching_figures.py`` compares the
dwell times with simulations: with noise (``K = (4.8, 1, 12, 2)``, ``D = 0.27-0.31``,
``N = 500-1400``) they agree within a factor of 5; without noise, next to a fold, they
do not (see ``docs/science.md``).

References
----------
.. [1] H. Daido, "Intrinsic fluctuations and a phase transition in a class of large
   populations of interacting oscillators", J. Stat. Phys. 60, 753 (1990).
.. [2] H. A. Kramers, "Brownian motion in a field of force and the diffusion model of
   chemical reactions", Physica 7, 284 (1940).
.. [3] M. I. Freidlin and A. D. Wentzell, *Random Perturbations of Dynamical Systems*
   (Springer, 1984); M. Heymann and E. Vanden-Eijnden, "The geometric minimum action
   method", Commun. Pure Appl. Math. 61, 1052 (2008).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.integrate import solve_ivp
from scipy.interpolate import RectBivariateSpline
from scipy.optimize import minimize

from .._validation import check_int
from ._equations import continued_fraction, modes_needed
from ._params import NOISE_FOKKER_PLANCK, PointParameters, check_point
from .states import SteadyState, states_at

__all__ = ["SwitchingRates", "switching_rates"]

Array = NDArray[np.float64]
Flow = Callable[[Array], Array]

_PATH_POINTS = 4001  # samples of the path, uniform in arc length
_PATH_NODES = 61  # nodes of each escape path in the action minimisation


@dataclass(frozen=True)
class SwitchingRates:
    """Dwell times of finite-size switching predicted by :func:`switching_rates`.

    Attributes
    ----------
    n
        Network size ``N``.
    barrier_low, barrier_high
        Quasi-potential barriers ``ΔΦ`` per oscillator from the incoherent (low) and the
        synchronized (high) state to the saddle: dwell times grow as ``e^{N ΔΦ}``.
    dwell_low, dwell_high
        Mean dwell times (time units) in the low and the high state: mean first passage
        time from the bottom of one well to the other state's level (where the
        quasi-potential is ``1/N`` above the bottom of its well, or half-way down a well
        shallower than ``2/N``).
    prefactor_low, prefactor_high
        ``dwell / e^{N ΔΦ}`` (the Kramers prefactor, time units).
    low, saddle, high
        The three steady states (incoherence, the saddle, the synchronized state).
    arc_length, r_e, r_i, drift, diffusion, potential
        The path: arc length ``s`` from incoherence, the first moments along it, the
        drift ``f(s)``, ``N·Q(s)`` and ``Φ(s)`` (0 at incoherence).
    noise_treatment
        How the mean-field drift treats noise (see :func:`steady_states`).
    """

    n: int
    barrier_low: float
    barrier_high: float
    dwell_low: float
    dwell_high: float
    prefactor_low: float
    prefactor_high: float
    low: SteadyState
    saddle: SteadyState
    high: SteadyState
    arc_length: Array
    r_e: Array
    r_i: Array
    drift: Array
    diffusion: Array
    potential: Array
    noise_treatment: str

    @property
    def rate_low(self) -> float:
        """Switches per unit time out of the low state (``1/dwell_low``)."""
        return 1.0 / self.dwell_low

    @property
    def rate_high(self) -> float:
        """Switches per unit time out of the high state (``1/dwell_high``)."""
        return 1.0 / self.dwell_high

    def at_size(self, n: int) -> SwitchingRates:
        """The same prediction for another ``N`` (the path does not depend on ``N``)."""
        n = check_int("n", n, minimum=2)
        dwell_low, dwell_high = _dwell_times(self.arc_length, self.potential, self.diffusion,
                                             np.hypot(self.r_e, self.r_i), n)
        return _with_dwells(self, n, dwell_low, dwell_high)


def switching_rates(
    k_ee: float,
    k_ei: float,
    k_ie: float,
    k_ii: float,
    width_e: float = 1.0,
    width_i: float = 1.0,
    *,
    n: int,
    fraction_e: float = 0.8,
    noise_e: float = 0.0,
    noise_i: float = 0.0,
    noise_treatment: str = "auto",
) -> SwitchingRates:
    """Mean dwell times of finite-size switching between incoherence and synchrony.

    At a bistable point (stable incoherence, a stable in-phase state and the unstable
    in-phase saddle between them) a network of ``N`` oscillators switches between the two
    states, driven by the ``1/sqrt(N)`` fluctuations of its mean fields. The prediction
    comes from the first moments in the in-phase plane: mean-field drift (closed noisy
    hierarchy), finite-size noise derived from independent oscillators, barriers from the
    minimum-action path, and the exact mean first passage time along that path; dwell
    times grow as ``e^{N ΔΦ}``. Nothing is fitted; the module docstring of
    ``eikura.theory.switching`` gives the derivation and its assumptions. With noise
    (``K = (4.8, 1, 12, 2)``, ``D = 0.27-0.31``) it agrees with simulations within a
    factor of 5; without noise next to a fold it does not (``docs/science.md``).

    Parameters
    ----------
    k_ee, k_ei, k_ie, k_ii
        Coupling strengths ``K_post,pre`` (>= 0).
    width_e, width_i
        Half-widths Δ of the Lorentzian frequency distributions (common centre).
    n : int
        Network size ``N`` (>= 2).
    fraction_e : float, default 0.8
        Share of excitatory oscillators, ``N_E / N``.
    noise_e, noise_i
        Phase-noise intensities D (>= 0).
    noise_treatment
        ``"auto"`` (Fokker–Planck hierarchy with noise), ``"quick"`` (Δ → Δ + D in the
        Ott–Antonsen equations, approximate) or ``"fokker-planck"``.

    Returns
    -------
    SwitchingRates
        Barriers, dwell times, Kramers prefactors, the three states and the path.

    Raises
    ------
    ValueError
        When the point is not bistable in this sense (no stable incoherence, no stable
        in-phase state, or no saddle between them), naming the missing state.

    Examples
    --------
    >>> import eikura as ek
    >>> rates = ek.theory.switching_rates(4.5, 1.0, 12.0, 2.0, n=100)
    >>> round(rates.barrier_low, 3), round(rates.barrier_high, 3)
    (0.003, 0.041)
    """
    params = check_point(k_ee, k_ei, k_ie, k_ii, width_e, width_i, noise_e, noise_i, 0.0,
                         noise_treatment)
    n = check_int("n", n, minimum=2)
    fraction_e = float(fraction_e)
    if not 0.0 < fraction_e < 1.0:
        raise ValueError(f"fraction_e: must lie strictly between 0 and 1, got {fraction_e!r}")
    low, saddle, high = _bistable_states(params)
    arc_length, r_e, r_i, drift, diffusion, potential = _path(
        _Closure(params), fraction_e, low, saddle, high)
    dwell_low, dwell_high = _dwell_times(arc_length, potential, diffusion,
                                         np.hypot(r_e, r_i), n)
    rates = SwitchingRates(
        n, 0.0, 0.0, dwell_low, dwell_high, 0.0, 0.0, low, saddle, high,
        arc_length, r_e, r_i, drift, diffusion, potential, params.noise_treatment,
    )
    return _with_dwells(rates, n, dwell_low, dwell_high)


def _with_dwells(rates: SwitchingRates, n: int, dwell_low: float,
                 dwell_high: float) -> SwitchingRates:
    top = int(np.argmax(rates.potential))
    barrier_low = float(rates.potential[top] - rates.potential[0])
    barrier_high = float(rates.potential[top] - rates.potential[-1])
    return SwitchingRates(
        n, barrier_low, barrier_high, dwell_low, dwell_high,
        dwell_low * float(np.exp(-n * barrier_low)), dwell_high * float(np.exp(-n * barrier_high)),
        rates.low, rates.saddle, rates.high, rates.arc_length, rates.r_e, rates.r_i,
        rates.drift, rates.diffusion, rates.potential, rates.noise_treatment,
    )


def _bistable_states(params: PointParameters) -> tuple[SteadyState, SteadyState, SteadyState]:
    """Incoherence, the in-phase saddle and the stable in-phase state above it."""
    states = states_at(params)
    low = states[0]
    where = (f"at K = ({params.k_ee:g}, {params.k_ei:g}, {params.k_ie:g}, {params.k_ii:g}), "
             f"D = ({params.noise_e:g}, {params.noise_i:g})")
    if not low.stable:
        raise ValueError(f"k_ee..k_ii: incoherence is unstable {where}; no switching to predict")
    in_phase = [s for s in states if s.kind == "in-phase"]
    highs = [s for s in in_phase if s.stable]
    if not highs:
        raise ValueError(f"k_ee..k_ii: no stable in-phase state {where} (beyond the fold "
                         "where bistability ends)")
    high = min(highs, key=lambda s: s.r_e)
    saddles = [s for s in in_phase if not s.stable and s.r_e < high.r_e
               and sum(e.real > 0 for e in s.eigenvalues) == 1]
    if not saddles:
        raise ValueError(f"k_ee..k_ii: no saddle between incoherence and the in-phase state "
                         f"{where}")
    saddle = max(saddles, key=lambda s: s.r_e)
    return low, saddle, high


class _Closure:
    """Drift and finite-size noise of the first moments ``x = (Z_E, Z_I)`` (real, in phase).

    ``dx_X/dt = −(Δ_X + D_X) x_X + (H_X/2)(1 − Z_2^X)`` is the first equation of the
    Fourier hierarchy; the second moment is closed as ``Z_2 = x² R_2(H)/R_1(H)``, where
    ``R_n(H)`` are the stationary moment ratios of the hierarchy in the field ``H`` (the
    continued fraction of ``_equations``). Without noise ``R_2 = R_1`` and this is the
    Ott–Antonsen equation (exact); with noise it is exact at every steady state (so it has
    the saddles and folds of the Fokker–Planck theory) and to linear order at incoherence.
    """

    def __init__(self, params: PointParameters) -> None:
        self.p = params
        exact = params.noise_treatment == NOISE_FOKKER_PLANCK
        # the quick treatment is Ott–Antonsen with Δ + D: no hierarchy noise left
        self.widths = (params.effective_width_e, params.effective_width_i)
        self.noises = (params.noise_e, params.noise_i) if exact else (0.0, 0.0)
        field_max = max(params.k_ee + params.k_ei, params.k_ie + params.k_ii, 1e-12)
        self.modes = tuple(modes_needed(field_max, width, noise) if noise > 0 else 1
                           for width, noise in zip(self.widths, self.noises, strict=True))

    def fields(self, x: Array) -> tuple[Array, Array]:
        p = self.p
        return p.k_ee * x[..., 0] - p.k_ei * x[..., 1], p.k_ie * x[..., 0] - p.k_ii * x[..., 1]

    def second_moments(self, x: Array) -> Array:
        """``Z_2`` of both populations by the closure."""
        out = np.empty_like(x)
        for k, field in enumerate(self.fields(x)):
            width, noise, modes = self.widths[k], self.noises[k], self.modes[k]
            if noise == 0:
                out[..., k] = x[..., k] ** 2
                continue
            # R_n is odd in H: the ratio is even, and at H → 0 tends to (Δ+D)/(Δ+2D)
            h = np.where(np.abs(field) < 1e-9, 1e-9, np.abs(field)) + 0j
            first = continued_fraction(h, width, noise, 0.0, modes).real
            second = continued_fraction(h, width + noise, noise, 0.0, modes - 1).real
            out[..., k] = x[..., k] ** 2 * second / first
        return out

    def drift(self, x: Array) -> Array:
        second = self.second_moments(x)
        out = np.empty_like(x)
        for k, field in enumerate(self.fields(x)):
            out[..., k] = (-(self.widths[k] + self.noises[k]) * x[..., k]
                           + 0.5 * field * (1.0 - second[..., k]))
        return out

    def source(self, x: Array, fraction_e: float) -> Array:
        """``N`` times the white-noise intensity on each first moment (see the module)."""
        second = self.second_moments(x)
        shares = (fraction_e, 1.0 - fraction_e)
        width_noise = ((self.p.width_e, self.p.noise_e), (self.p.width_i, self.p.noise_i))
        out = np.empty_like(x)
        for k, field in enumerate(self.fields(x)):
            width, noise = width_noise[k]
            kicks = 0.5 * (1 - second[..., k])  # mean of sin²(θ − φ)
            out[..., k] = (width * _drifting_variance(np.abs(field), width)
                           + noise * kicks) / shares[k]
        return out


def _drifting_variance(field: Array, width: float) -> Array:
    """Time variance of ``cos(θ − φ)`` per oscillator, averaged over Lorentzian frequencies.

    An oscillator with ``|ω| > h`` (``h = |H|``) drifts through ``θ̇ = ω − h sin θ``; its
    time-averaged moments are ``⟨e^{inθ}⟩ = (i a)^n``, ``a = (|ω| − sqrt(ω² − h²))/h``, so
    the in-plane component has variance ``(1 − a²)/2``. A locked oscillator (``|ω| < h``)
    is still and contributes nothing. With ``ω = h cosh u`` (``a = e^{−u}``):
    ``½ P(|ω| > h) − ∫_0^∞ g(h cosh u) e^{−2u} h sinh u du``.
    """
    if width == 0:
        return np.zeros_like(field)
    u = np.linspace(0.0, 30.0, 301)
    h = field[..., None]
    density = (width / np.pi) / (width**2 + (h * np.cosh(u)) ** 2)
    correction = np.trapezoid(density * np.exp(-2 * u) * h * np.sinh(u), u, axis=-1)
    drifting = 1.0 - (2.0 / np.pi) * np.arctan(field / width)
    variance: Array = 0.5 * drifting - correction
    return variance


class _Landscape:
    """Drift and noise of a closure on a grid, as bicubic splines (cheap to evaluate)."""

    def __init__(self, closure: _Closure, fraction_e: float, points: int = 101) -> None:
        axis = np.linspace(-0.999, 0.999, points)
        x = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1)
        drift, source = closure.drift(x), closure.source(x, fraction_e)
        self.drift = [RectBivariateSpline(axis, axis, drift[..., k]) for k in range(2)]
        self.source = [RectBivariateSpline(axis, axis, source[..., k]) for k in range(2)]

    def __call__(self, x: Array) -> tuple[Array, Array]:
        drift = np.stack([s.ev(x[:, 0], x[:, 1]) for s in self.drift], axis=-1)
        source = np.stack([s.ev(x[:, 0], x[:, 1]) for s in self.source], axis=-1)
        return drift, np.maximum(source, 1e-12)


def _action_terms(landscape: _Landscape, points: Array) -> Array:
    """Geometric Freidlin–Wentzell action of each segment of a path.

    With ``dx = f dt + sqrt(2q/N) dW`` and ``⟨u, v⟩ = Σ u_k v_k / (2 q_k)``:
    ``S = Σ |δx| |f| − ⟨δx, f⟩`` (midpoint rule), whose minimum over paths from a well to
    the saddle is the quasi-potential barrier.
    """
    step = np.diff(points, axis=0)
    drift, source = landscape(0.5 * (points[1:] + points[:-1]))
    weight = 0.5 / source
    length = np.sqrt(np.sum(step * step * weight, axis=1))
    speed = np.sqrt(np.sum(drift * drift * weight, axis=1))
    terms: Array = length * speed - np.sum(step * drift * weight, axis=1)
    return terms


def _resample(points: Array, count: int) -> Array:
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))])
    grid = np.linspace(0.0, arc[-1], count)
    return np.column_stack([np.interp(grid, arc, points[:, k]) for k in range(2)])


def _relaxation_path(landscape: _Landscape, saddle: Array, well: Array) -> Array:
    """The saddle's unstable manifold down to ``well`` (a first guess of the escape path)."""

    def drift(x: Array) -> Array:
        velocity: Array = landscape(x[None, :])[0][0]
        return velocity

    jacobian = np.empty((2, 2))
    for j in range(2):
        shift = np.zeros(2)
        shift[j] = 1e-6
        jacobian[:, j] = (drift(saddle + shift) - drift(saddle - shift)) / 2e-6
    eigenvalues, vectors = np.linalg.eig(jacobian)
    unstable = vectors[:, int(np.argmax(eigenvalues.real))].real
    if np.dot(unstable, well - saddle) < 0:
        unstable = -unstable
    solution = solve_ivp(lambda _, y: drift(y), (0.0, 400.0), saddle + 1e-6 * unstable,
                         rtol=1e-8, atol=1e-11, dense_output=True)
    states = solution.sol(np.linspace(0.0, 400.0, 40001)).T
    distance = np.linalg.norm(states - well, axis=1)
    end = int(np.argmax(distance < 1e-6)) if np.any(distance < 1e-6) else len(states) - 1
    path: Array = np.concatenate([[saddle], states[: end + 1], [well]])[::-1]
    return path


def _escape_path(landscape: _Landscape, well: Array, saddle: Array) -> tuple[Array, Array]:
    """The minimum-action path from ``well`` to ``saddle`` and the quasi-potential on it.

    Starts from the relaxation path (reversed) and minimises the discretised geometric
    action over the inner points (L-BFGS), re-spacing the points evenly between rounds.
    """
    points = _resample(_relaxation_path(landscape, saddle, well), _PATH_NODES)

    def total_and_gradient(inner: Array) -> tuple[float, Array]:
        path = np.concatenate([[well], inner.reshape(-1, 2), [saddle]])
        terms = _action_terms(landscape, path)
        # Each node enters only its two segments: shifting every other node at once
        # gives the whole gradient from 8 evaluations (central differences).
        gradient = np.zeros_like(path)
        step = 1e-7
        for parity in (0, 1):
            nodes = np.arange(1 + parity, len(path) - 1, 2)
            for k in range(2):
                shift = np.zeros_like(path)
                shift[nodes, k] = step
                change = (_action_terms(landscape, path + shift)
                          - _action_terms(landscape, path - shift)) / (2 * step)
                gradient[nodes, k] = change[nodes - 1] + change[nodes]
        return float(np.sum(terms)), gradient[1:-1].ravel()

    for _ in range(3):
        result = minimize(total_and_gradient, points[1:-1].ravel(), jac=True,
                          method="L-BFGS-B", bounds=[(-0.99, 0.99)] * (2 * (len(points) - 2)),
                          options={"maxiter": 2000})
        points = np.concatenate([[well], result.x.reshape(-1, 2), [saddle]])
        points = _resample(points, _PATH_NODES)
    quasi_potential = np.concatenate([[0.0], np.cumsum(_action_terms(landscape, points))])
    return points, quasi_potential


def _path(closure: _Closure, fraction_e: float, low: SteadyState, saddle: SteadyState,
          high: SteadyState) -> tuple[Array, Array, Array, Array, Array, Array]:
    """Both escape paths joined at the saddle, sampled uniformly in arc length ``s``.

    The potential is the quasi-potential of the low well up to the saddle and, beyond it,
    the saddle's value less the high well's quasi-potential climb: ``Φ`` rises by
    ``ΔΦ_low`` from incoherence to the saddle and falls by ``ΔΦ_high`` to synchrony.
    """
    points = [np.array([state.r_e, state.r_i * np.cos(state.psi)]) for state in (low, saddle, high)]
    landscape = _Landscape(closure, fraction_e)
    x_low, v_low = _escape_path(landscape, points[0], points[1])
    x_high, v_high = _escape_path(landscape, points[2], points[1])
    x = np.concatenate([x_low, x_high[::-1][1:]])
    potential = np.concatenate([v_low, v_low[-1] - v_high[-1] + v_high[::-1][1:]])
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(x, axis=0), axis=1))])
    keep = np.concatenate([[True], np.diff(arc) > 0])
    x, potential, arc = x[keep], potential[keep], arc[keep]
    grid = np.linspace(0.0, arc[-1], _PATH_POINTS)
    x = np.column_stack([np.interp(grid, arc, x[:, 0]), np.interp(grid, arc, x[:, 1])])
    potential = np.interp(grid, arc, potential)
    tangent = np.gradient(x, grid, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    drift = np.sum(tangent * closure.drift(x), axis=1)
    diffusion = np.sum(tangent**2 * closure.source(x, fraction_e), axis=1)
    return grid, x[:, 0], x[:, 1], drift, diffusion, potential


def _dwell_times(arc_length: Array, potential: Array, diffusion: Array, orbit: Array,
                 n: int) -> tuple[float, float]:
    """Exact mean first passage times of the 1-D diffusion, end to end (reflecting ends).

    The stationary density along the path is ``ρ(s) ∝ J(s) e^{−NΦ(s)} / Q(s)``, where
    ``J = |(Z_E, Z_I)|`` is the length of the orbit of the common phase rotation through
    the point (a symmetry of the model: every point of the path stands for its whole
    orbit, which shrinks to a point at incoherence). Then, with ``Q = diffusion/N``,
    ``T(0 → b) = ∫_0^b dy e^{NΦ(y)}/J(y) ∫_0^y J e^{−NΦ} / Q dz`` (and the mirror image),
    ``b`` the level of the other state (below).
    The integrals are taken in logarithms (``N ΔΦ`` may exceed the float range).
    """
    log_step = np.log(0.5 * np.diff(arc_length))
    with np.errstate(divide="ignore"):
        log_orbit = np.log(orbit)
    log_mass = log_orbit + np.log(n / diffusion) - n * potential  # J e^{−NΦ} / Q
    log_climb = n * potential - log_orbit  # e^{NΦ} / J

    def log_cumulative(log_values: Array) -> Array:
        """Logarithm of the running trapezoidal integral of ``exp(log_values)``."""
        segments = np.logaddexp(log_values[1:], log_values[:-1]) + log_step
        return np.concatenate([[-np.inf], np.logaddexp.accumulate(segments)])

    def log_total(log_values: Array) -> float:
        segments = np.logaddexp(log_values[1:], log_values[:-1]) + log_step
        return float(np.logaddexp.reduce(segments))

    # The passage ends on reaching the other state's level, where Φ is 1/N above the
    # bottom of its well (one typical fluctuation), or half-way down a shallower well.
    # Reaching the point Z = 0 itself would take for ever (the orbit length J vanishes
    # there, so ∫ ds/J diverges).
    crest = int(np.argmax(potential))
    top = potential[crest]
    s = np.arange(potential.size)
    margin_high = min(1.0 / n, 0.5 * (top - potential[-1]))
    margin_low = min(1.0 / n, 0.5 * (top - potential[0]))
    reached_high = (s > crest) & (potential <= potential[-1] + margin_high)
    reached_low = (s < crest) & (potential <= potential[0] + margin_low)
    end_high = int(np.argmax(reached_high)) if np.any(reached_high) else int(s[-1])
    end_low = int(s[reached_low][-1]) if np.any(reached_low) else 0
    from_low = log_cumulative(log_mass)
    from_high = log_cumulative(log_mass[::-1])[::-1]
    with np.errstate(invalid="ignore"):  # at J = 0 the mass below is 0: a zero term
        outer_low = np.where((s <= end_high) & (orbit > 0), log_climb + from_low, -np.inf)
        outer_high = np.where((s >= end_low) & (orbit > 0), log_climb + from_high, -np.inf)
    with np.errstate(over="ignore"):  # beyond ~e^709 time units: inf
        dwell_low = float(np.exp(log_total(outer_low)))
        dwell_high = float(np.exp(log_total(outer_high)))
    return dwell_low, dwell_high
