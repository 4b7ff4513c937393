"""Repairs of a searched day: warm starts, and inserting passengers the search left out.

A warm start's routes are read into a model; a passenger the search left out goes where a
route can still take them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import structlog
from ortools.constraint_solver import pywrapcp

from solver.domain import (
    DayResult,
)
from solver.routing.model import (
    DayModel,
    VisitKind,
)
from solver.routing.read import route_fits

log = structlog.get_logger(__name__)


def passenger_visits(model: DayModel) -> dict[tuple[str, VisitKind], int]:
    """Each passenger's pickup and drop-off visit ids, by (passenger id, kind)."""
    visit_of: dict[tuple[str, VisitKind], int] = {}
    for pickup_id, dropoff_id in model.pairs:
        pid = model.visits[pickup_id].passenger_id
        assert pid is not None
        visit_of[(pid, VisitKind.PICKUP)] = pickup_id
        visit_of[(pid, VisitKind.DROPOFF)] = dropoff_id
    return visit_of


def initial_assignment(model: DayModel, start: DayResult) -> pywrapcp.Assignment | None:
    """``start``'s routes as an OR-Tools assignment of ``model``, or None if they do not fit.

    None where a centre's entrance is limited: ``ReadAssignmentFromRoutes`` has no time limit
    and can search for minutes over the cumulative constraint (``insert_unserved``).
    """
    if model.entrance_limited:
        return None
    visit_of = passenger_visits(model)
    by_vehicle = {route.vehicle_id: route for route in start.routes}
    routes: list[list[int]] = []
    placed: set[str] = set()  # a vehicle laid out several ways takes its route once
    for vehicle in model.vehicles:
        route = by_vehicle.get(vehicle.vehicle_id) if vehicle.vehicle_id not in placed else None
        indices: list[int] = []
        if route is not None:
            # Passengers whose pickup or drop-off moved (a home exception, a new address)
            # are left for the search to insert.
            moved = {
                pid
                for stop in route.stops
                for pid, kind in [(p, VisitKind.PICKUP) for p in stop.pickups]
                + [(p, VisitKind.DROPOFF) for p in stop.dropoffs]
                if (pid, kind) in visit_of
                and model.visits[visit_of[(pid, kind)]].location != stop.location
            }
            for stop in route.stops:
                for pid in stop.dropoffs:
                    if (pid, VisitKind.PICKUP) in visit_of and pid not in moved:
                        indices.append(
                            model.manager.NodeToIndex(visit_of[(pid, VisitKind.DROPOFF)])
                        )
                for pid in stop.pickups:
                    if (pid, VisitKind.PICKUP) in visit_of and pid not in moved:
                        indices.append(model.manager.NodeToIndex(visit_of[(pid, VisitKind.PICKUP)]))
        visit_ids = [model.manager.IndexToNode(i) for i in indices]
        fits = bool(indices) and route_fits(model, len(routes), visit_ids)
        if fits:
            placed.add(vehicle.vehicle_id)
        routes.append(indices if fits else [])
    assignment: pywrapcp.Assignment | None = model.routing.ReadAssignmentFromRoutes(routes, True)
    if assignment is None:
        log.info("warm start rejected; solving from scratch")
    return assignment


MAX_REPAIR_TRIES = 300
"""Most candidate routes ``insert_unserved`` times (each a small LP) per day-direction."""

MAX_IDLE_REPAIR_TRIES = 40
"""Most idle vehicles ``insert_unserved`` times on a day-direction once the insertions into
driving routes are used up (each a small LP, about 4 ms on a Bergen day): a day with many
truly unservable passengers stays quick."""

REPAIR_BUDGET_SHARE = 0.05
"""Share of a day-direction's search time ``insert_unserved`` may take on top (at least
``MIN_REPAIR_S``)."""

MIN_REPAIR_S = 0.2

MAX_OPENED_REPAIR_TRIES = 120
"""Most insertions ``insert_unserved`` times, past its clock and caps, into routes it opened
itself on idle vehicles (short routes: each a small LP). Without them every passenger left
after the clock took an idle vehicle of their own: a Bergen Friday afternoon whose search
ran short came back with 40 vehicles carrying one passenger each (docs/benchmarks.md,
scenario batches at 90 s)."""

MAX_REPAIR_ROUTES = 3
"""Timed insertions of one passenger OR-Tools may refuse before ``insert_unserved`` gives up."""


def insert_unserved(
    model: DayModel,
    solution: pywrapcp.Assignment,
    seconds: float | None = MIN_REPAIR_S,
    rebuild: Callable[[], DayModel] | None = None,
) -> tuple[DayModel, pywrapcp.Assignment]:
    """The solution with passengers the search left out inserted where they fit, if any do.

    A short search can end with a passenger unserved whom some route could still take (seen
    on small budgets with soft pins, where no warm start is possible). Each unserved
    passenger, in model order, goes where ``route_fits`` accepts their pickup and drop-off
    back to back at the least extra distance (``_insertions``, cheapest first; an idle vehicle
    only after every driving route, and even past the clock), once OR-Tools
    accepts the routes so changed (``route_fits`` times a route, but some constraints only
    the model holds; it may refuse ``MAX_REPAIR_ROUTES`` times). At most
    ``MAX_REPAIR_TRIES`` candidate routes
    are timed in all, and none after ``seconds`` (``None``: no clock, so the same solution
    is always repaired the same way), so a day with many truly unservable passengers stays
    quick; past them, routes this repair opened on idle vehicles are still tried
    (``MAX_OPENED_REPAIR_TRIES``), so that passengers share them. Not done where drivers
    take breaks, nor where a centre's entrance is limited
    (``ReadAssignmentFromRoutes``, which has no time limit, searched for minutes over the
    cumulative constraint on the Bergen week with one ramp per centre).

    A model that has been searched with guided local search may refuse routes that a fresh
    copy of it accepts (seen on pinned Bergen days: every insertion refused, even into an
    empty vehicle); ``rebuild`` makes that copy. Returns the model the solution belongs to
    and the solution.
    """
    deadline = None if seconds is None else time.perf_counter() + seconds
    if model.breaks or model.entrance_limited:
        # Restoring routes whose breaks OR-Tools must place again, or whose set-downs it must
        # fit at a limited entrance, can search for long (ReadAssignmentFromRoutes has no
        # time limit): no repair there.
        return model, solution
    manager = model.manager
    routes = visit_routes(model, solution)
    served = {v for visit_ids in routes for v in visit_ids}
    unserved = [(p, d) for p, d in model.pairs if p not in served]
    tries = idle_tries = opened_tries = 0
    opened: set[int] = set()  # idle vehicles this repair put passengers on
    repaired: pywrapcp.Assignment | None = None
    reader = model
    for pickup_id, dropoff_id in unserved:
        refused = 0
        insertions = _insertions(model, routes, pickup_id, dropoff_id)
        # Into the routes that drive, cheapest first, within the caps; then, if none took
        # them, onto each kind of idle vehicle, whatever the clock (at most
        # MAX_IDLE_REPAIR_TRIES on the day, each a small LP): serving comes first. Sorted
        # together, an idle vehicle came after hundreds of insertions into pinned routes
        # that could not take the passenger, and the strict Bergen week left one passenger
        # out while vehicle V016 stood idle.
        driving = [i for i in insertions if routes[i[1]]]
        idle = [i for i in insertions if not routes[i[1]]]
        for _, vehicle_index, position in [*driving, *idle]:
            if refused >= MAX_REPAIR_ROUTES:
                break
            if routes[vehicle_index]:
                tries += 1
                late = deadline is not None and time.perf_counter() > deadline
                if tries > MAX_REPAIR_TRIES or late:
                    # Past the caps only idle vehicles, and the routes this repair opened on
                    # them (sharing one costs less than opening another), are still tried.
                    if vehicle_index not in opened or opened_tries >= MAX_OPENED_REPAIR_TRIES:
                        continue
                    opened_tries += 1
            else:
                idle_tries += 1
                if idle_tries > MAX_IDLE_REPAIR_TRIES:
                    break
            visit_ids = routes[vehicle_index]
            route = [*visit_ids[:position], pickup_id, dropoff_id, *visit_ids[position:]]
            if not route_fits(model, vehicle_index, route):
                continue
            candidate = [*routes[:vehicle_index], route, *routes[vehicle_index + 1 :]]
            indices = [[manager.NodeToIndex(v) for v in ids] for ids in candidate]
            # route_fits times the route; OR-Tools also checks what it does not model.
            assignment = reader.routing.ReadAssignmentFromRoutes(indices, True)
            if assignment is None and reader is model and rebuild is not None:
                reader = rebuild()
                assignment = reader.routing.ReadAssignmentFromRoutes(indices, True)
            if assignment is None:
                refused += 1
                continue
            if not routes[vehicle_index]:
                opened.add(vehicle_index)
            routes, repaired = candidate, assignment
            break
    if repaired is None:
        return model, solution
    if reader is not model:
        log.info("unserved passengers inserted on a fresh model")
    return reader, repaired


def _insertions(
    model: DayModel, routes: Sequence[Sequence[int]], pickup_id: int, dropoff_id: int
) -> list[tuple[int, int, int]]:
    """Where a pickup and its drop-off may go back to back: (extra metres, vehicle, position).

    Cheapest first; vehicles the passenger may not ride (or is strictly pinned away from)
    are left out, and of empty vehicles alike in depot, capacity, shift and tariff only
    the first is listed.
    """
    routing, manager = model.routing, model.manager
    driving = {model.vehicles[i].vehicle_id: i for i, visit_ids in enumerate(routes) if visit_ids}
    pid = model.visits[pickup_id].passenger_id or ""
    pin = model.problem.pins.get(pid)
    passenger = next(p for p in model.passengers if p.passenger_id == pid)
    empty_kinds: set[tuple[object, ...]] = set()
    found: list[tuple[int, int, int]] = []
    for vehicle_index, visit_ids in enumerate(routes):
        vehicle = model.vehicles[vehicle_index]
        if driving.get(vehicle.vehicle_id, vehicle_index) != vehicle_index:
            continue  # another layout of this vehicle drives
        if not passenger.may_ride(vehicle.vehicle_id) or (
            pin is not None and pin.is_strict and pin.vehicle_id not in (None, vehicle.vehicle_id)
        ):
            continue
        start = manager.IndexToNode(routing.Start(vehicle_index))
        end = manager.IndexToNode(routing.End(vehicle_index))
        if not visit_ids:
            kind = (
                *(model.visits[start].node, model.visits[end].node, vehicle.seats),
                *(vehicle.wheelchair_places, vehicle.shift, vehicle.tariff, vehicle.max_route_s),
            )
            if kind in empty_kinds:
                continue
            empty_kinds.add(kind)
        full = [start, *visit_ids, end]
        for position in range(len(visit_ids) + 1):
            before, after = full[position], full[position + 1]
            extra = int(
                model.distances_m[before, pickup_id]
                + model.distances_m[pickup_id, dropoff_id]
                + model.distances_m[dropoff_id, after]
                - model.distances_m[before, after]
            )
            found.append((extra, vehicle_index, position))
    found.sort()
    return found


def visit_routes(model: DayModel, solution: pywrapcp.Assignment) -> list[list[int]]:
    """Per vehicle, the visits (model nodes) of its route in order, depot ends left out."""
    routing, manager = model.routing, model.manager
    routes: list[list[int]] = []
    for vehicle_index in range(len(model.vehicles)):
        index = solution.Value(routing.NextVar(routing.Start(vehicle_index)))
        visit_ids: list[int] = []
        while not routing.IsEnd(index):
            visit_ids.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        routes.append(visit_ids)
    return routes
