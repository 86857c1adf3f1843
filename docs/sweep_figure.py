"""Regenerate docs/sweep_kee_kii.png and the agreement numbers docs/sweeps.md quotes.

    python docs/sweep_figure.py [--store PATH]

Runs the sweep of examples/sweep_kee_kii.toml (41 × 41 points, two starts each; about a
quarter of an hour on two idle cores), into a resumable Zarr store (default: the one the
TOML file names), draws the figure, and prints how the simulated labels compare with the
theory's.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
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
    simulated = np.asarray(result["label"].transpose("k_ee", "k_ii", ...).values)[..., 0]
    predicted = np.asarray(result["theory_label"].transpose("k_ee", "k_ii", ...).values)[..., 0]
    same = simulated == predicted
    print(f"{same.size} points; same label as the theory: {same.sum()} "
          f"({100 * same.mean():.0f} %)")
    # For each disagreement, the grid cells along K_EE to the nearest change of the
    # theory's label in its row (K_II fixed).
    cells: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, j in zip(*np.nonzero(~same), strict=True):
        row = predicted[:, j]
        changes = np.flatnonzero(row != row[i])
        cells[(str(simulated[i, j]), str(predicted[i, j]))].append(
            int(np.min(np.abs(changes - i))) if changes.size else -1)
    print("| simulation | theory | points | cells to a theory boundary (median / max) |")
    print("|---|---|---:|---|")
    for (sim, theory), distances in sorted(cells.items(), key=lambda item: -len(item[1])):
        print(f"| {sim} | {theory} | {len(distances)} | {np.median(distances):g} / "
              f"{max(distances)} |")

if __name__ == "__main__":
    main()
