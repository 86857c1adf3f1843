"""Measurements on one series of ``r``: episodes between two thresholds, their dwell and
transit times, the relaxation time of ``r`` and the separation of two levels."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._levels import (
    MIN_DWELL_RELAXATION_TIMES,
    MIN_LEVEL_SEPARATION,
    separation,
    weighted_mean,
)

UNASSIGNED, LOW, HIGH = -1, 0, 1  # the state of a sample (or an episode)


@dataclass(frozen=True)
class Episode:
    """A run of consecutive samples in one state."""

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
    """Runs of equal consecutive states."""
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
    """The state of every sample (``UNASSIGNED`` outside the episodes)."""
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


def dwell_times(
    assigned: list[Episode], durations: NDArray[np.float64], state: int
) -> NDArray[np.float64]:
    """Durations of the complete episodes in ``state`` (the first and last are cut)."""
    complete = assigned[1:-1]  # the first and last episodes are cut by the window
    return np.array(
        [durations[e.start : e.stop].sum() for e in complete if e.state == state], dtype=np.float64
    )


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


def episodes_at_levels(
    episodes: list[Episode],
    r: NDArray[np.float64],
    durations: NDArray[np.float64],
    low_level: float,
    high_level: float,
) -> list[Episode]:
    """Relabel episodes whose mean ``r`` does not reach their level, then join neighbours.

    A high episode's mean must lie above the midpoint between the middle of the levels
    and the high level, a low episode's below the midpoint between the low level and
    the middle; otherwise it is a burst (or a dip) of the other state (eikura.classify).
    """
    middle = 0.5 * (low_level + high_level)
    cut_high = 0.5 * (middle + high_level)
    cut_low = 0.5 * (low_level + middle)
    relabelled: list[Episode] = []
    for episode in episodes:
        state = episode.state
        if state != UNASSIGNED:
            span = slice(episode.start, episode.stop)
            level = weighted_mean(r[span], durations[span])
            if state == HIGH and level < cut_high:
                state = LOW
            elif state == LOW and level > cut_low:
                state = HIGH
        if relabelled and relabelled[-1].state == state:
            relabelled[-1] = Episode(state, relabelled[-1].start, episode.stop)
        else:
            relabelled.append(Episode(state, episode.start, episode.stop))
    return relabelled


def settled_episodes(
    t: NDArray[np.float64],
    r: NDArray[np.float64],
    durations: NDArray[np.float64],
    thresholds: tuple[float, float],
    min_dwell_samples: int,
) -> tuple[list[Episode], float]:
    """Schmitt-trigger episodes merged until each outlasts five relaxation times of ``r``.

    Returns the episodes and the relaxation time (see eikura.classify).
    """
    low, high = thresholds
    raw_states = hysteresis_states(r, low, high)
    episodes = merge_short_episodes(episodes_of(raw_states), raw_states, min_dwell_samples)
    relaxation_time = relaxation_time_of(t, within_state_residual(r, states_of(episodes, r.size)))
    step = float(np.median(durations))
    dwell_samples = max(
        min_dwell_samples, int(math.ceil(MIN_DWELL_RELAXATION_TIMES * relaxation_time / step))
    )
    if dwell_samples > min_dwell_samples:
        episodes = merge_short_episodes(episodes_of(raw_states), raw_states, dwell_samples)
    return episodes, relaxation_time


def separate_levels(
    episodes: list[Episode],
    r: NDArray[np.float64],
    durations: NDArray[np.float64],
) -> tuple[list[Episode], float, bool]:
    """Two levels only where the low and the high episodes are separated and reach them.

    The values of ``r`` in the low and in the high episodes must be separated, Ashman's
    D at least ``MIN_LEVEL_SEPARATION``; episodes whose mean does not reach their level
    are then joined to the other state. Otherwise, or if no episode of one state is
    left, all episodes become the state held most of the time. Returns the episodes,
    the separation (NaN when only one state was seen) and whether the excursions of
    one state were merged into it (see eikura.classify).
    """
    states = states_of(episodes, r.size)
    is_low, is_high = states == LOW, states == HIGH
    if not (np.any(is_low) and np.any(is_high)):
        return episodes, math.nan, False
    apart = separation((r[is_low], r[is_high]), (durations[is_low], durations[is_high]))
    if apart >= MIN_LEVEL_SEPARATION:  # two levels: keep only episodes that reach theirs
        episodes = episodes_at_levels(
            episodes,
            r,
            durations,
            weighted_mean(r[is_low], durations[is_low]),
            weighted_mean(r[is_high], durations[is_high]),
        )
        states = states_of(episodes, r.size)
        is_low, is_high = states == LOW, states == HIGH
        if np.any(is_low) and np.any(is_high):
            return episodes, apart, False
    # one state with excursions, not two levels
    dominant = HIGH if durations[is_high].sum() > durations[is_low].sum() else LOW
    first = next(e.start for e in episodes if e.state != UNASSIGNED)
    merged = [e for e in episodes if e.state == UNASSIGNED]
    return [*merged, Episode(dominant, first, r.size)], apart, True
