"""Running the model: ``simulate`` and its result, ``Run`` (SPEC §3, §7, §8)."""

from __future__ import annotations

import json
import os
import sys
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
    MAX_STEPS,
    check_bool,
    check_choice,
    check_finite,
    check_finite_array,
    check_int,
    check_nonnegative,
    check_path,
    check_positive,
    check_seed,
    check_step_count,
    check_step_interval,
    check_threads,
)
from .checkpoint import CheckpointWriter, atomic_write, model_fingerprint, verify_netcdf
from .model import EIKuramoto

__all__ = ["simulate", "Run", "load", "MemoryLimitError", "estimate_memory", "derivative"]

METHODS = ("euler", "heun", "rk4")
PRECISIONS = ("float64", "float32")
# Streams of the NumPy generator, one per use, so that e.g. changing the initial phases
# never changes the frequencies drawn for the same seed.
_FREQUENCY_STREAM = 1
_INITIAL_PHASE_STREAM = 2
# Show a progress bar when a run is expected to take longer than this (seconds).
_PROGRESS_AFTER_SECONDS = 3.0
# Target wall time of one batch of steps between returns to Python (Ctrl-C, progress).
_BATCH_SECONDS = 0.2


# Below this many oscillators per thread, a step is too short for a second thread to pay
# for the synchronisation it costs.
_OSCILLATORS_PER_THREAD = 16_384


def threads_for(n: int, threads: int | None) -> int:
    """OpenMP threads for a network of ``n`` oscillators (the one place that decides).

    An explicit ``threads`` is used as given; ``None`` takes every core for large
    networks and fewer for small ones. Results never depend on it.
    """
    if threads is not None:
        return threads
    cores = int(_core.max_threads())
    return max(1, min(cores, n // _OSCILLATORS_PER_THREAD))


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
_network_cache: weakref.WeakKeyDictionary[EIKuramoto, tuple[int, Any]] = weakref.WeakKeyDictionary()


def _network_for(model: EIKuramoto, seed: int, threads: int) -> Any:
    cached = _network_cache.get(model)
    if cached is not None and cached[0] == seed:
        return cached[1]
    network = model.network.build(int(model.n_e), int(model.n_i), seed, threads)  # type: ignore[arg-type]
    _network_cache[model] = (seed, network)
    return network


def _stored_edges(network: Any) -> int:
    """Edges of a stored network (checked again on resume); 0 for all-to-all and for a
    procedural network, whose edges are redrawn from the seed and never stored."""
    return int(getattr(network, "n_edges", 0)) if network is not None else 0


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


def estimate_memory(
    model: EIKuramoto, n_steps: int, record_every: int, snapshot_every: int
) -> dict[str, int]:
    """Bytes a run needs at its peak: network, integrator state and recordings.

    ``network`` is the sparse network and the temporary arrays used to build it (0 for
    all-to-all); ``run`` is the integrator's state and scratch arrays, the recordings
    (``Z_E, Z_I, Z`` every ``record_every`` steps, phases every ``snapshot_every`` steps;
    0: none) and their copies into the returned :class:`Run`. :func:`simulate` refuses a
    run whose ``total`` exceeds the memory available before allocating any of it.

    Examples
    --------
    >>> import eikura as ek
    >>> model = ek.EIKuramoto(n_e=800, n_i=200, network=ek.FixedInDegree(k_e=80, k_i=20))
    >>> estimate = ek.estimate_memory(model, n_steps=1000, record_every=10, snapshot_every=0)
    >>> estimate["network"]
    424000
    """
    if not isinstance(model, EIKuramoto):
        raise TypeError(f"model: expected an eikura.EIKuramoto, got {type(model).__name__}")
    n_steps = check_int("n_steps", n_steps, minimum=0, maximum=MAX_STEPS)
    record_every = check_step_interval("record_every", record_every)
    snapshot_every = 0 if snapshot_every is None else check_step_interval(
        "snapshot_every", snapshot_every, minimum=0)
    network = int(model.network.estimate_bytes(int(model.n_e), int(model.n_i)))  # type: ignore[arg-type]
    core = int(_core.Simulation.estimate_bytes(model.n, n_steps, record_every, snapshot_every))
    # Handing the recordings to Python copies them: Z records twice ((n, 3) array, then
    # one array per field), snapshots once. Python ints: no overflow for absurd requests.
    records = n_steps // record_every + 1
    snapshots = n_steps // snapshot_every + 1 if snapshot_every else 0
    copies = 2 * records * 3 * 16 + snapshots * model.n * 8
    run = core + copies
    return {"network": network, "run": run, "total": network + run}


def _check_memory(model: EIKuramoto, n_steps: int, record_every: int, snapshot_every: int,
                  memory_limit: Any) -> dict[str, int]:
    """Refuse, before anything is allocated, a run that would not fit in memory."""
    memory = estimate_memory(model, n_steps, record_every, snapshot_every)
    limit: float
    if memory_limit is None:
        limit, source = available_memory_bytes(), "available now"
    else:
        limit, source = check_positive("memory_limit", memory_limit), "allowed by memory_limit"
    if memory["total"] > limit:
        raise MemoryLimitError(
            f"memory_limit: this run needs about {memory['total'] / 2**30:.3g} GiB "
            f"(network {memory['network'] / 2**30:.3g} GiB, state and recordings "
            f"{memory['run'] / 2**30:.3g} GiB) but only {limit / 2**30:.3g} GiB is {source}; "
            "reduce N, record less often (record_every, snapshot_every) or raise memory_limit"
        )
    return memory


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
    precision: str = "float64",
    memory_limit: float | None = None,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int | None = None,
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
    precision
        ``"float64"`` (default) or ``"float32"``: the latter keeps the table of
        sin θ_j, cos θ_j that sparse couplings gather in single precision (sums, phases
        and the integrator stay in double). Each coupling term then carries a relative
        rounding error of about 6e-8; docs/performance.md gives the measured effect on a
        run. All-to-all models ignore it (they gather nothing).
    memory_limit
        Refuse runs needing more bytes than this (default: the memory available now).
        The estimate (:func:`estimate_memory`) covers the network, the integrator and all
        recordings, and the check happens before any of them is allocated.
    checkpoint
        Save the run's full state to this file (NetCDF, written atomically) when it ends,
        when it is interrupted and, with ``checkpoint_every``, periodically;
        :func:`eikura.resume` continues it bit-identically.
    checkpoint_every
        Also save the checkpoint every this many steps (long runs survive a crash).

    Returns
    -------
    Run
        Recordings and final state. Ctrl-C stops the run cleanly: the ``Run`` then holds
        what was recorded so far and has ``interrupted=True`` (a ``RuntimeWarning`` says
        so), and the checkpoint, if any, holds the state to resume from.

    Raises
    ------
    ValueError, TypeError
        Invalid input, naming the parameter (nothing has run yet).
    MemoryLimitError
        The run would not fit in memory (nothing has been allocated).
    FloatingPointError
        The integration diverged (non-finite phases): ``dt`` or the strengths are too large.

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
    n_steps = check_step_count(t_max, dt)
    if method is None:
        method = "heun" if model.has_noise else "rk4"
    check_choice("method", method, METHODS)
    if model.has_noise and method == "rk4":
        raise ValueError("method: 'rk4' has no stochastic version; use 'heun' or 'euler' with noise")
    record_every = check_step_interval("record_every", record_every)
    snapshot_steps = (0 if snapshot_every is None
                      else check_step_interval("snapshot_every", snapshot_every))
    seed = check_seed("seed", seed)
    thread_count = check_threads(threads)
    initial_spread = check_nonnegative("initial_spread", initial_spread)
    transient = check_nonnegative("transient", transient)
    mean_frequencies = check_bool("mean_frequencies", mean_frequencies)
    wrap = check_bool("wrap", wrap)
    precision = check_choice("precision", precision, PRECISIONS)
    if mean_frequencies and transient >= t_max:
        raise ValueError(f"transient: must be shorter than t_max ({t_max}), got {transient}")
    if progress is not None and not isinstance(progress, bool):
        raise TypeError("progress: expected True, False or None")
    checkpoint_path = None if checkpoint is None else check_path("checkpoint", checkpoint)
    if checkpoint_every is not None:
        checkpoint_every = check_step_interval("checkpoint_every", checkpoint_every)
        if checkpoint_path is None:
            raise ValueError("checkpoint_every: also pass checkpoint=<file> to say where to save")
    if not isinstance(initial, str):
        initial = check_finite_array("initial", initial, ndim=1, length=model.n)

    _check_memory(model, n_steps, record_every, snapshot_steps, memory_limit)

    core_threads = threads_for(model.n, thread_count)
    omega = model.natural_frequencies(np.random.default_rng([seed, _FREQUENCY_STREAM]))
    phases = _initial_phases(initial, model.n, seed, initial_spread)
    simulation = _core_simulation(
        model, omega, phases, seed, core_threads, method=method, dt=dt, n_steps=n_steps,
        record_every=record_every, snapshot_every=snapshot_steps,
        frequency_from_step=int(round(transient / dt)) if mean_frequencies else -1, wrap=wrap,
        precision=precision,
    )
    config = {
        "model": model.to_dict(),
        "run": {
            "t_max": t_max, "dt": dt, "n_steps": n_steps, "method": method,
            "record_every": record_every, "snapshot_every": snapshot_steps,
            "initial": initial if isinstance(initial, str) else "array",
            "initial_spread": initial_spread, "mean_frequencies": mean_frequencies,
            "transient": transient, "wrap": wrap, "precision": precision, "threads": thread_count,
        },
    }
    writer = None
    if checkpoint_path is not None:
        network = _network_for(model, seed, core_threads)
        writer = CheckpointWriter(
            checkpoint_path, model, omega, seed, config,
            frequency_from_step=int(round(transient / dt)) if mean_frequencies else -1,
            every=checkpoint_every or 0, n_edges=_stored_edges(network),
            fingerprint=model_fingerprint(model),
        )
    interrupted, wall_time = _advance_with_progress(simulation, n_steps, model.n, progress, writer)
    return _collect(simulation, model, omega, seed, config, dt, record_every, snapshot_steps,
                    wall_time, interrupted)


def _core_simulation(model: EIKuramoto, omega: NDArray[np.float64], phases: NDArray[np.float64],
                     seed: int, threads: int, **settings: Any) -> Any:
    """The C++ simulation for validated inputs (the one place that builds it)."""
    return _core.Simulation(
        n_e=int(model.n_e), n_i=int(model.n_i),  # type: ignore[arg-type]
        omega=omega, couplings=model.core_couplings(),
        noise_e=model.noise[0], noise_i=model.noise[1],  # type: ignore[index]
        network=_network_for(model, seed, threads), normalization=model.normalization,
        seed=seed, threads=threads, initial=phases, **settings,
    )


def derivative(model: EIKuramoto, phases: ArrayLike, t: float = 0.0, seed: int = 0,
               threads: int | None = None, precision: str = "float64") -> NDArray[np.float64]:
    """The deterministic right-hand side dθ/dt of SPEC §1 at ``phases`` and time ``t``.

    ``seed`` fixes the natural frequencies and the random network, and ``precision``
    the sin/cos tables, as in :func:`simulate`.

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
    precision = check_choice("precision", precision, PRECISIONS)
    _check_memory(model, 0, 1, 0, None)
    core_threads = threads_for(model.n, thread_count)
    omega = model.natural_frequencies(np.random.default_rng([seed, _FREQUENCY_STREAM]))
    method = "heun" if model.has_noise else "rk4"
    simulation = _core_simulation(model, omega, theta, seed, core_threads, method=method, dt=1.0,
                                  n_steps=0, record_every=1, snapshot_every=0,
                                  frequency_from_step=-1, wrap=False, precision=precision)
    return np.asarray(simulation.derivative(theta, t))


def _advance_with_progress(simulation: Any, n_steps: int, n: int, progress: bool | None,
                           checkpoints: CheckpointWriter | None = None) -> tuple[bool, float]:
    """Integrate in batches of about _BATCH_SECONDS; returns (interrupted, wall time).

    Between batches Python gets control back: Ctrl-C (KeyboardInterrupt, raised when the
    batch returns, so always between two steps) stops the run with a consistent state,
    the progress bar moves, the state is checked for divergence and checkpoints are
    saved. Batch boundaries never change the result.
    """
    from tqdm.auto import tqdm

    start = time.perf_counter()
    batch = max(1, min(n_steps, 2_000_000 // max(n, 1)))  # first guess: ~1e6 oscillator-steps
    every = checkpoints.every if checkpoints is not None else 0
    interrupted = False

    def new_bar() -> Any:
        # In automatic mode (progress=None) tqdm stays silent when stderr is not a terminal.
        return tqdm(total=n_steps, initial=simulation.step, unit="step", file=sys.stderr,
                    desc=f"eikura N={n}", dynamic_ncols=True, disable=None if progress is None else False)

    bar = new_bar() if progress else None
    try:
        while not simulation.finished:
            steps = batch if not every else min(batch, every - simulation.step % every)
            batch_start = time.perf_counter()
            done = simulation.advance(steps)
            seconds = time.perf_counter() - batch_start
            if seconds > 0:  # aim the next batch at _BATCH_SECONDS
                batch = max(1, min(n_steps, int(done * _BATCH_SECONDS / seconds)))
            _check_not_diverged(simulation)
            if every and simulation.step % every == 0 and not simulation.finished:
                checkpoints.save(simulation, time.perf_counter() - start)  # type: ignore[union-attr]
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
            f"run interrupted at step {simulation.step} of {n_steps}; returning what was recorded"
            + (f" (checkpoint: {checkpoints.path})" if checkpoints is not None else ""),
            RuntimeWarning, stacklevel=3,
        )
    finally:
        if bar is not None:
            bar.update(simulation.step - bar.n)
            bar.close()
    if checkpoints is not None and checkpoints.saved_step != simulation.step:
        try:  # the final state: resume continues from here (or returns at once if done)
            checkpoints.save(simulation, time.perf_counter() - start)
        except KeyboardInterrupt:  # a second Ctrl-C: the last checkpoint on disk stays valid
            interrupted = True
            warnings.warn(f"checkpoint {checkpoints.path} not updated (interrupted while saving)",
                          RuntimeWarning, stacklevel=3)
    return interrupted, time.perf_counter() - start


def _check_not_diverged(simulation: Any) -> None:
    """Refuse to go on with (or return) a state that is no longer a set of phases."""
    # Z over all N oscillators is finite iff every phase is (an empty population's own
    # field is recorded as 0, so Z_E and Z_I say nothing more).
    if not np.isfinite(simulation.last_record[2]):
        raise FloatingPointError(
            f"dt: the integration diverged (non-finite phases) before step {simulation.step}; "
            "reduce dt, the coupling strengths or the natural frequencies"
        )


def _collect(simulation: Any, model: EIKuramoto, omega: NDArray[np.float64], seed: int,
             config: dict[str, Any], dt: float, record_every: int, snapshot_steps: int,
             wall_time: float, interrupted: bool) -> Run:
    _check_not_diverged(simulation)  # between records too: the final phases
    phases = simulation.phases
    if not np.all(np.isfinite(phases)):
        raise FloatingPointError(
            f"dt: the integration diverged (non-finite phases) before step {simulation.step}; "
            "reduce dt, the coupling strengths or the natural frequencies"
        )
    records = simulation.z_records
    n_records = records.shape[0]
    snapshots = simulation.snapshots if snapshot_steps else None
    frequencies = simulation.mean_frequencies
    return Run(
        t=np.arange(n_records) * record_every * dt,
        z_e=records[:, 0].copy(), z_i=records[:, 1].copy(), z=records[:, 2].copy(),
        phases=phases, frequencies=omega,
        n_e=int(model.n_e), n_i=int(model.n_i), seed=seed, config=config,  # type: ignore[arg-type]
        wall_time=wall_time, steps_done=int(simulation.step), interrupted=interrupted,
        snapshot_times=np.arange(snapshots.shape[0]) * snapshot_steps * dt if snapshots is not None else None,
        snapshots=snapshots,
        mean_frequencies=frequencies if frequencies.size else None,
    )
