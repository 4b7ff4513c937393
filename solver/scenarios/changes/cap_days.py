"""``cap_days``: selected passengers keep at most ``max_days`` weekdays."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import ConfigDict, Field

from solver.domain import DAYS, Day, WeekPlan
from solver.scenarios.changes.base import (
    ApplyContext,
    ChangeError,
    PassengerSelector,
    ordered,
    select_passengers,
    with_days,
)
from solver.scenarios.changes.notes import OPTIMISER_CHOSE, counted, num_days_changed, weekdays_note
from solver.scenarios.changes.registry import ChangeKind, register
from solver.scenarios.changes.spec_parts import (
    EstimateSpec,
    PassengerSelectorSpec,
    SpecModel,
    estimate_from_spec,
    passengers_from_spec,
)
from solver.scenarios.days import VehicleEstimate, choose_days


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
    select: PassengerSelector = PassengerSelector()  # noqa: RUF009 (frozen)
    drop: tuple[Day, ...] | Literal["optimise"] = ("fri",)
    estimate: VehicleEstimate = field(default_factory=VehicleEstimate)


def _friday() -> list[Day]:
    return ["fri"]


class CapDaysSpec(SpecModel):
    """Selected passengers keep at most max_days weekdays (e.g. 5 -> 4 days)."""

    model_config = ConfigDict(title="cap_days")
    type: Literal["cap_days"]
    max_days: int = Field(ge=1, le=5, examples=[4])
    select: PassengerSelectorSpec = Field(default_factory=PassengerSelectorSpec)
    drop: list[Day] | Literal["optimise"] = Field(
        default_factory=_friday,
        description="Weekdays to drop, in order of preference (a passenger attending none of "
        'them drops their latest weekdays), or "optimise": the attendance-day optimiser '
        "chooses per passenger to lower the peak vehicle need.",
        examples=[["fri"], "optimise"],
    )
    estimate: EstimateSpec = Field(default_factory=EstimateSpec)


def cap_days_from_spec(spec: CapDaysSpec) -> CapDays:
    """The change a scenarios file's ``cap_days`` entry describes."""
    return CapDays(
        max_days=spec.max_days,
        select=passengers_from_spec(spec.select),
        drop=spec.drop if isinstance(spec.drop, str) else tuple(spec.drop),
        estimate=estimate_from_spec(spec.estimate),
    )


def naive_keep(days: frozenset[Day], max_days: int, drop: Sequence[Day]) -> frozenset[Day]:
    """``days`` cut to ``max_days``: drop ``drop``'s weekdays in order, then the latest ones."""
    kept = list(ordered(days))
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
    return with_days(plan, new_days)


def describe_cap_days(change: CapDays, before: WeekPlan, after: WeekPlan) -> str:
    """What the change did, turning ``before`` into ``after``, in one sentence."""
    how = (
        OPTIMISER_CHOSE
        if change.drop == "optimise"
        else f"dropping {', '.join(change.drop)} first, then the latest weekdays"
    )
    head = (
        f"{counted(num_days_changed(before, after), 'passenger')} cut to {change.max_days} weekdays"
    )
    return weekdays_note(head, how, before, after, change.estimate)


register(
    ChangeKind(
        name="cap_days",
        change=CapDays,
        spec=CapDaysSpec,
        from_spec=cap_days_from_spec,
        apply=apply_cap_days,
        describe=describe_cap_days,
        # Only removes attendance days (the optimiser only chooses which).
        base_routes_feasible=True,
    )
)
