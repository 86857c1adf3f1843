"""The two-start protocol: one label from a run started from incoherent phases and one
started from synchronized phases."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._result import Classification


def _two_start_label(from_incoherent: str, from_synchronized: str) -> tuple[str, str]:
    """The label (and why) from the labels of the two runs; see :func:`classify_two_start`."""
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
    """One classification from those of the two runs, with their evidence pooled."""
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
