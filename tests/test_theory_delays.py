"""Mean-field theory with transmission delays τ_XY.

Exact checks: τ = 0 against the delay-free theory; one population against the Lambert W
roots of ``λ = −Δ + iω + (K/2) e^{−iα} e^{−λτ}``, its marginal-stability condition, and the
closed-form rotating states ``r² = 1 − 2Δ/(K cos β)``, ``Ω = ω − (K/2) sin β (1 + r²)``,
``β = α + Ωτ``, all branches. Then the three parts against each other: the delayed reduced
equations integrated from near a predicted state stay there iff it is stable (with the
predicted r and Ω), and grow from near incoherence at the predicted leading rate.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq
from scipy.special import lambertw

import eikura as ek
from eikura import theory

# Two populations with a delay-induced window of stable incoherence (centre 2):
# incoherence unstable at τ = 0, stable near τ = 1.4, unstable again beyond τ ≈ 1.65.
EI_COUPLINGS = (5.5, 1.0, 12.0, 2.0)
EI_CENTER = 2.0
EI_DELAY = 1.4
# One population (E; I uncoupled): K, Δ, ω, α, τ with five coexisting rotating states.
ONE = {"k": 6.0, "width": 1.0, "center": 0.5, "lag": 0.3, "tau": 3.0}


def one_delay(tau: float) -> dict[str, float]:
    return {"ee": tau, "ei": 0.0, "ie": 0.0, "ii": 0.0}


def characteristic_determinant(lam: complex, couplings, widths, center, lags, delays) -> complex:
    """det(λI − A − ½ σ ∘ e^{−λτ}), written out independently of the package."""
    k = np.array(couplings, dtype=float).reshape(2, 2) * np.array([[1, -1], [1, -1]])
    sigma = k * np.exp(-1j * np.array(lags).reshape(2, 2))
    matrix = lam * np.eye(2) - np.diag([1j * center - widths[0], 1j * center - widths[1]])
    matrix = matrix - 0.5 * sigma * np.exp(-lam * np.array(delays).reshape(2, 2))
    return complex(np.linalg.det(matrix))


def closed_form_branches(k, width, center, lag, tau):
    """Every Ω of the one-population self-consistency, by a dense scan and brentq."""

    def excess(omega):  # Ω − ω + (K/2) sin β (1 + r²) with r² = 1 − 2Δ/(K cos β)
        beta = lag + omega * tau
        return omega - center + k * np.sin(beta) - width * np.tan(beta)

    grid = np.linspace(center - k, center + k, 200_001)
    admissible = np.cos(lag + grid * tau) > 2 * width / k
    values = excess(grid)
    branches = []
    for i in np.flatnonzero(admissible[:-1] & admissible[1:] & (values[:-1] * values[1:] < 0)):
        omega = brentq(excess, grid[i], grid[i + 1], xtol=1e-14)
        r = np.sqrt(1 - 2 * width / (k * np.cos(lag + omega * tau)))
        branches.append((omega, r))
    return branches


# --------------------------------------------------------------------------- τ = 0 limits


def test_zero_delay_roots_are_the_incoherence_eigenvalues() -> None:
    couplings = (8.5, 3.0, 20.0, 6.0)
    roots = theory.incoherence_roots(*couplings, center=0.7, delay=0.0)
    expected = theory.incoherence_eigenvalues(*couplings) + 0.7j
    assert roots.n_nodes == 0
    np.testing.assert_allclose(sorted(roots.roots, key=lambda z: z.imag),
                               sorted(expected, key=lambda z: z.imag), atol=1e-12)


def test_short_delays_tend_to_the_delay_free_states() -> None:
    couplings, tau = (8.5, 3.0, 20.0, 6.0), 1e-7
    plain = theory.steady_states(*couplings)
    delayed = theory.steady_states(*couplings, delay=tau)
    assert [s.kind for s in delayed] == [s.kind for s in plain]
    assert [s.stable for s in delayed] == [s.stable for s in plain]
    for a, b in zip(plain, delayed, strict=True):
        assert abs(a.r_e - b.r_e) < 1e-5 and abs(a.r_i - b.r_i) < 1e-5
        assert abs(a.omega - b.omega) < 1e-5
        # the same leading eigenvalues (the delay adds roots far to the left, Re λ ~ log(τ)/τ)
        assert abs(a.growth_rate - b.growth_rate) < 1e-4
        for eigenvalue in a.eigenvalues:
            assert min(abs(eigenvalue - other) for other in b.eigenvalues) < 1e-4


# --------------------------------------------------------------------------- one population


@pytest.mark.parametrize(("center", "lag", "tau"), [(0.5, 0.3, 3.0), (2.0, 0.0, 1.0),
                                                    (-1.0, 1.0, 0.4)])
def test_one_population_roots_are_lambert_w_branches(center, lag, tau) -> None:
    k, width = 3.0, 1.0
    found = theory.incoherence_roots(k, 0.0, 0.0, 0.0, width, 5.0, center=center,
                                     phase_lag=lag, delay=one_delay(tau), n_roots=6)
    a, b = -width + 1j * center, 0.5 * k * np.exp(-1j * lag)
    branches = [a + complex(lambertw(b * tau * np.exp(-a * tau), n)) / tau
                for n in range(-8, 9)]
    # the I population is uncoupled: its root is −5 + iω; all others are W_n
    for root in found.roots:
        if abs(root - (-5.0 + 1j * center)) > 1e-9:
            assert min(abs(root - w) for w in branches) < 1e-10
    principal = a + complex(lambertw(b * tau * np.exp(-a * tau), 0)) / tau
    assert abs(found.leading - principal) < 1e-10
    # and the collocation missed none of the branches to the right of the last root found
    assert all(w.real < found.roots[-1].real + 1e-9 or min(abs(w - r) for r in found.roots) < 1e-9
               for w in branches)


@settings(max_examples=20, deadline=None)
@given(k=st.floats(0.2, 12.0), width=st.floats(0.1, 2.0), center=st.floats(-4.0, 4.0),
       lag=st.floats(-1.4, 1.4), tau=st.floats(0.1, 5.0))
def test_leading_root_is_the_principal_lambert_branch(k, width, center, lag, tau) -> None:
    """The collocation never misses the rightmost root. The I population, uncoupled, has
    its only root at −15 + iω, left of every W_0 root (Re W_0 >= −1, so Re λ >= −Δ − 1/τ)."""
    found = theory.incoherence_roots(k, 0.0, 0.0, 0.0, width, 15.0, center=center,
                                     phase_lag=lag, delay=one_delay(tau), n_roots=2)
    a, b = -width + 1j * center, 0.5 * k * np.exp(-1j * lag)
    principal = a + complex(lambertw(b * tau * np.exp(-a * tau), 0)) / tau
    assert abs(found.leading - principal) < 1e-8 * (1 + abs(principal))
    assert found.stable == (principal.real < -theory.STABILITY_TOLERANCE)


def test_one_population_threshold_satisfies_the_marginal_condition() -> None:
    """At the critical K a mode iν: Δ = (K/2) cos(α + ντ), ν = ω − (K/2) sin(α + ντ)."""
    width, center, lag, tau = 1.0, 1.5, 0.2, 1.2

    def growth(k):
        return theory.incoherence_roots(k, 0.0, 0.0, 0.0, width, 1.0, center=center,
                                        phase_lag=lag, delay=one_delay(tau)).growth_rate

    k_c = brentq(growth, 1.0, 12.0, xtol=1e-12)
    nu = theory.incoherence_roots(k_c, 0.0, 0.0, 0.0, width, 1.0, center=center, phase_lag=lag,
                                  delay=one_delay(tau)).leading.imag
    assert abs(width - 0.5 * k_c * np.cos(lag + nu * tau)) < 1e-9
    assert abs(nu - center + 0.5 * k_c * np.sin(lag + nu * tau)) < 1e-9
    assert k_c > 2 * width  # here the delay raises the threshold above K_c = 2Δ


def test_one_population_rotating_states_are_every_closed_form_branch() -> None:
    k, width, center, lag, tau = ONE.values()
    states = theory.steady_states(k, 0.0, 0.0, 0.0, width, 1.0, center=center, phase_lag=lag,
                                  delay=one_delay(tau))
    rotating = sorted(states[1:], key=lambda s: s.omega)
    branches = closed_form_branches(k, width, center, lag, tau)
    assert len(branches) == 5  # multistability in Ω
    assert len(rotating) == len(branches)
    for state, (omega, r) in zip(rotating, branches, strict=True):
        assert abs(state.omega - omega) < 1e-9 and abs(state.r_e - r) < 1e-9
        assert state.r_i == 0.0
    assert sum(s.stable for s in rotating) == 4


# --------------------------------------------------------------------------- two populations


def test_roots_solve_the_characteristic_equation() -> None:
    lags = (0.1, -0.2, 0.3, 0.0)
    delays = {"ee": 0.5, "ei": 1.3, "ie": 0.2, "ii": 0.9}
    found = theory.incoherence_roots(*EI_COUPLINGS, 1.0, 0.7, center=EI_CENTER,
                                     phase_lag=dict(zip(("ee", "ei", "ie", "ii"), lags, strict=True)),
                                     delay=delays, n_roots=8)
    assert len(found.roots) == 8
    assert list(found.roots) == sorted(found.roots, key=lambda z: -z.real)
    for root in found.roots:
        det = characteristic_determinant(root, EI_COUPLINGS, (1.0, 0.7), EI_CENTER, lags,
                                         tuple(delays.values()))
        assert abs(det) < 1e-9 * (1 + abs(root)) ** 2


def test_delay_window_of_stable_incoherence() -> None:
    growth = [theory.incoherence_roots(*EI_COUPLINGS, center=EI_CENTER, delay=tau).growth_rate
              for tau in (0.0, 1.4, 2.5)]
    assert growth[0] > 0 > growth[1] and growth[2] > 0


# --------------------------------------------------------------------------- the three parts agree


def integrate_from_state(state, couplings, center, delay, t_max, kick=0.01):
    """Integrate the delayed equations from the predicted rotating state, slightly kicked."""

    def history(t):
        turn = np.exp(1j * state.omega * t)
        return state.z_e * turn * (1 + kick * np.cos(2 * t)), state.z_i * turn

    return theory.integrate_reduced(*couplings, center_e=center, center_i=center, t_max=t_max,
                                    dt=0.04, history=history, delay=delay, record_every=5)


def test_integration_stays_on_stable_states_and_leaves_unstable_ones() -> None:
    states = theory.steady_states(*EI_COUPLINGS, center=EI_CENTER, delay=EI_DELAY)
    rotating = states[1:]
    assert sorted(s.stable for s in rotating) == [False, False, True, True]
    for state in rotating:
        run = integrate_from_state(state, EI_COUPLINGS, EI_CENTER, EI_DELAY, t_max=60.0)
        tail = run.t > 45
        frequency = np.polyfit(run.t[tail], np.unwrap(np.angle(run.z_e[tail])), 1)[0]
        stayed = (abs(run.r_e[-1] - state.r_e) < 1e-3 and abs(run.r_i[-1] - state.r_i) < 1e-3
                  and abs(frequency - state.omega) < 1e-3)
        assert stayed == state.stable, (state, run.r_e[-1], frequency)


def test_growth_from_incoherence_is_the_leading_root() -> None:
    for tau in (0.6, EI_DELAY):
        roots = theory.incoherence_roots(*EI_COUPLINGS, center=EI_CENTER, delay=tau)
        run = theory.integrate_reduced(*EI_COUPLINGS, center_e=EI_CENTER, center_i=EI_CENTER,
                                       t_max=30.0, dt=0.02, z0=(1e-5, 1e-5j), delay=tau)
        size = np.hypot(run.r_e, run.r_i)
        late = run.t > 15
        rate = np.polyfit(run.t[late], np.log(size[late]), 1)[0]
        assert abs(rate - roots.growth_rate) < 5e-3
        assert (size[-1] > size[late][0]) == (roots.growth_rate > 0)


def test_one_population_integration_matches_each_branch() -> None:
    k, width, center, lag, tau = ONE.values()
    states = theory.steady_states(k, 0.0, 0.0, 0.0, width, 1.0, center=center, phase_lag=lag,
                                  delay=one_delay(tau))
    for state in states[1:]:
        run = theory.integrate_reduced(
            k, 0.0, 0.0, 0.0, width, 1.0, center, center, t_max=60.0, dt=0.04,
            phase_lag=lag, delay=one_delay(tau), record_every=5,
            history=lambda t, s=state: (s.r_e * np.exp(1j * s.omega * t) * (1 + 0.01 * np.cos(t)),
                                        0.0))
        assert (abs(run.r_e[-1] - state.r_e) < 2e-3) == state.stable


# --------------------------------------------------------------------------- the integrator


def test_delayed_integrator_is_fourth_order_for_delays_off_the_grid() -> None:
    """An exact solution (a rotating state, history included) is kept to O(dt⁴), with
    delays that are no multiple of dt."""
    delays = {"ee": 0.537, "ei": 0.911, "ie": 0.25, "ii": 0.0}
    state = next(s for s in theory.steady_states(*EI_COUPLINGS, center=EI_CENTER, delay=delays)
                 if s.stable and s.kind != "incoherent")
    errors = []
    for dt in (0.04, 0.02):
        run = theory.integrate_reduced(
            *EI_COUPLINGS, center_e=EI_CENTER, center_i=EI_CENTER, t_max=4.0, dt=dt,
            delay=delays, history=lambda t: (state.z_e * np.exp(1j * state.omega * t),
                                             state.z_i * np.exp(1j * state.omega * t)))
        exact = state.z_e * np.exp(1j * state.omega * run.t)
        errors.append(float(np.max(np.abs(run.z_e - exact))))
    assert errors[1] < 1e-7
    assert errors[0] / errors[1] > 12  # 16 for fourth order


def test_constant_history_and_record_every() -> None:
    run = theory.integrate_reduced(6.0, 0.0, 0.0, 0.0, t_max=2.0, dt=0.1, z0=(0.2, 0.0),
                                   delay=0.35, record_every=5)
    assert run.t.tolist() == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0])
    assert run.parameters["delay"] == {"ee": 0.35, "ei": 0.35, "ie": 0.35, "ii": 0.35}
    # before t = τ the field is the constant history's, K z0: the same equation as an
    # uncoupled population under a constant drive F = K z0 (frequency 0), step for step
    frozen = theory.integrate_reduced(6.0, 0.0, 0.0, 0.0, t_max=0.3, dt=0.1, z0=(0.2, 0.0),
                                      delay=0.35)
    driven = theory.integrate_reduced(0.0, 0.0, 0.0, 0.0, t_max=0.3, dt=0.1, z0=(0.2, 0.0),
                                      drive=ek.Drive(amplitude=1.2, frequency=0.0, target="e"))
    np.testing.assert_allclose(frozen.z_e, driven.z_e, rtol=0, atol=1e-15)
    assert abs(frozen.z_e[-1] - 0.2) > 0.05


def test_batch_with_lags_drive_and_schedules_matches_single_runs() -> None:
    """The batch path (arrays) and the single path (Python complex) take the same steps,
    with every term at once: scheduled couplings, lags, a drive, mixed delays."""
    terms = {
        "phase_lag": {"ee": 0.2, "ei": 0.0, "ie": -0.3, "ii": 0.1},
        "delay": {"ee": 0.3, "ei": 0.25, "ie": 0.0, "ii": 0.1},
        "drive": ek.Drive(amplitude=0.5, frequency=1.3, target="i"),
        "t_max": 3.0, "dt": 0.05, "record_every": 3,
    }
    k_ee = ek.Sinusoid(mean=5.0, amplitude=1.0, period=2.0)
    starts = [(0.1, 0.05), (0.3 + 0.1j, 0.2j), (0.0, 0.0)]
    batch = theory.integrate_reduced(k_ee, 1.0, 12.0, 2.0, center_e=0.5, center_i=0.5,
                                     z0=tuple(np.array(z) for z in zip(*starts, strict=True)),
                                     **terms)
    for column, start in enumerate(starts):
        single = theory.integrate_reduced(k_ee, 1.0, 12.0, 2.0, center_e=0.5, center_i=0.5,
                                          z0=start, **terms)
        np.testing.assert_allclose(batch.z_e[:, column], single.z_e, rtol=0, atol=1e-13)
        np.testing.assert_allclose(batch.z_i[:, column], single.z_i, rtol=0, atol=1e-13)
    assert np.ptp(np.abs(batch.z_i[:, 2])) > 0.1  # the drive moves even the incoherent start


def test_delay_of_exactly_one_step() -> None:
    """τ = dt reads the previous grid point; a delay just above it interpolates next to it."""
    runs = [theory.integrate_reduced(6.0, 0.0, 0.0, 0.0, t_max=5.0, dt=0.05, z0=(0.2, 0.0),
                                     delay=tau) for tau in (0.05, 0.05 * (1 + 1e-9))]
    np.testing.assert_allclose(runs[0].z_e, runs[1].z_e, rtol=0, atol=1e-8)
    assert np.all(np.isfinite(runs[0].z_e))


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"delay": -1.0}, ValueError, "delay: must be >= 0"),
    ({"delay": {"ee": 1.0, "ei": -0.1, "ie": 0.0, "ii": 0.0}}, ValueError, r"delay\['ei'\]"),
    ({"delay": {"ee": 1.0}}, ValueError, "delay: expected the keys"),
    ({"delay": float("nan")}, ValueError, "delay"),
    ({"delay": 0.005}, ValueError, r"delay\['ee'\]: 0.005 is shorter than the step"),
    ({"delay": 1.0, "method": "dop853"}, ValueError, "method: delays"),
    ({"delay": 1.0, "noise_e": 0.1}, ValueError, "delay: with noise"),
    ({"delay": 1.0, "history": lambda t: (0.1, 0.1), "z0": (0.1, 0.1)}, ValueError, "z0: give either"),
    ({"history": lambda t: (0.1, 0.1)}, ValueError, "history: only used with delays"),
    ({"delay": 1.0, "history": (0.1, 0.1)}, TypeError, "history: expected a function"),
    ({"delay": 1.0, "history": lambda t: (2.0, 0.0)}, ValueError, r"z0: order parameters"),
    ({"delay": 1.0, "history": lambda t: (5.0 * np.exp(t), 0.0) if t < -0.5 else (0.1, 0.1)},
     ValueError, r"history: at t = .* \|z\| > 1"),
])
def test_integrator_refuses_bad_delay_input(kwargs, error, match) -> None:
    arguments = {"t_max": 2.0, "dt": 0.01, **kwargs}
    with pytest.raises(error, match=match):
        theory.integrate_reduced(4.0, 1.0, 4.0, 1.0, **arguments)


def test_theory_functions_without_delays_refuse_them() -> None:
    with pytest.raises(ValueError, match="delay: analyse does not take delays"):
        theory.classify(*EI_COUPLINGS, delay=0.5)
    with pytest.raises(ValueError, match="delay: attractors does not take delays"):
        theory.attractors(*EI_COUPLINGS, delay={"ee": 0.5, "ei": 0, "ie": 0, "ii": 0})
    assert theory.classify(*EI_COUPLINGS, delay=0.0) == theory.classify(*EI_COUPLINGS)
    with pytest.raises(ValueError, match="delay: with noise"):
        theory.steady_states(*EI_COUPLINGS, noise_e=0.1, delay=0.5)
    with pytest.raises(ValueError, match="n_roots"):
        theory.incoherence_roots(*EI_COUPLINGS, delay=0.5, n_roots=0)


def test_quick_noise_treatment_widens_the_lorentzian_with_delays() -> None:
    noisy = theory.steady_states(6.0, 0.0, 0.0, 0.0, 1.0, 1.0, noise_e=0.5, noise_treatment="quick",
                                 center=0.5, delay=one_delay(1.0))
    wide = theory.steady_states(6.0, 0.0, 0.0, 0.0, 1.5, 1.0, center=0.5, delay=one_delay(1.0))
    assert len(noisy) == len(wide)
    for a, b in zip(noisy, wide, strict=True):
        assert abs(a.r_e - b.r_e) < 1e-10 and abs(a.omega - b.omega) < 1e-10
    assert noisy[1].noise_treatment == ek.theory.NOISE_QUICK


# --------------------------------------------------------------------------- the simulator


@pytest.mark.parametrize("tau", [0.6, 2.4])
def test_simulation_settles_on_the_predicted_rotating_state(tau) -> None:
    """N = 2·10⁴ oscillators (regular Lorentzian quantiles) from identical phases, whose
    default history rotates at the natural frequencies: z(t) = e^{(iω + Δ)t} for t < 0.
    The delayed mean-field equations from that history pick the branch; the simulation
    ends on it, within 0.02 in r_E and r_I, at the predicted frequency."""
    model = ek.EIKuramoto(n_e=16_000, n_i=4_000, k_ee=EI_COUPLINGS[0], k_ei=EI_COUPLINGS[1],
                          k_ie=EI_COUPLINGS[2], k_ii=EI_COUPLINGS[3], delay=tau,
                          frequencies=ek.Lorentzian(center=EI_CENTER, width=1.0, regular=True))
    run = ek.simulate(model, t_max=50.0, dt=0.05, record_every=4, initial="sync", seed=1)

    def natural(t):
        z = np.exp((1j * EI_CENTER + 1.0) * t)
        return z, z

    mean_field = theory.integrate_reduced(*EI_COUPLINGS, center_e=EI_CENTER,
                                          center_i=EI_CENTER, t_max=50.0, dt=0.05, delay=tau,
                                          history=natural)
    reached = min((s for s in theory.steady_states(*EI_COUPLINGS, center=EI_CENTER, delay=tau)
                   if s.stable and s.kind != "incoherent"),
                  key=lambda s: abs(s.r_e - mean_field.r_e[-1]))
    tail = run.t > 35
    frequency = np.polyfit(run.t[tail], np.unwrap(np.angle(run.z_e[tail])), 1)[0]
    assert abs(np.mean(run.r_e[tail]) - reached.r_e) < 0.02
    assert abs(np.mean(run.r_i[tail]) - reached.r_i) < 0.02
    assert abs(frequency - reached.omega) < 0.02
