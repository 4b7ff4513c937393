"""The road network facade: load (cached), snap, matrices, sample locations.

Travel times follow :class:`~solver.domain.RoadSettings`: ``speed_factor`` and
``intersection_penalty_s`` act on the edges; the turn costs ``turn_penalty_s`` and
``u_turn_penalty_s`` (above 0) switch routing to
the edge-based graph (:mod:`solver.roads.turns`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import structlog
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from solver.domain import LatLon, RoadSettings
from solver.roads import cache
from solver.roads.errors import RoadsError
from solver.roads.files import check_osm_file
from solver.roads.graph import RoadGraph
from solver.roads.matrices import RoadMatrices, build_matrices, route_geometry
from solver.roads.profile import DRIVE_PROFILE, RoadProfile
from solver.roads.routing import (
    Engine,
    Router,
    RoutingGraph,
    check_engine,
    default_engine,
    node_routing_graph,
    turn_routing_graph,
)
from solver.roads.snapping import NodeLocator, SnapResult
from solver.roads.turns import Turns, build_turns

log = structlog.get_logger(__name__)


def turn_penalty_s(settings: RoadSettings) -> float:
    """The cost of the sharpest turn at a junction, seconds."""
    return float(settings.turn_penalty_s)


def u_turn_penalty_s(settings: RoadSettings) -> float:
    """The extra cost of a u-turn, seconds."""
    return float(settings.u_turn_penalty_s)


def has_turn_costs(settings: RoadSettings) -> bool:
    """Whether ``settings`` charge for turns (then routing is edge-based)."""
    return turn_penalty_s(settings) > 0 or u_turn_penalty_s(settings) > 0


@dataclass(frozen=True, slots=True)
class Bounds:
    """A latitude/longitude box in degrees (both ends included)."""

    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    def contains(self, point: LatLon) -> bool:
        """Whether ``point`` lies in the box."""
        return (
            self.min_lat <= point.lat <= self.max_lat and self.min_lon <= point.lon <= self.max_lon
        )


def check_settings(settings: RoadSettings) -> None:
    """Raise :class:`RoadsError` ``ROADS_INVALID_SETTINGS`` for out-of-range road settings."""
    problems = [
        (not settings.speed_factor > 0, "speed_factor", "a factor above 0, e.g. 0.8"),
        (not settings.access_speed_kph > 0, "access_speed_kph", "a speed above 0 km/h, e.g. 15"),
        (
            not settings.intersection_penalty_s >= 0,
            "intersection_penalty_s",
            "0 or more seconds",
        ),
        (not settings.snap_limit_m >= 0, "snap_limit_m", "0 or more metres, e.g. 500"),
        (not 0 <= turn_penalty_s(settings) < math.inf, "turn_penalty_s", "0 or more seconds"),
        (not 0 <= u_turn_penalty_s(settings) < math.inf, "u_turn_penalty_s", "0 or more seconds"),
    ]
    for is_bad, name, wanted in problems:
        if is_bad:
            raise RoadsError(
                "ROADS_INVALID_SETTINGS",
                f"The road setting {name} is out of range.",
                f"Set {name} to {wanted}.",
            )


class RoadNetwork:
    """A drivable road graph with travel times under one :class:`RoadSettings`.

    Build it with :meth:`load`. It is immutable; :meth:`with_settings` gives a copy with other
    settings that shares the graph (cheap: no reload, no rebuild).

    ``engine`` picks how matrices are computed (``"ch"`` or ``"scipy"``, identical results;
    default: the fastest installed, see :func:`~solver.roads.routing.default_engine`).
    ``cache_dir``: where contraction hierarchies are cached (None: kept in memory only).
    """

    def __init__(
        self,
        graph: RoadGraph,
        settings: RoadSettings,
        *,
        file_hash: str = "",
        profile: RoadProfile = DRIVE_PROFILE,
        engine: Engine | None = None,
        cache_dir: Path | None = None,
        _locator: NodeLocator | None = None,
        _turns: Turns | None = None,
    ) -> None:
        check_settings(settings)
        self._graph = graph
        self._settings = settings
        self._file_hash = file_hash
        self._profile = profile
        self._engine = check_engine(default_engine() if engine is None else engine)
        self._cache_dir = cache_dir
        self._edge_time_s = graph.travel_times_s(settings)
        self._edge_time_s.flags.writeable = False
        self._time_csr = csr_matrix(
            (self._edge_time_s, graph.edge_head, graph.edge_indptr),
            shape=(graph.num_nodes, graph.num_nodes),
        )
        self._locator = _locator or NodeLocator(graph.node_lat, graph.node_lon)
        self._turns = _turns
        routing: RoutingGraph
        if has_turn_costs(settings):
            turns = self.turns
            costs = turns.costs_s(turn_penalty_s(settings), u_turn_penalty_s(settings))
            routing = turn_routing_graph(graph, self._edge_time_s, turns, costs)
        else:
            routing = node_routing_graph(graph, self._edge_time_s)
        self._router = Router(routing, cache_dir=cache_dir)

    # ---------------------------------------------------------------------------- loading

    @classmethod
    def load(
        cls,
        osm_file: Path,
        settings: RoadSettings,
        cache_dir: Path | None = None,
        *,
        profile: RoadProfile = DRIVE_PROFILE,
        engine: Engine | None = None,
    ) -> RoadNetwork:
        """Load the road network of ``osm_file`` (``.osm.pbf``, ``.osm``, ``.osm.xml``).

        The graph is read from the cache in ``cache_dir`` (default: ``$DAGRUTE_CACHE_DIR`` or
        ``~/.cache/dagrute``) when present, else built (seconds) and cached; contraction
        hierarchies are cached there too. Raises :class:`RoadsError`:
        ``ROADS_FILE_NOT_FOUND``, ``ROADS_FILE_UNREADABLE``, ``ROADS_NO_NETWORK``,
        ``ROADS_INVALID_SETTINGS``, ``ROADS_ENGINE_UNAVAILABLE``.
        """
        started = time.perf_counter()
        check_settings(settings)
        check_engine(default_engine() if engine is None else engine)
        osm_file = Path(osm_file)
        check_osm_file(osm_file)
        file_hash = cache.file_sha256(osm_file)
        key = cache.cache_key(file_hash, profile)
        directory = cache.default_cache_dir() if cache_dir is None else Path(cache_dir)
        graph = cache.load_cached(directory, key)
        if graph is not None:
            log.info(
                "roads.graph_loaded",
                source="cache",
                num_nodes=graph.num_nodes,
                seconds=round(time.perf_counter() - started, 3),
            )
        else:
            # Imported here: osmnx takes seconds to import and a cache hit needs none of it.
            from solver.roads.osm import build_graph

            graph = RoadGraph.from_networkx(build_graph(osm_file, profile))
            cache.store(directory, key, graph)
            log.info(
                "roads.graph_loaded",
                source="osm",
                num_nodes=graph.num_nodes,
                num_edges=graph.num_edges,
                seconds=round(time.perf_counter() - started, 3),
            )
        return cls(
            graph,
            settings,
            file_hash=file_hash,
            profile=profile,
            engine=engine,
            cache_dir=directory,
        )

    def with_settings(self, settings: RoadSettings, *, engine: Engine | None = None) -> RoadNetwork:
        """Return the same roads with travel times under ``settings``.

        ``engine`` defaults to this network's. The copy shares the graph, and the contraction
        hierarchy when the travel times are the same.
        """
        network = RoadNetwork(
            self._graph,
            settings,
            file_hash=self._file_hash,
            profile=self._profile,
            engine=self._engine if engine is None else engine,
            cache_dir=self._cache_dir,
            _locator=self._locator,
            _turns=self.turns if has_turn_costs(settings) else self._turns,
        )
        if network._router.routing.digest == self._router.routing.digest:
            network._router = self._router
        return network

    # ------------------------------------------------------------------------- properties

    @property
    def graph(self) -> RoadGraph:
        """The graph arrays."""
        return self._graph

    @property
    def settings(self) -> RoadSettings:
        """The road settings the travel times follow."""
        return self._settings

    @property
    def profile(self) -> RoadProfile:
        """The tag rules the graph was built with."""
        return self._profile

    @property
    def engine(self) -> Engine:
        """How :meth:`matrices` computes shortest paths (``"ch"`` or ``"scipy"``)."""
        return self._engine

    @property
    def router(self) -> Router:
        """The routing graph with its engines (and contraction hierarchy, once built)."""
        return self._router

    @property
    def turns(self) -> Turns:
        """Every turn of the graph with its angle (computed on first use, then shared)."""
        if self._turns is None:
            self._turns = build_turns(self._graph)
        return self._turns

    @property
    def file_hash(self) -> str:
        """SHA-256 of the OSM file's bytes (64 hex digits); empty if built from arrays."""
        return self._file_hash

    @property
    def num_nodes(self) -> int:
        """Number of graph nodes (junctions, dead ends, shape breaks of the roads)."""
        return self._graph.num_nodes

    @property
    def num_edges(self) -> int:
        """Number of directed edges."""
        return self._graph.num_edges

    @property
    def bounds(self) -> Bounds:
        """The box around all graph nodes, degrees."""
        graph = self._graph
        return Bounds(
            min_lat=float(graph.node_lat.min()),
            min_lon=float(graph.node_lon.min()),
            max_lat=float(graph.node_lat.max()),
            max_lon=float(graph.node_lon.max()),
        )

    @property
    def edge_time_s(self) -> NDArray[np.float64]:
        """Each edge's travel time under :attr:`settings`, seconds (read-only)."""
        return self._edge_time_s

    @property
    def time_csr(self) -> csr_matrix:
        """The graph as a sparse matrix of edge travel times in seconds (tail × head)."""
        return self._time_csr

    # ----------------------------------------------------------------------------- queries

    def node_location(self, node: int) -> LatLon:
        """Return where graph node ``node`` lies."""
        return LatLon(lat=float(self._graph.node_lat[node]), lon=float(self._graph.node_lon[node]))

    def snap(self, points: Sequence[LatLon]) -> SnapResult:
        """Snap each point to its nearest graph node; distances in metres (see ``SnapResult``)."""
        return self._locator.snap(points)

    def matrices(self, points: Sequence[LatLon], *, engine: Engine | None = None) -> RoadMatrices:
        """Travel-time (s) and distance (m) matrices between ``points`` (see ``RoadMatrices``).

        ``engine`` overrides :attr:`engine` for this call (the results are the same).
        """
        return build_matrices(self, points, engine=engine)

    def random_node_locations(self, n: int, rng: np.random.Generator) -> list[LatLon]:
        """Draw ``n`` road-node locations with ``rng`` (distinct while ``n <= num_nodes``)."""
        if n < 0:
            raise ValueError("n must not be negative")
        chosen = rng.choice(self.num_nodes, size=n, replace=n > self.num_nodes)
        return [self.node_location(int(node)) for node in chosen]

    def path_geometry(self, a: LatLon, b: LatLon) -> list[tuple[float, float]]:
        """Return the fastest route from ``a`` to ``b`` as ``(lon, lat)`` pairs in degrees.

        Like :meth:`RoadMatrices.path_geometry` but for any two points: starts at ``a``, then its
        snapped node, follows the roads' shapes, ends with ``b``'s node and ``b``.
        Shortest-path trees are kept per start node, so drawing many legs is cheap.
        """
        if a == b:
            return route_geometry(self._graph, a, b, None)
        start, end = (int(node) for node in self.snap([a, b]).nodes)
        return route_geometry(self._graph, a, b, self._router.path_nodes(start, end))
