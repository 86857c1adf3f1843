"""Right-hand side of SPEC §1: eikura's C++ kernel against the NumPy reference.

Each case times one evaluation of dθ/dt and asserts that both give the same result, so
the benchmark is also a correctness check (CI runs it with --benchmark-disable).

    python -m pytest bench --benchmark-enable --benchmark-group-by=param:case
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse

import eikura as ek
import reference
from eikura.simulation import _core_simulation

COUPLINGS = (5.0, 1.0, 12.0, 2.0)  # k_ee, k_ei, k_ie, k_ii


def _model(n: int, network: ek.networks.Network) -> ek.EIKuramoto:
    n_e = int(0.8 * n)
    k_ee, k_ei, k_ie, k_ii = COUPLINGS
    return ek.EIKuramoto(n_e=n_e, n_i=n - n_e, k_ee=k_ee, k_ei=k_ei, k_ie=k_ie, k_ii=k_ii,
                         frequencies=ek.Lorentzian(0.0, 1.0, regular=True), network=network)


def _csr_of(model: ek.EIKuramoto, seed: int) -> scipy.sparse.csr_array:
    network = model.network.build(model.n_e, model.n_i, seed, 0)
    ones = np.ones(network.n_edges)
    return scipy.sparse.csr_array((ones, network.indices, network.indptr), shape=(model.n, model.n))


CASES = {
    # case: (N, network, reference right-hand side)
    "all-to-all N=1e4 vs dense pairwise": (10_000, ek.AllToAll(), "pairwise"),
    "all-to-all N=1e4 vs NumPy mean field": (10_000, ek.AllToAll(), "mean_field"),
    "sparse N=1e5 k=100 vs scipy.sparse": (100_000, ek.FixedInDegree(k_e=80, k_i=20), "sparse"),
}


@pytest.mark.parametrize("implementation", ["eikura", "reference"])
@pytest.mark.parametrize("case", list(CASES))
def test_rhs(benchmark, case: str, implementation: str) -> None:
    n, network, reference_rhs = CASES[case]
    model = _model(n, network)
    theta = np.random.default_rng(7).uniform(0.0, 2.0 * np.pi, n)
    omega = model.natural_frequencies(np.random.default_rng())
    adjacency = None if isinstance(network, ek.AllToAll) else _csr_of(model, seed=0)

    def run_reference() -> np.ndarray:
        if reference_rhs == "pairwise":
            return reference.rhs_pairwise(theta, 0.0, omega, model.n_e, COUPLINGS)
        if reference_rhs == "mean_field":
            return reference.rhs_mean_field(theta, 0.0, omega, model.n_e, COUPLINGS)
        return reference.rhs_sparse(theta, 0.0, omega, model.n_e, COUPLINGS, adjacency)

    if implementation == "eikura":
        # The prepared C++ simulation: time dθ/dt alone, not building the network.
        simulation = _core_simulation(model, omega, theta, 0, 0, method="rk4", dt=1.0, n_steps=0,
                                      record_every=1, snapshot_every=0, frequency_from_step=-1,
                                      wrap=False)
        result = benchmark(simulation.derivative, theta, 0.0)
    else:
        result = benchmark.pedantic(run_reference, rounds=1 if reference_rhs == "pairwise" else 3)
    expected = run_reference() if implementation == "eikura" else result
    np.testing.assert_allclose(result, expected, rtol=0, atol=1e-11)
