"""Checkpoint and resume: a resumed run is bit-identical to an uninterrupted one.

A run is stopped part-way in three ways: Ctrl-C (KeyboardInterrupt, raised between two
batches exactly as a real SIGINT is), a crash (any other exception: only the periodic
checkpoints survive) and simply a shorter ``t_max``. It is then resumed from its
checkpoint — in a fresh Simulation, with another thread count — and every array of the
result must equal the uninterrupted run's (np.array_equal, no tolerance): without noise,
with noise, and with time-varying (modulated) couplings, on all-to-all and sparse
networks, with snapshots and mean frequencies.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

import eikura as ek
import eikura._engine as engine_module
import eikura.simulation as simulation_module
from eikura.checkpoint import read_checkpoint
from eikura.files import atomic_write

ARRAYS = (
    "t",
    "z_e",
    "z_i",
    "z",
    "phases",
    "frequencies",
    "snapshot_times",
    "snapshots",
    "mean_frequencies",
)
SETTINGS = dict(
    t_max=3.0,
    dt=0.01,
    record_every=7,
    snapshot_every=25,
    mean_frequencies=True,
    transient=0.4,
    seed=2**64 - 11,
    progress=False,
)
N_STEPS = 300


def _model(variant: str, network: str = "all-to-all") -> ek.EIKuramoto:
    networks = {
        "all-to-all": ek.AllToAll(),
        "fixed-in-degree": ek.FixedInDegree(k_e=12, k_i=5),
        "procedural": ek.Procedural(k_e=12, k_i=5),
        "graph": ek.Graph(
            sp.random(60, 60, density=0.2, format="csr", random_state=4),
            is_excitatory=np.arange(60) % 4 != 0,
            weighted=True,
        ),
    }
    couplings = dict(k_ee=4.0, k_ei=1.5, k_ie=5.0, k_ii=1.0)
    noise = 0.0
    if variant in ("noise", "modulated"):
        noise = (0.3, 0.1)
    if variant == "modulated":
        couplings["k_ei"] = ek.Sinusoid(mean=1.5, amplitude=1.5, period=0.8)
        couplings["k_ii"] = ek.Sinusoid(mean=1.0, amplitude=2.0, period=1.1, phase=0.5)
        couplings["k_ee"] = ek.PiecewiseLinear(times=[0.0, 1.0, 2.5], values=[1.0, 6.0, 2.0])
    sizes = {} if network == "graph" else dict(n_e=45, n_i=15)
    return ek.EIKuramoto(
        **sizes,
        **couplings,
        noise=noise,
        network=networks[network],
        frequencies=ek.Lorentzian(0.5, 1.0),
    )


def assert_identical(run: ek.Run, expected: ek.Run) -> None:
    for name in ARRAYS:
        got, want = getattr(run, name), getattr(expected, name)
        if want is None:
            assert got is None, name
        else:
            assert got.dtype == want.dtype and np.array_equal(got, want), f"{name} differs"
    assert run.steps_done == expected.steps_done and not run.interrupted
    assert run.n_e == expected.n_e and run.seed == expected.seed
    assert run.config["model"] == expected.config["model"]


class _StopAfter:
    """Wraps the C++ simulation: advances at most ``chunk`` steps per call and raises
    ``error`` after the ``calls``-th call — exactly where a real Ctrl-C lands (Python only
    sees the signal when a batch returns), but at a reproducible step."""

    def __init__(self, simulation, chunk: int, calls: int, error: type[BaseException]):
        self._simulation, self._chunk, self._calls, self._error = simulation, chunk, calls, error

    def advance(self, steps: int) -> int:
        done = self._simulation.advance(min(steps, self._chunk))
        self._calls -= 1
        if self._calls == 0:
            raise self._error()
        return done

    def __getattr__(self, name):
        return getattr(self._simulation, name)


@pytest.fixture
def stop_after(monkeypatch):
    """``stop_after(chunk, calls, error)``: the next simulate() stops as described above."""

    def arm(chunk: int, calls: int, error: type[BaseException] = KeyboardInterrupt) -> None:
        build = simulation_module.core_simulation
        # Batches aim at a wall time: on a loaded machine they could shrink below `chunk`
        # and move the stop. Aim so high that every batch asks for at least `chunk` steps.
        monkeypatch.setattr(engine_module, "BATCH_SECONDS", 1e9)

        def wrapped(*args, **kwargs):
            monkeypatch.setattr(simulation_module, "core_simulation", build)  # once only
            return _StopAfter(build(*args, **kwargs), chunk, calls, error)

        monkeypatch.setattr(simulation_module, "core_simulation", wrapped)

    return arm


@pytest.mark.parametrize("network", ["all-to-all", "fixed-in-degree", "procedural"])
@pytest.mark.parametrize("variant", ["plain", "noise", "modulated"])
def test_resume_after_ctrl_c_is_bit_identical(variant, network, stop_after, tmp_path):
    model = _model(variant, network)
    expected = ek.simulate(model, threads=1, **SETTINGS)
    checkpoint = tmp_path / "run.ckpt.nc"
    stop_after(chunk=37, calls=3)  # Ctrl-C after step 111
    with pytest.warns(RuntimeWarning, match="interrupted at step 111"):
        partial = ek.simulate(model, threads=2, checkpoint=checkpoint, **SETTINGS)
    assert partial.interrupted and partial.steps_done == 111
    assert read_checkpoint(checkpoint).step == 111
    resumed = ek.resume(checkpoint, model, threads=3)
    assert_identical(resumed, expected)
    assert read_checkpoint(checkpoint).step == N_STEPS  # the finished state is saved too


@pytest.mark.parametrize("variant", ["plain", "noise", "modulated"])
def test_resume_after_a_crash_from_the_periodic_checkpoint(variant, stop_after, tmp_path):
    """A run that dies (here: an exception at step 170) loses only the steps since its
    last periodic checkpoint (step 150)."""
    model = _model(variant)
    expected = ek.simulate(model, threads=2, **SETTINGS)
    checkpoint = tmp_path / "run.ckpt.nc"
    stop_after(chunk=10, calls=17, error=MemoryError)
    with pytest.raises(MemoryError):
        ek.simulate(model, threads=1, checkpoint=checkpoint, checkpoint_every=50, **SETTINGS)
    state = read_checkpoint(checkpoint)
    assert state.step == 150 and state.checkpoint_every == 50
    assert state.z_records.shape == (150 // 7 + 1, 3) and state.snapshots.shape == (7, 60)
    assert_identical(ek.resume(checkpoint, model), expected)


@pytest.mark.parametrize("variant", ["plain", "noise", "modulated"])
def test_resume_extends_a_finished_run(variant, tmp_path):
    """A run to t = 1.37 resumed to t = 3 equals a run to t = 3 (nothing depends on where
    the run was meant to end); and one resumed back to t = 1.37 is the short run again."""
    model = _model(variant, "graph")
    expected = ek.simulate(model, threads=2, **SETTINGS)
    checkpoint = tmp_path / "run.ckpt.nc"
    short = ek.simulate(model, **{**SETTINGS, "t_max": 1.37}, checkpoint=checkpoint)
    assert read_checkpoint(checkpoint).step == 137
    copy = tmp_path / "copy.ckpt.nc"
    shutil.copy(checkpoint, copy)
    assert_identical(ek.resume(checkpoint, model, t_max=3.0, threads=1), expected)
    again = ek.resume(copy, model)  # already finished: returns at once, unchanged
    assert_identical(again, short)


def test_every_checkpoint_resumes_to_the_same_run(tmp_path, stop_after):
    """Checkpoints at several steps (including 0 and the last) all lead to one result."""
    model = _model("noise", "fixed-in-degree")
    expected = ek.simulate(model, **SETTINGS)
    for stop in (1, 2, 60, 299):
        checkpoint = tmp_path / f"at-{stop}.ckpt.nc"
        stop_after(chunk=stop, calls=1)
        with pytest.warns(RuntimeWarning, match=f"interrupted at step {stop}"):
            ek.simulate(model, checkpoint=checkpoint, **SETTINGS)
        assert_identical(ek.resume(checkpoint, model), expected)


def test_checkpoint_contents_and_wall_time(tmp_path, stop_after):
    model = _model("noise")
    checkpoint = tmp_path / "run.ckpt.nc"
    stop_after(chunk=40, calls=2)
    with pytest.warns(RuntimeWarning):
        partial = ek.simulate(model, checkpoint=checkpoint, checkpoint_every=30, **SETTINGS)
    state = read_checkpoint(checkpoint)
    assert state.step == partial.steps_done == 60  # stops at checkpoint boundaries too
    np.testing.assert_array_equal(state.phases, partial.phases)
    np.testing.assert_array_equal(state.z_records[:, 2], partial.z)
    np.testing.assert_array_equal(state.snapshots, partial.snapshots)
    np.testing.assert_array_equal(state.frequencies, partial.frequencies)
    assert state.seed == SETTINGS["seed"] and state.model_fingerprint == model.fingerprint()
    assert state.config == partial.config and np.isclose(state.t, 0.6)
    resumed = ek.resume(checkpoint, model)
    assert resumed.wall_time >= state.wall_time > 0
    # files follow the umask like any file the user creates (mkstemp alone gives 0600)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(checkpoint).st_mode) == 0o666 & ~umask
    assert sorted(os.listdir(tmp_path)) == ["run.ckpt.nc"]  # no temporary file left


def test_resume_refuses_another_model(tmp_path):
    model = _model("modulated", "graph")
    checkpoint = tmp_path / "run.ckpt.nc"
    ek.simulate(model, **{**SETTINGS, "t_max": 0.5}, checkpoint=checkpoint)
    other_strength = model.with_changes(k_ie=5.5)
    with pytest.raises(ValueError, match=r"^model: .*differs in: k_ie"):
        ek.resume(checkpoint, other_strength)
    # same description, different edge weights: caught by the fingerprint of the arrays
    matrix = model.network.matrix.copy()
    matrix.data[0] *= 1.5
    other_weights = model.with_changes(
        network=ek.Graph(matrix, model.network.is_excitatory, weighted=True)
    )
    with pytest.raises(ValueError, match=r"^model: .*array contents"):
        ek.resume(checkpoint, other_weights)
    frequencies = np.linspace(-1, 1, 60)
    with_array = model.with_changes(frequencies=frequencies)
    ek.simulate(with_array, **{**SETTINGS, "t_max": 0.5}, checkpoint=checkpoint)
    with pytest.raises(ValueError, match=r"^model: "):
        ek.resume(checkpoint, model.with_changes(frequencies=frequencies[::-1].copy()))
    ek.resume(checkpoint, model.with_changes(frequencies=frequencies.copy()))  # equal: fine


def test_resume_refuses_bad_requests(tmp_path):
    model = _model("plain")
    checkpoint = tmp_path / "run.ckpt.nc"
    ek.simulate(model, **{**SETTINGS, "t_max": 1.0}, checkpoint=checkpoint)
    with pytest.raises(ValueError, match=r"^t_max: .*at least"):
        ek.resume(checkpoint, model, t_max=0.5)
    with pytest.raises(ValueError, match=r"^t_max"):
        ek.resume(checkpoint, model, t_max=-1.0)
    with pytest.raises(ValueError, match=r"^threads"):
        ek.resume(checkpoint, model, threads=0)
    with pytest.raises(ValueError, match=r"^checkpoint_every"):
        ek.resume(checkpoint, model, checkpoint_every=0)
    with pytest.raises(ek.MemoryLimitError, match=r"^memory_limit"):
        ek.resume(checkpoint, model, t_max=100.0, memory_limit=1000)
    with pytest.raises(ValueError, match=r"^path: .*checkpoint.*ek.resume"):
        ek.load(checkpoint)  # a checkpoint is not a result file


def test_corrupt_checkpoints_are_refused(tmp_path):
    model = _model("plain")
    checkpoint = tmp_path / "run.ckpt.nc"
    ek.simulate(model, **{**SETTINGS, "t_max": 1.0}, checkpoint=checkpoint)
    content = checkpoint.read_bytes()
    truncated = tmp_path / "truncated.ckpt.nc"
    truncated.write_bytes(content[: len(content) // 2])
    with pytest.raises(ValueError, match=r"^path: .*not a readable eikura checkpoint"):
        ek.resume(truncated, model)
    empty = tmp_path / "empty.ckpt.nc"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match=r"^path: "):
        ek.resume(empty, model)

    import h5netcdf

    def edit(name, change):
        target = tmp_path / name
        shutil.copy(checkpoint, target)
        with h5netcdf.File(target, "a") as file:
            change(file)
        return target

    def set_phase(file, value):
        file.variables["phases"][3] = value

    broken = {
        "no format": lambda file: file.attrs.__delitem__("format"),
        "future format": lambda file: file.attrs.__setitem__("format_version", 99),
        "no step": lambda file: file.attrs.__delitem__("step"),
        "step past the end": lambda file: file.attrs.__setitem__("step", 10**6),
        "bad config": lambda file: file.attrs.__setitem__("config", "{not json"),
    }
    for name, change in broken.items():
        with pytest.raises(ValueError, match=r"^path: .*not a readable eikura checkpoint"):
            ek.resume(edit(f"{name}.nc", change), model)
    # edited data: the digest of the arrays no longer matches
    for value in (np.nan, 50.0, 1.0):
        with pytest.raises(ek.files.DamagedFileError, match=r"^path: .*is damaged: its arrays"):
            ek.resume(edit(f"phase-{value}.nc", lambda file, v=value: set_phase(file, v)), model)

    # state that the integrator could not have produced (in a file without a digest, as
    # eikura 0.1 wrote them): refused by the core
    def set_phase_without_digest(file, value):
        set_phase(file, value)
        del file.attrs["arrays_sha256"]

    for value in (np.nan, 50.0):
        with pytest.raises(ValueError, match="checkpoint: phases"):
            ek.resume(edit(f"raw-phase-{value}.nc",
                           lambda file, v=value: set_phase_without_digest(file, v)), model)
    with pytest.raises(ValueError, match="checkpoint: recordings"):
        ek.resume(edit("step.nc", lambda file: file.attrs.__setitem__("step", 50)), model)


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path):
    target = tmp_path / "data.txt"
    atomic_write(target, lambda temporary: Path(temporary).write_text("old"))

    def half_then_fail(temporary):
        with open(temporary, "w") as file:
            file.write("partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, half_then_fail)
    assert target.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["data.txt"]
