"""Shared fixtures of the engine test-suite.

The C++ engine is checked against the pure NumPy oracle in ``tests/reference.py``
(imported as ``reference``: this folder is put on ``sys.path`` here). The helpers below
turn an ``eikura`` model into the oracle's inputs: the coupling tuple or callable
``t -> (k_ee, k_ei, k_ie, k_ii)`` and the scipy adjacency (row = target) of the network
that the engine builds.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import eikura as ek
import reference

COUPLING_NAMES = ("k_ee", "k_ei", "k_ie", "k_ii")


def circular_difference(a: Any, b: Any) -> np.ndarray:
    """Signed difference ``a - b`` on the circle, in (-pi, pi]."""
    return np.angle(np.exp(1j * (np.asarray(a, dtype=float) - np.asarray(b, dtype=float))))


def reference_couplings(model: ek.EIKuramoto) -> Any:
    """The model's couplings as the oracle wants them: a 4-tuple if all are constant,
    otherwise a callable ``t -> 4-tuple`` that evaluates the schedules with NumPy."""
    schedules = [getattr(model, name) for name in COUPLING_NAMES]
    if all(isinstance(s, ek.Constant) for s in schedules):
        return tuple(s.value for s in schedules)
    return lambda t: tuple(float(s(t)) for s in schedules)


def csr_to_scipy(network: Any, n: int) -> sp.csr_matrix | None:
    """The engine's CSR network (row = target) as a scipy matrix; None for all-to-all."""
    if network is None:
        return None
    weights = np.asarray(network.weights)
    data = weights if weights.size else np.ones(int(network.n_edges))
    return sp.csr_matrix(
        (data, np.asarray(network.indices), np.asarray(network.indptr)), shape=(n, n)
    )


def reference_adjacency(model: ek.EIKuramoto, seed: int) -> sp.csr_matrix | None:
    """Build the model's network exactly as ``simulate(..., seed=seed)`` does."""
    network = model.network.build(int(model.n_e), int(model.n_i), seed, 1)
    return csr_to_scipy(network, model.n)


def reference_drives(model: ek.EIKuramoto) -> list[tuple[Any, float, float, np.ndarray]]:
    """The model's drives as the oracle wants them: (amplitude, Ω, φ, mask)."""
    n_e, n_i = int(model.n_e), int(model.n_i)  # type: ignore[arg-type]
    out = []
    for drive in model.drives:
        schedule = drive.amplitude_schedule
        amplitude = schedule.value if isinstance(schedule, ek.Constant) else (
            lambda t, s=schedule: float(s(t)))
        out.append((amplitude, drive.frequency, drive.phase, drive.mask(n_e, n_i)))
    return out


def run_both(
    model: ek.EIKuramoto,
    theta0: np.ndarray,
    *,
    method: str,
    dt: float,
    n_steps: int,
    record_every: int = 1,
    seed: int = 0,
    threads: int = 1,
    wrap: bool = True,
    adjacency: Any = "build",
) -> tuple[ek.Run, dict[str, np.ndarray]]:
    """Run the engine and the oracle from the same state (``model.frequencies`` must be
    an array). ``adjacency="build"`` rebuilds the engine's network for the oracle."""
    omega = np.asarray(model.frequencies, dtype=float)
    assert omega.shape == (model.n,), "run_both needs an explicit frequency array"
    run = ek.simulate(
        model, t_max=n_steps * dt, dt=dt, method=method, record_every=record_every,
        initial=theta0, seed=seed, threads=threads, progress=False, wrap=wrap,
    )
    if isinstance(adjacency, str) and adjacency == "build":
        adjacency = reference_adjacency(model, seed)
    expected = reference.integrate(
        theta0, omega, int(model.n_e), reference_couplings(model), adjacency=adjacency,
        normalization=model.normalization, method=method, dt=dt, n_steps=n_steps,
        noise=tuple(model.noise), seed=seed, record_every=record_every, wrap=wrap,
        phase_lags=model.phase_lags, drives=reference_drives(model),
    )
    return run, expected


@pytest.fixture
def rng() -> np.random.Generator:
    """A fixed-seed generator: test data is random but reproducible."""
    return np.random.default_rng(20_250_611)


@pytest.fixture
def ref() -> Any:
    """The NumPy oracle module ``tests/reference.py``."""
    return reference


@pytest.fixture
def engine_vs_reference() -> Callable[..., tuple[ek.Run, dict[str, np.ndarray]]]:
    return run_both


@pytest.fixture
def circ_diff() -> Callable[[Any, Any], np.ndarray]:
    return circular_difference


@pytest.fixture
def network_matrix() -> Callable[[Any, int], sp.csr_matrix | None]:
    return csr_to_scipy


@pytest.fixture
def built_adjacency() -> Callable[[ek.EIKuramoto, int], sp.csr_matrix | None]:
    """``built_adjacency(model, seed)``: the engine's network for that seed, as scipy."""
    return reference_adjacency
