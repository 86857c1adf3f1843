"""``eikura reproduce``: run the three experiments of the paper and write a Markdown report.

:func:`reproduce` runs :func:`eikura.experiments.time_series`,
:func:`~eikura.experiments.phase_diagram`, :func:`~eikura.experiments.modulation` and
:func:`~eikura.experiments.switching_rate` at sizes that finish in about ten minutes on
two cores (``quick=True``: about a minute), and writes ``report.md`` next to their data
and figures, with the key numbers and a closing note on where simulation and theory
disagree.
"""

from __future__ import annotations

import json
import math
import os
import platform
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from . import theory
from ._engine import usable_cores
from ._metadata import eikura_version
from ._validation import check_bool, check_seed, check_threads
from .experiments import ExperimentResult, modulation, phase_diagram, switching_rate, time_series

__all__ = ["SIZES", "Report", "reproduce"]

SIZES: dict[str, dict[str, dict[str, Any]]] = {
    "full": {
        "time_series": {"n": 20_000, "t_max": 100.0, "switching_n": 100, "switching_k_ee": 4.22,
                        "switching_t_max": 6000.0},
        "phase_diagram": {"n": 2000, "x_values": np.linspace(3.0, 7.0, 15),
                          "y_values": np.linspace(0.0, 4.0, 15), "t_max": 150.0, "dt": 0.1},
        "modulation": {"n": 20_000, "period": 2000.0, "dt": 0.1},
        "switching_rate": {"sizes": (60, 80, 100, 120, 150), "k_ee": 4.24, "t_max": 40_000.0},
    },
    "quick": {
        "time_series": {"n": 2000, "t_max": 40.0, "switching_n": 100, "switching_k_ee": 4.22,
                        "switching_t_max": 2500.0},
        "phase_diagram": {"n": 400, "x_values": np.linspace(3.0, 7.0, 6),
                          "y_values": np.linspace(0.0, 4.0, 6), "t_max": 60.0, "dt": 0.1,
                          "theory_resolution": 101},
        "modulation": {"n": 2000, "period": 300.0, "dt": 0.1, "theory_points": 41},
        "switching_rate": {"sizes": (60, 80), "k_ee": 4.24, "t_max": 3000.0},
    },
}
"""Experiment arguments of the full and the quick reproduction."""


@dataclass
class Report:
    """What :func:`reproduce` did.

    Attributes
    ----------
    path : pathlib.Path
        The Markdown report.
    results : dict of str to ExperimentResult
        The experiments by name.
    seconds : float
        Total wall time.
    quick : bool
        Whether the quick sizes were used.
    notes : list of str
        The closing notes (also in the report).
    """

    path: Path
    results: dict[str, ExperimentResult]
    seconds: float
    quick: bool
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"<eikura Report {str(self.path)!r}: {len(self.results)} experiments, "
                f"{self.seconds:.0f} s>")


def reproduce(
    out: str | os.PathLike[str] = "eikura-reproduce",
    *,
    quick: bool = False,
    threads: int | None = None,
    seed: int = 1,
    verbose: bool = True,
    log: Callable[[str], None] | None = None,
) -> Report:
    """Run the three experiments (and the switching-rate study) and write a report.

    Parameters
    ----------
    out : path, default "eikura-reproduce"
        Folder for ``report.md``, the NetCDF data and the PNG/PDF figures (created).
    quick : bool, default False
        Small sizes (about a minute) instead of the full ones (about ten minutes on two
        cores); see :data:`SIZES`.
    threads : int, optional
        Cores to use (default: all).
    seed : int, default 1
        Seed of every experiment.
    verbose : bool, default True
        Print progress (through ``log``, default ``print``).
    log : callable, optional
        Receives the progress lines.

    Returns
    -------
    Report

    Examples
    --------
    >>> import tempfile
    >>> from eikura.report import reproduce
    >>> report = reproduce(tempfile.mkdtemp(), quick=True, verbose=False)  # doctest: +SKIP
    >>> report.path.name  # doctest: +SKIP
    'report.md'
    """
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(
            f"out: expected a folder path (str or pathlib.Path), got {type(out).__name__}")
    quick = check_bool("quick", quick)
    threads = check_threads(threads)
    seed = check_seed("seed", seed)
    verbose = check_bool("verbose", verbose)
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"out: {str(folder)!r} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    say = (log or print) if verbose else (lambda _: None)
    sizes = SIZES["quick" if quick else "full"]
    started = time.perf_counter()
    results: dict[str, ExperimentResult] = {}
    steps: list[tuple[str, Callable[..., ExperimentResult], dict[str, Any]]] = [
        ("time_series", time_series, {"threads": threads}),
        ("phase_diagram", phase_diagram, {"threads": threads}),
        ("modulation", modulation, {"threads": threads}),
        ("switching_rate", switching_rate, {"threads": threads}),
    ]
    for name, function, extra in steps:
        say(f"eikura reproduce: {name} ...")
        results[name] = function(**sizes[name], **extra, seed=seed, out=folder)
        say(f"  done in {results[name].seconds:.1f} s")
    seconds = time.perf_counter() - started
    notes = closing_notes(results)
    path = folder / "report.md"
    path.write_text(render(results, notes, seconds, quick), encoding="utf-8")
    say(f"eikura reproduce: wrote {path} ({seconds:.0f} s in all)")
    return Report(path, results, seconds, quick, notes)


# --------------------------------------------------------------------------- text


def _number(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(int(value))
    value = float(value)
    if math.isnan(value):
        return "-"
    if math.isinf(value):
        return "inf"
    return f"{value:.{digits}f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _figure(result: ExperimentResult) -> str:
    pngs = [p for p in result.files if p.suffix == ".png"]
    if not pngs:
        return ""
    png = pngs[0]
    return f"![{result.name}]({png.name})\n\n(also [{png.with_suffix('.pdf').name}]" \
           f"({png.with_suffix('.pdf').name}); data: [{result.name}.nc]({result.name}.nc))\n"


def render(results: Mapping[str, ExperimentResult], notes: Sequence[str], seconds: float,
           quick: bool) -> str:
    """The Markdown report for the results of :func:`reproduce`."""
    widths = ", ".join(sorted({f"{_config(result)['width']:g}" for result in results.values()}))
    lines = [
        "# eikura: reproduction report",
        "",
        f"eikura {eikura_version()}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"{platform.machine()} with {usable_cores()} cores; {'quick' if quick else 'full'} sizes; "
        f"total wall time **{seconds:.0f} s**.",
        "",
        "All simulations: all-to-all coupling, 80 % excitatory oscillators, regular "
        f"Lorentzian frequencies of half-width {widths}, RK4. Theory: `eikura.theory` "
        "(Ott-Antonsen mean field, exact for N → ∞).",
        "",
        _table(["experiment", "wall time (s)"],
               [[name, _number(result.seconds, 1)] for name, result in results.items()]),
        "",
    ]
    if "time_series" in results:
        lines += _section_time_series(results["time_series"])
    if "phase_diagram" in results:
        lines += _section_phase_diagram(results["phase_diagram"])
    if "modulation" in results:
        lines += _section_modulation(results["modulation"])
    if "switching_rate" in results:
        lines += _section_switching(results["switching_rate"])
    lines += ["## Where simulation and theory disagree", ""]
    lines += [f"* {note}" for note in notes]
    lines.append("")
    return "\n".join(lines)


def _section_time_series(result: ExperimentResult) -> list[str]:
    summary = result.summary
    config = _config(result)
    kept = 100 * (1 - config["transient"] / config["t_max"])
    rows = [[row["state"], _number(row["k_ee"], 2), row["start"], _number(row["mean_r_e"]),
             _number(row["theory_r_e"]), _number(row["mean_r_i"]), _number(row["theory_r_i"]),
             _number(row["error"]), row["label"], row["theory_label"]]
            for row in summary["runs"]]
    lines = [
        "## 1. Time series in the three states", "",
        f"N = {summary['n']}; means over the last {kept:.0f} % of each run. The theory column is "
        "the stable state the run should reach from its start (incoherence: r = 0).", "",
        _table(["state", "K_EE", "start", "r_E sim", "r_E theory", "r_I sim", "r_I theory",
                "max abs diff", "classified", "theory label"], rows), "",
    ]
    switching = summary.get("switching")
    if switching:
        lines += [
            f"Small network: N = {switching['n']}, K_EE = {switching['k_ee']:g} "
            f"(theory: {switching['theory_label']}), {switching['t_max']:g} time units → "
            f"**{switching['label']}**: {switching['n_switches']} switches between "
            f"r ≈ {_number(switching['low_level'], 2)} and {_number(switching['high_level'], 2)}, "
            f"{_number(100 * switching['fraction_high'], 0)} % of the time high, mean dwell "
            f"low {_number(switching['mean_dwell_low'], 0)} / high "
            f"{_number(switching['mean_dwell_high'], 0)} time units "
            f"(relaxation time {_number(switching['relaxation_time'], 2)}).", "",
        ]
    return [*lines, _figure(result), ""]


def _section_phase_diagram(result: ExperimentResult) -> list[str]:
    summary = result.summary
    confusion = summary["confusion"]
    simulated_labels = sorted({label for row in confusion.values() for label in row})
    rows = [[theory_label, *(confusion[theory_label].get(label, 0) for label in simulated_labels)]
            for theory_label in sorted(confusion)]
    starts = ("two starts (random and synchronized phases)" if summary["two_start"]
              else "random start")
    lines = [
        f"## 2. Phase diagram over {summary['x']} × {summary['y']}", "",
        f"{len(summary['x_values'])} × {len(summary['y_values'])} grid, N = {summary['n']}, "
        f"t = {summary['t_max']:g}, {starts}. "
        f"Simulated label = theory label at **{100 * summary['agreement']:.0f} %** of the "
        f"points ({summary['n_disagree']} of {summary['n_points']} differ).", "",
        "Counts (rows: theory, columns: simulation):", "",
        _table(["theory \\ simulation", *simulated_labels], rows), "",
    ]
    if summary["disagreements"]:
        lines += ["Disagreements and their distance (along the x axis) to the nearest "
                  f"theoretical boundary (grid spacing {summary['grid_spacing_x']:.2f}):", ""]
        lines.append(_table(
            [summary["x"], summary["y"], "simulation", "theory", "distance",
             "mean-field r_E swing"],
            [[_number(d["x"], 2), _number(d["y"], 2), d["simulated"], d["theory"],
              _number(d["distance_to_boundary"], 2), _number(d["mean_field_swing"], 2)]
             for d in summary["disagreements"]]))
        lines.append("")
    return [*lines, _figure(result), ""]


def _section_modulation(result: ExperimentResult) -> list[str]:
    summary = result.summary
    crossings = summary["crossings"]
    rows = [[name, _number(c["s_loss"]), _number(c["t_loss"], 0), _number(c["s_return"]),
             _number(c["t_return"], 0)]
            for name, c in (("simulation", crossings["simulation"]),
                            ("mean-field (N → ∞)", crossings["reduced"]),
                            ("mean-field with finite-size floor", crossings["reduced_floor"]))]
    low, high = summary["s_range"]
    config = _config(result)
    modulated = " and ".join(f"K_{name[2:].upper()}" for name in config["modulated"])
    cycles = ("one period" if config["cycles"] == 1 else f"{config['cycles']:g} periods")
    return [
        "## 3. Modulated inhibition", "",
        f"{modulated} scaled by s(t) from {low:g} to {high:g} and back over {cycles} of "
        f"{summary['period']:g} time units, N = {summary['n']}. Theory along s: synchronized "
        f"below s = {_number(summary['s_incoherence'])} (incoherence unstable), bistable up to "
        f"the fold s = {_number(summary['s_fold'])}, desynchronized above. Regions passed: "
        f"{' → '.join(summary['regions'])}.", "",
        "Where r_E falls below (loss) and rises back above (return) half the weakest "
        "synchronized level:", "",
        _table(["trajectory", "s at loss", "t at loss", "s at return", "t at return"], rows), "",
        f"The simulated state is one the theory allows at the instantaneous couplings "
        f"{100 * summary['consistent_fraction']:.0f} % of the time.", "",
        _figure(result), "",
    ]


def _section_switching(result: ExperimentResult) -> list[str]:
    summary = result.summary
    rows = [[row["n"], _number(row["k_ee"], 2), row["label"], row["n_switches"],
             _number(row["fraction_high"], 2), _number(row["mean_dwell_low"], 0),
             _number(row["mean_dwell_high"], 0)] for row in summary["rows"]]
    fits = [f"{key}: dwell time × e every {_number(1 / fit['per_oscillator'], 0)} oscillators"
            for key, fit in summary["fit"].items() if fit["per_oscillator"] > 0]
    return [
        "## 4. Spontaneous switching against N", "",
        f"Bistable edge (K_EE just below the mean-field fold), one run of "
        f"{summary['t_max']:g} time units per size; dwell times from complete episodes.", "",
        _table(["N", "K_EE", "classified", "switches", "time high", "mean dwell low",
                "mean dwell high"], rows), "",
        ("Exponential fit of the mean dwell time against N (K_EE/state): " + "; ".join(fits) + ".")
        if fits else "Too few complete episodes for a fit.", "",
        _figure(result), "",
    ]


def closing_notes(results: Mapping[str, ExperimentResult]) -> list[str]:
    """Sentences on where simulation and theory disagree, from the numbers."""
    writers: dict[str, Callable[[ExperimentResult], list[str]]] = {
        "time_series": _time_series_notes,
        "phase_diagram": _phase_diagram_notes,
        "modulation": _modulation_notes,
        "switching_rate": _switching_notes,
    }
    notes: list[str] = []
    for name, write in writers.items():
        if name in results:
            notes += write(results[name])
    return notes


def _config(result: ExperimentResult) -> dict[str, Any]:
    """The configuration an experiment ran with (stored with its data)."""
    config: dict[str, Any] = json.loads(result.dataset.attrs["config"])
    return config


def _k_ee_boundaries(config: Mapping[str, Any]) -> tuple[float, float]:
    """``K_EE`` where incoherence loses stability and where the synchronized branch folds
    (mean-field theory, NaN where there is none) at the other couplings of ``config``."""
    k_ei = float(config["k_ei"])
    curves = theory.boundaries("k_ei", np.array([k_ei, k_ei + 1.0]), "k_ee",
                               k_ie=config["k_ie"], k_ii=config["k_ii"],
                               width_e=config["width"], width_i=config["width"])
    folds = curves.fold_values(k_ei)
    return float(curves.incoherence_real[0, 1]), float(folds.min()) if folds.size else math.nan


def _time_series_notes(series: ExperimentResult) -> list[str]:
    notes: list[str] = []
    n = series.summary["n"]
    rows = series.summary["runs"]
    incoherence_k_ee, fold_k_ee = _k_ee_boundaries(_config(series))
    synchronized = [row for row in rows if row["theory_state"] != "incoherent"]
    incoherent = [row for row in rows if row["theory_state"] == "incoherent"]
    if synchronized:
        worst = max(row["error"] for row in synchronized)
        notes.append(f"Synchronized states: the simulated r_E, r_I (N = {n}) "
                     f"match the mean-field levels within {worst:.4f}.")
    if incoherent:
        worst_row = max(incoherent, key=lambda row: row["mean_r_i"])
        notes.append(
            f"Incoherence is r = 0 only for N → ∞: from random phases the network keeps a "
            f"finite-size level, r_E ≈ {worst_row['mean_r_e']:.3f} and r_I ≈ "
            f"{worst_row['mean_r_i']:.3f} at K_EE = {worst_row['k_ee']:g} "
            f"(N = {n}), above sqrt(π/4N_X) because incoherence is a weakly "
            f"damped focus near the boundary (K_EE = {incoherence_k_ee:.3g}).")
    switching = series.summary.get("switching")
    if switching and switching["theory_label"] != "bistable":
        notes.append(
            f"At N = {switching['n']}, K_EE = {switching['k_ee']:g} the theory says "
            f"{switching['theory_label']} (no synchronized state yet: the fold is at "
            f"K_EE ≈ {fold_k_ee:.3g}) but the small network still visits a synchronized level "
            f"(r ≈ {_number(switching['high_level'], 2)}): finite size shifts the fold.")
    return notes


def _phase_diagram_notes(diagram: ExperimentResult) -> list[str]:
    summary = diagram.summary
    spacing = summary["grid_spacing_x"]
    near_limit = 2.0 * spacing if math.isfinite(spacing) else math.inf
    cycles, unseen_cycles, near, far = [], [], [], []
    for d in summary["disagreements"]:
        if d["theory"] == "other":
            cycles.append(d)
        elif d["limit_cycle"]:
            unseen_cycles.append(d)
        elif d["distance_to_boundary"] <= near_limit:
            near.append(d)
        else:
            far.append(d)
    notes: list[str] = []
    if cycles:
        notes.append(
            f"Phase diagram: at {len(cycles)} grid points the theory's attractors include a "
            f"stable limit cycle ('other') and the simulation says "
            f"{_label_counts(cycles)}: where the cycle coexists with a stable steady state "
            f"the run from random phases may end on the steady state, and at "
            f"N = {summary['n']} a cycle of small amplitude cannot be told from the "
            f"quasi-cycle of a weakly damped focus.")
    if unseen_cycles:
        notes.append(
            f"Phase diagram: at {len(unseen_cycles)} grid points the mean-field equations "
            f"started near incoherence oscillate (r_E swing > 0.05) although the theory's "
            f"census found no cycle there; the simulation says {_label_counts(unseen_cycles)}.")
    if near:
        notes.append(_finite_size_note(summary, near))
    if far:
        where = "; ".join(f"{summary['x']} = {d['x']:.3g}, {summary['y']} = {d['y']:.3g}: "
                          f"{d['simulated']} where the theory says {d['theory']}" for d in far)
        notes.append(
            f"Phase diagram: {len(far)} disagreeing grid points lie farther than two grid "
            f"spacings from any theoretical boundary ({where}); finite size does not "
            f"explain them: look at those runs (a transient longer than "
            f"t = {summary['t_max']:g}, or a classifier error).")
    if not summary["n_disagree"]:
        notes.append(f"Phase diagram: every grid point agrees with the theory "
                     f"(N = {summary['n']}).")
    return notes


def _label_counts(disagreements: list[dict[str, Any]]) -> str:
    counts = Counter(d["simulated"] for d in disagreements)
    return ", ".join(f"{label} at {count}" for label, count in counts.most_common())


def _finite_size_note(summary: Mapping[str, Any], near: list[dict[str, Any]]) -> str:
    spacing = summary["grid_spacing_x"]
    distance = max(d["distance_to_boundary"] for d in near)
    spacings = (f", i.e. within {distance / spacing:.1f} grid spacings"
                if math.isfinite(spacing) and spacing > 0 else "")
    return (f"Phase diagram: {len(near)} of {summary['n_points']} grid points differ near a "
            f"boundary, all within {distance:.2f} (in {summary['x']}) of it{spacings}: at "
            f"N = {summary['n']} fluctuations kick the network out of a barely stable state "
            f"(mostly bistable points seen as synchronized: the random start escapes "
            f"incoherence near its stability boundary), and near a fold or a weakly damped "
            f"focus t = {summary['t_max']:g} is short against the slow relaxation.")


def _modulation_notes(modulated: ExperimentResult) -> list[str]:
    summary = modulated.summary
    simulation = summary["crossings"]["simulation"]
    pure = summary["crossings"]["reduced"]
    floor = summary["crossings"]["reduced_floor"]
    if math.isnan(pure["s_return"]):
        pure_return = ("The N → ∞ mean-field equations never do within the period: during the "
                       "desynchronized phase |z| decays far below any finite-size level, so "
                       "they leave incoherence only long after it has become unstable "
                       "(delayed bifurcation); ")
    else:
        pure_return = (f"The N → ∞ mean-field equations return at "
                       f"s = {_number(pure['s_return'])}; ")
    return [
        f"Modulation: synchronization is lost at s = {_number(simulation['s_loss'])} "
        f"(theory's fold {_number(summary['s_fold'])}; the mean-field equations driven by "
        f"the same schedule: {_number(pure['s_loss'])}): the lag behind the quasi-static "
        f"fold is the slow passage through the saddle-node, in theory and simulation alike.",
        f"On the way back the simulation resynchronizes at "
        f"s = {_number(simulation['s_return'])}, after incoherence has become unstable at "
        f"s = {_number(summary['s_incoherence'])}. {pure_return}with a finite-size floor "
        f"|z_X| ≥ sqrt(π/4N_X) they return at s = {_number(floor['s_return'])}, close to the "
        f"simulation.",
    ]


def _switching_notes(rates: ExperimentResult) -> list[str]:
    all_rows = rates.summary["rows"]
    if not all_rows:
        return []
    if not any(row["n_switches"] > 0 for row in all_rows):
        return ["Switching rate: no switches in any run (sizes too large or runs too short)."]
    rate_text = ", ".join(
        f"N = {row['n']}: {row['n_switches']} switches "
        f"({row['n_switches'] / row['analysed_time'] * 1000:.2g} per 1000 time units)"
        for row in all_rows)
    fits = [fit["per_oscillator"] for fit in rates.summary["fit"].values()
            if fit["per_oscillator"] > 0]
    fit_text = (f"; the mean dwell time grows by a factor e every {1 / np.mean(fits):.0f} "
                f"oscillators (roughly exponential in N)" if fits else "")
    k_ee_values = ", ".join(sorted({f"{row['k_ee']:g}" for row in all_rows}))
    return [f"Switching rate against N at K_EE = {k_ee_values}: {rate_text}{fit_text}. "
            f"Spontaneous switching is a small-network effect (see docs/science.md for longer "
            f"runs)."]
