"""The three experiments, the report and their command-line subcommands, at tiny sizes.

The numbers checked here are the qualitative outcomes (labels, regions passed, files
written, what the files hold); tests/test_science.py checks simulation against theory
quantitatively.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import eikura
import eikura.experiments
from eikura import cli
from eikura.experiments import ExperimentResult, modulation, phase_diagram, switching_rate, time_series
from eikura.report import closing_notes, render, reproduce


def read(path: Path) -> xr.Dataset:
    with xr.open_dataset(path, engine="h5netcdf") as dataset:
        return dataset.load()


def check_files(files: list[Path], stem: str) -> xr.Dataset:
    names = sorted(path.name for path in files)
    assert names == sorted([f"{stem}.nc", f"{stem}.png", f"{stem}.pdf"])
    for path in files:
        assert path.exists() and path.stat().st_size > 1000
    dataset = read(next(path for path in files if path.suffix == ".nc"))
    assert dataset.attrs["eikura_version"] == eikura.__version__
    assert dataset.attrs["experiment"] == stem
    json.loads(dataset.attrs["config"])  # the configuration is readable
    return dataset


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> object:
    out = tmp_path_factory.mktemp("time_series")
    # The default switching_t_max: shorter runs switch too few times to be bistable for
    # every realization (at t_max = 2500 some seeds give 2-3 switches).
    return time_series(n=2000, t_max=40.0, switching_n=100, switching_k_ee=4.22,
                       switching_t_max=6000.0, out=out)


def test_time_series_labels_levels_and_files(series: object) -> None:
    result = series
    rows = result.summary["runs"]
    assert [(row["state"], row["start"]) for row in rows] == [
        ("desynchronized", "random"), ("bistable", "random"), ("bistable", "sync"),
        ("synchronized", "random")]
    for row in rows:
        assert row["label"] == row["state"] == row["theory_label"]
        if row["theory_state"] != "incoherent":  # synchronized levels match the theory
            assert row["error"] < 0.02
        else:  # finite-size incoherent level of N = 2000 (amplified near the boundary)
            assert row["mean_r_e"] < 0.1 and row["mean_r_i"] < 0.25
    switching = result.summary["switching"]
    assert switching["label"] == "bistable"
    assert switching["n_switches"] >= 4
    dataset = check_files(result.files, "time_series")
    assert dataset.sizes["run"] == 4
    assert list(dataset["label"].values) == [row["label"] for row in rows]
    np.testing.assert_allclose(dataset["mean_r_e"].values, [row["mean_r_e"] for row in rows])
    assert "r_switching" in dataset


def test_time_series_validation() -> None:
    with pytest.raises(ValueError, match="^n:"):
        time_series(n=0)
    with pytest.raises(ValueError, match="^transient:"):
        time_series(n=100, t_max=10.0, transient=20.0)
    with pytest.raises(TypeError, match="^states:"):
        time_series(n=100, states=[1.0, 2.0])
    with pytest.raises(ValueError, match="^width:"):
        time_series(n=100, width=0.0)


def test_phase_diagram_agrees_with_theory_away_from_boundaries(tmp_path: Path) -> None:
    result = phase_diagram(x_values=[3.0, 6.5], y_values=[1.0, 3.0], n=500, t_max=60.0,
                           theory_resolution=41, out=tmp_path)
    assert result.summary["simulated"] == result.summary["theory"] == [
        ["desynchronized", "synchronized"], ["desynchronized", "synchronized"]]
    assert result.summary["agreement"] == 1.0
    dataset = check_files(result.files, "phase_diagram")
    assert dataset["label"].dims == ("k_ii", "k_ee")
    assert "theory_label_fine" in dataset and "boundary_incoherence_real" in dataset
    assert dataset["sweep_n_switches"].shape == (2, 2, 1)


def test_phase_diagram_reports_distance_of_disagreements() -> None:
    # K_EE = 4.3 lies just inside the bistable region, 0.05 past the fold at K_II = 2:
    # a small network started from synchronized phases falls out of the barely stable
    # synchronized state, or the runs agree; either way a disagreement is near a boundary.
    result = phase_diagram(x_values=[2.0, 4.3], y_values=[2.0], n=200, t_max=60.0,
                           theory_resolution=41)
    for disagreement in result.summary["disagreements"]:
        assert disagreement["distance_to_boundary"] < 0.5
    assert result.files == []


def test_phase_diagram_validation() -> None:
    with pytest.raises(ValueError, match="^y:"):
        phase_diagram(x="k_ee", y="k_ee")
    with pytest.raises(ValueError, match="^x:"):
        phase_diagram(x="k_xx")
    with pytest.raises(ValueError, match="^x_values:"):
        phase_diagram(x_values=[3.0, 2.0])
    with pytest.raises(ValueError, match="^couplings:"):
        phase_diagram(couplings={"k_xy": 1.0})
    with pytest.raises(ValueError, match="^k_ei:"):
        phase_diagram(couplings={"k_ei": -1.0})


@pytest.fixture(scope="module")
def modulated(tmp_path_factory: pytest.TempPathFactory) -> object:
    return modulation(n=2000, period=300.0, theory_points=41,
                      out=tmp_path_factory.mktemp("modulation"))


def test_modulation_passes_the_three_regions_with_hysteresis(modulated: object) -> None:
    summary = modulated.summary
    assert summary["regions"] == ["synchronized", "bistable", "desynchronized", "bistable",
                                  "synchronized"]
    # theory: incoherence stable above s = 0.765 (det M = 0: 1.7 s = 1.3), fold at s ~ 1.25
    assert summary["s_incoherence"] == pytest.approx(1.3 / 1.7, abs=1e-6)
    assert 1.1 < summary["s_fold"] < 1.4
    simulation = summary["crossings"]["simulation"]
    # synchronization survives through the bistable region on the way up and is lost
    # only past the fold; it comes back only past the loss of stability of incoherence
    assert simulation["s_loss"] > summary["s_fold"]
    assert simulation["s_return"] < summary["s_incoherence"]
    assert simulation["t_return"] > simulation["t_loss"]
    # the mean-field equations lose synchronization at the same point...
    assert summary["crossings"]["reduced"]["s_loss"] == pytest.approx(simulation["s_loss"],
                                                                     abs=0.03)
    # ...but without fluctuations they stay incoherent (delayed bifurcation); a
    # finite-size floor brings them back close to the simulation
    assert math.isnan(summary["crossings"]["reduced"]["s_return"])
    assert summary["crossings"]["reduced_floor"]["s_return"] == pytest.approx(
        simulation["s_return"], abs=0.15)
    assert summary["consistent_fraction"] > 0.8
    dataset = check_files(modulated.files, "modulation")
    assert set(np.unique(dataset["theory_label_now"].values)) == {
        "synchronized", "bistable", "desynchronized"}
    assert float(dataset["scale"].min()) == pytest.approx(0.4, abs=1e-3)


def test_modulation_validation() -> None:
    with pytest.raises(ValueError, match="^scale_amplitude:"):
        modulation(n=100, scale_mean=0.5, scale_amplitude=0.6)
    with pytest.raises(ValueError, match="^modulated:"):
        modulation(n=100, modulated=("k_xx",))
    with pytest.raises(TypeError, match="^modulated:"):
        modulation(n=100, modulated="k_ei")
    with pytest.raises(ValueError, match="^initial:"):
        modulation(n=100, initial="zero")


def test_switching_rate_small_networks(tmp_path: Path) -> None:
    result = switching_rate(sizes=[60, 80], t_max=3000.0, out=tmp_path)
    rows = result.summary["rows"]
    assert [row["n"] for row in rows] == [60, 80]
    for row in rows:
        assert row["label"] == "bistable"
        assert row["n_switches"] >= 4
    dataset = check_files(result.files, "switching_rate")
    assert dataset["r"].shape[0] == 2
    with pytest.raises(ValueError, match="^sizes:"):
        switching_rate(sizes=[])
    with pytest.raises(ValueError, match="^transient:"):
        switching_rate(sizes=[60], t_max=100.0, transient=200.0)


def test_report_text_from_results(series: object, modulated: object) -> None:
    results = {"time_series": series, "modulation": modulated}
    notes = closing_notes(results)
    assert any("finite-size level" in note for note in notes)
    # the boundary of incoherence comes from the theory at the experiment's couplings
    assert any("near the boundary (K_EE = 5)" in note for note in notes)
    assert any("Modulation" in note for note in notes)
    text = render(results, notes, 12.0, quick=True)
    assert text.startswith("# eikura: reproduction report")
    assert "![time_series](time_series.png)" in text
    assert "## 3. Modulated inhibition" in text
    assert "## Where simulation and theory disagree" in text


def test_cli_timeseries_writes_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["timeseries", "--n", "500", "--t-max", "20", "--switching-n", "0",
                     "--out", str(tmp_path)])
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "time_series.nc", "time_series.pdf", "time_series.png"]
    assert "K_EE = 6" in capsys.readouterr().out


def test_cli_phase_diagram_passes_its_grid(monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[tuple[tuple[object, ...], dict[str, object]]] = []

    def fake(*args: object, **kwargs: object) -> ExperimentResult:
        calls.append((args, kwargs))
        return ExperimentResult("phase_diagram", None, {"agreement": 1.0, "n_points": 10})

    monkeypatch.setattr(eikura.experiments, "phase_diagram", fake)
    code = cli.main(["phase-diagram", "--x-values", "3:7:5", "--y-values", "1,2",
                     "--no-two-start", "--k-ie", "10"])
    assert code == 0
    (x, x_values, y, y_values), options = calls[0]
    assert (x, x_values, y, y_values) == ("k_ee", [3.0, 4.0, 5.0, 6.0, 7.0], "k_ii", [1.0, 2.0])
    assert options["two_start"] is False and options["couplings"] == {"k_ie": 10.0}
    assert "100 % of 10 points" in capsys.readouterr().out


def test_cli_subcommands_parse_and_refuse_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["phase-diagram", "--no-two-start"])
    assert args.two_start is False
    args = parser.parse_args(["modulation", "--period", "500"])
    assert args.period == 500.0 and args.modulated == "k_ei,k_ii"
    args = parser.parse_args(["reproduce", "--quick", "--out", "x"])
    assert args.quick is True and args.out == Path("x")
    assert cli.main(["modulation", "--n", "100", "--scale-amplitude", "2"]) == 2
    assert "scale_amplitude" in capsys.readouterr().err


def test_reproduce_writes_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The pipeline of `eikura reproduce --quick` at even smaller sizes (the quick sizes
    # themselves take about a minute on two cores; see docs/science.md).
    import eikura.report

    tiny = {
        "time_series": {"n": 500, "t_max": 20.0, "switching_n": 60, "switching_k_ee": 4.24,
                        "switching_t_max": 1500.0},
        "phase_diagram": {"n": 200, "x_values": [3.0, 6.0], "y_values": [2.0], "t_max": 30.0,
                          "theory_resolution": 21},
        "modulation": {"n": 500, "period": 200.0, "theory_points": 21},
        "switching_rate": {"sizes": (60,), "k_ee": 4.24, "t_max": 1500.0},
    }
    monkeypatch.setitem(eikura.report.SIZES, "quick", tiny)
    lines: list[str] = []
    report = reproduce(tmp_path, quick=True, log=lines.append)
    text = report.path.read_text()
    for name in ("time_series", "phase_diagram", "modulation", "switching_rate"):
        assert f"![{name}]({name}.png)" in text
        assert (tmp_path / f"{name}.png").exists() and (tmp_path / f"{name}.nc").exists()
    assert "## Where simulation and theory disagree" in text
    assert report.notes and all(note in text for note in report.notes)
    assert lines[-1].startswith("eikura reproduce: wrote")


def test_report_sorts_phase_diagram_disagreements_by_cause() -> None:
    # The disagreements of a full `eikura reproduce` run (N = 2000): theory cycles, points
    # next to a boundary, and one far from any boundary, which the report must not put
    # down to finite size.
    import xarray as xr

    from eikura.experiments import ExperimentResult

    def point(x: float, simulated: str, theory: str, distance: float) -> dict[str, object]:
        return {"x": x, "y": 1.0, "simulated": simulated, "theory": theory,
                "distance_to_boundary": distance, "mean_field_swing": 0.0,
                "limit_cycle": False}

    disagreements = [point(5.0, "synchronized", "other", 0.04),
                     point(4.14, "desynchronized", "other", 0.12),
                     point(5.0, "synchronized", "bistable", 0.42),
                     point(6.43, "other", "synchronized", 2.09)]
    summary = {"disagreements": disagreements, "grid_spacing_x": 0.2857, "n": 2000,
               "n_points": 225, "x": "k_ee", "y": "k_ii", "t_max": 150.0,
               "n_disagree": len(disagreements)}
    result = ExperimentResult(name="phase_diagram", dataset=xr.Dataset(), summary=summary,
                              files=[], seconds=0.0)
    cycles, near, far = closing_notes({"phase_diagram": result})
    assert "2 grid points" in cycles and "limit cycle" in cycles
    assert "synchronized at 1, desynchronized at 1" in cycles
    assert "1 of 225 grid points differ near a boundary" in near and "0.42" in near
    assert "k_ee = 6.43" in far and "finite size does not explain" in far
