"""Phase lags α_XY: block XY couples through K_XY sin(θ_j − θ_i − α_XY).

The engine against the NumPy oracle (tests/reference.py) edge by edge on every topology
and integrator, bit-identity of α = 0 with the lag-free model and across thread counts,
serialisation, and the exact one-population result of the Ott–Antonsen theory
(r² = 1 − 2Δ / (K cos α), Ω = ω − (K/2) sin α (1 + r²)) in the theory and in a simulation.
"""

from __future__ import annotations

import numpy as np
import pytest

import eikura as ek
from eikura.sweep import sweep_fields
from test_engine_reference import (
    DT,
    INTEGRATORS,
    N_E,
    N_I,
    N_STEPS,
    RECORD_EVERY,
    SCHEDULES,
    SEED,
    TOLERANCE,
    TOPOLOGIES,
    N,
    make_topology,
)

LAGS = {"ee": 0.3, "ei": -0.7, "ie": 1.1, "ii": 2.0}  # all different, one beyond π/2


def _state(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    return rng.uniform(0.0, 2.0 * np.pi, N), rng.normal(0.5, 1.0, N)


@pytest.mark.parametrize("normalization", ["in-degree", "none"])
@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_lagged_derivative_matches_reference(topology, normalization, rng, built_adjacency, ref):
    network, adjacency = make_topology(topology, rng)
    theta, omega = _state(rng)
    model = ek.EIKuramoto(n_e=N_E, n_i=N_I, frequencies=omega, network=network,
                          normalization=normalization, phase_lag=LAGS, **SCHEDULES["sinusoid"])
    if isinstance(adjacency, str):
        adjacency = built_adjacency(model, SEED)
    couplings = lambda t: tuple(float(getattr(model, name)(t))  # noqa: E731
                                for name in ("k_ee", "k_ei", "k_ie", "k_ii"))
    lags = tuple(LAGS.values())
    for t in (0.0, 0.37):
        engine = ek.derivative(model, theta, t=t, seed=SEED, threads=2)
        expected = ref.rhs_pairwise(theta, t, omega, N_E, couplings, adjacency, normalization, lags)
        scale = max(1.0, float(np.max(np.abs(expected))))
        np.testing.assert_allclose(engine, expected, rtol=0, atol=1e-12 * scale)
        if adjacency is None:
            other = ref.rhs_mean_field(theta, t, omega, N_E, couplings, normalization, lags)
        else:
            other = ref.rhs_sparse(theta, t, omega, N_E, couplings, adjacency, normalization, lags)
        np.testing.assert_allclose(engine, other, rtol=0, atol=1e-12 * scale)
        # not vacuous: the lag changes the derivative
        plain = ref.rhs_pairwise(theta, t, omega, N_E, couplings, adjacency, normalization)
        assert np.max(np.abs(engine - plain)) > 1e-2


@pytest.mark.parametrize("integrator", list(INTEGRATORS))
@pytest.mark.parametrize("topology", ["all-to-all", "fixed-in-degree", "scipy-weighted"])
def test_lagged_runs_match_reference(topology, integrator, rng, engine_vs_reference, circ_diff):
    network, adjacency = make_topology(topology, rng)
    theta0, omega = _state(rng)
    method, noise = INTEGRATORS[integrator]
    model = ek.EIKuramoto(n_e=N_E, n_i=N_I, frequencies=omega, noise=noise, network=network,
                          phase_lag=LAGS, **SCHEDULES["piecewise-linear"])
    run, expected = engine_vs_reference(model, theta0, method=method, dt=DT, n_steps=N_STEPS,
                                        record_every=RECORD_EVERY, seed=SEED,
                                        adjacency=adjacency)
    assert np.max(np.abs(circ_diff(run.phases, expected["theta"]))) <= TOLERANCE
    for name in ("z_e", "z_i", "z"):
        assert np.max(np.abs(getattr(run, name) - expected[name])) <= TOLERANCE, name


@pytest.mark.parametrize("network", [ek.AllToAll(), ek.FixedInDegree(k_e=30, k_i=10),
                                     ek.Procedural(k_e=30, k_i=10)],
                         ids=["all-to-all", "stored", "procedural"])
def test_zero_lag_is_the_plain_model_bit_for_bit(network, rng):
    theta = rng.uniform(0.0, 2.0 * np.pi, 3000)
    plain = ek.EIKuramoto(n_e=2400, n_i=600, k_ee=2.0, k_ei=1.0, k_ie=3.0, k_ii=0.5,
                          network=network)
    zero = plain.with_changes(phase_lag={"ee": 0.0, "ei": 0.0, "ie": 0.0, "ii": 0.0})
    np.testing.assert_array_equal(ek.derivative(plain, theta, seed=1),
                                  ek.derivative(zero, theta, seed=1))
    assert zero.fingerprint() == plain.fingerprint()
    assert "phase_lag" not in zero.to_dict()


@pytest.mark.parametrize("network", [ek.AllToAll(), ek.Procedural(k_e=30, k_i=10)],
                         ids=["all-to-all", "procedural"])
def test_lagged_runs_are_bit_identical_across_threads(network):
    model = ek.EIKuramoto(n_e=4000, n_i=1000, k_ee=3.0, k_ei=1.0, k_ie=4.0, k_ii=1.0,
                          noise=0.1, network=network, phase_lag=LAGS)
    runs = [ek.simulate(model, t_max=1.0, dt=0.05, seed=4, threads=threads, progress=False)
            for threads in (1, 2)]
    np.testing.assert_array_equal(runs[0].phases, runs[1].phases)
    np.testing.assert_array_equal(runs[0].z, runs[1].z)


def test_stored_and_procedural_lagged_networks_agree_bit_for_bit(rng):
    theta = rng.uniform(0.0, 2.0 * np.pi, 5000)
    stored = ek.EIKuramoto(n_e=4000, n_i=1000, k_ee=3.0, k_ei=1.0, k_ie=4.0, k_ii=1.0,
                           network=ek.FixedInDegree(k_e=30, k_i=10), phase_lag=0.4)
    procedural = stored.with_changes(network=ek.Procedural(k_e=30, k_i=10))
    np.testing.assert_array_equal(ek.derivative(stored, theta, seed=2),
                                  ek.derivative(procedural, theta, seed=2))


def test_phase_lag_serialises_and_changes_the_fingerprint():
    model = ek.EIKuramoto(n_e=80, n_i=20, k_ee=2.0, phase_lag=LAGS)
    assert model.phase_lags == tuple(LAGS.values())
    assert model.to_dict()["phase_lag"] == LAGS
    again = ek.EIKuramoto.from_dict(model.to_dict())
    assert again.phase_lags == model.phase_lags
    assert again.fingerprint() == model.fingerprint()
    assert model.fingerprint() != model.with_changes(phase_lag=0.3).fingerprint()
    assert ek.EIKuramoto(n_e=8, n_i=2, phase_lag=0.5).phase_lags == (0.5,) * 4
    assert "phase_lag" in repr(model)


@pytest.mark.parametrize(("value", "error", "match"), [
    (float("nan"), ValueError, "phase_lag"),
    (float("inf"), ValueError, "phase_lag"),
    ({"ee": 0.1}, ValueError, "phase_lag: expected the keys"),
    ({"ee": 0.1, "ei": 0, "ie": 0, "ii": 0, "xx": 1}, ValueError, "phase_lag"),
    ("0.3", TypeError, "phase_lag"),
    ({"ee": "a", "ei": 0, "ie": 0, "ii": 0}, TypeError, "phase_lag"),
])
def test_phase_lag_is_validated(value, error, match):
    with pytest.raises(error, match=match):
        ek.EIKuramoto(n_e=8, n_i=2, phase_lag=value)


# ---------------------------------------------------------------------------------------
# Theory: one population with a lag (exact)
# ---------------------------------------------------------------------------------------
def _one_population(k: float, width: float, alpha: float) -> tuple[float, float]:
    r2 = 1.0 - 2.0 * width / (k * np.cos(alpha))
    return float(np.sqrt(r2)), float(-0.5 * k * np.sin(alpha) * (1.0 + r2))


@pytest.mark.parametrize("alpha", [0.0, 0.4, -0.8, 1.0])
def test_theory_one_population_with_lag_is_exact(alpha):
    k, width, center = 6.0, 1.0, 0.3
    r, omega = _one_population(k, width, alpha)
    states = ek.theory.steady_states(k, 0.0, 0.0, 0.0, width_e=width, center=center,
                                     phase_lag={"ee": alpha, "ei": 0.0, "ie": 0.0, "ii": 0.0})
    synced = [s for s in states if s.synchronized]
    assert len(synced) == 1
    state = synced[0]
    assert state.stable and not states[0].stable
    assert state.r_e == pytest.approx(r, abs=1e-10)
    assert state.r_i == pytest.approx(0.0, abs=1e-10)
    assert state.omega == pytest.approx(center + omega, abs=1e-10)
    run = ek.theory.integrate_reduced(k, 0.0, 0.0, 0.0, center_e=center, t_max=100.0, dt=0.01,
                                      z0=(0.1, 0.0), phase_lag=alpha)
    assert run.r_e[-1] == pytest.approx(r, abs=1e-7)
    frequency = np.angle(run.z_e[-1] / run.z_e[-2]) / 0.01
    assert frequency == pytest.approx(center + omega, abs=1e-6)


def test_theory_lag_beyond_the_critical_value_leaves_only_incoherence():
    # K cos α < 2Δ: no synchronized state, incoherence stable
    states = ek.theory.steady_states(6.0, 0.0, 0.0, 0.0, phase_lag=1.3)
    assert [s.kind for s in states] == ["incoherent"] and states[0].stable


def test_theory_with_lags_recovers_the_lag_free_states_as_the_lag_vanishes():
    k = dict(k_ee=8.5, k_ei=3.0, k_ie=20.0, k_ii=6.0)
    plain = {round(s.r_e, 4): s.stable for s in ek.theory.steady_states(**k)}
    tiny = {round(s.r_e, 4): s.stable for s in ek.theory.steady_states(**k, phase_lag=1e-9)}
    assert plain == tiny


def test_simulation_one_population_with_lag_matches_theory():
    k, width, alpha = 6.0, 1.0, 0.6
    r, omega = _one_population(k, width, alpha)
    model = ek.EIKuramoto(n_e=20_000, n_i=0, k_ee=k, phase_lag=alpha,
                          frequencies=ek.Lorentzian(0.0, width, regular=True))
    run = ek.simulate(model, t_max=40.0, dt=0.02, method="rk4", record_every=5, initial="sync",
                      seed=1, progress=False)
    late = run.t > 20.0
    assert abs(float(np.mean(run.r_e[late])) - r) < 0.02
    phase = np.unwrap(np.angle(run.z_e[late]))
    frequency = np.polyfit(run.t[late], phase, 1)[0]
    assert frequency == pytest.approx(omega, abs=0.05)


def test_sweeps_vary_the_phase_lags():
    model = ek.EIKuramoto(n_e=400, n_i=100, k_ee=6.0, k_ie=4.0,
                          frequencies=ek.Lorentzian(0.0, 1.0, regular=True))
    assert {"phase_lag", "phase_lag.ee", "phase_lag.ii"} <= set(sweep_fields(model))
    ds = ek.sweep(model, over={"phase_lag.ee": [0.0, 1.2]}, t_max=20.0, dt=0.02, seed=0)
    levels = ds["high_level"].values.ravel()
    assert levels[1] < levels[0] - 0.1  # the lag lowers synchrony (K cos α smaller)
    # the theory labels the lagged point too, with the lag
    expected = ek.theory.classify(k_ee=6.0, k_ei=0.0, k_ie=4.0, k_ii=0.0,
                                  phase_lag={"ee": 1.2, "ei": 0.0, "ie": 0.0, "ii": 0.0})
    assert list(ds["theory_label"].values.ravel()) == [
        ek.theory.classify(k_ee=6.0, k_ei=0.0, k_ie=4.0, k_ii=0.0), expected]
    assert expected != "unavailable"
    with pytest.raises(ValueError, match="phase_lag"):
        ek.sweep(model, over={"phase_lag": [0.1], "phase_lag.ee": [0.2]}, t_max=20.0, dt=0.02)
    # with noise only the quick treatment takes lags: a lagged noisy point has no label,
    # rather than one from another noise theory than its unlagged neighbour's
    noisy = ek.sweep(model.with_changes(noise=0.2), over={"phase_lag.ee": [0.0, 1e-9]},
                     t_max=20.0, dt=0.02, seed=0)
    labels = list(noisy["theory_label"].values.ravel())
    assert labels[0] != "unavailable" and labels[1] == "unavailable"


def test_lagged_run_resumes_from_its_checkpoint_bit_identically(tmp_path):
    model = ek.EIKuramoto(n_e=45, n_i=15, k_ee=4.0, k_ei=1.5, k_ie=5.0, k_ii=1.0, noise=0.2,
                          network=ek.FixedInDegree(k_e=12, k_i=5), phase_lag=LAGS)
    settings = dict(t_max=3.0, dt=0.01, record_every=7, seed=5, progress=False)
    expected = ek.simulate(model, **settings)
    checkpoint = tmp_path / "run.ckpt.nc"
    ek.simulate(model, **{**settings, "t_max": 1.37}, checkpoint=checkpoint)
    resumed = ek.resume(checkpoint, model, t_max=3.0)
    np.testing.assert_array_equal(resumed.phases, expected.phases)
    np.testing.assert_array_equal(resumed.z, expected.z)
    with pytest.raises(ValueError):  # another lag is another model
        ek.resume(checkpoint, model.with_changes(phase_lag=0.1), t_max=3.0)


def test_tiled_network_with_lags_and_drive_matches_procedural_and_reference(ref, built_adjacency):
    """N ≥ 2^17: the stored network is gathered tile by tile; with lags and a drive it still
    equals the procedural network bit for bit and the oracle to rounding."""
    n_e, n_i = 110_000, 30_000
    theta = np.random.default_rng(11).uniform(0.0, 2.0 * np.pi, n_e + n_i)
    drive = ek.Drive(1.2, 0.8, phase=0.3, target="i")
    stored = ek.EIKuramoto(n_e=n_e, n_i=n_i, k_ee=5.0, k_ei=1.0, k_ie=12.0, k_ii=2.0,
                           frequencies=ek.Lorentzian(0.0, 1.0, regular=True),
                           network=ek.FixedInDegree(k_e=12, k_i=4), phase_lag=LAGS, drive=drive)
    assert stored.network.build(n_e, n_i, seed=3, threads=2).tiled
    engine = ek.derivative(stored, theta, t=0.5, seed=3, threads=2)
    procedural = stored.with_changes(network=ek.Procedural(k_e=12, k_i=4))
    np.testing.assert_array_equal(engine, ek.derivative(procedural, theta, t=0.5, seed=3))
    omega = stored.natural_frequencies(np.random.default_rng())
    expected = ref.rhs_sparse(theta, 0.5, omega, n_e, (5.0, 1.0, 12.0, 2.0),
                              built_adjacency(stored, 3), "in-degree", tuple(LAGS.values()))
    expected += ref.drive_terms(theta, 0.5, [(1.2, 0.8, 0.3, np.arange(n_e + n_i) >= n_e)])
    np.testing.assert_allclose(engine, expected, rtol=0, atol=1e-11)


def test_sweep_config_files_take_phase_lags(tmp_path):
    from eikura.sweep._config import read_config

    path = tmp_path / "sweep.toml"
    path.write_text('[model]\nn_e = 80\nn_i = 20\nk_ee = 4.0\n'
                    'phase_lag = {ee = 0.3, ei = 0.0, ie = 0.1, ii = 0.0}\n'
                    '[over]\nphase_lag.ii = [0.0, 0.5]\n[run]\nt_max = 20.0\ndt = 0.05\n')
    arguments = read_config(path)
    assert arguments["model"].phase_lags == (0.3, 0.0, 0.1, 0.0)
    assert list(arguments["over"]["phase_lag.ii"]) == [0.0, 0.5]
