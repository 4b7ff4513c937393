"""VROOM's JSON problem format <-> one dagrute day-direction.

Input (VROOM's ``jobs``, ``shipments``, ``vehicles``), read by :func:`plan_from_vroom`:

- A **shipment** is a passenger's trip: ``pickup`` at home and ``delivery`` at the centre
  (``to_centre``), or the other way round (``from_centre``). The centre-side locations become
  centres (``C1``, ``C2``... in order of appearance); the centre window is the hull of the
  time windows given there.
- A **job** with a ``pickup`` amount is a passenger driven to the vehicles' common ``end``
  (``to_centre``); one with a ``delivery`` amount is driven from the vehicles' common
  ``start`` (``from_centre``): VROOM's own meaning of job amounts.
- **Capacity arrays** are ``[seats, wheelchair_places]`` (one number: seats only); an
  amount is ``[seats taken, wheelchair places taken]``: a walking passenger with 2 escorts is
  ``[3, 0]``, a wheelchair user with 1 escort ``[1, 1]``.
- **Time windows** are seconds after midnight (0..86399), one window per task; a vehicle's
  ``time_window`` is its shift; ``service`` is the boarding (and alighting) time.
- **Vehicles**: ``start`` is the depot; no ``end`` means open routes, ``end`` equal to
  ``start`` means routes return to the depot. ``costs`` (``fixed``, ``per_hour``,
  ``per_km``) become the tariff; ``max_travel_time`` becomes ``max_route_s`` (dagrute counts
  waiting in it too).
- **Skills** are accepted only where every vehicle has every skill a task needs (dagrute
  cannot tie a passenger to some vehicles); wheelchair places go in ``capacity``.
- Ignored: ``description``, ``profile``, ``setup``, ``priority`` (dagrute serves everyone it
  can and explains who it cannot). Refused with an error: ``matrices``, ``breaks``,
  ``max_tasks``, ``max_distance``, a vehicle ``speed_factor`` other than 1, several time
  windows on one task.

Extensions (fields VROOM ignores), documented in the README:

- top level ``"dagrute": {"day": "mon", "direction": "to_centre", "time_limit_s": 30,
  "seed": 1}`` (defaults shown; ``direction`` defaults to what the tasks imply);
- on a shipment or job ``"dagrute": {"max_ride_s": 2700, "escorts": 1}``: the passenger's
  longest ride in seconds, and the escorts (checked against the amount when both are given).

Output (:func:`vroom_output`) follows VROOM's solution format: ``code``, ``summary``,
``unassigned`` (each with a ``dagrute`` object giving the reason code and hint) and
``routes`` with ``steps`` of type ``start``, ``pickup``, ``delivery``, ``job``, ``end``;
``arrival`` and ``load`` per step. ``duration`` is the route's time from leaving the depot to
its last arrival, service and waiting included; ``waiting_time`` is not split out (0).

One module on purpose (about 960 lines): reading VROOM's problem and writing its solution
share the field meanings and units above, and the error codes; split in two, each half would
restate them.

One module on purpose (about 960 lines): one foreign format in and out, both directions
sharing its field rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from solver.domain import (
    DAYS,
    Centre,
    CentreHours,
    Day,
    DayResult,
    Direction,
    LatLon,
    Mobility,
    Passenger,
    Settings,
    Tariff,
    TimeWindow,
    Vehicle,
    WeekPlan,
)
from solver.errors import InputError, Issue
from solver.io import MAX_ESCORTS, SECONDS_PER_DAY

VROOM_CODES: dict[str, str] = {
    "VROOM_SCHEMA": "The VROOM document lacks a field, or a value has the wrong type or range.",
    "VROOM_UNSUPPORTED": "The VROOM document uses a feature dagrute cannot honour.",
    "VROOM_AMOUNT": "An amount or capacity is not [seats, wheelchair places] as dagrute reads it.",
    "VROOM_TIME_WINDOW": "A time window is not within one day (0..86399 s) or ends before it "
    "starts.",
    "VROOM_DUPLICATE_ID": "Two jobs, two pickups, two deliveries or two vehicles share an id.",
}


@dataclass(frozen=True)
class VroomTask:
    """Where a passenger of the converted plan came from in the VROOM document."""

    kind: str  # "job" or "shipment"
    job_id: int | None = None
    pickup_id: int | None = None
    delivery_id: int | None = None
    pickup_location: tuple[float, float] = (0.0, 0.0)  # [lon, lat]
    delivery_location: tuple[float, float] = (0.0, 0.0)
    amount: tuple[int, int] = (1, 0)
    pickup_service_s: int = 0
    delivery_service_s: int = 0
    description: str | None = None


@dataclass(frozen=True)
class VroomProblem:
    """A VROOM document read as one dagrute day-direction."""

    plan: WeekPlan
    day: Day
    direction: Direction
    tasks: Mapping[str, VroomTask] = field(default_factory=dict)  # passenger id -> task
    vehicle_ids: Mapping[str, Any] = field(default_factory=dict)  # dagrute id -> VROOM id


class _Reader:
    """Collects every issue while walking the document."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def issue(self, code: str, message: str, hint: str, path: str, ident: Any = None) -> None:
        self.issues.append(
            Issue(code, message, hint, path=path, id=None if ident is None else str(ident))
        )

    def integer(
        self, value: Any, path: str, label: str, *, minimum: int | None = 0, ident: Any = None
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.issue(
                "VROOM_SCHEMA",
                f"{label} is not a whole number.",
                "Write a whole number without quotes.",
                path,
                ident,
            )
            return None
        if minimum is not None and value < minimum:
            self.issue(
                "VROOM_SCHEMA",
                f"{label} is below {minimum}.",
                f"Use {minimum} or more.",
                path,
                ident,
            )
            return None
        return value

    def location(self, value: Any, path: str, label: str, ident: Any) -> tuple[float, float] | None:
        ok = (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        )
        if not ok or not (-180 <= value[0] <= 180 and -90 <= value[1] <= 90):
            self.issue(
                "VROOM_SCHEMA",
                f"{label} is not a [lon, lat] pair in degrees.",
                "Write the location as [lon, lat], longitude first, as VROOM does.",
                path,
                ident,
            )
            return None
        return (float(value[0]), float(value[1]))

    def window(self, value: Any, path: str, label: str, ident: Any) -> TimeWindow | None:
        """One [start, end] window (None: none given or bad)."""
        if value is None:
            return None
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        ):
            self.issue(
                "VROOM_SCHEMA",
                f"{label} is not [start, end] in whole seconds.",
                "Write [start, end], e.g. [27000, 30600] for 07:30-08:30.",
                path,
                ident,
            )
            return None
        start, end = value
        if not (0 <= start <= end < SECONDS_PER_DAY):
            self.issue(
                "VROOM_TIME_WINDOW",
                f"{label} is not a window within one day.",
                "dagrute reads times as seconds after midnight (0 to 86399); the end must "
                "not come before the start.",
                path,
                ident,
            )
            return None
        return TimeWindow(start, end)

    def windows(self, value: Any, path: str, label: str, ident: Any) -> TimeWindow | None:
        if value is None:
            return None
        if not isinstance(value, list):
            self.issue(
                "VROOM_SCHEMA",
                f"{label} is not a list of windows.",
                "Write [[start, end]].",
                path,
                ident,
            )
            return None
        if len(value) > 1:
            self.issue(
                "VROOM_UNSUPPORTED",
                f"{label} has {len(value)} time windows.",
                "Give one window per task; dagrute has one pickup and one drop-off window.",
                path,
                ident,
            )
            return None
        return self.window(value[0], f"{path}[0]", label, ident) if value else None

    def amount(self, value: Any, path: str, label: str, ident: Any) -> tuple[int, int] | None:
        if value is None:
            return None
        if (
            not isinstance(value, list)
            or not 1 <= len(value) <= 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
        ):
            self.issue(
                "VROOM_AMOUNT",
                f"{label} is not [seats, wheelchair places] of whole numbers.",
                "Use [seats] or [seats, wheelchair places], e.g. [2, 0] for a passenger with "
                "one escort.",
                path,
                ident,
            )
            return None
        return (value[0], value[1] if len(value) == 2 else 0)


def _refuse_fields(
    reader: _Reader, obj: Mapping[str, Any], path: str, names: Sequence[str], ident: Any
) -> None:
    for name in names:
        if obj.get(name) not in (None, [], 0) and not (name == "speed_factor" and obj[name] == 1):
            reader.issue(
                "VROOM_UNSUPPORTED",
                f"{path} uses {name}, which dagrute cannot honour.",
                f"Remove {name}.",
                f"{path}.{name}",
                ident,
            )


def _passenger_shape(
    reader: _Reader, amount: tuple[int, int], extension: Mapping[str, Any], path: str, ident: Any
) -> tuple[Mobility, int] | None:
    seats, wheelchairs = amount
    if wheelchairs > 1:
        reader.issue(
            "VROOM_AMOUNT",
            f"{path} takes {wheelchairs} wheelchair places.",
            "A passenger takes at most one wheelchair place; make one task each.",
            f"{path}.amount",
            ident,
        )
        return None
    mobility = Mobility.WHEELCHAIR if wheelchairs == 1 else Mobility.WALKING
    escorts = seats - (0 if wheelchairs else 1)
    given = extension.get("escorts")
    if given is not None and (
        not isinstance(given, int) or isinstance(given, bool) or given != escorts
    ):
        reader.issue(
            "VROOM_AMOUNT",
            f"{path} says {given} escorts but its amount implies {escorts}.",
            "The amount is [passenger seat (0 in a wheelchair) + escorts, wheelchair "
            "places]; make the two agree.",
            f"{path}.dagrute.escorts",
            ident,
        )
        return None
    if not 0 <= escorts <= MAX_ESCORTS:
        reader.issue(
            "VROOM_AMOUNT",
            f"{path} has an amount that means {escorts} escorts.",
            "A walking passenger takes 1 to 4 seats, a wheelchair user 0 to 3 seats and one "
            "wheelchair place.",
            f"{path}.amount",
            ident,
        )
        return None
    return mobility, escorts


def _max_ride(reader: _Reader, extension: Mapping[str, Any], path: str, ident: Any) -> int | None:
    value = extension.get("max_ride_s")
    if value is None:
        return None
    return reader.integer(
        value, f"{path}.dagrute.max_ride_s", f"{path}'s max_ride_s", minimum=1, ident=ident
    )


def _extension(reader: _Reader, obj: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    value = obj.get("dagrute", {})
    if not isinstance(value, dict):
        reader.issue(
            "VROOM_SCHEMA",
            f"{path}.dagrute is not an object.",
            'Write e.g. "dagrute": {"max_ride_s": 2700}.',
            f"{path}.dagrute",
        )
        return {}
    return value


def plan_from_vroom(document: Any, *, name: str = "vroom problem") -> VroomProblem:
    """Read a VROOM problem as a one-day, one-direction dagrute plan (InputError if bad)."""
    reader = _Reader()
    if not isinstance(document, dict):
        raise InputError(
            [
                Issue(
                    "VROOM_SCHEMA",
                    "The VROOM document is not a JSON object.",
                    'Send {"vehicles": [...], "jobs": [...]}.',
                )
            ]
        )
    for name_ in ("matrices", "matrix"):
        if name_ in document:
            reader.issue(
                "VROOM_UNSUPPORTED",
                "The document brings its own matrices.",
                "Remove matrices: dagrute measures on its road network.",
                name_,
            )
    top = _extension(reader, document, "")
    day = top.get("day", "mon")
    if day not in DAYS:
        reader.issue(
            "VROOM_SCHEMA",
            "dagrute.day is not a weekday.",
            f"Use one of {', '.join(DAYS)}.",
            "dagrute.day",
        )
        day = "mon"
    jobs = document.get("jobs", [])
    shipments = document.get("shipments", [])
    vehicles = document.get("vehicles")
    for key, value in (("jobs", jobs), ("shipments", shipments)):
        if not isinstance(value, list):
            reader.issue("VROOM_SCHEMA", f"{key} is not a list.", f"Write {key}: [...].", key)
    if not isinstance(vehicles, list) or not vehicles:
        reader.issue(
            "VROOM_SCHEMA",
            "The document has no vehicles.",
            'Add vehicles: [{"id": 1, "start": [lon, lat], "capacity": [8, 1]}].',
            "vehicles",
        )
        vehicles = []
    if not isinstance(jobs, list):
        jobs = []
    if not isinstance(shipments, list):
        shipments = []
    if reader.issues:
        raise InputError(reader.issues)
    direction = _direction(reader, top, jobs)
    fleet, vehicle_ids, vehicle_ends = _vehicles(reader, vehicles, day)
    all_vehicle_skills = [set(v.get("skills") or []) for v in vehicles if isinstance(v, dict)]
    tasks: dict[str, VroomTask] = {}
    passengers: list[Passenger] = []
    centre_points: dict[tuple[float, float], list[TimeWindow]] = {}
    seen_ids: dict[str, set[int]] = {"job": set(), "pickup": set(), "delivery": set()}

    def skills_ok(obj: Mapping[str, Any], path: str, ident: Any) -> None:
        needed = obj.get("skills") or []
        if not isinstance(needed, list):
            reader.issue(
                "VROOM_SCHEMA",
                f"{path}.skills is not a list.",
                "Write [1, 2].",
                f"{path}.skills",
                ident,
            )
            return
        if needed and not all(set(needed) <= skills for skills in all_vehicle_skills):
            reader.issue(
                "VROOM_UNSUPPORTED",
                f"{path} needs skills only some vehicles have.",
                "dagrute cannot tie a passenger to some vehicles; give every vehicle the "
                "skill, or drop it (wheelchair places go in capacity[1]).",
                f"{path}.skills",
                ident,
            )

    def note_id(kind: str, value: Any, path: str) -> int | None:
        ident = reader.integer(value, path, f"{path}", minimum=None)
        if ident is None:
            return None
        if ident in seen_ids[kind]:
            reader.issue(
                "VROOM_DUPLICATE_ID",
                f"Two {kind}s have the id {ident}.",
                "Give every task its own id.",
                path,
                ident,
            )
        seen_ids[kind].add(ident)
        return ident

    # Shipments: pickup and delivery locations given.
    for i, shipment in enumerate(shipments):
        path = f"shipments[{i}]"
        if not isinstance(shipment, dict):
            reader.issue("VROOM_SCHEMA", f"{path} is not an object.", "Write {...}.", path)
            continue
        pickup, delivery = shipment.get("pickup"), shipment.get("delivery")
        if not isinstance(pickup, dict) or not isinstance(delivery, dict):
            reader.issue(
                "VROOM_SCHEMA",
                f"{path} lacks a pickup or a delivery object.",
                "Give both pickup and delivery.",
                path,
            )
            continue
        pickup_id = note_id("pickup", pickup.get("id"), f"{path}.pickup.id")
        delivery_id = note_id("delivery", delivery.get("id"), f"{path}.delivery.id")
        ident = pickup_id
        _refuse_fields(reader, shipment, path, ("max_tasks",), ident)
        skills_ok(shipment, path, ident)
        extension = _extension(reader, shipment, path)
        amount = reader.amount(
            shipment.get("amount", [1, 0]), f"{path}.amount", f"{path}.amount", ident
        )
        p_loc = reader.location(
            pickup.get("location"), f"{path}.pickup.location", f"{path}.pickup.location", ident
        )
        d_loc = reader.location(
            delivery.get("location"),
            f"{path}.delivery.location",
            f"{path}.delivery.location",
            ident,
        )
        p_win = reader.windows(
            pickup.get("time_windows"),
            f"{path}.pickup.time_windows",
            f"{path}.pickup.time_windows",
            ident,
        )
        d_win = reader.windows(
            delivery.get("time_windows"),
            f"{path}.delivery.time_windows",
            f"{path}.delivery.time_windows",
            ident,
        )
        p_service = reader.integer(
            pickup.get("service", 0),
            f"{path}.pickup.service",
            f"{path}.pickup.service",
            ident=ident,
        )
        d_service = reader.integer(
            delivery.get("service", 0),
            f"{path}.delivery.service",
            f"{path}.delivery.service",
            ident=ident,
        )
        if amount is None or p_loc is None or d_loc is None or pickup_id is None:
            continue
        shape = _passenger_shape(reader, amount, extension, path, ident)
        max_ride = _max_ride(reader, extension, path, ident)
        if shape is None or delivery_id is None:
            continue
        home, centre_point = (p_loc, d_loc) if direction is Direction.TO_CENTRE else (d_loc, p_loc)
        centre_window = d_win if direction is Direction.TO_CENTRE else p_win
        centre_points.setdefault(centre_point, [])
        if centre_window is not None:
            centre_points[centre_point].append(centre_window)
        passenger_id = f"shipment-{pickup_id}"
        tasks[passenger_id] = VroomTask(
            kind="shipment",
            pickup_id=pickup_id,
            delivery_id=delivery_id,
            pickup_location=p_loc,
            delivery_location=d_loc,
            amount=amount,
            pickup_service_s=p_service or 0,
            delivery_service_s=d_service or 0,
            description=pickup.get("description")
            if isinstance(pickup.get("description"), str)
            else None,
        )
        passengers.append(
            _passenger(
                passenger_id,
                home,
                centre_point,
                day,
                shape,
                max_ride,
                p_win,
                d_win,
                p_service or d_service or None,
            )
        )

    # Jobs: the centre is the vehicles' common end (pickups) or start (deliveries).
    if jobs:
        job_centre = _job_centre(reader, vehicles, direction, vehicle_ends)
        for i, job in enumerate(jobs):
            path = f"jobs[{i}]"
            if not isinstance(job, dict):
                reader.issue("VROOM_SCHEMA", f"{path} is not an object.", "Write {...}.", path)
                continue
            job_id = note_id("job", job.get("id"), f"{path}.id")
            skills_ok(job, path, job_id)
            extension = _extension(reader, job, path)
            loc = reader.location(
                job.get("location"), f"{path}.location", f"{path}.location", job_id
            )
            win = reader.windows(
                job.get("time_windows"), f"{path}.time_windows", f"{path}.time_windows", job_id
            )
            service = reader.integer(
                job.get("service", 0), f"{path}.service", f"{path}.service", ident=job_id
            )
            key = "pickup" if direction is Direction.TO_CENTRE else "delivery"
            other = "delivery" if key == "pickup" else "pickup"
            amount = reader.amount(job.get(key, [1, 0]), f"{path}.{key}", f"{path}.{key}", job_id)
            if any(job.get(other) or []):
                reader.issue(
                    "VROOM_UNSUPPORTED",
                    f"{path} has a {other} amount in a {direction.value} problem.",
                    f"Jobs of a {direction.value} problem carry only {key} amounts; use "
                    "shipments for mixed trips.",
                    f"{path}.{other}",
                    job_id,
                )
                continue
            if amount is None or loc is None or job_id is None or job_centre is None:
                continue
            shape = _passenger_shape(reader, amount, extension, path, job_id)
            max_ride = _max_ride(reader, extension, path, job_id)
            if shape is None:
                continue
            centre_points.setdefault(job_centre, [])
            passenger_id = f"job-{job_id}"
            is_to = direction is Direction.TO_CENTRE
            tasks[passenger_id] = VroomTask(
                kind="job",
                job_id=job_id,
                pickup_location=loc if is_to else job_centre,
                delivery_location=job_centre if is_to else loc,
                amount=amount,
                pickup_service_s=(service or 0) if is_to else 0,
                delivery_service_s=0 if is_to else (service or 0),
                description=job.get("description")
                if isinstance(job.get("description"), str)
                else None,
            )
            passengers.append(
                _passenger(
                    passenger_id,
                    loc,
                    job_centre,
                    day,
                    shape,
                    max_ride,
                    win if is_to else None,
                    None if is_to else win,
                    service or None,
                )
            )
    if reader.issues:
        raise InputError(reader.issues)
    centres, centre_of = _centres(centre_points, day, direction)
    passengers = [replace(p, centre_id=centre_of[_centre_point(p)]) for p in passengers]
    return_to_depot = all(end == "start" for end in vehicle_ends.values()) if vehicle_ends else True
    time_limit = top.get("time_limit_s", 30)
    seed = top.get("seed", 1)
    if not isinstance(time_limit, int | float) or isinstance(time_limit, bool) or time_limit <= 0:
        raise InputError(
            [
                Issue(
                    "VROOM_SCHEMA",
                    "dagrute.time_limit_s is not a positive number.",
                    "Give seconds, e.g. 30.",
                    path="dagrute.time_limit_s",
                )
            ]
        )
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise InputError(
            [
                Issue(
                    "VROOM_SCHEMA",
                    "dagrute.seed is not a whole number.",
                    "Give e.g. 1.",
                    path="dagrute.seed",
                )
            ]
        )
    plan = WeekPlan(
        centres=tuple(centres),
        passengers=tuple(passengers),
        vehicles=tuple(fleet),
        settings=Settings(
            time_limit_s=float(time_limit), seed=seed, return_to_depot=return_to_depot
        ),
        name=name,
    )
    return VroomProblem(plan, day, direction, tasks, vehicle_ids)


def _centre_point(passenger: Passenger) -> tuple[float, float]:
    """The centre point a passenger was made with (its centre_id is "lon,lat" until named)."""
    lon, lat = passenger.centre_id.split(",")
    return (float(lon), float(lat))


def _passenger(
    passenger_id: str,
    home: tuple[float, float],
    centre_point: tuple[float, float],
    day: Day,
    shape: tuple[Mobility, int],
    max_ride_s: int | None,
    pickup_window: TimeWindow | None,
    dropoff_window: TimeWindow | None,
    service_s: int | None,
) -> Passenger:
    mobility, escorts = shape
    return Passenger(
        passenger_id=passenger_id,
        home=LatLon(lat=home[1], lon=home[0]),
        centre_id=f"{centre_point[0]},{centre_point[1]}",
        days=frozenset({day}),
        mobility=mobility,
        num_escorts=escorts,
        boarding_s=service_s,
        max_ride_s=max_ride_s,
        earliest_pickup_s=pickup_window.start_s if pickup_window else None,
        latest_pickup_s=pickup_window.end_s if pickup_window else None,
        earliest_dropoff_s=dropoff_window.start_s if dropoff_window else None,
        latest_dropoff_s=dropoff_window.end_s if dropoff_window else None,
    )


def _centres(
    points: Mapping[tuple[float, float], Sequence[TimeWindow]], day: Day, direction: Direction
) -> tuple[list[Centre], dict[tuple[float, float], str]]:
    centres: list[Centre] = []
    names: dict[tuple[float, float], str] = {}
    for n, (point, windows) in enumerate(points.items(), start=1):
        hull = (
            TimeWindow(min(w.start_s for w in windows), max(w.end_s for w in windows))
            if windows
            else TimeWindow(0, SECONDS_PER_DAY - 1)
        )
        centre_id = f"C{n}"
        names[point] = centre_id
        centres.append(
            Centre(
                centre_id=centre_id,
                name=f"Centre {n}",
                location=LatLon(lat=point[1], lon=point[0]),
                hours={day: CentreHours(arrival=hull, departure=hull)},
            )
        )
    return centres, names


def _direction(reader: _Reader, top: Mapping[str, Any], jobs: Sequence[Any]) -> Direction:
    given = top.get("direction")
    if given is not None:
        try:
            return Direction(given)
        except ValueError:
            reader.issue(
                "VROOM_SCHEMA",
                "dagrute.direction is not a direction.",
                "Use to_centre or from_centre.",
                "dagrute.direction",
            )
            return Direction.TO_CENTRE
    has_delivery = any(isinstance(j, dict) and any(j.get("delivery") or []) for j in jobs)
    has_pickup = any(isinstance(j, dict) and any(j.get("pickup") or []) for j in jobs)
    return Direction.FROM_CENTRE if has_delivery and not has_pickup else Direction.TO_CENTRE


def _vehicles(
    reader: _Reader, vehicles: Sequence[Any], day: Day
) -> tuple[list[Vehicle], dict[str, Any], dict[str, Any]]:
    fleet: list[Vehicle] = []
    ids: dict[str, Any] = {}
    ends: dict[str, Any] = {}
    seen: set[int] = set()
    for i, vehicle in enumerate(vehicles):
        path = f"vehicles[{i}]"
        if not isinstance(vehicle, dict):
            reader.issue("VROOM_SCHEMA", f"{path} is not an object.", "Write {...}.", path)
            continue
        ident = reader.integer(vehicle.get("id"), f"{path}.id", f"{path}.id", minimum=None)
        if ident is not None and ident in seen:
            reader.issue(
                "VROOM_DUPLICATE_ID",
                f"Two vehicles have the id {ident}.",
                "Give every vehicle its own id.",
                f"{path}.id",
                ident,
            )
        if ident is not None:
            seen.add(ident)
        _refuse_fields(
            reader, vehicle, path, ("breaks", "max_tasks", "max_distance", "speed_factor"), ident
        )
        start = reader.location(vehicle.get("start"), f"{path}.start", f"{path}.start", ident)
        end = vehicle.get("end")
        end_loc = (
            reader.location(end, f"{path}.end", f"{path}.end", ident) if end is not None else None
        )
        capacity = reader.amount(
            vehicle.get("capacity", [8, 0]), f"{path}.capacity", f"{path}.capacity", ident
        )
        shift = reader.window(
            vehicle.get("time_window"), f"{path}.time_window", f"{path}.time_window", ident
        ) or TimeWindow(0, SECONDS_PER_DAY - 1)
        costs = vehicle.get("costs") or {}
        if not isinstance(costs, dict):
            reader.issue(
                "VROOM_SCHEMA",
                f"{path}.costs is not an object.",
                'Write {"fixed": 900, "per_hour": 550}.',
                f"{path}.costs",
                ident,
            )
            costs = {}
        numbers = {}
        for key in ("fixed", "per_hour", "per_km"):
            value = costs.get(key, 0)
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                reader.issue(
                    "VROOM_SCHEMA",
                    f"{path}.costs.{key} is not a number of 0 or more.",
                    "Give a cost in NOK.",
                    f"{path}.costs.{key}",
                    ident,
                )
                value = 0
            numbers[key] = float(value)
        max_travel = vehicle.get("max_travel_time")
        if max_travel is not None:
            max_travel = reader.integer(
                max_travel,
                f"{path}.max_travel_time",
                f"{path}.max_travel_time",
                minimum=1,
                ident=ident,
            )
        if start is None:
            if vehicle.get("start") is None:
                reader.issue(
                    "VROOM_UNSUPPORTED",
                    f"{path} has no start.",
                    "Give every vehicle a start: dagrute routes leave a depot.",
                    f"{path}.start",
                    ident,
                )
            continue
        if ident is None or capacity is None:
            continue
        vehicle_id = str(ident)
        ids[vehicle_id] = ident
        ends[vehicle_id] = "none" if end_loc is None else ("start" if end_loc == start else end_loc)
        fleet.append(
            Vehicle(
                vehicle_id=vehicle_id,
                depot=LatLon(lat=start[1], lon=start[0]),
                seats=capacity[0],
                wheelchair_places=capacity[1],
                days=frozenset({day}),
                shift=shift,
                tariff=Tariff(
                    per_km=numbers["per_km"],
                    per_hour=numbers["per_hour"],
                    per_vehicle_day=numbers["fixed"],
                ),
                max_route_s=max_travel,
            )
        )
    return fleet, ids, ends


def _job_centre(
    reader: _Reader, vehicles: Sequence[Any], direction: Direction, ends: Mapping[str, Any]
) -> tuple[float, float] | None:
    """The common end (to_centre) or start (from_centre) of the vehicles: the jobs' centre."""
    key = "end" if direction is Direction.TO_CENTRE else "start"
    points = {
        tuple(v[key]) for v in vehicles if isinstance(v, dict) and isinstance(v.get(key), list)
    }
    if len(points) != 1 or any(not isinstance(v, dict) or v.get(key) is None for v in vehicles):
        reader.issue(
            "VROOM_UNSUPPORTED",
            f"Jobs need every vehicle to share one {key}: the centre.",
            "Give all vehicles the centre as their "
            f"{key}, or use shipments with the centre as "
            f"{'delivery' if key == 'end' else 'pickup'}.",
            "jobs",
        )
        return None
    lon, lat = next(iter(points))
    return (float(lon), float(lat))


# --------------------------------------------------------------------------------- output


def vroom_output(problem: VroomProblem, result: DayResult | None) -> dict[str, Any]:
    """A dagrute day-direction result in VROOM's solution format."""
    tasks = problem.tasks
    passengers = {p.passenger_id: p for p in problem.plan.passengers}
    routes_out: list[dict[str, Any]] = []
    unassigned_out: list[dict[str, Any]] = []
    total_service = 0
    solved = result.routes if result is not None else ()
    for route in solved:
        steps: list[dict[str, Any]] = []
        load = [0, 0]
        service_sum = 0
        for index, stop in enumerate(route.stops):
            location = [stop.location.lon, stop.location.lat]
            if stop.kind == "depot":
                is_first = index == 0
                steps.append(
                    {
                        "type": "start" if is_first else "end",
                        "location": location,
                        "arrival": stop.departure_s if is_first else stop.arrival_s,
                        "duration": (stop.departure_s if is_first else stop.arrival_s)
                        - route.stops[0].departure_s,
                        "setup": 0,
                        "service": 0,
                        "waiting_time": 0,
                        "load": list(load),
                    }
                )
                continue
            for passenger_id, is_pickup in [(pid, True) for pid in stop.pickups] + [
                (pid, False) for pid in stop.dropoffs
            ]:
                task = tasks.get(passenger_id)
                passenger = passengers.get(passenger_id)
                if task is None or passenger is None:
                    continue
                sign = 1 if is_pickup else -1
                load[0] += sign * passenger.num_seats
                load[1] += sign * passenger.num_wheelchair_places
                implicit = task.kind == "job" and (
                    (problem.direction is Direction.TO_CENTRE and not is_pickup)
                    or (problem.direction is Direction.FROM_CENTRE and is_pickup)
                )
                if implicit:
                    continue  # a job's centre end is the vehicle's start or end in VROOM
                service = task.pickup_service_s if is_pickup else task.delivery_service_s
                service_sum += service
                step: dict[str, Any] = {
                    "type": "job"
                    if task.kind == "job"
                    else ("pickup" if is_pickup else "delivery"),
                    "id": task.job_id
                    if task.kind == "job"
                    else (task.pickup_id if is_pickup else task.delivery_id),
                    "location": location,
                    "arrival": stop.arrival_s,
                    "duration": stop.arrival_s - route.stops[0].departure_s,
                    "setup": 0,
                    "service": service,
                    "waiting_time": 0,
                    "load": list(load),
                }
                if task.description:
                    step["description"] = task.description
                steps.append(step)
        if steps and steps[-1]["type"] != "end":
            last = route.stops[-1]
            steps.append(
                {
                    "type": "end",
                    "location": [last.location.lon, last.location.lat],
                    "arrival": last.departure_s,
                    "duration": last.departure_s - route.stops[0].departure_s,
                    "setup": 0,
                    "service": 0,
                    "waiting_time": 0,
                    "load": list(load),
                }
            )
        total_service += service_sum
        routes_out.append(
            {
                "vehicle": problem.vehicle_ids.get(route.vehicle_id, route.vehicle_id),
                "cost": round(route.cost),
                "setup": 0,
                "service": service_sum,
                "duration": route.duration_s,
                "waiting_time": 0,
                "priority": 0,
                "distance": route.distance_m,
                "steps": steps,
                "violations": [],
            }
        )
    for entry in result.unassigned if result is not None else ():
        task = tasks.get(entry.passenger_id)
        if task is None:
            continue
        extension = {"reason": str(entry.reason.value), "hint": entry.hint}
        if task.kind == "job":
            job_location = (
                task.pickup_location
                if problem.direction is Direction.TO_CENTRE
                else task.delivery_location
            )
            unassigned_out.append(
                {
                    "id": task.job_id,
                    "type": "job",
                    "location": list(job_location),
                    "dagrute": extension,
                }
            )
        else:
            unassigned_out.append(
                {
                    "id": task.pickup_id,
                    "type": "pickup",
                    "location": list(task.pickup_location),
                    "dagrute": extension,
                }
            )
            unassigned_out.append(
                {
                    "id": task.delivery_id,
                    "type": "delivery",
                    "location": list(task.delivery_location),
                    "dagrute": extension,
                }
            )
    return {
        "code": 0,
        "summary": {
            "cost": sum(r["cost"] for r in routes_out),
            "routes": len(routes_out),
            "unassigned": len(unassigned_out),
            "setup": 0,
            "service": total_service,
            "duration": sum(r["duration"] for r in routes_out),
            "waiting_time": 0,
            "priority": 0,
            "distance": sum(r["distance"] for r in routes_out),
            "violations": [],
            "computing_times": {
                "loading": 0,
                "solving": round((result.solve_s if result is not None else 0.0) * 1000),
                "routing": 0,
            },
        },
        "unassigned": unassigned_out,
        "routes": routes_out,
    }
