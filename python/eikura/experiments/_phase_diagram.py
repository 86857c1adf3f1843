"""Experiment 2: simulated state labels over two couplings, next to the theory."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import theory
from .._validation import check_choice, check_finite_array, check_int, check_positive, check_seed
from ..labels import LABEL_COLORS, LABELS, label_codes, label_colormap, modal_label
from ..model import COUPLINGS
from ._common import (
    DEFAULT_COUPLINGS,
    ExperimentResult,
    check_couplings,
    check_size,
    coupling_symbol,
    dataset_attrs,
    experiment_model,
    finish,
    output_folder,
    pyplot,
)

__all__ = ["phase_diagram"]

def phase_diagram(
    x: str = "k_ee",
    x_values: ArrayLike | None = None,
    y: str = "k_ii",
    y_values: ArrayLike | None = None,
    *,
    n: int = 2000,
    couplings: Mapping[str, float] | None = None,
    width: float = 1.0,
    t_max: float = 200.0,
    dt: float = 0.1,
    two_start: bool = True,
    replicates: int = 1,
    seed: int = 1,
    scheduler: Any = "serial",
    store: str | os.PathLike[str] | None = None,
    threads: int | None = None,
    theory_resolution: int = 201,
    out: str | os.PathLike[str] | None = None,
) -> ExperimentResult:
    """Experiment 2: simulated state labels over two couplings, next to the theory.

    Every grid point runs with :func:`eikura.sweep` (all-to-all, ``n`` oscillators,
    regular Lorentzian frequencies) from random phases and, with ``two_start``, from
    synchronized phases, and is labelled by :func:`eikura.classify`. The mean-field
    labels (:func:`eikura.theory.phase_diagram` on a fine grid) are the background of the
    second panel; the bifurcation curves (:func:`eikura.theory.boundaries`) are drawn on
    both.

    Parameters
    ----------
    x, y : str
        The two couplings on the axes (``"k_ee"``, ``"k_ei"``, ``"k_ie"``, ``"k_ii"``).
    x_values, y_values : array_like, optional
        Grid values; default 15 values of ``K_EE`` in [3, 7] and of ``K_II`` in [0, 4]
        (for other axes: 15 values in [0, 2 x default]).
    n : int, default 2000
        Oscillators per simulation.
    couplings : mapping, optional
        Values of the two couplings not on an axis (default :data:`DEFAULT_COUPLINGS`,
        ``k_ee = 4.6``).
    width : float, default 1
        Lorentzian half-width.
    t_max, dt : float
        Duration and RK4 step of each run; the first 30 % is dropped as transient.
    two_start : bool, default True
        Also run from synchronized phases (needed to see bistability at large ``n``).
    replicates : int, default 1
        Runs per point with different seeds (the label shown is the most frequent).
    seed : int
        Seed of the first replicate.
    scheduler : default "serial"
        Passed to :func:`eikura.sweep` (``None`` starts a local Dask cluster).
    store : path, optional
        Zarr store of the sweep (resumable); default: kept in memory.
    threads : int, optional
        Threads per sweep task.
    theory_resolution : int, default 201
        Points per axis of the fine theory grid.
    out : path, optional
        Folder for ``phase_diagram.nc`` and ``phase_diagram.png``/``.pdf``.

    Returns
    -------
    ExperimentResult
        ``summary`` has the agreement of simulated and theoretical labels (fraction of
        points), the confusion counts, and for every disagreeing point its distance (in
        units of ``x``) to the nearest theoretical boundary along ``x`` and whether the
        mean-field equations started near incoherence oscillate there (``limit_cycle``:
        a stable limit cycle next to the stable steady state that the theory's label is
        based on).

    Examples
    --------
    >>> from eikura.experiments import phase_diagram
    >>> result = phase_diagram(x_values=[3.0, 6.0], y_values=[2.0], n=500, t_max=60.0)
    >>> result.summary["simulated"]
    [['desynchronized', 'synchronized']]
    """
    from ..sweep import sweep

    started = time.perf_counter()
    x = check_choice("x", x, COUPLINGS)
    y = check_choice("y", y, COUPLINGS)
    if x == y:
        raise ValueError(f"y: must differ from x ({x!r})")
    fixed: dict[str, Any] = {"k_ee": 4.6, **DEFAULT_COUPLINGS}
    if couplings is not None:
        if not isinstance(couplings, Mapping):
            raise TypeError("couplings: expected a mapping {name: value}")
        unknown = set(couplings) - set(COUPLINGS)
        if unknown:
            raise ValueError(f"couplings: unknown coupling {sorted(unknown)[0]!r}")
        fixed.update(check_couplings(couplings, couplings.keys()))
    for name in (x, y):
        fixed.pop(name, None)
    x_grid = _axis_values("x_values", x_values, x)
    y_grid = _axis_values("y_values", y_values, y)
    n = check_size("n", n)
    width = check_positive("width", width)
    t_max = check_positive("t_max", t_max)
    dt = check_positive("dt", dt)
    replicates = check_int("replicates", replicates, minimum=1)
    seed = check_seed("seed", seed)
    theory_resolution = check_int("theory_resolution", theory_resolution, minimum=2,
                                  maximum=2000)
    folder = output_folder(out)
    if not isinstance(two_start, bool):
        raise TypeError("two_start: expected True or False")

    start_value = {name: (x_grid[0] if name == x else y_grid[0]) for name in (x, y)}
    model = experiment_model(n, {**fixed, **start_value}, width)
    simulated = sweep(model, over={y: y_grid, x: x_grid}, t_max=t_max, dt=dt, seed=seed,
                      replicates=replicates, store=store, scheduler=scheduler,
                      two_start=two_start, transient=0.3 * t_max, threads=threads,
                      progress=False, method="rk4")
    labels = modal_label(simulated["label"].transpose(y, x, "replicate").values)

    fine_x = np.linspace(x_grid.min(), x_grid.max(), theory_resolution)
    fine_y = np.linspace(y_grid.min(), y_grid.max(), theory_resolution)
    widths: dict[str, Any] = {"width_e": width, "width_i": width}
    fine = theory.phase_diagram(x, fine_x, y, fine_y, **fixed, **widths)
    coarse = theory.phase_diagram(x, x_grid, y, y_grid, **fixed, **widths)
    at_points = theory.label_names(coarse).values
    curves = theory.boundaries(x, fine_x, y, **fixed, **widths).curves()

    def swing(x_value: float, y_value: float) -> float:
        couplings_here = {**fixed, x: x_value, y: y_value}
        return _mean_field_swing(couplings_here, width)

    agreement = _label_agreement(labels, at_points, x_grid, y_grid, fine, swing)
    config = {"x": x, "x_values": x_grid, "y": y, "y_values": y_grid, "fixed": fixed, "n": n,
              "width": width, "t_max": t_max, "dt": dt, "method": "rk4",
              "transient": 0.3 * t_max, "two_start": two_start, "replicates": replicates,
              "seed": seed, "network": "all-to-all", "frequencies": "regular Lorentzian",
              "store": None if store is None else str(store)}
    dataset = _phase_dataset(simulated, labels, at_points, fine, curves, x, y, x_grid, y_grid,
                             config)
    summary = {"x": x, "y": y, "x_values": x_grid.tolist(), "y_values": y_grid.tolist(),
               "simulated": labels.tolist(), "theory": at_points.tolist(), "n": n,
               "t_max": t_max, "two_start": two_start, **agreement}
    figure = _plot_phase_diagram(labels, at_points, fine, curves, x, y, x_grid, y_grid, config)
    return finish("phase_diagram", dataset, summary, figure, folder, started)


def _axis_values(name: str, values: Any, axis: str) -> NDArray[np.float64]:
    if values is None:
        default = {"k_ee": (3.0, 7.0), "k_ii": (0.0, 4.0)}.get(
            axis, (0.0, 2.0 * DEFAULT_COUPLINGS.get(axis, 4.6)))
        return np.linspace(*default, 15)
    array = check_finite_array(name, values, ndim=1)
    if array.size == 0:
        raise ValueError(f"{name}: must not be empty")
    if np.any(array < 0):
        raise ValueError(f"{name}: coupling strengths must be >= 0, got {float(array.min())}")
    if np.any(np.diff(array) <= 0):
        raise ValueError(f"{name}: must be strictly increasing")
    return array


def _mean_field_swing(couplings: Mapping[str, float], width: float) -> float:
    """Late swing (max - min) of r_E of the mean-field equations started near incoherence.

    The theory's labels already count the limit cycles that its cycle search finds (a
    cycle makes a point "other"); this run from near incoherence is an independent check
    that tells a disagreement caused by a cycle from one at a boundary.
    """
    run = theory.integrate_reduced(couplings["k_ee"], couplings["k_ei"], couplings["k_ie"],
                                   couplings["k_ii"], width, width, t_max=400.0, dt=0.02,
                                   record_every=10,
                                   z0=(0.01, 0.01 * complex(math.cos(0.3), math.sin(0.3))))
    late = run.r_e[run.t >= 200.0]
    return float(late.max() - late.min())


def _label_agreement(labels: NDArray[np.str_], theory_labels: NDArray[np.str_],
                     x_grid: NDArray[np.float64], y_grid: NDArray[np.float64],
                     fine: Any, swing: Callable[[float, float], float] | None = None
                     ) -> dict[str, Any]:
    """Fraction of agreeing points; distance of each disagreement to the nearest boundary.

    With ``swing``, every disagreement also gets the swing of the mean-field equations
    started near incoherence (``mean_field_swing``): above 0.05 they oscillate, and where
    the theory's label is not "other" the point has a stable limit cycle that the
    steady-state label does not see (``limit_cycle``).
    """
    fine_labels = theory.label_names(fine).values
    fine_x = np.asarray(fine[fine.dims[1]].values, dtype=float)
    fine_y = np.asarray(fine[fine.dims[0]].values, dtype=float)
    agree = labels == theory_labels
    disagreements: list[dict[str, Any]] = []
    for iy, ix in zip(*np.nonzero(~agree), strict=True):
        row = fine_labels[int(np.argmin(np.abs(fine_y - y_grid[iy])))]
        changes = fine_x[1:][row[1:] != row[:-1]]
        distance = float(np.min(np.abs(changes - x_grid[ix]))) if changes.size else math.inf
        oscillation = math.nan if swing is None else swing(float(x_grid[ix]), float(y_grid[iy]))
        disagreements.append({"x": float(x_grid[ix]), "y": float(y_grid[iy]),
                              "simulated": str(labels[iy, ix]),
                              "theory": str(theory_labels[iy, ix]),
                              "distance_to_boundary": distance,
                              "mean_field_swing": oscillation,
                              "limit_cycle": bool(oscillation > 0.05
                                                  and theory_labels[iy, ix] != "other")})
    confusion: dict[str, dict[str, int]] = {}
    for sim, th in zip(labels.ravel(), theory_labels.ravel(), strict=True):
        confusion.setdefault(str(th), {}).setdefault(str(sim), 0)
        confusion[str(th)][str(sim)] += 1
    spacing = float(np.median(np.diff(x_grid))) if x_grid.size > 1 else math.nan
    distances = [float(d["distance_to_boundary"]) for d in disagreements
                 if not d["limit_cycle"]]
    return {
        "agreement": float(agree.mean()),
        "n_points": int(agree.size),
        "n_disagree": int((~agree).sum()),
        "n_limit_cycle": sum(d["limit_cycle"] for d in disagreements),
        "confusion": confusion,
        "disagreements": disagreements,
        "max_distance_to_boundary": max(distances) if distances else 0.0,
        "grid_spacing_x": spacing,
    }


def _phase_dataset(simulated: Any, labels: NDArray[np.str_], at_points: NDArray[np.str_],
                   fine: Any, curves: Mapping[str, NDArray[np.float64]], x: str, y: str,
                   x_grid: NDArray[np.float64], y_grid: NDArray[np.float64],
                   config: Mapping[str, Any]) -> Any:
    import xarray as xr

    data: dict[str, Any] = {
        "label": ((y, x), labels.astype("U14"), {"long_name": "simulated state (most frequent)"}),
        "theory_label": ((y, x), at_points.astype("U14"), {"long_name": "mean-field state"}),
    }
    keep = [name for name in simulated.data_vars
            if name not in ("label", "theory_label", "stored_at", "done")
            and simulated[name].dtype.kind in "fiub"]
    for name in keep:
        values = simulated[name].transpose(y, x, ...).reset_coords(drop=True)
        data[f"sweep_{name}"] = values.variable
    fine_x_name, fine_y_name = f"{x}_fine", f"{y}_fine"
    data["theory_label_fine"] = ((fine_y_name, fine_x_name), fine.values.astype(np.int8),
                                 {"flag_values": list(range(len(theory.LABELS))),
                                  "flag_meanings": " ".join(theory.LABELS)})
    for name, points in curves.items():
        data[f"boundary_{name}"] = ((f"{name}_point", "xy"), points)
    coords = {y: y_grid, x: x_grid, "replicate": simulated["replicate"].values,
              fine_x_name: fine[fine.dims[1]].values, fine_y_name: fine[fine.dims[0]].values,
              "xy": [x, y]}
    attrs = dataset_attrs("phase_diagram", config, "simulated labels next to the mean-field "
                   "phase diagram")
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _edges(values: NDArray[np.float64]) -> NDArray[np.float64]:
    if values.size == 1:
        return np.array([values[0] - 0.5, values[0] + 0.5])
    middle = (values[1:] + values[:-1]) / 2
    return np.concatenate([[2 * values[0] - middle[0]], middle, [2 * values[-1] - middle[-1]]])

def _plot_phase_diagram(labels: NDArray[np.str_], at_points: NDArray[np.str_], fine: Any,
                        curves: Mapping[str, NDArray[np.float64]], x: str, y: str,
                        x_grid: NDArray[np.float64], y_grid: NDArray[np.float64],
                        config: Mapping[str, Any]) -> Any:
    plt = pyplot()
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    colormap = label_colormap(LABELS)
    # Codes in LABELS order for both panels; the theory's own codes are converted by name.
    codes = label_codes(np.where(np.isin(labels, LABELS), labels, "other"))
    fine_codes = label_codes(theory.label_names(fine.values))
    figure, axes = plt.subplots(1, 2, figsize=(11.5, 4.8), constrained_layout=True)
    axes[0].pcolormesh(_edges(x_grid), _edges(y_grid), codes, cmap=colormap, vmin=-0.5,
                       vmax=3.5, shading="flat")
    fine_x = fine[fine.dims[1]].values
    fine_y = fine[fine.dims[0]].values
    axes[1].pcolormesh(_edges(fine_x), _edges(fine_y), fine_codes, cmap=colormap, vmin=-0.5,
                       vmax=3.5, shading="flat", alpha=0.75)
    wrong = labels != at_points
    yy, xx = np.meshgrid(y_grid, x_grid, indexing="ij")
    axes[1].scatter(xx[~wrong], yy[~wrong], s=9, c="k", marker=".", label="simulation agrees")
    axes[1].scatter(xx[wrong], yy[wrong], s=36,
                    facecolors=[LABEL_COLORS.get(s, "w") for s in labels[wrong]],
                    edgecolors="k", marker="o", linewidths=0.8, label="simulation differs")
    styles = {"incoherence_real": "-", "incoherence_hopf": ":"}
    for axis in axes:
        for name, points in curves.items():
            axis.plot(points[:, 0], points[:, 1], color="k", lw=1.3, ls=styles.get(name, "--"))
        axis.set_xlim(_edges(x_grid)[0], _edges(x_grid)[-1])
        axis.set_ylim(_edges(y_grid)[0], _edges(y_grid)[-1])
        axis.set_xlabel(coupling_symbol(x))
        axis.set_ylabel(coupling_symbol(y))
    starts = "two starts" if config["two_start"] else "random start"
    axes[0].set_title(f"simulation: N = {config['n']}, t = {config['t_max']:g}, {starts}",
                      fontsize=10)
    axes[1].set_title("mean-field theory (dots: simulated points; circles: disagreement)",
                      fontsize=10)
    handles: list[Any] = [Patch(color=LABEL_COLORS[name], label=name) for name in LABELS]
    handles += [Line2D([], [], color="k", ls="-", label="incoherence loses stability"),
                Line2D([], [], color="k", ls="--", label="fold of synchronized branch"),
                Line2D([], [], color="k", ls=":", label="Hopf of incoherence")]
    figure.legend(handles=handles, loc="outside right center", fontsize=8)
    fixed = ", ".join(f"{coupling_symbol(k)} = {v:g}" for k, v in config["fixed"].items())
    figure.suptitle(f"Phase diagram over {coupling_symbol(x)} and {coupling_symbol(y)} ({fixed}, Lorentzian "
                    f"width {config['width']:g})", fontsize=11)
    return figure
