"""Observables recorded in C++ (``simulate(..., observables=...)``): the population means
of dθ_i/dt and of the local order parameter at every record, against the NumPy oracle at
the recorded phases (phase snapshots taken at every record), thread counts, files,
checkpoints, and the integration they must leave untouched."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import eikura as ek

ALL = ("instantaneous_frequency", "local_order")
COUPLINGS = dict(k_ee=3.0, k_ei=1.5, k_ie=4.0, k_ii=1.0)


def _model(network, n_e=60, n_i=20, **extra):
    omega = np.random.default_rng(4).standard_cauchy(n_e + n_i) * 0.5 + 1.0
    return ek.EIKuramoto(n_e=n_e, n_i=n_i, frequencies=omega, network=network,
                         **{**COUPLINGS, **extra})


def _weighted_graph(n_e, n_i):
    """About 12 inputs per row, weights in [0.2, 1.2); oscillator 3 has no inputs at all
    (its R_i is undefined)."""
    n = n_e + n_i
    matrix = sp.random(n, n, density=12 / n, format="lil", random_state=7)
    matrix[3, :] = 0
    matrix = sp.csr_matrix(matrix)
    matrix.data = matrix.data + 0.2
    return ek.Graph(matrix, is_excitatory=np.arange(n) < n_e, weighted=True)


NETWORKS = ("all-to-all", "fixed in-degree", "sparse Erdős–Rényi", "weighted graph")


def _network(name, n_e=60, n_i=20):
    return {"all-to-all": ek.AllToAll,
            "fixed in-degree": lambda: ek.FixedInDegree(k_e=6, k_i=3),
            "sparse Erdős–Rényi": lambda: ek.ErdosRenyi(p=2.0 / (n_e + n_i)),  # rows without inputs
            "weighted graph": lambda: _weighted_graph(n_e, n_i)}[name]()


def _recorded(model, *, method="rk4", threads=1, seed=2, **settings):
    return ek.simulate(model, t_max=1.0, dt=0.02, method=method, record_every=5,
                       snapshot_every=5, seed=seed, threads=threads, progress=False,
                       observables=ALL, **settings)


def _expected(model, run, ref, adjacency, seed=2):
    """The observables from the oracle, at each recorded state (the snapshots)."""
    omega = np.asarray(model.frequencies, dtype=float)
    couplings = tuple(COUPLINGS.values())
    rows = []
    for t, theta in zip(run.t, run.snapshots, strict=True):
        rhs = (ref.rhs_pairwise(theta, t, omega, model.n_e, couplings, adjacency, model.normalization,
                                model.phase_lags)
               + ref.drive_terms(theta, t, [(d.amplitude_schedule(t), d.frequency, d.phase,
                                              d.mask(model.n_e, model.n_i)) for d in model.drives]))
        rows.append(ref.population_means(rhs, model.n_e)
                    + ref.population_means(ref.local_order_parameters(theta, adjacency), model.n_e))
    return np.array(rows)


@pytest.mark.parametrize("name", NETWORKS)
@pytest.mark.parametrize("method", ["euler", "rk4", "dopri5"])
def test_recorded_observables_match_the_reference_at_the_recorded_phases(name, method, ref,
                                                                         built_adjacency):
    model = _model(_network(name))
    run = _recorded(model, method=method)
    recorded = np.column_stack([run.instantaneous_frequency_e, run.instantaneous_frequency_i,
                                run.local_order_e, run.local_order_i])
    adjacency = built_adjacency(model, 2)
    expected = _expected(model, run, ref, adjacency)
    assert recorded.shape == (run.t.size, 4)
    if name in ("sparse Erdős–Rényi", "weighted graph"):  # rows without inputs are left out
        assert np.isnan(ref.local_order_parameters(run.phases, adjacency)).any()
    np.testing.assert_allclose(recorded, expected, rtol=1e-12, atol=1e-12)


def test_drives_phase_lags_and_noise_enter_the_frequency_but_the_noise_does_not(ref,
                                                                                built_adjacency):
    """The recorded velocity is the deterministic right-hand side (drives and lags
    included); the noise increment has no derivative and is left out."""
    model = _model(ek.FixedInDegree(k_e=6, k_i=3), noise=(0.3, 0.1), phase_lag=0.4,
                   drive=ek.Drive(1.5, 2.0, phase=0.3, target="e"))
    run = _recorded(model, method="heun")
    expected = _expected(model, run, ref, built_adjacency(model, 2))
    np.testing.assert_allclose(run.instantaneous_frequency_e, expected[:, 0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run.instantaneous_frequency_i, expected[:, 1], rtol=1e-12, atol=1e-12)


def test_all_to_all_local_order_is_the_global_order_parameter():
    run = _recorded(_model(ek.AllToAll()))
    # |Z| from C's hypot; NumPy's complex abs may round the last bit differently
    np.testing.assert_allclose(run.local_order_e, run.r, rtol=1e-15, atol=0)
    np.testing.assert_array_equal(run.local_order_i, run.local_order_e)


def test_the_local_order_parameter_sees_what_r_misses():
    """Two halves of a ring-free network locked in antiphase: each oscillator's inputs
    agree (R_i = 1) while the global r is 0."""
    n = 40
    half = np.arange(n) < n // 2
    matrix = sp.csr_matrix(np.equal.outer(half, half).astype(float) - np.eye(n))
    model = ek.EIKuramoto(n_e=30, n_i=10, network=ek.Graph(matrix, is_excitatory=np.arange(n) < 30),
                          frequencies=np.zeros(n), k_ee=1.0, k_ei=1.0, k_ie=1.0, k_ii=1.0)
    run = ek.simulate(model, t_max=0.1, dt=0.01, record_every=5, initial=np.where(half, 0.0, np.pi),
                      observables=("local_order",), progress=False)
    assert run.r.max() < 1e-14
    np.testing.assert_allclose(run.local_order_e, 1.0, rtol=1e-14)
    np.testing.assert_allclose(run.local_order_i, 1.0, rtol=1e-14)


@pytest.mark.parametrize("name", NETWORKS)
def test_observables_are_bit_identical_for_any_thread_count(name):
    model = _model(_network(name, 3000, 1100), n_e=3000, n_i=1100)
    runs = [ek.simulate(model, t_max=0.2, dt=0.02, record_every=2, seed=5, threads=threads,
                        observables=ALL, progress=False) for threads in (1, 2, 3)]
    for run in runs[1:]:
        for field in ("instantaneous_frequency_e", "instantaneous_frequency_i", "local_order_e",
                      "local_order_i", "z"):
            np.testing.assert_array_equal(getattr(run, field), getattr(runs[0], field))


@pytest.mark.parametrize("method", ["euler", "heun", "rk4", "dopri5"])
def test_recording_observables_leaves_the_integration_unchanged(method):
    noise = 0.2 if method in ("euler", "heun") else 0.0
    model = _model(ek.FixedInDegree(k_e=6, k_i=3), noise=noise)
    plain = ek.simulate(model, t_max=1.0, dt=0.02, method=method, record_every=3, seed=2,
                        progress=False)
    observed = ek.simulate(model, t_max=1.0, dt=0.02, method=method, record_every=3, seed=2,
                           progress=False, observables=ALL)
    np.testing.assert_array_equal(observed.z, plain.z)
    np.testing.assert_array_equal(observed.phases, plain.phases)
    assert plain.observables == () and plain.local_order_e is None
    assert observed.observables == ALL
    assert "observables" not in plain.config["run"]


def test_large_tiled_and_procedural_networks_record_the_same_local_order(ref, built_adjacency):
    """N > 2^17: the stored network is gathered in tiles and the procedural one block by
    block; both must give the oracle's values, and the same bits."""
    n_e, n_i = 110_000, 30_000
    runs = {}
    for kind, network in (("stored", ek.FixedInDegree(k_e=12, k_i=4)),
                          ("procedural", ek.Procedural(k_e=12, k_i=4))):
        model = ek.EIKuramoto(n_e=n_e, n_i=n_i, network=network, **COUPLINGS,
                              frequencies=ek.Lorentzian(0.0, 1.0, regular=True))
        runs[kind] = ek.simulate(model, t_max=0.04, dt=0.02, record_every=2, snapshot_every=2,
                                 seed=3, threads=2, observables=("local_order",), progress=False)
        assert model.network.build(n_e, n_i, 3, 1).tiled if kind == "stored" else True
    stored, procedural = runs["stored"], runs["procedural"]
    np.testing.assert_array_equal(procedural.local_order_e, stored.local_order_e)
    np.testing.assert_array_equal(procedural.local_order_i, stored.local_order_i)
    adjacency = built_adjacency(ek.EIKuramoto(n_e=n_e, n_i=n_i, network=ek.FixedInDegree(k_e=12, k_i=4)), 3)
    for k, theta in enumerate(stored.snapshots):
        expected = ref.population_means(ref.local_order_parameters(theta, adjacency), n_e)
        np.testing.assert_allclose([stored.local_order_e[k], stored.local_order_i[k]], expected,
                                   rtol=1e-12)


def test_observables_survive_save_and_load(tmp_path):
    run = _recorded(_model(_network("weighted graph")))
    again = ek.load(run.save(tmp_path / "run.nc"))
    assert again.observables == ALL
    for field in ("instantaneous_frequency_e", "instantaneous_frequency_i", "local_order_e",
                  "local_order_i"):
        np.testing.assert_array_equal(getattr(again, field), getattr(run, field))
    dataset = run.to_xarray()
    assert dataset["local_order_e"].dims == ("time",)
    assert "local order" in dataset["local_order_e"].attrs["long_name"]


def test_a_resumed_run_records_the_same_observables(tmp_path):
    model = _model(ek.FixedInDegree(k_e=6, k_i=3), noise=0.1)
    settings = dict(t_max=2.0, dt=0.02, record_every=3, seed=4, progress=False, observables=ALL)
    direct = ek.simulate(model, threads=2, **settings)
    checkpoint = tmp_path / "run.ckpt.nc"
    first = ek.simulate(model, **{**settings, "t_max": 1.0}, threads=1, checkpoint=checkpoint)
    assert first.local_order_e is not None
    resumed = ek.resume(checkpoint, t_max=2.0, threads=3)
    for field in ("z", "phases", "instantaneous_frequency_e", "instantaneous_frequency_i",
                  "local_order_e", "local_order_i"):
        np.testing.assert_array_equal(getattr(resumed, field), getattr(direct, field))


@pytest.mark.parametrize(("observables", "error", "match"), [
    (("local order",), ValueError, r"^observables: expected one of 'instantaneous_frequency'"),
    ("local_order", TypeError, r"^observables: .*write observables=\('local_order',\)"),
    (3, TypeError, r"^observables: expected a tuple of names"),
])
def test_bad_observables_are_refused_naming_what_was_typed(observables, error, match):
    with pytest.raises(error, match=match):
        ek.simulate(_model(ek.AllToAll()), t_max=1.0, dt=0.1, observables=observables)


def test_recording_observables_is_counted_in_the_memory_estimate():
    model = _model(ek.FixedInDegree(k_e=6, k_i=3))
    plain = ek.estimate_memory(model, n_steps=1000, record_every=1, snapshot_every=0)
    observed = ek.estimate_memory(model, n_steps=1000, record_every=1, snapshot_every=0,
                                  observables=ALL)
    # 2 observables x 2 populations x 1001 records: in C++ and in the two copies to Python,
    # plus two values per oscillator (the rows' local order parameters, and their Σ_j w_ij
    # should the network be weighted); a third with delays (the second gather pass)
    assert observed["run"] - plain["run"] == 3 * 1001 * 4 * 8 + 2 * model.n * 8
    delayed = model.with_changes(delay={"ee": 0.1, "ei": 0.1, "ie": 0.3, "ii": 0.3})
    plain = ek.estimate_memory(delayed, 1000, 1, 0, dt=0.02)
    observed = ek.estimate_memory(delayed, 1000, 1, 0, dt=0.02, observables=ALL)
    assert observed["run"] - plain["run"] == 3 * 1001 * 4 * 8 + 3 * delayed.n * 8
    # all-to-all rows need nothing per oscillator
    dense = _model(ek.AllToAll())
    extra = (ek.estimate_memory(dense, 1000, 1, 0, observables=ALL)["run"]
             - ek.estimate_memory(dense, 1000, 1, 0)["run"])
    assert extra == 3 * 1001 * 4 * 8


def test_the_notebook_view_and_the_plot_show_the_recorded_observables():
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    run = _recorded(_model(_network("fixed in-degree")))
    html = run._repr_html_()
    late = run.t >= 0.5 * run.t[-1]
    assert f"{run.local_order_e[late].mean():.4f}" in html and "mean local order" in html
    assert f"{run.instantaneous_frequency_i[late].mean():.4g}" in html
    figure = run.plot()
    labels = [line.get_label() for line in figure.axes[0].get_lines()]
    assert labels == ["$r_E$", "$r_I$", "$r$", r"$R^{\mathrm{loc}}_E$", r"$R^{\mathrm{loc}}_I$"]
    np.testing.assert_array_equal(figure.axes[0].get_lines()[3].get_ydata(), run.local_order_e)
    plt.close(figure)
    plain = ek.simulate(_model(_network("fixed in-degree")), t_max=0.2, dt=0.02, progress=False)
    assert "local order" not in plain._repr_html_()


def test_with_delays_rows_onto_e_and_onto_i_keep_their_own_local_order():
    # Delays that differ by target population gather the network twice (rows onto E with
    # τ_EE, τ_EI, rows onto I with τ_IE, τ_II); each population keeps the local order of
    # its own pass. At the first record both runs below start from the same phases and
    # the same past, so a population whose delays agree records the same value.
    network = ek.FixedInDegree(k_e=6, k_i=3)
    mixed = _model(network, delay={"ee": 0.1, "ei": 0.1, "ie": 0.3, "ii": 0.3})
    onto_e, onto_i = _model(network, delay=0.1), _model(network, delay=0.3)

    def first(model):
        return ek.simulate(model, t_max=0.1, dt=0.02, record_every=5, seed=2, progress=False,
                           observables=("local_order",))

    run, run_e, run_i = first(mixed), first(onto_e), first(onto_i)
    assert run.local_order_e[0] == run_e.local_order_e[0]
    assert run.local_order_i[0] == run_i.local_order_i[0]
    assert run_e.local_order_i[0] != run_i.local_order_i[0]  # the delays matter


def test_with_delays_all_to_all_records_the_local_order_a_dense_graph_records():
    # Every row of an all-to-all network sees all N oscillators, delayed as its population
    # sees them: the same values as the same network written as a dense graph (up to the
    # order of the additions), and no longer |Z| of the present phases.
    n_e, n_i = 40, 10
    delays = {"ee": 0.4, "ei": 0.4, "ie": 1.0, "ii": 1.0}
    dense = ek.Graph(sp.csr_matrix(np.ones((n_e + n_i, n_e + n_i))),
                     is_excitatory=np.arange(n_e + n_i) < n_e)
    runs = [ek.simulate(_model(network, n_e=n_e, n_i=n_i, delay=delays), t_max=4.0, dt=0.02,
                        record_every=10, seed=2, progress=False, observables=("local_order",))
            for network in (ek.AllToAll(), dense)]
    for field in ("local_order_e", "local_order_i"):
        np.testing.assert_allclose(getattr(runs[0], field), getattr(runs[1], field),
                                   rtol=1e-11, atol=1e-13)
    assert np.max(np.abs(runs[0].local_order_e - runs[0].r)) > 0.01  # delayed, not |Z|
