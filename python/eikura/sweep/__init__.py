"""Parameter sweeps: many simulations, classified, stored as they finish.

:func:`sweep` runs the model at every point of a grid (or of an explicit list) over any
configuration fields, classifies every run with :func:`eikura.classify`, adds the
mean-field theory's label, and returns an ``xarray.Dataset`` with one dimension per swept
field plus ``replicate``.

Execution
---------
Points are grouped into *batches*. A batch of small networks (``N <= ensemble_max_n``)
runs as an *ensemble*: every member is a single-threaded C++ simulation and one C++
call advances all of them in one OpenMP loop over members (bit-identical to running each
alone), so thousands of small runs are not dominated by per-call overhead. A larger
network runs alone, with OpenMP threads over its oscillators.

Batches run on a Dask cluster (``dask.distributed``): by default a ``LocalCluster``
sized to this machine, or the cluster behind ``scheduler="tcp://host:port"`` or a
``distributed.Client``. Each task gets ``cores // tasks per host`` OpenMP threads, so cores
are never oversubscribed. Without Dask (or with ``scheduler="serial"``) batches run one
after another in this process, each using every core.

Store and resume
----------------
With ``store="sweep.zarr"`` every finished batch is written to a Zarr store by the client
(workers only return results), data first and the per-point ``done`` flag last, each chunk
file replaced atomically. The store holds the sweep's configuration; running the same
sweep again with the same store skips the finished points, so an interrupted sweep or a
killed worker loses no finished point. A store written by a different sweep is refused.

Layout
------
Dependencies point one way (``a ← b``: b imports a; none imports a later module):
``_variables`` (what is stored per point) and ``_fields`` (the fields a sweep varies) ←
``_plan`` (every argument checked, every point's model and seed) ← ``_batches`` (running
points, ensembles) and ``_store`` (the Zarr store) ← ``_execution`` (in this process or on
Dask) and ``_results`` (the dataset, :func:`load_sweep`) ← ``_sweep`` (:func:`sweep`);
``_plot`` (:func:`plot_sweep`) and ``_config`` (:func:`read_config`) on top.
"""

from __future__ import annotations

from ._config import read_config
from ._fields import sweep_fields
from ._plot import plot_sweep
from ._results import load_sweep
from ._sweep import sweep
from ._variables import LABELS, RESULT_VARIABLES, TIMING_VARIABLES

__all__ = [
    "LABELS",
    "RESULT_VARIABLES",
    "TIMING_VARIABLES",
    "load_sweep",
    "plot_sweep",
    "read_config",
    "sweep",
    "sweep_fields",
]

# The public functions live in private modules, where doctest.testmod(eikura.sweep) does
# not look: __test__ hands it their examples.
__test__ = {"sweep_fields": sweep_fields, "sweep": sweep, "load_sweep": load_sweep,
            "plot_sweep": plot_sweep, "read_config": read_config}
