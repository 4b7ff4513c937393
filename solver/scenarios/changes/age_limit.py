"""``age_limit``: passengers aged ``max_age`` or more in ``reference_year`` leave."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import ConfigDict, Field

from solver.domain import Passenger, WeekPlan
from solver.scenarios.changes.base import ApplyContext, PassengerSelector, select_passengers
from solver.scenarios.changes.notes import counted
from solver.scenarios.changes.registry import ChangeKind, register
from solver.scenarios.changes.spec_parts import (
    PassengerSelectorSpec,
    SpecModel,
    passengers_from_spec,
)


@dataclass(frozen=True, slots=True)
class AgeLimit:
    """Passengers aged ``max_age`` or more in ``reference_year`` leave.

    That is, those born in or before ``reference_year - max_age``; passengers without a birth
    year stay.
    """

    max_age: int = 62
    reference_year: int = 2025
    select: PassengerSelector = PassengerSelector()  # noqa: RUF009 (frozen)


class AgeLimitSpec(SpecModel):
    """Passengers aged max_age or more in reference_year leave (unknown birth year: stay)."""

    model_config = ConfigDict(title="age_limit")
    type: Literal["age_limit"]
    max_age: int = Field(default=62, ge=18, le=120)
    reference_year: int = Field(default=2025, ge=1900, le=2100)
    select: PassengerSelectorSpec = Field(default_factory=PassengerSelectorSpec)


def age_limit_from_spec(spec: AgeLimitSpec) -> AgeLimit:
    """The change a scenarios file's ``age_limit`` entry describes."""
    return AgeLimit(spec.max_age, spec.reference_year, passengers_from_spec(spec.select))


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


def describe_age_limit(change: AgeLimit, before: WeekPlan, after: WeekPlan) -> str:
    """What the change did, turning ``before`` into ``after``, in one sentence."""
    old_passengers = {p.passenger_id for p in before.passengers}
    new_passengers = {p.passenger_id for p in after.passengers}
    leaving = len(old_passengers - new_passengers)
    unknown = sum(1 for p in before.passengers if p.birth_year is None)
    born = change.reference_year - change.max_age
    return (
        f"{counted(leaving, 'passenger')} aged {change.max_age}+ in "
        f"{change.reference_year} (born {born} or earlier) leave; "
        f"{counted(unknown, 'passenger')} without a birth year stay."
    )


register(
    ChangeKind(
        name="age_limit",
        change=AgeLimit,
        spec=AgeLimitSpec,
        from_spec=age_limit_from_spec,
        apply=apply_age_limit,
        describe=describe_age_limit,
        # Only removes passengers.
        base_routes_feasible=True,
    )
)
