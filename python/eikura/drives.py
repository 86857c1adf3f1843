"""External periodic drives: ``F(t) sin(Ω t + φ − θ_i)`` on the oscillators they target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import check_finite
from .schedules import CouplingLike, Schedule, as_schedule, schedule_from_dict

__all__ = ["TARGETS", "Drive", "drive_from_dict"]

TARGETS = ("e", "i", "both")


@dataclass(frozen=True, eq=False)
class Drive:
    """An external periodic drive adding ``F(t) sin(Ω t + φ − θ_i)`` to ``dθ_i/dt`` of
    every oscillator it targets (a pacemaker, a periodic stimulus).

    Parameters
    ----------
    amplitude
        ``F >= 0``: a float or a schedule (``ek.Sinusoid``, ``ek.PiecewiseLinear``)
        evaluated inside the integrator.
    frequency
        ``Ω`` (radians per time unit, like the natural frequencies).
    phase
        ``φ`` in radians (default 0).
    target
        ``"e"``, ``"i"``, ``"both"`` (default) or a boolean mask of N values (E first).

    Examples
    --------
    >>> import eikura as ek
    >>> model = ek.EIKuramoto(n_e=80, n_i=20, k_ee=2.0,
    ...                       drive=ek.Drive(amplitude=1.5, frequency=0.5, target="e"))
    >>> int(model.drive[0].mask(80, 20).sum())
    80
    """

    amplitude: CouplingLike
    frequency: float
    phase: float = 0.0
    target: str | ArrayLike = "both"

    def __post_init__(self) -> None:
        object.__setattr__(self, "amplitude", as_schedule("drive.amplitude", self.amplitude))
        object.__setattr__(self, "frequency", check_finite("drive.frequency", self.frequency))
        object.__setattr__(self, "phase", check_finite("drive.phase", self.phase))
        target = self.target
        if isinstance(target, str):
            if target not in TARGETS:
                raise ValueError(f"drive.target: expected 'e', 'i', 'both' or a boolean mask, "
                                 f"got {target!r}")
            return
        mask = np.asarray(target)
        if mask.dtype != np.bool_ or mask.ndim != 1:
            raise TypeError("drive.target: a mask must be a 1-D boolean array of N values")
        object.__setattr__(self, "target", mask.copy())

    @property
    def amplitude_schedule(self) -> Schedule:
        amplitude: Schedule = self.amplitude  # type: ignore[assignment]  # set by __post_init__
        return amplitude

    def __repr__(self) -> str:
        target = self.target if isinstance(self.target, str) else (
            f"mask of {np.asarray(self.target).size}")
        return (f"Drive(amplitude={self.amplitude!r}, frequency={self.frequency:g}, "
                f"phase={self.phase:g}, target={target!r})")

    def mask(self, n_e: int, n_i: int) -> NDArray[np.bool_]:
        """The driven oscillators as a boolean mask of ``n_e + n_i`` values (E first)."""
        if isinstance(self.target, str):
            mask = np.zeros(n_e + n_i, dtype=bool)
            if self.target in ("e", "both"):
                mask[:n_e] = True
            if self.target in ("i", "both"):
                mask[n_e:] = True
            return mask
        mask = np.asarray(self.target, dtype=bool)
        if mask.size != n_e + n_i:
            raise ValueError(f"drive.target: expected a mask of N = {n_e + n_i} values, "
                             f"got {mask.size}")
        return mask

    def to_core(self, n_e: int, n_i: int) -> tuple[Any, float, float, NDArray[np.uint8]]:
        """The C++ form: (amplitude schedule, Ω, φ, target mask as uint8)."""
        return (self.amplitude_schedule.to_core(), float(self.frequency), float(self.phase),
                self.mask(n_e, n_i).astype(np.uint8))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly description; a mask target is stored among the model's arrays."""
        target: Any = self.target if isinstance(self.target, str) else {
            "mask": int(np.asarray(self.target).size)}
        return {"amplitude": self.amplitude_schedule.to_dict(), "frequency": self.frequency,
                "phase": self.phase, "target": target}


def drive_from_dict(description: dict[str, Any], mask: NDArray[Any] | None = None) -> Drive:
    """The drive that :meth:`Drive.to_dict` describes (``mask``: its target array)."""
    target = description["target"]
    if isinstance(target, dict):
        if mask is None:
            raise ValueError("drive.target: the drive's target mask is missing")
        target = np.asarray(mask, dtype=bool)
    return Drive(schedule_from_dict("drive.amplitude", description["amplitude"]),
                 description["frequency"], description.get("phase", 0.0), target)
