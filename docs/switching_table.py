"""Regenerate the switching table of docs/science.md (Markdown on stdout).

    python docs/switching_table.py

All-to-all networks at K_EE = 4.24 (K_EI = 1, K_IE = 12, K_II = 2, regular Lorentzian
frequencies of width 1), 4·10⁴ time units per size, seed 1: the same runs as
``eikura reproduce`` (its switching-rate experiment at full size), classified with the
current classifier.
"""

from __future__ import annotations

from eikura.experiments import switching_rate


def main() -> None:
    result = switching_rate(sizes=(60, 80, 100, 120, 150), k_ee=4.24, t_max=40_000.0, seed=1)
    print("| N | label | switches | per 1000 time units | time high | mean dwell low | "
          "mean dwell high |")
    print("|---|---|---|---|---|---|---|")
    for row in result.summary["rows"]:
        rate = 1000.0 * row["n_switches"] / row["analysed_time"]
        print(f"| {row['n']} | {row['label']} | {row['n_switches']} | {rate:.2g} | "
              f"{row['fraction_high']:.2f} | {row['mean_dwell_low']:.0f} | "
              f"{row['mean_dwell_high']:.0f} |")
    for key, fit in result.summary["fit"].items():
        print(f"\nfit {key}: dwell time grows by e every {1 / fit['per_oscillator']:.0f} "
              f"oscillators ({fit['points']} sizes)")


if __name__ == "__main__":
    main()
