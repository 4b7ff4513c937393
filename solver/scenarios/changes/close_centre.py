"""``close_centre``: a centre closes; its passengers move to another centre."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Annotated, Literal

import numpy as np
import numpy.typing as npt
from pydantic import ConfigDict, Field

from solver.domain import Centre, Day, LatLon, Passenger, WeekPlan
from solver.scenarios.changes.base import ApplyContext, ChangeError, check_centre_ids
from solver.scenarios.changes.notes import counted
from solver.scenarios.changes.registry import ChangeKind, register
from solver.scenarios.changes.spec_parts import Id, SpecModel
from solver.straight import haversine_m


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


class CloseCentreSpec(SpecModel):
    """A centre closes; its passengers move to into, or each to the nearest with room."""

    model_config = ConfigDict(title="close_centre")
    type: Literal["close_centre"]
    centre_id: Id
    into: Id | None = Field(default=None, description="Merge: one centre takes everyone.")
    capacity: dict[Id, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict, description="Places per weekday, per centre id."
    )
    capacity_headroom: float | None = Field(
        default=None,
        ge=0,
        description="Centres without a capacity take up to this share more than their busiest "
        "weekday now (0.2 = 20%); leave out for unlimited room.",
        examples=[0.2],
    )


def close_centre_from_spec(spec: CloseCentreSpec) -> CloseCentre:
    """The change a scenarios file's ``close_centre`` entry describes."""
    return CloseCentre(spec.centre_id, spec.into, dict(spec.capacity), spec.capacity_headroom)


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


def apply_close_centre(plan: WeekPlan, change: CloseCentre, context: ApplyContext) -> WeekPlan:
    """Close ``change.centre_id`` and move its passengers (see :class:`CloseCentre`)."""
    check_centre_ids(plan, [change.centre_id])
    check_centre_ids(plan, list(change.capacity))
    if change.into is not None:
        check_centre_ids(plan, [change.into])
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


def describe_close_centre(change: CloseCentre, before: WeekPlan, after: WeekPlan) -> str:
    """What the change did, turning ``before`` into ``after``, in one sentence."""
    old_centre = {p.passenger_id: p.centre_id for p in before.passengers}
    moved: Counter[str] = Counter(
        p.centre_id for p in after.passengers if old_centre.get(p.passenger_id) == change.centre_id
    )
    name = before.centre(change.centre_id).name
    where = ", ".join(f"{n} to {c}" for c, n in sorted(moved.items())) or "nobody"
    return (
        f"Centre {change.centre_id} ({name}) closes; "
        f"{counted(sum(moved.values()), 'passenger')} move: {where}."
    )


register(
    ChangeKind(
        name="close_centre",
        change=CloseCentre,
        spec=CloseCentreSpec,
        from_spec=close_centre_from_spec,
        apply=apply_close_centre,
        describe=describe_close_centre,
        # Moves passengers to other centres: their drop-offs or pickups move.
        base_routes_feasible=False,
    )
)
