"""Peer solvers on the same instances and the same integer matrices, read back as DayResults.

Each peer gets a ``BenchInstance``'s ``DayProblem`` and matrices, solves with its own
library, and returns the order in which each vehicle visits pickups and drop-offs. Those
orders become dagrute ``DayResult``s (:func:`result_from_orders`) so that dagrute's own
checker counts what each peer breaks, ride-time limits above all (neither VROOM nor PyVRP
models a maximum ride time).

Timing. A peer's route is re-timed with dagrute's route-timing LP
(``solver.routing.schedule.schedule_route``): the best timing of that visit order. Where no timing
keeps every rule, the LP is retried without the route-length limit, then without the ride
limits, then without both; failing that (the order breaks a window whatever the timing) the
visits start as early as travel allows. The checker then reports what that timing breaks;
``timing`` in the run records how many routes needed which relaxation.

* ``ortools-default``: dagrute's own model through ``solve_day`` with OR-Tools' AUTOMATIC
  first solution and metaheuristic (a local optimum, usually well inside the time limit).
* ``vroom`` (pyvroom): shipments (DARP) or jobs (VRPTW) with time windows, service times,
  capacities, the vehicle's window and ``max_travel_time`` = ``max_route_s`` (VROOM bounds
  travel time only, not waiting: a route may still last too long). Cost = distance matrix.
* ``pyvrp``: clients (VRPTW) or shipments (PDPTW, PyVRP 0.14+) with time windows, service
  times, capacities and ``shift_duration`` = ``max_route_s``; unit distance cost.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

from benchmarks.adapters import BenchInstance
from solver.domain import (
    DayProblem,
    DayResult,
    LatLon,
    Passenger,
    Reason,
    Route,
    Stop,
    StopKind,
    Unassigned,
    Vehicle,
    alighting_s,
    boarding_s,
    max_ride_limit_s,
)
from solver.routing.model import (
    direct_s,
    passenger_windows,
    trip_ends,
)
from solver.routing.read import day_kpis
from solver.routing.schedule import RideLimit, schedule_route
from solver.routing.screen import screen
from solver.routing.search import SearchParams, solve_day
from solver.travel import TravelTimes

NO_LIMIT = int(np.iinfo(np.int64).max)
"""PyVRP's own default for an unlimited shift duration."""

Order = list[tuple[str, bool]]
"""A vehicle's visits in order: (passenger id, True for the pickup / False for the drop-off)."""


@dataclass
class PeerRun:
    """A solver's result on one instance: the DayResult, wall seconds, how routes were timed."""

    result: DayResult
    wall_s: float
    timing: dict[str, int] = field(default_factory=dict)
    note: str = ""


# ------------------------------------------------------------------------------- OR-Tools


def solve_ortools_default(instance: BenchInstance, time_limit_s: float, seed: int) -> PeerRun:
    """dagrute's model with OR-Tools' default (AUTOMATIC) search strategy."""
    params = SearchParams(
        time_limit_s=time_limit_s,
        seed=seed,
        first_solution="AUTOMATIC",
        metaheuristic="AUTOMATIC",
        by_parts=False,  # OR-Tools' own search alone, as the peer it stands for
    )
    started = time.perf_counter()
    result = solve_day(instance.problem, instance.matrices, params)
    return PeerRun(result, time.perf_counter() - started)


# ---------------------------------------------------------------------------------- VROOM


def solve_vroom(instance: BenchInstance, time_limit_s: float, threads: int = 1) -> PeerRun:
    """VROOM (pyvroom) at exploration level 5 on ``threads`` threads."""
    import vroom

    problem, matrices = instance.problem, instance.matrices
    started = time.perf_counter()
    candidates = screen(problem, matrices).candidates
    vroom_input = vroom.Input()
    vroom_input.set_durations_matrix("car", np.asarray(matrices.durations_s, dtype=np.uint32))
    vroom_input.set_costs_matrix("car", np.asarray(matrices.distances_m, dtype=np.uint32))
    for number, vehicle in enumerate(problem.vehicles, start=1):
        depot = matrices.index_of(vehicle.depot)
        vroom_input.add_vehicle(
            vroom.Vehicle(
                number,
                start=depot,
                end=depot if problem.settings.return_to_depot else None,
                capacity=[vehicle.seats, vehicle.wheelchair_places],
                time_window=vroom.TimeWindow(vehicle.shift.start_s, vehicle.shift.end_s),
                max_travel_time=vehicle.max_route_s,
            )
        )
    ids: dict[int, tuple[str, bool]] = {}
    for number, passenger in enumerate(candidates):
        origin, destination = trip_ends(problem, passenger)
        pickup_window, dropoff_window = passenger_windows(problem, passenger)
        amount = [passenger.num_seats, passenger.num_wheelchair_places]
        service = problem.settings.service
        pickup_id, dropoff_id = 2 * number + 1, 2 * number + 2
        ids[pickup_id] = (passenger.passenger_id, True)
        ids[dropoff_id] = (passenger.passenger_id, False)
        dropoff_step = {
            "location": matrices.index_of(destination),
            "default_service": alighting_s(passenger, service),
            "time_windows": [vroom.TimeWindow(dropoff_window.start_s, dropoff_window.end_s)],
        }
        if instance.kind == "vrptw":
            vroom_input.add_job(vroom.Job(dropoff_id, delivery=amount, **dropoff_step))
        else:
            vroom_input.add_shipment(
                vroom.ShipmentStep(
                    pickup_id,
                    location=matrices.index_of(origin),
                    default_service=boarding_s(passenger, service),
                    time_windows=[vroom.TimeWindow(pickup_window.start_s, pickup_window.end_s)],
                ),
                vroom.ShipmentStep(dropoff_id, **dropoff_step),
                amount=vroom.Amount(amount),
            )
    solution = vroom_input.solve(
        exploration_level=5, nb_threads=threads, timeout=timedelta(seconds=time_limit_s)
    )
    orders: list[tuple[Vehicle, Order]] = []
    for route in solution.to_dict()["routes"]:
        vehicle = problem.vehicles[int(route["vehicle"]) - 1]
        order: Order = []
        for step in route["steps"]:
            if step["type"] in ("pickup", "delivery", "job"):
                passenger_id, is_pickup = ids[int(step["id"])]
                if instance.kind == "vrptw":
                    order.append((passenger_id, True))  # boards at the depot (moved first)
                order.append((passenger_id, is_pickup))
        orders.append((vehicle, _pickups_first(order, instance.kind)))
    return _peer_run(instance, orders, started)


# ---------------------------------------------------------------------------------- PyVRP


def solve_pyvrp(instance: BenchInstance, time_limit_s: float, seed: int) -> PeerRun:
    """PyVRP's iterated local search for ``time_limit_s`` seconds."""
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    problem, matrices = instance.problem, instance.matrices
    started = time.perf_counter()
    candidates = screen(problem, matrices).candidates
    model = Model()
    points = matrices.points
    locations = [
        model.add_location(*instance.coords.get(point, (point.lon, point.lat))) for point in points
    ]
    depots = {}
    for vehicle in problem.vehicles:
        if vehicle.depot not in depots:
            depots[vehicle.depot] = model.add_depot(locations[matrices.index_of(vehicle.depot)])
    groups: dict[tuple[object, ...], list[Vehicle]] = {}
    for vehicle in problem.vehicles:
        key = (
            vehicle.depot,
            vehicle.seats,
            vehicle.wheelchair_places,
            vehicle.shift,
            vehicle.max_route_s,
        )
        groups.setdefault(key, []).append(vehicle)
    type_vehicles = list(groups.values())
    for vehicles in type_vehicles:
        first = vehicles[0]
        depot = depots[first.depot]
        model.add_vehicle_type(
            num_available=len(vehicles),
            capacity=[first.seats, first.wheelchair_places],
            start_depot=depot,
            end_depot=depot,
            tw_early=first.shift.start_s,
            tw_late=first.shift.end_s,
            shift_duration=NO_LIMIT if first.max_route_s is None else first.max_route_s,
        )
    service = problem.settings.service
    for passenger in candidates:
        origin, destination = trip_ends(problem, passenger)
        pickup_window, dropoff_window = passenger_windows(problem, passenger)
        amount = [passenger.num_seats, passenger.num_wheelchair_places]
        if instance.kind == "vrptw":
            model.add_client(
                locations[matrices.index_of(destination)],
                delivery=amount,
                service_duration=alighting_s(passenger, service),
                tw_early=dropoff_window.start_s,
                tw_late=dropoff_window.end_s,
            )
        else:
            model.add_shipment(
                locations[matrices.index_of(origin)],
                locations[matrices.index_of(destination)],
                pickup_tw_early=pickup_window.start_s,
                pickup_tw_late=pickup_window.end_s,
                pickup_service_duration=boarding_s(passenger, service),
                delivery_tw_early=dropoff_window.start_s,
                delivery_tw_late=dropoff_window.end_s,
                delivery_service_duration=alighting_s(passenger, service),
                amount=amount,
            )
    durations, distances = matrices.durations_s, matrices.distances_m
    for (i, a), (j, b) in itertools.product(enumerate(locations), repeat=2):
        model.add_edge(a, b, distance=int(distances[i, j]), duration=int(durations[i, j]))
    found = model.solve(stop=MaxRuntime(time_limit_s), seed=seed, display=False)
    used = [0] * len(type_vehicles)
    orders: list[tuple[Vehicle, Order]] = []
    for route in found.best.routes():
        vehicle_type = route.vehicle_type()
        vehicle = type_vehicles[vehicle_type][used[vehicle_type]]
        used[vehicle_type] += 1
        order: Order = []
        for activity in route.schedule():
            if activity.is_depot():
                continue
            passenger_id = candidates[activity.idx].passenger_id
            if instance.kind == "vrptw":
                order.append((passenger_id, True))  # boards at the depot (moved first)
                order.append((passenger_id, False))
            else:
                order.append((passenger_id, activity.is_pickup()))
        orders.append((vehicle, _pickups_first(order, instance.kind)))
    note = "" if found.best.is_feasible() else "PyVRP's best solution is infeasible"
    run = _peer_run(instance, orders, started)
    run.note = note
    return run


# ------------------------------------------------------------------ orders -> DayResult


def _pickups_first(order: Order, kind: str) -> Order:
    """VRPTW: every passenger boards at the depot before any drop-off (keeps the order)."""
    if kind != "vrptw":
        return order
    pickups = [(pid, True) for pid, is_pickup in order if is_pickup]
    dropoffs = [(pid, False) for pid, is_pickup in order if not is_pickup]
    return pickups + dropoffs


def _peer_run(
    instance: BenchInstance, orders: Sequence[tuple[Vehicle, Order]], started: float
) -> PeerRun:
    result, timing = result_from_orders(instance.problem, instance.matrices, orders)
    wall_s = time.perf_counter() - started
    return PeerRun(
        DayResult(
            result.day,
            result.direction,
            result.routes,
            result.unassigned,
            result.kpis,
            solve_s=wall_s,
        ),
        wall_s,
        timing,
    )


@dataclass(frozen=True, slots=True)
class _Event:
    passenger: Passenger
    is_pickup: bool
    location: LatLon
    node: int
    window: tuple[int, int]
    service_s: int
    location_kind: StopKind


def result_from_orders(
    problem: DayProblem,
    matrices: TravelTimes,
    orders: Sequence[tuple[Vehicle, Order]],
) -> tuple[DayResult, dict[str, int]]:
    """DayResult for given visit orders, timed by ``schedule_route`` (see the module)."""
    by_id = {p.passenger_id: p for p in problem.passengers}
    service = problem.settings.service
    to_centre = str(problem.direction) == "to_centre"
    routes: list[Route] = []
    timing: dict[str, int] = {}
    served: set[str] = set()
    for vehicle, order in orders:
        if not order:
            continue
        events = []
        for passenger_id, is_pickup in order:
            passenger = by_id[passenger_id]
            served.add(passenger_id)
            origin, destination = trip_ends(problem, passenger)
            pickup_window, dropoff_window = passenger_windows(problem, passenger)
            window = pickup_window if is_pickup else dropoff_window
            at_centre = is_pickup != to_centre
            location = origin if is_pickup else destination
            events.append(
                _Event(
                    passenger,
                    is_pickup,
                    location,
                    matrices.index_of(location),
                    (window.start_s, window.end_s),
                    boarding_s(passenger, service)
                    if is_pickup
                    else alighting_s(passenger, service),
                    StopKind.CENTRE if at_centre else StopKind.HOME,
                )
            )
        route, how = _route(problem, matrices, vehicle, events)
        timing[how] = timing.get(how, 0) + 1
        routes.append(route)
    unassigned = [
        Unassigned(
            p.passenger_id,
            Reason.FLEET_EXHAUSTED,
            "The peer solver left this passenger unserved.",
        )
        for p in problem.passengers
        if p.passenger_id not in served
    ]
    kpis = day_kpis(problem, routes, unassigned, matrices)
    return (
        DayResult(problem.day, problem.direction, tuple(routes), tuple(unassigned), kpis),
        timing,
    )


def _route(
    problem: DayProblem,
    matrices: TravelTimes,
    vehicle: Vehicle,
    events: Sequence[_Event],
) -> tuple[Route, str]:
    depot = matrices.index_of(vehicle.depot)
    returns = problem.settings.return_to_depot
    shift = (vehicle.shift.start_s, vehicle.shift.end_s)
    nodes = [depot] + [e.node for e in events] + ([depot] if returns else [])
    windows = [shift] + [e.window for e in events] + ([shift] if returns else [])
    services = [0] + [e.service_s for e in events] + ([0] if returns else [])
    durations = matrices.durations_s
    legs = [
        services[k] + int(durations[a, b]) for k, (a, b) in enumerate(itertools.pairwise(nodes))
    ]
    positions: dict[str, dict[bool, int]] = {}
    for k, event in enumerate(events, start=1):
        positions.setdefault(event.passenger.passenger_id, {})[event.is_pickup] = k
    rides = []
    for at in positions.values():
        if True in at and False in at and at[True] < at[False]:
            passenger = events[at[True] - 1].passenger
            limit = max_ride_limit_s(
                passenger, direct_s(problem, passenger, matrices), problem.settings.max_ride
            )
            rides.append(RideLimit(at[True], at[False], limit + events[at[True] - 1].service_s))
    times = None
    how = "infeasible order: earliest start"
    for name, use_rides, span in (
        ("best timing", True, vehicle.max_route_s),
        ("without route limit", True, None),
        ("without ride limits", False, vehicle.max_route_s),
        ("without ride and route limits", False, None),
    ):
        times = schedule_route(windows, legs, rides if use_rides else [], span)
        if times is not None:
            how = name
            break
    if times is None:
        times = [windows[0][0]]
        for k, leg in enumerate(legs, start=1):
            times.append(max(windows[k][0], times[-1] + leg))
    stops = _stops(vehicle, events, times, services, returns)
    distance = sum(int(matrices.distances_m[a, b]) for a, b in itertools.pairwise(nodes))
    duration = stops[-1].arrival_s - stops[0].departure_s
    cost = vehicle.tariff.route_cost(distance, duration)
    return Route(vehicle.vehicle_id, tuple(stops), distance, duration, round(cost, 2)), how


def _stops(
    vehicle: Vehicle,
    events: Sequence[_Event],
    times: Sequence[int],
    services: Sequence[int],
    returns: bool,
) -> list[Stop]:
    """Stops: consecutive visits at one place, back to back, share a stop (as in dagrute)."""
    stops = [
        Stop(StopKind.DEPOT, vehicle.depot, times[0], times[0]),
    ]
    seats = wheelchairs = 0
    group: list[int] = []  # indexes into events

    def close() -> None:
        nonlocal seats, wheelchairs
        first, last = group[0], group[-1]
        pickups: list[str] = []
        dropoffs: list[str] = []
        for k in group:
            event = events[k]
            sign = 1 if event.is_pickup else -1
            seats += sign * event.passenger.num_seats
            wheelchairs += sign * event.passenger.num_wheelchair_places
            (pickups if event.is_pickup else dropoffs).append(event.passenger.passenger_id)
        kind = events[first].location_kind
        stops.append(
            Stop(
                kind=kind,
                location=events[first].location,
                arrival_s=times[first + 1],
                departure_s=times[last + 1] + services[last + 1],
                pickups=tuple(pickups),
                dropoffs=tuple(dropoffs),
                load_seats=seats,
                load_wheelchair_places=wheelchairs,
                centre_id=events[first].passenger.centre_id if kind is StopKind.CENTRE else None,
            )
        )
        group.clear()

    for k, event in enumerate(events):
        if group:
            previous = events[group[-1]]
            same_place = (
                previous.node == event.node and previous.location_kind == event.location_kind
            )
            same_centre = (
                event.location_kind is StopKind.HOME
                or previous.passenger.centre_id == event.passenger.centre_id
            )
            back_to_back = times[k + 1] == times[k] + services[k]
            if not (same_place and same_centre and back_to_back):
                close()
        group.append(k)
    close()
    if returns:
        stops.append(Stop(StopKind.DEPOT, vehicle.depot, times[-1], times[-1]))
    return stops
