"""Figure and numbers of docs/accuracy.md: run ``python docs/accuracy_figures.py``.

Writes docs/accuracy_convergence.png and prints every number docs/accuracy.md quotes:
the error of each fixed-step method against its step, the fitted orders, and the
adaptive method (dopri5) against RK4 at equal accuracy, steps and wall time. Every run is
single-threaded, so that the wall times compare the methods, not the thread scheduling.
About two minutes on one core.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import eikura as ek

HERE = Path(__file__).parent
T_MAX = 30.0
RECORD_SPACING = 0.5  # errors are taken on this grid (61 records)
BASE_DT = 0.05
FIXED_STEPS = [BASE_DT / 2**k for k in range(7)]  # 0.05 ... 7.8e-4
REFERENCE_DT = BASE_DT / 2**9  # RK4, about 1e-4
STAGES = {"euler": 1, "heun": 2, "rk4": 4}
RTOLS = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9]
COLOURS = {"euler": "#1f77b4", "heun": "#2ca02c", "rk4": "#d62728", "dopri5": "#9467bd"}


def reference_model() -> ek.EIKuramoto:
    """N = 2000 all-to-all, K = (6, 1, 12, 2), regular Lorentzian quantiles (width 1)."""
    return ek.EIKuramoto(n_e=1600, n_i=400, k_ee=6.0, k_ei=1.0, k_ie=12.0, k_ii=2.0,
                         frequencies=ek.Lorentzian(0.0, 1.0, regular=True))


def run(method: str, dt: float, **tolerances: float) -> ek.Run:
    record_every = round(RECORD_SPACING / dt)
    assert abs(record_every * dt - RECORD_SPACING) < 1e-12
    with warnings.catch_warnings():  # the coarsest Euler steps are past the guard's advice
        warnings.simplefilter("ignore", ek.StepSizeWarning)
        return ek.simulate(reference_model(), t_max=T_MAX, dt=dt, method=method,
                           record_every=record_every, initial="sync", seed=0, threads=1,
                           progress=False, **tolerances)


def error(result: ek.Run, reference: ek.Run) -> float:
    """Largest |Δr_E| or |Δr_I| over the records."""
    return float(max(np.max(np.abs(result.r_e - reference.r_e)),
                     np.max(np.abs(result.r_i - reference.r_i))))


def slope(steps: list[float], errors: list[float]) -> float:
    """Least-squares slope of log(error) against log(step)."""
    return float(np.polyfit(np.log(steps), np.log(errors), 1)[0])


def fastest(method: str, dt: float, repeats: int = 3, **tolerances: float) -> tuple[ek.Run, float]:
    """The run and its best wall time of `repeats` (the machine is shared)."""
    runs = [run(method, dt, **tolerances) for _ in range(repeats)]
    return runs[0], min(r.wall_time for r in runs)


def measure() -> dict[str, Any]:
    start = time.perf_counter()
    reference = run("rk4", REFERENCE_DT)
    check = run("rk4", 2 * REFERENCE_DT)
    print(f"== reference: rk4 dt = {REFERENCE_DT:.4g} ({reference.wall_time:.1f} s); "
          f"rk4 at 2 dt differs by {error(check, reference):.2g} "
          f"(the reference's own error is ~16x smaller)")
    print(f"   final r_E = {reference.r_e[-1]:.10f}, r_I = {reference.r_i[-1]:.10f}")
    fixed: dict[str, list[float]] = {}
    for method in STAGES:
        fixed[method] = [error(run(method, dt), reference) for dt in FIXED_STEPS]
    print("== fixed step: max over t of |Δr_E|, |Δr_I|")
    print("   dt        " + "  ".join(f"{m:>9}" for m in STAGES))
    for k, dt in enumerate(FIXED_STEPS):
        print(f"   {dt:<9.4g} " + "  ".join(f"{fixed[m][k]:9.2e}" for m in STAGES))
    orders = {m: slope(FIXED_STEPS[-4:], fixed[m][-4:]) for m in STAGES}
    coarse = {m: slope(FIXED_STEPS[:4], fixed[m][:4]) for m in STAGES}
    print("   slope over the 4 smallest steps: "
          + ", ".join(f"{m} {orders[m]:.2f}" for m in STAGES)
          + "; over the 4 largest: " + ", ".join(f"{m} {coarse[m]:.2f}" for m in STAGES))

    print("== dopri5 (atol = rtol / 100, dt = 0.01 the first step) against rk4 at equal error")
    print("   rtol   error     accepted rejected evals   time s | rk4 dt    error     "
          "evals   time s | evals ratio time ratio")
    adaptive: list[dict[str, Any]] = []
    log_c, p = np.polyfit(np.log(FIXED_STEPS[-4:]), np.log(fixed["rk4"][-4:]), 1)[::-1]
    for rtol in RTOLS:
        result, seconds = fastest("dopri5", 0.01, rtol=rtol, atol=rtol / 100)
        settings = result.config["run"]
        row = {"rtol": rtol, "error": error(result, reference), "time": seconds,
               "accepted": settings["accepted_steps"], "rejected": settings["rejected_steps"],
               "evaluations": settings["evaluations"]}
        # The RK4 step that reaches the same error by the fitted law, rounded down so
        # that the record spacing stays a whole number of steps.
        wanted = float(np.exp((np.log(row["error"]) - log_c) / p))
        rk4_dt = RECORD_SPACING / int(np.ceil(RECORD_SPACING / min(wanted, BASE_DT)))
        rk4, rk4_seconds = fastest("rk4", rk4_dt)
        row.update(rk4_dt=rk4_dt, rk4_error=error(rk4, reference), rk4_time=rk4_seconds,
                   rk4_evaluations=4 * round(T_MAX / rk4_dt))
        adaptive.append(row)
        print(f"   {rtol:<6.0e} {row['error']:.2e}  {row['accepted']:8d} {row['rejected']:8d} "
              f"{row['evaluations']:7d} {seconds:6.2f} | {rk4_dt:<9.3g} {row['rk4_error']:.2e}  "
              f"{row['rk4_evaluations']:7d} {rk4_seconds:6.2f} | "
              f"{row['evaluations'] / row['rk4_evaluations']:11.2f} {seconds / rk4_seconds:10.2f}")
    print(f"== total {time.perf_counter() - start:.0f} s")
    return {"fixed": fixed, "orders": orders, "adaptive": adaptive}


def figure(results: dict[str, Any]) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.3))
    steps = np.array(FIXED_STEPS)
    for method, errors in results["fixed"].items():
        label = f"{method} (slope {results['orders'][method]:.2f})"
        left.loglog(steps, errors, "o-", color=COLOURS[method], label=label)
        right.loglog(STAGES[method] * T_MAX / steps, errors, "o-", color=COLOURS[method],
                     label=method)
    # Guide lines of each method's order, through its smallest step's error (×1/3).
    for method, order in (("euler", 1), ("heun", 2), ("rk4", 4)):
        anchor = results["fixed"][method][-1] / 3
        left.loglog(steps, anchor * (steps / steps[-1]) ** order, ":", color=COLOURS[method],
                    lw=1)
        left.annotate(f"dt$^{order}$", (steps[-1], anchor), color=COLOURS[method], fontsize=8,
                      ha="right", va="top")
    left.set_ylim(1e-8, 0.3)
    left.set_xlabel("step dt")
    left.set_ylabel(r"max over t of $|\Delta r_E|, |\Delta r_I|$")
    left.set_title("Fixed-step methods: error against step")
    left.legend(fontsize=8)
    adaptive = results["adaptive"]
    right.loglog([row["evaluations"] for row in adaptive], [row["error"] for row in adaptive],
                 "s-", color=COLOURS["dopri5"], label="dopri5 (rtol 1e-3 ... 1e-9)")
    for row in adaptive[::2]:
        right.annotate(f"{row['rtol']:.0e}", (row["evaluations"], row["error"]), fontsize=7,
                       textcoords="offset points", xytext=(4, 4), color=COLOURS["dopri5"])
    right.set_xlabel("evaluations of the right-hand side (t = 0..30)")
    right.set_ylabel(r"max over t of $|\Delta r_E|, |\Delta r_I|$")
    right.set_title("Work against accuracy")
    right.legend(fontsize=8)
    for axis in (left, right):
        axis.grid(True, which="major", alpha=0.3)
    fig.suptitle("N = 2000 all-to-all, K = (6, 1, 12, 2), regular Lorentzian, from sync; "
                 f"reference RK4 dt = {REFERENCE_DT:.2g}", fontsize=10)
    fig.tight_layout()
    fig.savefig(HERE / "accuracy_convergence.png", dpi=110)


if __name__ == "__main__":
    figure(measure())
