"""The classifier reads the levels the data has (issue "Name every state correctly").

Synthetic series with a known law check each measure (the shape ratio of a Rice law, the
levels of a two-level mixture, the amplitude of a limit cycle against that of a
quasi-cycle); short simulations of the EI network check the cases that motivated them:
noise-driven switching between a noisy incoherent state and a synchronized one
(``N = 1000``, ``D = 0.3``, ``K = (4.8, 1, 12, 2)``) and its neighbours, noisy plain
states, quasi-cycles and a limit cycle.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import eikura as ek
from eikura.classify import (
    INCOHERENT_SHAPE,
    MAX_PEAK_FRACTION,
    SYNCHRONIZED_SHAPE,
    classify,
    hysteresis_thresholds,
    incoherent_level,
)

DT = 0.1


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20250612)


def rice_series(rng: np.random.Generator, level: float, sd: float, size: int,
                correlation: int = 10) -> np.ndarray:
    """|Z| for a complex Z = level + Gaussian noise (sd per component), correlated over
    ``correlation`` samples (a moving average of white noise, rescaled)."""
    kernel = np.ones(correlation) / math.sqrt(correlation)
    noise = [np.convolve(rng.standard_normal(size + correlation), kernel, "valid")[:size]
             for _ in range(2)]
    return np.minimum(np.abs(level + sd * (noise[0] + 1j * noise[1])), 1.0)


def focus_series(rng: np.random.Generator, t: np.ndarray, frequency: float, damping: float,
                 amplitude: float) -> np.ndarray:
    """A noise-driven damped oscillator (a quasi-cycle) sampled at ``t``: Gaussian, with
    standard deviation ``amplitude``."""
    step = t[1] - t[0]
    decay = np.exp((-damping + 1j * frequency) * step)
    kicks = rng.standard_normal(t.size) + 1j * rng.standard_normal(t.size)
    x = np.zeros(t.size, dtype=complex)
    for index in range(1, t.size):
        x[index] = decay * x[index - 1] + kicks[index]
    x *= amplitude / np.std(x.real)
    return x.real


# --------------------------------------------------------------------------- synthetic


@pytest.mark.parametrize(("level", "expected"), [(0.0, "desynchronized"), (0.3, "synchronized")])
def test_large_fluctuations_around_zero_or_a_level(rng: np.random.Generator, level: float,
                                                   expected: str) -> None:
    # sd 0.08 per component at N = 1000: the fluctuations are 4 times those of incoherent
    # phases (1/sqrt(2N) = 0.022), so r leaves the size-scaled band all the time.
    t = np.arange(20_000) * DT
    r = rice_series(rng, level, 0.08, t.size)
    result = classify(r=r, t=t, n=1000)
    assert result.label == expected, result.reason
    assert result.n_switches == 0
    if level == 0.0:
        assert np.mean(r < hysteresis_thresholds(1000)[0]) < 0.5  # never "low" by the old rule
        assert result.shape_ratio <= INCOHERENT_SHAPE
    else:
        assert result.shape_ratio >= SYNCHRONIZED_SHAPE


def test_level_comparable_to_its_fluctuations_is_other(rng: np.random.Generator) -> None:
    # m = 1.8 s: a Rice factor between "around zero" (m <= 1.4 s) and "clear" (m >= 2.8 s)
    t = np.arange(20_000) * DT
    result = classify(r=rice_series(rng, 0.144, 0.08, t.size), t=t, n=1000)
    assert result.label == "other", result.reason
    assert INCOHERENT_SHAPE < result.shape_ratio < SYNCHRONIZED_SHAPE


def test_weak_but_clear_order_in_a_large_network_is_synchronized(rng: np.random.Generator) -> None:
    # r = 0.1 with fluctuations of 0.01 at N = 20 000 (incoherent level 0.006): below the
    # former floor of 0.15, but a level ten times its fluctuations.
    t = np.arange(5000) * DT
    result = classify(r=rice_series(rng, 0.1, 0.01, t.size), t=t, n=20_000)
    assert result.label == "synchronized", result.reason


def test_noisy_two_level_switching_uses_the_levels_of_the_data(rng: np.random.Generator) -> None:
    # A telegraph process between a noisy incoherent state (Rice law around 0, r ~ 0.05-0.35)
    # and a level 0.5: the fixed thresholds (0.084, 0.15) would call everything high.
    t = np.arange(60_000) * DT
    switch_times = np.cumsum(rng.exponential(60.0, size=400))
    is_high = np.searchsorted(switch_times, t) % 2 == 1
    r = np.where(is_high, rice_series(rng, 0.5, 0.03, t.size), rice_series(rng, 0.0, 0.1, t.size))
    result = classify(r=r, t=t, n=1000, transient=0.0)
    true_switches = int(np.count_nonzero(is_high[1:] != is_high[:-1]))
    assert result.label == "bistable", result.reason
    assert abs(result.n_switches - true_switches) <= 0.1 * true_switches
    assert result.fraction_high == pytest.approx(is_high.mean(), abs=0.03)
    low, high = result.thresholds
    assert hysteresis_thresholds(1000)[1] < low < high < 0.5
    assert result.level_separation >= 2.0


def test_limit_cycle_and_quasi_cycle_are_told_apart(rng: np.random.Generator) -> None:
    t = np.arange(8000) * DT
    # Limit cycle: |cos| oscillation of steady amplitude with finite-size noise on top.
    cycle = np.clip(np.abs(0.2 * np.cos(1.1 * t + 0.02 * np.cumsum(rng.standard_normal(t.size))))
                    + 0.01 * rng.standard_normal(t.size), 0.0, 1.0)
    result = classify(r=cycle, t=t, n=5000)
    assert result.label == "other", result.reason
    assert "limit cycle" in result.reason
    assert result.peak_fraction > MAX_PEAK_FRACTION
    # Quasi-cycle: the same level, driven oscillation of a stable focus (damping 0.1,
    # Q ~ 10), as strongly peaked but with a Gaussian amplitude.
    quasi = np.clip(0.4 + focus_series(rng, t, 2.2, 0.1, 0.05), 0.0, 1.0)
    result = classify(r=quasi, t=t, n=5000)
    assert result.peak_fraction > MAX_PEAK_FRACTION
    assert result.label == "synchronized", result.reason


def test_every_threshold_is_documented() -> None:
    import importlib

    package = importlib.import_module("eikura.classify")  # ek.classify is the function
    constants = [name for name in package.__all__ if name.isupper() and name != "LABELS"]
    for name in constants:
        assert name in (package.__doc__ or ""), f"{name} is not explained in the docstring"


# --------------------------------------------------------------------------- simulated


def simulate(n: int, couplings: tuple[float, float, float, float], noise: float, t_max: float,
             *, seed: int = 1, initial: str = "random") -> Any:
    n_e = int(round(0.8 * n))
    k_ee, k_ei, k_ie, k_ii = couplings
    model = ek.EIKuramoto(n_e=n_e, n_i=n - n_e, k_ee=k_ee, k_ei=k_ei, k_ie=k_ie, k_ii=k_ii,
                          frequencies=ek.Lorentzian(0.0, 1.0, regular=True), noise=noise)
    return ek.simulate(model, t_max=t_max, dt=0.05, method="heun", record_every=10,
                       initial=initial, seed=seed, threads=1, progress=False)


CASE_1 = (4.8, 1.0, 12.0, 2.0)


def test_noise_driven_switching_is_bistable() -> None:
    # The case, shortened from 10^4 to 2000 time units: r jumps between a noisy
    # incoherent level (~0.2, fluctuating over 0.05-0.35) and a synchronized one (~0.48).
    run = simulate(1000, CASE_1, 0.3, 2000.0)
    result = classify(run)
    assert result.label == "bistable", result.reason
    assert result.n_switches_up >= 4 and result.n_switches_down >= 4
    assert result.low_level == pytest.approx(0.2, abs=0.04)
    assert result.high_level == pytest.approx(0.48, abs=0.04)
    assert result.level_separation >= 2.0
    low, high = result.thresholds
    assert result.low_level < low < high < result.high_level
    # the noisy low state lies mostly above the former fixed high threshold
    low_state = run.r[(run.t >= result.window[0]) & (run.r < low)]
    assert np.mean(run.r[run.t >= result.window[0]] > hysteresis_thresholds(1000)[1]) > 0.6
    assert low_state.size > 0
    assert result.dwell_times_low.mean() > 10 * result.relaxation_time
    assert result.dwell_times_high.mean() > 10 * result.relaxation_time


@pytest.mark.parametrize(
    ("n", "noise", "t_max", "expected"),
    [
        # D = 0.2: incoherence is left at once and the synchronized state is not (its
        # barrier grows as the noise weakens): one level, high.
        (1000, 0.2, 1000.0, "synchronized"),
        # D = 0.4: the synchronized branch is gone (theory: incoherence only); a noisy
        # incoherent state with r far above the ideal incoherent level.
        (1000, 0.4, 1000.0, "desynchronized"),
        # N = 500: smaller barriers, faster switching, mostly high.
        (500, 0.3, 2500.0, "bistable"),
    ],
)
def test_neighbours_of_the_switching_case(n: int, noise: float, t_max: float,
                                          expected: str) -> None:
    result = classify(simulate(n, CASE_1, noise, t_max, seed=2))
    assert result.label == expected, result.reason
    if expected != "bistable":
        assert result.n_switches == 0


def test_larger_network_switches_too_rarely_but_two_starts_show_bistability() -> None:
    # N = 2000: dwell times of thousands of time units; from random phases the run stays
    # near incoherence, from synchronized phases it stays high.
    runs = (simulate(2000, CASE_1, 0.3, 300.0, seed=3),
            simulate(2000, CASE_1, 0.3, 300.0, seed=3, initial="sync"))
    result = classify(runs)
    assert result.label == "bistable", result.reason
    assert result.from_incoherent is not None and result.from_synchronized is not None
    assert result.from_incoherent.label == "desynchronized"
    assert result.from_synchronized.label == "synchronized"


@pytest.mark.parametrize(
    ("couplings", "noise", "expected"),
    [((6.0, 1.0, 12.0, 2.0), 0.5, "synchronized"), ((4.0, 1.0, 12.0, 2.0), 0.3, "desynchronized")],
)
def test_noisy_plain_states_are_not_bistable(couplings: tuple[float, float, float, float],
                                             noise: float, expected: str) -> None:
    result = classify(simulate(500, couplings, noise, 600.0, seed=4))
    assert result.label == expected, result.reason
    assert result.n_switches == 0


def test_quasi_cycle_around_incoherence_is_desynchronized() -> None:
    # K = (4.6, 1, 12, 0.3) with D = 0.3: incoherence is a stable focus (eigenvalues
    # -0.225 +- 1.22i); finite-size noise makes r oscillate irregularly around zero.
    result = classify(simulate(1000, (4.6, 1.0, 12.0, 0.3), 0.3, 600.0, seed=5))
    assert result.label == "desynchronized", result.reason
    assert result.mean_r > 3 * incoherent_level(1000)


def test_quasi_cycle_around_a_lagged_state_is_synchronized() -> None:
    # K = (5.5, 4, 4, 1): a stable lagged state (a focus, eigenvalues -0.125 +- 2.2i),
    # reached from synchronized phases; r rings around it with a strong spectral peak
    # whose amplitude fluctuates like noise.
    result = classify(simulate(2000, (5.5, 4.0, 4.0, 1.0), 0.0, 300.0, seed=1))
    assert result.label == "synchronized", result.reason
    assert result.peak_fraction > MAX_PEAK_FRACTION
    assert result.high_level == pytest.approx(0.33, abs=0.03)  # theory: r_E = r_I = 0.333


def test_limit_cycle_near_its_hopf_bifurcation_is_other() -> None:
    # K = (4.6, 1, 12, 0.3), D = 0: incoherence is an unstable focus; from random phases
    # the network follows the limit cycle born there (r swings through zero, up to 0.2).
    result = classify(simulate(2000, (4.6, 1.0, 12.0, 0.3), 0.0, 300.0, seed=7))
    assert result.label == "other", result.reason
    assert "limit cycle" in result.reason
