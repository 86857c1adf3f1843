"""Validation at the boundary: every public entry point checks its input here.

Each check raises ``ValueError`` (bad value) or ``TypeError`` (bad type) with a
message that starts with the parameter's name and says what is expected, so a user
can fix the call without reading the source.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse
from numpy.typing import NDArray

# Step counts and step intervals: at most 2**53 (times step * dt stay exact integers in
# float64 and every count fits the core's int64 arithmetic with room to spare).
MAX_STEPS = 2**53
# Oscillators: int32 source indices in the core's sparse networks.
MAX_OSCILLATORS = 2**31 - 1


def _as_real(name: str, value: Any) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    number = float(value)
    if math.isnan(number):
        raise ValueError(f"{name}: must not be NaN")
    return number


def check_finite(name: str, value: Any) -> float:
    """A finite real number."""
    number = _as_real(name, value)
    if not math.isfinite(number):
        raise ValueError(f"{name}: must be finite, got {number}")
    return number


def check_nonnegative(name: str, value: Any) -> float:
    """A finite real number ``>= 0``."""
    number = check_finite(name, value)
    if number < 0:
        raise ValueError(f"{name}: must be >= 0, got {number}")
    return number


def check_positive(name: str, value: Any) -> float:
    """A finite real number ``> 0``."""
    number = check_finite(name, value)
    if number <= 0:
        raise ValueError(f"{name}: must be > 0, got {number}")
    return number


def check_probability(name: str, value: Any) -> float:
    """A number in ``[0, 1]``."""
    number = check_finite(name, value)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{name}: must be a probability in [0, 1], got {number}")
    return number


def check_int(name: str, value: Any, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer (Python or NumPy, not bool) within ``[minimum, maximum]``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an integer, got {type(value).__name__}")
    integer = int(value)
    if minimum is not None and integer < minimum:
        raise ValueError(f"{name}: must be >= {minimum}, got {integer}")
    if maximum is not None and integer > maximum:
        raise ValueError(f"{name}: must be <= {maximum}, got {integer}")
    return integer


def check_bool(name: str, value: Any) -> bool:
    """``True`` or ``False`` (Python or NumPy bool); a truthy string is a mistake, not a yes."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_step_interval(name: str, value: Any, minimum: int = 1) -> int:
    """A number of steps between two events (records, snapshots, checkpoints)."""
    return check_int(name, value, minimum=minimum, maximum=MAX_STEPS)


def check_step_count(t_max: float, dt: float) -> int:
    """``round(t_max / dt)`` for a validated ``t_max`` and ``dt``: at least one step and at
    most :data:`MAX_STEPS`."""
    ratio = t_max / dt
    if not ratio < MAX_STEPS + 0.5:
        raise ValueError(
            f"t_max, dt: t_max / dt = {ratio:.3g} steps, more than the 2**53 a run can take; "
            "shorten t_max or enlarge dt"
        )
    n_steps = int(round(ratio))
    if n_steps < 1:
        raise ValueError(f"t_max: shorter than one step (t_max={t_max}, dt={dt})")
    return n_steps


def check_path(name: str, value: Any) -> Path:
    """A file path (``str`` or ``os.PathLike``) whose folder exists."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(
            f"{name}: expected a file path (str or pathlib.Path), got {type(value).__name__}"
        )
    path = Path(value)
    if str(value) == "" or path.is_dir():
        raise ValueError(f"{name}: expected a file path, got the folder {str(value)!r}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{name}: the folder {str(folder)!r} does not exist; create it first"
        )
    return path


def check_seed(name: str, value: Any) -> int:
    """A seed: an integer in ``[0, 2**64)``."""
    return check_int(name, value, minimum=0, maximum=2**64 - 1)


def check_threads(value: Any) -> int | None:
    """``None`` (all cores) or a positive thread count."""
    if value is None:
        return None
    return check_int("threads", value, minimum=1, maximum=4096)


def _as_real_array(name: str, value: Any) -> NDArray[Any]:
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{name}: expected an array of numbers ({error})") from None
    if array.dtype.kind == "c":
        raise TypeError(f"{name}: expected real numbers, got a complex array")
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name}: expected an array of numbers, got dtype {array.dtype}")
    return array


def check_series(name: str, values: Any, length: int | None = None) -> NDArray[np.float64]:
    """A finite 1-D float64 series (a recording), of ``length`` values if given."""
    array = np.asarray(_as_real_array(name, values), dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array, got shape {array.shape}")
    if length is not None and array.size != length:
        raise ValueError(f"{name}: expected length {length} (same as t), got {array.size}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return array


def check_finite_array(
    name: str, value: Any, ndim: int | None = None, length: int | None = None
) -> NDArray[np.float64]:
    """A real, finite float64 array (C-contiguous copy if needed)."""
    array = np.ascontiguousarray(_as_real_array(name, value), dtype=np.float64)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array, got shape {array.shape}")
    if length is not None and array.shape[0] != length:
        raise ValueError(f"{name}: expected length {length}, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return array


BLOCKS = ("ee", "ei", "ie", "ii")  # K_post,pre order


def check_blocks(name: str, value: Any) -> dict[str, float]:
    """A finite value per coupling block: one number for all four, or a dict with the keys
    ``"ee", "ei", "ie", "ii"`` (all of them)."""
    if isinstance(value, Mapping):
        keys = set(value)
        if keys != set(BLOCKS):
            raise ValueError(f"{name}: expected the keys 'ee', 'ei', 'ie', 'ii', got "
                             f"{sorted(map(str, keys))}")
        return {block: check_finite(f"{name}[{block!r}]", value[block]) for block in BLOCKS}
    number = check_finite(name, value)
    return dict.fromkeys(BLOCKS, number)


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """One string out of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name}: expected one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def check_pair(name: str, value: Any, check: Any) -> tuple[float, float]:
    """A scalar (same for E and I) or a pair ``(for_E, for_I)``, each passing ``check``."""
    if isinstance(value, (tuple, list, np.ndarray)) and np.ndim(value) == 1:
        if len(value) != 2:
            raise ValueError(f"{name}: expected a number or a pair (for_E, for_I), got {len(value)} values")
        return check(f"{name}[0] (E)", value[0]), check(f"{name}[1] (I)", value[1])
    number = check(name, value)
    return number, number


def _check_index_array(name: str, what: str, values: Any) -> NDArray[Any]:
    array = np.asarray(values)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise TypeError(f"{name}: its {what} must be a 1-D integer array, got dtype {array.dtype} "
                        f"and shape {array.shape}")
    return array


def _check_sparse_structure(name: str, matrix: Any, n: int) -> None:
    """Index arrays within bounds, so that no scipy routine reads outside them.

    scipy does not check the index arrays of a matrix built from raw ``(data, indices,
    indptr)`` or ``(data, (row, col))``; converting or slicing a malformed one reads
    out of bounds. So every format with index arrays is checked here first.
    """
    fix = "rebuild the matrix from valid (data, indices, indptr) or (data, (row, col)) arrays"
    if matrix.format in ("csr", "csc"):
        indptr = _check_index_array(name, "indptr", matrix.indptr)
        indices = _check_index_array(name, "indices", matrix.indices)
        if indptr.size != n + 1:
            raise ValueError(
                f"{name}: indptr has {indptr.size} entries, expected N + 1 = {n + 1}; {fix}"
            )
        if indptr[0] != 0 or np.any(np.diff(indptr) < 0):
            raise ValueError(f"{name}: indptr must start at 0 and never decrease; {fix}")
        if indptr[-1] > indices.size or indptr[-1] > np.asarray(matrix.data).size:
            raise ValueError(
                f"{name}: indptr ends at {int(indptr[-1])} but only {indices.size} indices and "
                f"{np.asarray(matrix.data).size} values are stored; {fix}"
            )
        used = indices[: int(indptr[-1])]
        if used.size and (used.min() < 0 or used.max() >= n):
            raise ValueError(
                f"{name}: an index lies outside [0, {n}) "
                f"(found {int(used.min())}..{int(used.max())}); {fix}"
            )
    elif matrix.format == "coo":
        row = _check_index_array(name, "row indices", matrix.row)
        col = _check_index_array(name, "column indices", matrix.col)
        data = np.asarray(matrix.data)
        if not row.size == col.size == data.size:
            raise ValueError(f"{name}: row, col and data have different lengths; {fix}")
        for what, index in (("row", row), ("column", col)):
            if index.size and (index.min() < 0 or index.max() >= n):
                raise ValueError(
                    f"{name}: a {what} index lies outside [0, {n}) "
                    f"(found {int(index.min())}..{int(index.max())}); {fix}"
                )
    elif matrix.format == "bsr":
        try:
            matrix.check_format(full_check=True)
        except ValueError as error:
            raise ValueError(f"{name}: malformed BSR matrix ({error}); {fix}") from None


def check_sparse_matrix(name: str, matrix: Any) -> scipy.sparse.csr_array:
    """A square sparse matrix of real, finite, non-negative values as a canonical CSR copy.

    Canonical: float64 values, int32/int64 indices sorted within each row, duplicate
    entries summed (scipy's own meaning of a repeated entry: ``matrix.toarray()`` adds
    them) and stored zeros dropped (a zero is not an edge). The caller's matrix is never
    modified.
    """
    if not scipy.sparse.issparse(matrix):
        raise TypeError(f"{name}: expected a scipy.sparse matrix, got {type(matrix).__name__}")
    if len(matrix.shape) != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"{name}: expected a square (N, N) matrix, got shape {matrix.shape}")
    n = int(matrix.shape[0])
    if n > MAX_OSCILLATORS:
        raise ValueError(f"{name}: at most 2**31 - 1 oscillators, got N = {n}")
    kind = np.dtype(matrix.dtype).kind
    if kind == "c":
        raise TypeError(f"{name}: expected real weights, got complex dtype {matrix.dtype}; "
                        "pass abs(matrix) or matrix.real")
    if kind not in "biuf":
        raise TypeError(f"{name}: expected numeric weights, got dtype {matrix.dtype}")
    _check_sparse_structure(name, matrix, n)
    if kind == "b":  # a repeated True is still one True, as in matrix.toarray()
        boolean = scipy.sparse.csr_array(matrix, copy=True)
        boolean.sum_duplicates()
        matrix = boolean
    csr = scipy.sparse.csr_array(matrix, dtype=np.float64, copy=True)
    if not np.all(np.isfinite(csr.data)):
        raise ValueError(f"{name}: weights contain NaN or infinite values")
    if np.any(csr.data < 0):
        raise ValueError(
            f"{name}: weights must be >= 0, found {int(np.sum(csr.data < 0))} negative entries "
            "(inhibition comes from the is_excitatory labels, not from the sign); pass abs(matrix)"
        )
    csr.sum_duplicates()  # also sorts the indices of every row
    csr.eliminate_zeros()
    return csr
