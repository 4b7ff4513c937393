"""Hand edits with immediate feedback: move passengers between vehicles, re-time, check.

A dispatcher drags a passenger onto another vehicle (or before a stop of it), or swaps two.
:func:`preview_moves` makes exactly those moves on the day-direction as it stands, with no
search: every other passenger stays where they are, the routes that changed are re-timed
(the same linear programme that times every solved route, :mod:`solver.routing.schedule`),
and the independent checker runs on the whole day-direction. Nothing is stored. A move that
breaks a rule still comes back, with the checker's violations beside it, so that the edit is
never accepted silently and never refused without saying why; a route that cannot be timed
within its ride limits is timed within its windows alone (else as early as it can be driven),
and the checker names the limit or window it breaks.

To keep an edit, record it as ``assign`` changes (:meth:`EditPreview.assignments`: each moved
passenger on their new vehicle at their previewed pickup time): the re-plan then keeps those
locks in every round (:mod:`solver.dispatch.replan`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

from solver.check import Violation, check_day
from solver.dispatch.changes import Assign, DayChanges, changed_plan, check_changes
from solver.dispatch.diff import published_trips
from solver.dispatch.replan import route_locks
from solver.domain import DayResult, Route, WeekPlan
from solver.errors import InputError, Issue
from solver.routing.model import DayModel, VisitKind, build_day_model, shares_stop
from solver.routing.read import best_break, day_kpis, route_holds, route_timing, timed_route
from solver.routing.repair import passenger_visits
from solver.travel import TravelTimes

MAX_INSERTIONS: Final = 400
"""Most (pickup, drop-off) places timed for one move without a position (one small LP each:
about 4 ms, so a move onto a long route answers within two seconds)."""


@dataclass(frozen=True, slots=True)
class Move:
    """Put ``passenger_id`` on ``vehicle_id``'s route in the day-direction.

    ``position``: the stop number (as the manifest counts, 1 = the first stop after the depot)
    before which the passenger boards; past the last stop, they board last. None: where the
    route is shortest with every rule kept (else at the end, and the checker says why).
    """

    passenger_id: str
    vehicle_id: str
    position: int | None = None


@dataclass(frozen=True)
class EditPreview:
    """A day-direction with the moves made and re-timed, and what the checker says of it.

    ``vehicles``: the vehicles whose routes changed. ``is_timed``: every changed route could
    be timed within its windows, ride limits and shift (else timed as early as it can be
    driven). ``violations``: the checker's, for the whole day-direction (empty: the edit holds).
    """

    result: DayResult
    moves: tuple[Move, ...]
    vehicles: tuple[str, ...]
    is_timed: bool
    violations: tuple[Violation, ...]
    cost_before: float
    cost_after: float

    def assignments(self) -> list[Assign]:
        """The moves as ``assign`` changes that lock them for the re-plan, at the new times."""
        trips = published_trips(self.result)
        return [
            Assign(
                move.passenger_id,
                move.vehicle_id,
                self.result.direction,
                trips[move.passenger_id].pickup_s if move.passenger_id in trips else None,
            )
            for move in self.moves
        ]


def _check_moves(
    plan: WeekPlan, changes: DayChanges, day: DayResult, moves: Sequence[Move]
) -> None:
    """InputError naming each bad move (unknown ids, a vehicle the passenger may not ride...)."""
    issues: list[Issue] = []
    seen: set[str] = set()
    for index, move in enumerate(moves):
        if move.passenger_id in seen:
            issues.append(
                Issue(
                    "CHANGE_CONFLICT",
                    f"Passenger {move.passenger_id} is moved twice.",
                    "Move each passenger once.",
                    path=f"moves[{index}]",
                    id=move.passenger_id,
                )
            )
        seen.add(move.passenger_id)
        if move.position is not None and move.position < 1:
            issues.append(
                Issue(
                    "CHANGE_POSITION",
                    f"Move of passenger {move.passenger_id}: position {move.position} is "
                    "before the first stop.",
                    "Give a stop number from 1 (the first stop after the depot), or none.",
                    path=f"moves[{index}].position",
                    id=move.passenger_id,
                )
            )
    if issues:
        raise InputError(issues, "moves")
    assigns = tuple(Assign(m.passenger_id, m.vehicle_id, day.direction) for m in moves)
    check_changes(plan, replace(changes, changes=(*changes.changes, *assigns)))


def _model_vehicles(model: DayModel, vehicle_id: str, route: Route | None) -> list[int]:
    """The model vehicles of ``vehicle_id`` (one per seating layout), its published first."""
    candidates = [i for i, v in enumerate(model.vehicles) if v.vehicle_id == vehicle_id]
    if route is not None and route.layout is not None:
        layout = (route.layout.seats, route.layout.wheelchair_places)
        candidates.sort(
            key=lambda i: (model.vehicles[i].seats, model.vehicles[i].wheelchair_places) != layout
        )
    return candidates


def _sequence(
    model: DayModel, route: Route, visit_of: Mapping[tuple[str, VisitKind], int]
) -> list[int]:
    """The route's passenger visits in order (a stop's set-downs before its boardings)."""
    visits: list[int] = []
    for stop in route.stops:
        for pid in stop.dropoffs:
            if (pid, VisitKind.DROPOFF) in visit_of:
                visits.append(visit_of[(pid, VisitKind.DROPOFF)])
        for pid in stop.pickups:
            if (pid, VisitKind.PICKUP) in visit_of:
                visits.append(visit_of[(pid, VisitKind.PICKUP)])
    return visits


def _stop_starts(model: DayModel, visits: Sequence[int]) -> list[int]:
    """Index in ``visits`` of the first visit of each stop (stop 1 first)."""
    starts = []
    for index, visit_id in enumerate(visits):
        if index == 0 or not shares_stop(model.visits[visits[index - 1]], model.visits[visit_id]):
            starts.append(index)
    return starts


def _ends(model: DayModel, vehicle_index: int) -> tuple[int, int]:
    routing, manager = model.routing, model.manager
    start = manager.IndexToNode(routing.Start(vehicle_index))
    end = manager.IndexToNode(routing.End(vehicle_index))
    return start, end


def _with_ends(model: DayModel, vehicle_index: int, visits: Sequence[int]) -> list[int]:
    start, end = _ends(model, vehicle_index)
    return [start, *visits, end]


def _score(model: DayModel, vehicle_index: int, visits: Sequence[int]) -> tuple[int, float] | None:
    """(0 if every rule but timing holds else 1, cost) of the timed route, or None."""
    full = _with_ends(model, vehicle_index, visits)
    timed = route_timing(model, vehicle_index, full)
    if timed is None:
        return None
    times = timed[0]
    distance = sum(int(model.distances_m[a, b]) for a, b in itertools.pairwise(full))
    cost = model.vehicles[vehicle_index].tariff.route_cost(distance, times[-1] - times[0])
    return (0 if route_holds(model, vehicle_index, visits) else 1, cost)


def _insert(
    model: DayModel,
    vehicle_index: int,
    visits: list[int],
    pickup: int,
    dropoff: int,
    before: int | None,
) -> list[int]:
    """``visits`` with a passenger's pickup and drop-off inserted.

    The pickup at index ``before`` (None: anywhere), the drop-off where the route times best;
    both where the route is cheapest with every rule kept, else at the end.
    """
    pickup_places = range(len(visits) + 1) if before is None else [min(before, len(visits))]
    best: tuple[tuple[int, float], list[int]] | None = None
    tried = 0
    for i in pickup_places:
        for j in range(i + 1, len(visits) + 2):
            if tried >= MAX_INSERTIONS:
                break
            tried += 1
            candidate = [*visits[:i], pickup, *visits[i:]]
            candidate.insert(j, dropoff)
            score = _score(model, vehicle_index, candidate)
            if score is not None and (best is None or score < best[0]):
                best = (score, candidate)
    if best is not None:
        return best[1]
    i = len(visits) if before is None else min(before, len(visits))
    return [*visits[:i], pickup, *visits[i:], dropoff]


def _earliest(model: DayModel, vehicle_index: int, full: Sequence[int]) -> list[int]:
    """Service starts driving ``full`` as early as the windows' starts allow (no upper bound)."""
    shift = model.vehicles[vehicle_index].shift
    times: list[int] = []
    for position, visit_id in enumerate(full):
        visit = model.visits[visit_id]
        opens = shift.start_s if visit.at_depot else visit.window.start_s
        if position == 0:
            times.append(opens)
            continue
        previous = full[position - 1]
        times.append(max(opens, times[-1] + int(model.transit_s[previous, visit_id])))
    return times


def _retimed(model: DayModel, vehicle_index: int, visits: Sequence[int]) -> tuple[Route, bool]:
    """The route driving ``visits`` and whether it could be timed within every rule."""
    full = _with_ends(model, vehicle_index, visits)
    if model.visits[full[-1]].node is None:
        full = full[:-1]  # an open route's end is no place
    timed = route_timing(model, vehicle_index, full)
    if timed is not None:
        return timed_route(model, vehicle_index, list(zip(full, timed[0], strict=True))), True
    if model.problem.settings.driver_break is not None:
        found = best_break(model, vehicle_index, full)
        if found is not None:
            slots, (times, starts) = found
            sequence = list(zip(full, times, strict=True))
            return timed_route(model, vehicle_index, sequence, slots, starts), True
    loose = route_timing(model, vehicle_index, full, with_ride_limits=False)
    times = _earliest(model, vehicle_index, full) if loose is None else loose[0]
    return timed_route(model, vehicle_index, list(zip(full, times, strict=True))), False


def preview_moves(
    plan: WeekPlan,
    current: DayResult,
    changes: DayChanges,
    moves: Sequence[Move],
    matrices: TravelTimes,
) -> EditPreview:
    """``current`` (a day-direction of ``plan``'s week, with ``changes`` in force) with ``moves``.

    Raises :class:`InputError` for a bad move (``CHANGE_*`` codes, as the ``assign`` change
    it stands for). ``matrices`` must answer for every place of the changed plan.
    """
    if changes.day != current.day:
        changes = DayChanges(current.day, ())
    _check_moves(plan, changes, current, moves)
    direction = current.direction
    problem, route_pins = route_locks(
        changed_plan(plan, changes, direction).day_problem(current.day, direction),
        current,
        changes,
    )
    off_locked = [
        Issue(
            "CHANGE_CONFLICT",
            f"Passenger {move.passenger_id} rides vehicle "
            f"{route_pins[move.passenger_id].vehicle_id}, whose route is locked.",
            "Take the route's lock back first, or move someone else.",
            path=f"moves[{index}]",
            id=move.passenger_id,
        )
        for index, move in enumerate(moves)
        if move.passenger_id in route_pins
    ]
    if off_locked:
        raise InputError(off_locked, "moves")
    model = build_day_model(problem, problem.passengers, matrices)
    visit_of = passenger_visits(model)
    travelling = [
        Issue(
            "CHANGE_NOT_ATTENDING",
            f"Passenger {move.passenger_id} does not travel {current.day} {direction.value} "
            "with the changes in force.",
            "Move a passenger who travels in this day-direction.",
            path=f"moves[{index}]",
            id=move.passenger_id,
        )
        for index, move in enumerate(moves)
        if (move.passenger_id, VisitKind.PICKUP) not in visit_of
    ]
    if travelling:
        raise InputError(travelling, "moves")
    by_vehicle = {route.vehicle_id: route for route in current.routes}
    sequences: dict[str, list[int]] = {
        vehicle_id: _sequence(model, route, visit_of) for vehicle_id, route in by_vehicle.items()
    }
    # Where each move boards: the first visit of the stop it names, in the route as it was.
    anchors: dict[str, int | None] = {}
    for move in moves:
        visits = sequences.get(move.vehicle_id, [])
        starts = _stop_starts(model, visits)
        if move.position is not None and move.position <= len(starts):
            anchors[move.passenger_id] = visits[starts[move.position - 1]]
        else:
            anchors[move.passenger_id] = None
    moved = {m.passenger_id for m in moves}
    moved_visits = {
        visit_of[(pid, kind)] for pid in moved for kind in VisitKind if (pid, kind) in visit_of
    }
    touched = {vid for vid, visits in sequences.items() if moved_visits & set(visits)}
    for vehicle_id in list(sequences):
        sequences[vehicle_id] = [v for v in sequences[vehicle_id] if v not in moved_visits]
    layouts: dict[str, int] = {}
    for move in moves:
        visits = sequences.setdefault(move.vehicle_id, [])
        anchor = anchors[move.passenger_id]
        before: int | None
        if move.position is None:
            before = None
        elif anchor is not None and anchor in visits:
            before = visits.index(anchor)
        else:
            before = len(visits)
        pair = (
            visit_of[(move.passenger_id, VisitKind.PICKUP)],
            visit_of[(move.passenger_id, VisitKind.DROPOFF)],
        )
        # With seating layouts to choose, the route takes the layout it fits best in.
        tried: list[tuple[tuple[int, float], int, int, list[int]]] = []
        for index in _model_vehicles(model, move.vehicle_id, by_vehicle.get(move.vehicle_id)):
            candidate = _insert(model, index, visits, *pair, before)
            score = _score(model, index, candidate) or (2, float("inf"))
            tried.append((score, len(tried), index, candidate))
        _, _, layouts[move.vehicle_id], sequences[move.vehicle_id] = min(tried)
        touched.add(move.vehicle_id)
    routes: list[Route] = []
    is_timed = True
    for route in current.routes:
        if route.vehicle_id not in touched:
            routes.append(route)
    for vehicle_id in sorted(touched):
        visits = sequences[vehicle_id]
        if not visits:
            continue  # the vehicle's only passenger moved away: it stays home
        vehicle_index = layouts.get(
            vehicle_id, _model_vehicles(model, vehicle_id, by_vehicle.get(vehicle_id))[0]
        )
        route, timed = _retimed(model, vehicle_index, visits)
        routes.append(route)
        is_timed = is_timed and timed
    order = {route.vehicle_id: i for i, route in enumerate(current.routes)}
    routes.sort(key=lambda r: (order.get(r.vehicle_id, len(order)), r.vehicle_id))
    unassigned = tuple(u for u in current.unassigned if u.passenger_id not in moved)
    kpis = day_kpis(problem, routes, unassigned, matrices)
    result = replace(current, routes=tuple(routes), unassigned=unassigned, kpis=kpis, solve_s=0.0)
    return EditPreview(
        result=result,
        moves=tuple(moves),
        vehicles=tuple(sorted(touched)),
        is_timed=is_timed,
        violations=tuple(check_day(problem, result, matrices)),
        cost_before=current.kpis.cost,
        cost_after=kpis.cost,
    )
