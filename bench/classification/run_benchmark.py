"""The classification benchmark: simulate every case of ``cases.py``, classify it with
``ek.classify`` and compare with the known answer.

    python bench/classification/run_benchmark.py              # all cases, 2 processes
    python bench/classification/run_benchmark.py --workers 1 --family limit-cycle

Writes, next to this file, ``results.csv`` (one row per case: truth, label, the key
evidence and the reason) and ``summary.json`` (accuracy overall and per true class, the
confusion matrix, the run time), and replaces the generated section of
``docs/classification.md`` with the confusion matrix and the list of disagreements.
The mean-field attractors behind each true label are computed once and kept in
``theory.json`` (``--theory`` recomputes them).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import sys
import time
import warnings
from collections import Counter
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases import (  # noqa: E402
    DT,
    FRACTION_E,
    RECORD_EVERY,
    Case,
    all_cases,
    combine_two_start,
    oracle_attractor,
    oracle_label,
)

import eikura as ek  # noqa: E402

ROOT = HERE.parents[1]
DOC = ROOT / "docs" / "classification.md"
BEGIN, END = "<!-- benchmark:begin -->", "<!-- benchmark:end -->"
CLASSES = ("synchronized", "desynchronized", "bistable", "other")
THEORY_TIME = 600.0


# --------------------------------------------------------------------------- theory


def _attractor(run: Any) -> dict[str, Any]:
    tail = run.t >= 0.75 * run.t[-1]
    r = np.abs(run.z(FRACTION_E)[tail])
    if np.ptp(r) > 1e-3:
        return {"kind": "cycle", "r_min": float(r.min()), "r_max": float(r.max())}
    if float(np.mean(run.r_e[tail])) < 1e-3:
        return {"kind": "incoherent", "r": 0.0}
    return {"kind": "sync", "r": float(r.mean()), "r_e": float(run.r_e[tail].mean()),
            "r_i": float(run.r_i[tail].mean())}


def theory_of(point: tuple[float, ...]) -> dict[str, Any]:
    """Attractors of the mean-field equations from an incoherent and a synchronized start."""
    k_ee, k_ei, k_ie, k_ii, noise, center_i = point
    found = {}
    for start, z0 in (("from_incoherent", (0.02 + 0.01j, 0.015 - 0.01j)),
                      ("from_synchronized", (0.95 + 0j, 0.95 + 0j))):
        run = ek.theory.integrate_reduced(
            k_ee, k_ei, k_ie, k_ii, 1.0, 1.0, 0.0, center_i, t_max=THEORY_TIME, dt=0.01, z0=z0,
            record_every=20, noise_e=noise, noise_i=noise)
        found[start] = _attractor(run)
    kinds = sorted({found[key]["kind"] for key in found})
    return {**found, "attractors": kinds}


def _key(point: tuple[float, ...]) -> str:
    return ",".join(f"{value:g}" for value in point)


def load_theory(cases: list[Case], recompute: bool, workers: int) -> dict[str, Any]:
    path = HERE / "theory.json"
    stored = json.loads(path.read_text()) if path.exists() and not recompute else {}
    missing = sorted({case.point() for case in cases} - {tuple(map(float, k.split(","))) for k in stored})
    if missing:
        print(f"theory: integrating {len(missing)} points", flush=True)
        with Pool(workers) as pool:
            for point, result in zip(missing, pool.map(theory_of, missing), strict=True):
                stored[_key(point)] = result
        path.write_text(json.dumps(dict(sorted(stored.items())), indent=1) + "\n")
    return stored


def theory_agrees(case: Case, theory: dict[str, Any]) -> bool:
    """Whether the theory finds what the case's family needs (cases.py)."""
    start = theory["from_synchronized" if case.protocol == "sync-start" else "from_incoherent"]
    if case.family == "limit-cycle":
        return start["kind"] == "cycle"
    if case.family == "quasi-cycle" and case.truth == "synchronized":
        return "sync" in theory["attractors"]
    return sorted(case.expected_theory) == theory["attractors"]


# --------------------------------------------------------------------------- simulation


def _model(case: Case) -> ek.EIKuramoto:
    n_e = int(round(FRACTION_E * case.n))
    k_ee, k_ei, k_ie, k_ii = case.couplings
    network = (ek.AllToAll() if case.network is None
               else ek.FixedInDegree(k_e=case.network[0], k_i=case.network[1]))
    frequencies = (ek.Lorentzian(0.0, 1.0, regular=True),
                   ek.Lorentzian(case.center_i, 1.0, regular=True))
    return ek.EIKuramoto(n_e=n_e, n_i=case.n - n_e, k_ee=k_ee, k_ei=k_ei, k_ie=k_ie, k_ii=k_ii,
                         frequencies=frequencies, noise=case.noise, network=network)


def _simulate(case: Case, initial: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ek.simulate(_model(case), t_max=case.t_max, dt=DT, method="heun",
                           record_every=RECORD_EVERY, initial=initial, seed=case.seed,
                           threads=1, progress=False)


def run_case(job: tuple[Case, dict[str, Any]]) -> dict[str, Any]:
    case, theory = job
    start = time.perf_counter()
    if case.protocol == "two-start":
        runs: Any = (_simulate(case, "random"), _simulate(case, "sync"))
        result = ek.classify(runs)
    else:
        runs = _simulate(case, "sync" if case.protocol == "sync-start" else "random")
        result = ek.classify(runs)
    truth, oracle_switches = case.truth, ""
    if case.family.endswith("switching"):
        sync_level = theory["from_synchronized"].get("r", math.nan)
        truth, oracle_switches = oracle_label(runs.t, runs.r, sync_level)
    elif case.family == "hysteresis":
        sync_level = theory["from_synchronized"].get("r", math.nan)
        outcomes = [oracle_label(run.t, run.r, sync_level) for run in runs]
        truth = combine_two_start(outcomes[0][0], outcomes[1][0])
        oracle_switches = outcomes[0][1] + outcomes[1][1]
    elif "cycle" in theory["attractors"] and "sync" in theory["attractors"] and case.protocol != "two-start":
        sync_level = next(theory[key]["r"] for key in ("from_incoherent", "from_synchronized")
                          if theory[key]["kind"] == "sync")
        truth = oracle_attractor(runs.t, runs.r, sync_level)
    row = case.to_row()
    row.update(
        truth=truth, declared_truth=case.truth, label=result.label,
        correct=result.label == truth, theory=" + ".join(theory["attractors"]),
        theory_agrees=theory_agrees(case, theory), oracle_switches=oracle_switches,
        n_switches=result.n_switches, fraction_high=result.fraction_high,
        low_level=result.low_level, high_level=result.high_level, mean_r=result.mean_r,
        dip_ratio=result.dip_ratio, shape_ratio=result.shape_ratio,
        peak_fraction=result.peak_fraction, relaxation_time=result.relaxation_time,
        reason=result.reason, seconds=round(time.perf_counter() - start, 2))
    return row


# --------------------------------------------------------------------------- report


def _fmt(value: Any) -> Any:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    return value


def summarise(rows: list[dict[str, Any]], wall: float, workers: int) -> dict[str, Any]:
    confusion = {truth: dict.fromkeys(CLASSES, 0) for truth in CLASSES}
    for row in rows:
        confusion[row["truth"]][row["label"]] += 1
    per_class = {}
    for truth in CLASSES:
        total = sum(confusion[truth].values())
        per_class[truth] = {"cases": total, "correct": confusion[truth][truth],
                            "accuracy": confusion[truth][truth] / total if total else math.nan}
    families = Counter(row["family"] for row in rows)
    per_family = {family: {"cases": count,
                           "correct": sum(1 for r in rows if r["family"] == family and r["correct"])}
                  for family, count in sorted(families.items())}
    return {
        "cases": len(rows),
        "simulated_runs": sum(2 if row["protocol"] == "two-start" else 1 for row in rows),
        "correct": sum(1 for row in rows if row["correct"]),
        "accuracy": sum(1 for row in rows if row["correct"]) / len(rows),
        "per_class": per_class,
        "per_family": per_family,
        "confusion": confusion,
        "confident_wrong": sum(1 for row in rows if not row["correct"] and row["label"] != "other"),
        "theory_disagreements": [row["name"] for row in rows if not row["theory_agrees"]],
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(sum(row["seconds"] for row in rows), 1),
        "workers": workers,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "eikura": ek.__version__,
    }


def markdown(summary: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    lines = [BEGIN, "",
             f"{summary['cases']} cases ({summary['simulated_runs']} simulated runs), "
             f"{summary['correct']} correct: **{summary['accuracy']:.1%}**; "
             f"{summary['confident_wrong']} wrong label(s) other than `other`. Run time "
             f"{summary['wall_seconds']:.0f} s with {summary['workers']} processes "
             f"({summary['cpu_seconds']:.0f} CPU-seconds; {summary['machine']}).", "",
             "Confusion matrix (rows: true label, columns: `ek.classify`):", "",
             "| true \\ label | " + " | ".join(CLASSES) + " | accuracy |",
             "|---|" + "---:|" * (len(CLASSES) + 1)]
    for truth in CLASSES:
        counts = summary["confusion"][truth]
        accuracy = summary["per_class"][truth]["accuracy"]
        lines.append(f"| {truth} | " + " | ".join(str(counts[label]) for label in CLASSES)
                     + f" | {'' if math.isnan(accuracy) else f'{accuracy:.1%}'} |")
    lines += ["", "Per family:", "", "| family | cases | correct |", "|---|---:|---:|"]
    for family, counts in summary["per_family"].items():
        lines.append(f"| {family} | {counts['cases']} | {counts['correct']} |")
    wrong = [row for row in rows if not row["correct"]]
    lines += ["", f"Disagreements ({len(wrong)}):", ""]
    if not wrong:
        lines.append("none")
    for row in wrong:
        lines.append(f"* `{row['name']}`: true {row['truth']}, labelled {row['label']}: "
                     f"{row['reason']}")
    if summary["theory_disagreements"]:
        lines += ["", "Cases whose theory check does not match their family: "
                  + ", ".join(f"`{name}`" for name in summary["theory_disagreements"])]
    lines += ["", END]
    return "\n".join(lines)


def write_outputs(rows: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    with (HERE / "results.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _fmt(value) for key, value in row.items()})
    (HERE / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    text = DOC.read_text() if DOC.exists() else f"# Classification\n\n{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC.write_text(head + markdown(summary, rows) + tail)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--family", default=None, help="only the cases of this family")
    parser.add_argument("--theory", action="store_true", help="recompute theory.json")
    parser.add_argument("--no-write", action="store_true", help="print, write nothing")
    arguments = parser.parse_args()
    cases = [case for case in all_cases()
             if arguments.family is None or case.family == arguments.family]
    theory = load_theory(all_cases(), arguments.theory, arguments.workers)
    start = time.perf_counter()
    jobs = sorted(((case, theory[_key(case.point())]) for case in cases),
                  key=lambda job: -job[0].n * job[0].t_max)  # longest first
    rows = []
    with Pool(arguments.workers) as pool:
        for row in pool.imap_unordered(run_case, jobs):
            rows.append(row)
            mark = "ok " if row["correct"] else "XX "
            print(f"{mark}{row['name']:70s} {row['truth']:15s} {row['label']:15s} "
                  f"{row['seconds']:6.1f}s", flush=True)
    if not rows:
        return
    rows.sort(key=lambda row: row["name"])
    summary = summarise(rows, time.perf_counter() - start, arguments.workers)
    print(json.dumps({key: summary[key] for key in ("cases", "accuracy", "per_class",
                                                    "wall_seconds")}, indent=1))
    if not arguments.no_write:
        write_outputs(rows, summary)


if __name__ == "__main__":
    main()
