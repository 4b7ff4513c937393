"""``remove_passengers``: selected passengers leave."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import ConfigDict, Field

from solver.domain import WeekPlan
from solver.scenarios.changes.base import ApplyContext, PassengerSelector, select_passengers
from solver.scenarios.changes.notes import counted
from solver.scenarios.changes.registry import ChangeKind, register
from solver.scenarios.changes.spec_parts import (
    PassengerSelectorSpec,
    SpecModel,
    passengers_from_spec,
)


@dataclass(frozen=True, slots=True)
class RemovePassengers:
    """Selected passengers leave: all of them, or ``count`` drawn at random with ``seed``."""

    select: PassengerSelector
    count: int | None = None
    seed: int = 1


class RemovePassengersSpec(SpecModel):
    """Selected passengers leave (e.g. activities at home instead): all, or count drawn."""

    model_config = ConfigDict(title="remove_passengers")
    type: Literal["remove_passengers"]
    select: PassengerSelectorSpec
    count: int | None = Field(default=None, ge=0)
    seed: int = Field(default=1, ge=0)


def remove_passengers_from_spec(spec: RemovePassengersSpec) -> RemovePassengers:
    """The change a scenarios file's ``remove_passengers`` entry describes."""
    return RemovePassengers(passengers_from_spec(spec.select), spec.count, spec.seed)


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


def describe_remove_passengers(change: RemovePassengers, before: WeekPlan, after: WeekPlan) -> str:
    """What the change did, turning ``before`` into ``after``, in one sentence."""
    old_passengers = {p.passenger_id for p in before.passengers}
    new_passengers = {p.passenger_id for p in after.passengers}
    return f"{counted(len(old_passengers - new_passengers), 'passenger')} leave."


register(
    ChangeKind(
        name="remove_passengers",
        change=RemovePassengers,
        spec=RemovePassengersSpec,
        from_spec=remove_passengers_from_spec,
        apply=apply_remove_passengers,
        describe=describe_remove_passengers,
        # Only removes passengers.
        base_routes_feasible=True,
    )
)
