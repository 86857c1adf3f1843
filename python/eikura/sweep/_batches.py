"""Running points: batches of points, each batch an ensemble or one large network.

A batch of small networks runs as an *ensemble*: every member is a single-threaded C++
simulation and one C++ call advances all of them in one OpenMP loop over members
(bit-identical to running each alone). A larger network runs alone, with OpenMP threads
over its oscillators. :func:`run_batch` runs on a worker and writes nothing: the client
stores what it returns.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import _core

# An ensemble member is built exactly as ek.simulate builds its run (same frequencies,
# network, initial phases and C++ settings): both go through the engine.
from .._engine import (
    MemoryLimitError,
    available_memory_bytes,
    core_simulation,
    estimate_memory,
    initial_phases,
    natural_frequencies,
    usable_cores,
)
from ..classify import DEFAULT_TRANSIENT_FRACTION, classify
from ..distributions import Lorentzian
from ..labels import UNAVAILABLE, label_codes
from ..model import COUPLINGS, EIKuramoto
from ..networks import AllToAll, Graph
from ..schedules import Constant
from ._plan import Plan, RunSettings
from ._variables import LABELS, QUANTITIES, STATISTICS

__all__ = ["Batch", "BatchResult", "check_memory", "estimated_seconds", "make_batches", "run_batch",
           "run_members"]

# Batch sizing: a batch should keep one thread busy for about this long (seconds), at
# about this many oscillator-steps per second and thread (RK4, all-to-all; sparse
# networks cost more per oscillator, see _cost_per_step).
_TARGET_BATCH_SECONDS = 10.0
_OSCILLATOR_STEPS_PER_SECOND = 3e6
# Advance in rounds of about this long so that Ctrl-C is seen promptly in-process.
_ROUND_SECONDS = 0.5

_TheoryCache = dict[Any, tuple[str, str | None]]


def _cost_per_step(model: EIKuramoto) -> float:
    """Rough cost of one step in all-to-all oscillator-steps (for batch sizing only)."""
    inputs = model.network.inputs_per_oscillator(model.n_e, model.n_i)  # type: ignore[arg-type]
    return model.n * (1.0 + inputs / 20.0)


def _sizes(model: EIKuramoto) -> tuple[int, int]:
    return int(model.n_e), int(model.n_i)  # type: ignore[arg-type]  # set by validation


def _build_member(model: EIKuramoto, seed: int, initial: str, settings: RunSettings,
                  threads: int) -> Any:
    """The C++ simulation that ``ek.simulate(model, ..., initial=initial, seed=seed)`` runs."""
    omega = natural_frequencies(model, seed)
    phases = initial_phases(initial, model.n, seed, settings.initial_spread)
    return core_simulation(model, omega, phases, seed, threads, method=settings.method,
                           dt=settings.dt, n_steps=settings.n_steps,
                           record_every=settings.record_every, snapshot_every=0,
                           frequency_from_step=-1, wrap=True)


def run_members(models: Sequence[EIKuramoto], seeds: Sequence[int], initials: Sequence[str],
                settings: RunSettings, threads: int,
                ensemble: bool) -> list[NDArray[np.complex128]]:
    """Run members to ``t_max``; returns each member's records ``(n_records, 3)``: Z_E, Z_I, Z.

    With ``ensemble`` every member is single-threaded and one C++ call advances all of
    them in an OpenMP loop over members; otherwise each member uses ``threads`` OpenMP
    threads over its oscillators. Both give exactly ``ek.simulate``'s records.
    """
    member_threads = 1 if ensemble else threads
    simulations = [_build_member(model, seed, initial, settings, member_threads)
                   for model, seed, initial in zip(models, seeds, initials, strict=True)]
    cost = sum(_cost_per_step(model) for model in models)
    parallel = min(threads, len(simulations)) if ensemble else threads
    round_steps = max(1, int(_ROUND_SECONDS * _OSCILLATOR_STEPS_PER_SECOND * parallel
                             / max(cost, 1.0)))
    if ensemble:
        while not all(simulation.finished for simulation in simulations):
            _core.advance_ensemble(simulations, round_steps, threads)
    else:
        for simulation in simulations:
            while not simulation.finished:
                simulation.advance(round_steps)
    return [np.array(simulation.z_records, dtype=np.complex128) for simulation in simulations]


def _theory_applies(model: EIKuramoto) -> bool:
    """Constant couplings, Lorentzians of one centre, a mean-field normalization, no
    drives and no delays; phase lags are fine (``eikura.theory.classify`` takes them), but
    not with noise: only the quick noise treatment takes lags, and a sweep through
    α = 0 would then switch between two noise theories at that point."""
    couplings = [getattr(model, name) for name in COUPLINGS]
    frequencies = model.frequencies
    pair = frequencies if isinstance(frequencies, tuple) else (frequencies, frequencies)
    return (
        all(isinstance(coupling, Constant) for coupling in couplings)
        and isinstance(pair[0], Lorentzian) and isinstance(pair[1], Lorentzian)
        and pair[0].center == pair[1].center
        and not isinstance(model.network, Graph)
        and not model.drives
        and not any(model.delays)
        and not (any(model.phase_lags) and any(model.noise))  # type: ignore[arg-type]
        and (model.normalization == "in-degree"
             or (model.normalization == "population" and isinstance(model.network, AllToAll)))
    )


def _theory_label(model: EIKuramoto, cache: _TheoryCache) -> tuple[str, str | None]:
    """The mean-field label for a model, ``UNAVAILABLE`` where the theory does not apply;
    and the error where the theory failed."""
    if not _theory_applies(model):
        return UNAVAILABLE, None
    frequencies = model.frequencies
    for_e, for_i = frequencies if isinstance(frequencies, tuple) else (frequencies, frequencies)
    noise_e, noise_i = model.noise  # type: ignore[misc]
    key = (*(getattr(model, name).value for name in COUPLINGS),
           for_e.width, for_i.width, noise_e, noise_i, *model.phase_lags)
    if key in cache:
        return cache[key]
    try:
        from ..theory import classify as theory_classify
    except ImportError as error:
        cache[key] = (UNAVAILABLE, f"eikura.theory could not be imported: {error}")
        return cache[key]
    names = ("k_ee", "k_ei", "k_ie", "k_ii", "width_e", "width_i")
    arguments: dict[str, Any] = dict(zip(names, key[:6], strict=True))
    if noise_e or noise_i:
        arguments.update(noise_e=noise_e, noise_i=noise_i)
    if any(model.phase_lags):  # (without noise: _theory_applies)
        arguments["phase_lag"] = dict(zip(("ee", "ei", "ie", "ii"), model.phase_lags, strict=True))
    try:
        label = str(theory_classify(**arguments))
        cache[key] = (label if label in LABELS else UNAVAILABLE, None)
    except Exception as error:  # a theory failure must not lose the simulated points
        cache[key] = (UNAVAILABLE, f"eikura.theory.classify failed at {arguments}: {error!r}")
    return cache[key]


def _summaries(records: NDArray[np.complex128], t: NDArray[np.float64], window_start: float,
               suffix: str) -> dict[str, float]:
    keep = t >= t[0] + window_start
    out: dict[str, float] = {}
    for quantity, column in QUANTITIES:
        r = np.abs(records[keep, column])
        for statistic, percentile in STATISTICS:
            value = np.mean(r) if percentile is None else np.percentile(r, percentile)
            out[f"{quantity}_{statistic}{suffix}"] = float(value)
    return out


@dataclass
class Batch:
    """One task: points run together (an ensemble when ``ensemble``)."""

    indices: list[int]
    models: list[EIKuramoto]
    seeds: list[int]
    settings: RunSettings
    ensemble: bool
    threads: int | None  # OpenMP threads; None: decided on the worker (threads_by_worker)
    threads_by_worker: dict[str, int] = field(default_factory=dict)


@dataclass
class BatchResult:
    """The per-point variables of a batch's points (flat indices ``indices``)."""

    indices: list[int]
    values: dict[str, NDArray[Any]]
    wall_time: float
    theory_errors: list[str]


def _threads_on_worker(batch: Batch) -> int:
    if batch.threads is not None:
        return batch.threads
    try:
        from distributed import get_worker

        worker = get_worker()
        if worker.address in batch.threads_by_worker:
            return batch.threads_by_worker[worker.address]
        return max(1, usable_cores() // max(1, int(worker.state.nthreads)))
    except (ImportError, ValueError):  # not on a Dask worker
        return usable_cores()


def _point_row(model: EIKuramoto, seed: int, records: Sequence[NDArray[np.complex128]],
               starts: Sequence[str], t: NDArray[np.float64], settings: RunSettings,
               theory: str) -> dict[str, Any]:
    """The variables of one point from the records of its runs (one per start)."""
    span = float(t[-1] - t[0])
    window_start = (DEFAULT_TRANSIENT_FRACTION * span if settings.transient is None
                    else settings.transient)
    n_e, n_i = _sizes(model)
    runs = []
    row: dict[str, Any] = {}
    for z, initial in zip(records, starts, strict=True):
        runs.append(SimpleNamespace(t=t, r=np.abs(z[:, 2]), r_e=np.abs(z[:, 0]),
                                    r_i=np.abs(z[:, 1]), n_e=n_e, n_i=n_i))
        row.update(_summaries(z, t, window_start, "" if initial == "random" else "_sync"))
    verdict = classify(tuple(runs) if settings.two_start else runs[0],
                       transient=settings.transient)
    row.update(label=verdict.label, theory_label=theory,
               fraction_high=verdict.fraction_high, n_switches=verdict.n_switches,
               low_level=verdict.low_level, high_level=verdict.high_level,
               n_e=n_e, n_i=n_i, run_seed=seed)
    return row


def run_batch(batch: Batch) -> BatchResult:
    """Simulate and classify the points of one batch (runs on a worker; writes nothing)."""
    start = time.perf_counter()
    settings = batch.settings
    starts = ("random", "sync") if settings.two_start else ("random",)
    members = [(model, seed, initial)
               for model, seed in zip(batch.models, batch.seeds, strict=True)
               for initial in starts]
    records = run_members([m for m, _, _ in members], [s for _, s, _ in members],
                          [i for _, _, i in members], settings, _threads_on_worker(batch),
                          batch.ensemble)
    t = np.arange(records[0].shape[0], dtype=np.float64) * (settings.record_every * settings.dt)
    rows: list[dict[str, Any]] = []
    theory_cache: _TheoryCache = {}
    errors: list[str] = []
    for position, (model, seed) in enumerate(zip(batch.models, batch.seeds, strict=True)):
        theory, error = _theory_label(model, theory_cache)
        if error is not None and error not in errors:
            errors.append(error)
        first = position * len(starts)
        rows.append(_point_row(model, seed, records[first:first + len(starts)], starts, t,
                               settings, theory))
    wall_time = time.perf_counter() - start
    values = {name: np.array([row[name] for row in rows]) for name in rows[0]}
    for name in ("label", "theory_label"):
        values[name] = label_codes(values[name])
    values["wall_time"] = np.full(len(rows), wall_time / len(rows))
    return BatchResult(indices=list(batch.indices), values=values, wall_time=wall_time,
                       theory_errors=errors)


def estimated_seconds(plan: Plan, todo: NDArray[np.int64]) -> float:
    """Rough single-thread seconds that the points ``todo`` take (for scheduling only)."""
    starts = 2 if plan.settings.two_start else 1
    steps = plan.settings.n_steps * starts
    return float(sum(_cost_per_step(plan.model_of(int(flat))) for flat in todo)) * steps \
        / _OSCILLATOR_STEPS_PER_SECOND


def _batch_size(plan: Plan, members: Sequence[int], slots: int, threads: int | None) -> int:
    """Points per ensemble batch: about _TARGET_BATCH_SECONDS of work per thread, at
    least one batch per slot, and at least one point per thread."""
    starts = 2 if plan.settings.two_start else 1
    thread_estimate = threads or 1
    cost = max(_cost_per_step(plan.model_of(flat)) for flat in members)
    point_seconds = cost * plan.settings.n_steps * starts / _OSCILLATOR_STEPS_PER_SECOND
    by_time = max(1, int(thread_estimate * _TARGET_BATCH_SECONDS / max(point_seconds, 1e-9)))
    by_balance = math.ceil(len(members) / max(slots, 1))
    return max(min(by_time, by_balance), min(thread_estimate, len(members)), 1)


def make_batches(plan: Plan, todo: NDArray[np.int64], slots: int, threads: int | None,
                 batch_size: int | None, ensemble_max_n: int) -> list[Batch]:
    """Group the points to compute by network size and cut the groups into batches."""
    groups: dict[tuple[int, int, bool], list[int]] = {}
    for flat in todo.tolist():
        model = plan.model_of(flat)
        key = (*_sizes(model), model.n <= ensemble_max_n)
        groups.setdefault(key, []).append(flat)
    batches: list[Batch] = []
    for (_, _, ensemble), members in groups.items():
        if not ensemble:
            size = 1
        elif batch_size is not None:
            size = batch_size
        else:
            size = _batch_size(plan, members, slots, threads)
        for begin in range(0, len(members), size):
            chunk = members[begin:begin + size]
            batches.append(Batch(indices=chunk, models=[plan.model_of(f) for f in chunk],
                                 seeds=[plan.seed_of(f) for f in chunk], settings=plan.settings,
                                 ensemble=ensemble, threads=threads))
    return batches


def check_memory(batches: Sequence[Batch], concurrent: int) -> None:
    """Refuse batches that, ``concurrent`` at a time, would not fit in memory."""
    if not batches:
        return
    starts = 2 if batches[0].settings.two_start else 1
    settings = batches[0].settings

    def need(batch: Batch) -> int:
        return starts * sum(estimate_memory(model, settings.n_steps, settings.record_every,
                                            0, settings.dt)["total"]
                            for model in batch.models)

    largest = max(need(batch) for batch in batches)
    available = available_memory_bytes()
    if largest * max(1, concurrent) > available:
        raise MemoryLimitError(
            f"batch_size: {max(1, concurrent)} batches at once need about "
            f"{largest * max(1, concurrent) / 2**30:.2f} GiB but {available / 2**30:.2f} GiB is "
            "available; use a smaller batch_size, fewer workers (n_workers) or record less often"
        )
