"""Nobody rides past their destination: two ways to reorder a route that does.

Legal routes may stop at a centre with a passenger for it aboard, set down only the others
and come back for them later (27 of 500 trips on the sample week, about 1 in 10 on generated
Bergen weeks): no dispatcher accepts that. :func:`solver.routing.read.read_routes` tries
:func:`set_down_on_arrival`, then :func:`set_down_together_later`, on each route it reads,
and keeps the first whose structure holds and that can be timed (breaks included); the
checker's ``CHECK_PAST_DESTINATION`` verifies the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from solver.routing.model import DayModel, VisitKind


def set_down_on_arrival(model: DayModel, visit_ids: Sequence[int]) -> list[int]:
    """The route with every passenger set down at the first visit at their destination.

    A passenger aboard when the vehicle is at the place they are going to (a centre in the
    morning, their home in the afternoon, where the vehicle serves someone else) alights
    there: their drop-off moves to right after that visit. Moving a drop-off earlier frees
    seats and shortens the ride; only times after it can move (``route_fits`` decides).
    """
    pickup_of = {dropoff: pickup for pickup, dropoff in model.pairs}
    dropoff_of = {pickup: dropoff for pickup, dropoff in model.pairs}
    order = list(visit_ids)
    aboard: dict[int, None] = {}  # pickups of passengers aboard, ordered
    position = 0
    while position < len(order):
        visit_id = order[position]
        visit = model.visits[visit_id]
        if visit.kind == VisitKind.PICKUP:
            aboard[visit_id] = None
        elif visit.kind == VisitKind.DROPOFF:
            aboard.pop(pickup_of[visit_id], None)
        due = [
            dropoff_of[pickup]
            for pickup in aboard
            if model.visits[dropoff_of[pickup]].location == visit.location
            and model.visits[pickup].location != visit.location
        ]
        if due:
            rest = [v for v in order[position + 1 :] if v not in due]
            order = [*order[: position + 1], *due, *rest]
        position += 1
    return order


def set_down_together_later(model: DayModel, visit_ids: Sequence[int]) -> list[int]:
    """The route with no stop at a place it comes back to with someone aboard for it.

    The other remedy to :func:`set_down_on_arrival`, for routes where setting a passenger
    down early does not fit (a vehicle on several loops to one centre, its later loop tight):
    every set-down at the earlier stop there moves to the vehicle's later stop at that place,
    so it stops there once, with everyone for it. Rides get longer; only ``route_fits``
    decides.
    """
    pickup_of = {dropoff: pickup for pickup, dropoff in model.pairs}
    order = list(visit_ids)
    for _ in range(len(order)):  # each move removes one stop at a place; a bound, not a loop
        moved = _postpone_once(model, order, pickup_of)
        if moved is None:
            return order
        order = moved
    return order


def _postpone_once(
    model: DayModel, order: list[int], pickup_of: Mapping[int, int]
) -> list[int] | None:
    """``order`` with one stop folded into the next stop at its place, or None.

    The stop is the first one the vehicle leaves with someone aboard who is set down at that
    place later.
    """
    location = [model.visits[v].location for v in order]
    position_of = {v: i for i, v in enumerate(order)}
    aboard: set[int] = set()
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and location[end + 1] == location[start]:
            end += 1
        run = order[start : end + 1]
        dropped_here = {pickup_of[v] for v in run if model.visits[v].kind == VisitKind.DROPOFF}
        later = [
            position_of[dropoff]
            for pickup, dropoff in model.pairs
            if pickup in aboard
            and pickup not in dropped_here
            and model.visits[dropoff].location == location[start]
            and position_of.get(dropoff, -1) > end
        ]
        if later and all(model.visits[v].kind == VisitKind.DROPOFF for v in run):
            target = order[min(later)]
            rest = [v for v in order if v not in run]
            at = rest.index(target)
            return [*rest[:at], *run, *rest[at:]]
        for v in run:
            if model.visits[v].kind == VisitKind.PICKUP:
                aboard.add(v)
            elif model.visits[v].kind == VisitKind.DROPOFF:
                aboard.discard(pickup_of[v])
        start = end + 1
    return None


REMEDIES = (set_down_on_arrival, set_down_together_later)
"""The reorders :func:`solver.routing.read.read_routes` tries, in turn."""
