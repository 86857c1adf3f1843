"""Zero contours of a function sampled on a rectangular grid, as ordered polylines.

Marching squares: every grid edge whose end values have opposite signs holds one
crossing (placed by linear interpolation); every cell with two crossings holds a
segment between them (with four, the sign at the cell centre decides the pairing); the
segments are chained through their shared edges into polylines. Cells with a NaN
corner are skipped, so a test function that only exists on part of the plane (a branch
of states that ends at a fold) gives curves that stop there. Accuracy: second order in
the grid spacing for smooth functions.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Edge = tuple[int, int, int]  # (0, j, i): from (j, i) to (j, i+1); (1, j, i): to (j+1, i)

__all__ = ["zero_contours", "join_pieces", "chains"]

Node = TypeVar("Node", bound=Hashable)


def _crossing(values: Array, edge: Edge) -> tuple[float, float]:
    """Fractional (row, column) index of the zero on an edge."""
    axis, j, i = edge
    a = values[j, i]
    b = values[j, i + 1] if axis == 0 else values[j + 1, i]
    t = float(a / (a - b))
    return (float(j), i + t) if axis == 0 else (j + t, float(i))


def zero_contours(values: Array, x: Array, y: Array) -> list[Array]:
    """Zero contours of ``values`` (shape ``(len(y), len(x))``) as ``(n, 2)`` (x, y) arrays."""
    values = np.asarray(values, dtype=float)
    valid = np.isfinite(values)
    positive = values > 0
    horizontal = valid[:, :-1] & valid[:, 1:] & (positive[:, :-1] != positive[:, 1:])
    vertical = valid[:-1, :] & valid[1:, :] & (positive[:-1, :] != positive[1:, :])
    cell_valid = valid[:-1, :-1] & valid[:-1, 1:] & valid[1:, :-1] & valid[1:, 1:]
    count = (
        horizontal[:-1, :].astype(int) + horizontal[1:, :] + vertical[:, :-1] + vertical[:, 1:]
    ) * cell_valid
    neighbours: dict[Edge, list[Edge]] = {}

    def link(a: Edge, b: Edge) -> None:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)

    for row, column in zip(*np.nonzero(count >= 2), strict=True):
        j, i = int(row), int(column)
        bottom, top, left, right = (0, j, i), (0, j + 1, i), (1, j, i), (1, j, i + 1)
        crossing = [
            e
            for e, on in (
                (bottom, horizontal[j, i]),
                (top, horizontal[j + 1, i]),
                (left, vertical[j, i]),
                (right, vertical[j, i + 1]),
            )
            if on
        ]
        if len(crossing) == 2:
            link(crossing[0], crossing[1])
        elif len(crossing) == 4:  # saddle cell: the centre's sign decides the pairing
            centre = 0.25 * float(np.sum(values[j : j + 2, i : i + 2]))
            if (centre > 0) == positive[j, i]:
                link(bottom, right)
                link(left, top)
            else:
                link(bottom, left)
                link(top, right)
    curves: list[Array] = []
    columns = np.arange(x.size, dtype=float)
    rows = np.arange(y.size, dtype=float)
    for chain in chains(neighbours):
        start = chain[0]
        if len(neighbours[start]) == 2 and start in neighbours[chain[-1]]:
            chain.append(start)  # a closed loop
        index = np.array([_crossing(values, e) for e in chain])
        curves.append(np.column_stack([np.interp(index[:, 1], columns, x),
                                       np.interp(index[:, 0], rows, y)]))
    return curves


def chains(neighbours: Mapping[Node, list[Node]]) -> list[list[Node]]:
    """Walk linked segments into chains of at least two nodes: from the open ends first,
    then around the closed loops (``neighbours``: each node's linked nodes)."""
    found: list[list[Node]] = []
    seen: set[Node] = set()
    starts = [node for node, near in neighbours.items() if len(near) == 1]
    starts += [node for node in neighbours if len(neighbours[node]) != 1]
    for start in starts:
        if start in seen:
            continue
        chain = [start]
        seen.add(start)
        current = start
        while True:
            following = [node for node in neighbours[current] if node not in seen]
            if not following:
                break
            current = following[0]
            seen.add(current)
            chain.append(current)
        if len(chain) >= 2:
            found.append(chain)
    return found


def join_pieces(curves: list[Array], tolerance: float) -> list[Array]:
    """Join polylines whose ends lie within ``tolerance`` of each other (pieces of one
    curve cut where the grid could not follow it, e.g. next to where its branch ends)."""
    pieces = [c for c in curves if len(c) >= 2 and np.all(np.isfinite(c))]
    joined = True
    while joined and len(pieces) > 1:
        joined = False
        for a in range(len(pieces)):
            for b in range(a + 1, len(pieces)):
                first, second = pieces[a], pieces[b]
                options = [
                    (float(np.linalg.norm(first[-1] - second[0])), (first, second)),
                    (float(np.linalg.norm(first[-1] - second[-1])), (first, second[::-1])),
                    (float(np.linalg.norm(first[0] - second[-1])), (second, first)),
                    (float(np.linalg.norm(first[0] - second[0])), (second[::-1], first)),
                ]
                distance, (head, tail) = min(options, key=lambda option: option[0])
                if distance <= tolerance:
                    pieces[a] = np.vstack([head, tail])
                    del pieces[b]
                    joined = True
                    break
            if joined:
                break
    return pieces
