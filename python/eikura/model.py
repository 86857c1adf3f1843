"""The EI-Kuramoto model description."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._display import html_table
from ._validation import (
    BLOCKS,
    MAX_OSCILLATORS,
    check_blocks,
    check_choice,
    check_finite_array,
    check_int,
    check_nonnegative,
    check_pair,
)
from .distributions import Distribution, Gaussian, Lorentzian, Uniform, distribution_from_dict
from .drives import Drive, drive_from_dict
from .networks import AllToAll, Graph, Network, check_network, network_from_dict
from .schedules import Constant, CouplingLike, Schedule, as_schedule, schedule_from_dict

__all__ = ["COUPLINGS", "EIKuramoto"]

COUPLINGS = ("k_ee", "k_ei", "k_ie", "k_ii")  # K_post,pre
NORMALIZATIONS = ("in-degree", "population", "none")
_DISTRIBUTIONS = (Lorentzian, Gaussian, Uniform)


def _check_frequencies(value: Any, n: int) -> Any:
    if isinstance(value, _DISTRIBUTIONS):
        return value
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, _DISTRIBUTIONS) for v in value):
        return value
    if isinstance(value, (str, dict)) or value is None:
        raise TypeError(
            "frequencies: expected a distribution (ek.Lorentzian, ek.Gaussian, ek.Uniform), "
            f"a pair (for_E, for_I) of them, or an array of N values; got {type(value).__name__}"
        )
    return check_finite_array("frequencies", value, ndim=1, length=n)


def _check_drives(value: Any, n_e: int, n_i: int) -> tuple[Drive, ...]:
    drives = () if value is None else (value,) if isinstance(value, Drive) else value
    if isinstance(drives, (str, bytes)) or not isinstance(drives, Sequence) or not all(
            isinstance(drive, Drive) for drive in drives):
        raise TypeError("drive: expected an ek.Drive, a list of them, or None")
    for drive in drives:
        drive.mask(n_e, n_i)  # a mask target must have N values
    return tuple(drives)


@dataclass(frozen=True, eq=False)
class EIKuramoto:
    """Excitatory–inhibitory Kuramoto model (Kuroki & Mizuseki, Neural Computation 2025).

    For oscillator i in population X ∈ {E, I}::

        dθ_i/dt = ω_i + K_XE c_i^E − K_XI c_i^I + sqrt(2 D_X) ξ_i(t)
        c_i^Y   = (1/n_i^Y) Σ_{j∈Y, j→i} w_ij sin(θ_j(t − τ_XY) − θ_i − α_XY)

    Excitatory inputs attract, inhibitory inputs repel (with the phase lags α_XY = 0,
    the default; the delays τ_XY are 0 by default too).

    Parameters
    ----------
    n_e, n_i
        Numbers of excitatory and inhibitory oscillators (stored E first). May be
        omitted with ``network=ek.Graph(...)``, whose labels give them.
    k_ee, k_ei, k_ie, k_ii
        Coupling strengths ``K_post,pre`` (``k_ei``: inhibitory input onto excitatory
        oscillators), each ``>= 0``: a float or a schedule (``ek.Sinusoid``,
        ``ek.PiecewiseLinear``) evaluated inside the integrator.
    frequencies
        Natural frequencies: a distribution for both populations, a pair
        ``(for_E, for_I)``, or an array of N values (E first).
    noise
        Noise intensity ``D`` for both populations or a pair ``(D_E, D_I)``; ``>= 0``.
    network
        ``ek.AllToAll()`` (default), ``ek.FixedInDegree``, ``ek.ErdosRenyi`` or ``ek.Graph``.
    normalization
        ``n_i^Y``: ``"in-degree"`` (default: inputs from Y; N_Y for all-to-all, so
        sparse networks share the mean-field limit), ``"population"`` (N_Y) or
        ``"none"`` (1: raw weighted sum).
    phase_lag
        Phase lags ``α_XY`` in radians: one number for all four blocks, or a dict with
        the keys ``"ee", "ei", "ie", "ii"`` (``K_post,pre`` order). Block XY couples
        through ``K_XY sin(θ_j − θ_i − α_XY)``; inhibitory blocks keep their minus sign.
        Default 0.
    delay
        Transmission delays ``τ_XY`` in time units: one number for all four blocks, or a
        dict with the keys ``"ee", "ei", "ie", "ii"`` (``K_post,pre`` order); each
        ``>= 0``. Block XY reads its sources at ``t − τ_XY``:
        ``K_XY sin(θ_j(t − τ_XY) − θ_i(t) − α_XY)``. Before ``t = 0`` the phases rotate
        at their natural frequencies unless ``simulate(..., history=...)`` gives them.
        Default 0 (see the delays page of the documentation).
    drive
        External periodic drive(s): an ``ek.Drive(amplitude, frequency, phase=0.0,
        target="e" | "i" | "both" | mask)`` or a list of them; each adds
        ``F(t) sin(Ω t + φ − θ_i)`` to the oscillators it targets. Default none.

    Examples
    --------
    >>> import eikura as ek
    >>> model = ek.EIKuramoto(n_e=800, n_i=200, k_ee=5.0, k_ei=1.0, k_ie=12.0, k_ii=2.0,
    ...                       network=ek.FixedInDegree(k_e=80, k_i=20))
    >>> model.n
    1000
    """

    n_e: int | None = None
    n_i: int | None = None
    k_ee: CouplingLike = 0.0
    k_ei: CouplingLike = 0.0
    k_ie: CouplingLike = 0.0
    k_ii: CouplingLike = 0.0
    frequencies: Distribution | tuple[Distribution, Distribution] | ArrayLike = field(
        default_factory=lambda: Lorentzian(0.0, 1.0)
    )
    noise: float | tuple[float, float] = 0.0
    network: Network = field(default_factory=AllToAll)
    normalization: str = "in-degree"
    phase_lag: float | Mapping[str, float] = 0.0
    drive: Drive | Sequence[Drive] | None = None
    delay: float | Mapping[str, float] = 0.0

    def __post_init__(self) -> None:
        network = check_network(self.network)
        n_e, n_i = self.n_e, self.n_i
        if isinstance(network, Graph):
            n_e = network.n_e if n_e is None else n_e
            n_i = network.n_i if n_i is None else n_i
        if n_e is None or n_i is None:
            raise TypeError("n_e, n_i: both population sizes are required")
        n_e = check_int("n_e", n_e, minimum=0)
        n_i = check_int("n_i", n_i, minimum=0)
        if n_e + n_i == 0:
            raise ValueError("n_e, n_i: the model needs at least one oscillator")
        if n_e + n_i > MAX_OSCILLATORS:
            raise ValueError(f"n_e, n_i: at most 2**31 - 1 oscillators, got {n_e + n_i}")
        network.check_sizes(n_e, n_i)  # in-degrees within the populations, labels agree
        object.__setattr__(self, "n_e", n_e)
        object.__setattr__(self, "n_i", n_i)
        for name in COUPLINGS:
            object.__setattr__(self, name, as_schedule(name, getattr(self, name)))
        object.__setattr__(self, "frequencies", _check_frequencies(self.frequencies, n_e + n_i))
        object.__setattr__(self, "noise", check_pair("noise", self.noise, check_nonnegative))
        check_choice("normalization", self.normalization, NORMALIZATIONS)
        object.__setattr__(self, "phase_lag", check_blocks("phase_lag", self.phase_lag))
        object.__setattr__(self, "drive", _check_drives(self.drive, n_e, n_i))
        delay = check_blocks("delay", self.delay)
        for block, value in delay.items():
            if value < 0:
                raise ValueError(f"delay[{block!r}]: must be >= 0, got {value}")
        object.__setattr__(self, "delay", delay)

    def __repr__(self) -> str:
        return f"EIKuramoto({', '.join(f'{name}={value}' for name, value in self._parts())})"

    def _repr_html_(self) -> str:
        return html_table("eikura.EIKuramoto", self._parts())

    def _parts(self) -> list[tuple[str, str]]:
        """Short descriptions of each setting (arrays by their size, not their values)."""
        frequencies = self.frequencies
        if isinstance(frequencies, np.ndarray):
            frequencies_text = f"array of {frequencies.size} values"
        elif isinstance(frequencies, tuple):
            frequencies_text = f"({frequencies[0]!r}, {frequencies[1]!r})"
        else:
            frequencies_text = repr(frequencies)
        couplings = [(name, f"{schedule.value:g}" if isinstance(schedule, Constant) else repr(schedule))
                     for name, schedule in self.couplings.items()]
        noise = self.noise if isinstance(self.noise, tuple) else (self.noise, self.noise)
        return [("n_e", str(self.n_e)), ("n_i", str(self.n_i)), *couplings,
                ("frequencies", frequencies_text),
                ("noise", f"{noise[0]:g}" if noise[0] == noise[1] else f"({noise[0]:g}, {noise[1]:g})"),
                ("network", repr(self.network)), ("normalization", repr(self.normalization)),
                *self._lag_parts(),
                *([("drive", ", ".join(map(repr, self.drives)))] if self.drives else [])]

    def _lag_parts(self) -> list[tuple[str, str]]:
        parts = []
        for name, values in (("phase_lag", self.phase_lags), ("delay", self.delays)):
            if not any(values):
                continue
            if len(set(values)) == 1:
                parts.append((name, f"{values[0]:g}"))
            else:
                parts.append((name, "{" + ", ".join(f"{b!r}: {a:g}" for b, a in
                                                     zip(BLOCKS, values, strict=True)) + "}"))
        return parts

    @property
    def n(self) -> int:
        """Total number of oscillators ``N = n_e + n_i``."""
        return int(self.n_e) + int(self.n_i)  # type: ignore[arg-type]

    @property
    def has_noise(self) -> bool:
        return any(d > 0 for d in self.noise)  # type: ignore[union-attr]

    @property
    def phase_lags(self) -> tuple[float, float, float, float]:
        """The phase lags ``(α_EE, α_EI, α_IE, α_II)`` in radians (``K_post,pre`` order)."""
        lag = cast(dict[str, float], self.phase_lag)
        return lag["ee"], lag["ei"], lag["ie"], lag["ii"]

    @property
    def delays(self) -> tuple[float, float, float, float]:
        """The transmission delays ``(τ_EE, τ_EI, τ_IE, τ_II)`` in time units
        (``K_post,pre`` order)."""
        delay = cast(dict[str, float], self.delay)
        return delay["ee"], delay["ei"], delay["ie"], delay["ii"]

    @property
    def drives(self) -> tuple[Drive, ...]:
        """The external drives (empty without any)."""
        return cast(tuple[Drive, ...], self.drive)

    def core_drives(self) -> list[Any]:
        """The drives in the C++ form (amplitude, Ω, φ, uint8 target mask)."""
        n_e, n_i = cast(int, self.n_e), cast(int, self.n_i)
        return [drive.to_core(n_e, n_i) for drive in self.drives]

    @property
    def couplings(self) -> dict[str, Schedule]:
        """The four coupling schedules by name, ``k_ee, k_ei, k_ie, k_ii``."""
        return {name: getattr(self, name) for name in COUPLINGS}

    def with_changes(self, **changes: Any) -> EIKuramoto:
        """A copy with some parameters changed (validated again).

        Examples
        --------
        >>> import eikura as ek
        >>> ek.EIKuramoto(n_e=80, n_i=20, k_ee=2.0).with_changes(k_ee=4.0).k_ee
        Constant(value=4.0)
        """
        return replace(self, **changes)

    def natural_frequencies(self, rng: np.random.Generator) -> NDArray[np.float64]:
        """Draw (or place, for ``regular`` distributions) the N natural frequencies."""
        value = self.frequencies
        if isinstance(value, np.ndarray):
            return np.array(value, dtype=np.float64)
        for_e, for_i = value if isinstance(value, tuple) else (value, value)
        n_e, n_i = cast(int, self.n_e), cast(int, self.n_i)  # set by __post_init__
        return np.concatenate([for_e.sample(n_e, rng), for_i.sample(n_i, rng)])

    def core_couplings(self) -> list[Any]:
        """The four C++ coupling schedules, in ``COUPLINGS`` order."""
        return [getattr(self, name).to_core() for name in COUPLINGS]

    def content_arrays(self) -> dict[str, NDArray[Any]]:
        """Arrays that define the model beyond :meth:`to_dict`, by name: a user frequency
        array and a user graph's edges (empty if there are none)."""
        frequencies = self.frequencies
        own = {"frequencies": frequencies} if isinstance(frequencies, np.ndarray) else {}
        masks = {f"drive_mask_{k}": np.asarray(drive.target, dtype=np.uint8)  # NetCDF: no bool
                 for k, drive in enumerate(self.drives) if not isinstance(drive.target, str)}
        return {**own, **masks, **self.network.content_arrays()}

    def fingerprint(self) -> str:
        """A SHA-256 digest of everything that defines the dynamics: sizes, coupling
        schedules, frequencies (the distribution, or the array itself), noise,
        normalisation and network (the description, or a user graph's edges, labels and
        weights). Checkpoints and sweep stores keep it to recognise their model.

        Examples
        --------
        >>> import eikura as ek
        >>> a = ek.EIKuramoto(n_e=80, n_i=20, k_ee=2.0)
        >>> a.fingerprint() == a.with_changes(k_ee=2.0).fingerprint()
        True
        >>> a.fingerprint() == a.with_changes(k_ee=2.5).fingerprint()
        False
        """
        digest = hashlib.sha256()
        digest.update(json.dumps(self.to_dict(), sort_keys=True).encode())
        for content in self.content_arrays().values():
            array = np.ascontiguousarray(content)
            digest.update(f"{array.dtype.str}{array.shape}".encode())
            digest.update(array.tobytes())
        return digest.hexdigest()

    @classmethod
    def from_dict(cls, description: dict[str, Any],
                  arrays: dict[str, NDArray[Any]] | None = None) -> EIKuramoto:
        """The model that :meth:`to_dict` and :meth:`content_arrays` describe.

        Saved runs and checkpoints store both, so a model comes back from its file.

        Examples
        --------
        >>> import eikura as ek
        >>> model = ek.EIKuramoto(n_e=80, n_i=20, k_ee=ek.Sinusoid(2.0, 1.0, 50.0), noise=0.1)
        >>> ek.EIKuramoto.from_dict(model.to_dict()).fingerprint() == model.fingerprint()
        True
        """
        arrays = arrays or {}
        try:
            settings = dict(description)
            frequencies = settings.pop("frequencies")
            if isinstance(frequencies, list):
                settings["frequencies"] = tuple(distribution_from_dict(part) for part in frequencies)
            elif frequencies.get("distribution") == "array":
                if "frequencies" not in arrays:
                    raise ValueError("frequencies: the model's frequency array is missing")
                settings["frequencies"] = np.asarray(arrays["frequencies"], dtype=np.float64)
            else:
                settings["frequencies"] = distribution_from_dict(frequencies)
            settings["network"] = network_from_dict(settings.pop("network"), arrays,
                                                    int(settings.get("n_e") or 0))
            for name in COUPLINGS:
                settings[name] = schedule_from_dict(name, settings[name])
            settings["noise"] = tuple(settings["noise"])
            settings["phase_lag"] = settings.get("phase_lag", 0.0)
            settings["delay"] = settings.get("delay", 0.0)
            settings["drive"] = [drive_from_dict(part, arrays.get(f"drive_mask_{k}"))
                                 for k, part in enumerate(settings.get("drive", []))]
            return cls(**settings)
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"description: not an eikura model description ({error!r})") from None

    def fastest_rate(self) -> tuple[float, str]:
        """The largest rate at which a phase difference can change, and what sets it.

        Per population X: ``K_XE + K_XI`` (the largest coupling terms, at their peak over
        time) plus the spread of X's natural frequencies (a common frequency only rotates
        every phase and does not count). Phase lags shift each coupling term's sine but
        not its amplitude, so they leave the rate as it is. Fixed-step integrators resolve
        the dynamics while ``dt`` times this rate is well below 1.
        """
        spreads = self._frequency_spreads()
        rates = []
        for population, spread in zip(("e", "i"), spreads, strict=True):
            names = (f"k_{population}e", f"k_{population}i")
            coupling = sum(getattr(self, name).peak() for name in names)
            reason = (f"K_{population.upper()}E + K_{population.upper()}I = {coupling:.3g} and a "
                      f"frequency spread of {spread:.3g}")
            drives = self._drive_peak(population)
            if drives:
                reason += f" and drives of amplitude {drives:.3g}"
            rates.append((coupling + spread + drives, reason))
        if self.n_i == 0:
            return rates[0]
        if self.n_e == 0:
            return rates[1]
        return max(rates)

    def _drive_peak(self, population: str) -> float:
        """The summed peak amplitude of the drives on population ``population`` (a drive
        moves the phases it targets against the others at up to its amplitude)."""
        n_e, n_i = cast(int, self.n_e), cast(int, self.n_i)
        part = slice(0, n_e) if population == "e" else slice(n_e, n_e + n_i)
        return sum(drive.amplitude_schedule.peak() for drive in self.drives
                   if drive.mask(n_e, n_i)[part].any())

    def _frequency_spreads(self) -> tuple[float, float]:
        frequencies = self.frequencies
        if isinstance(frequencies, np.ndarray):
            n_e = int(self.n_e)  # type: ignore[arg-type]
            parts = (frequencies[:n_e], frequencies[n_e:])
            # half the interquartile range: the tails that run free do not set the step
            return cast(tuple[float, float], tuple(
                0.5 * float(np.subtract(*np.percentile(part, [75, 25]))) if part.size else 0.0
                for part in parts))
        for_e, for_i = frequencies if isinstance(frequencies, tuple) else (frequencies, frequencies)
        return cast(Distribution, for_e).spread, cast(Distribution, for_i).spread

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly description (stored with every result)."""
        frequencies = self.frequencies
        if isinstance(frequencies, np.ndarray):
            frequencies_description: Any = {"distribution": "array", "size": int(frequencies.size)}
        elif isinstance(frequencies, tuple):
            frequencies_description = [frequencies[0].to_dict(), frequencies[1].to_dict()]
        else:
            frequencies_description = cast(Distribution, frequencies).to_dict()
        return {
            "n_e": self.n_e,
            "n_i": self.n_i,
            **{name: getattr(self, name).to_dict() for name in COUPLINGS},
            "frequencies": frequencies_description,
            "noise": list(self.noise),  # type: ignore[arg-type]
            "network": self.network.to_dict(),
            "normalization": self.normalization,
            # Only where some lag is not 0: models without lags keep their fingerprints.
            **({"phase_lag": dict(cast(dict[str, float], self.phase_lag))}
               if any(self.phase_lags) else {}),
            # Only where there are drives, for the same reason.
            **({"drive": [drive.to_dict() for drive in self.drives]} if self.drives else {}),
            # Only where some delay is not 0, for the same reason.
            **({"delay": dict(cast(dict[str, float], self.delay))} if any(self.delays) else {}),
        }
