"""The theory's label vocabulary and the rule that turns a set of attractors into a label.

One owner for both, used by the census (one point) and the phase diagram (a grid).

The rule: the label comes from *every* attractor of the mean-field
equations — stable steady states and stable limit cycles:

* ``"other"`` — some attractor is not stationary (a limit cycle: the order parameters
  oscillate), whatever else coexists with it, or nothing is stable at all;
* ``"bistable"`` — stable incoherence and a stable synchronized state, and no cycle;
* ``"synchronized"`` — only synchronized steady states (in-phase, lagged and the mirror
  image of a lagged state all count as synchronized);
* ``"desynchronized"`` — only incoherence.

So the label never says ``"synchronized"`` while incoherence or a limit cycle coexists
with the synchronized state. A cycle next to a synchronized state is ``"other"`` rather
than ``"bistable"`` because that is what a simulation shows: the two-start protocol of
``eikura.classify`` calls a pair of runs ``"other"`` as soon as one of them oscillates,
and ``"bistable"`` is reserved for two *steady* levels. The attractors themselves are
always reported next to the label.

On a bifurcation line incoherence can be marginal (largest growth rate within
``MARGINAL_TOLERANCE`` of 0, which a grid hits exactly where ``det M = 0`` or
``tr M = 0``): it then counts as unstable next to a stable synchronized state and as
stable otherwise (at a supercritical onset r still decays, algebraically).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..labels import LABELS
from .states import STABILITY_TOLERANCE

__all__ = ["LABELS", "MARGINAL_TOLERANCE", "label_codes"]

# The integer codes are those of every other part of eikura (eikura.labels).
SYNCHRONIZED, DESYNCHRONIZED, BISTABLE, OTHER = (LABELS.index(name) for name in (
    "synchronized", "desynchronized", "bistable", "other"))
MARGINAL_TOLERANCE = 1e-9


def label_codes(
    incoherence_growth: Any, synchronized_stable: Any, oscillating: Any = False
) -> NDArray[np.int8]:
    """Label codes (indices into ``LABELS``), element-wise.

    Parameters
    ----------
    incoherence_growth
        Largest real part of incoherence's eigenvalues.
    synchronized_stable
        Whether some synchronized steady state is stable.
    oscillating
        Whether some attractor is a limit cycle (or otherwise not stationary).
    """
    incoherence_growth = np.asarray(incoherence_growth)
    synchronized_stable = np.asarray(synchronized_stable, dtype=bool)
    oscillating = np.asarray(oscillating, dtype=bool)
    stable = incoherence_growth < -STABILITY_TOLERANCE
    not_unstable = incoherence_growth <= MARGINAL_TOLERANCE
    steady = np.where(
        synchronized_stable,
        np.where(stable, BISTABLE, SYNCHRONIZED),
        np.where(not_unstable, DESYNCHRONIZED, OTHER),
    )
    return np.asarray(np.where(oscillating, OTHER, steady), dtype=np.int8)
