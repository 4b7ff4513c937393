"""Snap points to their nearest road-graph node.

Nearest nodes are found with a k-d tree on a local equirectangular projection (metres east and
north of the graph's centre; within a municipality its error is far below a metre per km).
The distance returned is the great-circle distance in metres. A point far from every road is
not an error here: the caller compares :attr:`SnapResult.distances_m` with its limit
(:func:`far_points`) and names the passenger or centre concerned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from solver.domain import LatLon
from solver.roads.errors import RoadsError

EARTH_RADIUS_M = 6_371_009.0
"""Mean Earth radius in metres (the value osmnx uses for edge lengths)."""

_MAX_LAT_DEG = 90.0
_MAX_LON_DEG = 180.0


def great_circle_m(
    lat1: NDArray[np.float64],
    lon1: NDArray[np.float64],
    lat2: NDArray[np.float64],
    lon2: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Return the haversine distance in metres between points in degrees (vectorised)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = np.radians(lon2 - lon1)
    h = np.sin(d_phi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(d_lambda / 2) ** 2
    distance: NDArray[np.float64] = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return distance


@dataclass(frozen=True, eq=False)
class SnapResult:
    """Per point, in input order: its nearest graph node and the distance to it.

    ``nodes``: graph node indices (int64). ``distances_m``: great-circle distance from the
    point to that node, metres (float64).
    """

    nodes: NDArray[np.int64]
    distances_m: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.nodes.shape[0])


def far_points(snap_result: SnapResult, limit_m: float) -> list[int]:
    """Return the positions of points more than ``limit_m`` metres from their snapped node."""
    return [int(i) for i in np.flatnonzero(snap_result.distances_m > limit_m)]


def points_to_arrays(points: Sequence[LatLon]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return latitudes and longitudes of ``points`` (degrees); RoadsError if one is invalid.

    ``ROADS_INVALID_POINT`` names the position of the first non-finite or out-of-range point
    (never its coordinates).
    """
    lat = np.fromiter((p.lat for p in points), dtype=np.float64, count=len(points))
    lon = np.fromiter((p.lon for p in points), dtype=np.float64, count=len(points))
    bad = ~(np.isfinite(lat) & np.isfinite(lon))
    bad |= (np.abs(lat) > _MAX_LAT_DEG) | (np.abs(lon) > _MAX_LON_DEG)
    if bool(bad.any()):
        position = int(np.flatnonzero(bad)[0])
        raise RoadsError(
            "ROADS_INVALID_POINT",
            f"Point number {position} has an invalid latitude or longitude.",
            "Give WGS84 degrees: latitude in -90..90, longitude in -180..180.",
        )
    return lat, lon


class NodeLocator:
    """Finds the nearest of a fixed set of nodes (lat/lon degrees) to any point."""

    def __init__(self, node_lat: NDArray[np.float64], node_lon: NDArray[np.float64]) -> None:
        self._node_lat = node_lat
        self._node_lon = node_lon
        self._origin_lat = float((node_lat.min() + node_lat.max()) / 2)
        self._origin_lon = float((node_lon.min() + node_lon.max()) / 2)
        self._metres_per_deg_lat = math.radians(1.0) * EARTH_RADIUS_M
        self._metres_per_deg_lon = self._metres_per_deg_lat * math.cos(
            math.radians(self._origin_lat)
        )
        self._tree = cKDTree(self._project(node_lat, node_lon))

    def _project(self, lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.float64]:
        """Project to equirectangular metres (east, north) of the origin."""
        east = (lon - self._origin_lon) * self._metres_per_deg_lon
        north = (lat - self._origin_lat) * self._metres_per_deg_lat
        return np.column_stack((east, north))

    def snap(self, points: Sequence[LatLon]) -> SnapResult:
        """Snap each point to its nearest node; distances in metres (see :class:`SnapResult`)."""
        lat, lon = points_to_arrays(points)
        if lat.size == 0:
            return SnapResult(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
        _, index = self._tree.query(self._project(lat, lon), k=1)
        nodes = np.asarray(index, dtype=np.int64).reshape(-1)
        distances = great_circle_m(lat, lon, self._node_lat[nodes], self._node_lon[nodes])
        nodes.flags.writeable = False
        distances.flags.writeable = False
        return SnapResult(nodes=nodes, distances_m=distances)
