"""Tests of the mean-field theory (eikura.theory).

Every check compares the theory with an independent computation: closed forms
(classic Kuramoto, the incoherence matrix M), the public right-hand side
``reduced_rhs`` evaluated at the returned states, multi-start Newton from random points,
time integration of the reduced equations, and a direct Monte-Carlo figure for noise.
"""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import root

from eikura import theory
from eikura.schedules import Constant, PiecewiseLinear, Sinusoid

# Parameter points found with the theory itself (widths 1): see the report to the lead.
SYNCHRONIZED = (8.0, 1.0, 12.0, 2.0)
DESYNCHRONIZED = (2.0, 1.0, 12.0, 2.0)
BISTABLE = (8.5, 3.0, 20.0, 6.0)  # window 7.44 < k_ee < 9.5; branch r_E 0.77, r_I 0.90
OTHER = (8.0, 5.0, 10.0, 2.0)  # no stable steady state: r oscillates
LAGGED_BISTABLE = (8.62, 13.9, 4.99, 4.72)  # stable and unstable lagged pairs + stable incoherence
LAGGED_SYNCHRONIZED = (11.9, 9.5, 5.4, 4.2)  # stable lagged pair, incoherence unstable


def rotating_residual(state: theory.SteadyState, couplings, width_e=1.0, width_i=1.0) -> float:
    """|dz/dt| of the public right-hand side in the frame turning with the state."""
    k_ee, k_ei, k_ie, k_ii = couplings
    z = np.array([state.z_e, state.z_i])
    dz = theory.reduced_rhs(
        0.0,
        z,
        k_ee,
        k_ei,
        k_ie,
        k_ii,
        width_e,
        width_i,
        center_e=-state.omega,
        center_i=-state.omega,
    )
    return float(np.max(np.abs(dz)))


def rotation_invariants(run: theory.ReducedRun) -> np.ndarray:
    """(r_E, r_I, cos ψ, sin ψ) along a run: constant at every steady state."""
    return np.stack(
        [run.r_e, run.r_i, np.cos(run.psi) * run.r_i, np.sin(run.psi) * run.r_i], axis=-1
    )


# --------------------------------------------------------------------------- classic limit


@pytest.mark.parametrize("width", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("factor", [0.5, 0.99, 1.01, 1.5, 3.0, 10.0])
def test_classic_kuramoto_limit(width: float, factor: float) -> None:
    k = 2 * width * factor
    states = theory.steady_states(k, 0.0, 0.0, 0.0, width_e=width, width_i=width)
    synchronized = [s for s in states if s.kind != "incoherent"]
    if factor < 1:
        assert synchronized == []
        assert states[0].stable
        assert theory.classify(k, 0.0, 0.0, 0.0, width, width) == "desynchronized"
    else:
        assert len(synchronized) == 1
        state = synchronized[0]
        assert abs(state.r_e - np.sqrt(1 - 2 * width / k)) < 1e-10
        assert state.r_i == 0.0 and state.stable and not states[0].stable
        # OA eigenvalues: amplitude −(K/2 − Δ)·2 ... = −(K − 2Δ); the idle I population −Δ (twice)
        assert np.allclose(
            sorted(e.real for e in state.eigenvalues), sorted([-(k - 2 * width), -width, -width])
        )
        assert theory.classify(k, 0.0, 0.0, 0.0, width, width) == "synchronized"


@pytest.mark.parametrize("k_ee", [2.5, 4.0, 9.0])
def test_excitatory_population_is_classic_when_inhibition_does_not_reach_it(k_ee: float) -> None:
    # k_ei = 0: E is a classic Kuramoto population whatever I does (I is driven by E)
    for k_ie, k_ii in [(0.0, 0.0), (5.0, 1.0), (12.0, 6.0)]:
        synchronized = [
            s for s in theory.steady_states(k_ee, 0.0, k_ie, k_ii) if s.kind != "incoherent"
        ]
        assert len(synchronized) == 1
        assert abs(synchronized[0].r_e - np.sqrt(1 - 2 / k_ee)) < 1e-10
        assert (synchronized[0].r_i > 0) == (k_ie > 0)


def test_incoherence_matrix_closed_form() -> None:
    k_ee, k_ei, k_ie, k_ii, width_e, width_i = 5.0, 2.0, 7.0, 3.0, 0.8, 1.3
    m = np.array([[k_ee / 2 - width_e, -k_ei / 2], [k_ie / 2, -k_ii / 2 - width_i]])
    expected = np.linalg.eigvals(m)
    got = theory.incoherence_eigenvalues(k_ee, k_ei, k_ie, k_ii, width_e, width_i)
    assert np.allclose(
        sorted(got, key=lambda e: (e.real, e.imag)),
        sorted(expected, key=lambda e: (e.real, e.imag)),
    )
    assert theory.incoherence_stable(k_ee, k_ei, k_ie, k_ii, width_e, width_i) == bool(
        expected.real.max() < 0
    )
    # the incoherent state's 4-D eigenvalues are those of M (with conjugates)
    incoherent = theory.steady_states(k_ee, k_ei, k_ie, k_ii, width_e, width_i)[0]
    assert np.allclose(
        sorted(e.real for e in incoherent.eigenvalues), sorted(np.repeat(expected.real, 2))
    )
    # noise enters incoherence exactly as Δ → Δ + D
    with_noise = theory.incoherence_eigenvalues(
        k_ee, k_ei, k_ie, k_ii, width_e, width_i, noise_e=0.2, noise_i=0.1
    )
    shifted = theory.incoherence_eigenvalues(k_ee, k_ei, k_ie, k_ii, width_e + 0.2, width_i + 0.1)
    assert np.allclose(with_noise, shifted)


# ------------------------------------------------------------ steady-state equations


def random_points(n: int, seed: int) -> list[tuple[float, ...]]:
    rng = np.random.default_rng(seed)
    points = [tuple(rng.uniform(0, 15, 4)) for _ in range(n)]
    return [*points, LAGGED_BISTABLE, LAGGED_SYNCHRONIZED, OTHER, BISTABLE]


def test_every_state_satisfies_the_steady_state_equations() -> None:
    n_lagged = 0
    for couplings in random_points(60, seed=1):
        states = theory.steady_states(*couplings)
        assert states[0].kind == "incoherent"
        for state in states:
            assert rotating_residual(state, couplings) <= 1e-10
            assert state.residual <= 1e-10
            assert 0 <= state.r_e < 1 and 0 <= state.r_i < 1
            assert state.kind in ("incoherent", "in-phase", "anti-phase", "lagged")
            if state.kind == "in-phase":
                assert state.psi == 0.0 and state.omega == 0.0
            n_lagged += state.kind == "lagged"
    assert n_lagged >= 8


def test_lagged_states_come_in_mirror_pairs() -> None:
    states = theory.steady_states(*LAGGED_BISTABLE)
    lagged = [s for s in states if s.kind == "lagged"]
    assert len(lagged) == 4  # a stable and an unstable pair
    for state in lagged:
        assert 0 < abs(state.psi) < np.pi / 2  # cos ψ > 0 for lagged states
        mirror = [
            m for m in lagged if abs(m.r_e - state.r_e) < 1e-12 and abs(m.psi + state.psi) < 1e-12
        ]
        assert len(mirror) == 1 and abs(mirror[0].omega + state.omega) < 1e-10
        assert state.omega != 0.0
    assert sorted(s.stable for s in lagged) == [False, False, True, True]


@settings(max_examples=40, deadline=None)
@given(st.tuples(*[st.floats(0.0, 20.0)] * 4), st.floats(0.2, 2.0), st.floats(0.2, 2.0))
def test_states_property(couplings, width_e, width_i) -> None:
    for state in theory.steady_states(*couplings, width_e=width_e, width_i=width_i):
        assert rotating_residual(state, couplings, width_e, width_i) <= 1e-10
        assert state.stable == (state.growth_rate < -theory.STABILITY_TOLERANCE)


def _newton_states(couplings, n_starts: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Steady states found by scipy's root finder from random starts (independent search)."""
    k_ee, k_ei, k_ie, k_ii = couplings

    def equations(x):  # unknowns r_E, Re z_I, Im z_I, Ω (z_E real)
        z = np.array([x[0] + 0j, x[1] + 1j * x[2]])
        dz = theory.reduced_rhs(0.0, z, k_ee, k_ei, k_ie, k_ii, center_e=-x[3], center_i=-x[3])
        return [dz[0].real, dz[0].imag, dz[1].real, dz[1].imag]

    found = []
    for _ in range(n_starts):
        r_e, r_i = rng.uniform(0.02, 0.98, 2)
        psi = rng.uniform(-np.pi, np.pi) if rng.random() < 0.7 else 0.0
        start = [r_e, r_i * np.cos(psi), r_i * np.sin(psi), rng.uniform(-10, 10) * (psi != 0)]
        solution = root(equations, start, method="hybr", options={"xtol": 1e-13})
        x = solution.x
        if (
            solution.success
            and np.max(np.abs(equations(x))) < 1e-11
            and 1e-6 < x[0] < 1
            and abs(x[1] + 1j * x[2]) < 1
        ):
            found.append(x)
    return found


def test_no_steady_state_is_missed() -> None:
    rng = np.random.default_rng(7)
    for couplings in random_points(10, seed=2):
        listed = [s for s in theory.steady_states(*couplings) if s.kind != "incoherent"]
        for x in _newton_states(couplings, 80, rng):
            z_i = x[1] + 1j * x[2]
            match = [s for s in listed if abs(s.r_e - x[0]) < 1e-7 and abs(s.z_i - z_i) < 1e-7]
            assert match, f"state r_E={x[0]}, z_I={z_i}, Ω={x[3]} at {couplings} not listed"


# -------------------------------------------------------------- stability vs integration


@pytest.mark.parametrize(
    "couplings",
    [BISTABLE, LAGGED_BISTABLE, LAGGED_SYNCHRONIZED, OTHER, SYNCHRONIZED, (4.62, 1.21, 8.94, 1.71)],
)
def test_stability_agrees_with_integration(couplings) -> None:
    rng = np.random.default_rng(11)
    states = [s for s in theory.steady_states(*couplings) if s.kind != "incoherent"]
    assert states
    for state in states:
        growth = state.growth_rate
        assert abs(growth) > 0.01  # no marginal states at these points
        kick = 1e-5 * (rng.normal(size=2) + 1j * rng.normal(size=2))
        t_max = 60.0 if state.stable else max(60.0, 14.0 / growth)
        run = theory.integrate_reduced(
            *couplings,
            t_max=t_max,
            dt=0.01,
            record_every=25,
            z0=(state.z_e + kick[0], state.z_i + kick[1]),
        )
        target = np.array(
            [state.r_e, state.r_i, state.r_i * np.cos(state.psi), state.r_i * np.sin(state.psi)]
        )
        distance = np.max(np.abs(rotation_invariants(run) - target), axis=-1)
        if state.stable:
            assert distance.max() < 1e-3 and distance[-1] < 1e-6
        else:
            assert distance.max() > 1e-2


# ------------------------------------------------------------------------ labels


def _end_states(couplings, t_max=600.0):
    """Integrate from incoherent-ish and from sync-ish initial conditions.

    The sync-ish start has a small phase lag: the in-phase subspace (ψ = 0) is invariant,
    so a start exactly on it could never reach a lagged state.
    """
    ends_e, ends_i = [], []
    for z0 in [(0.01, 0.01 * np.exp(0.3j)), (0.95, 0.95 * np.exp(0.4j))]:
        run = theory.integrate_reduced(*couplings, t_max=t_max, dt=0.01, z0=z0, record_every=50)
        tail = run.t >= t_max - 200.0
        ends_e.append(run.r_e[tail])
        ends_i.append(run.r_i[tail])
    return np.stack(ends_e, axis=-1), np.stack(ends_i, axis=-1)


@pytest.mark.parametrize(
    ("couplings", "label"),
    [
        (SYNCHRONIZED, "synchronized"),
        (DESYNCHRONIZED, "desynchronized"),
        (BISTABLE, "bistable"),
        (OTHER, "other"),
        (LAGGED_BISTABLE, "bistable"),
        (LAGGED_SYNCHRONIZED, "synchronized"),
    ],
)
def test_classify_agrees_with_integration(couplings, label: str) -> None:
    assert theory.classify(*couplings) == label
    analysis = theory.analyse(*couplings)
    assert analysis.label == label and analysis.noise_treatment == "none"
    r_e, r_i = _end_states(couplings)
    spread = r_e.max(axis=0) - r_e.min(axis=0)
    final = r_e[-1]
    if label == "other":
        assert np.all(spread > 0.2)  # keeps oscillating from both starts
        assert analysis.synchronized_branch is None
        return
    assert np.all(spread < 1e-6)  # settled
    branch = analysis.synchronized_branch
    if label == "desynchronized":
        assert np.all(final < 1e-6)
    elif label == "synchronized":
        assert np.allclose(final, branch.r_e, atol=1e-6) and np.allclose(
            r_i[-1], branch.r_i, atol=1e-6
        )
    else:  # bistable: the two starts end in different states
        assert final[0] < 1e-6
        assert abs(final[1] - branch.r_e) < 1e-6 and abs(r_i[-1, 1] - branch.r_i) < 1e-6


def test_bistable_window_matches_boundaries() -> None:
    b = theory.boundaries("k_ei", np.array([1.0, 0.5, 3.0]), "k_ee", k_ie=12.0, k_ii=2.0)
    # det M = 0: (K_EE/2 − 1)(−K_II/2 − 1) + K_EI K_IE/4 = 0, i.e. K_EE = 2 + 3 K_EI; at
    # K_EI = 3 that line lies where tr M > 0 already (incoherence lost to the Hopf line)
    assert np.allclose(b.incoherence_real[:2, 1], [5.0, 3.5])
    assert np.isnan(b.incoherence_real[2, 1]) and np.isfinite(b.incoherence_hopf[2, 1])
    (fold,) = b.fold_values(1.0)
    assert 4.2 < fold < 4.25
    labels = [theory.classify(k, 1.0, 12.0, 2.0) for k in (fold - 1e-3, fold + 1e-3, 4.999, 5.001)]
    assert labels == ["desynchronized", "bistable", "bistable", "synchronized"]
    # the same fold in another plane: k_ii = 2 where the curve crosses k_ee = fold
    b2 = theory.boundaries("k_ee", np.linspace(3.0, 8.0, 11), "k_ii", k_ei=1.0, k_ie=12.0)
    assert np.any(np.abs(b2.fold_values(fold) - 2.0) < 1e-3)
    # Hopf line of incoherence: tr M = 0
    b3 = theory.boundaries("k_ii", np.array([4.72]), "k_ee", k_ei=13.9, k_ie=4.99)
    assert np.allclose(b3.incoherence_hopf[0], [4.72, 4.72 + 4.0])


@pytest.mark.parametrize(
    ("x", "x_values", "y", "fixed"),
    [
        ("k_ee", np.linspace(3.0, 8.0, 6), "k_ii", dict(k_ei=1.0, k_ie=12.0)),
        ("k_ei", np.linspace(0.5, 3.0, 6), "k_ee", dict(k_ie=12.0, k_ii=2.0)),
        ("k_ie", np.linspace(8.0, 20.0, 6), "k_ee", dict(k_ei=3.0, k_ii=6.0)),
        ("width_e", np.linspace(0.5, 1.5, 6), "k_ee", dict(k_ei=1.0, k_ie=12.0, k_ii=2.0)),
    ],
)
def test_fold_curves_separate_labels(x, x_values, y, fixed) -> None:
    """Across a fold curve (normal direction) the stable synchronized state appears."""
    b = theory.boundaries(x, x_values, y, **fixed)
    assert b.folds
    checked = 0
    for fold in b.folds:
        span = np.ptp(fold, axis=0)
        scale = np.where(span > 0, span, 1.0)
        for k in range(1, len(fold) - 1, max(1, len(fold) // 6)):
            tangent = (fold[k + 1] - fold[k - 1]) / scale
            normal = np.array([-tangent[1], tangent[0]]) / np.linalg.norm(tangent) * scale * 2e-3
            sides = []
            for point in (fold[k] + normal, fold[k] - normal):
                params = dict(fixed, **{x: point[0], y: point[1]})
                if min(point) < 0:
                    break
                sides.append(theory.analyse(**params))
            if len(sides) < 2:
                continue
            counts = [sum(s.stable for s in a.states[1:]) for a in sides]
            assert abs(counts[0] - counts[1]) == 1, (fold[k], counts)
            checked += 1
    assert checked >= 3


def test_analysis_notes_and_marginal_points() -> None:
    # The specification's example point sits exactly on det M = 0: incoherence is marginal there
    analysis = theory.analyse(5.0, 1.0, 12.0, 2.0)
    assert analysis.label == "synchronized"
    assert any("marginal" in note for note in analysis.notes)
    # classic Kuramoto exactly at K_c: no synchronized state, marginal incoherence
    assert theory.classify(2.0, 0.0, 0.0, 0.0) == "desynchronized"
    other = theory.analyse(*OTHER, verify=True)
    assert any("oscillates" in note for note in other.notes)
    assert "other" in str(other)


# ----------------------------------------------------------------- phase diagrams


def test_phase_diagram_agrees_with_classify() -> None:
    x_values = np.linspace(1.0, 14.0, 9)
    y_values = np.linspace(0.0, 9.0, 7)
    diagram = theory.phase_diagram("k_ee", x_values, "k_ii", y_values, k_ei=3.0, k_ie=20.0)
    assert diagram.dims == ("k_ii", "k_ee") and diagram.shape == (7, 9)
    assert diagram.attrs["labels"] == list(theory.LABELS)
    names = theory.label_names(diagram)
    for i, k_ii in enumerate(y_values):
        for j, k_ee in enumerate(x_values):
            assert names.values[i, j] == theory.classify(k_ee, 3.0, 20.0, k_ii)
    assert {"desynchronized", "synchronized", "bistable", "other"} <= set(np.unique(names.values))


def test_phase_diagram_other_axes() -> None:
    diagram = theory.phase_diagram(
        "width_e",
        np.array([0.5, 1.0, 3.0]),
        "k_ei",
        np.array([0.0, 5.0]),
        k_ee=8.0,
        k_ie=10.0,
        k_ii=2.0,
    )
    names = theory.label_names(diagram)
    for i, k_ei in enumerate([0.0, 5.0]):
        for j, width_e in enumerate([0.5, 1.0, 3.0]):
            assert names.values[i, j] == theory.classify(8.0, k_ei, 10.0, 2.0, width_e=width_e)
    with pytest.raises(TypeError, match="k_ie"):
        theory.phase_diagram("k_ee", [1.0], "k_ii", [1.0], k_ei=1.0)
    with pytest.raises(ValueError, match="x"):
        theory.phase_diagram("k_xx", [1.0], "k_ii", [1.0], k_ei=1.0, k_ie=1.0)
    with pytest.raises(ValueError, match="k_ei"):
        theory.phase_diagram("k_ee", [1.0], "k_ii", [1.0], k_ei=-1.0, k_ie=1.0)


# --------------------------------------------------------------------------- noise


def test_fokker_planck_reduces_to_ott_antonsen_without_noise() -> None:
    # (moderate order parameters: without noise the hierarchy needs ~ 35/(1 − r) modes)
    for couplings in [(4.62, 1.21, 8.94, 1.71), LAGGED_BISTABLE, OTHER, (4.0, 0.0, 3.0, 1.0)]:
        exact = theory.steady_states(*couplings)
        hierarchy = theory.steady_states(*couplings, noise_treatment="fokker-planck")
        assert len(exact) == len(hierarchy)
        for a, b in zip(exact, hierarchy, strict=True):
            assert b.noise_treatment == "fokker-planck"
            assert a.kind == b.kind and a.stable == b.stable
            assert abs(a.r_e - b.r_e) < 1e-10 and abs(a.r_i - b.r_i) < 1e-10
            assert abs(a.psi - b.psi) < 1e-9 and abs(a.omega - b.omega) < 1e-9
            assert abs(a.growth_rate - b.growth_rate) < 1e-7


def test_quick_and_accurate_noise_treatments() -> None:
    # one noisy Kuramoto population: Δ = 0.5, D = 0.5, K = 3
    quick = theory.steady_states(3.0, 0.0, 0.0, 0.0, 0.5, 0.5, noise_e=0.5, noise_treatment="quick")
    accurate = theory.steady_states(3.0, 0.0, 0.0, 0.0, 0.5, 0.5, noise_e=0.5)
    assert quick[-1].noise_treatment == "quick (Δ→Δ+D, approximate)"
    assert accurate[-1].noise_treatment == "fokker-planck"
    assert abs(quick[-1].r_e - np.sqrt(1 - 2 * 1.0 / 3.0)) < 1e-10
    difference = accurate[-1].r_e - quick[-1].r_e
    # 0.651 (Fokker–Planck; a 2·10^5-oscillator Euler–Maruyama run gives 0.649) vs 0.577
    assert 0.06 < difference < 0.09
    assert abs(accurate[-1].r_e - 0.651) < 2e-3
    # stationary solution = end of a time integration of the same hierarchy
    run = theory.integrate_reduced(
        3.0,
        0.0,
        0.0,
        0.0,
        0.5,
        0.5,
        noise_e=0.5,
        t_max=60.0,
        dt=0.01,
        z0=(0.3, 0.0),
        record_every=100,
    )
    assert run.noise_treatment == "fokker-planck"
    assert abs(run.r_e[-1] - accurate[-1].r_e) < 1e-8
    # onset is exact with noise: K_c = 2(Δ + D) = 2
    assert theory.classify(1.99, 0.0, 0.0, 0.0, 0.5, 0.5, noise_e=0.5) == "desynchronized"
    assert theory.classify(2.01, 0.0, 0.0, 0.0, 0.5, 0.5, noise_e=0.5) == "synchronized"


def test_noisy_two_population_states() -> None:
    noise = dict(noise_e=0.3, noise_i=0.3)
    states = theory.steady_states(*BISTABLE, **noise)
    assert all(s.noise_treatment == "fokker-planck" for s in states)
    synchronized = [s for s in states if s.kind != "incoherent"]
    assert synchronized and all(s.residual <= 1e-10 for s in synchronized)
    best = max(synchronized, key=lambda s: s.r_e)
    run = theory.integrate_reduced(
        *BISTABLE, t_max=80.0, dt=0.01, z0=(0.95, 0.95), record_every=100, **noise
    )
    assert abs(run.r_e[-1] - best.r_e) < 1e-6 and abs(run.r_i[-1] - best.r_i) < 1e-6
    assert best.stable
    quick = theory.analyse(*BISTABLE, noise_treatment="quick", **noise)
    assert quick.noise_treatment.startswith("quick")
    assert any("approximately" in note for note in quick.notes)


# ------------------------------------------------------------------ integration


def test_integrators_agree_and_schedules_are_used() -> None:
    couplings = (4.62, 1.21, 8.94, 1.71)
    rk4 = theory.integrate_reduced(
        *couplings, t_max=20.0, dt=0.01, z0=(0.5, 0.4j), record_every=100
    )
    adaptive = theory.integrate_reduced(
        *couplings, t_max=20.0, dt=1.0, z0=(0.5, 0.4j), method="dop853"
    )
    assert rk4.t.shape == (21,) and np.allclose(rk4.t, adaptive.t)
    assert np.max(np.abs(rk4.z_e - adaptive.z_e)) < 1e-8
    constant = theory.integrate_reduced(
        Constant(4.62), *couplings[1:], t_max=20.0, dt=0.01, z0=(0.5, 0.4j), record_every=100
    )
    assert np.array_equal(constant.z_e, rk4.z_e)
    # a slow ramp of k_ee through the bistable window shows hysteresis
    up_down = PiecewiseLinear(times=[0.0, 400.0, 800.0], values=[3.0, 6.0, 3.0])
    run = theory.integrate_reduced(
        up_down, 1.0, 12.0, 2.0, t_max=800.0, dt=0.05, z0=(0.01, 0.01), record_every=20
    )
    k_ee_up = np.argmin(np.abs(run.t - 500.0 / 3.0))  # K_EE = 4.25 on the way up
    k_ee_down = np.argmin(np.abs(run.t - (800.0 - 500.0 / 3.0)))  # and on the way down
    assert run.r_e[k_ee_up] < 0.05 and run.r_e[k_ee_down] > 0.5
    # a sinusoid is evaluated at every stage: compare with explicit integration via reduced_rhs
    wave = Sinusoid(mean=4.0, amplitude=2.0, period=10.0)
    run = theory.integrate_reduced(
        wave, 1.0, 12.0, 2.0, t_max=5.0, dt=0.001, z0=(0.5, 0.3), method="dop853"
    )
    from scipy.integrate import solve_ivp

    reference = solve_ivp(
        lambda t, z: theory.reduced_rhs(t, z, wave, 1.0, 12.0, 2.0),
        (0, 5.0),
        np.array([0.5, 0.3], dtype=complex),
        rtol=1e-11,
        atol=1e-12,
    )
    assert abs(run.z_e[-1] - reference.y[0, -1]) < 1e-8
    dataset = run.to_xarray()
    assert set(dataset.data_vars) == {"z_e", "z_i", "r_e", "r_i", "psi"}
    assert dataset.attrs["noise_treatment"] == "none"


def test_batch_of_initial_conditions() -> None:
    starts = (np.array([0.01, 0.9]), np.array([0.01, 0.9]))
    run = theory.integrate_reduced(*BISTABLE, t_max=10.0, dt=0.01, z0=starts, record_every=100)
    assert run.z_e.shape == (11, 2)
    single = theory.integrate_reduced(
        *BISTABLE, t_max=10.0, dt=0.01, z0=(0.9, 0.9), record_every=100
    )
    assert np.allclose(run.z_e[:, 1], single.z_e, atol=1e-14)
    assert np.allclose(run.z(0.8), 0.8 * run.z_e + 0.2 * run.z_i)


# ------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: theory.steady_states(-1.0, 1.0, 1.0, 1.0), "k_ee"),
        (lambda: theory.steady_states(1.0, float("nan"), 1.0, 1.0), "k_ei"),
        (lambda: theory.steady_states(1.0, 1.0, 1.0, 1.0, width_e=0.0), "width_e"),
        (lambda: theory.steady_states(1.0, 1.0, 1.0, 1.0, noise_i=-0.1), "noise_i"),
        (lambda: theory.classify(1.0, 1.0, 1.0, 1.0, noise_treatment="exact"), "noise_treatment"),
        (lambda: theory.steady_states(Sinusoid(1.0, 1.0, 1.0), 1.0, 1.0, 1.0), "k_ee"),
        (lambda: theory.integrate_reduced(1.0, 1.0, 1.0, 1.0, dt=0.0), "dt"),
        (lambda: theory.integrate_reduced(1.0, 1.0, 1.0, 1.0, z0=(2.0, 0.0)), "z0"),
        (lambda: theory.integrate_reduced(1.0, 1.0, 1.0, 1.0, record_every=0), "record_every"),
        (lambda: theory.integrate_reduced(1.0, 1.0, 1.0, "x"), "k_ii"),
        (
            lambda: theory.integrate_reduced(1.0, 1.0, 1.0, 1.0, noise_e=0.1, method="dop853"),
            "method",
        ),
        (lambda: theory.reduced_rhs(0.0, [0.1], 1.0, 1.0, 1.0, 1.0), "z"),
    ],
)
def test_invalid_input_names_the_parameter(call, name: str) -> None:
    with pytest.raises((ValueError, TypeError), match=name):
        call()


def test_width_zero_is_fine_with_noise() -> None:
    states = theory.steady_states(
        4.0, 0.0, 0.0, 0.0, width_e=0.0, width_i=0.0, noise_e=0.5, noise_i=0.5
    )
    assert states[-1].r_e > 0.5 and states[-1].stable


# ---------------------------------------------------------------------- examples


@pytest.mark.parametrize(
    "module",
    ["eikura.theory", "eikura.theory.states", "eikura.theory.diagram", "eikura.theory.reduced"],
)
def test_docstring_examples(module: str) -> None:
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    imported = importlib.import_module(module)
    tests = [t for t in finder.find(imported) if t.examples]
    for test in tests:
        runner.run(test)
    assert runner.failures == 0
    assert tests
