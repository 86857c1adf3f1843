"""The reduced integrator with noise (Fourier hierarchy, Crank–Nicolson steps).

Steady rotation must be a fixed point of the step whatever the rotation frequency: the
common centre of the frequencies and the shift of a lagged state only turn everything.
Checks against the steady states of ``steady_states`` (exact stationary hierarchy).
"""

from __future__ import annotations

import numpy as np
import pytest

from eikura import theory


@pytest.mark.parametrize("center", [20.0, -20.0, 5.0, 50.0])
@pytest.mark.parametrize("noise", [0.1, 0.3, 0.6])
def test_noisy_integration_settles_on_the_steady_state(center: float, noise: float) -> None:
    (_, state) = theory.steady_states(6.0, 2.0, 6.0, 2.0, noise_e=noise, noise_i=noise)
    run = theory.integrate_reduced(
        6.0, 2.0, 6.0, 2.0, center_e=center, center_i=center, t_max=60.0, dt=0.05,
        z0=(0.3, 0.3), noise_e=noise, noise_i=noise,
    )
    assert run.r_e[-1] == pytest.approx(state.r_e, abs=1e-9)
    assert run.r_i[-1] == pytest.approx(state.r_i, abs=1e-9)
    assert np.all(run.r_e <= 1.0) and np.all(run.r_i <= 1.0)
    turn = np.angle(run.z_e[-1] * np.conj(run.z_e[-2])) / (run.t[-1] - run.t[-2])
    assert np.exp(1j * turn * 0.05) == pytest.approx(np.exp(1j * center * 0.05), abs=1e-9)


def test_noisy_integration_of_a_lagged_state() -> None:
    """A lagged state turns at Ω ≠ ω: the integrator's frame must follow it."""
    couplings = (11.9, 9.5, 5.4, 4.2)
    lagged = [
        s for s in theory.steady_states(*couplings, noise_e=0.2, noise_i=0.2) if s.stable
    ]
    assert {s.kind for s in lagged} == {"lagged"}
    run = theory.integrate_reduced(
        *couplings, center_e=20.0, center_i=20.0, t_max=60.0, dt=0.05,
        z0=(0.3, 0.3 * np.exp(1j)), noise_e=0.2, noise_i=0.2,
    )
    (state,) = [s for s in lagged if np.sign(s.psi) == np.sign(run.psi[-1])]
    assert run.r_e[-1] == pytest.approx(state.r_e, abs=1e-8)
    assert run.psi[-1] == pytest.approx(state.psi, abs=1e-8)
    turn = np.angle(run.z_e[-1] * np.conj(run.z_e[-2])) / 0.05
    assert turn == pytest.approx(20.0 + state.omega, abs=1e-6)


def test_noisy_integration_does_not_depend_on_the_centre() -> None:
    """The common centre only turns everything: r(t) is the same for any centre."""
    kwargs = dict(t_max=20.0, dt=0.05, z0=(0.3, 0.3 * np.exp(1j)), noise_e=0.3, noise_i=0.3)
    still = theory.integrate_reduced(6.0, 2.0, 6.0, 2.0, **kwargs)
    turning = theory.integrate_reduced(6.0, 2.0, 6.0, 2.0, center_e=20.0, center_i=20.0, **kwargs)
    assert np.max(np.abs(still.r_e - turning.r_e)) < 1e-12
    fine = theory.integrate_reduced(
        6.0, 2.0, 6.0, 2.0, **{**kwargs, "dt": 0.005}, record_every=10
    )
    assert np.max(np.abs(still.r_e - fine.r_e)) < 1e-3  # second order: dt 0.05 is close


def test_leaving_the_unit_disc_warns() -> None:
    with pytest.warns(RuntimeWarning, match="unit disc"):
        theory.integrate_reduced(30.0, 0.0, 0.0, 0.0, t_max=5.0, dt=0.5, z0=(0.9, 0.0))


