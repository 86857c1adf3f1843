"""The engine: how a model becomes a running C++ simulation and its result.

Prepare (threads, memory guard, network, frequencies, initial phases), advance (batches
between which Python handles Ctrl-C, progress, divergence and checkpoints) and collect (a
:class:`~eikura.results.Run`). ``simulate``, ``resume`` and ``sweep`` all go through
these functions, so each rule — which stream draws what, how many threads, what is
refused — is written once, here.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import warnings
import weakref
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _core
from ._validation import (
    MAX_STEPS,
    check_choice,
    check_finite_array,
    check_int,
    check_nonnegative,
    check_positive,
    check_step_interval,
)
from .model import EIKuramoto
from .networks import AllToAll, BuiltNetwork
from .results import Run

__all__ = [
    "METHODS",
    "FIXED_STEP_METHODS",
    "ADAPTIVE_METHODS",
    "PRECISIONS",
    "MemoryLimitError",
    "StepSizeWarning",
    "check_step_size",
    "check_recording",
    "usable_cores",
    "threads_for",
    "check_method",
    "check_tolerances",
    "delay_steps",
    "delay_history_slots",
    "check_delays",
    "check_history",
    "delayed_start",
    "available_memory_bytes",
    "estimate_memory",
    "check_memory",
    "network_for",
    "stored_edges",
    "natural_frequencies",
    "initial_phases",
    "core_simulation",
    "Checkpointer",
    "advance",
    "check_not_diverged",
    "collect",
]

METHODS = ("euler", "heun", "rk4", "dopri5")
# Methods with a fixed step dt (the step-size guard applies to them); dopri5 chooses its
# own steps to meet rtol/atol, and dt is then only its first step and the output spacing.
FIXED_STEP_METHODS = ("euler", "heun", "rk4")
ADAPTIVE_METHODS = ("dopri5",)
# dopri5's default tolerances: per oscillator and step, the local error estimate must not
# exceed DEFAULT_ATOL + DEFAULT_RTOL |Δθ_i| (radians; Δθ_i the phase's change over the
# step). docs/accuracy.md measures what they give on the reference problem.
DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-8
PRECISIONS = ("float64", "float32")
# Streams of the NumPy generator, one per use, so that e.g. changing the initial phases
# never changes the frequencies drawn for the same seed.
FREQUENCY_STREAM = 1
INITIAL_PHASE_STREAM = 2
# Show a progress bar when a run is expected to take longer than this (seconds).
PROGRESS_AFTER_SECONDS = 3.0
# Target wall time of one batch of steps between returns to Python (Ctrl-C, progress).
BATCH_SECONDS = 0.2
# Below this many oscillators per thread, a step is too short for a second thread to pay
# for the synchronisation it costs.
OSCILLATORS_PER_THREAD = 16_384


class MemoryLimitError(ValueError):
    """A run would need more memory than is available (or than ``memory_limit``)."""


class StepSizeWarning(RuntimeWarning):
    """A fixed step ``dt`` too large for the rates of the model: expect visible errors."""


# Fixed-step guard, in radians per step of the fastest phase difference (rate × dt, with
# the rate from EIKuramoto.fastest_rate). Measured on the synchronized state of N = 2000,
# K = (6, 1, 12, 2), Lorentzian width 1 (rate 15), against dt = 0.005: Euler's error in r
# grows as about 0.013 per radian (1e-2 at 0.75); Heun and RK4 stay within 1e-2 up to 2
# and 2.5 and break down (r_I off by 0.3-0.6) past 4 (Heun) and 7 (RK4). Linear stability
# on the real axis ends at 2 (Euler, Heun) and 2.79 (RK4); the coupling bound used for
# the rate is conservative, hence the margins. docs/accuracy.md shows the measurement.
STEP_WARN_RADIANS = {"euler": 0.75, "heun": 2.0, "rk4": 2.5}
STEP_REFUSE_RADIANS = {"euler": 4.0, "heun": 4.0, "rk4": 5.5}


# --------------------------------------------------------------------------- threads


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS says)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def threads_for(n: int, threads: int | None) -> int:
    """OpenMP threads for a network of ``n`` oscillators (the one place that decides).

    An explicit ``threads`` is used as given; ``None`` takes one thread per
    ``OSCILLATORS_PER_THREAD`` oscillators, up to every core OpenMP may use. Results
    never depend on it.
    """
    if threads is not None:
        return threads
    cores = int(_core.max_threads())
    return max(1, min(cores, n // OSCILLATORS_PER_THREAD))


def check_method(model: EIKuramoto, method: str | None) -> str:
    """The integration method: the default for the model, or ``method`` if it applies."""
    if method is None:
        return "heun" if model.has_noise else "rk4"
    check_choice("method", method, METHODS)
    if model.has_noise and method == "rk4":
        raise ValueError("method: 'rk4' has no stochastic version; use 'heun' or 'euler' with noise")
    if model.has_noise and method in ADAPTIVE_METHODS:
        raise ValueError(f"method: {method!r} is for deterministic runs (its error control "
                         "assumes a smooth solution); use 'heun' or 'euler' with noise")
    return method


def check_tolerances(method: str, rtol: float | None,
                     atol: float | None) -> dict[str, float]:
    """The error tolerances of an adaptive method (defaults where ``None``); for a
    fixed-step method there are none, and passing one is refused rather than ignored."""
    if method not in ADAPTIVE_METHODS:
        for name, value in (("rtol", rtol), ("atol", atol)):
            if value is not None:
                raise ValueError(f"{name}: only the adaptive method 'dopri5' has error "
                                 f"tolerances; {method!r} takes a fixed step dt")
        return {}
    tolerances = {"rtol": DEFAULT_RTOL if rtol is None else check_nonnegative("rtol", rtol),
                  "atol": DEFAULT_ATOL if atol is None else check_nonnegative("atol", atol)}
    if tolerances["rtol"] == 0 and tolerances["atol"] == 0:
        raise ValueError("atol: rtol and atol cannot both be 0")
    return tolerances


# --------------------------------------------------------------------------- delays


def delay_steps(delay: float, dt: float) -> float:
    """``delay / dt``, taken as the nearest whole number when within 1e-9 (relative) of
    it, as the engine takes it (a delay meant as a multiple of dt reads stored steps)."""
    steps = delay / dt
    nearest = round(steps)
    return float(nearest) if abs(steps - nearest) <= 1e-9 * max(1.0, steps) else steps


def delay_history_slots(model: EIKuramoto, dt: float) -> int:
    """Steps of the past a run of ``model`` at step ``dt`` keeps (0 without delays)."""
    return int(_core.delay_history_slots(max(model.delays), dt)) if any(model.delays) else 0


def check_delays(model: EIKuramoto, method: str, dt: float, precision: str = "float64") -> None:
    """Refuse what the delayed integration does not do: the adaptive method, float32
    tables, and a non-zero delay shorter than one step (a stage would read the phases of
    the step being taken)."""
    if not any(model.delays):
        return
    if method in ADAPTIVE_METHODS:
        raise ValueError(f"method: {method!r} is not available with delays; use 'rk4' (or "
                         "'heun' / 'euler' with noise)")
    if precision != "float64":
        raise ValueError(f"precision: {precision!r} tables are not available with delays; "
                         "use 'float64'")
    for block, delay in zip(("ee", "ei", "ie", "ii"), model.delays, strict=True):
        if delay > 0 and delay_steps(delay, dt) < 1.0:
            raise ValueError(f"delay: τ_{block.upper()} = {delay:g} is shorter than one step "
                             f"dt = {dt:g}; use dt <= {delay:g} (or a delay of 0 or >= dt)")


def check_history(history: ArrayLike | None, model: EIKuramoto, dt: float
                  ) -> NDArray[np.float64] | None:
    """A user history: phases every ``dt`` from ``t = −(rows − 1) dt`` to ``t = 0`` (the
    last row), at least far enough back to cover the longest delay."""
    if history is None:
        return None
    if not any(model.delays):
        raise ValueError("history: only a model with delays reads past phases; leave history "
                         "out or give the model a delay")
    array = check_finite_array("history", history, ndim=2)
    rows = int(np.ceil(delay_steps(max(model.delays), dt))) + 1
    if array.shape[1] != model.n or array.shape[0] < rows:
        raise ValueError(f"history: expected an array of shape (rows, N) with rows >= {rows} "
                         f"(phases every dt = {dt:g} from t = -{max(model.delays):g} to t = 0, "
                         f"the last row at t = 0) and N = {model.n}, got shape {array.shape}")
    return array


def delayed_start(model: EIKuramoto, method: str, dt: float, precision: str,
                  initial: str | ArrayLike, history: ArrayLike | None
                  ) -> tuple[str | ArrayLike, NDArray[np.float64] | None]:
    """Check a run's delays and its history; returns the initial state (the history's last
    row where there is a history) and the history's rows before ``t = 0`` (or None)."""
    check_delays(model, method, dt, precision)
    past = check_history(history, model, dt)
    if past is None:
        return initial, None
    if not isinstance(initial, str) or initial != "random":
        raise ValueError("initial: with history=..., the last row of history is the state at "
                         "t = 0; leave initial at its default")
    return past[-1], past[:-1]


def _round_down(value: float) -> float:
    """``value`` rounded down to one significant digit (a step size to suggest)."""
    scale = 10.0 ** np.floor(np.log10(value))
    return float(np.floor(value / scale) * scale)


def check_step_size(model: EIKuramoto, method: str, dt: float) -> None:
    """Refuse a step that makes the result meaningless; warn about one that is too large.

    Raises ``ValueError`` (naming ``dt``) or warns with :class:`StepSizeWarning`; both
    say what sets the rate and which ``dt`` is safe. Fixed-step methods only: for an
    adaptive method ``dt`` is only the first step tried, and the error control decides.
    """
    if method not in FIXED_STEP_METHODS:
        return
    rate, reason = model.fastest_rate()
    radians = rate * dt
    if not radians > STEP_WARN_RADIANS[method]:
        return
    safe = STEP_WARN_RADIANS[method] / rate
    advice = f"use dt <= {_round_down(safe):g}" if safe > 1e-300 else "lower the couplings"
    where = (f"{reason} let phase differences change at up to {rate:.3g} per unit time, so one "
             f"{method!r} step of dt = {dt:g} moves them by up to {radians:.3g} rad")
    if radians >= STEP_REFUSE_RADIANS[method]:
        raise ValueError(f"dt: too large for this model: {where}, where the integrator is "
                         f"unstable and the result would be meaningless; {advice}")
    warnings.warn(f"dt: {where}; expect errors of 1e-2 or more in r (more than "
                  f"{STEP_WARN_RADIANS[method]:g} rad per step); {advice} to keep them below that",
                  StepSizeWarning, stacklevel=3)


def check_recording(n_steps: int, dt: float, t_max: float, record_every: int) -> None:
    """Warn where the run's length or its records are rounded to whole steps."""
    if abs(n_steps * dt - t_max) > 1e-9 * max(t_max, dt):
        warnings.warn(f"t_max: {t_max:g} is not a whole number of steps of dt = {dt:g}; the run "
                      f"takes {n_steps} steps and ends at t = {n_steps * dt:.12g}",
                      RuntimeWarning, stacklevel=3)
    if record_every > n_steps:
        warnings.warn(f"record_every: {record_every} steps is longer than the run ({n_steps} "
                      "steps), so only t = 0 is recorded; lower record_every",
                      RuntimeWarning, stacklevel=3)


# --------------------------------------------------------------------------- memory


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


def estimate_memory(
    model: EIKuramoto, n_steps: int, record_every: int, snapshot_every: int,
    dt: float | None = None,
) -> dict[str, int]:
    """Bytes a run needs at its peak: network, integrator state and recordings.

    ``network`` is the sparse network and the temporary arrays used to build it (0 for
    all-to-all); ``run`` is the integrator's state and scratch arrays, the recordings
    (``Z_E, Z_I, Z`` every ``record_every`` steps, phases every ``snapshot_every`` steps;
    0: none) and their copies into the returned :class:`Run`; with delays, ``history``
    (included in ``run``) is the past that the delayed couplings read: sin and cos of every oscillator for
    ``ceil(τ_max / dt) + 3`` steps (16 N bytes each; 32 bytes a step for all-to-all
    coupling). A model with delays needs the step ``dt``. :func:`simulate` refuses a
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
    slots = 0
    if any(model.delays):
        if dt is None:
            raise TypeError("dt: a model with delays needs the step dt to size its history")
        slots = delay_history_slots(model, check_positive("dt", dt))
    network = int(model.network.estimate_bytes(model.n_e, model.n_i))  # type: ignore[arg-type]
    all_to_all = isinstance(model.network, AllToAll)
    core = int(_core.Simulation.estimate_bytes(model.n, n_steps, record_every, snapshot_every,
                                               history_slots=slots, all_to_all=all_to_all))
    history = (int(_core.Simulation.estimate_bytes(model.n, 0, 1, 0, history_slots=slots,
                                                   all_to_all=all_to_all))
               - int(_core.Simulation.estimate_bytes(model.n, 0, 1, 0)))
    # Handing the recordings to Python copies them: Z records twice ((n, 3) array, then
    # one array per field), snapshots once. Python ints: no overflow for absurd requests.
    records = n_steps // record_every + 1
    snapshots = n_steps // snapshot_every + 1 if snapshot_every else 0
    copies = 2 * records * 3 * 16 + snapshots * model.n * 8
    run = core + copies
    # "history" only with delays: the estimate of other runs keeps its keys.
    return {"network": network, "run": run, "total": network + run,
            **({"history": history} if slots else {})}


def check_memory(model: EIKuramoto, n_steps: int, record_every: int, snapshot_every: int,
                 memory_limit: float | None, dt: float | None = None) -> dict[str, int]:
    """Refuse, before anything is allocated, a run that would not fit in memory."""
    memory = estimate_memory(model, n_steps, record_every, snapshot_every, dt)
    limit: float
    if memory_limit is None:
        limit, source = available_memory_bytes(), "available now"
    else:
        limit, source = check_positive("memory_limit", memory_limit), "allowed by memory_limit"
    history = shorter = ""
    if memory.get("history"):
        history = f", of which the delays' history {memory['history'] / 2**30:.3g} GiB"
        shorter = ", shorten the delays or take a larger dt"
    if memory["total"] > limit:
        raise MemoryLimitError(
            f"memory_limit: this run needs about {memory['total'] / 2**30:.3g} GiB "
            f"(network {memory['network'] / 2**30:.3g} GiB, state and recordings "
            f"{memory['run'] / 2**30:.3g} GiB{history}) but only {limit / 2**30:.3g} GiB is "
            f"{source}; reduce N, record less often (record_every, snapshot_every){shorter} or "
            "raise memory_limit"
        )
    return memory


# --------------------------------------------------------------------------- prepare

# The network of the most recent (model, seed) is kept so that runs of the same model
# and seed (two-start protocol, replicates with a fixed network) do not rebuild it.
_network_cache: weakref.WeakKeyDictionary[EIKuramoto, tuple[int, BuiltNetwork]] = (
    weakref.WeakKeyDictionary())


def network_for(model: EIKuramoto, seed: int, threads: int) -> BuiltNetwork:
    """The model's network for ``seed`` (built once per model and seed)."""
    cached = _network_cache.get(model)
    if cached is not None and cached[0] == seed:
        return cached[1]
    network = model.network.build(model.n_e, model.n_i, seed, threads)  # type: ignore[arg-type]
    _network_cache[model] = (seed, network)
    return network


def stored_edges(network: BuiltNetwork) -> int:
    """Edges of a stored network (checked again on resume); 0 for all-to-all and for a
    procedural network, whose edges are redrawn from the seed and never stored."""
    return int(network.n_edges) if isinstance(network, _core.CsrNetwork) else 0


def natural_frequencies(model: EIKuramoto, seed: int) -> NDArray[np.float64]:
    """The N natural frequencies a run with ``seed`` uses."""
    return model.natural_frequencies(np.random.default_rng([seed, FREQUENCY_STREAM]))


def initial_phases(
    initial: str | ArrayLike, n: int, seed: int, spread: float
) -> NDArray[np.float64]:
    """``"random"`` (uniform), ``"sync"`` (around 0 with ``spread``) or N given phases."""
    if isinstance(initial, str):
        check_choice("initial", initial, ("random", "sync"))
        rng = np.random.default_rng([seed, INITIAL_PHASE_STREAM])
        if initial == "random":
            return rng.uniform(0.0, 2.0 * np.pi, n)
        return np.mod(rng.normal(0.0, spread, n), 2.0 * np.pi) if spread > 0 else np.zeros(n)
    return check_finite_array("initial", initial, ndim=1, length=n)


def core_simulation(model: EIKuramoto, omega: NDArray[np.float64], phases: NDArray[np.float64],
                    seed: int, threads: int, history: NDArray[np.float64] | None = None,
                    **settings: Any) -> _core.Simulation:
    """The C++ simulation for validated inputs (the one place that builds it).

    ``history``: the rows of a user history before ``t = 0`` (``phases`` is the row at 0).
    """
    past = np.zeros(0) if history is None else np.ascontiguousarray(history).ravel()
    return _core.Simulation(
        n_e=model.n_e, n_i=model.n_i,  # type: ignore[arg-type]
        omega=omega, couplings=model.core_couplings(),
        noise_e=model.noise[0], noise_i=model.noise[1],  # type: ignore[index]
        network=network_for(model, seed, threads), normalization=model.normalization,
        phase_lags=list(model.phase_lags), drives=model.core_drives(),
        delays=list(model.delays), history=past, seed=seed, threads=threads, initial=phases, **settings,
    )


# --------------------------------------------------------------------------- advance

# Outside a terminal (a batch job, a notebook's log) a progress bar is not drawn; a long
# run then logs one line this often instead, to the "eikura" logger.
LOG_EVERY_SECONDS = 60.0
_LOGGER = logging.getLogger("eikura")


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is when a line is logged (it may be replaced)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # logging must never break a run
            self.handleError(record)


def _progress_logger() -> logging.Logger:
    """The "eikura" logger; with no logging configured anywhere, it writes INFO lines to
    stderr (configure ``logging`` to send them elsewhere or to silence them)."""
    if not _LOGGER.hasHandlers():
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
        _LOGGER.addHandler(handler)
        _LOGGER.setLevel(logging.INFO)
    return _LOGGER


class _PeriodicLog:
    """One line every LOG_EVERY_SECONDS about a long run that shows no progress bar."""

    def __init__(self, n: int, n_steps: int, start: float) -> None:
        self.n, self.n_steps, self.start, self.last = n, n_steps, start, start

    def update(self, step: int, now: float) -> None:
        if now - self.last < LOG_EVERY_SECONDS:
            return
        self.last = now
        elapsed = now - self.start
        remaining = elapsed * (self.n_steps - step) / max(step, 1)
        _progress_logger().info("N=%d: step %d of %d (%.0f %%), %.0f s so far, about %.0f s "
                                "to go", self.n, step, self.n_steps, 100.0 * step / self.n_steps,
                                elapsed, remaining)


class Checkpointer(Protocol):
    """Saves a running simulation's state (``eikura.checkpoint.CheckpointWriter``)."""

    path: Path
    every: int
    saved_step: int

    def save(self, simulation: _core.Simulation, elapsed: float) -> None: ...


def advance(simulation: _core.Simulation, n_steps: int, n: int, progress: bool | None,
            checkpoints: Checkpointer | None = None) -> tuple[bool, float]:
    """Integrate in batches of about BATCH_SECONDS; returns (interrupted, wall time).

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
    log = (_PeriodicLog(n, n_steps, start)
           if progress is None and not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())
           else None)
    try:
        while not simulation.finished:
            steps = batch if not every else min(batch, every - simulation.step % every)
            batch_start = time.perf_counter()
            try:
                done = simulation.advance(steps)
            except RuntimeError as error:  # dopri5: tolerances unreachable (diverged)
                raise FloatingPointError(str(error)) from error
            seconds = time.perf_counter() - batch_start
            if seconds > 0:  # aim the next batch at BATCH_SECONDS
                batch = max(1, min(n_steps, int(done * BATCH_SECONDS / seconds)))
            check_not_diverged(simulation)
            if checkpoints is not None and every and simulation.step % every == 0 \
                    and not simulation.finished:
                checkpoints.save(simulation, time.perf_counter() - start)
            if log is not None:
                log.update(simulation.step, time.perf_counter())
            if bar is not None:
                bar.update(simulation.step - bar.n)
            elif progress is None and not simulation.finished:
                elapsed = time.perf_counter() - start
                remaining = elapsed * (n_steps - simulation.step) / max(simulation.step, 1)
                if remaining > PROGRESS_AFTER_SECONDS:
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


def _diverged(step: int) -> FloatingPointError:
    return FloatingPointError(
        f"dt: the integration diverged (non-finite phases) before step {step}; "
        "reduce dt, the coupling strengths or the natural frequencies"
    )


def check_not_diverged(simulation: _core.Simulation) -> None:
    """Refuse to go on with (or return) a state that is no longer a set of phases."""
    # Z over all N oscillators is finite iff every phase is (an empty population's own
    # field is recorded as 0, so Z_E and Z_I say nothing more).
    if not np.isfinite(simulation.last_record[2]):
        raise _diverged(simulation.step)


# --------------------------------------------------------------------------- collect


def collect(simulation: _core.Simulation, model: EIKuramoto, omega: NDArray[np.float64],
            seed: int, config: dict[str, Any], wall_time: float, interrupted: bool) -> Run:
    """The :class:`Run` of a simulation that has stopped (finished or interrupted)."""
    check_not_diverged(simulation)  # between records too: the final phases
    phases = simulation.phases
    if not np.all(np.isfinite(phases)):
        raise _diverged(simulation.step)
    settings = config["run"]
    dt, record_every = float(settings["dt"]), int(settings["record_every"])
    snapshot_steps = int(settings["snapshot_every"])
    records = simulation.z_records
    snapshots = simulation.snapshots if snapshot_steps else None
    frequencies = simulation.mean_frequencies
    return Run(
        t=np.arange(records.shape[0], dtype=np.float64) * record_every * dt,
        z_e=records[:, 0].copy(), z_i=records[:, 1].copy(), z=records[:, 2].copy(),
        phases=phases, frequencies=omega,
        n_e=model.n_e, n_i=model.n_i, seed=seed, config=config,  # type: ignore[arg-type]
        wall_time=wall_time, steps_done=int(simulation.step), interrupted=interrupted,
        snapshot_times=(np.arange(snapshots.shape[0], dtype=np.float64) * snapshot_steps * dt
                        if snapshots is not None else None),
        snapshots=snapshots,
        mean_frequencies=frequencies if frequencies.size else None,
        model=model,
    )
