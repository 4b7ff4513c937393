"""The road network as a light GeoJSON layer: the dispatcher map's offline base layer.

Each street is drawn once (a two-way street is two directed edges in the graph), its shape
simplified with Douglas-Peucker to within ``SIMPLIFY_TOLERANCE_M`` and its coordinates rounded
to ``COORDINATE_DECIMALS`` (about a metre). Streets are grouped by speed into three classes,
one MultiLineString feature each, so that the page can draw main roads bolder.

Street names (OSM ``name``) come as Point features (``class`` ``label``): one at the middle of
a street's longest stretch, and more along it at least ``LABEL_SPACING_M`` apart, each with
the angle the text follows the street at (never upside down). The page shows the labels of
major and main roads from zoom 14 and the others from zoom 16.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from solver.roads import OSM_ATTRIBUTION
from solver.roads.graph import RoadGraph

SIMPLIFY_TOLERANCE_M = 4.0
"""Largest distance a simplified street may lie from its true shape, metres."""
COORDINATE_DECIMALS = 5
"""Degrees rounded to 5 decimals: about 1.1 m north-south."""
EARTH_RADIUS_M = 6_371_000.0
LABEL_SPACING_M = 700.0
"""Least distance between two labels of one street name, metres."""
MIN_LABEL_EDGE_M = 60.0
"""A street stretch shorter than this gets no label (the text would not fit along it)."""
ROAD_CLASSES: tuple[tuple[str, float], ...] = (("major", 60.0), ("main", 40.0), ("minor", 0.0))
"""(class, lowest free-flow speed in km/h), fastest first: motorways and trunk roads are
``major``, through streets ``main``, everything slower ``minor``."""


def road_class(speed_kph: float) -> str:
    """The drawing class of a street with free-flow speed ``speed_kph``."""
    for name, min_kph in ROAD_CLASSES:
        if speed_kph >= min_kph:
            return name
    return ROAD_CLASSES[-1][0]


def simplify(x_m: NDArray[np.float64], y_m: NDArray[np.float64], tolerance_m: float) -> list[int]:
    """Indices of the points Douglas-Peucker keeps of the polyline (x_m, y_m), in order.

    The first and last points are always kept; every dropped point lies within
    ``tolerance_m`` of the kept polyline.
    """
    n = len(x_m)
    if n <= 2:
        return list(range(n))
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        dx, dy = x_m[last] - x_m[first], y_m[last] - y_m[first]
        px, py = x_m[first + 1 : last] - x_m[first], y_m[first + 1 : last] - y_m[first]
        length_sq = dx * dx + dy * dy
        if length_sq == 0.0:
            distances = np.hypot(px, py)
        else:
            t = np.clip((px * dx + py * dy) / length_sq, 0.0, 1.0)
            distances = np.hypot(px - t * dx, py - t * dy)
        farthest = int(np.argmax(distances))
        if distances[farthest] > tolerance_m:
            middle = first + 1 + farthest
            keep[middle] = True
            stack.append((first, middle))
            stack.append((middle, last))
    return [int(i) for i in np.flatnonzero(keep)]


def _drawn_edges(graph: RoadGraph) -> NDArray[np.int64]:
    """Edges to draw: each one-way street, and one direction of each two-way street."""
    tail = graph.edge_tail
    head = graph.edge_head.astype(np.int64)
    keys = tail * graph.num_nodes + head
    reverse = head * graph.num_nodes + tail
    has_reverse = np.isin(reverse, keys)
    return np.flatnonzero(~has_reverse | (tail < head)).astype(np.int64)


def _midpoint(x_m: NDArray[np.float64], y_m: NDArray[np.float64]) -> tuple[int, float, float]:
    """(segment, fraction along it, total length m) of the polyline's middle by length."""
    lengths = np.hypot(np.diff(x_m), np.diff(y_m))
    total = float(lengths.sum())
    cumulative = np.cumsum(lengths)
    segment = int(np.searchsorted(cumulative, total / 2.0))
    segment = min(segment, len(lengths) - 1)
    before = float(cumulative[segment] - lengths[segment])
    fraction = (total / 2.0 - before) / float(lengths[segment]) if lengths[segment] else 0.0
    return segment, fraction, total


def street_labels(graph: RoadGraph) -> list[dict[str, Any]]:
    """Point features naming the streets: ``name``, ``road`` (its class), ``angle_deg``.

    Each drawn edge with a name and at least :data:`MIN_LABEL_EDGE_M` of length is a
    candidate at its middle; longest first, a candidate is kept unless a kept label of the
    same name lies within :data:`LABEL_SPACING_M`. ``angle_deg`` turns the text clockwise
    from horizontal to follow the street there, within -90..90 so that it reads upright.
    """
    if graph.num_nodes == 0:
        return []
    mean_lat = math.radians(float(np.mean(graph.node_lat)))
    metres_per_degree = math.pi * EARTH_RADIUS_M / 180.0
    x_scale = metres_per_degree * math.cos(mean_lat)
    candidates: list[tuple[float, str, str, float, float, float]] = []
    for edge in _drawn_edges(graph).tolist():
        name = graph.street_name(edge)
        if name is None:
            continue
        start, end = int(graph.geom_indptr[edge]), int(graph.geom_indptr[edge + 1])
        lon, lat = graph.geom_lon[start:end], graph.geom_lat[start:end]
        x_m, y_m = lon * x_scale, lat * metres_per_degree
        segment, fraction, total_m = _midpoint(x_m, y_m)
        if total_m < MIN_LABEL_EDGE_M:
            continue
        mid_lon = float(lon[segment] + fraction * (lon[segment + 1] - lon[segment]))
        mid_lat = float(lat[segment] + fraction * (lat[segment + 1] - lat[segment]))
        dx, dy = float(x_m[segment + 1] - x_m[segment]), float(y_m[segment + 1] - y_m[segment])
        angle = -math.degrees(math.atan2(dy, dx))  # screen y grows downwards
        if angle > 90.0:
            angle -= 180.0
        elif angle < -90.0:
            angle += 180.0
        road = road_class(float(graph.edge_speed_kph[edge]))
        candidates.append((total_m, name, road, mid_lon, mid_lat, angle))
    candidates.sort(key=lambda c: (-c[0], c[1], c[3], c[4]))
    kept: dict[str, list[tuple[float, float]]] = {}
    labels = []
    for _, name, road, mid_lon, mid_lat, angle in candidates:
        x, y = mid_lon * x_scale, mid_lat * metres_per_degree
        placed = kept.setdefault(name, [])
        if any(math.hypot(x - px, y - py) < LABEL_SPACING_M for px, py in placed):
            continue
        placed.append((x, y))
        labels.append(
            {
                "type": "Feature",
                "properties": {
                    "class": "label",
                    "name": name,
                    "road": road,
                    "angle_deg": round(angle, 1),
                },
                "geometry": {
                    "type": "Point",
                    "coordinates": [
                        round(mid_lon, COORDINATE_DECIMALS),
                        round(mid_lat, COORDINATE_DECIMALS),
                    ],
                },
            }
        )
    return labels


def roads_geojson(graph: RoadGraph) -> dict[str, Any]:
    """The streets of ``graph`` as a FeatureCollection of one MultiLineString per class.

    Properties: ``class`` (major, main, minor) and ``num_streets``; then the street names as
    Point features of class ``label`` (:func:`street_labels`). The collection carries the road
    data's ``attribution`` and its ``bbox`` [west, south, east, north].
    """
    lines: dict[str, list[list[list[float]]]] = {name: [] for name, _ in ROAD_CLASSES}
    mean_lat = math.radians(float(np.mean(graph.node_lat))) if graph.num_nodes else 0.0
    metres_per_degree = math.pi * EARTH_RADIUS_M / 180.0
    for edge in _drawn_edges(graph).tolist():
        start, end = int(graph.geom_indptr[edge]), int(graph.geom_indptr[edge + 1])
        lon = graph.geom_lon[start:end]
        lat = graph.geom_lat[start:end]
        if len(lon) < 2:
            continue
        kept = simplify(
            lon * metres_per_degree * math.cos(mean_lat),
            lat * metres_per_degree,
            SIMPLIFY_TOLERANCE_M,
        )
        coordinates = [
            [round(float(lon[i]), COORDINATE_DECIMALS), round(float(lat[i]), COORDINATE_DECIMALS)]
            for i in kept
        ]
        lines[road_class(float(graph.edge_speed_kph[edge]))].append(coordinates)
    features = [
        {
            "type": "Feature",
            "properties": {"class": name, "num_streets": len(streets)},
            "geometry": {"type": "MultiLineString", "coordinates": streets},
        }
        for name, streets in lines.items()
    ]
    features.extend(street_labels(graph))
    bbox = (
        [
            round(float(np.min(graph.node_lon)), COORDINATE_DECIMALS),
            round(float(np.min(graph.node_lat)), COORDINATE_DECIMALS),
            round(float(np.max(graph.node_lon)), COORDINATE_DECIMALS),
            round(float(np.max(graph.node_lat)), COORDINATE_DECIMALS),
        ]
        if graph.num_nodes
        else []
    )
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if bbox:
        collection["bbox"] = bbox
    collection["attribution"] = OSM_ATTRIBUTION
    return collection
