"""The single-run rules: the evidence of one series of ``r`` and the label it supports."""

from __future__ import annotations

import dataclasses
import itertools
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._episodes import (
    HIGH,
    LOW,
    UNASSIGNED,
    Episode,
    dwell_times,
    sample_durations,
    separate_levels,
    settled_episodes,
    states_of,
    transit_time,
    weighted_mean,
)
from ._levels import (
    MAX_DIP_RATIO,
    MAX_LOW_EXCURSION_FRACTION,
    MAX_TRANSIT_FRACTION,
    MIN_STATE_FRACTION,
    SPREAD_NOISE_FACTOR,
    SPREAD_RELATIVE_TOLERANCE,
    hysteresis_thresholds,
    incoherent_level,
)
from ._result import Classification
from ._series import Series, drop_transient


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
    durations = sample_durations(t)
    episodes, relaxation_time = settled_episodes(t, r, durations, thresholds, min_dwell_samples)
    episodes, dip_ratio, excursions_merged = separate_levels(episodes, r, durations)
    evidence = _evidence(r, durations, episodes, thresholds)
    evidence.update(
        n=n,
        incoherent_level=level,
        window=(float(t[0]), float(t[-1])),
        relaxation_time=relaxation_time,
        dip_ratio=dip_ratio,
    )
    low_values = r[states_of(episodes, r.size) == LOW]
    low_excursions = float(np.mean(low_values > thresholds[1])) if low_values.size else 0.0
    label, reason = _single_run_label(evidence, low_excursions, min_switches, excursions_merged)
    return Classification(label=label, protocol="single", reason=reason, **evidence)


def _evidence(
    r: NDArray[np.float64],
    durations: NDArray[np.float64],
    episodes: list[Episode],
    thresholds: tuple[float, float],
) -> dict[str, Any]:
    """Levels, fractions of time, switches and dwell times of the final episodes."""
    low, high = thresholds
    duration = float(durations.sum())
    assigned = [e for e in episodes if e.state != UNASSIGNED]
    switches = list(itertools.pairwise(assigned))
    n_up = sum(1 for _, after in switches if after.state == HIGH)
    transit = sum(transit_time(r, durations, a, b, thresholds) for a, b in switches)
    states = states_of(episodes, r.size)
    is_low, is_high = states == LOW, states == HIGH
    high_values = r[is_high]
    mean_r = weighted_mean(r, durations)
    return dict(
        thresholds=(low, high),
        n_samples=int(r.size),
        duration=duration,
        mean_r=mean_r,
        std_r=math.sqrt(max(weighted_mean((r - mean_r) ** 2, durations), 0.0)),
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
        n_switches_down=len(switches) - n_up,
        dwell_times_low=dwell_times(assigned, durations, LOW),
        dwell_times_high=dwell_times(assigned, durations, HIGH),
    )


def _high_level_is_steady(high_level_spread: float, high_level: float, level: float) -> bool:
    allowed = SPREAD_RELATIVE_TOLERANCE * high_level + SPREAD_NOISE_FACTOR * level
    return bool(high_level_spread <= allowed)


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
    """The decision rules of a single run, in order; see the docstring of eikura.classify."""
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


