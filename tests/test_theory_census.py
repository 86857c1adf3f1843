"""The attractor census of the mean-field theory: limit cycles next to steady states.

Checks against independent computations: adaptive (DOP853) integration of the public
right-hand side for periods and amplitudes, closed forms for where incoherence turns,
the steady-state theory for the known plain points, and one large simulation.
"""

from __future__ import annotations

import ast
import doctest
import importlib
from pathlib import Path

import numpy as np
import pytest

import eikura as ek
from eikura import theory

CYCLE_POINT = (4.6, 1.0, 12.0, 0.3)  # in-phase state stable, and a stable cycle


def integrated_cycle(couplings, t_max=400.0, keep=100.0, dt=0.002):
    """r_E, r_I along a DOP853 run from near incoherence, after the transient, and the
    period of r_E from its maxima (an independent route to the census's numbers)."""
    run = theory.integrate_reduced(
        *couplings, t_max=t_max, dt=dt, z0=(0.01, 0.01 * np.exp(0.3j)), method="dop853"
    )
    tail = run.t >= t_max - keep
    t, r_e, r_i = run.t[tail], run.r_e[tail], run.r_i[tail]
    peaks = np.flatnonzero((r_e[1:-1] > r_e[:-2]) & (r_e[1:-1] >= r_e[2:])) + 1
    return r_e, r_i, float(np.mean(np.diff(t[peaks])))


# ------------------------------------------------------------------ the census itself


def test_cycle_next_to_a_stable_synchronized_state() -> None:
    census = theory.attractors(*CYCLE_POINT)
    assert census.label == "other" and theory.classify(*CYCLE_POINT) == "other"
    kinds = [a.category for a in census.attractors]
    assert kinds == ["synchronized", "oscillating"]
    (cycle,) = census.cycles
    r_e, r_i, period = integrated_cycle(CYCLE_POINT)
    assert cycle.period == pytest.approx(period, abs=5e-3)
    assert cycle.period == pytest.approx(2.917, abs=2e-3)
    assert cycle.r_e_max == pytest.approx(r_e.max(), abs=1e-3)
    assert cycle.r_e_max == pytest.approx(0.1452, abs=1e-3)
    assert cycle.r_i_max == pytest.approx(r_i.max(), abs=1e-3)
    assert cycle.r_e_min < 1e-3 and cycle.r_i_min < 1e-3  # standing oscillation through 0
    assert cycle.kind == "collinear" and abs(abs(cycle.rotation) - np.pi) < 1e-6
    assert cycle.stable and len(cycle.multipliers) == 2
    assert all(abs(m) < 1 for m in cycle.multipliers)
    # shares: every start went somewhere, and both attractors were reached
    shares = [a.share for a in census.attractors]
    assert all(s > 0 for s in shares) and sum(shares) <= 1 + 1e-12
    assert sum(shares) * census.n_starts + census.undecided == pytest.approx(census.n_starts)


def test_cycle_is_a_relative_periodic_orbit_of_the_public_equations() -> None:
    """After one period the state returns turned by the reported rotation (DOP853)."""
    (cycle,) = theory.attractors(*CYCLE_POINT).cycles
    run = theory.integrate_reduced(
        *CYCLE_POINT,
        t_max=cycle.period,
        dt=cycle.period / 200,
        z0=(cycle.z_e, cycle.z_i),
        method="dop853",
    )
    back = np.exp(-1j * cycle.rotation)
    assert abs(run.z_e[-1] * back - cycle.z_e) < 1e-7
    assert abs(run.z_i[-1] * back - cycle.z_i) < 1e-7
    # and not earlier: r_E is not back at half the period
    half = run.r_e[100]
    assert abs(half - abs(cycle.z_e)) > 1e-3 or abs(run.r_i[100] - abs(cycle.z_i)) > 1e-3


def _invariants(z_e, z_i):
    c = z_i * np.conj(z_e)
    return np.stack([np.abs(z_e) ** 2, np.abs(z_i) ** 2, c.real, c.imag], axis=-1)


def _distance_to_curve(points, curve):
    """Distance of each point to a closed polyline (projection onto its segments)."""
    start, step = curve, np.roll(curve, -1, axis=0) - curve
    out = []
    for p in points:
        t = np.clip(np.sum((p - start) * step, axis=1) / np.sum(step * step, axis=1), 0, 1)
        out.append(np.min(np.linalg.norm(start + t[:, None] * step - p, axis=1)))
    return np.array(out)


def test_floquet_multipliers_predict_the_approach() -> None:
    """A kicked trajectory comes back to the cycle (as a curve) at the rate of the
    nontrivial multipliers, measured stroboscopically with DOP853."""
    (cycle,) = theory.attractors(*CYCLE_POINT).cycles
    samples = 4000
    orbit = theory.integrate_reduced(
        *CYCLE_POINT, t_max=cycle.period, dt=cycle.period / samples,
        z0=(cycle.z_e, cycle.z_i), method="dop853",
    )
    curve = _invariants(orbit.z_e[:-1], orbit.z_i[:-1])
    periods, per_period = 5, 50
    kick = 1e-3 * np.exp(0.7j)
    run = theory.integrate_reduced(
        *CYCLE_POINT, t_max=periods * cycle.period, dt=cycle.period / per_period,
        z0=(cycle.z_e + kick, cycle.z_i - kick), method="dop853",
    )
    strobe = slice(per_period, None, per_period)
    distance = _distance_to_curve(_invariants(run.z_e[strobe], run.z_i[strobe]), curve)
    ratios = distance[1:] / distance[:-1]
    moduli = sorted(abs(m) for m in cycle.multipliers)
    assert np.all(ratios[1:] > moduli[0] - 0.02) and np.all(ratios[1:] < moduli[1] + 0.02)


@pytest.mark.parametrize(
    ("k_ee", "k_ii", "period", "r_e_max"),
    [
        (4.5, 0.3, 2.719, 0.1199),
        (4.8, 0.3, 3.532, 0.1849),
        (5.0, 0.3, 5.656, 0.2242),
        (5.02, 0.3, 6.781, 0.2305),
        (4.6, 0.1, None, None),
        (4.6, 0.5, None, None),
    ],
)
def test_neighbours_have_the_cycle_too(k_ee, k_ii, period, r_e_max) -> None:
    couplings = (k_ee, 1.0, 12.0, k_ii)
    census = theory.attractors(*couplings)
    assert census.label == "other"
    assert [a.category for a in census.attractors] == ["synchronized", "oscillating"]
    (cycle,) = census.cycles
    _, _, integrated = integrated_cycle(couplings, t_max=300.0, keep=60.0)
    assert cycle.period == pytest.approx(integrated, rel=2e-3)
    if period is not None:
        assert cycle.period == pytest.approx(period, abs=2e-3)
        assert cycle.r_e_max == pytest.approx(r_e_max, abs=1e-3)


def test_period_grows_towards_the_homoclinic_end() -> None:
    """Along K_II = 0.3 the period grows without bound before the cycle vanishes
    (homoclinic: the cycle runs into the unstable in-phase state) near K_EE = 5.03."""
    periods = [theory.attractors(k, 1.0, 12.0, 0.3).cycles[0].period for k in (4.5, 4.9, 5.02)]
    assert periods[0] < periods[1] < periods[2] and periods[2] > 2.4 * periods[0]
    for k_ee in (5.05, 5.2):
        census = theory.attractors(k_ee, 1.0, 12.0, 0.3)
        assert census.label == "synchronized" and not census.cycles
    # independent: from near incoherence the integration settles on the in-phase state
    run = theory.integrate_reduced(5.05, 1.0, 12.0, 0.3, t_max=300.0, dt=0.01, z0=(0.01, 0.01j))
    state = theory.steady_states(5.05, 1.0, 12.0, 0.3)[1]
    assert abs(run.r_e[-1] - state.r_e) < 1e-6


def test_cycle_ends_where_incoherence_turns_stable() -> None:
    """Along K_EE = 4.6 the cycle grows out of incoherence at tr M = 0 (K_II = 0.6)."""
    assert theory.classify(4.6, 1.0, 12.0, 0.55) == "other"
    assert theory.classify(4.6, 1.0, 12.0, 0.65) == "bistable"
    # close to the onset the cycle is small (a Hopf bifurcation of incoherence)
    small = theory.attractors(4.6, 1.0, 12.0, 0.58).cycles[0]
    large = theory.attractors(4.6, 1.0, 12.0, 0.3).cycles[0]
    assert small.r_e_max < 0.5 * large.r_e_max


@pytest.mark.parametrize(
    ("couplings", "label", "kinds"),
    [
        ((8.5, 3.0, 20.0, 6.0), "bistable", ["incoherent", "in-phase"]),
        ((6.0, 2.0, 6.0, 2.0), "synchronized", ["in-phase"]),
        ((8.0, 1.0, 12.0, 2.0), "synchronized", ["in-phase"]),
        ((2.0, 1.0, 12.0, 2.0), "desynchronized", ["incoherent"]),
        ((8.0, 5.0, 10.0, 2.0), "other", ["collinear cycle"]),
        ((8.62, 13.9, 4.99, 4.72), "bistable", ["incoherent", "lagged", "lagged"]),
        ((11.9, 9.5, 5.4, 4.2), "synchronized", ["lagged", "lagged"]),
    ],
)
def test_plain_points_keep_their_labels(couplings, label, kinds) -> None:
    census = theory.attractors(*couplings)
    assert census.label == label
    assert [a.kind for a in census.attractors] == kinds
    assert theory.classify(*couplings) == label
    analysis = theory.analyse(*couplings)
    assert analysis.label == label and len(analysis.attractors) == len(kinds)


def test_analysis_reports_the_cycle() -> None:
    analysis = theory.analyse(*CYCLE_POINT)
    assert analysis.label == "other"
    assert analysis.synchronized_branch is not None  # the steady state is still there
    assert len(analysis.cycles) == 1
    assert any("limit cycle next to stable steady states" in n for n in analysis.notes)
    assert "collinear limit cycle" in analysis.summary()


def test_unrefined_census_gives_the_same_label() -> None:
    quick = theory.attractors(*CYCLE_POINT, refine=False)
    (cycle,) = quick.cycles
    assert quick.label == "other" and cycle.multipliers == ()
    assert cycle.period == pytest.approx(2.917, abs=0.02)


def test_census_input_is_checked() -> None:
    with pytest.raises(ValueError, match="^n_random"):
        theory.attractors(*CYCLE_POINT, n_random=-1)
    with pytest.raises(ValueError, match="^t_max"):
        theory.attractors(*CYCLE_POINT, t_max=0.0)
    with pytest.raises(ValueError, match="^k_ee"):
        theory.attractors(-1.0, 1.0, 12.0, 0.3)


def test_noise_treatments_in_the_census() -> None:
    quick = theory.attractors(*CYCLE_POINT, noise_e=0.02, noise_i=0.02, noise_treatment="quick")
    assert quick.label == "other" and quick.noise_treatment.startswith("quick")
    exact = theory.attractors(8.5, 3.0, 20.0, 6.0, noise_e=0.1, noise_i=0.1)
    assert exact.noise_treatment == "fokker-planck" and exact.label == "bistable"
    assert any("Fokker–Planck" in n for n in exact.notes)


# ------------------------------------------------------------------- phase diagrams


def test_phase_diagram_counts_cycles() -> None:
    k_ee = np.array([4.6, 5.1, 8.0])
    k_ii = np.array([0.3, 2.0])
    with_cycles = theory.phase_diagram("k_ee", k_ee, "k_ii", k_ii, k_ei=1.0, k_ie=12.0)
    steady_only = theory.phase_diagram(
        "k_ee", k_ee, "k_ii", k_ii, k_ei=1.0, k_ie=12.0, cycles=False
    )
    names = theory.label_names(with_cycles)
    assert str(names.sel(k_ee=4.6, k_ii=0.3).values) == "other"
    assert str(theory.label_names(steady_only).sel(k_ee=4.6, k_ii=0.3).values) == "synchronized"
    assert with_cycles.attrs["relabelled_by_cycles"] == 1
    assert steady_only.attrs["cycle_search"] == "off"
    # elsewhere the labels are those of the steady states
    other = (with_cycles.values != steady_only.values).sum()
    assert other == 1


@pytest.mark.parametrize(
    ("k_ei", "k_ie", "k_ee_range", "k_ii_range"),
    [(1.0, 12.0, (3.01, 7.01), (0.013, 4.013)), (5.0, 10.0, (4.01, 12.01), (0.013, 6.013))],
)
def test_phase_diagram_agrees_with_the_census(k_ei, k_ie, k_ee_range, k_ii_range) -> None:
    """The light, batched cycle search of the diagram against the full census per point
    (grids offset so that no point sits exactly on a bifurcation line)."""
    k_ee = np.linspace(*k_ee_range, 9)
    k_ii = np.linspace(*k_ii_range, 9)
    diagram = theory.phase_diagram("k_ee", k_ee, "k_ii", k_ii, k_ei=k_ei, k_ie=k_ie)
    names = theory.label_names(diagram).values
    relabelled = 0
    for j, y in enumerate(k_ii):
        for i, x in enumerate(k_ee):
            census = theory.attractors(x, k_ei, k_ie, y, refine=False)
            assert census.label == names[j, i], (x, y)
            relabelled += census.oscillating and census.label == "other"
    assert relabelled > 0


def test_phase_diagram_of_the_plane_is_fast() -> None:
    """A 100×100 plane with its cycle search stays within seconds (shared CPUs)."""
    diagram = theory.phase_diagram(
        "k_ee", np.linspace(4, 12, 100), "k_ii", np.linspace(0, 8, 100), k_ei=2.0, k_ie=30.0
    )
    share = diagram.attrs["relabelled_by_cycles"] / diagram.size
    assert 0.06 < share < 0.10  # the cycle region of this plane: 7.8 % at 200×200
    assert diagram.attrs["seconds"] < 30.0


# ----------------------------------------------------------------------- simulation


def test_large_network_oscillates_like_the_cycle() -> None:
    """N = 2·10⁴ from random phases: r_E swings like the census's cycle (period, height);
    from synchronized phases it stays on the in-phase state."""
    (cycle,) = theory.attractors(*CYCLE_POINT).cycles
    model = ek.EIKuramoto(
        n_e=16000,
        n_i=4000,
        k_ee=CYCLE_POINT[0],
        k_ei=CYCLE_POINT[1],
        k_ie=CYCLE_POINT[2],
        k_ii=CYCLE_POINT[3],
        frequencies=ek.Lorentzian(0.0, 1.0, regular=True),
    )
    run = ek.simulate(model, t_max=150.0, dt=0.02, record_every=5, seed=1, progress=False)
    tail = run.t >= 50.0
    r_e = run.r_e[tail]
    assert 0.12 < r_e.max() < 0.2 and r_e.min() < 0.02
    spectrum = np.abs(np.fft.rfft(r_e - r_e.mean()))
    frequencies = np.fft.rfftfreq(r_e.size, d=run.t[1] - run.t[0])
    period = 1.0 / frequencies[np.argmax(spectrum)]
    assert period == pytest.approx(cycle.period, rel=0.1)
    synchronized = ek.simulate(
        model, t_max=50.0, dt=0.02, record_every=5, seed=1, initial="sync", progress=False
    )
    branch = theory.steady_states(*CYCLE_POINT)[1]
    assert abs(synchronized.r_e[-50:].mean() - branch.r_e) < 0.02


# ------------------------------------------------------------------ code and examples


def test_no_theory_module_imports_a_private_name_from_a_sibling() -> None:
    package = Path(theory.__file__).parent
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level >= 1:
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.name} imports {private} from .{node.module}"


@pytest.mark.parametrize("module", ["eikura.theory.census"])
def test_docstring_examples(module: str) -> None:
    result = doctest.testmod(
        importlib.import_module(module),
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        report=False,
    )
    assert result.attempted > 0 and result.failed == 0
