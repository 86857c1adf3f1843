"""Spontaneous switching in the bistable region against network size."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._engine import usable_cores
from .._validation import check_nonnegative, check_positive, check_seed, check_threads
from ..classify import classify
from ..simulation import simulate
from ._common import (
    DEFAULT_COUPLINGS,
    ExperimentResult,
    check_couplings,
    check_size,
    check_transient,
    dataset_attrs,
    experiment_model,
    finish,
    mean_or_nan,
    output_folder,
    parallel_map,
    pyplot,
)

__all__ = ["switching_rate"]

_RECORD_EVERY = 5

def switching_rate(
    sizes: Sequence[int] = (60, 80, 100, 120),
    k_ee: float | Sequence[float] = 4.24,
    *,
    k_ei: float = DEFAULT_COUPLINGS["k_ei"],
    k_ie: float = DEFAULT_COUPLINGS["k_ie"],
    k_ii: float = DEFAULT_COUPLINGS["k_ii"],
    width: float = 1.0,
    t_max: float = 20_000.0,
    dt: float = 0.05,
    transient: float = 200.0,
    seed: int = 1,
    threads: int | None = None,
    out: str | os.PathLike[str] | None = None,
) -> ExperimentResult:
    """Spontaneous switching in the bistable region against network size.

    Small all-to-all networks (80 % excitatory, regular Lorentzian frequencies) at the
    edge of the bistable region switch between the incoherent and the synchronized level
    by themselves; the dwell times grow quickly with ``N`` (the switches are driven by
    finite-size fluctuations). Every ``(N, K_EE)`` pair runs once for ``t_max`` and is
    classified; the mean dwell times come from the complete episodes.

    Parameters
    ----------
    sizes : sequence of int
        Network sizes ``N``.
    k_ee : float or sequence of float, default 4.24
        ``K_EE`` values (all combined with all sizes).
    k_ei, k_ie, k_ii, width : float
        The other couplings and the Lorentzian half-width.
    t_max, dt : float
        Duration and RK4 step of each run (records every 5 steps).
    transient : float, default 200
        Time dropped before classifying.
    seed : int
        Seed of the initial phases.
    threads : int, optional
        Runs in parallel (one core each); default all cores.
    out : path, optional
        Folder for ``switching_rate.nc`` and ``switching_rate.png``/``.pdf``.

    Returns
    -------
    ExperimentResult
        ``summary["rows"]``: per run ``n``, ``k_ee``, label, switches, fraction high and
        the mean dwell times (NaN without complete episodes); ``summary["fit"]``: the
        slope of ``log(mean dwell)`` against ``N`` (per oscillator) for each ``K_EE``.

    Examples
    --------
    >>> from eikura.experiments import switching_rate
    >>> result = switching_rate(sizes=[60], t_max=2000.0)
    >>> result.summary["rows"][0]["n"]
    60
    """
    started = time.perf_counter()
    if isinstance(sizes, (int, np.integer)):
        sizes = [int(sizes)]
    sizes = [check_size("sizes", size) for size in sizes]
    if not sizes:
        raise ValueError("sizes: at least one network size is needed")
    k_ee_values = [float(v) for v in np.atleast_1d(np.asarray(k_ee, dtype=float))]
    k_ee_values = [check_nonnegative("k_ee", value) for value in k_ee_values]
    base = check_couplings({"k_ei": k_ei, "k_ie": k_ie, "k_ii": k_ii}, ("k_ei", "k_ie", "k_ii"))
    width = check_positive("width", width)
    t_max = check_positive("t_max", t_max)
    dt = check_positive("dt", dt)
    transient = check_transient(transient, t_max)
    seed = check_seed("seed", seed)
    threads = check_threads(threads)
    folder = output_folder(out)
    jobs = [(size, value) for value in k_ee_values for size in sizes]

    def run_job(job: tuple[int, float]) -> dict[str, Any]:
        size, value = job
        model = experiment_model(size, {"k_ee": value, **base}, width)
        run = simulate(model, t_max=t_max, dt=dt, method="rk4", record_every=_RECORD_EVERY,
                       initial="random", seed=seed, threads=1, progress=False)
        result = classify(run, transient=transient)
        low, high = result.dwell_times_low, result.dwell_times_high
        return {
            "n": size, "k_ee": value, "label": result.label, "n_switches": result.n_switches,
            "fraction_high": result.fraction_high, "low_level": result.low_level,
            "high_level": result.high_level, "dip_ratio": result.dip_ratio,
            "mean_dwell_low": mean_or_nan(low), "mean_dwell_high": mean_or_nan(high),
            "complete_low": int(low.size), "complete_high": int(high.size),
            "analysed_time": result.duration, "wall_time": run.wall_time,
            "r": run.r,
        }

    results = parallel_map(run_job, jobs, threads or usable_cores())
    series = [row.pop("r") for row in results]
    fit = _dwell_fit(results)
    config = {"sizes": sizes, "k_ee": k_ee_values, **base, "width": width, "t_max": t_max,
              "dt": dt, "method": "rk4", "record_every": _RECORD_EVERY, "transient": transient,
              "seed": seed, "network": "all-to-all", "frequencies": "regular Lorentzian"}
    dataset = _switching_dataset(results, series, dt, config)
    summary = {"rows": results, "fit": fit, "t_max": t_max}
    figure = _plot_switching(results, series, t_max, dt, fit)
    return finish("switching_rate", dataset, summary, figure, folder, started)


def _dwell_fit(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Slope of log(mean dwell) against N (least squares), per K_EE and state."""
    fit: dict[str, Any] = {}
    for value in sorted({row["k_ee"] for row in rows}):
        for state in ("low", "high"):
            points = _dwell_points(rows, value, state)
            if len(points) >= 2:
                sizes, dwell = np.array(points, dtype=float).T
                slope, intercept = np.polyfit(sizes, np.log(dwell), 1)
                doubling = float(math.log(2) / slope) if slope > 0 else math.inf
                fit[f"{value:g}/{state}"] = {"per_oscillator": float(slope),
                                             "doubling_n": doubling,
                                             "intercept": float(intercept), "points": len(points)}
    return fit


def _switching_dataset(rows: Sequence[Mapping[str, Any]], series: Sequence[NDArray[np.float64]],
                       dt: float, config: Mapping[str, Any]) -> Any:
    import xarray as xr

    t = _recorded_times(series, dt)
    data: dict[str, Any] = {"r": (("run", "time"), np.stack(series))}
    for key in ("n", "k_ee", "n_switches", "fraction_high", "low_level", "high_level",
                "dip_ratio", "mean_dwell_low", "mean_dwell_high", "complete_low",
                "complete_high", "analysed_time"):
        data[key] = ("run", np.array([row[key] for row in rows]))
    data["label"] = ("run", np.array([row["label"] for row in rows]).astype("U14"))
    return xr.Dataset(data, coords={"run": np.arange(len(rows)), "time": t},
                      attrs=dataset_attrs("switching_rate", config,
                                          "spontaneous switching in the bistable region "
                                          "against N"))


def _plot_switching(rows: Sequence[Mapping[str, Any]], series: Sequence[NDArray[np.float64]],
                    t_max: float, dt: float, fit: Mapping[str, Any]) -> Any:
    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

    plt = pyplot()
    figure, (axis_series, axis_dwell) = plt.subplots(
        1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": (2.0, 1.0)}, constrained_layout=True)
    t = _recorded_times(series, dt)
    shown = min(t_max, 6000.0)
    keep = t <= shown
    for k, (row, r) in enumerate(zip(rows, series, strict=True)):
        axis_series.plot(t[keep], r[keep] + 1.0 * k, lw=0.35, color=f"C{k % 10}")
        axis_series.text(shown, 1.0 * k + 0.5, f" N = {row['n']}, $K_{{EE}}$ = {row['k_ee']:g}\n"
                         f" {row['label']}, {row['n_switches']} sw.", fontsize=7, va="center")
    axis_series.set_xlabel("time")
    axis_series.set_ylabel("r (runs offset by 1)")
    axis_series.set_title(f"order parameter (first {shown:g} of {t_max:g} time units)", fontsize=10)
    colors = iter(f"C{k}" for k in range(10))
    for value in sorted({row["k_ee"] for row in rows}):
        for state, marker in (("low", "v"), ("high", "^")):
            points = _dwell_points(rows, value, state)
            if not points:
                continue
            color = next(colors)
            sizes, dwell = np.array(points).T
            counts = np.array([row[f"complete_{state}"] for row in rows
                               if row["k_ee"] == value and np.isfinite(row[f"mean_dwell_{state}"])])
            # dwell times of a switching process are close to exponential: the standard
            # error of their mean is the mean over the square root of their number
            axis_dwell.errorbar(sizes, dwell, yerr=dwell / np.sqrt(counts), marker=marker,
                                ls="none", color=color, capsize=3,
                                label=f"$K_{{EE}}$ = {value:g}, {state} state")
            line = fit.get(f"{value:g}/{state}")
            if line is not None:
                grid = np.linspace(sizes.min(), sizes.max(), 50)
                axis_dwell.plot(grid, np.exp(line["intercept"] + line["per_oscillator"] * grid),
                                color=color, lw=1.0, ls="--",
                                label=f"fit: e-fold every {1 / line['per_oscillator']:.0f} "
                                      "oscillators" if line["per_oscillator"] > 0 else "fit")
    axis_dwell.set_yscale("log")
    axis_dwell.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axis_dwell.yaxis.set_major_formatter(ScalarFormatter())
    axis_dwell.yaxis.set_minor_formatter(NullFormatter())
    axis_dwell.set_xlabel("N")
    axis_dwell.set_ylabel("mean dwell time (error bars: standard error)")
    axis_dwell.set_title("dwell times against N", fontsize=10)
    if axis_dwell.get_legend_handles_labels()[0]:  # no complete episodes: nothing to label
        axis_dwell.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18),
                          ncol=2, frameon=False)
    return figure


def _dwell_points(rows: Sequence[Mapping[str, Any]], k_ee: float,
                  state: str) -> list[tuple[int, float]]:
    """``(N, mean dwell time)`` of the runs at ``k_ee`` with complete ``state`` episodes."""
    return [(row["n"], row[f"mean_dwell_{state}"]) for row in rows
            if row["k_ee"] == k_ee and np.isfinite(row[f"mean_dwell_{state}"])]


def _recorded_times(series: Sequence[NDArray[np.float64]], dt: float) -> NDArray[np.float64]:
    return np.asarray(np.arange(series[0].size) * _RECORD_EVERY * dt, dtype=np.float64)
