"""Time-dependent coupling strengths.

A coupling ``K_XY`` is either a plain float (constant) or one of the schedules
below. Schedules are evaluated inside the C++ integrator at every stage time; the
Python objects here only describe them, validate them and evaluate them with NumPy
(for plots, theory and the reference oracle).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _core
from ._validation import check_finite, check_finite_array, check_nonnegative, check_positive

__all__ = ["Constant", "Sinusoid", "PiecewiseLinear", "Schedule", "CouplingLike", "as_schedule",
           "schedule_from_dict"]


@dataclass(frozen=True)
class Constant:
    """A coupling that does not change: ``K(t) = value``.

    Examples
    --------
    >>> import eikura as ek
    >>> ek.Constant(2.5)(10.0)
    2.5
    """

    value: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", check_nonnegative("value", self.value))

    def __call__(self, t: ArrayLike) -> NDArray[np.float64] | float:
        t_array = np.asarray(t, dtype=float)
        out = np.full_like(t_array, self.value)
        return float(out) if out.ndim == 0 else out

    @property
    def mean(self) -> float:
        return self.value

    def scaled(self, factor: float) -> Constant:
        return Constant(self.value * factor)

    def peak(self) -> float:
        """The largest value the coupling takes."""
        return self.value

    def to_dict(self) -> float:
        """The JSON form: a constant is stored as its plain value."""
        return self.value

    def to_core(self) -> Any:
        """The C++ schedule evaluated by the integrator."""
        return _core.Schedule.constant(self.value)


@dataclass(frozen=True)
class Sinusoid:
    """``K(t) = max(0, mean + amplitude * sin(2π t / period + phase))``.

    Negative values are clipped at 0: a coupling strength never changes sign.

    Examples
    --------
    >>> import eikura as ek
    >>> k_ii = ek.Sinusoid(mean=2.0, amplitude=1.0, period=400.0)
    >>> round(k_ii(100.0), 12)
    3.0
    """

    mean: float
    amplitude: float
    period: float
    phase: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean", check_nonnegative("mean", self.mean))
        object.__setattr__(self, "amplitude", check_finite("amplitude", self.amplitude))
        object.__setattr__(self, "period", check_positive("period", self.period))
        object.__setattr__(self, "phase", check_finite("phase", self.phase))

    def __call__(self, t: ArrayLike) -> NDArray[np.float64] | float:
        t_array = np.asarray(t, dtype=float)
        value = self.mean + self.amplitude * np.sin(2.0 * np.pi * t_array / self.period + self.phase)
        out = np.maximum(value, 0.0)
        return float(out) if out.ndim == 0 else out

    def scaled(self, factor: float) -> Sinusoid:
        return Sinusoid(self.mean * factor, self.amplitude * factor, self.period, self.phase)

    def peak(self) -> float:
        """The largest value the coupling takes."""
        return max(0.0, self.mean + abs(self.amplitude))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, read back by :func:`schedule_from_dict`."""
        return {"schedule": "sinusoid", "mean": self.mean, "amplitude": self.amplitude,
                "period": self.period, "phase": self.phase}

    def to_core(self) -> Any:
        """The C++ schedule evaluated by the integrator."""
        return _core.Schedule.sinusoid(self.mean, self.amplitude, self.period, self.phase)


@dataclass(frozen=True)
class PiecewiseLinear:
    """Linear interpolation through ``(times[k], values[k])``; constant outside.

    Use it for ramps (hysteresis sweeps) and for any measured protocol.

    Examples
    --------
    >>> import eikura as ek
    >>> ramp = ek.PiecewiseLinear(times=[0.0, 100.0, 200.0], values=[1.0, 6.0, 1.0])
    >>> ramp(50.0)
    3.5
    """

    times: tuple[float, ...] = field()
    values: tuple[float, ...] = field()

    def __post_init__(self) -> None:
        times = check_finite_array("times", self.times, ndim=1)
        values = check_finite_array("values", self.values, ndim=1)
        if times.size == 0:
            raise ValueError("times: a PiecewiseLinear schedule needs at least one point")
        if times.shape != values.shape:
            raise ValueError(
                f"values: expected as many values as times ({times.size}), got {values.size}"
            )
        if np.any(np.diff(times) <= 0):
            raise ValueError("times: must be strictly increasing")
        if np.any(values < 0):
            raise ValueError("values: coupling strengths must be non-negative")
        object.__setattr__(self, "times", tuple(float(x) for x in times))
        object.__setattr__(self, "values", tuple(float(x) for x in values))

    def __call__(self, t: ArrayLike) -> NDArray[np.float64] | float:
        out = np.interp(np.asarray(t, dtype=float), self.times, self.values)
        return float(out) if np.ndim(out) == 0 else out

    def scaled(self, factor: float) -> PiecewiseLinear:
        return PiecewiseLinear(self.times, tuple(v * factor for v in self.values))

    def peak(self) -> float:
        """The largest value the coupling takes."""
        return max(self.values)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, read back by :func:`schedule_from_dict`."""
        return {"schedule": "piecewise-linear", "times": list(self.times),
                "values": list(self.values)}

    def to_core(self) -> Any:
        """The C++ schedule evaluated by the integrator."""
        return _core.Schedule.piecewise_linear(list(self.times), list(self.values))


Schedule = Constant | Sinusoid | PiecewiseLinear
CouplingLike = float | int | Schedule


def as_schedule(name: str, value: CouplingLike) -> Schedule:
    """Turn a float or a schedule into a schedule, naming ``name`` in any error."""
    if isinstance(value, (Constant, Sinusoid, PiecewiseLinear)):
        return value
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected a float or a schedule, got a bool")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return Constant(check_nonnegative(name, float(value)))
    raise TypeError(
        f"{name}: expected a float or an eikura schedule (Constant, Sinusoid, "
        f"PiecewiseLinear), got {type(value).__name__}"
    )


def schedule_from_dict(name: str, value: Any) -> Schedule:
    """The schedule whose JSON form (``schedule.to_dict()``) is ``value``.

    Examples
    --------
    >>> import eikura as ek
    >>> from eikura.schedules import schedule_from_dict
    >>> schedule_from_dict("k_ii", ek.Sinusoid(2.0, 1.0, 400.0).to_dict())
    Sinusoid(mean=2.0, amplitude=1.0, period=400.0, phase=0.0)
    """
    if not isinstance(value, dict):
        return as_schedule(name, value)
    settings = {key: item for key, item in value.items() if key != "schedule"}
    kinds: dict[str, type[Sinusoid] | type[PiecewiseLinear]] = {
        "sinusoid": Sinusoid, "piecewise-linear": PiecewiseLinear}
    kind = value.get("schedule")
    if kind not in kinds:
        raise ValueError(f"{name}: unknown schedule {kind!r}; expected one of {sorted(kinds)}")
    try:
        return kinds[kind](**settings)
    except TypeError as error:
        raise ValueError(f"{name}: malformed {kind} schedule ({error})") from None
