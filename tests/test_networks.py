"""The C++ sparse network generator and user graphs.

Built networks are read back through the CSR arrays (row = target; ``e_end[i]`` ends the
E-sources of row ``i``) and checked for: exact in-degrees per block, no duplicate or self
connections (unless asked for), Erdős–Rényi densities within statistical error, sorted E-first
sources, reproducibility for any thread count, and the effect of the network's own seed.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

import eikura as ek

BLOCKS = ("ee", "ei", "ie", "ii")  # post, pre


def _rows(network):
    """Per target: (E sources, I sources) as arrays."""
    indptr = np.asarray(network.indptr)
    indices = np.asarray(network.indices)
    e_end = np.asarray(network.e_end)
    return [(indices[indptr[i]:e_end[i]], indices[e_end[i]:indptr[i + 1]])
            for i in range(indptr.size - 1)]


def _block_counts(network, n_e, n_i):
    """Edges per block (post, pre) and per-row in-degrees."""
    rows = _rows(network)
    from_e = np.array([len(e) for e, _ in rows])
    from_i = np.array([len(i) for _, i in rows])
    return {
        "ee": from_e[:n_e], "ei": from_i[:n_e], "ie": from_e[n_e:], "ii": from_i[n_e:],
    }


def _check_csr_layout(network, n_e, n_i, self_connections):
    n = n_e + n_i
    indptr = np.asarray(network.indptr)
    indices = np.asarray(network.indices)
    e_end = np.asarray(network.e_end)
    assert indptr.shape == (n + 1,) and indptr[0] == 0
    assert np.all(np.diff(indptr) >= 0)
    assert indptr[-1] == network.n_edges == indices.size
    assert indices.dtype == np.int32
    assert e_end.shape == (n,)
    assert np.all((indptr[:-1] <= e_end) & (e_end <= indptr[1:]))
    assert np.all((indices >= 0) & (indices < n))
    for target, (from_e, from_i) in enumerate(_rows(network)):
        assert np.all(from_e < n_e), f"row {target}: I source before e_end"
        assert np.all(from_i >= n_e), f"row {target}: E source after e_end"
        row = np.concatenate([from_e, from_i])
        assert np.all(np.diff(row) > 0), f"row {target}: sources not sorted or duplicated"
        if not self_connections:
            assert target not in row, f"row {target}: self-connection"


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize(("n_e", "n_i"), [(300, 100), (1000, 37)])
def test_fixed_in_degree_exact_per_block(n_e, n_i, threads):
    degrees = {"ee": 45, "ei": 7, "ie": 120, "ii": 36}
    spec = ek.FixedInDegree(k_ee=45, k_ei=7, k_ie=120, k_ii=36)
    network = spec.build(n_e, n_i, 12, threads)
    _check_csr_layout(network, n_e, n_i, self_connections=False)
    counts = _block_counts(network, n_e, n_i)
    for block in BLOCKS:
        np.testing.assert_array_equal(counts[block], degrees[block], err_msg=block)
    assert network.n_edges == n_e * (45 + 7) + n_i * (120 + 36)
    assert np.asarray(network.weights).size == 0  # uniform weights: no weight array


def test_fixed_in_degree_defaults_and_overrides():
    network = ek.FixedInDegree(k_e=20, k_i=5, k_ii=9).build(200, 50, 3, 1)
    counts = _block_counts(network, 200, 50)
    expected = {"ee": 20, "ei": 5, "ie": 20, "ii": 9}
    for block in BLOCKS:
        assert np.all(counts[block] == expected[block]), block


def test_fixed_in_degree_sources_are_spread():
    """Every source is used and the in-block choice is not always the same sources."""
    n_e, n_i = 400, 100
    network = ek.FixedInDegree(k_e=40, k_i=10).build(n_e, n_i, 5, 1)
    indices = np.asarray(network.indices)
    out_degree = np.bincount(indices, minlength=n_e + n_i)
    # expected out-degree: E sources 40 * 500 / 400 = 50, I sources 10 * 500 / 100 = 50
    assert abs(out_degree[:n_e].mean() - 50.0) < 1e-9
    assert abs(out_degree[n_e:].mean() - 50.0) < 1e-9
    assert out_degree.min() > 20 and out_degree.max() < 90  # ~Binomial, sd ~ 7
    rows = _rows(network)
    assert len({tuple(e) for e, _ in rows}) == n_e + n_i  # all rows distinct


def test_full_blocks_without_self_connections():
    """k = N_Y − 1 on a diagonal block: every other oscillator, never itself."""
    n_e, n_i = 30, 12
    network = ek.FixedInDegree(k_ee=n_e - 1, k_ei=n_i, k_ie=n_e, k_ii=n_i - 1).build(n_e, n_i, 1, 1)
    _check_csr_layout(network, n_e, n_i, self_connections=False)
    for target, (from_e, from_i) in enumerate(_rows(network)):
        expected = np.setdiff1d(np.arange(n_e + n_i), [target])
        np.testing.assert_array_equal(np.concatenate([from_e, from_i]), expected)


def test_self_connections_allowed_on_request():
    n_e, n_i = 30, 12
    spec = ek.FixedInDegree(k_ee=n_e, k_ei=3, k_ie=5, k_ii=n_i, self_connections=True)
    network = spec.build(n_e, n_i, 1, 1)
    _check_csr_layout(network, n_e, n_i, self_connections=True)
    rows = _rows(network)
    for target in range(n_e):  # the E→E block is full: it must contain the self-connection
        assert target in rows[target][0]
    for target in range(n_e, n_e + n_i):
        assert target in rows[target][1]
    # Erdős–Rényi with p = 1 and self-connections: the complete graph with loops
    complete = ek.ErdosRenyi(p=1.0, self_connections=True).build(n_e, n_i, 2, 1)
    assert complete.n_edges == (n_e + n_i) ** 2
    without = ek.ErdosRenyi(p=1.0).build(n_e, n_i, 2, 1)
    assert without.n_edges == (n_e + n_i) * (n_e + n_i - 1)
    _check_csr_layout(without, n_e, n_i, self_connections=False)


def test_fixed_in_degree_larger_than_population_is_refused():
    # the message names what the user typed: k_e, not the block k_ee it sets
    with pytest.raises(ValueError, match=r"^k_e: in-degree 30 exceeds the 29 available excitatory"):
        ek.FixedInDegree(k_e=30, k_i=1).build(30, 10, 1, 1)  # 29 available without self
    with pytest.raises(ValueError, match=r"^k_ii: in-degree 10 exceeds the 9 available inhibitory"):
        ek.FixedInDegree(k_e=3, k_i=5, k_ii=10).build(30, 10, 1, 1)  # 9 without self
    # 30 is fine once self-connections are allowed
    ek.FixedInDegree(k_e=30, k_i=1, self_connections=True).build(30, 10, 1, 1)


@pytest.mark.parametrize("threads", [1, 2])
def test_erdos_renyi_density_per_block(threads):
    n_e, n_i = 1200, 300
    probabilities = {"ee": 0.02, "ei": 0.15, "ie": 0.3, "ii": 0.05}
    spec = ek.ErdosRenyi(p_ee=0.02, p_ei=0.15, p_ie=0.3, p_ii=0.05)
    network = spec.build(n_e, n_i, 77, threads)
    _check_csr_layout(network, n_e, n_i, self_connections=False)
    counts = _block_counts(network, n_e, n_i)
    possible = {"ee": n_e * (n_e - 1), "ei": n_e * n_i, "ie": n_i * n_e, "ii": n_i * (n_i - 1)}
    for block, p in probabilities.items():
        edges = counts[block].sum()
        mean, sd = p * possible[block], np.sqrt(possible[block] * p * (1 - p))
        assert abs(edges - mean) < 5 * sd, (block, edges, mean, sd)
    # in-degrees per row are binomial, not fixed
    assert counts["ie"].std() > 0.5 * np.sqrt(n_e * 0.3 * 0.7)
    # a source's out-degree into E is binomial too: sources are uniform
    out_to_e = np.bincount(np.asarray(network.indices)[: network.indptr[n_e]],
                           minlength=n_e + n_i)
    assert abs(out_to_e[:n_e].mean() - 0.02 * (n_e - 1)) < 1.0


def test_erdos_renyi_extreme_probabilities():
    n_e, n_i = 50, 20
    network = ek.ErdosRenyi(p=0.0, p_ie=1.0).build(n_e, n_i, 1, 1)
    counts = _block_counts(network, n_e, n_i)
    assert counts["ee"].sum() == counts["ei"].sum() == counts["ii"].sum() == 0
    assert np.all(counts["ie"] == n_e)


@pytest.mark.parametrize("spec", [
    ek.FixedInDegree(k_ee=40, k_ei=9, k_ie=33, k_ii=14),
    ek.ErdosRenyi(p=0.05, p_ei=0.2),
], ids=["fixed-in-degree", "erdos-renyi"])
def test_same_seed_same_network_any_thread_count(spec):
    n_e, n_i = 3000, 900  # many rows per thread
    one = spec.build(n_e, n_i, 1234, 1)
    two = spec.build(n_e, n_i, 1234, 2)
    again = spec.build(n_e, n_i, 1234, 2)
    for network in (two, again):
        np.testing.assert_array_equal(network.indptr, one.indptr)
        np.testing.assert_array_equal(network.indices, one.indices)
        np.testing.assert_array_equal(network.e_end, one.e_end)
    other = spec.build(n_e, n_i, 1235, 1)
    assert not np.array_equal(other.indices, one.indices)


@pytest.mark.parametrize("spec_class", [ek.FixedInDegree, ek.ErdosRenyi])
def test_network_seed_is_independent_of_the_run_seed(spec_class, rng, circ_diff):
    """``seed=`` on the network spec fixes the network across runs with other seeds."""
    n_e, n_i = 200, 50
    options = dict(k_e=20, k_i=5) if spec_class is ek.FixedInDegree else dict(p=0.1)
    fixed = spec_class(seed=99, **options)
    follows_run = spec_class(**options)
    a, b = fixed.build(n_e, n_i, 1, 1), fixed.build(n_e, n_i, 2, 2)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, follows_run.build(n_e, n_i, 99, 1).indices)
    assert not np.array_equal(follows_run.build(n_e, n_i, 1, 1).indices,
                              follows_run.build(n_e, n_i, 2, 1).indices)

    # through simulate: explicit state, no noise → the run seed only picks the network
    theta0 = rng.uniform(0.0, 2 * np.pi, n_e + n_i)
    omega = rng.normal(0.0, 1.0, n_e + n_i)
    couplings = dict(k_ee=3.0, k_ei=1.0, k_ie=2.0, k_ii=1.0)

    def final(network, seed):
        model = ek.EIKuramoto(n_e=n_e, n_i=n_i, frequencies=omega, network=network, **couplings)
        return ek.simulate(model, t_max=2.0, dt=0.05, initial=theta0, seed=seed,
                           progress=False, threads=1).phases

    np.testing.assert_array_equal(final(fixed, 1), final(fixed, 2))
    assert np.max(np.abs(circ_diff(final(follows_run, 1), final(follows_run, 2)))) > 1e-6


def test_estimated_network_memory_matches_built_network():
    """4 bytes per edge (int32, no weights) plus the row arrays, for fixed in-degree."""
    n_e, n_i = 800, 200
    spec = ek.FixedInDegree(k_e=80, k_i=20)
    network = spec.build(n_e, n_i, 1, 1)
    assert network.n_edges == 100 * (n_e + n_i)
    estimate = spec.estimate_bytes(n_e, n_i)
    assert 4 * network.n_edges <= estimate <= 4 * network.n_edges + 32 * (n_e + n_i + 1)


def test_procedural_estimate_counts_the_block_buffers():
    """A procedural network stores no edge, but each thread keeps one block of drawn rows:
    at N >= 2^17, 2^13 rows of 100 four-byte words (a block holds at most 2^20 edges), tile
    by tile (buffers grown by doubling)."""
    spec = ek.Procedural(k_e=80, k_i=20)
    threads = ek.threads_for(10**9, None)  # every core: the estimate assumes a run may use them
    one_block = 2**13 * 100 * 4
    estimate = spec.estimate_bytes(160_000, 40_000)
    assert threads * one_block <= estimate <= threads * 3 * one_block
    assert 0 < spec.estimate_bytes(800, 200) <= threads * 4 * 100  # a row at a time below 2^17


# ---------------------------------------------------------------------------------------
# User graphs
# ---------------------------------------------------------------------------------------
def _random_matrix(rng, n, density=0.1):
    return sp.random(n, n, density=density, format="csr", random_state=rng,
                       data_rvs=lambda size: rng.uniform(0.5, 2.0, size))


@pytest.mark.parametrize("weighted", [False, True])
def test_graph_from_scipy_is_reordered_e_first(weighted, rng):
    n = 120
    matrix = _random_matrix(rng, n)
    mask = rng.random(n) < 0.7
    graph = ek.Graph(matrix, is_excitatory=mask, weighted=weighted)
    order = np.concatenate([np.flatnonzero(mask), np.flatnonzero(~mask)])
    np.testing.assert_array_equal(graph.order, order)
    assert (graph.n_e, graph.n_i) == (mask.sum(), n - mask.sum())
    network = graph.build(graph.n_e, graph.n_i, 0, 1)
    _check_csr_layout(network, graph.n_e, graph.n_i, self_connections=True)
    built = sp.csr_matrix((np.asarray(network.weights) if weighted else np.ones(network.n_edges),
                           np.asarray(network.indices), np.asarray(network.indptr)),
                          shape=(n, n))
    expected = sp.csr_matrix(matrix)[order][:, order]
    if not weighted:
        expected.data[:] = 1.0
    assert (built != expected).nnz == 0
    if weighted:
        np.testing.assert_array_equal(built.toarray(), expected.toarray())


def test_graph_ignores_stored_zeros_and_sums_duplicates():
    rows = np.array([0, 0, 1, 2, 2])
    cols = np.array([1, 1, 2, 0, 1])
    data = np.array([0.5, 0.25, 0.0, 1.0, 2.0])  # (0,1) duplicated, (1,2) a stored zero
    matrix = sp.coo_matrix((data, (rows, cols)), shape=(3, 3))
    graph = ek.Graph(matrix, is_excitatory=np.array([True, True, False]), weighted=True)
    network = graph.build(2, 1, 0, 1)
    assert network.n_edges == 3
    built = sp.csr_matrix((np.asarray(network.weights), np.asarray(network.indices),
                           np.asarray(network.indptr)), shape=(3, 3)).toarray()
    np.testing.assert_array_equal(built, [[0, 0.75, 0], [0, 0, 0], [1.0, 2.0, 0]])


def test_graph_from_networkx_edge_direction_and_attribute():
    """Edge u → v: u is the source, so matrix[v, u] (row = target) holds the weight."""
    digraph = nx.DiGraph()
    digraph.add_node("b", exc=False)
    digraph.add_node("a", exc=True)
    digraph.add_node("c", exc=True)
    digraph.add_edge("a", "b", weight=2.0)   # E → I
    digraph.add_edge("b", "c", weight=3.0)   # I → E
    digraph.add_edge("c", "a", weight=0.5)   # E → E
    graph = ek.Graph(digraph, is_excitatory="exc", weighted=True)
    # nodes in insertion order b, a, c → E first: a, c, then b
    np.testing.assert_array_equal(graph.order, [1, 2, 0])
    assert (graph.n_e, graph.n_i) == (2, 1)
    network = graph.build(2, 1, 0, 1)
    built = sp.csr_matrix((np.asarray(network.weights), np.asarray(network.indices),
                           np.asarray(network.indptr)), shape=(3, 3)).toarray()
    # stored order: 0 = a, 1 = c, 2 = b
    expected = np.zeros((3, 3))
    expected[2, 0] = 2.0  # a → b
    expected[1, 2] = 3.0  # b → c
    expected[0, 1] = 0.5  # c → a
    np.testing.assert_array_equal(built, expected)
    unweighted = ek.Graph(digraph, is_excitatory=np.array([False, True, True]))
    np.testing.assert_array_equal(unweighted.order, [1, 2, 0])
    assert np.asarray(unweighted.build(2, 1, 0, 1).weights).size == 0


def test_graph_labels_set_the_model_sizes(rng):
    matrix = _random_matrix(rng, 50)
    mask = np.arange(50) % 3 != 0
    model = ek.EIKuramoto(k_ee=1.0, network=ek.Graph(matrix, is_excitatory=mask))
    assert (model.n_e, model.n_i) == (int(mask.sum()), 50 - int(mask.sum()))
    with pytest.raises(ValueError, match="is_excitatory"):
        ek.EIKuramoto(n_e=10, n_i=40, network=ek.Graph(matrix, is_excitatory=mask))
