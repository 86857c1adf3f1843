"""Time integration of the mean-field equations, with constant or scheduled couplings."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import check_choice, check_finite, check_int, check_positive
from ..drives import Drive
from ..schedules import Constant, CouplingLike, Schedule, Sinusoid, as_schedule
from ._delayed_flow import History, check_history_delays, integrate_delayed
from ._delays import check_delay, has_delay
from ._equations import modes_needed
from ._lagged import check_phase_lag, has_lag, lag_factors
from ._params import (
    COUPLING_NAMES,
    NOISE_FOKKER_PLANCK,
    NOISE_QUICK,
    check_widths,
    resolve_noise_treatment,
)

__all__ = ["reduced_rhs", "integrate_reduced", "ReducedRun"]

METHODS = ("rk4", "dop853")
# (G_E(t), G_I(t)) for an array of times, shape (len(t), 2): the drives' forcing.
Forcing = Callable[[NDArray[np.float64]], NDArray[np.complex128]]


def drive_forcing(drives: Any) -> Forcing | None:
    """The forcing ``G_X(t) = Σ F(t) e^{i(Ωt + φ)}`` over the drives that target X
    (``"e"``, ``"i"`` or ``"both"``: a whole population, so that the Ott–Antonsen
    reduction holds), or None without drives. A drive enters the reduced equations as
    ``H_X → H_X + G_X``: ``dz_X/dt = … + ½ (G_X − conj(G_X) z_X²)``."""
    if drives is None:
        return None
    drives = (drives,) if isinstance(drives, Drive) else tuple(drives)
    if not all(isinstance(drive, Drive) for drive in drives):
        raise TypeError("drive: expected an ek.Drive, a list of them, or None")
    if not drives:
        return None
    for drive in drives:
        if not isinstance(drive.target, str):
            raise ValueError("drive.target: the mean-field theory takes drives on whole "
                             "populations ('e', 'i' or 'both'), not a mask")

    def forcing(t: NDArray[np.float64]) -> NDArray[np.complex128]:
        out = np.zeros((t.size, 2), dtype=np.complex128)
        for drive in drives:
            assert isinstance(drive.target, str)
            g = np.broadcast_to(drive.amplitude_schedule(t), t.shape) * np.exp(
                1j * (drive.frequency * t + drive.phase))
            if drive.target in ("e", "both"):
                out[:, 0] += g
            if drive.target in ("i", "both"):
                out[:, 1] += g
        return out

    return forcing


def _coupling_values(schedules: dict[str, Schedule], t: Any,
                     factors: tuple[complex, ...] | None = None) -> list[Any]:
    """``K_XY(t)``, times ``e^{−iα_XY}`` where there are lags (``factors``)."""
    values = [schedules[name](t) for name in COUPLING_NAMES]
    if factors is None:
        return values
    return [value * factor for value, factor in zip(values, factors, strict=True)]


def reduced_rhs(
    t: float,
    z: ArrayLike,
    k_ee: CouplingLike,
    k_ei: CouplingLike,
    k_ie: CouplingLike,
    k_ii: CouplingLike,
    width_e: float = 1.0,
    width_i: float = 1.0,
    center_e: float = 0.0,
    center_i: float = 0.0,
    *,
    phase_lag: float | Mapping[str, float] = 0.0,
) -> NDArray[np.complex128]:
    """Right-hand side of the Ott–Antonsen equations at time ``t``.

    ``dz_X/dt = (iω_X − Δ_X) z_X + ½ (H_X − conj(H_X) z_X²)``,
    ``H_X = K_XE e^{−iα_XE} z_E − K_XI e^{−iα_XI} z_I`` (phase lags α, default 0).

    Parameters
    ----------
    t
        Time at which scheduled couplings are evaluated.
    z
        Complex mean fields ``[z_E, z_I]`` (first axis of length 2; any trailing shape).
    k_ee, k_ei, k_ie, k_ii
        Couplings ``K_post,pre``: floats >= 0 or schedules.
    width_e, width_i, center_e, center_i
        Half-widths and centres of the Lorentzian frequency distributions.
    phase_lag
        Phase lags ``α_XY`` (radians): one number or ``{"ee", "ei", "ie", "ii"}``.

    Returns
    -------
    numpy.ndarray
        ``[dz_E/dt, dz_I/dt]``, complex, same shape as ``z``.

    Examples
    --------
    >>> import eikura as ek
    >>> dz = ek.theory.reduced_rhs(0.0, [0.5, 0.0], k_ee=4.0, k_ei=0.0, k_ie=0.0, k_ii=0.0)
    >>> complex(dz[0])  # −Δ r + ½ K r (1 − r²) = −0.5 + 0.75
    (0.25+0j)
    """
    schedules = {
        name: as_schedule(name, value)
        for name, value in zip(COUPLING_NAMES, (k_ee, k_ei, k_ie, k_ii), strict=True)
    }
    width_e, width_i, _, _ = check_widths(width_e, width_i, 0.0, 0.0)
    z = np.asarray(z, dtype=complex)
    if z.shape[:1] != (2,):
        raise ValueError(f"z: expected [z_E, z_I] (first axis of length 2), got shape {z.shape}")
    lags = check_phase_lag(phase_lag)
    k = _coupling_values(schedules, t, lag_factors(lags) if has_lag(lags) else None)
    z_e, z_i = z[0], z[1]
    h_e = k[0] * z_e - k[1] * z_i
    h_i = k[2] * z_e - k[3] * z_i
    return np.stack(
        [
            (1j * center_e - width_e) * z_e + 0.5 * (h_e - np.conj(h_e) * z_e * z_e),
            (1j * center_i - width_i) * z_i + 0.5 * (h_i - np.conj(h_i) * z_i * z_i),
        ]
    )


@dataclass(frozen=True, eq=False)
class ReducedRun:
    """A trajectory of the mean-field equations (the theory's counterpart of ``ek.Run``).

    Attributes
    ----------
    t
        Recorded times, shape ``(n_records,)``.
    z_e, z_i
        Complex mean fields, shape ``(n_records,) + batch_shape`` (batch shape from the
        initial conditions).
    noise_treatment
        ``"none"``, ``"quick (Δ→Δ+D, approximate)"`` or ``"fokker-planck"``.
    method
        ``"rk4"`` (fixed step) or ``"dop853"`` (adaptive).
    parameters
        The parameters of the run, for the record.
    """

    t: NDArray[np.float64]
    z_e: NDArray[np.complex128]
    z_i: NDArray[np.complex128]
    noise_treatment: str
    method: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def r_e(self) -> NDArray[np.float64]:
        return np.abs(self.z_e)

    @property
    def r_i(self) -> NDArray[np.float64]:
        return np.abs(self.z_i)

    @property
    def psi(self) -> NDArray[np.float64]:
        """Phase lag ``arg z_I − arg z_E`` in ``(−π, π]``."""
        return np.angle(self.z_i * np.conj(self.z_e))

    def z(self, fraction_e: float) -> NDArray[np.complex128]:
        """Whole-network mean field ``f z_E + (1 − f) z_I`` for an E fraction ``f``."""
        fraction_e = check_finite("fraction_e", fraction_e)
        if not 0.0 <= fraction_e <= 1.0:
            raise ValueError(f"fraction_e: must be in [0, 1], got {fraction_e}")
        return fraction_e * self.z_e + (1 - fraction_e) * self.z_i

    def to_xarray(self) -> Any:
        """An ``xarray.Dataset`` with ``z_e, z_i, r_e, r_i, psi`` over ``t``.

        Examples
        --------
        >>> import eikura as ek
        >>> run = ek.theory.integrate_reduced(4.0, 0.0, 0.0, 0.0, t_max=1.0, dt=0.1)
        >>> sorted(run.to_xarray().data_vars)
        ['psi', 'r_e', 'r_i', 'z_e', 'z_i']
        """
        import xarray as xr

        dims = ("t", *tuple(f"start_{k}" for k in range(self.z_e.ndim - 1)))
        attrs: dict[str, Any] = {
            "noise_treatment": self.noise_treatment,
            "method": self.method,
            "model": "EI-Kuramoto mean field",
        }
        attrs.update(
            {
                k: (v if isinstance(v, (int, float, str)) else repr(v))
                for k, v in self.parameters.items()
            }
        )
        return xr.Dataset(
            {
                "z_e": (dims, self.z_e),
                "z_i": (dims, self.z_i),
                "r_e": (dims, self.r_e),
                "r_i": (dims, self.r_i),
                "psi": (dims, self.psi),
            },
            coords={"t": self.t},
            attrs=attrs,
        )


def _check_initial(z0: Any) -> tuple[NDArray[np.complex128], NDArray[np.complex128]]:
    try:
        z_e0, z_i0 = z0
    except (TypeError, ValueError):
        raise ValueError("z0: expected a pair (z_E, z_I) of complex numbers or arrays") from None
    z_e0 = np.asarray(z_e0, dtype=complex)
    z_i0 = np.asarray(z_i0, dtype=complex)
    z_e0, z_i0 = np.broadcast_arrays(z_e0, z_i0)
    if not (np.all(np.isfinite(z_e0)) and np.all(np.isfinite(z_i0))):
        raise ValueError("z0: contains NaN or infinite values")
    if np.any(np.abs(z_e0) > 1) or np.any(np.abs(z_i0) > 1):
        raise ValueError("z0: order parameters must satisfy |z| <= 1")
    return z_e0.copy(), z_i0.copy()


def integrate_reduced(
    k_ee: CouplingLike,
    k_ei: CouplingLike,
    k_ie: CouplingLike,
    k_ii: CouplingLike,
    width_e: float = 1.0,
    width_i: float = 1.0,
    center_e: float = 0.0,
    center_i: float = 0.0,
    *,
    t_max: float = 200.0,
    dt: float = 0.01,
    z0: Any = None,
    record_every: int = 1,
    noise_e: float = 0.0,
    noise_i: float = 0.0,
    noise_treatment: str = "auto",
    method: str = "rk4",
    n_modes: int | None = None,
    phase_lag: float | Mapping[str, float] = 0.0,
    drive: Drive | Sequence[Drive] | None = None,
    delay: float | Mapping[str, float] = 0.0,
    history: History | None = None,
) -> ReducedRun:
    """Integrate the mean-field equations in time.

    Without noise: the Ott–Antonsen equations. With noise: either the quick
    approximation Δ → Δ + D in those equations, or (default) the Fourier hierarchy
    of the population moments ``Z_n`` (Fokker–Planck equation in Fourier modes, averaged
    over the Lorentzian by residues), started on the Ott–Antonsen manifold
    ``Z_n(0) = z0**n`` (uniform phases for ``z0 = 0``, identical phases for ``|z0| = 1``).

    Parameters
    ----------
    k_ee, k_ei, k_ie, k_ii
        Couplings ``K_post,pre``: floats >= 0 or schedules (``ek.Sinusoid``,
        ``ek.PiecewiseLinear``, ``ek.Constant``), evaluated at every stage time.
    width_e, width_i
        Half-widths Δ of the Lorentzian frequency distributions.
    center_e, center_i
        Their centres ω.
    t_max
        End time (> 0).
    dt
        Step of the fixed-step integrator (> 0); with ``method="dop853"`` the spacing
        of the recorded times before ``record_every``.
    z0
        Initial ``(z_E, z_I)``: complex numbers or broadcastable arrays (a batch of
        initial conditions integrated together), ``|z| <= 1``; default ``(0.1, 0.1)``.
        With delays, also the constant history before ``t = 0``.
    record_every
        Record every this many steps (the first and every k-th step are kept).
    noise_e, noise_i
        Noise intensities D (>= 0).
    noise_treatment
        ``"auto"`` (Fokker–Planck hierarchy when there is noise), ``"quick"`` or
        ``"fokker-planck"``.
    method
        ``"rk4"``: classical fixed-step Runge–Kutta, the same stages as the simulator's
        ``method="rk4"`` (couplings at ``t``, ``t + dt/2``, ``t + dt``). ``"dop853"``:
        SciPy's adaptive 8th-order method (rtol 1e-10), for accurate reference runs.
        The Fokker–Planck hierarchy is stiff (coupling ~ n|H|, damping ~ n²D) and always
        uses a second-order linearly implicit Crank–Nicolson step, stable for any ``dt``;
        the run's ``method`` then reads ``"crank-nicolson"``.
    n_modes
        Fourier modes kept in the hierarchy (Fokker–Planck treatment only); default:
        enough for the strongest possible field.
    phase_lag
        Phase lags ``α_XY`` (radians): one number or ``{"ee", "ei", "ie", "ii"}``;
        ``H_X = K_XE e^{−iα_XE} z_E − K_XI e^{−iα_XI} z_I``. Not with the Fokker–Planck
        treatment (use ``noise_treatment="quick"`` with noise).
    drive
        External drive(s) ``ek.Drive`` on whole populations (target ``"e"``, ``"i"`` or
        ``"both"``): ``H_X → H_X + F(t) e^{i(Ωt + φ)}``, i.e.
        ``dz_X/dt = … + (F/2) (e^{i(Ωt + φ)} − e^{−i(Ωt + φ)} z_X²)``. Not with the
        Fokker–Planck treatment.
    delay
        Transmission delays ``τ_XY >= 0`` (time units): one number or
        ``{"ee", "ei", "ie", "ii"}``; block XY sees its sources at ``t − τ_XY``,
        ``H_X(t) = Σ_Y σ_XY z_Y(t − τ_XY)``. Integrated by the method of steps with
        ``method="rk4"`` (fixed step; past values by cubic Hermite interpolation, so delays
        need not be multiples of ``dt``, but each nonzero delay must be >= ``dt``). Not
        with the Fokker–Planck treatment.
    history
        With delays: a function ``t ↦ (z_E(t), z_I(t))`` for ``t <= 0`` (the initial
        values are ``history(0)``; give it instead of ``z0``). Default: ``z0`` held
        constant before ``t = 0``.

    Returns
    -------
    ReducedRun
        ``t``, ``z_e``, ``z_i``, ``r_e``, ``r_i``, ``psi``, ``to_xarray()``.

    Examples
    --------
    >>> import eikura as ek
    >>> run = ek.theory.integrate_reduced(4.0, 0.0, 0.0, 0.0, t_max=50.0, dt=0.01, z0=(0.1, 0.0))
    >>> round(float(run.r_e[-1]), 6)  # classic Kuramoto: sqrt(1 − 2Δ/K)
    0.707107
    """
    schedules = {
        name: as_schedule(name, value)
        for name, value in zip(COUPLING_NAMES, (k_ee, k_ei, k_ie, k_ii), strict=True)
    }
    width_e, width_i, noise_e, noise_i = check_widths(width_e, width_i, noise_e, noise_i)
    center_e = check_finite("center_e", center_e)
    center_i = check_finite("center_i", center_i)
    t_max = check_positive("t_max", t_max)
    dt = check_positive("dt", dt)
    record_every = check_int("record_every", record_every, minimum=1)
    method = check_choice("method", method, METHODS)
    treatment = resolve_noise_treatment(noise_e, noise_i, noise_treatment)
    delays = _check_delay_terms(delay, history, z0, treatment, method, dt)
    z_e0, z_i0 = _check_initial(history(0.0) if history is not None else
                                (0.1, 0.1) if z0 is None else z0)
    factors, forcing, extra_terms = _extra_terms(phase_lag, drive, treatment)
    n_steps = int(round(t_max / dt))
    if n_steps < 1:
        raise ValueError(f"dt: must be <= t_max ({t_max}), got {dt}")
    parameters: dict[str, Any] = {
        **{name: schedules[name] for name in COUPLING_NAMES},
        "width_e": width_e,
        "width_i": width_i,
        "center_e": center_e,
        "center_i": center_i,
        "noise_e": noise_e,
        "noise_i": noise_i,
        "t_max": t_max,
        "dt": dt,
        "record_every": record_every,
        **extra_terms,
        **_delay_description(delays),
    }
    if treatment == NOISE_QUICK:
        width_e, width_i = width_e + noise_e, width_i + noise_i
    recorded_steps = np.arange(0, n_steps + 1, record_every)
    t_record = np.asarray(recorded_steps * dt, dtype=np.float64)
    if treatment == NOISE_FOKKER_PLANCK:
        n_modes = parameters["n_modes"] = _hierarchy_modes(
            method, n_modes, schedules, (width_e, width_i), (noise_e, noise_i))
        method = "crank-nicolson"
        z_e, z_i = _integrate_hierarchy(
            schedules, (width_e, width_i), (noise_e, noise_i), (center_e, center_i), dt,
            n_steps, recorded_steps, z_e0, z_i0, n_modes,
        )
    elif has_delay(delays):
        z_e, z_i = integrate_delayed(
            _stage_couplings(schedules, dt, n_steps, factors), (width_e, width_i),
            (center_e, center_i), dt, n_steps, record_every, (z_e0, z_i0), delays, history,
            forcing)
    elif method == "rk4":
        z_e, z_i = _integrate_rk4(
            schedules, width_e, width_i, center_e, center_i, dt, n_steps, record_every, z_e0, z_i0,
            factors, forcing,
        )
    else:
        z_e, z_i = _integrate_adaptive(
            schedules, width_e, width_i, center_e, center_i, t_record, z_e0, z_i0, factors, forcing
        )
    _warn_outside_disc(z_e, z_i, dt)
    return ReducedRun(t_record, z_e, z_i, treatment, method, parameters)


def _hierarchy_modes(method: str, n_modes: int | None, schedules: dict[str, Schedule],
                     widths: tuple[float, float], noises: tuple[float, float]) -> int:
    """Fourier modes of the Fokker–Planck hierarchy: enough for the strongest field."""
    if method != "rk4":
        raise ValueError(
            "method: the Fokker–Planck hierarchy is integrated with its own stiff-stable "
            "Crank–Nicolson step; leave method='rk4' (the default)"
        )
    if n_modes is None:
        field_max = max(_schedule_max(schedules[n]) for n in COUPLING_NAMES) * 2
        n_modes = max(modes_needed(field_max, widths[0], noises[0]),
                      modes_needed(field_max, widths[1], noises[1]))
    return check_int("n_modes", n_modes, minimum=1, maximum=100_000)


def _delay_description(delays: tuple[float, ...]) -> dict[str, Any]:
    if not has_delay(delays):
        return {}
    return {"delay": dict(zip(("ee", "ei", "ie", "ii"), delays, strict=True))}


def _check_delay_terms(delay: Any, history: Any, z0: Any, treatment: str, method: str,
                       dt: float) -> tuple[float, ...]:
    """The delays, checked against the other arguments (none of them silently ignored)."""
    delays = check_delay(delay)
    if history is not None and not callable(history):
        raise TypeError(f"history: expected a function of t, got {type(history).__name__}")
    if not has_delay(delays):
        if history is not None:
            raise ValueError("history: only used with delays (delay=...); give z0 instead")
        return delays
    if history is not None and z0 is not None:
        raise ValueError("z0: give either z0 (a constant history) or history, not both")
    if treatment == NOISE_FOKKER_PLANCK:
        raise ValueError("delay: with noise, it needs noise_treatment='quick' (Δ → Δ + D); "
                         "the Fokker–Planck hierarchy does not take delays")
    if method != "rk4":
        raise ValueError("method: delays are integrated by the method of steps with the "
                         "fixed-step 'rk4' only")
    check_history_delays(delays, dt)
    return delays


def _extra_terms(phase_lag: Any, drive: Any, treatment: str
                 ) -> tuple[tuple[complex, ...] | None, Forcing | None, dict[str, Any]]:
    """The lag factors ``e^{−iα_XY}`` and the drives' forcing (None where there are none),
    and their description for the run's parameters."""
    lags = check_phase_lag(phase_lag)
    factors = lag_factors(lags) if has_lag(lags) else None
    forcing = drive_forcing(drive)
    for name, term in (("phase_lag", factors), ("drive", forcing)):
        if term is not None and treatment == NOISE_FOKKER_PLANCK:
            raise ValueError(f"{name}: with noise, it needs noise_treatment='quick' "
                             "(Δ → Δ + D); the Fokker–Planck hierarchy does not take it yet")
    described: dict[str, Any] = {}
    if factors is not None:
        described["phase_lag"] = dict(zip(("ee", "ei", "ie", "ii"), lags, strict=True))
    if forcing is not None:
        drives = (drive,) if isinstance(drive, Drive) else tuple(drive)
        described["drive"] = [d.to_dict() for d in drives]
    return factors, forcing, described


# Order parameters are averages of unit vectors: |z| <= 1. Beyond rounding, a recorded
# |z| above 1 means the step was too large for the dynamics (or NaN appeared).
DISC_TOLERANCE = 1e-9


def _warn_outside_disc(
    z_e: NDArray[np.complex128], z_i: NDArray[np.complex128], dt: float
) -> None:
    largest = max(float(np.max(np.abs(z_e), initial=0.0)), float(np.max(np.abs(z_i), initial=0.0)))
    finite = bool(np.all(np.isfinite(z_e)) and np.all(np.isfinite(z_i)))
    if not finite or largest > 1 + DISC_TOLERANCE:
        warnings.warn(
            f"integrate_reduced: the order parameters left the unit disc (largest |z| = "
            f"{largest:.6g}{'' if finite else ', and NaN or inf appeared'}): the result is "
            f"not a solution; use a smaller dt (now {dt:g}) or method='dop853'",
            RuntimeWarning,
            stacklevel=3,
        )


def _schedule_max(schedule: Schedule) -> float:
    """Largest value a schedule takes (bounds the field, which sets the number of modes)."""
    if isinstance(schedule, Constant):
        return schedule.value
    if isinstance(schedule, Sinusoid):
        return schedule.mean + abs(float(schedule.amplitude))
    return float(np.max(schedule.values))


def _stage_couplings(
    schedules: dict[str, Schedule], dt: float, n_steps: int,
    factors: tuple[complex, ...] | None = None,
) -> tuple[NDArray[Any], NDArray[Any]]:
    """Couplings at step starts (n_steps + 1 values) and midpoints (n_steps), per name;
    times ``e^{−iα_XY}`` where there are lags."""
    starts = np.arange(n_steps + 1) * dt
    middles = starts[:-1] + 0.5 * dt
    at_start = np.array(
        [np.broadcast_to(schedules[n](starts), starts.shape) for n in COUPLING_NAMES]
    )
    at_middle = np.array(
        [np.broadcast_to(schedules[n](middles), middles.shape) for n in COUPLING_NAMES]
    )
    if factors is not None:
        rotation = np.array(factors)[:, None]
        at_start, at_middle = at_start * rotation, at_middle * rotation
    return at_start.T.copy(), at_middle.T.copy()


def _integrate_rk4(
    schedules: dict[str, Schedule],
    width_e: float,
    width_i: float,
    center_e: float,
    center_i: float,
    dt: float,
    n_steps: int,
    record_every: int,
    z_e: Any,
    z_i: Any,
    factors: tuple[complex, ...] | None = None,
    forcing: Forcing | None = None,
) -> tuple[NDArray[np.complex128], NDArray[np.complex128]]:
    at_start, at_middle = _stage_couplings(schedules, dt, n_steps, factors)
    if forcing is not None:  # (G_E, G_I) as two more columns after the four couplings
        starts: NDArray[np.float64] = np.arange(n_steps + 1, dtype=np.float64) * dt
        at_start = np.concatenate([at_start, forcing(starts)], axis=1)
        at_middle = np.concatenate([at_middle, forcing(starts[:-1] + 0.5 * dt)], axis=1)
    scalar = z_e.ndim == 0
    if scalar:  # plain Python complex arithmetic is much faster than 0-d arrays
        z_e, z_i = complex(z_e), complex(z_i)
        at_start, at_middle = at_start.tolist(), at_middle.tolist()
    a_e = 1j * center_e - width_e
    a_i = 1j * center_i - width_i

    def rhs(z_e: Any, z_i: Any, k: Any) -> tuple[Any, Any]:
        k_ee, k_ei, k_ie, k_ii = k[:4]
        h_e = k_ee * z_e - k_ei * z_i
        h_i = k_ie * z_e - k_ii * z_i
        if forcing is not None:  # a drive adds its forcing F e^{i(Ωt + φ)} to the field
            h_e, h_i = h_e + k[4], h_i + k[5]
        return (
            a_e * z_e + 0.5 * (h_e - h_e.conjugate() * z_e * z_e),
            a_i * z_i + 0.5 * (h_i - h_i.conjugate() * z_i * z_i),
        )

    n_records = n_steps // record_every + 1
    out_e = np.empty((n_records, *np.shape(z_e)), dtype=complex)
    out_i = np.empty_like(out_e)
    out_e[0], out_i[0] = z_e, z_i
    half = 0.5 * dt
    sixth = dt / 6.0
    for step in range(n_steps):
        k0, km, k1 = at_start[step], at_middle[step], at_start[step + 1]
        a1, b1 = rhs(z_e, z_i, k0)
        a2, b2 = rhs(z_e + half * a1, z_i + half * b1, km)
        a3, b3 = rhs(z_e + half * a2, z_i + half * b2, km)
        a4, b4 = rhs(z_e + dt * a3, z_i + dt * b3, k1)
        z_e = z_e + sixth * (a1 + 2 * a2 + 2 * a3 + a4)
        z_i = z_i + sixth * (b1 + 2 * b2 + 2 * b3 + b4)
        if (step + 1) % record_every == 0:
            out_e[(step + 1) // record_every] = z_e
            out_i[(step + 1) // record_every] = z_i
    return out_e, out_i


def _integrate_adaptive(
    schedules: dict[str, Schedule],
    width_e: float,
    width_i: float,
    center_e: float,
    center_i: float,
    t_record: NDArray[np.float64],
    z_e0: Any,
    z_i0: Any,
    factors: tuple[complex, ...] | None = None,
    forcing: Forcing | None = None,
) -> tuple[NDArray[np.complex128], NDArray[np.complex128]]:
    from scipy.integrate import solve_ivp

    shape = z_e0.shape
    a_e = 1j * center_e - width_e
    a_i = 1j * center_i - width_i
    size = int(np.prod(shape)) if shape else 1

    def rhs(t: float, y: NDArray[np.complex128]) -> NDArray[np.complex128]:
        k_ee, k_ei, k_ie, k_ii = _coupling_values(schedules, t, factors)
        z_e, z_i = y[:size], y[size:]
        h_e = k_ee * z_e - k_ei * z_i
        h_i = k_ie * z_e - k_ii * z_i
        if forcing is not None:
            g_e, g_i = forcing(np.array([t]))[0]
            h_e, h_i = h_e + g_e, h_i + g_i
        return np.concatenate(
            [
                a_e * z_e + 0.5 * (h_e - np.conj(h_e) * z_e * z_e),
                a_i * z_i + 0.5 * (h_i - np.conj(h_i) * z_i * z_i),
            ]
        )

    y0 = np.concatenate([z_e0.ravel(), z_i0.ravel()])
    solution = solve_ivp(
        rhs,
        (0.0, float(t_record[-1])),
        y0,
        method="DOP853",
        t_eval=t_record,
        rtol=1e-10,
        atol=1e-12,
    )
    if not solution.success:  # pragma: no cover - DOP853 on this smooth system
        raise RuntimeError(f"integrate_reduced: DOP853 failed: {solution.message}")
    y = solution.y.T
    return y[:, :size].reshape((-1, *shape)), y[:, size:].reshape((-1, *shape))


def _integrate_hierarchy(
    schedules: dict[str, Schedule],
    widths: tuple[float, float],
    noises: tuple[float, float],
    centers: tuple[float, float],
    dt: float,
    n_steps: int,
    recorded_steps: NDArray[np.intp],
    z_e0: Any,
    z_i0: Any,
    n_modes: int,
) -> tuple[NDArray[np.complex128], NDArray[np.complex128]]:
    """Both populations' moment hierarchies, linearly implicit Crank–Nicolson steps in a
    frame that turns with the mean fields.

    Given the fields H_X, the hierarchy is linear and tridiagonal in the modes:
    ``dZ/dt = A(H) Z + c(H)`` with ``c = (H/2, 0, …)`` from ``Z_0 = 1``. Its coupling
    terms reach ``n|H|`` and its damping ``n(Δ + nD)``: explicit schemes need tiny steps
    unless D is large. Each step here is (1) a Crank–Nicolson predictor with the fields
    frozen at ``t_n``, giving ``H*`` at ``t_{n+1}``, then (2) a Crank–Nicolson step with the
    midpoint field ``(H_n + H*)/2``. Second order, stable for any step, and each solve is
    a banded (tridiagonal) one.

    The frame: freezing or averaging the fields over a step is only harmless if they do
    not turn during it. In the laboratory frame they turn at the collective frequency
    (the centre ω plus the shift of a lagged state): at ω = 20 and dt = 0.05 the
    midpoint of the chord is a field 12 % too short, and a steady state drifts to
    |z| ≈ 9.6, off the unit disc. So every step is taken in a frame turning at an
    estimate Ω of the current collective frequency (``Z_n → Z_n e^{−inΩt}``, which turns
    ``ω`` into ``ω − Ω``; exact, whatever Ω is), updated before each step from the
    phase velocity of the mean fields, ``Σ_X Im(conj(Z_X) dZ_X/dt) / Σ_X |Z_X|²``. A
    state that turns steadily at Ω is then a fixed point of the step, exactly as
    without rotation.
    """
    from scipy.linalg import solve_banded

    n = np.arange(1, n_modes + 1, dtype=float)
    shape = z_e0.shape
    size = int(np.prod(shape)) if shape else 1
    moments = np.empty((2, size, n_modes), dtype=complex)
    moments[0] = z_e0.reshape(size)[:, None] ** n
    moments[1] = z_i0.reshape(size)[:, None] ** n
    # frame frequency and accumulated frame angle, per batch element
    frame = np.full(size, 0.5 * (centers[0] + centers[1]))
    angle = np.zeros(size)
    starts = np.arange(n_steps + 1) * dt
    couplings = np.array(
        [np.broadcast_to(schedules[c](starts), starts.shape) for c in COUPLING_NAMES]
    ).T
    half = 0.5 * dt

    def fields(m: NDArray[np.complex128], k: NDArray[np.float64]) -> list[NDArray[np.complex128]]:
        z_e, z_i = m[0, :, 0], m[1, :, 0]
        return [k[0] * z_e - k[1] * z_i, k[2] * z_e - k[3] * z_i]

    def diagonal(x: int, frequency: float) -> NDArray[np.complex128]:
        return n * (1j * (centers[x] - frequency) - widths[x] - n * noises[x])

    def apply(field: complex, z: NDArray[np.complex128],
              diag: NDArray[np.complex128]) -> NDArray[np.complex128]:
        """A(H) Z + c(H) for one population and one batch element."""
        out = diag * z
        out[1:] += 0.5 * n[1:] * field * z[:-1]
        out[:-1] -= 0.5 * n[:-1] * np.conj(field) * z[1:]
        out[0] += 0.5 * field
        return out

    def crank_nicolson(field: complex, z: NDArray[np.complex128],
                       diag: NDArray[np.complex128]) -> NDArray[np.complex128]:
        """(I − dt/2 A(H)) Z' = Z + dt/2 (A(H) Z + c) + dt/2 c."""
        rhs = z + half * apply(field, z, diag)
        rhs[0] += half * 0.5 * field
        banded = np.empty((3, n_modes), dtype=complex)
        banded[0, 1:] = half * 0.5 * n[:-1] * np.conj(field)  # −dt/2 · (−n/2 conj H)
        banded[1] = 1.0 - half * diag
        banded[2, :-1] = -half * 0.5 * n[1:] * field  # −dt/2 · (n/2) H
        banded[0, 0] = banded[2, -1] = 0.0
        return np.asarray(solve_banded((1, 1), banded, rhs, check_finite=False))

    def phase_velocity(h: list[NDArray[np.complex128]]) -> NDArray[np.float64]:
        """Collective frequency of the mean fields, relative to the current frame."""
        numerator = np.zeros(size)
        weight = np.full(size, 1e-300)
        for x in range(2):
            z1, z2 = moments[x, :, 0], moments[x, :, 1] if n_modes > 1 else 0.0
            rate = (1j * (centers[x] - frame) - widths[x] - noises[x]) * z1 + 0.5 * (
                h[x] - np.conj(h[x]) * z2
            )
            numerator += (np.conj(z1) * rate).imag
            weight += np.abs(z1) ** 2
        # below |Z|² ~ 1e-24 the phase carries no information: keep the frame as it is
        return np.where(weight > 1e-24, numerator / weight, 0.0)

    record_every = (
        int(recorded_steps[1] - recorded_steps[0]) if recorded_steps.size > 1 else n_steps + 1
    )
    out_e = np.empty((recorded_steps.size, size), dtype=complex)
    out_i = np.empty_like(out_e)
    out_e[0], out_i[0] = moments[0, :, 0], moments[1, :, 0]
    predicted = np.empty_like(moments)
    turn = np.exp(-1j * np.outer(angle, n))  # lab → frame, per element and mode
    moments *= turn[None]
    for step in range(n_steps):
        h_old = fields(moments, couplings[step])
        frame = frame + phase_velocity(h_old)
        for b in range(size):
            diags = (diagonal(0, frame[b]), diagonal(1, frame[b]))
            for x in range(2):
                predicted[x, b] = crank_nicolson(h_old[x][b], moments[x, b], diags[x])
        h_predicted = fields(predicted, couplings[step + 1])
        for b in range(size):
            diags = (diagonal(0, frame[b]), diagonal(1, frame[b]))
            for x in range(2):
                h_middle = 0.5 * (h_old[x][b] + h_predicted[x][b])
                moments[x, b] = crank_nicolson(h_middle, moments[x, b], diags[x])
        angle = angle + frame * dt
        if (step + 1) % record_every == 0:
            lab = np.exp(1j * angle)
            out_e[(step + 1) // record_every] = moments[0, :, 0] * lab
            out_i[(step + 1) // record_every] = moments[1, :, 0] * lab
    return out_e.reshape((-1, *shape)), out_i.reshape((-1, *shape))
