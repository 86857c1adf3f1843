"""Transmission delays τ_XY: block XY reads its sources at t − τ_XY.

The engine against the delayed NumPy oracle (tests/reference.py, ``integrate_delayed``,
pair by pair) on all-to-all, stored, weighted user and procedural networks, every
integrator, delays that are and are not multiples of dt; the convergence order of each
integrator; bit-identity across thread counts, between stored and procedural networks, of
delay 0 with the plain model and of a resumed run; the tiled gather at N ≥ 2^17; the
memory estimate; sweeps; and the errors for what is refused.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.sparse as sp

import eikura as ek
from eikura.sweep import sweep_fields

N_E, N_I = 24, 8
N = N_E + N_I
DT = 0.02
# Per block, in steps of DT: 2.5, 5, 1.5 and 0 (all different, two between steps).
DELAYS = {"ee": 0.05, "ei": 0.1, "ie": 0.03, "ii": 0.0}
COUPLINGS = {"k_ee": 3.0, "k_ei": 1.5, "k_ie": 4.0, "k_ii": 1.0}
LAGS = {"ee": 0.2, "ei": -0.4, "ie": 0.6, "ii": 0.1}
INTEGRATORS = {"euler": ("euler", 0.0), "heun": ("heun", 0.0), "rk4": ("rk4", 0.0),
               "euler-maruyama": ("euler", (0.3, 0.1)), "stochastic-heun": ("heun", (0.3, 0.1))}


def _user_graph(rng: np.random.Generator) -> ek.Graph:
    matrix = sp.random(N, N, density=0.3, format="csr", random_state=rng,
                       data_rvs=lambda size: rng.uniform(0.5, 2.0, size))
    return ek.Graph(matrix, is_excitatory=np.arange(N) < N_E)


def _network(name: str, rng: np.random.Generator) -> ek.networks.Network:
    if name == "all-to-all":
        return ek.AllToAll()
    if name == "fixed-in-degree":
        return ek.FixedInDegree(k_e=6, k_i=3)
    return _user_graph(rng)


def _model(network: ek.networks.Network, omega: np.ndarray, noise=0.0, delay=None,
           **changes) -> ek.EIKuramoto:
    return ek.EIKuramoto(n_e=N_E, n_i=N_I, frequencies=omega, noise=noise, network=network,
                         phase_lag=LAGS, delay=DELAYS if delay is None else delay,
                         **{**COUPLINGS, **changes})


def _oracle(ref, model, theta, *, method, n_steps, adjacency, seed=3, history=None,
            record_every=5, couplings=None):
    return ref.integrate_delayed(
        theta, np.asarray(model.frequencies), N_E, couplings or tuple(COUPLINGS.values()),
        delays=model.delays, adjacency=adjacency, normalization=model.normalization,
        method=method, dt=DT, n_steps=n_steps, noise=tuple(model.noise), seed=seed,
        record_every=record_every, phase_lags=model.phase_lags, history=history)


def _assert_close(run: ek.Run, expected: dict, tolerance: float = 1e-10) -> None:
    np.testing.assert_allclose(run.z, expected["z"], rtol=0, atol=tolerance)
    np.testing.assert_allclose(run.z_e, expected["z_e"], rtol=0, atol=tolerance)
    on_circle = np.angle(np.exp(1j * (run.phases - expected["theta"])))
    np.testing.assert_allclose(on_circle, 0.0, rtol=0, atol=tolerance)


@pytest.mark.parametrize("integrator", INTEGRATORS)
@pytest.mark.parametrize("topology", ["all-to-all", "fixed-in-degree", "weighted-graph"])
def test_delayed_run_matches_reference(topology, integrator, rng, ref, built_adjacency):
    method, noise = INTEGRATORS[integrator]
    theta, omega = rng.uniform(0.0, 2.0 * np.pi, N), rng.normal(0.5, 1.0, N)
    model = _model(_network(topology, rng), omega, noise)
    run = ek.simulate(model, t_max=60 * DT, dt=DT, method=method, record_every=5,
                      initial=theta, seed=3, threads=2, progress=False)
    expected = _oracle(ref, model, theta, method=method, n_steps=60,
                       adjacency=built_adjacency(model, 3))
    _assert_close(run, expected)
    # not vacuous: without the delays the run is another one
    plain = ek.simulate(model.with_changes(delay=0.0), t_max=60 * DT, dt=DT, method=method,
                        record_every=5, initial=theta, seed=3, progress=False)
    assert np.max(np.abs(plain.z - run.z)) > 1e-4


def test_time_varying_couplings_and_a_user_history_match_reference(rng, ref, built_adjacency):
    theta, omega = rng.uniform(0.0, 2.0 * np.pi, N), rng.normal(0.5, 1.0, N)
    schedules = {"k_ee": ek.Sinusoid(mean=2.5, amplitude=3.0, period=0.7),
                 "k_ie": ek.PiecewiseLinear(times=[0.0, 1.0], values=[5.0, 0.0])}
    model = _model(ek.FixedInDegree(k_e=6, k_i=3), omega, **schedules)
    rows = math.ceil(max(DELAYS.values()) / DT) + 3  # a little more than needed
    history = np.mod(theta + np.outer(np.arange(-rows + 1, 1) * DT, 2.0 * omega + 1.0), 2 * np.pi)
    history[:-1] += 0.3 * rng.standard_normal((rows - 1, N))  # not the default rule
    run = ek.simulate(model, t_max=50 * DT, dt=DT, method="rk4", record_every=5,
                      history=history, seed=3, progress=False)
    couplings = lambda t: tuple(float(getattr(model, name)(t))  # noqa: E731
                                for name in ("k_ee", "k_ei", "k_ie", "k_ii"))
    expected = _oracle(ref, model, history[-1], method="rk4", n_steps=50,
                       adjacency=built_adjacency(model, 3), history=history[:-1],
                       couplings=couplings)
    _assert_close(run, expected)
    assert run.config["run"]["history"] == "array"
    default = ek.simulate(model, t_max=50 * DT, dt=DT, initial=history[-1], seed=3,
                          record_every=5, progress=False)
    assert default.config["run"]["history"] == "natural-frequencies"
    assert np.max(np.abs(default.z - run.z)) > 1e-4  # the history matters


def _final_phases(delays: dict[str, float], method: str, dt: float) -> np.ndarray:
    model = ek.EIKuramoto(n_e=16, n_i=4, k_ee=3.0, k_ei=1.0, k_ie=4.0, k_ii=0.5,
                          frequencies=np.linspace(-1.0, 1.0, 20), delay=delays)
    run = ek.simulate(model, t_max=2.4, dt=dt, method=method, initial=np.linspace(0.0, 5.0, 20),
                      wrap=False, record_every=60, progress=False)
    return run.phases


def _orders(delays: dict[str, float], method: str, steps: tuple[float, ...]) -> list[float]:
    """log2 of the error ratio of each halving of dt, against a run at dt / 16 of the finest."""
    finest = _final_phases(delays, method, steps[-1] / 16)
    errors = [np.max(np.abs(_final_phases(delays, method, dt) - finest)) for dt in steps]
    return [math.log2(a / b) for a, b in itertools.pairwise(errors)]


@pytest.mark.parametrize(("method", "order"), [("euler", 1), ("heun", 2), ("rk4", 4)])
def test_convergence_order_with_delays_on_the_grid(method, order):
    """Delays of 8 and 12 steps of 0.04 (and so of each halved step): the half-step stages
    of Heun and RK4 read the cubic interpolant, and every method keeps its order (the
    kinks of the delayed solution at t = 0, τ, 2τ, … fall on steps)."""
    delays = {"ee": 0.32, "ei": 0.48, "ie": 0.32, "ii": 0.48}
    measured = _orders(delays, method, (0.04, 0.02, 0.01))
    assert min(measured) > order - 0.25, measured


@pytest.mark.parametrize("method", ["heun", "rk4"])
def test_convergence_order_with_delays_between_steps(method):
    """τ = 0.313 and 0.471 are multiples of none of the steps: the solution's kink at t = τ
    (where the history rule meets the solution) falls inside a step, which any fixed-step
    method integrates to second order only: Heun keeps order 2 and RK4 drops to 2 (the
    documented limit), never below."""
    delays = {"ee": 0.313, "ei": 0.471, "ie": 0.313, "ii": 0.471}
    measured = _orders(delays, method, (0.01, 0.005, 0.0025))
    assert min(measured) > 1.75, measured


def test_delay_that_is_a_multiple_of_dt_reads_stored_steps_exactly():
    """τ = 3 dt with Euler: the delayed sources are the stored step 3 back, with no
    interpolation: all-to-all and an all-to-all graph agree to rounding of the sums."""
    omega = np.linspace(-0.5, 0.7, N)
    theta = np.linspace(0.0, 6.0, N)
    delay = 0.3 / 5 + 0.0  # 3 steps of 0.02, as written a user would write it
    dense = ek.Graph(sp.csr_matrix(np.ones((N, N))), is_excitatory=np.arange(N) < N_E)
    runs = [ek.simulate(_model(network, omega, delay=delay), t_max=1.0, dt=DT, method="euler",
                        initial=theta, progress=False) for network in (ek.AllToAll(), dense)]
    np.testing.assert_allclose(runs[0].z, runs[1].z, rtol=0, atol=1e-13)


def test_delay_zero_is_the_plain_model_bit_for_bit():
    model = ek.EIKuramoto(n_e=N_E, n_i=N_I, **COUPLINGS, network=ek.FixedInDegree(k_e=6, k_i=3))
    zero = model.with_changes(delay={"ee": 0.0, "ei": 0.0, "ie": 0.0, "ii": 0.0})
    assert zero.fingerprint() == model.fingerprint()
    assert "delay" not in zero.to_dict()
    a = ek.simulate(model, t_max=1.0, dt=DT, seed=2, progress=False)
    b = ek.simulate(zero, t_max=1.0, dt=DT, seed=2, progress=False)
    np.testing.assert_array_equal(a.z, b.z)
    np.testing.assert_array_equal(a.phases, b.phases)


@pytest.mark.parametrize("network", [ek.AllToAll(), ek.FixedInDegree(k_e=20, k_i=5)])
def test_bit_identical_for_any_number_of_threads(network):
    """N = 5000 > 2 reduction chunks, so the sums really are split between threads."""
    model = ek.EIKuramoto(n_e=4000, n_i=1000, **COUPLINGS, network=network, noise=0.1,
                          delay={"ee": 0.05, "ei": 0.1, "ie": 0.03, "ii": 0.07})
    runs = [ek.simulate(model, t_max=0.6, dt=DT, seed=4, threads=threads, record_every=3,
                        progress=False) for threads in (1, 2, 3)]
    for run in runs[1:]:
        np.testing.assert_array_equal(run.z, runs[0].z)
        np.testing.assert_array_equal(run.phases, runs[0].phases)


def test_procedural_equals_stored_bit_for_bit(rng):
    omega = rng.normal(0.0, 1.0, N)
    stored = _model(ek.FixedInDegree(k_e=6, k_i=3), omega, noise=0.2)
    procedural = stored.with_changes(network=ek.Procedural(k_e=6, k_i=3))
    a, b = (ek.simulate(model, t_max=1.0, dt=DT, method="heun", seed=7, progress=False)
            for model in (stored, procedural))
    np.testing.assert_array_equal(a.z, b.z)
    np.testing.assert_array_equal(a.phases, b.phases)


def test_tiled_and_large_procedural_networks_read_the_delayed_sources(built_adjacency):
    """N ≥ 2^17: the tiled gather of a stored network and the block gather of a procedural
    one. One Euler step with τ_EE = τ_IE = dt and τ_EI = 2 dt, τ_II = 0 (rows onto E and
    onto I read different sources: two passes) against scipy at the history's steps."""
    n_e, n_i, dt = 110_000, 30_000, 0.01
    n = n_e + n_i
    theta = np.random.default_rng(11).uniform(0.0, 2.0 * np.pi, n)
    delays = {"ee": dt, "ei": 2 * dt, "ie": dt, "ii": 0.0}
    stored = ek.EIKuramoto(n_e=n_e, n_i=n_i, k_ee=5.0, k_ei=1.0, k_ie=12.0, k_ii=2.0,
                           frequencies=ek.Lorentzian(0.0, 1.0, regular=True),
                           network=ek.FixedInDegree(k_e=6, k_i=2), delay=delays)
    assert stored.network.build(n_e, n_i, seed=3, threads=2).tiled
    run = ek.simulate(stored, t_max=dt, dt=dt, method="euler", initial=theta, seed=3,
                      threads=2, record_every=1, progress=False)
    procedural = stored.with_changes(network=ek.Procedural(k_e=6, k_i=2))
    other = ek.simulate(procedural, t_max=dt, dt=dt, method="euler", initial=theta, seed=3,
                        threads=2, record_every=1, progress=False)
    np.testing.assert_array_equal(run.phases, other.phases)

    omega = run.frequencies
    adjacency = built_adjacency(stored, 3)
    past = {steps: np.exp(1j * (theta - omega * steps * dt)) for steps in (0, 1, 2)}
    delay_steps = {"ee": 1, "ei": 2, "ie": 1, "ii": 0}
    k = {"ee": 5.0, "ei": 1.0, "ie": 12.0, "ii": 2.0}
    rows = {"e": slice(0, n_e), "i": slice(n_e, n)}
    cols = rows
    slope = omega.copy()
    for x in "ei":
        for y in "ei":
            block = adjacency[rows[x]][:, cols[y]]
            sums = block @ past[delay_steps[x + y]][cols[y]]
            mean = sums / np.diff(block.indptr)
            sign = 1.0 if y == "e" else -1.0
            slope[rows[x]] += sign * k[x + y] * np.imag(mean * np.exp(-1j * theta[rows[x]]))
    expected = np.mod(theta + dt * slope, 2.0 * np.pi)
    np.testing.assert_allclose(np.angle(np.exp(1j * (run.phases - expected))), 0.0, atol=1e-12)


@pytest.mark.parametrize("network", [ek.AllToAll(), ek.FixedInDegree(k_e=6, k_i=3)])
def test_resumed_run_is_bit_identical(network, tmp_path):
    model = ek.EIKuramoto(n_e=N_E, n_i=N_I, **COUPLINGS, noise=0.2, network=network,
                          delay={"ee": 0.05, "ei": 0.1, "ie": 0.03, "ii": 0.07})
    settings = dict(t_max=2.0, dt=DT, record_every=7, seed=5, progress=False)
    expected = ek.simulate(model, **settings)
    checkpoint = tmp_path / "run.ckpt.nc"
    ek.simulate(model, **{**settings, "t_max": 0.74}, checkpoint=checkpoint)
    resumed = ek.resume(checkpoint, t_max=2.0)
    np.testing.assert_array_equal(resumed.phases, expected.phases)
    np.testing.assert_array_equal(resumed.z, expected.z)
    with pytest.raises(ValueError, match="model"):  # another delay is another model
        ek.resume(checkpoint, model.with_changes(delay=0.1), t_max=2.0)


def test_saved_runs_keep_the_delays(tmp_path):
    model = ek.EIKuramoto(n_e=N_E, n_i=N_I, **COUPLINGS, delay=DELAYS)
    assert model.delays == tuple(DELAYS.values())
    assert model.to_dict()["delay"] == DELAYS
    assert ek.EIKuramoto.from_dict(model.to_dict()).fingerprint() == model.fingerprint()
    assert model.fingerprint() != model.with_changes(delay=0.2).fingerprint()
    assert ek.EIKuramoto(n_e=8, n_i=2, delay=0.5).delays == (0.5,) * 4
    assert "delay" in repr(model)
    run = ek.simulate(model, t_max=0.5, dt=DT, progress=False)
    run.save(tmp_path / "run.nc")
    assert ek.load(tmp_path / "run.nc").model.delays == model.delays


def test_memory_estimate_counts_the_history():
    """A network keeps sin and cos of every oscillator for ceil(τ/dt) + 3 steps (plus 5 N
    values of scratch); all-to-all only 4 sums a step (plus one step's sin/cos)."""
    n, dt, delay = 10_000, 0.01, 2.0
    sparse = ek.EIKuramoto(n_e=8000, n_i=2000, network=ek.FixedInDegree(k_e=10, k_i=5),
                           delay=delay)
    steps = math.ceil(delay / dt) + 3
    estimate = ek.estimate_memory(sparse, n_steps=100, record_every=10, snapshot_every=0, dt=dt)
    assert estimate["history"] == (steps * 2 * n + 5 * n) * 8
    plain = ek.estimate_memory(sparse.with_changes(delay=0.0), 100, 10, 0)
    assert estimate["run"] - plain["run"] == estimate["history"]
    dense = ek.estimate_memory(sparse.with_changes(network=ek.AllToAll()), 100, 10, 0, dt=dt)
    assert dense["history"] == (steps * 4 + 2 * n + 4 * math.ceil(n / 2048)) * 8
    with pytest.raises(ek.MemoryLimitError, match="delays' history"):
        ek.simulate(sparse, t_max=1.0, dt=dt, memory_limit=plain["total"] + 1)
    with pytest.raises(TypeError, match="dt"):
        ek.estimate_memory(sparse, 100, 10, 0)


def test_sweeps_vary_the_delays():
    model = ek.EIKuramoto(n_e=40, n_i=10, k_ee=4.0, k_ei=1.0, k_ie=4.0, k_ii=1.0)
    assert {"delay", "delay.ei", "delay.ii"} <= set(sweep_fields(model))
    ds = ek.sweep(model, over={"delay.ei": [0.0, 0.3]}, t_max=4.0, dt=0.02, seed=0)
    r_mean = ds["r_mean"].values.ravel()
    # the swept point is the model with that delay, run on its own
    fixed = model.with_changes(delay={"ee": 0.0, "ei": 0.3, "ie": 0.0, "ii": 0.0})
    alone = ek.sweep(fixed, over={"k_ee": [4.0]}, t_max=4.0, dt=0.02, seed=0)
    assert r_mean[1] == alone["r_mean"].values.ravel()[0]
    assert r_mean[0] != r_mean[1]
    # the mean-field theory has no delays: no theory label where a delay is set
    assert list(ds["theory_label"].values.ravel())[1] == "unavailable"
    with pytest.raises(ValueError, match="delay"):
        ek.sweep(model, over={"delay": [0.1], "delay.ee": [0.2]}, t_max=4.0, dt=0.02)
    with pytest.raises(ValueError, match="shorter than one step"):
        ek.sweep(model, over={"delay.ee": [0.0, 0.01]}, t_max=4.0, dt=0.02)


@pytest.mark.parametrize(("value", "error", "match"), [
    (-0.1, ValueError, "delay"),
    (float("nan"), ValueError, "delay"),
    ({"ee": 0.1}, ValueError, "delay: expected the keys"),
    ({"ee": 0.1, "ei": -1.0, "ie": 0, "ii": 0}, ValueError, r"delay\['ei'\]"),
    ("0.3", TypeError, "delay"),
])
def test_delay_is_validated(value, error, match):
    with pytest.raises(error, match=match):
        ek.EIKuramoto(n_e=8, n_i=2, delay=value)


def test_what_delays_refuse():
    model = ek.EIKuramoto(n_e=8, n_i=2, k_ee=1.0, delay={"ee": 0.1, "ei": 0.005, "ie": 0, "ii": 0})
    with pytest.raises(ValueError, match=r"delay: τ_EI = 0.005 is shorter than one step dt = 0.01"):
        ek.simulate(model, t_max=1.0, dt=0.01)
    delayed = model.with_changes(delay=0.1)
    with pytest.raises(ValueError, match="method: 'dopri5' is not available with delays"):
        ek.simulate(delayed, t_max=1.0, dt=0.01, method="dopri5")
    with pytest.raises(ValueError, match="precision: 'float32'"):
        ek.simulate(delayed.with_changes(network=ek.FixedInDegree(k_e=2, k_i=1)), t_max=1.0,
                    dt=0.01, precision="float32")
    with pytest.raises(ValueError, match="delay: the right-hand side"):
        ek.derivative(delayed, np.zeros(10))
    with pytest.raises(ValueError, match=r"history: expected an array of shape \(rows, N\) "
                                         r"with rows >= 11"):
        ek.simulate(delayed, t_max=1.0, dt=0.01, history=np.zeros((10, 10)))
    with pytest.raises(ValueError, match="history: expected"):
        ek.simulate(delayed, t_max=1.0, dt=0.01, history=np.zeros((11, 9)))
    with pytest.raises(ValueError, match="history: phases must be finite|history"):
        ek.simulate(delayed, t_max=1.0, dt=0.01, history=np.full((11, 10), np.nan))
    with pytest.raises(ValueError, match="initial: with history"):
        ek.simulate(delayed, t_max=1.0, dt=0.01, history=np.zeros((11, 10)), initial="sync")
    with pytest.raises(ValueError, match="history: only a model with delays"):
        ek.simulate(model.with_changes(delay=0.0), t_max=1.0, dt=0.01, history=np.zeros((11, 10)))


@pytest.mark.parametrize("delay", [0.2, 0.8])
def test_one_delayed_population_locks_as_the_exact_solution(delay):
    """One population, Lorentzian frequencies (centre ω_0, half-width Δ), all-to-all with
    delay τ: the Ott–Antonsen locked state z = r e^{iΩt} of the delayed mean field
    (Yeung & Strogatz, PRL 82, 648 (1999), for the Lorentzian reduction) solves
        r² = 1 − 2Δ / (K cos Ωτ),   Ω = ω_0 − (K/2) sin(Ωτ) (1 + r²),
    the phase-lag result with α = Ωτ. N = 2·10^4 regular frequencies, mean over t > 30."""
    from scipy.optimize import brentq

    k, width, center = 4.0, 0.5, 1.0

    def mismatch(frequency: float) -> float:
        r_squared = 1.0 - 2.0 * width / (k * np.cos(frequency * delay))
        return frequency - center + k / 2 * np.sin(frequency * delay) * (1.0 + r_squared)

    frequency = brentq(mismatch, 0.0, center)
    r_exact = math.sqrt(1.0 - 2.0 * width / (k * math.cos(frequency * delay)))
    model = ek.EIKuramoto(n_e=20_000, n_i=0, k_ee=k, delay=delay,
                          frequencies=ek.Lorentzian(center, width, regular=True))
    run = ek.simulate(model, t_max=60.0, dt=0.02, initial="sync", seed=1, progress=False)
    late = run.t > 30
    measured = np.polyfit(run.t[late], np.unwrap(np.angle(run.z[late])), 1)[0]
    assert abs(run.r[late].mean() - r_exact) < 1e-3
    assert abs(measured - frequency) < 1e-3
    assert abs(frequency - center) > 0.3  # not vacuous: the delay slows the locked rotation
