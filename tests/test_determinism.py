"""Bit-identical results for a given seed, whatever the number of threads.

N = 8000 spans four reduction chunks of 2048 oscillators, so both threads own chunks and
the fixed-order reduction is exercised. Everything random comes from the seed here:
frequencies, initial phases, the network (built separately for each thread count: a new
model object per run, so nothing is cached between runs) and the noise.
"""

from __future__ import annotations

import numpy as np
import pytest

import eikura as ek

N_E, N_I = 6000, 2000
SEED = 2**63 + 12345  # a seed above 2**63 exercises the full uint64 range

CASES = {
    "all-to-all-rk4": dict(network=ek.AllToAll, noise=0.0, method="rk4"),
    "all-to-all-sinusoid-heun": dict(network=ek.AllToAll, noise=0.0, method="heun",
                                     k_ii=ek.Sinusoid(mean=1.0, amplitude=2.0, period=0.3)),
    "fixed-in-degree-rk4": dict(network=lambda: ek.FixedInDegree(k_e=40, k_i=15), noise=0.0,
                                method="rk4"),
    "erdos-renyi-euler": dict(network=lambda: ek.ErdosRenyi(p=0.004, p_ie=0.01), noise=0.0,
                              method="euler"),
    "all-to-all-noise-heun": dict(network=ek.AllToAll, noise=(0.5, 0.2),
                                  method="heun"),
    "all-to-all-noise-euler": dict(network=ek.AllToAll, noise=0.3, method="euler"),
    "fixed-in-degree-noise-heun": dict(network=lambda: ek.FixedInDegree(k_e=40, k_i=15),
                                       noise=(0.5, 0.2), method="heun"),
}


def _run(case: str, threads: int | None, seed: int = SEED, **options) -> ek.Run:
    spec = dict(CASES[case])
    couplings = {"k_ee": 4.0, "k_ei": 1.5, "k_ie": 6.0, "k_ii": spec.pop("k_ii", 2.0)}
    model = ek.EIKuramoto(n_e=N_E, n_i=N_I, frequencies=ek.Lorentzian(0.0, 1.0),
                          noise=spec["noise"], network=spec["network"](), **couplings)
    return ek.simulate(model, t_max=0.4, dt=0.02, method=spec["method"], record_every=2,
                       initial="random", seed=seed, threads=threads, progress=False,
                       snapshot_every=10, mean_frequencies=True, transient=0.1, **options)


def _assert_identical(a: ek.Run, b: ek.Run) -> None:
    for name in ("t", "z_e", "z_i", "z", "phases", "frequencies", "snapshots",
                 "mean_frequencies"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


@pytest.mark.parametrize("case", list(CASES))
def test_same_seed_bit_identical_for_one_and_two_threads(case):
    one = _run(case, threads=1)
    two = _run(case, threads=2)
    _assert_identical(one, two)
    assert one.snapshots.shape == (3, N_E + N_I)
    # the run did something: the mean field moved
    assert np.max(np.abs(np.diff(one.z))) > 1e-4


@pytest.mark.parametrize("case", ["fixed-in-degree-noise-heun", "all-to-all-noise-euler"])
def test_repeated_and_default_thread_count_runs_are_identical(case):
    _assert_identical(_run(case, threads=2), _run(case, threads=None))


@pytest.mark.parametrize("case", ["all-to-all-noise-heun", "fixed-in-degree-rk4"])
def test_another_seed_gives_another_run(case):
    a, b = _run(case, threads=1), _run(case, threads=1, seed=SEED + 1)
    assert not np.array_equal(a.phases, b.phases)
    assert not np.array_equal(a.z, b.z)


def test_noise_alone_depends_on_the_seed():
    """Same frequencies, phases and network; only the seed of the noise differs."""
    rng = np.random.default_rng(5)
    theta0 = rng.uniform(0, 2 * np.pi, N_E + N_I)
    omega = rng.normal(0, 1, N_E + N_I)
    model = ek.EIKuramoto(n_e=N_E, n_i=N_I, k_ee=2.0, frequencies=omega, noise=0.2,
                          network=ek.FixedInDegree(k_e=10, k_i=5, seed=3))
    runs = [ek.simulate(model, t_max=0.1, dt=0.02, initial=theta0, seed=seed, threads=1,
                        record_every=5, progress=False) for seed in (1, 1, 2)]
    np.testing.assert_array_equal(runs[0].phases, runs[1].phases)
    difference = np.abs(np.angle(np.exp(1j * (runs[0].phases - runs[2].phases))))
    # independent increments of variance 2 D t each: typical difference sqrt(4 D t) ~ 0.28
    assert np.median(difference) > 0.05
