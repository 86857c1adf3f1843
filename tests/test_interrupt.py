"""Interruption: Ctrl-C returns the partial result; files are never corrupt.

* A real SIGINT sent to a subprocess in the middle of a long run: simulate() returns a
  Run marked ``interrupted`` whose arrays have consistent lengths and equal, bit for
  bit, the first ``steps_done`` steps of an uninterrupted run; the checkpoint written at
  the interruption resumes to the uninterrupted result.
* Saves are atomic: an interrupted save (KeyboardInterrupt inside the writer, a real
  SIGINT, even SIGKILL) leaves the previous file intact and loadable.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import eikura as ek
import eikura.checkpoint as checkpoint_module
from eikura.checkpoint import read_checkpoint

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

LONG_RUN = textwrap.dedent("""
    import json, signal, sys, warnings
    # Python installs its Ctrl-C handler only if SIGINT was not ignored at start-up (as
    # it is for background jobs): install it explicitly, as an interactive session has it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import eikura as ek
    model = ek.EIKuramoto(n_e=1500, n_i=500, k_ee=3.0, k_ei=1.0, k_ie=4.0, k_ii=1.0,
                          noise=(0.05, 0.02), network=ek.FixedInDegree(k_e=30, k_i=10))
    checkpoint = sys.argv[2] if sys.argv[2] != "-" else None
    print("starting", flush=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = ek.simulate(model, t_max=1e5, dt=0.01, record_every=9, seed=7, threads=2,
                          progress=False, checkpoint=checkpoint,
                          checkpoint_every=500 if checkpoint else None)
    # The test may press Ctrl-C more than once (see _interrupt): not while saving.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    run.save(sys.argv[1])
    print(json.dumps({"warnings": [str(w.message) for w in caught],
                      "steps_done": run.steps_done, "interrupted": run.interrupted}))
""")


def _model() -> ek.EIKuramoto:
    return ek.EIKuramoto(
        n_e=1500,
        n_i=500,
        k_ee=3.0,
        k_ei=1.0,
        k_ie=4.0,
        k_ii=1.0,
        noise=(0.05, 0.02),
        network=ek.FixedInDegree(k_e=30, k_i=10),
    )


def _wait_for(condition, timeout: float, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"child exited early: {process.communicate()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("child did not start in time")
        time.sleep(0.05)


def _interrupt(process: subprocess.Popen, tries: int = 6, wait: float = 10.0) -> tuple[str, str]:
    """Press Ctrl-C until the child finishes; return its output.

    Usually once is enough. But a KeyboardInterrupt that lands while Python runs a
    finalizer (``__del__``, e.g. a library closing a file during garbage collection) is
    swallowed there ("Exception ignored in ..."): Python cannot deliver it, and a user
    would simply press Ctrl-C again.
    """
    for _ in range(tries):
        process.send_signal(signal.SIGINT)
        try:
            return process.communicate(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    process.kill()
    process.communicate()
    raise AssertionError("the child did not stop on Ctrl-C")


@pytest.mark.parametrize("with_checkpoint", [True, False], ids=["checkpoint", "no-checkpoint"])
def test_sigint_mid_run_returns_a_consistent_partial_result(tmp_path, with_checkpoint):
    result_path = tmp_path / "partial.nc"
    checkpoint = tmp_path / "run.ckpt.nc"
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            LONG_RUN,
            str(result_path),
            str(checkpoint) if with_checkpoint else "-",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout.readline().strip() == "starting"  # imports done
    time.sleep(1.0)  # well into the integration loop
    if with_checkpoint:  # the first periodic checkpoint: certainly under way
        _wait_for(checkpoint.exists, 60, child)
    stdout, stderr = _interrupt(child)
    assert child.returncode == 0, stderr
    report = json.loads(stdout.strip().splitlines()[-1])
    assert report["interrupted"] and any("interrupted at step" in w for w in report["warnings"])

    partial = ek.load(result_path)
    n_steps = 10_000_000
    assert partial.interrupted and 0 < partial.steps_done < n_steps
    n_records = partial.steps_done // 9 + 1
    for name in ("t", "z_e", "z_i", "z", "r", "r_e", "r_i"):
        assert getattr(partial, name).shape == (n_records,), name
    assert partial.phases.shape == (2000,) and np.all(np.isfinite(partial.phases))
    assert np.all(np.isfinite(partial.z))
    np.testing.assert_array_equal(partial.t, np.arange(n_records) * 9 * 0.01)

    # The partial run is exactly the beginning of the uninterrupted one.
    model = _model()
    prefix = ek.simulate(
        model,
        t_max=partial.steps_done * 0.01,
        dt=0.01,
        record_every=9,
        seed=7,
        threads=1,
        progress=False,
    )
    assert prefix.steps_done == partial.steps_done
    for name in ("z_e", "z_i", "z", "phases"):
        np.testing.assert_array_equal(getattr(partial, name), getattr(prefix, name))

    if with_checkpoint:  # and it resumes to the uninterrupted result
        assert read_checkpoint(checkpoint).step == partial.steps_done
        t_end = (partial.steps_done + 120) * 0.01
        resumed = ek.resume(checkpoint, model, t_max=t_end, threads=1)
        direct = ek.simulate(
            model, t_max=t_end, dt=0.01, record_every=9, seed=7, threads=2, progress=False
        )
        for name in ("z_e", "z_i", "z", "phases", "t"):
            np.testing.assert_array_equal(getattr(resumed, name), getattr(direct, name))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["partial.nc"] + (["run.ckpt.nc"] if with_checkpoint else [])
    )  # no temporary files


SAVE_LOOP = textwrap.dedent("""
    import signal, sys
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import numpy as np
    import eikura as ek
    model = ek.EIKuramoto(n_e=3000, n_i=1000, k_ee=2.0)
    runs = [ek.simulate(model, t_max=1.5, dt=0.01, record_every=1, snapshot_every=1, seed=seed,
                        threads=1, progress=False) for seed in (1, 2)]
    runs[0].save(sys.argv[1])
    print("saved", flush=True)
    try:
        for k in range(10**6):  # keep overwriting the file with one run, then the other
            runs[(k + 1) % 2].save(sys.argv[1])
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("interrupted", flush=True)
""")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_a_save_killed_midway_leaves_a_complete_file(tmp_path, sig):
    target = tmp_path / "run.nc"
    child = subprocess.Popen(
        [sys.executable, "-c", SAVE_LOOP, str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(target.exists, 60, child)
    time.sleep(0.77)  # somewhere in the middle of one of the (~0.1 s) saves
    if sig == signal.SIGINT:
        stdout, _ = _interrupt(child)
    else:
        child.send_signal(sig)
        stdout, _ = child.communicate(timeout=60)
    loaded = ek.load(target)  # whole and readable: one run or the other, never a mixture
    assert loaded.seed in (1, 2) and loaded.snapshots.shape == (151, 4000)
    expected = ek.simulate(
        ek.EIKuramoto(n_e=3000, n_i=1000, k_ee=2.0),
        t_max=1.5,
        dt=0.01,
        record_every=1,
        snapshot_every=1,
        seed=loaded.seed,
        threads=1,
        progress=False,
    )
    np.testing.assert_array_equal(loaded.snapshots, expected.snapshots)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "run.nc"]
    if sig == signal.SIGINT:
        assert "interrupted" in stdout and leftovers == []  # cleaned up on the way out
    else:  # SIGKILL allows no clean-up: at most one temporary file, never the target
        assert len(leftovers) <= 1 and all(name.endswith(".tmp") for name in leftovers)


def test_keyboard_interrupt_inside_save_keeps_the_old_file(tmp_path, monkeypatch):
    import xarray as xr

    model = ek.EIKuramoto(n_e=40, n_i=10, k_ee=2.0)
    old = ek.simulate(model, t_max=1.0, dt=0.1, seed=1, progress=False)
    new = ek.simulate(model, t_max=1.0, dt=0.1, seed=2, progress=False)
    target = old.save(tmp_path / "run.nc")
    original = xr.Dataset.to_netcdf

    def write_half_then_interrupt(self, path, *args, **kwargs):
        original(self, path, *args, **kwargs)
        with open(path, "r+b") as file:  # a half-written file...
            file.truncate(os.path.getsize(path) // 2)
        raise KeyboardInterrupt  # ...and Ctrl-C

    monkeypatch.setattr(xr.Dataset, "to_netcdf", write_half_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        new.save(target)
    with pytest.raises(KeyboardInterrupt):
        new.save(tmp_path / "fresh.nc")
    assert sorted(os.listdir(tmp_path)) == ["run.nc"]  # no temporary, no partial new file

    def write_half_and_swallow_the_interrupt(self, path, *args, **kwargs):
        # what a Ctrl-C caught in a library's clean-up code looks like: the writer
        # returns normally, the file is incomplete
        original(self, path, *args, **kwargs)
        with open(path, "r+b") as file:
            file.truncate(os.path.getsize(path) // 2)

    monkeypatch.setattr(xr.Dataset, "to_netcdf", write_half_and_swallow_the_interrupt)
    with pytest.raises(OSError, match=r"^path: .*does not read back.*previous file is unchanged"):
        new.save(target)
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == ["run.nc"]
    assert ek.load(target).seed == 1
    np.testing.assert_array_equal(ek.load(target).z, old.z)


def test_ctrl_c_while_a_checkpoint_is_written(tmp_path, monkeypatch):
    """Ctrl-C inside a periodic checkpoint save: the run still returns its partial result
    and the checkpoint on disk is a complete one (the interrupted write never replaced
    it; the state at the interruption is then saved)."""
    model = ek.EIKuramoto(n_e=40, n_i=10, k_ee=2.0, noise=0.1)
    settings = dict(t_max=2.0, dt=0.01, seed=3, threads=1, progress=False)
    path = tmp_path / "run.ckpt.nc"
    original = checkpoint_module.CheckpointWriter.save
    calls = []

    def save(self, simulation, elapsed):
        calls.append(simulation.step)
        if len(calls) == 3:  # the third periodic save is interrupted halfway

            def interrupted_write(temporary):
                Path(temporary).write_bytes(b"half a file")
                raise KeyboardInterrupt

            checkpoint_module.atomic_write(self.path, interrupted_write)
        original(self, simulation, elapsed)

    monkeypatch.setattr(checkpoint_module.CheckpointWriter, "save", save)
    with pytest.warns(RuntimeWarning, match="interrupted at step 30"):
        partial = ek.simulate(model, checkpoint=path, checkpoint_every=10, **settings)
    assert calls == [10, 20, 30, 30]  # the interrupted save, then the one at the interruption
    assert partial.interrupted and partial.steps_done == 30
    assert read_checkpoint(path).step == 30
    assert sorted(os.listdir(tmp_path)) == ["run.ckpt.nc"]
    monkeypatch.undo()
    resumed = ek.resume(path, model)
    direct = ek.simulate(model, **settings)
    np.testing.assert_array_equal(resumed.z, direct.z)
    np.testing.assert_array_equal(resumed.phases, direct.phases)
