"""Why a passenger the search did not place is left out: out of time, or the fleet.

Kept apart from the search (:mod:`solver.routing.search`) because it is a question about
the finished routes: could an idle vehicle have driven the passenger alone?
"""

from __future__ import annotations

from collections.abc import Sequence

from solver.domain import DayProblem, Passenger, Reason, Route, Unassigned
from solver.routing.model import DayModel
from solver.routing.read import route_fits, route_holds

MAX_IDLE_VEHICLES_TRIED = 5
"""Idle vehicles ``left_out`` tries a passenger alone on, at most."""

MAX_IDLE_TIMINGS = 200
"""Timings (each a small LP) ``left_out`` spends on one day-direction; past them an idle
vehicle counts as able to take a passenger when every rule but timing holds (a week of 1000
passengers left 8,177 trips out with 266 vehicles idle: 40,000 LPs, minutes past the limit)."""


def left_out(
    model: DayModel,
    problem: DayProblem,
    passengers: Sequence[Passenger],
    routes: Sequence[Route],
) -> list[Unassigned]:
    """Why each passenger the search did not place is left out: time, or the fleet.

    Where a vehicle stood idle that could have driven the passenger on their own
    (``route_fits`` on their pickup and drop-off alone, ``route_holds`` past
    ``MAX_IDLE_TIMINGS``; not where a centre's entrance is limited, a rule across routes),
    the search ran out of time (``UNASSIGNED_SEARCH_TIME``, with the hint to give it more);
    otherwise every suitable vehicle was full or out of time (``UNASSIGNED_FLEET_EXHAUSTED``).
    Never "fleet exhausted" while a vehicle that could take them stands idle.
    """
    used = {route.vehicle_id for route in routes}
    idle = [i for i, v in enumerate(model.vehicles) if v.vehicle_id not in used]
    pair_of = {model.visits[p].passenger_id: (p, d) for p, d in model.pairs}
    timings_left = MAX_IDLE_TIMINGS
    entries: list[Unassigned] = []
    for passenger in passengers:
        pair = pair_of.get(passenger.passenger_id)
        idle_taker: str | None = None
        # A centre's entrance limit binds across routes, which route_fits does not see.
        if pair is not None and not model.entrance_limited:
            for vehicle_index in idle[:MAX_IDLE_VEHICLES_TRIED]:
                if timings_left > 0:
                    timings_left -= 1
                    takes = route_fits(model, vehicle_index, pair)
                else:
                    takes = route_holds(model, vehicle_index, pair)
                if takes:
                    idle_taker = model.vehicles[vehicle_index].vehicle_id
                    break
        if idle_taker is None:
            entries.append(fleet_exhausted(problem, passenger))
            continue
        entries.append(
            Unassigned(
                passenger.passenger_id,
                Reason.SEARCH_TIME,
                f"The search ran out of time before placing the passenger on {problem.day}, "
                f"though vehicle {idle_taker} stood idle and could drive them; give the solve "
                "more time (settings.time_limit_s or --time-limit).",
            )
        )
    return entries


def fleet_exhausted(problem: DayProblem, passenger: Passenger) -> Unassigned:
    """``UNASSIGNED_FLEET_EXHAUSTED`` for ``passenger``: every vehicle able to take them is busy."""
    pin = problem.pins.get(passenger.passenger_id)
    if pin is not None and pin.is_strict and pin.vehicle_id is not None:
        return Unassigned(
            passenger.passenger_id,
            Reason.FLEET_EXHAUSTED,
            f"The passenger must ride vehicle {pin.vehicle_id} (the morning's, or their usual "
            f"one), which is full or out of time on {problem.day}; turn off "
            "same_vehicle_both_ways or consistency, or widen the windows.",
        )
    if passenger.ride_alone:
        return Unassigned(
            passenger.passenger_id,
            Reason.FLEET_EXHAUSTED,
            f"The passenger must ride alone, and no vehicle on {problem.day} has the time to "
            "drive them on their own; add a vehicle that day or widen their windows.",
        )
    return Unassigned(
        passenger.passenger_id,
        Reason.FLEET_EXHAUSTED,
        f"Every suitable vehicle on {problem.day} is full or out of time; add a vehicle that "
        "day, widen the centre's window or allow a longer ride time.",
    )
