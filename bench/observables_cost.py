"""What recording the C++ observables costs: ``simulate`` with ``observables`` on vs off.

Each case runs the same model, seed and steps twice per repeat, observables off then on
(``("instantaneous_frequency", "local_order")``), alternating so that a change in the
machine's load hits both; the best of the repeats is kept and the ratio on/off printed.
RK4 (4 evaluations per step): at each record the observables take one evaluation, which
becomes the next step's first stage, plus O(N) means. Also checks that the integration is
unchanged (same Z and final phases, bit for bit).

    python bench/observables_cost.py            # prints a Markdown table
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import eikura as ek

OBSERVABLES = ("instantaneous_frequency", "local_order")
CASES = {  # name: (network, N)
    "all-to-all, N=10^5": (ek.AllToAll(), 100_000),
    "fixed in-degree k=100, N=2*10^4": (ek.FixedInDegree(k_e=80, k_i=20), 20_000),
    "procedural k=100, N=2*10^4": (ek.Procedural(k_e=80, k_i=20), 20_000),
}


def timed_run(model: ek.EIKuramoto, record_every: int, steps: int, threads: int,
              observables: tuple[str, ...]) -> tuple[float, ek.Run]:
    start = time.perf_counter()
    run = ek.simulate(model, t_max=steps * 0.01, dt=0.01, method="rk4", record_every=record_every,
                      seed=1, threads=threads, progress=False, observables=observables)
    return time.perf_counter() - start, run


def measure(name: str, record_every: int, steps: int, threads: int, repeats: int) -> dict[str, float]:
    network, n = CASES[name]
    model = ek.EIKuramoto(n_e=4 * n // 5, n_i=n // 5, k_ee=5.0, k_ei=1.0, k_ie=12.0, k_ii=2.0,
                          frequencies=ek.Lorentzian(0.0, 1.0, regular=True), network=network)
    timed_run(model, 1, 2, threads, OBSERVABLES)  # build the network once (cached)
    off, on = [], []
    for _ in range(repeats):
        seconds_off, plain = timed_run(model, record_every, steps, threads, ())
        seconds_on, observed = timed_run(model, record_every, steps, threads, OBSERVABLES)
        off.append(seconds_off)
        on.append(seconds_on)
    if not (np.array_equal(plain.z, observed.z) and np.array_equal(plain.phases, observed.phases)):
        raise AssertionError(f"{name}: recording observables changed the integration")
    return {"off": min(off), "on": min(on)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"RK4, {args.steps} steps, {args.threads} threads, best of {args.repeats}; "
          f"eikura {ek.__version__}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    print("| case | record_every | off (s) | on (s) | on / off |")
    print("|---|---|---|---|---|")
    for name in CASES:
        for record_every in (1, 10):
            times = measure(name, record_every, args.steps, args.threads, args.repeats)
            print(f"| {name} | {record_every} | {times['off']:.3f} | {times['on']:.3f} | "
                  f"{times['on'] / times['off']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
