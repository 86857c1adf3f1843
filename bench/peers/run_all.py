"""Run the same EI-Kuramoto problems with eikura and its peers, check they agree, time them.

    python bench/peers/run_all.py --setup     # once: the peers' virtual environments (pinned)
    python bench/peers/run_all.py             # small, sparse, million: every runner, checks, RESULTS_peers.md
    python bench/peers/run_all.py --problems small sparse --markdown /tmp/r.md --json /tmp/r.json

Each runner runs in its own interpreter (eikura and the NumPy reference in this one,
Brian2 and kuramoto in bench/peers/.venv-*), writes ``result_<tool>_<problem>.npz``, and
exits non-zero if one of its own checks fails. This script then compares every final
phase vector with eikura's (2 threads, forward Euler), writes the table to
RESULTS_peers.md and results_peers.json (and to ``--markdown`` / ``--json`` too), and
exits non-zero if any runner or any agreement check failed. A peer that cannot build a
problem within its limits (Brian2: memory, setup time) is a row "could not build: …",
not a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from common import HERE, load_result, max_phase_difference, result_path, save_failure
from make_problem import PROBLEMS, is_current, make, problem_path

EULER_TOLERANCE = 1e-9  # same scheme, same problem: only rounding may differ
LOOSE_TOLERANCE = 1e-5  # adaptive odeint vs eikura RK4 at dt/10
SPARSE_EULER_TOOLS = ("eikura-1t", "eikura-2t", "reference", "brian2")  # each does n_edges terms per step

VENVS = {"brian2": HERE / ".venv-brian2", "kuramoto": HERE / ".venv-kuramoto"}


def venv_python(name: str) -> Path:
    return VENVS[name] / "bin" / "python"


@dataclass
class Step:
    """One runner invocation and the result files (tools) it writes."""

    label: str
    command: list[str]
    tools: list[str]
    venv: str | None = None


def steps_for(problem: str) -> list[Step]:
    here = str(HERE)
    eikura_args = ["--rk4-fine"] if problem == "small" else []
    steps = [
        Step("eikura", [sys.executable, f"{here}/run_eikura.py", problem, *eikura_args],
             ["eikura-1t", "eikura-2t"] + (["eikura-rk4-fine"] if eikura_args else [])),
        Step("reference", [sys.executable, f"{here}/run_reference.py", problem], ["reference"]),
        Step("brian2", [str(venv_python("brian2")), f"{here}/run_brian2.py", problem], ["brian2"], "brian2"),
    ]
    if problem == "small":  # dense N x N: the small problem only
        steps.append(Step("kuramoto", [str(venv_python("kuramoto")), f"{here}/run_kuramoto.py", problem],
                          ["kuramoto", "kuramoto-euler"], "kuramoto"))
    return steps


def setup() -> None:
    """Create the two virtual environments and install the pinned peers."""
    for name, venv in VENVS.items():
        requirements = HERE / f"requirements-{name}.txt"
        print(f"== {venv.name}: pip install -r {requirements.name}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv_python(name)), "-m", "pip", "install", "-r", str(requirements)], check=True)


def run_step(step: Step, problem: str, log: Path, timeout_s: float) -> tuple[str, float]:
    """('' if the runner exited 0, else why not; wall seconds). Its output is streamed to
    the console and the log. Old result files of its tools are removed first."""
    for tool in step.tools:
        result_path(tool, problem).unlink(missing_ok=True)
    if step.venv is not None and not venv_python(step.venv).exists():
        return f"{VENVS[step.venv].name} missing: run `python bench/peers/run_all.py --setup`", 0.0
    print(f"== {step.label}: {' '.join(Path(c).name if i < 2 else c for i, c in enumerate(step.command))}",
          flush=True)
    start = time.perf_counter()
    with log.open("a") as out:
        out.write(f"$ {' '.join(step.command)}\n")
        proc = subprocess.Popen(step.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})

        def tee() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                print(line, end="", flush=True)
                out.write(line)

        reader = threading.Thread(target=tee)
        reader.start()
        try:
            returncode = proc.wait(timeout=timeout_s)
            why = "" if returncode == 0 else f"exit status {returncode}"
        except subprocess.TimeoutExpired:
            proc.kill()  # the runner this function started
            proc.wait()
            why = f"did not finish within {timeout_s:g} s (killed)"
            for tool in step.tools:
                if not result_path(tool, problem).exists():
                    save_failure(tool, problem, why)
        reader.join()
        out.write("\n")
    wall = time.perf_counter() - start
    print(f"   ({wall:.1f} s wall)", flush=True)
    return why, wall


def problem_meta(problem: str) -> dict[str, Any]:
    """N, edges, steps and scale of the problem file (without loading its big arrays)."""
    with np.load(problem_path(problem)) as data:
        n = int(data["n_e"]) + int(data["n_i"])
        return {"n": n, "n_edges": int(data["indptr"][-1]), "n_steps": int(data["n_steps"]),
                "dt": float(data["dt"]), "scale": float(data["scale"]) if "scale" in data.files else 1.0}


def compare(problem: str, failures: list[str]) -> list[dict[str, Any]]:
    """One row per tool of this problem: timings and max |Δθ| against eikura."""
    meta = problem_meta(problem)
    try:
        eikura_theta, eikura_info = load_result("eikura-2t", problem)
    except FileNotFoundError:
        eikura_info = {"failed": "no result file"}
    if eikura_info.get("failed"):
        failures.append(f"{problem}: no eikura result ({eikura_info['failed']}), nothing to compare with")
        return []
    eikura_s = eikura_info["integration_s"]
    rows = []
    tools = [s for step in steps_for(problem) for s in step.tools]
    for tool in tools:
        try:
            theta, info = load_result(tool, problem)
        except FileNotFoundError:
            continue
        if tool == "eikura-rk4-fine":
            continue  # only a yardstick for the odeint peer
        row: dict[str, Any] = {
            "problem": problem, **meta, "tool": tool, "method": info.get("method", ""),
            "setup_s": info.get("setup_s"), "integration_s": info.get("integration_s"),
            "peak_rss_gb": info.get("peak_rss_gb"), "speedup_eikura_2t": None, "edge_terms_per_s": None,
            "max_dtheta": None, "compared_with": "", "tolerance": None, "ok": None,
            "max_dtheta_vs_eikura_euler": None, "failed": info.get("failed", ""), "info": info,
        }
        rows.append(row)
        if row["failed"]:
            if not row["failed"].startswith("could not build"):
                failures.append(f"{problem}/{tool}: {row['failed']}")
            continue
        if tool == "kuramoto":  # adaptive odeint: compare with a near-exact solution, loosely
            ref_theta, _ = load_result("eikura-rk4-fine", problem)
            against, tolerance = "eikura RK4, dt/10", LOOSE_TOLERANCE
            row["max_dtheta_vs_eikura_euler"] = max_phase_difference(theta, eikura_theta)
        else:
            ref_theta, against, tolerance = eikura_theta, "eikura Euler (2 threads)", EULER_TOLERANCE
        difference = max_phase_difference(theta, ref_theta)
        ok = difference <= tolerance
        if not ok:
            failures.append(f"{problem}/{tool}: max |Δθ| = {difference:.3g} vs {against} > {tolerance:g}")
        row.update(max_dtheta=difference, compared_with=against, tolerance=tolerance, ok=ok,
                   speedup_eikura_2t=info["integration_s"] / eikura_s)
        if tool in SPARSE_EULER_TOOLS and info["integration_s"] > 0:
            row["edge_terms_per_s"] = meta["n_edges"] * meta["n_steps"] / info["integration_s"]
    return rows


def fmt(x: float | None, spec: str, suffix: str = "") -> str:
    return "—" if x is None else format(x, spec) + suffix


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| problem | tool | method | setup s | integration s | eikura (2 threads) speed-up "
        "| 10⁹ edge terms/s | peak RSS GB | max \\|Δθ\\| | compared with | check |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        check = r["failed"] if r["failed"] else f"{'ok' if r['ok'] else 'FAILED'} (≤ {r['tolerance']:g})"
        terms = None if r["edge_terms_per_s"] is None else r["edge_terms_per_s"] / 1e9
        lines.append(
            f"| {r['problem']} (N={r['n']:,}) | {r['tool']} | {r['method']} | {fmt(r['setup_s'], '.3f')} "
            f"| {fmt(r['integration_s'], '.3f')} | {fmt(r['speedup_eikura_2t'], '.1f', '×')} "
            f"| {fmt(terms, '.2f')} | {fmt(r['peak_rss_gb'], '.2f')} | {fmt(r['max_dtheta'], '.2g')} "
            f"| {r['compared_with'] or '—'} | {check} |"
        )
    return "\n".join(lines)


def versions() -> dict[str, str]:
    found: dict[str, str] = {"python": platform.python_version()}
    for name in VENVS:
        pins = HERE / f"requirements-{name}.txt"
        if pins.exists():
            key = {"brian2": ("brian2", "cython", "numpy"), "kuramoto": ("kuramoto", "numpy", "scipy")}[name]
            found[f"{name} venv"] = ", ".join(p.strip() for p in pins.read_text().splitlines()
                                              if p.split("==")[0].lower() in key)
    import scipy

    import eikura

    found.update({"eikura": eikura.__version__, "numpy (main)": np.__version__,
                  "scipy (main)": scipy.__version__})
    return found


def notes(rows: list[dict[str, Any]], stages: dict[str, dict[str, float]]) -> list[str]:
    out = []
    for problem, times in stages.items():
        parts = [f"{label} {seconds:.1f} s" for label, seconds in times.items()]
        out.append(f"- {problem}: wall time of each stage of this run (process start to exit, including "
                   f"loading the problem and the checks): {', '.join(parts)}.")
    for r in rows:
        info = r["info"]
        if r["tool"] == "brian2" and not r["failed"]:
            out.append(
                f"- {r['problem']}: Brian2 {info['version']}, code-generation target **{info['target']}**"
                f"{' (' + info['fallback'] + ')' if info.get('fallback') else ''}; warm-up run "
                f"{info['warmup_s']:.1f} s, compiling {info['modules_compiled_in_warmup']} Cython module(s) "
                "(0: loaded from the cache in bench/peers/.brian2-cache); the timed run compiled nothing. "
                "Brian2's runtime mode is single-threaded."
                + (f" Setup {r['setup_s']:.1f} s = network build {info['build_s']:.1f} s (of which "
                   f"`connect(i=, j=)` {info['connect_s']:.1f} s) + {info['before_loop_s']:.1f} s in "
                   f"`Network.run` before the loop; not counted: {info['prepare_s']:.1f} s of NumPy to "
                   "prepare sources, targets and weights." if "build_s" in info else "")
            )
        if r["tool"] == "kuramoto" and not r["failed"]:
            out.append(
                f"- {r['problem']}: kuramoto {info['version']} integrates with scipy odeint (LSODA, "
                f"adaptive): {info['rhs_evaluations']} dense O(N²) right-hand-side evaluations for "
                f"t = 0..T; its gap to eikura's *Euler* result is {r['max_dtheta_vs_eikura_euler']:.2g} "
                "(Euler's own discretisation error), so it is checked against eikura RK4 at dt/10 instead. "
                "`kuramoto-euler` steps the package's own right-hand side with forward Euler."
            )
        if r["tool"] == "eikura-2t" and r["problem"] == "million" and r["edge_terms_per_s"]:
            out.append(
                f"- {r['problem']}: eikura does {r['edge_terms_per_s'] / 1e9:.2f}·10⁹ edge terms/s on 2 "
                "threads "
                f"({r['n_edges']:,} edges × {r['n_steps']} steps in {r['integration_s']:.3f} s; "
                f"best of {info['repeats']})."
            )
        if r["scale"] != 1.0 and r["tool"] == "eikura-2t":
            out.append(f"- {r['problem']}: **shrunk ×{r['scale']:g} for testing** (N = {r['n']:,}).")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--setup", action="store_true", help="create the peers' venvs (pinned) and stop")
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS), choices=list(PROBLEMS),
                        help=f"default: {' '.join(PROBLEMS)}")
    parser.add_argument("--table-only", action="store_true", help="only redo the comparison and the table")
    parser.add_argument("--markdown", type=Path, metavar="PATH",
                        help="also write the report (the content of RESULTS_peers.md) here")
    parser.add_argument("--json", type=Path, metavar="PATH",
                        help="also write the content of results_peers.json here")
    parser.add_argument("--step-timeout", type=float, default=1800.0, metavar="S",
                        help="kill a runner after this many seconds (default 1800)")
    # Testing only: shrink the scalable problem (million); RESULTS_peers.md and
    # results_peers.json are then left alone (use --markdown/--json).
    parser.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup()
        return

    failures: list[str] = []
    stages: dict[str, dict[str, float]] = {}
    load_before = os.getloadavg()[0]
    log = HERE / "results_peers.log"
    if not args.table_only:
        log.write_text("")
        for problem in args.problems:
            scale = args.scale if PROBLEMS[problem].get("scalable") else 1.0
            stages[problem] = {}
            if not is_current(problem, scale):
                start = time.perf_counter()
                print(f"== making {make(problem, scale)}", flush=True)
                stages[problem]["problem generation"] = time.perf_counter() - start
            for step in steps_for(problem):
                why, wall = run_step(step, problem, log, args.step_timeout)
                stages[problem][step.label] = wall
                if why:
                    failures.append(f"{problem}/{step.label}: {why}")

    rows: list[dict[str, Any]] = []
    for problem in args.problems:
        rows.extend(compare(problem, failures))
    found = versions()
    steps = sorted({(r["n_steps"], r["problem"]) for r in rows})
    steps_text = "; ".join(f"{n} steps ({', '.join(p for m, p in steps if m == n)})"
                           for n in sorted({n for n, _ in steps}))
    report = "\n".join([
        "# eikura and its peers on the same problems",
        "",
        "Regenerate with `python bench/peers/run_all.py` (after `--setup` once); see README.md here.",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; "
        f"run {time.strftime('%Y-%m-%d %H:%M')} (1-minute load average before it: {load_before:.2f}).",
        "",
        f"Forward Euler, dt = 0.01, {steps_text}, unwrapped phases, couplings (k_ee, k_ei, k_ie, k_ii) = "
        "(5, 1, 12, 2), in-degree normalisation; fixed in-degree 80 E + 20 I sources per oscillator. "
        "Speed-up = the tool's integration time / eikura's (2 threads). Integration excludes setup "
        "(network building, code generation, compilation), reported apart. 10⁹ edge terms/s = "
        "edges × steps / integration time (sparse Euler tools only). Peak RSS: the runner process's "
        "peak resident memory (getrusage), problem and checks included.",
        "",
        table(rows),
        "",
        "Notes:",
        "",
        *notes(rows, stages),
        *[f"- FAILED: {f}" for f in failures],
        "",
        "Versions: " + "; ".join(f"{k} {v}" for k, v in found.items()),
        "",
    ])
    summary = json.dumps({"rows": rows, "stages_wall_s": stages, "failures": failures, "versions": found},
                         indent=1, default=str)
    targets_md = [args.markdown] if args.scale != 1.0 else [HERE / "RESULTS_peers.md", args.markdown]
    targets_json = [args.json] if args.scale != 1.0 else [HERE / "results_peers.json", args.json]
    for path in targets_md:
        if path is not None:
            path.write_text(report)
    for path in targets_json:
        if path is not None:
            path.write_text(summary)
    print("\n" + report)
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures), file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
