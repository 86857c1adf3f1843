"""The levels of ``r``: the incoherent level of ``N`` oscillators and the size-scaled
thresholds, the levels the data itself has (a two-component mixture and the density of
``r``), and the two measures of what the fluctuations around a level look like (their
shape and their spectral peak).

The docstring of :mod:`eikura.classify` justifies every number defined here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.signal import hilbert, welch

from .._validation import check_int

# Threshold constants; the docstring of eikura.classify explains each number.
LOW_THRESHOLD_FACTOR = 3.0
LOW_THRESHOLD_FLOOR = 0.05
HIGH_THRESHOLD_FACTOR = 5.0
HIGH_THRESHOLD_FLOOR = 0.15
SPREAD_RELATIVE_TOLERANCE = 0.25
SPREAD_NOISE_FACTOR = 4.0
MAX_TRANSIT_FRACTION = 0.10
MIN_STATE_FRACTION = 0.90  # time in the one state for a plain "synchronized"/"desynchronized"
DEFAULT_TRANSIENT_FRACTION = 0.2
MIN_SAMPLES = 10
MIN_DWELL_RELAXATION_TIMES = 5.0  # shortest state, in relaxation times of r
MAX_DIP_RATIO = 0.8  # density dip between the levels / lower peak, for bimodality
MIN_LEVEL_SEPARATION = 2.0  # Ashman's D of the low and the high episodes, for two levels
MIN_MIXTURE_SEPARATION = 1.5  # Ashman's D of the mixture components, for two candidates
LEVEL_POSTERIOR = 0.9  # mixture posterior at which the Schmitt trigger turns
DENSITY_BIN = 0.001  # histogram bin on r in [0, 1] for the bimodality check
R_TOLERANCE = 1e-6  # |Z| <= 1 up to rounding (float32 records)
INCOHERENT_SHAPE = 0.822  # <r>^2/<r^2> at or below: r fluctuates around zero
SYNCHRONIZED_SHAPE = 0.907  # <r>^2/<r^2> at or above: a level clear of its fluctuations
MAX_PEAK_FRACTION = 0.35  # share of the fluctuation power in one spectral peak
MIN_WINDOW_RELAXATION_TIMES = 40.0  # a fluctuating level must hold this many relaxation times
PEAK_BAND = 0.2  # relative half-width of the spectral band around the peak
ENVELOPE_BAND = 0.3  # relative half-width of the band whose amplitude is measured
MIXTURE_ITERATIONS = 500
MIXTURE_TOLERANCE = 1e-10
MIXTURE_STARTS = ((0.2, 0.8), (0.05, 0.6), (0.4, 0.95))  # percentile pairs that start EM


def incoherent_level(n: int) -> float:
    """Mean order parameter of ``n`` independent uniformly distributed phases.

    Parameters
    ----------
    n : int
        Number of oscillators, ``> 0``.

    Returns
    -------
    float
        ``sqrt(pi / (4 n))``, the mean of a Rayleigh distribution with variance
        parameter ``1 / (2 n)``.

    Examples
    --------
    >>> from eikura.classify import incoherent_level
    >>> round(incoherent_level(1000), 4)
    0.028
    """
    n = check_int("n", n, minimum=1)
    return math.sqrt(math.pi / (4.0 * n))


def hysteresis_thresholds(n: int) -> tuple[float, float]:
    """The size-scaled (low, high) thresholds on ``r`` for a network of ``n`` oscillators.

    ``low = max(3 r_inc, 0.05)`` and ``high = max(5 r_inc, 0.15)`` with
    ``r_inc = sqrt(pi / (4 n))``: where an ideal incoherent state of ``n`` oscillators
    ends. The classifier uses them for a quiet state; levels found in the data (noisy
    states, switching) get their own thresholds. The docstring of
    :mod:`eikura.classify` says why.

    Parameters
    ----------
    n : int
        Number of oscillators, ``> 0``.

    Returns
    -------
    tuple of float
        ``(low, high)``; always ``low < high``.

    Examples
    --------
    >>> from eikura.classify import hysteresis_thresholds
    >>> [round(x, 3) for x in hysteresis_thresholds(100)]
    [0.266, 0.443]
    >>> hysteresis_thresholds(100_000)
    (0.05, 0.15)
    """
    level = incoherent_level(n)
    low = max(LOW_THRESHOLD_FACTOR * level, LOW_THRESHOLD_FLOOR)
    high = max(HIGH_THRESHOLD_FACTOR * level, HIGH_THRESHOLD_FLOOR)
    return low, high


def weighted_mean(values: NDArray[np.float64], weights: NDArray[np.float64]) -> float:
    """Weighted mean; NaN for no values or no weight."""
    total = weights.sum()
    return float(np.dot(values, weights) / total) if values.size and total > 0 else math.nan


@dataclass(frozen=True)
class Mixture:
    """Two Gaussian components fitted to the values of ``r`` (lower one first)."""

    weights: tuple[float, float]
    means: tuple[float, float]
    sds: tuple[float, float]

    @property
    def separation(self) -> float:
        """Ashman's D: the distance of the means in units of the pooled spread."""
        pooled = math.sqrt(0.5 * (self.sds[0] ** 2 + self.sds[1] ** 2))
        return abs(self.means[1] - self.means[0]) / pooled if pooled > 0 else math.inf


def _expectation_maximisation(
    values: NDArray[np.float64], mass: NDArray[np.float64], start: tuple[float, float]
) -> tuple[float, Mixture]:
    """One EM fit of two Gaussians to weighted ``values`` from the two ``start`` means;
    returns the log-likelihood per unit mass and the mixture (lower component first)."""
    means = np.array(start, dtype=np.float64)
    spread = max(math.sqrt(weighted_mean((values - weighted_mean(values, mass)) ** 2, mass)),
                 DENSITY_BIN)
    sds = np.full(2, 0.5 * spread)
    shares = np.full(2, 0.5)
    floor = 0.1 * DENSITY_BIN
    likelihood = previous = -math.inf
    for _ in range(MIXTURE_ITERATIONS):
        log_density = np.log(shares) - np.log(sds) - 0.5 * ((values[:, None] - means) / sds) ** 2
        top = log_density.max(axis=1, keepdims=True)
        joint = np.exp(log_density - top)
        total = joint.sum(axis=1, keepdims=True)
        likelihood = float(np.dot(mass, np.log(total[:, 0]) + top[:, 0]))
        responsibility = joint / total * mass[:, None]
        shares = np.maximum(responsibility.sum(axis=0), 1e-12)
        means = (responsibility * values[:, None]).sum(axis=0) / shares
        variance = (responsibility * (values[:, None] - means) ** 2).sum(axis=0) / shares
        sds = np.maximum(np.sqrt(variance), floor)
        if likelihood - previous < MIXTURE_TOLERANCE:
            break
        previous = likelihood
    lower, upper = (0, 1) if means[0] <= means[1] else (1, 0)
    return likelihood, Mixture(
        weights=(float(shares[lower]), float(shares[upper])),
        means=(float(means[lower]), float(means[upper])),
        sds=(float(sds[lower]), float(sds[upper])),
    )


def two_component_mixture(r: NDArray[np.float64], weights: NDArray[np.float64]) -> Mixture:
    """Maximum-likelihood mixture of two Gaussians by expectation-maximisation.

    Fitted to the time-weighted histogram of ``r`` (bins of ``DENSITY_BIN``, far below
    any spread that matters), so that the cost does not grow with the length of the run.
    EM finds a local maximum only: it is started from the pairs of percentiles in
    ``MIXTURE_STARTS`` (the central pair for balanced levels, the outer ones for a level
    visited a few percent of the time) and the most likely fit is kept. Each standard
    deviation is kept above a tenth of a bin so that a constant series does not divide
    by zero.
    """
    edges = np.linspace(0.0, 1.0, int(round(1.0 / DENSITY_BIN)) + 1)
    counts, _ = np.histogram(r, edges, weights=weights)
    occupied = counts > 0
    values = 0.5 * (edges[1:] + edges[:-1])[occupied]
    mass = counts[occupied] / counts.sum()
    cumulative = np.cumsum(mass)

    def percentile(q: float) -> float:
        return float(values[min(int(np.searchsorted(cumulative, q)), values.size - 1)])

    fits = [
        _expectation_maximisation(values, mass, (percentile(low), percentile(high)))
        for low, high in MIXTURE_STARTS
    ]
    return max(fits, key=lambda fit: fit[0])[1]


@dataclass(frozen=True)
class Modes:
    """The two density maxima of ``r`` and the dip between them."""

    ratio: float  # density at the dip / the lower maximum (1: no dip)
    low: float  # r at the lower maximum
    dip: float  # r at the dip
    high: float  # r at the upper maximum


def smoothed_density(
    r: NDArray[np.float64], weights: NDArray[np.float64], width: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Histogram of ``r`` on ``[0, 1]`` smoothed by a Gaussian of ``width`` (>= 2 bins)."""
    edges = np.linspace(0.0, 1.0, int(round(1.0 / DENSITY_BIN)) + 1)
    centres = 0.5 * (edges[1:] + edges[:-1])
    histogram, _ = np.histogram(r, edges, weights=weights)
    width = max(width, 2.0 * DENSITY_BIN)
    half = int(math.ceil(4.0 * width / DENSITY_BIN))
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) * DENSITY_BIN / width) ** 2)
    return centres, np.convolve(histogram, kernel / kernel.sum(), mode="same")


def density_modes(
    r: NDArray[np.float64],
    weights: NDArray[np.float64],
    width: float,
    low_level: float,
    high_level: float,
) -> Modes:
    """The highest density maximum on each side of the midpoint of two levels, and the dip.

    The density is :func:`smoothed_density` with the given kernel ``width``.
    """
    centres, density = smoothed_density(r, weights, width)
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


def kernel_width(spread: float, independent_samples: float) -> float:
    """Silverman's rule ``0.9 sigma n**(-1/5)`` for the within-level spread ``sigma``."""
    return float(0.9 * spread * max(independent_samples, 1.0) ** (-0.2))


@dataclass(frozen=True)
class DataLevels:
    """Two levels read from the values of ``r``, or the reason there are not two."""

    two_levels: bool
    mixture: Mixture
    modes: Modes
    thresholds: tuple[float, float]  # Schmitt-trigger pair between the two levels


def posterior_thresholds(mixture: Mixture) -> tuple[float, float] | None:
    """Where the mixture gives the upper component ``1 - LEVEL_POSTERIOR`` and
    ``LEVEL_POSTERIOR`` of the posterior probability, between the two means; ``None``
    if the components overlap too much for both points to exist there."""
    grid = np.linspace(mixture.means[0], mixture.means[1], 2001)
    log_weighted = [
        math.log(weight) - math.log(sd) - 0.5 * ((grid - mean) / sd) ** 2
        for weight, mean, sd in zip(mixture.weights, mixture.means, mixture.sds, strict=True)
    ]
    upper = 1.0 / (1.0 + np.exp(np.clip(log_weighted[0] - log_weighted[1], -700.0, 700.0)))
    low_side = np.flatnonzero(upper >= 1.0 - LEVEL_POSTERIOR)
    high_side = np.flatnonzero(upper >= LEVEL_POSTERIOR)
    if low_side.size == 0 or high_side.size == 0 or high_side[0] <= low_side[0]:
        return None
    return float(grid[low_side[0]]), float(grid[high_side[0]])


def data_levels(
    r: NDArray[np.float64], weights: NDArray[np.float64], independent_samples: float
) -> DataLevels:
    """Two candidate levels where a mixture of two Gaussians finds them (eikura.classify).

    The components are candidates when they are separated (Ashman's D at least
    ``MIN_LEVEL_SEPARATION``) and :func:`posterior_thresholds` exist; the episodes they
    cut the run into decide later whether they are two levels. The density of ``r``
    (smoothed with Silverman's width for the narrower component and
    ``independent_samples``) and its dip are kept as evidence.
    """
    mixture = two_component_mixture(r, weights)
    width = kernel_width(min(mixture.sds), independent_samples)
    modes = density_modes(r, weights, width, *mixture.means)
    thresholds = posterior_thresholds(mixture) if min(mixture.weights) > 0.0 else None
    if mixture.separation < MIN_MIXTURE_SEPARATION or thresholds is None:
        return DataLevels(False, mixture, modes, (math.nan, math.nan))
    return DataLevels(True, mixture, modes, thresholds)


def separation(
    values: tuple[NDArray[np.float64], NDArray[np.float64]],
    weights: tuple[NDArray[np.float64], NDArray[np.float64]],
) -> float:
    """Ashman's D between two sets of values (time-weighted means and spreads)."""
    means = [weighted_mean(v, w) for v, w in zip(values, weights, strict=True)]
    variances = [weighted_mean((v - m) ** 2, w) for v, w, m in zip(values, weights, means, strict=True)]
    pooled = math.sqrt(0.5 * (variances[0] + variances[1]))
    return abs(means[1] - means[0]) / pooled if pooled > 0 else math.inf


def shape_ratio(r: NDArray[np.float64], weights: NDArray[np.float64]) -> float:
    """``<r>^2 / <r^2>``: ``pi/4`` when ``Z`` fluctuates around zero (a Rayleigh law), 1
    for a level without fluctuations (see eikura.classify); NaN for ``r = 0`` throughout."""
    second = weighted_mean(r**2, weights)
    return weighted_mean(r, weights) ** 2 / second if second > 0 else math.nan


@dataclass(frozen=True)
class Oscillation:
    """The spectral peak of the fluctuations of ``r`` and the steadiness of its amplitude."""

    peak_fraction: float  # share of the power within PEAK_BAND of the peak
    frequency: float  # angular frequency of the peak (NaN: none)
    amplitude_shape: float  # <A>^2/<A^2> of the amplitude A(t) of the band around the peak


def oscillation_of(t: NDArray[np.float64], residual: NDArray[np.float64]) -> Oscillation:
    """The spectral peak of ``residual`` and the shape of its amplitude (eikura.classify).

    Welch's periodogram with eight segments (at least 64 samples each); the peak is the
    maximum of ``f S(f)`` (the power per octave, so that a red background does not hide
    a peak). The amplitude ``A(t)`` is the modulus of the analytic signal of
    ``residual`` filtered to ``ENVELOPE_BAND`` around the peak (its first and last
    twentieth, where the filter wraps around, left out). A series shorter than 128
    samples or without fluctuations has no peak: ``Oscillation(0, nan, nan)``.
    """
    size = residual.size
    if size < 128 or not np.any(residual != residual[0]):
        return Oscillation(0.0, math.nan, math.nan)
    step = float(np.median(np.diff(t)))
    frequencies, power = welch(residual, fs=1.0 / step, nperseg=max(64, size // 8))
    frequencies, power = frequencies[1:], power[1:]
    total = power.sum()
    if total <= 0.0:
        return Oscillation(0.0, math.nan, math.nan)
    peak = float(frequencies[int(np.argmax(power * frequencies))])
    band = (frequencies >= (1.0 - PEAK_BAND) * peak) & (frequencies <= (1.0 + PEAK_BAND) * peak)
    spectrum = np.fft.rfft(residual - residual.mean())
    fourier_frequencies = np.fft.rfftfreq(size, step)
    outside = np.abs(fourier_frequencies - peak) > ENVELOPE_BAND * peak
    spectrum[outside] = 0.0
    amplitude = np.abs(hilbert(np.fft.irfft(spectrum, size)))[size // 20 : size - size // 20]
    second = float(np.mean(amplitude**2))
    shape = float(np.mean(amplitude)) ** 2 / second if second > 0.0 else math.nan
    return Oscillation(float(power[band].sum() / total), 2.0 * math.pi * peak, shape)
