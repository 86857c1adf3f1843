"""Regenerate bench/RESULTS.md: eikura against the NumPy/SciPy reference, against itself
(plain vs tiled gather, 1 vs 2 threads, float64 vs float32, stored vs procedural) and
against its peers (bench/peers: Brian2, the PyPI ``kuramoto`` package), in one run.

    python bench/run_results.py            # about 5 minutes on 2 cores (peers included)
    python bench/run_results.py --big      # also 10^9, 10^10 synapses, all-to-all N = 10^7 (10 min in all
                                           # with --no-peers on a 2-core AMD EPYC; 2.5 GB peak)
    python bench/run_results.py --no-peers # skip bench/peers (no Brian2 venv needed; the old
                                           # peers section, dated by its run, is kept)
    python bench/run_results.py --huge-only  # only the 10^10-synapse section, in place (~4 min)

Every timing is the best of a few repeats; every comparison is a ratio measured in this
same run on this machine. Each eikura result is checked against the reference.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import eikura as ek  # noqa: E402
import reference  # noqa: E402
from eikura import _core  # noqa: E402

COUPLINGS = (5.0, 1.0, 12.0, 2.0)
PLAIN_GATHER_FIGURE = 0.35e9  # the issue's plain CSR gather at N = 10^6, k = 100 (0.3-0.4e9)
ISSUE_SCIPY_FIGURE = 0.85e8   # the issue's scipy.sparse figure on the same problem


def best_time(function: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def model_of(n: int, network: Any) -> ek.EIKuramoto:
    n_e = int(0.8 * n)
    k_ee, k_ei, k_ie, k_ii = COUPLINGS
    return ek.EIKuramoto(n_e=n_e, n_i=n - n_e, k_ee=k_ee, k_ei=k_ei, k_ie=k_ie, k_ii=k_ii,
                         frequencies=ek.Lorentzian(0.0, 1.0, regular=True), network=network)


def prepared(model: ek.EIKuramoto, threads: int, precision: str = "float64") -> ek.RightHandSide:
    """The right-hand side, prepared once (regular frequencies: the same ω for any seed)."""
    return ek.right_hand_side(model, seed=0, threads=threads, precision=precision)


def time_rhs(rhs: ek.RightHandSide, theta: np.ndarray, repeats: int) -> float:
    out = np.empty_like(theta)
    rhs(theta, 0.0, out)  # warm-up: first touch of the scratch arrays
    return best_time(lambda: rhs(theta, 0.0, out), repeats)


def scipy_operator(model: ek.EIKuramoto, csr: scipy.sparse.csr_array) -> Any:
    """The reference's sparse right-hand side with its operator built once, outside the timing."""
    return reference.SparseOperator(csr, model.n, model.n_e, "in-degree")


def rhs_sparse_case(n: int, k_e: int, k_i: int, repeats: int) -> dict[str, Any]:
    """eikura (tiled and plain gather, 1 and 2 threads, float64 and float32) against scipy.sparse."""
    model = model_of(n, ek.FixedInDegree(k_e=k_e, k_i=k_i))
    theta = np.random.default_rng(7).uniform(0.0, 2.0 * np.pi, n)
    omega = model.natural_frequencies(np.random.default_rng())
    network = model.network.build(model.n_e, model.n_i, 0, 0)
    indptr, indices = network.indptr, network.indices
    csr = scipy.sparse.csr_array((np.ones(indices.size), indices, indptr), shape=(n, n))
    operator = scipy_operator(model, csr)
    expected = operator(theta, 0.0, omega, COUPLINGS)
    row: dict[str, Any] = {"case": f"N={n:.0e} k={k_e + k_i}", "edges": int(indices.size),
                           "tiled": bool(network.tiled)}
    row["scipy"] = best_time(lambda: operator(theta, 0.0, omega, COUPLINGS), max(1, repeats // 3))
    differences = []
    for threads in (1, 2):
        simulation = prepared(model, threads)
        row[f"eikura_{threads}"] = time_rhs(simulation, theta, repeats)
        differences.append(np.max(np.abs(simulation(theta, 0.0) - expected)))
    single = prepared(model, 2, "float32")
    row["float32_2"] = time_rhs(single, theta, repeats)
    row["float32_error"] = float(np.max(np.abs(single(theta, 0.0) - expected)))
    if network.tiled:  # the same network in plain CSR order, for the same-run comparison
        plain_network = _core.CsrNetwork.from_csr(model.n_e, model.n_i, indptr, indices, np.empty(0),
                                                  tile=False)
        plain = ek.RightHandSide(_core.Simulation(
            n_e=model.n_e, n_i=model.n_i, omega=omega, couplings=model.core_couplings(), noise_e=0.0,
            noise_i=0.0, network=plain_network, normalization=model.normalization, method="rk4", dt=1.0,
            n_steps=0, record_every=1, snapshot_every=0, frequency_from_step=-1, wrap=False, seed=0,
            threads=2, initial=theta), model.n)
        row["plain_2"] = time_rhs(plain, theta, repeats)
        differences.append(np.max(np.abs(plain(theta, 0.0) - expected)))
    row["max_difference"] = float(max(differences))
    return row


def rhs_all_to_all_case(n: int, reference_kind: str, repeats: int) -> dict[str, Any]:
    model = model_of(n, ek.AllToAll())
    theta = np.random.default_rng(7).uniform(0.0, 2.0 * np.pi, n)
    omega = model.natural_frequencies(np.random.default_rng())
    if reference_kind == "dense pairwise":
        function = lambda: reference.rhs_pairwise(theta, 0.0, omega, model.n_e, COUPLINGS)  # noqa: E731
        reference_repeats = 1
    else:
        function = lambda: reference.rhs_mean_field(theta, 0.0, omega, model.n_e, COUPLINGS)  # noqa: E731
        reference_repeats = repeats
    expected = function()
    row: dict[str, Any] = {"case": f"all-to-all N={n:.0e}", "reference": reference_kind,
                           "reference_time": best_time(function, reference_repeats)}
    for threads in (1, 2):
        simulation = prepared(model, threads)
        row[f"eikura_{threads}"] = time_rhs(simulation, theta, repeats)
    row["max_difference"] = float(np.max(np.abs(simulation(theta, 0.0) - expected)))
    return row


def procedural_case(n: int, k_e: int, k_i: int, repeats: int) -> dict[str, Any]:
    """The same network stored and procedural, 2 threads (procedural on 1 thread too)."""
    theta = np.random.default_rng(7).uniform(0.0, 2.0 * np.pi, n)
    row: dict[str, Any] = {"case": f"N={n:.0e} k={k_e + k_i}", "edges": n * (k_e + k_i)}
    results = {}
    for name, network in (("stored", ek.FixedInDegree(k_e=k_e, k_i=k_i)),
                          ("procedural", ek.Procedural(k_e=k_e, k_i=k_i))):
        model = model_of(n, network)
        simulation = prepared(model, 2)
        row[name] = time_rhs(simulation, theta, repeats)
        results[name] = simulation(theta, 0.0)
    row["procedural_1"] = time_rhs(prepared(model_of(n, ek.Procedural(k_e=k_e, k_i=k_i)), 1), theta, repeats)
    row["identical"] = bool(np.array_equal(results["stored"], results["procedural"]))
    return row


def kept_sections(path: Path, titles: set[str]) -> list[str]:
    """The sections of the old results file that this script does not write (runs of other
    scripts, noted there with their commands), to carry over unchanged."""
    if not path.exists():
        return []
    kept: list[str] = []
    keep = False
    for line in path.read_text().split("\n"):
        if line.startswith("## "):
            keep = line not in titles
        if keep:
            kept.append(line)
    return kept


def float32_run_case() -> dict[str, Any]:
    """The accuracy cost of float32 tables over a run: the same run in both precisions."""
    model = model_of(100_000, ek.FixedInDegree(k_e=80, k_i=20))
    runs = {precision: ek.simulate(model, t_max=2.0, dt=0.01, method="rk4", record_every=10, seed=3,
                                   precision=precision, progress=False)
            for precision in ("float64", "float32")}
    double, single = runs["float64"], runs["float32"]
    phase_gap = np.abs(np.angle(np.exp(1j * (single.phases - double.phases))))
    return {"r_gap": float(np.max(np.abs(single.r - double.r))), "phase_gap": float(phase_gap.max()),
            "phase_gap_median": float(np.median(phase_gap)), "r_final": float(double.r[-1]),
            "wall_64": double.wall_time, "wall_32": single.wall_time}


def run_peers(skip: bool) -> tuple[str, list[dict[str, Any]]]:
    """bench/peers/run_all.py in its own process: its markdown table and its result rows
    (none when skipped: the old section, dated by its own run, is kept)."""
    if skip:
        return "", []
    with tempfile.TemporaryDirectory() as scratch:
        fragment, rows = Path(scratch) / "peers.md", Path(scratch) / "peers.json"
        command = [sys.executable, str(HERE / "peers" / "run_all.py"), "--markdown", str(fragment),
                   "--json", str(rows)]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not fragment.exists():
            return ("bench/peers/run_all.py failed (exit code "
                    f"{result.returncode}):\n\n```\n{(result.stdout + result.stderr)[-3000:]}\n```"), []
        return fragment.read_text(), list(json.loads(rows.read_text())["rows"])


def peer_ratio(rows: list[dict[str, Any]], problem: str, tool: str) -> float | None:
    """The tool's integration time over eikura's (2 threads) on one peers problem."""
    times = {row["tool"]: row["integration_s"] for row in rows
             if row["problem"] == problem and row.get("integration_s")}
    if tool not in times or "eikura-2t" not in times:
        return None
    return float(times[tool] / times["eikura-2t"])


def run_script(arguments: list[str]) -> dict[str, Any]:
    """A script in its own process, so that its peak resident memory is its own."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        subprocess.run([sys.executable, *arguments, "--json", str(report)], check=True,
                       env={**os.environ, "PYTHONUNBUFFERED": "1"})
        return dict(json.loads(report.read_text()))


HUGE_TITLE = ("## 10^7 oscillators x 1000 synapses (10^10), procedural "
              "(`python bench/showcase.py --procedural --n 10000000 --t-max 0.01`)")


def huge_run() -> dict[str, Any]:
    """10^10 synapses regenerated at every evaluation: one RK4 step, memory against the guard."""
    return run_script([str(HERE / "showcase.py"), "--procedural", "--n", "10000000", "--t-max", "0.01"])


def huge_section(run: dict[str, Any]) -> list[str]:
    return [
        HUGE_TITLE, "",
        f"{run['synapses']:.2e} synapses, RK4, {run['steps']} step(s) (4 evaluations) in "
        f"{run['integration_s']:.0f} s: {run['edge_terms_per_s']:.3g} edge-terms/s on "
        f"{run['threads']} threads, load average {run['load_average_before']:.1f} before and "
        f"{run['load_average_after']:.1f} after ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}). "
        f"Memory estimated {run['estimate_gib']:.3f} GiB before allocating (network buffers "
        f"{run['estimate_network_gib']:.3f} GiB), peak resident {run['peak_rss_gib']:.3f} GiB "
        f"(the Python process included): peak / estimate = {run['peak_over_estimate']:.3f}.", "",
    ]


def replace_section(text: str, title: str, section: list[str]) -> str:
    """`text` with the section headed `title` replaced (or appended) by `section`."""
    lines = text.split("\n")
    if title not in lines:
        return text.rstrip("\n") + "\n\n" + "\n".join(section)
    start = lines.index(title)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[:start] + section + lines[end:])


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(row) + " |" for row in rows)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big", action="store_true",
                        help="also 10^9 and 10^10 synapses and all-to-all N = 10^7")
    parser.add_argument("--no-peers", action="store_true", help="skip bench/peers")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--huge-only", action="store_true",
                        help="only rerun the 10^10-synapse section and replace it in --out")
    args = parser.parse_args()
    if args.huge_only:
        args.out.write_text(replace_section(args.out.read_text(), HUGE_TITLE, huge_section(huge_run())))
        return

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()[0]
    # The big runs first, each in its own process (their memory peaks are their own).
    showcase = run_script([str(HERE / "showcase.py")]) if args.big else None
    dense = (run_script([str(HERE / "showcase.py"), "--all-to-all", "--n", "10000000", "--t-max", "0.1"])
             if args.big else None)
    procedural = (run_script([str(HERE / "showcase.py"), "--procedural", "--t-max", "0.01"])
                  if args.big else None)
    # (first too: a child's peak resident memory includes its parent's at the fork)
    huge = huge_run() if args.big else None

    million = rhs_sparse_case(1_000_000, 80, 20, 5)
    sparse_rows = [rhs_sparse_case(100_000, 80, 20, 10), million, rhs_sparse_case(200_000, 800, 200, 3)]
    dense_rows = [rhs_all_to_all_case(10_000, "dense pairwise", 20),
                  rhs_all_to_all_case(1_000_000, "NumPy mean field", 10)]
    procedural_million = procedural_case(1_000_000, 80, 20, 3)
    procedural_rows = [procedural_case(100_000, 80, 20, 3), procedural_case(100_000, 800, 200, 2),
                       procedural_million, procedural_case(1_000_000, 800, 200, 1)]
    accuracy = float32_run_case()
    peers, peer_rows = run_peers(args.no_peers)

    rate = million["edges"] / million["eikura_2"]
    pairwise = dense_rows[0]
    targets = [
        ["edge-terms/s, N=10^6, k=100, 2 threads, float64", ">= 1.0e9", f"{rate:.3g}",
         "yes" if rate >= 1e9 else "**no**"],
        ["vs the plain CSR gather (same network, same run)", "-",
         f"{million['plain_2'] / million['eikura_2']:.2f}x "
         f"({million['edges'] / million['plain_2']:.3g}/s plain)",
         "-"],
        ["vs scipy.sparse (prepared operator), N=10^6, k=100", ">= 10x",
         f"{million['scipy'] / million['eikura_2']:.1f}x",
         "yes" if million["scipy"] / million["eikura_2"] >= 10 else "**no**"],
        ["(vs the issue's quoted scipy.sparse figure, 0.85e8 edge-terms/s; not measured here)", "-",
         f"{rate / ISSUE_SCIPY_FIGURE:.1f}x", "-"],
        ["vs dense NumPy pairwise, all-to-all N=10^4", ">= 100x",
         f"{pairwise['reference_time'] / pairwise['eikura_2']:.0f}x",
         "yes" if pairwise["reference_time"] / pairwise["eikura_2"] >= 100 else "**no**"],
        ["threads 1 -> 2, N=10^6, k=100", ">= 1.8x", f"{million['eikura_1'] / million['eikura_2']:.2f}x",
         "yes" if million["eikura_1"] / million["eikura_2"] >= 1.8 else "**no**"],
    ]
    if showcase:
        targets.append(["10^9 synapses (10^6 x 1000, stored): peak resident memory", "<= 4.5 GB",
                        f"{showcase['peak_rss_gib'] * 2**30 / 1e9:.2f} GB "
                        f"(estimated {showcase['estimate_gib'] * 2**30 / 1e9:.2f} GB)",
                        "yes" if showcase["peak_rss_gib"] * 2**30 <= 4.5e9 else "**no**"])
    if procedural:
        targets.append(["10^9 synapses, procedural: peak resident memory", "< 0.5 GB",
                        f"{procedural['peak_rss_gib'] * 2**30 / 1e9:.2f} GB",
                        "yes" if procedural["peak_rss_gib"] * 2**30 < 0.5e9 else "**no**"])
    procedural_rate = procedural_million["edges"] / procedural_million["procedural"]
    procedural_ratio = procedural_million["procedural"] / procedural_million["stored"]
    procedural_scaling = procedural_million["procedural_1"] / procedural_million["procedural"]
    stored_scaling = million["eikura_1"] / million["eikura_2"]
    targets_15 = [
        ["procedural edge-terms/s, N=10^6, k=100, 2 threads", ">= 5e8", f"{procedural_rate:.3g}",
         "yes" if procedural_rate >= 5e8 else "**no**"],
        ["procedural / stored time, same network, same run", "<= 4x", f"{procedural_ratio:.1f}x",
         "yes" if procedural_ratio <= 4 else "**no**"],
        ["procedural and stored derivatives bit-identical", "yes", str(procedural_million["identical"]),
         "yes" if procedural_million["identical"] else "**no**"],
        ["procedural threads 1 -> 2, N=10^6, k=100", ">= 1.8x", f"{procedural_scaling:.2f}x",
         "yes" if procedural_scaling >= 1.8 else "**no**"],
        ["stored edge-terms/s, N=10^6, k=100, 2 threads", ">= 1.0e9", f"{rate:.3g}",
         "yes" if rate >= 1e9 else "**no**"],
        ["stored threads 1 -> 2, N=10^6, k=100", ">= 1.8x", f"{stored_scaling:.2f}x",
         "yes" if stored_scaling >= 1.8 else "**no**"],
    ]
    if showcase:
        stored_gb = showcase["peak_rss_gib"] * 2**30 / 1e9
        targets_15.append(["10^9 synapses (10^6 x 1000, stored): peak resident, Python included", "<= 2.5 GB",
                           f"{stored_gb:.2f} GB (estimated {showcase['estimate_gib'] * 2**30 / 1e9:.2f} GB)",
                           "yes" if stored_gb <= 2.5 else "**no**"])
    if huge:
        within = abs(huge["peak_over_estimate"] - 1.0) <= 0.1
        targets_15.append(["10^10 synapses (10^7 x 1000, procedural): peak / estimate", "within 10 %",
                           f"{huge['peak_over_estimate']:.3f} ({huge['peak_rss_gib']:.2f} GiB peak, "
                           f"{huge['edge_terms_per_s']:.3g} edge-terms/s)", "yes" if within else "**no**"])
    if dense:
        targets_15.append(["all-to-all N=10^7: oscillator-steps/s (O(N))", "-",
                           f"{dense['oscillator_steps_per_s']:.3g}", "-"])
    for problem in ("million", "sparse") if peer_rows else ():
        brian2 = peer_ratio(peer_rows, problem, "brian2")
        scipy_peer = peer_ratio(peer_rows, problem, "reference")
        size = "N=10^6, k=100" if problem == "million" else "N=10^5, k=100"
        targets.append([f"vs Brian2, Euler run, {size} (bench/peers)", ">= 15x",
                        "-" if brian2 is None else f"{brian2:.1f}x",
                        "-" if brian2 is None else ("yes" if brian2 >= 15 else "**no**")])
        targets.append([f"vs scipy.sparse reference, Euler run, {size} (bench/peers)", ">= 10x",
                        "-" if scipy_peer is None else f"{scipy_peer:.1f}x",
                        "-" if scipy_peer is None else ("yes" if scipy_peer >= 10 else "**no**")])

    lines = [
        "# eikura benchmarks", "",
        f"Regenerated by `python bench/run_results.py{' --big' if args.big else ''}` on "
        f"{platform.machine()}, "
        f"{_core.max_threads()} cores ({platform.processor() or 'cpu'}), Python {platform.python_version()}, "
        f"NumPy {np.__version__}, SciPy {scipy.__version__}, eikura {ek.__version__}, started {started} "
        f"(1-minute load average before: {load_before:.2f}). Times are the best of several repeats; every "
        "ratio is measured in this one run. Right-hand-side times are one evaluation of dθ/dt for all N "
        "oscillators into a preallocated array; an edge-term is one source's sin/cos added into one row.",
        "",
        "## The targets of issue 5", "",
        *table(["what", "target", "measured", "met"], targets),
        "",
        "## The targets of issue 15 (scale)", "",
        *table(["what", "target", "measured", "met"], targets_15),
        "",
        "## Sparse right-hand side (fixed in-degree, 80 % E / 20 % I inputs)", "",
        "The reference is `tests/reference.py`'s scipy.sparse right-hand side with its block matrices built "
        "once, outside the timing (4 sparse products per evaluation, one thread). `plain` is the same "
        "network kept in CSR order (no tiling) with the same kernel otherwise; networks of N >= 2^17 are "
        "tiled by default (docs/performance.md).", "",
        *table(["case", "tiled", "scipy (s)", "eikura 1 thr (s)", "eikura 2 thr (s)", "vs scipy",
                "1 -> 2 thr", "edge-terms/s", "plain 2 thr (s)", "float32 2 thr (s)", "max abs diff",
                "float32 max abs diff"],
              [[row["case"], str(row["tiled"]), f"{row['scipy']:.4g}", f"{row['eikura_1']:.4g}",
                f"{row['eikura_2']:.4g}", f"{row['scipy'] / row['eikura_2']:.1f}x",
                f"{row['eikura_1'] / row['eikura_2']:.2f}x", f"{row['edges'] / row['eikura_2']:.3g}",
                f"{row['plain_2']:.4g}" if "plain_2" in row else "-", f"{row['float32_2']:.4g}",
                f"{row['max_difference']:.1e}", f"{row['float32_error']:.1e}"] for row in sparse_rows]),
        "",
        f"Against the issue's plain-gather figure ({PLAIN_GATHER_FIGURE:.2g} edge-terms/s at N=10^6, k=100): "
        f"{rate / PLAIN_GATHER_FIGURE:.1f}x.", "",
        "## All-to-all right-hand side", "",
        *table(["case", "reference", "reference (s)", "eikura 1 thr (s)", "eikura 2 thr (s)", "vs reference",
                "1 -> 2 thr", "max abs diff"],
              [[row["case"], row["reference"], f"{row['reference_time']:.4g}", f"{row['eikura_1']:.4g}",
                f"{row['eikura_2']:.4g}", f"{row['reference_time'] / row['eikura_2']:.1f}x",
                f"{row['eikura_1'] / row['eikura_2']:.2f}x", f"{row['max_difference']:.1e}"]
               for row in dense_rows]),
        "",
        "## Stored against procedural networks (2 threads)", "",
        "Below N = 2^17 a procedural network is redrawn and added row by row; from 2^17 on, block by block "
        "and tile by tile like a stored tiled network (docs/performance.md).", "",
        *table(["network", "stored (s)", "procedural (s)", "procedural / stored", "edge-terms/s procedural",
                "procedural 1 -> 2 thr", "bit-identical"],
              [[row["case"], f"{row['stored']:.4g}", f"{row['procedural']:.4g}",
                f"{row['procedural'] / row['stored']:.1f}x", f"{row['edges'] / row['procedural']:.3g}",
                f"{row['procedural_1'] / row['procedural']:.2f}x", str(row["identical"])]
               for row in procedural_rows]),
        "",
        "## The accuracy cost of float32 tables", "",
        "N=10^5, k=100, RK4, dt=0.01, t=2 from the same random phases, float64 vs float32 sin/cos tables: "
        f"max |r32 - r64| over the recording = {accuracy['r_gap']:.2e} "
        f"(final r = {accuracy['r_final']:.4f}); final phases differ by at most "
        f"{accuracy['phase_gap']:.2e} rad (median {accuracy['phase_gap_median']:.1e}). "
        f"Run times {accuracy['wall_64']:.2f} s (float64) and {accuracy['wall_32']:.2f} s (float32).", "",
    ]
    if peers:
        lines += ["## Peers on the same problems (bench/peers)", "", peers.strip(), ""]
    if showcase:
        lines += [
            "## Showcase: 10^6 oscillators x 1000 synapses (`python bench/showcase.py`)", "",
            f"Stored network (10^9 synapses), RK4, dt = {showcase['dt']}, t = 0..{showcase['t_max']} "
            f"({showcase['steps']} steps): setup (frequencies, network, tiling) {showcase['setup_s']:.0f} s, "
            f"integration {showcase['integration_s']:.0f} s "
            f"({showcase['edge_terms_per_s']:.3g} edge-terms/s); "
            f"memory estimated {showcase['estimate_gib']:.2f} GiB before allocating, peak resident "
            f"{showcase['peak_rss_gib']:.2f} GiB. State at t = {showcase['t_max']}: r_E = "
            f"{showcase['r_e_final']:.4f}, r_I = {showcase['r_i_final']:.4f} (from random phases).", "",
        ]
    if procedural:
        lines += [
            "## 10^6 oscillators x 1000 synapses, procedural (`python bench/showcase.py --procedural`)", "",
            f"The same network regenerated at every evaluation, RK4, {procedural['steps']} step(s) in "
            f"{procedural['integration_s']:.0f} s ({procedural['edge_terms_per_s']:.3g} edge-terms/s); "
            f"memory estimated {procedural['estimate_gib']:.2f} GiB, peak resident "
            f"{procedural['peak_rss_gib']:.2f} GiB (the Python process included).", "",
        ]
    if dense:
        lines += [
            "## All-to-all N = 10^7", "",
            f"RK4, dt = {dense['dt']}, {dense['steps']} steps in {dense['integration_s']:.1f} s "
            f"({dense['oscillator_steps_per_s']:.3g} oscillator-steps/s); memory estimated "
            f"{dense['estimate_gib']:.2f} GiB, peak resident {dense['peak_rss_gib']:.2f} GiB.", "",
        ]
    if huge:
        lines += huge_section(huge)
    titles = {line for line in lines if line.startswith("## ")}
    lines += kept_sections(args.out, titles)
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
