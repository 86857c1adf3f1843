"""``eikura demo``: the three states of a 10^5-oscillator sparse network.

The couplings walk K_EE up at fixed K_EI = 1, K_IE = 12, K_II = 2 (Lorentzian
frequencies, half-width 1). Mean-field theory puts incoherence stable below K_EE = 5
and a synchronized branch above K_EE ≈ 4.23, so:

* K_EE = 3.0: only incoherence is stable      -> desynchronized
* K_EE = 4.6: both are stable                  -> bistable (two starts, hysteresis)
* K_EE = 6.0: only the synchronized state      -> synchronized

At N = 10^5 the bistable network does not switch by itself within the run, so the
bistable point is shown by two starts: from random phases it stays low, from
synchronized phases it stays high.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .classify import Classification, classify, classify_two_start
from .distributions import Lorentzian
from .experiments import DEFAULT_COUPLINGS, STATE_POINTS
from .model import EIKuramoto
from .networks import FixedInDegree
from .simulation import Run, simulate

BASE_COUPLINGS = DEFAULT_COUPLINGS
"""The fixed couplings (those of the experiments)."""
STATES = STATE_POINTS
"""``(state, K_EE)`` of the three runs (those of the time-series experiment)."""


@dataclass
class DemoResult:
    state: str
    k_ee: float
    runs: dict[str, Run]  # by start: "random", "sync"
    classification: Classification


def _couplings_text() -> str:
    return ", ".join(f"K_{name[2:].upper()} = {value:g}" for name, value in BASE_COUPLINGS.items())


def _mean_late(values: np.ndarray) -> float:
    return float(np.mean(values[values.size // 2:]))


def run_demo(n: int = 100_000, t_max: float = 30.0, out: Path | str = "eikura-demo",
             threads: int | None = None, seed: int = 1, dt: float = 0.05,
             in_degree: int = 100, verbose: bool = True) -> list[DemoResult]:
    """Run the demonstration and write ``demo.png``/``demo.pdf`` and the runs (NetCDF).

    Parameters
    ----------
    n
        Number of oscillators (80 % excitatory).
    t_max, dt
        Duration and step of each run (stochastic-free Heun steps).
    out
        Output folder (created).
    in_degree
        Inputs per oscillator (80 % from E, 20 % from I).

    Examples
    --------
    >>> from eikura.demo import run_demo
    >>> results = run_demo(n=2000, t_max=4.0, out=__import__("tempfile").mkdtemp(),
    ...                    in_degree=50, verbose=False)
    >>> [r.state for r in results]
    ['desynchronized', 'bistable', 'synchronized']
    """
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_e = int(round(0.8 * n))
    k_e = int(round(0.8 * in_degree))
    network = FixedInDegree(k_e=k_e, k_i=in_degree - k_e)
    frequencies = Lorentzian(center=0.0, width=1.0)
    if verbose:
        print(f"eikura demo: N = {n} ({n_e} E, {n - n_e} I), fixed in-degree {k_e} E + "
              f"{in_degree - k_e} I, Lorentzian width 1, {_couplings_text()}, "
              f"Heun dt = {dt}, t = 0..{t_max}, seed {seed}")
    results = []
    started = time.perf_counter()
    for state, k_ee in STATES:
        model = EIKuramoto(n_e=n_e, n_i=n - n_e, k_ee=k_ee, k_ei=BASE_COUPLINGS["k_ei"],
                           k_ie=BASE_COUPLINGS["k_ie"], k_ii=BASE_COUPLINGS["k_ii"],
                           frequencies=frequencies, network=network)
        starts = ("random", "sync") if state == "bistable" else ("random",)
        runs = {}
        for start in starts:
            run = simulate(model, t_max=t_max, dt=dt, method="heun", record_every=4,
                           initial=start, seed=seed, threads=threads, initial_spread=0.3)
            runs[start] = run
            run.save(out_dir / f"demo_{state}_{start}.nc")
        if state == "bistable":
            classification = classify_two_start(runs["random"], runs["sync"])
        else:
            classification = classify(runs["random"])
        results.append(DemoResult(state, k_ee, runs, classification))
    total = time.perf_counter() - started
    if verbose:
        print(format_table(results))
        print(f"total wall time {total:.1f} s")
    figure_path = plot_demo(results, out_dir)
    if verbose:
        print(f"figure: {figure_path} (and .pdf); runs: {out_dir}/demo_*.nc")
    return results


def format_table(results: list[DemoResult]) -> str:
    header = (f"{'expected':<15} {'K_EE':>5} {'start':<7} {'mean r_E':>8} {'mean r_I':>8} "
              f"{'classified':<15} {'wall s':>7} {'osc-steps/s':>12}")
    lines = [header, "-" * len(header)]
    for result in results:
        for start, run in result.runs.items():
            lines.append(
                f"{result.state:<15} {result.k_ee:>5.2f} {start:<7} {_mean_late(run.r_e):>8.3f} "
                f"{_mean_late(run.r_i):>8.3f} {result.classification.label:<15} "
                f"{run.wall_time:>7.2f} {run.oscillator_steps_per_second:>12.3g}"
            )
    lines.append("(means over the second half of each run)")
    return "\n".join(lines)


def plot_demo(results: list[DemoResult], out_dir: Path) -> Path:
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(results), figsize=(4.2 * len(results), 3.4), sharey=True)
    styles: dict[str, Any] = {"random": {"ls": "-"}, "sync": {"ls": "--"}}
    for axis, result in zip(np.atleast_1d(axes), results, strict=True):
        for start, run in result.runs.items():
            axis.plot(run.t, run.r_e, color="tab:red", label=f"$r_E$, {start} start", **styles[start])
            axis.plot(run.t, run.r_i, color="tab:blue", label=f"$r_I$, {start} start", **styles[start])
        axis.set_title(f"$K_{{EE}}$ = {result.k_ee:g}: {result.classification.label}")
        axis.set_xlabel("time")
        axis.set_ylim(0, 1)
        axis.legend(fontsize=7, loc="center right")
    np.atleast_1d(axes)[0].set_ylabel("order parameter r")
    n = results[0].runs["random"].n
    couplings = ", ".join(f"$K_{{{name[2:].upper()}}}$ = {value:g}"
                          for name, value in BASE_COUPLINGS.items())
    figure.suptitle(f"EI-Kuramoto, N = {n}, sparse fixed in-degree ({couplings})")
    figure.tight_layout()
    path = out_dir / "demo.png"
    figure.savefig(path, dpi=120)
    figure.savefig(out_dir / "demo.pdf")
    plt.close(figure)
    return path
