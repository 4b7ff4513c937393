"""The road graph as compact arrays: what is cached on disk and routed on.

Nodes are numbered ``0..num_nodes-1`` in order of OSM node id. Edges are stored as a CSR
adjacency (``edge_indptr``/``edge_head``), sorted by tail then head, one edge per ordered node
pair (of parallel ways the fastest is kept; self-loops are dropped, they never shorten a
route). Each edge keeps its length (m), speed (km/h), free-flow travel time (s) and its shape
(a polyline from tail to head, lon/lat degrees) and its street name (OSM ``name``) for
drawing.

Travel times under a :class:`~solver.domain.RoadSettings` are derived from the arrays after
loading (:meth:`RoadGraph.travel_times_s`), so the cache does not depend on those settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_array

from solver.domain import RoadSettings

JUNCTION_MIN_STREETS = 3
"""A node where this many streets (osmnx ``street_count``) meet is a junction."""

MIN_EDGE_TIME_S = 0.01
"""Smallest edge travel time, s: keeps zero-length edges (duplicate nodes) real edges."""

_COORD_TOLERANCE_DEG = 1e-6

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
I32 = NDArray[np.int32]
BOOL = NDArray[np.bool_]
STR = NDArray[np.str_]
NO_NAME = -1
"""``edge_name`` of an edge whose way has no OSM name."""

_ARRAY_FIELDS = (
    "node_lat",
    "node_lon",
    "node_osm_id",
    "node_is_junction",
    "edge_indptr",
    "edge_head",
    "edge_length_m",
    "edge_speed_kph",
    "edge_base_time_s",
    "geom_indptr",
    "geom_lon",
    "geom_lat",
    "edge_name",
    "street_names",
)


class GraphFormatError(ValueError):
    """The arrays do not form a valid road graph (e.g. a damaged cache file)."""


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """A directed road graph in arrays (see the module docstring).

    Node arrays (length ``num_nodes``): ``node_lat``/``node_lon`` (degrees), ``node_osm_id``,
    ``node_is_junction`` (``street_count >= 3``). Edge arrays (length ``num_edges``):
    ``edge_head`` (node index), ``edge_length_m`` (m), ``edge_speed_kph`` (km/h),
    ``edge_base_time_s`` (s, length at that speed). ``edge_indptr`` (``num_nodes + 1``): edges
    leaving node ``u`` are ``edge_indptr[u]:edge_indptr[u + 1]``. Edge ``e``'s shape is
    ``geom_lon/geom_lat[geom_indptr[e]:geom_indptr[e + 1]]``, from tail to head. Its street
    name is ``street_names[edge_name[e]]`` (``edge_name`` is :data:`NO_NAME` for none), for
    drawing only: routing never reads it.
    """

    node_lat: F64
    node_lon: F64
    node_osm_id: I64
    node_is_junction: BOOL
    edge_indptr: I64
    edge_head: I32
    edge_length_m: F64
    edge_speed_kph: F64
    edge_base_time_s: F64
    geom_indptr: I64
    geom_lon: F64
    geom_lat: F64
    edge_name: I32
    street_names: STR
    _edge_tail: I64 = field(init=False, repr=False)
    _edge_id_csr: csr_array = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for name in _ARRAY_FIELDS:
            getattr(self, name).flags.writeable = False
        self._validate()
        tail = np.repeat(np.arange(self.num_nodes, dtype=np.int64), np.diff(self.edge_indptr))
        keys = tail * self.num_nodes + self.edge_head.astype(np.int64)
        if keys.size > 1 and not bool(np.all(keys[1:] > keys[:-1])):
            raise GraphFormatError("edges are not sorted by (tail, head) without duplicates")
        tail.flags.writeable = False
        object.__setattr__(self, "_edge_tail", tail)
        # Edge ids plus one, so that 0 (a missing entry) reads as "no edge".
        edge_ids = csr_array(
            (np.arange(1, self.num_edges + 1, dtype=np.int64), self.edge_head, self.edge_indptr),
            shape=(self.num_nodes, self.num_nodes),
        )
        object.__setattr__(self, "_edge_id_csr", edge_ids)

    # ------------------------------------------------------------------------- properties

    @property
    def num_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_lat.shape[0])

    @property
    def num_edges(self) -> int:
        """Number of directed edges (one per ordered node pair)."""
        return int(self.edge_head.shape[0])

    @property
    def edge_tail(self) -> I64:
        """The tail node of each edge."""
        return self._edge_tail

    # -------------------------------------------------------------------------- queries

    def edge_index(self, tails: NDArray[np.integer[Any]], heads: NDArray[np.integer[Any]]) -> I64:
        """Return the edge index of each ``(tail, head)`` pair (vectorised); -1 where none."""
        tails = np.asarray(tails, dtype=np.int64)
        heads = np.asarray(heads, dtype=np.int64)
        if tails.size == 0:
            return np.zeros(tails.shape, dtype=np.int64)
        # scipy's CSR element lookup (C, a short scan of the tail's row) is far faster than a
        # binary search over all edges when looking up millions of pairs.
        found = np.asarray(self._edge_id_csr[tails.reshape(-1), heads.reshape(-1)])
        return (found.astype(np.int64) - 1).reshape(tails.shape)

    def edge_geometry(self, edge: int) -> list[tuple[float, float]]:
        """Return edge ``edge``'s shape as ``(lon, lat)`` pairs in degrees, tail first."""
        start, end = int(self.geom_indptr[edge]), int(self.geom_indptr[edge + 1])
        return list(
            zip(self.geom_lon[start:end].tolist(), self.geom_lat[start:end].tolist(), strict=True)
        )

    def street_name(self, edge: int) -> str | None:
        """The OSM name of edge ``edge``'s street (None when its way has none)."""
        index = int(self.edge_name[edge])
        return None if index == NO_NAME else str(self.street_names[index])

    def travel_times_s(self, settings: RoadSettings) -> F64:
        """Return each edge's travel time in seconds under ``settings``.

        ``length / (speed × speed_factor)``, plus ``intersection_penalty_s`` when the edge
        ends at a junction; at least :data:`MIN_EDGE_TIME_S`.
        """
        time_s = self.edge_base_time_s / settings.speed_factor
        time_s = time_s + settings.intersection_penalty_s * self.node_is_junction[self.edge_head]
        return np.maximum(time_s, MIN_EDGE_TIME_S)

    # ------------------------------------------------------------------------ conversion

    def arrays(self) -> dict[str, NDArray[Any]]:
        """Return the arrays by field name (what is saved to the cache)."""
        return {name: getattr(self, name) for name in _ARRAY_FIELDS}

    @classmethod
    def from_arrays(cls, arrays: dict[str, NDArray[Any]]) -> RoadGraph:
        """Rebuild a graph from :meth:`arrays`' output; :class:`GraphFormatError` if invalid."""
        missing = [name for name in _ARRAY_FIELDS if name not in arrays]
        if missing:
            raise GraphFormatError(f"missing arrays: {', '.join(missing)}")
        try:
            return cls(
                node_lat=np.asarray(arrays["node_lat"], dtype=np.float64),
                node_lon=np.asarray(arrays["node_lon"], dtype=np.float64),
                node_osm_id=np.asarray(arrays["node_osm_id"], dtype=np.int64),
                node_is_junction=np.asarray(arrays["node_is_junction"], dtype=np.bool_),
                edge_indptr=np.asarray(arrays["edge_indptr"], dtype=np.int64),
                edge_head=np.asarray(arrays["edge_head"], dtype=np.int32),
                edge_length_m=np.asarray(arrays["edge_length_m"], dtype=np.float64),
                edge_speed_kph=np.asarray(arrays["edge_speed_kph"], dtype=np.float64),
                edge_base_time_s=np.asarray(arrays["edge_base_time_s"], dtype=np.float64),
                geom_indptr=np.asarray(arrays["geom_indptr"], dtype=np.int64),
                geom_lon=np.asarray(arrays["geom_lon"], dtype=np.float64),
                geom_lat=np.asarray(arrays["geom_lat"], dtype=np.float64),
                edge_name=np.asarray(arrays["edge_name"], dtype=np.int32),
                street_names=np.asarray(arrays["street_names"], dtype=np.str_),
            )
        except (TypeError, ValueError) as error:
            if isinstance(error, GraphFormatError):
                raise
            raise GraphFormatError(str(error)) from error

    @classmethod
    def from_networkx(cls, graph: Any) -> RoadGraph:
        """Convert an osmnx graph (as built by :func:`solver.roads.osm.build_graph`).

        Needs node attributes ``x``, ``y``, ``street_count`` and edge attributes ``length``,
        ``speed_kph``, ``travel_time`` and (where simplified) ``geometry``; ``name`` where the
        way has one (a list on a simplified edge joining ways of different names: the first).
        """
        osm_ids = np.array(sorted(graph.nodes), dtype=np.int64)
        position = {int(osm_id): index for index, osm_id in enumerate(osm_ids.tolist())}
        node_data = graph.nodes
        node_lon = np.array([float(node_data[n]["x"]) for n in osm_ids.tolist()], dtype=np.float64)
        node_lat = np.array([float(node_data[n]["y"]) for n in osm_ids.tolist()], dtype=np.float64)
        is_junction = np.array(
            [int(node_data[n].get("street_count", 0)) >= JUNCTION_MIN_STREETS for n in osm_ids],
            dtype=np.bool_,
        )

        tails: list[int] = []
        heads: list[int] = []
        lengths: list[float] = []
        speeds: list[float] = []
        times: list[float] = []
        shapes: list[list[tuple[float, float]]] = []
        names: list[str | None] = []
        for u, v, data in graph.edges(data=True):
            if u == v:
                continue
            tail, head = position[int(u)], position[int(v)]
            tails.append(tail)
            heads.append(head)
            lengths.append(float(data["length"]))
            speeds.append(float(data["speed_kph"]))
            times.append(float(data["travel_time"]))
            name = data.get("name")
            names.append(str(name[0] if isinstance(name, list) else name) if name else None)
            shapes.append(
                _edge_shape(
                    data.get("geometry"),
                    (float(node_lon[tail]), float(node_lat[tail])),
                    (float(node_lon[head]), float(node_lat[head])),
                )
            )

        tail_arr = np.array(tails, dtype=np.int64)
        head_arr = np.array(heads, dtype=np.int64)
        time_arr = np.array(times, dtype=np.float64)
        # Sort by (tail, head, time) and keep the fastest of parallel edges.
        order = np.lexsort((time_arr, head_arr, tail_arr))
        keys = tail_arr[order] * len(osm_ids) + head_arr[order]
        first = np.ones(order.shape, dtype=np.bool_)
        first[1:] = keys[1:] != keys[:-1]
        kept = order[first]

        edge_indptr = np.zeros(len(osm_ids) + 1, dtype=np.int64)
        np.cumsum(np.bincount(tail_arr[kept], minlength=len(osm_ids)), out=edge_indptr[1:])
        kept_shapes = [shapes[int(e)] for e in kept]
        geom_counts = np.array([len(shape) for shape in kept_shapes], dtype=np.int64)
        geom_indptr = np.zeros(len(kept_shapes) + 1, dtype=np.int64)
        np.cumsum(geom_counts, out=geom_indptr[1:])
        flat = [point for shape in kept_shapes for point in shape]
        geom = np.array(flat, dtype=np.float64).reshape(-1, 2)
        kept_names = [names[int(e)] for e in kept]
        street_names = sorted({name for name in kept_names if name})
        name_index = {name: index for index, name in enumerate(street_names)}
        return cls(
            node_lat=node_lat,
            node_lon=node_lon,
            node_osm_id=osm_ids,
            node_is_junction=is_junction,
            edge_indptr=edge_indptr,
            edge_head=head_arr[kept].astype(np.int32),
            edge_length_m=np.array(lengths, dtype=np.float64)[kept],
            edge_speed_kph=np.array(speeds, dtype=np.float64)[kept],
            edge_base_time_s=time_arr[kept],
            geom_indptr=geom_indptr,
            geom_lon=np.ascontiguousarray(geom[:, 0]),
            geom_lat=np.ascontiguousarray(geom[:, 1]),
            edge_name=np.array(
                [name_index[name] if name else NO_NAME for name in kept_names], dtype=np.int32
            ),
            street_names=np.array(street_names, dtype=np.str_),
        )

    # ------------------------------------------------------------------------ validation

    def _validate(self) -> None:
        """Raise :class:`GraphFormatError` unless the arrays are consistent."""
        n, e = self.node_lat.shape[0], self.edge_head.shape[0]
        checks: list[tuple[bool, str]] = [
            (all(getattr(self, name).ndim == 1 for name in _ARRAY_FIELDS), "arrays not 1-D"),
            (n >= 1, "no nodes"),
            (
                self.node_lon.shape[0] == n
                and self.node_osm_id.shape[0] == n
                and self.node_is_junction.shape[0] == n,
                "node arrays differ in length",
            ),
            (self.edge_indptr.shape[0] == n + 1, "edge_indptr has the wrong length"),
            (
                self.edge_length_m.shape[0] == e
                and self.edge_speed_kph.shape[0] == e
                and self.edge_base_time_s.shape[0] == e
                and self.edge_name.shape[0] == e,
                "edge arrays differ in length",
            ),
            (self.geom_indptr.shape[0] == e + 1, "geom_indptr has the wrong length"),
            (self.geom_lon.shape[0] == self.geom_lat.shape[0], "geometry arrays differ"),
        ]
        for ok, problem in checks:
            if not ok:
                raise GraphFormatError(problem)
        more: list[tuple[bool, str]] = [
            (
                int(self.edge_indptr[0]) == 0
                and int(self.edge_indptr[-1]) == e
                and bool(np.all(np.diff(self.edge_indptr) >= 0)),
                "edge_indptr is not a valid CSR index",
            ),
            (
                e == 0 or (int(self.edge_head.min()) >= 0 and int(self.edge_head.max()) < n),
                "edge head out of range",
            ),
            (
                e == 0
                or (
                    int(self.edge_name.min()) >= NO_NAME
                    and int(self.edge_name.max()) < self.street_names.shape[0]
                ),
                "edge name out of range",
            ),
            (
                int(self.geom_indptr[0]) == 0
                and int(self.geom_indptr[-1]) == self.geom_lon.shape[0]
                and bool(np.all(np.diff(self.geom_indptr) >= 2)),
                "geom_indptr is not a valid index of polylines",
            ),
            (
                bool(np.all(np.isfinite(self.node_lat)) and np.all(np.isfinite(self.node_lon))),
                "non-finite node coordinate",
            ),
            (
                bool(np.all(np.isfinite(self.geom_lat)) and np.all(np.isfinite(self.geom_lon))),
                "non-finite edge geometry",
            ),
            (
                bool(np.all(self.edge_length_m >= 0) and np.all(self.edge_base_time_s >= 0)),
                "negative or non-finite edge length or time",
            ),
            (bool(np.all(self.edge_speed_kph > 0)), "edge speed not positive"),
        ]
        for ok, problem in more:
            if not ok:
                raise GraphFormatError(problem)


def _edge_shape(
    geometry: Any, tail: tuple[float, float], head: tuple[float, float]
) -> list[tuple[float, float]]:
    """Return an edge's polyline from tail to head, ``(lon, lat)`` degrees."""
    if geometry is None:
        return [tail, head]
    coords = [(float(x), float(y)) for x, y in geometry.coords]
    if _close(coords[0], head) and _close(coords[-1], tail) and not _close(coords[0], tail):
        coords.reverse()
    # Pin the ends to the nodes exactly, so consecutive edges join without gaps.
    coords[0], coords[-1] = tail, head
    return coords


def _close(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) <= _COORD_TOLERANCE_DEG and abs(a[1] - b[1]) <= _COORD_TOLERANCE_DEG


def save_npz(graph: RoadGraph, path: Path, *, cache_key: str) -> None:
    """Write ``graph`` and its cache key to ``path`` (an ``.npz`` file, not compressed)."""
    with path.open("wb") as file:
        arrays = graph.arrays()
        arrays["cache_key"] = np.array(cache_key)
        np.savez(file, allow_pickle=False, **arrays)


def load_npz(path: Path, *, cache_key: str) -> RoadGraph:
    """Read a graph written by :func:`save_npz`.

    Raises :class:`GraphFormatError` if the file was written under another key or its arrays
    are inconsistent; ``OSError``/``ValueError`` (and zip errors) if it is damaged.
    """
    # Open the file here: np.load leaks its handle when the zip is damaged.
    with path.open("rb") as file, np.load(file, allow_pickle=False) as data:
        if "cache_key" not in data.files or str(data["cache_key"]) != cache_key:
            raise GraphFormatError("cache key mismatch")
        arrays = {name: data[name] for name in _ARRAY_FIELDS if name in data.files}
    return RoadGraph.from_arrays(arrays)
