"""Figure and numbers of docs/terms.md: run ``python docs/terms_figures.py``.

Writes docs/terms_lag_drive.png: (a) r against the phase lag α for one population
(theory line r² = 1 − 2Δ / (K cos α), simulated points), (b) its collective frequency
against α, (c) the frequency of a driven, self-synchronized population against the drive
frequency (reduced equations and simulation). Prints every number quoted in docs/terms.md.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import eikura as ek

HERE = Path(__file__).parent
K, WIDTH, N = 6.0, 1.0, 20_000


def lag_theory(alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r2 = np.clip(1.0 - 2.0 * WIDTH / (K * np.cos(alpha)), 0.0, None)
    r2 = np.where(np.cos(alpha) > 0, r2, 0.0)
    # incoherence (r = 0) has no collective frequency: NaN leaves a gap in the line
    return np.sqrt(r2), np.where(r2 > 0, -0.5 * K * np.sin(alpha) * (1.0 + r2), np.nan)


def late_frequency(t: np.ndarray, z: np.ndarray) -> float:
    return float(np.polyfit(t, np.unwrap(np.angle(z)), 1)[0])


def lag_points(alphas: np.ndarray) -> tuple[list[float], list[float]]:
    r_values, frequencies = [], []
    for alpha in alphas:
        model = ek.EIKuramoto(n_e=N, n_i=0, k_ee=K, phase_lag=float(alpha),
                              frequencies=ek.Lorentzian(0.0, WIDTH, regular=True))
        run = ek.simulate(model, t_max=60.0, dt=0.02, record_every=5, initial="sync", seed=1,
                          progress=False)
        late = run.t > 30.0
        r_values.append(float(np.mean(run.r_e[late])))
        frequencies.append(late_frequency(run.t[late], run.z_e[late]))
        theory_r, theory_f = lag_theory(np.array([alpha]))
        print(f"alpha {alpha:5.2f}: r sim {r_values[-1]:.4f} theory {theory_r[0]:.4f}; "
              f"frequency sim {frequencies[-1]:+.4f} theory {theory_f[0]:+.4f}")
    return r_values, frequencies


def entrainment(drive_frequencies: np.ndarray) -> tuple[list[float], list[float]]:
    """K = 4, Δ = 1, drive F = 0.8 on the whole population: mean-field frequency."""
    simulated, reduced = [], []
    for omega_drive in drive_frequencies:
        drive = ek.Drive(0.8, float(omega_drive), target="e")
        run_reduced = ek.theory.integrate_reduced(4.0, 0.0, 0.0, 0.0, t_max=300.0, dt=0.01,
                                                  z0=(0.5, 0.0), drive=drive, record_every=10)
        late = run_reduced.t > 150.0
        reduced.append(late_frequency(run_reduced.t[late], run_reduced.z_e[late]))
        model = ek.EIKuramoto(n_e=N, n_i=0, k_ee=4.0, drive=drive,
                              frequencies=ek.Lorentzian(0.0, 1.0, regular=True))
        run = ek.simulate(model, t_max=300.0, dt=0.02, record_every=5, initial="sync", seed=1,
                          progress=False)
        late = run.t > 150.0
        simulated.append(late_frequency(run.t[late], run.z_e[late]))
        print(f"drive Ω {omega_drive:5.2f}: mean-field frequency sim {simulated[-1]:+.4f} "
              f"reduced {reduced[-1]:+.4f}")
    return simulated, reduced


def main() -> None:
    line = np.linspace(0.0, 1.5, 301)
    alphas = np.array([0.0, 0.3, 0.6, 0.9, 1.1, 1.2, 1.3, 1.45])
    r_values, frequencies = lag_points(alphas)
    drive_frequencies = np.linspace(-1.5, 1.5, 13)
    simulated, reduced = entrainment(drive_frequencies)
    theory_r, theory_f = lag_theory(line)
    fig, axes = plt.subplots(1, 3, figsize=(12.0, 3.6), constrained_layout=True)
    axes[0].plot(line, theory_r, color="C0", label=r"theory $r^2 = 1 - 2\Delta/(K\cos\alpha)$")
    axes[0].plot(alphas, r_values, "o", color="C3", label=f"simulation, N = {N}")
    axes[0].set(xlabel=r"phase lag $\alpha$", ylabel="r", title=f"(a) one population, K = {K:g}")
    axes[0].legend(fontsize=8)
    axes[1].plot(line, theory_f, color="C0", label=r"$-(K/2)\sin\alpha\,(1+r^2)$")
    synchronized = np.array(r_values) > 0.05  # an incoherent mean field has no frequency
    axes[1].plot(alphas[synchronized], np.array(frequencies)[synchronized], "o", color="C3",
                 label="simulation")
    axes[1].set(xlabel=r"phase lag $\alpha$", ylabel="collective frequency",
                title="(b) frequency shift")
    axes[1].legend(fontsize=8)
    axes[2].plot(drive_frequencies, drive_frequencies, ":", color="grey", label="locked (= Ω)")
    axes[2].plot(drive_frequencies, reduced, "-", color="C0", label="reduced equations")
    axes[2].plot(drive_frequencies, simulated, "o", color="C3", label="simulation")
    axes[2].set(xlabel=r"drive frequency $\Omega$", ylabel="mean-field frequency",
                title="(c) entrainment, K = 4, F = 0.8")
    axes[2].legend(fontsize=8)
    fig.savefig(HERE / "terms_lag_drive.png", dpi=110)


if __name__ == "__main__":
    main()
