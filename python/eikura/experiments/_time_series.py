"""Experiment 1: ``r_E``, ``r_I`` and ``r`` in the three states."""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import theory
from .._engine import usable_cores
from .._validation import check_int, check_nonnegative, check_positive, check_seed, check_threads
from ..classify import Classification, classify, classify_two_start
from ..simulation import Run, simulate
from ._common import (
    DEFAULT_COUPLINGS,
    ExperimentResult,
    check_couplings,
    check_size,
    check_transient,
    dataset_attrs,
    experiment_model,
    finish,
    json_ready,
    mean_or_nan,
    output_folder,
    parallel_map,
    pyplot,
)

__all__ = ["STATE_POINTS", "time_series"]

STATE_POINTS: tuple[tuple[str, float], ...] = (
    ("desynchronized", 3.0),
    ("bistable", 4.6),
    ("synchronized", 6.0),
)
"""``(state, K_EE)`` of the time-series experiment at :data:`DEFAULT_COUPLINGS`."""

def time_series(
    *,
    n: int = 20_000,
    states: Sequence[tuple[str, float]] = STATE_POINTS,
    k_ei: float = DEFAULT_COUPLINGS["k_ei"],
    k_ie: float = DEFAULT_COUPLINGS["k_ie"],
    k_ii: float = DEFAULT_COUPLINGS["k_ii"],
    width: float = 1.0,
    t_max: float = 100.0,
    dt: float = 0.05,
    record_every: int = 4,
    transient: float | None = None,
    switching_n: int | None = 100,
    switching_k_ee: float = 4.22,
    switching_t_max: float = 6000.0,
    seed: int = 1,
    threads: int | None = None,
    out: str | os.PathLike[str] | None = None,
) -> ExperimentResult:
    """Experiment 1: ``r_E``, ``r_I`` and ``r`` in each of the three states.

    For each ``(state, K_EE)`` in ``states`` an all-to-all network of ``n`` oscillators
    (80 % excitatory, regular Lorentzian frequencies of half-width ``width``) runs from
    random phases; a point the theory calls bistable also runs from synchronized phases
    and is classified with the two-start protocol (at large ``n`` it does not switch by
    itself). With ``switching_n``, a small network at ``switching_k_ee`` (the edge of the
    bistable region) runs for ``switching_t_max`` and shows spontaneous switching between
    the two levels, classified from that one run.

    Parameters
    ----------
    n : int, default 20000
        Oscillators of the main runs (>= 10).
    states : sequence of (str, float)
        ``(expected state, K_EE)`` pairs; default :data:`STATE_POINTS`.
    k_ei, k_ie, k_ii : float
        The fixed couplings (>= 0).
    width : float, default 1
        Half-width of the Lorentzian frequency distributions (> 0).
    t_max, dt, record_every
        Duration, RK4 step and recording interval (in steps) of the main runs.
    transient : float, optional
        Time dropped before averaging and classifying; default ``0.3 * t_max``.
    switching_n : int or None, default 100
        Size of the small switching network; ``None`` leaves that run out.
    switching_k_ee, switching_t_max : float
        Its ``K_EE`` and duration (it uses ``dt = 0.05`` and records every 5 steps).
    seed : int, default 1
        Seed of the initial phases (the frequencies are regular).
    threads : int, optional
        Cores to use; default all.
    out : path, optional
        Folder for ``time_series.nc`` and ``time_series.png``/``.pdf`` (created).

    Returns
    -------
    ExperimentResult
        ``summary["runs"]`` is a table (list of dicts) with, per run, the mean ``r_E``,
        ``r_I`` after the transient, the theory's values for the stable state the run
        should reach, their difference and the labels.

    Examples
    --------
    >>> from eikura.experiments import time_series
    >>> result = time_series(n=2000, t_max=40.0, switching_n=None)
    >>> [row["label"] for row in result.summary["runs"] if row["start"] == "random"]
    ['desynchronized', 'bistable', 'synchronized']
    """
    started = time.perf_counter()
    n = check_size("n", n)
    base = check_couplings({"k_ei": k_ei, "k_ie": k_ie, "k_ii": k_ii}, ("k_ei", "k_ie", "k_ii"))
    width = check_positive("width", width)
    t_max = check_positive("t_max", t_max)
    dt = check_positive("dt", dt)
    record_every = check_int("record_every", record_every, minimum=1)
    transient = 0.3 * t_max if transient is None else check_transient(transient, t_max)
    seed = check_seed("seed", seed)
    threads = check_threads(threads)
    folder = output_folder(out)
    points = _check_states(states)
    if switching_n is not None:
        switching_n = check_size("switching_n", switching_n)
        switching_k_ee = check_nonnegative("switching_k_ee", switching_k_ee)
        switching_t_max = check_positive("switching_t_max", switching_t_max)

    analyses = {k_ee: theory.analyse(k_ee, base["k_ei"], base["k_ie"], base["k_ii"], width, width)
                for _, k_ee in points}
    jobs: list[tuple[str, float, str]] = []
    for state, k_ee in points:
        jobs.append((state, k_ee, "random"))
        if analyses[k_ee].label == "bistable":
            jobs.append((state, k_ee, "sync"))
    cores = threads or usable_cores()

    def run_job(job: tuple[str, float, str]) -> Run:
        _, k_ee, start = job
        model = experiment_model(n, {"k_ee": k_ee, **base}, width)
        return simulate(model, t_max=t_max, dt=dt, method="rk4", record_every=record_every,
                        initial=start, seed=seed, threads=1, progress=False)

    runs = parallel_map(run_job, jobs, cores)
    switching_run = None
    if switching_n is not None:
        model = experiment_model(switching_n, {"k_ee": switching_k_ee, **base}, width)
        switching_run = simulate(model, t_max=switching_t_max, dt=0.05, method="rk4",
                                 record_every=5, initial="random", seed=seed, threads=1,
                                 progress=False)

    rows, classifications = _time_series_rows(jobs, runs, analyses, transient)
    switching_summary = None
    if switching_run is not None:
        switching_class = classify(switching_run, transient=min(200.0, 0.1 * switching_t_max))
        switching_analysis = theory.analyse(switching_k_ee, base["k_ei"], base["k_ie"],
                                            base["k_ii"], width, width)
        switching_summary = _switching_summary(switching_run, switching_class, switching_analysis)
        classifications["switching"] = switching_class

    config = {
        "n": n, "states": [list(p) for p in points], **base, "width": width, "t_max": t_max,
        "dt": dt, "method": "rk4", "record_every": record_every, "transient": transient,
        "network": "all-to-all", "frequencies": "regular Lorentzian", "seed": seed,
        "switching": None if switching_n is None else {
            "n": switching_n, "k_ee": switching_k_ee, "t_max": switching_t_max, "dt": 0.05,
            "record_every": 5},
    }
    dataset = _time_series_dataset(jobs, runs, rows, switching_run, switching_summary, config)
    summary = {"runs": rows, "switching": switching_summary, "n": n,
               "max_level_error": max((row["error"] for row in rows), default=math.nan)}
    figure = _plot_time_series(jobs, runs, classifications, analyses, switching_run,
                               switching_summary, n)
    return finish("time_series", dataset, summary, figure, folder, started)

def _check_states(states: Any) -> list[tuple[str, float]]:
    try:
        points = [(str(state), float(k_ee)) for state, k_ee in states]
    except (TypeError, ValueError):
        raise TypeError("states: expected a sequence of (state name, K_EE) pairs") from None
    if not points:
        raise ValueError("states: at least one (state, K_EE) pair is needed")
    for _, k_ee in points:
        check_nonnegative("states", k_ee)
    return points


def _time_series_rows(jobs: Sequence[tuple[str, float, str]], runs: Sequence[Run],
                      analyses: Mapping[float, Any], transient: float
                      ) -> tuple[list[dict[str, Any]], dict[str, Classification]]:
    classifications: dict[str, Classification] = {}
    by_point: dict[float, dict[str, Run]] = {}
    for (_, k_ee, start), run in zip(jobs, runs, strict=True):
        by_point.setdefault(k_ee, {})[start] = run
    for k_ee, starts in by_point.items():
        key = f"{k_ee:g}"
        if "sync" in starts:
            classifications[key] = classify_two_start(starts["random"], starts["sync"],
                                                      transient=transient)
        else:
            classifications[key] = classify(starts["random"], transient=transient)
    rows = []
    for (state, k_ee, start), run in zip(jobs, runs, strict=True):
        analysis = analyses[k_ee]
        theory_e, theory_i, kind = _theory_levels(analysis, start)
        mean_e = _late_mean(run.t, run.r_e, transient)
        mean_i = _late_mean(run.t, run.r_i, transient)
        rows.append({
            "state": state, "k_ee": k_ee, "start": start,
            "mean_r_e": mean_e, "mean_r_i": mean_i, "mean_r": _late_mean(run.t, run.r, transient),
            "theory_r_e": theory_e, "theory_r_i": theory_i, "theory_state": kind,
            "error": max(abs(mean_e - theory_e), abs(mean_i - theory_i)),
            "label": classifications[f"{k_ee:g}"].label, "theory_label": analysis.label,
            "wall_time": run.wall_time,
        })
    return rows, classifications


def _switching_summary(run: Run, result: Classification, analysis: Any) -> dict[str, Any]:
    branch = analysis.synchronized_branch
    return {
        "n": run.n, "k_ee": float(run.config["model"]["k_ee"]), "t_max": float(run.t[-1]),
        "label": result.label, "reason": result.reason, "n_switches": result.n_switches,
        "low_level": result.low_level, "high_level": result.high_level,
        "fraction_high": result.fraction_high, "dip_ratio": result.dip_ratio,
        "relaxation_time": result.relaxation_time,
        "mean_dwell_low": mean_or_nan(result.dwell_times_low),
        "mean_dwell_high": mean_or_nan(result.dwell_times_high),
        "thresholds": list(result.thresholds), "theory_label": analysis.label,
        "theory_branch_r": None if branch is None else 0.8 * branch.r_e + 0.2 * branch.r_i,
    }


def _time_series_dataset(jobs: Sequence[tuple[str, float, str]], runs: Sequence[Run],
                         rows: Sequence[Mapping[str, Any]], switching_run: Run | None,
                         switching_summary: Mapping[str, Any] | None,
                         config: Mapping[str, Any]) -> Any:
    import xarray as xr

    names = [f"{state}/{start}" for state, _, start in jobs]
    t = runs[0].t
    data: dict[str, Any] = {}
    for quantity in ("r_e", "r_i", "r"):
        data[quantity] = (("run", "time"), np.stack([getattr(run, quantity) for run in runs]),
                          {"long_name": f"order parameter {quantity}"})
    for key in ("k_ee", "mean_r_e", "mean_r_i", "mean_r", "theory_r_e", "theory_r_i", "error"):
        data[key] = ("run", np.array([row[key] for row in rows], dtype=float))
    for key in ("state", "start", "label", "theory_label", "theory_state"):
        data[key] = ("run", np.array([str(row[key]) for row in rows]))
    coords: dict[str, Any] = {"run": names, "time": t}
    attrs = dataset_attrs("time_series", config, "r_E, r_I, r in the three states")
    if switching_run is not None and switching_summary is not None:
        coords["time_switching"] = switching_run.t
        for quantity in ("r_e", "r_i", "r"):
            data[f"{quantity}_switching"] = ("time_switching", getattr(switching_run, quantity))
        attrs["switching_summary"] = json.dumps(json_ready(switching_summary))
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _plot_time_series(jobs: Sequence[tuple[str, float, str]], runs: Sequence[Run],
                      classifications: Mapping[str, Classification], analyses: Mapping[float, Any],
                      switching_run: Run | None, switching_summary: Mapping[str, Any] | None,
                      n: int) -> Any:
    """One panel per state point (both starts, the theory's stable levels), then the
    small network that switches by itself."""
    points = list(dict.fromkeys((state, k_ee) for state, k_ee, _ in jobs))
    panels = len(points) + (switching_run is not None)
    figure, axes = pyplot().subplots(1, panels, figsize=(4.0 * panels + 0.5, 3.6), squeeze=False)
    for axis, (state, k_ee) in zip(axes[0], points, strict=False):
        point_runs = {start: run for (_, point_k_ee, start), run in zip(jobs, runs, strict=True)
                      if point_k_ee == k_ee}
        _plot_state_panel(axis, state, k_ee, point_runs, classifications[f"{k_ee:g}"].label,
                          analyses[k_ee])
    axes[0][0].set_ylabel("order parameter")
    if switching_run is not None and switching_summary is not None:
        _plot_switching_panel(axes[0][-1], switching_run, switching_summary)
    figure.suptitle(f"EI-Kuramoto, all-to-all, N = {n} (dotted: mean-field stable states; "
                    f"$K_{{EI}}$ = {_base_value(runs[0], 'k_ei'):g}, "
                    f"$K_{{IE}}$ = {_base_value(runs[0], 'k_ie'):g}, "
                    f"$K_{{II}}$ = {_base_value(runs[0], 'k_ii'):g})", fontsize=10)
    # One legend for every panel, below them: it never covers a curve.
    entries: dict[str, Any] = {}
    for axis in axes[0]:
        for handle, name in zip(*axis.get_legend_handles_labels(), strict=True):
            entries.setdefault(name, handle)
    figure.legend(list(entries.values()), list(entries), loc="lower center",
                  ncol=min(len(entries), 8), fontsize=7.5, frameon=False)
    figure.tight_layout(rect=(0.0, 0.09, 1.0, 1.0))
    return figure


def _plot_state_panel(axis: Any, state: str, k_ee: float, runs: Mapping[str, Run], label: str,
                      analysis: Any) -> None:
    styles = {"random": "-", "sync": "--"}
    for start, run in runs.items():
        axis.plot(run.t, run.r_e, color="tab:red", lw=1.0, ls=styles[start],
                  label=f"$r_E$ ({start} start)")
        axis.plot(run.t, run.r_i, color="tab:blue", lw=1.0, ls=styles[start],
                  label=f"$r_I$ ({start} start)")
        axis.plot(run.t, run.r, color="k", lw=0.6, ls=styles[start], alpha=0.6,
                  label="$r$" if start == "random" else None)
    for s in analysis.stable_states:
        axis.axhline(s.r_e, color="tab:red", lw=0.8, ls=":", alpha=0.9)
        axis.axhline(s.r_i, color="tab:blue", lw=0.8, ls=":", alpha=0.9)
    axis.set_title(f"$K_{{EE}}$ = {k_ee:g} (expected {state})\nclassified: {label}; "
                   f"theory: {analysis.label}", fontsize=9)
    axis.set_xlabel("time")
    axis.set_ylim(-0.02, 1.0)


def _plot_switching_panel(axis: Any, run: Run, summary: Mapping[str, Any]) -> None:
    axis.plot(run.t, run.r, color="k", lw=0.4, label="$r$ (small network)")
    low, high = summary["thresholds"]
    axis.axhline(low, color="0.5", lw=0.8, ls=":", label="classifier thresholds")
    axis.axhline(high, color="0.5", lw=0.8, ls=":")
    if summary["theory_branch_r"] is not None:
        axis.axhline(summary["theory_branch_r"], color="tab:green", lw=1.0, ls="--",
                     label="theory sync. $r$ ($N\\to\\infty$)")
    axis.set_title(f"N = {summary['n']}, $K_{{EE}}$ = {summary['k_ee']:g}: switching by itself\n"
                   f"classified: {summary['label']} ({summary['n_switches']} switches)",
                   fontsize=9)
    axis.set_xlabel("time")
    axis.set_ylim(-0.02, 1.0)


def _base_value(run: Run, name: str) -> float:
    value = run.config["model"][name]
    return float(value) if isinstance(value, (int, float)) else math.nan


def _late_mean(t: NDArray[np.float64], values: NDArray[np.float64], transient: float) -> float:
    return float(np.mean(values[t >= t[0] + transient]))


def _theory_levels(analysis: Any, start: str) -> tuple[float, float, str]:
    """(r_E, r_I, kind) of the stable state a run from ``start`` should end in."""
    branch = analysis.synchronized_branch
    if start == "sync" and branch is not None:
        return branch.r_e, branch.r_i, branch.kind
    if analysis.incoherence_stable or branch is None:
        return 0.0, 0.0, "incoherent"
    return branch.r_e, branch.r_i, branch.kind


# --------------------------------------------------------------------------- 1. time series
