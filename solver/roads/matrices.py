"""Travel-time and distance matrices between points, and the road geometry between them.

Points are snapped to graph nodes; the routing engine (:mod:`solver.roads.routing`: a
contraction hierarchy or Dijkstra, identical results) gives, between every two distinct
snapped nodes, the fastest time and the length of that fastest route (the shortest of equally
fast ones), from edge times in whole milliseconds and lengths in whole centimetres. The
straight access leg between a point and its node is added at both ends: its length to the
distance, its length at ``access_speed_kph`` to the time. Identical points are at time and
distance zero; distinct points snapped to one node are apart by their access legs only.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import structlog
from numpy.typing import NDArray

from solver.domain import LatLon
from solver.roads.graph import RoadGraph
from solver.roads.routing import Engine, Router, check_engine, unpack
from solver.roads.snapping import SnapResult

if TYPE_CHECKING:
    from solver.roads.network import RoadNetwork

_KPH_TO_MPS = 1 / 3.6

log = structlog.get_logger(__name__)


class RoadMatrices:
    """Integer travel times (s) and distances (m) between every ordered pair of points.

    ``durations_s[i, j]`` / ``distances_m[i, j]`` go from ``points[i]`` to ``points[j]``
    (int64, read-only, diagonal zero). ``snap`` is the snapping of ``points`` (in order). The
    lookups :meth:`index_of`, :meth:`duration_s`, :meth:`distance_m` take the points
    themselves; :meth:`path_geometry` draws the fastest route between two of them (computed
    on demand by the network's :class:`~solver.roads.routing.Router`).
    """

    __slots__ = (
        "_graph",
        "_index",
        "_router",
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
        router: Router,
        unique_of_point: NDArray[np.int64],
    ) -> None:
        self.points = points
        self.durations_s = durations_s
        self.distances_m = distances_m
        self.snap = snap
        self._graph = graph
        self._router = router
        self._unique_of_point = unique_of_point
        self._index: dict[LatLon, int] = {}
        for position, point in enumerate(points):
            self._index.setdefault(point, position)
        for array in (durations_s, distances_m):
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
        start = int(self.snap.nodes[self.index_of(a)])
        end = int(self.snap.nodes[self.index_of(b)])
        return self._router.path_nodes(start, end)

    def path_geometry(self, a: LatLon, b: LatLon) -> list[tuple[float, float]]:
        """Return the fastest route from ``a`` to ``b`` as ``(lon, lat)`` pairs in degrees.

        Starts at ``a`` itself, then its snapped node, follows the roads' shapes, and ends
        with ``b``'s snapped node and ``b``. Identical points give ``[a, b]``.
        """
        same = self._unique_of_point[self.index_of(a)] == self._unique_of_point[self.index_of(b)]
        return route_geometry(self._graph, a, b, None if same else self.path_nodes(a, b))


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


def build_matrices(
    network: RoadNetwork,
    points: Sequence[LatLon],
    *,
    engine: Engine | None = None,
) -> RoadMatrices:
    """Build travel-time (s) and distance (m) matrices between ``points`` on ``network``.

    See the module docstring for the rules. ``engine`` overrides the network's. Points far
    from the roads are not rejected here; check ``matrices.snap`` with
    :func:`~solver.roads.snapping.far_points` first.
    """
    started = time.perf_counter()
    points = tuple(points)
    graph = network.graph
    settings = network.settings
    chosen = check_engine(network.engine if engine is None else engine)

    first_of: dict[LatLon, int] = {}
    unique_points: list[LatLon] = []
    unique_of_point = np.empty(len(points), dtype=np.int64)
    for position, point in enumerate(points):
        unique = first_of.setdefault(point, len(unique_points))
        if unique == len(unique_points):
            unique_points.append(point)
        unique_of_point[position] = unique

    unique_snap = network.snap(unique_points)
    # Road nodes in order of first appearance: without shared nodes no reordering is needed.
    nodes, first = np.unique(unique_snap.nodes, return_index=True)
    order = np.argsort(first, kind="stable")
    sources = nodes[order].astype(np.int64)
    source_row = np.empty(nodes.shape[0], dtype=np.int64)
    source_row[order] = np.arange(nodes.shape[0], dtype=np.int64)
    source_row = source_row[np.searchsorted(nodes, unique_snap.nodes)]
    table = network.router.table(sources, sources, chosen)
    if sources.shape[0] != len(unique_points):
        table = table[np.ix_(source_row, source_row)]
    unique_time, unique_length = unpack(table)

    snap_m = unique_snap.distances_m
    access_s = snap_m / (settings.access_speed_kph * _KPH_TO_MPS)
    unique_time += access_s[:, None]
    unique_time += access_s[None, :]
    unique_length += snap_m[:, None]
    unique_length += snap_m[None, :]
    np.fill_diagonal(unique_time, 0.0)
    np.fill_diagonal(unique_length, 0.0)
    durations = np.rint(unique_time, out=unique_time).astype(np.int64)
    distances = np.rint(unique_length, out=unique_length).astype(np.int64)
    if len(unique_points) != len(points):
        expand = np.ix_(unique_of_point, unique_of_point)
        durations, distances = durations[expand], distances[expand]
    snap = SnapResult(nodes=unique_snap.nodes[unique_of_point], distances_m=snap_m[unique_of_point])
    log.info(
        "roads.matrices_built",
        num_points=len(points),
        num_sources=int(sources.shape[0]),
        engine=chosen,
        seconds=round(time.perf_counter() - started, 3),
    )
    return RoadMatrices(
        points=points,
        durations_s=durations,
        distances_m=distances,
        snap=snap,
        graph=graph,
        router=network.router,
        unique_of_point=unique_of_point,
    )
