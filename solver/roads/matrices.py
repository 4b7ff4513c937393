"""Travel-time and distance matrices between points, and the road geometry between them.

Points are snapped to graph nodes; one Dijkstra run (scipy's ``csgraph.dijkstra`` on the
time-weighted CSR graph) per distinct snapped node gives the fastest times. The distance of a
pair is the length of that fastest path, summed along the shortest-path tree by pointer
jumping (vectorised over all sources and nodes). The straight access leg between a point and
its node is added at both ends: its length to the distance, its length at
``access_speed_kph`` to the time. Identical points are at time and distance zero; distinct
points snapped to one node are apart by their access legs only.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import structlog
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from solver.domain import LatLon
from solver.roads.errors import RoadsError
from solver.roads.graph import RoadGraph
from solver.roads.snapping import SnapResult

if TYPE_CHECKING:
    from solver.roads.network import RoadNetwork

DEFAULT_CHUNK_SOURCES = 16
"""Dijkstra sources handled at once. Small chunks keep the tree walk in the CPU cache
(measured fastest); memory is about 40 bytes × chunk × nodes."""

_KPH_TO_MPS = 1 / 3.6

log = structlog.get_logger(__name__)


class Matrices:
    """Integer travel times (s) and distances (m) between every ordered pair of points.

    ``durations_s[i, j]`` / ``distances_m[i, j]`` go from ``points[i]`` to ``points[j]``
    (int64, read-only, diagonal zero). ``snap`` is the snapping of ``points`` (in order). The
    lookups :meth:`index_of`, :meth:`duration_s`, :meth:`distance_m` take the points
    themselves; :meth:`path_geometry` draws the fastest route between two of them (one
    Dijkstra predecessor row per distinct snapped node is kept for it: 4 bytes × graph nodes).
    """

    __slots__ = (
        "_graph",
        "_index",
        "_predecessors",
        "_source_row",
        "_sources",
        "_unique_of_point",
        "distances_m",
        "durations_s",
        "points",
        "snap",
    )

    def __init__(
        self,
        *,
        points: tuple[LatLon, ...],
        durations_s: NDArray[np.int64],
        distances_m: NDArray[np.int64],
        snap: SnapResult,
        graph: RoadGraph,
        sources: NDArray[np.int64],
        source_row: NDArray[np.int64],
        predecessors: NDArray[np.int32],
        unique_of_point: NDArray[np.int64],
    ) -> None:
        self.points = points
        self.durations_s = durations_s
        self.distances_m = distances_m
        self.snap = snap
        self._graph = graph
        self._sources = sources
        self._source_row = source_row
        self._predecessors = predecessors
        self._unique_of_point = unique_of_point
        self._index: dict[LatLon, int] = {}
        for position, point in enumerate(points):
            self._index.setdefault(point, position)
        for array in (durations_s, distances_m, predecessors):
            array.flags.writeable = False

    def __len__(self) -> int:
        return len(self.points)

    @property
    def num_points(self) -> int:
        """Number of points (rows and columns)."""
        return len(self.points)

    def index_of(self, point: LatLon) -> int:
        """Return the row of ``point`` (the first if given twice); KeyError if absent."""
        try:
            return self._index[point]
        except KeyError:
            raise KeyError("the point is not one of the matrix points") from None

    def duration_s(self, a: LatLon, b: LatLon) -> int:
        """Return the travel time from ``a`` to ``b`` in whole seconds."""
        return int(self.durations_s[self.index_of(a), self.index_of(b)])

    def distance_m(self, a: LatLon, b: LatLon) -> int:
        """Return the distance from ``a`` to ``b`` along the fastest route, whole metres."""
        return int(self.distances_m[self.index_of(a), self.index_of(b)])

    def path_nodes(self, a: LatLon, b: LatLon) -> list[int]:
        """Return the graph nodes of the fastest route between ``a``'s and ``b``'s nodes."""
        ua = int(self._unique_of_point[self.index_of(a)])
        ub = int(self._unique_of_point[self.index_of(b)])
        row = int(self._source_row[ua])
        end = int(self._sources[self._source_row[ub]])
        return tree_path(self._predecessors[row], int(self._sources[row]), end)

    def path_geometry(self, a: LatLon, b: LatLon) -> list[tuple[float, float]]:
        """Return the fastest route from ``a`` to ``b`` as ``(lon, lat)`` pairs in degrees.

        Starts at ``a`` itself, then its snapped node, follows the roads' shapes, and ends
        with ``b``'s snapped node and ``b``. Identical points give ``[a, b]``.
        """
        same = self._unique_of_point[self.index_of(a)] == self._unique_of_point[self.index_of(b)]
        return route_geometry(self._graph, a, b, None if same else self.path_nodes(a, b))


def tree_path(predecessors: NDArray[np.int32], start: int, end: int) -> list[int]:
    """Return the nodes from ``start`` to ``end`` in a Dijkstra predecessor row from ``start``."""
    node = end
    path = [node]
    while node != start:
        node = int(predecessors[node])
        if node < 0:  # pragma: no cover - the graph is strongly connected
            raise RoadsError(
                "ROADS_UNREACHABLE",
                "A point cannot be reached by road from another.",
                "Rebuild the road graph; it should be strongly connected.",
            )
        path.append(node)
    path.reverse()
    return path


def route_geometry(
    graph: RoadGraph, a: LatLon, b: LatLon, nodes: Sequence[int] | None
) -> list[tuple[float, float]]:
    """Return ``a``, the shapes of the edges along ``nodes``, then ``b``, as ``(lon, lat)``.

    ``nodes`` is the node path between the two snapped nodes (one node when both snap to the
    same node); None gives the bare ``[a, b]`` (identical points).
    """
    coords: list[tuple[float, float]] = [(a.lon, a.lat)]
    if nodes:
        coords.append((float(graph.node_lon[nodes[0]]), float(graph.node_lat[nodes[0]])))
        if len(nodes) > 1:
            path = np.asarray(nodes, dtype=np.int64)
            for edge in graph.edge_index(path[:-1], path[1:]).tolist():
                coords.extend(graph.edge_geometry(int(edge))[1:])
    coords.append((b.lon, b.lat))
    return coords


def _tree_lengths_m(graph: RoadGraph, predecessors: NDArray[np.int32]) -> NDArray[np.float64]:
    """Return the length (m) from each row's source to every node along its shortest-path tree.

    ``predecessors`` is Dijkstra's ``(sources, nodes)`` predecessor array (negative at the
    source and at unreachable nodes). Pointer jumping: ``length[v]`` is the length from
    ``pointer[v]`` down to ``v``; each round adds the ancestor's length and jumps to the
    ancestor's pointer, so ``log2(tree depth)`` rounds bring every pointer to the root.
    (Whole-array rounds measured faster than shrinking an active set.)
    """
    num_rows, num_nodes = predecessors.shape
    columns = np.arange(num_nodes, dtype=np.int64)[None, :]
    has_parent = predecessors >= 0
    parent = np.where(has_parent, predecessors, columns).astype(np.int64)
    edges = graph.edge_index(parent[has_parent], np.broadcast_to(columns, parent.shape)[has_parent])
    if bool((edges < 0).any()):  # pragma: no cover - Dijkstra only uses existing edges
        raise RoadsError(
            "ROADS_INTERNAL",
            "A shortest-path tree uses an edge missing from the graph.",
            "Rebuild the road graph cache.",
        )
    length = np.zeros(parent.shape, dtype=np.float64)
    length[has_parent] = graph.edge_length_m[edges]
    length_flat = length.reshape(-1)
    row_offset = (np.arange(num_rows, dtype=np.int64) * num_nodes)[:, None]
    pointer = (parent + row_offset).reshape(-1)
    while True:
        jumped = pointer[pointer]
        if np.array_equal(jumped, pointer):
            break
        length_flat = length_flat + length_flat[pointer]
        pointer = jumped
    lengths: NDArray[np.float64] = length_flat.reshape(num_rows, num_nodes)
    return lengths


def build_matrices(
    network: RoadNetwork,
    points: Sequence[LatLon],
    *,
    chunk_sources: int = DEFAULT_CHUNK_SOURCES,
) -> Matrices:
    """Build travel-time (s) and distance (m) matrices between ``points`` on ``network``.

    See the module docstring for the rules. Points far from the roads are not rejected here;
    check ``matrices.snap`` with :func:`~solver.roads.snapping.far_points` first.
    """
    started = time.perf_counter()
    points = tuple(points)
    graph = network.graph
    settings = network.settings

    first_of: dict[LatLon, int] = {}
    unique_points: list[LatLon] = []
    unique_of_point = np.empty(len(points), dtype=np.int64)
    for position, point in enumerate(points):
        unique = first_of.setdefault(point, len(unique_points))
        if unique == len(unique_points):
            unique_points.append(point)
        unique_of_point[position] = unique

    unique_snap = network.snap(unique_points)
    sources, source_row = np.unique(unique_snap.nodes, return_inverse=True)
    sources = sources.astype(np.int64)
    source_row = source_row.astype(np.int64).reshape(-1)
    num_sources = int(sources.shape[0])

    node_time_s = np.zeros((num_sources, num_sources), dtype=np.float64)
    node_length_m = np.zeros((num_sources, num_sources), dtype=np.float64)
    predecessors = np.empty((num_sources, graph.num_nodes), dtype=np.int32)
    for start in range(0, num_sources, max(1, chunk_sources)):
        chunk = sources[start : start + chunk_sources]
        times, chunk_predecessors = dijkstra(
            network.time_csr, directed=True, indices=chunk, return_predecessors=True
        )
        node_time_s[start : start + chunk.shape[0]] = times[:, sources]
        lengths = _tree_lengths_m(graph, chunk_predecessors)
        node_length_m[start : start + chunk.shape[0]] = lengths[:, sources]
        predecessors[start : start + chunk.shape[0]] = chunk_predecessors
    if not bool(np.isfinite(node_time_s).all()):  # pragma: no cover - strongly connected graph
        raise RoadsError(
            "ROADS_UNREACHABLE",
            "Some points cannot be reached by road from others.",
            "Rebuild the road graph; it should be strongly connected.",
        )

    snap_m = unique_snap.distances_m
    access_s = snap_m / (settings.access_speed_kph * _KPH_TO_MPS)
    pair = np.ix_(source_row, source_row)
    unique_time = node_time_s[pair] + access_s[:, None] + access_s[None, :]
    unique_length = node_length_m[pair] + snap_m[:, None] + snap_m[None, :]
    np.fill_diagonal(unique_time, 0.0)
    np.fill_diagonal(unique_length, 0.0)

    expand = np.ix_(unique_of_point, unique_of_point)
    durations = np.rint(unique_time[expand]).astype(np.int64)
    distances = np.rint(unique_length[expand]).astype(np.int64)
    snap = SnapResult(nodes=unique_snap.nodes[unique_of_point], distances_m=snap_m[unique_of_point])
    log.info(
        "roads.matrices_built",
        num_points=len(points),
        num_sources=num_sources,
        seconds=round(time.perf_counter() - started, 3),
    )
    return Matrices(
        points=points,
        durations_s=durations,
        distances_m=distances,
        snap=snap,
        graph=graph,
        sources=sources,
        source_row=source_row,
        predecessors=predecessors,
        unique_of_point=unique_of_point,
    )
