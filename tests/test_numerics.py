"""No silent wrong answers: steps too large, stiff couplings, pairs that are not pairs,
damaged files and truncated records are refused or warned about, naming what to change."""

from __future__ import annotations

import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
import scipy.sparse as sp

import eikura as ek

# The model: the synchronized state has r_E, r_I = 0.767, 0.875.
MODEL = ek.EIKuramoto(n_e=1600, n_i=400, k_ee=6.0, k_ei=1.0, k_ie=12.0, k_ii=2.0,
                      frequencies=ek.Lorentzian(0.0, 1.0, regular=True))


def _run(model=MODEL, **settings):
    options = dict(t_max=4.0, initial="sync", seed=1, threads=1, progress=False)
    return ek.simulate(model, **{**options, **settings})


# --------------------------------------------------------------------------- step size
@pytest.mark.parametrize(("method", "dt"), [("rk4", 0.5), ("rk4", 1.0), ("heun", 0.3),
                                            ("euler", 0.3), ("euler", 5.0)])
def test_a_step_that_makes_the_result_meaningless_is_refused(method, dt):
    with pytest.raises(ValueError, match=r"^dt: too large for this model: K_IE \+ K_II = 14 .* "
                                         r"use dt <= 0\.\d"):
        _run(method=method, dt=dt, t_max=10.0)


@pytest.mark.parametrize(("method", "dt"), [("rk4", 0.2), ("heun", 0.15), ("euler", 0.1)])
def test_a_step_too_large_for_accuracy_warns_with_a_safe_value(method, dt):
    with pytest.warns(ek.StepSizeWarning, match=r"^dt: .* expect errors .* use dt <= (0\.\d+)"):
        _run(method=method, dt=dt, t_max=30 * dt, record_every=1)


@pytest.mark.parametrize(("method", "dt"), [("rk4", 0.1), ("heun", 0.1), ("euler", 0.02)])
def test_steps_within_the_guard_are_accurate_and_silent(method, dt):
    """Inside the guard the synchronized levels are those of a fine step (1e-2)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = _run(method=method, dt=dt, t_max=30.0, record_every=max(1, int(0.1 / dt)))
    fine = _run(method="rk4", dt=0.005, t_max=30.0, record_every=20)
    late, late_fine = run.t > 15.0, fine.t > 15.0
    assert abs(run.r_e[late].mean() - fine.r_e[late_fine].mean()) < 1e-2
    assert abs(run.r_i[late].mean() - fine.r_i[late_fine].mean()) < 1e-2


@pytest.mark.parametrize("network", [ek.AllToAll(), ek.FixedInDegree(k_e=20, k_i=5),
                                     ek.Procedural(k_e=20, k_i=5)])
@pytest.mark.parametrize("dt", [1e-3, 0.1])
def test_stiff_couplings_are_refused_on_every_topology(network, dt):
    stiff = ek.EIKuramoto(n_e=80, n_i=20, k_ee=1e6, network=network)
    with pytest.raises(ValueError, match=r"^dt: too large .* K_EE \+ K_EI = 1e\+06"):
        ek.simulate(stiff, t_max=1.0, dt=dt, record_every=1)
    with pytest.raises(ValueError, match=r"^dt: too large"):
        ek.simulate(stiff.with_changes(k_ee=1e300), t_max=1.0, dt=dt, wrap=False, record_every=1)


def test_the_guard_uses_the_peak_of_a_schedule_and_the_frequency_spread():
    ramp = MODEL.with_changes(k_ii=ek.PiecewiseLinear([0.0, 10.0], [2.0, 40.0]))
    assert ramp.fastest_rate()[0] == pytest.approx(12.0 + 40.0 + 1.0)
    wide = MODEL.with_changes(frequencies=ek.Gaussian(100.0, 30.0))  # the mean does not count
    assert wide.fastest_rate()[0] == pytest.approx(14.0 + 30.0)
    with pytest.raises(ValueError, match=r"^dt: too large"):
        _run(ramp, dt=0.2, method="rk4", t_max=10.0)


# --------------------------------------------------------------------------- recording
def test_records_longer_than_the_run_and_rounded_durations_warn():
    with pytest.warns(RuntimeWarning, match=r"^record_every: 50 steps is longer than the run"):
        run = _run(dt=0.01, t_max=0.2, record_every=50)
    assert run.t.tolist() == [0.0]
    with pytest.warns(RuntimeWarning, match=r"^t_max: 1.005 is not a whole number of steps"):
        _run(dt=0.01, t_max=1.005, record_every=1)


# --------------------------------------------------------------------------- pairs
def test_a_two_start_pair_must_be_one_point_started_from_both_ends():
    small = MODEL.with_changes(n_e=160, n_i=40)
    low = _run(small, initial="random", dt=0.05, t_max=20.0)
    high = _run(small, initial="sync", dt=0.05, t_max=20.0)
    assert ek.classify((low, high)).protocol == "two-start"
    other_point = _run(small.with_changes(k_ee=3.0), initial="sync", dt=0.05, t_max=20.0)
    with pytest.raises(ValueError, match=r"differ in model \(k_ee\)"):
        ek.classify((low, other_point))
    with pytest.raises(ValueError, match=r"got synchronized and synchronized starts"):
        ek.classify((high, high))
    with pytest.raises(ValueError, match=r"\(swap them\)"):
        ek.classify((high, low))
    with pytest.raises(ValueError, match=r"same times"):
        ek.classify((low, _run(small, initial="sync", dt=0.05, t_max=10.0)))
    with pytest.raises(ValueError, match=r"differ in seed"):
        ek.classify((low, _run(small, initial="sync", dt=0.05, t_max=20.0, seed=2)))


# --------------------------------------------------------------------------- files
@pytest.fixture
def saved(tmp_path: Path) -> tuple[ek.Run, Path]:
    run = _run(MODEL.with_changes(n_e=800, n_i=200), dt=0.05, t_max=10.0, snapshot_every=20)
    return run, run.save(tmp_path / "run.nc")


def test_a_saved_run_brings_its_model_back(saved, tmp_path):
    run, path = saved
    again = ek.load(path)
    assert again.model is not None
    assert again.model.fingerprint() == run.model.fingerprint()
    rerun = ek.simulate(again.model, t_max=10.0, dt=0.05, initial="sync", seed=again.seed,
                        snapshot_every=20, threads=2, progress=False)
    np.testing.assert_array_equal(rerun.z, run.z)


def test_user_arrays_and_graphs_are_stored_with_runs_and_checkpoints(tmp_path):
    rng = np.random.default_rng(3)
    matrix = sp.random_array((300, 300), density=0.05, random_state=rng, format="csr")
    graph = ek.Graph(matrix, is_excitatory=rng.random(300) < 0.8, weighted=True)
    model = ek.EIKuramoto(network=graph, k_ee=2.0, k_ie=2.0, frequencies=rng.normal(0, 1, 300),
                          noise=0.05)
    checkpoint = tmp_path / "run.ckpt.nc"
    ek.simulate(model, t_max=1.0, dt=0.01, seed=4, checkpoint=checkpoint, progress=False)
    resumed = ek.resume(checkpoint, t_max=2.0)  # no model given: the stored one
    direct = ek.simulate(model, t_max=2.0, dt=0.01, seed=4, progress=False)
    np.testing.assert_array_equal(resumed.phases, direct.phases)
    loaded = ek.load(resumed.save(tmp_path / "run.nc"))
    assert loaded.model.fingerprint() == model.fingerprint()


def _flip(path: Path, offset: int, target: Path) -> Path:
    content = bytearray(path.read_bytes())
    content[offset] ^= 0x01
    target.write_bytes(bytes(content))
    return target


def test_a_flipped_bit_in_any_array_is_caught(saved, tmp_path):
    _, path = saved
    with h5py.File(path, "r") as file:
        chunks = {name: file[name].id.get_chunk_info(0) for name in ("snapshots", "phases", "r")}
    for name, chunk in chunks.items():
        damaged = _flip(path, chunk.byte_offset + chunk.size // 2, tmp_path / f"{name}.nc")
        with pytest.raises(ek.DamagedFileError, match=r"^path: .* is damaged: a stored checksum"):
            ek.load(damaged)


def test_many_flipped_bytes_never_load(saved, tmp_path):
    _, path = saved
    rng = np.random.default_rng(0)
    content = path.read_bytes()
    for trial in range(5):
        damaged = bytearray(content)
        for offset in rng.integers(0, len(content), 2000):
            damaged[offset] ^= 0xFF
        target = tmp_path / f"damaged-{trial}.nc"
        target.write_bytes(bytes(damaged))
        with pytest.raises(ValueError, match=r"^path: "):
            ek.load(target)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda file: file.attrs.__setitem__("n_e", 405), r"n_e=405, n_i=200 but it holds 1000"),
    (lambda file: file.attrs.__setitem__("steps_done", 7), r"7 steps recorded every 10"),
    (lambda file: file["phases"].__setitem__(3, -1.0), r"arrays do not match the digest"),
    (lambda file: file["r"].__setitem__(0, 0.5), r"arrays do not match the digest"),
])
def test_edited_files_are_refused_naming_the_inconsistency(saved, tmp_path, edit, message):
    _, path = saved
    target = tmp_path / "edited.nc"
    target.write_bytes(path.read_bytes())
    with h5py.File(target, "a") as file:
        edit(file)
    with pytest.raises(ek.DamagedFileError, match=message):
        ek.load(target)


def test_a_damaged_sweep_store_is_refused(tmp_path):
    from eikura.sweep import load_sweep

    path = tmp_path / "sweep.zarr"
    model = ek.EIKuramoto(n_e=80, n_i=20, k_ee=4.6, k_ei=1.0, k_ie=12.0, k_ii=2.0)
    settings = dict(over={"k_ee": [3.0, 6.0]}, t_max=10.0, dt=0.05, store=path,
                    scheduler="serial", progress=False)
    ek.sweep(model, **settings)
    chunk = next(p for p in (path / "r_e_mean").rglob("*") if p.is_file() and "c" in p.parts)
    _flip(chunk, chunk.stat().st_size // 2, chunk)
    with pytest.raises(ek.DamagedFileError, match=r"^store: .* is damaged: a chunk"):
        load_sweep(path)
    with pytest.raises(ek.DamagedFileError, match=r"^store: .* is damaged: a chunk of 'r_e_mean'"):
        ek.sweep(model, **settings)  # resuming reads the store first


def test_long_runs_outside_a_terminal_log_their_progress(monkeypatch, caplog):
    from eikura import _engine

    monkeypatch.setattr(_engine, "LOG_EVERY_SECONDS", 0.0)  # a line after every batch
    with caplog.at_level("INFO", logger="eikura"):
        _run(dt=0.05, t_max=2.0, record_every=1, progress=None)
    lines = [record.getMessage() for record in caplog.records if record.name == "eikura"]
    assert lines, "no progress line was logged"
    assert lines[-1].startswith("N=2000: step ")
