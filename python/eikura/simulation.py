"""Running the model: ``simulate`` and its result, ``Run`` (SPEC §3, §7, §8)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import warnings
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _core
from ._validation import (
    check_choice,
    check_finite,
    check_finite_array,
    check_int,
    check_nonnegative,
    check_positive,
    check_seed,
    check_threads,
)
from .model import EIKuramoto

__all__ = ["simulate", "Run", "load", "MemoryLimitError", "estimate_memory", "derivative"]

METHODS = ("euler", "heun", "rk4")
# Streams of the NumPy generator, one per use, so that e.g. changing the initial phases
# never changes the frequencies drawn for the same seed.
_FREQUENCY_STREAM = 1
_INITIAL_PHASE_STREAM = 2
# Show a progress bar when a run is expected to take longer than this (seconds).
_PROGRESS_AFTER_SECONDS = 3.0
# Target wall time of one batch of steps between returns to Python (Ctrl-C, progress).
_BATCH_SECONDS = 0.2


class MemoryLimitError(ValueError):
    """A run would need more memory than is available (or than ``memory_limit``)."""


def _version() -> str:
    from . import __version__

    return __version__


def available_memory_bytes() -> int:
    """Memory the OS says is available now (MemAvailable on Linux)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))


# The network of the most recent (model, seed) is kept so that runs of the same model
# and seed (two-start protocol, replicates with a fixed network) do not rebuild it.
_network_cache: "weakref.WeakKeyDictionary[EIKuramoto, tuple[int, Any]]" = weakref.WeakKeyDictionary()


def _network_for(model: EIKuramoto, seed: int, threads: int) -> Any:
    cached = _network_cache.get(model)
    if cached is not None and cached[0] == seed:
        return cached[1]
    network = model.network.build(int(model.n_e), int(model.n_i), seed, threads)  # type: ignore[arg-type]
    _network_cache[model] = (seed, network)
    return network


def _initial_phases(
    initial: str | ArrayLike, n: int, seed: int, spread: float
) -> NDArray[np.float64]:
    if isinstance(initial, str):
        check_choice("initial", initial, ("random", "sync"))
        rng = np.random.default_rng([seed, _INITIAL_PHASE_STREAM])
        if initial == "random":
            return rng.uniform(0.0, 2.0 * np.pi, n)
        return np.mod(rng.normal(0.0, spread, n), 2.0 * np.pi) if spread > 0 else np.zeros(n)
    return check_finite_array("initial", initial, ndim=1, length=n)


def estimate_memory(model: EIKuramoto, n_steps: int, record_every: int, snapshot_every: int) -> dict[str, int]:
    """Bytes a run needs: network, integrator state and recordings.

    Examples
    --------
    >>> import eikura as ek
    >>> model = ek.EIKuramoto(n_e=800, n_i=200, network=ek.FixedInDegree(k_e=80, k_i=20))
    >>> estimate = ek.estimate_memory(model, n_steps=1000, record_every=10, snapshot_every=0)
    >>> estimate["network"]
    416000
    """
    network = int(model.network.estimate_bytes(int(model.n_e), int(model.n_i)))  # type: ignore[arg-type]
    run = int(_core.Simulation.estimate_bytes(model.n, n_steps, record_every, snapshot_every))
    return {"network": network, "run": run, "total": network + run}


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
    version: str = field(default_factory=_version)

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
        target = Path(path)
        dataset = self.to_xarray()
        descriptor, temporary = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.", suffix=".tmp")
        os.close(descriptor)
        try:
            dataset.to_netcdf(temporary, engine="h5netcdf")
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target

    @classmethod
    def from_xarray(cls, dataset: Any) -> "Run":
        def complex_of(name: str) -> NDArray[np.complex128]:
            return dataset[f"{name}_real"].values + 1j * dataset[f"{name}_imag"].values

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

    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"path: no such file {str(file)!r}")
    with xr.open_dataset(file, engine="h5netcdf") as dataset:
        return Run.from_xarray(dataset.load())


def simulate(
    model: EIKuramoto,
    t_max: float,
    dt: float = 0.01,
    method: str | None = None,
    record_every: int = 10,
    initial: str | ArrayLike = "random",
    seed: int = 0,
    threads: int | None = None,
    progress: bool | None = None,
    *,
    initial_spread: float = 0.0,
    snapshot_every: int | None = None,
    mean_frequencies: bool = False,
    transient: float = 0.0,
    wrap: bool = True,
    memory_limit: float | None = None,
) -> Run:
    """Integrate the model from ``t = 0`` to ``t_max`` with a fixed step ``dt``.

    Parameters
    ----------
    model
        The :class:`EIKuramoto` model.
    t_max, dt
        Duration and step; ``round(t_max / dt)`` steps are taken.
    method
        ``"euler"``, ``"heun"`` or ``"rk4"``. Default: ``"rk4"`` without noise,
        ``"heun"`` (stochastic Heun) with noise; with noise ``"euler"`` is
        Euler–Maruyama and ``"rk4"`` is refused.
    record_every
        Record ``Z_E, Z_I, Z`` every this many steps (and at t = 0).
    initial
        ``"random"`` (uniform phases), ``"sync"`` (all at 0, spread by
        ``initial_spread``) or an array of N phases (E first).
    seed
        Seed of every random choice: frequencies, network, initial phases, noise.
        The same seed gives bit-identical results for any ``threads``.
    threads
        OpenMP threads; ``None`` uses every core.
    progress
        Show a progress bar; ``None`` shows one only for runs longer than a few seconds.
    initial_spread
        Standard deviation of the phases around 0 for ``initial="sync"``.
    snapshot_every
        Also keep all phases every this many steps (memory: 8 N bytes each).
    mean_frequencies
        Record each oscillator's mean effective frequency over ``[transient, t_max]``.
    wrap
        Keep phases in ``[0, 2π)`` (default). ``False`` keeps them unwrapped.
    memory_limit
        Refuse runs needing more bytes than this (default: the memory available now).

    Returns
    -------
    Run
        Recordings and final state. Ctrl-C stops the run cleanly: the ``Run`` then holds
        what was recorded so far and has ``interrupted=True``.

    Examples
    --------
    >>> import eikura as ek
    >>> model = ek.EIKuramoto(n_e=800, n_i=200, k_ee=6.0, k_ie=6.0,
    ...                       frequencies=ek.Lorentzian(0.0, 1.0, regular=True))
    >>> run = ek.simulate(model, t_max=20.0, dt=0.05, seed=1)
    >>> bool(run.r[-1] > 0.5)
    True
    """
    if not isinstance(model, EIKuramoto):
        raise TypeError(f"model: expected an eikura.EIKuramoto, got {type(model).__name__}")
    t_max = check_positive("t_max", t_max)
    dt = check_positive("dt", dt)
    n_steps = int(round(t_max / dt))
    if n_steps < 1:
        raise ValueError(f"t_max: shorter than one step (t_max={t_max}, dt={dt})")
    if method is None:
        method = "heun" if model.has_noise else "rk4"
    check_choice("method", method, METHODS)
    if model.has_noise and method == "rk4":
        raise ValueError("method: 'rk4' has no stochastic version; use 'heun' or 'euler' with noise")
    record_every = check_int("record_every", record_every, minimum=1)
    snapshot_steps = 0 if snapshot_every is None else check_int("snapshot_every", snapshot_every, minimum=1)
    seed = check_seed("seed", seed)
    thread_count = check_threads(threads)
    initial_spread = check_nonnegative("initial_spread", initial_spread)
    transient = check_nonnegative("transient", transient)
    if mean_frequencies and transient >= t_max:
        raise ValueError(f"transient: must be shorter than t_max ({t_max}), got {transient}")
    if progress is not None and not isinstance(progress, bool):
        raise TypeError("progress: expected True, False or None")

    memory = estimate_memory(model, n_steps, record_every, snapshot_steps)
    limit = available_memory_bytes() if memory_limit is None else check_positive("memory_limit", memory_limit)
    if memory["total"] > limit:
        raise MemoryLimitError(
            f"memory_limit: this run needs about {memory['total'] / 2**30:.2f} GiB "
            f"(network {memory['network'] / 2**30:.2f} GiB, state and recordings "
            f"{memory['run'] / 2**30:.2f} GiB) but only {limit / 2**30:.2f} GiB is available; "
            "reduce N, record less often (record_every, snapshot_every) or raise memory_limit"
        )

    core_threads = 0 if thread_count is None else thread_count
    omega = model.natural_frequencies(np.random.default_rng([seed, _FREQUENCY_STREAM]))
    phases = _initial_phases(initial, model.n, seed, initial_spread)
    simulation = _core_simulation(
        model, omega, phases, seed, core_threads, method=method, dt=dt, n_steps=n_steps,
        record_every=record_every, snapshot_every=snapshot_steps,
        frequency_from_step=int(round(transient / dt)) if mean_frequencies else -1, wrap=wrap,
    )
    config = {
        "model": model.to_dict(),
        "run": {
            "t_max": t_max, "dt": dt, "n_steps": n_steps, "method": method,
            "record_every": record_every, "snapshot_every": snapshot_steps,
            "initial": initial if isinstance(initial, str) else "array",
            "initial_spread": initial_spread, "mean_frequencies": mean_frequencies,
            "transient": transient, "wrap": wrap, "threads": thread_count,
        },
    }
    interrupted, wall_time = _advance_with_progress(simulation, n_steps, model.n, progress)
    return _collect(simulation, model, omega, seed, config, dt, record_every, snapshot_steps,
                    wall_time, interrupted)


def _core_simulation(model: EIKuramoto, omega: NDArray[np.float64], phases: NDArray[np.float64],
                     seed: int, threads: int, **settings: Any) -> Any:
    """The C++ simulation for validated inputs (the one place that builds it)."""
    return _core.Simulation(
        n_e=model.n_e, n_i=model.n_i, omega=omega, couplings=model.core_couplings(),
        noise_e=model.noise[0], noise_i=model.noise[1],  # type: ignore[index]
        network=_network_for(model, seed, threads), normalization=model.normalization,
        seed=seed, threads=threads, initial=phases, **settings,
    )


def derivative(model: EIKuramoto, phases: ArrayLike, t: float = 0.0, seed: int = 0,
               threads: int | None = None) -> NDArray[np.float64]:
    """The deterministic right-hand side dθ/dt of SPEC §1 at ``phases`` and time ``t``.

    ``seed`` fixes the natural frequencies and the random network, as in :func:`simulate`.

    Examples
    --------
    >>> import eikura as ek, numpy as np
    >>> model = ek.EIKuramoto(n_e=3, n_i=1, k_ee=1.0, frequencies=np.zeros(4))
    >>> ek.derivative(model, np.zeros(4))
    array([0., 0., 0., 0.])
    """
    if not isinstance(model, EIKuramoto):
        raise TypeError(f"model: expected an eikura.EIKuramoto, got {type(model).__name__}")
    theta = check_finite_array("phases", phases, ndim=1, length=model.n)
    t = check_finite("t", t)
    seed = check_seed("seed", seed)
    thread_count = check_threads(threads)
    core_threads = 0 if thread_count is None else thread_count
    omega = model.natural_frequencies(np.random.default_rng([seed, _FREQUENCY_STREAM]))
    method = "heun" if model.has_noise else "rk4"
    simulation = _core_simulation(model, omega, theta, seed, core_threads, method=method, dt=1.0,
                                  n_steps=0, record_every=1, snapshot_every=0,
                                  frequency_from_step=-1, wrap=False)
    return np.asarray(simulation.derivative(theta, t))


def _advance_with_progress(simulation: Any, n_steps: int, n: int, progress: bool | None) -> tuple[bool, float]:
    """Integrate in batches of about _BATCH_SECONDS; returns (interrupted, wall time)."""
    from tqdm.auto import tqdm

    start = time.perf_counter()
    batch = max(1, min(n_steps, 2_000_000 // max(n, 1)))  # first guess: ~1e6 oscillator-steps
    interrupted = False

    def new_bar() -> Any:
        # In automatic mode (progress=None) tqdm stays silent when stderr is not a terminal.
        return tqdm(total=n_steps, initial=simulation.step, unit="step", file=sys.stderr,
                    desc=f"eikura N={n}", dynamic_ncols=True, disable=None if progress is None else False)

    bar = new_bar() if progress else None
    try:
        while not simulation.finished:
            batch_start = time.perf_counter()
            done = simulation.advance(batch)
            seconds = time.perf_counter() - batch_start
            if seconds > 0:  # aim the next batch at _BATCH_SECONDS
                batch = max(1, min(n_steps, int(done * _BATCH_SECONDS / seconds)))
            if bar is not None:
                bar.update(simulation.step - bar.n)
            elif progress is None and not simulation.finished:
                elapsed = time.perf_counter() - start
                remaining = elapsed * (n_steps - simulation.step) / max(simulation.step, 1)
                if remaining > _PROGRESS_AFTER_SECONDS:
                    bar = new_bar()
    except KeyboardInterrupt:
        interrupted = True
        warnings.warn(
            f"run interrupted at step {simulation.step} of {n_steps}; returning what was recorded",
            RuntimeWarning, stacklevel=3,
        )
    finally:
        if bar is not None:
            bar.update(simulation.step - bar.n)
            bar.close()
    return interrupted, time.perf_counter() - start


def _collect(simulation: Any, model: EIKuramoto, omega: NDArray[np.float64], seed: int,
             config: dict[str, Any], dt: float, record_every: int, snapshot_steps: int,
             wall_time: float, interrupted: bool) -> Run:
    records = simulation.z_records
    n_records = records.shape[0]
    snapshots = simulation.snapshots if snapshot_steps else None
    frequencies = simulation.mean_frequencies
    return Run(
        t=np.arange(n_records) * record_every * dt,
        z_e=records[:, 0].copy(), z_i=records[:, 1].copy(), z=records[:, 2].copy(),
        phases=simulation.phases, frequencies=omega,
        n_e=int(model.n_e), n_i=int(model.n_i), seed=seed, config=config,  # type: ignore[arg-type]
        wall_time=wall_time, steps_done=int(simulation.step), interrupted=interrupted,
        snapshot_times=np.arange(snapshots.shape[0]) * snapshot_steps * dt if snapshots is not None else None,
        snapshots=snapshots,
        mean_frequencies=frequencies if frequencies.size else None,
    )
