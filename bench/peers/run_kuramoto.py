"""The PyPI ``kuramoto`` package on a (small) peer problem (runs in bench/peers/.venv-kuramoto).

    bench/peers/.venv-kuramoto/bin/python bench/peers/run_kuramoto.py small

What the package computes (kuramoto/kuramoto.py, ``Kuramoto.derivative``/``integrate``)::

    dθ_c/dt = ω_c + (K / M_c) Σ_r A[r, c] sin(θ_r − θ_c),   M_c = #{r : A[r, c] != 0}

with a dense adjacency matrix A indexed [source, target] (``meshgrid`` then ``sum(axis=0)``),
one coupling constant K and M_c the number of inputs of c. Our model is
dθ_i/dt = ω_i + Σ_j W_ij sin(θ_j − θ_i) (W signed, row = target), so it is expressed
exactly with K = 1 and A = Wᵀ · M (A[j, i] = W_ij · M_i): the package divides by M_i again.
This needs no zero weight on an edge (true here: all four couplings are non-zero) and a
dense N x N matrix (O(N²) memory and work per evaluation), so only the small problem.

The package integrates with ``scipy.integrate.odeint`` (LSODA, adaptive steps, default
tolerances) on ``np.linspace(0, T, int(T/dt))`` output times, not with forward Euler: its
result is compared with a near-exact eikura solution (RK4, dt/10), loosely. Its own
right-hand side ``Kuramoto.derivative`` is also stepped with forward Euler here
(``kuramoto-euler``), which must match eikura's Euler to rounding.
"""

from __future__ import annotations

import time
from importlib.metadata import version
from typing import Any

import numpy as np
import scipy
from common import dense_weights, fail, load_problem, rhs_w, runner_parser, save_result
from kuramoto import Kuramoto


def main() -> None:
    parser = runner_parser(__doc__)
    args = parser.parse_args()
    problem = load_problem(args.problem)
    dt, n_steps = problem["dt"], problem["n_steps"]
    t_max = n_steps * dt

    start = time.perf_counter()
    w = dense_weights(problem)
    inputs = np.count_nonzero(w, axis=1)  # M_i: inputs of target i
    adjacency = np.ascontiguousarray(w.T * inputs[np.newaxis, :])  # A[j, i] = W_ij M_i
    model = Kuramoto(coupling=1.0, dt=dt, T=t_max, natfreqs=problem["omega"])
    setup_s = time.perf_counter() - start

    coupling = model.coupling / np.count_nonzero(adjacency, axis=0)  # as Kuramoto.integrate computes it
    rhs_error = float(np.max(np.abs(model.derivative(problem["theta0"], 0.0, adjacency, coupling)
                                    - rhs_w(problem, problem["theta0"]))))
    print(f"kuramoto: max |dθ/dt − (ω + W sin)| at θ0 = {rhs_error:.3g}")
    if rhs_error > 1e-12:
        fail(f"kuramoto's right-hand side with A = Wᵀ M differs from the W form by {rhs_error:.3g}")

    # 1. The package's own integrator (odeint), counting right-hand-side evaluations.
    calls = 0
    derivative = model.derivative

    def counted(*call_args: Any) -> np.ndarray:
        nonlocal calls
        calls += 1
        return derivative(*call_args)

    model.derivative = counted  # type: ignore[method-assign]
    start = time.perf_counter()
    series = model.run(adj_mat=adjacency, angles_vec=problem["theta0"].copy())
    odeint_s = time.perf_counter() - start
    model.derivative = derivative  # type: ignore[method-assign]
    times = np.linspace(0, model.T, int(model.T / model.dt))
    if not np.isclose(times[-1], t_max):
        fail(f"kuramoto's last output time is {times[-1]}, not {t_max}")
    save_result("kuramoto", args.problem, series[:, -1], setup_s, odeint_s, version=version("kuramoto"),
                scipy=scipy.__version__, method="odeint (LSODA, adaptive, default tolerances)",
                rhs_evaluations=calls, output_times=int(times.size))

    # 2. Its right-hand side stepped with forward Euler (the same scheme as the others).
    theta = problem["theta0"].copy()
    start = time.perf_counter()
    for step in range(n_steps):
        theta = theta + dt * model.derivative(theta, step * dt, adjacency, coupling)
    euler_s = time.perf_counter() - start
    save_result("kuramoto-euler", args.problem, theta, setup_s, euler_s, version=version("kuramoto"),
                method="euler (Kuramoto.derivative stepped by this script)")


if __name__ == "__main__":
    main()
