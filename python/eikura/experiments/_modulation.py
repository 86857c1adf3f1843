"""Experiment 3: inhibition modulated by a slow sinusoid."""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import theory
from .._validation import (
    check_choice,
    check_int,
    check_nonnegative,
    check_positive,
    check_seed,
    check_threads,
)
from ..labels import LABEL_COLORS, LABELS
from ..model import COUPLINGS
from ..schedules import Sinusoid
from ..simulation import Run, simulate
from ._common import (
    DEFAULT_COUPLINGS,
    ExperimentResult,
    check_couplings,
    check_size,
    coupling_symbol,
    dataset_attrs,
    experiment_model,
    finish,
    json_ready,
    output_folder,
    pyplot,
)

__all__ = ["modulation"]


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
    started = time.perf_counter()
    n = check_size("n", n)
    base = check_couplings({"k_ee": k_ee, "k_ei": k_ei, "k_ie": k_ie, "k_ii": k_ii}, COUPLINGS)
    modulated = _check_modulated(modulated)
    scale = _check_scale(scale_mean, scale_amplitude, period)
    cycles = check_positive("cycles", cycles)
    width = check_positive("width", width)
    dt = check_positive("dt", dt)
    initial = check_choice("initial", initial, ("sync", "random"))
    seed = check_seed("seed", seed)
    threads = check_threads(threads)
    theory_points = check_int("theory_points", theory_points, minimum=3, maximum=10_000)
    folder = output_folder(out)

    schedules = scale.schedules(base, modulated)
    t_max = cycles * scale.period
    record_every = _record_every(t_max, dt)
    run = simulate(experiment_model(n, schedules, width), t_max=t_max, dt=dt, method="rk4",
                   record_every=record_every, initial=initial, seed=seed, threads=threads,
                   progress=False)
    z0 = (complex(run.z_e[0]), complex(run.z_i[0]))
    reduced_dt = min(dt, 0.05)
    pure = theory.integrate_reduced(schedules["k_ee"], schedules["k_ei"], schedules["k_ie"],
                                    schedules["k_ii"], width, width, t_max=t_max, dt=reduced_dt,
                                    record_every=_record_every(t_max, reduced_dt), z0=z0)
    floors = _incoherent_levels(run)
    floored = _reduced_with_floor(schedules, width, t_max, reduced_dt, z0, floors)
    scan = _scale_scan(base, modulated, width, *scale.range, theory_points)

    config = {"n": n, **base, "modulated": list(modulated), "scale_mean": scale.mean,
              "scale_amplitude": scale.amplitude, "period": scale.period, "phase": scale.phase,
              "cycles": cycles, "width": width, "dt": dt, "method": "rk4",
              "record_every": record_every, "initial": initial, "seed": seed,
              "network": "all-to-all", "frequencies": "regular Lorentzian",
              "floors": list(floors)}
    summary = _summary(n, scale, run, pure, floored, scan)
    dataset = _modulation_dataset(run, scale, pure, floored, scan, config, summary)
    figure = _plot_modulation(run, scale, pure, floored, scan, summary, config)
    return finish("modulation", dataset, summary, figure, folder, started)


@dataclass(frozen=True)
class _ScaleFactor:
    """``s(t) = mean + amplitude * sin(2 pi t / period + phase)``, the factor of the
    modulated couplings; the default phase starts it at its minimum."""

    mean: float
    amplitude: float
    period: float
    phase: float = -0.5 * math.pi

    def __call__(self, t: ArrayLike) -> NDArray[np.float64]:
        angle = 2 * np.pi * np.asarray(t, dtype=float) / self.period + self.phase
        values: NDArray[np.float64] = self.mean + self.amplitude * np.sin(angle)
        return values

    @property
    def range(self) -> tuple[float, float]:
        return self.mean - self.amplitude, self.mean + self.amplitude

    def schedules(self, base: Mapping[str, float], modulated: Sequence[str]) -> dict[str, Any]:
        """Every coupling: a :class:`Sinusoid` ``base * s(t)`` if modulated, else ``base``."""
        return {
            name: (Sinusoid(base[name] * self.mean, base[name] * self.amplitude, self.period,
                            self.phase) if name in modulated else base[name])
            for name in COUPLINGS
        }


def _check_modulated(modulated: Any) -> tuple[str, ...]:
    if isinstance(modulated, str) or not all(isinstance(m, str) for m in modulated):
        raise TypeError("modulated: expected a sequence of coupling names, e.g. ('k_ei', 'k_ii')")
    names = tuple(check_choice("modulated", name, COUPLINGS) for name in modulated)
    if not names:
        raise ValueError("modulated: name at least one coupling")
    return names


def _check_scale(mean: Any, amplitude: Any, period: Any) -> _ScaleFactor:
    mean = check_nonnegative("scale_mean", mean)
    amplitude = check_nonnegative("scale_amplitude", amplitude)
    if amplitude > mean:
        raise ValueError(f"scale_amplitude: must be <= scale_mean ({mean}) so that the "
                         f"couplings stay >= 0, got {amplitude}")
    return _ScaleFactor(mean, amplitude, check_positive("period", period))


def _record_every(t_max: float, dt: float) -> int:
    """Steps between records so that a run keeps about 4000 points."""
    return max(1, int(round(t_max / dt / 4000)))


def _incoherent_levels(run: Run) -> tuple[float, float]:
    """``sqrt(pi / (4 N_X))``: the finite-size level of ``|z_X|`` in incoherence."""
    return math.sqrt(math.pi / (4 * run.n_e)), math.sqrt(math.pi / (4 * run.n_i))


def _summary(n: int, scale: _ScaleFactor, run: Run, pure: Any,
             floored: Mapping[str, NDArray[Any]], scan: Mapping[str, Any]) -> dict[str, Any]:
    """Theory's boundaries in ``s``, the regions passed, crossings and consistency."""
    scale_now = scale(run.t)
    crossings = {
        "simulation": _crossings(run.t, run.r_e, scale_now, scan),
        "reduced": _crossings(pure.t, pure.r_e, scale(pure.t), scan),
        "reduced_floor": _crossings(floored["t"], np.abs(floored["z_e"]), scale(floored["t"]),
                                    scan),
    }
    return {
        "n": n, "period": scale.period, "s_range": list(scale.range),
        "s_incoherence": scan["s_incoherence"], "s_fold": scan["s_fold"],
        "regions": [r["label"] for r in _regions_along_time(scale_now, scan)],
        "crossings": crossings,
        "consistent_fraction": _consistency(run.r_e, scale_now, scan),
        "wall_time": run.wall_time,
    }


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
    level = _synchronized_level(scan)
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


def _consistency(r_e: NDArray[np.float64], scale: NDArray[np.float64],
                 scan: Mapping[str, Any]) -> float:
    """Fraction of time the simulated state is one the theory allows at that ``s``.

    High (``r_E`` above half the branch) is allowed where the label is synchronized or
    bistable, low where it is desynchronized or bistable.
    """
    labels = _label_at(scale, scan)
    high = r_e > _synchronized_level(scan)
    allowed = np.where(high, np.isin(labels, ("synchronized", "bistable")),
                       np.isin(labels, ("desynchronized", "bistable")))
    return float(np.mean(allowed))


def _synchronized_level(scan: Mapping[str, Any]) -> float:
    """Half the weakest stable synchronized ``r_E`` along ``s`` (0.25 without a branch):
    above it a network counts as synchronized."""
    finite = scan["branch_r_e"][np.isfinite(scan["branch_r_e"])]
    return 0.5 * float(np.nanmin(finite)) if finite.size else 0.25


def _modulation_dataset(run: Run, scale: _ScaleFactor, pure: Any,
                        floored: Mapping[str, NDArray[Any]], scan: Mapping[str, Any],
                        config: Mapping[str, Any], summary: Mapping[str, Any]) -> Any:
    import xarray as xr

    scale_now = scale(run.t)
    data = {
        "scale": ("time", scale_now,
                  {"long_name": "modulation factor s(t) of the inhibitory couplings"}),
        "r_e": ("time", run.r_e), "r_i": ("time", run.r_i), "r": ("time", run.r),
        "theory_label_now": ("time", _label_at(scale_now, scan).astype("U14"),
                             {"long_name": "mean-field label of the instantaneous couplings"}),
        "reduced_r_e": ("time_reduced", pure.r_e), "reduced_r_i": ("time_reduced", pure.r_i),
        "floor_r_e": ("time_floor", np.abs(floored["z_e"])),
        "floor_r_i": ("time_floor", np.abs(floored["z_i"])),
        "theory_label": ("s", np.asarray(scan["labels"]).astype("U14")),
        "theory_branch_r_e": ("s", scan["branch_r_e"]),
        "theory_branch_r_i": ("s", scan["branch_r_i"]),
    }
    coords = {"time": run.t, "time_reduced": pure.t, "time_floor": floored["t"], "s": scan["s"]}
    attrs = dataset_attrs("modulation", config, "slow sinusoidal modulation of inhibition")
    attrs["summary"] = json.dumps(json_ready(summary))
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _plot_modulation(run: Run, scale: _ScaleFactor, pure: Any,
                     floored: Mapping[str, NDArray[Any]], scan: Mapping[str, Any],
                     summary: Mapping[str, Any], config: Mapping[str, Any]) -> Any:
    """Left: s(t), r_E and r_I against time, shaded by the theory's label; right: the loop."""
    from matplotlib.patches import Patch

    figure = pyplot().figure(figsize=(13, 6.4), constrained_layout=True)
    grid = figure.add_gridspec(3, 2, width_ratios=(2.2, 1.0))
    axis_s = figure.add_subplot(grid[0, 0])
    axis_e = figure.add_subplot(grid[1, 0], sharex=axis_s)
    axis_i = figure.add_subplot(grid[2, 0], sharex=axis_s)
    scale_now = scale(run.t)
    _shade_regions((axis_s, axis_e, axis_i), run.t, _regions_along_time(scale_now, scan))
    axis_s.plot(run.t, scale_now, color="k")
    axis_s.set_ylabel("scale s(t)")
    modulated = ", ".join(coupling_symbol(name) for name in config["modulated"])
    axis_s.set_title(f"{modulated} scaled by s(t); shading: theory label of the instantaneous "
                     f"couplings", fontsize=10)
    for axis, quantity, color in ((axis_e, "r_e", "tab:red"), (axis_i, "r_i", "tab:blue")):
        _plot_order_parameter(axis, quantity, color, run, scale_now, pure, floored, scan)
    axis_i.set_xlabel("time")
    _plot_loop(figure.add_subplot(grid[:, 1]), run, scale, floored, scan, summary)
    # The legend of the time panels goes below them (never over a curve): the lines of
    # the r_E panel (the r_I panel draws the same ones in blue) and the shading's labels.
    handles, names = axis_e.get_legend_handles_labels()
    handles += [Patch(color=LABEL_COLORS[name], alpha=0.4) for name in LABELS]
    axis_i.legend(handles, [*names, *(f"theory: {name}" for name in LABELS)], fontsize=7,
                  ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.3), frameon=False)
    figure.suptitle(f"Modulated inhibition: N = {run.n}, $K_{{EE}}$ = {config['k_ee']:g}, "
                    f"$K_{{IE}}$ = {config['k_ie']:g}, period {config['period']:g}", fontsize=11)
    return figure


def _shade_regions(axes: Sequence[Any], t: NDArray[np.float64],
                   regions: Sequence[Mapping[str, Any]]) -> None:
    for axis in axes:
        for region in regions:
            t0 = t[region["start"]]
            t1 = t[min(region["stop"], t.size - 1)]
            axis.axvspan(t0, t1, color=LABEL_COLORS[region["label"]], alpha=0.22, lw=0)


def _plot_order_parameter(axis: Any, quantity: str, color: str, run: Run,
                          scale_now: NDArray[np.float64], pure: Any,
                          floored: Mapping[str, NDArray[Any]], scan: Mapping[str, Any]) -> None:
    """``quantity`` (``"r_e"`` or ``"r_i"``): simulation, both mean-field runs, the branch."""
    axis.plot(run.t, getattr(run, quantity), color=color, lw=1.0,
              label=f"simulation, N = {run.n}")
    axis.plot(pure.t, getattr(pure, quantity), color="k", lw=1.0, ls="--",
              label="mean-field equations (N → ∞)")
    axis.plot(floored["t"], np.abs(floored[f"z_{quantity[-1]}"]), color="0.45", lw=1.0,
              ls=":", label="mean-field, finite-size floor")
    branch = scan[f"branch_{quantity}"]
    axis.plot(run.t, np.interp(scale_now, scan["s"], branch, left=np.nan, right=np.nan),
              color=color, lw=0.8, ls="-.", alpha=0.7, label="stable sync. branch at s(t)")
    axis.set_ylabel(f"$r_{quantity[-1].upper()}$")
    axis.set_ylim(-0.02, 1.0)


def _plot_loop(axis: Any, run: Run, scale: _ScaleFactor, floored: Mapping[str, NDArray[Any]],
               scan: Mapping[str, Any], summary: Mapping[str, Any]) -> None:
    """``r_E`` against ``s``: the hysteresis loop over the theory's stable states, with
    arrows in the direction of time."""
    axis.plot(scan["s"], scan["branch_r_e"], color="tab:red", lw=2.2, alpha=0.5,
              label="stable sync. branch (theory)")
    incoherent = np.array([label in ("desynchronized", "bistable") for label in scan["labels"]])
    axis.plot(scan["s"][incoherent], np.zeros(incoherent.sum()), color="tab:purple", lw=3,
              alpha=0.5, label="stable incoherence (theory)")
    axis.plot(scale(run.t), run.r_e, color="tab:red", lw=0.8, label="simulation $r_E$")
    _direction_arrows(axis, scale(run.t), run.r_e)
    axis.plot(scale(floored["t"]), np.abs(floored["z_e"]), color="0.45", lw=0.8, ls=":",
              label="mean-field, finite-size floor")
    for value, name in ((summary["s_incoherence"], "incoherence stable"),
                        (summary["s_fold"], "fold")):
        if np.isfinite(value):
            axis.axvline(value, color="k", lw=0.7, ls="--")
            axis.text(value, 0.97, f" {name}\n s = {value:.3f}", fontsize=7, va="top")
    axis.set_xlabel("scale s")
    axis.set_ylabel("$r_E$")
    axis.set_ylim(-0.02, 1.0)
    axis.set_title("hysteresis loop (arrows: direction of time)", fontsize=10)
    axis.legend(fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.1),
                frameon=False)


def _direction_arrows(axis: Any, s: NDArray[np.float64], r_e: NDArray[np.float64],
                      count: int = 6) -> None:
    """Arrows along the loop, on a running mean of r_E (the noise hides the direction)."""
    width = max(1, s.size // 200)
    smooth = np.convolve(r_e, np.ones(width) / width, mode="same")
    for k in np.linspace(0, s.size - 1, count + 2)[1:-1].astype(int):
        ahead = min(k + 4 * width, s.size - 1)
        if ahead > k:
            axis.annotate("", xy=(s[ahead], smooth[ahead]), xytext=(s[k], smooth[k]),
                          arrowprops={"arrowstyle": "-|>", "color": "k", "lw": 1.2})
