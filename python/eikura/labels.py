"""The state labels: their vocabulary, order, colours and how replicates are combined.

Every part of eikura that names, stores, counts or draws a network state uses these
definitions, so a label has the same integer code, the same colour and the same tie rule
in the classifier, the theory, sweeps, experiments and every figure.

* ``synchronized``: only a synchronized state (in-phase or lagged) is reached.
* ``desynchronized``: only incoherence is reached.
* ``bistable``: both are reached (from different starts, or by switching in one run).
* ``other``: neither verdict holds (e.g. an oscillating order parameter, or unclear data).

Sweeps add ``unavailable`` for the theory's label where the mean-field theory does not
apply (non-Lorentzian frequencies, time-dependent couplings), and store ``""`` (code
:data:`MISSING_CODE`) for points not computed yet.

Examples
--------
>>> from eikura.labels import LABELS, label_codes, label_names, modal_label
>>> label_codes(["bistable", "synchronized"])
array([2, 0], dtype=int8)
>>> label_names([1, 3])
array(['desynchronized', 'other'], dtype='<U14')
>>> str(modal_label(["other", "bistable"]))  # a tie: the first in LABELS order
'bistable'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "LABELS",
    "UNAVAILABLE",
    "MISSING",
    "MISSING_CODE",
    "STORED_LABELS",
    "LABEL_COLORS",
    "label_codes",
    "label_names",
    "modal_label",
    "label_colormap",
]

LABELS: tuple[str, ...] = ("synchronized", "desynchronized", "bistable", "other")
"""The four states, in the order of their integer codes 0, 1, 2, 3."""

UNAVAILABLE = "unavailable"
"""The theory's label where the mean-field theory does not apply (sweeps, code 4)."""

MISSING = ""
"""A label not computed yet (unfinished sweep points)."""

MISSING_CODE = -1

STORED_LABELS: tuple[str, ...] = (*LABELS, UNAVAILABLE)
"""Labels with an integer code: the four states, then ``unavailable``."""

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies and in
# grey-scale print (vermillion and blue differ in lightness).
LABEL_COLORS: dict[str, str] = {
    "synchronized": "#D55E00",
    "desynchronized": "#0072B2",
    "bistable": "#009E73",
    "other": "#999999",
    UNAVAILABLE: "#DDDDDD",
    MISSING: "#FFFFFF",
}


def label_codes(labels: ArrayLike) -> NDArray[np.int8]:
    """Integer codes (index in :data:`STORED_LABELS`; ``MISSING_CODE`` for ``""``)."""
    names = np.asarray(labels, dtype=str)
    codes = np.full(names.shape, MISSING_CODE, dtype=np.int8)
    for code, name in enumerate(STORED_LABELS):
        codes[names == name] = code
    unknown = (codes == MISSING_CODE) & (names != MISSING)
    if np.any(unknown):
        raise ValueError(f"labels: unknown label {names[unknown].flat[0]!r}; expected one of "
                         f"{STORED_LABELS}")
    return codes


def label_names(codes: ArrayLike) -> NDArray[np.str_]:
    """Label strings from integer codes (``""`` for ``MISSING_CODE``)."""
    names = np.array((*STORED_LABELS, MISSING))
    values = np.asarray(codes, dtype=int)
    return names[np.where(values < 0, len(STORED_LABELS), values)]


def modal_label(labels: ArrayLike, axis: int = -1) -> NDArray[np.str_]:
    """The most frequent label along ``axis`` (replicates); ties go to the label that
    comes first in :data:`STORED_LABELS`; ``""`` where nothing is labelled yet."""
    values = np.moveaxis(np.asarray(labels, dtype=str), axis, -1)
    out = np.full(values.shape[:-1], MISSING, dtype=object)
    best = np.zeros(values.shape[:-1], dtype=int)
    for name in STORED_LABELS:
        count = np.sum(values == name, axis=-1)
        better = count > best
        out[better] = name
        best = np.maximum(best, count)
    return out.astype(str)


def label_colormap(names: Sequence[str] = (*STORED_LABELS, MISSING)) -> Any:
    """A matplotlib colormap whose colour ``k`` is that of ``names[k]``."""
    from matplotlib.colors import ListedColormap

    return ListedColormap([LABEL_COLORS[name] for name in names])
