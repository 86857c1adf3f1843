"""Golden outputs: hashes of what eikura computes, for behaviour-preserving changes.

``python tools/golden_outputs.py record golden.json`` runs a fixed set of small cases
through the public API only (runs of every topology and method, checkpoints, the
classifier, the theory, a sweep, the experiments) and writes one SHA-256 per array and
per summary. ``python tools/golden_outputs.py compare golden.json`` runs them again and
lists every output whose bits changed. Wall times and other measurements of the machine
are left out; everything else must match bit for bit.

The recorded file is a baseline for behaviour-preserving work: it was recorded before the
architecture change (and stayed identical through it), then recorded again once the
intended changes of that round (theory labels with limit cycles, the classifier reading
its levels from the data, data attributes) had landed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse

import eikura as ek

# Keys whose values measure the machine, not the model.
MACHINE_KEYS = ("wall_time", "seconds", "points_per_minute", "eikura_version", "version",
                "throughput", "oscillator_steps_per_second", "stored_at")


def _digest(value: Any) -> str:
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        if array.dtype.kind in "OUS":
            payload = json.dumps(array.tolist(), sort_keys=True, default=str).encode()
        else:
            payload = array.dtype.str.encode() + str(array.shape).encode() + array.tobytes()
    else:
        payload = json.dumps(_plain(value), sort_keys=True, default=repr).encode()
    return hashlib.sha256(payload).hexdigest()[:20]


def _plain(value: Any) -> Any:
    """JSON-ready copy of ``value`` without machine measurements."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()
                if not any(word in str(key) for word in MACHINE_KEYS)}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, np.ndarray):
        return _digest(value)
    if isinstance(value, (np.floating, float)):
        return float(value).hex()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, str):
        try:  # JSON configurations stored as strings: compare their content
            return _plain(json.loads(value)) if value[:1] in "{[" else value
        except json.JSONDecodeError:
            return value
    return value


def _run_outputs(run: ek.Run) -> dict[str, str]:
    out = {name: _digest(getattr(run, name)) for name in ("t", "z_e", "z_i", "z", "phases",
                                                          "frequencies")}
    for name in ("snapshots", "mean_frequencies"):
        if getattr(run, name) is not None:
            out[name] = _digest(getattr(run, name))
    out["config"] = _digest(run.config)
    return out


def _dataset_outputs(dataset: Any) -> dict[str, str]:
    if not hasattr(dataset, "data_vars"):  # a DataArray
        dataset = dataset.to_dataset(name=dataset.name or "values")
    out = {f"var:{name}": _digest(np.asarray(variable.values))
           for name, variable in dataset.variables.items()
           if not any(word in str(name) for word in MACHINE_KEYS)}
    out["attrs"] = _digest(dict(dataset.attrs))
    return out


def _model(network: Any, **extra: Any) -> ek.EIKuramoto:
    settings: dict[str, Any] = {
        "n_e": 160, "n_i": 40, "k_ee": 4.6, "k_ei": 1.0, "k_ie": 12.0, "k_ii": 2.0,
        "frequencies": ek.Lorentzian(0.0, 1.0), "network": network}
    settings.update(extra)
    return ek.EIKuramoto(**settings)


def _graph() -> ek.Graph:
    rng = np.random.default_rng(5)
    matrix = scipy.sparse.random_array((200, 200), density=0.05, random_state=rng, format="csr")
    return ek.Graph(matrix, is_excitatory=np.arange(200) < 160)


def cases() -> Iterator[tuple[str, Callable[[], dict[str, str]]]]:
    networks = {
        "all_to_all": ek.AllToAll(),
        "fixed_in_degree": ek.FixedInDegree(k_e=16, k_i=4),
        "erdos_renyi": ek.ErdosRenyi(p=0.1),
        "procedural": ek.Procedural(k_e=16, k_i=4),
        "graph": _graph(),
    }
    for topology, network in networks.items():
        for method in ("euler", "heun", "rk4"):
            yield (f"run/{topology}/{method}", lambda network=network, method=method: _run_outputs(
                ek.simulate(_model(network), t_max=5.0, dt=0.05, method=method, seed=3,
                            snapshot_every=20, mean_frequencies=True, transient=1.0)))
        for method in ("euler", "heun"):
            yield (f"run/{topology}/noise/{method}", lambda network=network, method=method:
                   _run_outputs(ek.simulate(_model(network, noise=(0.2, 0.1)), t_max=5.0,
                                            dt=0.05, method=method, seed=4, initial="sync")))
        yield (f"run/{topology}/float32", lambda network=network: _run_outputs(
            ek.simulate(_model(network), t_max=3.0, dt=0.05, seed=2, precision="float32")))
        yield (f"derivative/{topology}", lambda network=network: {"rhs": _digest(
            ek.derivative(_model(network), np.linspace(0, 6, 200), t=0.3, seed=7))})
    yield ("run/tiled", lambda: _run_outputs(ek.simulate(
        ek.EIKuramoto(n_e=110_000, n_i=30_000, k_ee=5.0, network=ek.FixedInDegree(k_e=8, k_i=2)),
        t_max=0.2, dt=0.05, seed=1, record_every=2)))
    yield ("run/schedules", lambda: _run_outputs(ek.simulate(
        _model(ek.AllToAll(), k_ee=ek.Sinusoid(4.0, 1.0, 3.0),
               k_ii=ek.PiecewiseLinear([0, 2, 4], [1.0, 3.0, 1.0]),
               frequencies=(ek.Lorentzian(0.5, 1.0, regular=True), ek.Gaussian(0.0, 1.0))),
        t_max=6.0, dt=0.02, seed=5, wrap=False)))
    yield ("run/unwrapped_uniform", lambda: _run_outputs(ek.simulate(
        _model(ek.FixedInDegree(k_e=10, k_i=5), frequencies=ek.Uniform(-1, 1),
               normalization="population"), t_max=4.0, dt=0.05, seed=5, wrap=False,
        initial=np.linspace(0, 1, 200))))
    yield ("memory", lambda: {"estimate": _digest(ek.estimate_memory(
        _model(ek.FixedInDegree(k_e=16, k_i=4)), 1000, 10, 100))})

    def checkpoint() -> dict[str, str]:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "run.ckpt.nc"
            model = _model(ek.FixedInDegree(k_e=16, k_i=4), noise=0.1)
            ek.simulate(model, t_max=2.0, dt=0.05, seed=3, checkpoint=path, checkpoint_every=10)
            resumed = ek.resume(path, model, t_max=4.0)
            saved = Path(folder) / "run.nc"
            resumed.save(saved)
            return {**_run_outputs(resumed), **{f"load/{k}": v for k, v in
                                                _run_outputs(ek.load(saved)).items()}}
    yield ("checkpoint", checkpoint)

    def classification() -> dict[str, str]:
        out = {}
        model = ek.EIKuramoto(n_e=800, n_i=200, k_ee=4.6, k_ei=1.0, k_ie=12.0, k_ii=2.0,
                              frequencies=ek.Lorentzian(0.0, 1.0, regular=True))
        low = ek.simulate(model, t_max=60.0, dt=0.05, seed=1, initial="random")
        high = ek.simulate(model, t_max=60.0, dt=0.05, seed=1, initial="sync")
        out["single_low"] = _digest(ek.classify(low).to_dict())
        out["single_high"] = _digest(ek.classify(high).to_dict())
        out["two_start"] = _digest(ek.classify((low, high)).to_dict())
        noisy = ek.simulate(model.with_changes(noise=0.3, n_e=80, n_i=20), t_max=400.0, dt=0.05,
                            seed=2)
        out["noisy"] = _digest(ek.classify(noisy).to_dict())
        return out
    yield ("classify", classification)

    def theory() -> dict[str, str]:
        out = {}
        for point in [(8.5, 3.0, 20.0, 6.0), (4.6, 1.0, 12.0, 2.0), (4.6, 1.0, 12.0, 0.3),
                      (6.0, 2.0, 6.0, 2.0)]:
            states = ek.theory.steady_states(*point)
            out[f"states{point}"] = _digest([(s.kind, s.r_e, s.r_i, s.psi, s.stable)
                                             for s in states])
            out[f"label{point}"] = ek.theory.classify(*point)
        out["noisy_states"] = _digest([(s.kind, s.r_e, s.r_i, s.stable) for s in
                                       ek.theory.steady_states(4.6, 1.0, 12.0, 2.0,
                                                               noise_e=0.3, noise_i=0.3)])
        diagram = ek.theory.phase_diagram("k_ee", np.linspace(3, 8, 30), "k_ii",
                                          np.linspace(0, 6, 25), k_ei=1.0, k_ie=12.0)
        out.update({f"diagram/{k}": v for k, v in _dataset_outputs(diagram).items()})
        bounds = ek.theory.boundaries("k_ee", np.linspace(3, 8, 40), "k_ii", k_ei=1.0, k_ie=12.0)
        out["boundaries"] = _digest(vars(bounds) if hasattr(bounds, "__dict__") else bounds)
        reduced = ek.theory.integrate_reduced(4.6, 1.0, 12.0, 0.3, t_max=50.0, dt=0.05)
        out["reduced"] = _digest(vars(reduced) if hasattr(reduced, "__dict__") else reduced)
        return out
    yield ("theory", theory)

    def sweep() -> dict[str, str]:
        model = ek.EIKuramoto(n_e=80, n_i=20, k_ee=4.6, frequencies=ek.Lorentzian(0, 1, regular=True))
        ds = ek.sweep(model, over={"k_ee": [3.0, 4.6, 6.0], "k_ii": [1.0, 2.0]}, t_max=30.0,
                      dt=0.05, seed=0, replicates=2, scheduler="serial", progress=False)
        return _dataset_outputs(ds)
    yield ("sweep", sweep)

    def experiments() -> dict[str, str]:
        from eikura import experiments as ex
        out = {}
        results = {
            "time_series": ex.time_series(n=400, t_max=20.0, switching_n=None, threads=1),
            "phase_diagram": ex.phase_diagram(x_values=[3.0, 5.0, 7.0], y_values=[0.5, 3.0], n=100,
                                              t_max=20.0, theory_resolution=21, threads=1),
            "modulation": ex.modulation(n=400, period=100.0, theory_points=21, threads=1),
            "switching_rate": ex.switching_rate(sizes=(40, 60), t_max=300.0, threads=1),
        }
        for name, result in results.items():
            out.update({f"{name}/{k}": v for k, v in _dataset_outputs(result.dataset).items()})
            out[f"{name}/summary"] = _digest(result.summary)
        return out
    yield ("experiments", experiments)


def compute() -> dict[str, dict[str, str]]:
    results = {}
    for name, case in cases():
        results[name] = case()
        print(f"{name}: {len(results[name])} outputs", file=sys.stderr)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("record", "compare"))
    parser.add_argument("path", type=Path)
    args = parser.parse_args()
    results = compute()
    if args.action == "record":
        args.path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
        print(f"recorded {sum(len(v) for v in results.values())} outputs in {args.path}")
        return 0
    golden = json.loads(args.path.read_text())
    changed = [f"{case}/{key}" for case in sorted(set(golden) | set(results))
               for key in sorted(set(golden.get(case, {})) | set(results.get(case, {})))
               if golden.get(case, {}).get(key) != results.get(case, {}).get(key)]
    total = sum(len(v) for v in golden.values())
    print(f"{total - len(changed)} of {total} golden outputs identical")
    for name in changed:
        print(f"  changed: {name}")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
