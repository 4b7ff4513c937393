"""What a result says about itself: costs, key figures, totals, lines, and its day-directions.

The rules in :mod:`solver.check` verify that the routes keep the plan's rules; these verify
that the figures a result reports are the ones its routes give, recomputed here from the
routes and the plan's tariffs (never read from the solver), so that a result file whose
routes were edited, or whose numbers were, does not pass:

- a route's ``cost`` is its vehicle's ``Tariff.route_cost`` of its ``distance_m`` and
  ``duration_s`` (both checked against its stops by ``check_totals``), to the cent;
- a route's ``geometry`` (when drawn) starts at its first stop, passes its stops in order and
  ends at its last stop;
- a day-direction's ``kpis`` are those of its routes and unassigned list;
- the week's ``totals`` (those of :func:`solver.week.totals.week_totals` it holds) are those
  of its day-directions;
- every day-direction of the week is either planned or listed in ``not_planned``, never both.

Each figure is compared with the rounding the result file writes it with (``*_TOLERANCE``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from solver.check.context import DayContext, RouteContext, same_place
from solver.check.violations import (
    DAY_DIRECTION_MISSING,
    DAY_DIRECTION_TWICE,
    KPIS,
    ROUTE_COST,
    ROUTE_GEOMETRY,
    TOTALS,
    Violation,
)
from solver.domain import DAYS, DIRECTIONS, DayResult, LatLon, Route, WeekPlan, WeekResult

COST_TOLERANCE: Final = 0.011
"""NOK: costs are written rounded to the cent, and sums of rounded costs rounded again."""

SECONDS_TOLERANCE: Final = 1.0
"""Seconds: vehicle time and the longest ride are written in hours and minutes, rounded."""

MEAN_RIDE_TOLERANCE_S: Final = 0.1
"""Seconds: the mean ride is rounded to 0.1 s, then written in minutes to 4 decimals."""

RATIO_TOLERANCE: Final = 0.0006
"""The mean ride ratio is rounded to 3 decimals."""

_METRES_PER_KM: Final = 1000.0
_SECONDS_PER_HOUR: Final = 3600.0
_SECONDS_PER_MINUTE: Final = 60.0

# ---------------------------------------------------------------------------------- routes


def check_route_cost(route: RouteContext) -> Iterator[Violation]:
    """CHECK_ROUTE_COST: the route's cost is its vehicle's tariff of its distance and duration."""
    vehicle, reported = route.vehicle, route.route
    if vehicle is None:  # reported by check_vehicles
        return
    cost = round(vehicle.tariff.route_cost(reported.distance_m, reported.duration_s), 2)
    if abs(reported.cost - cost) > COST_TOLERANCE:
        yield route.day.violation(
            ROUTE_COST,
            f"Route of vehicle {route.vehicle_id} reports a cost of {reported.cost:.2f} NOK but "
            f"its tariff gives {cost:.2f} NOK for {reported.distance_m} m and "
            f"{reported.duration_s} s.",
            route.vehicle_id,
        )


def _at(point: tuple[float, float], location: LatLon) -> bool:
    lon, lat = point
    return same_place(LatLon(lat, lon), location)


def check_geometry(route: RouteContext) -> Iterator[Violation]:
    """CHECK_ROUTE_GEOMETRY: the drawn line joins the route's stops, first to last, in order.

    A route without a line (not drawn) passes. The line is made of each leg's shape from one
    stop's location to the next's, so every stop's location is a point of it.
    """
    line, stops = route.route.geometry, route.route.stops
    if not line:
        return
    problem: str | None = None
    if not _at(line[0], stops[0].location):
        problem = "does not start at its first stop"
    elif not _at(line[-1], stops[-1].location):
        problem = "does not end at its last stop"
    else:
        position = 0
        for index, stop in enumerate(stops):
            while position < len(line) and not _at(line[position], stop.location):
                position += 1
            if position == len(line):
                problem = f"does not pass stop {index} after the stops before it"
                break
    if problem is not None:
        yield route.day.violation(
            ROUTE_GEOMETRY,
            f"The line drawn for the route of vehicle {route.vehicle_id} {problem}.",
            route.vehicle_id,
        )


# ------------------------------------------------------------------------------ key figures


@dataclass(frozen=True, slots=True)
class _Figure:
    """One reported figure, the recomputed value and how far apart they may be."""

    name: str
    reported: float
    recomputed: float
    tolerance: float


def _rides_s(routes: Sequence[Route]) -> dict[str, int]:
    """Each passenger picked up and then dropped off on one route: their ride in seconds."""
    rides: dict[str, int] = {}
    for route in routes:
        picked: dict[str, int] = {}
        for stop in route.stops:
            for passenger_id in stop.pickups:
                picked[passenger_id] = stop.departure_s
            for passenger_id in stop.dropoffs:
                if passenger_id in picked:
                    rides[passenger_id] = stop.arrival_s - picked[passenger_id]
    return rides


def _ride_ratio(day: DayContext, passenger_id: str, ride_s: int) -> float | None:
    """Ride over direct drive for one passenger (None: no direct drive to divide by)."""
    passenger = day.passengers.get(passenger_id)
    if passenger is None:
        return None
    start, end = day.pickup_location(passenger), day.dropoff_location(passenger)
    if start is None or end is None:
        return None
    try:
        direct_s = day.travel.duration_s(start, end)
    except LookupError:  # reported by check_ride_time
        return None
    return ride_s / direct_s if direct_s > 0 else None


def check_kpis(day: DayContext) -> Iterator[Violation]:
    """CHECK_KPIS: each key figure of the day-direction is the one its routes give."""
    result = day.result
    kpis = result.kpis
    rides = _rides_s(result.routes)
    ride_values = list(rides.values())
    ratios = [
        ratio
        for passenger_id, ride in rides.items()
        if (ratio := _ride_ratio(day, passenger_id, ride)) is not None
    ]
    figures = (
        _Figure("vehicles", kpis.num_vehicles, len(result.routes), 0),
        _Figure("passengers served", kpis.num_passengers, len(rides), 0),
        _Figure("unassigned", kpis.num_unassigned, len(result.unassigned), 0),
        _Figure("metres", kpis.distance_m, sum(r.distance_m for r in result.routes), 0),
        _Figure(
            "vehicle seconds",
            kpis.vehicle_s,
            sum(r.duration_s for r in result.routes),
            SECONDS_TOLERANCE,
        ),
        _Figure("cost", kpis.cost, sum(r.cost for r in result.routes), COST_TOLERANCE),
        _Figure(
            "mean ride seconds",
            kpis.mean_ride_s,
            sum(ride_values) / len(ride_values) if ride_values else 0.0,
            MEAN_RIDE_TOLERANCE_S,
        ),
        _Figure("longest ride seconds", kpis.max_ride_s, max(ride_values, default=0), 1.0),
        _Figure(
            "mean ride ratio",
            kpis.mean_ride_ratio,
            sum(ratios) / len(ratios) if ratios else 0.0,
            RATIO_TOLERANCE,
        ),
    )
    for figure in figures:
        if abs(figure.reported - figure.recomputed) > figure.tolerance + 1e-9:
            yield day.violation(
                KPIS,
                f"The {day.problem.day} {day.problem.direction} key figures report "
                f"{figure.reported:g} {figure.name} but the routes give "
                f"{figure.recomputed:g}.",
            )


# ----------------------------------------------------------------------------------- week


def check_day_directions_accounted(plan: WeekPlan, result: WeekResult) -> Iterator[Violation]:
    """CHECK_DAY_DIRECTION_MISSING and CHECK_DAY_DIRECTION_TWICE for the week as a whole.

    Every one of the week's ten day-directions is planned (in ``plans``) or listed in
    ``not_planned`` with its reason; one listed in both is reported too.
    """
    del plan  # every plan's week has the same ten day-directions
    planned = {(d.day, str(d.direction)) for d in result.plans}
    listed = {(n.day, str(n.direction)) for n in result.not_planned}
    for day in DAYS:
        for direction in DIRECTIONS:
            key = (day, str(direction))
            if key not in planned and key not in listed:
                yield Violation(
                    DAY_DIRECTION_MISSING,
                    day,
                    direction,
                    None,
                    None,
                    f"The result has no plan for {day} {direction} and does not say why "
                    "(not_planned); it is incomplete.",
                )
            elif key in planned and key in listed:
                yield Violation(
                    DAY_DIRECTION_TWICE,
                    day,
                    direction,
                    None,
                    None,
                    f"The result both plans {day} {direction} and lists it as not planned.",
                )


def _week_figures(plan: WeekPlan, plans: Sequence[DayResult]) -> dict[str, tuple[float, float]]:
    """Each week total recomputed from the routes: (value, tolerance of its rounding)."""
    tariffs = {v.vehicle_id: v.tariff for v in plan.vehicles}
    routes = [(d.day, route) for d in plans for route in d.routes]
    vehicle_days = {(day, route.vehicle_id) for day, route in routes}
    # A vehicle's per-day price is paid once a day, however many routes it drives that day.
    day_price_repeats = sum(
        tariffs[route.vehicle_id].per_vehicle_day
        for _, route in routes
        if route.vehicle_id in tariffs
    ) - sum(tariffs[vid].per_vehicle_day for _, vid in vehicle_days if vid in tariffs)
    rides = [ride for d in plans for ride in _rides_s(d.routes).values()]
    return {
        "day_directions": (len(plans), 0.0),
        "trips": (len(rides), 0.0),
        "unassigned_trips": (sum(len(d.unassigned) for d in plans), 0.0),
        "peak_vehicles": (max((len(d.routes) for d in plans), default=0), 0.0),
        "vehicle_days": (len(vehicle_days), 0.0),
        "km": (sum(r.distance_m for _, r in routes) / _METRES_PER_KM, 0.05),
        "vehicle_hours": (sum(r.duration_s for _, r in routes) / _SECONDS_PER_HOUR, 0.005),
        "cost": (sum(r.cost for _, r in routes) - day_price_repeats, COST_TOLERANCE),
        "mean_ride_min": (
            sum(rides) / len(rides) / _SECONDS_PER_MINUTE if rides else 0.0,
            0.05,
        ),
        "max_ride_min": (max(rides, default=0) / _SECONDS_PER_MINUTE, 0.05),
    }


def check_week_totals(plan: WeekPlan, result: WeekResult) -> Iterator[Violation]:
    """CHECK_TOTALS: each known week total the result holds is the one its routes give.

    Totals the checker does not know (consistency and stability figures, solve time) are not
    compared; a known one that is absent is not reported (``totals`` is free-form).
    """
    for name, (value, tolerance) in _week_figures(plan, result.plans).items():
        reported = _number(result.totals, name)
        if reported is not None and abs(reported - value) > tolerance + 1e-9:
            yield Violation(
                TOTALS,
                None,
                None,
                None,
                None,
                f"The week total {name} is {reported:g} but the day-directions' routes give "
                f"{value:.6g}.",
            )


def _number(totals: Mapping[str, float], name: str) -> float | None:
    value = totals.get(name)
    return None if value is None else float(value)
