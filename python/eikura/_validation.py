"""Validation at the boundary: every public entry point checks its input here.

Each check raises ``ValueError`` (bad value) or ``TypeError`` (bad type) with a
message that starts with the parameter's name and says what is expected, so a user
can fix the call without reading the source.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from numpy.typing import NDArray


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


def check_seed(name: str, value: Any) -> int:
    """A seed: an integer in ``[0, 2**64)``."""
    return check_int(name, value, minimum=0, maximum=2**64 - 1)


def check_threads(value: Any) -> int | None:
    """``None`` (all cores) or a positive thread count."""
    if value is None:
        return None
    return check_int("threads", value, minimum=1, maximum=4096)


def check_finite_array(
    name: str, value: Any, ndim: int | None = None, length: int | None = None
) -> NDArray[np.float64]:
    """A real, finite float64 array (C-contiguous copy if needed)."""
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{name}: expected an array of numbers ({error})") from None
    if array.dtype.kind == "c":
        raise TypeError(f"{name}: expected real numbers, got a complex array")
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name}: expected an array of numbers, got dtype {array.dtype}")
    array = np.ascontiguousarray(array, dtype=np.float64)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array, got shape {array.shape}")
    if length is not None and array.shape[0] != length:
        raise ValueError(f"{name}: expected length {length}, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return array


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
