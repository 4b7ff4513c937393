"""The graph that shortest paths run on, and the two engines that run them.

Weights are exact integers. Each edge's travel time is rounded to whole milliseconds and its
length to whole centimetres, and the two are packed into one int64 *composite weight*
``time_ms × LENGTH_SLOTS + length_cm``. Minimising it minimises the time first and, among
equally fast routes, the length: so "the distance along the fastest route" is one well
defined number, and every engine returns the same integers (scipy's float64 sums are exact
below 2^53, which allows routes up to :data:`MAX_ROUTE_S` seconds and
:data:`MAX_ROUTE_M` metres).

Without turn costs the routing graph is the road graph itself (vertex = road node). With
them it is the edge-based graph (vertex = road edge, arc = turn, see
:mod:`solver.roads.turns`): a route from road node ``s`` starts on any edge leaving ``s``
(at that edge's weight) and ends on any edge into ``t``. Each road node therefore has a
*source set* (vertices with start offsets) and a *target set* of vertices.

Engines:

- ``"scipy"``: one Dijkstra per source (``scipy.sparse.csgraph.dijkstra``); no preprocessing.
- ``"ch"``: a contraction hierarchy (:mod:`solver.roads.ch`, needs numba), built once per
  routing graph (one to two seconds for 20 000 vertices, 10 to 20 for the 50 000 of the
  edge-based "all" graph), cached on disk and in the :class:`Router`; then bucket
  many-to-many queries: 1000 × 1000 in under 0.1 s on an idle two-core machine, 5 to 60
  times faster than scipy (``benchmarks/roads_bench.py``).
"""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path
from typing import Any, Literal

import numpy as np
import structlog
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from solver.roads import cache, ch
from solver.roads.errors import RoadsError
from solver.roads.graph import RoadGraph
from solver.roads.turns import Turns

Engine = Literal["scipy", "ch"]
"""How shortest paths are computed: ``"scipy"`` (Dijkstra) or ``"ch"`` (contraction
hierarchy). Both give identical results."""

ENGINES: tuple[Engine, ...] = ("scipy", "ch")

TIME_UNITS_PER_S = 1000
"""Edge and turn times are rounded to whole milliseconds."""

LENGTH_UNITS_PER_M = 100
"""Edge lengths are rounded to whole centimetres."""

LENGTH_BITS = 27
LENGTH_SLOTS = 1 << LENGTH_BITS
"""Composite weight = ``time_ms × LENGTH_SLOTS + length_cm``: lengths below 1 342 km."""

_EXACT_FLOAT_LIMIT = 1 << 53
MAX_ROUTE_S = _EXACT_FLOAT_LIMIT // LENGTH_SLOTS / TIME_UNITS_PER_S
"""Longest route time the packing holds exactly, seconds (about 18 hours)."""

MAX_ROUTE_M = LENGTH_SLOTS / LENGTH_UNITS_PER_M
"""Longest route length the packing holds, metres (1 342 km)."""

DEFAULT_CHUNK_SOURCES = 32
"""Dijkstra sources handled at once by the scipy engine (bounds memory: 8 bytes × chunk ×
vertices)."""

MAX_CACHED_TREES = 256
"""Shortest-path trees kept by :meth:`Router.path_nodes` (4 bytes × vertices each)."""

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]

log = structlog.get_logger(__name__)


def default_engine() -> Engine:
    """The fastest engine installed: ``"ch"`` when numba is, else ``"scipy"``."""
    return "ch" if ch.is_available() else "scipy"


def check_engine(engine: str) -> Engine:
    """Return ``engine`` if known and usable; :class:`RoadsError` otherwise."""
    if engine not in ENGINES:
        raise RoadsError(
            "ROADS_INVALID_SETTINGS",
            f"The routing engine {engine!r} is unknown.",
            "Use engine 'ch' (contraction hierarchy) or 'scipy' (Dijkstra).",
        )
    if engine == "ch" and not ch.is_available():
        raise RoadsError(
            "ROADS_ENGINE_UNAVAILABLE",
            "The routing engine 'ch' needs the numba package, which is not installed.",
            "Install numba, or use engine 'scipy'.",
        )
    return engine


def pack(time_s: F64, length_m: F64) -> I64:
    """Return composite weights of times (s) and lengths (m), rounded to ms and cm."""
    time_units = np.rint(np.asarray(time_s) * TIME_UNITS_PER_S).astype(np.int64)
    length_units = np.rint(np.asarray(length_m) * LENGTH_UNITS_PER_M).astype(np.int64)
    packed: I64 = time_units * LENGTH_SLOTS + length_units
    return packed


def unpack(weight: I64) -> tuple[F64, F64]:
    """Return ``(time_s, length_m)`` of composite weights."""
    weight = np.asarray(weight, dtype=np.int64)
    time_s = np.divide(weight >> LENGTH_BITS, TIME_UNITS_PER_S, dtype=np.float64)
    length_m = np.divide(weight & (LENGTH_SLOTS - 1), LENGTH_UNITS_PER_M, dtype=np.float64)
    return time_s, length_m


class RoutingGraph:
    """The routing graph: arcs in CSR form, with each road node's source and target sets.

    ``indptr``/``head``/``weight``: arcs leaving each vertex, composite weights (int64).
    ``source_indptr``/``source_vertex``/``source_offset`` (by road node): where a route from
    the node starts and at what weight. ``target_indptr``/``target_vertex``: where a route
    to the node may end. ``vertex_node``: the road node a route has reached at each vertex.
    ``is_turn_based``: vertices are road edges (turn costs apply). ``digest``: SHA-256 of all
    of it (the cache key of its contraction hierarchy).
    """

    def __init__(
        self,
        *,
        num_nodes: int,
        indptr: I64,
        head: I64,
        weight: I64,
        source_indptr: I64,
        source_vertex: I64,
        source_offset: I64,
        target_indptr: I64,
        target_vertex: I64,
        vertex_node: I64,
        is_turn_based: bool,
    ) -> None:
        self.num_nodes = num_nodes
        self.indptr = indptr
        self.head = head
        self.weight = weight
        self.source_indptr = source_indptr
        self.source_vertex = source_vertex
        self.source_offset = source_offset
        self.target_indptr = target_indptr
        self.target_vertex = target_vertex
        self.vertex_node = vertex_node
        self.is_turn_based = is_turn_based
        for array in self._arrays():
            array.flags.writeable = False
        if weight.size and int(weight.min()) <= 0:
            raise ValueError("routing weights must be positive")
        digest = hashlib.sha256(b"turns" if is_turn_based else b"nodes")
        for array in self._arrays():
            digest.update(np.ascontiguousarray(array).tobytes())
            digest.update(b"|")
        self.digest = digest.hexdigest()
        self._scipy_csr: csr_matrix | None = None

    def _arrays(self) -> tuple[I64, ...]:
        return (
            self.indptr,
            self.head,
            self.weight,
            self.source_indptr,
            self.source_vertex,
            self.source_offset,
            self.target_indptr,
            self.target_vertex,
            self.vertex_node,
        )

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_scipy_csr"] = None  # rebuilt on demand; keeps pickles small
        return state

    @property
    def num_vertices(self) -> int:
        """Number of vertices (road nodes, or road edges when turn-based)."""
        return int(self.indptr.shape[0]) - 1

    @property
    def num_arcs(self) -> int:
        """Number of arcs (road edges, or turns when turn-based)."""
        return int(self.head.shape[0])

    def tails(self) -> I64:
        """Return the tail vertex of each arc."""
        counts = np.diff(self.indptr)
        return np.repeat(np.arange(self.num_vertices, dtype=np.int64), counts)

    def scipy_start(self, node: int) -> int:
        """Return the scipy vertex that routes from road node ``node`` start at."""
        return self.num_vertices + node if self.is_turn_based else node

    def scipy_csr(self) -> csr_matrix:
        """Return the arcs as a float64 CSR matrix for scipy (exact: weights < 2^53).

        Turn-based graphs get one extra vertex per road node, ``num_vertices + node``, with
        arcs to the node's source set at their offsets: Dijkstra from it is a route from the
        node.
        """
        if self._scipy_csr is None:
            n = self.num_vertices
            if self.is_turn_based:
                size = n + self.num_nodes
                indptr = np.concatenate((self.indptr, self.indptr[-1] + self.source_indptr[1:]))
                head = np.concatenate((self.head, self.source_vertex))
                weight = np.concatenate((self.weight, self.source_offset))
            else:
                size, indptr, head, weight = n, self.indptr, self.head, self.weight
            self._scipy_csr = csr_matrix(
                (weight.astype(np.float64), head, indptr), shape=(size, size)
            )
        return self._scipy_csr


def node_routing_graph(graph: RoadGraph, edge_time_s: F64) -> RoutingGraph:
    """Return the routing graph without turn costs: the road graph, packed weights."""
    nodes = np.arange(graph.num_nodes, dtype=np.int64)
    return RoutingGraph(
        num_nodes=graph.num_nodes,
        indptr=graph.edge_indptr.astype(np.int64),
        head=graph.edge_head.astype(np.int64),
        weight=pack(edge_time_s, graph.edge_length_m),
        source_indptr=np.arange(graph.num_nodes + 1, dtype=np.int64),
        source_vertex=nodes,
        source_offset=np.zeros(graph.num_nodes, dtype=np.int64),
        target_indptr=np.arange(graph.num_nodes + 1, dtype=np.int64),
        target_vertex=nodes,
        vertex_node=nodes,
        is_turn_based=False,
    )


def turn_routing_graph(
    graph: RoadGraph, edge_time_s: F64, turns: Turns, turn_s: F64
) -> RoutingGraph:
    """Return the edge-based routing graph: arc ``e -> f`` costs ``f``'s weight plus the turn.

    ``turn_s`` is each turn's cost in seconds, in the order of ``turns``.
    """
    edge_weight = pack(edge_time_s, graph.edge_length_m)
    turn_units = np.rint(np.asarray(turn_s) * TIME_UNITS_PER_S).astype(np.int64)
    in_order = np.argsort(graph.edge_head, kind="stable").astype(np.int64)
    target_indptr = np.zeros(graph.num_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(graph.edge_head, minlength=graph.num_nodes), out=target_indptr[1:])
    return RoutingGraph(
        num_nodes=graph.num_nodes,
        indptr=turns.indptr,
        head=turns.onto,
        weight=edge_weight[turns.onto] + turn_units * LENGTH_SLOTS,
        source_indptr=graph.edge_indptr.astype(np.int64),
        source_vertex=np.arange(graph.num_edges, dtype=np.int64),
        source_offset=edge_weight,
        target_indptr=target_indptr,
        target_vertex=in_order,
        vertex_node=graph.edge_head.astype(np.int64),
        is_turn_based=True,
    )


def _select(indptr: I64, vertex: I64, nodes: I64) -> tuple[I64, I64]:
    """Return the CSR ``(indptr, positions)`` of the sets of ``nodes``.

    ``positions`` index ``vertex`` and its companion arrays (offsets).
    """
    lengths = indptr[nodes + 1] - indptr[nodes]
    selected_indptr = np.zeros(nodes.shape[0] + 1, dtype=np.int64)
    np.cumsum(lengths, out=selected_indptr[1:])
    within = np.arange(int(selected_indptr[-1]), dtype=np.int64) - np.repeat(
        selected_indptr[:-1], lengths
    )
    positions = np.repeat(indptr[nodes], lengths) + within
    return selected_indptr, positions


class Router:
    """Shortest paths on one routing graph: tables by either engine, and node paths.

    Holds the contraction hierarchy once built (loaded from ``cache_dir`` when there) and a
    bounded set of shortest-path trees for drawing routes. Pickles without either. Safe to
    share between threads (the API answers requests in a thread pool).
    """

    def __init__(self, routing: RoutingGraph, *, cache_dir: Path | None = None) -> None:
        self.routing = routing
        self.cache_dir = cache_dir
        self._hierarchy: ch.ContractionHierarchy | None = None
        self._trees: dict[int, tuple[NDArray[np.int32], I64 | None]] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_hierarchy"] = None
        state["_trees"] = {}
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # --------------------------------------------------------------------------- hierarchy

    @property
    def has_hierarchy(self) -> bool:
        """Whether the contraction hierarchy is in memory already."""
        return self._hierarchy is not None

    def hierarchy(self) -> ch.ContractionHierarchy:
        """Return the contraction hierarchy: in memory, else from the disk cache, else built.

        A built hierarchy is cached on disk; its ``build_s`` tells how long building took.
        """
        with self._lock:
            if self._hierarchy is None:
                self._hierarchy = self._load_or_build_hierarchy()
            return self._hierarchy

    def _load_or_build_hierarchy(self) -> ch.ContractionHierarchy:
        """Read the hierarchy from the disk cache, else build it and cache it."""
        started = time.perf_counter()
        routing = self.routing
        key = cache.hierarchy_key(routing.digest, ch.FORMAT_VERSION)
        hierarchy = None
        if self.cache_dir is not None:
            hierarchy = cache.load_hierarchy(self.cache_dir, key, routing.num_vertices)
        if hierarchy is not None:
            log.info(
                "roads.hierarchy_loaded",
                num_vertices=routing.num_vertices,
                seconds=round(time.perf_counter() - started, 3),
            )
        else:
            hierarchy = ch.build_hierarchy(
                routing.num_vertices, routing.tails(), routing.head, routing.weight
            )
            if self.cache_dir is not None:
                cache.store_hierarchy(self.cache_dir, key, hierarchy)
            log.info(
                "roads.hierarchy_built",
                num_vertices=routing.num_vertices,
                num_arcs=routing.num_arcs,
                num_shortcuts=hierarchy.num_shortcuts,
                seconds=round(hierarchy.build_s, 3),
            )
        return hierarchy

    # ------------------------------------------------------------------------------ tables

    def table(self, sources: I64, targets: I64, engine: Engine) -> I64:
        """Return the composite weights of the best routes between road nodes.

        Rows follow ``sources``, columns ``targets`` (int64; a node to itself is 0).
        """
        sources = np.asarray(sources, dtype=np.int64)
        targets = np.asarray(targets, dtype=np.int64)
        if sources.size == 0 or targets.size == 0:
            return np.zeros((sources.size, targets.size), dtype=np.int64)
        if engine == "ch":
            table = self._table_ch(sources, targets)
        else:
            table = self._table_scipy(sources, targets)
        _, at_source, at_target = np.intersect1d(sources, targets, return_indices=True)
        table[at_source, at_target] = 0  # distinct points on one node: access legs only
        if bool((table >= ch.INF).any()):  # pragma: no cover - strongly connected graph
            raise RoadsError(
                "ROADS_UNREACHABLE",
                "Some points cannot be reached by road from others.",
                "Rebuild the road graph; it should be strongly connected.",
            )
        if bool((table >= _EXACT_FLOAT_LIMIT).any()):  # pragma: no cover - 18-hour routes
            raise RoadsError(
                "ROADS_INVALID_SETTINGS",
                "A route is too long to time exactly (over 18 hours).",
                "Raise speed_factor, or clip the OSM extract to the municipality.",
            )
        return table

    def _table_ch(self, sources: I64, targets: I64) -> I64:
        routing = self.routing
        source_indptr, source_at = _select(routing.source_indptr, routing.source_vertex, sources)
        target_indptr, target_at = _select(routing.target_indptr, routing.target_vertex, targets)
        return self.hierarchy().many_to_many(
            source_indptr,
            routing.source_vertex[source_at],
            routing.source_offset[source_at],
            target_indptr,
            routing.target_vertex[target_at],
            np.zeros(target_at.shape[0], dtype=np.int64),
        )

    def _table_scipy(self, sources: I64, targets: I64) -> I64:
        routing = self.routing
        csr = routing.scipy_csr()
        starts = np.array([routing.scipy_start(int(s)) for s in sources], dtype=np.int64)
        target_indptr, target_at = _select(routing.target_indptr, routing.target_vertex, targets)
        columns = routing.target_vertex[target_at]
        table = np.empty((sources.size, targets.size), dtype=np.int64)
        for start in range(0, sources.size, DEFAULT_CHUNK_SOURCES):
            chunk = starts[start : start + DEFAULT_CHUNK_SOURCES]
            dist = dijkstra(csr, directed=True, indices=chunk)[:, columns]
            best = np.minimum.reduceat(dist, target_indptr[:-1], axis=1)
            best[~np.isfinite(best)] = float(ch.INF)
            table[start : start + chunk.size] = best.astype(np.int64)
        return table

    # ------------------------------------------------------------------------------- paths

    def path_nodes(self, start: int, end: int) -> list[int]:
        """Return the road nodes of the best route from road node ``start`` to ``end``."""
        if start == end:
            return [start]
        routing = self.routing
        predecessors, best_in = self._tree(start)
        if routing.is_turn_based:
            assert best_in is not None
            vertex = int(best_in[end])
        else:
            vertex = end
        vertices = []
        origin = routing.scipy_start(start)
        while vertex != origin:
            if vertex < 0:  # pragma: no cover - strongly connected graph
                raise RoadsError(
                    "ROADS_UNREACHABLE",
                    "A point cannot be reached by road from another.",
                    "Rebuild the road graph; it should be strongly connected.",
                )
            vertices.append(vertex)
            vertex = int(predecessors[vertex])
        vertices.reverse()
        return [start, *routing.vertex_node[vertices].tolist()]

    def _tree(self, start: int) -> tuple[NDArray[np.int32], I64 | None]:
        """Return Dijkstra's predecessors from road node ``start``.

        Turn-based, also the best vertex of each road node's target set (else None).
        """
        tree = self._trees.get(start)
        if tree is None:
            routing = self.routing
            dist, predecessors = dijkstra(
                routing.scipy_csr(),
                directed=True,
                indices=routing.scipy_start(start),
                return_predecessors=True,
            )
            best_in: I64 | None = None
            if routing.is_turn_based:
                group = np.repeat(
                    np.arange(routing.num_nodes, dtype=np.int64), np.diff(routing.target_indptr)
                )
                order = np.lexsort((dist[routing.target_vertex], group))
                firsts = routing.target_indptr[:-1]
                best_in = routing.target_vertex[order[firsts]]
            tree = (np.asarray(predecessors, dtype=np.int32), best_in)
            with self._lock:
                if len(self._trees) >= MAX_CACHED_TREES:
                    self._trees.pop(next(iter(self._trees)), None)
                self._trees[start] = tree
        return tree
