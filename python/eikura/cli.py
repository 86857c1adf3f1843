"""The ``eikura`` command line: ``eikura demo``, ``eikura reproduce``, ``eikura sweep`` ...

Each subcommand is a thin wrapper: argument parsing here, the work in the module that
owns it (``eikura.demo``, ``eikura.experiments``, ``eikura.sweep``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ._metadata import eikura_version


def _add_common(parser: argparse.ArgumentParser, out_default: str) -> None:
    parser.add_argument("--out", type=Path, default=Path(out_default),
                        help=f"folder for data and figures (default: {out_default})")
    parser.add_argument("--threads", type=int, default=None, help="OpenMP threads (default: all cores)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")


def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    run_demo(n=args.n, t_max=args.t_max, out=args.out, threads=args.threads, seed=args.seed,
             in_degree=args.in_degree)
    return 0


def _print_files(command: str, files: list[Path], seconds: float) -> None:
    print(f"eikura {command}: done in {seconds:.1f} s; wrote")
    for path in files:
        print(f"  {path}")


def _floats(text: str) -> list[float]:
    """'3,4.5,6' or 'start:stop:count' (inclusive) -> values; argparse names the option in
    the message of the ArgumentTypeError."""
    import numpy as np

    try:
        if ":" in text:
            start, stop, count = text.split(":")
            return [float(v) for v in np.linspace(float(start), float(stop), int(count))]
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values:
        raise argparse.ArgumentTypeError(
            f"expected values separated by commas (3,4.5,6) or start:stop:count (3:7:9), "
            f"got {text!r}")
    return values


def _timeseries(args: argparse.Namespace) -> int:
    from .experiments import time_series

    result = time_series(n=args.n, t_max=args.t_max, dt=args.dt,
                         switching_n=None if args.switching_n == 0 else args.switching_n,
                         switching_k_ee=args.switching_k_ee,
                         switching_t_max=args.switching_t_max, seed=args.seed,
                         threads=args.threads, out=args.out)
    for row in result.summary["runs"]:
        print(f"  K_EE = {row['k_ee']:<5g} {row['start']:<6} r_E = {row['mean_r_e']:.3f} "
              f"(theory {row['theory_r_e']:.3f})  r_I = {row['mean_r_i']:.3f} "
              f"(theory {row['theory_r_i']:.3f})  -> {row['label']}")
    if result.summary["switching"]:
        switching = result.summary["switching"]
        print(f"  N = {switching['n']}, K_EE = {switching['k_ee']:g}: {switching['label']} "
              f"({switching['n_switches']} switches)")
    _print_files("timeseries", result.files, result.seconds)
    return 0


def _phase_diagram(args: argparse.Namespace) -> int:
    from .experiments import phase_diagram

    couplings = {name: value for name, value in
                 (("k_ee", args.k_ee), ("k_ei", args.k_ei), ("k_ie", args.k_ie),
                  ("k_ii", args.k_ii)) if value is not None and name not in (args.x, args.y)}
    result = phase_diagram(args.x, args.x_values, args.y, args.y_values,
                           n=args.n, couplings=couplings, t_max=args.t_max, dt=args.dt,
                           two_start=args.two_start, replicates=args.replicates,
                           seed=args.seed, scheduler=args.scheduler, store=args.store,
                           threads=args.threads, out=args.out)
    print(f"  simulated label = theory label at {100 * result.summary['agreement']:.0f} % of "
          f"{result.summary['n_points']} points")
    _print_files("phase-diagram", result.files, result.seconds)
    return 0


def _modulation(args: argparse.Namespace) -> int:
    from .experiments import modulation

    result = modulation(n=args.n, k_ee=args.k_ee, modulated=tuple(args.modulated.split(",")),
                        scale_mean=args.scale_mean, scale_amplitude=args.scale_amplitude,
                        period=args.period, cycles=args.cycles, dt=args.dt, seed=args.seed,
                        threads=args.threads, out=args.out)
    summary = result.summary
    simulation = summary["crossings"]["simulation"]
    print(f"  theory: incoherence stable above s = {summary['s_incoherence']:.3f}, synchronized "
          f"branch ends at s = {summary['s_fold']:.3f}; simulation loses synchronization at "
          f"s = {simulation['s_loss']:.3f} and regains it at s = {simulation['s_return']:.3f}")
    _print_files("modulation", result.files, result.seconds)
    return 0


def _reproduce(args: argparse.Namespace) -> int:
    from .report import reproduce

    reproduce(args.out, quick=args.quick, threads=args.threads, seed=args.seed)
    return 0


def _sweep(args: argparse.Namespace) -> int:
    import time

    import numpy as np

    from .sweep import read_config, sweep

    arguments = read_config(args.config)
    if args.store is not None:
        arguments["store"] = args.store
    arguments.setdefault("store", args.config.with_suffix(".zarr"))
    for option, key in ((args.scheduler, "scheduler"), (args.workers, "n_workers"),
                        (args.threads, "threads"), (args.batch_size, "batch_size")):
        if option is not None:
            arguments[key] = option
    arguments["progress"] = args.progress
    start = time.perf_counter()
    dataset = sweep(**arguments)
    seconds = time.perf_counter() - start
    labels, counts = np.unique(dataset["label"].values[dataset["done"].values], return_counts=True)
    print(f"eikura sweep: {dataset.attrs['points_done']} of {dataset.attrs['points_total']} points "
          f"done ({dataset.attrs['points_computed']} computed now in {seconds:.1f} s); "
          f"store: {dataset.attrs['store']}")
    print("  " + ", ".join(f"{label}: {count}" for label, count in zip(labels, counts, strict=True)))
    return 0 if dataset.attrs["complete"] else 130


def _plot_sweep(args: argparse.Namespace) -> int:
    import matplotlib as mpl

    mpl.use("Agg")
    from .sweep import plot_sweep

    out = args.out if args.out is not None else args.store.with_suffix("")
    plot_sweep(args.store, x=args.x, y=args.y, out=out)
    base = out.with_suffix("") if out.suffix in (".png", ".pdf") else out
    print(f"eikura plot-sweep: wrote {base}.png and {base}.pdf")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eikura",
        description="Simulate and analyse the excitatory-inhibitory Kuramoto model.",
    )
    parser.add_argument("--version", action="version", version=f"eikura {eikura_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_demo_command(commands.add_parser)
    _add_sweep_command(commands.add_parser)
    _add_plot_sweep_command(commands.add_parser)
    _add_timeseries_command(commands.add_parser)
    _add_phase_diagram_command(commands.add_parser)
    _add_modulation_command(commands.add_parser)
    _add_reproduce_command(commands.add_parser)
    return parser


def _add_demo_command(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    demo = add_parser(
        "demo", help="synchronized, desynchronized and bistable states in a 10^5-oscillator network",
        description="Runs a sparse network (fixed in-degree) in its three states, prints a table "
                    "and writes a figure of r(t).",
    )
    demo.add_argument("--n", type=int, default=100_000, help="number of oscillators (default: 100000)")
    demo.add_argument("--t-max", type=float, default=30.0, help="duration of each run (default: 30)")
    demo.add_argument("--in-degree", type=int, default=100,
                      help="inputs per oscillator, 80 %% from E (default: 100; at most n - 1)")
    _add_common(demo, "eikura-demo")
    demo.set_defaults(handler=_demo)


def _add_sweep_command(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    sweep = add_parser(
        "sweep", help="run a parameter sweep described by a TOML file (resumable)",
        description="Simulates and classifies every point of the grid in CONFIG.toml on a local "
                    "Dask cluster (or the one at --scheduler), writing each finished point to a "
                    "Zarr store; running it again computes only the missing points.",
    )
    sweep.add_argument("config", type=Path, help="sweep configuration (TOML; see docs/sweeps.md)")
    sweep.add_argument("--scheduler", default=None,
                       help="'tcp://host:port' of a Dask scheduler, 'local' (a local Dask cluster) "
                            "or 'serial' (this process only); default: the file's, else local")
    sweep.add_argument("--store", type=Path, default=None,
                       help="Zarr store (default: the file's [sweep] store, else CONFIG.zarr)")
    sweep.add_argument("--workers", type=int, default=None, help="local worker processes")
    sweep.add_argument("--threads", type=int, default=None, help="OpenMP threads per task")
    sweep.add_argument("--batch-size", type=int, default=None, help="points per task")
    sweep.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="progress bar (default: on a terminal)")
    sweep.set_defaults(handler=_sweep)


def _add_plot_sweep_command(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    plot = add_parser(
        "plot-sweep", help="draw the phase diagram of a sweep store",
        description="Draws the simulated state labels of a 2-D sweep with the mean-field theory's "
                    "boundaries, as PNG and PDF.",
    )
    plot.add_argument("store", type=Path, help="Zarr store written by `eikura sweep`")
    plot.add_argument("--out", type=Path, default=None,
                      help="figure path without suffix (default: the store's path without .zarr)")
    plot.add_argument("--x", default=None, help="field on the x axis (default: the first swept)")
    plot.add_argument("--y", default=None, help="field on the y axis (default: the second swept)")
    plot.set_defaults(handler=_plot_sweep)


def _add_timeseries_command(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    timeseries = add_parser(
        "timeseries", help="experiment 1: r_E, r_I, r in the three states, with labels",
        description="Runs an all-to-all network in its desynchronized, bistable (two starts) "
                    "and synchronized states and a small network that switches by itself; "
                    "writes time_series.nc and time_series.png/.pdf.",
    )
    timeseries.add_argument("--n", type=int, default=20_000, help="oscillators (default: 20000)")
    timeseries.add_argument("--t-max", type=float, default=100.0, help="duration (default: 100)")
    timeseries.add_argument("--dt", type=float, default=0.05, help="RK4 step (default: 0.05)")
    timeseries.add_argument("--switching-n", type=int, default=100,
                            help="size of the switching network, 0 for none (default: 100)")
    timeseries.add_argument("--switching-k-ee", type=float, default=4.22,
                            help="its K_EE (default: 4.22)")
    timeseries.add_argument("--switching-t-max", type=float, default=6000.0,
                            help="its duration (default: 6000)")
    _add_common(timeseries, "eikura-timeseries")
    timeseries.set_defaults(handler=_timeseries)


def _add_phase_diagram_command(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    diagram = add_parser(
        "phase-diagram", help="experiment 2: simulated labels over two couplings vs theory",
        description="Sweeps two couplings (default K_EE x K_II), classifies every point with "
                    "two starts and draws it next to the mean-field phase diagram; writes "
                    "phase_diagram.nc and phase_diagram.png/.pdf.",
    )
    diagram.add_argument("--x", default="k_ee", help="coupling on the x axis (default: k_ee)")
    diagram.add_argument("--y", default="k_ii", help="coupling on the y axis (default: k_ii)")
    diagram.add_argument("--x-values", default=None, type=_floats,
                         help="'a,b,c' or 'start:stop:count' (default: 3:7:15 for k_ee)")
    diagram.add_argument("--y-values", default=None, type=_floats,
                         help="'a,b,c' or 'start:stop:count' (default: 0:4:15 for k_ii)")
    for name, default in (("k_ee", 4.6), ("k_ei", 1.0), ("k_ie", 12.0), ("k_ii", 2.0)):
        diagram.add_argument(f"--{name.replace('_', '-')}", dest=name, type=float, default=None,
                             help=f"fixed {name} when not on an axis (default: {default:g})")
    diagram.add_argument("--n", type=int, default=2000, help="oscillators (default: 2000)")
    diagram.add_argument("--t-max", type=float, default=200.0, help="duration (default: 200)")
    diagram.add_argument("--dt", type=float, default=0.1, help="RK4 step (default: 0.1)")
    diagram.add_argument("--two-start", action=argparse.BooleanOptionalAction, default=True,
                         help="also run from synchronized phases (default: yes)")
    diagram.add_argument("--replicates", type=int, default=1, help="seeds per point (default: 1)")
    diagram.add_argument("--scheduler", default="serial",
                         help="'serial' (default), 'local' or 'tcp://host:port' (Dask)")
    diagram.add_argument("--store", type=Path, default=None, help="Zarr store (resumable)")
    _add_common(diagram, "eikura-phase-diagram")
    diagram.set_defaults(handler=_phase_diagram)


def _add_modulation_command(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    modulation = add_parser(
        "modulation", help="experiment 3: slow periodic modulation of inhibition",
        description="Scales K_EI and K_II by a slow sinusoid so that the network passes "
                    "synchronized -> bistable -> desynchronized and back; compares with the "
                    "theory's label of the instantaneous couplings and the mean-field "
                    "equations driven by the same schedule; writes modulation.nc and "
                    "modulation.png/.pdf.",
    )
    modulation.add_argument("--n", type=int, default=10_000, help="oscillators (default: 10000)")
    modulation.add_argument("--k-ee", type=float, default=4.6, help="K_EE (default: 4.6)")
    modulation.add_argument("--modulated", default="k_ei,k_ii",
                            help="couplings scaled by s(t) (default: k_ei,k_ii)")
    modulation.add_argument("--scale-mean", type=float, default=1.0, help="mean of s (default: 1)")
    modulation.add_argument("--scale-amplitude", type=float, default=0.6,
                            help="amplitude of s (default: 0.6)")
    modulation.add_argument("--period", type=float, default=1000.0, help="period (default: 1000)")
    modulation.add_argument("--cycles", type=float, default=1.0, help="periods to run (default: 1)")
    modulation.add_argument("--dt", type=float, default=0.1, help="RK4 step (default: 0.1)")
    _add_common(modulation, "eikura-modulation")
    modulation.set_defaults(handler=_modulation)


def _add_reproduce_command(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    reproduce = add_parser(
        "reproduce",
        help="run all experiments and write a Markdown report (it gives its own wall time)",
        description="Runs the time series, phase diagram, modulation and switching-rate "
                    "experiments and writes report.md with their figures and key numbers.",
    )
    reproduce.add_argument("--quick", action="store_true",
                           help="small sizes: about a minute instead of about ten")
    _add_common(reproduce, "eikura-reproduce")
    reproduce.set_defaults(handler=_reproduce)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except (ValueError, TypeError, FileNotFoundError, ImportError) as error:
        print(f"eikura {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"eikura {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
