"""The result of a simulation, ``Run``, and reading it back from a file."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._metadata import eikura_version
from ._validation import check_path
from .files import atomic_write, verify_netcdf

__all__ = ["Run", "load"]


@dataclass
class Run:
    """The result of :func:`simulate`: recordings, final state and configuration.

    Attributes
    ----------
    t : ndarray
        Recording times.
    z_e, z_i, z : ndarray of complex
        Complex mean fields ``Z_E``, ``Z_I`` and ``Z`` (over all N) at ``t``.
    phases : ndarray
        Final phases, shape (N,), E first.
    frequencies : ndarray
        The natural frequencies used, shape (N,).
    snapshot_times, snapshots : ndarray or None
        Phase snapshots, shape (n_snapshots, N), if requested.
    mean_frequencies : ndarray or None
        Each oscillator's mean dθ/dt after the transient, if requested.
    config : dict
        Model and run settings; ``seed`` is the seed used.
    interrupted : bool
        True if the run was stopped (Ctrl-C) before ``t_max``; the arrays then hold
        what was recorded up to that point.
    """

    t: NDArray[np.float64]
    z_e: NDArray[np.complex128]
    z_i: NDArray[np.complex128]
    z: NDArray[np.complex128]
    phases: NDArray[np.float64]
    frequencies: NDArray[np.float64]
    n_e: int
    n_i: int
    seed: int
    config: dict[str, Any]
    wall_time: float = 0.0
    steps_done: int = 0
    interrupted: bool = False
    snapshot_times: NDArray[np.float64] | None = None
    snapshots: NDArray[np.float64] | None = None
    mean_frequencies: NDArray[np.float64] | None = None
    version: str = field(default_factory=eikura_version)

    @property
    def r_e(self) -> NDArray[np.float64]:
        """Order parameter ``|Z_E|`` of the excitatory population."""
        return np.abs(self.z_e)

    @property
    def r_i(self) -> NDArray[np.float64]:
        """Order parameter ``|Z_I|`` of the inhibitory population."""
        return np.abs(self.z_i)

    @property
    def r(self) -> NDArray[np.float64]:
        """Order parameter ``|Z|`` of the whole network."""
        return np.abs(self.z)

    @property
    def psi_e(self) -> NDArray[np.float64]:
        return np.angle(self.z_e)

    @property
    def psi_i(self) -> NDArray[np.float64]:
        return np.angle(self.z_i)

    @property
    def psi(self) -> NDArray[np.float64]:
        return np.angle(self.z)

    @property
    def n(self) -> int:
        return self.n_e + self.n_i

    @property
    def oscillator_steps_per_second(self) -> float:
        return self.n * self.steps_done / self.wall_time if self.wall_time > 0 else float("nan")

    def __repr__(self) -> str:
        status = " (interrupted)" if self.interrupted else ""
        return (
            f"<eikura.Run N={self.n} (E {self.n_e}, I {self.n_i}), t = 0..{self.t[-1]:g}, "
            f"{self.t.size} records, seed {self.seed}{status}>"
        )

    def to_xarray(self) -> Any:
        """The run as an ``xarray.Dataset`` (complex fields split into real/imag parts)."""
        import xarray as xr

        data_vars: dict[str, Any] = {}
        for name in ("z_e", "z_i", "z"):
            values = getattr(self, name)
            data_vars[f"{name}_real"] = ("time", values.real)
            data_vars[f"{name}_imag"] = ("time", values.imag)
        data_vars["r_e"] = ("time", self.r_e, {"long_name": "order parameter |Z_E|"})
        data_vars["r_i"] = ("time", self.r_i, {"long_name": "order parameter |Z_I|"})
        data_vars["r"] = ("time", self.r, {"long_name": "order parameter |Z|"})
        data_vars["phases"] = ("oscillator", self.phases, {"long_name": "final phases"})
        data_vars["frequencies"] = ("oscillator", self.frequencies, {"long_name": "natural frequencies"})
        coords: dict[str, Any] = {
            "time": self.t,
            "oscillator": np.arange(self.n),
            "is_excitatory": ("oscillator", np.arange(self.n) < self.n_e),
        }
        if self.snapshots is not None and self.snapshot_times is not None:
            coords["snapshot_time"] = self.snapshot_times
            data_vars["snapshots"] = (("snapshot_time", "oscillator"), self.snapshots)
        if self.mean_frequencies is not None:
            data_vars["mean_frequencies"] = ("oscillator", self.mean_frequencies)
        attrs = {
            "title": "eikura EI-Kuramoto simulation",
            "eikura_version": self.version,
            "seed": str(self.seed),  # may exceed int64
            "n_e": self.n_e,
            "n_i": self.n_i,
            "config": json.dumps(self.config),
            "wall_time": self.wall_time,
            "steps_done": self.steps_done,
            "interrupted": int(self.interrupted),
        }
        return xr.Dataset(data_vars, coords=coords, attrs=attrs)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the run to NetCDF (atomically: a temporary file, then a rename)."""
        target = check_path("path", path)
        dataset = self.to_xarray()
        shapes = {str(name): tuple(variable.shape) for name, variable in dataset.variables.items()}
        return atomic_write(
            target, lambda temporary: dataset.to_netcdf(temporary, engine="h5netcdf"),
            verify=lambda temporary: verify_netcdf(temporary, shapes, tuple(dataset.attrs)),
        )

    @classmethod
    def from_xarray(cls, dataset: Any) -> Run:
        def complex_of(name: str) -> NDArray[np.complex128]:
            return np.asarray(dataset[f"{name}_real"].values + 1j * dataset[f"{name}_imag"].values,
                              dtype=np.complex128)

        has_snapshots = "snapshots" in dataset
        return cls(
            t=dataset["time"].values,
            z_e=complex_of("z_e"),
            z_i=complex_of("z_i"),
            z=complex_of("z"),
            phases=dataset["phases"].values,
            frequencies=dataset["frequencies"].values,
            n_e=int(dataset.attrs["n_e"]),
            n_i=int(dataset.attrs["n_i"]),
            seed=int(dataset.attrs["seed"]),
            config=json.loads(dataset.attrs["config"]),
            wall_time=float(dataset.attrs["wall_time"]),
            steps_done=int(dataset.attrs["steps_done"]),
            interrupted=bool(dataset.attrs["interrupted"]),
            snapshot_times=dataset["snapshot_time"].values if has_snapshots else None,
            snapshots=dataset["snapshots"].values if has_snapshots else None,
            mean_frequencies=dataset["mean_frequencies"].values if "mean_frequencies" in dataset else None,
            version=str(dataset.attrs["eikura_version"]),
        )


def load(path: str | os.PathLike[str]) -> Run:
    """Read a run written by :meth:`Run.save`.

    Examples
    --------
    >>> import eikura as ek, tempfile, os
    >>> run = ek.simulate(ek.EIKuramoto(n_e=40, n_i=10, k_ee=3.0), t_max=1.0, dt=0.1, seed=3)
    >>> path = os.path.join(tempfile.mkdtemp(), "run.nc")
    >>> _ = run.save(path)
    >>> bool((ek.load(path).r == run.r).all())
    True
    """
    import xarray as xr

    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: expected a file path (str or pathlib.Path), got {type(path).__name__}")
    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"path: no such file {str(file)!r}")
    try:
        with xr.open_dataset(file, engine="h5netcdf") as dataset:
            if dataset.attrs.get("format") == "eikura-checkpoint":
                raise ValueError("it is a checkpoint: continue it with ek.resume(path, model)")
            return Run.from_xarray(dataset.load())
    except Exception as error:
        raise ValueError(
            f"path: {str(file)!r} is not a readable eikura result ({type(error).__name__}: {error})"
        ) from None
