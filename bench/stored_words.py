"""Stored tiled networks: bytes per edge, peak memory and gather speed.

    python bench/stored_words.py speed [--core PATH] [--k 100] [--repeats 5]
    python bench/stored_words.py memory [--k 1000]

``speed`` times the right-hand side of a stored network (N = 10^6, 2 threads) and prints
edge-terms per second; ``--core`` loads another build of ``eikura._core`` (e.g. a copy of
an older one) so that two formats can be compared in alternating runs. ``memory`` builds
the network once and prints the estimate, ``memory_bytes`` and the peak RSS.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import resource
import sys
import time


def load_core(path: str) -> None:
    """Make ``eikura`` use the extension module at ``path`` (before eikura is imported)."""
    spec = importlib.util.spec_from_file_location("eikura._core", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["eikura._core"] = module
    spec.loader.exec_module(module)


def model_of(n: int, k: int):  # type: ignore[no-untyped-def]
    import eikura as ek

    n_e = int(0.8 * n)
    return ek.EIKuramoto(n_e=n_e, n_i=n - n_e, k_ee=5.0, k_ei=1.0, k_ie=12.0, k_ii=2.0,
                         frequencies=ek.Lorentzian(0.0, 1.0, regular=True),
                         network=ek.FixedInDegree(k_e=int(0.8 * k), k_i=k - int(0.8 * k)))


def speed(n: int, k: int, repeats: int) -> None:
    import numpy as np

    import eikura as ek

    model = model_of(n, k)
    rhs = ek.right_hand_side(model, seed=0, threads=2)
    theta = np.random.default_rng(7).uniform(0.0, 2.0 * np.pi, n)
    derivative = rhs(theta, 0.0)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        rhs(theta, 0.0)
        best = min(best, time.perf_counter() - start)
    # The checksum shows that both builds compute the same numbers, bit for bit.
    print(f"N={n} k={k} edge-terms/s {n * k / best:.4g} best {best:.4g} s "
          f"sha256 {hashlib.sha256(derivative.tobytes()).hexdigest()[:16]}")


def memory(n: int, k: int) -> None:
    model = model_of(n, k)
    estimate = model.network.estimate_bytes(model.n_e, model.n_i)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    start = time.perf_counter()
    network = model.network.build(model.n_e, model.n_i, 0, 0)
    built = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    edges = network.n_edges
    print(f"N={n} k={k} edges {edges} built in {built:.1f} s, tiled {network.tiled}")
    print(f"memory_bytes {network.memory_bytes / 2**30:.3f} GiB = {network.memory_bytes / edges:.3f} B/edge")
    print(f"peak RSS growth {(peak - before) / 2**30:.3f} GiB = {(peak - before) / edges:.3f} B/edge "
          f"(peak RSS {peak / 2**30:.3f} GiB)")
    print(f"estimate {estimate / 2**30:.3f} GiB = {estimate / edges:.3f} B/edge; "
          f"measured / estimate {(peak - before) / estimate:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["speed", "memory"])
    parser.add_argument("--core", help="path of another build of eikura._core")
    parser.add_argument("--n", type=int, default=10**6)
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if args.core:
        load_core(args.core)
    if args.what == "speed":
        speed(args.n, args.k, args.repeats)
    else:
        memory(args.n, args.k)


if __name__ == "__main__":
    main()
