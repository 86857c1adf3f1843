"""Classify a simulation as synchronized, desynchronized, bistable or other.

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
  2.66 / sqrt(N)`` with probability ``exp(-7.07) ~ 1e-3``. With the high threshold it
  makes a Schmitt trigger (low after falling below the low threshold, high after rising
  above the high one); a run low at least ``MIN_STATE_FRACTION = 90 %`` of the time
  stays low: desynchronized, unless it holds a steady level (below), whatever the shape
  of a few samples says (a short run of a small network). The floor
  ``0.05`` keeps very large networks from calling a run "not low" for an ``r`` of a few
  percent. ``3 r_inc`` itself (without the floor) is the smallest mean ``r`` called
  synchronized: below it a level cannot be told from where incoherent noise sits,
  however steady it looks. Above it the shape test decides: at ``N = 40`` a
  synchronized state at ``r = 0.59`` is only 4.2 incoherent levels high, yet its ``r``
  never comes near zero.
* ``high threshold = max(5 r_inc, 0.15)`` (``HIGH_THRESHOLD_FACTOR``,
  ``HIGH_THRESHOLD_FLOOR``; reported with the low one as ``thresholds``
  of a run that holds one level). ``5 r_inc = 4.43 / sqrt(N)`` is exceeded by an
  incoherent sample with probability ``exp(-19.6) ~ 3e-9``. The floor ``0.15`` belonged
  to the former fixed-threshold rule; the shape test below now tells weak order from
  fluctuations, so a steady ``r = 0.1`` at ``N = 20 000`` is synchronized.
* A level is *quiet* when the 5-95 % range of ``r`` is at most ``0.25 * level + 4
  r_inc`` (``SPREAD_RELATIVE_TOLERANCE``, ``SPREAD_NOISE_FACTOR``): ``4 r_inc = 3.5 /
  sqrt(N)`` covers the 5-95 % range of finite-size
  fluctuations (standard deviation up to ``~ 1 / sqrt(N)``), the relative part allows
  slow wandering of a quarter of the level. A quiet level needs no further test; one
  that fluctuates more is examined for drift and oscillation (below).

Levels from the data
--------------------
* **Two candidate levels.** A two-component Gaussian mixture is fitted to the values of
  ``r`` (expectation-maximisation on their time-weighted histogram, bins of
  ``DENSITY_BIN = 0.001``, started from the percentile pairs ``MIXTURE_STARTS`` so that a
  level visited only a few percent of the time is found too, the most likely fit kept).
  Its components are candidates for two levels if they are at least somewhat separated,
  Ashman's ``D = |mu_2 - mu_1| / sqrt((s_1^2 + s_2^2) / 2) >= MIN_MIXTURE_SEPARATION =
  1.5``: the Rayleigh-like law of one noisy incoherent state splits into components with
  ``D`` of 1.5-1.8, a broad and rarely visited low state beside a narrow high one gives
  1.9-2, clean switching 2.6-4.5. The candidates are only a hypothesis: the episodes they
  cut the run into decide (below).
* **Thresholds between them.** The Schmitt trigger turns high where the mixture gives
  the upper component ``LEVEL_POSTERIOR = 90 %`` of the posterior probability and low
  where it gives the lower one 90 %: a sample beyond a threshold belongs to that level
  with odds of at least 9 to 1, and the band between absorbs the overlap of the two
  laws, however unequal their widths and weights. For the case that motivated this
  (``N = 1000``, ``D = 0.3``, levels 0.19 and 0.48) they are 0.32 and 0.40, where the
  former fixed pair (0.084, 0.15) put the whole noisy low state "high". Thresholds
  given by the caller replace them.
* **Relaxation time** ``tau``: the lag at which the autocorrelation of ``r`` minus the
  mean of its current state first drops below ``1/e`` (at least one sample). Episodes
  shorter than ``MIN_DWELL_RELAXATION_TIMES = 5`` relaxation times (or
  ``min_dwell_samples`` samples, whichever is longer) are merged into the episode before
  them: a state that does not outlast five relaxation times is a fluctuation, not a
  state.
* **Two levels, from the episodes.** The values of ``r`` inside the low episodes and
  inside the high episodes must be separated, Ashman's ``D >= MIN_LEVEL_SEPARATION = 2``
  (two Gaussians can make a bimodal law only above 2).
  This reads the time course as well as the distribution: a single noisy state cut at
  two thresholds gives episodes whose values overlap (``D`` of 0.4-1.0), switching
  gives 2.5-4.5 even when the low state is broad and rarely visited and the density of
  ``r`` shows no dip (``N = 500``, ``D = 0.3``). Every episode must also reach its level:
  a high episode's mean ``r`` must lie above the midpoint between the middle of the two
  levels and the high level, a low episode's below the midpoint between the low level
  and the middle; others are bursts (or dips) of the neighbouring state and are joined
  to it. When the separation test fails, or no episode of one state is left,
  all of them go to the state that holds most of the time and the run is judged as one
  level (the reason says so).
* The density of ``r`` is reported as evidence: a histogram smoothed with Silverman's
  width ``0.9 s n**(-1/5)`` for the narrower component's spread ``s`` and ``n``
  *independent* samples (one per two relaxation times), and ``dip_ratio``, its minimum
  between the two maxima over the lower maximum (``MAX_DIP_RATIO = 0.8`` or less marks
  two clear modes).

Switching
---------
A run cut into low and high episodes is bistable when it switches at least
``min_switches`` (2) times each way, and

* the jumps are quick: the time spent between the thresholds while crossing is at most
  ``MAX_TRANSIT_FRACTION = 10 %`` of the analysed time (an order parameter that glides up
  and down spends much longer in transit);
* the levels do not oscillate (the oscillation test below, on ``r`` minus the mean of
  its current state);
* the high level is synchronized: its mean is at least ``3 r_inc`` and its shape ratio
  (below) at least ``SYNCHRONIZED_SHAPE``. If the low level is synchronized too, the run
  switches between two synchronized states (in-phase and lagged, say): synchronized.

Fewer switches are "other" (unsettled: run longer), unless both levels are synchronized
(mean at least ``3 r_inc``, shape ratio at least ``SYNCHRONIZED_SHAPE``), within
``SETTLING_DRIFT = 5 %`` of each other, and ``r`` does not oscillate: then the run never
left synchronization and the "levels" are a synchronized state still settling (at
N = 2000 a drift of r from 0.797 to 0.806 is two clearly separated levels for the
mixture): synchronized. A single jump between distant levels, even two synchronized
ones, stays "other".

One level: what its fluctuations look like
------------------------------------------
* **Shape ratio** ``<r>^2 / <r^2>`` (time averages). If ``Z`` fluctuates as a complex
  Gaussian around a mean of modulus ``m`` with variance ``s^2`` per component, ``r``
  follows a Rice law; with ``x = m^2 / (2 s^2)``, ``<r^2> = 2 s^2 (1 + x)`` and ``<r> = s
  sqrt(pi/2) L(x)``, ``L(x) = exp(-x/2) [(1 + x) I_0(x/2) + x I_1(x/2)]``. The ratio is
  ``pi/4 = 0.785`` for ``m = 0`` (an incoherent state, however large its fluctuations,
  has a rotation-invariant ``Z``: a Rayleigh law) and tends to 1 for a level without
  fluctuations. ``INCOHERENT_SHAPE = 0.822`` (``x = 1``, ``m = 1.4 s``) and below: ``r``
  fluctuates around zero, desynchronized. ``SYNCHRONIZED_SHAPE = 0.907`` (``x = 4``,
  ``m = 2.8 s``) and above, with a mean of at least ``3 r_inc``: a level clear of its
  fluctuations, synchronized. Between the two the level cannot be told from zero:
  "other" (this is where a network sits right at a continuous transition). This
  ratio of first and second moments is used rather than ``<r^4>/<r^2>^2`` because it
  is four times less noisy: with 25 independent samples a Rayleigh law reaches 0.907
  with probability below 0.5 %, a Rice law with ``x = 4`` falls to 0.822 with
  probability below 0.1 %.
* **Order of the rules.** A quiet level clear of its fluctuations is synchronized. A run
  that stays low in the sense of the size-scaled thresholds (low at least 90 % of the
  time: below the low threshold and not above the high one since) and holds no steady
  level is desynchronized, however short. Otherwise a fluctuating level is checked for
  length and oscillation, then named by its shape ratio.
* **Drift and length.** A fluctuating level must last at least
  ``MIN_WINDOW_RELAXATION_TIMES = 40`` relaxation times of ``r`` (its autocorrelation as
  above), i.e. 20 independent samples: with fewer, a Rayleigh law reaches the
  synchronized shape ratio more than 1 % of the time (6 % with 10 samples). Otherwise
  ``r`` varies on the scale of the window (a drift, a slow transient) or the run is too
  short to tell its level, and the label is "other".
* **Oscillation: limit cycle or quasi-cycle.** A stable focus driven by finite-size or
  external noise makes ``r`` oscillate irregularly (a *quasi-cycle*); a limit cycle makes
  it oscillate with a steady amplitude. The share of the power of the fluctuations
  within ``PEAK_BAND = 20 %`` of their spectral peak (Welch periodogram, eight
  segments; the peak is the maximum of ``f S(f)`` so that a red background does not hide
  it) is computed; above ``MAX_PEAK_FRACTION = 0.35`` (noise around a level gives
  0.1-0.3, limit cycles 0.5-0.9) the amplitude ``A(t)`` of the band within
  ``ENVELOPE_BAND = 30 %`` of the peak (the modulus of its analytic signal) decides,
  with the same shape ratio and thresholds as a level: ``<A>^2/<A^2> >= 0.907`` is a
  steady amplitude, a limit cycle: "other"; ``<= 0.822`` is Gaussian narrow-band noise,
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
    LEVEL_POSTERIOR,
    LOW_THRESHOLD_FACTOR,
    LOW_THRESHOLD_FLOOR,
    MAX_DIP_RATIO,
    MAX_PEAK_FRACTION,
    MAX_TRANSIT_FRACTION,
    MIN_DWELL_RELAXATION_TIMES,
    MIN_LEVEL_SEPARATION,
    MIN_MIXTURE_SEPARATION,
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
    "LEVEL_POSTERIOR",
    "LOW_THRESHOLD_FACTOR",
    "LOW_THRESHOLD_FLOOR",
    "MAX_DIP_RATIO",
    "MAX_PEAK_FRACTION",
    "MAX_TRANSIT_FRACTION",
    "MIN_DWELL_RELAXATION_TIMES",
    "MIN_LEVEL_SEPARATION",
    "MIN_MIXTURE_SEPARATION",
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
