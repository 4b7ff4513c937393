"""A week result as GeoJSON (RFC 7946) for maps: a line per route, a point per stop."""

from __future__ import annotations

from solver.domain import Direction, Route, StopKind, WeekResult
from solver.io.schemas.common import JsonDict
from solver.io.times import format_hms


def _route_coordinates(route: Route) -> tuple[list[list[float]], str]:
    """Return the route's line and its source: the road path, or straight stop-to-stop."""
    if len(route.geometry) >= 2:
        return [[lon, lat] for lon, lat in route.geometry], "roads"
    return [[stop.location.lon, stop.location.lat] for stop in route.stops], "straight"


def result_to_geojson(result: WeekResult) -> JsonDict:
    """Convert ``result`` to a GeoJSON FeatureCollection for maps (RFC 7946, [lon, lat]).

    One LineString feature per route (properties: day, direction, vehicle_id, distance_m,
    duration_s, cost, num_passengers, num_stops, geometry_source ``roads`` or ``straight``
    when no road path is known) and one Point feature per stop (properties: day, direction,
    vehicle_id, sequence from 0, kind, centre_id, arrival, departure, num_pickups,
    num_dropoffs, and the pickups and dropoffs passenger ids, for planners).
    Routes with fewer than two points get no line.
    """
    features: list[JsonDict] = []
    for day_result in result.plans:
        day, direction = day_result.day, Direction(day_result.direction).value
        for route in day_result.routes:
            coordinates, source = _route_coordinates(route)
            passengers = {pid for stop in route.stops for pid in stop.pickups}
            if len(coordinates) >= 2:
                features.append(
                    {
                        "type": "Feature",
                        "geometry": {"type": "LineString", "coordinates": coordinates},
                        "properties": {
                            "day": day,
                            "direction": direction,
                            "vehicle_id": route.vehicle_id,
                            "distance_m": route.distance_m,
                            "duration_s": route.duration_s,
                            "cost": route.cost,
                            "num_passengers": len(passengers),
                            "num_stops": len(route.stops),
                            "geometry_source": source,
                        },
                    }
                )
            for sequence, stop in enumerate(route.stops):
                features.append(
                    {
                        "type": "Feature",
                        "geometry": {
                            "type": "Point",
                            "coordinates": [stop.location.lon, stop.location.lat],
                        },
                        "properties": {
                            "day": day,
                            "direction": direction,
                            "vehicle_id": route.vehicle_id,
                            "sequence": sequence,
                            "kind": StopKind(stop.kind).value,
                            "centre_id": stop.centre_id,
                            "arrival": format_hms(stop.arrival_s),
                            "departure": format_hms(stop.departure_s),
                            "num_pickups": len(stop.pickups),
                            "num_dropoffs": len(stop.dropoffs),
                            "pickups": list(stop.pickups),
                            "dropoffs": list(stop.dropoffs),
                        },
                    }
                )
    return {"type": "FeatureCollection", "features": features}
