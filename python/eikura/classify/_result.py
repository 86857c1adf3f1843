"""The result of the classifier: a label with the evidence behind it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._display import html_table
from ._levels import MIN_LEVEL_SEPARATION


def _frozen_array(values: ArrayLike) -> NDArray[np.float64]:
    array = np.array(values, dtype=np.float64)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class Classification:
    """A state label with the evidence behind it.

    Attributes
    ----------
    label : str
        One of ``"synchronized"``, ``"desynchronized"``, ``"bistable"``, ``"other"``.
    protocol : str
        ``"single"`` (one long run) or ``"two-start"`` (a run from incoherent and a
        run from synchronized initial phases).
    reason : str
        One sentence saying why this label was chosen.
    n : int
        Number of oscillators ``N`` behind ``r``.
    incoherent_level : float
        ``sqrt(pi / (4 N))``, the mean ``r`` of ``N`` incoherent oscillators.
    thresholds : tuple of float
        ``(low, high)`` thresholds on ``r``: those the run was cut at into low and high
        episodes (read from the data, or given by the caller) when it has two levels,
        else the size-scaled pair ``max(3 r_inc, 0.05)``, ``max(5 r_inc, 0.15)``.
    window : tuple of float
        ``(t_start, t_end)`` of the analysed part (after the transient). For two-start,
        the window of the run from incoherent phases.
    n_samples : int
        Number of analysed samples (summed over both runs for two-start).
    duration : float
        Analysed time (summed over both runs for two-start).
    mean_r, std_r : float
        Time-weighted mean and standard deviation of ``r`` in the window.
    low_level, high_level : float
        Mean ``r`` over the low and the high episodes; NaN if there are none.
    high_level_spread : float
        5-95 % range of ``r`` within the high episodes; NaN if there are none.
    fraction_low, fraction_high : float
        Fraction of the analysed time spent in the low / high state (the rest was
        spent between the thresholds before ``r`` first settled).
    fraction_transit : float
        Fraction of the time spent between the thresholds while switching.
    n_switches, n_switches_up, n_switches_down : int
        Number of switches between the levels (all, low to high, high to low).
    dwell_times_low, dwell_times_high : numpy.ndarray
        Durations (in time units) of the *complete* low / high episodes. The first
        and last episodes are cut by the observation window and are left out.
    mean_r_e, mean_r_i : float
        Mean per-population order parameters; NaN when not available.
    incoherent_level_e, incoherent_level_i : float
        ``sqrt(pi / (4 N_E))`` and ``sqrt(pi / (4 N_I))``; NaN when not available.
    relaxation_time : float
        Correlation time of ``r`` within its states (see :mod:`eikura.classify`); episodes
        shorter than 5 of them are merged away. For two-start, the larger of the runs'.
    dip_ratio : float
        Bimodality of the density of ``r``: the density at the dip between the two
        components of a two-Gaussian mixture over the lower of the two maxima (1 when
        there is no dip; switching runs give 0.3-0.6, a broad and rarely visited low
        state up to 0.9). Evidence only; NaN for two-start.
    level_separation : float
        Ashman's D between the values of ``r`` in the low and in the high episodes: at
        least 2 for two levels. NaN when the run was not cut into two kinds of episode
        (and for two-start).
    shape_ratio : float
        ``<r>^2 / <r^2>`` (time averages): ``pi/4 = 0.785`` for ``Z`` fluctuating around
        zero (Rayleigh), near 1 for a level clear of its fluctuations. Over the window when
        ``r`` holds one level, over the low episodes when it switches.
    peak_fraction : float
        Share of the power of the fluctuations of ``r`` (around its level, or around
        the level of its current state) within 20 % of their spectral peak: large for
        a limit cycle, small for noise.
    label_e, label_i : str or None
        The same classification applied to ``r_E`` (size ``N_E``) and ``r_I``
        (size ``N_I``); None when not available. Reported only, never used for
        ``label``.
    from_incoherent, from_synchronized : Classification or None
        For two-start: the classifications of the two runs.
    """

    label: str
    protocol: str
    reason: str
    n: int
    incoherent_level: float
    thresholds: tuple[float, float]
    window: tuple[float, float]
    n_samples: int
    duration: float
    mean_r: float
    std_r: float
    low_level: float
    high_level: float
    high_level_spread: float
    fraction_low: float
    fraction_high: float
    fraction_transit: float
    n_switches: int
    n_switches_up: int
    n_switches_down: int
    dwell_times_low: NDArray[np.float64] = field(repr=False)
    dwell_times_high: NDArray[np.float64] = field(repr=False)
    mean_r_e: float = math.nan
    mean_r_i: float = math.nan
    incoherent_level_e: float = math.nan
    incoherent_level_i: float = math.nan
    relaxation_time: float = math.nan
    dip_ratio: float = math.nan
    level_separation: float = math.nan
    shape_ratio: float = math.nan
    peak_fraction: float = math.nan
    label_e: str | None = None
    label_i: str | None = None
    from_incoherent: Classification | None = field(default=None, repr=False)
    from_synchronized: Classification | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "dwell_times_low", _frozen_array(self.dwell_times_low))
        object.__setattr__(self, "dwell_times_high", _frozen_array(self.dwell_times_high))

    def _repr_html_(self) -> str:
        lines = self.summary().splitlines()
        rows = [(f"evidence {k}" if k else "", line.strip()) for k, line in enumerate(lines[1:], 1)]
        return html_table(f"eikura.Classification: {lines[0]}", rows)

    def summary(self) -> str:
        """A few lines of plain text with the label and its evidence.

        Examples
        --------
        >>> import numpy as np
        >>> from eikura.classify import classify
        >>> t = np.arange(1000) * 0.1
        >>> print(classify(r=np.full(t.size, 0.6), t=t, n=1000).summary().splitlines()[0])
        synchronized (single run)
        """
        protocol = "single run" if self.protocol == "single" else "two-start protocol"
        low, high = self.thresholds
        lines = [
            f"{self.label} ({protocol})",
            f"  reason: {self.reason}",
            f"  N = {self.n}, incoherent level sqrt(pi/4N) = {self.incoherent_level:.4g}, "
            f"thresholds low/high = {low:.4g} / {high:.4g}",
            f"  analysed t = {self.window[0]:.6g} .. {self.window[1]:.6g} "
            f"({self.n_samples} samples), mean r = {self.mean_r:.4g} +- {self.std_r:.2g}",
            f"  low level = {self.low_level:.4g}, high level = {self.high_level:.4g}, "
            f"time high = {self.fraction_high:.1%}, time low = {self.fraction_low:.1%}",
            f"  switches = {self.n_switches} ({self.n_switches_up} up, "
            f"{self.n_switches_down} down), "
            f"dwell low {_describe_dwells(self.dwell_times_low)}, "
            f"dwell high {_describe_dwells(self.dwell_times_high)}",
            f"  relaxation time of r = {self.relaxation_time:.3g}, "
            f"levels apart = {self.level_separation:.3g} pooled sd (two levels if >= "
            f"{MIN_LEVEL_SEPARATION}), density dip ratio = {self.dip_ratio:.3g}",
            f"  fluctuations: <r>^2/<r^2> = {self.shape_ratio:.3g} (pi/4: around zero, 1: "
            f"a clear level), spectral peak share = {self.peak_fraction:.3g}",
        ]
        if self.label_e is not None or self.label_i is not None:
            lines.append(
                f"  populations: E mean r = {self.mean_r_e:.4g} "
                f"(incoherent {self.incoherent_level_e:.3g}) -> {self.label_e}; "
                f"I mean r = {self.mean_r_i:.4g} "
                f"(incoherent {self.incoherent_level_i:.3g}) -> {self.label_i}"
            )
        for name, part in (
            ("from incoherent phases", self.from_incoherent),
            ("from synchronized phases", self.from_synchronized),
        ):
            if part is not None:
                lines.append(f"  run {name}:")
                lines.extend("    " + line for line in part.summary().splitlines())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """Plain Python values (lists for arrays, dicts for the two runs).

        Examples
        --------
        >>> import numpy as np
        >>> from eikura.classify import classify
        >>> t = np.arange(1000) * 0.1
        >>> classify(r=np.full(t.size, 0.6), t=t, n=1000).to_dict()["label"]
        'synchronized'
        """
        result: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, Classification):
                value = value.to_dict()
            elif isinstance(value, np.ndarray):
                value = value.tolist()
            elif isinstance(value, tuple):
                value = list(value)
            result[name] = value
        return result


def _describe_dwells(dwell_times: NDArray[np.float64]) -> str:
    if dwell_times.size == 0:
        return "(none complete)"
    return f"n = {dwell_times.size}, mean = {dwell_times.mean():.4g}"
