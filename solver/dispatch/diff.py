"""What a re-plan changed for whom: the trips that moved and the drivers who need a new manifest.

A dispatcher calls the passengers whose pickup moved and hands new manifests to the drivers
whose route changed; both come from comparing the published day-direction with the re-planned
one. Each trip that differs says why (:class:`Why`): the change named the passenger, their
vehicle broke down or is late, or (``knock_on``) nothing about them changed but the re-plan
moved them anyway: the disruption the re-plan is measured by (``num_unaffected_changed``).
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from enum import StrEnum

from solver.dispatch.changes import (
    Absence,
    Address,
    DayChanges,
    ExtraTrip,
    lateness_s,
)
from solver.domain import Day, DayProblem, DayResult, Direction, Route, StopKind
from solver.io.times import format_hhmm

SHOWN_MOVE_S = 60
"""A pickup that moves less than this is not listed (manifests show whole minutes)."""


@dataclass(frozen=True, slots=True)
class PublishedTrip:
    """Where a passenger rides in one day-direction's routes: vehicle, pickup and drop-off.

    ``pickup_s``: when the pickup stop's service starts (what a manifest shows);
    ``pickup_end_s``: when the vehicle leaves it. At a stop shared by several passengers
    (a group home) each one's own boarding starts somewhere in between.
    """

    vehicle_id: str
    pickup_s: int
    dropoff_s: int
    pickup_end_s: int


def published_trips(result: DayResult) -> dict[str, PublishedTrip]:
    """Passenger id -> their trip in ``result`` (service start of pickup and drop-off)."""
    pickups: dict[str, tuple[str, int, int]] = {}
    dropoffs: dict[str, int] = {}
    for route in result.routes:
        for stop in route.stops:
            for pid in stop.pickups:
                pickups[pid] = (route.vehicle_id, stop.arrival_s, stop.departure_s)
            for pid in stop.dropoffs:
                dropoffs[pid] = stop.arrival_s
    return {
        pid: PublishedTrip(vehicle_id, pickup_s, dropoffs.get(pid, pickup_s), end_s)
        for pid, (vehicle_id, pickup_s, end_s) in pickups.items()
    }


class Why(StrEnum):
    """Why a passenger's trip differs from the published one."""

    ABSENT = "absent"
    EXTRA_TRIP = "extra_trip"
    ADDRESS = "address"
    ASSIGNED = "assigned"
    VEHICLE_UNAVAILABLE = "vehicle_unavailable"
    DELAYED = "delayed"
    WITHDRAWN = "withdrawn"
    """A change that named them was taken back (e.g. an absence recorded by mistake)."""
    KNOCK_ON = "knock_on"


@dataclass(frozen=True, slots=True)
class TripChange:
    """One passenger's trip before and after (None: no trip, e.g. absent or left out)."""

    passenger_id: str
    why: Why
    vehicle_before: str | None
    vehicle_after: str | None
    pickup_before_s: int | None
    pickup_after_s: int | None

    @property
    def moved_s(self) -> int | None:
        """Seconds the pickup moved (later: positive), where there is one before and after."""
        if self.pickup_before_s is None or self.pickup_after_s is None:
            return None
        return self.pickup_after_s - self.pickup_before_s

    @property
    def changed_vehicle(self) -> bool:
        """Whether the passenger rides another vehicle than published (both exist)."""
        return None not in (self.vehicle_before, self.vehicle_after) and (
            self.vehicle_before != self.vehicle_after
        )


@dataclass(frozen=True)
class DayDiff:
    """What changed between a published day-direction and its re-plan.

    ``trips``: every passenger whose vehicle changed, whose pickup moved by a minute or more,
    who is new, gone or left out. ``new_manifests``: vehicles whose manifest (stops, who
    boards and alights, times to the minute) changed. ``num_unaffected``: passengers no change
    concerns (not named, not on a broken-down or late vehicle, not bound for a late centre);
    ``num_unaffected_changed``: those of them on another vehicle, moved more than the
    tolerance, or left out.
    """

    day: Day
    direction: Direction
    trips: tuple[TripChange, ...]
    new_manifests: tuple[str, ...]
    num_unaffected: int
    num_unaffected_changed: int
    cost_before: float
    cost_after: float

    @property
    def share_unaffected_changed(self) -> float:
        """``num_unaffected_changed`` as a share of ``num_unaffected`` (0 when there are none)."""
        return self.num_unaffected_changed / self.num_unaffected if self.num_unaffected else 0.0


def _manifest(route: Route) -> tuple[tuple[str, tuple[str, ...], tuple[str, ...], str], ...]:
    """What a driver's manifest shows of a route: each stop, who boards and alights, when."""
    return tuple(
        (str(stop.kind), stop.pickups, stop.dropoffs, format_hhmm(stop.arrival_s))
        for stop in route.stops
        if stop.kind is not StopKind.DEPOT
    )


def new_manifests(before: DayResult, after: DayResult) -> tuple[str, ...]:
    """Vehicles whose manifest differs between ``before`` and ``after`` (sorted)."""
    old = {r.vehicle_id: _manifest(r) for r in before.routes if r.stops}
    new = {r.vehicle_id: _manifest(r) for r in after.routes if r.stops}
    return tuple(sorted(v for v in old.keys() | new.keys() if old.get(v) != new.get(v)))


def _why(
    pid: str,
    changes: DayChanges,
    direction: Direction,
    moving: Set[str],
    delayed: Set[str],
) -> Why:
    if pid in changes.assignments(direction):
        return Why.ASSIGNED
    for change in changes.changes:
        if isinstance(change, Absence | ExtraTrip | Address) and change.passenger_id == pid:
            chosen = getattr(change, "direction", None)
            if chosen is not None and chosen is not direction:
                continue
            if isinstance(change, Absence):
                return Why.ABSENT
            return Why.EXTRA_TRIP if isinstance(change, ExtraTrip) else Why.ADDRESS
    if pid in moving:
        return Why.VEHICLE_UNAVAILABLE
    if any(getattr(c, "passenger_id", None) == pid for c in changes.withdrawn):
        return Why.WITHDRAWN
    return Why.DELAYED if pid in delayed else Why.KNOCK_ON


def diff_days(
    before: DayResult,
    after: DayResult,
    problem: DayProblem,
    changes: DayChanges,
    moving: Set[str],
    tolerance_s: int,
) -> DayDiff:
    """Compare the published ``before`` with the re-planned ``after`` of ``problem``.

    ``moving``: passengers a broken-down vehicle could no longer drive. A pickup counts as
    changed for an unaffected passenger beyond ``tolerance_s`` (the promise the re-plan
    keeps); trips are listed from a minute's move.
    """
    old, new = published_trips(before), published_trips(after)
    centre_of = {p.passenger_id: p.centre_id for p in problem.passengers}
    delayed = {
        pid
        for pid, trip in old.items()
        if lateness_s(
            changes,
            trip.vehicle_id,
            centre_of.get(pid) if problem.direction is Direction.TO_CENTRE else None,
        )
    }
    named = changes.passenger_ids(problem.direction)
    trips: list[TripChange] = []
    num_unaffected = num_changed = 0
    for pid in sorted(old.keys() | new.keys() | centre_of.keys()):
        was, now = old.get(pid), new.get(pid)
        if was is None and now is None:
            continue  # left out before and after (the result's unassigned say why)
        unaffected = (
            was is not None
            and pid in centre_of
            and pid not in named
            and pid not in moving
            and pid not in delayed
        )
        change = TripChange(
            pid,
            _why(pid, changes, problem.direction, moving, delayed),
            was.vehicle_id if was else None,
            now.vehicle_id if now else None,
            was.pickup_s if was else None,
            now.pickup_s if now else None,
        )
        moved = change.moved_s
        if unaffected:
            num_unaffected += 1
            if now is None or change.changed_vehicle or abs(moved or 0) > tolerance_s:
                num_changed += 1
        if was is None or now is None or change.changed_vehicle or abs(moved or 0) >= SHOWN_MOVE_S:
            trips.append(change)
    return DayDiff(
        day=after.day,
        direction=after.direction,
        trips=tuple(trips),
        new_manifests=new_manifests(before, after),
        num_unaffected=num_unaffected,
        num_unaffected_changed=num_changed,
        cost_before=before.kpis.cost,
        cost_after=after.kpis.cost,
    )
