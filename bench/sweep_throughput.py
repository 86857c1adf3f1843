"""Throughput of the ways to run a parameter sweep (the table of docs/sweeps.md).

    python bench/sweep_throughput.py            # N = 1000, 64 points, 1000 RK4 steps
    python bench/sweep_throughput.py --quick    # 16 points, 200 steps

Every path runs the same points in this one process, one after the other, so the ratios
between them are measured under the same conditions; the absolute rates depend on the
machine and its load (printed with the table).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import numpy as np

import eikura as ek

K_EE = np.linspace(3.0, 7.0, 8)
K_II = np.linspace(0.0, 4.0, 8)


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (Dask workers included)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(run: Callable[[], Any]) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    run()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="16 points of 200 steps")
    args = parser.parse_args()
    k_ee, k_ii = (K_EE[::2], K_II[::2]) if args.quick else (K_EE, K_II)
    steps = 200 if args.quick else 1000
    dt = 0.05
    model = ek.EIKuramoto(n_e=800, n_i=200, k_ee=4.0, k_ei=1.0, k_ie=12.0, k_ii=2.0,
                          frequencies=ek.Lorentzian(0.0, 1.0, regular=True))
    points = [{"k_ee": float(a), "k_ii": float(b)} for a in k_ee for b in k_ii]
    t_max = steps * dt
    common = {"t_max": t_max, "dt": dt, "seed": 0, "method": "rk4", "progress": False}

    def one_by_one(threads: int | None) -> Callable[[], Any]:
        def run() -> None:
            for index, point in enumerate(points):
                simulated = ek.simulate(model.with_changes(**point), t_max=t_max, dt=dt,
                                        method="rk4", seed=index, threads=threads,
                                        progress=False)
                ek.classify(simulated)
        return run

    paths: list[tuple[str, Callable[[], Any]]] = [
        ("`ek.simulate` + `ek.classify` per point, `threads=None`", one_by_one(None)),
        ("the same, `threads=1`", one_by_one(1)),
        ("`ek.sweep(scheduler=\"serial\")` (ensembles of members in one C++ call)",
         lambda: ek.sweep(model, over=points, scheduler="serial", **common)),
        ("`ek.sweep(scheduler=\"serial\", batch_size=1)` (one C++ call per point)",
         lambda: ek.sweep(model, over=points, scheduler="serial", batch_size=1, **common)),
        ("`ek.sweep(scheduler=\"local\")` (local Dask cluster, start-up included)",
         lambda: ek.sweep(model, over=points, scheduler="local", **common)),
        ("`ek.sweep()` (default: `scheduler=None`)",
         lambda: ek.sweep(model, over=points, **common)),
    ]
    # Warm up first (imports of xarray and Dask, the theory's first solve), so that no
    # path pays for it.
    ek.sweep(model, over=points[:2], scheduler="serial", **common)
    load = os.getloadavg()[0]
    results = [(name, *measure(run)) for name, run in paths]
    reference = results[2][1]
    print(f"N = 1000 (800 E, 200 I), all-to-all, RK4, dt = {dt}, {len(points)} points of "
          f"{steps} steps, one start; {platform.machine()}, {os.cpu_count()} cores, eikura "
          f"{ek.__version__}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, 1-minute load "
          f"average before: {load:.2f}\n")
    print("| path | points / min | wall time / serial ensemble sweep | CPU ms / point |")
    print("|---|---:|---:|---:|")
    for name, wall, cpu in results:
        print(f"| {name} | {60 * len(points) / wall:.0f} | {wall / reference:.2f} | "
              f"{1000 * cpu / len(points):.0f} |")


if __name__ == "__main__":
    main()
