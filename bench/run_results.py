"""Regenerate bench/RESULTS.md: eikura's right-hand side against the NumPy/SciPy
reference and against itself (1 vs 2 threads, stored vs procedural), in one run.

    python bench/run_results.py            # about two minutes on 2 cores
    python bench/run_results.py --big      # also 10^6 x 1000 synapses (4 GB, several minutes)

Every timing is the best of a few repeats; every comparison is a ratio measured in the
same run, on the same machine. Each eikura result is checked against the reference.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import reference  # noqa: E402

import eikura as ek  # noqa: E402
from eikura.simulation import _core_simulation  # noqa: E402

COUPLINGS = (5.0, 1.0, 12.0, 2.0)


def best_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def model_of(n: int, network) -> ek.EIKuramoto:
    n_e = int(0.8 * n)
    return ek.EIKuramoto(n_e=n_e, n_i=n - n_e, k_ee=COUPLINGS[0], k_ei=COUPLINGS[1], k_ie=COUPLINGS[2],
                         k_ii=COUPLINGS[3], frequencies=ek.Lorentzian(0.0, 1.0, regular=True), network=network)


def prepared(model: ek.EIKuramoto, theta: np.ndarray, threads: int):
    omega = model.natural_frequencies(np.random.default_rng())
    simulation = _core_simulation(model, omega, theta, 0, threads, method="rk4", dt=1.0, n_steps=0,
                                  record_every=1, snapshot_every=0, frequency_from_step=-1, wrap=False)
    return simulation, omega


def rhs_case(n: int, network, reference_kind: str, repeats: int) -> dict:
    model = model_of(n, network)
    theta = np.random.default_rng(7).uniform(0.0, 2.0 * np.pi, n)
    row = {"case": f"N={n:.0e} {type(network).__name__}", "reference": reference_kind}
    for threads in (1, 2):
        simulation, omega = prepared(model, theta, threads)
        row[f"eikura_{threads}"] = best_time(lambda s=simulation: s.derivative(theta, 0.0), repeats)
    ours = simulation.derivative(theta, 0.0)
    if reference_kind == "dense pairwise":
        expected = reference.rhs_pairwise(theta, 0.0, omega, model.n_e, COUPLINGS)
        row["reference_time"] = best_time(
            lambda: reference.rhs_pairwise(theta, 0.0, omega, model.n_e, COUPLINGS), 1)
    elif reference_kind == "NumPy mean field":
        expected = reference.rhs_mean_field(theta, 0.0, omega, model.n_e, COUPLINGS)
        row["reference_time"] = best_time(
            lambda: reference.rhs_mean_field(theta, 0.0, omega, model.n_e, COUPLINGS), repeats)
    else:
        net = model.network.build(model.n_e, model.n_i, 0, 0)
        matrix = scipy.sparse.csr_array((np.ones(net.n_edges), net.indices, net.indptr), shape=(n, n))
        expected = reference.rhs_sparse(theta, 0.0, omega, model.n_e, COUPLINGS, matrix)
        row["reference_time"] = best_time(
            lambda: reference.rhs_sparse(theta, 0.0, omega, model.n_e, COUPLINGS, matrix), 3)
        row["edges"] = net.n_edges
    row["max_difference"] = float(np.max(np.abs(ours - expected)))
    return row


def procedural_case(n: int, k_e: int, k_i: int, repeats: int) -> dict:
    theta = np.random.default_rng(7).uniform(0.0, 2.0 * np.pi, n)
    row = {"case": f"N={n:.0e} k={k_e + k_i}"}
    results = {}
    for name, network in (("stored", ek.FixedInDegree(k_e=k_e, k_i=k_i)),
                          ("procedural", ek.Procedural(k_e=k_e, k_i=k_i))):
        simulation, _ = prepared(model_of(n, network), theta, 2)
        row[name] = best_time(lambda s=simulation: s.derivative(theta, 0.0), repeats)
        results[name] = simulation.derivative(theta, 0.0)
    row["identical"] = bool(np.array_equal(results["stored"], results["procedural"]))
    row["edges"] = n * (k_e + k_i)
    return row


def big_case() -> dict:
    n, k_e, k_i = 1_000_000, 800, 200
    model = model_of(n, ek.FixedInDegree(k_e=k_e, k_i=k_i))
    estimate = ek.estimate_memory(model, n_steps=100, record_every=10, snapshot_every=0)
    start = time.perf_counter()
    run = ek.simulate(model, t_max=0.05, dt=0.01, method="rk4", seed=1, progress=False)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"estimate": estimate["total"], "peak": peak, "wall": wall, "steps": run.steps_done,
            "r": float(run.r[-1]), "edges": n * (k_e + k_i)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--big", action="store_true", help="also run 10^6 x 1000 synapses")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()

    # First, so that the peak resident memory of this process is the big run's own.
    big = big_case() if args.big else None
    rhs_rows = [
        rhs_case(10_000, ek.AllToAll(), "dense pairwise", 20),
        rhs_case(10_000, ek.AllToAll(), "NumPy mean field", 50),
        rhs_case(100_000, ek.FixedInDegree(k_e=80, k_i=20), "scipy.sparse", 10),
        rhs_case(1_000_000, ek.FixedInDegree(k_e=80, k_i=20), "scipy.sparse", 3),
    ]
    procedural_rows = [procedural_case(100_000, 80, 20, 3), procedural_case(100_000, 800, 200, 2)]

    lines = [
        "# eikura benchmarks",
        "",
        f"Regenerated by `python bench/run_results.py{' --big' if args.big else ''}` on "
        f"{platform.machine()}, {ek._core.max_threads()} cores, Python {platform.python_version()}, "
        f"eikura {ek.__version__}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
        "Times are the best of several repeats of one right-hand-side evaluation (dθ/dt for all N "
        "oscillators); ratios are measured in this one run. Every eikura result is compared "
        "with the reference (last column).",
        "",
        "## Right-hand side: eikura against the NumPy/SciPy reference",
        "",
        "| case | reference | reference (s) | eikura 1 thread (s) | eikura 2 threads (s) | "
        "speed-up vs reference (2 threads) | 1 -> 2 threads | edge-terms/s (2 threads) | max abs difference |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rhs_rows:
        edges = row.get("edges")
        rate = f"{edges / row['eikura_2']:.3g}" if edges else "-"
        lines.append(
            f"| {row['case']} | {row['reference']} | {row['reference_time']:.4g} | {row['eikura_1']:.4g} | "
            f"{row['eikura_2']:.4g} | {row['reference_time'] / row['eikura_2']:.1f}x | "
            f"{row['eikura_1'] / row['eikura_2']:.2f}x | {rate} | {row['max_difference']:.1e} |")
    lines += [
        "",
        "## Stored against procedural networks (2 threads)",
        "",
        "| network | stored (s) | procedural (s) | procedural / stored | edge-terms/s procedural | bit-identical |",
        "|---|---|---|---|---|---|",
    ]
    for row in procedural_rows:
        lines.append(
            f"| {row['case']} | {row['stored']:.4g} | {row['procedural']:.4g} | "
            f"{row['procedural'] / row['stored']:.1f}x | {row['edges'] / row['procedural']:.3g} | "
            f"{row['identical']} |")
    if big:
        lines += [
            "",
            "## 10^6 oscillators x 1000 synapses (stored, RK4, dt = 0.01)",
            "",
            f"{big['steps']} steps in {big['wall']:.1f} s including building the network; "
            f"memory estimated {big['estimate'] / 2**30:.2f} GiB, peak resident "
            f"{big['peak'] / 2**30:.2f} GiB; final r = {big['r']:.3f}.",
        ]
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
