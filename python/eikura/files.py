"""Files that are never left half-written: atomic writes and read-back verification.

Results, checkpoints and experiment data are written to a temporary file in the target's
folder, read back and checked, flushed to disk and renamed over the target. An
interrupted or failed save leaves the previous file as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["atomic_write", "verify_netcdf"]


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
