"""Network topologies.

A topology object only describes the network; ``build`` turns it into the C++ CSR
network (or ``None`` for all-to-all coupling, which runs through the mean fields).
Oscillators are always stored E first, then I. Every topology has the members of the
:class:`Network` protocol, which is all the engine and the sweeps rely on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import scipy.sparse
from numpy.typing import NDArray

from . import _core
from ._validation import check_bool, check_int, check_probability, check_seed, check_sparse_matrix

__all__ = ["AllToAll", "FixedInDegree", "Procedural", "ErdosRenyi", "Graph", "Network",
           "BuiltNetwork", "check_network", "network_from_dict"]

BLOCKS = ("ee", "ei", "ie", "ii")  # post, pre

BuiltNetwork = _core.CsrNetwork | _core.RandomBlocks | None
"""What ``Network.build`` gives the engine: stored CSR edges, a procedural rule that
redraws them, or ``None`` (all-to-all coupling through the mean fields)."""


@runtime_checkable
class Network(Protocol):
    """What every network topology offers the engine (and the sweeps)."""

    def check_sizes(self, n_e: int, n_i: int) -> None:
        """Raise ``ValueError`` if the topology cannot connect populations of these sizes."""

    def build(self, n_e: int, n_i: int, seed: int, threads: int) -> BuiltNetwork:
        """The network for the C++ engine, drawn from ``seed`` where it is random."""

    def estimate_bytes(self, n_e: int, n_i: int) -> int:
        """Peak bytes of the built network (and of the temporaries that build it)."""

    def inputs_per_oscillator(self, n_e: int, n_i: int) -> float:
        """Mean number of inputs an evaluation gathers per oscillator (0 for all-to-all,
        which needs only the mean fields): the cost of a step, for scheduling work."""

    def content_arrays(self) -> dict[str, NDArray[Any]]:
        """Arrays that define the network beyond :meth:`to_dict` (a user graph's edges),
        by name; :func:`network_from_dict` takes them back."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly description (stored with every result)."""


@dataclass(frozen=True)
class AllToAll:
    """Every oscillator receives every other one (and itself, which adds sin 0 = 0).

    Runs in O(N) per evaluation through the population mean fields Z_E and Z_I.

    Examples
    --------
    >>> import eikura as ek
    >>> model = ek.EIKuramoto(n_e=80, n_i=20, network=ek.AllToAll())
    """

    def check_sizes(self, n_e: int, n_i: int) -> None:
        """Any population sizes fit all-to-all coupling."""

    def build(self, n_e: int, n_i: int, seed: int, threads: int) -> None:
        return None

    def estimate_bytes(self, n_e: int, n_i: int) -> int:
        return 0

    def inputs_per_oscillator(self, n_e: int, n_i: int) -> float:
        return 0.0

    def content_arrays(self) -> dict[str, NDArray[Any]]:
        return {}

    def to_dict(self) -> dict[str, Any]:
        return {"topology": "all-to-all"}


def _block_values(kind: str, defaults: dict[str, Any], default_names: dict[str, str],
                  overrides: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """Each block's value with the name of the parameter it came from (the block's own, or
    the population-wide default), so that messages name what the user typed."""
    values = {}
    for block in BLOCKS:
        if overrides[block] is not None:
            values[block] = (f"{kind}_{block}", overrides[block])
        elif defaults[block] is not None:
            values[block] = (default_names[block], defaults[block])
        else:
            raise ValueError(
                f"{default_names[block]}: not given; pass {default_names[block]}= (or "
                f"{kind}_{block}= for that block alone)"
            )
    return values


@dataclass(frozen=True)
class FixedInDegree:
    """Random network in which every oscillator has exactly the same number of inputs.

    ``k_e`` excitatory and ``k_i`` inhibitory inputs per oscillator, drawn without
    replacement; ``k_ee, k_ei, k_ie, k_ii`` (post, pre) override a single block.
    Generated in C++ from the run's seed (or ``seed`` here, to keep one network across
    runs with different seeds).

    Examples
    --------
    >>> import eikura as ek
    >>> network = ek.FixedInDegree(k_e=80, k_i=20)
    >>> model = ek.EIKuramoto(n_e=800, n_i=200, network=network)
    """

    k_e: int | None = None
    k_i: int | None = None
    k_ee: int | None = None
    k_ei: int | None = None
    k_ie: int | None = None
    k_ii: int | None = None
    self_connections: bool = False
    seed: int | None = None
    degrees: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        defaults = {"ee": self.k_e, "ei": self.k_i, "ie": self.k_e, "ii": self.k_i}
        overrides = {b: getattr(self, f"k_{b}") for b in BLOCKS}
        names = {"ee": "k_e", "ei": "k_i", "ie": "k_e", "ii": "k_i"}
        values = _block_values("k", defaults, names, overrides)
        degrees = {b: check_int(name, value, minimum=0, maximum=2**31 - 1)
                   for b, (name, value) in values.items()}
        object.__setattr__(self, "degrees", degrees)
        check_bool("self_connections", self.self_connections)
        if self.seed is not None:
            check_seed("seed", self.seed)

    def _blocks(self) -> list[tuple[bool, int, float]]:
        return [(True, self.degrees[b], 0.0) for b in BLOCKS]

    def check_sizes(self, n_e: int, n_i: int) -> None:
        """Refuse in-degrees larger than the populations they draw from."""
        sizes = {"ee": n_e, "ei": n_i, "ie": n_e, "ii": n_i}
        for block in BLOCKS:
            available = sizes[block] - (0 if self.self_connections or block in ("ei", "ie") else 1)
            targets = n_e if block[0] == "e" else n_i
            if targets > 0 and self.degrees[block] > max(available, 0):
                # name the parameter the user typed: the block's own, or k_e / k_i
                name = f"k_{block}" if getattr(self, f"k_{block}") is not None else f"k_{block[1]}"
                source = "excitatory" if block[1] == "e" else "inhibitory"
                raise ValueError(
                    f"{name}: in-degree {self.degrees[block]} exceeds the {max(available, 0)} "
                    f"available {source} sources (population size {sizes[block]}); lower "
                    f"{name} or enlarge the population"
                )

    def build(self, n_e: int, n_i: int, seed: int, threads: int) -> BuiltNetwork:
        self.check_sizes(n_e, n_i)
        network_seed = seed if self.seed is None else self.seed
        rule = _core.RandomBlocks(n_e, n_i, self._blocks(), self.self_connections, network_seed)
        return _core.CsrNetwork.random(rule, threads)

    def estimate_bytes(self, n_e: int, n_i: int) -> int:
        return int(_core.CsrNetwork.estimate_random_bytes(n_e, n_i, self._blocks()))

    def inputs_per_oscillator(self, n_e: int, n_i: int) -> float:
        # The E targets receive k_ee + k_ei inputs, the I targets k_ie + k_ii.
        return float(sum(self.degrees.values())) / 2.0

    def content_arrays(self) -> dict[str, NDArray[Any]]:
        return {}

    def to_dict(self) -> dict[str, Any]:
        return {
            "topology": "fixed-in-degree",
            **{f"k_{b}": v for b, v in self.degrees.items()},
            "self_connections": self.self_connections,
            "seed": self.seed,
        }


@dataclass(frozen=True)
class Procedural(FixedInDegree):
    """Fixed in-degree random network regenerated from the seed at every evaluation.

    Nothing is stored per edge, so 10⁹ synapses and more fit in memory; each row's
    sources are redrawn from that row's random streams, exactly as
    :class:`FixedInDegree` draws them once. For the same seed both are the very same
    network (and give bit-identical runs); the procedural one trades time for memory.

    Examples
    --------
    >>> import eikura as ek
    >>> model = ek.EIKuramoto(n_e=800, n_i=200, k_ee=5.0, network=ek.Procedural(k_e=80, k_i=20))
    >>> model.network.build(800, 200, seed=1, threads=1).sources(0).size
    100
    """

    def build(self, n_e: int, n_i: int, seed: int, threads: int) -> BuiltNetwork:
        self.check_sizes(n_e, n_i)
        network_seed = seed if self.seed is None else self.seed
        return _core.RandomBlocks(n_e, n_i, self._blocks(), self.self_connections, network_seed)

    def estimate_bytes(self, n_e: int, n_i: int) -> int:
        # Nothing per edge: only each thread's buffers of a block of drawn rows.
        return int(_core.RandomBlocks.estimate_procedural_bytes(n_e, n_i, self._blocks()))

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "topology": "procedural-fixed-in-degree"}


@dataclass(frozen=True)
class ErdosRenyi:
    """Random network with independent connections: ``p_XY`` is the probability that a
    given oscillator of Y projects to a given oscillator of X (post, pre).

    ``p`` sets all four blocks; ``p_ee`` etc. override one.

    Examples
    --------
    >>> import eikura as ek
    >>> network = ek.ErdosRenyi(p=0.1, p_ii=0.2)
    >>> model = ek.EIKuramoto(n_e=800, n_i=200, network=network)
    """

    p: float | None = None
    p_ee: float | None = None
    p_ei: float | None = None
    p_ie: float | None = None
    p_ii: float | None = None
    self_connections: bool = False
    seed: int | None = None
    probabilities: dict[str, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        defaults = dict.fromkeys(BLOCKS, self.p)
        overrides = {b: getattr(self, f"p_{b}") for b in BLOCKS}
        values = _block_values("p", defaults, dict.fromkeys(BLOCKS, "p"), overrides)
        probabilities = {b: check_probability(name, value) for b, (name, value) in values.items()}
        object.__setattr__(self, "probabilities", probabilities)
        check_bool("self_connections", self.self_connections)
        if self.seed is not None:
            check_seed("seed", self.seed)

    def _blocks(self) -> list[tuple[bool, int, float]]:
        return [(False, 0, self.probabilities[b]) for b in BLOCKS]

    def check_sizes(self, n_e: int, n_i: int) -> None:
        """Any population sizes fit connection probabilities."""

    def build(self, n_e: int, n_i: int, seed: int, threads: int) -> BuiltNetwork:
        network_seed = seed if self.seed is None else self.seed
        rule = _core.RandomBlocks(n_e, n_i, self._blocks(), self.self_connections, network_seed)
        return _core.CsrNetwork.random(rule, threads)

    def estimate_bytes(self, n_e: int, n_i: int) -> int:
        return int(_core.CsrNetwork.estimate_random_bytes(n_e, n_i, self._blocks()))

    def inputs_per_oscillator(self, n_e: int, n_i: int) -> float:
        return float(np.mean(list(self.probabilities.values()))) * (n_e + n_i)

    def content_arrays(self) -> dict[str, NDArray[Any]]:
        return {}

    def to_dict(self) -> dict[str, Any]:
        return {
            "topology": "erdos-renyi",
            **{f"p_{b}": v for b, v in self.probabilities.items()},
            "self_connections": self.self_connections,
            "seed": self.seed,
        }


def _graph_to_sparse(graph: Any, is_excitatory: Any) -> tuple[scipy.sparse.csr_array, Any]:
    """A networkx graph → (matrix with row = target, mask in node order)."""
    import networkx as nx

    nodes = list(graph.nodes)
    if isinstance(is_excitatory, str):
        missing = [node for node in nodes if is_excitatory not in graph.nodes[node]]
        if missing:
            raise ValueError(
                f"is_excitatory: node attribute {is_excitatory!r} missing on {len(missing)} nodes "
                f"(e.g. {missing[0]!r})"
            )
        is_excitatory = [bool(graph.nodes[node][is_excitatory]) for node in nodes]
    weighted = any("weight" in data for _, _, data in graph.edges(data=True))
    # networkx: entry (u, v) is the edge u -> v, i.e. row = source; transpose to row = target.
    by_source = nx.to_scipy_sparse_array(graph, nodelist=nodes, weight="weight" if weighted else None,
                                         format="csr")
    return scipy.sparse.csr_array(by_source.T), is_excitatory


@dataclass(frozen=True, eq=False)
class Graph:
    """A network you bring: a ``scipy.sparse`` matrix or a networkx graph.

    Parameters
    ----------
    matrix
        ``scipy.sparse`` matrix of shape (N, N) with row = target, column = source
        (``matrix[i, j]`` is the weight of j → i; stored zeros are not edges), or a
        networkx (Di)Graph (edge u → v: u is the source).
    is_excitatory
        Boolean mask of length N (True for excitatory oscillators), or, for a networkx
        graph, the name of a boolean node attribute.
    weighted
        Use the matrix values as weights ``w_ij``. If False (default) every stored
        entry counts as 1.

    Oscillators are reordered E first (stable order); ``order[k]`` is the original index
    of stored oscillator ``k``, so ``phases_original[order] = run.phases``.

    Examples
    --------
    >>> import eikura as ek, numpy as np, scipy.sparse as sp
    >>> matrix = sp.random(100, 100, density=0.1, format="csr", random_state=1)
    >>> graph = ek.Graph(matrix, is_excitatory=np.arange(100) < 80)
    >>> graph.n_e, graph.n_i
    (80, 20)
    """

    matrix: Any
    is_excitatory: Any
    weighted: bool = False
    order: NDArray[np.int64] = field(init=False, repr=False)
    n_e: int = field(init=False)
    n_i: int = field(init=False)
    csr: scipy.sparse.csr_array = field(init=False, repr=False)
    """The matrix with E first (``csr = matrix[order][:, order]``), indices sorted."""

    def __post_init__(self) -> None:
        matrix, mask_like = self.matrix, self.is_excitatory
        if not scipy.sparse.issparse(matrix):
            if type(matrix).__module__.startswith("networkx"):
                matrix, mask_like = _graph_to_sparse(matrix, mask_like)
            else:
                raise TypeError(
                    "matrix: expected a scipy.sparse matrix (row = target) or a networkx graph, "
                    f"got {type(matrix).__name__}"
                )
        check_bool("weighted", self.weighted)
        csr = check_sparse_matrix("matrix", matrix)
        n = csr.shape[0]
        mask = np.asarray(mask_like)
        if mask.dtype != bool:
            raise TypeError(
                f"is_excitatory: expected a boolean mask (True for excitatory), got dtype {mask.dtype}"
            )
        if mask.shape != (n,):
            raise ValueError(
                f"is_excitatory: expected {n} labels (one per row of the matrix), got shape {mask.shape}"
            )
        order = np.concatenate([np.flatnonzero(mask), np.flatnonzero(~mask)])
        if np.array_equal(order, np.arange(n)):  # already E first: no O(edges) permutation
            permuted = scipy.sparse.csr_array(csr)
        else:
            permuted = scipy.sparse.csr_array(csr[order][:, order])
        permuted.sort_indices()
        object.__setattr__(self, "order", order)
        object.__setattr__(self, "n_e", int(mask.sum()))
        object.__setattr__(self, "n_i", int(n - mask.sum()))
        object.__setattr__(self, "csr", permuted)

    def __repr__(self) -> str:
        weighted = ", weighted" if self.weighted else ""
        return (f"Graph(N={self.n_e + self.n_i}, n_e={self.n_e}, n_i={self.n_i}, "
                f"edges={self.csr.nnz}{weighted})")

    def check_sizes(self, n_e: int, n_i: int) -> None:
        """The model's sizes must be the ones the labels give."""
        if (n_e, n_i) != (self.n_e, self.n_i):
            raise ValueError(
                f"is_excitatory: labels give n_e={self.n_e}, n_i={self.n_i} but the model has "
                f"n_e={n_e}, n_i={n_i}"
            )

    def build(self, n_e: int, n_i: int, seed: int, threads: int) -> BuiltNetwork:
        self.check_sizes(n_e, n_i)
        csr = self.csr
        weights = csr.data if self.weighted else np.empty(0)
        return _core.CsrNetwork.from_csr(
            n_e, n_i, csr.indptr.astype(np.int64), csr.indices.astype(np.int32), weights
        )

    def estimate_bytes(self, n_e: int, n_i: int) -> int:
        # The core's arrays (int32 sources, weights, two int64 row arrays) plus the int32
        # and int64 copies handed to it while it is built, plus the 16-bit words of a
        # tiled network (built while its int32 sources still live).
        nnz = self.csr.nnz
        tiling = _core.CsrNetwork.estimate_tiling_bytes(n_e, n_i, float(nnz), self.weighted)
        return int(nnz * (8 + (8 if self.weighted else 0)) + 24 * (n_e + n_i + 1) + tiling)

    def inputs_per_oscillator(self, n_e: int, n_i: int) -> float:
        return float(self.csr.nnz) / max(n_e + n_i, 1)

    def content_arrays(self) -> dict[str, NDArray[Any]]:
        csr = self.csr
        return {"graph_indptr": csr.indptr.astype(np.int64),
                "graph_indices": csr.indices.astype(np.int64),
                "graph_data": csr.data, "graph_order": self.order}

    def to_dict(self) -> dict[str, Any]:
        return {"topology": "graph", "n_edges": int(self.csr.nnz), "weighted": self.weighted}


def check_network(value: Any) -> Network:
    """``value`` if it is a network topology, else a ``TypeError`` that says what is."""
    if isinstance(value, Network):
        return value
    if scipy.sparse.issparse(value):
        raise TypeError("network: wrap a sparse matrix as ek.Graph(matrix, is_excitatory=mask)")
    raise TypeError(
        "network: expected ek.AllToAll(), ek.FixedInDegree(...), ek.ErdosRenyi(...) or "
        f"ek.Graph(...), got {type(value).__name__}"
    )



def _graph_from_arrays(description: dict[str, Any], arrays: dict[str, NDArray[Any]],
                       n_e: int) -> Graph:
    """The graph whose stored (E-first) edges and order are ``arrays``: the user's own
    matrix and labels, in the user's own order, so that ``order`` comes out the same."""
    missing = [name for name in ("graph_indptr", "graph_indices", "graph_data", "graph_order")
               if name not in arrays]
    if missing:
        raise ValueError(f"network: a user graph needs its edges ({', '.join(missing)} missing)")
    order = np.asarray(arrays["graph_order"], dtype=np.int64)
    n = order.size
    stored = scipy.sparse.csr_array(
        (arrays["graph_data"], arrays["graph_indices"], arrays["graph_indptr"]), shape=(n, n))
    inverse = np.argsort(order)
    mask = np.zeros(n, dtype=bool)
    mask[order[:n_e]] = True
    return Graph(stored[inverse][:, inverse], is_excitatory=mask,
                 weighted=bool(description.get("weighted", False)))


def network_from_dict(description: dict[str, Any], arrays: dict[str, NDArray[Any]] | None = None,
                      n_e: int = 0) -> Network:
    """The network that ``network.to_dict()`` (and, for a user graph,
    ``network.content_arrays()`` and its number ``n_e`` of excitatory nodes) describe.

    Examples
    --------
    >>> import eikura as ek
    >>> from eikura.networks import network_from_dict
    >>> network_from_dict(ek.ErdosRenyi(p=0.1, p_ii=0.2).to_dict())
    ErdosRenyi(p=None, p_ee=0.1, p_ei=0.1, p_ie=0.1, p_ii=0.2, self_connections=False, seed=None)
    """
    settings = {key: value for key, value in description.items() if key != "topology"}
    topology = description.get("topology")
    try:
        if topology == "all-to-all":
            return AllToAll()
        if topology in ("fixed-in-degree", "procedural-fixed-in-degree"):
            kind = FixedInDegree if topology == "fixed-in-degree" else Procedural
            return kind(**settings)
        if topology == "erdos-renyi":
            return ErdosRenyi(**settings)
        if topology == "graph":
            return _graph_from_arrays(settings, arrays or {}, n_e)
    except TypeError as error:
        raise ValueError(f"network: malformed {topology} description ({error})") from None
    raise ValueError(f"network: unknown topology {topology!r}")
