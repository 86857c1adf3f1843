"""The sweep's Zarr store: created from the plan, checked against it, written by the client.

Every finished batch is written data first and the per-point ``done`` flag last, each
chunk file replaced atomically, so a store never claims a point it does not hold. The
store keeps the sweep's configuration; a store written by a different sweep is refused.
Every chunk carries a CRC-32C checksum (Zarr's ``crc32c`` codec), checked whenever it is
read: a damaged store is refused (:class:`eikura.DamagedFileError`) instead of read.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..files import DamagedFileError
from ._plan import Plan
from ._variables import LABELS, variable_specs

__all__ = ["Store", "checksummed_codecs", "coordinates", "empty_arrays", "import_zarr",
           "read_checked"]

# Differences between two configurations listed in full before "and N more".
_DIFFERENCES_SHOWN = 8


def _chunk_shape(shape: tuple[int, ...], limit: int = 65536) -> tuple[int, ...]:
    chunks = list(shape)
    axis = 0
    while int(np.prod(chunks)) > limit and axis < len(chunks):
        excess = math.ceil(int(np.prod(chunks)) / limit)
        chunks[axis] = max(1, math.ceil(chunks[axis] / excess))
        if chunks[axis] == 1:
            axis += 1
    return tuple(chunks)


def coordinates(plan: Plan) -> dict[str, Any]:
    """The dataset's coordinates: the swept fields (on ``point`` for a list), ``replicate``."""
    coords: dict[str, Any] = {"replicate": np.arange(plan.replicates)}
    if plan.kind == "grid":
        coords.update({name: plan.values[name] for name in plan.fields})
    else:
        coords["point"] = np.arange(plan.shape[0])
        coords.update({name: ("point", plan.values[name]) for name in plan.fields})
    return coords


def empty_arrays(plan: Plan) -> dict[str, NDArray[Any]]:
    """Every per-point variable, filled with its "not computed yet" value."""
    return {name: np.full(plan.shape, fill, dtype=dtype)
            for name, dtype, fill, _ in variable_specs(plan.settings.two_start)}


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."


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
        return [f"{prefix}: {_short(stored)} in the store, {_short(wanted)} in this sweep"]
    return []


def import_zarr() -> Any:
    """The ``zarr`` module, or an ImportError that says how to install it."""
    try:
        import zarr
    except ImportError:
        raise ImportError("store: writing a sweep store needs zarr; install it with "
                          "`pip install eikura[distributed]` (or `pip install zarr`)") from None
    return zarr


def checksummed_codecs() -> tuple[Any, ...]:
    """Zstandard compression, then a CRC-32C checksum of each compressed chunk."""
    from zarr.codecs import Crc32cCodec, ZstdCodec

    return (ZstdCodec(), Crc32cCodec())


def read_checked(array: Any, where: str) -> NDArray[Any]:
    """All of a Zarr array, or ``DamagedFileError`` if a chunk fails its checksum."""
    try:
        return np.asarray(array[...])
    except ValueError as error:
        if "checksum" not in str(error):
            raise
        raise DamagedFileError(f"{where} is damaged: a chunk of {array.basename!r} does not "
                               f"match its checksum ({error}); delete it to start over") from None


class Store:
    """The sweep's Zarr store: created from the plan, checked, written by the client only."""

    def __init__(self, path: Path, plan: Plan) -> None:
        self.path = path
        self.plan = plan
        self.group: Any = None

    def read(self) -> dict[str, NDArray[Any]]:
        """Check an existing store and return its contents (empty arrays if there is none)."""
        zarr = import_zarr()
        if self.path.exists():
            return self._read_existing(zarr)
        if not self.path.parent.is_dir():
            raise FileNotFoundError(f"store: folder {str(self.path.parent)!r} does not exist")
        return empty_arrays(self.plan)

    def open_for_writing(self) -> None:
        """Create the store if needed and open it for writing."""
        zarr = import_zarr()
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
            more = len(differences) - _DIFFERENCES_SHOWN
            raise ValueError(
                f"{where} holds a different sweep; differences: "
                + "; ".join(differences[:_DIFFERENCES_SHOWN])
                + (f" (and {more} more)" if more > 0 else "")
                + ". Use another store, or delete this one to start over"
            )
        arrays = empty_arrays(self.plan)
        for name in arrays:
            if name not in group:
                raise ValueError(f"{where} is incomplete: variable {name!r} is missing; "
                                 "delete it to start over")
            values = read_checked(group[name], where)
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
             for name, dtype, fill, attrs in variable_specs(self.plan.settings.two_start)},
            coords=coordinates(self.plan),
            attrs={"title": "eikura parameter sweep", "config": json.dumps(self.plan.config),
                   "eikura_version": self.plan.config["eikura_version"],
                   "labels": " ".join(LABELS)},
        )
        chunks = _chunk_shape(self.plan.shape)
        encoding = {name: {"chunks": chunks, "compressors": checksummed_codecs()}
                    for name in dataset.data_vars}
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
        where = np.unravel_index(flat, self.plan.shape)
        for name, array in values.items():
            if name != "done":
                self.group[name].set_coordinate_selection(where, array)
        self.group["done"].set_coordinate_selection(where, np.ones(flat.size, dtype=bool))
