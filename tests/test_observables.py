"""Observables from the recorded mean fields, against the theory's collective frequencies
and against what steady, locked and oscillating states must give."""

from __future__ import annotations

import numpy as np
import pytest

import eikura as ek
from eikura import observables


def _run(**changes):
    settings = dict(n_e=8000, n_i=2000, k_ee=6.0, k_ei=1.0, k_ie=12.0, k_ii=2.0,
                    frequencies=ek.Lorentzian(0.0, 1.0, regular=True))
    settings.update(changes)
    return ek.simulate(ek.EIKuramoto(**settings), t_max=80.0, dt=0.05, record_every=2,
                       initial="sync", seed=1, threads=2, progress=False)


def test_a_locked_state_turns_at_the_common_centre_frequency():
    run = _run(frequencies=ek.Lorentzian(3.0, 1.0, regular=True))
    for population in ("e", "i", "all"):
        assert observables.collective_frequency(run, population, transient=30.0) == \
            pytest.approx(3.0, abs=2e-3)
    assert observables.dominant_frequency(run, "e", transient=30.0) == pytest.approx(3.0, abs=0.1)
    assert observables.phase_locking_value(run, window=10.0, transient=30.0).min() > 0.999
    assert observables.metastability(run, window=10.0, transient=30.0).max() < 0.02


def test_a_traveling_wave_turns_at_the_theory_s_frequency():
    """A stable lagged state (E and I locked at a lag ψ) rotates at Ω ≠ 0: one of the
    mirror pair, whichever the start picks."""
    couplings = (11.9, 9.5, 5.4, 4.2)  # only a stable lagged pair (tests/test_theory.py)
    run = ek.simulate(ek.EIKuramoto(n_e=8000, n_i=2000, k_ee=11.9, k_ei=9.5, k_ie=5.4, k_ii=4.2,
                                    frequencies=ek.Lorentzian(0.0, 1.0, regular=True)),
                      t_max=120.0, dt=0.02, record_every=5, seed=2, threads=2, progress=False)
    omega = observables.collective_frequency(run, "e", transient=60.0)
    assert observables.collective_frequency(run, "i", transient=60.0) == pytest.approx(omega,
                                                                                       abs=5e-3)
    lagged = [s.omega for s in ek.theory.steady_states(*couplings) if s.stable and s.kind == "lagged"]
    assert min(abs(omega - value) for value in lagged) < 0.02, (omega, lagged)
    assert abs(omega) > 0.1
    # one Welch segment of the 60 analysed time units: bins 2π/60 apart
    peak = observables.dominant_frequency(run, "e", transient=60.0, segment=60.0)
    assert peak == pytest.approx(omega, abs=np.pi / 60 + 1e-9)


def test_an_oscillating_order_parameter_is_metastable_and_a_steady_one_is_not():
    cycle = ek.simulate(ek.EIKuramoto(n_e=16000, n_i=4000, k_ee=4.6, k_ei=1.0, k_ie=12.0,
                                      k_ii=0.3, frequencies=ek.Lorentzian(0.0, 1.0, regular=True)),
                        t_max=80.0, dt=0.05, record_every=2, seed=1, threads=2, progress=False)
    steady = _run()
    swing = observables.metastability(cycle, window=10.0, population="e", transient=30.0)
    still = observables.metastability(steady, window=10.0, population="e", transient=30.0)
    assert swing.min() > 10 * still.max()


def test_bad_arguments_are_refused():
    run = _run()
    with pytest.raises(ValueError, match="^population: "):
        observables.collective_frequency(run, "x")
    with pytest.raises(ValueError, match="^transient: "):
        observables.collective_frequency(run, transient=1e6)
    with pytest.raises(ValueError, match="^window: "):
        observables.metastability(run, window=1e-6)
