"""Independent checker: re-verify a solved result without OR-Tools.

``check_day`` takes the problem a day-direction was solved from, the result and a travel-time
oracle (the same matrices the model used, or anything answering the ``TravelTimes``
protocol), recomputes times, loads and ride times from them, and returns every violation it
finds. An empty list means the result keeps every rule below. ``check_week`` does the same for
each day-direction a ``WeekResult`` holds (a subset is fine, e.g. one day).

The rules are the ones the OR-Tools model implements. Times are integer seconds after
midnight; every time comparison allows ``tolerance_s`` seconds of rounding slack.

Directions
    ``to_centre``: pickup at the passenger's home that day (``Passenger.home_on(day)``),
    drop-off at their centre's location. ``from_centre``: pickup at the centre, drop-off at
    home.

Coverage
    Every passenger of the problem is either served (picked up once and dropped off once, by
    the same vehicle, the pickup at an earlier stop) or listed once in ``unassigned``; never
    both, never neither. Every passenger id in the result belongs to the problem. Every route's
    vehicle is in the fleet, available that day, and drives at most one route.

Stops
    A stop holds the pickups and drop-offs made at one location: the stop's location must be
    each of its passengers' expected location (within ``LOCATION_TOLERANCE_DEG``), its kind
    must be ``home`` or ``centre`` accordingly, a centre stop's ``centre_id`` (when set) must be
    the passengers' centre, and a home or centre stop must serve somebody. The first stop, and
    the last one when ``settings.return_to_depot``, are passenger-free depot stops at the
    vehicle's depot; no other stop is a depot stop (without ``return_to_depot`` a route ends at
    its last drop-off).

Times
    ``arrival_s`` is service start (waiting before it is allowed). Between consecutive stops
    ``arrival_s[i] >= departure_s[i-1] + duration(location[i-1], location[i])``. The people
    boarding and alighting at one stop (one address) share one boarding time, the longest of
    theirs: ``departure_s >= arrival_s + max(boarding_s of pickups, alighting_s of
    drop-offs)`` (``solver.domain.boarding_s``/``alighting_s`` with ``settings.service``).

Windows
    ``to_centre``: a drop-off stop at a centre starts service inside the centre's ``arrival``
    window that day. ``from_centre``: a pickup stop at a centre starts service inside the
    centre's ``departure`` window. Serving a centre on a day it is closed breaks its window.
    In both directions, and at homes and centres alike, a passenger's pickup starts inside
    [``earliest_pickup_s``, ``latest_pickup_s``] and their drop-off inside
    [``earliest_dropoff_s``, ``latest_dropoff_s``] (unset ends do not bind). Where several
    passengers board or alight at one stop (a group home) in an order the result does not
    record, a passenger's own service may start anywhere from the stop's ``arrival_s`` to its
    ``departure_s`` minus their own boarding (or alighting) time; their window holds if it
    meets that range.
    Vehicle shift: the first stop's departure is no earlier than ``shift.start_s`` and the last
    stop's arrival no later than ``shift.end_s``. Route length: with ``max_route_s`` set, the
    last stop's arrival minus the first stop's departure (the route's duration) is at most
    ``max_route_s``.

Loads
    Seats and wheelchair places are recomputed after each stop (pickups add
    ``num_seats``/``num_wheelchair_places``, drop-offs subtract), must stay within the
    vehicle's ``seats``/``wheelchair_places`` (those of the route's reported ``layout``, which
    must be one of the vehicle's ``layouts`` with ``settings.choose_layouts``, or else its
    current seats and places) and must equal the stop's reported loads. A load
    can only fall below zero when some passenger is dropped off without an earlier pickup on
    that route, which is reported as a coverage or order violation; a reported negative load
    that differs from the recomputed one is a load mismatch.

Vehicle rules
    A passenger rides only a vehicle their ``allowed_vehicles`` list (when set) holds and their
    ``excluded_vehicles`` does not. Aboard after a stop are those picked up at it or earlier
    and not yet dropped off (within a stop drop-offs may come first, so this is exactly who
    must share the vehicle at some moment): a ``ride_alone`` passenger is never aboard with
    another passenger, and the two passengers of an ``incompatible_pairs`` pair are never
    aboard together. With ``route_ranks`` (week templates), a route visits no passenger of a
    lower rank after one of a higher rank (a stop's drop-offs taken before its pickups).

Drivers' breaks
    A route's reported break lasts at least ``settings.driver_break.duration_s``, overlaps no
    other, and lies between one stop's departure and the next stop's arrival, which leave
    time for the drive plus the breaks there. With ``settings.driver_break`` set, no stretch
    of the route (first stop's departure to the first break, between breaks, the last break
    to the last stop's arrival) is longer than its ``max_work_s``.

Centre entrances
    ``to_centre``, at a centre with ``max_wheelchair_dropoffs``: a stop there that sets down
    wheelchair users holds the entrance from its ``arrival_s`` to its ``departure_s``, once
    for each of them; at no moment may more than the limit be held, over all routes.

Week
    ``check_week`` also checks, with ``settings.same_vehicle_both_ways``, that a passenger
    served both ways on a day rides home in the vehicle that brought them.

Ride time
    ``arrival_s`` of the drop-off stop minus ``departure_s`` of the pickup stop, at most
    ``max_ride_limit_s(passenger, direct_s, settings.max_ride)`` where ``direct_s`` is the
    travel time from the pickup location straight to the drop-off location. At a shared stop
    this counts from the last boarding to the first alighting, so it is never stricter than
    the model's per-passenger rule.

Route totals
    ``distance_m`` is the sum of the legs' travel distances (``DISTANCE_TOLERANCE_M_PER_LEG``
    of rounding slack per leg); ``duration_s`` is the last stop's arrival minus the first stop's
    departure.

Unassigned
    Every entry has a known ``UNASSIGNED_*`` reason code and a non-empty hint.

Travel times
    Where the oracle raises ``LookupError`` for a pair of locations (a matrix built for other
    points), that is reported and the rules needing the drive are skipped for it, so that a
    result naming unknown ids or places gives violations, not an exception.

Messages name the vehicle and passenger ids, for planners. This module logs nothing and keeps
no state: the violations are its only output. ``CHECK_CODES`` documents every code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Final, Protocol

from solver.domain import (
    Centre,
    Day,
    DayProblem,
    DayResult,
    Direction,
    LatLon,
    Passenger,
    Reason,
    Route,
    SeatingLayout,
    Stop,
    StopKind,
    Vehicle,
    WeekPlan,
    WeekResult,
    alighting_s,
    boarding_s,
    layouts_of,
    max_ride_limit_s,
)

LOCATION_TOLERANCE_DEG: Final = 1e-6
"""Largest difference in latitude or longitude for two locations to count as the same."""

DISTANCE_TOLERANCE_M_PER_LEG: Final = 5
"""Rounding slack allowed per leg when comparing a route's distance with the oracle's."""

DEFAULT_TOLERANCE_S: Final = 1
"""Default rounding slack in every time comparison."""

# ------------------------------------------------------------------------------------- codes

WRONG_DAY_DIRECTION: Final = "CHECK_WRONG_DAY_DIRECTION"
DAY_DIRECTION_TWICE: Final = "CHECK_DAY_DIRECTION_TWICE"
PASSENGER_MISSING: Final = "CHECK_PASSENGER_MISSING"
PASSENGER_TWICE: Final = "CHECK_PASSENGER_TWICE"
INCOMPLETE_TRIP: Final = "CHECK_INCOMPLETE_TRIP"
UNKNOWN_PASSENGER: Final = "CHECK_UNKNOWN_PASSENGER"
UNKNOWN_VEHICLE: Final = "CHECK_UNKNOWN_VEHICLE"
VEHICLE_NOT_AVAILABLE: Final = "CHECK_VEHICLE_NOT_AVAILABLE"
VEHICLE_TWICE: Final = "CHECK_VEHICLE_TWICE"
DEPOT: Final = "CHECK_DEPOT"
WRONG_LOCATION: Final = "CHECK_WRONG_LOCATION"
STOP_KIND: Final = "CHECK_STOP_KIND"
EMPTY_STOP: Final = "CHECK_EMPTY_STOP"
DROPOFF_BEFORE_PICKUP: Final = "CHECK_DROPOFF_BEFORE_PICKUP"
PICKUP_DROPOFF_DIFFERENT_VEHICLE: Final = "CHECK_PICKUP_DROPOFF_DIFFERENT_VEHICLE"
TRAVEL_TIME: Final = "CHECK_TRAVEL_TIME"
SERVICE_TIME: Final = "CHECK_SERVICE_TIME"
CENTRE_WINDOW: Final = "CHECK_CENTRE_WINDOW"
PASSENGER_WINDOW: Final = "CHECK_PASSENGER_WINDOW"
SHIFT: Final = "CHECK_SHIFT"
ROUTE_TOO_LONG: Final = "CHECK_ROUTE_TOO_LONG"
SEATS: Final = "CHECK_SEATS"
WHEELCHAIR_PLACES: Final = "CHECK_WHEELCHAIR_PLACES"
LOAD_MISMATCH: Final = "CHECK_LOAD_MISMATCH"
MAX_RIDE_TIME: Final = "CHECK_MAX_RIDE_TIME"
ROUTE_DISTANCE: Final = "CHECK_ROUTE_DISTANCE"
ROUTE_DURATION: Final = "CHECK_ROUTE_DURATION"
UNASSIGNED_REASON: Final = "CHECK_UNASSIGNED_REASON"
UNKNOWN_LOCATION: Final = "CHECK_UNKNOWN_LOCATION"
VEHICLE_NOT_ALLOWED: Final = "CHECK_VEHICLE_NOT_ALLOWED"
RIDE_ALONE: Final = "CHECK_RIDE_ALONE"
INCOMPATIBLE_PAIR: Final = "CHECK_INCOMPATIBLE_PAIR"
VEHICLE_CHANGED: Final = "CHECK_VEHICLE_CHANGED"
LAYOUT: Final = "CHECK_LAYOUT"
DRIVER_BREAK: Final = "CHECK_DRIVER_BREAK"
WHEELCHAIR_ENTRANCE: Final = "CHECK_WHEELCHAIR_ENTRANCE"
ROUTE_RANK: Final = "CHECK_ROUTE_RANK"

CHECK_CODES: Final[Mapping[str, str]] = {
    WRONG_DAY_DIRECTION: "The result is for another day or direction than the problem.",
    DAY_DIRECTION_TWICE: "A week result holds the same day-direction more than once.",
    PASSENGER_MISSING: "A passenger of the day-direction is neither served nor unassigned.",
    PASSENGER_TWICE: (
        "A passenger is picked up or dropped off more than once, listed as unassigned more "
        "than once, or both served and unassigned."
    ),
    INCOMPLETE_TRIP: "A passenger is picked up but never dropped off, or the other way round.",
    UNKNOWN_PASSENGER: "The result names a passenger who does not travel that day-direction.",
    UNKNOWN_VEHICLE: "A route's vehicle is not in the fleet.",
    VEHICLE_NOT_AVAILABLE: "A route's vehicle does not drive on that day.",
    VEHICLE_TWICE: "A vehicle drives more than one route in the same day-direction.",
    DEPOT: (
        "A route does not start (or, with return_to_depot, end) with a passenger-free depot "
        "stop at its vehicle's depot, or has a depot stop elsewhere."
    ),
    WRONG_LOCATION: "A pickup or drop-off happens away from the passenger's home or centre.",
    STOP_KIND: (
        "A stop's kind (home/centre) or centre id does not match the pickups and drop-offs "
        "made there."
    ),
    EMPTY_STOP: "A home or centre stop has neither pickups nor drop-offs.",
    DROPOFF_BEFORE_PICKUP: "A passenger's drop-off is not at a later stop than their pickup.",
    PICKUP_DROPOFF_DIFFERENT_VEHICLE: "A passenger is picked up and dropped off by two vehicles.",
    TRAVEL_TIME: "A stop is reached sooner than the travel time from the previous stop allows.",
    SERVICE_TIME: (
        "A vehicle leaves a stop before the longest boarding or alighting there can be done."
    ),
    CENTRE_WINDOW: (
        "A centre is served outside its arrival (to_centre) or departure (from_centre) window, "
        "or on a day it is closed."
    ),
    PASSENGER_WINDOW: (
        "A passenger is picked up outside their earliest to latest pickup, or dropped off "
        "outside their earliest to latest drop-off."
    ),
    SHIFT: "A route starts before or ends after its vehicle's shift.",
    ROUTE_TOO_LONG: (
        "A route lasts longer (first departure to last arrival) than its vehicle's max_route_s."
    ),
    SEATS: "A vehicle carries more seated people than it has seats.",
    WHEELCHAIR_PLACES: "A vehicle carries more wheelchairs than it has wheelchair places.",
    LOAD_MISMATCH: "A stop's reported load differs from the load recomputed from its route.",
    MAX_RIDE_TIME: "A passenger rides longer than their maximum ride time.",
    ROUTE_DISTANCE: "A route's distance differs from the sum of its legs' distances.",
    ROUTE_DURATION: "A route's duration differs from its last arrival minus its first departure.",
    UNASSIGNED_REASON: "An unassigned passenger has no known reason code or an empty hint.",
    UNKNOWN_LOCATION: (
        "The travel-time oracle does not know a location of the result (it raised a "
        "LookupError), so the rules that need that drive are not checked."
    ),
    VEHICLE_NOT_ALLOWED: (
        "A passenger rides a vehicle outside their allowed_vehicles or in their excluded_vehicles."
    ),
    RIDE_ALONE: "A passenger who must ride alone is aboard with another passenger.",
    INCOMPATIBLE_PAIR: "Two passengers who must not ride together are aboard at the same time.",
    VEHICLE_CHANGED: (
        "With same_vehicle_both_ways, a passenger rides home in another vehicle than the one "
        "that brought them that morning."
    ),
    LAYOUT: (
        "A route reports a seating layout its vehicle does not have (with choose_layouts off, "
        "any other than its seats and wheelchair places)."
    ),
    DRIVER_BREAK: (
        "A route works longer than settings.driver_break allows without a break, or a reported "
        "break is too short, overlaps another, or leaves no time to drive between its stops."
    ),
    WHEELCHAIR_ENTRANCE: (
        "More wheelchair users are being set down at a centre at one time than its "
        "max_wheelchair_dropoffs allows."
    ),
    ROUTE_RANK: (
        "A route visits a passenger of a lower route rank after one of a higher rank (week "
        "templates only)."
    ),
}
"""Every violation code with a one-line description (for the README)."""

_REASON_CODES: Final = frozenset(reason.value for reason in Reason)


@dataclass(frozen=True, slots=True)
class EntrancePeak:
    """The most wheelchair users set down at once at a centre: how many, from when, by whom."""

    holding: int
    at_s: int
    vehicle_id: str


def entrance_peaks(
    routes: Iterable[Route],
    centres: Iterable[Centre],
    passengers: Iterable[Passenger],
    tolerance_s: int = 0,
) -> dict[str, EntrancePeak]:
    """Per centre with ``max_wheelchair_dropoffs``, its busiest moment on these morning routes.

    A stop there that sets down wheelchair users holds the entrance from its ``arrival_s`` to
    its ``departure_s`` (less ``tolerance_s``), once for each of them; spans that only touch do
    not overlap. Centres where nobody in a wheelchair is set down are left out.
    """
    limited = {c.centre_id for c in centres if c.max_wheelchair_dropoffs is not None}
    wheelchair = {p.passenger_id for p in passengers if p.needs_wheelchair_place}
    events: dict[str, list[tuple[int, int, int, str]]] = {}  # (time, order, change, vehicle)
    for route in routes:
        for stop in route.stops:
            if stop.centre_id not in limited:
                continue
            count = sum(1 for pid in stop.dropoffs if pid in wheelchair)
            if count:
                at_centre = events.setdefault(stop.centre_id or "", [])
                at_centre.append((stop.arrival_s, 1, count, route.vehicle_id))
                at_centre.append((stop.departure_s - tolerance_s, 0, -count, route.vehicle_id))
    peaks: dict[str, EntrancePeak] = {}
    for centre_id, changes in events.items():
        holding = 0
        for at_s, _, change, vehicle_id in sorted(changes):  # ends before starts at one time
            holding += change
            if centre_id not in peaks or holding > peaks[centre_id].holding:
                peaks[centre_id] = EntrancePeak(holding, at_s, vehicle_id)
    return peaks


class TravelTimes(Protocol):
    """A travel-time oracle between two locations: seconds and metres along the roads."""

    def duration_s(self, a: LatLon, b: LatLon) -> int:
        """Seconds to drive from ``a`` to ``b``."""
        ...

    def distance_m(self, a: LatLon, b: LatLon) -> int:
        """Metres driven from ``a`` to ``b``."""
        ...


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule in a result.

    ``code``: a key of ``CHECK_CODES``. ``vehicle_id``/``passenger_id``: the offender, where
    there is one. ``message``: one sentence naming the ids, for planners.
    """

    code: str
    day: Day
    direction: Direction
    vehicle_id: str | None
    passenger_id: str | None
    message: str


def check_day(
    problem: DayProblem,
    result: DayResult,
    travel: TravelTimes,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> list[Violation]:
    """Every violation of the rules (see the module docstring) in one day-direction's result.

    ``travel`` should answer for every location in ``problem`` and ``result``; where it raises
    ``LookupError`` that is reported as ``CHECK_UNKNOWN_LOCATION``. ``tolerance_s``: seconds of
    rounding slack allowed in every time comparison. Returns an empty list for a valid result.
    """
    checker = _DayChecker(problem, travel, tolerance_s, fleet=problem.vehicles)
    return checker.check(result)


def check_week(
    plan: WeekPlan,
    result: WeekResult,
    travel: TravelTimes,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> list[Violation]:
    """Every violation in each day-direction ``result`` holds, checked against ``plan``.

    Each day-direction is checked against ``plan.day_problem(day, direction)``; the result may
    hold any subset of the week's day-directions, but each at most once. A route's vehicle that
    is in the plan's fleet but does not drive that day is reported as not available rather
    than unknown.
    """
    violations: list[Violation] = []
    seen: set[tuple[Day, Direction]] = set()
    for day_result in result.plans:
        key = (day_result.day, day_result.direction)
        if key in seen:
            violations.append(
                Violation(
                    DAY_DIRECTION_TWICE,
                    day_result.day,
                    day_result.direction,
                    None,
                    None,
                    f"Week result {result.name} holds {day_result.day} "
                    f"{day_result.direction} more than once.",
                )
            )
        seen.add(key)
        problem = plan.day_problem(day_result.day, day_result.direction)
        checker = _DayChecker(problem, travel, tolerance_s, fleet=plan.vehicles)
        violations.extend(checker.check(day_result))
    if plan.settings.same_vehicle_both_ways:
        violations.extend(_check_same_vehicle_both_ways(result))
    return violations


def _vehicles_by_passenger(day_result: DayResult) -> dict[str, str]:
    return {
        passenger_id: route.vehicle_id
        for route in day_result.routes
        for stop in route.stops
        for passenger_id in stop.pickups
    }


def _check_same_vehicle_both_ways(result: WeekResult) -> list[Violation]:
    """Each passenger served both ways on a day rides home in the morning's vehicle."""
    violations: list[Violation] = []
    mornings = {
        r.day: _vehicles_by_passenger(r) for r in result.plans if r.direction == Direction.TO_CENTRE
    }
    for day_result in result.plans:
        if day_result.direction != Direction.FROM_CENTRE or day_result.day not in mornings:
            continue
        morning = mornings[day_result.day]
        for passenger_id, vehicle_id in _vehicles_by_passenger(day_result).items():
            came_in = morning.get(passenger_id)
            if came_in is not None and came_in != vehicle_id:
                violations.append(
                    Violation(
                        VEHICLE_CHANGED,
                        day_result.day,
                        day_result.direction,
                        vehicle_id,
                        passenger_id,
                        f"Passenger {passenger_id} rides home in vehicle {vehicle_id} on "
                        f"{day_result.day} but came in vehicle {came_in}.",
                    )
                )
    return violations


# ---------------------------------------------------------------------------------- helpers


def _clock(t_s: int) -> str:
    """``t_s`` seconds after midnight as HH:MM:SS (for messages)."""
    sign = "-" if t_s < 0 else ""
    t_s = abs(t_s)
    return f"{sign}{t_s // 3600:02d}:{t_s % 3600 // 60:02d}:{t_s % 60:02d}"


def _same_place(a: LatLon, b: LatLon) -> bool:
    """Whether two locations are the same within ``LOCATION_TOLERANCE_DEG``."""
    return (
        abs(a.lat - b.lat) <= LOCATION_TOLERANCE_DEG
        and abs(a.lon - b.lon) <= LOCATION_TOLERANCE_DEG
    )


@dataclass(frozen=True, slots=True)
class _StopRef:
    """Where something happens in a result: route index and stop index."""

    route_index: int
    stop_index: int


@dataclass(frozen=True, slots=True)
class _Leg:
    """The drive between two consecutive stops."""

    duration_s: int
    distance_m: int


@dataclass(slots=True)
class _Visits:
    """Where one passenger id is picked up, dropped off, and listed as unassigned."""

    pickups: list[_StopRef] = field(default_factory=list)
    dropoffs: list[_StopRef] = field(default_factory=list)
    num_unassigned: int = 0


class _DayChecker:
    """Checks one day-direction's result against its problem; one method per rule group.

    ``fleet``: every vehicle the result may name (a vehicle in it but not in
    ``problem.vehicles`` is not available that day).
    """

    def __init__(
        self,
        problem: DayProblem,
        travel: TravelTimes,
        tolerance_s: int,
        fleet: Iterable[Vehicle],
    ) -> None:
        self._problem = problem
        self._day = problem.day
        self._direction = problem.direction
        # Compared with == so that a plain "to_centre" string works as well as the enum.
        self._to_centre = problem.direction == Direction.TO_CENTRE
        self._travel = travel
        self._tolerance_s = tolerance_s
        self._passengers = {p.passenger_id: p for p in problem.passengers}
        self._centres = {c.centre_id: c for c in problem.centres}
        self._fleet = {v.vehicle_id: v for v in fleet}
        self._available = {v.vehicle_id for v in problem.vehicles if problem.day in v.days}
        self._violations: list[Violation] = []

    # ------------------------------------------------------------------------ entry point

    def check(self, result: DayResult) -> list[Violation]:
        """Run every rule on ``result`` and return the violations in a stable order."""
        self._violations = []
        self._check_day_direction(result)
        self._check_vehicles(result.routes)
        self._check_coverage(result)
        for route in result.routes:
            self._check_route(route)
        self._check_entrances(result)
        self._check_unassigned_reasons(result)
        return self._violations

    def _add(
        self,
        code: str,
        message: str,
        vehicle_id: str | None = None,
        passenger_id: str | None = None,
    ) -> None:
        self._violations.append(
            Violation(code, self._day, self._direction, vehicle_id, passenger_id, message)
        )

    # -------------------------------------------------------------------- expected places

    def _centre_of(self, passenger: Passenger) -> Centre | None:
        # A passenger whose centre is not in the problem is an input error for validate;
        # the checker then has no expected location to compare with.
        return self._centres.get(passenger.centre_id)

    def _pickup_location(self, passenger: Passenger) -> LatLon | None:
        if self._to_centre:
            return passenger.home_on(self._day)
        centre = self._centre_of(passenger)
        return None if centre is None else centre.location

    def _dropoff_location(self, passenger: Passenger) -> LatLon | None:
        if not self._to_centre:
            return passenger.home_on(self._day)
        centre = self._centre_of(passenger)
        return None if centre is None else centre.location

    @property
    def _pickup_kind(self) -> StopKind:
        return StopKind.HOME if self._to_centre else StopKind.CENTRE

    @property
    def _dropoff_kind(self) -> StopKind:
        return StopKind.CENTRE if self._to_centre else StopKind.HOME

    # --------------------------------------------------------------------- result header

    def _check_day_direction(self, result: DayResult) -> None:
        if result.day != self._day or result.direction != self._direction:
            self._add(
                WRONG_DAY_DIRECTION,
                f"The result is for {result.day} {result.direction} but the problem is for "
                f"{self._day} {self._direction}.",
            )

    def _check_vehicles(self, routes: Iterable[Route]) -> None:
        seen: set[str] = set()
        for route in routes:
            vehicle_id = route.vehicle_id
            if vehicle_id in seen:
                self._add(
                    VEHICLE_TWICE,
                    f"Vehicle {vehicle_id} drives more than one route.",
                    vehicle_id=vehicle_id,
                )
            seen.add(vehicle_id)
            if vehicle_id not in self._fleet:
                self._add(
                    UNKNOWN_VEHICLE,
                    f"Vehicle {vehicle_id} is not in the fleet.",
                    vehicle_id=vehicle_id,
                )
            elif vehicle_id not in self._available:
                self._add(
                    VEHICLE_NOT_AVAILABLE,
                    f"Vehicle {vehicle_id} does not drive on {self._day}.",
                    vehicle_id=vehicle_id,
                )

    # -------------------------------------------------------------------------- coverage

    def _collect_visits(self, result: DayResult) -> dict[str, _Visits]:
        visits: dict[str, _Visits] = {p.passenger_id: _Visits() for p in self._problem.passengers}
        for route_index, route in enumerate(result.routes):
            for stop_index, stop in enumerate(route.stops):
                ref = _StopRef(route_index, stop_index)
                for passenger_id in stop.pickups:
                    visits.setdefault(passenger_id, _Visits()).pickups.append(ref)
                for passenger_id in stop.dropoffs:
                    visits.setdefault(passenger_id, _Visits()).dropoffs.append(ref)
        for entry in result.unassigned:
            visits.setdefault(entry.passenger_id, _Visits()).num_unassigned += 1
        return visits

    def _check_coverage(self, result: DayResult) -> None:
        for passenger_id, visit in self._collect_visits(result).items():
            passenger = self._passengers.get(passenger_id)
            if passenger is None:
                self._add(
                    UNKNOWN_PASSENGER,
                    f"Passenger {passenger_id} does not travel on {self._day} {self._direction}.",
                    passenger_id=passenger_id,
                )
                continue
            num_pickups, num_dropoffs = len(visit.pickups), len(visit.dropoffs)
            is_served = num_pickups > 0 or num_dropoffs > 0
            if not is_served and visit.num_unassigned == 0:
                self._add(
                    PASSENGER_MISSING,
                    f"Passenger {passenger_id} is neither served nor listed as unassigned.",
                    passenger_id=passenger_id,
                )
            elif (
                num_pickups > 1
                or num_dropoffs > 1
                or visit.num_unassigned > 1
                or (is_served and visit.num_unassigned > 0)
            ):
                self._add(
                    PASSENGER_TWICE,
                    f"Passenger {passenger_id} is picked up {num_pickups}, dropped off "
                    f"{num_dropoffs} and listed as unassigned {visit.num_unassigned} times.",
                    passenger_id=passenger_id,
                )
            elif num_pickups != num_dropoffs:
                missing = "dropped off" if num_dropoffs == 0 else "picked up"
                self._add(
                    INCOMPLETE_TRIP,
                    f"Passenger {passenger_id} is never {missing}.",
                    passenger_id=passenger_id,
                )
            elif is_served:
                self._check_trip(passenger, result, visit.pickups[0], visit.dropoffs[0])

    def _check_trip(
        self, passenger: Passenger, result: DayResult, pickup: _StopRef, dropoff: _StopRef
    ) -> None:
        """Order and ride time of one passenger picked up once and dropped off once."""
        passenger_id = passenger.passenger_id
        pickup_route = result.routes[pickup.route_index]
        dropoff_route = result.routes[dropoff.route_index]
        if pickup.route_index != dropoff.route_index:
            self._add(
                PICKUP_DROPOFF_DIFFERENT_VEHICLE,
                f"Passenger {passenger_id} is picked up by vehicle {pickup_route.vehicle_id} "
                f"but dropped off by vehicle {dropoff_route.vehicle_id}.",
                vehicle_id=pickup_route.vehicle_id,
                passenger_id=passenger_id,
            )
            return
        if dropoff.stop_index <= pickup.stop_index:
            self._add(
                DROPOFF_BEFORE_PICKUP,
                f"Passenger {passenger_id} is dropped off at stop {dropoff.stop_index} of "
                f"vehicle {pickup_route.vehicle_id}, not after their pickup at stop "
                f"{pickup.stop_index}.",
                vehicle_id=pickup_route.vehicle_id,
                passenger_id=passenger_id,
            )
            return
        self._check_ride_time(
            passenger,
            pickup_route.vehicle_id,
            pickup_route.stops[pickup.stop_index],
            pickup_route.stops[dropoff.stop_index],
        )

    def _check_ride_time(
        self, passenger: Passenger, vehicle_id: str, pickup: Stop, dropoff: Stop
    ) -> None:
        start = self._pickup_location(passenger)
        end = self._dropoff_location(passenger)
        if start is None or end is None:
            return
        try:
            direct_s = self._travel.duration_s(start, end)
        except LookupError:
            self._add(
                UNKNOWN_LOCATION,
                f"The travel times do not cover the direct trip of passenger "
                f"{passenger.passenger_id}, so their maximum ride time is unknown.",
                vehicle_id,
                passenger.passenger_id,
            )
            return
        limit_s = max_ride_limit_s(passenger, direct_s, self._problem.settings.max_ride)
        ride_s = dropoff.arrival_s - pickup.departure_s
        if ride_s > limit_s + self._tolerance_s:
            self._add(
                MAX_RIDE_TIME,
                f"Passenger {passenger.passenger_id} rides {ride_s} s in vehicle {vehicle_id}, "
                f"more than their maximum of {limit_s} s.",
                vehicle_id=vehicle_id,
                passenger_id=passenger.passenger_id,
            )

    def _check_unassigned_reasons(self, result: DayResult) -> None:
        for entry in result.unassigned:
            if str(entry.reason) not in _REASON_CODES or not entry.hint.strip():
                self._add(
                    UNASSIGNED_REASON,
                    f"Unassigned passenger {entry.passenger_id} lacks a known reason code or "
                    f"a hint.",
                    passenger_id=entry.passenger_id,
                )

    # ---------------------------------------------------------------------------- routes

    def _check_route(self, route: Route) -> None:
        vehicle = self._fleet.get(route.vehicle_id)
        if not route.stops:
            self._add(DEPOT, f"Route of vehicle {route.vehicle_id} has no stops.", route.vehicle_id)
            return
        self._check_depot_stops(route, vehicle)
        for index, stop in enumerate(route.stops):
            self._check_stop_places(route.vehicle_id, index, stop)
        legs = self._legs(route)
        self._check_travel_times(route, legs)
        self._check_service_times(route)
        self._check_windows(route)
        if vehicle is not None:
            self._check_shift(route, vehicle)
            self._check_route_length(route, vehicle)
        self._check_loads(route, vehicle)
        if vehicle is not None:
            self._check_allowed_vehicle(route)
        self._check_sharing(route)
        self._check_route_ranks(route)
        self._check_breaks(route, legs)
        self._check_totals(route, legs)

    def _legs(self, route: Route) -> list[_Leg | None]:
        """Travel time and distance from each stop to the next (``None``: unknown location)."""
        legs: list[_Leg | None] = []
        for index in range(1, len(route.stops)):
            start, end = route.stops[index - 1].location, route.stops[index].location
            try:
                legs.append(
                    _Leg(self._travel.duration_s(start, end), self._travel.distance_m(start, end))
                )
            except LookupError:
                legs.append(None)
                self._add(
                    UNKNOWN_LOCATION,
                    f"The travel times do not cover the drive from stop {index - 1} to stop "
                    f"{index} of vehicle {route.vehicle_id}.",
                    route.vehicle_id,
                )
        return legs

    def _check_depot_stops(self, route: Route, vehicle: Vehicle | None) -> None:
        vehicle_id = route.vehicle_id
        stops = route.stops
        last = len(stops) - 1
        must_return = self._problem.settings.return_to_depot
        depot_indices = {0, last} if must_return else {0}
        if must_return and (last == 0 or stops[last].kind != StopKind.DEPOT):
            self._add(
                DEPOT, f"Route of vehicle {vehicle_id} does not end at its depot.", vehicle_id
            )
        if stops[0].kind != StopKind.DEPOT:
            self._add(
                DEPOT, f"Route of vehicle {vehicle_id} does not start at its depot.", vehicle_id
            )
        for index, stop in enumerate(stops):
            if stop.kind != StopKind.DEPOT:
                continue
            if index not in depot_indices:
                self._add(
                    DEPOT,
                    f"Route of vehicle {vehicle_id} has a depot stop at stop {index}, where "
                    f"only a pickup or drop-off may be.",
                    vehicle_id,
                )
            if stop.pickups or stop.dropoffs:
                self._add(
                    DEPOT,
                    f"Depot stop {index} of vehicle {vehicle_id} picks up or drops off passengers.",
                    vehicle_id,
                )
            if vehicle is not None and not _same_place(stop.location, vehicle.depot):
                self._add(
                    DEPOT,
                    f"Depot stop {index} of vehicle {vehicle_id} is not at the vehicle's depot.",
                    vehicle_id,
                )

    def _check_stop_places(self, vehicle_id: str, index: int, stop: Stop) -> None:
        """Location, kind and centre id of a stop against the passengers served there."""
        if stop.kind != StopKind.DEPOT and not stop.pickups and not stop.dropoffs:
            self._add(
                EMPTY_STOP,
                f"Stop {index} of vehicle {vehicle_id} neither picks up nor drops off anyone.",
                vehicle_id,
            )
            return
        expected_kinds: set[StopKind] = set()
        centre_ids: set[str] = set()
        actions = [(pid, True) for pid in stop.pickups] + [(pid, False) for pid in stop.dropoffs]
        for passenger_id, is_pickup in actions:
            passenger = self._passengers.get(passenger_id)
            if passenger is None:
                continue
            expected = (
                self._pickup_location(passenger) if is_pickup else self._dropoff_location(passenger)
            )
            kind = self._pickup_kind if is_pickup else self._dropoff_kind
            expected_kinds.add(kind)
            if kind is StopKind.CENTRE:
                centre_ids.add(passenger.centre_id)
            if expected is not None and not _same_place(stop.location, expected):
                action = "picked up" if is_pickup else "dropped off"
                place = "home" if kind is StopKind.HOME else f"centre {passenger.centre_id}"
                self._add(
                    WRONG_LOCATION,
                    f"Passenger {passenger_id} is {action} by vehicle {vehicle_id} at stop "
                    f"{index}, which is not at their {place}.",
                    vehicle_id,
                    passenger_id,
                )
        if stop.kind == StopKind.DEPOT:
            return  # passengers at a depot stop are reported by _check_depot_stops
        if expected_kinds - {stop.kind}:
            wanted = " and ".join(sorted(expected_kinds))
            self._add(
                STOP_KIND,
                f"Stop {index} of vehicle {vehicle_id} is a {stop.kind} stop but serves "
                f"passengers at a {wanted}.",
                vehicle_id,
            )
        elif stop.centre_id is not None and centre_ids - {stop.centre_id}:
            self._add(
                STOP_KIND,
                f"Stop {index} of vehicle {vehicle_id} names centre {stop.centre_id} but serves "
                f"passengers of centre {', '.join(sorted(centre_ids))}.",
                vehicle_id,
            )

    def _check_travel_times(self, route: Route, legs: list[_Leg | None]) -> None:
        for index, leg in enumerate(legs, start=1):
            if leg is None:
                continue
            previous, stop = route.stops[index - 1], route.stops[index]
            earliest_s = previous.departure_s + leg.duration_s
            if stop.arrival_s < earliest_s - self._tolerance_s:
                self._add(
                    TRAVEL_TIME,
                    f"Vehicle {route.vehicle_id} reaches stop {index} at "
                    f"{_clock(stop.arrival_s)}, before {_clock(earliest_s)} when the drive "
                    f"from stop {index - 1} allows.",
                    route.vehicle_id,
                )

    def _service_s(self, stop: Stop) -> int:
        """Seconds needed at ``stop``: the longest boarding or alighting there (one shared)."""
        service = self._problem.settings.service
        longest_s = 0
        for passenger_id in stop.pickups:
            passenger = self._passengers.get(passenger_id)
            if passenger is not None:
                longest_s = max(longest_s, boarding_s(passenger, service))
        for passenger_id in stop.dropoffs:
            passenger = self._passengers.get(passenger_id)
            if passenger is not None:
                longest_s = max(longest_s, alighting_s(passenger, service))
        return longest_s

    def _check_service_times(self, route: Route) -> None:
        for index, stop in enumerate(route.stops):
            earliest_s = stop.arrival_s + self._service_s(stop)
            if stop.departure_s < earliest_s - self._tolerance_s:
                self._add(
                    SERVICE_TIME,
                    f"Vehicle {route.vehicle_id} leaves stop {index} at "
                    f"{_clock(stop.departure_s)}, before boarding and alighting end at "
                    f"{_clock(earliest_s)}.",
                    route.vehicle_id,
                )

    def _check_windows(self, route: Route) -> None:
        to_centre = self._to_centre
        for index, stop in enumerate(route.stops):
            # to_centre: centres are where passengers are dropped off, homes where picked up.
            centre_ids = stop.dropoffs if to_centre else stop.pickups
            served_centres: dict[str, None] = {}  # ordered set
            for passenger_id in centre_ids:
                passenger = self._passengers.get(passenger_id)
                if passenger is not None:
                    served_centres[passenger.centre_id] = None
            for centre_id in served_centres:
                self._check_centre_window(route.vehicle_id, index, stop, centre_id)
            for passenger_id in stop.pickups:
                passenger = self._passengers.get(passenger_id)
                if passenger is not None:
                    self._check_passenger_window(route.vehicle_id, stop, passenger, True)
            for passenger_id in stop.dropoffs:
                passenger = self._passengers.get(passenger_id)
                if passenger is not None:
                    self._check_passenger_window(route.vehicle_id, stop, passenger, False)

    def _check_centre_window(self, vehicle_id: str, index: int, stop: Stop, centre_id: str) -> None:
        centre = self._centres.get(centre_id)
        if centre is None:
            return
        hours = centre.hours.get(self._day)
        if hours is None:
            self._add(
                CENTRE_WINDOW,
                f"Vehicle {vehicle_id} serves centre {centre_id} at stop {index} on "
                f"{self._day}, when the centre is closed.",
                vehicle_id,
            )
            return
        window = hours.arrival if self._to_centre else hours.departure
        tolerance_s = self._tolerance_s
        if not window.start_s - tolerance_s <= stop.arrival_s <= window.end_s + tolerance_s:
            self._add(
                CENTRE_WINDOW,
                f"Vehicle {vehicle_id} serves centre {centre_id} at stop {index} at "
                f"{_clock(stop.arrival_s)}, outside its window {_clock(window.start_s)}-"
                f"{_clock(window.end_s)}.",
                vehicle_id,
            )

    def _check_passenger_window(
        self, vehicle_id: str, stop: Stop, passenger: Passenger, is_pickup: bool
    ) -> None:
        """A passenger's own pickup (or drop-off) window at one stop.

        Several passengers may board or alight at one stop, one after the other, in an order
        the result does not record. A passenger's own service can start as early as the
        stop's ``arrival_s`` and as late as ``departure_s`` minus their own service time; the
        window holds if some start in that range meets it.
        """
        passenger_id = passenger.passenger_id
        service = self._problem.settings.service
        if is_pickup:
            earliest_s, latest_s = passenger.earliest_pickup_s, passenger.latest_pickup_s
            own_s = boarding_s(passenger, service)
            action, what = "picked up", "pickup"
        else:
            earliest_s, latest_s = passenger.earliest_dropoff_s, passenger.latest_dropoff_s
            own_s = alighting_s(passenger, service)
            action, what = "dropped off", "drop-off"
        first_start_s = stop.arrival_s
        last_start_s = max(stop.arrival_s, stop.departure_s - own_s)
        if earliest_s is not None and last_start_s < earliest_s - self._tolerance_s:
            self._add(
                PASSENGER_WINDOW,
                f"Passenger {passenger_id} is {action} by vehicle {vehicle_id} at "
                f"{_clock(last_start_s)}, before their earliest {what} {_clock(earliest_s)}.",
                vehicle_id,
                passenger_id,
            )
        if latest_s is not None and first_start_s > latest_s + self._tolerance_s:
            self._add(
                PASSENGER_WINDOW,
                f"Passenger {passenger_id} is {action} by vehicle {vehicle_id} at "
                f"{_clock(first_start_s)}, after their latest {what} {_clock(latest_s)}.",
                vehicle_id,
                passenger_id,
            )

    def _check_shift(self, route: Route, vehicle: Vehicle) -> None:
        start_s = route.stops[0].departure_s
        end_s = route.stops[-1].arrival_s
        shift = vehicle.shift
        if start_s < shift.start_s - self._tolerance_s:
            self._add(
                SHIFT,
                f"Vehicle {vehicle.vehicle_id} starts at {_clock(start_s)}, before its shift "
                f"starts at {_clock(shift.start_s)}.",
                vehicle.vehicle_id,
            )
        if end_s > shift.end_s + self._tolerance_s:
            self._add(
                SHIFT,
                f"Vehicle {vehicle.vehicle_id} ends at {_clock(end_s)}, after its shift ends "
                f"at {_clock(shift.end_s)}.",
                vehicle.vehicle_id,
            )

    def _check_route_length(self, route: Route, vehicle: Vehicle) -> None:
        limit_s = vehicle.max_route_s
        if limit_s is None:
            return
        duration_s = route.stops[-1].arrival_s - route.stops[0].departure_s
        if duration_s > limit_s + self._tolerance_s:
            self._add(
                ROUTE_TOO_LONG,
                f"Route of vehicle {vehicle.vehicle_id} lasts {duration_s} s, more than its "
                f"longest route of {limit_s} s.",
                vehicle.vehicle_id,
            )

    def _check_loads(self, route: Route, vehicle: Vehicle | None) -> None:
        vehicle_id = route.vehicle_id
        seats = wheelchairs = 0
        peak_seats = peak_wheelchairs = 0
        peak_seats_index = peak_wheelchairs_index = 0
        wheelchair_passenger_ids: list[str] = []
        for index, stop in enumerate(route.stops):
            for passenger_id in stop.pickups:
                passenger = self._passengers.get(passenger_id)
                if passenger is not None:
                    seats += passenger.num_seats
                    wheelchairs += passenger.num_wheelchair_places
                    if passenger.needs_wheelchair_place:
                        wheelchair_passenger_ids.append(passenger_id)
            for passenger_id in stop.dropoffs:
                passenger = self._passengers.get(passenger_id)
                if passenger is not None:
                    seats -= passenger.num_seats
                    wheelchairs -= passenger.num_wheelchair_places
            if (stop.load_seats, stop.load_wheelchair_places) != (seats, wheelchairs):
                self._add(
                    LOAD_MISMATCH,
                    f"Stop {index} of vehicle {vehicle_id} reports a load of {stop.load_seats} "
                    f"seats and {stop.load_wheelchair_places} wheelchair places, but the pickups "
                    f"and drop-offs so far give {seats} and {wheelchairs}.",
                    vehicle_id,
                )
            if seats > peak_seats:
                peak_seats, peak_seats_index = seats, index
            if wheelchairs > peak_wheelchairs:
                peak_wheelchairs, peak_wheelchairs_index = wheelchairs, index
        if vehicle is None:
            return
        vehicle = self._as_laid_out(route, vehicle)
        if peak_seats > vehicle.seats:
            self._add(
                SEATS,
                f"Vehicle {vehicle_id} carries {peak_seats} seated people after stop "
                f"{peak_seats_index}, more than the {vehicle.seats} seats it has.",
                vehicle_id,
            )
        if vehicle.wheelchair_places == 0:
            # Name each wheelchair passenger: the fix is to move them, not to count places.
            for passenger_id in wheelchair_passenger_ids:
                self._add(
                    WHEELCHAIR_PLACES,
                    f"Passenger {passenger_id} rides in a wheelchair in vehicle {vehicle_id}, "
                    f"which has no wheelchair place.",
                    vehicle_id,
                    passenger_id,
                )
        elif peak_wheelchairs > vehicle.wheelchair_places:
            self._add(
                WHEELCHAIR_PLACES,
                f"Vehicle {vehicle_id} carries {peak_wheelchairs} wheelchairs after stop "
                f"{peak_wheelchairs_index}, more than the {vehicle.wheelchair_places} "
                f"wheelchair places it has.",
                vehicle_id,
            )

    def _as_laid_out(self, route: Route, vehicle: Vehicle) -> Vehicle:
        """``vehicle`` with the route's reported layout, if that is one it may be driven with.

        With ``settings.choose_layouts`` those are its ``layouts``; otherwise only its current
        seats and wheelchair places. A layout it may not have is reported, and the loads are
        then checked against the current seats and places.
        """
        layout = route.layout
        if layout is None:
            return vehicle
        current = SeatingLayout(vehicle.seats, vehicle.wheelchair_places)
        allowed = layouts_of(vehicle) if self._problem.settings.choose_layouts else (current,)
        if layout not in allowed:
            listed = ", ".join(f"{a.seats}+{a.wheelchair_places}" for a in allowed)
            self._add(
                LAYOUT,
                f"Route of vehicle {vehicle.vehicle_id} reports the layout {layout.seats} seats "
                f"+ {layout.wheelchair_places} wheelchair places, not one it may use ({listed}).",
                vehicle.vehicle_id,
            )
            return vehicle
        return replace(vehicle, seats=layout.seats, wheelchair_places=layout.wheelchair_places)

    def _check_allowed_vehicle(self, route: Route) -> None:
        vehicle_id = route.vehicle_id
        for stop in route.stops:
            for passenger_id in stop.pickups:
                passenger = self._passengers.get(passenger_id)
                if passenger is not None and not passenger.may_ride(vehicle_id):
                    self._add(
                        VEHICLE_NOT_ALLOWED,
                        f"Passenger {passenger_id} rides vehicle {vehicle_id}, which their "
                        "allowed_vehicles or excluded_vehicles rule out.",
                        vehicle_id,
                        passenger_id,
                    )

    def _check_sharing(self, route: Route) -> None:
        """Ride-alone passengers and incompatible pairs, on who is aboard after each stop."""
        vehicle_id = route.vehicle_id
        pairs = {(min(a, b), max(a, b)) for a, b in self._problem.incompatible_pairs if a != b}
        aboard: dict[str, None] = {}  # ordered set
        reported_alone: set[str] = set()
        reported_pairs: set[tuple[str, str]] = set()
        for index, stop in enumerate(route.stops):
            for passenger_id in stop.dropoffs:
                aboard.pop(passenger_id, None)
            for passenger_id in stop.pickups:
                aboard[passenger_id] = None
            if len(aboard) < 2:
                continue
            for passenger_id in aboard:
                passenger = self._passengers.get(passenger_id)
                if passenger is None or not passenger.ride_alone:
                    continue
                if passenger_id not in reported_alone:
                    reported_alone.add(passenger_id)
                    others = ", ".join(p for p in aboard if p != passenger_id)
                    self._add(
                        RIDE_ALONE,
                        f"Passenger {passenger_id} must ride alone but is aboard vehicle "
                        f"{vehicle_id} with {others} after stop {index}.",
                        vehicle_id,
                        passenger_id,
                    )
            for first, second in sorted(pairs):
                if first in aboard and second in aboard and (first, second) not in reported_pairs:
                    reported_pairs.add((first, second))
                    self._add(
                        INCOMPATIBLE_PAIR,
                        f"Passengers {first} and {second} must not ride together but are both "
                        f"aboard vehicle {vehicle_id} after stop {index}.",
                        vehicle_id,
                        first,
                    )

    def _check_route_ranks(self, route: Route) -> None:
        """No visit of a lower ``route_ranks`` rank after one of a higher rank."""
        ranks = self._problem.route_ranks
        if not ranks:
            return
        highest = 0
        for index, stop in enumerate(route.stops):
            for passenger_id in (*stop.dropoffs, *stop.pickups):
                rank = ranks.get(passenger_id, 0)
                if rank < highest:
                    self._add(
                        ROUTE_RANK,
                        f"Passenger {passenger_id} (route rank {rank}) is visited at stop "
                        f"{index} of vehicle {route.vehicle_id}, after a passenger of rank "
                        f"{highest}.",
                        route.vehicle_id,
                        passenger_id,
                    )
                    return
                highest = rank

    def _check_entrances(self, result: DayResult) -> None:
        """Wheelchair set-downs overlapping at a centre, over every route of the day."""
        if not self._to_centre:
            return
        peaks = entrance_peaks(
            result.routes, self._problem.centres, self._problem.passengers, self._tolerance_s
        )
        for centre_id, peak in sorted(peaks.items()):
            limit = self._centres[centre_id].max_wheelchair_dropoffs or 0
            if peak.holding > limit:
                self._add(
                    WHEELCHAIR_ENTRANCE,
                    f"{peak.holding} wheelchair users are being set down at centre {centre_id} "
                    f"at {_clock(peak.at_s)} (vehicle {peak.vehicle_id} arriving), more than "
                    f"its max_wheelchair_dropoffs of {limit}.",
                    peak.vehicle_id,
                )

    def _check_breaks(self, route: Route, legs: list[_Leg | None]) -> None:
        """Where the driver's breaks lie, and how long the route works between them."""
        vehicle_id, stops, tolerance_s = route.vehicle_id, route.stops, self._tolerance_s
        rule = self._problem.settings.driver_break
        breaks = sorted(route.breaks, key=lambda b: b.start_s)
        in_gap: dict[int, int] = {}
        previous_end_s: int | None = None
        for taken in breaks:
            at = _clock(taken.start_s)
            if rule is not None and taken.duration_s < rule.duration_s:
                self._add(
                    DRIVER_BREAK,
                    f"Vehicle {vehicle_id}'s break at {at} lasts {taken.duration_s} s, less "
                    f"than the {rule.duration_s} s a break must last.",
                    vehicle_id,
                )
            if previous_end_s is not None and taken.start_s < previous_end_s - tolerance_s:
                self._add(
                    DRIVER_BREAK,
                    f"Vehicle {vehicle_id}'s break at {at} overlaps another.",
                    vehicle_id,
                )
            previous_end_s = taken.start_s + taken.duration_s
            gap = next(
                (
                    i
                    for i in range(len(stops) - 1)
                    if stops[i].departure_s - tolerance_s <= taken.start_s
                    and taken.start_s + taken.duration_s <= stops[i + 1].arrival_s + tolerance_s
                ),
                None,
            )
            if gap is None:
                self._add(
                    DRIVER_BREAK,
                    f"Vehicle {vehicle_id}'s break at {at} does not lie between two stops "
                    "(it overlaps a stop's service or the route's ends).",
                    vehicle_id,
                )
                continue
            in_gap[gap] = in_gap.get(gap, 0) + taken.duration_s
        for gap, total_s in in_gap.items():
            leg = legs[gap]
            idle_s = stops[gap + 1].arrival_s - stops[gap].departure_s
            if leg is not None and idle_s < leg.duration_s + total_s - tolerance_s:
                self._add(
                    DRIVER_BREAK,
                    f"Vehicle {vehicle_id} breaks for {total_s} s between stops {gap} and "
                    f"{gap + 1}, leaving less than the {leg.duration_s} s drive between them.",
                    vehicle_id,
                )
        if rule is None:
            return
        # Work stretches: route start -> each long-enough break -> route end.
        resumed_s = stops[0].departure_s
        pauses = [(b.start_s, b.duration_s) for b in breaks if b.duration_s >= rule.duration_s]
        for pause_s, duration_s in [*pauses, (stops[-1].arrival_s, 0)]:
            stretch_s = pause_s - resumed_s
            if stretch_s > rule.max_work_s + tolerance_s:
                self._add(
                    DRIVER_BREAK,
                    f"Vehicle {vehicle_id} works {stretch_s} s from {_clock(resumed_s)} without "
                    f"a break of {rule.duration_s} s, more than the {rule.max_work_s} s allowed.",
                    vehicle_id,
                )
                return
            resumed_s = max(resumed_s, pause_s + duration_s)

    def _check_totals(self, route: Route, legs: list[_Leg | None]) -> None:
        stops = route.stops
        known_legs = [leg for leg in legs if leg is not None]
        distance_m = sum(leg.distance_m for leg in known_legs)
        slack_m = DISTANCE_TOLERANCE_M_PER_LEG * max(1, len(legs))
        if len(known_legs) == len(legs) and abs(route.distance_m - distance_m) > slack_m:
            self._add(
                ROUTE_DISTANCE,
                f"Route of vehicle {route.vehicle_id} reports {route.distance_m} m but its legs "
                f"add up to {distance_m} m.",
                route.vehicle_id,
            )
        duration_s = stops[-1].arrival_s - stops[0].departure_s
        if abs(route.duration_s - duration_s) > self._tolerance_s:
            self._add(
                ROUTE_DURATION,
                f"Route of vehicle {route.vehicle_id} reports {route.duration_s} s but runs "
                f"{duration_s} s from first departure to last arrival.",
                route.vehicle_id,
            )
