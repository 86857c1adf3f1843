"""Files that are never left half-written and that prove their integrity.

Results, checkpoints and experiment data are written to a temporary file in the target's
folder, read back and checked, flushed to disk and renamed over the target. An
interrupted or failed save leaves the previous file as it was.

Every array eikura writes carries a Fletcher-32 checksum per HDF5 chunk (checked by HDF5
whenever the data are read), and the file's attributes hold a SHA-256 digest of all its
arrays (:func:`arrays_digest`), checked again on loading: a damaged or edited file is
refused with a message that says what is wrong, instead of loading wrong numbers.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["atomic_write", "verify_netcdf", "arrays_digest", "checksum_encoding",
           "is_checksum_failure", "check_hdf5_readable", "DamagedFileError"]


class DamagedFileError(ValueError):
    """A file's contents do not match its own checksums or attributes."""


def arrays_digest(arrays: Mapping[str, ArrayLike]) -> str:
    """A SHA-256 digest of named arrays: names, dtypes, shapes and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{array.dtype.str}{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def checksum_encoding(shapes: Mapping[str, tuple[int, ...]]) -> dict[str, dict[str, Any]]:
    """The NetCDF (h5netcdf) encoding that gives every non-empty array a Fletcher-32
    checksum; HDF5 needs chunked storage for it, and empty or scalar arrays have none."""
    return {name: {"fletcher32": True, "chunksizes": _chunks(shape)}
            for name, shape in shapes.items() if shape and all(size > 0 for size in shape)}


def is_checksum_failure(error: BaseException) -> bool:
    """Whether HDF5 refused to read because a checksum (of a data chunk's Fletcher-32 filter
    or of its own metadata) did not match: the file is damaged, not of the wrong kind."""
    message = str(error).lower()
    return isinstance(error, OSError) and any(
        clue in message for clue in ("checksum", "filter returned failure", "fletcher"))


def check_hdf5_readable(path: str | os.PathLike[str]) -> None:
    """Open the file with h5py and read its structure (raises ``OSError`` if that fails).

    A damaged file fails here, before a NetCDF reader half-opens it (whose clean-up of
    the half-open file then fails once more, noisily, when it is collected).
    """
    import h5py

    with h5py.File(path, "r") as file:
        file.visit(lambda _name: None)


def _chunks(shape: tuple[int, ...]) -> tuple[int, ...]:
    # Rows of at most 2**17 values (1 MiB of float64): small enough to read a part cheaply,
    # large enough that the per-chunk overhead does not matter.
    return (*(1 for _ in shape[:-1]), min(shape[-1], 1 << 17))


def _current_umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere the only way to read it is to set it
    os.umask(mask)
    return mask


def _fsync(path: str | os.PathLike[str], directory: bool = False) -> None:
    try:
        flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
        descriptor = os.open(path, flags)
    except OSError:  # e.g. folders cannot be opened on Windows; the rename is still atomic
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def atomic_write(path: str | os.PathLike[str], write: Callable[[str], Any],
                 verify: Callable[[str], Any] | None = None) -> Path:
    """Write a file atomically: ``write(temporary_path)``, check it with
    ``verify(temporary_path)`` (which raises if the file is not complete), flush it to
    disk, rename it over ``path``. On any error or interruption (Ctrl-C included) the
    temporary file is removed and ``path`` is left as it was: readers see the old file or
    the new one, never a part.

    The check matters because a Ctrl-C that lands in a library's clean-up code (a
    ``__del__`` or ``close``) is swallowed there ("Exception ignored in ...") and the
    writer may return normally after an incomplete write.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from eikura.files import atomic_write
    >>> target = Path(tempfile.mkdtemp()) / "notes.txt"
    >>> _ = atomic_write(target, lambda temporary: Path(temporary).write_text("hello"))
    >>> target.read_text()
    'hello'
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    os.close(descriptor)
    try:
        # New files follow the umask like any file the user creates (mkstemp alone
        # would give 0600).
        os.chmod(temporary, 0o666 & ~_current_umask())
        write(temporary)
        if verify is not None:
            try:
                verify(temporary)
            except Exception as error:
                raise OSError(
                    f"path: writing {str(target)!r} failed: the new file does not read back "
                    f"({type(error).__name__}: {error}); the previous file is unchanged"
                ) from None
        _fsync(temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync(folder, directory=True)  # make the rename itself durable
    return target


def verify_netcdf(
    path: str, shapes: dict[str, tuple[int, ...]], attrs: tuple[str, ...] = ()
) -> None:
    """Raise unless the NetCDF file at ``path`` holds these variables with these shapes
    and these attributes (a complete write of what was meant to be written)."""
    import h5netcdf

    with h5netcdf.File(path, "r") as file:
        for name, shape in shapes.items():
            if name not in file.variables:
                raise ValueError(f"variable {name!r} missing")
            if tuple(file.variables[name].shape) != tuple(shape):
                raise ValueError(f"variable {name!r} has shape {file.variables[name].shape}, "
                                 f"expected {shape}")
        missing = [name for name in attrs if name not in file.attrs]
        if missing:
            raise ValueError(f"attributes {missing} missing")
