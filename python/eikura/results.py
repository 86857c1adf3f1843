"""The result of a simulation, ``Run``, and reading it back from a file.

A saved run holds everything needed to trust and to repeat it: the recordings, the final
state, the full configuration with the seed and the eikura version, the model (its
description and any user arrays: frequencies, a graph's edges), a Fletcher-32 checksum on
every array and a SHA-256 digest of all of them. :func:`load` checks all of that and
refuses a damaged or edited file, naming what does not fit.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._display import html_table
from ._metadata import eikura_version
from ._validation import check_path
from .files import (
    DamagedFileError,
    arrays_digest,
    atomic_write,
    check_hdf5_readable,
    checksum_encoding,
    is_checksum_failure,
    verify_netcdf,
)
from .model import EIKuramoto

__all__ = ["Run", "load", "FORMAT", "FORMAT_VERSION"]

FORMAT = "eikura-run"
FORMAT_VERSION = 2  # 1: eikura 0.1 files (no checksums, no model arrays); still read
_MODEL_PREFIX = "model_"
# The optional observables recorded per population (variables over time, when present).
_OBSERVABLE_VARIABLES = {
    "instantaneous_frequency_e": "mean dtheta/dt over E at the recorded state",
    "instantaneous_frequency_i": "mean dtheta/dt over I at the recorded state",
    "local_order_e": "mean over E of the local order parameter |mean of e^(i theta_j) over inputs j|",
    "local_order_i": "mean over I of the local order parameter |mean of e^(i theta_j) over inputs j|",
}


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
    instantaneous_frequency_e, instantaneous_frequency_i : ndarray or None
        The population's mean dθ_i/dt at each recording time, if recorded
        (``simulate(..., observables=("instantaneous_frequency",))``).
    local_order_e, local_order_i : ndarray or None
        The mean over the population's oscillators of each one's local order parameter
        (the modulus of the mean phasor of its inputs) at each recording time, if recorded
        (``observables=("local_order",)``; :mod:`eikura.observables`).
    model : EIKuramoto or None
        The model that was run (rebuilt from the file by :func:`load`; ``None`` for files
        of eikura 0.1 whose model used arrays that were not saved).
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
    instantaneous_frequency_e: NDArray[np.float64] | None = None
    instantaneous_frequency_i: NDArray[np.float64] | None = None
    local_order_e: NDArray[np.float64] | None = None
    local_order_i: NDArray[np.float64] | None = None
    version: str = field(default_factory=eikura_version)
    model: EIKuramoto | None = field(default=None, repr=False, compare=False)

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
        """Circular mean phase ``arg Z_E`` of the excitatory population, in (−π, π]."""
        return np.angle(self.z_e)

    @property
    def psi_i(self) -> NDArray[np.float64]:
        """Circular mean phase ``arg Z_I`` of the inhibitory population, in (−π, π]."""
        return np.angle(self.z_i)

    @property
    def psi(self) -> NDArray[np.float64]:
        """Circular mean phase ``arg Z`` of the whole network, in (−π, π]."""
        return np.angle(self.z)

    @property
    def observables(self) -> tuple[str, ...]:
        """The optional observables this run recorded (``simulate(..., observables=...)``)."""
        recorded = (("instantaneous_frequency", self.instantaneous_frequency_e),
                    ("local_order", self.local_order_e))
        return tuple(name for name, values in recorded if values is not None)

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

    def _repr_html_(self) -> str:
        settings = self.config.get("run", {})
        late = self.t >= 0.5 * self.t[-1]
        rows = [("N", f"{self.n} (E {self.n_e}, I {self.n_i})"),
                ("time", f"0 .. {self.t[-1]:g} ({self.t.size} records, {self.steps_done} steps)"),
                ("method, dt", f"{settings.get('method', '?')}, {settings.get('dt', '?')}"),
                ("seed", str(self.seed)),
                ("mean r_E, r_I, r (second half)",
                 f"{self.r_e[late].mean():.4f}, {self.r_i[late].mean():.4f}, {self.r[late].mean():.4f}"),
                ("wall time", f"{self.wall_time:.3g} s")]
        if self.local_order_e is not None and self.local_order_i is not None:
            rows.append(("mean local order E, I (second half)",
                         f"{np.nanmean(self.local_order_e[late]):.4f}, "
                         f"{np.nanmean(self.local_order_i[late]):.4f}"))
        if self.instantaneous_frequency_e is not None and self.instantaneous_frequency_i is not None:
            rows.append(("mean dθ/dt E, I (second half)",
                         f"{np.nanmean(self.instantaneous_frequency_e[late]):.4g}, "
                         f"{np.nanmean(self.instantaneous_frequency_i[late]):.4g}"))
        if self.interrupted:
            rows.append(("interrupted", "yes: the arrays hold what was recorded"))
        return html_table("eikura.Run", rows)

    def plot(self, ax: Any = None, *, raster: bool | None = None) -> Any:
        """Draw r_E, r_I and r against time (and, with phase snapshots of a small network,
        the phases as a raster below); returns the matplotlib figure.

        ``raster=None`` draws the raster when snapshots exist and N <= 2000. With ``ax``
        given, only the order parameters are drawn, into that axes.

        Examples
        --------
        >>> import eikura as ek
        >>> run = ek.simulate(ek.EIKuramoto(n_e=80, n_i=20, k_ee=4.0), t_max=10.0, dt=0.05,
        ...                   seed=1, snapshot_every=10)
        >>> figure = run.plot()
        >>> [axis.get_ylabel() for axis in figure.axes]
        ['order parameter', 'oscillator']
        """
        import matplotlib.pyplot as plt

        show_raster = (self.snapshots is not None and self.n <= 2000) if raster is None else raster
        if show_raster and self.snapshots is None:
            raise ValueError("raster: the run has no phase snapshots (simulate with snapshot_every)")
        if ax is not None:
            figure, axes = ax.figure, [ax]
            show_raster = False
        elif show_raster:
            figure, axes = plt.subplots(2, 1, figsize=(7.5, 5.5), sharex=True, layout="constrained",
                                        height_ratios=(1, 1.3))
        else:
            figure, single = plt.subplots(figsize=(7.5, 3.2), layout="constrained")
            axes = [single]
        for values, label, color in ((self.r_e, "$r_E$", "#D55E00"), (self.r_i, "$r_I$", "#0072B2"),
                                     (self.r, "$r$", "#000000")):
            axes[0].plot(self.t, values, label=label, color=color, linewidth=0.9)
        if self.local_order_e is not None and self.local_order_i is not None:
            # recorded local order parameters: dashed, in their population's colour
            for values, label, color in ((self.local_order_e, r"$R^{\mathrm{loc}}_E$", "#D55E00"),
                                         (self.local_order_i, r"$R^{\mathrm{loc}}_I$", "#0072B2")):
                axes[0].plot(self.t, values, label=label, color=color, linewidth=0.9,
                             linestyle="--")
        axes[0].set_ylim(0.0, 1.02)
        axes[0].set_ylabel("order parameter")
        # outside the data, right of the axes: never covers a curve
        axes[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        if show_raster and self.snapshots is not None and self.snapshot_times is not None:
            image = axes[1].imshow(self.snapshots.T, aspect="auto", origin="lower", cmap="twilight",
                                   vmin=0.0, vmax=2.0 * np.pi, interpolation="nearest",
                                   extent=(self.snapshot_times[0], self.snapshot_times[-1], 0, self.n))
            axes[1].axhline(self.n_e, color="black", linewidth=0.8, linestyle="--")  # E | I
            axes[1].set_ylabel("oscillator")
            colorbar = figure.colorbar(image, ax=axes[1], ticks=[0, np.pi, 2 * np.pi], pad=0.01)
            colorbar.ax.set_yticklabels(["0", "π", "2π"])
            colorbar.set_label("phase θ")
        axes[-1].set_xlabel("time t")
        return figure

    def to_xarray(self) -> Any:
        """The run as an ``xarray.Dataset`` (complex fields split into real/imag parts;
        the model's own arrays, if any, as ``model_*`` variables)."""
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
        for name, long_name in _OBSERVABLE_VARIABLES.items():
            values = getattr(self, name)
            if values is not None:
                data_vars[name] = ("time", values, {"long_name": long_name})
        model_arrays = self.model.content_arrays() if self.model is not None else {}
        for name, values in model_arrays.items():
            data_vars[_MODEL_PREFIX + name] = (f"{_MODEL_PREFIX}{name}_index", values)
        attrs = {
            "title": "eikura EI-Kuramoto simulation",
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "eikura_version": self.version,
            "seed": str(self.seed),  # may exceed int64
            "n_e": self.n_e,
            "n_i": self.n_i,
            "config": json.dumps(self.config),
            "model_arrays": json.dumps(sorted(model_arrays)),
            "wall_time": self.wall_time,
            "steps_done": self.steps_done,
            "interrupted": int(self.interrupted),
        }
        dataset = xr.Dataset(data_vars, coords=coords, attrs=attrs)
        dataset.attrs["arrays_sha256"] = _dataset_digest(dataset)
        return dataset

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the run to NetCDF, with checksums (atomically: a temporary file, checked
        and then renamed).

        Examples
        --------
        >>> import eikura as ek, tempfile, os
        >>> run = ek.simulate(ek.EIKuramoto(n_e=40, n_i=10, k_ee=3.0), t_max=1.0, dt=0.1, seed=3)
        >>> path = run.save(os.path.join(tempfile.mkdtemp(), "run.nc"))
        >>> again = ek.load(path)
        >>> bool((again.r == run.r).all()), again.model.fingerprint() == run.model.fingerprint()
        (True, True)
        """
        target = check_path("path", path)
        dataset = self.to_xarray()
        shapes = {str(name): tuple(variable.shape) for name, variable in dataset.variables.items()}
        encoding = checksum_encoding(shapes)
        return atomic_write(
            target, lambda temporary: dataset.to_netcdf(temporary, engine="h5netcdf",
                                                        encoding=encoding),
            verify=lambda temporary: verify_netcdf(temporary, shapes, tuple(dataset.attrs)),
        )

    @classmethod
    def from_xarray(cls, dataset: Any) -> Run:
        """The run that :meth:`to_xarray` gave, after checking that the dataset is whole
        and consistent (``DamagedFileError`` says what is not)."""
        _check_dataset(dataset)

        def complex_of(name: str) -> NDArray[np.complex128]:
            return np.asarray(dataset[f"{name}_real"].values + 1j * dataset[f"{name}_imag"].values,
                              dtype=np.complex128)

        has_snapshots = "snapshots" in dataset
        config = json.loads(dataset.attrs["config"])
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
            config=config,
            wall_time=float(dataset.attrs["wall_time"]),
            steps_done=int(dataset.attrs["steps_done"]),
            interrupted=bool(dataset.attrs["interrupted"]),
            snapshot_times=dataset["snapshot_time"].values if has_snapshots else None,
            snapshots=dataset["snapshots"].values if has_snapshots else None,
            mean_frequencies=dataset["mean_frequencies"].values if "mean_frequencies" in dataset else None,
            **{name: dataset[name].values if name in dataset else None
               for name in _OBSERVABLE_VARIABLES},
            version=str(dataset.attrs["eikura_version"]),
            model=_model_of(dataset, config),
        )


def _dataset_digest(dataset: Any) -> str:
    return arrays_digest({str(name): np.asarray(variable.values)
                          for name, variable in dataset.variables.items()})


def _model_of(dataset: Any, config: dict[str, Any]) -> EIKuramoto | None:
    """The model stored with a run; ``None`` where a 0.1 file lacks its user arrays."""
    names = json.loads(dataset.attrs.get("model_arrays", "[]"))
    arrays = {name: np.asarray(dataset[_MODEL_PREFIX + name].values) for name in names}
    try:
        return EIKuramoto.from_dict(config["model"], arrays)
    except ValueError:
        if int(dataset.attrs.get("format_version", 1)) >= FORMAT_VERSION:
            raise
        return None


def _check_dataset(dataset: Any) -> None:
    """Refuse a dataset whose arrays or attributes contradict each other."""
    attrs = dataset.attrs
    if "arrays_sha256" in attrs and attrs["arrays_sha256"] != _dataset_digest(dataset):
        raise DamagedFileError("its arrays do not match the digest stored with them (the file "
                               "was damaged or edited)")
    n_e, n_i = int(attrs["n_e"]), int(attrs["n_i"])
    n = dataset.sizes["oscillator"]
    if n_e < 0 or n_i < 0 or n_e + n_i != n:
        raise DamagedFileError(f"its attributes give n_e={n_e}, n_i={n_i} but it holds {n} "
                               "oscillators")
    config = json.loads(attrs["config"])
    model = config.get("model", {})
    if (model.get("n_e"), model.get("n_i")) != (n_e, n_i):
        raise DamagedFileError(f"its configuration gives n_e={model.get('n_e')}, "
                               f"n_i={model.get('n_i')} but its attributes n_e={n_e}, n_i={n_i}")
    run = config.get("run", {})
    steps, record_every = int(attrs["steps_done"]), int(run.get("record_every", 1))
    if dataset.sizes["time"] != steps // record_every + 1:
        raise DamagedFileError(f"it holds {dataset.sizes['time']} records, but {steps} steps "
                               f"recorded every {record_every} give {steps // record_every + 1}")
    if int(np.sum(dataset["is_excitatory"].values)) != n_e:
        raise DamagedFileError("its is_excitatory labels do not count n_e excitatory oscillators")
    r = np.asarray(dataset["r"].values)
    if np.any(~np.isfinite(r)) or np.any(r > 1.0 + 1e-9):
        raise DamagedFileError("its order parameter r is not a number in [0, 1] everywhere")
    if run.get("wrap", True):
        for name in ("phases", "snapshots"):
            values = np.asarray(dataset[name].values) if name in dataset else np.zeros(0)
            if np.any(~(values >= 0.0)) or np.any(values > 2.0 * np.pi):
                raise DamagedFileError(f"its {name} are not wrapped phases in [0, 2π]")


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
        check_hdf5_readable(file)
        with xr.open_dataset(file, engine="h5netcdf") as dataset:
            if dataset.attrs.get("format") == "eikura-checkpoint":
                raise ValueError("it is a checkpoint: continue it with ek.resume(path)")
            return Run.from_xarray(dataset.load())
    except DamagedFileError as error:
        raise DamagedFileError(f"path: {str(file)!r} is damaged: {error}") from None
    except Exception as error:
        if is_checksum_failure(error):
            raise DamagedFileError(f"path: {str(file)!r} is damaged: a stored checksum does not "
                                   f"match its data ({error})") from None
        raise ValueError(
            f"path: {str(file)!r} is not a readable eikura result ({type(error).__name__}: {error})"
        ) from None
