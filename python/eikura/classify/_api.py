"""The public entry points: :func:`classify` (one run, a pair of runs, or arrays) and
:func:`classify_two_start`."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._result import Classification
from ._series import check_options, series_from_arrays, series_from_run
from ._single_run import classify_single
from ._two_start import combine_two_start


def classify_two_start(
    run_from_incoherent: Any,
    run_from_synchronized: Any,
    *,
    transient: float | None = None,
    thresholds: tuple[float, float] | None = None,
    min_dwell_samples: int = 5,
    min_switches: int = 2,
) -> Classification:
    """Classify a parameter point from two runs that differ only in their initial phases.

    The run from incoherent (random) phases staying low while the run from
    synchronized phases stays high is hysteresis, hence ``"bistable"``. Both high is
    ``"synchronized"``, both low ``"desynchronized"``. Either run switching by itself
    gives ``"bistable"``; either run being ``"other"`` gives ``"other"`` (checked
    first); the inverted outcome (incoherent start high, synchronized start low) is
    ``"other"``.

    Parameters
    ----------
    run_from_incoherent, run_from_synchronized : run result
        Objects with attributes ``t``, ``r``, ``n_e``, ``n_i`` (and optionally
        ``r_e``, ``r_i``), started from random and from synchronized phases, with
        the same network size.
    transient, thresholds, min_dwell_samples, min_switches
        As in :func:`classify`; applied to each run.

    Returns
    -------
    Classification
        ``protocol == "two-start"``; the runs' own classifications are in
        ``from_incoherent`` and ``from_synchronized``; the evidence fields pool both.

    Raises
    ------
    ValueError
        If the runs are not such a pair: eikura runs must share the model, the seed
        (hence frequencies and network), the step and the recording times, and start one
        from random and one from synchronized phases (runs from given phases: judged by
        r at t = 0); any runs must have the same size, times and the checks of
        :func:`classify`.

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> from eikura.classify import classify_two_start
    >>> rng = np.random.default_rng(1)
    >>> t = np.arange(2000) * 0.1
    >>> n_e, n_i = 800, 200
    >>> low = rng.rayleigh(1 / np.sqrt(2 * (n_e + n_i)), t.size)
    >>> high = 0.7 + 0.01 * rng.standard_normal(t.size)
    >>> from_incoherent = SimpleNamespace(t=t, r=low, n_e=n_e, n_i=n_i)
    >>> from_sync = SimpleNamespace(t=t, r=high, n_e=n_e, n_i=n_i)
    >>> classify_two_start(from_incoherent, from_sync).label
    'bistable'
    """
    options = check_options(thresholds, min_dwell_samples, min_switches)
    low_series = series_from_run(run_from_incoherent, "run_from_incoherent")
    high_series = series_from_run(run_from_synchronized, "run_from_synchronized")
    if low_series.n != high_series.n:
        raise ValueError(
            f"run_from_synchronized: the two runs must have the same size, got N = "
            f"{low_series.n} and N = {high_series.n}"
        )
    _check_pair(run_from_incoherent, run_from_synchronized)
    return combine_two_start(
        classify_single(low_series, transient, *options),
        classify_single(high_series, transient, *options),
    )


def classify(
    run: Any = None,
    /,
    *,
    r: ArrayLike | None = None,
    t: ArrayLike | None = None,
    n: int | None = None,
    r_e: ArrayLike | None = None,
    r_i: ArrayLike | None = None,
    n_e: int | None = None,
    n_i: int | None = None,
    transient: float | None = None,
    thresholds: tuple[float, float] | None = None,
    min_dwell_samples: int = 5,
    min_switches: int = 2,
) -> Classification:
    """Label a simulation synchronized, desynchronized, bistable or other.

    The label comes from the order parameter ``r(t) = |Z(t)|`` over all ``N``
    oscillators after a transient. The levels are read from the data (a two-Gaussian
    mixture of the values of ``r``, checked on the episodes it cuts the run into), and a
    single level is judged by the shape of its fluctuations; thresholds scale with the
    finite-size incoherent level ``sqrt(pi / (4 N))`` only where an ideal incoherent
    state is concerned (:mod:`eikura.classify` gives every number).

    * ``"desynchronized"``: ``r`` fluctuates around zero (a Rayleigh-like law,
      ``<r>^2/<r^2> <= 0.822``, however large the fluctuations), or stays within the
      size-scaled band of incoherence.
    * ``"synchronized"``: ``r`` holds one level clear of its fluctuations
      (``<r>^2/<r^2> >= 0.907``, mean at least ``3 sqrt(pi / (4 N))``), including a
      noise-driven quasi-cycle around it.
    * ``"bistable"``: ``r`` switches between two separated levels (a synchronized high
      one and a low one) at least ``min_switches`` times each way, each episode lasting
      at least five relaxation times and ``min_dwell_samples`` samples, with quick jumps
      (at most 10 % of the time in transit).
    * ``"other"``: everything else - a limit cycle (an oscillation of steady amplitude),
      drift, a single switch, a level comparable to its own fluctuations, a run too
      short to tell. The label is never forced; the reason says which.

    Parameters
    ----------
    run : run result or pair of run results, optional
        An object with attributes ``t``, ``r``, ``n_e``, ``n_i`` (optionally ``r_e``,
        ``r_i``), e.g. what ``eikura.simulate`` returns. A tuple
        ``(run_from_incoherent, run_from_synchronized)`` selects the two-start
        protocol (see :func:`classify_two_start`). Positional only; leave it out to
        pass arrays instead.
    r : array_like, optional
        Order parameter over all oscillators, 1-D, values in ``[0, 1]``.
    t : array_like, optional
        Record times, 1-D, strictly increasing, same length as ``r``. Default: the
        sample index (times in units of the recording interval).
    n : int, optional
        Number of oscillators behind ``r``. Default: ``n_e + n_i``.
    r_e, r_i : array_like, optional
        Per-population order parameters (classified with ``n_e`` and ``n_i``).
    n_e, n_i : int, optional
        Population sizes.
    transient : float, optional
        Time dropped from the start: samples with ``t < t[0] + transient`` are
        ignored. Default: 20 % of the recorded time span.
    thresholds : tuple of float, optional
        ``(low, high)`` for the Schmitt trigger that cuts the run into low and high
        episodes, instead of the thresholds read from the data; ``high`` is then also
        the smallest mean of a synchronized level.
    min_dwell_samples : int, default 5
        Episodes shorter than this many samples are merged into the episode before
        them, so brief excursions never count as switches.
    min_switches : int, default 2
        Switches needed in each direction to call a single run bistable.

    Returns
    -------
    Classification
        The label, a one-sentence ``reason`` and the evidence (levels, fraction of
        time high, switches, dwell times, thresholds).

    Raises
    ------
    ValueError
        For arrays that are not 1-D, have mismatched lengths or contain NaN, for
        ``r`` outside ``[0, 1]``, sizes ``<= 0``, times not increasing, a negative
        transient, or fewer than 10 samples after the transient.
    TypeError
        For a run object without the needed attributes, or both a run and arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from eikura.classify import classify
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(4000) * 0.1
    >>> n = 1000
    >>> incoherent = rng.rayleigh(1 / np.sqrt(2 * n), t.size)  # finite-size noise
    >>> classify(r=incoherent, t=t, n=n).label
    'desynchronized'
    >>> classify(r=0.6 + 0.01 * rng.standard_normal(t.size), t=t, n=n).label
    'synchronized'
    >>> high = (t // 50) % 2 == 1                                 # switches every 50 time units
    >>> switching = np.where(high, 0.7 + 0.01 * rng.standard_normal(t.size), incoherent)
    >>> c = classify(r=switching, t=t, n=n)
    >>> c.label, c.n_switches, round(c.fraction_high, 2)
    ('bistable', 6, 0.53)
    >>> classify(r=0.4 + 0.3 * np.sin(t), t=t, n=n).label        # oscillation
    'other'
    """
    raw = {"r": r, "t": t, "n": n, "r_e": r_e, "r_i": r_i, "n_e": n_e, "n_i": n_i}
    given = [name for name, value in raw.items() if value is not None]
    if run is not None and given:
        raise TypeError(
            f"classify: pass either a run or arrays, not both (got run and {', '.join(given)})"
        )
    options = check_options(thresholds, min_dwell_samples, min_switches)
    if isinstance(run, (tuple, list)):
        if len(run) != 2:
            raise ValueError(
                f"run: a two-start pair is (run_from_incoherent, run_from_synchronized), "
                f"got {len(run)} runs"
            )
        return classify_two_start(
            run[0],
            run[1],
            transient=transient,
            thresholds=options[0],
            min_dwell_samples=options[1],
            min_switches=options[2],
        )
    series = series_from_run(run) if run is not None else series_from_arrays(**raw)
    return classify_single(series, transient, *options)


def _start(run: Any) -> str | None:
    """``"incoherent"`` or ``"synchronized"``: how an eikura run started (its settings, or
    r(0) for given phases); ``None`` for other run-like objects, which do not say."""
    config = getattr(run, "config", None)
    if not isinstance(config, dict):
        return None
    initial = config.get("run", {}).get("initial")
    if initial in ("random", "sync"):
        return "incoherent" if initial == "random" else "synchronized"
    return "synchronized" if float(np.asarray(run.r)[0]) >= 0.5 else "incoherent"


def _check_pair(low: Any, high: Any) -> None:
    """Refuse two runs that are not one parameter point started from both ends."""
    starts = (_start(low), _start(high))
    if None not in starts and starts != ("incoherent", "synchronized"):
        swapped = " (swap them)" if starts == ("synchronized", "incoherent") else ""
        raise ValueError(
            f"run_from_synchronized: the pair must start once from incoherent and once from "
            f"synchronized phases, got {starts[0]} and {starts[1]} starts{swapped}")
    if not np.array_equal(np.asarray(low.t), np.asarray(high.t)):
        raise ValueError("run_from_synchronized: the two runs must be recorded at the same times "
                         "(same t_max, dt and record_every)")
    first, second = (getattr(run, "config", None) for run in (low, high))
    if not isinstance(first, dict) or not isinstance(second, dict):
        return
    settings = [first, second]
    differing = [key for key in ("model",) if settings[0].get(key) != settings[1].get(key)]
    models = [getattr(run, "model", None) for run in (low, high)]
    if not differing and models[0] is not None and models[1] is not None \
            and models[0].fingerprint() != models[1].fingerprint():
        differing.append("model arrays")
    if getattr(low, "seed", None) != getattr(high, "seed", None):
        differing.append("seed")
    runs = [config.get("run", {}) for config in settings]
    differing += [f"run.{key}" for key in ("dt", "method", "record_every")
                  if runs[0].get(key) != runs[1].get(key)]
    if differing:
        model_keys = sorted(key for key in set(settings[0].get("model", {})) |
                            set(settings[1].get("model", {}))
                            if settings[0]["model"].get(key) != settings[1]["model"].get(key))
        detail = f" ({', '.join(model_keys)})" if model_keys else ""
        raise ValueError(
            f"run_from_synchronized: not a two-start pair of one parameter point: the runs "
            f"differ in {', '.join(differing)}{detail}; both must come from the same model and "
            "seed with the same step, started from random and from synchronized phases")

