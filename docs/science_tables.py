"""Regenerate the simulation-against-theory tables of docs/science.md (Markdown on stdout).

    python docs/science_tables.py

All-to-all networks, 80 % excitatory, regular Lorentzian frequencies of half-width 1,
K_EI = 1, K_IE = 12: the same points as tests/test_science.py (which checks them within
0.02 in r at every run of the test suite), here at the sizes and durations the page
quotes. A few minutes on two cores.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import eikura as ek
from eikura import theory

WIDTH = 1.0
BASE = {"k_ei": 1.0, "k_ie": 12.0}
STEADY_POINTS = [  # (region the theory gives, K_EE, K_II)
    ("desynchronized", 2.5, 2.0), ("desynchronized", 3.5, 2.0), ("desynchronized", 3.0, 3.0),
    ("bistable", 4.4, 2.0), ("bistable", 4.7, 2.0), ("bistable", 4.8, 1.5),
    ("synchronized", 5.5, 2.0), ("synchronized", 7.0, 2.0), ("synchronized", 6.0, 1.0),
]
FREE_ROTATION = 10.0  # the "near incoherence" start: synchronized phases rotated freely


def model_at(k_ee: float, k_ii: float, n: int, noise: float = 0.0, **couplings: float
             ) -> ek.EIKuramoto:
    n_e = int(round(0.8 * n))
    return ek.EIKuramoto(n_e=n_e, n_i=n - n_e, k_ee=k_ee, k_ii=k_ii, noise=noise,
                         frequencies=ek.Lorentzian(0.0, WIDTH, regular=True),
                         **{**BASE, **couplings})


def late_mean(run: ek.Run, values: Any, after: float) -> float:
    return float(np.asarray(values)[run.t >= after].mean())


def steady_states() -> None:
    print("### Steady states: N = 2·10⁴, t = 60, dt = 0.1, RK4, means over t ≥ 30\n")
    print("| region | K_EE | K_II | start | r_E sim | r_E theory | r_I sim | r_I theory | "
          "max diff | reduced r_E | reduced r_I |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    largest = 0.0
    for region, k_ee, k_ii in STEADY_POINTS:
        model = model_at(k_ee, k_ii, 20_000)
        analysis = theory.analyse(k_ee, BASE["k_ei"], BASE["k_ie"], k_ii, WIDTH, WIDTH)
        branch = analysis.synchronized_branch
        for start in ("incoherent", "sync"):
            if start == "sync":
                initial: Any = "sync"
            else:
                omega = model.natural_frequencies(np.random.default_rng(0))
                initial = np.mod(FREE_ROTATION * omega, 2 * np.pi)
            run = ek.simulate(model, t_max=60.0, dt=0.1, method="rk4", record_every=5,
                              initial=initial, seed=1, progress=False)
            on_branch = branch is not None and (
                start == "sync" or not analysis.incoherence_stable)
            expected = (branch.r_e, branch.r_i) if on_branch and branch else (0.0, 0.0)
            simulated = (late_mean(run, run.r_e, 30.0), late_mean(run, run.r_i, 30.0))
            reduced = theory.integrate_reduced(
                k_ee, BASE["k_ei"], BASE["k_ie"], k_ii, WIDTH, WIDTH, t_max=60.0, dt=0.02,
                record_every=25, z0=(complex(run.z_e[0]), complex(run.z_i[0])))
            diff = max(abs(s - e) for s, e in zip(simulated, expected, strict=True))
            largest = max(largest, diff)
            theory_e = f"{expected[0]:.4f}" if expected[0] else "0"
            theory_i = f"{expected[1]:.4f}" if expected[1] else "0"
            print(f"| {region} | {k_ee} | {k_ii} | {start} | {simulated[0]:.4f} | {theory_e} | "
                  f"{simulated[1]:.4f} | {theory_i} | {diff:.4f} | "
                  f"{late_mean(reduced, reduced.r_e, 30.0):.4f} | "
                  f"{late_mean(reduced, reduced.r_i, 30.0):.4f} |")
    print(f"\nlargest difference: {largest:.4f}\n")


def noise() -> None:
    print("### Noise: N = 10⁴, stochastic Heun, dt = 0.05, t = 80 from synchronized phases, "
          "means over t ≥ 30\n")
    print("| K_EE | K_II | D | | r_E | r_I | r |")
    print("|---|---|---|---|---|---|---|")
    for k_ee, k_ii, noise_level in ((8.0, 2.0, 1.0), (6.0, 2.0, 0.5)):
        run = ek.simulate(model_at(k_ee, k_ii, 10_000, noise=noise_level), t_max=80.0,
                          dt=0.05, method="heun", record_every=10, initial="sync", seed=3,
                          progress=False)
        rows = [("simulation", late_mean(run, run.r_e, 30.0), late_mean(run, run.r_i, 30.0),
                 late_mean(run, run.r, 30.0))]
        for name, treatment in (("Fokker-Planck theory", "fokker-planck"),
                                ("quick (Δ → Δ + D)", "quick")):
            branch = theory.analyse(k_ee, BASE["k_ei"], BASE["k_ie"], k_ii, WIDTH, WIDTH,
                                    noise_e=noise_level, noise_i=noise_level,
                                    noise_treatment=treatment).synchronized_branch
            assert branch is not None
            r_total = abs(0.8 * branch.z_e + 0.2 * branch.z_i)  # in phase: ψ_E = ψ_I = 0
            rows.append((name, branch.r_e, branch.r_i, r_total))
        for k, (name, r_e, r_i, r_total) in enumerate(rows):
            head = f"| {k_ee:g} | {k_ii:g} | {noise_level} |" if k == 0 else "| | | |"
            print(f"{head} {name} | {r_e:.4f} | {r_i:.4f} | {r_total:.4f} |")
    print()


def two_starts() -> None:
    print("### Two starts: N = 2·10⁴, t = 100, K_II = 2, transient 30\n")
    points = (3.0, 4.6, 6.0)
    result = ek.sweep(model_at(3.0, 2.0, 20_000), over=[{"k_ee": k} for k in points],
                      t_max=100.0, dt=0.1, seed=1, two_start=True, transient=30.0,
                      scheduler="serial", method="rk4", progress=False)
    print("| K_EE | label | theory | r random start | r sync start | r_E sync start | "
          "r_I sync start | theory r_E | theory r_I |")
    print("|---|---|---|---|---|---|---|---|---|")
    for index, k_ee in enumerate(points):
        point = result.isel(point=index, replicate=0)
        branch = theory.analyse(k_ee, BASE["k_ei"], BASE["k_ie"], 2.0, WIDTH,
                                WIDTH).synchronized_branch
        r_e, r_i = (f"{branch.r_e:.4f}", f"{branch.r_i:.4f}") if branch else ("-", "-")
        print(f"| {k_ee} | {point['label'].values} | {point['theory_label'].values} | "
              f"{float(point['r_mean']):.4f} | {float(point['r_mean_sync']):.4f} | "
              f"{float(point['r_e_mean_sync']):.4f} | {float(point['r_i_mean_sync']):.4f} | "
              f"{r_e} | {r_i} |")
    print()


def incoherent_level() -> None:
    print("### The incoherent level from random phases: K_II = 2, RK4, dt = 0.1, "
          "means over t = 30-100\n")
    print("| N | K_EE | r | r_E | r_I | sqrt(π/4N_I) |")
    print("|---|---|---|---|---|---|")
    for n, k_ee in ((2_000, 3.0), (2_000, 4.6), (20_000, 3.0), (20_000, 4.6), (40_000, 4.6)):
        run = ek.simulate(model_at(k_ee, 2.0, n), t_max=100.0, dt=0.1, method="rk4",
                          record_every=5, initial="random", seed=1, progress=False)
        print(f"| {n:.0e} | {k_ee} | {late_mean(run, run.r, 30.0):.3f} | "
              f"{late_mean(run, run.r_e, 30.0):.3f} | {late_mean(run, run.r_i, 30.0):.3f} | "
              f"{np.sqrt(np.pi / (4 * run.n_i)):.3f} |")
    print()


def oscillating_example() -> None:
    k_ee, k_ei, k_ie, k_ii = 7.0, 4.0, 12.0, 1.0
    model = model_at(k_ee, k_ii, 1000, k_ei=k_ei)
    run = ek.simulate(model, t_max=150.0, dt=0.05, record_every=2, seed=0, progress=False)
    late = run.t >= 50.0
    reduced = theory.integrate_reduced(k_ee, k_ei, k_ie, k_ii, WIDTH, WIDTH, t_max=150.0,
                                       dt=0.01, record_every=10, z0=(0.01, 0.01))
    late_reduced = reduced.t >= 50.0
    label = ek.classify(run).label
    print(f"### No stable steady state: K = ({k_ee:g}, {k_ei:g}, {k_ie:g}, {k_ii:g}), "
          "N = 1000, t = 150\n")
    print(f"theory label: {theory.classify(k_ee, k_ei, k_ie, k_ii)}; simulated r_E over "
          f"t ≥ 50: {run.r_e[late].min():.2f}-{run.r_e[late].max():.2f}; mean-field "
          f"equations: {reduced.r_e[late_reduced].min():.2f}-"
          f"{reduced.r_e[late_reduced].max():.2f}; classifier: {label}\n")


def modulation_periods() -> None:
    from eikura.experiments import modulation

    print("### Modulation: N = 2·10⁴, K_EE = 4.6, K_EI and K_II scaled by s from 0.4 to 1.6 "
          "and back\n")
    print("| period | s at loss: simulation | mean field | with floor | s at return: "
          "simulation | mean field | with floor | time allowed by the theory | smallest "
          "mean-field r_E |")
    print("|---|---|---|---|---|---|---|---|---|")
    for period in (300.0, 1000.0, 2000.0):
        result = modulation(n=20_000, period=period)
        summary = result.summary
        crossings = summary["crossings"]
        paths = ("simulation", "reduced", "reduced_floor")
        loss = " | ".join(f"{crossings[k]['s_loss']:.3f}" for k in paths)
        back = " | ".join(f"{crossings[k]['s_return']:.3f}" for k in paths)
        smallest = float(np.nanmin(result.dataset["reduced_r_e"].values))
        print(f"| {period:g} | {loss} | {back} | {summary['consistent_fraction']:.0%} | "
              f"{smallest:.0e} |")
    print()


def main() -> None:
    steady_states()
    noise()
    two_starts()
    incoherent_level()
    oscillating_example()
    modulation_periods()


if __name__ == "__main__":
    main()
