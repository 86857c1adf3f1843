"""The theory's labels, census and phase diagrams with phase lags, and chimera states.

Exact checks: one population with lag α (r² = 1 − 2Δ/(K cos α), Ω = −(K/2) sin α (1 + r²)
from the centre) through the census; a vanishing lag gives the lag-free labels; the
grid against the census point by point. Chimeras (Abrams, Mirollo, Strogatz & Wiley, PRL
101, 084103 (2008)): the mapping of their two-population Kuramoto–Sakaguchi network onto
eikura's blocks, their stationary (A = 0.2) and breathing (A = 0.28) chimeras at β = 0.1,
and a simulation against the reduced equations.
"""

from __future__ import annotations

import numpy as np
import pytest

import eikura as ek

LAGS = {"ee": 0.3, "ei": -0.2, "ie": 0.5, "ii": 0.1}


@pytest.mark.parametrize("alpha", [0.4, -0.8])
def test_census_one_population_with_lag_is_exact(alpha):
    k, width = 6.0, 1.0
    r2 = 1.0 - 2.0 * width / (k * np.cos(alpha))
    omega = -0.5 * k * np.sin(alpha) * (1.0 + r2)
    census = ek.theory.attractors(k, 0.0, 0.0, 0.0, width, phase_lag=alpha)
    assert census.label == "synchronized"
    (attractor,) = census.attractors
    assert attractor.state is not None
    assert attractor.state.r_e == pytest.approx(np.sqrt(r2), abs=1e-10)
    assert attractor.state.omega == pytest.approx(omega, abs=1e-10)
    assert attractor.share == 1.0
    assert census.parameters["phase_lag"]["ee"] == alpha
    # K cos α below 2Δ: only incoherence
    assert ek.theory.classify(2.0, 0.0, 0.0, 0.0, phase_lag=alpha) == "desynchronized"


@pytest.mark.parametrize("k", [(8.5, 3.0, 20.0, 6.0), (8.0, 1.0, 8.0, 1.0), (1.0, 1.0, 1.0, 1.0)])
def test_a_vanishing_lag_gives_the_lag_free_label(k):
    assert ek.theory.classify(*k, phase_lag=1e-12) == ek.theory.classify(*k)


def test_lagged_cycle_is_found_and_refined():
    # the lag-free cycle next to the in-phase state survives a small lag, turning
    census = ek.theory.attractors(4.6, 1.0, 12.0, 0.3, phase_lag=0.05)
    assert census.label == "other"
    (cycle,) = census.cycles
    assert cycle.stable and cycle.residual < 1e-8
    plain = ek.theory.attractors(4.6, 1.0, 12.0, 0.3).cycles[0]
    assert cycle.period == pytest.approx(plain.period, rel=0.1)
    assert cycle.period != pytest.approx(plain.period, rel=1e-6)  # the lag changes it
    analysis = ek.theory.analyse(4.6, 1.0, 12.0, 0.3, phase_lag=0.05)
    assert any("collective frequency" in note for note in analysis.notes)


def test_lagged_phase_diagram_agrees_with_the_census():
    x, y = np.linspace(2.0, 10.0, 4), np.linspace(0.0, 8.0, 3)
    diagram = ek.theory.phase_diagram("k_ee", x, "k_ii", y, k_ei=1.0, k_ie=12.0, phase_lag=LAGS)
    assert diagram.attrs["phase_lag"] == "ee=0.3 ei=-0.2 ie=0.5 ii=0.1"
    names = ek.theory.label_names(diagram.values)
    for row, k_ii in enumerate(y):
        for column, k_ee in enumerate(x):
            expected = ek.theory.classify(k_ee, 1.0, 12.0, k_ii, phase_lag=LAGS)
            assert names[row, column] == expected, (k_ee, k_ii)
    assert len(set(names.ravel())) >= 2  # not a uniform plane


def test_lagged_phase_diagram_coarse_first_matches_every_point_integrated():
    x, y = np.linspace(2.0, 10.0, 13), np.linspace(0.0, 8.0, 12)
    arguments = dict(k_ei=1.0, k_ie=12.0, phase_lag=0.3)
    refined = ek.theory.phase_diagram("k_ee", x, "k_ii", y, **arguments)
    assert refined.attrs["points_integrated"] < x.size * y.size
    # one row at a time: too narrow for the coarse grid, every point integrated
    rows = [ek.theory.phase_diagram("k_ee", x, "k_ii", [value], **arguments) for value in y]
    assert all(row.attrs["points_integrated"] == x.size for row in rows)
    every = np.concatenate([row.values for row in rows])
    assert np.mean(refined.values != every) <= 0.02


def test_lagged_phase_diagram_with_fokker_planck_noise_is_refused():
    with pytest.raises(ValueError, match="phase_lag"):
        ek.theory.phase_diagram("k_ee", [2.0, 3.0], "k_ii", [0.0, 1.0], k_ei=1.0, k_ie=1.0,
                                noise_e=0.1, phase_lag=0.2)


# ---------------------------------------------------------------------------------------
# Chimeras
# ---------------------------------------------------------------------------------------


def test_chimera_mapping_is_the_two_population_sakaguchi_network(ref, rng):
    # Abrams et al.: dθ_i^σ/dt = ω + Σ_σ' (K_σσ'/N) Σ_j sin(θ_j^σ' − θ_i^σ − α),
    # K_σσ = μ, K_σσ' = ν; in eikura the inhibitory blocks carry α + π.
    a, beta, n = 0.3, 0.1, 40
    p = ek.theory.chimera_parameters(a, beta)
    model = ek.EIKuramoto(n_e=n, n_i=n, k_ee=p["k_ee"], k_ei=p["k_ei"], k_ie=p["k_ie"],
                          k_ii=p["k_ii"], phase_lag=p["phase_lag"],
                          frequencies=np.zeros(2 * n))
    theta = rng.uniform(0.0, 2.0 * np.pi, 2 * n)
    mu, nu, alpha = 0.65, 0.35, np.pi / 2 - beta
    group = np.repeat([0, 1], n)
    strength = np.where(group[:, None] == group[None, :], mu, nu)
    expected = (strength * np.sin(theta[None, :] - theta[:, None] - alpha)).sum(axis=1) / n
    np.testing.assert_allclose(ek.derivative(model, theta, t=0.0), expected, atol=1e-12)


def _chimera(a: float, beta: float = 0.1) -> ek.theory.SteadyState:
    states = ek.theory.steady_states(**ek.theory.chimera_parameters(a, beta))
    chimeras = [s for s in states if s.r_e > 0.99 and s.r_i < 0.99]
    return min(chimeras, key=lambda s: s.r_i)  # the branch that is stable below the Hopf


def test_published_points_stationary_at_0_2_and_breathing_at_0_28():
    stationary = _chimera(0.2)
    assert stationary.stable and stationary.r_i == pytest.approx(0.73, abs=0.01)
    breathing = _chimera(0.28)
    assert not breathing.stable
    leading = breathing.eigenvalues[0]
    assert leading.real > 0 and abs(leading.imag) > 0.1  # a focus: a Hopf bifurcation
    run = ek.theory.integrate_reduced(
        **ek.theory.chimera_parameters(0.28, 0.1),
        t_max=3000.0, dt=0.05, z0=(breathing.z_e, 0.95 * breathing.z_i), record_every=10)
    late = run.t > 2000.0
    assert np.min(run.r_e[late]) > 0.99  # one population stays locked
    assert 0.01 < np.ptp(run.r_i[late]) < 0.3  # the other breathes, it does not escape


def test_chimera_boundaries_at_beta_0_1_bracket_the_published_points():
    curves = ek.theory.chimera_boundaries([0.1], homoclinic_step=0.01, t_max=1000.0)
    assert curves.saddle_node[0] < 0.2 < curves.hopf[0] < 0.28 < curves.homoclinic[0]
    assert curves.state_at(0.2, 0.1) == "stationary"
    assert curves.state_at(0.28, 0.1) == "breathing"
    assert curves.state_at(0.1, 0.1) == "none"


def _wrapped_cauchy(z: complex, n: int) -> np.ndarray:
    """Phases with order parameter z (Ott–Antonsen density), regular quantiles."""
    r, psi = abs(z), np.angle(z)
    u = (np.arange(n) + 0.5) / n
    return np.mod(psi + 2 * np.arctan((1 - r) / (1 + r) * np.tan(np.pi * (u - 0.5))), 2 * np.pi)


@pytest.mark.parametrize("a", [0.2, 0.3])
def test_simulated_chimera_follows_the_reduced_equations(a):
    p = ek.theory.chimera_parameters(a, 0.1)
    couplings = {k: p[k] for k in ("k_ee", "k_ei", "k_ie", "k_ii")}
    state = _chimera(a)
    # start on the attractor: the stationary chimera, or the breathing cycle
    settle = ek.theory.integrate_reduced(**p, t_max=3000.0, dt=0.05,
                                         z0=(state.z_e, 0.95 * state.z_i), record_every=100)
    z_e, z_i = complex(settle.z_e[-1]), complex(settle.z_i[-1])
    n = 20_000
    model = ek.EIKuramoto(n_e=n, n_i=n, **couplings, phase_lag=p["phase_lag"],
                          frequencies=ek.Lorentzian(0.0, p["width_e"], regular=True))
    theta = np.concatenate([np.full(n, np.angle(z_e)), _wrapped_cauchy(z_i, n)])
    run = ek.simulate(model, t_max=200.0, dt=0.05, method="rk4", record_every=10,
                      initial=theta, seed=1, progress=False)
    theory = ek.theory.integrate_reduced(**p, t_max=200.0, dt=0.05, z0=(z_e, z_i),
                                         record_every=10)
    assert np.max(np.abs(run.r_e - theory.r_e)) < 0.02
    assert np.max(np.abs(run.r_i - theory.r_i)) < 0.02
    swing = np.ptp(theory.r_i[theory.t > 50])
    assert (swing < 1e-3) if a == 0.2 else (swing > 0.3)
