"""Parameter sweeps: many simulations, classified, stored as they finish (SPEC §6, §8).

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
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import numbers
import os
import shutil
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
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
    check_method,
    core_simulation,
    estimate_memory,
    initial_phases,
    natural_frequencies,
    usable_cores,
)
from .._metadata import eikura_version
from .._validation import check_int, check_nonnegative, check_positive, check_seed
from ..classify import classify
from ..distributions import Lorentzian
from ..model import COUPLINGS, EIKuramoto
from ..networks import AllToAll, Graph
from ..schedules import Constant

__all__ = ["sweep", "load_sweep", "plot_sweep", "read_config", "sweep_fields", "LABELS",
           "RESULT_VARIABLES", "TIMING_VARIABLES"]

# Label codes stored in the Zarr store (-1: point not computed yet).
LABELS: tuple[str, ...] = ("synchronized", "desynchronized", "bistable", "other", "unavailable")
_MISSING_CODE = -1
_MISSING_LABEL = ""
STORE_FORMAT = "eikura-sweep/1"

_SIZE_FIELDS = ("n", "n_e", "n_i")
_NOISE_FIELDS = ("noise", "noise_e", "noise_i")
_WIDTH_FIELDS = ("width", "width_e", "width_i")
_INTEGER_FIELDS = ("n", "n_e", "n_i", "seed")
_CONFLICTS = (("n", "n_e"), ("n", "n_i"), ("noise", "noise_e"), ("noise", "noise_i"),
              ("width", "width_e"), ("width", "width_i"))
_QUANTITIES = (("r", 2), ("r_e", 0), ("r_i", 1))  # column of the C++ records (Z_E, Z_I, Z)
_STATISTICS = (("mean", None), ("p05", 5.0), ("p50", 50.0), ("p95", 95.0))

# Batch sizing: a batch should keep one thread busy for about this long (seconds), at
# about this many oscillator-steps per second and thread (RK4, all-to-all; sparse
# networks cost more per oscillator, see _cost_per_step).
_TARGET_BATCH_SECONDS = 10.0
_OSCILLATOR_STEPS_PER_SECOND = 3e6
# Advance in rounds of about this long so that Ctrl-C is seen promptly in-process.
_ROUND_SECONDS = 0.5

TIMING_VARIABLES: tuple[str, ...] = ("wall_time", "stored_at")
"""Variables that depend on when and where a point ran (everything else is reproducible)."""


def _statistic_specs(two_start: bool) -> list[tuple[str, str]]:
    """(variable name, long name) of the order-parameter summaries."""
    starts = (("", "random"), ("_sync", "synchronized")) if two_start else (("", "random"),)
    out = []
    for suffix, start in starts:
        for quantity, _ in _QUANTITIES:
            for statistic, percentile in _STATISTICS:
                what = "mean" if percentile is None else f"{percentile:g}th percentile"
                out.append((f"{quantity}_{statistic}{suffix}",
                            f"{what} of {quantity} after the transient, run from {start} phases"))
    return out


# (name, dtype, fill value, attributes) of every per-point variable.
def _variable_specs(two_start: bool) -> list[tuple[str, Any, Any, dict[str, Any]]]:
    label_attrs = {"flag_values": list(range(len(LABELS))), "flag_meanings": " ".join(LABELS),
                   "missing_value_code": _MISSING_CODE}
    specs: list[tuple[str, Any, Any, dict[str, Any]]] = [
        ("label", np.int8, _MISSING_CODE,
         {**label_attrs, "long_name": "simulated state (eikura.classify)"}),
        ("theory_label", np.int8, _MISSING_CODE,
         {**label_attrs, "long_name": "mean-field theory state (eikura.theory.classify)"}),
        ("fraction_high", np.float64, np.nan, {"long_name": "fraction of time r is high"}),
        ("n_switches", np.int32, -1, {"long_name": "switches between low and high r"}),
        ("low_level", np.float64, np.nan, {"long_name": "mean r over low episodes"}),
        ("high_level", np.float64, np.nan, {"long_name": "mean r over high episodes"}),
    ]
    for name, long_name in _statistic_specs(two_start):
        specs.append((name, np.float64, np.nan, {"long_name": long_name}))
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
    name for name, *_ in _variable_specs(True) if name not in TIMING_VARIABLES
)
"""Every reproducible per-point variable (with ``two_start=True``)."""


# --------------------------------------------------------------------------- fields

def _network_field_names(model: EIKuramoto) -> list[str]:
    network = model.network
    if isinstance(network, (AllToAll, Graph)) or not dataclasses.is_dataclass(network):
        return []
    return [f"network.{f.name}" for f in dataclasses.fields(network)
            if f.init and f.name != "self_connections"]


def sweep_fields(model: EIKuramoto) -> tuple[str, ...]:
    """The configuration fields a sweep of ``model`` can vary.

    Couplings ``k_ee, k_ei, k_ie, k_ii``; sizes ``n`` (scales ``n_e`` and ``n_i`` keeping
    the excitatory fraction), ``n_e``, ``n_i``; noise ``noise`` (both populations),
    ``noise_e``, ``noise_i``; Lorentzian half-widths ``width`` (both), ``width_e``,
    ``width_i``; ``network.<parameter>`` of a random network (e.g. ``network.k_e``,
    ``network.p``, ``network.seed``); and ``seed`` (the run seed, for replicates).

    Examples
    --------
    >>> import eikura as ek
    >>> from eikura.sweep import sweep_fields
    >>> model = ek.EIKuramoto(n_e=80, n_i=20, network=ek.FixedInDegree(k_e=8, k_i=2))
    >>> sweep_fields(model)[-3:]
    ('network.k_ie', 'network.k_ii', 'network.seed')
    """
    if not isinstance(model, EIKuramoto):
        raise TypeError(f"model: expected an eikura.EIKuramoto, got {type(model).__name__}")
    return (*COUPLINGS, *_SIZE_FIELDS, *_NOISE_FIELDS, *_WIDTH_FIELDS, "seed",
            *_network_field_names(model))


def _lorentzian_pair(model: EIKuramoto, field_name: str) -> tuple[Lorentzian, Lorentzian]:
    frequencies = model.frequencies
    pair = frequencies if isinstance(frequencies, tuple) else (frequencies, frequencies)
    if not all(isinstance(part, Lorentzian) for part in pair):
        described = "an array" if isinstance(frequencies, np.ndarray) else repr(frequencies)
        raise ValueError(
            f"over: {field_name!r} sets the half-width of Lorentzian frequencies, but the "
            f"model's frequencies are {described}"
        )
    return pair  # type: ignore[return-value]


def _check_field_names(model: EIKuramoto, names: Sequence[str]) -> None:
    valid = sweep_fields(model)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"over: field names must be strings, got {name!r}")
        if name == "replicate":
            raise ValueError("over: 'replicate' is not a field; use replicates=<count>")
        if name not in valid:
            hint = ""
            if name.startswith("network.") and not _network_field_names(model):
                hint = (f" (the model's network, {type(model.network).__name__}, has no "
                        "parameters to sweep)")
            raise ValueError(
                f"over: unknown field {name!r}{hint}; valid fields for this model: "
                f"{', '.join(valid)}"
            )
    for first, second in _CONFLICTS:
        if first in names and second in names:
            raise ValueError(f"over: {first!r} and {second!r} both set {second}; sweep only one")
    if any(name in _WIDTH_FIELDS for name in names):
        _lorentzian_pair(model, next(name for name in names if name in _WIDTH_FIELDS))
    if any(name in _SIZE_FIELDS for name in names) and isinstance(model.network, Graph):
        raise ValueError("over: the size of a model with a user-supplied ek.Graph cannot be swept")


def _field_values(name: str, values: Any) -> NDArray[Any]:
    label = f"over[{name!r}]"
    if isinstance(values, (str, bytes, Mapping)) or np.ndim(values) == 0:
        raise TypeError(
            f"{label}: expected a 1-D sequence of values, got {type(values).__name__} "
            "(put fixed values in the model)"
        )
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{label}: expected a 1-D sequence of values, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{label}: empty grid; give at least one value")
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{label}: expected numbers, got dtype {array.dtype}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{label}: contains NaN or infinite values")
    integer = name in _INTEGER_FIELDS or (name.startswith("network.") and name[8:] not in ("p",)
                                          and not name[8:].startswith("p_"))
    if integer:
        if array.dtype.kind == "f" and not np.all(array == np.round(array)):
            raise ValueError(f"{label}: expected integers, got {array.tolist()}")
        array = array.astype(np.uint64 if name == "seed" else np.int64)
    else:
        array = array.astype(np.float64)
    return array


def _with_fields(model: EIKuramoto, values: Mapping[str, Any]) -> EIKuramoto:
    """``model`` with the swept fields set (validated by the model itself)."""
    changes: dict[str, Any] = {}
    noise = list(model.noise)  # type: ignore[arg-type]
    widths: list[float] | None = None
    network_changes: dict[str, Any] = {}
    for name, value in values.items():
        if name in COUPLINGS:
            changes[name] = float(value)
        elif name in ("n_e", "n_i"):
            changes[name] = int(value)
        elif name == "n":
            total = int(value)
            n_e = int(round(total * int(model.n_e) / model.n))  # type: ignore[arg-type]
            changes["n_e"], changes["n_i"] = n_e, total - n_e
        elif name in _NOISE_FIELDS:
            if name in ("noise", "noise_e"):
                noise[0] = float(value)
            if name in ("noise", "noise_i"):
                noise[1] = float(value)
        elif name in _WIDTH_FIELDS:
            if widths is None:
                widths = [part.width for part in _lorentzian_pair(model, name)]
            if name in ("width", "width_e"):
                widths[0] = float(value)
            if name in ("width", "width_i"):
                widths[1] = float(value)
        elif name.startswith("network."):
            network_changes[name[len("network."):]] = int(value) if isinstance(
                value, (numbers.Integral, np.integer)) else float(value)
    if noise != list(model.noise):  # type: ignore[arg-type]
        changes["noise"] = (noise[0], noise[1])
    if widths is not None:
        for_e, for_i = _lorentzian_pair(model, "width")
        changes["frequencies"] = (dataclasses.replace(for_e, width=widths[0]),
                                  dataclasses.replace(for_i, width=widths[1]))
    if network_changes:
        changes["network"] = dataclasses.replace(model.network, **network_changes)
    return model.with_changes(**changes) if changes else model


# --------------------------------------------------------------------------- the plan

@dataclass(frozen=True)
class _RunSettings:
    """How every point is simulated and classified (identical for all points)."""

    t_max: float
    dt: float
    n_steps: int
    method: str
    record_every: int
    two_start: bool
    initial_spread: float
    transient: float | None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class _Plan:
    """Everything a sweep computes, validated: the points, their models and seeds."""

    kind: str  # "grid" or "list"
    fields: tuple[str, ...]
    values: dict[str, NDArray[Any]]  # grid: values along each field; list: value per point
    shape: tuple[int, ...]  # (*grid shape or (n_points,), replicates)
    dims: tuple[str, ...]
    models: list[EIKuramoto]  # one per parameter point (C order), replicates share it
    base_seeds: list[int]  # one per parameter point
    replicates: int
    settings: _RunSettings
    config: dict[str, Any]

    @property
    def n_points(self) -> int:
        return int(np.prod(self.shape))

    def model_of(self, flat: int) -> EIKuramoto:
        return self.models[flat // self.replicates]

    def seed_of(self, flat: int) -> int:
        return self.base_seeds[flat // self.replicates] + flat % self.replicates


def _json_values(array: NDArray[Any]) -> list[Any]:
    return [int(v) if array.dtype.kind in "iu" else float(v) for v in array]


def _plan(model: EIKuramoto, over: Any, t_max: Any, dt: Any, seed: Any, replicates: Any,
          method: str | None, record_every: Any, two_start: Any, transient: Any,
          initial_spread: Any) -> _Plan:
    if not isinstance(model, EIKuramoto):
        raise TypeError(f"model: expected an eikura.EIKuramoto, got {type(model).__name__}")
    t_max = check_positive("t_max", t_max)
    dt = check_positive("dt", dt)
    n_steps = int(round(t_max / dt))
    if n_steps < 1:
        raise ValueError(f"t_max: shorter than one step (t_max={t_max}, dt={dt})")
    seed = check_seed("seed", seed)
    replicates = check_int("replicates", replicates, minimum=1)
    record_every = check_int("record_every", record_every, minimum=1)
    if not isinstance(two_start, (bool, np.bool_)):
        raise TypeError(f"two_start: expected True or False, got {type(two_start).__name__}")
    initial_spread = check_nonnegative("initial_spread", initial_spread)
    if transient is not None:
        transient = check_nonnegative("transient", transient)
    n_records = n_steps // record_every + 1
    window_start = 0.2 * (n_records - 1) * record_every * dt if transient is None else transient
    kept = n_records - math.ceil(window_start / (record_every * dt) - 1e-9)
    if kept < 10:
        raise ValueError(
            f"t_max: each run records {n_records} values of r and only {max(kept, 0)} remain after "
            f"the transient ({window_start:g}); classification needs at least 10 (lengthen t_max, "
            "lower record_every or shorten transient)"
        )

    if isinstance(over, Mapping):
        kind = "grid"
        fields = tuple(over)
        if not fields:
            raise ValueError("over: no fields to sweep; give e.g. over={'k_ee': [3.0, 4.0]}")
        _check_field_names(model, fields)
        values = {name: _field_values(name, over[name]) for name in fields}
        for name, array in values.items():
            if np.unique(array).size != array.size:
                raise ValueError(f"over[{name!r}]: grid values must be distinct, "
                                 f"got {array.tolist()}")
        grid_shape = tuple(values[name].size for name in fields)
        combos: Iterable[tuple[Any, ...]] = itertools.product(*(values[name] for name in fields))
        dims = (*fields, "replicate")
    elif isinstance(over, Sequence) and not isinstance(over, (str, bytes)):
        kind = "list"
        if len(over) == 0:
            raise ValueError("over: empty list of points")
        if not all(isinstance(point, Mapping) for point in over):
            raise TypeError("over: expected a mapping {field: values} (a grid) or a list of "
                            "mappings {field: value} (explicit points)")
        fields = tuple(over[0])
        if not fields:
            raise ValueError("over[0]: a point must set at least one field")
        for index, point in enumerate(over):
            if set(point) != set(fields):
                raise ValueError(f"over[{index}]: sets {sorted(point)} but over[0] sets "
                                 f"{sorted(fields)}; every point must set the same fields")
        _check_field_names(model, fields)
        values = {name: _field_values(name, [point[name] for point in over]) for name in fields}
        grid_shape = (len(over),)
        combos = zip(*(values[name] for name in fields), strict=True)
        dims = ("point", "replicate")
    else:
        raise TypeError("over: expected a mapping {field: values} (a grid) or a list of mappings "
                        f"{{field: value}} (explicit points), got {type(over).__name__}")
    if "seed" in fields and replicates > 1:
        raise ValueError("replicates: with 'seed' swept, replicates must be 1 (sweep more seeds)")

    models: list[EIKuramoto] = []
    base_seeds: list[int] = []
    cache: dict[tuple[Any, ...], EIKuramoto] = {}
    for combo in combos:
        point = dict(zip(fields, combo, strict=True))
        base_seeds.append(check_seed("over['seed']", int(point.pop("seed"))) if "seed" in point
                          else seed)
        key = tuple(point.values())
        if key not in cache:
            try:
                cache[key] = _with_fields(model, point)
            except (ValueError, TypeError) as error:
                described = ", ".join(f"{name}={value}" for name, value in point.items())
                raise type(error)(f"over: invalid point ({described}): {error}") from None
        models.append(cache[key])
    for seed_value in base_seeds:
        check_seed("seed", seed_value + replicates - 1)

    # The method must suit every point: judge it on a noisy one if there is any.
    noisy = [m for m in cache.values() if m.has_noise]
    if method is None and model.has_noise:
        noisy.append(model)
    method = check_method(noisy[0] if noisy else next(iter(cache.values())), method)
    settings = _RunSettings(t_max=t_max, dt=dt, n_steps=n_steps, method=method,
                            record_every=record_every, two_start=bool(two_start),
                            initial_spread=initial_spread, transient=transient)
    config = {
        "format": STORE_FORMAT,
        "kind": kind,
        "fields": list(fields),
        "values": {name: _json_values(values[name]) for name in fields},
        "replicates": replicates,
        "seed": seed,
        "model": model.to_dict(),
        "model_arrays_sha256": model.fingerprint() if model.content_arrays() else None,
        "run": settings.to_dict(),
        "eikura_version": eikura_version(),
    }
    json.dumps(config)  # fail here, not after the work, if something is not serialisable
    return _Plan(kind=kind, fields=fields, values=values, shape=(*grid_shape, replicates),
                 dims=dims, models=models, base_seeds=base_seeds, replicates=replicates,
                 settings=settings, config=config)


# --------------------------------------------------------------------------- running points

def _cost_per_step(model: EIKuramoto) -> float:
    """Rough cost of one step in all-to-all oscillator-steps (for batch sizing only)."""
    inputs = model.network.inputs_per_oscillator(model.n_e, model.n_i)  # type: ignore[arg-type]
    return model.n * (1.0 + inputs / 20.0)


def _sizes(model: EIKuramoto) -> tuple[int, int]:
    return int(model.n_e), int(model.n_i)  # type: ignore[arg-type]  # set by validation


def _build_member(model: EIKuramoto, seed: int, initial: str, settings: _RunSettings,
                  threads: int) -> Any:
    """The C++ simulation that ``ek.simulate(model, ..., initial=initial, seed=seed)`` runs."""
    omega = natural_frequencies(model, seed)
    phases = initial_phases(initial, model.n, seed, settings.initial_spread)
    return core_simulation(model, omega, phases, seed, threads, method=settings.method,
                            dt=settings.dt, n_steps=settings.n_steps,
                            record_every=settings.record_every, snapshot_every=0,
                            frequency_from_step=-1, wrap=True)


def _run_members(models: Sequence[EIKuramoto], seeds: Sequence[int], initials: Sequence[str],
                 settings: _RunSettings, threads: int,
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


def _theory_label(model: EIKuramoto,
                  cache: dict[Any, tuple[str, str | None]]) -> tuple[str, str | None]:
    """The mean-field label for a model, "unavailable" where the theory does not apply."""
    couplings = [getattr(model, name) for name in COUPLINGS]
    frequencies = model.frequencies
    pair = frequencies if isinstance(frequencies, tuple) else (frequencies, frequencies)
    applicable = (
        all(isinstance(coupling, Constant) for coupling in couplings)
        and all(isinstance(part, Lorentzian) for part in pair)
        and pair[0].center == pair[1].center  # type: ignore[union-attr]
        and not isinstance(model.network, Graph)
        and (model.normalization == "in-degree"
             or (model.normalization == "population" and isinstance(model.network, AllToAll)))
    )
    if not applicable:
        return "unavailable", None
    noise_e, noise_i = model.noise  # type: ignore[misc]
    key = (*(c.value for c in couplings), pair[0].width, pair[1].width, noise_e, noise_i)  # type: ignore[union-attr]
    if key in cache:
        return cache[key]
    try:
        from ..theory import classify as theory_classify
    except ImportError as error:
        cache[key] = ("unavailable", f"eikura.theory could not be imported: {error}")
        return cache[key]
    names = ("k_ee", "k_ei", "k_ie", "k_ii", "width_e", "width_i")
    arguments: dict[str, Any] = dict(zip(names, key[:6], strict=True))
    if noise_e or noise_i:
        arguments.update(noise_e=noise_e, noise_i=noise_i)
    try:
        label = str(theory_classify(**arguments))
        cache[key] = (label if label in LABELS else "unavailable", None)
    except Exception as error:  # a theory failure must not lose the simulated points
        cache[key] = ("unavailable", f"eikura.theory.classify failed at {arguments}: {error!r}")
    return cache[key]


def _summaries(records: NDArray[np.complex128], t: NDArray[np.float64], window_start: float,
               suffix: str) -> dict[str, float]:
    keep = t >= t[0] + window_start
    out: dict[str, float] = {}
    for quantity, column in _QUANTITIES:
        r = np.abs(records[keep, column])
        for statistic, percentile in _STATISTICS:
            value = np.mean(r) if percentile is None else np.percentile(r, percentile)
            out[f"{quantity}_{statistic}{suffix}"] = float(value)
    return out


@dataclass
class _Batch:
    """One task: points run together (an ensemble when ``ensemble``)."""

    indices: list[int]
    models: list[EIKuramoto]
    seeds: list[int]
    settings: _RunSettings
    ensemble: bool
    threads: int | None  # OpenMP threads; None: decided on the worker (threads_by_worker)
    threads_by_worker: dict[str, int] = field(default_factory=dict)


@dataclass
class _BatchResult:
    indices: list[int]
    values: dict[str, NDArray[Any]]
    wall_time: float
    theory_errors: list[str]


def _threads_on_worker(batch: _Batch) -> int:
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


def _run_batch(batch: _Batch) -> _BatchResult:
    """Simulate and classify the points of one batch (runs on a worker; writes nothing)."""
    start = time.perf_counter()
    settings = batch.settings
    threads = _threads_on_worker(batch)
    starts = ("random", "sync") if settings.two_start else ("random",)
    members = [(model, seed, initial)
               for model, seed in zip(batch.models, batch.seeds, strict=True)
               for initial in starts]
    records = _run_members([m for m, _, _ in members], [s for _, s, _ in members],
                           [i for _, _, i in members], settings, threads, batch.ensemble)
    t = np.arange(records[0].shape[0], dtype=np.float64) * (settings.record_every * settings.dt)
    span = float(t[-1] - t[0])
    window_start = 0.2 * span if settings.transient is None else settings.transient
    rows: list[dict[str, Any]] = []
    theory_cache: dict[Any, tuple[str, str | None]] = {}
    errors: list[str] = []
    for position, (model, seed) in enumerate(zip(batch.models, batch.seeds, strict=True)):
        n_e, n_i = _sizes(model)
        runs = []
        row: dict[str, Any] = {}
        for offset, initial in enumerate(starts):
            z = records[position * len(starts) + offset]
            runs.append(SimpleNamespace(t=t, r=np.abs(z[:, 2]), r_e=np.abs(z[:, 0]),
                                        r_i=np.abs(z[:, 1]), n_e=n_e, n_i=n_i))
            row.update(_summaries(z, t, window_start, "" if initial == "random" else "_sync"))
        verdict = classify(tuple(runs) if settings.two_start else runs[0],
                           transient=settings.transient)
        theory, error = _theory_label(model, theory_cache)
        if error is not None and error not in errors:
            errors.append(error)
        row.update(label=LABELS.index(verdict.label), theory_label=LABELS.index(theory),
                   fraction_high=verdict.fraction_high, n_switches=verdict.n_switches,
                   low_level=verdict.low_level, high_level=verdict.high_level,
                   n_e=n_e, n_i=n_i, run_seed=seed)
        rows.append(row)
    wall_time = time.perf_counter() - start
    values = {name: np.array([row[name] for row in rows]) for name in rows[0]}
    values["wall_time"] = np.full(len(rows), wall_time / len(rows))
    return _BatchResult(indices=list(batch.indices), values=values, wall_time=wall_time,
                        theory_errors=errors)


def _make_batches(plan: _Plan, todo: NDArray[np.int64], slots: int, threads: int | None,
                  batch_size: int | None, ensemble_max_n: int) -> list[_Batch]:
    """Group the points to compute by network size and cut the groups into batches."""
    groups: dict[tuple[int, int, bool], list[int]] = {}
    for flat in todo.tolist():
        model = plan.model_of(flat)
        key = (*_sizes(model), model.n <= ensemble_max_n)
        groups.setdefault(key, []).append(flat)
    starts = 2 if plan.settings.two_start else 1
    thread_estimate = threads or 1
    batches: list[_Batch] = []
    for (_, _, ensemble), members in groups.items():
        if not ensemble:
            sizes = 1
        elif batch_size is not None:
            sizes = batch_size
        else:
            cost = max(_cost_per_step(plan.model_of(flat)) for flat in members)
            point_seconds = cost * plan.settings.n_steps * starts / _OSCILLATOR_STEPS_PER_SECOND
            by_time = max(1, int(thread_estimate * _TARGET_BATCH_SECONDS
                                 / max(point_seconds, 1e-9)))
            by_balance = math.ceil(len(members) / max(slots, 1))
            sizes = max(min(by_time, by_balance), min(thread_estimate, len(members)), 1)
        for begin in range(0, len(members), sizes):
            chunk = members[begin:begin + sizes]
            batches.append(_Batch(indices=chunk, models=[plan.model_of(f) for f in chunk],
                                  seeds=[plan.seed_of(f) for f in chunk], settings=plan.settings,
                                  ensemble=ensemble, threads=threads))
    return batches


def _check_memory(batches: Sequence[_Batch], concurrent: int) -> None:
    if not batches:
        return
    starts = 2 if batches[0].settings.two_start else 1
    settings = batches[0].settings

    def need(batch: _Batch) -> int:
        return starts * sum(estimate_memory(model, settings.n_steps, settings.record_every,
                                            0)["total"]
                            for model in batch.models)

    largest = max(need(batch) for batch in batches)
    available = available_memory_bytes()
    if largest * max(1, concurrent) > available:
        raise MemoryLimitError(
            f"batch_size: {max(1, concurrent)} batches at once need about "
            f"{largest * max(1, concurrent) / 2**30:.2f} GiB but {available / 2**30:.2f} GiB is "
            "available; use a smaller batch_size, fewer workers (n_workers) or record less often"
        )


# --------------------------------------------------------------------------- the store

def _chunk_shape(shape: tuple[int, ...], limit: int = 65536) -> tuple[int, ...]:
    chunks = list(shape)
    axis = 0
    while int(np.prod(chunks)) > limit and axis < len(chunks):
        excess = math.ceil(int(np.prod(chunks)) / limit)
        chunks[axis] = max(1, math.ceil(chunks[axis] / excess))
        if chunks[axis] == 1:
            axis += 1
    return tuple(chunks)


def _coordinates(plan: _Plan) -> dict[str, Any]:
    coords: dict[str, Any] = {"replicate": np.arange(plan.replicates)}
    if plan.kind == "grid":
        coords.update({name: plan.values[name] for name in plan.fields})
    else:
        coords["point"] = np.arange(plan.shape[0])
        coords.update({name: ("point", plan.values[name]) for name in plan.fields})
    return coords


def _empty_arrays(plan: _Plan) -> dict[str, NDArray[Any]]:
    return {name: np.full(plan.shape, fill, dtype=dtype)
            for name, dtype, fill, _ in _variable_specs(plan.settings.two_start)}


def _config_differences(stored: Any, wanted: Any, prefix: str = "") -> list[str]:
    if isinstance(stored, dict) and isinstance(wanted, dict):
        out: list[str] = []
        for key in sorted(set(stored) | set(wanted), key=str):
            name = f"{prefix}.{key}" if prefix else str(key)
            if key not in stored:
                out.append(f"{name}: missing in the store, {json.dumps(wanted[key])} in this sweep")
            elif key not in wanted:
                out.append(f"{name}: {json.dumps(stored[key])} in the store, missing in this sweep")
            else:
                out.extend(_config_differences(stored[key], wanted[key], name))
        return out
    if stored != wanted:
        def short(value: Any) -> str:
            text = json.dumps(value)
            return text if len(text) <= 80 else text[:77] + "..."
        return [f"{prefix}: {short(stored)} in the store, {short(wanted)} in this sweep"]
    return []


def _import_zarr() -> Any:
    try:
        import zarr
    except ImportError:
        raise ImportError("store: writing a sweep store needs zarr; install it with "
                          "`pip install eikura[distributed]` (or `pip install zarr`)") from None
    return zarr


class _Store:
    """The sweep's Zarr store: created from the plan, checked, written by the client only."""

    def __init__(self, path: Path, plan: _Plan) -> None:
        self.path = path
        self.plan = plan
        self.group: Any = None

    def read(self) -> dict[str, NDArray[Any]]:
        """Check an existing store and return its contents (empty arrays if there is none)."""
        zarr = _import_zarr()
        if self.path.exists():
            return self._read_existing(zarr)
        if not self.path.parent.is_dir():
            raise FileNotFoundError(f"store: folder {str(self.path.parent)!r} does not exist")
        return _empty_arrays(self.plan)

    def open_for_writing(self) -> None:
        """Create the store if needed and open it for writing."""
        zarr = _import_zarr()
        if not self.path.exists():
            self._create()
        self.group = zarr.open_group(str(self.path), mode="r+")

    def _read_existing(self, zarr: Any) -> dict[str, NDArray[Any]]:
        where = f"store: {str(self.path)!r}"
        try:
            group = zarr.open_group(str(self.path), mode="r")
            stored = group.attrs.asdict().get("config")
        except Exception as error:
            raise ValueError(f"{where} exists but is not a Zarr store ({error}); choose "
                             "another path or remove it") from None
        if stored is None:
            raise ValueError(f"{where} exists but is not an eikura sweep store (no 'config' "
                             "attribute); choose another path")
        differences = _config_differences(json.loads(stored), self.plan.config)
        if differences:
            raise ValueError(
                f"{where} holds a different sweep; differences: " + "; ".join(differences[:8])
                + (f" (and {len(differences) - 8} more)" if len(differences) > 8 else "")
                + ". Use another store, or delete this one to start over"
            )
        arrays = _empty_arrays(self.plan)
        for name in arrays:
            if name not in group:
                raise ValueError(f"{where} is incomplete: variable {name!r} is missing; "
                                 "delete it to start over")
            values = np.asarray(group[name][...])
            if values.shape != self.plan.shape:
                raise ValueError(f"{where}: variable {name!r} has shape {values.shape}, "
                                 f"expected {self.plan.shape}; delete it to start over")
            arrays[name] = values.astype(arrays[name].dtype)
        return arrays

    def _create(self) -> None:
        """Write the empty store under a temporary name, then rename it into place."""
        import xarray as xr

        dataset = xr.Dataset(
            {name: (self.plan.dims, np.full(self.plan.shape, fill, dtype=dtype), attrs)
             for name, dtype, fill, attrs in _variable_specs(self.plan.settings.two_start)},
            coords=_coordinates(self.plan),
            attrs={"title": "eikura parameter sweep", "config": json.dumps(self.plan.config),
                   "eikura_version": self.plan.config["eikura_version"],
                   "labels": " ".join(LABELS)},
        )
        chunks = _chunk_shape(self.plan.shape)
        encoding = {name: {"chunks": chunks} for name in dataset.data_vars}
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        shutil.rmtree(temporary, ignore_errors=True)
        try:
            dataset.to_zarr(str(temporary), mode="w-", consolidated=False, encoding=encoding)
            os.replace(temporary, self.path)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise

    def write(self, flat: NDArray[np.int64], values: Mapping[str, NDArray[Any]]) -> None:
        """Store points: every data variable first, the ``done`` flags last."""
        coordinates = np.unravel_index(flat, self.plan.shape)
        for name, array in values.items():
            if name != "done":
                self.group[name].set_coordinate_selection(coordinates, array)
        self.group["done"].set_coordinate_selection(coordinates, np.ones(flat.size, dtype=bool))


# --------------------------------------------------------------------------- execution

def _resolve_scheduler(scheduler: Any) -> str:
    """``"serial"``, ``"local"`` (a LocalCluster we own), ``"address"`` or ``"client"``."""
    if scheduler is None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            return "serial"
        return "local"
    if isinstance(scheduler, str):
        if scheduler in ("serial", "local"):
            if scheduler == "local":
                _import_distributed()
            return scheduler
        if "://" in scheduler or ":" in scheduler:
            _import_distributed()
            return "address"
        raise ValueError(f"scheduler: expected None, 'serial', 'local', an address "
                         f"'tcp://host:port' or a distributed.Client, got {scheduler!r}")
    if _is_client(scheduler):
        return "client"
    raise TypeError(f"scheduler: expected None, 'serial', 'local', an address 'tcp://host:port' "
                    f"or a distributed.Client, got {type(scheduler).__name__}")


def _is_client(value: Any) -> bool:
    try:
        from distributed import Client
    except ImportError:  # a Client cannot exist without distributed
        return False
    return isinstance(value, Client)


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ImportError("scheduler: running on a Dask cluster needs dask.distributed; install "
                          "it with `pip install eikura[distributed]`, or use scheduler='serial'"
                          ) from None
    return distributed


def _threads_by_worker(client: Any, threads: int | None) -> tuple[dict[str, int], int]:
    """OpenMP threads per task on each worker (cores on its host / task slots on its host)."""
    if _accepts_n_workers(client):  # recent distributed lists only 5 workers by default
        info = client.scheduler_info(n_workers=-1)
    else:
        info = client.scheduler_info()
    workers = info.get("workers", {})
    if not workers:
        raise RuntimeError("scheduler: the Dask cluster has no workers")
    slots = sum(int(worker["nthreads"]) for worker in workers.values())
    if threads is not None:
        return {address: threads for address in workers}, slots
    cores = client.run(usable_cores)
    slots_by_host: dict[str, int] = {}
    for worker in workers.values():
        host = worker["host"]
        slots_by_host[host] = slots_by_host.get(host, 0) + int(worker["nthreads"])
    by_worker = {address: max(1, int(cores.get(address, 1)) // slots_by_host[worker["host"]])
                 for address, worker in workers.items()}
    return by_worker, slots


def _accepts_n_workers(client: Any) -> bool:
    import inspect

    try:
        return "n_workers" in inspect.signature(client.scheduler_info).parameters
    except (TypeError, ValueError):
        return False


class _Progress:
    def __init__(self, total: int, done: int, progress: bool | None) -> None:
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, initial=done, unit="point", desc="eikura sweep",
                        file=sys.stderr, dynamic_ncols=True,
                        disable=None if progress is None else not progress)

    def update(self, count: int) -> None:
        self.bar.update(count)

    def close(self) -> None:
        self.bar.close()


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
        ``None``: a local Dask cluster sized to this machine (or ``"serial"`` when Dask is
        not installed); ``"serial"``: batches one after another in this process, each
        using every core; ``"local"``: a local Dask cluster; ``"tcp://host:port"`` or a
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
    plan = _plan(model, over, t_max, dt, seed, replicates, method, record_every, two_start,
                 transient, initial_spread)
    if n_workers is not None:
        n_workers = check_int("n_workers", n_workers, minimum=1)
    if threads is not None:
        threads = check_int("threads", threads, minimum=1, maximum=4096)
    if batch_size is not None:
        batch_size = check_int("batch_size", batch_size, minimum=1)
    ensemble_max_n = check_int("ensemble_max_n", ensemble_max_n, minimum=0)
    if progress is not None and not isinstance(progress, bool):
        raise TypeError("progress: expected True, False or None")
    mode = _resolve_scheduler(scheduler)

    store_path = None if store is None else Path(os.fspath(store))
    writer = None if store_path is None else _Store(store_path, plan)
    arrays = writer.read() if writer is not None else _empty_arrays(plan)
    todo = np.flatnonzero(~arrays["done"].ravel()).astype(np.int64)

    cores = usable_cores()
    task_threads: int | None
    if mode == "serial":
        slots, task_threads = 1, threads or cores
    elif mode == "local":
        probe = _make_batches(plan, todo, cores, 1, batch_size, ensemble_max_n)
        workers = n_workers or max(1, min(cores, len(probe)))
        slots, task_threads = workers, threads or max(1, cores // workers)
    else:  # known once connected
        slots, task_threads = 0, threads
    batches = _make_batches(plan, todo, max(slots, 1), task_threads, batch_size, ensemble_max_n)
    _check_memory(batches, slots if mode in ("serial", "local") else 1)
    if writer is not None:  # everything is checked: create the store (or open it)
        writer.open_for_writing()

    state = {"computed": 0}
    theory_errors: list[str] = []
    bar = _Progress(plan.n_points, plan.n_points - todo.size, progress) if todo.size else None

    def handle(result: _BatchResult) -> None:
        flat = np.asarray(result.indices, dtype=np.int64)
        values = dict(result.values)
        values["stored_at"] = np.full(flat.size, time.time())
        if writer is not None:
            writer.write(flat, values)
        for name, column in values.items():
            arrays[name].reshape(-1)[flat] = column
        arrays["done"].reshape(-1)[flat] = True
        state["computed"] += flat.size
        theory_errors.extend(e for e in result.theory_errors if e not in theory_errors)
        if bar is not None:
            bar.update(flat.size)

    interrupted = False
    try:
        if batches:
            if mode == "serial":
                for batch in batches:
                    handle(_run_batch(batch))
            else:
                _run_on_dask(batches, mode, scheduler, plan, todo, slots, n_workers, threads,
                             batch_size, ensemble_max_n, handle)
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
    if theory_errors:
        warnings.warn("theory_label is 'unavailable' where the theory failed: "
                      + "; ".join(theory_errors[:3]), RuntimeWarning, stacklevel=2)
    dataset = _dataset(plan, arrays, store_path)
    dataset.attrs["points_computed"] = state["computed"]
    return dataset


def _run_on_dask(batches: list[_Batch], mode: str, scheduler: Any, plan: _Plan,
                 todo: NDArray[np.int64], slots: int, n_workers: int | None, threads: int | None,
                 batch_size: int | None, ensemble_max_n: int,
                 handle: Callable[[_BatchResult], None]) -> None:
    distributed = _import_distributed()
    cluster = None
    client = None
    owned = mode in ("local", "address")
    futures: list[Any] = []
    try:
        if mode == "local":
            cluster = distributed.LocalCluster(n_workers=slots, threads_per_worker=1,
                                               processes=True,
                                               dashboard_address=":0")  # any free port
            client = distributed.Client(cluster)
        elif mode == "address":
            client = distributed.Client(scheduler)
        else:
            client = scheduler
        if mode != "local":
            by_worker, slots = _threads_by_worker(client, threads)
            estimate = threads or min(by_worker.values())
            batches = _make_batches(plan, todo, slots, estimate, batch_size, ensemble_max_n)
            for batch in batches:
                batch.threads = threads
                batch.threads_by_worker = by_worker
        futures = [client.submit(_run_batch, batch, pure=False) for batch in batches]
        for _, result in distributed.as_completed(futures, with_results=True):
            handle(result)
    except BaseException:
        if client is not None and futures:
            try:
                client.cancel(futures)
            except Exception:  # the cluster may already be gone
                pass
        raise
    finally:
        if owned and client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


# --------------------------------------------------------------------------- results

def _decode_labels(codes: NDArray[Any]) -> NDArray[np.str_]:
    names = np.array((*LABELS, _MISSING_LABEL))
    codes = np.asarray(codes, dtype=np.int64)
    return names[np.where(codes < 0, len(LABELS), codes)]


def _dataset(plan: _Plan, arrays: Mapping[str, NDArray[Any]], store_path: Path | None) -> Any:
    import xarray as xr

    data_vars: dict[str, Any] = {}
    for name, _, _, attrs in _variable_specs(plan.settings.two_start):
        values = arrays[name]
        if name in ("label", "theory_label"):
            attrs = {"long_name": attrs["long_name"], "labels": " ".join(LABELS)}
            values = _decode_labels(values)
        data_vars[name] = (plan.dims, values, attrs)
    done = int(np.count_nonzero(arrays["done"]))
    attrs = {
        "title": "eikura parameter sweep",
        "config": json.dumps(plan.config),
        "eikura_version": eikura_version(),
        "store": "" if store_path is None else str(store_path),
        "points_total": plan.n_points,
        "points_done": done,
        "complete": int(done == plan.n_points),
    }
    return xr.Dataset(data_vars, coords=_coordinates(plan), attrs=attrs)


def load_sweep(store: str | os.PathLike[str]) -> Any:
    """Read a sweep store (complete or not) as :func:`sweep` returns it.

    Parameters
    ----------
    store
        Path of a Zarr store written by :func:`sweep`.

    Returns
    -------
    xarray.Dataset
        Labels decoded to strings (``""`` for points not computed yet).

    Examples
    --------
    >>> import eikura as ek, tempfile, os
    >>> from eikura.sweep import load_sweep
    >>> path = os.path.join(tempfile.mkdtemp(), "s.zarr")
    >>> model = ek.EIKuramoto(n_e=80, n_i=20, k_ee=9.0)
    >>> _ = ek.sweep(model, over={"k_ii": [0.0, 1.0]}, t_max=10.0, dt=0.05, store=path,
    ...              scheduler="serial")
    >>> load_sweep(path)["label"].values.ravel().tolist()
    ['synchronized', 'synchronized']
    """
    import xarray as xr

    path = Path(os.fspath(store))
    if not path.exists():
        raise FileNotFoundError(f"store: no such sweep store {str(path)!r}")
    _import_zarr()
    with xr.open_zarr(str(path), consolidated=False, mask_and_scale=False) as opened:
        dataset = opened.load()
    if "config" not in dataset.attrs:
        raise ValueError(f"store: {str(path)!r} is not an eikura sweep store "
                         "(no 'config' attribute)")
    for name in ("label", "theory_label"):
        attrs = {key: value for key, value in dataset[name].attrs.items()
                 if key not in ("flag_values", "flag_meanings", "missing_value_code")}
        attrs["labels"] = " ".join(LABELS)
        dataset[name] = (dataset[name].dims, _decode_labels(dataset[name].values), attrs)
    done = int(np.count_nonzero(dataset["done"].values))
    total = int(dataset["done"].size)
    dataset.attrs.update(store=str(path), points_total=total, points_done=done,
                         complete=int(done == total))
    return dataset


# --------------------------------------------------------------------------- plotting

_COLORS = {"synchronized": "#d62728", "desynchronized": "#1f77b4", "bistable": "#9467bd",
           "other": "#ff7f0e", "unavailable": "#bbbbbb", _MISSING_LABEL: "#ffffff"}
_THEORY_AXES = ("k_ee", "k_ei", "k_ie", "k_ii", "width_e", "width_i", "noise_e", "noise_i")


def _modal_label(labels: Any) -> NDArray[np.str_]:
    """The most frequent label over replicates (ties: the first in LABELS order)."""
    values = np.asarray(labels)
    out = np.full(values.shape[:-1], _MISSING_LABEL, dtype=object)
    best = np.zeros(values.shape[:-1], dtype=int)
    for name in LABELS:
        count = np.sum(values == name, axis=-1)
        better = count > best
        out[better] = name
        best = np.maximum(best, count)
    return out.astype(str)


def _theory_fixed(config: Mapping[str, Any], x: str, y: str) -> dict[str, Any] | None:
    """Fixed theory parameters from the stored model, or None where theory does not apply."""
    model = config["model"]
    fixed: dict[str, Any] = {}
    for name in COUPLINGS:
        if not isinstance(model[name], (int, float)):
            return None
        fixed[name] = float(model[name])
    frequencies = model["frequencies"]
    pair = frequencies if isinstance(frequencies, list) else [frequencies, frequencies]
    if not all(isinstance(p, dict) and p.get("distribution") == "lorentzian" for p in pair):
        return None
    fixed["width_e"], fixed["width_i"] = float(pair[0]["width"]), float(pair[1]["width"])
    fixed["noise_e"], fixed["noise_i"] = (float(v) for v in model["noise"])
    for name in (x, y):
        fixed.pop(name, None)
    return fixed


def plot_sweep(source: Any, x: str | None = None, y: str | None = None,
               out: str | os.PathLike[str] | None = None, *, theory: bool = True) -> Any:
    """Draw the phase diagram of a 2-D sweep: simulated labels and theory boundaries.

    Parameters
    ----------
    source
        A dataset returned by :func:`sweep` / :func:`load_sweep`, or a store path.
    x, y
        The swept fields on the axes (default: the first and second grid fields with
        more than one value).
    out
        Write the figure to ``out`` with suffixes ``.png`` and ``.pdf`` (any suffix of
        ``out`` is replaced).
    theory
        Overlay ``eikura.theory.boundaries`` (where the theory applies and is installed)
        and show the theory's labels in a second panel.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import eikura as ek
    >>> from eikura.sweep import plot_sweep
    >>> model = ek.EIKuramoto(n_e=80, n_i=20, k_ei=1.0, k_ie=12.0)
    >>> ds = ek.sweep(model, over={"k_ee": [2.0, 9.0], "k_ii": [0.0, 2.0]}, t_max=10.0,
    ...               dt=0.05, scheduler="serial")
    >>> figure = plot_sweep(ds)
    >>> len(figure.axes)
    2
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    dataset = load_sweep(source) if isinstance(source, (str, os.PathLike)) else source
    config = json.loads(dataset.attrs["config"])
    if config.get("kind") != "grid":
        raise ValueError("source: plotting needs a grid sweep (over={field: values}), not a list")
    swept = [name for name in config["fields"] if len(config["values"][name]) > 1]
    if x is None or y is None:
        remaining = [name for name in swept if name not in (x, y)]
        if x is None:
            x = remaining.pop(0) if remaining else None
        if y is None:
            y = remaining.pop(0) if remaining else None
    if x is None or y is None:
        raise ValueError(f"x, y: a phase diagram needs two swept fields with several values; "
                         f"this sweep has {swept}")
    for name, axis in (("x", x), ("y", y)):
        if axis not in config["fields"]:
            raise ValueError(f"{name}: {axis!r} is not a swept field "
                             f"({', '.join(config['fields'])})")
    others = [name for name in config["fields"] if name not in (x, y)]
    selection = {name: 0 for name in others}
    if any(len(config["values"][name]) > 1 for name in others):
        warnings.warn(f"plot_sweep: showing the first value of {others}", UserWarning, stacklevel=2)

    names = list(LABELS) + [_MISSING_LABEL]
    colormap = ListedColormap([_COLORS[name] for name in names])
    x_values = np.asarray(dataset[x].values, dtype=float)
    y_values = np.asarray(dataset[y].values, dtype=float)

    def codes(variable: str) -> NDArray[np.int64]:
        labels = dataset[variable].isel(selection).transpose(y, x, "replicate")
        modal = _modal_label(labels.values)
        return np.vectorize(names.index)(modal)

    panels = [("label", "simulation")]
    has_theory = "theory_label" in dataset and bool(
        np.any(dataset["theory_label"].values != "unavailable"))
    if theory and has_theory:
        panels.append(("theory_label", "mean-field theory"))
    figure, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels) + 1.5, 4.6),
                                squeeze=False, constrained_layout=True)
    curves = _theory_curves(config, x, y, x_values) if theory else {}
    for axis, (variable, title) in zip(axes[0], panels, strict=True):
        axis.pcolormesh(_edges(x_values), _edges(y_values), codes(variable), cmap=colormap,
                        vmin=-0.5, vmax=len(names) - 0.5, shading="flat")
        for curve_name, points in curves.items():
            style = {"incoherence_real": ("k", "-"), "incoherence_hopf": ("k", ":")}.get(
                curve_name, ("k", "--"))
            axis.plot(points[:, 0], points[:, 1], color=style[0], linestyle=style[1], linewidth=1.4)
        axis.set_xlim(_edges(x_values)[0], _edges(x_values)[-1])
        axis.set_ylim(_edges(y_values)[0], _edges(y_values)[-1])
        axis.set_xlabel(x)
        axis.set_ylabel(y)
        axis.set_title(title)
    model = config["model"]
    run = config["run"]
    fixed = ", ".join(f"{name} = {model[name]:g}" for name in COUPLINGS
                      if name not in (x, y) and isinstance(model[name], (int, float)))
    figure.suptitle(f"N = {model['n_e'] + model['n_i']}{', ' + fixed if fixed else ''}; "
                    f"t_max = {run['t_max']:g}, dt = {run['dt']:g}, "
                    f"{'two starts' if run['two_start'] else 'random start'}, "
                    f"replicates = {config['replicates']}", fontsize=10)
    handles: list[Any] = [Patch(color=_COLORS[name], label=name) for name in LABELS[:4]]
    if curves:
        from matplotlib.lines import Line2D

        handles += [Line2D([], [], color="k", linestyle="-", label="incoherence loses stability"),
                    Line2D([], [], color="k", linestyle="--", label="fold of synchronized branch")]
        if "incoherence_hopf" in curves:
            handles.append(Line2D([], [], color="k", linestyle=":", label="Hopf of incoherence"))
    figure.legend(handles=handles, loc="outside right center", fontsize=8)
    if out is not None:
        base = Path(os.fspath(out))
        base = base.with_suffix("") if base.suffix in (".png", ".pdf") else base
        figure.savefig(base.with_name(base.name + ".png"), dpi=150)
        figure.savefig(base.with_name(base.name + ".pdf"))
    return figure


def _edges(values: NDArray[np.float64]) -> NDArray[np.float64]:
    if values.size == 1:
        return np.array([values[0] - 0.5, values[0] + 0.5])
    middle = (values[1:] + values[:-1]) / 2
    return np.concatenate([[2 * values[0] - middle[0]], middle, [2 * values[-1] - middle[-1]]])


def _theory_curves(config: Mapping[str, Any], x: str, y: str,
                   x_values: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
    if x not in _THEORY_AXES or y not in _THEORY_AXES:
        return {}
    fixed = _theory_fixed(config, x, y)
    if fixed is None:
        return {}
    try:
        from ..theory import boundaries
    except ImportError:
        return {}
    fine = np.linspace(x_values.min(), x_values.max(), 200)
    try:
        found = boundaries(x, fine, y, **fixed)
    except Exception as error:  # a figure without curves beats no figure
        warnings.warn(f"plot_sweep: theory boundaries failed ({error})", RuntimeWarning,
                      stacklevel=3)
        return {}
    return {name: points for name, points in found.curves().items()
            if np.any(np.isfinite(points[:, 1]))}


# --------------------------------------------------------------------------- configuration files

_MODEL_KEYS = ("n_e", "n_i", "k_ee", "k_ei", "k_ie", "k_ii", "noise", "normalization", "width",
               "frequencies", "network")
_RUN_KEYS = ("t_max", "dt", "seed", "replicates", "two_start", "method", "record_every",
             "transient", "initial_spread")
_EXECUTION_KEYS = ("store", "scheduler", "n_workers", "threads", "batch_size", "ensemble_max_n")


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            raise ImportError("config: reading TOML on Python 3.10 needs tomli "
                              "(`pip install tomli`)") from None
    try:
        with open(path, "rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"config: {str(path)!r} is not valid TOML: {error}") from None


def _check_keys(section: str, table: Mapping[str, Any], allowed: Sequence[str]) -> None:
    for key in table:
        if key not in allowed:
            raise ValueError(f"config: unknown key {key!r} in [{section}]; "
                             f"allowed: {', '.join(allowed)}")


def _model_from_table(table: Mapping[str, Any]) -> EIKuramoto:
    from .. import distributions, networks

    _check_keys("model", table, _MODEL_KEYS)
    arguments = {key: table[key] for key in ("n_e", "n_i", "k_ee", "k_ei", "k_ie", "k_ii",
                                             "normalization") if key in table}
    if "noise" in table:
        noise = table["noise"]
        arguments["noise"] = tuple(noise) if isinstance(noise, list) else noise
    if "width" in table and "frequencies" in table:
        raise ValueError("config: [model] sets both width and [model.frequencies]; use one")
    if "width" in table:
        arguments["frequencies"] = Lorentzian(0.0, table["width"])
    if "frequencies" in table:
        arguments["frequencies"] = _from_table(
            table, "frequencies", "distribution", "lorentzian",
            {"lorentzian": distributions.Lorentzian, "gaussian": distributions.Gaussian,
             "uniform": distributions.Uniform})
    if "network" in table:
        arguments["network"] = _from_table(
            table, "network", "topology", "all-to-all",
            {"all-to-all": networks.AllToAll, "fixed-in-degree": networks.FixedInDegree,
             "erdos-renyi": networks.ErdosRenyi})
    return EIKuramoto(**arguments)


def _from_table(table: Mapping[str, Any], section: str, key: str, default: str,
                kinds: Mapping[str, Any]) -> Any:
    """[model.<section>]: the class named by ``key`` (default ``default``), built from the rest."""
    spec = dict(table[section])
    kind = spec.pop(key, default)
    if kind not in kinds:
        raise ValueError(f"config: [model.{section}] {key} must be one of {', '.join(kinds)}, got {kind!r}")
    return kinds[kind](**spec)


def _over_from_config(over: Any) -> Any:
    if isinstance(over, list):
        return [_flatten(point, "over") for point in over]
    if not isinstance(over, Mapping):
        raise ValueError("config: [over] must be a table {field = values} or [[over]] entries")
    grid: dict[str, Any] = {}
    for name, spec in _flatten(over, "over", keep_ranges=True).items():
        if isinstance(spec, Mapping):
            _check_keys(f"over.{name}", spec, ("start", "stop", "num"))
            missing = [key for key in ("start", "stop", "num") if key not in spec]
            if missing:
                raise ValueError(f"config: over.{name} needs start, stop and num "
                                 f"(missing {missing})")
            count = check_int(f"over.{name}.num", spec["num"], minimum=1)
            values: Any = np.linspace(spec["start"], spec["stop"], count)
            if name in _INTEGER_FIELDS or name.startswith("network.k"):
                values = np.round(values).astype(np.int64)
            grid[name] = values
        else:
            grid[name] = spec
    return grid


def _flatten(table: Mapping[str, Any], section: str, keep_ranges: bool = False,
             prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        is_range = isinstance(value, Mapping) and bool({"start", "stop", "num"} & set(value))
        if isinstance(value, Mapping) and not (keep_ranges and is_range):
            out.update(_flatten(value, section, keep_ranges, prefix=f"{name}."))
        else:
            out[name] = value
    return out


def read_config(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a sweep configuration (TOML) into keyword arguments of :func:`sweep`.

    Sections: ``[model]`` (``n_e``, ``n_i``, the couplings, ``noise``, ``normalization``,
    ``width`` or ``[model.frequencies]``, ``[model.network]`` with ``topology``),
    ``[over]`` (``field = [values]`` or ``field = {start, stop, num}``; or ``[[over]]``
    entries for an explicit list of points), ``[run]`` (``t_max``, ``dt``, ``seed``,
    ``replicates``, ``two_start``, ``method``, ``record_every``, ``transient``,
    ``initial_spread``) and ``[sweep]`` (``store``, relative to the file's folder;
    ``scheduler``, ``n_workers``, ``threads``, ``batch_size``, ``ensemble_max_n``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from eikura.sweep import read_config
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.toml"
    >>> _ = path.write_text('''
    ... [model]
    ... n_e = 80
    ... n_i = 20
    ... k_ie = 12.0
    ... [over]
    ... k_ee = {start = 2.0, stop = 8.0, num = 4}
    ... [run]
    ... t_max = 20.0
    ... ''')
    >>> arguments = read_config(path)
    >>> arguments["over"]["k_ee"].tolist(), arguments["t_max"]
    ([2.0, 4.0, 6.0, 8.0], 20.0)
    """
    file = Path(os.fspath(path))
    if not file.is_file():
        raise FileNotFoundError(f"config: no such file {str(file)!r}")
    document = _load_toml(file)
    _check_keys("top level", document, ("model", "over", "run", "sweep"))
    for section in ("model", "over"):
        if section not in document:
            raise ValueError(f"config: {str(file)!r} has no [{section}] section")
    arguments: dict[str, Any] = {"model": _model_from_table(document["model"]),
                                 "over": _over_from_config(document["over"])}
    run = document.get("run", {})
    _check_keys("run", run, _RUN_KEYS)
    arguments.update(run)
    execution = dict(document.get("sweep", {}))
    _check_keys("sweep", execution, _EXECUTION_KEYS)
    if "store" in execution:
        store = Path(execution["store"])
        execution["store"] = store if store.is_absolute() else file.parent / store
    arguments.update(execution)
    return arguments
