"""The cases of the classification benchmark and where their true labels come from.

Every case is one parameter point of the EI-Kuramoto model (regular Lorentzian
frequencies of half-width 1, ``N_E = 0.8 N``), simulated with the stochastic Heun method
at ``dt = 0.05``, recorded every 10 steps, and classified from the default transient
(20 % of the run). Families, and the reason each true label is known:

* ``plain``: points deep inside one state. The mean-field theory (integrated from an
  incoherent and from a synchronized start, noise by the Fokker-Planck hierarchy) finds a
  single attractor, incoherence or one synchronized state.
* ``traveling-wave``: different centres for the E and I frequencies (I centre ``c``).
  The theory, with those centres, finds a single synchronized state that turns at a
  collective frequency between the centres: synchronized.
* ``quasi-cycle``: a stable focus whose finite-size (and noise) fluctuations make ``r``
  oscillate irregularly. Incoherence with complex eigenvalues (only attractor:
  desynchronized), and lagged synchronized states (a focus with eigenvalues
  ``-0.1 +- 2i`` or so), which coexist with a limit cycle through ``r = 0``: which of the
  two a run from random phases reaches is read from the run by :func:`oracle_attractor`
  (synchronized, or other on the cycle).
* ``limit-cycle``: the theory's attractor from an incoherent start is a limit cycle
  (``r`` swings periodically through zero), reached by these runs from random phases: other.
* ``hysteresis``: the two-start protocol at points where the theory has both
  incoherence and a synchronized state and the runs are too short (or the network too
  large) to switch: bistable when the run from random phases stays near incoherence.
  It does not always: close to the fold the basin of incoherence is small and the
  transient growth of the random start's fluctuations (the incoherent focus is strongly
  non-normal for ``K_IE = 12``) carries it to synchronization. :func:`oracle_label`
  reads each run's outcome with the theory's levels, and :func:`combine_two_start`
  makes the pair's truth (both high: synchronized).
* ``noise-switching`` and ``finite-size-switching``: single runs at points with both
  attractors where noise (``D = 0.3``) or the finite size (``N = 100``, ``D = 0``, near
  the fold) makes ``r`` jump between them. The truth of each run is checked on the run
  itself by an oracle that knows the levels from the theory (see
  :func:`oracle_label`); a run that does not switch at least twice each way is given
  the label of what it did instead.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

FRACTION_E = 0.8
DT = 0.05
RECORD_EVERY = 10


@dataclass(frozen=True)
class Case:
    """One labelled benchmark case."""

    name: str
    family: str
    truth: str
    n: int
    couplings: tuple[float, float, float, float]  # (k_ee, k_ei, k_ie, k_ii)
    noise: float = 0.0
    center_i: float = 0.0
    network: tuple[int, int] | None = None  # FixedInDegree(k_e, k_i); None: all-to-all
    t_max: float = 300.0
    seed: int = 1
    protocol: str = "single"  # "single" (from random phases) | "two-start" | "sync-start"
    expected_theory: tuple[str, ...] = field(default=())  # attractors the theory must find

    def point(self) -> tuple[float, float, float, float, float, float]:
        """The mean-field parameter point (couplings, noise, I centre)."""
        return (*self.couplings, self.noise, self.center_i)

    def to_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["k_ee"], row["k_ei"], row["k_ie"], row["k_ii"] = row.pop("couplings")
        network = row.pop("network")
        row["network"] = "all-to-all" if network is None else f"fixed-in-degree {network[0]}/{network[1]}"
        row.pop("expected_theory")
        return row


def _name(family: str, n: int, couplings: tuple[float, ...], noise: float, center_i: float,
          network: tuple[int, int] | None, seed: int, protocol: str) -> str:
    net = "a2a" if network is None else f"k{network[0]}-{network[1]}"
    k = "-".join(f"{value:g}" for value in couplings)
    return f"{family}/N{n}/K{k}/D{noise:g}/c{center_i:g}/{net}/s{seed}/{protocol}"


def _cases(family: str, truth: str, expected: tuple[str, ...], points: list[dict[str, Any]]) -> list[Case]:
    cases = []
    for point in points:
        settings = {"noise": 0.0, "center_i": 0.0, "network": None, "seed": 1,
                    "protocol": "single", "t_max": 300.0, **point}
        couplings = tuple(float(value) for value in settings.pop("couplings"))
        cases.append(Case(
            name=_name(family, settings["n"], couplings, settings["noise"], settings["center_i"],
                       settings["network"], settings["seed"], settings["protocol"]),
            family=family, truth=truth, couplings=couplings,  # type: ignore[arg-type]
            expected_theory=expected, **settings))
    return cases


def plain_cases() -> list[Case]:
    sync = [(6.0, 1.0, 12.0, 2.0), (8.0, 1.0, 12.0, 2.0), (3.5, 0.5, 3.0, 0.5)]
    desync = [(3.0, 1.0, 12.0, 2.0), (2.0, 1.0, 12.0, 2.0), (1.5, 0.5, 3.0, 0.5)]
    sizes = [(100, 1), (500, 2), (2000, 3), (20000, 4)]
    points_sync, points_desync = [], []
    for couplings in sync:
        for noise in (0.0, 0.2, 0.5):
            for n, seed in sizes:
                if n == 20000 and couplings != sync[0]:
                    continue
                points_sync.append({"n": n, "couplings": couplings, "noise": noise, "seed": seed})
    for couplings in desync:
        for noise in (0.0, 0.2, 0.5):
            for n, seed in sizes:
                if n == 20000 and couplings != desync[0]:
                    continue
                points_desync.append({"n": n, "couplings": couplings, "noise": noise, "seed": seed})
    # noisy incoherent states close to the fold (r far above the ideal incoherent level)
    for n, seed in ((500, 5), (1000, 6), (2000, 7)):
        points_desync.append({"n": n, "couplings": (4.8, 1.0, 12.0, 2.0), "noise": 0.45,
                              "seed": seed, "t_max": 600.0})
        points_desync.append({"n": n, "couplings": (4.0, 1.0, 12.0, 2.0), "noise": 0.3,
                              "seed": seed, "t_max": 600.0})
    # sparse networks: fixed in-degree, the same mean-field limit
    for network in ((80, 20), (20, 5)):
        for n, seed in ((500, 8), (2000, 9)):
            for noise in (0.0, 0.3):
                points_sync.append({"n": n, "couplings": sync[0], "noise": noise,
                                    "network": network, "seed": seed})
                points_desync.append({"n": n, "couplings": desync[0], "noise": noise,
                                      "network": network, "seed": seed})
    return (_cases("plain", "synchronized", ("sync",), points_sync)
            + _cases("plain", "desynchronized", ("incoherent",), points_desync))


def traveling_wave_cases() -> list[Case]:
    points = []
    for couplings, center_i, noise, n in (
        ((5.0, 1.0, 12.0, 2.0), 1.0, 0.0, 1000), ((5.0, 1.0, 12.0, 2.0), 1.0, 0.2, 1000),
        ((5.0, 1.0, 12.0, 2.0), 2.0, 0.0, 5000), ((5.0, 1.0, 12.0, 2.0), 2.0, 0.2, 20000),
        ((5.0, 1.0, 12.0, 2.0), 0.5, 0.0, 2000), ((6.0, 1.0, 12.0, 2.0), 2.0, 0.5, 500),
        ((3.0, 0.5, 3.0, 0.5), 1.0, 0.2, 2000), ((3.0, 0.5, 3.0, 0.5), 1.0, 0.2, 20000),
        ((3.0, 0.5, 3.0, 0.5), 2.0, 0.2, 5000), ((3.0, 0.5, 3.0, 0.5), 2.0, 0.0, 1000),
        ((2.9, 0.5, 3.0, 0.5), 1.0, 0.2, 20000), ((2.8, 0.5, 3.0, 0.5), 1.0, 0.2, 20000),
        ((3.2, 1.0, 4.0, 1.0), 1.5, 0.2, 5000), ((3.2, 1.0, 4.0, 1.0), 1.5, 0.0, 2000),
        ((3.5, 0.5, 3.0, 0.5), 1.0, 0.0, 500), ((3.5, 0.5, 3.0, 0.5), 2.0, 0.3, 1000),
        ((6.0, 1.0, 12.0, 2.0), 2.0, 0.5, 5000), ((3.0, 0.5, 3.0, 0.5), 2.0, 0.0, 20000),
    ):
        points.append({"n": n, "couplings": couplings, "noise": noise, "center_i": center_i,
                       "seed": 11})
    for network, n in (((80, 20), 2000), ((80, 20), 500), ((20, 5), 2000)):
        points.append({"n": n, "couplings": (5.0, 1.0, 12.0, 2.0), "noise": 0.2,
                       "center_i": 1.0, "network": network, "seed": 12})
    return _cases("traveling-wave", "synchronized", ("sync",), points)


def quasi_cycle_cases() -> list[Case]:
    desync = []
    for couplings, noise in (((4.6, 1.0, 12.0, 0.3), 0.3), ((4.4, 1.0, 12.0, 0.3), 0.2),
                             ((4.5, 1.0, 12.0, 0.5), 0.25)):
        for n, seed in ((200, 21), (1000, 22), (5000, 23)):
            desync.append({"n": n, "couplings": couplings, "noise": noise, "seed": seed,
                           "t_max": 600.0})
    desync.append({"n": 1000, "couplings": (4.6, 1.0, 12.0, 0.3), "noise": 0.3,
                   "network": (80, 20), "seed": 24, "t_max": 600.0})
    sync = [{"n": n, "couplings": couplings, "seed": seed}
            for couplings in ((5.5, 4.0, 4.0, 1.0), (6.0, 4.0, 4.0, 1.0), (5.0, 4.0, 4.0, 0.3))
            for n, seed in ((1000, 25), (2000, 1), (5000, 26))]
    return (_cases("quasi-cycle", "desynchronized", ("incoherent",), desync)
            + _cases("quasi-cycle", "synchronized", ("sync",), sync))


def limit_cycle_cases() -> list[Case]:
    sizes_and_points = [
        ((7.0, 4.0, 12.0, 1.0), 0.0, (200, 500, 1000, 5000, 20000), 31),
        ((7.0, 4.0, 12.0, 1.0), 0.1, (1000, 5000), 32),
        ((4.6, 1.0, 12.0, 0.3), 0.0, (2000, 5000, 10000, 20000), 33),
        ((4.8, 1.0, 12.0, 0.3), 0.0, (1000, 2000, 5000), 34),
        ((5.0, 1.0, 12.0, 0.3), 0.0, (1000, 5000), 35),
    ]
    points: list[dict[str, Any]] = [
        {"n": n, "couplings": couplings, "noise": noise, "seed": seed}
        for couplings, noise, sizes, seed in sizes_and_points
        for n in sizes
    ]
    points += [
        {"n": 5000, "couplings": (7.0, 4.0, 12.0, 1.0), "network": (400, 100), "seed": 36},
        {"n": 2000, "couplings": (7.0, 4.0, 12.0, 1.0), "network": (80, 20), "seed": 37},
        {"n": 1000, "couplings": (7.0, 4.0, 12.0, 1.0), "seed": 38, "protocol": "two-start"},
        {"n": 5000, "couplings": (4.8, 1.0, 12.0, 0.3), "seed": 39, "protocol": "two-start"},
    ]
    return _cases("limit-cycle", "other", ("cycle",), points)


def hysteresis_cases() -> list[Case]:
    points: list[dict[str, Any]] = [
        {"n": n, "couplings": couplings, "noise": noise, "seed": 41, "protocol": "two-start"}
        for couplings, noise, sizes in (
            ((4.8, 1.0, 12.0, 2.0), 0.0, (1000, 5000, 20000)),
            ((4.6, 1.0, 12.0, 2.0), 0.0, (500, 2000)),
            ((8.5, 3.0, 20.0, 6.0), 0.0, (1000, 5000)),
            ((8.5, 3.0, 20.0, 6.0), 0.1, (2000,)),
            ((4.8, 1.0, 12.0, 2.0), 0.1, (2000, 5000)),
            ((4.8, 1.0, 12.0, 2.0), 0.3, (5000,)),
            ((4.5, 1.0, 12.0, 2.0), 0.0, (500, 2000, 10000)),
            ((4.4, 1.0, 12.0, 2.0), 0.0, (1000, 5000)),
            ((8.5, 3.0, 20.0, 6.0), 0.2, (1000, 5000)),
        )
        for n in sizes
    ]
    points += [
        {"n": n, "couplings": couplings, "network": network, "seed": 42, "protocol": "two-start"}
        for couplings, n, network in (((4.6, 1.0, 12.0, 2.0), 1000, (80, 20)),
                                      ((4.6, 1.0, 12.0, 2.0), 5000, (80, 20)),
                                      ((8.5, 3.0, 20.0, 6.0), 2000, (80, 20)),
                                      ((4.5, 1.0, 12.0, 2.0), 2000, (80, 20)),
                                      ((4.6, 1.0, 12.0, 2.0), 2000, (400, 100)))
    ]
    return _cases("hysteresis", "bistable", ("incoherent", "sync"), points)


def switching_cases() -> list[Case]:
    case_1 = {"couplings": (4.8, 1.0, 12.0, 2.0), "noise": 0.3, "t_max": 3000.0}
    noise = [{"n": 1000, "seed": seed, **case_1} for seed in range(51, 59)]
    noise += [{"n": 1000, "seed": seed, "network": (80, 20), **case_1} for seed in range(59, 63)]
    noise += [{"n": 500, "seed": seed, **case_1} for seed in range(63, 69)]
    finite = [{"n": 100, "couplings": (k_ee, 1.0, 12.0, 2.0), "seed": seed, "t_max": 20000.0}
              for k_ee in (4.23, 4.24) for seed in range(71, 81)]
    return (_cases("noise-switching", "bistable", ("incoherent", "sync"), noise)
            + _cases("finite-size-switching", "bistable", ("incoherent", "sync"), finite))


def all_cases() -> list[Case]:
    return [*plain_cases(), *traveling_wave_cases(), *quasi_cycle_cases(), *limit_cycle_cases(),
            *hysteresis_cases(), *switching_cases()]


def combine_two_start(from_incoherent: str, from_synchronized: str) -> str:
    """The truth of a two-start pair from the outcomes of its runs (eikura's rules)."""
    pair = (from_incoherent, from_synchronized)
    if "other" in pair:
        return "other"
    if "bistable" in pair or pair == ("desynchronized", "synchronized"):
        return "bistable"
    if from_incoherent == from_synchronized:
        return from_incoherent
    return "other"


def oracle_attractor(t: np.ndarray, r: np.ndarray, sync_level: float) -> str:
    """Whether a run sits at the theory's synchronized state or on the coexisting limit
    cycle, which passes through ``r = 0`` every period: on the cycle when more than 5 %
    of the analysed samples have ``r`` below 0.3 of the synchronized ``r``."""
    window = t >= t[0] + 0.2 * (t[-1] - t[0])
    return "other" if np.mean(r[window] < 0.3 * sync_level) > 0.05 else "synchronized"


def oracle_label(t: np.ndarray, r: np.ndarray, sync_level: float, min_dwell: float = 20.0) -> tuple[str, int]:
    """What a switching run did, judged with levels known from the theory.

    High when ``r`` rises above 0.8 of the theory's synchronized ``r``, low when it falls
    below 0.4 of it; stays shorter than ``min_dwell`` time units are joined to the stay
    before. At least two switches each way: ``"bistable"``; none: the one state; else
    ``"other"`` (unsettled). Returns the label and the number of switches.
    """
    window = t >= t[0] + 0.2 * (t[-1] - t[0])
    t, r = t[window], r[window]
    state = np.full(r.size, -1)
    current = -1
    for index, value in enumerate(r):
        if value > 0.8 * sync_level:
            current = 1
        elif value < 0.4 * sync_level:
            current = 0
        state[index] = current
    stays: list[list[float]] = []  # [state, start time, end time]
    for index in range(r.size):
        if state[index] < 0:
            continue
        if stays and stays[-1][0] == state[index]:
            stays[-1][2] = t[index]
        else:
            stays.append([state[index], t[index], t[index]])
    merged: list[list[float]] = []
    for stay in stays:
        if merged and (stay[2] - stay[1] < min_dwell or merged[-1][0] == stay[0]):
            merged[-1][2] = stay[2]
        else:
            merged.append(stay)
    switches = len(merged) - 1
    ups = sum(1 for before, after in itertools.pairwise(merged) if after[0] > before[0])
    downs = switches - ups
    if ups >= 2 and downs >= 2:
        return "bistable", switches
    if switches <= 0:
        return ("synchronized" if merged and merged[0][0] == 1 else "desynchronized"), 0
    return "other", switches
