"""The day's changes a dispatcher records on a planned week, and the plan they make.

Every morning some passengers are ill, someone attends an extra day or sleeps at another
address, a vehicle breaks down or its driver runs late, a centre opens late. Each is one small
frozen dataclass; :func:`changed_plan` applies a day's list of them to a copy of the week
(``WeekPlan`` is immutable) and returns the plan *as it stands on that day*: only that day's
problems (``changed.day_problem(day, direction)``) are meant to be read from it, since a
vehicle's shift or a centre's hours changed for one day are week-wide fields of the copy.

A change that names an unknown id, a day the passenger does not attend (or already attends),
or a vehicle that does not drive that day raises :class:`~solver.errors.InputError` with one
issue per bad change, each naming the id with a hint (``CHANGE_*`` codes, :data:`CHANGE_CODES`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Final

from solver.domain import (
    CentreHours,
    Day,
    Direction,
    LatLon,
    Passenger,
    TimeWindow,
    Vehicle,
    WeekPlan,
)
from solver.errors import InputError, Issue
from solver.io.times import format_hhmm

CHANGE_CODES: Final[dict[str, str]] = {
    "CHANGE_UNKNOWN_PASSENGER": "A change names a passenger who is not in the plan.",
    "CHANGE_UNKNOWN_VEHICLE": "A change names a vehicle that is not in the plan.",
    "CHANGE_UNKNOWN_CENTRE": "A change names a centre that is not in the plan.",
    "CHANGE_NOT_ATTENDING": (
        "An absence or another address for a passenger who does not travel that day."
    ),
    "CHANGE_ALREADY_ATTENDING": "An extra trip on a day the passenger already travels.",
    "CHANGE_CENTRE_CLOSED": "An extra trip to a centre that is closed that day.",
    "CHANGE_VEHICLE_NOT_DRIVING": "A breakdown or delay of a vehicle that does not drive that day.",
    "CHANGE_TIME": (
        "A delay that leaves a vehicle no shift, or a centre no arrival window, that day."
    ),
    "CHANGE_DAY_NOT_PLANNED": (
        "Changes for a day-direction the week's result has no routes for (not planned yet)."
    ),
    "CHANGE_CONFLICT": "Two changes contradict each other (e.g. an absence and an extra trip).",
    "CHANGE_VEHICLE_NOT_ALLOWED": (
        "A passenger is assigned to a vehicle their allowed or excluded vehicles rule out."
    ),
    "CHANGE_NOT_IN_FORCE": "A change to take back is not in force on the day.",
    "CHANGE_POSITION": "A hand edit puts a passenger before stop 0 (the depot).",
    "CHANGE_LOCK_CANNOT_HOLD": (
        "A hand edit cannot hold: the passenger cannot ride that vehicle (at that time) "
        "within the rules, with everything else in force."
    ),
}
"""Every code a day's bad change may get, with its meaning (the README's table)."""


@dataclass(frozen=True, slots=True)
class Absence:
    """``passenger_id`` does not travel on the day, in ``direction`` (None: both)."""

    passenger_id: str
    direction: Direction | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class ExtraTrip:
    """``passenger_id`` travels on a day they do not usually attend (``direction`` None: both)."""

    passenger_id: str
    direction: Direction | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Address:
    """``passenger_id`` leaves from and returns to ``location`` on the day (both directions)."""

    passenger_id: str
    location: LatLon
    note: str = ""


@dataclass(frozen=True, slots=True)
class Assign:
    """A hand edit: ``passenger_id`` rides ``vehicle_id`` (``direction`` None: both ways).

    With ``pickup_s`` the pickup is held to that time too (within the re-plan's tolerance).
    A lock: every round of the re-plan keeps it, and a re-plan that cannot keep it fails
    naming the passenger (``CHANGE_LOCK_CANNOT_HOLD``) rather than quietly moving them. Two
    assignments swap two passengers; assigning a passenger to their own vehicle and time
    locks them where they are.
    """

    passenger_id: str
    vehicle_id: str
    direction: Direction | None = None
    pickup_s: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class LockRoute:
    """``vehicle_id``'s route stays as it is (``direction`` None: both): a lock on a route.

    The passengers on it keep it, each at their pickup time, and nobody else may board it.
    Every round of the re-plan keeps it; one that cannot fails naming the passenger
    (``CHANGE_LOCK_CANNOT_HOLD``). The route is the one of the version the re-plan starts from.
    """

    vehicle_id: str
    direction: Direction | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class VehicleUnavailable:
    """``vehicle_id`` can serve no stop from ``from_s`` (seconds after midnight) on: a breakdown.

    Its route must be done by then (back at its depot where routes return there); everything
    it would have driven later is re-planned on other vehicles. In the morning, passengers
    aboard at ``from_s`` are fetched by another vehicle at the last stop it left
    (:func:`solver.dispatch.replan.stranded`); in the afternoon the re-plan assumes nobody is
    aboard.
    """

    vehicle_id: str
    from_s: int
    note: str = ""


@dataclass(frozen=True, slots=True)
class VehicleLate:
    """``vehicle_id`` can leave its depot ``minutes`` later than its shift starts."""

    vehicle_id: str
    minutes: int
    note: str = ""


@dataclass(frozen=True, slots=True)
class CentreLate:
    """``centre_id`` opens ``minutes`` late: its morning arrivals start that much later."""

    centre_id: str
    minutes: int
    note: str = ""


DayChange = (
    Absence
    | ExtraTrip
    | Address
    | Assign
    | LockRoute
    | VehicleUnavailable
    | VehicleLate
    | CentreLate
)
"""One change to a day's plan."""


@dataclass(frozen=True, slots=True)
class DayChanges:
    """The changes a dispatcher records for one weekday of a planned week.

    ``withdrawn``: changes in force before that are taken back now (an absence that was a
    mistake, a vehicle repaired). They are no longer applied; the passengers they named are
    re-placed by the re-plan as the passengers of a change are (:meth:`passenger_ids`).
    """

    day: Day
    changes: tuple[DayChange, ...]
    withdrawn: tuple[DayChange, ...] = ()

    def passenger_ids(self, direction: Direction) -> frozenset[str]:
        """Passengers a change, or a change taken back, names on ``direction``."""
        return frozenset(
            change.passenger_id
            for change in (*self.changes, *self.withdrawn)
            if isinstance(change, Absence | ExtraTrip | Address | Assign)
            and _applies(change, direction)
        )

    def locked_routes(self, direction: Direction) -> frozenset[str]:
        """Vehicles whose route on ``direction`` is locked (:class:`LockRoute`)."""
        return frozenset(
            change.vehicle_id
            for change in self.changes
            if isinstance(change, LockRoute) and _applies(change, direction)
        )

    def assignments(self, direction: Direction) -> dict[str, Assign]:
        """The hand edits on ``direction`` by passenger (the last one of a passenger wins)."""
        return {
            change.passenger_id: change
            for change in self.changes
            if isinstance(change, Assign) and _applies(change, direction)
        }


def still_in_force(
    in_force: Sequence[DayChange], taken_back: Sequence[DayChange]
) -> tuple[DayChange, ...]:
    """The changes of ``in_force`` that are not taken back (equal changes are one change)."""
    return tuple(change for change in in_force if change not in taken_back)


def _applies(change: DayChange, direction: Direction) -> bool:
    """Whether ``change`` concerns ``direction`` (changes without one concern both)."""
    chosen = getattr(change, "direction", None)
    return chosen is None or chosen is direction


def _issue(code: str, message: str, hint: str, index: int, the_id: str) -> Issue:
    return Issue(code, message, hint, path=f"changes[{index}]", id=the_id)


def _unknown_passenger(pid: str, index: int) -> Issue:
    return _issue(
        "CHANGE_UNKNOWN_PASSENGER",
        f"Passenger {pid} is not in the plan.",
        "Use a passenger_id of the plan the week was solved for.",
        index,
        pid,
    )


def _not_attending(pid: str, day: Day, index: int) -> Issue:
    return _issue(
        "CHANGE_NOT_ATTENDING",
        f"Passenger {pid} does not travel on {day}.",
        "Record an extra trip first, or choose a day the passenger attends.",
        index,
        pid,
    )


def _unknown_vehicle(vid: str, index: int) -> Issue:
    return _issue(
        "CHANGE_UNKNOWN_VEHICLE",
        f"Vehicle {vid} is not in the plan.",
        "Use a vehicle_id of the plan's fleet.",
        index,
        vid,
    )


def _not_driving(vid: str, day: Day, index: int) -> Issue:
    return _issue(
        "CHANGE_VEHICLE_NOT_DRIVING",
        f"Vehicle {vid} does not drive on {day}.",
        "Choose a vehicle that drives that day.",
        index,
        vid,
    )


def _problems(plan: WeekPlan, changes: DayChanges) -> Iterator[Issue]:
    """Every bad change in ``changes`` against ``plan`` (see :data:`CHANGE_CODES`)."""
    day = changes.day
    passengers = {p.passenger_id: p for p in plan.passengers}
    vehicles = {v.vehicle_id: v for v in plan.vehicles}
    centres = {c.centre_id: c for c in plan.centres}
    extra = {c.passenger_id for c in changes.changes if isinstance(c, ExtraTrip)}
    absent = {c.passenger_id for c in changes.changes if isinstance(c, Absence)}
    disturbed = {
        c.vehicle_id for c in changes.changes if isinstance(c, VehicleUnavailable | VehicleLate)
    }
    for index, change in enumerate(changes.changes):
        if isinstance(change, Assign):
            yield from _assign_problems(change, index, day, passengers, vehicles, extra)
        elif isinstance(change, Absence | ExtraTrip | Address):
            pid = change.passenger_id
            passenger = passengers.get(pid)
            if passenger is None:
                yield _unknown_passenger(pid, index)
                continue
            attends = day in passenger.days
            if isinstance(change, ExtraTrip):
                centre = centres.get(passenger.centre_id)
                if attends:
                    yield _issue(
                        "CHANGE_ALREADY_ATTENDING",
                        f"Passenger {pid} already travels on {day}.",
                        "Drop the extra trip; record another address or an absence instead.",
                        index,
                        pid,
                    )
                elif centre is None or day not in centre.hours:
                    yield _issue(
                        "CHANGE_CENTRE_CLOSED",
                        f"Passenger {pid}'s centre {passenger.centre_id} is closed on {day}.",
                        "An extra trip needs the passenger's centre to be open that day.",
                        index,
                        pid,
                    )
                elif pid in absent:
                    yield _issue(
                        "CHANGE_CONFLICT",
                        f"Passenger {pid} has both an absence and an extra trip on {day}.",
                        "Keep one of the two changes.",
                        index,
                        pid,
                    )
            elif not attends and pid not in extra:
                yield _not_attending(pid, day, index)
        elif isinstance(change, VehicleUnavailable | VehicleLate | LockRoute):
            vid = change.vehicle_id
            vehicle = vehicles.get(vid)
            if vehicle is None:
                yield _unknown_vehicle(vid, index)
            elif day not in vehicle.days:
                yield _not_driving(vid, day, index)
            elif isinstance(change, LockRoute) and vid in disturbed:
                yield _issue(
                    "CHANGE_CONFLICT",
                    f"Vehicle {vid}'s route is locked, but the vehicle is late or out of "
                    f"service on {day}.",
                    "Keep one of the two changes: a late or broken vehicle's route must change.",
                    index,
                    vid,
                )
            elif (
                isinstance(change, VehicleLate)
                and vehicle.shift.start_s + 60 * change.minutes >= vehicle.shift.end_s
            ):
                yield _issue(
                    "CHANGE_TIME",
                    f"Vehicle {vid} would start after its shift ends "
                    f"({format_hhmm(vehicle.shift.end_s)}), {change.minutes} min late.",
                    "Record it as unavailable instead.",
                    index,
                    vid,
                )
        else:
            cid = change.centre_id
            centre = centres.get(cid)
            if centre is None:
                yield _issue(
                    "CHANGE_UNKNOWN_CENTRE",
                    f"Centre {cid} is not in the plan.",
                    "Use a centre_id of the plan.",
                    index,
                    cid,
                )
            elif day not in centre.hours:
                yield _issue(
                    "CHANGE_CENTRE_CLOSED",
                    f"Centre {cid} is closed on {day}.",
                    "Choose a day the centre is open.",
                    index,
                    cid,
                )


def _assign_problems(
    change: Assign,
    index: int,
    day: Day,
    passengers: dict[str, Passenger],
    vehicles: dict[str, Vehicle],
    extra: set[str],
) -> Iterator[Issue]:
    """What is wrong with a hand edit: unknown ids, not travelling, a vehicle not allowed."""
    pid, vid = change.passenger_id, change.vehicle_id
    passenger, vehicle = passengers.get(pid), vehicles.get(vid)
    if passenger is None:
        yield _unknown_passenger(pid, index)
    elif day not in passenger.days and pid not in extra:
        yield _not_attending(pid, day, index)
    if vehicle is None:
        yield _unknown_vehicle(vid, index)
    elif day not in vehicle.days:
        yield _not_driving(vid, day, index)
    elif passenger is not None and not passenger.may_ride(vid):
        yield _issue(
            "CHANGE_VEHICLE_NOT_ALLOWED",
            f"Passenger {pid} may not ride vehicle {vid} (allowed or excluded vehicles).",
            "Choose a vehicle the passenger may ride.",
            index,
            pid,
        )


def check_changes(plan: WeekPlan, changes: DayChanges) -> None:
    """Raise :class:`InputError` listing every bad change in ``changes`` (none: return)."""
    issues = list(_problems(plan, changes))
    if issues:
        raise InputError(issues, "changes")


def changed_plan(plan: WeekPlan, changes: DayChanges, direction: Direction) -> WeekPlan:
    """``plan`` as it stands on ``changes.day`` in ``direction`` once ``changes`` are made.

    Read only ``changed.day_problem(changes.day, direction)`` from it (see the module
    docstring). Raises :class:`InputError` for bad changes (:func:`check_changes`).
    """
    check_changes(plan, changes)
    day = changes.day
    passengers = {p.passenger_id: p for p in plan.passengers}
    vehicles = {v.vehicle_id: v for v in plan.vehicles}
    centres = {c.centre_id: c for c in plan.centres}
    for change in changes.changes:
        if isinstance(change, Absence | ExtraTrip) and _applies(change, direction):
            p = passengers[change.passenger_id]
            days = p.days - {day} if isinstance(change, Absence) else p.days | {day}
            passengers[p.passenger_id] = replace(p, days=frozenset(days))
        elif isinstance(change, Address):
            p = passengers[change.passenger_id]
            exceptions = {**p.home_exceptions, day: change.location}
            passengers[p.passenger_id] = replace(p, home_exceptions=exceptions)
        elif isinstance(change, VehicleUnavailable):
            v = vehicles[change.vehicle_id]
            if change.from_s <= v.shift.start_s:
                vehicles[v.vehicle_id] = replace(v, days=v.days - {day})
            else:
                end_s = min(v.shift.end_s, change.from_s)
                vehicles[v.vehicle_id] = replace(v, shift=TimeWindow(v.shift.start_s, end_s))
        elif isinstance(change, VehicleLate):
            v = vehicles[change.vehicle_id]
            start_s = v.shift.start_s + 60 * change.minutes
            vehicles[v.vehicle_id] = replace(v, shift=TimeWindow(start_s, v.shift.end_s))
        elif isinstance(change, CentreLate):
            c = centres[change.centre_id]
            hours = c.hours[day]
            start_s = hours.arrival.start_s + 60 * change.minutes
            arrival = TimeWindow(start_s, max(start_s, hours.arrival.end_s))
            centres[c.centre_id] = replace(
                c, hours={**c.hours, day: CentreHours(arrival, hours.departure)}
            )
    return plan.replace(
        passengers=tuple(passengers.values()),
        vehicles=tuple(vehicles.values()),
        centres=tuple(centres.values()),
    )


def lateness_s(changes: DayChanges, vehicle_id: str, centre_id: str | None) -> int:
    """Seconds later a trip on ``vehicle_id`` to ``centre_id`` may expect to start.

    The larger of the vehicle's delay and (mornings) its centre's late opening.
    """
    late = [
        60 * c.minutes
        for c in changes.changes
        if (isinstance(c, VehicleLate) and c.vehicle_id == vehicle_id)
        or (isinstance(c, CentreLate) and c.centre_id == centre_id)
    ]
    return max(late, default=0)


def unavailable_from_s(changes: DayChanges) -> dict[str, int]:
    """Vehicle id -> the time it breaks down (the earliest, where one is reported twice)."""
    found: dict[str, int] = {}
    for c in changes.changes:
        if isinstance(c, VehicleUnavailable):
            found[c.vehicle_id] = min(c.from_s, found.get(c.vehicle_id, c.from_s))
    return found


def describe(change: DayChange) -> str:
    """One line for a dispatcher: what the change is (it may name a passenger: not for logs)."""
    if isinstance(change, Absence):
        both = "both ways" if change.direction is None else str(change.direction)
        return f"{change.passenger_id} absent ({both})"
    if isinstance(change, ExtraTrip):
        both = "both ways" if change.direction is None else str(change.direction)
        return f"{change.passenger_id} extra trip ({both})"
    if isinstance(change, Address):
        return f"{change.passenger_id} at another address"
    if isinstance(change, Assign):
        at = "" if change.pickup_s is None else f" at {format_hhmm(change.pickup_s)}"
        return f"{change.passenger_id} on {change.vehicle_id}{at}"
    if isinstance(change, LockRoute):
        return f"{change.vehicle_id}'s route locked"
    if isinstance(change, VehicleUnavailable):
        return f"{change.vehicle_id} unavailable from {format_hhmm(change.from_s)}"
    if isinstance(change, VehicleLate):
        return f"{change.vehicle_id} {change.minutes} min late"
    return f"centre {change.centre_id} opens {change.minutes} min late"


def kinds(changes: Sequence[DayChange]) -> dict[str, int]:
    """How many changes of each kind (safe for logs and metrics: names nobody)."""
    counted: dict[str, int] = {}
    for change in changes:
        name = type(change).__name__
        counted[name] = counted.get(name, 0) + 1
    return counted
