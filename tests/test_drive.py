"""External drives F(t) sin(Ω t + φ − θ_i): the engine against the NumPy oracle on every
topology and integrator, serialisation, and entrainment (simulation against the exact
fixed point of the reduced equations, and locking against drifting)."""

from __future__ import annotations

import numpy as np
import pytest

import eikura as ek
from test_engine_reference import (
    DT,
    INTEGRATORS,
    N_E,
    N_STEPS,
    RECORD_EVERY,
    SCHEDULES,
    SEED,
    TOLERANCE,
    TOPOLOGIES,
    N,
    make_topology,
)


def _oracle_drives(model: ek.EIKuramoto) -> list[tuple]:
    """(amplitude, Ω, φ, mask) per drive, amplitudes as callables of t."""
    return [(lambda t, s=d.amplitude_schedule: float(s(t)), d.frequency, d.phase,
             d.mask(N_E, N - N_E)) for d in model.drives]


def _drives(rng: np.random.Generator) -> list[ek.Drive]:
    mask = rng.random(N) < 0.3
    return [ek.Drive(1.5, 2.0, phase=0.4, target="e"),
            ek.Drive(ek.Sinusoid(mean=0.8, amplitude=0.5, period=0.6), -1.0, target="i"),
            ek.Drive(ek.PiecewiseLinear([0.0, 1.0], [0.0, 2.0]), 0.7, phase=-1.0, target=mask)]


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_driven_derivative_matches_reference(topology, rng, built_adjacency, ref):
    network, adjacency = make_topology(topology, rng)
    theta, omega = rng.uniform(0.0, 2.0 * np.pi, N), rng.normal(0.5, 1.0, N)
    model = ek.EIKuramoto(n_e=N_E, n_i=N - N_E, frequencies=omega, network=network,
                          phase_lag=0.3, drive=_drives(rng), **SCHEDULES["constant"])
    if isinstance(adjacency, str):
        adjacency = built_adjacency(model, SEED)
    couplings = tuple(SCHEDULES["constant"].values())
    for t in (0.0, 0.37, 1.4):
        engine = ek.derivative(model, theta, t=t, seed=SEED, threads=2)
        expected = (ref.rhs_pairwise(theta, t, omega, N_E, couplings, adjacency, "in-degree",
                                     (0.3,) * 4)
                    + ref.drive_terms(theta, t, _oracle_drives(model)))
        scale = max(1.0, float(np.max(np.abs(expected))))
        np.testing.assert_allclose(engine, expected, rtol=0, atol=1e-12 * scale)
        undriven = ek.derivative(model.with_changes(drive=None), theta, t=t, seed=SEED)
        assert np.max(np.abs(engine - undriven)) > 0.1  # the drives contribute


@pytest.mark.parametrize("integrator", list(INTEGRATORS))
@pytest.mark.parametrize("topology", ["all-to-all", "fixed-in-degree", "scipy-weighted"])
def test_driven_runs_match_reference(topology, integrator, rng, engine_vs_reference, circ_diff):
    network, adjacency = make_topology(topology, rng)
    theta0, omega = rng.uniform(0.0, 2.0 * np.pi, N), rng.normal(0.5, 1.0, N)
    method, noise = INTEGRATORS[integrator]
    model = ek.EIKuramoto(n_e=N_E, n_i=N - N_E, frequencies=omega, noise=noise, network=network,
                          drive=_drives(rng), **SCHEDULES["sinusoid"])
    run, expected = engine_vs_reference(model, theta0, method=method, dt=DT, n_steps=N_STEPS,
                                        record_every=RECORD_EVERY, seed=SEED,
                                        adjacency=adjacency)
    assert np.max(np.abs(circ_diff(run.phases, expected["theta"]))) <= TOLERANCE
    for name in ("z_e", "z_i", "z"):
        assert np.max(np.abs(getattr(run, name) - expected[name])) <= TOLERANCE, name


@pytest.mark.parametrize("network", [ek.AllToAll(), ek.Procedural(k_e=30, k_i=10)],
                         ids=["all-to-all", "procedural"])
def test_driven_runs_are_bit_identical_across_threads(network):
    model = ek.EIKuramoto(n_e=4000, n_i=1000, k_ee=3.0, k_ei=1.0, k_ie=4.0, k_ii=1.0,
                          noise=0.1, network=network, drive=ek.Drive(1.0, 0.5, target="both"))
    runs = [ek.simulate(model, t_max=1.0, dt=0.05, seed=4, threads=threads, progress=False)
            for threads in (1, 2)]
    np.testing.assert_array_equal(runs[0].phases, runs[1].phases)


def test_drive_serialises_with_its_mask_and_resumes(tmp_path, rng):
    mask = rng.random(60) < 0.5
    model = ek.EIKuramoto(n_e=45, n_i=15, k_ee=4.0, k_ie=2.0, noise=0.2,
                          drive=[ek.Drive(ek.Sinusoid(1.0, 0.5, 2.0), 1.2, 0.3, target="i"),
                                 ek.Drive(0.7, -0.4, target=mask)])
    again = ek.EIKuramoto.from_dict(model.to_dict(), model.content_arrays())
    assert again.fingerprint() == model.fingerprint()
    np.testing.assert_array_equal(again.drives[1].mask(45, 15), mask)
    assert model.fingerprint() != model.with_changes(drive=None).fingerprint()
    assert "drive" not in model.with_changes(drive=None).to_dict()
    settings = dict(t_max=3.0, dt=0.01, record_every=7, seed=5, progress=False)
    expected = ek.simulate(model, **settings)
    checkpoint = tmp_path / "run.ckpt.nc"
    ek.simulate(model, **{**settings, "t_max": 1.37}, checkpoint=checkpoint)
    np.testing.assert_array_equal(ek.resume(checkpoint, model, t_max=3.0).phases, expected.phases)
    saved = tmp_path / "run.nc"
    expected.save(saved)
    assert ek.load(saved).model.fingerprint() == model.fingerprint()


@pytest.mark.parametrize(("arguments", "error", "match"), [
    (dict(amplitude=-1.0, frequency=1.0), ValueError, "drive.amplitude"),
    (dict(amplitude=1.0, frequency=float("nan")), ValueError, "drive.frequency"),
    (dict(amplitude=1.0, frequency=1.0, target="x"), ValueError, "drive.target"),
    (dict(amplitude=1.0, frequency=1.0, target=[1, 0]), TypeError, "drive.target"),
])
def test_drive_is_validated(arguments, error, match):
    with pytest.raises(error, match=match):
        ek.Drive(**arguments)


def test_drive_mask_must_have_n_values_and_rate_counts_the_drive():
    with pytest.raises(ValueError, match="drive.target"):
        ek.EIKuramoto(n_e=8, n_i=2, drive=ek.Drive(1.0, 1.0, target=np.ones(5, dtype=bool)))
    with pytest.raises(TypeError, match="drive"):
        ek.EIKuramoto(n_e=8, n_i=2, drive="e")
    plain = ek.EIKuramoto(n_e=8, n_i=2, k_ee=1.0)
    driven = plain.with_changes(drive=ek.Drive(ek.Sinusoid(2.0, 1.0, 5.0), 1.0, target="e"))
    assert driven.fastest_rate()[0] == pytest.approx(plain.fastest_rate()[0] + 3.0)


# ---------------------------------------------------------------------------------------
# Entrainment
# ---------------------------------------------------------------------------------------
def _locked_field(detuning: float, width: float, amplitude: float) -> complex:
    """Uncoupled Lorentzian population, drive F at Ω: in the frame of the drive
    w = z e^{−iΩt} obeys dw/dt = (iν − Δ) w + (F/2)(1 − w²), ν = ω − Ω, with the
    fixed point inside the unit disc w = [(iν − Δ) + sqrt((iν − Δ)² + F²)] / F."""
    a = 1j * detuning - width
    roots = [(a + sign * np.sqrt(a * a + amplitude**2)) / amplitude for sign in (1, -1)]
    return complex(min(roots, key=abs))


def test_uncoupled_population_entrained_exactly():
    width, amplitude, omega_drive = 1.0, 2.0, 0.7
    expected = _locked_field(0.0 - omega_drive, width, amplitude)
    drive = ek.Drive(amplitude, omega_drive, target="e")
    reduced = ek.theory.integrate_reduced(0.0, 0.0, 0.0, 0.0, t_max=30.0, dt=0.01,
                                          z0=(0.0, 0.0), drive=drive)
    w = reduced.z_e[-1] * np.exp(-1j * omega_drive * reduced.t[-1])
    assert abs(w - expected) < 1e-8
    model = ek.EIKuramoto(n_e=20_000, n_i=0, frequencies=ek.Lorentzian(0.0, width, regular=True),
                          drive=drive)
    run = ek.simulate(model, t_max=30.0, dt=0.01, method="rk4", record_every=10, seed=1,
                      progress=False)
    late = run.t > 15.0
    w_sim = run.z_e[late] * np.exp(-1j * omega_drive * run.t[late])
    assert abs(np.mean(w_sim) - expected) < 0.02


@pytest.mark.parametrize(("omega_drive", "locked"), [(0.3, True), (3.0, False)])
def test_coupled_population_locks_to_a_close_drive_only(omega_drive, locked):
    """K = 4, Δ = 1 (self-synchronized at ω = 0), drive F = 0.8: the mean field turns at Ω
    for a small detuning (locked) and drifts against it for a large one, in the reduced
    equations and in the simulation alike."""
    k, amplitude = 4.0, 0.8
    drive = ek.Drive(amplitude, omega_drive, target="e")
    reduced = ek.theory.integrate_reduced(k, 0.0, 0.0, 0.0, t_max=150.0, dt=0.01,
                                          z0=(0.5, 0.0), drive=drive, record_every=10)
    model = ek.EIKuramoto(n_e=20_000, n_i=0, k_ee=k, drive=drive,
                          frequencies=ek.Lorentzian(0.0, 1.0, regular=True))
    run = ek.simulate(model, t_max=150.0, dt=0.02, method="rk4", record_every=5,
                      initial="sync", seed=1, progress=False)
    for t, z in ((reduced.t, reduced.z_e), (run.t, run.z_e)):
        late = t > 75.0
        relative = np.unwrap(np.angle(z[late] * np.exp(-1j * omega_drive * t[late])))
        slip = abs(relative[-1] - relative[0])
        assert (slip < 0.1) if locked else (slip > 2 * np.pi)
    late_sim, late_red = run.t > 75.0, reduced.t > 75.0
    assert abs(np.mean(run.r_e[late_sim]) - np.mean(reduced.r_e[late_red])) < 0.02


def test_sweeps_give_no_theory_label_for_driven_models() -> None:
    # The theory's labels do not take drives: a driven point says "unavailable" rather
    # than the label of the undriven model.
    model = ek.EIKuramoto(n_e=40, n_i=10, k_ee=6.0, k_ei=1.0, k_ie=4.0, k_ii=1.0)
    driven = model.with_changes(drive=ek.Drive(1.0, 0.5))
    plain = ek.sweep(model, over={"k_ee": [6.0]}, t_max=4.0, dt=0.02, seed=0)
    forced = ek.sweep(driven, over={"k_ee": [6.0]}, t_max=4.0, dt=0.02, seed=0)
    assert plain["theory_label"].values.ravel()[0] == "synchronized"
    assert forced["theory_label"].values.ravel()[0] == "unavailable"


def test_sweeps_vary_the_drive() -> None:
    from eikura.sweep import sweep_fields

    model = ek.EIKuramoto(n_e=40, n_i=10, k_ee=2.0, k_ei=1.0, k_ie=4.0, k_ii=1.0,
                          drive=ek.Drive(1.0, 0.5, target="e"))
    assert {"drive.amplitude", "drive.frequency", "drive.phase"} <= set(sweep_fields(model))
    ds = ek.sweep(model, over={"drive.amplitude": [0.0, 2.0]}, t_max=10.0, dt=0.02, seed=0)
    r_mean = ds["r_mean"].values.ravel()
    # the swept point is the model with that drive, run on its own
    fixed = model.with_changes(drive=ek.Drive(2.0, 0.5, target="e"))
    alone = ek.sweep(fixed, over={"k_ee": [2.0]}, t_max=10.0, dt=0.02, seed=0)
    assert r_mean[1] == alone["r_mean"].values.ravel()[0]
    assert r_mean[1] > r_mean[0] + 0.2  # a strong drive entrains the E population
    several = model.with_changes(drive=[ek.Drive(1.0, 0.5), ek.Drive(0.3, 2.0, target="i")])
    assert "drive.1.frequency" in sweep_fields(several)
    assert "drive.amplitude" not in sweep_fields(several)
    with pytest.raises(ValueError, match="drive.amplitude"):
        ek.sweep(several, over={"drive.amplitude": [1.0]}, t_max=10.0, dt=0.02)
