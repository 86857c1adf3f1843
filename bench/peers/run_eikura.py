"""eikura on a peer problem: forward Euler, unwrapped phases, threads = 1 and 2.

    python bench/peers/run_eikura.py sparse [--repeats 3] [--rk4-fine]

Writes ``result_eikura-1t_<problem>.npz`` and ``result_eikura-2t_<problem>.npz``; with
``--rk4-fine`` also ``result_eikura-rk4-fine_<problem>.npz`` (RK4, dt/10: a near-exact
solution for peers whose integrator is not Euler). Integration time is ``Run.wall_time``
(the C++ stepping loop); setup is building the network and the model, and the rest of
the first ``simulate`` call (network hand-over to C++, validation). Best of the problem
file's ``repeats`` runs (5; 3 for ``million``) unless ``--repeats`` is given.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse
from common import check_rows, fail, load_problem, max_phase_difference, rhs_w, runner_parser, save_result

import eikura as ek


def build(problem: dict) -> ek.EIKuramoto:
    n = problem["n"]
    # ek.Graph: row = target, column = source (networks.py); unweighted, so that the
    # in-degree normalisation n_i^Y counts the stored edges, exactly like W in common.py.
    # int32 indptr where it fits: scipy would otherwise widen the indices to int64 as well.
    indptr = problem["indptr"]
    if indptr[-1] < 2**31:
        indptr = indptr.astype(np.int32)
    ones = np.ones(problem["indices"].size)
    matrix = scipy.sparse.csr_array((ones, problem["indices"], indptr), shape=(n, n))
    graph = ek.Graph(matrix, is_excitatory=np.arange(n) < problem["n_e"])
    if not np.array_equal(graph.order, np.arange(n)):
        fail("ek.Graph reordered the oscillators (the problem is stored E first)")
    return ek.EIKuramoto(
        n_e=problem["n_e"], n_i=problem["n_i"], k_ee=problem["k_ee"], k_ei=problem["k_ei"],
        k_ie=problem["k_ie"], k_ii=problem["k_ii"], frequencies=problem["omega"], network=graph,
    )


def run(model: ek.EIKuramoto, problem: dict, threads: int, method: str = "euler", refine: int = 1) -> ek.Run:
    dt = problem["dt"] / refine
    result = ek.simulate(model, t_max=problem["n_steps"] * problem["dt"], dt=dt, method=method,
                         record_every=problem["n_steps"] * refine, initial=problem["theta0"],
                         threads=threads, wrap=False, progress=False)
    if result.steps_done != problem["n_steps"] * refine:
        fail(f"eikura took {result.steps_done} steps, expected {problem['n_steps'] * refine}")
    return result


def main() -> None:
    parser = runner_parser(__doc__)
    parser.add_argument("--repeats", type=int, default=None,
                        help="best of this many runs (default: the problem's, 5 or 3)")
    parser.add_argument("--rk4-fine", action="store_true", help="also RK4 with dt/10")
    args = parser.parse_args()
    problem = load_problem(args.problem)
    repeats = args.repeats or problem["repeats"]

    start = time.perf_counter()
    model = build(problem)
    setup_s = time.perf_counter() - start

    phases: dict[int, np.ndarray] = {}
    for threads in (1, 2):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            result = run(model, problem, threads)
            if not phases:  # the first call also hands the network to C++ (then cached)
                setup_s += time.perf_counter() - start - result.wall_time
            times.append(result.wall_time)
            if threads in phases and not np.array_equal(phases[threads], result.phases):
                fail(f"eikura threads={threads}: repeated runs differ")
            phases[threads] = result.phases
        save_result(f"eikura-{threads}t", args.problem, phases[threads], setup_s, min(times),
                    version=ek.__version__, threads=threads, method="euler", repeats=repeats,
                    integration_all_s=times)
    if not np.array_equal(phases[1], phases[2]):
        fail(f"eikura: threads=1 and threads=2 differ by {max_phase_difference(phases[1], phases[2]):.3g}")

    # The convention check: eikura's right-hand side at theta0 is ω + Σ_j W_ij sin(θ_j − θ_i).
    rows = check_rows(problem)
    rhs_error = float(np.max(np.abs(ek.derivative(model, problem["theta0"], threads=2)[rows]
                                    - rhs_w(problem, problem["theta0"], rows))))
    print(f"eikura: max |dθ/dt − (ω + W sin)| at θ0 = {rhs_error:.3g} ({rows.size:,} rows)")
    if rhs_error > 1e-12:
        fail(f"eikura's right-hand side differs from the W form by {rhs_error:.3g}")

    if args.rk4_fine:
        start = time.perf_counter()
        result = run(model, problem, 2, method="rk4", refine=10)
        rk4_setup_s = time.perf_counter() - start - result.wall_time
        save_result("eikura-rk4-fine", args.problem, result.phases, rk4_setup_s, result.wall_time,
                    version=ek.__version__, threads=2, method="rk4", dt=problem["dt"] / 10)


if __name__ == "__main__":
    main()
