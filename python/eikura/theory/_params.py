"""Parameter checking and the choice of noise treatment, shared by the theory modules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._validation import check_choice, check_finite, check_nonnegative
from ..schedules import Constant

__all__ = [
    "NOISE_NONE",
    "NOISE_QUICK",
    "NOISE_FOKKER_PLANCK",
    "NOISE_CHOICES",
    "COUPLING_NAMES",
    "PointParameters",
    "check_point",
    "resolve_noise_treatment",
]

# What a result reports in its ``noise_treatment`` field.
NOISE_NONE = "none"
NOISE_QUICK = "quick (Δ→Δ+D, approximate)"
NOISE_FOKKER_PLANCK = "fokker-planck"
# What a caller may ask for.
NOISE_CHOICES = ("auto", "quick", "fokker-planck")

COUPLING_NAMES = ("k_ee", "k_ei", "k_ie", "k_ii")  # K_post,pre


def check_constant_coupling(name: str, value: Any) -> float:
    """A coupling for the steady-state theory: a float >= 0 or an ``ek.Constant``."""
    if isinstance(value, Constant):
        return value.value
    if callable(value):
        raise TypeError(
            f"{name}: steady states need a constant coupling (a float or ek.Constant), got "
            f"{type(value).__name__}; use integrate_reduced for time-dependent couplings"
        )
    return check_nonnegative(name, value)


def resolve_noise_treatment(noise_e: float, noise_i: float, noise_treatment: Any) -> str:
    """The treatment actually used: ``"auto"`` means Fokker–Planck when there is noise."""
    choice = check_choice("noise_treatment", noise_treatment, NOISE_CHOICES)
    if choice == "quick":
        return NOISE_QUICK if (noise_e > 0 or noise_i > 0) else NOISE_NONE
    if choice == "fokker-planck":
        return NOISE_FOKKER_PLANCK
    return NOISE_FOKKER_PLANCK if (noise_e > 0 or noise_i > 0) else NOISE_NONE


def check_widths(
    width_e: Any, width_i: Any, noise_e: Any, noise_i: Any
) -> tuple[float, float, float, float]:
    """Half-widths and noise intensities, >= 0; a population needs width + noise > 0."""
    width_e = check_nonnegative("width_e", width_e)
    width_i = check_nonnegative("width_i", width_i)
    noise_e = check_nonnegative("noise_e", noise_e)
    noise_i = check_nonnegative("noise_i", noise_i)
    # Identical noiseless oscillators (width 0, noise 0) lock perfectly (r = 1): the
    # reduced equations are degenerate there, so refuse rather than return nonsense.
    if width_e + noise_e <= 0:
        raise ValueError("width_e: must be > 0 when noise_e is 0 (identical noiseless oscillators)")
    if width_i + noise_i <= 0:
        raise ValueError("width_i: must be > 0 when noise_i is 0 (identical noiseless oscillators)")
    return width_e, width_i, noise_e, noise_i


@dataclass(frozen=True)
class PointParameters:
    """One checked parameter point of the mean-field theory (common centre of frequencies)."""

    k_ee: float
    k_ei: float
    k_ie: float
    k_ii: float
    width_e: float
    width_i: float
    noise_e: float
    noise_i: float
    center: float
    noise_treatment: str  # one of NOISE_NONE, NOISE_QUICK, NOISE_FOKKER_PLANCK

    @property
    def effective_width_e(self) -> float:
        """Δ_E in the Ott–Antonsen equations (Δ_E + D_E for the quick noise treatment)."""
        return self.width_e + (self.noise_e if self.noise_treatment == NOISE_QUICK else 0.0)

    @property
    def effective_width_i(self) -> float:
        return self.width_i + (self.noise_i if self.noise_treatment == NOISE_QUICK else 0.0)

    @property
    def uses_fokker_planck(self) -> bool:
        return self.noise_treatment == NOISE_FOKKER_PLANCK

    def as_dict(self) -> dict[str, Any]:
        return {
            "k_ee": self.k_ee,
            "k_ei": self.k_ei,
            "k_ie": self.k_ie,
            "k_ii": self.k_ii,
            "width_e": self.width_e,
            "width_i": self.width_i,
            "noise_e": self.noise_e,
            "noise_i": self.noise_i,
            "center": self.center,
            "noise_treatment": self.noise_treatment,
        }


def check_point(
    k_ee: Any,
    k_ei: Any,
    k_ie: Any,
    k_ii: Any,
    width_e: Any,
    width_i: Any,
    noise_e: Any = 0.0,
    noise_i: Any = 0.0,
    center: Any = 0.0,
    noise_treatment: Any = "auto",
) -> PointParameters:
    """Check one parameter point and decide the noise treatment."""
    k_ee, k_ei, k_ie, k_ii = (
        check_constant_coupling(name, value)
        for name, value in zip(COUPLING_NAMES, (k_ee, k_ei, k_ie, k_ii), strict=True)
    )
    width_e, width_i, noise_e, noise_i = check_widths(width_e, width_i, noise_e, noise_i)
    center = check_finite("center", center)
    treatment = resolve_noise_treatment(noise_e, noise_i, noise_treatment)
    return PointParameters(
        k_ee, k_ei, k_ie, k_ii, width_e, width_i, noise_e, noise_i, center, treatment
    )
