"""Dwell times of finite-size switching (``eikura.theory.switching_rates``).

Theory limits (the barrier of a state vanishes at the fold where that state ends, the
exponential law in N), monotonicity in the noise, and one cheap simulation.
"""

from __future__ import annotations

import numpy as np
import pytest

import eikura as ek
from eikura import theory

NOISY_POINT = (4.8, 1.0, 12.0, 2.0)


@pytest.fixture(scope="module")
def along_k_ee() -> dict[float, theory.SwitchingRates]:
    # D = 0: the synchronized branch folds at K_EE ≈ 4.23, incoherence turns at K_EE = 5
    return {k_ee: theory.switching_rates(k_ee, 1.0, 12.0, 2.0, n=100)
            for k_ee in (4.24, 4.5, 4.9)}


def test_each_barrier_vanishes_at_its_fold(along_k_ee) -> None:
    high = [along_k_ee[k].barrier_high for k in (4.24, 4.5, 4.9)]
    low = [along_k_ee[k].barrier_low for k in (4.24, 4.5, 4.9)]
    # next to the saddle-node fold of the synchronized branch its barrier is all but gone
    assert high[0] < 0.03 * high[1]
    assert high[0] < high[1] < high[2]
    # towards K_EE = 5, where incoherence loses stability, the low state's barrier shrinks
    assert low[0] > low[1] > low[2] > 0


def test_dwell_times_grow_exponentially_with_the_barrier(along_k_ee) -> None:
    rates = along_k_ee[4.5]
    for state in ("low", "high"):
        barrier = getattr(rates, f"barrier_{state}")
        # Kramers: T ≈ C e^{N ΔΦ} once N ΔΦ is large (C varies slowly with N)
        n_1 = int(50 / barrier)
        n_2 = 2 * n_1
        slope = (np.log(getattr(rates.at_size(n_2), f"dwell_{state}"))
                 - np.log(getattr(rates.at_size(n_1), f"dwell_{state}"))) / (n_2 - n_1)
        assert slope == pytest.approx(barrier, rel=0.01)


def test_at_size_is_the_same_prediction(along_k_ee) -> None:
    direct = theory.switching_rates(4.5, 1.0, 12.0, 2.0, n=300)
    scaled = along_k_ee[4.5].at_size(300)
    assert scaled.dwell_low == pytest.approx(direct.dwell_low, rel=1e-12)
    assert scaled.dwell_high == pytest.approx(direct.dwell_high, rel=1e-12)
    assert scaled.rate_high == pytest.approx(1 / direct.dwell_high, rel=1e-12)


def test_rates_are_monotone_in_the_noise() -> None:
    # more noise moves the saddle towards the synchronized state (its fold is near D = 0.32)
    rates = [theory.switching_rates(*NOISY_POINT, n=1000, noise_e=d, noise_i=d)
             for d in (0.26, 0.28, 0.30)]
    assert rates[0].rate_high < rates[1].rate_high < rates[2].rate_high
    assert rates[0].rate_low > rates[1].rate_low > rates[2].rate_low
    assert all(r.noise_treatment == "fokker-planck" for r in rates)


def test_points_without_two_states_are_refused() -> None:
    with pytest.raises(ValueError, match="no stable in-phase state"):
        theory.switching_rates(4.0, 1.0, 12.0, 2.0, n=100)
    with pytest.raises(ValueError, match="incoherence is unstable"):
        theory.switching_rates(6.0, 1.0, 12.0, 2.0, n=100)
    with pytest.raises(ValueError, match="fraction_e"):
        theory.switching_rates(4.5, 1.0, 12.0, 2.0, n=100, fraction_e=1.0)
    with pytest.raises(ValueError, match="n: must be >= 2"):
        theory.switching_rates(4.5, 1.0, 12.0, 2.0, n=1)


def test_dwell_times_agree_with_a_simulation_within_a_factor_of_four() -> None:
    n, noise = 500, 0.3
    model = ek.EIKuramoto(n_e=400, n_i=100, k_ee=4.8, k_ei=1.0, k_ie=12.0, k_ii=2.0,
                          frequencies=ek.Lorentzian(0.0, 1.0, regular=True), noise=noise)
    run = ek.simulate(model, t_max=4000.0, dt=0.05, method="heun", record_every=10, seed=3,
                      threads=1, progress=False)
    result = ek.classify(run)
    prediction = theory.switching_rates(*NOISY_POINT, n=n, noise_e=noise, noise_i=noise)
    assert result.label == "bistable"
    for state in ("low", "high"):
        simulated = float(np.mean(getattr(result, f"dwell_times_{state}")))
        predicted = getattr(prediction, f"dwell_{state}")
        assert 1 / 4 < simulated / predicted < 4, (state, simulated, predicted)


def test_noise_intensity_of_incoherence_matches_a_noisy_simulation() -> None:
    # The derived source (Δ+D)/(2 N_X) per component, filtered by the linearisation M at
    # incoherence (Lyapunov equation M Σ + Σ Mᵀ + 2 diag(source) = 0), predicts the
    # finite-size variance ⟨|Z_X|²⟩ = 2 Σ_XX of a noisy incoherent network.
    from scipy.linalg import solve_continuous_lyapunov

    (k_ee, k_ei, k_ie, k_ii), noise, n_e, n_i = NOISY_POINT, 0.5, 800, 200
    model = ek.EIKuramoto(n_e=n_e, n_i=n_i, k_ee=k_ee, k_ei=k_ei, k_ie=k_ie, k_ii=k_ii,
                          frequencies=ek.Lorentzian(0.0, 1.0, regular=True), noise=noise)
    run = ek.simulate(model, t_max=3000.0, dt=0.05, method="heun", record_every=2, seed=5,
                      threads=1, progress=False)
    late = run.t > 200.0
    damping = 1.0 + noise
    linear = np.array([[k_ee / 2 - damping, -k_ei / 2], [k_ie / 2, -k_ii / 2 - damping]])
    source = np.diag([damping / (2 * n_e), damping / (2 * n_i)])
    covariance = solve_continuous_lyapunov(linear, -2 * source)
    assert np.mean(np.abs(run.z_e[late]) ** 2) == pytest.approx(2 * covariance[0, 0], rel=0.15)
    assert np.mean(np.abs(run.z_i[late]) ** 2) == pytest.approx(2 * covariance[1, 1], rel=0.15)
