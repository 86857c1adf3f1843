"""The experiments users reproduce (SPEC §6), each a function that writes data and figures.

* :func:`time_series` - ``r_E``, ``r_I`` and ``r`` in the desynchronized, bistable and
  synchronized states, with the classifier's labels and the mean-field levels, plus a
  small network that switches between the two states of the bistable region by itself.
* :func:`phase_diagram` - simulated state labels over two couplings (default
  ``K_EE`` x ``K_II``) next to the mean-field labels and bifurcation curves.
* :func:`modulation` - inhibition (``K_EI`` and ``K_II``) scaled by a slow sinusoid:
  the network passes synchronized -> bistable -> desynchronized and back, compared with
  the theory's label of the instantaneous couplings and with the mean-field (reduced)
  equations driven by the same schedules.
* :func:`switching_rate` - how often a small network in the bistable region switches,
  against its size ``N``.

Every experiment returns an :class:`ExperimentResult` and, given ``out``, writes its data
as NetCDF (configuration and eikura version in the attributes) and its figure as PNG and
PDF. :func:`eikura.report.reproduce` runs them all and writes a Markdown report.

All simulations use all-to-all coupling (the O(N) mean-field path) and "regular"
Lorentzian frequencies (deterministic quantiles, no sampling noise) unless told
otherwise, because that is where the Ott-Antonsen theory is exact as ``N -> inf``.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._engine import usable_cores
from .._metadata import eikura_version
from .._validation import (
    check_choice,
    check_finite_array,
    check_int,
    check_nonnegative,
    check_positive,
    check_seed,
    check_threads,
)
from ..classify import Classification, classify, classify_two_start
from ..distributions import Lorentzian
from ..files import atomic_write
from ..model import COUPLINGS, EIKuramoto
from ..networks import AllToAll
from ..schedules import Constant, Sinusoid
from ..simulation import Run, simulate

__all__ = [
    "ExperimentResult",
    "time_series",
    "phase_diagram",
    "modulation",
    "switching_rate",
    "DEFAULT_COUPLINGS",
    "STATE_POINTS",
]

DEFAULT_COUPLINGS: dict[str, float] = {"k_ei": 1.0, "k_ie": 12.0, "k_ii": 2.0}
"""Fixed couplings of the experiments (with Lorentzian half-width 1): incoherence is
stable for ``K_EE < 5`` and the synchronized branch exists for ``K_EE > 4.25``."""

STATE_POINTS: tuple[tuple[str, float], ...] = (
    ("desynchronized", 3.0),
    ("bistable", 4.6),
    ("synchronized", 6.0),
)
"""``(state, K_EE)`` of the time-series experiment at :data:`DEFAULT_COUPLINGS`."""

LABEL_COLORS: dict[str, str] = {
    "synchronized": "#d95f02",
    "desynchronized": "#7570b3",
    "bistable": "#1b9e77",
    "other": "#999999",
    "unavailable": "#ffffff",
    "": "#ffffff",
}
_THEORY_ORDER = ("desynchronized", "synchronized", "bistable", "other")  # theory's codes
_Item = TypeVar("_Item")
_Value = TypeVar("_Value")


# --------------------------------------------------------------------------- result


@dataclass
class ExperimentResult:
    """What an experiment computed, where it was written and how long it took.

    Attributes
    ----------
    name : str
        ``"time_series"``, ``"phase_diagram"``, ``"modulation"`` or ``"switching_rate"``.
    dataset : xarray.Dataset
        All data behind the figure; ``attrs`` hold ``config`` (JSON) and
        ``eikura_version``. This is what the NetCDF file contains.
    summary : dict
        The key numbers (tables of simulated against theoretical values, labels,
        agreement), plain Python values.
    files : list of pathlib.Path
        Files written (NetCDF, PNG, PDF); empty without ``out``.
    seconds : float
        Wall time of the experiment.
    figure : matplotlib.figure.Figure or None
        The figure (closed after saving; kept for inspection).
    """

    name: str
    dataset: Any
    summary: dict[str, Any]
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    figure: Any = field(default=None, repr=False)

    def __repr__(self) -> str:
        written = f", {len(self.files)} files" if self.files else ""
        return f"<ExperimentResult {self.name}: {self.seconds:.1f} s{written}>"


# --------------------------------------------------------------------------- helpers


def _out_dir(out: str | os.PathLike[str] | None) -> Path | None:
    if out is None:
        return None
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(
            f"out: expected a folder path (str or pathlib.Path), got {type(out).__name__}")
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"out: {str(folder)!r} exists and is not a folder")
    return folder


def _json_ready(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.ndarray):
        return _json_ready(value.tolist())
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (Constant, Sinusoid)):
        return {"schedule": type(value).__name__.lower(), **value.__dict__}
    return value


def _attrs(name: str, config: Mapping[str, Any], description: str) -> dict[str, Any]:
    return {
        "title": f"eikura experiment: {name}",
        "experiment": name,
        "description": description,
        "eikura_version": eikura_version(),
        "config": json.dumps(_json_ready(config)),
    }


def _write_dataset(dataset: Any, path: Path) -> Path:
    return atomic_write(path, lambda temporary: dataset.to_netcdf(temporary, engine="h5netcdf"))


def _save_figure(figure: Any, folder: Path, stem: str) -> list[Path]:
    import matplotlib.pyplot as plt

    paths = [folder / f"{stem}.png", folder / f"{stem}.pdf"]
    figure.savefig(paths[0], dpi=130)
    figure.savefig(paths[1])
    plt.close(figure)
    return paths


def _pyplot() -> Any:
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "cairo"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _parallel_map(function: Callable[[_Item], _Value], items: Sequence[_Item],
                  workers: int) -> list[_Value]:
    """``[function(item) for item in items]`` on ``workers`` threads (order kept).

    The simulations release the GIL while they integrate, so threads run them in
    parallel; each simulation then uses one OpenMP thread.
    """
    if workers <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(function, items))


def _model(n: int, couplings: Mapping[str, Any], width: float, noise: float = 0.0,
           network: Any = None, regular: bool = True) -> EIKuramoto:
    n_e = int(round(0.8 * n))
    return EIKuramoto(
        n_e=n_e, n_i=n - n_e, frequencies=Lorentzian(0.0, width, regular=regular), noise=noise,
        network=AllToAll() if network is None else network, **couplings,
    )


def _check_size(name: str, value: Any, minimum: int = 10) -> int:
    return check_int(name, value, minimum=minimum, maximum=10**9)


def _check_couplings(couplings: Mapping[str, Any], names: Iterable[str]) -> dict[str, float]:
    return {name: check_nonnegative(name, couplings[name]) for name in names}


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
    from .. import theory

    started = time.perf_counter()
    n = _check_size("n", n)
    base = _check_couplings({"k_ei": k_ei, "k_ie": k_ie, "k_ii": k_ii}, ("k_ei", "k_ie", "k_ii"))
    width = check_positive("width", width)
    t_max = check_positive("t_max", t_max)
    dt = check_positive("dt", dt)
    record_every = check_int("record_every", record_every, minimum=1)
    transient = 0.3 * t_max if transient is None else check_nonnegative("transient", transient)
    if transient >= t_max:
        raise ValueError(f"transient: must be shorter than t_max ({t_max}), got {transient}")
    seed = check_seed("seed", seed)
    threads = check_threads(threads)
    folder = _out_dir(out)
    points = _check_states(states)
    if switching_n is not None:
        switching_n = _check_size("switching_n", switching_n)
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
        model = _model(n, {"k_ee": k_ee, **base}, width)
        return simulate(model, t_max=t_max, dt=dt, method="rk4", record_every=record_every,
                        initial=start, seed=seed, threads=1, progress=False)

    runs = _parallel_map(run_job, jobs, cores)
    switching_run = None
    if switching_n is not None:
        model = _model(switching_n, {"k_ee": switching_k_ee, **base}, width)
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
    figure = _plot_time_series(jobs, runs, rows, classifications, analyses, switching_run,
                               switching_summary, n)
    return _finish("time_series", dataset, summary, figure, folder, started)


def _finish(name: str, dataset: Any, summary: dict[str, Any], figure: Any, folder: Path | None,
            started: float) -> ExperimentResult:
    """Write ``name``.nc and the figure (PNG, PDF) into ``folder`` if given; the result."""
    files: list[Path] = []
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        files.append(_write_dataset(dataset, folder / f"{name}.nc"))
        files += _save_figure(figure, folder, name)
    else:
        _pyplot().close(figure)
    return ExperimentResult(name, dataset, summary, files, time.perf_counter() - started, figure)


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


def _mean_or_nan(values: NDArray[np.float64]) -> float:
    return float(np.mean(values)) if values.size else math.nan


def _switching_summary(run: Run, result: Classification, analysis: Any) -> dict[str, Any]:
    branch = analysis.synchronized_branch
    return {
        "n": run.n, "k_ee": float(run.config["model"]["k_ee"]), "t_max": float(run.t[-1]),
        "label": result.label, "reason": result.reason, "n_switches": result.n_switches,
        "low_level": result.low_level, "high_level": result.high_level,
        "fraction_high": result.fraction_high, "dip_ratio": result.dip_ratio,
        "relaxation_time": result.relaxation_time,
        "mean_dwell_low": _mean_or_nan(result.dwell_times_low),
        "mean_dwell_high": _mean_or_nan(result.dwell_times_high),
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
    attrs = _attrs("time_series", config, "r_E, r_I, r in the three states (SPEC §6.1)")
    if switching_run is not None and switching_summary is not None:
        coords["time_switching"] = switching_run.t
        for quantity in ("r_e", "r_i", "r"):
            data[f"{quantity}_switching"] = ("time_switching", getattr(switching_run, quantity))
        attrs["switching_summary"] = json.dumps(_json_ready(switching_summary))
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _plot_time_series(jobs: Sequence[tuple[str, float, str]], runs: Sequence[Run],
                      rows: Sequence[Mapping[str, Any]],
                      classifications: Mapping[str, Classification], analyses: Mapping[float, Any],
                      switching_run: Run | None, switching_summary: Mapping[str, Any] | None,
                      n: int) -> Any:
    plt = _pyplot()
    points = list(dict.fromkeys((state, k_ee) for state, k_ee, _ in jobs))
    panels = len(points) + (switching_run is not None)
    figure, axes = plt.subplots(1, panels, figsize=(4.0 * panels + 0.5, 3.6), squeeze=False)
    styles = {"random": "-", "sync": "--"}
    for axis, (state, k_ee) in zip(axes[0], points, strict=False):
        for (_, point_k_ee, start), run in zip(jobs, runs, strict=True):
            if point_k_ee != k_ee:
                continue
            axis.plot(run.t, run.r_e, color="tab:red", lw=1.0, ls=styles[start],
                      label=f"$r_E$ ({start} start)")
            axis.plot(run.t, run.r_i, color="tab:blue", lw=1.0, ls=styles[start],
                      label=f"$r_I$ ({start} start)")
            axis.plot(run.t, run.r, color="k", lw=0.6, ls=styles[start], alpha=0.6,
                      label="$r$" if start == "random" else None)
        for s in analyses[k_ee].stable_states:
            axis.axhline(s.r_e, color="tab:red", lw=0.8, ls=":", alpha=0.9)
            axis.axhline(s.r_i, color="tab:blue", lw=0.8, ls=":", alpha=0.9)
        label = classifications[f"{k_ee:g}"].label
        axis.set_title(f"$K_{{EE}}$ = {k_ee:g} (expected {state})\nclassified: {label}; "
                       f"theory: {analyses[k_ee].label}", fontsize=9)
        axis.set_xlabel("time")
        axis.set_ylim(-0.02, 1.0)
        axis.legend(fontsize=6.5, loc="center right")
    axes[0][0].set_ylabel("order parameter")
    if switching_run is not None and switching_summary is not None:
        axis = axes[0][-1]
        axis.plot(switching_run.t, switching_run.r, color="k", lw=0.4, label="$r$")
        low, high = switching_summary["thresholds"]
        axis.axhline(low, color="0.5", lw=0.8, ls=":", label="classifier thresholds")
        axis.axhline(high, color="0.5", lw=0.8, ls=":")
        if switching_summary["theory_branch_r"] is not None:
            axis.axhline(switching_summary["theory_branch_r"], color="tab:green", lw=1.0,
                         ls="--", label="theory sync. $r$ ($N\\to\\infty$)")
        axis.set_title(f"N = {switching_summary['n']}, $K_{{EE}}$ = {switching_summary['k_ee']:g}: "
                       f"switching by itself\nclassified: {switching_summary['label']} "
                       f"({switching_summary['n_switches']} switches)", fontsize=9)
        axis.set_xlabel("time")
        axis.set_ylim(-0.02, 1.0)
        axis.legend(fontsize=6.5, loc="upper right")
    figure.suptitle(f"EI-Kuramoto, all-to-all, N = {n} (dotted: mean-field stable states; "
                    f"$K_{{EI}}$ = {_base_value(runs[0], 'k_ei'):g}, "
                    f"$K_{{IE}}$ = {_base_value(runs[0], 'k_ie'):g}, "
                    f"$K_{{II}}$ = {_base_value(runs[0], 'k_ii'):g})", fontsize=10)
    figure.tight_layout()
    return figure


def _base_value(run: Run, name: str) -> float:
    value = run.config["model"][name]
    return float(value) if isinstance(value, (int, float)) else math.nan


# --------------------------------------------------------------------------- 2. phase diagram


def phase_diagram(
    x: str = "k_ee",
    x_values: ArrayLike | None = None,
    y: str = "k_ii",
    y_values: ArrayLike | None = None,
    *,
    n: int = 2000,
    couplings: Mapping[str, float] | None = None,
    width: float = 1.0,
    t_max: float = 200.0,
    dt: float = 0.1,
    two_start: bool = True,
    replicates: int = 1,
    seed: int = 1,
    scheduler: Any = "serial",
    store: str | os.PathLike[str] | None = None,
    threads: int | None = None,
    theory_resolution: int = 201,
    out: str | os.PathLike[str] | None = None,
) -> ExperimentResult:
    """Experiment 2: simulated state labels over two couplings, next to the theory.

    Every grid point runs with :func:`eikura.sweep` (all-to-all, ``n`` oscillators,
    regular Lorentzian frequencies) from random phases and, with ``two_start``, from
    synchronized phases, and is labelled by :func:`eikura.classify`. The mean-field
    labels (:func:`eikura.theory.phase_diagram` on a fine grid) are the background of the
    second panel; the bifurcation curves (:func:`eikura.theory.boundaries`) are drawn on
    both.

    Parameters
    ----------
    x, y : str
        The two couplings on the axes (``"k_ee"``, ``"k_ei"``, ``"k_ie"``, ``"k_ii"``).
    x_values, y_values : array_like, optional
        Grid values; default 15 values of ``K_EE`` in [3, 7] and of ``K_II`` in [0, 4]
        (for other axes: 15 values in [0, 2 x default]).
    n : int, default 2000
        Oscillators per simulation.
    couplings : mapping, optional
        Values of the two couplings not on an axis (default :data:`DEFAULT_COUPLINGS`,
        ``k_ee = 4.6``).
    width : float, default 1
        Lorentzian half-width.
    t_max, dt : float
        Duration and RK4 step of each run; the first 30 % is dropped as transient.
    two_start : bool, default True
        Also run from synchronized phases (needed to see bistability at large ``n``).
    replicates : int, default 1
        Runs per point with different seeds (the label shown is the most frequent).
    seed : int
        Seed of the first replicate.
    scheduler : default "serial"
        Passed to :func:`eikura.sweep` (``None`` starts a local Dask cluster).
    store : path, optional
        Zarr store of the sweep (resumable); default: kept in memory.
    threads : int, optional
        Threads per sweep task.
    theory_resolution : int, default 201
        Points per axis of the fine theory grid.
    out : path, optional
        Folder for ``phase_diagram.nc`` and ``phase_diagram.png``/``.pdf``.

    Returns
    -------
    ExperimentResult
        ``summary`` has the agreement of simulated and theoretical labels (fraction of
        points), the confusion counts, and for every disagreeing point its distance (in
        units of ``x``) to the nearest theoretical boundary along ``x`` and whether the
        mean-field equations started near incoherence oscillate there (``limit_cycle``:
        a stable limit cycle next to the stable steady state that the theory's label is
        based on).

    Examples
    --------
    >>> from eikura.experiments import phase_diagram
    >>> result = phase_diagram(x_values=[3.0, 6.0], y_values=[2.0], n=500, t_max=60.0)
    >>> result.summary["simulated"]
    [['desynchronized', 'synchronized']]
    """
    from .. import theory
    from ..sweep import sweep

    started = time.perf_counter()
    x = check_choice("x", x, COUPLINGS)
    y = check_choice("y", y, COUPLINGS)
    if x == y:
        raise ValueError(f"y: must differ from x ({x!r})")
    fixed: dict[str, Any] = {"k_ee": 4.6, **DEFAULT_COUPLINGS}
    if couplings is not None:
        if not isinstance(couplings, Mapping):
            raise TypeError("couplings: expected a mapping {name: value}")
        unknown = set(couplings) - set(COUPLINGS)
        if unknown:
            raise ValueError(f"couplings: unknown coupling {sorted(unknown)[0]!r}")
        fixed.update(_check_couplings(couplings, couplings.keys()))
    for name in (x, y):
        fixed.pop(name, None)
    x_grid = _axis_values("x_values", x_values, x)
    y_grid = _axis_values("y_values", y_values, y)
    n = _check_size("n", n)
    width = check_positive("width", width)
    t_max = check_positive("t_max", t_max)
    dt = check_positive("dt", dt)
    replicates = check_int("replicates", replicates, minimum=1)
    seed = check_seed("seed", seed)
    theory_resolution = check_int("theory_resolution", theory_resolution, minimum=2,
                                  maximum=2000)
    folder = _out_dir(out)
    if not isinstance(two_start, bool):
        raise TypeError("two_start: expected True or False")

    start_value = {name: (x_grid[0] if name == x else y_grid[0]) for name in (x, y)}
    model = _model(n, {**fixed, **start_value}, width)
    simulated = sweep(model, over={y: y_grid, x: x_grid}, t_max=t_max, dt=dt, seed=seed,
                      replicates=replicates, store=store, scheduler=scheduler,
                      two_start=two_start, transient=0.3 * t_max, threads=threads,
                      progress=False, method="rk4")
    labels = _modal_labels(simulated["label"].transpose(y, x, "replicate").values)

    fine_x = np.linspace(x_grid.min(), x_grid.max(), theory_resolution)
    fine_y = np.linspace(y_grid.min(), y_grid.max(), theory_resolution)
    widths: dict[str, Any] = {"width_e": width, "width_i": width}
    fine = theory.phase_diagram(x, fine_x, y, fine_y, **fixed, **widths)
    coarse = theory.phase_diagram(x, x_grid, y, y_grid, **fixed, **widths)
    at_points = theory.label_names(coarse).values
    curves = theory.boundaries(x, fine_x, y, **fixed, **widths).curves()

    def swing(x_value: float, y_value: float) -> float:
        couplings_here = {**fixed, x: x_value, y: y_value}
        return _mean_field_swing(couplings_here, width)

    agreement = _label_agreement(labels, at_points, x_grid, y_grid, fine, swing)
    config = {"x": x, "x_values": x_grid, "y": y, "y_values": y_grid, "fixed": fixed, "n": n,
              "width": width, "t_max": t_max, "dt": dt, "method": "rk4",
              "transient": 0.3 * t_max, "two_start": two_start, "replicates": replicates,
              "seed": seed, "network": "all-to-all", "frequencies": "regular Lorentzian",
              "store": None if store is None else str(store)}
    dataset = _phase_dataset(simulated, labels, at_points, fine, curves, x, y, x_grid, y_grid,
                             config)
    summary = {"x": x, "y": y, "x_values": x_grid.tolist(), "y_values": y_grid.tolist(),
               "simulated": labels.tolist(), "theory": at_points.tolist(), "n": n,
               "t_max": t_max, "two_start": two_start, **agreement}
    figure = _plot_phase_diagram(labels, at_points, fine, curves, x, y, x_grid, y_grid, config)
    return _finish("phase_diagram", dataset, summary, figure, folder, started)


def _axis_values(name: str, values: Any, axis: str) -> NDArray[np.float64]:
    if values is None:
        default = {"k_ee": (3.0, 7.0), "k_ii": (0.0, 4.0)}.get(
            axis, (0.0, 2.0 * DEFAULT_COUPLINGS.get(axis, 4.6)))
        return np.linspace(*default, 15)
    array = check_finite_array(name, values, ndim=1)
    if array.size == 0:
        raise ValueError(f"{name}: must not be empty")
    if np.any(array < 0):
        raise ValueError(f"{name}: coupling strengths must be >= 0, got {float(array.min())}")
    if np.any(np.diff(array) <= 0):
        raise ValueError(f"{name}: must be strictly increasing")
    return array


def _modal_labels(labels: NDArray[Any]) -> NDArray[np.str_]:
    """Most frequent label over the last axis (replicates)."""
    out = np.empty(labels.shape[:-1], dtype=object)
    for index in np.ndindex(out.shape):
        values, counts = np.unique(np.asarray(labels[index], dtype=str), return_counts=True)
        out[index] = values[int(np.argmax(counts))]
    return out.astype(str)


def _mean_field_swing(couplings: Mapping[str, float], width: float) -> float:
    """Late swing (max - min) of r_E of the mean-field equations started near incoherence.

    Theory labels come from steady states only; a stable limit cycle next to a stable
    synchronized state (near the Hopf line of incoherence) shows up here instead.
    """
    from .. import theory

    run = theory.integrate_reduced(couplings["k_ee"], couplings["k_ei"], couplings["k_ie"],
                                   couplings["k_ii"], width, width, t_max=400.0, dt=0.02,
                                   record_every=10,
                                   z0=(0.01, 0.01 * complex(math.cos(0.3), math.sin(0.3))))
    late = run.r_e[run.t >= 200.0]
    return float(late.max() - late.min())


def _label_agreement(labels: NDArray[np.str_], theory_labels: NDArray[np.str_],
                     x_grid: NDArray[np.float64], y_grid: NDArray[np.float64],
                     fine: Any, swing: Callable[[float, float], float] | None = None
                     ) -> dict[str, Any]:
    """Fraction of agreeing points; distance of each disagreement to the nearest boundary.

    With ``swing``, every disagreement also gets the swing of the mean-field equations
    started near incoherence (``mean_field_swing``): above 0.05 they oscillate, and where
    the theory's label is not "other" the point has a stable limit cycle that the
    steady-state label does not see (``limit_cycle``).
    """
    from .. import theory

    fine_labels = theory.label_names(fine).values
    fine_x = np.asarray(fine[fine.dims[1]].values, dtype=float)
    fine_y = np.asarray(fine[fine.dims[0]].values, dtype=float)
    agree = labels == theory_labels
    disagreements: list[dict[str, Any]] = []
    for iy, ix in zip(*np.nonzero(~agree), strict=True):
        row = fine_labels[int(np.argmin(np.abs(fine_y - y_grid[iy])))]
        changes = fine_x[1:][row[1:] != row[:-1]]
        distance = float(np.min(np.abs(changes - x_grid[ix]))) if changes.size else math.inf
        oscillation = math.nan if swing is None else swing(float(x_grid[ix]), float(y_grid[iy]))
        disagreements.append({"x": float(x_grid[ix]), "y": float(y_grid[iy]),
                              "simulated": str(labels[iy, ix]),
                              "theory": str(theory_labels[iy, ix]),
                              "distance_to_boundary": distance,
                              "mean_field_swing": oscillation,
                              "limit_cycle": bool(oscillation > 0.05
                                                  and theory_labels[iy, ix] != "other")})
    confusion: dict[str, dict[str, int]] = {}
    for sim, th in zip(labels.ravel(), theory_labels.ravel(), strict=True):
        confusion.setdefault(str(th), {}).setdefault(str(sim), 0)
        confusion[str(th)][str(sim)] += 1
    spacing = float(np.median(np.diff(x_grid))) if x_grid.size > 1 else math.nan
    distances = [float(d["distance_to_boundary"]) for d in disagreements
                 if not d["limit_cycle"]]
    return {
        "agreement": float(agree.mean()),
        "n_points": int(agree.size),
        "n_disagree": int((~agree).sum()),
        "n_limit_cycle": sum(d["limit_cycle"] for d in disagreements),
        "confusion": confusion,
        "disagreements": disagreements,
        "max_distance_to_boundary": max(distances) if distances else 0.0,
        "grid_spacing_x": spacing,
    }


def _phase_dataset(simulated: Any, labels: NDArray[np.str_], at_points: NDArray[np.str_],
                   fine: Any, curves: Mapping[str, NDArray[np.float64]], x: str, y: str,
                   x_grid: NDArray[np.float64], y_grid: NDArray[np.float64],
                   config: Mapping[str, Any]) -> Any:
    import xarray as xr

    data: dict[str, Any] = {
        "label": ((y, x), labels.astype("U14"), {"long_name": "simulated state (most frequent)"}),
        "theory_label": ((y, x), at_points.astype("U14"), {"long_name": "mean-field state"}),
    }
    keep = [name for name in simulated.data_vars
            if name not in ("label", "theory_label", "stored_at", "done")
            and simulated[name].dtype.kind in "fiub"]
    for name in keep:
        values = simulated[name].transpose(y, x, ...).reset_coords(drop=True)
        data[f"sweep_{name}"] = values.variable
    fine_x_name, fine_y_name = f"{x}_fine", f"{y}_fine"
    data["theory_label_fine"] = ((fine_y_name, fine_x_name), fine.values.astype(np.int8),
                                 {"flag_values": list(range(len(_THEORY_ORDER))),
                                  "flag_meanings": " ".join(_THEORY_ORDER)})
    for name, points in curves.items():
        data[f"boundary_{name}"] = ((f"{name}_point", "xy"), points)
    coords = {y: y_grid, x: x_grid, "replicate": simulated["replicate"].values,
              fine_x_name: fine[fine.dims[1]].values, fine_y_name: fine[fine.dims[0]].values,
              "xy": [x, y]}
    attrs = _attrs("phase_diagram", config, "simulated labels next to the mean-field "
                   "phase diagram (SPEC §6.2)")
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _label_colormap() -> Any:
    from matplotlib.colors import ListedColormap

    names = ("desynchronized", "synchronized", "bistable", "other")
    return names, ListedColormap([LABEL_COLORS[name] for name in names])


def _edges(values: NDArray[np.float64]) -> NDArray[np.float64]:
    if values.size == 1:
        return np.array([values[0] - 0.5, values[0] + 0.5])
    middle = (values[1:] + values[:-1]) / 2
    return np.concatenate([[2 * values[0] - middle[0]], middle, [2 * values[-1] - middle[-1]]])


def _pretty(name: str) -> str:
    return f"$K_{{{name[2:].upper()}}}$"


def _plot_phase_diagram(labels: NDArray[np.str_], at_points: NDArray[np.str_], fine: Any,
                        curves: Mapping[str, NDArray[np.float64]], x: str, y: str,
                        x_grid: NDArray[np.float64], y_grid: NDArray[np.float64],
                        config: Mapping[str, Any]) -> Any:
    plt = _pyplot()
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    names, colormap = _label_colormap()
    codes = np.vectorize(lambda s: names.index(s) if s in names else 3)(labels)
    figure, axes = plt.subplots(1, 2, figsize=(11.5, 4.8), constrained_layout=True)
    axes[0].pcolormesh(_edges(x_grid), _edges(y_grid), codes, cmap=colormap, vmin=-0.5,
                       vmax=3.5, shading="flat")
    fine_x = fine[fine.dims[1]].values
    fine_y = fine[fine.dims[0]].values
    axes[1].pcolormesh(_edges(fine_x), _edges(fine_y), fine.values, cmap=colormap, vmin=-0.5,
                       vmax=3.5, shading="flat", alpha=0.75)
    wrong = labels != at_points
    yy, xx = np.meshgrid(y_grid, x_grid, indexing="ij")
    axes[1].scatter(xx[~wrong], yy[~wrong], s=9, c="k", marker=".", label="simulation agrees")
    axes[1].scatter(xx[wrong], yy[wrong], s=36,
                    facecolors=[LABEL_COLORS.get(s, "w") for s in labels[wrong]],
                    edgecolors="k", marker="o", linewidths=0.8, label="simulation differs")
    styles = {"incoherence_real": "-", "incoherence_hopf": ":"}
    for axis in axes:
        for name, points in curves.items():
            axis.plot(points[:, 0], points[:, 1], color="k", lw=1.3, ls=styles.get(name, "--"))
        axis.set_xlim(_edges(x_grid)[0], _edges(x_grid)[-1])
        axis.set_ylim(_edges(y_grid)[0], _edges(y_grid)[-1])
        axis.set_xlabel(_pretty(x))
        axis.set_ylabel(_pretty(y))
    starts = "two starts" if config["two_start"] else "random start"
    axes[0].set_title(f"simulation: N = {config['n']}, t = {config['t_max']:g}, {starts}",
                      fontsize=10)
    axes[1].set_title("mean-field theory (dots: simulated points; circles: disagreement)",
                      fontsize=10)
    handles: list[Any] = [Patch(color=LABEL_COLORS[name], label=name) for name in names]
    handles += [Line2D([], [], color="k", ls="-", label="incoherence loses stability"),
                Line2D([], [], color="k", ls="--", label="fold of synchronized branch"),
                Line2D([], [], color="k", ls=":", label="Hopf of incoherence")]
    figure.legend(handles=handles, loc="outside right center", fontsize=8)
    fixed = ", ".join(f"{_pretty(k)} = {v:g}" for k, v in config["fixed"].items())
    figure.suptitle(f"Phase diagram over {_pretty(x)} and {_pretty(y)} ({fixed}, Lorentzian "
                    f"width {config['width']:g})", fontsize=11)
    return figure


# --------------------------------------------------------------------------- 3. modulation


def modulation(
    *,
    n: int = 10_000,
    k_ee: float = 4.6,
    k_ei: float = DEFAULT_COUPLINGS["k_ei"],
    k_ie: float = DEFAULT_COUPLINGS["k_ie"],
    k_ii: float = DEFAULT_COUPLINGS["k_ii"],
    modulated: Sequence[str] = ("k_ei", "k_ii"),
    scale_mean: float = 1.0,
    scale_amplitude: float = 0.6,
    period: float = 1000.0,
    cycles: float = 1.0,
    width: float = 1.0,
    dt: float = 0.1,
    initial: str = "sync",
    seed: int = 1,
    threads: int | None = None,
    theory_points: int = 121,
    out: str | os.PathLike[str] | None = None,
) -> ExperimentResult:
    """Experiment 3: periodic modulation of inhibition.

    The couplings in ``modulated`` are multiplied by the slow sinusoid
    ``s(t) = scale_mean + scale_amplitude * sin(2 pi t / period - pi / 2)`` (it starts at
    its minimum, the weakest inhibition): each becomes an :class:`eikura.Sinusoid`
    evaluated inside the integrator. With the defaults ``s`` runs from 0.4 to 1.6 and
    back, and the theory labels the instantaneous couplings synchronized (``s`` < 0.77),
    bistable (0.77-1.25) and desynchronized (``s`` > 1.25).

    The simulation (all-to-all, ``n`` oscillators, regular Lorentzian frequencies) is
    compared with

    * the theory's label of the instantaneous couplings (shaded along time) and its
      stable levels at those couplings (the quasi-static branches);
    * the mean-field equations driven by the same schedules
      (:func:`eikura.theory.integrate_reduced`, from the simulation's initial ``Z``), once
      as they are (``N -> inf``) and once with a finite-size floor: whenever ``|z_X|``
      falls below the incoherent level ``sqrt(pi / (4 N_X))`` it is put back on it (phase
      kept), which models the fluctuations that let a finite network leave incoherence.

    Parameters
    ----------
    n : int, default 10000
        Oscillators.
    k_ee, k_ei, k_ie, k_ii : float
        Unscaled couplings (>= 0).
    modulated : sequence of str, default ("k_ei", "k_ii")
        The couplings multiplied by ``s(t)``.
    scale_mean, scale_amplitude : float
        Mean and amplitude of ``s`` (``scale_mean >= scale_amplitude >= 0``).
    period : float, default 1000
        Period of ``s``; keep it much longer than the relaxation times.
    cycles : float, default 1
        Duration in periods.
    width : float, default 1
        Lorentzian half-width.
    dt : float, default 0.1
        RK4 step.
    initial : {"sync", "random"}
        Initial phases of the simulation.
    seed : int
        Seed of the initial phases.
    threads : int, optional
        OpenMP threads (default: chosen from ``n``).
    theory_points : int, default 121
        Values of ``s`` at which the theory's label and levels are computed.
    out : path, optional
        Folder for ``modulation.nc`` and ``modulation.png``/``.pdf``.

    Returns
    -------
    ExperimentResult
        ``summary`` holds the theory's region boundaries in ``s`` (``s_incoherence``:
        incoherence becomes stable; ``s_fold``: the synchronized branch ends), the values of
        ``s`` at which the simulation and both reduced runs lose and regain
        synchronization, and the fraction of time the simulated state is consistent with
        the instantaneous theory label.

    Examples
    --------
    >>> from eikura.experiments import modulation
    >>> result = modulation(n=2000, period=300.0, theory_points=31)
    >>> result.summary["regions"]
    ['synchronized', 'bistable', 'desynchronized', 'bistable', 'synchronized']
    """
    from .. import theory

    started = time.perf_counter()
    n = _check_size("n", n)
    base = _check_couplings({"k_ee": k_ee, "k_ei": k_ei, "k_ie": k_ie, "k_ii": k_ii}, COUPLINGS)
    if isinstance(modulated, str) or not all(isinstance(m, str) for m in modulated):
        raise TypeError("modulated: expected a sequence of coupling names, e.g. ('k_ei', 'k_ii')")
    modulated = tuple(check_choice("modulated", name, COUPLINGS) for name in modulated)
    if not modulated:
        raise ValueError("modulated: name at least one coupling")
    scale_mean = check_nonnegative("scale_mean", scale_mean)
    scale_amplitude = check_nonnegative("scale_amplitude", scale_amplitude)
    if scale_amplitude > scale_mean:
        raise ValueError(f"scale_amplitude: must be <= scale_mean ({scale_mean}) so that the "
                         f"couplings stay >= 0, got {scale_amplitude}")
    period = check_positive("period", period)
    cycles = check_positive("cycles", cycles)
    width = check_positive("width", width)
    dt = check_positive("dt", dt)
    initial = check_choice("initial", initial, ("sync", "random"))
    seed = check_seed("seed", seed)
    threads = check_threads(threads)
    theory_points = check_int("theory_points", theory_points, minimum=3, maximum=10_000)
    folder = _out_dir(out)

    phase = -0.5 * math.pi
    schedules: dict[str, Any] = {
        name: (Sinusoid(base[name] * scale_mean, base[name] * scale_amplitude, period, phase)
               if name in modulated else base[name])
        for name in COUPLINGS
    }
    t_max = cycles * period
    model = _model(n, schedules, width)
    record_every = max(1, int(round(t_max / dt / 4000)))
    run = simulate(model, t_max=t_max, dt=dt, method="rk4", record_every=record_every,
                   initial=initial, seed=seed, threads=threads, progress=False)
    scale = _scale(run.t, scale_mean, scale_amplitude, period, phase)

    z0 = (complex(run.z_e[0]), complex(run.z_i[0]))
    pure = theory.integrate_reduced(schedules["k_ee"], schedules["k_ei"], schedules["k_ie"],
                                    schedules["k_ii"], width, width, t_max=t_max,
                                    dt=min(dt, 0.05),
                                    record_every=max(1, int(round(t_max / min(dt, 0.05) / 4000))),
                                    z0=z0)
    n_e = int(round(0.8 * n))
    floors = (math.sqrt(math.pi / (4 * n_e)), math.sqrt(math.pi / (4 * (n - n_e))))
    floored = _reduced_with_floor(schedules, width, t_max, min(dt, 0.05), z0, floors)

    scan = _scale_scan(base, modulated, width, scale_mean - scale_amplitude,
                       scale_mean + scale_amplitude, theory_points)
    regions = _regions_along_time(scale, scan)
    crossings = {
        "simulation": _crossings(run.t, run.r_e, scale, scan),
        "reduced": _crossings(pure.t, pure.r_e, _scale(pure.t, scale_mean, scale_amplitude,
                                                       period, phase), scan),
        "reduced_floor": _crossings(floored["t"], np.abs(floored["z_e"]),
                                    _scale(floored["t"], scale_mean, scale_amplitude, period,
                                           phase), scan),
    }
    consistency = _consistency(run.t, run.r_e, scale, scan)
    config = {"n": n, **base, "modulated": list(modulated), "scale_mean": scale_mean,
              "scale_amplitude": scale_amplitude, "period": period, "phase": phase,
              "cycles": cycles, "width": width, "dt": dt, "method": "rk4",
              "record_every": record_every, "initial": initial, "seed": seed,
              "network": "all-to-all", "frequencies": "regular Lorentzian",
              "floors": list(floors)}
    summary = {
        "n": n, "period": period, "s_range": [scale_mean - scale_amplitude,
                                               scale_mean + scale_amplitude],
        "s_incoherence": scan["s_incoherence"], "s_fold": scan["s_fold"],
        "regions": [r["label"] for r in regions], "crossings": crossings,
        "consistent_fraction": consistency, "wall_time": run.wall_time,
    }
    dataset = _modulation_dataset(run, scale, pure, floored, scan, config, summary)
    figure = _plot_modulation(run, scale, pure, floored, scan, summary, config)
    return _finish("modulation", dataset, summary, figure, folder, started)


def _scale(t: Any, mean: float, amplitude: float, period: float,
           phase: float) -> NDArray[np.float64]:
    return mean + amplitude * np.sin(2 * np.pi * np.asarray(t, dtype=float) / period + phase)


def _shifted(schedule: Any, start: float) -> Any:
    """The schedule as seen from time ``start`` (so that it can be integrated in pieces)."""
    if isinstance(schedule, Sinusoid):
        return Sinusoid(schedule.mean, schedule.amplitude, schedule.period,
                        schedule.phase + 2 * math.pi * start / schedule.period)
    return schedule


def _reduced_with_floor(schedules: Mapping[str, Any], width: float, t_max: float, dt: float,
                        z0: tuple[complex, complex], floors: tuple[float, float],
                        piece: float = 1.0) -> dict[str, NDArray[Any]]:
    """Mean-field equations with ``|z_X|`` kept at or above ``floors[X]`` every ``piece``."""
    from .. import theory

    z_e, z_i = z0
    steps = max(1, int(round(piece / dt)))
    piece = steps * dt
    n_pieces = int(math.ceil(t_max / piece - 1e-9))
    times, values_e, values_i = [0.0], [z_e], [z_i]
    for k in range(n_pieces):
        start = k * piece
        shifted = {name: _shifted(schedules[name], start) for name in COUPLINGS}
        part = theory.integrate_reduced(shifted["k_ee"], shifted["k_ei"], shifted["k_ie"],
                                        shifted["k_ii"], width, width, t_max=piece, dt=dt,
                                        record_every=steps,
                                        z0=(z_e, z_i))
        z_e, z_i = complex(part.z_e[-1]), complex(part.z_i[-1])
        z_e = _lift(z_e, floors[0])
        z_i = _lift(z_i, floors[1])
        times.append(start + piece)
        values_e.append(z_e)
        values_i.append(z_i)
    return {"t": np.array(times), "z_e": np.array(values_e), "z_i": np.array(values_i)}


def _lift(z: complex, floor: float) -> complex:
    size = abs(z)
    if size >= floor:
        return z
    return complex(floor) if size == 0 else z * (floor / size)


def _scale_scan(base: Mapping[str, float], modulated: Sequence[str], width: float,
                low: float, high: float, points: int) -> dict[str, Any]:
    """Theory label and stable levels at couplings scaled by ``s`` on a grid (+ boundaries)."""
    from .. import theory

    def analysis(s: float) -> Any:
        k = {name: base[name] * (s if name in modulated else 1.0) for name in COUPLINGS}
        return theory.analyse(k["k_ee"], k["k_ei"], k["k_ie"], k["k_ii"], width, width)

    grid = np.linspace(low, high, points)
    analyses = [analysis(float(s)) for s in grid]
    labels = [a.label for a in analyses]
    branch_e = np.array([a.synchronized_branch.r_e if a.synchronized_branch else np.nan
                         for a in analyses])
    branch_i = np.array([a.synchronized_branch.r_i if a.synchronized_branch else np.nan
                         for a in analyses])
    incoherence = np.array([a.incoherence_stable for a in analyses])
    synchronized = np.isfinite(branch_e)

    def refine(flags: NDArray[np.bool_], predicate: Callable[[Any], bool]) -> float:
        """Bisect the first change of a boolean along the grid (NaN if none)."""
        changes = np.flatnonzero(flags[1:] != flags[:-1])
        if changes.size == 0:
            return math.nan
        a, b = float(grid[changes[0]]), float(grid[changes[0] + 1])
        value_a = bool(flags[changes[0]])
        for _ in range(30):
            middle = 0.5 * (a + b)
            if predicate(analysis(middle)) == value_a:
                a = middle
            else:
                b = middle
        return 0.5 * (a + b)

    return {
        "s": grid, "labels": labels, "branch_r_e": branch_e, "branch_r_i": branch_i,
        "s_incoherence": refine(incoherence, lambda a: bool(a.incoherence_stable)),
        "s_fold": refine(synchronized, lambda a: a.synchronized_branch is not None),
    }


def _label_at(scale: NDArray[np.float64], scan: Mapping[str, Any]) -> NDArray[np.str_]:
    index = np.clip(np.searchsorted(scan["s"], scale), 0, len(scan["labels"]) - 1)
    return np.asarray(scan["labels"])[index]


def _regions_along_time(scale: NDArray[np.float64],
                        scan: Mapping[str, Any]) -> list[dict[str, Any]]:
    labels = _label_at(scale, scan)
    regions = []
    start = 0
    for k in range(1, labels.size + 1):
        if k == labels.size or labels[k] != labels[start]:
            regions.append({"label": str(labels[start]), "start": start, "stop": k})
            start = k
    return regions


def _crossings(t: NDArray[np.float64], r_e: NDArray[np.float64], scale: NDArray[np.float64],
               scan: Mapping[str, Any]) -> dict[str, float]:
    """``s`` (and time) where ``r_E`` first falls below and then rises above half the branch."""
    finite = scan["branch_r_e"][np.isfinite(scan["branch_r_e"])]
    level = 0.5 * float(np.nanmin(finite)) if finite.size else 0.25
    below = np.flatnonzero(r_e < level)
    out = {"level": level, "s_loss": math.nan, "t_loss": math.nan, "s_return": math.nan,
           "t_return": math.nan}
    if below.size:
        out["t_loss"], out["s_loss"] = float(t[below[0]]), float(scale[below[0]])
        above = np.flatnonzero(r_e[below[0]:] > level)
        if above.size:
            k = below[0] + above[0]
            out["t_return"], out["s_return"] = float(t[k]), float(scale[k])
    return out


def _consistency(t: NDArray[np.float64], r_e: NDArray[np.float64], scale: NDArray[np.float64],
                 scan: Mapping[str, Any]) -> float:
    """Fraction of time the simulated state is one the theory allows at that ``s``.

    High (``r_E`` above half the branch) is allowed where the label is synchronized or
    bistable, low where it is desynchronized or bistable.
    """
    labels = _label_at(scale, scan)
    finite = scan["branch_r_e"][np.isfinite(scan["branch_r_e"])]
    level = 0.5 * float(np.nanmin(finite)) if finite.size else 0.25
    high = r_e > level
    allowed = np.where(high, np.isin(labels, ("synchronized", "bistable")),
                       np.isin(labels, ("desynchronized", "bistable")))
    return float(np.mean(allowed))


def _modulation_dataset(run: Run, scale: NDArray[np.float64], pure: Any,
                        floored: Mapping[str, NDArray[Any]], scan: Mapping[str, Any],
                        config: Mapping[str, Any], summary: Mapping[str, Any]) -> Any:
    import xarray as xr

    data = {
        "scale": ("time", scale,
                  {"long_name": "modulation factor s(t) of the inhibitory couplings"}),
        "r_e": ("time", run.r_e), "r_i": ("time", run.r_i), "r": ("time", run.r),
        "theory_label_now": ("time", _label_at(scale, scan).astype("U14"),
                             {"long_name": "mean-field label of the instantaneous couplings"}),
        "reduced_r_e": ("time_reduced", pure.r_e), "reduced_r_i": ("time_reduced", pure.r_i),
        "floor_r_e": ("time_floor", np.abs(floored["z_e"])),
        "floor_r_i": ("time_floor", np.abs(floored["z_i"])),
        "theory_label": ("s", np.asarray(scan["labels"]).astype("U14")),
        "theory_branch_r_e": ("s", scan["branch_r_e"]),
        "theory_branch_r_i": ("s", scan["branch_r_i"]),
    }
    coords = {"time": run.t, "time_reduced": pure.t, "time_floor": floored["t"], "s": scan["s"]}
    attrs = _attrs("modulation", config, "slow sinusoidal modulation of inhibition "
                   "(SPEC §6.3)")
    attrs["summary"] = json.dumps(_json_ready(summary))
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _plot_modulation(run: Run, scale: NDArray[np.float64], pure: Any,
                     floored: Mapping[str, NDArray[Any]], scan: Mapping[str, Any],
                     summary: Mapping[str, Any], config: Mapping[str, Any]) -> Any:
    plt = _pyplot()
    from matplotlib.patches import Patch

    figure = plt.figure(figsize=(13, 6.4), constrained_layout=True)
    grid = figure.add_gridspec(3, 2, width_ratios=(2.2, 1.0))
    axis_s = figure.add_subplot(grid[0, 0])
    axis_e = figure.add_subplot(grid[1, 0], sharex=axis_s)
    axis_i = figure.add_subplot(grid[2, 0], sharex=axis_s)
    axis_loop = figure.add_subplot(grid[:, 1])
    regions = _regions_along_time(scale, scan)
    for axis in (axis_s, axis_e, axis_i):
        for region in regions:
            t0 = run.t[region["start"]]
            t1 = run.t[min(region["stop"], run.t.size - 1)]
            axis.axvspan(t0, t1, color=LABEL_COLORS[region["label"]], alpha=0.22, lw=0)
    axis_s.plot(run.t, scale, color="k")
    axis_s.set_ylabel("scale s(t)")
    modulated = ", ".join(_pretty(name) for name in config["modulated"])
    axis_s.set_title(f"{modulated} scaled by s(t); shading: theory label of the instantaneous "
                     f"couplings", fontsize=10)
    for axis, quantity, color in ((axis_e, "r_e", "tab:red"), (axis_i, "r_i", "tab:blue")):
        axis.plot(run.t, getattr(run, quantity), color=color, lw=1.0,
                  label=f"simulation, N = {run.n}")
        axis.plot(pure.t, getattr(pure, quantity), color="k", lw=1.0, ls="--",
                  label="mean-field equations (N → ∞)")
        axis.plot(floored["t"], np.abs(floored[f"z_{quantity[-1]}"]), color="0.45", lw=1.0,
                  ls=":", label="mean-field, finite-size floor")
        branch = scan[f"branch_{quantity}"]
        axis.plot(run.t, np.interp(scale, scan["s"], branch, left=np.nan, right=np.nan),
                  color=color, lw=0.8, ls="-.", alpha=0.7, label="stable sync. branch at s(t)")
        axis.set_ylabel(f"$r_{quantity[-1].upper()}$")
        axis.set_ylim(-0.02, 1.0)
    axis_e.legend(fontsize=7, loc="upper right", ncol=2)
    axis_i.set_xlabel("time")
    axis_loop.plot(scan["s"], scan["branch_r_e"], color="tab:red", lw=2.2, alpha=0.5,
                   label="stable sync. branch (theory)")
    incoherent = np.array([label in ("desynchronized", "bistable") for label in scan["labels"]])
    axis_loop.plot(scan["s"][incoherent], np.zeros(incoherent.sum()), color="tab:purple", lw=3,
                   alpha=0.5, label="stable incoherence (theory)")
    axis_loop.plot(scale, run.r_e, color="tab:red", lw=0.8, label="simulation $r_E$")
    axis_loop.plot(_scale(floored["t"], config["scale_mean"], config["scale_amplitude"],
                          config["period"], config["phase"]), np.abs(floored["z_e"]),
                   color="0.45", lw=0.8, ls=":", label="mean-field, finite-size floor")
    for value, name in ((summary["s_incoherence"], "incoherence stable"),
                        (summary["s_fold"], "fold")):
        if np.isfinite(value):
            axis_loop.axvline(value, color="k", lw=0.7, ls="--")
            axis_loop.text(value, 0.97, f" {name}\n s = {value:.3f}", fontsize=7, va="top")
    axis_loop.set_xlabel("scale s")
    axis_loop.set_ylabel("$r_E$")
    axis_loop.set_ylim(-0.02, 1.0)
    axis_loop.set_title("hysteresis loop", fontsize=10)
    handles, names = axis_loop.get_legend_handles_labels()
    handles += [Patch(color=LABEL_COLORS[name], alpha=0.4, label=name)
                for name in ("synchronized", "bistable", "desynchronized", "other")]
    axis_loop.legend(handles=handles, fontsize=7, loc="center", bbox_to_anchor=(0.5, 0.38))
    figure.suptitle(f"Modulated inhibition: N = {run.n}, $K_{{EE}}$ = {config['k_ee']:g}, "
                    f"$K_{{IE}}$ = {config['k_ie']:g}, period {config['period']:g}", fontsize=11)
    return figure


# --------------------------------------------------------------------------- switching rate


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
    sizes = [_check_size("sizes", size) for size in sizes]
    if not sizes:
        raise ValueError("sizes: at least one network size is needed")
    k_ee_values = [float(v) for v in np.atleast_1d(np.asarray(k_ee, dtype=float))]
    k_ee_values = [check_nonnegative("k_ee", value) for value in k_ee_values]
    base = _check_couplings({"k_ei": k_ei, "k_ie": k_ie, "k_ii": k_ii}, ("k_ei", "k_ie", "k_ii"))
    width = check_positive("width", width)
    t_max = check_positive("t_max", t_max)
    dt = check_positive("dt", dt)
    transient = check_nonnegative("transient", transient)
    if transient >= t_max:
        raise ValueError(f"transient: must be shorter than t_max ({t_max}), got {transient}")
    seed = check_seed("seed", seed)
    threads = check_threads(threads)
    folder = _out_dir(out)
    jobs = [(size, value) for value in k_ee_values for size in sizes]

    def run_job(job: tuple[int, float]) -> dict[str, Any]:
        size, value = job
        model = _model(size, {"k_ee": value, **base}, width)
        run = simulate(model, t_max=t_max, dt=dt, method="rk4", record_every=5,
                       initial="random", seed=seed, threads=1, progress=False)
        result = classify(run, transient=transient)
        low, high = result.dwell_times_low, result.dwell_times_high
        return {
            "n": size, "k_ee": value, "label": result.label, "n_switches": result.n_switches,
            "fraction_high": result.fraction_high, "low_level": result.low_level,
            "high_level": result.high_level, "dip_ratio": result.dip_ratio,
            "mean_dwell_low": float(low.mean()) if low.size else math.nan,
            "mean_dwell_high": float(high.mean()) if high.size else math.nan,
            "complete_low": int(low.size), "complete_high": int(high.size),
            "analysed_time": result.duration, "wall_time": run.wall_time,
            "r": run.r,
        }

    results = _parallel_map(run_job, jobs, threads or usable_cores())
    series = [row.pop("r") for row in results]
    fit = _dwell_fit(results)
    config = {"sizes": sizes, "k_ee": k_ee_values, **base, "width": width, "t_max": t_max,
              "dt": dt, "method": "rk4", "record_every": 5, "transient": transient,
              "seed": seed, "network": "all-to-all", "frequencies": "regular Lorentzian"}
    dataset = _switching_dataset(results, series, t_max, dt, config)
    summary = {"rows": results, "fit": fit, "t_max": t_max}
    figure = _plot_switching(results, series, t_max, dt, fit)
    return _finish("switching_rate", dataset, summary, figure, folder, started)


def _dwell_fit(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Slope of log(mean dwell) against N (least squares), per K_EE and state."""
    fit: dict[str, Any] = {}
    for value in sorted({row["k_ee"] for row in rows}):
        for state in ("low", "high"):
            points = [(row["n"], row[f"mean_dwell_{state}"]) for row in rows
                      if row["k_ee"] == value and np.isfinite(row[f"mean_dwell_{state}"])]
            if len(points) >= 2:
                sizes, dwell = np.array(points, dtype=float).T
                slope, intercept = np.polyfit(sizes, np.log(dwell), 1)
                doubling = float(math.log(2) / slope) if slope > 0 else math.inf
                fit[f"{value:g}/{state}"] = {"per_oscillator": float(slope),
                                             "doubling_n": doubling,
                                             "intercept": float(intercept), "points": len(points)}
    return fit


def _switching_dataset(rows: Sequence[Mapping[str, Any]], series: Sequence[NDArray[np.float64]],
                       t_max: float, dt: float, config: Mapping[str, Any]) -> Any:
    import xarray as xr

    t = np.arange(series[0].size) * 5 * dt
    data: dict[str, Any] = {"r": (("run", "time"), np.stack(series))}
    for key in ("n", "k_ee", "n_switches", "fraction_high", "low_level", "high_level",
                "dip_ratio", "mean_dwell_low", "mean_dwell_high", "complete_low",
                "complete_high", "analysed_time"):
        data[key] = ("run", np.array([row[key] for row in rows]))
    data["label"] = ("run", np.array([row["label"] for row in rows]).astype("U14"))
    return xr.Dataset(data, coords={"run": np.arange(len(rows)), "time": t},
                      attrs=_attrs("switching_rate", config,
                                   "spontaneous switching in the bistable region against N"))


def _plot_switching(rows: Sequence[Mapping[str, Any]], series: Sequence[NDArray[np.float64]],
                    t_max: float, dt: float, fit: Mapping[str, Any]) -> Any:
    plt = _pyplot()
    figure, (axis_series, axis_dwell) = plt.subplots(
        1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": (2.0, 1.0)}, constrained_layout=True)
    t = np.arange(series[0].size) * 5 * dt
    shown = min(t_max, 6000.0)
    keep = t <= shown
    for k, (row, r) in enumerate(zip(rows, series, strict=True)):
        axis_series.plot(t[keep], r[keep] + 1.0 * k, lw=0.35, color=f"C{k % 10}")
        axis_series.text(shown, 1.0 * k + 0.5, f" N = {row['n']}, $K_{{EE}}$ = {row['k_ee']:g}\n"
                         f" {row['label']}, {row['n_switches']} sw.", fontsize=7, va="center")
    axis_series.set_xlabel("time")
    axis_series.set_ylabel("r (runs offset by 1)")
    axis_series.set_title(f"order parameter (first {shown:g} of {t_max:g} time units)", fontsize=10)
    for value in sorted({row["k_ee"] for row in rows}):
        for state, marker in (("low", "v"), ("high", "^")):
            points = [(row["n"], row[f"mean_dwell_{state}"]) for row in rows
                      if row["k_ee"] == value and np.isfinite(row[f"mean_dwell_{state}"])]
            if points:
                sizes, dwell = np.array(points).T
                axis_dwell.semilogy(sizes, dwell, marker=marker, ls="-",
                                    label=f"$K_{{EE}}$ = {value:g}, {state} state")
    axis_dwell.set_xlabel("N")
    axis_dwell.set_ylabel("mean dwell time")
    axis_dwell.set_title("dwell times against N", fontsize=10)
    axis_dwell.legend(fontsize=7)
    return figure
