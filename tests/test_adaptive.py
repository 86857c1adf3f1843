"""The adaptive integrator ``method="dopri5"`` (Dormand–Prince 5(4) with error control).

At tight tolerances it agrees with the NumPy oracle's RK4 at a tiny step on every
topology and with time-varying couplings; its error shrinks with ``rtol``; it reports
its step counts, records exactly on the requested grid, does not depend on the thread
count, and refuses what it cannot do (noise, checkpoints, tolerances for fixed steps).
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

import eikura as ek

N_E, N_I = 160, 40
N = N_E + N_I
SEED = 31
T_MAX, DT, RECORD_EVERY = 2.0, 0.01, 10  # records every 0.1
FINE_DT = 1e-3  # the oracle's RK4 step: its error (~1e-12) is far below what is checked
TIGHT = {"rtol": 1e-10, "atol": 1e-12}
K = {"k_ee": 2.5, "k_ei": 1.3, "k_ie": 3.1, "k_ii": 0.7}
# Smooth in t (the sinusoids never reach the clip at 0): the oracle's RK4 keeps its fourth
# order. A kink (a clipped sinusoid, a piecewise-linear ramp) brings RK4 at a fixed step
# down to first order (about 2e-7 in Z at FINE_DT here), while dopri5's error control
# steps through it to its tolerance.
SCHEDULED = {
    "k_ee": ek.Sinusoid(mean=2.5, amplitude=1.5, period=0.7),
    "k_ei": 1.3,
    "k_ie": ek.Sinusoid(mean=3.1, amplitude=2.0, period=1.3, phase=0.4),
    "k_ii": 0.7,
}


def _frequencies() -> np.ndarray:
    return np.random.default_rng(7).normal(0.0, 1.5, N)


def _initial() -> np.ndarray:
    return np.random.default_rng(8).uniform(0.0, 2.0 * np.pi, N)


def _user_graph() -> ek.Graph:
    rng = np.random.default_rng(9)
    matrix = sp.random(N, N, density=0.08, format="csr", random_state=rng,
                       data_rvs=lambda size: rng.uniform(0.5, 2.0, size))
    return ek.Graph(matrix, is_excitatory=np.arange(N) < N_E)


TOPOLOGIES: dict[str, Any] = {
    "all-to-all": ek.AllToAll,
    "fixed-in-degree": lambda: ek.FixedInDegree(k_e=20, k_i=5),
    "erdos-renyi": lambda: ek.ErdosRenyi(p_ee=0.1, p_ei=0.2, p_ie=0.15, p_ii=0.05),
    "user-graph": _user_graph,
}


def _model(network: Any = None, couplings: dict[str, Any] | None = None,
           noise: float = 0.0) -> ek.EIKuramoto:
    return ek.EIKuramoto(n_e=N_E, n_i=N_I, **(couplings or K), frequencies=_frequencies(),
                         noise=noise, network=network if network is not None else ek.AllToAll())


def _adaptive(model: ek.EIKuramoto, threads: int = 1, **settings: Any) -> ek.Run:
    options = {"t_max": T_MAX, "dt": DT, "record_every": RECORD_EVERY, "initial": _initial(),
               "seed": SEED, "threads": threads, "progress": False, **settings}
    return ek.simulate(model, method="dopri5", **options)


def _couplings(model: ek.EIKuramoto) -> Any:
    """The oracle's couplings: t -> (k_ee, k_ei, k_ie, k_ii), the schedules evaluated."""
    schedules = [model.k_ee, model.k_ei, model.k_ie, model.k_ii]
    return lambda t: tuple(float(schedule(t)) for schedule in schedules)


def _oracle(ref: Any, model: ek.EIKuramoto, adjacency: Any, t_max: float = T_MAX) -> dict[str, Any]:
    steps_per_record = round(RECORD_EVERY * DT / FINE_DT)
    return ref.integrate(  # type: ignore[no-any-return]
        _initial(), _frequencies(), N_E, _couplings(model), adjacency=adjacency,
        normalization=model.normalization, method="rk4", dt=FINE_DT,
        n_steps=round(t_max / FINE_DT), record_every=steps_per_record)


def _worst(run: ek.Run, expected: dict[str, Any], circ_diff: Any) -> tuple[float, float]:
    """Largest |ΔZ| over the records and largest phase difference at the end."""
    records = max(float(np.max(np.abs(getattr(run, name) - expected[name])))
                  for name in ("z_e", "z_i", "z"))
    return records, float(np.max(np.abs(circ_diff(run.phases, expected["theta"]))))


@pytest.mark.parametrize("topology", list(TOPOLOGIES))
def test_agrees_with_the_oracle_on_every_stored_topology(
        topology: str, ref: Any, built_adjacency: Any, circ_diff: Any) -> None:
    model = _model(TOPOLOGIES[topology]())
    run = _adaptive(model, **TIGHT)
    expected = _oracle(ref, model, built_adjacency(model, SEED))
    np.testing.assert_array_equal(run.t, np.arange(21) * RECORD_EVERY * DT)
    np.testing.assert_allclose(run.t, expected["t"], rtol=0, atol=1e-12)
    records, phases = _worst(run, expected, circ_diff)
    assert records < 1e-8 and phases < 1e-7


@pytest.mark.parametrize("topology", ["all-to-all", "fixed-in-degree"])
def test_agrees_with_the_oracle_under_schedules(
        topology: str, ref: Any, built_adjacency: Any, circ_diff: Any) -> None:
    model = _model(TOPOLOGIES[topology](), SCHEDULED)
    run = _adaptive(model, **TIGHT)
    records, phases = _worst(run, _oracle(ref, model, built_adjacency(model, SEED)), circ_diff)
    assert records < 1e-8 and phases < 1e-7


def test_agrees_with_fine_rk4_on_a_procedural_network(circ_diff: Any) -> None:
    # A procedural network is redrawn per evaluation and has no matrix for the oracle:
    # compare with the engine's own RK4 (itself checked against the oracle) at a tiny step.
    model = _model(ek.Procedural(k_e=20, k_i=5))
    run = _adaptive(model, **TIGHT)
    fine = ek.simulate(model, t_max=T_MAX, dt=FINE_DT, method="rk4",
                       record_every=round(RECORD_EVERY * DT / FINE_DT), initial=_initial(),
                       seed=SEED, threads=1, progress=False)
    np.testing.assert_array_equal(run.t, fine.t)
    assert np.max(np.abs(run.z - fine.z)) < 1e-8
    assert np.max(np.abs(circ_diff(run.phases, fine.phases))) < 1e-7


def test_error_shrinks_with_rtol(ref: Any, circ_diff: Any) -> None:
    model = _model(couplings=SCHEDULED)
    expected = _oracle(ref, model, None)
    errors, steps = [], []
    for rtol in (1e-3, 1e-5, 1e-7, 1e-9):
        run = _adaptive(model, rtol=rtol, atol=rtol / 100)
        errors.append(_worst(run, expected, circ_diff)[1])
        steps.append(run.config["run"]["accepted_steps"])
    assert all(later < earlier / 5 for earlier, later in itertools.pairwise(errors))
    assert errors[-1] < 1e-7
    assert steps == sorted(steps) and steps[0] < steps[-1]


def test_step_counts_and_settings_are_reported() -> None:
    run = _adaptive(_model())
    settings = run.config["run"]
    assert settings["method"] == "dopri5"
    assert (settings["rtol"], settings["atol"]) == (1e-6, 1e-8)
    accepted, rejected = settings["accepted_steps"], settings["rejected_steps"]
    assert accepted > 0 and rejected >= 0
    # FSAL: one evaluation to start, then six per trial step.
    assert settings["evaluations"] == 1 + 6 * (accepted + rejected)
    assert "accepted_steps" not in ek.simulate(_model(), t_max=0.1, dt=0.01).config["run"]


def test_records_exactly_on_the_requested_grid(ref: Any, circ_diff: Any) -> None:
    # t_max is not a multiple of the record spacing: records at 0, 0.1, ..., 1.0 and the
    # final phases at t = 1.05 exactly; snapshots on their own grid.
    model = _model()
    run = _adaptive(model, t_max=1.05, snapshot_every=15, **TIGHT)
    np.testing.assert_array_equal(run.t, np.arange(11) * RECORD_EVERY * DT)
    assert run.snapshot_times is not None
    np.testing.assert_array_equal(run.snapshot_times, np.arange(8) * 15 * DT)
    expected = _oracle(ref, model, None, t_max=1.05)
    assert np.max(np.abs(circ_diff(run.phases, expected["theta"]))) < 1e-7


@pytest.mark.parametrize("network", [None, ek.FixedInDegree(k_e=20, k_i=5)])
def test_bit_identical_for_one_and_two_threads(network: Any) -> None:
    # 5000 oscillators: three chunks of the error norm's reduction.
    big = ek.EIKuramoto(n_e=4000, n_i=1000, **SCHEDULED,
                        frequencies=ek.Lorentzian(0.0, 1.0, regular=True),
                        network=network if network is not None else ek.AllToAll())
    runs = [ek.simulate(big, t_max=0.5, dt=0.05, method="dopri5", record_every=2, seed=3,
                        threads=threads, progress=False, mean_frequencies=True)
            for threads in (1, 2)]
    np.testing.assert_array_equal(runs[0].phases, runs[1].phases)
    np.testing.assert_array_equal(runs[0].z, runs[1].z)
    np.testing.assert_array_equal(runs[0].mean_frequencies, runs[1].mean_frequencies)
    for key in ("accepted_steps", "rejected_steps"):
        assert runs[0].config["run"][key] == runs[1].config["run"][key]


def test_refuses_noise_checkpoints_and_misplaced_tolerances(tmp_path: Any) -> None:
    with pytest.raises(ValueError, match="^method: 'dopri5' is for deterministic runs"):
        _adaptive(_model(noise=0.1))
    with pytest.raises(ValueError, match="^checkpoint: not supported with method='dopri5'"):
        _adaptive(_model(), checkpoint=tmp_path / "run.nc")
    with pytest.raises(ValueError, match="^rtol: only the adaptive method"):
        ek.simulate(_model(), t_max=0.1, dt=0.01, method="rk4", rtol=1e-6)
    with pytest.raises(ValueError, match="^atol: rtol and atol cannot both be 0"):
        _adaptive(_model(), rtol=0.0, atol=0.0)
    with pytest.raises(ValueError, match="^rtol: must be >= 0"):
        _adaptive(_model(), rtol=-1.0)


def test_dt_is_only_a_first_step_for_dopri5(circ_diff: Any) -> None:
    # A dt the fixed-step guard would refuse (rate × dt far past every limit) is only the
    # output spacing and the first step tried: no warning, and the same answer as a
    # fine run on the same grid.
    model = _model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coarse = ek.simulate(model, t_max=2.0, dt=1.0, method="dopri5", record_every=1,
                             initial=_initial(), seed=SEED, progress=False, **TIGHT)
    fine = _adaptive(model, **TIGHT)
    np.testing.assert_array_equal(coarse.t, [0.0, 1.0, 2.0])
    np.testing.assert_allclose(coarse.z, fine.z[::10], rtol=0, atol=1e-8)
    with pytest.warns(ek.StepSizeWarning, match="^dt: "):
        ek.simulate(model, t_max=2.0, dt=1.0, method="rk4", record_every=1)
