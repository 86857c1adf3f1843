"""Regenerate docs/sweep_kee_kii.png/.pdf and the agreement numbers docs/sweeps.md quotes.

    python docs/sweep_figure.py [--store PATH]

Runs the sweep of examples/sweep_kee_kii.toml (41 × 41 points, two starts each; about a
quarter of an hour on two idle cores), into a resumable Zarr store (default: the one the
TOML file names), draws the figure, and prints how the simulated labels compare with the
theory's.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import numpy as np

import eikura as ek
from eikura.sweep import plot_sweep, read_config

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="Zarr store for the points (resumable)")
    args = parser.parse_args()
    config = read_config(HERE.parent / "examples" / "sweep_kee_kii.toml")
    if args.store:
        config["store"] = args.store
    result = ek.sweep(**config)
    plot_sweep(result, out=HERE / "sweep_kee_kii")
    simulated = np.asarray(result["label"].values).ravel().astype(str)
    predicted = np.asarray(result["theory_label"].values).ravel().astype(str)
    same = simulated == predicted
    print(f"{same.size} points; same label as the theory: {same.sum()} "
          f"({100 * same.mean():.0f} %)")
    print("disagreements (simulated <- theory):")
    for (sim, theory), count in Counter(
            zip(simulated[~same], predicted[~same], strict=True)).most_common():
        print(f"  {sim} <- {theory}: {count}")


if __name__ == "__main__":
    main()
