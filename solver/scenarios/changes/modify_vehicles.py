"""``modify_vehicles``: a seating layout, operator, shift or weekdays for selected vehicles."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from pydantic import ConfigDict, Field

from solver.domain import Day, SeatingLayout, TimeWindow, WeekPlan
from solver.io import Operator
from solver.scenarios.changes.base import (
    ApplyContext,
    ChangeError,
    VehicleSelector,
    select_vehicles,
)
from solver.scenarios.changes.notes import counted
from solver.scenarios.changes.registry import ChangeKind, register
from solver.scenarios.changes.spec_parts import (
    LayoutSpec,
    SpecModel,
    VehicleSelectorSpec,
    WindowSpec,
    days_from_spec,
    vehicles_from_spec,
    window_from_spec,
)


@dataclass(frozen=True, slots=True)
class ModifyVehicles:
    """Set the seating layout, operator, shift or weekdays of selected vehicles.

    A ``layout`` must be one of a vehicle's ``layouts`` when it lists any.
    """

    select: VehicleSelector = VehicleSelector()  # noqa: RUF009 (frozen)
    layout: SeatingLayout | None = None
    operator: str | None = None
    shift: TimeWindow | None = None
    days: frozenset[Day] | None = None


class ModifyVehiclesSpec(SpecModel):
    """Set seating layout, operator, shift or weekdays of selected vehicles."""

    model_config = ConfigDict(title="modify_vehicles")
    type: Literal["modify_vehicles"]
    select: VehicleSelectorSpec = Field(default_factory=VehicleSelectorSpec)
    layout: LayoutSpec | None = None
    operator: Operator | None = None
    shift: WindowSpec | None = None
    days: list[Day] | None = None


def modify_vehicles_from_spec(spec: ModifyVehiclesSpec) -> ModifyVehicles:
    """The change a scenarios file's ``modify_vehicles`` entry describes."""
    return ModifyVehicles(
        select=vehicles_from_spec(spec.select),
        layout=None
        if spec.layout is None
        else SeatingLayout(spec.layout.seats, spec.layout.wheelchair_places),
        operator=spec.operator,
        shift=window_from_spec(spec.shift),
        days=days_from_spec(spec.days),
    )


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


def describe_modify_vehicles(change: ModifyVehicles, before: WeekPlan, after: WeekPlan) -> str:
    """What the change did, turning ``before`` into ``after``, in one sentence."""
    changed_vehicles = [
        a.vehicle_id for a, b in zip(before.vehicles, after.vehicles, strict=True) if a != b
    ]
    return f"{counted(len(changed_vehicles), 'vehicle')} modified."


register(
    ChangeKind(
        name="modify_vehicles",
        change=ModifyVehicles,
        spec=ModifyVehiclesSpec,
        from_spec=modify_vehicles_from_spec,
        apply=apply_modify_vehicles,
        describe=describe_modify_vehicles,
        # Changes seats, shifts or days the base routes were made under.
        base_routes_feasible=False,
    )
)
