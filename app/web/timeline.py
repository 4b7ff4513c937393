"""When each vehicle of a day-direction drives, waits and serves a stop.

A route's stops say when service starts (``arrival``) and when the vehicle leaves
(``departure``); between two stops the vehicle drives for the road network's travel time and
waits for the rest (it arrives early and waits for a window to open, as the checker assumes:
``arrival >= previous departure + travel``). The travel times come from the service's road
network with the plan's own road settings, the same oracle the checker uses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas import DirectionName
from solver import Day
from solver.io import parse_hhmm

Point = tuple[float, float]
"""(lat, lon) in degrees."""
TravelSeconds = Callable[[Point, Point], int]
"""Seconds to drive from the first point to the second."""


class TimelineSegment(BaseModel):
    """A stretch of a vehicle's time: driving to a stop, waiting there, or serving it."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["drive", "wait", "stop"] = Field(
        description="drive: on the way to the stop; wait: there early, before service starts; "
        "stop: boarding and alighting."
    )
    stop: int = Field(
        description="The stop's position in the route (0 = leaving the depot), as the "
        "manifest's sequence: where the vehicle drives to, waits or serves."
    )
    start_s: int = Field(description="Seconds after midnight.")
    end_s: int = Field(description="Seconds after midnight.")


class VehicleTimeline(BaseModel):
    """One route's segments, in order, and its totals."""

    model_config = ConfigDict(extra="forbid")

    vehicle_id: str
    start_s: int = Field(description="Leaving the first stop, seconds after midnight.")
    end_s: int = Field(description="Arriving at the last stop, seconds after midnight.")
    drive_s: int = Field(description="Seconds driving.")
    wait_s: int = Field(description="Seconds waiting before a stop's service starts.")
    stop_s: int = Field(description="Seconds serving stops (boarding and alighting).")
    num_stops: int = Field(description="Stops of the route, depots included.")
    segments: list[TimelineSegment]


class DayTimeline(BaseModel):
    """The vehicles' timelines of one day-direction (for the dispatcher page)."""

    model_config = ConfigDict(extra="forbid")

    job_id: str
    day: Day
    direction: DirectionName
    vehicles: list[VehicleTimeline] = Field(description="In the order of the day's routes.")


def stop_points(day_json: Mapping[str, Any]) -> list[Point]:
    """Every stop location of the day-direction's routes, once each, in order of appearance."""
    points: dict[Point, None] = {}
    for route in day_json.get("routes", []):
        for stop in route["stops"]:
            points.setdefault((float(stop["location"]["lat"]), float(stop["location"]["lon"])))
    return list(points)


def vehicle_timeline(route: Mapping[str, Any], travel_s: TravelSeconds) -> VehicleTimeline:
    """The segments of one route (result JSON's ``routes[i]``); zero-length ones are left out."""
    stops: Sequence[Mapping[str, Any]] = route["stops"]
    segments: list[TimelineSegment] = []

    def add(kind: Literal["drive", "wait", "stop"], stop: int, start_s: int, end_s: int) -> None:
        if end_s > start_s:
            segments.append(TimelineSegment(kind=kind, stop=stop, start_s=start_s, end_s=end_s))

    previous: Mapping[str, Any] | None = None
    for index, stop in enumerate(stops):
        arrival_s, departure_s = parse_hhmm(stop["arrival"]), parse_hhmm(stop["departure"])
        if previous is not None:
            left_s = parse_hhmm(previous["departure"])
            gap_s = max(0, arrival_s - left_s)
            here = (float(stop["location"]["lat"]), float(stop["location"]["lon"]))
            there = (float(previous["location"]["lat"]), float(previous["location"]["lon"]))
            drive_s = min(gap_s, max(0, travel_s(there, here)))
            add("drive", index, left_s, left_s + drive_s)
            add("wait", index, left_s + drive_s, arrival_s)
        add("stop", index, arrival_s, departure_s)
        previous = stop
    totals = {kind: 0 for kind in ("drive", "wait", "stop")}
    for segment in segments:
        totals[segment.kind] += segment.end_s - segment.start_s
    return VehicleTimeline(
        vehicle_id=route["vehicle_id"],
        start_s=parse_hhmm(stops[0]["departure"]) if stops else 0,
        end_s=parse_hhmm(stops[-1]["arrival"]) if stops else 0,
        drive_s=totals["drive"],
        wait_s=totals["wait"],
        stop_s=totals["stop"],
        num_stops=len(stops),
        segments=segments,
    )


def day_timeline(job_id: str, day_json: Mapping[str, Any], travel_s: TravelSeconds) -> DayTimeline:
    """The timeline of a stored day-direction (result JSON's ``plans[i]`` format)."""
    return DayTimeline(
        job_id=job_id,
        day=day_json["day"],
        direction=day_json["direction"],
        vehicles=[vehicle_timeline(route, travel_s) for route in day_json.get("routes", [])],
    )
