"""DayProblem + matrices -> OR-Tools routing model, one ``add_<rule>()`` function per rule.

The model is a pickup-and-delivery problem with time windows:

* every vehicle starts at its depot and (with ``settings.return_to_depot``) ends there;
* every served passenger is two visits, a pickup and a drop-off, on the same vehicle, pickup
  first. ``to_centre``: pickup at home, drop-off at the centre; ``from_centre``: pickup at the
  centre, drop-off at home. A route may serve several centres;
* a visit's time cumul is when its service starts; the vehicle may wait before it. The pickup
  starts in the passenger's pickup window and the drop-off in their drop-off window
  (``passenger_windows``: own times, cut by the centre's window on the centre side);
* a route (time from its start to its end, waiting included) lasts at most its vehicle's
  ``max_route_s``;
* seats and wheelchair places are two capacity dimensions; with ``choose_layouts`` a vehicle
  is one model vehicle per flip-seat layout, at most one of them driving;
* ride time (drop-off service start minus pickup departure) is bounded per passenger;
* a passenger rides only vehicles their ``allowed_vehicles``/``excluded_vehicles`` permit;
* a ``ride_alone`` passenger is never aboard with another passenger (a "sharing" dimension),
  nor are the two passengers of an incompatible pair (one dimension per pair);
* with ``route_ranks`` (week templates), a route visits lower-ranked passengers first;
* visits back to back at one address (a group home) share one boarding time, the longest of
  theirs (``visit_transits``);
* with ``settings.driver_break``, no stretch of a route without a break is longer than the
  rule allows (OR-Tools break intervals, taken from the waiting between visits);
* at a centre with ``max_wheelchair_dropoffs``, each morning wheelchair set-down is a stop of
  its own, and no more than the limit overlap over all routes (a cumulative constraint);
* a passenger may be left out at a large penalty, so infeasibility is a result.

Costs are integers in ``COST_UNITS_PER_NOK`` units of a krone.

One module on purpose (about 750 lines): one ``add_<rule>`` per rule of the same model, each
short and documented; splitting them would scatter the dimensions they share.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp

from solver.domain import (
    CentreHours,
    DayProblem,
    Direction,
    LatLon,
    Passenger,
    Pin,
    TimeWindow,
    Vehicle,
    alighting_s,
    as_laid_out,
    boarding_s,
    max_ride_limit_s,
)
from solver.travel import TravelTimes

COST_UNITS_PER_NOK = 1000
"""Objective units per krone: 0.001 NOK resolution keeps per-second and per-metre costs whole."""

DAY_HORIZON_S = 24 * 3600
"""Latest possible time of day, seconds after midnight."""

DROP_PENALTY_NOK = 1_000_000.0
"""Cost of leaving one passenger unserved: far above any route's cost, so serving wins."""

PIN_VEHICLE_PENALTY_NOK = 400.0
"""Soft consistency: cost of a passenger riding another vehicle than their pinned one."""

PIN_TIME_PENALTY_NOK_PER_MIN = 30.0
"""Soft consistency: cost per minute a pickup starts outside its pinned window."""

TIME_DIMENSION = "time"
MISMATCH_DIMENSION = "pin_mismatch"
SEATS_DIMENSION = "seats"
WHEELCHAIR_DIMENSION = "wheelchair_places"
SHARING_DIMENSION = "sharing"
INCOMPATIBLE_DIMENSION_PREFIX = "incompatible_"
ROUTE_RANK_DIMENSION = "route_rank"


class VisitKind(StrEnum):
    """What a node of the routing model is: a vehicle's depot start or end, a pickup or drop-off."""

    START = "start"
    END = "end"
    PICKUP = "pickup"
    DROPOFF = "dropoff"


@dataclass(frozen=True, slots=True)
class Visit:
    """One node of the routing model.

    ``kind``: ``start`` / ``end`` (a vehicle's depot) or ``pickup`` / ``dropoff``.
    ``node``: row of the matrices (``None`` for an open route end, reachable at no cost).
    ``own_stop``: a wheelchair set-down at a centre with ``max_wheelchair_dropoffs``: it shares
    its boarding time with no other visit and is a stop of its own (``shares_stop``).
    """

    kind: VisitKind
    location: LatLon
    node: int | None
    service_s: int
    window: TimeWindow
    seats_delta: int = 0
    wheelchair_delta: int = 0
    passenger_id: str | None = None
    centre_id: str | None = None
    own_stop: bool = False

    @property
    def at_depot(self) -> bool:
        """Whether this is a vehicle's start or end (at its depot, or an open route's end)."""
        return self.kind in (VisitKind.START, VisitKind.END)


@dataclass(frozen=True, slots=True, eq=False)
class DayModel:
    """An OR-Tools model of one day-direction and what is needed to read its solution.

    Read-only once ``build_day_model`` returns it: the fields cannot be rebound, the matrices
    are not writeable and the mappings are read-only views. The OR-Tools objects (``manager``,
    ``routing``) stay mutable, as they must: a search adds its own state to the routing model
    and a repair reads assignments from it. Compared by identity (``eq=False``): two models of
    one problem are two OR-Tools models.

    ``keep_alive``, ``breaks`` and ``entrance_limited`` are what the rules themselves add
    (``add_max_ride_time``, ``add_driver_breaks``, ``add_wheelchair_entrances``);
    ``build_day_model`` collects them and makes the model whole with them at the end.
    """

    problem: DayProblem
    passengers: tuple[Passenger, ...]
    vehicles: tuple[Vehicle, ...]
    visits: tuple[Visit, ...]
    pairs: tuple[tuple[int, int], ...]  # (pickup visit, dropoff visit) per passenger
    durations_s: npt.NDArray[np.int64]  # visit x visit travel time
    transit_s: npt.NDArray[np.int64]  # visit x visit service at the first + travel (see above)
    distances_m: npt.NDArray[np.int64]  # visit x visit distance
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    max_ride_s: Mapping[str, int]
    keep_alive: tuple[object, ...]  # what OR-Tools holds by reference only
    breaks: Mapping[int, tuple[pywrapcp.IntervalVar, ...]]  # per vehicle index
    entrance_limited: bool  # a cumulative constraint caps set-downs at some centre

    @property
    def time_dimension(self) -> pywrapcp.RoutingDimension:
        """The time dimension (cumul = service start, seconds after midnight)."""
        return self.routing.GetDimensionOrDie(TIME_DIMENSION)


def direct_s(problem: DayProblem, passenger: Passenger, matrices: TravelTimes) -> int:
    """Direct travel time of the passenger's trip on this day-direction."""
    origin, destination = trip_ends(problem, passenger)
    return int(matrices.durations_s[matrices.index_of(origin), matrices.index_of(destination)])


def trip_ends(problem: DayProblem, passenger: Passenger) -> tuple[LatLon, LatLon]:
    """(pickup location, drop-off location) of the passenger's trip on this day-direction."""
    home = passenger.home_on(problem.day)
    centre = problem.centre(passenger.centre_id).location
    if problem.direction is Direction.TO_CENTRE:
        return home, centre
    return centre, home


def _own_window(earliest_s: int | None, latest_s: int | None) -> TimeWindow:
    return TimeWindow(
        0 if earliest_s is None else earliest_s, DAY_HORIZON_S if latest_s is None else latest_s
    )


def _intersect(a: TimeWindow, b: TimeWindow) -> TimeWindow:
    return TimeWindow(max(a.start_s, b.start_s), min(a.end_s, b.end_s))


def passenger_windows(problem: DayProblem, passenger: Passenger) -> tuple[TimeWindow, TimeWindow]:
    """(pickup window, drop-off window) on service start, seconds after midnight.

    The pickup starts in [``earliest_pickup_s``, ``latest_pickup_s``] and the drop-off in
    [``earliest_dropoff_s``, ``latest_dropoff_s``] (unset ends: 0 and ``DAY_HORIZON_S``), in
    both directions; on the centre side that window is cut by the centre's window of the day
    (``to_centre``: the drop-off by the arrival window; ``from_centre``: the pickup by the
    departure window). A window may come out empty (start after end): screening then reports
    the passenger as ``UNASSIGNED_WINDOW_UNREACHABLE`` and ``validate`` as
    ``INPUT_PASSENGER_WINDOW``.
    """
    hours = problem.centre(passenger.centre_id).hours[problem.day]
    return trip_windows(passenger, hours, problem.direction)


def trip_windows(
    passenger: Passenger, hours: CentreHours, direction: Direction
) -> tuple[TimeWindow, TimeWindow]:
    """``passenger_windows`` for one day's centre ``hours`` (also used by ``validate``)."""
    pickup = _own_window(passenger.earliest_pickup_s, passenger.latest_pickup_s)
    dropoff = _own_window(passenger.earliest_dropoff_s, passenger.latest_dropoff_s)
    if direction == Direction.TO_CENTRE:
        return pickup, _intersect(dropoff, hours.arrival)
    return _intersect(pickup, hours.departure), dropoff


def pinned_window(window: TimeWindow, pin: Pin | None) -> TimeWindow:
    """A pickup window narrowed to a strict pin's +/- tolerance (unchanged if that is empty)."""
    if pin is None or not pin.holds_time or pin.pickup_s is None:
        return window
    low = max(window.start_s, pin.pickup_s - pin.tolerance_s)
    high = min(window.end_s, pin.pickup_s + pin.tolerance_s)
    return TimeWindow(low, high) if low <= high else window


def build_visits(
    problem: DayProblem,
    passengers: Sequence[Passenger],
    matrices: TravelTimes,
    vehicles: Sequence[Vehicle] | None = None,
) -> tuple[tuple[Visit, ...], tuple[tuple[int, int], ...]]:
    """Visits in model order: vehicle starts, vehicle ends, then pickup/drop-off pairs.

    ``vehicles``: the model's vehicles (default ``problem.vehicles``).
    """
    service = problem.settings.service
    vehicles = problem.vehicles if vehicles is None else vehicles
    visits: list[Visit] = []
    for vehicle in vehicles:
        visits.append(
            Visit(
                VisitKind.START, vehicle.depot, matrices.index_of(vehicle.depot), 0, vehicle.shift
            )
        )
    for vehicle in vehicles:
        end_node = matrices.index_of(vehicle.depot) if problem.settings.return_to_depot else None
        visits.append(Visit(VisitKind.END, vehicle.depot, end_node, 0, vehicle.shift))
    pairs: list[tuple[int, int]] = []
    for passenger in passengers:
        origin, destination = trip_ends(problem, passenger)
        pickup_window, dropoff_window = passenger_windows(problem, passenger)
        pickup_window = pinned_window(pickup_window, problem.pins.get(passenger.passenger_id))
        to_centre = problem.direction is Direction.TO_CENTRE
        entrance_limited = (
            to_centre
            and passenger.needs_wheelchair_place
            and problem.centre(passenger.centre_id).max_wheelchair_dropoffs is not None
        )
        pairs.append((len(visits), len(visits) + 1))
        visits.append(
            Visit(
                VisitKind.PICKUP,
                origin,
                matrices.index_of(origin),
                boarding_s(passenger, service),
                pickup_window,
                passenger.num_seats,
                passenger.num_wheelchair_places,
                passenger.passenger_id,
                None if to_centre else passenger.centre_id,
            )
        )
        visits.append(
            Visit(
                VisitKind.DROPOFF,
                destination,
                matrices.index_of(destination),
                alighting_s(passenger, service),
                dropoff_window,
                -passenger.num_seats,
                -passenger.num_wheelchair_places,
                passenger.passenger_id,
                passenger.centre_id if to_centre else None,
                own_stop=entrance_limited,
            )
        )
    return tuple(visits), tuple(pairs)


def visit_matrices(
    visits: Sequence[Visit], matrices: TravelTimes
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Travel time and distance between visits; an open route end costs nothing to reach."""
    rows = np.array([v.node if v.node is not None else 0 for v in visits], dtype=np.int64)
    durations = np.asarray(matrices.durations_s, dtype=np.int64)[np.ix_(rows, rows)]
    distances = np.asarray(matrices.distances_m, dtype=np.int64)[np.ix_(rows, rows)]
    open_ends = [i for i, v in enumerate(visits) if v.node is None]
    durations[:, open_ends] = 0
    distances[:, open_ends] = 0
    return durations, distances


def shares_stop(a: Visit, b: Visit) -> bool:
    """Whether two visits, back to back, make one stop: same address, neither at a depot.

    A visit with ``own_stop`` shares with none.
    """
    return (
        not a.own_stop
        and not b.own_stop
        and not a.at_depot
        and not b.at_depot
        and a.location == b.location
        and a.centre_id == b.centre_id
    )


def visit_transits(
    visits: Sequence[Visit], durations: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Seconds from the start of service at one visit to the earliest start at the next.

    Normally the first visit's service time plus the drive. Visits at one address (a group
    home, a centre) share one boarding time, the longest of theirs: from ``a`` to ``b`` there
    it is ``max(0, service(a) - service(b))``, so a stop served in order of rising service
    time lasts exactly its longest service, and never less in any order (``b`` never ends
    before ``a``). ``solver.check`` holds stops to that longest service.
    """
    service = np.array([v.service_s for v in visits], dtype=np.int64)
    transit = durations + service[:, None]
    groups: dict[tuple[LatLon, str | None], list[int]] = {}
    for visit_id, visit in enumerate(visits):
        if not visit.at_depot and not visit.own_stop:
            groups.setdefault((visit.location, visit.centre_id), []).append(visit_id)
    for members in groups.values():
        if len(members) < 2:
            continue
        rows = np.array(members, dtype=np.int64)
        own = service[rows]
        block = durations[np.ix_(rows, rows)] + np.maximum(own[:, None] - own[None, :], 0)
        transit[np.ix_(rows, rows)] = block
    return transit


def build_day_model(
    problem: DayProblem, passengers: Sequence[Passenger], matrices: TravelTimes
) -> DayModel:
    """The full model of a day-direction for the given (pre-screened) passengers.

    With ``settings.choose_layouts`` each vehicle is one model vehicle per seating layout
    (``as_laid_out``), of which at most one drives (``add_one_layout_per_vehicle``).
    """
    vehicles = tuple(as_laid_out(problem.vehicles, problem.settings.choose_layouts))
    visits, pairs = build_visits(problem, passengers, matrices, vehicles)
    durations, distances = visit_matrices(visits, matrices)
    transit = visit_transits(visits, durations)
    for matrix in (durations, distances, transit):
        matrix.flags.writeable = False
    num_vehicles = len(vehicles)
    starts = list(range(num_vehicles))
    ends = list(range(num_vehicles, 2 * num_vehicles))
    manager = pywrapcp.RoutingIndexManager(len(visits), num_vehicles, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    max_ride = {
        p.passenger_id: max_ride_limit_s(
            p, direct_s(problem, p, matrices), problem.settings.max_ride
        )
        for p in passengers
    }
    # The rules read this draft's data and add to its routing model. It lacks what three of
    # them make (ride-limit callbacks, break intervals, entrance set-downs): they hand those
    # back, and the whole model is made from the draft and them at the end.
    model = DayModel(
        problem=problem,
        passengers=tuple(passengers),
        vehicles=vehicles,
        visits=visits,
        pairs=pairs,
        durations_s=durations,
        transit_s=transit,
        distances_m=distances,
        manager=manager,
        routing=routing,
        max_ride_s=MappingProxyType(max_ride),
        keep_alive=(),
        breaks=MappingProxyType({}),
        entrance_limited=False,
    )
    add_vehicle_costs(model)
    add_time(model)
    add_max_route_duration(model)
    add_seats(model)
    add_wheelchair_places(model)
    add_pickup_before_dropoff(model)
    ride_limits = add_max_ride_time(model)
    add_allowed_vehicles(model)
    add_ride_alone(model)
    add_incompatible_pairs(model)
    add_route_ranks(model)
    add_one_layout_per_vehicle(model)
    breaks = add_driver_breaks(model)
    entrance_intervals = add_wheelchair_entrances(model)
    add_optional_passengers(model)
    add_pins(model)
    return replace(
        model,
        keep_alive=(*ride_limits, *entrance_intervals),
        breaks=MappingProxyType(breaks),
        entrance_limited=bool(entrance_intervals),
    )


def nok_to_units(nok: float) -> int:
    """Kroner -> whole objective units."""
    return round(nok * COST_UNITS_PER_NOK)


def add_vehicle_costs(model: DayModel) -> None:
    """Cost = per_vehicle_day if used + per_km x km (arcs) + per_hour x route span (time).

    This mirrors :meth:`solver.domain.Tariff.route_cost` in whole objective units, as OR-Tools
    callbacks and coefficients (the per-hour part is set in :func:`add_time`).
    """
    routing = model.routing
    distance_callbacks: dict[int, int] = {}
    for vehicle_index, vehicle in enumerate(model.vehicles):
        units_per_m = nok_to_units(vehicle.tariff.per_km / 1000.0)
        if units_per_m not in distance_callbacks:
            arc_costs = (model.distances_m * units_per_m).tolist()
            distance_callbacks[units_per_m] = routing.RegisterTransitMatrix(arc_costs)
        routing.SetArcCostEvaluatorOfVehicle(distance_callbacks[units_per_m], vehicle_index)
        routing.SetFixedCostOfVehicle(nok_to_units(vehicle.tariff.per_vehicle_day), vehicle_index)


def add_time(model: DayModel) -> None:
    """Travel plus service time; visit windows; vehicle shifts; hourly cost on the route span.

    Transit from a visit = its service time + travel to the next, except between visits at
    one address (``visit_transits``). Waiting is slack.
    """
    routing, manager = model.routing, model.manager
    callback = routing.RegisterTransitMatrix(model.transit_s.tolist())
    routing.AddDimension(callback, DAY_HORIZON_S, DAY_HORIZON_S, False, TIME_DIMENSION)
    time = model.time_dimension
    for visit_id, visit in enumerate(model.visits):
        if visit.at_depot:
            continue
        index = manager.NodeToIndex(visit_id)
        time.CumulVar(index).SetRange(visit.window.start_s, visit.window.end_s)
    for vehicle_index, vehicle in enumerate(model.vehicles):
        for index in (routing.Start(vehicle_index), routing.End(vehicle_index)):
            time.CumulVar(index).SetRange(vehicle.shift.start_s, vehicle.shift.end_s)
        # The per-hour part of Tariff.route_cost, in objective units per second of span.
        units_per_s = nok_to_units(vehicle.tariff.per_hour / 3600.0)
        time.SetSpanCostCoefficientForVehicle(units_per_s, vehicle_index)
        # Leave the depot as late and return as early as the schedule allows.
        routing.AddVariableMaximizedByFinalizer(time.CumulVar(routing.Start(vehicle_index)))
        routing.AddVariableMinimizedByFinalizer(time.CumulVar(routing.End(vehicle_index)))


def add_max_route_duration(model: DayModel) -> None:
    """A route lasts at most its vehicle's ``max_route_s``: end cumul - start cumul (the span).

    The span runs from leaving the depot to reaching the route's end. With
    ``return_to_depot`` that is the route's duration; for an open route it also counts the
    last stop's alighting (the end is reached after it), one service time stricter than
    ``Route.duration_s``, which ends at the last stop's arrival.
    """
    time = model.time_dimension
    for vehicle_index, vehicle in enumerate(model.vehicles):
        if vehicle.max_route_s is not None:
            time.SetSpanUpperBoundForVehicle(vehicle.max_route_s, vehicle_index)


def _add_capacity(model: DayModel, name: str, deltas: list[int], capacities: list[int]) -> None:
    callback = model.routing.RegisterUnaryTransitVector(deltas)
    model.routing.AddDimensionWithVehicleCapacity(callback, 0, capacities, True, name)


def add_seats(model: DayModel) -> None:
    """Seats: a passenger takes one (unless in a wheelchair) plus one per escort."""
    _add_capacity(
        model,
        SEATS_DIMENSION,
        [v.seats_delta for v in model.visits],
        [v.seats for v in model.vehicles],
    )


def add_wheelchair_places(model: DayModel) -> None:
    """Wheelchair places: a wheelchair passenger takes one; vehicles without none carry none."""
    _add_capacity(
        model,
        WHEELCHAIR_DIMENSION,
        [v.wheelchair_delta for v in model.visits],
        [v.wheelchair_places for v in model.vehicles],
    )
    routing, manager = model.routing, model.manager
    # Also prune the vehicle choice up front (SetAllowedVehiclesForIndex's Python binding
    # rejects every list in OR-Tools 9.15, so remove the values from the variable instead).
    unable = [i for i, v in enumerate(model.vehicles) if v.wheelchair_places == 0]
    if unable:
        for visit_id, visit in enumerate(model.visits):
            if visit.wheelchair_delta != 0:
                routing.VehicleVar(manager.NodeToIndex(visit_id)).RemoveValues(unable)


def add_pickup_before_dropoff(model: DayModel) -> None:
    """A passenger's pickup and drop-off are on one vehicle, pickup first, both or neither.

    ``AddPickupAndDelivery`` enforces all three in OR-Tools' path filters; the generic
    ``solver.Add`` constraints of the tutorials repeat it at a large cost in speed.
    """
    routing, manager = model.routing, model.manager
    for pickup_id, dropoff_id in model.pairs:
        routing.AddPickupAndDelivery(
            manager.NodeToIndex(pickup_id), manager.NodeToIndex(dropoff_id)
        )


def add_max_ride_time(model: DayModel) -> tuple[Callable[[int, int], int], ...]:
    """Ride time = drop-off service start - pickup departure <= the passenger's limit.

    Uses the time dimension's native pickup-to-delivery limits, which OR-Tools checks in its
    fast path filters (a generic ``solver.Add`` constraint alone made first solutions ~6x
    slower). The filters do not always hold them, though: on Cordeau's a5-40 and a8-64 the
    guided local search returned rides of 40-80 min against a 30 min limit, which no timing
    of those routes can mend. So the same limit is also posted as a plain constraint on the
    two cumuls, which the solver enforces on every solution it accepts; with the native
    limits doing the pruning it costs little (benchmarks/README.md).

    Returns the limit callbacks, for the model to keep alive: OR-Tools holds only a reference
    to them.
    """
    time_dim = model.time_dimension
    cp_solver = model.routing.solver()
    limit_fns: list[Callable[[int, int], int]] = []
    for pair_index, (pickup_id, dropoff_id) in enumerate(model.pairs):
        pickup_visit = model.visits[pickup_id]
        assert pickup_visit.passenger_id is not None
        limit_s = model.max_ride_s[pickup_visit.passenger_id] + pickup_visit.service_s
        limit_fn = _constant_limit(limit_s)
        limit_fns.append(limit_fn)
        time_dim.SetPickupToDeliveryLimitFunctionForPair(limit_fn, pair_index)
        pickup_cumul = time_dim.CumulVar(model.manager.NodeToIndex(pickup_id))
        dropoff_cumul = time_dim.CumulVar(model.manager.NodeToIndex(dropoff_id))
        cp_solver.Add(dropoff_cumul - pickup_cumul <= limit_s)
    return tuple(limit_fns)


def _constant_limit(limit_s: int) -> Callable[[int, int], int]:
    def limit(pickup_alternative: int, delivery_alternative: int) -> int:
        return limit_s

    return limit


def add_allowed_vehicles(model: DayModel) -> None:
    """A passenger rides only vehicles ``Passenger.may_ride`` permits.

    Both visits' vehicle variables lose the other vehicles (``RemoveValues``: the Python
    binding of ``SetAllowedVehiclesForIndex`` rejects every list in OR-Tools 9.15).
    """
    routing, manager = model.routing, model.manager
    by_id = {p.passenger_id: p for p in model.passengers}
    for pickup_id, dropoff_id in model.pairs:
        passenger = by_id[model.visits[pickup_id].passenger_id or ""]
        barred = [i for i, v in enumerate(model.vehicles) if not passenger.may_ride(v.vehicle_id)]
        if barred:
            for visit_id in (pickup_id, dropoff_id):
                routing.VehicleVar(manager.NodeToIndex(visit_id)).RemoveValues(barred)


def sharing_capacity(vehicles: Sequence[Vehicle]) -> int:
    """More than the passengers any vehicle can hold at once (each takes a seat or a place)."""
    return max((v.seats + v.wheelchair_places for v in vehicles), default=0) + 1


def add_ride_alone(model: DayModel) -> None:
    """A ``ride_alone`` passenger is never aboard with another passenger (escorts aside).

    A "sharing" dimension of capacity K (``sharing_capacity``) on every vehicle: a
    ride-alone passenger's pickup adds K, anyone else's 1, drop-offs take it off again. K is
    more than any vehicle can hold, so ordinary passengers never reach it together, while a
    ride-alone passenger fills it alone.
    """
    alone = {p.passenger_id for p in model.passengers if p.ride_alone}
    if not alone:
        return
    capacity = sharing_capacity(model.vehicles)
    deltas = [0] * len(model.visits)
    for pickup_id, dropoff_id in model.pairs:
        weight = capacity if model.visits[pickup_id].passenger_id in alone else 1
        deltas[pickup_id], deltas[dropoff_id] = weight, -weight
    _add_capacity(model, SHARING_DIMENSION, deltas, [capacity] * len(model.vehicles))


def add_incompatible_pairs(model: DayModel) -> None:
    """The two passengers of an incompatible pair are never aboard one vehicle at once.

    One capacity-1 dimension per pair of passengers in the model: each one's pickup adds 1
    and drop-off takes it off. They may still ride one vehicle one after the other.
    """
    visits_of: dict[str, tuple[int, int]] = {}
    for pickup_id, dropoff_id in model.pairs:
        visits_of[model.visits[pickup_id].passenger_id or ""] = (pickup_id, dropoff_id)
    pairs = sorted({tuple(sorted(pair)) for pair in model.problem.incompatible_pairs})
    for number, (first, second) in enumerate(pairs):
        if first == second or first not in visits_of or second not in visits_of:
            continue
        deltas = [0] * len(model.visits)
        for pickup_id, dropoff_id in (visits_of[first], visits_of[second]):
            deltas[pickup_id], deltas[dropoff_id] = 1, -1
        name = f"{INCOMPATIBLE_DIMENSION_PREFIX}{number}"
        _add_capacity(model, name, deltas, [1] * len(model.vehicles))


def add_route_ranks(model: DayModel) -> None:
    """On every route, visits of passengers of a lower ``route_ranks`` come first.

    A dimension with no transits whose cumul may only grow along a route (slack up to the
    highest rank): each passenger's visits hold their rank, so a route's ranks never fall.
    """
    ranks = model.problem.route_ranks
    top = max((ranks.get(p.passenger_id, 0) for p in model.passengers), default=0)
    if top == 0:
        return
    routing = model.routing
    routing.AddConstantDimensionWithSlack(0, top, top, False, ROUTE_RANK_DIMENSION)
    dimension = routing.GetDimensionOrDie(ROUTE_RANK_DIMENSION)
    for node, visit in enumerate(model.visits):
        if visit.passenger_id is not None:
            rank = ranks.get(visit.passenger_id, 0)
            dimension.CumulVar(model.manager.NodeToIndex(node)).SetRange(rank, rank)


def add_one_layout_per_vehicle(model: DayModel) -> None:
    """A vehicle laid out several ways (``as_laid_out``) drives with one layout at most.

    Its copies' "route is used" variables sum to at most one.
    """
    copies: dict[str, list[int]] = {}
    for vehicle_index, vehicle in enumerate(model.vehicles):
        copies.setdefault(vehicle.vehicle_id, []).append(vehicle_index)
    cp_solver = model.routing.solver()
    for indices in copies.values():
        if len(indices) > 1:
            used = [model.routing.ActiveVehicleVar(i) for i in indices]
            cp_solver.Add(cp_solver.Sum(used) <= 1)


def add_driver_breaks(model: DayModel) -> dict[int, tuple[pywrapcp.IntervalVar, ...]]:
    """Drivers' breaks (``settings.driver_break``): no break-free stretch beyond ``max_work_s``.

    Each vehicle whose shift is longer than ``max_work_s`` gets one optional break of
    ``duration_s`` within its shift, and OR-Tools' break-distance rule; a break never overlaps
    a visit's service (``node_visit_transits``) and its time is taken from the waiting
    (slack) between visits. Breaks are read back with the routes (``solver.routing.read``).

    One break per route, not as many as a shift could need: with two or more optional break
    intervals per vehicle OR-Tools 9.15's first-solution heuristics found no solution at all
    on a generated 19-passenger day (with one, at once). A route may so last at most
    ``2 x max_work_s + duration_s``: 11.5 h for 5.5 h and 30 min, longer than a shift.

    Returns the break intervals by vehicle index (of the vehicles that have one).
    """
    rule = model.problem.settings.driver_break
    breaks: dict[int, tuple[pywrapcp.IntervalVar, ...]] = {}
    if rule is None:
        return breaks
    routing, cp_solver = model.routing, model.routing.solver()
    time = model.time_dimension
    # OR-Tools reads this per routing index, not per node (they differ: vehicle ends have
    # indices of their own after every other).
    manager = model.manager
    service = [
        model.visits[manager.IndexToNode(index)].service_s
        for index in range(manager.GetNumberOfIndices())
    ]
    for vehicle_index, vehicle in enumerate(model.vehicles):
        shift_s = vehicle.shift.end_s - vehicle.shift.start_s
        if shift_s <= rule.max_work_s:
            continue  # no route can work long enough to need a break
        intervals = [
            cp_solver.FixedDurationIntervalVar(
                vehicle.shift.start_s,
                vehicle.shift.end_s - rule.duration_s,
                rule.duration_s,
                True,
                f"break {vehicle_index}",
            )
        ]
        time.SetBreakIntervalsOfVehicle(intervals, vehicle_index, service)
        time.SetBreakDistanceDurationOfVehicle(rule.max_work_s, rule.duration_s, vehicle_index)
        for interval in intervals:
            routing.AddIntervalToAssignment(interval)
        breaks[vehicle_index] = tuple(intervals)
    return breaks


def add_wheelchair_entrances(model: DayModel) -> tuple[pywrapcp.IntervalVar, ...]:
    """At most ``max_wheelchair_dropoffs`` wheelchair users set down at a centre at one time.

    Each such set-down (an ``own_stop`` visit) is an interval from its service start, as long
    as its alighting, performed when the passenger is served; a cumulative constraint per
    centre caps how many overlap (the resource-constrained routing of OR-Tools' examples).
    Times read back are held where the search put these visits (``fixed_times``), since a
    route's own timing cannot see the other routes at the entrance.

    Returns the set-down intervals at the centres whose limit binds, for the model to keep
    alive (none: no entrance is limited).
    """
    routing, manager = model.routing, model.manager
    cp_solver = routing.solver()
    time_dim = model.time_dimension
    by_centre: dict[str, list[pywrapcp.IntervalVar]] = {}
    capped: list[pywrapcp.IntervalVar] = []
    for visit_id, visit in enumerate(model.visits):
        if not visit.own_stop or visit.centre_id is None:
            continue
        index = manager.NodeToIndex(visit_id)
        interval = cp_solver.FixedDurationIntervalVar(
            time_dim.CumulVar(index),
            visit.service_s,
            routing.ActiveVar(index),
            f"set-down {visit_id}",
        )
        by_centre.setdefault(visit.centre_id, []).append(interval)
    for centre_id, intervals in sorted(by_centre.items()):
        limit = model.problem.centre(centre_id).max_wheelchair_dropoffs
        assert limit is not None  # own_stop visits are made for limited centres only
        if len(intervals) > limit:
            name = f"entrance {centre_id}"
            cp_solver.Add(cp_solver.Cumulative(intervals, [1] * len(intervals), limit, name))
            capped.extend(intervals)
    return tuple(capped)


def fixed_times(model: DayModel, sequence: Sequence[tuple[int, int]]) -> dict[int, int]:
    """Service starts (by visit id) that retiming a route must keep: its entrance set-downs."""
    return {visit_id: t for visit_id, t in sequence if model.visits[visit_id].own_stop}


def add_optional_passengers(model: DayModel) -> None:
    """Any passenger may be left out, at DROP_PENALTY_NOK: infeasibility is a result."""
    penalty = nok_to_units(DROP_PENALTY_NOK)
    for pickup_id, dropoff_id in model.pairs:
        model.routing.AddDisjunction([model.manager.NodeToIndex(pickup_id)], penalty)
        model.routing.AddDisjunction([model.manager.NodeToIndex(dropoff_id)], 0)


def add_pins(model: DayModel) -> None:
    """Hold pinned passengers to a vehicle and a pickup window (``DayProblem.pins``).

    Strict pins restrict the pickup's vehicle variable and time window; a pin that cannot hold
    leaves the passenger unserved (the week planner then solves them again unpinned). Soft pins
    cost ``PIN_VEHICLE_PENALTY_NOK`` per passenger on another vehicle (a per-vehicle counting
    dimension whose span is priced) and ``PIN_TIME_PENALTY_NOK_PER_MIN`` per minute outside
    the window (soft cumul bounds).
    """
    pins = model.problem.pins
    if not pins:
        return
    routing, manager = model.routing, model.manager
    time_dim = model.time_dimension
    vehicle_indices: dict[str, list[int]] = {}
    for i, v in enumerate(model.vehicles):
        vehicle_indices.setdefault(v.vehicle_id, []).append(i)
    mismatch: list[list[int]] = [[0] * len(model.visits) for _ in model.vehicles]
    has_soft_vehicle_pin = False
    per_s = max(1, nok_to_units(PIN_TIME_PENALTY_NOK_PER_MIN / 60.0))
    for pickup_id, _ in model.pairs:
        visit = model.visits[pickup_id]
        pin = pins.get(visit.passenger_id or "")
        if pin is None:
            continue
        index = manager.NodeToIndex(pickup_id)
        pinned = vehicle_indices.get(pin.vehicle_id) if pin.vehicle_id else None
        if pin.pickup_s is not None and not pin.holds_time:  # hard: in the visit's window
            time_dim.SetCumulVarSoftLowerBound(index, pin.pickup_s - pin.tolerance_s, per_s)
            time_dim.SetCumulVarSoftUpperBound(index, pin.pickup_s + pin.tolerance_s, per_s)
        if pinned is None:
            continue
        if pin.is_strict:
            routing.VehicleVar(index).SetValues([-1, *pinned])
        else:
            has_soft_vehicle_pin = True
            for other in range(len(model.vehicles)):
                if other not in pinned:
                    mismatch[other][pickup_id] = 1
    if has_soft_vehicle_pin:
        callbacks = [routing.RegisterUnaryTransitVector(row) for row in mismatch]
        routing.AddDimensionWithVehicleTransits(
            callbacks, 0, len(model.visits), True, MISMATCH_DIMENSION
        )
        dimension = routing.GetDimensionOrDie(MISMATCH_DIMENSION)
        dimension.SetSpanCostCoefficientForAllVehicles(nok_to_units(PIN_VEHICLE_PENALTY_NOK))
