"""Distributions of natural frequencies ω_i.

Each distribution draws ``n`` frequencies from a NumPy generator, or, with
``regular=True``, places them at the deterministic quantiles ``(k + 1/2) / n`` of the
distribution, which removes sampling noise (useful for comparing with theory).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special

from ._validation import check_bool, check_finite, check_positive

__all__ = ["Distribution", "Gaussian", "Lorentzian", "Uniform", "distribution_from_dict"]


def _midpoint_quantiles(n: int) -> NDArray[np.float64]:
    return (np.arange(n, dtype=float) + 0.5) / n


@dataclass(frozen=True)
class Lorentzian:
    """Cauchy–Lorentz distribution with ``center`` and half-width at half-maximum ``width``.

    The Ott–Antonsen theory (``eikura.theory``) is exact for this distribution.

    Examples
    --------
    >>> import eikura as ek, numpy as np
    >>> ek.Lorentzian(center=0.0, width=1.0, regular=True).sample(4, np.random.default_rng(0)).round(3)
    array([-2.414, -0.414,  0.414,  2.414])
    """

    center: float = 0.0
    width: float = 1.0
    regular: bool = False

    def __post_init__(self) -> None:
        check_finite("center", self.center)
        check_positive("width", self.width)
        check_bool("regular", self.regular)

    def sample(self, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        if self.regular:
            return self.center + self.width * np.tan(np.pi * (_midpoint_quantiles(n) - 0.5))
        return self.center + self.width * rng.standard_cauchy(n)

    @property
    def spread(self) -> float:
        """The scale of the frequency differences: the half-width."""
        return float(self.width)

    def to_dict(self) -> dict[str, Any]:
        return {"distribution": "lorentzian", **asdict(self)}


@dataclass(frozen=True)
class Gaussian:
    """Normal distribution with ``mean`` and standard deviation ``std``.

    Examples
    --------
    >>> import eikura as ek, numpy as np
    >>> ek.Gaussian(mean=1.0, std=0.5, regular=True).sample(3, np.random.default_rng(0)).round(3)
    array([0.516, 1.   , 1.484])
    """

    mean: float = 0.0
    std: float = 1.0
    regular: bool = False

    def __post_init__(self) -> None:
        check_finite("mean", self.mean)
        check_positive("std", self.std)
        check_bool("regular", self.regular)

    def sample(self, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        if self.regular:
            return np.asarray(self.mean + self.std * special.ndtri(_midpoint_quantiles(n)),
                              dtype=np.float64)
        return rng.normal(self.mean, self.std, n)

    @property
    def spread(self) -> float:
        """The scale of the frequency differences: the standard deviation."""
        return float(self.std)

    def to_dict(self) -> dict[str, Any]:
        return {"distribution": "gaussian", **asdict(self)}


@dataclass(frozen=True)
class Uniform:
    """Uniform distribution on ``[low, high)``.

    Examples
    --------
    >>> import eikura as ek, numpy as np
    >>> ek.Uniform(-1.0, 1.0, regular=True).sample(4, np.random.default_rng(0))
    array([-0.75, -0.25,  0.25,  0.75])
    """

    low: float = -1.0
    high: float = 1.0
    regular: bool = False

    def __post_init__(self) -> None:
        low = check_finite("low", self.low)
        high = check_finite("high", self.high)
        if not high > low:
            raise ValueError(f"high: must be greater than low ({low}), got {high}")
        check_bool("regular", self.regular)

    def sample(self, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        if self.regular:
            return self.low + (self.high - self.low) * _midpoint_quantiles(n)
        return rng.uniform(self.low, self.high, n)

    @property
    def spread(self) -> float:
        """The scale of the frequency differences: half the range."""
        return 0.5 * float(self.high - self.low)

    def to_dict(self) -> dict[str, Any]:
        return {"distribution": "uniform", **asdict(self)}


Distribution = Lorentzian | Gaussian | Uniform


def distribution_from_dict(description: dict[str, Any]) -> Distribution:
    """The distribution that ``distribution.to_dict()`` describes.

    Examples
    --------
    >>> import eikura as ek
    >>> from eikura.distributions import distribution_from_dict
    >>> distribution_from_dict(ek.Gaussian(1.0, 0.5).to_dict())
    Gaussian(mean=1.0, std=0.5, regular=False)
    """
    kinds: dict[str, type[Lorentzian] | type[Gaussian] | type[Uniform]] = {
        "lorentzian": Lorentzian, "gaussian": Gaussian, "uniform": Uniform}
    settings = {key: value for key, value in description.items() if key != "distribution"}
    kind = description.get("distribution")
    if kind not in kinds:
        raise ValueError(f"frequencies: unknown distribution {kind!r}; expected one of "
                         f"{sorted(kinds)}")
    try:
        return kinds[kind](**settings)
    except TypeError as error:
        raise ValueError(f"frequencies: malformed {kind} description ({error})") from None
