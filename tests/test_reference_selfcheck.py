"""Self-checks of the pure NumPy oracle in tests/reference.py.

The oracle is checked against itself (three independent right-hand sides), against exact
solutions (uncoupled rotation, hand-computed two-oscillator case, one noisy step), and
against known numerical behaviour (convergence orders, diffusion coefficient).
"""

import math
import os
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as ref

NORMS = ("in-degree", "population", "none")
K = (2.5, 1.3, 3.1, 0.7)  # (k_ee, k_ei, k_ie, k_ii), deliberately all different


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def _circ_diff(a, b):
    """Signed difference a - b on the circle, in (-pi, pi]."""
    return np.angle(np.exp(1j * (np.asarray(a) - np.asarray(b))))


# ---------------------------------------------------------------------------------------
# Right-hand sides
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("normalization", NORMS)
def test_rhs_all_to_all_three_ways_agree(rng, normalization):
    n_e, n_i = 45, 15
    n = n_e + n_i
    theta = rng.uniform(0, 2 * np.pi, n)
    omega = rng.normal(0, 1, n)
    t = 0.37
    a = ref.rhs_pairwise(theta, t, omega, n_e, K, None, normalization)
    b = ref.rhs_pairwise(theta, t, omega, n_e, K, np.ones((n, n)), normalization)
    c = ref.rhs_sparse(theta, t, omega, n_e, K, sp.csr_matrix(np.ones((n, n))), normalization)
    d = ref.rhs_sparse(theta, t, omega, n_e, K, None, normalization)
    e = ref.rhs_mean_field(theta, t, omega, n_e, K, normalization)
    for other in (b, c, d, e):
        np.testing.assert_allclose(other, a, rtol=0, atol=1e-12)
    # the coupling must actually contribute (otherwise agreement is vacuous)
    assert np.max(np.abs(a - omega)) > 0.1


def test_rhs_all_to_all_normalizations_relate(rng):
    """'none' = raw sums = N_Y times the 'population' terms (checked through K scaling)."""
    n_e, n_i = 45, 15
    n = n_e + n_i
    theta = rng.uniform(0, 2 * np.pi, n)
    omega = np.zeros(n)
    k_none = (K[0] / n_e, K[1] / n_i, K[2] / n_e, K[3] / n_i)
    a = ref.rhs_pairwise(theta, 0.0, omega, n_e, K, None, "population")
    b = ref.rhs_pairwise(theta, 0.0, omega, n_e, k_none, None, "none")
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
    c = ref.rhs_pairwise(theta, 0.0, omega, n_e, K, None, "in-degree")
    np.testing.assert_allclose(c, a, rtol=0, atol=1e-12)


def _random_sparse(rng, n, p, weighted):
    mask = rng.random((n, n)) < p
    w = rng.uniform(0.2, 2.0, (n, n)) if weighted else np.ones((n, n))
    return np.where(mask, w, 0.0)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("normalization", NORMS)
def test_rhs_pairwise_vs_sparse_random_network(rng, normalization, weighted):
    n_e, n_i = 45, 15
    n = n_e + n_i
    dense = _random_sparse(rng, n, 0.15, weighted)
    # make sure some rows have no input from I (and one none at all): count-0 case
    dense[3, n_e:] = 0.0
    dense[7, :] = 0.0
    dense[50, :n_e] = 0.0
    theta = rng.uniform(0, 2 * np.pi, n)
    omega = rng.normal(0, 1, n)
    t = 1.1
    a = ref.rhs_pairwise(theta, t, omega, n_e, K, dense, normalization)
    b = ref.rhs_sparse(theta, t, omega, n_e, K, sp.csr_matrix(dense), normalization)
    c = ref.rhs_sparse(theta, t, omega, n_e, K, sp.coo_matrix(dense), normalization)
    d = ref.rhs_pairwise(theta, t, omega, n_e, K, sp.csc_matrix(dense), normalization)
    for other in (b, c, d):
        np.testing.assert_allclose(other, a, rtol=0, atol=1e-12)
    assert a[7] == omega[7]  # no inputs at all -> just omega
    assert np.max(np.abs(a - omega)) > 0.05


def test_rhs_sparse_explicit_zeros_are_not_edges(rng):
    n_e, n = 4, 6
    dense = _random_sparse(rng, n, 0.6, True)
    theta = rng.uniform(0, 2 * np.pi, n)
    omega = np.zeros(n)
    a = sp.csr_matrix(dense)
    # add explicitly stored zeros: must not change the in-degree count
    rows, cols = np.nonzero(dense == 0)
    with_zeros = sp.csr_matrix(
        (np.concatenate([a.tocoo().data, np.zeros(rows.size)]),
         (np.concatenate([a.tocoo().row, rows]), np.concatenate([a.tocoo().col, cols]))),
        shape=(n, n),
    )
    assert with_zeros.nnz > a.nnz
    np.testing.assert_allclose(
        ref.rhs_sparse(theta, 0.0, omega, n_e, K, with_zeros),
        ref.rhs_pairwise(theta, 0.0, omega, n_e, K, dense),
        rtol=0, atol=1e-12,
    )


def test_in_degree_counts_edges_not_weights():
    """Target 0 (E) gets two E inputs with weights 1 and 3: c^E = (1*s1 + 3*s2) / 2."""
    n_e, n = 3, 4
    theta = np.array([0.0, 0.4, 1.1, 2.0])
    a = np.zeros((n, n))
    a[0, 1], a[0, 2], a[0, 3] = 1.0, 3.0, 0.5
    k = (2.0, 5.0, 0.0, 0.0)
    expect0 = (2.0 * (1.0 * np.sin(0.4) + 3.0 * np.sin(1.1)) / 2.0
               - 5.0 * (0.5 * np.sin(2.0)) / 1.0)
    for f in (ref.rhs_pairwise, ref.rhs_sparse):
        out = f(theta, 0.0, np.zeros(n), n_e, k, sp.csr_matrix(a), "in-degree")
        assert out[0] == pytest.approx(expect0, abs=1e-14)
        np.testing.assert_array_equal(out[1:], 0.0)  # rows without edges
        out = f(theta, 0.0, np.zeros(n), n_e, k, a, "population")
        assert out[0] == pytest.approx(
            2.0 * (np.sin(0.4) + 3.0 * np.sin(1.1)) / 3.0 - 5.0 * 0.5 * np.sin(2.0) / 1.0, abs=1e-14)


def test_rhs_exact_two_oscillators():
    """n_e = n_i = 1, theta = (0, pi/2), all-to-all (self term sin 0 = 0):
    dtheta_0 = w0 + K_EE*0 - K_EI*sin(pi/2)  = w0 - K_EI
    dtheta_1 = w1 + K_IE*sin(-pi/2) - K_II*0 = w1 - K_IE
    """
    theta = np.array([0.0, np.pi / 2])
    omega = np.array([0.3, -0.2])
    expect = np.array([0.3 - K[1], -0.2 - K[2]])
    for norm in NORMS:
        for out in (
            ref.rhs_pairwise(theta, 0.0, omega, 1, K, None, norm),
            ref.rhs_sparse(theta, 0.0, omega, 1, K, None, norm),
            ref.rhs_mean_field(theta, 0.0, omega, 1, K, norm),
        ):
            np.testing.assert_allclose(out, expect, rtol=0, atol=1e-15)


def test_sign_conventions_attractive_and_repulsive():
    """E input pulls towards the sender, I input pushes away."""
    theta = np.array([0.0, 0.5])  # oscillator 1 is ahead of 0
    # n_e = 2: both E; oscillator 0 should speed up (pulled towards 1)
    assert ref.rhs_mean_field(theta, 0.0, np.zeros(2), 2, (1.0, 0.0, 0.0, 0.0))[0] > 0
    # n_e = 1: oscillator 1 is I; with K_EI > 0 oscillator 0 is pushed away (slows down)
    assert ref.rhs_mean_field(theta, 0.0, np.zeros(2), 1, (0.0, 1.0, 0.0, 0.0))[0] < 0


def test_order_parameters(rng):
    theta = rng.uniform(0, 2 * np.pi, 10)
    z_e, z_i, z = ref.order_parameters(theta, 7)
    assert z_e == pytest.approx(np.mean(np.exp(1j * theta[:7])), abs=1e-15)
    assert z_i == pytest.approx(np.mean(np.exp(1j * theta[7:])), abs=1e-15)
    assert z == pytest.approx((7 * z_e + 3 * z_i) / 10, abs=1e-15)
    assert abs(ref.order_parameters(np.full(5, 1.234), 2)[2]) == pytest.approx(1.0)


# ---------------------------------------------------------------------------------------
# Deterministic integration
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("rhs", ["auto", "pairwise", "sparse"])
@pytest.mark.parametrize("method", ["euler", "heun", "rk4"])
def test_zero_coupling_is_free_rotation(rng, method, rhs):
    n_e, n = 5, 8
    theta0 = rng.uniform(0, 2 * np.pi, n)
    omega = rng.normal(0, 3, n)
    dt, n_steps, rec = 0.01, 100, 7
    out = ref.integrate(theta0, omega, n_e, (0.0, 0.0, 0.0, 0.0), method=method, dt=dt,
                        n_steps=n_steps, record_every=rec, rhs=rhs)
    t_end = n_steps * dt
    exact = np.mod(theta0 + omega * t_end, 2 * np.pi)
    assert np.all((out["theta"] >= 0) & (out["theta"] <= 2 * np.pi))
    np.testing.assert_allclose(_circ_diff(out["theta"], exact), 0.0, atol=1e-12)
    # recording: n_steps // record_every + 1 records at t = index * record_every * dt
    assert out["t"].shape == (n_steps // rec + 1,)
    np.testing.assert_allclose(out["t"], np.arange(n_steps // rec + 1) * rec * dt, rtol=0, atol=1e-15)
    for k, t in enumerate(out["t"]):
        th = theta0 + omega * t
        z_e, z_i, z = ref.order_parameters(th, n_e)
        assert out["z_e"][k] == pytest.approx(z_e, abs=1e-12)
        assert out["z_i"][k] == pytest.approx(z_i, abs=1e-12)
        assert out["z"][k] == pytest.approx(z, abs=1e-12)


def test_wrap_flag(rng):
    theta0 = rng.uniform(0, 2 * np.pi, 4)
    omega = np.array([10.0, -10.0, 7.0, 0.5])
    kw = dict(method="euler", dt=0.1, n_steps=50)
    wrapped = ref.integrate(theta0, omega, 2, (0, 0, 0, 0), **kw)["theta"]
    raw = ref.integrate(theta0, omega, 2, (0, 0, 0, 0), wrap=False, **kw)["theta"]
    assert raw.max() > 2 * np.pi and raw.min() < 0
    assert np.all((wrapped >= 0) & (wrapped < 2 * np.pi))
    np.testing.assert_allclose(_circ_diff(wrapped, raw), 0.0, atol=1e-12)


def _conv_problem(rng):
    n_e, n = 4, 6
    theta0 = rng.uniform(0, 2 * np.pi, n)
    omega = rng.normal(0, 1, n)
    return n_e, theta0, omega


def _slope(dts, errs):
    return np.polyfit(np.log(dts), np.log(errs), 1)[0]


def _sinusoidal(t):
    s = 1.0 + 0.8 * np.sin(2 * np.pi * t / 0.7)
    return (K[0] * s, K[1] * (2 - s), K[2] * s, K[3])


@pytest.mark.parametrize("couplings", [K, _sinusoidal], ids=["constant", "time-varying"])
@pytest.mark.parametrize(("method", "order"), [("euler", 1), ("heun", 2), ("rk4", 4)])
def test_convergence_order(rng, method, order, couplings):
    n_e, theta0, omega = _conv_problem(rng)
    t_end = 1.0
    fine = ref.integrate(theta0, omega, n_e, couplings, method="rk4", dt=t_end / 4000,
                         n_steps=4000, wrap=False)["theta"]
    dts, errs = [], []
    for n_steps in (20, 40, 80, 160):
        dt = t_end / n_steps
        th = ref.integrate(theta0, omega, n_e, couplings, method=method, dt=dt,
                           n_steps=n_steps, wrap=False)["theta"]
        dts.append(dt)
        errs.append(np.max(np.abs(th - fine)))
    slope = _slope(dts, errs)
    assert abs(slope - order) < 0.3, (slope, errs)


def test_convergence_order_sparse_network(rng):
    """Same check through the sparse rhs on a weighted random network (rk4 and heun)."""
    n_e, n = 8, 12
    dense = _random_sparse(rng, n, 0.4, True)
    a = sp.csr_matrix(dense)
    theta0 = rng.uniform(0, 2 * np.pi, n)
    omega = rng.normal(0, 1, n)
    fine = ref.integrate(theta0, omega, n_e, _sinusoidal, adjacency=a, method="rk4",
                         dt=1 / 2000, n_steps=2000, wrap=False)["theta"]
    for method, order in (("heun", 2), ("rk4", 4)):
        dts, errs = [], []
        for n_steps in (20, 40, 80):
            th = ref.integrate(theta0, omega, n_e, _sinusoidal, adjacency=a, method=method,
                               dt=1 / n_steps, n_steps=n_steps, wrap=False)["theta"]
            dts.append(1 / n_steps)
            errs.append(np.max(np.abs(th - fine)))
        assert abs(_slope(dts, errs) - order) < 0.3, (method, errs)


def test_time_varying_constant_callable_equals_tuple(rng):
    n_e, theta0, omega = _conv_problem(rng)
    for method in ("euler", "heun", "rk4"):
        a = ref.integrate(theta0, omega, n_e, K, method=method, dt=0.05, n_steps=40)
        b = ref.integrate(theta0, omega, n_e, lambda t: K, method=method, dt=0.05, n_steps=40)
        for key in ("theta", "z_e", "z_i", "z"):
            np.testing.assert_array_equal(a[key], b[key])


@pytest.mark.parametrize(("method", "stage_offsets"), [
    ("euler", [0.0]),
    ("heun", [0.0, 1.0]),
    ("rk4", [0.0, 0.5, 0.5, 1.0]),
])
def test_couplings_evaluated_at_stage_times(method, stage_offsets):
    calls = []

    def k_of_t(t):
        calls.append(t)
        return K

    dt, n_steps = 0.1, 3
    ref.integrate([0.1, 0.2, 0.3], [0.0, 1.0, 2.0], 2, k_of_t, method=method, dt=dt, n_steps=n_steps)
    expect = [(s + o) * dt for s in range(n_steps) for o in stage_offsets]
    np.testing.assert_allclose(calls, expect, rtol=0, atol=1e-15)


def test_time_varying_coupling_changes_result(rng):
    n_e, theta0, omega = _conv_problem(rng)
    a = ref.integrate(theta0, omega, n_e, K, dt=0.05, n_steps=40)
    b = ref.integrate(theta0, omega, n_e, _sinusoidal, dt=0.05, n_steps=40)
    assert np.max(np.abs(_circ_diff(a["theta"], b["theta"]))) > 1e-3


# ---------------------------------------------------------------------------------------
# Noise
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 12345, 2**63 + 17, 2**64 - 1])
@pytest.mark.parametrize("step", [0, 1, 999, 2**40 + 3])
def test_noise_vectorised_equals_scalar(seed, step):
    n = 40
    vec = ref.noise_normals(seed, n, step)
    for i in (0, 1, 2, 17, n - 1):
        assert vec[i] == pytest.approx(ref.noise_normal_scalar(seed, i, step), rel=1e-14, abs=1e-14)
    # prefix property: the stream of oscillator i does not depend on n
    np.testing.assert_array_equal(ref.noise_normals(seed, 5, step), vec[:5])


def test_noise_hash_known_values():
    """Pin the splitmix64 finaliser to the published splitmix64 outputs for seed 0:
    next() = finalize(state += GOLDEN) -> 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4."""
    assert ref._hash_int(0) == 0xE220A8397B1DCDAF
    assert ref._finalize_int((2 * ref.GOLDEN) & ((1 << 64) - 1)) == 0x6E789E6AA1B965F4
    assert int(ref._hash_u64(np.array([0], dtype=np.uint64))[0]) == 0xE220A8397B1DCDAF


def test_noise_statistics():
    x = ref.noise_normals(2024, 100_000, 3)
    n = x.size
    assert abs(x.mean()) < 5 / math.sqrt(n)
    assert abs(x.var() - 1.0) < 5 * math.sqrt(2 / n)
    assert stats.kstest(x, "norm").pvalue > 1e-3
    # different steps / seeds give (nearly) uncorrelated streams
    y = ref.noise_normals(2024, 100_000, 4)
    w = ref.noise_normals(2025, 100_000, 3)
    assert abs(np.corrcoef(x, y)[0, 1]) < 5 / math.sqrt(n)
    assert abs(np.corrcoef(x, w)[0, 1]) < 5 / math.sqrt(n)
    # consecutive oscillators uncorrelated too
    assert abs(np.corrcoef(x[:-1], x[1:])[0, 1]) < 5 / math.sqrt(n)


def test_noisy_steps_use_the_documented_stream(rng):
    """Zero coupling: each Euler–Maruyama / stochastic Heun step adds
    omega*dt + sqrt(2 D_X dt) * noise_normals(seed, N, step)."""
    n_e, n = 3, 5
    theta0 = rng.uniform(0, 2 * np.pi, n)
    omega = rng.normal(0, 1, n)
    d = np.array([0.3] * n_e + [0.05] * (n - n_e))
    dt, seed = 0.02, 99
    expect = theta0.copy()
    for s in range(3):
        expect = expect + omega * dt + np.sqrt(2 * d * dt) * ref.noise_normals(seed, n, s)
    for method in ("euler", "heun"):
        out = ref.integrate(theta0, omega, n_e, (0, 0, 0, 0), method=method, dt=dt, n_steps=3,
                            noise=(0.3, 0.05), seed=seed, wrap=False)
        np.testing.assert_allclose(out["theta"], expect, rtol=0, atol=1e-13)


def test_noisy_heun_vs_euler_maruyama_with_coupling(rng):
    """With coupling the two schemes differ but stay close; both are reproducible."""
    n_e, theta0, omega = _conv_problem(rng)
    kw = dict(dt=0.01, n_steps=50, noise=(0.1, 0.2), seed=7)
    a = ref.integrate(theta0, omega, n_e, K, method="euler", **kw)
    b = ref.integrate(theta0, omega, n_e, K, method="heun", **kw)
    a2 = ref.integrate(theta0, omega, n_e, K, method="euler", **kw)
    np.testing.assert_array_equal(a["theta"], a2["theta"])
    diff = np.max(np.abs(_circ_diff(a["theta"], b["theta"])))
    assert 0 < diff < 0.1
    c = ref.integrate(theta0, omega, n_e, K, method="euler", **{**kw, "seed": 8})
    assert np.max(np.abs(_circ_diff(a["theta"], c["theta"]))) > 1e-3


@pytest.mark.parametrize("method", ["euler", "heun"])
def test_diffusion_variance(method):
    n_e, n_i = 20_000, 20_000
    n = n_e + n_i
    d_e, d_i = 0.5, 0.1
    dt, n_steps = 0.02, 50
    t_end = dt * n_steps
    theta0 = np.full(n, 1.0)
    out = ref.integrate(theta0, np.zeros(n), n_e, (0, 0, 0, 0), method=method, dt=dt,
                        n_steps=n_steps, noise=(d_e, d_i), seed=31, wrap=False, rhs="mean_field")
    disp = out["theta"] - theta0
    for sl, d in ((slice(0, n_e), d_e), (slice(n_e, n), d_i)):
        var = disp[sl].var()
        assert var == pytest.approx(2 * d * t_end, rel=0.05)
        assert abs(disp[sl].mean()) < 5 * math.sqrt(2 * d * t_end / n_e)


def test_rk4_with_noise_is_error():
    with pytest.raises(ValueError):
        ref.integrate([0.0, 1.0], [0.0, 0.0], 1, K, method="rk4", noise=(0.1, 0.0))
    # noise in only one population still counts as noise
    with pytest.raises(ValueError):
        ref.integrate([0.0, 1.0], [0.0, 0.0], 1, K, method="rk4", noise=(0.0, 0.1))


def test_invalid_inputs():
    with pytest.raises(ValueError):
        ref.integrate([0.0, 1.0], [0.0, 0.0], 1, K, method="midpoint")
    with pytest.raises(ValueError):
        ref.integrate([0.0, 1.0], [0.0, 0.0], 1, K, dt=0.0)
    with pytest.raises(ValueError):
        ref.integrate([0.0, 1.0], [0.0, 0.0], 1, K, normalization="sum")
    with pytest.raises(ValueError):
        ref.integrate([0.0, 1.0], [0.0, 0.0], 1, K, adjacency=sp.eye(3, format="csr"))
    with pytest.raises(ValueError):
        ref.integrate([0.0, 1.0], [0.0, 0.0], 1, K, adjacency=np.ones((2, 2)), rhs="mean_field")
    with pytest.raises(ValueError):
        ref.noise_normals(-1, 3, 0)
