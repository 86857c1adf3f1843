"""The plan of a sweep: every argument checked, every point's model and seed, the config.

:func:`plan_sweep` does all the validation a sweep needs before any work starts, so a
mistake in the grid or the run settings fails at once instead of after hours of runs.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._engine import check_delays, check_method, check_step_size
from .._metadata import eikura_version
from .._validation import check_int, check_nonnegative, check_positive, check_seed
from ..classify import DEFAULT_TRANSIENT_FRACTION
from ..model import EIKuramoto
from ._fields import check_field_names, check_model, field_values, with_fields

__all__ = ["STORE_FORMAT", "Plan", "RunSettings", "plan_sweep"]

STORE_FORMAT = "eikura-sweep/1"
# Classification needs at least this many records of r after the transient.
_MIN_KEPT_RECORDS = 10


@dataclass(frozen=True)
class RunSettings:
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
class Plan:
    """Everything a sweep computes, validated: the points, their models and seeds."""

    kind: str  # "grid" or "list"
    fields: tuple[str, ...]
    values: dict[str, NDArray[Any]]  # grid: values along each field; list: value per point
    shape: tuple[int, ...]  # (*grid shape or (n_points,), replicates)
    dims: tuple[str, ...]
    models: list[EIKuramoto]  # one per parameter point (C order), replicates share it
    base_seeds: list[int]  # one per parameter point
    replicates: int
    settings: RunSettings
    config: dict[str, Any]

    @property
    def n_points(self) -> int:
        return int(np.prod(self.shape))

    def model_of(self, flat: int) -> EIKuramoto:
        return self.models[flat // self.replicates]

    def seed_of(self, flat: int) -> int:
        return self.base_seeds[flat // self.replicates] + flat % self.replicates


@dataclass(frozen=True)
class _Points:
    """The parameter points of ``over``: a grid (every combination) or an explicit list."""

    kind: str
    fields: tuple[str, ...]
    values: dict[str, NDArray[Any]]
    grid_shape: tuple[int, ...]
    dims: tuple[str, ...]

    def combinations(self) -> Iterator[tuple[Any, ...]]:
        """The field values of every point, in C order (first field slowest)."""
        columns = [self.values[name] for name in self.fields]
        if self.kind == "grid":
            return itertools.product(*columns)
        return zip(*columns, strict=True)


def _json_values(array: NDArray[Any]) -> list[Any]:
    return [int(v) if array.dtype.kind in "iu" else float(v) for v in array]


def _check_duration(t_max: Any, dt: Any) -> tuple[float, float, int]:
    """(t_max, dt, number of steps)."""
    t_max = check_positive("t_max", t_max)
    dt = check_positive("dt", dt)
    n_steps = int(round(t_max / dt))
    if n_steps < 1:
        raise ValueError(f"t_max: shorter than one step (t_max={t_max}, dt={dt})")
    return t_max, dt, n_steps


def _check_enough_records(n_steps: int, dt: float, record_every: int,
                          transient: float | None) -> None:
    """Each run must keep enough records after the transient to be classified."""
    n_records = n_steps // record_every + 1
    window_start = (DEFAULT_TRANSIENT_FRACTION * (n_records - 1) * record_every * dt
                    if transient is None else transient)
    kept = n_records - math.ceil(window_start / (record_every * dt) - 1e-9)
    if kept < _MIN_KEPT_RECORDS:
        raise ValueError(
            f"t_max: each run records {n_records} values of r and only {max(kept, 0)} remain after "
            f"the transient ({window_start:g}); classification needs at least {_MIN_KEPT_RECORDS} "
            "(lengthen t_max, lower record_every or shorten transient)"
        )


def _grid_points(model: EIKuramoto, over: Mapping[str, Any]) -> _Points:
    fields = tuple(over)
    if not fields:
        raise ValueError("over: no fields to sweep; give e.g. over={'k_ee': [3.0, 4.0]}")
    check_field_names(model, fields)
    values = {name: field_values(name, over[name]) for name in fields}
    for name, array in values.items():
        if np.unique(array).size != array.size:
            raise ValueError(f"over[{name!r}]: grid values must be distinct, got {array.tolist()}")
    return _Points(kind="grid", fields=fields, values=values,
                   grid_shape=tuple(values[name].size for name in fields),
                   dims=(*fields, "replicate"))


def _list_points(model: EIKuramoto, over: Sequence[Any]) -> _Points:
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
    check_field_names(model, fields)
    values = {name: field_values(name, [point[name] for point in over]) for name in fields}
    return _Points(kind="list", fields=fields, values=values, grid_shape=(len(over),),
                   dims=("point", "replicate"))


def _points(model: EIKuramoto, over: Any) -> _Points:
    if isinstance(over, Mapping):
        return _grid_points(model, over)
    if isinstance(over, Sequence) and not isinstance(over, (str, bytes)):
        return _list_points(model, over)
    raise TypeError("over: expected a mapping {field: values} (a grid) or a list of mappings "
                    f"{{field: value}} (explicit points), got {type(over).__name__}")


def _point_models(model: EIKuramoto, points: _Points, seed: int,
                  replicates: int) -> tuple[list[EIKuramoto], list[int]]:
    """The model and the base seed of every point (points that differ only in seed share
    one model object)."""
    models: list[EIKuramoto] = []
    base_seeds: list[int] = []
    cache: dict[tuple[Any, ...], EIKuramoto] = {}
    for combination in points.combinations():
        point = dict(zip(points.fields, combination, strict=True))
        base_seeds.append(check_seed("over['seed']", int(point.pop("seed"))) if "seed" in point
                          else seed)
        key = tuple(point.values())
        if key not in cache:
            try:
                cache[key] = with_fields(model, point)
            except (ValueError, TypeError) as error:
                described = ", ".join(f"{name}={value}" for name, value in point.items())
                raise type(error)(f"over: invalid point ({described}): {error}") from None
        models.append(cache[key])
    for seed_value in base_seeds:
        check_seed("seed", seed_value + replicates - 1)
    return models, base_seeds


def _check_steps(models: Sequence[EIKuramoto], method: str, dt: float) -> None:
    """The step-size guard of ``ek.simulate``, once, on the point with the fastest rate."""
    check_step_size(max(models, key=lambda point: point.fastest_rate()[0]), method, dt)
    for point in models:  # every point: the delays may be a swept field
        check_delays(point, method, dt)


def _sweep_method(model: EIKuramoto, models: Sequence[EIKuramoto], method: str | None) -> str:
    """One integrator for every point: judged on a noisy point if there is any."""
    noisy = [point_model for point_model in models if point_model.has_noise]
    if method is None and model.has_noise:
        noisy.append(model)
    return check_method(noisy[0] if noisy else models[0], method)


def _config(model: EIKuramoto, points: _Points, replicates: int, seed: int,
            settings: RunSettings) -> dict[str, Any]:
    """The sweep's configuration as stored (JSON): what a resumed sweep must match."""
    config = {
        "format": STORE_FORMAT,
        "kind": points.kind,
        "fields": list(points.fields),
        "values": {name: _json_values(points.values[name]) for name in points.fields},
        "replicates": replicates,
        "seed": seed,
        "model": model.to_dict(),
        "model_arrays_sha256": model.fingerprint() if model.content_arrays() else None,
        "run": settings.to_dict(),
        "eikura_version": eikura_version(),
    }
    json.dumps(config)  # fail here, not after the work, if something is not serialisable
    return config


def plan_sweep(model: EIKuramoto, over: Any, t_max: Any, dt: Any, seed: Any, replicates: Any,
               method: str | None, record_every: Any, two_start: Any, transient: Any,
               initial_spread: Any) -> Plan:
    """Check the arguments of :func:`eikura.sweep` and plan its points."""
    model = check_model(model)
    t_max, dt, n_steps = _check_duration(t_max, dt)
    seed = check_seed("seed", seed)
    replicates = check_int("replicates", replicates, minimum=1)
    record_every = check_int("record_every", record_every, minimum=1)
    if not isinstance(two_start, (bool, np.bool_)):
        raise TypeError(f"two_start: expected True or False, got {type(two_start).__name__}")
    initial_spread = check_nonnegative("initial_spread", initial_spread)
    if transient is not None:
        transient = check_nonnegative("transient", transient)
    _check_enough_records(n_steps, dt, record_every, transient)

    points = _points(model, over)
    if "seed" in points.fields and replicates > 1:
        raise ValueError("replicates: with 'seed' swept, replicates must be 1 (sweep more seeds)")
    models, base_seeds = _point_models(model, points, seed, replicates)
    settings = RunSettings(t_max=t_max, dt=dt, n_steps=n_steps,
                           method=_sweep_method(model, models, method),
                           record_every=record_every, two_start=bool(two_start),
                           initial_spread=initial_spread, transient=transient)
    _check_steps(models, settings.method, dt)
    return Plan(kind=points.kind, fields=points.fields, values=points.values,
                shape=(*points.grid_shape, replicates), dims=points.dims, models=models,
                base_seeds=base_seeds, replicates=replicates, settings=settings,
                config=_config(model, points, replicates, seed, settings))
