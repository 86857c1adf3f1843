"""Switching rates: simulation against ``eikura.theory.switching_rates``.

    python docs/switching_figures.py            # simulate (~5 min on 2 cores), then plot
    python docs/switching_figures.py --reuse    # plot from docs/switching_rates.json

Writes docs/switching_rates.json (the simulated dwell times), docs/switching_rates.png and
prints the tables of docs/science.md. Two experiments, all-to-all, 80 % excitatory,
regular Lorentzian frequencies of half-width 1, random initial phases, seed 1:

* noise-driven switching: K = (4.8, 1, 12, 2), stochastic Heun, dt = 0.05, 10⁴ time
  units, several D at N = 1000 and several N at D = 0.3;
* finite-size switching without noise: K_EE = 4.24 (K_EI = 1, K_IE = 12, K_II = 2), the
  runs of ``eikura.experiments.switching_rate`` (RK4, dt = 0.05, 4·10⁴ time units).

Each run is classified (default transient: 20 % of the run); the mean dwell time in each
state is the mean of the complete episodes, with standard error mean/sqrt(count)
(dwell times of a switching process are close to exponential).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import eikura as ek
from eikura.experiments import switching_rate
from eikura.labels import LABEL_COLORS

HERE = Path(__file__).parent
RESULTS = HERE / "switching_rates.json"
COUPLINGS = (4.8, 1.0, 12.0, 2.0)
NOISES = (0.27, 0.29, 0.30, 0.31)
SIZES_NOISY = (500, 700, 1000, 1400)
NOISE_FOR_SIZES = 0.30
SIZES_CLEAN = (60, 80, 100, 120, 150)
K_EE_CLEAN = 4.24
T_MAX = 10_000.0


def _noisy_run(item: tuple[int, float]) -> dict[str, Any]:
    n, noise = item
    n_e = int(round(0.8 * n))
    k_ee, k_ei, k_ie, k_ii = COUPLINGS
    model = ek.EIKuramoto(n_e=n_e, n_i=n - n_e, k_ee=k_ee, k_ei=k_ei, k_ie=k_ie, k_ii=k_ii,
                          frequencies=ek.Lorentzian(0.0, 1.0, regular=True), noise=noise)
    run = ek.simulate(model, t_max=T_MAX, dt=0.05, method="heun", record_every=10,
                      initial="random", seed=1, threads=1, progress=False)
    result = ek.classify(run)
    return _row(n, noise, result)


def _row(n: int, noise: float, result: Any) -> dict[str, Any]:
    return {"n": n, "noise": noise, "label": result.label, "n_switches": result.n_switches,
            "analysed_time": result.duration, "fraction_high": result.fraction_high,
            "dwell_low": [float(v) for v in result.dwell_times_low],
            "dwell_high": [float(v) for v in result.dwell_times_high]}


def simulate() -> dict[str, Any]:
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    items = [(1000, noise) for noise in NOISES]
    items += [(n, NOISE_FOR_SIZES) for n in SIZES_NOISY if n != 1000]
    with ThreadPoolExecutor(max_workers=2) as pool:  # simulations release the GIL
        noisy = list(pool.map(_noisy_run, items))
    clean = switching_rate(sizes=SIZES_CLEAN, k_ee=K_EE_CLEAN, t_max=40_000.0, seed=1,
                           threads=2)
    clean_rows = []
    for row in clean.summary["rows"]:
        clean_rows.append({key: row[key] for key in ("n", "label", "n_switches", "analysed_time",
                                                      "fraction_high", "mean_dwell_low",
                                                      "mean_dwell_high", "complete_low",
                                                      "complete_high")})
    data = {"noisy": noisy, "clean": clean_rows, "couplings": COUPLINGS, "t_max": T_MAX,
            "k_ee_clean": K_EE_CLEAN, "eikura_version": ek.__version__,
            "wall_time": time.perf_counter() - started}
    RESULTS.write_text(json.dumps(data, indent=1))
    return data


def _mean_and_error(values: list[float]) -> tuple[float, float, int]:
    if not values:
        return float("nan"), float("nan"), 0
    mean = float(np.mean(values))
    return mean, mean / np.sqrt(len(values)), len(values)


def main() -> None:
    data = json.loads(RESULTS.read_text()) if "--reuse" in sys.argv else simulate()
    started = time.perf_counter()
    theory: dict[float, Any] = {}
    fine = np.round(np.arange(0.25, 0.335, 0.01), 3)
    for noise in sorted({*fine, *NOISES}):
        theory[noise] = _theory_or_none(noise)
    clean_theory = ek.theory.switching_rates(K_EE_CLEAN, 1.0, 12.0, 2.0, n=100)
    print(f"theory: {time.perf_counter() - started:.0f} s")

    print("\n| N | D | label | switches | dwell low (sim) | dwell low (theory) | "
          "dwell high (sim) | dwell high (theory) | ΔΦ low | ΔΦ high |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in sorted(data["noisy"], key=lambda r: (r["n"], r["noise"])):
        prediction = theory.get(row["noise"])
        if prediction is None:
            prediction = _theory_or_none(row["noise"])
        low, low_err, low_count = _mean_and_error(row["dwell_low"])
        high, high_err, high_count = _mean_and_error(row["dwell_high"])
        words = ["-"] * 4
        if prediction is not None:
            scaled = prediction.at_size(row["n"])
            words = [f"{scaled.dwell_low:.3g}", f"{scaled.dwell_high:.3g}",
                     f"{scaled.barrier_low:.4f}", f"{scaled.barrier_high:.4f}"]
        print(f"| {row['n']} | {row['noise']:g} | {row['label']} | {row['n_switches']} | "
              f"{_format(low, low_err, low_count)} | {words[0]} | "
              f"{_format(high, high_err, high_count)} | {words[1]} | {words[2]} | "
              f"{words[3]} |")
    rows = [r for r in data["noisy"] if r["noise"] == NOISE_FOR_SIZES]
    for state in ("low", "high"):
        slope = _size_fit(rows, state)[0]
        barrier = getattr(theory[NOISE_FOR_SIZES], f"barrier_{state}")
        print(f"\nD = {NOISE_FOR_SIZES}, {state} state: simulated dwell times e-fold every "
              f"{1 / slope:.0f} oscillators (slope {slope:.5f}); theory barrier {barrier:.5f} "
              f"(e-fold every {1 / barrier:.0f})")
    print(f"\nD = 0, K_EE = {K_EE_CLEAN}: theory barriers ΔΦ_low = "
          f"{clean_theory.barrier_low:.4f} (e-fold every {1 / clean_theory.barrier_low:.0f} "
          f"oscillators), ΔΦ_high = {clean_theory.barrier_high:.5f}")
    print("| N | switches | dwell low (sim) | dwell low (theory) | dwell high (sim) | "
          "dwell high (theory) |")
    print("|---|---|---|---|---|---|")
    for row in data["clean"]:
        scaled = clean_theory.at_size(row["n"])
        print(f"| {row['n']} | {row['n_switches']} | {row['mean_dwell_low']:.0f} | "
              f"{scaled.dwell_low:.0f} | {row['mean_dwell_high']:.0f} | {scaled.dwell_high:.0f} |")
    _figure(data, theory, clean_theory)
    incoherent_variance()


def incoherent_variance() -> None:
    """Finite-size variance of incoherence: simulation against the derived noise source.

    Prediction: ``⟨|Z_X|²⟩ = 2 Σ_XX`` with ``M Σ + Σ Mᵀ + 2 diag((Δ+D)/(2 N_X)) = 0``.
    """
    from scipy.linalg import solve_continuous_lyapunov

    print("\n| K | D | ⟨abs(Z_E)²⟩ sim | theory | ⟨abs(Z_I)²⟩ sim | theory |")
    print("|---|---|---|---|---|---|")
    for couplings, noise in (((3.0, 1.0, 12.0, 2.0), 0.0), ((4.5, 1.0, 12.0, 2.0), 0.0),
                             ((4.8, 1.0, 12.0, 2.0), 0.5)):
        k_ee, k_ei, k_ie, k_ii = couplings
        model = ek.EIKuramoto(n_e=800, n_i=200, k_ee=k_ee, k_ei=k_ei, k_ie=k_ie, k_ii=k_ii,
                              frequencies=ek.Lorentzian(0.0, 1.0, regular=True), noise=noise)
        run = ek.simulate(model, t_max=3000.0, dt=0.05, method="heun", record_every=2,
                          seed=5, threads=1, progress=False)
        late = run.t > 200.0
        damping = 1.0 + noise
        linear = np.array([[k_ee / 2 - damping, -k_ei / 2], [k_ie / 2, -k_ii / 2 - damping]])
        covariance = solve_continuous_lyapunov(
            linear, -2 * np.diag([damping / (2 * 800), damping / (2 * 200)]))
        print(f"| ({k_ee:g}, {k_ei:g}, {k_ie:g}, {k_ii:g}) | {noise:g} | "
              f"{np.mean(np.abs(run.z_e[late]) ** 2):.4f} | {2 * covariance[0, 0]:.4f} | "
              f"{np.mean(np.abs(run.z_i[late]) ** 2):.4f} | {2 * covariance[1, 1]:.4f} |")


def _size_fit(rows: list[dict[str, Any]], state: str) -> tuple[float, float]:
    """Least-squares line through log(mean dwell) against N (weights: episode counts)."""
    sizes = np.array([r["n"] for r in rows if r[f"dwell_{state}"]], dtype=float)
    means = np.array([np.mean(r[f"dwell_{state}"]) for r in rows if r[f"dwell_{state}"]])
    counts = np.array([len(r[f"dwell_{state}"]) for r in rows if r[f"dwell_{state}"]])
    slope, intercept = np.polyfit(sizes, np.log(means), 1, w=np.sqrt(counts))
    return float(slope), float(intercept)


def _format(mean: float, error: float, count: int) -> str:
    return f"{mean:.0f} ± {error:.0f} ({count})" if count else "- (0)"


def _theory_or_none(noise: float) -> Any:
    """The prediction at N = 1000, or None beyond the fold (no synchronized state)."""
    try:
        return ek.theory.switching_rates(*COUPLINGS, n=1000, noise_e=noise, noise_i=noise)
    except ValueError:
        return None


def _figure(data: dict[str, Any], theory: dict[float, Any], clean_theory: Any) -> None:
    colors = {"low": LABEL_COLORS["desynchronized"], "high": LABEL_COLORS["synchronized"]}
    figure, axes = plt.subplots(1, 3, figsize=(13.5, 4.2), constrained_layout=True)
    axis_noise, axis_size, axis_clean = axes
    noises = np.array(sorted(k for k, v in theory.items() if v is not None))
    for state in ("low", "high"):
        curve = [getattr(theory[d], f"dwell_{state}") for d in noises]
        axis_noise.plot(noises, curve, color=colors[state], lw=1.5,
                        label=f"theory, {state} state")
        rows = [r for r in data["noisy"] if r["n"] == 1000]
        _points(axis_noise, [r["noise"] for r in rows], [r[f"dwell_{state}"] for r in rows],
                colors[state], f"simulation, {state} state")
        rows = [r for r in data["noisy"] if r["noise"] == NOISE_FOR_SIZES]
        sizes = np.array(sorted(r["n"] for r in rows))
        prediction = theory.get(NOISE_FOR_SIZES)
        grid = np.linspace(sizes.min(), sizes.max(), 40)
        if prediction is not None:
            axis_size.plot(grid, [getattr(prediction.at_size(int(n)), f"dwell_{state}")
                                  for n in grid], color=colors[state], lw=1.5,
                           label=f"theory, {state} state")
        _points(axis_size, [r["n"] for r in rows], [r[f"dwell_{state}"] for r in rows],
                colors[state], f"simulation, {state} state")
        fit = _size_fit(rows, state)
        words = (f"fit: e-fold every {1 / fit[0]:.0f} oscillators" if fit[0] > 0
                 else "fit: no growth with N")
        axis_size.plot(grid, np.exp(fit[1] + fit[0] * grid), ls="--", color=colors[state],
                       lw=1.0, label=words)
        clean_sizes = np.array([r["n"] for r in data["clean"]], dtype=float)
        means = np.array([r[f"mean_dwell_{state}"] for r in data["clean"]])
        counts = np.array([r[f"complete_{state}"] for r in data["clean"]])
        axis_clean.errorbar(clean_sizes, means, yerr=means / np.sqrt(np.maximum(counts, 1)),
                            marker="o", ls="none", capsize=3, color=colors[state],
                            label=f"simulation, {state} state")
        ok = np.isfinite(means) & (counts > 0)
        slope, intercept = np.polyfit(clean_sizes[ok], np.log(means[ok]), 1)
        grid = np.linspace(clean_sizes.min(), clean_sizes.max(), 40)
        axis_clean.plot(grid, np.exp(intercept + slope * grid), ls="--", color=colors[state],
                        lw=1.0, label=f"fit: e-fold every {1 / slope:.0f} oscillators")
        axis_clean.plot(grid, [getattr(clean_theory.at_size(int(n)), f"dwell_{state}")
                               for n in grid], color=colors[state], lw=1.5,
                        label=f"theory, {state} state")
    axis_noise.set_xlabel("noise intensity D")
    axis_noise.set_title("N = 1000, K = (4.8, 1, 12, 2)", fontsize=10)
    axis_size.set_xlabel("network size N")
    axis_size.set_title(f"D = {NOISE_FOR_SIZES:g}, K = (4.8, 1, 12, 2)", fontsize=10)
    axis_clean.set_xlabel("network size N")
    axis_clean.set_title(f"D = 0, K = ({K_EE_CLEAN:g}, 1, 12, 2)", fontsize=10)
    for axis in axes:
        axis.set_yscale("log")
        axis.set_ylabel("mean dwell time (time units)")
        axis.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2,
                    frameon=False)
    figure.savefig(HERE / "switching_rates.png", dpi=110)


def _points(axis: Any, x: list[float], dwell: list[list[float]], color: str, label: str) -> None:
    stats = [_mean_and_error(values) for values in dwell]
    keep = [k for k, (_, _, count) in enumerate(stats) if count > 0]
    axis.errorbar([x[k] for k in keep], [stats[k][0] for k in keep],
                  yerr=[stats[k][1] for k in keep], marker="o", ls="none", capsize=3,
                  color=color, label=label)


if __name__ == "__main__":
    main()
