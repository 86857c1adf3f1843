"""Entrainment by a drive in the mean-field theory (``ek.theory.entrainment_region``).

Exact checks: uncoupled oscillators lock to any drive with the unique fixed point
``z = F / (a + sqrt(a² + F²))``, ``a = Δ − i(ω − Ω)``; for weak forcing of one
synchronized population (r₀² = 1 − 2Δ/K) the mean-field phase obeys
``dφ/dt = (ω − Ω) − (F/2)(r₀ + 1/r₀) sin φ``, so the tongue's half-width is
``F (1 + r₀²) / (2 r₀)`` to first order in F. Simulations (N = 2·10⁴) inside and outside
the tongue against the locked state and the edges.
"""

from __future__ import annotations

import numpy as np
import pytest

import eikura as ek


def test_uncoupled_oscillators_lock_to_any_drive_exactly():
    region = ek.theory.entrainment_region(0.0, 0.0, 0.0, 0.0, 0.5, amplitudes=[0.8],
                                          frequency_range=(-2.0, 2.0), target="e", center=0.3)
    assert region.kind_low == ("none",) and region.kind_high == ("none",)
    for frequency in (-1.5, 0.3, 1.7):
        a = 0.5 - 1j * (0.3 - frequency)
        expected = 0.8 / (a + np.sqrt(a * a + 0.64))
        z_e, z_i = region.state(frequency, 0.8)
        assert z_e == pytest.approx(expected, abs=1e-10)
        assert abs(z_i) < 1e-100  # the undriven, uncoupled I population decays


def test_weak_forcing_tongue_has_the_first_order_width():
    k, width = 4.0, 1.0
    r0 = np.sqrt(1.0 - 2.0 * width / k)
    amplitudes = np.array([0.005, 0.01, 0.02])
    region = ek.theory.entrainment_region(k, 0.0, 0.0, 0.0, width, amplitudes=amplitudes,
                                          frequency_range=(-1.0, 1.0), target="e")
    half = amplitudes * (1 + r0 ** 2) / (2 * r0)
    np.testing.assert_allclose(region.frequency_high, half, rtol=1e-4)
    np.testing.assert_allclose(region.frequency_low, -region.frequency_high, atol=1e-6)
    assert set(region.kind_low + region.kind_high) == {"saddle-node"}
    # not the zeroth order: a much stronger drive widens the tongue beyond first order
    strong = ek.theory.entrainment_region(k, 0.0, 0.0, 0.0, width, amplitudes=[1.0],
                                          frequency_range=(-3.0, 3.0), target="e")
    assert abs(strong.frequency_high[0] - (1 + r0 ** 2) / (2 * r0)) > 1e-3


def test_strong_forcing_ends_in_hopf_points_and_lags_shift_the_tongue():
    region = ek.theory.entrainment_region(4.0, 0.0, 0.0, 0.0, amplitudes=[2.0],
                                          frequency_range=(-4.0, 4.0), target="e")
    assert region.kind_high == ("hopf",)
    lagged = ek.theory.entrainment_region(4.0, 0.0, 0.0, 0.0, amplitudes=[0.2],
                                          frequency_range=(-4.0, 4.0), target="e",
                                          phase_lag=0.5)
    centre = 0.5 * (lagged.frequency_low[0] + lagged.frequency_high[0])
    own = next(s.omega for s in ek.theory.steady_states(4.0, 0.0, 0.0, 0.0, phase_lag=0.5)
               if s.stable)
    assert own < -0.5 and centre == pytest.approx(own, abs=0.05)


@pytest.mark.parametrize(("bad", "match"), [
    (dict(amplitudes=[-1.0]), "amplitudes"),
    (dict(frequency_range=(1.0, -1.0)), "frequency_range"),
    (dict(target="x"), "target"),
])
def test_entrainment_region_validates(bad, match):
    arguments = dict(amplitudes=[0.5], frequency_range=(-1.0, 1.0), target="e") | bad
    with pytest.raises(ValueError, match=match):
        ek.theory.entrainment_region(4.0, 0.0, 0.0, 0.0, **arguments)


def _simulated(frequency: float, amplitude: float) -> tuple[float, float]:
    """Late mean r_E and mean-field frequency of a driven one-population network."""
    model = ek.EIKuramoto(n_e=20_000, n_i=0, k_ee=4.0,
                          frequencies=ek.Lorentzian(0.0, 1.0, regular=True),
                          drive=ek.Drive(amplitude, frequency, target="e"))
    run = ek.simulate(model, t_max=120.0, dt=0.02, method="rk4", record_every=5,
                      initial="sync", seed=1, progress=False)
    late = run.t > 60.0
    phase = np.unwrap(np.angle(run.z_e[late]))
    return float(np.mean(run.r_e[late])), float(np.polyfit(run.t[late], phase, 1)[0])


def test_simulation_locks_inside_the_tongue_and_drifts_outside():
    region = ek.theory.entrainment_region(4.0, 0.0, 0.0, 0.0, amplitudes=[0.5],
                                          frequency_range=(-3.0, 3.0), target="e")
    edge = float(region.frequency_high[0])
    inside, outside = 0.7 * edge, 1.4 * edge
    r_in, frequency_in = _simulated(inside, 0.5)
    z_e, _ = region.state(inside, 0.5)
    assert r_in == pytest.approx(abs(z_e), abs=0.02)
    assert frequency_in == pytest.approx(inside, abs=0.02)
    assert region.state(outside, 0.5) is None
    _, frequency_out = _simulated(outside, 0.5)
    assert abs(frequency_out - outside) > 0.1  # the mean field slips against the drive
