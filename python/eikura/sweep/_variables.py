"""What a sweep stores for every point: label codes, order-parameter summaries, timings.

One list, :func:`variable_specs`, names every per-point variable with its dtype, its fill
value (a point not computed yet) and its attributes; the store, the in-memory arrays and
the returned dataset are all built from it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..labels import MISSING_CODE, STORED_LABELS

__all__ = [
    "LABELS",
    "QUANTITIES",
    "RESULT_VARIABLES",
    "STATISTICS",
    "TIMING_VARIABLES",
    "VariableSpec",
    "statistic_specs",
    "variable_specs",
]

LABELS: tuple[str, ...] = STORED_LABELS
"""The labels by their code in the store (eikura.labels; ``MISSING_CODE``: not computed)."""

QUANTITIES = (("r", 2), ("r_e", 0), ("r_i", 1))  # column of the C++ records (Z_E, Z_I, Z)
STATISTICS = (("mean", None), ("p05", 5.0), ("p50", 50.0), ("p95", 95.0))

TIMING_VARIABLES: tuple[str, ...] = ("wall_time", "stored_at")
"""Variables that depend on when and where a point ran (everything else is reproducible)."""

VariableSpec = tuple[str, Any, Any, dict[str, Any]]
"""(name, dtype, fill value, attributes) of one per-point variable."""


def statistic_specs(two_start: bool) -> list[tuple[str, str]]:
    """(variable name, long name) of the order-parameter summaries."""
    starts = (("", "random"), ("_sync", "synchronized")) if two_start else (("", "random"),)
    out = []
    for suffix, start in starts:
        for quantity, _ in QUANTITIES:
            for statistic, percentile in STATISTICS:
                what = "mean" if percentile is None else f"{percentile:g}th percentile"
                out.append((f"{quantity}_{statistic}{suffix}",
                            f"{what} of {quantity} after the transient, run from {start} phases"))
    return out


def variable_specs(two_start: bool) -> list[VariableSpec]:
    """Every per-point variable, in the order of the store and the dataset."""
    label_attrs = {"flag_values": list(range(len(LABELS))), "flag_meanings": " ".join(LABELS),
                   "missing_value_code": MISSING_CODE}
    specs: list[VariableSpec] = [
        ("label", np.int8, MISSING_CODE,
         {**label_attrs, "long_name": "simulated state (eikura.classify)"}),
        ("theory_label", np.int8, MISSING_CODE,
         {**label_attrs, "long_name": "mean-field theory state (eikura.theory.classify)"}),
        ("fraction_high", np.float64, np.nan, {"long_name": "fraction of time r is high"}),
        ("n_switches", np.int32, -1, {"long_name": "switches between low and high r"}),
        ("low_level", np.float64, np.nan, {"long_name": "mean r over low episodes"}),
        ("high_level", np.float64, np.nan, {"long_name": "mean r over high episodes"}),
    ]
    specs += [(name, np.float64, np.nan, {"long_name": long_name})
              for name, long_name in statistic_specs(two_start)]
    specs += [
        ("n_e", np.int64, -1, {"long_name": "excitatory oscillators"}),
        ("n_i", np.int64, -1, {"long_name": "inhibitory oscillators"}),
        ("run_seed", np.uint64, 0,
         {"long_name": "seed of the run(s): ek.simulate(..., seed=run_seed)"}),
        ("wall_time", np.float64, np.nan,
         {"long_name": "seconds of computation for this point (its batch's time shared equally)"}),
        ("stored_at", np.float64, np.nan, {"long_name": "unix time the point was stored"}),
        ("done", np.bool_, False, {"long_name": "point finished and stored"}),
    ]
    return specs


RESULT_VARIABLES: tuple[str, ...] = tuple(
    name for name, *_ in variable_specs(True) if name not in TIMING_VARIABLES
)
"""Every reproducible per-point variable (with ``two_start=True``)."""
