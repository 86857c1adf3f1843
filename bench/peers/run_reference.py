"""The NumPy/SciPy reference (tests/reference.py, its sparse right-hand side) on a peer problem.

    python bench/peers/run_reference.py sparse

``reference.integrate(..., rhs="sparse", method="euler", wrap=False)`` is the oracle the
eikura tests check against: per evaluation sin θ and cos θ once, then four
``scipy.sparse`` products (E and I source blocks), as in the model equation. It builds its sparse
operator inside ``integrate``; that build is timed on its own as the setup and subtracted
from the integration time.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse
from common import check_rows, fail, load_problem, rhs_w, runner_parser, save_result

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
import reference


def main() -> None:
    parser = runner_parser(__doc__)
    args = parser.parse_args()
    problem = load_problem(args.problem)
    n, n_e = problem["n"], problem["n_e"]
    couplings = (problem["k_ee"], problem["k_ei"], problem["k_ie"], problem["k_ii"])

    start = time.perf_counter()
    # row = target, column = source (reference.py's convention); unweighted edges.
    adjacency = scipy.sparse.csr_matrix(
        (np.ones(problem["indices"].size), problem["indices"], problem["indptr"]), shape=(n, n)
    )
    operator = reference.SparseOperator(adjacency, n, n_e, "in-degree")  # what integrate() builds
    setup_s = time.perf_counter() - start

    rows = check_rows(problem)
    rhs_error = float(np.max(np.abs(operator(problem["theta0"], 0.0, problem["omega"], couplings)[rows]
                                    - rhs_w(problem, problem["theta0"], rows))))
    print(f"reference: max |dθ/dt − (ω + W sin)| at θ0 = {rhs_error:.3g} ({rows.size:,} rows)")
    del operator  # integrate() builds its own; do not hold two at once
    if rhs_error > 1e-12:
        fail(f"the reference right-hand side differs from the W form by {rhs_error:.3g}")

    start = time.perf_counter()
    out = reference.integrate(
        problem["theta0"], problem["omega"], n_e, couplings, adjacency=adjacency, normalization="in-degree",
        method="euler", dt=problem["dt"], n_steps=problem["n_steps"], record_every=problem["n_steps"],
        wrap=False, rhs="sparse",
    )
    total = time.perf_counter() - start
    save_result("reference", args.problem, out["theta"], setup_s, max(total - setup_s, 0.0),
                numpy=np.__version__, scipy=scipy.__version__, method="euler",
                note="integration = integrate() wall time minus the operator build (setup)")


if __name__ == "__main__":
    main()
