"""Parameter sweeps (SPEC §6, §8); see :mod:`eikura.sweep._sweep` for now."""

from __future__ import annotations

from ._sweep import (
    LABELS,
    RESULT_VARIABLES,
    TIMING_VARIABLES,
    load_sweep,
    plot_sweep,
    read_config,
    sweep,
    sweep_fields,
)

__all__ = ["sweep", "load_sweep", "plot_sweep", "read_config", "sweep_fields", "LABELS",
           "RESULT_VARIABLES", "TIMING_VARIABLES"]

# The public functions live in a private module; doctest finds their examples here.
__test__ = {"sweep": sweep, "load_sweep": load_sweep, "plot_sweep": plot_sweep,
            "read_config": read_config, "sweep_fields": sweep_fields}
