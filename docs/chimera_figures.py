"""Figure and numbers of docs/chimeras.md: run ``python docs/chimera_figures.py``.

Writes docs/chimeras.png: (a) a stationary chimera (A = 0.2) and (b) a breathing chimera
(A = 0.3), both at β = 0.1: r_E, r_I against time, simulation (N = 2·10⁴ per population)
and reduced equations from the same start; (c) the saddle-node, Hopf and homoclinic curves
in the (A, β) plane. Prints every number quoted in docs/chimeras.md.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import eikura as ek

HERE = Path(__file__).parent
BETA, N = 0.1, 20_000


def wrapped_cauchy(z: complex, n: int) -> np.ndarray:
    """n phases with order parameter z (the Ott–Antonsen density), regular quantiles."""
    r, psi = abs(z), np.angle(z)
    u = (np.arange(n) + 0.5) / n
    return np.mod(psi + 2 * np.arctan((1 - r) / (1 + r) * np.tan(np.pi * (u - 0.5))), 2 * np.pi)


def chimera_runs(a: float) -> tuple[ek.Run, ek.theory.ReducedRun]:
    """Simulation and reduced equations from a point on the chimera's attractor."""
    p = ek.theory.chimera_parameters(a, BETA)
    states = ek.theory.steady_states(**p)
    chimera = min((s for s in states if s.r_e > 0.99 and s.r_i < 0.99), key=lambda s: s.r_i)
    print(f"A = {a}: chimera state r_E = {chimera.r_e:.4f}, r_I = {chimera.r_i:.4f}, "
          f"Omega = {chimera.omega:+.4f}, stable = {chimera.stable}, leading eigenvalue "
          f"{chimera.eigenvalues[0]:.4f}")
    settle = ek.theory.integrate_reduced(**p, t_max=3000.0, dt=0.05, record_every=100,
                                         z0=(chimera.z_e, 0.95 * chimera.z_i))
    z_e, z_i = complex(settle.z_e[-1]), complex(settle.z_i[-1])
    couplings = {k: p[k] for k in ("k_ee", "k_ei", "k_ie", "k_ii")}
    model = ek.EIKuramoto(n_e=N, n_i=N, **couplings, phase_lag=p["phase_lag"],
                          frequencies=ek.Lorentzian(0.0, p["width_e"], regular=True))
    theta = np.concatenate([np.full(N, np.angle(z_e)), wrapped_cauchy(z_i, N)])
    run = ek.simulate(model, t_max=300.0, dt=0.05, method="rk4", record_every=10,
                      initial=theta, seed=1, progress=False)
    theory = ek.theory.integrate_reduced(**p, t_max=300.0, dt=0.05, z0=(z_e, z_i),
                                         record_every=10)
    print(f"  simulation r_I {run.r_i.min():.4f}..{run.r_i.max():.4f}, reduced "
          f"{theory.r_i.min():.4f}..{theory.r_i.max():.4f}; largest |difference| r_E "
          f"{np.max(np.abs(run.r_e - theory.r_e)):.4f}, r_I {np.max(np.abs(run.r_i - theory.r_i)):.4f}")
    return run, theory


def published_points() -> None:
    """The chimera state at A = 0.28 (breathing), and at A = 0.2 with a far smaller width."""
    for a, width in ((0.28, 1e-4), (0.2, 1e-8)):
        states = ek.theory.steady_states(**ek.theory.chimera_parameters(a, BETA, width))
        chimera = min((s for s in states if s.r_e > 0.99 and s.r_i < 0.99), key=lambda s: s.r_i)
        print(f"A = {a}, width {width:g}: chimera r_E = {chimera.r_e:.4f}, r_I = "
              f"{chimera.r_i:.4f}, stable = {chimera.stable}, leading eigenvalue "
              f"{chimera.eigenvalues[0]:.4f}")


def main() -> None:
    published_points()
    runs = {a: chimera_runs(a) for a in (0.2, 0.3)}
    betas = np.linspace(0.02, 0.24, 12)
    curves = ek.theory.chimera_boundaries(betas, homoclinic_step=0.0025)
    for row in zip(betas, curves.saddle_node, curves.hopf, curves.homoclinic, strict=True):
        print("beta {:.3f}: saddle-node A = {:.4f}, Hopf A = {:.4f}, homoclinic A = {:.4f}".format(*row))
    print("state at (A, beta) = (0.2, 0.1):", curves.state_at(0.2, 0.1),
          "; (0.28, 0.1):", curves.state_at(0.28, 0.1))
    colors = {"e": ek.labels.LABEL_COLORS["synchronized"], "i": ek.labels.LABEL_COLORS["other"]}
    fig, axes = plt.subplots(1, 3, figsize=(13.0, 3.8), constrained_layout=True)
    for ax, (a, (run, theory)), title in zip(axes[:2], runs.items(),
                                             ("(a) stationary chimera", "(b) breathing chimera"),
                                             strict=True):
        ax.plot(run.t, run.r_e, color=colors["e"], lw=2.5, alpha=0.5, label=r"$r_E$ simulation")
        ax.plot(theory.t, theory.r_e, "--", color=colors["e"], lw=1, label=r"$r_E$ theory")
        ax.plot(run.t, run.r_i, color=colors["i"], lw=2.5, alpha=0.5, label=r"$r_I$ simulation")
        ax.plot(theory.t, theory.r_i, "--", color="k", lw=1, label=r"$r_I$ theory")
        ax.set(xlabel="time t", ylabel="order parameter r", ylim=(0.0, 1.25),
               title=f"{title}, A = {a}, β = {BETA}")
        ax.legend(fontsize=8, ncol=2, loc="upper center")
    ax = axes[2]
    ax.plot(curves.saddle_node, betas, "-", color="k", label="saddle-node")
    ax.plot(curves.hopf, betas, "--", color="k", label="Hopf")
    ax.plot(curves.homoclinic, betas, ":", color="k", lw=2, label="homoclinic")
    ax.fill_betweenx(betas, curves.saddle_node, curves.hopf,
                     color=ek.labels.LABEL_COLORS["synchronized"], alpha=0.3,
                     label="stationary chimera")
    ax.fill_betweenx(betas, curves.hopf, curves.homoclinic,
                     color=ek.labels.LABEL_COLORS["other"], alpha=0.3, label="breathing chimera")
    ax.plot([0.2, 0.3], [BETA, BETA], "o", color="k", ms=4)
    ax.set(xlabel=r"$A = \mu - \nu$", ylabel=r"$\beta = \pi/2 - \alpha$", xlim=(0.0, 0.6),
           title=r"(c) chimera regions, $\Delta = 10^{-4}$")
    ax.legend(fontsize=8, loc="upper right")
    fig.savefig(HERE / "chimeras.png", dpi=110)


if __name__ == "__main__":
    main()
