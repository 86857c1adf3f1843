"""Showcase: 10^6 oscillators x 1000 synapses each (10^9 synapses), 1 time unit of RK4.

    python bench/showcase.py                 # stored network (about 4 GB)
    python bench/showcase.py --procedural    # regenerated at every evaluation (< 0.5 GB)
    python bench/showcase.py --procedural --n 10000000 --t-max 0.01   # 10^10 synapses, 1 step

Builds the model with N = 10^6 (80 % excitatory) and a fixed in-degree of
800 E + 200 I inputs, integrates t in [0, 1] with RK4 at dt = 0.01 (100 steps, 400
right-hand-side evaluations, 4 * 10^11 coupling terms) from random phases, and reports
the memory estimated before allocating (the guard of simulate), the peak resident
memory and their ratio, the load average of the machine before and after, the times and
the state reached (r_E, r_I at the end and averaged over the second half). The couplings
are the demo's bistable point, k_ee=4.6, k_ei=1, k_ie=12, k_ii=2, with unit-width
Lorentzian frequencies. One time unit is a transient, not enough to classify the state.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

import numpy as np

import eikura as ek


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--procedural", action="store_true",
                        help="regenerate the network at every evaluation")
    parser.add_argument("--all-to-all", action="store_true",
                        help="all-to-all coupling instead (mean fields; --k is ignored)")
    parser.add_argument("--n", type=int, default=1_000_000, help="oscillators (default 10^6)")
    parser.add_argument("--k", type=int, default=1000, help="inputs per oscillator, 80 %% E (default 1000)")
    parser.add_argument("--t-max", type=float, default=1.0)
    parser.add_argument("--dt", type=float, default=0.01)
    parser.add_argument("--json", help="also write the report to this file")
    args = parser.parse_args()

    n_e = int(0.8 * args.n)
    k_e = int(0.8 * args.k)
    kind = ek.Procedural if args.procedural else ek.FixedInDegree
    network = ek.AllToAll() if args.all_to_all else kind(k_e=k_e, k_i=args.k - k_e)
    model = ek.EIKuramoto(n_e=n_e, n_i=args.n - n_e, k_ee=4.6, k_ei=1.0, k_ie=12.0, k_ii=2.0,
                          frequencies=ek.Lorentzian(0.0, 1.0, regular=True), network=network)
    n_steps = int(round(args.t_max / args.dt))
    record_every = max(1, min(10, n_steps))
    estimate = ek.estimate_memory(model, n_steps=n_steps, record_every=record_every, snapshot_every=0)
    load_before = os.getloadavg()
    topology = ("all-to-all" if args.all_to_all else
                f"{args.k} inputs each ({args.n * args.k:.2e} synapses, "
                f"{'procedural' if args.procedural else 'stored'})")
    print(f"N = {args.n:,}, {topology}; RK4, dt = {args.dt}, t_max = {args.t_max}")
    print(f"memory estimated before allocating: {estimate['total'] / 2**30:.2f} GiB", flush=True)

    start = time.perf_counter()
    run = ek.simulate(model, t_max=args.t_max, dt=args.dt, method="rk4", record_every=record_every, seed=1,
                      progress=sys.stderr.isatty())
    total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    load_after = os.getloadavg()
    evaluations = 4 * run.steps_done
    terms = 0 if args.all_to_all else evaluations * args.n * args.k
    half = len(run.r) // 2
    report = {
        "n": args.n, "k": None if args.all_to_all else args.k, "procedural": args.procedural,
        "all_to_all": args.all_to_all, "method": "rk4", "dt": args.dt,
        "t_max": args.t_max, "steps": int(run.steps_done),
        "synapses": None if args.all_to_all else args.n * args.k,
        "estimate_gib": estimate["total"] / 2**30, "estimate_network_gib": estimate["network"] / 2**30,
        "peak_rss_gib": peak / 2**30, "peak_over_estimate": peak / estimate["total"],
        "load_average_before": load_before[0], "load_average_after": load_after[0],
        "total_s": total, "integration_s": float(run.wall_time), "setup_s": total - float(run.wall_time),
        "edge_terms_per_s": terms / float(run.wall_time) if terms else None,
        "oscillator_steps_per_s": args.n * run.steps_done / float(run.wall_time),
        "r_e_final": float(np.abs(run.z_e[-1])), "r_i_final": float(np.abs(run.z_i[-1])),
        "r_e_mean_last_half": float(np.mean(np.abs(run.z_e[half:]))),
        "r_i_mean_last_half": float(np.mean(np.abs(run.z_i[half:]))),
        "threads": ek.threads_for(args.n, None),
    }
    print(f"setup (frequencies, network, tiling): {report['setup_s']:.1f} s")
    rate = f"{terms / float(run.wall_time):.3g} coupling terms/s, " if terms else ""
    print(f"integration: {report['integration_s']:.1f} s for {run.steps_done} steps "
          f"({rate}{report['oscillator_steps_per_s']:.3g} oscillator-steps/s)")
    print(f"peak resident memory: {report['peak_rss_gib']:.2f} GiB "
          f"(estimated {report['estimate_gib']:.2f} GiB, of which network buffers "
          f"{report['estimate_network_gib']:.3f}; peak / estimate = {report['peak_over_estimate']:.3f})")
    print(f"load average (1 min): {load_before[0]:.1f} before, {load_after[0]:.1f} after "
          f"on {os.cpu_count()} cores")
    print(f"state at t = {args.t_max}: r_E = {report['r_e_final']:.4f}, r_I = {report['r_i_final']:.4f} "
          f"(incoherent start; 1 time unit is a transient, not a classification)")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(report, handle, indent=2)


if __name__ == "__main__":
    main()
