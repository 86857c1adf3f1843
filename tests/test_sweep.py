"""Parameter sweeps (eikura.sweep): validation, ensembles, Dask execution, store and resume.

Runs are tiny (N = 200, t_max = 20) so the whole file takes well under a minute on two
cores; one 2-worker ``LocalCluster`` is shared by the tests that need a cluster.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import eikura as ek
from eikura.classify import LABELS as CLASSIFY_LABELS
from eikura.sweep._batches import run_members
from eikura.sweep._plan import RunSettings
from eikura.sweep._store import Store

sweep_module = importlib.import_module("eikura.sweep")  # ek.sweep is the function
# Where batches are run: tests replace its run_batch to see (or forbid) the work.
sweep_execution = importlib.import_module("eikura.sweep._execution")

distributed = pytest.importorskip("distributed")
zarr = pytest.importorskip("zarr")

BASE = ek.EIKuramoto(n_e=160, n_i=40, k_ee=5.0, k_ei=1.0, k_ie=12.0, k_ii=2.0)
GRID = {"k_ee": [2.0, 5.0, 9.0], "k_ii": [0.0, 3.0]}
RUN = {"t_max": 20.0, "dt": 0.05}


def assert_same_results(first: Any, second: Any) -> None:
    """Every reproducible variable equal (timing variables excluded), NaN equal to NaN."""
    assert dict(first.sizes) == dict(second.sizes)
    for name in first.data_vars:
        if name in sweep_module.TIMING_VARIABLES:
            continue
        a, b = first[name].values, second[name].values
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    for name in first.coords:
        assert np.array_equal(first[name].values, second[name].values), name


@pytest.fixture(scope="module")
def client() -> Any:
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    with distributed.Client(cluster) as connection:
        yield connection
    cluster.close()


@pytest.fixture(scope="module")
def reference() -> Any:
    """The grid sweep run serially in this process, without a store."""
    return ek.sweep(BASE, GRID, **RUN, replicates=2, scheduler="serial")


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(batch: Any) -> Any:
        raise AssertionError("work started although the sweep specification is invalid")

    monkeypatch.setattr(sweep_execution, "run_batch", fail)


# --------------------------------------------------------------------------- specification

@pytest.mark.parametrize(
    ("over", "error", "message"),
    [
        ({"k_xx": [1.0]}, ValueError,
         r"unknown field 'k_xx'; valid fields for this model: k_ee, .*, seed"),
        ({"network.k_e": [10]}, ValueError, r"AllToAll, has no parameters"),
        ({"k_ee": []}, ValueError, r"over\['k_ee'\]: empty grid"),
        ({}, ValueError, r"over: no fields to sweep"),
        ([], ValueError, r"over: empty list"),
        ({"k_ee": 3.0}, TypeError, r"over\['k_ee'\]: expected a 1-D sequence"),
        ({"k_ee": [[1.0, 2.0]]}, ValueError, r"1-D"),
        ({"k_ee": [1.0, 1.0]}, ValueError, r"distinct"),
        ({"k_ee": [1.0, float("nan")]}, ValueError, r"NaN"),
        ({"k_ee": [1.0, -1.0]}, ValueError, r"invalid point \(k_ee=-1.0\): k_ee: must be >= 0"),
        ({"n": [100], "n_e": [80]}, ValueError, r"'n' and 'n_e'"),
        ({"replicate": [0, 1]}, ValueError, r"replicates="),
        ({"n": [100.5]}, ValueError, r"integers"),
        ([{"k_ee": 1.0}, {"k_ii": 1.0}], ValueError, r"every point must set the same fields"),
        ("k_ee", TypeError, r"over: expected a mapping"),
    ],
)
def test_bad_specification_fails_before_any_work(
    no_work: None, tmp_path: Path, over: Any, error: type, message: str
) -> None:
    store = tmp_path / "bad.zarr"
    with pytest.raises(error, match=message):
        ek.sweep(BASE, over, **RUN, store=store, scheduler="serial")
    assert not store.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"t_max": 0.5}, r"t_max: .*needs at least 10"),
        ({"dt": -1.0}, r"dt: must be > 0"),
        ({"replicates": 0}, r"replicates: must be >= 1"),
        ({"method": "rk5"}, r"method"),
        ({"scheduler": "nonsense"}, r"scheduler"),
        ({"batch_size": 0}, r"batch_size"),
    ],
)
def test_bad_run_settings_fail_before_any_work(no_work: None, arguments: dict[str, Any],
                                               message: str) -> None:
    settings = {**RUN, "scheduler": "serial", **arguments}
    with pytest.raises(ValueError, match=message):
        ek.sweep(BASE, {"k_ee": [1.0]}, **settings)


def test_width_needs_lorentzian_frequencies(no_work: None) -> None:
    model = BASE.with_changes(frequencies=ek.Gaussian(0.0, 1.0))
    with pytest.raises(ValueError, match=r"'width' sets the half-width of Lorentzian"):
        ek.sweep(model, {"width": [1.0]}, **RUN, scheduler="serial")


def test_seed_sweep_and_replicates_conflict(no_work: None) -> None:
    with pytest.raises(ValueError, match=r"replicates: with 'seed' swept"):
        ek.sweep(BASE, {"seed": [1, 2]}, **RUN, replicates=2, scheduler="serial")


def test_incompatible_store_is_refused_before_any_work(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "sweep.zarr"
    ek.sweep(BASE, {"k_ee": [2.0, 9.0]}, **RUN, store=store, scheduler="serial")
    before = sorted(p.name for p in store.rglob("*"))
    monkeypatch.setattr(sweep_execution, "run_batch", lambda batch: pytest.fail("work started"))
    with pytest.raises(ValueError, match=r"sweep.zarr' holds a different sweep.*run.t_max: 20.0 in "
                                         r"the store, 30.0 in this sweep"):
        ek.sweep(BASE, {"k_ee": [2.0, 9.0]}, t_max=30.0, dt=0.05, store=store, scheduler="serial")
    with pytest.raises(ValueError, match=r"values.k_ee"):
        ek.sweep(BASE, {"k_ee": [2.0, 8.0]}, **RUN, store=store, scheduler="serial")
    with pytest.raises(ValueError, match=r"model.k_ei: 1.0 in the store, 2.0"):
        ek.sweep(BASE.with_changes(k_ei=2.0), {"k_ee": [2.0, 9.0]}, **RUN, store=store,
                 scheduler="serial")
    assert sorted(p.name for p in store.rglob("*")) == before
    (tmp_path / "other.zarr").mkdir()
    with pytest.raises(ValueError, match=r"other.zarr' exists but is not"):
        ek.sweep(BASE, {"k_ee": [2.0]}, **RUN, store=tmp_path / "other.zarr", scheduler="serial")


# --------------------------------------------------------------------------- what is computed

def test_dataset_layout_and_classification(reference: Any) -> None:
    assert reference.sizes == {"k_ee": 3, "k_ii": 2, "replicate": 2}
    assert reference["k_ee"].values.tolist() == GRID["k_ee"]
    for name in ("label", "theory_label", "fraction_high", "n_switches", "r_mean", "r_p05",
                 "r_p95", "r_e_mean", "r_i_p50", "wall_time", "run_seed", "done"):
        assert name in reference
    assert reference.attrs["complete"] == 1
    assert set(np.unique(reference["label"].values)) <= set(CLASSIFY_LABELS)
    assert reference["label"].sel(k_ee=2.0).values.ravel().tolist() == ["desynchronized"] * 4
    assert reference["label"].sel(k_ee=9.0).values.ravel().tolist() == ["synchronized"] * 4
    assert reference["run_seed"].values[0, 0].tolist() == [0, 1]
    config = json.loads(reference.attrs["config"])
    assert config["fields"] == ["k_ee", "k_ii"] and config["run"]["t_max"] == 20.0


def test_points_equal_simulate_and_classify(reference: Any) -> None:
    for k_ee, k_ii, replicate in [(5.0, 3.0, 1), (9.0, 0.0, 0)]:
        model = BASE.with_changes(k_ee=k_ee, k_ii=k_ii)
        run = ek.simulate(model, **RUN, seed=replicate, threads=1)
        point = reference.sel(k_ee=k_ee, k_ii=k_ii, replicate=replicate)
        verdict = ek.classify(run)
        assert point["label"].item() == verdict.label
        assert point["fraction_high"].item() == verdict.fraction_high
        keep = run.t >= 0.2 * run.t[-1]
        assert point["r_mean"].item() == np.mean(run.r[keep])
        assert point["r_e_p95"].item() == np.percentile(run.r_e[keep], 95)


def test_theory_label_alongside(reference: Any) -> None:
    from eikura.theory import classify as theory_classify

    for k_ee in GRID["k_ee"]:
        for k_ii in GRID["k_ii"]:
            expected = theory_classify(k_ee=k_ee, k_ei=1.0, k_ie=12.0, k_ii=k_ii)
            labels = reference["theory_label"].sel(k_ee=k_ee, k_ii=k_ii).values
            assert labels.tolist() == [expected, expected]


def test_ensemble_equals_one_run_per_member() -> None:
    settings = RunSettings(t_max=10.0, dt=0.05, n_steps=200, method="heun", record_every=5,
                           two_start=False, initial_spread=0.1, transient=None)
    models = [BASE, BASE.with_changes(k_ee=8.0, noise=(0.05, 0.1)),
              BASE.with_changes(network=ek.FixedInDegree(k_e=16, k_i=4)),
              BASE.with_changes(n_e=90, n_i=30, network=ek.ErdosRenyi(p=0.2))]
    seeds = [3, 4, 5, 6]
    initials = ["random", "sync", "random", "sync"]
    ensemble = run_members(models, seeds, initials, settings, threads=2, ensemble=True)
    alone = run_members(models, seeds, initials, settings, threads=2, ensemble=False)
    for model, seed, initial, together, single in zip(models, seeds, initials, ensemble, alone,
                                                      strict=True):
        run = ek.simulate(model, t_max=10.0, dt=0.05, method="heun", record_every=5,
                          initial=initial, initial_spread=0.1, seed=seed, threads=1)
        assert np.array_equal(together[:, 2], run.z)
        assert np.array_equal(together[:, 0], run.z_e) and np.array_equal(together[:, 1], run.z_i)
        assert np.array_equal(single, together)


def test_ensemble_batches_equal_one_point_per_call(reference: Any) -> None:
    batched = ek.sweep(BASE, GRID, **RUN, replicates=2, scheduler="serial", batch_size=12)
    single = ek.sweep(BASE, GRID, **RUN, replicates=2, scheduler="serial", batch_size=1)
    assert_same_results(batched, reference)
    assert_same_results(single, reference)


def test_fields_map_to_the_model() -> None:
    model = BASE.with_changes(network=ek.FixedInDegree(k_e=16, k_i=4))
    points = [
        {"n": 100, "noise": 0.0, "width": 0.5, "network.k_e": 10, "seed": 7},
        {"n": 250, "noise": 0.1, "width": 1.5, "network.k_e": 20, "seed": 8},
    ]
    ds = ek.sweep(model, points, **RUN, scheduler="serial", method="heun")
    assert ds.sizes == {"point": 2, "replicate": 1}
    assert ds["network.k_e"].values.tolist() == [10, 20]
    assert ds["n_e"].values.ravel().tolist() == [80, 200]
    assert ds["n_i"].values.ravel().tolist() == [20, 50]
    assert ds["run_seed"].values.ravel().tolist() == [7, 8]
    expected = model.with_changes(n_e=200, n_i=50, noise=0.1,
                                  frequencies=ek.Lorentzian(0.0, 1.5),
                                  network=ek.FixedInDegree(k_e=20, k_i=4))
    run = ek.simulate(expected, **RUN, method="heun", seed=8, threads=1)
    keep = run.t >= 0.2 * run.t[-1]
    assert ds["r_mean"].isel(point=1, replicate=0).item() == np.mean(run.r[keep])


def test_two_start_protocol() -> None:
    ds = ek.sweep(BASE, {"k_ee": [5.0]}, **RUN, two_start=True, scheduler="serial")
    model = BASE
    from_random = ek.simulate(model, **RUN, seed=0, threads=1)
    from_sync = ek.simulate(model, **RUN, initial="sync", seed=0, threads=1)
    assert ds["label"].item() == ek.classify((from_random, from_sync)).label
    keep = from_sync.t >= 0.2 * from_sync.t[-1]
    assert ds["r_mean_sync"].item() == np.mean(from_sync.r[keep])


# --------------------------------------------------------------------------- Dask

def test_local_cluster_equals_serial(client: Any, reference: Any, tmp_path: Path) -> None:
    on_client = ek.sweep(BASE, GRID, **RUN, replicates=2, scheduler=client,
                         store=tmp_path / "a.zarr", batch_size=2)
    by_address = ek.sweep(BASE, GRID, **RUN, replicates=2, scheduler=client.scheduler.address)
    assert_same_results(on_client, reference)
    assert_same_results(by_address, reference)
    assert_same_results(sweep_module.load_sweep(tmp_path / "a.zarr"), reference)


def test_default_scheduler_starts_and_stops_a_local_cluster(reference: Any) -> None:
    result = ek.sweep(BASE, GRID, **RUN, replicates=2, n_workers=2)  # scheduler=None
    assert_same_results(result, reference)


def _write_then(monkeypatch: pytest.MonkeyPatch, after: int, action: Any) -> list[int]:
    """Wrap the client-side store write: record the points written, then act once."""
    written: list[int] = []
    original = Store.write

    def write(self: Any, flat: Any, values: Any) -> None:
        original(self, flat, values)
        written.extend(int(i) for i in flat)
        if len(written) >= after and not getattr(write, "acted", False):
            write.acted = True  # type: ignore[attr-defined]
            action()

    monkeypatch.setattr(Store, "write", write)
    return written


def test_killed_worker_loses_no_point(client: Any, reference: Any, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    client.wait_for_workers(2)
    killed: list[int] = []

    def kill_a_busy_worker() -> None:
        pids = client.run(os.getpid)
        busy = [address for address, keys in client.processing().items() if keys]
        pid = pids[(busy or list(pids))[0]]
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    written = _write_then(monkeypatch, 2, kill_a_busy_worker)
    slow = {**RUN, "t_max": 60.0}
    result = ek.sweep(BASE, GRID, **slow, replicates=2, scheduler=client, store=tmp_path / "k.zarr",
                      batch_size=1)
    assert killed
    assert sorted(written) == list(range(12))  # every point stored exactly once
    expected = ek.sweep(BASE, GRID, **slow, replicates=2, scheduler="serial")
    assert_same_results(result, expected)
    client.wait_for_workers(2)


@pytest.mark.parametrize("where", ["serial", "cluster"])
def test_interrupted_sweep_resumes_without_recomputing(
    where: str, client: Any, reference: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduler = "serial" if where == "serial" else client
    store = tmp_path / "interrupted.zarr"

    def stop() -> None:
        raise KeyboardInterrupt

    written = _write_then(monkeypatch, 4, stop)
    with pytest.warns(RuntimeWarning, match=r"sweep interrupted: \d+ of 12 points finished"):
        partial = ek.sweep(BASE, GRID, **RUN, replicates=2, store=store, scheduler=scheduler,
                           batch_size=2)
    assert partial.attrs["complete"] == 0
    first = sorted(written)
    assert 4 <= len(first) < 12
    before = sweep_module.load_sweep(store)
    assert int(before["done"].sum()) == len(first)
    monkeypatch.undo()

    computed: list[int] = []
    original_run_batch = sweep_execution.run_batch

    def counting(batch: Any) -> Any:
        computed.extend(batch.indices)
        return original_run_batch(batch)

    monkeypatch.setattr(sweep_execution, "run_batch", counting)
    resumed = ek.sweep(BASE, GRID, **RUN, replicates=2, store=store, scheduler="serial")
    assert resumed.attrs["complete"] == 1
    assert resumed.attrs["points_computed"] == 12 - len(first)
    assert sorted(computed) == sorted(set(range(12)) - set(first))
    assert_same_results(resumed, reference)
    kept = before["done"].values
    assert np.array_equal(resumed["stored_at"].values[kept], before["stored_at"].values[kept])


def test_killed_sweep_process_loses_no_finished_point(tmp_path: Path, reference: Any) -> None:
    store = tmp_path / "killed.zarr"
    script = textwrap.dedent(f"""
        import eikura as ek
        model = ek.EIKuramoto(n_e=160, n_i=40, k_ee=5.0, k_ei=1.0, k_ie=12.0, k_ii=2.0)
        ek.sweep(model, {GRID!r}, t_max=200.0, dt=0.05, replicates=2, store={str(store)!r},
                 scheduler="serial", batch_size=1, threads=1)
    """)
    process = subprocess.Popen([sys.executable, "-c", script])
    done = 0
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if store.exists():
                try:
                    done = int(np.count_nonzero(zarr.open_group(str(store), mode="r")["done"][...]))
                except Exception:  # store being created
                    done = 0
                if done >= 3:
                    break
            time.sleep(0.02)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
    before = sweep_module.load_sweep(store)
    finished = before["done"].values
    assert 3 <= finished.sum() < 12
    resumed = ek.sweep(BASE, GRID, t_max=200.0, dt=0.05, replicates=2, store=store,
                       scheduler="serial")
    assert resumed.attrs["points_computed"] == 12 - finished.sum()
    assert np.array_equal(resumed["stored_at"].values[finished],
                          before["stored_at"].values[finished])
    uninterrupted = ek.sweep(BASE, GRID, t_max=200.0, dt=0.05, replicates=2, scheduler="serial")
    assert_same_results(resumed, uninterrupted)


# --------------------------------------------------------------------------- CLI and plotting

def test_cli_sweep_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import matplotlib as mpl

    mpl.use("Agg")
    from eikura.cli import main

    config = tmp_path / "grid.toml"
    config.write_text(textwrap.dedent("""
        [model]
        n_e = 160
        n_i = 40
        k_ei = 1.0
        k_ie = 12.0
        width = 1.0
        [over]
        k_ee = {start = 2.0, stop = 9.0, num = 3}
        k_ii = [0.0, 3.0]
        [run]
        t_max = 20.0
        dt = 0.05
        [sweep]
        store = "grid.zarr"
    """))
    assert main(["sweep", str(config), "--scheduler", "serial"]) == 0
    assert "6 of 6 points" in capsys.readouterr().out
    stored = sweep_module.load_sweep(tmp_path / "grid.zarr")
    expected = ek.sweep(BASE, {"k_ee": [2.0, 5.5, 9.0], "k_ii": [0.0, 3.0]}, **RUN,
                        scheduler="serial")
    assert_same_results(stored, expected)
    figure = tmp_path / "diagram"
    assert main(["plot-sweep", str(tmp_path / "grid.zarr"), "--out", str(figure)]) == 0
    assert (tmp_path / "diagram.png").stat().st_size > 0
    assert (tmp_path / "diagram.pdf").stat().st_size > 0
    config.write_text(config.read_text().replace("[run]", "[run]\nbogus = 1"))
    assert main(["sweep", str(config), "--scheduler", "serial"]) == 2
    assert "unknown key 'bogus' in [run]" in capsys.readouterr().err


def test_example_config_is_valid() -> None:
    path = Path(__file__).resolve().parents[1] / "examples" / "sweep_kee_kii.toml"
    arguments = sweep_module.read_config(path)
    assert arguments["model"].n == 2000
    assert [len(v) for v in arguments["over"].values()] == [41, 41]
