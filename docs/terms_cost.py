"""Cost of the phase lag and of a drive, as quoted in docs/terms.md.

Run ``python docs/terms_cost.py``: times ``ek.right_hand_side`` of each network with and
without the term, in one process and on one thread, and prints the median ratio over
interleaved rounds (best of ``reps`` calls each) with its quartiles.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

import eikura as ek

ROUNDS = 11
LAGS = {"ee": 0.3, "ei": 0.2, "ie": -0.4, "ii": 1.0}
CASES = {  # name: (network, n_e, n_i, calls per timing)
    "all-to-all N=1e6": (ek.AllToAll(), 800_000, 200_000, 20),
    "fixed in-degree 100, N=1e5 (plain CSR)": (ek.FixedInDegree(k_e=80, k_i=20), 80_000, 20_000, 20),
    "fixed in-degree 20, N=2e5 (tiled)": (ek.FixedInDegree(k_e=16, k_i=4), 160_000, 40_000, 20),
    "procedural in-degree 100, N=5e4": (ek.Procedural(k_e=80, k_i=20), 40_000, 10_000, 5),
}


def best(rhs: Callable[..., object], theta: np.ndarray, out: np.ndarray, reps: int) -> float:
    """The shortest of ``reps`` evaluations of ``rhs`` (seconds)."""
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        rhs(theta, 0.0, out=out)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    for name, (network, n_e, n_i, reps) in CASES.items():
        plain = ek.EIKuramoto(n_e=n_e, n_i=n_i, k_ee=5.0, k_ei=1.0, k_ie=12.0, k_ii=2.0,
                              network=network)
        theta = np.random.default_rng(0).uniform(0.0, 2.0 * np.pi, plain.n)
        out = np.empty(plain.n)
        rhs_plain = ek.right_hand_side(plain, seed=1, threads=1)
        line = f"{name}: plain {best(rhs_plain, theta, out, reps) * 1e3:.3f} ms"
        for term, model in (("lag", plain.with_changes(phase_lag=LAGS)),
                            ("drive", plain.with_changes(drive=ek.Drive(1.0, 0.5, target="e")))):
            rhs = ek.right_hand_side(model, seed=1, threads=1)
            ratios = [best(rhs, theta, out, reps) / best(rhs_plain, theta, out, reps)
                      for _ in range(ROUNDS)]
            quartiles = np.percentile(ratios, [25, 75])
            line += (f"; {term}/plain {np.median(ratios):.3f} "
                     f"({quartiles[0]:.3f}-{quartiles[1]:.3f})")
        print(line, flush=True)


if __name__ == "__main__":
    main()
