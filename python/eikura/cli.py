"""The ``eikura`` command line: ``eikura demo``, ``eikura reproduce``, ``eikura sweep`` ...

Each subcommand is a thin wrapper: argument parsing here, the work in the module that
owns it (``eikura.demo``, ``eikura.experiments``, ``eikura.sweep``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence

from . import __version__


def _add_common(parser: argparse.ArgumentParser, out_default: str) -> None:
    parser.add_argument("--out", type=Path, default=Path(out_default),
                        help=f"folder for data and figures (default: {out_default})")
    parser.add_argument("--threads", type=int, default=None, help="OpenMP threads (default: all cores)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")


def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    run_demo(n=args.n, t_max=args.t_max, out=args.out, threads=args.threads, seed=args.seed)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eikura",
        description="Simulate and analyse the excitatory-inhibitory Kuramoto model.",
    )
    parser.add_argument("--version", action="version", version=f"eikura {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo", help="synchronized, desynchronized and bistable states in a 10^5-oscillator network",
        description="Runs a sparse network (fixed in-degree) in its three states, prints a table "
                    "and writes a figure of r(t).",
    )
    demo.add_argument("--n", type=int, default=100_000, help="number of oscillators (default: 100000)")
    demo.add_argument("--t-max", type=float, default=40.0, help="duration of each run (default: 40)")
    _add_common(demo, "eikura-demo")
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except (ValueError, TypeError) as error:
        print(f"eikura {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"eikura {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
