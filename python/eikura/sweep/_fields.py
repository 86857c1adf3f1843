"""The fields a sweep varies: their names, their values, and a model with them set."""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..distributions import Lorentzian
from ..model import COUPLINGS, EIKuramoto
from ..networks import AllToAll, Graph

__all__ = ["INTEGER_FIELDS", "check_field_names", "check_model", "field_symbol", "field_values",
           "lorentzian_pair", "sweep_fields", "with_fields"]

SIZE_FIELDS = ("n", "n_e", "n_i")
NOISE_FIELDS = ("noise", "noise_e", "noise_i")
WIDTH_FIELDS = ("width", "width_e", "width_i")
LAG_FIELDS = ("phase_lag", "phase_lag.ee", "phase_lag.ei", "phase_lag.ie", "phase_lag.ii")
DELAY_FIELDS = ("delay", "delay.ee", "delay.ei", "delay.ie", "delay.ii")
INTEGER_FIELDS = ("n", "n_e", "n_i", "seed")
_CONFLICTS = (("n", "n_e"), ("n", "n_i"), ("noise", "noise_e"), ("noise", "noise_i"),
              ("width", "width_e"), ("width", "width_i"),
              *(("phase_lag", name) for name in LAG_FIELDS[1:]),
              *(("delay", name) for name in DELAY_FIELDS[1:]))
_NETWORK = "network."
_DRIVE = "drive."
DRIVE_PARAMETERS = ("amplitude", "frequency", "phase")
# Mathtext of the fields on a figure's axes: the model's symbols (N, K_XY, D_X, Δ_X).
_SYMBOLS = {"n": "$N$", "n_e": "$N_E$", "n_i": "$N_I$", "noise": "$D$", "noise_e": "$D_E$",
            "noise_i": "$D_I$", "width": r"$\Delta$", "width_e": r"$\Delta_E$",
            "width_i": r"$\Delta_I$", "phase_lag": r"$\alpha$",
            **{f"phase_lag.{b}": f"$\\alpha_{{{b.upper()}}}$" for b in ("ee", "ei", "ie", "ii")},
            "delay": r"$\tau$",
            **{f"delay.{b}": f"$\\tau_{{{b.upper()}}}$" for b in ("ee", "ei", "ie", "ii")},
            **{name: f"$K_{{{name[2:].upper()}}}$" for name in COUPLINGS},
            "drive.amplitude": "$F$", "drive.frequency": r"$\Omega$", "drive.phase": r"$\varphi$"}


def check_model(model: object) -> EIKuramoto:
    """``model`` if it is an :class:`eikura.EIKuramoto`."""
    if not isinstance(model, EIKuramoto):
        raise TypeError(f"model: expected an eikura.EIKuramoto, got {type(model).__name__}")
    return model


def field_symbol(name: str) -> str:
    """The symbol of field ``name`` for a figure (``"$K_{EE}$"`` for ``k_ee``), or the name
    itself where the field has none (``seed``, ``network.<parameter>``)."""
    return _SYMBOLS.get(name, name)


def _network_field_names(model: EIKuramoto) -> list[str]:
    network: object = model.network  # the Network protocol says nothing of dataclasses
    if isinstance(network, (AllToAll, Graph)) or not dataclasses.is_dataclass(network):
        return []
    return [f"{_NETWORK}{f.name}" for f in dataclasses.fields(network)
            if f.init and f.name != "self_connections"]


def _drive_field_names(model: EIKuramoto) -> list[str]:
    """``drive.amplitude`` ... for one drive; ``drive.<k>.amplitude`` ... for several."""
    drives = model.drives
    if len(drives) == 1:
        return [f"{_DRIVE}{parameter}" for parameter in DRIVE_PARAMETERS]
    return [f"{_DRIVE}{k}.{parameter}" for k in range(len(drives))
            for parameter in DRIVE_PARAMETERS]


def sweep_fields(model: EIKuramoto) -> tuple[str, ...]:
    """The configuration fields a sweep of ``model`` can vary.

    Couplings ``k_ee, k_ei, k_ie, k_ii``; sizes ``n`` (scales ``n_e`` and ``n_i`` keeping
    the excitatory fraction), ``n_e``, ``n_i``; noise ``noise`` (both populations),
    ``noise_e``, ``noise_i``; Lorentzian half-widths ``width`` (both), ``width_e``,
    ``width_i``; phase lags ``phase_lag`` (all four blocks), ``phase_lag.ee``,
    ``phase_lag.ei``, ``phase_lag.ie``, ``phase_lag.ii``; transmission delays ``delay``
    (all four blocks), ``delay.ee``, ``delay.ei``, ``delay.ie``, ``delay.ii``;
    for a model with one external drive ``drive.amplitude``, ``drive.frequency``,
    ``drive.phase`` (with several, ``drive.<k>.amplitude`` ... for drive ``k``);
    ``network.<parameter>`` of a
    random network (e.g. ``network.k_e``, ``network.p``, ``network.seed``); and ``seed``
    (the run seed, for replicates).

    Examples
    --------
    >>> import eikura as ek
    >>> from eikura.sweep import sweep_fields
    >>> model = ek.EIKuramoto(n_e=80, n_i=20, network=ek.FixedInDegree(k_e=8, k_i=2))
    >>> sweep_fields(model)[-3:]
    ('network.k_ie', 'network.k_ii', 'network.seed')
    """
    model = check_model(model)
    return (*COUPLINGS, *SIZE_FIELDS, *NOISE_FIELDS, *WIDTH_FIELDS, *LAG_FIELDS, *DELAY_FIELDS, "seed",
            *_drive_field_names(model), *_network_field_names(model))


def lorentzian_pair(model: EIKuramoto, field_name: str) -> tuple[Lorentzian, Lorentzian]:
    """The model's (E, I) Lorentzian frequency distributions, which ``field_name`` changes."""
    frequencies = model.frequencies
    pair = frequencies if isinstance(frequencies, tuple) else (frequencies, frequencies)
    if not (isinstance(pair[0], Lorentzian) and isinstance(pair[1], Lorentzian)):
        described = "an array" if isinstance(frequencies, np.ndarray) else repr(frequencies)
        raise ValueError(
            f"over: {field_name!r} sets the half-width of Lorentzian frequencies, but the "
            f"model's frequencies are {described}"
        )
    return pair[0], pair[1]


def check_field_names(model: EIKuramoto, names: Sequence[str]) -> None:
    """Every name a field of ``model`` (:func:`sweep_fields`), no two setting one value."""
    valid = sweep_fields(model)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"over: field names must be strings, got {name!r}")
        if name == "replicate":
            raise ValueError("over: 'replicate' is not a field; use replicates=<count>")
        if name not in valid:
            hint = ""
            if name.startswith(_NETWORK) and not _network_field_names(model):
                hint = (f" (the model's network, {type(model.network).__name__}, has no "
                        "parameters to sweep)")
            raise ValueError(
                f"over: unknown field {name!r}{hint}; valid fields for this model: "
                f"{', '.join(valid)}"
            )
    for first, second in _CONFLICTS:
        if first in names and second in names:
            raise ValueError(f"over: {first!r} and {second!r} both set {second}; sweep only one")
    if any(name in WIDTH_FIELDS for name in names):
        lorentzian_pair(model, next(name for name in names if name in WIDTH_FIELDS))
    if any(name in SIZE_FIELDS for name in names) and isinstance(model.network, Graph):
        raise ValueError("over: the size of a model with a user-supplied ek.Graph cannot be swept")


def _is_integer_field(name: str) -> bool:
    """Sizes and seeds, and every network parameter but probabilities (``p``, ``p_*``)."""
    if name in INTEGER_FIELDS:
        return True
    parameter = name[len(_NETWORK):]
    return name.startswith(_NETWORK) and parameter != "p" and not parameter.startswith("p_")


def field_values(name: str, values: Any) -> NDArray[Any]:
    """The values of field ``name`` as a checked 1-D array (integers where the field is)."""
    label = f"over[{name!r}]"
    if isinstance(values, (str, bytes, Mapping)) or np.ndim(values) == 0:
        raise TypeError(
            f"{label}: expected a 1-D sequence of values, got {type(values).__name__} "
            "(put fixed values in the model)"
        )
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{label}: expected a 1-D sequence of values, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{label}: empty grid; give at least one value")
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{label}: expected numbers, got dtype {array.dtype}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{label}: contains NaN or infinite values")
    if not _is_integer_field(name):
        return array.astype(np.float64)
    if array.dtype.kind == "f" and not np.all(array == np.round(array)):
        raise ValueError(f"{label}: expected integers, got {array.tolist()}")
    return array.astype(np.uint64 if name == "seed" else np.int64)


def _noise_change(model: EIKuramoto, values: Mapping[str, Any]) -> tuple[float, float] | None:
    """The (D_E, D_I) pair the noise fields set, or None where it is unchanged."""
    noise = list(model.noise)  # type: ignore[arg-type]
    for name, value in values.items():
        if name in ("noise", "noise_e"):
            noise[0] = float(value)
        if name in ("noise", "noise_i"):
            noise[1] = float(value)
    if noise == list(model.noise):  # type: ignore[arg-type]
        return None
    return noise[0], noise[1]


def _frequencies_change(model: EIKuramoto,
                        values: Mapping[str, Any]) -> tuple[Lorentzian, Lorentzian] | None:
    """The (E, I) Lorentzians with the widths the width fields set, or None without any."""
    widths: list[float] | None = None
    for name, value in values.items():
        if name not in WIDTH_FIELDS:
            continue
        if widths is None:
            widths = [part.width for part in lorentzian_pair(model, name)]
        if name in ("width", "width_e"):
            widths[0] = float(value)
        if name in ("width", "width_i"):
            widths[1] = float(value)
    if widths is None:
        return None
    for_e, for_i = lorentzian_pair(model, "width")
    return (dataclasses.replace(for_e, width=widths[0]),
            dataclasses.replace(for_i, width=widths[1]))


def _drives_change(model: EIKuramoto, values: Mapping[str, Any]) -> list[Any] | None:
    """The model's drives with the drive fields set, or None without any."""
    fields = {name: value for name, value in values.items() if name.startswith(_DRIVE)}
    if not fields:
        return None
    drives = list(model.drives)
    for name, value in fields.items():
        *index, parameter = name[len(_DRIVE):].split(".")
        k = int(index[0]) if index else 0
        drives[k] = dataclasses.replace(drives[k], **{parameter: float(value)})
    return drives


def with_fields(model: EIKuramoto, values: Mapping[str, Any]) -> EIKuramoto:
    """``model`` with the swept fields set (validated by the model itself)."""
    changes: dict[str, Any] = {}
    network_changes: dict[str, Any] = {}
    for name, value in values.items():
        if name in COUPLINGS:
            changes[name] = float(value)
        elif name in ("n_e", "n_i"):
            changes[name] = int(value)
        elif name == "n":
            total = int(value)
            n_e = int(round(total * int(model.n_e) / model.n))  # type: ignore[arg-type]
            changes["n_e"], changes["n_i"] = n_e, total - n_e
        elif name.startswith(_NETWORK):
            is_integer = isinstance(value, (numbers.Integral, np.integer))
            network_changes[name[len(_NETWORK):]] = int(value) if is_integer else float(value)
    noise = _noise_change(model, {k: v for k, v in values.items() if k in NOISE_FIELDS})
    if noise is not None:
        changes["noise"] = noise
    for parameter, fields, current in (("phase_lag", LAG_FIELDS, model.phase_lags),
                                       ("delay", DELAY_FIELDS, model.delays)):
        blocks = dict(zip(("ee", "ei", "ie", "ii"), current, strict=True))
        for name, value in values.items():
            if name == parameter:
                blocks = dict.fromkeys(blocks, float(value))
            elif name in fields:
                blocks[name.split(".")[1]] = float(value)
        if any(name in fields for name in values):
            changes[parameter] = blocks
    drives = _drives_change(model, values)
    if drives is not None:
        changes["drive"] = drives
    frequencies = _frequencies_change(model, values)
    if frequencies is not None:
        changes["frequencies"] = frequencies
    if network_changes:
        network: Any = model.network  # a dataclass: network fields exist only for those
        changes["network"] = dataclasses.replace(network, **network_changes)
    return model.with_changes(**changes) if changes else model
