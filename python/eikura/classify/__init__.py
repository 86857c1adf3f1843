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
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

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
from ._series import check_options, series_from_arrays, series_from_run
from ._single_run import classify_single

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
