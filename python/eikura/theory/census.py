"""Every attractor of the mean-field equations at one parameter point.

The steady states (``steady_states``) are exact, but they are not the whole story: the
reduced equations also have stable limit cycles, in which the order parameters keep
oscillating. At ``K = (4.6, 1, 12, 0.3)`` the in-phase state is stable, yet a start near
incoherence settles on a cycle on which ``r_E`` swings between 0 and 0.145 with period
2.92. The census finds both kinds:

1. **Steady states** with their stability, from :func:`steady_states`.
2. **Starts**: next to incoherence and next to every other unstable steady state (two
   small kicks each; none next to stable or marginal states, which would only return to
   them), plus ``n_random`` points drawn uniformly in the disc ``|z_E|, |z_I| < 0.95``
   (fixed ``seed``: the census is reproducible).
3. **Screening**: all starts are integrated together (RK4 in the frame turning at the
   common centre) until each has settled on a steady state, repeats the same swing of
   ``r_E, r_I`` window after window (an oscillation), or reaches ``t_max`` (see
   ``eikura.theory._flow`` for the criteria).
4. **Refinement** of every distinct oscillation: its period is read off a Poincaré
   section, then Newton's method on the relative-periodic-orbit equations ("shooting",
   ``eikura.theory._cycles``) converges to the cycle to ~1e-10; the monodromy matrix,
   less the flow and rotation directions, gives the two nontrivial Floquet multipliers.

Each attractor carries the share of starts that reached it (a rough measure of its
basin with this choice of starts, not a volume). Stable steady states are attractors
whether or not a start reached them. The label follows the rule of
``eikura.theory._labels``: a cycle makes the label ``"other"``.

Examples
--------
>>> import eikura as ek
>>> census = ek.theory.attractors(4.6, 1.0, 12.0, 0.3)
>>> census.label
'other'
>>> [a.category for a in census.attractors]
['synchronized', 'oscillating']
>>> cycle = census.cycles[0]
>>> round(cycle.period, 3), round(cycle.r_e_max, 3), cycle.kind
(2.917, 0.145, 'collinear')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validation import check_bool, check_int, check_positive, check_seed
from ._cycles import (
    PointFlow,
    cycle_extremes,
    estimate_period,
    invariants,
    nontrivial_multipliers,
    shoot,
)
from ._delays import refuse_delay
from ._families import GridParameters
from ._flow import OSCILLATING, STEADY, UNDECIDED, Screening, screen, take, time_step
from ._labels import LABELS, MARGINAL_TOLERANCE, label_codes
from ._lagged import check_phase_lag, has_lag
from ._params import NOISE_FOKKER_PLANCK, NOISE_QUICK, PointParameters, check_point
from .states import SteadyState, states_at

__all__ = ["LimitCycle", "Attractor", "Census", "attractors", "census_at"]

KICK = 0.01  # size of the kicks that start trajectories next to unstable states
# Oscillations whose r_E, r_I extremes agree this closely are the same attractor.
SAME_CYCLE = 0.01
# A cycle is stable when both nontrivial Floquet multipliers are inside this radius.
MULTIPLIER_TOLERANCE = 1e-6


@dataclass(frozen=True)
class LimitCycle:
    """A periodic orbit of the reduced (r_E, r_I, ψ) equations.

    Attributes
    ----------
    period
        Period ``T`` of ``r_E(t), r_I(t), ψ(t)`` (NaN when the cycle was not refined).
    rotation
        Angle by which both mean fields have turned after one period, in the frame
        turning at the common centre (π for a collinear cycle that passes through 0).
    r_e_min, r_e_max, r_i_min, r_i_max
        Extremes of the order parameters along the cycle.
    multipliers
        The two nontrivial Floquet multipliers (largest modulus first); empty when the
        cycle was not refined.
    stable
        Both multipliers inside the unit circle (by ``MULTIPLIER_TOLERANCE``); for an
        unrefined oscillation, that the integrations settled on it.
    kind
        ``"collinear"``: ``z_E`` and ``z_I`` stay on one line through 0 (ψ is 0 or π at
        every instant; the order parameters may pass through 0), its own mirror image.
        ``"lagged"``: ψ takes other values; the mirror image (ψ → −ψ) is a second cycle
        with the same ``r_E(t), r_I(t)``, counted with this one.
        ``"irregular"``: the trajectories kept moving but no periodic orbit was found
        (quasi-periodic or chaotic motion, or a cycle whose shooting did not converge).
    z_e, z_i
        A point on the cycle (frame turning at the common centre), for integrating it.
    residual
        Largest component of the shooting equations at the returned point.
    """

    period: float
    rotation: float
    r_e_min: float
    r_e_max: float
    r_i_min: float
    r_i_max: float
    multipliers: tuple[complex, ...]
    stable: bool
    kind: str
    z_e: complex
    z_i: complex
    residual: float = float("nan")


@dataclass(frozen=True)
class Attractor:
    """One attractor of the mean-field equations with the share of starts that reached it.

    Attributes
    ----------
    category
        ``"desynchronized"`` (incoherence), ``"synchronized"`` (a stable synchronized
        steady state of any kind) or ``"oscillating"`` (a limit cycle).
    share
        Fraction of the census's starts that ended on it (NaN where the census did not
        integrate, see ``Census.notes``).
    state
        The steady state, for the first two categories.
    cycle
        The limit cycle, for ``"oscillating"``.
    """

    category: str
    share: float
    state: SteadyState | None = None
    cycle: LimitCycle | None = None

    @property
    def kind(self) -> str:
        """The state's kind (``"incoherent"``, ``"in-phase"``, ``"lagged"``) or the cycle's."""
        if self.state is not None:
            return self.state.kind
        assert self.cycle is not None
        return f"{self.cycle.kind} cycle"

    @property
    def r_e_range(self) -> tuple[float, float]:
        """Lowest and highest ``r_E`` on the attractor."""
        if self.state is not None:
            return (self.state.r_e, self.state.r_e)
        assert self.cycle is not None
        return (self.cycle.r_e_min, self.cycle.r_e_max)

    @property
    def r_i_range(self) -> tuple[float, float]:
        """Lowest and highest ``r_I`` on the attractor."""
        if self.state is not None:
            return (self.state.r_i, self.state.r_i)
        assert self.cycle is not None
        return (self.cycle.r_i_min, self.cycle.r_i_max)

    def describe(self) -> str:
        """One line in words."""
        share = "" if np.isnan(self.share) else f", reached from {100 * self.share:.0f}% of starts"
        if self.state is not None:
            s = self.state
            return (
                f"{s.kind} state r_e={s.r_e:.4f} r_i={s.r_i:.4f} psi={s.psi:+.4f} "
                f"(growth {s.growth_rate:+.3g}){share}"
            )
        assert self.cycle is not None
        c = self.cycle
        multipliers = ", ".join(f"{abs(m):.3g}" for m in c.multipliers) or "not computed"
        return (
            f"{c.kind} limit cycle: period {c.period:.4g}, r_e {c.r_e_min:.4f}..{c.r_e_max:.4f}, "
            f"r_i {c.r_i_min:.4f}..{c.r_i_max:.4f}, |Floquet multipliers| {multipliers}{share}"
        )


@dataclass(frozen=True)
class Census:
    """Every attractor found at one parameter point, and the label they imply.

    Attributes
    ----------
    label
        ``"synchronized"``, ``"desynchronized"``, ``"bistable"`` or ``"other"`` (rule in
        ``eikura.theory._labels``: a limit cycle makes it ``"other"``).
    attractors
        Stable steady states (incoherence first, then as in :func:`steady_states`) and
        stable limit cycles, each with its share of starts.
    states
        Every steady state, stable or not.
    n_starts
        Number of starts integrated.
    undecided
        Starts that had neither settled nor repeated an oscillation by ``t_max`` (slow
        passages near a bifurcation); they count for no attractor.
    notes
        Remarks in words.
    noise_treatment
        As in :func:`steady_states`.
    parameters
        The parameter point.
    """

    label: str
    attractors: tuple[Attractor, ...]
    states: tuple[SteadyState, ...]
    n_starts: int
    undecided: int
    notes: tuple[str, ...]
    noise_treatment: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def cycles(self) -> tuple[LimitCycle, ...]:
        """The stable limit cycles."""
        return tuple(a.cycle for a in self.attractors if a.cycle is not None)

    @property
    def oscillating(self) -> bool:
        """Whether some attractor is a limit cycle."""
        return any(a.category == "oscillating" for a in self.attractors)

    def summary(self) -> str:
        """The label and one line per attractor."""
        lines = [f"{self.label}: {len(self.attractors)} attractor(s) from {self.n_starts} starts"]
        lines += [f"  {a.describe()}" for a in self.attractors]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


# ------------------------------------------------------------------------------ starts


def _state_point(state: SteadyState) -> tuple[complex, complex]:
    return state.z_e, state.z_i


def _starts(
    states: list[SteadyState], n_random: int, rng: np.random.Generator
) -> tuple[NDArray[np.complex128], NDArray[np.complex128]]:
    """Kicks next to every unstable (not marginal) steady state, then random points."""
    z_e: list[complex] = []
    z_i: list[complex] = []
    for state in states:
        if state.growth_rate <= MARGINAL_TOLERANCE:
            continue
        centre_e, centre_i = _state_point(state)
        for _ in range(2):
            kick = rng.normal(size=4)
            kick *= KICK / np.linalg.norm(kick)
            z_e.append(centre_e + complex(kick[0], kick[1]))
            z_i.append(centre_i + complex(kick[2], kick[3]))
    radius = 0.95 * np.sqrt(rng.random((2, n_random)))
    angle = 2 * np.pi * rng.random((2, n_random))
    random = radius * np.exp(1j * angle)
    out_e = np.concatenate([np.array(z_e, dtype=complex), random[0]])
    out_i = np.concatenate([np.array(z_i, dtype=complex), random[1]])
    # keep every start inside the disc (kicks next to states with r close to 1)
    for values in (out_e, out_i):
        outside = np.abs(values) > 0.999
        values[outside] *= 0.999 / np.abs(values[outside])
    return out_e, out_i


# ----------------------------------------------------------------------------- helpers


def _refined_extreme(values: NDArray[np.float64], largest: bool) -> tuple[int, float]:
    """Index of the extreme sample and the vertex of the parabola through it and its
    neighbours (used on squared order parameters, smooth even where ``r`` passes 0)."""
    k = int(np.argmax(values) if largest else np.argmin(values))
    if 0 < k < values.size - 1:
        a, b, c = values[k - 1], values[k], values[k + 1]
        denominator = a - 2 * b + c
        if denominator != 0:
            offset = 0.5 * (a - c) / denominator
            if abs(offset) <= 1:
                return k, float(b - 0.25 * (a - c) * offset)
    return k, float(values[k])


def _polished_extreme(
    flow: PointFlow,
    z_e: NDArray[np.complex128],
    z_i: NDArray[np.complex128],
    population: int,
    largest: bool,
) -> float:
    """An extreme of ``|z_X|²`` along a sampled orbit, located by Brent's method on the
    integrated orbit between the samples next to the best one."""
    from scipy.optimize import minimize_scalar

    values = np.abs(z_e if population == 0 else z_i) ** 2
    k, estimate = _refined_extreme(values, largest)
    if not 0 < k < values.size - 1:
        return estimate
    x = np.array([z_e[k - 1].real, z_e[k - 1].imag, z_i[k - 1].real, z_i[k - 1].imag])
    span = 2 * flow.sample_step
    sign = -1.0 if largest else 1.0

    def objective(tau: float) -> float:
        end = flow.flow(x, tau, with_matrix=False)[0] if tau > 0 else x
        return sign * float(end[2 * population] ** 2 + end[2 * population + 1] ** 2)

    found = minimize_scalar(objective, bounds=(0.0, span), method="bounded",
                            options={"xatol": 1e-10 * max(span, 1.0)})
    best = sign * float(found.fun)
    return max(best, estimate) if largest else min(best, estimate)


def _cycle_from_samples(
    kind: str,
    period: float,
    rotation: float,
    z_e: NDArray[np.complex128],
    z_i: NDArray[np.complex128],
    multipliers: tuple[complex, ...],
    stable: bool,
    residual: float,
    flow: PointFlow | None = None,
) -> LimitCycle:
    """A ``LimitCycle`` from samples over one period; with ``flow``, extremes polished."""
    extremes = []
    for population, values in enumerate((np.abs(z_e) ** 2, np.abs(z_i) ** 2)):
        for largest in (False, True):
            if flow is None:
                value = _refined_extreme(values, largest)[1]
            else:
                value = _polished_extreme(flow, z_e, z_i, population, largest)
            extremes.append(float(np.sqrt(max(value, 0.0))))
    return LimitCycle(
        float(period),
        float(rotation),
        extremes[0],
        extremes[1],
        extremes[2],
        extremes[3],
        multipliers,
        bool(stable),
        kind,
        complex(z_e[0]),
        complex(z_i[0]),
        float(residual),
    )


def _cycle_kind(
    z_e: NDArray[np.complex128], z_i: NDArray[np.complex128], tolerance: float
) -> str:
    """``"collinear"`` when ``Im(z_I conj z_E)`` stays within ``tolerance`` of 0 (relative)."""
    c = z_i * np.conj(z_e)
    scale = max(float(np.max(np.abs(z_e) * np.abs(z_i))), 1e-300)
    return "collinear" if float(np.max(np.abs(c.imag))) <= tolerance * scale else "lagged"


def _refine(flow: PointFlow, z_e: complex, z_i: complex) -> LimitCycle | None:
    """Period estimate and shooting from a point on (or near) an oscillation.

    ``None`` if the shooting converged onto a steady state (no swing left).
    """
    x = np.array([z_e.real, z_e.imag, z_i.real, z_i.imag])
    dt = time_step(flow.params)
    t, rec_e, rec_i = flow.record(x, 60.0, dt)
    estimate = estimate_period(t, rec_e, rec_i)
    if estimate is not None:
        _, period, rotation = estimate
        x_end = np.array([rec_e[-1].real, rec_e[-1].imag, rec_i[-1].real, rec_i[-1].imag])
        result = shoot(flow, x_end, period, rotation)
        if result.converged:
            _, c_e, c_i = cycle_extremes(flow, result.x0, result.period)
            swing = float(np.max(np.ptp(invariants(c_e, c_i), axis=0)))
            if swing < 1e-8:
                return None
            multipliers = nontrivial_multipliers(result.monodromy, result.x0, flow)
            stable = bool(np.all(np.abs(multipliers) < 1 - MULTIPLIER_TOLERANCE))
            rotation = float(np.angle(np.exp(1j * result.alpha)))
            return _cycle_from_samples(
                _cycle_kind(c_e, c_i, 1e-7),
                result.period,
                rotation,
                c_e,
                c_i,
                tuple(complex(m) for m in multipliers),
                stable,
                result.residual,
                flow,
            )
    # no clean period: report the motion as seen
    return _cycle_from_samples(
        "irregular", float("nan"), float("nan"), rec_e, rec_i, (), True, float("nan")
    )


def _quick_estimate(flow: PointFlow, z_e: complex, z_i: complex) -> LimitCycle:
    """Period and extremes from a recorded stretch, without shooting (labels only)."""
    x = np.array([z_e.real, z_e.imag, z_i.real, z_i.imag])
    t, rec_e, rec_i = flow.record(x, 40.0, time_step(flow.params))
    estimate = estimate_period(t, rec_e, rec_i)
    if estimate is None:
        return _cycle_from_samples(
            "irregular", float("nan"), float("nan"), rec_e, rec_i, (), True, float("nan")
        )
    start, period, rotation = estimate
    # not yet converged onto the cycle to the last digits: a looser test of collinearity
    return _cycle_from_samples(
        _cycle_kind(rec_e[start:], rec_i[start:], 1e-3),
        period,
        rotation,
        rec_e[start:],
        rec_i[start:],
        (),
        True,
        float("nan"),
    )


def _group_oscillations(screening: Screening, members: NDArray[np.intp]) -> list[list[int]]:
    """Starts whose r_E, r_I extremes agree within ``SAME_CYCLE``, greedily grouped."""
    extremes = np.stack(
        [screening.r_e_min, screening.r_e_max, screening.r_i_min, screening.r_i_max], axis=-1
    )
    groups: list[list[int]] = []
    for k in members:
        for group in groups:
            if np.max(np.abs(extremes[k] - extremes[group[0]])) <= SAME_CYCLE:
                group.append(int(k))
                break
        else:
            groups.append([int(k)])
    return groups


def _nearest_state(
    states: list[SteadyState], z_e: complex, z_i: complex
) -> tuple[int, float]:
    """Index of the steady state closest in rotation invariants, and the distance."""
    here = invariants(np.array([z_e]), np.array([z_i]))[0]
    best, distance = -1, np.inf
    for k, state in enumerate(states):
        there = invariants(np.array([state.z_e]), np.array([state.z_i]))[0]
        d = float(np.max(np.abs(here - there)))
        if d < distance:
            best, distance = k, d
    return best, distance


# ------------------------------------------------------------------------------ census


def census_at(
    params: PointParameters,
    *,
    n_random: int = 16,
    seed: int = 0,
    t_max: float = 400.0,
    refine: bool = True,
    phase_lags: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0),
) -> Census:
    """The census at one checked parameter point (see :func:`attractors`)."""
    states = states_at(params, phase_lags=phase_lags)
    # The flow integrated: Ott–Antonsen, widths Δ (+ D for the quick noise treatment).
    # With the Fokker–Planck treatment the cycles are searched in the quick
    # approximation (the exact hierarchy is too costly to integrate from many starts).
    approximate = params.noise_treatment == NOISE_FOKKER_PLANCK
    widths = (
        (params.width_e + params.noise_e, params.width_i + params.noise_i)
        if approximate
        else (params.effective_width_e, params.effective_width_i)
    )
    grid = GridParameters(params.k_ee, params.k_ei, params.k_ie, params.k_ii, *widths,
                          phase_lags if has_lag(phase_lags) else None)
    rng = np.random.default_rng(seed)
    flow_states = states_at(
        check_point(
            params.k_ee, params.k_ei, params.k_ie, params.k_ii, widths[0], widths[1]
        )
    ) if approximate else states
    z_e0, z_i0 = _starts(flow_states, n_random, rng)
    n_starts = z_e0.size
    screening = screen(
        take(grid, np.zeros(n_starts, dtype=np.intp)), z_e0, z_i0, t_max=t_max
    )
    notes = _treatment_notes(params.noise_treatment)
    shares, unassigned = _steady_shares(states, screening, approximate)
    cycles = _cycles_reached(PointFlow(grid), states, screening, shares, approximate, refine)
    undecided = int(np.sum(screening.outcome == UNDECIDED))
    notes += _outcome_notes(undecided, n_starts, t_max, unassigned, cycles)
    attractor_list = _attractor_list(states, shares, cycles, n_starts, approximate)
    growth = states[0].growth_rate
    code = label_codes(
        growth,
        any(s.stable for s in states[1:]),
        any(a.category == "oscillating" for a in attractor_list),
    )
    label = LABELS[int(code)]
    if label == "synchronized" and abs(growth) <= MARGINAL_TOLERANCE:
        notes.append("incoherence is marginal (the point is on its stability boundary)")
    return Census(
        label,
        tuple(attractor_list),
        tuple(states),
        n_starts,
        undecided,
        tuple(notes),
        params.noise_treatment,
        {**params.as_dict(), **_lag_record(phase_lags)},
    )


def _lag_record(phase_lags: tuple[float, ...]) -> dict[str, Any]:
    """The lags for a result's parameters (nothing without lags, as before they existed)."""
    if not has_lag(phase_lags):
        return {}
    return {"phase_lag": dict(zip(("ee", "ei", "ie", "ii"), phase_lags, strict=True))}


def _treatment_notes(noise_treatment: str) -> list[str]:
    if noise_treatment == NOISE_QUICK:
        return ["noise treated approximately (Δ → Δ + D in the Ott–Antonsen equations)"]
    if noise_treatment == NOISE_FOKKER_PLANCK:
        return ["steady states from the exact Fokker–Planck hierarchy; limit cycles searched in "
                "the Ott–Antonsen equations with Δ → Δ + D (an approximation); shares of steady "
                "states not estimated"]
    return []


def _steady_shares(states: list[SteadyState], screening: Screening,
                   approximate: bool) -> tuple[NDArray[np.float64], int]:
    """How many starts settled on each stable state, and how many next to none."""
    shares = np.zeros(len(states))
    unassigned = 0
    if not approximate:
        for k in np.flatnonzero(screening.outcome == STEADY):
            index, distance = _nearest_state(states, screening.z_e[k], screening.z_i[k])
            if index >= 0 and distance <= 1e-3 and states[index].stable:
                shares[index] += 1
            else:
                unassigned += 1
    return shares, unassigned


def _cycles_reached(flow: PointFlow, states: list[SteadyState], screening: Screening,
                    shares: NDArray[np.float64], approximate: bool,
                    refine: bool) -> list[tuple[LimitCycle, int]]:
    """The oscillations seen, grouped, refined and merged, with the starts reaching each
    (an oscillation that settles after all is added to its state's share)."""
    cycles: list[tuple[LimitCycle, int]] = []
    for group in _group_oscillations(screening, np.flatnonzero(screening.outcome == OSCILLATING)):
        first = group[0]
        here_e, here_i = complex(screening.z_e[first]), complex(screening.z_i[first])
        cycle = _refine(flow, here_e, here_i) if refine else _quick_estimate(flow, here_e, here_i)
        if cycle is None:  # it was a slowly settling steady state after all
            index, _ = _nearest_state(states, here_e, here_i)
            if index >= 0 and states[index].stable and not approximate:
                shares[index] += len(group)
            continue
        for position, (known, count) in enumerate(cycles):
            if _same_cycle(known, cycle):
                cycles[position] = (known, count + len(group))
                break
        else:
            cycles.append((cycle, len(group)))
    return cycles


def _outcome_notes(undecided: int, n_starts: int, t_max: float, unassigned: int,
                   cycles: Sequence[tuple[LimitCycle, int]]) -> list[str]:
    notes = []
    if undecided:
        notes.append(
            f"{undecided} of {n_starts} starts neither settled nor repeated an oscillation "
            f"by t = {t_max:g} (slow passage near a bifurcation); they count for no attractor"
        )
    if unassigned:
        notes.append(f"{unassigned} starts settled next to no stable steady state")
    unstable_cycles = [c for c, _ in cycles if not c.stable]
    if unstable_cycles:
        notes.append(
            f"{len(unstable_cycles)} oscillation(s) seen in the integrations have a Floquet "
            "multiplier outside the unit circle after refinement (weakly unstable); "
            "they are not counted as attractors"
        )
    return notes


def _attractor_list(states: list[SteadyState], shares: NDArray[np.float64],
                    cycles: Sequence[tuple[LimitCycle, int]], n_starts: int,
                    approximate: bool) -> list[Attractor]:
    attractor_list: list[Attractor] = []
    for position, state in enumerate(states):
        if state.stable:
            share = float("nan") if approximate else shares[position] / n_starts
            category = "synchronized" if state.synchronized else "desynchronized"
            attractor_list.append(Attractor(category, share, state=state))
    for cycle, count in cycles:
        if cycle.stable:
            attractor_list.append(Attractor("oscillating", count / n_starts, cycle=cycle))
    return attractor_list


def _same_cycle(a: LimitCycle, b: LimitCycle) -> bool:
    # squared: a minimum of r at 0 is found to ~1e-7 in r², ~3e-4 in r
    values_a = np.array([a.r_e_min, a.r_e_max, a.r_i_min, a.r_i_max]) ** 2
    values_b = np.array([b.r_e_min, b.r_e_max, b.r_i_min, b.r_i_max]) ** 2
    if np.max(np.abs(values_a - values_b)) > 1e-4:
        return False
    if np.isnan(a.period) or np.isnan(b.period):
        return bool(np.isnan(a.period) and np.isnan(b.period))
    return bool(abs(a.period - b.period) <= 1e-4 * max(a.period, b.period))


def attractors(
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
    n_random: int = 16,
    seed: int = 0,
    t_max: float = 400.0,
    refine: bool = True,
    phase_lag: float | Mapping[str, float] = 0.0,
    delay: float | Mapping[str, float] = 0.0,
) -> Census:
    """Every attractor of the mean-field equations: steady states and limit cycles.

    See the module docstring for the method. Typical cost: 0.05–0.3 s, plus about
    0.3 s per limit cycle refined.

    Parameters
    ----------
    k_ee, k_ei, k_ie, k_ii
        Coupling strengths ``K_post,pre`` (>= 0).
    width_e, width_i
        Half-widths Δ of the Lorentzian frequency distributions (common centre).
    noise_e, noise_i
        Noise intensities D (>= 0).
    noise_treatment
        ``"auto"``, ``"quick"`` or ``"fokker-planck"`` (see :func:`steady_states`). With
        Fokker–Planck the limit cycles are searched in the quick approximation.
    n_random
        Random starts in the disc, besides the kicks next to unstable states.
    seed
        Seed of the random starts.
    t_max
        Longest integration of a start.
    refine
        Refine every oscillation by shooting and compute its Floquet multipliers. Without
        it (faster; the label is the same) the period and extremes are read off the
        integration and ``multipliers`` is empty.
    phase_lag
        Phase lags ``α_XY`` (radians): one number or ``{"ee", "ei", "ie", "ii"}``
        (see :func:`steady_states`). With lags, steady states turn at a collective
        frequency ``omega`` other than the centre (fixed points in a co-rotating frame),
        and cycles are relative periodic orbits (``rotation`` ≠ 0, π).
    delay
        Must be 0: limit cycles of the delay equations are not searched (a nonzero delay
        raises ``ValueError``); see :func:`steady_states` with ``delay=``.

    Returns
    -------
    Census
        ``label``, ``attractors`` (each with ``share``), ``cycles``, ``states``, ``notes``.

    Examples
    --------
    >>> import eikura as ek
    >>> census = ek.theory.attractors(8.5, 3.0, 20.0, 6.0)
    >>> census.label, [a.kind for a in census.attractors]
    ('bistable', ['incoherent', 'in-phase'])
    >>> print(ek.theory.attractors(4.6, 1.0, 12.0, 0.3).summary())  # doctest: +ELLIPSIS
    other: 2 attractor(s) from ... starts
      in-phase state r_e=0.6079 r_i=0.8679 psi=+0.0000 (growth -0.796), reached from ...% of starts
      collinear limit cycle: period 2.917, r_e 0.0000..0.1452, r_i 0.0000..0.474...
    """
    refuse_delay(delay, "attractors")
    params = check_point(
        k_ee, k_ei, k_ie, k_ii, width_e, width_i, noise_e, noise_i, 0.0, noise_treatment
    )
    n_random = check_int("n_random", n_random, minimum=0, maximum=100_000)
    seed = check_seed("seed", seed)
    t_max = check_positive("t_max", t_max)
    refine = check_bool("refine", refine)
    return census_at(params, n_random=n_random, seed=seed, t_max=t_max, refine=refine,
                     phase_lags=check_phase_lag(phase_lag))

