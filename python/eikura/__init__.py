"""eikura: simulation and theory of the excitatory–inhibitory Kuramoto model.

Phase oscillators split into an excitatory population (inputs attract) and an
inhibitory one (inputs repel) with four coupling strengths K_post,pre: k_ee (E→E),
k_ei (I→E), k_ie (E→I), k_ii (I→I). See README.md and SPEC for the equations.

Examples
--------
>>> import eikura as ek
>>> model = ek.EIKuramoto(n_e=800, n_i=200, k_ee=5.0, k_ei=1.0, k_ie=12.0, k_ii=2.0)
>>> run = ek.simulate(model, t_max=10.0, dt=0.05, seed=1)
>>> run.r.shape
(21,)
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("eikura")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0+unknown"

# OpenMP threads that wait at a barrier sleep instead of spinning, unless the user says
# otherwise: on a busy machine (sweeps, shared nodes) spinning threads steal the cores
# the others need, and a two-thread run became 40x slower than a one-thread run here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

try:
    from . import _core
except ImportError as error:  # pragma: no cover - depends on how eikura was installed
    raise ImportError(
        "eikura's compiled core (eikura._core) could not be imported. Build and install the "
        "package from the repository root with `pip install .` (a C++17 compiler with OpenMP, "
        f"CMake and pybind11 are needed). Original error: {error}"
    ) from error

from . import theory
from .checkpoint import resume
from .classify import Classification, classify, classify_two_start
from .distributions import Gaussian, Lorentzian, Uniform
from .model import EIKuramoto
from .networks import AllToAll, ErdosRenyi, FixedInDegree, Graph, Procedural
from .schedules import Constant, PiecewiseLinear, Sinusoid
from .simulation import MemoryLimitError, Run, derivative, estimate_memory, load, simulate
from .sweep import sweep

__all__ = [
    "__version__",
    "EIKuramoto",
    "Lorentzian",
    "Gaussian",
    "Uniform",
    "AllToAll",
    "FixedInDegree",
    "ErdosRenyi",
    "Graph",
    "Procedural",
    "Constant",
    "Sinusoid",
    "PiecewiseLinear",
    "simulate",
    "resume",
    "sweep",
    "theory",
    "derivative",
    "classify",
    "classify_two_start",
    "Classification",
    "Run",
    "load",
    "estimate_memory",
    "MemoryLimitError",
    "has_openmp",
]

has_openmp: bool = bool(_core.has_openmp)
