"""Exact solutions and classic theory the engine must reproduce.

* no coupling: free rotation θ_i(t) = θ_i(0) + ω_i t (mod 2π);
* two oscillators: the phase difference obeys an Adler equation, with a locked state at
  sin φ* = Δω / K_net and a drift frequency sqrt(Δω² − K_net²) beyond locking, including
  the sign of E→I and I→E coupling;
* the classic Kuramoto limit (only K_EE > 0, Lorentzian half-width Δ, N_E = 2·10⁴):
  r_E = sqrt(1 − 2Δ/K) above K_c = 2Δ, r_E ≈ 0 below;
* phases wrapped to [0, 2π) by default, unwrapped but equal mod 2π with wrap=False.
"""

from __future__ import annotations

import numpy as np
import pytest

import eikura as ek

TWO_PI = 2.0 * np.pi


# ---------------------------------------------------------------------------------------
# Free rotation
# ---------------------------------------------------------------------------------------
ZERO_COUPLING_NETWORKS = {
    "all-to-all": ek.AllToAll(),
    "fixed-in-degree": ek.FixedInDegree(k_e=10, k_i=5),
    "erdos-renyi": ek.ErdosRenyi(p=0.1),
}


@pytest.mark.parametrize("method", ["euler", "heun", "rk4"])
@pytest.mark.parametrize("network", list(ZERO_COUPLING_NETWORKS))
def test_zero_coupling_is_free_rotation(method, network, rng, circ_diff, ref):
    n_e, n_i = 70, 30
    theta0 = rng.uniform(0.0, TWO_PI, n_e + n_i)
    omega = rng.normal(0.0, 3.0, n_e + n_i)
    model = ek.EIKuramoto(n_e=n_e, n_i=n_i, frequencies=omega,
                          network=ZERO_COUPLING_NETWORKS[network])
    dt, n_steps, record_every = 0.01, 1000, 50
    run = ek.simulate(model, t_max=n_steps * dt, dt=dt, method=method,
                      record_every=record_every, initial=theta0, seed=4, threads=1,
                      progress=False)
    exact = np.mod(theta0 + omega * n_steps * dt, TWO_PI)
    assert np.max(np.abs(circ_diff(run.phases, exact))) < 1e-12
    np.testing.assert_allclose(run.t, np.arange(n_steps // record_every + 1) * record_every * dt,
                               rtol=0, atol=1e-12)
    for k, t in enumerate(run.t):
        z_e, z_i, z = ref.order_parameters(theta0 + omega * t, n_e)
        assert abs(run.z_e[k] - z_e) < 1e-12
        assert abs(run.z_i[k] - z_i) < 1e-12
        assert abs(run.z[k] - z) < 1e-12


def test_initial_sync_starts_fully_coherent():
    model = ek.EIKuramoto(n_e=30, n_i=10, frequencies=np.zeros(40))
    run = ek.simulate(model, t_max=0.5, dt=0.1, initial="sync", seed=1, progress=False, threads=1,
                      record_every=1)
    np.testing.assert_allclose(np.abs(run.z_e[0]), 1.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(run.r, 1.0, rtol=0, atol=1e-14)  # ω = 0: nothing moves
    np.testing.assert_allclose(run.phases, 0.0, atol=1e-15)


def test_random_initial_phases_and_frequencies_come_from_the_seed(ref):
    """initial="random": uniform phases from the documented generator stream."""
    model = ek.EIKuramoto(n_e=50, n_i=20, k_ee=1.0, frequencies=ek.Gaussian(0.0, 1.0))
    run = ek.simulate(model, t_max=0.1, dt=0.1, record_every=1, seed=9, progress=False, threads=1)
    theta0 = np.random.default_rng([9, 2]).uniform(0.0, TWO_PI, 70)
    z_e, z_i, z = ref.order_parameters(theta0, 50)
    assert abs(run.z_e[0] - z_e) < 1e-14 and abs(run.z_i[0] - z_i) < 1e-14
    assert abs(run.z[0] - z) < 1e-14
    np.testing.assert_array_equal(run.frequencies,
                                  model.natural_frequencies(np.random.default_rng([9, 1])))


# ---------------------------------------------------------------------------------------
# Two oscillators: Adler equation for φ = θ_2 − θ_1
# ---------------------------------------------------------------------------------------
def _two_oscillators(n_e, n_i, omega, **couplings):
    return ek.EIKuramoto(n_e=n_e, n_i=n_i, frequencies=np.asarray(omega, dtype=float),
                         **couplings)


@pytest.mark.parametrize("network", [ek.AllToAll(), ek.FixedInDegree(k_e=1, k_i=0)])
def test_two_excitatory_oscillators_lock(network):
    """All-to-all (c = (1/2) sin, self term 0) and a 2-cycle (c = sin) both give
    dφ/dt = Δω − K_net sin φ, with K_net = K and 2K respectively."""
    k, delta_omega = 1.0, 0.6
    model = ek.EIKuramoto(n_e=2, n_i=0, k_ee=k, frequencies=np.array([0.0, delta_omega]),
                          network=network)
    k_net = k if isinstance(network, ek.AllToAll) else 2.0 * k
    run = ek.simulate(model, t_max=60.0, dt=0.01, method="rk4", initial=np.array([0.0, 2.0]),
                      seed=1, progress=False, threads=1)
    phi = np.angle(np.exp(1j * (run.phases[1] - run.phases[0])))
    assert phi == pytest.approx(np.arcsin(delta_omega / k_net), abs=1e-8)


def test_two_oscillators_drift_at_the_adler_frequency():
    """Beyond locking (Δω > K) the phase difference rotates with mean frequency
    sqrt(Δω² − K²); measured with mean_frequencies over a whole number of periods."""
    k, delta_omega = 1.0, 1.25
    beat = np.sqrt(delta_omega**2 - k**2)  # 0.75
    period = TWO_PI / beat
    transient, dt = 2.0, 0.001
    t_max = transient + 8 * period
    t_max = round(t_max / dt) * dt
    model = ek.EIKuramoto(n_e=2, n_i=0, k_ee=k, frequencies=np.array([0.3, 0.3 + delta_omega]))
    run = ek.simulate(model, t_max=t_max, dt=dt, method="rk4", initial=np.array([0.0, 0.0]),
                      seed=1, progress=False, threads=1, mean_frequencies=True, transient=transient)
    measured = run.mean_frequencies[1] - run.mean_frequencies[0]
    # the window is 8 periods up to one step's rounding: error ~ dt / window
    assert measured == pytest.approx(beat, abs=2e-3)
    # both oscillators share the mean of their natural frequencies (momentum conservation)
    assert run.mean_frequencies.mean() == pytest.approx(0.3 + delta_omega / 2, abs=1e-6)


@pytest.mark.parametrize(("k_ei", "k_ie"), [(0.4, 1.4), (1.4, 0.4)])
def test_excitation_attracts_and_inhibition_repels(k_ei, k_ie):
    """One E and one I oscillator: for φ = θ_I − θ_E,
    dφ/dt = Δω − (K_IE − K_EI) sin φ (E input pulls, I input pushes away). With K_IE > K_EI
    the pair locks at sin φ* = Δω / (K_IE − K_EI), cos φ* > 0; with K_EI > K_IE the net
    coupling is repulsive and the locked state is the one with cos φ* < 0."""
    delta_omega = 0.5
    model = _two_oscillators(1, 1, [0.0, delta_omega], k_ei=k_ei, k_ie=k_ie)
    run = ek.simulate(model, t_max=80.0, dt=0.01, method="rk4", initial=np.array([0.0, 1.0]),
                      seed=1, progress=False, threads=1)
    phi = np.angle(np.exp(1j * (run.phases[1] - run.phases[0])))
    k_net = k_ie - k_ei
    locked = np.arcsin(delta_omega / k_net)
    expected = locked if k_net > 0 else np.pi - locked  # the stable root
    assert np.angle(np.exp(1j * (phi - expected))) == pytest.approx(0.0, abs=1e-7)


# ---------------------------------------------------------------------------------------
# Classic Kuramoto limit
# ---------------------------------------------------------------------------------------
def _kuramoto_r_e(k_over_width, initial, t_max, average_from):
    width = 1.0
    model = ek.EIKuramoto(
        n_e=20_000, n_i=1, k_ee=k_over_width * width, k_ei=0.0, k_ie=0.0, k_ii=0.0,
        frequencies=ek.Lorentzian(center=0.0, width=width, regular=True),
    )
    run = ek.simulate(model, t_max=t_max, dt=0.05, method="rk4", record_every=5,
                      initial=initial, seed=3, progress=False, threads=1)
    return run.r_e[run.t >= average_from]


@pytest.mark.parametrize("k_over_width", [3.0, 6.0])
def test_kuramoto_limit_partial_synchrony(k_over_width):
    """r_E = sqrt(1 − 2Δ/K) (Kuramoto 1975 for a Lorentzian of half-width Δ)."""
    r_e = _kuramoto_r_e(k_over_width, "sync", t_max=80.0, average_from=40.0)
    expected = np.sqrt(1.0 - 2.0 / k_over_width)
    assert r_e.mean() == pytest.approx(expected, abs=0.01)
    assert r_e.std() < 0.01  # a steady state, not an oscillation


def test_kuramoto_limit_below_threshold_is_incoherent():
    r_e = _kuramoto_r_e(1.5, "random", t_max=80.0, average_from=40.0)
    assert r_e.mean() < 0.05
    assert r_e.max() < 0.1


# ---------------------------------------------------------------------------------------
# Wrapping
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("network", [ek.AllToAll(), ek.FixedInDegree(k_e=10, k_i=5)])
@pytest.mark.parametrize(("method", "noise"), [("rk4", 0.0), ("heun", 0.4), ("euler", 0.4)])
def test_wrapped_by_default_unwrapped_on_request(method, noise, network, rng, circ_diff):
    n_e, n_i = 60, 20
    theta0 = rng.uniform(0.0, TWO_PI, n_e + n_i)
    omega = rng.normal(0.0, 10.0, n_e + n_i)
    model = ek.EIKuramoto(n_e=n_e, n_i=n_i, k_ee=3.0, k_ei=1.0, k_ie=2.0, k_ii=0.5,
                          frequencies=omega, noise=noise, network=network)
    kwargs = dict(t_max=4.0, dt=0.01, method=method, record_every=10, initial=theta0,
                  seed=11, progress=False, threads=1, snapshot_every=100)
    wrapped = ek.simulate(model, **kwargs)
    unwrapped = ek.simulate(model, wrap=False, **kwargs)
    assert np.all((wrapped.phases >= 0.0) & (wrapped.phases <= TWO_PI))
    assert np.all((wrapped.snapshots >= 0.0) & (wrapped.snapshots <= TWO_PI))
    assert unwrapped.phases.max() > TWO_PI and unwrapped.phases.min() < 0.0
    assert np.max(np.abs(circ_diff(wrapped.phases, unwrapped.phases))) < 1e-10
    assert np.max(np.abs(circ_diff(wrapped.snapshots, unwrapped.snapshots))) < 1e-10
    np.testing.assert_allclose(wrapped.z, unwrapped.z, rtol=0, atol=1e-10)
    # the last snapshot (step 400) is the final state
    np.testing.assert_array_equal(unwrapped.snapshots[-1], unwrapped.phases)
