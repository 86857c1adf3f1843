"""Bifurcation curves and one-parameter bifurcation diagrams of the mean-field theory.

Each curve is checked at its own points against the steady states and the census
computed there independently: a Hopf point has an eigenvalue pair on the imaginary
axis, the pitchfork satisfies the closed-form condition on the in-phase state, a
lagged fold has two lagged states meeting, the homoclinic point separates parameters
with and without the cycle.
"""

from __future__ import annotations

import doctest
import importlib

import matplotlib as mpl
import numpy as np
import pytest

from eikura import theory

mpl.use("Agg")

PLANE = dict(k_ei=1.0, k_ie=12.0)  # K_EE in [3, 7], K_II in [0, 4]
LAGGED_PLANE = dict(k_ei=13.9, k_ie=4.99)  # K_EE in [6, 12], K_II in [2, 8]


@pytest.fixture(scope="module")
def curves() -> theory.BifurcationCurves:
    return theory.bifurcation_curves(
        "k_ee", np.array([3.0, 7.0]), "k_ii", np.array([0.0, 4.0]), n_grid=41, **PLANE
    )


@pytest.fixture(scope="module")
def lagged_curves() -> theory.BifurcationCurves:
    return theory.bifurcation_curves(
        "k_ee", np.array([6.0, 12.0]), "k_ii", np.array([2.0, 8.0]), n_grid=41,
        homoclinic=False, **LAGGED_PLANE,
    )


def _x_at(pieces, y_value: float) -> float:
    for piece in pieces:
        ys = piece[:, 1]
        for k in np.flatnonzero((ys[:-1] - y_value) * (ys[1:] - y_value) <= 0):
            t = (y_value - ys[k]) / (ys[k + 1] - ys[k]) if ys[k + 1] != ys[k] else 0.0
            return float(piece[k, 0] + t * (piece[k + 1, 0] - piece[k, 0]))
    raise AssertionError(f"no curve crosses y = {y_value}")


def test_pitchfork_satisfies_the_closed_form(curves) -> None:
    (piece,) = curves.pitchfork
    for x, y in piece[:: max(1, len(piece) // 5)]:
        in_phase = [s for s in theory.steady_states(x, 1.0, 12.0, y) if s.kind == "in-phase"]
        # λ_ψ = 0  ⇔  K_IE r_E²/(1 + r_E²) = K_EI r_I²/(1 + r_I²) for one in-phase state
        balance = [
            12.0 * s.r_e**2 / (1 + s.r_e**2) - 1.0 * s.r_i**2 / (1 + s.r_i**2) for s in in_phase
        ]
        assert min(abs(b) for b in balance) < 1e-6
        # lagged states exist on one side only
        counts = [
            sum(s.kind == "lagged" for s in theory.steady_states(x + dx, 1.0, 12.0, y))
            for dx in (-1e-4, 1e-4)
        ]
        assert sorted(counts) == [0, 2]


def test_homoclinic_curve_ends_the_cycle(curves) -> None:
    x = _x_at(curves.homoclinic, 0.3)
    assert 5.025 < x < 5.036  # census: cycle at 5.0315 (period 12.9), none at 5.032
    before = theory.attractors(x - 0.004, 1.0, 12.0, 0.3)
    after = theory.attractors(x + 0.004, 1.0, 12.0, 0.3)
    assert before.cycles and before.cycles[0].period > 7.0 and not after.cycles
    # the curve bounds the oscillating region: every point of it has a long period
    (periods,) = [p for h, p in zip(curves.homoclinic, curves.homoclinic_period, strict=True)
                  if h[:, 1].min() <= 0.3 <= h[:, 1].max()]
    assert np.all((periods > 8.0) | np.isnan(periods))


def test_no_hopf_of_synchronized_states_in_the_plain_plane(curves) -> None:
    assert not curves.hopf_in_phase and not curves.lagged_folds


def test_hopf_line_of_in_phase_states(lagged_curves) -> None:
    assert lagged_curves.hopf_in_phase
    piece = max(lagged_curves.hopf_in_phase, key=len)
    for x, y in piece[:: max(1, len(piece) // 4)]:
        states = theory.steady_states(x, 13.9, 4.99, y)
        pairs = [
            e for s in states if s.kind == "in-phase" for e in s.eigenvalues if abs(e.imag) > 1e-6
        ]
        assert min(abs(e.real) for e in pairs) < 1e-6


def test_lagged_fold_has_two_lagged_states_meeting(lagged_curves) -> None:
    assert lagged_curves.lagged_folds
    piece = max(lagged_curves.lagged_folds, key=len)
    for x, y in piece[:: max(1, len(piece) // 4)]:
        lagged = sorted(
            s.r_e
            for s in theory.steady_states(x, 13.9, 4.99, y)
            if s.kind == "lagged" and s.psi > 0
        )
        assert len(lagged) >= 2 and np.min(np.diff(lagged)) < 1e-3
        counts = {
            sum(s.kind == "lagged" for s in theory.steady_states(x + dx, 13.9, 4.99, y))
            for dx in (-1e-5, 1e-5)  # near (6.3, 2.3) the incoherence Hopf line is 1e-4 away
        }
        assert len(counts) == 2 and max(counts) - min(counts) == 4  # two mirror pairs


def test_curves_separate_labels(lagged_curves) -> None:
    """The lagged fold bounds the bistable wedge next to the incoherence Hopf line."""
    x = _x_at(lagged_curves.lagged_folds, 5.0)
    hopf = 4.0 + 5.0  # tr M = 0: K_EE = 2(Δ_E + Δ_I) + K_II
    assert x < hopf
    assert theory.classify(x - 0.01, 13.9, 4.99, 5.0) == "desynchronized"
    assert theory.classify(0.5 * (x + hopf), 13.9, 4.99, 5.0) == "bistable"


def test_curves_as_overlay_arrays(curves) -> None:
    every = curves.curves()
    for name in ("incoherence_real", "incoherence_hopf", "pitchfork", "homoclinic"):
        assert every[name].shape[1] == 2 and np.isfinite(every[name]).any()


# ---------------------------------------------------------- one-parameter diagram


@pytest.fixture(scope="module")
def diagram() -> theory.BifurcationDiagram:
    return theory.bifurcation_diagram(
        "k_ee", np.linspace(3.5, 6.5, 31), k_ei=1.0, k_ie=12.0, k_ii=0.3
    )


def test_diagram_agrees_with_the_census(diagram) -> None:
    for k in (0, 8, 11, 15, 20, 30):
        value = float(diagram.values[k])
        census = theory.attractors(value, 1.0, 12.0, 0.3)
        assert diagram.labels[k] == census.label
        rows = np.flatnonzero(diagram.cycle_value == value)
        assert len(rows) == len(census.cycles)
        for row, cycle in zip(rows, census.cycles, strict=True):
            assert diagram.cycle_period[row] == pytest.approx(cycle.period, rel=2e-3)
            assert diagram.cycle_r_e_max[row] == pytest.approx(cycle.r_e_max, abs=2e-3)
        states = theory.steady_states(value, 1.0, 12.0, 0.3)
        mine = np.flatnonzero(diagram.state_value == value)
        expected = sorted(round(s.r_e, 9) for s in states if s.psi >= 0)
        assert sorted(np.round(diagram.state_r_e[mine], 9)) == expected


def test_diagram_cycles_span_the_oscillating_window(diagram) -> None:
    values = diagram.cycle_value
    assert values.min() == pytest.approx(4.4) and values.max() == pytest.approx(5.0)
    order = np.argsort(values)
    assert np.all(np.diff(diagram.cycle_period[order]) > 0)  # period grows towards 5.03


def test_plot_draws_every_attractor(diagram) -> None:
    import matplotlib.pyplot as plt

    ax = theory.plot_bifurcation_diagram(diagram, "i")
    labels = [line.get_label() for line in ax.get_lines()]
    assert "in-phase (stable)" in labels and "limit cycle (max, min)" in labels
    assert ax.get_ylabel() == "$r_I$"
    plt.close(ax.figure)


def test_bifurcation_input_is_checked() -> None:
    with pytest.raises(ValueError, match="^parameter"):
        theory.bifurcation_diagram("k_xx", [1.0, 2.0], k_ei=1.0, k_ie=12.0, k_ii=0.3)
    with pytest.raises(ValueError, match="^values"):
        theory.bifurcation_diagram("k_ee", [], k_ei=1.0, k_ie=12.0, k_ii=0.3)
    with pytest.raises(ValueError, match="^y"):
        theory.bifurcation_curves("k_ee", [3.0, 7.0], "k_ee", [0.0, 1.0], **PLANE)
    with pytest.raises(ValueError, match="^population"):
        theory.plot_bifurcation_diagram(
            theory.bifurcation_diagram("k_ee", [4.6], k_ei=1.0, k_ie=12.0, k_ii=0.3), "x"
        )


def test_docstring_examples() -> None:
    result = doctest.testmod(
        importlib.import_module("eikura.theory.bifurcation"),
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        report=False,
    )
    assert result.attempted > 0 and result.failed == 0
