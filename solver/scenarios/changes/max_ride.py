"""``max_ride``: the maximum ride time rule, optionally clearing passengers' own limits."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from pydantic import ConfigDict, Field

from solver.domain import WeekPlan
from solver.scenarios.changes.base import ApplyContext
from solver.scenarios.changes.registry import ChangeKind, register
from solver.scenarios.changes.spec_parts import SpecModel


@dataclass(frozen=True, slots=True)
class MaxRide:
    """The default maximum ride rule: ``min_s`` and/or ``factor`` (``None``: unchanged).

    ``clear_passenger_limits``: passengers' own ``max_ride_s`` are dropped too.
    """

    min_s: int | None = None
    factor: float | None = None
    clear_passenger_limits: bool = False


class MaxRideSpec(SpecModel):
    """The maximum ride rule: the larger of min_s and factor × direct time."""

    model_config = ConfigDict(title="max_ride")
    type: Literal["max_ride"]
    min_s: int | None = Field(default=None, ge=0, examples=[2700])
    factor: float | None = Field(default=None, gt=0, examples=[1.5])
    clear_passenger_limits: bool = False


def max_ride_from_spec(spec: MaxRideSpec) -> MaxRide:
    """The change a scenarios file's ``max_ride`` entry describes."""
    return MaxRide(spec.min_s, spec.factor, spec.clear_passenger_limits)


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


def describe_max_ride(change: MaxRide, before: WeekPlan, after: WeekPlan) -> str:
    """What the change did, turning ``before`` into ``after``, in one sentence."""
    rule = after.settings.max_ride
    cleared = " (passengers' own limits cleared)" if change.clear_passenger_limits else ""
    return (
        f"Maximum ride: the larger of {rule.min_s // 60} min and {rule.factor:g} × the "
        f"direct time{cleared}."
    )


register(
    ChangeKind(
        name="max_ride",
        change=MaxRide,
        spec=MaxRideSpec,
        from_spec=max_ride_from_spec,
        apply=apply_max_ride,
        describe=describe_max_ride,
        # May tighten the ride limit the base routes were made under.
        base_routes_feasible=False,
    )
)
