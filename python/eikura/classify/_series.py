"""The classifier's input: checks at the boundary, the series of a run or of arrays,
the analysed window after the transient, and the options."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validation import check_int, check_series
from ._levels import DEFAULT_TRANSIENT_FRACTION, MIN_SAMPLES, R_TOLERANCE


def _check_size(name: str, value: Any, minimum: int = 1) -> int:
    return check_int(name, value, minimum=minimum)


def _check_order_parameter(name: str, values: Any, length: int | None) -> NDArray[np.float64]:
    r = check_series(name, values, length)
    if r.size and (r.min() < 0.0 or r.max() > 1.0 + R_TOLERANCE):
        raise ValueError(
            f"{name}: an order parameter |Z| lies in [0, 1], got values in "
            f"[{r.min():.6g}, {r.max():.6g}]"
        )
    return np.clip(r, 0.0, 1.0)


def _check_times(values: Any) -> NDArray[np.float64]:
    t = check_series("t", values)
    if t.size > 1 and not np.all(np.diff(t) > 0):
        raise ValueError("t: record times must be strictly increasing")
    return t


@dataclass(frozen=True)
class Series:
    """Validated input: record times, order parameters and population sizes."""

    t: NDArray[np.float64]
    r: NDArray[np.float64]
    n: int
    r_e: NDArray[np.float64] | None
    r_i: NDArray[np.float64] | None
    n_e: int | None
    n_i: int | None

    def window(self, keep: NDArray[np.bool_]) -> Series:
        return Series(
            t=self.t[keep],
            r=self.r[keep],
            n=self.n,
            r_e=None if self.r_e is None else self.r_e[keep],
            r_i=None if self.r_i is None else self.r_i[keep],
            n_e=self.n_e,
            n_i=self.n_i,
        )


def series_from_arrays(
    r: Any,
    t: Any,
    n: Any,
    r_e: Any = None,
    r_i: Any = None,
    n_e: Any = None,
    n_i: Any = None,
) -> Series:
    """The series of raw arrays (see :func:`eikura.classify.classify`)."""
    if r is None:
        raise TypeError("r: required (pass a run, or r=..., t=..., n=...)")
    r_array = _check_order_parameter("r", r, None)
    if t is None:
        t_array = np.arange(r_array.size, dtype=np.float64)
    else:
        t_array = _check_times(t)
        if t_array.size != r_array.size:
            raise ValueError(f"r: expected length {t_array.size} (same as t), got {r_array.size}")
    if n is None:
        if n_e is None or n_i is None:
            raise TypeError("n: required (the number of oscillators behind r)")
        n = _check_size("n_e", n_e, minimum=0) + _check_size("n_i", n_i, minimum=0)
    size = _check_size("n", n)
    population_e = _population("r_e", r_e, "n_e", n_e, t_array.size)
    population_i = _population("r_i", r_i, "n_i", n_i, t_array.size)
    return Series(
        t=t_array,
        r=r_array,
        n=size,
        r_e=population_e[0],
        r_i=population_i[0],
        n_e=population_e[1],
        n_i=population_i[1],
    )


def _population(
    name: str, values: Any, size_name: str, size: Any, length: int
) -> tuple[NDArray[np.float64] | None, int | None]:
    """One population's order parameter; skipped when absent or the population is empty."""
    if size is None:
        return None, None
    population_size = _check_size(size_name, size, minimum=0)
    if values is None or population_size == 0:
        return None, population_size
    return _check_order_parameter(name, values, length), population_size


def series_from_run(run: Any, name: str = "run") -> Series:
    """The series of a run result (attributes ``t``, ``r``, ``n_e``, ``n_i``, optionally
    ``r_e``, ``r_i``); ``name`` starts the error messages."""
    missing = [attribute for attribute in ("t", "r", "n_e", "n_i") if not hasattr(run, attribute)]
    if missing:
        raise TypeError(
            f"{name}: expected a run result with attributes t, r, n_e, n_i "
            f"(missing {', '.join(missing)}); for raw arrays use classify(r=..., t=..., n=...)"
        )
    n_e = _check_size(f"{name}.n_e", run.n_e, minimum=0)
    n_i = _check_size(f"{name}.n_i", run.n_i, minimum=0)
    if n_e + n_i <= 0:
        raise ValueError(f"{name}: n_e + n_i must be > 0, got {n_e} + {n_i}")
    return series_from_arrays(
        r=run.r,
        t=run.t,
        n=n_e + n_i,
        r_e=getattr(run, "r_e", None),
        r_i=getattr(run, "r_i", None),
        n_e=n_e,
        n_i=n_i,
    )


def drop_transient(series: Series, transient: Any) -> Series:
    """Keep the samples with ``t >= t[0] + transient`` (default: 20 % of the span)."""
    if series.t.size == 0:
        raise ValueError("r: empty series")
    span = float(series.t[-1] - series.t[0])
    if transient is None:
        transient = DEFAULT_TRANSIENT_FRACTION * span
    else:
        if isinstance(transient, (bool, np.bool_)) or not isinstance(transient, numbers.Real):
            raise TypeError(
                f"transient: expected a time (a real number), got {type(transient).__name__}"
            )
        transient = float(transient)
        if not math.isfinite(transient) or transient < 0:
            raise ValueError(f"transient: must be a finite time >= 0, got {transient}")
    kept = series.window(series.t >= series.t[0] + transient)
    if kept.t.size < MIN_SAMPLES:
        raise ValueError(
            f"transient: only {kept.t.size} samples remain after dropping "
            f"t < {series.t[0] + transient:.6g}; need at least {MIN_SAMPLES} "
            f"(record longer or use a shorter transient)"
        )
    return kept


def check_options(
    thresholds: Any, min_dwell_samples: Any, min_switches: Any
) -> tuple[tuple[float, float] | None, int, int]:
    """Checked ``(thresholds, min_dwell_samples, min_switches)``."""
    min_dwell_samples = _check_size("min_dwell_samples", min_dwell_samples)
    min_switches = _check_size("min_switches", min_switches)
    if thresholds is None:
        return None, min_dwell_samples, min_switches
    pair = check_series("thresholds", thresholds)
    if pair.size != 2 or not 0.0 <= pair[0] < pair[1] <= 1.0:
        raise ValueError(
            f"thresholds: expected (low, high) with 0 <= low < high <= 1, got {thresholds}"
        )
    return (float(pair[0]), float(pair[1])), min_dwell_samples, min_switches
