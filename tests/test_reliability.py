"""Reliability: no crash, no silent wrong answer.

* Validation at the boundary, beyond tests/test_validation.py: user sparse matrices
  (malformed index arrays, bad weights, wrong dtypes, wrong labels), array arguments
  (dtype, shape, finiteness), flags that must be real booleans, step counts that would
  overflow the core, checkpoint and file arguments. Each case asserts the exception type
  and that the message names the parameter.
* User matrices mean what ``matrix.toarray()`` shows (unsorted indices, duplicates,
  stored zeros, int64 indices, any scipy format) and are never modified.
* The memory guard refuses, before allocating anything, runs that do not fit, and its
  estimate is close to what a run really takes (network, state, recordings, snapshots).
* A diverging integration raises instead of returning NaN.
* The C++ core checks its own invariants when called directly.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

import eikura as ek
from eikura import _core

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference

GOOD = dict(n_e=4, n_i=2, k_ee=1.0, k_ei=1.0, k_ie=1.0, k_ii=1.0)
MASK = np.array([True, True, True, True, False, False])
NAN, INF = float("nan"), float("inf")


def model(**changes):
    return ek.EIKuramoto(**{**GOOD, **changes})


def simulate(model_=None, **changes):
    options = dict(t_max=1.0, dt=0.1, seed=1, threads=1, progress=False)
    return ek.simulate(model() if model_ is None else model_, **{**options, **changes})


def csr(indptr, indices, data=None, n=6, cls=sp.csr_matrix):
    """A CSR matrix from raw arrays, as a user might build it (scipy does not check them)."""
    indices = np.asarray(indices)
    data = np.ones(indices.size) if data is None else np.asarray(data, dtype=float)
    return cls((data, indices, np.asarray(indptr)), shape=(n, n))


def tampered(change):
    """A valid 6×6 CSR matrix whose arrays are then changed in place by ``change``."""
    matrix = csr([0, 2, 3, 3, 4, 5, 6], [1, 4, 0, 5, 2, 3], [1.0, 2.0, 1.0, 1.0, 1.0, 1.0])
    change(matrix)
    return matrix


def _set(array, index, value):
    array[index] = value


def coo(rows, cols, n=6):
    return sp.coo_matrix((np.ones(len(rows)), (np.asarray(rows), np.asarray(cols))), shape=(n, n))


def _write_garbage(path):
    path.write_bytes(b"not a netcdf file at all")
    return path


CASES = {
    # --- user sparse matrices: malformed index arrays (scipy does not check them) ------
    "column index out of range": (
        lambda: ek.Graph(csr([0, 1, 1, 1, 1, 1, 1], [6]), MASK),
        ValueError,
        "matrix",
    ),
    "negative column index": (
        lambda: ek.Graph(csr([0, 1, 1, 1, 1, 1, 1], [-1]), MASK),
        ValueError,
        "matrix",
    ),
    "index changed out of range": (
        lambda: ek.Graph(tampered(lambda m: _set(m.indices, 3, 99)), MASK),
        ValueError,
        "matrix",
    ),
    "indptr decreasing": (
        lambda: ek.Graph(tampered(lambda m: _set(m.indptr, 2, 0)), MASK),
        ValueError,
        "matrix",
    ),
    "indptr past the stored entries": (
        lambda: ek.Graph(tampered(lambda m: _set(m.indptr, 6, 9)), MASK),
        ValueError,
        "matrix",
    ),
    "indptr not starting at 0": (
        lambda: ek.Graph(tampered(lambda m: _set(m.indptr, 0, 1)), MASK),
        ValueError,
        "matrix",
    ),
    "csc index out of range": (
        lambda: ek.Graph(csr([0, 1, 1, 1, 1, 1, 1], [7], cls=sp.csc_matrix), MASK),
        ValueError,
        "matrix",
    ),
    "coo row out of range": (lambda: ek.Graph(tampered_coo(row=7), MASK), ValueError, "matrix"),
    "coo negative column": (lambda: ek.Graph(tampered_coo(col=-3), MASK), ValueError, "matrix"),
    "float index array": (
        lambda: ek.Graph(tampered(lambda m: setattr(m, "indices", m.indices.astype(float))), MASK),
        TypeError,
        "matrix",
    ),
    # --- user sparse matrices: values --------------------------------------------------
    "NaN weight, unweighted": (
        lambda: ek.Graph(csr([0, 1, 1, 1, 1, 1, 1], [1], [NAN]), MASK),
        ValueError,
        "matrix",
    ),
    "infinite weight": (
        lambda: ek.Graph(csr([0, 1, 1, 1, 1, 1, 1], [1], [INF]), MASK, weighted=True),
        ValueError,
        "matrix",
    ),
    "negative weight, unweighted": (
        lambda: ek.Graph(csr([0, 1, 1, 1, 1, 1, 1], [1], [-1.0]), MASK),
        ValueError,
        "matrix",
    ),
    "negative duplicate cancelling": (
        lambda: ek.Graph(csr([0, 2, 2, 2, 2, 2, 2], [1, 1], [1.0, -1.0]), MASK, weighted=True),
        ValueError,
        "matrix",
    ),
    "complex matrix": (lambda: ek.Graph(sp.csr_matrix(np.eye(6) * 1j), MASK), TypeError, "matrix"),
    "non-square coo": (lambda: ek.Graph(sp.coo_matrix((6, 5)), MASK), ValueError, "matrix"),
    "dense list as matrix": (
        lambda: ek.Graph([[0, 1], [1, 0]], np.array([True, False])),
        TypeError,
        "matrix",
    ),
    "weighted not a bool": (
        lambda: ek.Graph(sp.eye(6, format="csr"), MASK, weighted="yes"),
        TypeError,
        "weighted",
    ),
    # --- labels -------------------------------------------------------------------------
    "too few labels": (
        lambda: ek.Graph(sp.eye(6, format="csr"), MASK[:5]),
        ValueError,
        "is_excitatory",
    ),
    "too many labels": (
        lambda: ek.Graph(sp.eye(6, format="csr"), np.r_[MASK, True]),
        ValueError,
        "is_excitatory",
    ),
    "2-D labels": (
        lambda: ek.Graph(sp.eye(6, format="csr"), MASK[None, :]),
        ValueError,
        "is_excitatory",
    ),
    "0/1 labels": (
        lambda: ek.Graph(sp.eye(6, format="csr"), MASK.astype(int)),
        TypeError,
        "is_excitatory",
    ),
    "attribute name without networkx": (
        lambda: ek.Graph(sp.eye(6, format="csr"), "excitatory"),
        TypeError,
        "is_excitatory",
    ),
    "labels disagree with n_e": (
        lambda: ek.EIKuramoto(n_e=5, n_i=1, network=ek.Graph(sp.eye(6, format="csr"), MASK)),
        ValueError,
        "is_excitatory",
    ),
    "networkx graph with NaN weight": (
        lambda: ek.Graph(_nan_weighted_digraph(), "exc", weighted=True),
        ValueError,
        "matrix",
    ),
    # --- arrays ------------------------------------------------------------------------
    "complex initial phases": (lambda: simulate(initial=np.zeros(6) + 1j), TypeError, "initial"),
    "object initial phases": (lambda: simulate(initial=np.array([None] * 6)), TypeError, "initial"),
    "boolean initial phases": (
        lambda: simulate(initial=np.zeros(6, dtype=bool)),
        TypeError,
        "initial",
    ),
    "ragged initial phases": (lambda: simulate(initial=[[0.0], [0.0, 1.0]]), TypeError, "initial"),
    "infinite initial phase": (
        lambda: simulate(initial=np.r_[np.zeros(5), INF]),
        ValueError,
        "initial",
    ),
    "complex frequencies": (
        lambda: model(frequencies=np.zeros(6, dtype=complex)),
        TypeError,
        "frequencies",
    ),
    "boolean frequencies": (
        lambda: model(frequencies=np.ones(6, dtype=bool)),
        TypeError,
        "frequencies",
    ),
    "2-D frequencies": (lambda: model(frequencies=np.zeros((6, 1))), ValueError, "frequencies"),
    "infinite frequency": (
        lambda: model(frequencies=np.r_[np.zeros(5), -INF]),
        ValueError,
        "frequencies",
    ),
    "frequency pair with an array": (
        lambda: model(frequencies=(ek.Lorentzian(), np.zeros(2))),
        TypeError,
        "frequencies",
    ),
    "derivative: short phases": (lambda: ek.derivative(model(), np.zeros(5)), ValueError, "phases"),
    "derivative: NaN phase": (
        lambda: ek.derivative(model(), np.r_[np.zeros(5), NAN]),
        ValueError,
        "phases",
    ),
    "derivative: infinite t": (lambda: ek.derivative(model(), np.zeros(6), t=INF), ValueError, "t"),
    "ramp times 2-D": (lambda: ek.PiecewiseLinear([[0.0, 1.0]], [[1.0, 2.0]]), ValueError, "times"),
    "ramp with NaN value": (
        lambda: ek.PiecewiseLinear([0.0, 1.0], [1.0, NAN]),
        ValueError,
        "values",
    ),
    # --- scalars -----------------------------------------------------------------------
    "too many oscillators": (lambda: model(n_e=2**31, n_i=0), ValueError, "n_e"),
    "n_e None": (lambda: model(n_e=None), TypeError, "n_e"),
    "n_i bool": (lambda: model(n_i=True), TypeError, "n_i"),
    "k_ee complex": (lambda: model(k_ee=1j), TypeError, "k_ee"),
    "k_ie None": (lambda: model(k_ie=None), TypeError, "k_ie"),
    "k_ii list": (lambda: model(k_ii=[1.0, 2.0]), TypeError, "k_ii"),
    "noise string": (lambda: model(noise="high"), TypeError, "noise"),
    "noise infinite": (lambda: model(noise=INF), ValueError, "noise"),
    "noise pair with NaN": (lambda: model(noise=(0.1, NAN)), ValueError, "noise"),
    "Lorentzian infinite width": (lambda: ek.Lorentzian(0.0, INF), ValueError, "width"),
    "Lorentzian negative width": (lambda: ek.Lorentzian(0.0, -1.0), ValueError, "width"),
    "Lorentzian NaN center": (lambda: ek.Lorentzian(NAN, 1.0), ValueError, "center"),
    "Gaussian zero std": (lambda: ek.Gaussian(0.0, 0.0), ValueError, "std"),
    "Uniform reversed": (lambda: ek.Uniform(1.0, -1.0), ValueError, "high"),
    "Uniform infinite": (lambda: ek.Uniform(-INF, 1.0), ValueError, "low"),
    "sinusoid amplitude list": (lambda: ek.Sinusoid(1.0, [1.0, 2.0], 1.0), TypeError, "amplitude"),
    "sinusoid NaN amplitude": (lambda: ek.Sinusoid(1.0, NAN, 1.0), ValueError, "amplitude"),
    "sinusoid infinite phase": (lambda: ek.Sinusoid(1.0, 1.0, 1.0, phase=INF), ValueError, "phase"),
    "sinusoid infinite period": (lambda: ek.Sinusoid(1.0, 1.0, INF), ValueError, "period"),
    "negative constant": (lambda: ek.Constant(-0.5), ValueError, "value"),
    # --- flags must be booleans (a truthy string is a mistake, not a yes) ------------------
    "regular as string": (lambda: ek.Lorentzian(regular="no"), TypeError, "regular"),
    "Gaussian regular as int": (lambda: ek.Gaussian(regular=1), TypeError, "regular"),
    "Uniform regular as None": (lambda: ek.Uniform(regular=None), TypeError, "regular"),
    "self_connections as string": (
        lambda: ek.FixedInDegree(k_e=1, k_i=1, self_connections="no"),
        TypeError,
        "self_connections",
    ),
    "ER self_connections as int": (
        lambda: ek.ErdosRenyi(p=0.1, self_connections=0),
        TypeError,
        "self_connections",
    ),
    "wrap as string": (lambda: simulate(wrap="no"), TypeError, "wrap"),
    "mean_frequencies as string": (
        lambda: simulate(mean_frequencies="yes"),
        TypeError,
        "mean_frequencies",
    ),
    "progress as string": (lambda: simulate(progress="yes"), TypeError, "progress"),
    # --- networks ----------------------------------------------------------------------
    "in-degree beyond population at construction": (
        lambda: model(network=ek.FixedInDegree(k_e=4, k_i=1)),
        ValueError,
        "k_e",
    ),
    "inhibitory in-degree beyond population": (
        lambda: model(network=ek.FixedInDegree(k_e=1, k_i=3)),
        ValueError,
        "k_i",
    ),
    "in-degree beyond int32": (lambda: ek.FixedInDegree(k_e=2**31, k_i=1), ValueError, "k_e"),
    "in-degree as float": (lambda: ek.FixedInDegree(k_e=2.0, k_i=1), TypeError, "k_e"),
    "probability NaN": (lambda: ek.ErdosRenyi(p=NAN), ValueError, "p"),
    "probability string": (lambda: ek.ErdosRenyi(p=0.1, p_ie="0.2"), TypeError, "p_ie"),
    "network seed float": (lambda: ek.ErdosRenyi(p=0.1, seed=1.0), TypeError, "seed"),
    # --- run settings --------------------------------------------------------------------
    "more steps than 2**53": (lambda: simulate(t_max=1e20, dt=1e-3), ValueError, "t_max"),
    "tiny dt": (lambda: simulate(dt=1e-300), ValueError, "dt"),
    "dt as string": (lambda: simulate(dt="0.1"), TypeError, "dt"),
    "t_max infinite": (lambda: simulate(t_max=INF), ValueError, "t_max"),
    "record_every beyond 2**53": (lambda: simulate(record_every=2**60), ValueError, "record_every"),
    "record_every bool": (lambda: simulate(record_every=True), TypeError, "record_every"),
    "snapshot_every beyond 2**53": (
        lambda: simulate(snapshot_every=2**70),
        ValueError,
        "snapshot_every",
    ),
    "snapshot_every negative": (lambda: simulate(snapshot_every=-1), ValueError, "snapshot_every"),
    "threads above 4096": (lambda: simulate(threads=5000), ValueError, "threads"),
    "threads as float": (lambda: simulate(threads=2.0), TypeError, "threads"),
    "threads as bool": (lambda: simulate(threads=True), TypeError, "threads"),
    "seed as string": (lambda: simulate(seed="1"), TypeError, "seed"),
    "seed as numpy float": (lambda: simulate(seed=np.float64(1.0)), TypeError, "seed"),
    "transient NaN": (
        lambda: simulate(mean_frequencies=True, transient=NAN),
        ValueError,
        "transient",
    ),
    "initial_spread infinite": (
        lambda: simulate(initial="sync", initial_spread=INF),
        ValueError,
        "initial_spread",
    ),
    "method not a string": (lambda: simulate(method=4), ValueError, "method"),
    "memory_limit NaN": (lambda: simulate(memory_limit=NAN), ValueError, "memory_limit"),
    "memory_limit string": (lambda: simulate(memory_limit="1 GB"), TypeError, "memory_limit"),
    # --- checkpoints ---------------------------------------------------------------------
    "checkpoint_every without a file": (
        lambda: simulate(checkpoint_every=10),
        ValueError,
        "checkpoint_every",
    ),
    "checkpoint_every zero": (
        lambda: simulate(checkpoint="x.ckpt.nc", checkpoint_every=0),
        ValueError,
        "checkpoint_every",
    ),
    "checkpoint in a missing folder": (
        lambda: simulate(checkpoint="/no/such/folder/run.ckpt.nc"),
        FileNotFoundError,
        "checkpoint",
    ),
    "checkpoint is a folder": (lambda: simulate(checkpoint=os.getcwd()), ValueError, "checkpoint"),
    "checkpoint not a path": (lambda: simulate(checkpoint=42), TypeError, "checkpoint"),
    "resume a missing file": (
        lambda: ek.resume("/no/such/run.ckpt.nc", model()),
        FileNotFoundError,
        "path",
    ),
    "resume without a model": (lambda: ek.resume("run.ckpt.nc", {"n_e": 4}), TypeError, "model"),
    # --- estimate_memory, load, classify ---------------------------------------------------
    "estimate: negative steps": (
        lambda: ek.estimate_memory(model(), -1, 1, 0),
        ValueError,
        "n_steps",
    ),
    "estimate: record_every 0": (
        lambda: ek.estimate_memory(model(), 10, 0, 0),
        ValueError,
        "record_every",
    ),
    "estimate: snapshot_every negative": (
        lambda: ek.estimate_memory(model(), 10, 1, -2),
        ValueError,
        "snapshot_every",
    ),
    "estimate: steps as string": (
        lambda: ek.estimate_memory(model(), "10", 1, 0),
        TypeError,
        "n_steps",
    ),
    "estimate: not a model": (lambda: ek.estimate_memory(None, 10, 1, 0), TypeError, "model"),
    "load: not a path": (lambda: ek.load(3.5), TypeError, "path"),
    "save: into a folder path": (lambda: simulate().save(os.getcwd()), ValueError, "path"),
    "classify: NaN in r": (
        lambda: ek.classify(r=np.r_[np.full(50, 0.5), NAN], n=100),
        ValueError,
        "r",
    ),
    "classify: r above 1": (lambda: ek.classify(r=np.full(50, 1.5), n=100), ValueError, "r"),
    "classify: n zero": (lambda: ek.classify(r=np.full(50, 0.5), n=0), ValueError, "n"),
    "classify: t not increasing": (
        lambda: ek.classify(r=np.full(50, 0.5), t=np.zeros(50), n=10),
        ValueError,
        "t",
    ),
}


def tampered_coo(row=0, col=1):
    matrix = coo([0, 1, 2], [1, 2, 3])
    matrix.row[0] = row
    matrix.col[0] = col
    return matrix


def _nan_weighted_digraph():
    graph = nx.DiGraph()
    graph.add_node(0, exc=True)
    graph.add_node(1, exc=False)
    graph.add_edge(0, 1, weight=NAN)
    return graph


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_raises_a_clear_error(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative checkpoint paths land here
    call, error, parameter = CASES[case]
    with pytest.raises(error, match=rf"(?<![\w.]){re.escape(parameter)}\b") as raised:
        call()
    assert len(str(raised.value)) > len(parameter) + 15, "the message should say what to do"


def test_file_errors_name_the_path(tmp_path):
    garbage = _write_garbage(tmp_path / "garbage.nc")
    with pytest.raises(ValueError, match=r"\bpath\b.*not a readable eikura result"):
        ek.load(garbage)
    with pytest.raises(ValueError, match=r"\bpath\b.*not a readable eikura checkpoint"):
        ek.resume(garbage, model())
    saved = simulate().save(tmp_path / "run.nc")
    with pytest.raises(ValueError, match=r"\bpath\b.*ek.load"):
        ek.resume(saved, model())  # a result is not a checkpoint


# ---------------------------------------------------------------------------------------
# User matrices mean what matrix.toarray() shows, in any format; they are not modified.
# ---------------------------------------------------------------------------------------
def _built_dense(graph: ek.Graph) -> np.ndarray:
    network = graph.build(graph.n_e, graph.n_i, 0, 1)
    weights = np.asarray(network.weights)
    data = weights if weights.size else np.ones(int(network.n_edges))
    n = graph.n_e + graph.n_i
    return sp.csr_matrix(
        (data, np.asarray(network.indices), np.asarray(network.indptr)), shape=(n, n)
    ).toarray()


def _expected_dense(matrix, mask, weighted):
    dense = np.asarray(matrix.toarray(), dtype=float)
    order = np.r_[np.flatnonzero(mask), np.flatnonzero(~mask)]
    dense = dense[order][:, order]
    return dense if weighted else (dense != 0).astype(float)


def _non_canonical_matrix():
    """Rows with unsorted indices, a duplicated entry, a stored zero, int64 index arrays."""
    indptr = np.array([0, 3, 3, 5, 6, 6, 8], dtype=np.int64)
    indices = np.array([5, 1, 1, 0, 3, 2, 4, 0], dtype=np.int64)
    data = np.array([2.0, 0.5, 0.25, 0.0, 1.5, 3.0, 1.0, 0.75])
    return sp.csr_matrix((data, indices, indptr), shape=(6, 6))


@pytest.mark.parametrize("form", ["csr", "csc", "coo", "lil", "dok", "csr_array", "bool"])
@pytest.mark.parametrize("weighted", [False, True])
def test_user_matrix_means_what_toarray_shows(form, weighted):
    base = _non_canonical_matrix()
    assert not base.has_canonical_format  # the point of the test
    mask = np.array([False, True, True, False, True, False])
    matrix = {
        "csr": lambda: base,
        "csc": base.tocsc,
        "coo": base.tocoo,
        "lil": base.tolil,
        "dok": base.todok,
        "csr_array": lambda: sp.csr_array(base),
        "bool": lambda: base.astype(bool),
    }[form]()
    before = [
        np.array(getattr(matrix, name), copy=True)
        for name in ("data", "indices", "indptr")
        if hasattr(matrix, name) and form not in ("lil", "dok")
    ]
    graph = ek.Graph(matrix, is_excitatory=mask, weighted=weighted)
    np.testing.assert_array_equal(_built_dense(graph), _expected_dense(matrix, mask, weighted))
    after = [
        np.asarray(getattr(matrix, name))
        for name in ("data", "indices", "indptr")
        if hasattr(matrix, name) and form not in ("lil", "dok")
    ]
    for old, new in zip(before, after, strict=True):
        np.testing.assert_array_equal(old, new)  # the caller's matrix is untouched


def test_rows_without_inputs_under_in_degree_normalisation(rng):
    """An oscillator with no input from a population gets no coupling term from it (a sum
    over no inputs is 0, never 0/0): finite results that match the oracle exactly."""
    n_e = 5
    # oscillator 0 has no inputs at all, 1 only excitatory ones, 6 only inhibitory ones
    rows = [1, 1, 2, 2, 3, 4, 5, 6, 7, 7]
    cols = [2, 3, 0, 6, 1, 7, 0, 5, 1, 6]
    matrix = coo(rows, cols, n=8)
    mask = np.arange(8) < n_e
    omega = rng.normal(size=8)
    theta0 = rng.uniform(0, 2 * np.pi, 8)
    test_model = ek.EIKuramoto(
        k_ee=2.0, k_ei=1.5, k_ie=3.0, k_ii=1.0, frequencies=omega, network=ek.Graph(matrix, mask)
    )
    run = ek.simulate(
        test_model,
        t_max=1.0,
        dt=0.01,
        method="rk4",
        record_every=10,
        initial=theta0,
        seed=0,
        threads=1,
        progress=False,
    )
    assert np.all(np.isfinite(run.phases)) and np.all(np.isfinite(run.z))
    expected = reference.integrate(
        theta0,
        omega,
        n_e,
        (2.0, 1.5, 3.0, 1.0),
        adjacency=matrix.tocsr(),
        method="rk4",
        dt=0.01,
        n_steps=100,
        record_every=10,
    )
    np.testing.assert_allclose(
        np.angle(np.exp(1j * (run.phases - expected["theta"]))), 0, atol=1e-12
    )
    np.testing.assert_allclose(run.z, expected["z"], atol=1e-12)
    # the isolated oscillator just rotates at its natural frequency
    assert np.isclose(np.mod(theta0[0] + omega[0] * 1.0, 2 * np.pi), run.phases[0], atol=1e-9)


# ---------------------------------------------------------------------------------------
# Memory guard
# ---------------------------------------------------------------------------------------
def _max_rss_bytes() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@pytest.mark.parametrize("what", ["snapshots", "records", "sparse network", "graph-sized N"])
def test_runs_larger_than_the_machine_are_refused_before_allocation(what):
    """Each of these would need far more memory than any test machine has; the refusal
    comes at once and the process's peak memory does not grow."""
    requests = {
        "snapshots": (
            ek.EIKuramoto(n_e=800_000, n_i=200_000, k_ee=1.0),
            dict(t_max=1e4, dt=0.01, snapshot_every=1),
        ),
        "records": (
            ek.EIKuramoto(n_e=8, n_i=2, k_ee=1.0),
            dict(t_max=1e13, dt=0.01, record_every=1),
        ),
        "sparse network": (
            ek.EIKuramoto(
                n_e=400_000_000,
                n_i=100_000_000,
                k_ee=1.0,
                network=ek.FixedInDegree(k_e=8_000, k_i=2_000),
            ),
            dict(t_max=1.0, dt=0.1),
        ),
        "graph-sized N": (
            ek.EIKuramoto(n_e=2**31 - 2, n_i=1, k_ee=1.0, network=ek.ErdosRenyi(p=0.01)),
            dict(t_max=1.0, dt=0.1),
        ),
    }
    huge, settings = requests[what]
    peak_before = _max_rss_bytes()
    start = time.perf_counter()
    with pytest.raises(ek.MemoryLimitError, match=r"memory_limit.*GiB") as raised:
        ek.simulate(huge, seed=0, threads=1, progress=False, **settings)
    assert time.perf_counter() - start < 2.0
    assert _max_rss_bytes() - peak_before < 64 * 2**20
    assert "raise memory_limit" in str(raised.value)  # says how to override


def test_memory_limit_override_and_estimate_sanity():
    small = ek.EIKuramoto(n_e=40, n_i=10, k_ee=1.0)
    needed = ek.estimate_memory(small, n_steps=100, record_every=1, snapshot_every=1)
    assert needed["run"] >= 101 * 50 * 8 * 2  # snapshots in the core and their copy
    with pytest.raises(ek.MemoryLimitError):
        ek.simulate(
            small,
            t_max=1.0,
            dt=0.01,
            record_every=1,
            snapshot_every=1,
            progress=False,
            memory_limit=needed["total"] - 1,
        )
    run = ek.simulate(
        small,
        t_max=1.0,
        dt=0.01,
        record_every=1,
        snapshot_every=1,
        progress=False,
        memory_limit=needed["total"],
    )
    assert run.snapshots.shape == (101, 50)
    # absurd requests saturate, never wrap around to a small number
    absurd = ek.estimate_memory(
        ek.EIKuramoto(n_e=2**31 - 1, n_i=0), n_steps=2**53, record_every=1, snapshot_every=1
    )
    assert absurd["total"] > 2**62


_RSS_CHILD = textwrap.dedent("""
    import json, resource, sys
    import eikura as ek
    kind = sys.argv[1]
    if kind == "snapshots":
        model = ek.EIKuramoto(n_e=160_000, n_i=40_000, k_ee=1.0)
        settings = dict(t_max=0.6, dt=0.01, record_every=1, snapshot_every=1)
    else:
        model = ek.EIKuramoto(n_e=160_000, n_i=40_000, k_ee=1.0,
                              network=ek.FixedInDegree(k_e=160, k_i=40))
        settings = dict(t_max=0.05, dt=0.01, record_every=1)
    n_steps = round(settings["t_max"] / settings["dt"])
    estimate = ek.estimate_memory(model, n_steps, settings["record_every"],
                                  settings.get("snapshot_every", 0))
    def status(field):
        with open("/proc/self/status") as lines:
            return next(int(line.split()[1]) * 1024 for line in lines if line.startswith(field))
    try:  # reset the peak to the current size: the run's peak, not an import's
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass
    before = status("VmRSS:")
    run = ek.simulate(model, seed=1, threads=2, progress=False, **settings)
    after = max(status("VmHWM:"), status("VmRSS:"))
    print(json.dumps({"estimate": estimate["total"], "growth": after - before,
                      "before": before}))
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
@pytest.mark.skipif(
    "libasan" in os.environ.get("LD_PRELOAD", ""),
    reason="AddressSanitizer's shadow memory and quarantine change the footprint",
)
@pytest.mark.parametrize("kind", ["snapshots", "sparse network"])
def test_memory_estimate_matches_what_a_run_takes(kind):
    """Peak memory growth of a real run (fresh process) stays within the estimate, and
    the estimate is not wildly pessimistic either."""
    result = subprocess.run(
        [sys.executable, "-c", _RSS_CHILD, kind.split()[0]],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    estimate, growth = measured["estimate"], measured["growth"]
    assert estimate > 50 * 2**20  # the test is about a real amount of memory
    assert growth <= 1.1 * estimate + 16 * 2**20, measured
    assert growth >= 0.5 * estimate, measured


# ---------------------------------------------------------------------------------------
# Divergence is an error, not NaN
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("record_every", [1, 10])
def test_a_diverging_integration_raises(record_every):
    # A common frequency near the largest float: no rate for the step guard (phases only
    # rotate together), but an RK4 stage sum overflows.
    exploding = model(k_ee=0.0, k_ei=0.0, frequencies=np.full(6, 1e308))
    with pytest.raises(FloatingPointError, match=r"\bdt\b.*diverged"):
        simulate(exploding, record_every=record_every, dt=1.0, t_max=10.0)


@pytest.mark.parametrize("couplings", [dict(k_ee=1e308, k_ei=1e308), dict(k_ee=1e6),
                                       dict(k_ii=1e300, k_ie=1.0)])
def test_stiff_couplings_are_refused_before_running(couplings):
    with pytest.raises(ValueError,
                       match=r"^dt: too large for this model: .*(use dt <= |lower the couplings)"):
        simulate(model(**couplings), dt=1e-3, t_max=0.01, record_every=1)


# ---------------------------------------------------------------------------------------
# The core checks its own invariants (reached directly, bypassing the Python layer)
# ---------------------------------------------------------------------------------------
def _core_simulation(**changes):
    arguments = dict(
        n_e=4,
        n_i=2,
        omega=np.zeros(6),
        couplings=[_core.Schedule.constant(1.0)] * 4,
        noise_e=0.0,
        noise_i=0.0,
        network=None,
        normalization="in-degree",
        method="rk4",
        dt=0.1,
        n_steps=10,
        record_every=1,
        snapshot_every=0,
        frequency_from_step=-1,
        wrap=True,
        seed=0,
        threads=1,
        initial=np.zeros(6),
    )
    arguments.update(changes)
    return _core.Simulation(**arguments)


CORE_CASES = {
    "NaN frequency": (lambda: _core_simulation(omega=np.r_[np.zeros(5), NAN]), "frequencies"),
    "short frequencies": (lambda: _core_simulation(omega=np.zeros(5)), "frequencies"),
    "negative noise": (lambda: _core_simulation(noise_e=-1.0, method="heun"), "noise"),
    "rk4 with noise": (lambda: _core_simulation(noise_i=0.1), "rk4"),
    "zero dt": (lambda: _core_simulation(dt=0.0), "dt"),
    "NaN dt": (lambda: _core_simulation(dt=NAN), "dt"),
    "negative steps": (lambda: _core_simulation(n_steps=-1), "n_steps"),
    "record_every 0": (lambda: _core_simulation(record_every=0), "record_every"),
    "overflowing snapshots": (
        lambda: _core_simulation(n_steps=2**62, record_every=2**61, snapshot_every=1),
        "snapshot_every",
    ),
    "NaN initial": (lambda: _core_simulation(initial=np.r_[np.zeros(5), NAN]), "initial"),
    "unknown method": (lambda: _core_simulation(method="midpoint"), "method"),
    "unknown normalization": (lambda: _core_simulation(normalization="sum"), "normalization"),
    "negative constant coupling": (lambda: _core.Schedule.constant(-1.0), "constant"),
    "CSR index out of range": (
        lambda: _core.CsrNetwork.from_csr(
            2, 1, np.array([0, 1, 1, 1]), np.array([5], dtype=np.int32), np.empty(0)
        ),
        "indices",
    ),
    "CSR duplicate edge": (
        lambda: _core.CsrNetwork.from_csr(
            2, 1, np.array([0, 2, 2, 2]), np.array([1, 1], dtype=np.int32), np.empty(0)
        ),
        "duplicate",
    ),
    "CSR decreasing indptr": (
        lambda: _core.CsrNetwork.from_csr(
            2, 1, np.array([0, 2, 1, 2]), np.array([0, 1], dtype=np.int32), np.empty(0)
        ),
        "indptr",
    ),
    "CSR NaN weight": (
        lambda: _core.CsrNetwork.from_csr(
            2, 1, np.array([0, 1, 1, 1]), np.array([1], dtype=np.int32), np.array([NAN])
        ),
        "weights",
    ),
}


@pytest.mark.parametrize("case", list(CORE_CASES))
def test_core_refuses_broken_invariants(case):
    call, word = CORE_CASES[case]
    with pytest.raises(ValueError, match=word):
        call()


def test_core_refuses_bad_checkpoint_state():
    simulation = _core_simulation()
    simulation.advance(4)
    state = (simulation.phases, simulation.z_records, simulation.snapshots, simulation.displacement)
    fresh = _core_simulation()
    for step, phases in [
        (5, state[0]),
        (4, np.r_[state[0][:5], NAN]),
        (4, state[0] + 10.0),
        (11, state[0]),
        (-1, state[0]),
    ]:
        with pytest.raises(ValueError, match="checkpoint"):
            fresh.restore(step, phases, *state[1:])
    assert fresh.step == 0  # failed restores change nothing
    fresh.restore(4, *state)
    fresh.advance(100)
    simulation.advance(100)
    np.testing.assert_array_equal(fresh.phases, simulation.phases)
    np.testing.assert_array_equal(fresh.z_records, simulation.z_records)
