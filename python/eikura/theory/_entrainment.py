"""Entrainment by an external drive: the Arnold tongue of the mean-field equations.

A drive ``F sin(Ω t − θ_i)`` on whole populations adds ``F e^{iΩt}`` to their fields.
In the frame turning with the drive (``z_X → z_X e^{−iΩt}``) the equations are
autonomous::

    dz_X/dt = (i(ω − Ω) − Δ_X) z_X + ½ (G_X − conj(G_X) z_X²),   G_X = H_X + F g_X,

with ``g_X = 1`` for a driven population and 0 otherwise. The network is **locked**
(entrained) when this system has a stable fixed point: the mean fields then turn at the
drive's frequency Ω. Without the drive's phase reference there is no rotation symmetry
left, so fixed points are isolated and the 4×4 Jacobian has no neutral direction.

The locked interval of each amplitude F is found by continuation: a stable fixed point
at the network's own collective frequency (from integrating the equations there) is
followed in Ω, upward and downward, by Newton's method from the previous point. The
interval ends where Newton's method loses the branch or the fixed point loses
stability; the edge is refined by bisection (to ``FREQUENCY_TOLERANCE``) and named by
the eigenvalue that crosses zero there: **saddle-node** (a real one: the stable fixed
point meets a saddle and both disappear, the classical boundary of an Arnold tongue) or
**Hopf** (a complex pair: the locked state starts to oscillate). With one population
and no coupling the fixed point is unique and stable for every Ω:
``z = F / (a + sqrt(a² + F²))``, ``a = Δ − i(ω − Ω)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import check_choice, check_finite, check_finite_array
from ._equations import real_block
from ._lagged import check_phase_lag, signed_couplings
from ._params import check_point

__all__ = ["EntrainmentRegion", "entrainment_region", "FREQUENCY_TOLERANCE"]

Complex = NDArray[np.complex128]
Real = NDArray[np.float64]

FREQUENCY_TOLERANCE = 1e-7
_RESIDUAL = 1e-11
_STEPS = 100  # continuation steps across the frequency range
TARGETS = ("e", "i", "both")


@dataclass(frozen=True)
class _System:
    """The driven mean-field equations at one parameter point (drive frame)."""

    sigma: Complex
    widths: NDArray[np.float64]
    driven: NDArray[np.float64]
    center: float

    def rhs(self, z: Complex, frequency: float, amplitude: float) -> Complex:
        g = self.sigma @ z + amplitude * self.driven
        out: Complex = (1j * (self.center - frequency) - self.widths) * z + 0.5 * (
            g - np.conj(g) * z * z)
        return out

    def jacobian(self, z: Complex, frequency: float, amplitude: float) -> Real:
        """Real 4×4 Jacobian (Wirtinger derivatives as in ``_lagged``, with the drive in
        the field)."""
        g = self.sigma @ z + amplitude * self.driven
        jac = np.zeros((4, 4))
        for x in range(2):
            for y in range(2):
                a = 0.5 * self.sigma[x, y]
                if x == y:
                    a = a + (1j * (self.center - frequency) - self.widths[x]) - z[x] * np.conj(g[x])
                b = -0.5 * z[x] ** 2 * np.conj(self.sigma[x, y])
                jac[2 * x:2 * x + 2, 2 * y:2 * y + 2] = real_block(
                    np.asarray(a, dtype=np.complex128), np.asarray(b, dtype=np.complex128))
        return jac

    def newton(self, z: Complex, frequency: float, amplitude: float) -> Complex | None:
        """The fixed point that Newton's method reaches from ``z``, or None."""
        for _ in range(40):
            f = self.rhs(z, frequency, amplitude)
            f_real = np.array([f[0].real, f[0].imag, f[1].real, f[1].imag])
            if np.max(np.abs(f_real)) < _RESIDUAL:
                return z if np.all(np.abs(z) <= 1 + 1e-9) else None
            try:
                step = np.linalg.solve(self.jacobian(z, frequency, amplitude), -f_real)
            except np.linalg.LinAlgError:
                return None
            step *= min(1.0, 0.2 / max(float(np.max(np.abs(step))), 1e-300))  # damped
            z = z + np.array([complex(step[0], step[1]), complex(step[2], step[3])])
        return None

    def leading(self, z: Complex, frequency: float, amplitude: float) -> complex:
        eigenvalues = np.linalg.eigvals(self.jacobian(z, frequency, amplitude))
        return complex(eigenvalues[np.argmax(eigenvalues.real)])

    def settle(self, frequency: float, amplitude: float, t_max: float = 300.0) -> Complex | None:
        """A stable fixed point reached by integration (RK4, several starts), or None."""
        starts = np.array([[0.9, 0.9], [0.05, 0.05], [0.5, -0.5j], [-0.7, 0.3j]],
                          dtype=complex).T
        dt = min(0.05, 0.5 / (np.abs(self.sigma).sum() + self.widths.sum() + amplitude
                              + abs(self.center - frequency) + 1e-12))

        def batch(z: Complex) -> Complex:
            g = self.sigma @ z + amplitude * self.driven[:, None]
            out: Complex = ((1j * (self.center - frequency) - self.widths[:, None]) * z
                            + 0.5 * (g - np.conj(g) * z * z))
            return out

        z = starts
        for _ in range(int(t_max / dt)):
            k1 = batch(z)
            k2 = batch(z + 0.5 * dt * k1)
            k3 = batch(z + 0.5 * dt * k2)
            k4 = batch(z + dt * k3)
            z = z + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        for column in z.T:
            found = self.newton(column, frequency, amplitude)
            if found is not None and self.leading(found, frequency, amplitude).real < 0:
                return found
        return None


def _edge(system: _System, z: Complex, start: float, stop: float, amplitude: float
          ) -> tuple[float, str, Complex]:
    """Follow the stable fixed point ``z`` at ``start`` towards ``stop``: the frequency
    where it ends, how (``"saddle-node"``, ``"hopf"`` or ``"none"`` when it reaches
    ``stop``), and the state at the last stable frequency. Steps are halved on every
    failure (Newton lost the branch, jumped to another, or the point is unstable) down to
    ``FREQUENCY_TOLERANCE``, and grow back after successes."""
    largest = (stop - start) / _STEPS
    step = largest
    good, z_good = start, z
    while (stop - good) * np.sign(largest) > 0:
        trial = good + step if abs(step) < abs(stop - good) else stop
        found = system.newton(z_good, trial, amplitude)
        if found is not None and np.max(np.abs(found - z_good)) < 0.2 and \
                system.leading(found, trial, amplitude).real < 0:
            good, z_good = trial, found
            step = largest if abs(2 * step) > abs(largest) else 2 * step
            continue
        if abs(step) <= FREQUENCY_TOLERANCE:
            eigenvalue = system.leading(z_good, good, amplitude)
            kind = "hopf" if abs(eigenvalue.imag) > 1e-3 else "saddle-node"
            return good, kind, z_good
        step *= 0.5
    return stop, "none", z_good


@dataclass(frozen=True)
class EntrainmentRegion:
    """The locked (entrained) region in the plane of drive frequency Ω and amplitude F.

    For every amplitude, the network locks to drives with frequencies between
    ``frequency_low`` and ``frequency_high`` (NaN for both where it locks to none near
    its own collective frequency).

    Attributes
    ----------
    amplitudes
        The drive amplitudes F.
    frequency_low, frequency_high
        Edges of the locked interval of drive frequencies Ω, per amplitude (lab frame).
        An edge equal to the end of ``frequency_range`` means locking up to there.
    kind_low, kind_high
        How the locked state ends at each edge: ``"saddle-node"``, ``"hopf"`` or
        ``"none"`` (the edge of the range was reached).
    parameters
        The parameter point, the drive's target and the lags.
    system
        The driven equations (used by :meth:`state`).
    """

    amplitudes: NDArray[np.float64]
    frequency_low: NDArray[np.float64]
    frequency_high: NDArray[np.float64]
    kind_low: tuple[str, ...]
    kind_high: tuple[str, ...]
    parameters: dict[str, Any]
    system: _System

    def locked(self, frequency: float, amplitude: float) -> bool:
        """Whether the mean-field equations have a stable state locked to this drive."""
        return self.state(frequency, amplitude) is not None

    def state(self, frequency: float, amplitude: float) -> tuple[complex, complex] | None:
        """The stable locked state ``(z_E, z_I)`` in the drive's frame (``z_X e^{−iΩt}``),
        or None where the network is not locked (found by integrating the equations).

        Examples
        --------
        >>> import eikura as ek
        >>> region = ek.theory.entrainment_region(0.0, 0.0, 0.0, 0.0, amplitudes=[1.0],
        ...                                       frequency_range=(-1.0, 1.0), target="e")
        >>> z_e, z_i = region.state(0.0, 1.0)
        >>> round(abs(z_e), 6)  # F / (Δ + sqrt(Δ² + F²)) = 1 / (1 + √2)
        0.414214
        """
        frequency = check_finite("frequency", frequency)
        amplitude = check_finite("amplitude", amplitude)
        found = self.system.settle(frequency, amplitude)
        return None if found is None else (complex(found[0]), complex(found[1]))


def entrainment_region(
    k_ee: float,
    k_ei: float,
    k_ie: float,
    k_ii: float,
    width_e: float = 1.0,
    width_i: float = 1.0,
    *,
    amplitudes: ArrayLike,
    frequency_range: tuple[float, float],
    target: str = "both",
    center: float = 0.0,
    phase_lag: float | Mapping[str, float] = 0.0,
) -> EntrainmentRegion:
    """The Arnold tongue: where a drive ``F sin(Ωt − θ_i)`` entrains the network.

    See the module docstring of ``eikura.theory._entrainment`` for the method. Locked
    means a stable fixed point in the frame turning with the drive; its edges are
    saddle-node (or Hopf) points, located to ``FREQUENCY_TOLERANCE`` in Ω.

    Parameters
    ----------
    k_ee, k_ei, k_ie, k_ii
        Coupling strengths ``K_post,pre`` (>= 0).
    width_e, width_i
        Half-widths Δ of the Lorentzian frequency distributions (common centre).
    amplitudes
        Drive amplitudes F (1-D, >= 0).
    frequency_range
        ``(low, high)``: the drive frequencies Ω searched (lab frame).
    target
        ``"e"``, ``"i"`` or ``"both"``: the populations driven (as ``ek.Drive``).
    center
        Common centre ω of the frequency distributions.
    phase_lag
        Phase lags ``α_XY`` (radians): one number or ``{"ee", "ei", "ie", "ii"}``.

    Returns
    -------
    EntrainmentRegion
        ``frequency_low``, ``frequency_high`` and the kind of each edge per amplitude;
        ``state(Ω, F)`` for the locked state at any point.

    Examples
    --------
    >>> import eikura as ek
    >>> region = ek.theory.entrainment_region(4.0, 0.0, 0.0, 0.0, amplitudes=[0.5],
    ...                                       frequency_range=(-3.0, 3.0), target="e")
    >>> region.kind_low, region.kind_high
    (('saddle-node',), ('saddle-node',))
    """
    params = check_point(k_ee, k_ei, k_ie, k_ii, width_e, width_i, 0.0, 0.0, center)
    lags = check_phase_lag(phase_lag)
    amplitudes = check_finite_array("amplitudes", amplitudes, ndim=1)
    if np.any(amplitudes < 0):
        raise ValueError(f"amplitudes: must be >= 0, got {float(amplitudes.min())}")
    try:
        low, high = (check_finite("frequency_range", v) for v in frequency_range)
    except (TypeError, ValueError):
        raise ValueError(f"frequency_range: expected (low, high), got {frequency_range!r}"
                         ) from None
    if not low < high:
        raise ValueError(f"frequency_range: low must be below high, got {frequency_range!r}")
    target = check_choice("target", target, TARGETS)
    system = _System(signed_couplings(params, lags), np.array([params.width_e, params.width_i]),
                     np.array([target in ("e", "both"), target in ("i", "both")], dtype=float),
                     params.center)
    own = _own_frequency(params, lags)
    start = min(max(own, low), high)
    edges: list[tuple[float, float, str, str]] = []
    for amplitude in amplitudes:
        z = system.settle(start, float(amplitude))
        if z is None:
            edges.append((np.nan, np.nan, "none", "none"))
            continue
        f_low, kind_low, _ = _edge(system, z, start, low, float(amplitude))
        f_high, kind_high, _ = _edge(system, z, start, high, float(amplitude))
        edges.append((f_low, f_high, kind_low, kind_high))
    return EntrainmentRegion(
        amplitudes,
        np.array([e[0] for e in edges]),
        np.array([e[1] for e in edges]),
        tuple(e[2] for e in edges),
        tuple(e[3] for e in edges),
        {**params.as_dict(), "target": target,
         "phase_lag": dict(zip(("ee", "ei", "ie", "ii"), lags, strict=True))},
        system,
    )


def _own_frequency(params: Any, lags: tuple[float, ...]) -> float:
    """The collective frequency of the undriven network's most synchronized stable state
    (the centre where it has none)."""
    from .states import states_at

    stable = [s for s in states_at(params, phase_lags=lags)[1:] if s.stable]
    if not stable:
        return float(params.center)
    return float(max(stable, key=lambda s: s.r_e + s.r_i).omega)
