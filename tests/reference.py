"""Pure NumPy/SciPy reference ("oracle") implementation of the EI-Kuramoto model.

This module is the slow, plain, obviously-correct counterpart of the C++ engine of
``eikura``.  It is written to be read side by side with the documentation's statement of the
model and of its integration and recording; the equations are quoted in the comments.  Nothing here
is optimised beyond what keeps the test-suite fast, and nothing here imports eikura:
the C++ results are checked *against* this file.

Conventions (identical to the C++ engine)
-----------------------------------------
* ``N = n_e + n_i`` oscillators, population E first (indices ``0 .. n_e-1``), then I.
* ``couplings`` is a 4-tuple ``(k_ee, k_ei, k_ie, k_ii)`` (``K_post,pre``; ``k_ei`` is
  inhibitory input onto excitatory oscillators) or a callable ``t -> 4-tuple``.
* ``adjacency`` is ``None`` (all-to-all, including the self term ``j = i`` which
  contributes ``sin 0 = 0``) or an ``N x N`` scipy.sparse matrix / dense array with
  ``A[i, j] = w_ij`` (row = target ``i``, column = source ``j``).  A zero entry (stored
  or not) means "no edge".
* ``normalization``: ``"in-degree"`` (``n_i^Y`` = number of edges into ``i`` from ``Y``,
  a count not a weight sum; a term with count 0 is 0), ``"population"`` (``n_i^Y = N_Y``),
  ``"none"`` (``n_i^Y = 1``).
* Phases are wrapped with ``np.mod(theta, 2*pi)`` after every full step unless
  ``wrap=False``.
* ``phase_lags`` is a 4-tuple ``(a_ee, a_ei, a_ie, a_ii)`` (radians, ``K_post,pre``
  order, default all 0): block XY couples through ``sin(theta_j - theta_i - a_XY)``.
* ``drives`` is a sequence of ``(amplitude, frequency, phase, mask)``: each adds
  ``F(t) sin(Omega t + phi - theta_i)`` to the oscillators where ``mask`` is True
  (``amplitude`` a float or a callable of t).
* Noise uses the counter-based generator defined below, bit-compatible with
  ``cpp/include/eikura/random.hpp``.

Public API
----------
``noise_normals``, ``noise_normal_scalar``, ``order_parameters``, ``rhs_pairwise``,
``rhs_sparse``, ``rhs_mean_field``, ``integrate``, ``integrate_delayed``.

Transmission delays (``integrate_delayed``)
-------------------------------------------
* ``delays`` is a 4-tuple ``(tau_ee, tau_ei, tau_ie, tau_ii)`` (time units, ``K_post,pre``):
  block XY couples through ``sin(theta_j(t - tau_XY) - theta_i(t) - a_XY)``.
* Before t = 0 the phases are ``theta_j(0) + omega_j t`` (or the rows of ``history``,
  one every dt, the last at t = -dt).
* ``e^{i theta_j}`` at a past time comes from the values stored at the steps: exactly the
  stored value on a step, otherwise the cubic Lagrange polynomial through 4 consecutive
  steps around it, moved back (or forward) to stay within the steps stored so far and on
  one side of t = 0 (history and solution are never mixed in one polynomial).
* ``tau / dt`` within 1e-9 (relative) of a whole number is taken as that number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp

__all__ = [
    "GOLDEN",
    "MIX1",
    "MIX2",
    "NOISE_PURPOSE",
    "integrate",
    "integrate_delayed",
    "noise_normal_scalar",
    "noise_normals",
    "order_parameters",
    "rhs_mean_field",
    "rhs_pairwise",
    "rhs_sparse",
    "drive_terms",
]

TWO_PI = 2.0 * np.pi

# ---------------------------------------------------------------------------------------
# Counter-based random numbers ("counter-based random streams per oscillator").
#
# These constants and functions are mirrored EXACTLY by the C++ header
# cpp/include/eikura/random.hpp.  If you change one, change the other.  All arithmetic is
# on uint64 with wrap-around (mod 2**64).
# ---------------------------------------------------------------------------------------
GOLDEN = 0x9E3779B97F4A7C15  # 2**64 / golden ratio (splitmix64 increment)
MIX1 = 0xBF58476D1CE4E5B9  # splitmix64 finaliser multipliers
MIX2 = 0x94D049BB133111EB
NOISE_PURPOSE = 1  # stream purpose tag for the integrator noise; index = oscillator
_MASK64 = (1 << 64) - 1
_TWO_POW_M53 = 2.0**-53

_U64 = np.uint64


def _finalize_u64(z: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser on a uint64 array (wraps modulo 2**64)."""
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> _U64(30))) * _U64(MIX1)
        z = (z ^ (z >> _U64(27))) * _U64(MIX2)
        return z ^ (z >> _U64(31))


def _hash_u64(z: np.ndarray) -> np.ndarray:
    """hash(z) = finalize(z + GOLDEN) on a uint64 array."""
    with np.errstate(over="ignore"):
        return _finalize_u64(np.asarray(z, dtype=np.uint64) + _U64(GOLDEN))


def _seed_key_u64(seed: int) -> np.ndarray:
    if not (0 <= int(seed) <= _MASK64):
        raise ValueError(f"seed must be an integer in [0, 2**64), got {seed!r}")
    return _hash_u64(np.array([int(seed)], dtype=np.uint64))[0:1]


def _stream_keys_u64(seed: int, purpose: int, index: np.ndarray) -> np.ndarray:
    """stream_key(purpose, index) = hash(seed_key ^ (purpose << 56) ^ index)."""
    seed_key = _seed_key_u64(seed)
    tag = _U64((int(purpose) << 56) & _MASK64)
    return _hash_u64(seed_key ^ tag ^ np.asarray(index, dtype=np.uint64))


def _bits_u64(keys: np.ndarray, counter: int) -> np.ndarray:
    """bits(key, counter) = finalize(key + (counter + 1) * GOLDEN)."""
    inc = _U64(((int(counter) + 1) * GOLDEN) & _MASK64)  # product wraps mod 2**64
    with np.errstate(over="ignore"):
        return _finalize_u64(keys + inc)


def _uniform_open(bits: np.ndarray) -> np.ndarray:
    """((bits >> 11) + 1) * 2**-53, in (0, 1]."""
    return ((bits >> _U64(11)) + _U64(1)).astype(np.float64) * _TWO_POW_M53


def _uniform(bits: np.ndarray) -> np.ndarray:
    """(bits >> 11) * 2**-53, in [0, 1)."""
    return (bits >> _U64(11)).astype(np.float64) * _TWO_POW_M53


def noise_normals(seed: int, n: int, step: int) -> np.ndarray:
    """Standard normal deviates xi_i, i = 0..n-1, used at global integration step ``step``.

    Box–Muller on the per-oscillator stream (purpose NOISE = 1, index = oscillator index
    in E-first order)::

        key = stream_key(1, i)
        u1 = uniform_open(bits(key, 2*step)); u2 = uniform(bits(key, 2*step + 1))
        xi = sqrt(-2 ln u1) * cos(2 pi u2)
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if step < 0:
        raise ValueError("step must be >= 0")
    keys = _stream_keys_u64(seed, NOISE_PURPOSE, np.arange(n, dtype=np.uint64))
    u1 = _uniform_open(_bits_u64(keys, 2 * step))
    u2 = _uniform(_bits_u64(keys, 2 * step + 1))
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(TWO_PI * u2)


# Scalar pure-Python-int version (explicit masking), used to cross-check the vectorised
# uint64 code above for wrap-around mistakes.
def _finalize_int(z: int) -> int:
    z &= _MASK64
    z = ((z ^ (z >> 30)) * MIX1) & _MASK64
    z = ((z ^ (z >> 27)) * MIX2) & _MASK64
    return z ^ (z >> 31)


def _hash_int(z: int) -> int:
    return _finalize_int((z + GOLDEN) & _MASK64)


def noise_normal_scalar(seed: int, index: int, step: int) -> float:
    """Same as ``noise_normals(seed, n, step)[index]``, with Python ints and ``math``."""
    seed_key = _hash_int(seed)
    key = _hash_int(seed_key ^ ((NOISE_PURPOSE << 56) & _MASK64) ^ index)
    b1 = _finalize_int(key + (2 * step + 1) * GOLDEN)
    b2 = _finalize_int(key + (2 * step + 2) * GOLDEN)
    u1 = ((b1 >> 11) + 1) * _TWO_POW_M53
    u2 = (b2 >> 11) * _TWO_POW_M53
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------
Couplings = Sequence[float] | Callable[[float], Sequence[float]]
_NORMALIZATIONS = ("in-degree", "population", "none")


def _couplings_at(couplings: Couplings, t: float) -> tuple[float, float, float, float]:
    """(K_EE, K_EI, K_IE, K_II) at time t (couplings may be a callable of t)."""
    k = couplings(t) if callable(couplings) else couplings
    k = tuple(float(x) for x in k)
    if len(k) != 4:
        raise ValueError(f"couplings must have 4 entries (k_ee, k_ei, k_ie, k_ii), got {k}")
    return k  # type: ignore[return-value]


def _check_normalization(normalization: str) -> None:
    if normalization not in _NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {_NORMALIZATIONS}, got {normalization!r}")


def _per_oscillator_couplings(k, n_e: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Vectors K_{X(i)E} and K_{X(i)I} for every oscillator i (X(i) = its population)."""
    k_ee, k_ei, k_ie, k_ii = k
    k_from_e = np.empty(n)
    k_from_i = np.empty(n)
    k_from_e[:n_e], k_from_e[n_e:] = k_ee, k_ie  # K_XE
    k_from_i[:n_e], k_from_i[n_e:] = k_ei, k_ii  # K_XI
    return k_from_e, k_from_i


def _per_oscillator_lags(lags, n_e: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Vectors a_{X(i)E} and a_{X(i)I}: the phase lags of the inputs onto every i."""
    return _per_oscillator_couplings(tuple(float(a) for a in lags), n_e, n)


def _safe_divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, with 0 where den == 0 (an oscillator with no inputs from Y gets c^Y = 0)."""
    out = np.zeros_like(num, dtype=np.float64)
    np.divide(num, den, out=out, where=den != 0)
    return out


def order_parameters(theta: np.ndarray, n_e: int) -> tuple[complex, complex, complex]:
    """Complex mean fields Z_E, Z_I, Z (Z_Y = (1/N_Y) sum_{j in Y} e^{i theta_j}).

    A population of size 0 has an undefined mean field; it is returned as complex NaN.
    """
    theta = np.asarray(theta, dtype=np.float64)
    e = np.exp(1j * theta)
    nan = complex(np.nan, np.nan)
    z_e = complex(e[:n_e].mean()) if n_e > 0 else nan
    z_i = complex(e[n_e:].mean()) if theta.size - n_e > 0 else nan
    z = complex(e.mean()) if theta.size > 0 else nan
    return z_e, z_i, z


# ---------------------------------------------------------------------------------------
# Right-hand sides.  The model equation, for oscillator i in population X:
#
#     dtheta_i/dt = omega_i + K_XE c_i^E - K_XI c_i^I
#     c_i^Y       = (1 / n_i^Y) sum_{j in Y, j -> i} w_ij sin(theta_j - theta_i - a_XY)
#
# with the phase lags a_XY (all 0 by default).
# ---------------------------------------------------------------------------------------
def _dense_weights(adjacency, n: int) -> np.ndarray:
    if adjacency is None:
        return np.ones((n, n))
    w = adjacency.toarray() if sp.issparse(adjacency) else np.array(adjacency, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if w.shape != (n, n):
        raise ValueError(f"adjacency must have shape ({n}, {n}), got {w.shape}")
    return w


def rhs_pairwise(theta, t, omega, n_e, couplings, adjacency=None, normalization="in-degree",
                 phase_lags=(0.0, 0.0, 0.0, 0.0)):
    """Literal O(N^2) right-hand side: builds sin(theta_j - theta_i) for every pair.

    ``adjacency`` None means all-to-all (W = ones, self term included, sin 0 = 0).
    Meant for small N only.
    """
    _check_normalization(normalization)
    theta = np.asarray(theta, dtype=np.float64)
    omega = np.asarray(omega, dtype=np.float64)
    n = theta.size
    w = _dense_weights(adjacency, n)
    k_from_e, k_from_i = _per_oscillator_couplings(_couplings_at(couplings, t), n_e, n)
    lag = dict(zip("EI", _per_oscillator_lags(phase_lags, n_e, n), strict=True))

    # D[i, j] = theta_j - theta_i   (row = target i, column = source j)
    d = theta[np.newaxis, :] - theta[:, np.newaxis]
    edges = w != 0  # an edge exists where the weight is non-zero

    coupling = {}
    for name, cols in (("E", slice(0, n_e)), ("I", slice(n_e, n))):
        # sum_{j in Y} w_ij sin(theta_j - theta_i - a_XY)
        raw = (w[:, cols] * np.sin(d[:, cols] - lag[name][:, np.newaxis])).sum(axis=1)
        n_y = cols.stop - cols.start
        if normalization == "in-degree":
            norm = edges[:, cols].sum(axis=1).astype(np.float64)  # n_i^Y = #edges from Y
        elif normalization == "population":
            norm = np.full(n, float(n_y))  # n_i^Y = N_Y
        else:
            norm = np.ones(n)  # n_i^Y = 1
        coupling[name] = _safe_divide(raw, norm)

    return omega + k_from_e * coupling["E"] - k_from_i * coupling["I"]


class SparseOperator:
    """The network split into the E-source and I-source column blocks, prepared once."""

    def __init__(self, adjacency, n: int, n_e: int, normalization: str):
        _check_normalization(normalization)
        if adjacency is None:
            a = sp.csr_matrix(np.ones((n, n)))
        else:
            a = sp.csr_matrix(adjacency, dtype=np.float64)
        if a.shape != (n, n):
            raise ValueError(f"adjacency must have shape ({n}, {n}), got {a.shape}")
        a = a.copy()
        a.sum_duplicates()
        a.eliminate_zeros()  # explicitly stored zeros are not edges
        self.n, self.n_e = n, n_e
        self.blocks = {"E": a[:, :n_e].tocsr(), "I": a[:, n_e:].tocsr()}
        sizes = {"E": n_e, "I": n - n_e}
        self.norm = {}
        for name, block in self.blocks.items():
            if normalization == "in-degree":
                # count of stored non-zeros in row i of the block (not a weight sum)
                self.norm[name] = np.diff(block.indptr).astype(np.float64)
            elif normalization == "population":
                self.norm[name] = np.full(n, float(sizes[name]))
            else:
                self.norm[name] = np.ones(n)

    def __call__(self, theta, t, omega, couplings, phase_lags=(0.0, 0.0, 0.0, 0.0)):
        theta = np.asarray(theta, dtype=np.float64)
        k_from_e, k_from_i = _per_oscillator_couplings(_couplings_at(couplings, t), self.n_e, self.n)
        lag = dict(zip("EI", _per_oscillator_lags(phase_lags, self.n_e, self.n), strict=True))
        # sin(theta_j - theta_i - a) = sin theta_j cos(theta_i + a) - cos theta_j sin(theta_i + a)
        sin_t, cos_t = np.sin(theta), np.cos(theta)
        c = {}
        for name, cols in (("E", slice(0, self.n_e)), ("I", slice(self.n_e, self.n))):
            a = self.blocks[name]
            shifted = theta + lag[name]
            raw = (a @ sin_t[cols]) * np.cos(shifted) - (a @ cos_t[cols]) * np.sin(shifted)
            c[name] = _safe_divide(raw, self.norm[name])
        return np.asarray(omega, dtype=np.float64) + k_from_e * c["E"] - k_from_i * c["I"]


def rhs_sparse(theta, t, omega, n_e, couplings, adjacency, normalization="in-degree",
               phase_lags=(0.0, 0.0, 0.0, 0.0)):
    """Sparse right-hand side using sin(theta_j - theta_i) = sin_j cos_i - cos_j sin_i.

    ``adjacency`` may be a scipy.sparse matrix, a dense array, or None (all-to-all,
    built as a full sparse matrix).
    """
    theta = np.asarray(theta, dtype=np.float64)
    return SparseOperator(adjacency, theta.size, n_e, normalization)(theta, t, omega, couplings,
                                                                     phase_lags)


def rhs_mean_field(theta, t, omega, n_e, couplings, normalization="population",
                   phase_lags=(0.0, 0.0, 0.0, 0.0)):
    """All-to-all right-hand side in O(N) via the complex mean fields:

        dtheta_i/dt = omega_i + Im[H_X e^{-i theta_i}],
        H_X = K_XE e^{-i a_XE} Z_E - K_XI e^{-i a_XI} Z_I

    For all-to-all coupling "in-degree" and "population" coincide (n_i^Y = N_Y); with
    "none" the Y term is the raw sum, i.e. Z_Y is multiplied by N_Y.
    """
    _check_normalization(normalization)
    theta = np.asarray(theta, dtype=np.float64)
    n = theta.size
    n_i = n - n_e
    k_ee, k_ei, k_ie, k_ii = _couplings_at(couplings, t)
    e = np.exp(1j * theta)
    z_e = e[:n_e].mean() if n_e > 0 else 0.0j  # an empty population exerts no input
    z_i = e[n_e:].mean() if n_i > 0 else 0.0j
    if normalization == "none":
        z_e, z_i = z_e * n_e, z_i * n_i
    h = np.empty(n, dtype=np.complex128)
    a_ee, a_ei, a_ie, a_ii = (float(a) for a in phase_lags)
    h[:n_e] = k_ee * np.exp(-1j * a_ee) * z_e - k_ei * np.exp(-1j * a_ei) * z_i  # H_E
    h[n_e:] = k_ie * np.exp(-1j * a_ie) * z_e - k_ii * np.exp(-1j * a_ii) * z_i  # H_I
    return np.asarray(omega, dtype=np.float64) + np.imag(h * np.conj(e))


def drive_terms(theta, t, drives) -> np.ndarray:
    """sum over drives of F(t) sin(Omega t + phi - theta_i) on the targeted oscillators."""
    theta = np.asarray(theta, dtype=np.float64)
    out = np.zeros_like(theta)
    for amplitude, frequency, phase, mask in drives:
        f = float(amplitude(t)) if callable(amplitude) else float(amplitude)
        out += np.where(mask, f * np.sin(frequency * t + phase - theta), 0.0)
    return out


# ---------------------------------------------------------------------------------------
# Integration.  Fixed dt; step n goes from t_n = n*dt to t_{n+1}.
# ---------------------------------------------------------------------------------------
_METHODS = ("euler", "heun", "rk4")


def _make_rhs(rhs: str, adjacency, n: int, n_e: int, normalization: str, phase_lags=(0.0,) * 4):
    """Return f(theta, t, omega, couplings) for the chosen right-hand side."""
    if rhs == "auto":
        if adjacency is None:
            rhs = "mean_field"
        elif sp.issparse(adjacency):
            rhs = "sparse"
        else:
            rhs = "pairwise"
    if rhs == "mean_field":
        if adjacency is not None:
            raise ValueError("rhs='mean_field' requires adjacency=None (all-to-all)")
        _check_normalization(normalization)
        return lambda th, t, om, k: rhs_mean_field(th, t, om, n_e, k, normalization, phase_lags)
    if rhs == "sparse":
        operator = SparseOperator(adjacency, n, n_e, normalization)
        return lambda th, t, om, k: operator(th, t, om, k, phase_lags)
    if rhs == "pairwise":
        _check_normalization(normalization)
        w = _dense_weights(adjacency, n)  # validate / convert once
        return lambda th, t, om, k: rhs_pairwise(th, t, om, n_e, k, w, normalization, phase_lags)
    raise ValueError(f"rhs must be 'auto', 'pairwise', 'sparse' or 'mean_field', got {rhs!r}")


def integrate(
    theta0,
    omega,
    n_e,
    couplings,
    *,
    adjacency=None,
    normalization="in-degree",
    method="rk4",
    dt=0.01,
    n_steps=100,
    noise=(0.0, 0.0),
    seed=0,
    record_every=1,
    wrap=True,
    rhs="auto",
    phase_lags=(0.0, 0.0, 0.0, 0.0),
    drives=(),
) -> dict:
    """Integrate the EI-Kuramoto model with a fixed step.

    Deterministic (noise == (0, 0)):
      euler: theta += dt f(theta, t)
      heun : k1 = f(theta, t); k2 = f(theta + dt k1, t + dt); theta += dt/2 (k1 + k2)
      rk4  : k1 = f(theta, t), k2 = f(theta + dt/2 k1, t + dt/2),
             k3 = f(theta + dt/2 k2, t + dt/2), k4 = f(theta + dt k3, t + dt);
             theta += dt/6 (k1 + 2 k2 + 2 k3 + k4)
    With noise D = (d_e, d_i), sigma_i = sqrt(2 D_X dt), xi = noise_normals(seed, N, n):
      euler (Euler–Maruyama): theta += dt f(theta, t) + sigma xi
      heun (stochastic Heun): theta~ = theta + dt f(theta, t) + sigma xi;
                              theta += dt/2 (f(theta, t) + f(theta~, t + dt)) + sigma xi
      rk4: ValueError.
    After every full step: theta = np.mod(theta, 2 pi) unless wrap=False.

    Returns a dict with "t" (float64, n_steps // record_every + 1 values,
    t = index * record_every * dt), "z_e", "z_i", "z" (complex128 mean fields recorded at
    step 0 and after every record_every steps) and "theta" (final phases).
    """
    theta = np.array(theta0, dtype=np.float64).ravel()
    n = theta.size
    omega = np.array(omega, dtype=np.float64).ravel()
    if omega.shape != (n,):
        raise ValueError(f"omega must have {n} entries, got {omega.size}")
    if not (0 <= n_e <= n):
        raise ValueError(f"n_e must be in [0, {n}], got {n_e}")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    if not (dt > 0):
        raise ValueError("dt must be > 0")
    if n_steps < 0:
        raise ValueError("n_steps must be >= 0")
    if record_every < 1:
        raise ValueError("record_every must be >= 1")
    d_e, d_i = (float(x) for x in noise)
    if d_e < 0 or d_i < 0:
        raise ValueError("noise intensities must be >= 0")
    noisy = d_e != 0.0 or d_i != 0.0
    if noisy and method == "rk4":
        raise ValueError("method 'rk4' does not support noise; use 'euler' or 'heun'")

    f_raw = _make_rhs(rhs, adjacency, n, n_e, normalization, phase_lags)

    def f(th, t):
        if drives:
            return f_raw(th, t, omega, couplings) + drive_terms(th, t, drives)
        return f_raw(th, t, omega, couplings)

    if noisy:
        d = np.empty(n)
        d[:n_e], d[n_e:] = d_e, d_i
        sigma = np.sqrt(2.0 * d * dt)  # sqrt(2 D_X dt)

    n_rec = n_steps // record_every + 1
    t_rec = np.arange(n_rec, dtype=np.float64) * (record_every * dt)
    z_e = np.empty(n_rec, dtype=np.complex128)
    z_i = np.empty(n_rec, dtype=np.complex128)
    z = np.empty(n_rec, dtype=np.complex128)
    z_e[0], z_i[0], z[0] = order_parameters(theta, n_e)
    rec = 1

    for step in range(n_steps):
        t = step * dt  # t_n = n * dt
        if noisy:
            dw = sigma * noise_normals(seed, n, step)  # sqrt(2 D_X dt) xi, global step index
            if method == "euler":
                theta = theta + dt * f(theta, t) + dw
            else:  # heun
                k1 = f(theta, t)
                theta_pred = theta + dt * k1 + dw
                k2 = f(theta_pred, t + dt)
                theta = theta + (dt / 2.0) * (k1 + k2) + dw
        elif method == "euler":
            theta = theta + dt * f(theta, t)
        elif method == "heun":
            k1 = f(theta, t)
            k2 = f(theta + dt * k1, t + dt)
            theta = theta + (dt / 2.0) * (k1 + k2)
        else:  # rk4
            h2 = dt / 2.0
            k1 = f(theta, t)
            k2 = f(theta + h2 * k1, t + h2)
            k3 = f(theta + h2 * k2, t + h2)
            k4 = f(theta + dt * k3, t + dt)
            theta = theta + (dt / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        if wrap:
            theta = np.mod(theta, TWO_PI)
        if (step + 1) % record_every == 0:
            z_e[rec], z_i[rec], z[rec] = order_parameters(theta, n_e)
            rec += 1

    assert rec == n_rec
    return {"t": t_rec, "z_e": z_e, "z_i": z_i, "z": z, "theta": theta}


# ---------------------------------------------------------------------------------------
# Transmission delays.  The same integrators; each stage reads its sources at t - tau_XY.
# ---------------------------------------------------------------------------------------


def delay_steps(delay: float, dt: float) -> float:
    """tau / dt, snapped to the nearest whole number within 1e-9 (relative)."""
    steps = delay / dt
    nearest = round(steps)
    return float(nearest) if abs(steps - nearest) <= 1e-9 * max(1.0, steps) else steps


def past_exponentials(past: dict, at: float, oldest: int, newest: int) -> np.ndarray:
    """e^{i theta_j} at the time ``at * dt`` from ``past[step]`` (stored steps
    oldest..newest): the stored value on a step, else cubic Lagrange through 4 consecutive
    steps on the same side of t = 0."""
    below = math.floor(at)
    if at == below:
        return past[below]
    low, high = (oldest, 0) if at < 0 else (max(oldest, 0), newest)
    first = max(min(below - 1, high - 3), low)
    nodes = range(first, min(first + 3, high) + 1)
    value = np.zeros_like(past[first])
    for k in nodes:
        weight = 1.0
        for m in nodes:
            if m != k:
                weight *= (at - m) / (k - m)
        value = value + weight * past[k]
    return value


def integrate_delayed(theta0, omega, n_e, couplings, *, delays, adjacency=None,
                      normalization="in-degree", method="rk4", dt=0.01, n_steps=100,
                      noise=(0.0, 0.0), seed=0, record_every=1, wrap=True,
                      phase_lags=(0.0, 0.0, 0.0, 0.0), history=None) -> dict:
    """``integrate`` with transmission delays, pair by pair (small N only).

    For target i in X and source j in Y (an edge, weight w_ij):
        term_ij = w_ij Im[e^{i theta_j(t - tau_XY)} e^{-i (theta_i(t) + a_XY)}]
    summed per block, normalised and scaled by K_XY as in ``rhs_pairwise``. Returns what
    ``integrate`` returns.
    """
    theta = np.mod(np.array(theta0, dtype=np.float64).ravel(), TWO_PI)
    omega = np.asarray(omega, dtype=np.float64)
    n = theta.size
    w = _dense_weights(adjacency, n)
    edges = w != 0
    blocks = {"E": slice(0, n_e), "I": slice(n_e, n)}
    steps = dict(zip(("EE", "EI", "IE", "II"), (delay_steps(d, dt) for d in delays), strict=True))
    lags = dict(zip(("EE", "EI", "IE", "II"), (float(a) for a in phase_lags), strict=True))
    norms = {}
    for x, rows in blocks.items():
        for y, cols in blocks.items():
            if normalization == "in-degree":
                norms[x + y] = edges[rows, cols].sum(axis=1).astype(np.float64)
            elif normalization == "population":
                norms[x + y] = np.full(rows.stop - rows.start, float(cols.stop - cols.start))
            else:
                norms[x + y] = np.ones(rows.stop - rows.start)

    # The stored past: e^{i theta} at every step from `oldest` on.
    if history is None:
        oldest = -(math.ceil(max(steps.values())) + 2)
        past = {s: np.exp(1j * (theta + omega * s * dt)) for s in range(oldest, 0)}
    else:
        rows_before = np.asarray(history, dtype=np.float64)
        oldest = -rows_before.shape[0]
        past = {oldest + r: np.exp(1j * rows_before[r]) for r in range(rows_before.shape[0])}
    past[0] = np.exp(1j * theta)
    newest = 0

    def f(stage, position):
        """dtheta/dt at stage phases `stage`, time position * dt."""
        t = position * dt
        k = dict(zip(("EE", "EI", "IE", "II"), _couplings_at(couplings, t), strict=True))
        now = np.exp(1j * stage)
        out = omega.copy()
        for x, rows in blocks.items():
            for y, cols in blocks.items():
                block = x + y
                if steps[block] > 0:
                    sources = past_exponentials(past, position - steps[block], oldest, newest)
                else:
                    sources = now
                target = np.exp(-1j * (stage[rows] + lags[block]))
                pair = np.imag(sources[cols][np.newaxis, :] * target[:, np.newaxis])
                raw = (w[rows, cols] * pair).sum(axis=1)
                sign = 1.0 if y == "E" else -1.0  # inhibitory blocks keep their minus sign
                out[rows] += sign * k[block] * _safe_divide(raw, norms[block])
        return out

    d_e, d_i = (float(x) for x in noise)
    noisy = d_e != 0.0 or d_i != 0.0
    sigma = np.sqrt(2.0 * np.where(np.arange(n) < n_e, d_e, d_i) * dt)
    n_rec = n_steps // record_every + 1
    z_e = np.empty(n_rec, dtype=np.complex128)
    z_i = np.empty(n_rec, dtype=np.complex128)
    z = np.empty(n_rec, dtype=np.complex128)
    z_e[0], z_i[0], z[0] = order_parameters(theta, n_e)
    rec = 1
    for step in range(n_steps):
        kick = sigma * noise_normals(seed, n, step) if noisy else 0.0
        if method == "euler":
            theta = theta + dt * f(theta, step) + kick
        elif method == "heun":
            k1 = f(theta, step)
            k2 = f(theta + dt * k1 + kick, step + 1.0)
            theta = theta + (dt / 2.0) * (k1 + k2) + kick
        else:  # rk4
            k1 = f(theta, step)
            k2 = f(theta + dt / 2.0 * k1, step + 0.5)
            k3 = f(theta + dt / 2.0 * k2, step + 0.5)
            k4 = f(theta + dt * k3, step + 1.0)
            theta = theta + (dt / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        if wrap:
            theta = np.mod(theta, TWO_PI)
        newest = step + 1
        past[newest] = np.exp(1j * theta)
        if (step + 1) % record_every == 0:
            z_e[rec], z_i[rec], z[rec] = order_parameters(theta, n_e)
            rec += 1
    return {"z_e": z_e, "z_i": z_i, "z": z, "theta": theta}
