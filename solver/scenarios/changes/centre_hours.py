"""``centre_hours``: shift or set centres' windows."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from pydantic import ConfigDict, Field

from solver.domain import CentreHours, Day, TimeWindow, WeekPlan
from solver.io.times import SECONDS_PER_DAY
from solver.scenarios.changes.base import ApplyContext, ChangeError, check_centre_ids
from solver.scenarios.changes.notes import counted
from solver.scenarios.changes.registry import ChangeKind, register
from solver.scenarios.changes.spec_parts import Id, SpecModel, WindowSpec, window_from_spec


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


class CentreHoursSpec(SpecModel):
    """Shift or set centres' arrival and departure windows (staggered openings)."""

    model_config = ConfigDict(title="centre_hours")
    type: Literal["centre_hours"]
    centres: list[Id] | Literal["all", "every_second"] = Field(
        default="all",
        description='Centre ids, "all", or "every_second" (2nd, 4th... in plan order).',
    )
    shift_min: int = Field(default=0, ge=-720, le=720, description="Minutes later (+) or earlier.")
    arrival_window: WindowSpec | None = Field(default=None, description="Set, then shift.")
    departure_window: WindowSpec | None = Field(default=None, description="Set, then shift.")
    days: list[Day] | None = Field(default=None, description="Only these weekdays.")


def centre_hours_from_spec(spec: CentreHoursSpec) -> ChangeCentreHours:
    """The change a scenarios file's ``centre_hours`` entry describes."""
    return ChangeCentreHours(
        centres=spec.centres if isinstance(spec.centres, str) else tuple(spec.centres),
        shift_s=spec.shift_min * 60,
        arrival=window_from_spec(spec.arrival_window),
        departure=window_from_spec(spec.departure_window),
        days=None if spec.days is None else tuple(spec.days),
    )


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
    check_centre_ids(plan, ids)
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


def describe_centre_hours(change: ChangeCentreHours, before: WeekPlan, after: WeekPlan) -> str:
    """What the change did, turning ``before`` into ``after``, in one sentence."""
    changed_ids = [
        a.centre_id
        for a, b in zip(before.centres, after.centres, strict=True)
        if a.hours != b.hours
    ]
    shift = f" shifted {change.shift_s // 60:+d} min" if change.shift_s else " set"
    return f"Windows of {counted(len(changed_ids), 'centre')} ({', '.join(changed_ids)}){shift}."


register(
    ChangeKind(
        name="centre_hours",
        change=ChangeCentreHours,
        spec=CentreHoursSpec,
        from_spec=centre_hours_from_spec,
        apply=apply_centre_hours,
        describe=describe_centre_hours,
        # Moves centres' windows: the base's arrival and departure times may fall outside them.
        base_routes_feasible=False,
    )
)
