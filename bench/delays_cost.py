"""Cost of transmission delays against the plain right-hand side, as quoted in docs/delays.md.

Run ``python bench/delays_cost.py``: integrates each network with RK4 on one thread with and
without delays, in one process, and prints the median ratio of the integration wall times
(``Run.wall_time``: the steps only, not the set-up) over interleaved rounds, with its
quartiles. Two kinds of delays: the same τ for every block (and a τ between steps, read by
interpolation), and target-dependent delays (τ_EE ≠ τ_IE), which a network gathers in two
passes.
"""

from __future__ import annotations

import numpy as np

import eikura as ek

ROUNDS = 7
DT = 0.01
DELAYS = {
    "τ = 5 dt": 0.05,
    "τ = 5.5 dt": 0.055,
    "τ_XE ≠ τ_IE": {"ee": 0.05, "ei": 0.1, "ie": 0.03, "ii": 0.07},
}
CASES = {  # name: (network, n_e, n_i, steps)
    "all-to-all N=1e5": (ek.AllToAll(), 80_000, 20_000, 40),
    "fixed in-degree 100, N=2e4 (plain CSR)": (ek.FixedInDegree(k_e=80, k_i=20), 16_000, 4_000, 20),
    "fixed in-degree 20, N=2e5 (tiled)": (ek.FixedInDegree(k_e=16, k_i=4), 160_000, 40_000, 10),
    "procedural in-degree 100, N=2e4": (ek.Procedural(k_e=80, k_i=20), 16_000, 4_000, 10),
}


def wall_time(model: ek.EIKuramoto, steps: int) -> float:
    """Seconds the integration of ``steps`` RK4 steps took (set-up excluded)."""
    run = ek.simulate(model, t_max=steps * DT, dt=DT, method="rk4", record_every=steps,
                      seed=1, threads=1, progress=False)
    return run.wall_time


def main() -> None:
    for name, (network, n_e, n_i, steps) in CASES.items():
        plain = ek.EIKuramoto(n_e=n_e, n_i=n_i, k_ee=5.0, k_ei=1.0, k_ie=12.0, k_ii=2.0,
                              network=network)
        line = f"{name}: plain {wall_time(plain, steps) / steps * 1e3:.2f} ms/step"
        for label, delay in DELAYS.items():
            delayed = plain.with_changes(delay=delay)
            ratios = [wall_time(delayed, steps) / wall_time(plain, steps) for _ in range(ROUNDS)]
            quartiles = np.percentile(ratios, [25, 75])
            line += f"; {label}: {np.median(ratios):.2f} ({quartiles[0]:.2f}-{quartiles[1]:.2f})"
        print(line, flush=True)


if __name__ == "__main__":
    main()
