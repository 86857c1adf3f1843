"""Mean-field theory of the EI-Kuramoto model.

For Lorentzian natural frequencies and ``N → ∞`` the Ott–Antonsen equations

    dz_X/dt = (iω_X − Δ_X) z_X + ½ (H_X − conj(H_X) z_X²),   H_X = K_XE z_E − K_XI z_I

are exact. This subpackage finds *every* steady state (incoherent, in-phase, lagged)
with its stability and every stable limit cycle (``attractors``), labels parameter
points as synchronized / desynchronized / bistable / other from that full set of
attractors, draws phase diagrams and bifurcation curves, integrates the mean-field
equations in time (with constant or scheduled couplings), and predicts how long a finite
network dwells in each state of a bistable point (``switching_rates``). Phase lags and
transmission delays (``phase_lag=``, ``delay=``) enter the steady states, the stability of
incoherence (:func:`incoherence_roots`) and the integration.

Noise (``noise_e``, ``noise_i``): the default ``"fokker-planck"`` treatment is exact for
Lorentzian frequencies (Fourier hierarchy of the phase density averaged over the
Lorentzian by residues); ``"quick"`` replaces Δ by Δ + D in the Ott–Antonsen equations,
an approximation. Every result says which treatment it used.

Examples
--------
>>> import eikura as ek
>>> ek.theory.classify(k_ee=8.5, k_ei=3.0, k_ie=20.0, k_ii=6.0)
'bistable'
>>> [(s.kind, round(s.r_e, 3), s.stable) for s in ek.theory.steady_states(8.5, 3.0, 20.0, 6.0)]
[('incoherent', 0.0, True), ('in-phase', 0.774, True), ('in-phase', 0.316, False)]
"""

from __future__ import annotations

from ._chimeras import ChimeraBoundaries, chimera_boundaries, chimera_parameters
from ._entrainment import EntrainmentRegion, entrainment_region
from ._params import NOISE_FOKKER_PLANCK, NOISE_NONE, NOISE_QUICK
from .bifurcation import (
    BifurcationCurves,
    BifurcationDiagram,
    bifurcation_curves,
    bifurcation_diagram,
    plot_bifurcation_diagram,
)
from .census import Attractor, Census, LimitCycle, attractors
from .delays import CharacteristicRoots, incoherence_roots
from .diagram import (
    LABELS,
    Analysis,
    Boundaries,
    analyse,
    boundaries,
    classify,
    label_names,
    phase_diagram,
)
from .reduced import ReducedRun, integrate_reduced, reduced_rhs
from .states import (
    STABILITY_TOLERANCE,
    SteadyState,
    incoherence_eigenvalues,
    incoherence_stable,
    steady_states,
)
from .switching import SwitchingRates, switching_rates

__all__ = [
    "steady_states",
    "SteadyState",
    "attractors",
    "Census",
    "Attractor",
    "LimitCycle",
    "classify",
    "analyse",
    "Analysis",
    "phase_diagram",
    "label_names",
    "boundaries",
    "Boundaries",
    "bifurcation_curves",
    "BifurcationCurves",
    "bifurcation_diagram",
    "BifurcationDiagram",
    "plot_bifurcation_diagram",
    "incoherence_eigenvalues",
    "incoherence_stable",
    "incoherence_roots",
    "CharacteristicRoots",
    "integrate_reduced",
    "reduced_rhs",
    "ReducedRun",
    "chimera_parameters",
    "entrainment_region",
    "EntrainmentRegion",
    "chimera_boundaries",
    "ChimeraBoundaries",
    "switching_rates",
    "SwitchingRates",
    "LABELS",
    "STABILITY_TOLERANCE",
    "NOISE_NONE",
    "NOISE_QUICK",
    "NOISE_FOKKER_PLANCK",
]
