"""What-if changes: small frozen dataclasses, each applied by a pure function WeekPlan -> WeekPlan.

A scenario is an ordered list of changes applied to a copy of the base week
(:func:`apply_changes`); the base is never modified (``WeekPlan`` is immutable). Every apply
function is deterministic: randomness (growth, sampling) comes from the change's own seed.

Unknown ids raise :class:`ChangeError` naming the id; :func:`apply_changes` turns it into an
:class:`~solver.errors.InputError` whose issue names the scenario as well (``SCENARIO_*``
codes, see :data:`SCENARIO_CODES`).

Change types (the ``type`` in SCENARIOS.json):

``cap_days``         passengers chosen by a selector keep at most ``max_days`` weekdays; the
                     dropped weekdays are given (an order of preference, e.g. Friday first) or
                     chosen by the attendance-day optimiser (:mod:`solver.scenarios.days`).
``optimise_days``    re-choose the weekdays of selected passengers (same number of days,
                     among allowed weekdays) to lower the peak vehicle need.
``age_limit``        passengers aged ``max_age`` or more in ``reference_year`` leave; passengers
                     without a birth year stay (and are counted in the notes).
``remove_passengers`` selected passengers leave (all of them, or ``count`` drawn with a seed).
``close_centre``     a centre closes; its passengers move to ``into`` (a merge) or each to the
                     nearest centre with room (road travel time when roads are given, else
                     straight line), room being places per weekday.
``centre_hours``     shift centres' windows (e.g. every second centre +30 min) or set them.
``add_vehicles``     ``count`` vehicles like an existing one, or described in full.
``remove_vehicles``  vehicles leave the fleet.
``modify_vehicles``  a seating layout, operator (own/contractor), shift or weekdays for
                     selected vehicles.
``tariff``           set or scale tariff fields (per km, hour, vehicle-day, trip, week, year,
                     distance bands) of selected vehicles.
``max_ride``         the maximum ride time rule (``min_s``, ``factor``), optionally clearing
                     passengers' own limits.
``growth``           ``num_passengers`` new passengers drawn like the existing ones (seeded;
                     homes on road-network nodes near a drawn passenger's home).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Literal, Protocol

import numpy as np
import numpy.typing as npt

from solver.domain import (
    DAYS,
    Centre,
    CentreHours,
    Day,
    DistanceBand,
    LatLon,
    Mobility,
    Passenger,
    SeatingLayout,
    Tariff,
    TimeWindow,
    Vehicle,
    WeekPlan,
)
from solver.errors import InputError, Issue
from solver.scenarios.days import VehicleEstimate, choose_days
from solver.straight import haversine_m
from solver.validate import validate

SECONDS_PER_DAY: Final = 24 * 3600

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


# ---------------------------------------------------------------------------- selectors


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


def _check_passenger_ids(plan: WeekPlan, ids: Sequence[str]) -> None:
    known = {p.passenger_id for p in plan.passengers}
    for ident in ids:
        if ident not in known:
            raise ChangeError(
                "SCENARIO_UNKNOWN_PASSENGER",
                f"Passenger {ident} is not in the week.",
                "Use a passenger id of the base plan (or one an earlier change added).",
                ident,
            )


def _check_centre_ids(plan: WeekPlan, ids: Sequence[str]) -> None:
    known = {c.centre_id for c in plan.centres}
    for ident in ids:
        if ident not in known:
            raise ChangeError(
                "SCENARIO_UNKNOWN_CENTRE",
                f"Centre {ident} is not in the week.",
                f"Use one of the centre ids: {', '.join(sorted(known))}.",
                ident,
            )


def _check_vehicle_ids(plan: WeekPlan, ids: Sequence[str]) -> None:
    known = {v.vehicle_id for v in plan.vehicles}
    for ident in ids:
        if ident not in known:
            raise ChangeError(
                "SCENARIO_UNKNOWN_VEHICLE",
                f"Vehicle {ident} is not in the week.",
                "Use a vehicle id of the base plan (or one an earlier change added).",
                ident,
            )


def select_passengers(plan: WeekPlan, selector: PassengerSelector) -> list[Passenger]:
    """The passengers of ``plan`` that ``selector`` picks, in plan order.

    Raises :class:`ChangeError` for an unknown passenger or centre id.
    """
    if selector.passenger_ids is not None:
        _check_passenger_ids(plan, selector.passenger_ids)
    if selector.centre_ids is not None:
        _check_centre_ids(plan, selector.centre_ids)
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
        _check_vehicle_ids(plan, selector.vehicle_ids)
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


# ------------------------------------------------------------------------------ changes


@dataclass(frozen=True, slots=True)
class CapDays:
    """Selected passengers keep at most ``max_days`` of their weekdays.

    ``drop``: weekdays to drop in order of preference (a passenger who attends none of them
    drops their latest weekdays), or ``"optimise"``: the attendance-day optimiser picks, per
    passenger, which of their weekdays to keep so that the estimated peak vehicle need (then
    vehicle-trips, group-home stops and the busiest day) is lowest; ``estimate`` sets its
    proxy's vehicle sizes.
    """

    max_days: int
    select: PassengerSelector = PassengerSelector()
    drop: tuple[Day, ...] | Literal["optimise"] = ("fri",)
    estimate: VehicleEstimate = field(default_factory=VehicleEstimate)


@dataclass(frozen=True)
class OptimiseDays:
    """Re-choose the weekdays of selected passengers, keeping how many days each attends.

    ``allowed``: per passenger id, the weekdays they could attend; passengers not listed may
    attend any weekday their centre is open.
    """

    select: PassengerSelector = PassengerSelector()
    allowed: Mapping[str, frozenset[Day]] = field(default_factory=dict)
    estimate: VehicleEstimate = field(default_factory=VehicleEstimate)


@dataclass(frozen=True, slots=True)
class AgeLimit:
    """Passengers aged ``max_age`` or more in ``reference_year`` leave.

    That is, those born in or before ``reference_year - max_age``; passengers without a birth
    year stay.
    """

    max_age: int = 62
    reference_year: int = 2025
    select: PassengerSelector = PassengerSelector()


@dataclass(frozen=True, slots=True)
class RemovePassengers:
    """Selected passengers leave: all of them, or ``count`` drawn at random with ``seed``."""

    select: PassengerSelector
    count: int | None = None
    seed: int = 1


@dataclass(frozen=True)
class CloseCentre:
    """Centre ``centre_id`` closes; its passengers move to another centre.

    ``into``: one centre that takes them all (a merge; capacity is not checked). Otherwise each
    passenger goes to the nearest centre, by travel time from home, that is open on all their
    weekdays and has room on each of them; homes are taken in order of location, and a group
    home's residents move together to the nearest centre with room for all of them (one by
    one only where no centre has).
    Room is places per weekday: ``capacity`` per centre id, else ``capacity_headroom`` above
    the centre's busiest weekday now (0.2 = 20% more), else unlimited.
    """

    centre_id: str
    into: str | None = None
    capacity: Mapping[str, int] = field(default_factory=dict)
    capacity_headroom: float | None = None


@dataclass(frozen=True, slots=True)
class ChangeCentreHours:
    """Shift (``shift_s``) or set (``arrival``/``departure``) selected centres' windows.

    ``centres``: centre ids, ``"all"``, or ``"every_second"`` (the 2nd, 4th... centre in plan
    order: staggered openings). ``days``: which open weekdays (``None``: all).
    """

    centres: tuple[str, ...] | Literal["all", "every_second"] = "all"
    shift_s: int = 0
    arrival: TimeWindow | None = None
    departure: TimeWindow | None = None
    days: tuple[Day, ...] | None = None


@dataclass(frozen=True, slots=True)
class AddVehicles:
    """Add ``count`` vehicles: copies of vehicle ``like`` with the fields given replaced.

    Without ``like``, ``seats``, ``tariff`` and a depot (``depot`` or ``at_centre``) are needed;
    the shift then defaults to the first vehicle's. New ids are ``id_prefix`` + a number.
    """

    count: int = 1
    like: str | None = None
    id_prefix: str = "X"
    seats: int | None = None
    wheelchair_places: int | None = None
    layouts: tuple[SeatingLayout, ...] | None = None
    depot: LatLon | None = None
    at_centre: str | None = None
    shift: TimeWindow | None = None
    days: frozenset[Day] | None = None
    tariff: Tariff | None = None
    operator: str | None = None


@dataclass(frozen=True, slots=True)
class RemoveVehicles:
    """Selected vehicles leave the fleet (``count``: only the last ``count`` of them)."""

    select: VehicleSelector
    count: int | None = None


@dataclass(frozen=True, slots=True)
class ModifyVehicles:
    """Set the seating layout, operator, shift or weekdays of selected vehicles.

    A ``layout`` must be one of a vehicle's ``layouts`` when it lists any.
    """

    select: VehicleSelector = VehicleSelector()
    layout: SeatingLayout | None = None
    operator: str | None = None
    shift: TimeWindow | None = None
    days: frozenset[Day] | None = None


TARIFF_FIELDS: Final = ("per_km", "per_hour", "per_vehicle_day", "per_trip", "per_week", "per_year")


@dataclass(frozen=True)
class ChangeTariff:
    """Set (``set``) then scale (``scale``, factors) tariff fields of selected vehicles.

    Field names: :data:`TARIFF_FIELDS`. ``distance_bands`` replaces the bands when given;
    ``scale_bands`` multiplies every band's price.
    """

    select: VehicleSelector = VehicleSelector()
    set: Mapping[str, float] = field(default_factory=dict)
    scale: Mapping[str, float] = field(default_factory=dict)
    distance_bands: tuple[DistanceBand, ...] | None = None
    scale_bands: float | None = None


@dataclass(frozen=True, slots=True)
class MaxRide:
    """The default maximum ride rule: ``min_s`` and/or ``factor`` (``None``: unchanged).

    ``clear_passenger_limits``: passengers' own ``max_ride_s`` are dropped too.
    """

    min_s: int | None = None
    factor: float | None = None
    clear_passenger_limits: bool = False


@dataclass(frozen=True, slots=True)
class Growth:
    """``num_passengers`` new passengers, each drawn like an existing one (seeded).

    A new passenger copies a randomly drawn passenger of ``centre_ids`` (or of any centre): centre,
    weekdays, mobility, escorts and own time windows; their home is the unused road node nearest
    to that passenger's home among nodes drawn from the road network; their birth year is that
    of another randomly drawn passenger. Ids are ``id_prefix`` + a number.
    """

    num_passengers: int
    seed: int = 1
    centre_ids: tuple[str, ...] | None = None
    id_prefix: str = "N"


Change = (
    CapDays
    | OptimiseDays
    | AgeLimit
    | RemovePassengers
    | CloseCentre
    | ChangeCentreHours
    | AddVehicles
    | RemoveVehicles
    | ModifyVehicles
    | ChangeTariff
    | MaxRide
    | Growth
)
"""Any change a scenario may hold."""

# --------------------------------------------------------------------------- apply: days


def _ordered(days: frozenset[Day] | set[Day]) -> tuple[Day, ...]:
    return tuple(d for d in DAYS if d in days)


def naive_keep(days: frozenset[Day], max_days: int, drop: Sequence[Day]) -> frozenset[Day]:
    """``days`` cut to ``max_days``: drop ``drop``'s weekdays in order, then the latest ones."""
    kept = list(_ordered(days))
    order = [d for d in drop if d in kept] + [d for d in reversed(kept) if d not in drop]
    for day in order:
        if len(kept) <= max_days:
            break
        kept.remove(day)
    return frozenset(kept)


def apply_cap_days(plan: WeekPlan, change: CapDays, context: ApplyContext) -> WeekPlan:
    """Selected passengers keep at most ``change.max_days`` weekdays (see :class:`CapDays`)."""
    if not 1 <= change.max_days <= len(DAYS):
        raise ChangeError(
            "SCENARIO_BAD_CHANGE",
            f"cap_days max_days {change.max_days} is not between 1 and 5.",
            "Set max_days to 1..5.",
        )
    over = [p for p in select_passengers(plan, change.select) if len(p.days) > change.max_days]
    if change.drop == "optimise":
        flexible = {p.passenger_id: (change.max_days, p.days) for p in over}
        new_days = choose_days(plan, flexible, change.estimate).days
    else:
        new_days = {p.passenger_id: naive_keep(p.days, change.max_days, change.drop) for p in over}
    return _with_days(plan, new_days)


def apply_optimise_days(plan: WeekPlan, change: OptimiseDays, context: ApplyContext) -> WeekPlan:
    """Re-choose selected passengers' weekdays (see :class:`OptimiseDays`)."""
    _check_passenger_ids(plan, list(change.allowed))
    chosen = select_passengers(plan, change.select)
    open_days = {c.centre_id: frozenset(c.hours) for c in plan.centres}
    flexible = {
        p.passenger_id: (
            len(p.days),
            change.allowed.get(p.passenger_id, open_days.get(p.centre_id, frozenset())),
        )
        for p in chosen
    }
    return _with_days(plan, choose_days(plan, flexible, change.estimate).days)


def _with_days(plan: WeekPlan, new_days: Mapping[str, frozenset[Day]]) -> WeekPlan:
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


# ---------------------------------------------------------------------- apply: passengers


def is_over_age(passenger: Passenger, change: AgeLimit) -> bool:
    """Whether ``passenger`` is ``max_age`` or older in ``reference_year`` (unknown: no)."""
    if passenger.birth_year is None:
        return False
    return change.reference_year - passenger.birth_year >= change.max_age


def apply_age_limit(plan: WeekPlan, change: AgeLimit, context: ApplyContext) -> WeekPlan:
    """Selected passengers aged ``max_age`` or more leave (see :class:`AgeLimit`)."""
    leaving = {
        p.passenger_id for p in select_passengers(plan, change.select) if is_over_age(p, change)
    }
    return plan.replace(
        passengers=tuple(p for p in plan.passengers if p.passenger_id not in leaving)
    )


def apply_remove_passengers(
    plan: WeekPlan, change: RemovePassengers, context: ApplyContext
) -> WeekPlan:
    """Selected passengers leave (see :class:`RemovePassengers`)."""
    chosen = [p.passenger_id for p in select_passengers(plan, change.select)]
    if change.count is not None and change.count < len(chosen):
        rng = np.random.default_rng(change.seed)
        picks = rng.choice(len(chosen), size=max(0, change.count), replace=False)
        chosen = [chosen[int(i)] for i in sorted(picks.tolist())]
    leaving = set(chosen)
    return plan.replace(
        passengers=tuple(p for p in plan.passengers if p.passenger_id not in leaving)
    )


def _haversine_travel(
    origins: Sequence[LatLon], destinations: Sequence[LatLon]
) -> npt.NDArray[np.float64]:
    both = list(origins) + list(destinations)
    metres = haversine_m(both)
    block: npt.NDArray[np.float64] = metres[: len(origins), len(origins) :]
    return block


def _places_per_day(plan: WeekPlan) -> dict[str, Counter[Day]]:
    load: dict[str, Counter[Day]] = {c.centre_id: Counter() for c in plan.centres}
    for p in plan.passengers:
        load.setdefault(p.centre_id, Counter()).update(p.days)
    return load


def apply_close_centre(plan: WeekPlan, change: CloseCentre, context: ApplyContext) -> WeekPlan:
    """Close ``change.centre_id`` and move its passengers (see :class:`CloseCentre`)."""
    _check_centre_ids(plan, [change.centre_id])
    _check_centre_ids(plan, list(change.capacity))
    if change.into is not None:
        _check_centre_ids(plan, [change.into])
        if change.into == change.centre_id:
            raise ChangeError(
                "SCENARIO_BAD_CHANGE",
                f"Centre {change.centre_id} cannot be merged into itself.",
                "Name another centre in into.",
                change.centre_id,
            )
    others = [c for c in plan.centres if c.centre_id != change.centre_id]
    moving = sorted(
        (p for p in plan.passengers if p.centre_id == change.centre_id),
        key=lambda p: (p.home.lat, p.home.lon, p.passenger_id),
    )
    target: dict[str, str] = {}
    if change.into is not None:
        target = {p.passenger_id: change.into for p in moving}
    elif moving:
        target = _nearest_with_room(plan, change, others, moving, context)
    passengers = tuple(
        replace(p, centre_id=target[p.passenger_id]) if p.passenger_id in target else p
        for p in plan.passengers
    )
    return plan.replace(centres=tuple(others), passengers=passengers)


def _nearest_with_room(
    plan: WeekPlan,
    change: CloseCentre,
    others: Sequence[Centre],
    moving: Sequence[Passenger],
    context: ApplyContext,
) -> dict[str, str]:
    """Each moving passenger's new centre; a group home's residents move together if they fit."""
    load = _places_per_day(plan)
    room: dict[str, int | None] = {}
    for centre in others:
        busiest = max(load[centre.centre_id].values(), default=0)
        if centre.centre_id in change.capacity:
            room[centre.centre_id] = change.capacity[centre.centre_id]
        elif change.capacity_headroom is not None:
            room[centre.centre_id] = math.floor(busiest * (1.0 + change.capacity_headroom))
        else:
            room[centre.centre_id] = None
    homes = list(dict.fromkeys(p.home for p in moving))
    travel = context.travel or _haversine_travel
    times = travel(homes, [c.location for c in others])

    def fits(centre: Centre, group: Sequence[Passenger]) -> bool:
        if not all(p.days <= frozenset(centre.hours) for p in group):
            return False
        cap = room[centre.centre_id]
        if cap is None:
            return True
        extra: Counter[Day] = Counter(d for p in group for d in p.days)
        return all(load[centre.centre_id][d] + n <= cap for d, n in extra.items())

    target: dict[str, str] = {}
    for row, home in enumerate(homes):
        residents = [p for p in moving if p.home == home]
        order = [others[int(c)] for c in np.argsort(times[row], kind="stable").tolist()]
        # The whole group home to one centre if one has room, else one by one.
        groups = [residents] if any(fits(c, residents) for c in order) else [[p] for p in residents]
        for group in groups:
            chosen = next((c for c in order if fits(c, group)), None)
            if chosen is None:
                raise ChangeError(
                    "SCENARIO_NO_ROOM",
                    f"Passenger {group[0].passenger_id} of closed centre {change.centre_id} "
                    "fits at no other centre open on their weekdays.",
                    "Raise capacity or capacity_headroom, or merge with into.",
                    group[0].passenger_id,
                )
            for p in group:
                load[chosen.centre_id].update(p.days)
                target[p.passenger_id] = chosen.centre_id
    return target


# -------------------------------------------------------------------------- apply: hours


def _shifted(window: TimeWindow, shift_s: int, centre_id: str) -> TimeWindow:
    moved = TimeWindow(window.start_s + shift_s, window.end_s + shift_s)
    if moved.start_s < 0 or moved.end_s >= SECONDS_PER_DAY:
        raise ChangeError(
            "SCENARIO_BAD_CHANGE",
            f"Shifting centre {centre_id}'s windows by {shift_s // 60} min leaves the day.",
            "Use a smaller shift.",
            centre_id,
        )
    return moved


def chosen_centres(plan: WeekPlan, which: tuple[str, ...] | str) -> list[str]:
    """Centre ids named by ``which``: ids, ``"all"`` or ``"every_second"`` (plan order)."""
    if which == "all":
        return [c.centre_id for c in plan.centres]
    if which == "every_second":
        return [c.centre_id for i, c in enumerate(plan.centres) if i % 2 == 1]
    ids = list(which) if not isinstance(which, str) else [which]
    _check_centre_ids(plan, ids)
    return ids


def apply_centre_hours(
    plan: WeekPlan, change: ChangeCentreHours, context: ApplyContext
) -> WeekPlan:
    """Shift or set centres' arrival and departure windows (see :class:`ChangeCentreHours`)."""
    ids = set(chosen_centres(plan, change.centres))
    centres = []
    for centre in plan.centres:
        if centre.centre_id not in ids:
            centres.append(centre)
            continue
        hours: dict[Day, CentreHours] = {}
        for day, h in centre.hours.items():
            if change.days is not None and day not in change.days:
                hours[day] = h
                continue
            arrival = change.arrival or h.arrival
            departure = change.departure or h.departure
            hours[day] = CentreHours(
                arrival=_shifted(arrival, change.shift_s, centre.centre_id),
                departure=_shifted(departure, change.shift_s, centre.centre_id),
            )
        centres.append(replace(centre, hours=hours))
    return plan.replace(centres=tuple(centres))


# ------------------------------------------------------------------------- apply: fleet


def _new_ids(plan: WeekPlan, prefix: str, count: int, existing: set[str]) -> list[str]:
    ids: list[str] = []
    number = 1
    while len(ids) < count:
        candidate = f"{prefix}{number:03d}"
        if candidate not in existing:
            ids.append(candidate)
        number += 1
    return ids


def apply_add_vehicles(plan: WeekPlan, change: AddVehicles, context: ApplyContext) -> WeekPlan:
    """Add vehicles (see :class:`AddVehicles`)."""
    if change.like is not None:
        _check_vehicle_ids(plan, [change.like])
        template = next(v for v in plan.vehicles if v.vehicle_id == change.like)
    else:
        if change.seats is None or change.tariff is None:
            raise ChangeError(
                "SCENARIO_BAD_CHANGE",
                "add_vehicles without like needs seats and tariff.",
                "Give like (a vehicle to copy) or seats, tariff and depot or at_centre.",
            )
        if change.depot is None and change.at_centre is None:
            raise ChangeError(
                "SCENARIO_BAD_CHANGE",
                "add_vehicles without like needs depot or at_centre.",
                "Give like (a vehicle to copy), depot or at_centre.",
            )
        template = Vehicle(
            vehicle_id="",
            depot=change.depot or LatLon(0.0, 0.0),
            seats=change.seats,
            wheelchair_places=0,
            days=frozenset(DAYS),
            shift=plan.vehicles[0].shift if plan.vehicles else TimeWindow(6 * 3600, 18 * 3600),
            tariff=change.tariff,
        )
    depot = change.depot or template.depot
    if change.at_centre is not None:
        _check_centre_ids(plan, [change.at_centre])
        depot = plan.centre(change.at_centre).location
    seats = change.seats if change.seats is not None else template.seats
    places = (
        change.wheelchair_places
        if change.wheelchair_places is not None
        else template.wheelchair_places
    )
    layouts = change.layouts if change.layouts is not None else template.layouts
    if layouts and SeatingLayout(seats, places) not in layouts:
        layouts = (SeatingLayout(seats, places), *layouts)
    existing = {v.vehicle_id for v in plan.vehicles}
    added = [
        replace(
            template,
            vehicle_id=vid,
            depot=depot,
            seats=seats,
            wheelchair_places=places,
            layouts=layouts,
            shift=change.shift or template.shift,
            days=change.days if change.days is not None else template.days,
            tariff=change.tariff or template.tariff,
            operator=change.operator or template.operator,
        )
        for vid in _new_ids(plan, change.id_prefix, change.count, existing)
    ]
    return plan.replace(vehicles=plan.vehicles + tuple(added))


def apply_remove_vehicles(
    plan: WeekPlan, change: RemoveVehicles, context: ApplyContext
) -> WeekPlan:
    """Selected vehicles leave the fleet (see :class:`RemoveVehicles`)."""
    chosen = [v.vehicle_id for v in select_vehicles(plan, change.select)]
    if change.count is not None:
        chosen = chosen[len(chosen) - min(len(chosen), max(0, change.count)) :]
    leaving = set(chosen)
    return plan.replace(vehicles=tuple(v for v in plan.vehicles if v.vehicle_id not in leaving))


def apply_modify_vehicles(
    plan: WeekPlan, change: ModifyVehicles, context: ApplyContext
) -> WeekPlan:
    """Set layout, operator, shift or weekdays of selected vehicles (see ModifyVehicles)."""
    chosen = {v.vehicle_id for v in select_vehicles(plan, change.select)}
    vehicles = []
    for vehicle in plan.vehicles:
        if vehicle.vehicle_id not in chosen:
            vehicles.append(vehicle)
            continue
        if change.layout is not None:
            if vehicle.layouts and change.layout not in vehicle.layouts:
                raise ChangeError(
                    "SCENARIO_BAD_CHANGE",
                    f"Vehicle {vehicle.vehicle_id} has no layout of {change.layout.seats} seats "
                    f"and {change.layout.wheelchair_places} wheelchair places.",
                    "Pick one of its layouts, or select vehicles that allow it.",
                    vehicle.vehicle_id,
                )
            vehicle = replace(
                vehicle,
                seats=change.layout.seats,
                wheelchair_places=change.layout.wheelchair_places,
            )
        vehicle = replace(
            vehicle,
            operator=change.operator or vehicle.operator,
            shift=change.shift or vehicle.shift,
            days=change.days if change.days is not None else vehicle.days,
        )
        vehicles.append(vehicle)
    return plan.replace(vehicles=tuple(vehicles))


def changed_tariff(tariff: Tariff, change: ChangeTariff) -> Tariff:
    """``tariff`` with ``change``'s fields set, then scaled."""
    values = {name: float(getattr(tariff, name)) for name in TARIFF_FIELDS}
    for name, value in change.set.items():
        values[name] = float(value)
    for name, factor in change.scale.items():
        values[name] = values[name] * float(factor)
    bands = change.distance_bands if change.distance_bands is not None else tariff.distance_bands
    if change.scale_bands is not None:
        bands = tuple(replace(b, price=b.price * change.scale_bands) for b in bands)
    return Tariff(
        per_km=values["per_km"],
        per_hour=values["per_hour"],
        per_vehicle_day=values["per_vehicle_day"],
        per_trip=values["per_trip"],
        per_week=values["per_week"],
        per_year=values["per_year"],
        distance_bands=tuple(sorted(bands, key=_band_order)),
    )


def _band_order(band: DistanceBand) -> float:
    return math.inf if band.max_m is None else float(band.max_m)


def apply_tariff(plan: WeekPlan, change: ChangeTariff, context: ApplyContext) -> WeekPlan:
    """Change selected vehicles' tariffs (see :class:`ChangeTariff`)."""
    unknown = [n for n in [*change.set, *change.scale] if n not in TARIFF_FIELDS]
    if unknown:
        raise ChangeError(
            "SCENARIO_BAD_CHANGE",
            f"Tariff field {unknown[0]} does not exist.",
            f"Use one of {', '.join(TARIFF_FIELDS)}.",
        )
    chosen = {v.vehicle_id for v in select_vehicles(plan, change.select)}
    return plan.replace(
        vehicles=tuple(
            replace(v, tariff=changed_tariff(v.tariff, change)) if v.vehicle_id in chosen else v
            for v in plan.vehicles
        )
    )


# -------------------------------------------------------------------- apply: rules, growth


def apply_max_ride(plan: WeekPlan, change: MaxRide, context: ApplyContext) -> WeekPlan:
    """Change the maximum ride time rule (see :class:`MaxRide`)."""
    rule = plan.settings.max_ride
    rule = replace(
        rule,
        min_s=change.min_s if change.min_s is not None else rule.min_s,
        factor=change.factor if change.factor is not None else rule.factor,
    )
    plan = plan.replace(settings=replace(plan.settings, max_ride=rule))
    if change.clear_passenger_limits:
        plan = plan.replace(passengers=tuple(replace(p, max_ride_s=None) for p in plan.passengers))
    return plan


GROWTH_CANDIDATES_PER_PASSENGER: Final = 40
MIN_GROWTH_CANDIDATES: Final = 400


def apply_growth(plan: WeekPlan, change: Growth, context: ApplyContext) -> WeekPlan:
    """Add new passengers drawn like the existing ones (see :class:`Growth`)."""
    if change.num_passengers <= 0:
        return plan
    if change.centre_ids is not None:
        _check_centre_ids(plan, change.centre_ids)
    templates = [
        p for p in plan.passengers if change.centre_ids is None or p.centre_id in change.centre_ids
    ]
    if not templates:
        raise ChangeError(
            "SCENARIO_BAD_CHANGE",
            "growth has no existing passenger to draw new ones like.",
            "Give centre_ids whose centres have passengers.",
        )
    if context.locations is None:
        raise ChangeError(
            "SCENARIO_NEEDS_ROADS",
            "growth needs road-network nodes to place new homes on.",
            "Run the batch with a road network (the CLI always has one).",
        )
    rng = np.random.default_rng(change.seed)
    wanted = max(MIN_GROWTH_CANDIDATES, GROWTH_CANDIDATES_PER_PASSENGER * change.num_passengers)
    taken = _plan_locations(plan)
    candidates = [
        loc
        for loc in dict.fromkeys(context.locations.random_node_locations(wanted, rng))
        if loc not in taken
    ]
    if len(candidates) < change.num_passengers:
        raise ChangeError(
            "SCENARIO_BAD_CHANGE",
            "The road network gave too few free nodes for the new homes.",
            "Ask for fewer new passengers.",
        )
    lat = np.array([c.lat for c in candidates])
    lon = np.array([c.lon for c in candidates])
    cos_lat = math.cos(math.radians(float(lat.mean())))
    free = np.ones(len(candidates), dtype=bool)
    with_birth_year = [p.birth_year for p in plan.passengers if p.birth_year is not None]
    existing = {p.passenger_id for p in plan.passengers}
    new: list[Passenger] = []
    for pid in _new_ids(plan, change.id_prefix, change.num_passengers, existing):
        template = templates[int(rng.integers(len(templates)))]
        metres = np.hypot(
            (lat - template.home.lat) * 111_195.0,
            (lon - template.home.lon) * 111_195.0 * cos_lat,
        )
        metres[~free] = np.inf
        chosen = int(np.argmin(metres))
        free[chosen] = False
        birth_year = (
            with_birth_year[int(rng.integers(len(with_birth_year)))] if with_birth_year else None
        )
        new.append(
            replace(
                template,
                passenger_id=pid,
                home=candidates[chosen],
                home_exceptions={},
                birth_year=birth_year,
            )
        )
    return plan.replace(passengers=plan.passengers + tuple(new))


def _plan_locations(plan: WeekPlan) -> set[LatLon]:
    taken = {c.location for c in plan.centres} | {v.depot for v in plan.vehicles}
    for p in plan.passengers:
        taken.add(p.home)
        taken.update(p.home_exceptions.values())
    return taken


# -------------------------------------------------------------------------- dispatching


def apply_change(plan: WeekPlan, change: Change, context: ApplyContext | None = None) -> WeekPlan:
    """``plan`` with ``change`` applied (a new plan; ``plan`` itself is unchanged)."""
    context = context or ApplyContext()
    match change:
        case CapDays():
            return apply_cap_days(plan, change, context)
        case OptimiseDays():
            return apply_optimise_days(plan, change, context)
        case AgeLimit():
            return apply_age_limit(plan, change, context)
        case RemovePassengers():
            return apply_remove_passengers(plan, change, context)
        case CloseCentre():
            return apply_close_centre(plan, change, context)
        case ChangeCentreHours():
            return apply_centre_hours(plan, change, context)
        case AddVehicles():
            return apply_add_vehicles(plan, change, context)
        case RemoveVehicles():
            return apply_remove_vehicles(plan, change, context)
        case ModifyVehicles():
            return apply_modify_vehicles(plan, change, context)
        case ChangeTariff():
            return apply_tariff(plan, change, context)
        case MaxRide():
            return apply_max_ride(plan, change, context)
        case Growth():
            return apply_growth(plan, change, context)


def apply_changes_steps(
    plan: WeekPlan,
    changes: Sequence[Change],
    context: ApplyContext | None = None,
    *,
    scenario_id: str = "scenario",
    path: str | None = None,
) -> tuple[WeekPlan, ...]:
    """The week before each change and after the last (``len(changes) + 1`` plans).

    Changes apply in order to copies of ``plan``; the last plan is validated. Raises
    :class:`~solver.errors.InputError` naming the scenario (and the id) for a change that
    cannot be applied (``SCENARIO_*``) and for an outcome that is not a valid plan
    (``SCENARIO_INVALID_PLAN``, each validation issue in the message).
    """
    plans = [plan]
    for index, change in enumerate(changes):
        where = f"{path}.changes[{index}]" if path else f"changes[{index}]"
        try:
            plans.append(apply_change(plans[-1], change, context))
        except ChangeError as error:
            raise InputError(
                [
                    Issue(
                        code=error.code,
                        message=f"Scenario {scenario_id}: {error.message}",
                        hint=error.hint,
                        path=where,
                        id=error.ident,
                    )
                ]
            ) from None
    issues = validate(plans[-1])
    if issues:
        raise InputError(
            [
                Issue(
                    code="SCENARIO_INVALID_PLAN",
                    message=f"Scenario {scenario_id}: {issue.code}: {issue.message}",
                    hint=issue.hint,
                    path=path,
                    id=issue.id,
                )
                for issue in issues
            ]
        )
    return tuple(plans)


def apply_changes(
    plan: WeekPlan,
    changes: Sequence[Change],
    context: ApplyContext | None = None,
    *,
    scenario_id: str = "scenario",
) -> WeekPlan:
    """``plan`` with ``changes`` applied in order, validated (see :func:`apply_changes_steps`)."""
    return apply_changes_steps(plan, changes, context, scenario_id=scenario_id)[-1]
