"""What float32 *phases* would cost, measured with the NumPy reference (no eikura code).

eikura's ``precision="float32"`` rounds only the gathered sin/cos tables. This script
shows why the phases stay float64: it integrates the all-to-all model (reference mean
field, N = 10^4, k_ee=4.6, k_ei=1, k_ie=12, k_ii=2, regular Lorentzian frequencies, RK4,
dt = 0.01, t = 30) twice from the same random phases, once in float64 and once with the
phases rounded to float32 after every step, and prints how far apart the runs end up.

    python bench/float32_state.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import reference

N, N_E = 10_000, 8_000
COUPLINGS = (4.6, 1.0, 12.0, 2.0)
OMEGA = np.tan(np.pi * (np.arange(1, N + 1) / (N + 1) - 0.5))  # regular Lorentzian quantiles
THETA0 = np.random.default_rng(1).uniform(0.0, 2.0 * np.pi, N)


def run(round_to_float32: bool, steps: int = 3000, dt: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    def f(theta: np.ndarray) -> np.ndarray:
        return reference.rhs_mean_field(theta, 0.0, OMEGA, N_E, COUPLINGS)

    theta, r = THETA0.copy(), []
    for step in range(steps):
        k1 = f(theta)
        k2 = f(theta + dt / 2 * k1)
        k3 = f(theta + dt / 2 * k2)
        k4 = f(theta + dt * k3)
        theta = np.mod(theta + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4), 2 * np.pi)
        if round_to_float32:
            theta = theta.astype(np.float32).astype(np.float64)
        if step % 10 == 0:
            r.append(abs(np.exp(1j * theta).mean()))
    return theta, np.array(r)


def main() -> None:
    double, r_double = run(False)
    single, r_single = run(True)
    gap = np.abs(np.angle(np.exp(1j * (single - double))))
    print(f"t = 30: max |r32 - r64| = {np.abs(r_single - r_double).max():.2e} "
          f"(final r = {r_double[-1]:.4f}); final phases differ by at most {gap.max():.2e} rad "
          f"(median {np.median(gap):.2e})")


if __name__ == "__main__":
    main()
