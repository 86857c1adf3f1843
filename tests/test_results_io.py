"""Results: xarray view, NetCDF round trip, snapshots and mean frequencies."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import eikura as ek

N_E, N_I = 60, 20
N = N_E + N_I
TWO_PI = 2.0 * np.pi


@pytest.fixture
def run() -> ek.Run:
    model = ek.EIKuramoto(n_e=N_E, n_i=N_I, k_ee=4.0, k_ei=1.0,
                          k_ie=ek.Sinusoid(mean=3.0, amplitude=1.0, period=2.0), k_ii=0.5,
                          frequencies=(ek.Lorentzian(0.0, 0.5), ek.Gaussian(0.2, 0.3)),
                          noise=(0.05, 0.1), network=ek.FixedInDegree(k_e=12, k_i=4))
    return ek.simulate(model, t_max=3.0, dt=0.01, method="heun", record_every=7,
                       seed=2**63 + 99, threads=1, progress=False, snapshot_every=50,
                       mean_frequencies=True, transient=1.0)


def test_recording_layout(run):
    n_steps = 300
    assert run.t.shape == run.z.shape == run.z_e.shape == run.z_i.shape == (n_steps // 7 + 1,)
    np.testing.assert_allclose(run.t, np.arange(n_steps // 7 + 1) * 7 * 0.01, rtol=0, atol=1e-12)
    for name in ("z_e", "z_i", "z"):
        assert getattr(run, name).dtype == np.complex128
    np.testing.assert_array_equal(run.r, np.abs(run.z))
    np.testing.assert_array_equal(run.r_e, np.abs(run.z_e))
    np.testing.assert_array_equal(run.r_i, np.abs(run.z_i))
    # Z is the population-weighted mean of Z_E and Z_I
    np.testing.assert_allclose(run.z, (N_E * run.z_e + N_I * run.z_i) / N, rtol=0, atol=1e-14)
    assert run.phases.shape == run.frequencies.shape == (N,)
    assert run.snapshots.shape == (n_steps // 50 + 1, N)
    np.testing.assert_allclose(run.snapshot_times, np.arange(7) * 0.5, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(run.snapshots[-1], run.phases)
    assert run.mean_frequencies.shape == (N,)
    assert run.seed == 2**63 + 99 and not run.interrupted


def test_snapshots_and_recordings_are_consistent(run, ref):
    """Each snapshot's order parameters equal the recorded Z at the same step (where both
    exist: steps that are multiples of 7 and of 50)."""
    for k, t in enumerate(run.snapshot_times):
        step = int(round(t / 0.01))
        if step % 7 == 0:
            record = step // 7
            z_e, z_i, z = ref.order_parameters(run.snapshots[k], N_E)
            assert abs(run.z_e[record] - z_e) < 1e-13
            assert abs(run.z_i[record] - z_i) < 1e-13
            assert abs(run.z[record] - z) < 1e-13


def test_to_xarray(run):
    dataset = run.to_xarray()
    assert dataset.sizes["time"] == run.t.size
    assert dataset.sizes["oscillator"] == N
    assert dataset["r"].dims == ("time",)
    assert dataset["phases"].dims == ("oscillator",)
    np.testing.assert_array_equal(dataset["time"].values, run.t)
    np.testing.assert_array_equal(dataset["r"].values, run.r)
    np.testing.assert_array_equal(dataset["r_e"].values, run.r_e)
    np.testing.assert_array_equal(dataset["r_i"].values, run.r_i)
    np.testing.assert_array_equal(dataset["phases"].values, run.phases)
    np.testing.assert_array_equal(dataset["is_excitatory"].values, np.arange(N) < N_E)
    assert dataset["snapshots"].dims == ("snapshot_time", "oscillator")
    np.testing.assert_array_equal(dataset["mean_frequencies"].values, run.mean_frequencies)
    assert dataset.attrs["eikura_version"] == ek.__version__
    assert int(dataset.attrs["seed"]) == run.seed
    config = json.loads(dataset.attrs["config"])
    assert config == run.config
    assert config["model"]["n_e"] == N_E and config["run"]["method"] == "heun"
    assert config["model"]["k_ie"]["schedule"] == "sinusoid"


def test_save_load_round_trip(run, tmp_path):
    path = tmp_path / "run.nc"
    returned = run.save(path)
    assert os.fspath(returned) == os.fspath(path)
    loaded = ek.load(path)
    for name in ("t", "z_e", "z_i", "z", "r", "phases", "frequencies", "snapshot_times",
                 "snapshots", "mean_frequencies"):
        original, back = getattr(run, name), getattr(loaded, name)
        assert back.dtype == original.dtype, name
        np.testing.assert_array_equal(back, original, err_msg=name)
    assert loaded.seed == run.seed  # above 2**63: stored without loss
    assert loaded.config == run.config
    assert (loaded.n_e, loaded.n_i) == (N_E, N_I)
    assert loaded.version == run.version
    assert loaded.interrupted == run.interrupted and loaded.steps_done == run.steps_done


def test_round_trip_without_optional_outputs(tmp_path):
    model = ek.EIKuramoto(n_e=30, n_i=0, k_ee=2.0)
    run = ek.simulate(model, t_max=1.0, dt=0.1, seed=0, threads=1, progress=False)
    assert run.snapshots is None and run.mean_frequencies is None
    loaded = ek.load(run.save(tmp_path / "plain.nc"))
    assert loaded.snapshots is None and loaded.mean_frequencies is None
    np.testing.assert_array_equal(loaded.z_e, run.z_e)
    np.testing.assert_array_equal(loaded.z_i, run.z_i)
    np.testing.assert_array_equal(loaded.phases, run.phases)


def test_save_is_atomic_and_overwrites(run, tmp_path):
    path = tmp_path / "result.nc"
    run.save(path)
    assert sorted(os.listdir(tmp_path)) == ["result.nc"]  # no temporary file left
    other = ek.simulate(ek.EIKuramoto(n_e=5, n_i=5, k_ee=1.0), t_max=0.5, dt=0.1, seed=3,
                        record_every=5, threads=1, progress=False)
    other.save(path)  # replaces the old file
    assert sorted(os.listdir(tmp_path)) == ["result.nc"]
    assert ek.load(path).n == 10
    # a failed save (into a missing folder) leaves nothing behind either
    with pytest.raises(OSError):
        run.save(tmp_path / "missing" / "run.nc")
    assert sorted(os.listdir(tmp_path)) == ["result.nc"]


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="path"):
        ek.load(tmp_path / "nothing.nc")


# ---------------------------------------------------------------------------------------
# Snapshots and mean frequencies against exact results and the oracle
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["euler", "heun", "rk4"])
def test_zero_coupling_snapshots_and_mean_frequencies(method, rng, circ_diff):
    theta0 = rng.uniform(0, TWO_PI, N)
    omega = rng.normal(0, 2.0, N)
    model = ek.EIKuramoto(n_e=N_E, n_i=N_I, frequencies=omega,
                          network=ek.FixedInDegree(k_e=5, k_i=5))
    dt, n_steps, every = 0.01, 400, 40
    run = ek.simulate(model, t_max=n_steps * dt, dt=dt, method=method, initial=theta0, seed=1,
                      threads=1, progress=False, snapshot_every=every, mean_frequencies=True,
                      transient=1.0)
    assert run.snapshots.shape == (n_steps // every + 1, N)
    for k, t in enumerate(run.snapshot_times):
        assert np.max(np.abs(circ_diff(run.snapshots[k], theta0 + omega * t))) < 1e-12
    np.testing.assert_allclose(run.mean_frequencies, omega, rtol=0, atol=1e-9)


def test_mean_frequencies_match_the_reference(rng, ref, built_adjacency):
    """Mean dθ/dt over [transient, t_max] = unwrapped displacement / duration (oracle)."""
    theta0 = rng.uniform(0, TWO_PI, N)
    omega = rng.normal(0, 1.0, N)
    couplings = (3.0, 1.0, 2.5, 0.5)
    model = ek.EIKuramoto(n_e=N_E, n_i=N_I, frequencies=omega,
                          network=ek.FixedInDegree(k_e=12, k_i=4),
                          **dict(zip(("k_ee", "k_ei", "k_ie", "k_ii"), couplings, strict=True)))
    dt, n_steps, transient_steps = 0.02, 250, 100
    run = ek.simulate(model, t_max=n_steps * dt, dt=dt, method="rk4", initial=theta0, seed=6,
                      threads=1, progress=False, mean_frequencies=True,
                      transient=transient_steps * dt)
    adjacency = built_adjacency(model, 6)
    kwargs = dict(adjacency=adjacency, method="rk4", dt=dt, wrap=False)
    at_transient = ref.integrate(theta0, omega, N_E, couplings, n_steps=transient_steps,
                                 **kwargs)["theta"]
    at_end = ref.integrate(theta0, omega, N_E, couplings, n_steps=n_steps, **kwargs)["theta"]
    expected = (at_end - at_transient) / ((n_steps - transient_steps) * dt)
    np.testing.assert_allclose(run.mean_frequencies, expected, rtol=0, atol=1e-9)
    assert np.max(np.abs(expected - omega)) > 0.05  # coupling changed the frequencies
