"""Large sparse networks (tiled edge order) and the float32 table option.

Networks of at least 2^17 oscillators are stored in a cache-blocked edge order (see
``GatherTiles`` in cpp/include/eikura/network.hpp). These tests check, against the NumPy
oracle and against the procedural network (which adds the very same sources row by row),
that the order changes nothing: the same network, and bit-identical derivatives.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import eikura as ek

N_E, N_I = 110_000, 30_000  # N = 140 000 > 2^17: tiled
COUPLINGS = dict(k_ee=5.0, k_ei=1.0, k_ie=12.0, k_ii=2.0)
SEED = 3


def _model(network, n_e=N_E, n_i=N_I, **extra):
    return ek.EIKuramoto(n_e=n_e, n_i=n_i, frequencies=ek.Lorentzian(0.0, 1.0, regular=True),
                         network=network, **COUPLINGS, **extra)


@pytest.fixture(scope="module")
def theta():
    return np.random.default_rng(11).uniform(0.0, 2.0 * np.pi, N_E + N_I)


def test_large_network_is_tiled_and_decodes_to_the_same_rows():
    spec = ek.FixedInDegree(k_e=12, k_i=4)
    network = spec.build(N_E, N_I, seed=SEED, threads=2)
    assert network.tiled
    assert not ek.FixedInDegree(k_e=12, k_i=4).build(1000, 200, seed=SEED, threads=2).tiled
    indptr, indices = network.indptr, network.indices
    rule = ek.Procedural(k_e=12, k_i=4).build(N_E, N_I, seed=SEED, threads=1)
    for row in (0, 1, 16_383, 16_384, N_E - 1, N_E, N_E + N_I - 1):
        np.testing.assert_array_equal(indices[indptr[row]:indptr[row + 1]], rule.sources(row))
    rows = np.diff(indptr)
    assert np.all(rows == 16)


@pytest.mark.parametrize("normalization", ["in-degree", "population", "none"])
def test_tiled_derivative_matches_reference_and_procedural(normalization, theta, ref,
                                                           built_adjacency):
    stored = _model(ek.FixedInDegree(k_e=12, k_i=4), normalization=normalization)
    procedural = _model(ek.Procedural(k_e=12, k_i=4), normalization=normalization)
    engine = ek.derivative(stored, theta, t=0.0, seed=SEED, threads=2)
    # The procedural network redraws the same rows and adds them in CSR order: any
    # difference in the tiled order of addition would show here, bit for bit.
    np.testing.assert_array_equal(engine, ek.derivative(procedural, theta, seed=SEED, threads=2))
    np.testing.assert_array_equal(engine, ek.derivative(stored, theta, seed=SEED, threads=1))
    omega = stored.natural_frequencies(np.random.default_rng())
    adjacency = built_adjacency(stored, SEED)
    expected = ref.rhs_sparse(theta, 0.0, omega, N_E, lambda t: tuple(COUPLINGS.values()), adjacency,
                              normalization)
    np.testing.assert_allclose(engine, expected, rtol=0, atol=1e-12 * max(1.0, np.abs(expected).max()))


@pytest.mark.parametrize("self_connections", [False, True])
def test_procedural_blocks_equal_the_tiled_stored_network(theta, self_connections):
    # A large procedural network is drawn and gathered block by block, tile by tile
    # (RandomBlocks::draw_tiled_block). With k_e = 200 of 110 000 sources, about one row
    # in six draws a source twice and takes the redraw path: every case must give the
    # bits of the stored (tiled) network, for any number of threads and both tables.
    degrees = dict(k_e=200, k_i=50, self_connections=self_connections)
    stored = _model(ek.FixedInDegree(**degrees))
    procedural = _model(ek.Procedural(**degrees))
    for precision in ("float64", "float32"):
        expected = ek.derivative(stored, theta, seed=SEED, threads=2, precision=precision)
        for threads in (1, 2, 3):
            np.testing.assert_array_equal(
                ek.derivative(procedural, theta, seed=SEED, threads=threads, precision=precision),
                expected)


def test_sparse_network_with_bigger_blocks_matches_reference_and_procedural(ref, built_adjacency):
    # With 4 inputs per row, a block of 2^14 rows holds fewer edges than there are
    # oscillators, so the stored and the procedural blocks grow (to 2^15 rows here, C++
    # tests): the sums must stay those of the plain order and of the NumPy oracle.
    n_e, n_i = 240_000, 60_000
    theta = np.random.default_rng(12).uniform(0.0, 2.0 * np.pi, n_e + n_i)
    stored = _model(ek.FixedInDegree(k_e=3, k_i=1), n_e=n_e, n_i=n_i)
    procedural = _model(ek.Procedural(k_e=3, k_i=1), n_e=n_e, n_i=n_i)
    engine = ek.derivative(stored, theta, seed=SEED, threads=2)
    np.testing.assert_array_equal(engine, ek.derivative(procedural, theta, seed=SEED, threads=2))
    np.testing.assert_array_equal(engine, ek.derivative(procedural, theta, seed=SEED, threads=1))
    omega = stored.natural_frequencies(np.random.default_rng())
    expected = ref.rhs_sparse(theta, 0.0, omega, n_e, lambda t: tuple(COUPLINGS.values()),
                              built_adjacency(stored, SEED))
    np.testing.assert_allclose(engine, expected, rtol=0, atol=1e-12 * max(1.0, np.abs(expected).max()))


def test_tiled_weighted_graph_matches_reference(theta, ref):
    rng = np.random.default_rng(5)
    n = N_E + N_I
    rows = np.repeat(np.arange(n), 6)
    cols = rng.integers(0, n, rows.size)
    matrix = sp.csr_matrix((rng.uniform(0.5, 1.5, rows.size), (rows, cols)), shape=(n, n))
    matrix.sum_duplicates()
    model = _model(ek.Graph(matrix, is_excitatory=np.arange(n) < N_E, weighted=True))
    assert model.network.build(N_E, N_I, seed=0, threads=2).tiled
    engine = ek.derivative(model, theta, threads=2)
    omega = model.natural_frequencies(np.random.default_rng())
    expected = ref.rhs_sparse(theta, 0.0, omega, N_E, lambda t: tuple(COUPLINGS.values()), matrix)
    np.testing.assert_allclose(engine, expected, rtol=0, atol=1e-12 * max(1.0, np.abs(expected).max()))
    np.testing.assert_array_equal(engine, ek.derivative(model, theta, threads=1))


@pytest.mark.parametrize("network", [ek.FixedInDegree(k_e=12, k_i=4), ek.Procedural(k_e=12, k_i=4)],
                         ids=["stored", "procedural"])
def test_float32_tables_cost_single_precision_rounding_only(network, theta):
    model = _model(network)
    double = ek.derivative(model, theta, seed=SEED)
    single = ek.derivative(model, theta, seed=SEED, precision="float32")
    error = np.abs(single - double)
    # Each term carries a float rounding (relative 6e-8) of sin, cos: bounded by the sum of
    # |K| over the inputs, times a few units of float epsilon.
    assert 0.0 < error.max() < 20 * 6e-8 * sum(COUPLINGS.values())
    np.testing.assert_array_equal(single, ek.derivative(model, theta, seed=SEED, precision="float32",
                                                        threads=1))


def test_float32_run_stays_close_and_all_to_all_ignores_it():
    model = _model(ek.FixedInDegree(k_e=40, k_i=10), n_e=1600, n_i=400)
    double = ek.simulate(model, t_max=2.0, dt=0.05, seed=1)
    single = ek.simulate(model, t_max=2.0, dt=0.05, seed=1, precision="float32")
    assert 0.0 < np.max(np.abs(single.r - double.r)) < 1e-5
    dense = _model(ek.AllToAll(), n_e=1600, n_i=400)
    np.testing.assert_array_equal(ek.simulate(dense, t_max=1.0, seed=1, precision="float32").phases,
                                  ek.simulate(dense, t_max=1.0, seed=1).phases)


def test_precision_is_validated():
    model = _model(ek.AllToAll(), n_e=8, n_i=2)
    with pytest.raises(ValueError, match="precision"):
        ek.simulate(model, t_max=1.0, precision="float16")
    with pytest.raises(ValueError, match="precision"):
        ek.derivative(model, np.zeros(10), precision="double")


def test_float32_run_resumes_bit_identically(tmp_path):
    """The precision is part of the checkpoint: resuming continues in float32."""
    model = _model(ek.FixedInDegree(k_e=20, k_i=5), n_e=400, n_i=100)
    settings = dict(dt=0.01, seed=2, precision="float32", record_every=5)
    whole = ek.simulate(model, t_max=1.0, **settings)
    checkpoint = tmp_path / "run.ckpt.nc"
    ek.simulate(model, t_max=0.4, checkpoint=checkpoint, **settings)
    resumed = ek.resume(checkpoint, model, t_max=1.0)
    np.testing.assert_array_equal(resumed.phases, whole.phases)
    np.testing.assert_array_equal(resumed.z, whole.z)
    assert not np.array_equal(whole.phases, ek.simulate(model, t_max=1.0, dt=0.01, seed=2).phases)


def test_prepared_derivative_writes_into_out_or_refuses_it():
    """The benchmarks' in-place derivative: written into `out`, never into a converted copy."""
    model = _model(ek.FixedInDegree(k_e=8, k_i=2), n_e=80, n_i=20)
    theta = np.linspace(0.0, 6.0, 100)
    rhs = ek.right_hand_side(model, seed=0, threads=1)
    out = np.zeros(100)
    assert rhs(theta, 0.0, out) is out
    np.testing.assert_array_equal(out, ek.derivative(model, theta))
    for bad in (np.zeros(100, dtype=np.float32), np.zeros(99), np.zeros((100, 2))[:, 0]):
        with pytest.raises(ValueError, match="out"):
            rhs(theta, 0.0, bad)


def test_tiled_network_takes_about_two_bytes_per_edge():
    # 16-bit words (a source offset and a row step; rare escapes to a full row) and two
    # int64 row arrays: about 2.0 + 16 / k bytes per edge, against 4 + 16 / k for int32.
    spec = ek.FixedInDegree(k_e=80, k_i=20)
    network = spec.build(N_E, N_I, seed=SEED, threads=2)
    assert network.tiled
    bytes_per_edge = network.memory_bytes / network.n_edges
    assert bytes_per_edge < 2.5
    assert bytes_per_edge > 2.0 + 16 / 100  # one word per edge at least
    # The estimate holds the built network and the blocks being laid out (one per thread).
    assert network.memory_bytes <= spec.estimate_bytes(N_E, N_I)
