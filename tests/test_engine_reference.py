"""The C++ engine against the NumPy oracle (tests/reference.py)§3.

Every topology × every integrator (with and without noise) × constant and time-varying
couplings: from the same initial phases and frequencies, 200 steps at N = 500, the final
phases agree to 1e-10 on the circle and every recorded mean field to 1e-10. Then all three
normalizations, unwrapped phases, and the convergence order of each integrator.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

import eikura as ek

N_E, N_I = 400, 100
N = N_E + N_I
N_STEPS, DT, RECORD_EVERY = 200, 0.01, 10
SEED = 20_240_611
TOLERANCE = 1e-10
K = {"k_ee": 2.5, "k_ei": 1.3, "k_ie": 3.1, "k_ii": 0.7}  # all different on purpose

# Time-varying couplings over t in [0, 2]: the sinusoid is clipped at 0 for part of each
# period; the ramp has interior breakpoints and is constant before 0.1 and after 1.6.
SCHEDULES = {
    "constant": K,
    "sinusoid": {
        "k_ee": ek.Sinusoid(mean=2.5, amplitude=3.0, period=0.7),
        "k_ei": ek.Sinusoid(mean=1.3, amplitude=1.0, period=1.3, phase=0.4),
        "k_ie": 3.1,
        "k_ii": ek.Sinusoid(mean=0.7, amplitude=0.5, period=0.5, phase=2.0),
    },
    "piecewise-linear": {
        "k_ee": ek.PiecewiseLinear(times=[0.1, 0.55, 1.2, 1.6], values=[0.5, 4.0, 1.0, 3.0]),
        "k_ei": 1.3,
        "k_ie": ek.PiecewiseLinear(times=[0.0, 2.0], values=[5.0, 0.0]),
        "k_ii": ek.PiecewiseLinear(times=[0.3, 0.9], values=[0.0, 2.0]),
    },
}

INTEGRATORS = {
    "euler": ("euler", 0.0),
    "heun": ("heun", 0.0),
    "rk4": ("rk4", 0.0),
    "euler-maruyama": ("euler", (0.3, 0.1)),
    "stochastic-heun": ("heun", (0.3, 0.1)),
}


# ---------------------------------------------------------------------------------------
# Topologies: each returns (network spec, oracle adjacency or "build").
# ---------------------------------------------------------------------------------------
def _labels(rng: np.random.Generator) -> np.ndarray:
    """N_E excitatory labels scattered over N positions, so the E-first reorder matters."""
    mask = np.zeros(N, dtype=bool)
    mask[rng.choice(N, N_E, replace=False)] = True
    return mask


def _user_matrix(rng: np.random.Generator) -> sp.csr_matrix:
    """A random (N, N) matrix (row = target) with weights in [0.5, 2], a few explicitly
    stored zeros (not edges) and some self-loops."""
    matrix = sp.random(N, N, density=0.06, format="coo", random_state=rng,
                       data_rvs=lambda size: rng.uniform(0.5, 2.0, size))
    zeros_at = rng.choice(N, 25)
    rows = np.concatenate([matrix.row, zeros_at])
    cols = np.concatenate([matrix.col, rng.choice(N, 25)])
    data = np.concatenate([matrix.data, np.zeros(25)])
    coo = sp.coo_matrix((data, (rows, cols)), shape=(N, N))
    coo.sum_duplicates()
    return coo.tocsr()


def _permuted(matrix: sp.spmatrix, order: np.ndarray) -> sp.csr_matrix:
    return sp.csr_matrix(sp.csr_matrix(matrix)[order][:, order])


def _graph_topology(rng: np.random.Generator, weighted: bool):
    mask = _labels(rng)
    matrix = _user_matrix(rng)
    graph = ek.Graph(matrix, is_excitatory=mask, weighted=weighted)
    order = np.concatenate([np.flatnonzero(mask), np.flatnonzero(~mask)])
    adjacency = matrix.copy()
    adjacency.eliminate_zeros()
    if not weighted:
        adjacency.data[:] = 1.0
    return graph, _permuted(adjacency, order)


def _networkx_topology(rng: np.random.Generator, by_attribute: bool):
    mask = _labels(rng)
    nodes = rng.permutation(N)  # node names inserted in shuffled order
    digraph = nx.DiGraph()
    for position, node in enumerate(nodes):
        digraph.add_node(int(node), excitatory=bool(mask[position]))
    index = {int(node): position for position, node in enumerate(nodes)}
    n_edges = int(0.05 * N * N)
    sources, targets = rng.choice(nodes, n_edges), rng.choice(nodes, n_edges)
    weights = rng.uniform(0.5, 2.0, n_edges)
    edges = {(int(u), int(v)): float(w) for u, v, w in zip(sources, targets, weights, strict=True)}
    if by_attribute:
        digraph.add_weighted_edges_from((u, v, w) for (u, v), w in edges.items())
    else:
        digraph.add_edges_from(edges)
    rows = [index[v] for _, v in edges]  # row = target
    cols = [index[u] for u, _ in edges]
    values = list(edges.values()) if by_attribute else np.ones(len(edges))
    adjacency = sp.csr_matrix((values, (rows, cols)), shape=(N, N))
    if by_attribute:
        graph = ek.Graph(digraph, is_excitatory="excitatory", weighted=True)
    else:
        graph = ek.Graph(digraph, is_excitatory=mask)
    order = np.concatenate([np.flatnonzero(mask), np.flatnonzero(~mask)])
    return graph, _permuted(adjacency, order)


def make_topology(name: str, rng: np.random.Generator):
    if name == "all-to-all":
        return ek.AllToAll(), None
    if name == "fixed-in-degree":
        return ek.FixedInDegree(k_ee=40, k_ei=12, k_ie=25, k_ii=9), "build"
    if name == "erdos-renyi":
        return ek.ErdosRenyi(p=0.08, p_ie=0.15), "build"
    if name == "scipy-unweighted":
        return _graph_topology(rng, weighted=False)
    if name == "scipy-weighted":
        return _graph_topology(rng, weighted=True)
    if name == "networkx-attribute-weighted":
        return _networkx_topology(rng, by_attribute=True)
    if name == "networkx-mask":
        return _networkx_topology(rng, by_attribute=False)
    raise AssertionError(name)


TOPOLOGIES = [
    "all-to-all", "fixed-in-degree", "erdos-renyi", "scipy-unweighted", "scipy-weighted",
    "networkx-attribute-weighted", "networkx-mask",
]


def _state(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    theta0 = rng.uniform(0.0, 2.0 * np.pi, N)
    omega = rng.normal(0.5, 1.0, N)
    return theta0, omega


def _assert_match(run, expected, circ_diff, tolerance=TOLERANCE):
    assert run.phases.shape == (N,)
    phase_error = np.max(np.abs(circ_diff(run.phases, expected["theta"])))
    assert phase_error <= tolerance, f"max phase difference {phase_error:.3g}"
    np.testing.assert_allclose(run.t, expected["t"], rtol=0, atol=1e-12)
    for name in ("z_e", "z_i", "z"):
        recorded = getattr(run, name)
        assert recorded.shape == expected[name].shape, name
        error = np.max(np.abs(recorded - expected[name]))
        assert error <= tolerance, f"{name}: max difference {error:.3g}"


@pytest.mark.parametrize("couplings", list(SCHEDULES))
@pytest.mark.parametrize("integrator", list(INTEGRATORS))
@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_engine_matches_reference(topology, integrator, couplings, rng, engine_vs_reference,
                                  circ_diff):
    network, adjacency = make_topology(topology, rng)
    theta0, omega = _state(rng)
    method, noise = INTEGRATORS[integrator]
    model = ek.EIKuramoto(n_e=N_E, n_i=N_I, frequencies=omega, noise=noise, network=network,
                          **SCHEDULES[couplings])
    run, expected = engine_vs_reference(model, theta0, method=method, dt=DT, n_steps=N_STEPS,
                                        record_every=RECORD_EVERY, seed=SEED,
                                        adjacency=adjacency)
    _assert_match(run, expected, circ_diff)
    np.testing.assert_array_equal(run.frequencies, omega)
    # the comparison is not vacuous: coupling moved the phases away from free rotation
    free = theta0 + omega * N_STEPS * DT
    assert np.max(np.abs(circ_diff(run.phases, free))) > 1e-2


def _normalization_couplings(normalization: str, adjacency) -> dict[str, float]:
    """With "none" the raw sums grow with the in-degree: scale K to keep the run tame."""
    if normalization != "none":
        return K
    degree = N if adjacency is None else max(float(np.mean(np.diff(adjacency.indptr))), 1.0)
    return {name: value / degree for name, value in K.items()}


@pytest.mark.parametrize("method", ["euler", "rk4"])
@pytest.mark.parametrize("normalization", ["in-degree", "population", "none"])
@pytest.mark.parametrize("topology", ["all-to-all", "erdos-renyi", "scipy-weighted"])
def test_normalizations_match_reference(topology, normalization, method, rng,
                                        engine_vs_reference, built_adjacency, circ_diff, ref):
    network, adjacency = make_topology(topology, rng)
    theta0, omega = _state(rng)
    model = ek.EIKuramoto(n_e=N_E, n_i=N_I, frequencies=omega, network=network)
    if isinstance(adjacency, str):
        adjacency = built_adjacency(model, SEED)
    model = model.with_changes(normalization=normalization,
                               **_normalization_couplings(normalization, adjacency))
    run, expected = engine_vs_reference(model, theta0, method=method, dt=DT, n_steps=N_STEPS,
                                        record_every=RECORD_EVERY, seed=SEED,
                                        adjacency=adjacency)
    _assert_match(run, expected, circ_diff)
    # not vacuous: the oracle with the default normalization gives another trajectory
    # (except all-to-all "population", which is the same as "in-degree" there)
    if normalization != "in-degree" and not (topology == "all-to-all"
                                              and normalization == "population"):
        other = ref.integrate(theta0, omega, N_E, tuple(K.values()), adjacency=adjacency,
                              normalization="in-degree", method=method, dt=DT,
                              n_steps=N_STEPS)["theta"]
        assert np.max(np.abs(circ_diff(run.phases, other))) > 1e-6


@pytest.mark.parametrize("topology", ["all-to-all", "fixed-in-degree"])
@pytest.mark.parametrize("integrator", list(INTEGRATORS))
def test_unwrapped_phases_match_reference(topology, integrator, rng, engine_vs_reference):
    """wrap=False: the engine keeps the phases unwrapped, like the oracle, to 1e-10."""
    network, adjacency = make_topology(topology, rng)
    theta0, _ = _state(rng)
    omega = rng.normal(0.0, 20.0, N)  # fast rotations: phases leave [0, 2pi) both ways
    method, noise = INTEGRATORS[integrator]
    model = ek.EIKuramoto(n_e=N_E, n_i=N_I, frequencies=omega, noise=noise, network=network,
                          **K)
    run, expected = engine_vs_reference(model, theta0, method=method, dt=DT, n_steps=N_STEPS,
                                        record_every=RECORD_EVERY, seed=SEED, wrap=False,
                                        adjacency=adjacency)
    assert run.phases.max() > 2 * np.pi and run.phases.min() < 0
    np.testing.assert_allclose(run.phases, expected["theta"], rtol=0, atol=TOLERANCE * 10)
    for name in ("z_e", "z_i", "z"):
        np.testing.assert_allclose(getattr(run, name), expected[name], rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("threads", [1, 2])
def test_larger_sparse_run_matches_reference(threads, rng, engine_vs_reference, circ_diff):
    """Several reduction chunks (N > 2048) and both thread counts, sparse, stochastic Heun."""
    n_e, n_i = 4000, 1000
    theta0 = rng.uniform(0.0, 2.0 * np.pi, n_e + n_i)
    omega = rng.normal(0.0, 1.0, n_e + n_i)
    model = ek.EIKuramoto(n_e=n_e, n_i=n_i, frequencies=omega, noise=(0.2, 0.05),
                          network=ek.FixedInDegree(k_e=30, k_i=10), **K)
    run, expected = engine_vs_reference(model, theta0, method="heun", dt=DT, n_steps=50,
                                        record_every=5, seed=SEED, threads=threads)
    assert np.max(np.abs(circ_diff(run.phases, expected["theta"]))) <= TOLERANCE
    for name in ("z_e", "z_i", "z"):
        assert np.max(np.abs(getattr(run, name) - expected[name])) <= TOLERANCE


@pytest.mark.parametrize("normalization", ["in-degree", "population", "none"])
@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_derivative_matches_reference_rhs(topology, normalization, rng, built_adjacency, ref):
    """ek.derivative (the engine's right-hand side) equals all three oracle right-hand sides
    (literal pairwise sum, sparse identity, mean field) at several times."""
    network, adjacency = make_topology(topology, rng)
    theta, omega = _state(rng)
    model = ek.EIKuramoto(n_e=N_E, n_i=N_I, frequencies=omega, network=network,
                          normalization=normalization, **SCHEDULES["sinusoid"])
    if isinstance(adjacency, str):
        adjacency = built_adjacency(model, SEED)
    couplings = lambda t: tuple(float(getattr(model, name)(t))  # noqa: E731
                                for name in ("k_ee", "k_ei", "k_ie", "k_ii"))
    for t in (0.0, 0.37, 1.1):
        engine = ek.derivative(model, theta, t=t, seed=SEED, threads=1)
        expected = ref.rhs_pairwise(theta, t, omega, N_E, couplings, adjacency, normalization)
        scale = max(1.0, float(np.max(np.abs(expected))))
        np.testing.assert_allclose(engine, expected, rtol=0, atol=1e-12 * scale)
        if adjacency is None:
            other = ref.rhs_mean_field(theta, t, omega, N_E, couplings, normalization)
        else:
            other = ref.rhs_sparse(theta, t, omega, N_E, couplings, adjacency, normalization)
        np.testing.assert_allclose(engine, other, rtol=0, atol=1e-12 * scale)
        assert np.max(np.abs(engine - omega)) > 1e-3  # the coupling contributes


@pytest.mark.parametrize(("n_e", "n_i", "network"), [
    (300, 0, ek.AllToAll()),
    (0, 300, ek.AllToAll()),
    (300, 0, ek.FixedInDegree(k_e=10, k_i=0)),
    (0, 300, ek.FixedInDegree(k_e=0, k_i=10)),
    (400, 100, ek.ErdosRenyi(p=0.01)),  # many oscillators without inputs from one population
], ids=["E-only", "I-only", "E-only-sparse", "I-only-sparse", "sparse-with-empty-rows"])
@pytest.mark.parametrize("method", ["heun", "rk4"])
def test_empty_populations_and_rows_match_reference(n_e, n_i, network, method, rng,
                                                    engine_vs_reference, built_adjacency,
                                                    circ_diff):
    """A population of size 0, or a row with no inputs from Y, contributes c^Y = 0."""
    n = n_e + n_i
    theta0 = rng.uniform(0.0, 2.0 * np.pi, n)
    omega = rng.normal(0.0, 1.0, n)
    model = ek.EIKuramoto(n_e=n_e, n_i=n_i, frequencies=omega, network=network, **K)
    adjacency = built_adjacency(model, SEED)
    if adjacency is not None and n_e and n_i:
        in_degree_from_e = np.diff(adjacency[:, :n_e].tocsr().indptr)
        in_degree_from_i = np.diff(adjacency[:, n_e:].tocsr().indptr)
        assert np.any(in_degree_from_e == 0) and np.any(in_degree_from_i == 0)
    run, expected = engine_vs_reference(model, theta0, method=method, dt=DT, n_steps=N_STEPS,
                                        record_every=RECORD_EVERY, seed=SEED,
                                        adjacency=adjacency)
    assert np.max(np.abs(circ_diff(run.phases, expected["theta"]))) <= TOLERANCE
    # the mean field of an empty population is undefined (the oracle gives NaN): compare
    # only the fields of non-empty populations
    names = ["z"] + (["z_e"] if n_e else []) + (["z_i"] if n_i else [])
    for name in names:
        assert np.max(np.abs(getattr(run, name) - expected[name])) <= TOLERANCE, name
    assert np.max(np.abs(circ_diff(run.phases, theta0 + omega * N_STEPS * DT))) > 1e-2


# ---------------------------------------------------------------------------------------
# Convergence order of the engine's integrators
# ---------------------------------------------------------------------------------------
def _final_phases(model, theta0, method, n_steps, t_end=1.0):
    run = ek.simulate(model, t_max=t_end, dt=t_end / n_steps, method=method,
                      record_every=n_steps, initial=theta0, seed=1, threads=1,
                      progress=False, wrap=False)
    assert run.config["run"]["n_steps"] == n_steps
    return run.phases


@pytest.mark.parametrize("couplings", ["constant", "sinusoid", "piecewise-linear"])
@pytest.mark.parametrize("topology", ["all-to-all", "fixed-in-degree"])
@pytest.mark.parametrize(("method", "order"), [("euler", 1), ("heun", 2), ("rk4", 4)])
def test_convergence_order(method, order, topology, couplings, rng):
    n_e, n_i = 40, 10
    theta0 = rng.uniform(0.0, 2.0 * np.pi, n_e + n_i)
    omega = rng.normal(0.0, 1.0, n_e + n_i)
    network = ek.AllToAll() if topology == "all-to-all" else ek.FixedInDegree(k_e=12, k_i=4)
    schedules = dict(SCHEDULES[couplings])
    if couplings == "piecewise-linear":
        # a kink inside a step limits every scheme to first order: keep breakpoints on the
        # coarsest grid (multiples of 1/20) so that the order of the scheme shows
        schedules["k_ee"] = ek.PiecewiseLinear(times=[0.1, 0.55, 0.8], values=[0.5, 4.0, 1.0])
        schedules["k_ii"] = ek.PiecewiseLinear(times=[0.3, 0.9], values=[0.0, 2.0])
    if couplings == "sinusoid":
        # smooth: no clipping at 0
        schedules["k_ee"] = ek.Sinusoid(mean=2.5, amplitude=2.0, period=0.7)
    model = ek.EIKuramoto(n_e=n_e, n_i=n_i, frequencies=omega, network=network, **schedules)
    exact = _final_phases(model, theta0, "rk4", 4000)
    steps = np.array([20, 40, 80, 160])
    errors = np.array([np.max(np.abs(_final_phases(model, theta0, method, s) - exact))
                       for s in steps])
    slope = np.polyfit(np.log(1.0 / steps), np.log(errors), 1)[0]
    assert abs(slope - order) < 0.3, (slope, errors)
