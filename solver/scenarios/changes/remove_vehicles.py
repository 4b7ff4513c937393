"""``remove_vehicles``: selected vehicles leave the fleet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import ConfigDict, Field

from solver.domain import WeekPlan
from solver.scenarios.changes.base import ApplyContext, VehicleSelector, select_vehicles
from solver.scenarios.changes.notes import counted, vehicle_ids
from solver.scenarios.changes.registry import ChangeKind, register
from solver.scenarios.changes.spec_parts import SpecModel, VehicleSelectorSpec, vehicles_from_spec


@dataclass(frozen=True, slots=True)
class RemoveVehicles:
    """Selected vehicles leave the fleet (``count``: only the last ``count`` of them)."""

    select: VehicleSelector
    count: int | None = None


class RemoveVehiclesSpec(SpecModel):
    """Selected vehicles leave the fleet (count: only the last count of them)."""

    model_config = ConfigDict(title="remove_vehicles")
    type: Literal["remove_vehicles"]
    select: VehicleSelectorSpec
    count: int | None = Field(default=None, ge=0)


def remove_vehicles_from_spec(spec: RemoveVehiclesSpec) -> RemoveVehicles:
    """The change a scenarios file's ``remove_vehicles`` entry describes."""
    return RemoveVehicles(vehicles_from_spec(spec.select), spec.count)


def apply_remove_vehicles(
    plan: WeekPlan, change: RemoveVehicles, context: ApplyContext
) -> WeekPlan:
    """Selected vehicles leave the fleet (see :class:`RemoveVehicles`)."""
    chosen = [v.vehicle_id for v in select_vehicles(plan, change.select)]
    if change.count is not None:
        chosen = chosen[len(chosen) - min(len(chosen), max(0, change.count)) :]
    leaving = set(chosen)
    return plan.replace(vehicles=tuple(v for v in plan.vehicles if v.vehicle_id not in leaving))


def describe_remove_vehicles(change: RemoveVehicles, before: WeekPlan, after: WeekPlan) -> str:
    """What the change did, turning ``before`` into ``after``, in one sentence."""
    gone = sorted(vehicle_ids(before) - vehicle_ids(after))
    return f"{counted(len(gone), 'vehicle')} removed: {', '.join(gone) or 'none'}."


register(
    ChangeKind(
        name="remove_vehicles",
        change=RemoveVehicles,
        spec=RemoveVehiclesSpec,
        from_spec=remove_vehicles_from_spec,
        apply=apply_remove_vehicles,
        describe=describe_remove_vehicles,
        # Takes away vehicles the base routes may drive.
        base_routes_feasible=False,
    )
)
