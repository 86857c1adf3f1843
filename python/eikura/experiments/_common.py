"""What every experiment shares: its result type, output folder, dataset attributes,
figure saving, the parallel map over simulations and the model it simulates."""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from .._metadata import eikura_version
from .._validation import check_int, check_nonnegative
from ..distributions import Lorentzian
from ..files import atomic_write
from ..model import EIKuramoto
from ..networks import AllToAll
from ..schedules import Constant, PiecewiseLinear, Sinusoid

__all__ = [
    "DEFAULT_COUPLINGS",
    "ExperimentResult",
    "check_couplings",
    "check_size",
    "check_transient",
    "coupling_symbol",
    "dataset_attrs",
    "experiment_model",
    "finish",
    "json_ready",
    "mean_or_nan",
    "output_folder",
    "parallel_map",
    "pyplot",
    "save_figure",
    "write_dataset",
]

_Item = TypeVar("_Item")
_Value = TypeVar("_Value")

DEFAULT_COUPLINGS: dict[str, float] = {"k_ei": 1.0, "k_ie": 12.0, "k_ii": 2.0}
"""Fixed couplings of the experiments (with Lorentzian half-width 1): incoherence is
stable for ``K_EE < 5`` and the synchronized branch exists for ``K_EE > 4.23`` (its fold)."""

# --------------------------------------------------------------------------- result


@dataclass
class ExperimentResult:
    """What an experiment computed, where it was written and how long it took.

    Attributes
    ----------
    name : str
        ``"time_series"``, ``"phase_diagram"``, ``"modulation"`` or ``"switching_rate"``.
    dataset : xarray.Dataset
        All data behind the figure; ``attrs`` hold ``config`` (JSON) and
        ``eikura_version``. This is what the NetCDF file contains.
    summary : dict
        The key numbers (tables of simulated against theoretical values, labels,
        agreement), plain Python values.
    files : list of pathlib.Path
        Files written (NetCDF, PNG, PDF); empty without ``out``.
    seconds : float
        Wall time of the experiment.
    figure : matplotlib.figure.Figure or None
        The figure (closed after saving; kept for inspection).
    """

    name: str
    dataset: Any
    summary: dict[str, Any]
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    figure: Any = field(default=None, repr=False)

    def __repr__(self) -> str:
        written = f", {len(self.files)} files" if self.files else ""
        return f"<ExperimentResult {self.name}: {self.seconds:.1f} s{written}>"


# --------------------------------------------------------------------------- helpers


def output_folder(out: str | os.PathLike[str] | None) -> Path | None:
    if out is None:
        return None
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(
            f"out: expected a folder path (str or pathlib.Path), got {type(out).__name__}")
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"out: {str(folder)!r} exists and is not a folder")
    return folder


def json_ready(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_ready(value.tolist())
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (Constant, Sinusoid, PiecewiseLinear)):
        return json_ready(value.to_dict())
    return value


def dataset_attrs(name: str, config: Mapping[str, Any], description: str) -> dict[str, Any]:
    return {
        "title": f"eikura experiment: {name}",
        "experiment": name,
        "description": description,
        "eikura_version": eikura_version(),
        "config": json.dumps(json_ready(config)),
    }


def write_dataset(dataset: Any, path: Path) -> Path:
    return atomic_write(path, lambda temporary: dataset.to_netcdf(temporary, engine="h5netcdf"))


def save_figure(figure: Any, folder: Path, stem: str) -> list[Path]:
    import matplotlib.pyplot as plt

    paths = [folder / f"{stem}.png", folder / f"{stem}.pdf"]
    figure.savefig(paths[0], dpi=130)
    figure.savefig(paths[1])
    plt.close(figure)
    return paths


def pyplot() -> Any:
    import matplotlib as mpl

    if mpl.get_backend().lower() not in ("agg", "pdf", "svg", "cairo"):
        mpl.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def parallel_map(function: Callable[[_Item], _Value], items: Sequence[_Item],
                 workers: int) -> list[_Value]:
    """``[function(item) for item in items]`` on ``workers`` threads (order kept).

    The simulations release the GIL while they integrate, so threads run them in
    parallel; each simulation then uses one OpenMP thread.
    """
    if workers <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(function, items))


def experiment_model(n: int, couplings: Mapping[str, Any], width: float, noise: float = 0.0,
                     network: Any = None, regular: bool = True) -> EIKuramoto:
    n_e = int(round(0.8 * n))
    return EIKuramoto(
        n_e=n_e, n_i=n - n_e, frequencies=Lorentzian(0.0, width, regular=regular), noise=noise,
        network=AllToAll() if network is None else network, **couplings,
    )


def check_size(name: str, value: Any, minimum: int = 10) -> int:
    return check_int(name, value, minimum=minimum, maximum=10**9)


def check_transient(transient: Any, t_max: float) -> float:
    """A time dropped before averaging or classifying: ``>= 0`` and shorter than ``t_max``."""
    value: float = check_nonnegative("transient", transient)
    if value >= t_max:
        raise ValueError(f"transient: must be shorter than t_max ({t_max}), got {value}")
    return value


def mean_or_nan(values: NDArray[np.float64]) -> float:
    """The mean, or NaN for no values (e.g. no complete dwell episode)."""
    return float(np.mean(values)) if values.size else math.nan


def check_couplings(couplings: Mapping[str, Any], names: Iterable[str]) -> dict[str, float]:
    return {name: check_nonnegative(name, couplings[name]) for name in names}


def finish(name: str, dataset: Any, summary: dict[str, Any], figure: Any, folder: Path | None,
           started: float) -> ExperimentResult:
    """Write ``name``.nc and the figure (PNG, PDF) into ``folder`` if given; the result."""
    files: list[Path] = []
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        files.append(write_dataset(dataset, folder / f"{name}.nc"))
        files += save_figure(figure, folder, name)
    else:
        pyplot().close(figure)
    return ExperimentResult(name, dataset, summary, files, time.perf_counter() - started, figure)


def coupling_symbol(name: str) -> str:
    return f"$K_{{{name[2:].upper()}}}$"
