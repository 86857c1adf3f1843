"""Shared by every runner (NumPy only: the peers' virtual environments import it too)."""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent


def load_problem(name: str) -> dict[str, Any]:
    """The problem file as a dict of plain Python scalars and NumPy arrays."""
    path = HERE / f"problem_{name}.npz"
    if not path.exists():
        raise SystemExit(f"{path} is missing: run `python bench/peers/make_problem.py {name}`")
    with np.load(path) as data:
        problem = {key: data[key] for key in data.files}
    problem.setdefault("repeats", 5)
    problem.setdefault("check_rows", 0)
    problem.setdefault("scale", 1.0)
    for key in ("n_e", "n_i", "n_steps", "repeats", "check_rows"):
        problem[key] = int(problem[key])
    for key in ("dt", "k_ee", "k_ei", "k_ie", "k_ii", "scale"):
        problem[key] = float(problem[key])
    problem["name"] = str(problem["name"])
    problem["n"] = problem["n_e"] + problem["n_i"]
    return problem


def runner_parser(doc: str | None) -> argparse.ArgumentParser:
    """The command line every runner shares: its docstring as help, and the problem's name."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("problem")
    return parser


def index_dtype(n: int) -> type:
    return np.int32 if n < 2**31 else np.int64


def edge_targets(problem: dict[str, Any]) -> np.ndarray:
    """Target (row) of every stored edge, aligned with ``problem["indices"]`` (int32 if it fits)."""
    n = problem["n"]
    return np.repeat(np.arange(n, dtype=index_dtype(n)), np.diff(problem["indptr"]))


def check_rows(problem: dict[str, Any]) -> np.ndarray:
    """The rows the edge-by-edge right-hand-side check covers: all, or ``check_rows``
    distinct random rows (sorted; a fixed seed, so every runner checks the same ones)."""
    n, count = problem["n"], problem["check_rows"]
    if count <= 0 or count >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(12345).choice(n, size=count, replace=False))


def _weights(problem: dict[str, Any], rows: np.ndarray, sources: np.ndarray, local: np.ndarray) -> np.ndarray:
    """W of the edges of ``rows``: ``sources`` their sources, ``local`` the position in
    ``rows`` of each edge's target; every edge of each of these rows must be present."""
    n_e = problem["n_e"]
    from_e = sources < n_e
    count_e = np.bincount(local[from_e], minlength=rows.size).astype(np.float64)
    count_i = np.bincount(local[~from_e], minlength=rows.size).astype(np.float64)
    target_e = rows < n_e
    with np.errstate(divide="ignore"):  # a count of 0 has no edge to weigh
        w_from_e = np.where(target_e, problem["k_ee"], problem["k_ie"]) / count_e  # K_XE / n_i^E
        w_from_i = -np.where(target_e, problem["k_ei"], problem["k_ii"]) / count_i  # -K_XI / n_i^I
    return np.where(from_e, w_from_e[local], w_from_i[local])


def edge_weights(problem: dict[str, Any], block_rows: int = 1 << 17) -> np.ndarray:
    """Signed weight W_ij of every edge j → i, so that dθ_i/dt = ω_i + Σ_j W_ij sin(θ_j − θ_i).

    W_ij = +K_XE / n_i^E for an E source, −K_XI / n_i^I for an I source (X: population
    of the target i, n_i^Y: number of Y sources of i; in-degree normalisation).
    Computed by blocks of rows, so that the temporaries stay small next to the result.
    """
    n, indptr, indices = problem["n"], problem["indptr"], problem["indices"]
    out = np.empty(indices.size)
    for start in range(0, n, block_rows):
        rows = np.arange(start, min(start + block_rows, n))
        lo, hi = int(indptr[rows[0]]), int(indptr[rows[-1] + 1])
        local = np.repeat(np.arange(rows.size), np.diff(indptr[rows[0]:rows[-1] + 2]))
        out[lo:hi] = _weights(problem, rows, indices[lo:hi], local)
    return out


def dense_weights(problem: dict[str, Any]) -> np.ndarray:
    """W as a dense N x N array (row = target, column = source); small problems only."""
    n = problem["n"]
    if n > 20_000:
        raise ValueError(f"dense W of {n} x {n} is too large")
    w = np.zeros((n, n))
    w[edge_targets(problem), problem["indices"]] = edge_weights(problem)
    return w


def rhs_w(problem: dict[str, Any], theta: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """dθ_i/dt = ω_i + Σ_j W_ij sin(θ_j − θ_i) for the given rows i (default all), edge by
    edge (a literal check, NumPy only)."""
    indptr = problem["indptr"]
    rows = np.arange(problem["n"]) if rows is None else np.asarray(rows, dtype=np.int64)
    starts, lengths = indptr[rows], indptr[rows + 1] - indptr[rows]
    local = np.repeat(np.arange(rows.size), lengths)
    positions = np.arange(local.size) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    sources = problem["indices"][positions]
    terms = _weights(problem, rows, sources, local) * np.sin(theta[sources] - theta[rows][local])
    return problem["omega"][rows] + np.bincount(local, weights=terms, minlength=rows.size)


def peak_rss_gb() -> float:
    """Peak resident memory of this process so far (GB = 2^30 bytes; Linux ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def result_path(tool: str, problem: str) -> Path:
    return HERE / f"result_{tool}_{problem}.npz"


def save_result(tool: str, problem: str, theta: np.ndarray, setup_s: float, integration_s: float,
                **meta: Any) -> Path:
    """Final phases and timings (seconds; integration excludes setup and compilation)."""
    theta = np.asarray(theta, dtype=np.float64)
    if not np.all(np.isfinite(theta)):
        fail(f"{tool} on {problem}: non-finite final phases")
    info = {"tool": tool, "problem": problem, "setup_s": float(setup_s),
            "integration_s": float(integration_s), "peak_rss_gb": peak_rss_gb(), **meta}
    path = result_path(tool, problem)
    np.savez(path, theta=theta, info=json.dumps(info))
    print(json.dumps(info))
    return path


def save_failure(tool: str, problem: str, reason: str, **meta: Any) -> Path:
    """A result without phases: the tool could not do this problem (a limit, not a wrong answer)."""
    info = {"tool": tool, "problem": problem, "failed": reason, "peak_rss_gb": peak_rss_gb(), **meta}
    path = result_path(tool, problem)
    np.savez(path, theta=np.empty(0), info=json.dumps(info))
    print(json.dumps(info))
    return path


def load_result(tool: str, problem: str) -> tuple[np.ndarray, dict[str, Any]]:
    with np.load(result_path(tool, problem)) as data:
        return data["theta"], json.loads(str(data["info"]))


def max_phase_difference(a: np.ndarray, b: np.ndarray) -> float:
    """max_i |θ_a − θ_b| with the difference taken modulo 2π (in [−π, π))."""
    d = np.mod(np.asarray(a) - np.asarray(b) + np.pi, 2.0 * np.pi) - np.pi
    return float(np.max(np.abs(d)))


def fail(message: str) -> None:
    print(f"CHECK FAILED: {message}", file=sys.stderr)
    raise SystemExit(1)
