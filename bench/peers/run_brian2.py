"""Brian2 on a peer problem (runs in bench/peers/.venv-brian2).

    bench/peers/.venv-brian2/bin/python bench/peers/run_brian2.py sparse [--target cython|numpy]
        [--max-memory-gb 10] [--max-setup-s 300]

Model: a NeuronGroup ``dtheta/dt = (omega + coupling)/second : 1`` whose ``coupling`` is
summed by Synapses ``coupling_post = w * sin(theta_pre - theta_post) : 1 (summed)``, one
synapse per edge j → i (pre = source j, post = target i) with the signed weight
w = W_ij of common.edge_weights, ``method='euler'``, ``defaultclock.dt = dt * second``.
Brian2 schedules the summed-variable update before the state update of its group
(``when='groups'``, ``order=target.order - 1``), so each step is exactly
θ ← θ + dt (ω + Σ_j W_ij sin(θ_j − θ_i)) evaluated at the old θ: forward Euler.

Timing: Brian2's own loop time (``device._last_run_time``) is the integration; setup is
everything else (building the groups and synapses, code generation, compilation). A
first run on a small random network of the same equations compiles (or loads from
Brian2's disk cache) the generated code, so the measured run does not compile; the
warm-up's own wall time is reported as ``warmup_s``. The setup is also reported by stage:
``prepare_s`` (this script's NumPy work: sources, targets and weights of every edge; not
part of ``setup_s``), ``build_s`` (groups, ``connect(i=, j=)``, ``w``; of which
``connect_s``) and ``before_loop_s`` (the rest of ``Network.run`` outside the loop).

Limits (10^8 synapses need several GB): after the warm-up the address space of this
process is capped at ``--max-memory-gb`` (``RLIMIT_AS``; default 10), and building the
network is interrupted after ``--max-setup-s`` (default 300; checked between Python
operations, so a long compiled call overruns it). Hitting either writes a result
without phases, ``failed = "could not build: …"``, and exits 0: the table shows it as a
limit of the tool, not a wrong answer. ``peak_rss_gb`` (getrusage) is recorded either way.
"""

from __future__ import annotations

import resource
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import brian2 as b2
import numpy as np
from common import (
    edge_targets,
    edge_weights,
    fail,
    load_problem,
    peak_rss_gb,
    runner_parser,
    save_failure,
    save_result,
)


class SetupTimeout(Exception):
    """Building the Brian2 network took longer than allowed."""


def simulate(problem: dict[str, Any], sources: np.ndarray, targets: np.ndarray, weights: np.ndarray,
             max_setup_s: float = 0.0) -> tuple[np.ndarray, dict[str, float]]:
    """(final phases, timings) for one fresh Brian2 network; timings: setup_s, loop_s, build_s,
    connect_s, before_loop_s. ``max_setup_s`` > 0: raise SetupTimeout if the build takes longer."""
    def too_slow(_signum: int, _frame: Any) -> None:
        raise SetupTimeout(f"building the network took more than {max_setup_s:g} s")

    if max_setup_s > 0:
        signal.signal(signal.SIGALRM, too_slow)
        signal.setitimer(signal.ITIMER_REAL, max_setup_s)
    try:
        start = time.perf_counter()
        b2.start_scope()
        b2.defaultclock.dt = problem["dt"] * b2.second
        group = b2.NeuronGroup(
            problem["n"], "dtheta/dt = (omega + coupling) / second : 1\nomega : 1\ncoupling : 1",
            method="euler",
        )
        group.omega = problem["omega"]
        group.theta = problem["theta0"]
        synapses = b2.Synapses(
            group, group, "w : 1\ncoupling_post = w * sin(theta_pre - theta_post) : 1 (summed)"
        )
        start_connect = time.perf_counter()
        synapses.connect(i=sources, j=targets)
        connect_s = time.perf_counter() - start_connect
        synapses.w = weights
        network = b2.Network(group, synapses)
        build_s = time.perf_counter() - start
    finally:
        if max_setup_s > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)
    start = time.perf_counter()
    network.run(problem["n_steps"] * problem["dt"] * b2.second)
    run_s = time.perf_counter() - start
    loop = float(b2.get_device()._last_run_time)  # noqa: SLF001 - Brian2 has no public timer of the loop alone
    if int(round(float(network.t / b2.defaultclock.dt))) != problem["n_steps"]:
        fail(f"Brian2 ran {network.t / b2.defaultclock.dt} steps, expected {problem['n_steps']}")
    timings = {"setup_s": build_s + run_s - loop, "loop_s": loop, "build_s": build_s, "connect_s": connect_s,
               "before_loop_s": run_s - loop}
    return np.array(group.theta[:]), timings


def warm_up(problem: dict[str, Any]) -> float:
    """Run the same equations on a tiny random network (compiles or loads the code)."""
    rng = np.random.default_rng(0)
    n = 50
    tiny = {**problem, "n": n, "omega": rng.normal(size=n), "theta0": rng.uniform(0, 2 * np.pi, n)}
    sources = rng.integers(0, n, 200)
    targets = rng.integers(0, n, 200)
    start = time.perf_counter()
    simulate(tiny, sources, targets, rng.normal(size=200))
    return time.perf_counter() - start


CACHE = Path(__file__).resolve().parent / ".brian2-cache"  # compiled Cython code, kept between runs


def limit_hit(error: BaseException) -> BaseException | None:
    """The MemoryError or SetupTimeout behind ``error`` (Brian2 wraps errors), if any."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, (MemoryError, SetupTimeout)):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def main() -> None:
    parser = runner_parser(__doc__)
    parser.add_argument("--target", choices=("cython", "numpy"), default="cython",
                        help="code-generation target (default cython; numpy if cython fails)")
    parser.add_argument("--cold", action="store_true", help="empty the compiled-code cache first")
    parser.add_argument("--max-memory-gb", type=float, default=10.0,
                        help="address-space cap after the warm-up, GB (default 10; 0: none)")
    parser.add_argument("--max-setup-s", type=float, default=300.0,
                        help="give up building the network after this many seconds (default 300; 0: never)")
    args = parser.parse_args()
    problem = load_problem(args.problem)

    target = args.target
    if args.cold:
        shutil.rmtree(CACHE, ignore_errors=True)
    CACHE.mkdir(exist_ok=True)
    b2.prefs.codegen.runtime.cython.cache_dir = str(CACHE)
    b2.prefs.codegen.target = target
    b2.prefs.core.default_float_dtype = np.float64
    cached_before = {p.name for p in CACHE.glob("*.so")}
    fallback = ""
    try:
        warmup_s = warm_up(problem)
    except Exception as error:  # report any code-generation failure, then fall back
        if target != "cython":
            raise
        fallback = f"cython failed ({type(error).__name__}: {error}); used numpy"
        print(fallback)
        target = "numpy"
        b2.prefs.codegen.target = target
        warmup_s = warm_up(problem)
    compiled = len({p.name for p in CACHE.glob("*.so")} - cached_before)
    meta = {"version": b2.__version__, "target": target, "warmup_s": warmup_s,
            "modules_compiled_in_warmup": compiled, "fallback": fallback, "method": "euler",
            "max_memory_gb": args.max_memory_gb, "max_setup_s": args.max_setup_s}

    if args.max_memory_gb > 0:
        cap = int(args.max_memory_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, resource.getrlimit(resource.RLIMIT_AS)[1]))
    start = time.perf_counter()
    try:
        sources = problem["indices"]  # int32 already: what Brian2 stores
        targets = edge_targets(problem)
        weights = edge_weights(problem)
        prepare_s = time.perf_counter() - start
        theta, timings = simulate(problem, sources, targets, weights, args.max_setup_s)
    except Exception as error:  # a resource limit is a result; anything else is not
        hit = limit_hit(error)
        if hit is None:
            raise
        if isinstance(hit, MemoryError):
            reason = f"MemoryError (address space capped at {args.max_memory_gb:g} GB)"
        else:
            reason = str(hit)
        save_failure("brian2", args.problem, f"could not build: {reason}; gave up after "
                     f"{time.perf_counter() - start:.0f} s, peak RSS {peak_rss_gb():.1f} GB", **meta)
        return
    if target == "cython" and len({p.name for p in CACHE.glob("*.so")} - cached_before) != compiled:
        fail("Brian2 compiled code during the measured run (the warm-up did not cover it)")
    save_result("brian2", args.problem, theta, timings["setup_s"], timings["loop_s"], prepare_s=prepare_s,
                build_s=timings["build_s"], connect_s=timings["connect_s"],
                before_loop_s=timings["before_loop_s"], **meta)


if __name__ == "__main__":
    main()
