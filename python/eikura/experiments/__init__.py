"""The experiments users reproduce, each a function that writes data and figures.

* :func:`time_series` - ``r_E``, ``r_I`` and ``r`` in the desynchronized, bistable and
  synchronized states, with the classifier's labels and the mean-field levels, plus a
  small network that switches between the two states of the bistable region by itself.
* :func:`phase_diagram` - simulated state labels over two couplings (default
  ``K_EE`` x ``K_II``) next to the mean-field labels and bifurcation curves.
* :func:`modulation` - inhibition (``K_EI`` and ``K_II``) scaled by a slow sinusoid:
  the network passes synchronized -> bistable -> desynchronized and back, compared with
  the theory's label of the instantaneous couplings and with the mean-field (reduced)
  equations driven by the same schedules.
* :func:`switching_rate` - how often a small network in the bistable region switches,
  against its size ``N``.

Every experiment returns an :class:`ExperimentResult` and, given ``out``, writes its data
as NetCDF (configuration and eikura version in the attributes) and its figure as PNG and
PDF. :func:`eikura.report.reproduce` runs them all and writes a Markdown report.

All simulations use all-to-all coupling (the O(N) mean-field path) and "regular"
Lorentzian frequencies (deterministic quantiles, no sampling noise) unless told
otherwise, because that is where the Ott-Antonsen theory is exact as ``N -> inf``.
"""

from __future__ import annotations

from ._common import DEFAULT_COUPLINGS, ExperimentResult
from ._modulation import modulation
from ._phase_diagram import phase_diagram
from ._switching_rate import switching_rate
from ._time_series import STATE_POINTS, time_series

__all__ = [
    "DEFAULT_COUPLINGS",
    "STATE_POINTS",
    "ExperimentResult",
    "modulation",
    "phase_diagram",
    "switching_rate",
    "time_series",
]

# The public names live in private modules; they are documented, pickled and doctested
# under the package's name (as before the split into modules).
for _public in (ExperimentResult, time_series, phase_diagram, modulation, switching_rate):
    _public.__module__ = __name__
del _public
