"""Figure and numbers of docs/delay_theory.md: run ``python docs/delay_theory_figures.py``.

Writes docs/delay_theory_r_tau.png (the rotating states and the stability of incoherence
against a common delay τ, with simulations of N = 2·10⁴ oscillators) and prints every
number quoted in docs/delay_theory.md.
"""

from __future__ import annotations

import time
from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from scipy.optimize import brentq

import eikura as ek
from eikura.labels import LABEL_COLORS

HERE = Path(__file__).parent
COUPLINGS = (5.5, 1.0, 12.0, 2.0)  # K_EE, K_EI, K_IE, K_II
CENTER = 2.0  # common centre ω of both Lorentzians (half-widths 1)
DELAYS = np.round(np.arange(0.0, 3.0001, 0.05), 10)
SIMULATED_DELAYS = np.round(np.arange(0.0, 3.0001, 0.3), 10)
N_E, N_I = 16_000, 4_000  # N = 2·10⁴


def growth(tau: float) -> float:
    return ek.theory.incoherence_roots(*COUPLINGS, center=CENTER, delay=tau).growth_rate


def thresholds() -> list[float]:
    """Delays where the leading root of incoherence crosses the imaginary axis."""
    fine = np.linspace(0.0, 3.0, 121)
    rates = np.array([growth(t) for t in fine])
    crossings = np.flatnonzero(np.sign(rates[:-1]) != np.sign(rates[1:]))
    return [brentq(growth, fine[i], fine[i + 1], xtol=1e-10) for i in crossings]


def branches() -> list[tuple[float, ek.theory.SteadyState]]:
    points = []
    start = time.perf_counter()
    for tau in DELAYS:
        for state in ek.theory.steady_states(*COUPLINGS, center=CENTER, delay=float(tau))[1:]:
            points.append((float(tau), state))
    print(f"   steady states at {DELAYS.size} delays: {time.perf_counter() - start:.1f} s")
    return points


def simulation_points() -> list[tuple[float, str, float, float]]:
    """(τ, start, r_E, Ω) from simulations: the mean of r_E and the turning rate of z_E over
    the last 20 time units of 80, from identical phases ("sync") and from random ones."""
    points = []
    start_time = time.perf_counter()
    for tau in SIMULATED_DELAYS:
        model = ek.EIKuramoto(
            n_e=N_E, n_i=N_I, k_ee=COUPLINGS[0], k_ei=COUPLINGS[1], k_ie=COUPLINGS[2],
            k_ii=COUPLINGS[3], delay=float(tau),
            frequencies=ek.Lorentzian(center=CENTER, width=1.0, regular=True))
        for initial in ("sync", "random"):
            run = ek.simulate(model, t_max=80.0, dt=0.02, record_every=5, initial=initial,
                              seed=1)
            tail = run.t > 60
            omega = np.polyfit(run.t[tail], np.unwrap(np.angle(run.z_e[tail])), 1)[0]
            points.append((float(tau), initial, float(np.mean(run.r_e[tail])), float(omega)))
    print(f"   {len(points)} simulations (N = {N_E + N_I}): {time.perf_counter() - start_time:.0f} s")
    return points


def draw(points: list[tuple[float, ek.theory.SteadyState]], crossings: list[float],
         simulated: list[tuple[float, str, float, float]]) -> None:
    sync, incoherent = LABEL_COLORS["synchronized"], LABEL_COLORS["desynchronized"]
    fig, (ax_r, ax_omega) = plt.subplots(2, 1, figsize=(7.0, 6.6), sharex=True,
                                         gridspec_kw={"height_ratios": [3, 2]})
    window = (crossings[0], crossings[1])
    for ax in (ax_r, ax_omega):
        ax.axvspan(*window, color=LABEL_COLORS["bistable"], alpha=0.15, lw=0)
        for tau_c in crossings:
            ax.axvline(tau_c, color=incoherent, lw=0.8, ls=":")
    ax_r.plot([0, window[0]], [0, 0], color=incoherent, lw=2, ls="--")
    ax_r.plot(list(window), [0, 0], color=incoherent, lw=2)
    ax_r.plot([window[1], DELAYS[-1]], [0, 0], color=incoherent, lw=2, ls="--")
    for tau, state in points:
        style = {"color": sync, "ms": 4.5, "mec": sync,
                 "mfc": sync if state.stable else "white"}
        ax_r.plot(tau, state.r_e, "o", **style)
        ax_omega.plot(tau, state.omega, "o", **style)
    sim_style = {"sync": {"marker": "D", "mfc": "none"}, "random": {"marker": "x", "mfc": "k"}}
    for tau, initial, r_e, omega in simulated:
        ax_r.plot(tau, r_e, ls="", color="k", ms=7, mew=1.2, **sim_style[initial])
        if r_e > 0.1:  # the turning rate of an incoherent run means nothing
            ax_omega.plot(tau, omega, ls="", color="k", ms=7, mew=1.2, **sim_style[initial])
    ax_r.set_ylabel(r"$r_E$ of the state")
    ax_r.set_ylim(-0.05, 1.0)
    ax_omega.set_ylabel(r"$\Omega$ (rad / time unit)")
    ax_omega.set_xlabel(r"common delay $\tau$ (time units)")
    ax_omega.axhline(CENTER, color="0.6", lw=0.8)
    ax_omega.text(2.0, CENTER + 0.08, r"$\omega$ (centre)", ha="center", va="bottom", color="0.4")
    handles = [
        Line2D([], [], ls="", marker="o", color=sync, label="rotating state, stable"),
        Line2D([], [], ls="", marker="o", color=sync, mfc="white", label="rotating state, unstable"),
        Line2D([], [], color=incoherent, lw=2, label="incoherence, stable"),
        Line2D([], [], color=incoherent, lw=2, ls="--", label="incoherence, unstable"),
        mpl.patches.Patch(color=LABEL_COLORS["bistable"], alpha=0.3,
                          label="incoherence stable next to stable states"),
        Line2D([], [], ls="", marker="D", color="k", mfc="none",
               label=r"simulation, $N=2\cdot10^4$, identical phases"),
        Line2D([], [], ls="", marker="x", color="k", label="simulation, random phases"),
    ]
    fig.legend(handles=handles, loc="upper center", ncol=2, frameon=False, fontsize=8.5,
               bbox_to_anchor=(0.5, 1.0))
    ax_r.set_title(r"$K_{EE}=5.5,\ K_{EI}=1,\ K_{IE}=12,\ K_{II}=2$, $\Delta_E=\Delta_I=1$, "
                   r"$\omega=2$", fontsize=9.5)
    fig.tight_layout(rect=(0, 0, 1, 0.87))
    fig.savefig(HERE / "delay_theory_r_tau.png", dpi=120)
    plt.close(fig)


def convergence() -> None:
    """Error of the delayed integrator on an exact rotating state, delays off the grid."""
    delays = {"ee": 0.537, "ei": 0.911, "ie": 0.25, "ii": 0.0}
    state = next(s for s in ek.theory.steady_states(*COUPLINGS, center=CENTER, delay=delays)
                 if s.stable and s.kind != "incoherent")

    def history(t: float) -> tuple[complex, complex]:
        turn = np.exp(1j * state.omega * t)
        return state.z_e * turn, state.z_i * turn

    errors = []
    for dt in (0.04, 0.02, 0.01):
        run = ek.theory.integrate_reduced(*COUPLINGS, center_e=CENTER, center_i=CENTER,
                                          t_max=4.0, dt=dt, delay=delays, history=history)
        errors.append(float(np.max(np.abs(run.z_e - history(run.t)[0]))))
    print("== integrator: largest |z_E error| over 0 <= t <= 4 at dt = 0.04, 0.02, 0.01:",
          ", ".join(f"{e:.2g}" for e in errors),
          f"(ratios {errors[0] / errors[1]:.1f}, {errors[1] / errors[2]:.1f})")


def main() -> None:
    convergence()
    print("== incoherence: leading root against τ")
    for tau in (0.0, 0.5, 1.0, 1.4, 2.0, 3.0):
        roots = ek.theory.incoherence_roots(*COUPLINGS, center=CENTER, delay=tau)
        print(f"   τ = {tau:.1f}: λ = {roots.leading:.4f}  ({roots.n_nodes} collocation nodes)")
    crossings = thresholds()
    print("   crossings at τ =", ", ".join(f"{t:.4f}" for t in crossings))
    print("== rotating states")
    points = branches()
    for tau in (0.0, 1.4, 3.0):
        here = [s for t, s in points if t == tau]
        print(f"   τ = {tau:.1f}: " + "; ".join(
            f"r_E {s.r_e:.3f} r_I {s.r_i:.3f} Ω {s.omega:.3f} {'stable' if s.stable else 'unstable'}"
            for s in here))
    counts = {}
    for tau, state in points:
        counts.setdefault(tau, [0, 0])[0 if state.stable else 1] += 1
    most = max(counts.items(), key=lambda item: item[1][0])
    print(f"   most stable rotating states at once: {most[1][0]} (τ = {most[0]:.2f})")
    print("== simulations (r_E and Ω over 60 < t < 80, dt = 0.02)")
    simulated = simulation_points()
    for tau, initial, r_e, omega in simulated:
        if r_e < 0.1:
            print(f"   τ = {tau:.1f} {initial:6s}: r_E {r_e:.4f} (incoherent; leading root of "
                  f"incoherence {growth(tau):+.4f})")
            continue
        stable = [s for t, s in points if t == tau and s.stable]
        nearest = min(stable, key=lambda s: abs(s.r_e - r_e))
        print(f"   τ = {tau:.1f} {initial:6s}: r_E {r_e:.4f} Ω {omega:+.4f}; nearest stable state "
              f"r_E {nearest.r_e:.4f} Ω {nearest.omega:+.4f}")
    draw(points, crossings, simulated)
    print("   wrote docs/delay_theory_r_tau.png")


if __name__ == "__main__":
    main()
