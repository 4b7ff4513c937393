"""What every change kind shares: its context, its error, selectors and id checks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final, Protocol

import numpy as np
import numpy.typing as npt

from solver.domain import DAYS, Day, LatLon, Mobility, Passenger, Vehicle, WeekPlan

SCENARIO_CODES: Final[dict[str, str]] = {
    "SCENARIO_UNKNOWN_PASSENGER": "A change names a passenger id that is not in the week.",
    "SCENARIO_UNKNOWN_CENTRE": "A change names a centre id that is not in the week.",
    "SCENARIO_UNKNOWN_VEHICLE": "A change names a vehicle id that is not in the week.",
    "SCENARIO_NO_ROOM": "A closed centre's passenger fits at no other centre open on their days.",
    "SCENARIO_BAD_CHANGE": (
        "A change cannot be applied (a time pushed past midnight, a layout the vehicle does "
        "not allow, nothing to draw new passengers from)."
    ),
    "SCENARIO_NEEDS_ROADS": "Growth needs a road network to place new homes on.",
    "SCENARIO_INVALID_PLAN": "The week a scenario's changes produce is not a valid plan.",
    "SCENARIO_DUPLICATE_ID": "Two scenarios of one batch share an id.",
}
"""Every scenario error code with what it means (README table)."""

TravelFn = Callable[[Sequence[LatLon], Sequence[LatLon]], npt.NDArray[np.float64]]
"""(origins, destinations) -> seconds (or any cost growing with distance), origins × dests."""


class LocationSource(Protocol):
    """Road-graph nodes to place new homes on (``solver.roads.RoadNetwork`` is one)."""

    def random_node_locations(self, n: int, rng: np.random.Generator) -> list[LatLon]:
        """``n`` node locations drawn with ``rng``."""
        ...


@dataclass(frozen=True)
class ApplyContext:
    """What some changes need besides the plan.

    ``travel``: travel times for "nearest centre" (straight-line distance when ``None``).
    ``locations``: road nodes for growth's new homes (growth fails without it).
    """

    travel: TravelFn | None = None
    locations: LocationSource | None = None


class ChangeError(Exception):
    """A change cannot be applied to a plan; ``code`` is a ``SCENARIO_*`` code."""

    def __init__(self, code: str, message: str, hint: str, ident: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.ident = ident

    def __reduce__(self) -> tuple[type[ChangeError], tuple[str, str, str, str | None]]:
        """Pickle by fields (crosses process boundaries)."""
        return (ChangeError, (self.code, self.message, self.hint, self.ident))


@dataclass(frozen=True, slots=True)
class PassengerSelector:
    """Which passengers a change affects: every condition given must hold (``None``: any).

    ``group_home``: ``True`` for residents of a group home (a home address shared with another
    passenger of the week), ``False`` for those living alone.
    """

    passenger_ids: tuple[str, ...] | None = None
    centre_ids: tuple[str, ...] | None = None
    num_days: tuple[int, ...] | None = None
    group_home: bool | None = None
    mobility: Mobility | None = None


@dataclass(frozen=True, slots=True)
class VehicleSelector:
    """Which vehicles a change affects: every condition given must hold (``None``: any).

    ``seats``/``wheelchair_places`` pick a vehicle type by its current layout (e.g. 3 + 2 for
    wheelchair vans).
    """

    vehicle_ids: tuple[str, ...] | None = None
    operator: str | None = None
    seats: int | None = None
    wheelchair_places: int | None = None


def group_home_ids(plan: WeekPlan) -> frozenset[str]:
    """Passengers whose home address is shared with another passenger (a group home)."""
    counts = Counter(p.home for p in plan.passengers)
    return frozenset(p.passenger_id for p in plan.passengers if counts[p.home] > 1)


def _check_known(known: set[str], ids: Sequence[str], code: str, noun: str, hint: str) -> None:
    for ident in ids:
        if ident not in known:
            raise ChangeError(code, f"{noun} {ident} is not in the week.", hint, ident)


def check_passenger_ids(plan: WeekPlan, ids: Sequence[str]) -> None:
    """Raise ``SCENARIO_UNKNOWN_PASSENGER`` for the first of ``ids`` not in ``plan``."""
    known = {p.passenger_id for p in plan.passengers}
    hint = "Use a passenger id of the base plan (or one an earlier change added)."
    _check_known(known, ids, "SCENARIO_UNKNOWN_PASSENGER", "Passenger", hint)


def check_centre_ids(plan: WeekPlan, ids: Sequence[str]) -> None:
    """Raise ``SCENARIO_UNKNOWN_CENTRE`` for the first of ``ids`` not in ``plan``."""
    known = {c.centre_id for c in plan.centres}
    hint = f"Use one of the centre ids: {', '.join(sorted(known))}."
    _check_known(known, ids, "SCENARIO_UNKNOWN_CENTRE", "Centre", hint)


def check_vehicle_ids(plan: WeekPlan, ids: Sequence[str]) -> None:
    """Raise ``SCENARIO_UNKNOWN_VEHICLE`` for the first of ``ids`` not in ``plan``."""
    known = {v.vehicle_id for v in plan.vehicles}
    hint = "Use a vehicle id of the base plan (or one an earlier change added)."
    _check_known(known, ids, "SCENARIO_UNKNOWN_VEHICLE", "Vehicle", hint)


def select_passengers(plan: WeekPlan, selector: PassengerSelector) -> list[Passenger]:
    """The passengers of ``plan`` that ``selector`` picks, in plan order.

    Raises :class:`ChangeError` for an unknown passenger or centre id.
    """
    if selector.passenger_ids is not None:
        check_passenger_ids(plan, selector.passenger_ids)
    if selector.centre_ids is not None:
        check_centre_ids(plan, selector.centre_ids)
    residents = group_home_ids(plan) if selector.group_home is not None else frozenset()
    chosen = []
    for p in plan.passengers:
        if selector.passenger_ids is not None and p.passenger_id not in selector.passenger_ids:
            continue
        if selector.centre_ids is not None and p.centre_id not in selector.centre_ids:
            continue
        if selector.num_days is not None and len(p.days) not in selector.num_days:
            continue
        if selector.group_home is not None and (p.passenger_id in residents) != (
            selector.group_home
        ):
            continue
        if selector.mobility is not None and p.mobility is not selector.mobility:
            continue
        chosen.append(p)
    return chosen


def select_vehicles(plan: WeekPlan, selector: VehicleSelector) -> list[Vehicle]:
    """The vehicles of ``plan`` that ``selector`` picks; ChangeError for an unknown id."""
    if selector.vehicle_ids is not None:
        check_vehicle_ids(plan, selector.vehicle_ids)
    return [
        v
        for v in plan.vehicles
        if (selector.vehicle_ids is None or v.vehicle_id in selector.vehicle_ids)
        and (selector.operator is None or v.operator == selector.operator)
        and (selector.seats is None or v.seats == selector.seats)
        and (
            selector.wheelchair_places is None or v.wheelchair_places == selector.wheelchair_places
        )
    ]


def ordered(days: frozenset[Day] | set[Day]) -> tuple[Day, ...]:
    """``days`` in weekday order."""
    return tuple(d for d in DAYS if d in days)


def with_days(plan: WeekPlan, new_days: Mapping[str, frozenset[Day]]) -> WeekPlan:
    """``plan`` with the passengers in ``new_days`` on those weekdays (home exceptions cut)."""
    passengers = tuple(
        replace(
            p,
            days=new_days[p.passenger_id],
            home_exceptions={
                d: loc for d, loc in p.home_exceptions.items() if d in new_days[p.passenger_id]
            },
        )
        if p.passenger_id in new_days
        else p
        for p in plan.passengers
    )
    return plan.replace(passengers=passengers)


def new_ids(plan: WeekPlan, prefix: str, count: int, existing: set[str]) -> list[str]:
    """``count`` ids ``prefix`` + a 3-digit number, none of them in ``existing``."""
    ids: list[str] = []
    number = 1
    while len(ids) < count:
        candidate = f"{prefix}{number:03d}"
        if candidate not in existing:
            ids.append(candidate)
        number += 1
    return ids
