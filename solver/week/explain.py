"""Counterfactual hints: which single change would have served an unassigned passenger.

For the passengers of a day-direction left out by the search (or by a screen that a change
of plan can lift), :func:`explain_day` solves relaxed copies of the day-direction, one per
relaxation in :data:`RELAXATIONS` order, each on a small deterministic budget and warm-started
from the day's routes (every relaxation only loosens rules, so those routes still hold).
All the passengers left out on the day-direction are relaxed together, once per relaxation;
each is then credited with the first relaxation under which they are served, provided the
relaxed routes really use it (a longer shift that no route needs proves nothing) and still
serve everyone the day's routes served. A passenger whom no relaxation serves is told so.

Hints name only ids the dispatcher knows (centres, vehicles, passengers); nothing here logs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from solver.check import entrance_peaks
from solver.domain import (
    Counterfactual,
    DayProblem,
    DayResult,
    Direction,
    Passenger,
    Reason,
    Relaxation,
    TimeWindow,
    Unassigned,
    Vehicle,
    max_ride_limit_s,
)
from solver.routing.model import (
    direct_s,
)
from solver.routing.read import ride_times
from solver.routing.screen import clock
from solver.routing.search import SearchParams, solve_day
from solver.travel import TravelTimes

EXPLAINABLE: frozenset[Reason] = frozenset(
    {
        Reason.FLEET_EXHAUSTED,
        Reason.WINDOW_UNREACHABLE,
        Reason.NO_WHEELCHAIR_VEHICLE,
        Reason.RIDE_TIME_TOO_SHORT,
    }
)
"""Reasons a relaxed copy can lift. The others (no vehicle at all, too many seats, no allowed
vehicle) already name the one change that helps."""

EXPLAIN_MAX_SOLUTIONS = 50
"""Work limit of each relaxed solve: where it binds before the clock, the hints are the same
on any machine for a fixed seed."""

MIN_RELAXED_SOLVE_S = 0.2
"""Shortest time limit worth giving one relaxed solve; with less, later relaxations are
skipped (their passengers get no counterfactual rather than a wrong one)."""

SEARCH_SHARE = 0.6
"""Share of a relaxed solve's slot for the search; the rest is for screening, building the
model, the warm start and the repair (measured: about 0.3 s on a 30-passenger day)."""

END_OF_DAY_S = 24 * 3600 - 1

Describe = Callable[[str, DayResult], str | None]
"""(passenger id, relaxed result) -> the hint, or None where the relaxation was not used."""


@dataclass(frozen=True)
class Relaxed:
    """A relaxed copy of a day-direction and how to word what it changed for a passenger."""

    problem: DayProblem
    describe: Describe
    summary: str
    """What was relaxed, for the hint when nothing helped (e.g. "shifts 30 min longer")."""


class Relax(Protocol):
    """One kind of relaxation: a relaxed copy for these passengers, or None if it cannot help."""

    @property
    def code(self) -> Relaxation: ...  # noqa: D102

    def relax(  # noqa: D102
        self, problem: DayProblem, targets: Sequence[Passenger], matrices: TravelTimes
    ) -> Relaxed | None: ...


# ----------------------------------------------------------------------------- helpers


def _served(result: DayResult) -> set[str]:
    return {pid for route in result.routes for stop in route.stops for pid in stop.pickups}


def _together(result: DayResult) -> list[frozenset[str]]:
    """Every set of passengers aboard one vehicle at once with two or more in it."""
    groups: list[frozenset[str]] = []
    for route in result.routes:
        aboard: set[str] = set()
        for stop in route.stops:
            # Arriving, everyone aboard rides together; then drop-offs, then pickups.
            for pid in stop.dropoffs:
                aboard.discard(pid)
            aboard.update(stop.pickups)
            if len(aboard) > 1:
                groups.append(frozenset(aboard))
    return groups


def _names(ids: Sequence[str] | set[str] | frozenset[str]) -> str:
    ordered = sorted(ids)
    if len(ordered) == 1:
        return ordered[0]
    return ", ".join(ordered[:-1]) + " and " + ordered[-1]


def _with_passengers(problem: DayProblem, changed: Mapping[str, Passenger]) -> DayProblem:
    return replace(
        problem,
        passengers=tuple(changed.get(p.passenger_id, p) for p in problem.passengers),
    )


def _also(pid: str, lifted: set[str]) -> str:
    """Who else the relaxation was used for, as a note to a passenger's hint."""
    others = lifted - {pid}
    return f" ({_names(others)} had theirs lifted at the same time)" if others else ""


# ------------------------------------------------------------------------ relaxations


@dataclass(frozen=True)
class LiftRideAlone:
    """The passengers left out may share the vehicle (their must-ride-alone rule lifted)."""

    code: Relaxation = Relaxation.RIDE_ALONE

    def relax(
        self, problem: DayProblem, targets: Sequence[Passenger], matrices: TravelTimes
    ) -> Relaxed | None:
        """Lift ``ride_alone`` for those of ``targets`` who have it."""
        lifted = {p.passenger_id: replace(p, ride_alone=False) for p in targets if p.ride_alone}
        if not lifted:
            return None
        lifted_ids = set(lifted)

        def describe(pid: str, result: DayResult) -> str | None:
            shared = {p for group in _together(result) for p in group if p in lifted_ids}
            if not shared:
                return None
            if pid in shared:
                return (
                    f"Served on {problem.day} if the passenger did not have to ride alone"
                    f"{_also(pid, shared)}."
                )
            return f"Served on {problem.day} if {_names(shared)} did not have to ride alone."

        return Relaxed(_with_passengers(problem, lifted), describe, "sharing the vehicle")


@dataclass(frozen=True)
class LiftIncompatibility:
    """Incompatible pairs naming a passenger left out are lifted (both must travel that day)."""

    code: Relaxation = Relaxation.INCOMPATIBLE_PAIR

    def relax(
        self, problem: DayProblem, targets: Sequence[Passenger], matrices: TravelTimes
    ) -> Relaxed | None:
        """Drop the incompatible pairs that bind ``targets`` on this day-direction."""
        target_ids = {p.passenger_id for p in targets}
        travelling = {p.passenger_id for p in problem.passengers}
        dropped = [
            pair
            for pair in problem.incompatible_pairs
            if set(pair) & target_ids and set(pair) <= travelling
        ]
        if not dropped:
            return None
        kept = tuple(pair for pair in problem.incompatible_pairs if pair not in dropped)

        def describe(pid: str, result: DayResult) -> str | None:
            groups = _together(result)
            used = [pair for pair in dropped if any(set(pair) <= group for group in groups)]
            if not used:
                return None
            partners = {b if a == pid else a for a, b in used if pid in (a, b)}
            others = [f"{a} with {b}" for a, b in used if pid not in (a, b)]
            if partners:
                text = (
                    f"Served on {problem.day} without the incompatibility with {_names(partners)}"
                )
                return text + (f" (also lifted: {', '.join(others)})." if others else ".")
            return f"Served on {problem.day} without the incompatibility of {', '.join(others)}."

        return Relaxed(replace(problem, incompatible_pairs=kept), describe, "no incompatibility")


@dataclass(frozen=True)
class LongerMaxRide:
    """The passengers left out may ride ``minutes`` longer than their maximum ride time."""

    minutes: int = 10
    code: Relaxation = Relaxation.MAX_RIDE

    def relax(
        self, problem: DayProblem, targets: Sequence[Passenger], matrices: TravelTimes
    ) -> Relaxed | None:
        """Raise each target's ``max_ride_s`` by ``minutes`` over the limit they have now."""
        if not targets:
            return None
        settings = problem.settings
        limits = {
            p.passenger_id: max_ride_limit_s(p, direct_s(problem, p, matrices), settings.max_ride)
            for p in targets
        }
        extra = self.minutes * 60
        lifted = {
            p.passenger_id: replace(p, max_ride_s=limits[p.passenger_id] + extra) for p in targets
        }
        minutes = self.minutes

        def describe(pid: str, result: DayResult) -> str | None:
            rides = ride_times(result.routes)
            longer = {p for p, limit in limits.items() if rides.get(p, 0) > limit}
            if not longer:
                return None
            if pid in longer:
                old = limits[pid] // 60
                return (
                    f"Served on {problem.day} if the maximum ride time were {minutes} minutes "
                    f"longer ({old + minutes} min instead of {old})"
                    f"{_also(pid, longer)}."
                )
            return (
                f"Served on {problem.day} if {_names(longer)} could ride {minutes} minutes longer."
            )

        return Relaxed(
            _with_passengers(problem, lifted), describe, f"maximum ride {minutes} min longer"
        )


@dataclass(frozen=True)
class WiderCentreWindow:
    """The centres of the passengers left out open ``minutes`` earlier and close later."""

    minutes: int = 15
    code: Relaxation = Relaxation.CENTRE_WINDOW

    def relax(
        self, problem: DayProblem, targets: Sequence[Passenger], matrices: TravelTimes
    ) -> Relaxed | None:
        """Widen each target centre's window of the day by ``minutes`` at both ends."""
        day, direction, extra = problem.day, problem.direction, self.minutes * 60
        ids = {p.centre_id for p in targets}
        old: dict[str, TimeWindow] = {}
        centres = []
        for centre in problem.centres:
            hours = centre.hours.get(day)
            if centre.centre_id not in ids or hours is None:
                centres.append(centre)
                continue
            window = hours.window(direction)
            old[centre.centre_id] = window
            wider = TimeWindow(
                max(0, window.start_s - extra), min(END_OF_DAY_S, window.end_s + extra)
            )
            new_hours = (
                replace(hours, arrival=wider)
                if direction is Direction.TO_CENTRE
                else replace(hours, departure=wider)
            )
            centres.append(replace(centre, hours={**centre.hours, day: new_hours}))
        if not old:
            return None
        kind = "arrival" if direction is Direction.TO_CENTRE else "departure"
        minutes = self.minutes

        def describe(pid: str, result: DayResult) -> str | None:
            earlier: set[str] = set()
            later: set[str] = set()
            for route in result.routes:
                for stop in route.stops:
                    window = old.get(stop.centre_id or "")
                    if window is None:
                        continue
                    if stop.arrival_s < window.start_s:
                        earlier.add(stop.centre_id or "")
                    if stop.arrival_s > window.end_s:
                        later.add(stop.centre_id or "")
            parts = []
            for cid in sorted(earlier | later):
                ends = []
                if cid in earlier:
                    opens = clock(max(0, old[cid].start_s - extra))
                    ends.append(f"opened {minutes} minutes earlier ({opens})")
                if cid in later:
                    closes = clock(min(END_OF_DAY_S, old[cid].end_s + extra))
                    ends.append(f"closed {minutes} minutes later ({closes})")
                parts.append(f"{cid}'s {kind} window on {day} {' and '.join(ends)}")
            return f"Served if {' and '.join(parts)}." if parts else None

        return Relaxed(
            replace(problem, centres=tuple(centres)),
            describe,
            f"centre {kind} window {minutes} min wider",
        )


@dataclass(frozen=True)
class WiderEntrance:
    """The centres of the wheelchair users left out set down one more of them at a time."""

    code: Relaxation = Relaxation.WHEELCHAIR_ENTRANCE

    def relax(
        self, problem: DayProblem, targets: Sequence[Passenger], matrices: TravelTimes
    ) -> Relaxed | None:
        """Raise ``max_wheelchair_dropoffs`` by one at the targets' limited centres."""
        if problem.direction is not Direction.TO_CENTRE:
            return None
        ids = {p.centre_id for p in targets if p.needs_wheelchair_place}
        old: dict[str, int] = {}
        centres = []
        for centre in problem.centres:
            limit = centre.max_wheelchair_dropoffs
            if centre.centre_id in ids and limit is not None:
                old[centre.centre_id] = limit
                centre = replace(centre, max_wheelchair_dropoffs=limit + 1)
            centres.append(centre)
        if not old:
            return None
        relaxed = replace(problem, centres=tuple(centres))

        def describe(pid: str, result: DayResult) -> str | None:
            peaks = entrance_peaks(result.routes, relaxed.centres, relaxed.passengers)
            used = sorted(c for c, limit in old.items() if c in peaks and peaks[c].holding > limit)
            parts = [f"{c} could set down {old[c] + 1} wheelchair users at a time" for c in used]
            return f"Served on {problem.day} if {' and '.join(parts)}." if parts else None

        return Relaxed(relaxed, describe, "one more wheelchair set-down at a time")


@dataclass(frozen=True)
class LongerShifts:
    """Every vehicle of the day starts ``minutes`` earlier and ends ``minutes`` later."""

    minutes: int = 30
    code: Relaxation = Relaxation.SHIFT

    def relax(
        self, problem: DayProblem, targets: Sequence[Passenger], matrices: TravelTimes
    ) -> Relaxed | None:
        """Lengthen every shift at both ends (a vehicle's ``max_route_s`` stays)."""
        if not problem.vehicles:
            return None
        extra = self.minutes * 60
        shifts = {v.vehicle_id: v.shift for v in problem.vehicles}
        vehicles = tuple(
            replace(
                v,
                shift=TimeWindow(
                    max(0, v.shift.start_s - extra), min(END_OF_DAY_S, v.shift.end_s + extra)
                ),
            )
            for v in problem.vehicles
        )
        minutes, day = self.minutes, problem.day

        def describe(pid: str, result: DayResult) -> str | None:
            parts = []
            for route in sorted(result.routes, key=lambda r: r.vehicle_id):
                shift = shifts[route.vehicle_id]
                ends = []
                if route.stops[0].departure_s < shift.start_s:
                    ends.append(f"started {minutes} minutes earlier")
                if route.stops[-1].departure_s > shift.end_s:
                    ends.append(f"ended {minutes} minutes later")
                if ends:
                    parts.append(f"{route.vehicle_id}'s shift on {day} {' and '.join(ends)}")
            return f"Served if {' and '.join(parts)}." if parts else None

        return Relaxed(
            replace(problem, vehicles=vehicles), describe, f"shifts {minutes} min longer"
        )


@dataclass(frozen=True)
class ExtraVehicle:
    """One more vehicle: a copy of the day's largest vehicle suited to the passengers left out.

    Where one of them needs a wheelchair place, the largest vehicle with one is copied (or,
    if none drives that day, the largest given one wheelchair place). Passengers who may ride
    the copied vehicle may ride the copy.
    """

    code: Relaxation = Relaxation.EXTRA_VEHICLE

    def relax(
        self, problem: DayProblem, targets: Sequence[Passenger], matrices: TravelTimes
    ) -> Relaxed | None:
        """Add the copy, under an id no vehicle has."""
        rideable = [
            v
            for v in sorted(problem.vehicles, key=lambda v: v.vehicle_id)
            if any(p.may_ride(v.vehicle_id) for p in targets)
        ]
        if not rideable:
            return None
        wheelchair = any(p.needs_wheelchair_place for p in targets)

        def size(v: Vehicle) -> tuple[bool, int, int]:
            return (wheelchair and v.wheelchair_places > 0, v.seats + v.wheelchair_places, v.seats)

        template = max(rideable, key=size)
        like = template.vehicle_id
        copy = template
        note = ""
        if wheelchair and template.wheelchair_places == 0:
            copy = replace(template, wheelchair_places=1, layouts=())
            note = " but with a wheelchair place"
        taken = {v.vehicle_id for v in problem.vehicles}
        new_id = f"{like}-extra"
        while new_id in taken:
            new_id += "-extra"
        copy = replace(copy, vehicle_id=new_id)
        changed = {}
        for p in problem.passengers:
            if p.allowed_vehicles is not None and like in p.allowed_vehicles:
                changed[p.passenger_id] = replace(p, allowed_vehicles=p.allowed_vehicles | {new_id})
            if like in p.excluded_vehicles:
                base = changed.get(p.passenger_id, p)
                changed[p.passenger_id] = replace(
                    base, excluded_vehicles=base.excluded_vehicles | {new_id}
                )
        relaxed = replace(_with_passengers(problem, changed), vehicles=(*problem.vehicles, copy))
        day = problem.day

        def describe(pid: str, result: DayResult) -> str | None:
            if not any(route.vehicle_id == new_id for route in result.routes):
                return None
            places = copy.wheelchair_places
            return (
                f"Served with one more vehicle like {like}{note} on {day} ({copy.seats} seats, "
                f"{places} wheelchair place{'' if places == 1 else 's'})."
            )

        return Relaxed(relaxed, describe, "one more vehicle")


RELAXATIONS: tuple[Relax, ...] = (
    LiftRideAlone(),
    LiftIncompatibility(),
    LongerMaxRide(),
    WiderCentreWindow(),
    WiderEntrance(),
    LongerShifts(),
    ExtraVehicle(),
)
"""The relaxations tried, in order: rules bound to the passengers first, then the day's
hours, then the fleet."""


# ---------------------------------------------------------------------------- explain


def explainable(result: DayResult) -> list[Unassigned]:
    """The unassigned entries of ``result`` a relaxed copy may explain (not yet explained)."""
    return [u for u in result.unassigned if u.reason in EXPLAINABLE and u.counterfactual is None]


def explain_day(
    problem: DayProblem,
    result: DayResult,
    matrices: TravelTimes,
    seconds: float,
    seed: int = 1,
    relaxations: Sequence[Relax] = RELAXATIONS,
) -> tuple[Unassigned, ...]:
    """``result``'s unassigned entries, each explainable one with its counterfactual.

    Solves one relaxed copy per applicable relaxation (all passengers left out together),
    ``seconds`` shared evenly among them (``SEARCH_SHARE`` of each slot searching, at most
    ``EXPLAIN_MAX_SOLUTIONS`` solutions); relaxations whose slot would be shorter than
    ``MIN_RELAXED_SOLVE_S`` are not tried, nor one whose search no longer fits in
    ``seconds``. Passengers served by none of those tried get ``Relaxation.NONE`` only where
    every applicable relaxation was tried; otherwise (too little time) they keep no
    counterfactual.
    """
    todo = explainable(result)
    if not todo:
        return result.unassigned
    by_id = {p.passenger_id: p for p in problem.passengers}
    targets = [by_id[u.passenger_id] for u in todo if u.passenger_id in by_id]
    relaxed_copies = [
        (relaxation, relaxed)
        for relaxation in relaxations
        if (relaxed := relaxation.relax(problem, targets, matrices)) is not None
    ]
    affordable = min(len(relaxed_copies), int(seconds / MIN_RELAXED_SOLVE_S))
    if affordable == 0:
        return result.unassigned
    started = time.perf_counter()
    search_s = seconds / affordable * SEARCH_SHARE
    # The relaxed search only has to place the passengers left out; improving the routes by
    # parts would spend its short time on cost.
    params = SearchParams(
        time_limit_s=search_s,
        seed=seed,
        max_solutions=EXPLAIN_MAX_SOLUTIONS,
        by_parts=False,
    )
    served_before = _served(result)
    found: dict[str, Counterfactual] = {}
    tried: list[str] = []
    for relaxation, relaxed in relaxed_copies[:affordable]:
        open_ids = [p.passenger_id for p in targets if p.passenger_id not in found]
        if not open_ids or time.perf_counter() - started + search_s > seconds:
            break  # only where the wall clock runs short (overheads), so rarely
        solved = solve_day(relaxed.problem, matrices, params, warm_start=result)
        tried.append(relaxed.summary)
        served_now = _served(solved)
        if not served_before <= served_now:
            continue  # serving someone new at another's cost explains nothing
        for pid in open_ids:
            if pid in served_now and (hint := relaxed.describe(pid, solved)) is not None:
                found[pid] = Counterfactual(relaxation.code, hint)
    every_tried = len(tried) == len(relaxed_copies)
    nothing = Counterfactual(
        Relaxation.NONE,
        f"None of the changes tried ({'; '.join(tried)}) served the passenger on "
        f"{problem.day} in a short search; the reason above stands.",
    )
    return tuple(
        replace(u, counterfactual=found[u.passenger_id])
        if u.passenger_id in found
        else replace(u, counterfactual=nothing)
        if every_tried and u in todo
        else u
        for u in result.unassigned
    )
