"""Rich display in notebooks: the small HTML tables behind ``_repr_html_``."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["html_table"]


def html_table(title: str, rows: Sequence[tuple[str, str]]) -> str:
    """A two-column table with a caption; every value is escaped."""
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{escape(name)}</th>"
        f"<td style='text-align:left'>{escape(value)}</td></tr>"
        for name, value in rows)
    return (f"<table><caption style='text-align:left;font-weight:bold'>{escape(title)}"
            f"</caption>{body}</table>")
