"""Write one benchmark problem for the peer comparison: ``problem_<name>.npz``.

    python bench/peers/make_problem.py small      # N = 2 000, 2·10^5 edges (dense peers too)
    python bench/peers/make_problem.py sparse     # N = 100 000, 10^7 edges
    python bench/peers/make_problem.py million    # N = 1 000 000, 10^8 edges (~0.4 GB file)

The file holds everything every runner needs, so that all tools integrate exactly the
same initial value problem (in-degree normalisation):

    n_e, n_i                 population sizes (E first, then I)
    omega, theta0            natural frequencies (N(0, 1)) and initial phases (U[0, 2π)), float64
    indptr (int64), indices (int32)
                             CSR by target: row i lists the sources of i, its E sources
                             (< n_e) first, each part sorted; no self-loops, no duplicates
    k_ee, k_ei, k_ie, k_ii   couplings K_post,pre (5, 1, 12, 2)
    dt, n_steps, method      forward Euler, n_steps steps of 0.01
    seed, scale              what made it (scale < 1: a shrunken ``million``, for testing only)
    repeats, check_rows      for the runners: eikura's best-of count, and how many random
                             rows the edge-by-edge right-hand-side check covers (0: all)

``edge_weights`` (in :mod:`common`) turns it into the signed matrix W with
``dθ_i/dt = ω_i + Σ_j W_ij sin(θ_j − θ_i)``.

Generation is vectorised and memory-bounded: the targets are processed in blocks of
``BLOCK_ROWS`` rows, each block's sources drawn with replacement, sorted per row, and the
(rare) rows with a duplicate redrawn; the edges are written straight into one int32
array. ``million`` takes ~1 GB of memory at its peak and some 10 s on one core.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent

# In the default order of run_all.py. "scalable": --scale may shrink it (testing only).
PROBLEMS: dict[str, dict[str, Any]] = {
    "small": {"n": 2_000, "k_e": 80, "k_i": 20, "dt": 0.01, "n_steps": 50, "seed": 20251,
              "repeats": 5, "check_rows": 0},
    "sparse": {"n": 100_000, "k_e": 80, "k_i": 20, "dt": 0.01, "n_steps": 50, "seed": 20250,
               "repeats": 5, "check_rows": 0},
    "million": {"n": 1_000_000, "k_e": 80, "k_i": 20, "dt": 0.01, "n_steps": 10, "seed": 20252,
                "repeats": 3, "check_rows": 2000, "scalable": True},
}
COUPLINGS = {"k_ee": 5.0, "k_ei": 1.0, "k_ie": 12.0, "k_ii": 2.0}
# Rows per generation block. sparse (N = 10^5) fits in one block, which keeps its random
# stream (and so the problem) identical to the one drawn before blocks existed.
BLOCK_ROWS = 1 << 18


def problem_path(name: str) -> Path:
    return HERE / f"problem_{name}.npz"


def size_of(name: str, scale: float = 1.0) -> int:
    """N of problem ``name`` at this scale (scale != 1 only for a scalable problem)."""
    spec = PROBLEMS[name]
    if scale != 1.0 and not spec.get("scalable"):
        raise ValueError(f"--scale applies only to {[p for p, s in PROBLEMS.items() if s.get('scalable')]}")
    return int(round(int(spec["n"]) * scale))


def is_current(name: str, scale: float = 1.0) -> bool:
    """Whether problem_<name>.npz exists and was made by this spec at this scale."""
    path = problem_path(name)
    if not path.exists():
        return False
    spec = PROBLEMS[name]
    try:
        with np.load(path) as data:  # reads only the small entries named here
            same = [int(data[key]) == int(spec[key]) for key in ("seed", "n_steps", "repeats", "check_rows")]
            return (all(same) and int(data["n_e"]) + int(data["n_i"]) == size_of(name, scale)
                    and float(data["scale"]) == scale)
    except (KeyError, ValueError, OSError):
        return False


def draw_sources(rng: np.random.Generator, targets: np.ndarray, offset: int, size: int, k: int,
                 same_population: bool, out: np.ndarray) -> None:
    """Write k distinct sources in [offset, offset + size) for each target into ``out``.

    ``out`` has one row per target and k columns (any integer dtype; a view is fine).
    No self-loops. Draws with replacement, sorts each row, and redraws the rows that
    have a duplicate until none has; ``BLOCK_ROWS`` targets at a time.
    """
    pool = size - 1 if same_population else size
    if k > pool:
        raise ValueError(f"in-degree {k} exceeds the {pool} available sources")
    for start in range(0, targets.size, BLOCK_ROWS):
        block = targets[start:start + BLOCK_ROWS]
        local_self = block - offset  # position of the target itself in the source population
        done = np.empty((block.size, k), dtype=np.int64)
        todo = np.arange(block.size)
        while todo.size:
            draw = rng.integers(0, pool, size=(todo.size, k))
            if same_population:  # skip the target itself: values >= its own index move up by one
                draw += draw >= local_self[todo, None]
            draw.sort(axis=1)
            done[todo] = draw
            duplicated = np.any(draw[:, 1:] == draw[:, :-1], axis=1)
            todo = todo[duplicated]
        done += offset
        out[start:start + block.size] = done


def make(name: str, scale: float = 1.0) -> Path:
    spec = PROBLEMS[name]
    n = size_of(name, scale)
    n_e = int(round(0.8 * n))
    n_i = n - n_e
    k_e, k_i = int(spec["k_e"]), int(spec["k_i"])
    degree = k_e + k_i
    if n >= 2**31 or n * degree >= 2**62:
        raise ValueError(f"N = {n} is too large for int32 source indices")
    rng = np.random.default_rng(int(spec["seed"]))
    omega = rng.normal(0.0, 1.0, n)
    theta0 = rng.uniform(0.0, 2.0 * np.pi, n)
    targets = np.arange(n, dtype=np.int64)
    edges = np.empty((n, degree), dtype=np.int32)  # row i: the sources of i, E then I
    # E targets: E sources exclude self; I targets: I sources exclude self.
    draw_sources(rng, targets[:n_e], 0, n_e, k_e, True, edges[:n_e, :k_e])
    draw_sources(rng, targets[n_e:], 0, n_e, k_e, False, edges[n_e:, :k_e])
    draw_sources(rng, targets[:n_e], n_e, n_i, k_i, False, edges[:n_e, k_e:])
    draw_sources(rng, targets[n_e:], n_e, n_i, k_i, True, edges[n_e:, k_e:])
    indptr = np.arange(n + 1, dtype=np.int64) * degree

    # Sanity checks of the promises made in the docstring (by blocks: bounded memory).
    for start in range(0, n, BLOCK_ROWS):
        rows = edges[start:start + BLOCK_ROWS]
        own = targets[start:start + BLOCK_ROWS, None]
        assert np.all(rows[:, 1:k_e] > rows[:, :k_e - 1]), "E sources must be sorted and distinct"
        assert np.all(rows[:, k_e + 1:] > rows[:, k_e:-1]), "I sources must be sorted and distinct"
        assert not np.any(rows == own), "no self-loops"
        assert np.all(rows[:, :k_e] < n_e) and np.all(rows[:, k_e:] >= n_e) and np.all(rows >= 0)

    path = problem_path(name)
    arrays: dict[str, Any] = {
        "name": name, "n_e": n_e, "n_i": n_i, "omega": omega, "theta0": theta0, "indptr": indptr,
        "indices": edges.reshape(-1), "dt": float(spec["dt"]), "n_steps": int(spec["n_steps"]),
        "method": "euler", "seed": int(spec["seed"]), "scale": float(scale),
        "repeats": int(spec["repeats"]), "check_rows": int(spec["check_rows"]), **COUPLINGS,
    }
    np.savez(path, **arrays)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of {list(PROBLEMS)} (default: all)")
    parser.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)  # testing only
    args = parser.parse_args()
    for name in args.names or list(PROBLEMS):
        if name not in PROBLEMS:
            parser.error(f"unknown problem {name!r}; choose from {list(PROBLEMS)}")
        start = time.perf_counter()
        path = make(name, args.scale if PROBLEMS[name].get("scalable") else 1.0)
        print(f"wrote {path} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
