"""Facts about the installed package (one place for the version lookup)."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

__all__ = ["eikura_version"]


@cache
def eikura_version() -> str:
    """The installed eikura version, or ``"0+unknown"`` when run from a source tree."""
    try:
        return version("eikura")
    except PackageNotFoundError:
        return "0+unknown"
