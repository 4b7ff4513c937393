"""Weekly consistency: the same vehicle (so the same driver) and nearly the same pickup time.

Method: *template routes* (Groër, Golden and Wasil's ConVRP idea, simplified):

1. For each direction, solve a *template day*: every passenger of the week, as if all came on
   the same day (each centre's windows of the busiest weekday). This gives each passenger a
   template vehicle and a template pickup time.
2. Solve each day-direction with every passenger *pinned* to their template vehicle and to a
   pickup window of +/- ``tolerance_s`` around their template time:
   * ``strict``: pins are hard (the vehicle variable and the pickup window are restricted);
   * ``soft``: pins are penalised, not required (``PIN_VEHICLE_PENALTY_NOK`` per passenger on
     another vehicle, ``PIN_TIME_PENALTY_NOK_PER_MIN`` per minute outside the window).
3. Strict pins can make a passenger unservable on a day (e.g. the template vehicle does not
   work that day). Those passengers are solved again unpinned within the same budget, and the
   report counts them as inconsistent; nobody is left out for the sake of consistency.

``previous`` (last week's result) can replace the template: the same pins then keep this
week's routes close to last week's (stability), and ``churn`` measures what moved.
"""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from solver.domain import (
    DAYS,
    Day,
    DayProblem,
    DayResult,
    Direction,
    Pin,
    TimeWindow,
    Vehicle,
    WeekPlan,
    WeekResult,
)

DEFAULT_TOLERANCE_S = 10 * 60
"""Pickup times within +/- 10 minutes of the template count as the same time."""


class Consistency(StrEnum):
    """How hard the week is held to one vehicle and one pickup time per passenger."""

    OFF = "off"
    SOFT = "soft"
    STRICT = "strict"


@dataclass(frozen=True, slots=True)
class Template:
    """A passenger's vehicle and pickup time in one direction, to repeat on every day.

    ``window``: their centre's window on the template's day (arrival window for
    ``to_centre``, departure window for ``from_centre``). On a day whose window holds it the
    pickup stays; otherwise it moves as far as the window's start moved
    (:func:`window_shift_s`). None: no shift.
    """

    vehicle_id: str
    pickup_s: int
    window: TimeWindow | None = None


def shift_s(template: Template, today: TimeWindow | None) -> int:
    """How far ``template``'s pickup moves on a day whose centre window is ``today``."""
    if template.window is None or today is None:
        return 0
    return window_shift_s(template.window, today)


def window_shift_s(template: TimeWindow, today: TimeWindow) -> int:
    """How far a pickup timed for the ``template`` window moves in the ``today`` window.

    Not at all if ``today`` holds the whole template window; otherwise as far as its start.
    """
    if today.start_s <= template.start_s and template.end_s <= today.end_s:
        return 0
    return today.start_s - template.start_s


def busiest_day(plan: WeekPlan) -> Day:
    """The weekday with the most passengers attending (first in week order on ties)."""
    counts = {day: sum(day in p.days for p in plan.passengers) for day in DAYS}
    return max(DAYS, key=lambda d: (counts[d], -DAYS.index(d)))


def template_problem(plan: WeekPlan, direction: Direction) -> DayProblem:
    """Every passenger of the week on one day, with that day's centre hours and fleet.

    Centres closed on the busiest day use the hours of their first open day. Where centres'
    windows move differently across the week (some close 30 minutes earlier on Fridays), each
    template route serves the centres that move earlier first (:func:`route_ranks`), so that
    on every day its pickups can move with their windows and keep the same vehicle.
    """
    day = busiest_day(plan)
    centres = tuple(
        c if day in c.hours else replace(c, hours={day: next(iter(c.hours.values()))})
        for c in plan.centres
        if c.hours
    )
    passengers = tuple(
        replace(p, days=frozenset({day}), home_exceptions={}) for p in plan.passengers
    )
    vehicles = tuple(replace(v, days=frozenset({day})) for v in plan.vehicles)
    week = plan.replace(centres=centres, passengers=passengers, vehicles=vehicles)
    problem = week.day_problem(day, direction)
    return replace(problem, route_ranks=route_ranks(plan, problem))


def route_ranks(plan: WeekPlan, template: DayProblem) -> dict[str, int]:
    """Per passenger, the rank of how their centre's window moves across the week.

    A centre's *moves* are, per weekday, how far its window of the direction lies from the
    template's (:func:`window_shift_s`). Centres are ranked by their moves, those moving
    earlier first; with ranks, a template route whose early part moves earlier on some day
    only waits longer before its later part. Empty if every centre moves alike.
    """
    windows = _centre_windows(template)
    moves: dict[str, tuple[int, ...]] = {}
    for centre in plan.centres:
        base = windows.get(centre.centre_id)
        if base is not None:
            moves[centre.centre_id] = tuple(
                window_shift_s(base, hours.window(template.direction))
                if (hours := centre.hours.get(day)) is not None
                else 0
                for day in DAYS
            )
    kinds = sorted(set(moves.values()), key=lambda m: (sum(m), m))
    if len(kinds) < 2:
        return {}
    rank = {m: i for i, m in enumerate(kinds)}
    return {p.passenger_id: rank[moves[p.centre_id]] for p in template.passengers}


def share_vehicles(results: Sequence[DayResult], plan: WeekPlan) -> list[DayResult]:
    """Template days with routes moved to identical vehicles another template already uses.

    A vehicle-day is paid once however many trips the vehicle drives, but templates solved
    apart pick among identical vehicles (same depot, seats, layouts, shift, days, tariff and
    operator) at random. Each route of a later template on a vehicle no earlier template
    uses moves, if its passengers may ride it, to an identical one that an earlier template
    uses and this one does not: the same route, a vehicle-day less each day.
    """
    vehicles = {v.vehicle_id: v for v in plan.vehicles}
    passengers = {p.passenger_id: p for p in plan.passengers}

    def kind(vehicle_id: str) -> Vehicle:
        return replace(vehicles[vehicle_id], vehicle_id="")

    shared: list[DayResult] = []
    used: set[str] = set()
    for result in results:
        own = {route.vehicle_id for route in result.routes}
        free = sorted(used - own)
        routes = []
        for route in result.routes:
            riders = [passengers[pid] for stop in route.stops for pid in stop.pickups]
            if route.vehicle_id not in used:
                match = next(
                    (
                        vid
                        for vid in free
                        if kind(vid) == kind(route.vehicle_id)
                        and all(p.may_ride(vid) for p in riders)
                    ),
                    None,
                )
                if match is not None:
                    free.remove(match)
                    route = replace(route, vehicle_id=match)
            routes.append(route)
        used |= {route.vehicle_id for route in routes}
        shared.append(replace(result, routes=tuple(routes)))
    return shared


def templates_from(
    result: DayResult | Iterable[DayResult], problem: DayProblem | None = None
) -> dict[str, Template]:
    """Per passenger: the vehicle and pickup time (stop arrival) of solved day-direction(s).

    Given several day-directions of one direction, the most common vehicle and the median
    pickup time win. ``problem``: the day they were solved for, to record window starts.
    """
    results = [result] if isinstance(result, DayResult) else list(result)
    vehicles: dict[str, list[str]] = defaultdict(list)
    times: dict[str, list[int]] = defaultdict(list)
    for day_result in results:
        for route in day_result.routes:
            for stop in route.stops:
                for pid in stop.pickups:
                    vehicles[pid].append(route.vehicle_id)
                    times[pid].append(stop.arrival_s)
    windows = _windows(problem) if problem is not None else {}
    return {
        pid: Template(
            max(sorted(set(vs)), key=vs.count),
            int(statistics.median_low(times[pid])),
            windows.get(pid),
        )
        for pid, vs in vehicles.items()
    }


def _centre_windows(problem: DayProblem) -> dict[str, TimeWindow]:
    """Per centre open on the day of ``problem``: its window of the direction."""
    return {
        c.centre_id: hours.window(problem.direction)
        for c in problem.centres
        if (hours := c.hours.get(problem.day)) is not None
    }


def _windows(problem: DayProblem) -> dict[str, TimeWindow]:
    """Per passenger of ``problem``: their centre's window of the direction that day."""
    by_centre = _centre_windows(problem)
    return {
        p.passenger_id: by_centre[p.centre_id]
        for p in problem.passengers
        if p.centre_id in by_centre
    }


def pins_for(
    problem: DayProblem,
    templates: Mapping[str, Template],
    mode: Consistency,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    soft_time: bool = False,
) -> dict[str, Pin]:
    """Pins for the passengers of ``problem`` who have a template (and a vehicle that day).

    On a day somebody travels from or to another address (a home exception) only their
    vehicle is pinned, not the time.

    ``soft_time``: in strict mode, hold the vehicle but only prefer the time.
    """
    if mode is Consistency.OFF:
        return {}
    available = {v.vehicle_id for v in problem.vehicles}
    today = _windows(problem)
    pins: dict[str, Pin] = {}
    for passenger in problem.passengers:
        template = templates.get(passenger.passenger_id)
        if template is None:
            continue
        vehicle_id = template.vehicle_id if template.vehicle_id in available else None
        if vehicle_id is None and mode is Consistency.STRICT:
            continue  # the template vehicle is off today: this passenger cannot be consistent
        shift = shift_s(template, today.get(passenger.passenger_id))
        elsewhere = problem.day in passenger.home_exceptions
        if elsewhere and vehicle_id is None:
            continue
        pins[passenger.passenger_id] = Pin(
            vehicle_id=vehicle_id,
            # Another address today: the template's time was set for the usual one.
            pickup_s=None if elsewhere else template.pickup_s + shift,
            tolerance_s=tolerance_s,
            is_strict=mode is Consistency.STRICT,
            is_time_strict=False if soft_time else None,
        )
    return pins


@dataclass(frozen=True)
class PassengerConsistency:
    """One passenger across the week: vehicles used and the spread of pickup times.

    ``pickup_spread_s``: among days with the same centre window (see :func:`measure`);
    ``pickup_spread_all_days_s``: over all their days.
    """

    passenger_id: str
    direction: Direction
    num_days: int
    num_vehicles: int
    pickup_spread_s: int
    pickup_spread_all_days_s: int = 0


@dataclass(frozen=True)
class ConsistencyReport:
    """Week-level figures: how many passengers ride one vehicle at one time."""

    passengers: tuple[PassengerConsistency, ...]
    tolerance_s: int

    @property
    def share_single_vehicle(self) -> float:
        """Share of passenger-directions (2+ days) riding one vehicle all week."""
        multi = [p for p in self.passengers if p.num_days > 1]
        return sum(p.num_vehicles == 1 for p in multi) / len(multi) if multi else 0.0

    @property
    def share_within_tolerance(self) -> float:
        """Share of passenger-directions (2+ days) whose pickups span at most 2 x tolerance."""
        multi = [p for p in self.passengers if p.num_days > 1]
        limit = 2 * self.tolerance_s
        return sum(p.pickup_spread_s <= limit for p in multi) / len(multi) if multi else 0.0

    @property
    def share_consistent(self) -> float:
        """Share of passenger-directions (2+ days) with one vehicle and pickups within +/- tol."""
        multi = [p for p in self.passengers if p.num_days > 1]
        limit = 2 * self.tolerance_s
        good = sum(p.num_vehicles == 1 and p.pickup_spread_s <= limit for p in multi)
        return good / len(multi) if multi else 0.0

    def as_dict(self) -> dict[str, float]:
        """The headline figures, for result totals and benchmarks."""
        multi = [p for p in self.passengers if p.num_days > 1]
        return {
            "passenger_directions": len(multi),
            "share_single_vehicle": round(self.share_single_vehicle, 4),
            "share_pickup_within_tolerance": round(self.share_within_tolerance, 4),
            "share_consistent": round(self.share_consistent, 4),
            "share_pickup_within_tolerance_all_days": round(
                sum(p.pickup_spread_all_days_s <= 2 * self.tolerance_s for p in multi) / len(multi)
                if multi
                else 0.0,
                4,
            ),
            "mean_vehicles": round(statistics.fmean(p.num_vehicles for p in multi), 3)
            if multi
            else 0.0,
            "max_pickup_spread_min": round(
                max((p.pickup_spread_s for p in multi), default=0) / 60, 1
            ),
        }


def measure(
    result: WeekResult, tolerance_s: int = DEFAULT_TOLERANCE_S, plan: WeekPlan | None = None
) -> ConsistencyReport:
    """Per passenger and direction: distinct vehicles and pickup-time spread over the week.

    With ``plan``, the spread is taken among the days on which the passenger's centre keeps
    the same window for that direction (a centre closing 30 minutes earlier on Fridays moves
    Friday's afternoon pickups by design), and ``pickup_spread_all_days_s`` keeps the spread
    over all days.
    """
    seen: dict[tuple[str, Direction], list[tuple[str, int, object]]] = defaultdict(list)
    centre_of = {p.passenger_id: p.centre_id for p in plan.passengers} if plan else {}
    centres = {c.centre_id: c for c in plan.centres} if plan else {}
    for day_result in result.plans:
        direction = day_result.direction
        for route in day_result.routes:
            for stop in route.stops:
                for pid in stop.pickups:
                    hours_class: object = None
                    centre = centres.get(centre_of.get(pid, ""))
                    hours = centre.hours.get(day_result.day) if centre is not None else None
                    if hours is not None:
                        hours_class = hours.window(direction)
                    seen[(pid, direction)].append((route.vehicle_id, stop.arrival_s, hours_class))
    rows = []
    for (pid, direction), rides in sorted(seen.items(), key=lambda item: item[0]):
        by_class: dict[object, list[int]] = defaultdict(list)
        for _, t, hours_class in rides:
            by_class[hours_class].append(t)
        times = [t for _, t, _ in rides]
        rows.append(
            PassengerConsistency(
                passenger_id=pid,
                direction=direction,
                num_days=len(rides),
                num_vehicles=len({v for v, _, _ in rides}),
                pickup_spread_s=max(max(ts) - min(ts) for ts in by_class.values()),
                pickup_spread_all_days_s=max(times) - min(times),
            )
        )
    return ConsistencyReport(tuple(rows), tolerance_s)


@dataclass(frozen=True)
class Churn:
    """What moved between two weeks' results, per passenger-day-direction served in both."""

    num_compared: int
    num_vehicle_changed: int
    num_pickup_moved: int
    changed_passengers: tuple[str, ...]
    num_passengers_compared: int = 0

    def as_dict(self) -> dict[str, float]:
        """Counts and shares for reports (``churn_share``: of the passengers compared)."""
        return {
            "compared_trips": self.num_compared,
            "compared_passengers": self.num_passengers_compared,
            "vehicle_changed": self.num_vehicle_changed,
            "pickup_moved_over_threshold": self.num_pickup_moved,
            "churned_passengers": len(self.changed_passengers),
            "churn_share": round(
                len(self.changed_passengers) / max(1, self.num_passengers_compared), 4
            ),
        }


def churn(previous: WeekResult, current: WeekResult, threshold_s: int = 10 * 60) -> Churn:
    """Trips whose vehicle changed or whose pickup moved by more than ``threshold_s``."""

    def trips(result: WeekResult) -> dict[tuple[str, str, str], tuple[str, int]]:
        found: dict[tuple[str, str, str], tuple[str, int]] = {}
        for day_result in result.plans:
            for route in day_result.routes:
                for stop in route.stops:
                    for pid in stop.pickups:
                        key = (pid, day_result.day, str(day_result.direction))
                        found[key] = (route.vehicle_id, stop.arrival_s)
        return found

    before, after = trips(previous), trips(current)
    common = sorted(set(before) & set(after))
    vehicle_changed = [k for k in common if before[k][0] != after[k][0]]
    moved = [k for k in common if abs(before[k][1] - after[k][1]) > threshold_s]
    changed = sorted({k[0] for k in (*vehicle_changed, *moved)})
    passengers = len({k[0] for k in common})
    return Churn(len(common), len(vehicle_changed), len(moved), tuple(changed), passengers)


def pinned_problems(
    problems: Sequence[DayProblem],
    templates: Mapping[tuple[Day | None, Direction], Mapping[str, Template]],
    mode: Consistency,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    template_day: Day | None = None,
) -> list[DayProblem]:
    """``problems`` with each passenger pinned to a template.

    ``templates`` is keyed by (day, direction) — e.g. last week's same weekday — or by
    (None, direction) for a template that serves every day; a day's own template wins.
    ``template_day``: the day the (None, direction) templates were solved for. Pinned times
    move as far as the passenger's centre window moved from the template's; on a day where
    that would squeeze some template route (:func:`_squeezes`) they are only preferred, even
    in strict mode.
    """
    pinned = []
    for problem in problems:
        chosen = {
            **templates.get((None, problem.direction), {}),
            **templates.get((problem.day, problem.direction), {}),
        }
        own_template = (problem.day, problem.direction) in templates
        soft_time = not own_template and template_day is not None and _squeezes(problem, chosen)
        pins = pins_for(problem, chosen, mode, tolerance_s, soft_time=soft_time)
        pinned.append(replace(problem, pins=pins))
    return pinned


def _squeezes(problem: DayProblem, templates: Mapping[str, Template]) -> bool:
    """Whether some template route cannot keep its order with today's windows.

    That is, along one template vehicle's pickups (in template time order) some pickup moves
    later than one after it: the route would have to squeeze. Routes whose parts move alike,
    or whose later parts move later (``route_ranks``), keep hard times.
    """
    today = _windows(problem)
    routes: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pid, window in today.items():
        template = templates.get(pid)
        if template is not None:
            routes[template.vehicle_id].append((template.pickup_s, shift_s(template, window)))
    for pickups in routes.values():
        shifts = [shift for _, shift in sorted(pickups)]
        if any(a > b for a, b in itertools.pairwise(shifts)):
            return True
    return False


def previous_week_templates(
    previous: WeekResult,
) -> dict[tuple[Day | None, Direction], dict[str, Template]]:
    """Templates from last week: each weekday's own routes, and the week's as a fallback."""
    templates: dict[tuple[Day | None, Direction], dict[str, Template]] = {}
    for direction in (Direction.TO_CENTRE, Direction.FROM_CENTRE):
        plans = [r for r in previous.plans if r.direction == direction]
        templates[(None, direction)] = templates_from(plans)
        for result in plans:
            templates[(result.day, direction)] = templates_from(result)
    return templates
