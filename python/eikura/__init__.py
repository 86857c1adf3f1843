"""eikura: simulation and theory of the excitatory–inhibitory Kuramoto model.

Phase oscillators split into an excitatory population (inputs attract) and an
inhibitory one (inputs repel) with four coupling strengths K_post,pre: k_ee (E→E),
k_ei (I→E), k_ie (E→I), k_ii (I→I). The documentation states the equations.

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

from ._metadata import eikura_version


def _import_core() -> None:
    """Load the compiled core, with OpenMP threads that sleep while they wait.

    On a busy machine (sweeps, shared nodes) spinning threads steal the cores the others
    need; a two-thread run became 40x slower than a one-thread run here. libgomp reads
    OMP_WAIT_POLICY once, when it is loaded, so the default is set for that moment only
    (a value the user has set is kept) and the environment is left as it was.
    """
    added = "OMP_WAIT_POLICY" not in os.environ
    if added:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:
        from . import _core  # noqa: F401
    except ImportError as error:  # pragma: no cover - depends on how eikura was installed
        raise ImportError(
            "eikura's compiled core (eikura._core) could not be imported. Build and install "
            "the package from the repository root with `pip install .` (a C++17 compiler with "
            f"OpenMP, CMake and pybind11 are needed). Original error: {error}"
        ) from error
    finally:
        if added:
            del os.environ["OMP_WAIT_POLICY"]


_import_core()
__version__ = eikura_version()

from . import _core, labels, observables, theory  # noqa: E402
from ._engine import MemoryLimitError, StepSizeWarning, estimate_memory, threads_for  # noqa: E402
from .checkpoint import resume  # noqa: E402
from .classify import Classification, classify, classify_two_start  # noqa: E402
from .distributions import Gaussian, Lorentzian, Uniform  # noqa: E402
from .drives import Drive  # noqa: E402
from .files import DamagedFileError  # noqa: E402
from .model import EIKuramoto  # noqa: E402
from .networks import AllToAll, ErdosRenyi, FixedInDegree, Graph, Procedural  # noqa: E402
from .results import Run, load  # noqa: E402
from .schedules import Constant, PiecewiseLinear, Sinusoid  # noqa: E402
from .simulation import RightHandSide, derivative, right_hand_side, simulate  # noqa: E402
from .sweep import sweep  # noqa: E402

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
    "Drive",
    "PiecewiseLinear",
    "simulate",
    "resume",
    "sweep",
    "theory",
    "labels",
    "observables",
    "derivative",
    "right_hand_side",
    "RightHandSide",
    "classify",
    "classify_two_start",
    "Classification",
    "Run",
    "load",
    "estimate_memory",
    "threads_for",
    "MemoryLimitError",
    "StepSizeWarning",
    "DamagedFileError",
    "has_openmp",
]

has_openmp: bool = bool(_core.has_openmp)
