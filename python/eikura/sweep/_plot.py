"""The phase diagram of a 2-D sweep: simulated labels, theory labels and boundaries."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..labels import (
    LABEL_COLORS,
    LABELS,
    MISSING_CODE,
    STORED_LABELS,
    UNAVAILABLE,
    label_codes,
    label_colormap,
    modal_label,
)
from ..model import COUPLINGS
from ._fields import field_symbol
from ._results import load_sweep

__all__ = ["plot_sweep"]

_THEORY_AXES = ("k_ee", "k_ei", "k_ie", "k_ii", "width_e", "width_i", "noise_e", "noise_i")
# Line style of each theory boundary (others: the folds of the synchronized branch).
_CURVE_STYLES = {"incoherence_real": ("k", "-"), "incoherence_hopf": ("k", ":")}
_FOLD_STYLE = ("k", "--")


def _theory_fixed(config: Mapping[str, Any], x: str, y: str) -> dict[str, Any] | None:
    """Fixed theory parameters from the stored model, or None where theory does not apply."""
    model = config["model"]
    if model.get("phase_lag"):  # the boundaries are those of the lag-free model
        return None
    fixed: dict[str, Any] = {}
    for name in COUPLINGS:
        if not isinstance(model[name], (int, float)):
            return None
        fixed[name] = float(model[name])
    frequencies = model["frequencies"]
    pair = frequencies if isinstance(frequencies, list) else [frequencies, frequencies]
    if not all(isinstance(p, dict) and p.get("distribution") == "lorentzian" for p in pair):
        return None
    fixed["width_e"], fixed["width_i"] = float(pair[0]["width"]), float(pair[1]["width"])
    fixed["noise_e"], fixed["noise_i"] = (float(v) for v in model["noise"])
    for name in (x, y):
        fixed.pop(name, None)
    return fixed


def _edges(values: NDArray[np.float64]) -> NDArray[np.float64]:
    if values.size == 1:
        return np.array([values[0] - 0.5, values[0] + 0.5])
    middle = (values[1:] + values[:-1]) / 2
    return np.concatenate([[2 * values[0] - middle[0]], middle, [2 * values[-1] - middle[-1]]])


def _theory_curves(config: Mapping[str, Any], x: str, y: str,
                   x_values: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
    if x not in _THEORY_AXES or y not in _THEORY_AXES:
        return {}
    fixed = _theory_fixed(config, x, y)
    if fixed is None:
        return {}
    try:
        from ..theory import boundaries
    except ImportError:
        return {}
    fine = np.linspace(x_values.min(), x_values.max(), 200)
    try:
        found = boundaries(x, fine, y, **fixed)
    except Exception as error:  # a figure without curves beats no figure
        warnings.warn(f"plot_sweep: theory boundaries failed ({error})", RuntimeWarning,
                      stacklevel=3)
        return {}
    return {name: points for name, points in found.curves().items()
            if np.any(np.isfinite(points[:, 1]))}


def _axis_fields(config: Mapping[str, Any], x: str | None,
                 y: str | None) -> tuple[str, str, dict[str, int]]:
    """The fields on the axes (default: the first two swept with several values) and the
    index shown of every other field."""
    if config.get("kind") != "grid":
        raise ValueError("source: plotting needs a grid sweep (over={field: values}), not a list")
    swept = [name for name in config["fields"] if len(config["values"][name]) > 1]
    remaining = [name for name in swept if name not in (x, y)]
    if x is None:
        x = remaining.pop(0) if remaining else None
    if y is None:
        y = remaining.pop(0) if remaining else None
    if x is None or y is None:
        raise ValueError(f"x, y: a phase diagram needs two swept fields with several values; "
                         f"this sweep has {swept}")
    for name, axis in (("x", x), ("y", y)):
        if axis not in config["fields"]:
            raise ValueError(f"{name}: {axis!r} is not a swept field "
                             f"({', '.join(config['fields'])})")
    others = [name for name in config["fields"] if name not in (x, y)]
    if any(len(config["values"][name]) > 1 for name in others):
        warnings.warn(f"plot_sweep: showing the first value of {others}", UserWarning, stacklevel=3)
    return x, y, dict.fromkeys(others, 0)


def _title(config: Mapping[str, Any], x: str, y: str) -> str:
    model = config["model"]
    run = config["run"]
    fixed = ", ".join(f"{field_symbol(name)} = {model[name]:g}" for name in COUPLINGS
                      if name not in (x, y) and isinstance(model[name], (int, float)))
    return (f"N = {model['n_e'] + model['n_i']}{', ' + fixed if fixed else ''}; "
            f"t_max = {run['t_max']:g}, dt = {run['dt']:g}, "
            f"{'two starts' if run['two_start'] else 'random start'}, "
            f"replicates = {config['replicates']}")


def _legend_handles(curves: Mapping[str, Any]) -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [Patch(color=LABEL_COLORS[name], label=name) for name in LABELS]
    if curves:
        handles += [Line2D([], [], color="k", linestyle="-", label="incoherence loses stability"),
                    Line2D([], [], color="k", linestyle="--", label="fold of synchronized branch")]
        if "incoherence_hopf" in curves:
            handles.append(Line2D([], [], color="k", linestyle=":", label="Hopf of incoherence"))
    return handles


def _save(figure: Any, out: str | os.PathLike[str]) -> None:
    """``out``.png and ``out``.pdf (a suffix .png or .pdf of ``out`` is replaced)."""
    base = Path(os.fspath(out))
    base = base.with_suffix("") if base.suffix in (".png", ".pdf") else base
    figure.savefig(base.with_name(base.name + ".png"), dpi=150)
    figure.savefig(base.with_name(base.name + ".pdf"))


def plot_sweep(source: Any, x: str | None = None, y: str | None = None,
               out: str | os.PathLike[str] | None = None, *, theory: bool = True) -> Any:
    """Draw the phase diagram of a 2-D sweep: simulated labels and theory boundaries.

    Parameters
    ----------
    source
        A dataset returned by :func:`sweep` / :func:`load_sweep`, or a store path.
    x, y
        The swept fields on the axes (default: the first and second grid fields with
        more than one value).
    out
        Write the figure to ``out`` with suffixes ``.png`` and ``.pdf`` (any suffix of
        ``out`` is replaced).
    theory
        Overlay ``eikura.theory.boundaries`` (where the theory applies and is installed)
        and show the theory's labels in a second panel.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import eikura as ek
    >>> from eikura.sweep import plot_sweep
    >>> model = ek.EIKuramoto(n_e=80, n_i=20, k_ei=1.0, k_ie=12.0)
    >>> ds = ek.sweep(model, over={"k_ee": [2.0, 9.0], "k_ii": [0.0, 2.0]}, t_max=10.0,
    ...               dt=0.05, scheduler="serial")
    >>> figure = plot_sweep(ds)
    >>> len(figure.axes)
    2
    """
    import matplotlib.pyplot as plt

    dataset = load_sweep(source) if isinstance(source, (str, os.PathLike)) else source
    config = json.loads(dataset.attrs["config"])
    x, y, selection = _axis_fields(config, x, y)

    colormap = label_colormap()  # colour k: STORED_LABELS[k], then the missing label
    x_values = np.asarray(dataset[x].values, dtype=float)
    y_values = np.asarray(dataset[y].values, dtype=float)

    def colors(variable: str) -> NDArray[np.int8]:
        """Colour index of the most frequent label over replicates at every point."""
        labels = dataset[variable].isel(selection).transpose(y, x, "replicate")
        codes = label_codes(modal_label(labels.values))
        return np.where(codes == MISSING_CODE, len(STORED_LABELS), codes).astype(np.int8)

    panels = [("label", "simulation")]
    has_theory = "theory_label" in dataset and bool(
        np.any(dataset["theory_label"].values != UNAVAILABLE))
    if theory and has_theory:
        panels.append(("theory_label", "mean-field theory"))
    figure, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels) + 1.5, 4.6),
                                squeeze=False, constrained_layout=True)
    curves = _theory_curves(config, x, y, x_values) if theory else {}
    for axis, (variable, title) in zip(axes[0], panels, strict=True):
        axis.pcolormesh(_edges(x_values), _edges(y_values), colors(variable), cmap=colormap,
                        vmin=-0.5, vmax=colormap.N - 0.5, shading="flat")
        for curve_name, points in curves.items():
            color, linestyle = _CURVE_STYLES.get(curve_name, _FOLD_STYLE)
            axis.plot(points[:, 0], points[:, 1], color=color, linestyle=linestyle, linewidth=1.4)
        axis.set_xlim(_edges(x_values)[0], _edges(x_values)[-1])
        axis.set_ylim(_edges(y_values)[0], _edges(y_values)[-1])
        axis.set_xlabel(field_symbol(x))
        axis.set_ylabel(field_symbol(y))
        axis.set_title(title)
    figure.suptitle(_title(config, x, y), fontsize=10)
    figure.legend(handles=_legend_handles(curves), loc="outside right center", fontsize=8)
    if out is not None:
        _save(figure, out)
    return figure
