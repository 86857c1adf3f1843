"""Convergence of the fixed-step methods with delays, as quoted in docs/delays.md.

Run ``python docs/delays_accuracy.py``: one population of 16 E and 4 I oscillators
(K = (3, 1, 4, 0.5), frequencies spread over [−1, 1]), integrated to t = 2.4 with delays
on the grid of every step (0.32 and 0.48) and between steps (0.313 and 0.471); prints the
largest phase error against a run at a 16 times finer step, and log2 of each error ratio
(the measured order).
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np

import eikura as ek

CASES = {"on the grid": ({"ee": 0.32, "ei": 0.48, "ie": 0.32, "ii": 0.48}, (0.04, 0.02, 0.01, 0.005)),
         "between steps": ({"ee": 0.313, "ei": 0.471, "ie": 0.313, "ii": 0.471},
                           (0.01, 0.005, 0.0025, 0.00125))}


def final_phases(delays: dict[str, float], method: str, dt: float) -> np.ndarray:
    model = ek.EIKuramoto(n_e=16, n_i=4, k_ee=3.0, k_ei=1.0, k_ie=4.0, k_ii=0.5,
                          frequencies=np.linspace(-1.0, 1.0, 20), delay=delays)
    run = ek.simulate(model, t_max=2.4, dt=dt, method=method, initial=np.linspace(0.0, 5.0, 20),
                      wrap=False, record_every=60, progress=False)
    return run.phases


def main() -> None:
    for case, (delays, steps) in CASES.items():
        for method in ("euler", "heun", "rk4"):
            finest = final_phases(delays, method, steps[-1] / 16)
            errors = [float(np.max(np.abs(final_phases(delays, method, dt) - finest)))
                      for dt in steps]
            orders = [math.log2(a / b) for a, b in pairwise(errors)]
            print(f"{case}, {method}: errors " + ", ".join(f"{e:.2e}" for e in errors)
                  + " at dt = " + ", ".join(f"{dt:g}" for dt in steps)
                  + "; orders " + ", ".join(f"{order:.2f}" for order in orders), flush=True)


if __name__ == "__main__":
    main()
