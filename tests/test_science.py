"""Simulation against mean-field theory.

All runs are all-to-all with "regular" Lorentzian frequencies (deterministic quantiles,
half-width 1), where the Ott-Antonsen equations are exact as N -> infinity:

* the simulated r_E, r_I settle within 0.02 of the theory's stable state (and of the
  reduced equations integrated from the same initial mean fields) at points in each
  region, N = 2 * 10**4;
* with noise, the Fokker-Planck ("accurate") treatment matches long runs within 0.02
  where the quick Delta -> Delta + D approximation misses by more;
* the two-start protocol finds two levels in the bistable region (matching the theory's
  two stable states) and one in the others.

Finite-size note: from *random* phases a network sits at the incoherent finite-size
level, which near the bistable region's boundary is amplified well above
sqrt(pi / 4N) (r_I ~ 0.08 at N = 2 * 10**4, K_EE = 4.6). To compare the deterministic
N -> infinity theory with the incoherent state the first test therefore starts "near
incoherence" deterministically: every phase is theta_j = 10 * omega_j, the phases a
synchronized start reaches after rotating freely for 10 time units (|Z| ~ e**-10).
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

import eikura as ek
from eikura import theory
from eikura.classify import hysteresis_thresholds

N = 20_000
N_E = 16_000
BASE = {"k_ei": 1.0, "k_ie": 12.0}
WIDTH = 1.0
T_MAX, DT, TRANSIENT = 60.0, 0.1, 30.0
FREE_ROTATION = 10.0  # time of free rotation behind the "near incoherence" start
TOLERANCE = 0.02

# (region the theory gives, K_EE, K_II) at K_EI = 1, K_IE = 12
POINTS = [
    ("desynchronized", 2.5, 2.0),
    ("desynchronized", 3.5, 2.0),
    ("desynchronized", 3.0, 3.0),
    ("bistable", 4.4, 2.0),
    ("bistable", 4.7, 2.0),
    ("bistable", 4.8, 1.5),
    ("synchronized", 5.5, 2.0),
    ("synchronized", 7.0, 2.0),
    ("synchronized", 6.0, 1.0),
]


def model_at(k_ee: float, k_ii: float, n: int = N, noise: float = 0.0) -> ek.EIKuramoto:
    n_e = int(round(0.8 * n))
    return ek.EIKuramoto(n_e=n_e, n_i=n - n_e, k_ee=k_ee, k_ii=k_ii, noise=noise,
                         frequencies=ek.Lorentzian(0.0, WIDTH, regular=True), **BASE)


def in_parallel(function: Any, items: list[Any]) -> list[Any]:
    """Runs release the GIL while integrating: use every core, one thread per run."""
    workers = max(1, min(len(items), len(os.sched_getaffinity(0))))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, items))


def late_mean(run: ek.Run, values: np.ndarray) -> float:
    return float(values[run.t >= TRANSIENT].mean())


@pytest.fixture(scope="module")
def deterministic_runs() -> dict[tuple[float, float, str], ek.Run]:
    """Every point from near incoherence and from synchronized phases."""
    def run(job: tuple[float, float, str]) -> ek.Run:
        k_ee, k_ii, start = job
        model = model_at(k_ee, k_ii)
        if start == "sync":
            initial: Any = "sync"
        else:
            omega = model.natural_frequencies(np.random.default_rng(0))  # regular: no draw
            initial = np.mod(FREE_ROTATION * omega, 2 * np.pi)
        return ek.simulate(model, t_max=T_MAX, dt=DT, method="rk4", record_every=5,
                           initial=initial, seed=1, threads=1, progress=False)

    jobs = [(k_ee, k_ii, start) for _, k_ee, k_ii in POINTS for start in ("incoherent", "sync")]
    return dict(zip(jobs, in_parallel(run, jobs), strict=True))


def expected_state(analysis: theory.Analysis, start: str) -> tuple[float, float]:
    """The stable state a run from ``start`` ends in: the nearest one."""
    branch = analysis.synchronized_branch
    if start == "sync" and branch is not None:
        return branch.r_e, branch.r_i
    if analysis.incoherence_stable or branch is None:
        return 0.0, 0.0
    return branch.r_e, branch.r_i


@pytest.mark.parametrize(("region", "k_ee", "k_ii"), POINTS)
def test_simulation_settles_on_the_theory_stable_state(
    deterministic_runs: dict[tuple[float, float, str], ek.Run], region: str, k_ee: float,
    k_ii: float,
) -> None:
    analysis = theory.analyse(k_ee, BASE["k_ei"], BASE["k_ie"], k_ii, WIDTH, WIDTH)
    assert analysis.label == region
    levels = set()
    for start in ("incoherent", "sync"):
        run = deterministic_runs[(k_ee, k_ii, start)]
        expected_e, expected_i = expected_state(analysis, start)
        simulated_e, simulated_i = late_mean(run, run.r_e), late_mean(run, run.r_i)
        assert simulated_e == pytest.approx(expected_e, abs=TOLERANCE), (start, simulated_e)
        assert simulated_i == pytest.approx(expected_i, abs=TOLERANCE), (start, simulated_i)
        # the reduced equations from the same initial mean fields end in the same state
        reduced = theory.integrate_reduced(
            k_ee, BASE["k_ei"], BASE["k_ie"], k_ii, WIDTH, WIDTH, t_max=T_MAX, dt=0.02,
            record_every=25, z0=(complex(run.z_e[0]), complex(run.z_i[0])))
        late = reduced.t >= TRANSIENT
        assert float(reduced.r_e[late].mean()) == pytest.approx(simulated_e, abs=TOLERANCE)
        assert float(reduced.r_i[late].mean()) == pytest.approx(simulated_i, abs=TOLERANCE)
        levels.add(round(expected_e, 6))
    # one stable state outside the bistable region, two inside
    assert len(levels) == (2 if region == "bistable" else 1)


# --------------------------------------------------------------------------- noise

NOISY_POINTS = [(8.0, 2.0, 1.0), (6.0, 2.0, 0.5)]  # (K_EE, K_II, D for both populations)


@pytest.fixture(scope="module")
def noisy_runs() -> list[ek.Run]:
    def run(point: tuple[float, float, float]) -> ek.Run:
        k_ee, k_ii, noise = point
        return ek.simulate(model_at(k_ee, k_ii, n=10_000, noise=noise), t_max=80.0, dt=0.05,
                           method="heun", record_every=10, initial="sync", seed=3, threads=1,
                           progress=False)

    return in_parallel(run, NOISY_POINTS)


@pytest.mark.parametrize("index", range(len(NOISY_POINTS)))
def test_noise_fokker_planck_theory_matches_where_quick_does_not(
    noisy_runs: list[ek.Run], index: int
) -> None:
    k_ee, k_ii, noise = NOISY_POINTS[index]
    run = noisy_runs[index]
    simulated = np.array([late_mean(run, run.r_e), late_mean(run, run.r_i), late_mean(run, run.r)])

    def predicted(treatment: str) -> np.ndarray:
        analysis = theory.analyse(k_ee, BASE["k_ei"], BASE["k_ie"], k_ii, WIDTH, WIDTH,
                                  noise_e=noise, noise_i=noise, noise_treatment=treatment)
        branch = analysis.synchronized_branch
        assert analysis.label == "synchronized" and branch is not None
        fraction_e = run.n_e / run.n  # in-phase state: Z = f Z_E + (1 - f) Z_I, psi = 0
        return np.array([branch.r_e, branch.r_i,
                         abs(fraction_e * branch.z_e + (1 - fraction_e) * branch.z_i)])

    accurate, quick = predicted("fokker-planck"), predicted("quick")
    assert np.all(np.abs(simulated - accurate) <= TOLERANCE), (simulated, accurate)
    assert abs(simulated[2] - quick[2]) > TOLERANCE, (simulated, quick)
    assert np.max(np.abs(simulated - quick)) > 2 * TOLERANCE


# --------------------------------------------------------------------------- two starts

TWO_START_POINTS = [("desynchronized", 3.0), ("bistable", 4.6), ("synchronized", 6.0)]


@pytest.fixture(scope="module")
def two_start_sweep() -> Any:
    model = model_at(3.0, 2.0)
    return ek.sweep(model, over=[{"k_ee": k_ee} for _, k_ee in TWO_START_POINTS], t_max=T_MAX,
                    dt=DT, seed=1, two_start=True, transient=TRANSIENT, scheduler="serial",
                    method="rk4", progress=False)


@pytest.mark.parametrize("index", range(len(TWO_START_POINTS)))
def test_two_start_protocol_finds_the_theory_stable_states(two_start_sweep: Any,
                                                           index: int) -> None:
    region, k_ee = TWO_START_POINTS[index]
    point = two_start_sweep.isel(point=index, replicate=0)
    assert str(point["label"].values) == region
    analysis = theory.analyse(k_ee, BASE["k_ei"], BASE["k_ie"], 2.0, WIDTH, WIDTH)
    branch = analysis.synchronized_branch
    from_random = float(point["r_mean"])
    from_sync = float(point["r_mean_sync"])
    if region == "bistable":
        assert branch is not None and analysis.incoherence_stable
        # two levels: the synchronized branch, and incoherence at its finite-size level
        # (amplified near the boundary: ~0.04 at N = 2e4, against sqrt(pi/4N) = 0.006)
        assert from_sync - from_random > 0.5
        assert float(point["r_e_mean_sync"]) == pytest.approx(branch.r_e, abs=TOLERANCE)
        assert float(point["r_i_mean_sync"]) == pytest.approx(branch.r_i, abs=TOLERANCE)
        assert from_random < 0.05
    else:
        # one level, whatever the start
        assert from_sync == pytest.approx(from_random, abs=TOLERANCE)
        if region == "synchronized":
            assert branch is not None
            assert float(point["r_e_mean"]) == pytest.approx(branch.r_e, abs=TOLERANCE)
            assert float(point["r_i_mean"]) == pytest.approx(branch.r_i, abs=TOLERANCE)
        else:
            low_threshold = hysteresis_thresholds(N)[0]
            assert from_random < low_threshold and from_sync < low_threshold
    assert math.isfinite(from_random)
