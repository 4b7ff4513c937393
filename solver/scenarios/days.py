"""Attendance-day optimisation: which weekdays each passenger attends, to lower the peak fleet.

Given, for some passengers, how many days they attend and which weekdays they may attend,
:func:`choose_days` picks the weekdays with OR-Tools CP-SAT on a fast proxy of the fleet a
day needs, not on routes (routing every candidate week would take hours):

Proxy (:func:`estimated_vehicle_trips`)
    Per centre and weekday, the vehicle trips needed to bring its passengers in: the larger
    of people (passengers plus escorts) / ``people_per_vehicle_trip`` and wheelchair users /
    ``wheelchairs_per_vehicle_trip``, rounded up; a weekday needs the sum over its centres.
    The defaults (5.5 people, 2 wheelchairs) are the ones the generator sizes fleets with:
    routes of about 45 minutes carrying 4-7 people.
Objective, lexicographic (two solves)
    1. the peak over the weekdays of the estimated vehicle trips (the fleet to hire);
    2. with the peak fixed at its optimum: the week's vehicle trips (vehicle-days) × 1000, then
       group-home stops (a home visited on a weekday by any of its residents) × 10, then the
       busiest weekday's number of people (balance). Keeping residents of one group home on
       the same weekdays saves stops and keeps them travelling together.

The proxy ignores vehicles serving two staggered centres in one morning and the geography
within a centre's area, so the chosen week is then routed like any other scenario week
(the batch does this) and compared with the naive choice (drop Friday).
Deterministic: one search worker and a deterministic time limit.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

from ortools.sat.python import cp_model

from solver.domain import DAYS, Day, LatLon, Passenger, WeekPlan

PROXY_SCALE: Final = 10
"""People per vehicle trip are given to one decimal; constraints are scaled by this."""
WEIGHT_VEHICLE_TRIPS: Final = 1000
WEIGHT_HOME_STOPS: Final = 10
WEIGHT_BUSIEST_DAY: Final = 1
DETERMINISTIC_TIME_PER_STAGE: Final = 2.0
"""CP-SAT's deterministic time limit per stage (roughly seconds on a laptop)."""


@dataclass(frozen=True, slots=True)
class VehicleEstimate:
    """Sizes of the proxy: people and wheelchair users one vehicle trip carries on average."""

    people_per_vehicle_trip: float = 5.5
    wheelchairs_per_vehicle_trip: int = 2


@dataclass(frozen=True)
class DayChoice:
    """The chosen weekdays per flexible passenger, with the proxy's figures.

    ``status``: CP-SAT's (``OPTIMAL``, ``FEASIBLE``) or ``UNCHANGED`` when nothing was free to
    choose. ``trips_by_day``: estimated vehicle trips per weekday with these choices.
    """

    days: Mapping[str, frozenset[Day]]
    status: str
    trips_by_day: Mapping[Day, int]

    @property
    def peak(self) -> int:
        """The busiest weekday's estimated vehicle trips."""
        return max(self.trips_by_day.values(), default=0)


def _people(p: Passenger) -> int:
    return 1 + p.num_escorts


def estimated_vehicle_trips(
    plan: WeekPlan, estimate: VehicleEstimate = VehicleEstimate()
) -> dict[Day, int]:
    """Estimated vehicle trips per weekday (the proxy of the module docstring)."""
    people: dict[tuple[str, Day], int] = defaultdict(int)
    wheelchairs: dict[tuple[str, Day], int] = defaultdict(int)
    open_days = {c.centre_id: frozenset(c.hours) for c in plan.centres}
    for p in plan.passengers:
        for day in p.days:
            if day in open_days.get(p.centre_id, frozenset()):
                people[p.centre_id, day] += _people(p)
                wheelchairs[p.centre_id, day] += p.num_wheelchair_places
    trips = dict.fromkeys(DAYS, 0)
    for key in sorted(set(people) | set(wheelchairs)):
        _, day = key
        trips[day] += _centre_day_trips(people[key], wheelchairs[key], estimate)
    return trips


def _scaled_people(estimate: VehicleEstimate) -> int:
    return max(1, round(estimate.people_per_vehicle_trip * PROXY_SCALE))


def _centre_day_trips(people: int, wheelchairs: int, estimate: VehicleEstimate) -> int:
    by_people = math.ceil(people * PROXY_SCALE / _scaled_people(estimate))
    by_wheelchairs = math.ceil(wheelchairs / max(1, estimate.wheelchairs_per_vehicle_trip))
    return max(by_people, by_wheelchairs)


def choose_days(
    plan: WeekPlan,
    flexible: Mapping[str, tuple[int, frozenset[Day]]],
    estimate: VehicleEstimate = VehicleEstimate(),
    *,
    deterministic_time: float = DETERMINISTIC_TIME_PER_STAGE,
) -> DayChoice:
    """Weekdays for each passenger in ``flexible`` (id -> (number of days, allowed weekdays)).

    Allowed weekdays are cut to those the passenger's centre is open; a passenger allowed
    fewer weekdays than their number of days attends all allowed ones. Everyone else keeps
    their weekdays. See the module docstring for the model.
    """
    open_days = {c.centre_id: frozenset(c.hours) for c in plan.centres}
    by_id = {p.passenger_id: p for p in plan.passengers}
    fixed_days: dict[str, frozenset[Day]] = {}
    free: dict[str, tuple[int, tuple[Day, ...]]] = {}
    for pid, (num_days, allowed) in flexible.items():
        passenger = by_id[pid]
        usable = tuple(d for d in DAYS if d in allowed and d in open_days[passenger.centre_id])
        if len(usable) <= num_days:
            fixed_days[pid] = frozenset(usable)
        else:
            free[pid] = (num_days, usable)
    if not free:
        final = plan.replace(
            passengers=tuple(
                _with(p, fixed_days[p.passenger_id]) if p.passenger_id in fixed_days else p
                for p in plan.passengers
            )
        )
        return DayChoice(fixed_days, "UNCHANGED", estimated_vehicle_trips(final, estimate))

    model = cp_model.CpModel()
    x: dict[tuple[str, Day], cp_model.IntVar] = {}
    for pid, (num_days, usable) in free.items():
        for day in usable:
            x[pid, day] = model.new_bool_var(f"attend_{pid}_{day}")
        model.add(sum(x[pid, day] for day in usable) == num_days)
        # Hint: the naive choice (keep the earliest weekdays).
        for i, day in enumerate(usable):
            model.add_hint(x[pid, day], 1 if i < num_days else 0)

    people: dict[tuple[str, Day], list[cp_model.LinearExprT]] = defaultdict(list)
    wheelchairs: dict[tuple[str, Day], list[cp_model.LinearExprT]] = defaultdict(list)
    for p in plan.passengers:
        if p.passenger_id in free:
            for day in free[p.passenger_id][1]:
                people[p.centre_id, day].append(_people(p) * x[p.passenger_id, day])
                if p.needs_wheelchair_place:
                    wheelchairs[p.centre_id, day].append(x[p.passenger_id, day])
            continue
        days = fixed_days.get(p.passenger_id, p.days)
        for day in days:
            if day in open_days.get(p.centre_id, frozenset()):
                people[p.centre_id, day].append(_people(p))
                wheelchairs[p.centre_id, day].append(p.num_wheelchair_places)

    total_people = sum(_people(p) for p in plan.passengers)
    trip_bound = total_people + 1
    day_trips: dict[Day, list[cp_model.IntVar]] = defaultdict(list)
    for key in sorted(set(people) | set(wheelchairs)):
        centre_id, day = key
        trips = model.new_int_var(0, trip_bound, f"trips_{centre_id}_{day}")
        model.add(_scaled_people(estimate) * trips >= PROXY_SCALE * sum(people[key]))
        model.add(max(1, estimate.wheelchairs_per_vehicle_trip) * trips >= sum(wheelchairs[key]))
        day_trips[day].append(trips)
    peak = model.new_int_var(0, trip_bound * len(plan.centres), "peak")
    for trips_list in day_trips.values():
        model.add(peak >= sum(trips_list))
    busiest = model.new_int_var(0, total_people, "busiest_day_people")
    for day in DAYS:
        model.add(
            busiest >= sum(sum(people[c.centre_id, day]) for c in plan.centres if day in c.hours)
        )
    stops = _home_stops(model, plan, free, fixed_days, x)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = plan.settings.seed
    solver.parameters.max_deterministic_time = deterministic_time
    model.minimize(peak)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # pragma: no cover - hint is valid
        raise RuntimeError("The attendance-day model found no solution.")
    best_peak = int(solver.value(peak))
    first_status = solver.status_name(status)
    model.add(peak <= best_peak)
    model.clear_hints()  # type: ignore[no-untyped-call]
    for var in x.values():
        model.add_hint(var, solver.value(var))
    all_trips = [t for trips_list in day_trips.values() for t in trips_list]
    model.minimize(
        WEIGHT_VEHICLE_TRIPS * sum(all_trips)
        + WEIGHT_HOME_STOPS * sum(stops)
        + WEIGHT_BUSIEST_DAY * busiest
    )
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # pragma: no cover - hint is valid
        raise RuntimeError("The attendance-day model found no solution in stage 2.")
    chosen = dict(fixed_days)
    for pid, (_, usable) in free.items():
        chosen[pid] = frozenset(d for d in usable if solver.value(x[pid, d]))
    final = plan.replace(
        passengers=tuple(
            _with(p, chosen[p.passenger_id]) if p.passenger_id in chosen else p
            for p in plan.passengers
        )
    )
    both_optimal = first_status == "OPTIMAL" and solver.status_name(status) == "OPTIMAL"
    status_name = "OPTIMAL" if both_optimal else "FEASIBLE"
    return DayChoice(chosen, status_name, estimated_vehicle_trips(final, estimate))


def _with(p: Passenger, days: frozenset[Day]) -> Passenger:
    return replace(p, days=days)


def _home_stops(
    model: cp_model.CpModel,
    plan: WeekPlan,
    free: Mapping[str, tuple[int, tuple[Day, ...]]],
    fixed_days: Mapping[str, frozenset[Day]],
    x: Mapping[tuple[str, Day], cp_model.IntVar],
) -> list[cp_model.IntVar]:
    """One 0/1 variable per (shared home, weekday) that some flexible resident may attend."""
    homes: dict[LatLon, list[Passenger]] = defaultdict(list)
    for p in plan.passengers:
        homes[p.home].append(p)
    stops: list[cp_model.IntVar] = []
    for index, residents in enumerate(homes.values()):
        if len(residents) < 2 or not any(p.passenger_id in free for p in residents):
            continue
        fixed_visit = {
            day
            for p in residents
            if p.passenger_id not in free
            for day in fixed_days.get(p.passenger_id, p.days)
        }
        for day in DAYS:
            if day in fixed_visit:
                continue
            riders = [x[p.passenger_id, day] for p in residents if (p.passenger_id, day) in x]
            if not riders:
                continue
            stop = model.new_bool_var(f"home_{index}_{day}")
            for rider in riders:
                model.add(stop >= rider)
            stops.append(stop)
    return stops
