"""Classify a simulation as synchronized, desynchronized, bistable or other.

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

Layout: ``_levels`` (these numbers), ``_series`` (input checks and the analysed window),
``_episodes`` (episodes, dwell times, relaxation time, modes of ``r``), ``_single_run``
(the rules for one run), ``_two_start`` (the protocol with two runs), ``_result``
(:class:`Classification`) and ``_api`` (:func:`classify`, :func:`classify_two_start`).

Examples
--------
>>> import numpy as np
>>> from eikura.classify import classify, hysteresis_thresholds
>>> [round(x, 3) for x in hysteresis_thresholds(1000)]
[0.084, 0.15]
>>> t = np.arange(1000) * 0.1
>>> result = classify(r=np.full(t.size, 0.6), t=t, n=1000)
>>> result.label, result.n_switches
('synchronized', 0)
"""

from __future__ import annotations

from ..labels import LABELS
from ._api import classify, classify_two_start
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

# doctest.testmod(eikura.classify) collects only what this file defines; the examples of
# the names it re-exports from the private modules are listed here so that they run too
# (tests/test_docstrings.py).
__test__ = {
    "incoherent_level": incoherent_level,
    "hysteresis_thresholds": hysteresis_thresholds,
    "Classification.summary": Classification.summary,
    "Classification.to_dict": Classification.to_dict,
    "classify": classify,
    "classify_two_start": classify_two_start,
}
