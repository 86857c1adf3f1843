"""Bad input raises a clear ValueError/TypeError naming the parameter.

Each case is a call that must fail, the exception type it must raise and the parameter
name its message must mention. Nothing here may crash the interpreter or start a run.
"""

from __future__ import annotations

import re

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

import eikura as ek

GOOD = dict(n_e=40, n_i=10, k_ee=2.0, k_ei=1.0, k_ie=2.0, k_ii=1.0)


def model(**changes):
    return ek.EIKuramoto(**{**GOOD, **changes})


def simulate(model_=None, **changes):
    options = dict(t_max=1.0, dt=0.1, seed=1, threads=1, progress=False)
    return ek.simulate(model() if model_ is None else model_, **{**options, **changes})


def _square(n=50):
    return sp.random(n, n, density=0.2, format="csr", random_state=3)


def _labelled_digraph(missing_label=False):
    graph = nx.DiGraph()
    for node in range(5):
        if missing_label and node == 3:
            graph.add_node(node)
        else:
            graph.add_node(node, excitatory=node < 4)
    graph.add_edges_from([(0, 1), (1, 2), (2, 3), (3, 4), (4, 0)])
    return graph


CASES = {
    # sizes
    "negative n_e": (lambda: model(n_e=-1), ValueError, "n_e"),
    "negative n_i": (lambda: model(n_i=-5), ValueError, "n_i"),
    "non-integer n_e": (lambda: model(n_e=40.5), TypeError, "n_e"),
    "no oscillators": (lambda: model(n_e=0, n_i=0), ValueError, "n_e"),
    # strengths
    "negative k_ee": (lambda: model(k_ee=-1.0), ValueError, "k_ee"),
    "negative k_ei": (lambda: model(k_ei=-0.1), ValueError, "k_ei"),
    "NaN k_ie": (lambda: model(k_ie=float("nan")), ValueError, "k_ie"),
    "infinite k_ii": (lambda: model(k_ii=float("inf")), ValueError, "k_ii"),
    "string k_ee": (lambda: model(k_ee="strong"), TypeError, "k_ee"),
    "sinusoid period 0": (lambda: ek.Sinusoid(mean=1.0, amplitude=1.0, period=0.0),
                          ValueError, "period"),
    "negative sinusoid mean": (lambda: ek.Sinusoid(mean=-1.0, amplitude=1.0, period=1.0),
                               ValueError, "mean"),
    "negative ramp value": (lambda: ek.PiecewiseLinear(times=[0, 1], values=[1.0, -1.0]),
                            ValueError, "values"),
    "unsorted ramp times": (lambda: ek.PiecewiseLinear(times=[1, 0], values=[1.0, 2.0]),
                            ValueError, "times"),
    # frequencies and noise
    "NaN in frequencies": (lambda: model(frequencies=np.r_[np.zeros(49), np.nan]),
                           ValueError, "frequencies"),
    "wrong-length frequencies": (lambda: model(frequencies=np.zeros(49)), ValueError,
                                 "frequencies"),
    "frequencies of wrong type": (lambda: model(frequencies="lorentzian"), TypeError,
                                  "frequencies"),
    "Lorentzian width 0": (lambda: ek.Lorentzian(center=0.0, width=0.0), ValueError, "width"),
    "negative noise": (lambda: model(noise=-0.1), ValueError, "noise"),
    "negative inhibitory noise": (lambda: model(noise=(0.1, -0.2)), ValueError, "noise"),
    "noise triple": (lambda: model(noise=(0.1, 0.1, 0.1)), ValueError, "noise"),
    "unknown normalization": (lambda: model(normalization="sum"), ValueError, "normalization"),
    # networks
    "network of the wrong type": (lambda: model(network="all-to-all"), TypeError, "network"),
    "bare sparse matrix as network": (lambda: model(network=_square()), TypeError, "network"),
    "in-degree larger than population": (
        lambda: simulate(model(network=ek.FixedInDegree(k_e=45, k_i=2))), ValueError, "k_e"),
    "negative in-degree": (lambda: ek.FixedInDegree(k_e=-3, k_i=2), ValueError, "k_e"),
    "negative block in-degree": (lambda: ek.FixedInDegree(k_e=3, k_i=2, k_ie=-1), ValueError,
                                 "k_ie"),
    "missing in-degree": (lambda: ek.FixedInDegree(k_e=3), ValueError, "k_i"),
    "probability above 1": (lambda: ek.ErdosRenyi(p=1.5), ValueError, "p"),
    "block probability above 1": (lambda: ek.ErdosRenyi(p=0.1, p_ie=2.0), ValueError, "p_ie"),
    "negative block probability": (lambda: ek.ErdosRenyi(p=0.1, p_ii=-0.1), ValueError, "p_ii"),
    "negative network seed": (lambda: ek.FixedInDegree(k_e=3, k_i=2, seed=-1), ValueError,
                              "seed"),
    "non-square matrix": (lambda: ek.Graph(sp.random(50, 40, density=0.1, format="csr"),
                                           is_excitatory=np.ones(50, dtype=bool)),
                          ValueError, "matrix"),
    "dense array as matrix": (lambda: ek.Graph(np.ones((5, 5)), is_excitatory=np.ones(5, bool)),
                              TypeError, "matrix"),
    "label count mismatch": (lambda: ek.Graph(_square(), is_excitatory=np.ones(49, dtype=bool)),
                             ValueError, "is_excitatory"),
    "non-bool labels": (lambda: ek.Graph(_square(), is_excitatory=np.ones(50, dtype=int)),
                        TypeError, "is_excitatory"),
    "NaN weight": (lambda: ek.Graph(sp.csr_matrix(np.array([[0, np.nan], [1.0, 0]])),
                                    is_excitatory=np.array([True, False]), weighted=True),
                   ValueError, "matrix"),
    "negative weight": (lambda: ek.Graph(sp.csr_matrix(np.array([[0, -1.0], [1.0, 0]])),
                                         is_excitatory=np.array([True, False]), weighted=True),
                        ValueError, "matrix"),
    "missing networkx attribute": (lambda: ek.Graph(_labelled_digraph(missing_label=True),
                                                    is_excitatory="excitatory"),
                                   ValueError, "is_excitatory"),
    "labels contradict sizes": (
        lambda: ek.EIKuramoto(n_e=10, n_i=40, network=ek.Graph(_square(), np.arange(50) < 40)),
        ValueError, "is_excitatory"),
    # the run
    "dt zero": (lambda: simulate(dt=0.0), ValueError, "dt"),
    "dt negative": (lambda: simulate(dt=-0.01), ValueError, "dt"),
    "dt NaN": (lambda: simulate(dt=float("nan")), ValueError, "dt"),
    "t_max zero": (lambda: simulate(t_max=0.0), ValueError, "t_max"),
    "t_max negative": (lambda: simulate(t_max=-5.0), ValueError, "t_max"),
    "t_max shorter than a step": (lambda: simulate(t_max=0.01, dt=0.1), ValueError, "t_max"),
    "unknown method": (lambda: simulate(method="midpoint"), ValueError, "method"),
    "rk4 with noise": (lambda: simulate(model(noise=0.1), method="rk4"), ValueError, "method"),
    "rk4 with inhibitory noise only": (lambda: simulate(model(noise=(0.0, 0.1)), method="rk4"),
                                       ValueError, "method"),
    "record_every 0": (lambda: simulate(record_every=0), ValueError, "record_every"),
    "record_every float": (lambda: simulate(record_every=2.5), TypeError, "record_every"),
    "snapshot_every 0": (lambda: simulate(snapshot_every=0), ValueError, "snapshot_every"),
    "negative seed": (lambda: simulate(seed=-1), ValueError, "seed"),
    "seed too large": (lambda: simulate(seed=2**64), ValueError, "seed"),
    "float seed": (lambda: simulate(seed=1.5), TypeError, "seed"),
    "threads 0": (lambda: simulate(threads=0), ValueError, "threads"),
    "negative threads": (lambda: simulate(threads=-2), ValueError, "threads"),
    "wrong-length initial": (lambda: simulate(initial=np.zeros(49)), ValueError, "initial"),
    "NaN in initial": (lambda: simulate(initial=np.r_[np.zeros(49), np.nan]), ValueError,
                       "initial"),
    "2-D initial": (lambda: simulate(initial=np.zeros((50, 1))), ValueError, "initial"),
    "unknown initial": (lambda: simulate(initial="coherent"), ValueError, "initial"),
    "transient not shorter than t_max": (lambda: simulate(mean_frequencies=True, transient=1.0),
                                         ValueError, "transient"),
    "not a model": (lambda: ek.simulate({"n_e": 10}, t_max=1.0), TypeError, "model"),
    "memory_limit exceeded": (lambda: simulate(memory_limit=1000), ek.MemoryLimitError,
                              "memory_limit"),
    "derivative: wrong-length phases": (lambda: ek.derivative(model(), np.zeros(49)),
                                        ValueError, "phases"),
    "derivative: NaN time": (lambda: ek.derivative(model(), np.zeros(50), t=float("nan")),
                             ValueError, "t"),
    "negative memory_limit": (lambda: simulate(memory_limit=-1), ValueError, "memory_limit"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_with_a_clear_message(case):
    call, error, parameter = CASES[case]
    with pytest.raises(error, match=rf"^{re.escape(parameter)}\b") as raised:
        call()
    assert len(str(raised.value)) > len(parameter) + 5  # says what is expected, not just the name


def test_memory_limit_error_is_a_value_error():
    assert issubclass(ek.MemoryLimitError, ValueError)


def test_a_run_too_large_for_this_machine_is_refused_before_any_work():
    """10⁹ oscillators with 1000 inputs each (4 TB of edges): refused up front, quickly."""
    huge = ek.EIKuramoto(n_e=1_000_000_000, n_i=0, k_ee=1.0,
                         network=ek.FixedInDegree(k_e=1000, k_i=0))
    with pytest.raises(ek.MemoryLimitError, match="memory_limit"):
        ek.simulate(huge, t_max=1.0, dt=0.1, seed=0, threads=1, progress=False)


def test_memory_limit_counts_recordings():
    """A long run with frequent snapshots needs more memory than a short one."""
    small = ek.estimate_memory(model(), n_steps=100, record_every=10, snapshot_every=0)
    large = ek.estimate_memory(model(), n_steps=100_000, record_every=1, snapshot_every=1)
    assert large["total"] > small["total"]
    assert large["run"] >= 100_000 * 50 * 8  # 10⁵ snapshots of 50 float64 phases
    simulate(memory_limit=small["total"] * 10)  # fits: runs
    with pytest.raises(ek.MemoryLimitError, match="memory_limit"):
        simulate(t_max=10_000.0, dt=0.1, record_every=1, snapshot_every=1,
                 memory_limit=large["total"] // 2)


def test_valid_edge_cases_are_accepted():
    """The checks are not too strict: boundary values that are allowed do run."""
    with pytest.warns(RuntimeWarning, match=r"^record_every: 100 steps is longer than the run"):
        run = simulate(model(n_i=0, k_ei=0.0, k_ii=0.0, noise=(0.0, 0.0)), method="euler",
                       seed=2**64 - 1, record_every=100)
    assert run.t.shape == (1,) and run.phases.shape == (40,)
    simulate(model(k_ee=0.0, frequencies=np.zeros(50, dtype=int)), initial=list(range(50)))
    ek.ErdosRenyi(p=0.0)
    ek.ErdosRenyi(p=1.0)
    ek.FixedInDegree(k_e=0, k_i=0)
