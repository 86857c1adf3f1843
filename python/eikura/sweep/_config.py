"""Sweep configuration files (TOML): ``[model]``, ``[over]``, ``[run]`` and ``[sweep]``."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import distributions, networks
from .._validation import check_int
from ..distributions import Lorentzian
from ..model import EIKuramoto
from ._fields import INTEGER_FIELDS

__all__ = ["read_config"]

_MODEL_KEYS = ("n_e", "n_i", "k_ee", "k_ei", "k_ie", "k_ii", "noise", "normalization", "width",
               "frequencies", "network", "phase_lag", "delay")
_RUN_KEYS = ("t_max", "dt", "seed", "replicates", "two_start", "method", "record_every",
             "transient", "initial_spread")
_EXECUTION_KEYS = ("store", "scheduler", "n_workers", "threads", "batch_size", "ensemble_max_n")


def _toml() -> Any:
    """The TOML reader: tomllib, or tomli on Python 3.10."""
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    try:
        import tomli
    except ImportError:
        raise ImportError("config: reading TOML on Python 3.10 needs tomli "
                          "(`pip install tomli`)") from None
    return tomli


def _load_toml(path: Path) -> dict[str, Any]:
    toml = _toml()
    try:
        with open(path, "rb") as file:
            document: dict[str, Any] = toml.load(file)
    except toml.TOMLDecodeError as error:
        raise ValueError(f"config: {str(path)!r} is not valid TOML: {error}") from None
    return document


def _check_keys(section: str, table: Mapping[str, Any], allowed: Sequence[str]) -> None:
    for key in table:
        if key not in allowed:
            raise ValueError(f"config: unknown key {key!r} in [{section}]; "
                             f"allowed: {', '.join(allowed)}")


def _model_from_table(table: Mapping[str, Any]) -> EIKuramoto:
    _check_keys("model", table, _MODEL_KEYS)
    arguments = {key: table[key] for key in ("n_e", "n_i", "k_ee", "k_ei", "k_ie", "k_ii",
                                             "normalization", "phase_lag", "delay") if key in table}
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
            if name in INTEGER_FIELDS or name.startswith("network.k"):
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
