"""Where batches run: in this process one after another, or on a Dask cluster.

On a cluster each task gets ``cores // tasks per host`` OpenMP threads, so cores are never
oversubscribed; in this process every batch uses every core. Results do not depend on
where they ran.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._engine import usable_cores
from .._validation import check_int
from ._batches import Batch, BatchResult, check_memory, estimated_seconds, make_batches, run_batch
from ._plan import Plan

__all__ = ["Execution", "Progress", "check_execution", "run_batches", "schedule"]

_SCHEDULER_CHOICES = "None, 'serial', 'local', an address 'tcp://host:port' or a distributed.Client"


@dataclass(frozen=True)
class Execution:
    """The checked execution arguments of :func:`eikura.sweep`."""

    mode: str  # "serial", "local" (a LocalCluster we own), "address" or "client"
    scheduler: Any
    n_workers: int | None
    threads: int | None
    batch_size: int | None
    ensemble_max_n: int
    progress: bool | None


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ImportError("scheduler: running on a Dask cluster needs dask.distributed; install "
                          "it with `pip install eikura[distributed]`, or use scheduler='serial'"
                          ) from None
    return distributed


def _is_client(value: Any) -> bool:
    try:
        from distributed import Client
    except ImportError:  # a Client cannot exist without distributed
        return False
    return isinstance(value, Client)


# scheduler=None runs serially unless the sweep is long: on one machine the serial path
# already spreads ensembles over every core, and a local cluster only adds its start-up
# (measured on 2 cores, 1000 oscillators, 12 to 48 points of 1000-4000 RK4 steps: serial
# 0.9-10.8 s, local cluster 3.4-16.7 s, never faster). A long sweep gets worker processes
# anyway, so that a point that crashes its process does not stop the sweep.
LOCAL_CLUSTER_AFTER_SECONDS = 600.0


def _resolve_scheduler(scheduler: Any) -> str:
    """``"auto"`` (None), ``"serial"``, ``"local"`` (a LocalCluster we own),
    ``"address"`` or ``"client"``."""
    if scheduler is None:
        return "auto"
    if isinstance(scheduler, str):
        if scheduler in ("serial", "local"):
            if scheduler == "local":
                _import_distributed()
            return scheduler
        if "://" in scheduler or ":" in scheduler:
            _import_distributed()
            return "address"
        raise ValueError(f"scheduler: expected {_SCHEDULER_CHOICES}, got {scheduler!r}")
    if _is_client(scheduler):
        return "client"
    raise TypeError(f"scheduler: expected {_SCHEDULER_CHOICES}, got {type(scheduler).__name__}")


def check_execution(scheduler: Any, n_workers: Any, threads: Any, batch_size: Any,
                    ensemble_max_n: Any, progress: Any) -> Execution:
    """Check the execution arguments of :func:`eikura.sweep`."""
    if n_workers is not None:
        n_workers = check_int("n_workers", n_workers, minimum=1)
    if threads is not None:
        threads = check_int("threads", threads, minimum=1, maximum=4096)
    if batch_size is not None:
        batch_size = check_int("batch_size", batch_size, minimum=1)
    ensemble_max_n = check_int("ensemble_max_n", ensemble_max_n, minimum=0)
    if progress is not None and not isinstance(progress, bool):
        raise TypeError("progress: expected True, False or None")
    return Execution(mode=_resolve_scheduler(scheduler), scheduler=scheduler,
                     n_workers=n_workers, threads=threads, batch_size=batch_size,
                     ensemble_max_n=ensemble_max_n, progress=progress)


def schedule(plan: Plan, todo: NDArray[np.int64],
             execution: Execution) -> tuple[list[Batch], int, Execution]:
    """The batches of the points ``todo``, the task slots they run in (0: known only once
    connected to a cluster), checked to fit in memory, and the execution with its mode
    decided (``scheduler=None``: serial or a local cluster, by the work estimated)."""
    cores = usable_cores()
    threads, batch_size = execution.threads, execution.batch_size
    task_threads: int | None
    if execution.mode == "auto":
        execution = replace(execution, mode=_automatic_mode(plan, todo, cores))
    if execution.mode == "serial":
        slots, task_threads = 1, threads or cores
    elif execution.mode == "local":
        probe = make_batches(plan, todo, cores, 1, batch_size, execution.ensemble_max_n)
        workers = execution.n_workers or max(1, min(cores, len(probe)))
        slots, task_threads = workers, threads or max(1, cores // workers)
    else:  # known once connected
        slots, task_threads = 0, threads
    batches = make_batches(plan, todo, max(slots, 1), task_threads, batch_size,
                           execution.ensemble_max_n)
    check_memory(batches, slots if execution.mode in ("serial", "local") else 1)
    return batches, slots, execution


def _automatic_mode(plan: Plan, todo: NDArray[np.int64], cores: int) -> str:
    """Serial for sweeps estimated to take less than LOCAL_CLUSTER_AFTER_SECONDS on this
    machine's cores (or without dask.distributed), a local cluster beyond."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return "serial"
    seconds = estimated_seconds(plan, todo) / cores
    return "local" if seconds > LOCAL_CLUSTER_AFTER_SECONDS else "serial"


def _accepts_n_workers(client: Any) -> bool:
    import inspect

    try:
        return "n_workers" in inspect.signature(client.scheduler_info).parameters
    except (TypeError, ValueError):
        return False


def _threads_by_worker(client: Any, threads: int | None) -> tuple[dict[str, int], int]:
    """OpenMP threads per task on each worker (cores on its host / task slots on its host)."""
    # Recent distributed lists only 5 workers by default.
    info = (client.scheduler_info(n_workers=-1) if _accepts_n_workers(client)
            else client.scheduler_info())
    workers = info.get("workers", {})
    if not workers:
        raise RuntimeError("scheduler: the Dask cluster has no workers")
    slots = sum(int(worker["nthreads"]) for worker in workers.values())
    if threads is not None:
        return dict.fromkeys(workers, threads), slots
    cores = client.run(usable_cores)
    slots_by_host: dict[str, int] = {}
    for worker in workers.values():
        host = worker["host"]
        slots_by_host[host] = slots_by_host.get(host, 0) + int(worker["nthreads"])
    by_worker = {address: max(1, int(cores.get(address, 1)) // slots_by_host[worker["host"]])
                 for address, worker in workers.items()}
    return by_worker, slots


def _client(distributed: Any, execution: Execution, cluster: Any) -> Any:
    """A client of ``cluster`` (local), of the scheduler at an address, or the user's."""
    if execution.mode == "local":
        return distributed.Client(cluster)
    if execution.mode == "address":
        return distributed.Client(execution.scheduler)
    return execution.scheduler


def _run_on_dask(batches: Sequence[Batch], plan: Plan, todo: NDArray[np.int64], slots: int,
                 execution: Execution, handle: Callable[[BatchResult], None]) -> None:
    distributed = _import_distributed()
    cluster = None
    client = None
    owned = execution.mode in ("local", "address")
    futures: list[Any] = []
    try:
        if execution.mode == "local":
            cluster = distributed.LocalCluster(n_workers=slots, threads_per_worker=1,
                                               processes=True,
                                               dashboard_address=":0")  # any free port
        client = _client(distributed, execution, cluster)
        if execution.mode != "local":
            threads = execution.threads
            by_worker, slots = _threads_by_worker(client, threads)
            estimate = threads or min(by_worker.values())
            batches = make_batches(plan, todo, slots, estimate, execution.batch_size,
                                   execution.ensemble_max_n)
            for batch in batches:
                batch.threads = threads
                batch.threads_by_worker = by_worker
        futures = [client.submit(run_batch, batch, pure=False) for batch in batches]
        for _, result in distributed.as_completed(futures, with_results=True):
            handle(result)
    except BaseException:
        if client is not None and futures:
            with contextlib.suppress(Exception):  # the cluster may already be gone
                client.cancel(futures)
        raise
    finally:
        if owned and client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def run_batches(batches: Sequence[Batch], plan: Plan, todo: NDArray[np.int64], slots: int,
                execution: Execution, handle: Callable[[BatchResult], None]) -> None:
    """Run every batch and pass each result to ``handle`` (in this process) as it arrives."""
    if not batches:
        return
    if execution.mode == "serial":
        for batch in batches:
            handle(run_batch(batch))
    else:
        _run_on_dask(batches, plan, todo, slots, execution, handle)


class Progress:
    """A progress bar over points (tqdm); ``progress=None`` shows it only on a terminal."""

    def __init__(self, total: int, done: int, progress: bool | None) -> None:
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, initial=done, unit="point", desc="eikura sweep",
                        file=sys.stderr, dynamic_ncols=True,
                        disable=None if progress is None else not progress)

    def update(self, count: int) -> None:
        self.bar.update(count)

    def close(self) -> None:
        self.bar.close()
