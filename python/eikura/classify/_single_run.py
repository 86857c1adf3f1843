"""The single-run rules: the evidence of one series of ``r`` and the label it supports.

Two paths (see :mod:`eikura.classify`): where ``r`` has two levels (or the caller gave
thresholds) the run is cut into episodes at those levels and judged by its switches;
otherwise ``r`` holds one level and the character of its fluctuations decides.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._episodes import (
    HIGH,
    LOW,
    UNASSIGNED,
    Episode,
    dwell_times,
    hysteresis_states,
    relaxation_time_of,
    sample_durations,
    separate_levels,
    settled_episodes,
    states_of,
    transit_time,
    within_state_residual,
)
from ._levels import (
    INCOHERENT_SHAPE,
    LOW_THRESHOLD_FACTOR,
    MAX_PEAK_FRACTION,
    MAX_TRANSIT_FRACTION,
    MIN_STATE_FRACTION,
    MIN_WINDOW_RELAXATION_TIMES,
    SPREAD_NOISE_FACTOR,
    SPREAD_RELATIVE_TOLERANCE,
    SYNCHRONIZED_SHAPE,
    Oscillation,
    data_levels,
    hysteresis_thresholds,
    incoherent_level,
    oscillation_of,
    shape_ratio,
    weighted_mean,
)
from ._result import Classification
from ._series import Series, drop_transient

# Two synchronized "levels" this close (relative to the higher) with too few switches are
# one synchronized state still settling, not two states (eikura.classify).
SETTLING_DRIFT = 0.05


def _spread(values: NDArray[np.float64]) -> float:
    """The 5-95 % range; NaN for no values."""
    return float(np.subtract(*np.percentile(values, [95, 5]))) if values.size else math.nan


def _is_quiet(spread: float, level: float, incoherent: float) -> bool:
    """Fluctuations within ``0.25 * level + 4 * incoherent level`` (eikura.classify)."""
    return bool(spread <= SPREAD_RELATIVE_TOLERANCE * level + SPREAD_NOISE_FACTOR * incoherent)


def _classify_series(
    t: NDArray[np.float64],
    r: NDArray[np.float64],
    n: int,
    thresholds: tuple[float, float] | None,
    min_dwell_samples: int,
    min_switches: int,
) -> Classification:
    """Single-run rules applied to one order parameter ``r`` of ``n`` oscillators."""
    durations = sample_durations(t)
    duration = float(durations.sum())
    common: dict[str, Any] = dict(
        n=n,
        incoherent_level=incoherent_level(n),
        window=(float(t[0]), float(t[-1])),
        n_samples=int(r.size),
        duration=duration,
    )
    note = ""
    whole_relaxation = relaxation_time_of(t, r - weighted_mean(r, durations))
    levels = data_levels(r, durations, duration / (2.0 * whole_relaxation))
    common["dip_ratio"] = levels.modes.ratio
    switching_thresholds = thresholds
    if thresholds is None and levels.two_levels:
        switching_thresholds = levels.thresholds
    apart = math.nan
    if switching_thresholds is not None:
        episodes, relaxation_time = settled_episodes(
            t, r, durations, switching_thresholds, min_dwell_samples
        )
        episodes, apart, merged = separate_levels(episodes, r, durations)
        assigned = [e for e in episodes if e.state != UNASSIGNED]
        long_enough = duration >= MIN_WINDOW_RELAXATION_TIMES * relaxation_time
        if len(assigned) > 1 and (long_enough or thresholds is not None):
            evidence = _switching_evidence(r, durations, episodes, switching_thresholds)
            evidence.update(common, relaxation_time=relaxation_time, level_separation=apart)
            states = states_of(episodes, r.size)
            is_high = states == HIGH
            high_shape = shape_ratio(r[is_high], durations[is_high])
            oscillation = oscillation_of(t, within_state_residual(r, states))
            evidence["peak_fraction"] = oscillation.peak_fraction
            label, reason = _switching_label(evidence, high_shape, oscillation, min_switches)
            return Classification(label=label, protocol="single", reason=reason, **evidence)
        if merged:
            note = _excursion_note(apart)
    label, reason, evidence = _single_level(t, r, durations, n, thresholds)
    evidence.update(common, level_separation=apart)
    return Classification(label=label, protocol="single", reason=reason + note, **evidence)


def _switching_evidence(
    r: NDArray[np.float64],
    durations: NDArray[np.float64],
    episodes: list[Episode],
    thresholds: tuple[float, float],
) -> dict[str, Any]:
    """Levels, fractions of time, switches and dwell times of the final episodes."""
    duration = float(durations.sum())
    assigned = [e for e in episodes if e.state != UNASSIGNED]
    switches = list(itertools.pairwise(assigned))
    n_up = sum(1 for _, after in switches if after.state == HIGH)
    transit = sum(transit_time(r, durations, a, b, thresholds) for a, b in switches)
    states = states_of(episodes, r.size)
    is_low, is_high = states == LOW, states == HIGH
    mean_r = weighted_mean(r, durations)
    return dict(
        thresholds=thresholds,
        mean_r=mean_r,
        std_r=math.sqrt(max(weighted_mean((r - mean_r) ** 2, durations), 0.0)),
        low_level=weighted_mean(r[is_low], durations[is_low]),
        high_level=weighted_mean(r[is_high], durations[is_high]),
        high_level_spread=_spread(r[is_high]),
        fraction_low=float(durations[is_low].sum() / duration),
        fraction_high=float(durations[is_high].sum() / duration),
        fraction_transit=transit / duration,
        n_switches=len(switches),
        n_switches_up=n_up,
        n_switches_down=len(switches) - n_up,
        dwell_times_low=dwell_times(assigned, durations, LOW),
        dwell_times_high=dwell_times(assigned, durations, HIGH),
        shape_ratio=shape_ratio(r[is_low], durations[is_low]),
    )


def _switching_label(
    evidence: dict[str, Any], high_shape: float, oscillation: Oscillation, min_switches: int
) -> tuple[str, str]:
    """The rules for a run cut into low and high episodes (``high_shape``: the shape ratio
    of the high episodes; ``oscillation``: that of the fluctuations within the levels);
    see eikura.classify."""
    n_up, n_down = evidence["n_switches_up"], evidence["n_switches_down"]
    low_level, high_level = evidence["low_level"], evidence["high_level"]
    sync_floor = LOW_THRESHOLD_FACTOR * evidence["incoherent_level"]
    both_synchronized = (low_level >= sync_floor and high_shape >= SYNCHRONIZED_SHAPE
                         and evidence["shape_ratio"] >= SYNCHRONIZED_SHAPE)
    if n_up < min_switches or n_down < min_switches:
        settling = high_level - low_level <= SETTLING_DRIFT * high_level
        if both_synchronized and settling and not _oscillation_verdict(oscillation):
            # A synchronized state still settling (a slow drift of r cut in two), not
            # a second state: no episode ever leaves synchronization.
            return "synchronized", (
                f"r stays synchronized: it moves {n_up} up and {n_down} down between two "
                f"levels {low_level:.3g} and {high_level:.3g} within {SETTLING_DRIFT:.0%} of "
                f"each other, both clear of their fluctuations (<r>^2/<r^2> >= "
                f"{SYNCHRONIZED_SHAPE}) and above 3 incoherent levels ({sync_floor:.3g}): a "
                f"synchronized state still settling"
            )
        return "other", (
            f"unsettled: r switches only {n_up} up and {n_down} down between {low_level:.3g} "
            f"and {high_level:.3g} (at least {min_switches} each way needed for "
            f"bistability); run longer or drop a longer transient"
        )
    if evidence["fraction_transit"] > MAX_TRANSIT_FRACTION:
        return "other", (
            f"r moves between low and high without plateaus ({evidence['fraction_transit']:.0%} "
            f"of the time in transit between the levels): an oscillation, not switching"
        )
    oscillating = _oscillation_verdict(oscillation)
    if oscillating:
        return "other", f"r switches {n_up + n_down} times but within its levels {oscillating}"
    if high_level < sync_floor or not high_shape >= SYNCHRONIZED_SHAPE:
        return "other", (
            f"r switches {n_up + n_down} times, but its high level {high_level:.3g} is not "
            f"clear of its fluctuations (<r>^2/<r^2> = {high_shape:.3f} < "
            f"{SYNCHRONIZED_SHAPE}) or below 3 incoherent levels ({sync_floor:.3g})"
        )
    levels = (
        f"a low level {low_level:.3g} and a high level {high_level:.3g} (separated by "
        f"{evidence['level_separation']:.2f} pooled standard deviations), high "
        f"{evidence['fraction_high']:.0%} of the time"
    )
    if both_synchronized:
        return "synchronized", (
            f"r switches {n_up + n_down} times between two synchronized levels: {levels}"
        )
    return "bistable", f"r switches {n_up + n_down} times ({n_up} up, {n_down} down) between {levels}"


def _oscillation_verdict(oscillation: Oscillation) -> str:
    """Why ``r`` oscillates (a limit cycle, or unclear), or ``""`` for noise (eikura.classify).

    Only a strong spectral peak is examined; its amplitude then decides like a level:
    steady (shape ratio at least SYNCHRONIZED_SHAPE) is a limit cycle, Rayleigh-like (at
    most INCOHERENT_SHAPE) a noise-driven quasi-cycle, anything between is unclear.
    """
    if oscillation.peak_fraction <= MAX_PEAK_FRACTION:
        return ""
    shape = oscillation.amplitude_shape
    peak = (
        f"{oscillation.peak_fraction:.0%} of the fluctuation power lies in one spectral peak "
        f"at angular frequency {oscillation.frequency:.3g}"
    )
    if shape >= SYNCHRONIZED_SHAPE:
        return (
            f"r oscillates: {peak} and its amplitude holds steady (<A>^2/<A^2> = "
            f"{shape:.3f} >= {SYNCHRONIZED_SHAPE}): a limit cycle, not a steady state"
        )
    if shape <= INCOHERENT_SHAPE:
        return ""  # a quasi-cycle: noise-driven oscillation around a stable state
    return (
        f"unclear oscillation: {peak}, but its amplitude neither holds steady (limit "
        f"cycle) nor fluctuates like noise (quasi-cycle): <A>^2/<A^2> = {shape:.3f}"
    )


def _excursion_note(apart: float) -> str:
    return (
        f"; its excursions across the thresholds are fluctuations of this state, not a "
        f"second level (the values of r in the two kinds of episode are only "
        f"{apart:.2f} pooled standard deviations apart, or none reaches the other level)"
    )


@dataclass(frozen=True)
class _Level:
    """What one level of ``r`` looks like (see eikura.classify)."""

    mean: float
    spread: float  # 5-95 % range
    shape: float  # <r>^2 / <r^2>
    incoherent: float  # r_inc of the network
    thresholds: tuple[float, float]  # size-scaled (or the caller's) low and high
    sync_floor: float  # smallest mean called synchronized
    fraction_low: float  # Schmitt-trigger time low at the size-scaled thresholds
    relaxation_time: float
    duration: float
    oscillation: Oscillation

    @property
    def steady(self) -> bool:
        return self.shape >= SYNCHRONIZED_SHAPE and self.mean >= self.sync_floor

    @property
    def text(self) -> str:
        return f"mean r {self.mean:.3g}, 5-95% range {self.spread:.3g}, <r>^2/<r^2> = {self.shape:.3f}"


def _single_level(
    t: NDArray[np.float64],
    r: NDArray[np.float64],
    durations: NDArray[np.float64],
    n: int,
    thresholds: tuple[float, float] | None,
) -> tuple[str, str, dict[str, Any]]:
    """Label, reason and evidence of ``r`` holding one level (see eikura.classify)."""
    incoherent = incoherent_level(n)
    low, high = hysteresis_thresholds(n) if thresholds is None else thresholds
    mean_r = weighted_mean(r, durations)
    residual = r - mean_r
    duration = float(durations.sum())
    level = _Level(
        mean=mean_r,
        spread=_spread(r),
        shape=shape_ratio(r, durations),
        incoherent=incoherent,
        thresholds=(low, high),
        sync_floor=LOW_THRESHOLD_FACTOR * incoherent if thresholds is None else high,
        fraction_low=float(durations[hysteresis_states(r, low, high) == LOW].sum() / duration),
        relaxation_time=relaxation_time_of(t, residual),
        duration=duration,
        oscillation=oscillation_of(t, residual),
    )
    label, reason = _single_level_label(level)
    evidence: dict[str, Any] = dict(
        thresholds=(low, high),
        mean_r=mean_r,
        std_r=math.sqrt(max(weighted_mean(residual**2, durations), 0.0)),
        low_level=mean_r if label == "desynchronized" else math.nan,
        high_level=mean_r if label == "synchronized" else math.nan,
        high_level_spread=level.spread if label == "synchronized" else math.nan,
        fraction_low=1.0 if label == "desynchronized" else 0.0,
        fraction_high=1.0 if label == "synchronized" else 0.0,
        fraction_transit=0.0,
        n_switches=0,
        n_switches_up=0,
        n_switches_down=0,
        dwell_times_low=np.empty(0),
        dwell_times_high=np.empty(0),
        relaxation_time=level.relaxation_time,
        shape_ratio=level.shape,
        peak_fraction=level.oscillation.peak_fraction,
    )
    return label, reason, evidence


def _single_level_label(level: _Level) -> tuple[str, str]:
    """The rules for one level, in order; see eikura.classify."""
    low, high = level.thresholds
    fluctuating = not _is_quiet(level.spread, level.mean, level.incoherent)
    if level.steady and not fluctuating:
        return "synchronized", f"r holds a quiet level ({level.text}) above {level.sync_floor:.3g}"
    if level.fraction_low >= MIN_STATE_FRACTION and level.shape < SYNCHRONIZED_SHAPE:
        return "desynchronized", (
            f"r stays low: below the low threshold {low:.3g} and not above the high "
            f"threshold {high:.3g} again for {level.fraction_low:.0%} of the time ({level.text}, "
            f"incoherent level {level.incoherent:.3g})"
        )
    if fluctuating and level.duration < MIN_WINDOW_RELAXATION_TIMES * level.relaxation_time:
        return "other", (
            f"r varies on the scale of the window (relaxation time {level.relaxation_time:.3g} "
            f"against {level.duration:.3g} analysed): a drift, a slow transient, or too few "
            f"independent samples to tell its level; run longer"
        )
    oscillating = _oscillation_verdict(level.oscillation) if fluctuating else ""
    if oscillating:
        return "other", f"{oscillating} ({level.text})"
    if level.steady:
        return "synchronized", (
            f"r holds one level clear of its fluctuations ({level.text}) above "
            f"{level.sync_floor:.3g}"
        )
    if level.shape <= INCOHERENT_SHAPE:
        return "desynchronized", (
            f"r fluctuates around zero like an incoherent state (Rayleigh-like, <r>^2/<r^2> "
            f"<= {INCOHERENT_SHAPE}): {level.text}, incoherent level {level.incoherent:.3g}"
        )
    return "other", (
        f"r neither fluctuates around zero nor holds a level clear of its fluctuations "
        f"({level.text}; desynchronized needs <= {INCOHERENT_SHAPE}, synchronized >= "
        f"{SYNCHRONIZED_SHAPE} and mean r >= {level.sync_floor:.3g})"
    )


def classify_single(
    series: Series,
    transient: float | None,
    thresholds: tuple[float, float] | None,
    min_dwell_samples: int,
    min_switches: int,
) -> Classification:
    """Classify the run after the transient, and each population by the same rules."""
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
    return dataclasses.replace(main, **populations)
