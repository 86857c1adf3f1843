"""Classify a simulation as synchronized, desynchronized, bistable or other (SPEC §5).

The decision is made from the Kuramoto order parameter ``r(t) = |Z(t)|`` after a
transient. The one thing that makes this hard is the finite size of the network: ``N``
incoherent oscillators do not give ``r = 0`` but a fluctuating ``r`` whose mean is
``sqrt(pi / (4 N))``. Every threshold below is therefore written in units of that
*incoherent level*, with an absolute floor for large ``N``.

Threshold design
----------------
For ``N`` independent uniform phases, ``Z`` is (by the central limit theorem) a complex
Gaussian with variance ``1/(2N)`` per component, so ``r`` is Rayleigh distributed:
``P(r > x) = exp(-N x**2)`` and ``E[r] = sqrt(pi / (4N))`` (the incoherent level
``r_inc``).

* ``low threshold = max(3 r_inc, 0.05)``. ``3 r_inc = 2.66 / sqrt(N)``: an incoherent
  sample lies above it with probability ``exp(-7.07) ~ 1e-3``, so incoherent noise sits
  below it essentially all the time. The floor ``0.05`` keeps large networks (``N``
  above ~ 30 000) from calling a barely coherent ``r`` of a few percent "not low".
* ``high threshold = max(5 r_inc, 0.15)``. ``5 r_inc = 4.43 / sqrt(N)``: an incoherent
  sample exceeds it with probability ``exp(-19.6) ~ 3e-9``, so even long runs of
  incoherent noise (and the larger, time-correlated fluctuations of a network just
  below its synchronization threshold) do not reach it. The floor ``0.15`` is the
  smallest ``r`` we call macroscopic order: near a transition finite-size
  fluctuations grow like ``N**(-1/4)`` (~0.1 at ``N = 10**4``), not like
  ``N**(-1/2)``.
* The two thresholds act as a hysteresis pair (a Schmitt trigger): the state turns
  *high* only when ``r`` rises above the high threshold and turns *low* only when it
  falls below the low threshold, so noise that wanders inside the band between them
  never counts as a switch. Episodes shorter than ``min_dwell_samples`` samples are
  merged into the episode before them.
* A high level is *steady* when the 5-95 % range of ``r`` within it is at most
  ``0.25 * level + 4 r_inc``: ``4 r_inc = 3.5 / sqrt(N)`` covers the 5-95 % range of
  finite-size fluctuations (standard deviation up to ``~ 1 / sqrt(N)``); the relative
  part allows slow wandering of a quarter of the level. Beyond that ``r`` oscillates
  or drifts, and the label is "other".
* Switching counts as bistability only if the jumps are quick: the time spent between
  the thresholds while crossing from one level to the other must be at most 10 % of
  the analysed time. An order parameter that glides up and down (a limit cycle) spends
  much longer in transit and is "other".

Telling switching from fluctuations
-----------------------------------
Near its synchronization threshold a finite network is not quiet: incoherence turns
into a weakly damped focus, ``r`` makes correlated excursions well above the Rayleigh
tail (at ``N = 400`` up to ~0.25 against an incoherent level of 0.044) and the Schmitt
trigger alone sees dozens of "switches". A real switch goes to a *separate* level and
stays there for many relaxation times. Two checks make that explicit:

* **Relaxation time** ``tau``: the lag at which the autocorrelation of ``r`` minus the
  mean of its current state first drops below ``1/e`` (at least one sample). Episodes
  shorter than ``5 tau`` (or ``min_dwell_samples`` samples, whichever is longer) are
  merged into the episode before them: a state that does not outlast five relaxation
  times is a fluctuation, not a state. ``tau`` is about 1 time unit for the incoherent
  EI network with Lorentzian width 1, so excursions of a few time units are merged while
  the dwell times of real switching (tens to hundreds of time units) are kept.
* **Bimodality**: the distribution of ``r`` (a histogram smoothed with a Gaussian of
  Silverman's width for the within-state spread) must have a maximum below the midpoint
  of the two levels, another above it, and a dip between them no higher than
  ``0.8`` times the lower of the two maxima (``dip_ratio <= 0.8``). The excursions of
  a noisy incoherent state only fatten one tail (``dip_ratio = 1``); a switching run of
  ``N = 100`` oscillators gives 0.3-0.55 even though its levels (0.15 and 0.5) are
  only ~4 within-state standard deviations apart.

* **Reaching the level**: with two modes, every episode must reach its level: a high
  episode's mean ``r`` must lie above the midpoint between the dip and the upper
  maximum, a low episode's below the midpoint between the lower maximum and the dip.
  Episodes that do not are bursts (or dips) of the neighbouring state and are joined to
  it. This matters where a rare real switch makes ``r`` bimodal: at ``N = 150``,
  ``K_EE = 4.28`` a run that leaves incoherence once also has dozens of bursts of
  3-20 time units (mean ``r`` 0.30-0.42) across the high threshold 0.36, while the
  synchronized level is 0.57.

When episodes in both states survive but ``r`` is not bimodal (or no episode reaches
the other level), they are not two levels: all of them are assigned to the state that
holds most of the time and the single-state rules below decide (so ``n_switches`` is
then 0 and the reason says why).

The per-population order parameters ``r_E`` and ``r_I`` are classified by the same
rules with their own sizes ``N_E`` and ``N_I`` (reported as ``label_e``, ``label_i``);
the main label always comes from ``r`` over all ``N`` oscillators.
"""


from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..labels import LABELS
from ._levels import (
    DEFAULT_TRANSIENT_FRACTION,
    DENSITY_BIN,
    HIGH_THRESHOLD_FACTOR,
    HIGH_THRESHOLD_FLOOR,
    LOW_THRESHOLD_FACTOR,
    LOW_THRESHOLD_FLOOR,
    MAX_DIP_RATIO,
    MAX_LOW_EXCURSION_FRACTION,
    MAX_TRANSIT_FRACTION,
    MIN_DWELL_RELAXATION_TIMES,
    MIN_SAMPLES,
    MIN_STATE_FRACTION,
    R_TOLERANCE,
    SPREAD_NOISE_FACTOR,
    SPREAD_RELATIVE_TOLERANCE,
    hysteresis_thresholds,
    incoherent_level,
)
from ._result import Classification
from ._series import Series, check_options, drop_transient, series_from_arrays, series_from_run

__all__ = [
    "DEFAULT_TRANSIENT_FRACTION",
    "DENSITY_BIN",
    "HIGH_THRESHOLD_FACTOR",
    "HIGH_THRESHOLD_FLOOR",
    "LABELS",
    "LOW_THRESHOLD_FACTOR",
    "LOW_THRESHOLD_FLOOR",
    "MAX_DIP_RATIO",
    "MAX_LOW_EXCURSION_FRACTION",
    "MAX_TRANSIT_FRACTION",
    "MIN_DWELL_RELAXATION_TIMES",
    "MIN_SAMPLES",
    "MIN_STATE_FRACTION",
    "R_TOLERANCE",
    "SPREAD_NOISE_FACTOR",
    "SPREAD_RELATIVE_TOLERANCE",
    "Classification",
    "classify",
    "classify_two_start",
    "hysteresis_thresholds",
    "incoherent_level",
]

UNASSIGNED, LOW, HIGH = -1, 0, 1


# --------------------------------------------------------------------------- analysis


@dataclass(frozen=True)
class Episode:
    state: int
    start: int  # first sample
    stop: int  # one past the last sample


def sample_durations(t: NDArray[np.float64]) -> NDArray[np.float64]:
    """Time each sample stands for: the step to the next sample (the last repeats the median)."""
    steps = np.diff(t)
    last = np.median(steps) if steps.size else 1.0
    return np.append(steps, last)


def hysteresis_states(r: NDArray[np.float64], low: float, high: float) -> NDArray[np.int8]:
    """Schmitt trigger: high after crossing ``high``, low after crossing ``low``.

    Samples before the first crossing of either threshold are unassigned (-1).
    """
    marks = np.full(r.size, UNASSIGNED, dtype=np.int8)
    marks[r < low] = LOW
    marks[r > high] = HIGH
    last_mark = np.where(marks != UNASSIGNED, np.arange(r.size), -1)
    np.maximum.accumulate(last_mark, out=last_mark)
    return np.where(last_mark >= 0, marks[np.maximum(last_mark, 0)], UNASSIGNED).astype(np.int8)


def episodes_of(states: NDArray[np.int8]) -> list[Episode]:
    boundaries = np.flatnonzero(states[1:] != states[:-1]) + 1
    starts = np.concatenate(([0], boundaries))
    stops = np.concatenate((boundaries, [states.size]))
    return [Episode(int(states[a]), int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


def merge_short_episodes(
    episodes: list[Episode], states: NDArray[np.int8], min_dwell_samples: int
) -> list[Episode]:
    """Merge episodes shorter than ``min_dwell_samples`` into the episode before them.

    Short episodes at the very start (nothing assigned before them) are joined to the
    first long one; if no episode is long, the assigned samples become one episode in
    the state held most of the time.
    """
    merged: list[Episode] = []
    pending_start: int | None = None
    for episode in episodes:
        if episode.state == UNASSIGNED:  # only ever the leading samples
            merged.append(episode)
            continue
        if episode.stop - episode.start < min_dwell_samples:
            if merged and merged[-1].state != UNASSIGNED:
                merged[-1] = Episode(merged[-1].state, merged[-1].start, episode.stop)
            elif pending_start is None:
                pending_start = episode.start
            continue
        start = episode.start if pending_start is None else pending_start
        pending_start = None
        if merged and merged[-1].state == episode.state:
            merged[-1] = Episode(episode.state, merged[-1].start, episode.stop)
        else:
            merged.append(Episode(episode.state, start, episode.stop))
    if pending_start is not None:
        tail = states[pending_start:]
        state = HIGH if np.count_nonzero(tail == HIGH) > np.count_nonzero(tail == LOW) else LOW
        merged.append(Episode(state, pending_start, states.size))
    return merged


def states_of(episodes: list[Episode], size: int) -> NDArray[np.int8]:
    states = np.full(size, UNASSIGNED, dtype=np.int8)
    for episode in episodes:
        states[episode.start : episode.stop] = episode.state
    return states


def transit_time(
    r: NDArray[np.float64],
    durations: NDArray[np.float64],
    before: Episode,
    after: Episode,
    thresholds: tuple[float, float],
) -> float:
    """Time between leaving the old level and crossing the far threshold of the new one."""
    low, high = thresholds
    old = r[before.start : before.stop]
    on_old_level = old < low if after.state == HIGH else old > high
    indices = np.flatnonzero(on_old_level)
    left = before.start + (int(indices[-1]) + 1 if indices.size else 0)
    return float(durations[left : after.start].sum())


def weighted_mean(values: NDArray[np.float64], weights: NDArray[np.float64]) -> float:
    total = weights.sum()
    return float(np.dot(values, weights) / total) if values.size and total > 0 else math.nan


def dwell_times(
    assigned: list[Episode], durations: NDArray[np.float64], state: int
) -> NDArray[np.float64]:
    complete = assigned[1:-1]  # the first and last episodes are cut by the window
    return np.array(
        [durations[e.start : e.stop].sum() for e in complete if e.state == state], dtype=np.float64
    )


def _high_level_is_steady(high_level_spread: float, high_level: float, level: float) -> bool:
    allowed = SPREAD_RELATIVE_TOLERANCE * high_level + SPREAD_NOISE_FACTOR * level
    return bool(high_level_spread <= allowed)


def within_state_residual(r: NDArray[np.float64], states: NDArray[np.int8]) -> NDArray[np.float64]:
    """``r`` minus the mean of its state (0 where unassigned)."""
    residual = np.zeros_like(r)
    for state in (LOW, HIGH):
        members = states == state
        if np.any(members):
            residual[members] = r[members] - r[members].mean()
    return residual


def relaxation_time_of(t: NDArray[np.float64], residual: NDArray[np.float64]) -> float:
    """Lag where the autocorrelation of the within-state residual first drops below 1/e.

    At least one sample interval; the whole span if it never drops (a drift).
    """
    step = float(np.median(np.diff(t))) if t.size > 1 else 1.0
    centred = residual - residual.mean()
    size = centred.size
    spectrum = np.fft.rfft(centred, 2 * size)
    autocorrelation = np.fft.irfft(spectrum * np.conj(spectrum), 2 * size)[:size]
    if autocorrelation[0] <= 0.0:  # a constant series: nothing to relax
        return step
    below = np.flatnonzero(autocorrelation < math.exp(-1.0) * autocorrelation[0])
    lags = int(below[0]) if below.size else size
    return max(lags, 1) * step


@dataclass(frozen=True)
class Modes:
    """The two density maxima of ``r`` and the dip between them."""

    ratio: float  # density at the dip / the lower maximum
    low: float  # r at the lower maximum
    dip: float  # r at the dip
    high: float  # r at the upper maximum


def density_modes(
    r: NDArray[np.float64],
    weights: NDArray[np.float64],
    residual: NDArray[np.float64],
    low_level: float,
    high_level: float,
) -> Modes:
    """Density at the dip between the levels over the lower of the two maxima (module doc).

    The density is a histogram of ``r`` smoothed by a Gaussian of Silverman's width for
    the within-state spread, ``0.9 sigma n**(-1/5)`` (at least two bins).
    """
    edges = np.linspace(0.0, 1.0, int(round(1.0 / DENSITY_BIN)) + 1)
    centres = 0.5 * (edges[1:] + edges[:-1])
    histogram, _ = np.histogram(r, edges, weights=weights)
    spread = float(np.sqrt(np.mean(residual**2)))
    width = max(0.9 * spread * r.size ** (-0.2), 2.0 * DENSITY_BIN)
    half = int(math.ceil(4.0 * width / DENSITY_BIN))
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) * DENSITY_BIN / width) ** 2)
    density = np.convolve(histogram, kernel / kernel.sum(), mode="same")
    middle = int(np.searchsorted(centres, 0.5 * (low_level + high_level)))
    middle = min(max(middle, 1), centres.size - 1)
    # Local maxima (a rise before, no rise after); the highest one on each side of the
    # midpoint of the levels. A tail that only falls past the midpoint has none there.
    rising = np.diff(density) > 0
    maxima = np.flatnonzero(np.r_[False, rising] & ~np.r_[rising, False])
    below, above = maxima[maxima < middle], maxima[maxima >= middle]
    if below.size == 0 or above.size == 0:
        return Modes(1.0, low_level, math.nan, high_level)
    low_peak = int(below[np.argmax(density[below])])
    high_peak = int(above[np.argmax(density[above])])
    lower_maximum = min(density[low_peak], density[high_peak])
    dip = low_peak + int(np.argmin(density[low_peak : high_peak + 1]))
    ratio = float(density[dip] / lower_maximum) if lower_maximum > 0.0 else 1.0
    return Modes(ratio, float(centres[low_peak]), float(centres[dip]), float(centres[high_peak]))


def episodes_at_levels(
    episodes: list[Episode], r: NDArray[np.float64], durations: NDArray[np.float64],
    modes: Modes,
) -> list[Episode]:
    """Relabel episodes whose mean ``r`` does not reach their level, then join neighbours.

    A high episode must have its mean above the midpoint between the dip and the upper
    maximum, a low episode below the midpoint between the lower maximum and the dip;
    otherwise it is a burst (or a dip) of the other state (module docstring).
    """
    cut_high = 0.5 * (modes.dip + modes.high)
    cut_low = 0.5 * (modes.low + modes.dip)
    relabelled: list[Episode] = []
    for episode in episodes:
        state = episode.state
        if state != UNASSIGNED:
            level = weighted_mean(r[episode.start : episode.stop],
                                   durations[episode.start : episode.stop])
            if state == HIGH and level < cut_high:
                state = LOW
            elif state == LOW and level > cut_low:
                state = HIGH
        if relabelled and relabelled[-1].state == state:
            relabelled[-1] = Episode(state, relabelled[-1].start, episode.stop)
        else:
            relabelled.append(Episode(state, episode.start, episode.stop))
    return relabelled


def _classify_series(
    t: NDArray[np.float64],
    r: NDArray[np.float64],
    n: int,
    thresholds: tuple[float, float] | None,
    min_dwell_samples: int,
    min_switches: int,
) -> Classification:
    """Single-run rules applied to one order parameter ``r`` of ``n`` oscillators."""
    level = incoherent_level(n)
    thresholds = hysteresis_thresholds(n) if thresholds is None else thresholds
    low, high = thresholds
    durations = sample_durations(t)
    duration = float(durations.sum())

    raw_states = hysteresis_states(r, low, high)
    episodes = merge_short_episodes(episodes_of(raw_states), raw_states, min_dwell_samples)
    # States must outlast several relaxation times of r (module docstring).
    relaxation_time = relaxation_time_of(t, within_state_residual(r, states_of(episodes, r.size)))
    step = float(np.median(durations))
    dwell_samples = max(
        min_dwell_samples, int(math.ceil(MIN_DWELL_RELAXATION_TIMES * relaxation_time / step))
    )
    if dwell_samples > min_dwell_samples:
        episodes = merge_short_episodes(episodes_of(raw_states), raw_states, dwell_samples)
    states = states_of(episodes, r.size)
    dip_ratio = math.nan
    excursions_merged = False
    if np.any(states == LOW) and np.any(states == HIGH):
        is_low, is_high = states == LOW, states == HIGH
        modes = density_modes(
            r[states != UNASSIGNED],
            durations[states != UNASSIGNED],
            within_state_residual(r, states)[states != UNASSIGNED],
            weighted_mean(r[is_low], durations[is_low]),
            weighted_mean(r[is_high], durations[is_high]),
        )
        dip_ratio = modes.ratio
        if dip_ratio <= MAX_DIP_RATIO:  # two levels: keep only episodes that reach theirs
            episodes = episodes_at_levels(episodes, r, durations, modes)
            states = states_of(episodes, r.size)
            is_low, is_high = states == LOW, states == HIGH
        if dip_ratio > MAX_DIP_RATIO or not (np.any(is_low) and np.any(is_high)):
            # one state with excursions, not two levels
            excursions_merged = True
            dominant = HIGH if durations[is_high].sum() > durations[is_low].sum() else LOW
            first = next(e.start for e in episodes if e.state != UNASSIGNED)
            episodes = [e for e in episodes if e.state == UNASSIGNED] + [
                Episode(dominant, first, r.size)
            ]
            states = states_of(episodes, r.size)
    assigned = [e for e in episodes if e.state != UNASSIGNED]
    switches = list(zip(assigned[:-1], assigned[1:], strict=False))
    n_up = sum(1 for _, after in switches if after.state == HIGH)
    n_down = len(switches) - n_up
    transit = sum(transit_time(r, durations, a, b, thresholds) for a, b in switches)

    is_low, is_high = states == LOW, states == HIGH
    high_values = r[is_high]
    evidence: dict[str, Any] = dict(
        n=n,
        incoherent_level=level,
        thresholds=(low, high),
        window=(float(t[0]), float(t[-1])),
        n_samples=int(r.size),
        duration=duration,
        mean_r=weighted_mean(r, durations),
        std_r=math.sqrt(
            max(weighted_mean((r - weighted_mean(r, durations)) ** 2, durations), 0.0)
        ),
        low_level=weighted_mean(r[is_low], durations[is_low]),
        high_level=weighted_mean(high_values, durations[is_high]),
        high_level_spread=float(np.subtract(*np.percentile(high_values, [95, 5])))
        if high_values.size
        else math.nan,
        fraction_low=float(durations[is_low].sum() / duration),
        fraction_high=float(durations[is_high].sum() / duration),
        fraction_transit=transit / duration,
        n_switches=len(switches),
        n_switches_up=n_up,
        n_switches_down=n_down,
        dwell_times_low=dwell_times(assigned, durations, LOW),
        dwell_times_high=dwell_times(assigned, durations, HIGH),
        relaxation_time=relaxation_time,
        dip_ratio=dip_ratio,
    )
    low_values = r[is_low]
    low_excursions = float(np.mean(low_values > high)) if low_values.size else 0.0
    label, reason = _single_run_label(evidence, low_excursions, min_switches, excursions_merged)
    return Classification(label=label, protocol="single", reason=reason, **evidence)


def _excursion_note(evidence: dict[str, Any], excursions_merged: bool) -> str:
    if not excursions_merged:
        return ""
    if evidence["dip_ratio"] > MAX_DIP_RATIO:
        why = f"no dip between levels: dip ratio {evidence['dip_ratio']:.2f} > {MAX_DIP_RATIO}"
    else:
        why = "none of them reaches the other level"
    return (
        f"; its excursions across the thresholds are fluctuations of this state, not a "
        f"second level ({why})"
    )


def _single_run_label(
    evidence: dict[str, Any], low_excursions: float, min_switches: int,
    excursions_merged: bool = False,
) -> tuple[str, str]:
    """The decision rules of a single run, in order; see the module docstring."""
    low, high = evidence["thresholds"]
    level = evidence["incoherent_level"]
    n_up, n_down = evidence["n_switches_up"], evidence["n_switches_down"]
    high_level, spread = evidence["high_level"], evidence["high_level_spread"]
    steady = math.isnan(high_level) or _high_level_is_steady(spread, high_level, level)
    unsteady_reason = (
        f"r oscillates or drifts: its 5-95% range in the high state, {spread:.3g}, exceeds "
        f"0.25 x level + 4 x incoherent level = "
        f"{SPREAD_RELATIVE_TOLERANCE * high_level + SPREAD_NOISE_FACTOR * level:.3g}"
    )
    if evidence["fraction_low"] + evidence["fraction_high"] == 0.0:
        return "other", (
            f"r stays between the low threshold {low:.3g} and the high threshold {high:.3g} "
            f"(mean r = {evidence['mean_r']:.3g}): neither incoherent nor clearly synchronized"
        )
    if n_up >= min_switches and n_down >= min_switches:
        if evidence["fraction_transit"] > MAX_TRANSIT_FRACTION:
            transit = evidence["fraction_transit"]
            return "other", (
                f"r moves between low and high without plateaus ({transit:.0%} of the time "
                f"in transit between thresholds): an oscillation, not switching"
            )
        if not steady:
            return "other", f"r switches {n_up + n_down} times but {unsteady_reason}"
        return "bistable", (
            f"r switches {n_up + n_down} times ({n_up} up, {n_down} down) between a low level "
            f"{evidence['low_level']:.3g} and a high level {high_level:.3g} (two modes, dip "
            f"ratio {evidence['dip_ratio']:.2f}), high {evidence['fraction_high']:.0%} of "
            f"the time"
        )
    if n_up + n_down > 0:
        return "other", (
            f"unsettled: r switches only {n_up} up and {n_down} down (at least {min_switches} "
            f"each way needed for bistability); run longer or drop a longer transient"
        )
    if evidence["fraction_low"] >= MIN_STATE_FRACTION:
        if low_excursions > MAX_LOW_EXCURSION_FRACTION:
            return "other", (
                f"r is mostly low but exceeds the high threshold {high:.3g} in "
                f"{low_excursions:.0%} of the samples in short bursts (fast oscillation?)"
            )
        return "desynchronized", (
            f"r stays low: mean {evidence['mean_r']:.3g} against the incoherent level "
            f"{level:.3g} and the low threshold {low:.3g}"
            + _excursion_note(evidence, excursions_merged)
        )
    if evidence["fraction_high"] >= MIN_STATE_FRACTION:
        if not steady:
            return "other", unsteady_reason
        return "synchronized", (
            f"r stays high: level {high_level:.3g} (5-95% range {spread:.3g}) above the "
            f"high threshold {high:.3g}" + _excursion_note(evidence, excursions_merged)
        )
    settled = "low" if evidence["fraction_low"] > 0 else "high"
    return "other", (
        f"unsettled: r settles {settled} only after "
        f"{1 - evidence['fraction_low'] - evidence['fraction_high']:.0%} of the window "
        f"between the thresholds; drop a longer transient"
    )


def classify_single(
    series: Series,
    transient: float | None,
    thresholds: tuple[float, float] | None,
    min_dwell_samples: int,
    min_switches: int,
) -> Classification:
    window = drop_transient(series, transient)
    main = _classify_series(
        window.t, window.r, window.n, thresholds, min_dwell_samples, min_switches
    )
    populations: dict[str, Any] = {}
    for suffix, values, size in (("e", window.r_e, window.n_e), ("i", window.r_i, window.n_i)):
        if values is None or not size:
            continue
        part = _classify_series(window.t, values, size, None, min_dwell_samples, min_switches)
        populations[f"mean_r_{suffix}"] = part.mean_r
        populations[f"incoherent_level_{suffix}"] = part.incoherent_level
        populations[f"label_{suffix}"] = part.label
    return _replace(main, **populations)


def _replace(result: Classification, **changes: Any) -> Classification:
    values = {name: getattr(result, name) for name in result.__dataclass_fields__}
    values.update(changes)
    return Classification(**values)


# --------------------------------------------------------------------------- two-start


def _two_start_label(from_incoherent: str, from_synchronized: str) -> tuple[str, str]:
    pair = (from_incoherent, from_synchronized)
    if "other" in pair:
        which = "incoherent" if from_incoherent == "other" else "synchronized"
        return "other", f"the run from {which} phases is unclear ('other')"
    if "bistable" in pair:
        which = "incoherent" if from_incoherent == "bistable" else "synchronized"
        return "bistable", f"the run from {which} phases switches between low and high r"
    if pair == ("desynchronized", "synchronized"):
        return "bistable", (
            "hysteresis: the run from incoherent phases stays low while the run from "
            "synchronized phases stays high"
        )
    if pair == ("synchronized", "synchronized"):
        return "synchronized", "both runs end high, whatever the initial phases"
    if pair == ("desynchronized", "desynchronized"):
        return "desynchronized", "both runs end low, whatever the initial phases"
    return "other", (
        "inverted: the run from incoherent phases ends high while the run from "
        "synchronized phases ends low"
    )


def _pooled(parts: tuple[Classification, Classification], fraction: str, value: str) -> float:
    """Time-weighted mean of ``value`` over the parts of the runs given by ``fraction``."""
    weights = [p.duration * (getattr(p, fraction) if fraction else 1.0) for p in parts]
    values = [getattr(p, value) for p in parts]
    pairs = [(w, v) for w, v in zip(weights, values, strict=True) if w > 0 and not math.isnan(v)]
    total = sum(w for w, _ in pairs)
    return sum(w * v for w, v in pairs) / total if total > 0 else math.nan


def combine_two_start(low_start: Classification, high_start: Classification) -> Classification:
    parts = (low_start, high_start)
    label, reason = _two_start_label(low_start.label, high_start.label)
    reason = (
        f"{reason} (from incoherent: {low_start.label}, mean r {low_start.mean_r:.3g}; "
        f"from synchronized: {high_start.label}, mean r {high_start.mean_r:.3g})"
    )
    mean_r = _pooled(parts, "", "mean_r")
    second_moment = sum(p.duration * (p.std_r**2 + p.mean_r**2) for p in parts) / sum(
        p.duration for p in parts
    )
    population_labels: dict[str, Any] = {}
    for suffix in ("e", "i"):
        label_low = getattr(low_start, f"label_{suffix}")
        label_high = getattr(high_start, f"label_{suffix}")
        both = label_low is not None and label_high is not None
        population_labels[f"label_{suffix}"] = (
            _two_start_label(label_low, label_high)[0] if both else None
        )
    return Classification(
        label=label,
        protocol="two-start",
        reason=reason,
        n=low_start.n,
        incoherent_level=low_start.incoherent_level,
        thresholds=low_start.thresholds,
        window=low_start.window,
        n_samples=low_start.n_samples + high_start.n_samples,
        duration=low_start.duration + high_start.duration,
        mean_r=mean_r,
        std_r=math.sqrt(max(second_moment - mean_r**2, 0.0)),
        low_level=_pooled(parts, "fraction_low", "low_level"),
        high_level=_pooled(parts, "fraction_high", "high_level"),
        high_level_spread=float(np.nanmax([p.high_level_spread for p in parts]))
        if not all(math.isnan(p.high_level_spread) for p in parts)
        else math.nan,
        fraction_low=_pooled(parts, "", "fraction_low"),
        fraction_high=_pooled(parts, "", "fraction_high"),
        fraction_transit=_pooled(parts, "", "fraction_transit"),
        n_switches=low_start.n_switches + high_start.n_switches,
        n_switches_up=low_start.n_switches_up + high_start.n_switches_up,
        n_switches_down=low_start.n_switches_down + high_start.n_switches_down,
        dwell_times_low=np.concatenate((low_start.dwell_times_low, high_start.dwell_times_low)),
        dwell_times_high=np.concatenate((low_start.dwell_times_high, high_start.dwell_times_high)),
        mean_r_e=_pooled(parts, "", "mean_r_e"),
        mean_r_i=_pooled(parts, "", "mean_r_i"),
        incoherent_level_e=low_start.incoherent_level_e,
        incoherent_level_i=low_start.incoherent_level_i,
        relaxation_time=max(low_start.relaxation_time, high_start.relaxation_time),
        from_incoherent=low_start,
        from_synchronized=high_start,
        **population_labels,
    )



# --------------------------------------------------------------------------- public API


def classify_two_start(
    run_from_incoherent: Any,
    run_from_synchronized: Any,
    *,
    transient: float | None = None,
    thresholds: tuple[float, float] | None = None,
    min_dwell_samples: int = 5,
    min_switches: int = 2,
) -> Classification:
    """Classify a parameter point from two runs that differ only in their initial phases.

    The run from incoherent (random) phases staying low while the run from
    synchronized phases stays high is hysteresis, hence ``"bistable"``. Both high is
    ``"synchronized"``, both low ``"desynchronized"``. Either run switching by itself
    gives ``"bistable"``; either run being ``"other"`` gives ``"other"`` (checked
    first); the inverted outcome (incoherent start high, synchronized start low) is
    ``"other"``.

    Parameters
    ----------
    run_from_incoherent, run_from_synchronized : run result
        Objects with attributes ``t``, ``r``, ``n_e``, ``n_i`` (and optionally
        ``r_e``, ``r_i``), started from random and from synchronized phases, with
        the same network size.
    transient, thresholds, min_dwell_samples, min_switches
        As in :func:`classify`; applied to each run.

    Returns
    -------
    Classification
        ``protocol == "two-start"``; the runs' own classifications are in
        ``from_incoherent`` and ``from_synchronized``; the evidence fields pool both.

    Raises
    ------
    ValueError
        If the runs have different sizes or fail the checks of :func:`classify`.

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> from eikura.classify import classify_two_start
    >>> rng = np.random.default_rng(1)
    >>> t = np.arange(2000) * 0.1
    >>> n_e, n_i = 800, 200
    >>> low = rng.rayleigh(1 / np.sqrt(2 * (n_e + n_i)), t.size)
    >>> high = 0.7 + 0.01 * rng.standard_normal(t.size)
    >>> from_incoherent = SimpleNamespace(t=t, r=low, n_e=n_e, n_i=n_i)
    >>> from_sync = SimpleNamespace(t=t, r=high, n_e=n_e, n_i=n_i)
    >>> classify_two_start(from_incoherent, from_sync).label
    'bistable'
    """
    options = check_options(thresholds, min_dwell_samples, min_switches)
    low_series = series_from_run(run_from_incoherent, "run_from_incoherent")
    high_series = series_from_run(run_from_synchronized, "run_from_synchronized")
    if low_series.n != high_series.n:
        raise ValueError(
            f"run_from_synchronized: the two runs must have the same size, got N = "
            f"{low_series.n} and N = {high_series.n}"
        )
    return combine_two_start(
        classify_single(low_series, transient, *options),
        classify_single(high_series, transient, *options),
    )


def classify(
    run: Any = None,
    /,
    *,
    r: ArrayLike | None = None,
    t: ArrayLike | None = None,
    n: int | None = None,
    r_e: ArrayLike | None = None,
    r_i: ArrayLike | None = None,
    n_e: int | None = None,
    n_i: int | None = None,
    transient: float | None = None,
    thresholds: tuple[float, float] | None = None,
    min_dwell_samples: int = 5,
    min_switches: int = 2,
) -> Classification:
    """Label a simulation synchronized, desynchronized, bistable or other (SPEC §5).

    The label comes from the order parameter ``r(t) = |Z(t)|`` over all ``N``
    oscillators after a transient; thresholds scale with the finite-size incoherent
    level ``sqrt(pi / (4 N))`` (see the module docstring for the numbers).

    * ``"desynchronized"``: ``r`` stays below the low threshold (no switches, at least
      90 % of the time low).
    * ``"synchronized"``: ``r`` stays above the high threshold and is steady (no
      switches, at least 90 % of the time high, 5-95 % range within
      ``0.25 * level + 4 * incoherent level``).
    * ``"bistable"``: ``r`` switches between the low and the high state at least
      ``min_switches`` times each way, each episode lasting at least
      ``min_dwell_samples`` samples, with quick jumps (at most 10 % of the time in
      transit) between steady levels.
    * ``"other"``: everything else - oscillation, drift, a single switch, ``r`` stuck
      between the thresholds. The label is never forced.

    Parameters
    ----------
    run : run result or pair of run results, optional
        An object with attributes ``t``, ``r``, ``n_e``, ``n_i`` (optionally ``r_e``,
        ``r_i``), e.g. what ``eikura.simulate`` returns. A tuple
        ``(run_from_incoherent, run_from_synchronized)`` selects the two-start
        protocol (see :func:`classify_two_start`). Positional only; leave it out to
        pass arrays instead.
    r : array_like, optional
        Order parameter over all oscillators, 1-D, values in ``[0, 1]``.
    t : array_like, optional
        Record times, 1-D, strictly increasing, same length as ``r``. Default: the
        sample index (times in units of the recording interval).
    n : int, optional
        Number of oscillators behind ``r``. Default: ``n_e + n_i``.
    r_e, r_i : array_like, optional
        Per-population order parameters (classified with ``n_e`` and ``n_i``).
    n_e, n_i : int, optional
        Population sizes.
    transient : float, optional
        Time dropped from the start: samples with ``t < t[0] + transient`` are
        ignored. Default: 20 % of the recorded time span.
    thresholds : tuple of float, optional
        ``(low, high)`` to override the size-scaled thresholds for ``r``.
    min_dwell_samples : int, default 5
        Episodes shorter than this many samples are merged into the episode before
        them, so brief excursions never count as switches.
    min_switches : int, default 2
        Switches needed in each direction to call a single run bistable.

    Returns
    -------
    Classification
        The label, a one-sentence ``reason`` and the evidence (levels, fraction of
        time high, switches, dwell times, thresholds).

    Raises
    ------
    ValueError
        For arrays that are not 1-D, have mismatched lengths or contain NaN, for
        ``r`` outside ``[0, 1]``, sizes ``<= 0``, times not increasing, a negative
        transient, or fewer than 10 samples after the transient.
    TypeError
        For a run object without the needed attributes, or both a run and arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from eikura.classify import classify
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(4000) * 0.1
    >>> n = 1000
    >>> incoherent = rng.rayleigh(1 / np.sqrt(2 * n), t.size)  # finite-size noise
    >>> classify(r=incoherent, t=t, n=n).label
    'desynchronized'
    >>> classify(r=0.6 + 0.01 * rng.standard_normal(t.size), t=t, n=n).label
    'synchronized'
    >>> high = (t // 50) % 2 == 1                                 # switches every 50 time units
    >>> switching = np.where(high, 0.7 + 0.01 * rng.standard_normal(t.size), incoherent)
    >>> c = classify(r=switching, t=t, n=n)
    >>> c.label, c.n_switches, round(c.fraction_high, 2)
    ('bistable', 6, 0.53)
    >>> classify(r=0.4 + 0.3 * np.sin(t), t=t, n=n).label        # oscillation
    'other'
    """
    raw = {"r": r, "t": t, "n": n, "r_e": r_e, "r_i": r_i, "n_e": n_e, "n_i": n_i}
    given = [name for name, value in raw.items() if value is not None]
    if run is not None and given:
        raise TypeError(
            f"classify: pass either a run or arrays, not both (got run and {', '.join(given)})"
        )
    options = check_options(thresholds, min_dwell_samples, min_switches)
    if isinstance(run, (tuple, list)):
        if len(run) != 2:
            raise ValueError(
                f"run: a two-start pair is (run_from_incoherent, run_from_synchronized), "
                f"got {len(run)} runs"
            )
        return classify_two_start(
            run[0],
            run[1],
            transient=transient,
            thresholds=options[0],
            min_dwell_samples=options[1],
            min_switches=options[2],
        )
    series = series_from_run(run) if run is not None else series_from_arrays(**raw)
    return classify_single(series, transient, *options)
