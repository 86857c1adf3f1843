"""Right-hand side and full integrator steps: eikura's C++ core against the NumPy reference.

Each case times eikura (or the reference) and asserts that eikura agrees with the
reference, so every benchmark is also a correctness check. CI runs them once each with
``--benchmark-disable``; to time them:

    python -m pytest bench --benchmark-enable --benchmark-group-by=param:case

Cases vary the topology (all-to-all, stored sparse, stored sparse above the tiling size,
procedural), N, the in-degree k, the threads (1, 2) and the precision of the sin/cos
tables (float64, float32).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse

import eikura as ek
import reference

COUPLINGS = (5.0, 1.0, 12.0, 2.0)  # k_ee, k_ei, k_ie, k_ii
# float32 tables: each of the k terms carries a relative error of about 6e-8.
TOLERANCE = {"float64": 1e-11, "float32": 2e-5}


def _model(n: int, network: ek.networks.Network) -> ek.EIKuramoto:
    n_e = int(0.8 * n)
    k_ee, k_ei, k_ie, k_ii = COUPLINGS
    return ek.EIKuramoto(n_e=n_e, n_i=n - n_e, k_ee=k_ee, k_ei=k_ei, k_ie=k_ie, k_ii=k_ii,
                         frequencies=ek.Lorentzian(0.0, 1.0, regular=True), network=network)


def _csr_of(model: ek.EIKuramoto, seed: int) -> scipy.sparse.csr_array:
    spec = model.network
    if isinstance(spec, ek.Procedural):  # the same seed draws the same network, stored
        spec = ek.FixedInDegree(k_e=spec.k_e, k_i=spec.k_i)
    network = spec.build(model.n_e, model.n_i, seed, 0)
    ones = np.ones(network.n_edges)
    return scipy.sparse.csr_array((ones, network.indices, network.indptr), shape=(model.n, model.n))


def _prepared(model, threads, precision):
    """The right-hand side, prepared outside the timed part (network generation included).
    Regular frequencies: the same ω for every seed, so the reference can draw them too."""
    return ek.right_hand_side(model, seed=0, threads=threads, precision=precision)


RHS_CASES = {
    # case: (N, network, reference right-hand side)
    "all-to-all N=1e4 vs dense pairwise": (10_000, ek.AllToAll(), "pairwise"),
    "all-to-all N=1e5 vs NumPy mean field": (100_000, ek.AllToAll(), "mean_field"),
    "stored N=1e5 k=100 vs scipy.sparse": (100_000, ek.FixedInDegree(k_e=80, k_i=20), "sparse"),
    "stored N=2e5 k=100 (tiled) vs scipy.sparse": (200_000, ek.FixedInDegree(k_e=80, k_i=20), "sparse"),
    "stored N=5e4 k=1000 vs scipy.sparse": (50_000, ek.FixedInDegree(k_e=800, k_i=200), "sparse"),
    "procedural N=1e5 k=100 vs scipy.sparse": (100_000, ek.Procedural(k_e=80, k_i=20), "sparse"),
}


def _reference_rhs(kind, omega, model, adjacency):
    """The reference's dθ/dt as a function of θ, prepared (sparse operator built) once."""
    if kind == "pairwise":
        return lambda theta: reference.rhs_pairwise(theta, 0.0, omega, model.n_e, COUPLINGS)
    if kind == "mean_field":
        return lambda theta: reference.rhs_mean_field(theta, 0.0, omega, model.n_e, COUPLINGS)
    operator = reference.SparseOperator(adjacency, model.n, model.n_e, model.normalization)
    return lambda theta: operator(theta, 0.0, omega, COUPLINGS)


# float32 tables only where there is a gather (all-to-all ignores the option).
PRECISIONS = [(case, precision) for case, (_, network, _) in RHS_CASES.items()
              for precision in (("float64",) if isinstance(network, ek.AllToAll) else ("float64", "float32"))]


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize(("case", "precision"), PRECISIONS)
def test_rhs_eikura(benchmark, case: str, precision: str, threads: int) -> None:
    n, network, kind = RHS_CASES[case]
    model = _model(n, network)
    theta = np.random.default_rng(7).uniform(0.0, 2.0 * np.pi, n)
    omega = model.natural_frequencies(np.random.default_rng())
    rhs = _prepared(model, threads, precision)
    out = np.empty(n)
    result = benchmark(rhs, theta, 0.0, out)
    adjacency = None if isinstance(network, ek.AllToAll) else _csr_of(model, seed=0)
    expected = _reference_rhs(kind, omega, model, adjacency)(theta)
    np.testing.assert_allclose(result, expected, rtol=0, atol=TOLERANCE[precision])


@pytest.mark.parametrize("case", list(RHS_CASES))
def test_rhs_reference(benchmark, case: str) -> None:
    n, network, kind = RHS_CASES[case]
    model = _model(n, network)
    theta = np.random.default_rng(7).uniform(0.0, 2.0 * np.pi, n)
    omega = model.natural_frequencies(np.random.default_rng())
    adjacency = None if isinstance(network, ek.AllToAll) else _csr_of(model, seed=0)
    result = benchmark.pedantic(_reference_rhs(kind, omega, model, adjacency), args=(theta,),
                                rounds=1 if kind == "pairwise" else 3)
    ours = _prepared(model, 2, "float64")(theta, 0.0)
    np.testing.assert_allclose(ours, result, rtol=0, atol=TOLERANCE["float64"])


STEP_CASES = {
    "all-to-all N=1e5 rk4": (100_000, ek.AllToAll(), "rk4"),
    "stored N=2e5 k=100 rk4": (200_000, ek.FixedInDegree(k_e=80, k_i=20), "rk4"),
    "stored N=1e5 k=100 heun": (100_000, ek.FixedInDegree(k_e=80, k_i=20), "heun"),
}


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("case", list(STEP_CASES))
def test_step(benchmark, case: str, threads: int) -> None:
    """Full integrator steps (all stage evaluations, the update, wrapping, recording)."""
    n, network, method = STEP_CASES[case]
    model = _model(n, network)
    theta = np.random.default_rng(7).uniform(0.0, 2.0 * np.pi, n)
    omega = model.natural_frequencies(np.random.default_rng())
    dt, steps_per_round = 0.01, 2
    ek.simulate(model, t_max=dt, dt=dt, method=method, seed=0, record_every=1)  # network built once
    run = benchmark(ek.simulate, model, t_max=steps_per_round * dt, dt=dt, method=method,
                    initial=theta, seed=0, threads=threads, wrap=False, progress=False,
                    record_every=steps_per_round)
    adjacency = None if isinstance(network, ek.AllToAll) else _csr_of(model, seed=0)
    expected = reference.integrate(theta, omega, model.n_e, COUPLINGS, adjacency=adjacency,
                                   normalization=model.normalization,
                                   method=method, dt=dt, n_steps=steps_per_round, wrap=False)
    np.testing.assert_allclose(run.phases, expected["theta"], rtol=0, atol=1e-9)
