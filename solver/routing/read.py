"""A solution read back as domain routes, timed, with the day's key figures.

The visits in order are timed again as a small linear programme
(:mod:`solver.routing.schedule`), with the driver's breaks.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence, Set

import structlog
from ortools.constraint_solver import pywrapcp

from solver.domain import (
    DayProblem,
    DriverBreak,
    Kpis,
    Route,
    SeatingLayout,
    Stop,
    StopKind,
    Unassigned,
)
from solver.routing.destinations import REMEDIES
from solver.routing.model import (
    TIME_DIMENSION,
    DayModel,
    Visit,
    VisitKind,
    direct_s,
    fixed_times,
    shares_stop,
)
from solver.routing.schedule import (
    DURATION_WEIGHT,
    BreakSlot,
    RideLimit,
    schedule_route_with_breaks,
)
from solver.travel import TravelTimes

log = structlog.get_logger(__name__)


def read_routes(
    model: DayModel, solution: pywrapcp.Assignment, *, set_down: bool = True
) -> list[Route]:
    """The solution's non-empty routes as domain objects (no geometry), stops merged per address.

    With ``set_down`` (always, but in the test that shows the rule binds), a route that
    drives someone past their destination is reordered so that nobody does, where it can be
    (:mod:`solver.routing.destinations`).
    """
    routing, manager = model.routing, model.manager
    time_dim = routing.GetDimensionOrDie(TIME_DIMENSION)
    routes: list[Route] = []
    for vehicle_index in range(len(model.vehicles)):
        index = routing.Start(vehicle_index)
        if routing.IsEnd(solution.Value(routing.NextVar(index))):
            continue
        sequence: list[tuple[int, int]] = []  # (visit id, service start)
        while True:
            visit_id = manager.IndexToNode(index)
            sequence.append((visit_id, solution.Value(time_dim.CumulVar(index))))
            if routing.IsEnd(index):
                break
            index = solution.Value(routing.NextVar(index))
        if model.visits[sequence[-1][0]].node is None:
            sequence.pop()  # an open route end is no place: the route ends at its last stop
        taken = _breaks_taken(model, vehicle_index, solution, sequence)
        fixed = fixed_times(model, sequence)
        reordered = _set_down_at_destinations(model, vehicle_index, sequence, fixed)
        if set_down and reordered is not None:
            sequence, slots, starts = reordered
        else:
            sequence, slots, starts = retime(model, vehicle_index, sequence, *taken, fixed=fixed)
        routes.append(timed_route(model, vehicle_index, sequence, slots, starts))
    return routes


def timed_route(
    model: DayModel,
    vehicle_index: int,
    sequence: Sequence[tuple[int, int]],
    slots: Sequence[BreakSlot] = (),
    starts: Sequence[int] = (),
) -> Route:
    """The route driving ``sequence``: ``(visit id, service start)`` pairs, depot to depot.

    Stops merged per address, distance, duration, cost, layout and the driver's breaks
    (``slots`` starting at ``starts``).
    """
    vehicle = model.vehicles[vehicle_index]
    stops = _stops([(model.visits[v], t) for v, t in sequence], {s.leg for s in slots})
    distance = sum(int(model.distances_m[a, b]) for (a, _), (b, _) in itertools.pairwise(sequence))
    duration = stops[-1].arrival_s - stops[0].departure_s
    cost = vehicle.tariff.route_cost(distance, duration)
    return Route(
        vehicle_id=vehicle.vehicle_id,
        stops=tuple(stops),
        distance_m=distance,
        duration_s=duration,
        cost=round(cost, 2),
        layout=(
            SeatingLayout(vehicle.seats, vehicle.wheelchair_places)
            if model.problem.settings.choose_layouts
            else None
        ),
        breaks=tuple(
            DriverBreak(start, slot.duration_s) for slot, start in zip(slots, starts, strict=True)
        ),
    )


def _set_down_at_destinations(
    model: DayModel,
    vehicle_index: int,
    sequence: list[tuple[int, int]],
    fixed: Mapping[int, int],
) -> tuple[list[tuple[int, int]], list[BreakSlot], list[int]] | None:
    """The route reordered and timed so that nobody rides past their destination, or None.

    None when it does not, or when no reorder keeps every rule and can be timed (with a
    break where the rule needs one). The depot ends stay where they are.
    """
    visit_ids = [visit_id for visit_id, _ in sequence]
    has_end = model.visits[visit_ids[-1]].kind == VisitKind.END
    inner = visit_ids[1:-1] if has_end else visit_ids[1:]
    for remedy in REMEDIES:
        moved = remedy(model, inner)
        if moved == inner or not route_holds(model, vehicle_index, moved):
            continue
        ids = [visit_ids[0], *moved, *visit_ids[-1:]] if has_end else [visit_ids[0], *moved]
        found = _timed(model, vehicle_index, ids, fixed)
        if found is not None:
            slots, (times, starts) = found
            return list(zip(ids, times, strict=True)), slots, starts
    return None


def _breaks_taken(
    model: DayModel,
    vehicle_index: int,
    solution: pywrapcp.Assignment,
    sequence: Sequence[tuple[int, int]],
) -> tuple[list[BreakSlot], list[int]]:
    """The breaks the solution performs within the route: their legs and starts.

    A break on leg ``i`` starts after visit ``i``'s service (OR-Tools keeps breaks off
    services) and before visit ``i+1``. Breaks before the route starts or after it ends
    (OR-Tools may perform an optional one there) are dropped: they count for nothing.
    """
    rule = model.problem.settings.driver_break
    if rule is None or not sequence:
        return [], []
    found: list[tuple[int, int]] = []  # (leg, start)
    for interval in model.breaks.get(vehicle_index, ()):
        if not solution.PerformedValue(interval):
            continue
        start = solution.StartValue(interval)
        if start < sequence[0][1] or start + rule.duration_s > sequence[-1][1]:
            continue
        leg = max(i for i, (_, t) in enumerate(sequence) if t <= start)
        if leg < len(sequence) - 1:
            found.append((leg, start))
    found.sort()
    return [BreakSlot(leg, rule.duration_s) for leg, _ in found], [start for _, start in found]


def retime(
    model: DayModel,
    vehicle_index: int,
    sequence: list[tuple[int, int]],
    breaks: Sequence[BreakSlot] = (),
    break_starts: Sequence[int] = (),
    fixed: Mapping[int, int] | None = None,
) -> tuple[list[tuple[int, int]], list[BreakSlot], list[int]]:
    """The route's visits with service starts chosen by ``schedule_route``, and its breaks.

    With a break rule, a route that cannot be timed without a break gets one, on the leg
    where it times best (``best_break``): OR-Tools proves a break fits, but the break start
    it reports need not agree with the cumuls its finalisers choose. Keeps OR-Tools' times
    and ``breaks`` (and logs) in the should-not-happen case that no timing is found; the
    checker then reports what is wrong. ``fixed``: service starts by visit id to keep.
    """
    visit_ids = [visit_id for visit_id, _ in sequence]
    found = _timed(model, vehicle_index, visit_ids, fixed)
    if found is None:
        log.warning("route timing not found; keeping the search's times")
        return sequence, list(breaks), list(break_starts)
    slots, (times, starts) = found
    return list(zip(visit_ids, times, strict=True)), slots, starts


def _timed(
    model: DayModel,
    vehicle_index: int,
    visit_ids: Sequence[int],
    fixed: Mapping[int, int] | None,
) -> tuple[list[BreakSlot], tuple[list[int], list[int]]] | None:
    """The route's timing (visit times, break starts) and its breaks, or None.

    Without a break first; with the break rule, one break where it times best where the
    route cannot be timed without.
    """
    timed = route_timing(model, vehicle_index, visit_ids, fixed=fixed)
    if timed is not None:
        return [], timed
    if model.problem.settings.driver_break is not None:
        return best_break(model, vehicle_index, visit_ids, fixed)
    return None


def best_break(
    model: DayModel,
    vehicle_index: int,
    visit_ids: Sequence[int],
    fixed: Mapping[int, int] | None = None,
) -> tuple[list[BreakSlot], tuple[list[int], list[int]]] | None:
    """The leg where one driver's break times the route best, with that timing, or None.

    Tries the break on every leg (one LP each) and keeps the shortest route, then the least
    riding (as ``schedule_route`` ranks timings); the earliest leg wins ties.
    """
    rule = model.problem.settings.driver_break
    if rule is None:
        return None
    best: tuple[float, list[BreakSlot], tuple[list[int], list[int]]] | None = None
    position = {v: i for i, v in enumerate(visit_ids)}
    rides = [(position[p], position[d]) for p, d in model.pairs if p in position]
    for leg in range(len(visit_ids) - 1):
        slots = [BreakSlot(leg, rule.duration_s)]
        timed = route_timing(model, vehicle_index, visit_ids, slots, fixed)
        if timed is None:
            continue
        times = timed[0]
        score = DURATION_WEIGHT * (times[-1] - times[0]) + sum(
            times[d] - times[p] for p, d in rides
        )
        if best is None or score < best[0]:
            best = (score, slots, timed)
    return None if best is None else (best[1], best[2])


def route_times(model: DayModel, vehicle_index: int, visit_ids: Sequence[int]) -> list[int] | None:
    """Service starts for a vehicle's visits in this order (depot to depot), or None.

    Honours windows (the shift at the depot), travel and service times (one shared boarding
    time at an address, as the model counts it: ``model.transit_s``), ride limits and the
    vehicle's longest route; with a break rule, the route takes no break, so it must be short
    enough to need none.
    """
    timed = route_timing(model, vehicle_index, visit_ids)
    return None if timed is None else timed[0]


def route_timing(
    model: DayModel,
    vehicle_index: int,
    visit_ids: Sequence[int],
    breaks: Sequence[BreakSlot] = (),
    fixed: Mapping[int, int] | None = None,
    *,
    with_ride_limits: bool = True,
) -> tuple[list[int], list[int]] | None:
    """``route_times`` with the driver's ``breaks`` on their legs: (visit times, break starts).

    ``fixed``: service starts by visit id that the timing must keep (``fixed_times``).
    Without ``with_ride_limits``, rides may take any time (a hand edit's route that breaks a
    ride limit is still timed within its windows, so that only that limit is reported).
    """
    shift = model.vehicles[vehicle_index].shift
    fixed = fixed or {}
    windows = [
        (fixed[v], fixed[v])
        if v in fixed
        else (shift.start_s, shift.end_s)
        if model.visits[v].at_depot
        else (model.visits[v].window.start_s, model.visits[v].window.end_s)
        for v in visit_ids
    ]
    legs = [int(model.transit_s[a, b]) for a, b in itertools.pairwise(visit_ids)]
    position = {v: i for i, v in enumerate(visit_ids)}
    rides = []
    for pickup_id, dropoff_id in model.pairs if with_ride_limits else ():
        if pickup_id in position:
            pickup = model.visits[pickup_id]
            assert pickup.passenger_id is not None
            limit = model.max_ride_s[pickup.passenger_id] + pickup.service_s
            rides.append(RideLimit(position[pickup_id], position[dropoff_id], limit))
    rule = model.problem.settings.driver_break
    return schedule_route_with_breaks(
        windows,
        legs,
        rides,
        model.vehicles[vehicle_index].max_route_s,
        service_s=[model.visits[v].service_s for v in visit_ids],
        breaks=breaks,
        max_work_s=None if rule is None else rule.max_work_s,
    )


def route_fits(model: DayModel, vehicle_index: int, visit_ids: Sequence[int]) -> bool:
    """Whether the vehicle can drive these visits (between its start and end) in this order.

    Checks pairs, strict vehicle pins, allowed vehicles, seats, wheelchair places, riding
    alone, incompatible pairs (:func:`route_holds`) and timing, so that only feasible routes
    reach ``ReadAssignmentFromRoutes`` (which searches without a time limit).
    """
    if not route_holds(model, vehicle_index, visit_ids):
        return False
    ends = [model.manager.IndexToNode(model.routing.Start(vehicle_index))]
    last = [model.manager.IndexToNode(model.routing.End(vehicle_index))]
    return route_times(model, vehicle_index, ends + list(visit_ids) + last) is not None


def route_holds(model: DayModel, vehicle_index: int, visit_ids: Sequence[int]) -> bool:
    """Whether these visits (depot ends left out) keep every rule but timing on the vehicle."""
    vehicle = model.vehicles[vehicle_index]
    by_id = {p.passenger_id: p for p in model.passengers}
    alone = {pid for pid, p in by_id.items() if p.ride_alone}
    apart = [set(pair) for pair in model.problem.incompatible_pairs]
    seats = wheelchairs = 0
    aboard: set[int] = set()
    riding: set[str] = set()
    pickup_of = {d: p for p, d in model.pairs}
    for visit_id in visit_ids:
        visit = model.visits[visit_id]
        pid = visit.passenger_id or ""
        pin = model.problem.pins.get(pid)
        if pin is not None and pin.is_strict and pin.vehicle_id not in (None, vehicle.vehicle_id):
            return False
        if pid in by_id and not by_id[pid].may_ride(vehicle.vehicle_id):
            return False
        if visit.kind == VisitKind.DROPOFF:
            if pickup_of[visit_id] not in aboard:
                return False
            aboard.discard(pickup_of[visit_id])
            riding.discard(pid)
        else:
            aboard.add(visit_id)
            riding.add(pid)
        seats += visit.seats_delta
        wheelchairs += visit.wheelchair_delta
        if seats > vehicle.seats or wheelchairs > vehicle.wheelchair_places:
            return False
        if len(riding) > 1 and (riding & alone or any(pair <= riding for pair in apart)):
            return False
    return not aboard


def _stops(sequence: list[tuple[Visit, int]], break_legs: Set[int] = frozenset()) -> list[Stop]:
    """Merge consecutive visits at one address into one stop.

    The stop starts with its first visit's service and ends with its last one's; visits there
    share one boarding time (``solver.routing.model.visit_transits``), so the stop lasts at
    least the longest of theirs, however they are ordered. A visit that starts after the
    group's services are all done (the vehicle waited for it) starts a new stop at the same
    address, and so does a driver's break (on a leg in ``break_legs``).
    """
    seats = wheelchairs = 0
    stops: list[Stop] = []
    open_group: list[tuple[Visit, int]] = []

    def close_group() -> None:
        nonlocal seats, wheelchairs
        first_visit, first_time = open_group[0]
        last_visit, last_time = open_group[-1]
        for visit, _ in open_group:
            seats += visit.seats_delta
            wheelchairs += visit.wheelchair_delta
        kind = (
            StopKind.DEPOT
            if first_visit.at_depot
            else StopKind.CENTRE
            if first_visit.centre_id is not None
            else StopKind.HOME
        )
        stops.append(
            Stop(
                kind=kind,
                location=first_visit.location,
                arrival_s=first_time,
                departure_s=last_time + last_visit.service_s,
                pickups=tuple(
                    v.passenger_id
                    for v, _ in open_group
                    if v.kind == VisitKind.PICKUP and v.passenger_id is not None
                ),
                dropoffs=tuple(
                    v.passenger_id
                    for v, _ in open_group
                    if v.kind == VisitKind.DROPOFF and v.passenger_id is not None
                ),
                load_seats=seats,
                load_wheelchair_places=wheelchairs,
                centre_id=first_visit.centre_id,
            )
        )
        open_group.clear()

    for position, (visit, cumul) in enumerate(sequence):
        if open_group:
            previous, _ = open_group[-1]
            done_s = max(time + v.service_s for v, time in open_group)
            # Boarding that starts once the others' is done, after a wait, is a stop of its
            # own: a manifest then shows when that passenger is fetched, not when the
            # vehicle first came.
            waited = cumul > done_s
            if not shares_stop(previous, visit) or position - 1 in break_legs or waited:
                close_group()
        open_group.append((visit, cumul))
    close_group()
    return stops


def ride_times(routes: Iterable[Route]) -> dict[str, int]:
    """Per served passenger: drop-off stop arrival - pickup stop departure, seconds."""
    picked: dict[str, int] = {}
    rides: dict[str, int] = {}
    for route in routes:
        for stop in route.stops:
            for pid in stop.pickups:
                picked[pid] = stop.departure_s
            for pid in stop.dropoffs:
                rides[pid] = stop.arrival_s - picked[pid]
    return rides


def day_kpis(
    problem: DayProblem,
    routes: Sequence[Route],
    unassigned: Sequence[Unassigned],
    matrices: TravelTimes,
) -> Kpis:
    """Vehicles, distance, vehicle time, cost and ride-time figures of a day-direction."""
    rides = ride_times(routes)
    by_id = {p.passenger_id: p for p in problem.passengers}
    ratios = []
    for pid, ride in rides.items():
        direct = direct_s(problem, by_id[pid], matrices)
        if direct > 0:
            ratios.append(ride / direct)
    return Kpis(
        num_vehicles=len(routes),
        num_passengers=len(rides),
        num_unassigned=len(unassigned),
        distance_m=sum(r.distance_m for r in routes),
        vehicle_s=sum(r.duration_s for r in routes),
        cost=round(sum(r.cost for r in routes), 2),
        mean_ride_s=round(sum(rides.values()) / len(rides), 1) if rides else 0.0,
        max_ride_s=max(rides.values(), default=0),
        mean_ride_ratio=round(sum(ratios) / len(ratios), 3) if ratios else 0.0,
    )
