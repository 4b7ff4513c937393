"""The one place where the API's documents meet the solver's domain objects.

Plans arrive as dagrute plan JSON (parsed by ``solver.io``), VROOM JSON or CSV
(``app.interop``); results leave as dagrute result JSON, GeoJSON, VROOM JSON, dispatcher
day routes and driver manifests. Everything here is a pure function of its arguments.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from app.errors import error_item
from app.interop.vroom import VroomProblem, plan_from_vroom, vroom_output
from app.schemas import (
    CheckResponse,
    DayFigures,
    Manifest,
    ManifestPassenger,
    ManifestRoute,
    ManifestStop,
    MatrixResponse,
    ResultFigures,
    ViolationItem,
)
from app.settings import ServiceSettings
from solver.check import Violation, check_result
from solver.dispatch import DEFAULT_TOLERANCE_S, DayChanges, changed_plan, diff_days
from solver.domain import (
    DAYS,
    DIRECTIONS,
    Day,
    DayResult,
    Direction,
    LatLon,
    Passenger,
    Stop,
    StopKind,
    WeekPlan,
    WeekResult,
)
from solver.errors import InputError, Issue
from solver.io import (
    format_hms,
    parse_plan,
    parse_result,
    plan_to_json,
    result_to_geojson,
    result_to_json,
)
from solver.io.changes import diff_to_json
from solver.roads import OSM_ATTRIBUTION, RoadNetwork
from solver.validate import plan_places, snap_issues, validate
from solver.week import build_week_matrices, week_result


class DayRow(Protocol):
    """A stored day-direction (``app.db.models.DayResultRow``)."""

    day: str
    direction: str
    result_json: str
    violations_json: str


# ------------------------------------------------------------------------------- plans


def _out_of_range(source: str) -> InputError:
    return InputError(
        [
            Issue(
                "INPUT_SCHEMA",
                f"The {source} holds a number too large to be a time, distance or count.",
                "Use ordinary magnitudes (seconds, metres, NOK).",
            )
        ],
        source=source,
    )


def parse_submitted_plan(data: bytes | str | Mapping[str, Any], source: str = "plan") -> WeekPlan:
    """A submitted plan, checked for structure and then meaning (InputError listing all).

    ``data`` is the parsed JSON document (a string in it is a value, not JSON text).
    """
    try:
        plan = parse_plan(json.dumps(data) if isinstance(data, str) else data, source=source)
        issues = validate(plan)
    except (OverflowError, ValueError):  # e.g. 1e308 km: structurally valid, not a number we use
        raise _out_of_range(source) from None
    if issues:
        raise InputError(issues, source=source)
    return plan


def parse_result_document(data: Any, source: str = "result") -> WeekResult:
    """A result sent to the checker (InputError for bad structure or absurd magnitudes)."""
    try:
        # A JSON string inside a document is a value, not JSON text to parse.
        return parse_result(json.dumps(data) if isinstance(data, str) else data, source)
    except (OverflowError, ValueError):
        raise _out_of_range(source) from None


def plan_from_stored(plan_json: str) -> WeekPlan:
    """A plan as stored at submission (it was valid then)."""
    return parse_plan(plan_json, source="stored plan")


def plan_json_text(plan: WeekPlan) -> str:
    """The plan as dagrute plan JSON text (for plans converted from other formats)."""
    return json.dumps(plan_to_json(plan), ensure_ascii=False)


def limit_errors(
    plan: WeekPlan, settings: ServiceSettings, path_prefix: str = ""
) -> list[dict[str, Any]]:
    """``errors`` entries for every service limit the plan exceeds (empty: within limits)."""
    prefix = f"{path_prefix}." if path_prefix else ""
    errors = []
    if len(plan.passengers) > settings.max_passengers:
        errors.append(
            error_item(
                "LIMIT_PASSENGERS",
                f"The plan has {len(plan.passengers)} passengers; this service takes at most "
                f"{settings.max_passengers}.",
                "Split the plan (e.g. by centre) or ask the operator to raise "
                "DAGRUTE_MAX_PASSENGERS.",
                f"{prefix}passengers",
            )
        )
    if len(plan.vehicles) > settings.max_vehicles:
        errors.append(
            error_item(
                "LIMIT_VEHICLES",
                f"The plan has {len(plan.vehicles)} vehicles; this service takes at most "
                f"{settings.max_vehicles}.",
                "Split the plan or ask the operator to raise DAGRUTE_MAX_VEHICLES.",
                f"{prefix}vehicles",
            )
        )
    if plan.settings.time_limit_s > settings.max_time_limit_s:
        errors.append(
            error_item(
                "LIMIT_TIME_LIMIT",
                f"settings.time_limit_s is {plan.settings.time_limit_s:g} s; this service "
                f"allows at most {settings.max_time_limit_s:g} s.",
                f"Set settings.time_limit_s to {settings.max_time_limit_s:g} or less.",
                f"{prefix}settings.time_limit_s",
            )
        )
    return errors


def plan_notes(plan: WeekPlan) -> list[str]:
    """Remarks shown on the job about how the service reads the plan."""
    notes = []
    if plan.osm_file:
        notes.append("The plan's osm_file is ignored: the service solves on its own road network.")
    return notes


def off_road_issues(plan: WeekPlan, network: RoadNetwork) -> list[Issue]:
    """INPUT_OFF_ROAD for every plan location too far from the service's roads."""
    places = plan_places(plan)
    if not places:
        return []
    snapped = network.snap([place.location for place in places])
    return snap_issues(
        [(place, float(d)) for place, d in zip(places, snapped.distances_m, strict=True)],
        plan.settings.roads.snap_limit_m,
    )


def day_direction_pairs(
    days: Iterable[str] | None, directions: Iterable[str] | None
) -> list[tuple[Day, Direction]]:
    """The (day, direction) pairs asked for, in week order (all when None or empty)."""
    wanted_days = set(days or DAYS)
    wanted_directions = {Direction(d) for d in (directions or DIRECTIONS)}
    return [
        (day, direction)
        for day in DAYS
        if day in wanted_days
        for direction in DIRECTIONS
        if direction in wanted_directions
    ]


# ----------------------------------------------------------------------------- results


def day_result_json(day_result: DayResult) -> dict[str, Any]:
    """One day-direction in result JSON's ``plans[i]`` format."""
    plans: list[dict[str, Any]] = result_to_json(WeekResult(plans=(day_result,)))["plans"]
    return plans[0]


def violation_json(violation: Violation) -> dict[str, Any]:
    """A checker violation as JSON (the ``ViolationItem`` schema)."""
    return {
        "code": violation.code,
        "day": violation.day,
        "direction": None if violation.direction is None else str(violation.direction),
        "vehicle_id": violation.vehicle_id,
        "passenger_id": violation.passenger_id,
        "message": violation.message,
    }


def stored_cost(rows: Iterable[DayRow]) -> float | None:
    """Total cost of stored day-directions (None when there are none)."""
    costs = [json.loads(row.result_json)["kpis"]["cost"] for row in rows]
    return round(sum(costs), 2) if costs else None


def assemble_week(
    plan_json: str,
    rows: Iterable[DayRow],
    pairs: Sequence[tuple[str, str | Direction]],
    previous: WeekResult | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The week result JSON (with week totals) and violations from stored day-directions.

    The totals are the week planner's own (:func:`solver.week.week_result`): the CLI's result
    of the same week carries the same figures, consistency included, and with ``previous``
    (the earlier job's week) what changed since it.
    """
    plan = plan_from_stored(plan_json)
    ordered = _in_week_order(rows, pairs)
    week = week_result(plan, stored_week(plan, ordered, pairs).plans, previous, pairs)
    return result_to_json(week), stored_violations(ordered, pairs)


def stored_violations(
    rows: Iterable[DayRow], pairs: Sequence[tuple[str, str | Direction]]
) -> list[dict[str, Any]]:
    """The violations stored with each day-direction, in the order of ``pairs``."""
    return [v for row in _in_week_order(rows, pairs) for v in json.loads(row.violations_json)]


def _in_week_order(
    rows: Iterable[DayRow], pairs: Sequence[tuple[str, str | Direction]]
) -> list[DayRow]:
    order = {(day, str(direction)): i for i, (day, direction) in enumerate(pairs)}
    return sorted(rows, key=lambda r: order.get((r.day, r.direction), len(order)))


def stored_result(result_json: str) -> WeekResult:
    """A stored week result (it was written by this service)."""
    return parse_result(result_json, source="stored result")


def stored_week(
    plan: WeekPlan, rows: Iterable[DayRow], pairs: Sequence[tuple[str, str | Direction]]
) -> WeekResult:
    """The stored day-directions of a job as a week (in the order of ``pairs``)."""
    day_jsons = [json.loads(row.result_json) for row in _in_week_order(rows, pairs)]
    return parse_result({"name": plan.name, "plans": day_jsons}, source="stored result")


def figures_only(result: Mapping[str, Any]) -> dict[str, Any]:
    """A stored result JSON as :class:`~app.schemas.ResultFigures`: no personal data.

    Routes keep their vehicle, counts, distance, duration and cost; stops, passenger ids,
    places and lines are dropped; unassigned passengers become counts by reason.
    """
    plans = [
        {
            "day": plan["day"],
            "direction": plan["direction"],
            "routes": [
                {
                    "vehicle_id": route["vehicle_id"],
                    "num_stops": len(route["stops"]),
                    "num_trips": sum(len(stop["pickups"]) for stop in route["stops"]),
                    "distance_m": route["distance_m"],
                    "duration_s": route["duration_s"],
                    "cost": route["cost"],
                }
                for route in plan["routes"]
            ],
            "kpis": plan["kpis"],
            "unassigned_by_reason": dict(
                sorted(Counter(item["reason"] for item in plan.get("unassigned", [])).items())
            ),
        }
        for plan in result["plans"]
    ]
    return ResultFigures(
        name=result.get("name", "week"),
        figures_only=True,
        plans=[DayFigures.model_validate(plan) for plan in plans],
        totals=result.get("totals", {}),
        not_planned=result.get("not_planned", []),
    ).model_dump(mode="json")


def geojson(result: Mapping[str, Any]) -> dict[str, Any]:
    """The result as a GeoJSON FeatureCollection, with the road data's attribution."""
    collection = result_to_geojson(parse_result(dict(result), source="stored result"))
    collection["attribution"] = OSM_ATTRIBUTION
    return collection


# -------------------------------------------------------------------------- manifests


SAME_PLACE_DEG = 1e-5
"""A stop within this many degrees (about a metre) of a passenger's home is at that home."""


class DisplayFields(Protocol):
    """A passenger's display fields (a stored details row, or a parsed entry)."""

    @property
    def name(self) -> str | None:
        """The passenger's name."""

    @property
    def address(self) -> str | None:
        """The usual home's address."""

    @property
    def phone(self) -> str | None:
        """A phone number."""

    @property
    def notes(self) -> str | None:
        """What the driver must know."""


def _manifest_passenger(
    passenger: Passenger | None, passenger_id: str, shown: DisplayFields | None
) -> ManifestPassenger:
    fields = {
        "name": shown.name if shown else None,
        "phone": shown.phone if shown else None,
        "notes": shown.notes if shown else None,
    }
    if passenger is None:  # cannot happen for a stored result of this plan
        return ManifestPassenger(
            passenger_id=passenger_id,
            mobility="walking",
            escorts=0,
            seats=1,
            wheelchair_places=0,
            **fields,
        )
    return ManifestPassenger(
        passenger_id=passenger_id,
        mobility="wheelchair" if passenger.needs_wheelchair_place else "walking",
        escorts=passenger.num_escorts,
        seats=passenger.num_seats,
        wheelchair_places=passenger.num_wheelchair_places,
        **fields,
    )


def _stop_address(
    stop: Stop,
    passengers: Mapping[str, Passenger],
    details: Mapping[str, DisplayFields],
) -> str | None:
    """The address of a home stop: the first of its passengers who lives there and has one.

    None at a passenger's other address for the day (a home exception or a day's change):
    the stored address is the usual home's, and a driver must not be sent there.
    """
    if stop.kind is not StopKind.HOME:
        return None
    for pid in (*stop.pickups, *stop.dropoffs):
        passenger, shown = passengers.get(pid), details.get(pid)
        if passenger is None or shown is None or not shown.address:
            continue
        if (
            abs(passenger.home.lat - stop.location.lat) <= SAME_PLACE_DEG
            and abs(passenger.home.lon - stop.location.lon) <= SAME_PLACE_DEG
        ):
            return shown.address
    return None


def manifest(
    job_id: str,
    plan: WeekPlan,
    day: Day,
    vehicle_id: str,
    day_jsons: Mapping[str, Mapping[str, Any]],
    details: Mapping[str, DisplayFields] | None = None,
) -> Manifest | None:
    """A driver's manifest of ``vehicle_id`` on ``day`` (None: no such vehicle in the plan).

    ``day_jsons``: direction -> that day-direction's result JSON (``plans[i]`` format).
    ``details``: passenger id -> display fields, for a caller who may see them (None: the
    manifest shows ids only).
    """
    shown = details or {}
    vehicle = next((v for v in plan.vehicles if v.vehicle_id == vehicle_id), None)
    if vehicle is None:
        return None
    passengers = {p.passenger_id: p for p in plan.passengers}
    centre_names = {c.centre_id: c.name for c in plan.centres}
    routes: list[ManifestRoute] = []
    for direction in DIRECTIONS:
        day_json = day_jsons.get(direction.value)
        if day_json is None:
            continue
        week = parse_result({"plans": [dict(day_json)]}, source="stored result")
        for route in week.plans[0].routes:
            if route.vehicle_id != vehicle_id:
                continue
            stops = []
            riders: set[str] = set()
            for sequence, stop in enumerate(route.stops):
                riders.update(stop.pickups)
                stops.append(
                    ManifestStop(
                        sequence=sequence,
                        kind=str(stop.kind.value),  # type: ignore[arg-type]
                        centre_id=stop.centre_id,
                        centre_name=centre_names.get(stop.centre_id or ""),
                        lat=stop.location.lat,
                        lon=stop.location.lon,
                        address=_stop_address(stop, passengers, shown),
                        arrival=format_hms(stop.arrival_s),
                        departure=format_hms(stop.departure_s),
                        boarding=[
                            _manifest_passenger(passengers.get(pid), pid, shown.get(pid))
                            for pid in stop.pickups
                        ],
                        alighting=[
                            _manifest_passenger(passengers.get(pid), pid, shown.get(pid))
                            for pid in stop.dropoffs
                        ],
                        seats_on_board=stop.load_seats,
                        wheelchairs_on_board=stop.load_wheelchair_places,
                    )
                )
            riding = [passengers[pid] for pid in sorted(riders) if pid in passengers]
            routes.append(
                ManifestRoute(
                    direction=direction.value,
                    start=format_hms(route.stops[0].departure_s),
                    end=format_hms(route.stops[-1].arrival_s),
                    distance_m=route.distance_m,
                    duration_s=route.duration_s,
                    num_passengers=len(riders),
                    num_wheelchairs=sum(p.num_wheelchair_places for p in riding),
                    num_escorts=sum(p.num_escorts for p in riding),
                    stops=stops,
                )
            )
    return Manifest(
        job_id=job_id,
        day=day,
        vehicle_id=vehicle_id,
        seats=vehicle.seats,
        wheelchair_places=vehicle.wheelchair_places,
        routes=routes,
        details_shown=details is not None,
        attribution=OSM_ATTRIBUTION,
    )


# ------------------------------------------------------------------------------- tools


def matrix(
    points: Sequence[tuple[float, float]], network: RoadNetwork, snap_limit_m: float
) -> MatrixResponse:
    """Travel times and distances between ``points`` ((lat, lon) pairs); InputError off-road."""
    locations = [LatLon(lat=lat, lon=lon) for lat, lon in points]
    snapped = network.snap(locations)
    distances_m = [float(d) for d in snapped.distances_m]
    issues = [
        replace(issue, path=f"points[{i}]")
        for i, d in enumerate(distances_m)
        for issue in snap_issues([(f"Point {i + 1}", d)], snap_limit_m)
    ]
    if issues:
        raise InputError(issues)
    unique = list(dict.fromkeys(locations))
    matrices = network.matrices(unique)
    rows = [matrices.index_of(location) for location in locations]
    durations = matrices.durations_s[rows][:, rows]
    distances = matrices.distances_m[rows][:, rows]
    return MatrixResponse(
        durations_s=durations.astype(int).tolist(),
        distances_m=distances.astype(int).tolist(),
        snap_distances_m=[round(d, 1) for d in distances_m],
        attribution=OSM_ATTRIBUTION,
    )


def check(plan: WeekPlan, result: WeekResult, network: RoadNetwork) -> CheckResponse:
    """The checker's verdict on ``result`` for ``plan`` on the service's roads."""
    matrices = build_week_matrices(plan, network.with_settings(plan.settings.roads))
    violations = check_result(plan, result, matrices)
    return CheckResponse(
        num_violations=len(violations),
        violations=[ViolationItem(**violation_json(v)) for v in violations],
    )


# ------------------------------------------------------------------------------ VROOM


def vroom_problem(document: Any) -> VroomProblem:
    """A VROOM document as a one-day, one-direction plan (InputError listing every problem)."""
    problem = plan_from_vroom(document)
    issues = validate(problem.plan)
    if issues:
        raise InputError(issues)
    return problem


def vroom_result(source_json: str, result: Mapping[str, Any]) -> dict[str, Any]:
    """A stored job result in VROOM's solution format."""
    problem = plan_from_vroom(json.loads(source_json))
    week = parse_result(dict(result), source="stored result")
    day_result = next(
        (
            plan
            for plan in week.plans
            if plan.day == problem.day and plan.direction == problem.direction
        ),
        None,
    )
    return vroom_output(problem, day_result)


def version_diffs(
    plan_json: str,
    day: Day,
    before: Sequence[Mapping[str, Any]],
    after: Sequence[Mapping[str, Any]],
    in_force: DayChanges,
) -> list[dict[str, Any]]:
    """What changed from one day version to another (``plans[i]`` entries), per direction.

    Compares the routes only (no planning): a restore's diff against the version it replaces.
    """
    plan = plan_from_stored(plan_json)
    old = parse_result({"name": plan.name, "plans": list(before)}, source="stored day")
    new = parse_result({"name": plan.name, "plans": list(after)}, source="stored day")
    by_direction = {p.direction: p for p in old.plans}
    diffs = []
    for result in new.plans:
        previous = by_direction.get(result.direction)
        if previous is None:
            continue
        problem = changed_plan(plan, in_force, result.direction).day_problem(day, result.direction)
        diff = diff_days(previous, result, problem, in_force, set(), DEFAULT_TOLERANCE_S)
        diffs.append(diff_to_json(diff))
    return diffs
