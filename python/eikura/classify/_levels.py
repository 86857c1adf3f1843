"""The numbers of the classifier: the incoherent level of ``N`` oscillators, the
hysteresis thresholds on ``r`` and the constants of the decision rules.

The docstring of :mod:`eikura.classify` justifies every one of them.
"""

from __future__ import annotations

import math

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
MAX_LOW_EXCURSION_FRACTION = 0.05  # time above the high threshold inside a low state
DEFAULT_TRANSIENT_FRACTION = 0.2
MIN_SAMPLES = 10
MIN_DWELL_RELAXATION_TIMES = 5.0  # shortest state, in relaxation times of r
MAX_DIP_RATIO = 0.8  # density dip between the levels / lower peak, for bimodality
DENSITY_BIN = 0.001  # histogram bin on r in [0, 1] for the bimodality check
R_TOLERANCE = 1e-6  # |Z| <= 1 up to rounding (float32 records)


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
    """The (low, high) thresholds on ``r`` for a network of ``n`` oscillators.

    ``low = max(3 r_inc, 0.05)`` and ``high = max(5 r_inc, 0.15)`` with
    ``r_inc = sqrt(pi / (4 n))``; the docstring of :mod:`eikura.classify` says why.

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
