"""Classify a simulation as synchronized, desynchronized, bistable or other (SPEC §5).

The decision is made from the Kuramoto order parameter ``r(t) = |Z(t)|`` after a
transient. Two things make this hard. A network of ``N`` oscillators is never quiet:
incoherent phases give a fluctuating ``r`` of mean ``sqrt(pi / (4 N))`` (the *incoherent
level* ``r_inc``), and with noise, or near a bifurcation, the fluctuations of a stable
state grow far beyond that ideal level (a noisy incoherent focus at ``N = 1000``, ``D =
0.3`` wanders over ``r = 0.05-0.35``). So the levels are read from the data; the
size-scaled numbers below only say where an ideal incoherent state ends.

Size-scaled numbers
-------------------
For ``N`` independent uniform phases, ``Z`` is (by the central limit theorem) a complex
Gaussian with variance ``1/(2N)`` per component, so ``r`` is Rayleigh distributed:
``P(r > x) = exp(-N x**2)`` and ``E[r] = r_inc``.

* ``low threshold = max(3 r_inc, 0.05)`` (``LOW_THRESHOLD_FACTOR``,
  ``LOW_THRESHOLD_FLOOR``): an incoherent sample lies above ``3 r_inc =
  2.66 / sqrt(N)`` with probability ``exp(-7.07) ~ 1e-3``. A run that stays below it
  (at least ``MIN_STATE_FRACTION = 90 %`` of the time) is desynchronized whatever its
  other statistics. The floor ``0.05`` keeps very large networks from calling a run
  "not low" for an ``r`` of a few percent.
* ``high threshold = max(5 r_inc, 0.15)`` (``HIGH_THRESHOLD_FACTOR``,
  ``HIGH_THRESHOLD_FLOOR``; reported with the low one as ``thresholds``
  of a run that holds one level). ``5 r_inc = 4.43 / sqrt(N)`` is exceeded by an
  incoherent sample with probability ``exp(-19.6) ~ 3e-9``; ``5 r_inc`` itself (without
  the floor) is the smallest mean ``r`` called synchronized: below it a level cannot be
  told from incoherent noise however steady it looks. The floor ``0.15`` belonged to the
  former fixed-threshold rule; the shape test below now tells weak order from
  fluctuations, so a steady ``r = 0.1`` at ``N = 20 000`` is synchronized.
* A level is *quiet* when the 5-95 % range of ``r`` is at most ``0.25 * level + 4
  r_inc`` (``SPREAD_RELATIVE_TOLERANCE``, ``SPREAD_NOISE_FACTOR``): ``4 r_inc = 3.5 / sqrt(N)`` covers the 5-95 % range of finite-size
  fluctuations (standard deviation up to ``~ 1 / sqrt(N)``), the relative part allows
  slow wandering of a quarter of the level. A quiet level needs no further test; one
  that fluctuates more is examined for drift and oscillation (below).

Levels from the data
--------------------
* **Two levels.** A two-component Gaussian mixture is fitted to the values of ``r``
  (expectation-maximisation, time-weighted). Its components are two levels only if they
  are separated, Ashman's ``D = |mu_2 - mu_1| / sqrt((s_1^2 + s_2^2) / 2) >=
  MIN_LEVEL_SEPARATION = 2`` (a mixture of two Gaussians is bimodal only above 2; a
  single skewed state, such as the Rayleigh-like law of an incoherent one, splits into
  components with ``D`` of 1.5-1.8), **and** the density of ``r`` has a maximum on each
  side of the midpoint of the means with a dip between them of at most ``MAX_DIP_RATIO
  = 0.8`` of the lower maximum (the excursions of one noisy state only fatten one tail:
  ratio 1; switching runs give 0.3-0.6). The density is a histogram (bins of
  ``DENSITY_BIN = 0.001``) smoothed with Silverman's width ``0.9 s n**(-1/5)`` for the
  narrower component's spread ``s`` and ``n`` *independent* samples, one per two
  relaxation times of ``r`` (correlated samples would make a too-narrow kernel and
  spurious modes).
* **Thresholds between the levels.** The Schmitt-trigger thresholds lie a quarter of
  the way from the dip to each maximum (``LEVEL_THRESHOLD_POSITION = 0.25``): close to
  the dip, so that a noisy high state whose ``r`` sags before it falls is still seen
  high, yet on the far side of the dip for each level, so that only the tails of one
  level reach the other's threshold - and those excursions are brief and merged (next
  point). For the case that motivated this (``N = 1000``, ``D = 0.3``, levels 0.19 and
  0.48, dip 0.36) they are 0.31 and 0.39, where the former fixed pair (0.084, 0.15) put
  the whole noisy low state "high". Thresholds given by the caller replace them.
* **Relaxation time** ``tau``: the lag at which the autocorrelation of ``r`` minus the
  mean of its current state first drops below ``1/e`` (at least one sample). Episodes
  shorter than ``MIN_DWELL_RELAXATION_TIMES = 5`` relaxation times (or
  ``min_dwell_samples`` samples, whichever is longer) are merged into the episode before
  them: a state that does not outlast five relaxation times is a fluctuation, not a
  state.
* **Reaching the level.** Every remaining episode must reach its level: a high
  episode's mean ``r`` must lie above the midpoint between the dip and the upper
  maximum, a low episode's below the midpoint between the lower maximum and the dip;
  others are bursts (or dips) of the neighbouring state and are joined to it. The
  bimodality test is repeated on the episodes (with their within-state spread); when it
  fails, or no episode of one state is left, all of them go to the state that holds
  most of the time and the run is judged as one level (the reason says so).

Switching
---------
A run cut into low and high episodes is bistable when it switches at least
``min_switches`` (2) times each way, and

* the jumps are quick: the time spent between the thresholds while crossing is at most
  ``MAX_TRANSIT_FRACTION = 10 %`` of the analysed time (an order parameter that glides up
  and down spends much longer in transit);
* the levels do not oscillate (the oscillation test below, on ``r`` minus the mean of
  its current state);
* the high level is synchronized: its mean is at least ``5 r_inc`` and its shape ratio
  (below) at most ``SYNCHRONIZED_SHAPE``. If the low level is synchronized too, the run
  switches between two synchronized states (in-phase and lagged, say): synchronized.

Fewer switches are "other" (unsettled: run longer).

One level: what its fluctuations look like
------------------------------------------
* **Shape ratio** ``<r^4> / <r^2>^2`` (time averages). If ``Z`` fluctuates as a complex
  Gaussian around a mean of modulus ``m`` with variance ``s^2`` per component, ``r``
  follows a Rice law and, with ``x = m^2 / (2 s^2)``, the ratio is ``(x^2 + 4x + 2) /
  (x + 1)^2``: 2 for ``m = 0`` (an incoherent state, however large its fluctuations, has
  a rotation-invariant ``Z``), 1 for a level without fluctuations. ``INCOHERENT_SHAPE =
  1.75`` (``x = 1``, ``m = 1.4 s``) and above: ``r`` fluctuates around zero,
  desynchronized. ``SYNCHRONIZED_SHAPE = 1.36`` (``x = 4``, ``m = 2.8 s``) and below,
  with a mean of at least ``5 r_inc``: a level clear of its fluctuations, synchronized.
  Between the two the level cannot be told from zero: "other" (this is where a network
  sits right at a continuous transition).
* **Drift.** A fluctuating level must last at least ``MIN_WINDOW_RELAXATION_TIMES = 20``
  relaxation times of ``r`` (its autocorrelation as above); otherwise ``r`` varies on the
  scale of the window (a drift, a slow transient) and the label is "other".
* **Oscillation: limit cycle or quasi-cycle.** A stable focus driven by finite-size or
  external noise makes ``r`` oscillate irregularly (a *quasi-cycle*); a limit cycle makes
  it oscillate with a steady amplitude. The share of the power of the fluctuations
  within ``PEAK_BAND = 20 %`` of their spectral peak (Welch periodogram, eight
  segments; the peak is the maximum of ``f S(f)`` so that a red background does not hide
  it) is computed; above ``MAX_PEAK_FRACTION = 0.35`` (noise around a level gives
  0.1-0.3, limit cycles 0.5-0.9) the amplitude ``A(t)`` of the band within
  ``ENVELOPE_BAND = 30 %`` of the peak (the modulus of its analytic signal) decides,
  with the same shape ratio and thresholds as a level: ``<A^4>/<A^2>^2 <= 1.36`` is a
  steady amplitude, a limit cycle: "other"; ``>= 1.75`` is Gaussian narrow-band noise,
  a quasi-cycle: the run is labelled by its level as if it did not oscillate (a single
  stable state with fluctuations is that state); between: "other" (a weak limit cycle
  drowned in finite-size noise looks like that; at ``K = (4.6, 1, 12, 0.3)`` this is
  ``N = 1000``, while from ``N = 2000`` the amplitude is steady).

Other constants: ``DEFAULT_TRANSIENT_FRACTION = 0.2`` of the recorded span is dropped
as transient unless the caller says otherwise; at least ``MIN_SAMPLES = 10`` samples
must remain; ``r`` may exceed 1 by ``R_TOLERANCE = 1e-6`` (rounding of float32
records) and is clipped.

The per-population order parameters ``r_E`` and ``r_I`` are classified by the same
rules with their own sizes ``N_E`` and ``N_I`` (reported as ``label_e``, ``label_i``);
the main label always comes from ``r`` over all ``N`` oscillators.

Layout: ``_levels`` (these numbers, the mixture, the density, the shape and oscillation
measures), ``_series`` (input checks and the analysed window), ``_episodes`` (episodes,
dwell times, relaxation time, separation of two levels), ``_single_run`` (the rules for
one run), ``_two_start`` (the protocol with two runs), ``_result``
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
    ENVELOPE_BAND,
    HIGH_THRESHOLD_FACTOR,
    HIGH_THRESHOLD_FLOOR,
    INCOHERENT_SHAPE,
    LEVEL_THRESHOLD_POSITION,
    LOW_THRESHOLD_FACTOR,
    LOW_THRESHOLD_FLOOR,
    MAX_DIP_RATIO,
    MAX_PEAK_FRACTION,
    MAX_TRANSIT_FRACTION,
    MIN_DWELL_RELAXATION_TIMES,
    MIN_LEVEL_SEPARATION,
    MIN_SAMPLES,
    MIN_STATE_FRACTION,
    MIN_WINDOW_RELAXATION_TIMES,
    PEAK_BAND,
    R_TOLERANCE,
    SPREAD_NOISE_FACTOR,
    SPREAD_RELATIVE_TOLERANCE,
    SYNCHRONIZED_SHAPE,
    hysteresis_thresholds,
    incoherent_level,
)
from ._result import Classification

__all__ = [
    "DEFAULT_TRANSIENT_FRACTION",
    "DENSITY_BIN",
    "ENVELOPE_BAND",
    "HIGH_THRESHOLD_FACTOR",
    "HIGH_THRESHOLD_FLOOR",
    "INCOHERENT_SHAPE",
    "LABELS",
    "LEVEL_THRESHOLD_POSITION",
    "LOW_THRESHOLD_FACTOR",
    "LOW_THRESHOLD_FLOOR",
    "MAX_DIP_RATIO",
    "MAX_PEAK_FRACTION",
    "MAX_TRANSIT_FRACTION",
    "MIN_DWELL_RELAXATION_TIMES",
    "MIN_LEVEL_SEPARATION",
    "MIN_SAMPLES",
    "MIN_STATE_FRACTION",
    "MIN_WINDOW_RELAXATION_TIMES",
    "PEAK_BAND",
    "R_TOLERANCE",
    "SPREAD_NOISE_FACTOR",
    "SPREAD_RELATIVE_TOLERANCE",
    "SYNCHRONIZED_SHAPE",
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
