"""Meaning checks on a week plan: every issue at once, each naming the id, with a hint.

:func:`validate` runs every check on a :class:`~solver.domain.WeekPlan` (read from a file or
built in code) and returns all the issues it finds; :func:`raise_if_invalid` raises them as
one :class:`~solver.errors.InputError`. Structural checks of plan files (types, unknown
fields, time strings) happen earlier, in :mod:`solver.io`; the ranges those enforce are
checked here again as ``INPUT_VALUE`` for plans built in code.

Not checked here, on purpose: a wheelchair passenger with no wheelchair vehicle on a day (the
solver reports ``UNASSIGNED_NO_WHEELCHAIR_VEHICLE``), and locations far from the roads (the
solve pipeline snaps them and reports with :func:`snap_issues`).

Paths name places in the plan JSON (``passengers[3].centre_id``): the domain's tuples are in
the file's order. Messages never print coordinates (they are people's homes).

One module on purpose (about 800 lines): one ``check_*`` per rule and one ``CHECKS``
registry, as the checker in :mod:`solver.check` is split by concern instead.
"""

from __future__ import annotations

import difflib
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from solver.domain import (
    DAYS,
    Centre,
    CentreHours,
    Day,
    Direction,
    LatLon,
    Mobility,
    Passenger,
    SeatingLayout,
    TimeWindow,
    WeekPlan,
)
from solver.errors import InputError, Issue
from solver.io import (
    MAX_ESCORTS,
    MAX_LATITUDE_DEG,
    MAX_LONGITUDE_DEG,
    OPERATORS,
    SECONDS_PER_DAY,
    format_hhmm,
)
from solver.io.schemas.limits import lower_bound
from solver.io.schemas.plan import (
    BreakRuleSchema,
    MaxRideSchema,
    RoadsSchema,
    ServiceSchema,
    SettingsSchema,
)

__all__ = ["PlaceRef", "plan_places", "raise_if_invalid", "snap_issues", "validate"]


def _time(t_s: int) -> str:
    """``HH:MM`` for a time of day; seconds for one out of range (reported elsewhere)."""
    return format_hhmm(t_s) if 0 <= t_s < SECONDS_PER_DAY else f"{t_s} s"


def _days(days: Iterable[str]) -> str:
    """``mon, wed`` in weekday order (unknown day names last, as given)."""
    days = list(days)
    known = [day for day in DAYS if day in days]
    return ", ".join(known + [day for day in days if day not in DAYS])


def _field(path: str) -> str:
    """Return the part of a path below its centre, passenger or vehicle: ``shift.end``."""
    return path.split("].", 1)[-1]


def _places(count: int) -> str:
    return f"{count} wheelchair place" + ("" if count == 1 else "s")


def _window(window: TimeWindow) -> str:
    return f"{_time(window.start_s)}-{_time(window.end_s)}"


# ----------------------------------------------------------------------------- the plan


def check_duplicate_ids(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_DUPLICATE_ID: each centre, passenger and vehicle id is used once."""
    groups: tuple[tuple[str, str, Sequence[str]], ...] = (
        ("centres", "Centre", [c.centre_id for c in plan.centres]),
        ("passengers", "Passenger", [p.passenger_id for p in plan.passengers]),
        ("vehicles", "Vehicle", [v.vehicle_id for v in plan.vehicles]),
    )
    for list_name, noun, ids in groups:
        positions: dict[str, list[int]] = defaultdict(list)
        for index, ident in enumerate(ids):
            positions[ident].append(index)
        for ident, indexes in positions.items():
            if len(indexes) > 1:
                places = ", ".join(f"{list_name}[{i}]" for i in indexes)
                yield Issue(
                    code="INPUT_DUPLICATE_ID",
                    message=f"{noun} id {ident} is used {len(indexes)} times ({places}).",
                    hint=f"Give every {noun.lower()} its own id.",
                    path=f"{list_name}[{indexes[1]}].id",
                    id=ident,
                )


def check_has_vehicles(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_NO_VEHICLES: the plan has at least one vehicle."""
    if not plan.vehicles:
        yield Issue(
            code="INPUT_NO_VEHICLES",
            message=f"Plan {plan.name} has no vehicles.",
            hint="Add at least one vehicle under vehicles.",
            path="vehicles",
        )


def check_time_limit(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_TIME_LIMIT: the time budget is a positive, finite number of seconds."""
    limit = plan.settings.time_limit_s
    if not (math.isfinite(limit) and limit > 0):
        yield Issue(
            code="INPUT_TIME_LIMIT",
            message=f"Plan {plan.name} has time_limit_s {limit}, not a positive number of seconds.",
            hint="Set settings.time_limit_s to the seconds the whole solve may take, e.g. 60.",
            path="settings.time_limit_s",
        )


# (path below settings, value, the schema and field stating its range)
_SettingBound = tuple[str, float, type[BaseModel], str]


_SERVICE_BOUNDED = (
    "boarding_walking_s",
    "boarding_wheelchair_s",
    "alighting_walking_s",
    "alighting_wheelchair_s",
    "per_escort_s",
)
_ROADS_BOUNDED = ("snap_limit_m", "speed_factor", "intersection_penalty_s", "access_speed_kph")


def check_setting_values(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_VALUE: every setting is finite and within its range (as its schema states it)."""
    settings = plan.settings
    service, roads = settings.service, settings.roads
    bounds: tuple[_SettingBound, ...] = (
        ("max_ride.min_s", settings.max_ride.min_s, MaxRideSchema, "min_s"),
        ("max_ride.factor", settings.max_ride.factor, MaxRideSchema, "factor"),
        *(
            (f"{group}.{name}", getattr(values, name), schema, name)
            for group, values, schema, names in (
                ("service", service, ServiceSchema, _SERVICE_BOUNDED),
                ("roads", roads, RoadsSchema, _ROADS_BOUNDED),
            )
            for name in names
        ),
    )
    if settings.max_solutions is not None:
        bounds += (("max_solutions", settings.max_solutions, SettingsSchema, "max_solutions"),)
    if settings.driver_break is not None:
        breaks = settings.driver_break
        bounds += (
            ("driver_break.duration_s", breaks.duration_s, BreakRuleSchema, "duration_s"),
            ("driver_break.max_work_s", breaks.max_work_s, BreakRuleSchema, "max_work_s"),
        )
    for name, value, schema, field in bounds:
        low, low_allowed = lower_bound(schema, field)
        in_range = value >= low if low_allowed else value > low
        if not (math.isfinite(value) and in_range):
            rule = "at least" if low_allowed else "greater than"
            yield Issue(
                code="INPUT_VALUE",
                message=f"Plan {plan.name} has settings.{name} {value}, "
                f"but it must be {rule} {low:g}.",
                hint=f"Set settings.{name} to a number {rule} {low:g}, or leave it out for "
                "the default.",
                path=f"settings.{name}",
            )


# ------------------------------------------------------------------ shared value checks


def _location_issues(label: str, location: LatLon, path: str, ident: str) -> Iterator[Issue]:
    """INPUT_VALUE for a latitude or longitude out of range (never printing the value)."""
    for axis, value, limit in (
        ("latitude", location.lat, MAX_LATITUDE_DEG),
        ("longitude", location.lon, MAX_LONGITUDE_DEG),
    ):
        if not (math.isfinite(value) and -limit <= value <= limit):
            yield Issue(
                code="INPUT_VALUE",
                message=f"{label} has a {axis} outside -{limit} to {limit}.",
                hint="Use WGS84 degrees, and check that lat and lon are not swapped.",
                path=f"{path}.{'lat' if axis == 'latitude' else 'lon'}",
                id=ident,
            )


def _time_issues(label: str, times: Mapping[str, int | None], ident: str) -> Iterator[Issue]:
    """INPUT_VALUE for times of day outside 00:00:00-23:59:59; ``times``: path -> seconds."""
    for path, t_s in times.items():
        if t_s is not None and not 0 <= t_s < SECONDS_PER_DAY:
            yield Issue(
                code="INPUT_VALUE",
                message=f"{label} has {_field(path)} {t_s} s, not a time of day.",
                hint="Times of day are 0 to 86399 seconds after midnight (00:00 to 23:59:59).",
                path=path,
                id=ident,
            )


def _day_issues(label: str, days: Iterable[str], path: str, ident: str) -> Iterator[Issue]:
    """INPUT_VALUE for weekday names other than mon..fri."""
    unknown = sorted(str(day) for day in days if day not in DAYS)
    if unknown:
        yield Issue(
            code="INPUT_VALUE",
            message=f"{label} has unknown weekdays {', '.join(unknown)} in {path.split('.')[-1]}.",
            hint=f"Use {', '.join(DAYS)}.",
            path=path,
            id=ident,
        )


def _count_issues(label: str, counts: Mapping[str, int], ident: str) -> Iterator[Issue]:
    """INPUT_VALUE for negative counts; ``counts``: path -> value."""
    for path, value in counts.items():
        if value < 0:
            yield Issue(
                code="INPUT_VALUE",
                message=f"{label} has {_field(path)} {value}, below 0.",
                hint="Use 0 or more.",
                path=path,
                id=ident,
            )


# ---------------------------------------------------------------------------- centres


def check_centre_values(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_VALUE: a centre's location, weekdays and window times are in range."""
    for index, centre in enumerate(plan.centres):
        label, path, ident = f"Centre {centre.centre_id}", f"centres[{index}]", centre.centre_id
        yield from _location_issues(label, centre.location, f"{path}.location", ident)
        yield from _day_issues(label, centre.hours, f"{path}.open_days", ident)
        for day, hours in centre.hours.items():
            yield from _time_issues(
                label,
                {
                    f"{path}.days.{day}.arrival_window.start": hours.arrival.start_s,
                    f"{path}.days.{day}.arrival_window.end": hours.arrival.end_s,
                    f"{path}.days.{day}.departure_window.start": hours.departure.start_s,
                    f"{path}.days.{day}.departure_window.end": hours.departure.end_s,
                },
                ident,
            )


def check_centre_windows(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_EMPTY_WINDOW: a centre's arrival and departure windows do not end before they start.

    One issue per distinct bad window, listing the weekdays it applies to.
    """
    for index, centre in enumerate(plan.centres):
        open_days = [day for day in DAYS if day in centre.hours]
        for kind in ("arrival", "departure"):
            bad: dict[TimeWindow, list[Day]] = defaultdict(list)
            for day in open_days:
                window: TimeWindow = getattr(centre.hours[day], kind)
                if window.start_s > window.end_s:
                    bad[window].append(day)
            for window, days in bad.items():
                every_day = len(days) == len(open_days)
                where = "" if every_day else f".days.{days[0]}"
                yield Issue(
                    code="INPUT_EMPTY_WINDOW",
                    message=f"Centre {centre.centre_id}'s {kind} window {_window(window)} ends "
                    f"before it starts (on {_days(days)}).",
                    hint=f"Swap the times, or make the {kind} window's end later than its start.",
                    path=f"centres[{index}]{where}.{kind}_window",
                    id=centre.centre_id,
                )


# ------------------------------------------------------------------------- passengers


def check_passenger_values(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_VALUE: a passenger's home, weekdays, mobility, durations and times are valid."""
    for index, passenger in enumerate(plan.passengers):
        ident = passenger.passenger_id
        label, path = f"Passenger {ident}", f"passengers[{index}]"
        yield from _location_issues(f"{label}'s home", passenger.home, f"{path}.home", ident)
        for day, location in passenger.home_exceptions.items():
            yield from _location_issues(
                f"{label}'s home on {day}", location, f"{path}.home_exceptions.{day}", ident
            )
        yield from _day_issues(label, passenger.days, f"{path}.days", ident)
        yield from _day_issues(label, passenger.home_exceptions, f"{path}.home_exceptions", ident)
        yield from _time_issues(
            label,
            {
                f"{path}.earliest_pickup": passenger.earliest_pickup_s,
                f"{path}.latest_pickup": passenger.latest_pickup_s,
                f"{path}.earliest_dropoff": passenger.earliest_dropoff_s,
                f"{path}.latest_dropoff": passenger.latest_dropoff_s,
            },
            ident,
        )
        if passenger.mobility not in tuple(Mobility):
            yield Issue(
                code="INPUT_VALUE",
                message=f"{label} has mobility {passenger.mobility!r}.",
                hint=f"Use {' or '.join(m.value for m in Mobility)}.",
                path=f"{path}.mobility",
                id=ident,
            )
        if passenger.boarding_s is not None:
            yield from _count_issues(label, {f"{path}.boarding_s": passenger.boarding_s}, ident)
        if passenger.max_ride_s is not None and passenger.max_ride_s <= 0:
            yield Issue(
                code="INPUT_VALUE",
                message=f"{label} has max_ride_s {passenger.max_ride_s}, not a positive time.",
                hint="Give the longest ride in seconds, or leave it out for the plan's rule.",
                path=f"{path}.max_ride_s",
                id=ident,
            )


def check_escorts(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_ESCORTS: a passenger travels with 0 to 3 escorts, in the afternoon too."""
    for index, passenger in enumerate(plan.passengers):
        counts = {"escorts": passenger.num_escorts}
        if passenger.num_escorts_from_centre is not None:
            counts["escorts_from_centre"] = passenger.num_escorts_from_centre
        for name, count in counts.items():
            if not 0 <= count <= MAX_ESCORTS:
                yield Issue(
                    code="INPUT_ESCORTS",
                    message=f"Passenger {passenger.passenger_id} has {count} {name}.",
                    hint=f"Escorts are 0 to {MAX_ESCORTS} (1:1 staffing is 1, 3:1 is 3).",
                    path=f"passengers[{index}].{name}",
                    id=passenger.passenger_id,
                )


def _suggest(ident: str, known: Sequence[str], noun: str, where: str) -> str:
    """A hint for an unknown id: the closest known one, or some known ids."""
    close = difflib.get_close_matches(ident, list(known), n=1)
    if close:
        return f"Did you mean {close[0]}?"
    if known:
        return f"Use one of the {noun} ids: {', '.join(list(known)[:8])}."
    return f"Add the {noun} under {where}, or remove the id."


def check_vehicle_rules(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_UNKNOWN_VEHICLE, INPUT_NO_ALLOWED_VEHICLE: a passenger's vehicle lists make sense.

    Every id in ``allowed_vehicles`` and ``excluded_vehicles`` names a vehicle of the plan, and
    the allowed vehicles are not all excluded.
    """
    vehicle_ids = list(dict.fromkeys(v.vehicle_id for v in plan.vehicles))
    for index, passenger in enumerate(plan.passengers):
        ident = passenger.passenger_id
        lists = {
            "allowed_vehicles": sorted(passenger.allowed_vehicles or ()),
            "excluded_vehicles": sorted(passenger.excluded_vehicles),
        }
        for name, ids in lists.items():
            for vehicle_id in ids:
                if vehicle_id in vehicle_ids:
                    continue
                yield Issue(
                    code="INPUT_UNKNOWN_VEHICLE",
                    message=f"Passenger {ident} lists vehicle {vehicle_id} in {name}, but the "
                    "plan has no such vehicle.",
                    hint=_suggest(vehicle_id, vehicle_ids, "vehicle", "vehicles"),
                    path=f"passengers[{index}].{name}",
                    id=ident,
                )
        allowed = passenger.allowed_vehicles
        if allowed is not None and not allowed - passenger.excluded_vehicles:
            yield Issue(
                code="INPUT_NO_ALLOWED_VEHICLE",
                message=f"Passenger {ident} may ride no vehicle: every one in allowed_vehicles "
                "is also in excluded_vehicles or the list is empty.",
                hint="Allow at least one vehicle the passenger may ride, or leave "
                "allowed_vehicles out to allow any.",
                path=f"passengers[{index}].allowed_vehicles",
                id=ident,
            )


def check_incompatible_pairs(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_UNKNOWN_PASSENGER, INPUT_BAD_PAIR: each pair names two passengers of the plan."""
    passenger_ids = list(dict.fromkeys(p.passenger_id for p in plan.passengers))
    for index, pair in enumerate(plan.incompatible_pairs):
        path = f"incompatible_pairs[{index}]"
        if len(pair) != 2:
            yield Issue(
                code="INPUT_BAD_PAIR",
                message=f"Incompatible pair {index} holds {len(pair)} ids, not two.",
                hint='Write each pair as two passenger ids, e.g. ["P001", "P017"].',
                path=path,
            )
            continue
        first, second = pair
        if first == second:
            yield Issue(
                code="INPUT_BAD_PAIR",
                message=f"Incompatible pair {index} names passenger {first} twice.",
                hint="Name two different passengers, or remove the pair.",
                path=path,
                id=first,
            )
        for position, ident in enumerate(dict.fromkeys(pair)):
            if ident in passenger_ids:
                continue
            yield Issue(
                code="INPUT_UNKNOWN_PASSENGER",
                message=f"Incompatible pair {index} names passenger {ident}, who is not in "
                "the plan.",
                hint=_suggest(ident, passenger_ids, "passenger", "passengers"),
                path=f"{path}[{position}]",
                id=ident,
            )


def check_passenger_days(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_NO_DAYS: a passenger attends on at least one weekday."""
    for index, passenger in enumerate(plan.passengers):
        if not passenger.days:
            yield Issue(
                code="INPUT_NO_DAYS",
                message=f"Passenger {passenger.passenger_id} attends on no day.",
                hint="List the weekdays they attend in days, or remove the passenger.",
                path=f"passengers[{index}].days",
                id=passenger.passenger_id,
            )


def _centres_by_id(plan: WeekPlan) -> dict[str, Centre]:
    """Centres by id (the first of duplicates, which are reported on their own)."""
    centres: dict[str, Centre] = {}
    for centre in plan.centres:
        centres.setdefault(centre.centre_id, centre)
    return centres


def check_known_centres(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_UNKNOWN_CENTRE: a passenger's centre_id names a centre of the plan."""
    centres = _centres_by_id(plan)
    for index, passenger in enumerate(plan.passengers):
        if passenger.centre_id in centres:
            continue
        close = difflib.get_close_matches(passenger.centre_id, list(centres), n=1)
        if close:
            hint = f"Did you mean {close[0]}?"
        elif centres:
            hint = f"Use one of the centres' ids: {', '.join(list(centres)[:8])}."
        else:
            hint = "Add the centre under centres."
        yield Issue(
            code="INPUT_UNKNOWN_CENTRE",
            message=f"Passenger {passenger.passenger_id} attends centre "
            f"{passenger.centre_id}, which is not in the plan.",
            hint=hint,
            path=f"passengers[{index}].centre_id",
            id=passenger.passenger_id,
        )


def check_centre_open(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_CENTRE_CLOSED: a passenger attends only on days their centre is open."""
    centres = _centres_by_id(plan)
    for index, passenger in enumerate(plan.passengers):
        centre = centres.get(passenger.centre_id)
        if centre is None:
            continue
        closed = [day for day in passenger.days if day not in centre.hours]
        if closed:
            yield Issue(
                code="INPUT_CENTRE_CLOSED",
                message=f"Passenger {passenger.passenger_id} attends centre {centre.centre_id} "
                f"on {_days(closed)}, when it is closed.",
                hint=f"Remove {_days(closed)} from the passenger's days, or add them to centre "
                f"{centre.centre_id}'s open_days.",
                path=f"passengers[{index}].days",
                id=passenger.passenger_id,
            )


@dataclass(frozen=True, slots=True)
class _Bound:
    """One end of a trip's window: a passenger's own time or their centre's window.

    ``field``: the passenger's JSON field (``earliest_pickup``...), or None for the centre's.
    ``phrase``: how a message names it (``earliest pickup``, ``arrival window ends``).
    """

    field: str | None
    phrase: str
    t_s: int


def _own_bound(field: str, t_s: int | None) -> list[_Bound]:
    phrase = field.replace("_", " ").replace("dropoff", "drop-off")
    return [] if t_s is None else [_Bound(field, phrase, t_s)]


def _window_conflicts(
    passenger: Passenger, hours: CentreHours, direction: Direction
) -> Iterator[tuple[_Bound, _Bound]]:
    """(lower, upper) pairs of bounds that leave a trip no time (lower after upper).

    The pickup starts after every pickup lower bound and before every pickup upper bound, the
    drop-off likewise, and the pickup comes first: so a pickup lower bound after a pickup or
    drop-off upper bound, or a drop-off lower bound after a drop-off upper bound, leaves
    nothing (see ``solver.routing.model.passenger_windows``). Two bounds of the centre's own
    window are not compared here (INPUT_EMPTY_WINDOW).
    """
    to_centre = direction == Direction.TO_CENTRE
    pickup_low = _own_bound("earliest_pickup", passenger.earliest_pickup_s)
    pickup_high = _own_bound("latest_pickup", passenger.latest_pickup_s)
    dropoff_low = _own_bound("earliest_dropoff", passenger.earliest_dropoff_s)
    dropoff_high = _own_bound("latest_dropoff", passenger.latest_dropoff_s)
    if to_centre:
        dropoff_low.append(_Bound(None, "arrival window starts", hours.arrival.start_s))
        dropoff_high.append(_Bound(None, "arrival window ends", hours.arrival.end_s))
    else:
        pickup_low.append(_Bound(None, "departure window starts", hours.departure.start_s))
        pickup_high.append(_Bound(None, "departure window ends", hours.departure.end_s))
    pairs = [(low, high) for low in pickup_low for high in pickup_high + dropoff_high]
    pairs += [(low, high) for low in dropoff_low for high in dropoff_high]
    for low, high in pairs:
        if low.t_s > high.t_s and (low.field is not None or high.field is not None):
            yield low, high


def _both_directions_note(bound: _Bound, direction: Direction) -> str:
    """A reminder where a passenger's own time binds the trip it is not usually meant for."""
    meant_for_morning = bound.field in ("earliest_pickup", "latest_pickup")
    if bound.field is None or meant_for_morning == (direction == Direction.TO_CENTRE):
        return ""
    return f"; {bound.field} applies in both directions, here to the {direction} trip"


def check_passenger_windows(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_PASSENGER_WINDOW: a passenger's pickup and drop-off windows leave time for the trip.

    In both directions the pickup starts in [earliest_pickup, latest_pickup] and the drop-off
    in [earliest_dropoff, latest_dropoff], cut by the centre's window on the centre side
    (``solver.routing.model.passenger_windows``). Binds when either window is empty, or the pickup
    cannot start before the drop-off must, on a day they attend: e.g. an earliest pickup
    after the centre's arrival window ends, or a latest drop-off before its departure window
    starts. One issue per pair of clashing times, listing the days (and the centre's time).
    """
    centres = _centres_by_id(plan)
    for index, passenger in enumerate(plan.passengers):
        centre = centres.get(passenger.centre_id)
        if centre is None:
            continue
        days = [day for day in DAYS if day in passenger.days and day in centre.hours]
        ident, path = passenger.passenger_id, f"passengers[{index}]"
        clashes: dict[tuple[str, str], list[tuple[Day, Direction, _Bound, _Bound]]] = {}
        for day in days:
            for direction in (Direction.TO_CENTRE, Direction.FROM_CENTRE):
                for low, high in _window_conflicts(passenger, centre.hours[day], direction):
                    key = (low.field or low.phrase, high.field or high.phrase)
                    clashes.setdefault(key, []).append((day, direction, low, high))
        for found in clashes.values():
            _, direction, low, high = found[0]
            field = low.field if low.field is not None else high.field
            assert field is not None
            note = _both_directions_note(low, direction) or _both_directions_note(high, direction)
            if low.field is not None and high.field is not None:
                message = (
                    f"Passenger {ident}'s {low.phrase} {_time(low.t_s)} is after their "
                    f"{high.phrase} {_time(high.t_s)}."
                )
                hint = f"Make {low.field} no later than {high.field}, or leave one out."
            elif low.field is not None:
                when = ", ".join(f"{d} {_time(h.t_s)}" for d, _, _, h in _unique_days(found))
                message = (
                    f"Passenger {ident}'s {low.phrase} {_time(low.t_s)} is after centre "
                    f"{centre.centre_id}'s {high.phrase} ({when}){note}."
                )
                kind = high.phrase.split()[0]
                hint = (
                    f"Make {low.field} earlier than the end of the centre's {kind} window, "
                    "or move the window."
                )
            else:
                when = ", ".join(f"{d} {_time(lo.t_s)}" for d, _, lo, _ in _unique_days(found))
                message = (
                    f"Passenger {ident}'s {high.phrase} {_time(high.t_s)} is before centre "
                    f"{centre.centre_id}'s {low.phrase} ({when}){note}."
                )
                kind = low.phrase.split()[0]
                hint = (
                    f"Make {high.field} later than the start of the centre's {kind} window, "
                    "or move the window (or leave it out)."
                )
            yield Issue(
                code="INPUT_PASSENGER_WINDOW",
                message=message,
                hint=hint,
                path=f"{path}.{field}",
                id=ident,
            )


def _unique_days(
    found: list[tuple[Day, Direction, _Bound, _Bound]],
) -> list[tuple[Day, Direction, _Bound, _Bound]]:
    """The first clash of each day (a pair of the passenger's own times clashes every day)."""
    seen: dict[Day, tuple[Day, Direction, _Bound, _Bound]] = {}
    for clash in found:
        seen.setdefault(clash[0], clash)
    return list(seen.values())


# --------------------------------------------------------------------------- vehicles


def check_vehicle_values(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_VALUE: a vehicle's depot, capacity, weekdays, shift, tariff and operator."""
    for index, vehicle in enumerate(plan.vehicles):
        ident = vehicle.vehicle_id
        label, path = f"Vehicle {ident}", f"vehicles[{index}]"
        yield from _location_issues(f"{label}'s depot", vehicle.depot, f"{path}.depot", ident)
        yield from _day_issues(label, vehicle.days, f"{path}.days", ident)
        counts = {
            f"{path}.seats": vehicle.seats,
            f"{path}.wheelchair_places": vehicle.wheelchair_places,
        }
        for number, layout in enumerate(vehicle.layouts):
            counts[f"{path}.layouts[{number}].seats"] = layout.seats
            counts[f"{path}.layouts[{number}].wheelchair_places"] = layout.wheelchair_places
        yield from _count_issues(label, counts, ident)
        yield from _time_issues(
            label,
            {
                f"{path}.shift.start": vehicle.shift.start_s,
                f"{path}.shift.end": vehicle.shift.end_s,
            },
            ident,
        )
        tariff = vehicle.tariff
        for name, price in (
            ("per_km", tariff.per_km),
            ("per_hour", tariff.per_hour),
            ("per_vehicle_day", tariff.per_vehicle_day),
        ):
            if not (math.isfinite(price) and price >= 0):
                yield Issue(
                    code="INPUT_VALUE",
                    message=f"{label} has tariff {name} {price}, not a price in NOK.",
                    hint="Use 0 or a positive number of NOK.",
                    path=f"{path}.tariff.{name}",
                    id=ident,
                )
        if vehicle.max_route_s is not None and vehicle.max_route_s <= 0:
            yield Issue(
                code="INPUT_VALUE",
                message=f"{label} has max_route_s {vehicle.max_route_s}, not a positive time.",
                hint="Give the longest route in seconds, or leave it out for no limit but the "
                "shift.",
                path=f"{path}.max_route_s",
                id=ident,
            )
        if vehicle.operator not in OPERATORS:
            yield Issue(
                code="INPUT_VALUE",
                message=f"{label} has operator {vehicle.operator!r}.",
                hint=f"Use {' or '.join(OPERATORS)}.",
                path=f"{path}.operator",
                id=ident,
            )


def check_shifts(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_SHIFT: a vehicle's shift ends after it starts."""
    for index, vehicle in enumerate(plan.vehicles):
        if vehicle.shift.end_s <= vehicle.shift.start_s:
            yield Issue(
                code="INPUT_SHIFT",
                message=f"Vehicle {vehicle.vehicle_id}'s shift {_window(vehicle.shift)} does "
                "not end after it starts.",
                hint="Make shift.end later than shift.start (shifts do not cross midnight).",
                path=f"vehicles[{index}].shift",
                id=vehicle.vehicle_id,
            )


def check_layouts(plan: WeekPlan) -> Iterator[Issue]:
    """INPUT_BAD_LAYOUT: a vehicle's listed layouts include its current seats and places."""
    for index, vehicle in enumerate(plan.vehicles):
        current = SeatingLayout(seats=vehicle.seats, wheelchair_places=vehicle.wheelchair_places)
        if vehicle.layouts and current not in vehicle.layouts:
            listed = "; ".join(
                f"{layout.seats} seats + {_places(layout.wheelchair_places)}"
                for layout in vehicle.layouts
            )
            yield Issue(
                code="INPUT_BAD_LAYOUT",
                message=f"Vehicle {vehicle.vehicle_id} has {vehicle.seats} seats and "
                f"{_places(vehicle.wheelchair_places)}, which is none of its layouts ({listed}).",
                hint="Set seats and wheelchair_places to one of the layouts, or add that "
                "layout to layouts.",
                path=f"vehicles[{index}].layouts",
                id=vehicle.vehicle_id,
            )


# ------------------------------------------------------------------------------ public

CHECKS: tuple[Callable[[WeekPlan], Iterator[Issue]], ...] = (
    check_duplicate_ids,
    check_has_vehicles,
    check_time_limit,
    check_setting_values,
    check_centre_values,
    check_centre_windows,
    check_passenger_values,
    check_escorts,
    check_vehicle_rules,
    check_incompatible_pairs,
    check_passenger_days,
    check_known_centres,
    check_centre_open,
    check_passenger_windows,
    check_vehicle_values,
    check_shifts,
    check_layouts,
)
"""Every meaning check, in the order :func:`validate` runs them."""


def validate(plan: WeekPlan) -> list[Issue]:
    """Check what ``plan`` means; return every issue found (empty when the plan is sound).

    Runs all of :data:`CHECKS`. An empty passenger list is fine.
    """
    return [issue for check in CHECKS for issue in check(plan)]


def raise_if_invalid(plan: WeekPlan, source: str | None = None) -> None:
    """Raise :class:`~solver.errors.InputError` with every issue :func:`validate` finds."""
    issues = validate(plan)
    if issues:
        raise InputError(issues, source=source)


# ----------------------------------------------------------------------- off the roads


@dataclass(frozen=True, slots=True)
class PlaceRef:
    """A location of a plan, named for messages.

    ``label``: "Passenger P7's home", "Passenger P7's home on wed", "Centre C1", "Vehicle
    V1's depot". ``id``: the passenger's, centre's or vehicle's id. ``path``: where in the
    plan JSON, such as ``passengers[6].home``.
    """

    label: str
    location: LatLon
    id: str
    path: str


def plan_places(plan: WeekPlan) -> list[PlaceRef]:
    """Every location of ``plan``: centres, passengers' homes and home exceptions, depots.

    The solve pipeline snaps these to the roads and passes the distances to
    :func:`snap_issues`.
    """
    places = [
        PlaceRef(f"Centre {c.centre_id}", c.location, c.centre_id, f"centres[{i}].location")
        for i, c in enumerate(plan.centres)
    ]
    for i, passenger in enumerate(plan.passengers):
        places.extend(_passenger_places(i, passenger))
    places.extend(
        PlaceRef(f"Vehicle {v.vehicle_id}'s depot", v.depot, v.vehicle_id, f"vehicles[{i}].depot")
        for i, v in enumerate(plan.vehicles)
    )
    return places


def _passenger_places(index: int, passenger: Passenger) -> Iterator[PlaceRef]:
    ident, path = passenger.passenger_id, f"passengers[{index}]"
    yield PlaceRef(f"Passenger {ident}'s home", passenger.home, ident, f"{path}.home")
    for day, location in passenger.home_exceptions.items():
        yield PlaceRef(
            f"Passenger {ident}'s home on {day}",
            location,
            ident,
            f"{path}.home_exceptions.{day}",
        )


def snap_issues(
    names_and_distances: Iterable[tuple[str | PlaceRef, float]], limit_m: float
) -> list[Issue]:
    """INPUT_OFF_ROAD for every place farther than ``limit_m`` metres from the nearest road.

    ``names_and_distances``: (place, metres to its road node) pairs, the place either a
    :class:`PlaceRef` (the issue then carries its id and path) or a plain label such as
    "Passenger P7's home". An infinite or NaN distance means no road was found at all.
    Messages name the place but never its coordinates.
    """
    issues: list[Issue] = []
    for place, distance_m in names_and_distances:
        if math.isfinite(distance_m) and distance_m <= limit_m:
            continue
        label = place.label if isinstance(place, PlaceRef) else place
        far = (
            f"lies {distance_m:.0f} m from the nearest road"
            if math.isfinite(distance_m)
            else "has no road near it"
        )
        issues.append(
            Issue(
                code="INPUT_OFF_ROAD",
                message=f"{label} {far} (limit {limit_m:.0f} m).",
                hint="Check the coordinates (lat and lon swapped? outside the road extract?) "
                "or raise settings.roads.snap_limit_m.",
                path=place.path if isinstance(place, PlaceRef) else None,
                id=place.id if isinstance(place, PlaceRef) else None,
            )
        )
    return issues
