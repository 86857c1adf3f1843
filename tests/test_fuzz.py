"""Property-based tests (hypothesis) of the public API.

* Valid inputs — random sizes (including empty populations), constant and time-varying
  couplings, frequencies, noise, every topology, normalisation and integrator, step,
  record interval, seed, thread count, wrapping — give what the NumPy oracle
  (tests/reference.py) gives.
* Invalid inputs — a random bad value for a random parameter — raise ValueError or
  TypeError whose message names the parameter; never a crash, never a run.
* User sparse matrices in any scipy format, with unsorted indices, duplicates and stored
  zeros, mean what ``toarray()`` shows; corrupted ones are refused.
* A run split at a random step and resumed from its checkpoint is bit-identical.
* classify() labels any valid series and refuses invalid ones.

Example counts come from a hypothesis profile chosen by the environment variable
EIKURA_HYPOTHESIS_PROFILE: ``ci`` (default: small and derandomised, so CI is fast and
reproducible), ``sanitizer`` (at least 300 random examples per target, for the
AddressSanitizer run, see docs/reliability.md) or ``thorough`` (2000 per target).
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import eikura as ek

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference

# When a property fails, hypothesis's pytest plugin imports its patch writer, which (with
# libcst installed) emits a DeprecationWarning; with warnings as errors that hides the
# failure behind an INTERNALERROR. Import it once here, quietly.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    with contextlib.suppress(ImportError):
        import hypothesis.extra._patching  # noqa: F401

# No "explain" phase: it imports modules that emit DeprecationWarnings, which the strict
# pytest configuration (warnings are errors) turns into an internal error on failure.
_COMMON = dict(
    deadline=None,
    print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
settings.register_profile("ci", max_examples=40, derandomize=True, **_COMMON)
settings.register_profile("sanitizer", max_examples=300, **_COMMON)
settings.register_profile("thorough", max_examples=2000, **_COMMON)
PROFILE_NAME = os.environ.get("EIKURA_HYPOTHESIS_PROFILE", "ci")
PROFILE = settings.get_profile(PROFILE_NAME)


def examples(in_ci: int, scale: int = 1) -> settings:
    """The profile's settings; in the CI profile ``in_ci`` examples (the cheap targets
    get more than the ones that integrate), elsewhere ``scale`` times the profile's count
    (for targets that split their examples over many parameters)."""
    count = in_ci if PROFILE_NAME == "ci" else scale * PROFILE.max_examples
    return settings(PROFILE, max_examples=count)


COUPLINGS = ("k_ee", "k_ei", "k_ie", "k_ii")
NAN, INF = float("nan"), float("inf")


def finite(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


# ---------------------------------------------------------------------------------------
# Valid models and runs
# ---------------------------------------------------------------------------------------
def couplings_up_to(high: float) -> st.SearchStrategy:
    ramp = st.lists(finite(-0.5, 1.5), min_size=1, max_size=4, unique=True).flatmap(
        lambda times: st.lists(finite(0, high), min_size=len(times), max_size=len(times)).map(
            lambda values: ek.PiecewiseLinear(sorted(times), values)
        )
    )
    sinusoid = st.builds(
        ek.Sinusoid,
        mean=finite(0, high),
        amplitude=finite(-high, high),
        period=finite(0.05, 5.0),
        phase=finite(-math.pi, math.pi),
    )
    return st.one_of(finite(0, high), st.integers(0, int(high)), sinusoid, ramp)


@st.composite
def labelled_matrices(draw, n: int, canonical: bool = False):
    """(matrix, labels, dense) with non-negative weights: raw entries that may repeat and
    include zeros, stored with unsorted rows, in a random scipy format."""
    n_entries = draw(st.integers(0, 3 * n))
    rows = draw(hnp.arrays(np.int64, n_entries, elements=st.integers(0, n - 1)))
    cols = draw(hnp.arrays(np.int64, n_entries, elements=st.integers(0, n - 1)))
    weights = draw(
        hnp.arrays(np.float64, n_entries, elements=st.one_of(st.just(0.0), finite(0.1, 3.0)))
    )
    dense = np.zeros((n, n))
    np.add.at(dense, (rows, cols), weights)
    form = draw(st.sampled_from(["raw-csr", "coo", "csr", "csc", "lil", "dok", "csr_array"]))
    index_dtype = draw(st.sampled_from([np.int32, np.int64]))
    if form == "raw-csr":  # grouped by row, columns in drawn order: unsorted, duplicates kept
        order = np.argsort(rows, kind="stable")
        indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=n))].astype(index_dtype)
        matrix = sp.csr_matrix(
            (weights[order], cols[order].astype(index_dtype), indptr), shape=(n, n)
        )
    else:
        coo = sp.coo_matrix(
            (weights, (rows.astype(index_dtype), cols.astype(index_dtype))), shape=(n, n)
        )
        matrix = {
            "coo": lambda: coo,
            "csr": coo.tocsr,
            "csc": coo.tocsc,
            "lil": coo.tolil,
            "dok": coo.todok,
            "csr_array": lambda: sp.csr_array(coo),
        }[form]()
    labels = draw(hnp.arrays(np.bool_, n))
    return matrix, labels, dense


@st.composite
def valid_runs(draw):
    topology = draw(
        st.sampled_from(["all-to-all", "fixed-in-degree", "procedural", "erdos-renyi", "graph"])
    )
    normalization = draw(st.sampled_from(["in-degree", "population", "none"]))
    high = 0.4 if normalization == "none" else 5.0  # raw sums grow with the in-degree
    couplings = {name: draw(couplings_up_to(high)) for name in COUPLINGS}
    adjacency = "build"
    if topology == "graph":
        n = draw(st.integers(1, 14))
        matrix, labels, dense = draw(labelled_matrices(n))
        weighted = draw(st.booleans())
        network = ek.Graph(matrix, is_excitatory=labels, weighted=weighted)
        n_e, n_i = int(labels.sum()), int(n - labels.sum())
        order = np.r_[np.flatnonzero(labels), np.flatnonzero(~labels)]
        permuted = dense[order][:, order]  # the oracle's own reading of the user matrix
        adjacency = sp.csr_matrix(permuted if weighted else (permuted != 0).astype(float))
    else:
        n_e, n_i = draw(st.integers(0, 12)), draw(st.integers(0, 12))
        assume(n_e + n_i > 0)
        self_connections = draw(st.booleans())
        if topology in ("fixed-in-degree", "procedural"):
            drop = 0 if self_connections else 1
            kind = ek.FixedInDegree if topology == "fixed-in-degree" else ek.Procedural
            network = kind(
                k_e=draw(st.integers(0, max(n_e - drop, 0))),
                k_i=draw(st.integers(0, max(n_i - drop, 0))),
                self_connections=self_connections,
            )
        elif topology == "erdos-renyi":
            network = ek.ErdosRenyi(
                **{f"p_{b}": draw(finite(0, 1)) for b in ("ee", "ei", "ie", "ii")},
                self_connections=self_connections,
            )
        else:
            network = ek.AllToAll()
    n = n_e + n_i
    noisy = draw(st.booleans())
    noise = (draw(finite(0, 0.5)), draw(finite(0, 0.5))) if noisy else 0.0
    model = ek.EIKuramoto(
        n_e=n_e,
        n_i=n_i,
        **couplings,
        noise=noise,
        network=network,
        normalization=normalization,
        frequencies=draw(hnp.arrays(np.float64, n, elements=finite(-3, 3))),
    )
    methods = ["euler", "heun"] if model.has_noise else ["euler", "heun", "rk4"]
    run = dict(
        method=draw(st.sampled_from(methods)),
        dt=draw(finite(0.001, 0.05)),
        n_steps=draw(st.integers(1, 25)),
        record_every=draw(st.integers(1, 6)),
        seed=draw(st.integers(0, 2**64 - 1)),
        threads=draw(st.integers(1, 3)),
        wrap=draw(st.booleans()),
        initial=draw(hnp.arrays(np.float64, n, elements=finite(-10, 10))),
    )
    return model, run, adjacency


def _circle(a, b):
    return np.angle(np.exp(1j * (np.asarray(a) - np.asarray(b))))


# Random steps and strengths may be too coarse or too short to record: that is what the
# step-size and recording warnings are for; here only the agreement is tested.
@pytest.mark.filterwarnings("ignore::eikura.StepSizeWarning")
@pytest.mark.filterwarnings("ignore:record_every.*longer than the run:RuntimeWarning")
@examples(in_ci=30)
@given(valid_runs())
def test_valid_runs_match_the_reference(case):
    model, run, adjacency = case
    result = ek.simulate(
        model,
        t_max=run["n_steps"] * run["dt"],
        dt=run["dt"],
        method=run["method"],
        record_every=run["record_every"],
        initial=run["initial"],
        seed=run["seed"],
        threads=run["threads"],
        wrap=run["wrap"],
        progress=False,
    )
    assert result.steps_done == run["n_steps"] and not result.interrupted
    if isinstance(adjacency, str):  # random networks: the engine's own draw
        built = model.network.build(int(model.n_e), int(model.n_i), run["seed"], 1)
        if built is None:
            adjacency = None
        elif hasattr(built, "sources"):  # procedural: rows drawn on demand
            rows = [np.asarray(built.sources(i)) for i in range(model.n)]
            indptr = np.r_[0, np.cumsum([row.size for row in rows])]
            indices = np.concatenate(rows) if rows else np.empty(0, int)
            adjacency = sp.csr_matrix(
                (np.ones(indices.size), indices, indptr), shape=(model.n, model.n)
            )
        else:
            adjacency = sp.csr_matrix(
                (np.ones(int(built.n_edges)), np.asarray(built.indices), np.asarray(built.indptr)),
                shape=(model.n, model.n),
            )
    schedules = [getattr(model, name) for name in COUPLINGS]
    expected = reference.integrate(
        run["initial"],
        model.frequencies,
        int(model.n_e),
        lambda t: tuple(float(s(t)) for s in schedules),
        adjacency=adjacency,
        normalization=model.normalization,
        method=run["method"],
        dt=run["dt"],
        n_steps=run["n_steps"],
        noise=tuple(model.noise),
        seed=run["seed"],
        record_every=run["record_every"],
        wrap=run["wrap"],
    )
    # t = step * dt in one rounding (the oracle rounds record_every * dt first: 1 ulp apart)
    np.testing.assert_array_equal(
        result.t, np.arange(result.t.size) * run["record_every"] * run["dt"]
    )
    np.testing.assert_allclose(result.t, expected["t"], rtol=1e-15, atol=0)
    np.testing.assert_allclose(_circle(result.phases, expected["theta"]), 0, atol=1e-7)
    if run["wrap"]:
        assert np.all((result.phases >= 0) & (result.phases <= 2 * np.pi))
    else:
        np.testing.assert_allclose(result.phases, expected["theta"], rtol=0, atol=1e-7)
    # the mean field of an empty population is undefined: the oracle says NaN, the
    # engine records 0; compare the fields of non-empty populations
    fields = ["z"] + ["z_e"] * (model.n_e > 0) + ["z_i"] * (model.n_i > 0)
    for name in fields:
        np.testing.assert_allclose(getattr(result, name), expected[name], rtol=0, atol=1e-7)


# ---------------------------------------------------------------------------------------
# Invalid inputs: a random bad value for a random parameter
# ---------------------------------------------------------------------------------------
JUNK = st.one_of(
    st.text(max_size=4),
    st.none(),
    st.complex_numbers(allow_nan=False),
    st.lists(finite(0, 1), max_size=3),
    st.just(object()),
    st.binary(max_size=3),
)
NON_FINITE = st.sampled_from([NAN, INF, -INF])
NEGATIVE = st.one_of(
    st.floats(max_value=-1e-300, allow_nan=False, allow_infinity=False), st.integers(max_value=-1)
)
NOT_POSITIVE = st.one_of(
    st.floats(max_value=0.0, allow_nan=False, allow_infinity=False), st.integers(max_value=0)
)
NON_INTEGER = st.one_of(finite(-1e6, 1e6), st.booleans(), JUNK)
BAD_REAL = st.one_of(NON_FINITE, JUNK, st.booleans())


def _model(**changes):
    return ek.EIKuramoto(
        **{"n_e": 4, "n_i": 2, "k_ee": 1.0, "k_ei": 1.0, "k_ie": 1.0, "k_ii": 1.0, **changes}
    )


def _simulate(**changes):
    model = changes.pop("model", None) or _model()
    return ek.simulate(
        model, **{"t_max": 0.2, "dt": 0.1, "seed": 1, "threads": 1, "progress": False,
                  "record_every": 1, **changes}
    )


def _distribution(cls, **changes):
    return lambda: cls(**changes)


def _bad_step_interval():
    return st.one_of(
        st.integers(max_value=0), st.integers(min_value=2**53 + 1, max_value=2**70), NON_INTEGER
    )


def _wrong_length_arrays():
    return (
        st.integers(0, 12)
        .filter(lambda size: size != 6)
        .flatmap(lambda size: hnp.arrays(np.float64, size, elements=finite(-5, 5)))
    )


def _arrays_with_a_hole(fill):
    return st.tuples(
        hnp.arrays(np.float64, 6, elements=finite(-5, 5)), st.integers(0, 5), fill
    ).map(lambda drawn: np.where(np.arange(6) == drawn[1], drawn[2], drawn[0]))


# parameter -> (strategy of bad values, call with the bad value)
INVALID = {
    "n_e": (st.one_of(st.integers(max_value=-1), NON_INTEGER), lambda v: _model(n_e=v)),
    "n_i": (
        st.one_of(st.integers(max_value=-1), NON_INTEGER.filter(lambda v: v is not None)),
        lambda v: _model(n_i=v),
    ),
    **{
        name: (st.one_of(NEGATIVE, BAD_REAL), lambda v, name=name: _model(**{name: v}))
        for name in COUPLINGS
    },
    "noise": (
        st.one_of(
            NEGATIVE,
            BAD_REAL.filter(lambda v: not isinstance(v, list)),
            st.tuples(finite(0, 1), st.one_of(NEGATIVE, NON_FINITE)),
            st.lists(finite(0, 1), min_size=3, max_size=5),
        ),
        lambda v: _model(noise=v),
    ),
    "frequencies": (
        st.one_of(
            _wrong_length_arrays(),
            _arrays_with_a_hole(NON_FINITE),
            st.text(max_size=3),
            st.none(),
            hnp.arrays(np.complex128, 6, elements=st.complex_numbers(max_magnitude=2)),
        ),
        lambda v: _model(frequencies=v),
    ),
    "normalization": (
        st.one_of(st.text(max_size=12), JUNK).filter(
            lambda v: v not in ("in-degree", "population", "none")
        ),
        lambda v: _model(normalization=v),
    ),
    "width": (st.one_of(NOT_POSITIVE, BAD_REAL), lambda v: ek.Lorentzian(0.0, v)),
    "center": (BAD_REAL, lambda v: ek.Lorentzian(v, 1.0)),
    "std": (st.one_of(NOT_POSITIVE, BAD_REAL), lambda v: ek.Gaussian(0.0, v)),
    "regular": (
        st.one_of(st.integers(), st.text(max_size=3), st.none()),
        lambda v: ek.Uniform(regular=v),
    ),
    "period": (st.one_of(NOT_POSITIVE, BAD_REAL), lambda v: ek.Sinusoid(1.0, 1.0, v)),
    "amplitude": (BAD_REAL, lambda v: ek.Sinusoid(1.0, v, 1.0)),
    "k_e": (
        st.one_of(
            st.integers(max_value=-1),
            st.integers(4, 10**12),
            NON_INTEGER.filter(lambda v: v is not None),
        ),
        lambda v: _model(network=ek.FixedInDegree(k_e=v, k_i=1)),
    ),
    "p": (
        st.one_of(
            st.floats(min_value=1.0001, allow_nan=False),
            NEGATIVE,
            BAD_REAL.filter(lambda v: v is not None),
        ),
        lambda v: ek.ErdosRenyi(p=v),
    ),
    "dt": (st.one_of(NOT_POSITIVE, BAD_REAL, st.floats(1e-300, 1e-17)), lambda v: _simulate(dt=v)),
    "t_max": (
        st.one_of(NOT_POSITIVE, BAD_REAL, st.floats(1e-300, 0.04), st.floats(1e16, 1e300)),
        lambda v: _simulate(t_max=v),
    ),
    "method": (
        st.one_of(st.text(max_size=8), JUNK).filter(
            lambda v: v is not None and v not in ("euler", "heun", "rk4")
        ),
        lambda v: _simulate(method=v),
    ),
    "record_every": (_bad_step_interval(), lambda v: _simulate(record_every=v)),
    "snapshot_every": (
        _bad_step_interval().filter(lambda v: v is not None),
        lambda v: _simulate(snapshot_every=v),
    ),
    "checkpoint_every": (
        _bad_step_interval().filter(lambda v: v is not None),
        lambda v: _simulate(checkpoint_every=v, checkpoint=_scratch_checkpoint()),
    ),
    "seed": (
        st.one_of(st.integers(max_value=-1), st.integers(min_value=2**64), NON_INTEGER),
        lambda v: _simulate(seed=v),
    ),
    "threads": (
        st.one_of(
            st.integers(max_value=0),
            st.integers(min_value=4097),
            NON_INTEGER.filter(lambda v: v is not None),
        ),
        lambda v: _simulate(threads=v),
    ),
    "initial": (
        st.one_of(
            _wrong_length_arrays(),
            _arrays_with_a_hole(NON_FINITE),
            st.text(max_size=6).filter(lambda v: v not in ("random", "sync")),
            hnp.arrays(np.complex128, 6, elements=st.complex_numbers(max_magnitude=2)),
        ),
        lambda v: _simulate(initial=v),
    ),
    "transient": (
        st.one_of(NEGATIVE, BAD_REAL.filter(lambda v: v is not None), st.floats(0.2, 1e6)),
        lambda v: _simulate(mean_frequencies=True, transient=v),
    ),
    "memory_limit": (
        # the default run of _simulate needs 816 bytes
        st.one_of(NOT_POSITIVE, BAD_REAL.filter(lambda v: v is not None), st.floats(1.0, 800.0)),
        lambda v: _simulate(memory_limit=v),
    ),
    "wrap": (st.one_of(st.integers(), st.text(max_size=3), st.none()), lambda v: _simulate(wrap=v)),
}

_SCRATCH = Path(tempfile.gettempdir())


def _scratch_checkpoint() -> Path:
    return _SCRATCH / f"eikura-fuzz-{os.getpid()}.ckpt.nc"


@examples(in_ci=150, scale=4)
@given(st.data())
def test_invalid_arguments_raise_cleanly(data):
    parameter = data.draw(st.sampled_from(sorted(INVALID)), label="parameter")
    strategy, call = INVALID[parameter]
    value = data.draw(strategy, label="value")
    with pytest.raises((ValueError, TypeError)) as raised:
        call(value)
    message = str(raised.value)
    assert (
        parameter in message.split(":", maxsplit=1)[0]
        or f"{parameter}:" in message
        or (parameter in ("dt", "t_max") and message.startswith("t_max, dt"))
    ), message


# ---------------------------------------------------------------------------------------
# User matrices
# ---------------------------------------------------------------------------------------
@examples(in_ci=60)
@given(st.integers(1, 12).flatmap(labelled_matrices), st.booleans())
def test_user_matrices_mean_what_toarray_shows(case, weighted):
    matrix, labels, dense = case
    graph = ek.Graph(matrix, is_excitatory=labels, weighted=weighted)
    network = graph.build(graph.n_e, graph.n_i, 0, 1)
    n = labels.size
    weights = np.asarray(network.weights)
    built = sp.csr_matrix(
        (
            weights if weights.size else np.ones(int(network.n_edges)),
            np.asarray(network.indices),
            np.asarray(network.indptr),
        ),
        shape=(n, n),
    ).toarray()
    order = np.r_[np.flatnonzero(labels), np.flatnonzero(~labels)]
    expected = dense[order][:, order]
    np.testing.assert_allclose(
        built, expected if weighted else (expected != 0).astype(float), rtol=1e-15, atol=0
    )
    indptr, indices = np.asarray(network.indptr), np.asarray(network.indices)
    for row in range(n):  # sorted, no duplicates, E sources before I sources
        sources = indices[indptr[row] : indptr[row + 1]]
        assert np.all(np.diff(sources) > 0)
        assert np.asarray(network.e_end)[row] == indptr[row] + np.sum(sources < graph.n_e)


@st.composite
def corrupted_matrices(draw):
    n = draw(st.integers(2, 10))
    matrix, labels, _ = draw(labelled_matrices(n))
    csr = sp.csr_matrix(matrix)
    csr.sum_duplicates()
    csr.data[:] = np.maximum(csr.data, 0.5)
    csr.eliminate_zeros()
    kind = draw(st.sampled_from(["index", "indptr", "weight", "labels", "shape", "dtype"]))
    if kind in ("index", "weight") and csr.nnz == 0:
        csr = sp.csr_matrix(([1.0], ([0], [1])), shape=(n, n))
    parameter = "matrix"
    if kind == "index":
        bad = draw(st.one_of(st.integers(n, 2**31 - 1), st.integers(-(2**31), -1)))
        csr.indices[draw(st.integers(0, csr.nnz - 1))] = bad
    elif kind == "indptr":
        position = draw(st.integers(0, n))
        csr.indptr[position] = draw(
            st.integers(-5, 3 * n + 5).filter(lambda v, p=position: v != csr.indptr[p])
        )
        # still well formed (an indptr may end before the stored arrays: scipy ignores the rest)
        assume(
            not (
                np.all(np.diff(csr.indptr) >= 0)
                and csr.indptr[0] == 0
                and csr.indptr[-1] <= csr.indices.size
            )
        )
    elif kind == "weight":
        csr.data[draw(st.integers(0, csr.nnz - 1))] = draw(
            st.one_of(NON_FINITE, NEGATIVE.map(float))
        )
    elif kind == "labels":
        parameter = "is_excitatory"
        labels = draw(
            st.one_of(
                hnp.arrays(np.bool_, st.integers(0, 12).filter(lambda s: s != n)),
                hnp.arrays(np.int64, n, elements=st.integers(0, 1)),
                hnp.arrays(np.float64, n, elements=finite(0, 1)),
            )
        )
    elif kind == "shape":
        csr = sp.csr_matrix((n, n + draw(st.integers(1, 3))))
    else:
        csr = csr.astype(np.complex128)
    return csr, labels, draw(st.booleans()), parameter


@examples(in_ci=80)
@given(corrupted_matrices())
def test_corrupted_matrices_are_refused(case):
    matrix, labels, weighted, parameter = case
    with pytest.raises((ValueError, TypeError), match=rf"^{parameter}: "):
        ek.Graph(matrix, is_excitatory=labels, weighted=weighted)


# Random steps and strengths may be too coarse or too short to record: that is what the
# step-size and recording warnings are for; here only the agreement is tested.
@pytest.mark.filterwarnings("ignore::eikura.StepSizeWarning")
@pytest.mark.filterwarnings("ignore:record_every.*longer than the run:RuntimeWarning")
# ---------------------------------------------------------------------------------------
# Checkpoint and resume at a random step
# ---------------------------------------------------------------------------------------
@examples(in_ci=12)
@given(valid_runs(), st.data())
def test_resume_at_any_step_is_bit_identical(case, data):
    model, run, _ = case
    n_steps = run["n_steps"] + 20
    stop = data.draw(st.integers(1, n_steps), label="stop")
    settings_ = dict(
        dt=run["dt"],
        method=run["method"],
        record_every=run["record_every"],
        initial=run["initial"],
        seed=run["seed"],
        wrap=run["wrap"],
        progress=False,
        snapshot_every=data.draw(st.none() | st.integers(1, 7), label="snapshot_every"),
    )
    direct = ek.simulate(model, t_max=n_steps * run["dt"], threads=run["threads"], **settings_)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.ckpt.nc"
        ek.simulate(model, t_max=stop * run["dt"], threads=1, checkpoint=path, **settings_)
        resumed = ek.resume(path, model, t_max=n_steps * run["dt"], threads=2)
    assert resumed.steps_done == direct.steps_done
    for name in ("t", "z_e", "z_i", "z", "phases", "snapshots"):
        expected = getattr(direct, name)
        if expected is None:
            assert getattr(resumed, name) is None
        else:
            assert np.array_equal(getattr(resumed, name), expected), name


# ---------------------------------------------------------------------------------------
# classify
# ---------------------------------------------------------------------------------------
@examples(in_ci=60)
@given(
    hnp.arrays(np.float64, st.integers(20, 400), elements=finite(0, 1)),
    st.integers(1, 10**6),
    st.one_of(st.none(), finite(0, 3)),
)
def test_classify_labels_any_valid_series(r, n, transient):
    t = np.arange(r.size) * 0.5
    result = ek.classify(r=r, t=t, n=n, transient=transient)
    assert result.label in ("synchronized", "desynchronized", "bistable", "other")


@examples(in_ci=60)
@given(
    hnp.arrays(np.float64, 50, elements=finite(0, 1)),
    st.integers(0, 49),
    st.one_of(NON_FINITE, st.floats(1.001, 1e300), st.floats(-1e300, -1e-3)),
)
def test_classify_refuses_invalid_series(r, position, bad):
    r = r.copy()
    r[position] = bad
    with pytest.raises(ValueError, match=r"^r: "):
        ek.classify(r=r, t=np.arange(50.0), n=100)
