"""Checkpoints: save a run's full state and resume it bit-identically.

Everything random in eikura is a pure function of the seed and a counter (the noise of
oscillator ``i`` at step ``s`` depends only on ``(seed, i, s)``; schedules are functions
of ``t = s * dt``), so a run's whole state is its step counter, its phases, what it has
recorded so far, with mean frequencies the phase displacements summed so far and, with
delays, the stored past the delayed couplings read (sin and cos of the phases, or the
population sums, of the last steps). A checkpoint stores exactly that, with the natural
frequencies, the run settings and a fingerprint of the model. :func:`resume` rebuilds the
run from the model (which the checkpoint does not store: user arrays and graphs can be
large) after checking the
fingerprint, restores the state and continues; the result equals the uninterrupted run
bit for bit, for any number of threads.

Checkpoints are NetCDF files written atomically (a temporary file in the same folder,
flushed to disk, then renamed over the target), so an interrupted or failed save never
leaves a corrupt checkpoint behind: the previous one stays valid.

Examples
--------
>>> import eikura as ek, tempfile, os
>>> model = ek.EIKuramoto(n_e=40, n_i=10, k_ee=3.0, noise=0.1)
>>> path = os.path.join(tempfile.mkdtemp(), "run.ckpt.nc")
>>> first = ek.simulate(model, t_max=2.0, dt=0.01, seed=3, checkpoint=path, checkpoint_every=50)
>>> longer = ek.resume(path, model, t_max=4.0)          # continue the same run to t = 4
>>> direct = ek.simulate(model, t_max=4.0, dt=0.01, seed=3)
>>> bool((longer.z == direct.z).all() and (longer.phases == direct.phases).all())
True
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _core
from ._engine import advance, check_memory, collect, core_simulation, network_for, stored_edges, threads_for
from ._metadata import eikura_version
from ._validation import (
    check_bool,
    check_path,
    check_positive,
    check_step_count,
    check_step_interval,
    check_threads,
)
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
from .results import Run

__all__ = ["resume", "read_checkpoint", "Checkpoint", "CheckpointWriter"]

FORMAT = "eikura-checkpoint"
FORMAT_VERSION = 2  # 1: eikura 0.1 (no checksums, no model); still read
_MODEL_PREFIX = "model_"



@dataclass(frozen=True)
class Checkpoint:
    """The contents of a checkpoint file (see :func:`read_checkpoint`)."""

    step: int
    phases: NDArray[np.float64]
    z_records: NDArray[np.complex128]  # (n_records, 3): Z_E, Z_I, Z
    snapshots: NDArray[np.float64]  # (n_snapshots, N); (0, N) without snapshots
    displacement: NDArray[np.float64]  # (N,) with mean frequencies, else (0,)
    frequencies: NDArray[np.float64]
    seed: int
    config: dict[str, Any]
    frequency_from_step: int
    checkpoint_every: int
    model_fingerprint: str
    n_edges: int
    wall_time: float
    eikura_version: str
    model_arrays: dict[str, NDArray[Any]]
    delay_history: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # delays: the past
    delay_history_oldest: int = 0  # its first step with data

    @property
    def model(self) -> EIKuramoto:
        """The model the run was started with (description and user arrays, as stored)."""
        model = EIKuramoto.from_dict(self.config["model"], self.model_arrays)
        if model.fingerprint() != self.model_fingerprint:
            raise DamagedFileError("the checkpoint's model does not match its fingerprint")
        return model

    @property
    def n_steps(self) -> int:
        return int(self.config["run"]["n_steps"])

    @property
    def t(self) -> float:
        """The time the checkpoint was taken at."""
        return self.step * float(self.config["run"]["dt"])


class CheckpointWriter:
    """Saves the state of one running simulation to ``path`` (used by simulate/resume)."""

    def __init__(self, path: Path, model: EIKuramoto, omega: NDArray[np.float64], seed: int,
                 config: dict[str, Any], frequency_from_step: int, every: int, n_edges: int,
                 wall_time_before: float = 0.0) -> None:
        self.path = path
        self.every = every
        self.wall_time_before = wall_time_before
        self.saved_step = -1
        self._omega = omega
        self._model_arrays = model.content_arrays()
        self._attrs = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "eikura_version": eikura_version(),
            "seed": str(seed),  # may exceed int64
            "config": json.dumps(config),
            "frequency_from_step": frequency_from_step,
            "checkpoint_every": every,
            "model_fingerprint": model.fingerprint(),
            "n_edges": n_edges,
            "model_arrays": json.dumps(sorted(model.content_arrays())),
        }

    def save(self, simulation: _core.Simulation, elapsed: float) -> None:
        """Write the simulation's current state (atomically, every array checksummed)."""
        import h5netcdf

        records = simulation.z_records
        arrays: dict[str, NDArray[Any]] = {
            "phases": simulation.phases, "frequencies": self._omega,
            "z_real": records.real, "z_imag": records.imag, "snapshots": simulation.snapshots,
            "displacement": simulation.displacement,
            # Only with delays, so that checkpoints of other runs keep their layout.
            **({"delay_history": simulation.delay_history}
               if simulation.delay_history.size else {}),
            **{_MODEL_PREFIX + name: values for name, values in self._model_arrays.items()},
        }
        dimensions = {"phases": ("oscillator",), "frequencies": ("oscillator",),
                      "z_real": ("record", "field"), "z_imag": ("record", "field"),
                      "snapshots": ("snapshot", "oscillator"), "displacement": ("displaced",),
                      "delay_history": ("delay_value",)}
        shapes = {name: tuple(values.shape) for name, values in arrays.items()}
        encoding = checksum_encoding(shapes)
        delays = ({"delay_history_oldest": int(simulation.delay_history_oldest)}
                  if simulation.delay_history.size else {})
        attrs = {**self._attrs, **delays, "step": int(simulation.step),
                 "wall_time": self.wall_time_before + elapsed, "saved_at": time.time(),
                 "arrays_sha256": arrays_digest(arrays)}

        def write(temporary: str) -> None:
            # h5netcdf directly (not xarray): a valid NetCDF-4 file in a few milliseconds.
            with h5netcdf.File(temporary, "w") as file:
                file.dimensions = {"oscillator": arrays["phases"].size, "record": records.shape[0],
                                   "field": 3, "snapshot": arrays["snapshots"].shape[0],
                                   "displaced": arrays["displacement"].size,
                                   **({"delay_value": arrays["delay_history"].size}
                                      if "delay_history" in arrays else {}),
                                   **{f"{name}_index": values.size for name, values in arrays.items()
                                      if name.startswith(_MODEL_PREFIX)}}
                for name, values in arrays.items():
                    checks = encoding.get(name, {})
                    file.create_variable(name, dimensions.get(name, (f"{name}_index",)), data=values,
                                         fletcher32=checks.get("fletcher32", False),
                                         chunks=checks.get("chunksizes"))
                for name, value in attrs.items():
                    file.attrs[name] = value

        atomic_write(self.path, write,
                     verify=lambda temporary: verify_netcdf(temporary, shapes, tuple(attrs)))
        self.saved_step = int(simulation.step)


def _not_a_checkpoint(path: Path, reason: str) -> ValueError:
    return ValueError(f"path: {str(path)!r} is not a readable eikura checkpoint ({reason})")


def read_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Read a checkpoint written by ``simulate(..., checkpoint=path)``.

    Raises ``FileNotFoundError`` if there is no such file and ``ValueError`` if the file
    is not a complete eikura checkpoint.
    """
    import h5netcdf

    file = Path(check_path("path", path))
    if not file.exists():
        raise FileNotFoundError(f"path: no such checkpoint {str(file)!r}")
    try:
        check_hdf5_readable(file)
        with h5netcdf.File(file, "r") as opened:
            attrs = {name: opened.attrs[name] for name in opened.attrs}
            arrays = {name: np.asarray(opened.variables[name][...]) for name in opened.variables}
    except Exception as error:
        if is_checksum_failure(error):
            raise DamagedFileError(f"path: {str(file)!r} is damaged: a stored checksum does not "
                                   f"match its data ({error})") from None
        raise _not_a_checkpoint(file, f"{type(error).__name__}: {error}") from None
    if attrs.get("format") != FORMAT:
        raise _not_a_checkpoint(file, "no eikura checkpoint header; a result saved with "
                                      "Run.save is read with ek.load")
    if int(attrs.get("format_version", -1)) not in (1, FORMAT_VERSION):
        raise _not_a_checkpoint(file, f"format version {attrs.get('format_version')}, this eikura "
                                      f"reads versions 1 and {FORMAT_VERSION}")
    if "arrays_sha256" in attrs and attrs["arrays_sha256"] != arrays_digest(arrays):
        raise DamagedFileError(f"path: {str(file)!r} is damaged: its arrays do not match the "
                               "digest stored with them (the file was damaged or edited)")
    try:
        def real(name: str) -> NDArray[np.float64]:
            return np.ascontiguousarray(arrays[name], dtype=np.float64)

        checkpoint = Checkpoint(
            step=int(attrs["step"]),
            phases=real("phases"),
            z_records=np.ascontiguousarray(real("z_real") + 1j * real("z_imag")).reshape(-1, 3),
            snapshots=real("snapshots"),
            displacement=real("displacement"),
            frequencies=real("frequencies"),
            seed=int(attrs["seed"]),
            config=json.loads(attrs["config"]),
            frequency_from_step=int(attrs["frequency_from_step"]),
            checkpoint_every=int(attrs["checkpoint_every"]),
            model_fingerprint=str(attrs["model_fingerprint"]),
            n_edges=int(attrs["n_edges"]),
            wall_time=float(attrs["wall_time"]),
            eikura_version=str(attrs["eikura_version"]),
            model_arrays={name[len(_MODEL_PREFIX):]: values for name, values in arrays.items()
                          if name.startswith(_MODEL_PREFIX)},
            delay_history=real("delay_history") if "delay_history" in arrays else np.zeros(0),
            delay_history_oldest=int(attrs.get("delay_history_oldest", 0)),
        )
    except (KeyError, ValueError, TypeError) as error:
        raise _not_a_checkpoint(file, f"missing or malformed field: {error}") from None
    if checkpoint.step < 0 or checkpoint.step > checkpoint.n_steps:
        raise _not_a_checkpoint(
            file, f"step {checkpoint.step} outside the run's 0..{checkpoint.n_steps}"
        )
    n = checkpoint.phases.size
    model = checkpoint.config.get("model", {})
    if n != int(model.get("n_e", -1)) + int(model.get("n_i", -1)) or \
            checkpoint.frequencies.size != n or checkpoint.snapshots.shape[1:] not in ((n,), (0,)):
        raise DamagedFileError(f"path: {str(file)!r} is damaged: its configuration gives "
                               f"n_e={model.get('n_e')}, n_i={model.get('n_i')} but it holds "
                               f"{n} phases and {checkpoint.frequencies.size} frequencies")
    return checkpoint


def _model_differences(stored: dict[str, Any], given: dict[str, Any]) -> str:
    names = sorted(key for key in set(stored) | set(given) if stored.get(key) != given.get(key))
    return ", ".join(names) if names else "array contents (frequencies or graph edges)"


def _restore_delay_history(simulation: _core.Simulation, state: Checkpoint, model: EIKuramoto,
                           path: Path) -> None:
    """With delays, put back the stored past the delayed couplings read."""
    if not any(model.delays):
        return
    if not state.delay_history.size:
        raise _not_a_checkpoint(path, "the model has delays but the file holds no delay history")
    simulation.restore_delay_history(state.delay_history_oldest, state.delay_history)


def resume(
    path: str | os.PathLike[str],
    model: EIKuramoto | None = None,
    *,
    t_max: float | None = None,
    threads: int | None = None,
    progress: bool | None = None,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int | None = None,
    memory_limit: float | None = None,
) -> Run:
    """Continue a run from its checkpoint; the result equals the uninterrupted run.

    Parameters
    ----------
    path
        A checkpoint written by ``simulate(..., checkpoint=path)`` (periodically, on
        Ctrl-C, or at the end of the run).
    model
        The model the run was started with. By default the one stored in the checkpoint
        (its description and any user arrays); a model given here must be that model
        (same fingerprint), otherwise it is refused.
    t_max
        Run to this time instead of the original ``t_max`` (longer or shorter, but not
        before the checkpoint). The result is the run that ``simulate`` with this
        ``t_max`` and the original settings would have given.
    threads, progress, memory_limit
        As in :func:`eikura.simulate`; ``threads`` never changes the result.
    checkpoint, checkpoint_every
        Where and how often the resumed run saves its own checkpoints: by default the
        same file, at the same interval.

    Returns
    -------
    Run
        Recordings from ``t = 0`` (those before the checkpoint come from it), the final
        state, and the wall time of both parts.

    Examples
    --------
    >>> import eikura as ek, tempfile, os
    >>> model = ek.EIKuramoto(n_e=80, n_i=20, k_ee=4.0, k_ie=4.0)
    >>> path = os.path.join(tempfile.mkdtemp(), "run.ckpt.nc")
    >>> half = ek.simulate(model, t_max=1.0, dt=0.01, seed=5, checkpoint=path)
    >>> full = ek.resume(path, model, t_max=2.0)
    >>> bool((full.r == ek.simulate(model, t_max=2.0, dt=0.01, seed=5).r).all())
    True
    """
    if model is not None and not isinstance(model, EIKuramoto):
        raise TypeError(f"model: expected an eikura.EIKuramoto, got {type(model).__name__}")
    state = read_checkpoint(path)
    if model is None:
        try:
            model = state.model
        except DamagedFileError as error:
            raise DamagedFileError(f"path: {str(path)!r} is damaged: {error}") from None
        except ValueError:
            raise ValueError("model: this checkpoint (eikura 0.1) does not store its model's "
                             "arrays; pass the model the run was started with") from None
    if model.fingerprint() != state.model_fingerprint:
        differing = _model_differences(state.config.get("model", {}), model.to_dict())
        raise ValueError(
            f"model: not the model this checkpoint was taken from (differs in: {differing}); "
            "pass the model the run was started with"
        )
    if state.phases.shape != (model.n,) or state.frequencies.shape != (model.n,):
        raise _not_a_checkpoint(Path(path), f"its state is not of N = {model.n} oscillators")
    run_settings = dict(state.config["run"])
    dt = float(run_settings["dt"])
    n_steps = state.n_steps
    if t_max is not None:
        t_max = check_positive("t_max", t_max)
        n_steps = check_step_count(t_max, dt)
        if n_steps < state.step:
            raise ValueError(
                f"t_max: the checkpoint is at t = {state.t:g}; resume to a t_max at least that late"
            )
        if state.frequency_from_step > n_steps:
            raise ValueError(
                f"t_max: must be later than the transient ({run_settings['transient']})"
            )
        run_settings.update(t_max=t_max, n_steps=n_steps)
    thread_count = check_threads(threads)
    if threads is not None:
        run_settings["threads"] = thread_count
    if progress is not None:
        check_bool("progress", progress)
    target = Path(path) if checkpoint is None else check_path("checkpoint", checkpoint)
    every = (state.checkpoint_every if checkpoint_every is None
             else check_step_interval("checkpoint_every", checkpoint_every))
    record_every = int(run_settings["record_every"])
    snapshot_steps = int(run_settings["snapshot_every"])
    check_memory(model, n_steps, record_every, snapshot_steps, memory_limit, dt)

    core_threads = threads_for(model.n, thread_count)
    # Built from any valid phases, then restored: the core checks the checkpoint's state.
    simulation = core_simulation(
        model, state.frequencies, np.zeros(model.n), state.seed, core_threads,
        method=run_settings["method"], dt=dt, n_steps=n_steps, record_every=record_every,
        snapshot_every=snapshot_steps, frequency_from_step=state.frequency_from_step,
        wrap=bool(run_settings["wrap"]), precision=str(run_settings.get("precision", "float64")),
    )
    n_edges = stored_edges(network_for(model, state.seed, core_threads))
    if n_edges != state.n_edges:
        raise ValueError(
            f"model: its network has {n_edges} edges for seed {state.seed}, the checkpoint's had "
            f"{state.n_edges} (saved by eikura {state.eikura_version}); resume with that version"
        )
    simulation.restore(state.step, state.phases, state.z_records, state.snapshots,
                       state.displacement)
    _restore_delay_history(simulation, state, model, Path(path))
    config = {**state.config, "run": run_settings}
    writer = CheckpointWriter(target, model, state.frequencies, state.seed, config,
                              state.frequency_from_step, every, n_edges,
                              wall_time_before=state.wall_time)
    if target == Path(path):
        writer.saved_step = state.step  # already on disk
    interrupted, elapsed = advance(simulation, n_steps, model.n, progress, writer)
    return collect(simulation, model, state.frequencies, state.seed, config,
                   state.wall_time + elapsed, interrupted)
