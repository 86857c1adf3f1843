"""The sweep itself: plan, open the store, run the batches, collect, return the dataset."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..model import EIKuramoto
from ._batches import BatchResult
from ._execution import Progress, check_execution, run_batches, schedule
from ._plan import plan_sweep
from ._results import build_dataset
from ._store import Store, empty_arrays

__all__ = ["sweep"]


class _Collector:
    """Takes each batch's results as they arrive: store first, then memory and progress."""

    def __init__(self, arrays: dict[str, NDArray[Any]], writer: Store | None,
                 bar: Progress | None) -> None:
        self.arrays = arrays
        self.writer = writer
        self.bar = bar
        self.computed = 0
        self.theory_errors: list[str] = []

    def __call__(self, result: BatchResult) -> None:
        flat = np.asarray(result.indices, dtype=np.int64)
        values = dict(result.values)
        values["stored_at"] = np.full(flat.size, time.time())
        if self.writer is not None:
            self.writer.write(flat, values)
        for name, column in values.items():
            self.arrays[name].reshape(-1)[flat] = column
        self.arrays["done"].reshape(-1)[flat] = True
        self.computed += flat.size
        self.theory_errors.extend(e for e in result.theory_errors if e not in self.theory_errors)
        if self.bar is not None:
            self.bar.update(flat.size)


def sweep(
    model: EIKuramoto,
    over: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    t_max: float = 500.0,
    dt: float = 0.02,
    seed: int = 0,
    replicates: int = 1,
    store: str | os.PathLike[str] | None = None,
    scheduler: Any = None,
    *,
    method: str | None = None,
    record_every: int = 10,
    two_start: bool = False,
    transient: float | None = None,
    initial_spread: float = 0.0,
    n_workers: int | None = None,
    threads: int | None = None,
    batch_size: int | None = None,
    ensemble_max_n: int = 20_000,
    progress: bool | None = None,
) -> Any:
    """Simulate and classify the model over a grid (or a list) of parameter points.

    Every point is run with :func:`eikura.simulate`'s engine from random initial phases
    (and, with ``two_start``, again from synchronized phases), classified with
    :func:`eikura.classify`, and labelled by the mean-field theory
    (``eikura.theory.classify``) alongside.

    Parameters
    ----------
    model
        The base :class:`eikura.EIKuramoto`; swept fields replace its values.
    over
        A grid ``{field: values}`` (every combination, first field slowest) or an
        explicit list of points ``[{field: value, ...}, ...]``. Fields: see
        :func:`sweep_fields` (couplings, ``n``/``n_e``/``n_i``, ``noise``,
        ``width``, ``network.<parameter>``, ``seed``).
    t_max, dt
        Duration and step of every run.
    seed
        Seed of the runs: replicate ``k`` of a point runs with seed ``seed + k`` (or the
        swept ``seed`` value ``+ k``), so ``ek.simulate(model_at_point, seed=run_seed)``
        repeats any point exactly.
    replicates
        Runs per point with different seeds (dimension ``replicate``).
    store
        Path of a Zarr store to write points to as they finish. Running the same sweep
        with the same store again computes only the missing points. ``None``: keep the
        results in memory only.
    scheduler
        ``None``: on this machine, serially for sweeps estimated to take under ten
        minutes (the serial path already uses every core, and measured here a local
        cluster was never faster), else a local Dask cluster, whose worker processes
        keep a crashing point from stopping the sweep (serial without Dask);
        ``"serial"``: batches one after another in this process, each using every core;
        ``"local"``: a local Dask cluster; ``"tcp://host:port"`` or a
        ``distributed.Client``: that cluster. Results do not depend on this choice.
    method, record_every, initial_spread
        As in :func:`eikura.simulate`; the default method is ``"rk4"``, or ``"heun"`` for
        every point when any point has noise (one integrator for the whole sweep).
    two_start
        Also run every point from synchronized phases and classify the pair (hysteresis
        shows up as ``"bistable"``).
    transient
        Time dropped before classification and summaries (default: 20 % of the run).
    n_workers
        Worker processes of the local cluster (default: one per core, at most one per
        batch).
    threads
        OpenMP threads per task (default: cores of the worker's host divided by the
        tasks running there at once).
    batch_size
        Points of the same size per task (an ensemble in one C++ call); default: enough
        for about 10 s of work per thread, and at least one batch per worker.
    ensemble_max_n
        Networks up to this size run as ensembles; larger ones run one per task with
        OpenMP threads over their oscillators.
    progress
        Progress bar over points; ``None`` shows it only on a terminal.

    Returns
    -------
    xarray.Dataset
        Dimensions: the swept fields (or ``point`` for a list, with the fields as
        coordinates on it) and ``replicate``. Variables: ``label`` and ``theory_label``
        (strings; ``""`` where not computed), ``fraction_high``, ``n_switches``,
        ``low_level``, ``high_level``, ``r_mean``/``r_p05``/``r_p50``/``r_p95`` and the
        same for ``r_e`` and ``r_i`` (after the transient; ``*_sync`` for the run from
        synchronized phases), ``n_e``, ``n_i``, ``run_seed``, ``wall_time``,
        ``stored_at``, ``done``. ``attrs["config"]`` is the sweep configuration (JSON).

    Raises
    ------
    ValueError
        Before any work, for an unknown or conflicting field, an empty grid, values a
        model refuses, a store written by a different sweep, or runs too short to
        classify.

    Notes
    -----
    A Ctrl-C stops the sweep: finished points stay in the store, a ``RuntimeWarning``
    says how many, and the partial dataset is returned (``attrs["complete"] == 0``).
    With a local cluster, scripts must start the sweep under
    ``if __name__ == "__main__":`` (Dask starts worker processes that import the script).

    Examples
    --------
    >>> import numpy as np, eikura as ek
    >>> model = ek.EIKuramoto(n_e=160, n_i=40, k_ei=1.0, k_ie=12.0, k_ii=2.0)
    >>> ds = ek.sweep(model, over={"k_ee": [2.0, 9.0]}, t_max=20.0, dt=0.05,
    ...               scheduler="serial")
    >>> ds["label"].sel(replicate=0).values.tolist()
    ['desynchronized', 'synchronized']
    """
    plan = plan_sweep(model, over, t_max, dt, seed, replicates, method, record_every, two_start,
                      transient, initial_spread)
    execution = check_execution(scheduler, n_workers, threads, batch_size, ensemble_max_n,
                                progress)
    store_path = None if store is None else Path(os.fspath(store))
    writer = None if store_path is None else Store(store_path, plan)
    arrays = writer.read() if writer is not None else empty_arrays(plan)
    todo = np.flatnonzero(~arrays["done"].ravel()).astype(np.int64)
    batches, slots, execution = schedule(plan, todo, execution)
    if writer is not None:  # everything is checked: create the store (or open it)
        writer.open_for_writing()

    bar = Progress(plan.n_points, plan.n_points - todo.size, progress) if todo.size else None
    collect = _Collector(arrays, writer, bar)
    interrupted = False
    try:
        run_batches(batches, plan, todo, slots, execution, collect)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if bar is not None:
            bar.close()
    if interrupted:
        where = (f" in {str(store_path)!r}; run the same sweep again to finish it"
                 if store_path else "")
        warnings.warn(f"sweep interrupted: {int(arrays['done'].sum())} of {plan.n_points} points "
                      f"finished{where}", RuntimeWarning, stacklevel=2)
    if collect.theory_errors:
        warnings.warn("theory_label is 'unavailable' where the theory failed: "
                      + "; ".join(collect.theory_errors[:3]), RuntimeWarning, stacklevel=2)
    dataset = build_dataset(plan, arrays, store_path)
    dataset.attrs["points_computed"] = collect.computed
    return dataset
