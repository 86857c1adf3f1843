"""Observables of a run: what the C++ core records, and what is computed from ``Z_E, Z_I, Z``.

Which observable is computed where follows one rule: a quantity that the recorded mean
fields determine is computed from them here, after the run; a quantity that needs every
oscillator (and so cannot be recovered from ``Z``) is recorded in C++ while the phases are
there, and only at the recording steps (``simulate(..., observables=...)``, off by
default).

Recorded in C++, per population X (E, I), at every record:

* ``"instantaneous_frequency"`` — ``run.instantaneous_frequency_e``, ``_i``: the
  population mean of dθ_i/dt at the recorded state (θ, t), the deterministic right-hand
  side: couplings, lags and drives, without the noise, whose increment has no derivative.
  It is one evaluation at the recorded phases themselves, which is the first stage of the
  next step: the fixed-step methods (Euler, Heun, RK4) reuse it there, so recording costs
  at most one extra evaluation per run, not one per record (``"dopri5"``, whose first
  stage comes from the previous step, pays one per record). (Later stages belong to intermediate
  states and an average over a step's stages would describe no recorded state.) It is the
  mean of the oscillators' velocities, not the turning rate of ψ_X =
  arg Z_X (:func:`collective_frequency`), which differs while r_X changes or is small.
* ``"local_order"`` — ``run.local_order_e``, ``_i``: the mean over the oscillators i of
  X of the local order parameter

      R_i = abs(Σ_{j→i} w_ij exp(iθ_j)) / Σ_{j→i} w_ij     (w_ij = 1 unless weighted),

  the modulus of the mean phasor of all of i's inputs, E and I together (what i "sees";
  it is 1 when i's inputs agree even if the network as a whole has r = 0). Oscillators
  without inputs are left out (NaN where none is left). It is computed from the sums
  Σ w_ij sin θ_j, Σ w_ij cos θ_j that the right-hand side gathers for every oscillator
  anyway. With delays θ_j is the phase as i sees it, θ_j(t − τ_XY). For all-to-all
  coupling every oscillator's inputs are the whole network, so without delays
  ``R_i = r = |Z|``; on a random network with k inputs per oscillator it is about
  ``sqrt(r² + (1 − r²) / k)`` (k samples of the phase distribution): never below about
  ``sqrt(1 / k)``, even where r is at its finite-size level.

The circular mean phase ψ_X = arg Z_X is not recorded again: it is ``run.psi_e``,
``run.psi_i``, ``run.psi``.

Computed here from the recorded ``Z``, after the run (no new simulation):

* :func:`collective_frequency` — the rate at which a population's mean phase ψ_X = arg Z_X
  turns (a locked population's common frequency; for a traveling wave, its speed);
* :func:`phase_locking_value` — ``abs(mean(exp(i (ψ_E − ψ_I))))`` over windows: 1 when the two
  populations' mean phases keep a fixed lag, near 0 when they slip;
* :func:`metastability` — the standard deviation of r over windows (0 for a steady
  state, large where the network switches or oscillates);
* :func:`power_spectrum` and :func:`dominant_frequency` — Welch spectra of Z_E, Z_I or Z
  (:func:`scipy.signal.welch`, two-sided: the sign of the frequency says the direction).

These windowed quantities need no C++: they are cheap functions of the recorded Z, and a
window chosen after the run can be changed without running again.

Examples
--------
>>> import eikura as ek
>>> from eikura import observables
>>> model = ek.EIKuramoto(n_e=800, n_i=200, k_ee=6.0, k_ei=1.0, k_ie=12.0, k_ii=2.0,
...                       frequencies=ek.Lorentzian(2.0, 1.0, regular=True))
>>> run = ek.simulate(model, t_max=60.0, dt=0.05, record_every=2, initial="sync", seed=1)
>>> round(observables.collective_frequency(run, "e", transient=20.0), 2)
2.0
>>> bool(observables.phase_locking_value(run, window=10.0, transient=20.0).min() > 0.99)
True

Recorded observables of a sparse network, where the local order parameter exceeds r:

>>> sparse = ek.EIKuramoto(n_e=800, n_i=200, k_ee=1.0, network=ek.FixedInDegree(k_e=8, k_i=2))
>>> run = ek.simulate(sparse, t_max=5.0, dt=0.05, seed=1, observables=("local_order",))
>>> bool((run.local_order_e > run.r).all())
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._validation import check_choice, check_nonnegative, check_positive
from .results import Run

__all__ = ["collective_frequency", "phase_locking_value", "metastability", "power_spectrum",
           "dominant_frequency"]

POPULATIONS = ("e", "i", "all")


def _field(run: Run, population: str) -> NDArray[np.complex128]:
    check_choice("population", population, POPULATIONS)
    return {"e": run.z_e, "i": run.z_i, "all": run.z}[population]


def _after(run: Run, transient: float) -> NDArray[np.bool_]:
    transient = check_nonnegative("transient", transient)
    keep = np.asarray(run.t >= run.t[0] + transient, dtype=bool)
    if np.count_nonzero(keep) < 2:
        raise ValueError(f"transient: only {np.count_nonzero(keep)} records remain after "
                         f"t = {transient:g}; record longer or shorten the transient")
    return keep


def _window_samples(run: Run, window: float) -> int:
    window = check_positive("window", window)
    spacing = float(run.t[1] - run.t[0]) if run.t.size > 1 else 1.0
    samples = int(round(window / spacing))
    if samples < 2:
        raise ValueError(f"window: {window:g} holds fewer than two records (spacing {spacing:g})")
    return samples


def _windows(values: NDArray[Any], samples: int) -> NDArray[Any]:
    """Consecutive non-overlapping windows (rows); a shorter last piece is dropped."""
    count = values.size // samples
    if count == 0:
        raise ValueError(f"window: longer than the {values.size} records analysed")
    return values[: count * samples].reshape(count, samples)


def collective_frequency(run: Run, population: str = "all", *, transient: float = 0.0) -> float:
    """The mean rate dψ/dt of the population's mean phase ψ = arg Z after ``transient``
    (from the unwrapped phase's end points; meaningful while the modulus of Z stays clear of 0)."""
    keep = _after(run, transient)
    phase = np.unwrap(np.angle(_field(run, population)[keep]))
    t = run.t[keep]
    return float((phase[-1] - phase[0]) / (t[-1] - t[0]))


def phase_locking_value(run: Run, window: float, *, transient: float = 0.0) -> NDArray[np.float64]:
    """``abs(mean(exp(i (ψ_E − ψ_I))))`` in consecutive windows of ``window`` time units."""
    keep = _after(run, transient)
    lag = np.exp(1j * (np.angle(run.z_e[keep]) - np.angle(run.z_i[keep])))
    return np.asarray(np.abs(_windows(lag, _window_samples(run, window)).mean(axis=1)),
                      dtype=np.float64)


def metastability(run: Run, window: float, population: str = "all", *,
                  transient: float = 0.0) -> NDArray[np.float64]:
    """The standard deviation of r, the modulus of Z, in consecutive windows of ``window`` time units."""
    keep = _after(run, transient)
    r = np.abs(_field(run, population)[keep])
    return np.asarray(_windows(r, _window_samples(run, window)).std(axis=1), dtype=np.float64)


def power_spectrum(run: Run, population: str = "all", *, transient: float = 0.0,
                   segment: float | None = None) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Angular frequencies and the Welch power spectral density of Z_X after ``transient``.

    ``segment`` is the length (time units) of Welch's segments; by default an eighth of
    the analysed span. Frequencies are angular (rad per time unit), like the natural
    frequencies, and two-sided, sorted.
    """
    from scipy.signal import welch

    keep = _after(run, transient)
    values = _field(run, population)[keep]
    spacing = float(run.t[1] - run.t[0])
    samples = values.size // 8 if segment is None else _window_samples(run, segment)
    frequency, density = welch(values, fs=1.0 / spacing, nperseg=max(8, min(samples, values.size)),
                               return_onesided=False, detrend=False)
    order = np.argsort(frequency)
    return (2.0 * np.pi * np.asarray(frequency[order], dtype=np.float64),
            np.asarray(density[order], dtype=np.float64))


def dominant_frequency(run: Run, population: str = "all", *, transient: float = 0.0,
                       segment: float | None = None) -> float:
    """The angular frequency at the peak of :func:`power_spectrum`."""
    frequency, density = power_spectrum(run, population, transient=transient, segment=segment)
    return float(frequency[int(np.argmax(density))])
