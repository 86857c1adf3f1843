"""Figure and numbers of docs/drive.md: run ``python docs/drive_figures.py``.

Writes docs/drive_tongue.png: the Arnold tongue (drive frequency Ω, amplitude F) of
``ek.theory.entrainment_region`` — saddle-node edges solid, Hopf edges dashed — with
simulated points (N = 2·10⁴ per population) marked locked or unlocked, for (a) the E-I
network K = (8, 1, 8, 1) driven on E and (b) one population K = 4. Prints every number
quoted in docs/drive.md.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import eikura as ek

HERE = Path(__file__).parent
N = 20_000
CASES = {
    "(a) E-I network, K = (8, 1, 8, 1), drive on E": dict(k=(8.0, 1.0, 8.0, 1.0), n_i=N),
    "(b) one population, K = 4": dict(k=(4.0, 0.0, 0.0, 0.0), n_i=0),
}
# simulated points (Ω, F) per case, inside and outside the tongue
POINTS = [(0.5, 1.0), (1.5, 1.0), (1.0, 2.0), (2.0, 2.0), (3.0, 2.0), (1.0, 0.5),
          (0.3, 0.5), (2.5, 3.0), (3.5, 3.0)]
LOCKED_TOLERANCE = 0.02  # mean-field frequency within this of Ω: locked
STEADY_SWING = 0.02  # a locked r_E that swings by more than this oscillates (beyond a Hopf edge)


def simulate_point(k: tuple[float, ...], n_i: int, frequency: float, amplitude: float
                   ) -> tuple[float, float, float, float]:
    """Late mean r_E, r_I, the mean-field frequency of E and the swing of r_E."""
    model = ek.EIKuramoto(n_e=N, n_i=n_i, k_ee=k[0], k_ei=k[1], k_ie=k[2], k_ii=k[3],
                          frequencies=ek.Lorentzian(0.0, 1.0, regular=True),
                          drive=ek.Drive(amplitude, frequency, target="e"))
    run = ek.simulate(model, t_max=150.0, dt=0.02, method="rk4", record_every=5,
                      initial="sync", seed=1, progress=False)
    late = run.t > 75.0
    slope = np.polyfit(run.t[late], np.unwrap(np.angle(run.z_e[late])), 1)[0]
    r_i = float(np.mean(run.r_i[late])) if n_i else 0.0
    return float(np.mean(run.r_e[late])), r_i, float(slope), float(np.ptp(run.r_e[late]))


def main() -> None:
    amplitudes = np.linspace(0.05, 4.0, 24)
    # locked and steady, locked in frequency with an oscillating r, drifting against the drive
    styles = {"locked": ("o", ek.labels.LABEL_COLORS["synchronized"]),
              "locked, r oscillates": ("D", ek.labels.LABEL_COLORS["other"]),
              "unlocked": ("s", ek.labels.LABEL_COLORS["desynchronized"])}
    fig, axes = plt.subplots(1, 2, figsize=(11.0, 4.2), constrained_layout=True)
    for ax, (title, case) in zip(axes, CASES.items(), strict=True):
        k, n_i = case["k"], case["n_i"]
        region = ek.theory.entrainment_region(*k, amplitudes=amplitudes,
                                              frequency_range=(-6.0, 6.0), target="e")
        print(title)
        for amplitude, low, high, kind in zip(amplitudes, region.frequency_low,
                                              region.frequency_high, region.kind_high,
                                              strict=True):
            print(f"  F = {amplitude:.3f}: locked for {low:+.4f} <= Omega <= {high:+.4f} "
                  f"({kind})")
        for side, kinds in (("frequency_low", region.kind_low),
                            ("frequency_high", region.kind_high)):
            edge = getattr(region, side)
            hopf = np.array([kind == "hopf" for kind in kinds])
            ax.plot(np.where(~hopf, edge, np.nan), amplitudes, "-", color="k",
                    label="saddle-node" if side == "frequency_high" else None)
            if hopf.any():
                first = np.argmax(hopf)
                ax.plot(edge[max(first - 1, 0):], amplitudes[max(first - 1, 0):], "--",
                        color="k", label="Hopf" if side == "frequency_high" else None)
        for frequency, amplitude in POINTS:
            r_e, r_i, slope, swing = simulate_point(k, n_i, frequency, amplitude)
            locked = abs(slope - frequency) < LOCKED_TOLERANCE
            verdict = ("unlocked" if not locked else
                       "locked" if swing < STEADY_SWING else "locked, r oscillates")
            state = region.state(frequency, amplitude)
            theory = ("not locked" if state is None else
                      f"locked r_E {abs(state[0]):.4f} r_I {abs(state[1]):.4f}")
            print(f"  simulation at Omega = {frequency}, F = {amplitude}: r_E {r_e:.4f} "
                  f"r_I {r_i:.4f}, frequency {slope:+.4f}, swing of r_E {swing:.4f} -> "
                  f"{verdict}; theory {theory}")
            marker, color = styles[verdict]
            ax.plot(frequency, amplitude, marker, ms=8, color=color, mec="k")
        for verdict, (marker, color) in styles.items():
            ax.plot([], [], marker, color=color, mec="k", label=f"simulation: {verdict}")
        ax.set(xlabel=r"drive frequency $\Omega$ (centre $\omega = 0$)",
               ylabel="drive amplitude F", xlim=(-6.0, 6.0), ylim=(0.0, 4.6), title=title)
        ax.legend(fontsize=8, loc="lower left")  # below the left edge: no data there
    fig.savefig(HERE / "drive_tongue.png", dpi=110)


if __name__ == "__main__":
    main()
