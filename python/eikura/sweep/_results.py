"""The result of a sweep as an ``xarray.Dataset``: from memory or read from a store."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._metadata import eikura_version
from ..files import DamagedFileError
from ..labels import label_names
from ._plan import Plan
from ._store import coordinates, import_zarr
from ._variables import LABELS, variable_specs

__all__ = ["build_dataset", "load_sweep"]

_LABEL_VARIABLES = ("label", "theory_label")
# Attributes of the stored integer codes that no longer apply to decoded strings.
_CODE_ATTRIBUTES = ("flag_values", "flag_meanings", "missing_value_code")


def build_dataset(plan: Plan, arrays: Mapping[str, NDArray[Any]], store_path: Path | None) -> Any:
    """The dataset :func:`eikura.sweep` returns, from the per-point arrays."""
    import xarray as xr

    data_vars: dict[str, Any] = {}
    for name, _, _, attrs in variable_specs(plan.settings.two_start):
        if name in _LABEL_VARIABLES:
            data_vars[name] = (plan.dims, label_names(arrays[name]),
                               {"long_name": attrs["long_name"], "labels": " ".join(LABELS)})
        else:
            data_vars[name] = (plan.dims, arrays[name], attrs)
    done = int(np.count_nonzero(arrays["done"]))
    dataset_attrs = {
        "title": "eikura parameter sweep",
        "config": json.dumps(plan.config),
        "eikura_version": eikura_version(),
        "store": "" if store_path is None else str(store_path),
        "points_total": plan.n_points,
        "points_done": done,
        "complete": int(done == plan.n_points),
    }
    return xr.Dataset(data_vars, coords=coordinates(plan), attrs=dataset_attrs)


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
    import_zarr()
    try:
        with xr.open_zarr(str(path), consolidated=False, mask_and_scale=False) as opened:
            dataset = opened.load()
    except ValueError as error:
        if "checksum" not in str(error):
            raise
        raise DamagedFileError(f"store: {str(path)!r} is damaged: a chunk does not match its "
                               f"checksum ({error})") from None
    if "config" not in dataset.attrs:
        raise ValueError(f"store: {str(path)!r} is not an eikura sweep store "
                         "(no 'config' attribute)")
    for name in _LABEL_VARIABLES:
        attrs = {key: value for key, value in dataset[name].attrs.items()
                 if key not in _CODE_ATTRIBUTES}
        attrs["labels"] = " ".join(LABELS)
        dataset[name] = (dataset[name].dims, label_names(dataset[name].values), attrs)
    done = int(np.count_nonzero(dataset["done"].values))
    total = int(dataset["done"].size)
    dataset.attrs.update(store=str(path), points_total=total, points_done=done,
                         complete=int(done == total))
    return dataset
