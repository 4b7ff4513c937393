"""Re-plan one day-direction after the day's changes, disturbing as few passengers as possible.

The published routes are what drivers and passengers were told. After the day's changes
(:mod:`solver.dispatch.changes`) every *unaffected* passenger is held to their published
vehicle and to within ``tolerance_s`` (10 minutes) of their published pickup, as a strict pin
(:class:`~solver.domain.Pin`, ``add_pins``), and the search starts from the published routes
less the passengers who must move; the passengers the changes touch (an extra trip, another
address, a trip the broken-down vehicle can no longer drive) are inserted by the search.
A passenger on a late vehicle, or bound for a centre that opens late, keeps the vehicle and a
pickup shifted by the delay.

The first round holds the unaffected pickups to under a minute (``EXACT_TOLERANCE_S``), the
second allows the full ``tolerance_s``; the second is kept where it serves more passengers or
saves at least ``MIN_SAVING_TO_MOVE_PICKUPS_NOK``. Serving comes first, as in
the week planner's strict consistency: where someone is still left out, the pins give way in
rounds (:data:`ROUNDS`): first the pins of those left out, then the pickup times of the
others (vehicles kept), then every pin. A later round is kept only if it
serves more passengers. What changed for whom is :func:`solver.dispatch.diff.diff_days`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence, Set
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Final

import structlog

from solver.dispatch.changes import (
    DayChanges,
    changed_plan,
    check_changes,
    kinds,
    lateness_s,
    unavailable_from_s,
)
from solver.dispatch.diff import DayDiff, diff_days, published_trips
from solver.domain import (
    DIRECTIONS,
    Day,
    DayProblem,
    DayResult,
    Direction,
    LatLon,
    NotPlannedReason,
    Pin,
    Reason,
    WeekPlan,
    WeekResult,
)
from solver.errors import InputError, Issue
from solver.io.times import format_hhmm
from solver.routing.search import SearchParams, solve_day
from solver.travel import TravelTimes
from solver.validate import validate
from solver.week.planner import (
    GeometryFn,
    Network,
    build_week_matrices,
    default_workers,
    with_geometry,
    without_passengers,
)
from solver.week.totals import week_result

log = structlog.get_logger(__name__)

DEFAULT_TOLERANCE_S: Final = 10 * 60
"""How far an unaffected passenger's pickup may move from the published one (the issue's
+-10 minutes; a dispatcher need not call anyone whose pickup moves less)."""

EXACT_TOLERANCE_S: Final = 59
"""How far an unaffected pickup may move in the first round: less than a minute (the diff
lists moves from a minute), so that an absence or a late vehicle elsewhere moves nobody's
published time. With +-10 minutes from the start, an absence on the sample week moved three
other passengers' pickups 10 minutes later (the search is free inside the window)."""

DEFAULT_REPLAN_S: Final = 2.5
"""Seconds a re-plan searches by default (the target is a Bergen day-direction in 5 s)."""

EXACT_ROUND_SHARE: Final = 0.45
"""Share of the time the first round (pickups to under a minute) gets; the +-10 minute round
gets the rest, and later rounds run only where someone is left out."""

MIN_SAVING_TO_MOVE_PICKUPS_NOK: Final = 300.0
"""What moving unaffected pickups by up to 10 minutes must save on a day-direction (NOK) to
be preferred to holding them to the minute. Measured on the Bergen mornings (seeds 1-3, a
breakdown, 5 absences, 2 extra trips): holding every pickup to the minute alone took 1-5
vehicles more than the published day (up to 9,000 NOK), where +-10 minutes took 1-2."""

ROUNDS: Final = ("exact", "pinned", "stuck", "times", "all")
"""The rounds of a re-plan, each relaxing more pins than the last (see the module docstring)."""

LEFT_OUT_REASONS_TO_RETRY: Final = frozenset({Reason.FLEET_EXHAUSTED, Reason.SEARCH_TIME})
"""Reasons a relaxed round may cure: the screening's reasons (no wheelchair vehicle, too many
seats...) hold whatever the pins."""


@dataclass(frozen=True)
class Replan:
    """A day-direction re-planned after its changes.

    ``plan``: the week as it stands that day (:func:`~solver.dispatch.changes.changed_plan`;
    check ``result`` against it). ``problem``: the day-direction as last solved, with the pins
    that held. ``diff``: what changed for whom. ``round``: the last round kept (``ROUNDS``).
    """

    plan: WeekPlan
    problem: DayProblem
    result: DayResult
    diff: DayDiff
    round: str
    seconds: float


def must_move(
    published: DayResult,
    changes: DayChanges,
    matrices: TravelTimes,
    return_to_depot: bool,
    depots: Mapping[str, LatLon],
) -> set[str]:
    """Passengers a broken-down vehicle can no longer drive.

    All those after the last stop by which everyone it picked up is set down and it can be
    done (back at its depot, where routes return there) before it breaks down.
    """
    broken = unavailable_from_s(changes)
    moving: set[str] = set()
    for route in published.routes:
        from_s = broken.get(route.vehicle_id)
        if from_s is None:
            continue
        aboard: set[str] = set()
        kept_upto = -1
        for k, stop in enumerate(route.stops):
            aboard |= set(stop.pickups)
            aboard -= set(stop.dropoffs)
            done_s = stop.departure_s
            if return_to_depot:
                done_s += matrices.duration_s(stop.location, depots[route.vehicle_id])
            if done_s > from_s:
                break
            if not aboard:
                kept_upto = k
        for stop in route.stops[kept_upto + 1 :]:
            moving |= set(stop.pickups) | set(stop.dropoffs)
    return moving


def stranded(published: DayResult, changes: DayChanges) -> dict[str, tuple[LatLon, int]]:
    """Mornings: who is aboard a vehicle when it breaks down, where they wait, from when.

    Each passenger picked up before the breakdown (the stop left by then) and not yet set
    down waits at the last stop the vehicle left: the vehicle stands somewhere on the next
    leg, and that stop is the nearest place on the roads known to be reachable. Afternoons
    are not handled (see docs/dispatch.md, limits).
    """
    if published.direction is not Direction.TO_CENTRE:
        return {}
    broken = unavailable_from_s(changes)
    waiting: dict[str, tuple[LatLon, int]] = {}
    for route in published.routes:
        from_s = broken.get(route.vehicle_id)
        if from_s is None:
            continue
        aboard: set[str] = set()
        last: LatLon | None = None
        for stop in route.stops:
            if stop.departure_s > from_s:
                break
            aboard = (aboard | set(stop.pickups)) - set(stop.dropoffs)
            last = stop.location
        if last is not None:
            waiting.update({pid: (last, from_s) for pid in aboard})
    return waiting


def with_rescues(plan: WeekPlan, day: Day, waiting: Mapping[str, tuple[LatLon, int]]) -> WeekPlan:
    """``plan`` with each stranded passenger picked up where they wait, from the breakdown on.

    For the day only, their home is that place (``home_exceptions``) and their pickup starts
    no earlier than the breakdown (no latest pickup): another vehicle fetches them there.
    """
    if not waiting:
        return plan
    passengers = []
    for p in plan.passengers:
        if p.passenger_id not in waiting:
            passengers.append(p)
            continue
        place, from_s = waiting[p.passenger_id]
        passengers.append(
            replace(
                p,
                home_exceptions={**p.home_exceptions, day: place},
                earliest_pickup_s=max(from_s, p.earliest_pickup_s or 0),
                latest_pickup_s=None,
            )
        )
    return plan.replace(passengers=tuple(passengers))


def replan_pins(
    problem: DayProblem,
    published: DayResult,
    changes: DayChanges,
    moving: Set[str],
    tolerance_s: int,
) -> dict[str, Pin]:
    """Strict pins holding every passenger the changes leave alone to their published trip.

    Within ``tolerance_s`` of their pickup; the first round narrows that to under a
    minute (``EXACT_TOLERANCE_S``).

    Passengers named by a change or in ``moving`` get no pin. A pickup on a late vehicle, or
    to a centre opening late, is pinned that much later.
    """
    trips = published_trips(published)
    named = changes.passenger_ids(problem.direction)
    pins: dict[str, Pin] = {}
    for passenger in problem.passengers:
        pid = passenger.passenger_id
        trip = trips.get(pid)
        if trip is None or pid in named or pid in moving:
            continue
        centre = passenger.centre_id if problem.direction is Direction.TO_CENTRE else None
        shift_s = lateness_s(changes, trip.vehicle_id, centre)
        # The window spans the published stop (a later boarding at a shared stop starts
        # after its arrival), widened by the tolerance on both sides.
        half_stop_s = (trip.pickup_end_s - trip.pickup_s + 1) // 2
        middle_s = trip.pickup_s + half_stop_s + shift_s
        pins[pid] = Pin(trip.vehicle_id, middle_s, tolerance_s + half_stop_s, is_strict=True)
    return pins


def lock_pins(problem: DayProblem, changes: DayChanges) -> dict[str, Pin]:
    """The dispatcher's hand edits (:class:`Assign`) as strict pins every round keeps."""
    present = {p.passenger_id for p in problem.passengers}
    return {
        pid: Pin(
            change.vehicle_id,
            change.pickup_s,
            EXACT_TOLERANCE_S if change.pickup_s is not None else 0,
            is_strict=True,
            is_time_strict=change.pickup_s is not None,
        )
        for pid, change in changes.assignments(problem.direction).items()
        if pid in present
    }


def route_locks(
    problem: DayProblem, current: DayResult, changes: DayChanges
) -> tuple[DayProblem, dict[str, Pin]]:
    """The locked routes (:class:`LockRoute`) as pins and a problem to keep them.

    Strict pins hold each of their passengers on the vehicle at their pickup in ``current``;
    the problem keeps everyone else off those vehicles.
    """
    locked = changes.locked_routes(problem.direction)
    if not locked:
        return problem, {}
    trips = published_trips(current)
    present = {p.passenger_id for p in problem.passengers}
    aboard = {pid for pid, trip in trips.items() if trip.vehicle_id in locked and pid in present}
    pins = {
        pid: Pin(
            trips[pid].vehicle_id,
            trips[pid].pickup_s,
            EXACT_TOLERANCE_S,
            is_strict=True,
            is_time_strict=True,
        )
        for pid in aboard
    }
    passengers = tuple(
        p
        if p.passenger_id in aboard
        else replace(p, excluded_vehicles=p.excluded_vehicles | locked)
        for p in problem.passengers
    )
    return replace(problem, passengers=passengers), pins


def _locks_broken(result: DayResult, locks: Mapping[str, Pin], day: str) -> InputError | None:
    """``CHANGE_LOCK_CANNOT_HOLD`` for each hand edit ``result`` does not keep (None: all do)."""
    trips = published_trips(result)
    issues = []
    for pid, pin in sorted(locks.items()):
        trip = trips.get(pid)
        if (
            trip is not None
            and trip.vehicle_id == pin.vehicle_id
            and (
                pin.pickup_s is None
                or trip.pickup_s - pin.tolerance_s
                <= pin.pickup_s
                <= trip.pickup_end_s + pin.tolerance_s
            )
        ):
            continue
        at = "" if pin.pickup_s is None else f" with a pickup at {format_hhmm(pin.pickup_s)}"
        issues.append(
            Issue(
                "CHANGE_LOCK_CANNOT_HOLD",
                f"Passenger {pid} cannot ride vehicle {pin.vehicle_id}{at} on {day} "
                f"{result.direction} within the rules (seats, windows, ride time, shift).",
                "Choose another vehicle or time for them, or take the assignment back.",
                id=pid,
            )
        )
    return InputError(issues, "changes") if issues else None


def _relaxed(
    pins: Mapping[str, Pin], round_name: str, stuck: Set[str], tolerance_s: int
) -> dict[str, Pin]:
    """The pins a round keeps (``ROUNDS``); ``pins`` hold the full ``tolerance_s``."""
    if round_name == "all":
        return {}
    if round_name == "exact":
        narrower = max(0, tolerance_s - EXACT_TOLERANCE_S)
        return {
            pid: replace(pin, tolerance_s=pin.tolerance_s - narrower) for pid, pin in pins.items()
        }
    if round_name == "pinned":
        return dict(pins)
    kept = {pid: pin for pid, pin in pins.items() if pid not in stuck}
    if round_name == "times":
        return {pid: replace(pin, is_time_strict=False) for pid, pin in kept.items()}
    return kept


def _retry_worthy(result: DayResult) -> set[str]:
    """Passengers left out for a reason a relaxed round might cure."""
    return {u.passenger_id for u in result.unassigned if u.reason in LEFT_OUT_REASONS_TO_RETRY}


def _first_rounds(
    exact: DayProblem,
    within: DayProblem,
    matrices: TravelTimes,
    search: SearchParams,
    start: DayResult,
    workers: int,
    ends_at: float,
) -> tuple[DayResult, DayResult]:
    """The first two rounds' results (to the minute, and +-10 minutes).

    With ``workers`` above 1 side by side on two processes, each with the whole budget;
    else one after the other, ``EXACT_ROUND_SHARE`` of it first.
    """
    if workers > 1:
        with ProcessPoolExecutor(max_workers=2) as pool:
            first = pool.submit(solve_day, exact, matrices, search, start)
            second = pool.submit(solve_day, within, matrices, search, start)
            return first.result(), second.result()
    first_s = max(MIN_ROUND_S, EXACT_ROUND_SHARE * search.time_limit_s)
    first_result = solve_day(exact, matrices, replace(search, time_limit_s=first_s), start)
    left_s = max(MIN_ROUND_S, ends_at - time.perf_counter())
    return first_result, solve_day(within, matrices, replace(search, time_limit_s=left_s), start)


def replan_day(
    plan: WeekPlan,
    published: DayResult,
    changes: DayChanges,
    matrices: TravelTimes,
    *,
    time_limit_s: float = DEFAULT_REPLAN_S,
    seed: int = 1,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    max_solutions: int | None = None,
    workers: int = 1,
) -> Replan:
    """Re-plan ``published`` (one day-direction of ``plan``'s week) after ``changes``.

    ``matrices`` must answer for every place of the changed plan (addresses given by an
    :class:`~solver.dispatch.changes.Address` included). ``time_limit_s`` caps the searching;
    ``seed`` and ``max_solutions`` make it deterministic as a week's solve is; ``workers``
    above 1 runs the first two rounds side by side (:func:`_first_rounds`). Raises
    :class:`InputError` for bad changes, or changes for another day than ``published``'s.
    """
    started = time.perf_counter()
    if changes.day != published.day:
        raise InputError(
            [
                Issue(
                    "CHANGE_DAY_NOT_PLANNED",
                    f"The changes are for {changes.day}, the routes for {published.day}.",
                    "Re-plan the day the changes are for.",
                    path="day",
                )
            ],
            "changes",
        )
    direction = published.direction
    # Passengers aboard a vehicle that breaks down are fetched where it stopped last.
    changed = with_rescues(
        changed_plan(plan, changes, direction), changes.day, stranded(published, changes)
    )
    problem, route_pins = route_locks(
        changed.day_problem(changes.day, direction), published, changes
    )
    depots = {v.vehicle_id: v.depot for v in changed.vehicles}
    moving = must_move(published, changes, matrices, plan.settings.return_to_depot, depots)
    pins = replan_pins(problem, published, changes, moving, tolerance_s)
    named = changes.passenger_ids(direction)
    start = without_passengers(published, moving | named)
    pinned = replace(problem, pins=pins)
    ends_at = started + time_limit_s
    locks = {**route_pins, **lock_pins(problem, changes)}  # a hand edit wins over a route lock
    exact = replace(problem, pins=_relaxed(pins, ROUNDS[0], set(), tolerance_s) | locks)
    # The +-10 minute round always runs too, from the published routes as well (they hold
    # its pins): it wins if it serves more, or as many for MIN_SAVING_TO_MOVE_PICKUPS_NOK less.
    within = replace(problem, pins=_relaxed(pins, ROUNDS[1], set(), tolerance_s) | locks)
    search = SearchParams(time_limit_s=time_limit_s, seed=seed, max_solutions=max_solutions)
    first, second = _first_rounds(exact, within, matrices, search, start, workers, ends_at)
    best_problem, best, kept_round = exact, first, ROUNDS[0]
    if len(second.unassigned) < len(first.unassigned) or (
        len(second.unassigned) == len(first.unassigned)
        and second.kpis.cost < first.kpis.cost - MIN_SAVING_TO_MOVE_PICKUPS_NOK
    ):
        best_problem, best, kept_round = within, second, ROUNDS[1]
    relaxing = ROUNDS[2:]
    for k, round_name in enumerate(relaxing):
        stuck = _retry_worthy(best)
        if not stuck:
            break
        relaxed = replace(pinned, pins=_relaxed(pins, round_name, stuck, tolerance_s) | locks)
        if relaxed.pins == best_problem.pins:
            continue
        # Serving comes first: a round runs past the budget if it must, for MIN_ROUND_S.
        left_s = ends_at - time.perf_counter()
        limit_s = max(MIN_ROUND_S, left_s / (len(relaxing) - k))
        # Soft pickup times admit no warm start (``solve_day``): that round starts afresh.
        tried = solve_day(relaxed, matrices, replace(search, time_limit_s=limit_s), best)
        if len(tried.unassigned) < len(best.unassigned):
            best_problem, best, kept_round = relaxed, tried, round_name
    broken = _locks_broken(best, locks, changes.day)
    if broken is not None:
        raise broken
    seconds = time.perf_counter() - started
    diff = diff_days(published, best, problem, changes, moving, tolerance_s)
    log.info(
        "day re-planned",
        day=changes.day,
        direction=str(direction),
        changes=kinds(changes.changes),
        round=kept_round,
        unaffected=diff.num_unaffected,
        unaffected_changed=diff.num_unaffected_changed,
        unassigned=len(best.unassigned),
        seconds=round(seconds, 2),
    )
    return Replan(changed, best_problem, best, diff, kept_round, seconds)


MIN_ROUND_S: Final = 0.5
"""Seconds a relaxing round searches at least, even past the budget (serving comes first)."""


@dataclass(frozen=True)
class WeekReplan:
    """A solved week with one day re-planned.

    The new week, each re-planned direction, and the matrices they were planned on (for
    checking).
    """

    result: WeekResult
    replans: tuple[Replan, ...]
    matrices: TravelTimes


IGNORED_AFTER_CHANGES: Final = frozenset({"INPUT_NO_DAYS"})
"""Plan rules a day's changes may break harmlessly: an absence can leave a passenger who
attends one day no day at all, for that day's plan."""


def _raise_if_broken(changed: WeekPlan, changes: DayChanges) -> None:
    """Raise for a plan rule the changes break, naming the id.

    For example an extra trip outside the passenger's own windows, or a centre opening so
    late that nobody's window can meet it.
    """
    named = {
        getattr(change, attr)
        for change in changes.changes
        for attr in ("passenger_id", "vehicle_id", "centre_id")
        if hasattr(change, attr)
    }
    issues = [
        issue
        for issue in validate(changed)
        if issue.code not in IGNORED_AFTER_CHANGES and (issue.id is None or issue.id in named)
    ]
    if issues:
        raise InputError(issues, "changes")


def _not_planned(day: str) -> InputError:
    return InputError(
        [
            Issue(
                "CHANGE_DAY_NOT_PLANNED",
                f"The week's result has no routes on {day} in the directions asked for.",
                "Solve that day first, or record the changes for a day the week planned.",
                path="day",
            )
        ],
        "changes",
    )


def replan_week(
    plan: WeekPlan,
    week: WeekResult,
    changes: DayChanges,
    network: Network,
    *,
    directions: Sequence[Direction] | None = None,
    geometry: GeometryFn | None = None,
    time_limit_s: float = DEFAULT_REPLAN_S,
    seed: int = 1,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    max_solutions: int | None = None,
    workers: int | None = None,
) -> WeekReplan:
    """Re-plan ``changes.day`` of the solved ``week``: the one entry point of CLI and service.

    Each of ``directions`` (None: every direction the week planned that day) gets
    ``time_limit_s``; the other day-directions come back as they were. ``workers``: processes
    per direction (None: the machine's cores, at most 4; two are used).

    Raises :class:`InputError` for bad changes, a changed plan that breaks a rule of the
    plan (e.g. an extra trip outside the passenger's windows), or a day the week has no
    routes for (``CHANGE_DAY_NOT_PLANNED``).
    """
    check_changes(plan, changes)
    planned = {(r.day, r.direction): r for r in week.plans}
    chosen = [d for d in (directions or DIRECTIONS) if (changes.day, d) in planned]
    if not chosen:
        raise _not_planned(changes.day)
    # Every direction's changed plan has the same places (plan's and the new addresses).
    matrices = build_week_matrices(changed_plan(plan, changes, chosen[0]), network)
    replans = []
    for direction in chosen:
        _raise_if_broken(changed_plan(plan, changes, direction), changes)
        replanned = replan_day(
            plan,
            planned[(changes.day, direction)],
            changes,
            matrices,
            time_limit_s=time_limit_s,
            seed=seed,
            tolerance_s=tolerance_s,
            max_solutions=max_solutions,
            workers=default_workers() if workers is None else workers,
        )
        if geometry is not None:
            replanned = replace(replanned, result=with_geometry(replanned.result, geometry))
        replans.append(replanned)
        planned[(changes.day, direction)] = replanned.result
    order = [(r.day, r.direction) for r in week.plans]
    unfinished = NotPlannedReason.UNFINISHED
    requested = [
        *order,
        *((n.day, n.direction) for n in week.not_planned if n.reason is unfinished),
    ]
    result = week_result(plan, [planned[key] for key in order], None, requested)
    return WeekReplan(result, tuple(replans), matrices)
