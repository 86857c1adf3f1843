"""State labels, phase diagrams and bifurcation curves."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import check_bool, check_choice, check_finite_array
from ._delays import refuse_delay
from ._families import GridParameters, find_states, incoherence_eigenvalues_grid
from ._folds import fold_curves
from ._grid_cycles import cycle_candidates, find_oscillating
from ._labels import LABELS, label_codes
from ._lagged import check_phase_lag, has_lag
from ._lagged_grid import lagged_labels_grid
from ._params import (
    COUPLING_NAMES,
    NOISE_FOKKER_PLANCK,
    NOISE_NONE,
    NOISE_QUICK,
    PointParameters,
    check_point,
    resolve_noise_treatment,
)
from .census import Attractor, census_at
from .states import STABILITY_TOLERANCE, SteadyState, states_at

__all__ = [
    "LABELS",
    "Analysis",
    "analyse",
    "classify",
    "phase_diagram",
    "boundaries",
    "Boundaries",
    "label_names",
]

AXES = (*COUPLING_NAMES, "width_e", "width_i", "noise_e", "noise_i")
_DEFAULTS = {"width_e": 1.0, "width_i": 1.0, "noise_e": 0.0, "noise_i": 0.0}


@dataclass(frozen=True)
class Analysis:
    """Theory's verdict at one parameter point, with the evidence.

    Attributes
    ----------
    label
        From every attractor of the mean-field equations (rule in
        ``eikura.theory._labels``): ``"synchronized"`` (only synchronized steady states
        are attractors), ``"desynchronized"`` (only incoherence), ``"bistable"``
        (incoherence and a synchronized state, no limit cycle) or ``"other"`` (a stable
        limit cycle, whatever coexists with it, or nothing stable). On a bifurcation
        line, where incoherence is marginal (growth rate within ``MARGINAL_TOLERANCE``
        of 0), it counts as unstable next to a stable synchronized state and as stable
        otherwise.
    states
        Every steady state (see :func:`steady_states`), incoherence first.
    notes
        Remarks in words: marginal cases, several stable synchronized states, limit
        cycles next to steady states, the noise treatment.
    noise_treatment
        ``"none"``, ``"quick (Δ→Δ+D, approximate)"`` or ``"fokker-planck"``.
    parameters
        The parameter point.
    attractors
        Every attractor found by the census (:func:`attractors`): stable steady states
        and stable limit cycles, with the share of starts that reached each.
    """

    label: str
    states: tuple[SteadyState, ...]
    notes: tuple[str, ...]
    noise_treatment: str
    parameters: dict[str, Any] = field(default_factory=dict)
    attractors: tuple[Attractor, ...] = ()

    @property
    def stable_states(self) -> tuple[SteadyState, ...]:
        """The steady states that are stable."""
        return tuple(s for s in self.states if s.stable)

    @property
    def incoherence_stable(self) -> bool:
        """Whether incoherence is stable."""
        return self.states[0].stable

    @property
    def synchronized_branch(self) -> SteadyState | None:
        """The stable synchronized state with the largest ``r_e`` (None if there is none)."""
        candidates = [s for s in self.stable_states if s.synchronized]
        return max(candidates, key=lambda s: s.r_e) if candidates else None

    @property
    def cycles(self) -> tuple[Any, ...]:
        """The stable limit cycles (``LimitCycle`` objects)."""
        return tuple(a.cycle for a in self.attractors if a.cycle is not None)

    def summary(self) -> str:
        """The label, every steady state, every attractor and the notes, one per line."""
        treatment = ("no noise" if self.noise_treatment == NOISE_NONE
                     else f"{self.noise_treatment} noise treatment")
        lines = [f"{self.label} ({treatment})"]
        for s in self.states:
            lines.append(
                f"  {s.kind:<10} r_e={s.r_e:.4f} r_i={s.r_i:.4f} psi={s.psi:+.4f} "
                f"omega={s.omega:+.4f} growth={s.growth_rate:+.4f} "
                f"{'stable' if s.stable else 'unstable'}"
            )
        lines += [f"  attractor: {a.describe()}" for a in self.attractors]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _notes(params: PointParameters, states: list[SteadyState], lagged: bool = False) -> list[str]:
    notes = []
    if params.noise_treatment == NOISE_QUICK:
        notes.append("noise treated approximately (Δ → Δ + D in the Ott–Antonsen equations)")
    elif params.noise_treatment == NOISE_FOKKER_PLANCK:
        notes.append("noise treated exactly (stationary Fokker–Planck equation in Fourier modes)")
    for state in states:
        if abs(state.growth_rate) < 1e-6:
            notes.append(
                f"{state.kind} state at r_e={state.r_e:.4f} is marginal (largest eigenvalue "
                f"real part {state.growth_rate:.2e}): the point is on a bifurcation"
            )
    # mirror images (lagged ±ψ) count once
    stable_sync = {(s.kind, round(s.r_e, 9), round(s.r_i, 9)) for s in states[1:] if s.stable}
    if len(stable_sync) > 1:
        kinds = ", ".join(f"{kind} (r_e={r_e:.3f})" for kind, r_e, _ in sorted(stable_sync))
        notes.append(f"several stable synchronized states: {kinds}")
    if lagged:
        turning = ", ".join(f"{s.kind} Ω={s.omega:+.4f}" for s in states[1:] if s.stable)
        notes.append("with phase lags the synchronized states turn at a collective frequency "
                     f"Ω other than the centre{': ' + turning if turning else ''}")
    elif any(s.kind == "lagged" and s.stable for s in states):
        notes.append(
            "stable lagged states (a mirror pair ±ψ): E and I lock with a phase lag and turn "
            "at Ω ≠ ω; the in-phase subspace ψ = 0 is invariant, so a start with identical "
            "phases everywhere reaches them only once fluctuations break the symmetry"
        )
    return notes


def _verify_other(params: PointParameters, lags: tuple[float, ...]) -> str:
    from .reduced import integrate_reduced

    run = integrate_reduced(
        params.k_ee,
        params.k_ei,
        params.k_ie,
        params.k_ii,
        params.width_e,
        params.width_i,
        t_max=400.0,
        # the hierarchy's implicit step is stable and accurate enough at a coarser dt
        dt=0.05 if params.noise_treatment == NOISE_FOKKER_PLANCK else 0.01,
        record_every=2 if params.noise_treatment == NOISE_FOKKER_PLANCK else 10,
        z0=(0.3, 0.3 * np.exp(0.5j)),
        noise_e=params.noise_e,
        noise_i=params.noise_i,
        noise_treatment="quick" if params.noise_treatment == NOISE_QUICK else "auto",
        phase_lag=dict(zip(("ee", "ei", "ie", "ii"), lags, strict=True)),
    )
    tail = run.r_e[run.t >= 200.0]
    return (
        f"integrating the mean-field equations to t=400: r_e oscillates between "
        f"{tail.min():.3f} and {tail.max():.3f} over t in [200, 400]"
    )


def analyse(
    k_ee: float, k_ei: float, k_ie: float, k_ii: float,
    width_e: float = 1.0, width_i: float = 1.0,
    *,
    noise_e: float = 0.0,
    noise_i: float = 0.0,
    noise_treatment: str = "auto",
    verify: bool = False,
    refine: bool = True,
    phase_lag: float | Mapping[str, float] = 0.0,
    delay: float | Mapping[str, float] = 0.0,
) -> Analysis:
    """Label a parameter point and return the attractors behind the label.

    The label comes from the census of attractors (:func:`attractors`): the stable
    steady states and the stable limit cycles of the mean-field equations.

    Parameters
    ----------
    k_ee, k_ei, k_ie, k_ii
        Coupling strengths ``K_post,pre`` (>= 0).
    width_e, width_i
        Half-widths Δ of the Lorentzian frequency distributions (common centre).
    noise_e, noise_i
        Noise intensities D (>= 0).
    noise_treatment
        ``"auto"`` (Fokker–Planck when there is noise), ``"quick"`` or ``"fokker-planck"``.
    verify
        When the label is ``"other"``, integrate the mean-field equations and say in the
        notes how far the order parameter swings (about 0.3 s; seconds with the
        Fokker–Planck treatment).
    refine
        Refine every limit cycle by shooting and compute its Floquet multipliers (about
        0.3 s per cycle); without it the label is the same and the cycles carry the
        period and extremes read off the integration.
    phase_lag
        Phase lags ``α_XY`` (radians): one number or ``{"ee", "ei", "ie", "ii"}``
        (see :func:`attractors`).
    delay
        Must be 0 (the census has no delays); see :func:`steady_states`.

    Returns
    -------
    Analysis

    Examples
    --------
    >>> import eikura as ek
    >>> result = ek.theory.analyse(k_ee=8.5, k_ei=3.0, k_ie=20.0, k_ii=6.0)
    >>> result.label
    'bistable'
    >>> branch = result.synchronized_branch
    >>> round(branch.r_e, 3), round(branch.r_i, 3)
    (0.774, 0.905)
    """
    refuse_delay(delay, "analyse")
    params = check_point(
        k_ee, k_ei, k_ie, k_ii, width_e, width_i, noise_e, noise_i, 0.0, noise_treatment
    )
    lags = check_phase_lag(phase_lag)
    census = census_at(params, refine=check_bool("refine", refine), phase_lags=lags)
    states = list(census.states)
    notes = _notes(params, states, has_lag(lags))
    notes += [n for n in census.notes if "noise treated approximately" not in n]
    notes += _cycle_notes(census.attractors)
    if verify and census.label == "other":
        notes.append(_verify_other(params, lags))
    return Analysis(
        census.label,
        tuple(states),
        tuple(notes),
        params.noise_treatment,
        census.parameters,
        census.attractors,
    )


def _cycle_notes(attractors: tuple[Attractor, ...]) -> list[str]:
    cycles = [a for a in attractors if a.cycle is not None]
    steady = [a for a in attractors if a.state is not None]
    if not cycles:
        return []
    words = "; ".join(a.describe() for a in cycles)
    if steady:
        others = ", ".join(sorted({a.kind for a in steady}))
        return [
            f"stable limit cycle next to stable steady states ({others}): the label is "
            f"'other' because the order parameters oscillate from some initial conditions "
            f"— {words}"
        ]
    return [f"the order parameters oscillate: {words}"]


def classify(
    k_ee: float, k_ei: float, k_ie: float, k_ii: float,
    width_e: float = 1.0, width_i: float = 1.0,
    *,
    noise_e: float = 0.0,
    noise_i: float = 0.0,
    noise_treatment: str = "auto",
    phase_lag: float | Mapping[str, float] = 0.0,
    delay: float | Mapping[str, float] = 0.0,
) -> str:
    """The theory's state label at one parameter point.

    From every attractor of the mean-field equations (:func:`attractors`):
    ``"synchronized"`` (only synchronized steady states), ``"desynchronized"`` (only
    incoherence), ``"bistable"`` (both, and no limit cycle), ``"other"`` (a stable limit
    cycle, whatever coexists with it, or nothing stable). :func:`analyse` returns the
    same label with the states, attractors and notes.

    Parameters
    ----------
    k_ee, k_ei, k_ie, k_ii
        Coupling strengths ``K_post,pre`` (>= 0).
    width_e, width_i
        Half-widths Δ of the Lorentzian frequency distributions.
    noise_e, noise_i
        Noise intensities D (>= 0).
    noise_treatment
        ``"auto"``, ``"quick"`` or ``"fokker-planck"`` (see :func:`steady_states`).
    phase_lag
        Phase lags ``α_XY`` (radians), one number or ``{"ee", "ei", "ie", "ii"}``: in-phase,
        lagged and rotating (shifted collective frequency) states count as synchronized.
    delay
        Must be 0 (no limit-cycle search with delays); see :func:`steady_states`.

    Returns
    -------
    str

    Examples
    --------
    >>> import eikura as ek
    >>> ek.theory.classify(k_ee=1.0, k_ei=1.0, k_ie=1.0, k_ii=1.0)
    'desynchronized'
    >>> ek.theory.classify(k_ee=8.0, k_ei=1.0, k_ie=8.0, k_ii=1.0)
    'synchronized'
    >>> ek.theory.classify(k_ee=4.6, k_ei=1.0, k_ie=12.0, k_ii=0.3)  # a cycle next to sync
    'other'
    """
    return analyse(
        k_ee,
        k_ei,
        k_ie,
        k_ii,
        width_e,
        width_i,
        noise_e=noise_e,
        noise_i=noise_i,
        noise_treatment=noise_treatment,
        refine=False,
        phase_lag=phase_lag,
        delay=delay,
    ).label


def label_names(labels: Any) -> Any:
    """Turn integer label codes (e.g. a :func:`phase_diagram`) into label strings.

    Examples
    --------
    >>> import eikura as ek
    >>> ek.theory.label_names([1, 2])
    array(['desynchronized', 'bistable'], dtype='<U14')
    """
    names = np.array(LABELS)
    if hasattr(labels, "copy") and hasattr(labels, "dims"):  # xarray.DataArray
        out = labels.copy(data=names[np.asarray(labels.values, dtype=int)])
        out.attrs = {
            k: v for k, v in labels.attrs.items() if k not in ("flag_values", "flag_meanings")
        }
        return out
    return names[np.asarray(labels, dtype=int)]


def check_axis(name: str, axis: Any) -> str:
    """An axis name: one of ``AXES`` (shared with ``bifurcation``)."""
    return check_choice(name, axis, AXES)


def grid_arrays(
    x: str,
    x_values: NDArray[np.float64],
    y: str,
    y_values: NDArray[np.float64],
    fixed: dict[str, Any],
) -> dict[str, NDArray[np.float64]]:
    """Full parameter arrays of shape (len(y), len(x)), checked (shared with
    ``bifurcation``)."""
    unknown = set(fixed) - set(AXES)
    if unknown:
        raise TypeError(
            f"{sorted(unknown)[0]}: not a parameter of the phase diagram "
            f"(expected some of {', '.join(AXES)})"
        )
    for axis in (x, y):
        if axis in fixed:
            raise TypeError(f"{axis}: given both as an axis and as a fixed value")
    missing = [name for name in COUPLING_NAMES if name not in (x, y) and name not in fixed]
    if missing:
        raise TypeError(f"{missing[0]}: missing; give every coupling not on an axis as a keyword")
    grid_y, grid_x = np.meshgrid(y_values, x_values, indexing="ij")
    arrays = {}
    for name in AXES:
        if name == x:
            arrays[name] = grid_x
        elif name == y:
            arrays[name] = grid_y
        else:
            value = fixed.get(name, _DEFAULTS.get(name))
            arrays[name] = np.full(grid_x.shape, float(value) if value is not None else np.nan)
    for name in AXES:
        values = arrays[name]
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name}: must be finite")
        if np.any(values < 0):
            raise ValueError(f"{name}: must be >= 0, got {float(values.min())}")
    if np.any(arrays["width_e"] + arrays["noise_e"] <= 0):
        raise ValueError("width_e: must be > 0 wherever noise_e is 0")
    if np.any(arrays["width_i"] + arrays["noise_i"] <= 0):
        raise ValueError("width_i: must be > 0 wherever noise_i is 0")
    return arrays


def _labels_grid(
    arrays: dict[str, NDArray[np.float64]], treatment: str, n_samples: int, cycles: bool
) -> tuple[NDArray[np.int8], dict[str, Any]]:
    """Label codes on a grid (shape of the arrays) and a record of the cycle search.

    Steady states: all points at once (Ott–Antonsen or quick treatment) or point by point
    (Fokker–Planck). Limit cycles: ``_grid_cycles`` on the candidate points, in the
    Ott–Antonsen equations (with Δ → Δ + D under either noise treatment, as the census).
    """
    shape = arrays["k_ee"].shape
    exact_noise = treatment == NOISE_FOKKER_PLANCK
    quick_widths = treatment in (NOISE_QUICK, NOISE_FOKKER_PLANCK)
    params = GridParameters(
        arrays["k_ee"],
        arrays["k_ei"],
        arrays["k_ie"],
        arrays["k_ii"],
        arrays["width_e"] + (arrays["noise_e"] if quick_widths else 0.0),
        arrays["width_i"] + (arrays["noise_i"] if quick_widths else 0.0),
    )
    found = find_states(params, n_samples=n_samples)
    # incoherence: exact with noise (Δ + D) whatever the treatment
    incoherence = GridParameters(
        arrays["k_ee"],
        arrays["k_ei"],
        arrays["k_ie"],
        arrays["k_ii"],
        arrays["width_e"] + arrays["noise_e"],
        arrays["width_i"] + arrays["noise_i"],
    )
    incoherence_eigenvalues = incoherence_eigenvalues_grid(incoherence)
    incoherence_growth = incoherence_eigenvalues.real[:, 0]
    synchronized_stable = np.zeros(params.size, dtype=bool)
    if exact_noise:
        for index in range(params.size):
            point = np.unravel_index(index, shape)
            values = {name: float(arrays[name][point]) for name in AXES}
            states = states_at(
                check_point(
                    values["k_ee"],
                    values["k_ei"],
                    values["k_ie"],
                    values["k_ii"],
                    values["width_e"],
                    values["width_i"],
                    values["noise_e"],
                    values["noise_i"],
                    0.0,
                    "fokker-planck",
                )
            )
            synchronized_stable[index] = any(s.stable for s in states[1:])
    else:
        synchronized_stable[found.point[found.max_growth < -STABILITY_TOLERANCE]] = True
    steady_codes = label_codes(incoherence_growth, synchronized_stable)
    record: dict[str, Any] = {"cycle_search": "off"}
    if not cycles:
        return steady_codes.reshape(shape), record
    start = time.perf_counter()
    candidates = cycle_candidates(shape, incoherence_eigenvalues, found, steady_codes)
    oscillating, undecided = find_oscillating(params, candidates, incoherence_growth)
    codes = label_codes(incoherence_growth, synchronized_stable, oscillating)
    record = {
        "cycle_search": "on",
        "cycle_candidates": int(candidates.sum()),
        "oscillating_points": int(oscillating.sum()),
        "relabelled_by_cycles": int(np.sum(codes != steady_codes)),
        "undecided_points": int(undecided.sum()),
        "cycle_seconds": time.perf_counter() - start,
    }
    return codes.reshape(shape), record


def phase_diagram(
    x: str = "k_ee",
    x_values: ArrayLike | None = None,
    y: str = "k_ii",
    y_values: ArrayLike | None = None,
    *,
    noise_treatment: str = "auto",
    n_samples: int = 257,
    cycles: bool = True,
    phase_lag: float | Mapping[str, float] = 0.0,
    **fixed: float,
) -> Any:
    """Theory labels on a grid of two parameters, the others fixed.

    The labels follow the same rule as :func:`classify`: from the steady states and the
    stable limit cycles (a cycle makes the label ``"other"``).

    Without noise (or with the quick treatment) all grid points are solved at once:
    the 1-D branch functions of every point are sampled together (``n_samples`` points
    per branch), their zeros refined by vectorised bisection, and the stability of every
    state taken from batched 3×3 eigenvalue problems — a 200×200 grid takes a few
    seconds, plus the cycle search (seconds to tens of seconds, depending on how much
    of the plane lies next to repelling states). With the Fokker–Planck noise treatment
    the steady states of each point are solved on its own (about 0.05–0.5 s per point):
    use a coarse grid or the quick treatment.

    Parameters
    ----------
    x, y
        Axis parameters: any two of ``k_ee, k_ei, k_ie, k_ii, width_e, width_i, noise_e,
        noise_i``.
    x_values, y_values
        Values along each axis (1-D, finite).
    noise_treatment
        ``"auto"``, ``"quick"`` or ``"fokker-planck"`` (see :func:`steady_states`).
    n_samples
        Samples per branch function in the vectorised search.
    cycles
        Search for limit cycles (default). Only grid points next to a steady state that
        repels in two or more directions are integrated, all of them in one batch
        (``eikura.theory._grid_cycles``); ``False`` gives the labels of the steady states
        alone.
    phase_lag
        Phase lags ``α_XY`` (radians): one number or ``{"ee", "ei", "ie", "ii"}``. With
        lags the symmetry behind the vectorised steady-state search is gone: every grid
        point is integrated instead, from a few starts (next to incoherence, near the
        in-phase, anti-phase and one-sided configurations, and random points), all
        points in one batch (``eikura.theory._lagged_grid``); a settled start marks a
        stable synchronized state (in-phase, lagged or rotating), a repeating one a
        cycle. Incoherence's stability stays exact.
    **fixed
        Values of the other parameters: every coupling not on an axis is required;
        ``width_e, width_i`` default to 1, ``noise_e, noise_i`` to 0.

    Returns
    -------
    xarray.DataArray
        Integer codes, dims ``(y, x)``: 0 synchronized, 1 desynchronized, 2 bistable,
        3 other (the codes of :mod:`eikura.labels`, also in ``attrs["labels"]``;
        :func:`label_names` turns them into strings).
        ``attrs`` also hold the fixed parameters, the noise treatment, the time taken and
        a record of the cycle search (points searched, points oscillating, points
        relabelled by cycles, points with an undecided start, seconds).

    Examples
    --------
    >>> import numpy as np, eikura as ek
    >>> diagram = ek.theory.phase_diagram(
    ...     "k_ee", np.linspace(2, 8, 4), "k_ii", np.linspace(0, 4, 3), k_ei=1.0, k_ie=8.0
    ... )
    >>> diagram.dims, diagram.shape
    (('k_ii', 'k_ee'), (3, 4))
    >>> str(ek.theory.label_names(diagram).sel(k_ee=8.0, k_ii=0.0).values)
    'synchronized'
    """
    import xarray as xr

    x = check_axis("x", x)
    y = check_axis("y", y)
    if x == y:
        raise ValueError(f"y: must differ from x ({x!r})")
    if x_values is None:
        raise TypeError("x_values: required (the values along the x axis)")
    if y_values is None:
        raise TypeError("y_values: required (the values along the y axis)")
    x_values = check_finite_array("x_values", x_values, ndim=1)
    y_values = check_finite_array("y_values", y_values, ndim=1)
    if x_values.size == 0 or y_values.size == 0:
        raise ValueError("x_values: the axes must not be empty")
    from .._validation import check_int

    n_samples = check_int("n_samples", n_samples, minimum=17, maximum=100_000)
    arrays = grid_arrays(x, x_values, y, y_values, fixed)
    any_noise = bool(np.any(arrays["noise_e"] > 0) or np.any(arrays["noise_i"] > 0))
    treatment = resolve_noise_treatment(float(any_noise), 0.0, noise_treatment)
    lags = check_phase_lag(phase_lag)
    cycles = check_bool("cycles", cycles)
    start = time.perf_counter()
    if has_lag(lags):
        codes, record = lagged_labels_grid(arrays, treatment, cycles, lags)
        record["phase_lag"] = " ".join(f"{b}={a:g}" for b, a in zip(("ee", "ei", "ie", "ii"),
                                                                   lags, strict=True))
    else:
        codes, record = _labels_grid(arrays, treatment, n_samples, cycles)
    elapsed = time.perf_counter() - start
    attrs: dict[str, Any] = {
        "labels": list(LABELS),
        "flag_values": list(range(len(LABELS))),
        "flag_meanings": " ".join(LABELS),
        "noise_treatment": treatment,
        "seconds": elapsed,
        **record,
        "description": "mean-field (Ott-Antonsen) theory labels, eikura.theory.phase_diagram",
    }
    attrs.update({name: float(arrays[name].flat[0]) for name in AXES if name not in (x, y)})
    return xr.DataArray(
        codes, dims=(y, x), coords={y: y_values, x: x_values}, name="label", attrs=attrs
    )


# --------------------------------------------------------------------------- boundaries


@dataclass(frozen=True)
class Boundaries:
    """Bifurcation curves in an (x, y) parameter plane, as arrays of points.

    Attributes
    ----------
    x, y
        Axis names.
    incoherence_real
        ``(n, 2)`` points ``(x, y)`` where a real eigenvalue of ``M`` crosses zero
        (``det M = 0`` with ``tr M < 0``): incoherence loses stability and in-phase
        states branch off. One point per x value, NaN where there is none.
    incoherence_hopf
        ``(n, 2)`` points where a complex pair crosses (``tr M = 0`` with
        ``det M > 0``): lagged states branch off.
    folds
        Saddle-node (fold) curves of the in-phase branch, each an ``(m, 2)`` polyline
        ordered along the curve (x within the range of the given x values). Between a
        fold and the ``det M = 0`` line lies the bistable region.
    notes
        Remarks (e.g. folds are not computed with the Fokker–Planck treatment).
    """

    x: str
    y: str
    incoherence_real: NDArray[np.float64]
    incoherence_hopf: NDArray[np.float64]
    folds: tuple[NDArray[np.float64], ...]
    notes: tuple[str, ...] = ()

    def curves(self) -> dict[str, NDArray[np.float64]]:
        """Every curve by name, each an ``(n, 2)`` array with NaN gaps (ready to plot)."""
        out = {"incoherence_real": self.incoherence_real, "incoherence_hopf": self.incoherence_hopf}
        for k, fold in enumerate(self.folds):
            out[f"fold_{k}"] = fold
        return out

    def fold_values(self, x_value: float) -> NDArray[np.float64]:
        """The y values (sorted) where fold curves cross ``x = x_value``.

        Examples
        --------
        >>> import numpy as np, eikura as ek
        >>> b = ek.theory.boundaries("k_ii", np.linspace(0, 4, 5), "k_ee", k_ei=1.0, k_ie=12.0)
        >>> np.round(b.fold_values(2.0), 4)
        array([4.2255])
        """
        found = []
        for fold in self.folds:
            xs, ys = fold[:, 0], fold[:, 1]
            for k in np.flatnonzero((xs[:-1] - x_value) * (xs[1:] - x_value) <= 0):
                if xs[k + 1] == xs[k]:
                    found.append(ys[k])
                else:
                    t = (x_value - xs[k]) / (xs[k + 1] - xs[k])
                    found.append(ys[k] + t * (ys[k + 1] - ys[k]))
        return np.unique(np.round(np.array(found, dtype=float), 12))


def _linear_solve(
    arrays: dict[str, NDArray[np.float64]], y: str, which: str
) -> NDArray[np.float64]:
    """The y value (per x) where det M (or tr M) vanishes; both are affine in each parameter."""

    def evaluate(value: float) -> NDArray[np.float64]:
        a = dict(arrays)
        a[y] = np.full_like(arrays["k_ee"], value)
        width_e = a["width_e"] + a["noise_e"]
        width_i = a["width_i"] + a["noise_i"]
        if which == "det":
            return (0.5 * a["k_ee"] - width_e) * (-0.5 * a["k_ii"] - width_i) + 0.25 * a[
                "k_ei"
            ] * a["k_ie"]
        return 0.5 * a["k_ee"] - width_e - 0.5 * a["k_ii"] - width_i

    f0, f1 = evaluate(0.0), evaluate(1.0)
    slope = f1 - f0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(slope != 0, -f0 / slope, np.nan)


def boundaries(
    x: str = "k_ee",
    x_values: ArrayLike | None = None,
    y: str = "k_ii",
    *,
    noise_treatment: str = "auto",
    n_grid: int = 400,
    **fixed: float,
) -> Boundaries:
    """Curves where incoherence loses stability and where the in-phase branch folds.

    For overlaying on simulated phase diagrams. Incoherence: closed form from ``M``
    (``det M = 0`` with ``tr M < 0``; ``tr M = 0`` with ``det M > 0``), exact also with
    noise (``Δ → Δ + D``). Folds (saddle-nodes) of the in-phase branch: traced as whole
    curves from the branch's explicit parametrisation (see ``eikura.theory._folds``), so
    steep parts are resolved too; the bistable region lies between the fold and the
    ``det M = 0`` line.

    Parameters
    ----------
    x
        Parameter along the x axis (one of ``k_ee, k_ei, k_ie, k_ii, width_e, width_i,
        noise_e, noise_i``).
    x_values
        Values of x at which the incoherence curves are computed; their range bounds the
        fold curves.
    y
        The other axis.
    noise_treatment
        ``"auto"``, ``"quick"`` or ``"fokker-planck"``. Folds are computed for the
        noiseless and the quick treatment; with Fokker–Planck they are left out (use
        :func:`phase_diagram`).
    n_grid
        Resolution of the fold tracing (points per branch variable).
    **fixed
        The other parameters, as for :func:`phase_diagram`.

    Returns
    -------
    Boundaries

    Examples
    --------
    >>> import numpy as np, eikura as ek
    >>> b = ek.theory.boundaries("k_ei", np.array([0.5, 1.0]), "k_ee", k_ie=12.0, k_ii=2.0)
    >>> b.incoherence_real  # det M = 0 at K_EE = 2 + 3 K_EI
    array([[0.5, 3.5],
           [1. , 5. ]])
    >>> np.round(b.fold_values(1.0), 4)  # the in-phase branch folds back at K_EE ≈ 4.23
    array([4.2255])
    """
    x = check_axis("x", x)
    y = check_axis("y", y)
    if x == y:
        raise ValueError(f"y: must differ from x ({x!r})")
    if x_values is None:
        raise TypeError("x_values: required (the values along the x axis)")
    x_values = check_finite_array("x_values", x_values, ndim=1)
    from .._validation import check_int

    n_grid = check_int("n_grid", n_grid, minimum=16, maximum=4000)
    placeholder = dict(fixed)
    arrays = grid_arrays(x, x_values, y, np.array([1.0]), placeholder)
    arrays = {name: value[0] for name, value in arrays.items()}  # shape (len(x),)
    any_noise = bool(np.any(arrays["noise_e"] > 0) or np.any(arrays["noise_i"] > 0))
    treatment = resolve_noise_treatment(float(any_noise), 0.0, noise_treatment)

    y_det = _linear_solve(arrays, y, "det")
    y_trace = _linear_solve(arrays, y, "trace")

    def with_y(values: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        a = dict(arrays)
        a[y] = values
        return a

    def trace_det(
        a: dict[str, NDArray[np.float64]],
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        width_e = a["width_e"] + a["noise_e"]
        width_i = a["width_i"] + a["noise_i"]
        trace = 0.5 * a["k_ee"] - width_e - 0.5 * a["k_ii"] - width_i
        det = (0.5 * a["k_ee"] - width_e) * (-0.5 * a["k_ii"] - width_i) + 0.25 * a["k_ei"] * a[
            "k_ie"
        ]
        return trace, det

    trace_at_det, _ = trace_det(with_y(np.nan_to_num(y_det)))
    _, det_at_trace = trace_det(with_y(np.nan_to_num(y_trace)))
    valid_real = np.isfinite(y_det) & (trace_at_det < 0) & (y_det >= 0)
    valid_hopf = np.isfinite(y_trace) & (det_at_trace > 0) & (y_trace >= 0)
    if y.startswith(("width", "noise")):
        valid_real &= (
            y_det
            + (arrays["noise_e" if y.endswith("_e") else "noise_i"] if y.startswith("width") else 0)
            >= 0
        )
    incoherence_real = np.column_stack([x_values, np.where(valid_real, y_det, np.nan)])
    incoherence_hopf = np.column_stack([x_values, np.where(valid_hopf, y_trace, np.nan)])

    notes: list[str] = []
    folds: tuple[NDArray[np.float64], ...] = ()
    if treatment == NOISE_FOKKER_PLANCK:
        notes.append(
            "folds are not computed with the Fokker–Planck treatment; incoherence "
            "curves are exact with noise"
        )
    else:
        params = {name: float(value[0]) for name, value in arrays.items() if name not in (x, y)}
        if treatment != NOISE_QUICK:
            params["noise_e"] = params["noise_i"] = 0.0
        folds = tuple(
            fold_curves(params, x, y, (float(x_values.min()), float(x_values.max())), n_grid)
        )
        if treatment == NOISE_QUICK:
            notes.append("folds use the quick noise treatment (Δ → Δ + D), an approximation")
    return Boundaries(x, y, incoherence_real, incoherence_hopf, folds, tuple(notes))
