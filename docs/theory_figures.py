"""Figures and numbers of docs/theory.md: run ``python docs/theory_figures.py``.

Writes docs/theory_bifurcation_kee.png and docs/theory_plane_kee_kii.png and prints
every number quoted in docs/theory.md.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

import eikura as ek

HERE = Path(__file__).parent
COLOURS = {"desynchronized": "#aec7e8", "synchronized": "#ff9896", "bistable": "#c5b0d5",
           "other": "#ffbb78"}


def census_numbers() -> None:
    print("== census at (4.6, 1, 12, 0.3)")
    start = time.perf_counter()
    census = ek.theory.attractors(4.6, 1.0, 12.0, 0.3)
    print(f"   {time.perf_counter() - start:.2f} s")
    print(census.summary())
    print("== the cycle along K_II = 0.3 (K_EI = 1, K_IE = 12)")
    for k_ee in (4.4, 4.5, 4.6, 4.8, 5.0, 5.02, 5.03, 5.0315, 5.032, 5.05):
        c = ek.theory.attractors(k_ee, 1.0, 12.0, 0.3)
        cycle = c.cycles[0] if c.cycles else None
        words = (f"period {cycle.period:.3f}, r_E max {cycle.r_e_max:.4f}, "
                 f"|multipliers| {abs(cycle.multipliers[0]):.3g}, {abs(cycle.multipliers[1]):.3g}"
                 if cycle else "no cycle")
        print(f"   K_EE = {k_ee:<7g} {c.label:<13} {words}")
    print("== along K_EE = 4.6: the cycle grows out of incoherence at tr M = 0 (K_II = 0.6)")
    for k_ii in (0.0, 0.3, 0.5, 0.58, 0.62):
        c = ek.theory.attractors(4.6, 1.0, 12.0, k_ii)
        cycle = c.cycles[0] if c.cycles else None
        print(f"   K_II = {k_ii:<5g} {c.label:<13} "
              + (f"period {cycle.period:.3f}, r_E max {cycle.r_e_max:.4f}" if cycle else "no cycle"))


def sliver_numbers() -> None:
    print("== a cycle next to stable incoherence, just inside tr M < 0 (K_EI = 2, K_IE = 30)")
    for k_ee in (9.3, 9.343, 9.35, 9.4):
        census = ek.theory.attractors(k_ee, 2.0, 30.0, 5.346, n_random=64, refine=False)
        steady = ek.theory.phase_diagram("k_ee", [k_ee], "k_ii", [5.346], k_ei=2.0, k_ie=30.0)
        growth = ek.theory.incoherence_eigenvalues(k_ee, 2.0, 30.0, 5.346)[0].real
        print(f"   K_EE = {k_ee:<6g} incoherence growth {growth:+.5f}: census {census.label} "
              f"({', '.join(f'{a.kind} {100 * a.share:.0f}%' for a in census.attractors)}); "
              f"phase_diagram {ek.theory.label_names(steady).values.item()}")


def plane_numbers(k_ei: float, k_ie: float, x: tuple[float, float], y: tuple[float, float]) -> None:
    xs, ys = np.linspace(*x, 200), np.linspace(*y, 200)
    steady = ek.theory.phase_diagram("k_ee", xs, "k_ii", ys, k_ei=k_ei, k_ie=k_ie, cycles=False)
    start = time.perf_counter()
    full = ek.theory.phase_diagram("k_ee", xs, "k_ii", ys, k_ei=k_ei, k_ie=k_ie)
    wall = time.perf_counter() - start
    changed = full.values != steady.values
    moves = {}
    for a, b in zip(steady.values[changed], full.values[changed], strict=True):
        key = f"{ek.theory.LABELS[a]} -> {ek.theory.LABELS[b]}"
        moves[key] = moves.get(key, 0) + 1
    print(f"== 200x200 plane K_EI = {k_ei:g}, K_IE = {k_ie:g}, K_EE {x}, K_II {y}")
    print(f"   {wall:.1f} s in all ({steady.attrs['seconds']:.1f} s steady states only; cycle "
          f"search {full.attrs['cycle_seconds']:.1f} s on {full.attrs['cycle_candidates']} "
          f"candidate points)")
    print(f"   relabelled by cycles: {changed.sum()} points = {100 * changed.mean():.1f} % "
          f"of the plane: {moves}; undecided points: {full.attrs['undecided_points']}")
    rows = np.flatnonzero(changed.any(axis=1))
    print(f"   relabelled region reaches K_II = {ys[rows.max()]:.2f}")


def noisy_numbers() -> None:
    print("== noisy reduced integration (6, 2, 6, 2), D = 0.3, dt = 0.05, z0 = (0.3, 0.3)")
    state = ek.theory.steady_states(6, 2, 6, 2, noise_e=0.3, noise_i=0.3)[1]
    print(f"   steady state r_E = {state.r_e:.6f}")
    for centre in (0.0, 20.0, 50.0):
        run = ek.theory.integrate_reduced(6, 2, 6, 2, center_e=centre, center_i=centre,
                                          t_max=60, dt=0.05, z0=(0.3, 0.3), noise_e=0.3,
                                          noise_i=0.3)
        print(f"   centre {centre:g}: r_E(60) = {run.r_e[-1]:.6f}")


def bifurcation_figure() -> None:
    start = time.perf_counter()
    diagram = ek.theory.bifurcation_diagram("k_ee", np.linspace(3.5, 6.5, 151), k_ei=1.0,
                                            k_ie=12.0, k_ii=0.3)
    print(f"== bifurcation diagram along K_EE (151 values): {time.perf_counter() - start:.1f} s")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ek.theory.plot_bifurcation_diagram(diagram, "e", ax=axes[0])
    ek.theory.plot_bifurcation_diagram(diagram, "i", ax=axes[1])
    axes[1].get_legend().remove()
    fig.tight_layout()
    fig.savefig(HERE / "theory_bifurcation_kee.png", dpi=110)
    plt.close(fig)


def plane_figure() -> None:
    xs, ys = np.linspace(3, 7, 201), np.linspace(0, 4, 201)
    labels = ek.theory.phase_diagram("k_ee", xs, "k_ii", ys, k_ei=1.0, k_ie=12.0)
    start = time.perf_counter()
    curves = ek.theory.bifurcation_curves("k_ee", xs, "k_ii", ys, k_ei=1.0, k_ie=12.0, n_grid=81)
    print(f"== bifurcation curves, 81x81 grid with homoclinic: {time.perf_counter() - start:.1f} s")
    for name in ("homoclinic", "pitchfork"):
        for piece in getattr(curves, name):
            ys_piece = piece[:, 1]
            if ys_piece.min() <= 0.3 <= ys_piece.max():
                order = np.argsort(ys_piece)
                x_at = np.interp(0.3, ys_piece[order], piece[order, 0])
                print(f"   {name} curve at K_II = 0.3: K_EE = {x_at:.4f}")
    fig, ax = plt.subplots(figsize=(6.4, 5.2))
    names = list(ek.theory.LABELS)
    ax.pcolormesh(xs, ys, labels.values, cmap=ListedColormap([COLOURS[n] for n in names]),
                  vmin=-0.5, vmax=3.5, shading="nearest")
    styles = {"incoherence_real": ("k", "-", "incoherence: det M = 0"),
              "incoherence_hopf": ("k", "--", "incoherence: tr M = 0 (Hopf)"),
              "pitchfork": ("m", "-", "pitchfork (lagged states born)"),
              "homoclinic": ("#d62728", "-.", "homoclinic (cycle ends)"),
              "hopf_in_phase": ("r", ":", "Hopf of in-phase states"),
              "hopf_lagged": ("g", ":", "Hopf of lagged states"),
              "lagged_folds": ("g", "--", "lagged folds")}
    seen = set()
    for name, curve in curves.curves().items():
        colour, style, text = styles.get(name, ("b", "-", "fold of the in-phase branch"))
        ax.plot(curve[:, 0], curve[:, 1], color=colour, ls=style, lw=1.4,
                label=None if text in seen else text)
        seen.add(text)
    ax.set_xlim(3, 7)
    ax.set_ylim(0, 4)
    ax.set_xlabel("$K_{EE}$")
    ax.set_ylabel("$K_{II}$")
    ax.set_title("$K_{EI} = 1$, $K_{IE} = 12$: labels from every attractor", fontsize=10)
    handles = ax.get_legend_handles_labels()[0]
    handles += [Patch(color=COLOURS[n], label=n) for n in names]
    ax.legend(handles=handles, fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(HERE / "theory_plane_kee_kii.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    print(f"load average at start: {os.getloadavg()}, cores: {os.cpu_count()}")
    census_numbers()
    sliver_numbers()
    plane_numbers(1.0, 12.0, (3.0, 7.0), (0.0, 4.0))
    plane_numbers(2.0, 30.0, (4.0, 12.0), (0.0, 8.0))
    noisy_numbers()
    bifurcation_figure()
    plane_figure()
    print(f"load average at end: {os.getloadavg()}")
