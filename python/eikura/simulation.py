"""Running the model: :func:`simulate` and :func:`derivative`."""

from __future__ import annotations

import os

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _core
from ._engine import (
    METHODS,
    PRECISIONS,
    MemoryLimitError,
    advance,
    check_memory,
    check_method,
    check_recording,
    check_step_size,
    check_tolerances,
    collect,
    core_simulation,
    delayed_start,
    estimate_memory,
    initial_phases,
    natural_frequencies,
    network_for,
    stored_edges,
    threads_for,
)
from ._validation import (
    check_bool,
    check_choice,
    check_finite,
    check_finite_array,
    check_nonnegative,
    check_path,
    check_positive,
    check_seed,
    check_step_count,
    check_step_interval,
    check_threads,
)
from .checkpoint import CheckpointWriter
from .model import EIKuramoto
from .results import Run, load

__all__ = ["simulate", "derivative", "right_hand_side", "RightHandSide", "Run", "load",
           "MemoryLimitError", "estimate_memory", "METHODS", "PRECISIONS"]


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
    rtol: float | None = None,
    atol: float | None = None,
    history: ArrayLike | None = None,
) -> Run:
    """Integrate the model from ``t = 0`` to ``t_max`` with a fixed step ``dt`` (or, with
    ``method="dopri5"``, with error-controlled steps, recorded every ``record_every * dt``).

    Parameters
    ----------
    model
        The :class:`EIKuramoto` model.
    t_max, dt
        Duration and step; ``round(t_max / dt)`` steps are taken (a warning says so when
        ``t_max`` is not a whole number of steps). A step too large for the model's rates
        (couplings and frequency spread; see ``EIKuramoto.fastest_rate``) gives a
        ``StepSizeWarning`` that names a safe ``dt``; one that would make the result
        meaningless is refused.
        For ``method="dopri5"``, ``dt`` is not a step: it sets the output grid (records
        at ``t = k * record_every * dt``, snapshots every ``snapshot_every * dt``, the run
        ends at ``round(t_max / dt) * dt``) and the first step tried; the guard on large
        steps does not apply.
    method
        ``"euler"``, ``"heun"``, ``"rk4"`` or ``"dopri5"``. Default: ``"rk4"`` without
        noise, ``"heun"`` (stochastic Heun) with noise; with noise ``"euler"`` is
        Euler–Maruyama and ``"rk4"`` and ``"dopri5"`` are refused. ``"dopri5"`` is the
        adaptive Dormand–Prince 5(4) pair: steps are chosen so that each step's local
        error estimate stays within ``rtol``/``atol`` and clipped to land exactly on each
        output time; ``run.config["run"]`` then also holds ``accepted_steps``,
        ``rejected_steps`` and ``evaluations`` (of the right-hand side). The result is
        bit-identical for any ``threads``. docs/accuracy.md compares the methods.
    record_every
        Record ``Z_E, Z_I, Z`` every this many steps (and at t = 0); steps after the last
        multiple of ``record_every`` are integrated (the final ``phases``) but not
        recorded. A warning says so when ``record_every`` exceeds the run.
    initial
        ``"random"`` (uniform phases), ``"sync"`` (all at 0, spread by
        ``initial_spread``) or an array of N phases (E first).
    seed
        Seed of every random choice: frequencies, network, initial phases, noise.
        The same seed gives bit-identical results for any ``threads``.
    threads
        OpenMP threads; ``None`` uses one thread per 16 384 oscillators, up to every
        core (smaller networks run faster on fewer threads).
    progress
        Show a progress bar; ``None`` shows one only for runs longer than a few seconds,
        and, where stderr is not a terminal (batch jobs), logs a line every minute to the
        ``"eikura"`` logger instead (to stderr unless ``logging`` is configured).
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
        Checkpoints are refused with ``method="dopri5"`` (its step size is state that a
        checkpoint does not hold).
    rtol, atol
        ``method="dopri5"`` only (refused otherwise): a step is accepted when, for every
        oscillator, the local error estimate is at most ``atol + rtol * |Δθ_i|``
        (radians; ``Δθ_i`` the phase's change over the step: a phase's own size depends
        on the origin and the wrapping and means nothing). Defaults 1e-6 and 1e-8.
    history
        For a model with delays: the phases before ``t = 0``, an array of shape
        ``(rows, N)`` sampled every ``dt``, row ``k`` at ``t = (k − rows + 1) dt``, so
        that the last row (``t = 0``) is the initial state (``initial`` is then left at
        its default); ``rows >= ceil(τ_max / dt) + 1``. Default: the initial phases
        rotating at their natural frequencies, ``θ_j(t) = θ_j(0) + ω_j t`` for ``t < 0``.
        Delays need ``dt <= τ`` for every non-zero ``τ``; a delay that is not a multiple
        of ``dt`` reads the past by cubic interpolation between stored steps (see the
        delays page of the documentation). ``method="dopri5"`` and
        ``precision="float32"`` are refused with delays.

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
    method = check_method(model, method)
    check_step_size(model, method, dt)
    tolerances = check_tolerances(method, rtol, atol)
    record_every = check_step_interval("record_every", record_every)
    check_recording(n_steps, dt, t_max, record_every)
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
    if checkpoint_path is not None and tolerances:
        raise ValueError(f"checkpoint: not supported with method={method!r} (its step size is "
                         "state that a checkpoint does not hold); use 'rk4' to checkpoint")
    if not isinstance(initial, str):
        initial = check_finite_array("initial", initial, ndim=1, length=model.n)
    initial, past = delayed_start(model, method, dt, precision, initial, history)

    check_memory(model, n_steps, record_every, snapshot_steps, memory_limit, dt)

    core_threads = threads_for(model.n, thread_count)
    omega = natural_frequencies(model, seed)
    phases = initial_phases(initial, model.n, seed, initial_spread)
    simulation = core_simulation(
        model, omega, phases, seed, core_threads, history=past, method=method, dt=dt,
        n_steps=n_steps,
        record_every=record_every, snapshot_every=snapshot_steps,
        frequency_from_step=int(round(transient / dt)) if mean_frequencies else -1, wrap=wrap,
        precision=precision, **tolerances,
    )
    config = {
        "model": model.to_dict(),
        "run": {
            "t_max": t_max, "dt": dt, "n_steps": n_steps, "method": method,
            "record_every": record_every, "snapshot_every": snapshot_steps,
            "initial": initial if isinstance(initial, str) else "array",
            # Only with delays, so that other runs keep their configuration.
            **({"history": "natural-frequencies" if past is None else "array"}
               if any(model.delays) else {}),
            "initial_spread": initial_spread, "mean_frequencies": mean_frequencies,
            "transient": transient, "wrap": wrap, "precision": precision, "threads": thread_count,
            **tolerances,
        },
    }
    writer = None
    if checkpoint_path is not None:
        network = network_for(model, seed, core_threads)
        writer = CheckpointWriter(
            checkpoint_path, model, omega, seed, config,
            frequency_from_step=int(round(transient / dt)) if mean_frequencies else -1,
            every=checkpoint_every or 0, n_edges=stored_edges(network),
        )
    interrupted, wall_time = advance(simulation, n_steps, model.n, progress, writer)
    if tolerances:
        config["run"].update(accepted_steps=int(simulation.accepted_steps),
                             rejected_steps=int(simulation.rejected_steps),
                             evaluations=int(simulation.evaluations))
    return collect(simulation, model, omega, seed, config, wall_time, interrupted)


class RightHandSide:
    """The model's deterministic right-hand side dθ/dt, prepared once and evaluated often.

    The network, the frequencies and the C++ scratch arrays are set up when it is made;
    each call then costs one evaluation. Use it to drive your own integrator (for example
    ``scipy.integrate.solve_ivp``) or to time the kernel. Made by
    :func:`right_hand_side`.
    """

    def __init__(self, simulation: _core.Simulation, n: int) -> None:
        self._simulation = simulation
        self.n = n

    def __call__(self, phases: ArrayLike, t: float = 0.0,
                 out: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
        """dθ/dt at ``phases`` (N values, E first) and time ``t``; written into ``out`` (a
        writable C-contiguous float64 array of N values) if given."""
        theta = check_finite_array("phases", phases, ndim=1, length=self.n)
        t = check_finite("t", t)
        return np.asarray(self._simulation.derivative(theta, t, out))

    def __repr__(self) -> str:
        return f"<eikura.RightHandSide N={self.n}>"


def right_hand_side(model: EIKuramoto, seed: int = 0, threads: int | None = None,
                    precision: str = "float64") -> RightHandSide:
    """Prepare the deterministic right-hand side dθ/dt of the model for repeated calls.

    ``seed`` fixes the natural frequencies and the random network, ``precision`` the
    sin/cos tables and ``threads`` the OpenMP threads, as in :func:`simulate`.

    Examples
    --------
    >>> import eikura as ek, numpy as np
    >>> model = ek.EIKuramoto(n_e=80, n_i=20, k_ee=2.0, network=ek.FixedInDegree(k_e=8, k_i=2))
    >>> rhs = ek.right_hand_side(model, seed=1)
    >>> theta = np.linspace(0.0, 6.0, 100)
    >>> bool(np.array_equal(rhs(theta, t=0.5), ek.derivative(model, theta, t=0.5, seed=1)))
    True
    """
    if not isinstance(model, EIKuramoto):
        raise TypeError(f"model: expected an eikura.EIKuramoto, got {type(model).__name__}")
    if any(model.delays):
        raise ValueError("delay: the right-hand side of a model with delays also reads the past "
                         "phases, so it is only evaluated inside ek.simulate; set delay=0 here")
    seed = check_seed("seed", seed)
    thread_count = check_threads(threads)
    precision = check_choice("precision", precision, PRECISIONS)
    check_memory(model, 0, 1, 0, None)
    core_threads = threads_for(model.n, thread_count)
    simulation = core_simulation(model, natural_frequencies(model, seed), np.zeros(model.n), seed,
                                 core_threads, method=check_method(model, None), dt=1.0,
                                 n_steps=0, record_every=1, snapshot_every=0,
                                 frequency_from_step=-1, wrap=False, precision=precision)
    return RightHandSide(simulation, model.n)


def derivative(model: EIKuramoto, phases: ArrayLike, t: float = 0.0, seed: int = 0,
               threads: int | None = None, precision: str = "float64") -> NDArray[np.float64]:
    """The deterministic right-hand side dθ/dt of the model equation at ``phases`` and
    time ``t``.

    ``seed`` fixes the natural frequencies and the random network, and ``precision``
    the sin/cos tables, as in :func:`simulate`. For many evaluations of one model,
    :func:`right_hand_side` prepares them once.

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
    return right_hand_side(model, seed, threads, precision)(theta, t)
