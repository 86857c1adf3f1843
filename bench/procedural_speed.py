"""Procedural against stored networks, before against after a change, in one run.

Runs two builds of the C++ micro-benchmark ``cpp/bench/bench_rhs.cpp`` (configure with
``-DEIKURA_CPP_BENCH=ON``) in interleaved rounds: in each round every (build, network,
threads) case runs once, in the same order, so that a busy machine slows all cases
alike. Each run reports the best of a few evaluations; the table gives the median over
the rounds, and every ratio is taken between medians of this one run.

    cmake -S <old checkout> -B /tmp/old -DEIKURA_CPP_BENCH=ON && cmake --build /tmp/old
    cmake -S . -B /tmp/new -DEIKURA_CPP_BENCH=ON && cmake --build /tmp/new
    python bench/procedural_speed.py /tmp/old/eikura_bench_rhs /tmp/new/eikura_bench_rhs

Two rates per case: edge-terms per wall-clock second, and per CPU-second and thread
(the process's CPU time divided by the threads; less sensitive to other processes on a
shared machine, but blind to threads that wait for each other).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess

LINE = re.compile(r"best (?P<seconds>[0-9.e+-]+) s\s+(?P<wall>[0-9.e+-]+) edge-terms/s \(wall\), "
                  r"(?P<cpu>[0-9.e+-]+) per CPU-second")


def run_case(binary: str, procedural: bool, n: int, k: int, threads: int, repeats: int) -> dict[str, float]:
    """One run of the benchmark: its best wall-clock and CPU rates."""
    environment = {key: value for key, value in os.environ.items() if key != "EIKURA_PROCEDURAL"}
    if procedural:
        environment["EIKURA_PROCEDURAL"] = "1"
    output = subprocess.run([binary, str(n), str(k), str(threads), str(repeats)], env=environment,
                            capture_output=True, text=True, check=True).stdout
    match = LINE.search(output)
    if match is None:
        raise RuntimeError(f"{binary}: unexpected output {output!r}")
    return {"wall": float(match["wall"]), "cpu": float(match["cpu"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before", help="eikura_bench_rhs of the old build")
    parser.add_argument("after", help="eikura_bench_rhs of the new build")
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5, help="evaluations per run (best kept)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    arguments = parser.parse_args()

    builds = {"before": arguments.before, "after": arguments.after}
    cases = [(build, network, threads) for threads in arguments.threads
             for network in ("stored", "procedural") for build in builds]
    rates: dict[tuple[str, str, int], list[dict[str, float]]] = {case: [] for case in cases}
    for _ in range(arguments.rounds):
        for build, network, threads in cases:
            rates[build, network, threads].append(run_case(
                builds[build], network == "procedural", arguments.n, arguments.k, threads,
                arguments.repeats))

    def median(case: tuple[str, str, int], kind: str) -> float:
        return statistics.median(run[kind] for run in rates[case])

    print(f"N = {arguments.n}, k = {arguments.k}; medians of {arguments.rounds} interleaved rounds, "
          f"each the best of {arguments.repeats} evaluations; edge-terms/s wall (per CPU-second "
          "and thread)\n")
    print("| build | threads | stored | procedural | stored / procedural |")
    print("|---|---|---|---|---|")
    for build, threads in ((build, threads) for build in builds for threads in arguments.threads):
        stored, procedural = (build, "stored", threads), (build, "procedural", threads)
        print(f"| {build} | {threads} | {median(stored, 'wall'):.3g} ({median(stored, 'cpu'):.3g}) "
              f"| {median(procedural, 'wall'):.3g} ({median(procedural, 'cpu'):.3g}) "
              f"| {median(stored, 'wall') / median(procedural, 'wall'):.1f}x "
              f"({median(stored, 'cpu') / median(procedural, 'cpu'):.1f}x) |")
    print()
    for threads in arguments.threads:
        after, before = ("after", "procedural", threads), ("before", "procedural", threads)
        print(f"- procedural, {threads} thread(s), after / before: "
              f"{median(after, 'wall') / median(before, 'wall'):.2f}x wall "
              f"({median(after, 'cpu') / median(before, 'cpu'):.2f}x per CPU-second)")
    if 1 in arguments.threads and 2 in arguments.threads:
        for build in builds:
            for network in ("stored", "procedural"):
                print(f"- {build}, {network}: 1 -> 2 threads "
                      f"{median((build, network, 2), 'wall') / median((build, network, 1), 'wall'):.2f}x"
                      " wall")


if __name__ == "__main__":
    main()
