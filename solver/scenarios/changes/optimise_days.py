"""``optimise_days``: re-choose selected passengers' weekdays to lower the peak vehicle need."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import ConfigDict, Field

from solver.domain import Day, WeekPlan
from solver.scenarios.changes.base import (
    ApplyContext,
    PassengerSelector,
    check_passenger_ids,
    select_passengers,
    with_days,
)
from solver.scenarios.changes.notes import OPTIMISER_CHOSE, counted, num_days_changed, weekdays_note
from solver.scenarios.changes.registry import ChangeKind, register
from solver.scenarios.changes.spec_parts import (
    EstimateSpec,
    Id,
    PassengerSelectorSpec,
    SpecModel,
    estimate_from_spec,
    passengers_from_spec,
)
from solver.scenarios.days import VehicleEstimate, choose_days


@dataclass(frozen=True)
class OptimiseDays:
    """Re-choose the weekdays of selected passengers, keeping how many days each attends.

    ``allowed``: per passenger id, the weekdays they could attend; passengers not listed may
    attend any weekday their centre is open.
    """

    select: PassengerSelector = PassengerSelector()  # noqa: RUF009 (frozen)
    allowed: Mapping[str, frozenset[Day]] = field(default_factory=dict)
    estimate: VehicleEstimate = field(default_factory=VehicleEstimate)


class OptimiseDaysSpec(SpecModel):
    """Re-choose selected passengers' weekdays (same number of days) to lower the peak."""

    model_config = ConfigDict(title="optimise_days")
    type: Literal["optimise_days"]
    select: PassengerSelectorSpec = Field(default_factory=PassengerSelectorSpec)
    allowed: dict[Id, list[Day]] = Field(
        default_factory=dict,
        description="Per passenger id, the weekdays they could attend; others: any weekday "
        "their centre is open.",
    )
    estimate: EstimateSpec = Field(default_factory=EstimateSpec)


def optimise_days_from_spec(spec: OptimiseDaysSpec) -> OptimiseDays:
    """The change a scenarios file's ``optimise_days`` entry describes."""
    return OptimiseDays(
        select=passengers_from_spec(spec.select),
        allowed={pid: frozenset(days) for pid, days in spec.allowed.items()},
        estimate=estimate_from_spec(spec.estimate),
    )


def apply_optimise_days(plan: WeekPlan, change: OptimiseDays, context: ApplyContext) -> WeekPlan:
    """Re-choose selected passengers' weekdays (see :class:`OptimiseDays`)."""
    check_passenger_ids(plan, list(change.allowed))
    chosen = select_passengers(plan, change.select)
    open_days = {c.centre_id: frozenset(c.hours) for c in plan.centres}
    flexible = {
        p.passenger_id: (
            len(p.days),
            change.allowed.get(p.passenger_id, open_days.get(p.centre_id, frozenset())),
        )
        for p in chosen
    }
    return with_days(plan, choose_days(plan, flexible, change.estimate).days)


def describe_optimise_days(change: OptimiseDays, before: WeekPlan, after: WeekPlan) -> str:
    """What the change did, turning ``before`` into ``after``, in one sentence."""
    head = f"{counted(num_days_changed(before, after), 'passenger')} moved to other weekdays"
    return weekdays_note(head, OPTIMISER_CHOSE, before, after, change.estimate)


register(
    ChangeKind(
        name="optimise_days",
        change=OptimiseDays,
        spec=OptimiseDaysSpec,
        from_spec=optimise_days_from_spec,
        apply=apply_optimise_days,
        describe=describe_optimise_days,
        # Moves attendance to other weekdays: adds trips there.
        base_routes_feasible=False,
    )
)
