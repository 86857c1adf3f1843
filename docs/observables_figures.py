"""Figure and numbers of docs/observables.md: run ``python docs/observables_figures.py``.

Writes docs/observables_local_order.png: one excitatory population (N = 5000, Lorentzian
frequencies of width Δ = 1, regular quantiles) on a fixed in-degree network, k = 10 and
k = 100 inputs per oscillator, while K_EE ramps slowly from 0 to 6. Drawn against K_EE:
the global order parameter r, the recorded mean local order parameter R_loc, and the
estimate of R_loc from r (below). Prints the numbers quoted in docs/observables.md.

Estimate: oscillator i's k inputs are k draws from the population, each e^{iθ_j} with
mean Z and E|e^{iθ_j} − Z|² = 1 − r². Their mean is then close to a complex Gaussian with
mean Z and variance (1 − r²)/k, whose modulus has the Rice distribution: mean
σ √(π/2) L_{1/2}(−r² / 2σ²), σ² = (1 − r²) / 2k. At r = 0 that is √(π / 4k).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import i0e, i1e

import eikura as ek

HERE = Path(__file__).parent
N, WIDTH, K_MAX, T_MAX = 5000, 1.0, 6.0, 200.0
DEGREES = (10, 100)
COLORS = {10: "#D55E00", 100: "#0072B2"}  # Okabe–Ito vermillion and blue


def rice_mean(r: np.ndarray, k: int) -> np.ndarray:
    """Mean modulus of the mean of k independent phasors with mean modulus r."""
    sigma2 = (1.0 - r**2) / (2.0 * k)
    x = -(r**2) / (2.0 * sigma2)
    # L_{1/2}(x) = e^{x/2} [(1 − x) I0(−x/2) − x I1(−x/2)]; with x < 0, e^{x/2} I(−x/2) = Ie(−x/2)
    laguerre = (1.0 - x) * i0e(-x / 2.0) - x * i1e(-x / 2.0)
    return np.sqrt(sigma2) * np.sqrt(np.pi / 2.0) * laguerre


def ramp_run(k: int) -> ek.Run:
    model = ek.EIKuramoto(n_e=N, n_i=0, k_ee=ek.PiecewiseLinear([0.0, T_MAX], [0.0, K_MAX]),
                          frequencies=ek.Lorentzian(0.0, WIDTH, regular=True),
                          network=ek.FixedInDegree(k_e=k, k_i=0))
    return ek.simulate(model, t_max=T_MAX, dt=0.1, record_every=5, seed=1, threads=2,
                       progress=False, observables=("local_order",))


def main() -> None:
    fig, ax = plt.subplots(figsize=(7.5, 3.8), layout="constrained")
    for k in DEGREES:
        run = ramp_run(k)
        coupling = K_MAX * run.t / T_MAX
        estimate = rice_mean(run.r_e, k)
        ax.plot(coupling, run.r_e, color=COLORS[k], linewidth=1.0, label=f"$r$, k = {k}")
        ax.plot(coupling, run.local_order_e, color=COLORS[k], linewidth=1.0, linestyle="--",
                label=rf"$R_{{loc}}$, k = {k}")
        ax.plot(coupling, estimate, color="black", linewidth=0.7, linestyle=":",
                label="estimate from $r$" if k == DEGREES[0] else None)
        low = coupling < 1.0
        print(f"k = {k}: K_EE < 1: mean r {run.r_e[low].mean():.4f}, mean R_loc "
              f"{run.local_order_e[low].mean():.4f} (sqrt(pi/4k) = {np.sqrt(np.pi / (4 * k)):.4f}); "
              f"largest |R_loc - estimate| {np.abs(run.local_order_e - estimate).max():.4f}; "
              f"at K_EE = {K_MAX:g}: r {run.r_e[-1]:.4f}, R_loc {run.local_order_e[-1]:.4f}")
    theory = np.linspace(2.0 * WIDTH, K_MAX, 200)
    ax.plot(theory, np.sqrt(1.0 - 2.0 * WIDTH / theory), color="grey", linewidth=2.0, alpha=0.5,
            label=r"$r = \sqrt{1 - 2\Delta/K_{EE}}$ ($N \to \infty$)")
    ax.set(xlabel=r"coupling $K_{EE}$ (ramped slowly, 0 to 6)", ylabel="order parameter",
           ylim=(0.0, 1.02), xlim=(0.0, K_MAX))
    # outside the axes, on the right: never covers a curve
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    fig.savefig(HERE / "observables_local_order.png", dpi=110)


if __name__ == "__main__":
    main()
