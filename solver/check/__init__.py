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
    Every entry has a known ``UNASSIGNED_*`` reason code and a non-empty hint. A reason that
    says no vehicle could serve the passenger is false where a vehicle of the day could
    drive them alone within every rule (:mod:`solver.check.alone`).

Travel times
    Where the oracle raises ``LookupError`` for a pair of locations (a matrix built for other
    points), that is reported and the rules needing the drive are skipped for it, so that a
    result naming unknown ids or places gives violations, not an exception.

What a result says about itself
    :func:`check_result` adds, for a whole result file, the rules of
    :mod:`solver.check.figures`: every day-direction of the week planned or listed in
    ``not_planned``, and route costs, drawn lines, key figures and week totals equal to those
    recomputed from the routes and tariffs. ``check_week`` leaves them out, for results built
    a part at a time (a week's subset, one day-direction of a service job).

Messages name the vehicle and passenger ids, for planners. The checker logs nothing and keeps
no state: the violations are its only output. ``CHECK_CODES`` documents every code.

Layout
    Each rule is a ``check_*`` function that yields its violations, as :mod:`solver.validate`
    does: day rules take a :class:`~solver.check.context.DayContext`, route rules a
    :class:`~solver.check.context.RouteContext` (with the route's drives and loads recomputed
    once). ``DAY_CHECKS`` lists the day rules in the order :func:`check_day` runs them (one of
    them, :func:`check_routes`, runs ``ROUTE_CHECKS`` on each route in turn); ``check_week``
    adds ``WEEK_CHECKS``. Modules by concern: :mod:`~solver.check.violations` (codes and the
    record), :mod:`~solver.check.context`, :mod:`~solver.check.coverage`,
    :mod:`~solver.check.stops`, :mod:`~solver.check.timing`, :mod:`~solver.check.rides`,
    :mod:`~solver.check.loads`, :mod:`~solver.check.aboard`, :mod:`~solver.check.week`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from solver.check.aboard import (
    check_allowed_vehicle,
    check_route_ranks,
    check_set_down_at_destination,
    check_sharing,
)
from solver.check.alone import (
    NO_VEHICLE_REASONS,
    advise_idle_vehicles,
    can_drive_alone,
    check_unassigned_servable,
)
from solver.check.context import (
    DEFAULT_TOLERANCE_S,
    LOCATION_TOLERANCE_DEG,
    DayContext,
    RouteContext,
    day_context,
    route_context,
)
from solver.check.coverage import (
    check_coverage,
    check_day_direction,
    check_unassigned_reasons,
    check_vehicles,
)
from solver.check.figures import (
    check_day_directions_accounted,
    check_geometry,
    check_kpis,
    check_route_cost,
    check_week_totals,
)
from solver.check.loads import (
    EntrancePeak,
    check_capacity,
    check_entrances,
    check_layout,
    check_load_mismatch,
    entrance_peaks,
)
from solver.check.rides import check_windows
from solver.check.stops import check_depot_stops, check_stop_places
from solver.check.timing import (
    DISTANCE_TOLERANCE_M_PER_LEG,
    check_break_places,
    check_legs_known,
    check_route_length,
    check_service_times,
    check_shift,
    check_totals,
    check_travel_times,
    check_work_stretches,
)
from solver.check.violations import (
    CENTRE_WINDOW,
    CHECK_CODES,
    DAY_DIRECTION_MISSING,
    DAY_DIRECTION_TWICE,
    DEPOT,
    DRIVER_BREAK,
    DROPOFF_BEFORE_PICKUP,
    EMPTY_STOP,
    IDLE_VEHICLE_COULD_SERVE,
    INCOMPATIBLE_PAIR,
    INCOMPLETE_TRIP,
    KPIS,
    LAYOUT,
    LOAD_MISMATCH,
    MAX_RIDE_TIME,
    PASSENGER_MISSING,
    PASSENGER_TWICE,
    PASSENGER_WINDOW,
    PAST_DESTINATION,
    PICKUP_DROPOFF_DIFFERENT_VEHICLE,
    RIDE_ALONE,
    ROUTE_COST,
    ROUTE_DISTANCE,
    ROUTE_DURATION,
    ROUTE_GEOMETRY,
    ROUTE_RANK,
    ROUTE_TOO_LONG,
    SEATS,
    SERVICE_TIME,
    SHIFT,
    STOP_KIND,
    TOTALS,
    TRAVEL_TIME,
    UNASSIGNED_REASON,
    UNASSIGNED_SERVABLE,
    UNKNOWN_LOCATION,
    UNKNOWN_PASSENGER,
    UNKNOWN_VEHICLE,
    VEHICLE_CHANGED,
    VEHICLE_NOT_ALLOWED,
    VEHICLE_NOT_AVAILABLE,
    VEHICLE_TWICE,
    WHEELCHAIR_ENTRANCE,
    WHEELCHAIR_PLACES,
    WRONG_DAY_DIRECTION,
    WRONG_LOCATION,
    Violation,
)
from solver.check.week import check_day_direction_once, check_same_vehicle_both_ways
from solver.domain import DayProblem, DayResult, WeekPlan, WeekResult
from solver.travel import TravelTimes

__all__ = [
    "ADVISORY_DAY_CHECKS",
    "ADVISORY_ROUTE_CHECKS",
    "CENTRE_WINDOW",
    "CHECK_CODES",
    "DAY_CHECKS",
    "DAY_DIRECTION_MISSING",
    "DAY_DIRECTION_TWICE",
    "DEFAULT_TOLERANCE_S",
    "DEPOT",
    "DISTANCE_TOLERANCE_M_PER_LEG",
    "DRIVER_BREAK",
    "DROPOFF_BEFORE_PICKUP",
    "EMPTY_STOP",
    "FIGURE_DAY_CHECKS",
    "FIGURE_ROUTE_CHECKS",
    "IDLE_VEHICLE_COULD_SERVE",
    "INCOMPATIBLE_PAIR",
    "INCOMPLETE_TRIP",
    "KPIS",
    "LAYOUT",
    "LOAD_MISMATCH",
    "LOCATION_TOLERANCE_DEG",
    "MAX_RIDE_TIME",
    "NO_VEHICLE_REASONS",
    "PASSENGER_MISSING",
    "PASSENGER_TWICE",
    "PASSENGER_WINDOW",
    "PAST_DESTINATION",
    "PICKUP_DROPOFF_DIFFERENT_VEHICLE",
    "RESULT_WEEK_CHECKS",
    "RIDE_ALONE",
    "ROUTE_CHECKS",
    "ROUTE_COST",
    "ROUTE_DISTANCE",
    "ROUTE_DURATION",
    "ROUTE_GEOMETRY",
    "ROUTE_RANK",
    "ROUTE_TOO_LONG",
    "SEATS",
    "SERVICE_TIME",
    "SHIFT",
    "STOP_KIND",
    "TOTALS",
    "TRAVEL_TIME",
    "UNASSIGNED_REASON",
    "UNASSIGNED_SERVABLE",
    "UNKNOWN_LOCATION",
    "UNKNOWN_PASSENGER",
    "UNKNOWN_VEHICLE",
    "VEHICLE_CHANGED",
    "VEHICLE_NOT_ALLOWED",
    "VEHICLE_NOT_AVAILABLE",
    "VEHICLE_TWICE",
    "WEEK_CHECKS",
    "WHEELCHAIR_ENTRANCE",
    "WHEELCHAIR_PLACES",
    "WRONG_DAY_DIRECTION",
    "WRONG_LOCATION",
    "DayContext",
    "EntrancePeak",
    "RouteContext",
    "TravelTimes",
    "Violation",
    "advise_day",
    "advise_week",
    "can_drive_alone",
    "check_across_days",
    "check_day",
    "check_figures",
    "check_result",
    "check_routes",
    "check_week",
    "entrance_peaks",
]

DayCheck = Callable[[DayContext], Iterator[Violation]]
"""A day rule: the violations of one rule in one day-direction's result."""

RouteCheck = Callable[[RouteContext], Iterator[Violation]]
"""A route rule: the violations of one rule on one route (with at least one stop)."""

WeekCheck = Callable[[WeekPlan, WeekResult], Iterator[Violation]]
"""A week rule: the violations of one rule across a week result's day-directions."""

ROUTE_CHECKS: tuple[RouteCheck, ...] = (
    check_depot_stops,
    check_stop_places,
    check_legs_known,
    check_travel_times,
    check_service_times,
    check_windows,
    check_shift,
    check_route_length,
    check_load_mismatch,
    check_layout,
    check_capacity,
    check_allowed_vehicle,
    check_sharing,
    check_route_ranks,
    check_break_places,
    check_work_stretches,
    check_totals,
)
"""Every route rule, in the order :func:`check_routes` runs them on each route."""


def check_routes(day: DayContext) -> Iterator[Violation]:
    """Every rule of ``ROUTE_CHECKS`` on each route in turn (CHECK_DEPOT for one without stops).

    Each route's drives and loads are recomputed once, for all the route rules.
    """
    for route in day.result.routes:
        if not route.stops:
            yield day.violation(
                DEPOT, f"Route of vehicle {route.vehicle_id} has no stops.", route.vehicle_id
            )
            continue
        context = route_context(day, route)
        for check in ROUTE_CHECKS:
            yield from check(context)


DAY_CHECKS: tuple[DayCheck, ...] = (
    check_day_direction,
    check_vehicles,
    check_coverage,
    check_routes,
    check_entrances,
    check_unassigned_reasons,
    check_unassigned_servable,
)
"""Every day rule, in the order :func:`check_day` runs them."""

WEEK_CHECKS: tuple[WeekCheck, ...] = (check_same_vehicle_both_ways,)
"""Every week rule, run by :func:`check_week` after the day-directions' own rules."""


def _check(context: DayContext) -> list[Violation]:
    return [violation for check in DAY_CHECKS for violation in check(context)]


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
    return _check(day_context(problem, result, travel, tolerance_s, fleet=problem.vehicles))


ADVISORY_DAY_CHECKS: tuple[DayCheck, ...] = (advise_idle_vehicles,)
"""Day rules reported as advice, never as violations (``CHECK_IDLE_VEHICLE_COULD_SERVE``)."""

ADVISORY_ROUTE_CHECKS: tuple[RouteCheck, ...] = (check_set_down_at_destination,)
"""Rules the solver keeps where it can but does not yet guarantee: :func:`advise_day` and
:func:`advise_week` report them, never as violations. ``CHECK_PAST_DESTINATION``: the route
reader reorders a route that drives someone past their destination where the reordered
route can be timed (:mod:`solver.routing.destinations`), which removed 204 of 259 such trips
on the generated Bergen week (seed 1, 60 s); the model does not forbid them yet."""


def advise_day(
    problem: DayProblem,
    result: DayResult,
    travel: TravelTimes,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> list[Violation]:
    """The advisory rules (``ADVISORY_ROUTE_CHECKS``) broken in one day-direction's result."""
    day = day_context(problem, result, travel, tolerance_s, fleet=problem.vehicles)
    return [
        finding
        for route in result.routes
        if route.stops
        for check in ADVISORY_ROUTE_CHECKS
        for finding in check(route_context(day, route))
    ] + [finding for check in ADVISORY_DAY_CHECKS for finding in check(day)]


def advise_week(
    plan: WeekPlan,
    result: WeekResult,
    travel: TravelTimes,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> list[Violation]:
    """:func:`advise_day` on each day-direction of ``result``, against ``plan``."""
    return [
        finding
        for day_result in result.plans
        for finding in advise_day(
            plan.day_problem(day_result.day, day_result.direction),
            day_result,
            travel,
            tolerance_s,
        )
    ]


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
    for day_result in result.plans:
        problem = plan.day_problem(day_result.day, day_result.direction)
        violations.extend(
            _check(day_context(problem, day_result, travel, tolerance_s, plan.vehicles))
        )
    return violations + check_across_days(plan, result)


def check_across_days(plan: WeekPlan, result: WeekResult) -> list[Violation]:
    """The rules across a week's day-directions only: each held once, and ``WEEK_CHECKS``.

    For a caller that checked each day-direction already (:func:`check_day`), as the
    service does while it stores them.
    """
    violations = [
        violation
        for index in range(len(result.plans))
        for violation in check_day_direction_once(result, index)
    ]
    for check in WEEK_CHECKS:
        violations.extend(check(plan, result))
    return violations


FIGURE_ROUTE_CHECKS: tuple[RouteCheck, ...] = (check_route_cost, check_geometry)
"""What each route says about itself (:mod:`solver.check.figures`): cost and drawn line."""

FIGURE_DAY_CHECKS: tuple[DayCheck, ...] = (check_kpis,)
"""What each day-direction says about itself: its key figures."""

RESULT_WEEK_CHECKS: tuple[WeekCheck, ...] = (check_day_directions_accounted, check_week_totals)
"""What a whole result says about itself: every day-direction accounted for, its totals."""


def check_figures(
    plan: WeekPlan,
    result: WeekResult,
    travel: TravelTimes,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> list[Violation]:
    """Every figure ``result`` reports that its routes and the plan's tariffs do not give.

    ``FIGURE_ROUTE_CHECKS`` on each route, ``FIGURE_DAY_CHECKS`` on each day-direction, then
    ``RESULT_WEEK_CHECKS``. For a caller that checked the rules already (the service, as it
    stores each day-direction); :func:`check_result` runs both.
    """
    violations: list[Violation] = []
    for day_result in result.plans:
        problem = plan.day_problem(day_result.day, day_result.direction)
        day = day_context(problem, day_result, travel, tolerance_s, plan.vehicles)
        for route in day_result.routes:
            if route.stops:
                context = route_context(day, route)
                violations.extend(v for check in FIGURE_ROUTE_CHECKS for v in check(context))
        violations.extend(v for check in FIGURE_DAY_CHECKS for v in check(day))
    for week_check in RESULT_WEEK_CHECKS:
        violations.extend(week_check(plan, result))
    return violations


def check_result(
    plan: WeekPlan,
    result: WeekResult,
    travel: TravelTimes,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> list[Violation]:
    """Everything wrong with a whole result file: the rules, and what it says of itself.

    :func:`check_week` (every rule in each day-direction and across days), then
    :func:`check_figures` (every day-direction accounted for; costs, lines, key figures and
    totals recomputed). ``dagrute check`` and the service's check run this.
    """
    return check_week(plan, result, travel, tolerance_s) + check_figures(
        plan, result, travel, tolerance_s
    )
